/*
 * test-fixtures.c: frames captured from a real RabbitMQ 3.10.8 broker
 * (tests/fixtures/3.10.8, made with tests/python/capture.py). Each file is
 * one frame without its 4-byte size prefix, named SESSION-NN-what.bin:
 *
 *	tail	rstream-tail -o first of a stream with three chunks (four
 *		lines by rstream-cat, two raw records, one AMQP 0-9-1 publish
 *		by pika); it subscribes once for the last chunk, then again
 *		from the first
 *	cat	rstream-cat publishing three lines
 *	nope	Metadata for a stream that does not exist
 *	badpw	a wrong password (SaslAuthenticate code 8)
 *	vhost	a virtual host that does not exist (Open code 0x0c)
 *
 * Each session's frames, size prefixes put back, go through rs_reader whole,
 * one byte at a time, through rs_reader_space()/rs_reader_commit() in reads
 * of 7 bytes as conn.c does, and split in two at every point; the same
 * frames must come out every time (PROTOCOL.adoc "Frame Structure"). Then
 * each frame is decoded with rs_frame_decode() and the decoder for its key,
 * and the values are the ones read off the bytes with xxd: server version
 * 3.10.8, mechanisms PLAIN and AMQPLAIN, Tune 1048576/60, advertised
 * localhost:24690, "fixture-stream" led by the one broker, "nope-stream"
 * code 2, confirms 1..3, and the chunks' offsets, record counts, CRCs and
 * record bodies (through rs_chunk_* and rs_amqp_parse/rs_amqp_body_next).
 *
 * Last, hostile variants: every truncation of every frame, in a buffer of
 * exactly that size so ASan sees any read past it, must never decode as a
 * whole frame, and every single-byte corruption (0x00, 0x7f, 0xff) must
 * decode or fail without a crash.
 */
#include "config.h"

#include <dirent.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "amqp.h"
#include "chunk.h"
#include "frame.h"
#include "proto.h"
#include "reader.h"
#include "tap.h"
#include "wire.h"

#define FIXTURES	FIXTURES_DIR "/3.10.8"
#define MAX_FRAMES	32

struct frame {
	char		 name[64];
	uint8_t		*p;
	size_t		 len;
};

struct session {
	const char	*name;
	struct frame	 f[MAX_FRAMES];
	size_t		 n;
	uint8_t		*stream;	/* the frames with their size prefixes */
	size_t		 slen;
};

/* Order frames by file name, that is by their index in the session. */
static int
cmp_name(const void *a, const void *b)
{
	return strcmp(((const struct frame *)a)->name,
	    ((const struct frame *)b)->name);
}

/* Read a whole file into a buffer of exactly its size. */
static uint8_t *
slurp(const char *path, size_t *len)
{
	FILE	*fp;
	uint8_t	*p;
	long	 n;

	if ((fp = fopen(path, "rb")) == NULL)
		return NULL;
	if (fseek(fp, 0, SEEK_END) == -1 || (n = ftell(fp)) <= 0 ||
	    fseek(fp, 0, SEEK_SET) == -1 || (p = malloc((size_t)n)) == NULL) {
		fclose(fp);
		return NULL;
	}
	if (fread(p, 1, (size_t)n, fp) != (size_t)n) {
		free(p);
		fclose(fp);
		return NULL;
	}
	fclose(fp);
	*len = (size_t)n;
	return p;
}

/* Load the frames of one session, in order, and the stream they make. */
static int
load(struct session *s)
{
	struct dirent	*de;
	DIR		*d;
	char		 path[4096];
	size_t		 plen = strlen(s->name), i, off;

	if ((d = opendir(FIXTURES)) == NULL)
		return -1;
	while ((de = readdir(d)) != NULL) {
		if (strncmp(de->d_name, s->name, plen) != 0 ||
		    de->d_name[plen] != '-' || s->n == MAX_FRAMES ||
		    strlen(de->d_name) >= sizeof s->f[0].name)
			continue;
		snprintf(s->f[s->n].name, sizeof s->f[0].name, "%s", de->d_name);
		snprintf(path, sizeof path, "%s/%s", FIXTURES, de->d_name);
		if ((s->f[s->n].p = slurp(path, &s->f[s->n].len)) == NULL) {
			closedir(d);
			return -1;
		}
		s->n++;
	}
	closedir(d);
	qsort(s->f, s->n, sizeof s->f[0], cmp_name);
	for (i = 0, s->slen = 0; i < s->n; i++)
		s->slen += 4 + s->f[i].len;
	if ((s->stream = malloc(s->slen)) == NULL)
		return -1;
	for (i = 0, off = 0; i < s->n; i++) {
		rs_wire_w32(s->stream + off, (uint32_t)s->f[i].len);
		memcpy(s->stream + off + 4, s->f[i].p, s->f[i].len);
		off += 4 + s->f[i].len;
	}
	return 0;
}

