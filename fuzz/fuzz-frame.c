/*
 * fuzz-frame.c: one frame (the bytes after its size prefix) through
 * rs_frame_decode() and the body decoder its key calls for, as conn.c,
 * cluster.c, publisher.c and consumer.c would use them.
 */
#include "config.h"

#include <string.h>

#include "chunk.h"
#include "frame.h"
#include "fuzz.h"
#include "proto.h"

void	rs_fuzz_frame(const uint8_t *, size_t);

/* Decode one frame the way the tools do; shared with fuzz-reader. */
void
rs_fuzz_frame(const uint8_t *p, size_t len)
{
	struct rs_frame		 f;
	struct rs_stream_meta	 m;
	struct rs_chunk		 ch;
	struct rs_cur		 c;
	struct rs_str		 s;
	const uint8_t		*chunk, *rec;
	uint64_t		 id, off;
	uint32_t		 a, b, n, i;
	uint16_t		 code;
	uint8_t			 sub;
	size_t			 clen, rlen;
	char			 err[128];

	if (rs_frame_decode(p, len, &f, err, sizeof err) == -1)
		return;
	switch (f.key) {
	case RS_TUNE:
		rs_frame_tune_decode(&f, &a, &b);
		break;
	case RS_CLOSE:
		rs_frame_close_decode(&f, &s);
		break;
	case RS_PEER_PROPERTIES | RS_RESPONSE:
	case RS_OPEN | RS_RESPONSE:
		rs_frame_map_find(&f, "version", &s);
		rs_frame_map_find(&f, "advertised_host", &s);
		break;
	case RS_SASL_HANDSHAKE | RS_RESPONSE:
		rs_frame_mechanisms_has(&f, "PLAIN");
		break;
	case RS_METADATA | RS_RESPONSE:
		rs_frame_metadata_decode(&f, "s1", "localhost", 5552, &m);
		break;
	case RS_METADATA_UPDATE:
		rs_frame_metadata_update_decode(&f, &code, &s);
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
		if (rs_frame_deliver_decode(&f, &sub, &chunk, &clen) == -1)
			break;
		if (rs_chunk_parse(&ch, chunk, clen, 0) == -1)
			break;
		while (rs_chunk_next(&ch, &rec, &rlen, &off) == 1)
			;
		break;
	default:
		break;
	}
}

#ifndef RS_FUZZ_SHARED
int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	rs_fuzz_frame(data, size);
	return 0;
}
#endif
