/*
 * subscribe.c: where a consumer starts reading, and the Subscribe
 * (PROTOCOL.adoc "Subscribe", "QueryOffset", "Unsubscribe", "Credit").
 *
 * A named reader (-N) starts after the offset stored for its name (unless
 * --reset); a reader going on after a failure starts after the last record
 * it wrote; otherwise -o, --since or -n say where.
 *
 * The end of the stream as it was when the run started is needed to stop
 * there (no -f) and to start N records before it (-n, -o last, -o -N).
 * RabbitMQ 3.10.8 has no StreamStats, so it is measured: a second
 * subscription at "last" with credit 1, followed at once by a Metadata
 * request as a barrier. The broker sends a subscription's first chunks
 * while it handles the Subscribe, before it reads the next request, so if
 * no chunk arrived by the time the barrier's reply does, the stream was
 * empty. The last chunk's first offset plus its record count, minus one,
 * is the end. A third subscription, at "first", finds where retention
 * starts the stream, to warn of records asked for that are gone.
 *
 * --filter without -f ends where the broker has no more to send: each
 * Credit is followed by a Metadata barrier too, and credit still unused
 * when its reply comes means no chunk left before the end matches.
 *
 * A reader going on after a failure checks that the first chunk is the one
 * its last record came in: a stream deleted and made again under the same
 * name restarts its offsets (rs_subscribe_check()).
 *
 * Deliveries of the main subscription are deliver.c's; these are the
 * requests that come before them, and the chunks of the other two ids.
 */
#include "config.h"

#include <stdio.h>

#include "consumerstate.h"
#include "emit.h"
#include "frame.h"
#include "proto.h"
#include "stop.h"
#include "subscribe.h"

#define INITIAL_CREDIT	8	/* chunks the broker may send ahead */

/* say(x, fn, fmt, ...): a line through fn (cfg.log or cfg.warn), if set. */
#define say(x, fn, ...)	rs_say((fn), (x)->cfg.log_ud, __VA_ARGS__)

/* The reply to the main Subscribe: reading (again), or refused. */
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
		rs_stop_finish(k);
	}
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
		rs_stop_finish(k);
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

/* Give the main subscription credit chunks more (a filter barrier after), and send. */
void
rs_subscribe_credit(struct rs_consumer *k, uint16_t credit)
{
	rs_frame_credit(rs_conn_buf(k->conn), RS_SUB(k, RS_SUB_MAIN), credit);
	filter_barrier(k, credit);
	rs_conn_flush(k->conn);
}

/* The first offset for n records before the end. */
uint64_t
rs_subscribe_before_end(const struct rs_consumer *k, uint64_t n)
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
		rs_stop_finish(k);
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
	    k), RS_SUB(k, RS_SUB_FIRST), k->cfg.stream, RS_OFFSET_OFFSET, lo,
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
		    rs_conn_corr(k->conn, on_counted, k),
		    RS_SUB(k, RS_SUB_FIRST));
	} else
		rs_frame_credit(rs_conn_buf(k->conn), RS_SUB(k, RS_SUB_FIRST),
		    1);
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
		k->start = rs_subscribe_before_end(k, (uint64_t)k->cfg.lines);
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
			k->start = rs_subscribe_before_end(k, 1);
			break;
		case RS_SPEC_NEXT:
			type = RS_OFFSET_NEXT;
			k->start = k->have_end ? k->end + 1 : 0;
			nothing = 1;
			break;
		case RS_SPEC_FROM_END:
			k->start = rs_subscribe_before_end(k, s->offset);
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
		rs_stop_finish(k);
		return;
	}
	say(k, k->cfg.log, "subscribing at %s %llu%s",
	    type == RS_OFFSET_FIRST ? "first" : type == RS_OFFSET_NEXT ? "next" :
	    type == RS_OFFSET_TIMESTAMP ? "timestamp" : "offset",
	    (unsigned long long)value, k->cfg.follow ? ", following" : "");
	k->subscribed = 1;
	k->credit_owed = 0;
	rs_emit_tally(k, 0);
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
	    RS_SUB(k, RS_SUB_MAIN), k->cfg.stream, type, value,
	    k->cfg.argv != NULL ? 1 : INITIAL_CREDIT, props, nprops);
	k->granted = k->chunks_in;
	filter_barrier(k, k->cfg.argv != NULL ? 1 : INITIAL_CREDIT);
	rs_conn_flush(c);
	if (rs_stop_storing(k) && k->cfg.store_interval > 0)
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
	rs_frame_unsubscribe(rs_conn_buf(c), rs_conn_corr(c, NULL, k),
	    RS_SUB(k, RS_SUB_SNAP));
	if (k->probing_first)
		rs_frame_unsubscribe(rs_conn_buf(c),
		    rs_conn_corr(c, NULL, k), RS_SUB(k, RS_SUB_FIRST));
	subscribe(k);
}

