/*
 * amqp.c: decoding AMQP 1.0 values and messages (AMQP 1.0 part 1 "Types",
 * section 1.6 "Type Encodings"; part 3 section 3.2 "Message Format").
 *
 * A value is a constructor then a body. The constructor is a format code,
 * or 0x00, a descriptor (itself a value) and a constructor: a described
 * value. The format code fixes the body's shape: a fixed width (0 to 16
 * bytes), a 1- or 4-byte length and that many bytes (binary, string,
 * symbol), or a 1- or 4-byte size and count then the elements (list, map;
 * an array's elements share one constructor written before them). The
 * table fmts[] below says which codes exist and their shape.
 *
 * rs_amqp_decode() checks a whole value: every length and count against
 * the bytes left (a count against the smallest its elements can take),
 * each compound's elements covering its size exactly, nesting at most
 * RS_AMQP_MAX_DEPTH deep. Walking a checked value (rs_amqp_iter_next,
 * rs_amqp_described) then checks only framing, so printing a tree is not
 * quadratic, and stays safe on a value built by hand. Nothing allocates:
 * values are slices of the record.
 *
 * The text form of a value is in amqptext.c, the encoder in amqpenc.c.
 *
 * A message (rs_amqp_parse) is the sections of part 3 section 3.2 in the
 * spec's order, each 0x00, a descriptor (ulong 0x70-0x78 in smallulong or
 * ulong form, or the symbol "amqp:header:list" and so on) and a value of
 * the section's type, covering the record exactly. The body is one or more
 * data sections, one or more amqp-sequence sections or one amqp-value.
 */
#include "config.h"

#include <string.h>

#include "amqp.h"
#include "wire.h"

/* The shape of a format code's body. */
enum {
	K_NONE = 0,	/* not a format code */
	K_FIXED,	/* width bytes */
	K_VAR,		/* a width-byte length, then that many bytes */
	K_COMPOUND	/* a width-byte size and count, then elements */
};

struct fmt {
	uint8_t	 type;
	uint8_t	 kind;
	uint8_t	 width;
};

static const struct fmt fmts[256] = {
	[0x40] = { RS_AMQP_T_NULL, K_FIXED, 0 },
	[0x41] = { RS_AMQP_T_BOOL, K_FIXED, 0 },		/* true */
	[0x42] = { RS_AMQP_T_BOOL, K_FIXED, 0 },		/* false */
	[0x56] = { RS_AMQP_T_BOOL, K_FIXED, 1 },
	[0x50] = { RS_AMQP_T_UBYTE, K_FIXED, 1 },
	[0x60] = { RS_AMQP_T_USHORT, K_FIXED, 2 },
	[0x70] = { RS_AMQP_T_UINT, K_FIXED, 4 },
	[0x52] = { RS_AMQP_T_UINT, K_FIXED, 1 },		/* smalluint */
	[0x43] = { RS_AMQP_T_UINT, K_FIXED, 0 },		/* uint0 */
	[0x80] = { RS_AMQP_T_ULONG, K_FIXED, 8 },
	[0x53] = { RS_AMQP_T_ULONG, K_FIXED, 1 },		/* smallulong */
	[0x44] = { RS_AMQP_T_ULONG, K_FIXED, 0 },		/* ulong0 */
	[0x51] = { RS_AMQP_T_BYTE, K_FIXED, 1 },
	[0x61] = { RS_AMQP_T_SHORT, K_FIXED, 2 },
	[0x71] = { RS_AMQP_T_INT, K_FIXED, 4 },
	[0x54] = { RS_AMQP_T_INT, K_FIXED, 1 },		/* smallint */
	[0x81] = { RS_AMQP_T_LONG, K_FIXED, 8 },
	[0x55] = { RS_AMQP_T_LONG, K_FIXED, 1 },		/* smalllong */
	[0x72] = { RS_AMQP_T_FLOAT, K_FIXED, 4 },
	[0x82] = { RS_AMQP_T_DOUBLE, K_FIXED, 8 },
	[0x74] = { RS_AMQP_T_DECIMAL32, K_FIXED, 4 },
	[0x84] = { RS_AMQP_T_DECIMAL64, K_FIXED, 8 },
	[0x94] = { RS_AMQP_T_DECIMAL128, K_FIXED, 16 },
	[0x73] = { RS_AMQP_T_CHAR, K_FIXED, 4 },
	[0x83] = { RS_AMQP_T_TIMESTAMP, K_FIXED, 8 },
	[0x98] = { RS_AMQP_T_UUID, K_FIXED, 16 },
	[0xa0] = { RS_AMQP_T_BINARY, K_VAR, 1 },
	[0xb0] = { RS_AMQP_T_BINARY, K_VAR, 4 },
	[0xa1] = { RS_AMQP_T_STRING, K_VAR, 1 },
	[0xb1] = { RS_AMQP_T_STRING, K_VAR, 4 },
	[0xa3] = { RS_AMQP_T_SYMBOL, K_VAR, 1 },
	[0xb3] = { RS_AMQP_T_SYMBOL, K_VAR, 4 },
	[0x45] = { RS_AMQP_T_LIST, K_FIXED, 0 },		/* list0 */
	[0xc0] = { RS_AMQP_T_LIST, K_COMPOUND, 1 },
	[0xd0] = { RS_AMQP_T_LIST, K_COMPOUND, 4 },
	[0xc1] = { RS_AMQP_T_MAP, K_COMPOUND, 1 },
	[0xd1] = { RS_AMQP_T_MAP, K_COMPOUND, 4 },
	[0xe0] = { RS_AMQP_T_ARRAY, K_COMPOUND, 1 },
	[0xf0] = { RS_AMQP_T_ARRAY, K_COMPOUND, 4 },
};

