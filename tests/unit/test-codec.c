/*
 * test-codec.c: the sub-entry batch codecs (src/codec.c) and CRC-32C
 * (src/crc32c.c).
 *
 * - CRC-32C: the RFC 3720 B.4 vectors and "123456789", the SSE4.2 path
 *   against the table at every length to 1,100 and every alignment, the
 *   Snappy mask.
 * - Names: parse and name every codec, refuse others; what this build has.
 * - Round trips through our writer and reader for every codec at sizes 0,
 *   1, 2, 3, 7, 100, 1,000, 65,535, 65,536, 65,537, 200,000 and 1 MiB, of
 *   log lines, noise and zeros; the output within rs_codec_bound(); the
 *   framing the Java client writes (first bytes, flags).
 * - Hostile bodies for every codec: each truncation, each one-byte
 *   corruption (no crash, a message when refused), trailing bytes, a
 *   declared size one less or one more, bombs (4 GiB of zeros in 128 KiB of
 *   zstd, 256 gzip members of 16 MiB zeros, LZ4 and snappy of 64 MiB zeros)
 *   declared as 1 KiB and as 64 MiB - 1, which must stop at the declared
 *   size quickly (the output buffers are exactly the declared size: ASan
 *   sees a byte more); unknown types 5..7; codec-specific cases (snappy
 *   chunk types, CRC-32C, raw snappy; gzip members and header fields; LZ4
 *   content size, checksums, several and skippable frames; zstd checksum,
 *   content size, several and skippable frames).
 * - The batches in fuzz/corpus/subentry written by Debian's python3 modules
 *   (fuzz/make-subentry-corpus.py): *-ok must decode to size-prefixed
 *   records, *-bad must be refused with a message.
 */
#include "config.h"

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#ifdef HAVE_SNAPPY
#include <snappy-c.h>
#endif
#ifdef HAVE_LZ4
#include <lz4frame.h>
#endif
#ifdef HAVE_ZSTD
#include <zstd.h>
#endif

#include "codec.h"
#include "crc32c.h"
#include "tap.h"

static struct rs_codec_ctx	*ctx;
static char			 err[256];

static uint8_t *
xmalloc(size_t n)
{
	uint8_t	*p;

	if ((p = malloc(n ? n : 1)) == NULL)
		abort();
	return p;
}

