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
#include "multipool.h"
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

struct rs_multi {
	struct rs_multi_cfg	 cfg;
	struct rs_loop		*loop;
	struct rs_consumer_group group;
	struct rs_multi_tag	*tags;
	const char *const	*names;		/* the streams to start */
	size_t			 nwant;		/* consumers to start in all */
	struct rs_timer		*kick_timer;	/* start the next ones */
	int			 kick_waited;	/* the timer is the wait's end */
	size_t			 live;		/* consumers not yet stopped */
	char			**parts;	/* --super-stream: partition names */
	size_t			 nparts;
	const char		**part_super;	/* the super stream of each */
	size_t			 pending;	/* Partitions replies awaited */
	struct rs_partition_req	 req;
	struct rs_cluster	 seed;
	struct rs_conn		*conn;
	struct rs_multipool	 pool;		/* the consumers, their connections */
	struct rs_sig_stop	*stop_sigs;
	struct rs_io		*out_watch;
	int			 signo;
	int			 stopping;	/* every consumer was told to end */
	struct rs_err		 err;		/* the first failure */
};

int	rs_multi_run(struct rs_multi *, const struct rs_multi_cfg *,
	    struct rs_loop *);
void	rs_multi_free(struct rs_multi *);

#endif
