/*
 * amqpenc.c: encoding AMQP 1.0 values and messages (AMQP 1.0 part 1
 * section 1.6 "Type Encodings"; part 3 section 3.2 "Message Format").
 *
 * Each put appends one value to a struct rs_buf in its smallest encoding:
 * uint0/smalluint/uint, smallint/int, vbin8/vbin32 and so on. A compound is
 * written in two steps. Begin leaves a 9-byte placeholder (the 32-bit
 * constructor, size and count); end walks what was appended after it with
 * the decoder, counts the elements, and rewrites the header, in the 8-bit
 * form (list8, map8) when size and count fit a byte or as list0 when the
 * list is empty, moving the elements down. An array's elements are appended
 * as ordinary values and re-encoded by end under the one constructor they
 * must share (part 1 section 1.6.24: smalluint becomes uint, and a str8
 * becomes str32 when any element needs it).
 *
 * Errors use the buffer's sticky oom flag, so a caller checks once.
 */
#include "config.h"

#include <string.h>

#include "amqp.h"
#include "wire.h"

#define PLACEHOLDER	9	/* constructor, u32 size, u32 count */

/* Mark the buffer failed: a length or a compound that cannot be encoded. */
static void
fail(struct rs_buf *b)
{
	b->oom = 1;
}

/* A format code then w big-endian bytes of x. */
static void
put_fixed(struct rs_buf *b, uint8_t code, uint64_t x, size_t w)
{
	uint8_t	 t[9];
	size_t	 i;

	t[0] = code;
	for (i = 0; i < w; i++)
		t[1 + i] = (uint8_t)(x >> (8 * (w - 1 - i)));
	rs_buf_put(b, t, 1 + w);
}

/* A variable-width value: the 8-bit form up to 255 bytes, else 32-bit. */
static void
put_var(struct rs_buf *b, uint8_t code8, uint8_t code32, const void *p,
    size_t n)
{
	if (n <= 0xff)
		put_fixed(b, code8, n, 1);
	else if (n <= UINT32_MAX)
		put_fixed(b, code32, n, 4);
	else {
		fail(b);
		return;
	}
	rs_buf_put(b, p, n);
}

void
rs_amqp_put_null(struct rs_buf *b)
{
	rs_buf_u8(b, 0x40);
}

void
rs_amqp_put_bool(struct rs_buf *b, int v)
{
	rs_buf_u8(b, v ? 0x41 : 0x42);
}

void
rs_amqp_put_ubyte(struct rs_buf *b, uint8_t v)
{
	put_fixed(b, 0x50, v, 1);
}

void
rs_amqp_put_ushort(struct rs_buf *b, uint16_t v)
{
	put_fixed(b, 0x60, v, 2);
}

/* A uint as uint0, smalluint or uint. */
void
rs_amqp_put_uint(struct rs_buf *b, uint32_t v)
{
	if (v == 0)
		rs_buf_u8(b, 0x43);
	else if (v <= 0xff)
		put_fixed(b, 0x52, v, 1);
	else
		put_fixed(b, 0x70, v, 4);
}

/* A ulong as ulong0, smallulong or ulong. */
void
rs_amqp_put_ulong(struct rs_buf *b, uint64_t v)
{
	if (v == 0)
		rs_buf_u8(b, 0x44);
	else if (v <= 0xff)
		put_fixed(b, 0x53, v, 1);
	else
		put_fixed(b, 0x80, v, 8);
}

void
rs_amqp_put_byte(struct rs_buf *b, int8_t v)
{
	put_fixed(b, 0x51, (uint8_t)v, 1);
}

void
rs_amqp_put_short(struct rs_buf *b, int16_t v)
{
	put_fixed(b, 0x61, (uint16_t)v, 2);
}

