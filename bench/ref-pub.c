/*
 * ref-pub: the reference publisher of bench/run.sh. Publishes N messages of
 * SIZE bytes to STREAM, at most MAXINFLIGHT unconfirmed, each Publish frame
 * as full as the frame max and the window allow (rstream-cat's batching),
 * and exits once all are confirmed. The frame is encoded once; only the
 * publishing ids, the size and the count are patched per send. --amqp
 * wraps each body in an AMQP 1.0 data section (what rstream-cat sends by
 * default); PERFRAME > 0 caps the messages per frame (small chunks).
 *
 *	ref-pub HOST PORT STREAM N SIZE MAXINFLIGHT [PERFRAME] [--amqp]
 *
 * REF_TLS_CA=FILE: over TLS (ref.h).
 */
#include "ref.h"

int
main(int argc, char **argv)
{
	struct rs_buf b;
	struct rs_frame f;
	struct rs_cur c;
	uint64_t n, sent = 0, confirmed = 0, id;
	uint32_t size, max_if, per_frame = 0, m, k, cnt, i, esz, hdr = 0;
	uint8_t pid;
	int amqp = argc > 1 && strcmp(argv[argc - 1], "--amqp") == 0;

	if (argc - amqp < 7)
		ref_die("usage: ref-pub HOST PORT STREAM N SIZE MAXINFLIGHT [PERFRAME] [--amqp]");
	n = strtoull(argv[4], NULL, 10);
	size = (uint32_t)strtoul(argv[5], NULL, 10);
	max_if = (uint32_t)strtoul(argv[6], NULL, 10);
	if (argc - amqp > 7)
		per_frame = (uint32_t)strtoul(argv[7], NULL, 10);
	if (amqp)
		hdr = size < 256 ? 5 : 8;	/* 00 53 75 a0 len8 / b0 len32 */
	esz = hdr + size;

	ref_connect(argv[1], argv[2]);
	rs_buf_init(&b);
	rs_frame_declare_publisher(&b, 5, 0, "", argv[3]);
	ref_send(&b);
	ref_expect(RS_DECLARE_PUBLISHER | RS_RESPONSE);

	/* One full frame: m messages. */
	m = (ref_frame_max - RS_PUBLISH_HEADER) / (RS_PUBLISH_PER_MSG + esz);
	if (m > max_if)
		m = max_if;
	if (per_frame && m > per_frame)
		m = per_frame;
	size_t start = rs_frame_publish_begin(&b, 0);
	for (i = 0; i < m; i++) {
		rs_frame_publish_msg(&b, 0, esz);
		if (amqp) {
			uint8_t h[8] = { 0x00, 0x53, 0x75, 0xa0, (uint8_t)size };
			if (hdr == 8) {
				h[3] = 0xb0;
				rs_wire_w32(h + 4, size);
			}
			rs_buf_put(&b, h, hdr);
		}
		for (uint32_t j = 0; j < size; j++)
			rs_buf_u8(&b, j + 1 == size ? '\n' : 'a' + j % 26);
	}
	rs_frame_publish_end(&b, start, m);
	if (b.oom)
		ref_die("out of memory");

	while (confirmed < n) {
		/* Drain confirms; block only when nothing can be sent. */
		int block = sent == n || sent - confirmed >= max_if;
		while (ref_next(&f, block) == 1) {
			block = 0;
			if (f.key == RS_PUBLISH_CONFIRM) {
				if (rs_frame_ids_begin(&f, &c, &pid, &cnt) == -1)
					ref_die("confirm");
				confirmed += cnt;
			} else if (f.key == RS_PUBLISH_ERROR)
				ref_die("publish error");
		}
		if (sent == n || sent - confirmed >= max_if)
			continue;
		k = m;
		if (k > max_if - (sent - confirmed))
			k = (uint32_t)(max_if - (sent - confirmed));
		if (k > n - sent)
			k = (uint32_t)(n - sent);
		uint8_t *p = b.data + RS_PUBLISH_HEADER;
		for (i = 0, id = sent; i < k; i++, p += RS_PUBLISH_PER_MSG + esz)
			rs_wire_w64(p, id++);
		size_t flen = RS_PUBLISH_HEADER + (size_t)k * (RS_PUBLISH_PER_MSG + esz);
		rs_wire_w32(b.data, (uint32_t)(flen - 4));
		rs_wire_w32(b.data + 9, k);
		ref_write(b.data, flen);
		sent += k;
	}
	printf("%llu confirmed\n", (unsigned long long)confirmed);
	return 0;
}
