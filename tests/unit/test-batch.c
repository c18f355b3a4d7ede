/*
 * test-batch.c: sub-entry batches (src/batch.c) and the Publish frames that
 * carry them (src/outbox.c).
 *
 * Batches: the exact bytes of an uncompressed batch worked out by hand from
 * the layout in batch.h (80, count u16, two u32 lengths, then each record
 * u32-length-prefixed); the count and room limits at their edges; for each
 * codec this build has, a batch of log lines whose header is right, whose
 * body starts with the codec's own magic (gzip 1f 8b, the snappy framing
 * format's stream identifier, the LZ4 frame magic 04 22 4d 18, the zstd
 * frame magic 28 b5 2f fd), fits its bound, and inflates back
 * (rs_codec_decompress) to the records.
 *
 * Frames: an outbox is filled with random messages at random frame maxes,
 * batch sizes and codecs, and its frames are taken apart again as the
 * broker would: every frame within the frame max and well formed, every
 * publishing id the number of the last record of its message, each record
 * back in order, byte for byte; then acknowledging from the front drops
 * whole frames only once written, and a walk gives the entries still kept.
 *
 * Acknowledgements (src/acks.c): a batch's confirm acknowledges its
 * records and no others, skipped records inside it included, stray and
 * duplicate ids are ignored, and the window wraps round.
 */
#include "config.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "acks.h"
#include "batch.h"
#include "codec.h"
#include "frame.h"
#include "outbox.h"
#include "proto.h"
#include "tap.h"
#include "wire.h"

static const char *const lines[] = {
	"Dec  7 01:02:03 web1 sshd[1234]: Accepted publickey for deploy",
	"Dec  7 01:02:03 web1 nginx[99]: GET /api/v1/items/17 HTTP/1.1 200",
	"",
	"Dec  7 01:02:04 web2 cron[7]: session 42 opened for user u3",
};

/* The records of an uncompressed batch body: -1 if it does not split exactly into n. */
static int
split(const uint8_t *p, size_t len, uint32_t n, const uint8_t **rec,
    size_t *rlen)
{
	size_t		 pos = 0;
	uint32_t	 i, k;

	for (i = 0; i < n; i++) {
		if (len - pos < 4)
			return -1;
		k = rs_wire_r32(p + pos);
		if (k > len - pos - 4)
			return -1;
		rec[i] = p + pos + 4;
		rlen[i] = k;
		pos += 4 + k;
	}
	return pos == len ? 0 : -1;
}

static void
test_none(void)
{
	static const uint8_t want[] = {
		0x80, 0x00, 0x02, 0x00, 0x00, 0x00, 0x0d, 0x00, 0x00, 0x00, 0x0d,
		0x00, 0x00, 0x00, 0x03, 'h', 'i', '!',
		0x00, 0x00, 0x00, 0x02, 'y', 'o',
	};
	struct rs_batch	 b;
	struct rs_buf	 out;

	rs_buf_init(&out);
	rs_buf_put(&out, "xyz", 3);	/* the batch goes after what is there */
	ok(rs_batch_init(&b, RS_CODEC_NONE, 100) == 0, "none: init");
	rs_batch_begin(&b, &out);
	is_uint(b.start, 3, "none: the batch starts at the end of out");
	ok(rs_batch_fits(&b, 3, RS_BATCH_HEADER + 7), "none: a 3-byte record fits 18 bytes exactly");
	ok(!rs_batch_fits(&b, 3, RS_BATCH_HEADER + 6), "none: not 17");
	rs_batch_add(&b, (const uint8_t *)"h", 1, (const uint8_t *)"i!", 2);
	rs_batch_add(&b, (const uint8_t *)"", 0, (const uint8_t *)"yo", 2);
	ok(rs_batch_end(&b) == 0, "none: end");
	is_mem(out.data + 3, out.len - 3, want, sizeof want,
	    "none: header (80, 2 records, 13 and 13 bytes) and the records");
	is_mem(out.data, 3, "xyz", 3, "none: what was in out is untouched");
	is_uint(rs_batch_entry_max(&b, 13), RS_BATCH_HEADER + 13,
	    "none: the most an entry of 13 bytes of records takes");
	rs_batch_free(&b);

	/* The record count limit. */
	ok(rs_batch_init(&b, RS_CODEC_NONE, 2) == 0, "count: init");
	out.len = 0;
	rs_batch_begin(&b, &out);
	ok(rs_batch_fits(&b, 0, 1000), "count: first fits");
	rs_batch_add(&b, NULL, 0, NULL, 0);
	ok(rs_batch_fits(&b, 0, 1000), "count: second fits");
	rs_batch_add(&b, NULL, 0, NULL, 0);
	ok(!rs_batch_fits(&b, 0, 1000), "count: not a third of 2");
	ok(rs_batch_end(&b) == 0 && out.len == RS_BATCH_HEADER + 8 &&
	    rs_wire_r16(out.data + 1) == 2, "count: two empty records");
	rs_batch_free(&b);
	ok(rs_batch_init(&b, RS_CODEC_NONE, 70000) == 0 &&
	    b.max_count == RS_BATCH_MAX, "count: at most 65535 (a u16)");
	rs_batch_free(&b);
	rs_buf_free(&out);
}

