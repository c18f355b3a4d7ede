/*
 * test-reader.c: the incremental framer (src/reader.c). A fixed sequence of
 * five frames (a Tune, a response, a Deliver larger than max_frame but under
 * max_deliver, a Heartbeat and a Close) is fed whole, byte by byte, through
 * rs_reader_space()/rs_reader_commit() in small pieces, split once at every
 * point and split twice at every pair of points: the same frames must come
 * out each time. Then the errors: a size below 4, a size over the cap (for
 * Deliver and for other keys, at and just past the boundary), checked on
 * the first six bytes before any buffer grows; and the stickiness of every
 * error.
 */
#include "config.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "reader.h"
#include "tap.h"

#define MAX_FRAME	64
#define MAX_DELIVER	4096
#define NFRAMES		5

/* The input: five frames, written out by hand, and where each one is. */
static uint8_t	 input[1024];
static size_t	 input_len;
static size_t	 frame_off[NFRAMES];	/* of the bytes after the size */
static size_t	 frame_len[NFRAMES];

/* Append a frame of key and version with a body of n bytes of fill. */
static void
add_frame(int i, uint16_t key, uint16_t version, const uint8_t *body, size_t n)
{
	size_t	 size = 4 + n;
	uint8_t	*p = input + input_len;

	p[0] = (uint8_t)(size >> 24);
	p[1] = (uint8_t)(size >> 16);
	p[2] = (uint8_t)(size >> 8);
	p[3] = (uint8_t)size;
	p[4] = (uint8_t)(key >> 8);
	p[5] = (uint8_t)key;
	p[6] = (uint8_t)(version >> 8);
	p[7] = (uint8_t)version;
	if (n > 0)
		memcpy(p + 8, body, n);
	frame_off[i] = input_len + 4;
	frame_len[i] = size;
	input_len += 4 + size;
}

static void
make_input(void)
{
	static const uint8_t	 tune[] = {
		0x00, 0x10, 0x00, 0x00, 0x00, 0x00, 0x00, 0x3c
	};
	static const uint8_t	 resp[] = {
		0x00, 0x00, 0x00, 0x01, 0x00, 0x01
	};
	static const uint8_t	 close[] = {
		0x00, 0x00, 0x00, 0x02, 0x00, 0x0d, 0x00, 0x03, 'b', 'y', 'e'
	};
	uint8_t	 deliver[300];
	size_t	 i;

	for (i = 0; i < sizeof deliver; i++)
		deliver[i] = (uint8_t)(i * 7 + 1);
	add_frame(0, 0x0014, 1, tune, sizeof tune);
	add_frame(1, 0x8015, 1, resp, sizeof resp);
	add_frame(2, 0x0008, 1, deliver, sizeof deliver);
	add_frame(3, 0x0017, 1, NULL, 0);
	add_frame(4, 0x0016, 1, close, sizeof close);
}

/*
 * Take every frame ready now; each must be the next expected one. Returns
 * -1 on any mismatch or error, else the number of frames seen so far.
 */
static int
drain(struct rs_reader *r, int seen)
{
	const uint8_t	*f;
	size_t		 n;
	int		 rc;

	while ((rc = rs_reader_next(r, &f, &n)) == 1) {
		if (seen >= NFRAMES || n != frame_len[seen] ||
		    memcmp(f, input + frame_off[seen], n) != 0)
			return -1;
		seen++;
	}
	return rc == 0 ? seen : -1;
}

/* Feed input in the pieces cut at cuts[0..ncuts); 0 if all frames came out. */
static int
run_split(const size_t *cuts, int ncuts)
{
	struct rs_reader	 r;
	size_t			 from = 0, to;
	int			 i, seen = 0;

	rs_reader_init(&r, MAX_FRAME, MAX_DELIVER);
	for (i = 0; i <= ncuts && seen >= 0; i++) {
		to = (i < ncuts) ? cuts[i] : input_len;
		if (rs_reader_feed(&r, input + from, to - from) == -1)
			seen = -1;
		else
			seen = drain(&r, seen);
		from = to;
	}
	rs_reader_free(&r);
	return seen == NFRAMES ? 0 : -1;
}

