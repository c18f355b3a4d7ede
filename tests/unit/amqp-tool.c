/*
 * amqp-tool.c: the C side of the independent check of the AMQP 1.0 codec
 * against python3-qpid-proton (tests/python/amqp_proton.py).
 *
 *	amqp-tool decode FILE...	describe each record (below)
 *	amqp-tool encode NAME		write message NAME to stdout
 *	amqp-tool names			list the messages encode knows
 *
 * decode prints "== FILE", then "not-amqp" if rs_amqp_parse() refuses the
 * record, else one line per section in record order and "end". Header and
 * properties sections print their fields that are not null as name=VALUE
 * (from the parsed message's fields), every other section its name and
 * VALUE. A VALUE names its type explicitly: null, bool:true, ubyte:7,
 * int:-1, float:0x3fc00000 and double:0x... (the bits), decimal32:0x...
 * (the bytes), char:U+00E9, timestamp:MS, uuid:8-4-4-4-12, binary:"..",
 * string:"..", symbol:".." (bytes outside 0x20-0x7e, '"' and '\' as \xHH),
 * list[V,V], map{K=V,K=V}, array(TYPE)[V,V] with TYPE "@DESC TYPE" for an
 * array of described values (its elements then print undescribed), and
 * described(DESC,V). The Python side builds the same text from proton.
 *
 * encode writes messages built with the encoding API; the Python side
 * decodes them with proton and checks them field by field.
 */
#include "config.h"

#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "amqp.h"
#include "wire.h"

static void	canon(FILE *, const struct rs_amqp_value *);

/* The type of an array's element format code (the spec's names). */
static const char *
code_name(uint8_t code)
{
	switch (code) {
	case 0x40: return "null";
	case 0x41: case 0x42: case 0x56: return "bool";
	case 0x50: return "ubyte";
	case 0x60: return "ushort";
	case 0x43: case 0x52: case 0x70: return "uint";
	case 0x44: case 0x53: case 0x80: return "ulong";
	case 0x51: return "byte";
	case 0x61: return "short";
	case 0x54: case 0x71: return "int";
	case 0x55: case 0x81: return "long";
	case 0x72: return "float";
	case 0x82: return "double";
	case 0x74: return "decimal32";
	case 0x84: return "decimal64";
	case 0x94: return "decimal128";
	case 0x73: return "char";
	case 0x83: return "timestamp";
	case 0x98: return "uuid";
	case 0xa0: case 0xb0: return "binary";
	case 0xa1: case 0xb1: return "string";
	case 0xa3: case 0xb3: return "symbol";
	case 0x45: case 0xc0: case 0xd0: return "list";
	case 0xc1: case 0xd1: return "map";
	case 0xe0: case 0xf0: return "array";
	default: return "?";
	}
}

/* Bytes quoted, with anything but printable ASCII as \xHH. */
static void
quoted(FILE *f, const uint8_t *p, size_t n)
{
	size_t	 i;

	fputc('"', f);
	for (i = 0; i < n; i++) {
		if (p[i] < 0x20 || p[i] > 0x7e || p[i] == '"' || p[i] == '\\')
			fprintf(f, "\\x%02x", p[i]);
		else
			fputc(p[i], f);
	}
	fputc('"', f);
}

/* The elements of a list, map or array, separated as the type says. */
static void
elements(FILE *f, const struct rs_amqp_value *v, int array_depth)
{
	struct rs_amqp_iter	 it;
	struct rs_amqp_value	 e, d, in;
	uint32_t		 i;
	int			 r;

	rs_amqp_iter_init(&it, v);
	for (i = 0; (r = rs_amqp_iter_next(&it, &e)) == 1; i++) {
		if (i > 0)
			fputs(v->type == RS_AMQP_T_MAP && i % 2 ? "=" : ",", f);
		while (array_depth && e.type == RS_AMQP_T_DESCRIBED &&
		    rs_amqp_described(&e, &d, &in) == 0)
			e = in;
		canon(f, &e);
	}
	if (r == -1)
		fputs("<malformed>", f);
}