static const uint8_t *
magic(enum rs_codec c, size_t *n)
{
	static const uint8_t	 gz[] = { 0x1f, 0x8b };
	static const uint8_t	 sn[] = { 0xff, 0x06, 0x00, 0x00, 's', 'N', 'a',
				    'P', 'p', 'Y' };
	static const uint8_t	 l4[] = { 0x04, 0x22, 0x4d, 0x18 };
	static const uint8_t	 zs[] = { 0x28, 0xb5, 0x2f, 0xfd };

	switch (c) {
	case RS_CODEC_GZIP:	*n = sizeof gz; return gz;
	case RS_CODEC_SNAPPY:	*n = sizeof sn; return sn;
	case RS_CODEC_LZ4:	*n = sizeof l4; return l4;
	case RS_CODEC_ZSTD:	*n = sizeof zs; return zs;
	default:		*n = 0; return NULL;
	}
}

static void
test_codecs(void)
{
	struct rs_codec_ctx	*dx = rs_codec_ctx_new();
	struct rs_batch		 b;
	struct rs_buf		 out;
	const uint8_t		*m, *rec[400];
	size_t			 mlen, rlen[400], clen, ulen, i, n = 400;
	uint8_t			*raw;
	char			 err[200];
	int			 c, good;

	for (c = RS_CODEC_GZIP; c <= RS_CODEC_MAX; c++) {
		if (!rs_codec_available((enum rs_codec)c)) {
			ok(1, "%s: not in this build", rs_codec_name(c));
			continue;
		}
		rs_buf_init(&out);
		ok(rs_batch_init(&b, (enum rs_codec)c, 1000) == 0, "%s: init",
		    rs_codec_name(c));
		rs_batch_begin(&b, &out);
		for (i = 0; i < n; i++) {
			const char *l = lines[i % 4];

			if (!rs_batch_fits(&b, strlen(l) + 2, 1u << 20))
				break;
			rs_batch_add(&b, (const uint8_t *)"\x00\x53", i % 3 ? 2 : 0,
			    (const uint8_t *)l, strlen(l));
		}
		is_uint(i, n, "%s: %zu records fit", rs_codec_name(c), n);
		ulen = b.ulen;
		ok(rs_batch_end(&b) == 0, "%s: end", rs_codec_name(c));
		is_uint(out.data[0], 0x80 | c << 4, "%s: type byte", rs_codec_name(c));
		is_uint(rs_wire_r16(out.data + 1), n, "%s: count", rs_codec_name(c));
		is_uint(rs_wire_r32(out.data + 3), ulen, "%s: uncompressed length",
		    rs_codec_name(c));
		clen = rs_wire_r32(out.data + 7);
		is_uint(out.len, RS_BATCH_HEADER + clen, "%s: data length",
		    rs_codec_name(c));
		ok(clen <= rs_codec_bound((enum rs_codec)c, ulen) && clen < ulen / 3,
		    "%s: %zu bytes of log lines in %zu", rs_codec_name(c), ulen, clen);
		m = magic((enum rs_codec)c, &mlen);
		is_mem(out.data + RS_BATCH_HEADER, mlen, m, mlen, "%s: magic",
		    rs_codec_name(c));
		raw = malloc(ulen);
		ok(rs_codec_decompress(dx, (enum rs_codec)c, out.data +
		    RS_BATCH_HEADER, clen, raw, ulen, err, sizeof err) == 0,
		    "%s: inflates (%s)", rs_codec_name(c), err);
		good = split(raw, ulen, (uint32_t)n, rec, rlen) == 0;
		for (i = 0; good && i < n; i++) {
			const char *l = lines[i % 4];
			size_t h = i % 3 ? 2 : 0;

			good = rlen[i] == h + strlen(l) &&
			    memcmp(rec[i], "\x00\x53", h) == 0 &&
			    memcmp(rec[i] + h, l, strlen(l)) == 0;
		}
		ok(good, "%s: every record back", rs_codec_name(c));
		free(raw);

		/* A batch bounded by room takes the codec's worst case. */
		out.len = 0;
		rs_batch_begin(&b, &out);
		ok(!rs_batch_fits(&b, 1000, rs_batch_entry_max(&b, 1003)),
		    "%s: room for the worst case or nothing", rs_codec_name(c));
		ok(rs_batch_fits(&b, 1000, rs_batch_entry_max(&b, 1004)),
		    "%s: exactly the worst case fits", rs_codec_name(c));
		rs_batch_free(&b);
		rs_buf_free(&out);
	}
	rs_codec_ctx_free(dx);
}