static double
now(void)
{
	struct timespec	 t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

/* Size-prefixed syslog-like records filling n bytes exactly (n >= 4 or 0). */
static void
fill_lines(uint8_t *p, size_t n)
{
	static const char *const hosts[] = { "web01", "db1", "cache3" };
	char		 line[200];
	size_t		 pos = 0, k;
	uint32_t	 x = 1;
	int		 l;

	while (n - pos >= 4) {
		x = x * 1103515245u + 12345u;
		l = snprintf(line, sizeof line, "<%u>Nov %2u 10:%02u:%02u %s "
		    "sshd[%u]: session opened for user u%03u", x % 191,
		    1 + x % 30, x % 60, (x >> 8) % 60, hosts[x % 3], x % 9999,
		    (x >> 4) % 500);
		k = (size_t)l;
		if (k > n - pos - 4)
			k = n - pos - 4;
		if (n - pos - 4 - k < 4)	/* no room for another: take it all */
			k = n - pos - 4;
		p[pos] = (uint8_t)(k >> 24);
		p[pos + 1] = (uint8_t)(k >> 16);
		p[pos + 2] = (uint8_t)(k >> 8);
		p[pos + 3] = (uint8_t)k;
		pos += 4;
		memset(p + pos, 'x', k);
		memcpy(p + pos, line, k < (size_t)l ? k : (size_t)l);
		pos += k;
	}
	memset(p + pos, 0, n - pos);
}

static void
fill_noise(uint8_t *p, size_t n, uint32_t x)
{
	size_t	 i;

	for (i = 0; i < n; i++) {
		x ^= x << 13, x ^= x >> 17, x ^= x << 5;
		p[i] = (uint8_t)x;
	}
}

/* Our writer into an exact-size buffer; the body, *zlen. Free it. */
static uint8_t *
pack(enum rs_codec c, const uint8_t *p, size_t n, size_t *zlen)
{
	size_t	 cap = rs_codec_bound(c, n);
	uint8_t	*z = xmalloc(cap);

	if (rs_codec_compress(ctx, c, p, n, z, cap, zlen, err,
	    sizeof err) == -1) {
		diag("%s: compress %zu bytes: %s", rs_codec_name(c), n, err);
		abort();
	}
	return z;
}

/* Decompress into a buffer of exactly dlen bytes; 0 or -1, out compared if given. */
static int
unpack(enum rs_codec c, const uint8_t *z, size_t zlen, size_t dlen,
    const uint8_t *want)
{
	uint8_t	*out = xmalloc(dlen);
	int	 r;

	err[0] = '\0';
	r = rs_codec_decompress(ctx, c, z, zlen, out, dlen, err, sizeof err);
	if (r == 0 && want != NULL && dlen > 0 && memcmp(out, want, dlen) != 0)
		r = -2;
	free(out);
	return r;
}

static int
has(const char *what)
{
	return strstr(err, what) != NULL;
}

static void
test_crc32c(void)
{
	static const uint8_t	 pdu[48] = {
		0x01, 0xc0, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
		0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
		0x14, 0x00, 0x00, 0x00, 0x00, 0x00, 0x04, 0x00,
		0x00, 0x00, 0x00, 0x14, 0x00, 0x00, 0x00, 0x18,
		0x28, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
		0x02, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
	};
	uint8_t		 b[32], *buf;
	size_t		 n, off;
	int		 i, bad = 0;

	is_uint(rs_crc32c(0, (const uint8_t *)"123456789", 9), 0xe3069283,
	    "CRC-32C of \"123456789\"");
	memset(b, 0, sizeof b);
	is_uint(rs_crc32c(0, b, 32), 0x8a9136aa, "RFC 3720 B.4: 32 zeros");
	memset(b, 0xff, sizeof b);
	is_uint(rs_crc32c(0, b, 32), 0x62a8ab43, "RFC 3720 B.4: 32 x 0xff");
	for (i = 0; i < 32; i++)
		b[i] = (uint8_t)i;
	is_uint(rs_crc32c(0, b, 32), 0x46dd794e, "RFC 3720 B.4: 0..31");
	for (i = 0; i < 32; i++)
		b[i] = (uint8_t)(31 - i);
	is_uint(rs_crc32c(0, b, 32), 0x113fdb5c, "RFC 3720 B.4: 31..0");
	is_uint(rs_crc32c(0, pdu, sizeof pdu), 0xd9963a56,
	    "RFC 3720 B.4: an iSCSI read command");
	is_uint(rs_crc32c_soft(0, pdu, sizeof pdu), 0xd9963a56,
	    "and the same by the table");
	is_uint(rs_crc32c(rs_crc32c(0, pdu, 20), pdu + 20, 28), 0xd9963a56,
	    "continued over two pieces");
	is_uint(rs_crc32c(0, NULL, 0), 0, "of nothing: 0");

	buf = xmalloc(1100 + 8);
	fill_noise(buf, 1108, 99);
	for (off = 0; off < 8; off++)
		for (n = 0; n <= 1100; n++)
			if (rs_crc32c(0x1234, buf + off, n) !=
			    rs_crc32c_soft(0x1234, buf + off, n))
				bad++;
	is_int(bad, 0, "%s against the table at every length to 1100 and "
	    "alignment to 7", rs_crc32c_impl());
	free(buf);
	/* framing_format.txt: rotate right by 15, add 0xa282ead8. */
	is_uint(rs_crc32c_mask(0), 0xa282ead8, "mask of 0");
	is_uint(rs_crc32c_mask(0x00008000), 0xa282ead9, "mask rotates by 15");
	is_uint(rs_crc32c_mask(0xe3069283), ((0xe3069283u >> 15) |
	    (0xe3069283u << 17)) + 0xa282ead8u, "mask of a CRC");
}

static void
test_names(void)
{
	static const char *const names[] = { "none", "gzip", "snappy", "lz4",
	    "zstd" };
	enum rs_codec	 c;
	int		 i, good = 1;

	for (i = 0; i <= RS_CODEC_MAX; i++)
		if (rs_codec_parse(names[i], &c) != 0 || (int)c != i ||
		    strcmp(rs_codec_name(i), names[i]) != 0)
			good = 0;
	ok(good, "none gzip snappy lz4 zstd parse to 0..4 and back");
	ok(rs_codec_parse("ZSTD", &c) == 0 && c == RS_CODEC_ZSTD,
	    "any case: ZSTD");
	ok(rs_codec_parse("brotli", &c) == -1, "brotli: no such codec");
	ok(rs_codec_parse("", &c) == -1, "the empty name: no such codec");
	is_str(rs_codec_name(5), "unknown", "type 5 is unknown");
	is_str(rs_codec_name(-1), "unknown", "type -1 is unknown");
	ok(rs_codec_available(RS_CODEC_NONE) &&
	    rs_codec_available(RS_CODEC_GZIP), "none and gzip are always there");
#ifdef HAVE_SNAPPY
	ok(rs_codec_available(RS_CODEC_SNAPPY), "snappy is in this build");
#else
	ok(!rs_codec_available(RS_CODEC_SNAPPY), "snappy is not in this build");
	is_int(unpack(RS_CODEC_SNAPPY, (const uint8_t *)"x", 1, 1, NULL), -1,
	    "and a snappy batch is refused");
	ok(has("--without-snappy"), "saying why: %s", err);
#endif
#ifdef HAVE_LZ4
	ok(rs_codec_available(RS_CODEC_LZ4), "lz4 is in this build");
#else
	ok(!rs_codec_available(RS_CODEC_LZ4), "lz4 is not in this build");
#endif
#ifdef HAVE_ZSTD
	ok(rs_codec_available(RS_CODEC_ZSTD), "zstd is in this build");
#else
	ok(!rs_codec_available(RS_CODEC_ZSTD), "zstd is not in this build");
#endif
	ok(!rs_codec_available((enum rs_codec)5), "type 5 is not a codec");
}

static const size_t	 sizes[] = { 0, 1, 2, 3, 7, 100, 1000, 65535, 65536,
    65537, 200000, 1u << 20 };
#define NSIZES	(sizeof sizes / sizeof sizes[0])

static void
test_round_trips(void)
{
	uint8_t		*p, *z;
	size_t		 i, zlen, max = 1u << 20;
	int		 c, kind, bad, over;
	static const char *const kinds[] = { "log lines", "noise", "zeros" };

	p = xmalloc(max);
	for (c = 0; c <= RS_CODEC_MAX; c++) {
		if (!rs_codec_available((enum rs_codec)c))
			continue;
		for (kind = 0; kind < 3; kind++) {
			bad = over = 0;
			for (i = 0; i < NSIZES; i++) {
				if (kind == 0)
					fill_lines(p, sizes[i]);
				else if (kind == 1)
					fill_noise(p, sizes[i], 7);
				else
					memset(p, 0, sizes[i]);
				z = pack((enum rs_codec)c, p, sizes[i], &zlen);
				if (zlen > rs_codec_bound((enum rs_codec)c,
				    sizes[i]))
					over++;
				if (unpack((enum rs_codec)c, z, zlen, sizes[i],
				    p) != 0) {
					if (bad++ == 0)
						diag("%zu bytes: %s", sizes[i],
						    err);
				}
				free(z);
			}
			is_int(bad, 0, "%s: %s round trip at 12 sizes from 0 to "
			    "1 MiB", rs_codec_name(c), kinds[kind]);
			is_int(over, 0, "%s: %s within rs_codec_bound()",
			    rs_codec_name(c), kinds[kind]);
		}
	}
	free(p);
}

/* The framings we write: the Java client's (codec.c). */
static void
test_framings(void)
{
	uint8_t		 p[200000], *z;
	size_t		 zlen;

	fill_lines(p, sizeof p);
	z = pack(RS_CODEC_GZIP, p, sizeof p, &zlen);
	ok(zlen > 18 && z[0] == 0x1f && z[1] == 0x8b && z[2] == 8 &&
	    z[3] == 0, "gzip: one member, deflate, no header fields");
	free(z);
#ifdef HAVE_SNAPPY
	{
	size_t		 pos, n, chunks = 0, stored = 0;
	int		 good;

	fill_noise(p + 100000, 100000, 3);	/* the second half does not shrink */
	z = pack(RS_CODEC_SNAPPY, p, sizeof p, &zlen);
	good = zlen > 10 && memcmp(z, "\xff\x06\x00\x00sNaPpY", 10) == 0;
	for (pos = 10; good && pos + 4 <= zlen; pos += 4 + n) {
		n = (size_t)z[pos + 1] | (size_t)z[pos + 2] << 8 |
		    (size_t)z[pos + 3] << 16;
		if (z[pos] > 1 || n > 65540)
			good = 0;
		chunks++;
		stored += z[pos] == 1;
	}
	ok(good && pos == zlen, "snappy: the framing format, 0x00/0x01 chunks");
	is_uint(chunks, 4, "snappy: 200,000 bytes in 4 chunks of 64 KiB or less");
	is_uint(stored, 2, "snappy: the 2 chunks of noise stored (85%% rule)");
	free(z);
	fill_lines(p, sizeof p);
	}
#endif
#ifdef HAVE_LZ4
	z = pack(RS_CODEC_LZ4, p, sizeof p, &zlen);
	ok(zlen > 7 && z[0] == 0x04 && z[1] == 0x22 && z[2] == 0x4d &&
	    z[3] == 0x18, "lz4: frame magic");
	is_uint(z[4], 0x60, "lz4: FLG version 1, independent blocks, no "
	    "checksums, no content size");
	is_uint(z[5], 0x40, "lz4: BD 64 KiB blocks");
	free(z);
#endif
#ifdef HAVE_ZSTD
	z = pack(RS_CODEC_ZSTD, p, sizeof p, &zlen);
	ok(zlen > 4 && memcmp(z, "\x28\xb5\x2f\xfd", 4) == 0, "zstd: magic");
	ok((z[4] & 0x04) == 0, "zstd: no checksum");
	is_uint(ZSTD_getFrameContentSize(z, zlen), sizeof p,
	    "zstd: the content size in the frame header");
	free(z);
#endif
}

/* Each codec: truncations, corruptions, trailing bytes, a declared size off by one. */
static void
test_hostile(void)
{
	uint8_t		 p[1000], *z, *t;
	size_t		 zlen, n;
	int		 c, wrong, nomsg, r;
	unsigned	 v;

	fill_lines(p, sizeof p);
	for (c = 1; c <= RS_CODEC_MAX; c++) {
		if (!rs_codec_available((enum rs_codec)c))
			continue;
		z = pack((enum rs_codec)c, p, sizeof p, &zlen);
		wrong = nomsg = 0;
		for (n = 0; n < zlen; n++) {
			t = xmalloc(n);
			memcpy(t, z, n);
			if (unpack((enum rs_codec)c, t, n, sizeof p, p) != -1 &&
			    wrong++ == 0)
				diag("cut to %zu of %zu bytes: decoded", n, zlen);
			if (err[0] == '\0' || strchr(err, '\n') != NULL)
				nomsg++;
			free(t);
		}
		is_int(wrong, 0, "%s: each of %zu truncations refused",
		    rs_codec_name(c), zlen);
		is_int(nomsg, 0, "%s: each with a one-line message",
		    rs_codec_name(c));

		nomsg = 0;
		for (n = 0; n < zlen; n++)
			for (v = 0x01; v <= 0x80; v <<= 1) {
				t = xmalloc(zlen);
				memcpy(t, z, zlen);
				t[n] ^= (uint8_t)v;
				r = unpack((enum rs_codec)c, t, zlen, sizeof p,
				    NULL);
				if (r == -1 && err[0] == '\0')
					nomsg++;
				free(t);
			}
		is_int(nomsg, 0, "%s: each bit of the body flipped: no crash, "
		    "and a message when refused", rs_codec_name(c));

		t = xmalloc(zlen + 1);
		memcpy(t, z, zlen);
		t[zlen] = 0x00;
		is_int(unpack((enum rs_codec)c, t, zlen + 1, sizeof p, p), -1,
		    "%s: a byte after the body is refused", rs_codec_name(c));
		ok(has("trailing") || has("truncated"), "%s: %s",
		    rs_codec_name(c), err);
		free(t);

		is_int(unpack((enum rs_codec)c, z, zlen, sizeof p - 1, NULL), -1,
		    "%s: declared one byte less: refused", rs_codec_name(c));
		ok(has("more than the 999 bytes"), "%s: %s", rs_codec_name(c),
		    err);
		is_int(unpack((enum rs_codec)c, z, zlen, sizeof p + 1, NULL), -1,
		    "%s: declared one byte more: refused", rs_codec_name(c));
		ok(has("not the 1001"), "%s: %s", rs_codec_name(c), err);
		is_int(unpack((enum rs_codec)c, NULL, 0, sizeof p, NULL), -1,
		    "%s: an empty body for 1000 bytes: refused",
		    rs_codec_name(c));
		ok(err[0] != '\0', "%s: %s", rs_codec_name(c), err);
		is_int(unpack((enum rs_codec)c, NULL, 0, 0, NULL), 0,
		    "%s: an empty body for 0 bytes is an empty batch",
		    rs_codec_name(c));
		free(z);
	}
	for (c = 5; c <= 7; c++) {
		is_int(unpack((enum rs_codec)c, p, 10, 10, NULL), -1,
		    "type %d: refused", c);
		ok(has("unknown compression type"), "type %d: %s", c, err);
	}
	is_int(unpack(RS_CODEC_NONE, p, 10, 11, NULL), -1,
	    "none: 10 bytes declared as 11: refused");
	is_int(unpack(RS_CODEC_NONE, p, 10, 10, p), 0, "none: 10 as 10: copied");
}

/*
 * A bomb: body inflating to total bytes, declared as 1 KiB and as
 * 64 MiB - 1: refused at the declared size, quickly.
 */
static void
bomb(const char *what, enum rs_codec c, const uint8_t *z, size_t zlen)
{
	double	 t0;
	size_t	 d;

	for (d = 1024; d <= (64u << 20); d = (64u << 20) - 1) {
		t0 = now();
		is_int(unpack(c, z, zlen, d, NULL), -1,
		    "%s declared as %zu bytes: refused", what, d);
		ok(has("more than"), "in %.3f s: %s", now() - t0, err);
		if (d != 1024)
			break;
	}
}

static void
test_bombs(void)
{
	uint8_t		*zeros, *z, *m;
	size_t		 zlen, i, n;

	zeros = calloc(1, 64u << 20);
	if (zeros == NULL)
		abort();
	/* gzip: 256 members of 16 MiB of zeros, 4 GiB in all. */
	z = pack(RS_CODEC_GZIP, zeros, 16u << 20, &zlen);
	m = xmalloc(zlen * 256);
	for (i = 0; i < 256; i++)
		memcpy(m + i * zlen, z, zlen);
	bomb("gzip: 4 GiB of zeros in 256 members", RS_CODEC_GZIP, m,
	    zlen * 256);
	free(m);
	free(z);
#ifdef HAVE_ZSTD
	/* zstd: RLE blocks, 4 bytes per 128 KiB: 4 GiB in 128 KiB. */
	n = (4ull << 30) / (128u << 10);
	m = xmalloc(6 + 4 * n);
	memcpy(m, "\x28\xb5\x2f\xfd\x00\x58", 6);
	for (i = 0; i < n; i++) {
		uint32_t	 h = (128u << 10) << 3 | 1 << 1 | (i == n - 1);

		m[6 + 4 * i] = (uint8_t)h;
		m[7 + 4 * i] = (uint8_t)(h >> 8);
		m[8 + 4 * i] = (uint8_t)(h >> 16);
		m[9 + 4 * i] = 0;
	}
	bomb("zstd: 4 GiB of zeros in 128 KiB", RS_CODEC_ZSTD, m, 6 + 4 * n);
	free(m);
#endif
#ifdef HAVE_LZ4
	z = pack(RS_CODEC_LZ4, zeros, 64u << 20, &zlen);
	bomb("lz4: 64 MiB of zeros", RS_CODEC_LZ4, z, zlen);
	free(z);
#endif
#ifdef HAVE_SNAPPY
	z = pack(RS_CODEC_SNAPPY, zeros, 64u << 20, &zlen);
	bomb("snappy: 64 MiB of zeros", RS_CODEC_SNAPPY, z, zlen);
	free(z);
#endif
	(void)n;
	free(zeros);
}

#ifdef HAVE_SNAPPY
/* A framing-format chunk at p: type, 3-byte length, payload. */
static size_t
schunk(uint8_t *p, uint8_t type, const void *data, size_t n)
{
	p[0] = type;
	p[1] = (uint8_t)n;
	p[2] = (uint8_t)(n >> 8);
	p[3] = (uint8_t)(n >> 16);
	memcpy(p + 4, data, n);
	return 4 + n;
}

static void
le32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)v;
	p[1] = (uint8_t)(v >> 8);
	p[2] = (uint8_t)(v >> 16);
	p[3] = (uint8_t)(v >> 24);
}

