/*
 * cluster.c: find the node for a stream (PROTOCOL.adoc "Metadata", "Create").
 *
 * Seed connection (the first of the seeds that answers) -> [Create] ->
 * Metadata -> the stream's code, leader and replicas. Nodes are compared by
 * what they advertise (Open's advertised_host/port against Metadata's
 * broker table), since that is the only name both sides share. When the
 * node wanted is another one we connect to it and check, after Open, that
 * the node we reached advertises itself as that one: behind a load
 * balancer a connection may land anywhere, so we try again, a bounded
 * number of times. If the wanted node cannot be reached at all (an
 * advertised name this host cannot resolve), the seed still works: every
 * node forwards publishes to the leader and reads from any member.
 *
 * Load-balancer mode (conn.load_balancer; the Java, Go and .NET clients'
 * AddressResolver, rstream's load_balancer_mode): the advertised names
 * may mean nothing here (Docker, Kubernetes, NAT), so every connection
 * dials the seed's address again, and after Open we compare what the node
 * reached advertises with the nodes wanted (the leader; for reading any
 * replica, or the leader when there is none, or the leader too once half
 * the tries are spent). Not one, or a connection the load balancer could
 * not make: close, wait (RS_CLUSTER_LB_DELAY doubling to
 * RS_CLUSTER_LB_DELAY_MAX, each wait between half and one and a half
 * times that) and dial again, up to RS_CLUSTER_LB_TRIES times. When the
 * tries run out the last node reached is kept, and -v says so: a
 * publisher on another node still works (the node forwards to the leader),
 * a reader on a node without a member gets "stream not available" and the
 * consumer's --retry-for locates again.
 *
 * With via set, Metadata is asked over that connection (someone else's, a
 * node's shared one in multipool.c) instead of a seed's: no connection is made
 * when via's node is the one wanted, and via itself is handed back.
 */
#include "config.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cluster.h"
#include "loop.h"
#include "proto.h"

static int	next_seed(struct rs_cluster *);
static int	connect_target(struct rs_cluster *);
static void	fall_back(struct rs_cluster *);
static double	lb_delay(int);
static void	lb_retry(struct rs_cluster *, double);
static void	seed_ready(struct rs_conn *, void *);
static void	target_ready(struct rs_conn *, void *);
static void	any_error(struct rs_conn *, void *);
static void	any_closed(struct rs_conn *, void *);
static void	any_log(struct rs_conn *, const char *, void *);

static const struct rs_conn_handler seed_handler = {
	seed_ready, NULL, any_error, any_closed, NULL, any_log
};
static const struct rs_conn_handler target_handler = {
	target_ready, NULL, any_error, any_closed, NULL, any_log
};

/* Hand c (or, NULL, the error) to the caller, once; close the seed unless it is c. */
static void
finish(struct rs_cluster *cl, struct rs_conn *c)
{
	if (cl->finished)
		return;
	cl->finished = 1;
	rs_timer_free(cl->lb_timer);
	cl->lb_timer = NULL;
	if (c != NULL) {
		if (c == cl->seed)
			cl->seed = NULL;
		if (c == cl->target)
			cl->target = NULL;
	}
	if (cl->seed != NULL)
		rs_conn_close(cl->seed);
	cl->done(c, c ? NULL : &cl->err, cl->ud);
}

static void __attribute__((format(printf, 3, 4)))
fail(struct rs_cluster *cl, enum rs_err_kind kind, const char *fmt, ...)
{
	va_list	 ap;

	cl->err.kind = kind;
	va_start(ap, fmt);
	vsnprintf(cl->err.msg, sizeof cl->err.msg, fmt, ap);
	va_end(ap);
	finish(cl, NULL);
}

static void
any_log(struct rs_conn *c, const char *msg, void *ud)
{
	struct rs_cluster	*cl = ud;

	(void)c;
	rs_say(cl->log, cl->ud, "%s", msg);
}

