/*
 * consumer.c: the consuming side of rstream-tail (PROTOCOL.adoc
 * "Subscribe", "Deliver", "Credit", "Unsubscribe", "StoreOffset",
 * "QueryOffset").
 *
 * The end of the stream as it was when the run started is needed to stop
 * there (no -f) and to start N records before it (-n, -o last, -o -N).
 * RabbitMQ 3.10.8 has no StreamStats, so it is measured: a second
 * subscription at "last" with credit 1, followed at once by a Metadata
 * request as a barrier. The broker sends a subscription's first chunks
 * while it handles the Subscribe, before it reads the next request, so if
 * no chunk arrived by the time the barrier's reply does, the stream was
 * empty. The last chunk's first offset plus its record count, minus one,
 * is the end.
 *
 * Deliveries are whole chunks: records before the requested offset are
 * dropped here. Credit counts chunks; it is granted back four chunks at a
 * time, once they have been written out, so a slow reader stops the broker
 * rather than growing our memory (and a fast one sends one Credit frame,
 * not four: at a few thousand small chunks a second, syscalls are the cost).
 *
 * A named reader (-N) starts after the offset stored for its name and
 * stores the offset of the last record written: every store_every records,
 * every store_interval seconds, and at the end, where a QueryOffset then
 * checks the store took effect before the connection closes. Nothing past
 * a record whose write failed is ever stored.
 *
 * A single active reader (--single-active, 3.11+): the Subscribe says
 * single-active-consumer, the name and, for a partition, its super stream.
 * The broker makes one reader of the name active per stream with a
 * ConsumerUpdate, which we answer with where to start: after the offset now
 * stored for the name, else where -o says. Inactive, a reader writes
 * nothing (a chunk sent before it stepped down is credited back, unread);
 * told it is no longer active, it stores its offset, then answers. A reader
 * killed takes its unstored records with it: the next starts after the last
 * store, so at most store_every records (or store_interval seconds' worth)
 * are written twice.
 *
 * Several streams (multi.c): a consumer per stream in a group (cfg.group)
 * that shares the count of records written, the output buffer, the
 * "==> STREAM <==" headers, the signals and connections: on a shared one
 * a consumer's subscription ids start at sub_base, and leaving it
 * (release(), close_conn()) is the group's detach(), not a close; a
 * consumer that is over tells the group instead of ending the loop.
 */
#include "config.h"

#include <ctype.h>
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "amqp.h"
#include "chunk.h"
#include "consumer.h"
#include "frame.h"
#include "proto.h"

#define SUB_MAIN	0
#define SUB_SNAP	1	/* at "last": the end of the stream */
#define SUB_FIRST	2	/* at "first": where retention starts it */
/* A subscription id on the wire: a consumer sharing a connection has its own 3. */
#define SUB(k, s)	((uint8_t)((k)->sub_base + (s)))
#define INITIAL_CREDIT	8	/* chunks the broker may send ahead */
#define CREDIT_BATCH	4	/* granted back together: one Credit frame per 4 chunks */
#define FINAL_TRIES	40	/* QueryOffset checks of the last store, 50 ms apart */
#define RETRY_MAX	15.0	/* -F: longest wait between attempts */

static void	con_ready(struct rs_conn *, void *);
static void	con_frame(struct rs_conn *, const struct rs_frame *, void *);
static void	con_error(struct rs_conn *, void *);
static void	con_closed(struct rs_conn *, void *);
static void	attempt(struct rs_consumer *);

static const struct rs_conn_handler con_handler = {
	con_ready, con_frame, con_error, con_closed, NULL, NULL
};

/* say(x, fn, fmt, ...): a line through fn (cfg.log or cfg.warn), if set. */
#define say(x, fn, ...)	rs_say((fn), (x)->cfg.log_ud, __VA_ARGS__)

static int
storing(const struct rs_consumer *k)
{
	return k->cfg.name != NULL && !k->cfg.no_store;
}

/* Records written so far: by this reader, or by all of a group's. */
static uint64_t
total(const struct rs_consumer *k)
{
	return k->cfg.group != NULL ? k->cfg.group->printed : k->printed;
}

static void	over(struct rs_consumer *);

/* Let go of the connection: free it, or leave the group's shared one. */
static void
release(struct rs_consumer *k)
{
	if (k->conn == NULL)
		return;
	if (k->cfg.group != NULL && k->cfg.group->detach != NULL)
		k->cfg.group->detach(k, k->cfg.group->ud);
	else
		rs_conn_free(k->conn);
	k->conn = NULL;
}

/* Close the connection politely (over() follows), or leave a shared one now. */
static void
close_conn(struct rs_consumer *k)
{
	if (k->cfg.group != NULL && k->cfg.group->detach != NULL)
		over(k);
	else
		rs_conn_close(k->conn);
}

/* The connection is over (closed, failed or never made): retry under -F, or stop. */
static void
over(struct rs_consumer *k)
{
	double	 wait, now;
	int	 missing, retry;

	rs_timer_stop(k->store_timer);
	release(k);
	if (k->cluster.missing && !k->was_missing) {
		/* Deleted, or not there yet: what comes is a new stream. */
		k->was_missing = 1;
		k->have_written = 0;
	}
	missing = k->cluster.missing;
	if (missing && k->connected && !k->cfg.retry)
		snprintf(k->err.msg, sizeof k->err.msg, "the stream was deleted");
	rs_cluster_free(&k->cluster);
	now = rs_loop_now(k->loop);
	if (k->attempts == 0)
		k->down_since = now;
	/*
	 * -F retries anything, forever; otherwise a reader that was reading
	 * retries a failure that can pass, for --retry-for.
	 */
	retry = k->cfg.retry || (k->connected && !missing &&
	    now - k->down_since < k->cfg.conn.retry_for);
	if (retry && !k->done && k->signo == 0 && !k->out_closed &&
	    (k->err.kind == RS_E_UNAVAILABLE || k->err.kind == RS_E_TEMPFAIL)) {
		wait = k->cfg.retry ? (k->attempts < 4 ?
		    (double)(1 << k->attempts) : RETRY_MAX) :
		    0.25 * (double)(1 << (k->attempts < 4 ? k->attempts : 4));
		if (wait > RETRY_MAX)
			wait = RETRY_MAX;
		say(k, k->cfg.log, "%s; trying again in %.2g s", k->err.msg, wait);
		k->err.kind = RS_E_OK;
		k->attempts++;
		rs_timer_set(k->retry_timer, wait, 0.);
		return;
	}
	rs_io_free(k->out_watch);
	k->out_watch = NULL;
	k->stopped = 1;
	if (k->cfg.group != NULL)
		k->cfg.group->stopped(k, k->cfg.group->ud);
	else
		rs_loop_break(k->loop);
}

static void
store(struct rs_consumer *k)
{
	if (!storing(k) || !k->have_written || k->conn == NULL ||
	    (k->have_store && k->last_store == k->last_written))
		return;
	rs_frame_store_offset(rs_conn_buf(k->conn), k->cfg.name, k->cfg.stream,
	    k->last_written);
	k->have_store = 1;
	k->last_store = k->last_written;
	k->since_store = 0;
	rs_conn_flush(k->conn);
}

