/*
 * handshake.h: the opening conversation of a stream connection
 * (PROTOCOL.adoc "Connection lifecycle"): PeerProperties, SASL PLAIN or
 * EXTERNAL, Tune, Open, and on 3.11+ ExchangeCommandVersions, as a state
 * machine that does no I/O. The connection (conn.c) owns one, feeds it the
 * replies and the server's Tune, and acts on what it asks through its ops:
 * a correlation id for the next request (whose reply comes back through
 * rs_handshake_reply()), a flush, a failure, or ready.
 */
#ifndef RS_HANDSHAKE_H
#define RS_HANDSHAKE_H

#include <stddef.h>
#include <stdint.h>

#include "err.h"
#include "frame.h"
#include "proto.h"
#include "reader.h"
#include "uri.h"
#include "wire.h"

enum rs_sasl { RS_SASL_PLAIN, RS_SASL_EXTERNAL };

struct rs_handshake_ops {
	uint32_t (*corr)(void *);	/* reply to go to rs_handshake_reply() */
	void	(*flush)(void *);
	void	(*fail)(void *, enum rs_err_kind, const char *);
	void	(*ready)(void *);	/* the handshake is over */
	void	(*log)(void *, const char *);	/* -v */
};

struct rs_handshake {
	const struct rs_handshake_ops	*ops;
	void				*ud;
	const struct rs_uri		*uri;		/* the connection's */
	struct rs_buf			*out;		/* where requests go */
	struct rs_reader		*rd;		/* its frame cap follows Tune */

	enum rs_sasl			 sasl;
	char				 name[64];	/* connection_name */
	uint32_t			 heartbeat_ask;	/* seconds we propose in Tune */

	int				 step;		/* what we wait for */
	size_t				 secret_end;	/* out holds a password up to here */
	int				 external_sent;	/* EXTERNAL awaits its reply */

	uint32_t			 frame_max;
	uint32_t			 heartbeat;
	char				 version[64];	/* printable */
	struct rs_features		 feat;
	char				 adv_host[256];
	unsigned			 adv_port;
};

void	rs_handshake_init(struct rs_handshake *, const struct rs_handshake_ops *,
	    void *, const struct rs_uri *, struct rs_buf *, struct rs_reader *);
void	rs_handshake_start(struct rs_handshake *);
void	rs_handshake_reply(struct rs_handshake *, const struct rs_frame *);
void	rs_handshake_tune(struct rs_handshake *, const struct rs_frame *);
int	rs_handshake_hung_up(struct rs_handshake *);

#endif
