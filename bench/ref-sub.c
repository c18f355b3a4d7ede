/*
 * ref-sub: the reference consumer of bench/run.sh. Subscribes to STREAM at
 * first with an initial credit, counts records from each chunk header
 * (no CRC check, no record walk), gives 1 credit back per chunk, and exits
 * once N records have arrived.
 *
 *	ref-sub HOST PORT STREAM N [CREDIT]
 *
 * REF_TLS_CA=FILE: over TLS (ref.h).
 */
#include "chunk.h"
#include "ref.h"

int
main(int argc, char **argv)
{
	struct rs_buf b;
	struct rs_frame f;
	struct rs_chunk ch;
	const uint8_t *chunk;
	size_t len;
	uint64_t n, got = 0, chunks = 0;
	uint16_t credit;
	uint8_t sub;

	if (argc < 5)
		ref_die("usage: ref-sub HOST PORT STREAM N [CREDIT]");
	n = strtoull(argv[4], NULL, 10);
	credit = argc > 5 ? (uint16_t)atoi(argv[5]) : 10;
	ref_connect(argv[1], argv[2]);
	rs_buf_init(&b);
	rs_frame_subscribe(&b, 5, 0, argv[3], RS_OFFSET_FIRST, 0, credit, NULL, 0);
	ref_send(&b);
	ref_expect(RS_SUBSCRIBE | RS_RESPONSE);
	while (got < n) {
		ref_next(&f, 1);
		if (f.key != RS_DELIVER)
			continue;
		if (rs_frame_deliver_decode(&f, &sub, &chunk, &len) == -1 ||
		    rs_chunk_parse(&ch, chunk, len, 0) == -1)
			ref_die("bad delivery");
		if (ch.type == RS_CHUNK_USER)
			got += ch.nrecords;
		chunks++;
		rs_frame_credit(&b, 0, 1);
		ref_send(&b);
	}
	printf("%llu records in %llu chunks\n", (unsigned long long)got,
	    (unsigned long long)chunks);
	return 0;
}