static void	final_check(struct rs_consumer *);

static void
on_final_query(struct rs_conn *c, const struct rs_frame *f, void *ud)
{
	struct rs_consumer	*k = ud;
	uint64_t		 off;

	(void)c;
	if (f->code == RS_OK && rs_frame_query_offset_decode(f, &off) == 0 &&
	    off == k->last_store) {
		close_conn(k);
		return;
	}
	if (++k->final_tries >= FINAL_TRIES) {
		say(k, k->cfg.warn, "the stored offset of \"%s\" could not be "
		    "checked", k->cfg.name);
		close_conn(k);
		return;
	}
	rs_timer_set(k->store_timer, 0.05, 0.);
}

static void
final_check(struct rs_consumer *k)
{
	rs_frame_query_offset(rs_conn_buf(k->conn),
	    rs_conn_corr(k->conn, on_final_query, k), k->cfg.name,
	    k->cfg.stream);
	rs_conn_flush(k->conn);
}

/* The run is over: store the offset (named readers), close politely, then stop. */
static void
finish(struct rs_consumer *k)
{
	if (k->done)
		return;
	k->done = 1;
	say(k, k->cfg.log, "received %llu chunks, %llu bytes",
	    (unsigned long long)k->chunks_in, (unsigned long long)k->bytes_in);
	if (k->cfg.group != NULL)
		k->cfg.group->finishing(k, k->cfg.group->ud);
	rs_runner_stop(&k->runner);
	rs_timer_stop(k->store_timer);
	if (k->conn == NULL) {
		over(k);
		return;
	}
	if (storing(k) && k->have_written && !k->out_closed &&
	    (!k->have_store || k->last_store != k->last_written)) {
		store(k);
		final_check(k);
		return;
	}
	close_conn(k);
}

static void
store_tick(void *ud)
{
	struct rs_consumer	*k = ud;

	if (k->done) {
		if (k->conn != NULL)
			final_check(k);
		return;
	}
	store(k);
}

static void
con_closed(struct rs_conn *c, void *ud)
{
	(void)c;
	over(ud);
}

static void
con_error(struct rs_conn *c, void *ud)
{
	struct rs_consumer	*k = ud;

	if (!k->done)
		rs_err_set(&k->err, rs_conn_err(c)->kind, "%s", rs_conn_err(c)->msg);
	over(k);
}

static void
con_ready(struct rs_conn *c, void *ud)
{
	(void)c;
	(void)ud;
}

/* --progress: copy where the run stands into cfg.tally, if kept. */
static void
tally(struct rs_consumer *k, size_t bytes)
{
	struct rs_consumer_tally	*t = k->cfg.tally;

	if (t == NULL)
		return;
	t->records = k->printed;
	t->bytes += bytes;
	t->subscribed = k->subscribed;
	t->start = k->start;
	t->have_end = k->have_end;
	t->end = k->end;
	t->have_last = k->have_written;
	t->last = k->last_written;
}

/* Write the output buffer out; -1 when the reader has gone (a quiet end) or on error. */
static int
write_out(struct rs_consumer *k)
{
	size_t	 off = 0;
	ssize_t	 n;

	while (off < k->out.len) {
		n = write(k->cfg.out_fd, k->out.data + off, k->out.len - off);
		if (n == -1 && errno == EINTR)
			continue;
		if (n == -1) {
			k->out.len = 0;
			if (errno == EPIPE)
				k->out_closed = 1;
			else
				rs_err_set(&k->err, RS_E_RUNTIME, "write error: %s",
				    strerror(errno));
			finish(k);
			return -1;
		}
		off += (size_t)n;
	}
	k->out.len = 0;
	tally(k, off);
	return 0;
}

static void
on_subscribe(struct rs_conn *c, const struct rs_frame *f, void *ud)
{
	struct rs_consumer	*k = ud;

	(void)c;
	if (f->code == RS_OK) {
		if (k->attempts > 0)
			say(k, k->cfg.log, "reading again after %.1f s",
			    rs_loop_now(k->loop) - k->down_since);
		k->connected = 1;
		k->attempts = 0;
	}
	if (f->code != RS_OK) {
		rs_err_set(&k->err, f->code == RS_ACCESS_REFUSED ? RS_E_NOPERM :
		    RS_E_UNAVAILABLE, "cannot subscribe: %s",
		    rs_proto_code_str(f->code));
		finish(k);
	}
}

static void
on_ignore(struct rs_conn *c, const struct rs_frame *f, void *ud)
{
	(void)c;
	(void)f;
	(void)ud;
}

/*
 * The reply to the last filter barrier: the broker sends what matches while
 * it handles a Subscribe or Credit, before it reads the next request, so if
 * credit given before the barrier is still unused, no chunk left up to the
 * end of the stream matches the filter: the run is over (without -f).
 */
static void
on_filter_barrier(struct rs_conn *c, const struct rs_frame *f, void *ud)
{
	struct rs_consumer	*k = ud;

	(void)c;
	(void)f;
	if (++k->fb_answered < k->fb_sent || k->done || !k->subscribed)
		return;
	if (k->chunks_in < k->fb_granted && !k->cmd_busy) {
		say(k, k->cfg.log, "no chunk left before the end matches the "
		    "filter");
		finish(k);
	}
}

/* Credit was given for the main subscription: with --filter and no -f, follow it with a barrier. */
static void
filter_barrier(struct rs_consumer *k, uint16_t credit)
{
	k->granted += credit;
	if (k->cfg.filter == NULL || k->cfg.follow)
		return;
	k->fb_sent++;
	k->fb_granted = k->granted;
	rs_frame_metadata(rs_conn_buf(k->conn),
	    rs_conn_corr(k->conn, on_filter_barrier, k), &k->cfg.stream, 1);
}

/* The first offset for n records before the end. */
static uint64_t
before_end(const struct rs_consumer *k, uint64_t n)
{
	if (!k->have_end)
		return 0;
	return n > k->end ? 0 : k->end + 1 - n;
}

/*
 * The stream was deleted and made again since we read from it: under -F
 * the new one is read from its start, as tail -F reads a re-created file;
 * otherwise the run ends. -1 if it ended.
 */
static int
renewed(struct rs_consumer *k)
{
	if (!k->cfg.retry) {
		rs_err_set(&k->err, RS_E_UNAVAILABLE, "the stream was deleted "
		    "and created again");
		finish(k);
		return -1;
	}
	say(k, k->cfg.warn, "the stream was deleted and created again; "
	    "reading the new one from its start");
	k->was_missing = 1;
	k->have_written = 0;
	k->has_stored = 0;
	k->have_store = 0;
	k->mark.valid = 0;
	return 0;
}

/*
 * --single-active: the Subscribe properties (PROTOCOL.adoc v4.0.5
 * "Subscribe"; the Java client's ConsumersCoordinator): the filter's n
 * pairs, then single-active-consumer, name and, for a partition, its super
 * stream, into kv. How many pairs.
 */
