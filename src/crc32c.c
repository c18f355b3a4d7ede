/*
 * crc32c.c: CRC-32C (Castagnoli, reflected polynomial 0x82f63b78), the
 * checksum of the Snappy framing format's data chunks (google/snappy
 * framing_format.txt, section 3; RFC 3720 section 12.1 and appendix B.4
 * for test vectors). Not a codec, so not worth a library: x86-64 with
 * SSE4.2 has an instruction for it (eight bytes a step), and everything
 * else takes a byte-at-a-time table (a few hundred MB/s, plenty for 64 KiB
 * Snappy chunks).
 *
 * The masking the framing format adds (rotate right 15, add 0xa282ead8)
 * is rs_crc32c_mask(), so that callers compare with what is on the wire.
 */
#include "config.h"

#include "crc32c.h"

#define POLY	0x82f63b78u	/* 0x1edc6f41 bit-reflected */

static uint32_t	 table[256];
static int	 have_table;

static void
make_table(void)
{
	uint32_t	 c;
	int		 i, k;

	for (i = 0; i < 256; i++) {
		c = (uint32_t)i;
		for (k = 0; k < 8; k++)
			c = (c & 1) ? (c >> 1) ^ POLY : c >> 1;
		table[i] = c;
	}
	have_table = 1;
}

/* The table version, whatever the CPU: the reference the fast one is tested against. */
uint32_t
rs_crc32c_soft(uint32_t crc, const uint8_t *p, size_t n)
{
	if (!have_table)
		make_table();
	crc = ~crc;
	while (n-- > 0)
		crc = table[(crc ^ *p++) & 0xff] ^ (crc >> 8);
	return ~crc;
}

#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
#define RS_CRC32C_SSE42	1
#include <immintrin.h>
#include <string.h>

static __attribute__((target("sse4.2"))) uint32_t
crc_sse42(uint32_t crc, const uint8_t *p, size_t n)
{
	uint64_t	 c = ~crc, w;

	for (; n >= 8; p += 8, n -= 8) {
		memcpy(&w, p, 8);	/* unaligned, little-endian */
		c = _mm_crc32_u64(c, w);
	}
	crc = (uint32_t)c;
	while (n-- > 0)
		crc = _mm_crc32_u8(crc, *p++);
	return ~crc;
}

static int
have_sse42(void)
{
	static int	 have = -1;

	if (have == -1) {
		__builtin_cpu_init();
		have = __builtin_cpu_supports("sse4.2");
	}
	return have;
}
#endif

/* Which implementation rs_crc32c() uses here: "sse4.2" or "table". */
const char *
rs_crc32c_impl(void)
{
#ifdef RS_CRC32C_SSE42
	if (have_sse42())
		return "sse4.2";
#endif
	return "table";
}

/* Continue crc (0 to start) over n bytes. */
uint32_t
rs_crc32c(uint32_t crc, const uint8_t *p, size_t n)
{
#ifdef RS_CRC32C_SSE42
	if (have_sse42())
		return crc_sse42(crc, p, n);
#endif
	return rs_crc32c_soft(crc, p, n);
}

/* The checksum as the Snappy framing format stores it. */
uint32_t
rs_crc32c_mask(uint32_t crc)
{
	return ((crc >> 15) | (crc << 17)) + 0xa282ead8u;
}
