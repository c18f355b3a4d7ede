/*
 * chunk.c: walk an osiris chunk.
 *
 * Header (big-endian): magic/version u8 (0x50), type u8, entries u16,
 * records u32, timestamp i64, epoch u64, first offset u64, CRC-32 u32, data
 * length u32, trailer length u32, bloom size u8, 3 reserved bytes. The
 * server sends the header and the data only: trailer and bloom filter bytes
 * are never on the wire.
 *
 * Entries: a simple entry is 0|size31 then the record; a sub-entry batch is
 * 1|compression3|reserved4, records u16, uncompressed length u32, length u32,
 * then the body: u32-length-prefixed records, compressed as a whole with the
 * codec the type names (codec.c: 0 none, 1 gzip, 2 snappy, 3 lz4, 4 zstd;
 * 5..7 are unknown). A batch counts as one entry and as its records, whose
 * offsets follow on from the entry before, compressed or not.
 *
 * A compressed body is decompressed when the walk reaches it, whole, into
 * the caller's scratch buffer (the declared length, checked against the
 * caps in chunk.h first and exactly what the body must inflate to); the
 * walk then goes through its records as through an uncompressed batch's.
 */
#include "config.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "chunk.h"
#include "crc32.h"
#include "proto.h"
#include "wire.h"

static int __attribute__((format(printf, 2, 3)))
fail(struct rs_chunk *c, const char *fmt, ...)
{
	va_list	 ap;

	va_start(ap, fmt);
	vsnprintf(c->errstr, sizeof c->errstr, fmt, ap);
	va_end(ap);
	return -1;
}

/* A walk error: "chunk at offset N: " and the reason. */
static int __attribute__((format(printf, 2, 3)))
wfail(struct rs_chunk *c, const char *fmt, ...)
{
	va_list	 ap;
	int	 n;

	n = snprintf(c->errstr, sizeof c->errstr, "chunk at offset %llu: ",
	    (unsigned long long)c->first_offset);
	va_start(ap, fmt);
	vsnprintf(c->errstr + n, sizeof c->errstr - (size_t)n, fmt, ap);
	va_end(ap);
	return -1;
}

/*
 * Check a chunk of len bytes and get ready to walk it. 0 on success, -1 with
 * errstr set.
 */
int
rs_chunk_parse(struct rs_chunk *c, const uint8_t *p, size_t len, int check_crc)
{
	memset(c, 0, sizeof *c);
	if (len < RS_CHUNK_HEADER_SIZE)
		return fail(c, "chunk of %zu bytes is shorter than its "
		    "48-byte header", len);
	if ((p[0] & 0xf0) != 0x50)
		return fail(c, "chunk starts with 0x%02x, not magic 5", p[0]);
	c->type = p[1];
	c->nentries = rs_wire_r16(p + 2);
	c->nrecords = rs_wire_r32(p + 4);
	c->timestamp = (int64_t)rs_wire_r64(p + 8);
	c->epoch = rs_wire_r64(p + 16);
	c->first_offset = rs_wire_r64(p + 24);
	c->crc = rs_wire_r32(p + 32);
	c->data_len = rs_wire_r32(p + 36);
	c->trailer_len = rs_wire_r32(p + 40);
	c->data = p + RS_CHUNK_HEADER_SIZE;
	if (c->type > RS_CHUNK_TRACKING_SNAP)
		return fail(c, "unknown chunk type %d", c->type);
	if (c->data_len > len - RS_CHUNK_HEADER_SIZE)
		return fail(c, "chunk data length %u runs past the %zu bytes "
		    "received", c->data_len, len - RS_CHUNK_HEADER_SIZE);
	if (c->nrecords > 0 && c->first_offset > UINT64_MAX - (c->nrecords - 1))
		return fail(c, "chunk at offset %llu: its %u records run past "
		    "the largest offset", (unsigned long long)c->first_offset,
		    c->nrecords);
	if (c->nentries > c->nrecords)
		return fail(c, "chunk has %u entries but only %u records",
		    c->nentries, c->nrecords);
	if (check_crc && rs_crc32(0, c->data, c->data_len) != c->crc)
		return fail(c, "chunk at offset %llu fails its CRC-32 check",
		    (unsigned long long)c->first_offset);
	return 0;
}

/* Lend a scratch buffer for the compressed batches of a chunk just parsed. */
void
rs_chunk_scratch(struct rs_chunk *c, struct rs_chunk_scratch *s)
{
	c->scratch = s;
}

void
rs_chunk_scratch_free(struct rs_chunk_scratch *s)
{
	free(s->buf);
	rs_codec_ctx_free(s->codec);
	memset(s, 0, sizeof *s);
}

/* Room for n bytes (n <= RS_CHUNK_BATCH_MAX) in the scratch; 0, or -1 if out of memory. */
static int
scratch_room(struct rs_chunk_scratch *s, size_t n)
{
	size_t	 cap;

	if (s->codec == NULL && (s->codec = rs_codec_ctx_new()) == NULL)
		return -1;
	if (n <= s->cap && !(s->cap > (4u << 20) && n <= s->cap / 16))
		return 0;
	/* Grow by doubling; give back a large buffer once batches are small. */
	for (cap = 64u << 10; cap < n; cap *= 2)
		;
	if (cap > RS_CHUNK_BATCH_MAX)
		cap = RS_CHUNK_BATCH_MAX;
	free(s->buf);
	s->cap = 0;
	if ((s->buf = malloc(cap)) == NULL)
		return -1;
	s->cap = cap;
	return 0;
}

