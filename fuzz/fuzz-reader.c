/*
 * fuzz-reader.c: the incremental framer and every frame decoder behind it.
 * The first input byte picks the feed size, so frames arrive split at many
 * different points; each whole frame is decoded as the connection would.
 */
#include "config.h"

#include <string.h>

#include "chunk.h"
#include "frame.h"
#include "fuzz.h"
#include "proto.h"
#include "reader.h"

void	rs_fuzz_frame(const uint8_t *, size_t);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct rs_reader	 r;
	const uint8_t		*frame;
	size_t			 step, off, n, len;
	int			 rc;

	if (size < 1)
		return 0;
	step = (size_t)data[0] + 1;
	data++;
	size--;
	rs_reader_init(&r, 1u << 20, 4u << 20);
	for (off = 0; off < size; off += n) {
		n = size - off < step ? size - off : step;
		if (rs_reader_feed(&r, data + off, n) == -1)
			break;
		while ((rc = rs_reader_next(&r, &frame, &len)) == 1)
			rs_fuzz_frame(frame, len);
		if (rc == -1)
			break;
	}
	rs_reader_free(&r);
	return 0;
}