/* A tiny reproducible random number generator. */
static uint32_t
rnd(void)
{
	static uint64_t	 s = 0x9e3779b97f4a7c15ull;

	s ^= s << 13;
	s ^= s >> 7;
	s ^= s << 17;
	return (uint32_t)(s >> 16);
}

#define NREC	3000

struct rec {
	uint8_t	*p;
	size_t	 h, n;
};

/*
 * Take the whole frames of ob apart as the broker would; the records in
 * order into got (each a copy), the ids of the messages in ids. -1 with a
 * diagnostic if anything is off.
 */
static int
unframe(const struct rs_outbox *ob, struct rs_codec_ctx *dx, uint8_t **got,
    size_t *glen, size_t *ngot, uint64_t *ids, size_t *nids, int *batches,
    int *simple)
{
	const uint8_t	*d = ob->q.buf.data, *e, *rec[RS_BATCH_MAX];
	size_t		 pos = 0, fsize, fend, rlen[RS_BATCH_MAX];
	uint32_t	 count, i, cnt, ul, cl, j;
	uint8_t		*raw;
	char		 err[200];

	while (pos < ob->q.ready) {
		fsize = rs_wire_r32(d + pos);
		if (4 + fsize > ob->frame_max || rs_wire_r16(d + pos + 4) !=
		    RS_PUBLISH || rs_wire_r16(d + pos + 6) != 1 ||
		    d[pos + 8] != 7) {
			diag("bad frame at %zu (size %zu)", pos, fsize);
			return -1;
		}
		fend = pos + 4 + fsize;
		count = rs_wire_r32(d + pos + 9);
		pos += RS_PUBLISH_HEADER;
		for (i = 0; i < count; i++) {
			ids[(*nids)++] = rs_wire_r64(d + pos);
			e = d + pos + 8;
			if (!(e[0] & 0x80)) {
				glen[*ngot] = rs_wire_r32(e);
				got[*ngot] = malloc(glen[*ngot] + 1);
				memcpy(got[*ngot], e + 4, glen[*ngot]);
				(*ngot)++;
				pos += 12 + rs_wire_r32(e);
				(*simple)++;
				continue;
			}
			cnt = rs_wire_r16(e + 1);
			ul = rs_wire_r32(e + 3);
			cl = rs_wire_r32(e + 7);
			if (cnt == 0 || cnt > ob->sub_entry ||
			    (e[0] >> 4 & 7) != ob->batch.codec) {
				diag("bad batch header %02x %u", e[0], cnt);
				return -1;
			}
			raw = malloc(ul + 1);
			if (rs_codec_decompress(dx, (enum rs_codec)(e[0] >> 4 & 7),
			    e + 11, cl, raw, ul, err, sizeof err) == -1 ||
			    split(raw, ul, cnt, rec, rlen) == -1) {
				diag("batch does not inflate: %s", err);
				free(raw);
				return -1;
			}
			for (j = 0; j < cnt; j++) {
				glen[*ngot] = rlen[j];
				got[*ngot] = malloc(rlen[j] + 1);
				memcpy(got[*ngot], rec[j], rlen[j]);
				(*ngot)++;
			}
			free(raw);
			pos += 8 + 11 + cl;
			(*batches)++;
		}
		if (pos != fend) {
			diag("frame ends at %zu, its entries at %zu", fend, pos);
			return -1;
		}
	}
	return 0;
}

/* rs_outbox_resend()'s question: send id again? Those above *ud. */
static int
above(void *ud, uint64_t id)
{
	return id > *(uint64_t *)ud;
}

