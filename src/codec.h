/*
 * codec.h: the compression of sub-entry batches (PROTOCOL.adoc "Deliver":
 * a sub-entry's compression type, 0 none, 1 gzip, 2 snappy, 3 lz4, 4 zstd)
 * in the framings the RabbitMQ clients write, on the real libraries (zlib
 * or libdeflate, libsnappy, liblz4, libzstd). Pure: no I/O; links into the
 * fuzzers.
 *
 * Decompression writes exactly the stated uncompressed length or fails:
 * a body that inflates to more or less than the batch header says, is
 * truncated or corrupt, is an error with a reason, never a larger buffer.
 */
#ifndef RS_CODEC_H
#define RS_CODEC_H

#include <stddef.h>
#include <stdint.h>

enum rs_codec {
	RS_CODEC_NONE = 0,
	RS_CODEC_GZIP = 1,
	RS_CODEC_SNAPPY = 2,
	RS_CODEC_LZ4 = 3,
	RS_CODEC_ZSTD = 4
};
#define RS_CODEC_MAX	4

struct rs_codec_ctx;	/* reusable library contexts, one per user */

struct rs_codec_ctx *rs_codec_ctx_new(void);
void		 rs_codec_ctx_free(struct rs_codec_ctx *);
int		 rs_codec_parse(const char *, enum rs_codec *);
const char	*rs_codec_name(int);
int		 rs_codec_available(enum rs_codec);
int		 rs_codec_decompress(struct rs_codec_ctx *, enum rs_codec,
		    const uint8_t *, size_t, uint8_t *, size_t, char *, size_t);
size_t		 rs_codec_bound(enum rs_codec, size_t);
int		 rs_codec_compress(struct rs_codec_ctx *, enum rs_codec,
		    const uint8_t *, size_t, uint8_t *, size_t, size_t *, char *,
		    size_t);

#endif
