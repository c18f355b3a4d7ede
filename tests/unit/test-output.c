/*
 * test-output.c: how rstream-tail prints a record (src/output.c), plain and
 * as a JSON line (src/jsonout.c).
 *
 * rs_output_record() frames each record's body: with a delimiter (newline,
 * or any bytes), as a 4-byte big-endian length and the body (the inverse
 * of rstream-cat --framing=be32), or bare. rs_output_body() gives a record
 * that is not AMQP 1.0 as it is, a message's data sections back to back
 * (whatever other sections there are), an amqp-value's string, symbol or
 * binary as its bytes and anything else as its text form, an
 * amqp-sequence's lists in text form joined by commas; the text of a body
 * is bounded as a whole (20 sections of 2^32-1 nulls in 13 bytes each give
 * 1 MiB, not 20). Arrays of elements that take no bytes (whose text is the
 * first element's, repeated) are checked plain and in JSON.
 *
 * Each body kind is also checked as rstream-tail -J writes it: an
 * amqp-value and amqp-sequence as JSON values with their format named,
 * each AMQP type as its JSON (booleans, numbers, NaN and infinities as
 * strings, binary as base64, uuid, char and decimals as strings, described
 * values as {"descriptor":d,"value":v}, map keys that are not strings in
 * their text form), and a data body that is not UTF-8 as base64. Every
 * expected output is written here by hand.
 */
#include "config.h"

#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "amqp.h"
#include "jsonout.h"
#include "output.h"
#include "tap.h"
#include "wire.h"

static struct rs_buf	 R;	/* the record being built */

/* The record R printed with o, after what out already holds. */
static void
framed(const struct rs_output *o, const char *before, const char *want,
    size_t wlen, const char *what)
{
	struct rs_buf	 out;

	rs_buf_init(&out);
	rs_buf_put(&out, before, strlen(before));
	rs_output_record(o, &out, R.data ? R.data : (const uint8_t *)"", R.len);
	if (!is_mem(out.data, out.len, want, wlen, "%s", what))
		diag("got \"%.*s\"", (int)out.len, out.data);
	rs_buf_free(&out);
}

#define FRAMED(o, before, want, what)	framed(o, before, want, sizeof want - 1, what)

/* Set R to n bytes at p. */
static void
rec(const void *p, size_t n)
{
	R.len = 0;
	rs_buf_put(&R, p, n);
}

static void
test_framing(void)
{
	struct rs_output	 o;

	rs_output_init(&o, "\n", 1);
	is_int(o.framing, RS_OUTPUT_DELIM, "rs_output_init: delimited");
	rec("abc", 3);
	FRAMED(&o, "", "abc\n", "a raw record, newline");
	FRAMED(&o, "xy", "xyabc\n", "appended to what is there");
	rec("", 0);
	FRAMED(&o, "", "\n", "an empty record: a newline");
	rec("a\nb", 3);
	FRAMED(&o, "", "a\nb\n", "a newline in a record is left alone");
	rs_output_init(&o, "\r\n--", 4);
	rec("abc", 3);
	FRAMED(&o, "", "abc\r\n--", "a 4-byte delimiter");
	rs_output_init(&o, "\0", 1);
	FRAMED(&o, "", "abc\0", "a NUL delimiter");

	rs_output_init(&o, "\n", 1);
	o.framing = RS_OUTPUT_BE32;
	FRAMED(&o, "", "\0\0\0\3abc", "be32: length 3, the bytes");
	FRAMED(&o, "xy", "xy\0\0\0\3abc", "be32 after other output");
	rec("", 0);
	FRAMED(&o, "", "\0\0\0\0", "be32, an empty record: length 0");

	o.framing = RS_OUTPUT_RAW;
	rec("abc", 3);
	FRAMED(&o, "de", "deabc", "raw: bodies back to back");
	rec("", 0);
	FRAMED(&o, "de", "de", "raw, an empty record: nothing");
}

