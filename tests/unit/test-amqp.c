/*
 * test-amqp.c: AMQP 1.0 records (src/amqp.c). The data-section header is
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
 */
#include "config.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "amqp.h"
#include "tap.h"

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

int
main(void)
{
	test_data_header();
	test_data_sections();
	test_full_message();
	test_values();
	test_not_amqp();
	test_nesting();
	return done_testing();
}
