/*
 * test-frame.c: the commands (src/frame.c). Every encoder's output is
 * compared with the bytes PROTOCOL.adoc gives, written out by hand here:
 * PeerProperties, SaslHandshake, SaslAuthenticate PLAIN, Tune, Open, Close
 * and its response, Heartbeat, Create with a max-age argument, Delete,
 * Metadata, DeclarePublisher, QueryPublisherSequence, DeletePublisher,
 * Subscribe (offset types 4 and 5 carry a u64, 1 does not; optional
 * properties), Unsubscribe, Credit, and a two-message Publish built with
 * begin/msg/end. Decoding covers the header layouts (responses with a
 * correlation id and code, the Metadata response without a code, the Credit
 * error response without a correlation id, the server's Close with both,
 * Tune and Deliver with neither), the per-command decoders, the Metadata
 * response captured from RabbitMQ 3.10.8 (and a 3-node variant), truncated
 * at every length, and hostile counts.
 *
 * The commands a 3.10.8 broker knows but the tools did not use yet
 * (StoreOffset, QueryOffset, Route, Partitions) and the newer ones (the
 * ConsumerUpdate reply, ExchangeCommandVersions, StreamStats, Publish v2,
 * CreateSuperStream, DeleteSuperStream, ResolveOffsetSpec) get the same:
 * exact bytes from the HEAD spec for each encoder; each response decoded,
 * then truncated at every length in a buffer of exactly that size (ASan
 * sees any read past it) and given counts it cannot hold. Route comes in
 * the shapes brokers have used: what 3.10.8 sent when asked (key 0x0018
 * without the response flag, an array), 3.12+ (0x8018, an array), and the
 * single string rabbit_stream_core of 3.10 describes but no broker sends.
 * Last, the broker version parser and the feature table.
 */
#include "config.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "frame.h"
#include "proto.h"
#include "tap.h"

/* A u64 written out byte by byte, for negative values too. */
#define B64(v, n)	(uint8_t)((uint64_t)(v) >> (n))
#define I64(v)	B64(v, 56), B64(v, 48), B64(v, 40), B64(v, 32), \
	B64(v, 24), B64(v, 16), B64(v, 8), B64(v, 0)

#define U64(v)	0, 0, 0, 0, 0, 0, 0, (v)

/* Run call on a fresh buffer b_; what it holds must be want. */
#define ENCODES(call, want, what) do {					\
	struct rs_buf	 b_;						\
									\
	rs_buf_init(&b_);						\
	call;								\
	is_mem(b_.data, b_.len, want, sizeof want, "%s", what);	\
	rs_buf_free(&b_);						\
} while (0)

static void
test_encode_connect(void)
{
	static const char *const	 kv[] = { "k", "v" };
	static const uint8_t	 peer[] = {
		0x00, 0x00, 0x00, 0x12, 0x00, 0x11, 0x00, 0x01,
		0x00, 0x00, 0x00, 0x01,
		0x00, 0x00, 0x00, 0x01,
		0x00, 0x01, 'k', 0x00, 0x01, 'v',
	};
	static const uint8_t	 peer0[] = {
		0x00, 0x00, 0x00, 0x0c, 0x00, 0x11, 0x00, 0x01,
		0x00, 0x00, 0x00, 0x01,
		0x00, 0x00, 0x00, 0x00,
	};
	static const uint8_t	 hs[] = {
		0x00, 0x00, 0x00, 0x08, 0x00, 0x12, 0x00, 0x01,
		0x00, 0x00, 0x00, 0x02,
	};
	static const uint8_t	 auth[] = {
		0x00, 0x00, 0x00, 0x1f, 0x00, 0x13, 0x00, 0x01,
		0x00, 0x00, 0x00, 0x03,
		0x00, 0x05, 'P', 'L', 'A', 'I', 'N',
		0x00, 0x00, 0x00, 0x0c,
		0x00, 'g', 'u', 'e', 's', 't', 0x00, 'g', 'u', 'e', 's', 't',
	};
	static const uint8_t	 tune[] = {
		0x00, 0x00, 0x00, 0x0c, 0x00, 0x14, 0x00, 0x01,
		0x00, 0x10, 0x00, 0x00,
		0x00, 0x00, 0x00, 0x3c,
	};
	static const uint8_t	 open[] = {
		0x00, 0x00, 0x00, 0x0b, 0x00, 0x15, 0x00, 0x01,
		0x00, 0x00, 0x00, 0x04,
		0x00, 0x01, '/',
	};
	static const uint8_t	 close[] = {
		0x00, 0x00, 0x00, 0x0f, 0x00, 0x16, 0x00, 0x01,
		0x00, 0x00, 0x00, 0x05,
		0x00, 0x01,
		0x00, 0x03, 'b', 'y', 'e',
	};
	static const uint8_t	 close_resp[] = {
		0x00, 0x00, 0x00, 0x0a, 0x80, 0x16, 0x00, 0x01,
		0x00, 0x00, 0x00, 0x07,
		0x00, 0x01,
	};
	static const uint8_t	 hb[] = {
		0x00, 0x00, 0x00, 0x04, 0x00, 0x17, 0x00, 0x01,
	};

	ENCODES(rs_frame_peer_properties(&b_, 1, kv, 1), peer,
	    "PeerProperties with one pair");
	ENCODES(rs_frame_peer_properties(&b_, 1, NULL, 0), peer0,
	    "PeerProperties with an empty map");
	ENCODES(rs_frame_sasl_handshake(&b_, 2), hs, "SaslHandshake");
	ENCODES(rs_frame_sasl_authenticate(&b_, 3, "PLAIN", "\0guest\0guest",
	    12), auth, "SaslAuthenticate PLAIN \\0guest\\0guest");
	ENCODES(rs_frame_tune(&b_, 1048576, 60), tune, "Tune 1048576/60");
	ENCODES(rs_frame_open(&b_, 4, "/"), open, "Open \"/\"");
	ENCODES(rs_frame_close(&b_, 5, RS_OK, "bye"), close, "Close 1 \"bye\"");
	ENCODES(rs_frame_close_response(&b_, 7, RS_OK), close_resp,
	    "Close response");
	ENCODES(rs_frame_heartbeat(&b_), hb, "Heartbeat");
}

static void
test_encode_streams(void)
{
	static const char *const	 args[] = { "max-age", "7D" };
	static const char *const	 streams[] = { "s1", "nope" };
	static const char *const	 props[] = { "name", "c" };
	static const uint8_t	 create[] = {
		0x00, 0x00, 0x00, 0x1d, 0x00, 0x0d, 0x00, 0x01,
		0x00, 0x00, 0x00, 0x06,
		0x00, 0x02, 's', '1',
		0x00, 0x00, 0x00, 0x01,
		0x00, 0x07, 'm', 'a', 'x', '-', 'a', 'g', 'e',
		0x00, 0x02, '7', 'D',
	};
	static const uint8_t	 delete[] = {
		0x00, 0x00, 0x00, 0x0c, 0x00, 0x0e, 0x00, 0x01,
		0x00, 0x00, 0x00, 0x08,
		0x00, 0x02, 's', '1',
	};
	static const uint8_t	 meta[] = {
		0x00, 0x00, 0x00, 0x16, 0x00, 0x0f, 0x00, 0x01,
		0x00, 0x00, 0x00, 0x09,
		0x00, 0x00, 0x00, 0x02,
		0x00, 0x02, 's', '1',
		0x00, 0x04, 'n', 'o', 'p', 'e',
	};
	static const uint8_t	 decl[] = {
		0x00, 0x00, 0x00, 0x10, 0x00, 0x01, 0x00, 0x01,
		0x00, 0x00, 0x00, 0x0a,
		0x07,
		0x00, 0x01, 'p',
		0x00, 0x02, 's', '1',
	};
	static const uint8_t	 decl_null[] = {
		0x00, 0x00, 0x00, 0x0f, 0x00, 0x01, 0x00, 0x01,
		0x00, 0x00, 0x00, 0x0a,
		0x07,
		0xff, 0xff,
		0x00, 0x02, 's', '1',
	};
	static const uint8_t	 qps[] = {
		0x00, 0x00, 0x00, 0x0f, 0x00, 0x05, 0x00, 0x01,
		0x00, 0x00, 0x00, 0x0b,
		0x00, 0x01, 'p',
		0x00, 0x02, 's', '1',
	};
	static const uint8_t	 delpub[] = {
		0x00, 0x00, 0x00, 0x09, 0x00, 0x06, 0x00, 0x01,
		0x00, 0x00, 0x00, 0x0c,
		0x07,
	};
	static const uint8_t	 sub4[] = {
		0x00, 0x00, 0x00, 0x19, 0x00, 0x07, 0x00, 0x01,
		0x00, 0x00, 0x00, 0x0d,
		0x01,
		0x00, 0x02, 's', '1',
		0x00, 0x04,
		U64(0x2a),
		0x00, 0x0a,
	};
	static const uint8_t	 sub1[] = {
		0x00, 0x00, 0x00, 0x11, 0x00, 0x07, 0x00, 0x01,
		0x00, 0x00, 0x00, 0x0e,
		0x01,
		0x00, 0x02, 's', '1',
		0x00, 0x01,
		0x00, 0x0a,
	};
	static const uint8_t	 sub5[] = {
		0x00, 0x00, 0x00, 0x19, 0x00, 0x07, 0x00, 0x01,
		0x00, 0x00, 0x00, 0x0e,
		0x02,
		0x00, 0x02, 's', '1',
		0x00, 0x05,
		0x00, 0x00, 0x01, 0x8b, 0xcf, 0xe5, 0x68, 0x00,
		0x00, 0x01,
	};
	static const uint8_t	 sub_props[] = {
		0x00, 0x00, 0x00, 0x1e, 0x00, 0x07, 0x00, 0x01,
		0x00, 0x00, 0x00, 0x0e,
		0x01,
		0x00, 0x02, 's', '1',
		0x00, 0x02,
		0x00, 0x0a,
		0x00, 0x00, 0x00, 0x01,
		0x00, 0x04, 'n', 'a', 'm', 'e',
		0x00, 0x01, 'c',
	};
	static const uint8_t	 unsub[] = {
		0x00, 0x00, 0x00, 0x09, 0x00, 0x0c, 0x00, 0x01,
		0x00, 0x00, 0x00, 0x0f,
		0x01,
	};
	static const uint8_t	 credit[] = {
		0x00, 0x00, 0x00, 0x07, 0x00, 0x09, 0x00, 0x01,
		0x01,
		0x00, 0x01,
	};

	ENCODES(rs_frame_create(&b_, 6, "s1", args, 1), create,
	    "Create \"s1\" max-age=7D");
	ENCODES(rs_frame_delete(&b_, 8, "s1"), delete, "Delete \"s1\"");
	ENCODES(rs_frame_metadata(&b_, 9, streams, 2), meta,
	    "Metadata [\"s1\", \"nope\"]");
	ENCODES(rs_frame_declare_publisher(&b_, 10, 7, "p", "s1"), decl,
	    "DeclarePublisher 7 \"p\" \"s1\"");
	ENCODES(rs_frame_declare_publisher(&b_, 10, 7, NULL, "s1"), decl_null,
	    "DeclarePublisher with a null reference");
	ENCODES(rs_frame_query_publisher_sequence(&b_, 11, "p", "s1"), qps,
	    "QueryPublisherSequence \"p\" \"s1\"");
	ENCODES(rs_frame_delete_publisher(&b_, 12, 7), delpub,
	    "DeletePublisher 7");
	ENCODES(rs_frame_subscribe(&b_, 13, 1, "s1", RS_OFFSET_OFFSET, 42, 10,
	    NULL, 0), sub4, "Subscribe type 4 offset 42 credit 10 (u64 present)");
	ENCODES(rs_frame_subscribe(&b_, 14, 1, "s1", RS_OFFSET_FIRST, 99, 10,
	    NULL, 0), sub1, "Subscribe type 1 (no offset value)");
	ENCODES(rs_frame_subscribe(&b_, 14, 2, "s1", RS_OFFSET_TIMESTAMP,
	    1700000000000ULL, 1, NULL, 0), sub5,
	    "Subscribe type 5 timestamp 1700000000000 (u64 present)");
	ENCODES(rs_frame_subscribe(&b_, 14, 1, "s1", RS_OFFSET_LAST, 0, 10,
	    props, 1), sub_props, "Subscribe type 2 with properties name=c");
	ENCODES(rs_frame_unsubscribe(&b_, 15, 1), unsub, "Unsubscribe 1");
	ENCODES(rs_frame_credit(&b_, 1, 1), credit, "Credit 1 1");
}

