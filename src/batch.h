/*
 * batch.h: a sub-entry batch, as the message of a Publish frame carries it
 * (PROTOCOL.adoc v3.10.8 "Publish" and "Deliver": a message is a publishing
 * id and either a simple entry or a sub-entry batch; the layout is the one
 * RabbitMQ's clients write, rabbitmq-stream-java-client Client.java
 * OutboundMessageBatchWriteCallback, and osiris stores unchanged):
 *
 *	u8	1 << 7 (a sub-entry batch) | compression << 4 (codec.h), low 4 bits 0
 *	u16	number of records
 *	u32	length of the records uncompressed
 *	u32	length of the data that follows
 *	data	the records, each a u32 length then the message, compressed as a
 *		whole (rs_codec_compress; as they are with RS_CODEC_NONE)
 *
 * Pure: no I/O. Messages are appended as a head and a body (message.h), so a
 * body goes from the input buffer straight into the entry: with no
 * compression, into the caller's buffer (the Publish frame) with no copy in
 * between; compressed, into a buffer of the batch's that is compressed
 * straight into the caller's at the end.
 *
 *	rs_batch_begin(b, out);
 *	while (rs_batch_fits(b, h + n, room))
 *		rs_batch_add(b, head, h, body, n);
 *	rs_batch_end(b);		the entry is out->data[b->start, out->len)
 */
#ifndef RS_BATCH_H
#define RS_BATCH_H

#include <stddef.h>
#include <stdint.h>

#include "codec.h"
#include "wire.h"

#define RS_BATCH_HEADER		11	/* type and codec, count, two lengths */
#define RS_BATCH_PER_RECORD	4	/* a record's length */
#define RS_BATCH_MAX		65535	/* records: the count is a u16 */

struct rs_batch {
	enum rs_codec		 codec;
	struct rs_codec_ctx	*ctx;		/* NULL with RS_CODEC_NONE */
	uint32_t		 max_count;	/* records per batch, 1..65535 */
	struct rs_buf		 raw;		/* compressed: the records as they are */
	struct rs_buf		*out;		/* the entry goes here */
	size_t			 start;		/* its first byte in out */
	uint32_t		 count;		/* records in it so far */
	size_t			 ulen;		/* their bytes, length prefixes included */
	char			 errstr[160];
};

int	rs_batch_init(struct rs_batch *, enum rs_codec, uint32_t);
void	rs_batch_free(struct rs_batch *);
size_t	rs_batch_entry_max(const struct rs_batch *, size_t);
void	rs_batch_begin(struct rs_batch *, struct rs_buf *);
int	rs_batch_fits(const struct rs_batch *, size_t, size_t);
void	rs_batch_add(struct rs_batch *, const uint8_t *, size_t,
	    const uint8_t *, size_t);
int	rs_batch_end(struct rs_batch *);

#endif