/* An array's element type: "@DESC " per descriptor, then the type. */
static void
array_type(FILE *f, const struct rs_amqp_value *v)
{
	struct rs_amqp_value	 d;
	const uint8_t		*c = v->ctor;
	size_t			 left = v->ctorlen, used;

	while (left > 1 && c[0] == 0x00) {
		if (rs_amqp_decode(&d, c + 1, left - 1, &used) == -1) {
			fputs("<malformed>", f);
			return;
		}
		fputc('@', f);
		canon(f, &d);
		fputc(' ', f);
		c += 1 + used;
		left -= 1 + used;
	}
	fputs(left == 1 ? code_name(c[0]) : "?", f);
}

/* The canonical description of a value (see the top of this file). */
static void
canon(FILE *f, const struct rs_amqp_value *v)
{
	struct rs_amqp_value	 d, in;
	uint32_t		 u32;
	uint64_t		 u64;
	size_t			 i;

	switch (v->type) {
	case RS_AMQP_T_NULL:
		fputs("null", f);
		break;
	case RS_AMQP_T_BOOL:
		fprintf(f, "bool:%s", v->s.b ? "true" : "false");
		break;
	case RS_AMQP_T_UBYTE:
	case RS_AMQP_T_USHORT:
	case RS_AMQP_T_UINT:
	case RS_AMQP_T_ULONG:
		fprintf(f, "%s:%" PRIu64, rs_amqp_type_name(v->type), v->s.u);
		break;
	case RS_AMQP_T_BYTE:
	case RS_AMQP_T_SHORT:
	case RS_AMQP_T_INT:
	case RS_AMQP_T_LONG:
	case RS_AMQP_T_TIMESTAMP:
		fprintf(f, "%s:%" PRId64, rs_amqp_type_name(v->type), v->s.i);
		break;
	case RS_AMQP_T_FLOAT:
		memcpy(&u32, &v->s.f, sizeof u32);
		fprintf(f, "float:0x%08" PRIx32, u32);
		break;
	case RS_AMQP_T_DOUBLE:
		memcpy(&u64, &v->s.d, sizeof u64);
		fprintf(f, "double:0x%016" PRIx64, u64);
		break;
	case RS_AMQP_T_DECIMAL32:
	case RS_AMQP_T_DECIMAL64:
	case RS_AMQP_T_DECIMAL128:
		fprintf(f, "%s:0x", rs_amqp_type_name(v->type));
		for (i = 0; i < v->n; i++)
			fprintf(f, "%02x", v->p[i]);
		break;
	case RS_AMQP_T_CHAR:
		fprintf(f, "char:U+%04" PRIX64, v->s.u);
		break;
	case RS_AMQP_T_UUID:
		fputs("uuid:", f);
		for (i = 0; i < 16; i++)
			fprintf(f, "%s%02x", i == 4 || i == 6 || i == 8 ||
			    i == 10 ? "-" : "", v->p[i]);
		break;
	case RS_AMQP_T_BINARY:
	case RS_AMQP_T_STRING:
	case RS_AMQP_T_SYMBOL:
		fprintf(f, "%s:", rs_amqp_type_name(v->type));
		quoted(f, v->p, v->n);
		break;
	case RS_AMQP_T_LIST:
		fputs("list[", f);
		elements(f, v, 0);
		fputc(']', f);
		break;
	case RS_AMQP_T_MAP:
		fputs("map{", f);
		elements(f, v, 0);
		fputc('}', f);
		break;
	case RS_AMQP_T_ARRAY:
		fputs("array(", f);
		array_type(f, v);
		fputs(")[", f);
		elements(f, v, 1);
		fputc(']', f);
		break;
	case RS_AMQP_T_DESCRIBED:
		if (rs_amqp_described(v, &d, &in) == -1) {
			fputs("<malformed>", f);
			break;
		}
		fputs("described(", f);
		canon(f, &d);
		fputc(',', f);
		canon(f, &in);
		fputc(')', f);
		break;
	}
}

