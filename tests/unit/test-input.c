/*
 * test-input.c: record framing of rstream-cat's input (src/input.c).
 *
 * Delimiters: with '\n' the newline is stripped, empty lines are records,
 * '\r' is kept, a last line without a newline is a record at the end of the
 * file, and a file ending exactly at a newline gives no extra empty record.
 * Multi-byte delimiters ("\r\n", "--") and NUL work, including a delimiter
 * split across two commits.
 *
 * RS_INPUT_BE32: a 4-byte big-endian length, then that many bytes; a prefix
 * over max_record is an error naming the record and its size, and an input
 * that ends inside a prefix or a record is an error saying where.
 * RS_INPUT_WHOLE: each file is one record, an empty file an empty record.
 *
 * A record over max_record is -1 with a message naming its number;
 * exactly max_record is fine. rs_input_skip() then drops it, however its
 * bytes arrive, and framing resumes after it (after the next delimiter,
 * after the prefixed length, or at the next file); its number stays used.
 * Record numbers count on across rs_input_next_file(), and a record never
 * spans two files.
 *
 * rs_input_init_read() with a read of 3 bytes: a buffer that small still
 * frames every record (its bytes moved to the front as it fills).
 *
 * Every input is also fed byte by byte, split at every point and at every
 * pair of points: the records, the errors and the record count must be the
 * same each time. Expected records are written "len:bytes," and a skipped
 * record "!message,".
 */
#include "config.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "input.h"
#include "tap.h"

/* An input: its framing, limit, bytes and where its files end. */
struct spec {
	const char		*delim;
	size_t			 dl;
	size_t			 max;
	enum rs_input_framing	 framing;
	int			 skip;		/* skip oversize records */
	const char		*s;
	size_t			 n;
	const size_t		*files;		/* ends of all files but the last */
	int			 nfiles;
};

/* What a run produced: records as "len:bytes," and the error, if any. */
struct out {
	char	 recs[4096];
	size_t	 len;
	int	 n;
	int	 err;
	char	 errstr[128];
	uint64_t recno;
};

static void
out_put(struct out *o, const void *p, size_t n)
{
	if (o->len + n + 1 > sizeof o->recs)
		abort();
	memcpy(o->recs + o->len, p, n);
	o->len += n;
	o->recs[o->len] = '\0';
}

/* Add a record; one over 256 bytes is kept as its first and last bytes. */
static void
out_add(struct out *o, const uint8_t *rec, size_t n)
{
	char	 t[64];
	int	 w;

	if (n > 256)
		w = snprintf(t, sizeof t, "%zu:%c...%c", n, rec[0], rec[n - 1]);
	else
		w = snprintf(t, sizeof t, "%zu:", n);
	out_put(o, t, (size_t)w);
	if (n <= 256)
		out_put(o, rec, n);
	out_put(o, ",", 1);
	o->n++;
}

/* Take every record ready now; skip oversize records if sp says so. */
static void
drain(const struct spec *sp, struct rs_input *in, struct out *o)
{
	const uint8_t	*rec;
	size_t		 n;
	int		 rc;

	while (!o->err && (rc = rs_input_next(in, &rec, &n)) != 0) {
		if (rc == -1) {
			if (sp->skip && in->oversize) {
				out_put(o, "!", 1);
				out_put(o, in->errstr, strlen(in->errstr));
				out_put(o, ",", 1);
				rs_input_skip(in);
				continue;
			}
			o->err = 1;
			snprintf(o->errstr, sizeof o->errstr, "%s", in->errstr);
			break;
		}
		if (n > sp->max)
			abort();
		out_add(o, rec, n);
	}
}

/* Read n bytes in, at most chunk at a time, taking records after each commit. */
static void
feed_chunked(const struct spec *sp, struct rs_input *in, const char *p,
    size_t n, size_t chunk, struct out *o)
{
	uint8_t	*dst;
	size_t	 avail, k;

	while (n > 0 && !o->err) {
		rs_input_space(in, &dst, &avail);
		if ((k = n < avail ? n : avail) == 0)
			abort();	/* only while oversize, which drain saw */
		if (k > chunk)
			k = chunk;
		memcpy(dst, p, k);
		rs_input_commit(in, k);
		p += k;
		n -= k;
		drain(sp, in, o);
	}
}

