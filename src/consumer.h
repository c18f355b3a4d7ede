/*
 * consumer.h: what rstream-tail does. Subscribes to a stream at an offset
 * specification (or after a named reader's stored offset), writes each
 * delivered record to an output fd, and stops at the end the stream had
 * when the run started (unless following), after a count, at a time, or
 * when the output is closed. A named reader stores the offset of the last
 * record written on the server as it goes and at the end. The state and
 * configuration are in consumerstate.h.
 */
#ifndef RS_CONSUMER_H
#define RS_CONSUMER_H

#include "consumerstate.h"

int	rs_consumer_run(struct rs_consumer *, const struct rs_consumer_cfg *,
	    struct rs_loop *);
int	rs_consumer_start(struct rs_consumer *, const struct rs_consumer_cfg *,
	    struct rs_loop *);
void	rs_consumer_stop(struct rs_consumer *);
void	rs_consumer_frame(struct rs_consumer *, struct rs_conn *,
	    const struct rs_frame *);
void	rs_consumer_conn_lost(struct rs_consumer *, struct rs_conn *, int);
void	rs_consumer_free(struct rs_consumer *);

#endif