/* Free a session's frames. */
static void
unload(struct session *s)
{
	size_t	 i;

	for (i = 0; i < s->n; i++)
		free(s->f[i].p);
	free(s->stream);
}

/* Take every whole frame out of r, each checked against the next one due. */
static int
drain(struct rs_reader *r, const struct session *s, size_t *got, int *wrong)
{
	const uint8_t	*p;
	size_t		 len;
	int		 rc;

	while ((rc = rs_reader_next(r, &p, &len)) == 1) {
		if (*got >= s->n || len != s->f[*got].len ||
		    memcmp(p, s->f[*got].p, len) != 0)
			(*wrong)++;
		(*got)++;
	}
	return rc;
}

/* Feed the session's stream cut at the given points; 0 if all came out right. */
static int
feed_cuts(const struct session *s, const size_t *cuts, size_t ncuts)
{
	struct rs_reader	 r;
	size_t			 got = 0, from = 0, i, to;
	int			 wrong = 0;

	rs_reader_init(&r, RS_FRAME_CAP, RS_DELIVER_CAP);
	for (i = 0; i <= ncuts; i++) {
		to = i < ncuts ? cuts[i] : s->slen;
		if (rs_reader_feed(&r, s->stream + from, to - from) == -1 ||
		    drain(&r, s, &got, &wrong) == -1)
			wrong++;
		from = to;
	}
	if (got != s->n || r.len != r.pos)
		wrong++;
	rs_reader_free(&r);
	return wrong;
}

/* The session through rs_reader, cut every way. */
static void
test_reader(const struct session *s)
{
	struct rs_reader	 r;
	uint8_t			*p;
	size_t			 k, got, avail, step, off, *every;
	int			 wrong, bad;

	is_int(feed_cuts(s, NULL, 0), 0, "%s: %zu frames (%zu bytes) fed whole",
	    s->name, s->n, s->slen);

	if ((every = malloc(s->slen * sizeof *every)) == NULL)
		abort();
	for (k = 0; k < s->slen; k++)
		every[k] = k + 1;
	is_int(feed_cuts(s, every, s->slen - 1), 0, "%s: fed byte by byte",
	    s->name);
	free(every);

	for (k = 0, bad = 0; k <= s->slen; k++)
		if (feed_cuts(s, &k, 1) != 0 && bad++ == 0)
			diag("%s: split at %zu fails", s->name, k);
	is_int(bad, 0, "%s: split in two at each of %zu points", s->name,
	    s->slen + 1);

	rs_reader_init(&r, RS_FRAME_CAP, RS_DELIVER_CAP);
	got = 0;
	wrong = 0;
	for (off = 0; off < s->slen; off += step) {
		if (rs_reader_space(&r, 7, &p, &avail) == -1) {
			wrong++;
			break;
		}
		step = s->slen - off < 7 ? s->slen - off : 7;
		if (step > avail)
			step = avail;
		memcpy(p, s->stream + off, step);
		rs_reader_commit(&r, step);
		if (drain(&r, s, &got, &wrong) == -1)
			wrong++;
	}
	ok(wrong == 0 && got == s->n, "%s: read 7 bytes at a time with "
	    "rs_reader_space/commit", s->name);
	rs_reader_free(&r);
}

/* Does a slice hold exactly this C string? */
static int
str_is(const struct rs_str *s, const char *z)
{
	return s->p != NULL && s->len == strlen(z) &&
	    memcmp(s->p, z, s->len) == 0;
}

/* Decode fixture i of a session; its name must contain what. */
static const struct frame *
fixture(const struct session *s, size_t i, const char *what,
    struct rs_frame *f)
{
	char	 err[128];