/* An int as smallint when it fits a byte, else int. */
void
rs_amqp_put_int(struct rs_buf *b, int32_t v)
{
	if (v >= -128 && v <= 127)
		put_fixed(b, 0x54, (uint8_t)v, 1);
	else
		put_fixed(b, 0x71, (uint32_t)v, 4);
}

/* A long as smalllong when it fits a byte, else long. */
void
rs_amqp_put_long(struct rs_buf *b, int64_t v)
{
	if (v >= -128 && v <= 127)
		put_fixed(b, 0x55, (uint8_t)v, 1);
	else
		put_fixed(b, 0x81, (uint64_t)v, 8);
}

void
rs_amqp_put_float(struct rs_buf *b, float v)
{
	uint32_t	 u;

	memcpy(&u, &v, sizeof u);
	put_fixed(b, 0x72, u, 4);
}

void
rs_amqp_put_double(struct rs_buf *b, double v)
{
	uint64_t	 u;

	memcpy(&u, &v, sizeof u);
	put_fixed(b, 0x82, u, 8);
}

/* A decimal32 from its 4 bytes (IEEE 754 decimal32, big-endian). */
void
rs_amqp_put_decimal32(struct rs_buf *b, const uint8_t *p)
{
	rs_buf_u8(b, 0x74);
	rs_buf_put(b, p, 4);
}

/* A decimal64 from its 8 bytes. */
void
rs_amqp_put_decimal64(struct rs_buf *b, const uint8_t *p)
{
	rs_buf_u8(b, 0x84);
	rs_buf_put(b, p, 8);
}

/* A decimal128 from its 16 bytes. */
void
rs_amqp_put_decimal128(struct rs_buf *b, const uint8_t *p)
{
	rs_buf_u8(b, 0x94);
	rs_buf_put(b, p, 16);
}

/* A char: one code point, as UTF-32BE. */
void
rs_amqp_put_char(struct rs_buf *b, uint32_t c)
{
	put_fixed(b, 0x73, c, 4);
}

/* A timestamp: milliseconds since the Unix epoch. */
void
rs_amqp_put_timestamp(struct rs_buf *b, int64_t ms)
{
	put_fixed(b, 0x83, (uint64_t)ms, 8);
}

/* A uuid from its 16 bytes. */
void
rs_amqp_put_uuid(struct rs_buf *b, const uint8_t *p)
{
	rs_buf_u8(b, 0x98);
	rs_buf_put(b, p, 16);
}

void
rs_amqp_put_binary(struct rs_buf *b, const void *p, size_t n)
{
	put_var(b, 0xa0, 0xb0, p, n);
}

void
rs_amqp_put_string(struct rs_buf *b, const char *s, size_t n)
{
	put_var(b, 0xa1, 0xb1, s, n);
}

void
rs_amqp_put_symbol(struct rs_buf *b, const char *s, size_t n)
{
	put_var(b, 0xa3, 0xb3, s, n);
}

/* Start a described value with a numeric descriptor; the value follows. */
void
rs_amqp_put_descriptor(struct rs_buf *b, uint64_t code)
{
	rs_buf_u8(b, 0x00);
	rs_amqp_put_ulong(b, code);
}

/* Start a described value with a symbolic descriptor; the value follows. */
void
rs_amqp_put_descriptor_sym(struct rs_buf *b, const char *name)
{
	rs_buf_u8(b, 0x00);
	rs_amqp_put_symbol(b, name, strlen(name));
}

/* Start a section (00 53 code); its value follows. */
void
rs_amqp_put_section(struct rs_buf *b, enum rs_amqp_section code)
{
	uint8_t	 t[3] = { 0x00, 0x53, (uint8_t)code };

	rs_buf_put(b, t, sizeof t);
}

/* Leave a compound's placeholder: code32, then size and count (or aux). */
static size_t
begin(struct rs_buf *b, uint8_t code32, uint32_t aux)
{
	size_t	 mark = b->len;

	put_fixed(b, code32, aux, 4);
	rs_buf_u32(b, 0);
	return mark;
}

