/*
 * chunk.h: the osiris chunk a Deliver frame carries (PROTOCOL.adoc
 * "Deliver"; osiris_log.erl). Pure: no I/O.
 *
 * rs_chunk_parse() checks the 48-byte header against the bytes present and,
 * if asked, the CRC-32 of the data; rs_chunk_next() then walks the records:
 * simple entries and sub-entry batches, compressed or not, each record with
 * its offset. Record slices of simple entries and uncompressed batches point
 * into the chunk and live as long as it does.
 *
 * A compressed batch is decompressed whole into a scratch buffer that the
 * caller owns and lends with rs_chunk_scratch(): its records point into
 * that buffer and live until the next rs_chunk_next() on any chunk walked
 * with the same scratch. Without a scratch, compressed batches are an
 * error. Memory: a batch may declare at most RS_CHUNK_BATCH_MAX (64 MiB)
 * uncompressed, the cap of the Java client and of RabbitMQ 4.3.5+, and the
 * buffer holds one batch at a time, so whatever a hostile broker sends,
 * decompression adds to the chunk itself at most 64 MiB plus the libraries'
 * own buffers: under 1 MiB, but 4 MiB more for LZ4 frames of 4 MiB blocks
 * (measured: a 4 GiB zstd bomb declared as 64 MiB, +65 MiB peak RSS in
 * rstream-tail; LZ4 of 4 MiB blocks overflowing 64 MiB, +68 MiB). The
 * compressed batches of one chunk may declare at most RS_CHUNK_INFLATE_MAX
 * (1 GiB, the Java client's default) in all, which bounds the work a chunk
 * can ask for.
 */
#ifndef RS_CHUNK_H
#define RS_CHUNK_H

#include <stddef.h>
#include <stdint.h>

#include "codec.h"

#define RS_CHUNK_BATCH_MAX	(64u << 20)	/* uncompressed bytes of one batch */
#define RS_CHUNK_INFLATE_MAX	(1024u << 20)	/* of one chunk's compressed batches */

/* Where compressed batches are decompressed: zero it, lend it, free it. */
struct rs_chunk_scratch {
	uint8_t			*buf;
	size_t			 cap;
	struct rs_codec_ctx	*codec;		/* made on first use */
};

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
	struct rs_chunk_scratch *scratch;	/* for compressed batches */

	/* Walk state. */
	size_t		 pos;		/* in data */
	uint32_t	 entries_seen;
	uint32_t	 records_seen;
	uint32_t	 batch_left;	/* records left in the current sub-entry batch */
	const uint8_t	*batch;		/* its records: in data, or in the scratch */
	size_t		 batch_pos;
	size_t		 batch_len;
	uint64_t	 inflated;	/* uncompressed bytes declared so far */
	char		 errstr[256];
};

int	rs_chunk_parse(struct rs_chunk *, const uint8_t *, size_t, int);
void	rs_chunk_scratch(struct rs_chunk *, struct rs_chunk_scratch *);
int	rs_chunk_next(struct rs_chunk *, const uint8_t **, size_t *, uint64_t *);
void	rs_chunk_scratch_free(struct rs_chunk_scratch *);

#endif