	if (i >= s->n || strstr(s->f[i].name, what) == NULL) {
		ok(0, "%s: frame %zu is a %s", s->name, i, what);
		memset(f, 0, sizeof *f);
		return NULL;
	}
	if (rs_frame_decode(s->f[i].p, s->f[i].len, f, err, sizeof err) == -1) {
		ok(0, "%s: %s decodes: %s", s->name, s->f[i].name, err);
		return NULL;
	}
	return &s->f[i];
}

/* A response that is only a code: key, correlation id, code, nothing else. */
static void
check_code_only(const struct session *s, size_t i, const char *what,
    uint16_t key, uint32_t corr, uint16_t code)
{
	struct rs_frame	 f;

	if (fixture(s, i, what, &f) == NULL)
		return;
	ok(f.key == (key | RS_RESPONSE) && f.has_corr && f.corr == corr &&
	    f.code == code && f.body.left == 0,
	    "%s: %s: key 0x%04x, corr %u, code 0x%02x", s->name, what,
	    key | RS_RESPONSE, corr, code);
}

/* The handshake every session starts with: frames 0 to 2, and Tune. */
static void
check_handshake(const struct session *s, uint16_t auth_code)
{
	static const char *const	 keys[] = {
		"cluster_name", "copyright", "information", "platform",
		"product", "version",
	};
	struct rs_features	 fs;
	struct rs_frame		 f;
	struct rs_cur		 c;
	struct rs_str		 k, v, m[2];
	const uint8_t		*data;
	size_t			 dlen, i;
	uint32_t		 n, fmax, hb;
	char			 msg[256];
	int			 keys_ok = 1;

	if (fixture(s, 0, "peer-properties-response", &f) != NULL) {
		ok(f.key == (RS_PEER_PROPERTIES | RS_RESPONSE) && f.corr == 1 &&
		    f.code == RS_OK, "%s: PeerProperties response, corr 1, "
		    "code 1", s->name);
		is_int(rs_frame_map_begin(&f, &c, &n), 0, "%s: its map begins",
		    s->name);
		is_uint(n, 6, "%s: six server properties", s->name);
		for (i = 0; i < n && i < 6; i++)
			if (rs_frame_map_next(&c, &k, &v) == -1 ||
			    !str_is(&k, keys[i]))
				keys_ok = 0;
		ok(keys_ok && c.left == 0, "%s: cluster_name .. version, the "
		    "whole body", s->name);
		ok(rs_frame_map_find(&f, "product", &v) == 1 &&
		    str_is(&v, "RabbitMQ"), "%s: product RabbitMQ", s->name);
		ok(rs_frame_map_find(&f, "platform", &v) == 1 &&
		    str_is(&v, "Erlang/OTP 25.2.3"), "%s: platform Erlang/OTP "
		    "25.2.3", s->name);
		ok(rs_frame_map_find(&f, "cluster_name", &v) == 1 &&
		    str_is(&v, "rstest-4aee4299@vm"),
		    "%s: cluster_name rstest-4aee4299@vm", s->name);
		is_int(rs_frame_map_find(&f, "version", &v), 1,
		    "%s: version found", s->name);
		ok(str_is(&v, "3.10.8"), "%s: version \"3.10.8\"", s->name);
		rs_features_init(&fs, rs_proto_version_parse(v.p, v.len));
		is_uint(fs.version, RS_VERSION(3, 10, 8),
		    "%s: parsed as 3.10.8", s->name);
		ok(!rs_features_has(&fs, RS_FEATURE_EXCHANGE_COMMAND_VERSIONS),
		    "%s: so no ExchangeCommandVersions is ever sent", s->name);
		rs_features_why(&fs, "3.10.8", RS_FEATURE_STREAM_STATS, msg,
		    sizeof msg);
		is_str(msg, "StreamStats needs RabbitMQ 3.11 or later; the "
		    "broker is 3.10.8", "%s: and StreamStats says why",
		    s->name);
	}
	if (fixture(s, 1, "sasl-handshake-response", &f) != NULL) {
		ok(f.corr == 2 && f.code == RS_OK,
		    "%s: SaslHandshake response, corr 2, code 1", s->name);
		ok(rs_frame_strings_begin(&f, &c, &n) == 0 && n == 2 &&
		    rs_frame_strings_next(&c, &m[0]) == 0 &&
		    rs_frame_strings_next(&c, &m[1]) == 0 && c.left == 0 &&
		    str_is(&m[0], "PLAIN") && str_is(&m[1], "AMQPLAIN"),
		    "%s: mechanisms PLAIN, AMQPLAIN", s->name);
		is_int(rs_frame_mechanisms_has(&f, "PLAIN"), 1,
		    "%s: PLAIN is offered", s->name);
	}
	if (fixture(s, 2, "sasl-authenticate-response", &f) != NULL) {
		ok(f.corr == 3 && f.code == auth_code, "%s: SaslAuthenticate "
		    "response, corr 3, code 0x%02x (%s)", s->name, auth_code,
		    rs_proto_code_str(auth_code));
		ok(rs_frame_sasl_challenge_decode(&f, &data, &dlen) == 0 &&
		    data == NULL && dlen == 0, "%s: no opaque data", s->name);
	}
	if (s->n < 4)
		return;
	if (fixture(s, 3, "tune", &f) != NULL) {
		ok(f.key == RS_TUNE && !f.has_corr && f.version == 1,
		    "%s: Tune, no correlation id", s->name);
		ok(rs_frame_tune_decode(&f, &fmax, &hb) == 0 &&
		    fmax == 1048576 && hb == 60, "%s: frame max 1048576, "
		    "heartbeat 60", s->name);
	}
}

