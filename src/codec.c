/*
 * codec.c: the body of a compressed sub-entry batch, both ways, on the real
 * libraries: libdeflate (gzip), libsnappy plus the framing format's chunks
 * (snappy), liblz4's frame API (lz4), libzstd (zstd).
 *
 * What goes on the wire. The stream protocol only says where the codec
 * number goes (PROTOCOL.adoc "Deliver" defers to osiris_log.erl: a sub-entry
 * is 1|type:3|reserved:4, records u16, uncompressed length u32, length u32,
 * body); the codes and the framings are a client convention. What the
 * clients write and read, from their sources:
 *
 * - Java (rabbitmq/rabbitmq-stream-java-client, src/main/java/com/rabbitmq/
 *   stream/compression/CompressionUtils.java and DefaultCompressionCodecFactory
 *   .java; the batch: impl/Client.java CompressedEncodedMessageBatch, read
 *   back in impl/ServerFrameHandler.java). Each record's u32 size and bytes
 *   are written one after the other into one compressing OutputStream:
 *   gzip: java.util.zip.GZIPOutputStream, one gzip member (read back with
 *     GZIPInputStream, which also reads concatenated members);
 *   snappy: xerial SnappyFramedOutputStream (xerial/snappy-java
 *     SnappyFramedOutputStream.java): the framing format
 *     (google/snappy framing_format.txt): stream identifier, then chunks of
 *     at most 64 KiB of input, each with the masked CRC-32C of its
 *     uncompressed bytes; a chunk is stored uncompressed (type 0x01) when
 *     snappy does not get it to 85% or less;
 *   lz4: lz4-java LZ4FrameOutputStream (lz4/lz4-java LZ4FrameOutputStream
 *     .java): one LZ4 frame, 64 KiB blocks, independent blocks, no block or
 *     content checksum, and no content size since 2021-07 (the first
 *     version, 0008587f, wrote the content size); a block that does not
 *     shrink is stored (high bit of its size);
 *   zstd: zstd-jni ZstdOutputStream (luben/zstd-jni
 *     ZstdOutputStreamNoFinalizer.java, src/main/native/
 *     jni_outputstream_zstd.c): ZSTD_compressStream2 with ZSTD_e_continue,
 *     then ZSTD_e_end: one frame, level 3, no checksum, and no content size
 *     (the size is never pledged).
 *   The "Commons Compress" factory writes the same framings, with an LZ4
 *   content checksum. The reader bounds every batch by its declared
 *   uncompressed size (64 MiB at most by default) and a chunk's total (1 GiB).
 * - Go (rabbitmq/rabbitmq-stream-go-client pkg/stream/aggregation.go):
 *   compress/gzip (one member); golang/snappy NewBufferedWriter (the framing
 *   format, CRC-32C); pierrec/lz4 v2 NewWriter (a frame with a content
 *   checksum, 4 MiB blocks); klauspost/compress zstd (a frame with a
 *   checksum). It checks the inflated size against the header.
 * - Python (rabbitmq-community/rstream rstream/compression.py): gzip only,
 *   gzip.compress() (one member) and gzip.decompress() (any number of
 *   members); other codecs are left to a codec the user registers.
 * - .NET (rabbitmq/rabbitmq-stream-dotnet-client RabbitMQ.Stream.Client/
 *   Compression.cs): GZipStream (one member) built in, the rest pluggable.
 *
 * So this file reads: gzip as one or more members (each with its CRC-32 and
 * size checked, nothing after the last); snappy in the framing format
 * (stream identifiers anywhere, chunk types 0x00-0x03, padding and skippable
 * chunks skipped, every CRC-32C checked) or, when the body does not start
 * with the stream identifier, as one raw snappy block: no official client
 * writes raw, but a codec registered with rstream or .NET may well be
 * snappy.compress(), and the two cannot be confused (a raw block cannot
 * start with the identifier's bytes and decode: its second operation would
 * copy from 0x7059504e bytes back); LZ4 frames with or without content size
 * and checksums, one or more, skippable frames allowed; zstd frames with or
 * without content size and checksum, one or more, skippable frames allowed.
 * It writes what the Java client writes, so that every client reads ours:
 * one gzip member (level 6, the JDK's default); snappy framed with 64 KiB
 * chunks and the same 85% rule; one LZ4 frame of independent 64 KiB blocks
 * without checksums or size; one zstd frame at level 3 without checksum,
 * but with the content size, which every reader handles and which one-shot
 * readers (python-zstandard's decompress()) need.
 *
 * Decompression writes into the caller's buffer of exactly the declared
 * size and never past it, so a bomb stops there: every library is asked for
 * at most what is left, and a body that wants more, less, is truncated or
 * corrupt, or has bytes after its end, is an error with a one-line reason.
 *
 * gzip is libdeflate's whole-buffer decompressor, not zlib's inflate: on a
 * 100-line syslog-like batch (11,229 bytes, 3,038 gzipped) libdeflate
 * inflated 470-590 MB/s per core against zlib's 240-290 (a fresh or a
 * reused stream alike), and deflated 61-71 MB/s against 31-43 with a
 * smaller output (3,038 bytes against 3,172); measured on a busy machine,
 * CPU time, five runs. zlib stays for the chunk CRC-32.
 */
