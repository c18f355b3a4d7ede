/*
 * test-chunk.c: the osiris chunk walker (src/chunk.c). Chunks are built by
 * hand: the 48-byte header (0x50, type, entries, records, timestamp, epoch,
 * first offset, zlib CRC-32 of the data, data length, trailer length, bloom
 * size, 3 reserved bytes) and data made of simple entries, uncompressed
 * sub-entry batches, or both. Records and their offsets must come out in
 * order; a CRC mismatch is caught when checking and ignored when not. Every
 * malformed chunk (bad magic, unknown type, data length past the input,
 * entries running past the data, record or entry counts that disagree in
 * either direction, compressed or inconsistent batches, stray bytes, and
 * every truncation) must give -1 with a message, from buffers allocated to
 * the exact size so that ASan sees any over-read. Chunks of compressed
 * batches, ours and those Debian's python3 modules write
 * (fuzz/corpus/chunk/subentry-*), walk like plain ones; broken batches,
 * unknown types and the caps are errors naming the chunk and the batch.
 */
#include "config.h"

#include <dirent.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#include "chunk.h"
#include "codec.h"
#include "tap.h"

#define TIMESTAMP	1700000000000ULL	/* 0x0000018bcfe56800 */
#define EPOCH		1
#define TRAILER		19
#define MAXREC		16

static struct rs_chunk_scratch	 scratch;	/* for compressed batches */

static void
be16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

static void
be32(uint8_t *p, uint32_t v)
{
	be16(p, (uint16_t)(v >> 16));
	be16(p + 2, (uint16_t)v);
}

static void
be64(uint8_t *p, uint64_t v)
{
	be32(p, (uint32_t)(v >> 32));
	be32(p + 4, (uint32_t)v);
}

/*
 * A chunk in a buffer of exactly its size: header, then dlen bytes of data
 * whose length field says dlen + extra. Free it.
 */
static uint8_t *
chunk(uint8_t type, uint16_t nentries, uint32_t nrecords, uint64_t first,
    const uint8_t *data, size_t dlen, int extra, size_t *len)
{
	uint8_t	*p;

	*len = 48 + dlen;
	if ((p = calloc(1, *len)) == NULL)
		abort();
	p[0] = 0x50;
	p[1] = type;
	be16(p + 2, nentries);
	be32(p + 4, nrecords);
	be64(p + 8, TIMESTAMP);
	be64(p + 16, EPOCH);
	be64(p + 24, first);
	be32(p + 32, (uint32_t)crc32(0L, data, (uInt)dlen));
	be32(p + 36, (uint32_t)((int)dlen + extra));
	be32(p + 40, TRAILER);
	/* Bloom size 0, three reserved bytes: calloc's zeroes. */
	if (dlen > 0)
		memcpy(p + 48, data, dlen);
	return p;
}

/* Walk every record; the count, or -1 at an error. At most max records kept. */
static int
walk(struct rs_chunk *c, const uint8_t **rec, size_t *len, uint64_t *off,
    int max)
{
	const uint8_t	*r;
	size_t		 n;
	uint64_t	 o;
	int		 i = 0, rc;

	while ((rc = rs_chunk_next(c, &r, &n, &o)) == 1) {
		if (i < max) {
			rec[i] = r;
			len[i] = n;
			off[i] = o;
		}
		if (++i > 1000)
			return -2;	/* cannot happen with these chunks */
	}
	return rc == 0 ? i : -1;
}

/* Two simple entries: "a", "bc". */
static const uint8_t	 simple[] = {
	0x00, 0x00, 0x00, 0x01, 'a',
	0x00, 0x00, 0x00, 0x02, 'b', 'c',
};

/* One uncompressed sub-entry batch of "x", "yz". */
static const uint8_t	 batch[] = {
	0x80, 0x00, 0x02, 0x00, 0x00, 0x00, 0x0b, 0x00, 0x00, 0x00, 0x0b,
	0x00, 0x00, 0x00, 0x01, 'x',
	0x00, 0x00, 0x00, 0x02, 'y', 'z',
};

/* "a", the batch "x" "yz", and an empty record: 3 entries, 4 records. */
static const uint8_t	 mixed[] = {
	0x00, 0x00, 0x00, 0x01, 'a',
	0x80, 0x00, 0x02, 0x00, 0x00, 0x00, 0x0b, 0x00, 0x00, 0x00, 0x0b,
	0x00, 0x00, 0x00, 0x01, 'x',
	0x00, 0x00, 0x00, 0x02, 'y', 'z',
	0x00, 0x00, 0x00, 0x00,
};

