/*
 * test-filter.c: stream filtering's pure parts: the Subscribe properties
 * (filter.N, match-unfiltered), the check of each record (src/filter.c),
 * the filter value rstream-cat gives a record (src/message.c), and Publish
 * v2 frames in the outbox (src/outbox.c): each message's filter value
 * between its publishing id and its entry, and the frames framed again for
 * a new connection byte for byte as they were first sent.
 */
#include "config.h"

#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "amqp.h"
#include "filter.h"
#include "message.h"
#include "outbox.h"
#include "tap.h"
#include "wire.h"

/* A message with application property x-stream-filter-value v (NULL: none). */
static size_t
msg_with(uint8_t *out, const char *v, const char *body)
{
	struct rs_message_cfg	 cfg;
	struct rs_message	 m;
	const uint8_t		*h, *b;
	size_t			 hl, bl;
	char			 spec[64];

	memset(&cfg, 0, sizeof cfg);
	if (v != NULL) {
		snprintf(spec, sizeof spec, "%s", v);
		cfg.filter_value = spec;
	}
	rs_message_init(&m, &cfg);
	rs_message_encode(&m, 1, "-", (const uint8_t *)body, strlen(body),
	    &h, &hl, &b, &bl);
	memcpy(out, h, hl);
	memcpy(out + hl, b, bl);
	rs_message_free(&m);
	return hl + bl;
}

static void
test_match(void)
{
	struct rs_filter	 f;
	const char *const	*kv;
	uint8_t			 rec[256];
	const uint8_t		*v;
	size_t			 n, vn;

	memset(&f, 0, sizeof f);
	ok(rs_filter_add(&f, "eu") == 0 && rs_filter_add(&f, "us") == 0,
	    "two values");
	ok(rs_filter_add(&f, "") == -1, "an empty value is refused");
	is_uint(rs_filter_properties(&f, &kv), 2, "two properties");
	is_str(kv[0], "filter.0", "filter.0");
	is_str(kv[1], "eu", "its value");
	is_str(kv[2], "filter.1", "filter.1");
	is_str(kv[3], "us", "its value");
	f.match_unfiltered = 1;
	is_uint(rs_filter_properties(&f, &kv), 3, "and match-unfiltered");
	is_str(kv[4], "match-unfiltered", "match-unfiltered");
	is_str(kv[5], "true", "true");
	f.match_unfiltered = 0;

	n = msg_with(rec, "eu", "a");
	ok(rs_filter_value(rec, n, &v, &vn) == 1 && vn == 2 &&
	    memcmp(v, "eu", 2) == 0, "the value of a message of rstream-cat");
	ok(rs_filter_match(&f, rec, n), "eu matches");
	n = msg_with(rec, "eux", "a");
	ok(!rs_filter_match(&f, rec, n), "eux does not (no prefix match)");
	n = msg_with(rec, "e", "a");
	ok(!rs_filter_match(&f, rec, n), "e does not");
	n = msg_with(rec, NULL, "a");
	ok(rs_filter_value(rec, n, &v, &vn) == 0, "no value");
	ok(!rs_filter_match(&f, rec, n), "no value: no match");
	f.match_unfiltered = 1;
	ok(rs_filter_match(&f, rec, n), "unless match-unfiltered");
	ok(rs_filter_match(&f, (const uint8_t *)"raw bytes", 9),
	    "a record that is not a message has none");
	f.match_unfiltered = 0;
	ok(!rs_filter_match(&f, (const uint8_t *)"raw bytes", 9),
	    "and does not match without match-unfiltered");
	/* Message annotations (AMQP 1.0 and 0-9-1 publishers on RabbitMQ 4). */
	memcpy(rec, "\x00\x53\x72\xc1\x1c\x02\xa3\x15x-stream-filter-value"
	    "\xa1\x02us\x00\x53\x75\xa0\x01z", 39);
	ok(rs_filter_value(rec, 39, &v, &vn) == 1 && vn == 2 &&
	    memcmp(v, "us", 2) == 0, "a message annotation counts");
	ok(rs_filter_match(&f, rec, 39), "and matches us");
	rec[29] = 0x54;		/* smallint: not a string */
	ok(!rs_filter_match(&f, rec, 39), "an integer is no filter value");
}

