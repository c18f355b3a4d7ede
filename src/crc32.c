/*
 * crc32.c: the CRC-32 of chunk data (the zlib/gzip CRC, reflected
 * polynomial 0xedb88320), checked on every chunk rstream-tail reads.
 *
 * zlib's crc32() does about 3.7 GB/s here, which is most of rstream-tail's
 * CPU on large chunks. On x86-64 with PCLMULQDQ, blocks of 16 bytes are
 * folded with carry-less multiplication instead (Gopal et al., "Fast CRC
 * Computation for Generic Polynomials Using PCLMULQDQ Instruction", Intel,
 * 2009): four 128-bit lanes folded 64 bytes at a time, then into one lane,
 * then Barrett-reduced to 32 bits. The tail (under 16 bytes) and short
 * buffers go to zlib, so both paths agree by construction at the seams; the
 * unit test checks every length up to a few KiB at every alignment.
 *
 * Constants, for P(x) = 0x104c11db7 bit-reflected (each is x^k mod P,
 * reflected and shifted one bit left as the method requires):
 *	k1 = x^(4*128+32), k2 = x^(4*128-32)	fold 4 lanes over 64 bytes
 *	k3 = x^(128+32),   k4 = x^(128-32)	fold 1 lane over 16 bytes
 *	k5 = x^64				64 bits to 32
 *	P' and mu = floor(x^64 / P)		Barrett reduction
 */
#include "config.h"

#include <zlib.h>

#include "crc32.h"

#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
#define RS_CRC_PCLMUL	1
#include <immintrin.h>

#define FOLD_MIN	64	/* below this zlib is as quick */

static __attribute__((target("pclmul,sse4.1"))) __m128i
fold(__m128i x, __m128i k)
{
	return _mm_xor_si128(_mm_clmulepi64_si128(x, k, 0x00),
	    _mm_clmulepi64_si128(x, k, 0x11));
}

/* The raw (not inverted) CRC of n bytes, n >= 64 and a multiple of 16. */
static __attribute__((target("pclmul,sse4.1"))) uint32_t
crc_pclmul(uint32_t crc, const uint8_t *p, size_t n)
{
	const __m128i	 k1k2 = _mm_set_epi64x(0x1c6e41596, 0x154442bd4);
	const __m128i	 k3k4 = _mm_set_epi64x(0x0ccaa009e, 0x1751997d0);
	const __m128i	 k5 = _mm_set_epi64x(0, 0x163cd6124);
	const __m128i	 poly = _mm_set_epi64x(0x1f7011641, 0x1db710641);
	const __m128i	 mask32 = _mm_set_epi32(0, 0, 0, -1);
	__m128i		 x1, x2, x3, x4, t;

	x1 = _mm_loadu_si128((const __m128i *)p);
	x2 = _mm_loadu_si128((const __m128i *)(p + 16));
	x3 = _mm_loadu_si128((const __m128i *)(p + 32));
	x4 = _mm_loadu_si128((const __m128i *)(p + 48));
	x1 = _mm_xor_si128(x1, _mm_cvtsi32_si128((int)crc));
	p += 64, n -= 64;

	for (; n >= 64; p += 64, n -= 64) {
		x1 = _mm_xor_si128(fold(x1, k1k2),
		    _mm_loadu_si128((const __m128i *)p));
		x2 = _mm_xor_si128(fold(x2, k1k2),
		    _mm_loadu_si128((const __m128i *)(p + 16)));
		x3 = _mm_xor_si128(fold(x3, k1k2),
		    _mm_loadu_si128((const __m128i *)(p + 32)));
		x4 = _mm_xor_si128(fold(x4, k1k2),
		    _mm_loadu_si128((const __m128i *)(p + 48)));
	}

	/* Four lanes into one, then the remaining 16-byte blocks. */
	x1 = _mm_xor_si128(fold(x1, k3k4), x2);
	x1 = _mm_xor_si128(fold(x1, k3k4), x3);
	x1 = _mm_xor_si128(fold(x1, k3k4), x4);
	for (; n >= 16; p += 16, n -= 16)
		x1 = _mm_xor_si128(fold(x1, k3k4),
		    _mm_loadu_si128((const __m128i *)p));

	/* 128 bits to 64 (k4 times the low half), then to 32 (k5). */
	t = _mm_clmulepi64_si128(k3k4, x1, 0x01);
	x1 = _mm_xor_si128(_mm_srli_si128(x1, 8), t);
	t = _mm_clmulepi64_si128(_mm_and_si128(x1, mask32), k5, 0x00);
	x1 = _mm_xor_si128(_mm_srli_si128(x1, 4), t);

	/* Barrett reduction, bit-reflected: 64 bits to the 32-bit CRC. */
	t = _mm_clmulepi64_si128(_mm_and_si128(x1, mask32), poly, 0x10);
	t = _mm_clmulepi64_si128(_mm_and_si128(t, mask32), poly, 0x00);
	x1 = _mm_xor_si128(x1, t);
	return (uint32_t)_mm_extract_epi32(x1, 1);
}

static int
have_pclmul(void)
{
	static int	 have = -1;

	if (have == -1) {
		__builtin_cpu_init();
		have = __builtin_cpu_supports("pclmul") &&
		    __builtin_cpu_supports("sse4.1");
	}
	return have;
}
#endif

/* Which implementation rs_crc32() uses here: "pclmul" or "zlib". */
const char *
rs_crc32_impl(void)
{
#ifdef RS_CRC_PCLMUL
	if (have_pclmul())
		return "pclmul";
#endif
	return "zlib";
}

/* Continue crc (0 to start) over n bytes, as zlib's crc32() would. */
uint32_t
rs_crc32(uint32_t crc, const uint8_t *p, size_t n)
{
#ifdef RS_CRC_PCLMUL
	size_t	 m;

	if (n >= FOLD_MIN && have_pclmul()) {
		m = n & ~(size_t)15;
		crc = ~crc_pclmul(~crc, p, m);
		p += m, n -= m;
	}
#endif
	return (uint32_t)crc32_z(crc, p, n);
}
