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

int
rs_spec_duration(const char *s, uint64_t *v)
{
	uint64_t	 n, m, total = 0;

	if (*s == '\0')
		return -1;
	while (*s != '\0') {
		if (number(&s, &n) == -1)
			return -1;
		switch (*s) {
		case '\0': m = 1; break;
		case 's': m = 1; s++; break;
		case 'm': m = 60; s++; break;
		case 'h': m = 3600; s++; break;
		case 'd': m = 86400; s++; break;
		case 'w': m = 604800; s++; break;
		default: return -1;
		}
		if (mul(&n, m) == -1 || total > UINT64_MAX - n)
			return -1;
		total += n;
	}
	*v = total;
	return 0;
}