static void
test_outbox(void)
{
	static struct rec	 recs[NREC];
	static uint8_t		*got[2 * NREC];
	static size_t		 glen[2 * NREC];
	static uint64_t		 ids[2 * NREC], last_of[NREC + 1];
	struct rs_codec_ctx	*dx = rs_codec_ctx_new();
	struct rs_outbox	 ob;
	struct rs_outbox_walk	 w;
	const uint8_t		*e;
	size_t			 i, j, ngot, nids, len, alone;
	uint64_t		 id, want;
	uint32_t		 frame_max, sub;
	int			 round, c, rc, batches, simple, good, nmsg;

	for (round = 0; round < 40; round++) {
		c = round % (RS_CODEC_MAX + 1);
		if (!rs_codec_available((enum rs_codec)c))
			c = RS_CODEC_NONE;
		frame_max = 200 + rnd() % (round % 4 == 0 ? 100000 : 3000);
		sub = round % 5 == 0 ? 1 : 1 + rnd() % (round % 2 ? 8 : 300);
		if (rs_outbox_init(&ob, frame_max, 7, (enum rs_codec)c, sub, 0) == -1) {
			ok(0, "init: %s", ob.errstr);
			continue;
		}
		alone = rs_outbox_alone_max(&ob);
		ngot = nids = 0;
		batches = simple = nmsg = 0;
		good = 1;
		for (i = 0; i < NREC; i++) {
			size_t n = rnd() % 7 == 0 ? rnd() % (alone + 1) :
			    rnd() % 40;

			recs[i].h = n > 3 && rnd() % 2 ? 3 : 0;
			recs[i].n = n - recs[i].h;
			recs[i].p = malloc(n + 1);
			for (j = 0; j < n; j++)
				recs[i].p[j] = (uint8_t)(rnd() % 4 ? 'a' + j % 26 : rnd());
			rc = rs_outbox_add(&ob, i + 1, recs[i].p, recs[i].h,
			    recs[i].p + recs[i].h, recs[i].n);
			if (rc == -1) {
				good = 0;
				diag("add: %s", ob.errstr);
				break;
			}
			if (rc == 1 && i > 0)
				last_of[nmsg++] = i;	/* the message before ended at record i */
			if (rnd() % 97 == 0 && rs_outbox_close(&ob) == -1)
				good = 0;
		}
		last_of[nmsg++] = NREC;
		if (rs_outbox_close(&ob) == -1)
			good = 0;
		ok(good, "round %d (%s, frame max %u, batches of %u): framed",
		    round, rs_codec_name(c), frame_max, sub);
		ok(ob.q.ready == ob.q.buf.len, "round %d: all ready", round);
		rc = unframe(&ob, dx, got, glen, &ngot, ids, &nids, &batches,
		    &simple);
		ok(rc == 0, "round %d: frames well formed (%d batches, "
		    "%d simple entries)", round, batches, simple);
		good = ngot == NREC;
		for (i = 0; good && i < NREC; i++)
			good = glen[i] == recs[i].h + recs[i].n &&
			    memcmp(got[i], recs[i].p, glen[i]) == 0;
		ok(good, "round %d: %zu records back in order", round, ngot);
		good = nids == (size_t)nmsg;
		for (i = 0; good && i < nids; i++)
			good = ids[i] == last_of[i];
		ok(good, "round %d: %zu messages, each with its last record's id",
		    round, nids);
		if (sub == 1)
			ok(batches == 0, "round %d: no batches of 1", round);
		else
			ok(simple == 0 || alone > 100, "round %d: simple entries "
			    "only for records too large for a batch", round);

		/* Sent again: the messages after the middle one, whole. */
		want = ids[nids / 2];
		{
			struct rs_outbox	 again = ob;
			size_t			 n2 = 0, ni2 = 0, from;
			int			 b2 = 0, s2 = 0;

			rs_buf_init(&again.q.buf);
			is_uint(rs_outbox_resend(&ob, &again.q.buf, above, &want),
			    NREC - want, "round %d: %llu records sent again",
			    round, (unsigned long long)(NREC - want));
			ok(ob.q.sent == ob.q.ready, "round %d: and the rest "
			    "counts as sent", round);
			ob.q.sent = 0;
			again.q.ready = again.q.buf.len;
			rc = unframe(&again, dx, got + ngot, glen + ngot, &n2,
			    ids + nids, &ni2, &b2, &s2);
			good = rc == 0 && n2 == NREC - want;
			from = want;
			for (i = 0; good && i < n2; i++)
				good = glen[ngot + i] == recs[from + i].h +
				    recs[from + i].n && memcmp(got[ngot + i],
				    recs[from + i].p, glen[ngot + i]) == 0;
			ok(good, "round %d: in frames, in order, as they were",
			    round);
			for (i = 0; i < n2; i++)
				free(got[ngot + i]);
			rs_buf_free(&again.q.buf);
		}

		/* Acknowledge half: nothing goes before it is written. */
		rs_outbox_drop(&ob, want);
		ok(rs_outbox_kept(&ob) == ob.q.buf.len, "round %d: nothing "
		    "written, nothing dropped", round);
		ob.q.sent = ob.q.ready;
		rs_outbox_drop(&ob, want);
		rs_outbox_walk_init(&ob, &w);
		good = rs_outbox_walk(&ob, &w, &id, &e, &len) == 1 && id <= want;
		j = 1;
		while (good && rs_outbox_walk(&ob, &w, &id, &e, &len) == 1)
			j++;
		ok(good && id == NREC && j >= nids - nids / 2,
		    "round %d: the frames kept begin at or before id %llu and "
		    "end at the last", round, (unsigned long long)want);
		rs_outbox_drop(&ob, NREC + 1);
		ok(rs_outbox_kept(&ob) == 0 && ob.q.buf.len == 0 &&
		    ob.q.sent == 0, "round %d: all acknowledged, all gone", round);
		for (i = 0; i < NREC; i++)
			free(recs[i].p);
		for (i = 0; i < ngot; i++)
			free(got[i]);
		rs_outbox_free(&ob);
	}
	rs_codec_ctx_free(dx);
}