static const char *type_names[] = {
	"null", "bool", "ubyte", "ushort", "uint", "ulong", "byte", "short",
	"int", "long", "float", "double", "decimal32", "decimal64",
	"decimal128", "char", "timestamp", "uuid", "binary", "string",
	"symbol", "list", "map", "array", "described"
};

static const char *section_names[] = {
	"header", "delivery-annotations", "message-annotations", "properties",
	"application-properties", "data", "amqp-sequence", "amqp-value",
	"footer"
};

/* The symbolic descriptors of the sections (part 3 section 3.2). */
static const char *section_syms[] = {
	"amqp:header:list", "amqp:delivery-annotations:map",
	"amqp:message-annotations:map", "amqp:properties:list",
	"amqp:application-properties:map", "amqp:data:binary",
	"amqp:amqp-sequence:list", "amqp:amqp-value:*", "amqp:footer:map"
};

/* What each section's value must be; NULL means anything. */
static const enum rs_amqp_type section_types[] = {
	RS_AMQP_T_LIST, RS_AMQP_T_MAP, RS_AMQP_T_MAP, RS_AMQP_T_LIST,
	RS_AMQP_T_MAP, RS_AMQP_T_BINARY, RS_AMQP_T_LIST, RS_AMQP_T_NULL,
	RS_AMQP_T_MAP
};

static const char *header_names[] = {
	"durable", "priority", "ttl", "first-acquirer", "delivery-count"
};

static const char *property_names[] = {
	"message-id", "user-id", "to", "subject", "reply-to",
	"correlation-id", "content-type", "content-encoding",
	"absolute-expiry-time", "creation-time", "group-id", "group-sequence",
	"reply-to-group-id"
};

static int	decode(const uint8_t *, size_t, struct rs_amqp_value *,
		    size_t *, int, int);
static int	check_elements(const uint8_t *, size_t, uint32_t,
		    const uint8_t *, size_t, int);

/* The name of a type, as in the spec ("ubyte", "symbol", ...). */
const char *
rs_amqp_type_name(enum rs_amqp_type t)
{
	if ((size_t)t >= sizeof type_names / sizeof type_names[0])
		return "unknown";
	return type_names[t];
}

/* The spec's name of a section ("header", "amqp-value", ...), or NULL. */
const char *
rs_amqp_section_name(int code)
{
	if (code < RS_AMQP_HEADER || code > RS_AMQP_FOOTER)
		return NULL;
	return section_names[code - RS_AMQP_HEADER];
}

/* The spec's name of a header field, or NULL. */
const char *
rs_amqp_header_name(int i)
{
	if (i < 0 || i >= RS_AMQP_H_MAX)
		return NULL;
	return header_names[i];
}