/* The non-null fields of a header or properties section. */
static void
fields(FILE *f, const char *name, const struct rs_amqp_value *v, int n,
    const char *(*field_name)(int))
{
	int	 i;

	fputs(name, f);
	for (i = 0; i < n; i++) {
		if (v[i].type == RS_AMQP_T_NULL)
			continue;
		fprintf(f, " %s=", field_name(i));
		canon(f, &v[i]);
	}
	fputc('\n', f);
}

/* Describe one record. */
static void
describe(FILE *f, const uint8_t *rec, size_t len)
{
	struct rs_amqp_msg	 m;
	struct rs_amqp_value	 v;
	const struct rs_amqp_value *mv;
	size_t			 pos = 0;
	int			 code, r;

	if (!rs_amqp_parse(&m, rec, len)) {
		fputs("not-amqp\n", f);
		return;
	}
	while ((r = rs_amqp_section_next(&m, &pos, &code, &v)) == 1) {
		mv = &v;
		switch (code) {
		case RS_AMQP_HEADER:
			fields(f, "header", m.header, RS_AMQP_H_MAX,
			    rs_amqp_header_name);
			continue;
		case RS_AMQP_PROPERTIES:
			fields(f, "properties", m.properties, RS_AMQP_P_MAX,
			    rs_amqp_property_name);
			continue;
		case RS_AMQP_DELIVERY_ANNOTATIONS:
			mv = &m.delivery_annotations;
			break;
		case RS_AMQP_MESSAGE_ANNOTATIONS:
			mv = &m.message_annotations;
			break;
		case RS_AMQP_APPLICATION_PROPERTIES:
			mv = &m.application_properties;
			break;
		case RS_AMQP_VALUE:
			mv = &m.value;
			break;
		case RS_AMQP_FOOTER:
			mv = &m.footer;
			break;
		}
		fprintf(f, "%s ", rs_amqp_section_name(code));
		canon(f, mv);
		fputc('\n', f);
	}
	fputs(r == -1 ? "<malformed>\n" : "end\n", f);
}

/* Read a whole file into *p; its length, or exit. */
static size_t
slurp(const char *path, uint8_t **p)
{
	FILE	*f;
	size_t	 n = 0, cap = 4096, got;

	if ((f = fopen(path, "rb")) == NULL) {
		perror(path);
		exit(1);
	}
	if ((*p = malloc(cap)) == NULL)
		abort();
	while ((got = fread(*p + n, 1, cap - n, f)) > 0) {
		n += got;
		if (n == cap && (*p = realloc(*p, cap *= 2)) == NULL)
			abort();
	}
	fclose(f);
	return n;
}

/* A string of the bytes of a C string. */
static void
str(struct rs_buf *b, const char *s)
{
	rs_amqp_put_string(b, s, strlen(s));
}

/* A symbol of the bytes of a C string. */
static void
sym(struct rs_buf *b, const char *s)
{
	rs_amqp_put_symbol(b, s, strlen(s));
}

static const uint8_t	 uuid_bytes[16] = {
	0x12, 0x34, 0x56, 0x78, 0x9a, 0xbc, 0xde, 0xf0,
	0x0f, 0xed, 0xcb, 0xa9, 0x87, 0x65, 0x43, 0x21
};
static const uint8_t	 dec_bytes[16] = {
	0x30, 0x40, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
	0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x07
};

static void
enc_data_hello(struct rs_buf *b)
{
	rs_amqp_put_message(b, NULL, "hello", 5);
}

static void
enc_data_empty(struct rs_buf *b)
{
	rs_amqp_put_message(b, NULL, "", 0);
}

static void
enc_data_300(struct rs_buf *b)
{
	uint8_t	 body[300];
	size_t	 i;

	for (i = 0; i < sizeof body; i++)
		body[i] = (uint8_t)i;
	rs_amqp_put_message(b, NULL, body, sizeof body);
}