static void
test_header(void)
{
	struct rs_chunk	 c;
	uint8_t		*p;
	size_t		 len;

	is_uint(crc32(0L, (const Bytef *)"123456789", 9), 0xcbf43926,
	    "zlib's crc32 is the standard CRC-32");
	p = chunk(0, 2, 2, 100, simple, sizeof simple, 0, &len);
	is_int(rs_chunk_parse(&c, p, len, 1), 0,
	    "a chunk of two simple entries parses");
	is_uint(c.type, 0, "type 0 (user)");
	is_uint(c.nentries, 2, "2 entries");
	is_uint(c.nrecords, 2, "2 records");
	is_int(c.timestamp, (long long)TIMESTAMP, "timestamp");
	is_uint(c.epoch, EPOCH, "epoch");
	is_uint(c.first_offset, 100, "first offset 100");
	is_uint(c.crc, crc32(0L, simple, sizeof simple), "CRC-32 of the data");
	is_uint(c.data_len, sizeof simple, "data length 11");
	is_uint(c.trailer_len, TRAILER,
	    "trailer length 19 (no trailer bytes sent)");
	ok(c.data == p + 48, "data right after the header");
	free(p);
}

/* Parse and walk a chunk; compare with want[] records from first. */
static void
check_records(const char *what, const uint8_t *data, size_t dlen,
    uint16_t nentries, uint32_t nrecords, const char *const *want, int nwant)
{
	struct rs_chunk	 c;
	const uint8_t	*rec[MAXREC];
	size_t		 rlen[MAXREC], len;
	uint64_t	 off[MAXREC];
	uint8_t		*p;
	int		 i, n, good = 1;

	p = chunk(0, nentries, nrecords, 1000, data, dlen, 0, &len);
	is_int(rs_chunk_parse(&c, p, len, 1), 0, "%s: parses", what);
	n = walk(&c, rec, rlen, off, MAXREC);
	is_int(n, nwant, "%s: %d records", what, nwant);
	for (i = 0; i < n && i < nwant; i++) {
		if (rlen[i] != strlen(want[i]) ||
		    memcmp(rec[i], want[i], rlen[i]) != 0 ||
		    off[i] != 1000 + (uint64_t)i) {
			diag("record %d: \"%.*s\" at %llu", i, (int)rlen[i],
			    (const char *)rec[i], (unsigned long long)off[i]);
			good = 0;
		}
	}
	ok(good, "%s: records and offsets 1000.. in order", what);
	is_int(rs_chunk_next(&c, &rec[0], &rlen[0], &off[0]), 0,
	    "%s: the walk stays at its end", what);
	free(p);
}

static void
test_records(void)
{
	static const char *const	 s[] = { "a", "bc" };
	static const char *const	 b[] = { "x", "yz" };
	static const char *const	 m[] = { "a", "x", "yz", "" };
	struct rs_chunk	 c;
	const uint8_t	*rec;
	uint8_t		*p, *q;
	size_t		 len, n;
	uint64_t	 off;

	check_records("simple entries", simple, sizeof simple, 2, 2, s, 2);
	check_records("one sub-entry batch", batch, sizeof batch, 1, 2, b, 2);
	check_records("mixed", mixed, sizeof mixed, 3, 4, m, 4);
	check_records("empty chunk", NULL, 0, 0, 0, NULL, 0);

	/* Bytes after the data (a trailer, were one sent) are not walked. */
	p = chunk(0, 2, 2, 0, simple, sizeof simple, 0, &len);
	if ((q = malloc(len + 5)) == NULL)
		abort();
	memcpy(q, p, len);
	memset(q + len, 0xff, 5);
	is_int(rs_chunk_parse(&c, q, len + 5, 1), 0,
	    "a chunk followed by 5 more bytes parses");
	rs_chunk_next(&c, &rec, &n, &off);
	rs_chunk_next(&c, &rec, &n, &off);
	is_int(rs_chunk_next(&c, &rec, &n, &off), 0,
	    "and its walk ends at the data length");
	free(q);
	free(p);
}

