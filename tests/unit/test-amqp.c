/*
 * test-amqp.c: AMQP 1.0 values and records (src/amqp.c, src/amqpenc.c).
 *
 * Records first, as rstream-tail sees them. The data-section header is
 * checked at the vbin8/vbin32 boundary (0, 255, 256, 70000 bytes) and must
 * read back as a message. Messages are encoded by hand after PROTOCOL
 * section 7.1: one data section, several (the body pieces come out in
 * order), the shape RabbitMQ gives a message published over AMQP 0-9-1
 * (header, message-annotations, properties, application-properties, data),
 * an amqp-value holding a str8, str32, sym8, binary or a scalar (the text
 * form of each scalar type is written out here). Records that are not
 * AMQP (plain text, empty, a data section whose length runs past the end,
 * descriptor codes outside 0x70-0x78, trailing bytes, every truncation of a
 * valid message that does not end on a section boundary) must give 0, and
 * 100000 levels of described values must not overflow the stack.
 *
 * Then the codec. Every type of AMQP 1.0 part 1 section 1.6 is decoded from
 * bytes written here by hand, every format code of it (uint0, smalluint and
 * uint; list0, list8 and list32; ...), the expected values worked out from
 * the spec's encodings. Lists, maps, arrays (of fixed and variable width, of
 * compounds, of described values) are walked; described values split. Each
 * check the decoder makes has a malformed value that fails it. Every
 * section is parsed into its fields (smallulong, ulong and symbolic
 * descriptors), sections out of order or repeated are refused. The text
 * form is checked for each type, at the top and inside compounds, and its
 * bound. The encoder's bytes are checked at each width boundary, then
 * values and messages go round (encode, decode). Finally several messages
 * are cut at every length and decoded from every offset, each from a heap
 * block of exactly its size, so AddressSanitizer sees any over-read.
 */
#include "config.h"

#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "amqp.h"
#include "tap.h"
#include "wire.h"

/* Parse a record held in a buffer of exactly its size. */
static int
parse_exact(struct rs_amqp_msg *m, const uint8_t *rec, size_t n, uint8_t **copy)
{
	if ((*copy = malloc(n ? n : 1)) == NULL)
		abort();
	if (n > 0)
		memcpy(*copy, rec, n);
	return rs_amqp_parse(m, *copy, n);
}

static void
test_data_header(void)
{
	static const struct {
		size_t		 len;
		size_t		 hlen;
		uint8_t		 want[8];
	} t[] = {
		{ 0, 5, { 0x00, 0x53, 0x75, 0xa0, 0x00 } },
		{ 255, 5, { 0x00, 0x53, 0x75, 0xa0, 0xff } },
		{ 256, 8, { 0x00, 0x53, 0x75, 0xb0, 0x00, 0x00, 0x01, 0x00 } },
		{ 70000, 8, { 0x00, 0x53, 0x75, 0xb0, 0x00, 0x01, 0x11, 0x70 } },
	};
	struct rs_amqp_msg	 m;
	const uint8_t		*body;
	uint8_t			*rec;
	size_t			 i, h, n;

	for (i = 0; i < sizeof t / sizeof t[0]; i++) {
		if ((rec = malloc(RS_AMQP_DATA_HEADER_MAX + t[i].len)) == NULL)
			abort();
		h = rs_amqp_data_header(rec, t[i].len);
		is_mem(rec, h, t[i].want, t[i].hlen,
		    "data header for %zu bytes", t[i].len);
		memset(rec + h, 'z', t[i].len);
		is_int(rs_amqp_parse(&m, rec, h + t[i].len), 1,
		    "header and %zu bytes parse as a message", t[i].len);
		n = 0;
		body = NULL;
		ok(rs_amqp_body_next(&m, &body, &n) == 1 && body == rec + h &&
		    n == t[i].len, "its body is the %zu bytes", t[i].len);
		is_int(rs_amqp_body_next(&m, &body, &n), 0, "and nothing else");
		free(rec);
	}
}

/* Every body piece of rec, concatenated with '|' between, into out. */
static int
body(const uint8_t *rec, size_t n, char *out, size_t outlen)
{
	struct rs_amqp_msg	 m;
	const uint8_t		*p;
	size_t			 len, used = 0;
	int			 pieces = 0;

	out[0] = '\0';
	if (rs_amqp_parse(&m, rec, n) != 1)
		return -1;
	while (rs_amqp_body_next(&m, &p, &len) == 1) {
		if (used + len + 2 > outlen)
			return -1;
		if (pieces++ > 0)
			out[used++] = '|';
		memcpy(out + used, p, len);
		used += len;
		out[used] = '\0';
	}
	return pieces;
}

static void
test_data_sections(void)
{
	static const uint8_t	 one[] = {
		0x00, 0x53, 0x75, 0xa0, 0x02, 'h', 'i',
	};
	static const uint8_t	 three[] = {
		0x00, 0x53, 0x75, 0xa0, 0x02, 'h', 'i',
		0x00, 0x53, 0x75, 0xa0, 0x01, '!',
		0x00, 0x53, 0x75, 0xb0, 0x00, 0x00, 0x00, 0x03, 'a', 'b', 'c',
	};
	static const uint8_t	 ulong_desc[] = {
		0x00, 0x80, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x75,
		0xa0, 0x02, 'h', 'i',
	};
	static const uint8_t	 empty[] = { 0x00, 0x53, 0x75, 0xa0, 0x00 };
	static const uint8_t	 header_only[] = {
		0x00, 0x53, 0x70, 0xc0, 0x02, 0x01, 0x41,
	};
	char	 out[256];

	is_int(body(one, sizeof one, out, sizeof out), 1,
	    "one data section: one piece");
	is_str(out, "hi", "which is \"hi\"");
	is_int(body(three, sizeof three, out, sizeof out), 3,
	    "three data sections (vbin8, vbin8, vbin32): three pieces");
	is_str(out, "hi|!|abc", "in order");
	is_int(body(ulong_desc, sizeof ulong_desc, out, sizeof out), 1,
	    "a data section with a ulong descriptor");
	is_str(out, "hi", "is \"hi\"");
	is_int(body(empty, sizeof empty, out, sizeof out), 1,
	    "an empty data section is a message of one piece");
	is_str(out, "", "which is empty");
	is_int(body(header_only, sizeof header_only, out, sizeof out), 0,
	    "a message of only a header section has no body");
}

/* The shape of a message published over AMQP 0-9-1 (PROTOCOL section 7.2). */
static const uint8_t	 sec_header[] = {
	0x00, 0x53, 0x70, 0xc0, 0x02, 0x01, 0x41,
};
static const uint8_t	 sec_annotations[] = {
	0x00, 0x53, 0x72, 0xc1, 0x14, 0x02,
	0xa3, 0x0d, 'x', '-', 'r', 'o', 'u', 't', 'i', 'n', 'g', '-', 'k', 'e',
	'y',
	0xa1, 0x02, 'r', 'k',
};
static const uint8_t	 sec_properties[] = {
	0x00, 0x53, 0x73, 0xc0, 0x13, 0x07,
	0x40, 0x40, 0x40, 0x40, 0x40, 0x40,
	0xa3, 0x0a, 't', 'e', 'x', 't', '/', 'p', 'l', 'a', 'i', 'n',
};
static const uint8_t	 sec_app[] = {
	0x00, 0x53, 0x74, 0xc1, 0x09, 0x02,
	0xa1, 0x01, 'k', 0x71, 0x00, 0x00, 0x00, 0x2a,
};
static const uint8_t	 sec_data[] = {
	0x00, 0x53, 0x75, 0xa0, 0x10,
	'h', 'e', 'l', 'l', 'o', ' ', 'f', 'r', 'o', 'm', ' ', '0', '-', '9',
	'-', '1',
};

static void
test_full_message(void)
{
	static const struct {
		const uint8_t	*p;
		size_t		 n;
	} secs[] = {
		{ sec_header, sizeof sec_header },
		{ sec_annotations, sizeof sec_annotations },
		{ sec_properties, sizeof sec_properties },
		{ sec_app, sizeof sec_app },
		{ sec_data, sizeof sec_data },
	};
	struct rs_amqp_msg	 m;
	uint8_t			 msg[256], *copy;
	size_t			 len = 0, i, k, ends[5];
	char			 out[256];
	int			 wrong = 0, rc, want;

	for (i = 0; i < 5; i++) {
		memcpy(msg + len, secs[i].p, secs[i].n);
		len += secs[i].n;
		ends[i] = len;
	}
	is_int(body(msg, len, out, sizeof out), 1,
	    "header, annotations, properties, app properties, data: one piece");
	is_str(out, "hello from 0-9-1", "the data section's bytes");
	is_int(body(msg + sizeof sec_header, len - sizeof sec_header, out,
	    sizeof out), 1, "the same without the header section");
	is_str(out, "hello from 0-9-1", "gives the same body");

	/* Cut anywhere: a message exactly when the cut is at a section's end. */
	for (k = 0; k <= len; k++) {
		want = 0;
		for (i = 0; i < 5; i++)
			if (k == ends[i])
				want = 1;
		rc = parse_exact(&m, msg, k, &copy);
		free(copy);
		if (rc != want && wrong++ == 0)
			diag("cut at %zu: %d, expected %d", k, rc, want);
	}
	is_int(wrong, 0, "cut at each of %zu points: a message only at the "
	    "5 section ends", len + 1);
}

/* An amqp-value section around the value v: its pieces, as body() gives. */
static int
value_text(const uint8_t *v, size_t n, char *out, size_t outlen)
{
	uint8_t	 rec[64];

	rec[0] = 0x00;
	rec[1] = 0x53;
	rec[2] = 0x77;
	memcpy(rec + 3, v, n);
	return body(rec, 3 + n, out, outlen);
}

static void
test_values(void)
{
	static const struct {
		const char	*what;
		uint8_t		 v[12];
		size_t		 n;
		const char	*text;
	} t[] = {
		{ "str8", { 0xa1, 0x05, 'h', 'e', 'l', 'l', 'o' }, 7, "hello" },
		{ "str32", { 0xb1, 0x00, 0x00, 0x00, 0x05, 'h', 'e', 'l', 'l',
		    'o' }, 10, "hello" },
		{ "sym8", { 0xa3, 0x03, 'a', 'b', 'c' }, 5, "abc" },
		{ "sym32", { 0xb3, 0x00, 0x00, 0x00, 0x01, 's' }, 6, "s" },
		{ "vbin8", { 0xa0, 0x02, 'x', 'y' }, 4, "xy" },
		{ "vbin32", { 0xb0, 0x00, 0x00, 0x00, 0x00 }, 5, "" },
		{ "null", { 0x40 }, 1, "" },
		{ "true", { 0x41 }, 1, "true" },
		{ "false", { 0x42 }, 1, "false" },
		{ "boolean 1", { 0x56, 0x01 }, 2, "true" },
		{ "boolean 0", { 0x56, 0x00 }, 2, "false" },
		{ "uint0", { 0x43 }, 1, "0" },
		{ "ulong0", { 0x44 }, 1, "0" },
		{ "ubyte 255", { 0x50, 0xff }, 2, "255" },
		{ "byte -1", { 0x51, 0xff }, 2, "-1" },
		{ "smalluint 7", { 0x52, 0x07 }, 2, "7" },
		{ "smallulong 5", { 0x53, 0x05 }, 2, "5" },
		{ "smallint -5", { 0x54, 0xfb }, 2, "-5" },
		{ "smalllong -1", { 0x55, 0xff }, 2, "-1" },
		{ "smalllong 100", { 0x55, 0x64 }, 2, "100" },
		{ "ushort 256", { 0x60, 0x01, 0x00 }, 3, "256" },
		{ "short -1", { 0x61, 0xff, 0xff }, 3, "-1" },
		{ "uint 256", { 0x70, 0x00, 0x00, 0x01, 0x00 }, 5, "256" },
		{ "uint max", { 0x70, 0xff, 0xff, 0xff, 0xff }, 5, "4294967295" },
		{ "int -2", { 0x71, 0xff, 0xff, 0xff, 0xfe }, 5, "-2" },
		{ "ulong max", { 0x80, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
		    0xff }, 9, "18446744073709551615" },
		{ "long -1", { 0x81, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
		    0xff }, 9, "-1" },
		{ "long min", { 0x81, 0x80, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
		    0x00 }, 9, "-9223372036854775808" },
		{ "timestamp", { 0x83, 0x00, 0x00, 0x01, 0x8b, 0xcf, 0xe5, 0x68,
		    0x00 }, 9, "1700000000000" },
		{ "float 1.5", { 0x72, 0x3f, 0xc0, 0x00, 0x00 }, 5, "1.5" },
		{ "double 1.5", { 0x82, 0x3f, 0xf8, 0x00, 0x00, 0x00, 0x00, 0x00,
		    0x00 }, 9, "1.5" },
		{ "double -2.25", { 0x82, 0xc0, 0x02, 0x00, 0x00, 0x00, 0x00, 0x00,
		    0x00 }, 9, "-2.25" },
	};
	static const uint8_t	 list0[] = { 0x45 };
	static const uint8_t	 list8[] = { 0xc0, 0x03, 0x02, 0x41, 0x42 };
	char	 out[256];
	size_t	 i;

	for (i = 0; i < sizeof t / sizeof t[0]; i++) {
		if (is_int(value_text(t[i].v, t[i].n, out, sizeof out), 1,
		    "amqp-value %s: one piece", t[i].what))
			is_str(out, t[i].text, "amqp-value %s reads \"%s\"",
			    t[i].what, t[i].text);
	}
	is_int(value_text(list0, sizeof list0, out, sizeof out), 0,
	    "amqp-value list0 is a message with no text body");
	is_int(value_text(list8, sizeof list8, out, sizeof out), 0,
	    "amqp-value list8 is a message with no text body");
}

