/*
 * fuzz-amqp.c: a record through rs_amqp_parse() and the body walk, and
 * through rs_output_record(), which is what rstream-tail prints; then
 * through the value decoder: the record as one value (its text form, each
 * described value split), every section's value and the message's fields.
 * A value that decodes is encoded again with the encoding API and must
 * decode to the same text: the decoder and encoder agree on every shape
 * the fuzzer finds. Last, the check rstream-tail --filter makes of each
 * record (filter.c).
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "amqp.h"
#include "filter.h"
#include "fuzz.h"
#include "format.h"
#include "jsonout.h"
#include "output.h"
#include "wire.h"

#define TEXT_MAX	(1 << 16)

static int	reencode(struct rs_buf *, const struct rs_amqp_value *, int);

/* Encode the elements of a compound again; -1 if v is malformed. */
static int
reencode_elements(struct rs_buf *b, const struct rs_amqp_value *v, int depth)
{
	struct rs_amqp_iter	 it;
	struct rs_amqp_value	 e;
	int			 r;

	rs_amqp_iter_init(&it, v);
	while ((r = rs_amqp_iter_next(&it, &e)) == 1)
		if (reencode(b, &e, depth + 1) == -1)
			return -1;
	return r;
}

/* The type an array's elements have, after any descriptors. */
static enum rs_amqp_type
element_type(const struct rs_amqp_value *v)
{
	struct rs_amqp_iter	 it;
	struct rs_amqp_value	 e, d, in;

	rs_amqp_iter_init(&it, v);
	if (rs_amqp_iter_next(&it, &e) != 1)
		return RS_AMQP_T_NULL;		/* empty: any type will do */
	while (e.type == RS_AMQP_T_DESCRIBED && rs_amqp_described(&e, &d,
	    &in) == 0)
		e = in;
	return e.type;
}

/* Append v with the encoding API; -1 if v is malformed or too big. */
static int
reencode(struct rs_buf *b, const struct rs_amqp_value *v, int depth)
{
	struct rs_amqp_value	 d, in;
	size_t			 m;
	int			 r;

	if (depth > 4 * RS_AMQP_MAX_DEPTH)
		return -1;
	switch (v->type) {
	case RS_AMQP_T_NULL: rs_amqp_put_null(b); break;
	case RS_AMQP_T_BOOL: rs_amqp_put_bool(b, v->s.b); break;
	case RS_AMQP_T_UBYTE: rs_amqp_put_ubyte(b, (uint8_t)v->s.u); break;
	case RS_AMQP_T_USHORT: rs_amqp_put_ushort(b, (uint16_t)v->s.u); break;
	case RS_AMQP_T_UINT: rs_amqp_put_uint(b, (uint32_t)v->s.u); break;
	case RS_AMQP_T_ULONG: rs_amqp_put_ulong(b, v->s.u); break;
	case RS_AMQP_T_BYTE: rs_amqp_put_byte(b, (int8_t)v->s.i); break;
	case RS_AMQP_T_SHORT: rs_amqp_put_short(b, (int16_t)v->s.i); break;
	case RS_AMQP_T_INT: rs_amqp_put_int(b, (int32_t)v->s.i); break;
	case RS_AMQP_T_LONG: rs_amqp_put_long(b, v->s.i); break;
	case RS_AMQP_T_FLOAT: rs_amqp_put_float(b, v->s.f); break;
	case RS_AMQP_T_DOUBLE: rs_amqp_put_double(b, v->s.d); break;
	case RS_AMQP_T_DECIMAL32: rs_amqp_put_decimal32(b, v->p); break;
	case RS_AMQP_T_DECIMAL64: rs_amqp_put_decimal64(b, v->p); break;
	case RS_AMQP_T_DECIMAL128: rs_amqp_put_decimal128(b, v->p); break;
	case RS_AMQP_T_CHAR: rs_amqp_put_char(b, (uint32_t)v->s.u); break;
	case RS_AMQP_T_TIMESTAMP: rs_amqp_put_timestamp(b, v->s.i); break;
	case RS_AMQP_T_UUID: rs_amqp_put_uuid(b, v->p); break;
	case RS_AMQP_T_BINARY: rs_amqp_put_binary(b, v->p, v->n); break;
	case RS_AMQP_T_STRING:
		rs_amqp_put_string(b, (const char *)v->p, v->n);
		break;
	case RS_AMQP_T_SYMBOL:
		rs_amqp_put_symbol(b, (const char *)v->p, v->n);
		break;
	case RS_AMQP_T_LIST:
	case RS_AMQP_T_MAP:
		m = v->type == RS_AMQP_T_LIST ? rs_amqp_list_begin(b) :
		    rs_amqp_map_begin(b);
		if (reencode_elements(b, v, depth) == -1)
			return -1;
		r = v->type == RS_AMQP_T_LIST ? rs_amqp_list_end(b, m) :
		    rs_amqp_map_end(b, m);
		return r;
	case RS_AMQP_T_ARRAY:
		/* 2^32-1 nulls fit in 10 bytes: too many to write again. */
		if (v->n == 0 && v->count > 4096)
			return -1;
		m = rs_amqp_array_begin(b, element_type(v));
		if (reencode_elements(b, v, depth) == -1)
			return -1;
		return rs_amqp_array_end(b, m);
	case RS_AMQP_T_DESCRIBED:
		if (rs_amqp_described(v, &d, &in) == -1)
			return -1;
		rs_buf_u8(b, 0x00);
		if (reencode(b, &d, depth + 1) == -1)
			return -1;
		return reencode(b, &in, depth + 1);
	}
	return 0;
}