static void
test_crc(void)
{
	struct rs_chunk	 c;
	const uint8_t	*rec[MAXREC];
	size_t		 rlen[MAXREC], len;
	uint64_t	 off[MAXREC];
	uint8_t		*p;

	p = chunk(0, 3, 4, 0, mixed, sizeof mixed, 0, &len);
	p[48 + 4] = 'A';	/* "a" becomes "A"; the CRC is of "a" */
	is_int(rs_chunk_parse(&c, p, len, 1), -1,
	    "a corrupted record fails the CRC");
	ok(c.errstr[0] != '\0', "with a message: %s", c.errstr);
	is_int(rs_chunk_parse(&c, p, len, 0), 0, "and parses without the check");
	is_int(walk(&c, rec, rlen, off, MAXREC), 4, "then walks all 4 records");
	ok(rlen[0] == 1 && rec[0][0] == 'A', "the first being \"A\"");
	p[48 + 4] = 'a';
	p[35] ^= 0x01;		/* now the CRC field itself is wrong */
	is_int(rs_chunk_parse(&c, p, len, 1), -1, "a wrong CRC field fails");
	is_int(rs_chunk_parse(&c, p, len, 0), 0, "unless not checked");
	free(p);

	/*
	 * Data long enough for the folding CRC (crc32.c): one record of 1003
	 * bytes after its 4-byte size, 1007 bytes in all (62 blocks of 16 and
	 * a tail of 15). A flipped bit anywhere must fail.
	 */
	{
		uint8_t		 big[1007];
		size_t		 at[] = { 0, 4, 500, 991, 992, 1006 }, i;
		int		 caught = 0;

		be32(big, 1003);
		for (i = 4; i < sizeof big; i++)
			big[i] = (uint8_t)(i * 31);
		p = chunk(0, 1, 1, 0, big, sizeof big, 0, &len);
		is_int(rs_chunk_parse(&c, p, len, 1), 0,
		    "1007 bytes of data with a right CRC pass");
		for (i = 0; i < sizeof at / sizeof at[0]; i++) {
			p[48 + at[i]] ^= 0x10;
			caught += rs_chunk_parse(&c, p, len, 1) == -1;
			p[48 + at[i]] ^= 0x10;
		}
		is_int(caught, 6, "a bit flipped in a block, at a block's "
		    "edge or in the tail fails the CRC (6 places)");
		free(p);
	}
}

/* A chunk that must fail, in parse or in the walk, with a message. */
static void
bad(const char *what, uint8_t type, uint16_t nentries, uint32_t nrecords,
    const uint8_t *data, size_t dlen, int extra, const char *errpart)
{
	struct rs_chunk	 c;
	const uint8_t	*rec[MAXREC];
	size_t		 rlen[MAXREC], len;
	uint64_t	 off[MAXREC];
	uint8_t		*p;
	int		 rc;

	p = chunk(type, nentries, nrecords, 0, data, dlen, extra, &len);
	rc = rs_chunk_parse(&c, p, len, 1);
	rs_chunk_scratch(&c, &scratch);
	if (rc == 0)
		rc = walk(&c, rec, rlen, off, MAXREC);
	is_int(rc, -1, "%s: -1", what);
	ok(c.errstr[0] != '\0', "%s: message \"%s\"", what, c.errstr);
	if (errpart != NULL)
		ok(strstr(c.errstr, errpart) != NULL, "%s: message says \"%s\"",
		    what, errpart);
	free(p);
}