static size_t
sac_properties(const struct rs_consumer *k, const char **kv,
    const char *const *props, size_t n)
{
	size_t	 i;

	for (i = 0; i < 2 * n; i++)
		kv[i] = props[i];
	kv[2 * n] = "single-active-consumer";
	kv[2 * n + 1] = "true";
	kv[2 * n + 2] = "name";
	kv[2 * n + 3] = k->cfg.name;
	n += 2;
	if (k->cfg.super != NULL) {
		kv[2 * n] = "super-stream";
		kv[2 * n + 1] = k->cfg.super;
		n++;
	}
	return n;
}

static void	subscribe(struct rs_consumer *);
static void	on_snap_subscribe(struct rs_conn *, const struct rs_frame *,
		    void *);

/*
 * -n N counts records, but a tracking chunk (a stored offset, a named
 * publisher's sequence) takes offsets too, and is never delivered: N
 * records before the end may start more than N offsets back. count_back()
 * reads the chunks of [lo, hi] on the SUB_FIRST id and count_chunk() adds
 * up their records; short of N, on_counted() reads a stretch before it,
 * twice as long at least (offsets before the stream's first, which
 * retention removed, are read as quickly as tracking chunks), until N are
 * found or the stream's start is reached. The main subscription then starts
 * at the last stretch's lo and drops the records found beyond N (skip).
 */
static void
count_back(struct rs_consumer *k, uint64_t lo, uint64_t hi)
{
	struct rs_conn	*c = k->conn;

	k->counting = 1;
	k->count_lo = lo;
	k->count_hi = hi;
	rs_frame_subscribe(rs_conn_buf(c), rs_conn_corr(c, on_snap_subscribe,
	    k), SUB(k, SUB_FIRST), k->cfg.stream, RS_OFFSET_OFFSET, lo,
	    INITIAL_CREDIT, NULL, 0);
	rs_conn_flush(c);
}

/* A stretch is read: one further back, or subscribe at count_lo. */
static void
on_counted(struct rs_conn *c, const struct rs_frame *f, void *ud)
{
	struct rs_consumer	*k = ud;
	uint64_t		 want = (uint64_t)k->cfg.lines, lo = k->count_lo;
	uint64_t		 step;

	(void)c;
	(void)f;
	if (k->done)
		return;
	if (k->count_have < want && lo > 0) {
		step = 2 * k->count_step;
		if (step < want - k->count_have)
			step = want - k->count_have;
		if (step > lo)
			step = lo;
		k->count_step = step;
		count_back(k, lo - step, lo - 1);
		return;
	}
	k->count_skip = k->count_have > want ? k->count_have - want : 0;
	k->counted = 1;
	subscribe(k);
}

/* A chunk read back for -n: add up its records in the stretch. */
static void
count_chunk(struct rs_consumer *k, const uint8_t *chunk, size_t len)
{
	struct rs_chunk	 ch;
	uint64_t	 a, b, hi = k->count_hi;

	if (k->counting != 1)
		return;		/* sent before the unsubscribe */
	if (rs_chunk_parse(&ch, chunk, len, 0) == -1) {
		rs_conn_fail(k->conn, RS_E_RUNTIME, "bad chunk: %s", ch.errstr);
		return;
	}
	a = ch.first_offset > k->count_lo ? ch.first_offset : k->count_lo;
	b = ch.first_offset + ch.nrecords;	/* one past its last */
	if (ch.type == RS_CHUNK_USER && a < b && a <= hi)
		k->count_have += (b <= hi ? b : hi + 1) - a;
	if (b > hi) {
		k->counting = 2;
		rs_frame_unsubscribe(rs_conn_buf(k->conn),
		    rs_conn_corr(k->conn, on_counted, k), SUB(k, SUB_FIRST));
	} else
		rs_frame_credit(rs_conn_buf(k->conn), SUB(k, SUB_FIRST), 1);
	rs_conn_flush(k->conn);
}

/* With the end known (or not needed), subscribe where the user asked. */
static void
subscribe(struct rs_consumer *k)
{
	const struct rs_offset_spec	*s = &k->cfg.start;
	struct rs_conn			*c = k->conn;
	uint16_t			 type = RS_OFFSET_OFFSET;
	uint64_t			 value = 0;
	int				 nothing = 0;
	const char *const		*props = NULL;
	const char			*kv[2 * (RS_FILTER_VALUES_MAX + 4)];
	size_t				 nprops = 0;

	k->exact = 0;
	k->verifying = 0;
	k->skip = 0;
	if (k->was_missing && !k->have_written && !k->has_stored) {
		type = RS_OFFSET_FIRST;	/* -F: a new stream, read it all */
		k->start = 0;
	} else if (k->have_written) {
		k->start = k->last_written + 1;	/* -F: after what was written */
		k->exact = 1;
		/* Back at the chunk last read from: is it still there? */
		k->verifying = k->mark.valid &&
		    (!k->have_first || k->first <= k->mark.first_offset);
	} else if (k->has_stored) {
		k->start = k->stored + 1;
		k->exact = 1;
	} else if (k->cfg.lines >= 0) {
		k->start = before_end(k, (uint64_t)k->cfg.lines);
		if (k->counted) {
			k->start = k->count_lo;
			k->skip = k->count_skip;
		} else if (k->start > 0) {
			k->count_have = 0;
			k->count_step = k->end + 1 - k->start;
			count_back(k, k->start, k->end);
			return;
		}
	} else if (!k->cfg.have_start || s->kind == RS_SPEC_FIRST) {
		type = RS_OFFSET_FIRST;
		k->start = 0;
	} else {
		switch (s->kind) {
		case RS_SPEC_LAST:
			k->start = before_end(k, 1);
			break;
		case RS_SPEC_NEXT:
			type = RS_OFFSET_NEXT;
			k->start = k->have_end ? k->end + 1 : 0;
			nothing = 1;
			break;
		case RS_SPEC_FROM_END:
			k->start = before_end(k, s->offset);
			break;
		case RS_SPEC_TIMESTAMP:
			type = RS_OFFSET_TIMESTAMP;
			value = (uint64_t)s->time;
			k->start = 0;
			nothing = k->have_end && s->time > k->end_ts;
			break;
		default:
			k->start = s->offset;
			k->exact = 1;
			break;
		}
	}
	if (type == RS_OFFSET_OFFSET)
		value = k->verifying ? k->mark.first_offset : k->start;
	if (k->exact && k->have_first && k->start < k->first)
		say(k, k->cfg.warn, "records %llu to %llu are no longer in the "
		    "stream (retention); starting at %llu",
		    (unsigned long long)k->start,
		    (unsigned long long)k->first - 1,
		    (unsigned long long)k->first);
	if (!k->cfg.follow && (!k->have_end || nothing ||
	    (type == RS_OFFSET_OFFSET && k->start > k->end))) {
		say(k, k->cfg.log, "nothing to read before the end of the stream");
		finish(k);
		return;
	}
	say(k, k->cfg.log, "subscribing at %s %llu%s",
	    type == RS_OFFSET_FIRST ? "first" : type == RS_OFFSET_NEXT ? "next" :
	    type == RS_OFFSET_TIMESTAMP ? "timestamp" : "offset",
	    (unsigned long long)value, k->cfg.follow ? ", following" : "");
	k->subscribed = 1;
	k->credit_owed = 0;
	tally(k, 0);
	/* A command works through one chunk at a time: credit 1, then 1 per chunk done. */
	if (k->cfg.filter != NULL)	/* filter.N, match-unfiltered */
		nprops = rs_filter_properties(k->cfg.filter, &props);
	if (k->cfg.single_active) {
		k->active = 0;	/* until a ConsumerUpdate says so */
		k->verifying = 0;
		nprops = sac_properties(k, kv, props, nprops);
		props = kv;
	}
	rs_frame_subscribe(rs_conn_buf(c), rs_conn_corr(c, on_subscribe, k),
	    SUB(k, SUB_MAIN), k->cfg.stream, type, value,
	    k->cfg.argv != NULL ? 1 : INITIAL_CREDIT, props, nprops);
	k->granted = k->chunks_in;
	filter_barrier(k, k->cfg.argv != NULL ? 1 : INITIAL_CREDIT);
	rs_conn_flush(c);
	if (storing(k) && k->cfg.store_interval > 0)
		rs_timer_set(k->store_timer, k->cfg.store_interval,
		    k->cfg.store_interval);
}

