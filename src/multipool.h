/*
 * multipool.h: rstream-tail's connections shared between streams (with
 * several STREAMs or --super-stream, multi.c): one per node, each carrying
 * up to RS_MULTIPOOL_SLOTS consumers, the frames of each routed to its
 * consumer. The engine hands the pool its consumers (cons, ncons: those
 * started so far) and a callback to start more when a connection opens or
 * empties; the pool holds nothing else of the engine's.
 */
#ifndef RS_MULTIPOOL_H
#define RS_MULTIPOOL_H

#include <stddef.h>

#include "conn.h"
#include "consumer.h"

/* Consumers on one shared connection: 3 subscription ids each, of 256. */
#define RS_MULTIPOOL_SLOTS	(256 / RS_CONSUMER_SUB_IDS)

struct rs_multipool_conn;

struct rs_multipool {
	struct rs_multipool_conn *conns;	/* open (or closing) */
	struct rs_consumer	*cons;		/* the engine's consumers */
	size_t			 ncons;		/* started so far */
	void			(*kick)(void *);	/* start more, soon */
	void			*kick_ud;
	void			(*log)(const char *, void *);	/* -v */
	void			*log_ud;
};

int	rs_multipool_attach(struct rs_multipool *, struct rs_consumer *,
	    struct rs_conn *);
void	rs_multipool_detach(struct rs_multipool *, struct rs_consumer *);
struct rs_conn *rs_multipool_via(struct rs_multipool *);
void	rs_multipool_sweep(struct rs_multipool *);
void	rs_multipool_free(struct rs_multipool *);

#endif