static void
test_message(void)
{
	struct rs_message_cfg	 cfg;
	struct rs_message	 m;
	const uint8_t		*h, *b;
	size_t			 hl, bl;
	const char		*line;
	char			 err[128];

	ok(rs_message_filter_check("json:a.b", 1, err, sizeof err) == 0,
	    "json:a.b with -J");
	ok(rs_message_filter_check("json:a", 0, err, sizeof err) == -1,
	    "json: without -J");
	ok(rs_message_filter_check("json:a..b", 1, err, sizeof err) == -1,
	    "json:a..b");
	ok(rs_message_filter_check("header:", 0, err, sizeof err) == -1,
	    "header: without a name");
	ok(rs_message_filter_check("%q", 0, err, sizeof err) == -1,
	    "a bad template");

	memset(&cfg, 0, sizeof cfg);
	cfg.json = 1;
	cfg.filter_value = "json:body.r";
	rs_message_init(&m, &cfg);
	line = "{\"body\":{\"r\":12}}";
	ok(rs_message_encode(&m, 1, "-", (const uint8_t *)line, strlen(line),
	    &h, &hl, &b, &bl) == 0 && m.filter != NULL, "a number");
	is_str(m.filter, "12", "as its text");
	line = "{\"body\":{\"r\":null}}";
	ok(rs_message_encode(&m, 2, "-", (const uint8_t *)line, strlen(line),
	    &h, &hl, &b, &bl) == 0 && m.filter == NULL, "null: none");
	line = "{\"body\":{\"r\":\"\"}}";
	ok(rs_message_encode(&m, 3, "-", (const uint8_t *)line, strlen(line),
	    &h, &hl, &b, &bl) == 0 && m.filter == NULL, "empty: none");
	line = "{\"body\":{\"r\":\"a\\u0000b\"}}";
	ok(rs_message_encode(&m, 4, "-", (const uint8_t *)line, strlen(line),
	    &h, &hl, &b, &bl) == -1, "a NUL byte is refused");
	line = "{\"format\":\"raw\",\"body\":{\"r\":\"x\"}}";
	ok(rs_message_encode(&m, 5, "-", (const uint8_t *)line, strlen(line),
	    &h, &hl, &b, &bl) == 0 && hl == 0 && m.filter != NULL &&
	    strcmp(m.filter, "x") == 0, "a raw -J line keeps its filter value");
	rs_message_free(&m);

	memset(&cfg, 0, sizeof cfg);
	cfg.filter_value = "%n-%f-%%-aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa";
	rs_message_init(&m, &cfg);
	ok(rs_message_encode(&m, 7, "f", (const uint8_t *)"x", 1, &h, &hl, &b,
	    &bl) == 0, "a template");
	ok(m.filter != NULL && strncmp(m.filter, "7-f-%-a", 7) == 0,
	    "expanded");
	ok(rs_message_encode(&m, 7, "a-file-name-long-enough-to-go-over-the-"
	    "limit-of-255-bytes-xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"
	    "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx", (const uint8_t *)"x",
	    1, &h, &hl, &b, &bl) == -1, "over 255 bytes: refused");
	rs_message_free(&m);
}

/* Record the bytes a walk gives, for comparing frames sent with frames sent again. */
static int
keep_all(void *ud, uint64_t id)
{
	(void)ud;
	(void)id;
	return 1;
}

static void
test_outbox(void)
{
	struct rs_outbox	 ob;
	struct rs_outbox_walk	 w;
	struct rs_buf		 again;
	const uint8_t		*e, *p;
	size_t			 len, sent;
	uint64_t		 id;
	char			 v[8];
	int			 i, bad = 0;

	ok(rs_outbox_init(&ob, 200, 3, RS_CODEC_NONE, 1, 1) == 0, "a v2 outbox");
	is_uint(rs_outbox_alone_max(&ob), 200 - RS_PUBLISH_HEADER -
	    RS_PUBLISH_V2_PER_MSG, "alone max");
	for (i = 1; i <= 20; i++) {
		snprintf(v, sizeof v, "v%d", i);
		if (rs_outbox_add_filtered(&ob, (uint64_t)i, i % 5 ? v : NULL,
		    i % 5 ? strlen(v) : 0, (const uint8_t *)"head", 4,
		    (const uint8_t *)"body", 4) != 1)
			bad++;
	}
	ok(bad == 0 && rs_outbox_close(&ob) == 0, "20 messages framed");
	p = ob.q.buf.data;
	is_uint(rs_wire_r16(p + 4), RS_PUBLISH, "Publish");
	is_uint(rs_wire_r16(p + 6), 2, "version 2");
	is_uint(p[8], 3, "publisher 3");
	ok(rs_wire_r64(p + 13) == 1 && rs_wire_r16(p + 21) == 2 &&
	    memcmp(p + 23, "v1", 2) == 0 && rs_wire_r32(p + 25) == 8 &&
	    memcmp(p + 29, "headbody", 8) == 0, "id, filter value, entry");
	rs_outbox_walk_init(&ob, &w);
	for (i = 1; rs_outbox_walk(&ob, &w, &id, &e, &len) == 1; i++) {
		if (id != (uint64_t)i)
			bad++;
		if (i % 5 == 0 && (rs_wire_r16(e) != 0xffff || len != 2 + 4 + 8))
			bad++;
		if (i % 5 != 0 && (rs_wire_r16(e) != strlen(v) - (i < 10) ||
		    memcmp(e + len - 8, "headbody", 8) != 0))
			bad++;
	}
	ok(bad == 0 && i == 21, "the walk gives each message with its filter "
	    "value (null: -1)");
	sent = ob.q.buf.len;
	rs_buf_init(&again);
	is_uint(rs_outbox_resend(&ob, &again, keep_all, NULL), 20,
	    "20 framed again");
	is_mem(again.data, again.len, ob.q.buf.data, sent,
	    "framed again as first sent");
	rs_buf_free(&again);
	rs_outbox_free(&ob);
}

int
main(void)
{
	test_match();
	test_message();
	test_outbox();
	return done_testing();
}