/* The Open response of a session that got in. */
static void
check_open(const struct session *s)
{
	struct rs_frame	 f;
	struct rs_cur	 c;
	struct rs_str	 k, v;
	uint32_t	 n;

	if (fixture(s, 4, "open-response", &f) == NULL)
		return;
	ok(f.corr == 4 && f.code == RS_OK, "%s: Open response, corr 4, code 1",
	    s->name);
	ok(rs_frame_map_begin(&f, &c, &n) == 0 && n == 2 &&
	    rs_frame_map_next(&c, &k, &v) == 0 &&
	    str_is(&k, "advertised_port") && str_is(&v, "24690") &&
	    rs_frame_map_next(&c, &k, &v) == 0 &&
	    str_is(&k, "advertised_host") && str_is(&v, "localhost") &&
	    c.left == 0, "%s: advertised_port 24690, advertised_host "
	    "localhost", s->name);
}

/* A Metadata response for fixture-stream on the one broker localhost:24690. */
static void
check_metadata(const struct session *s, size_t i, uint32_t corr)
{
	struct rs_stream_meta	 m;
	struct rs_frame		 f;

	if (fixture(s, i, "metadata-response", &f) == NULL)
		return;
	ok(f.corr == corr && f.code == RS_OK, "%s: Metadata response, corr %u "
	    "(no code)", s->name, corr);
	is_int(rs_frame_metadata_decode(&f, "fixture-stream", "localhost",
	    24690, &m), 1, "%s: fixture-stream is in it", s->name);
	ok(m.code == RS_OK && m.has_leader &&
	    str_is(&m.leader_host, "localhost") && m.leader_port == 24690 &&
	    m.nreplicas == 0 && m.self_is_member,
	    "%s: code 1, leader localhost:24690, no replicas, we host it",
	    s->name);
}

/* The bodies of a chunk's records: AMQP bodies, or raw bytes when not AMQP. */
struct want_chunk {
	uint8_t		 subid;
	uint16_t	 nentries;
	uint32_t	 nrecords;
	int64_t		 timestamp;
	uint64_t	 first;
	uint32_t	 crc;
	uint32_t	 data_len;
	uint32_t	 trailer_len;
	int		 amqp;		/* records are AMQP 1.0 messages */
	const char	*bodies[4];
};

