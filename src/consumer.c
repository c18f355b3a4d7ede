/*
 * consumer.c: the consuming side of rstream-tail (PROTOCOL.adoc
 * "Subscribe", "Deliver", "Credit", "Unsubscribe").
 *
 * The end of the stream as it was when the run started is needed to stop
 * there (no -f) and to start N records before it (-n, -o last). RabbitMQ
 * 3.10.8 has no StreamStats, so it is measured: a second subscription at
 * "last" with credit 1, followed at once by a Metadata request as a barrier.
 * The broker sends a subscription's first chunks while it handles the
 * Subscribe, before it reads the next request, so if no chunk arrived by the
 * time the barrier's reply does, the stream was empty. The last chunk's
 * first offset plus its record count, minus one, is the end.
 *
 * Deliveries are whole chunks: records before the requested offset are
 * dropped here. Credit counts chunks; one more is granted after each chunk
 * has been written out, so a slow reader stops the broker rather than
 * growing our memory.
 */
#include "config.h"

#include <errno.h>
#include <poll.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "chunk.h"
#include "consumer.h"
#include "frame.h"
#include "proto.h"

#define SUB_MAIN	0
#define SUB_SNAP	1
#define INITIAL_CREDIT	4

static void	con_ready(struct rs_conn *, void *);
static void	con_frame(struct rs_conn *, const struct rs_frame *, void *);
static void	con_error(struct rs_conn *, void *);
static void	con_closed(struct rs_conn *, void *);

static const struct rs_conn_handler con_handler = {
	con_ready, con_frame, con_error, con_closed, NULL, NULL
};

static void __attribute__((format(printf, 3, 4)))
set_err(struct rs_consumer *k, enum rs_err_kind kind, const char *fmt, ...)
{
	va_list	 ap;

	if (k->err.kind != RS_E_OK)
		return;
	k->err.kind = kind;
	va_start(ap, fmt);
	vsnprintf(k->err.msg, sizeof k->err.msg, fmt, ap);
	va_end(ap);
}

static void __attribute__((format(printf, 2, 3)))
logf_(struct rs_consumer *k, const char *fmt, ...)
{
	char	 msg[512];
	va_list	 ap;

	if (k->cfg.log == NULL)
		return;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	k->cfg.log(msg, k->cfg.log_ud);
}

static void
stop(struct rs_consumer *k)
{
	rs_io_free(k->out_watch);
	k->out_watch = NULL;
	rs_loop_break(k->loop);
}

/* The run is over: close the connection politely, then stop. */
static void
finish(struct rs_consumer *k)
{
	if (k->done)
		return;
	k->done = 1;
	if (k->conn != NULL)
		rs_conn_close(k->conn);
	else
		stop(k);
}

static void
con_closed(struct rs_conn *c, void *ud)
{
	(void)c;
	stop(ud);
}

static void
con_error(struct rs_conn *c, void *ud)
{
	struct rs_consumer	*k = ud;

	if (!k->done)
		set_err(k, rs_conn_err(c)->kind, "%s", rs_conn_err(c)->msg);
	stop(k);
}

static void
con_ready(struct rs_conn *c, void *ud)
{
	(void)c;
	(void)ud;
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
				set_err(k, RS_E_RUNTIME, "write error: %s",
				    strerror(errno));
			finish(k);
			return -1;
		}
		off += (size_t)n;
	}
	k->out.len = 0;
	return 0;
}

