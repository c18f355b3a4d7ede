/*
 * emit.h: a consumer's records out: each appended to the output buffer in
 * the form asked for, the buffer written to the output fd, and the records
 * counted as written (for -c, the offset store, a resume, --progress).
 */
#ifndef RS_EMIT_H
#define RS_EMIT_H

#include <stddef.h>
#include <stdint.h>

struct rs_chunk;
struct rs_consumer;

void		rs_emit_record(struct rs_consumer *, const struct rs_chunk *,
		    uint64_t, const uint8_t *, size_t);
int		rs_emit_flush(struct rs_consumer *);
void		rs_emit_counted(struct rs_consumer *, const struct rs_chunk *,
		    uint64_t, uint64_t);
int		rs_emit_written(struct rs_consumer *, const struct rs_chunk *,
		    uint64_t);
uint64_t	rs_emit_total(const struct rs_consumer *);
void		rs_emit_tally(struct rs_consumer *, size_t);

#endif
