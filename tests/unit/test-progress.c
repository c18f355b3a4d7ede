/*
 * test-progress.c: the --progress line's text (src/progress.c).
 *
 * rs_progress_size(): bytes below 1 KiB exact, then IEC units with three
 * significant digits, the decimals chosen after rounding (9.996 KiB is
 * "10.0 KiB", 1023.7 KiB is "1.00 MiB"), up to EiB and UINT64_MAX.
 * rs_progress_count(): rates of records, SI, fractions below 1.
 * rs_progress_time(): h:mm:ss, rounded, then days past 99 hours; negative
 * and NaN are 0.
 * rs_progress_rate_*(): unknown before two samples, the rate between the
 * oldest and newest sample kept (the ring forgets the oldest), 0 for a
 * count going back, unknown for no time passed.
 * rs_progress_line(): rstream-cat's and rstream-tail's live lines, with
 * and without a total, the ETA from the rate given or the average, 100%
 * at the total; the final lines with exact counts; a short buffer is cut
 * and NUL-terminated.
 */
#include "config.h"

#include <math.h>
#include <stdint.h>
#include <string.h>

#include "progress.h"
#include "tap.h"

static char	buf[512];

static const char *
size(uint64_t v)
{
	rs_progress_size(buf, sizeof buf, v);
	return buf;
}

static const char *
count(double v)
{
	rs_progress_count(buf, sizeof buf, v);
	return buf;
}

static const char *
tm(double v)
{
	rs_progress_time(buf, sizeof buf, v);
	return buf;
}

static const char *
line(const struct rs_progress *p, double elapsed, double rate, int last)
{
	size_t	 n = rs_progress_line(buf, sizeof buf, p, elapsed, rate, last);

	is_uint(n, strlen(buf), "the length returned is the string's");
	return buf;
}