static void
on_subscribe(struct rs_conn *c, const struct rs_frame *f, void *ud)
{
	struct rs_consumer	*k = ud;

	(void)c;
	if (f->code != RS_OK) {
		set_err(k, f->code == RS_ACCESS_REFUSED ? RS_E_NOPERM :
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

/* With the end known (or not needed), subscribe where the user asked. */
static void
subscribe(struct rs_consumer *k)
{
	struct rs_conn	*c = k->conn;
	uint16_t	 type;
	uint64_t	 off = 0;

	if (k->cfg.lines >= 0 || k->cfg.start.kind == RS_SPEC_LAST) {
		if (!k->have_end)
			k->start = 0;
		else if (k->cfg.lines < 0)
			k->start = k->end;
		else if ((uint64_t)k->cfg.lines > k->end)
			k->start = 0;
		else
			k->start = k->end + 1 - (uint64_t)k->cfg.lines;
		type = RS_OFFSET_OFFSET;
		off = k->start;
	} else if (k->cfg.start.kind == RS_SPEC_FIRST) {
		type = RS_OFFSET_FIRST;
	} else if (k->cfg.start.kind == RS_SPEC_NEXT) {
		type = RS_OFFSET_NEXT;
		k->start = k->have_end ? k->end + 1 : 0;
	} else {
		type = RS_OFFSET_OFFSET;
		off = k->start = k->cfg.start.offset;
	}
	if (!k->cfg.follow &&
	    (!k->have_end || k->start > k->end ||
	    k->cfg.start.kind == RS_SPEC_NEXT)) {
		logf_(k, "nothing to read before the end of the stream");
		finish(k);
		return;
	}
	logf_(k, "subscribing at %s %llu%s", type == RS_OFFSET_FIRST ? "first" :
	    type == RS_OFFSET_NEXT ? "next" : "offset",
	    (unsigned long long)off, k->cfg.follow ? ", following" : "");
	k->subscribed = 1;
	rs_frame_subscribe(rs_conn_buf(c), rs_conn_corr(c, on_subscribe, k),
	    SUB_MAIN, k->cfg.stream, type, off, INITIAL_CREDIT, NULL, 0);
	rs_conn_flush(c);
}

/* The barrier's reply: every chunk the "last" subscription had is in. */
static void
on_barrier(struct rs_conn *c, const struct rs_frame *f, void *ud)
{
	struct rs_consumer	*k = ud;

	(void)f;
	k->snap_done = 1;
	if (k->have_end)
		logf_(k, "the stream ends at offset %llu",
		    (unsigned long long)k->end);
	else
		logf_(k, "the stream is empty");
	rs_frame_unsubscribe(rs_conn_buf(c), rs_conn_corr(c, on_ignore, k),
	    SUB_SNAP);
	subscribe(k);
}

static void
on_snap_subscribe(struct rs_conn *c, const struct rs_frame *f, void *ud)
{
	struct rs_consumer	*k = ud;

	(void)c;
	if (f->code != RS_OK) {
		set_err(k, RS_E_UNAVAILABLE, "cannot read the end of the "
		    "stream: %s", rs_proto_code_str(f->code));
		finish(k);
	}
}

static void
located(struct rs_conn *c, const struct rs_err *err, void *ud)
{
	struct rs_consumer	*k = ud;

	if (c == NULL) {
		set_err(k, err->kind, "%s", err->msg);
		stop(k);
		return;
	}
	k->conn = c;
	rs_conn_set_handler(c, &con_handler, k);
	if (k->cfg.follow && k->cfg.lines < 0 &&
	    k->cfg.start.kind != RS_SPEC_LAST) {
		k->snap_done = 1;
		subscribe(k);
		return;
	}
	rs_frame_subscribe(rs_conn_buf(c), rs_conn_corr(c, on_snap_subscribe, k),
	    SUB_SNAP, k->cfg.stream, RS_OFFSET_LAST, 0, 1, NULL, 0);
	rs_frame_metadata(rs_conn_buf(c), rs_conn_corr(c, on_barrier, k),
	    &k->cfg.stream, 1);
	rs_conn_flush(c);
}

/* A chunk for the main subscription: print its records in range. */
static void
deliver(struct rs_consumer *k, const uint8_t *p, size_t len)
{
	struct rs_chunk	 ch;
	const uint8_t	*rec;
	size_t		 n;
	uint64_t	 off;
	int		 r, end = 0;

	if (rs_chunk_parse(&ch, p, len, 1) == -1) {
		rs_conn_fail(k->conn, RS_E_RUNTIME, "bad chunk: %s", ch.errstr);
		return;
	}
	if (ch.type == RS_CHUNK_USER) {
		while ((r = rs_chunk_next(&ch, &rec, &n, &off)) == 1) {
			if (off < k->start)
				continue;
			if (!k->cfg.follow && off > k->end) {
				end = 1;
				break;
			}
			rs_output_record(&k->cfg.output, &k->out, rec, n);
			k->printed++;
			if ((k->cfg.count > 0 && k->printed == k->cfg.count) ||
			    (!k->cfg.follow && off == k->end)) {
				end = 1;
				break;
			}
		}
		if (r == -1) {
			rs_conn_fail(k->conn, RS_E_RUNTIME, "bad chunk: %s",
			    ch.errstr);
			return;
		}
	}
	if (k->out.oom) {
		set_err(k, RS_E_RUNTIME, "out of memory");
		finish(k);
		return;
	}
	if (write_out(k) == -1)
		return;
	if (end || (!k->cfg.follow && ch.first_offset + ch.nrecords > k->end))
		finish(k);
	else {
		rs_frame_credit(rs_conn_buf(k->conn), SUB_MAIN, 1);
		rs_conn_flush(k->conn);
	}
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
		if (sub == SUB_SNAP) {
			if (k->snap_done)
				return;
			if (rs_chunk_parse(&ch, chunk, len, 0) == -1) {
				rs_conn_fail(c, RS_E_RUNTIME, "bad chunk: %s",
				    ch.errstr);
				return;
			}
			if (ch.nrecords > 0) {
				k->have_end = 1;
				k->end = ch.first_offset + ch.nrecords - 1;
			}
		} else if (sub == SUB_MAIN && k->subscribed)
			deliver(k, chunk, len);
		break;
	case RS_METADATA_UPDATE:
		if (rs_frame_metadata_update_decode(f, &code, &s) == -1)
			code = 0;
		set_err(k, RS_E_UNAVAILABLE, "the stream is no longer available "
		    "here (%s): it was deleted or its node went down",
		    rs_proto_code_str(code));
		finish(k);
		break;
	case RS_CREDIT | RS_RESPONSE:
		if (f->code == RS_SUBSCRIPTION_ID_DOES_NOT_EXIST)
			break;	/* a credit racing an unsubscribe */
		set_err(k, RS_E_RUNTIME, "credit refused: %s",
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

static void
cluster_log(const char *msg, void *ud)
{
	struct rs_consumer	*k = ud;

	if (k->cfg.log != NULL)
		k->cfg.log(msg, k->cfg.log_ud);
}

/* Read the stream as configured; 0 on success (a closed output included), -1 with err set. */
int
rs_consumer_run(struct rs_consumer *k, const struct rs_consumer_cfg *cfg,
    struct rs_loop *loop)
{
	struct stat	 st;

	memset(k, 0, sizeof *k);
	k->cfg = *cfg;
	k->loop = loop;
	rs_buf_init(&k->out);
	if (fstat(cfg->out_fd, &st) == 0 && S_ISFIFO(st.st_mode) &&
	    (k->out_watch = rs_io_new(loop, cfg->out_fd, out_event, k)) != NULL)
		rs_io_set(k->out_watch, RS_READ);
	k->cluster.loop = loop;
	k->cluster.uri = cfg->uri;
	k->cluster.stream = cfg->stream;
	k->cluster.want_leader = 0;
	k->cluster.done = located;
	k->cluster.ud = k;
	k->cluster.log = cluster_log;
	rs_cluster_open(&k->cluster);
	if (k->err.kind == RS_E_OK)
		rs_loop_run(loop);
	return k->err.kind == RS_E_OK ? 0 : -1;
}

void
rs_consumer_free(struct rs_consumer *k)
{
	rs_io_free(k->out_watch);
	rs_conn_free(k->conn);
	rs_cluster_free(&k->cluster);
	rs_buf_free(&k->out);
}
