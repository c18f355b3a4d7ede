/*
 * chunk.h: the osiris chunk a Deliver frame carries (PROTOCOL.adoc
 * "Deliver"; osiris_log.erl). Pure: no I/O.
 *
 * rs_chunk_parse() checks the 48-byte header against the bytes present and,
 * if asked, the CRC-32 of the data; rs_chunk_next() then walks the records:
 * simple entries and uncompressed sub-entry batches. Record slices point into
 * the chunk and live as long as it does.
 */
#ifndef RS_CHUNK_H
#define RS_CHUNK_H

#include <stddef.h>
#include <stdint.h>

struct rs_chunk {
	uint8_t		 type;
	uint16_t	 nentries;
	uint32_t	 nrecords;
	int64_t		 timestamp;	/* ms since the epoch, set by the leader */
	uint64_t	 epoch;
	uint64_t	 first_offset;
	uint32_t	 crc;
	uint32_t	 data_len;
	uint32_t	 trailer_len;
	const uint8_t	*data;

	/* Walk state. */
	size_t		 pos;		/* in data */
	uint32_t	 entries_seen;
	uint32_t	 records_seen;
	uint32_t	 batch_left;	/* records left in the current sub-entry batch */
	size_t		 batch_end;
	char		 errstr[128];
};

int	rs_chunk_parse(struct rs_chunk *, const uint8_t *, size_t, int);
int	rs_chunk_next(struct rs_chunk *, const uint8_t **, size_t *, uint64_t *);

#endif