/* Does mark hold a placeholder with code32? */
static int
placeholder(struct rs_buf *b, size_t mark, uint8_t code32)
{
	if (b->oom)
		return 0;
	if (mark > b->len || b->len - mark < PLACEHOLDER ||
	    b->data[mark] != code32) {
		fail(b);
		return 0;
	}
	return 1;
}

/* Write a compound header, 8-bit form if small, at p; its length. */
static size_t
header(uint8_t *p, uint8_t code8, uint8_t code32, size_t n, size_t count)
{
	if (n + 1 <= 0xff && count <= 0xff) {
		p[0] = code8;
		p[1] = (uint8_t)(n + 1);
		p[2] = (uint8_t)count;
		return 3;
	}
	p[0] = code32;
	rs_wire_w32(p + 1, (uint32_t)(n + 4));
	rs_wire_w32(p + 5, (uint32_t)count);
	return PLACEHOLDER;
}

/*
 * Does the compound just ended at mark decode as a whole? Each element did
 * on its own; this catches nesting deeper than RS_AMQP_MAX_DEPTH.
 */
static int
nested_ok(struct rs_buf *b, size_t mark)
{
	struct rs_amqp_value	 v;

	if (b->oom || rs_amqp_decode(&v, b->data + mark, b->len - mark,
	    NULL) == -1) {
		fail(b);
		return -1;
	}
	return 0;
}

/* End a list or map begun at mark: count its elements, pick its form. */
static int
end(struct rs_buf *b, size_t mark, uint8_t code8, uint8_t code32)
{
	struct rs_amqp_value	 v;
	size_t			 start = mark + PLACEHOLDER, pos, used, n;
	size_t			 count = 0, h;

	if (!placeholder(b, mark, code32))
		return -1;
	for (pos = start; pos < b->len; pos += used, count++)
		if (rs_amqp_decode(&v, b->data + pos, b->len - pos,
		    &used) == -1)
			goto bad;
	n = b->len - start;
	if ((code32 == 0xd1 && count % 2 != 0) || n > UINT32_MAX - 4)
		goto bad;
	if (count == 0 && code32 == 0xd0) {
		b->data[mark] = 0x45;		/* list0 */
		b->len = mark + 1;
		return 0;
	}
	h = header(b->data + mark, code8, code32, n, count);
	memmove(b->data + mark + h, b->data + start, n);
	b->len = mark + h + n;
	return nested_ok(b, mark);
bad:
	fail(b);
	return -1;
}

/* Start a list; returns the mark to give rs_amqp_list_end(). */
size_t
rs_amqp_list_begin(struct rs_buf *b)
{
	return begin(b, 0xd0, 0);
}

/* End the list begun at mark; 0, or -1 (and oom set). */
int
rs_amqp_list_end(struct rs_buf *b, size_t mark)
{
	return end(b, mark, 0xc0, 0xd0);
}

/* Start a map; returns the mark to give rs_amqp_map_end(). */
size_t
rs_amqp_map_begin(struct rs_buf *b)
{
	return begin(b, 0xd1, 0);
}

/* End the map begun at mark (keys and values must pair up); 0 or -1. */
int
rs_amqp_map_end(struct rs_buf *b, size_t mark)
{
	return end(b, mark, 0xc1, 0xd1);
}

/* Start an array of type t; the type waits in the placeholder's size. */
size_t
rs_amqp_array_begin(struct rs_buf *b, enum rs_amqp_type t)
{
	return begin(b, 0xf0, (uint32_t)t);
}

