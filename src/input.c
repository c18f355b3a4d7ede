/*
 * input.c: record framing of the bytes rstream-cat reads.
 *
 * The buffer holds at most one record's worth of unframed bytes plus the
 * next read: its size is max_record + delimiter + a read block, allocated
 * once, so memory stays bounded whatever the input. An oversize record is
 * never held whole: when skipped, its bytes are dropped as they arrive.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "input.h"
#include "wire.h"


/* Frame on the delimiter (len bytes); records of at most max_record bytes. */
int
rs_input_init(struct rs_input *in, const void *delim, size_t len,
    size_t max_record)
{
	return rs_input_init_read(in, delim, len, max_record, RS_INPUT_READ);
}

/*
 * rs_input_init() for a caller that reads at most read bytes at a time
 * (at least 1): the buffer holds two reads, not two RS_INPUT_READs. The
 * fuzz target feeds a few bytes at a time, and so needs no 512 KiB buffer
 * per input, and moves the unframed bytes far more often.
 */
int
rs_input_init_read(struct rs_input *in, const void *delim, size_t len,
    size_t max_record, size_t read)
{
	memset(in, 0, sizeof *in);
	in->framing = RS_INPUT_DELIM;
	in->delim = delim;
	in->delim_len = len;
	in->max_record = max_record;
	in->read = read > 0 ? read : 1;
	in->cap = max_record + (len > 4 ? len : 4) + 2 * in->read;
	if ((in->buf = malloc(in->cap)) == NULL)
		return -1;
	return 0;
}

void
rs_input_set_framing(struct rs_input *in, enum rs_input_framing framing)
{
	in->framing = framing;
}

void
rs_input_free(struct rs_input *in)
{
	free(in->buf);
	in->buf = NULL;
}

/*
 * Where to read the next bytes: *p and *avail. Unframed bytes move to the
 * front only when everything is framed (nothing to move) or the room left
 * is below a read: moving them before every read costs more than the
 * reading. Callers read at most in->read (RS_INPUT_READ unless given) at a
 * time, and only while less than that is waiting to be framed, so what
 * moves stays small.
 */
int
rs_input_space(struct rs_input *in, uint8_t **p, size_t *avail)
{
	if (in->pos > 0 && (in->pos == in->len ||
	    in->cap - in->len < in->read)) {
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
	in->discarding = 0;
	in->discard = 0;
	in->whole_done = 0;
}

/*
 * An oversize record. Only a length prefix says how long it is: otherwise
 * the message must not depend on how much of it had arrived.
 */
static int
oversize(struct rs_input *in, uint64_t len)
{
	in->oversize = 1;
	if (len > 0)
		snprintf(in->errstr, sizeof in->errstr,
		    "record %llu is %llu bytes, longer than the %zu bytes a "
		    "message can hold", (unsigned long long)in->recno + 1,
		    (unsigned long long)len, in->max_record);
	else
		snprintf(in->errstr, sizeof in->errstr,
		    "record %llu is longer than the %zu bytes a message can "
		    "hold", (unsigned long long)in->recno + 1, in->max_record);
	return -1;
}

/* Hand out the n bytes at pos as a record, then step over skip more. */
static int
record(struct rs_input *in, const uint8_t **rec, size_t *n, size_t len,
    size_t skip)
{
	*rec = in->buf + in->pos;
	*n = len;
	in->pos += len + skip;
	in->scan = in->pos;
	in->recno++;
	return 1;
}

/* Drop bytes of a skipped record; 1 when it is all gone. */
static int
drop(struct rs_input *in)
{
	const uint8_t	*hit;
	size_t		 avail = in->len - in->pos, dl = in->delim_len;

	if (in->discard > 0) {
		if (in->discard > avail) {
			in->discard -= avail;
			in->pos = in->scan = in->len;
			return in->at_end;	/* a truncated record ends with its file */
		}
		in->pos += (size_t)in->discard;
		in->scan = in->pos;
		in->discard = 0;
		return 1;
	}
	if (in->framing == RS_INPUT_DELIM && avail >= dl &&
	    (hit = memmem(in->buf + in->pos, avail, in->delim, dl)) != NULL) {
		in->pos = (size_t)(hit - in->buf) + dl;
		in->scan = in->pos;
		in->discarding = 0;
		return 1;
	}
	/* Keep a possible partial delimiter; drop the rest. */
	if (in->framing == RS_INPUT_DELIM && avail >= dl)
		in->pos += avail - (dl - 1);
	else if (in->framing != RS_INPUT_DELIM)
		in->pos = in->len;
	in->scan = in->pos;
	if (in->at_end) {
		in->pos = in->scan = in->len;
		in->discarding = 0;
		return 1;
	}
	return 0;
}

static int
next_delim(struct rs_input *in, const uint8_t **rec, size_t *n)
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
		if ((size_t)(hit - (in->buf + in->pos)) > in->max_record)
			return oversize(in, 0);
		return record(in, rec, n, (size_t)(hit - (in->buf + in->pos)), dl);
	}
	in->scan = in->len;
	if (in->len - in->pos > in->max_record + dl - 1)
		return oversize(in, 0);
	if (in->at_end && in->len > in->pos) {
		if (in->len - in->pos > in->max_record)
			return oversize(in, 0);
		return record(in, rec, n, in->len - in->pos, 0);
	}
	return 0;
}

