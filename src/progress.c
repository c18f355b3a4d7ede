/*
 * progress.c: the --progress line's text, pure.
 *
 * The live line is short enough for an 80-column terminal in the common
 * case (meter.c cuts it to the terminal's width anyway), sizes and rates
 * are rounded to three significant digits, and the rate is that of the
 * last few seconds, so a stall shows at once and the ETA follows the
 * current speed rather than the average of a run that began with a slow
 * connection. The final line is the one left on the screen, or in a log:
 * exact counts, the time taken and the average rate, as dd(1) prints.
 *
 *	rstream-cat	1234567 rec, 98.5 MiB/120 MiB (82%), 1230000 confirmed,
 *			12.3 MiB/s, ETA 0:00:02
 *	rstream-tail -e	1234567/1500000 rec (82%), 98.5 MiB, 41.2k rec/s,
 *			ETA 0:00:06
 *	final		1234567 records, 103284736 bytes (98.5 MiB) read in
 *			8.1 s, 12.2 MiB/s, 1234567 confirmed
 */
#include "config.h"

#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "progress.h"

/* Append to buf (size n) at *o, never past its end; *o stays below n. */
static void __attribute__((format(printf, 4, 5)))
app(char *buf, size_t n, size_t *o, const char *fmt, ...)
{
	va_list	 ap;
	int	 w;

	if (n == 0 || *o >= n - 1)
		return;
	va_start(ap, fmt);
	w = vsnprintf(buf + *o, n - *o, fmt, ap);
	va_end(ap);
	if (w < 0)
		return;
	*o += (size_t)w < n - *o ? (size_t)w : n - 1 - *o;
}

/*
 * v (at least 1) in three significant digits with the unit that keeps it
 * below base: "1.50 KiB", "12.3k", "999". The decimals are chosen on the
 * rounded value, so 9.996 is "10.0", not "10.00", and 1023.7 KiB is
 * "1.00 MiB".
 */
static size_t
sig3(char *buf, size_t n, double v, double base, const char *const *units,
    size_t nunits)
{
	size_t	 u = 0, o = 0;

	while (v >= base - 0.5 && u + 1 < nunits) {
		v /= base;
		u++;
	}
	if (v < 9.995)
		app(buf, n, &o, "%.2f%s", v, units[u]);
	else if (v < 99.95)
		app(buf, n, &o, "%.1f%s", v, units[u]);
	else
		app(buf, n, &o, "%.0f%s", v, units[u]);
	return o;
}

/* A byte count for people: "0 B", "1023 B", "1.50 KiB", "98.5 MiB", "120 GiB". */
size_t
rs_progress_size(char *buf, size_t n, uint64_t bytes)
{
	static const char *const units[] = {
		" B", " KiB", " MiB", " GiB", " TiB", " PiB", " EiB"
	};
	size_t	 o = 0;

	if (bytes < 1024) {
		app(buf, n, &o, "%" PRIu64 " B", bytes);
		return o;
	}
	return sig3(buf, n, (double)bytes / 1024.0, 1024.0, units + 1, 6);
}

/* A count or rate of records: "0", "0.50", "7.30", "999", "41.2k", "1.23M". */
size_t
rs_progress_count(char *buf, size_t n, double v)
{
	static const char *const units[] = { "", "k", "M", "G", "T", "P" };
	size_t	 o = 0;

	if (!(v > 0)) {		/* also NaN */
		app(buf, n, &o, "0");
		return o;
	}
	if (v < 1.0) {
		app(buf, n, &o, "%.2f", v);
		return o;
	}
	return sig3(buf, n, v, 1000.0, units, 6);
}

/* A duration, rounded to the second: "0:00:07", "1:02:03", "99:59:59", then "5d". */
size_t
rs_progress_time(char *buf, size_t n, double secs)
{
	uint64_t	 s;
	size_t		 o = 0;

	if (!(secs > 0))	/* also NaN */
		secs = 0;
	if (secs >= 100.0 * 3600 - 0.5) {
		app(buf, n, &o, "%.0fd", secs / 86400 < 1e9 ? secs / 86400 : 1e9);
		return o;
	}
	s = (uint64_t)(secs + 0.5);
	app(buf, n, &o, "%u:%02u:%02u", (unsigned)(s / 3600),
	    (unsigned)(s / 60 % 60), (unsigned)(s % 60));
	return o;
}

void
rs_progress_rate_init(struct rs_progress_rate *r)
{
	memset(r, 0, sizeof *r);
}

/* A sample: the count v at time t (seconds, from any origin, never going back). */
void
rs_progress_rate_add(struct rs_progress_rate *r, double t, uint64_t v)
{
	r->t[r->next] = t;
	r->v[r->next] = v;
	r->next = (r->next + 1) % RS_PROGRESS_SAMPLES;
	if (r->n < RS_PROGRESS_SAMPLES)
		r->n++;
}

