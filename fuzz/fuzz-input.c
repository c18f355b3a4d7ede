/*
 * fuzz-input.c: record framing of rstream-cat's input. The first byte picks
 * the delimiter length (1-4) and the second the feed size; the delimiter
 * follows, then the input, fed in pieces with an end of file at the end.
 * Records must never exceed the limit and must account for every byte.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "fuzz.h"
#include "input.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct rs_input	 in;
	const uint8_t	*rec;
	uint8_t		*p;
	size_t		 dl, step, off = 0, n, avail, len;
	int		 r;

	if (size < 2)
		return 0;
	dl = (size_t)(data[0] % 4) + 1;
	step = (size_t)data[1] + 1;
	if (size < 2 + dl)
		return 0;
	if (rs_input_init(&in, data + 2, dl, 64) == -1)
		return 0;
	data += 2 + dl;
	size -= 2 + dl;
	for (;;) {
		while ((r = rs_input_next(&in, &rec, &len)) == 1)
			if (len > 64)
				abort();
		if (r == -1 || off == size)
			break;
		rs_input_space(&in, &p, &avail);
		n = size - off < step ? size - off : step;
		if (n > avail)
			n = avail;
		memcpy(p, data + off, n);
		rs_input_commit(&in, n);
		off += n;
		if (off == size)
			rs_input_end(&in);
	}
	if (r != -1 && off == size)
		while (rs_input_next(&in, &rec, &len) == 1)
			if (len > 64)
				abort();
	rs_input_free(&in);
	return 0;
}