/* The array element constructor for type t, wide or not; 0 if none. */
static uint8_t
array_code(enum rs_amqp_type t, int wide)
{
	static const uint8_t	 fixed[] = {
		[RS_AMQP_T_NULL] = 0x40, [RS_AMQP_T_BOOL] = 0x56,
		[RS_AMQP_T_UBYTE] = 0x50, [RS_AMQP_T_USHORT] = 0x60,
		[RS_AMQP_T_UINT] = 0x70, [RS_AMQP_T_ULONG] = 0x80,
		[RS_AMQP_T_BYTE] = 0x51, [RS_AMQP_T_SHORT] = 0x61,
		[RS_AMQP_T_INT] = 0x71, [RS_AMQP_T_LONG] = 0x81,
		[RS_AMQP_T_FLOAT] = 0x72, [RS_AMQP_T_DOUBLE] = 0x82,
		[RS_AMQP_T_DECIMAL32] = 0x74, [RS_AMQP_T_DECIMAL64] = 0x84,
		[RS_AMQP_T_DECIMAL128] = 0x94, [RS_AMQP_T_CHAR] = 0x73,
		[RS_AMQP_T_TIMESTAMP] = 0x83, [RS_AMQP_T_UUID] = 0x98,
		[RS_AMQP_T_BINARY] = 0xa0, [RS_AMQP_T_STRING] = 0xa1,
		[RS_AMQP_T_SYMBOL] = 0xa3, [RS_AMQP_T_LIST] = 0xc0,
		[RS_AMQP_T_MAP] = 0xc1, [RS_AMQP_T_ARRAY] = 0xe0,
	};

	if ((size_t)t >= sizeof fixed / sizeof fixed[0])
		return 0;
	if (t >= RS_AMQP_T_BINARY && wide)
		return fixed[t] + 0x10;
	return fixed[t];
}

/* Does v need the 32-bit form of its type to be an array element? */
static int
wide(const struct rs_amqp_value *v)
{
	switch (v->type) {
	case RS_AMQP_T_BINARY:
	case RS_AMQP_T_STRING:
	case RS_AMQP_T_SYMBOL:
		return v->n > 0xff;
	case RS_AMQP_T_LIST:
	case RS_AMQP_T_MAP:
		return v->n + 1 > 0xff || v->count > 0xff;
	case RS_AMQP_T_ARRAY:
		return v->ctorlen + v->n + 1 > 0xff || v->count > 0xff;
	default:
		return 0;
	}
}

/* Append the body of v as an array element with constructor code. */
static void
put_element(struct rs_buf *t, uint8_t code, const struct rs_amqp_value *v)
{
	uint32_t	 u;
	uint64_t	 x;

	switch (v->type) {
	case RS_AMQP_T_NULL:
		break;
	case RS_AMQP_T_BOOL:
	case RS_AMQP_T_UBYTE:
	case RS_AMQP_T_BYTE:
		rs_buf_u8(t, v->type == RS_AMQP_T_BOOL ? (uint8_t)v->s.b :
		    (uint8_t)v->s.u);
		break;
	case RS_AMQP_T_USHORT:
	case RS_AMQP_T_SHORT:
		rs_buf_u16(t, (uint16_t)v->s.u);
		break;
	case RS_AMQP_T_UINT:
	case RS_AMQP_T_INT:
	case RS_AMQP_T_CHAR:
		rs_buf_u32(t, (uint32_t)v->s.u);
		break;
	case RS_AMQP_T_ULONG:
	case RS_AMQP_T_LONG:
	case RS_AMQP_T_TIMESTAMP:
		rs_buf_u64(t, v->s.u);
		break;
	case RS_AMQP_T_FLOAT:
		memcpy(&u, &v->s.f, sizeof u);
		rs_buf_u32(t, u);
		break;
	case RS_AMQP_T_DOUBLE:
		memcpy(&x, &v->s.d, sizeof x);
		rs_buf_u64(t, x);
		break;
	case RS_AMQP_T_BINARY:
	case RS_AMQP_T_STRING:
	case RS_AMQP_T_SYMBOL:
		if (code & 0x10)
			rs_buf_u32(t, (uint32_t)v->n);
		else
			rs_buf_u8(t, (uint8_t)v->n);
		rs_buf_put(t, v->p, v->n);
		break;
	case RS_AMQP_T_LIST:
	case RS_AMQP_T_MAP:
	case RS_AMQP_T_ARRAY:
		/* size and count in the width the array's code says */
		if (code & 0x10) {
			rs_buf_u32(t, (uint32_t)(v->ctorlen + v->n + 4));
			rs_buf_u32(t, v->count);
		} else {
			rs_buf_u8(t, (uint8_t)(v->ctorlen + v->n + 1));
			rs_buf_u8(t, (uint8_t)v->count);
		}
		rs_buf_put(t, v->ctor, v->ctorlen);
		rs_buf_put(t, v->p, v->n);
		break;
	default:			/* decimals, uuid */
		rs_buf_put(t, v->p, v->n);
		break;
	}
}