static void
feed(const struct spec *sp, struct rs_input *in, const char *p, size_t n,
    struct out *o)
{
	feed_chunked(sp, in, p, n, SIZE_MAX, o);
}

/* The files of sp, in the pieces cut at cuts[0..ncuts) (ascending). */
static void
run(const struct spec *sp, const size_t *cuts, int ncuts, struct out *o)
{
	struct rs_input	 in;
	size_t		 from = 0, to;
	int		 ci = 0, fi = 0;

	memset(o, 0, sizeof *o);
	if (rs_input_init(&in, sp->delim, sp->dl, sp->max) == -1)
		abort();
	rs_input_set_framing(&in, sp->framing);
	while (!o->err) {
		to = sp->n;
		if (ci < ncuts && cuts[ci] < to)
			to = cuts[ci];
		if (fi < sp->nfiles && sp->files[fi] < to)
			to = sp->files[fi];
		feed(sp, &in, sp->s + from, to - from, o);
		from = to;
		while (ci < ncuts && cuts[ci] <= to)
			ci++;
		if (o->err)
			break;
		if (fi < sp->nfiles && sp->files[fi] == to) {
			rs_input_end(&in);
			drain(sp, &in, o);
			rs_input_next_file(&in);
			fi++;
			continue;
		}
		if (to == sp->n) {
			rs_input_end(&in);
			drain(sp, &in, o);
			break;
		}
	}
	o->recno = in.recno;
	rs_input_free(&in);
}

static int
same(const struct out *a, const struct out *b)
{
	return a->n == b->n && a->len == b->len &&
	    memcmp(a->recs, b->recs, a->len) == 0 && a->err == b->err &&
	    strcmp(a->errstr, b->errstr) == 0 && a->recno == b->recno;
}

/*
 * Feed sp every way; the records must be want (wlen bytes), the error
 * exactly err (NULL: none) and the records taken or skipped recno.
 */
static void
check_spec(const char *what, const struct spec *sp, const char *want,
    size_t wlen, const char *err, uint64_t recno)
{
	struct out	 whole, o;
	size_t		 cuts[2], i, j, n = sp->n, *bytes;
	int		 bad;

	run(sp, NULL, 0, &whole);
	if (!is_mem(whole.recs, whole.len, want, wlen, "%s: records", what))
		diag("got \"%s\"", whole.recs);
	if (err == NULL)
		ok(!whole.err, "%s: no error%s%s", what,
		    whole.err ? ": " : "", whole.errstr);
	else
		is_str(whole.errstr, err, "%s: the error", what);
	is_uint(whole.recno, recno, "%s: %llu records taken or skipped", what,
	    (unsigned long long)recno);

	if ((bytes = calloc(n + 1, sizeof *bytes)) == NULL)
		abort();
	for (i = 0; i < n; i++)
		bytes[i] = i + 1;
	run(sp, bytes, n > 0 ? (int)n - 1 : 0, &o);
	ok(same(&o, &whole), "%s: byte by byte, the same", what);
	free(bytes);

	bad = 0;
	for (i = 0; i <= n; i++) {
		cuts[0] = i;
		run(sp, cuts, 1, &o);
		if (!same(&o, &whole) && bad++ == 0)
			diag("split at %zu: %s (%s)", i, o.recs, o.errstr);
	}
	ok(bad == 0, "%s: split at each of %zu points, the same", what, n + 1);

	bad = 0;
	for (i = 0; i <= n; i++) {
		for (j = i; j <= n; j++) {
			cuts[0] = i;
			cuts[1] = j;
			run(sp, cuts, 2, &o);
			if (!same(&o, &whole) && bad++ == 0)
				diag("split at %zu, %zu: %s (%s)", i, j, o.recs,
				    o.errstr);
		}
	}
	ok(bad == 0, "%s: split at every pair of points, the same", what);
}

/* One file framed on a delimiter, failing at the first oversize record. */
static void
check(const char *what, const char *delim, size_t dl, size_t max,
    const char *s, size_t n, const char *want, size_t wlen, const char *err,
    uint64_t recno)
{
	struct spec	 sp = { delim, dl, max, RS_INPUT_DELIM, 0, s, n, NULL,
	    0 };

	check_spec(what, &sp, want, wlen, err, recno);
}