static void
test_bodies(void)
{
	struct rs_output	 o, ob;
	struct rs_buf		 out;
	static uint8_t		 big[70000];
	uint8_t			 want[70004];
	size_t			 m;

	rs_output_init(&o, "\n", 1);
	rs_output_init(&ob, "\n", 1);
	ob.framing = RS_OUTPUT_BE32;

	R.len = 0;
	rs_amqp_put_message(&R, NULL, "hello", 5);
	FRAMED(&o, "", "hello\n", "a data section: its bytes");
	FRAMED(&ob, "", "\0\0\0\5hello", "a data section, be32: 5 and its bytes");

	R.len = 0;
	rs_amqp_put_message(&R, NULL, "ab", 2);
	rs_amqp_put_section(&R, RS_AMQP_DATA);
	rs_amqp_put_binary(&R, "", 0);
	rs_amqp_put_section(&R, RS_AMQP_DATA);
	rs_amqp_put_binary(&R, "cde", 3);
	FRAMED(&o, "", "abcde\n", "three data sections: their bytes together");
	FRAMED(&ob, "", "\0\0\0\5abcde", "three data sections, be32: 5");

	/* header, message-annotations, properties, data, footer */
	R.len = 0;
	rs_amqp_put_section(&R, RS_AMQP_HEADER);
	m = rs_amqp_list_begin(&R);
	rs_amqp_put_bool(&R, 1);
	rs_amqp_list_end(&R, m);
	rs_amqp_put_section(&R, RS_AMQP_MESSAGE_ANNOTATIONS);
	m = rs_amqp_map_begin(&R);
	rs_amqp_put_symbol(&R, "x-opt", 5);
	rs_amqp_put_string(&R, "v", 1);
	rs_amqp_map_end(&R, m);
	rs_amqp_put_section(&R, RS_AMQP_PROPERTIES);
	m = rs_amqp_list_begin(&R);
	rs_amqp_put_string(&R, "id", 2);
	rs_amqp_list_end(&R, m);
	rs_amqp_put_section(&R, RS_AMQP_DATA);
	rs_amqp_put_binary(&R, "body", 4);
	rs_amqp_put_section(&R, RS_AMQP_FOOTER);
	m = rs_amqp_map_begin(&R);
	rs_amqp_map_end(&R, m);
	ok(!R.oom, "a message with every kind of section");
	FRAMED(&o, "", "body\n", "every other section left out");

	/* A data section with bytes after it: not AMQP, printed whole. */
	R.len = 0;
	rs_amqp_put_message(&R, NULL, "ab", 2);
	rs_buf_put(&R, "!", 1);
	FRAMED(&o, "", "\x00\x53\x75\xa0\x02" "ab!\n",
	    "a data section and a stray byte: the record as it is");

	/* 70000 bytes: vbin32, a length over 65535. */
	memset(big, 'q', sizeof big);
	R.len = 0;
	rs_amqp_put_message(&R, NULL, big, sizeof big);
	memcpy(want, "\x00\x01\x11\x70", 4);
	memset(want + 4, 'q', sizeof big);
	framed(&ob, "", (const char *)want, sizeof want,
	    "70000 bytes, be32: 00 01 11 70");

	/* A buffer that failed to grow is not written through. */
	rs_buf_init(&out);
	out.oom = 1;
	rs_output_record(&ob, &out, R.data, R.len);
	ok(out.len == 0 && out.data == NULL, "be32 into a failed buffer: "
	    "nothing written");
	rs_buf_free(&out);
}

/* R printed plainly, and as a JSON line with the body part json. */
static void
both(const char *plain, size_t plen, const char *json, const char *what)
{
	struct rs_record_meta	 meta = { "s", 7, 1000, 0 };
	struct rs_buf		 out;
	char			 want[1024];
	int			 n;

	rs_buf_init(&out);
	rs_output_body(&out, R.data, R.len);
	if (!is_mem(out.data, out.len, plain, plen, "%s: printed", what))
		diag("got \"%.*s\"", (int)out.len, out.data);
	out.len = 0;
	rs_jsonout_record(&out, &meta, R.data, R.len);
	n = snprintf(want, sizeof want, "{\"stream\":\"s\",\"offset\":7,"
	    "\"timestamp\":1000,%s,\"properties\":{},\"application_properties\""
	    ":{},\"message_annotations\":{}}\n", json);
	if (!is_mem(out.data, out.len, want, (size_t)n, "%s: as JSON", what))
		diag("got %.*s", (int)out.len, out.data);
	rs_buf_free(&out);
}

#define BOTH(plain, json, what)	both(plain, sizeof plain - 1, json, what)

/* Start R as an amqp-value section; its value follows. */
static void
value(void)
{
	R.len = 0;
	rs_amqp_put_section(&R, RS_AMQP_VALUE);
}