static void
enc_props_all(struct rs_buf *b)
{
	static const struct rs_amqp_kv	 app[] = {
		{ "colour", "blue" }, { "size", "" }, { "empty", NULL },
	};
	struct rs_amqp_props	 pr;

	memset(&pr, 0, sizeof pr);
	pr.message_id = "msg-1";
	pr.user_id = "guest";
	pr.to = "/queues/q";
	pr.subject = "a subject";
	pr.reply_to = "/queues/r";
	pr.correlation_id = "corr-9";
	pr.content_type = "text/plain";
	pr.content_encoding = "gzip";
	pr.absolute_expiry_time = 1700000060000;
	pr.creation_time = 1700000000000;
	pr.group_id = "g";
	pr.group_sequence = 4294967295U;
	pr.reply_to_group_id = "rg";
	pr.have = 1U << RS_AMQP_P_ABSOLUTE_EXPIRY_TIME |
	    1U << RS_AMQP_P_CREATION_TIME | 1U << RS_AMQP_P_GROUP_SEQUENCE;
	pr.app = app;
	pr.napp = sizeof app / sizeof app[0];
	rs_amqp_put_message(b, &pr, "body", 4);
}

static void
enc_props_content_type(struct rs_buf *b)
{
	struct rs_amqp_props	 pr;

	memset(&pr, 0, sizeof pr);
	pr.content_type = "application/json";
	pr.content_encoding = "utf-8";
	rs_amqp_put_message(b, &pr, "{}", 2);
}

static void
enc_app_props(struct rs_buf *b)
{
	static const struct rs_amqp_kv	 app[] = {
		{ "k", "v" }, { "x-long-key-name", "caf\xc3\xa9" },
	};
	struct rs_amqp_props	 pr;

	memset(&pr, 0, sizeof pr);
	pr.app = app;
	pr.napp = 2;
	rs_amqp_put_message(b, &pr, "x", 1);
}

static void
enc_sections(struct rs_buf *b)
{
	size_t	 m, l;

	rs_amqp_put_section(b, RS_AMQP_HEADER);
	m = rs_amqp_list_begin(b);
	rs_amqp_put_bool(b, 1);
	rs_amqp_put_ubyte(b, 7);
	rs_amqp_put_uint(b, 60000);
	rs_amqp_put_bool(b, 0);
	rs_amqp_put_uint(b, 2);
	rs_amqp_list_end(b, m);
	rs_amqp_put_section(b, RS_AMQP_DELIVERY_ANNOTATIONS);
	m = rs_amqp_map_begin(b);
	sym(b, "x-opt-d");
	rs_amqp_put_int(b, 1);
	rs_amqp_map_end(b, m);
	rs_amqp_put_section(b, RS_AMQP_MESSAGE_ANNOTATIONS);
	m = rs_amqp_map_begin(b);
	sym(b, "x-routing-key");
	str(b, "rk");
	sym(b, "x-exchange");
	str(b, "");
	rs_amqp_map_end(b, m);
	rs_amqp_put_section(b, RS_AMQP_PROPERTIES);
	m = rs_amqp_list_begin(b);
	rs_amqp_put_ulong(b, 42);
	rs_amqp_put_null(b);
	str(b, "to");
	rs_amqp_list_end(b, m);
	rs_amqp_put_section(b, RS_AMQP_APPLICATION_PROPERTIES);
	m = rs_amqp_map_begin(b);
	str(b, "n");
	rs_amqp_put_long(b, -5);
	rs_amqp_map_end(b, m);
	for (l = 0; l < 2; l++) {
		rs_amqp_put_section(b, RS_AMQP_SEQUENCE);
		m = rs_amqp_list_begin(b);
		rs_amqp_put_uint(b, (uint32_t)l);
		str(b, "seq");
		rs_amqp_list_end(b, m);
	}
	rs_amqp_put_section(b, RS_AMQP_FOOTER);
	m = rs_amqp_map_begin(b);
	sym(b, "x-f");
	rs_amqp_put_binary(b, "\x00\xff", 2);
	rs_amqp_map_end(b, m);
}