static void
test_whole(void)
{
	struct rs_reader	 r;
	const uint8_t		*f;
	uint8_t			*p;
	size_t			 n, avail;
	int			 i, rc;

	ok(frame_len[2] > MAX_FRAME && frame_len[2] < MAX_DELIVER,
	    "the Deliver frame is over max_frame, under max_deliver");
	rs_reader_init(&r, MAX_FRAME, MAX_DELIVER);
	is_int(rs_reader_next(&r, &f, &n), 0, "an empty reader needs more");
	is_int(rs_reader_feed(&r, input, 0), 0, "feeding it nothing is fine");
	is_int(rs_reader_feed(&r, NULL, 0), 0, "even from NULL");
	ok(rs_reader_space(&r, 0, &p, &avail) == 0 && p != NULL && avail > 0,
	    "asking for no space still gives some");
	is_int(rs_reader_feed(&r, input, input_len), 0, "feed all at once");
	for (i = 0; i < NFRAMES; i++) {
		rc = rs_reader_next(&r, &f, &n);
		is_int(rc, 1, "frame %d out", i);
		if (rc == 1)
			is_mem(f, n, input + frame_off[i], frame_len[i],
			    "frame %d is the bytes after its size", i);
	}
	is_int(rs_reader_next(&r, &f, &n), 0, "then nothing more");
	is_int(rs_reader_next(&r, &f, &n), 0, "and still nothing");
	rs_reader_free(&r);
}

static void
test_splits(void)
{
	struct rs_reader	 r;
	size_t			 cuts[2], i, j, bad;
	int			 seen = 0;

	rs_reader_init(&r, MAX_FRAME, MAX_DELIVER);
	for (i = 0; i < input_len && seen >= 0; i++) {
		if (rs_reader_feed(&r, input + i, 1) == -1)
			seen = -1;
		else
			seen = drain(&r, seen);
	}
	is_int(seen, NFRAMES, "byte by byte: every frame, in order");
	rs_reader_free(&r);

	bad = 0;
	for (i = 0; i <= input_len; i++) {
		cuts[0] = i;
		if (run_split(cuts, 1) == -1 && bad++ == 0)
			diag("split at %zu fails", i);
	}
	is_uint(bad, 0, "split once at each of %zu points: same frames",
	    input_len + 1);

	bad = 0;
	for (i = 0; i <= input_len; i++) {
		for (j = i; j <= input_len; j++) {
			cuts[0] = i;
			cuts[1] = j;
			if (run_split(cuts, 2) == -1 && bad++ == 0)
				diag("split at %zu and %zu fails", i, j);
		}
	}
	is_uint(bad, 0, "split twice at every pair of points: same frames");
}

/* Read straight into the reader's buffer, step bytes at a time. */
static int
run_space(size_t step)
{
	struct rs_reader	 r;
	uint8_t			*p;
	size_t			 avail, from = 0, n;
	int			 seen = 0;

	rs_reader_init(&r, MAX_FRAME, MAX_DELIVER);
	while (from < input_len && seen >= 0) {
		if (rs_reader_space(&r, step, &p, &avail) == -1 ||
		    avail < step) {
			seen = -1;
			break;
		}
		n = input_len - from < step ? input_len - from : step;
		memcpy(p, input + from, n);
		rs_reader_commit(&r, n);
		from += n;
		seen = drain(&r, seen);
	}
	rs_reader_free(&r);
	return seen;
}