int
main(void)
{
	struct rs_progress_rate	 r;
	struct rs_progress	 p;
	char			 small[8];
	size_t			 n;
	int			 i;

	is_str(size(0), "0 B", "0 bytes");
	is_str(size(1023), "1023 B", "1023 bytes: exact");
	is_str(size(1024), "1.00 KiB", "1 KiB");
	is_str(size(1536), "1.50 KiB", "1.5 KiB");
	is_str(size(10234), "9.99 KiB", "9.994 KiB rounds down to 9.99");
	is_str(size(10236), "10.0 KiB", "9.996 KiB: one decimal once rounded");
	is_str(size(102348), "99.9 KiB", "99.9 KiB");
	is_str(size(102349), "100 KiB", "99.95 KiB: no decimals once rounded");
	is_str(size(1047552), "1023 KiB", "1023 KiB");
	is_str(size(1048064), "1.00 MiB", "1023.5 KiB is 1.00 MiB");
	is_str(size(103284736), "98.5 MiB", "98.5 MiB");
	is_str(size(125829120), "120 MiB", "120 MiB");
	is_str(size(UINT64_C(1) << 40), "1.00 TiB", "1 TiB");
	is_str(size(UINT64_C(3) << 60), "3.00 EiB", "3 EiB");
	is_str(size(UINT64_MAX), "16.0 EiB", "UINT64_MAX");

	is_str(count(0), "0", "no records per second");
	is_str(count(-3), "0", "a negative rate is 0");
	is_str(count(NAN), "0", "NaN is 0");
	is_str(count(0.5), "0.50", "half a record per second");
	is_str(count(7.3), "7.30", "7.3");
	is_str(count(42), "42.0", "42");
	is_str(count(999.4), "999", "999.4");
	is_str(count(999.5), "1.00k", "999.5 is 1.00k");
	is_str(count(41234.5), "41.2k", "41.2k");
	is_str(count(1234567), "1.23M", "1.23M");

	is_str(tm(0), "0:00:00", "no time");
	is_str(tm(-1), "0:00:00", "negative: 0");
	is_str(tm(NAN), "0:00:00", "NaN: 0");
	is_str(tm(7.4), "0:00:07", "7.4 s rounds down");
	is_str(tm(7.5), "0:00:08", "7.5 s rounds up");
	is_str(tm(62), "0:01:02", "62 s");
	is_str(tm(3723), "1:02:03", "1 h 2 min 3 s");
	is_str(tm(100.0 * 3600 - 1), "99:59:59", "just under 100 h");
	is_str(tm(100.0 * 3600), "4d", "100 h is 4 days");
	is_str(tm(1e30), "1000000000d", "absurd: capped");

	rs_progress_rate_init(&r);
	ok(rs_progress_rate_get(&r) < 0, "no samples: rate unknown");
	rs_progress_rate_add(&r, 10.0, 100);
	ok(rs_progress_rate_get(&r) < 0, "one sample: rate unknown");
	rs_progress_rate_add(&r, 10.5, 600);
	ok(fabs(rs_progress_rate_get(&r) - 1000.0) < 1e-9, "500 in 0.5 s: 1000/s");
	for (i = 2; i < RS_PROGRESS_SAMPLES; i++)
		rs_progress_rate_add(&r, 10.0 + 0.5 * i, 600);
	ok(fabs(rs_progress_rate_get(&r) - 100.0) < 1e-9,
	    "a full ring: 500 over 5 s");
	rs_progress_rate_add(&r, 10.0 + 0.5 * RS_PROGRESS_SAMPLES, 600);
	ok(rs_progress_rate_get(&r) == 0, "the oldest sample forgotten: a stall "
	    "shows as 0");
	rs_progress_rate_add(&r, 20.0, 500);
	ok(rs_progress_rate_get(&r) == 0, "a count going back: 0, not huge");
	rs_progress_rate_init(&r);
	rs_progress_rate_add(&r, 1.0, 1);
	rs_progress_rate_add(&r, 1.0, 2);
	ok(rs_progress_rate_get(&r) < 0, "no time passed: unknown");

	/* rstream-cat: bytes read of the files' size, confirms. */
	memset(&p, 0, sizeof p);
	p.records = 1234567;
	p.bytes = 103284736;
	p.has_confirmed = 1;
	p.confirmed = 1230000;
	p.has_total = 1;
	p.total = 125829120;
	p.done = p.bytes;
	p.verb = "read";
	is_str(line(&p, 8.0, 12.3 * 1048576, 0),
	    "1234567 rec, 98.5 MiB/120 MiB (82%), 1230000 confirmed, "
	    "12.3 MiB/s, ETA 0:00:02", "rstream-cat, live, with a total");
	ok(strlen(buf) < 80, "fits 80 columns");
	is_str(line(&p, 8.0, -1, 0),
	    "1234567 rec, 98.5 MiB/120 MiB (82%), 1230000 confirmed, "
	    "12.3 MiB/s, ETA 0:00:02", "rate unknown: the average (the same here)");
	is_str(line(&p, 8.0, 0, 0),
	    "1234567 rec, 98.5 MiB/120 MiB (82%), 1230000 confirmed, "
	    "0 B/s", "stalled: no ETA");
	is_str(line(&p, 0, -1, 0),
	    "1234567 rec, 98.5 MiB/120 MiB (82%), 1230000 confirmed",
	    "no time and no rate: no rate, no ETA");
	p.done = p.total;
	is_str(line(&p, 8.0, 1048576, 0),
	    "1234567 rec, 98.5 MiB/120 MiB (100%), 1230000 confirmed, "
	    "1.00 MiB/s, ETA 0:00:00", "all read: 100%%, ETA 0");
	p.has_total = 0;
	is_str(line(&p, 8.0, 1048576, 0),
	    "1234567 rec, 98.5 MiB, 1230000 confirmed, 1.00 MiB/s",
	    "a pipe: no total, no ETA");
	p.confirmed = 1234567;
	is_str(line(&p, 8.0, -1, 1),
	    "1234567 records, 103284736 bytes (98.5 MiB) read in 8.0 s, "
	    "12.3 MiB/s, 1234567 confirmed", "rstream-cat, final");
	is_str(line(&p, 62.0, -1, 1),
	    "1234567 records, 103284736 bytes (98.5 MiB) read in 0:01:02, "
	    "1.59 MiB/s, 1234567 confirmed", "final, past a minute");
	memset(&p, 0, sizeof p);
	p.has_confirmed = 1;
	p.records = 1;
	p.bytes = 1;
	p.verb = "read";
	is_str(line(&p, 0, -1, 1), "1 record, 1 byte read in 0.0 s, 0 confirmed",
	    "final, singular, no time: no rate");

	/* rstream-tail -e: records written towards the end measured at start. */
	memset(&p, 0, sizeof p);
	p.by_records = 1;
	p.records = 12345;
	p.bytes = 1234500;
	p.has_total = 1;
	p.done = 12345;
	p.total = 150000;
	p.verb = "written";
	is_str(line(&p, 1.0, 41234.5, 0),
	    "12345/150000 rec (8%), 1.18 MiB, 41.2k rec/s, ETA 0:00:03",
	    "rstream-tail -e, live");
	p.has_total = 0;
	is_str(line(&p, 1.0, 41234.5, 0), "12345 rec, 1.18 MiB, 41.2k rec/s",
	    "rstream-tail -f, live: no total");
	is_str(line(&p, 2.0, -1, 1),
	    "12345 records, 1234500 bytes (1.18 MiB) written in 2.0 s, "
	    "6.17k rec/s", "rstream-tail, final");
	p.has_total = 1;
	p.total = 0;
	is_str(line(&p, 1.0, 10, 0),
	    "12345/0 rec (100%), 1.18 MiB, 10.0 rec/s, ETA 0:00:00",
	    "an empty total is done");

	n = rs_progress_line(small, sizeof small, &p, 1.0, 10, 0);
	is_str(small, "12345/0", "a short buffer: cut");
	is_uint(n, 7, "and the length is what it holds");
	n = rs_progress_line(small, 0, &p, 1.0, 10, 0);
	is_uint(n, 0, "no buffer: nothing");
	return done_testing();
}
