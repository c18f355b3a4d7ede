/*
 * fuzz-frame.c: one frame (the bytes after its size prefix) through
 * rs_frame_decode() and the body decoder its key calls for, as conn.c,
 * cluster.c, publisher.c and consumer.c would use them: every decoder of
 * framedec.c, the 3.11+ ones (ExchangeCommandVersions, StreamStats,
 * ConsumerUpdate, Deliver v2) and 4.3's ResolveOffsetSpec included. Every
 * array is walked to its end and every slice touched, so a length that
 * points past the frame shows under ASan.
 */
#include "config.h"

#include <string.h>

#include "chunk.h"
#include "frame.h"
#include "fuzz.h"
#include "proto.h"

void	rs_fuzz_frame(const uint8_t *, size_t);

static volatile uint8_t	 sink;

/* Read every byte of a slice, so ASan sees one that is out of bounds. */
static void
touch(const void *p, size_t n)
{
	const uint8_t	*b = p;
	size_t		 i;

	for (i = 0; b != NULL && i < n; i++)
		sink ^= b[i];
}

/* Walk an array of strings begun by begin(). */
static void
strings(const struct rs_frame *f, int (*begin)(const struct rs_frame *,
    struct rs_cur *, uint32_t *))
{
	struct rs_cur	 c;
	struct rs_str	 s;
	uint32_t	 n, i;

	if (begin(f, &c, &n) == -1)
		return;
	for (i = 0; i < n && rs_frame_strings_next(&c, &s) == 0; i++)
		touch(s.p, s.len);
}

/* Decode one frame the way the tools do; shared with fuzz-reader. */
void
rs_fuzz_frame(const uint8_t *p, size_t len)
{
	struct rs_command_version cv;
	struct rs_features	 fs;
	struct rs_delivery	 d;
	struct rs_frame		 f;
	struct rs_stream_meta	 m;
	struct rs_chunk		 ch;
	struct rs_cur		 c;
	struct rs_str		 s, k;
	const uint8_t		*chunk, *rec;
	uint64_t		 id, off;
	int64_t			 v;
	uint32_t		 a, b, n, i;
	uint16_t		 code;
	uint8_t			 sub, active;
	size_t			 clen, rlen;
	char			 err[128];

	if (rs_frame_decode(p, len, &f, err, sizeof err) == -1)
		return;
	switch (f.key) {
	case RS_TUNE:
		rs_frame_tune_decode(&f, &a, &b);
		break;
	case RS_CLOSE:
		if (rs_frame_close_decode(&f, &s) == 0)
			touch(s.p, s.len);
		break;
	case RS_PEER_PROPERTIES | RS_RESPONSE:
	case RS_OPEN | RS_RESPONSE:
		if (rs_frame_map_find(&f, "version", &s) == 1)
			rs_features_init(&fs, rs_proto_version_parse(s.p,
			    s.len));
		rs_frame_map_find(&f, "advertised_host", &s);
		if (rs_frame_map_begin(&f, &c, &n) == -1)
			break;
		for (i = 0; i < n && rs_frame_map_next(&c, &k, &s) == 0; i++) {
			touch(k.p, k.len);
			touch(s.p, s.len);
		}
		break;
	case RS_SASL_HANDSHAKE | RS_RESPONSE:
		rs_frame_mechanisms_has(&f, "PLAIN");
		strings(&f, rs_frame_strings_begin);
		break;
	case RS_SASL_AUTHENTICATE | RS_RESPONSE:
		if (rs_frame_sasl_challenge_decode(&f, &rec, &rlen) == 0)
			touch(rec, rlen);
		break;
	case RS_QUERY_OFFSET | RS_RESPONSE:
		rs_frame_query_offset_decode(&f, &off);
		break;
	case RS_ROUTE | RS_RESPONSE:
		strings(&f, rs_frame_route_begin);
		break;
	case RS_PARTITIONS | RS_RESPONSE:
		strings(&f, rs_frame_strings_begin);
		break;
	case RS_CONSUMER_UPDATE:
		rs_frame_consumer_update_decode(&f, &sub, &active);
		break;
	case RS_EXCHANGE_COMMAND_VERSIONS | RS_RESPONSE:
		rs_features_init(&fs, RS_VERSION(4, 3, 0));
		if (rs_frame_command_versions_begin(&f, &c, &n) == -1)
			break;
		for (i = 0; i < n &&
		    rs_frame_command_versions_next(&c, &cv) == 0; i++)
			rs_features_accept(&fs, &cv);
		fs.negotiated = 1;
		rs_features_has(&fs, RS_FEATURE_PUBLISH_V2);
		break;
	case RS_STREAM_STATS | RS_RESPONSE:
		rs_frame_stream_stats_find(&f, "committed_chunk_id", &v);
		if (rs_frame_stream_stats_begin(&f, &c, &n) == -1)
			break;
		for (i = 0; i < n &&
		    rs_frame_stream_stats_next(&c, &k, &v) == 0; i++)
			touch(k.p, k.len);
		break;
	case RS_RESOLVE_OFFSET_SPEC | RS_RESPONSE:
		rs_frame_resolve_offset_spec_decode(&f, &code, &off);
		break;
	case RS_METADATA | RS_RESPONSE:
		rs_frame_metadata_decode(&f, "s1", "localhost", 5552, &m);
		break;
	case RS_METADATA_UPDATE:
		if (rs_frame_metadata_update_decode(&f, &code, &s) == 0)
			touch(s.p, s.len);
		break;
	case RS_QUERY_PUBLISHER_SEQUENCE | RS_RESPONSE:
		rs_frame_publisher_sequence_decode(&f, &id);
		break;
	case RS_CREDIT | RS_RESPONSE:
		rs_frame_credit_error_decode(&f, &sub);
		break;
	case RS_PUBLISH_CONFIRM:
	case RS_PUBLISH_ERROR:
		if (rs_frame_ids_begin(&f, &c, &sub, &n) == -1)
			break;
		for (i = 0; i < n; i++)
			if ((f.key == RS_PUBLISH_CONFIRM ?
			    rs_frame_confirm_next(&c, &id) :
			    rs_frame_error_next(&c, &id, &code)) == -1)
				break;
		break;
	case RS_DELIVER:
		if (rs_frame_delivery_decode(&f, &d) == -1 ||
		    rs_frame_deliver_decode(&f, &sub, &chunk, &clen) == -1)
			break;
		if (rs_chunk_parse(&ch, chunk, clen, 0) == -1)
			break;
		while (rs_chunk_next(&ch, &rec, &rlen, &off) == 1)
			touch(rec, rlen);
		break;
	default:
		break;
	}
}

#ifndef RS_FUZZ_SHARED
/* The libFuzzer entry point: one input is one frame. */
int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	rs_fuzz_frame(data, size);
	return 0;
}
#endif
