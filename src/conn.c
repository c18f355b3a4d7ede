/*
 * conn.c: one stream-protocol connection (PROTOCOL.adoc "Authentication",
 * "PeerProperties", "Tune", "Open", "ExchangeCommandVersions", "Heartbeat",
 * "Close").
 *
 * States run CONNECTED -> (PeerProperties, SaslHandshake, SaslAuthenticate
 * replies) -> TUNING (waiting for the server's Tune) -> OPENING (Open, then
 * on 3.11+ ExchangeCommandVersions) -> READY -> CLOSING -> DEAD. Before
 * READY everything is strictly sequential; after it requests may be
 * pipelined. Every request registers a pending entry keyed by its
 * correlation id; the response calls it back and removes it.
 *
 * Versions: the server's PeerProperties "version" says what it has. A 3.10
 * broker closes the connection on any command it does not know, so the
 * connection sends ExchangeCommandVersions only to 3.11 or later, offering
 * Deliver 1..2 (the broker then sends Deliver v2, with the committed chunk
 * id, which rs_frame_deliver_decode() reads too) and Publish 1..2, and
 * reports ready once the reply recorded which commands the broker accepts.
 * Users ask rs_conn_has() before sending anything newer than 3.10.8, and
 * rs_conn_require() for the sentence to fail with when the answer is no.
 *
 * After Tune the cap on inbound frames other than Deliver follows the
 * negotiated frame max: twice it, never below RS_FRAME_CAP_FLOOR. The frame
 * max bounds what we send; the biggest frames a server sends back besides
 * chunks are PublishConfirm and PublishError for what is in flight (the
 * 50,000 publish credits it grants plus one frame's messages of at least 12
 * bytes: under 400 KiB plus 10/12 of the frame max), so twice the frame max
 * with a 1 MiB floor leaves room. Deliver keeps its own, larger cap.
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
#include "secret.h"
#include "tcp.h"
#include "tls.h"

#define DEFAULT_TIMEOUT		30.0	/* connect, handshake, any reply */
#define CLOSE_TIMEOUT		5.0
#define READ_BLOCK		(256u << 10)

enum state { CONNECTED, TUNING, OPENING, READY, CLOSING, DEAD };

struct pending {
	uint32_t	 corr;
	rs_reply_fn	*fn;
	void		*priv;
	double		 sent;
};

struct rs_conn {
	struct rs_loop			*loop;
	const struct rs_uri		*uri;		/* the caller's: outlives us */
	struct rs_tls			*tls;		/* for rabbitmq-stream+tls */
	enum rs_sasl			 sasl;
	size_t				 secret_end;	/* out holds a password up to here */
	int				 external_sent;	/* EXTERNAL awaits its reply */
	char				 host[256];
	unsigned			 port;
	const struct rs_conn_handler	*h;
	void				*ud;

	struct rs_transport		 t;
	struct rs_io			*io;
	struct rs_timer			*timer;
	struct rs_timer			*reply_timer;	/* the oldest request's deadline */
	struct rs_timer			*again;		/* read on: the transport holds more */
	double				 timeout;
	char				 name[64];
	uint32_t			 heartbeat_ask;	/* seconds we propose in Tune */
	struct rs_reader		 rd;
	struct rs_buf			 out;
	size_t				 out_off;
	struct rs_outq			*q;		/* the owner's frames, after ours */
	size_t				 q_left;	/* of q, to write before out */
	enum state			 state;

	uint32_t			 next_corr;
	struct pending			*pending;
	size_t				 npending;
	size_t				 cappending;

	uint32_t			 frame_max;
	uint32_t			 heartbeat;
	double				 last_read;
	int				 wrote;		/* since the last tick */
	char				 version[64];	/* printable */
	struct rs_features		 feat;
	char				 adv_host[256];
	unsigned			 adv_port;

	int				 in_cb;
	int				 free_me;
	struct rs_err			 err;
};

static void	conn_io(void *, int);
static void	conn_tick(void *);
static void	reply_tick(void *);
static void	read_again(void *);
static void	teardown(struct rs_conn *);
static void	really_free(struct rs_conn *);
static void	on_peer_properties(struct rs_conn *, const struct rs_frame *,
		    void *);

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

/* Copy a string the broker sent, with '?' for control and non-ASCII bytes. */
static void
printable(char *dst, size_t dlen, const char *src, size_t n)
{
	size_t	 i;

	if (dlen == 0)
		return;
	for (i = 0; i < n && i < dlen - 1; i++)
		dst[i] = (src[i] >= 0x20 && src[i] < 0x7f) ? src[i] : '?';
	dst[i] = '\0';
}

