/*
 * output.h: a delivered record as bytes for stdout. Pure: appends to a
 * buffer the caller writes.
 *
 * An AMQP 1.0 message prints its body (data sections back to back, or an
 * amqp-value's string or text form); any other record prints as it is. Each
 * is followed by the record delimiter.
 */
#ifndef RS_OUTPUT_H
#define RS_OUTPUT_H

#include <stddef.h>
#include <stdint.h>

#include "wire.h"

struct rs_output {
	const char	*delim;
	size_t		 delim_len;
};

void	rs_output_init(struct rs_output *, const char *, size_t);
void	rs_output_record(const struct rs_output *, struct rs_buf *,
	    const uint8_t *, size_t);

#endif
