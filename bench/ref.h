/*
 * ref.h: the connection part shared by the reference clients ref-pub and
 * ref-sub (bench/): blocking TCP, the handshake, and a frame reader. Header
 * only, on purpose: each reference client is one .c file plus this.
 */
#ifndef RS_BENCH_REF_H
#define RS_BENCH_REF_H

#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "frame.h"
#include "proto.h"
#include "reader.h"
#include "wire.h"

static int		ref_fd;
static struct rs_reader	ref_rd;
static uint32_t		ref_frame_max;

static void
ref_die(const char *what)
{
	fprintf(stderr, "ref: %s\n", what);
	exit(1);
}

static void
ref_send(struct rs_buf *b)
{
	size_t off = 0;

	while (off < b->len) {
		ssize_t n = write(ref_fd, b->data + off, b->len - off);
		if (n <= 0)
			ref_die("write failed");
		off += (size_t)n;
	}
	b->len = 0;
}

/* Next frame, blocking (or 0 when nonblocking and nothing is buffered). */
static int
ref_next(struct rs_frame *f, int block)
{
	const uint8_t *p;
	size_t len;
	char err[128];

	for (;;) {
		int r = rs_reader_next(&ref_rd, &p, &len);
		if (r == -1)
			ref_die(ref_rd.errstr);
		if (r == 1) {
			if (rs_frame_decode(p, len, f, err, sizeof err) == -1)
				ref_die(err);
			return 1;
		}
		uint8_t *sp;
		size_t sl;
		if (rs_reader_space(&ref_rd, 1 << 16, &sp, &sl) == -1)
			ref_die("reader space");
		ssize_t n = recv(ref_fd, sp, sl, block ? 0 : MSG_DONTWAIT);
		if (n == 0)
			ref_die("connection closed");
		if (n < 0) {
			if (!block)
				return 0;
			ref_die("read failed");
		}
		rs_reader_commit(&ref_rd, (size_t)n);
	}
}

/* Wait for the response to key (answering Tune on the way); check its code. */
static struct rs_frame
ref_expect(uint16_t key)
{
	struct rs_frame f;

	for (;;) {
		ref_next(&f, 1);
		if (f.key == key) {
			if (f.code != RS_OK) {
				fprintf(stderr, "ref: key 0x%04x code %u\n", key, f.code);
				exit(1);
			}
			return f;
		}
	}
}

/* Connect to host:port and open vhost "/" as guest/guest. */
static void
ref_connect(const char *host, const char *port)
{
	struct addrinfo hints = { .ai_socktype = SOCK_STREAM }, *ai;
	struct rs_buf b;
	struct rs_frame f;
	uint32_t fm, hb;
	int one = 1;
	static const char auth[] = "\0guest\0guest";

	if (getaddrinfo(host, port, &hints, &ai) != 0)
		ref_die("getaddrinfo");
	ref_fd = socket(ai->ai_family, SOCK_STREAM, 0);
	if (ref_fd < 0 || connect(ref_fd, ai->ai_addr, ai->ai_addrlen) != 0)
		ref_die("connect");
	freeaddrinfo(ai);
	setsockopt(ref_fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
	rs_reader_init(&ref_rd, RS_FRAME_CAP, RS_DELIVER_CAP);
	rs_buf_init(&b);
	rs_frame_peer_properties(&b, 1, NULL, 0);
	ref_send(&b);
	ref_expect(RS_PEER_PROPERTIES | RS_RESPONSE);
	rs_frame_sasl_handshake(&b, 2);
	ref_send(&b);
	ref_expect(RS_SASL_HANDSHAKE | RS_RESPONSE);
	rs_frame_sasl_authenticate(&b, 3, "PLAIN", auth, sizeof auth - 1);
	ref_send(&b);
	ref_expect(RS_SASL_AUTHENTICATE | RS_RESPONSE);
	f = ref_expect(RS_TUNE);
	if (rs_frame_tune_decode(&f, &fm, &hb) == -1)
		ref_die("tune");
	ref_frame_max = fm && fm < RS_FRAME_MAX_DEFAULT ? fm : RS_FRAME_MAX_DEFAULT;
	rs_frame_tune(&b, ref_frame_max, hb);
	rs_frame_open(&b, 4, "/");
	ref_send(&b);
	ref_expect(RS_OPEN | RS_RESPONSE);
	rs_buf_free(&b);
}

#endif
