/*
 * outbox.c: the Publish frames of rstream-cat, kept until acknowledged
 * (outbox.h; PROTOCOL.adoc v3.10.8 "Publish").
 *
 * One buffer holds the frames in publishing order. Bytes before q.ready are
 * whole frames, for the connection to write; after it, the frame being
 * filled. A ring of (end, highest id) per frame says when a frame is wholly
 * acknowledged: publishing ids only grow, so rs_outbox_drop() forgets frames
 * from the front while their highest id is below the lowest id still
 * unacknowledged, and the buffer moves its live bytes down only once many
 * more are dead in front of them (COMPACT_MIN, COMPACT_MAX).
 *
 * A sub-entry batch is one message of the frame, with the publishing id of
 * its last record (batch.h builds it). A record too large for a batch even
 * alone (the batch header and the codec's worst case take more than a simple
 * entry's length) goes as a simple entry: the largest record is the same with
 * and without batching.
 *
 * With filter values (v2: Publish version 2, RabbitMQ 3.13+) every frame is
 * a version 2 frame, whose messages carry a filter value (or a null one)
 * between the publishing id and the entry; there are no batches then. The
 * walk counts the filter value as part of the entry, so frames are sent
 * again as they were.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "outbox.h"

/*
 * Move the live bytes down once the dead ones in front are at least 4 MiB
 * and 4 times as many (so moving copies a quarter of a byte per byte
 * published at most), or 8 MiB and as many (so the buffer stays within
 * twice what is kept and 8 MiB).
 */
#define COMPACT_MIN	(4u << 20)
#define COMPACT_MAX	(8u << 20)

/*
 * Set up an outbox of frames of up to frame_max bytes for publisher pubid,
 * with entries of sub_entry records compressed by codec, or (v2) Publish v2
 * frames with a filter value per message. 0, or -1 with errstr set.
 */
int
rs_outbox_init(struct rs_outbox *ob, uint32_t frame_max, uint8_t pubid,
    enum rs_codec codec, uint32_t sub_entry, int v2)
{
	memset(ob, 0, sizeof *ob);
	rs_buf_init(&ob->q.buf);
	ob->frame_max = frame_max;
	ob->pubid = pubid;
	ob->sub_entry = sub_entry > 1 ? sub_entry : 1;
	ob->v2 = v2;
	if (v2)
		ob->sub_entry = 1;
	if (rs_batch_init(&ob->batch, ob->sub_entry > 1 ? codec : RS_CODEC_NONE,
	    ob->sub_entry) == -1) {
		snprintf(ob->errstr, sizeof ob->errstr, "%s", ob->batch.errstr);
		return -1;
	}
	return 0;
}

void
rs_outbox_free(struct rs_outbox *ob)
{
	rs_batch_free(&ob->batch);
	rs_buf_free(&ob->q.buf);
	free(ob->frames);
	ob->frames = NULL;
}

/* The largest message (head and body, and filter value in v2) a frame can hold. */
size_t
rs_outbox_alone_max(const struct rs_outbox *ob)
{
	return ob->frame_max - RS_PUBLISH_HEADER - (ob->v2 ?
	    RS_PUBLISH_V2_PER_MSG : RS_PUBLISH_PER_MSG);
}

/* Bytes kept: sent and waiting for acknowledgement, or waiting to be sent. */
size_t
rs_outbox_kept(const struct rs_outbox *ob)
{
	return ob->q.buf.len - ob->front;
}

static void
begin_frame(struct rs_outbox *ob)
{
	ob->fstart = ob->v2 ? rs_frame_publish_v2_begin(&ob->q.buf, ob->pubid) :
	    rs_frame_publish_begin(&ob->q.buf, ob->pubid);
	ob->fcount = 0;
}

/* Remember a whole frame ending at end with highest id last. -1: out of memory. */
static int
push_frame(struct rs_outbox *ob, size_t end, uint64_t last)
{
	struct rs_outbox_frame	*f;
	size_t			 cap, i;

	if (ob->nframes == ob->capframes) {
		cap = ob->capframes ? 2 * ob->capframes : 64;
		if ((f = malloc(cap * sizeof *f)) == NULL)
			return -1;
		for (i = 0; i < ob->nframes; i++)
			f[i] = ob->frames[(ob->fhead + i) % ob->capframes];
		free(ob->frames);
		ob->frames = f;
		ob->capframes = cap;
		ob->fhead = 0;
	}
	f = &ob->frames[(ob->fhead + ob->nframes) % ob->capframes];
	f->end = end;
	f->last = last;
	ob->nframes++;
	return 0;
}