static void
test_not_amqp(void)
{
	static const struct {
		const char	*what;
		uint8_t		 v[24];
		size_t		 n;
	} t[] = {
		{ "\"Hello, World!\"", { 'H', 'e', 'l', 'l', 'o', ',', ' ', 'W',
		    'o', 'r', 'l', 'd', '!' }, 13 },
		{ "empty", { 0 }, 0 },
		{ "a lone 0x00", { 0x00 }, 1 },
		{ "00 53 75 alone", { 0x00, 0x53, 0x75 }, 3 },
		{ "00 53 75 a0 with no length", { 0x00, 0x53, 0x75, 0xa0 }, 4 },
		{ "data of 16 bytes holding 2", { 0x00, 0x53, 0x75, 0xa0, 0x10,
		    'h', 'i' }, 7 },
		{ "vbin32 of 0xffffffff bytes", { 0x00, 0x53, 0x75, 0xb0, 0xff,
		    0xff, 0xff, 0xff, 'h', 'i' }, 10 },
		{ "vbin32 with a 2-byte length", { 0x00, 0x53, 0x75, 0xb0, 0x00,
		    0x00 }, 6 },
		{ "descriptor code 0x6f", { 0x00, 0x53, 0x6f, 0xa0, 0x00 }, 5 },
		{ "descriptor code 0x79", { 0x00, 0x53, 0x79, 0xa0, 0x00 }, 5 },
		{ "ulong descriptor 0x100000075", { 0x00, 0x80, 0x00, 0x00, 0x00,
		    0x01, 0x00, 0x00, 0x00, 0x75, 0xa0, 0x00 }, 12 },
		{ "truncated ulong descriptor", { 0x00, 0x80, 0x00, 0x00 }, 4 },
		{ "descriptor without 0x00", { 0x53, 0x75, 0xa0, 0x00 }, 4 },
		{ "trailing 0xff", { 0x00, 0x53, 0x75, 0xa0, 0x02, 'h', 'i',
		    0xff }, 8 },
		{ "trailing 0x00", { 0x00, 0x53, 0x75, 0xa0, 0x02, 'h', 'i',
		    0x00 }, 8 },
		{ "trailing half section", { 0x00, 0x53, 0x75, 0xa0, 0x02, 'h',
		    'i', 0x00, 0x53 }, 9 },
		{ "bad constructor 0x30", { 0x00, 0x53, 0x77, 0x30 }, 4 },
		{ "uint with 2 of its 4 bytes", { 0x00, 0x53, 0x77, 0x70, 0x00,
		    0x01 }, 6 },
		{ "list32 past the end", { 0x00, 0x53, 0x76, 0xd0, 0x00, 0x00,
		    0x00, 0x09, 0x00, 0x00, 0x00, 0x00 }, 12 },
	};
	struct rs_amqp_msg	 m;
	uint8_t			*copy;
	size_t			 i;

	for (i = 0; i < sizeof t / sizeof t[0]; i++) {
		is_int(parse_exact(&m, t[i].v, t[i].n, &copy), 0,
		    "%s is not an AMQP message", t[i].what);
		free(copy);
	}
}

/* value := 00 40 value | 40, n levels deep, in an amqp-value section. */
static int
nested(size_t n, int in_descriptor)
{
	struct rs_amqp_msg	 m;
	uint8_t			*rec;
	size_t			 i, len = 3 + 2 * n + 1;
	int			 rc;

	if ((rec = malloc(len)) == NULL)
		abort();
	rec[0] = 0x00;
	rec[1] = 0x53;
	rec[2] = 0x77;
	if (in_descriptor) {
		/* 00 00 00 ... 40 40 40: each descriptor is itself described. */
		memset(rec + 3, 0x00, n);
		memset(rec + 3 + n, 0x40, n + 1);
	} else {
		for (i = 0; i < n; i++) {
			rec[3 + 2 * i] = 0x00;
			rec[3 + 2 * i + 1] = 0x40;
		}
		rec[len - 1] = 0x40;
	}
	rc = rs_amqp_parse(&m, rec, len);
	free(rec);
	return rc;
}

static void
test_nesting(void)
{
	is_int(nested(8, 0), 1, "a value described 8 times is a message");
	is_int(nested(8, 1), 1, "a descriptor described 8 times is a message");
	is_int(nested(100000, 0), 0,
	    "a value described 100000 times is refused, stack intact");
	is_int(nested(100000, 1), 0,
	    "a descriptor described 100000 times is refused, stack intact");
}


#define T(x)	RS_AMQP_T_##x

static uint8_t	*scratch;

/*
 * A copy of the n bytes at p in a heap block of exactly n bytes, so that
 * AddressSanitizer sees a read past them; valid until the next call.
 */
static const uint8_t *
exact(const void *p, size_t n)
{
	free(scratch);
	if ((scratch = malloc(n ? n : 1)) == NULL)
		abort();
	if (n > 0)
		memcpy(scratch, p, n);
	return scratch;
}

/* Decode n bytes that must be exactly one value. */
static int
dec(const void *p, size_t n, struct rs_amqp_value *v)
{
	return rs_amqp_decode(v, exact(p, n), n, NULL);
}

/* The text form of v cut at max bytes, in a static buffer. */
static const char *
text_of(const struct rs_amqp_value *v, size_t max, int *rc)
{
	static char	 out[8192];
	struct rs_buf	 b;
	size_t		 n;
	int		 r;

	rs_buf_init(&b);
	r = rs_amqp_text(&b, v, max);
	if (rc != NULL)
		*rc = r;
	n = b.len < sizeof out - 1 ? b.len : sizeof out - 1;
	if (n > 0)
		memcpy(out, b.data, n);
	out[n] = '\0';
	if (r == -1)
		snprintf(out, sizeof out, "<malformed>");
	rs_buf_free(&b);
	return out;
}

/* The bits of a float or double value, for exact comparison. */
static uint64_t
bits(const struct rs_amqp_value *v)
{
	uint32_t	 u32;
	uint64_t	 u64;

	if (v->type == T(FLOAT)) {
		memcpy(&u32, &v->s.f, sizeof u32);
		return u32;
	}
	memcpy(&u64, &v->s.d, sizeof u64);
	return u64;
}

/* The scalar of v as the tables below give it. */
static uint64_t
scalar(const struct rs_amqp_value *v)
{
	switch (v->type) {
	case T(BOOL):
		return (uint64_t)v->s.b;
	case T(BYTE): case T(SHORT): case T(INT): case T(LONG):
	case T(TIMESTAMP):
		return (uint64_t)v->s.i;
	case T(FLOAT): case T(DOUBLE):
		return bits(v);
	default:
		return v->s.u;
	}
}

/* Does type t keep its value in p and n rather than in s? */
static int
sliced(enum rs_amqp_type t)
{
	return t >= T(DECIMAL32) && t != T(CHAR) && t != T(TIMESTAMP);
}