/* The spec's name of a properties field, or NULL. */
const char *
rs_amqp_property_name(int i)
{
	if (i < 0 || i >= RS_AMQP_P_MAX)
		return NULL;
	return property_names[i];
}

/* A big-endian unsigned number of w (at most 8) bytes. */
static uint64_t
be(const uint8_t *p, size_t w)
{
	uint64_t	 x = 0;

	while (w-- > 0)
		x = (x << 8) | *p++;
	return x;
}

/*
 * Read a constructor (a format code, or 0x00 descriptor constructor) from
 * the len bytes at p: its length and final format code; 0 or -1.
 */
static int
read_ctor(const uint8_t *p, size_t len, size_t *ctorlen, uint8_t *code,
    int depth, int deep)
{
	struct rs_amqp_value	 d;
	size_t			 pos = 0, used;

	for (;;) {
		if (pos >= len)
			return -1;
		if (p[pos] != 0x00) {
			*code = p[pos];
			*ctorlen = pos + 1;
			return 0;
		}
		if (++depth > RS_AMQP_MAX_DEPTH)
			return -1;
		pos++;
		if (decode(p + pos, len - pos, &d, &used, depth, deep) == -1)
			return -1;
		pos += used;
	}
}


/*
 * Decode the body at p (len bytes available) of a value with format code
 * code into v; *used is the body's length. 0 or -1.
 */
static int
decode_body(uint8_t code, const uint8_t *p, size_t len,
    struct rs_amqp_value *v, size_t *used, int depth, int deep)
{
	const struct fmt	*f = &fmts[code];
	const struct fmt	*ef;
	size_t			 w = f->width, size, ctorlen;
	uint64_t		 x;
	uint8_t			 ecode;

	memset(v, 0, sizeof *v);
	v->type = f->type;
	v->code = code;
	if (depth > RS_AMQP_MAX_DEPTH)
		return -1;
	switch (f->kind) {
	case K_FIXED:
		if (len < w)
			return -1;
		*used = w;
		x = be(p, w);
		switch (v->type) {
		case RS_AMQP_T_BOOL:
			if (code == 0x56 && x > 1)
				return -1;
			v->s.b = code == 0x56 ? (int)x : code == 0x41;
			break;
		case RS_AMQP_T_BYTE:
		case RS_AMQP_T_SHORT:
		case RS_AMQP_T_INT:
		case RS_AMQP_T_LONG:
			if (w == 1)
				v->s.i = (int8_t)x;
			else if (w == 2)
				v->s.i = (int16_t)x;
			else if (w == 4)
				v->s.i = (int32_t)x;
			else
				v->s.i = (int64_t)x;
			break;
		case RS_AMQP_T_TIMESTAMP:
			v->s.i = (int64_t)x;
			break;
		case RS_AMQP_T_FLOAT: {
			uint32_t	 u = (uint32_t)x;

			memcpy(&v->s.f, &u, sizeof v->s.f);
			break;
		}
		case RS_AMQP_T_DOUBLE:
			memcpy(&v->s.d, &x, sizeof v->s.d);
			break;
		case RS_AMQP_T_DECIMAL32:
		case RS_AMQP_T_DECIMAL64:
		case RS_AMQP_T_DECIMAL128:
		case RS_AMQP_T_UUID:
		case RS_AMQP_T_LIST:		/* list0 */
			v->p = p;
			v->n = w;
			break;
		default:
			v->s.u = x;
			break;
		}
		return 0;
	case K_VAR:
		if (len < w || (v->n = be(p, w)) > len - w)
			return -1;
		v->p = p + w;
		*used = w + v->n;
		return 0;
	case K_COMPOUND:
		/* size, then count and elements in size bytes */
		if (len < w || (size = be(p, w)) > len - w || size < w)
			return -1;
		v->count = (uint32_t)be(p + w, w);
		v->p = p + 2 * w;
		v->n = size - w;
		*used = w + size;
		break;
	default:
		return -1;
	}

	if (v->type != RS_AMQP_T_ARRAY) {
		/* Every element takes a byte at least; a map pairs them. */
		if (v->count > v->n ||
		    (v->type == RS_AMQP_T_MAP && v->count % 2 != 0))
			return -1;
		if (deep && check_elements(v->p, v->n, v->count, NULL, 0,
		    depth + 1) == -1)
			return -1;
		return 0;
	}

