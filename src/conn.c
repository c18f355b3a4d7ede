/*
 * conn.c: one stream-protocol connection (PROTOCOL.adoc "Heartbeat",
 * "Close"): its I/O, requests matched to replies (pending.c), timers
 * (what its users set and read is connattr.c's). The opening conversation (PeerProperties, SASL, Tune,
 * Open, ExchangeCommandVersions) is handshake.c's, which this file drives:
 * it starts it, hands it its replies and the server's Tune, and lends it a
 * correlation id, a flush, a failure and ready through struct
 * rs_handshake_ops, so handshake.c never calls back into this file.
 *
 * States run CONNECTED (the handshake) -> READY -> CLOSING -> DEAD. Before
 * READY everything is strictly sequential; after it requests may be
 * pipelined. Every request registers a pending entry keyed by its
 * correlation id; the response calls it back and removes it.
 *
 * Versions: the handshake records what the broker has (handshake.c says
 * how). Users ask rs_conn_has() before sending anything newer than 3.10.8,
 * and rs_conn_require() for the sentence to fail with when the answer is no.
 *
 * Writes are tried at once; the write watcher is armed only while output is
 * queued. Heartbeats: one timer ticks every heartbeat/2 seconds, sends a
 * Heartbeat if nothing was written since the last tick, and declares the
 * broker dead after two heartbeat intervals without a byte from it.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "conn.h"
#include "connpriv.h"
#include "handshake.h"
#include "proto.h"
#include "reader.h"
#include "secret.h"
#include "tcp.h"
#include "tls.h"

#define DEFAULT_TIMEOUT		30.0	/* connect, handshake, any reply */
#define CLOSE_TIMEOUT		5.0
#define READ_BLOCK		(256u << 10)

static void	conn_io(void *, int);
static void	conn_tick(void *);
static void	reply_tick(void *);
static void	read_again(void *);
static void	teardown(struct rs_conn *);
static void	really_free(struct rs_conn *);
static const struct rs_handshake_ops hs_ops;

/* A -v line, through the handler's log hook if it has one. */
static void __attribute__((format(printf, 2, 3)))
logf_(struct rs_conn *c, const char *fmt, ...)
{
	char	 msg[512];
	va_list	 ap;

	if (c->h->log == NULL)
		return;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	c->h->log(c, msg, c->ud);
}

/* A connection to host:port (NULL: the URI's), not started yet. */
struct rs_conn *
rs_conn_new(struct rs_loop *loop, const struct rs_uri *uri, const char *host,
    unsigned port, const struct rs_conn_handler *h, void *ud)
{
	struct rs_conn	*c;

	if ((c = calloc(1, sizeof *c)) == NULL)
		return NULL;
	c->loop = loop;
	c->uri = uri;
	snprintf(c->host, sizeof c->host, "%s", host ? host : uri->host);
	c->port = host ? port : uri->port;
	c->h = h;
	c->ud = ud;
	c->t.fd = -1;
	c->state = DEAD;
	rs_pending_init(&c->pending);
	rs_reader_init(&c->rd, RS_FRAME_CAP, RS_DELIVER_CAP);
	rs_buf_init(&c->out);
	c->timeout = DEFAULT_TIMEOUT;
	rs_handshake_init(&c->hs, &hs_ops, c, uri, &c->out, &c->rd);
	if ((c->timer = rs_timer_new(loop, conn_tick, c)) == NULL ||
	    (c->reply_timer = rs_timer_new(loop, reply_tick, c)) == NULL ||
	    (c->again = rs_timer_new(loop, read_again, c)) == NULL) {
		rs_timer_free(c->timer);
		rs_timer_free(c->reply_timer);
		free(c);
		return NULL;
	}
	return c;
}

/* Free the connection; from inside one of its callbacks, once that returns. */
void
rs_conn_free(struct rs_conn *c)
{
	if (c == NULL)
		return;
	if (c->in_cb > 0) {
		c->free_me = 1;
		teardown(c);
		return;
	}
	really_free(c);
}

/* Free everything now. */
static void
really_free(struct rs_conn *c)
{
	teardown(c);
	rs_timer_free(c->timer);
	rs_timer_free(c->reply_timer);
	rs_timer_free(c->again);
	rs_reader_free(&c->rd);
	if (c->hs.secret_end > 0)
		rs_secret_wipe(c->out.data, c->hs.secret_end);
	rs_buf_free(&c->out);
	rs_pending_free(&c->pending);
	free(c);
}

