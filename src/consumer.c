/*
 * consumer.c: the consuming side of rstream-tail: a consumer's life and
 * its connection (PROTOCOL.adoc "Deliver", "MetadataUpdate",
 * "ConsumerUpdate").
 *
 * A run locates the stream's node (cluster.c, a replica for reading),
 * checks the broker has what the options need (--filter: 3.13+,
 * --single-active: 3.11+), then finds where to start and subscribes
 * (subscribe.c). The frames the broker sends unasked go where they belong:
 * a Deliver to the chunk's subscription (deliver.c for the records,
 * subscribe.c for the chunks that measure the end), a ConsumerUpdate to
 * sac.c, a MetadataUpdate to a Metadata request that tells a deleted
 * stream from a moved one. A lost connection, a signal, the output closed
 * end the run or the connection (stop.c), and under -F or --retry-for the
 * retry timer connects again from here, with the per-connection state
 * reset.
 *
 * The consumer's files, each calling only those after it, so that no two
 * call each other: consumer.c (this one), deliver.c (a chunk's records),
 * command.c (-- COMMAND, once per record), sac.c (--single-active),
 * subscribe.c (where to start, the Subscribe, credit), emit.c (records
 * out and counted), stop.c (the offset store, the end of a connection and
 * of the run). Their shared state is consumerstate.h.
 *
 * Several streams (multi.c): a consumer per stream in a group (cfg.group)
 * that shares the count of records written, the output buffer, the
 * "==> STREAM <==" headers, the signals and connections: on a shared one
 * a consumer's subscription ids start at sub_base, and leaving it
 * (rs_stop_release(), rs_stop_close()) is the group's detach(), not a
 * close; a consumer that is over tells the group instead of ending the
 * loop.
 */
#include "config.h"

#include <poll.h>
#include <string.h>
#include <sys/stat.h>

#include "command.h"
#include "consumer.h"
#include "deliver.h"
#include "frame.h"
#include "proto.h"
#include "sac.h"
#include "stop.h"
#include "subscribe.h"

static void	con_frame(struct rs_conn *, const struct rs_frame *, void *);
static void	con_error(struct rs_conn *, void *);
static void	con_closed(struct rs_conn *, void *);

static const struct rs_conn_handler con_handler = {
	NULL, con_frame, con_error, con_closed, NULL, NULL
};

/* say(x, fn, fmt, ...): a line through fn (cfg.log or cfg.warn), if set. */
#define say(x, fn, ...)	rs_say((fn), (x)->cfg.log_ud, __VA_ARGS__)

/* The connection closed (after a Close, ours or the broker's). */
static void
con_closed(struct rs_conn *c, void *ud)
{
	(void)c;
	rs_stop_over(ud);
}

/* The connection failed: keep why, unless the run was over anyway. */
static void
con_error(struct rs_conn *c, void *ud)
{
	struct rs_consumer	*k = ud;

	if (!k->done)
		rs_err_set(&k->err, rs_conn_err(c)->kind, "%s", rs_conn_err(c)->msg);
	rs_stop_over(k);
}

/* cluster.c found the stream's node (c), or failed (c NULL): start reading there. */
static void
located(struct rs_conn *c, const struct rs_err *err, void *ud)
{
	struct rs_consumer	*k = ud;

	if (c == NULL) {
		rs_err_set(&k->err, err->kind, "%s", err->msg);
		rs_stop_over(k);
		return;
	}
	if (k->cfg.group != NULL && k->cfg.group->attach != NULL) {
		/* Onto a connection shared with the group's other streams. */
		if (k->cfg.group->attach(k, c, k->cfg.group->ud) == -1) {
			rs_err_set(&k->err, RS_E_RUNTIME, "out of memory");
			rs_stop_over(k);
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
		rs_stop_finish(k);
		return;
	}
	/* --single-active: RabbitMQ 3.11+ (exit 69). */
	if (k->cfg.single_active &&
	    rs_conn_require(c, RS_FEATURE_SINGLE_ACTIVE_CONSUMER, &k->err) == -1) {
		rs_stop_finish(k);
		return;
	}
	rs_subscribe_begin(k);
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
	rs_stop_close(k);
}

/* A frame the broker sent unasked: hand it to whoever it is for. */
static void
con_frame(struct rs_conn *c, const struct rs_frame *f, void *ud)
{
	struct rs_consumer	*k = ud;
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
		if (sub == RS_SUB_SNAP || sub == RS_SUB_FIRST)
			rs_subscribe_probe(k, c, sub, chunk, len);
		else if (sub == RS_SUB_MAIN && k->subscribed &&
		    k->cfg.single_active && !k->active) {
			/* Sent before we stepped down: the next reader has it. */
			rs_frame_credit(rs_conn_buf(c), RS_SUB(k, RS_SUB_MAIN),
			    1);
			rs_conn_flush(c);
		} else if (sub == RS_SUB_MAIN && k->subscribed) {
			k->chunks_in++;
			k->bytes_in += len;
			rs_deliver_chunk(k, chunk, len);
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
		rs_sac_update(k, c, f);
		break;
	case RS_CREDIT | RS_RESPONSE:
		if (f->code == RS_SUBSCRIPTION_ID_DOES_NOT_EXIST)
			break;	/* a credit racing an unsubscribe */
		rs_err_set(&k->err, RS_E_RUNTIME, "credit refused: %s",
		    rs_proto_code_str(f->code));
		rs_stop_finish(k);
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
		rs_stop_finish(k);
	}
}

/* SIGINT, SIGTERM, SIGHUP: store the offset and end (a second one ends the run at once: loop.c). */
static void
on_signal(void *ud, int signo)
{
	struct rs_consumer	*k = ud;

	k->signo = signo;
	rs_timer_stop(k->retry_timer);
	rs_stop_finish(k);
}


/* -v: cluster.c's lines, through cfg.log. */
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

/* The retry timer: connect again. */
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
	rs_command_init(k);
	if ((k->store_timer = rs_timer_new(loop, rs_stop_store_tick,
	    k)) == NULL ||
	    (k->retry_timer = rs_timer_new(loop, retry_tick, k)) == NULL) {
		rs_err_set(&k->err, RS_E_RUNTIME, "out of memory");
		return -1;
	}
	if (cfg->group == NULL) {
		k->stop_sigs = rs_sig_stop_new(loop, on_signal, k);
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
	rs_stop_finish(k);
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

/* Free what the consumer holds; the loop must no longer run it. */
void
rs_consumer_free(struct rs_consumer *k)
{
	rs_io_free(k->out_watch);
	rs_stop_release(k);
	rs_cluster_free(&k->cluster);
	rs_timer_free(k->store_timer);
	rs_timer_free(k->retry_timer);
	rs_sig_stop_free(k->stop_sigs);
	rs_buf_free(&k->out);
	rs_command_free(k);
	rs_chunk_scratch_free(&k->scratch);
}