static void
test_types(void)
{
	/* Encodings from AMQP 1.0 part 1 section 1.6, by hand. */
	static const struct {
		const char		*what;
		uint8_t			 b[20];
		size_t			 n;
		enum rs_amqp_type	 type;
		uint64_t		 x;	/* s.b, s.u, s.i or the bits */
		size_t			 off, len;	/* p, n within b */
		uint32_t		 count;
		const char		*text;
	} t[] = {
		{ "null", { 0x40 }, 1, T(NULL), 0, 0, 0, 0, "" },
		{ "true", { 0x41 }, 1, T(BOOL), 1, 0, 0, 0, "true" },
		{ "false", { 0x42 }, 1, T(BOOL), 0, 0, 0, 0, "false" },
		{ "boolean 0x01", { 0x56, 0x01 }, 2, T(BOOL), 1, 0, 0, 0,
		    "true" },
		{ "boolean 0x00", { 0x56, 0x00 }, 2, T(BOOL), 0, 0, 0, 0,
		    "false" },
		{ "ubyte 255", { 0x50, 0xff }, 2, T(UBYTE), 255, 0, 0, 0,
		    "255" },
		{ "ushort 0x1234", { 0x60, 0x12, 0x34 }, 3, T(USHORT), 0x1234,
		    0, 0, 0, "4660" },
		{ "uint 0xdeadbeef", { 0x70, 0xde, 0xad, 0xbe, 0xef }, 5,
		    T(UINT), 0xdeadbeef, 0, 0, 0, "3735928559" },
		{ "smalluint 255", { 0x52, 0xff }, 2, T(UINT), 255, 0, 0, 0,
		    "255" },
		{ "uint0", { 0x43 }, 1, T(UINT), 0, 0, 0, 0, "0" },
		{ "ulong 2^64-1", { 0x80, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
		    0xff, 0xff }, 9, T(ULONG), UINT64_MAX, 0, 0, 0,
		    "18446744073709551615" },
		{ "ulong 0x0102030405060708", { 0x80, 1, 2, 3, 4, 5, 6, 7, 8 },
		    9, T(ULONG), 0x0102030405060708ULL, 0, 0, 0,
		    "72623859790382856" },
		{ "smallulong 128", { 0x53, 0x80 }, 2, T(ULONG), 128, 0, 0, 0,
		    "128" },
		{ "ulong0", { 0x44 }, 1, T(ULONG), 0, 0, 0, 0, "0" },
		{ "byte -128", { 0x51, 0x80 }, 2, T(BYTE), (uint64_t)-128, 0,
		    0, 0, "-128" },
		{ "byte 127", { 0x51, 0x7f }, 2, T(BYTE), 127, 0, 0, 0, "127" },
		{ "short -2", { 0x61, 0xff, 0xfe }, 3, T(SHORT), (uint64_t)-2,
		    0, 0, 0, "-2" },
		{ "short 32767", { 0x61, 0x7f, 0xff }, 3, T(SHORT), 32767, 0,
		    0, 0, "32767" },
		{ "int -2^31", { 0x71, 0x80, 0, 0, 0 }, 5, T(INT),
		    (uint64_t)INT32_MIN, 0, 0, 0, "-2147483648" },
		{ "int 0x01020304", { 0x71, 1, 2, 3, 4 }, 5, T(INT), 16909060,
		    0, 0, 0, "16909060" },
		{ "smallint -1", { 0x54, 0xff }, 2, T(INT), (uint64_t)-1, 0, 0,
		    0, "-1" },
		{ "smallint 127", { 0x54, 0x7f }, 2, T(INT), 127, 0, 0, 0,
		    "127" },
		{ "long -2^63", { 0x81, 0x80, 0, 0, 0, 0, 0, 0, 0 }, 9, T(LONG),
		    (uint64_t)INT64_MIN, 0, 0, 0, "-9223372036854775808" },
		{ "long 2^63-1", { 0x81, 0x7f, 0xff, 0xff, 0xff, 0xff, 0xff,
		    0xff, 0xff }, 9, T(LONG), INT64_MAX, 0, 0, 0,
		    "9223372036854775807" },
		{ "smalllong -128", { 0x55, 0x80 }, 2, T(LONG), (uint64_t)-128,
		    0, 0, 0, "-128" },
		{ "float 1", { 0x72, 0x3f, 0x80, 0, 0 }, 5, T(FLOAT),
		    0x3f800000, 0, 0, 0, "1" },
		{ "float -2.5", { 0x72, 0xc0, 0x20, 0, 0 }, 5, T(FLOAT),
		    0xc0200000, 0, 0, 0, "-2.5" },
		{ "float 0.1", { 0x72, 0x3d, 0xcc, 0xcc, 0xcd }, 5, T(FLOAT),
		    0x3dcccccd, 0, 0, 0, "0.1" },
		{ "float NaN", { 0x72, 0x7f, 0xc0, 0, 0 }, 5, T(FLOAT),
		    0x7fc00000, 0, 0, 0, "NaN" },
		{ "float -infinity", { 0x72, 0xff, 0x80, 0, 0 }, 5, T(FLOAT),
		    0xff800000, 0, 0, 0, "-Infinity" },
		{ "float -0", { 0x72, 0x80, 0, 0, 0 }, 5, T(FLOAT), 0x80000000,
		    0, 0, 0, "-0" },
		{ "float smallest subnormal", { 0x72, 0, 0, 0, 1 }, 5, T(FLOAT),
		    1, 0, 0, 0, "1e-45" },
		{ "double 0.1", { 0x82, 0x3f, 0xb9, 0x99, 0x99, 0x99, 0x99,
		    0x99, 0x9a }, 9, T(DOUBLE), 0x3fb999999999999aULL, 0, 0, 0,
		    "0.1" },
		{ "double 2^53", { 0x82, 0x43, 0x40, 0, 0, 0, 0, 0, 0 }, 9,
		    T(DOUBLE), 0x4340000000000000ULL, 0, 0, 0,
		    "9007199254740992" },
		{ "double 1e300", { 0x82, 0x7e, 0x37, 0xe4, 0x3c, 0x88, 0x00,
		    0x75, 0x9c }, 9, T(DOUBLE), 0x7e37e43c8800759cULL, 0, 0, 0,
		    "1e+300" },
		{ "double infinity", { 0x82, 0x7f, 0xf0, 0, 0, 0, 0, 0, 0 }, 9,
		    T(DOUBLE), 0x7ff0000000000000ULL, 0, 0, 0, "Infinity" },
		{ "decimal32", { 0x74, 0x22, 0x50, 0x00, 0x07 }, 5,
		    T(DECIMAL32), 0, 1, 4, 0, "0x22500007" },
		{ "decimal64", { 0x84, 0x22, 0x38, 0, 0, 0, 0, 0, 0x07 }, 9,
		    T(DECIMAL64), 0, 1, 8, 0, "0x2238000000000007" },
		{ "decimal128", { 0x94, 0x22, 0x08, 0, 0, 0, 0, 0, 0, 0, 0, 0,
		    0, 0, 0, 0, 0x07 }, 17, T(DECIMAL128), 0, 1, 16, 0,
		    "0x22080000000000000000000000000007" },
		{ "char A", { 0x73, 0, 0, 0, 0x41 }, 5, T(CHAR), 0x41, 0, 0, 0,
		    "A" },
		{ "char U+00E9", { 0x73, 0, 0, 0, 0xe9 }, 5, T(CHAR), 0xe9, 0,
		    0, 0, "\xc3\xa9" },
		{ "char U+1F600", { 0x73, 0, 1, 0xf6, 0 }, 5, T(CHAR), 0x1f600,
		    0, 0, 0, "\xf0\x9f\x98\x80" },
		{ "char past U+10FFFF", { 0x73, 0, 0x11, 0, 0 }, 5, T(CHAR),
		    0x110000, 0, 0, 0, "\xef\xbf\xbd" },
		{ "char U+D800 (a surrogate)", { 0x73, 0, 0, 0xd8, 0 }, 5,
		    T(CHAR), 0xd800, 0, 0, 0, "\xef\xbf\xbd" },
		{ "timestamp", { 0x83, 0, 0, 0x01, 0x8b, 0xcf, 0xe5, 0x68, 0 },
		    9, T(TIMESTAMP), 1700000000000ULL, 0, 0, 0,
		    "1700000000000" },
		{ "timestamp -1", { 0x83, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
		    0xff, 0xff }, 9, T(TIMESTAMP), (uint64_t)-1, 0, 0, 0, "-1" },
		{ "uuid", { 0x98, 0x12, 0x34, 0x56, 0x78, 0x9a, 0xbc, 0xde,
		    0xf0, 0x0f, 0xed, 0xcb, 0xa9, 0x87, 0x65, 0x43, 0x21 }, 17,
		    T(UUID), 0, 1, 16, 0, "12345678-9abc-def0-0fed-cba987654321" },
		{ "vbin8", { 0xa0, 0x02, 'h', 0xff }, 4, T(BINARY), 0, 2, 2, 0,
		    "h\xff" },
		{ "vbin8 empty", { 0xa0, 0x00 }, 2, T(BINARY), 0, 2, 0, 0, "" },
		{ "vbin32", { 0xb0, 0, 0, 0, 2, 'h', 'i' }, 7, T(BINARY), 0, 5,
		    2, 0, "hi" },
		{ "str8-utf8", { 0xa1, 0x05, 'h', 0xc3, 0xa9, 'l', 'o' }, 7,
		    T(STRING), 0, 2, 5, 0, "h\xc3\xa9lo" },
		{ "str32-utf8", { 0xb1, 0, 0, 0, 1, 'x' }, 6, T(STRING), 0, 5,
		    1, 0, "x" },
		{ "sym8", { 0xa3, 0x03, 'a', 'b', 'c' }, 5, T(SYMBOL), 0, 2, 3,
		    0, "abc" },
		{ "sym32 empty", { 0xb3, 0, 0, 0, 0 }, 5, T(SYMBOL), 0, 5, 0, 0,
		    "" },
		{ "list0", { 0x45 }, 1, T(LIST), 0, 1, 0, 0, "[]" },
		{ "list8", { 0xc0, 0x04, 0x02, 0x41, 0x52, 0x07 }, 6, T(LIST),
		    0, 3, 3, 2, "[true,7]" },
		{ "list32", { 0xd0, 0, 0, 0, 6, 0, 0, 0, 2, 0x40, 0x42 }, 11,
		    T(LIST), 0, 9, 2, 2, "[null,false]" },
		{ "map8", { 0xc1, 0x06, 0x02, 0xa1, 0x01, 'k', 0x54, 0xfe }, 8,
		    T(MAP), 0, 3, 5, 2, "{\"k\":-2}" },
		{ "map32 empty", { 0xd1, 0, 0, 0, 4, 0, 0, 0, 0 }, 9, T(MAP), 0,
		    9, 0, 0, "{}" },
		{ "array8 of uint", { 0xe0, 0x0a, 0x02, 0x70, 0, 0, 0, 1, 0, 0,
		    1, 0 }, 12, T(ARRAY), 0, 4, 8, 2, "[1,256]" },
		{ "array32 of str8", { 0xf0, 0, 0, 0, 0x0a, 0, 0, 0, 2, 0xa1,
		    0x01, 'a', 0x02, 'b', 'c' }, 15, T(ARRAY), 0, 10, 5, 2,
		    "[\"a\",\"bc\"]" },
		{ "array8 of boolean", { 0xe0, 0x04, 0x02, 0x56, 0x01, 0x00 },
		    6, T(ARRAY), 0, 4, 2, 2, "[true,false]" },
		{ "array8 of null", { 0xe0, 0x02, 0x03, 0x40 }, 4, T(ARRAY), 0,
		    4, 0, 3, "[null,null,null]" },
		{ "array8 of list8", { 0xe0, 0x07, 0x02, 0xc0, 0x02, 0x01, 0x41,
		    0x01, 0x00 }, 9, T(ARRAY), 0, 4, 5, 2, "[[true],[]]" },
		{ "array8 of described ubyte", { 0xe0, 0x07, 0x02, 0x00, 0x53,
		    0x09, 0x50, 0x01, 0x02 }, 9, T(ARRAY), 0, 7, 2, 2,
		    "[{\"descriptor\":9,\"value\":1},"
		    "{\"descriptor\":9,\"value\":2}]" },
		{ "described smalluint", { 0x00, 0xa3, 0x03, 'x', ':', 'y',
		    0x52, 0x05 }, 8, T(DESCRIBED), 0, 7, 1, 0,
		    "{\"descriptor\":\"x:y\",\"value\":5}" },
	};
	struct rs_amqp_value	 v;
	const uint8_t		*p;
	uint8_t			 more[21];
	size_t			 i, used;

	for (i = 0; i < sizeof t / sizeof t[0]; i++) {
		if (!is_int(dec(t[i].b, t[i].n, &v), 0, "%s decodes",
		    t[i].what))
			continue;
		p = scratch;
		is_str(rs_amqp_type_name(v.type),
		    rs_amqp_type_name(t[i].type), "%s is a %s", t[i].what,
		    rs_amqp_type_name(t[i].type));
		is_uint(v.code, t[i].type == T(DESCRIBED) ? 0 : t[i].b[0],
		    "%s: format code", t[i].what);
		if (sliced(t[i].type))
			ok(v.p == p + t[i].off && v.n == t[i].len &&
			    v.count == t[i].count,
			    "%s: %zu bytes at %zu, %u elements", t[i].what,
			    t[i].len, t[i].off, t[i].count);
		else
			is_uint(scalar(&v), t[i].x, "%s: its value", t[i].what);
		is_str(text_of(&v, 1000, NULL), t[i].text,
		    "%s: its text form", t[i].what);
		/* With a byte after it, the value still ends where it did. */
		memcpy(more, t[i].b, t[i].n);
		more[t[i].n] = 0x40;
		ok(rs_amqp_decode(&v, exact(more, t[i].n + 1), t[i].n + 1,
		    &used) == 0 && used == t[i].n &&
		    rs_amqp_decode(&v, scratch, t[i].n + 1, NULL) == -1,
		    "%s: %zu bytes long, not one more", t[i].what, t[i].n);
	}
}

/* Walk the elements of the value in b: their types, in order, as names. */
static const char *
walk(const uint8_t *b, size_t n)
{
	static char		 out[256];
	struct rs_amqp_value	 v, e;
	struct rs_amqp_iter	 it;
	int			 r;

	out[0] = '\0';
	if (dec(b, n, &v) == -1)
		return "<malformed>";
	rs_amqp_iter_init(&it, &v);
	while ((r = rs_amqp_iter_next(&it, &e)) == 1) {
		if (out[0] != '\0')
			strcat(out, " ");
		strcat(out, rs_amqp_type_name(e.type));
	}
	if (r == -1)
		strcat(out, " <-1>");
	return out;
}

static void
test_compounds(void)
{
	static const uint8_t	 list[] = {
		0xc0, 0x08, 0x04, 0x41, 0x52, 0x07, 0xa1, 0x01, 's', 0x40,
	};
	static const uint8_t	 map[] = {
		0xc1, 0x0f, 0x06,
		0xa1, 0x01, 'a', 0x54, 0x01,
		0xa3, 0x01, 'b', 0xa1, 0x01, 'x',
		0x52, 0x03, 0x40,
	};
	static const uint8_t	 described_array[] = {
		0xe0, 0x07, 0x02, 0x00, 0x53, 0x09, 0x50, 0x01, 0x02,
	};
	static const uint8_t	 array_of_arrays[] = {
		0xe0, 0x0a, 0x02, 0xe0,
		0x03, 0x01, 0x50, 0x07,		/* [ubyte 7] */
		0x03, 0x00, 0xa1, 0x00,		/* [] of str8, an odd pad */
	};
	static const uint8_t	 chain[] = {
		0x00, 0x53, 0x01, 0x00, 0x53, 0x02, 0x40,
	};
	static const uint8_t	 desc_desc[] = {
		0x00, 0x00, 0x53, 0x01, 0x40, 0x40,
	};
	static const uint8_t	 garbage[] = { 0xa0, 0x05, 'x' };
	struct rs_amqp_value	 v, e, d, in, hand;
	struct rs_amqp_iter	 it;
	int			 n;

	is_str(walk(list, sizeof list), "bool uint string null",
	    "list8: its four elements in order");
	is_str(walk(map, sizeof map), "string int symbol string uint null",
	    "map8: keys and values alternate");
	dec(map, sizeof map, &v);
	ok(rs_amqp_map_find(&v, "a", &e) == 1 && e.type == T(INT) &&
	    e.s.i == 1, "map: \"a\" (a string key) finds int 1");
	ok(rs_amqp_map_find(&v, "b", &e) == 1 && rs_amqp_is_str(&e, "x"),
	    "map: \"b\" (a symbol key) finds \"x\"");
	is_int(rs_amqp_map_find(&v, "c", &e), 0, "map: \"c\" is not there");
	dec(list, sizeof list, &v);
	is_int(rs_amqp_map_find(&v, "a", &e), 0, "a list has no keys");

	dec(described_array, sizeof described_array, &v);
	rs_amqp_iter_init(&it, &v);
	n = 0;
	while (rs_amqp_iter_next(&it, &e) == 1)
		if (e.type == T(DESCRIBED) &&
		    rs_amqp_described(&e, &d, &in) == 0 &&
		    d.type == T(ULONG) && d.s.u == 9 && in.type == T(UBYTE) &&
		    in.s.u == (uint64_t)n + 1)
			n++;
	is_int(n, 2, "an array of described ubytes: descriptor 9, values 1, 2");

	is_str(walk(array_of_arrays, sizeof array_of_arrays), "<malformed>",
	    "an array of arrays whose last holds a stray byte is refused");
	{
		static const uint8_t	 aa[] = {
			0xe0, 0x09, 0x02, 0xe0,
			0x03, 0x01, 0x50, 0x07,	/* [ubyte 7] */
			0x02, 0x00, 0xa1,	/* [] of str8 */
		};

		is_str(walk(aa, sizeof aa), "array array",
		    "an array of two arrays");
		dec(aa, sizeof aa, &v);
		is_str(text_of(&v, 100, NULL), "[[7],[]]",
		    "which read [[7],[]]");
	}

	dec(chain, sizeof chain, &v);
	ok(v.type == T(DESCRIBED) && rs_amqp_described(&v, &d, &in) == 0 &&
	    d.s.u == 1 && in.type == T(DESCRIBED) &&
	    rs_amqp_described(&in, &d, &e) == 0 && d.s.u == 2 &&
	    e.type == T(NULL), "a described described value: 1, then 2, null");
	dec(desc_desc, sizeof desc_desc, &v);
	ok(rs_amqp_described(&v, &d, &in) == 0 && d.type == T(DESCRIBED) &&
	    in.type == T(NULL) && rs_amqp_described(&d, &e, &in) == 0 &&
	    e.s.u == 1, "a described descriptor splits too");
	dec(list, sizeof list, &v);
	is_int(rs_amqp_described(&v, &d, &in), -1,
	    "a list is not a described value");
	rs_amqp_iter_init(&it, &v);
	rs_amqp_iter_next(&it, &e);
	rs_amqp_iter_init(&it, &e);
	is_int(rs_amqp_iter_next(&it, &e), 0, "a scalar has no elements");

	/* A value made by hand over bytes that do not hold its elements. */
	memset(&hand, 0, sizeof hand);
	hand.type = T(LIST);
	hand.p = exact(garbage, sizeof garbage);
	hand.n = sizeof garbage;
	hand.count = 3;
	rs_amqp_iter_init(&it, &hand);
	ok(rs_amqp_iter_next(&it, &e) == -1 && rs_amqp_iter_next(&it, &e) == 0,
	    "walking a hand-made list over bad bytes: -1, then the end");
	is_str(text_of(&hand, 100, NULL), "<malformed>",
	    "and its text form says it is malformed");
}