/* A Deliver frame, its chunk and every record of it. */
static void
check_deliver(const struct session *s, size_t i, const struct want_chunk *w)
{
	struct rs_amqp_msg	 am;
	struct rs_delivery	 d;
	struct rs_chunk		 ch;
	struct rs_frame		 f;
	const uint8_t		*rec, *piece;
	size_t			 rlen, plen, blen;
	uint64_t		 off;
	uint32_t		 r;
	char			 body[64];
	int			 rc, bad = 0, amqp_bad = 0;

	if (fixture(s, i, "deliver", &f) == NULL)
		return;
	ok(f.key == RS_DELIVER && f.version == 1 && !f.has_corr,
	    "%s: Deliver v1, no correlation id", s->name);
	is_int(rs_frame_delivery_decode(&f, &d), 0, "%s: it decodes", s->name);
	ok(d.subid == w->subid && !d.has_committed &&
	    d.len == s->f[i].len - 5, "%s: subscription %u, the chunk after it",
	    s->name, w->subid);
	is_int(rs_chunk_parse(&ch, d.chunk, d.len, 1), 0,
	    "%s: chunk at %llu parses, CRC-32 valid", s->name,
	    (unsigned long long)w->first);
	ok(ch.type == RS_CHUNK_USER && ch.nentries == w->nentries &&
	    ch.nrecords == w->nrecords && ch.epoch == 1 &&
	    ch.timestamp == w->timestamp && ch.first_offset == w->first &&
	    ch.crc == w->crc && ch.data_len == w->data_len &&
	    ch.trailer_len == w->trailer_len &&
	    d.len == RS_CHUNK_HEADER_SIZE + ch.data_len,
	    "%s: user chunk, %u entries, %u records, epoch 1, first offset "
	    "%llu, CRC 0x%08x, %u data bytes, trailer %u (not sent)", s->name,
	    w->nentries, w->nrecords, (unsigned long long)w->first, w->crc,
	    w->data_len, w->trailer_len);
	for (r = 0; (rc = rs_chunk_next(&ch, &rec, &rlen, &off)) == 1; r++) {
		if (r >= w->nrecords || off != w->first + r) {
			bad++;
			continue;
		}
		if (rs_amqp_parse(&am, rec, rlen) != w->amqp) {
			amqp_bad++;
			continue;
		}
		blen = 0;
		if (w->amqp) {
			while (rs_amqp_body_next(&am, &piece, &plen) == 1 &&
			    blen + plen < sizeof body) {
				memcpy(body + blen, piece, plen);
				blen += plen;
			}
		} else if (rlen < sizeof body) {
			memcpy(body, rec, rlen);
			blen = rlen;
		}
		body[blen] = '\0';
		if (strcmp(body, w->bodies[r]) != 0) {
			diag("record %u: \"%s\", expected \"%s\"", r, body,
			    w->bodies[r]);
			bad++;
		}
	}
	ok(rc == 0 && r == w->nrecords && bad == 0,
	    "%s: records at offsets %llu..%llu with the expected bodies",
	    s->name, (unsigned long long)w->first,
	    (unsigned long long)(w->first + w->nrecords - 1));
	is_int(amqp_bad, 0, "%s: %s", s->name, w->amqp ?
	    "every record is an AMQP 1.0 message" :
	    "no record is an AMQP 1.0 message (raw)");
}

/* rstream-tail -o first: the last chunk, then all three from the first. */
static void
test_tail(const struct session *s)
{
	static const struct want_chunk	 last = {
		1, 1, 1, 1795612221264LL, 6, 0x1665bb39, 126, 44, 1,
		{ "hello from 0-9-1" },
	};
	static const struct want_chunk	 c0 = {
		0, 4, 4, 1795612221199LL, 0, 0xf46726b4, 61, 0, 1,
		{ "line-one", "line-two", "", "line-four" },
	};
	static const struct want_chunk	 c4 = {
		0, 2, 2, 1795612221203LL, 4, 0x57aaa456, 22, 0, 0,
		{ "raw-one", "raw-two" },
	};
	static const struct want_chunk	 c6 = {
		0, 1, 1, 1795612221264LL, 6, 0x1665bb39, 126, 44, 1,
		{ "hello from 0-9-1" },
	};

	is_uint(s->n, 15, "tail: 15 frames");
	check_handshake(s, RS_OK);
	check_open(s);
	check_metadata(s, 5, 5);
	check_code_only(s, 6, "subscribe-response", RS_SUBSCRIBE, 6, RS_OK);
	check_deliver(s, 7, &last);
	check_metadata(s, 8, 7);
	check_code_only(s, 9, "unsubscribe-response", RS_UNSUBSCRIBE, 8, RS_OK);
	check_code_only(s, 10, "subscribe-response", RS_SUBSCRIBE, 9, RS_OK);
	check_deliver(s, 11, &c0);
	check_deliver(s, 12, &c4);
	check_deliver(s, 13, &c6);
	check_code_only(s, 14, "close-response", RS_CLOSE, 10, RS_OK);
}

