/*
 * pubflow.c: the flow of records in rstream-cat's publisher (publisher.c):
 * read from the input files (source.c), framed into records (input.c),
 * encoded as messages (message.c) into Publish frames (outbox.c), sent
 * within the bounds on what is in flight, or printed by --dry-run; and the
 * end of the run once the input is over and everything is acknowledged.
 *
 * Frames are filled up to the negotiated frame max; what is framed is sent
 * as soon as the input has nothing more to give at once (or after
 * --linger), so slow sources are not delayed. Reading pauses while
 * max_in_flight records are unacknowledged, the outbox keeps too much or
 * the socket is backed up, so memory stays bounded whatever the input;
 * rs_pubflow_resume() reads on once confirms or a drained socket make room.
 *
 * publisher.c drives this file (the connection, declaring, confirms,
 * recovery, signals) and this file never calls publisher.c: what both need
 * (the record counts, stopping and finishing the run) lives here.
 */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include <unistd.h>

#include "filter.h"
#include "frame.h"
#include "proto.h"
#include "pubflow.h"

#define OUT_HIGH	(8u << 20)	/* pause input above this much unsent output */
#define KEPT_HIGH	(8u << 20)	/* pause input above this much unconfirmed data */
#define READS_PER_WAKE	64

/* say(x, fn, fmt, ...): a line through fn (cfg.log or cfg.warn), if set. */
#define say(x, fn, ...)	rs_say((fn), (x)->cfg.log_ud, __VA_ARGS__)

static void	input_step(void *);

/* Records taken from the input so far. */
uint64_t
rs_pubflow_read(const struct rs_publisher *p)
{
	return p->in_ready ? p->in.recno : 0;
}

/* Records taken but neither acknowledged nor skipped. */
uint64_t
rs_pubflow_unconfirmed(const struct rs_publisher *p)
{
	return rs_pubflow_read(p) + 1 - p->acks.base;
}

/* Stop everything: the run is over (err says whether it failed). */
void
rs_pubflow_stop(struct rs_publisher *p)
{
	rs_source_close(&p->src);
	rs_timer_stop(p->linger_timer);
	rs_timer_stop(p->confirm_timer);
	rs_timer_stop(p->retry_timer);
	rs_loop_break(p->loop);
}

/* Close politely once nothing is in flight and no more input will come. */
void
rs_pubflow_finish(struct rs_publisher *p)
{
	if (!p->input_done || p->closing || p->conn == NULL)
		return;
	if (rs_pubflow_unconfirmed(p) > 0) {
		if (p->cfg.confirm_timeout > 0)
			rs_timer_set(p->confirm_timer, p->cfg.confirm_timeout, 0.);
		return;
	}
	p->closing = 1;
	rs_timer_stop(p->confirm_timer);
	rs_conn_close(p->conn);
}

/* Forget the messages of records below base (all acknowledged). */
void
rs_pubflow_drop(struct rs_publisher *p)
{
	if (p->ob_ready)
		rs_outbox_drop(&p->ob, p->acks.base + p->id_offset);
}

/* Mark record r acknowledged (skipped, or printed by --dry-run); callers rs_pubflow_drop() after. */
static void
ack(struct rs_publisher *p, uint64_t r)
{
	rs_acks_one(&p->acks, r, rs_pubflow_read(p));
}

/* Must reading wait: too much unconfirmed, unsent or printed, or no connection? */
static int
bounded(const struct rs_publisher *p)
{
	if (p->dry_run)
		return p->dry_out.len >= OUT_HIGH;
	return p->recovering || p->conn == NULL ||
	    rs_pubflow_unconfirmed(p) >= p->cfg.max_in_flight ||
	    rs_outbox_kept(&p->ob) >= KEPT_HIGH ||
	    rs_conn_unsent(p->conn) >= OUT_HIGH;
}

/* Stop reading until rs_pubflow_resume(). */
static void
pause_input(struct rs_publisher *p)
{
	p->paused = 1;
	rs_source_watch(&p->src, 0);
}

/* Below the bounds again: read on, or (past the end of a file) frame what is left. */
void
rs_pubflow_resume(struct rs_publisher *p)
{
	if (!p->paused || p->input_done || bounded(p))
		return;
	p->paused = 0;
	/* Input there already: read it now, not after a pass of the loop. */
	if (p->src.eof || rs_source_more_now(&p->src))
		input_step(p);
	else
		rs_source_watch(&p->src, 1);
}

/* No more input: everything is read, -c was reached, a signal came or reading failed. */
void
rs_pubflow_end(struct rs_publisher *p)
{
	rs_source_close(&p->src);
	rs_timer_stop(p->linger_timer);
	p->input_done = 1;
	rs_pubflow_finish(p);
}

