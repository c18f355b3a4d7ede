/*
 * fuzz-spec.c: the command-line value parsers: URI, offset, size,
 * duration, count. The input is one NUL-terminated string for each.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "fuzz.h"
#include "spec.h"
#include "uri.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct rs_uri		 u;
	struct rs_offset_spec	 o;
	uint64_t		 v;
	int64_t			 t;
	char			*s, err[160];

	if ((s = malloc(size + 1)) == NULL)
		return 0;
	memcpy(s, data, size);
	s[size] = '\0';
	rs_uri_parse(&u, s, err, sizeof err);
	rs_spec_offset(s, 1764072000000LL, &o);
	rs_spec_time(s, 1764072000000LL, &t);
	rs_spec_size(s, &v);
	rs_spec_duration(s, &v);
	rs_spec_count(s, &v);
	free(s);
	return 0;
}