/* The barrier's reply: every chunk the "last" subscription had is in. */
static void
on_barrier(struct rs_conn *c, const struct rs_frame *f, void *ud)
{
	struct rs_consumer	*k = ud;

	(void)f;
	if (k->have_end)
		say(k, k->cfg.log, "the stream ends at offset %llu",
		    (unsigned long long)k->end);
	else
		say(k, k->cfg.log, "the stream is empty");
	rs_frame_unsubscribe(rs_conn_buf(c), rs_conn_corr(c, on_ignore, k),
	    SUB(k, SUB_SNAP));
	if (k->probing_first)
		rs_frame_unsubscribe(rs_conn_buf(c),
		    rs_conn_corr(c, on_ignore, k), SUB(k, SUB_FIRST));
	subscribe(k);
}

static void
on_snap_subscribe(struct rs_conn *c, const struct rs_frame *f, void *ud)
{
	struct rs_consumer	*k = ud;

	(void)c;
	if (f->code != RS_OK) {
		rs_err_set(&k->err, RS_E_UNAVAILABLE, "cannot read the end of the "
		    "stream: %s", rs_proto_code_str(f->code));
		finish(k);
	}
}

/* Measure the end when it matters, then subscribe. */
static void
measure_end(struct rs_consumer *k)
{
	struct rs_conn	*c = k->conn;
	int		 needed;

	k->probing_first = k->has_stored || k->have_written ||
	    (k->cfg.have_start && k->cfg.start.kind == RS_SPEC_ABSOLUTE);
	needed = k->probing_first || !k->cfg.follow ||
	    (!k->has_stored && !k->have_written &&
	    (k->cfg.lines >= 0 || (k->cfg.have_start &&
	    (k->cfg.start.kind == RS_SPEC_LAST ||
	    k->cfg.start.kind == RS_SPEC_NEXT ||
	    k->cfg.start.kind == RS_SPEC_FROM_END))));
	if (!needed) {
		subscribe(k);
		return;
	}
	rs_frame_subscribe(rs_conn_buf(c), rs_conn_corr(c, on_snap_subscribe, k),
	    SUB(k, SUB_SNAP), k->cfg.stream, RS_OFFSET_LAST, 0, 1, NULL, 0);
	if (k->probing_first)
		rs_frame_subscribe(rs_conn_buf(c),
		    rs_conn_corr(c, on_snap_subscribe, k), SUB(k, SUB_FIRST),
		    k->cfg.stream, RS_OFFSET_FIRST, 0, 1, NULL, 0);
	rs_frame_metadata(rs_conn_buf(c), rs_conn_corr(c, on_barrier, k),
	    &k->cfg.stream, 1);
	rs_conn_flush(c);
}

static void
on_query(struct rs_conn *c, const struct rs_frame *f, void *ud)
{
	struct rs_consumer	*k = ud;

	(void)c;
	k->has_stored = 0;
	if (f->code == RS_OK && rs_frame_query_offset_decode(f, &k->stored) == 0) {
		k->has_stored = 1;
		say(k, k->cfg.log, "reader \"%s\": stored offset %llu",
		    k->cfg.name, (unsigned long long)k->stored);
	} else if (f->code == RS_NO_OFFSET || f->code == RS_OK)
		say(k, k->cfg.log, "reader \"%s\": no stored offset",
		    k->cfg.name);
	else {
		rs_err_set(&k->err, f->code == RS_ACCESS_REFUSED ? RS_E_NOPERM :
		    RS_E_UNAVAILABLE, "cannot query the offset of \"%s\": %s",
		    k->cfg.name, rs_proto_code_str(f->code));
		finish(k);
		return;
	}
	measure_end(k);
}

static void
located(struct rs_conn *c, const struct rs_err *err, void *ud)
{
	struct rs_consumer	*k = ud;

	if (c == NULL) {
		rs_err_set(&k->err, err->kind, "%s", err->msg);
		over(k);
		return;
	}
	if (k->cfg.group != NULL && k->cfg.group->attach != NULL) {
		/* Onto a connection shared with the group's other streams. */
		if (k->cfg.group->attach(k, c, k->cfg.group->ud) == -1) {
			rs_err_set(&k->err, RS_E_RUNTIME, "out of memory");
			over(k);
			return;
		}
		c = k->conn;
	} else {
		k->conn = c;
		rs_conn_set_handler(c, &con_handler, k);
	}
	/* --filter: RabbitMQ 3.13+ (exit 69, and no retry even with -F). */
	if (k->cfg.filter != NULL &&
	    rs_conn_require(c, RS_FEATURE_FILTERING, &k->err) == -1) {
		finish(k);
		return;
	}
	/* --single-active: RabbitMQ 3.11+ (exit 69). */
	if (k->cfg.single_active &&
	    rs_conn_require(c, RS_FEATURE_SINGLE_ACTIVE_CONSUMER, &k->err) == -1) {
		finish(k);
		return;
	}
	if (k->cfg.name != NULL && !k->cfg.reset && !k->have_written) {
		rs_frame_query_offset(rs_conn_buf(c), rs_conn_corr(c, on_query, k),
		    k->cfg.name, k->cfg.stream);
		rs_conn_flush(c);
		return;
	}
	measure_end(k);
}

/* Remember the chunk that the last record written came in. */
static void
mark(struct rs_consumer *k, const struct rs_chunk *ch)
{
	k->mark.valid = 1;
	k->mark.first_offset = ch->first_offset;
	k->mark.timestamp = ch->timestamp;
	k->mark.crc = ch->crc;
}

/* One record of chunk ch written: flush now if asked, count it for the store. */
static int
written(struct rs_consumer *k, const struct rs_chunk *ch, uint64_t off)
{
	if (k->cfg.line_buffered && write_out(k) == -1)
		return -1;
	k->printed++;
	if (k->cfg.group != NULL)
		k->cfg.group->printed++;
	k->since_store++;
	k->have_written = 1;
	k->last_written = off;
	mark(k, ch);
	tally(k, 0);
	return 0;
}

static void	cmd_next(struct rs_consumer *);
static void	step_down(struct rs_consumer *);

