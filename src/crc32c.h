/*
 * crc32c.h: CRC-32C, the checksum of Snappy framed data (crc32c.c).
 */
#ifndef RS_CRC32C_H
#define RS_CRC32C_H

#include <stddef.h>
#include <stdint.h>

uint32_t	 rs_crc32c(uint32_t, const uint8_t *, size_t);
uint32_t	 rs_crc32c_soft(uint32_t, const uint8_t *, size_t);
uint32_t	 rs_crc32c_mask(uint32_t);
const char	*rs_crc32c_impl(void);

#endif