#define CHECK(what, delim, max, s, want, err, recno)			\
	check(what, delim, sizeof delim - 1, max, s, sizeof s - 1, want,	\
	    sizeof want - 1, err, recno)

/*
 * Any framing, skipping oversize records or not. The trailing arguments
 * are where each file but the last ends, then 0.
 */
#define CHECKF(what, framing, skip, delim, max, s, want, err, recno, ...) do { \
	static const size_t	 e_[] = { __VA_ARGS__ };			\
	struct spec		 sp_ = { delim, sizeof delim - 1, max, framing,	\
	    skip, s, sizeof s - 1, e_, (int)(sizeof e_ / sizeof e_[0]) - 1 };	\
	check_spec(what, &sp_, want, sizeof want - 1, err, recno);		\
} while (0)

/* The four-byte big-endian length prefixes used below. */
#define L0	"\0\0\0\0"
#define L1	"\0\0\0\1"
#define L2	"\0\0\0\2"
#define L3	"\0\0\0\3"
#define L4	"\0\0\0\4"
#define L5	"\0\0\0\5"
#define L9	"\0\0\0\x09"
#define LMAX	"\xff\xff\xff\xff"

#define OVER4(r)	"record " r " is longer than the 4 bytes a message can hold"

static void
test_lines(void)
{
	CHECK("lines", "\n", 64, "a\nb\n\nc", "1:a,1:b,0:,1:c,", NULL, 4);
	CHECK("CR kept", "\n", 64, "a\r\nb\n", "2:a\r,1:b,", NULL, 2);
	CHECK("ending at a newline", "\n", 64, "a\nb\n", "1:a,1:b,", NULL, 2);
	CHECK("nothing", "\n", 64, "", "", NULL, 0);
	CHECK("one newline", "\n", 64, "\n", "0:,", NULL, 1);
	CHECK("two newlines", "\n", 64, "\n\n", "0:,0:,", NULL, 2);
	CHECK("NUL delimiter", "\0", 64, "a\0b\0\0c", "1:a,1:b,0:,1:c,", NULL,
	    4);
}

static void
test_multibyte(void)
{
	CHECK("CRLF", "\r\n", 64, "a\r\nb\r\n\r\nc", "1:a,1:b,0:,1:c,", NULL,
	    4);
	CHECK("CRLF, lone CR and LF kept", "\r\n", 64, "a\rb\r\nc\n\r\n",
	    "3:a\rb,2:c\n,", NULL, 2);
	CHECK("CRLF, CR at the end", "\r\n", 64, "a\r\nb\r", "1:a,2:b\r,",
	    NULL, 2);
	CHECK("--", "--", 64, "x--y----z-", "1:x,1:y,0:,2:z-,", NULL, 4);
	CHECK("-- in ---", "--", 64, "a---b", "1:a,2:-b,", NULL, 2);
	CHECK("3-byte <|>", "<|>", 64, "<|<|>>|><|>", "2:<|,3:>|>,", NULL, 2);
}

static void
test_oversize(void)
{
	CHECK("exactly max_record", "\n", 4, "abcd\nefgh", "4:abcd,4:efgh,",
	    NULL, 2);
	CHECK("record 2 over", "\n", 4, "abcd\nabcde\n", "4:abcd,",
	    OVER4("2"), 1);
	CHECK("record 3 over", "\n", 4, "ab\ncd\nefghij\n", "2:ab,2:cd,",
	    OVER4("3"), 2);
	CHECK("last record over", "\n", 4, "abcde", "", OVER4("1"), 0);
	CHECK("CRLF exactly max_record", "\r\n", 4, "abcd\r\nefgh",
	    "4:abcd,4:efgh,", NULL, 2);
	CHECK("CRLF over", "\r\n", 4, "abcde\r\n", "", OVER4("1"), 0);
	CHECK("CRLF, CR makes the last record over", "\r\n", 4, "abcd\r",
	    "", OVER4("1"), 0);
}

