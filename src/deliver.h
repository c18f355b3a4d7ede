/*
 * deliver.h: a chunk delivered to a consumer's main subscription: its
 * records written out (or run through the command), credit given back.
 */
#ifndef RS_DELIVER_H
#define RS_DELIVER_H

#include <stddef.h>
#include <stdint.h>

struct rs_consumer;

void	rs_deliver_chunk(struct rs_consumer *, const uint8_t *, size_t);

#endif
