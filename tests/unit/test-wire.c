/*
 * test-wire.c: the protocol's primitive types (src/wire.c). Every width of
 * integer is written with rs_buf and compared with literal big-endian bytes,
 * then read back through a cursor; strings (null, empty, non-empty) and
 * bytes (null, empty) are checked both ways. The cursor's error must be
 * sticky after an overrun, and rs_cur_count() must refuse a count whose
 * items cannot fit in what is left, or that is above INT32_MAX. Finally the
 * buffer's own error (oom) must be sticky too.
 */
#include "config.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "tap.h"
#include "wire.h"

/* Integers at every width: literal bytes out, the same values back. */
static void
test_integers(void)
{
	static const uint8_t	 want[] = {
		0x00,
		0xff,
		0x80,
		0x01, 0x02,
		0xff, 0xfe,
		0x01, 0x02, 0x03, 0x04,
		0xfe, 0xdc, 0xba, 0x98,
		0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07, 0x08,
		0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xfe,
		0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
	};
	struct rs_buf	 b;
	struct rs_cur	 c;
	uint8_t		 u8;
	uint16_t	 u16;
	uint32_t	 u32;
	uint64_t	 u64;

	rs_buf_init(&b);
	rs_buf_u8(&b, 0x00);
	rs_buf_u8(&b, 0xff);
	rs_buf_u8(&b, 0x80);
	rs_buf_u16(&b, 0x0102);
	rs_buf_u16(&b, 0xfffe);
	rs_buf_u32(&b, 0x01020304);
	rs_buf_u32(&b, 0xfedcba98);
	rs_buf_u64(&b, 0x0102030405060708ULL);
	rs_buf_u64(&b, 0xfffffffffffffffeULL);
	rs_buf_u64(&b, 0);
	ok(!b.oom, "no allocation failure");
	is_mem(b.data, b.len, want, sizeof want,
	    "u8, u16, u32, u64 are written big-endian");

	rs_cur_init(&c, b.data, b.len);
	is_int(rs_cur_u8(&c, &u8), 0, "get u8");
	is_uint(u8, 0x00, "u8 0x00 back");
	rs_cur_u8(&c, &u8);
	is_uint(u8, 0xff, "u8 0xff back");
	rs_cur_u8(&c, &u8);
	is_uint(u8, 0x80, "u8 0x80 back");
	is_int(rs_cur_u16(&c, &u16), 0, "get u16");
	is_uint(u16, 0x0102, "u16 0x0102 back");
	rs_cur_u16(&c, &u16);
	is_uint(u16, 0xfffe, "u16 0xfffe back");
	is_int(rs_cur_u32(&c, &u32), 0, "get u32");
	is_uint(u32, 0x01020304, "u32 0x01020304 back");
	rs_cur_u32(&c, &u32);
	is_uint(u32, 0xfedcba98, "u32 0xfedcba98 back (top bit set)");
	is_int(rs_cur_u64(&c, &u64), 0, "get u64");
	is_uint(u64, 0x0102030405060708ULL, "u64 0x0102030405060708 back");
	rs_cur_u64(&c, &u64);
	is_uint(u64, 0xfffffffffffffffeULL, "u64 0xfffffffffffffffe back");
	rs_cur_u64(&c, &u64);
	is_uint(u64, 0, "u64 0 back");
	is_uint(c.left, 0, "everything consumed");
	ok(!c.err, "no cursor error after exact reads");
	rs_buf_free(&b);
}

/* The raw stores and loads against literal bytes. */
static void
test_raw(void)
{
	uint8_t	 p[8];
	static const uint8_t	 w16[] = { 0xab, 0xcd };
	static const uint8_t	 w32[] = { 0x80, 0x00, 0x00, 0x01 };
	static const uint8_t	 w64[] = {
		0x80, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x01
	};

	rs_wire_w16(p, 0xabcd);
	is_mem(p, 2, w16, 2, "rs_wire_w16");
	is_uint(rs_wire_r16(w16), 0xabcd, "rs_wire_r16");
	rs_wire_w32(p, 0x80000001);
	is_mem(p, 4, w32, 4, "rs_wire_w32");
	is_uint(rs_wire_r32(w32), 0x80000001, "rs_wire_r32");
	rs_wire_w64(p, 0x8000000000000001ULL);
	is_mem(p, 8, w64, 8, "rs_wire_w64");
	is_uint(rs_wire_r64(w64), 0x8000000000000001ULL, "rs_wire_r64");
}