/* An oversize delimited record, skipped: framing resumes after its delimiter. */
static void
test_delim_skip(void)
{
	CHECKF("skip", RS_INPUT_DELIM, 1, "\n", 4, "ab\nabcdefgh\ncd\n",
	    "2:ab,!" OVER4("2") ",2:cd,", NULL, 3, 0);
	CHECKF("skip, CRLF", RS_INPUT_DELIM, 1, "\r\n", 4,
	    "ab\r\nabcdefgh\r\ncd", "2:ab,!" OVER4("2") ",2:cd,", NULL, 3, 0);
	CHECKF("skip, -- then ---", RS_INPUT_DELIM, 1, "--", 4, "abcdef---x",
	    "!" OVER4("1") ",2:-x,", NULL, 2, 0);
	CHECKF("skip, 3-byte <|>, its prefix in the record", RS_INPUT_DELIM, 1,
	    "<|>", 2, "abcdef<|<|>x",
	    "!record 1 is longer than the 2 bytes a message can hold,1:x,",
	    NULL, 2, 0);
	CHECKF("skip, NUL", RS_INPUT_DELIM, 1, "\0", 4, "abcdefgh\0a\0",
	    "!" OVER4("1") ",1:a,", NULL, 2, 0);
	CHECKF("skip the last record, no delimiter", RS_INPUT_DELIM, 1, "\n",
	    4, "ab\nabcdefgh", "2:ab,!" OVER4("2") ",", NULL, 2, 0);
	CHECKF("skip two in a row, numbers count on", RS_INPUT_DELIM, 1, "\n",
	    4, "abcdefgh\nijklmnop\nq",
	    "!" OVER4("1") ",!" OVER4("2") ",1:q,", NULL, 3, 0);
	CHECKF("skip up to the end of its file", RS_INPUT_DELIM, 1, "\n", 4,
	    "abcdefgh" "x\ny", "!" OVER4("1") ",1:x,1:y,", NULL, 3, 8, 0);
	CHECKF("skip: a CR at the end of the file is not half a CRLF",
	    RS_INPUT_DELIM, 1, "\r\n", 4, "abcdefg\r" "\nx",
	    "!" OVER4("1") ",2:\nx,", NULL, 2, 8, 0);
	CHECKF("not skipped: the first oversize record stops", RS_INPUT_DELIM,
	    0, "\n", 4, "ab\nabcdefgh\ncd\n", "2:ab,", OVER4("2"), 1, 0);
}

/* RS_INPUT_BE32: length-prefixed records. */
static void
test_be32(void)
{
	CHECKF("be32", RS_INPUT_BE32, 0, "\n", 4, L2 "ab" L0 L4 "abcd",
	    "2:ab,0:,4:abcd,", NULL, 3, 0);
	CHECKF("be32, nothing", RS_INPUT_BE32, 0, "\n", 4, "", "", NULL, 0, 0);
	CHECKF("be32, any bytes", RS_INPUT_BE32, 0, "\n", 4,
	    L3 "\n\0\r" L1 "\xff", "3:\n\0\r,1:\xff,", NULL, 2, 0);
	CHECKF("be32, max_record 0", RS_INPUT_BE32, 0, "\n", 0, L0 L0,
	    "0:,0:,", NULL, 2, 0);
	CHECKF("be32, over", RS_INPUT_BE32, 0, "\n", 4,
	    L1 "a" L5 "abcde" L1 "z", "1:a,",
	    "record 2 is 5 bytes, longer than the 4 bytes a message can hold",
	    1, 0);
	CHECKF("be32, 2^32-1 over", RS_INPUT_BE32, 0, "\n", 4, LMAX "abc", "",
	    "record 1 is 4294967295 bytes, longer than the 4 bytes a message "
	    "can hold", 0, 0);
	CHECKF("be32, ends inside a length", RS_INPUT_BE32, 0, "\n", 4,
	    L1 "a" "\0\0", "1:a,",
	    "record 2: the input ends inside its 4-byte length", 1, 0);
	CHECKF("be32, ends after 1 byte of a length", RS_INPUT_BE32, 0, "\n",
	    4, "\0", "", "record 1: the input ends inside its 4-byte length",
	    0, 0);
	CHECKF("be32, ends inside a record", RS_INPUT_BE32, 0, "\n", 4,
	    L3 "ab", "", "record 1: the input ends 2 bytes into a 3-byte "
	    "record", 0, 0);
	CHECKF("be32, ends right after a length", RS_INPUT_BE32, 0, "\n", 4,
	    L1 "x" L3, "1:x,", "record 2: the input ends 0 bytes into a "
	    "3-byte record", 1, 0);
	CHECKF("be32, files", RS_INPUT_BE32, 0, "\n", 4, L1 "a" L1 "b" L0,
	    "1:a,1:b,0:,", NULL, 3, 5, 0);
	CHECKF("be32, a record does not go on into the next file",
	    RS_INPUT_BE32, 0, "\n", 4, L2 "a" "b", "",
	    "record 1: the input ends 1 bytes into a 2-byte record", 0, 5, 0);
	CHECKF("be32, nor a length", RS_INPUT_BE32, 0, "\n", 4, "\0\0" "\0\1a",
	    "", "record 1: the input ends inside its 4-byte length", 0, 2, 0);
}