/* Values each check of the decoder refuses (exactly one value expected). */
static void
test_malformed(void)
{
	static const struct {
		const char	*what;
		uint8_t		 b[20];
		size_t		 n;
	} t[] = {
		{ "nothing", { 0 }, 0 },
		{ "a lone 0x00", { 0x00 }, 1 },
		{ "a descriptor with no value", { 0x00, 0x53, 0x01 }, 3 },
		{ "a described value cut short", { 0x00, 0x53, 0x01, 0xa0,
		    0x05, 'x' }, 6 },
		{ "format code 0x01", { 0x01 }, 1 },
		{ "format code 0x30", { 0x30 }, 1 },
		{ "format code 0x46", { 0x46 }, 1 },
		{ "format code 0x57", { 0x57, 0x00 }, 2 },
		{ "format code 0x99", { 0x99 }, 1 },
		{ "format code 0xa2", { 0xa2, 0x00 }, 2 },
		{ "format code 0xc2", { 0xc2, 0x01, 0x00 }, 3 },
		{ "format code 0xff", { 0xff }, 1 },
		{ "ubyte with no byte", { 0x50 }, 1 },
		{ "ushort with 1 byte", { 0x60, 0x00 }, 2 },
		{ "uint with 3 bytes", { 0x70, 0, 0, 0 }, 4 },
		{ "ulong with 7 bytes", { 0x80, 0, 0, 0, 0, 0, 0, 0 }, 8 },
		{ "float with 3 bytes", { 0x72, 0, 0, 0 }, 4 },
		{ "double with 7 bytes", { 0x82, 0, 0, 0, 0, 0, 0, 0 }, 8 },
		{ "char with 3 bytes", { 0x73, 0, 0, 0 }, 4 },
		{ "timestamp with 7 bytes", { 0x83, 0, 0, 0, 0, 0, 0, 0 }, 8 },
		{ "decimal32 with 3 bytes", { 0x74, 0, 0, 0 }, 4 },
		{ "decimal64 with 7 bytes", { 0x84, 0, 0, 0, 0, 0, 0, 0 }, 8 },
		{ "decimal128 with 15 bytes", { 0x94, 0, 0, 0, 0, 0, 0, 0, 0,
		    0, 0, 0, 0, 0, 0, 0 }, 16 },
		{ "uuid with 15 bytes", { 0x98, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
		    0, 0, 0, 0, 0 }, 16 },
		{ "boolean 0x02", { 0x56, 0x02 }, 2 },
		{ "boolean 0xff", { 0x56, 0xff }, 2 },
		{ "boolean with no byte", { 0x56 }, 1 },
		{ "vbin8 with no length", { 0xa0 }, 1 },
		{ "vbin8 of 3 holding 2", { 0xa0, 0x03, 'a', 'b' }, 4 },
		{ "vbin32 with a 2-byte length", { 0xb0, 0x00, 0x00 }, 3 },
		{ "vbin32 of 3 holding 1", { 0xb0, 0, 0, 0, 3, 'a' }, 6 },
		{ "vbin32 of 2^32-1 bytes", { 0xb0, 0xff, 0xff, 0xff, 0xff,
		    'a' }, 6 },
		{ "str8 of 2 holding 1", { 0xa1, 0x02, 'a' }, 3 },
		{ "str32 of 1 holding 0", { 0xb1, 0, 0, 0, 1 }, 5 },
		{ "sym8 of 1 holding 0", { 0xa3, 0x01 }, 2 },
		{ "sym32 with a 3-byte length", { 0xb3, 0, 0, 0 }, 4 },
		{ "list8 with no size", { 0xc0 }, 1 },
		{ "list8 of size 0 (no room for its count)", { 0xc0, 0x00 }, 2 },
		{ "list8 of size 5 holding 2", { 0xc0, 0x05, 0x01, 0x40 }, 4 },
		{ "list8 counting 2 in 0 bytes", { 0xc0, 0x01, 0x02 }, 3 },
		{ "list8 counting 2 in 1 byte", { 0xc0, 0x02, 0x02, 0x40 }, 4 },
		{ "list8 counting 1 holding 2", { 0xc0, 0x03, 0x01, 0x40,
		    0x40 }, 5 },
		{ "list8 whose 2nd element runs out", { 0xc0, 0x04, 0x02,
		    0x40, 0xa0, 0x05 }, 6 },
		{ "list8 holding an unknown code", { 0xc0, 0x02, 0x01,
		    0xff }, 4 },
		{ "list32 of size 3", { 0xd0, 0, 0, 0, 3, 0, 0, 0 }, 8 },
		{ "list32 counting 1 in no bytes", { 0xd0, 0, 0, 0, 4, 0, 0, 0,
		    1 }, 9 },
		{ "list32 of size 2^32-1", { 0xd0, 0xff, 0xff, 0xff, 0xff, 0, 0,
		    0, 0 }, 9 },
		{ "list32 counting 2^32-1", { 0xd0, 0, 0, 0, 6, 0xff, 0xff,
		    0xff, 0xff, 0x40, 0x40 }, 11 },
		{ "map8 counting 1 (a key without a value)", { 0xc1, 0x02,
		    0x01, 0x40 }, 4 },
		{ "map8 counting 3", { 0xc1, 0x04, 0x03, 0x40, 0x40, 0x40 }, 6 },
		{ "map32 counting 1", { 0xd1, 0, 0, 0, 5, 0, 0, 0, 1, 0x40 },
		    10 },
		{ "array8 with no size", { 0xe0 }, 1 },
		{ "array8 with no constructor", { 0xe0, 0x01, 0x00 }, 3 },
		{ "array8 of one uint with no bytes", { 0xe0, 0x02, 0x01,
		    0x70 }, 4 },
		{ "array8 of one uint with 5 bytes", { 0xe0, 0x07, 0x01, 0x70,
		    0, 0, 0, 1, 0 }, 9 },
		{ "array8 of an unknown code", { 0xe0, 0x02, 0x00, 0x30 }, 4 },
		{ "array8 of one str8 in no bytes", { 0xe0, 0x02, 0x01,
		    0xa1 }, 4 },
		{ "array8 of two str8 in 1 byte", { 0xe0, 0x03, 0x02, 0xa1,
		    0x00 }, 5 },
		{ "array8 whose 2nd str8 runs out", { 0xe0, 0x05, 0x02, 0xa1,
		    0x00, 0x05, 'x' }, 7 },
		{ "array8 whose str8 leaves a byte", { 0xe0, 0x05, 0x01, 0xa1,
		    0x01, 'x', 'y' }, 7 },
		{ "array8 of boolean 0x02", { 0xe0, 0x03, 0x01, 0x56, 0x02 }, 5 },
		{ "array8 of null with a byte", { 0xe0, 0x03, 0x01, 0x40,
		    0x00 }, 5 },
		{ "array8 described with no descriptor", { 0xe0, 0x02, 0x00,
		    0x00 }, 4 },
		{ "array8 described with no format code", { 0xe0, 0x03, 0x00,
		    0x00, 0x40 }, 5 },
		{ "array32 of 2^32-1 ulongs", { 0xf0, 0, 0, 0, 0x0d, 0xff, 0xff,
		    0xff, 0xff, 0x80, 0, 0, 0, 0, 0, 0, 0 }, 17 },
		{ "two values", { 0x40, 0x40 }, 2 },
	};
	struct rs_amqp_value	 v;
	size_t			 i;

	for (i = 0; i < sizeof t / sizeof t[0]; i++)
		is_int(dec(t[i].b, t[i].n, &v), -1, "refused: %s", t[i].what);
	is_int(v.type, T(NULL), "and a refused value is left null");
}

/* n list8s, each inside the last, the innermost holding a null. */
static int
nested_lists(size_t n, int wide)
{
	struct rs_amqp_value	 v;
	uint8_t			*b;
	size_t			 i, w = wide ? 9 : 3, len = n * w + 1, inner;
	int			 rc;

	if ((b = malloc(len)) == NULL)
		abort();
	for (i = 0; i < n; i++) {
		inner = len - (i + 1) * w;	/* what this list holds */
		if (wide) {
			b[i * w] = 0xd0;
			rs_wire_w32(b + i * w + 1, (uint32_t)(inner + 4));
			rs_wire_w32(b + i * w + 5, 1);
		} else {
			b[i * w] = 0xc0;
			b[i * w + 1] = (uint8_t)(inner + 1);
			b[i * w + 2] = 1;
		}
	}
	b[len - 1] = 0x40;
	rc = rs_amqp_decode(&v, b, len, NULL);
	free(b);
	return rc;
}

/* n described values, each the value described by the last. */
static int
described_chain(size_t n)
{
	struct rs_amqp_value	 v;
	uint8_t			*b;
	size_t			 i, len = 3 * n + 1;
	int			 rc;

	if ((b = malloc(len)) == NULL)
		abort();
	for (i = 0; i < n; i++) {
		b[3 * i] = 0x00;
		b[3 * i + 1] = 0x53;
		b[3 * i + 2] = (uint8_t)i;
	}
	b[len - 1] = 0x40;
	rc = rs_amqp_decode(&v, b, len, NULL);
	free(b);
	return rc;
}

static void
test_depth(void)
{
	is_int(nested_lists(RS_AMQP_MAX_DEPTH, 0), 0,
	    "lists nested %d deep decode", RS_AMQP_MAX_DEPTH);
	is_int(nested_lists(RS_AMQP_MAX_DEPTH + 1, 0), -1,
	    "lists nested %d deep are refused", RS_AMQP_MAX_DEPTH + 1);
	is_int(nested_lists(100000, 1), -1,
	    "list32s nested 100000 deep are refused, stack intact");
	is_int(described_chain(RS_AMQP_MAX_DEPTH), 0,
	    "%d described values in a chain decode", RS_AMQP_MAX_DEPTH);
	is_int(described_chain(RS_AMQP_MAX_DEPTH + 1), -1,
	    "%d are refused", RS_AMQP_MAX_DEPTH + 1);
}

static const uint8_t	 uuid16[16] = {
	0x12, 0x34, 0x56, 0x78, 0x9a, 0xbc, 0xde, 0xf0,
	0x0f, 0xed, 0xcb, 0xa9, 0x87, 0x65, 0x43, 0x21
};

/* A string of a C string. */
static void
str(struct rs_buf *b, const char *s)
{
	rs_amqp_put_string(b, s, strlen(s));
}

/* A symbol of a C string. */
static void
sym(struct rs_buf *b, const char *s)
{
	rs_amqp_put_symbol(b, s, strlen(s));
}

/*
 * Every section, all fields: header, delivery-annotations,
 * message-annotations, properties, application-properties, two data
 * sections and a footer.
 */
static void
full_message(struct rs_buf *b)
{
	size_t	 m;

	rs_amqp_put_section(b, RS_AMQP_HEADER);
	m = rs_amqp_list_begin(b);
	rs_amqp_put_bool(b, 1);
	rs_amqp_put_ubyte(b, 5);
	rs_amqp_put_uint(b, 1000);
	rs_amqp_put_bool(b, 0);
	rs_amqp_put_uint(b, 3);
	rs_amqp_list_end(b, m);
	rs_amqp_put_section(b, RS_AMQP_DELIVERY_ANNOTATIONS);
	m = rs_amqp_map_begin(b);
	sym(b, "x-d");
	rs_amqp_put_int(b, 1);
	rs_amqp_map_end(b, m);
	rs_amqp_put_section(b, RS_AMQP_MESSAGE_ANNOTATIONS);
	m = rs_amqp_map_begin(b);
	sym(b, "x-routing-key");
	str(b, "rk");
	rs_amqp_map_end(b, m);
	rs_amqp_put_section(b, RS_AMQP_PROPERTIES);
	m = rs_amqp_list_begin(b);
	rs_amqp_put_ulong(b, 7);
	rs_amqp_put_binary(b, "u", 1);
	str(b, "t");
	str(b, "s");
	str(b, "r");
	rs_amqp_put_uuid(b, uuid16);
	sym(b, "text/plain");
	sym(b, "gzip");
	rs_amqp_put_timestamp(b, 2000);
	rs_amqp_put_timestamp(b, 1000);
	str(b, "g");
	rs_amqp_put_uint(b, 9);
	str(b, "rg");
	rs_amqp_list_end(b, m);
	rs_amqp_put_section(b, RS_AMQP_APPLICATION_PROPERTIES);
	m = rs_amqp_map_begin(b);
	str(b, "k");
	str(b, "v");
	str(b, "n");
	rs_amqp_put_int(b, 2);
	rs_amqp_map_end(b, m);
	rs_amqp_put_message(b, NULL, "ab", 2);
	rs_amqp_put_message(b, NULL, "c", 1);
	rs_amqp_put_section(b, RS_AMQP_FOOTER);
	m = rs_amqp_map_begin(b);
	sym(b, "f");
	rs_amqp_put_null(b);
	rs_amqp_map_end(b, m);
}

