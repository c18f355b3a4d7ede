/*
 * test-json.c: JSON strings (every control byte escaped, quotes and
 * backslashes too), the UTF-8 check (overlongs, surrogates, truncated
 * sequences, code points past U+10FFFF are invalid), and base64 both ways
 * against the RFC 4648 test vectors.
 */
#include "config.h"

#include <string.h>

#include "json.h"
#include "tap.h"

static void
str_is(const char *in, size_t n, const char *want, const char *what)
{
	struct rs_buf	 b;

	rs_buf_init(&b);
	rs_json_str(&b, (const uint8_t *)in, n);
	is_mem(b.data, b.len, want, strlen(want), "string: %s", what);
	rs_buf_free(&b);
}

static void
b64_is(const char *in, const char *want)
{
	struct rs_buf	 b;
	uint8_t		 out[64];
	size_t		 n;

	rs_buf_init(&b);
	rs_json_base64(&b, (const uint8_t *)in, strlen(in));
	is_mem(b.data, b.len, want, strlen(want), "base64 of \"%s\"", in);
	ok(rs_base64_decode(want + 1, strlen(want) - 2, out, &n) == 0 &&
	    n == strlen(in) && memcmp(out, in, n) == 0,
	    "base64 decodes back to \"%s\"", in);
	rs_buf_free(&b);
}

/* The obvious byte-at-a-time escaper, to check the word-at-a-time one. */
static void
naive_str(struct rs_buf *b, const uint8_t *p, size_t n)
{
	static const char	 hex[] = "0123456789abcdef";
	const char		*e;
	char			 u[7];
	size_t			 i;

	rs_buf_u8(b, '"');
	for (i = 0; i < n; i++) {
		switch (p[i]) {
		case '"': e = "\\\""; break;
		case '\\': e = "\\\\"; break;
		case '\n': e = "\\n"; break;
		case '\r': e = "\\r"; break;
		case '\t': e = "\\t"; break;
		case '\b': e = "\\b"; break;
		case '\f': e = "\\f"; break;
		default:
			if (p[i] >= 0x20 && p[i] != 0x7f) {
				rs_buf_u8(b, p[i]);
				continue;
			}
			memcpy(u, "\\u00", 4);
			u[4] = hex[p[i] >> 4], u[5] = hex[p[i] & 15], u[6] = '\0';
			e = u;
		}
		rs_buf_put(b, e, strlen(e));
	}
	rs_buf_u8(b, '"');
}

/* Every byte value at every position of strings of 1 to 24 bytes. */
static void
str_every_position(void)
{
	struct rs_buf	 got, want;
	uint8_t		 s[24];
	size_t		 n, k;
	int		 c, bad = 0;

	for (n = 1; n <= sizeof s; n++)
		for (k = 0; k < n; k++)
			for (c = 0; c < 256; c++) {
				memset(s, 'x', sizeof s);
				s[k] = (uint8_t)c;
				if (k + 1 < n)		/* and a quote further on */
					s[n - 1] = '"';
				rs_buf_init(&got);
				rs_buf_init(&want);
				rs_json_str(&got, s, n);
				naive_str(&want, s, n);
				if (got.len != want.len ||
				    memcmp(got.data, want.data, got.len) != 0)
					bad++;
				rs_buf_free(&got);
				rs_buf_free(&want);
			}
	ok(bad == 0, "rs_json_str agrees with a byte-at-a-time escaper "
	    "for every byte at every position (%d differ)", bad);
}

/* Multi-byte and invalid sequences at every position of ASCII text. */
static void
utf8_every_position(void)
{
	static const struct {
		const char	*seq;
		int		 valid;
	} t[] = {
		{ "\xc3\xa9", 1 }, { "\xe2\x9c\x93", 1 },
		{ "\xf0\x9f\x98\x80", 1 }, { "\xff", 0 }, { "\x80", 0 },
		{ "\xc0\xaf", 0 }, { "\xed\xa0\x80", 0 }, { "\xe2\x9c", 0 },
	};
	uint8_t		 s[40];
	size_t		 i, k, len, n;
	int		 bad = 0;

	for (i = 0; i < sizeof t / sizeof t[0]; i++) {
		len = strlen(t[i].seq);
		for (n = len; n <= 24; n++)
			for (k = 0; k + len <= n; k++) {
				memset(s, 'a', sizeof s);
				memcpy(s + k, t[i].seq, len);
				if (rs_json_utf8_valid(s, n) != t[i].valid)
					bad++;
			}
	}
	ok(bad == 0, "UTF-8 sequences found at every position (%d wrong)",
	    bad);
}

/*
 * rs_json_utf8_str(), -J's one pass: for bytes it takes, what the two
 * passes (rs_json_utf8_valid(), then the byte-at-a-time escaper) write;
 * for bytes it refuses, nothing at all after what the buffer held. Over
 * each sequence at every position of text full of escapes, then over
 * strings drawn at random from UTF-8 pieces, broken ones and escapes.
 */
static int
one_pass_agrees(const uint8_t *s, size_t n)
{
	struct rs_buf	 got, want;
	int		 r, v, same;

	rs_buf_init(&got);
	rs_buf_init(&want);
	rs_buf_put(&got, "{\"k\":", 5);
	rs_buf_put(&want, "{\"k\":", 5);
	r = rs_json_utf8_str(&got, s, n);
	v = rs_json_utf8_valid(s, n);
	if (v)
		naive_str(&want, s, n);
	same = r == v && got.len == want.len &&
	    memcmp(got.data, want.data, got.len) == 0;
	rs_buf_free(&got);
	rs_buf_free(&want);
	return same;
}

