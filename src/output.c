/*
 * output.c: record formatting for rstream-tail.
 */
#include "config.h"

#include "amqp.h"
#include "output.h"

void
rs_output_init(struct rs_output *o, const char *delim, size_t len)
{
	o->delim = delim;
	o->delim_len = len;
}

/* Append the printable form of one record and the delimiter to out. */
void
rs_output_record(const struct rs_output *o, struct rs_buf *out,
    const uint8_t *rec, size_t len)
{
	struct rs_amqp_msg	 m;
	const uint8_t		*p;
	size_t			 n;

	if (rs_amqp_parse(&m, rec, len)) {
		while (rs_amqp_body_next(&m, &p, &n) == 1)
			rs_buf_put(out, p, n);
	} else
		rs_buf_put(out, rec, len);
	rs_buf_put(out, o->delim, o->delim_len);
}
