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
 * watch on a closed stdout, and a connection per node (the pool below: a
 * connection has 256 subscription ids, a consumer takes 3, so 85 streams
 * share one and more are opened past that). A consumer writes a chunk's
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
 * stream given (RabbitMQ 3.11+; refused on older brokers with the
 * version in the message), then the partitions are read as above.
 */
#include "config.h"

#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "frame.h"
#include "multi.h"
#include "partition.h"
#include "proto.h"

static void
seed_ready_noop(struct rs_conn *c, void *ud)
{
	(void)c;
	(void)ud;
}

static void
spare_frame(struct rs_conn *c, const struct rs_frame *f, void *ud)
{
	(void)c;
	(void)f;
	(void)ud;
}

static void	kick_soon(struct rs_multi *);
static size_t	locating(const struct rs_multi *, const struct rs_conn *);

/* Tell every consumer still reading to end. */
static void
stop_all(struct rs_multi *m)
{
	size_t	 i;

	if (m->stopping)
		return;
	m->stopping = 1;
	/* Those not started yet never will be. */
	m->live -= m->nwant - m->ncons;
	m->nwant = m->ncons;
	for (i = 0; i < m->ncons; i++)
		rs_consumer_stop(&m->cons[i]);
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

/* SIGINT, SIGTERM, SIGHUP: every reader stores its offset and ends; a second one ends at once. */
static void
on_signal(struct rs_multi *m, int signo)
{
	if (m->signo != 0) {
		signal(signo, SIG_DFL);
		raise(signo);
		return;
	}
	m->signo = signo;
	stop_all(m);
}

static void	sig_int(void *ud) { on_signal(ud, SIGINT); }
static void	sig_term(void *ud) { on_signal(ud, SIGTERM); }
static void	sig_hup(void *ud) { on_signal(ud, SIGHUP); }

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
		for (i = 0; i < m->ncons; i++)
			m->cons[i].out_closed = 1;
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

/*
 * The connection pool. The first consumer locates its stream's node over
 * a connection of its own (cluster.c), which attach() keeps as the node's
 * shared one; the others are started then (kick()) and ask Metadata over
 * it (via()): when their node is that one, that is their connection, and
 * no other is made. One whose node is another reaches it over a new
 * connection, which attach() keeps as that node's shared one, or closes
 * to put the consumer on the one already open. A consumer locating over
 * a connection holds a slot on it (locating()), so it has room. A slot is 3
 * subscription ids (the consumer's main one, and the two it uses to
 * measure the stream), so a connection carries 85 streams: past that a
 * new one is opened. Frames are routed by subscription id (Deliver) or by
 * stream (MetadataUpdate); a failure of the connection goes to every
 * consumer on it, each of which then retries, or ends, on its own.
 */
static void	pool_frame(struct rs_conn *, const struct rs_frame *, void *);
static void	pool_error(struct rs_conn *, void *);
static void	pool_closed(struct rs_conn *, void *);
static void	spare_over(struct rs_conn *, void *);

static const struct rs_conn_handler pool_handler = {
	seed_ready_noop, pool_frame, pool_error, pool_closed, NULL, NULL
};
static const struct rs_conn_handler spare_handler = {
	seed_ready_noop, spare_frame, spare_over, spare_over, NULL, NULL
};

/* Unlink and free a pooled connection no consumer uses any longer. */
static void
pool_drop(struct rs_multi_conn *p)
{
	struct rs_multi_conn	**pp;

	for (pp = &p->m->pool; *pp != NULL; pp = &(*pp)->next)
		if (*pp == p) {
			*pp = p->next;
			break;
		}
	rs_conn_free(p->c);
	free(p);
}

/* A shared connection to locate k's stream over (k NULL: is there one?), or NULL. */
static struct rs_conn *
via(struct rs_consumer *k, void *ud)
{
	struct rs_multi		*m = ud;
	struct rs_multi_conn	*p;

	(void)k;
	for (p = m->pool; p != NULL; p = p->next)
		if (!p->closing && !p->dead &&
		    p->n + locating(m, p->c) < RS_MULTI_SLOTS)
			return p->c;
	return NULL;
}

/* Close the shared connections no stream uses or is locating over. */
static void
sweep(struct rs_multi *m)
{
	struct rs_multi_conn	*p;

	for (p = m->pool; p != NULL; p = p->next)
		if (p->n == 0 && !p->closing && !p->dead &&
		    locating(m, p->c) == 0) {
			p->closing = 1;
			rs_conn_close(p->c);
		}
}

/* The located connection c, or the node's shared one: set k->conn and k->sub_base. */
static int
attach(struct rs_consumer *k, struct rs_conn *c, void *ud)
{
	struct rs_multi		*m = ud;
	struct rs_multi_conn	*p;
	/* A node by the name it advertises: the seed's and the located ones agree. */
	const char		*host = rs_conn_advertised_host(c);
	unsigned		 port = rs_conn_advertised_port(c);
	size_t			 i;

	if (host == NULL || *host == '\0') {
		host = rs_conn_host(c);
		port = rs_conn_port(c);
	}
	for (p = m->pool; p != NULL; p = p->next)
		if (p->c == c)
			break;
	if (p != NULL) {
		/* Located over a shared connection: that node is the one. */
		if (p->closing || p->dead || p->n >= RS_MULTI_SLOTS)
			return -1;
		goto slot;
	}
	for (p = m->pool; p != NULL; p = p->next)
		if (!p->closing && !p->dead &&
		    p->n + locating(m, p->c) < RS_MULTI_SLOTS &&
		    p->port == port && strcmp(p->host, host) == 0)
			break;
	if (p != NULL) {
		/* The node has a connection: this one is not needed. */
		rs_conn_set_handler(c, &spare_handler, m);
		rs_conn_close(c);
	} else {
		if ((p = calloc(1, sizeof *p)) == NULL)
			return -1;
		p->m = m;
		p->c = c;
		snprintf(p->host, sizeof p->host, "%s", host);
		p->port = port;
		p->next = m->pool;
		m->pool = p;
		m->nconns++;
		rs_conn_set_handler(c, &pool_handler, p);
		kick_soon(m);	/* the others can locate over it */
	}
slot:
	for (i = 0; p->slot[i] != NULL; i++)
		;
	p->slot[i] = k;
	p->n++;
	k->conn = p->c;
	k->sub_base = (uint8_t)(i * RS_CONSUMER_SUB_IDS);
	rs_say(m->cfg.base.log, m->cfg.base.log_ud, "%s: reading over the "
	    "connection to %s:%u shared by %zu stream%s", k->cfg.stream, p->host,
	    p->port, p->n, p->n == 1 ? "" : "s");
	return 0;
}

static void
on_unsubscribed(struct rs_conn *c, const struct rs_frame *f, void *ud)
{
	(void)c;
	(void)f;
	(void)ud;
}

/* k leaves its shared connection; the last one to leave closes it. */
static void
detach(struct rs_consumer *k, void *ud)
{
	struct rs_multi		*m = ud;
	struct rs_multi_conn	*p;
	size_t			 i;
	uint8_t			 s;

	for (p = m->pool; p != NULL; p = p->next)
		if (p->c == k->conn)
			break;
	if (p == NULL)
		return;
	for (i = 0; i < RS_MULTI_SLOTS; i++)
		if (p->slot[i] == k) {
			p->slot[i] = NULL;
			p->n--;
		}
	rs_conn_forget(p->c, k);
	if (!p->dead && !p->closing) {
		for (s = 0; s < RS_CONSUMER_SUB_IDS; s++)
			rs_frame_unsubscribe(rs_conn_buf(p->c),
			    rs_conn_corr(p->c, on_unsubscribed, NULL),
			    (uint8_t)(k->sub_base + s));
		rs_conn_flush(p->c);
	}
	if (p->n > 0)
		return;
	if (p->dead)
		pool_drop(p);
	else
		kick_soon(m);	/* sweep() closes it unless one locates over it */
}

/* Route a frame of a shared connection to its consumer(s). */
static void
pool_frame(struct rs_conn *c, const struct rs_frame *f, void *ud)
{
	struct rs_multi_conn	*p = ud;
	struct rs_consumer	*to[RS_MULTI_SLOTS];
	const uint8_t		*chunk;
	struct rs_str		 s;
	size_t			 len, i, n = 0;
	uint16_t		 code;
	uint8_t			 sub, code8;

	switch (f->key) {
	case RS_DELIVER:
		if (rs_frame_deliver_decode(f, &sub, &chunk, &len) == -1) {
			rs_conn_fail(c, RS_E_RUNTIME, "malformed Deliver");
			return;
		}
		if (sub / RS_CONSUMER_SUB_IDS < RS_MULTI_SLOTS &&
		    p->slot[sub / RS_CONSUMER_SUB_IDS] != NULL)
			rs_consumer_frame(p->slot[sub / RS_CONSUMER_SUB_IDS], c, f);
		return;
	case RS_METADATA_UPDATE:
		if (rs_frame_metadata_update_decode(f, &code, &s) == -1)
			return;
		for (i = 0; i < RS_MULTI_SLOTS; i++)
			if (p->slot[i] != NULL && s.p != NULL &&
			    strlen(p->slot[i]->cfg.stream) == s.len &&
			    memcmp(p->slot[i]->cfg.stream, s.p, s.len) == 0)
				to[n++] = p->slot[i];
		break;
	case RS_CONSUMER_UPDATE:
		if (rs_frame_consumer_update_decode(f, &sub, &code8) == -1) {
			rs_conn_fail(c, RS_E_RUNTIME, "bad frame from the broker: "
			    "malformed ConsumerUpdate");
			return;
		}
		if (sub / RS_CONSUMER_SUB_IDS >= RS_MULTI_SLOTS ||
		    p->slot[sub / RS_CONSUMER_SUB_IDS] == NULL) {
			rs_conn_fail(c, RS_E_RUNTIME, "bad frame from the broker: "
			    "ConsumerUpdate for subscription %u, which is not a "
			    "single active consumer", (unsigned)sub);
			return;
		}
		to[n++] = p->slot[sub / RS_CONSUMER_SUB_IDS];
		break;
	case RS_CREDIT | RS_RESPONSE:
		if (rs_frame_credit_error_decode(f, &sub) == 0 &&
		    sub / RS_CONSUMER_SUB_IDS < RS_MULTI_SLOTS &&
		    p->slot[sub / RS_CONSUMER_SUB_IDS] != NULL)
			to[n++] = p->slot[sub / RS_CONSUMER_SUB_IDS];
		break;
	default:
		return;
	}
	for (i = 0; i < n; i++)
		rs_consumer_frame(to[i], c, f);
}

/* A shared connection failed or closed: every consumer on it hears it. */
static void
pool_lost(struct rs_multi_conn *p, struct rs_conn *c, int closed)
{
	struct rs_consumer	*to[RS_MULTI_SLOTS], *k;
	size_t			 i, n = 0;

	p->dead = 1;
	/* Those asking Metadata over it ask again over a seed's. */
	for (i = 0; i < p->m->ncons; i++) {
		k = &p->m->cons[i];
		if (k->cluster.via == c && !k->cluster.finished && !k->stopped) {
			rs_conn_forget(c, &k->cluster);
			k->cluster.via = NULL;
			rs_cluster_open(&k->cluster);
		}
	}
	for (i = 0; i < RS_MULTI_SLOTS; i++)
		if (p->slot[i] != NULL)
			to[n++] = p->slot[i];
	if (n == 0) {
		pool_drop(p);
		return;
	}
	/*
	 * The last consumer to leave frees p: touch it no more. One that
	 * left meanwhile (the run ended with another's failure) is skipped.
	 */
	for (i = 0; i < n; i++)
		if (to[i]->conn == c)
			rs_consumer_conn_lost(to[i], c, closed);
}

static void
pool_error(struct rs_conn *c, void *ud)
{
	pool_lost(ud, c, 0);
}

static void
pool_closed(struct rs_conn *c, void *ud)
{
	pool_lost(ud, c, 1);
}

/* A located connection not needed (its node has one): freed once closed. */
static void
spare_over(struct rs_conn *c, void *ud)
{
	(void)ud;
	rs_conn_free(c);
}

/* Start the next consumer; 0, or -1 with err set (the run is over). */
static int
start_one(struct rs_multi *m)
{
	const struct rs_consumer_cfg	*b = &m->cfg.base;
	struct rs_consumer_cfg		 c;
	size_t				 i = m->ncons;

	c = *b;
	c.stream = m->names[i];
	c.super = m->cfg.super && m->part_super != NULL ? m->part_super[i] : NULL;
	c.group = &m->group;
	m->tags[i].m = m;
	m->tags[i].stream = m->names[i];
	c.log = b->log != NULL ? tag_log : NULL;
	c.warn = b->warn != NULL ? tag_warn : NULL;
	c.log_ud = &m->tags[i];
	m->ncons = i + 1;
	if (rs_consumer_start(&m->cons[i], &c, m->loop) == -1) {
		if (m->err.kind == RS_E_OK)
			m->err = m->cons[i].err;
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

	for (i = 0; i < m->ncons; i++) {
		k = &m->cons[i];
		if (k->conn == NULL && !k->stopped && !k->cluster.finished &&
		    k->cluster.via == NULL && k->cluster.loop != NULL)
			return 1;
	}
	return 0;
}

/* How many consumers are asking Metadata over c. */
static size_t
locating(const struct rs_multi *m, const struct rs_conn *c)
{
	size_t	 i, n = 0;

	for (i = 0; i < m->ncons; i++)
		if (m->cons[i].cluster.via == c && !m->cons[i].cluster.finished &&
		    !m->cons[i].stopped)
			n++;
	return n;
}

static struct rs_conn	*via(struct rs_consumer *, void *);
static void		 sweep(struct rs_multi *);

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
	sweep(m);
	while (m->ncons < m->nwant && !m->stopping) {
		if (!force && via(NULL, m) == NULL && opening(m)) {
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
kick_soon(struct rs_multi *m)
{
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
	if ((m->cons = calloc(n, sizeof *m->cons)) == NULL ||
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
	m->names = streams;
	m->nwant = n;
	m->live = n;
	kick(m, 0);
	return 0;
}

static void
seed_frame(struct rs_conn *c, const struct rs_frame *f, void *ud)
{
	(void)c;
	(void)f;
	(void)ud;
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

static void
seed_ready(struct rs_conn *c, void *ud)
{
	(void)c;
	(void)ud;
}

static const struct rs_conn_handler seed_handler = {
	seed_ready, seed_frame, seed_error, seed_closed, NULL, NULL
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
	m->sigs[0] = rs_sig_new(loop, SIGINT, sig_int, m);
	m->sigs[1] = rs_sig_new(loop, SIGTERM, sig_term, m);
	m->sigs[2] = rs_sig_new(loop, SIGHUP, sig_hup, m);
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

	for (i = 0; i < m->ncons; i++)
		rs_consumer_free(&m->cons[i]);
	free(m->cons);
	rs_buf_free(&m->group.out);
	free(m->tags);
	for (i = 0; i < m->nparts; i++)
		free(m->parts[i]);
	free(m->parts);
	free(m->part_super);
	for (i = 0; i < 3; i++)
		rs_sig_free(m->sigs[i]);
	rs_io_free(m->out_watch);
	rs_conn_free(m->conn);
	while (m->pool != NULL)
		pool_drop(m->pool);
	rs_timer_free(m->kick_timer);
}