/* Per second, between the oldest sample held and the newest; -1 if unknown (fewer than two). */
double
rs_progress_rate_get(const struct rs_progress_rate *r)
{
	size_t	 old, new;
	double	 dt;

	if (r->n < 2)
		return -1;
	new = (r->next + RS_PROGRESS_SAMPLES - 1) % RS_PROGRESS_SAMPLES;
	old = (r->next + RS_PROGRESS_SAMPLES - r->n) % RS_PROGRESS_SAMPLES;
	if ((dt = r->t[new] - r->t[old]) <= 0)
		return -1;
	if (r->v[new] < r->v[old])
		return 0;
	return (double)(r->v[new] - r->v[old]) / dt;
}

/* A rate in the unit of p's measure: "12.3 MiB/s" or "41.2k rec/s". */
static void
rate_str(char *buf, size_t n, size_t *o, const struct rs_progress *p,
    double rate)
{
	char	 s[32];

	if (p->by_records) {
		rs_progress_count(s, sizeof s, rate);
		app(buf, n, o, "%s rec/s", s);
	} else {
		rs_progress_size(s, sizeof s, rate > 0 && rate < 1e19 ?
		    (uint64_t)(rate + 0.5) : 0);
		app(buf, n, o, "%s/s", s);
	}
}

/* The percentage of the total done, 0 to 100 (an empty total is done). */
static unsigned
percent(const struct rs_progress *p)
{
	if (p->total == 0 || p->done >= p->total)
		return 100;
	return (unsigned)((double)p->done * 100.0 / (double)p->total);
}

/* The live line: counts, how far, the rate, the time left. */
static size_t
live(char *buf, size_t n, const struct rs_progress *p, double elapsed,
    double rate)
{
	char	 a[32], b[32];
	size_t	 o = 0;

	rs_progress_size(a, sizeof a, p->bytes);
	if (p->by_records) {
		app(buf, n, &o, "%" PRIu64, p->records);
		if (p->has_total)
			app(buf, n, &o, "/%" PRIu64 " rec (%u%%)", p->total,
			    percent(p));
		else
			app(buf, n, &o, " rec");
		app(buf, n, &o, ", %s", a);
	} else {
		app(buf, n, &o, "%" PRIu64 " rec, %s", p->records, a);
		if (p->has_total) {
			rs_progress_size(b, sizeof b, p->total);
			app(buf, n, &o, "/%s (%u%%)", b, percent(p));
		}
	}
	if (p->has_confirmed)
		app(buf, n, &o, ", %" PRIu64 " confirmed", p->confirmed);
	if (rate < 0 && elapsed > 0)
		rate = (double)(p->by_records ? p->records : p->bytes) / elapsed;
	if (rate < 0)
		return o;
	app(buf, n, &o, ", ");
	rate_str(buf, n, &o, p, rate);
	if (!p->has_total)
		return o;
	if (p->done >= p->total)
		app(buf, n, &o, ", ETA 0:00:00");
	else if (rate > 0) {
		rs_progress_time(a, sizeof a, (double)(p->total - p->done) / rate);
		app(buf, n, &o, ", ETA %s", a);
	}
	return o;
}

/* The final line: exact counts, the time taken, the average rate. */
static size_t
final(char *buf, size_t n, const struct rs_progress *p, double elapsed)
{
	char	 a[32];
	size_t	 o = 0;

	app(buf, n, &o, "%" PRIu64 " record%s, %" PRIu64 " byte%s", p->records,
	    p->records == 1 ? "" : "s", p->bytes, p->bytes == 1 ? "" : "s");
	if (p->bytes >= 1024) {
		rs_progress_size(a, sizeof a, p->bytes);
		app(buf, n, &o, " (%s)", a);
	}
	app(buf, n, &o, " %s in ", p->verb ? p->verb : "done");
	if (elapsed < 59.95) {
		app(buf, n, &o, "%.1f s", elapsed > 0 ? elapsed : 0.0);
	} else {
		rs_progress_time(a, sizeof a, elapsed);
		app(buf, n, &o, "%s", a);
	}
	if (elapsed > 0) {
		app(buf, n, &o, ", ");
		rate_str(buf, n, &o, p, (double)(p->by_records ? p->records :
		    p->bytes) / elapsed);
	}
	if (p->has_confirmed)
		app(buf, n, &o, ", %" PRIu64 " confirmed", p->confirmed);
	return o;
}

/*
 * The line for p into buf (size n, NUL-terminated, cut if short): live,
 * with the recent rate (per second in p's measure; below 0: unknown, the
 * average since the start is used) and the time left; or final, with exact
 * counts. elapsed: seconds since the start. The length written.
 */
size_t
rs_progress_line(char *buf, size_t n, const struct rs_progress *p,
    double elapsed, double rate, int last)
{
	if (n > 0)
		buf[0] = '\0';
	return last ? final(buf, n, p, elapsed) : live(buf, n, p, elapsed,
	    rate);
}
