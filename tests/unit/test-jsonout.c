/*
 * test-jsonout.c: records as JSON lines (rstream-tail -J): raw records,
 * text and binary data bodies, properties and application properties,
 * amqp-value bodies, and a hostile array of 2^32-1 nulls in 13 bytes whose
 * JSON must stay bounded and valid. Expected lines are written by hand.
 */
#include "config.h"

#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "jsonout.h"
#include "tap.h"

static void
line_is(const char *rec, size_t n, const char *want, const char *what)
{
	struct rs_record_meta	 meta = { "s", 7, 1000, 0 };
	struct rs_buf		 b;

	rs_buf_init(&b);
	rs_jsonout_record(&b, &meta, (const uint8_t *)rec, n);
	is_mem(b.data, b.len, want, strlen(want), "%s", what);
	rs_buf_free(&b);
}

/* An amqp-value ulong (or long) written as printf would write it. */
static void
integers(void)
{
	static const uint64_t	 u[] = { 0, 1, 9, 10, 99, 100, 101, 999, 1000,
	    65535, 1234567890123ull, 9999999999999999999ull,
	    0x8000000000000000ull, UINT64_MAX };
	struct rs_record_meta	 meta = { "s", 0, 0, 0 };
	struct rs_buf		 b;
	uint8_t			 rec[12] = { 0x00, 0x53, 0x77, 0x80 };
	char			 want[64];
	size_t			 i, k;
	int			 bad = 0, sign;

	for (sign = 0; sign < 2; sign++)
		for (i = 0; i < sizeof u / sizeof u[0]; i++) {
			rec[3] = sign ? 0x81 : 0x80;	/* ulong, long */
			for (k = 0; k < 8; k++)
				rec[4 + k] = (uint8_t)(u[i] >> (56 - 8 * k));
			if (sign)
				snprintf(want, sizeof want, "\"body\":%" PRId64
				    ",", (int64_t)u[i]);
			else
				snprintf(want, sizeof want, "\"body\":%" PRIu64
				    ",", u[i]);
			rs_buf_init(&b);
			meta.offset = u[i];
			rs_jsonout_record(&b, &meta, rec, sizeof rec);
			rs_buf_u8(&b, '\0');
			if (b.oom || strstr((char *)b.data, want) == NULL)
				bad++;
			snprintf(want, sizeof want, "\"offset\":%" PRIu64 ",",
			    u[i]);
			if (b.oom || strstr((char *)b.data, want) == NULL)
				bad++;
			rs_buf_free(&b);
		}
	ok(bad == 0, "integers from 0 to 2^64-1 and down to -2^63 are "
	    "written as printf writes them (%d differ)", bad);
}

int
main(void)
{
	struct rs_record_meta	 meta = { "s", 3, 0, 1 };
	struct rs_buf		 b;
	static const char	 bomb[] =
	    "\x00\x53\x77\xf0\x00\x00\x00\x05\xff\xff\xff\xff\x40";

	line_is("Hello", 5, "{\"stream\":\"s\",\"offset\":7,\"timestamp\":1000,"
	    "\"body\":\"Hello\",\"format\":\"raw\"}\n", "a raw record");
	line_is("\xff\x00", 2, "{\"stream\":\"s\",\"offset\":7,\"timestamp\":1000,"
	    "\"body\":\"/wA=\",\"body_encoding\":\"base64\",\"format\":\"raw\"}\n",
	    "a raw record that is not UTF-8");
	line_is("\x00\x53\x75\xa0\x02hi", 7, "{\"stream\":\"s\",\"offset\":7,"
	    "\"timestamp\":1000,\"body\":\"hi\",\"properties\":{},"
	    "\"application_properties\":{},\"message_annotations\":{}}\n",
	    "a data section");
	line_is("\x00\x53\x75\xb0\x00\x00\x00\x02hi", 10, "{\"stream\":\"s\","
	    "\"offset\":7,\"timestamp\":1000,\"body\":\"hi\",\"properties\":{},"
	    "\"application_properties\":{},\"message_annotations\":{}}\n",
	    "a data section with a 4-byte length");
	line_is("\x00\x53\x75\xa0\x02hi\x00\x53\x78\xc1\x01\x00", 13, "{\"stream\":\"s\","
	    "\"offset\":7,\"timestamp\":1000,\"body\":\"hi\",\"properties\":{},"
	    "\"application_properties\":{},\"message_annotations\":{}}\n",
	    "a data section and an empty footer (parsed, not the fast path)");
	line_is("\x00\x53\x75\xa0\x01\x22", 6, "{\"stream\":\"s\",\"offset\":7,"
	    "\"timestamp\":1000,\"body\":\"\\\"\",\"properties\":{},"
	    "\"application_properties\":{},\"message_annotations\":{}}\n",
	    "a quote in the body is escaped");
	/* properties: message-id "m", content-type :"t"; app props {"k": 1} */
	line_is("\x00\x53\x73\xc0\x0c\x07\xa1\x01m\x40\x40\x40\x40\x40\xa3\x01t"
	    "\x00\x53\x74\xc1\x06\x02\xa1\x01k\x54\x01"
	    "\x00\x53\x75\xa0\x01x", 34,
	    "{\"stream\":\"s\",\"offset\":7,\"timestamp\":1000,\"body\":\"x\","
	    "\"properties\":{\"message_id\":\"m\",\"content_type\":\"t\"},"
	    "\"application_properties\":{\"k\":1},\"message_annotations\":{}}\n",
	    "properties and application properties");
	line_is("\x00\x53\x77\x81\x00\x00\x00\x00\x00\x00\x00\x2a", 12,
	    "{\"stream\":\"s\",\"offset\":7,\"timestamp\":1000,\"body\":42,"
	    "\"format\":\"amqp-value\",\"properties\":{},"
	    "\"application_properties\":{},\"message_annotations\":{}}\n",
	    "an amqp-value long");

	line_is("\x00\x53\x75\xa0\x02h\xc3\x00\x53\x75\xa0\x02\xa9!", 14,
	    "{\"stream\":\"s\",\"offset\":7,\"timestamp\":1000,"
	    "\"body\":\"h\xc3\xa9!\",\"properties\":{},"
	    "\"application_properties\":{},\"message_annotations\":{}}\n",
	    "data sections are joined (a character split between two)");
	line_is("\x00\x53\x75\xa0\x00\x00\x53\x75\xa0\x00", 10,
	    "{\"stream\":\"s\",\"offset\":7,\"timestamp\":1000,"
	    "\"body\":\"\",\"properties\":{},"
	    "\"application_properties\":{},\"message_annotations\":{}}\n",
	    "two empty data sections");
	integers();

	rs_buf_init(&b);
	rs_jsonout_record(&b, &meta, (const uint8_t *)"x", 1);
	ok(b.len > 20 && memcmp(b.data, "{\"stream\":\"s\",\"record\":3,",
	    25) == 0, "--dry-run lines carry the record number");
	b.len = 0;
	rs_jsonout_record(&b, &meta, (const uint8_t *)bomb, sizeof bomb - 1);
	ok(b.len < (8u << 20), "2^32-1 nulls in 13 bytes: %zu bytes of JSON",
	    b.len);
	ok(b.len > 40 && memcmp(b.data + b.len - 19, ",\"truncated\":true}\n",
	    19) == 0, "and the line says it was truncated");
	rs_buf_free(&b);
	return done_testing();
}