static void
test_sections(void)
{
	static const char	*props[RS_AMQP_P_MAX] = {
		"7", "u", "t", "s", "r", "12345678-9abc-def0-0fed-cba987654321",
		"text/plain", "gzip", "2000", "1000", "g", "9", "rg"
	};
	static const enum rs_amqp_type	 ptypes[RS_AMQP_P_MAX] = {
		T(ULONG), T(BINARY), T(STRING), T(STRING), T(STRING), T(UUID),
		T(SYMBOL), T(SYMBOL), T(TIMESTAMP), T(TIMESTAMP), T(STRING),
		T(UINT), T(STRING)
	};
	static const int	 codes[] = {
		0x70, 0x71, 0x72, 0x73, 0x74, 0x75, 0x75, 0x78
	};
	struct rs_amqp_msg	 m;
	struct rs_amqp_value	 v;
	struct rs_buf		 b;
	const uint8_t		*p;
	size_t			 pos = 0, n, i;
	int			 code, wrong = 0;
	char			 out[64];

	rs_buf_init(&b);
	full_message(&b);
	if (!is_int(rs_amqp_parse(&m, exact(b.data, b.len), b.len), 1,
	    "a message with every section parses"))
		return;
	is_uint(m.sections, 0x13f, "header to application-properties, "
	    "data and footer are there");
	ok(m.body == RS_AMQP_DATA && m.nbody == 2, "a body of two data "
	    "sections");
	ok(m.header[RS_AMQP_H_DURABLE].type == T(BOOL) &&
	    m.header[RS_AMQP_H_DURABLE].s.b == 1 &&
	    m.header[RS_AMQP_H_PRIORITY].type == T(UBYTE) &&
	    m.header[RS_AMQP_H_PRIORITY].s.u == 5 &&
	    m.header[RS_AMQP_H_TTL].type == T(UINT) &&
	    m.header[RS_AMQP_H_TTL].s.u == 1000 &&
	    m.header[RS_AMQP_H_FIRST_ACQUIRER].type == T(BOOL) &&
	    m.header[RS_AMQP_H_FIRST_ACQUIRER].s.b == 0 &&
	    m.header[RS_AMQP_H_DELIVERY_COUNT].s.u == 3,
	    "header: durable, priority 5, ttl 1000, not first-acquirer, "
	    "delivery-count 3");
	for (i = 0; i < RS_AMQP_P_MAX; i++) {
		is_str(rs_amqp_type_name(m.properties[i].type),
		    rs_amqp_type_name(ptypes[i]), "properties: %s is a %s",
		    rs_amqp_property_name((int)i), rs_amqp_type_name(ptypes[i]));
		is_str(text_of(&m.properties[i], 100, NULL), props[i],
		    "properties: %s is %s", rs_amqp_property_name((int)i),
		    props[i]);
	}
	ok(rs_amqp_map_find(&m.delivery_annotations, "x-d", &v) == 1 &&
	    v.s.i == 1, "delivery-annotations: x-d is 1");
	ok(rs_amqp_map_find(&m.message_annotations, "x-routing-key", &v) ==
	    1 && rs_amqp_is_str(&v, "rk"), "message-annotations: "
	    "x-routing-key is rk");
	ok(rs_amqp_map_find(&m.application_properties, "n", &v) == 1 &&
	    v.type == T(INT) && v.s.i == 2, "application-properties: n is 2");
	ok(rs_amqp_map_find(&m.footer, "f", &v) == 1 && v.type == T(NULL),
	    "footer: f is null");
	ok(rs_amqp_body_next(&m, &p, &n) == 1 && n == 2 &&
	    memcmp(p, "ab", 2) == 0 && rs_amqp_body_next(&m, &p, &n) == 1 &&
	    n == 1 && *p == 'c' && rs_amqp_body_next(&m, &p, &n) == 0,
	    "the body is \"ab\" then \"c\"");
	for (i = 0; rs_amqp_section_next(&m, &pos, &code, &v) == 1; i++)
		if (i >= sizeof codes / sizeof codes[0] || code != codes[i])
			wrong++;
	ok(wrong == 0 && i == 8, "the sections come in record order");
	for (i = RS_AMQP_HEADER; i <= RS_AMQP_FOOTER; i++)
		snprintf(out + 2 * (i - RS_AMQP_HEADER), 3, "%c,",
		    rs_amqp_section_name((int)i)[0]);
	is_str(out, "h,d,m,p,a,d,a,a,f,", "section names");
	ok(rs_amqp_section_name(0x6f) == NULL &&
	    rs_amqp_header_name(RS_AMQP_H_MAX) == NULL &&
	    rs_amqp_property_name(-1) == NULL &&
	    strcmp(rs_amqp_header_name(RS_AMQP_H_FIRST_ACQUIRER),
	    "first-acquirer") == 0 &&
	    strcmp(rs_amqp_property_name(RS_AMQP_P_REPLY_TO_GROUP_ID),
	    "reply-to-group-id") == 0, "field names");
	rs_buf_free(&b);
}

/* Sections as bytes, for the cases below. */
static const uint8_t	 s_header[] = { 0x00, 0x53, 0x70, 0x45 };
static const uint8_t	 s_header_long[] = {
	0x00, 0x53, 0x70, 0xc0, 0x09, 0x07, 0x41, 0x50, 0x02, 0x40, 0x40,
	0x40, 0x40, 0x40,
};
static const uint8_t	 s_da[] = { 0x00, 0x53, 0x71, 0xc1, 0x01, 0x00 };
static const uint8_t	 s_ma[] = { 0x00, 0x53, 0x72, 0xc1, 0x01, 0x00 };
static const uint8_t	 s_props_short[] = {
	0x00, 0x53, 0x73, 0xc0, 0x06, 0x03, 0x40, 0x40, 0xa1, 0x01, 't',
};
static const uint8_t	 s_props_list0[] = { 0x00, 0x53, 0x73, 0x45 };
static const uint8_t	 s_app[] = { 0x00, 0x53, 0x74, 0xc1, 0x01, 0x00 };
static const uint8_t	 s_data[] = { 0x00, 0x53, 0x75, 0xa0, 0x01, 'd' };
static const uint8_t	 s_seq[] = { 0x00, 0x53, 0x76, 0x45 };
static const uint8_t	 s_value[] = { 0x00, 0x53, 0x77, 0x52, 0x07 };
static const uint8_t	 s_value_map[] = {
	0x00, 0x53, 0x77, 0xc1, 0x03, 0x02, 0x40, 0x40,
};
static const uint8_t	 s_footer[] = { 0x00, 0x53, 0x78, 0xc1, 0x01, 0x00 };
static const uint8_t	 s_ulong_header[] = {
	0x00, 0x80, 0, 0, 0, 0, 0, 0, 0, 0x70, 0xc0, 0x02, 0x01, 0x41,
};
static const uint8_t	 s_ulong_data[] = {
	0x00, 0x80, 0, 0, 0, 0, 0, 0, 0, 0x75, 0xa0, 0x01, 'u',
};
static const uint8_t	 s_sym_props[] = {
	0x00, 0xa3, 0x14, 'a', 'm', 'q', 'p', ':', 'p', 'r', 'o', 'p', 'e',
	'r', 't', 'i', 'e', 's', ':', 'l', 'i', 's', 't',
	0xc0, 0x03, 0x01, 0x53, 0x2a,
};
static const uint8_t	 s_sym_data[] = {
	0x00, 0xb3, 0, 0, 0, 0x10, 'a', 'm', 'q', 'p', ':', 'd', 'a', 't',
	'a', ':', 'b', 'i', 'n', 'a', 'r', 'y', 0xa0, 0x01, 's',
};
static const uint8_t	 s_sym_value[] = {
	0x00, 0xa3, 0x11, 'a', 'm', 'q', 'p', ':', 'a', 'm', 'q', 'p', '-',
	'v', 'a', 'l', 'u', 'e', ':', '*', 0xa1, 0x01, 'v',
};
/* Wrong: a string, not a symbol, and a name no section has. */
static const uint8_t	 s_str_data[] = {
	0x00, 0xa1, 0x10, 'a', 'm', 'q', 'p', ':', 'd', 'a', 't', 'a', ':',
	'b', 'i', 'n', 'a', 'r', 'y', 0xa0, 0x01, 's',
};
static const uint8_t	 s_sym_other[] = {
	0x00, 0xa3, 0x0d, 'a', 'm', 'q', 'p', ':', 'd', 'a', 't', 'a', ':',
	'l', 'i', 's', 0xa0, 0x01, 's',
};
static const uint8_t	 s_header_map[] = { 0x00, 0x53, 0x70, 0xc1, 0x01, 0x00 };
static const uint8_t	 s_da_list[] = { 0x00, 0x53, 0x71, 0x45 };
static const uint8_t	 s_ma_list[] = { 0x00, 0x53, 0x72, 0x45 };
static const uint8_t	 s_props_map[] = { 0x00, 0x53, 0x73, 0xc1, 0x01, 0x00 };
static const uint8_t	 s_app_list[] = { 0x00, 0x53, 0x74, 0x45 };
static const uint8_t	 s_data_str[] = { 0x00, 0x53, 0x75, 0xa1, 0x01, 'd' };
static const uint8_t	 s_seq_map[] = { 0x00, 0x53, 0x76, 0xc1, 0x01, 0x00 };
static const uint8_t	 s_footer_list[] = { 0x00, 0x53, 0x78, 0x45 };
static const uint8_t	 s_code_79[] = { 0x00, 0x53, 0x79, 0x45 };
static const uint8_t	 s_ulong0[] = { 0x00, 0x44, 0xa0, 0x00 };

#define S(x)	{ x, sizeof x }

struct piece {
	const uint8_t	*p;
	size_t		 n;
};

/* Parse the sections given one after the other. */
static int
parse_pieces(struct rs_amqp_msg *m, const struct piece *pc, uint8_t *rec)
{
	size_t	 len = 0;

	for (; pc->p != NULL; pc++) {
		memcpy(rec + len, pc->p, pc->n);
		len += pc->n;
	}
	return rs_amqp_parse(m, exact(rec, len), len);
}

static void
test_section_forms(void)
{
	static const struct {
		const char	*what;
		struct piece	 pc[7];
		int		 want;
	} t[] = {
		{ "header, data", { S(s_header), S(s_data) }, 1 },
		{ "a header of 7 fields", { S(s_header_long), S(s_data) }, 1 },
		{ "properties of 3 fields", { S(s_props_short) }, 1 },
		{ "properties as list0", { S(s_props_list0) }, 1 },
		{ "every section but the body", { S(s_header), S(s_da), S(s_ma),
		    S(s_props_short), S(s_app), S(s_footer) }, 1 },
		{ "two amqp-sequence sections", { S(s_seq), S(s_seq) }, 1 },
		{ "an amqp-value and a footer", { S(s_value), S(s_footer) },
		    1 },
		{ "ulong descriptors", { S(s_ulong_header), S(s_ulong_data),
		    S(s_ulong_data) }, 1 },
		{ "symbolic descriptors", { S(s_sym_props), S(s_sym_data),
		    S(s_sym_data) }, 1 },
		{ "a symbolic amqp-value", { S(s_sym_value) }, 1 },
		{ "data, then header", { S(s_data), S(s_header) }, 0 },
		{ "properties, then message-annotations", { S(s_props_short),
		    S(s_ma) }, 0 },
		{ "footer, then data", { S(s_footer), S(s_data) }, 0 },
		{ "two headers", { S(s_header), S(s_header) }, 0 },
		{ "two footers", { S(s_data), S(s_footer), S(s_footer) }, 0 },
		{ "two amqp-values", { S(s_value), S(s_value) }, 0 },
		{ "data and amqp-sequence", { S(s_data), S(s_seq) }, 0 },
		{ "amqp-sequence and data", { S(s_seq), S(s_data) }, 0 },
		{ "data and amqp-value", { S(s_data), S(s_value) }, 0 },
		{ "a string descriptor", { S(s_str_data) }, 0 },
		{ "an unknown symbolic descriptor", { S(s_sym_other) }, 0 },
		{ "descriptor 0x79", { S(s_code_79) }, 0 },
		{ "descriptor ulong0", { S(s_ulong0) }, 0 },
		{ "a header that is a map", { S(s_header_map) }, 0 },
		{ "delivery-annotations that are a list", { S(s_da_list) }, 0 },
		{ "message-annotations that are a list", { S(s_ma_list) }, 0 },
		{ "properties that are a map", { S(s_props_map) }, 0 },
		{ "application-properties that are a list", { S(s_app_list) },
		    0 },
		{ "a data section holding a string", { S(s_data_str) }, 0 },
		{ "an amqp-sequence that is a map", { S(s_seq_map) }, 0 },
		{ "a footer that is a list", { S(s_footer_list) }, 0 },
	};
	static const struct piece	 seq[] = { S(s_seq), S(s_seq), { 0 } };
	static const struct piece	 vmap[] = { S(s_value_map), { 0 } };
	static const struct piece	 props[] = { S(s_props_short), { 0 } };
	static const struct piece	 longh[] = { S(s_header_long), { 0 } };
	static const struct piece	 sym[] = {
		S(s_sym_props), S(s_sym_data), S(s_sym_data), { 0 }
	};
	struct rs_amqp_msg	 m;
	const uint8_t		*p;
	uint8_t			 rec[256];
	size_t			 i, n;

	for (i = 0; i < sizeof t / sizeof t[0]; i++)
		is_int(parse_pieces(&m, t[i].pc, rec), t[i].want, "%s: %s",
		    t[i].what, t[i].want ? "a message" : "not a message");
	ok(m.sections == 0 && m.body == 0 && m.rec != NULL,
	    "a refused record leaves the message empty");

	parse_pieces(&m, seq, rec);
	ok(m.body == RS_AMQP_SEQUENCE && m.nbody == 2 &&
	    rs_amqp_body_next(&m, &p, &n) == 0,
	    "two amqp-sequence sections: a sequence body, no text pieces");
	parse_pieces(&m, vmap, rec);
	ok(m.body == RS_AMQP_VALUE && m.value.type == T(MAP) &&
	    m.value.count == 2, "an amqp-value map: m.value is the map");
	parse_pieces(&m, props, rec);
	ok(rs_amqp_is_str(&m.properties[RS_AMQP_P_TO], "t") &&
	    m.properties[RS_AMQP_P_MESSAGE_ID].type == T(NULL) &&
	    m.properties[RS_AMQP_P_REPLY_TO_GROUP_ID].type == T(NULL) &&
	    m.sections == 1U << 3, "properties of 3 fields: to is t, the "
	    "others null");
	parse_pieces(&m, longh, rec);
	ok(m.header[RS_AMQP_H_DURABLE].s.b == 1 &&
	    m.header[RS_AMQP_H_PRIORITY].s.u == 2 &&
	    m.header[RS_AMQP_H_DELIVERY_COUNT].type == T(NULL),
	    "a header of 7 fields: the first 5 kept");
	parse_pieces(&m, sym, rec);
	ok(m.properties[RS_AMQP_P_MESSAGE_ID].s.u == 42 &&
	    m.body == RS_AMQP_DATA && m.nbody == 2 &&
	    rs_amqp_body_next(&m, &p, &n) == 1 && n == 1 && *p == 's',
	    "symbolic descriptors: message-id 42, data \"s\" twice");
}

