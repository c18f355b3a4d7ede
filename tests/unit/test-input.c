/*
 * test-input.c: delimiter framing of rstream-cat's input (src/input.c).
 * With '\n': the newline is stripped, empty lines are records, '\r' is
 * kept, a last line without a newline is a record at the end of the file,
 * and a file ending exactly at a newline gives no extra empty record.
 * Record numbers count on across rs_input_next_file(), and a record never
 * spans two files. Multi-byte delimiters ("\r\n", "--") and NUL work,
 * including a delimiter split across two commits. A record over max_record
 * is -1 with a message naming its number; exactly max_record is fine. Every
 * input is also fed byte by byte, split at every point and at every pair of
 * points: the records (and any error) must be the same each time.
 */
#include "config.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "input.h"
#include "tap.h"

/* What a run produced: records as "len:bytes," and the error, if any. */
struct out {
	char	 recs[4096];
	size_t	 len;
	int	 n;
	int	 err;
	char	 errstr[128];
};

/* Add a record; one over 256 bytes is kept as its first and last bytes. */
static void
out_add(struct out *o, const uint8_t *rec, size_t n)
{
	size_t	 keep = n > 256 ? 0 : n;
	int	 w;

	if (keep < n)
		w = snprintf(o->recs + o->len, sizeof o->recs - o->len,
		    "%zu:%c...%c", n, rec[0], rec[n - 1]);
	else
		w = snprintf(o->recs + o->len, sizeof o->recs - o->len, "%zu:",
		    n);
	if (w < 0 || o->len + (size_t)w + keep + 2 > sizeof o->recs)
		abort();
	o->len += (size_t)w;
	memcpy(o->recs + o->len, rec, keep);
	o->len += keep;
	o->recs[o->len++] = ',';
	o->recs[o->len] = '\0';
	o->n++;
}

/* Take every record ready now. */
static void
drain(struct rs_input *in, struct out *o)
{
	const uint8_t	*rec;
	size_t		 n;
	int		 rc;

	while (!o->err && (rc = rs_input_next(in, &rec, &n)) != 0) {
		if (rc == -1) {
			o->err = 1;
			snprintf(o->errstr, sizeof o->errstr, "%s", in->errstr);
			break;
		}
		out_add(o, rec, n);
	}
}

/* Read n bytes in through space/commit, taking records after each commit. */
static void
feed(struct rs_input *in, const char *p, size_t n, struct out *o)
{
	uint8_t	*dst;
	size_t	 avail, k;

	while (n > 0 && !o->err) {
		rs_input_space(in, &dst, &avail);
		if ((k = n < avail ? n : avail) == 0)
			abort();	/* only while oversize, which drain saw */
		memcpy(dst, p, k);
		rs_input_commit(in, k);
		p += k;
		n -= k;
		drain(in, o);
	}
}

/* One file, in the pieces cut at cuts[0..ncuts). */
static void
run(const char *delim, size_t dl, size_t max, const char *s, size_t n,
    const size_t *cuts, int ncuts, struct out *o)
{
	struct rs_input	 in;
	size_t		 from = 0, to;
	int		 i;

	memset(o, 0, sizeof *o);
	if (rs_input_init(&in, delim, dl, max) == -1)
		abort();
	for (i = 0; i <= ncuts; i++) {
		to = (i < ncuts) ? cuts[i] : n;
		feed(&in, s + from, to - from, o);
		from = to;
	}
	if (!o->err) {
		rs_input_end(&in);
		drain(&in, o);
	}
	rs_input_free(&in);
}

static int
same(const struct out *a, const struct out *b)
{
	return a->n == b->n && a->len == b->len &&
	    memcmp(a->recs, b->recs, a->len) == 0 && a->err == b->err &&
	    strcmp(a->errstr, b->errstr) == 0;
}

/* Feed s every way; the records must be want (len:bytes,...), err as said. */
static void
check(const char *what, const char *delim, size_t dl, size_t max,
    const char *s, size_t n, const char *want, const char *errpart)
{
	struct out	 whole, o;
	size_t		 cuts[2], i, j, *bytes;
	int		 bad;

	run(delim, dl, max, s, n, NULL, 0, &whole);
	is_str(whole.recs, want, "%s: records", what);
	if (errpart == NULL)
		ok(!whole.err, "%s: no error", what);
	else
		ok(whole.err && strstr(whole.errstr, errpart) != NULL,
		    "%s: error naming \"%s\": %s", what, errpart, whole.errstr);

	if ((bytes = calloc(n + 1, sizeof *bytes)) == NULL)
		abort();
	for (i = 0; i < n; i++)
		bytes[i] = i + 1;
	run(delim, dl, max, s, n, bytes, n > 0 ? (int)n - 1 : 0, &o);
	ok(same(&o, &whole), "%s: byte by byte, the same", what);
	free(bytes);

	bad = 0;
	for (i = 0; i <= n; i++) {
		cuts[0] = i;
		run(delim, dl, max, s, n, cuts, 1, &o);
		if (!same(&o, &whole) && bad++ == 0)
			diag("split at %zu: %s", i, o.recs);
	}
	ok(bad == 0, "%s: split at each of %zu points, the same", what, n + 1);

	bad = 0;
	for (i = 0; i <= n; i++) {
		for (j = i; j <= n; j++) {
			cuts[0] = i;
			cuts[1] = j;
			run(delim, dl, max, s, n, cuts, 2, &o);
			if (!same(&o, &whole) && bad++ == 0)
				diag("split at %zu, %zu: %s", i, j, o.recs);
		}
	}
	ok(bad == 0, "%s: split at every pair of points, the same", what);
}

