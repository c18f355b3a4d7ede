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
 * then (uncompressed) u32-length-prefixed records. A batch counts as one
 * entry and as its records.
 */
#include "config.h"

#include <stdarg.h>
#include <stdio.h>
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

/*
 * The next record: 1 with *rec, *len and its *offset; 0 at the end; -1 with
 * errstr when the entries do not add up to the header's counts.
 */
int
rs_chunk_next(struct rs_chunk *c, const uint8_t **rec, size_t *len,
    uint64_t *offset)
{
	const uint8_t	*d = c->data;
	uint32_t	 n, nrec, size, ulen;
	size_t		 left;

	while (c->batch_left == 0) {
		left = c->data_len - c->pos;
		if (left == 0 || c->entries_seen == c->nentries) {
			if (left != 0 || c->entries_seen != c->nentries ||
			    c->records_seen != c->nrecords)
				return fail(c, "chunk at offset %llu: entries, records "
				    "and data length disagree with its header",
				    (unsigned long long)c->first_offset);
			return 0;
		}
		if (left < 4)
			return fail(c, "truncated entry header at byte %zu", c->pos);
		c->entries_seen++;
		if ((d[c->pos] & 0x80) == 0) {
			n = rs_wire_r32(d + c->pos);
			if (n > left - 4)
				return fail(c, "entry of %u bytes runs past the "
				    "chunk data (%zu left)", n, left - 4);
			*rec = d + c->pos + 4;
			*len = n;
			c->pos += 4 + (size_t)n;
			goto record;
		}
		if (left < 11)
			return fail(c, "truncated sub-entry header at byte %zu",
			    c->pos);
		if ((d[c->pos] >> 4 & 0x07) != 0)
			return fail(c, "compressed sub-entry batches "
			    "(compression type %d) are not supported yet",
			    d[c->pos] >> 4 & 0x07);
		nrec = rs_wire_r16(d + c->pos + 1);
		ulen = rs_wire_r32(d + c->pos + 3);
		size = rs_wire_r32(d + c->pos + 7);
		if (size > left - 11)
			return fail(c, "sub-entry batch of %u bytes runs past the "
			    "chunk data (%zu left)", size, left - 11);
		if (ulen != size)
			return fail(c, "uncompressed sub-entry batch of %u bytes "
			    "claims %u uncompressed", size, ulen);
		if (nrec == 0 && size != 0)
			return fail(c, "empty sub-entry batch has %u bytes", size);
		c->pos += 11;
		c->batch_end = c->pos + size;
		c->batch_left = nrec;
	}
	left = c->batch_end - c->pos;
	if (left < 4 || (n = rs_wire_r32(d + c->pos)) > left - 4)
		return fail(c, "sub-entry record runs past its batch at byte %zu",
		    c->pos);
	*rec = d + c->pos + 4;
	*len = n;
	c->pos += 4 + (size_t)n;
	c->batch_left--;
	if (c->batch_left == 0 && c->pos != c->batch_end)
		return fail(c, "sub-entry batch has %zu stray bytes",
		    c->batch_end - c->pos);
record:
	if (c->records_seen == c->nrecords)
		return fail(c, "chunk holds more records than the %u its header "
		    "says", c->nrecords);
	*offset = c->first_offset + c->records_seen;
	c->records_seen++;
	return 1;
}
