/*
 * test-spec.c: the command line's value syntaxes (src/spec.c). Offsets:
 * the names first, beginning, last, next, end and absolute numbers up to
 * 2^64 - 1, refusing signs, junk and the empty string. Sizes: decimal
 * units (500mb = 500000000), binary ones (1k = 1024, 1GiB = 1073741824),
 * no suffix, overflow and bad suffixes refused. Durations: s, m, h, d, w,
 * sequences (1h30m = 5400), plain seconds, refusing "", "5x", "h" and
 * overflow. Counts: 0 to 2^64 - 1, with 18446744073709551616 refused.
 * Every expected value is worked out here, not taken from the program.
 */
#include "config.h"

#include <stdint.h>

#include "spec.h"
#include "tap.h"

static void
offset_ok(const char *s, enum rs_offset_kind kind, uint64_t off)
{
	struct rs_offset_spec	 o;

	if (is_int(rs_spec_offset(s, 0, &o), 0, "offset \"%s\" parses", s))
		ok(o.kind == kind && o.offset == off,
		    "offset \"%s\" is kind %d, %llu", s, (int)kind,
		    (unsigned long long)off);
}

static void
offset_bad(const char *s)
{
	struct rs_offset_spec	 o;

	is_int(rs_spec_offset(s, 0, &o), -1, "offset \"%s\" refused", s);
}

static void
time_ok(const char *s, int64_t now, int64_t want)
{
	struct rs_offset_spec	 o;
	int64_t			 t = 0;

	if (is_int(rs_spec_time(s, now, &t), 0, "time \"%s\" parses", s))
		is_int(t, want, "time \"%s\" is %lld ms", s, (long long)want);
	if (s[0] != '\0' && (s[0] < '0' || s[0] > '9')) {
		if (is_int(rs_spec_offset(s, now, &o), 0, "offset \"%s\"", s))
			ok(o.kind == RS_SPEC_TIMESTAMP && o.time == want,
			    "offset \"%s\" is a timestamp", s);
	}
}

static void
time_bad(const char *s)
{
	int64_t	 t;

	is_int(rs_spec_time(s, 1764072000000LL, &t), -1, "time \"%s\" refused", s);
}

static void
test_times(void)
{
	int64_t	 now = 1795608000000LL;	/* 2026-11-25T12:00:00Z */

	time_ok("2026-11-25T12:00:00Z", 0, 1795608000000LL);
	time_ok("2026-11-25t12:00:00z", 0, 1795608000000LL);
	time_ok("2026-11-25 12:00:00Z", 0, 1795608000000LL);
	time_ok("2026-11-25T12:00Z", 0, 1795608000000LL);
	time_ok("2026-11-25T12:00:00.5+01:00", 0, 1795604400500LL);
	time_ok("2026-11-25T12:00:00.123-00:30", 0, 1795609800123LL);
	time_ok("2026-11-25", 0, 1795564800000LL);
	time_ok("1970-01-01T00:00:00Z", 0, 0);
	time_ok("@1764072000", 0, 1764072000000LL);
	time_ok("1764072000123", 0, 1764072000123LL);
	time_ok("now", now, now);
	time_ok("-1h", now, now - 3600000);
	time_ok("-30m", now, now - 1800000);
	time_ok("-1h30m", now, now - 5400000);
	time_ok("-2d", now, now - 172800000);
	time_ok("-500ms", now, now - 500);
	time_bad("");
	time_bad("2026-13-01");
	time_bad("2026-11-32");
	time_bad("2026-11-25T24:00Z");
	time_bad("2026-11-25T12:60Z");
	time_bad("2026-11-25T12:00:00+1:00");
	time_bad("2026-11-25T12:00:00.Z");
	time_bad("2026-11-25X");
	time_bad("26-11-25");
	time_bad("tomorrow");
	time_bad("@");
	time_bad("@-1");
	time_bad("-1x");
	time_bad("-");
	time_bad("-99999999999d");
}

static void
test_offsets(void)
{
	offset_ok("first", RS_SPEC_FIRST, 0);
	offset_ok("beginning", RS_SPEC_FIRST, 0);
	offset_ok("last", RS_SPEC_LAST, 0);
	offset_ok("next", RS_SPEC_NEXT, 0);
	offset_ok("end", RS_SPEC_NEXT, 0);
	offset_ok("0", RS_SPEC_ABSOLUTE, 0);
	offset_ok("42", RS_SPEC_ABSOLUTE, 42);
	offset_ok("007", RS_SPEC_ABSOLUTE, 7);
	offset_ok("18446744073709551615", RS_SPEC_ABSOLUTE, UINT64_MAX);
	offset_ok("-1", RS_SPEC_FROM_END, 1);
	offset_ok("-100", RS_SPEC_FROM_END, 100);
	offset_bad("-");
	offset_bad("--1");
	offset_bad("-1x");
	offset_bad("+1");
	offset_bad("1x");
	offset_bad("");
	offset_bad(" 1");
	offset_bad("1 ");
	offset_bad("firstx");
	offset_bad("fir");
	offset_bad("18446744073709551616");
}