static void
test_encode_publish(void)
{
	static const uint8_t	 want[] = {
		0x00, 0x00, 0x00, 0x04, 0x00, 0x17, 0x00, 0x01,	/* heartbeat */
		0x00, 0x00, 0x00, 0x26, 0x00, 0x02, 0x00, 0x01,
		0x07,
		0x00, 0x00, 0x00, 0x02,
		U64(1),
		0x00, 0x00, 0x00, 0x02, 'h', 'i',
		U64(2),
		0x00, 0x00, 0x00, 0x03, 'a', 'b', 'c',
	};
	struct rs_buf	 b;
	size_t		 start;

	rs_buf_init(&b);
	rs_frame_heartbeat(&b);
	start = rs_frame_publish_begin(&b, 7);
	is_uint(start, 8, "Publish begins after what the buffer held");
	is_uint(b.len - start, RS_PUBLISH_HEADER,
	    "begin writes RS_PUBLISH_HEADER bytes");
	rs_frame_publish_msg(&b, 1, 2);
	is_uint(b.len - start, RS_PUBLISH_HEADER + RS_PUBLISH_PER_MSG,
	    "msg writes RS_PUBLISH_PER_MSG bytes");
	rs_buf_put(&b, "hi", 2);
	rs_frame_publish_msg(&b, 2, 3);
	rs_buf_put(&b, "abc", 3);
	rs_frame_publish_end(&b, start, 2);
	is_mem(b.data, b.len, want, sizeof want,
	    "Publish of two messages: size 0x26, count 2");
	rs_buf_free(&b);
}

/* Decode n bytes (a frame without its size); the rc of rs_frame_decode. */
static int
decode(const uint8_t *p, size_t n, struct rs_frame *f)
{
	char	 err[128];

	return rs_frame_decode(p, n, f, err, sizeof err);
}

static int
str_is(const struct rs_str *s, const char *z)
{
	return s->p != NULL && s->len == strlen(z) &&
	    memcmp(s->p, z, s->len) == 0;
}

static void
test_decode_layouts(void)
{
	static const uint8_t	 decl_resp[] = {
		0x80, 0x01, 0x00, 0x01, 0x00, 0x00, 0x00, 0x0a, 0x00, 0x12,
	};
	static const uint8_t	 credit_err[] = {
		0x80, 0x09, 0x00, 0x01, 0x00, 0x04, 0x2a,
	};
	static const uint8_t	 srv_close[] = {
		0x00, 0x16, 0x00, 0x01, 0x00, 0x00, 0x00, 0x01, 0x00, 0x0d,
		0x00, 0x0d, 'u', 'n', 'k', 'n', 'o', 'w', 'n', ' ', 'f', 'r',
		'a', 'm', 'e',
	};
	static const uint8_t	 tune[] = {
		0x00, 0x14, 0x00, 0x01, 0x00, 0x10, 0x00, 0x00,
		0x00, 0x00, 0x00, 0x3c,
	};
	static const uint8_t	 meta_resp[] = {
		0x80, 0x0f, 0x00, 0x01, 0x00, 0x00, 0x00, 0x09,
		0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
	};
	static const uint8_t	 cu[] = {
		0x00, 0x1a, 0x00, 0x01, 0x00, 0x00, 0x00, 0x05, 0x01, 0x01,
	};
	static const uint8_t	 trunc_resp[] = {
		0x80, 0x01, 0x00, 0x01, 0x00, 0x00, 0x00, 0x0a, 0x00,
	};
	static const uint8_t	 trunc_credit[] = { 0x80, 0x09, 0x00, 0x01, 0x00 };
	static const uint8_t	 mu[] = {
		0x00, 0x10, 0x00, 0x01, 0x00, 0x06, 0x00, 0x02, 's', '1',
	};
	static const uint8_t	 qps_resp[] = {
		0x80, 0x05, 0x00, 0x01, 0x00, 0x00, 0x00, 0x0b, 0x00, 0x01,
		U64(4),
	};
	struct rs_frame	 f;
	struct rs_str	 s;
	char		 err[128];
	uint32_t	 fmax, hb;
	uint16_t	 code;
	uint64_t	 seq;
	uint8_t		 subid;

	is_int(decode(decl_resp, sizeof decl_resp, &f), 0,
	    "DeclarePublisher response decodes");
	ok(f.key == (RS_DECLARE_PUBLISHER | RS_RESPONSE) && f.version == 1,
	    "key 0x8001 version 1");
	ok(f.has_corr && f.corr == 10, "correlation id 10");
	is_uint(f.code, RS_PUBLISHER_DOES_NOT_EXIST, "code 0x12");
	is_uint(f.body.left, 0, "nothing after the code");

	is_int(decode(credit_err, sizeof credit_err, &f), 0,
	    "Credit error response decodes");
	ok(!f.has_corr, "it has no correlation id");
	is_uint(f.code, RS_SUBSCRIPTION_ID_DOES_NOT_EXIST, "code 4");
	is_int(rs_frame_credit_error_decode(&f, &subid), 0, "its body decodes");
	is_uint(subid, 42, "subscription id 42");

	is_int(decode(srv_close, sizeof srv_close, &f), 0,
	    "server Close decodes");
	ok(f.has_corr && f.corr == 1, "with correlation id 1");
	is_uint(f.code, RS_UNKNOWN_FRAME, "and code 0x0d");
	is_int(rs_frame_close_decode(&f, &s), 0, "its reason decodes");
	ok(str_is(&s, "unknown frame"), "reason \"unknown frame\"");

	is_int(decode(tune, sizeof tune, &f), 0, "Tune decodes");
	ok(!f.has_corr && f.code == RS_OK, "no correlation id, no code");
	is_int(rs_frame_tune_decode(&f, &fmax, &hb), 0, "its body decodes");
	ok(fmax == 1048576 && hb == 60, "frame max 1048576, heartbeat 60");
	is_int(decode(tune, 8, &f), 0, "a Tune cut short decodes");
	is_int(rs_frame_tune_decode(&f, &fmax, &hb), -1,
	    "but its body does not");

	is_int(decode(meta_resp, sizeof meta_resp, &f), 0,
	    "Metadata response decodes");
	ok(f.has_corr && f.corr == 9, "correlation id 9");
	is_uint(f.code, RS_OK, "no code read (RS_OK)");
	is_uint(f.body.left, 8, "the body starts at the broker count");

	is_int(decode(cu, sizeof cu, &f), 0, "ConsumerUpdate decodes");
	ok(f.has_corr && f.corr == 5 && f.body.left == 2,
	    "correlation id 5, no code");

	is_int(decode(mu, sizeof mu, &f), 0, "MetadataUpdate decodes");
	ok(!f.has_corr && f.body.left == 6, "no correlation id, no code");
	is_int(rs_frame_metadata_update_decode(&f, &code, &s), 0,
	    "its body decodes");
	ok(code == RS_STREAM_NOT_AVAILABLE && str_is(&s, "s1"),
	    "code 6, stream \"s1\"");

	is_int(decode(qps_resp, sizeof qps_resp, &f), 0,
	    "QueryPublisherSequence response decodes");
	is_int(rs_frame_publisher_sequence_decode(&f, &seq), 0, "sequence decodes");
	is_uint(seq, 4, "sequence 4");

	err[0] = '\0';
	is_int(rs_frame_decode(decl_resp, 3, &f, err, sizeof err), -1,
	    "a 3-byte frame does not decode");
	ok(err[0] != '\0', "with a message: %s", err);
	err[0] = '\0';
	is_int(rs_frame_decode(trunc_resp, sizeof trunc_resp, &f, err,
	    sizeof err), -1, "a response cut inside its code does not decode");
	ok(err[0] != '\0', "with a message: %s", err);
	is_int(decode(decl_resp, 6, &f), -1,
	    "a response cut inside its correlation id does not decode");
	is_int(decode(trunc_credit, sizeof trunc_credit, &f), -1,
	    "a Credit response cut inside its code does not decode");
	is_int(decode(NULL, 0, &f), -1, "an empty frame does not decode");
}