static void
test_snappy(void)
{
	static const uint8_t	 ident[10] = { 0xff, 6, 0, 0, 's', 'N', 'a',
	    'P', 'p', 'Y' };
	uint8_t		 b[400], pay[100], z[100];
	size_t		 n, zl = sizeof z;
	const char	*hello = "hello, hello, hello, hello";

	/* Stream identifier, padding, skippable, stored chunk, identifier again, 0x03. */
	memcpy(b, ident, 10);
	n = 10;
	n += schunk(b + n, 0xfe, "\0\0\0", 3);
	n += schunk(b + n, 0x80, "skip", 4);
	le32(pay, rs_crc32c_mask(rs_crc32c(0, (const uint8_t *)hello, 5)));
	memcpy(pay + 4, hello, 5);
	n += schunk(b + n, 0x01, pay, 9);
	n += schunk(b + n, 0xff, "sNaPpY", 6);
	n += schunk(b + n, 0x03, hello + 5, 5);
	is_int(unpack(RS_CODEC_SNAPPY, b, n, 10, (const uint8_t *)hello), 0,
	    "snappy: padding, skippable chunks, a repeated identifier, "
	    "chunk types 0x01 and 0x03");
	/* 0x02: compressed without a checksum. */
	snappy_compress(hello, 26, (char *)z, &zl);
	n = 10 + schunk(b + 10, 0x02, z, zl);
	is_int(unpack(RS_CODEC_SNAPPY, b, n, 26, (const uint8_t *)hello), 0,
	    "snappy: chunk type 0x02 (compressed, no checksum)");
	/* The CRC-32C of a stored chunk wrong by one bit. */
	pay[0] ^= 1;
	n = 10 + schunk(b + 10, 0x01, pay, 9);
	is_int(unpack(RS_CODEC_SNAPPY, b, n, 5, NULL), -1,
	    "snappy: a wrong CRC-32C is refused");
	ok(has("CRC-32C"), "%s", err);
	pay[0] ^= 1;
	n = 10 + schunk(b + 10, 0x04, pay, 9);
	is_int(unpack(RS_CODEC_SNAPPY, b, n, 5, NULL), -1,
	    "snappy: reserved unskippable chunk 0x04 is refused");
	ok(has("reserved chunk type 0x04"), "%s", err);
	n = 10 + schunk(b + 10, 0xff, "sNaPpZ", 6);
	is_int(unpack(RS_CODEC_SNAPPY, b, n, 0, NULL), -1,
	    "snappy: a wrong stream identifier is refused");
	n = 10 + schunk(b + 10, 0x01, pay, 3);
	is_int(unpack(RS_CODEC_SNAPPY, b, n, 0, NULL), -1,
	    "snappy: a chunk too short for its checksum is refused");
	/* A stored chunk of 65,537 bytes. */
	{
		uint8_t	*big = xmalloc(10 + 4 + 4 + 65537);

		memcpy(big, ident, 10);
		memset(big + 18, 'a', 65537);
		le32(big + 14, rs_crc32c_mask(rs_crc32c(0, big + 18, 65537)));
		big[10] = 0x01;
		big[11] = (uint8_t)(65541 & 0xff);
		big[12] = (uint8_t)(65541 >> 8);
		big[13] = 0;
		is_int(unpack(RS_CODEC_SNAPPY, big, 10 + 8 + 65537, 65537,
		    NULL), -1, "snappy: a chunk of more than 64 KiB is refused");
		free(big);
	}
	/* Raw snappy, what a plugged-in snappy.compress() writes. */
	zl = sizeof z;
	snappy_compress(hello, 26, (char *)z, &zl);
	is_int(unpack(RS_CODEC_SNAPPY, z, zl, 26, (const uint8_t *)hello), 0,
	    "snappy: a raw block is read too");
	is_int(unpack(RS_CODEC_SNAPPY, z, zl, 25, NULL), -1,
	    "snappy: a raw block of 26 declared as 25 is refused");
	is_int(unpack(RS_CODEC_SNAPPY, z, zl, 27, NULL), -1,
	    "snappy: a raw block of 26 declared as 27 is refused");
	is_int(unpack(RS_CODEC_SNAPPY, z, zl - 1, 26, NULL), -1,
	    "snappy: a raw block cut short is refused");
	z[zl] = 0;
	is_int(unpack(RS_CODEC_SNAPPY, z, zl + 1, 26, NULL), -1,
	    "snappy: a raw block with a byte after it is refused");
}
#endif

