/*
 * test-crc32.c: rs_crc32() against zlib's crc32_z() for every length up to
 * 3,000 bytes at every alignment, from several starting values, over split
 * buffers, and over 1 MiB; and that it uses carry-less multiplication where
 * the CPU has it (else the folding code would go untested here).
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#include "crc32.h"
#include "tap.h"

#define MAXLEN	3000

int
main(void)
{
	static const uint32_t	 seeds[] = { 0, 1, 0xffffffffu, 0x12345678u };
	uint8_t			*buf;
	size_t			 n, off, s, split, big = 1u << 20;
	uint32_t		 want, got, x = 2463534242u;
	int			 bad = 0, i;

	if ((buf = malloc(big + 16)) == NULL)
		return 1;
	for (n = 0; n < big + 16; n++) {	/* xorshift32 bytes */
		x ^= x << 13, x ^= x >> 17, x ^= x << 5;
		buf[n] = (uint8_t)x;
	}

	for (i = 0; i < 4; i++)
		for (off = 0; off < 16; off++)
			for (n = 0; n <= MAXLEN; n++) {
				want = (uint32_t)crc32_z(seeds[i], buf + off, n);
				if (rs_crc32(seeds[i], buf + off, n) != want)
					bad++;
			}
	ok(bad == 0, "every length 0-%d at 16 alignments from 4 starting "
	    "values agrees with zlib (%d differ)", MAXLEN, bad);

	bad = 0;
	want = (uint32_t)crc32_z(0, buf, 1000);
	for (split = 0; split <= 1000; split++) {
		got = rs_crc32(rs_crc32(0, buf, split), buf + split, 1000 - split);
		if (got != want)
			bad++;
	}
	ok(bad == 0, "a buffer split anywhere gives the same CRC (%d differ)",
	    bad);

	for (s = 0; s < 3; s++) {
		n = big - s * 7;
		ok(rs_crc32(0, buf + s, n) == (uint32_t)crc32_z(0, buf + s, n),
		    "%zu bytes at offset %zu", n, s);
	}
	ok(rs_crc32(0, (const uint8_t *)"123456789", 9) == 0xcbf43926u,
	    "the check value of CRC-32 (\"123456789\")");
	memset(buf, 0, 4096);
	ok(rs_crc32(0, buf, 4096) == (uint32_t)crc32_z(0, buf, 4096),
	    "4 KiB of zeros");

#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
	__builtin_cpu_init();
	ok(strcmp(rs_crc32_impl(), __builtin_cpu_supports("pclmul") &&
	    __builtin_cpu_supports("sse4.1") ? "pclmul" : "zlib") == 0,
	    "uses %s, as this CPU allows", rs_crc32_impl());
#else
	ok(strcmp(rs_crc32_impl(), "zlib") == 0, "uses zlib");
#endif
	free(buf);
	return done_testing();
}
