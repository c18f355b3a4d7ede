/*
 * route.h: which partition of a super stream a record goes to, and the
 * routing key taken from the record. Pure: no I/O.
 *
 * Hash routing is the stream clients' own (rabbitmq-stream-java-client
 * HashRoutingMurmurStrategy, rabbitmq-stream-js-client): MurmurHash3
 * x86_32 with seed 104729 over the key's bytes (UTF-8 as given), the hash
 * taken as an unsigned 32-bit number, modulo the partition count, an index
 * into the partitions in the order the broker's Partitions command lists
 * them. So a key lands in the partition those clients pick.
 */
#ifndef RS_ROUTE_H
#define RS_ROUTE_H

#include <stddef.h>
#include <stdint.h>

#define RS_ROUTE_SEED		104729u	/* every stream client's */
#define RS_ROUTE_KEY_MAX	4096	/* longest routing key we take */

uint32_t	 rs_route_murmur3(const void *, size_t, uint32_t);
uint32_t	 rs_route_hash(const void *, size_t, uint32_t);
int		 rs_route_split(const uint8_t *, size_t, const char *, size_t,
		    size_t *);
int		 rs_route_json_key(const uint8_t *, size_t, const char *,
		    char *, size_t, char *, size_t);

#endif
