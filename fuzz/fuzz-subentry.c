/*
 * fuzz-subentry.c: a sub-entry batch body through rs_codec_decompress()
 * and through the chunk walker, and any bytes through each codec's writer
 * and back.
 *
 * Input: byte 0 is the compression type (low 3 bits: 0..4 and the unknown
 * 5..7), bytes 1-4 the uncompressed length the batch header declares
 * (big-endian, taken modulo 4 MiB + 1 to keep runs fast), then the body.
 * The corpus (fuzz/make-subentry-corpus.py) holds real batches written by
 * Debian's python3 gzip, snappy, lz4.frame and zstandard modules in the
 * framings of the Java, Go and Python clients.
 *
 * It aborts when: a decompression says yes but the bytes do not survive a
 * round trip through our writer and reader; a failure has no one-line
 * message; the chunk walker gives other records or offsets than the batch
 * holds, or none of its error; or a codec's writer and reader disagree on
 * any input. The output buffer is the declared size exactly, so ASan sees
 * any write past it: the tail of a buffer kept from run to run (a heap
 * block's end, its redzone after it), the bytes before it poisoned. A
 * block of its own per run cost more than the rest of the run: ASan serves
 * blocks over 128 KiB (the declared size goes to 4 MiB) with mmap and
 * munmap, and their page faults.
 */
#include "config.h"

#if defined(__has_feature)
#if __has_feature(address_sanitizer)
#define FUZZ_ASAN
#endif
#endif
#if defined(__SANITIZE_ADDRESS__) && !defined(FUZZ_ASAN)
#define FUZZ_ASAN
#endif
#ifdef FUZZ_ASAN
#include <sanitizer/asan_interface.h>
#else
#define ASAN_POISON_MEMORY_REGION(p, n)		((void)(p), (void)(n))
#define ASAN_UNPOISON_MEMORY_REGION(p, n)	((void)(p), (void)(n))
#endif

#include <stdlib.h>
#include <string.h>

#include "chunk.h"
#include "codec.h"
#include "fuzz.h"

#define DLEN_MOD	((4u << 20) + 1)

static struct rs_codec_ctx	*ctx;
static struct rs_chunk_scratch	 scratch;

/* A buffer kept from run to run; blocks are carved from its end. */
struct arena {
	uint8_t	*buf;
	size_t	 cap;
	size_t	 off;		/* where the last block began */
};

static struct arena	 a_dst, a_chunk, a_z, a_back;

/*
 * n bytes at the end of a's buffer (grown if need be), the bytes before
 * them poisoned: out-of-bounds accesses fault as they would in a block of
 * n bytes (past the end exactly; before the start, to ASan's 8-byte
 * granule).
 */
static uint8_t *
block(struct arena *a, size_t n)
{
	if (n == 0)
		n = 1;
	if (n > a->cap) {
		free(a->buf);
		if ((a->buf = malloc(n)) == NULL)
			abort();
		a->cap = n;
		a->off = 0;
	}
	/* Only what changed: the shadow of 4 MiB is 512 KiB to write. */
	if (a->cap - n < a->off)
		ASAN_UNPOISON_MEMORY_REGION(a->buf + (a->cap - n),
		    a->off - (a->cap - n));
	else if (a->cap - n > a->off)
		ASAN_POISON_MEMORY_REGION(a->buf + a->off,
		    (a->cap - n) - a->off);
	a->off = a->cap - n;
	return a->buf + a->off;
}

static void
be32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)(v >> 24);
	p[1] = (uint8_t)(v >> 16);
	p[2] = (uint8_t)(v >> 8);
	p[3] = (uint8_t)v;
}

static uint32_t
rd32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 |
	    (uint32_t)p[2] << 8 | p[3];
}

static void
check_msg(const char *err)
{
	if (err[0] == '\0' || strchr(err, '\n') != NULL)
		abort();
}

/* Our writer, then our reader: must give back the n bytes. */
static void
round_trip(enum rs_codec c, const uint8_t *p, size_t n)
{
	uint8_t	*z, *back;
	size_t	 cap = rs_codec_bound(c, n), zlen;
	char	 err[160];

	if (!rs_codec_available(c))
		return;
	z = block(&a_z, cap);
	back = block(&a_back, n);
	if (rs_codec_compress(ctx, c, p, n, z, cap, &zlen, err,
	    sizeof err) == -1 || zlen > cap)
		abort();
	if (rs_codec_decompress(ctx, c, z, zlen, back, n, err,
	    sizeof err) == -1 || (n > 0 && memcmp(back, p, n) != 0))
		abort();
}