static void
test_malformed(void)
{
	static const uint8_t	 past[] = {
		0x00, 0x00, 0x00, 0x05, 'a', 'b',
	};
	static const uint8_t	 huge_entry[] = {
		0x7f, 0xff, 0xff, 0xff, 'a', 'b',
	};
	static const uint8_t	 short_hdr[] = { 0x00, 0x00, 0x00 };
	static const uint8_t	 short_sub[] = { 0x80, 0x00, 0x01, 0x00, 0x00 };
	struct rs_chunk		 c;
	uint8_t			 b[sizeof batch + 2], *p;
	size_t			 len;

	p = chunk(0, 2, 2, 0, simple, sizeof simple, 0, &len);
	p[0] = 0x40;
	is_int(rs_chunk_parse(&c, p, len, 0), -1, "bad magic 0x40: -1");
	ok(c.errstr[0] != '\0', "bad magic 0x40: message \"%s\"", c.errstr);
	free(p);
	bad("unknown chunk type 3", 3, 2, 2, simple, sizeof simple, 0, NULL);
	bad("data length one past the input", 0, 2, 2, simple, sizeof simple,
	    1, NULL);
	bad("data length 0x7fffffff past the input", 0, 2, 2, simple,
	    sizeof simple, 0x7fffffff - (int)sizeof simple, NULL);
	bad("entry of 5 bytes with 2 left", 0, 1, 1, past, sizeof past, 0, NULL);
	bad("entry of 0x7fffffff bytes", 0, 1, 1, huge_entry,
	    sizeof huge_entry, 0, NULL);
	bad("truncated entry header", 0, 1, 1, short_hdr, sizeof short_hdr, 0,
	    NULL);
	bad("truncated sub-entry header", 0, 1, 1, short_sub,
	    sizeof short_sub, 0, NULL);
	bad("header says 3 records, data has 2", 0, 2, 3, simple,
	    sizeof simple, 0, NULL);
	bad("header says 1 record, batch has 2", 0, 1, 1, batch, sizeof batch,
	    0, NULL);
	bad("header says 1 entry, data has 2", 0, 1, 2, simple, sizeof simple,
	    0, NULL);
	bad("header says 2 entries, data has 1 batch", 0, 2, 2, batch,
	    sizeof batch, 0, NULL);
	bad("more entries than records", 0, 3, 2, simple, sizeof simple, 0,
	    NULL);

	/* Uncompressed bytes under a codec's type: not that codec's body. */
	memcpy(b, batch, sizeof batch);
	b[0] = 0x90;
	bad("gzip batch (0x90) of plain records", 0, 1, 2, b, sizeof batch, 0,
	    "gzip header");
	b[0] = 0xa0;
	bad("snappy batch (0xa0) of plain records", 0, 1, 2, b, sizeof batch,
	    0, "snappy");
	b[0] = 0xb0;
	bad("lz4 batch (0xb0) of plain records", 0, 1, 2, b, sizeof batch, 0,
	    "lz4");
	b[0] = 0xc0;
	bad("zstd batch (0xc0) of plain records", 0, 1, 2, b, sizeof batch, 0,
	    "zstd");
	b[0] = 0xd0;
	bad("type 5 batch (0xd0)", 0, 1, 2, b, sizeof batch, 0,
	    "unknown compression type 5");

	/* Two stray bytes after the batch's two records. */
	memcpy(b, batch, sizeof batch);
	b[6] = b[10] = 0x0d;
	b[sizeof batch] = b[sizeof batch + 1] = 'q';
	bad("sub-entry batch with 2 stray bytes", 0, 1, 2, b, sizeof b, 0,
	    "stray");
	/* Uncompressed length different from the length. */
	memcpy(b, batch, sizeof batch);
	b[6] = 0x0c;
	bad("batch whose uncompressed length differs", 0, 1, 2, b,
	    sizeof batch, 0, NULL);
	/* Batch length past the data. */
	memcpy(b, batch, sizeof batch);
	b[6] = b[10] = 0x0c;
	bad("batch length past the data", 0, 1, 2, b, sizeof batch, 0, NULL);
	memcpy(b, batch, sizeof batch);
	b[3] = b[4] = b[5] = b[6] = b[7] = b[8] = b[9] = b[10] = 0xff;
	bad("batch length 0xffffffff", 0, 1, 2, b, sizeof batch, 0, NULL);
	/* A record claims more than its batch holds. */
	memcpy(b, batch, sizeof batch);
	b[19] = 0x03;
	bad("sub-entry record past its batch", 0, 1, 2, b, sizeof batch, 0,
	    NULL);
	/* A batch of no records that has bytes. */
	memcpy(b, batch, sizeof batch);
	b[2] = 0x00;
	bad("empty batch with bytes", 0, 1, 1, b, sizeof batch, 0, NULL);
	/* A batch of 3 records holding 2. */
	memcpy(b, batch, sizeof batch);
	b[2] = 0x03;
	bad("batch of 3 records holding 2", 0, 1, 3, b, sizeof batch, 0, NULL);
}

/*
 * A sub-entry batch entry of records rec[0..n) compressed with codec c,
 * appended at out (room enough); its length. ulen_delta is added to the
 * declared uncompressed length; nrec_delta to the declared record count.
 */
