/*
 * jsonout.c: a record as one line of JSON (rstream-tail -J, rstream-cat
 * --dry-run), and the inverse's contract (rstream-cat -J reads it back).
 *
 *	{"stream":S,"offset":N,"timestamp":MS,		(or "record":N)
 *	 "body":B[,"body_encoding":"base64"][,"format":"raw"|"amqp-value"|"amqp-sequence"],
 *	 "properties":{...},"application_properties":{...},
 *	 "message_annotations":{...}}
 *
 * The body is a string when it is valid UTF-8, else base64 with
 * "body_encoding":"base64". A record that is not an AMQP 1.0 message is
 * written whole as the body with "format":"raw"; an amqp-value or
 * amqp-sequence body is written as a JSON value with its format named.
 * Property names are the spec's with '_' for '-' (content_type). AMQP values
 * map to JSON as: null, booleans, numbers (integers exact; timestamps in
 * ms; NaN and infinities as strings), strings and symbols as strings,
 * binary as base64 strings, uuid as 8-4-4-4-12, decimals and chars as
 * strings, lists and arrays as arrays, maps as objects (keys that are not
 * strings take their text form), described values as
 * {"descriptor":d,"value":v}. Every string goes through rs_json_str(), or
 * rs_json_utf8_str() (bytes of unknown make: checked and escaped in one
 * pass), so the line is valid JSON whatever the bytes.
 */
#include "config.h"

#include <inttypes.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "amqp.h"
#include "json.h"
#include "jsonout.h"

/*
 * A bound on one record's JSON: an array of elements that take no bytes
 * may claim 2^32-1 of them in ten bytes. Past it, compounds are closed
 * early (the line stays valid JSON) and "truncated":true is added. Such an
 * array's elements are all the same: the JSON of the first is copied for
 * the others (repeat()), not decoded and printed per element.
 */
#define JSON_MAX	(4u << 20)

struct out {
	struct rs_buf	*b;
	size_t		 limit;		/* the buffer length not to pass */
	int		 truncated;
};

static void	value(struct out *, const struct rs_amqp_value *, int);

/* A string the line needs as is: a macro, so a literal's length is a constant. */
#define put_s(b, s)	rs_buf_put((b), (s), strlen(s))

/* Bytes as a JSON string: themselves if UTF-8, else base64. */
static void
bytes(struct rs_buf *b, const uint8_t *p, size_t n)
{
	if (!rs_json_utf8_str(b, p, n))
		rs_json_base64(b, p, n);
}

