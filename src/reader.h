/*
 * reader.h: the incremental framer. Bytes go in as they arrive (any split);
 * whole frames come out. Pure: no I/O, no libev.
 *
 *	rs_reader_space() / rs_reader_commit()	read straight into the buffer
 *	rs_reader_feed()			or copy bytes in
 *	rs_reader_next()			1 frame, 0 need more, -1 error
 *
 * A frame's size is checked against a cap (a larger one for Deliver, whose
 * chunks may exceed the negotiated frame max) as soon as its first six bytes
 * are in, before anything is allocated for it. Errors are sticky: after one,
 * every call fails and errstr says why.
 *
 * The frame returned by rs_reader_next() (the bytes after its size prefix)
 * points into the reader's buffer and is valid until the next call to any
 * rs_reader function.
 */
#ifndef RS_READER_H
#define RS_READER_H

#include <stddef.h>
#include <stdint.h>

struct rs_reader {
	uint8_t		*buf;
	size_t		 cap;
	size_t		 pos;		/* start of unconsumed bytes */
	size_t		 len;		/* end of valid bytes */
	size_t		 max_frame;	/* cap on any frame but Deliver */
	size_t		 max_deliver;	/* cap on Deliver frames */
	int		 err;
	char		 errstr[128];
};

void	rs_reader_init(struct rs_reader *, size_t, size_t);
void	rs_reader_free(struct rs_reader *);
int	rs_reader_space(struct rs_reader *, size_t, uint8_t **, size_t *);
void	rs_reader_commit(struct rs_reader *, size_t);
int	rs_reader_feed(struct rs_reader *, const void *, size_t);
int	rs_reader_next(struct rs_reader *, const uint8_t **, size_t *);

#endif
