/*
 * publisher.c: the publishing side of rstream-cat (PROTOCOL.adoc
 * "DeclarePublisher", "QueryPublisherSequence", "Publish", "PublishConfirm",
 * "PublishError").
 *
 * Flow: locate the stream's leader (cluster.c); for a named publisher ask
 * the last publishing id the stream stored for it; DeclarePublisher; then
 * read input (source.c), frame records (input.c) and publish them.
 *
 * Records are numbered from 1 across the inputs. A message's publishing
 * id is the number of its last record plus a fixed offset: 0 normally and
 * with --resume (so a re-run over the same input skips what the stream
 * already has, and the broker's deduplication drops any overlap), the stored
 * id for a named publisher without --resume (so ids keep growing). A message
 * is one record, or with --sub-entry-size a batch of consecutive records
 * (outbox.c, batch.c), so the last id the broker stored for a name always
 * says exactly which records it has: every one up to that number. A re-run
 * with --resume skips those records before batching, so its first batch
 * starts at the record after it and no batch ever straddles it.
 *
 * Acknowledgements count records (acks.c): a confirm of a batch
 * acknowledges each of its records, and --max-in-flight counts records,
 * batched or not.
 *
 * Messages are encoded once, into the outbox, which the connection writes
 * from and which keeps them until acknowledged for a new connection to send
 * again. Frames are filled up to the negotiated frame max; what is framed
 * is sent as soon as the input has nothing more to give at once (or after
 * --linger), so slow sources are not delayed. Reading pauses while
 * max_in_flight records are unacknowledged or the socket is backed up, so
 * memory stays bounded whatever the input. The run ends when every record
 * taken is acknowledged, or when the confirm timeout runs out.
 */
#include "config.h"

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <unistd.h>

#include "amqp.h"
#include "filter.h"
#include "frame.h"
#include "proto.h"
#include "publisher.h"

#define PUBLISHER_ID	0
#define OUT_HIGH	(8u << 20)	/* pause input above this much unsent output */
#define KEPT_HIGH	(8u << 20)	/* pause input above this much unconfirmed data */
#define RETRY_MAX	5.0		/* longest wait between two connections */
#define READS_PER_WAKE	64

static void	pub_ready(struct rs_conn *, void *);
static void	pub_frame(struct rs_conn *, const struct rs_frame *, void *);
static void	pub_error(struct rs_conn *, void *);
static void	pub_closed(struct rs_conn *, void *);
static void	pub_drained(struct rs_conn *, void *);
static void	input_step(void *);

static const struct rs_conn_handler pub_handler = {
	pub_ready, pub_frame, pub_error, pub_closed, pub_drained, NULL
};

/* say(x, fn, fmt, ...): a line through fn (cfg.log or cfg.warn), if set. */
#define say(x, fn, ...)	rs_say((fn), (x)->cfg.log_ud, __VA_ARGS__)

/* Records taken from the input so far. */
uint64_t
rs_publisher_read(const struct rs_publisher *p)
{
	return p->in_ready ? p->in.recno : 0;
}

/* Records taken but neither acknowledged nor skipped. */
uint64_t
rs_publisher_unconfirmed(const struct rs_publisher *p)
{
	return rs_publisher_read(p) + 1 - p->acks.base;
}

/* Stop everything: the run is over (err says whether it failed). */
static void
stop(struct rs_publisher *p)
{
	rs_source_close(&p->src);
	rs_timer_stop(p->linger_timer);
	rs_timer_stop(p->confirm_timer);
	rs_timer_stop(p->retry_timer);
	rs_loop_break(p->loop);
}

/* Close politely once nothing is in flight and no more input will come. */
static void
maybe_finish(struct rs_publisher *p)
{
	if (!p->input_done || p->closing || p->conn == NULL)
		return;
	if (rs_publisher_unconfirmed(p) > 0) {
		if (p->cfg.confirm_timeout > 0)
			rs_timer_set(p->confirm_timer, p->cfg.confirm_timeout, 0.);
		return;
	}
	p->closing = 1;
	rs_timer_stop(p->confirm_timer);
	rs_conn_close(p->conn);
}

static void
confirm_timeout(void *ud)
{
	struct rs_publisher	*p = ud;

	rs_err_set(&p->err, RS_E_TEMPFAIL, "%llu records still unconfirmed after %g s",
	    (unsigned long long)rs_publisher_unconfirmed(p),
	    p->cfg.confirm_timeout);
	stop(p);
}

static void
pub_closed(struct rs_conn *c, void *ud)
{
	(void)c;
	stop(ud);
}