/* Strings: i16 length, -1 for null; empty and null are different. */
static void
test_strings(void)
{
	static const uint8_t	 want[] = {
		0x00, 0x03, 'a', 'b', 'c',
		0xff, 0xff,
		0x00, 0x00,
		0x00, 0x02, 'x', 'y',
	};
	struct rs_buf	 b;
	struct rs_cur	 c;
	const char	*s;
	size_t		 n;
	char		*big;

	rs_buf_init(&b);
	rs_buf_str(&b, "abc");
	rs_buf_str(&b, NULL);
	rs_buf_str(&b, "");
	rs_buf_strn(&b, "xyz", 2);
	is_mem(b.data, b.len, want, sizeof want,
	    "string \"abc\", null, empty, and 2 bytes of \"xyz\"");

	rs_cur_init(&c, b.data, b.len);
	is_int(rs_cur_str(&c, &s, &n), 0, "get \"abc\"");
	ok(n == 3 && s != NULL && memcmp(s, "abc", 3) == 0, "\"abc\" back");
	ok(s == (const char *)b.data + 2, "string points into the input");
	is_int(rs_cur_str(&c, &s, &n), 0, "get null string");
	ok(s == NULL && n == 0, "null string is NULL, 0");
	is_int(rs_cur_str(&c, &s, &n), 0, "get empty string");
	ok(s != NULL && n == 0, "empty string is non-NULL, 0");
	is_int(rs_cur_str(&c, &s, &n), 0, "get \"xy\"");
	ok(n == 2 && memcmp(s, "xy", 2) == 0, "\"xy\" back");
	is_uint(c.left, 0, "all strings consumed");
	rs_buf_free(&b);

	/* A string longer than INT16_MAX is cut to INT16_MAX. */
	if ((big = malloc(40000)) == NULL)
		abort();
	memset(big, 'q', 40000);
	rs_buf_init(&b);
	rs_buf_strn(&b, big, 40000);
	is_uint(b.len, 2 + 32767, "a 40000-byte string is cut to 32767");
	ok(b.len >= 2 && b.data[0] == 0x7f && b.data[1] == 0xff,
	    "its length field is 7f ff");
	rs_buf_free(&b);
	free(big);

	/* A string whose length runs past the end. */
	{
		static const uint8_t	 bad[] = { 0x00, 0x05, 'a', 'b' };

		rs_cur_init(&c, bad, sizeof bad);
		is_int(rs_cur_str(&c, &s, &n), -1,
		    "string of 5 with 2 bytes left fails");
		ok(c.err && s == NULL && n == 0, "and sets err, NULL, 0");
	}
}

/* Bytes: i32 length, -1 for null. */
static void
test_bytes(void)
{
	static const uint8_t	 want[] = {
		0x00, 0x00, 0x00, 0x02, 0x01, 0x02,
		0x00, 0x00, 0x00, 0x00,
	};
	static const uint8_t	 null[] = {
		0xff, 0xff, 0xff, 0xff,
		0x00, 0x00, 0x00, 0x00,
		0x00, 0x00, 0x00, 0x09, 0x01,
	};
	static const uint8_t	 two[] = { 0x01, 0x02 };
	struct rs_buf	 b;
	struct rs_cur	 c;
	const uint8_t	*p;
	size_t		 n;

	rs_buf_init(&b);
	rs_buf_bytes(&b, two, 2);
	rs_buf_bytes(&b, NULL, 0);
	is_mem(b.data, b.len, want, sizeof want, "bytes 01 02, then empty");
	rs_cur_init(&c, b.data, b.len);
	is_int(rs_cur_bytes(&c, &p, &n), 0, "get bytes");
	is_mem(p, n, two, 2, "bytes 01 02 back");
	rs_buf_free(&b);

	rs_cur_init(&c, null, sizeof null);
	is_int(rs_cur_bytes(&c, &p, &n), 0, "get null bytes");
	ok(p == NULL && n == 0, "null bytes are NULL, 0");
	is_int(rs_cur_bytes(&c, &p, &n), 0, "get empty bytes");
	ok(p != NULL && n == 0, "empty bytes are non-NULL, 0");
	is_int(rs_cur_bytes(&c, &p, &n), -1, "bytes of 9 with 1 left fail");
	ok(c.err && p == NULL && n == 0, "and set err, NULL, 0");
}

/* Overrun: the read fails, nothing is consumed, and every later read fails. */
static void
test_sticky(void)
{
	static const uint8_t	 in[] = { 0x12, 0x34, 0x56 };
	struct rs_cur	 c;
	uint8_t		 u8 = 0xaa;
	uint16_t	 u16;
	uint32_t	 u32 = 7;
	uint64_t	 u64 = 7;

	rs_cur_init(&c, in, sizeof in);
	is_int(rs_cur_u16(&c, &u16), 0, "u16 of 3 bytes");
	is_uint(u16, 0x1234, "u16 is 0x1234");
	is_int(rs_cur_u16(&c, &u16), -1, "u16 with 1 byte left fails");
	is_uint(u16, 0, "a failed get gives 0");
	ok(c.err, "err is set");
	is_uint(c.left, 1, "the failed get consumed nothing");
	is_int(rs_cur_u8(&c, &u8), -1,
	    "u8 fails after an error though a byte is left");
	is_uint(u8, 0, "and gives 0");
	is_int(rs_cur_skip(&c, 0), -1, "skip 0 fails after an error");

	rs_cur_init(&c, in, sizeof in);
	is_int(rs_cur_u32(&c, &u32), -1, "u32 of 3 bytes fails");
	is_uint(u32, 0, "and gives 0");
	rs_cur_init(&c, in, sizeof in);
	is_int(rs_cur_u64(&c, &u64), -1, "u64 of 3 bytes fails");
	is_uint(u64, 0, "and gives 0");
	rs_cur_init(&c, in, sizeof in);
	is_int(rs_cur_skip(&c, 4), -1, "skip 4 of 3 fails");
	rs_cur_init(&c, in, sizeof in);
	is_int(rs_cur_skip(&c, 3), 0, "skip 3 of 3");
	is_int(rs_cur_u8(&c, &u8), -1, "u8 at the end fails");
	rs_cur_init(&c, NULL, 0);
	is_int(rs_cur_u8(&c, &u8), -1, "u8 of nothing fails");
}