static void
test_space(void)
{
	struct rs_reader	 r;
	static const uint8_t	 hdr[] = { 0x00, 0x01, 0x86, 0xa4, 0x00, 0x08 };
	uint8_t			*p;
	size_t			 avail, step;
	int			 bad = 0;

	for (step = 1; step <= 64; step++)
		if (run_space(step) != NFRAMES && bad++ == 0)
			diag("space/commit in steps of %zu fails", step);
	is_int(bad, 0, "space/commit in steps of 1 to 64: same frames");
	is_int(run_space(input_len), NFRAMES, "space/commit all at once");

	/*
	 * A Deliver of 0x186a4 (100004) bytes, bigger than the initial
	 * buffer: once its header is in, space makes room for all of it.
	 */
	rs_reader_init(&r, MAX_FRAME, 1 << 20);
	is_int(rs_reader_feed(&r, hdr, sizeof hdr), 0, "feed a big Deliver header");
	is_int(rs_reader_space(&r, 1, &p, &avail), 0, "ask for space");
	ok(avail >= 100008 - 6, "space covers the whole announced frame (%zu)",
	    avail);
	ok(r.cap >= 100008, "the buffer grew to the frame's size");
	rs_reader_free(&r);
}

/* A size below 4 is an error as soon as the size is in. */
static void
test_small(void)
{
	static const uint8_t	 three[] = { 0x00, 0x00, 0x00, 0x03 };
	static const uint8_t	 four[] = { 0x00, 0x00, 0x00, 0x04, 0x00, 0x17,
	    0x00, 0x01 };
	struct rs_reader	 r;
	const uint8_t		*f;
	size_t			 n;

	rs_reader_init(&r, MAX_FRAME, MAX_DELIVER);
	rs_reader_feed(&r, three, sizeof three);
	is_int(rs_reader_next(&r, &f, &n), -1, "size 3 is an error");
	ok(r.err, "err is set");
	ok(r.errstr[0] != '\0', "with a message: %s", r.errstr);
	ok(strstr(r.errstr, "3") != NULL, "that names the size");
	is_int(rs_reader_next(&r, &f, &n), -1, "next fails again (sticky)");
	is_int(rs_reader_feed(&r, four, sizeof four), -1, "feed fails too");
	rs_reader_free(&r);

	rs_reader_init(&r, MAX_FRAME, MAX_DELIVER);
	rs_reader_feed(&r, four, sizeof four);
	is_int(rs_reader_next(&r, &f, &n), 1, "size 4 (a bare Heartbeat) is fine");
	is_uint(n, 4, "its frame is key and version");
	rs_reader_free(&r);

	rs_reader_init(&r, MAX_FRAME, MAX_DELIVER);
	rs_reader_feed(&r, "\0\0\0\0", 4);
	is_int(rs_reader_next(&r, &f, &n), -1, "size 0 is an error");
	rs_reader_free(&r);
}