/* Decode what b holds (one value) and give its text form. */
static const char *
text_buf(struct rs_buf *b, size_t max, int *rc)
{
	struct rs_amqp_value	 v;

	if (b->oom || dec(b->data, b->len, &v) == -1)
		return "<not encoded>";
	return text_of(&v, max, rc);
}

static void
test_text(void)
{
	static const uint8_t	 dec4[4] = { 0x22, 0x50, 0x00, 0x07 };
	static const uint8_t	 nulls[] = {
		0xf0, 0, 0, 0, 5, 0xff, 0xff, 0xff, 0xff, 0x40,
	};
	struct rs_amqp_value	 v;
	struct rs_buf		 b;
	const char		*s;
	size_t			 m, l, i;
	int			 rc;

	rs_buf_init(&b);
	m = rs_amqp_list_begin(&b);
	rs_amqp_put_int(&b, 1);
	str(&b, "a");
	rs_amqp_put_null(&b);
	rs_amqp_put_bool(&b, 1);
	rs_amqp_put_double(&b, 1.5);
	sym(&b, "s");
	rs_amqp_put_binary(&b, "b", 1);
	rs_amqp_put_char(&b, 0xe9);
	rs_amqp_put_uuid(&b, uuid16);
	rs_amqp_put_decimal32(&b, dec4);
	rs_amqp_put_timestamp(&b, -5);
	rs_amqp_list_end(&b, m);
	is_str(text_buf(&b, 1000, NULL), "[1,\"a\",null,true,1.5,\"s\",\"b\","
	    "\"\xc3\xa9\",\"12345678-9abc-def0-0fed-cba987654321\","
	    "\"0x22500007\",-5]", "a list: strings, symbols, binaries, chars, "
	    "uuids and decimals quoted, the rest bare");

	b.len = 0;
	m = rs_amqp_map_begin(&b);
	str(&b, "k");
	rs_amqp_put_ulong(&b, 1);
	rs_amqp_put_int(&b, 2);
	l = rs_amqp_list_begin(&b);
	rs_amqp_list_end(&b, l);
	rs_amqp_put_descriptor(&b, 7);
	rs_amqp_put_null(&b);
	l = rs_amqp_array_begin(&b, RS_AMQP_T_SHORT);
	rs_amqp_put_short(&b, -1);
	rs_amqp_put_short(&b, 2);
	rs_amqp_array_end(&b, l);
	rs_amqp_map_end(&b, m);
	is_str(text_buf(&b, 1000, NULL), "{\"k\":1,2:[],"
	    "{\"descriptor\":7,\"value\":null}:[-1,2]}",
	    "a map with a list, a described key and an array");

	b.len = 0;
	m = rs_amqp_list_begin(&b);
	str(&b, "q\"b\\s\n\t\r\x01\x7f\xc3\xa9/");
	rs_amqp_list_end(&b, m);
	is_str(text_buf(&b, 1000, NULL),
	    "[\"q\\\"b\\\\s\\n\\t\\r\\u0001\\u007f\xc3\xa9/\"]",
	    "strings in a list escaped as JSON strings");
	b.len = 0;
	str(&b, "q\"b\\s\n");
	is_str(text_buf(&b, 1000, NULL), "q\"b\\s\n",
	    "a string alone is its bytes");

	b.len = 0;
	rs_amqp_put_descriptor_sym(&b, "x:y");
	m = rs_amqp_list_begin(&b);
	rs_amqp_put_long(&b, 300);
	rs_amqp_list_end(&b, m);
	is_str(text_buf(&b, 1000, NULL), "{\"descriptor\":\"x:y\","
	    "\"value\":[300]}", "a described list");

	b.len = 0;
	m = rs_amqp_list_begin(&b);
	for (i = 0; i < 100; i++)
		rs_amqp_put_uint(&b, (uint32_t)i);
	rs_amqp_list_end(&b, m);
	s = text_buf(&b, 10, &rc);
	ok(rc == 1 && strcmp(s, "[0,1,2,3,4") == 0,
	    "cut at 10 bytes: \"%s\", and says so", s);
	s = text_buf(&b, 1000, &rc);
	ok(rc == 0 && strlen(s) == 291, "not cut at 1000 bytes (%zu)",
	    strlen(s));
	s = text_buf(&b, 0, &rc);
	ok(rc == 1 && *s == '\0', "cut at 0 bytes: nothing, and says so");
	b.len = 0;
	rs_amqp_put_null(&b);
	s = text_buf(&b, 0, &rc);
	ok(rc == 0 && *s == '\0', "null in 0 bytes is whole");

	{
		char	 small[8];
		size_t	 len;

		b.len = 0;
		str(&b, "abcdefghij");
		dec(b.data, b.len, &v);
		ok(rs_amqp_text_fixed(small, sizeof small, &v, &len) == 1 &&
		    len == 7 && strcmp(small, "abcdefg") == 0,
		    "into a char array: cut to fit with its NUL");
		b.len = 0;
		rs_amqp_put_uint(&b, 42);
		dec(b.data, b.len, &v);
		ok(rs_amqp_text_fixed(small, sizeof small, &v, &len) == 0 &&
		    len == 2 && strcmp(small, "42") == 0, "or whole");
		ok(rs_amqp_text_fixed(small, 0, &v, &len) == 1 && len == 0,
		    "in no room at all, nothing is written");
	}

	/* 2^32-1 nulls in 10 bytes: the cut, not the count, ends the walk. */
	if (is_int(dec(nulls, sizeof nulls, &v), 0,
	    "an array of 2^32-1 nulls decodes (it takes no bytes)")) {
		s = text_of(&v, 4096, &rc);
		ok(rc == 1 && strlen(s) == 4096 &&
		    strncmp(s, "[null,null,", 11) == 0,
		    "its text stops at the 4096-byte cut");
	}

	/* Floats: the shortest decimal that reads back. */
	{
		static const struct {
			double		 d;
			const char	*text;
		} f[] = {
			{ 123456789012.0, "123456789012" },
			{ 1e21, "1e+21" },
			{ 0.30000000000000004, "0.30000000000000004" },
			{ 5e-324, "5e-324" },
			{ 1.7976931348623157e308, "1.7976931348623157e+308" },
			{ -0.0, "-0" },
		};

		for (i = 0; i < sizeof f / sizeof f[0]; i++) {
			b.len = 0;
			rs_amqp_put_double(&b, f[i].d);
			is_str(text_buf(&b, 100, NULL), f[i].text,
			    "double %s", f[i].text);
		}
		b.len = 0;
		rs_amqp_put_float(&b, 16777216.0f);
		is_str(text_buf(&b, 100, NULL), "16777216", "float 2^24");
		b.len = 0;
		rs_amqp_put_float(&b, 3.4028234663852886e38f);
		is_str(text_buf(&b, 100, NULL), "3.4028235e+38", "float max");
	}
	rs_buf_free(&b);
}

#define ENC(call, ...) do {						\
	static const uint8_t	 want_[] = { __VA_ARGS__ };		\
	b.len = 0;							\
	call;								\
	is_mem(b.data, b.len, want_, sizeof want_, "%s", #call);	\
} while (0)

/*
 * A hostile array: 2^24 elements that take no bytes (array32 of ulong0, 10
 * bytes). Its text is the first element's repeated, in blocks: the work
 * (elements decoded plus blocks written, rs_amqp_text_steps) is bounded by
 * the text written, not by the count. Walked one element at a time it
 * would take 2^24 steps; the text is the same either way, checked byte by
 * byte, whole and cut, and for described elements.
 */
static void
test_text_repeat(void)
{
	static const uint8_t	 zeros[] = {
		0xf0, 0, 0, 0, 5, 0x01, 0x00, 0x00, 0x00, 0x44,
	};
	static const uint8_t	 three[] = {	/* described "x", uint0 */
		0xe0, 6, 3, 0x00, 0xa3, 0x01, 'x', 0x43,
	};
	static const uint8_t	 pair[] = {	/* an array of 2 list0 */
		0xe0, 2, 2, 0x45,
	};
	const size_t		 n = (size_t)1 << 24;
	struct rs_amqp_value	 v;
	struct rs_buf		 b;
	size_t			 steps, i, bad;
	int			 rc;

	if (!is_int(dec(zeros, sizeof zeros, &v), 0,
	    "an array32 of 2^24 ulong0 decodes (10 bytes)")) {
		return;
	}
	rs_buf_init(&b);
	rc = rs_amqp_text_steps(&b, &v, 1 << 16, &steps);
	ok(rc == 1 && b.len == 1 << 16, "cut at 64 KiB (%zu bytes), says so",
	    b.len);
	for (i = 1, bad = 0; i < b.len; i++)
		bad += b.data[i] != (i % 2 ? '0' : ',');
	ok(b.data[0] == '[' && bad == 0, "[0,0,0,... to the cut");
	ok(steps <= 64, "in %zu steps (the walk: 32768)", steps);

	b.len = 0;
	rc = rs_amqp_text_steps(&b, &v, SIZE_MAX, &steps);
	ok(rc == 0 && b.len == 2 * n + 1, "whole: %zu bytes (2^25 + 1)",
	    b.len);
	for (i = 1, bad = 0; i + 1 < b.len; i++)
		bad += b.data[i] != (i % 2 ? '0' : ',');
	ok(b.len > 2 && b.data[0] == '[' && b.data[b.len - 1] == ']' &&
	    bad == 0, "[0,0,...,0] with 2^24 zeros");
	ok(steps <= 2 * n / 4000 + 8, "in %zu steps, not 2^24", steps);
	rs_buf_free(&b);

	dec(three, sizeof three, &v);
	is_str(text_of(&v, 1000, NULL), "[{\"descriptor\":\"x\",\"value\":0},"
	    "{\"descriptor\":\"x\",\"value\":0},"
	    "{\"descriptor\":\"x\",\"value\":0}]",
	    "three described elements that take no bytes");
	is_str(text_of(&v, 40, NULL), "[{\"descriptor\":\"x\",\"value\":0},"
	    "{\"descript", "cut inside the second");
	dec(pair, sizeof pair, &v);
	is_str(text_of(&v, 100, NULL), "[[],[]]", "two list0");
	{
		char	 small[6];

		dec(zeros, sizeof zeros, &v);
		ok(rs_amqp_text_fixed(small, sizeof small, &v, &i) == 1 &&
		    i == 5 && strcmp(small, "[0,0,") == 0,
		    "into a char array: cut to fit");
	}
}

