/*
 * spec.c: parse offsets, sizes, durations and counts. Every parser takes the
 * whole string or fails: no trailing junk, no sign, no overflow.
 */
#include "config.h"

#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "spec.h"

static int	duration(const char *, uint64_t, uint64_t *);

/* A decimal number at *s, advancing *s; -1 on no digits or overflow. */
static int
number(const char **s, uint64_t *v)
{
	uint64_t	 n = 0;
	const char	*p = *s;

	if (!isdigit((unsigned char)*p))
		return -1;
	for (; isdigit((unsigned char)*p); p++) {
		if (n > (UINT64_MAX - (uint64_t)(*p - '0')) / 10)
			return -1;
		n = n * 10 + (uint64_t)(*p - '0');
	}
	*s = p;
	*v = n;
	return 0;
}

int
rs_spec_count(const char *s, uint64_t *v)
{
	if (number(&s, v) == -1 || *s != '\0')
		return -1;
	return 0;
}

/* An offset specification; now (ms) resolves relative times. */
int
rs_spec_offset(const char *s, int64_t now, struct rs_offset_spec *o)
{
	uint64_t	 v;

	o->offset = 0;
	o->time = 0;
	if (strcmp(s, "first") == 0 || strcmp(s, "beginning") == 0)
		o->kind = RS_SPEC_FIRST;
	else if (strcmp(s, "last") == 0)
		o->kind = RS_SPEC_LAST;
	else if (strcmp(s, "next") == 0 || strcmp(s, "end") == 0)
		o->kind = RS_SPEC_NEXT;
	else if (rs_spec_count(s, &o->offset) == 0)
		o->kind = RS_SPEC_ABSOLUTE;
	else if (s[0] == '-' && rs_spec_count(s + 1, &o->offset) == 0)
		o->kind = RS_SPEC_FROM_END;
	else if (rs_spec_count(s, &v) == -1 && rs_spec_time(s, now, &o->time) == 0)
		o->kind = RS_SPEC_TIMESTAMP;
	else
		return -1;
	return 0;
}

/* Exactly n digits at *s as a number; advances *s. */
static int
digits(const char **s, int n, int *v)
{
	int	 i;

	*v = 0;
	for (i = 0; i < n; i++) {
		if (!isdigit((unsigned char)(*s)[i]))
			return -1;
		*v = *v * 10 + ((*s)[i] - '0');
	}
	*s += n;
	return 0;
}

/* RFC 3339 (and the date alone, or a space for the T) as ms since the epoch. */
static int
rfc3339(const char *s, int64_t *ms)
{
	struct tm	 tm;
	int		 y, mo, d, h = 0, mi = 0, sec = 0, oh, om, frac = 0, scale;
	int64_t		 off = 0;
	time_t		 t;

	memset(&tm, 0, sizeof tm);
	if (digits(&s, 4, &y) == -1 || *s++ != '-' || digits(&s, 2, &mo) == -1 ||
	    *s++ != '-' || digits(&s, 2, &d) == -1)
		return -1;
	if (*s == 'T' || *s == 't' || *s == ' ') {
		s++;
		if (digits(&s, 2, &h) == -1 || *s++ != ':' ||
		    digits(&s, 2, &mi) == -1)
			return -1;
		if (*s == ':') {
			s++;
			if (digits(&s, 2, &sec) == -1)
				return -1;
			if (*s == '.') {
				for (s++, scale = 100; isdigit((unsigned char)*s);
				    s++, scale /= 10)
					frac += (*s - '0') * scale;
				if (scale == 100)
					return -1;
			}
		}
		if (*s == 'Z' || *s == 'z')
			s++;
		else if (*s == '+' || *s == '-') {
			int sign = *s++ == '-' ? -1 : 1;

			if (digits(&s, 2, &oh) == -1 || *s++ != ':' ||
			    digits(&s, 2, &om) == -1 || oh > 23 || om > 59)
				return -1;
			off = sign * (int64_t)(oh * 3600 + om * 60);
		}
	}
	if (*s != '\0' || mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 ||
	    mi > 59 || sec > 60)
		return -1;
	tm.tm_year = y - 1900;
	tm.tm_mon = mo - 1;
	tm.tm_mday = d;
	tm.tm_hour = h;
	tm.tm_min = mi;
	tm.tm_sec = sec;
	if ((t = timegm(&tm)) == (time_t)-1 && y != 1969)
		return -1;
	*ms = ((int64_t)t - off) * 1000 + frac;
	return 0;
}

/* Local midnight, days ago, in ms since the epoch. */
static int
midnight(int64_t now, int days, int64_t *ms)
{
	struct tm	 tm;
	time_t		 t = (time_t)(now / 1000);

	if (localtime_r(&t, &tm) == NULL)
		return -1;
	tm.tm_hour = tm.tm_min = tm.tm_sec = 0;
	tm.tm_mday -= days;
	tm.tm_isdst = -1;
	if ((t = mktime(&tm)) == (time_t)-1)
		return -1;
	*ms = (int64_t)t * 1000;
	return 0;
}