/* Leave the callback section; 1 if the connection was freed meanwhile. */
static int
leave(struct rs_conn *c)
{
	if (--c->in_cb == 0 && c->free_me) {
		really_free(c);
		return 1;
	}
	return 0;
}

/* Stop watching and close the socket; the connection is dead. */
static void
teardown(struct rs_conn *c)
{
	rs_io_free(c->io);
	c->io = NULL;
	rs_timer_stop(c->timer);
	rs_timer_stop(c->reply_timer);
	rs_timer_stop(c->again);
	if (c->t.fd != -1)
		c->t.close(&c->t);
	c->state = DEAD;
}

/* Report a fatal error once: the connection is dead afterwards. */
void
rs_conn_fail(struct rs_conn *c, enum rs_err_kind kind, const char *fmt, ...)
{
	va_list	 ap;

	if (c->state == DEAD || c->err.kind != RS_E_OK)
		return;
	c->err.kind = kind;
	va_start(ap, fmt);
	vsnprintf(c->err.msg, sizeof c->err.msg, fmt, ap);
	va_end(ap);
	teardown(c);
	c->in_cb++;
	c->h->error(c, c->ud);
	leave(c);
}

/* Register a reply callback; the correlation id to put in the request. */
uint32_t
rs_conn_corr(struct rs_conn *c, rs_reply_fn *fn, void *priv)
{
	uint32_t	 corr;

	if ((corr = rs_pending_add(&c->pending, fn, priv,
	    rs_loop_now(c->loop))) == 0) {
		c->out.oom = 1;	/* surfaces at the next flush */
		return 0;
	}
	if (c->pending.n == 1 && c->state != DEAD)
		rs_timer_set(c->reply_timer, c->timeout, 0.);
	return corr;
}

/*
 * The replies still awaited for priv are dropped when they come: for an
 * owner that leaves a connection others go on using (a consumer of
 * multipool.c's shared connections, cluster.c asking over one).
 */
void
rs_conn_forget(struct rs_conn *c, void *priv)
{
	rs_pending_forget(&c->pending, priv);
}

/*
 * Write q's frames too, after the connection's own (rs_outq, wire.h): the
 * owner keeps them after they are written. NULL: none.
 */
void
rs_conn_set_outq(struct rs_conn *c, struct rs_outq *q)
{
	c->q = q;
	c->q_left = 0;
}

/* How many bytes wait to be written. */
size_t
rs_conn_unsent(const struct rs_conn *c)
{
	return c->out.len - c->out_off +
	    (c->q != NULL ? c->q->ready - c->q->sent : 0);
}

/*
 * Watch for what the connection waits for: always input; the socket's
 * room while output is queued, unless the transport must read before it
 * can write on (TLS), and while a read of the transport's must write first.
 */
static void
arm(struct rs_conn *c)
{
	int	 ev = RS_READ;

	if ((rs_conn_unsent(c) > 0 && !(c->t.wants & RS_T_WRITE_WANTS_READ)) ||
	    (c->t.wants & RS_T_READ_WANTS_WRITE))
		ev |= RS_WRITE;
	rs_io_set(c->io, ev);
}

/* The kind of a transport failure: its own (TLS), else by how far we got. */
static enum rs_err_kind
transport_kind(const struct rs_conn *c)
{
	if (c->t.kind != RS_E_OK)
		return c->t.kind;
	return c->state == READY || c->state == CLOSING ? RS_E_TEMPFAIL :
	    RS_E_UNAVAILABLE;
}

