/*
 * output.c: record formatting for rstream-tail.
 */
#include "config.h"

#include "amqp.h"
#include "output.h"

/* Delimited output (delim of len bytes); set framing afterwards for the others. */
void
rs_output_init(struct rs_output *o, const char *delim, size_t len)
{
	o->framing = RS_OUTPUT_DELIM;
	o->delim = delim;
	o->delim_len = len;
}

#define TEXT_MAX	(1u << 20)	/* bound on the text form of a value body */

/*
 * Append the body of a record: an AMQP message's data sections back to
 * back, the text form of its amqp-value or amqp-sequence (amqp.h), or, for
 * a record that is not an AMQP message, the record itself. The text of an
 * amqp-sequence body is bounded as a whole, not per section: a section of
 * a dozen bytes can hold an array of 2^32-1 nulls, and a record holds many.
 */
void
rs_output_body(struct rs_buf *out, const uint8_t *rec, size_t len)
{
	struct rs_amqp_msg	 m;
	struct rs_amqp_value	 v;
	const uint8_t		*p;
	size_t			 n, pos = 0, start = out->len;
	int			 code, first = 1;

	if (rs_amqp_lone_data(rec, len, &p, &n)) {
		rs_buf_put(out, p, n);
		return;
	}
	if (!rs_amqp_parse(&m, rec, len)) {
		rs_buf_put(out, rec, len);
		return;
	}
	switch (m.body) {
	case RS_AMQP_VALUE:
		rs_amqp_text(out, &m.value, TEXT_MAX);
		break;
	case RS_AMQP_SEQUENCE:
		while (rs_amqp_section_next(&m, &pos, &code, &v) == 1) {
			if (code != RS_AMQP_SEQUENCE)
				continue;
			if (out->len - start >= TEXT_MAX)
				break;
			if (!first)
				rs_buf_u8(out, ',');
			first = 0;
			rs_amqp_text(out, &v, TEXT_MAX - (out->len - start));
		}
		break;
	default:
		while (rs_amqp_body_next(&m, &p, &n) == 1)
			rs_buf_put(out, p, n);
		break;
	}
}

/* Append the printable form of one record, framed, to out. */
void
rs_output_record(const struct rs_output *o, struct rs_buf *out,
    const uint8_t *rec, size_t len)
{
	size_t	 start = out->len;

	if (o->framing == RS_OUTPUT_BE32)
		rs_buf_u32(out, 0);
	rs_output_body(out, rec, len);
	switch (o->framing) {
	case RS_OUTPUT_BE32:
		if (!out->oom)
			rs_wire_w32(out->data + start,
			    (uint32_t)(out->len - start - 4));
		break;
	case RS_OUTPUT_DELIM:
		rs_buf_put(out, o->delim, o->delim_len);
		break;
	default:
		break;
	}
}