static void
test_gzip(void)
{
	uint8_t		 p[5000], *a, *b, *two, *named;
	size_t		 alen, blen;

	fill_lines(p, sizeof p);
	a = pack(RS_CODEC_GZIP, p, 3000, &alen);
	b = pack(RS_CODEC_GZIP, p + 3000, 2000, &blen);
	two = xmalloc(alen + blen);
	memcpy(two, a, alen);
	memcpy(two + alen, b, blen);
	is_int(unpack(RS_CODEC_GZIP, two, alen + blen, 5000, p), 0,
	    "gzip: two members make one batch");
	is_int(unpack(RS_CODEC_GZIP, two, alen + blen, 3000, NULL), -1,
	    "gzip: two members declared as the first's size: refused");
	free(two);
	/* A header with FEXTRA, FNAME and FCOMMENT. */
	named = xmalloc(blen + 17);
	memcpy(named, b, 10);
	named[3] = 0x04 | 0x08 | 0x10;
	memcpy(named + 10, "\x02\x00xyname\0comment", 17);
	memcpy(named + 27, b + 10, blen - 10);
	is_int(unpack(RS_CODEC_GZIP, named, blen + 17, 2000, p + 3000), 0,
	    "gzip: header fields FEXTRA, FNAME, FCOMMENT skipped");
	free(named);
	b[blen - 5] ^= 1;
	is_int(unpack(RS_CODEC_GZIP, b, blen, 2000, NULL), -1,
	    "gzip: a wrong CRC-32 is refused");
	b[blen - 5] ^= 1;
	b[blen - 1] ^= 1;
	is_int(unpack(RS_CODEC_GZIP, b, blen, 2000, NULL), -1,
	    "gzip: a wrong ISIZE is refused");
	b[0] = 0x1e;
	is_int(unpack(RS_CODEC_GZIP, b, blen, 2000, NULL), -1,
	    "gzip: no gzip magic: refused");
	ok(has("gzip header"), "%s", err);
	free(a);
	free(b);
}