/* Append NAME=VALUE (VALUE n bytes, cut at a NUL) as one environment entry. */
static void
env_add(struct rs_consumer *k, size_t *i, const char *name, const char *v,
    size_t n)
{
	const char	*nul;

	if (*i >= RS_CMD_ENV_MAX)
		return;
	if ((nul = memchr(v, '\0', n)) != NULL)
		n = (size_t)(nul - v);
	rs_buf_put(&k->cmd_envbuf, name, strlen(name));
	rs_buf_u8(&k->cmd_envbuf, '=');
	rs_buf_put(&k->cmd_envbuf, v, n);
	rs_buf_u8(&k->cmd_envbuf, '\0');
	(*i)++;
}

/* NAME in the environment's style: RSTREAM_ prefix, upper case, '_' for the rest. */
static void
env_name(char *dst, size_t dlen, const char *prefix, const uint8_t *p, size_t n)
{
	size_t	 o = strlen(prefix), j;

	snprintf(dst, dlen, "%s", prefix);
	for (j = 0; j < n && o + 1 < dlen; j++)
		dst[o++] = isalnum(p[j]) ? (char)toupper(p[j]) : '_';
	dst[o] = '\0';
}

/*
 * The command's environment for one record: RSTREAM_STREAM,
 * RSTREAM_OFFSET, RSTREAM_TIMESTAMP; for an AMQP message each property
 * present (RSTREAM_CONTENT_TYPE, RSTREAM_MESSAGE_ID, ...) and each
 * application property (RSTREAM_HEADER_NAME), in their text form.
 */
static void
cmd_env(struct rs_consumer *k, const uint8_t *rec, size_t len, uint64_t off)
{
	struct rs_amqp_msg	 m;
	struct rs_amqp_iter	 it;
	struct rs_amqp_value	 key, v;
	char			 name[128], val[512], num[32];
	size_t			 i = 0, n, j, at;
	int			 pi;

	k->cmd_envbuf.len = 0;
	env_add(k, &i, "RSTREAM_STREAM", k->cfg.stream, strlen(k->cfg.stream));
	n = (size_t)snprintf(num, sizeof num, "%llu", (unsigned long long)off);
	env_add(k, &i, "RSTREAM_OFFSET", num, n);
	n = (size_t)snprintf(num, sizeof num, "%lld",
	    (long long)k->cmd_ch.timestamp);
	env_add(k, &i, "RSTREAM_TIMESTAMP", num, n);
	if (rs_amqp_parse(&m, rec, len)) {
		for (pi = 0; pi < RS_AMQP_P_MAX; pi++) {
			if (m.properties[pi].type == RS_AMQP_T_NULL ||
			    rs_amqp_text_fixed(val, sizeof val,
			    &m.properties[pi], &n) == -1)
				continue;
			env_name(name, sizeof name, "RSTREAM_",
			    (const uint8_t *)rs_amqp_property_name(pi),
			    strlen(rs_amqp_property_name(pi)));
			env_add(k, &i, name, val, n);
		}
		if (m.application_properties.type == RS_AMQP_T_MAP) {
			rs_amqp_iter_init(&it, &m.application_properties);
			while (rs_amqp_iter_next(&it, &key) == 1 &&
			    rs_amqp_iter_next(&it, &v) == 1) {
				if ((key.type != RS_AMQP_T_STRING &&
				    key.type != RS_AMQP_T_SYMBOL) ||
				    rs_amqp_text_fixed(val, sizeof val, &v,
				    &n) == -1)
					continue;
				env_name(name, sizeof name, "RSTREAM_HEADER_",
				    key.p, key.n);
				env_add(k, &i, name, val, n);
			}
		}
	}
	/* Point at the entries only now: the buffer may have moved. */
	for (j = 0, at = 0; j < i; j++) {
		k->cmd_envp[j] = (char *)k->cmd_envbuf.data + at;
		at += strlen(k->cmd_envp[j]) + 1;
	}
	k->cmd_envp[i] = NULL;
}

/* The command for record cmd_off exited with status. */
static void
cmd_done(void *ud, int status)
{
	struct rs_consumer	*k = ud;
	char			 how[64];

	if (k->done)
		return;
	if (WIFEXITED(status) && WEXITSTATUS(status) == 0)
		written(k, &k->cmd_ch, k->cmd_off);
	else {
		if (WIFEXITED(status))
			snprintf(how, sizeof how, "exit status %d",
			    WEXITSTATUS(status));
		else
			snprintf(how, sizeof how, "signal %d",
			    WIFSIGNALED(status) ? WTERMSIG(status) : 0);
		if (!k->cfg.on_error_skip) {
			rs_err_set(&k->err, RS_E_RUNTIME, "%s failed (%s) for the record "
			    "at offset %llu", k->cfg.argv[0], how,
			    (unsigned long long)k->cmd_off);
			finish(k);
			return;
		}
		say(k, k->cfg.warn, "%s failed (%s) for the record at offset "
		    "%llu; going on", k->cfg.argv[0], how,
		    (unsigned long long)k->cmd_off);
	}
	if ((k->cfg.count > 0 && total(k) >= k->cfg.count) ||
	    (!k->cfg.follow && k->cmd_off >= k->end)) {
		finish(k);
		return;
	}
	if (storing(k) && k->cfg.store_every > 0 &&
	    k->since_store >= k->cfg.store_every)
		store(k);
	cmd_next(k);
}

/* Run the command for the next record of the chunk in progress, or credit the next chunk. */
static void
cmd_next(struct rs_consumer *k)
{
	const uint8_t	*rec;
	size_t		 n;
	uint64_t	 off;
	int		 r;

	if (k->cfg.single_active && !k->active) {
		/* Stepped down: the rest of the chunk is the next reader's. */
		k->cmd_busy = 0;
		rs_frame_credit(rs_conn_buf(k->conn), SUB(k, SUB_MAIN), 1);
		if (k->cu_owed)
			step_down(k);
		rs_conn_flush(k->conn);
		return;
	}
	while ((r = rs_chunk_next(&k->cmd_ch, &rec, &n, &off)) == 1) {
		if (off < k->start)
			continue;
		if (k->skip > 0) {
			k->skip--;
			continue;
		}
		if (!k->cfg.follow && off > k->end)
			break;
		if (k->cfg.filter != NULL &&
		    !rs_filter_match(k->cfg.filter, rec, n))
			continue;	/* the Bloom filter let it through */
		k->cmd_off = off;
		k->cmd_body.len = 0;
		rs_output_body(&k->cmd_body, rec, n);
		cmd_env(k, rec, n, off);
		if (rs_runner_start(&k->runner, k->cmd_body.data ?
		    k->cmd_body.data : (const uint8_t *)"", k->cmd_body.len,
		    k->cmd_envp) == -1) {
			rs_err_set(&k->err, RS_E_RUNTIME, "%s: %s", k->cfg.argv[0],
			    k->runner.errstr);
			finish(k);
		}
		return;
	}
	if (r == -1) {
		rs_conn_fail(k->conn, RS_E_RUNTIME, "bad chunk: %s",
		    k->cmd_ch.errstr);
		return;
	}
	k->cmd_busy = 0;
	if (!k->cfg.follow &&
	    k->cmd_ch.first_offset + k->cmd_ch.nrecords > k->end) {
		finish(k);
		return;
	}
	rs_frame_credit(rs_conn_buf(k->conn), SUB(k, SUB_MAIN), 1);
	filter_barrier(k, 1);
	rs_conn_flush(k->conn);
}

