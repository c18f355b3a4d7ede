/*
 * test-format.c: rstream-tail --format (src/format.c).
 *
 * rs_format_compile(): every token (%s %S %R %o %T %I %t %h %{NAME}h %%)
 * and escape (\n \t \r \0 \\ \xNN, either case of hex) compiles to the
 * tokens written here, adjacent literals merged into one; unknown tokens
 * and escapes, a cut \x, a bad %{NAME}h and formats over the limits (64
 * tokens, 1024 bytes of literals and names) are refused with their
 * message. The escapes are those of --delimiter (rs_spec_unescape): both
 * must give the same bytes.
 *
 * rs_format_record(): each token's output for messages built here with the
 * encoder (data sections, an amqp-value, application properties with
 * string, symbol and numeric keys) and for a raw record. Times in %I were
 * worked out with date -u -d @SECONDS; lengths in %R are big-endian.
 */
#include "config.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "amqp.h"
#include "format.h"
#include "spec.h"
#include "tap.h"
#include "wire.h"

/* The compiled tokens as text: 'literal', s, S, R, o, T, I, t, h, {name}. */
static void
desc(const struct rs_format *f, char *buf, size_t cap)
{
	static const char	*const names[] = {
		[RS_FMT_BODY] = "s", [RS_FMT_LEN] = "S", [RS_FMT_LEN32] = "R",
		[RS_FMT_OFFSET] = "o", [RS_FMT_TS] = "T", [RS_FMT_ISO] = "I",
		[RS_FMT_STREAM] = "t", [RS_FMT_HEADERS] = "h"
	};
	size_t			 i, o = 0;
	int			 w;

	buf[0] = '\0';
	for (i = 0; i < f->n && o < cap; i++) {
		switch (f->t[i].tok) {
		case RS_FMT_LIT:
			w = snprintf(buf + o, cap - o, "%s'%.*s'", i ? " " : "",
			    (int)f->t[i].len, f->text + f->t[i].off);
			break;
		case RS_FMT_HEADER:
			w = snprintf(buf + o, cap - o, "%s{%.*s}", i ? " " : "",
			    (int)f->t[i].len, f->text + f->t[i].off);
			break;
		default:
			w = snprintf(buf + o, cap - o, "%s%s", i ? " " : "",
			    names[f->t[i].tok]);
			break;
		}
		if (w < 0)
			abort();
		o += (size_t)w;
	}
}

static void
compiles(const char *fmt, const char *want)
{
	struct rs_format	 f;
	char			 err[100], got[512];

	err[0] = '\0';
	if (!is_int(rs_format_compile(&f, fmt, err, sizeof err), 0,
	    "compile %s", fmt)) {
		diag("%s", err);
		return;
	}
	desc(&f, got, sizeof got);
	is_str(got, want, "%s: its tokens", fmt);
}

static void
refused(const char *what, const char *fmt, const char *want)
{
	struct rs_format	 f;
	char			 err[100];

	err[0] = '\0';
	is_int(rs_format_compile(&f, fmt, err, sizeof err), -1, "%s: refused",
	    what);
	is_str(err, want, "%s: the reason", what);
}