#ifdef HAVE_LZ4
static uint8_t *
lz4_with(const uint8_t *p, size_t n, int csize, int cck, int bck,
    LZ4F_blockSizeID_t bs, size_t *zlen)
{
	LZ4F_preferences_t	 prefs;
	uint8_t			*z;

	memset(&prefs, 0, sizeof prefs);
	prefs.frameInfo.blockSizeID = bs;
	prefs.frameInfo.contentSize = csize ? n : 0;
	prefs.frameInfo.contentChecksumFlag = cck ? LZ4F_contentChecksumEnabled :
	    LZ4F_noContentChecksum;
	prefs.frameInfo.blockChecksumFlag = bck ? LZ4F_blockChecksumEnabled :
	    LZ4F_noBlockChecksum;
	z = xmalloc(LZ4F_compressFrameBound(n, &prefs));
	*zlen = LZ4F_compressFrame(z, LZ4F_compressFrameBound(n, &prefs), p, n,
	    &prefs);
	if (LZ4F_isError(*zlen))
		abort();
	return z;
}

static void
test_lz4(void)
{
	uint8_t		 p[300000], *z, *two;
	size_t		 zlen, a;

	fill_lines(p, sizeof p);
	z = lz4_with(p, sizeof p, 1, 1, 1, LZ4F_max4MB, &zlen);
	is_int(unpack(RS_CODEC_LZ4, z, zlen, sizeof p, p), 0,
	    "lz4: content size, content and block checksums, 4 MiB blocks");
	is_int(unpack(RS_CODEC_LZ4, z, zlen, sizeof p - 1, NULL), -1,
	    "lz4: content size one more than declared: refused");
	z[zlen - 1] ^= 1;
	is_int(unpack(RS_CODEC_LZ4, z, zlen, sizeof p, NULL), -1,
	    "lz4: a wrong content checksum is refused");
	ok(err[0] != '\0', "%s", err);
	free(z);
	z = lz4_with(p, 1000, 1, 0, 0, LZ4F_max64KB, &zlen);
	is_int(unpack(RS_CODEC_LZ4, z, zlen, 1001, NULL), -1,
	    "lz4: content size 1000 declared as 1001: refused");
	/* Two frames, a skippable frame between them. */
	two = xmalloc(2 * zlen + 12);
	memcpy(two, z, zlen);
	memcpy(two + zlen, "\x50\x2a\x4d\x18\x04\x00\x00\x00skip", 12);
	memcpy(two + zlen + 12, z, zlen);
	memcpy(p + 1000, p, 1000);
	is_int(unpack(RS_CODEC_LZ4, two, 2 * zlen + 12, 2000, p), 0,
	    "lz4: two frames with a skippable frame between");
	free(two);
	a = zlen;
	free(z);
	/* A corrupt body then a good one, with the same context. */
	z = lz4_with(p, 1000, 0, 0, 0, LZ4F_max64KB, &zlen);
	unpack(RS_CODEC_LZ4, z, zlen / 2, 1000, NULL);
	is_int(unpack(RS_CODEC_LZ4, z, zlen, 1000, p), 0,
	    "lz4: the context is clean after a truncated body");
	/* fuzz-subentry's: a frame header liblz4 refuses, then a good body. */
	is_int(unpack(RS_CODEC_LZ4, (const uint8_t *)"\x04\x22\x4d\x18\x59\x60"
	    "\x40\x82\x0b\x00\x00\x00\x1e\x01\x04\x00\x01\x00\xff\xff"
	    "\x62\x40\x00\x05\xf5\xf5\x00\x00\x00", 29, 0, NULL), -1,
	    "lz4: a hostile frame header is refused");
	is_int(unpack(RS_CODEC_LZ4, z, zlen, 1000, p), 0,
	    "lz4: and the context is clean after it");
	free(z);
	(void)a;
}
#endif

