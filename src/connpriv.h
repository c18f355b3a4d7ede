/*
 * connpriv.h: what a connection holds, shared by the files that make it up:
 * conn.c (its I/O, requests and replies, timers) and connattr.c (what its
 * users set before it starts and read once it is ready). Nothing else
 * includes it: users see struct rs_conn only through conn.h. It does not
 * include conn.h (the two would include each other), so it names the
 * handler type by its tag.
 */
#ifndef RS_CONNPRIV_H
#define RS_CONNPRIV_H

#include <stddef.h>
#include <stdint.h>

#include "frame.h"
#include "handshake.h"
#include "loop.h"
#include "pending.h"
#include "reader.h"
#include "transport.h"
#include "wire.h"

enum state { CONNECTED, READY, CLOSING, DEAD };

struct rs_conn {
	struct rs_loop			*loop;
	const struct rs_uri		*uri;		/* the caller's: outlives us */
	struct rs_tls			*tls;		/* for rabbitmq-stream+tls */
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
	struct rs_reader		 rd;
	struct rs_buf			 out;
	size_t				 out_off;
	struct rs_outq			*q;		/* the owner's frames, after ours */
	size_t				 q_left;	/* of q, to write before out */
	enum state			 state;

	struct rs_pending		 pending;	/* requests awaiting replies */

	struct rs_handshake		 hs;		/* and what it learnt */
	double				 last_read;
	int				 wrote;		/* since the last tick */

	int				 in_cb;
	int				 free_me;
	struct rs_err			 err;
};

#endif