/* Write what is queued; arm the write watcher for the rest. 0, or -1 if the connection failed. */
int
rs_conn_flush(struct rs_conn *c)
{
	ssize_t	 n;

	if (c->state == DEAD)
		return -1;
	if (c->out.oom) {
		rs_conn_fail(c, RS_E_RUNTIME, "out of memory");
		return -1;
	}
	/*
	 * Our frames, then q's; a span of q once begun is written to its end
	 * (a frame boundary) before ours go on, and ours before q's, so no
	 * frame is ever cut by another's bytes.
	 */
	for (;;) {
		if (c->q_left == 0 && c->out_off < c->out.len)
			n = c->t.write(&c->t, c->out.data + c->out_off,
			    c->out.len - c->out_off);
		else if (c->q_left > 0 ||
		    (c->q != NULL && (c->q_left = c->q->ready - c->q->sent) > 0))
			n = c->t.write(&c->t, c->q->buf.data + c->q->sent,
			    c->q_left);
		else
			break;
		if (n < 0) {
			rs_conn_fail(c, transport_kind(c), "%s:%u: %s", c->host,
			    c->port, c->t.errstr);
			return -1;
		}
		if (n == 0)
			break;
		if (c->q_left > 0) {
			c->q->sent += (size_t)n;
			c->q_left -= (size_t)n;
		} else
			c->out_off += (size_t)n;
		c->wrote = 1;
	}
	if (c->out_off == c->out.len) {
		if (c->hs.secret_end > 0) {
			rs_secret_wipe(c->out.data, c->hs.secret_end);
			c->hs.secret_end = 0;
		}
		c->out.len = c->out_off = 0;
	} else if (c->out_off > (1u << 20)) {
		rs_buf_consume(&c->out, c->out_off);
		c->out_off = 0;
	}
	arm(c);
	if (rs_conn_unsent(c) == 0 && c->h->drained != NULL &&
	    c->state == READY) {
		c->in_cb++;
		c->h->drained(c, c->ud);
		if (leave(c))
			return -1;
	}
	return c->state == DEAD ? -1 : 0;
}

/* The handshake is over: start heartbeats and tell the user. */
static void
become_ready(void *ud)
{
	struct rs_conn	*c = ud;

	c->state = READY;
	rs_timer_stop(c->timer);
	if (c->hs.heartbeat > 0)
		rs_timer_set(c->timer, c->hs.heartbeat / 2.0,
		    c->hs.heartbeat / 2.0);
	logf_(c, "connected to %s:%u (RabbitMQ %s%s%s%s), frame max %u, "
	    "heartbeat %u s", c->host, c->port,
	    c->hs.version[0] ? c->hs.version : "?",
	    rs_features_has(&c->hs.feat, RS_FEATURE_DELIVER_V2) ?
	    ", Deliver v2" : "", c->t.info[0] ? ", " : "", c->t.info,
	    c->hs.frame_max, c->hs.heartbeat);
	if (c->h->ready != NULL)
		c->h->ready(c, c->ud);
}

/* A reply to the handshake's request: the handshake's next step. */
static void
hs_reply(struct rs_conn *c, const struct rs_frame *f, void *priv)
{
	(void)priv;
	rs_handshake_reply(&c->hs, f);
}

/* The handshake's next request: its reply goes back to the handshake. */
static uint32_t
hs_corr(void *ud)
{
	return rs_conn_corr(ud, hs_reply, NULL);
}

/* The handshake wrote a request: send it. */
static void
hs_flush(void *ud)
{
	rs_conn_flush(ud);
}

/* The handshake failed: so does the connection, named as in its other messages. */
static void
hs_fail(void *ud, enum rs_err_kind kind, const char *msg)
{
	struct rs_conn	*c = ud;

	rs_conn_fail(c, kind, "%s:%u: %s", c->host, c->port, msg);
}

/* A -v line from the handshake, named the same way. */
static void
hs_log(void *ud, const char *msg)
{
	struct rs_conn	*c = ud;

	logf_(c, "%s:%u: %s", c->host, c->port, msg);
}

static const struct rs_handshake_ops hs_ops = {
	hs_corr, hs_flush, hs_fail, become_ready, hs_log
};

/*
 * Connect and start the handshake; -1 (and err set) if the TCP connection
 * fails. Callbacks come later, from the loop, never from inside this call.
 */
int
rs_conn_start(struct rs_conn *c)
{
	if (c->uri->tls && c->tls == NULL) {
		c->err.kind = RS_E_RUNTIME;
		snprintf(c->err.msg, sizeof c->err.msg, "a rabbitmq-stream+tls "
		    "URI, but no TLS context");
		return -1;
	}
	if ((c->uri->tls ? rs_tls_open(&c->t, c->tls, c->host, c->port,
	    c->timeout) : rs_tcp_open(&c->t, c->host, c->port,
	    c->timeout)) == -1) {
		c->err.kind = RS_E_UNAVAILABLE;
		snprintf(c->err.msg, sizeof c->err.msg, "%s", c->t.errstr);
		return -1;
	}
	if ((c->io = rs_io_new(c->loop, c->t.fd, conn_io, c)) == NULL) {
		c->t.close(&c->t);
		c->err.kind = RS_E_RUNTIME;
		snprintf(c->err.msg, sizeof c->err.msg, "out of memory");
		return -1;
	}
	c->state = CONNECTED;
	c->last_read = rs_loop_now(c->loop);
	rs_io_set(c->io, RS_READ);
	rs_timer_set(c->timer, c->timeout, 0.);
	rs_handshake_start(&c->hs);
	arm(c);		/* the loop writes it: no callback from inside start */
	return 0;
}