static size_t
zbatch(enum rs_codec c, const char *const *rec, int n, uint8_t *out,
    int ulen_delta, int nrec_delta)
{
	static struct rs_codec_ctx	*x;
	uint8_t		 plain[70000];
	size_t		 pos = 0, zlen, k;
	char		 err[160];
	int		 i;

	if (x == NULL && (x = rs_codec_ctx_new()) == NULL)
		abort();
	for (i = 0; i < n; i++) {
		k = strlen(rec[i]);
		be32(plain + pos, (uint32_t)k);
		memcpy(plain + pos + 4, rec[i], k);
		pos += 4 + k;
	}
	if (rs_codec_compress(x, c, plain, pos, out + 11,
	    rs_codec_bound(c, pos), &zlen, err, sizeof err) == -1)
		abort();
	out[0] = (uint8_t)(0x80 | c << 4);
	be16(out + 1, (uint16_t)(n + nrec_delta));
	be32(out + 3, (uint32_t)((int)pos + ulen_delta));
	be32(out + 7, (uint32_t)zlen);
	return 11 + zlen;
}

static const char *const	 xyz[] = { "x", "yz", "" };
static const char *const	 lines[] = {
	"<38>Nov 16 04:01:34 web01 sshd[1234]: session opened for user u007",
	"<38>Nov 16 04:01:35 web01 sshd[1234]: session opened for user u008",
	"<38>Nov 16 04:01:35 web02 nginx[88]: GET /index.html 200",
	"<38>Nov 16 04:01:36 db1 CRON[4242]: (root) CMD (run-parts)",
};

/* Chunks of compressed batches, every codec: records and offsets as for plain ones. */
static void
test_compressed(void)
{
	static const char *const	 want[] = { "a", "x", "yz", "", "<38>",
	    "b" };
	struct rs_chunk	 c;
	const uint8_t	*rec[MAXREC];
	size_t		 rlen[MAXREC], len, dl;
	uint64_t	 off[MAXREC];
	uint8_t		 d[2000], *p;
	int		 codec, n, i, good;

	for (codec = 1; codec <= RS_CODEC_MAX; codec++) {
		if (!rs_codec_available((enum rs_codec)codec))
			continue;
		/* "a", batch "x" "yz" "", batch of 4 lines, "b": 4 entries, 9 records. */
		dl = 0;
		be32(d, 1);
		d[4] = 'a';
		dl = 5;
		dl += zbatch((enum rs_codec)codec, xyz, 3, d + dl, 0, 0);
		dl += zbatch((enum rs_codec)codec, lines, 4, d + dl, 0, 0);
		be32(d + dl, 1);
		d[dl + 4] = 'b';
		dl += 5;
		p = chunk(0, 4, 9, 1000, d, dl, 0, &len);
		is_int(rs_chunk_parse(&c, p, len, 1), 0, "%s: chunk parses",
		    rs_codec_name(codec));
		rs_chunk_scratch(&c, &scratch);
		n = walk(&c, rec, rlen, off, MAXREC);
		is_int(n, 9, "%s: 9 records from 2 simple entries and 2 "
		    "batches", rs_codec_name(codec));
		good = n == 9;
		for (i = 0; good && i < 9; i++) {
			const char	*w = i < 4 ? want[i] : i < 8 ?
			    lines[i - 4] : want[5];

			/* Batch records live until the next call: compare lengths, offsets. */
			if (rlen[i] != strlen(w) || off[i] != 1000 + (uint64_t)i)
				good = 0;
		}
		ok(good, "%s: each record its length and offset 1000..1008",
		    rs_codec_name(codec));
		free(p);

		/* The same chunk, each record compared as it comes. */
		p = chunk(0, 4, 9, 1000, d, dl, 0, &len);
		rs_chunk_parse(&c, p, len, 1);
		rs_chunk_scratch(&c, &scratch);
		good = 1;
		for (i = 0; i < 9; i++) {
			const char	*w = i < 4 ? want[i] : i < 8 ?
			    lines[i - 4] : want[5];

			if (rs_chunk_next(&c, &rec[0], &rlen[0], &off[0]) != 1 ||
			    rlen[0] != strlen(w) ||
			    memcmp(rec[0], w, rlen[0]) != 0 ||
			    off[0] != 1000 + (uint64_t)i)
				good = 0;
		}
		ok(good && rs_chunk_next(&c, &rec[0], &rlen[0], &off[0]) == 0,
		    "%s: each record's bytes, in order, then the end",
		    rs_codec_name(codec));
		free(p);

		/* Without a scratch buffer: refused, with the offsets. */
		p = chunk(0, 4, 9, 1000, d, dl, 0, &len);
		rs_chunk_parse(&c, p, len, 1);
		is_int(walk(&c, rec, rlen, off, MAXREC), -1, "%s: no scratch: -1",
		    rs_codec_name(codec));
		ok(strstr(c.errstr, "chunk at offset 1000: sub-entry batch at "
		    "offset 1001 (3 records") != NULL, "%s: %s",
		    rs_codec_name(codec), c.errstr);
		free(p);

		/* Every cut of the data, header agreeing: -1 with a message. */
		good = 1;
		for (len = 0; len < dl; len++) {
			size_t	 qlen;
			uint8_t	*q = chunk(0, 4, 9, 1000, d, len, 0, &qlen);

			rs_chunk_parse(&c, q, qlen, 1);
			rs_chunk_scratch(&c, &scratch);
			if (walk(&c, rec, rlen, off, MAXREC) != -1 ||
			    c.errstr[0] == '\0')
				good = 0;
			free(q);
		}
		ok(good, "%s: the data cut at each of %zu lengths fails",
		    rs_codec_name(codec), dl);
	}
}