#define CHECK(what, delim, max, s, want, err)				\
	check(what, delim, sizeof delim - 1, max, s, sizeof s - 1, want, err)

static void
test_lines(void)
{
	CHECK("lines", "\n", 64, "a\nb\n\nc", "1:a,1:b,0:,1:c,", NULL);
	CHECK("CR kept", "\n", 64, "a\r\nb\n", "2:a\r,1:b,", NULL);
	CHECK("ending at a newline", "\n", 64, "a\nb\n", "1:a,1:b,", NULL);
	CHECK("nothing", "\n", 64, "", "", NULL);
	CHECK("one newline", "\n", 64, "\n", "0:,", NULL);
	CHECK("two newlines", "\n", 64, "\n\n", "0:,0:,", NULL);
	CHECK("NUL delimiter", "\0", 64, "a\0b\0\0c", "1:a,1:b,0:,1:c,", NULL);
}

static void
test_multibyte(void)
{
	CHECK("CRLF", "\r\n", 64, "a\r\nb\r\n\r\nc", "1:a,1:b,0:,1:c,", NULL);
	CHECK("CRLF, lone CR and LF kept", "\r\n", 64, "a\rb\r\nc\n\r\n",
	    "3:a\rb,2:c\n,", NULL);
	CHECK("CRLF, CR at the end", "\r\n", 64, "a\r\nb\r", "1:a,2:b\r,",
	    NULL);
	CHECK("--", "--", 64, "x--y----z-", "1:x,1:y,0:,2:z-,", NULL);
	CHECK("-- in ---", "--", 64, "a---b", "1:a,2:-b,", NULL);
	CHECK("3-byte <|>", "<|>", 64, "<|<|>>|><|>", "2:<|,3:>|>,", NULL);
}

static void
test_oversize(void)
{
	CHECK("exactly max_record", "\n", 4, "abcd\nefgh", "4:abcd,4:efgh,",
	    NULL);
	CHECK("record 2 over", "\n", 4, "abcd\nabcde\n", "4:abcd,",
	    "record 2");
	CHECK("record 3 over", "\n", 4, "ab\ncd\nefghij\n", "2:ab,2:cd,",
	    "record 3");
	CHECK("last record over", "\n", 4, "abcde", "", "record 1");
	CHECK("CRLF exactly max_record", "\r\n", 4, "abcd\r\nefgh",
	    "4:abcd,4:efgh,", NULL);
	CHECK("CRLF over", "\r\n", 4, "abcde\r\n", "", "record 1");
	CHECK("CRLF, CR makes the last record over", "\r\n", 4, "abcd\r",
	    "", "record 1");
}

/* Records numbered across files; none spans two. */
static void
test_files(void)
{
	struct rs_input	 in;
	struct out	 o;

	memset(&o, 0, sizeof o);
	if (rs_input_init(&in, "\n", 1, 16) == -1)
		abort();
	feed(&in, "a\nb", 3, &o);
	is_str(o.recs, "1:a,", "file 1: \"a\" before its end");
	rs_input_end(&in);
	drain(&in, &o);
	is_str(o.recs, "1:a,1:b,", "file 1: \"b\" at its end");
	is_uint(in.recno, 2, "2 records so far");
	rs_input_next_file(&in);
	feed(&in, "c\nd\n", 4, &o);
	rs_input_end(&in);
	drain(&in, &o);
	is_str(o.recs, "1:a,1:b,1:c,1:d,", "file 2: \"c\", \"d\", nothing more");
	rs_input_next_file(&in);
	rs_input_end(&in);
	drain(&in, &o);
	is_int(o.n, 4, "an empty file 3 gives no record");
	rs_input_next_file(&in);
	feed(&in, "e", 1, &o);
	rs_input_next_file(&in);	/* not ended: e and f join */
	rs_input_end(&in);
	drain(&in, &o);
	is_str(o.recs, "1:a,1:b,1:c,1:d,1:e,", "file 4: \"e\"");
	rs_input_next_file(&in);
	feed(&in, "0123456789abcdefXYZ\n", 20, &o);
	ok(o.err, "file 5: a record of 19 bytes over 16 fails");
	ok(strstr(o.errstr, "record 6") != NULL,
	    "and names record 6 (counted across files): %s", o.errstr);
	rs_input_free(&in);
}

/* A record of exactly max_record bytes larger than a read block, and one over. */
static void
test_big(void)
{
	struct out	 o;
	char		*s;
	size_t		 max = 300000;

	if ((s = malloc(max + 2)) == NULL)
		abort();
	memset(s, 'r', max + 1);
	s[max] = '\n';
	run("\n", 1, max, s, max + 1, NULL, 0, &o);
	ok(!o.err && strcmp(o.recs, "300000:r...r,") == 0,
	    "a record of exactly 300000 bytes (max_record) is fine");
	s[max] = 'r';
	s[max + 1] = '\n';
	run("\n", 1, max, s, max + 2, NULL, 0, &o);
	ok(o.err && o.n == 0 && strstr(o.errstr, "record 1") != NULL,
	    "one of 300001 is record 1 over: %s", o.errstr);
	free(s);
}

int
main(void)
{
	test_lines();
	test_multibyte();
	test_oversize();
	test_files();
	test_big();
	return done_testing();
}