static void
enc_value_types(struct rs_buf *b)
{
	char	 big[300];
	size_t	 m;

	memset(big, 'x', sizeof big);
	rs_amqp_put_section(b, RS_AMQP_VALUE);
	m = rs_amqp_list_begin(b);
	rs_amqp_put_null(b);
	rs_amqp_put_bool(b, 1);
	rs_amqp_put_bool(b, 0);
	rs_amqp_put_ubyte(b, 0);
	rs_amqp_put_ubyte(b, 255);
	rs_amqp_put_ushort(b, 65535);
	rs_amqp_put_uint(b, 0);
	rs_amqp_put_uint(b, 5);
	rs_amqp_put_uint(b, 300);
	rs_amqp_put_uint(b, UINT32_MAX);
	rs_amqp_put_ulong(b, 0);
	rs_amqp_put_ulong(b, 255);
	rs_amqp_put_ulong(b, 256);
	rs_amqp_put_ulong(b, UINT64_MAX);
	rs_amqp_put_byte(b, -128);
	rs_amqp_put_byte(b, 127);
	rs_amqp_put_short(b, -32768);
	rs_amqp_put_int(b, -1);
	rs_amqp_put_int(b, 127);
	rs_amqp_put_int(b, 128);
	rs_amqp_put_int(b, -129);
	rs_amqp_put_int(b, INT32_MIN);
	rs_amqp_put_long(b, INT64_MIN);
	rs_amqp_put_long(b, INT64_MAX);
	rs_amqp_put_long(b, -1);
	rs_amqp_put_long(b, 200);
	rs_amqp_put_float(b, 1.5f);
	rs_amqp_put_double(b, 3.141592653589793);
	rs_amqp_put_decimal32(b, dec_bytes);
	rs_amqp_put_decimal64(b, dec_bytes);
	rs_amqp_put_decimal128(b, dec_bytes);
	rs_amqp_put_char(b, 'A');
	rs_amqp_put_char(b, 0xe9);
	rs_amqp_put_char(b, 0x1f600);
	rs_amqp_put_timestamp(b, 1700000000000);
	rs_amqp_put_timestamp(b, -1);
	rs_amqp_put_uuid(b, uuid_bytes);
	rs_amqp_put_binary(b, "", 0);
	rs_amqp_put_binary(b, big, sizeof big);
	str(b, "");
	str(b, "h\xc3\xa9llo \"q\" \\");
	rs_amqp_put_string(b, big, sizeof big);
	sym(b, "sym");
	rs_amqp_put_symbol(b, big, 256);
	rs_amqp_list_end(b, m);
}

static void
enc_float_edges(struct rs_buf *b)
{
	size_t	 m;

	rs_amqp_put_section(b, RS_AMQP_VALUE);
	m = rs_amqp_list_begin(b);
	rs_amqp_put_float(b, 0.0f);
	rs_amqp_put_float(b, -0.0f);
	rs_amqp_put_float(b, INFINITY);
	rs_amqp_put_float(b, -INFINITY);
	rs_amqp_put_float(b, NAN);
	rs_amqp_put_float(b, 1e-45f);
	rs_amqp_put_float(b, 3.4028234663852886e38f);
	rs_amqp_put_double(b, -0.0);
	rs_amqp_put_double(b, INFINITY);
	rs_amqp_put_double(b, -INFINITY);
	rs_amqp_put_double(b, NAN);
	rs_amqp_put_double(b, 5e-324);
	rs_amqp_put_double(b, 2.2250738585072014e-308);
	rs_amqp_put_double(b, 1.7976931348623157e308);
	rs_amqp_list_end(b, m);
}

static void
enc_nested(struct rs_buf *b)
{
	size_t	 m, l, a, l2, l3, in;

	rs_amqp_put_section(b, RS_AMQP_VALUE);
	m = rs_amqp_map_begin(b);
	str(b, "a");
	l = rs_amqp_list_begin(b);
	in = rs_amqp_map_begin(b);
	rs_amqp_map_end(b, in);
	in = rs_amqp_list_begin(b);
	rs_amqp_list_end(b, in);
	a = rs_amqp_array_begin(b, RS_AMQP_T_INT);
	rs_amqp_array_end(b, a);
	rs_amqp_list_end(b, l);
	sym(b, "b");
	in = rs_amqp_map_begin(b);
	rs_amqp_put_int(b, 1);
	l = rs_amqp_list_begin(b);
	l2 = rs_amqp_list_begin(b);
	l3 = rs_amqp_list_begin(b);
	rs_amqp_put_null(b);
	rs_amqp_list_end(b, l3);
	rs_amqp_list_end(b, l2);
	rs_amqp_list_end(b, l);
	rs_amqp_map_end(b, in);
	rs_amqp_map_end(b, m);
}

