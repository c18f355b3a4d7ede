/*
 * conn.c: one stream-protocol connection (PROTOCOL.adoc "Connection
 * lifecycle", "Tune", "Heartbeat", "Close").
 *
 * States run CONNECTED -> (PeerProperties, SaslHandshake, SaslAuthenticate
 * replies) -> TUNING (waiting for the server's Tune) -> OPENING -> READY ->
 * CLOSING -> DEAD. Before READY everything is strictly sequential; after it
 * requests may be pipelined. Every request registers a pending entry keyed
 * by its correlation id; the response calls it back and removes it.
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
#include "proto.h"
#include "reader.h"
#include "tcp.h"

#define CONNECT_TIMEOUT		10.0
#define HANDSHAKE_TIMEOUT	30.0
#define CLOSE_TIMEOUT		5.0
#define READ_BLOCK		(256u << 10)

enum state { CONNECTED, TUNING, OPENING, READY, CLOSING, DEAD };

struct pending {
	uint32_t	 corr;
	rs_reply_fn	*fn;
	void		*priv;
};

struct rs_conn {
	struct rs_loop			*loop;
	struct rs_uri			 uri;
	char				 host[256];
	unsigned			 port;
	const struct rs_conn_handler	*h;
	void				*ud;

	struct rs_transport		 t;
	struct rs_io			*io;
	struct rs_timer			*timer;
	struct rs_reader		 rd;
	struct rs_buf			 out;
	size_t				 out_off;
	enum state			 state;

	uint32_t			 next_corr;
	struct pending			*pending;
	size_t				 npending;
	size_t				 cappending;

	uint32_t			 frame_max;
	uint32_t			 heartbeat;
	double				 last_read;
	int				 wrote;		/* since the last tick */
	char				 version[64];
	char				 adv_host[256];
	unsigned			 adv_port;

	int				 in_cb;
	int				 free_me;
	struct rs_err			 err;
};

static void	conn_io(void *, int);
static void	conn_tick(void *);
static void	teardown(struct rs_conn *);
static void	really_free(struct rs_conn *);

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