static void	reconnect(void *);

/*
 * The connection failed: try another (with backoff, until --retry-for has
 * passed since it went down) if the failure is one that can pass. 1 if a
 * new connection is on its way.
 */
static int
recover(struct rs_publisher *p, const struct rs_err *err)
{
	double	 now = rs_loop_now(p->loop), wait;

	if ((err->kind != RS_E_TEMPFAIL && err->kind != RS_E_UNAVAILABLE) ||
	    p->signo != 0 || p->cfg.conn.retry_for <= 0 || p->cluster.missing)
		return 0;
	if (!p->recovering) {
		p->recovering = 1;
		p->down_since = now;
		p->attempts = 0;
		rs_source_watch(&p->src, 0);
		rs_timer_stop(p->confirm_timer);
	}
	if (now - p->down_since >= p->cfg.conn.retry_for)
		return 0;
	if (p->conn != NULL) {
		rs_conn_free(p->conn);
		p->conn = NULL;
	}
	rs_cluster_free(&p->cluster);
	wait = 0.25 * (double)(1 << (p->attempts < 5 ? p->attempts : 5));
	if (wait > RETRY_MAX)
		wait = RETRY_MAX;
	p->attempts++;
	say(p, p->cfg.log, "%s; connecting again in %.2g s", err->msg, wait);
	rs_timer_set(p->retry_timer, wait, 0.);
	return 1;
}

static void
pub_error(struct rs_conn *c, void *ud)
{
	struct rs_publisher	*p = ud;

	if (p->closing) {
		stop(p);	/* everything was confirmed; the close was untidy */
		return;
	}
	if (recover(p, rs_conn_err(c)))
		return;
	rs_err_set(&p->err, rs_conn_err(c)->kind, "%s", rs_conn_err(c)->msg);
	stop(p);
}

/* Forget the messages of records below base (all acknowledged). */
static void
drop_resent(struct rs_publisher *p)
{
	if (p->ob_ready)
		rs_outbox_drop(&p->ob, p->acks.base + p->id_offset);
}

/* Mark record r acknowledged (skipped, or printed by --dry-run); callers drop_resent() after. */
static void
ack(struct rs_publisher *p, uint64_t r)
{
	rs_acks_one(&p->acks, r, rs_publisher_read(p));
}

static int
bounded(const struct rs_publisher *p)
{
	if (p->dry_run)
		return p->dry_out.len >= OUT_HIGH;
	return p->recovering || p->conn == NULL ||
	    rs_publisher_unconfirmed(p) >= p->cfg.max_in_flight ||
	    rs_outbox_kept(&p->ob) >= KEPT_HIGH ||
	    rs_conn_unsent(p->conn) >= OUT_HIGH;
}

static void
pause_input(struct rs_publisher *p)
{
	p->paused = 1;
	rs_source_watch(&p->src, 0);
}

/* Below the bounds again: read on, or (past the end of a file) frame what is left. */
static void
resume_input(struct rs_publisher *p)
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

static void
on_ids(struct rs_publisher *p, struct rs_conn *c, const struct rs_frame *f)
{
	struct rs_cur	 cur;
	uint64_t	 id, first;
	uint32_t	 n, i, k;
	uint16_t	 code;
	uint8_t		 pubid;
	int		 progress = 0;

	if (rs_frame_ids_begin(f, &cur, &pubid, &n) == -1) {
		rs_conn_fail(c, RS_E_RUNTIME, "malformed %s",
		    rs_proto_key_str(f->key));
		return;
	}
	if (pubid != PUBLISHER_ID) {
		rs_conn_fail(c, RS_E_RUNTIME, "%s for publisher %u, which was "
		    "never declared", rs_proto_key_str(f->key), pubid);
		return;
	}
	for (i = 0; i < n; i++) {
		code = RS_OK;
		if (f->key == RS_PUBLISH_CONFIRM)
			rs_frame_confirm_next(&cur, &id);
		else
			rs_frame_error_next(&cur, &id, &code);
		if (id < p->id_offset || (k = rs_acks_message(&p->acks,
		    id - p->id_offset, rs_publisher_read(p), &first)) == 0)
			continue;	/* a duplicate or stray id */
		progress = 1;
		if (code == RS_OK) {
			p->confirmed += k;
			continue;
		}
		if (p->failed == 0 || first < p->first_failed) {
			p->first_failed = first;
			p->first_failed_code = code;
		}
		p->failed += k;
	}
	drop_resent(p);
	if (progress && p->input_done && p->cfg.confirm_timeout > 0)
		rs_timer_set(p->confirm_timer, p->cfg.confirm_timeout, 0.);
	resume_input(p);
	maybe_finish(p);
}