/* An oversize record: skip it with a warning, or stop the run (-1). */
static int
oversize(struct rs_publisher *p)
{
	char	 where[320];

	snprintf(where, sizeof where, "%s: line %llu", p->src.name,
	    (unsigned long long)(p->in.recno - p->src.base + 1));
	if (!p->cfg.oversize_skip) {
		rs_err_set(&p->err, RS_E_INPUT, "%s: %s", where, p->in.errstr);
		return -1;
	}
	say(p, p->cfg.warn, "%s: skipped: %s", where, p->in.errstr);
	rs_input_skip(&p->in);
	p->skipped++;
	ack(p, p->in.recno);
	return 0;
}

/* A record whose message does not fit a frame: skip it with a warning, or stop the run (-1). */
static int
too_big(struct rs_publisher *p, uint64_t r, size_t size)
{
	char	 what[400];

	snprintf(what, sizeof what, "%s: line %llu: record %llu is %zu bytes "
	    "as a message, more than the %u a frame can hold", p->src.name,
	    (unsigned long long)(r - p->src.base), (unsigned long long)r, size,
	    (unsigned)rs_outbox_alone_max(&p->ob));
	if (!p->cfg.oversize_skip) {
		rs_err_set(&p->err, RS_E_INPUT, "%s", what);
		p->in.recno--;	/* so the summary names it first unconfirmed */
		return -1;
	}
	say(p, p->cfg.warn, "skipped: %s", what);
	p->skipped++;
	ack(p, r);
	return 0;
}

/*
 * Publish: frame record r's message into the outbox, alone or in the batch
 * open (whose id becomes r's). 0, or -1 with err set if a batch could not
 * be made (out of memory): the run stops, as its records are lost.
 */
static int
to_frame(struct rs_publisher *p, uint64_t r, const uint8_t *head, size_t h,
    const uint8_t *body, size_t n)
{
	int	 rc;

	if ((rc = rs_outbox_add_filtered(&p->ob, r + p->id_offset,
	    p->msg.filter, p->msg.filter_len, head, h, body, n)) == -1) {
		rs_err_set(&p->err, RS_E_RUNTIME, "%s", p->ob.errstr);
		rs_pubflow_stop(p);
		return -1;
	}
	if (p->cfg.sub_entry > 1)	/* else every message is one record */
		rs_acks_framed(&p->acks, r, rc == 1);
	return 0;
}

/*
 * Close the batch and frame being filled (they stay open while input keeps
 * coming at once) and write what is ready. 0, or -1 if the connection
 * failed, or a batch could not be made (err set; the run stops).
 */
int
rs_pubflow_send(struct rs_publisher *p)
{
	if (rs_outbox_close(&p->ob) == -1) {
		rs_err_set(&p->err, RS_E_RUNTIME, "%s", p->ob.errstr);
		rs_pubflow_stop(p);
		return -1;
	}
	return rs_conn_flush(p->conn);
}

/* --dry-run: print the message as rstream-tail -J would, with its record number. */
static void
to_stdout(struct rs_publisher *p, uint64_t r, const uint8_t *head, size_t h,
    const uint8_t *body, size_t n)
{
	struct rs_record_meta	 meta = { p->cfg.stream, r, 0, 1 };

	p->dry.len = 0;
	rs_buf_put(&p->dry, head, h);
	rs_buf_put(&p->dry, body, n);
	rs_jsonout_record(&p->dry_out, &meta, p->dry.data ? p->dry.data :
	    (const uint8_t *)"", p->dry.len);
	ack(p, r);
}

/*
 * Turn every whole record in the input buffer into a message: appended to
 * Publish frames in the connection's output, or printed (--dry-run). 0, or
 * -1 when the run must stop (err set).
 */
