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

#include "spec.h"

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

int
rs_spec_offset(const char *s, struct rs_offset_spec *o)
{
	o->offset = 0;
	if (strcmp(s, "first") == 0 || strcmp(s, "beginning") == 0)
		o->kind = RS_SPEC_FIRST;
	else if (strcmp(s, "last") == 0)
		o->kind = RS_SPEC_LAST;
	else if (strcmp(s, "next") == 0 || strcmp(s, "end") == 0)
		o->kind = RS_SPEC_NEXT;
	else if (rs_spec_count(s, &o->offset) == 0)
		o->kind = RS_SPEC_ABSOLUTE;
	else
		return -1;
	return 0;
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