/* The text of v and of v encoded again must be the same. */
static void
round_trip(const struct rs_amqp_value *v)
{
	struct rs_amqp_value	 again;
	struct rs_buf		 b, t1, t2;
	int			 r1, r2;

	rs_buf_init(&b);
	rs_buf_init(&t1);
	rs_buf_init(&t2);
	r1 = rs_amqp_text(&t1, v, TEXT_MAX);
	if (r1 != -1 && reencode(&b, v, 0) == 0) {
		if (b.oom || rs_amqp_decode(&again, b.data, b.len, NULL) == -1)
			abort();	/* ours, encoded by us, refused */
		r2 = rs_amqp_text(&t2, &again, TEXT_MAX);
		if (r1 != r2 || t1.len != t2.len ||
		    (t1.len > 0 && memcmp(t1.data, t2.data, t1.len) != 0))
			abort();	/* not the same value */
	}
	rs_buf_free(&b);
	rs_buf_free(&t1);
	rs_buf_free(&t2);
}

static struct rs_format	fmt;
static int		fmt_ready;
static char		ferr[64];

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct rs_record_meta	 meta = { "s", 1, 1795608000000LL, 0 };
	struct rs_amqp_msg	 m;
	struct rs_amqp_value	 v;
	struct rs_output	 o;
	struct rs_buf		 b;
	const uint8_t		*p;
	size_t			 n, total = 0, pos = 0, used;
	int			 code, i;

	if (rs_amqp_parse(&m, data, size)) {
		while (rs_amqp_body_next(&m, &p, &n) == 1)
			total += n;
		rs_buf_init(&b);
		while (rs_amqp_section_next(&m, &pos, &code, &v) == 1) {
			rs_amqp_text(&b, &v, TEXT_MAX);
			round_trip(&v);
		}
		for (i = 0; i < RS_AMQP_H_MAX; i++)
			rs_amqp_text(&b, &m.header[i], 64);
		for (i = 0; i < RS_AMQP_P_MAX; i++)
			rs_amqp_text(&b, &m.properties[i], 64);
		rs_amqp_map_find(&m.message_annotations, "x-routing-key", &v);
		rs_amqp_map_find(&m.application_properties, "k", &v);
		rs_buf_free(&b);
	}
	{
		static struct rs_filter	 f = { { "eu", "us" }, 2, 0, { "" },
					    { NULL } };

		f.match_unfiltered = !f.match_unfiltered;
		rs_filter_match(&f, data, size);
	}
	rs_output_init(&o, "\n", 1);
	rs_buf_init(&b);
	rs_output_record(&o, &b, data, size);
	/* What rstream-tail -J and --format print for it. */
	rs_jsonout_record(&b, &meta, data, size);
	if (!fmt_ready) {
		rs_format_compile(&fmt, "%o %T %I %s %S %R %t %h %{k}h\\n",
		    ferr, sizeof ferr);
		fmt_ready = 1;
	}
	rs_format_record(&fmt, &b, &meta, data, size);
	rs_buf_free(&b);

	if (rs_amqp_decode(&v, data, size, &used) == 0)
		round_trip(&v);
	(void)total;
	return 0;
}