/* Append one record in the output form asked for. */
static void
emit(struct rs_consumer *k, const struct rs_chunk *ch, uint64_t off,
    const uint8_t *rec, size_t n)
{
	struct rs_record_meta	 meta;
	struct rs_consumer_group *g = k->cfg.group;

	if (g != NULL && g->last != k && g->headers) {
		/* Like tail(1): a header before each run of another stream's records. */
		if (g->nheaders++ > 0)
			rs_buf_u8(&k->out, '\n');
		rs_buf_put(&k->out, "==> ", 4);
		rs_buf_put(&k->out, k->cfg.stream, strlen(k->cfg.stream));
		rs_buf_put(&k->out, " <==\n", 5);
	}
	if (g != NULL)
		g->last = k;
	if (!k->cfg.json && k->cfg.format == NULL) {
		rs_output_record(&k->cfg.output, &k->out, rec, n);
		return;
	}
	meta.stream = k->cfg.stream;
	meta.offset = off;
	meta.timestamp = ch->timestamp;
	meta.is_record = 0;
	if (k->cfg.json)
		rs_jsonout_record(&k->out, &meta, rec, n);
	else
		rs_format_record(k->cfg.format, &k->out, &meta, rec, n);
}

/* Unsubscribed from the stream that was there before: read the new one. */
static void
on_resubscribe(struct rs_conn *c, const struct rs_frame *f, void *ud)
{
	(void)c;
	(void)f;
	subscribe(ud);
}

/*
 * Is this first chunk after a resume the one the last record written came
 * in? The chunk holding that offset starts there in the same stream (one
 * that starts later means retention removed it). One that starts before
 * it, or differs, belongs to a stream made again: a shorter one attaches
 * the subscription at its end, before the offset asked for. (Comparing
 * ends instead would take a replica that lags the leader for a new stream.)
 */
static int
same_stream(const struct rs_consumer *k, const struct rs_chunk *ch)
{
	if (ch->first_offset != k->mark.first_offset)
		return ch->first_offset > k->mark.first_offset; /* retention */
	return ch->timestamp == k->mark.timestamp && ch->crc == k->mark.crc;
}

/* A chunk for the main subscription: print its records in range. */
static void
deliver(struct rs_consumer *k, const uint8_t *p, size_t len)
{
	struct rs_chunk	 ch;
	const uint8_t	*rec;
	size_t		 n;
	uint64_t	 off, pending = 0, last = 0;
	int		 r = 0, end = 0;

	if (rs_chunk_parse(&ch, p, len, !k->cfg.no_crc) == -1) {
		rs_conn_fail(k->conn, RS_E_RUNTIME, "bad chunk: %s", ch.errstr);
		return;
	}
	rs_chunk_scratch(&ch, &k->scratch);
	if (k->verifying) {
		k->verifying = 0;
		if (!same_stream(k, &ch)) {
			if (renewed(k) == -1)
				return;
			k->subscribed = 0;	/* what is still in flight is the old one's */
			rs_frame_unsubscribe(rs_conn_buf(k->conn),
			    rs_conn_corr(k->conn, on_resubscribe, k),
			    SUB(k, SUB_MAIN));
			rs_conn_flush(k->conn);
			return;
		}
	}
	if (ch.type == RS_CHUNK_USER && k->cfg.have_until &&
	    ch.timestamp >= k->cfg.until) {
		finish(k);
		return;
	}
	if (k->cfg.argv != NULL && k->cmd_busy) {
		rs_conn_fail(k->conn, RS_E_RUNTIME, "a chunk arrived without "
		    "credit");
		return;
	}
	if (k->cfg.argv != NULL && ch.type == RS_CHUNK_USER) {
		/* The read buffer moves on once we return: work on a copy. */
		k->cmd_chunk.len = 0;
		rs_buf_put(&k->cmd_chunk, p, len);
		if (k->cmd_chunk.oom ||
		    rs_chunk_parse(&k->cmd_ch, k->cmd_chunk.data, len, 0) == -1) {
			rs_err_set(&k->err, RS_E_RUNTIME, "out of memory");
			finish(k);
			return;
		}
		rs_chunk_scratch(&k->cmd_ch, &k->scratch);
		k->cmd_busy = 1;
		cmd_next(k);
		return;
	}
	if (ch.type == RS_CHUNK_USER) {
		while ((r = rs_chunk_next(&ch, &rec, &n, &off)) == 1) {
			if (off < k->start)
				continue;
			if (k->skip > 0) {
				k->skip--;
				continue;
			}
			if (!k->cfg.follow && off > k->end) {
				end = 1;
				break;
			}
			if (k->cfg.filter != NULL &&
			    !rs_filter_match(k->cfg.filter, rec, n))
				continue;	/* the Bloom filter let it through */
			emit(k, &ch, off, rec, n);
			if (k->cfg.line_buffered) {
				if (written(k, &ch, off) == -1)
					return;
			} else {
				pending++;
				last = off;
			}
			if ((k->cfg.count > 0 &&
			    total(k) + pending >= k->cfg.count) ||
			    (!k->cfg.follow && off == k->end)) {
				end = 1;
				break;
			}
		}
	}
	if (k->out.oom) {
		rs_err_set(&k->err, RS_E_RUNTIME, "out of memory");
		finish(k);
		return;
	}
	if (write_out(k) == -1)
		return;
	if (pending > 0) {
		k->printed += pending;
		if (k->cfg.group != NULL)
			k->cfg.group->printed += pending;
		k->since_store += pending;
		k->have_written = 1;
		k->last_written = last;
		mark(k, &ch);
		tally(k, 0);
	}
	if (r == -1) {
		rs_conn_fail(k->conn, RS_E_RUNTIME, "bad chunk: %s", ch.errstr);
		return;
	}
	if (storing(k) && k->cfg.store_every > 0 &&
	    k->since_store >= k->cfg.store_every)
		store(k);
	if (end || (!k->cfg.follow && ch.first_offset + ch.nrecords > k->end))
		finish(k);
	else if (++k->credit_owed >= CREDIT_BATCH) {
		rs_frame_credit(rs_conn_buf(k->conn), SUB(k, SUB_MAIN),
		    k->credit_owed);
		filter_barrier(k, k->credit_owed);
		rs_conn_flush(k->conn);
		k->credit_owed = 0;
	}
}

/*
 * deliver() with, in a group, the group's output buffer: a chunk's records
 * are written out before deliver() returns, so one buffer serves every
 * stream, and stays warm in the cache, instead of one a chunk big each.
 */
static void
deliver_chunk(struct rs_consumer *k, const uint8_t *p, size_t len)
{
	struct rs_buf	 own;

	if (k->cfg.group == NULL) {
		deliver(k, p, len);
		return;
	}
	own = k->out;
	k->out = k->cfg.group->out;
	deliver(k, p, len);
	k->cfg.group->out = k->out;
	k->out = own;
}

