/*
 * fuzz-chunk.c: an osiris chunk (a Deliver's payload) through
 * rs_chunk_parse() with and without the CRC check, and a full walk (with a
 * scratch buffer, so compressed sub-entry batches are decompressed); and
 * rs_crc32() of the whole input against zlib's, from the start and from
 * every offset below 16 (its folding path against the reference).
 */
#include "config.h"

#include <stdlib.h>
#include <zlib.h>

#include "chunk.h"
#include "crc32.h"
#include "fuzz.h"

static struct rs_chunk_scratch	 scratch;

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct rs_chunk	 ch;
	const uint8_t	*rec;
	size_t		 len;
	uint64_t	 off;
	size_t		 i;
	int		 crc;

	for (i = 0; i < 16 && i <= size; i++)
		if (rs_crc32((uint32_t)i, data + i, size - i) !=
		    (uint32_t)crc32_z(i, data + i, size - i))
			abort();
	for (crc = 0; crc <= 1; crc++) {
		if (rs_chunk_parse(&ch, data, size, crc) == -1)
			continue;
		rs_chunk_scratch(&ch, &scratch);
		while (rs_chunk_next(&ch, &rec, &len, &off) == 1)
			;
	}
	return 0;
}