/*
 * End the array begun at mark: every element (after its descriptors, which
 * must be the same for all) must have the array's type. 0 or -1.
 */
int
rs_amqp_array_end(struct rs_buf *b, size_t mark)
{
	struct rs_amqp_value	 v, d, in;
	struct rs_buf		 t;
	const uint8_t		*prefix = NULL;
	size_t			 start = mark + PLACEHOLDER, pos, used;
	size_t			 plen = 0, count, h, pass;
	uint8_t			 code = 0, hdr[PLACEHOLDER];
	enum rs_amqp_type	 type;
	int			 w = 0;

	if (!placeholder(b, mark, 0xf0))
		return -1;
	type = (enum rs_amqp_type)rs_wire_r32(b->data + mark + 1);
	rs_buf_init(&t);
	/* Pass 0 checks the elements and sizes them, pass 1 writes them. */
	for (pass = 0; pass < 2; pass++) {
		if (pass == 1) {
			if ((code = array_code(type, w)) == 0)
				goto bad;
			rs_buf_put(&t, prefix, plen);
			rs_buf_u8(&t, code);
		}
		for (count = 0, pos = start; pos < b->len; pos += used,
		    count++) {
			if (rs_amqp_decode(&v, b->data + pos, b->len - pos,
			    &used) == -1)
				goto bad;
			if (count == 0 && v.type == RS_AMQP_T_DESCRIBED) {
				prefix = v.ctor;
				plen = v.ctorlen - 1;
			}
			if (v.type == RS_AMQP_T_DESCRIBED ?
			    v.ctorlen - 1 != plen ||
			    memcmp(v.ctor, prefix, plen) != 0 : plen != 0)
				goto bad;
			while (v.type == RS_AMQP_T_DESCRIBED) {
				if (rs_amqp_described(&v, &d, &in) == -1)
					goto bad;
				v = in;
			}
			if (v.type != type)
				goto bad;
			if (pass == 0)
				w |= wide(&v);
			else
				put_element(&t, code, &v);
		}
	}
	if (t.oom || t.len > UINT32_MAX - 4 || count > UINT32_MAX)
		goto bad;
	h = header(hdr, 0xe0, 0xf0, t.len, count);
	b->len = mark;
	rs_buf_put(b, hdr, h);
	rs_buf_put(b, t.data, t.len);
	rs_buf_free(&t);
	return nested_ok(b, mark);
bad:
	rs_buf_free(&t);
	fail(b);
	return -1;
}

/* String property i of pr, or NULL (also for the three numbers). */
static const char *
prop_str(const struct rs_amqp_props *pr, int i)
{
	switch (i) {
	case RS_AMQP_P_MESSAGE_ID:		return pr->message_id;
	case RS_AMQP_P_USER_ID:			return pr->user_id;
	case RS_AMQP_P_TO:			return pr->to;
	case RS_AMQP_P_SUBJECT:			return pr->subject;
	case RS_AMQP_P_REPLY_TO:		return pr->reply_to;
	case RS_AMQP_P_CORRELATION_ID:		return pr->correlation_id;
	case RS_AMQP_P_CONTENT_TYPE:		return pr->content_type;
	case RS_AMQP_P_CONTENT_ENCODING:	return pr->content_encoding;
	case RS_AMQP_P_GROUP_ID:		return pr->group_id;
	case RS_AMQP_P_REPLY_TO_GROUP_ID:	return pr->reply_to_group_id;
	default:				return NULL;
	}
}

