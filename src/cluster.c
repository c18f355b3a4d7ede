/*
 * cluster.c: find the node for a stream (PROTOCOL.adoc "Metadata", "Create").
 *
 * Seed connection -> [Create] -> Metadata -> the stream's code, leader and
 * replicas. Nodes are compared by what they advertise (Open's
 * advertised_host/port against Metadata's broker table), since that is the
 * only name both sides share. When the leader is another node we connect to
 * it; if that fails (an advertised name this host cannot reach), the seed
 * still works, as every node forwards to the leader.
 */
#include "config.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "cluster.h"
#include "proto.h"

static void	seed_ready(struct rs_conn *, void *);
static void	target_ready(struct rs_conn *, void *);
static void	any_error(struct rs_conn *, void *);
static void	any_closed(struct rs_conn *, void *);
static void	any_frame(struct rs_conn *, const struct rs_frame *, void *);
static void	any_log(struct rs_conn *, const char *, void *);

static const struct rs_conn_handler seed_handler = {
	seed_ready, any_frame, any_error, any_closed, NULL, any_log
};
static const struct rs_conn_handler target_handler = {
	target_ready, any_frame, any_error, any_closed, NULL, any_log
};

static void
finish(struct rs_cluster *cl, struct rs_conn *c)
{
	if (cl->finished)
		return;
	cl->finished = 1;
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
	if (cl->log != NULL)
		cl->log(msg, cl->ud);
}

static void
any_error(struct rs_conn *c, void *ud)
{
	struct rs_cluster	*cl = ud;

	if (c == cl->target && cl->seed != NULL && !cl->finished) {
		/* The advertised leader is unreachable from here: use the seed. */
		if (cl->log != NULL)
			cl->log(rs_conn_err(c)->msg, cl->ud);
		cl->target = NULL;
		rs_conn_free(c);
		finish(cl, cl->seed);
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

static void
any_frame(struct rs_conn *c, const struct rs_frame *f, void *ud)
{
	(void)c;
	(void)f;
	(void)ud;
}

static void
target_ready(struct rs_conn *c, void *ud)
{
	finish(ud, c);
}

static void
on_metadata(struct rs_conn *c, const struct rs_frame *f, void *ud)
{
	struct rs_cluster	*cl = ud;
	struct rs_stream_meta	 m;
	char			 host[256];
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
	if (cl->want_leader ? (m.leader_port == rs_conn_advertised_port(c) &&
	    m.leader_host.len == strlen(rs_conn_advertised_host(c)) &&
	    memcmp(m.leader_host.p, rs_conn_advertised_host(c),
	    m.leader_host.len) == 0) : m.self_is_member) {
		finish(cl, c);
		return;
	}
	if (m.leader_host.len >= sizeof host) {
		fail(cl, RS_E_RUNTIME, "leader host name too long");
		return;
	}
	memcpy(host, m.leader_host.p, m.leader_host.len);
	host[m.leader_host.len] = '\0';
	if (cl->log != NULL) {
		char	 msg[320];

		snprintf(msg, sizeof msg, "stream leader is on %s:%u", host,
		    m.leader_port);
		cl->log(msg, cl->ud);
	}
	cl->target = rs_conn_new(cl->loop, &cl->uri, host, m.leader_port,
	    &target_handler, cl);
	if (cl->target != NULL)
		rs_conn_set_timeout(cl->target, cl->timeout);
	if (cl->target == NULL || rs_conn_start(cl->target) == -1) {
		if (cl->target != NULL) {
			if (cl->log != NULL)
				cl->log(rs_conn_err(cl->target)->msg, cl->ud);
			rs_conn_free(cl->target);
			cl->target = NULL;
		}
		finish(cl, c);
	}
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

	if (cl->create) {
		rs_frame_create(rs_conn_buf(c), rs_conn_corr(c, on_create, cl),
		    cl->stream, cl->create_args, cl->ncreate);
		rs_conn_flush(c);
	} else
		metadata(cl, c);
}

/* Start locating; cl->done() is called exactly once, with a ready connection or an error. */
void
rs_cluster_open(struct rs_cluster *cl)
{
	cl->finished = 0;
	cl->seed = rs_conn_new(cl->loop, &cl->uri, NULL, 0, &seed_handler, cl);
	if (cl->seed == NULL) {
		fail(cl, RS_E_RUNTIME, "out of memory");
		return;
	}
	rs_conn_set_timeout(cl->seed, cl->timeout);
	if (rs_conn_start(cl->seed) == -1) {
		cl->err = *rs_conn_err(cl->seed);
		rs_conn_free(cl->seed);
		cl->seed = NULL;
		finish(cl, NULL);
	}
}

/* Free whatever connections the cluster still owns (not the one it handed over). */
void
rs_cluster_free(struct rs_cluster *cl)
{
	rs_conn_free(cl->seed);
	rs_conn_free(cl->target);
	cl->seed = cl->target = NULL;
}
