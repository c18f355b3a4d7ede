/*
 * multi.h: rstream-tail with several STREAMs, or --super-stream: one
 * consumer (consumer.c) per stream on one loop, sharing the output, the
 * record count, the signals; the run ends when every consumer has.
 */
#ifndef RS_MULTI_H
#define RS_MULTI_H

#include <stddef.h>

#include "cluster.h"
#include "consumer.h"
#include "err.h"
#include "loop.h"
#include "partition.h"

struct rs_multi_cfg {
	struct rs_consumer_cfg	 base;		/* all but the stream */
	const char *const	*streams;	/* STREAMs, or super streams */
	size_t			 nstreams;
	int			 super;		/* --super-stream: read partitions */
	int			 quiet;		/* -q: no headers */
	/* A stream failed (missing, deleted, refused); the others go on. */
	void			(*failed)(const char *, const struct rs_err *,
				    void *);
	void			*ud;
};

/* A consumer's diagnostics, said with its stream's name. */
struct rs_multi_tag {
	struct rs_multi		*m;
	const char		*stream;
};

/* Consumers on one shared connection: 3 subscription ids each, of 256. */
#define RS_MULTI_SLOTS	(256 / RS_CONSUMER_SUB_IDS)

/* One connection to a node, shared by up to RS_MULTI_SLOTS streams. */
struct rs_multi_conn {
	struct rs_multi		*m;
	struct rs_conn		*c;
	char			 host[256];
	unsigned		 port;
	struct rs_consumer	*slot[RS_MULTI_SLOTS];
	size_t			 n;		/* slots taken */
	int			 closing;	/* no new streams: being closed */
	int			 dead;		/* failed or closed */
	struct rs_multi_conn	*next;
};

struct rs_multi {
	struct rs_multi_cfg	 cfg;
	struct rs_loop		*loop;
	struct rs_consumer_group group;
	struct rs_consumer	*cons;
	struct rs_multi_tag	*tags;
	const char *const	*names;		/* the streams to start */
	size_t			 nwant;		/* consumers to start in all */
	struct rs_timer		*kick_timer;	/* start the next ones */
	int			 kick_waited;	/* the timer is the wait's end */
	size_t			 ncons;
	size_t			 live;		/* consumers not yet stopped */
	char			**parts;	/* --super-stream: partition names */
	size_t			 nparts;
	const char		**part_super;	/* the super stream of each */
	size_t			 pending;	/* Partitions replies awaited */
	struct rs_partition_req	 req;
	struct rs_cluster	 seed;
	struct rs_conn		*conn;
	struct rs_multi_conn	*pool;		/* shared connections */
	size_t			 nconns;	/* opened, over the run */
	struct rs_sig		*sigs[3];
	struct rs_io		*out_watch;
	int			 signo;
	int			 stopping;	/* every consumer was told to end */
	struct rs_err		 err;		/* the first failure */
};

int	rs_multi_run(struct rs_multi *, const struct rs_multi_cfg *,
	    struct rs_loop *);
void	rs_multi_free(struct rs_multi *);

#endif
