/*
 * consumer.h: what rstream-tail does. Subscribes to a stream at an offset
 * specification, writes each delivered record to an output fd, and stops at
 * the end the stream had when the run started (unless following), after a
 * count, or when the output is closed.
 */
#ifndef RS_CONSUMER_H
#define RS_CONSUMER_H

#include <stddef.h>
#include <stdint.h>

#include "cluster.h"
#include "err.h"
#include "loop.h"
#include "output.h"
#include "spec.h"
#include "uri.h"

struct rs_consumer_cfg {
	struct rs_uri		 uri;
	const char		*stream;
	struct rs_offset_spec	 start;		/* used when lines < 0 */
	int64_t			 lines;		/* -n: start this many before the end */
	int			 follow;
	uint64_t		 count;		/* stop after this many; 0: no limit */
	int			 out_fd;
	struct rs_output	 output;
	void			(*log)(const char *, void *);
	void			*log_ud;
};

struct rs_consumer {
	struct rs_consumer_cfg	 cfg;
	struct rs_loop		*loop;
	struct rs_cluster	 cluster;
	struct rs_conn		*conn;
	struct rs_io		*out_watch;
	struct rs_buf		 out;

	int			 have_end;	/* the snapshot found a last chunk */
	uint64_t		 end;		/* offset of the last record at start */
	int			 snap_done;
	uint64_t		 start;		/* first offset to print */
	uint64_t		 printed;
	int			 subscribed;
	int			 done;
	int			 out_closed;	/* stdout went away: a quiet end */
	struct rs_err		 err;
};

int	rs_consumer_run(struct rs_consumer *, const struct rs_consumer_cfg *,
	    struct rs_loop *);
void	rs_consumer_free(struct rs_consumer *);

#endif
