/*
 * batch.c: build the sub-entry batches rstream-cat publishes with
 * --sub-entry-size (the layout is in batch.h).
 *
 * A batch is bounded by the room its caller gives (what is left of the
 * Publish frame) and by its record count. A compressed batch is bounded by
 * the codec's worst case (rs_codec_bound), not by what it will compress to,
 * so it always fits where it was promised to: compressing never has to be
 * undone or retried. That costs nothing on text, whose batches reach the
 * record count long before the bound.
 */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include "batch.h"

/* Set up a builder of batches of up to max_count records compressed with codec. 0, or -1 (out of memory). */
int
rs_batch_init(struct rs_batch *b, enum rs_codec codec, uint32_t max_count)
{
	memset(b, 0, sizeof *b);
	b->codec = codec;
	b->max_count = max_count == 0 ? 1 : max_count > RS_BATCH_MAX ?
	    RS_BATCH_MAX : max_count;
	rs_buf_init(&b->raw);
	if (codec != RS_CODEC_NONE && (b->ctx = rs_codec_ctx_new()) == NULL) {
		snprintf(b->errstr, sizeof b->errstr, "out of memory");
		return -1;
	}
	return 0;
}

void
rs_batch_free(struct rs_batch *b)
{
	if (b->ctx != NULL)
		rs_codec_ctx_free(b->ctx);
	b->ctx = NULL;
	rs_buf_free(&b->raw);
}

/* The most bytes a whole entry holding ulen bytes of records (length prefixes included) can take. */
size_t
rs_batch_entry_max(const struct rs_batch *b, size_t ulen)
{
	if (b->codec == RS_CODEC_NONE)
		return RS_BATCH_HEADER + ulen;
	return RS_BATCH_HEADER + rs_codec_bound(b->codec, ulen);
}

/* Start a batch at the end of out; it stays empty until rs_batch_add(). */
void
rs_batch_begin(struct rs_batch *b, struct rs_buf *out)
{
	static const uint8_t	 zero[RS_BATCH_HEADER];

	b->out = out;
	b->start = out->len;
	b->count = 0;
	b->ulen = 0;
	b->raw.len = 0;
	if (b->codec == RS_CODEC_NONE)
		rs_buf_put(out, zero, sizeof zero);	/* patched at the end */
}

/*
 * Would one more message of msglen bytes keep the batch within its record
 * count, and the whole entry within room bytes? 1 if so.
 */
int
rs_batch_fits(const struct rs_batch *b, size_t msglen, size_t room)
{
	if (b->count >= b->max_count || msglen > UINT32_MAX - RS_BATCH_PER_RECORD ||
	    b->ulen + RS_BATCH_PER_RECORD + msglen > UINT32_MAX)
		return 0;
	return rs_batch_entry_max(b, b->ulen + RS_BATCH_PER_RECORD + msglen) <=
	    room;
}

/* Append one message, its head then its body; the caller checked rs_batch_fits(). */
void
rs_batch_add(struct rs_batch *b, const uint8_t *head, size_t h,
    const uint8_t *body, size_t n)
{
	struct rs_buf	*dst = b->codec == RS_CODEC_NONE ? b->out : &b->raw;

	rs_buf_u32(dst, (uint32_t)(h + n));
	rs_buf_put(dst, head, h);
	rs_buf_put(dst, body, n);
	b->count++;
	b->ulen += RS_BATCH_PER_RECORD + h + n;
}

/*
 * Finish the batch: compress it (when asked) and write its header. 0, with
 * the entry in out from start on; -1 with errstr set if compressing failed
 * or memory ran out (out is then as it was at rs_batch_begin()).
 */
int
rs_batch_end(struct rs_batch *b)
{
	struct rs_buf	*out = b->out;
	size_t		 cap, clen;
	uint8_t		*h;

	if (b->codec != RS_CODEC_NONE && !b->raw.oom && !out->oom) {
		cap = rs_codec_bound(b->codec, b->ulen);
		if (rs_buf_reserve(out, RS_BATCH_HEADER + cap) == 0 &&
		    rs_codec_compress(b->ctx, b->codec, b->raw.data, b->ulen,
		    out->data + b->start + RS_BATCH_HEADER, cap, &clen,
		    b->errstr, sizeof b->errstr) == -1) {
			out->len = b->start;
			return -1;
		}
		if (!out->oom)
			out->len = b->start + RS_BATCH_HEADER + clen;
	} else
		clen = b->ulen;
	if (out->oom || b->raw.oom) {
		snprintf(b->errstr, sizeof b->errstr, "out of memory");
		if (!out->oom)
			out->len = b->start;
		return -1;
	}
	h = out->data + b->start;
	h[0] = (uint8_t)(0x80 | (unsigned)b->codec << 4);
	rs_wire_w16(h + 1, (uint16_t)b->count);
	rs_wire_w32(h + 3, (uint32_t)b->ulen);
	rs_wire_w32(h + 7, (uint32_t)clen);
	return 0;
}
