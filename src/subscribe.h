/*
 * subscribe.h: where a consumer starts reading: a named reader's stored
 * offset, the end of the stream measured, -n's records counted back, the
 * Subscribe itself, credit with --filter's barriers, and the check that a
 * stream read before was not made again.
 */
#ifndef RS_SUBSCRIBE_H
#define RS_SUBSCRIBE_H

#include <stddef.h>
#include <stdint.h>

struct rs_chunk;
struct rs_conn;
struct rs_consumer;
struct rs_frame;

void		rs_subscribe_begin(struct rs_consumer *);
void		rs_subscribe_probe(struct rs_consumer *, struct rs_conn *,
		    uint8_t, const uint8_t *, size_t);
int		rs_subscribe_check(struct rs_consumer *,
		    const struct rs_chunk *);
void		rs_subscribe_credit(struct rs_consumer *, uint16_t);
uint64_t	rs_subscribe_before_end(const struct rs_consumer *, uint64_t);
int		rs_subscribe_stored(struct rs_consumer *,
		    const struct rs_frame *);

#endif