/* rstream-cat publishing three lines. */
static void
test_cat(const struct session *s)
{
	struct rs_frame	 f;
	struct rs_cur	 c;
	uint64_t	 id, ids[3] = { 0, 0, 0 };
	uint32_t	 n, i;
	uint8_t		 pub;

	is_uint(s->n, 9, "cat: 9 frames");
	check_handshake(s, RS_OK);
	check_open(s);
	check_metadata(s, 5, 5);
	check_code_only(s, 6, "declare-publisher-response",
	    RS_DECLARE_PUBLISHER, 6, RS_OK);
	if (fixture(s, 7, "publish-confirm", &f) != NULL) {
		ok(f.key == RS_PUBLISH_CONFIRM && !f.has_corr,
		    "cat: PublishConfirm, no correlation id");
		ok(rs_frame_ids_begin(&f, &c, &pub, &n) == 0 && pub == 0 &&
		    n == 3, "cat: publisher 0, three ids");
		for (i = 0; i < n && i < 3; i++)
			if (rs_frame_confirm_next(&c, &ids[i]) == -1)
				ids[i] = 0;
		ok(ids[0] == 1 && ids[1] == 2 && ids[2] == 3 && c.left == 0,
		    "cat: ids 1, 2, 3, the whole body");
		is_int(rs_frame_confirm_next(&c, &id), -1, "cat: no fourth id");
	}
	check_code_only(s, 8, "close-response", RS_CLOSE, 7, RS_OK);
}

/* Metadata for a stream that does not exist. */
static void
test_nope(const struct session *s)
{
	struct rs_stream_meta	 m;
	struct rs_frame		 f;

	is_uint(s->n, 7, "nope: 7 frames");
	check_handshake(s, RS_OK);
	check_open(s);
	if (fixture(s, 5, "metadata-response", &f) != NULL) {
		ok(f.corr == 5, "nope: Metadata response, corr 5");
		is_int(rs_frame_metadata_decode(&f, "nope-stream", "localhost",
		    24690, &m), 1, "nope: nope-stream is in it");
		ok(m.code == RS_STREAM_DOES_NOT_EXIST && !m.has_leader &&
		    m.nreplicas == 0 && !m.self_is_member,
		    "nope: code 2, no leader, no replicas, not ours");
		is_int(rs_frame_metadata_decode(&f, "fixture-stream",
		    "localhost", 24690, &m), 0,
		    "nope: fixture-stream is not in it");
	}
	check_code_only(s, 6, "close-response", RS_CLOSE, 6, RS_OK);
}

/* A wrong password: code 8, and the broker closes. */
static void
test_badpw(const struct session *s)
{
	is_uint(s->n, 3, "badpw: 3 frames (the broker closes after the code)");
	check_handshake(s, RS_AUTHENTICATION_FAILURE);
}

/* A virtual host that does not exist: Open code 0x0c, no properties. */
static void
test_vhost(const struct session *s)
{
	struct rs_frame	 f;
	struct rs_cur	 c;
	struct rs_str	 v;
	uint32_t	 n;

	is_uint(s->n, 5, "vhost: 5 frames");
	check_handshake(s, RS_OK);
	if (fixture(s, 4, "open-response", &f) != NULL) {
		ok(f.corr == 4 && f.code == RS_VIRTUAL_HOST_ACCESS_FAILURE &&
		    f.body.left == 0, "vhost: Open response, corr 4, code 0x0c, "
		    "no properties");
		ok(rs_frame_map_begin(&f, &c, &n) == 0 && n == 0 &&
		    rs_frame_map_find(&f, "advertised_host", &v) == 0,
		    "vhost: an empty map");
	}
}