/* Array counts: each item needs min bytes; no count above INT32_MAX. */
static void
test_count(void)
{
	/* Count 3, then 12 bytes. */
	static const uint8_t	 three[] = {
		0x00, 0x00, 0x00, 0x03,
		0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
	};
	static const uint8_t	 four[] = {
		0x00, 0x00, 0x00, 0x04,
		0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
	};
	static const uint8_t	 big[] = { 0x80, 0x00, 0x00, 0x00 };
	static const uint8_t	 max[] = { 0x7f, 0xff, 0xff, 0xff };
	static const uint8_t	 all[] = { 0xff, 0xff, 0xff, 0xff };
	struct rs_cur	 c;
	uint32_t	 n;
	uint8_t		 u8;

	rs_cur_init(&c, three, sizeof three);
	is_int(rs_cur_count(&c, &n, 4), 0, "3 items of 4 bytes in 12");
	is_uint(n, 3, "count is 3");
	rs_cur_init(&c, three, sizeof three);
	is_int(rs_cur_count(&c, &n, 5), -1, "3 items of 5 bytes in 12 refused");
	is_uint(n, 0, "a refused count gives 0");
	ok(c.err, "a refused count sets err");
	is_int(rs_cur_u8(&c, &u8), -1, "and later reads fail");

	rs_cur_init(&c, four, sizeof four);
	is_int(rs_cur_count(&c, &n, 4), -1, "4 items of 4 bytes in 12 refused");
	rs_cur_init(&c, four, sizeof four);
	is_int(rs_cur_count(&c, &n, 3), 0, "4 items of 3 bytes in 12 fit");
	is_uint(n, 4, "count is 4");

	rs_cur_init(&c, big, sizeof big);
	is_int(rs_cur_count(&c, &n, 0), -1,
	    "count 0x80000000 refused even with no minimum size");
	rs_cur_init(&c, all, sizeof all);
	is_int(rs_cur_count(&c, &n, 0), -1, "count -1 (0xffffffff) refused");
	rs_cur_init(&c, max, sizeof max);
	is_int(rs_cur_count(&c, &n, 0), 0,
	    "count INT32_MAX accepted when items may be empty");
	is_uint(n, 0x7fffffff, "count is INT32_MAX");
	rs_cur_init(&c, max, sizeof max);
	is_int(rs_cur_count(&c, &n, 1), -1,
	    "count INT32_MAX of 1-byte items in 0 bytes refused");
	rs_cur_init(&c, big, 2);
	is_int(rs_cur_count(&c, &n, 1), -1, "a truncated count fails");
}

/* The buffer: growth, consume, and a sticky allocation failure. */
static void
test_buf(void)
{
	static const uint8_t	 tail[] = { 0x03, 0x04 };
	struct rs_buf	 b;
	uint8_t		 big[1000];
	size_t		 i;

	rs_buf_init(&b);
	ok(b.data == NULL && b.len == 0 && b.cap == 0 && !b.oom,
	    "init leaves an empty buffer");
	for (i = 0; i < sizeof big; i++)
		big[i] = (uint8_t)i;
	for (i = 0; i < 5; i++)
		rs_buf_put(&b, big, sizeof big);
	ok(!b.oom && b.len == 5000 && b.cap >= 5000, "5000 bytes put");
	ok(memcmp(b.data + 4000, big, sizeof big) == 0,
	    "the last 1000 are intact after growth");
	rs_buf_free(&b);

	rs_buf_init(&b);
	rs_buf_u32(&b, 0x01020304);
	rs_buf_consume(&b, 2);
	is_mem(b.data, b.len, tail, sizeof tail, "consume 2 of 4 leaves 03 04");
	rs_buf_consume(&b, 10);
	is_uint(b.len, 0, "consume more than is there empties");
	rs_buf_put(&b, NULL, 0);
	is_uint(b.len, 0, "putting 0 bytes adds nothing");

	is_int(rs_buf_reserve(&b, SIZE_MAX), -1, "reserving SIZE_MAX fails");
	ok(b.oom, "and sets oom");
	rs_buf_u8(&b, 1);
	rs_buf_u64(&b, 1);
	rs_buf_str(&b, "abc");
	is_uint(b.len, 0, "every put after oom is a no-op");
	is_int(rs_buf_reserve(&b, 1), -1, "reserve after oom fails");
	rs_buf_free(&b);
	ok(b.data == NULL && b.len == 0 && !b.oom, "free resets the buffer");
}

int
main(void)
{
	test_integers();
	test_raw();
	test_strings();
	test_bytes();
	test_sticky();
	test_count();
	test_buf();
	return done_testing();
}