/* The reply to a Subscribe at "last" or "first" (or a stretch back): refused ends the run. */
static void
on_snap_subscribe(struct rs_conn *c, const struct rs_frame *f, void *ud)
{
	struct rs_consumer	*k = ud;

	(void)c;
	if (f->code != RS_OK) {
		rs_err_set(&k->err, RS_E_UNAVAILABLE, "cannot read the end of the "
		    "stream: %s", rs_proto_code_str(f->code));
		rs_stop_finish(k);
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
	    RS_SUB(k, RS_SUB_SNAP), k->cfg.stream, RS_OFFSET_LAST, 0, 1, NULL,
	    0);
	if (k->probing_first)
		rs_frame_subscribe(rs_conn_buf(c),
		    rs_conn_corr(c, on_snap_subscribe, k),
		    RS_SUB(k, RS_SUB_FIRST), k->cfg.stream, RS_OFFSET_FIRST, 0, 1,
		    NULL, 0);
	rs_frame_metadata(rs_conn_buf(c), rs_conn_corr(c, on_barrier, k),
	    &k->cfg.stream, 1);
	rs_conn_flush(c);
}

/*
 * The reply to a QueryOffset for the name: set has_stored and stored (no
 * offset stored yet is no error). -1 if the query was refused: the run is
 * finishing.
 */
int
rs_subscribe_stored(struct rs_consumer *k, const struct rs_frame *f)
{
	k->has_stored = 0;
	if (f->code == RS_OK && rs_frame_query_offset_decode(f, &k->stored) == 0)
		k->has_stored = 1;
	else if (f->code != RS_NO_OFFSET && f->code != RS_OK) {
		rs_err_set(&k->err, f->code == RS_ACCESS_REFUSED ? RS_E_NOPERM :
		    RS_E_UNAVAILABLE, "cannot query the offset of \"%s\": %s",
		    k->cfg.name, rs_proto_code_str(f->code));
		rs_stop_finish(k);
		return -1;
	}
	return 0;
}

/* The offset stored for a named reader, which the start goes after: then measure the end. */
static void
on_query(struct rs_conn *c, const struct rs_frame *f, void *ud)
{
	struct rs_consumer	*k = ud;

	(void)c;
	if (rs_subscribe_stored(k, f) == -1)
		return;
	if (k->has_stored)
		say(k, k->cfg.log, "reader \"%s\": stored offset %llu",
		    k->cfg.name, (unsigned long long)k->stored);
	else
		say(k, k->cfg.log, "reader \"%s\": no stored offset",
		    k->cfg.name);
	measure_end(k);
}

/*
 * On the connection k->conn: ask for a named reader's stored offset (unless
 * --reset, or going on after a record written), measure the end where it
 * matters, then subscribe.
 */
void
rs_subscribe_begin(struct rs_consumer *k)
{
	struct rs_conn	*c = k->conn;

	if (k->cfg.name != NULL && !k->cfg.reset && !k->have_written) {
		rs_frame_query_offset(rs_conn_buf(c), rs_conn_corr(c, on_query, k),
		    k->cfg.name, k->cfg.stream);
		rs_conn_flush(c);
		return;
	}
	measure_end(k);
}

/*
 * A chunk for the subscriptions that find where to start: at "last" (the
 * end of the stream), at "first" (where retention starts it), or a stretch
 * read back for -n.
 */
void
rs_subscribe_probe(struct rs_consumer *k, struct rs_conn *c, uint8_t sub,
    const uint8_t *chunk, size_t len)
{
	struct rs_chunk	 ch;

	if (sub == RS_SUB_FIRST && k->counting) {
		count_chunk(k, chunk, len);
		return;
	}
	if (rs_chunk_parse(&ch, chunk, len, 0) == -1) {
		rs_conn_fail(c, RS_E_RUNTIME, "bad chunk: %s", ch.errstr);
		return;
	}
	if (sub == RS_SUB_SNAP && ch.nrecords > 0) {
		k->have_end = 1;
		k->end = ch.first_offset + ch.nrecords - 1;
		k->end_ts = ch.timestamp;
	} else if (sub == RS_SUB_FIRST && ch.nrecords > 0 && !k->have_first) {
		k->have_first = 1;
		k->first = ch.first_offset;
	}
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

/*
 * The first chunk after a resume (k->verifying): 0 if it is the one the
 * last record written came in, so reading goes on. -1 if not: the stream
 * was made again, and the run ends (without -F) or the new one is
 * subscribed to from its start; the caller drops the chunk.
 */
int
rs_subscribe_check(struct rs_consumer *k, const struct rs_chunk *ch)
{
	k->verifying = 0;
	if (same_stream(k, ch))
		return 0;
	if (renewed(k) == -1)
		return -1;
	k->subscribed = 0;	/* what is still in flight is the old one's */
	rs_frame_unsubscribe(rs_conn_buf(k->conn),
	    rs_conn_corr(k->conn, on_resubscribe, k), RS_SUB(k, RS_SUB_MAIN));
	rs_conn_flush(k->conn);
	return -1;
}
