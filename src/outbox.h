/*
 * outbox.h: rstream-cat's Publish frames, from the moment a message is
 * framed until the broker has acknowledged it (PROTOCOL.adoc v3.10.8
 * "Publish": publisher id, message count, then per message a publishing id
 * and a simple entry, or a sub-entry batch, batch.h).
 *
 * Each message is written once, here, and the connection writes the frames
 * from here (struct rs_outq, conn.h): the same bytes serve to send and, on a
 * new connection, to send again what is unacknowledged; nothing is copied
 * a second time on the way. Frames are filled up to the frame max; with
 * sub_entry > 1 consecutive messages share one entry, a batch of up to that
 * many records, whose publishing id is the id of its last message.
 *
 *	rs_outbox_add(ob, id, head, h, body, n);	as many as there are
 *	(rs_outbox_add_filtered(): the same with a filter value, Publish v2)
 *	rs_outbox_close(ob);			the frames are ready to send
 *	rs_outbox_drop(ob, lowest id not acknowledged);
 *	rs_outbox_resend(ob, out, keep, ud);	after a reconnection
 *
 * Pure: no I/O.
 */
#ifndef RS_OUTBOX_H
#define RS_OUTBOX_H

#include <stddef.h>
#include <stdint.h>

#include "batch.h"
#include "frame.h"

struct rs_outbox_frame {
	size_t		 end;		/* index in q.buf just past the frame */
	uint64_t	 last;		/* the frame's highest publishing id */
};

struct rs_outbox {
	struct rs_outq		 q;		/* the frames; the connection's view */
	uint32_t		 frame_max;
	uint8_t			 pubid;
	uint32_t		 sub_entry;	/* records per entry; 1: simple entries */
	int			 v2;		/* Publish v2: a filter value per message */
	struct rs_batch		 batch;

	/* The frame being filled, and the batch open in it. */
	size_t			 fstart;
	uint32_t		 fcount;
	size_t			 estart;	/* where the batch's publishing id goes */
	int			 eopen;
	uint64_t		 elast;		/* the id of its last message */

	/* Whole frames not yet dropped, oldest first: a ring. */
	struct rs_outbox_frame	*frames;
	size_t			 fhead;
	size_t			 nframes;
	size_t			 capframes;
	size_t			 front;		/* q.buf index of the oldest frame kept */
	char			 errstr[200];
};

/* A walk over the entries kept (rs_outbox_walk). */
struct rs_outbox_walk {
	size_t		 pos;		/* q.buf index */
	size_t		 fend;		/* end of the frame pos is in */
	uint32_t	 left;		/* entries left in that frame */
	size_t		 frame;		/* frames walked */
};

int	rs_outbox_init(struct rs_outbox *, uint32_t, uint8_t, enum rs_codec,
	    uint32_t, int);
void	rs_outbox_free(struct rs_outbox *);
size_t	rs_outbox_alone_max(const struct rs_outbox *);
int	rs_outbox_add(struct rs_outbox *, uint64_t, const uint8_t *, size_t,
	    const uint8_t *, size_t);
int	rs_outbox_add_filtered(struct rs_outbox *, uint64_t, const char *,
	    size_t, const uint8_t *, size_t, const uint8_t *, size_t);
int	rs_outbox_close(struct rs_outbox *);
void	rs_outbox_drop(struct rs_outbox *, uint64_t);
size_t	rs_outbox_kept(const struct rs_outbox *);
void	rs_outbox_walk_init(const struct rs_outbox *, struct rs_outbox_walk *);
int	rs_outbox_walk(const struct rs_outbox *, struct rs_outbox_walk *,
	    uint64_t *, const uint8_t **, size_t *);
void	rs_outbox_sent_all(struct rs_outbox *);
size_t	rs_outbox_resend(struct rs_outbox *, struct rs_buf *,
	    int (*)(void *, uint64_t), void *);

#endif
