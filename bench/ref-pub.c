/*
 * ref-pub: the reference publisher of bench/run.sh. Publishes N messages of
 * SIZE bytes to STREAM, at most MAXINFLIGHT unconfirmed, each Publish frame
 * as full as the frame max and the window allow (rstream-cat's batching),
 * and exits once all are confirmed. The frame is encoded once; only the
 * publishing ids, the size and the count are patched per send. --amqp
 * wraps each body in an AMQP 1.0 data section (what rstream-cat sends by
 * default); PERFRAME > 0 caps the messages per frame (small chunks).
 * --coalesce (with PERFRAME) frames like a minimal client: frames of
 * PERFRAME messages, as many as the window allows written with one write()
 * (a short frame only for the last messages). With REF_STATS set it prints
 * frames, writes and bytes to stderr.
 * With REF_SUB=K set, each message is a sub-entry batch of K records of SIZE
 * bytes (no compression; N and MAXINFLIGHT still count records, as
 * rstream-cat --sub-entry-size K counts them): the raw reference for
 * rstream-cat's batches.
 *
 *	ref-pub HOST PORT STREAM N SIZE MAXINFLIGHT [PERFRAME] [--amqp] [--coalesce]
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
	int amqp = 0, coalesce = 0;
	uint64_t nframes = 0, nwrites = 0, nbytes = 0;
	uint32_t sub = 0, stride;
	const char *e;

	while (argc > 1 && (strcmp(argv[argc - 1], "--amqp") == 0 ||
	    strcmp(argv[argc - 1], "--coalesce") == 0)) {
		if (strcmp(argv[--argc], "--amqp") == 0)
			amqp = 1;
		else
			coalesce = 1;
	}
	if (argc < 7)
		ref_die("usage: ref-pub HOST PORT STREAM N SIZE MAXINFLIGHT [PERFRAME] [--amqp] [--coalesce]");
	n = strtoull(argv[4], NULL, 10);
	size = (uint32_t)strtoul(argv[5], NULL, 10);
	max_if = (uint32_t)strtoul(argv[6], NULL, 10);
	if (argc > 7)
		per_frame = (uint32_t)strtoul(argv[7], NULL, 10);
	if (amqp)
		hdr = size < 256 ? 5 : 8;	/* 00 53 75 a0 len8 / b0 len32 */
	esz = hdr + size;
	if ((e = getenv("REF_SUB")) != NULL && (sub = (uint32_t)strtoul(e, NULL, 10)) > 1) {
		if (n % sub != 0 || max_if < sub)
			ref_die("REF_SUB: N must be a multiple of it, MAXINFLIGHT at least it");
		n /= sub;		/* from here on, messages are batches */
		max_if /= sub;
	} else
		sub = 0;
	/* Bytes of one message in the frame: its publishing id and entry. */
	stride = sub ? 8 + 11 + sub * (4 + esz) : RS_PUBLISH_PER_MSG + esz;

	ref_connect(argv[1], argv[2]);
	rs_buf_init(&b);
	rs_frame_declare_publisher(&b, 5, 0, "", argv[3]);
	ref_send(&b);
	ref_expect(RS_DECLARE_PUBLISHER | RS_RESPONSE);

	/* One full frame: m messages. */
	m = (ref_frame_max - RS_PUBLISH_HEADER) / stride;
	if (m > max_if)
		m = max_if;
	if (per_frame && m > per_frame)
		m = per_frame;
	size_t start = rs_frame_publish_begin(&b, 0);
	for (i = 0; i < m; i++) {
		uint32_t r, nrec = sub ? sub : 1;
		if (sub) {	/* id, 0x80 (batch, no compression), count, sizes */
			rs_buf_u64(&b, 0);
			rs_buf_u8(&b, 0x80);
			rs_buf_u16(&b, (uint16_t)sub);
			rs_buf_u32(&b, sub * (4 + esz));
			rs_buf_u32(&b, sub * (4 + esz));
		}
		for (r = 0; r < nrec; r++) {
			if (sub)
				rs_buf_u32(&b, esz);
			else
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
	}
	rs_frame_publish_end(&b, start, m);
	/* --coalesce: copies of the frame, as many as the window holds. */
	size_t fsz = b.len;
	uint32_t nf = 1;
	if (coalesce) {
		uint8_t *tpl = malloc(fsz);	/* b.data moves as b grows */
		if (tpl == NULL)
			ref_die("out of memory");
		memcpy(tpl, b.data, fsz);
		nf = max_if / m ? max_if / m : 1;
		for (i = 1; i < nf; i++)
			rs_buf_put(&b, tpl, fsz);
		free(tpl);
	}
	if (b.oom)
		ref_die("out of memory");

	while (confirmed < n) {
		/* Drain confirms; block only when nothing can be sent. */
		/* (--coalesce: or when not a whole frame fits the window.) */
		int block = sent == n || sent - confirmed >= max_if ||
		    (coalesce && max_if - (sent - confirmed) < m &&
		    max_if - (sent - confirmed) < n - sent);
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
		if (coalesce && max_if - (sent - confirmed) < m &&
		    max_if - (sent - confirmed) < n - sent)
			continue;
		uint64_t avail = max_if - (sent - confirmed);
		size_t wlen = 0;
		for (uint32_t fi = 0; fi < nf && sent < n && avail > 0; fi++) {
			k = m;
			if (k > avail)
				k = (uint32_t)avail;
			if (k > n - sent)
				k = (uint32_t)(n - sent);
			/* Coalescing: whole frames only, but for the last messages. */
			if (coalesce && k < m && k < n - sent)
				break;
			uint8_t *f0 = b.data + (size_t)fi * fsz;
			uint8_t *p = f0 + RS_PUBLISH_HEADER;
			for (i = 0, id = sent; i < k; i++, p += stride)
				rs_wire_w64(p, id++);
			size_t flen = RS_PUBLISH_HEADER + (size_t)k * stride;
			rs_wire_w32(f0, (uint32_t)(flen - 4));
			rs_wire_w32(f0 + 9, k);
			wlen = (size_t)fi * fsz + flen;
			sent += k;
			avail -= k;
			nframes++;
			if (k < m)
				break;
		}
		if (wlen == 0)
			continue;
		ref_write(b.data, wlen);
		nwrites++;
		nbytes += wlen;
	}
	if (getenv("REF_STATS") != NULL)
		fprintf(stderr, "ref-pub: %llu frames, %llu writes, %.1f msgs/frame, "
		    "%.0f bytes/frame, %.0f bytes/write\n", (unsigned long long)nframes,
		    (unsigned long long)nwrites, (double)n / (double)nframes,
		    (double)nbytes / (double)nframes, (double)nbytes / (double)nwrites);
	printf("%llu confirmed\n", (unsigned long long)confirmed * (sub ? sub : 1));
	return 0;
}