static void
enc_list32(struct rs_buf *b)
{
	size_t	 m, i;

	rs_amqp_put_section(b, RS_AMQP_SEQUENCE);
	m = rs_amqp_list_begin(b);
	for (i = 0; i < 300; i++)
		rs_amqp_put_ubyte(b, (uint8_t)i);
	rs_amqp_list_end(b, m);
}

static void
enc_map32(struct rs_buf *b)
{
	char	 k[8];
	size_t	 m, i;

	rs_amqp_put_section(b, RS_AMQP_APPLICATION_PROPERTIES);
	m = rs_amqp_map_begin(b);
	for (i = 0; i < 100; i++) {
		snprintf(k, sizeof k, "k%03zu", i);
		str(b, k);
		rs_amqp_put_uint(b, (uint32_t)(i * 1000));
	}
	rs_amqp_map_end(b, m);
	rs_amqp_put_message(b, NULL, "m", 1);
}

static void
enc_arrays(struct rs_buf *b)
{
	char	 big[300];
	size_t	 m, a, in, in2;

	memset(big, 'y', sizeof big);
	rs_amqp_put_section(b, RS_AMQP_VALUE);
	m = rs_amqp_list_begin(b);
	a = rs_amqp_array_begin(b, RS_AMQP_T_INT);
	rs_amqp_put_int(b, 1);
	rs_amqp_put_int(b, 300);
	rs_amqp_put_int(b, -5);
	rs_amqp_array_end(b, a);
	a = rs_amqp_array_begin(b, RS_AMQP_T_STRING);
	str(b, "a");
	rs_amqp_put_string(b, big, sizeof big);
	rs_amqp_array_end(b, a);
	a = rs_amqp_array_begin(b, RS_AMQP_T_SYMBOL);
	rs_amqp_array_end(b, a);
	a = rs_amqp_array_begin(b, RS_AMQP_T_ULONG);
	rs_amqp_put_ulong(b, 0);
	rs_amqp_put_ulong(b, 1);
	rs_amqp_put_ulong(b, 1ULL << 40);
	rs_amqp_array_end(b, a);
	a = rs_amqp_array_begin(b, RS_AMQP_T_BOOL);
	rs_amqp_put_bool(b, 1);
	rs_amqp_put_bool(b, 0);
	rs_amqp_array_end(b, a);
	a = rs_amqp_array_begin(b, RS_AMQP_T_DOUBLE);
	rs_amqp_put_double(b, 0.5);
	rs_amqp_array_end(b, a);
	a = rs_amqp_array_begin(b, RS_AMQP_T_UUID);
	rs_amqp_put_uuid(b, uuid_bytes);
	rs_amqp_array_end(b, a);
	a = rs_amqp_array_begin(b, RS_AMQP_T_LIST);
	in = rs_amqp_list_begin(b);
	rs_amqp_put_int(b, 1);
	rs_amqp_list_end(b, in);
	in = rs_amqp_list_begin(b);
	rs_amqp_list_end(b, in);
	rs_amqp_array_end(b, a);
	a = rs_amqp_array_begin(b, RS_AMQP_T_ARRAY);
	in = rs_amqp_array_begin(b, RS_AMQP_T_INT);
	rs_amqp_put_int(b, 1);
	rs_amqp_array_end(b, in);
	in = rs_amqp_array_begin(b, RS_AMQP_T_INT);
	rs_amqp_array_end(b, in);
	rs_amqp_array_end(b, a);
	a = rs_amqp_array_begin(b, RS_AMQP_T_MAP);
	in = rs_amqp_map_begin(b);
	str(b, "k");
	in2 = rs_amqp_list_begin(b);
	rs_amqp_list_end(b, in2);
	rs_amqp_map_end(b, in);
	rs_amqp_array_end(b, a);
	a = rs_amqp_array_begin(b, RS_AMQP_T_INT);
	rs_amqp_put_descriptor_sym(b, "x:y");
	rs_amqp_put_int(b, 1);
	rs_amqp_put_descriptor_sym(b, "x:y");
	rs_amqp_put_int(b, 1000);
	rs_amqp_array_end(b, a);
	rs_amqp_list_end(b, m);
}