/*
 * The header of the sub-entry batch at c->pos (left >= 11 bytes in the
 * data): check it, decompress its body if it has to be, and point the walk
 * at its records. 0, or -1 with errstr.
 */
static int
batch_start(struct rs_chunk *c, size_t left)
{
	const uint8_t	*d = c->data + c->pos;
	uint32_t	 nrec, ulen, size;
	int		 type = d[0] >> 4 & 0x07;
	char		 why[160];

	nrec = rs_wire_r16(d + 1);
	ulen = rs_wire_r32(d + 3);
	size = rs_wire_r32(d + 7);
	if (size > left - 11)
		return wfail(c, "sub-entry batch of %u bytes runs past the "
		    "chunk data (%zu left)", size, left - 11);
	if (nrec == 0 && ulen != 0)
		return wfail(c, "empty sub-entry batch has %u bytes", ulen);
	if ((uint64_t)nrec * 4 > ulen)
		return wfail(c, "sub-entry batch of %u records claims only %u "
		    "bytes", nrec, ulen);
	if (type == RS_CODEC_NONE) {
		if (ulen != size)
			return wfail(c, "uncompressed sub-entry batch of %u bytes "
			    "claims %u uncompressed", size, ulen);
		c->batch = d + 11;
		goto walk;
	}
#define BATCH_FAIL(...) do {						\
	snprintf(why, sizeof why, __VA_ARGS__);				\
	return wfail(c, "sub-entry batch at offset %llu (%u records, %s): "	\
	    "%s", (unsigned long long)(c->first_offset + c->records_seen),	\
	    nrec, rs_codec_name(type), why);				\
} while (0)
	if (type > RS_CODEC_MAX)
		BATCH_FAIL("unknown compression type %d", type);
	if (ulen > RS_CHUNK_BATCH_MAX)
		BATCH_FAIL("it claims %u bytes uncompressed, more than the "
		    "64 MiB cap", ulen);
	if ((c->inflated += ulen) > RS_CHUNK_INFLATE_MAX)
		BATCH_FAIL("the chunk's compressed batches claim more than "
		    "1 GiB uncompressed in all");
	if (c->scratch == NULL)
		BATCH_FAIL("compressed batches need a scratch buffer");
	if (scratch_room(c->scratch, ulen) == -1)
		BATCH_FAIL("out of memory for %u bytes", ulen);
	if (rs_codec_decompress(c->scratch->codec, (enum rs_codec)type,
	    d + 11, size, c->scratch->buf, ulen, why, sizeof why) == -1)
		return wfail(c, "sub-entry batch at offset %llu (%u records): "
		    "%s", (unsigned long long)(c->first_offset + c->records_seen),
		    nrec, why);
#undef BATCH_FAIL
	c->batch = c->scratch->buf;
walk:
	c->pos += 11 + (size_t)size;
	c->batch_left = nrec;
	c->batch_pos = 0;
	c->batch_len = ulen;
	return 0;
}

/*
 * The next record: 1 with *rec, *len and its *offset; 0 at the end; -1 with
 * errstr when the entries do not add up to the header's counts or a batch
 * cannot be read.
 */
int
rs_chunk_next(struct rs_chunk *c, const uint8_t **rec, size_t *len,
    uint64_t *offset)
{
	const uint8_t	*d = c->data;
	uint32_t	 n;
	size_t		 left;

	while (c->batch_left == 0) {
		left = c->data_len - c->pos;
		if (left == 0 || c->entries_seen == c->nentries) {
			if (left != 0 || c->entries_seen != c->nentries ||
			    c->records_seen != c->nrecords)
				return wfail(c, "entries, records and data length "
				    "disagree with its header");
			return 0;
		}
		if (left < 4)
			return wfail(c, "truncated entry header at byte %zu", c->pos);
		c->entries_seen++;
		if ((d[c->pos] & 0x80) == 0) {
			n = rs_wire_r32(d + c->pos);
			if (n > left - 4)
				return wfail(c, "entry of %u bytes runs past the "
				    "chunk data (%zu left)", n, left - 4);
			*rec = d + c->pos + 4;
			*len = n;
			c->pos += 4 + (size_t)n;
			goto record;
		}
		if (left < 11)
			return wfail(c, "truncated sub-entry header at byte %zu",
			    c->pos);
		if (batch_start(c, left) == -1)
			return -1;
	}
	left = c->batch_len - c->batch_pos;
	if (left < 4 || (n = rs_wire_r32(c->batch + c->batch_pos)) > left - 4)
		return wfail(c, "sub-entry record runs past its batch at byte %zu "
		    "of the batch", c->batch_pos);
	*rec = c->batch + c->batch_pos + 4;
	*len = n;
	c->batch_pos += 4 + (size_t)n;
	c->batch_left--;
	if (c->batch_left == 0 && c->batch_pos != c->batch_len)
		return wfail(c, "sub-entry batch has %zu stray bytes",
		    c->batch_len - c->batch_pos);
record:
	if (c->records_seen == c->nrecords)
		return wfail(c, "chunk holds more records than the %u its header "
		    "says", c->nrecords);
	*offset = c->first_offset + c->records_seen;
	c->records_seen++;
	return 1;
}