static void
size_ok(const char *s, uint64_t want)
{
	uint64_t	 v = 0;

	if (is_int(rs_spec_size(s, &v), 0, "size \"%s\" parses", s))
		is_uint(v, want, "size \"%s\" is %llu", s,
		    (unsigned long long)want);
}

static void
size_bad(const char *s)
{
	uint64_t	 v;

	is_int(rs_spec_size(s, &v), -1, "size \"%s\" refused", s);
}

static void
test_sizes(void)
{
	size_ok("10", 10);
	size_ok("10b", 10);
	size_ok("0", 0);
	size_ok("500mb", 500000000ULL);
	size_ok("500MB", 500000000ULL);
	size_ok("20gb", 20000000000ULL);
	size_ok("2kb", 2000);
	size_ok("3tb", 3000000000000ULL);
	size_ok("1k", 1024);
	size_ok("1m", 1048576);
	size_ok("1g", 1073741824);
	size_ok("2t", 2199023255552ULL);
	size_ok("1GiB", 1073741824);
	size_ok("1kib", 1024);
	size_ok("3mib", 3145728);
	size_ok("1tib", 1099511627776ULL);
	size_ok("18446744073709551615", UINT64_MAX);
	size_ok("16777215tib", 18446742974197923840ULL);	/* 2^64 - 2^40 */
	size_ok("18446744073709551b", 18446744073709551ULL);
	size_bad("16777216tib");		/* 2^24 * 2^40 = 2^64 */
	size_bad("18446744073709552kb");	/* 1.8e19 * 1000 */
	size_bad("20000000000gb");		/* 2e19 */
	size_bad("18446744073709551616");
	size_bad("5x");
	size_bad("5kbb");
	size_bad("5 mb");
	size_bad("5mb ");
	size_bad("mb");
	size_bad("");
	size_bad("-5");
	size_bad("1.5gb");
	size_bad("5ki");
}

static void
duration_ok(const char *s, uint64_t want)
{
	uint64_t	 v = 0;

	if (is_int(rs_spec_duration(s, &v), 0, "duration \"%s\" parses", s))
		is_uint(v, want, "duration \"%s\" is %llu s", s,
		    (unsigned long long)want);
}

static void
duration_bad(const char *s)
{
	uint64_t	 v;

	is_int(rs_spec_duration(s, &v), -1, "duration \"%s\" refused", s);
}

static void
test_durations(void)
{
	duration_ok("30s", 30);
	duration_ok("10m", 600);
	duration_ok("2h", 7200);
	duration_ok("7d", 604800);
	duration_ok("1w", 604800);
	duration_ok("1h30m", 5400);
	duration_ok("1d2h3m4s", 93784);
	duration_ok("42", 42);
	duration_ok("0s", 0);
	duration_ok("18446744073709551615s", UINT64_MAX);
	duration_bad("");
	duration_bad("5x");
	duration_bad("h");
	duration_bad("1hm");
	duration_bad("-5s");
	duration_bad("5 s");
	duration_bad("1.5h");
	duration_bad("30000000000000000w");	/* 3e16 * 604800 */
	duration_bad("18446744073709551615s1s");
	duration_bad("18446744073709551616");
}

static void
count_ok(const char *s, uint64_t want)
{
	uint64_t	 v = 0;

	if (is_int(rs_spec_count(s, &v), 0, "count \"%s\" parses", s))
		is_uint(v, want, "count \"%s\" is %llu", s,
		    (unsigned long long)want);
}

static void
count_bad(const char *s)
{
	uint64_t	 v;

	is_int(rs_spec_count(s, &v), -1, "count \"%s\" refused", s);
}

static void
test_counts(void)
{
	count_ok("0", 0);
	count_ok("123", 123);
	count_ok("18446744073709551615", UINT64_MAX);
	count_ok("18446744073709551609", 18446744073709551609ULL);
	count_bad("18446744073709551616");
	count_bad("18446744073709551620");
	count_bad("99999999999999999999");
	count_bad("");
	count_bad("-1");
	count_bad("+1");
	count_bad("1.5");
	count_bad(" 1");
	count_bad("1k");
	count_bad("0x10");
}

int
main(void)
{
	test_offsets();
	test_times();
	test_sizes();
	test_durations();
	test_counts();
	return done_testing();
}