/* Walk a Metadata response to its end with the cursor primitives. */
static int
metadata_whole(struct rs_cur *c)
{
	const char	*s;
	size_t		 len;
	uint32_t	 nb, ns, nr, i;
	uint16_t	 u16;

	if (rs_cur_count(c, &nb, 8) == -1)
		return -1;
	for (i = 0; i < nb; i++) {
		rs_cur_u16(c, &u16);
		rs_cur_str(c, &s, &len);
		if (rs_cur_u32(c, &nr) == -1)
			return -1;
	}
	if (rs_cur_count(c, &ns, 10) == -1)
		return -1;
	for (i = 0; i < ns; i++) {
		rs_cur_str(c, &s, &len);
		rs_cur_u16(c, &u16);
		rs_cur_u16(c, &u16);
		if (rs_cur_count(c, &nr, 2) == -1 ||
		    rs_cur_skip(c, (size_t)nr * 2) == -1)
			return -1;
	}
	return 0;
}

/*
 * Does p hold one whole frame, every decoder reading all of it (arrays to
 * their end, a chunk with a good CRC and all its records)? 1 yes, 0 no.
 */
static int
whole(const uint8_t *p, size_t n)
{
	struct rs_stream_meta	 m;
	struct rs_delivery	 d;
	struct rs_chunk		 ch;
	struct rs_frame		 f;
	struct rs_cur		 c;
	struct rs_str		 k, v;
	const uint8_t		*rec;
	size_t			 len;
	uint64_t		 id;
	uint32_t		 cnt, i, a, b;
	uint8_t			 pub;
	char			 err[128];
	int			 rc;

	if (rs_frame_decode(p, n, &f, err, sizeof err) == -1)
		return 0;
	switch (f.key) {
	case RS_PEER_PROPERTIES | RS_RESPONSE:
	case RS_OPEN | RS_RESPONSE:
		/* A broker leaves the map out only with a failure code. */
		if ((f.code == RS_OK && f.body.left == 0) ||
		    rs_frame_map_begin(&f, &c, &cnt) == -1)
			return 0;
		for (i = 0; i < cnt; i++)
			if (rs_frame_map_next(&c, &k, &v) == -1)
				return 0;
		return c.left == 0;
	case RS_SASL_HANDSHAKE | RS_RESPONSE:
		if (rs_frame_strings_begin(&f, &c, &cnt) == -1)
			return 0;
		for (i = 0; i < cnt; i++)
			if (rs_frame_strings_next(&c, &k) == -1)
				return 0;
		return c.left == 0;
	case RS_SASL_AUTHENTICATE | RS_RESPONSE:
		if (rs_frame_sasl_challenge_decode(&f, &rec, &len) == -1)
			return 0;
		return rec == NULL ? f.body.left == 0 :
		    rec + len == p + n;
	case RS_TUNE:
		return rs_frame_tune_decode(&f, &a, &b) == 0 &&
		    f.body.left == 8;
	case RS_METADATA | RS_RESPONSE:
		c = f.body;
		return rs_frame_metadata_decode(&f, "fixture-stream",
		    "localhost", 24690, &m) != -1 &&
		    metadata_whole(&c) == 0 && c.left == 0;
	case RS_PUBLISH_CONFIRM:
		if (rs_frame_ids_begin(&f, &c, &pub, &cnt) == -1)
			return 0;
		for (i = 0; i < cnt; i++)
			if (rs_frame_confirm_next(&c, &id) == -1)
				return 0;
		return c.left == 0;
	case RS_DELIVER:
		if (rs_frame_delivery_decode(&f, &d) == -1 ||
		    rs_chunk_parse(&ch, d.chunk, d.len, 1) == -1 ||
		    d.len != RS_CHUNK_HEADER_SIZE + ch.data_len)
			return 0;
		while ((rc = rs_chunk_next(&ch, &rec, &len, &id)) == 1)
			;
		return rc == 0;
	default:
		return f.body.left == 0;
	}
}

/*
 * Every truncation never decodes whole; every corruption decodes or fails,
 * never crashes. A PeerProperties response cut right after its code is a
 * response without properties: the version is then unknown, which makes
 * the connection take the broker for the oldest (no newer commands).
 */