static void
test_values(void)
{
	static const uint8_t	 uuid[16] = { 0x00, 0x11, 0x22, 0x33, 0x44,
	    0x55, 0x66, 0x77, 0x88, 0x99, 0xaa, 0xbb, 0xcc, 0xdd, 0xee, 0xff };
	static const uint8_t	 dec[4] = { 1, 2, 3, 0xfe };
	size_t			 m, l;

	value();
	rs_amqp_put_string(&R, "hi \"you\"", 8);
	BOTH("hi \"you\"", "\"body\":\"hi \\\"you\\\"\",\"format\":\"amqp-value\"",
	    "an amqp-value string");
	value();
	rs_amqp_put_string(&R, "\xff", 1);
	BOTH("\xff", "\"body\":\"/w==\",\"format\":\"amqp-value\"",
	    "an amqp-value string that is not UTF-8: base64 in JSON");
	value();
	rs_amqp_put_symbol(&R, "sym", 3);
	BOTH("sym", "\"body\":\"sym\",\"format\":\"amqp-value\"",
	    "an amqp-value symbol");
	value();
	rs_amqp_put_binary(&R, "\x01\x02", 2);
	BOTH("\x01\x02", "\"body\":\"AQI=\",\"format\":\"amqp-value\"",
	    "an amqp-value binary: its bytes; base64 in JSON");
	value();
	rs_amqp_put_null(&R);
	BOTH("", "\"body\":null,\"format\":\"amqp-value\"", "an amqp-value null");
	value();
	rs_amqp_put_bool(&R, 1);
	BOTH("true", "\"body\":true,\"format\":\"amqp-value\"", "true");
	value();
	rs_amqp_put_bool(&R, 0);
	BOTH("false", "\"body\":false,\"format\":\"amqp-value\"", "false");
	value();
	rs_amqp_put_ulong(&R, UINT64_MAX);
	BOTH("18446744073709551615", "\"body\":18446744073709551615,"
	    "\"format\":\"amqp-value\"", "ulong 2^64-1");
	value();
	rs_amqp_put_int(&R, INT32_MIN);
	BOTH("-2147483648", "\"body\":-2147483648,\"format\":\"amqp-value\"",
	    "int -2^31");
	value();
	rs_amqp_put_timestamp(&R, 1764072000123);
	BOTH("1764072000123", "\"body\":1764072000123,\"format\":\"amqp-value\"",
	    "a timestamp: ms");
	value();
	rs_amqp_put_double(&R, 1.5);
	BOTH("1.5", "\"body\":1.5,\"format\":\"amqp-value\"", "double 1.5");
	value();
	rs_amqp_put_double(&R, 0.1);
	BOTH("0.1", "\"body\":0.10000000000000001,\"format\":\"amqp-value\"",
	    "double 0.1: shortest printed, 17 digits in JSON");
	value();
	rs_amqp_put_float(&R, 0.1f);
	BOTH("0.1", "\"body\":0.10000000149011612,\"format\":\"amqp-value\"",
	    "float 0.1: shortest printed, as a double in JSON");
	value();
	rs_amqp_put_float(&R, NAN);
	BOTH("NaN", "\"body\":\"NaN\",\"format\":\"amqp-value\"", "float NaN");
	value();
	rs_amqp_put_double(&R, INFINITY);
	BOTH("Infinity", "\"body\":\"Infinity\",\"format\":\"amqp-value\"",
	    "double infinity");
	value();
	rs_amqp_put_double(&R, -INFINITY);
	BOTH("-Infinity", "\"body\":\"-Infinity\",\"format\":\"amqp-value\"",
	    "double -infinity");
	value();
	rs_amqp_put_uuid(&R, uuid);
	BOTH("00112233-4455-6677-8899-aabbccddeeff",
	    "\"body\":\"00112233-4455-6677-8899-aabbccddeeff\","
	    "\"format\":\"amqp-value\"", "a uuid");
	value();
	rs_amqp_put_char(&R, 0xe9);
	BOTH("\xc3\xa9", "\"body\":\"\xc3\xa9\",\"format\":\"amqp-value\"",
	    "char U+00E9: its UTF-8");
	value();
	rs_amqp_put_decimal32(&R, dec);
	BOTH("0x010203fe", "\"body\":\"0x010203fe\",\"format\":\"amqp-value\"",
	    "a decimal32: its bytes in hex");
	value();
	rs_amqp_put_descriptor(&R, 5);
	rs_amqp_put_string(&R, "v", 1);
	BOTH("{\"descriptor\":5,\"value\":\"v\"}",
	    "\"body\":{\"descriptor\":5,\"value\":\"v\"},\"format\":\"amqp-value\"",
	    "a described string");

	/* A map: a number key, a binary value, a list of every scalar kind. */
	value();
	m = rs_amqp_map_begin(&R);
	rs_amqp_put_uint(&R, 7);
	rs_amqp_put_string(&R, "a", 1);
	rs_amqp_put_string(&R, "k", 1);
	rs_amqp_put_binary(&R, "\x01\x02", 2);
	rs_amqp_put_symbol(&R, "l", 1);
	l = rs_amqp_list_begin(&R);
	rs_amqp_put_null(&R);
	rs_amqp_put_bool(&R, 0);
	rs_amqp_put_double(&R, -0.5);
	rs_amqp_put_uuid(&R, uuid);
	rs_amqp_put_char(&R, 'x');
	rs_amqp_list_end(&R, l);
	rs_amqp_map_end(&R, m);
	ok(!R.oom, "a map value");
	BOTH("{7:\"a\",\"k\":\"\\u0001\\u0002\",\"l\":[null,false,-0.5,"
	    "\"00112233-4455-6677-8899-aabbccddeeff\",\"x\"]}",
	    "\"body\":{\"7\":\"a\",\"k\":\"AQI=\",\"l\":[null,false,-0.5,"
	    "\"00112233-4455-6677-8899-aabbccddeeff\",\"x\"]},"
	    "\"format\":\"amqp-value\"", "a map: keys, nested values");

	/* An array of uints. */
	value();
	m = rs_amqp_array_begin(&R, RS_AMQP_T_UINT);
	rs_amqp_put_uint(&R, 1);
	rs_amqp_put_uint(&R, 300);
	rs_amqp_array_end(&R, m);
	BOTH("[1,300]", "\"body\":[1,300],\"format\":\"amqp-value\"",
	    "an array of uint");

	/*
	 * Arrays of elements that take no bytes: the first element's text
	 * is repeated for the others (amqptext.c, jsonout.c).
	 */
	value();
	rs_buf_put(&R, "\xe0\x02\x03\x44", 4);	/* 3 ulong0 */
	BOTH("[0,0,0]", "\"body\":[0,0,0],\"format\":\"amqp-value\"",
	    "an array of three ulong0");
	value();
	rs_buf_put(&R, "\xe0\x06\x02\x00\xa3\x01x\x40", 8);
	BOTH("[{\"descriptor\":\"x\",\"value\":null},"
	    "{\"descriptor\":\"x\",\"value\":null}]",
	    "\"body\":[{\"descriptor\":\"x\",\"value\":null},"
	    "{\"descriptor\":\"x\",\"value\":null}],"
	    "\"format\":\"amqp-value\"",
	    "an array of two described nulls");
	value();
	rs_buf_put(&R, "\xe0\x02\x01\x45", 4);	/* 1 list0 */
	BOTH("[[]]", "\"body\":[[]],\"format\":\"amqp-value\"",
	    "an array of one list0");

	/*
	 * 20 amqp-sequence sections, each a list of an array of 2^32-1 nulls
	 * in 13 bytes: the text of the body is bounded as a whole (1 MiB), not per
	 * section (20 MiB).
	 */
	{
		struct rs_buf	 out;
		int		 i;

		R.len = 0;
		for (i = 0; i < 20; i++) {
			rs_amqp_put_section(&R, RS_AMQP_SEQUENCE);
			/* a list8 of one array32 of 2^32-1 nulls */
			rs_buf_put(&R, "\xc0\x0b\x01\xf0\x00\x00\x00\x05\xff"
			    "\xff\xff\xff\x40", 13);
		}
		rs_buf_init(&out);
		rs_output_body(&out, R.data, R.len);
		ok(!out.oom && out.len == 1u << 20 &&
		    memcmp(out.data, "[[null,null,", 12) == 0,
		    "20 sequences of 2^32-1 nulls: %zu bytes of text (1 MiB)",
		    out.len);
		rs_buf_free(&out);
	}

	/* amqp-sequence sections, after a properties section. */
	R.len = 0;
	rs_amqp_put_section(&R, RS_AMQP_APPLICATION_PROPERTIES);
	m = rs_amqp_map_begin(&R);
	rs_amqp_map_end(&R, m);
	rs_amqp_put_section(&R, RS_AMQP_SEQUENCE);
	m = rs_amqp_list_begin(&R);
	rs_amqp_put_uint(&R, 1);
	rs_amqp_put_uint(&R, 2);
	rs_amqp_list_end(&R, m);
	rs_amqp_put_section(&R, RS_AMQP_SEQUENCE);
	m = rs_amqp_list_begin(&R);
	rs_amqp_put_string(&R, "x", 1);
	rs_amqp_list_end(&R, m);
	rs_amqp_put_section(&R, RS_AMQP_SEQUENCE);
	m = rs_amqp_list_begin(&R);
	rs_amqp_list_end(&R, m);
	ok(!R.oom, "three amqp-sequence sections");
	BOTH("[1,2],[\"x\"],[]", "\"body\":[[1,2],[\"x\"],[]],"
	    "\"format\":\"amqp-sequence\"",
	    "amqp-sequence: its lists, joined by commas");

	/* A data body that is not UTF-8. */
	R.len = 0;
	rs_amqp_put_message(&R, NULL, "\xff\xfe\x00", 3);
	BOTH("\xff\xfe\x00", "\"body\":\"//4A\",\"body_encoding\":\"base64\"",
	    "a data body that is not UTF-8: base64 in JSON");
	R.len = 0;
	rs_amqp_put_message(&R, NULL, "\xc0\xaf", 2);
	BOTH("\xc0\xaf", "\"body\":\"wK8=\",\"body_encoding\":\"base64\"",
	    "an overlong UTF-8 sequence is not UTF-8");
}

int
main(void)
{
	rs_buf_init(&R);
	test_framing();
	test_bodies();
	test_values();
	rs_buf_free(&R);
	return done_testing();
}