/* The broker agreed to our Close. */
static void
on_close_reply(struct rs_conn *c, const struct rs_frame *f, void *priv)
{
	(void)f;
	(void)priv;
	teardown(c);
	c->h->closed(c, c->ud);
}

/* Close politely: Close, wait for the reply (bounded), then handler.closed(). */
void
rs_conn_close(struct rs_conn *c)
{
	if (c->state == CLOSING)
		return;
	if (c->state != READY) {
		teardown(c);
		c->in_cb++;
		c->h->closed(c, c->ud);
		leave(c);
		return;
	}
	c->state = CLOSING;
	rs_frame_close(&c->out, rs_conn_corr(c, on_close_reply, NULL), RS_OK, "OK");
	rs_timer_set(c->timer, CLOSE_TIMEOUT, 0.);
	rs_conn_flush(c);
}

/* A request has waited longer than the timeout: the broker is stuck. */
static void
reply_tick(void *data)
{
	struct rs_conn	*c = data;
	double		 oldest, now = rs_loop_now(c->loop);

	if (c->pending.n == 0 || c->state == DEAD || c->state == CLOSING)
		return;
	oldest = rs_pending_oldest(&c->pending);
	if (now - oldest < c->timeout) {
		rs_timer_set(c->reply_timer, c->timeout - (now - oldest), 0.);
		return;
	}
	c->in_cb++;
	rs_conn_fail(c, c->state == READY ? RS_E_TEMPFAIL : RS_E_UNAVAILABLE,
	    "%s:%u: no reply from the broker within %g s", c->host, c->port,
	    c->timeout);
	leave(c);
}

/* Timer: heartbeats when ready, timeouts otherwise. */
static void
conn_tick(void *data)
{
	struct rs_conn	*c = data;
	double		 silent = rs_loop_now(c->loop) - c->last_read;

	c->in_cb++;
	switch (c->state) {
	case READY:
		if (c->hs.heartbeat > 0 && silent > 2.0 * c->hs.heartbeat) {
			/* The limit, not the silence: that depends on the tick. */
			rs_conn_fail(c, RS_E_TEMPFAIL, "%s:%u: no heartbeat from "
			    "the broker for %g s", c->host, c->port,
			    2.0 * c->hs.heartbeat);
			break;
		}
		if (!c->wrote) {
			rs_frame_heartbeat(&c->out);
			rs_conn_flush(c);
		}
		c->wrote = 0;
		break;
	case CLOSING:
		teardown(c);
		c->h->closed(c, c->ud);
		break;
	case DEAD:
		break;
	default:
		if (c->t.pending != NULL)
			rs_conn_fail(c, RS_E_UNAVAILABLE, "%s:%u: %s did not "
			    "finish within %g s (is %u the right port?)",
			    c->host, c->port, c->t.pending, c->timeout, c->port);
		else
			rs_conn_fail(c, RS_E_UNAVAILABLE, "%s:%u: no answer "
			    "to the handshake within %g s", c->host, c->port,
			    c->timeout);
		break;
	}
	leave(c);
}

/*
 * Hand a response to whoever asked for it. A response to nothing we asked
 * means the two sides no longer agree on what was said: fail.
 */
static void
reply(struct rs_conn *c, const struct rs_frame *f)
{
	struct rs_pending_entry	 p;

	if (rs_pending_take(&c->pending, f->corr, &p) == -1) {
		rs_conn_fail(c, RS_E_RUNTIME, "%s:%u: bad frame from the broker: "
		    "%s response with unknown correlation id %u", c->host,
		    c->port, rs_proto_key_str(f->key), f->corr);
		return;
	}
	if (c->pending.n == 0)
		rs_timer_stop(c->reply_timer);
	if (p.fn != NULL)	/* NULL: nobody reads it, or forgotten */
		p.fn(c, f, p.priv);
}

/* The server closes the connection: answer, fail with its code and reason. */
static void
on_close(struct rs_conn *c, const struct rs_frame *f)
{
	struct rs_str	 r;
	const char	*what = rs_proto_code_str(f->code);
	char		 reason[160];

	if (rs_frame_close_decode(f, &r) == -1 || r.p == NULL)
		r.p = "", r.len = 0;
	rs_proto_printable(reason, sizeof reason, r.p, r.len);
	if (strcmp(reason, what) == 0)
		reason[0] = '\0';
	rs_frame_close_response(&c->out, f->corr, RS_OK);
	rs_conn_flush(c);
	rs_conn_fail(c, f->code == RS_UNKNOWN_FRAME ? RS_E_RUNTIME :
	    RS_E_TEMPFAIL, "%s:%u: the broker closed the connection: %s%s%s",
	    c->host, c->port, what, reason[0] ? ": " : "", reason);
}