static void
any_error(struct rs_conn *c, void *ud)
{
	struct rs_cluster	*cl = ud;

	if (c == cl->seed && !cl->finished && cl->tries == 0 &&
	    cl->next_seed < cl->conn.nuris &&
	    rs_conn_err(c)->kind == RS_E_UNAVAILABLE) {
		/* This seed did not answer: the next one may. */
		rs_say(cl->log, cl->ud, "%s", rs_conn_err(c)->msg);
		cl->seed = NULL;
		rs_conn_free(c);
		if (next_seed(cl) == -1 && !cl->finished)
			finish(cl, NULL);
		return;
	}
	if (c == cl->target && !cl->finished &&
	    rs_conn_err(c)->kind != RS_E_TLS) {
		/*
		 * The node is unreachable from here: through a load balancer
		 * the next connection may land on another, else use the seed
		 * (every node forwards). Not when its certificate failed:
		 * that is no outage.
		 */
		cl->target = NULL;
		if (cl->conn.load_balancer && cl->tries < RS_CLUSTER_LB_TRIES) {
			double	 d = lb_delay(cl->tries);

			rs_say(cl->log, cl->ud, "%s; again in %.2f s (try %d "
			    "of %d)", rs_conn_err(c)->msg, d, cl->tries + 1,
			    RS_CLUSTER_LB_TRIES);
			rs_conn_free(c);
			lb_retry(cl, d);
			return;
		}
		rs_say(cl->log, cl->ud, "%s", rs_conn_err(c)->msg);
		rs_conn_free(c);
		fall_back(cl);
		return;
	}
	if (!cl->finished) {
		cl->err = *rs_conn_err(c);
		finish(cl, NULL);
	}
}

static void
any_closed(struct rs_conn *c, void *ud)
{
	struct rs_cluster	*cl = ud;

	if (c == cl->seed)
		cl->seed = NULL;
	if (c == cl->target)
		cl->target = NULL;
	rs_conn_free(c);
}

/*
 * A number in [0, 1): from a generator of our own (not random()'s, which
 * is the program's), seeded once per process, so that readers started
 * together pick different replicas and the publishers super.c forks do
 * not retry a load balancer in step.
 */
static double
unit_random(void)
{
	static pid_t		 pid;
	static unsigned short	 x[3];
	struct timespec		 ts = { 0, 0 };

	if (pid != getpid()) {
		pid = getpid();
		clock_gettime(CLOCK_REALTIME, &ts);
		x[0] = (unsigned short)pid;
		x[1] = (unsigned short)ts.tv_nsec;
		x[2] = (unsigned short)((unsigned long)ts.tv_nsec >> 16 ^
		    (unsigned long)ts.tv_sec);
	}
	return erand48(x);
}

/* Set n to host:port; -1 if the name does not fit (or holds a NUL). */
static int
node_set(struct rs_cluster_node *n, const struct rs_str *host, uint32_t port)
{
	if (host->len >= sizeof n->host || memchr(host->p, '\0', host->len))
		return -1;
	memcpy(n->host, host->p, host->len);
	n->host[host->len] = '\0';
	n->port = port;
	return 0;
}

/* Is n the node c reached, by what that node advertises? */
static int
node_is(const struct rs_cluster_node *n, struct rs_conn *c)
{
	return n->port == rs_conn_advertised_port(c) &&
	    strcmp(n->host, rs_conn_advertised_host(c)) == 0;
}

/* Add n to the nodes that will do, once. */
static void
want_add(struct rs_cluster *cl, const struct rs_cluster_node *n)
{
	size_t	 i;

	for (i = 0; i < cl->nwant; i++)
		if (cl->want[i].port == n->port &&
		    strcmp(cl->want[i].host, n->host) == 0)
			return;
	if (cl->nwant < sizeof cl->want / sizeof cl->want[0])
		cl->want[cl->nwant++] = *n;
}

/* Is the node c reached one of those wanted? (Yes if it advertises nothing.) */
static int
wanted(const struct rs_cluster *cl, struct rs_conn *c)
{
	size_t	 i;

	if (rs_conn_advertised_host(c)[0] == '\0')
		return 1;
	for (i = 0; i < cl->nwant; i++)
		if (node_is(&cl->want[i], c))
			return 1;
	return 0;
}

