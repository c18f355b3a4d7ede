/*
 * progress.h: the text of the --progress line, pure (no I/O, no clock: the
 * caller passes the times). meter.c draws it on stderr from a timer.
 *
 *	rs_progress_size()	1536 -> "1.50 KiB" (IEC, three significant digits)
 *	rs_progress_count()	41234.5 -> "41.2k" (SI, for rates of records)
 *	rs_progress_time()	62 -> "0:01:02" (h:mm:ss; "4d" past 99 hours)
 *	rs_progress_rate_*()	a rate over the last few seconds of samples
 *	rs_progress_line()	the live line, or the final one (exact counts)
 */
#ifndef RS_PROGRESS_H
#define RS_PROGRESS_H

#include <stddef.h>
#include <stdint.h>

/* Automatic progress (stderr a terminal, no --no-progress) from this much work. */
#define RS_PROGRESS_AUTO_BYTES		(8u << 20)	/* rstream-cat: input files */
#define RS_PROGRESS_AUTO_RECORDS	50000		/* rstream-tail -e: records to go */
#define RS_PROGRESS_INTERVAL		0.5		/* seconds between two draws */

/* What the line tells: counts so far, and how far towards a total. */
struct rs_progress {
	uint64_t	 records;	/* read (rstream-cat), written (rstream-tail) */
	uint64_t	 bytes;
	int		 has_confirmed;
	uint64_t	 confirmed;	/* by the broker (rstream-cat) */
	int		 by_records;	/* done, total and the rate count records, not bytes */
	int		 has_total;
	uint64_t	 done;		/* towards total */
	uint64_t	 total;
	const char	*verb;		/* of the final line: "read", "written" */
};

/* Samples of a count (records or bytes), for its rate over the last few seconds. */
#define RS_PROGRESS_SAMPLES	11	/* 5 s of samples RS_PROGRESS_INTERVAL apart */
struct rs_progress_rate {
	double		 t[RS_PROGRESS_SAMPLES];
	uint64_t	 v[RS_PROGRESS_SAMPLES];
	size_t		 n;		/* samples held */
	size_t		 next;		/* where the next one goes */
};

size_t	rs_progress_size(char *, size_t, uint64_t);
size_t	rs_progress_count(char *, size_t, double);
size_t	rs_progress_time(char *, size_t, double);
void	rs_progress_rate_init(struct rs_progress_rate *);
void	rs_progress_rate_add(struct rs_progress_rate *, double, uint64_t);
double	rs_progress_rate_get(const struct rs_progress_rate *);
size_t	rs_progress_line(char *, size_t, const struct rs_progress *, double,
	    double, int);

#endif