#include "config.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <libdeflate.h>
#ifdef HAVE_SNAPPY
#include <snappy-c.h>
#endif
#ifdef HAVE_LZ4
#include <lz4frame.h>
#endif
#ifdef HAVE_ZSTD
#include <zstd.h>
#include <zstd_errors.h>
#endif

#include "codec.h"
#include "crc32c.h"

#define GZIP_LEVEL	6		/* java.util.zip's default */
#define ZSTD_LEVEL	3		/* zstd-jni's default */
#define SNAPPY_BLOCK	65536		/* framing format: input per chunk */
#define SNAPPY_RATIO_N	85		/* xerial: compressed if <= 85% */

#ifdef HAVE_SNAPPY
static const uint8_t	 snappy_ident[10] = {
	0xff, 0x06, 0x00, 0x00, 's', 'N', 'a', 'P', 'p', 'Y'
};
#endif

struct rs_codec_ctx {
	struct libdeflate_decompressor	*gunzip;
	struct libdeflate_compressor	*gzip;
#ifdef HAVE_LZ4
	LZ4F_dctx			*lz4d;
	LZ4F_cctx			*lz4c;
#endif
#ifdef HAVE_ZSTD
	ZSTD_DCtx			*zstdd;
	ZSTD_CCtx			*zstdc;
#endif
};

static const char *const	 names[] = { "none", "gzip", "snappy", "lz4", "zstd" };

static int __attribute__((format(printf, 3, 4)))
fail(char *err, size_t errlen, const char *fmt, ...)
{
	va_list	 ap;

	if (errlen > 0) {
		va_start(ap, fmt);
		vsnprintf(err, errlen, fmt, ap);
		va_end(ap);
	}
	return -1;
}

/* A context for any codec; the libraries' own are made on first use. NULL if out of memory. */
struct rs_codec_ctx *
rs_codec_ctx_new(void)
{
	return calloc(1, sizeof(struct rs_codec_ctx));
}

void
rs_codec_ctx_free(struct rs_codec_ctx *x)
{
	if (x == NULL)
		return;
	libdeflate_free_decompressor(x->gunzip);
	libdeflate_free_compressor(x->gzip);
#ifdef HAVE_LZ4
	if (x->lz4d != NULL)
		LZ4F_freeDecompressionContext(x->lz4d);
	if (x->lz4c != NULL)
		LZ4F_freeCompressionContext(x->lz4c);
#endif
#ifdef HAVE_ZSTD
	ZSTD_freeDCtx(x->zstdd);
	ZSTD_freeCCtx(x->zstdc);
#endif
	free(x);
}

/* A codec by its name (none, gzip, snappy, lz4, zstd; any case): 0, or -1 if there is no such codec. */
int
rs_codec_parse(const char *s, enum rs_codec *c)
{
	int	 i;

	for (i = 0; i <= RS_CODEC_MAX; i++)
		if (strcasecmp(s, names[i]) == 0) {
			*c = (enum rs_codec)i;
			return 0;
		}
	return -1;
}

/* The name of a compression type as the batch header gives it (0..7). */
const char *
rs_codec_name(int c)
{
	return c >= 0 && c <= RS_CODEC_MAX ? names[c] : "unknown";
}

