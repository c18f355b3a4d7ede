/*
 * command.h: rstream-tail -- COMMAND: a chunk's records run through the
 * command one at a time, each with its environment.
 */
#ifndef RS_COMMAND_H
#define RS_COMMAND_H

#include <stddef.h>
#include <stdint.h>

struct rs_consumer;

void	rs_command_init(struct rs_consumer *);
void	rs_command_chunk(struct rs_consumer *, const uint8_t *, size_t);
void	rs_command_free(struct rs_consumer *);

#endif
