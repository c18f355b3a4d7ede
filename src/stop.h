/*
 * stop.h: how a consumer's connection and run end: the offset of a named
 * reader stored (as it goes, and checked at the end), the connection
 * closed politely or left, then a retry (-F, --retry-for) or the stop.
 * The lowest of the consumer's files: any other may call these.
 */
#ifndef RS_STOP_H
#define RS_STOP_H

struct rs_consumer;

int	rs_stop_storing(const struct rs_consumer *);
void	rs_stop_store(struct rs_consumer *);
void	rs_stop_store_tick(void *);
void	rs_stop_release(struct rs_consumer *);
void	rs_stop_close(struct rs_consumer *);
void	rs_stop_over(struct rs_consumer *);
void	rs_stop_finish(struct rs_consumer *);

#endif