/* The nodes wanted, as text for -v: "host:port" or "host:port, host:port". */
static void
wanted_text(const struct rs_cluster *cl, char *buf, size_t n)
{
	size_t	 i, len = 0;

	buf[0] = '\0';
	for (i = 0; i < cl->nwant && len < n; i++)
		len += (size_t)snprintf(buf + len, n - len, "%s%s:%u",
		    i > 0 ? ", " : "", cl->want[i].host, cl->want[i].port);
}

/* What the nodes wanted are, for -v. */
static const char *
wanted_what(const struct rs_cluster *cl)
{
	if (cl->want_leader || (cl->nwant == 1 &&
	    cl->want[0].port == cl->leader.port &&
	    strcmp(cl->want[0].host, cl->leader.host) == 0))
		return "the leader";	/* also for reading: no replica */
	return "a replica";
}

/* Give up on a better node: hand back the seed (or via's connection). */
static void
fall_back(struct rs_cluster *cl)
{
	struct rs_conn	*c = cl->seed != NULL ? cl->seed : cl->via;

	if (c == NULL)
		rs_err_set(&cl->err, RS_E_TEMPFAIL, "lost the connection "
		    "while looking for the stream's node");
	finish(cl, c);
}

/* The wait through a load balancer is over: dial it again. */
static void
lb_again(void *ud)
{
	struct rs_cluster	*cl = ud;

	if (connect_target(cl) == -1)
		fall_back(cl);
}

/* The next wait through a load balancer (s): doubling, capped, jittered. */
static double
lb_delay(int tries)
{
	double	 d = RS_CLUSTER_LB_DELAY;

	while (--tries > 0 && d < RS_CLUSTER_LB_DELAY_MAX)
		d *= 2;
	if (d > RS_CLUSTER_LB_DELAY_MAX)
		d = RS_CLUSTER_LB_DELAY_MAX;
	return d * (0.5 + unit_random());
}

/* Through a load balancer: dial it again after d seconds. */
static void
lb_retry(struct rs_cluster *cl, double d)
{
	if (cl->lb_timer == NULL &&
	    (cl->lb_timer = rs_timer_new(cl->loop, lb_again, cl)) == NULL) {
		fall_back(cl);
		return;
	}
	rs_timer_set(cl->lb_timer, d, 0);
}

/*
 * The node reached must be one of those wanted (not so behind a load
 * balancer): else try again, a bounded number of times.
 */
static void
target_ready(struct rs_conn *c, void *ud)
{
	struct rs_cluster	*cl = ud;
	const char		*ahost = rs_conn_advertised_host(c);
	unsigned		 aport = rs_conn_advertised_port(c);
	char			 want[600];
	int			 lb = cl->conn.load_balancer;
	int			 max = lb ? RS_CLUSTER_LB_TRIES : RS_CLUSTER_TRIES;
	double			 d;

	/* Through a load balancer a reader takes the leader too, in the end. */
	if (lb && cl->tries > RS_CLUSTER_LB_TRIES / 2)
		want_add(cl, &cl->leader);
	if (wanted(cl, c)) {
		if (lb)
			rs_say(cl->log, cl->ud, "through %s:%u: on %s:%u, %s, "
			    "at try %d", rs_conn_host(c), rs_conn_port(c), ahost,
			    aport, node_is(&cl->leader, c) ? "the leader" :
			    "a replica", cl->tries);
		finish(cl, c);
		return;
	}
	wanted_text(cl, want, sizeof want);
	if (cl->tries >= max) {
		rs_say(cl->log, cl->ud, "reached %s:%u instead of %s (%s); "
		    "%d tries: staying there%s", ahost, aport, want,
		    wanted_what(cl), cl->tries, cl->want_leader ?
		    ", it forwards to the leader" :
		    ", reading needs a node with a member of the stream");
		finish(cl, c);
		return;
	}
	cl->target = NULL;
	if (!lb) {
		rs_say(cl->log, cl->ud, "reached %s:%u instead of %s", ahost,
		    aport, want);
		rs_conn_close(c);	/* any_closed frees it */
		if (connect_target(cl) == -1)
			fall_back(cl);
		return;
	}
	d = lb_delay(cl->tries);
	rs_say(cl->log, cl->ud, "reached %s:%u instead of %s (%s) through "
	    "%s:%u; again in %.2f s (try %d of %d)", ahost, aport, want,
	    wanted_what(cl), rs_conn_host(c), rs_conn_port(c), d,
	    cl->tries + 1, max);
	rs_conn_close(c);	/* any_closed frees it */
	lb_retry(cl, d);
}