static void
utf8_str_one_pass(void)
{
	static const char	*piece[] = {
		"a", "bcdefghi", "\"", "\\", "\n", "\x01", "\x7f", "\xc3\xa9",
		"\xe2\x9c\x93", "\xf0\x9f\x98\x80", "\xff", "\x80", "\xc0\xaf",
		"\xed\xa0\x80", "\xe2\x9c", "\xf4\x90\x80\x80",
	};
	static const char	*text = "a\"b\\c\nd\te\x01f\x7fghijklmnopqrstu";
	uint8_t			 s[64];
	size_t			 i, k, len, n, tl = strlen(text);
	uint32_t		 x = 12345;
	int			 bad = 0, refused = 0, taken = 0;

	for (i = 4; i < sizeof piece / sizeof piece[0]; i++) {
		len = strlen(piece[i]);
		for (k = 0; k <= tl; k++) {
			memcpy(s, text, k);
			memcpy(s + k, piece[i], len);
			memcpy(s + k + len, text + k, tl - k);
			if (!one_pass_agrees(s, tl + len))
				bad++;
		}
	}
	ok(bad == 0, "rs_json_utf8_str: each sequence at every position of "
	    "escapes, as the check and the escaper write it (%d differ)", bad);
	bad = 0;
	for (i = 0; i < 20000; i++) {
		n = 0;
		for (;;) {
			x = x * 1103515245 + 12345;
			k = (x >> 16) % (sizeof piece / sizeof piece[0]);
			len = strlen(piece[k]);
			if (n + len > sizeof s || (x >> 8) % 9 == 0)
				break;
			memcpy(s + n, piece[k], len);
			n += len;
		}
		if (rs_json_utf8_valid(s, n))
			taken++;
		else
			refused++;
		if (!one_pass_agrees(s, n))
			bad++;
	}
	ok(bad == 0 && taken > 1000 && refused > 1000, "rs_json_utf8_str: "
	    "20000 random strings, %d taken and %d refused (%d differ)",
	    taken, refused, bad);
}

int
main(void)
{
	uint8_t	 out[16];
	size_t	 n;
	int	 i;

	str_is("plain", 5, "\"plain\"", "plain");
	str_is("", 0, "\"\"", "empty");
	str_is("a\"b\\c", 5, "\"a\\\"b\\\\c\"", "quote and backslash");
	str_is("\n\r\t\b\f", 5, "\"\\n\\r\\t\\b\\f\"", "short escapes");
	str_is("\0\x01\x1f\x7f", 4, "\"\\u0000\\u0001\\u001f\\u007f\"",
	    "control bytes and DEL as \\u");
	str_is("caf\xc3\xa9 \xe2\x9c\x93", 9, "\"caf\xc3\xa9 \xe2\x9c\x93\"",
	    "UTF-8 passes through");
	for (i = 0; i < 0x20; i++) {
		char		 c = (char)i;
		struct rs_buf	 b;

		rs_buf_init(&b);
		rs_json_str(&b, (const uint8_t *)&c, 1);
		ok(b.len >= 4 && b.data[1] == '\\', "byte 0x%02x is escaped", i);
		rs_buf_free(&b);
	}

	ok(rs_json_utf8_valid((const uint8_t *)"", 0), "empty is UTF-8");
	ok(rs_json_utf8_valid((const uint8_t *)"ascii", 5), "ASCII is UTF-8");
	ok(rs_json_utf8_valid((const uint8_t *)"\xf0\x9f\x98\x80", 4),
	    "a 4-byte sequence (U+1F600)");
	ok(rs_json_utf8_valid((const uint8_t *)"\xf4\x8f\xbf\xbf", 4), "U+10FFFF");
	ok(!rs_json_utf8_valid((const uint8_t *)"\xf4\x90\x80\x80", 4),
	    "past U+10FFFF");
	ok(!rs_json_utf8_valid((const uint8_t *)"\xc0\xaf", 2), "overlong /");
	ok(!rs_json_utf8_valid((const uint8_t *)"\xe0\x80\xaf", 3),
	    "overlong 3-byte");
	ok(!rs_json_utf8_valid((const uint8_t *)"\xed\xa0\x80", 3),
	    "a surrogate (U+D800)");
	ok(!rs_json_utf8_valid((const uint8_t *)"\xe2\x9c", 2),
	    "a truncated sequence");
	ok(!rs_json_utf8_valid((const uint8_t *)"\x80", 1),
	    "a lone continuation byte");
	ok(!rs_json_utf8_valid((const uint8_t *)"\xff", 1), "0xff");
	ok(!rs_json_utf8_valid((const uint8_t *)"a\xc3(", 3),
	    "a bad continuation");

	str_every_position();
	utf8_every_position();
	utf8_str_one_pass();

	b64_is("", "\"\"");
	b64_is("f", "\"Zg==\"");
	b64_is("fo", "\"Zm8=\"");
	b64_is("foo", "\"Zm9v\"");
	b64_is("foob", "\"Zm9vYg==\"");
	b64_is("fooba", "\"Zm9vYmE=\"");
	b64_is("foobar", "\"Zm9vYmFy\"");
	ok(rs_base64_decode("+/8=", 4, out, &n) == 0 && n == 2 &&
	    out[0] == 0xfb && out[1] == 0xff, "+ and / decode");
	ok(rs_base64_decode("Zg=", 3, out, &n) == -1, "length not a multiple of 4");
	ok(rs_base64_decode("Z===", 4, out, &n) == -1, "too much padding");
	ok(rs_base64_decode("Zg==Zg==", 8, out, &n) == -1, "padding inside");
	ok(rs_base64_decode("Zm9v\n", 5, out, &n) == -1, "whitespace");
	ok(rs_base64_decode("Zm*v", 4, out, &n) == -1, "a bad character");
	ok(rs_base64_decode("Zg=a", 4, out, &n) == -1, "data after padding");
	return done_testing();
}