/* Whether this build can read and write the codec. */
int
rs_codec_available(enum rs_codec c)
{
	switch (c) {
	case RS_CODEC_NONE:
	case RS_CODEC_GZIP:
		return 1;
	case RS_CODEC_SNAPPY:
#ifdef HAVE_SNAPPY
		return 1;
#else
		return 0;
#endif
	case RS_CODEC_LZ4:
#ifdef HAVE_LZ4
		return 1;
#else
		return 0;
#endif
	case RS_CODEC_ZSTD:
#ifdef HAVE_ZSTD
		return 1;
#else
		return 0;
#endif
	}
	return 0;
}

/* -- Reading. Each returns 0 with exactly dlen bytes at dst, or -1 with err. */

static int
more(char *err, size_t errlen, const char *codec, size_t dlen)
{
	return fail(err, errlen, "%s body inflates to more than the %zu bytes "
	    "its header says", codec, dlen);
}

static int
fewer(char *err, size_t errlen, const char *codec, size_t got, size_t dlen)
{
	return fail(err, errlen, "%s body inflates to %zu bytes, not the %zu "
	    "its header says", codec, got, dlen);
}

static int
gunzip(struct rs_codec_ctx *x, const uint8_t *src, size_t clen, uint8_t *dst,
    size_t dlen, char *err, size_t errlen)
{
	enum libdeflate_result	 r;
	size_t			 pos = 0, out = 0, in_n, out_n;
	int			 members = 0;

	if (x->gunzip == NULL &&
	    (x->gunzip = libdeflate_alloc_decompressor()) == NULL)
		return fail(err, errlen, "gzip: out of memory");
	while (pos < clen || members == 0) {
		if (clen - pos < 2 || src[pos] != 0x1f || src[pos + 1] != 0x8b) {
			if (members == 0)
				return fail(err, errlen, "gzip body does not "
				    "start with a gzip header");
			return fail(err, errlen, "gzip body has %zu bytes of "
			    "trailing garbage after %d member%s", clen - pos,
			    members, members == 1 ? "" : "s");
		}
		r = libdeflate_gzip_decompress_ex(x->gunzip, src + pos,
		    clen - pos, dst + out, dlen - out, &in_n, &out_n);
		if (r == LIBDEFLATE_INSUFFICIENT_SPACE)
			return more(err, errlen, "gzip", dlen);
		if (r != LIBDEFLATE_SUCCESS)
			return fail(err, errlen, "gzip body is corrupt or "
			    "truncated (member at byte %zu)", pos);
		pos += in_n;
		out += out_n;
		members++;
	}
	if (out != dlen)
		return fewer(err, errlen, "gzip", out, dlen);
	return 0;
}

