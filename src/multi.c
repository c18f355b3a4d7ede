/*
 * multi.c: several streams in one rstream-tail run (and --super-stream,
 * PROTOCOL.adoc "Partitions").
 *
 * Each stream keeps its own consumer (consumer.c): its own subscription
 * on a replica or the leader, found through cluster.c, its own credit, its
 * own named-reader offset (-N NAME stores one offset per stream under the
 * same name). This file puts them on one loop and shares what can be
 * shared, through struct rs_consumer_group: the count of records written
 * (-c counts over all streams), the stream whose record was written last
 * (for the "==> STREAM <==" headers), the output buffer, the signals, the
 * watch on a closed stdout, and a connection per node (multipool.c: a
 * connection has 256 subscription ids, a consumer takes 3, so 85 streams
 * share one and more are opened past that; this file starts the consumers
 * as the pool's connections open, kick() below). A consumer writes a chunk's
 * records with blocking writes before it returns to the loop, so records
 * are never interleaved, each stream's come in offset order, and the one
 * output buffer is free again for the next chunk.
 *
 * A stream that fails (it does not exist, it was deleted, access refused)
 * is reported through cfg.failed and the others go on; a failure of the
 * run itself (a write error, a failed COMMAND, -c reached, stdout closed,
 * a signal) ends every consumer.
 *
 * --super-stream: a connection to a seed asks Partitions for each super
 * stream given (partition.c; RabbitMQ 3.11+, refused on older brokers
 * with the version in the message), then the partitions are read as
 * above.
 */
#include "config.h"

#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "frame.h"
#include "multi.h"
#include "multipool.h"
#include "partition.h"
#include "proto.h"

static void	kick_soon(void *);

/* Tell every consumer still reading to end. */
static void
stop_all(struct rs_multi *m)
{
	size_t	 i;

	if (m->stopping)
		return;
	m->stopping = 1;
	/* Those not started yet never will be. */
	m->live -= m->nwant - m->pool.ncons;
	m->nwant = m->pool.ncons;
	for (i = 0; i < m->pool.ncons; i++)
		rs_consumer_stop(&m->pool.cons[i]);
	if (m->live == 0)
		rs_loop_break(m->loop);
}

/* A consumer began to end: does the whole run end with it? */
static void
finishing(struct rs_consumer *k, void *ud)
{
	struct rs_multi	*m = ud;

	if (k->out_closed || (k->cfg.count > 0 &&
	    m->group.printed >= k->cfg.count) || k->err.kind == RS_E_RUNTIME)
		stop_all(m);
}

/* A consumer is over: report its failure; the last one ends the loop. */
static void
stopped(struct rs_consumer *k, void *ud)
{
	struct rs_multi	*m = ud;

	if (k->err.kind != RS_E_OK) {
		if (m->err.kind == RS_E_OK)
			m->err = k->err;
		if (m->cfg.failed != NULL)
			m->cfg.failed(k->cfg.stream, &k->err, m->cfg.ud);
		if (k->err.kind == RS_E_RUNTIME)
			stop_all(m);
	}
	if (--m->live == 0)
		rs_loop_break(m->loop);
	else
		kick_soon(m);
}

/* SIGINT, SIGTERM, SIGHUP: every reader stores its offset and ends (a second one ends at once: loop.c). */
static void
on_signal(void *ud, int signo)
{
	struct rs_multi	*m = ud;

	m->signo = signo;
	stop_all(m);
}


/* stdout (a pipe) reported an error while idle: its reader is gone. */
static void
out_event(void *ud, int events)
{
	struct rs_multi	*m = ud;
	struct pollfd	 pfd = { .fd = m->cfg.base.out_fd, .events = 0 };
	size_t		 i;

	(void)events;
	if (poll(&pfd, 1, 0) == 1 && (pfd.revents & (POLLERR | POLLHUP))) {
		rs_io_free(m->out_watch);
		m->out_watch = NULL;
		for (i = 0; i < m->pool.ncons; i++)
			m->pool.cons[i].out_closed = 1;
		stop_all(m);
	}
}