/* Is the map that makes up a response's body whole? */
static int
map_whole(const struct rs_frame *f)
{
	struct rs_cur	 cur;
	struct rs_str	 k, v;
	uint32_t	 n, i;

	if (rs_frame_map_begin(f, &cur, &n) == -1)
		return 0;
	for (i = 0; i < n; i++)
		if (rs_frame_map_next(&cur, &k, &v) == -1)
			return 0;
	return 1;
}

/* Fail on a response whose body does not hold what its command says. */
static void
malformed(struct rs_conn *c, const char *what)
{
	rs_conn_fail(c, RS_E_RUNTIME, "%s:%u: bad frame from the broker: "
	    "malformed %s response", c->host, c->port, what);
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
	c->next_corr = 1;
	rs_reader_init(&c->rd, RS_FRAME_CAP, RS_DELIVER_CAP);
	rs_buf_init(&c->out);
	c->timeout = DEFAULT_TIMEOUT;
	c->heartbeat_ask = RS_HEARTBEAT_DEFAULT;
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
	if (c->secret_end > 0)
		rs_secret_wipe(c->out.data, c->secret_end);
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

/* Hand the connection (and its callbacks) to a new owner. */
void
rs_conn_set_handler(struct rs_conn *c, const struct rs_conn_handler *h, void *ud)
{
	c->h = h;
	c->ud = ud;
}

/* Why the connection failed. */
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
	p->sent = rs_loop_now(c->loop);
	if (c->npending == 1 && c->state != DEAD)
		rs_timer_set(c->reply_timer, c->timeout, 0.);
	return p->corr;
}

/* A frame or reply handler with nothing to do (also a forgotten request's). */
void
rs_conn_ignore_frame(struct rs_conn *c, const struct rs_frame *f, void *priv)
{
	(void)c;
	(void)f;
	(void)priv;
}

/* A ready or closed handler with nothing to do. */
void
rs_conn_ignore(struct rs_conn *c, void *priv)
{
	(void)c;
	(void)priv;
}

/*
 * The replies still awaited for priv are dropped when they come: for an
 * owner that leaves a connection others go on using (multi.c).
 */
void
rs_conn_forget(struct rs_conn *c, void *priv)
{
	size_t	 i;

	for (i = 0; i < c->npending; i++)
		if (c->pending[i].priv == priv) {
			c->pending[i].fn = rs_conn_ignore_frame;
			c->pending[i].priv = NULL;
		}
}