static void
test_compile(void)
{
	struct rs_format	 f;
	char			 err[100], *s;
	size_t			 i;

	compiles("%s|%S|%R|%o|%T|%I|%t|%h|%{key}h|%%",
	    "s '|' S '|' R '|' o '|' T '|' I '|' t '|' h '|' {key} '|%'");
	compiles("", "");
	compiles("plain", "'plain'");
	compiles("ab%%cd", "'ab%cd'");
	compiles("%{a}h%{b c}hx", "{a} {b c} 'x'");
	compiles("%{%s}h", "{%s}");
	compiles("%s%s", "s s");

	if (is_int(rs_format_compile(&f, "\\n\\t\\r\\0\\\\\\x41\\x7e\\xFF\\xaB.",
	    err, sizeof err), 0, "compile the escapes"))
		ok(f.n == 1 && f.t[0].tok == RS_FMT_LIT && f.t[0].len == 10 &&
		    memcmp(f.text, "\n\t\r\0\\A~\xff\xab.", 10) == 0,
		    "\\n \\t \\r \\0 \\\\ \\x41 \\x7e \\xFF \\xaB: one literal of "
		    "those 9 bytes and a dot");

	refused("%q", "%q", "unknown token %q");
	refused("% at the end", "abc%", "unknown token % ");
	refused("\\q", "a\\q", "unknown escape \\q");
	refused("\\ at the end", "ab\\", "unknown escape \\ ");
	refused("\\x4 at the end", "\\x4", "bad \\x escape");
	refused("\\x at the end", "\\x", "bad \\x escape");
	refused("\\xg0", "\\xg0", "bad \\x escape");
	refused("\\x0g", "\\x0g", "bad \\x escape");
	refused("%{}h", "%{}h", "expected %{NAME}h");
	refused("%{a", "%{a", "expected %{NAME}h");
	refused("%{a}", "%{a}", "expected %{NAME}h");
	refused("%{a}x", "%{a}x", "expected %{NAME}h");

	/* 64 tokens, not 65; 1024 bytes of text, not 1025. */
	if ((s = malloc(2048)) == NULL)
		abort();
	for (i = 0; i < 64; i++)
		memcpy(s + 2 * i, "%s", 2);
	s[128] = '\0';
	ok(rs_format_compile(&f, s, err, sizeof err) == 0 && f.n == 64,
	    "64 tokens: fine");
	memcpy(s + 128, "%s", 3);
	refused("65 tokens", s, "format too long");
	for (i = 0; i < 32; i++)
		memcpy(s + 4 * i, "%s, ", 4);
	s[128] = '\0';
	ok(rs_format_compile(&f, s, err, sizeof err) == 0 && f.n == 64 &&
	    f.t[63].tok == RS_FMT_LIT && f.t[63].len == 2,
	    "32 times \"%%s, \": 64 tokens, the last \", \": fine");
	memcpy(s + 128, "x", 2);
	ok(rs_format_compile(&f, s, err, sizeof err) == 0 && f.n == 64 &&
	    f.t[63].len == 3, "a 65th literal byte joins the 64th token: fine");
	memcpy(s + 128, "%%", 3);
	ok(rs_format_compile(&f, s, err, sizeof err) == 0 && f.n == 64,
	    "and so does a %%%%");
	memcpy(s + 128, "%o", 3);
	refused("64 tokens and %o", s, "format too long");
	memset(s, 'a', 1024);
	s[1024] = '\0';
	ok(rs_format_compile(&f, s, err, sizeof err) == 0 && f.n == 1 &&
	    f.t[0].len == 1024, "1024 bytes of literal: fine");
	s[1024] = 'a';
	s[1025] = '\0';
	refused("1025 bytes of literal", s, "format too long");
	memcpy(s, "%{", 2);
	memset(s + 2, 'n', 1024);
	memcpy(s + 1026, "}h", 3);
	ok(rs_format_compile(&f, s, err, sizeof err) == 0 && f.n == 1 &&
	    f.t[0].tok == RS_FMT_HEADER && f.t[0].len == 1024,
	    "a 1024-byte %%{NAME}h: fine");
	memcpy(s + 1026, "}hx", 4);
	refused("a 1024-byte %{NAME}h and a literal", s, "format too long");
	free(s);
}

/* --format and --delimiter read escapes alike. */
static void
test_escapes_agree(void)
{
	static const char	*const e[] = {
		"\\n", "\\t", "\\r", "\\0", "\\\\", "\\x00", "\\x41", "\\xff",
		"\\xFF", "\\xAb", "a\\nb", "\\r\\n", "x", "\\x2d\\x2d",
		"\\q", "\\x4", "\\x", "\\xg1", "\\", "ab\\"
	};
	struct rs_format	 f;
	char			 err[100], out[16];
	size_t			 i, n;
	int			 a, b, bad = 0;

	for (i = 0; i < sizeof e / sizeof e[0]; i++) {
		a = rs_format_compile(&f, e[i], err, sizeof err);
		b = rs_spec_unescape(e[i], out, &n);
		if (a != b || (a == 0 && (f.n != 1 || f.t[0].len != n ||
		    memcmp(f.text, out, n) != 0))) {
			if (bad++ == 0)
				diag("%s: format %d, delimiter %d", e[i], a, b);
		}
	}
	ok(bad == 0, "%zu escapes: --format and --delimiter agree",
	    sizeof e / sizeof e[0]);
	ok(rs_format_compile(&f, "", err, sizeof err) == 0 &&
	    rs_spec_unescape("", out, &n) == -1,
	    "but an empty delimiter is refused, an empty format is not");
}

/* The output of fmt for a record, appended to what buffer b holds. */
static void
prints(const char *fmt, const struct rs_record_meta *meta, const void *rec,
    size_t n, const char *want, size_t wlen, const char *what)
{
	struct rs_format	 f;
	struct rs_buf		 b;
	char			 err[100];

	rs_buf_init(&b);
	rs_buf_put(&b, ">", 1);
	if (rs_format_compile(&f, fmt, err, sizeof err) == -1) {
		ok(0, "%s: %s compiles: %s", what, fmt, err);
		return;
	}
	rs_format_record(&f, &b, meta, rec, n);
	if (!is_mem(b.data, b.len, want, wlen, "%s: %s", what, fmt))
		diag("got \"%.*s\"", (int)b.len, b.data);
	rs_buf_free(&b);
}

#define PRINTS(fmt, meta, rec, n, want, what)				\
	prints(fmt, meta, rec, n, ">" want, sizeof want, what)

