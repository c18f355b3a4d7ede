/*
 * ref.h: the connection part shared by the reference clients ref-pub and
 * ref-sub (bench/): blocking TCP, the handshake, and a frame reader. Header
 * only, on purpose: each reference client is one .c file plus this.
 *
 * With REF_TLS_CA=FILE in the environment the connection is TLS instead:
 * blocking OpenSSL with the defaults of src/tls.c that matter for speed
 * (TLS 1.3 with AES-128-GCM first, read-ahead), verified against FILE, so
 * that bench/run.sh can tell the broker's TLS cost from the tools'.
 */
#ifndef RS_BENCH_REF_H
#define RS_BENCH_REF_H

#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <openssl/err.h>
#include <openssl/ssl.h>

#include "frame.h"
#include "proto.h"
#include "reader.h"
#include "wire.h"

static int		ref_fd;
static SSL		*ref_ssl;	/* REF_TLS_CA: the TLS session */
static struct rs_reader	ref_rd;
static uint32_t		ref_frame_max;

static void
ref_die(const char *what)
{
	fprintf(stderr, "ref: %s\n", what);
	ERR_print_errors_fp(stderr);
	exit(1);
}

/* Write all n bytes of p (blocking). */
static void
ref_write(const uint8_t *p, size_t n)
{
	size_t off = 0, k;

	while (off < n) {
		if (ref_ssl != NULL) {
			if (SSL_write_ex(ref_ssl, p + off, n - off, &k) != 1)
				ref_die("TLS write failed");
			off += k;
			continue;
		}
		ssize_t w = write(ref_fd, p + off, n - off);
		if (w <= 0)
			ref_die("write failed");
		off += (size_t)w;
	}
}

static void
ref_send(struct rs_buf *b)
{
	ref_write(b->data, b->len);
	b->len = 0;
}

/* Read into p (at most n); 0 when !block and nothing is there. */
static ssize_t
ref_read(uint8_t *p, size_t n, int block)
{
	struct pollfd pfd = { .fd = ref_fd, .events = POLLIN };
	size_t k;

	if (ref_ssl == NULL) {
		ssize_t r = recv(ref_fd, p, n, block ? 0 : MSG_DONTWAIT);
		if (r == 0)
			ref_die("connection closed");
		if (r < 0 && block)
			ref_die("read failed");
		return r < 0 ? 0 : r;
	}
	if (!block && SSL_pending(ref_ssl) == 0 && !SSL_has_pending(ref_ssl) &&
	    poll(&pfd, 1, 0) == 0)
		return 0;
	if (SSL_read_ex(ref_ssl, p, n, &k) != 1)
		ref_die("TLS read failed");
	return (ssize_t)k;
}

/* REF_TLS_CA set: TLS on ref_fd, for host. */
static void
ref_tls(const char *host)
{
	const char *ca = getenv("REF_TLS_CA");
	SSL_CTX *ctx;

	if (ca == NULL || *ca == '\0')
		return;
	if ((ctx = SSL_CTX_new(TLS_client_method())) == NULL ||
	    SSL_CTX_load_verify_locations(ctx, ca, NULL) != 1)
		ref_die("TLS context");
	SSL_CTX_set_min_proto_version(ctx, TLS1_2_VERSION);
	SSL_CTX_set_ciphersuites(ctx, "TLS_AES_128_GCM_SHA256:"
	    "TLS_AES_256_GCM_SHA384:TLS_CHACHA20_POLY1305_SHA256");
	SSL_CTX_set_verify(ctx, SSL_VERIFY_PEER, NULL);
	SSL_CTX_set_read_ahead(ctx, 1);
	if ((ref_ssl = SSL_new(ctx)) == NULL ||
	    SSL_set_fd(ref_ssl, ref_fd) != 1 ||
	    SSL_set_tlsext_host_name(ref_ssl, host) != 1 ||
	    SSL_set1_host(ref_ssl, host) != 1 ||
	    SSL_connect(ref_ssl) != 1)
		ref_die("TLS handshake failed");
	SSL_CTX_free(ctx);
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
		ssize_t n = ref_read(sp, sl, block);
		if (n == 0)
			return 0;
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
	ref_tls(host);
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
