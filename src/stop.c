/*
 * stop.c: how a consumer's run ends, and its connection (PROTOCOL.adoc
 * "StoreOffset", "QueryOffset").
 *
 * A named reader (-N) stores the offset of the last record written: every
 * store_every records (the delivering files ask), every store_interval
 * seconds (the store timer), and at the end, where a QueryOffset then
 * checks the store took effect before the connection closes. Nothing past
 * a record whose write failed is ever stored.
 *
 * finish() is the end of the run, whatever ends it (the end of the stream,
 * -c, --until, a signal, the output closed, an error): the offset stored,
 * then the connection closed politely. over() is the end of a connection
 * (closed, failed or never made): under -F, or for a reader that was
 * reading and --retry-for, it tries again later (the retry timer, set up by
 * consumer.c); otherwise the consumer stops, which ends the loop, or in a
 * group tells the group. A consumer on a group's shared connection leaves
 * it (the group's detach()) instead of closing it.
 *
 * The lowest of the consumer's files: every other one calls these, and
 * these call none of them.
 */
#include "config.h"

#include <stdio.h>

#include "consumerstate.h"
#include "frame.h"
#include "proto.h"
#include "stop.h"

#define FINAL_TRIES	40	/* QueryOffset checks of the last store, 50 ms apart */
#define RETRY_MAX	15.0	/* -F: longest wait between attempts */

/* say(x, fn, fmt, ...): a line through fn (cfg.log or cfg.warn), if set. */
#define say(x, fn, ...)	rs_say((fn), (x)->cfg.log_ud, __VA_ARGS__)

/* Does this run store a named reader's offset? */
int
rs_stop_storing(const struct rs_consumer *k)
{
	return k->cfg.name != NULL && !k->cfg.no_store;
}

/* Let go of the connection: free it, or leave the group's shared one. */
void
rs_stop_release(struct rs_consumer *k)
{
	if (k->conn == NULL)
		return;
	if (k->cfg.group != NULL && k->cfg.group->detach != NULL)
		k->cfg.group->detach(k, k->cfg.group->ud);
	else
		rs_conn_free(k->conn);
	k->conn = NULL;
}

/* Close the connection politely (rs_stop_over() follows), or leave a shared one now. */
void
rs_stop_close(struct rs_consumer *k)
{
	if (k->cfg.group != NULL && k->cfg.group->detach != NULL)
		rs_stop_over(k);
	else
		rs_conn_close(k->conn);
}

/* The connection is over (closed, failed or never made): retry under -F, or stop. */
void
rs_stop_over(struct rs_consumer *k)
{
	double	 wait, now;
	int	 missing, retry;

	rs_timer_stop(k->store_timer);
	rs_stop_release(k);
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

/* Store the offset of the last record written, if a named reader has one not yet stored. */
void
rs_stop_store(struct rs_consumer *k)
{
	if (!rs_stop_storing(k) || !k->have_written || k->conn == NULL ||
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

/* The reply to the last store's check: close once it took, else ask again (the store timer). */
static void
on_final_query(struct rs_conn *c, const struct rs_frame *f, void *ud)
{
	struct rs_consumer	*k = ud;
	uint64_t		 off;

	(void)c;
	if (f->code == RS_OK && rs_frame_query_offset_decode(f, &off) == 0 &&
	    off == k->last_store) {
		rs_stop_close(k);
		return;
	}
	if (++k->final_tries >= FINAL_TRIES) {
		say(k, k->cfg.warn, "the stored offset of \"%s\" could not be "
		    "checked", k->cfg.name);
		rs_stop_close(k);
		return;
	}
	rs_timer_set(k->store_timer, 0.05, 0.);
}

/* Ask for the offset stored for the name: did the last store take effect? */
static void
final_check(struct rs_consumer *k)
{
	rs_frame_query_offset(rs_conn_buf(k->conn),
	    rs_conn_corr(k->conn, on_final_query, k), k->cfg.name,
	    k->cfg.stream);
	rs_conn_flush(k->conn);
}

/* The run is over: store the offset (named readers), close politely, then stop. */
void
rs_stop_finish(struct rs_consumer *k)
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
		rs_stop_over(k);
		return;
	}
	if (rs_stop_storing(k) && k->have_written && !k->out_closed &&
	    (!k->have_store || k->last_store != k->last_written)) {
		rs_stop_store(k);
		final_check(k);
		return;
	}
	rs_stop_close(k);
}

/* The store timer: store every store_interval seconds; after finish, check the last store again. */
void
rs_stop_store_tick(void *ud)
{
	struct rs_consumer	*k = ud;

	if (k->done) {
		if (k->conn != NULL)
			final_check(k);
		return;
	}
	rs_stop_store(k);
}