/* A point in time as ms since the epoch; now (ms) resolves relative forms. */
int
rs_spec_time(const char *s, int64_t now, int64_t *ms)
{
	uint64_t	 v;

	if (strcmp(s, "now") == 0) {
		*ms = now;
		return 0;
	}
	if (strcmp(s, "today") == 0)
		return midnight(now, 0, ms);
	if (strcmp(s, "yesterday") == 0)
		return midnight(now, 1, ms);
	if (s[0] == '@') {
		if (rs_spec_count(s + 1, &v) == -1 || v > INT64_MAX / 1000)
			return -1;
		*ms = (int64_t)v * 1000;
		return 0;
	}
	if (s[0] == '-' && isdigit((unsigned char)s[1])) {
		if (duration(s + 1, 1, &v) == -1 || v > (uint64_t)INT64_MAX ||
		    (int64_t)v > now)
			return -1;
		*ms = now - (int64_t)v;
		return 0;
	}
	if (rs_spec_count(s, &v) == 0) {
		if (v > INT64_MAX)
			return -1;
		*ms = (int64_t)v;
		return 0;
	}
	return rfc3339(s, ms);
}

static int
mul(uint64_t *v, uint64_t m)
{
	if (m != 0 && *v > UINT64_MAX / m)
		return -1;
	*v *= m;
	return 0;
}

int
rs_spec_size(const char *s, uint64_t *v)
{
	static const struct {
		const char	*suffix;
		uint64_t	 mult;
	} units[] = {
		{ "", 1 }, { "b", 1 },
		{ "kb", 1000ULL }, { "mb", 1000000ULL },
		{ "gb", 1000000000ULL }, { "tb", 1000000000000ULL },
		{ "k", 1ULL << 10 }, { "m", 1ULL << 20 },
		{ "g", 1ULL << 30 }, { "t", 1ULL << 40 },
		{ "kib", 1ULL << 10 }, { "mib", 1ULL << 20 },
		{ "gib", 1ULL << 30 }, { "tib", 1ULL << 40 },
	};
	size_t	 i;

	if (number(&s, v) == -1)
		return -1;
	for (i = 0; i < sizeof units / sizeof units[0]; i++)
		if (strcasecmp(s, units[i].suffix) == 0)
			return mul(v, units[i].mult);
	return -1;
}

/* A duration in units of unit milliseconds (1000: seconds); "ms" only if unit is 1. */
static int
duration(const char *s, uint64_t unit, uint64_t *v)
{
	uint64_t	 n, m, total = 0;

	if (*s == '\0')
		return -1;
	while (*s != '\0') {
		if (number(&s, &n) == -1)
			return -1;
		switch (*s) {
		case '\0': m = 1000; break;
		case 's': m = 1000; s++; break;
		case 'm':
			if (s[1] == 's') {
				if (unit != 1)
					return -1;
				m = 1;
				s += 2;
			} else {
				m = 60000;
				s++;
			}
			break;
		case 'h': m = 3600000; s++; break;
		case 'd': m = 86400000; s++; break;
		case 'w': m = 604800000; s++; break;
		default: return -1;
		}
		if (mul(&n, m / unit) == -1 || total > UINT64_MAX - n)
			return -1;
		total += n;
	}
	*v = total;
	return 0;
}

int
rs_spec_duration(const char *s, uint64_t *v)
{
	return duration(s, 1000, v);
}

int
rs_spec_duration_ms(const char *s, uint64_t *v)
{
	return duration(s, 1, v);
}

/*
 * Decode the escapes of a delimiter into out (as long as s, at least); the
 * length in *len. -1 on a bad escape or an empty result.
 */
int
rs_spec_unescape(const char *s, char *out, size_t *len)
{
	static const char	 hex[] = "0123456789abcdef";
	const char		*h1, *h2;
	size_t			 n = 0;

	for (; *s != '\0'; s++) {
		if (*s != '\\') {
			out[n++] = *s;
			continue;
		}
		switch (*++s) {
		case 'n': out[n++] = '\n'; break;
		case 't': out[n++] = '\t'; break;
		case 'r': out[n++] = '\r'; break;
		case '0': out[n++] = '\0'; break;
		case '\\': out[n++] = '\\'; break;
		case 'x':
			if (s[1] == '\0' || s[2] == '\0' ||
			    (h1 = strchr(hex, tolower((unsigned char)s[1]))) == NULL ||
			    (h2 = strchr(hex, tolower((unsigned char)s[2]))) == NULL)
				return -1;
			out[n++] = (char)((h1 - hex) << 4 | (h2 - hex));
			s += 2;
			break;
		default:
			return -1;
		}
	}
	*len = n;
	return n == 0 ? -1 : 0;
}