static void
number(struct rs_buf *b, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static void
number(struct rs_buf *b, const char *fmt, ...)
{
	char	 t[64];
	va_list	 ap;
	int	 n;

	va_start(ap, fmt);
	n = vsnprintf(t, sizeof t, fmt, ap);
	va_end(ap);
	if (n > 0)
		rs_buf_put(b, t, (size_t)n < sizeof t ? (size_t)n : sizeof t - 1);
}

/* Integers by hand: printf is most of the cost of a short record's line. */
static void
u64(struct rs_buf *b, uint64_t v)
{
	static const char	 pairs[] =
	    "00010203040506070809101112131415161718192021222324"
	    "25262728293031323334353637383940414243444546474849"
	    "50515253545556575859606162636465666768697071727374"
	    "75767778798081828384858687888990919293949596979899";
	char			 t[20], *e = t + sizeof t, *q = e;

	while (v >= 100) {
		q -= 2;
		memcpy(q, pairs + v % 100 * 2, 2);
		v /= 100;
	}
	if (v >= 10) {
		q -= 2;
		memcpy(q, pairs + v * 2, 2);
	} else
		*--q = (char)('0' + v);
	rs_buf_put(b, q, (size_t)(e - q));
}

static void
i64(struct rs_buf *b, int64_t v)
{
	if (v < 0) {
		rs_buf_u8(b, '-');
		u64(b, (uint64_t)0 - (uint64_t)v);
	} else
		u64(b, (uint64_t)v);
}

static void
real(struct rs_buf *b, double d)
{
	if (isnan(d))
		put_s(b, "\"NaN\"");
	else if (isinf(d))
		put_s(b, d > 0 ? "\"Infinity\"" : "\"-Infinity\"");
	else
		number(b, "%.17g", d);
}

/* A map key: a string, or the text form of any other value, quoted. */
static void
key(struct rs_buf *b, const struct rs_amqp_value *k)
{
	char	 t[256];
	size_t	 n;

	if (k->type == RS_AMQP_T_STRING || k->type == RS_AMQP_T_SYMBOL) {
		bytes(b, k->p, k->n);
		return;
	}
	if (rs_amqp_text_fixed(t, sizeof t, k, &n) == -1)
		n = 0;
	bytes(b, (const uint8_t *)t, n);
}

/*
 * After the first element of an array whose elements take no bytes (its
 * JSON from mark on): write "," and that JSON for the n others, as the walk
 * would (one more while the line is within its limit), in blocks of copies.
 * -1 if the JSON is too long to repeat so: the caller walks on.
 */
static int
repeat(struct out *o, size_t mark, uint32_t n)
{
	struct rs_buf	*b = o->b;
	char		 block[RS_AMQP_REPEAT_BLOCK];
	size_t		 unit = 1 + b->len - mark, k, fit, m;

	if (b->oom || (k = rs_amqp_repeat_block(block, sizeof block,
	    b->data + mark, unit - 1)) == 0)
		return -1;
	/* The walk adds an element while the line is within its limit. */
	fit = b->len > o->limit ? 0 : (o->limit - b->len) / unit + 1;
	if (fit < n)
		o->truncated = 1;
	else
		fit = n;
	while (fit > 0) {
		m = fit < k ? fit : k;
		rs_buf_put(b, block, m * unit);
		fit -= m;
	}
	return 0;
}

static void
compound(struct out *o, const struct rs_amqp_value *v, int depth)
{
	struct rs_buf		*b = o->b;
	struct rs_amqp_iter	 it;
	struct rs_amqp_value	 k, e;
	size_t			 mark;
	int			 first = 1, map = v->type == RS_AMQP_T_MAP;

	rs_buf_u8(b, map ? '{' : '[');
	rs_amqp_iter_init(&it, v);
	while (rs_amqp_iter_next(&it, &k) == 1) {
		if (b->len > o->limit) {
			o->truncated = 1;
			break;
		}
		if (!first)
			rs_buf_u8(b, ',');
		if (!map) {
			mark = b->len;
			value(o, &k, depth + 1);
			/* No bytes per element: the others are the same. */
			if (first && v->type == RS_AMQP_T_ARRAY && v->n == 0 &&
			    repeat(o, mark, it.count) == 0)
				break;
			first = 0;
			continue;
		}
		first = 0;
		key(b, &k);
		rs_buf_u8(b, ':');
		if (rs_amqp_iter_next(&it, &e) == 1)
			value(o, &e, depth + 1);
		else
			put_s(b, "null");
	}
	rs_buf_u8(b, map ? '}' : ']');
}

/* Any AMQP value as JSON. */
static void
value(struct out *o, const struct rs_amqp_value *v, int depth)
{
	struct rs_buf		*b = o->b;
	struct rs_amqp_value	 d, x;
	char			 t[64];
	size_t			 n;

	if (depth > RS_AMQP_MAX_DEPTH) {
		put_s(b, "null");
		return;
	}
	switch (v->type) {
	case RS_AMQP_T_NULL:
		put_s(b, "null");
		break;
	case RS_AMQP_T_BOOL:
		put_s(b, v->s.b ? "true" : "false");
		break;
	case RS_AMQP_T_UBYTE: case RS_AMQP_T_USHORT: case RS_AMQP_T_UINT:
	case RS_AMQP_T_ULONG:
		u64(b, v->s.u);
		break;
	case RS_AMQP_T_BYTE: case RS_AMQP_T_SHORT: case RS_AMQP_T_INT:
	case RS_AMQP_T_LONG: case RS_AMQP_T_TIMESTAMP:
		i64(b, v->s.i);
		break;
	case RS_AMQP_T_FLOAT:
		real(b, v->s.f);
		break;
	case RS_AMQP_T_DOUBLE:
		real(b, v->s.d);
		break;
	case RS_AMQP_T_STRING: case RS_AMQP_T_SYMBOL:
		bytes(b, v->p, v->n);
		break;
	case RS_AMQP_T_BINARY:
		rs_json_base64(b, v->p, v->n);
		break;
	case RS_AMQP_T_LIST: case RS_AMQP_T_MAP: case RS_AMQP_T_ARRAY:
		compound(o, v, depth);
		break;
	case RS_AMQP_T_DESCRIBED:
		if (rs_amqp_described(v, &d, &x) == -1) {
			put_s(b, "null");
			break;
		}
		put_s(b, "{\"descriptor\":");
		value(o, &d, depth + 1);
		put_s(b, ",\"value\":");
		value(o, &x, depth + 1);
		rs_buf_u8(b, '}');
		break;
	default:	/* char, uuid, decimals: their text form, quoted */
		if (rs_amqp_text_fixed(t, sizeof t, v, &n) == -1)
			n = 0;
		bytes(b, (const uint8_t *)t, n);
		break;
	}
}

/* The properties present, as an object with '_' names. */
static void
properties(struct out *o, const struct rs_amqp_msg *m)
{
	struct rs_buf	*b = o->b;
	const char	*name;
	char		 nm[32];
	size_t		 i, j;
	int		 first = 1;

	put_s(b, ",\"properties\":{");
	for (i = 0; i < RS_AMQP_P_MAX; i++) {
		if (m->properties[i].type == RS_AMQP_T_NULL)
			continue;
		name = rs_amqp_property_name((int)i);
		for (j = 0; name[j] != '\0' && j + 1 < sizeof nm; j++)
			nm[j] = name[j] == '-' ? '_' : name[j];
		nm[j] = '\0';
		if (!first)
			rs_buf_u8(b, ',');
		first = 0;
		rs_json_cstr(b, nm);
		rs_buf_u8(b, ':');
		value(o, &m->properties[i], 0);
	}
	rs_buf_u8(b, '}');
}

/* A map section under its key (",\"name\":", written as is). */
static void
map_field(struct out *o, const char *key, const struct rs_amqp_value *v)
{
	put_s(o->b, key);
	if (v->type == RS_AMQP_T_MAP)
		compound(o, v, 0);
	else
		put_s(o->b, "{}");
}

/* A body of bytes: a string if UTF-8, else base64, and then it says so. */
static void
body_bytes(struct rs_buf *b, const uint8_t *p, size_t n)
{
	put_s(b, ",\"body\":");
	if (!rs_json_utf8_str(b, p, n)) {
		rs_json_base64(b, p, n);
		put_s(b, ",\"body_encoding\":\"base64\"");
	}
}

/* The body: data sections as bytes, or an amqp-value / amqp-sequence as JSON. */
static void
body(struct out *o, struct rs_amqp_msg *m)
{
	struct rs_buf		*b = o->b;
	struct rs_buf		 all;
	struct rs_amqp_value	 v;
	const uint8_t		*p = (const uint8_t *)"", *p2;
	char			 text[sizeof m->text];
	size_t			 n = 0, n2, pos = 0;
	int			 code, first = 1;

	if (m->body == RS_AMQP_VALUE) {
		put_s(b, ",\"body\":");
		value(o, &m->value, 0);
		put_s(b, ",\"format\":\"amqp-value\"");
		return;
	}
	if (m->body == RS_AMQP_SEQUENCE) {
		put_s(b, ",\"body\":[");
		while (rs_amqp_section_next(m, &pos, &code, &v) == 1) {
			if (code != RS_AMQP_SEQUENCE)
				continue;
			if (!first)
				rs_buf_u8(b, ',');
			first = 0;
			value(o, &v, 0);
		}
		put_s(b, "],\"format\":\"amqp-sequence\"");
		return;
	}
	/* Usually one section, written from where it lies; several are joined. */
	rs_buf_init(&all);
	if (rs_amqp_body_next(m, &p, &n) == 1 && p == (uint8_t *)m->text) {
		memcpy(text, p, n);	/* the next call may write m->text */
		p = (const uint8_t *)text;
	}
	if (rs_amqp_body_next(m, &p2, &n2) == 1) {
		rs_buf_put(&all, p, n);
		do
			rs_buf_put(&all, p2, n2);
		while (rs_amqp_body_next(m, &p2, &n2) == 1);
		n = all.len;
		if (n > 0)
			p = all.data;
	}
	body_bytes(b, p, n);
	rs_buf_free(&all);
}

/* Append one record as a JSON line (newline included). */
void
rs_jsonout_record(struct rs_buf *b, const struct rs_record_meta *meta,
    const uint8_t *rec, size_t len)
{
	struct rs_amqp_msg	 m;
	struct out		 o = { b, b->len + JSON_MAX, 0 };
	const uint8_t		*p;
	size_t			 n;

	put_s(b, "{\"stream\":");
	rs_json_cstr(b, meta->stream);
	if (meta->is_record) {
		put_s(b, ",\"record\":");
		u64(b, meta->offset);
	} else {
		put_s(b, ",\"offset\":");
		u64(b, meta->offset);
		put_s(b, ",\"timestamp\":");
		i64(b, meta->timestamp);
	}
	if (rs_amqp_lone_data(rec, len, &p, &n)) {	/* no parse needed */
		body_bytes(b, p, n);
		put_s(b, ",\"properties\":{},\"application_properties\":{},"
		    "\"message_annotations\":{}}\n");
		return;
	}
	if (!rs_amqp_parse(&m, rec, len)) {
		body_bytes(b, rec, len);
		put_s(b, ",\"format\":\"raw\"}\n");
		return;
	}
	body(&o, &m);
	properties(&o, &m);
	map_field(&o, ",\"application_properties\":",
	    &m.application_properties);
	map_field(&o, ",\"message_annotations\":", &m.message_annotations);
	if (o.truncated)
		put_s(b, ",\"truncated\":true");
	put_s(b, "}\n");
}