	/* An array: the element constructor, then bodies of its shape. */
	if (read_ctor(v->p, v->n, &ctorlen, &ecode, depth, deep) == -1)
		return -1;
	v->ctor = v->p;
	v->ctorlen = ctorlen;
	v->p += ctorlen;
	v->n -= ctorlen;
	ef = &fmts[ecode];
	if (ef->kind == K_NONE)
		return -1;
	if (ef->kind == K_FIXED) {
		if ((uint64_t)v->count * ef->width != v->n)
			return -1;
		if (ef->width == 0)
			return 0;	/* nothing to look at */
	} else if (v->count > v->n / ef->width)
		return -1;
	if (deep && check_elements(v->p, v->n, v->count, v->ctor, ctorlen,
	    depth + 1) == -1)
		return -1;
	return 0;
}

/*
 * Decode a value whose constructor (ctorlen bytes at ctor) has been read
 * and whose body starts at body; *used is the body's length.
 */
static int
from_ctor(const uint8_t *ctor, size_t ctorlen, const uint8_t *body,
    size_t len, struct rs_amqp_value *v, size_t *used, int depth, int deep)
{
	struct rs_amqp_value	 inner;

	if (ctor[0] != 0x00)
		return decode_body(ctor[0], body, len, v, used, depth, deep);
	/* Described: the last format code of the chain shapes the body. */
	if (decode_body(ctor[ctorlen - 1], body, len, &inner, used,
	    depth + 1, deep) == -1)
		return -1;
	memset(v, 0, sizeof *v);
	v->type = RS_AMQP_T_DESCRIBED;
	v->ctor = ctor;
	v->ctorlen = ctorlen;
	v->p = body;
	v->n = *used;
	return 0;
}

/* Decode the value at p (len bytes available); *used is its length. */
static int
decode(const uint8_t *p, size_t len, struct rs_amqp_value *v, size_t *used,
    int depth, int deep)
{
	size_t	 ctorlen, n;
	uint8_t	 code;

	if (depth > RS_AMQP_MAX_DEPTH ||
	    read_ctor(p, len, &ctorlen, &code, depth, deep) == -1 ||
	    from_ctor(p, ctorlen, p + ctorlen, len - ctorlen, v, &n, depth,
	    deep) == -1)
		return -1;
	*used = ctorlen + n;
	return 0;
}

/*
 * Check n elements of a compound: each decoded (with the shared constructor
 * ctor if not NULL), together covering the len bytes at p exactly.
 */
static int
check_elements(const uint8_t *p, size_t len, uint32_t n, const uint8_t *ctor,
    size_t ctorlen, int depth)
{
	struct rs_amqp_value	 v;
	size_t			 used;
	int			 r;

	while (n-- > 0) {
		if (ctor != NULL)
			r = from_ctor(ctor, ctorlen, p, len, &v, &used, depth, 1);
		else
			r = decode(p, len, &v, &used, depth, 1);
		if (r == -1)
			return -1;
		p += used;
		len -= used;
	}
	return len == 0 ? 0 : -1;
}

/*
 * Decode and check the whole value at p (len bytes available). With used,
 * *used is its length; without, it must be exactly len bytes. 0 or -1.
 */
int
rs_amqp_decode(struct rs_amqp_value *v, const uint8_t *p, size_t len,
    size_t *used)
{
	size_t	 n;

	if (decode(p, len, v, &n, 0, 1) == -1 || (used == NULL && n != len)) {
		memset(v, 0, sizeof *v);
		return -1;
	}
	if (used != NULL)
		*used = n;
	return 0;
}

/* Split a described value into its descriptor and the value described. */
int
rs_amqp_described(const struct rs_amqp_value *v, struct rs_amqp_value *desc,
    struct rs_amqp_value *inner)
{
	size_t	 used, n;

	if (v->type != RS_AMQP_T_DESCRIBED || v->ctorlen < 2 ||
	    v->ctor[0] != 0x00 ||
	    decode(v->ctor + 1, v->ctorlen - 1, desc, &used, 0, 1) == -1 ||
	    used >= v->ctorlen - 1 ||
	    from_ctor(v->ctor + 1 + used, v->ctorlen - 1 - used, v->p, v->n,
	    inner, &n, 0, 0) == -1 || n != v->n)
		return -1;
	return 0;
}