#ifdef HAVE_ZSTD
static void
test_zstd(void)
{
	uint8_t		 p[300000], *z, *two;
	size_t		 zlen, cap = ZSTD_compressBound(sizeof p);
	ZSTD_CCtx	*cc = ZSTD_createCCtx();

	fill_lines(p, sizeof p);
	z = xmalloc(cap);
	ZSTD_CCtx_setParameter(cc, ZSTD_c_checksumFlag, 1);
	zlen = ZSTD_compress2(cc, z, cap, p, sizeof p);
	is_int(unpack(RS_CODEC_ZSTD, z, zlen, sizeof p, p), 0,
	    "zstd: with a checksum and the content size");
	is_int(unpack(RS_CODEC_ZSTD, z, zlen, sizeof p + 1, NULL), -1,
	    "zstd: content size one less than declared: refused");
	z[zlen - 1] ^= 1;
	is_int(unpack(RS_CODEC_ZSTD, z, zlen, sizeof p, NULL), -1,
	    "zstd: a wrong checksum is refused");
	ok(err[0] != '\0', "%s", err);
	zlen = ZSTD_compress2(cc, z, cap, p, 1000);
	two = xmalloc(2 * zlen + 12);
	memcpy(two, z, zlen);
	memcpy(two + zlen, "\x50\x2a\x4d\x18\x04\x00\x00\x00skip", 12);
	memcpy(two + zlen + 12, z, zlen);
	memcpy(p + 1000, p, 1000);
	is_int(unpack(RS_CODEC_ZSTD, two, 2 * zlen + 12, 2000, p), 0,
	    "zstd: two frames with a skippable frame between");
	two[zlen / 2] ^= 0xff;
	is_int(unpack(RS_CODEC_ZSTD, two, 2 * zlen + 12, 2000, NULL), -1,
	    "zstd: a corrupt first frame is refused");
	is_int(unpack(RS_CODEC_ZSTD, two + zlen + 12, zlen, 1000, p), 0,
	    "zstd: and the context is clean after it");
	free(two);
	free(z);
	ZSTD_freeCCtx(cc);
}
#endif