/* An oversize BE32 record, skipped: its prefixed length is dropped. */
static void
test_be32_skip(void)
{
	CHECKF("be32, skip", RS_INPUT_BE32, 1, "\n", 4,
	    L1 "a" L5 "abcde" L1 "z",
	    "1:a,!record 2 is 5 bytes, longer than the 4 bytes a message can "
	    "hold,1:z,", NULL, 3, 0);
	CHECKF("be32, skip two in a row", RS_INPUT_BE32, 1, "\n", 4,
	    L5 "abcde" L9 "123456789" L2 "ok",
	    "!record 1 is 5 bytes, longer than the 4 bytes a message can hold,"
	    "!record 2 is 9 bytes, longer than the 4 bytes a message can hold,"
	    "2:ok,", NULL, 3, 0);
	CHECKF("be32, skip, max_record 0", RS_INPUT_BE32, 1, "\n", 0,
	    L0 L1 "a" L0, "0:,!record 2 is 1 bytes, longer than the 0 bytes "
	    "a message can hold,0:,", NULL, 3, 0);
	CHECKF("be32, skip one cut short by the end of its file",
	    RS_INPUT_BE32, 1, "\n", 4, LMAX "abc" L1 "x",
	    "!record 1 is 4294967295 bytes, longer than the 4 bytes a message "
	    "can hold,1:x,", NULL, 2, 7, 0);
	CHECKF("be32, skip one with nothing after its length", RS_INPUT_BE32,
	    1, "\n", 4, L1 "a" L9, "1:a,!record 2 is 9 bytes, longer than "
	    "the 4 bytes a message can hold,", NULL, 2, 0);
	CHECKF("be32, skip, then one cut short", RS_INPUT_BE32, 1, "\n", 4,
	    L5 "abcde" L2 "x", "!record 1 is 5 bytes, longer than the 4 "
	    "bytes a message can hold,", "record 2: the input ends 1 bytes "
	    "into a 2-byte record", 1, 0);
}

/* RS_INPUT_WHOLE: each file is one record. */
static void
test_whole(void)
{
	CHECKF("whole", RS_INPUT_WHOLE, 0, "\n", 4, "a\nb", "3:a\nb,", NULL,
	    1, 0);
	CHECKF("whole, an empty file", RS_INPUT_WHOLE, 0, "\n", 4, "", "0:,",
	    NULL, 1, 0);
	CHECKF("whole, files", RS_INPUT_WHOLE, 0, "\n", 4, "ab" "abcd" "a\nb",
	    "2:ab,0:,4:abcd,3:a\nb,", NULL, 4, 2, 2, 6, 0);
	CHECKF("whole, over", RS_INPUT_WHOLE, 0, "\n", 4, "ab" "abcde",
	    "2:ab,", OVER4("2"), 1, 2, 0);
	CHECKF("whole, skip", RS_INPUT_WHOLE, 1, "\n", 4, "ab" "abcdefgh" "xyz",
	    "2:ab,!" OVER4("2") ",3:xyz,", NULL, 3, 2, 10, 0);
	CHECKF("whole, skip the last file", RS_INPUT_WHOLE, 1, "\n", 4,
	    "abcdefgh", "!" OVER4("1") ",", NULL, 1, 0);
	CHECKF("whole, skip, then an empty file", RS_INPUT_WHOLE, 1, "\n", 4,
	    "abcdefgh", "!" OVER4("1") ",0:,", NULL, 2, 8, 0);
}