static int
frame_records(struct rs_publisher *p)
{
	const uint8_t	*rec, *head, *body;
	size_t		 n, h, b;
	uint64_t	 r;
	int		 rc;

	while (!bounded(p)) {
		if (p->cfg.count > 0 && p->published == p->cfg.count) {
			p->input_done = 1;
			break;
		}
		if ((rc = rs_input_next(&p->in, &rec, &n)) == 0)
			break;
		if (rc == -1) {
			if (p->in.oversize && oversize(p) == 0)
				continue;
			if (!p->in.oversize)
				rs_err_set(&p->err, RS_E_INPUT, "%s: %s", p->src.name,
				    p->in.errstr);
			break;
		}
		r = p->in.recno;
		if (p->cfg.resume && r <= p->stored) {
			p->present++;
			ack(p, r);
			continue;
		}
		if (p->cfg.skip_empty && n == 0) {
			p->skipped++;
			ack(p, r);
			continue;
		}
		if (rs_message_encode(&p->msg, r, p->src.name, rec, n, &head, &h,
		    &body, &b) == -1) {
			rs_err_set(&p->err, RS_E_INPUT, "%s: line %llu: record %llu: %s",
			    p->src.name, (unsigned long long)(r - p->src.base),
			    (unsigned long long)r, p->msg.errstr);
			p->in.recno--;	/* not taken: it is the first unconfirmed */
			break;
		}
		if (h + b + p->msg.filter_len > rs_outbox_alone_max(&p->ob)) {
			if (too_big(p, r, h + b + p->msg.filter_len) == -1)
				break;
			continue;
		}
		if (p->dry_run)
			to_stdout(p, r, head, h, body, b);
		else if (to_frame(p, r, head, h, body, b) == -1)
			break;
		p->published++;
	}
	return p->err.kind == RS_E_OK ? 0 : -1;
}

/* Should framing wait (--linger) for more input to fill the frame? */
static int
linger(struct rs_publisher *p)
{
	if (p->cfg.linger <= 0 || p->src.eof)
		return 0;
	if (p->in.len - p->in.pos >= rs_conn_frame_max(p->conn) / 2)
		return 0;
	if (!p->lingering) {
		p->lingering = 1;
		rs_timer_set(p->linger_timer, p->cfg.linger, 0.);
	}
	return 1;
}

/* The input ended: check what --resume can see, then go on with the next file. */
static void
next_file(struct rs_publisher *p)
{
	int	 r;

	if ((r = rs_source_open_next(&p->src)) == 1)
		return;
	if (r == -1)
		rs_err_set(&p->err, p->src.err.kind, "%s", p->src.err.msg);
	else if (p->cfg.resume && p->in.recno < p->stored)
		rs_err_set(&p->err, RS_E_INPUT, "the input has %llu records, but "
		    "publisher \"%s\" already stored record %llu: was it "
		    "truncated or rotated? A new file needs a new --name",
		    (unsigned long long)p->in.recno, p->cfg.name,
		    (unsigned long long)p->stored);
	rs_pubflow_end(p);
}

/*
 * A backlog (left when reading paused) is framed before reading more, which
 * would only grow what the input buffer moves. 1 if framing made progress
 * (frame on), 0 if there is no backlog or its record is incomplete (read
 * on), -1 to stop (an error, or the input is done).
 */
static int
frame_backlog(struct rs_publisher *p)
{
	size_t		 before = p->in.pos;
	uint64_t	 recno = p->in.recno;

	if (p->in.len - p->in.pos < RS_INPUT_READ)
		return 0;
	if (frame_records(p) == -1 || p->input_done)
		return -1;
	return p->in.pos != before || p->in.recno != recno;
}

/*
 * Read what the input has now, frame it, send it. At the end of a file
 * whose records are all framed, go on with the next file.
 */
static void
input_step(void *ud)
{
	struct rs_publisher	*p = ud;
	ssize_t			 n = -2;
	int			 rounds, b;

	if (p->input_done || p->conn == NULL)
		return;
	for (rounds = 0; rounds < READS_PER_WAKE; rounds++) {
		if (bounded(p)) {
			pause_input(p);
			break;
		}
		if ((b = frame_backlog(p)) == -1)
			break;
		if (b == 1)
			continue;
		if ((n = rs_source_read(&p->src)) == -1) {
			rs_err_set(&p->err, p->src.err.kind, "%s", p->src.err.msg);
			break;
		}
		if (n != -2 && linger(p))
			return;
		if (frame_records(p) == -1 || n <= 0 || p->input_done ||
		    !rs_source_more_now(&p->src))
			break;
	}
	if (!p->paused)
		rs_source_watch(&p->src, 1);	/* to be called when there is more */
	p->lingering = 0;
	rs_timer_stop(p->linger_timer);
	if (p->err.kind != RS_E_OK || p->input_done) {
		if (rs_pubflow_send(p) == 0)
			rs_pubflow_end(p);
		return;
	}
	if (p->src.eof) {
		if (p->in.pos == p->in.len && !p->in.discarding)
			next_file(p);
		else if (!p->paused)
			pause_input(p);	/* the rest waits for confirms */
	}
	if (rs_pubflow_send(p) == -1)
		return;
	rs_pubflow_finish(p);
}

