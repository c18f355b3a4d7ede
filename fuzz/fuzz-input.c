/*
 * fuzz-input.c: record framing of rstream-cat's input.
 *
 * The first byte picks the delimiter length (bits 0-1: 1-4 bytes), the
 * framing (bits 2-3: delimited, be32, whole, delimited), whether oversize
 * records are skipped with rs_input_skip() (bit 4), max_record (bits 5-6:
 * 64, 3, 0, 17) and whether the input is cut into files (bit 7: files of
 * 2 * step + 1 bytes); the second byte the feed size (step, 1-256), which
 * is also the read size rs_input_init_read() is given (a buffer of a few
 * hundred bytes, which the framer compacts often). The delimiter follows,
 * then the input, fed in pieces with an end of file at the end of each
 * file.
 *
 * Records must never exceed max_record, must lie inside the buffer (they
 * are copied out, for ASan), and must account for every byte of a file
 * with no error and nothing skipped: delimited records joined by the
 * delimiter give the file back (with one more delimiter if it did not end
 * with one), length-prefixed records give it back with their prefixes, and
 * a whole file is one record. A delimited record never holds the
 * delimiter. An error is an oversize record naming the next number, or
 * (be32 only) an input that ends inside a length or a record. The record
 * count covers the records returned and skipped.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"
#include "input.h"
#include "wire.h"

struct run {
	struct rs_input		 in;
	enum rs_input_framing	 framing;
	int			 skip;
	size_t			 max;
	uint8_t			*out;		/* this file's records, re-framed */
	size_t			 olen;
	size_t			 ocap;
	size_t			 nrec;		/* in this file */
	int			 skipped;	/* in this file */
	uint64_t		 taken;		/* records returned or skipped */
};

static void
out_put(struct run *r, const void *p, size_t n)
{
	if (n > r->ocap - r->olen)
		abort();	/* more bytes out than came in */
	memcpy(r->out + r->olen, p, n);
	r->olen += n;
}

/* Take every record ready now: 0, or -1 after an error that stops. */
static int
drain(struct run *r, int at_end)
{
	struct rs_input	*in = &r->in;
	const uint8_t	*rec;
	uint8_t		 be[4];
	char		 want[32];
	size_t		 len;
	int		 rc;

	while ((rc = rs_input_next(in, &rec, &len)) != 0) {
		if (rc == -1) {
			if (in->oversize) {
				snprintf(want, sizeof want, "record %llu ",
				    (unsigned long long)in->recno + 1);
				if (strncmp(in->errstr, want, strlen(want)) != 0)
					abort();
			} else {
				/* only be32 input can be cut short */
				if (r->framing != RS_INPUT_BE32 || !at_end)
					abort();
				snprintf(want, sizeof want, "record %llu: ",
				    (unsigned long long)in->recno + 1);
				if (strncmp(in->errstr, want, strlen(want)) != 0)
					abort();
			}
			if (!r->skip || !in->oversize)
				return -1;
			rs_input_skip(in);
			r->skipped = 1;
			r->taken++;
			continue;
		}
		if (len > r->max || rec < in->buf || len > in->len ||
		    rec > in->buf + in->len - len)
			abort();
		if (r->framing == RS_INPUT_DELIM && in->delim_len <= len &&
		    memmem(rec, len, in->delim, in->delim_len) != NULL)
			abort();
		if (r->framing == RS_INPUT_BE32) {
			rs_wire_w32(be, (uint32_t)len);
			out_put(r, be, 4);
		}
		out_put(r, rec, len);
		if (r->framing == RS_INPUT_DELIM)
			out_put(r, in->delim, in->delim_len);
		r->nrec++;
		r->taken++;
		if (r->taken != in->recno)
			abort();
	}
	return 0;
}

/* At the end of a file of n bytes with no error: did its records cover it? */
static void
covered(struct run *r, const uint8_t *file, size_t n)
{
	const uint8_t	*d = r->in.delim;
	size_t		 dl = r->in.delim_len;

	if (r->skipped)
		return;
	switch (r->framing) {
	case RS_INPUT_DELIM:
		if (!(r->olen == n && memcmp(r->out, file, n) == 0) &&
		    !(n > 0 && r->olen == n + dl &&
		    memcmp(r->out, file, n) == 0 &&
		    memcmp(r->out + n, d, dl) == 0))
			abort();
		break;
	case RS_INPUT_BE32:
		if (r->olen != n || memcmp(r->out, file, n) != 0)
			abort();
		break;
	default:
		if (r->nrec != 1 || r->olen != n ||
		    memcmp(r->out, file, n) != 0)
			abort();
		break;
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const size_t	 maxes[] = { 64, 3, 0, 17 };
	static const enum rs_input_framing framings[] = {
		RS_INPUT_DELIM, RS_INPUT_BE32, RS_INPUT_WHOLE, RS_INPUT_DELIM
	};
	struct run		 r;
	uint8_t			*p;
	size_t			 dl, step, fsize, start, end, off, n, avail;
	int			 stop = 0;

	if (size < 2)
		return 0;
	memset(&r, 0, sizeof r);
	dl = (size_t)(data[0] & 3) + 1;
	r.framing = framings[(data[0] >> 2) & 3];
	r.skip = (data[0] >> 4) & 1;
	r.max = maxes[(data[0] >> 5) & 3];
	step = (size_t)data[1] + 1;
	fsize = (data[0] & 0x80) ? 2 * step + 1 : SIZE_MAX;
	if (size < 2 + dl)
		return 0;
	/* Reads of at most step bytes: a buffer of a few hundred, not 512 KiB. */
	if (rs_input_init_read(&r.in, data + 2, dl, r.max, step) == -1)
		return 0;
	rs_input_set_framing(&r.in, r.framing);
	data += 2 + dl;
	size -= 2 + dl;
	r.ocap = size + dl;
	if ((r.out = malloc(r.ocap + 1)) == NULL) {
		rs_input_free(&r.in);
		return 0;
	}
	for (start = 0; !stop; start = end) {
		end = size - start < fsize ? size : start + fsize;
		r.olen = 0;
		r.nrec = 0;
		r.skipped = 0;
		for (off = start; off < end && !stop; off += n) {
			rs_input_space(&r.in, &p, &avail);
			n = end - off < step ? end - off : step;
			if (n > avail)
				n = avail;
			if (n == 0)
				abort();	/* no room, and no error */
			memcpy(p, data + off, n);
			rs_input_commit(&r.in, n);
			stop = drain(&r, 0) == -1;
		}
		if (stop)
			break;
		rs_input_end(&r.in);
		if (drain(&r, 1) == -1)
			break;
		covered(&r, data + start, end - start);
		if (end == size)
			break;
		rs_input_next_file(&r.in);
	}
	if (r.taken != r.in.recno)
		abort();
	free(r.out);
	rs_input_free(&r.in);
	return 0;
}