/* Records numbered across files; none spans two. */
static void
test_files(void)
{
	struct spec	 sp = { "\n", 1, 16, RS_INPUT_DELIM, 0, NULL, 0, NULL, 0 };
	struct rs_input	 in;
	struct out	 o;
	const uint8_t	*rec;
	size_t		 n;

	memset(&o, 0, sizeof o);
	if (rs_input_init(&in, "\n", 1, 16) == -1)
		abort();
	rs_input_skip(&in);
	is_uint(in.recno, 0, "rs_input_skip() without an oversize record: "
	    "nothing");
	feed(&sp, &in, "a\nb", 3, &o);
	is_str(o.recs, "1:a,", "file 1: \"a\" before its end");
	rs_input_end(&in);
	drain(&sp, &in, &o);
	is_str(o.recs, "1:a,1:b,", "file 1: \"b\" at its end");
	is_uint(in.recno, 2, "2 records so far");
	rs_input_next_file(&in);
	feed(&sp, &in, "c\nd\n", 4, &o);
	rs_input_end(&in);
	drain(&sp, &in, &o);
	is_str(o.recs, "1:a,1:b,1:c,1:d,", "file 2: \"c\", \"d\", nothing more");
	rs_input_next_file(&in);
	rs_input_end(&in);
	drain(&sp, &in, &o);
	is_int(o.n, 4, "an empty file 3 gives no record");
	rs_input_next_file(&in);
	feed(&sp, &in, "e", 1, &o);
	rs_input_next_file(&in);	/* not ended: e and f join */
	rs_input_end(&in);
	drain(&sp, &in, &o);
	is_str(o.recs, "1:a,1:b,1:c,1:d,1:e,", "file 4: \"e\"");
	rs_input_next_file(&in);
	feed(&sp, &in, "0123456789abcdefXYZ\n", 20, &o);
	ok(o.err, "file 5: a record of 19 bytes over 16 fails");
	is_str(o.errstr, "record 6 is longer than the 16 bytes a message can "
	    "hold", "and names record 6 (counted across files)");
	is_int(rs_input_next(&in, &rec, &n), -1, "until skipped, it fails again");
	is_str(in.errstr, "record 6 is longer than the 16 bytes a message can "
	    "hold", "with the same message");
	rs_input_skip(&in);
	is_uint(in.recno, 6, "skipped, its number is used");
	is_int(rs_input_next(&in, &rec, &n), 0, "then no record until more input");
	rs_input_free(&in);
}

/* Two files fed chunk bytes at a time, skipping oversize records. */
static void
big(const char *what, enum rs_input_framing framing, size_t max,
    const char *s1, size_t n1, const char *s2, size_t n2, size_t chunk,
    const char *want)
{
	struct spec	 sp = { "\n", 1, max, framing, 1, NULL, 0, NULL, 0 };
	struct rs_input	 in;
	struct out	 o;

	memset(&o, 0, sizeof o);
	if (rs_input_init(&in, "\n", 1, max) == -1)
		abort();
	rs_input_set_framing(&in, framing);
	feed_chunked(&sp, &in, s1, n1, chunk, &o);
	rs_input_end(&in);
	drain(&sp, &in, &o);
	rs_input_next_file(&in);
	feed_chunked(&sp, &in, s2, n2, chunk, &o);
	rs_input_end(&in);
	drain(&sp, &in, &o);
	if (!ok(!o.err && strcmp(o.recs, want) == 0 && in.recno == 3 -
	    (framing == RS_INPUT_WHOLE), "%s, %zu bytes at a time", what,
	    chunk))
		diag("got %s (%s), %llu records", o.recs, o.errstr,
		    (unsigned long long)in.recno);
	rs_input_free(&in);
}

/*
 * Records larger than a read block (256 KiB): exactly max_record is fine,
 * one more fails, and skipped ones go however their bytes arrive.
 */