static void
test_decode_deliver(void)
{
	static const uint8_t	 v1[] = {
		0x00, 0x08, 0x00, 0x01, 0x05, 'C', 'H', 'U', 'N', 'K',
	};
	static const uint8_t	 v2[] = {
		0x00, 0x08, 0x00, 0x02, 0x05, U64(7), 'C', 'H', 'U', 'N', 'K',
	};
	struct rs_frame	 f;
	const uint8_t	*chunk;
	size_t		 len;
	uint8_t		 subid;

	is_int(decode(v1, sizeof v1, &f), 0, "Deliver v1 decodes");
	ok(!f.has_corr && f.version == 1, "no correlation id, version 1");
	is_int(rs_frame_deliver_decode(&f, &subid, &chunk, &len), 0,
	    "its body decodes");
	ok(subid == 5 && chunk == v1 + 5 && len == 5,
	    "subscription 5, chunk right after it");

	is_int(decode(v2, sizeof v2, &f), 0, "Deliver v2 decodes");
	is_int(rs_frame_deliver_decode(&f, &subid, &chunk, &len), 0,
	    "its body decodes");
	ok(subid == 5 && chunk == v2 + 13 && len == 5,
	    "subscription 5, committed chunk id skipped");
	is_int(decode(v2, 12, &f), 0, "a Deliver v2 cut in its chunk id");
	is_int(rs_frame_deliver_decode(&f, &subid, &chunk, &len), -1,
	    "does not decode");
	is_int(decode(v1, 4, &f), 0, "a Deliver without a subscription id");
	is_int(rs_frame_deliver_decode(&f, &subid, &chunk, &len), -1,
	    "does not decode");
}

static void
test_map_mechanisms(void)
{
	static const uint8_t	 open_resp[] = {
		0x80, 0x15, 0x00, 0x01, 0x00, 0x00, 0x00, 0x04, 0x00, 0x01,
		0x00, 0x00, 0x00, 0x02,
		0x00, 0x0f, 'a', 'd', 'v', 'e', 'r', 't', 'i', 's', 'e', 'd',
		'_', 'h', 'o', 's', 't',
		0x00, 0x09, 'l', 'o', 'c', 'a', 'l', 'h', 'o', 's', 't',
		0x00, 0x0f, 'a', 'd', 'v', 'e', 'r', 't', 'i', 's', 'e', 'd',
		'_', 'p', 'o', 'r', 't',
		0x00, 0x04, '5', '5', '5', '2',
	};
	static const uint8_t	 open_fail[] = {
		0x80, 0x15, 0x00, 0x01, 0x00, 0x00, 0x00, 0x04, 0x00, 0x0c,
	};
	/* Count 2 and one pair of 10 bytes: the count passes, a pair is missing. */
	static const uint8_t	 short_map[] = {
		0x80, 0x11, 0x00, 0x01, 0x00, 0x00, 0x00, 0x01, 0x00, 0x01,
		0x00, 0x00, 0x00, 0x02,
		0x00, 0x03, 'k', 'e', 'y', 0x00, 0x03, 'v', 'a', 'l',
	};
	static const uint8_t	 huge_map[] = {
		0x80, 0x11, 0x00, 0x01, 0x00, 0x00, 0x00, 0x01, 0x00, 0x01,
		0x7f, 0xff, 0xff, 0xff,
		0x00, 0x00, 0x00, 0x00,
	};
	static const uint8_t	 mechs[] = {
		0x80, 0x12, 0x00, 0x01, 0x00, 0x00, 0x00, 0x02, 0x00, 0x01,
		0x00, 0x00, 0x00, 0x02,
		0x00, 0x08, 'A', 'M', 'Q', 'P', 'L', 'A', 'I', 'N',
		0x00, 0x05, 'P', 'L', 'A', 'I', 'N',
	};
	static const uint8_t	 huge_mechs[] = {
		0x80, 0x12, 0x00, 0x01, 0x00, 0x00, 0x00, 0x02, 0x00, 0x01,
		0x00, 0x00, 0xff, 0xff,
		0x00, 0x05, 'P', 'L', 'A', 'I', 'N',
	};
	struct rs_frame	 f;
	struct rs_str	 v;

	decode(open_resp, sizeof open_resp, &f);
	is_int(rs_frame_map_find(&f, "advertised_port", &v), 1,
	    "advertised_port found");
	ok(str_is(&v, "5552"), "advertised_port is \"5552\"");
	is_int(rs_frame_map_find(&f, "advertised_host", &v), 1,
	    "advertised_host found");
	ok(str_is(&v, "localhost"), "advertised_host is \"localhost\"");
	is_int(rs_frame_map_find(&f, "advertised", &v), 0,
	    "a prefix of a key is not found");
	is_int(rs_frame_map_find(&f, "nope", &v), 0, "an absent key is not found");
	decode(open_fail, sizeof open_fail, &f);
	is_int(rs_frame_map_find(&f, "advertised_host", &v), 0,
	    "a response without a map has no keys");
	decode(short_map, sizeof short_map, &f);
	is_int(rs_frame_map_find(&f, "key", &v), 1, "key of a short map found");
	is_int(rs_frame_map_find(&f, "nope", &v), -1,
	    "looking past its end is malformed");
	decode(huge_map, sizeof huge_map, &f);
	is_int(rs_frame_map_find(&f, "k", &v), -1,
	    "a map count of INT32_MAX is refused");

	decode(mechs, sizeof mechs, &f);
	is_int(rs_frame_mechanisms_has(&f, "PLAIN"), 1, "PLAIN is offered");
	is_int(rs_frame_mechanisms_has(&f, "AMQPLAIN"), 1, "AMQPLAIN is offered");
	is_int(rs_frame_mechanisms_has(&f, "EXTERNAL"), 0, "EXTERNAL is not");
	is_int(rs_frame_mechanisms_has(&f, "PLAI"), 0, "nor is PLAI");
	decode(mechs, sizeof mechs - 1, &f);
	is_int(rs_frame_mechanisms_has(&f, "PLAIN"), -1,
	    "a truncated mechanism list is malformed");
	decode(huge_mechs, sizeof huge_mechs, &f);
	is_int(rs_frame_mechanisms_has(&f, "PLAIN"), -1,
	    "a mechanism count of 65535 in 7 bytes is refused");
}

/* The Metadata response captured from 3.10.8 (PROTOCOL section 1.4). */
static const uint8_t	 capture[] = {
	0x80, 0x0f, 0x00, 0x01, 0x00, 0x00, 0x00, 0x09,
	0x00, 0x00, 0x00, 0x01,
	0x00, 0x00,
	0x00, 0x09, 'l', 'o', 'c', 'a', 'l', 'h', 'o', 's', 't',
	0x00, 0x00, 0x15, 0xb0,
	0x00, 0x00, 0x00, 0x02,
	0x00, 0x02, 's', '1', 0x00, 0x01, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
	0x00, 0x04, 'n', 'o', 'p', 'e', 0x00, 0x02, 0xff, 0xff,
	0x00, 0x00, 0x00, 0x00,
};
#define CAP_S1_LEADER	39	/* where "s1"'s leader reference is */
#define CAP_S1_NREPL	41	/* where "s1"'s replica count is */

/* A 3-node cluster: stream "s" led by ref 1 (5562), replicas 0 and 2. */
static const uint8_t	 cluster[] = {
	0x80, 0x0f, 0x00, 0x01, 0x00, 0x00, 0x00, 0x0a,
	0x00, 0x00, 0x00, 0x03,
	0x00, 0x00, 0x00, 0x09, 'l', 'o', 'c', 'a', 'l', 'h', 'o', 's', 't',
	0x00, 0x00, 0x15, 0xb9,
	0x00, 0x01, 0x00, 0x09, 'l', 'o', 'c', 'a', 'l', 'h', 'o', 's', 't',
	0x00, 0x00, 0x15, 0xba,
	0x00, 0x02, 0x00, 0x09, 'l', 'o', 'c', 'a', 'l', 'h', 'o', 's', 't',
	0x00, 0x00, 0x15, 0xbb,
	0x00, 0x00, 0x00, 0x01,
	0x00, 0x01, 's', 0x00, 0x01, 0x00, 0x01,
	0x00, 0x00, 0x00, 0x02, 0x00, 0x00, 0x00, 0x02,
};

/* A broker with a null host; a stream with a null name, then "s1". */
static const uint8_t	 nulls[] = {
	0x80, 0x0f, 0x00, 0x01, 0x00, 0x00, 0x00, 0x0b,
	0x00, 0x00, 0x00, 0x01,
	0x00, 0x00, 0xff, 0xff, 0x00, 0x00, 0x15, 0xb0,
	0x00, 0x00, 0x00, 0x02,
	0xff, 0xff, 0x00, 0x01, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
	0x00, 0x02, 's', '1', 0x00, 0x01, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
};

static int
meta(const uint8_t *p, size_t n, const char *stream, const char *host,
    uint32_t port, struct rs_stream_meta *m)
{
	struct rs_frame	 f;

	if (decode(p, n, &f) == -1)
		return -2;
	return rs_frame_metadata_decode(&f, stream, host, port, m);
}