/* -v through the user's log, naming the stream. */
static void
tag_log(const char *msg, void *ud)
{
	struct rs_multi_tag	*t = ud;

	rs_say(t->m->cfg.base.log, t->m->cfg.base.log_ud, "%s: %s", t->stream,
	    msg);
}

/* A warning through the user's warn, naming the stream. */
static void
tag_warn(const char *msg, void *ud)
{
	struct rs_multi_tag	*t = ud;

	rs_say(t->m->cfg.base.warn, t->m->cfg.base.log_ud, "%s: %s", t->stream,
	    msg);
}

/* The pool's view of the consumer group: attach, detach, via. */
static int
attach(struct rs_consumer *k, struct rs_conn *c, void *ud)
{
	struct rs_multi	*m = ud;

	return rs_multipool_attach(&m->pool, k, c);
}

static void
detach(struct rs_consumer *k, void *ud)
{
	struct rs_multi	*m = ud;

	rs_multipool_detach(&m->pool, k);
}

static struct rs_conn *
via(struct rs_consumer *k, void *ud)
{
	struct rs_multi	*m = ud;

	(void)k;
	return rs_multipool_via(&m->pool);
}

/* Start the next consumer; 0, or -1 with err set (the run is over). */
static int
start_one(struct rs_multi *m)
{
	const struct rs_consumer_cfg	*b = &m->cfg.base;
	struct rs_consumer_cfg		 c;
	size_t				 i = m->pool.ncons;

	c = *b;
	c.stream = m->names[i];
	c.super = m->cfg.super && m->part_super != NULL ? m->part_super[i] : NULL;
	c.group = &m->group;
	m->tags[i].m = m;
	m->tags[i].stream = m->names[i];
	c.log = b->log != NULL ? tag_log : NULL;
	c.warn = b->warn != NULL ? tag_warn : NULL;
	c.log_ud = &m->tags[i];
	m->pool.ncons = i + 1;
	if (rs_consumer_start(&m->pool.cons[i], &c, m->loop) == -1) {
		if (m->err.kind == RS_E_OK)
			m->err = m->pool.cons[i].err;
		m->live--;
		stop_all(m);
		return -1;
	}
	return 0;
}

/* Is a consumer locating its stream over a seed connection of its own? */
static int
opening(const struct rs_multi *m)
{
	const struct rs_consumer	*k;
	size_t				 i;

	for (i = 0; i < m->pool.ncons; i++) {
		k = &m->pool.cons[i];
		if (k->conn == NULL && !k->stopped && !k->cluster.finished &&
		    k->cluster.via == NULL && k->cluster.loop != NULL)
			return 1;
	}
	return 0;
}


/*
 * Start the consumers not started yet. The first locates its stream over
 * a connection of its own; once a shared connection is open, the others
 * locate theirs over it (no connection of their own when their node is
 * that one). So they start one at a time until a shared connection
 * exists, or all at once after 0.5 s, or when forced.
 */
static void
kick(struct rs_multi *m, int force)
{
	rs_multipool_sweep(&m->pool);
	while (m->pool.ncons < m->nwant && !m->stopping) {
		if (!force && rs_multipool_via(&m->pool) == NULL && opening(m)) {
			m->kick_waited = 1;
			rs_timer_set(m->kick_timer, 0.5, 0.);
			return;
		}
		if (start_one(m) == -1)
			return;
	}
}

static void
kick_tick(void *ud)
{
	struct rs_multi	*m = ud;

	kick(m, m->kick_waited);
}

/* kick() from the loop, out of whatever callback we are in. */
static void
kick_soon(void *ud)
{
	struct rs_multi	*m = ud;

	if (m->kick_timer == NULL)
		return;
	m->kick_waited = 0;
	rs_timer_set(m->kick_timer, 0., 0.);
}

