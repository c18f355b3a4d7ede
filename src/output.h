/*
 * output.h: a delivered record as bytes for stdout. Pure: appends to a
 * buffer the caller writes.
 *
 * An AMQP 1.0 message prints its body (data sections back to back, or an
 * amqp-value's string or text form); any other record prints as it is.
 * Framings, each the inverse of an rstream-cat input framing:
 *	RS_OUTPUT_DELIM	the body, then the delimiter (newline by default)
 *	RS_OUTPUT_BE32	a 4-byte big-endian length, then the body
 *	RS_OUTPUT_RAW	bodies back to back, nothing between them
 */
#ifndef RS_OUTPUT_H
#define RS_OUTPUT_H

#include <stddef.h>
#include <stdint.h>

#include "wire.h"

enum rs_output_framing {
	RS_OUTPUT_DELIM,
	RS_OUTPUT_BE32,
	RS_OUTPUT_RAW
};

struct rs_output {
	enum rs_output_framing	 framing;
	const char		*delim;
	size_t			 delim_len;
};

void	rs_output_init(struct rs_output *, const char *, size_t);
void	rs_output_record(const struct rs_output *, struct rs_buf *,
	    const uint8_t *, size_t);
void	rs_output_body(struct rs_buf *, const uint8_t *, size_t);

#endif