static void
pub_frame(struct rs_conn *c, const struct rs_frame *f, void *ud)
{
	struct rs_publisher	*p = ud;
	struct rs_str		 s;
	uint16_t		 code;

	switch (f->key) {
	case RS_PUBLISH_CONFIRM:
	case RS_PUBLISH_ERROR:
		on_ids(p, c, f);
		break;
	case RS_METADATA_UPDATE:
		if (rs_frame_metadata_update_decode(f, &code, &s) == -1)
			code = 0;
		rs_conn_fail(c, RS_E_TEMPFAIL, "the stream is no longer "
		    "available on this connection (%s): it was deleted, or its "
		    "leader moved", rs_proto_code_str(code));
		break;
	default:
		break;
	}
}

static void
pub_drained(struct rs_conn *c, void *ud)
{
	(void)c;
	resume_input(ud);
}

/* No more input: everything is read, -c was reached, a signal came or reading failed. */
static void
input_over(struct rs_publisher *p)
{
	rs_source_close(&p->src);
	rs_timer_stop(p->linger_timer);
	p->input_done = 1;
	maybe_finish(p);
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
		stop(p);
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
static int
send_now(struct rs_publisher *p)
{
	if (rs_outbox_close(&p->ob) == -1) {
		rs_err_set(&p->err, RS_E_RUNTIME, "%s", p->ob.errstr);
		stop(p);
		return -1;
	}
	return rs_conn_flush(p->conn);
}

/*
 * Should the message with publishing id id be sent again? Not if it is
 * acknowledged, nor if a named publisher's broker says it stored it (it
 * would drop it; it counts as confirmed).
 */
static int
unacknowledged(void *ud, uint64_t id)
{
	struct rs_publisher	*p = ud;
	uint64_t		 first;

	if (!rs_acks_pending(&p->acks, id - p->id_offset, rs_publisher_read(p)))
		return 0;
	if (p->cfg.name == NULL || id > p->stored)
		return 1;
	p->confirmed += rs_acks_message(&p->acks, id - p->id_offset,
	    rs_publisher_read(p), &first);
	return 0;
}

/*
 * A new connection: send again every message not yet acknowledged, with
 * its publishing id. An unnamed publisher's broker may store some twice.
 */
static void
resend(struct rs_publisher *p)
{
	size_t	 n;

	n = rs_outbox_resend(&p->ob, rs_conn_buf(p->conn), unacknowledged, p);
	drop_resent(p);		/* not inside the walk: it may move the store */
	if (n > 0 && p->cfg.name == NULL && !p->warned_dup) {
		p->warned_dup = 1;
		say(p, p->cfg.warn, "sent %zu unconfirmed records again on a new "
		    "connection: without --name some may now be in the stream "
		    "twice", n);
	} else if (n > 0)
		say(p, p->cfg.log, "sent %zu unconfirmed records again", n);
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
	input_over(p);
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
		if (send_now(p) == 0)
			input_over(p);
		return;
	}
	if (p->src.eof) {
		if (p->in.pos == p->in.len && !p->in.discarding)
			next_file(p);
		else if (!p->paused)
			pause_input(p);	/* the rest waits for confirms */
	}
	if (send_now(p) == -1)
		return;
	maybe_finish(p);
}

static void
linger_done(void *ud)
{
	struct rs_publisher	*p = ud;

	p->lingering = 0;
	if (p->conn == NULL)
		return;	/* between connections: framing waits */
	if (frame_records(p) == -1 || p->input_done) {
		if (send_now(p) == 0)
			input_over(p);
		return;
	}
	send_now(p);
}

/* SIGINT, SIGTERM, SIGHUP: stop reading, wait for confirms; a second one ends the run at once. */
static void
on_signal(struct rs_publisher *p, int signo)
{
	if (p->signo != 0) {
		signal(signo, SIG_DFL);
		raise(signo);
		return;
	}
	p->signo = signo;
	say(p, p->cfg.log, "signal %d: waiting for %llu confirms", signo,
	    (unsigned long long)rs_publisher_unconfirmed(p));
	if (p->conn == NULL) {
		stop(p);
		return;
	}
	if (p->closing)
		return;
	if (p->in_ready && send_now(p) == 0)
		input_over(p);
	else if (!p->in_ready)
		stop(p);
}