/* Set up one consumer per stream and start the first; 0, or -1 with err set. */
static int
start_all(struct rs_multi *m, const char *const *streams, size_t n)
{
	const struct rs_consumer_cfg	*b = &m->cfg.base;

	if (n == 0) {
		rs_err_set(&m->err, RS_E_UNAVAILABLE, "no stream to read");
		return -1;
	}
	if ((m->pool.cons = calloc(n, sizeof *m->pool.cons)) == NULL ||
	    (m->tags = calloc(n, sizeof *m->tags)) == NULL ||
	    (m->kick_timer = rs_timer_new(m->loop, kick_tick, m)) == NULL) {
		rs_err_set(&m->err, RS_E_RUNTIME, "out of memory");
		return -1;
	}
	m->group.headers = !m->cfg.quiet && (n > 1 || m->cfg.super) &&
	    !b->json && b->format == NULL && b->argv == NULL &&
	    b->output.framing == RS_OUTPUT_DELIM;
	rs_buf_init(&m->group.out);
	m->group.finishing = finishing;
	m->group.attach = attach;
	m->group.detach = detach;
	m->group.via = via;
	m->group.stopped = stopped;
	m->group.ud = m;
	m->pool.kick = kick_soon;
	m->pool.kick_ud = m;
	m->pool.log = b->log;
	m->pool.log_ud = b->log_ud;
	m->names = streams;
	m->nwant = n;
	m->live = n;
	kick(m, 0);
	return 0;
}

static void
seed_error(struct rs_conn *c, void *ud)
{
	struct rs_multi	*m = ud;

	if (m->err.kind == RS_E_OK)
		m->err = *rs_conn_err(c);
	rs_loop_break(m->loop);
}

static void
seed_closed(struct rs_conn *c, void *ud)
{
	struct rs_multi	*m = ud;

	(void)c;
	rs_loop_break(m->loop);
}

static const struct rs_conn_handler seed_handler = {
	NULL, NULL, seed_error, seed_closed, NULL, NULL
};

/* Remember that partitions nparts..last belong to the super stream being answered for; 0, or -1. */
static int
part_super(struct rs_multi *m, size_t last)
{
	const char	**ps;
	size_t		 i;

	if ((ps = realloc(m->part_super, (last + 1) * sizeof *ps)) == NULL)
		return -1;
	m->part_super = ps;
	for (i = m->nparts; i <= last; i++)
		ps[i] = m->cfg.streams[m->cfg.nstreams - m->pending];
	return 0;
}

/* Add one super stream's partitions, in the broker's order, or set err. */
static void
take_partitions(struct rs_multi *m, struct rs_partition_reply *r)
{
	const char	*super = m->cfg.streams[m->cfg.nstreams - m->pending];
	char		**p;
	size_t		 i;

	if (r->code != RS_OK) {
		rs_err_set(&m->err, r->code == RS_ACCESS_REFUSED ? RS_E_NOPERM :
		    RS_E_UNAVAILABLE, "%s: %s", super,
		    r->code == RS_STREAM_DOES_NOT_EXIST ?
		    "super stream does not exist" : rs_proto_code_str(r->code));
		return;
	}
	if (r->bad) {
		rs_err_set(&m->err, RS_E_RUNTIME, "%s: malformed Partitions "
		    "response", super);
		return;
	}
	if (r->n == 0) {
		rs_err_set(&m->err, RS_E_UNAVAILABLE, "%s: super stream has no "
		    "partitions", super);
		return;
	}
	if ((p = realloc(m->parts, (m->nparts + r->n) * sizeof *p)) == NULL) {
		rs_err_set(&m->err, RS_E_RUNTIME, "out of memory");
		return;
	}
	m->parts = p;
	if (part_super(m, m->nparts + r->n - 1) == -1) {
		rs_err_set(&m->err, RS_E_RUNTIME, "out of memory");
		return;
	}
	for (i = 0; i < r->n; i++) {
		p[m->nparts++] = r->names[i];
		r->names[i] = NULL;
	}
}

/* The Partitions reply of one super stream; the last one closes the seed connection. */
static void
on_partitions(struct rs_conn *c, struct rs_partition_reply *r, void *ud)
{
	struct rs_multi	*m = ud;

	if (m->err.kind == RS_E_OK)
		take_partitions(m, r);
	if (--m->pending == 0)
		rs_conn_close(c);
}