static void
test_metadata(void)
{
	struct rs_stream_meta	 m;
	uint8_t			 bad[sizeof capture], *cut;
	size_t			 n;
	int			 rc, wrong = 0;

	is_int(meta(capture, sizeof capture, "s1", "localhost", 5552, &m), 1,
	    "capture: \"s1\" found");
	is_uint(m.code, RS_OK, "\"s1\" code 1");
	ok(m.has_leader, "\"s1\" has a leader");
	ok(str_is(&m.leader_host, "localhost") && m.leader_port == 5552,
	    "leader localhost:5552");
	is_uint(m.nreplicas, 0, "no replicas");
	is_int(m.self_is_member, 1, "localhost:5552 hosts \"s1\" (the leader)");
	meta(capture, sizeof capture, "s1", "otherhost", 5552, &m);
	is_int(m.self_is_member, 0, "otherhost:5552 does not");
	meta(capture, sizeof capture, "s1", "localhost", 5553, &m);
	is_int(m.self_is_member, 0, "localhost:5553 does not");
	meta(capture, sizeof capture, "s1", NULL, 0, &m);
	ok(m.self_is_member == 0 && m.has_leader, "no self node: not a member");

	is_int(meta(capture, sizeof capture, "nope", "localhost", 5552, &m), 1,
	    "capture: \"nope\" found");
	is_uint(m.code, RS_STREAM_DOES_NOT_EXIST, "\"nope\" code 2");
	ok(!m.has_leader, "\"nope\" has no leader (0xffff)");
	is_int(m.self_is_member, 0, "and no members");
	is_int(meta(capture, sizeof capture, "other", "localhost", 5552, &m),
	    0, "capture: \"other\" is not in the response");
	is_int(meta(capture, sizeof capture, "s", "localhost", 5552, &m), 0,
	    "nor is \"s\" (a prefix of \"s1\")");

	memcpy(bad, capture, sizeof capture);
	bad[CAP_S1_LEADER] = 0x00;
	bad[CAP_S1_LEADER + 1] = 0x03;
	is_int(meta(bad, sizeof bad, "s1", "localhost", 5552, &m), -1,
	    "a leader reference not in the broker table is malformed");
	memcpy(bad, capture, sizeof capture);
	bad[CAP_S1_NREPL] = 0x7f;
	is_int(meta(bad, sizeof bad, "s1", "localhost", 5552, &m), -1,
	    "a replica count of 0x7f000000 is refused");
	is_int(meta(bad, sizeof bad, "nope", "localhost", 5552, &m), -1,
	    "also when looking for another stream");
	memcpy(bad, capture, sizeof capture);
	bad[8] = 0x7f;
	is_int(meta(bad, sizeof bad, "s1", "localhost", 5552, &m), -1,
	    "a broker count of 0x7f000001 is refused");
	memcpy(bad, capture, sizeof capture);
	bad[29] = 0x10;
	is_int(meta(bad, sizeof bad, "s1", "localhost", 5552, &m), -1,
	    "a stream count of 0x10000002 is refused");

	/* Every truncation, in a buffer of exactly that size. */
	for (n = 0; n < sizeof capture; n++) {
		if ((cut = malloc(n ? n : 1)) == NULL)
			abort();
		memcpy(cut, capture, n);
		rc = meta(cut, n, "s1", "localhost", 5552, &m);
		if (rc != -1 && rc != -2 && wrong++ == 0)
			diag("\"s1\" in %zu bytes gives %d", n, rc);
		rc = meta(cut, n, "nope", "localhost", 5552, &m);
		if (rc != -1 && rc != -2 && wrong++ == 0)
			diag("\"nope\" in %zu bytes gives %d", n, rc);
		free(cut);
	}
	is_int(wrong, 0, "the capture truncated at each of %zu lengths is "
	    "malformed", sizeof capture);

	is_int(meta(cluster, sizeof cluster, "s", "localhost", 5563, &m), 1,
	    "cluster: \"s\" found");
	ok(m.has_leader && str_is(&m.leader_host, "localhost") &&
	    m.leader_port == 5562, "leader is localhost:5562 (ref 1)");
	is_uint(m.nreplicas, 2, "two replicas");
	is_int(m.self_is_member, 1, "5563 hosts a replica");
	meta(cluster, sizeof cluster, "s", "localhost", 5561, &m);
	is_int(m.self_is_member, 1, "5561 hosts a replica");
	meta(cluster, sizeof cluster, "s", "localhost", 5562, &m);
	is_int(m.self_is_member, 1, "5562 hosts the leader");
	meta(cluster, sizeof cluster, "s", "localhost", 5564, &m);
	is_int(m.self_is_member, 0, "5564 hosts nothing");
	wrong = 0;
	for (n = 0; n < sizeof cluster; n++) {
		if ((cut = malloc(n ? n : 1)) == NULL)
			abort();
		memcpy(cut, cluster, n);
		rc = meta(cut, n, "s", "localhost", 5563, &m);
		if (rc != -1 && rc != -2 && wrong++ == 0)
			diag("\"s\" in %zu bytes gives %d", n, rc);
		free(cut);
	}
	is_int(wrong, 0, "the cluster response truncated at each length is "
	    "malformed");

	is_int(meta(nulls, sizeof nulls, "", "", 5552, &m), 0,
	    "a null stream name is not \"\"");
	is_int(meta(nulls, sizeof nulls, "s1", "", 5552, &m), 1,
	    "a stream after a null-named one is found");
	is_int(m.self_is_member, 0, "a null broker host is not \"\"");
}

static void
test_ids(void)
{
	static const uint8_t	 confirm[] = {
		0x00, 0x03, 0x00, 0x01, 0x07, 0x00, 0x00, 0x00, 0x03,
		U64(1), U64(2), U64(3),
	};
	static const uint8_t	 error[] = {
		0x00, 0x04, 0x00, 0x01, 0x09, 0x00, 0x00, 0x00, 0x01,
		U64(1), 0x00, 0x12,
	};
	/* Count 2 with 18 bytes: fits ids of 8, not errors of 10. */
	static const uint8_t	 error2[] = {
		0x00, 0x04, 0x00, 0x01, 0x09, 0x00, 0x00, 0x00, 0x02,
		U64(1), 0x00, 0x12, U64(2),
	};
	static const uint8_t	 confirm2[] = {
		0x00, 0x03, 0x00, 0x01, 0x09, 0x00, 0x00, 0x00, 0x02,
		U64(1), 0x00, 0x12, U64(2),
	};
	static const uint8_t	 confirm_over[] = {
		0x00, 0x03, 0x00, 0x01, 0x07, 0x00, 0x00, 0x00, 0x04,
		U64(1), U64(2), U64(3),
	};
	static const uint8_t	 confirm_huge[] = {
		0x00, 0x03, 0x00, 0x01, 0x07, 0x80, 0x00, 0x00, 0x00,
	};
	static const uint8_t	 confirm_none[] = {
		0x00, 0x03, 0x00, 0x01, 0x07, 0x00, 0x00, 0x00, 0x00,
	};
	struct rs_frame	 f;
	struct rs_cur	 c;
	uint64_t	 id, got[3];
	uint32_t	 n, i;
	uint16_t	 code;
	uint8_t		 pub;

	decode(confirm, sizeof confirm, &f);
	is_int(rs_frame_ids_begin(&f, &c, &pub, &n), 0, "PublishConfirm begins");
	ok(pub == 7 && n == 3, "publisher 7, 3 ids");
	for (i = 0; i < 3; i++)
		if (rs_frame_confirm_next(&c, &got[i]) == -1)
			got[i] = 0;
	ok(got[0] == 1 && got[1] == 2 && got[2] == 3, "ids 1, 2, 3");
	is_int(rs_frame_confirm_next(&c, &id), -1, "no fourth id");

	decode(error, sizeof error, &f);
	is_int(rs_frame_ids_begin(&f, &c, &pub, &n), 0, "PublishError begins");
	ok(pub == 9 && n == 1, "publisher 9, 1 id");
	is_int(rs_frame_error_next(&c, &id, &code), 0, "its entry decodes");
	ok(id == 1 && code == RS_PUBLISHER_DOES_NOT_EXIST, "id 1, code 0x12");
	is_int(rs_frame_error_next(&c, &id, &code), -1, "no second entry");

	decode(error2, sizeof error2, &f);
	is_int(rs_frame_ids_begin(&f, &c, &pub, &n), -1,
	    "PublishError: 2 entries of 10 bytes in 18 refused");
	decode(confirm2, sizeof confirm2, &f);
	is_int(rs_frame_ids_begin(&f, &c, &pub, &n), 0,
	    "PublishConfirm: 2 ids of 8 bytes in 18 fit");
	decode(confirm_over, sizeof confirm_over, &f);
	is_int(rs_frame_ids_begin(&f, &c, &pub, &n), -1,
	    "PublishConfirm: 4 ids in 24 bytes refused");
	decode(confirm_huge, sizeof confirm_huge, &f);
	is_int(rs_frame_ids_begin(&f, &c, &pub, &n), -1,
	    "PublishConfirm: count 0x80000000 refused");
	decode(confirm_none, sizeof confirm_none, &f);
	is_int(rs_frame_ids_begin(&f, &c, &pub, &n), 0,
	    "PublishConfirm with no ids begins");
	is_uint(n, 0, "with a count of 0");
	decode(confirm, 5, &f);
	is_int(rs_frame_ids_begin(&f, &c, &pub, &n), -1,
	    "PublishConfirm cut before its count fails");
	decode(confirm, 4, &f);
	is_int(rs_frame_ids_begin(&f, &c, &pub, &n), -1,
	    "PublishConfirm without a publisher id fails");
}