/* The --linger timer: frame what came meanwhile and send it. */
void
rs_pubflow_linger_done(void *ud)
{
	struct rs_publisher	*p = ud;

	p->lingering = 0;
	if (p->conn == NULL)
		return;	/* between connections: framing waits */
	if (frame_records(p) == -1 || p->input_done) {
		if (rs_pubflow_send(p) == 0)
			rs_pubflow_end(p);
		return;
	}
	rs_pubflow_send(p);
}

/* Set up input framing for messages in frames of frame_max bytes. 0, or -1 (err set). */
static int
setup_input(struct rs_publisher *p, uint32_t frame_max)
{
	uint32_t	 overhead;

	if (rs_outbox_init(&p->ob, frame_max, RS_PUBFLOW_ID, p->cfg.codec,
	    p->cfg.sub_entry, p->cfg.msg.filter_value != NULL) == -1) {
		rs_err_set(&p->err, RS_E_RUNTIME, "%s", p->ob.errstr);
		return -1;
	}
	p->ob_ready = 1;

	overhead = RS_PUBLISH_HEADER + (p->ob.v2 ? RS_PUBLISH_V2_PER_MSG +
	    RS_FILTER_VALUE_MAX : RS_PUBLISH_PER_MSG);
	if (p->cfg.msg.json)	/* base64 bodies: lines may be longer than messages */
		p->max_record = 2 * frame_max;
	else if (rs_message_head_max(&p->msg) + overhead < frame_max)
		p->max_record = frame_max - overhead -
		    (uint32_t)rs_message_head_max(&p->msg);
	else {
		rs_err_set(&p->err, RS_E_INPUT, "the message properties do not fit a "
		    "%u-byte frame", frame_max);
		return -1;
	}
	if (rs_input_init(&p->in, p->cfg.delim, p->cfg.delim_len,
	    p->max_record) == -1) {
		rs_err_set(&p->err, RS_E_RUNTIME, "out of memory");
		return -1;
	}
	rs_input_set_framing(&p->in, p->cfg.framing);
	p->in_ready = 1;
	rs_source_init(&p->src, p->loop, p->cfg.files, p->cfg.nfiles, &p->in,
	    input_step, p);
	return 0;
}

/* The publisher is declared: set up the input and open the first file. */
void
rs_pubflow_start(struct rs_publisher *p, struct rs_conn *c)
{
	if (setup_input(p, rs_conn_frame_max(c)) == -1) {
		rs_conn_close(c);
		return;
	}
	next_file(p);
}

/* Write the JSON lines printed so far; -1 if stdout is gone or failing. */
static int
dry_flush(struct rs_publisher *p, int fd)
{
	size_t	 off = 0;
	ssize_t	 n;

	while (off < p->dry_out.len) {
		if ((n = write(fd, p->dry_out.data + off,
		    p->dry_out.len - off)) == -1) {
			if (errno == EINTR)
				continue;
			if (errno != EPIPE)
				rs_err_set(&p->err, RS_E_RUNTIME, "write error: %s",
				    strerror(errno));
			return -1;
		}
		off += (size_t)n;
	}
	p->dry_out.len = 0;
	return 0;
}

/*
 * --dry-run, once rs_publisher_dry_run() prepared p: frame the inputs and
 * print each message as a JSON line on fd, without connecting (frames as
 * large as the default frame max). 0 on success, -1 with err set.
 */
int
rs_pubflow_dry_run(struct rs_publisher *p, int fd)
{
	ssize_t	 n;
	int	 r, b;

	p->dry_run = 1;
	if (setup_input(p, RS_FRAME_MAX_DEFAULT) == -1)
		return -1;
	if ((r = rs_source_open_next(&p->src)) != 1)
		goto done;
	for (;;) {
		if ((b = frame_backlog(p)) == -1)
			break;
		if (b == 1) {
			if (dry_flush(p, fd) == -1)
				break;
			continue;
		}
		if ((n = rs_source_read(&p->src)) == -1) {
			rs_err_set(&p->err, p->src.err.kind, "%s", p->src.err.msg);
			break;
		}
		if (frame_records(p) == -1 || dry_flush(p, fd) == -1 ||
		    p->input_done)
			break;
		if (p->src.eof && p->in.pos == p->in.len && !p->in.discarding &&
		    (r = rs_source_open_next(&p->src)) != 1)
			goto done;
	}
	r = 0;
done:
	if (r == -1)
		rs_err_set(&p->err, p->src.err.kind, "%s", p->src.err.msg);
	dry_flush(p, fd);
	rs_source_close(&p->src);
	return p->err.kind == RS_E_OK ? 0 : -1;
}