/*
 * The records of n bytes of size-prefixed records, if they are exactly
 * that: their count (at most 65535), or -1.
 */
static long
count_records(const uint8_t *p, size_t n)
{
	size_t	 pos = 0;
	long	 k = 0;
	uint32_t len;

	while (pos < n) {
		if (n - pos < 4 || (len = rd32(p + pos)) > n - pos - 4)
			return -1;
		pos += 4 + (size_t)len;
		if (++k > 65535)
			return -1;
	}
	return k;
}

/* A chunk of the batch, then a simple entry "z"; walk it. */
static void
walk(int type, uint32_t dlen, const uint8_t *body, size_t blen,
    const uint8_t *plain, long nrec)
{
	struct rs_chunk	 ch;
	const uint8_t	*rec;
	uint8_t		*p;
	size_t		 len, dl = 11 + blen + 5, pos = 0, rlen;
	uint64_t	 off, want = 1000;
	uint16_t	 n = nrec < 0 ? 1 : (uint16_t)nrec;
	int		 r;

	p = block(&a_chunk, 48 + dl);
	memset(p, 0, 59);	/* the rest is written below */
	p[0] = 0x50;
	p[3] = 2;				/* 2 entries */
	be32(p + 4, (uint32_t)n + 1);		/* records */
	be32(p + 28, 1000);			/* first offset */
	be32(p + 36, (uint32_t)dl);
	p[48] = (uint8_t)(0x80 | type << 4);
	p[49] = (uint8_t)(n >> 8);
	p[50] = (uint8_t)n;
	be32(p + 51, dlen);
	be32(p + 55, (uint32_t)blen);
	if (blen > 0)
		memcpy(p + 59, body, blen);
	be32(p + 59 + blen, 1);
	p[63 + blen] = 'z';
	if (rs_chunk_parse(&ch, p, 48 + dl, 0) == -1) {
		if (n > 0)
			abort();
		return;		/* 2 entries, 1 record: refused, rightly */
	}
	rs_chunk_scratch(&ch, &scratch);
	while ((r = rs_chunk_next(&ch, &rec, &len, &off)) == 1) {
		if (off != want++)
			abort();
		if (plain == NULL || off == 1000 + (uint64_t)n)
			continue;
		/* A batch record: the same bytes as in the plain batch. */
		rlen = rd32(plain + pos);
		if (len != rlen || (len > 0 &&
		    memcmp(rec, plain + pos + 4, len) != 0))
			abort();
		pos += 4 + rlen;
	}
	if (plain != NULL && nrec >= 0) {
		if (r != 0 || want != 1001 + (uint64_t)n)
			abort();
	} else {
		if (r != -1)
			abort();
		check_msg(ch.errstr);
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	uint8_t		*dst;
	uint32_t	 dlen;
	const uint8_t	*body;
	size_t		 blen;
	char		 err[160];
	long		 nrec = -1;
	int		 type, ok, c;

	if (ctx == NULL && (ctx = rs_codec_ctx_new()) == NULL)
		abort();
	if (size < 5)
		return 0;
	type = data[0] & 0x07;
	dlen = rd32(data + 1) % DLEN_MOD;
	body = data + 5;
	blen = size - 5;

	dst = block(&a_dst, dlen);
	err[0] = '\0';
	ok = rs_codec_decompress(ctx, (enum rs_codec)type, body, blen, dst,
	    dlen, err, sizeof err) == 0;
	if (ok) {
		if (type > RS_CODEC_MAX)
			abort();
		round_trip((enum rs_codec)type, dst, dlen);
		nrec = count_records(dst, dlen);
	} else
		check_msg(err);
	if (type != RS_CODEC_NONE && blen < (1u << 20))
		walk(type, dlen, body, blen, ok ? dst : NULL, ok ? nrec : -1);

	/* Every writer on the raw bytes, and back. */
	if (blen <= (64u << 10))
		for (c = 0; c <= RS_CODEC_MAX; c++)
			round_trip((enum rs_codec)c, body, blen);
	return 0;
}
