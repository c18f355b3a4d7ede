/*
 * info.h: rstream-tail --info: where each stream and each named reader and
 * publisher stands, gathered on the event loop, one stream after another.
 * The figures go into struct rs_info (infoout.h), which infoout.c writes.
 */
#ifndef RS_INFO_H
#define RS_INFO_H

#include <stddef.h>

#include "cluster.h"
#include "err.h"
#include "infoout.h"
#include "loop.h"

#define RS_INFO_NAMES_MAX	256	/* -N names in one run */

struct rs_info_cfg {
	struct rs_connect	 conn;		/* -u, --timeout, ... */
	char *const		*streams;
	size_t			 nstreams;
	const char *const	*names;		/* -N, repeatable here */
	size_t			 nnames;
	void			(*log)(const char *, void *);	/* -v */
	void			*log_ud;
};

/* One outstanding QueryOffset or QueryPublisherSequence. */
struct rs_info_req {
	struct rs_info_run	*run;
	size_t			 idx;		/* into names */
};

struct rs_info_run {
	struct rs_info_cfg	 cfg;
	struct rs_loop		*loop;
	struct rs_cluster	 cluster;
	struct rs_conn		*conn;
	struct rs_timer		*next;		/* starts the next stream */
	size_t			 cur;		/* the stream being asked about */
	struct rs_info		*infos;		/* one per stream */
	struct rs_err		*errs;		/* one per stream: RS_E_OK, or why not */
	struct rs_info_reader	*readers;	/* nstreams x nnames */
	struct rs_info_publisher *publishers;	/* nstreams x nnames */
	struct rs_info_req	*reqs;		/* nnames */
	int			 have_first;	/* of the stream being asked about */
	int			 have_last;
	int			 closing;
	int			 subscribed;	/* the two subscriptions were made */
	int			 stats;		/* StreamStats was asked */
	struct rs_err		 err;		/* a failure that ends the run */
};

int	rs_info_run(struct rs_info_run *, const struct rs_info_cfg *,
	    struct rs_loop *);
void	rs_info_free(struct rs_info_run *);

#endif
