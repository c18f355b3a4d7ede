/*
 * amqp.h: AMQP 1.0 messages as stream records (AMQP 1.0 part 3, "Messaging",
 * section 3.2; type encodings from part 1). Pure: no I/O.
 *
 * Encoding writes the one data section rstream-cat wraps each record in.
 * Decoding tells whether a record is an AMQP 1.0 message at all (a sequence
 * of sections that covers it exactly) and walks its body: data sections,
 * amqp-sequence or amqp-value. Slices point into the record.
 */
#ifndef RS_AMQP_H
#define RS_AMQP_H

#include <stddef.h>
#include <stdint.h>

#define RS_AMQP_DATA_HEADER_MAX	8	/* 00 53 75 b0 + u32 length */

/* Sections (descriptor codes 0x70-0x78). */
enum rs_amqp_section {
	RS_AMQP_HEADER = 0x70,
	RS_AMQP_DELIVERY_ANNOTATIONS,
	RS_AMQP_MESSAGE_ANNOTATIONS,
	RS_AMQP_PROPERTIES,
	RS_AMQP_APPLICATION_PROPERTIES,
	RS_AMQP_DATA,
	RS_AMQP_SEQUENCE,
	RS_AMQP_VALUE,
	RS_AMQP_FOOTER
};

struct rs_amqp_msg {
	const uint8_t	*rec;
	size_t		 len;
	size_t		 pos;		/* body walk position */
	char		 text[64];	/* text form of a scalar amqp-value */
};

size_t	rs_amqp_data_header(uint8_t *, size_t);
int	rs_amqp_parse(struct rs_amqp_msg *, const uint8_t *, size_t);
int	rs_amqp_body_next(struct rs_amqp_msg *, const uint8_t **, size_t *);

#endif