/* Compressed batches that are wrong: each a -1 naming the chunk, the batch and why. */
static void
test_compressed_bad(void)
{
	static const char *const	 one[] = { "abc" };
	uint8_t		 d[2000];
	size_t		 dl;
	int		 codec;
	char		 what[64];

	for (codec = 1; codec <= RS_CODEC_MAX; codec++) {
		if (!rs_codec_available((enum rs_codec)codec))
			continue;
		snprintf(what, sizeof what, "%s: declared 1 byte more",
		    rs_codec_name(codec));
		dl = zbatch((enum rs_codec)codec, xyz, 3, d, 1, 0);
		bad(what, 0, 1, 3, d, dl, 0, "not the 16");
		snprintf(what, sizeof what, "%s: declared 1 byte less",
		    rs_codec_name(codec));
		dl = zbatch((enum rs_codec)codec, xyz, 3, d, -1, 0);
		bad(what, 0, 1, 3, d, dl, 0, "more than the 14");
		snprintf(what, sizeof what, "%s: 5 records declared, 4 there",
		    rs_codec_name(codec));
		dl = zbatch((enum rs_codec)codec, lines, 4, d, 0, 1);
		bad(what, 0, 1, 5, d, dl, 0, "runs past its batch");
		snprintf(what, sizeof what, "%s: 2 records declared, 3 there",
		    rs_codec_name(codec));
		dl = zbatch((enum rs_codec)codec, xyz, 3, d, 0, -1);
		bad(what, 0, 1, 2, d, dl, 0, "stray");
		snprintf(what, sizeof what, "%s: corrupt body",
		    rs_codec_name(codec));
		dl = zbatch((enum rs_codec)codec, lines, 4, d, 0, 0);
		d[dl - 3] ^= 0x5a;
		d[dl - 6] ^= 0x5a;
		/* (lz4 and zstd bodies we write have no checksum: garbage may decode.) */
		if (codec == RS_CODEC_GZIP || codec == RS_CODEC_SNAPPY)
			bad(what, 0, 1, 4, d, dl, 0, rs_codec_name(codec));
		snprintf(what, sizeof what, "%s: over 64 MiB declared",
		    rs_codec_name(codec));
		dl = zbatch((enum rs_codec)codec, one, 1, d, (64 << 20) - 6, 0);
		bad(what, 0, 1, 1, d, dl, 0, "64 MiB cap");
		snprintf(what, sizeof what, "%s: 3 records in 11 bytes",
		    rs_codec_name(codec));
		dl = zbatch((enum rs_codec)codec, xyz, 3, d, -4, 0);
		bad(what, 0, 1, 3, d, dl, 0, "claims only 11 bytes");
	}
	dl = zbatch(RS_CODEC_GZIP, xyz, 3, d, 0, 0);
	d[0] = 0xe0;
	bad("type 6", 0, 1, 3, d, dl, 0, "unknown compression type 6");
	d[0] = 0xf0;
	bad("type 7", 0, 1, 3, d, dl, 0, "unknown compression type 7");
	d[0] = 0x90;
	be32(d + 7, (uint32_t)(dl - 12));	/* the body one byte short */
	bad("a gzip body cut short", 0, 1, 3, d, dl - 1, 0,
	    "chunk at offset 0: sub-entry batch at offset 0 (3 records): "
	    "gzip body is corrupt or truncated");
}