static void
test_encode(void)
{
	static const uint8_t	 d16[16] = {
		1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16
	};
	struct rs_buf		 b;
	size_t			 m;

	rs_buf_init(&b);
	ENC(rs_amqp_put_null(&b), 0x40);
	ENC(rs_amqp_put_bool(&b, 7), 0x41);
	ENC(rs_amqp_put_bool(&b, 0), 0x42);
	ENC(rs_amqp_put_ubyte(&b, 200), 0x50, 0xc8);
	ENC(rs_amqp_put_ushort(&b, 0x1234), 0x60, 0x12, 0x34);
	ENC(rs_amqp_put_uint(&b, 0), 0x43);
	ENC(rs_amqp_put_uint(&b, 1), 0x52, 0x01);
	ENC(rs_amqp_put_uint(&b, 255), 0x52, 0xff);
	ENC(rs_amqp_put_uint(&b, 256), 0x70, 0, 0, 1, 0);
	ENC(rs_amqp_put_uint(&b, UINT32_MAX), 0x70, 0xff, 0xff, 0xff, 0xff);
	ENC(rs_amqp_put_ulong(&b, 0), 0x44);
	ENC(rs_amqp_put_ulong(&b, 255), 0x53, 0xff);
	ENC(rs_amqp_put_ulong(&b, 256), 0x80, 0, 0, 0, 0, 0, 0, 1, 0);
	ENC(rs_amqp_put_ulong(&b, UINT64_MAX), 0x80, 0xff, 0xff, 0xff, 0xff,
	    0xff, 0xff, 0xff, 0xff);
	ENC(rs_amqp_put_byte(&b, -1), 0x51, 0xff);
	ENC(rs_amqp_put_short(&b, -2), 0x61, 0xff, 0xfe);
	ENC(rs_amqp_put_int(&b, 0), 0x54, 0x00);
	ENC(rs_amqp_put_int(&b, -128), 0x54, 0x80);
	ENC(rs_amqp_put_int(&b, 127), 0x54, 0x7f);
	ENC(rs_amqp_put_int(&b, 128), 0x71, 0, 0, 0, 0x80);
	ENC(rs_amqp_put_int(&b, -129), 0x71, 0xff, 0xff, 0xff, 0x7f);
	ENC(rs_amqp_put_long(&b, -128), 0x55, 0x80);
	ENC(rs_amqp_put_long(&b, 128), 0x81, 0, 0, 0, 0, 0, 0, 0, 0x80);
	ENC(rs_amqp_put_long(&b, INT64_MIN), 0x81, 0x80, 0, 0, 0, 0, 0, 0, 0);
	ENC(rs_amqp_put_float(&b, 1.0f), 0x72, 0x3f, 0x80, 0, 0);
	ENC(rs_amqp_put_double(&b, -2.0), 0x82, 0xc0, 0, 0, 0, 0, 0, 0, 0);
	ENC(rs_amqp_put_decimal32(&b, d16), 0x74, 1, 2, 3, 4);
	ENC(rs_amqp_put_decimal64(&b, d16), 0x84, 1, 2, 3, 4, 5, 6, 7, 8);
	ENC(rs_amqp_put_decimal128(&b, d16), 0x94, 1, 2, 3, 4, 5, 6, 7, 8, 9,
	    10, 11, 12, 13, 14, 15, 16);
	ENC(rs_amqp_put_char(&b, 0x1f600), 0x73, 0, 1, 0xf6, 0);
	ENC(rs_amqp_put_timestamp(&b, 1700000000000), 0x83, 0, 0, 0x01, 0x8b,
	    0xcf, 0xe5, 0x68, 0);
	ENC(rs_amqp_put_uuid(&b, d16), 0x98, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10,
	    11, 12, 13, 14, 15, 16);
	ENC(rs_amqp_put_binary(&b, "ab", 2), 0xa0, 0x02, 'a', 'b');
	ENC(rs_amqp_put_string(&b, "", 0), 0xa1, 0x00);
	ENC(rs_amqp_put_symbol(&b, "s", 1), 0xa3, 0x01, 's');
	ENC(rs_amqp_put_descriptor(&b, 0x75), 0x00, 0x53, 0x75);
	ENC(rs_amqp_put_descriptor_sym(&b, "a:b"), 0x00, 0xa3, 0x03, 'a', ':',
	    'b');
	ENC(rs_amqp_put_section(&b, RS_AMQP_FOOTER), 0x00, 0x53, 0x78);
	ENC((m = rs_amqp_list_begin(&b), rs_amqp_list_end(&b, m)), 0x45);
	ENC((m = rs_amqp_list_begin(&b), rs_amqp_put_bool(&b, 1),
	    rs_amqp_list_end(&b, m)), 0xc0, 0x02, 0x01, 0x41);
	ENC((m = rs_amqp_map_begin(&b), rs_amqp_map_end(&b, m)),
	    0xc1, 0x01, 0x00);
	ENC((m = rs_amqp_map_begin(&b), rs_amqp_put_symbol(&b, "k", 1),
	    rs_amqp_put_null(&b), rs_amqp_map_end(&b, m)),
	    0xc1, 0x05, 0x02, 0xa3, 0x01, 'k', 0x40);
	ENC((m = rs_amqp_array_begin(&b, RS_AMQP_T_STRING),
	    rs_amqp_array_end(&b, m)), 0xe0, 0x02, 0x00, 0xa1);
	ENC((m = rs_amqp_array_begin(&b, RS_AMQP_T_UINT),
	    rs_amqp_put_uint(&b, 0), rs_amqp_put_uint(&b, 7),
	    rs_amqp_array_end(&b, m)),
	    0xe0, 0x0a, 0x02, 0x70, 0, 0, 0, 0, 0, 0, 0, 7);
	ENC((m = rs_amqp_array_begin(&b, RS_AMQP_T_BOOL),
	    rs_amqp_put_bool(&b, 1), rs_amqp_put_bool(&b, 0),
	    rs_amqp_array_end(&b, m)), 0xe0, 0x04, 0x02, 0x56, 0x01, 0x00);
	ENC((m = rs_amqp_array_begin(&b, RS_AMQP_T_INT),
	    rs_amqp_put_descriptor_sym(&b, "x:y"), rs_amqp_put_int(&b, 1),
	    rs_amqp_array_end(&b, m)),
	    0xe0, 0x0c, 0x01, 0x00, 0xa3, 0x03, 'x', ':', 'y', 0x71, 0, 0, 0, 1);
	ENC((m = rs_amqp_list_begin(&b), m = rs_amqp_list_begin(&b),
	    rs_amqp_put_null(&b), rs_amqp_list_end(&b, m),
	    rs_amqp_list_end(&b, 0)), 0xc0, 0x05, 0x01, 0xc0, 0x02, 0x01, 0x40);
	ENC(rs_amqp_put_message(&b, NULL, "hi", 2),
	    0x00, 0x53, 0x75, 0xa0, 0x02, 'h', 'i');
	rs_buf_free(&b);
}

/* b after n nulls in a list (or n/2 pairs in a map): the header bytes. */
static size_t
compound_of(struct rs_buf *b, int map, size_t n)
{
	size_t	 m, i;

	b->len = 0;
	m = map ? rs_amqp_map_begin(b) : rs_amqp_list_begin(b);
	for (i = 0; i < n; i++)
		rs_amqp_put_null(b);
	if ((map ? rs_amqp_map_end(b, m) : rs_amqp_list_end(b, m)) == -1)
		return 0;
	return b->len - n;
}

/* An array of n strings, the last of last bytes, the others of 1. */
static int
string_array(struct rs_buf *b, size_t n, size_t last)
{
	static char	 s[300];
	size_t		 m, i;

	memset(s, 's', sizeof s);
	b->len = 0;
	m = rs_amqp_array_begin(b, RS_AMQP_T_STRING);
	for (i = 0; i < n; i++)
		rs_amqp_put_string(b, s, i == n - 1 ? last : 1);
	return rs_amqp_array_end(b, m);
}

static void
test_encode_widths(void)
{
	static char		 s[300];
	static const uint8_t	 b255[] = { 0xa0, 0xff };
	static const uint8_t	 b256[] = { 0xb1, 0x00, 0x00, 0x01, 0x00 };
	static const uint8_t	 l254[] = { 0xc0, 0xff, 0xfe };
	static const uint8_t	 l255[] = { 0xd0, 0, 0, 0x01, 0x03, 0, 0, 0,
	    0xff };
	static const uint8_t	 m254[] = { 0xc1, 0xff, 0xfe };
	static const uint8_t	 m256[] = { 0xd1, 0, 0, 0x01, 0x04, 0, 0,
	    0x01, 0x00 };
	struct rs_amqp_value	 v;
	struct rs_buf		 b;

	memset(s, 'x', sizeof s);
	rs_buf_init(&b);
	rs_amqp_put_binary(&b, s, 255);
	is_mem(b.data, 2, b255, 2, "binary of 255 bytes: vbin8");
	b.len = 0;
	rs_amqp_put_string(&b, s, 256);
	is_mem(b.data, 5, b256, 5, "string of 256 bytes: str32");
	is_uint(compound_of(&b, 0, 254), 3, "list of 254 nulls: list8");
	is_mem(b.data, 3, l254, 3, "with size 255, count 254");
	is_uint(compound_of(&b, 0, 255), 9, "list of 255 nulls: list32");
	is_mem(b.data, 9, l255, 9, "with size 259, count 255");
	is_uint(compound_of(&b, 1, 254), 3, "map of 127 pairs: map8");
	is_mem(b.data, 3, m254, 3, "with size 255, count 254");
	is_uint(compound_of(&b, 1, 256), 9, "map of 128 pairs: map32");
	is_mem(b.data, 9, m256, 9, "with size 260, count 256");

	ok(string_array(&b, 2, 255) == 0 && b.data[0] == 0xf0 &&
	    b.data[9] == 0xa1 && dec(b.data, b.len, &v) == 0 && v.count == 2,
	    "an array of strings up to 255 bytes: str8 elements (in an "
	    "array32)");
	ok(string_array(&b, 2, 100) == 0 && b.data[0] == 0xe0 &&
	    b.data[3] == 0xa1 && dec(b.data, b.len, &v) == 0 && v.count == 2,
	    "a small one: str8 elements in an array8");
	ok(string_array(&b, 2, 256) == 0 && b.data[9] == 0xb1 &&
	    b.data[0] == 0xf0 && dec(b.data, b.len, &v) == 0 &&
	    v.count == 2 && strcmp(text_of(&v, 6, NULL), "[\"s\",\"") == 0,
	    "one of 256 bytes: str32 elements for all, array32");
	ok(string_array(&b, 300, 1) == 0 && b.data[0] == 0xf0 &&
	    dec(b.data, b.len, &v) == 0 && v.count == 300,
	    "300 elements: array32");
	rs_buf_free(&b);
}

/* Does call on a fresh buffer fail (returning -1 and setting oom)? */
#define FAILS(what, call) do {						\
	struct rs_buf	 b;						\
	size_t		 m = 0, m2 = 0;					\
	int		 r_;						\
									\
	rs_buf_init(&b);						\
	(void)m;							\
	(void)m2;							\
	r_ = (call);							\
	ok(r_ == -1 && b.oom, "refused: %s", what);			\
	rs_buf_free(&b);						\
} while (0)

static void
test_encode_errors(void)
{
	struct rs_buf	 sb;

	FAILS("a map with a key and no value", (m = rs_amqp_map_begin(&b),
	    rs_amqp_put_null(&b), rs_amqp_map_end(&b, m)));
	FAILS("an int in an array of uint", (m = rs_amqp_array_begin(&b,
	    RS_AMQP_T_UINT), rs_amqp_put_int(&b, 1), rs_amqp_array_end(&b, m)));
	FAILS("a described and a plain element", (m = rs_amqp_array_begin(&b,
	    RS_AMQP_T_INT), rs_amqp_put_descriptor(&b, 1),
	    rs_amqp_put_int(&b, 1), rs_amqp_put_int(&b, 2),
	    rs_amqp_array_end(&b, m)));
	FAILS("a plain and a described element", (m = rs_amqp_array_begin(&b,
	    RS_AMQP_T_INT), rs_amqp_put_int(&b, 2),
	    rs_amqp_put_descriptor(&b, 1), rs_amqp_put_int(&b, 1),
	    rs_amqp_array_end(&b, m)));
	FAILS("elements of two descriptors", (m = rs_amqp_array_begin(&b,
	    RS_AMQP_T_INT), rs_amqp_put_descriptor(&b, 1),
	    rs_amqp_put_int(&b, 1), rs_amqp_put_descriptor(&b, 2),
	    rs_amqp_put_int(&b, 1), rs_amqp_array_end(&b, m)));
	FAILS("an empty array of described values",
	    (m = rs_amqp_array_begin(&b, RS_AMQP_T_DESCRIBED),
	    rs_amqp_array_end(&b, m)));
	FAILS("ending a map as a list", (m = rs_amqp_map_begin(&b),
	    rs_amqp_list_end(&b, m)));
	FAILS("ending a list as an array", (m = rs_amqp_list_begin(&b),
	    rs_amqp_array_end(&b, m)));
	FAILS("a mark past the end", (m = rs_amqp_list_begin(&b),
	    rs_amqp_list_end(&b, m + 100)));
	FAILS("a list holding a stray byte", (m = rs_amqp_list_begin(&b),
	    rs_buf_u8(&b, 0xff), rs_amqp_list_end(&b, m)));
	FAILS("a list left open inside a list", (m = rs_amqp_list_begin(&b),
	    m2 = rs_amqp_list_begin(&b), rs_amqp_list_end(&b, m)));
	FAILS("a list after a failure", (m = rs_amqp_map_begin(&b),
	    rs_amqp_put_null(&b), rs_amqp_map_end(&b, m),
	    m = rs_amqp_list_begin(&b), rs_amqp_list_end(&b, m)));

	/* As deep as the decoder takes, and one level more. */
	{
		size_t	 marks[RS_AMQP_MAX_DEPTH + 1], i;
		int	 r = 0;

		struct rs_amqp_msg	 msg;

		rs_buf_init(&sb);
		rs_amqp_put_section(&sb, RS_AMQP_VALUE);
		for (i = 0; i < RS_AMQP_MAX_DEPTH; i++)
			marks[i] = rs_amqp_list_begin(&sb);
		rs_amqp_put_null(&sb);
		for (i = RS_AMQP_MAX_DEPTH; i-- > 0;)
			r |= rs_amqp_list_end(&sb, marks[i]);
		ok(r == 0 && !sb.oom, "lists nested %d deep", RS_AMQP_MAX_DEPTH);
		is_int(rs_amqp_parse(&msg, exact(sb.data, sb.len), sb.len), 1,
		    "and as an amqp-value they make a message");
		sb.len = 0;
		for (i = 0; i < RS_AMQP_MAX_DEPTH + 1; i++)
			marks[i] = rs_amqp_list_begin(&sb);
		rs_amqp_put_null(&sb);
		for (i = RS_AMQP_MAX_DEPTH + 1; i-- > 1;)
			r |= rs_amqp_list_end(&sb, marks[i]);
		ok(r == 0 && rs_amqp_list_end(&sb, marks[0]) == -1 && sb.oom,
		    "refused: lists nested %d deep, which no decoder here "
		    "would take", RS_AMQP_MAX_DEPTH + 1);
		rs_buf_free(&sb);
	}

	/* Sticky: nothing more is written once the buffer has failed. */
	rs_buf_init(&sb);
	sb.oom = 1;
	rs_amqp_put_uint(&sb, 1);
	rs_amqp_put_message(&sb, NULL, "x", 1);
	ok(sb.len == 0, "a failed buffer takes nothing more");
	rs_buf_free(&sb);
}