static void
test_encode_more(void)
{
	static const char *const	 parts[] = { "ss-0", "ss-1" };
	static const char *const	 keys[] = { "0", "1" };
	static const char *const	 args[] = { "max-age", "1h" };
	static const char *const	 filt[] = { "filter.0", "a" };
	static const struct rs_command_version	 cv[] = {
		{ RS_DELIVER, 1, 2 },
		{ RS_PUBLISH, 1, 2 },
	};
	static const uint8_t	 store[] = {
		0x00, 0x00, 0x00, 0x14, 0x00, 0x0a, 0x00, 0x01,
		0x00, 0x02, 'c', '1',
		0x00, 0x02, 's', '1',
		U64(0x2a),
	};
	static const uint8_t	 query[] = {
		0x00, 0x00, 0x00, 0x10, 0x00, 0x0b, 0x00, 0x01,
		0x00, 0x00, 0x00, 0x10,
		0x00, 0x02, 'c', '1',
		0x00, 0x02, 's', '1',
	};
	static const uint8_t	 route[] = {
		0x00, 0x00, 0x00, 0x0f, 0x00, 0x18, 0x00, 0x01,
		0x00, 0x00, 0x00, 0x11,
		0x00, 0x01, 'k',
		0x00, 0x02, 's', 's',
	};
	static const uint8_t	 parts_req[] = {
		0x00, 0x00, 0x00, 0x0c, 0x00, 0x19, 0x00, 0x01,
		0x00, 0x00, 0x00, 0x12,
		0x00, 0x02, 's', 's',
	};
	static const uint8_t	 cu_offset[] = {
		0x00, 0x00, 0x00, 0x14, 0x80, 0x1a, 0x00, 0x01,
		0x00, 0x00, 0x00, 0x13,
		0x00, 0x01,
		0x00, 0x04, U64(0x2a),
	};
	static const uint8_t	 cu_next[] = {
		0x00, 0x00, 0x00, 0x0c, 0x80, 0x1a, 0x00, 0x01,
		0x00, 0x00, 0x00, 0x13,
		0x00, 0x01,
		0x00, 0x03,
	};
	static const uint8_t	 cu_none[] = {
		0x00, 0x00, 0x00, 0x0c, 0x80, 0x1a, 0x00, 0x01,
		0x00, 0x00, 0x00, 0x13,
		0x00, 0x01,
		0x00, 0x00,
	};
	static const uint8_t	 ecv[] = {
		0x00, 0x00, 0x00, 0x18, 0x00, 0x1b, 0x00, 0x01,
		0x00, 0x00, 0x00, 0x14,
		0x00, 0x00, 0x00, 0x02,
		0x00, 0x08, 0x00, 0x01, 0x00, 0x02,
		0x00, 0x02, 0x00, 0x01, 0x00, 0x02,
	};
	static const uint8_t	 stats[] = {
		0x00, 0x00, 0x00, 0x0c, 0x00, 0x1c, 0x00, 0x01,
		0x00, 0x00, 0x00, 0x15,
		0x00, 0x02, 's', '1',
	};
	static const uint8_t	 css[] = {
		0x00, 0x00, 0x00, 0x37, 0x00, 0x1d, 0x00, 0x01,
		0x00, 0x00, 0x00, 0x16,
		0x00, 0x02, 's', 's',
		0x00, 0x00, 0x00, 0x02,
		0x00, 0x04, 's', 's', '-', '0',
		0x00, 0x04, 's', 's', '-', '1',
		0x00, 0x00, 0x00, 0x02,
		0x00, 0x01, '0',
		0x00, 0x01, '1',
		0x00, 0x00, 0x00, 0x01,
		0x00, 0x07, 'm', 'a', 'x', '-', 'a', 'g', 'e',
		0x00, 0x02, '1', 'h',
	};
	static const uint8_t	 css_empty[] = {
		0x00, 0x00, 0x00, 0x18, 0x00, 0x1d, 0x00, 0x01,
		0x00, 0x00, 0x00, 0x16,
		0x00, 0x02, 's', 's',
		0x00, 0x00, 0x00, 0x00,
		0x00, 0x00, 0x00, 0x00,
		0x00, 0x00, 0x00, 0x00,
	};
	static const uint8_t	 dss[] = {
		0x00, 0x00, 0x00, 0x0c, 0x00, 0x1e, 0x00, 0x01,
		0x00, 0x00, 0x00, 0x17,
		0x00, 0x02, 's', 's',
	};
	static const uint8_t	 ros_ts[] = {
		0x00, 0x00, 0x00, 0x1a, 0x00, 0x1f, 0x00, 0x01,
		0x00, 0x00, 0x00, 0x18,
		0x00, 0x02, 's', '1',
		0x00, 0x05,
		0x00, 0x00, 0x01, 0x8b, 0xcf, 0xe5, 0x68, 0x00,
		0x00, 0x00, 0x00, 0x00,
	};
	static const uint8_t	 ros_first[] = {
		0x00, 0x00, 0x00, 0x1f, 0x00, 0x1f, 0x00, 0x01,
		0x00, 0x00, 0x00, 0x18,
		0x00, 0x02, 's', '1',
		0x00, 0x01,
		0x00, 0x00, 0x00, 0x01,
		0x00, 0x08, 'f', 'i', 'l', 't', 'e', 'r', '.', '0',
		0x00, 0x01, 'a',
	};

	ENCODES(rs_frame_store_offset(&b_, "c1", "s1", 42), store,
	    "StoreOffset \"c1\" \"s1\" 42 (no correlation id)");
	ENCODES(rs_frame_query_offset(&b_, 16, "c1", "s1"), query,
	    "QueryOffset \"c1\" \"s1\"");
	ENCODES(rs_frame_route(&b_, 17, "k", "ss"), route,
	    "Route \"k\" \"ss\"");
	ENCODES(rs_frame_partitions(&b_, 18, "ss"), parts_req,
	    "Partitions \"ss\"");
	ENCODES(rs_frame_consumer_update_response(&b_, 19, RS_OK,
	    RS_OFFSET_OFFSET, 42), cu_offset,
	    "ConsumerUpdate reply: code 1, offset 42 (u64 present)");
	ENCODES(rs_frame_consumer_update_response(&b_, 19, RS_OK,
	    RS_OFFSET_NEXT, 42), cu_next,
	    "ConsumerUpdate reply: code 1, next (no value)");
	ENCODES(rs_frame_consumer_update_response(&b_, 19, RS_OK,
	    RS_OFFSET_NONE, 0), cu_none,
	    "ConsumerUpdate reply: code 1, none (type 0)");
	ENCODES(rs_frame_exchange_command_versions(&b_, 20, cv, 2), ecv,
	    "ExchangeCommandVersions Deliver 1..2, Publish 1..2");
	ENCODES(rs_frame_stream_stats(&b_, 21, "s1"), stats,
	    "StreamStats \"s1\"");
	ENCODES(rs_frame_create_super_stream(&b_, 22, "ss", parts, 2, keys, 2,
	    args, 1), css,
	    "CreateSuperStream \"ss\" [ss-0, ss-1] [0, 1] max-age=1h");
	ENCODES(rs_frame_create_super_stream(&b_, 22, "ss", NULL, 0, NULL, 0,
	    NULL, 0), css_empty, "CreateSuperStream with three empty arrays");
	ENCODES(rs_frame_delete_super_stream(&b_, 23, "ss"), dss,
	    "DeleteSuperStream \"ss\"");
	ENCODES(rs_frame_resolve_offset_spec(&b_, 24, "s1", RS_OFFSET_TIMESTAMP,
	    1700000000000ULL, NULL, 0), ros_ts,
	    "ResolveOffsetSpec timestamp 1700000000000, empty properties");
	ENCODES(rs_frame_resolve_offset_spec(&b_, 24, "s1", RS_OFFSET_FIRST, 99,
	    filt, 1), ros_first,
	    "ResolveOffsetSpec first (no value) with filter.0=a");
}

static void
test_encode_publish_v2(void)
{
	static const uint8_t	 want[] = {
		0x00, 0x00, 0x00, 0x2b, 0x00, 0x02, 0x00, 0x02,
		0x07,
		0x00, 0x00, 0x00, 0x02,
		U64(1),
		0x00, 0x01, 'f',
		0x00, 0x00, 0x00, 0x02, 'h', 'i',
		U64(2),
		0xff, 0xff,
		0x00, 0x00, 0x00, 0x03, 'a', 'b', 'c',
	};
	struct rs_buf	 b;
	size_t		 start, before;

	rs_buf_init(&b);
	start = rs_frame_publish_v2_begin(&b, 7);
	is_uint(b.len - start, RS_PUBLISH_HEADER,
	    "Publish v2 begin writes RS_PUBLISH_HEADER bytes");
	before = b.len;
	rs_frame_publish_v2_msg(&b, 1, "fx", 1, 2);
	is_uint(b.len - before, RS_PUBLISH_V2_PER_MSG + 1,
	    "a message with a 1-byte filter writes RS_PUBLISH_V2_PER_MSG + 1");
	rs_buf_put(&b, "hi", 2);
	before = b.len;
	rs_frame_publish_v2_msg(&b, 2, NULL, 5, 3);
	is_uint(b.len - before, RS_PUBLISH_V2_PER_MSG,
	    "a message without a filter writes RS_PUBLISH_V2_PER_MSG");
	rs_buf_put(&b, "abc", 3);
	rs_frame_publish_end(&b, start, 2);
	is_mem(b.data, b.len, want, sizeof want,
	    "Publish v2: version 2, filter \"f\" then a null filter");
	rs_buf_free(&b);
}

/*
 * Decode every truncation of a frame, in a buffer of exactly that size, with
 * check(); count the lengths where it does not return -1 (the frame's
 * header itself failing counts as -1).
 */
static int
truncations(const uint8_t *p, size_t n, int (*check)(const struct rs_frame *))
{
	struct rs_frame	 f;
	uint8_t		*cut;
	size_t		 i;
	int		 wrong = 0;

	for (i = 0; i < n; i++) {
		if ((cut = malloc(i ? i : 1)) == NULL)
			abort();
		memcpy(cut, p, i);
		if (decode(cut, i, &f) == 0 && check(&f) != -1) {
			if (wrong++ == 0)
				diag("%zu of %zu bytes decode", i, n);
		}
		free(cut);
	}
	return wrong;
}

/* Walk a whole string array; -1 if it runs short. */
static int
walk_strings(struct rs_cur *c, uint32_t n)
{
	struct rs_str	 s;
	uint32_t	 i;

	for (i = 0; i < n; i++)
		if (rs_frame_strings_next(c, &s) == -1)
			return -1;
	return 0;
}

static int
check_route(const struct rs_frame *f)
{
	struct rs_cur	 c;
	uint32_t	 n;

	if (rs_frame_route_begin(f, &c, &n) == -1)
		return -1;
	return walk_strings(&c, n);
}

static int
check_strings(const struct rs_frame *f)
{
	struct rs_cur	 c;
	uint32_t	 n;

	if (rs_frame_strings_begin(f, &c, &n) == -1)
		return -1;
	return walk_strings(&c, n);
}

