/*
 * input.c: delimiter framing of the bytes rstream-cat reads.
 *
 * The buffer holds at most one record's worth of unframed bytes plus the
 * next read: its size is max_record + delimiter + a read block, allocated
 * once, so memory stays bounded whatever the input.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "input.h"

#define INPUT_BLOCK	(256u << 10)

/* Frame on the delimiter (len bytes); records of at most max_record bytes. */
int
rs_input_init(struct rs_input *in, const void *delim, size_t len,
    size_t max_record)
{
	memset(in, 0, sizeof *in);
	in->delim = delim;
	in->delim_len = len;
	in->max_record = max_record;
	in->cap = max_record + len + INPUT_BLOCK;
	if ((in->buf = malloc(in->cap)) == NULL)
		return -1;
	return 0;
}

void
rs_input_free(struct rs_input *in)
{
	free(in->buf);
	in->buf = NULL;
}

/* Where to read the next bytes: *p and *avail (0 only while a record is oversize). */
int
rs_input_space(struct rs_input *in, uint8_t **p, size_t *avail)
{
	if (in->pos > 0) {
		memmove(in->buf, in->buf + in->pos, in->len - in->pos);
		in->len -= in->pos;
		in->scan -= in->pos;
		in->pos = 0;
	}
	*p = in->buf + in->len;
	*avail = in->cap - in->len;
	return 0;
}

void
rs_input_commit(struct rs_input *in, size_t n)
{
	in->len += n;
	in->at_end = 0;
}

/* The current file ended: what is left unframed is its last record. */
void
rs_input_end(struct rs_input *in)
{
	in->at_end = 1;
}

/* A new file starts (after rs_input_next() returned 0 at the end of the last). */
void
rs_input_next_file(struct rs_input *in)
{
	in->at_end = 0;
}

static int
oversize(struct rs_input *in)
{
	snprintf(in->errstr, sizeof in->errstr,
	    "record %llu is longer than the %zu bytes a message can hold",
	    (unsigned long long)in->recno + 1, in->max_record);
	return -1;
}

/* The next record: 1 with a slice, 0 when more input is needed, -1 if oversize. */
int
rs_input_next(struct rs_input *in, const uint8_t **rec, size_t *n)
{
	const uint8_t	*d, *hit = NULL;
	size_t		 avail, from, dl = in->delim_len;

	from = in->scan > in->pos + dl ? in->scan - dl + 1 : in->pos;
	avail = in->len - from;
	d = in->buf + from;
	if (dl == 1)
		hit = memchr(d, in->delim[0], avail);
	else if (avail >= dl)
		hit = memmem(d, avail, in->delim, dl);
	if (hit != NULL) {
		*rec = in->buf + in->pos;
		*n = (size_t)(hit - *rec);
		if (*n > in->max_record)
			return oversize(in);
		in->pos += *n + dl;
		in->scan = in->pos;
		in->recno++;
		return 1;
	}
	in->scan = in->len;
	if (in->len - in->pos > in->max_record + dl - 1)
		return oversize(in);
	if (in->at_end && in->len > in->pos) {
		*rec = in->buf + in->pos;
		*n = in->len - in->pos;
		if (*n > in->max_record)
			return oversize(in);
		in->pos = in->scan = in->len;
		in->recno++;
		return 1;
	}
	return 0;
}