/* The frame being filled is whole: ready to send. 0, or -1 (out of memory). */
static int
end_frame(struct rs_outbox *ob, uint64_t last)
{
	struct rs_buf	*b = &ob->q.buf;

	if (ob->fcount == 0) {		/* an empty frame is never sent */
		b->len = ob->fstart;
		ob->fstart = 0;
		return 0;
	}
	rs_frame_publish_end(b, ob->fstart, ob->fcount);
	ob->fcount = 0;
	if (b->oom || push_frame(ob, b->len, last) == -1) {
		snprintf(ob->errstr, sizeof ob->errstr, "out of memory");
		return -1;
	}
	ob->q.ready = b->len;
	ob->fstart = b->len;
	return 0;
}

/* The batch open in the frame is whole: compress it, write its header and id. 0, or -1 with errstr set. */
static int
end_batch(struct rs_outbox *ob)
{
	ob->eopen = 0;
	if (rs_batch_end(&ob->batch) == -1) {
		snprintf(ob->errstr, sizeof ob->errstr, "%s", ob->batch.errstr);
		if (!ob->q.buf.oom)
			ob->q.buf.len = ob->estart;
		return -1;
	}
	rs_wire_w64(ob->q.buf.data + ob->estart, ob->elast);
	ob->fcount++;
	return 0;
}

/* Is a frame being filled? */
static int
frame_open(const struct rs_outbox *ob)
{
	return ob->q.buf.len > ob->q.ready;
}

/* Make room for need more bytes of frame: end the frame if they do not fit, open one if none is. */
static int
frame_room(struct rs_outbox *ob, size_t need, uint64_t last)
{
	if (frame_open(ob) &&
	    ob->q.buf.len - ob->fstart + need > ob->frame_max &&
	    end_frame(ob, last) == -1)
		return -1;
	if (!frame_open(ob))
		begin_frame(ob);
	return 0;
}

/*
 * Frame one message (head and body: h + n bytes, at most
 * rs_outbox_alone_max()) with publishing id id, above every id before it:
 * into the batch open, or a new entry. 1 if it began a new entry (a simple
 * entry or a batch), 0 if it joined the batch open, -1 with errstr set if
 * a batch could not be compressed or memory ran out.
 */
int
rs_outbox_add(struct rs_outbox *ob, uint64_t id, const uint8_t *head,
    size_t h, const uint8_t *body, size_t n)
{
	return rs_outbox_add_filtered(ob, id, NULL, 0, head, h, body, n);
}

/*
 * rs_outbox_add() with a filter value (filter, flen; NULL: none) for a v2
 * outbox; head, body and filter together at most rs_outbox_alone_max().
 */
int
rs_outbox_add_filtered(struct rs_outbox *ob, uint64_t id, const char *filter,
    size_t flen, const uint8_t *head, size_t h, const uint8_t *body, size_t n)
{
	struct rs_buf	*b = &ob->q.buf;
	uint64_t	 prev = ob->elast;
	size_t		 m = h + n, alone;

	if (ob->sub_entry > 1) {
		if (ob->eopen) {
			if (rs_batch_fits(&ob->batch, m, ob->frame_max -
			    (ob->estart + 8 - ob->fstart))) {
				rs_batch_add(&ob->batch, head, h, body, n);
				ob->elast = id;
				return 0;
			}
			if (end_batch(ob) == -1)
				return -1;
		}
		alone = 8 + rs_batch_entry_max(&ob->batch,
		    RS_BATCH_PER_RECORD + m);
		if (RS_PUBLISH_HEADER + alone <= ob->frame_max) {
			if (frame_room(ob, alone, prev) == -1)
				return -1;
			ob->estart = b->len;
			rs_buf_u64(b, 0);	/* the id of its last record, at the end */
			rs_batch_begin(&ob->batch, b);
			rs_batch_add(&ob->batch, head, h, body, n);
			ob->eopen = 1;
			ob->elast = id;
			return 1;
		}
		/* Too large for a batch even alone: a simple entry. */
	}
	if (ob->v2) {
		if (frame_room(ob, RS_PUBLISH_V2_PER_MSG + flen + m, prev) == -1)
			return -1;
		rs_frame_publish_v2_msg(b, id, filter, flen, (uint32_t)m);
		rs_buf_put(b, head, h);
		rs_buf_put(b, body, n);
		ob->fcount++;
		ob->elast = id;
		return 1;
	}
	if (frame_room(ob, RS_PUBLISH_PER_MSG + m, prev) == -1)
		return -1;
	rs_frame_publish_msg(b, id, (uint32_t)m);
	rs_buf_put(b, head, h);
	rs_buf_put(b, body, n);
	ob->fcount++;
	ob->elast = id;
	return 1;
}

/*
 * End the batch and the frame being filled, so that everything added is
 * ready to send. 0, or -1 with errstr set (the batch open could not be
 * compressed: its records are not in the outbox; or memory ran out).
 */
int
rs_outbox_close(struct rs_outbox *ob)
{
	uint64_t	 last = ob->elast;
	int		 rc = 0;

	if (ob->eopen && end_batch(ob) == -1)
		rc = -1;
	if (frame_open(ob) && end_frame(ob, last) == -1)
		rc = -1;
	return rc;
}