static void
test_decode_route(void)
{
	/*
	 * Captured from 3.10.8 (Route "0" of super stream "ss", Route
	 * "nokey", Route of a missing super stream, Partitions "ss"): keys
	 * without the response flag, as 3.10 and 3.11.0-3.11.4 send them,
	 * and arrays.
	 */
	static const uint8_t	 r310[] = {
		0x00, 0x18, 0x00, 0x01, 0x00, 0x00, 0x00, 0x0a, 0x00, 0x01,
		0x00, 0x00, 0x00, 0x01,
		0x00, 0x04, 's', 's', '-', '0',
	};
	static const uint8_t	 r310_nokey[] = {
		0x00, 0x18, 0x00, 0x01, 0x00, 0x00, 0x00, 0x0a, 0x00, 0x01,
		0x00, 0x00, 0x00, 0x00,
	};
	static const uint8_t	 r310_nosuch[] = {
		0x00, 0x18, 0x00, 0x01, 0x00, 0x00, 0x00, 0x0b, 0x00, 0x02,
		0x00, 0x00, 0x00, 0x00,
	};
	/* 3.12 and later: two streams. */
	static const uint8_t	 r312[] = {
		0x80, 0x18, 0x00, 0x01, 0x00, 0x00, 0x00, 0x11, 0x00, 0x01,
		0x00, 0x00, 0x00, 0x02,
		0x00, 0x04, 's', 's', '-', '0',
		0x00, 0x04, 's', 's', '-', '1',
	};
	/* The single string rabbit_stream_core of 3.10/3.11 describes. */
	static const uint8_t	 rone[] = {
		0x80, 0x18, 0x00, 0x01, 0x00, 0x00, 0x00, 0x11, 0x00, 0x01,
		0x00, 0x04, 's', 's', '-', '0',
	};
	static const uint8_t	 rempty[] = {
		0x80, 0x18, 0x00, 0x01, 0x00, 0x00, 0x00, 0x11, 0x00, 0x01,
		0x00, 0x00,
	};
	static const uint8_t	 rnone[] = {
		0x80, 0x18, 0x00, 0x01, 0x00, 0x00, 0x00, 0x11, 0x00, 0x02,
		0x00, 0x00, 0x00, 0x00,
	};
	static const uint8_t	 rshort[] = {
		0x80, 0x18, 0x00, 0x01, 0x00, 0x00, 0x00, 0x11, 0x00, 0x01,
		0x00, 0x00, 0x00, 0x02,
		0x00, 0x04, 's', 's', '-', '0',
	};
	static const uint8_t	 rhuge[] = {
		0x80, 0x18, 0x00, 0x01, 0x00, 0x00, 0x00, 0x11, 0x00, 0x01,
		0xff, 0xff, 0xff, 0xff,
		0x00, 0x04, 's', 's', '-', '0',
	};
	static const uint8_t	 p310[] = {
		0x00, 0x19, 0x00, 0x01, 0x00, 0x00, 0x00, 0x0c, 0x00, 0x01,
		0x00, 0x00, 0x00, 0x02,
		0x00, 0x04, 's', 's', '-', '0',
		0x00, 0x04, 's', 's', '-', '1',
	};
	static const uint8_t	 p312[] = {
		0x80, 0x19, 0x00, 0x01, 0x00, 0x00, 0x00, 0x12, 0x00, 0x02,
		0x00, 0x00, 0x00, 0x00,
	};
	struct rs_frame	 f;
	struct rs_cur	 c;
	struct rs_str	 s;
	uint32_t	 n;

	is_int(decode(r310, sizeof r310, &f), 0,
	    "Route response of 3.10.8 (key 0x0018) decodes");
	is_uint(f.key, RS_ROUTE | RS_RESPONSE, "as a response, key 0x8018");
	ok(f.has_corr && f.corr == 10 && f.code == RS_OK,
	    "with correlation id 10 and code 1");
	is_int(rs_frame_route_begin(&f, &c, &n), 0, "its streams begin");
	is_uint(n, 1, "one stream");
	ok(rs_frame_strings_next(&c, &s) == 0 && str_is(&s, "ss-0"),
	    "\"ss-0\"");
	is_uint(c.left, 0, "and nothing after it");

	is_int(decode(r312, sizeof r312, &f), 0, "Route response of 3.12 decodes");
	is_int(rs_frame_route_begin(&f, &c, &n), 0, "its streams begin");
	is_uint(n, 2, "two streams");
	ok(rs_frame_strings_next(&c, &s) == 0 && str_is(&s, "ss-0") &&
	    rs_frame_strings_next(&c, &s) == 0 && str_is(&s, "ss-1"),
	    "\"ss-0\", \"ss-1\"");

	is_int(decode(rone, sizeof rone, &f), 0,
	    "Route response as one string decodes");
	is_int(rs_frame_route_begin(&f, &c, &n), 0, "its streams begin");
	is_uint(n, 1, "one stream");
	ok(rs_frame_strings_next(&c, &s) == 0 && str_is(&s, "ss-0") &&
	    c.left == 0, "\"ss-0\", the whole body");

	decode(r310_nokey, sizeof r310_nokey, &f);
	ok(f.code == RS_OK && rs_frame_route_begin(&f, &c, &n) == 0 && n == 0,
	    "Route of 3.10.8, no binding for the key: code 1, no streams");
	decode(r310_nosuch, sizeof r310_nosuch, &f);
	ok(f.corr == 11 && f.code == RS_STREAM_DOES_NOT_EXIST &&
	    rs_frame_route_begin(&f, &c, &n) == 0 && n == 0,
	    "Route of 3.10.8, no such super stream: code 2, no streams");
	decode(rnone, sizeof rnone, &f);
	ok(f.code == RS_STREAM_DOES_NOT_EXIST &&
	    rs_frame_route_begin(&f, &c, &n) == 0 && n == 0,
	    "Route: code 2 and no streams");
	decode(rshort, sizeof rshort, &f);
	is_int(check_route(&f), -1, "Route: 2 streams announced, 1 there");
	decode(rempty, sizeof rempty, &f);
	is_int(rs_frame_route_begin(&f, &c, &n), -1,
	    "Route: an empty string is no stream name (nor an array)");
	decode(rhuge, sizeof rhuge, &f);
	is_int(rs_frame_route_begin(&f, &c, &n), -1,
	    "Route: a count of 0xffffffff is refused");

	is_int(truncations(r310, sizeof r310, check_route), 0,
	    "Route 3.10: every truncation is malformed");
	is_int(truncations(r312, sizeof r312, check_route), 0,
	    "Route 3.12: every truncation is malformed");
	is_int(truncations(rone, sizeof rone, check_route), 0,
	    "Route as one string: every truncation is malformed");

	is_int(decode(p310, sizeof p310, &f), 0,
	    "Partitions response of 3.10.8 (key 0x0019) decodes");
	ok(f.key == (RS_PARTITIONS | RS_RESPONSE) && f.corr == 12,
	    "as a response, key 0x8019, correlation id 12");
	is_int(rs_frame_strings_begin(&f, &c, &n), 0, "its streams begin");
	ok(n == 2 && rs_frame_strings_next(&c, &s) == 0 &&
	    str_is(&s, "ss-0") && rs_frame_strings_next(&c, &s) == 0 &&
	    str_is(&s, "ss-1"), "\"ss-0\", \"ss-1\"");
	is_int(truncations(p310, sizeof p310, check_strings), 0,
	    "Partitions: every truncation is malformed");
	decode(p312, sizeof p312, &f);
	ok(f.code == RS_STREAM_DOES_NOT_EXIST &&
	    rs_frame_strings_begin(&f, &c, &n) == 0 && n == 0,
	    "Partitions 3.12: code 2, no streams");
}

static int
check_versions(const struct rs_frame *f)
{
	struct rs_command_version	 cv;
	struct rs_cur			 c;
	uint32_t			 n, i;

	if (rs_frame_command_versions_begin(f, &c, &n) == -1)
		return -1;
	for (i = 0; i < n; i++)
		if (rs_frame_command_versions_next(&c, &cv) == -1)
			return -1;
	return 0;
}

static int
check_stats(const struct rs_frame *f)
{
	int64_t	 v;

	return rs_frame_stream_stats_find(f, "committed_chunk_id", &v) == 1 ?
	    0 : -1;
}

static int
check_offset(const struct rs_frame *f)
{
	uint64_t	 off;

	return rs_frame_query_offset_decode(f, &off);
}

static int
check_resolve(const struct rs_frame *f)
{
	uint64_t	 off;
	uint16_t	 type;

	return rs_frame_resolve_offset_spec_decode(f, &type, &off);
}

static int
check_cu(const struct rs_frame *f)
{
	uint8_t	 sub, active;

	return rs_frame_consumer_update_decode(f, &sub, &active);
}

static int
check_challenge(const struct rs_frame *f)
{
	const uint8_t	*p;
	size_t		 n;

	if (rs_frame_sasl_challenge_decode(f, &p, &n) == -1 || p == NULL)
		return -1;
	return 0;
}