/* Is property i of pr present? */
static int
has_property(const struct rs_amqp_props *pr, int i)
{
	if (i == RS_AMQP_P_ABSOLUTE_EXPIRY_TIME ||
	    i == RS_AMQP_P_CREATION_TIME || i == RS_AMQP_P_GROUP_SEQUENCE)
		return (pr->have & (1U << i)) != 0;
	return prop_str(pr, i) != NULL;
}

/* Append the properties section, up to its last field present, if any. */
static void
put_properties(struct rs_buf *b, const struct rs_amqp_props *pr)
{
	const char	*s;
	size_t		 mark;
	int		 i, last = -1;

	for (i = 0; i < RS_AMQP_P_MAX; i++)
		if (has_property(pr, i))
			last = i;
	if (last == -1)
		return;
	rs_amqp_put_section(b, RS_AMQP_PROPERTIES);
	mark = rs_amqp_list_begin(b);
	for (i = 0; i <= last; i++) {
		s = prop_str(pr, i);
		if (!has_property(pr, i))
			rs_amqp_put_null(b);
		else if (i == RS_AMQP_P_USER_ID)
			rs_amqp_put_binary(b, s, pr->user_id_len > 0 ?
			    pr->user_id_len : strlen(s));
		else if (i == RS_AMQP_P_CONTENT_TYPE ||
		    i == RS_AMQP_P_CONTENT_ENCODING)
			rs_amqp_put_symbol(b, s, strlen(s));
		else if (i == RS_AMQP_P_ABSOLUTE_EXPIRY_TIME)
			rs_amqp_put_timestamp(b, pr->absolute_expiry_time);
		else if (i == RS_AMQP_P_CREATION_TIME)
			rs_amqp_put_timestamp(b, pr->creation_time);
		else if (i == RS_AMQP_P_GROUP_SEQUENCE)
			rs_amqp_put_uint(b, pr->group_sequence);
		else
			rs_amqp_put_string(b, s, strlen(s));
	}
	rs_amqp_list_end(b, mark);
}

/*
 * Append what goes before a body of len bytes: the properties and
 * application-properties sections pr asks for (pr may be NULL), then the
 * data section's header. The body's bytes follow.
 */
void
rs_amqp_put_message_head(struct rs_buf *b, const struct rs_amqp_props *pr,
    size_t len)
{
	uint8_t	 hdr[RS_AMQP_DATA_HEADER_MAX];
	size_t	 mark, i;

	if (pr != NULL) {
		put_properties(b, pr);
		if (pr->napp > 0) {
			rs_amqp_put_section(b, RS_AMQP_APPLICATION_PROPERTIES);
			mark = rs_amqp_map_begin(b);
			for (i = 0; i < pr->napp; i++) {
				rs_amqp_put_string(b, pr->app[i].key,
				    strlen(pr->app[i].key));
				if (pr->app[i].value == NULL)
					rs_amqp_put_null(b);
				else
					rs_amqp_put_string(b, pr->app[i].value,
					    strlen(pr->app[i].value));
			}
			rs_amqp_map_end(b, mark);
		}
	}
	if (len > UINT32_MAX) {
		fail(b);
		return;
	}
	rs_buf_put(b, hdr, rs_amqp_data_header(hdr, len));
}

/* Append a whole message: rs_amqp_put_message_head() and the body. */
void
rs_amqp_put_message(struct rs_buf *b, const struct rs_amqp_props *pr,
    const void *body, size_t len)
{
	rs_amqp_put_message_head(b, pr, len);
	rs_buf_put(b, body, len);
}