/* After a MetadataUpdate: a deleted stream ends the run (or, with -F, waits); a moved one reconnects. */
static void
on_moved(struct rs_conn *c, const struct rs_frame *f, void *ud)
{
	struct rs_consumer	*k = ud;
	struct rs_stream_meta	 m;
	int			 r;

	r = rs_frame_metadata_decode(f, k->cfg.stream, "", 0, &m);
	if (r == 0 || (r == 1 && m.code == RS_STREAM_DOES_NOT_EXIST)) {
		k->cluster.missing = 1;
		rs_err_set(&k->err, RS_E_UNAVAILABLE, "the stream was deleted");
	} else
		rs_err_set(&k->err, RS_E_TEMPFAIL, "the stream is no longer available "
		    "on this node (it moved, or a node went down)");
	(void)c;
	close_conn(k);
}

/*
 * --single-active: where a newly active reader starts, and set start: after
 * the offset stored for its name, or after its own last record if that is
 * later (it was active before); else where -o, -n or --since say.
 */
static void
sac_start(struct rs_consumer *k, uint16_t *type, uint64_t *value)
{
	const struct rs_offset_spec	*s = &k->cfg.start;
	uint64_t			 next = 0;

	*type = RS_OFFSET_OFFSET;
	k->exact = 0;
	k->start = 0;
	if (k->has_stored || k->have_written) {
		if (k->has_stored)
			next = k->stored + 1;
		if (k->have_written && k->last_written + 1 > next)
			next = k->last_written + 1;
		k->start = next;
		k->exact = 1;
	} else if (k->cfg.lines >= 0)
		k->start = before_end(k, (uint64_t)k->cfg.lines);
	else if (!k->cfg.have_start || s->kind == RS_SPEC_FIRST)
		*type = RS_OFFSET_FIRST;
	else if (s->kind == RS_SPEC_LAST)
		k->start = before_end(k, 1);
	else if (s->kind == RS_SPEC_FROM_END)
		k->start = before_end(k, s->offset);
	else if (s->kind == RS_SPEC_NEXT)
		*type = RS_OFFSET_NEXT;
	else if (s->kind == RS_SPEC_TIMESTAMP)
		*type = RS_OFFSET_TIMESTAMP;
	else {
		k->start = s->offset;
		k->exact = 1;
	}
	*value = *type == RS_OFFSET_TIMESTAMP ? (uint64_t)s->time : k->start;
}

/* Answer the ConsumerUpdate that made this reader active: start where sac_start() says. */
static void
sac_activate(struct rs_consumer *k)
{
	uint16_t	 type;
	uint64_t	 value;

	sac_start(k, &type, &value);
	k->active = 1;
	k->verifying = 0;
	say(k, k->cfg.log, "reader \"%s\" is active; starting at %s %llu",
	    k->cfg.name, type == RS_OFFSET_FIRST ? "first" :
	    type == RS_OFFSET_NEXT ? "next" : type == RS_OFFSET_TIMESTAMP ?
	    "timestamp" : "offset", (unsigned long long)value);
	rs_frame_consumer_update_response(rs_conn_buf(k->conn), k->cu_corr,
	    RS_OK, type, value);
	rs_conn_flush(k->conn);
}

/* No longer active: store the offset of the last record written, then answer. */
static void
step_down(struct rs_consumer *k)
{
	k->cu_owed = 0;
	store(k);
	rs_frame_consumer_update_response(rs_conn_buf(k->conn), k->cu_corr,
	    RS_OK, RS_OFFSET_NONE, 0);
	rs_conn_flush(k->conn);
}

/* The offset stored for the name, read afresh when the reader becomes active. */
static void
on_sac_query(struct rs_conn *c, const struct rs_frame *f, void *ud)
{
	struct rs_consumer	*k = ud;

	(void)c;
	if (k->done || k->conn == NULL)
		return;
	k->has_stored = 0;
	if (f->code == RS_OK && rs_frame_query_offset_decode(f, &k->stored) == 0)
		k->has_stored = 1;
	else if (f->code != RS_NO_OFFSET && f->code != RS_OK) {
		rs_err_set(&k->err, f->code == RS_ACCESS_REFUSED ? RS_E_NOPERM :
		    RS_E_UNAVAILABLE, "cannot query the offset of \"%s\": %s",
		    k->cfg.name, rs_proto_code_str(f->code));
		finish(k);
		return;
	}
	sac_activate(k);
}

/*
 * ConsumerUpdate (3.11+): the broker makes this reader the active one of
 * its name (it asks where to start: QueryOffset first, unless --reset), or
 * no longer active: the offset of the last record written is stored before
 * the answer, so that the next active reader starts right after it.
 */
static void
consumer_update(struct rs_consumer *k, struct rs_conn *c,
    const struct rs_frame *f)
{
	uint8_t	 sub, active;

	if (rs_frame_consumer_update_decode(f, &sub, &active) == -1) {
		rs_conn_fail(c, RS_E_RUNTIME, "bad frame from the broker: "
		    "malformed ConsumerUpdate");
		return;
	}
	if (!k->cfg.single_active || (uint8_t)(sub - k->sub_base) != SUB_MAIN) {
		rs_conn_fail(c, RS_E_RUNTIME, "bad frame from the broker: "
		    "ConsumerUpdate for subscription %u, which is not a single "
		    "active consumer", (unsigned)sub);
		return;
	}
	k->cu_corr = f->corr;
	if (active) {
		if (k->cfg.reset) {
			k->has_stored = 0;
			sac_activate(k);
			return;
		}
		rs_frame_query_offset(rs_conn_buf(c),
		    rs_conn_corr(c, on_sac_query, k), k->cfg.name,
		    k->cfg.stream);
		rs_conn_flush(c);
		return;
	}
	if (k->active)
		say(k, k->cfg.log, "reader \"%s\" is no longer active",
		    k->cfg.name);
	k->active = 0;
	if (k->cmd_busy) {
		k->cu_owed = 1;	/* cmd_next() answers once the command is done */
		return;
	}
	step_down(k);
}

