/*
 * spec.h: the value syntaxes of the command line. Pure.
 *
 *	offsets		first | beginning | last | next | end | N | -N | TIME
 *			(TIME in a form that is not a bare number)
 *	times		RFC 3339 (2026-11-25T12:00:00Z, +01:00, fractions,
 *			a space for the T, a date alone), @EPOCH seconds, epoch
 *			milliseconds (a bare number), now, today, yesterday
 *			(local midnight), relative -30s -10m -1h -2d -1w
 *	sizes		N, Nb, Nkb Nmb Ngb Ntb (powers of 1000),
 *			Nk Nm Ng Nt, Nkib Nmib Ngib Ntib (powers of 1024)
 *	durations	N[s|m|h|d|w], also in sequence: 1h30m; plain N = seconds;
 *			rs_spec_duration_ms also takes Nms and gives milliseconds
 *	escapes		\n \t \r \0 \\ \xNN in a byte string (delimiters)
 *	counts		N, a non-negative decimal integer
 */
#ifndef RS_SPEC_H
#define RS_SPEC_H

#include <stddef.h>
#include <stdint.h>

enum rs_offset_kind {
	RS_SPEC_FIRST,
	RS_SPEC_LAST,
	RS_SPEC_NEXT,
	RS_SPEC_ABSOLUTE,	/* offset */
	RS_SPEC_FROM_END,	/* -N: offset records before the end */
	RS_SPEC_TIMESTAMP	/* time: milliseconds since the epoch */
};

struct rs_offset_spec {
	enum rs_offset_kind	kind;
	uint64_t		offset;
	int64_t			time;
};

int	rs_spec_offset(const char *, int64_t, struct rs_offset_spec *);
int	rs_spec_time(const char *, int64_t, int64_t *);
int	rs_spec_size(const char *, uint64_t *);
int	rs_spec_duration(const char *, uint64_t *);
int	rs_spec_count(const char *, uint64_t *);
int	rs_spec_duration_ms(const char *, uint64_t *);
int	rs_spec_unescape(const char *, char *, size_t *);

#endif