static void
test_encode_message(void)
{
	static const struct rs_amqp_kv	 app[] = {
		{ "k", "v" }, { "none", NULL },
	};
	static const uint8_t	 want_ct[] = {
		0x00, 0x53, 0x73, 0xc0, 0x13, 0x07,
		0x40, 0x40, 0x40, 0x40, 0x40, 0x40,
		0xa3, 0x0a, 't', 'e', 'x', 't', '/', 'p', 'l', 'a', 'i', 'n',
		0x00, 0x53, 0x74, 0xc1, 0x0e, 0x04,
		0xa1, 0x01, 'k', 0xa1, 0x01, 'v',
		0xa1, 0x04, 'n', 'o', 'n', 'e', 0x40,
		0x00, 0x53, 0x75, 0xa0, 0x02, 'h', 'i',
	};
	static const uint8_t	 want_seq[] = {
		0x00, 0x53, 0x73, 0xc0, 0x0d, 0x0c,
		0x40, 0x40, 0x40, 0x40, 0x40, 0x40, 0x40, 0x40, 0x40, 0x40, 0x40,
		0x43,
		0x00, 0x53, 0x75, 0xb0, 0x00, 0x00, 0x01, 0x2c,
	};
	struct rs_amqp_props	 pr;
	struct rs_amqp_msg	 m;
	struct rs_buf		 b;
	const uint8_t		*p;
	size_t			 n, i;
	int			 wrong = 0;

	rs_buf_init(&b);
	memset(&pr, 0, sizeof pr);
	pr.content_type = "text/plain";
	pr.app = app;
	pr.napp = 2;
	rs_amqp_put_message(&b, &pr, "hi", 2);
	is_mem(b.data, b.len, want_ct, sizeof want_ct, "content-type and "
	    "application-properties: properties cut after content-type");

	b.len = 0;
	memset(&pr, 0, sizeof pr);
	pr.have = 1U << RS_AMQP_P_GROUP_SEQUENCE;
	rs_amqp_put_message_head(&b, &pr, 300);
	is_mem(b.data, b.len, want_seq, sizeof want_seq, "group-sequence 0 "
	    "alone, and the head of a 300-byte body");

	b.len = 0;
	memset(&pr, 0, sizeof pr);
	rs_amqp_put_message(&b, &pr, "hi", 2);
	is_mem(b.data, b.len, want_ct + sizeof want_ct - 7, 7,
	    "nothing set: a data section only");

	b.len = 0;
	memset(&pr, 0, sizeof pr);
	pr.message_id = "id";
	pr.user_id = "user";
	pr.to = "to";
	pr.subject = "subject";
	pr.reply_to = "reply-to";
	pr.correlation_id = "corr";
	pr.content_type = "ct";
	pr.content_encoding = "ce";
	pr.absolute_expiry_time = -1;
	pr.creation_time = 1700000000000;
	pr.group_id = "gid";
	pr.group_sequence = 70000;
	pr.reply_to_group_id = "rtg";
	pr.have = ~0U;
	rs_amqp_put_message(&b, &pr, "body", 4);
	if (!is_int(rs_amqp_parse(&m, exact(b.data, b.len), b.len), 1,
	    "every property: parses"))
		return;
	{
		static const char	*want[RS_AMQP_P_MAX] = {
			"id", "user", "to", "subject", "reply-to", "corr",
			"ct", "ce", "-1", "1700000000000", "gid", "70000",
			"rtg"
		};
		static const enum rs_amqp_type	 type[RS_AMQP_P_MAX] = {
			T(STRING), T(BINARY), T(STRING), T(STRING), T(STRING),
			T(STRING), T(SYMBOL), T(SYMBOL), T(TIMESTAMP),
			T(TIMESTAMP), T(STRING), T(UINT), T(STRING)
		};

		for (i = 0; i < RS_AMQP_P_MAX; i++)
			if (m.properties[i].type != type[i] ||
			    strcmp(text_of(&m.properties[i], 100, NULL),
			    want[i]) != 0) {
				diag("%s: %s", rs_amqp_property_name((int)i),
				    text_of(&m.properties[i], 100, NULL));
				wrong++;
			}
	}
	ok(wrong == 0, "every property reads back with its type and value");
	ok(m.sections == (1U << 3 | 1U << 5) &&
	    rs_amqp_body_next(&m, &p, &n) == 1 && n == 4 &&
	    memcmp(p, "body", 4) == 0, "then the body");
	rs_buf_free(&b);
}

/* Encode, decode: the same type and value. */
static void
test_roundtrip(void)
{
	static const uint32_t	 u32[] = { 0, 1, 255, 256, 65535, 65536,
	    UINT32_MAX };
	static const uint64_t	 u64[] = { 0, 1, 255, 256, 1ULL << 32,
	    UINT64_MAX };
	static const int32_t	 i32[] = { INT32_MIN, -129, -128, -1, 0, 127,
	    128, INT32_MAX };
	static const int64_t	 i64[] = { INT64_MIN, -129, -128, 0, 127, 128,
	    INT64_MAX };
	static const size_t	 lens[] = { 0, 1, 255, 256, 70000 };
	struct rs_amqp_value	 v;
	struct rs_buf		 b;
	uint8_t			*big;
	size_t			 i, k;
	int			 wrong = 0;

	rs_buf_init(&b);
#define ROUND(put, want_type, field, x) do {				\
	b.len = 0;							\
	put;								\
	if (dec(b.data, b.len, &v) == -1 || v.type != (want_type) ||	\
	    v.s.field != (x)) {						\
		diag("%s", #put);					\
		wrong++;						\
	}								\
} while (0)
	for (i = 0; i < sizeof u32 / sizeof u32[0]; i++) {
		ROUND(rs_amqp_put_uint(&b, u32[i]), T(UINT), u, u32[i]);
		ROUND(rs_amqp_put_char(&b, u32[i]), T(CHAR), u, u32[i]);
		ROUND(rs_amqp_put_ubyte(&b, (uint8_t)u32[i]), T(UBYTE), u,
		    (uint8_t)u32[i]);
		ROUND(rs_amqp_put_ushort(&b, (uint16_t)u32[i]), T(USHORT), u,
		    (uint16_t)u32[i]);
	}
	for (i = 0; i < sizeof u64 / sizeof u64[0]; i++)
		ROUND(rs_amqp_put_ulong(&b, u64[i]), T(ULONG), u, u64[i]);
	for (i = 0; i < sizeof i32 / sizeof i32[0]; i++) {
		ROUND(rs_amqp_put_int(&b, i32[i]), T(INT), i, i32[i]);
		ROUND(rs_amqp_put_byte(&b, (int8_t)i32[i]), T(BYTE), i,
		    (int8_t)i32[i]);
		ROUND(rs_amqp_put_short(&b, (int16_t)i32[i]), T(SHORT), i,
		    (int16_t)i32[i]);
	}
	for (i = 0; i < sizeof i64 / sizeof i64[0]; i++) {
		ROUND(rs_amqp_put_long(&b, i64[i]), T(LONG), i, i64[i]);
		ROUND(rs_amqp_put_timestamp(&b, i64[i]), T(TIMESTAMP), i,
		    i64[i]);
	}
	ROUND(rs_amqp_put_bool(&b, 1), T(BOOL), b, 1);
	ROUND(rs_amqp_put_float(&b, -0.25f), T(FLOAT), f, -0.25f);
	ROUND(rs_amqp_put_double(&b, 1e-300), T(DOUBLE), d, 1e-300);
	b.len = 0;
	rs_amqp_put_double(&b, NAN);
	if (dec(b.data, b.len, &v) == -1 || !isnan(v.s.d))
		wrong++;
#undef ROUND
	ok(wrong == 0, "integers at every width boundary, floats, chars, "
	    "timestamps and booleans come back as they went");

	if ((big = malloc(70000)) == NULL)
		abort();
	for (i = 0; i < 70000; i++)
		big[i] = (uint8_t)(i * 7);
	wrong = 0;
	for (i = 0; i < sizeof lens / sizeof lens[0]; i++)
		for (k = 0; k < 3; k++) {
			b.len = 0;
			if (k == 0)
				rs_amqp_put_binary(&b, big, lens[i]);
			else if (k == 1)
				rs_amqp_put_string(&b, (char *)big, lens[i]);
			else
				rs_amqp_put_symbol(&b, (char *)big, lens[i]);
			if (dec(b.data, b.len, &v) == -1 || v.n != lens[i] ||
			    (lens[i] > 0 && memcmp(v.p, big, lens[i]) != 0) ||
			    v.type != (k == 0 ? T(BINARY) : k == 1 ?
			    T(STRING) : T(SYMBOL)))
				wrong++;
		}
	ok(wrong == 0, "binaries, strings and symbols of 0, 1, 255, 256 and "
	    "70000 bytes come back");
	free(big);
	rs_buf_free(&b);
}

/* A message of every type in an amqp-value list. */
static void
every_type(struct rs_buf *b)
{
	static const uint8_t	 d16[16] = { 0x22 };
	size_t			 m, a, l;

	rs_amqp_put_section(b, RS_AMQP_VALUE);
	m = rs_amqp_list_begin(b);
	rs_amqp_put_null(b);
	rs_amqp_put_bool(b, 1);
	rs_amqp_put_ubyte(b, 1);
	rs_amqp_put_ushort(b, 2);
	rs_amqp_put_uint(b, 300);
	rs_amqp_put_ulong(b, 1ULL << 40);
	rs_amqp_put_byte(b, -1);
	rs_amqp_put_short(b, -2);
	rs_amqp_put_int(b, -300);
	rs_amqp_put_long(b, -(1LL << 40));
	rs_amqp_put_float(b, 0.5f);
	rs_amqp_put_double(b, 0.25);
	rs_amqp_put_decimal32(b, d16);
	rs_amqp_put_decimal64(b, d16);
	rs_amqp_put_decimal128(b, d16);
	rs_amqp_put_char(b, 'c');
	rs_amqp_put_timestamp(b, 1);
	rs_amqp_put_uuid(b, uuid16);
	rs_amqp_put_binary(b, "bin", 3);
	str(b, "str");
	sym(b, "sym");
	l = rs_amqp_map_begin(b);
	str(b, "k");
	rs_amqp_put_descriptor(b, 9);
	rs_amqp_put_null(b);
	rs_amqp_map_end(b, l);
	a = rs_amqp_array_begin(b, RS_AMQP_T_LIST);
	l = rs_amqp_list_begin(b);
	rs_amqp_put_int(b, 1);
	rs_amqp_list_end(b, l);
	l = rs_amqp_list_begin(b);
	rs_amqp_list_end(b, l);
	rs_amqp_array_end(b, a);
	rs_amqp_list_end(b, m);
	rs_amqp_put_section(b, RS_AMQP_FOOTER);
	l = rs_amqp_map_begin(b);
	rs_amqp_map_end(b, l);
}

/* The shape of a message published over AMQP 0-9-1, as bytes. */
static void
amqp091_message(struct rs_buf *b)
{
	rs_buf_put(b, sec_header, sizeof sec_header);
	rs_buf_put(b, sec_annotations, sizeof sec_annotations);
	rs_buf_put(b, sec_properties, sizeof sec_properties);
	rs_buf_put(b, sec_app, sizeof sec_app);
	rs_buf_put(b, sec_data, sizeof sec_data);
}

/* Parse rec cut to n bytes, print its body and every value's text. */
static int
parse_all(const uint8_t *rec, size_t n)
{
	struct rs_amqp_msg	 m;
	struct rs_amqp_value	 v;
	struct rs_buf		 out;
	const uint8_t		*p;
	size_t			 len, pos = 0;
	int			 code, rc;

	rc = rs_amqp_parse(&m, exact(rec, n), n);
	rs_buf_init(&out);
	while (rs_amqp_body_next(&m, &p, &len) == 1)
		rs_buf_put(&out, p, len);
	while (rs_amqp_section_next(&m, &pos, &code, &v) == 1)
		rs_amqp_text(&out, &v, 1 << 16);
	rs_buf_free(&out);
	return rc;
}

static void
test_cuts(void)
{
	static void	(*msgs[])(struct rs_buf *) = {
		full_message, every_type, amqp091_message,
	};
	static const char	*names[] = {
		"every section", "every type", "the AMQP 0-9-1 shape",
	};
	struct rs_amqp_msg	 m;
	struct rs_amqp_value	 v;
	struct rs_buf		 b, out;
	uint8_t			*rec;
	size_t			 i, k, pos, ends[16], nends, used, len;
	int			 code, wrong, want;

	for (i = 0; i < sizeof msgs / sizeof msgs[0]; i++) {
		rs_buf_init(&b);
		msgs[i](&b);
		len = b.len;
		if ((rec = malloc(len)) == NULL)
			abort();
		memcpy(rec, b.data, len);
		rs_buf_free(&b);
		if (!is_int(rs_amqp_parse(&m, exact(rec, len), len), 1,
		    "%s: a message of %zu bytes", names[i], len)) {
			free(rec);
			continue;
		}
		for (nends = 0, pos = 0; nends < 16 &&
		    rs_amqp_section_next(&m, &pos, &code, &v) == 1;)
			ends[nends++] = pos;

		/* Cut at every length: a message exactly at section ends. */
		wrong = 0;
		for (k = 0; k <= len; k++) {
			for (want = 0, pos = 0; pos < nends; pos++)
				if (ends[pos] == k)
					want = 1;
			if (parse_all(rec, k) != want && wrong++ == 0)
				diag("cut at %zu: not %d", k, want);
		}
		is_int(wrong, 0, "%s: cut at each of %zu lengths, a message "
		    "only at the %zu section ends", names[i], len + 1, nends);

		/* From every offset: whatever it decodes to, print it. */
		rs_buf_init(&out);
		for (k = 0; k < len; k++) {
			if (rs_amqp_decode(&v, exact(rec + k, len - k),
			    len - k, &used) == 0) {
				out.len = 0;
				rs_amqp_text(&out, &v, 1 << 16);
			}
			parse_all(rec + k, len - k);
		}
		rs_buf_free(&out);
		ok(1, "%s: decoded and printed from each of %zu offsets",
		    names[i], len);

		/* Each byte set to 0x00, 0xff and 0x40 in turn. */
		for (k = 0; k < len; k++) {
			uint8_t	 was = rec[k];

			rec[k] = 0x00;
			parse_all(rec, len);
			rec[k] = 0xff;
			parse_all(rec, len);
			rec[k] = 0x40;
			parse_all(rec, len);
			rec[k] = was;
		}
		ok(1, "%s: each byte changed to 00, ff and 40 in turn",
		    names[i]);
		free(rec);
	}
}

int
main(void)
{
	test_data_header();
	test_data_sections();
	test_full_message();
	test_values();
	test_not_amqp();
	test_nesting();
	test_types();
	test_compounds();
	test_malformed();
	test_depth();
	test_sections();
	test_section_forms();
	test_text();
	test_text_repeat();
	test_encode();
	test_encode_widths();
	test_encode_errors();
	test_encode_message();
	test_roundtrip();
	test_cuts();
	free(scratch);
	return done_testing();
}