/* Connect to the node to dial (or the load balancer); -1 if that fails at once. */
static int
connect_target(struct rs_cluster *cl)
{
	/* The seed's URI gives the credentials; with via, the first seed's. */
	const struct rs_uri	*u = &cl->conn.uris[cl->next_seed > 0 ?
	    cl->next_seed - 1 : 0];

	cl->tries++;
	/* Through a load balancer: its address (the seed's), every time. */
	cl->target = rs_conn_new(cl->loop, u, cl->conn.load_balancer ? NULL :
	    cl->dial.host, cl->dial.port, &target_handler, cl);
	if (cl->target == NULL)
		return -1;
	rs_conn_set_timeout(cl->target, cl->conn.timeout);
	rs_conn_set_name(cl->target, cl->name);
	rs_conn_set_heartbeat(cl->target, cl->conn.heartbeat);
	rs_conn_set_tls(cl->target, cl->conn.tls);
	rs_conn_set_sasl(cl->target, cl->conn.sasl);
	if (rs_conn_start(cl->target) == 0)
		return 0;
	rs_say(cl->log, cl->ud, "%s", rs_conn_err(cl->target)->msg);
	rs_conn_free(cl->target);
	cl->target = NULL;
	return -1;
}

/*
 * Choose the node: the leader for publishing; for reading, the seed if it
 * holds a replica, else a replica picked at random, else the leader. 0 if
 * the seed is the one (or no_locate), 1 with dial set, and in want every
 * node that would do as well (each replica, for reading).
 */
static int
pick(struct rs_cluster *cl, struct rs_conn *c, const struct rs_stream_meta *m)
{
	struct rs_cluster_node	 n;
	uint32_t		 i;

	cl->nwant = 0;
	if (cl->conn.no_locate ||
	    node_set(&cl->leader, &m->leader_host, m->leader_port) == -1)
		return 0;
	if (cl->want_leader) {
		if (node_is(&cl->leader, c))
			return 0;
	} else if (m->nresolved > 0) {
		for (i = 0; i < m->nresolved; i++) {
			if (node_set(&n, &m->replica[i].host,
			    m->replica[i].port) == -1)
				continue;	/* a name we could not dial */
			if (node_is(&n, c))
				return 0;
			want_add(cl, &n);
		}
	} else if (m->self_is_member)
		return 0;
	if (cl->nwant == 0)
		want_add(cl, &cl->leader);
	cl->dial = cl->want[(size_t)(unit_random() * (double)cl->nwant)];
	return 1;
}

static void
on_metadata(struct rs_conn *c, const struct rs_frame *f, void *ud)
{
	struct rs_cluster	*cl = ud;
	struct rs_stream_meta	 m;
	int			 r;

	r = rs_frame_metadata_decode(f, cl->stream, rs_conn_advertised_host(c),
	    rs_conn_advertised_port(c), &m);
	if (r == -1) {
		fail(cl, RS_E_RUNTIME, "malformed Metadata response");
		return;
	}
	if (r == 0 || m.code == RS_STREAM_DOES_NOT_EXIST) {
		cl->missing = 1;
		fail(cl, RS_E_UNAVAILABLE, "stream does not exist%s",
		    cl->want_leader ? " (use --create to create it)" : "");
		return;
	}
	if (m.code != RS_OK) {
		fail(cl, m.code == RS_ACCESS_REFUSED ? RS_E_NOPERM :
		    RS_E_UNAVAILABLE, "%s", rs_proto_code_str(m.code));
		return;
	}
	if (!m.has_leader) {
		fail(cl, RS_E_UNAVAILABLE, "stream has no leader");
		return;
	}
	if (!pick(cl, c, &m)) {
		finish(cl, c);
		return;
	}
	if (cl->conn.load_balancer) {
		char	 want[600];

		wanted_text(cl, want, sizeof want);
		rs_say(cl->log, cl->ud, "the stream's %s on %s",
		    strcmp(wanted_what(cl), "the leader") == 0 ? "leader is" :
		    cl->nwant > 1 ? "replicas are" : "replica is", want);
	} else
		rs_say(cl->log, cl->ud, "the stream's %s is on %s:%u",
		    cl->want_leader || m.nresolved == 0 ? "leader" : "replica",
		    cl->dial.host, cl->dial.port);
	if (connect_target(cl) == -1)
		fall_back(cl);
}