static void
con_frame(struct rs_conn *c, const struct rs_frame *f, void *ud)
{
	struct rs_consumer	*k = ud;
	struct rs_chunk		 ch;
	struct rs_str		 s;
	const uint8_t		*chunk;
	size_t			 len;
	uint16_t		 code;
	uint8_t			 sub;

	if (k->done)
		return;
	switch (f->key) {
	case RS_DELIVER:
		if (rs_frame_deliver_decode(f, &sub, &chunk, &len) == -1) {
			rs_conn_fail(c, RS_E_RUNTIME, "malformed Deliver");
			return;
		}
		sub -= k->sub_base;
		if (sub == SUB_SNAP) {
			if (rs_chunk_parse(&ch, chunk, len, 0) == -1) {
				rs_conn_fail(c, RS_E_RUNTIME, "bad chunk: %s",
				    ch.errstr);
				return;
			}
			if (ch.nrecords > 0) {
				k->have_end = 1;
				k->end = ch.first_offset + ch.nrecords - 1;
				k->end_ts = ch.timestamp;
			}
		} else if (sub == SUB_FIRST && k->counting) {
			count_chunk(k, chunk, len);
		} else if (sub == SUB_FIRST) {
			if (rs_chunk_parse(&ch, chunk, len, 0) == -1) {
				rs_conn_fail(c, RS_E_RUNTIME, "bad chunk: %s",
				    ch.errstr);
				return;
			}
			if (ch.nrecords > 0 && !k->have_first) {
				k->have_first = 1;
				k->first = ch.first_offset;
			}
		} else if (sub == SUB_MAIN && k->subscribed &&
		    k->cfg.single_active && !k->active) {
			/* Sent before we stepped down: the next reader has it. */
			rs_frame_credit(rs_conn_buf(c), SUB(k, SUB_MAIN), 1);
			rs_conn_flush(c);
		} else if (sub == SUB_MAIN && k->subscribed) {
			k->chunks_in++;
			k->bytes_in += len;
			deliver_chunk(k, chunk, len);
		}
		break;
	case RS_METADATA_UPDATE:
		if (rs_frame_metadata_update_decode(f, &code, &s) == -1)
			code = 0;
		/* Deleted, or moved? Metadata tells. */
		rs_frame_metadata(rs_conn_buf(c), rs_conn_corr(c, on_moved, k),
		    &k->cfg.stream, 1);
		rs_conn_flush(c);
		break;
	case RS_CONSUMER_UPDATE:
		consumer_update(k, c, f);
		break;
	case RS_CREDIT | RS_RESPONSE:
		if (f->code == RS_SUBSCRIPTION_ID_DOES_NOT_EXIST)
			break;	/* a credit racing an unsubscribe */
		rs_err_set(&k->err, RS_E_RUNTIME, "credit refused: %s",
		    rs_proto_code_str(f->code));
		finish(k);
		break;
	default:
		break;
	}
}

/* stdout (a pipe) reported an error while idle: its reader is gone. */
static void
out_event(void *ud, int events)
{
	struct rs_consumer	*k = ud;
	struct pollfd		 pfd = { .fd = k->cfg.out_fd, .events = 0 };

	(void)events;
	if (poll(&pfd, 1, 0) == 1 && (pfd.revents & (POLLERR | POLLHUP))) {
		k->out_closed = 1;
		rs_io_free(k->out_watch);
		k->out_watch = NULL;
		finish(k);
	}
}

/* SIGINT, SIGTERM, SIGHUP: store the offset and end; a second one ends the run at once. */
static void
on_signal(struct rs_consumer *k, int signo)
{
	if (k->signo != 0) {
		signal(signo, SIG_DFL);
		raise(signo);
		return;
	}
	k->signo = signo;
	rs_timer_stop(k->retry_timer);
	finish(k);
}

static void	sig_int(void *ud) { on_signal(ud, SIGINT); }
static void	sig_term(void *ud) { on_signal(ud, SIGTERM); }
static void	sig_hup(void *ud) { on_signal(ud, SIGHUP); }

static void
cluster_log(const char *msg, void *ud)
{
	struct rs_consumer	*k = ud;

	say(k, k->cfg.log, "%s", msg);
}

/* Connect (again), with the per-connection state reset. */
static void
attempt(struct rs_consumer *k)
{
	k->have_end = k->has_stored = k->subscribed = k->have_first = 0;
	k->fb_sent = k->fb_answered = 0;
	k->end = k->stored = 0;
	k->final_tries = 0;
	memset(&k->cluster, 0, sizeof k->cluster);
	k->cluster.loop = k->loop;
	k->cluster.conn = k->cfg.conn;
	k->cluster.name = "rstream-tail";
	k->cluster.stream = k->cfg.stream;
	k->cluster.want_leader = 0;
	k->cluster.done = located;
	k->cluster.ud = k;
	k->cluster.log = cluster_log;
	if (k->cfg.group != NULL && k->cfg.group->via != NULL)
		k->cluster.via = k->cfg.group->via(k, k->cfg.group->ud);
	rs_cluster_open(&k->cluster);
}

static void
retry_tick(void *ud)
{
	attempt(ud);
}

/*
 * Set up and start reading; the loop is not run. A consumer of a group
 * leaves signals and the output's watcher to the group (multi.c). 0, or
 * -1 with err set.
 */
int
rs_consumer_start(struct rs_consumer *k, const struct rs_consumer_cfg *cfg,
    struct rs_loop *loop)
{
	struct stat	 st;

	memset(k, 0, sizeof *k);
	k->cfg = *cfg;
	k->loop = loop;
	rs_buf_init(&k->out);
	rs_buf_init(&k->cmd_chunk);
	rs_buf_init(&k->cmd_body);
	rs_runner_init(&k->runner, loop, cfg->argv, cmd_done, k);
	rs_buf_init(&k->cmd_envbuf);
	if ((k->store_timer = rs_timer_new(loop, store_tick, k)) == NULL ||
	    (k->retry_timer = rs_timer_new(loop, retry_tick, k)) == NULL) {
		rs_err_set(&k->err, RS_E_RUNTIME, "out of memory");
		return -1;
	}
	if (cfg->group == NULL) {
		k->sigs[0] = rs_sig_new(loop, SIGINT, sig_int, k);
		k->sigs[1] = rs_sig_new(loop, SIGTERM, sig_term, k);
		k->sigs[2] = rs_sig_new(loop, SIGHUP, sig_hup, k);
		if (fstat(cfg->out_fd, &st) == 0 && S_ISFIFO(st.st_mode) &&
		    (k->out_watch = rs_io_new(loop, cfg->out_fd, out_event,
		    k)) != NULL)
			rs_io_set(k->out_watch, RS_READ);
	}
	attempt(k);
	return 0;
}

/* Read the stream as configured; 0 on success (a closed output included), -1 with err set. */
int
rs_consumer_run(struct rs_consumer *k, const struct rs_consumer_cfg *cfg,
    struct rs_loop *loop)
{
	if (rs_consumer_start(k, cfg, loop) == -1)
		return -1;
	if (!k->stopped)
		rs_loop_run(loop);
	return k->err.kind == RS_E_OK && k->signo == 0 ? 0 : -1;
}

/* End the run of this consumer (signal, count, closed output): store, close, stop. */
void
rs_consumer_stop(struct rs_consumer *k)
{
	if (k->stopped)
		return;
	rs_timer_stop(k->retry_timer);
	finish(k);
}

/* A frame for this consumer, from the group's shared connection c. */
void
rs_consumer_frame(struct rs_consumer *k, struct rs_conn *c,
    const struct rs_frame *f)
{
	con_frame(c, f, k);
}

/* The group's shared connection c failed (or closed, closed set). */
void
rs_consumer_conn_lost(struct rs_consumer *k, struct rs_conn *c, int closed)
{
	if (closed)
		con_closed(c, k);
	else
		con_error(c, k);
}

void
rs_consumer_free(struct rs_consumer *k)
{
	size_t	 i;

	rs_io_free(k->out_watch);
	release(k);
	rs_cluster_free(&k->cluster);
	rs_timer_free(k->store_timer);
	rs_timer_free(k->retry_timer);
	for (i = 0; i < 3; i++)
		rs_sig_free(k->sigs[i]);
	rs_buf_free(&k->out);
	rs_runner_stop(&k->runner);
	rs_buf_free(&k->cmd_chunk);
	rs_buf_free(&k->cmd_body);
	rs_buf_free(&k->cmd_envbuf);
	rs_chunk_scratch_free(&k->scratch);
}