/* One chunk's compressed batches may declare 1 GiB in all, not more. */
static void
test_inflate_cap(void)
{
	struct rs_chunk	 c;
	static struct rs_codec_ctx *x;
	const uint8_t	*rec[MAXREC];
	size_t		 rlen[MAXREC], len, zlen, dl = 0, i;
	uint64_t	 off[MAXREC];
	uint8_t		*plain, *d, *p;
	char		 err[160];
	int		 codec = RS_CODEC_GZIP;

#ifdef HAVE_ZSTD
	codec = RS_CODEC_ZSTD;
#endif
	if ((x = rs_codec_ctx_new()) == NULL ||
	    (plain = calloc(1, 64u << 20)) == NULL ||
	    (d = malloc(17 * (1u << 20))) == NULL)
		abort();
	be32(plain, (64u << 20) - 4);		/* one record of 64 MiB - 4 */
	if (rs_codec_compress(x, (enum rs_codec)codec, plain, 64u << 20,
	    d + 11, 1u << 20, &zlen, err, sizeof err) == -1)
		abort();
	d[0] = (uint8_t)(0x80 | codec << 4);
	be16(d + 1, 1);
	be32(d + 3, 64u << 20);
	be32(d + 7, (uint32_t)zlen);
	for (i = 0; i < 17; i++, dl += 11 + zlen)
		memmove(d + dl, d, 11 + zlen);
	p = chunk(0, 16, 16, 0, d, 16 * (11 + zlen), 0, &len);
	rs_chunk_parse(&c, p, len, 0);
	rs_chunk_scratch(&c, &scratch);
	is_int(walk(&c, rec, rlen, off, MAXREC), 16,
	    "16 batches of 64 MiB (1 GiB) in a chunk: read");
	free(p);
	p = chunk(0, 17, 17, 0, d, dl, 0, &len);
	rs_chunk_parse(&c, p, len, 0);
	rs_chunk_scratch(&c, &scratch);
	is_int(walk(&c, rec, rlen, off, MAXREC), -1, "17 of them: refused");
	ok(strstr(c.errstr, "more than 1 GiB") != NULL, "%s", c.errstr);
	free(p);
	free(d);
	free(plain);
	rs_codec_ctx_free(x);
}

/*
 * The chunks fuzz/make-subentry-corpus.py writes (fuzz/corpus/chunk/
 * subentry-*): batches by Debian's python3 codec modules in every client's
 * framing, between simple entries. Each must pass its CRC-32 and walk to
 * its header's record count with offsets in order.
 */
static void
test_corpus_chunks(void)
{
	struct rs_chunk	 c;
	DIR		*dir;
	struct dirent	*de;
	FILE		*f;
	char		 path[4096];
	uint8_t		*buf;
	const uint8_t	*rec;
	size_t		 rlen;
	uint64_t	 off, want;
	long		 n;
	int		 files = 0, wrong = 0, r;

	if ((dir = opendir(CHUNK_CORPUS_DIR)) == NULL) {
		ok(0, "open %s", CHUNK_CORPUS_DIR);
		return;
	}
	while ((de = readdir(dir)) != NULL) {
		if (strncmp(de->d_name, "subentry-", 9) != 0)
			continue;
		snprintf(path, sizeof path, "%s/%s", CHUNK_CORPUS_DIR, de->d_name);
		if ((f = fopen(path, "rb")) == NULL)
			continue;
		fseek(f, 0, SEEK_END);
		n = ftell(f);
		rewind(f);
		if (n <= 0 || (buf = malloc((size_t)n)) == NULL)
			abort();
		if (fread(buf, 1, (size_t)n, f) != (size_t)n)
			abort();
		fclose(f);
		if ((!rs_codec_available(RS_CODEC_SNAPPY) &&
		    strstr(de->d_name, "snappy") != NULL) ||
		    (!rs_codec_available(RS_CODEC_LZ4) &&
		    strstr(de->d_name, "lz4") != NULL) ||
		    (!rs_codec_available(RS_CODEC_ZSTD) &&
		    strstr(de->d_name, "zstd") != NULL) ||
		    (strstr(de->d_name, "mixed") != NULL &&
		    !(rs_codec_available(RS_CODEC_SNAPPY) &&
		    rs_codec_available(RS_CODEC_LZ4) &&
		    rs_codec_available(RS_CODEC_ZSTD)))) {
			free(buf);	/* not in this build */
			continue;
		}
		files++;
		r = rs_chunk_parse(&c, buf, (size_t)n, 1);
		rs_chunk_scratch(&c, &scratch);
		want = c.first_offset;
		if (r == 0)
			while ((r = rs_chunk_next(&c, &rec, &rlen, &off)) == 1)
				if (off != want++) {
					r = -2;
					break;
				}
		if (r != 0 || want != c.first_offset + c.nrecords) {
			if (wrong++ < 3)
				diag("%s: %d %s", de->d_name, r, c.errstr);
		}
		free(buf);
	}
	closedir(dir);
	ok(files >= 1, "%d chunks of batches written by python3 modules (20 "
	    "with every codec)", files);
	is_int(wrong, 0, "each passes its CRC and walks to its record count");
}

