/*
 * fuzz-route.c: a record's routing key and partition (route.c). The input
 * is a path (or -K delimiter) up to the first NUL, then the record: the
 * record is split at the delimiter, its key looked up at the path as -J
 * would, and whatever key comes out hashed to a partition.
 */
#include "config.h"

#include <string.h>

#include "fuzz.h"
#include "route.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const uint8_t	*nul = memchr(data, '\0', size);
	char		 path[256], key[RS_ROUTE_KEY_MAX + 1], why[200];
	const uint8_t	*rec;
	size_t		 plen, n, klen;

	if (nul == NULL || (plen = (size_t)(nul - data)) >= sizeof path)
		return 0;
	memcpy(path, data, plen);
	path[plen] = '\0';
	rec = nul + 1;
	n = size - plen - 1;
	if (rs_route_split(rec, n, path, plen, &klen) == 0)
		(void)rs_route_hash(rec, klen, 1 + (uint32_t)n % 16);
	if (plen > 0 && rs_route_json_key(rec, n, path, key, sizeof key, why,
	    sizeof why) == 0)
		(void)rs_route_hash(key, strlen(key), 3);
	(void)rs_route_murmur3(rec, n, (uint32_t)plen);
	return 0;
}