static void
enc_described(struct rs_buf *b)
{
	size_t	 m, l;

	rs_amqp_put_section(b, RS_AMQP_VALUE);
	m = rs_amqp_list_begin(b);
	rs_amqp_put_descriptor(b, 0x1234);
	str(b, "v");
	rs_amqp_put_descriptor_sym(b, "x:t");
	l = rs_amqp_list_begin(b);
	rs_amqp_put_int(b, 1);
	rs_amqp_list_end(b, l);
	rs_amqp_put_descriptor(b, 1ULL << 40);
	rs_amqp_put_descriptor(b, 7);
	rs_amqp_put_null(b);
	rs_amqp_list_end(b, m);
}

static void
enc_value_string(struct rs_buf *b)
{
	rs_amqp_put_section(b, RS_AMQP_VALUE);
	str(b, "just a string");
}

static void
enc_data_multi(struct rs_buf *b)
{
	char	 big[400];

	memset(big, 'z', sizeof big);
	rs_amqp_put_message(b, NULL, "one", 3);
	rs_amqp_put_message(b, NULL, "", 0);
	rs_amqp_put_message(b, NULL, big, sizeof big);
}

static const struct {
	const char	*name;
	void		(*fn)(struct rs_buf *);
} encoders[] = {
	{ "data-hello", enc_data_hello },
	{ "data-empty", enc_data_empty },
	{ "data-300", enc_data_300 },
	{ "data-multi", enc_data_multi },
	{ "props-all", enc_props_all },
	{ "props-content-type", enc_props_content_type },
	{ "app-props", enc_app_props },
	{ "sections", enc_sections },
	{ "value-types", enc_value_types },
	{ "value-string", enc_value_string },
	{ "float-edges", enc_float_edges },
	{ "nested", enc_nested },
	{ "list32", enc_list32 },
	{ "map32", enc_map32 },
	{ "arrays", enc_arrays },
	{ "described", enc_described },
};

static int
usage(void)
{
	fputs("usage: amqp-tool decode FILE... | encode NAME | names\n",
	    stderr);
	return 2;
}

int
main(int argc, char **argv)
{
	struct rs_buf	 b;
	uint8_t		*rec;
	size_t		 i, n;
	int		 a;

	if (argc < 2)
		return usage();
	if (strcmp(argv[1], "names") == 0) {
		for (i = 0; i < sizeof encoders / sizeof encoders[0]; i++)
			puts(encoders[i].name);
		return 0;
	}
	if (strcmp(argv[1], "decode") == 0) {
		for (a = 2; a < argc; a++) {
			n = slurp(argv[a], &rec);
			printf("== %s\n", argv[a]);
			describe(stdout, rec, n);
			free(rec);
		}
		return fflush(stdout) == 0 ? 0 : 1;
	}
	if (strcmp(argv[1], "encode") != 0 || argc != 3)
		return usage();
	for (i = 0; i < sizeof encoders / sizeof encoders[0]; i++) {
		if (strcmp(argv[2], encoders[i].name) != 0)
			continue;
		rs_buf_init(&b);
		encoders[i].fn(&b);
		if (b.oom) {
			fprintf(stderr, "amqp-tool: %s: encoding failed\n",
			    argv[2]);
			return 1;
		}
		fwrite(b.data, 1, b.len, stdout);
		rs_buf_free(&b);
		return fflush(stdout) == 0 ? 0 : 1;
	}
	fprintf(stderr, "amqp-tool: no message %s\n", argv[2]);
	return 1;
}