static void
test_acks(void)
{
	struct rs_acks	 a;
	uint64_t	 first = 0, r, top = 0;
	int		 good;

	ok(rs_acks_init(&a, 8) == 0, "acks: init");
	/* Records 1-3 one message, 4 skipped, 5-6 a message, 7 alone. */
	rs_acks_framed(&a, 1, 1);
	rs_acks_framed(&a, 2, 0);
	rs_acks_framed(&a, 3, 0);
	rs_acks_framed(&a, 5, 1);
	rs_acks_framed(&a, 6, 0);
	rs_acks_framed(&a, 7, 1);
	top = 7;
	ok(rs_acks_one(&a, 4, top) == 0, "acks: 4 skipped");
	is_uint(a.base, 1, "acks: base stays at 1");
	is_uint(rs_acks_message(&a, 8, top, &first), 0, "acks: 8 is not taken");
	is_uint(rs_acks_message(&a, 0, top, &first), 0, "acks: 0 is no record");
	is_uint(rs_acks_message(&a, 6, top, &first), 2, "acks: 5-6 confirmed");
	is_uint(first, 5, "acks: from 5");
	is_uint(a.base, 1, "acks: base still 1");
	is_uint(rs_acks_message(&a, 6, top, &first), 0, "acks: 6 again is a duplicate");
	ok(rs_acks_pending(&a, 3, top) && !rs_acks_pending(&a, 5, top),
	    "acks: 3 pending, 5 not");
	is_uint(rs_acks_message(&a, 3, top, &first), 3, "acks: 1-3 confirmed");
	is_uint(first, 1, "acks: from 1");
	is_uint(a.base, 7, "acks: base moves over 1-6");
	ok(rs_acks_one(&a, 4, top) == -1, "acks: 4 is not in flight any more");
	/* A batch with a skipped record inside: 8, (9 skipped), 10. */
	rs_acks_framed(&a, 8, 1);
	top = 9;
	rs_acks_one(&a, 9, top);
	top = 10;
	rs_acks_framed(&a, 10, 0);
	is_uint(rs_acks_message(&a, 10, top, &first), 2, "acks: 8 and 10 confirmed, 9 was skipped");
	is_uint(a.base, 7, "acks: 7 still holds base");
	is_uint(rs_acks_message(&a, 7, top, &first), 1, "acks: 7 alone");
	is_uint(a.base, 11, "acks: everything acknowledged");
	/* Round and round an 8-slot window, batches of 3. */
	good = 1;
	for (r = 11; r < 1000 && good; r += 3) {
		top = r + 2;
		rs_acks_framed(&a, r, 1);
		rs_acks_framed(&a, r + 1, 0);
		rs_acks_framed(&a, r + 2, 0);
		good = rs_acks_message(&a, r + 2, top, &first) == 3 &&
		    first == r && a.base == r + 3;
	}
	ok(good, "acks: the window wraps round");
	rs_acks_free(&a);
}

int
main(void)
{
	test_acks();
	test_none();
	test_codecs();
	test_outbox();
	return done_testing();
}