struct rs_conn *
rs_conn_new(struct rs_loop *loop, const struct rs_uri *uri, const char *host,
    unsigned port, const struct rs_conn_handler *h, void *ud)
{
	struct rs_conn	*c;

	if ((c = calloc(1, sizeof *c)) == NULL)
		return NULL;
	c->loop = loop;
	c->uri = *uri;
	snprintf(c->host, sizeof c->host, "%s", host ? host : uri->host);
	c->port = host ? port : uri->port;
	c->h = h;
	c->ud = ud;
	c->t.fd = -1;
	c->state = DEAD;
	c->next_corr = 1;
	rs_reader_init(&c->rd, RS_FRAME_CAP, RS_DELIVER_CAP);
	rs_buf_init(&c->out);
	if ((c->timer = rs_timer_new(loop, conn_tick, c)) == NULL) {
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

static void
really_free(struct rs_conn *c)
{
	teardown(c);
	rs_timer_free(c->timer);
	rs_reader_free(&c->rd);
	rs_buf_free(&c->out);
	free(c->pending);
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

static void
teardown(struct rs_conn *c)
{
	rs_io_free(c->io);
	c->io = NULL;
	rs_timer_stop(c->timer);
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

/* Hand the connection (and its callbacks) to a new owner. */
void
rs_conn_set_handler(struct rs_conn *c, const struct rs_conn_handler *h, void *ud)
{
	c->h = h;
	c->ud = ud;
}

const struct rs_err *
rs_conn_err(const struct rs_conn *c)
{
	return &c->err;
}

/* Register a reply callback; the correlation id to put in the request. */
uint32_t
rs_conn_corr(struct rs_conn *c, rs_reply_fn *fn, void *priv)
{
	struct pending	*p;
	size_t		 cap;

	if (c->npending == c->cappending) {
		cap = c->cappending ? 2 * c->cappending : 8;
		if ((p = realloc(c->pending, cap * sizeof *p)) == NULL) {
			c->out.oom = 1;	/* surfaces at the next flush */
			return 0;
		}
		c->pending = p;
		c->cappending = cap;
	}
	p = &c->pending[c->npending++];
	p->corr = c->next_corr++;
	if (c->next_corr == 0)
		c->next_corr = 1;
	p->fn = fn;
	p->priv = priv;
	return p->corr;
}

struct rs_buf *
rs_conn_buf(struct rs_conn *c)
{
	return &c->out;
}

size_t
rs_conn_unsent(const struct rs_conn *c)
{
	return c->out.len - c->out_off;
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
	while (c->out_off < c->out.len) {
		n = c->t.write(&c->t, c->out.data + c->out_off,
		    c->out.len - c->out_off);
		if (n < 0) {
			rs_conn_fail(c, c->state == READY || c->state == CLOSING ?
			    RS_E_TEMPFAIL : RS_E_UNAVAILABLE, "%s:%u: %s", c->host,
			    c->port, c->t.errstr);
			return -1;
		}
		if (n == 0)
			break;
		c->out_off += (size_t)n;
		c->wrote = 1;
	}
	if (c->out_off == c->out.len) {
		c->out.len = c->out_off = 0;
		rs_io_set(c->io, RS_READ);
		if (c->h->drained != NULL && c->state == READY) {
			c->in_cb++;
			c->h->drained(c, c->ud);
			if (leave(c))
				return -1;
		}
	} else {
		if (c->out_off > (1u << 20)) {
			rs_buf_consume(&c->out, c->out_off);
			c->out_off = 0;
		}
		rs_io_set(c->io, RS_READ | RS_WRITE);
	}
	return c->state == DEAD ? -1 : 0;
}

/* A response with a bad code during the handshake. */
static void
handshake_refused(struct rs_conn *c, const struct rs_frame *f, const char *step)
{
	enum rs_err_kind	kind = RS_E_UNAVAILABLE;

	switch (f->code) {
	case RS_AUTHENTICATION_FAILURE:
	case RS_SASL_AUTHENTICATION_FAILURE_LOOPBACK:
	case RS_SASL_MECHANISM_NOT_SUPPORTED:
	case RS_SASL_ERROR:
	case RS_VIRTUAL_HOST_ACCESS_FAILURE:
	case RS_ACCESS_REFUSED:
		kind = RS_E_NOPERM;
		break;
	}
	if (f->code == RS_AUTHENTICATION_FAILURE ||
	    f->code == RS_SASL_AUTHENTICATION_FAILURE_LOOPBACK)
		rs_conn_fail(c, kind, "%s:%u: user \"%s\": %s", c->host, c->port,
		    c->uri.user, rs_proto_code_str(f->code));
	else if (f->code == RS_VIRTUAL_HOST_ACCESS_FAILURE)
		rs_conn_fail(c, kind, "%s:%u: virtual host \"%s\": %s", c->host,
		    c->port, c->uri.vhost, rs_proto_code_str(f->code));
	else
		rs_conn_fail(c, kind, "%s:%u: %s refused: %s", c->host, c->port,
		    step, rs_proto_code_str(f->code));
}

static void
on_open(struct rs_conn *c, const struct rs_frame *f, void *priv)
{
	struct rs_str	 v;

	(void)priv;
	if (f->code != RS_OK) {
		handshake_refused(c, f, "Open");
		return;
	}
	if (rs_frame_map_find(f, "advertised_host", &v) == 1 &&
	    v.len < sizeof c->adv_host) {
		memcpy(c->adv_host, v.p, v.len);
		c->adv_host[v.len] = '\0';
	}
	if (rs_frame_map_find(f, "advertised_port", &v) == 1 && v.len < 8) {
		char	 port[8];

		memcpy(port, v.p, v.len);
		port[v.len] = '\0';
		c->adv_port = (unsigned)strtoul(port, NULL, 10);
	}
	c->state = READY;
	rs_timer_stop(c->timer);
	if (c->heartbeat > 0)
		rs_timer_set(c->timer, c->heartbeat / 2.0, c->heartbeat / 2.0);
	logf_(c, "connected to %s:%u (RabbitMQ %s), frame max %u, heartbeat %u s",
	    c->host, c->port, c->version[0] ? c->version : "?", c->frame_max,
	    c->heartbeat);
	c->h->ready(c, c->ud);
}

/* Take the smaller of two limits where 0 means none. */
static uint32_t
negotiate(uint32_t ours, uint32_t theirs)
{
	if (ours == 0)
		return theirs;
	if (theirs == 0)
		return ours;
	return ours < theirs ? ours : theirs;
}

static void
on_tune(struct rs_conn *c, const struct rs_frame *f)
{
	uint32_t	 fm, hb;

	if (c->state != TUNING || rs_frame_tune_decode(f, &fm, &hb) == -1) {
		rs_conn_fail(c, RS_E_RUNTIME, "%s:%u: unexpected Tune", c->host,
		    c->port);
		return;
	}
	c->frame_max = negotiate(RS_FRAME_MAX_DEFAULT, fm);
	c->heartbeat = negotiate(RS_HEARTBEAT_DEFAULT, hb);
	if (c->frame_max < 1024) {
		rs_conn_fail(c, RS_E_RUNTIME, "%s:%u: frame max %u is too small",
		    c->host, c->port, c->frame_max);
		return;
	}
	rs_frame_tune(&c->out, c->frame_max, c->heartbeat);
	c->state = OPENING;
	rs_frame_open(&c->out, rs_conn_corr(c, on_open, NULL), c->uri.vhost);
	rs_conn_flush(c);
}

static void
on_authenticate(struct rs_conn *c, const struct rs_frame *f, void *priv)
{
	(void)priv;
	if (f->code != RS_OK) {
		handshake_refused(c, f, "SaslAuthenticate");
		return;
	}
	c->state = TUNING;
}

static void
on_mechanisms(struct rs_conn *c, const struct rs_frame *f, void *priv)
{
	uint8_t	 plain[2 + 2 * 256];
	size_t	 ul = strlen(c->uri.user), pl = strlen(c->uri.password);

	(void)priv;
	if (f->code != RS_OK) {
		handshake_refused(c, f, "SaslHandshake");
		return;
	}
	if (rs_frame_mechanisms_has(f, "PLAIN") != 1) {
		rs_conn_fail(c, RS_E_NOPERM, "%s:%u: the broker does not offer "
		    "SASL PLAIN", c->host, c->port);
		return;
	}
	plain[0] = '\0';
	memcpy(plain + 1, c->uri.user, ul);
	plain[1 + ul] = '\0';
	memcpy(plain + 2 + ul, c->uri.password, pl);
	rs_frame_sasl_authenticate(&c->out, rs_conn_corr(c, on_authenticate,
	    NULL), "PLAIN", plain, 2 + ul + pl);
	rs_conn_flush(c);
}

static void
on_peer_properties(struct rs_conn *c, const struct rs_frame *f, void *priv)
{
	struct rs_str	 v;

	(void)priv;
	if (f->code != RS_OK) {
		handshake_refused(c, f, "PeerProperties");
		return;
	}
	if (rs_frame_map_find(f, "version", &v) == 1 && v.len < sizeof c->version) {
		memcpy(c->version, v.p, v.len);
		c->version[v.len] = '\0';
	}
	rs_frame_sasl_handshake(&c->out, rs_conn_corr(c, on_mechanisms, NULL));
	rs_conn_flush(c);
}

/* Connect and start the handshake; -1 (and err set) if the TCP connection fails. */
int
rs_conn_start(struct rs_conn *c)
{
	static const char *const props[] = {
		"product", "rstream-tools",
		"version", PACKAGE_VERSION,
		"platform", "C (libev)",
		"information", "rstream-cat / rstream-tail",
		"connection_name", "rstream-tools",
	};

	if (rs_tcp_open(&c->t, c->host, c->port, CONNECT_TIMEOUT) == -1) {
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
	rs_timer_set(c->timer, HANDSHAKE_TIMEOUT, 0.);
	rs_frame_peer_properties(&c->out, rs_conn_corr(c, on_peer_properties,
	    NULL), props, sizeof props / sizeof props[0] / 2);
	return rs_conn_flush(c);
}

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

static void
conn_tick(void *data)
{
	struct rs_conn	*c = data;
	double		 silent = rs_loop_now(c->loop) - c->last_read;

	c->in_cb++;
	switch (c->state) {
	case READY:
		if (c->heartbeat > 0 && silent > 2.0 * c->heartbeat) {
			rs_conn_fail(c, RS_E_TEMPFAIL, "%s:%u: no heartbeat from "
			    "the broker for %.0f s", c->host, c->port, silent);
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
		rs_conn_fail(c, RS_E_UNAVAILABLE, "%s:%u: no answer to the "
		    "handshake within %.0f s", c->host, c->port,
		    HANDSHAKE_TIMEOUT);
		break;
	}
	leave(c);
}

/* Hand a response to whoever asked for it. */
static void
reply(struct rs_conn *c, const struct rs_frame *f)
{
	struct pending	 p;
	size_t		 i;

	for (i = 0; i < c->npending; i++)
		if (c->pending[i].corr == f->corr)
			break;
	if (i == c->npending) {
		logf_(c, "%s:%u: ignoring a %s response with unknown "
		    "correlation id %u", c->host, c->port,
		    rs_proto_key_str(f->key), f->corr);
		return;
	}
	p = c->pending[i];
	c->pending[i] = c->pending[--c->npending];
	p.fn(c, f, p.priv);
}

static void
dispatch(struct rs_conn *c, const struct rs_frame *f)
{
	struct rs_str	 reason;

	if ((f->key & RS_RESPONSE) && f->has_corr) {
		reply(c, f);
		return;
	}
	switch (f->key) {
	case RS_TUNE:
		on_tune(c, f);
		break;
	case RS_HEARTBEAT:
		break;
	case RS_CLOSE:
		if (rs_frame_close_decode(f, &reason) == -1 || reason.p == NULL)
			reason.p = "", reason.len = 0;
		rs_frame_close_response(&c->out, f->corr, RS_OK);
		rs_conn_flush(c);
		rs_conn_fail(c, f->code == RS_UNKNOWN_FRAME ? RS_E_RUNTIME :
		    RS_E_TEMPFAIL, "%s:%u: the broker closed the connection: "
		    "%s%s%.*s", c->host, c->port, rs_proto_code_str(f->code),
		    reason.len ? ": " : "", (int)reason.len, reason.p);
		break;
	default:
		if (c->state == READY || c->state == CLOSING)
			c->h->frame(c, f, c->ud);
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
			} else
				rs_conn_fail(c, c->state == READY ?
				    RS_E_TEMPFAIL : RS_E_UNAVAILABLE, "%s:%u: %s",
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
}

static void
conn_io(void *data, int events)
{
	struct rs_conn	*c = data;

	c->in_cb++;
	if ((events & RS_WRITE) && c->state != DEAD)
		rs_conn_flush(c);
	if ((events & RS_READ) && c->state != DEAD)
		conn_read(c);
	leave(c);
}

uint32_t
rs_conn_frame_max(const struct rs_conn *c)
{
	return c->frame_max;
}

const char *
rs_conn_server_version(const struct rs_conn *c)
{
	return c->version;
}

const char *
rs_conn_advertised_host(const struct rs_conn *c)
{
	return c->adv_host;
}

unsigned
rs_conn_advertised_port(const struct rs_conn *c)
{
	return c->adv_port;
}

const char *
rs_conn_host(const struct rs_conn *c)
{
	return c->host;
}

unsigned
rs_conn_port(const struct rs_conn *c)
{
	return c->port;
}