/* Start a walk over a compound's elements; any other value has none. */
void
rs_amqp_iter_init(struct rs_amqp_iter *it, const struct rs_amqp_value *v)
{
	memset(it, 0, sizeof *it);
	if (v->type != RS_AMQP_T_LIST && v->type != RS_AMQP_T_MAP &&
	    v->type != RS_AMQP_T_ARRAY)
		return;
	it->p = v->p;
	it->left = v->n;
	it->count = v->count;
	if (v->type == RS_AMQP_T_ARRAY) {
		it->ctor = v->ctor;
		it->ctorlen = v->ctorlen;
	}
}

/* The next element: 1, 0 after the last, -1 if it does not fit. */
int
rs_amqp_iter_next(struct rs_amqp_iter *it, struct rs_amqp_value *v)
{
	size_t	 used;
	int	 r;

	if (it->count == 0)
		return 0;
	if (it->ctor != NULL && it->ctorlen > 0)
		r = from_ctor(it->ctor, it->ctorlen, it->p, it->left, v, &used,
		    0, 0);
	else
		r = decode(it->p, it->left, v, &used, 0, 0);
	if (r == -1) {
		it->count = 0;
		return -1;
	}
	it->p += used;
	it->left -= used;
	it->count--;
	return 1;
}

/* Is v a string or symbol holding exactly the C string s? */
int
rs_amqp_is_str(const struct rs_amqp_value *v, const char *s)
{
	size_t	 n = strlen(s);

	return (v->type == RS_AMQP_T_STRING || v->type == RS_AMQP_T_SYMBOL) &&
	    v->n == n && (n == 0 || memcmp(v->p, s, n) == 0);
}

/*
 * Look up the string or symbol key in a map: 1 with *out its value, 0 if
 * not there, -1 if the map is malformed.
 */
int
rs_amqp_map_find(const struct rs_amqp_value *map, const char *key,
    struct rs_amqp_value *out)
{
	struct rs_amqp_iter	 it;
	struct rs_amqp_value	 k, v;
	int			 r;

	if (map->type != RS_AMQP_T_MAP)
		return 0;
	rs_amqp_iter_init(&it, map);
	while ((r = rs_amqp_iter_next(&it, &k)) == 1) {
		if (rs_amqp_iter_next(&it, &v) != 1)
			return -1;
		if (rs_amqp_is_str(&k, key)) {
			*out = v;
			return 1;
		}
	}
	return r;
}

/*
 * Write the data-section header for a body of len bytes into p (room for
 * RS_AMQP_DATA_HEADER_MAX bytes); returns the bytes written.
 */
size_t
rs_amqp_data_header(uint8_t *p, size_t len)
{
	p[0] = 0x00;
	p[1] = 0x53;
	p[2] = RS_AMQP_DATA;
	if (len <= 0xff) {
		p[3] = 0xa0;
		p[4] = (uint8_t)len;
		return 5;
	}
	p[3] = 0xb0;
	rs_wire_w32(p + 4, (uint32_t)len);
	return 8;
}

/*
 * Read the section at *pos: its code (0x70-0x78) and value, which must have
 * the section's type. 0 or -1.
 */
static int
read_section(const uint8_t *rec, size_t len, size_t *pos, int *code,
    struct rs_amqp_value *v, int deep)
{
	struct rs_amqp_value	 d;
	size_t			 at = *pos, used;
	int			 i;

	if (at >= len || rec[at] != 0x00)
		return -1;
	at++;
	if (decode(rec + at, len - at, &d, &used, 0, deep) == -1)
		return -1;
	at += used;
	*code = -1;
	if (d.type == RS_AMQP_T_ULONG && d.s.u >= RS_AMQP_HEADER &&
	    d.s.u <= RS_AMQP_FOOTER)
		*code = (int)d.s.u;
	else if (d.type == RS_AMQP_T_SYMBOL) {
		for (i = 0; i <= RS_AMQP_FOOTER - RS_AMQP_HEADER; i++)
			if (rs_amqp_is_str(&d, section_syms[i]))
				*code = RS_AMQP_HEADER + i;
	}
	/* The value nests as deep as it could alone (the encoder checks). */
	if (*code == -1 ||
	    decode(rec + at, len - at, v, &used, 0, deep) == -1)
		return -1;
	i = *code - RS_AMQP_HEADER;
	if (section_types[i] != RS_AMQP_T_NULL && v->type != section_types[i])
		return -1;
	*pos = at + used;
	return 0;
}