static void
test_hostile(const struct session *s)
{
	struct rs_features	 fs;
	struct rs_frame		 f;
	struct rs_str		 v;
	char			 err[128];

	static const uint8_t	 junk[] = { 0x00, 0x7f, 0xff };
	uint8_t			*cut;
	size_t			 i, n, j, k, variants = 0, truncs = 0;
	int			 full_ok = 1, bad = 0;

	for (i = 0; i < s->n; i++) {
		if (!whole(s->f[i].p, s->f[i].len)) {
			diag("%s does not decode whole", s->f[i].name);
			full_ok = 0;
		}
		for (n = 0; n < s->f[i].len; n++, truncs++) {
			if ((cut = malloc(n ? n : 1)) == NULL)
				abort();
			memcpy(cut, s->f[i].p, n);
			if (whole(cut, n) && bad++ == 0)
				diag("%s cut to %zu bytes decodes whole",
				    s->f[i].name, n);
			free(cut);
		}
		if ((cut = malloc(s->f[i].len)) == NULL)
			abort();
		for (j = 0; j < s->f[i].len; j++)
			for (k = 0; k < sizeof junk; k++, variants++) {
				memcpy(cut, s->f[i].p, s->f[i].len);
				cut[j] = junk[k];
				(void)whole(cut, s->f[i].len);
			}
		free(cut);
	}
	ok(full_ok, "%s: every frame decodes whole, every byte read", s->name);
	rs_frame_decode(s->f[0].p, 10, &f, err, sizeof err);
	rs_features_init(&fs, rs_frame_map_find(&f, "version", &v) == 1 ?
	    rs_proto_version_parse(v.p, v.len) : 0);
	ok(f.code == RS_OK && rs_frame_map_find(&f, "version", &v) == 0 &&
	    fs.version == 0 &&
	    !rs_features_has(&fs, RS_FEATURE_EXCHANGE_COMMAND_VERSIONS),
	    "%s: PeerProperties cut after its code: no version, oldest broker",
	    s->name);
	is_int(bad, 0, "%s: none of %zu truncations decodes whole", s->name,
	    truncs);
	ok(1, "%s: %zu single-byte corruptions decoded without a crash",
	    s->name, variants);
}

/* The reader's caps on real frames: the largest of each kind fits exactly. */
static void
test_caps(const struct session *s)
{
	struct rs_reader	 r;
	const uint8_t		*p;
	size_t			 i, len, max_other = 0, max_deliver = 0, got;
	int			 rc;

	for (i = 0; i < s->n; i++) {
		if (rs_wire_r16(s->f[i].p) == RS_DELIVER) {
			if (s->f[i].len > max_deliver)
				max_deliver = s->f[i].len;
		} else if (s->f[i].len > max_other)
			max_other = s->f[i].len;
	}
	rs_reader_init(&r, max_other, max_deliver);
	rs_reader_feed(&r, s->stream, s->slen);
	for (got = 0; (rc = rs_reader_next(&r, &p, &len)) == 1; got++)
		;
	ok(rc == 0 && got == s->n, "%s: caps of %zu (Deliver %zu) bytes, the "
	    "largest frames, pass all", s->name, max_other, max_deliver);
	rs_reader_free(&r);

	rs_reader_init(&r, max_other - 1, max_deliver);
	rs_reader_feed(&r, s->stream, s->slen);
	for (got = 0; (rc = rs_reader_next(&r, &p, &len)) == 1; got++)
		;
	ok(rc == -1 && r.err && strstr(r.errstr, "exceeds") != NULL,
	    "%s: one byte less for other frames is refused (%s)", s->name,
	    r.errstr);
	is_int(rs_reader_feed(&r, "", 0), -1, "%s: and the error sticks",
	    s->name);
	rs_reader_free(&r);
}

/* Each session: the reader, the values, hostile variants, the caps. */
int
main(void)
{
	struct session	 sessions[] = {
		{ .name = "tail" }, { .name = "cat" }, { .name = "nope" },
		{ .name = "badpw" }, { .name = "vhost" },
	};
	size_t		 i;

	for (i = 0; i < sizeof sessions / sizeof sessions[0]; i++) {
		if (load(&sessions[i]) == -1 || sessions[i].n == 0) {
			ok(0, "%s: fixtures load from %s", sessions[i].name,
			    FIXTURES);
			continue;
		}
		test_reader(&sessions[i]);
	}
	test_tail(&sessions[0]);
	test_cat(&sessions[1]);
	test_nope(&sessions[2]);
	test_badpw(&sessions[3]);
	test_vhost(&sessions[4]);
	for (i = 0; i < sizeof sessions / sizeof sessions[0]; i++) {
		test_hostile(&sessions[i]);
		test_caps(&sessions[i]);
		unload(&sessions[i]);
	}
	return done_testing();
}
