/*
 * test-route.c: MurmurHash3 x86_32 against the published test vectors
 * (SMHasher's verification set as usually quoted: empty input with seeds
 * 0, 1 and 0xffffffff, and the 0x9747b28c strings), hash routing against
 * partitions that rabbitmq-stream-js-client 1.0.0 picks for the same keys
 * (tests/node/route.js prints them), and the routing key of a record: -K
 * splitting and -J field paths; and what a broker without super streams
 * is told.
 */
#include "config.h"

#include <string.h>

#include "proto.h"
#include "route.h"
#include "tap.h"

static void
mm_is(const char *s, size_t n, uint32_t seed, uint32_t want)
{
	is_uint(rs_route_murmur3(s, n, seed), want, "murmur3(\"%.20s\", %u)",
	    s, (unsigned)seed);
}

static void
split_is(const char *rec, const char *delim, int want, size_t wklen)
{
	size_t	 klen = 9999;
	int	 rc;

	rc = rs_route_split((const uint8_t *)rec, strlen(rec), delim,
	    strlen(delim), &klen);
	is_int(rc, want, "split \"%s\" at \"%s\"", rec, delim);
	if (rc == 0)
		is_uint(klen, wklen, "key length of \"%s\"", rec);
}

static void
json_is(const char *rec, const char *path, const char *want)
{
	char	 key[64], why[200];
	int	 rc;

	rc = rs_route_json_key((const uint8_t *)rec, strlen(rec), path, key,
	    sizeof key, why, sizeof why);
	if (want == NULL)
		ok(rc == -1, "%s in %s: no key (%s)", path, rec, why);
	else if (ok(rc == 0, "%s in %s: a key", path, rec))
		is_str(key, want, "%s in %s", path, rec);
}

int
main(void)
{
	static const struct {
		const char	*key;
		uint32_t	 n;
		uint32_t	 part;
	} js[] = {
#include "route-vectors.h"
	};
	size_t	 i;

	mm_is("", 0, 0, 0);
	mm_is("", 0, 1, 0x514e28b7u);
	mm_is("", 0, 0xffffffffu, 0x81f16f39u);
	mm_is("\0\0\0\0", 4, 0, 0x2362f9deu);
	mm_is("aaaa", 4, 0x9747b28cu, 0x5a97808au);
	mm_is("aaa", 3, 0x9747b28cu, 0x283e0130u);
	mm_is("aa", 2, 0x9747b28cu, 0x5d211726u);
	mm_is("a", 1, 0x9747b28cu, 0x7fa09ea6u);
	mm_is("abcd", 4, 0x9747b28cu, 0xf0478627u);
	mm_is("abc", 3, 0x9747b28cu, 0xc84a62ddu);
	mm_is("ab", 2, 0x9747b28cu, 0x74875592u);
	mm_is("Hello, world!", 13, 0x9747b28cu, 0x24884cbau);
	mm_is("The quick brown fox jumps over the lazy dog", 43,
	    0x9747b28cu, 0x2fa826cdu);

	for (i = 0; i < sizeof js / sizeof js[0]; i++)
		is_uint(rs_route_hash(js[i].key, strlen(js[i].key), js[i].n),
		    js[i].part, "key \"%s\" of %u partitions: as the js client",
		    js[i].key, (unsigned)js[i].n);
	is_uint(rs_route_hash("anything", 8, 1), 0, "one partition: always 0");

	split_is("k1\tvalue", "\t", 0, 2);
	split_is("\tvalue", "\t", 0, 0);
	split_is("k1\t", "\t", 0, 2);
	split_is("k1::v::w", "::", 0, 2);
	split_is("novalue", "\t", -1, 0);
	split_is("k:", "::", -1, 0);
	split_is("", ":", -1, 0);

	json_is("{\"region\":\"emea\",\"body\":\"x\"}", "region", "emea");
	json_is("{\"application_properties\":{\"region\":\"apac\"}}",
	    "application_properties.region", "apac");
	json_is("{\"properties\":{\"message_id\":42}}",
	    "properties.message_id", "42");
	json_is("{\"k\":true}", "k", "true");
	json_is("{\"k\":\"caf\xc3\xa9\"}", "k", "caf\xc3\xa9");
	json_is("{\"body\":\"x\"}", "region", NULL);
	json_is("{\"region\":null}", "region", NULL);
	json_is("{\"region\":[1]}", "region", NULL);
	json_is("{\"a\":\"x\"}", "a.b", NULL);
	json_is("{\"k\":\"a\\u0000b\"}", "k", NULL);
	json_is("not json", "k", NULL);
	json_is("{\"k\":\"0123456789012345678901234567890123456789"
	    "0123456789012345678901234567890123456789\"}", "k", NULL);

	{
		struct rs_features	 fs;
		struct rs_command_version cv = { RS_CREATE_SUPER_STREAM, 1, 1 };
		char			 msg[200];

		rs_features_init(&fs, RS_VERSION(3, 10, 8));
		is_int(rs_features_why(&fs, "3.10.8", RS_FEATURE_SUPER_STREAMS,
		    msg, sizeof msg), -1, "3.10.8 has no super streams");
		is_str(msg, "super streams need RabbitMQ 3.11 or later; the "
		    "broker is 3.10.8", "... and says so in one line");
		rs_features_init(&fs, RS_VERSION(3, 11, 0));
		ok(rs_features_has(&fs, RS_FEATURE_SUPER_STREAMS),
		    "3.11.0 has super streams, negotiated or not");
		ok(!rs_features_has(&fs, RS_FEATURE_SUPER_STREAM_COMMANDS),
		    "... but not CreateSuperStream");
		rs_features_init(&fs, RS_VERSION(3, 13, 7));
		fs.negotiated = 1;
		rs_features_accept(&fs, &cv);
		ok(rs_features_has(&fs, RS_FEATURE_SUPER_STREAM_COMMANDS),
		    "3.13 listing CreateSuperStream has it");
		rs_features_init(&fs, 0);
		rs_features_why(&fs, "", RS_FEATURE_SUPER_STREAMS, msg,
		    sizeof msg);
		is_str(msg, "super streams need RabbitMQ 3.11 or later; the "
		    "broker did not report its version", "no version: said");
	}
	return done_testing();
}
