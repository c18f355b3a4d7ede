/*
 * reader.c: frames out of a byte stream (PROTOCOL.adoc "Frame").
 *
 * The buffer holds consumed bytes [0, pos), unconsumed [pos, len) and free
 * space [len, cap). Space is made by moving the unconsumed tail to the front
 * first, and growing only when a frame announced (and allowed by the caps)
 * needs more room than the buffer has.
 */
#include "config.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "proto.h"
#include "reader.h"
#include "wire.h"

#define READER_MIN	65536

void
rs_reader_init(struct rs_reader *r, size_t max_frame, size_t max_deliver)
{
	memset(r, 0, sizeof *r);
	r->max_frame = max_frame;
	r->max_deliver = max_deliver;
}

void
rs_reader_free(struct rs_reader *r)
{
	free(r->buf);
	r->buf = NULL;
	r->cap = r->pos = r->len = 0;
}

static int __attribute__((format(printf, 2, 3)))
fail(struct rs_reader *r, const char *fmt, ...)
{
	va_list	 ap;

	r->err = 1;
	va_start(ap, fmt);
	vsnprintf(r->errstr, sizeof r->errstr, fmt, ap);
	va_end(ap);
	return -1;
}

/* Check the header of the frame at pos once six bytes are in; its total length. */
static int
check_header(struct rs_reader *r, size_t *total)
{
	uint32_t	 size;
	uint16_t	 key;
	size_t		 cap;

	*total = 0;
	if (r->len - r->pos < 4)
		return 0;
	size = rs_wire_r32(r->buf + r->pos);
	if (size < 4)
		return fail(r, "frame size %u is below the 4-byte minimum", size);
	if (r->len - r->pos < 6)
		return 0;
	key = rs_wire_r16(r->buf + r->pos + 4);
	cap = (key == RS_DELIVER) ? r->max_deliver : r->max_frame;
	if (size > cap)
		return fail(r, "frame size %u exceeds the %zu-byte limit",
		    size, cap);
	*total = (size_t)size + 4;
	return 0;
}

/*
 * Give a place to put at least want bytes (more if a frame in progress needs
 * it): *p and *avail. 0 on success, -1 on allocation failure or earlier error.
 */
int
rs_reader_space(struct rs_reader *r, size_t want, uint8_t **p, size_t *avail)
{
	size_t	 need, total, cap;
	uint8_t	*nb;

	if (r->err)
		return -1;
	if (r->pos > 0) {
		memmove(r->buf, r->buf + r->pos, r->len - r->pos);
		r->len -= r->pos;
		r->pos = 0;
	}
	if (check_header(r, &total) == -1)
		return -1;
	need = r->len + want;
	if (total > need)
		need = total;
	if (need > r->cap || r->buf == NULL) {	/* never hand out NULL */
		cap = r->cap ? r->cap : READER_MIN;
		while (cap < need)
			cap *= 2;
		if ((nb = realloc(r->buf, cap)) == NULL)
			return fail(r, "out of memory for a %zu-byte buffer",
			    cap);
		r->buf = nb;
		r->cap = cap;
	}
	*p = r->buf + r->len;
	*avail = r->cap - r->len;
	return 0;
}

void
rs_reader_commit(struct rs_reader *r, size_t n)
{
	r->len += n;
}

/* Copy n bytes in. 0 on success, -1 on error. */
int
rs_reader_feed(struct rs_reader *r, const void *data, size_t n)
{
	uint8_t	*p;
	size_t	 avail;

	if (rs_reader_space(r, n, &p, &avail) == -1)
		return -1;
	if (n == 0)		/* data may be NULL then */
		return 0;
	memcpy(p, data, n);
	rs_reader_commit(r, n);
	return 0;
}

/* The next whole frame: 1 with frame and len set, 0 when more bytes are needed, -1 on error. */
int
rs_reader_next(struct rs_reader *r, const uint8_t **frame, size_t *len)
{
	size_t	 total;

	if (r->err)
		return -1;
	if (check_header(r, &total) == -1)
		return -1;
	if (total == 0 || r->len - r->pos < total)
		return 0;
	*frame = r->buf + r->pos + 4;
	*len = total - 4;
	r->pos += total;
	return 1;
}
