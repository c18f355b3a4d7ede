/*
 * route.c: hash routing for super streams and the routing key of a record.
 *
 * MurmurHash3 x86_32 (Austin Appleby's public-domain design, written here
 * from its description): the key in 4-byte little-endian blocks, each mixed
 * into the state, then the 1 to 3 bytes left, the length, and a final
 * avalanche. The clients reduce it to a partition with an unsigned modulo
 * (the Java client: the hash as an unsigned int, % the partition count).
 *
 * A record's key is either before a delimiter (-K, as kcat has it: the
 * first occurrence splits key from value) or a field of a -J JSON object
 * found by a dotted path ("region", "application_properties.region",
 * "properties.message_id"); a string is the key as it is, a number or a
 * boolean its JSON text.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "route.h"

#define C1	0xcc9e2d51u
#define C2	0x1b873593u

static uint32_t
rotl(uint32_t x, int r)
{
	return (x << r) | (x >> (32 - r));
}

/* One block (or the tail) scrambled before it is mixed in. */
static uint32_t
scramble(uint32_t k)
{
	k *= C1;
	k = rotl(k, 15);
	return k * C2;
}

/* MurmurHash3 x86_32 of len bytes with this seed. */
uint32_t
rs_route_murmur3(const void *key, size_t len, uint32_t seed)
{
	const uint8_t	*p = key;
	uint32_t	 h = seed, k;
	size_t		 i, nblocks = len / 4;

	for (i = 0; i < nblocks; i++, p += 4) {
		k = (uint32_t)p[0] | (uint32_t)p[1] << 8 |
		    (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
		h ^= scramble(k);
		h = rotl(h, 13);
		h = h * 5 + 0xe6546b64u;
	}
	k = 0;
	switch (len & 3) {
	case 3:
		k ^= (uint32_t)p[2] << 16;
		/* FALLTHROUGH */
	case 2:
		k ^= (uint32_t)p[1] << 8;
		/* FALLTHROUGH */
	case 1:
		k ^= p[0];
		h ^= scramble(k);
	}
	h ^= (uint32_t)len;
	h ^= h >> 16;
	h *= 0x85ebca6bu;
	h ^= h >> 13;
	h *= 0xc2b2ae35u;
	h ^= h >> 16;
	return h;
}

/* The index of the partition (of n, n > 0) hash routing gives this key. */
uint32_t
rs_route_hash(const void *key, size_t len, uint32_t n)
{
	return rs_route_murmur3(key, len, RS_ROUTE_SEED) % n;
}

/*
 * Where the value starts in a "key DELIM value" record: 0 with *klen the
 * key's length (the value follows the delimiter), -1 if the record has no
 * delimiter.
 */
int
rs_route_split(const uint8_t *rec, size_t n, const char *delim, size_t dlen,
    size_t *klen)
{
	size_t	 i;

	if (dlen == 0 || n < dlen)
		return -1;
	for (i = 0; i + dlen <= n; i++)
		if (memcmp(rec + i, delim, dlen) == 0) {
			*klen = i;
			return 0;
		}
	return -1;
}

/*
 * The routing key of a JSON record: the field at path (dots between
 * members) into key[size] as a NUL-terminated string, *klen-less: its
 * length is strlen unless it holds NUL (refused). 0 on success, -1 with a
 * reason in why.
 */
int
rs_route_json_key(const uint8_t *rec, size_t n, const char *path, char *key,
    size_t size, char *why, size_t wsize)
{
	json_error_t	 e;
	json_t		*root, *v;
	char		 member[256], *text = NULL;
	const char	*p = path, *dot, *s;
	size_t		 len;
	int		 rc = -1;

	if ((root = json_loadb((const char *)rec, n, JSON_ALLOW_NUL,
	    &e)) == NULL) {
		snprintf(why, wsize, "bad JSON at column %d: %s", e.column,
		    e.text);
		return -1;
	}
	v = root;
	for (;;) {
		dot = strchr(p, '.');
		len = dot != NULL ? (size_t)(dot - p) : strlen(p);
		if (len >= sizeof member || !json_is_object(v)) {
			v = NULL;
			break;
		}
		memcpy(member, p, len);
		member[len] = '\0';
		if ((v = json_object_get(v, member)) == NULL || dot == NULL)
			break;
		p = dot + 1;
	}
	if (v == NULL || json_is_null(v)) {
		snprintf(why, wsize, "no routing key: the record has no \"%s\"",
		    path);
		goto out;
	}
	if (json_is_string(v)) {
		s = json_string_value(v);
		len = json_string_length(v);
		if (strlen(s) != len) {
			snprintf(why, wsize, "routing key \"%s\" holds a NUL",
			    path);
			goto out;
		}
	} else if (json_is_number(v) || json_is_boolean(v)) {
		if ((text = json_dumps(v, JSON_ENCODE_ANY)) == NULL) {
			snprintf(why, wsize, "out of memory");
			goto out;
		}
		s = text;
		len = strlen(s);
	} else {
		snprintf(why, wsize, "routing key \"%s\" is not a string or a "
		    "number", path);
		goto out;
	}
	if (len >= size || len > RS_ROUTE_KEY_MAX) {
		snprintf(why, wsize, "routing key \"%s\" is longer than %d "
		    "bytes", path, RS_ROUTE_KEY_MAX);
		goto out;
	}
	memcpy(key, s, len + 1);
	rc = 0;
out:
	free(text);
	json_decref(root);
	return rc;
}
