/*
 * fuzz-chunk.c: an osiris chunk (a Deliver's payload) through
 * rs_chunk_parse() with and without the CRC check, and a full walk.
 */
#include "config.h"

#include "chunk.h"
#include "fuzz.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct rs_chunk	 ch;
	const uint8_t	*rec;
	size_t		 len;
	uint64_t	 off;
	int		 crc;

	for (crc = 0; crc <= 1; crc++) {
		if (rs_chunk_parse(&ch, data, size, crc) == -1)
			continue;
		while (rs_chunk_next(&ch, &rec, &len, &off) == 1)
			;
	}
	return 0;
}