static void
test_decode_newer(void)
{
	/* What 4.3 answers: three of its twenty entries. */
	static const uint8_t	 ecv[] = {
		0x80, 0x1b, 0x00, 0x01, 0x00, 0x00, 0x00, 0x14, 0x00, 0x01,
		0x00, 0x00, 0x00, 0x03,
		0x00, 0x02, 0x00, 0x01, 0x00, 0x02,
		0x00, 0x1c, 0x00, 0x01, 0x00, 0x01,
		0x00, 0x1f, 0x00, 0x01, 0x00, 0x01,
	};
	static const uint8_t	 ecv_over[] = {
		0x80, 0x1b, 0x00, 0x01, 0x00, 0x00, 0x00, 0x14, 0x00, 0x01,
		0x00, 0x00, 0x00, 0x03,
		0x00, 0x02, 0x00, 0x01, 0x00, 0x02,
		0x00, 0x1c, 0x00, 0x01, 0x00, 0x01,
		0x00, 0x1f, 0x00, 0x01,
	};
	static const uint8_t	 stats[] = {
		0x80, 0x1c, 0x00, 0x01, 0x00, 0x00, 0x00, 0x15, 0x00, 0x01,
		0x00, 0x00, 0x00, 0x03,
		0x00, 0x0e, 'f', 'i', 'r', 's', 't', '_', 'c', 'h', 'u', 'n',
		'k', '_', 'i', 'd', U64(0),
		0x00, 0x0d, 'l', 'a', 's', 't', '_', 'c', 'h', 'u', 'n', 'k',
		'_', 'i', 'd', I64(-1),
		0x00, 0x12, 'c', 'o', 'm', 'm', 'i', 't', 't', 'e', 'd', '_',
		'c', 'h', 'u', 'n', 'k', '_', 'i', 'd', U64(0x2a),
	};
	static const uint8_t	 stats_huge[] = {
		0x80, 0x1c, 0x00, 0x01, 0x00, 0x00, 0x00, 0x15, 0x00, 0x01,
		0x00, 0x00, 0x00, 0x02,
		0x00, 0x00, U64(1),
	};
	static const uint8_t	 qoff[] = {
		0x80, 0x0b, 0x00, 0x01, 0x00, 0x00, 0x00, 0x10, 0x00, 0x01,
		U64(2),
	};
	static const uint8_t	 qoff_none[] = {
		0x80, 0x0b, 0x00, 0x01, 0x00, 0x00, 0x00, 0x10, 0x00, 0x13,
		U64(0),
	};
	static const uint8_t	 ros[] = {
		0x80, 0x1f, 0x00, 0x01, 0x00, 0x00, 0x00, 0x18, 0x00, 0x01,
		0x00, 0x04, U64(0x2a),
	};
	static const uint8_t	 cu[] = {
		0x00, 0x1a, 0x00, 0x01, 0x00, 0x00, 0x00, 0x05, 0x03, 0x01,
	};
	static const uint8_t	 challenge[] = {
		0x80, 0x13, 0x00, 0x01, 0x00, 0x00, 0x00, 0x03, 0x00, 0x0a,
		0x00, 0x00, 0x00, 0x03, 'a', 'b', 'c',
	};
	static const uint8_t	 auth_ok[] = {
		0x80, 0x13, 0x00, 0x01, 0x00, 0x00, 0x00, 0x03, 0x00, 0x01,
	};
	static const uint8_t	 css_resp[] = {
		0x80, 0x1d, 0x00, 0x01, 0x00, 0x00, 0x00, 0x16, 0x00, 0x05,
	};
	struct rs_command_version	 cv;
	struct rs_features		 fs;
	struct rs_frame			 f;
	struct rs_cur			 c;
	struct rs_str			 k;
	const uint8_t			*p;
	uint64_t			 off;
	int64_t				 v;
	uint32_t			 n;
	uint16_t			 type;
	uint8_t				 sub, active;
	size_t				 len;

	is_int(decode(ecv, sizeof ecv, &f), 0,
	    "ExchangeCommandVersions response decodes");
	ok(f.key == (RS_EXCHANGE_COMMAND_VERSIONS | RS_RESPONSE) &&
	    f.corr == 20 && f.code == RS_OK, "key 0x801b, corr 20, code 1");
	is_int(rs_frame_command_versions_begin(&f, &c, &n), 0, "entries begin");
	is_uint(n, 3, "three entries");
	rs_features_init(&fs, RS_VERSION(4, 3, 5));
	rs_frame_command_versions_next(&c, &cv);
	ok(cv.key == RS_PUBLISH && cv.min == 1 && cv.max == 2,
	    "Publish 1..2");
	rs_features_accept(&fs, &cv);
	rs_frame_command_versions_next(&c, &cv);
	ok(cv.key == RS_STREAM_STATS && cv.min == 1 && cv.max == 1,
	    "StreamStats 1..1");
	rs_features_accept(&fs, &cv);
	is_int(rs_frame_command_versions_next(&c, &cv), 0, "third entry");
	ok(cv.key == RS_RESOLVE_OFFSET_SPEC && cv.min == 1 && cv.max == 1,
	    "ResolveOffsetSpec 1..1");
	rs_features_accept(&fs, &cv);
	is_int(rs_frame_command_versions_next(&c, &cv), -1, "no fourth entry");
	fs.negotiated = 1;
	ok(rs_features_has(&fs, RS_FEATURE_PUBLISH_V2) &&
	    rs_features_has(&fs, RS_FEATURE_STREAM_STATS) &&
	    rs_features_has(&fs, RS_FEATURE_RESOLVE_OFFSET_SPEC) &&
	    rs_features_has(&fs, RS_FEATURE_DELIVER_V2),
	    "4.3.5 with that list: Publish v2, StreamStats, ResolveOffsetSpec, "
	    "Deliver v2");
	ok(!rs_features_has(&fs, RS_FEATURE_SUPER_STREAM_COMMANDS),
	    "but not CreateSuperStream, which it did not list");
	decode(ecv_over, sizeof ecv_over, &f);
	is_int(rs_frame_command_versions_begin(&f, &c, &n), -1,
	    "3 entries of 6 bytes in 16 are refused");
	is_int(truncations(ecv, sizeof ecv, check_versions), 0,
	    "ExchangeCommandVersions: every truncation is malformed");

	is_int(decode(stats, sizeof stats, &f), 0, "StreamStats response decodes");
	is_int(rs_frame_stream_stats_find(&f, "committed_chunk_id", &v), 1,
	    "committed_chunk_id found");
	is_int(v, 42, "committed_chunk_id 42");
	is_int(rs_frame_stream_stats_find(&f, "last_chunk_id", &v), 1,
	    "last_chunk_id found");
	is_int(v, -1, "last_chunk_id -1 (signed)");
	is_int(rs_frame_stream_stats_find(&f, "first_chunk_id", &v), 1,
	    "first_chunk_id found");
	is_int(v, 0, "first_chunk_id 0");
	is_int(rs_frame_stream_stats_find(&f, "chunk_id", &v), 0,
	    "a suffix of a name is not found");
	is_int(rs_frame_stream_stats_begin(&f, &c, &n), 0, "stats begin");
	ok(n == 3 && rs_frame_stream_stats_next(&c, &k, &v) == 0 &&
	    str_is(&k, "first_chunk_id"), "three, first_chunk_id first");
	decode(stats_huge, sizeof stats_huge, &f);
	is_int(rs_frame_stream_stats_begin(&f, &c, &n), -1,
	    "2 statistics of 10 bytes in 14 are refused");
	is_int(truncations(stats, sizeof stats, check_stats), 0,
	    "StreamStats: no truncation yields committed_chunk_id");

	decode(qoff, sizeof qoff, &f);
	ok(rs_frame_query_offset_decode(&f, &off) == 0 && off == 2,
	    "QueryOffset response: offset 2");
	decode(qoff_none, sizeof qoff_none, &f);
	ok(f.code == RS_NO_OFFSET && rs_frame_query_offset_decode(&f, &off) == 0
	    && off == 0, "QueryOffset response: code 0x13, offset 0");
	is_int(truncations(qoff, sizeof qoff, check_offset), 0,
	    "QueryOffset: every truncation is malformed");

	is_int(decode(ros, sizeof ros, &f), 0,
	    "ResolveOffsetSpec response decodes");
	ok(rs_frame_resolve_offset_spec_decode(&f, &type, &off) == 0 &&
	    type == RS_OFFSET_OFFSET && off == 42, "type 4, offset 42");
	is_int(truncations(ros, sizeof ros, check_resolve), 0,
	    "ResolveOffsetSpec: every truncation is malformed");

	is_int(decode(cu, sizeof cu, &f), 0, "ConsumerUpdate request decodes");
	ok(rs_frame_consumer_update_decode(&f, &sub, &active) == 0 &&
	    sub == 3 && active == 1 && f.corr == 5,
	    "correlation id 5, subscription 3, active");
	is_int(truncations(cu, sizeof cu, check_cu), 0,
	    "ConsumerUpdate: every truncation is malformed");

	decode(challenge, sizeof challenge, &f);
	ok(f.code == RS_SASL_CHALLENGE &&
	    rs_frame_sasl_challenge_decode(&f, &p, &len) == 0 && len == 3 &&
	    memcmp(p, "abc", 3) == 0, "SaslAuthenticate: challenge \"abc\"");
	is_int(truncations(challenge, sizeof challenge, check_challenge), 0,
	    "SaslAuthenticate challenge: every truncation is malformed");
	decode(auth_ok, sizeof auth_ok, &f);
	ok(rs_frame_sasl_challenge_decode(&f, &p, &len) == 0 && p == NULL &&
	    len == 0, "SaslAuthenticate success: no opaque data");

	is_int(decode(css_resp, sizeof css_resp, &f), 0,
	    "CreateSuperStream response decodes");
	ok(f.corr == 22 && f.code == RS_STREAM_ALREADY_EXISTS,
	    "correlation id 22, code 5");
}

static void
test_delivery(void)
{
	static const uint8_t	 v1[] = {
		0x00, 0x08, 0x00, 0x01, 0x05, 'C', 'H', 'U', 'N', 'K',
	};
	static const uint8_t	 v2[] = {
		0x00, 0x08, 0x00, 0x02, 0x05, U64(7), 'C', 'H', 'U', 'N', 'K',
	};
	static const uint8_t	 v3[] = {
		0x00, 0x08, 0x00, 0x03, 0x05, U64(7), 'C', 'H', 'U', 'N', 'K',
	};
	struct rs_delivery	 d;
	struct rs_frame		 f;
	const uint8_t		*chunk;
	size_t			 len;
	uint8_t			 sub;

	decode(v2, sizeof v2, &f);
	is_int(rs_frame_delivery_decode(&f, &d), 0, "Deliver v2: delivery decodes");
	ok(d.subid == 5 && d.has_committed && d.committed == 7,
	    "subscription 5, committed chunk id 7");
	ok(d.chunk == v2 + 13 && d.len == 5, "the chunk follows it");
	decode(v1, sizeof v1, &f);
	is_int(rs_frame_delivery_decode(&f, &d), 0, "Deliver v1: delivery decodes");
	ok(d.subid == 5 && !d.has_committed && d.chunk == v1 + 5 && d.len == 5,
	    "no committed chunk id in v1");
	decode(v3, sizeof v3, &f);
	is_int(rs_frame_delivery_decode(&f, &d), -1, "Deliver v3 is refused");
	is_int(rs_frame_deliver_decode(&f, &sub, &chunk, &len), -1,
	    "by rs_frame_deliver_decode too");
}

static void
test_map_walk(void)
{
	static const uint8_t	 peer[] = {
		0x80, 0x11, 0x00, 0x01, 0x00, 0x00, 0x00, 0x01, 0x00, 0x01,
		0x00, 0x00, 0x00, 0x02,
		0x00, 0x07, 'p', 'r', 'o', 'd', 'u', 'c', 't',
		0x00, 0x08, 'R', 'a', 'b', 'b', 'i', 't', 'M', 'Q',
		0xff, 0xff, 0x00, 0x01, 'x',
	};
	static const uint8_t	 open_fail[] = {
		0x80, 0x15, 0x00, 0x01, 0x00, 0x00, 0x00, 0x04, 0x00, 0x0c,
	};
	static const uint8_t	 mechs[] = {
		0x80, 0x12, 0x00, 0x01, 0x00, 0x00, 0x00, 0x02, 0x00, 0x01,
		0x00, 0x00, 0x00, 0x02,
		0x00, 0x05, 'P', 'L', 'A', 'I', 'N',
		0xff, 0xff,
	};
	struct rs_frame	 f;
	struct rs_cur	 c;
	struct rs_str	 k, v;
	uint32_t	 n;

	decode(peer, sizeof peer, &f);
	is_int(rs_frame_map_begin(&f, &c, &n), 0, "a map begins");
	is_uint(n, 2, "with two pairs");
	ok(rs_frame_map_next(&c, &k, &v) == 0 && str_is(&k, "product") &&
	    str_is(&v, "RabbitMQ"), "product=RabbitMQ");
	ok(rs_frame_map_next(&c, &k, &v) == 0 && k.p == NULL && str_is(&v, "x"),
	    "a null key");
	is_int(rs_frame_map_next(&c, &k, &v), -1, "no third pair");
	is_int(rs_frame_map_find(&f, "", &v), 0, "a null key is not \"\"");
	decode(open_fail, sizeof open_fail, &f);
	ok(rs_frame_map_begin(&f, &c, &n) == 0 && n == 0,
	    "a failed Open has an empty map");
	decode(mechs, sizeof mechs, &f);
	is_int(rs_frame_mechanisms_has(&f, "PLAIN"), 1,
	    "PLAIN offered beside a null mechanism");
	is_int(rs_frame_mechanisms_has(&f, ""), 0,
	    "a null mechanism is not \"\"");
}