/* The seed connection is up: check the broker can, then ask Partitions of each super stream. */
static void
seed_located(struct rs_conn *c, const struct rs_err *err, void *ud)
{
	struct rs_multi	*m = ud;
	size_t		 i;

	if (c == NULL) {
		m->err = *err;
		rs_loop_break(m->loop);
		return;
	}
	m->conn = c;
	rs_conn_set_handler(c, &seed_handler, m);
	if (rs_conn_require(c, RS_FEATURE_SUPER_STREAMS, &m->err) == -1) {
		rs_conn_close(c);
		return;
	}
	m->pending = m->cfg.nstreams;
	m->req.done = on_partitions;
	m->req.ud = m;
	for (i = 0; i < m->cfg.nstreams; i++)
		rs_partition_ask(c, &m->req, m->cfg.streams[i]);
	rs_conn_flush(c);
}

static void
seed_log(const char *msg, void *ud)
{
	struct rs_multi	*m = ud;

	rs_say(m->cfg.base.log, m->cfg.base.log_ud, "%s", msg);
}

/* --super-stream: the partitions of every super stream given; 0, or -1 with err set. */
static int
partitions(struct rs_multi *m)
{
	memset(&m->seed, 0, sizeof m->seed);
	m->seed.loop = m->loop;
	m->seed.conn = m->cfg.base.conn;
	m->seed.name = "rstream-tail";
	m->seed.stream = NULL;
	m->seed.done = seed_located;
	m->seed.ud = m;
	m->seed.log = seed_log;
	rs_cluster_open(&m->seed);
	rs_loop_run(m->loop);
	rs_cluster_free(&m->seed);
	rs_conn_free(m->conn);
	m->conn = NULL;
	if (m->err.kind == RS_E_OK && m->pending > 0)
		rs_err_set(&m->err, RS_E_TEMPFAIL, "the broker closed the "
		    "connection before answering Partitions");
	return m->err.kind == RS_E_OK ? 0 : -1;
}

/*
 * Read every stream (or every partition of every super stream) until all
 * have ended. 0 when every stream was read to its end (or stdout closed),
 * -1 with err set to the first failure (or signo set).
 */
int
rs_multi_run(struct rs_multi *m, const struct rs_multi_cfg *cfg,
    struct rs_loop *loop)
{
	struct stat	 st;
	size_t		 i;

	memset(m, 0, sizeof *m);
	m->cfg = *cfg;
	m->loop = loop;
	if (cfg->super) {
		if (partitions(m) == -1)
			return -1;
		for (i = 0; i < m->nparts; i++)
			rs_say(cfg->base.log, cfg->base.log_ud, "partition %s",
			    m->parts[i]);
	}
	m->stop_sigs = rs_sig_stop_new(loop, on_signal, m);
	if (fstat(cfg->base.out_fd, &st) == 0 && S_ISFIFO(st.st_mode) &&
	    (m->out_watch = rs_io_new(loop, cfg->base.out_fd, out_event,
	    m)) != NULL)
		rs_io_set(m->out_watch, RS_READ);
	if (cfg->super ? start_all(m, (const char *const *)m->parts,
	    m->nparts) : start_all(m, cfg->streams, cfg->nstreams)) {
		if (m->live > 0)
			rs_loop_run(loop);
		return -1;
	}
	if (m->live > 0)
		rs_loop_run(loop);
	return m->err.kind == RS_E_OK && m->signo == 0 ? 0 : -1;
}

void
rs_multi_free(struct rs_multi *m)
{
	size_t	 i;

	for (i = 0; i < m->pool.ncons; i++)
		rs_consumer_free(&m->pool.cons[i]);
	free(m->pool.cons);
	rs_buf_free(&m->group.out);
	free(m->tags);
	for (i = 0; i < m->nparts; i++)
		free(m->parts[i]);
	free(m->parts);
	free(m->part_super);
	rs_sig_stop_free(m->stop_sigs);
	rs_io_free(m->out_watch);
	rs_conn_free(m->conn);
	rs_multipool_free(&m->pool);
	rs_timer_free(m->kick_timer);
}