/*
 * One frame from the server. Anything a broker does not send (an unknown
 * key, a request meant for a broker) fails the connection, as a broker
 * closes ours on a frame it does not know.
 */
static void
dispatch(struct rs_conn *c, const struct rs_frame *f)
{
	if ((f->key & RS_RESPONSE) && f->has_corr) {
		reply(c, f);
		return;
	}
	switch (f->key) {
	case RS_TUNE:
		rs_handshake_tune(&c->hs, f);
		break;
	case RS_HEARTBEAT:
		break;
	case RS_CLOSE:
		on_close(c, f);
		break;
	case RS_DELIVER:
	case RS_PUBLISH_CONFIRM:
	case RS_PUBLISH_ERROR:
	case RS_METADATA_UPDATE:
	case RS_CONSUMER_UPDATE:
	case RS_CREDIT | RS_RESPONSE:
		if ((c->state == READY || c->state == CLOSING) &&
		    c->h->frame != NULL)
			c->h->frame(c, f, c->ud);
		break;
	default:
		rs_conn_fail(c, RS_E_RUNTIME, "%s:%u: bad frame from the broker: "
		    "unknown key 0x%04x", c->host, c->port, f->key);
		break;
	}
}

/* Read what the socket has and dispatch every whole frame. */
static void
conn_read(struct rs_conn *c)
{
	struct rs_frame	 f;
	const uint8_t	*frame;
	uint8_t		*p;
	size_t		 avail, len;
	ssize_t		 n;
	char		 err[128];
	int		 r, rounds;

	for (rounds = 0; rounds < 16 && c->state != DEAD; rounds++) {
		if (rs_reader_space(&c->rd, READ_BLOCK, &p, &avail) == -1) {
			rs_conn_fail(c, RS_E_RUNTIME, "%s:%u: %s", c->host,
			    c->port, c->rd.errstr);
			return;
		}
		if ((n = c->t.read(&c->t, p, avail)) == 0)
			return;
		if (n < 0) {
			if (c->state == CLOSING) {
				teardown(c);
				c->h->closed(c, c->ud);
			} else if (!rs_handshake_hung_up(&c->hs))
				rs_conn_fail(c, transport_kind(c), "%s:%u: %s",
				    c->host, c->port, c->t.errstr);
			return;
		}
		rs_reader_commit(&c->rd, (size_t)n);
		c->last_read = rs_loop_now(c->loop);
		while (c->state != DEAD &&
		    (r = rs_reader_next(&c->rd, &frame, &len)) != 0) {
			if (r == -1 ||
			    rs_frame_decode(frame, len, &f, err, sizeof err) == -1) {
				rs_conn_fail(c, RS_E_RUNTIME, "%s:%u: bad frame "
				    "from the broker: %s", c->host, c->port,
				    r == -1 ? c->rd.errstr : err);
				return;
			}
			dispatch(c, &f);
		}
		if ((size_t)n < avail)
			return;
	}
	/* Enough for one wakeup; what TLS still holds, the fd will not say. */
	if (c->state != DEAD && c->t.buffered)
		rs_timer_set(c->again, 0., 0.);
}

/* Timer: read on what the transport held back at the last wakeup. */
static void
read_again(void *data)
{
	struct rs_conn	*c = data;

	c->in_cb++;
	if (c->state != DEAD) {
		conn_read(c);
		if (c->state != DEAD)
			arm(c);
	}
	leave(c);
}

/* The socket is writable or readable. */
static void
conn_io(void *data, int events)
{
	struct rs_conn	*c = data;

	int		 wants = c->t.wants;

	c->in_cb++;
	if (((events & RS_WRITE) || ((events & RS_READ) &&
	    (wants & RS_T_WRITE_WANTS_READ))) && c->state != DEAD)
		rs_conn_flush(c);
	if (((events & RS_READ) || ((events & RS_WRITE) &&
	    (wants & RS_T_READ_WANTS_WRITE))) && c->state != DEAD) {
		conn_read(c);
		if (c->state != DEAD)
			arm(c);
	}
	leave(c);
}