/*
 * Forget the frames whose messages all have ids below lowest (they are
 * acknowledged) and that are wholly written. Only between frames: call it
 * when rs_outbox_close() was the last call that added.
 */
void
rs_outbox_drop(struct rs_outbox *ob, uint64_t lowest)
{
	struct rs_outbox_frame	*f;
	size_t			 i, live;

	while (ob->nframes > 0) {
		f = &ob->frames[ob->fhead];
		if (f->last >= lowest || f->end > ob->q.sent)
			break;
		ob->front = f->end;
		ob->fhead = (ob->fhead + 1) % ob->capframes;
		ob->nframes--;
	}
	if (frame_open(ob) || ob->front == 0)
		return;
	live = ob->q.buf.len - ob->front;
	if (live == 0) {
		ob->q.buf.len = ob->q.sent = ob->q.ready = ob->front = 0;
		ob->fstart = 0;
		return;
	}
	if ((ob->front < COMPACT_MIN || ob->front / 4 < live) &&
	    (ob->front < COMPACT_MAX || ob->front < live))
		return;
	rs_buf_consume(&ob->q.buf, ob->front);
	ob->q.sent -= ob->front;
	ob->q.ready -= ob->front;
	ob->fstart = ob->q.buf.len;
	for (i = 0; i < ob->nframes; i++)
		ob->frames[(ob->fhead + i) % ob->capframes].end -= ob->front;
	ob->front = 0;
}

void
rs_outbox_walk_init(const struct rs_outbox *ob, struct rs_outbox_walk *w)
{
	memset(w, 0, sizeof *w);
	w->pos = w->fend = ob->front;
}

/*
 * The next entry kept, oldest first: its publishing id, and its bytes as
 * they follow the id in a Publish frame (a simple entry with its length, or
 * a whole batch; in v2 with the filter value before it). 1, or 0 after the
 * last whole frame.
 */
int
rs_outbox_walk(const struct rs_outbox *ob, struct rs_outbox_walk *w,
    uint64_t *id, const uint8_t **entry, size_t *len)
{
	const uint8_t	*p;

	while (w->left == 0) {
		if (w->frame == ob->nframes)
			return 0;
		w->pos = w->fend;
		w->fend = ob->frames[(ob->fhead + w->frame) % ob->capframes].end;
		w->left = rs_wire_r32(ob->q.buf.data + w->pos + 9);
		w->pos += RS_PUBLISH_HEADER;
		w->frame++;
	}
	p = ob->q.buf.data + w->pos;
	*id = rs_wire_r64(p);
	*entry = p + 8;
	if (ob->v2) {
		uint16_t	 fl = rs_wire_r16(p + 8);
		size_t		 skip = 2 + (fl == 0xffff ? 0 : fl);

		*len = skip + 4 + (rs_wire_r32(p + 8 + skip) & 0x7fffffff);
	} else if (p[8] & 0x80)
		*len = RS_BATCH_HEADER + rs_wire_r32(p + 8 + 7);
	else
		*len = 4 + (rs_wire_r32(p + 8) & 0x7fffffff);
	w->pos += 8 + *len;
	w->left--;
	return 1;
}

/* Everything whole counts as sent (after it was sent again another way). */
void
rs_outbox_sent_all(struct rs_outbox *ob)
{
	ob->q.sent = ob->q.ready;
}

/*
 * For a new connection: frame again, into out, each entry kept for which
 * keep(ud, id) is true, oldest first, in Publish frames of up to the frame
 * max; then everything whole counts as sent. How many records were framed.
 */
size_t
rs_outbox_resend(struct rs_outbox *ob, struct rs_buf *out,
    int (*keep)(void *, uint64_t), void *ud)
{
	struct rs_outbox_walk	 w;
	const uint8_t		*e;
	size_t			 len, flen = 0, fstart = 0, n = 0;
	uint64_t		 id;
	uint32_t		 fcount = 0;

	rs_outbox_walk_init(ob, &w);
	while (rs_outbox_walk(ob, &w, &id, &e, &len) == 1) {
		if (!keep(ud, id))
			continue;
		if (fcount > 0 && flen + 8 + len > ob->frame_max) {
			rs_frame_publish_end(out, fstart, fcount);
			fcount = 0;
		}
		if (fcount == 0) {
			fstart = ob->v2 ? rs_frame_publish_v2_begin(out,
			    ob->pubid) : rs_frame_publish_begin(out, ob->pubid);
			flen = RS_PUBLISH_HEADER;
		}
		rs_buf_u64(out, id);
		rs_buf_put(out, e, len);
		flen += 8 + len;
		fcount++;
		n += (!ob->v2 && (e[0] & 0x80)) ? rs_wire_r16(e + 1) : 1;
	}
	if (fcount > 0)
		rs_frame_publish_end(out, fstart, fcount);
	rs_outbox_sent_all(ob);
	return n;
}