static void
test_record(void)
{
	static const struct rs_amqp_kv	 app[] = { { "k", "v" },
	    { "name", "a=b,c" } };
	struct rs_record_meta		 meta = { "mystream", 42,
	    1764072000123, 0 }, m2 = meta;
	struct rs_amqp_props		 pr;
	struct rs_buf			 b;
	static uint8_t			 big[300];
	size_t				 map, list;

	rs_buf_init(&b);
	memset(&pr, 0, sizeof pr);
	pr.app = app;
	pr.napp = 2;
	rs_amqp_put_message(&b, &pr, "hello", 5);
	PRINTS("%t/%o/%T/%I %S:%s", &meta, b.data, b.len,
	    "mystream/42/1764072000123/2025-11-25T12:00:00.123Z 5:hello",
	    "stream, offset, timestamp, ISO time, length, body");
	PRINTS("[%h] {%{k}h}{%{name}h}{%{nope}h}{%{K}h}", &meta, b.data, b.len,
	    "[k=v,name=a=b,c] {v}{a=b,c}{}{}",
	    "application properties, all and one by one");
	PRINTS("%R", &meta, b.data, b.len, "\0\0\0\5",
	    "the body's length, 4 bytes big-endian");
	PRINTS("a\\tb%%\\n\\x00", &meta, b.data, b.len, "a\tb%\n\0",
	    "literals and escapes");
	PRINTS("", &meta, b.data, b.len, "", "an empty format: nothing");

	PRINTS("%s|%S|%h|%{k}h", &meta, "plain text", 10, "plain text|10||",
	    "a raw record: itself, no application properties");
	PRINTS("%s|%S|%R", &meta, "", 0, "|0|\0\0\0\0", "an empty raw record");

	b.len = 0;
	rs_amqp_put_message(&b, NULL, big, sizeof big);
	PRINTS("%S %R", &meta, b.data, b.len, "300 \0\0\1\x2c",
	    "a 300-byte body: %%R is 00 00 01 2c");

	/* Two data sections: one body. */
	b.len = 0;
	rs_amqp_put_message(&b, NULL, "ab", 2);
	rs_amqp_put_section(&b, RS_AMQP_DATA);
	rs_amqp_put_binary(&b, "cde", 3);
	PRINTS("%s %S", &meta, b.data, b.len, "abcde 5",
	    "two data sections: their bytes together");

	/* An amqp-value: its text form. */
	b.len = 0;
	rs_amqp_put_section(&b, RS_AMQP_VALUE);
	rs_amqp_put_long(&b, -1234);
	PRINTS("%s %S", &meta, b.data, b.len, "-1234 5", "an amqp-value long");

	/* Keys that are symbols, numbers; values that are not strings. */
	b.len = 0;
	rs_amqp_put_section(&b, RS_AMQP_APPLICATION_PROPERTIES);
	map = rs_amqp_map_begin(&b);
	rs_amqp_put_symbol(&b, "sym", 3);
	rs_amqp_put_int(&b, 7);
	rs_amqp_put_ulong(&b, 9);
	rs_amqp_put_string(&b, "nine", 4);
	rs_amqp_put_string(&b, "list", 4);
	list = rs_amqp_list_begin(&b);
	rs_amqp_put_bool(&b, 1);
	rs_amqp_put_string(&b, "x", 1);
	rs_amqp_list_end(&b, list);
	rs_amqp_put_string(&b, "null", 4);
	rs_amqp_put_null(&b);
	rs_amqp_map_end(&b, map);
	rs_amqp_put_section(&b, RS_AMQP_DATA);
	rs_amqp_put_binary(&b, "", 0);
	ok(!b.oom, "a message with odd application properties");
	PRINTS("%h", &meta, b.data, b.len, "sym=7,9=nine,list=[true,\"x\"],null=",
	    "%%h: keys and values in their text form");
	PRINTS("<%{sym}h><%{9}h><%{list}h><%{null}h>", &meta, b.data, b.len,
	    "<7><><[true,\"x\"]><>", "%%{NAME}h: a symbol key matches, a "
	    "number key does not");

	/* Times. */
	b.len = 0;
	rs_amqp_put_message(&b, NULL, "", 0);
	m2.timestamp = 0;
	PRINTS("%T %I", &m2, b.data, b.len, "0 1970-01-01T00:00:00.000Z",
	    "time 0");
	m2.timestamp = 1795608000001;
	PRINTS("%I", &m2, b.data, b.len, "2026-11-25T12:00:00.001Z",
	    "1795608000001 ms");
	m2.timestamp = 253402300799999;
	PRINTS("%I", &m2, b.data, b.len, "9999-12-31T23:59:59.999Z",
	    "the last ms of 9999");
	m2.timestamp = -1;
	PRINTS("%T %I", &m2, b.data, b.len, "-1 1969-12-31T23:59:59.999Z",
	    "1 ms before the epoch");
	m2.timestamp = -86400001;
	PRINTS("%I", &m2, b.data, b.len, "1969-12-30T23:59:59.999Z",
	    "a day and 1 ms before the epoch");
	m2.timestamp = -1000;
	PRINTS("%I", &m2, b.data, b.len, "1969-12-31T23:59:59.000Z",
	    "1 s before the epoch");
	m2.offset = UINT64_MAX;
	m2.stream = "";
	PRINTS("[%t] %o", &m2, b.data, b.len, "[] 18446744073709551615",
	    "an empty stream name, offset 2^64-1");
	rs_buf_free(&b);
}

int
main(void)
{
	test_compile();
	test_escapes_agree();
	test_record();
	return done_testing();
}