static void
metadata(struct rs_cluster *cl, struct rs_conn *c)
{
	rs_frame_metadata(rs_conn_buf(c), rs_conn_corr(c, on_metadata, cl),
	    &cl->stream, 1);
	rs_conn_flush(c);
}

static void
on_create(struct rs_conn *c, const struct rs_frame *f, void *ud)
{
	struct rs_cluster	*cl = ud;

	switch (f->code) {
	case RS_OK:
	case RS_STREAM_ALREADY_EXISTS:
		metadata(cl, c);
		break;
	case RS_PRECONDITION_FAILED:
		fail(cl, RS_E_RUNTIME, "stream exists with other arguments "
		    "(precondition failed)");
		break;
	case RS_ACCESS_REFUSED:
		fail(cl, RS_E_NOPERM, "cannot create the stream: %s",
		    rs_proto_code_str(f->code));
		break;
	default:
		fail(cl, RS_E_RUNTIME, "cannot create the stream: %s",
		    rs_proto_code_str(f->code));
		break;
	}
}

static void
seed_ready(struct rs_conn *c, void *ud)
{
	struct rs_cluster	*cl = ud;

	if (cl->stream == NULL) {
		finish(cl, c);	/* no stream: the seed itself is wanted */
		return;
	}
	if (cl->create) {
		rs_frame_create(rs_conn_buf(c), rs_conn_corr(c, on_create, cl),
		    cl->stream, cl->create_args, cl->ncreate);
		rs_conn_flush(c);
	} else
		metadata(cl, c);
}

/* Connect to the next seed that takes a TCP connection; 0, or -1 when none is left (err set). */
static int
next_seed(struct rs_cluster *cl)
{
	while (cl->next_seed < cl->conn.nuris) {
		cl->seed = rs_conn_new(cl->loop, &cl->conn.uris[cl->next_seed++],
		    NULL, 0, &seed_handler, cl);
		if (cl->seed == NULL) {
			fail(cl, RS_E_RUNTIME, "out of memory");
			return -1;
		}
		rs_conn_set_timeout(cl->seed, cl->conn.timeout);
		rs_conn_set_name(cl->seed, cl->name);
		rs_conn_set_heartbeat(cl->seed, cl->conn.heartbeat);
		rs_conn_set_tls(cl->seed, cl->conn.tls);
		rs_conn_set_sasl(cl->seed, cl->conn.sasl);
		if (rs_conn_start(cl->seed) == 0)
			return 0;
		cl->err = *rs_conn_err(cl->seed);
		if (cl->next_seed < cl->conn.nuris)
			rs_say(cl->log, cl->ud, "%s", cl->err.msg);
		rs_conn_free(cl->seed);
		cl->seed = NULL;
	}
	return -1;
}

/* Start locating; cl->done() is called exactly once, with a ready connection or an error. */
void
rs_cluster_open(struct rs_cluster *cl)
{
	cl->finished = 0;
	cl->next_seed = 0;
	cl->tries = 0;
	cl->missing = 0;
	memset(&cl->err, 0, sizeof cl->err);
	if (cl->via != NULL) {
		metadata(cl, cl->via);	/* ask over a connection we do not own */
		return;
	}
	if (next_seed(cl) == -1 && !cl->finished)
		finish(cl, NULL);
}

/* Free whatever connections the cluster still owns (not the one it handed over). */
void
rs_cluster_free(struct rs_cluster *cl)
{
	if (cl->via != NULL && !cl->finished)
		rs_conn_forget(cl->via, cl);	/* its Metadata reply is not ours now */
	cl->via = NULL;
	rs_timer_free(cl->lb_timer);
	cl->lb_timer = NULL;
	rs_conn_free(cl->seed);
	rs_conn_free(cl->target);
	cl->seed = cl->target = NULL;
}