/* A size over the cap is refused on the first six bytes, before allocation. */
static void
test_cap(void)
{
	static const uint8_t	 huge[] = { 0xff, 0xff, 0xff, 0xf0, 0x00, 0x08 };
	static const uint8_t	 huge_tune[] = { 0xff, 0xff, 0xff, 0xf0, 0x00,
	    0x14 };
	static const uint8_t	 at_cap[] = { 0x00, 0x00, 0x00, MAX_FRAME, 0x00,
	    0x14 };
	static const uint8_t	 over_cap[] = { 0x00, 0x00, 0x00, MAX_FRAME + 1,
	    0x00, 0x14 };
	static const uint8_t	 dl_at_cap[] = { 0x00, 0x00, 0x10, 0x00, 0x00,
	    0x08 };
	static const uint8_t	 dl_over_cap[] = { 0x00, 0x00, 0x10, 0x01, 0x00,
	    0x08 };
	static const uint8_t	 resp_over[] = { 0x00, 0x00, 0x00, 0x41, 0x80,
	    0x08 };
	struct rs_reader	 r;
	const uint8_t		*f;
	uint8_t			*p;
	size_t			 n, avail, cap;

	rs_reader_init(&r, MAX_FRAME, MAX_DELIVER);
	rs_reader_feed(&r, huge, 4);
	is_int(rs_reader_next(&r, &f, &n), 0,
	    "a huge size alone waits for the key");
	rs_reader_feed(&r, huge + 4, 2);
	cap = r.cap;
	is_int(rs_reader_next(&r, &f, &n), -1,
	    "a Deliver of 0xfffffff0 bytes is refused");
	ok(r.errstr[0] != '\0', "with a message: %s", r.errstr);
	ok(r.cap == cap && r.cap <= 65536, "the buffer did not grow (%zu)",
	    r.cap);
	is_int(rs_reader_space(&r, 1, &p, &avail), -1, "space fails (sticky)");
	is_int(rs_reader_feed(&r, "x", 1), -1, "feed fails (sticky)");
	is_int(rs_reader_next(&r, &f, &n), -1, "next fails (sticky)");
	ok(r.cap == cap, "the buffer still did not grow");
	rs_reader_free(&r);

	/* Through space/commit: space must refuse, not allocate 4 GiB. */
	rs_reader_init(&r, MAX_FRAME, MAX_DELIVER);
	rs_reader_space(&r, 6, &p, &avail);
	memcpy(p, huge_tune, 6);
	rs_reader_commit(&r, 6);
	cap = r.cap;
	is_int(rs_reader_space(&r, 1, &p, &avail), -1,
	    "space refuses a Tune of 0xfffffff0 bytes");
	ok(r.errstr[0] != '\0', "with a message: %s", r.errstr);
	ok(r.cap == cap && r.cap <= 65536, "the buffer did not grow (%zu)",
	    r.cap);
	rs_reader_free(&r);

	rs_reader_init(&r, MAX_FRAME, MAX_DELIVER);
	rs_reader_feed(&r, at_cap, sizeof at_cap);
	is_int(rs_reader_next(&r, &f, &n), 0,
	    "a Tune of exactly max_frame is fine");
	ok(!r.err, "no error");
	rs_reader_free(&r);
	rs_reader_init(&r, MAX_FRAME, MAX_DELIVER);
	rs_reader_feed(&r, over_cap, sizeof over_cap);
	is_int(rs_reader_next(&r, &f, &n), -1,
	    "a Tune of max_frame + 1 is refused");
	rs_reader_free(&r);
	rs_reader_init(&r, MAX_FRAME, MAX_DELIVER);
	rs_reader_feed(&r, resp_over, sizeof resp_over);
	is_int(rs_reader_next(&r, &f, &n), -1,
	    "a response with key 0x8008 gets max_frame, not max_deliver");
	rs_reader_free(&r);
	rs_reader_init(&r, MAX_FRAME, MAX_DELIVER);
	rs_reader_feed(&r, dl_at_cap, sizeof dl_at_cap);
	is_int(rs_reader_next(&r, &f, &n), 0, "a Deliver of max_deliver is fine");
	rs_reader_free(&r);
	rs_reader_init(&r, MAX_FRAME, MAX_DELIVER);
	rs_reader_feed(&r, dl_over_cap, sizeof dl_over_cap);
	is_int(rs_reader_next(&r, &f, &n), -1,
	    "a Deliver of max_deliver + 1 is refused");
	rs_reader_free(&r);

	/* A bad frame after good ones: the good ones come out first. */
	rs_reader_init(&r, MAX_FRAME, MAX_DELIVER);
	rs_reader_feed(&r, input, frame_off[1] - 4);
	rs_reader_feed(&r, over_cap, sizeof over_cap);
	is_int(rs_reader_next(&r, &f, &n), 1, "the frame before a bad one");
	is_int(rs_reader_next(&r, &f, &n), -1, "then the error");
	rs_reader_free(&r);
}

int
main(void)
{
	make_input();
	test_whole();
	test_splits();
	test_space();
	test_small();
	test_cap();
	return done_testing();
}