static int
next_be32(struct rs_input *in, const uint8_t **rec, size_t *n)
{
	size_t		 avail = in->len - in->pos;
	uint32_t	 len;

	if (avail < 4) {
		if (in->at_end && avail > 0) {
			snprintf(in->errstr, sizeof in->errstr, "record %llu: "
			    "the input ends inside its 4-byte length",
			    (unsigned long long)in->recno + 1);
			in->pos = in->len;
			return -1;
		}
		return 0;
	}
	len = rs_wire_r32(in->buf + in->pos);
	if (len > in->max_record)
		return oversize(in, len);
	if (avail - 4 < len) {
		if (in->at_end) {
			snprintf(in->errstr, sizeof in->errstr, "record %llu: "
			    "the input ends %zu bytes into a %u-byte record",
			    (unsigned long long)in->recno + 1, avail - 4, len);
			in->pos = in->len;
			return -1;
		}
		return 0;
	}
	in->pos += 4;
	return record(in, rec, n, len, 0);
}

static int
next_whole(struct rs_input *in, const uint8_t **rec, size_t *n)
{
	if (in->len - in->pos > in->max_record)
		return oversize(in, 0);
	if (!in->at_end || in->whole_done)
		return 0;
	in->whole_done = 1;
	return record(in, rec, n, in->len - in->pos, 0);
}

/* The next record: 1 with a slice, 0 when more input is needed, -1 on error. */
int
rs_input_next(struct rs_input *in, const uint8_t **rec, size_t *n)
{
	if (in->oversize)
		return -1;
	if ((in->discarding || in->discard > 0) && !drop(in))
		return 0;
	switch (in->framing) {
	case RS_INPUT_BE32:
		return next_be32(in, rec, n);
	case RS_INPUT_WHOLE:
		return next_whole(in, rec, n);
	default:
		return next_delim(in, rec, n);
	}
}

/* After an oversize error: count the record as taken and drop its bytes. */
void
rs_input_skip(struct rs_input *in)
{
	size_t		 dl = in->delim_len, avail = in->len - in->pos;
	const uint8_t	*hit;
	uint32_t	 len;

	if (!in->oversize)
		return;
	in->oversize = 0;
	in->recno++;
	switch (in->framing) {
	case RS_INPUT_BE32:
		len = rs_wire_r32(in->buf + in->pos);
		in->pos += 4;
		in->discard = len;
		break;
	case RS_INPUT_WHOLE:
		in->discarding = 1;
		in->whole_done = 1;
		break;
	default:
		hit = avail >= dl ? memmem(in->buf + in->pos, avail, in->delim, dl) :
		    NULL;
		if (hit != NULL) {
			in->pos = (size_t)(hit - in->buf) + dl;
			in->scan = in->pos;
		} else
			in->discarding = 1;
		break;
	}
}
