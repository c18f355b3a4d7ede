/*
 * crc32.h: the CRC-32 of chunk data, as zlib computes it, faster where the
 * CPU can fold with carry-less multiplication (crc32.c).
 */
#ifndef RS_CRC32_H
#define RS_CRC32_H

#include <stddef.h>
#include <stdint.h>

uint32_t	 rs_crc32(uint32_t, const uint8_t *, size_t);
const char	*rs_crc32_impl(void);

#endif
