/*
 * sac.h: a single active reader (--single-active): the ConsumerUpdate that
 * makes it the active one of its name, or no longer, and its answer.
 */
#ifndef RS_SAC_H
#define RS_SAC_H

struct rs_conn;
struct rs_consumer;
struct rs_frame;

void	rs_sac_update(struct rs_consumer *, struct rs_conn *,
	    const struct rs_frame *);
void	rs_sac_step_down(struct rs_consumer *);

#endif