static void	sig_int(void *ud) { on_signal(ud, SIGINT); }
static void	sig_term(void *ud) { on_signal(ud, SIGTERM); }
static void	sig_hup(void *ud) { on_signal(ud, SIGHUP); }

/* Set up input framing for messages in frames of frame_max bytes. 0, or -1 (err set). */
static int
setup_input(struct rs_publisher *p, uint32_t frame_max)
{
	uint32_t	 overhead;

	if (rs_outbox_init(&p->ob, frame_max, PUBLISHER_ID, p->cfg.codec,
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

static void
start_input(struct rs_publisher *p, struct rs_conn *c)
{
	if (setup_input(p, rs_conn_frame_max(c)) == -1) {
		rs_conn_close(c);
		return;
	}
	next_file(p);
}

static void
on_declare(struct rs_conn *c, const struct rs_frame *f, void *ud)
{
	struct rs_publisher	*p = ud;

	if (f->code != RS_OK) {
		rs_err_set(&p->err, f->code == RS_ACCESS_REFUSED ? RS_E_NOPERM :
		    RS_E_UNAVAILABLE, "cannot declare a publisher: %s",
		    rs_proto_code_str(f->code));
		rs_conn_close(c);
		return;
	}
	if (p->signo != 0) {
		input_over(p);
		return;
	}
	if (p->in_ready) {
		/* A new connection after a failure: pick up where we were. */
		p->recovering = 0;
		say(p, p->cfg.log, "connected again after %.1f s",
		    rs_loop_now(p->loop) - p->down_since);
		resend(p);
		if (send_now(p) == -1)
			return;
		if (p->input_done)
			maybe_finish(p);
		else {
			p->paused = 1;
			resume_input(p);
		}
		return;
	}
	start_input(p, c);
}

/* The retry timer: locate the stream's leader again. */
static void
reconnect(void *ud)
{
	struct rs_publisher	*p = ud;

	rs_cluster_open(&p->cluster);
}

static void
declare(struct rs_publisher *p, struct rs_conn *c)
{
	rs_frame_declare_publisher(rs_conn_buf(c), rs_conn_corr(c, on_declare, p),
	    PUBLISHER_ID, p->cfg.name ? p->cfg.name : "", p->cfg.stream);
	rs_conn_flush(c);
}

static void
on_sequence(struct rs_conn *c, const struct rs_frame *f, void *ud)
{
	struct rs_publisher	*p = ud;

	if (f->code != RS_OK ||
	    rs_frame_publisher_sequence_decode(f, &p->stored) == -1) {
		rs_err_set(&p->err, f->code == RS_ACCESS_REFUSED ? RS_E_NOPERM :
		    RS_E_UNAVAILABLE, "cannot query publisher \"%s\": %s",
		    p->cfg.name, rs_proto_code_str(f->code));
		rs_conn_close(c);
		return;
	}
	if (p->in_ready) {
		declare(p, c);	/* again, after a new connection */
		return;
	}
	p->id_offset = p->cfg.resume ? 0 : p->stored;
	if (p->cfg.resume)
		say(p, p->cfg.log, "publisher \"%s\": the stream has records up "
		    "to %llu; resuming after it", p->cfg.name,
		    (unsigned long long)p->stored);
	else
		say(p, p->cfg.log, "publisher \"%s\": last stored id %llu",
		    p->cfg.name, (unsigned long long)p->stored);
	declare(p, c);
}

static void
pub_ready(struct rs_conn *c, void *ud)
{
	(void)c;
	(void)ud;
}

static void
located(struct rs_conn *c, const struct rs_err *err, void *ud)
{
	struct rs_publisher	*p = ud;

	if (c == NULL) {
		if (p->recovering && recover(p, err))
			return;
		rs_err_set(&p->err, err->kind, "%s", err->msg);
		stop(p);
		return;
	}
	p->conn = c;
	rs_conn_set_handler(c, &pub_handler, p);
	rs_conn_set_outq(c, &p->ob.q);
	/* --filter-value: Publish v2, RabbitMQ 3.13+ (exit 69 before anything is sent). */
	if (p->cfg.msg.filter_value != NULL &&
	    rs_conn_require(c, RS_FEATURE_FILTERING, &p->err) == -1) {
		stop(p);
		return;
	}
	if (p->cfg.name == NULL) {
		declare(p, c);
		return;
	}
	rs_frame_query_publisher_sequence(rs_conn_buf(c),
	    rs_conn_corr(c, on_sequence, p), p->cfg.name, p->cfg.stream);
	rs_conn_flush(c);
}

static void
cluster_log(const char *msg, void *ud)
{
	struct rs_publisher	*p = ud;

	say(p, p->cfg.log, "%s", msg);
}

/* Common set-up of a run; 0, or -1 with err set. */
static int
prepare(struct rs_publisher *p, const struct rs_publisher_cfg *cfg,
    struct rs_loop *loop)
{
	memset(p, 0, sizeof *p);
	p->cfg = *cfg;
	p->loop = loop;
	rs_message_init(&p->msg, &cfg->msg);
	rs_buf_init(&p->dry);
	rs_buf_init(&p->dry_out);
	if (p->cfg.max_in_flight == 0)
		p->cfg.max_in_flight = p->cfg.sub_entry > 1 ?
		    RS_PUBLISHER_BATCH_IN_FLIGHT : RS_PUBLISHER_IN_FLIGHT;
	if (p->cfg.delim == NULL) {
		p->cfg.delim = "\n";
		p->cfg.delim_len = 1;
	}
	rs_source_init(&p->src, loop, NULL, 0, NULL, NULL, NULL);
	if (rs_source_check(cfg->files, cfg->nfiles, &p->err) == -1)
		return -1;
	if (rs_acks_init(&p->acks, p->cfg.max_in_flight) == -1) {
		rs_err_set(&p->err, RS_E_RUNTIME, "out of memory");
		return -1;
	}
	return 0;
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
 * --dry-run: frame the inputs and print each message as a JSON line on fd,
 * without connecting (frames as large as the default frame max). 0 on
 * success, -1 with err set.
 */
int
rs_publisher_dry_run(struct rs_publisher *p, const struct rs_publisher_cfg *cfg,
    struct rs_loop *loop, int fd)
{
	ssize_t	 n;
	int	 r, b;

	if (prepare(p, cfg, loop) == -1)
		return -1;
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

/* Publish everything the inputs hold; 0 when every record was acknowledged as asked, -1 otherwise. */
int
rs_publisher_run(struct rs_publisher *p, const struct rs_publisher_cfg *cfg,
    struct rs_loop *loop)
{
	if (prepare(p, cfg, loop) == -1)
		return -1;
	if ((p->linger_timer = rs_timer_new(loop, linger_done, p)) == NULL ||
	    (p->retry_timer = rs_timer_new(loop, reconnect, p)) == NULL ||
	    (p->confirm_timer = rs_timer_new(loop, confirm_timeout, p)) == NULL) {
		rs_err_set(&p->err, RS_E_RUNTIME, "out of memory");
		return -1;
	}
	p->sigs[0] = rs_sig_new(loop, SIGINT, sig_int, p);
	p->sigs[1] = rs_sig_new(loop, SIGTERM, sig_term, p);
	p->sigs[2] = rs_sig_new(loop, SIGHUP, sig_hup, p);
	p->cluster.loop = loop;
	p->cluster.conn = cfg->conn;
	p->cluster.name = "rstream-cat";
	p->cluster.stream = cfg->stream;
	p->cluster.want_leader = 1;
	p->cluster.create = cfg->create;
	p->cluster.create_args = cfg->create_args;
	p->cluster.ncreate = cfg->ncreate;
	p->cluster.done = located;
	p->cluster.ud = p;
	p->cluster.log = cluster_log;
	rs_cluster_open(&p->cluster);
	if (p->err.kind == RS_E_OK)
		rs_loop_run(loop);
	if (p->err.kind == RS_E_OK && p->failed > 0)
		rs_err_set(&p->err, RS_E_RUNTIME, "%llu records were rejected by the "
		    "broker (first: record %llu: %s)",
		    (unsigned long long)p->failed,
		    (unsigned long long)p->first_failed,
		    rs_proto_code_str(p->first_failed_code));
	return p->err.kind == RS_E_OK && p->signo == 0 ? 0 : -1;
}

void
rs_publisher_free(struct rs_publisher *p)
{
	size_t	 i;

	rs_source_close(&p->src);
	rs_conn_free(p->conn);
	rs_cluster_free(&p->cluster);
	if (p->in_ready)
		rs_input_free(&p->in);
	for (i = 0; i < 3; i++)
		rs_sig_free(p->sigs[i]);
	rs_timer_free(p->linger_timer);
	rs_timer_free(p->retry_timer);
	if (p->ob_ready)
		rs_outbox_free(&p->ob);
	rs_timer_free(p->confirm_timer);
	rs_acks_free(&p->acks);
	rs_message_free(&p->msg);
	rs_buf_free(&p->dry);
	rs_buf_free(&p->dry_out);
}