#ifdef HAVE_SNAPPY
/* One data chunk of the framing format (types 0x00-0x03) appended at dst + *out. */
static int
snappy_chunk(uint8_t type, const uint8_t *p, size_t len, uint8_t *dst,
    size_t *out, size_t dlen, size_t at, char *err, size_t errlen)
{
	uint32_t	 want = 0;
	size_t		 n;
	int		 crc = (type == 0x00 || type == 0x01);

	if (crc) {
		if (len < 4)
			return fail(err, errlen, "snappy chunk at byte %zu is "
			    "too short for its checksum", at);
		want = (uint32_t)p[0] | (uint32_t)p[1] << 8 |
		    (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
		p += 4, len -= 4;
	}
	if (type == 0x00 || type == 0x02) {
		if (snappy_uncompressed_length((const char *)p, len, &n) !=
		    SNAPPY_OK)
			return fail(err, errlen, "snappy chunk at byte %zu is "
			    "corrupt", at);
		if (n > SNAPPY_BLOCK)
			return fail(err, errlen, "snappy chunk at byte %zu "
			    "holds %zu bytes, more than 64 KiB", at, n);
		if (n > dlen - *out)
			return more(err, errlen, "snappy", dlen);
		if (snappy_uncompress((const char *)p, len,
		    (char *)dst + *out, &n) != SNAPPY_OK)
			return fail(err, errlen, "snappy chunk at byte %zu is "
			    "corrupt", at);
	} else {
		if ((n = len) > SNAPPY_BLOCK)
			return fail(err, errlen, "snappy chunk at byte %zu "
			    "holds %zu bytes, more than 64 KiB", at, n);
		if (n > dlen - *out)
			return more(err, errlen, "snappy", dlen);
		if (n > 0)
			memcpy(dst + *out, p, n);
	}
	if (crc && rs_crc32c_mask(rs_crc32c(0, dst + *out, n)) != want)
		return fail(err, errlen, "snappy chunk at byte %zu fails its "
		    "CRC-32C check", at);
	*out += n;
	return 0;
}

static int
unsnappy(const uint8_t *src, size_t clen, uint8_t *dst, size_t dlen,
    char *err, size_t errlen)
{
	size_t		 pos, len, out = 0, n;
	uint8_t		 type;

	if (clen < sizeof snappy_ident ||
	    memcmp(src, snappy_ident, sizeof snappy_ident) != 0) {
		/* One raw snappy block: its own length comes first. */
		if (snappy_uncompressed_length((const char *)src, clen, &n) !=
		    SNAPPY_OK)
			return fail(err, errlen, "snappy body is neither the "
			    "framing format nor raw snappy");
		if (n > dlen)
			return more(err, errlen, "snappy", dlen);
		if (n < dlen)
			return fewer(err, errlen, "snappy", n, dlen);
		if (snappy_uncompress((const char *)src, clen, (char *)dst,
		    &n) != SNAPPY_OK || n != dlen)
			return fail(err, errlen, "raw snappy body is corrupt");
		return 0;
	}
	for (pos = 0; pos < clen; pos += len) {
		if (clen - pos < 4)
			return fail(err, errlen, "snappy body is truncated in a "
			    "chunk header at byte %zu", pos);
		type = src[pos];
		len = (size_t)src[pos + 1] | (size_t)src[pos + 2] << 8 |
		    (size_t)src[pos + 3] << 16;
		pos += 4;
		if (len > clen - pos)
			return fail(err, errlen, "snappy body is truncated: a "
			    "chunk of %zu bytes at byte %zu, %zu left", len,
			    pos - 4, clen - pos);
		if (type == 0xff) {
			if (len != 6 || memcmp(src + pos, snappy_ident + 4, 6))
				return fail(err, errlen, "snappy stream "
				    "identifier at byte %zu is wrong", pos - 4);
		} else if (type <= 0x03) {
			if (snappy_chunk(type, src + pos, len, dst, &out, dlen,
			    pos - 4, err, errlen) == -1)
				return -1;
		} else if (type < 0x80)
			return fail(err, errlen, "snappy body has a reserved "
			    "chunk type 0x%02x at byte %zu", type, pos - 4);
		/* 0x80-0xfd reserved skippable, 0xfe padding: skipped. */
	}
	if (out != dlen)
		return fewer(err, errlen, "snappy", out, dlen);
	return 0;
}
#endif

#ifdef HAVE_LZ4
/* The lz4 frames of clen bytes into dst, exactly dlen bytes: 0, or -1. */
static int
lz4_frames(struct rs_codec_ctx *x, const uint8_t *src, size_t clen,
    uint8_t *dst, size_t dlen, char *err, size_t errlen)
{
	size_t	 pos = 0, out = 0, in_n, out_n, r = 0;
	int	 frames = 0, fresh = 1;

	if (x->lz4d == NULL &&
	    LZ4F_isError(LZ4F_createDecompressionContext(&x->lz4d,
	    LZ4F_VERSION))) {
		x->lz4d = NULL;
		return fail(err, errlen, "lz4: out of memory");
	}
	LZ4F_resetDecompressionContext(x->lz4d);
	while (pos < clen) {
		in_n = clen - pos;
		out_n = dlen - out;
		r = LZ4F_decompress(x->lz4d, dst + out, &out_n, src + pos,
		    &in_n, NULL);
		if (LZ4F_isError(r)) {
			if (fresh && frames > 0)
				return fail(err, errlen, "lz4 body has %zu "
				    "bytes of trailing garbage after %d frame%s",
				    clen - pos, frames, frames == 1 ? "" : "s");
			return fail(err, errlen, "lz4 body is corrupt (%s)",
			    LZ4F_getErrorName(r));
		}
		pos += in_n;
		out += out_n;
		fresh = (r == 0);
		if (r == 0)
			frames++;
		else if (in_n == 0 && out_n == 0)
			return more(err, errlen, "lz4", dlen);	/* dst full */
	}
	if (!fresh || frames == 0)
		return fail(err, errlen, "lz4 body is truncated");
	if (out != dlen)
		return fewer(err, errlen, "lz4", out, dlen);
	return 0;
}

/*
 * lz4_frames(), with a new decompression context after a refused body:
 * liblz4 1.9.4's LZ4F_resetDecompressionContext() leaves state from a
 * refused frame header (ERROR_maxBlockSize_invalid) that fails the next,
 * good body (ERROR_frameSize_wrong): one hostile batch would have refused
 * every lz4 batch after it on the connection (fuzz-subentry found it).
 */
static int
unlz4(struct rs_codec_ctx *x, const uint8_t *src, size_t clen, uint8_t *dst,
    size_t dlen, char *err, size_t errlen)
{
	if (lz4_frames(x, src, clen, dst, dlen, err, errlen) == 0)
		return 0;
	if (x->lz4d != NULL) {
		LZ4F_freeDecompressionContext(x->lz4d);
		x->lz4d = NULL;
	}
	return -1;
}
#endif

#ifdef HAVE_ZSTD
static int
unzstd(struct rs_codec_ctx *x, const uint8_t *src, size_t clen, uint8_t *dst,
    size_t dlen, char *err, size_t errlen)
{
	size_t	 pos = 0, out = 0, fsize, r;
	int	 frames = 0;

	if (x->zstdd == NULL && (x->zstdd = ZSTD_createDCtx()) == NULL)
		return fail(err, errlen, "zstd: out of memory");
	if (clen == 0)
		return fail(err, errlen, "zstd body is empty");
	/* Frame by frame, so that what is wrong can be told apart. */
	while (pos < clen) {
		fsize = ZSTD_findFrameCompressedSize(src + pos, clen - pos);
		if (ZSTD_isError(fsize)) {
			if (frames > 0 &&
			    ZSTD_getErrorCode(fsize) == ZSTD_error_prefix_unknown)
				return fail(err, errlen, "zstd body has %zu bytes "
				    "of trailing garbage after %d frame%s",
				    clen - pos, frames, frames == 1 ? "" : "s");
			if (ZSTD_getErrorCode(fsize) == ZSTD_error_srcSize_wrong)
				return fail(err, errlen, "zstd body is "
				    "truncated (frame at byte %zu)", pos);
			return fail(err, errlen, "zstd body is corrupt (%s)",
			    ZSTD_getErrorName(fsize));
		}
		r = ZSTD_decompressDCtx(x->zstdd, dst + out, dlen - out,
		    src + pos, fsize);
		if (ZSTD_isError(r)) {
			if (ZSTD_getErrorCode(r) == ZSTD_error_dstSize_tooSmall)
				return more(err, errlen, "zstd", dlen);
			return fail(err, errlen, "zstd body is corrupt (%s)",
			    ZSTD_getErrorName(r));
		}
		out += r;
		pos += fsize;
		frames++;
	}
	if (out != dlen)
		return fewer(err, errlen, "zstd", out, dlen);
	return 0;
}
#endif

/*
 * Decompress clen bytes of a batch body of type c into dst, which has room
 * for exactly the dlen bytes the batch header declares: 0 when the body
 * inflates to exactly dlen bytes, -1 with a one-line reason in err
 * otherwise (more or fewer bytes, truncated, corrupt, trailing bytes, an
 * unknown type or one this build lacks). Nothing is ever written past
 * dst + dlen. An empty body is an empty batch for every codec.
 */
int
rs_codec_decompress(struct rs_codec_ctx *x, enum rs_codec c,
    const uint8_t *src, size_t clen, uint8_t *dst, size_t dlen, char *err,
    size_t errlen)
{
	static uint8_t	 none[1];

	if (clen == 0)
		src = none;	/* no arithmetic on NULL, not even + 0 */
	if (dlen == 0)
		dst = none;
	if ((int)c < 0 || (int)c > RS_CODEC_MAX)
		return fail(err, errlen, "unknown compression type %d", (int)c);
	if (!rs_codec_available(c))
		return fail(err, errlen, "%s batches cannot be read: this build "
		    "was configured --without-%s", names[c], names[c]);
	if (clen == 0 && dlen == 0)
		return 0;	/* zstd-jni writes nothing for nothing */
	switch (c) {
	case RS_CODEC_NONE:
		if (clen != dlen)
			return fail(err, errlen, "uncompressed body of %zu "
			    "bytes claims %zu", clen, dlen);
		memcpy(dst, src, clen);
		return 0;
	case RS_CODEC_GZIP:
		return gunzip(x, src, clen, dst, dlen, err, errlen);
#ifdef HAVE_SNAPPY
	case RS_CODEC_SNAPPY:
		return unsnappy(src, clen, dst, dlen, err, errlen);
#endif
#ifdef HAVE_LZ4
	case RS_CODEC_LZ4:
		return unlz4(x, src, clen, dst, dlen, err, errlen);
#endif
#ifdef HAVE_ZSTD
	case RS_CODEC_ZSTD:
		return unzstd(x, src, clen, dst, dlen, err, errlen);
#endif
	default:
		break;
	}
	return fail(err, errlen, "unknown compression type %d", (int)c);
}

/* -- Writing. */

#ifdef HAVE_LZ4
static void
lz4_prefs(LZ4F_preferences_t *p)
{
	memset(p, 0, sizeof *p);
	p->frameInfo.blockSizeID = LZ4F_max64KB;
	p->frameInfo.blockMode = LZ4F_blockIndependent;
	p->frameInfo.contentChecksumFlag = LZ4F_noContentChecksum;
	p->frameInfo.blockChecksumFlag = LZ4F_noBlockChecksum;
	p->frameInfo.frameType = LZ4F_frame;
	p->autoFlush = 1;
}
#endif

/* The largest body rs_codec_compress() can make of n bytes; 0 for a codec this build lacks. */
size_t
rs_codec_bound(enum rs_codec c, size_t n)
{
#ifdef HAVE_LZ4
	LZ4F_preferences_t	 prefs;
#endif
#ifdef HAVE_SNAPPY
	size_t			 blocks;
#endif

	switch (c) {
	case RS_CODEC_NONE:
		return n;
	case RS_CODEC_GZIP:
		return libdeflate_gzip_compress_bound(NULL, n);
#ifdef HAVE_SNAPPY
	case RS_CODEC_SNAPPY:
		/* Per 64 KiB: a chunk header and CRC, and snappy's own bound. */
		blocks = n / SNAPPY_BLOCK;
		return sizeof snappy_ident +
		    blocks * (8 + snappy_max_compressed_length(SNAPPY_BLOCK)) +
		    (n % SNAPPY_BLOCK ? 8 +
		    snappy_max_compressed_length(n % SNAPPY_BLOCK) : 0);
#endif
#ifdef HAVE_LZ4
	case RS_CODEC_LZ4:
		lz4_prefs(&prefs);
		return LZ4F_compressFrameBound(n, &prefs);
#endif
#ifdef HAVE_ZSTD
	case RS_CODEC_ZSTD:
		return ZSTD_compressBound(n);
#endif
	default:
		break;
	}
	return 0;
}

#ifdef HAVE_SNAPPY
static int
snappy_frame(const uint8_t *src, size_t n, uint8_t *dst, size_t cap,
    size_t *outlen, char *err, size_t errlen)
{
	size_t		 pos, out, b, clen;
	uint32_t	 crc;

	if (cap < sizeof snappy_ident)
		return fail(err, errlen, "snappy: output buffer too small");
	memcpy(dst, snappy_ident, sizeof snappy_ident);
	out = sizeof snappy_ident;
	for (pos = 0; pos < n; pos += b) {
		b = n - pos < SNAPPY_BLOCK ? n - pos : SNAPPY_BLOCK;
		if (cap - out < 8 + snappy_max_compressed_length(b))
			return fail(err, errlen, "snappy: output buffer too "
			    "small");
		crc = rs_crc32c_mask(rs_crc32c(0, src + pos, b));
		clen = cap - out - 8;
		if (snappy_compress((const char *)src + pos, b,
		    (char *)dst + out + 8, &clen) != SNAPPY_OK)
			return fail(err, errlen, "snappy: compression failed");
		if (clen * 100 <= b * SNAPPY_RATIO_N) {
			dst[out] = 0x00;
		} else {
			dst[out] = 0x01;
			memcpy(dst + out + 8, src + pos, b);
			clen = b;
		}
		dst[out + 1] = (uint8_t)(clen + 4);
		dst[out + 2] = (uint8_t)((clen + 4) >> 8);
		dst[out + 3] = (uint8_t)((clen + 4) >> 16);
		dst[out + 4] = (uint8_t)crc;
		dst[out + 5] = (uint8_t)(crc >> 8);
		dst[out + 6] = (uint8_t)(crc >> 16);
		dst[out + 7] = (uint8_t)(crc >> 24);
		out += 8 + clen;
	}
	*outlen = out;
	return 0;
}
#endif

#ifdef HAVE_LZ4
static int
lz4_frame(struct rs_codec_ctx *x, const uint8_t *src, size_t n, uint8_t *dst,
    size_t cap, size_t *outlen, char *err, size_t errlen)
{
	LZ4F_preferences_t	 prefs;
	size_t			 out, r;

	lz4_prefs(&prefs);
	if (cap < LZ4F_compressFrameBound(n, &prefs))
		return fail(err, errlen, "lz4: output buffer too small");
	if (x->lz4c == NULL &&
	    LZ4F_isError(LZ4F_createCompressionContext(&x->lz4c,
	    LZ4F_VERSION))) {
		x->lz4c = NULL;
		return fail(err, errlen, "lz4: out of memory");
	}
	if (LZ4F_isError(r = LZ4F_compressBegin(x->lz4c, dst, cap, &prefs)))
		goto bad;
	out = r;
	if (n > 0) {
		r = LZ4F_compressUpdate(x->lz4c, dst + out, cap - out, src, n,
		    NULL);
		if (LZ4F_isError(r))
			goto bad;
		out += r;
	}
	if (LZ4F_isError(r = LZ4F_compressEnd(x->lz4c, dst + out, cap - out,
	    NULL)))
		goto bad;
	*outlen = out + r;
	return 0;
bad:
	return fail(err, errlen, "lz4: %s", LZ4F_getErrorName(r));
}
#endif

#ifdef HAVE_ZSTD
static int
zstd_frame(struct rs_codec_ctx *x, const uint8_t *src, size_t n, uint8_t *dst,
    size_t cap, size_t *outlen, char *err, size_t errlen)
{
	size_t	 r;

	if (x->zstdc == NULL) {
		if ((x->zstdc = ZSTD_createCCtx()) == NULL)
			return fail(err, errlen, "zstd: out of memory");
		ZSTD_CCtx_setParameter(x->zstdc, ZSTD_c_compressionLevel,
		    ZSTD_LEVEL);
		ZSTD_CCtx_setParameter(x->zstdc, ZSTD_c_checksumFlag, 0);
		ZSTD_CCtx_setParameter(x->zstdc, ZSTD_c_contentSizeFlag, 1);
	}
	r = ZSTD_compress2(x->zstdc, dst, cap, src, n);
	if (ZSTD_isError(r))
		return fail(err, errlen, "zstd: %s", ZSTD_getErrorName(r));
	*outlen = r;
	return 0;
}
#endif

/*
 * Compress n bytes (a batch's size-prefixed records) with codec c into dst,
 * which holds cap bytes (rs_codec_bound() is always enough), in the framing
 * the Java client writes: 0 with *outlen, or -1 with err.
 */
int
rs_codec_compress(struct rs_codec_ctx *x, enum rs_codec c, const uint8_t *src,
    size_t n, uint8_t *dst, size_t cap, size_t *outlen, char *err,
    size_t errlen)
{
	size_t	 r;

	if ((int)c < 0 || (int)c > RS_CODEC_MAX)
		return fail(err, errlen, "unknown compression type %d", (int)c);
	if (!rs_codec_available(c))
		return fail(err, errlen, "%s is not in this build (configured "
		    "--without-%s)", names[c], names[c]);
	switch (c) {
	case RS_CODEC_NONE:
		if (cap < n)
			return fail(err, errlen, "output buffer too small");
		if (n > 0)
			memcpy(dst, src, n);
		*outlen = n;
		return 0;
	case RS_CODEC_GZIP:
		if (x->gzip == NULL &&
		    (x->gzip = libdeflate_alloc_compressor(GZIP_LEVEL)) == NULL)
			return fail(err, errlen, "gzip: out of memory");
		if ((r = libdeflate_gzip_compress(x->gzip, src, n, dst,
		    cap)) == 0)
			return fail(err, errlen, "gzip: output buffer too "
			    "small");
		*outlen = r;
		return 0;
#ifdef HAVE_SNAPPY
	case RS_CODEC_SNAPPY:
		return snappy_frame(src, n, dst, cap, outlen, err, errlen);
#endif
#ifdef HAVE_LZ4
	case RS_CODEC_LZ4:
		return lz4_frame(x, src, n, dst, cap, outlen, err, errlen);
#endif
#ifdef HAVE_ZSTD
	case RS_CODEC_ZSTD:
		return zstd_frame(x, src, n, dst, cap, outlen, err, errlen);
#endif
	default:
		break;
	}
	return fail(err, errlen, "unknown compression type %d", (int)c);
}