static void
test_versions(void)
{
	static const struct rs_command_version	 v311[] = {
		{ RS_PUBLISH, 1, 1 }, { RS_STREAM_STATS, 1, 1 },
	};
	static const struct rs_command_version	 v313[] = {
		{ RS_PUBLISH, 1, 2 }, { RS_STREAM_STATS, 1, 1 },
		{ RS_CREATE_SUPER_STREAM, 1, 1 },
		{ RS_DELETE_SUPER_STREAM, 1, 1 },
	};
	struct rs_features	 fs;
	char			 msg[256];
	size_t			 i;
	int			 f, any;

	is_uint(rs_proto_version_parse("3.10.8", 6), RS_VERSION(3, 10, 8),
	    "\"3.10.8\"");
	is_uint(RS_VERSION(3, 10, 8), 3010008, "is 3010008");
	is_uint(rs_proto_version_parse("3.13.0-rc.1", 11), RS_VERSION(3, 13, 0),
	    "\"3.13.0-rc.1\" counts as 3.13.0");
	is_uint(rs_proto_version_parse("4.3.5", 5), RS_VERSION(4, 3, 5),
	    "\"4.3.5\"");
	is_uint(rs_proto_version_parse("4.3", 3), RS_VERSION(4, 3, 0),
	    "\"4.3\" (no patch)");
	is_uint(rs_proto_version_parse("3.11.0+12.gabc", 14),
	    RS_VERSION(3, 11, 0), "\"3.11.0+12.gabc\"");
	is_uint(rs_proto_version_parse("3.10.8", 4), RS_VERSION(3, 10, 0),
	    "only the bytes given are read (\"3.10\")");
	is_uint(rs_proto_version_parse(NULL, 0), 0, "missing: 0");
	is_uint(rs_proto_version_parse("", 0), 0, "\"\": 0");
	is_uint(rs_proto_version_parse("banana", 6), 0, "\"banana\": 0");
	is_uint(rs_proto_version_parse("3", 1), 0, "\"3\": 0");
	is_uint(rs_proto_version_parse("3.", 2), 0, "\"3.\": 0");
	is_uint(rs_proto_version_parse("v3.10.8", 7), 0, "\"v3.10.8\": 0");
	is_uint(rs_proto_version_parse("1000.0.0", 8), 0,
	    "a four-digit part: 0");
	ok(RS_VERSION(3, 9, 999) < RS_VERSION(3, 10, 0) &&
	    RS_VERSION(3, 10, 8) < RS_VERSION(3, 11, 0) &&
	    RS_VERSION(3, 13, 7) < RS_VERSION(4, 0, 1) &&
	    RS_VERSION(4, 2, 9) < RS_VERSION(4, 3, 0),
	    "numbers compare as versions do");

	is_uint(rs_proto_feature_since(RS_FEATURE_STREAM_STATS),
	    RS_VERSION(3, 11, 0), "StreamStats since 3.11");
	is_uint(rs_proto_feature_since(RS_FEATURE_PUBLISH_V2),
	    RS_VERSION(3, 13, 0), "Publish v2 since 3.13");
	is_uint(rs_proto_feature_since(RS_FEATURE_RESOLVE_OFFSET_SPEC),
	    RS_VERSION(4, 3, 0), "ResolveOffsetSpec since 4.3.0");
	is_str(rs_proto_key_str(RS_RESOLVE_OFFSET_SPEC | RS_RESPONSE),
	    "ResolveOffsetSpec", "key 0x801f is named");
	is_str(rs_proto_key_str(0x20), "unknown command", "key 0x20 is not");
	is_str(rs_proto_code_str(RS_SASL_CANNOT_CHANGE_USERNAME),
	    "SASL cannot change username", "code 0x15 is named");

	/* 3.10.8: nothing newer, before or after a (never sent) negotiation. */
	rs_features_init(&fs, rs_proto_version_parse("3.10.8", 6));
	for (f = 0, any = 0; f < RS_FEATURE_COUNT; f++)
		any |= rs_features_has(&fs, f);
	is_int(any, 0, "3.10.8 has none of the features");
	is_int(rs_features_why(&fs, "3.10.8", RS_FEATURE_STREAM_STATS, msg,
	    sizeof msg), -1, "why not StreamStats");
	is_str(msg, "StreamStats needs RabbitMQ 3.11 or later; the broker is "
	    "3.10.8", "names the version it needs");
	rs_features_why(&fs, "3.10.8", RS_FEATURE_RESOLVE_OFFSET_SPEC, msg,
	    sizeof msg);
	is_str(msg, "ResolveOffsetSpec needs RabbitMQ 4.3 or later; the broker "
	    "is 3.10.8", "ResolveOffsetSpec: 4.3");
	rs_features_why(&fs, NULL, RS_FEATURE_EXCHANGE_COMMAND_VERSIONS, msg,
	    sizeof msg);
	is_str(msg, "ExchangeCommandVersions needs RabbitMQ 3.11 or later; "
	    "the broker is 3.10.8", "without the string, the number is shown");

	rs_features_init(&fs, 0);
	rs_features_why(&fs, "", RS_FEATURE_STREAM_STATS, msg, sizeof msg);
	is_str(msg, "StreamStats needs RabbitMQ 3.11 or later; the broker did "
	    "not report its version", "no version reported");
	rs_features_why(&fs, "banana", RS_FEATURE_STREAM_STATS, msg, sizeof msg);
	is_str(msg, "StreamStats needs RabbitMQ 3.11 or later; the broker "
	    "reports version \"banana\", which is not a version number",
	    "a version that is not a number");

	/* 3.11.0: the exchange itself; the rest once its reply is in. */
	rs_features_init(&fs, rs_proto_version_parse("3.11.0", 6));
	ok(rs_features_has(&fs, RS_FEATURE_EXCHANGE_COMMAND_VERSIONS) &&
	    rs_features_has(&fs, RS_FEATURE_SINGLE_ACTIVE_CONSUMER),
	    "3.11.0: ExchangeCommandVersions, single active consumer");
	ok(!rs_features_has(&fs, RS_FEATURE_DELIVER_V2) &&
	    !rs_features_has(&fs, RS_FEATURE_STREAM_STATS),
	    "but not Deliver v2 or StreamStats before negotiating");
	rs_features_why(&fs, "3.11.0", RS_FEATURE_STREAM_STATS, msg, sizeof msg);
	is_str(msg, "StreamStats was not negotiated with the broker (RabbitMQ "
	    "3.11.0): no ExchangeCommandVersions reply", "says so");
	for (i = 0; i < sizeof v311 / sizeof v311[0]; i++)
		rs_features_accept(&fs, &v311[i]);
	fs.negotiated = 1;
	ok(rs_features_has(&fs, RS_FEATURE_DELIVER_V2) &&
	    rs_features_has(&fs, RS_FEATURE_STREAM_STATS),
	    "after it: Deliver v2 and StreamStats");
	ok(!rs_features_has(&fs, RS_FEATURE_PUBLISH_V2) &&
	    !rs_features_has(&fs, RS_FEATURE_FILTERING) &&
	    !rs_features_has(&fs, RS_FEATURE_SUPER_STREAM_COMMANDS),
	    "3.11: no Publish v2, filtering or super stream commands");
	is_int(rs_features_why(&fs, "3.11.0", RS_FEATURE_DELIVER_V2, msg,
	    sizeof msg), 0, "why Deliver v2: it is there");
	is_str(msg, "", "with an empty message");

	/* 3.13.0 without the stream_filtering flag: Publish 1..1. */
	rs_features_init(&fs, rs_proto_version_parse("3.13.0", 6));
	rs_features_accept(&fs, &v311[0]);
	rs_features_accept(&fs, &v313[2]);
	fs.negotiated = 1;
	ok(!rs_features_has(&fs, RS_FEATURE_PUBLISH_V2) &&
	    rs_features_has(&fs, RS_FEATURE_SUPER_STREAM_COMMANDS),
	    "3.13 listing Publish 1..1: no Publish v2, super streams yes");
	rs_features_why(&fs, "3.13.0", RS_FEATURE_FILTERING, msg, sizeof msg);
	is_str(msg, "Stream filtering is not enabled on the broker (RabbitMQ "
	    "3.13.0): it does not accept Publish version 2",
	    "filtering: not enabled");
	for (i = 0; i < sizeof v313 / sizeof v313[0]; i++)
		rs_features_accept(&fs, &v313[i]);
	ok(rs_features_has(&fs, RS_FEATURE_PUBLISH_V2) &&
	    rs_features_has(&fs, RS_FEATURE_FILTERING),
	    "3.13 listing Publish 1..2: Publish v2 and filtering");
	ok(!rs_features_has(&fs, RS_FEATURE_RESOLVE_OFFSET_SPEC),
	    "but not ResolveOffsetSpec");
	fs.version = rs_proto_version_parse("4.2.1", 5);
	rs_features_why(&fs, "4.2.1", RS_FEATURE_RESOLVE_OFFSET_SPEC, msg,
	    sizeof msg);
	is_str(msg, "ResolveOffsetSpec needs RabbitMQ 4.3 or later; the broker "
	    "is 4.2.1", "4.2.1: ResolveOffsetSpec needs 4.3");
	is_int(rs_features_has(&fs, RS_FEATURE_COUNT), 0,
	    "an unknown feature is never there");
}

int
main(void)
{
	test_encode_connect();
	test_encode_streams();
	test_encode_publish();
	test_decode_layouts();
	test_decode_deliver();
	test_map_mechanisms();
	test_metadata();
	test_ids();
	test_encode_more();
	test_encode_publish_v2();
	test_decode_route();
	test_decode_newer();
	test_delivery();
	test_map_walk();
	test_versions();
	return done_testing();
}