/* Where to encode frames; rs_conn_flush() sends them. */
struct rs_buf *
rs_conn_buf(struct rs_conn *c)
{
	return &c->out;
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
		if (c->secret_end > 0) {
			rs_secret_wipe(c->out.data, c->secret_end);
			c->secret_end = 0;
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
	if ((f->code == RS_AUTHENTICATION_FAILURE ||
	    f->code == RS_SASL_AUTHENTICATION_FAILURE_LOOPBACK) &&
	    c->sasl == RS_SASL_EXTERNAL)
		rs_conn_fail(c, kind, "%s:%u: SASL EXTERNAL: the user named by "
		    "the client certificate: %s", c->host, c->port,
		    rs_proto_code_str(f->code));
	else if (f->code == RS_AUTHENTICATION_FAILURE ||
	    f->code == RS_SASL_AUTHENTICATION_FAILURE_LOOPBACK)
		rs_conn_fail(c, kind, "%s:%u: user \"%s\": %s", c->host, c->port,
		    c->uri->user, rs_proto_code_str(f->code));
	else if (f->code == RS_VIRTUAL_HOST_ACCESS_FAILURE)
		rs_conn_fail(c, kind, "%s:%u: virtual host \"%s\": %s", c->host,
		    c->port, c->uri->vhost, rs_proto_code_str(f->code));
	else
		rs_conn_fail(c, kind, "%s:%u: %s refused: %s", c->host, c->port,
		    step, rs_proto_code_str(f->code));
}

/* The handshake is over: start heartbeats and tell the user. */
static void
become_ready(struct rs_conn *c)
{
	c->state = READY;
	rs_timer_stop(c->timer);
	if (c->heartbeat > 0)
		rs_timer_set(c->timer, c->heartbeat / 2.0, c->heartbeat / 2.0);
	logf_(c, "connected to %s:%u (RabbitMQ %s%s%s%s), frame max %u, "
	    "heartbeat %u s", c->host, c->port, c->version[0] ? c->version : "?",
	    rs_features_has(&c->feat, RS_FEATURE_DELIVER_V2) ?
	    ", Deliver v2" : "", c->t.info[0] ? ", " : "", c->t.info,
	    c->frame_max, c->heartbeat);
	c->h->ready(c, c->ud);
}

/* The ExchangeCommandVersions reply: which commands the broker accepts. */
static void
on_command_versions(struct rs_conn *c, const struct rs_frame *f, void *priv)
{
	struct rs_command_version	 cv;
	struct rs_cur			 cur;
	uint32_t			 n, i;

	(void)priv;
	if (f->code != RS_OK) {
		logf_(c, "%s:%u: ExchangeCommandVersions refused: %s; going on "
		    "with version 1 commands", c->host, c->port,
		    rs_proto_code_str(f->code));
		become_ready(c);
		return;
	}
	if (rs_frame_command_versions_begin(f, &cur, &n) == -1)
		goto bad;
	for (i = 0; i < n; i++) {
		if (rs_frame_command_versions_next(&cur, &cv) == -1)
			goto bad;
		rs_features_accept(&c->feat, &cv);
	}
	c->feat.negotiated = 1;
	become_ready(c);
	return;
bad:
	rs_conn_fail(c, RS_E_RUNTIME, "%s:%u: bad frame from the broker: "
	    "malformed ExchangeCommandVersions response", c->host, c->port);
}

/* Open succeeded: negotiate command versions with 3.11+, then be ready. */
static void
on_open(struct rs_conn *c, const struct rs_frame *f, void *priv)
{
	static const struct rs_command_version ours[] = {
		{ RS_DELIVER, 1, 2 },
		{ RS_PUBLISH, 1, 2 },
	};
	struct rs_str	 v;

	(void)priv;
	if (f->code != RS_OK) {
		handshake_refused(c, f, "Open");
		return;
	}
	if (!map_whole(f)) {
		malformed(c, "Open");
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
	if (!rs_features_has(&c->feat, RS_FEATURE_EXCHANGE_COMMAND_VERSIONS)) {
		become_ready(c);
		return;
	}
	rs_frame_exchange_command_versions(&c->out, rs_conn_corr(c,
	    on_command_versions, NULL), ours, sizeof ours / sizeof ours[0]);
	rs_conn_flush(c);
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

/* The server's Tune: take the smaller limits, answer, then Open. */
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
	c->heartbeat = negotiate(c->heartbeat_ask, hb);
	if (c->frame_max < 1024) {
		rs_conn_fail(c, RS_E_RUNTIME, "%s:%u: frame max %u is too small",
		    c->host, c->port, c->frame_max);
		return;
	}
	c->rd.max_frame = 2 * (size_t)c->frame_max;
	if (c->rd.max_frame < RS_FRAME_CAP_FLOOR)
		c->rd.max_frame = RS_FRAME_CAP_FLOOR;
	if (c->rd.max_frame > c->rd.max_deliver)
		c->rd.max_frame = c->rd.max_deliver;
	rs_frame_tune(&c->out, c->frame_max, c->heartbeat);
	c->state = OPENING;
	rs_frame_open(&c->out, rs_conn_corr(c, on_open, NULL), c->uri->vhost);
	rs_conn_flush(c);
}

/* SaslAuthenticate answered: wait for the server's Tune. */
static void
on_authenticate(struct rs_conn *c, const struct rs_frame *f, void *priv)
{
	(void)priv;
	if (f->code != RS_OK) {
		handshake_refused(c, f, "SaslAuthenticate");
		return;
	}
	c->external_sent = 0;
	c->state = TUNING;
}

/* The mechanisms a SaslHandshake response offers, comma-separated, printable. */
static void
offered(const struct rs_frame *f, char *dst, size_t n)
{
	struct rs_cur	 cur;
	struct rs_str	 m;
	uint32_t	 count, i;
	size_t		 at;

	dst[0] = '\0';
	if (rs_frame_strings_begin(f, &cur, &count) == -1)
		return;
	for (i = 0; i < count && rs_frame_strings_next(&cur, &m) == 0; i++) {
		if (m.p == NULL || (at = strlen(dst)) + 3 >= n)
			continue;
		if (at > 0)
			memcpy(dst + at, ", ", 3), at += 2;
		printable(dst + at, n - at, m.p, m.len);
	}
}

/*
 * SaslHandshake answered: authenticate with the mechanism chosen. PLAIN
 * sends the password, so the output buffer is wiped once it is written;
 * EXTERNAL sends nothing (the broker takes the user from the client
 * certificate that TLS presented).
 */
static void
on_mechanisms(struct rs_conn *c, const struct rs_frame *f, void *priv)
{
	const char	*mech = c->sasl == RS_SASL_EXTERNAL ? "EXTERNAL" : "PLAIN";
	uint8_t		 plain[2 + 2 * 256];
	size_t		 ul = strlen(c->uri->user), pl = strlen(c->uri->password);
	char		 list[128];
	int		 has;

	(void)priv;
	if (f->code != RS_OK) {
		handshake_refused(c, f, "SaslHandshake");
		return;
	}
	if ((has = rs_frame_mechanisms_has(f, mech)) == -1) {
		malformed(c, "SaslHandshake");
		return;
	}
	if (has != 1) {
		offered(f, list, sizeof list);
		rs_conn_fail(c, RS_E_NOPERM, "%s:%u: the broker does not offer "
		    "SASL %s (it offers %s)", c->host, c->port, mech,
		    list[0] ? list : "none");
		return;
	}
	if (c->sasl == RS_SASL_EXTERNAL) {
		rs_frame_sasl_authenticate(&c->out, rs_conn_corr(c,
		    on_authenticate, NULL), mech, "", 0);
		c->external_sent = 1;
		rs_conn_flush(c);
		return;
	}
	plain[0] = '\0';
	memcpy(plain + 1, c->uri->user, ul);
	plain[1 + ul] = '\0';
	memcpy(plain + 2 + ul, c->uri->password, pl);
	rs_frame_sasl_authenticate(&c->out, rs_conn_corr(c, on_authenticate,
	    NULL), mech, plain, 2 + ul + pl);
	rs_secret_wipe(plain, sizeof plain);
	c->secret_end = c->out.len;
	rs_conn_flush(c);
}

/* Queue our PeerProperties. */
static void
peer_properties(struct rs_conn *c)
{
	const char *const props[] = {
		"product", "rstream-tools",
		"version", PACKAGE_VERSION,
		"platform", "C (libev)",
		"information", "rstream-cat / rstream-tail",
		"connection_name", c->name[0] ? c->name : "rstream-tools",
	};

	rs_frame_peer_properties(&c->out, rs_conn_corr(c, on_peer_properties,
	    NULL), props, sizeof props / sizeof props[0] / 2);
}

/* PeerProperties answered: note the broker's version, then SASL. */
static void
on_peer_properties(struct rs_conn *c, const struct rs_frame *f, void *priv)
{
	struct rs_str	 v;

	(void)priv;
	if (f->code != RS_OK) {
		handshake_refused(c, f, "PeerProperties");
		return;
	}
	if (!map_whole(f)) {
		malformed(c, "PeerProperties");
		return;
	}
	c->version[0] = '\0';
	rs_features_init(&c->feat, 0);
	if (rs_frame_map_find(f, "version", &v) == 1 && v.p != NULL) {
		rs_features_init(&c->feat, rs_proto_version_parse(v.p, v.len));
		printable(c->version, sizeof c->version, v.p, v.len);
	}
	rs_frame_sasl_handshake(&c->out, rs_conn_corr(c, on_mechanisms, NULL));
	rs_conn_flush(c);
}

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
	peer_properties(c);
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
	size_t		 i;

	if (c->npending == 0 || c->state == DEAD || c->state == CLOSING)
		return;
	oldest = c->pending[0].sent;
	for (i = 1; i < c->npending; i++)
		if (c->pending[i].sent < oldest)
			oldest = c->pending[i].sent;
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

/* The heartbeat interval to ask for in Tune (seconds; the smaller of ours and the broker's wins). */
void
rs_conn_set_heartbeat(struct rs_conn *c, uint32_t seconds)
{
	if (seconds > 0)
		c->heartbeat_ask = seconds;
}

/* The TLS context for a rabbitmq-stream+tls URI (shared; the caller frees it). */
void
rs_conn_set_tls(struct rs_conn *c, struct rs_tls *tls)
{
	c->tls = tls;
}

/* How to authenticate: PLAIN with the URI's user and password, or EXTERNAL. */
void
rs_conn_set_sasl(struct rs_conn *c, enum rs_sasl sasl)
{
	c->sasl = sasl;
}

/* The connection_name the broker shows (management UI, rabbitmqctl). */
void
rs_conn_set_name(struct rs_conn *c, const char *name)
{
	snprintf(c->name, sizeof c->name, "%s", name ? name : "");
}

/* How long to wait to connect, for the handshake and for any reply (seconds). */
void
rs_conn_set_timeout(struct rs_conn *c, double t)
{
	if (t > 0)
		c->timeout = t;
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
	struct pending	 p;
	size_t		 i;

	for (i = 0; i < c->npending; i++)
		if (c->pending[i].corr == f->corr)
			break;
	if (i == c->npending) {
		rs_conn_fail(c, RS_E_RUNTIME, "%s:%u: bad frame from the broker: "
		    "%s response with unknown correlation id %u", c->host,
		    c->port, rs_proto_key_str(f->key), f->corr);
		return;
	}
	p = c->pending[i];
	c->pending[i] = c->pending[--c->npending];
	if (c->npending == 0)
		rs_timer_stop(c->reply_timer);
	if (p.fn != NULL)
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
	printable(reason, sizeof reason, r.p, r.len);
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
		on_tune(c, f);
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
		if (c->state == READY || c->state == CLOSING)
			c->h->frame(c, f, c->ud);
		break;
	default:
		rs_conn_fail(c, RS_E_RUNTIME, "%s:%u: bad frame from the broker: "
		    "unknown key 0x%04x", c->host, c->port, f->key);
		break;
	}
}

/*
 * The broker hung up on SASL EXTERNAL without a word. RabbitMQ's stream
 * plugin before the fix of rabbitmq-server#8488 (June 2023: 3.11.18,
 * 3.12.0) hands the EXTERNAL mechanism a state that PeerProperties
 * overwrote, crashes the connection, and refuses a handshake that
 * authenticates before PeerProperties: no client can work around it.
 */
static void
external_crashed(struct rs_conn *c)
{
	rs_conn_fail(c, RS_E_NOPERM, "%s:%u: the broker closed the connection "
	    "on SASL EXTERNAL; RabbitMQ %s cannot authenticate stream "
	    "connections with EXTERNAL (fixed in 3.11.18 and 3.12: "
	    "rabbitmq-server#8488)", c->host, c->port,
	    c->version[0] ? c->version : "(version unknown)");
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
			} else if (c->external_sent)
				external_crashed(c);
			else
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

/* The negotiated frame max: no frame we send may be larger. */
uint32_t
rs_conn_frame_max(const struct rs_conn *c)
{
	return c->frame_max;
}

/* The version string the broker reported ("" if none), made printable. */
const char *
rs_conn_server_version(const struct rs_conn *c)
{
	return c->version;
}

/* The broker's version as RS_VERSION() gives it; 0 if it did not say. */
uint32_t
rs_conn_server_version_num(const struct rs_conn *c)
{
	return c->feat.version;
}

/* What the broker has: its version and the command versions it accepts. */
const struct rs_features *
rs_conn_features(const struct rs_conn *c)
{
	return &c->feat;
}

/* Does the broker have this feature? 1 yes, 0 no (also before ready). */
int
rs_conn_has(const struct rs_conn *c, enum rs_feature f)
{
	return rs_features_has(&c->feat, f);
}

/*
 * 0 if the broker has this feature; otherwise -1 with err set to the kind
 * RS_E_UNAVAILABLE and a sentence naming the version it needs ("StreamStats
 * needs RabbitMQ 3.11 or later; the broker is 3.10.8").
 */
int
rs_conn_require(const struct rs_conn *c, enum rs_feature f, struct rs_err *err)
{
	if (rs_features_why(&c->feat, c->version, f, err->msg,
	    sizeof err->msg) == 0)
		return 0;
	err->kind = RS_E_UNAVAILABLE;
	return -1;
}

/* The host name the broker advertises in its Open response. */
const char *
rs_conn_advertised_host(const struct rs_conn *c)
{
	return c->adv_host;
}

/* The port the broker advertises in its Open response. */
unsigned
rs_conn_advertised_port(const struct rs_conn *c)
{
	return c->adv_port;
}

/* The host we connected to. */
const char *
rs_conn_host(const struct rs_conn *c)
{
	return c->host;
}

/* The port we connected to. */
unsigned
rs_conn_port(const struct rs_conn *c)
{
	return c->port;
}
