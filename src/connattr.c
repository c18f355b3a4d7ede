/*
 * connattr.c: a connection's attributes: what its user sets before
 * rs_conn_start() (timeout, name, heartbeat, TLS, SASL mechanism, handler)
 * and what it reads once the connection is ready (the frame max, the
 * broker's version and features, the host and port it advertises). Kept
 * apart from the I/O of conn.c, which it never calls: each function here
 * reads or writes one field of struct rs_conn (connpriv.h).
 */
#include <stdio.h>

#include "config.h"
#include "conn.h"
#include "connpriv.h"
#include "proto.h"

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

/* Where to encode frames; rs_conn_flush() sends them. */
struct rs_buf *
rs_conn_buf(struct rs_conn *c)
{
	return &c->out;
}

/* The heartbeat interval to ask for in Tune (seconds; the smaller of ours and the broker's wins). */
void
rs_conn_set_heartbeat(struct rs_conn *c, uint32_t seconds)
{
	if (seconds > 0)
		c->hs.heartbeat_ask = seconds;
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
	c->hs.sasl = sasl;
}

/* The connection_name the broker shows (management UI, rabbitmqctl). */
void
rs_conn_set_name(struct rs_conn *c, const char *name)
{
	snprintf(c->hs.name, sizeof c->hs.name, "%s", name ? name : "");
}

/* How long to wait to connect, for the handshake and for any reply (seconds). */
void
rs_conn_set_timeout(struct rs_conn *c, double t)
{
	if (t > 0)
		c->timeout = t;
}

/* The negotiated frame max: no frame we send may be larger. */
uint32_t
rs_conn_frame_max(const struct rs_conn *c)
{
	return c->hs.frame_max;
}

/* The version string the broker reported ("" if none), made printable. */
const char *
rs_conn_server_version(const struct rs_conn *c)
{
	return c->hs.version;
}

/* The broker's version as RS_VERSION() gives it; 0 if it did not say. */
uint32_t
rs_conn_server_version_num(const struct rs_conn *c)
{
	return c->hs.feat.version;
}

/* What the broker has: its version and the command versions it accepts. */
const struct rs_features *
rs_conn_features(const struct rs_conn *c)
{
	return &c->hs.feat;
}

/* Does the broker have this feature? 1 yes, 0 no (also before ready). */
int
rs_conn_has(const struct rs_conn *c, enum rs_feature f)
{
	return rs_features_has(&c->hs.feat, f);
}

/*
 * 0 if the broker has this feature; otherwise -1 with err set to the kind
 * RS_E_UNAVAILABLE and a sentence naming the version it needs ("StreamStats
 * needs RabbitMQ 3.11 or later; the broker is 3.10.8").
 */
int
rs_conn_require(const struct rs_conn *c, enum rs_feature f, struct rs_err *err)
{
	if (rs_features_why(&c->hs.feat, c->hs.version, f, err->msg,
	    sizeof err->msg) == 0)
		return 0;
	err->kind = RS_E_UNAVAILABLE;
	return -1;
}

/* The host name the broker advertises in its Open response. */
const char *
rs_conn_advertised_host(const struct rs_conn *c)
{
	return c->hs.adv_host;
}

/* The port the broker advertises in its Open response. */
unsigned
rs_conn_advertised_port(const struct rs_conn *c)
{
	return c->hs.adv_port;
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