/* The seeds written by Debian's python3 modules. */
static void
test_corpus(void)
{
	DIR		*d;
	struct dirent	*de;
	char		 path[4096];
	FILE		*f;
	uint8_t		*buf, *out;
	long		 n;
	size_t		 dlen, pos, len;
	int		 okays = 0, bads = 0, wrong = 0, isok, r, all;

	all = rs_codec_available(RS_CODEC_SNAPPY) &&
	    rs_codec_available(RS_CODEC_LZ4) && rs_codec_available(RS_CODEC_ZSTD);

	if ((d = opendir(CORPUS_DIR)) == NULL) {
		ok(0, "open %s", CORPUS_DIR);
		return;
	}
	while ((de = readdir(d)) != NULL) {
		if (strncmp(de->d_name, "batch-", 6) != 0)
			continue;
		len = strlen(de->d_name);
		isok = len > 3 && strcmp(de->d_name + len - 3, "-ok") == 0;
		if (!isok && (len < 4 || strcmp(de->d_name + len - 4, "-bad")))
			continue;	/* -any: either way */
		snprintf(path, sizeof path, "%s/%s", CORPUS_DIR, de->d_name);
		if ((f = fopen(path, "rb")) == NULL)
			continue;
		fseek(f, 0, SEEK_END);
		n = ftell(f);
		rewind(f);
		buf = xmalloc((size_t)n);
		if (n < 5 || fread(buf, 1, (size_t)n, f) != (size_t)n) {
			fclose(f);
			free(buf);
			continue;
		}
		fclose(f);
		if (!rs_codec_available((enum rs_codec)(buf[0] & 7)) &&
		    buf[0] <= RS_CODEC_MAX) {
			free(buf);
			continue;
		}
		dlen = (size_t)buf[1] << 24 | (size_t)buf[2] << 16 |
		    (size_t)buf[3] << 8 | buf[4];
		out = xmalloc(dlen);
		err[0] = '\0';
		r = rs_codec_decompress(ctx, (enum rs_codec)buf[0], buf + 5,
		    (size_t)n - 5, out, dlen, err, sizeof err);
		if (r == 0) {	/* then size-prefixed records, exactly */
			for (pos = 0; pos + 4 <= dlen; pos += 4 + len) {
				len = (size_t)out[pos] << 24 |
				    (size_t)out[pos + 1] << 16 |
				    (size_t)out[pos + 2] << 8 | out[pos + 3];
				if (len > dlen - pos - 4)
					break;
			}
			if (pos != dlen)
				r = -2;
		}
		if ((isok && r != 0) || (!isok && (r != -1 || !err[0]))) {
			if (wrong++ < 5)
				diag("%s: %d %s", de->d_name, r, err);
		}
		if (isok)
			okays++;
		else
			bads++;
		free(out);
		free(buf);
	}
	closedir(d);
	/* 96 and 29 in a build with every codec. */
	ok(okays >= (all ? 60 : 1), "%d batches of the Java, Go and Python "
	    "framings by Debian's python3 modules", okays);
	ok(bads >= (all ? 20 : 1), "and %d broken ones", bads);
	is_int(wrong, 0, "each read to records, or refused with a message");
}

int
main(void)
{
	if ((ctx = rs_codec_ctx_new()) == NULL)
		return 1;
	test_crc32c();
	test_names();
	test_round_trips();
	test_framings();
	test_hostile();
	test_bombs();
#ifdef HAVE_SNAPPY
	test_snappy();
#endif
	test_gzip();
#ifdef HAVE_LZ4
	test_lz4();
#endif
#ifdef HAVE_ZSTD
	test_zstd();
#endif
	test_corpus();
	rs_codec_ctx_free(ctx);
	return done_testing();
}