/* Copy the first max elements of a list into fields. */
static void
list_fields(const struct rs_amqp_value *list, struct rs_amqp_value *fields,
    int max)
{
	struct rs_amqp_iter	 it;
	int			 i;

	rs_amqp_iter_init(&it, list);
	for (i = 0; i < max; i++)
		if (rs_amqp_iter_next(&it, &fields[i]) != 1)
			break;
}

/* Where a section may come: header first, footer last, body in between. */
static int
section_rank(int code)
{
	if (code >= RS_AMQP_DATA && code <= RS_AMQP_VALUE)
		return RS_AMQP_DATA;
	return code;
}

/*
 * Is this record exactly one data section (what rstream-cat writes)? Then
 * *p and *n are its bytes: the common case, read without a parse.
 */
int
rs_amqp_lone_data(const uint8_t *rec, size_t len, const uint8_t **p,
    size_t *n)
{
	if (len < 5 || rec[0] != 0x00 || rec[1] != 0x53 || rec[2] != 0x75)
		return 0;
	if (rec[3] == 0xa0 && (size_t)rec[4] + 5 == len) {
		*p = rec + 5, *n = len - 5;
		return 1;
	}
	if (rec[3] == 0xb0 && len >= 8 &&
	    (size_t)rs_wire_r32(rec + 4) + 8 == len) {
		*p = rec + 8, *n = len - 8;
		return 1;
	}
	return 0;
}

/*
 * Is this record an AMQP 1.0 message? 1 if it is a non-empty sequence of
 * sections covering it exactly, in the spec's order (m then describes it),
 * 0 if not (print it raw).
 */
int
rs_amqp_parse(struct rs_amqp_msg *m, const uint8_t *rec, size_t len)
{
	struct rs_amqp_value	 v;
	size_t			 pos = 0;
	int			 code, rank, last = 0;

	memset(m, 0, sizeof *m);
	m->rec = rec;
	m->len = len;
	while (pos < len) {
		if (read_section(rec, len, &pos, &code, &v, 1) == -1)
			goto not_amqp;
		rank = section_rank(code);
		/* Only data and amqp-sequence may repeat, not mixed. */
		if (rank < last || (rank == last && (code != m->body ||
		    code == RS_AMQP_VALUE)))
			goto not_amqp;
		last = rank;
		m->sections |= 1U << (code - RS_AMQP_HEADER);
		switch (code) {
		case RS_AMQP_HEADER:
			list_fields(&v, m->header, RS_AMQP_H_MAX);
			break;
		case RS_AMQP_DELIVERY_ANNOTATIONS:
			m->delivery_annotations = v;
			break;
		case RS_AMQP_MESSAGE_ANNOTATIONS:
			m->message_annotations = v;
			break;
		case RS_AMQP_PROPERTIES:
			list_fields(&v, m->properties, RS_AMQP_P_MAX);
			break;
		case RS_AMQP_APPLICATION_PROPERTIES:
			m->application_properties = v;
			break;
		case RS_AMQP_VALUE:
			m->value = v;
			/* FALLTHROUGH */
		case RS_AMQP_DATA:
		case RS_AMQP_SEQUENCE:
			m->body = code;
			m->nbody++;
			break;
		case RS_AMQP_FOOTER:
			m->footer = v;
			break;
		}
	}
	if (len > 0)
		return 1;
not_amqp:
	memset(m, 0, sizeof *m);
	m->rec = rec;
	m->len = len;
	return 0;
}

/*
 * The section at *pos of a parsed message (start with *pos = 0): 1 with its
 * code and value, 0 after the last, -1 if malformed.
 */
int
rs_amqp_section_next(const struct rs_amqp_msg *m, size_t *pos, int *code,
    struct rs_amqp_value *v)
{
	if (*pos >= m->len)
		return 0;
	if (read_section(m->rec, m->len, pos, code, v, 0) == -1) {
		*pos = m->len;
		return -1;
	}
	return 1;
}