static void
test_big(void)
{
	struct spec	 sp = { "\n", 1, 300000, RS_INPUT_DELIM, 0, NULL, 0,
	    NULL, 0 };
	struct out	 o;
	char		*s;
	size_t		 max = 300000, n = 700000, chunks[] = { 1000, 65536,
	    SIZE_MAX }, i;

	if ((s = malloc(n + 16)) == NULL)
		abort();
	memset(s, 'r', max + 1);
	s[max] = '\n';
	sp.s = s;
	sp.n = max + 1;
	run(&sp, NULL, 0, &o);
	ok(!o.err && strcmp(o.recs, "300000:r...r,") == 0,
	    "a record of exactly 300000 bytes (max_record) is fine");
	s[max] = 'r';
	s[max + 1] = '\n';
	sp.n = max + 2;
	run(&sp, NULL, 0, &o);
	ok(o.err && o.n == 0 && strcmp(o.errstr, "record 1 is longer than "
	    "the 300000 bytes a message can hold") == 0,
	    "one of 300001 is record 1 over: %s", o.errstr);

	for (i = 0; i < sizeof chunks / sizeof chunks[0]; i++) {
		/* 700000 bytes, a newline, "ok"; then a file "ok" */
		memset(s, 'r', n);
		memcpy(s + n, "\nok", 3);
		big("delimited, 700000 bytes skipped", RS_INPUT_DELIM, max, s,
		    n + 3, "ok", 2, chunks[i], "!record 1 is longer than the "
		    "300000 bytes a message can hold,2:ok,2:ok,");
		/* a 700000-byte length, its bytes, a record "ok"; then another */
		memcpy(s, "\0\x0a\xae\x60", 4);
		memset(s + 4, 'b', n);
		memcpy(s + 4 + n, L2 "ok", 6);
		big("be32, 700000 bytes skipped", RS_INPUT_BE32, max, s, n + 10,
		    L2 "ok", 6, chunks[i], "!record 1 is 700000 bytes, longer "
		    "than the 300000 bytes a message can hold,2:ok,2:ok,");
		/* a file of 700000 bytes, then a file "ok" */
		memset(s, 'w', n);
		big("whole, a 700000-byte file skipped", RS_INPUT_WHOLE, max, s,
		    n, "ok", 2, chunks[i], "!record 1 is longer than the 300000 "
		    "bytes a message can hold,2:ok,");
	}
	free(s);
}

/*
 * rs_input_init_read(): a caller that reads 3 bytes at a time gets a
 * buffer of max_record + 4 + 2 reads, and the framer moves the unframed
 * bytes to its front as it fills: 40 records of 1 to 8 bytes (max 8) come
 * out whole, one of 9 still fails, and skipped, framing goes on.
 */
static void
test_small_read(void)
{
	struct spec	 sp = { "\n", 1, 8, RS_INPUT_DELIM, 1, NULL, 0, NULL, 0 };
	struct rs_input	 in;
	struct out	 o;
	char		 s[512], want[1024];
	size_t		 n = 0, w = 0, i, k;

	for (i = 0; i < 40; i++) {
		k = i % 8 + 1;
		memset(s + n, 'a' + (int)(i % 26), k);
		s[n + k] = '\n';
		n += k + 1;
		w += (size_t)snprintf(want + w, sizeof want - w, "%zu:%.*s,", k,
		    (int)k, s + n - k - 1);
	}
	memcpy(s + n, "123456789\nz\n", 12);
	n += 12;
	snprintf(want + w, sizeof want - w, "!record 41 is longer than the 8 "
	    "bytes a message can hold,1:z,");
	memset(&o, 0, sizeof o);
	if (rs_input_init_read(&in, "\n", 1, 8, 3) == -1)
		abort();
	is_uint(in.cap, 8 + 4 + 2 * 3, "a buffer of 8 + 4 + 2 * 3 bytes");
	feed_chunked(&sp, &in, s, n, 3, &o);
	rs_input_end(&in);
	drain(&sp, &in, &o);
	if (!is_str(o.recs, want, "42 records through it, 3 bytes at a time"))
		diag("errstr %s", o.errstr);
	rs_input_free(&in);
}

int
main(void)
{
	test_lines();
	test_multibyte();
	test_oversize();
	test_delim_skip();
	test_be32();
	test_be32_skip();
	test_whole();
	test_files();
	test_big();
	test_small_read();
	return done_testing();
}
