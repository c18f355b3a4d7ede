/*
 * cluster.h: which node to talk to for a stream. Connects to the seed node
 * of the URI, optionally creates the stream, asks Metadata where the stream
 * lives and hands back a ready connection to the right node: the leader for
 * publishing, any member (the seed if it hosts one) for consuming.
 */
#ifndef RS_CLUSTER_H
#define RS_CLUSTER_H

#include <stddef.h>

#include "conn.h"
#include "err.h"
#include "frame.h"

typedef void rs_locate_fn(struct rs_conn *, const struct rs_err *, void *);

struct rs_cluster {
	struct rs_loop		*loop;
	struct rs_uri		 uri;
	const char		*stream;
	int			 want_leader;
	int			 create;
	const char *const	*create_args;	/* key/value pairs */
	size_t			 ncreate;
	rs_locate_fn		*done;
	void			*ud;
	void			(*log)(const char *, void *);
	double			 timeout;	/* 0: the connection's default */

	struct rs_conn		*seed;
	struct rs_conn		*target;
	struct rs_err		 err;
	int			 finished;
	int			 missing;	/* Metadata said: no such stream */
};

void	rs_cluster_open(struct rs_cluster *);
void	rs_cluster_free(struct rs_cluster *);

#endif