/* Every truncation of a valid chunk, whole and with a matching data length. */
static void
test_truncation(void)
{
	struct rs_chunk	 c;
	const uint8_t	*rec[MAXREC];
	size_t		 rlen[MAXREC], len, n;
	uint64_t	 off[MAXREC];
	uint8_t		*p, *cut;
	int		 wrong = 0, nomsg = 0, rc, i;

	p = chunk(0, 3, 4, 0, mixed, sizeof mixed, 0, &len);
	for (n = 0; n < len; n++) {
		if ((cut = malloc(n ? n : 1)) == NULL)
			abort();
		memcpy(cut, p, n);
		if (rs_chunk_parse(&c, cut, n, 0) != -1 && wrong++ == 0)
			diag("%zu of %zu bytes parse", n, len);
		if (c.errstr[0] == '\0')
			nomsg++;
		free(cut);
	}
	is_int(wrong, 0, "the chunk cut at each of %zu lengths does not parse",
	    len);
	is_int(nomsg, 0, "and each failure has a message");
	free(p);

	/* The data cut, the header agreeing: the walk must end in -1. */
	wrong = nomsg = 0;
	for (n = 0; n < sizeof mixed; n++) {
		p = chunk(0, 3, 4, 0, mixed, n, 0, &len);
		rc = rs_chunk_parse(&c, p, len, 1);
		if (rc == 0)
			rc = walk(&c, rec, rlen, off, MAXREC);
		if (rc != -1 && wrong++ == 0)
			diag("data cut to %zu bytes gives %d", n, rc);
		if (c.errstr[0] == '\0')
			nomsg++;
		free(p);
	}
	is_int(wrong, 0, "data cut at each of %zu lengths fails the walk",
	    sizeof mixed);
	is_int(nomsg, 0, "and each failure has a message");

	/* Any one byte of the data replaced: the walk ends, within the counts. */
	wrong = 0;
	for (n = 0; n < sizeof mixed; n++) {
		static const uint8_t	 vals[] = { 0x00, 0x01, 0x7f, 0x80, 0xff };
		uint8_t			 d[sizeof mixed];

		for (i = 0; i < (int)sizeof vals; i++) {
			memcpy(d, mixed, sizeof mixed);
			d[n] = vals[i];
			p = chunk(0, 3, 4, 0, d, sizeof d, 0, &len);
			rs_chunk_parse(&c, p, len, 0);
			rc = walk(&c, rec, rlen, off, MAXREC);
			if ((rc < -1 || rc > 4) && wrong++ == 0)
				diag("byte %zu = 0x%02x gives %d", n, vals[i],
				    rc);
			free(p);
		}
	}
	is_int(wrong, 0, "every one-byte corruption of the data ends the walk "
	    "with at most 4 records");
}

int
main(void)
{
	test_header();
	test_records();
	test_crc();
	test_malformed();
	test_truncation();
	test_compressed();
	test_compressed_bad();
	test_inflate_cap();
	test_corpus_chunks();
	rs_chunk_scratch_free(&scratch);
	return done_testing();
}
