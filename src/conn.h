/*
 * conn.h: one connection to one broker node (PROTOCOL.adoc "Connection
 * lifecycle"): TCP or TLS, PeerProperties, SASL PLAIN or EXTERNAL, Tune, Open, then requests
 * matched to responses by correlation id, heartbeats both ways, and Close in
 * both directions.
 *
 * A user of a connection:
 *	c = rs_conn_new(loop, &uri, host, port, &handler, ud);
 *					(uri must outlive c: c keeps a pointer)
 *	rs_conn_start(c);		handler.ready() once Open succeeded
 *	rs_frame_xxx(rs_conn_buf(c), rs_conn_corr(c, reply_cb, priv), ...);
 *	rs_conn_flush(c);		reply_cb(c, frame, priv) on the response
 *	rs_conn_close(c);		handler.closed() once the broker agreed
 * Frames nobody asked for (Deliver, PublishConfirm, PublishError,
 * MetadataUpdate, Credit errors, ConsumerUpdate) go to handler.frame(). A
 * fatal error calls handler.error() once, with c->err set; the connection is
 * then dead. A frame no broker sends (an unknown key, a response to nothing
 * we asked, a malformed handshake response) is a fatal error.
 *
 * Frames passed to callbacks live until the callback returns. rs_conn_free()
 * may be called from inside a callback: the free waits until it returns.
 *
 * Versions: on a 3.11+ broker the handshake ends with ExchangeCommandVersions
 * (we take Deliver 1..2), so Deliver frames may be v2 there. Before sending
 * anything newer than 3.10.8 (frame.h marks them), check rs_conn_has();
 * rs_conn_require() gives the error to fail with when the broker lacks it.
 *
 * Made of conn.c (the I/O, replies, timers, Close), connattr.c (the
 * setters and accessors), handshake.c (the opening conversation) and
 * pending.c (the requests awaiting replies); connpriv.h is their struct.
 */
#ifndef RS_CONN_H
#define RS_CONN_H

#include <stddef.h>
#include <stdint.h>

#include "err.h"
#include "frame.h"
#include "handshake.h"
#include "loop.h"
#include "pending.h"
#include "proto.h"
#include "uri.h"

struct rs_conn;
struct rs_tls;

/* What a connection's user is told; ready, frame, drained and log may be NULL. */
struct rs_conn_handler {
	void	(*ready)(struct rs_conn *, void *);	/* handshake done */
	void	(*frame)(struct rs_conn *, const struct rs_frame *, void *);
	void	(*error)(struct rs_conn *, void *);
	void	(*closed)(struct rs_conn *, void *);
	void	(*drained)(struct rs_conn *, void *);	/* optional: output written */
	void	(*log)(struct rs_conn *, const char *, void *);	/* optional: -v */
};

struct rs_conn	*rs_conn_new(struct rs_loop *, const struct rs_uri *, const char *,
		    unsigned, const struct rs_conn_handler *, void *);
void		 rs_conn_free(struct rs_conn *);
int		 rs_conn_start(struct rs_conn *);
uint32_t	 rs_conn_corr(struct rs_conn *, rs_reply_fn *, void *);
void		 rs_conn_forget(struct rs_conn *, void *);
struct rs_buf	*rs_conn_buf(struct rs_conn *);
int		 rs_conn_flush(struct rs_conn *);
size_t		 rs_conn_unsent(const struct rs_conn *);
void		 rs_conn_set_outq(struct rs_conn *, struct rs_outq *);
void		 rs_conn_close(struct rs_conn *);
void		 rs_conn_set_timeout(struct rs_conn *, double);
void		 rs_conn_set_name(struct rs_conn *, const char *);
void		 rs_conn_set_heartbeat(struct rs_conn *, uint32_t);
void		 rs_conn_set_tls(struct rs_conn *, struct rs_tls *);
void		 rs_conn_set_sasl(struct rs_conn *, enum rs_sasl);
void		 rs_conn_set_handler(struct rs_conn *, const struct rs_conn_handler *,
		    void *);
void		 rs_conn_fail(struct rs_conn *, enum rs_err_kind, const char *, ...)
		    __attribute__((format(printf, 3, 4)));

const struct rs_err *rs_conn_err(const struct rs_conn *);
uint32_t	 rs_conn_frame_max(const struct rs_conn *);
const char	*rs_conn_server_version(const struct rs_conn *);
uint32_t	 rs_conn_server_version_num(const struct rs_conn *);
const struct rs_features *rs_conn_features(const struct rs_conn *);
int		 rs_conn_has(const struct rs_conn *, enum rs_feature);
int		 rs_conn_require(const struct rs_conn *, enum rs_feature,
		    struct rs_err *);
const char	*rs_conn_advertised_host(const struct rs_conn *);
unsigned	 rs_conn_advertised_port(const struct rs_conn *);
const char	*rs_conn_host(const struct rs_conn *);
unsigned	 rs_conn_port(const struct rs_conn *);

#endif
