/*
 * test-tls.c: the TLS transport (src/tls.c) hands the frame reader the
 * bytes a TCP transport would, and keeps transport.h's contract.
 *
 * Each case is one session over a socketpair. A forked child is the
 * broker: an OpenSSL server with a certificate made here (EC P-256,
 * self-signed, CN localhost; nothing on disk), non-blocking under poll(),
 * sending its stream in records of random sizes with random pauses, asking
 * for TLS 1.3 key updates as it goes (one at a time: OpenSSL 3.0 fails a
 * session with "bad length" when a second request arrives while a write of
 * ours is pending; the answers ride on the parent's writes, which OpenSSL
 * defers them to), reading what the parent writes as slowly as told and
 * checking every byte (and that the key updates were answered). The
 * parent is the connection: rs_tls_wrap() (--insecure) on its non-blocking
 * end, then t->read into struct rs_reader as src/conn.c does (read until a
 * short read, then wait for readiness; `wants` honoured both ways) and
 * t->write from an output buffer that moves and grows between retries.
 *
 *  - every input of fuzz/corpus/reader, back to back over TLS 1.3 and again
 *    over TLS 1.2: for each input the frames that come out (count, lengths
 *    and bytes), the error and the bytes left over are those of the same
 *    bytes fed to an rs_reader directly; so is the byte stream as a whole;
 *  - frames of 6 MiB (Deliver) and 3 MiB, while the parent writes 8 MiB to
 *    a child that reads 4 KiB at a time: partial writes and 0 returns,
 *    retried with a moved, longer buffer, and every byte arrives (the
 *    handshake is driven by that first write, which waits for a read:
 *    RS_T_WRITE_WANTS_READ; RS_T_READ_WANTS_WRITE does not occur here, as
 *    OpenSSL 3.0 puts the answer to a key update on the next write);
 *  - the end of a session: close_notify from the peer (read < 0, "connection
 *    closed by the broker", not a TLS failure), the peer vanishing after a
 *    whole record in the middle of a frame and in the middle of a record
 *    (read < 0, the frames before it intact, the cut one never delivered,
 *    kind not RS_E_TLS: the session was up, the loss is retryable), the
 *    peer's close_notify answered by ours from t->close;
 *  - no session: a peer that is not TLS (RS_E_TLS, "does not speak TLS"),
 *    a peer that hangs up on the ClientHello (RS_E_TLS).
 *
 * A stall (no progress for 5 s while the transport holds data it did not
 * hand over) fails the case instead of hanging it. CORPUS_DIR is set by
 * Makefile.am.
 */
#include "config.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <openssl/bio.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>

#include "err.h"
#include "proto.h"
#include "reader.h"
#include "tls.h"
#include "transport.h"
#include "tap.h"

#ifndef CORPUS_DIR
#define CORPUS_DIR	"fuzz/corpus/reader"
#endif

#define READ_BLOCK	(256u << 10)	/* as src/conn.c asks */
#define STALL_MS	5000
#define MAX_INPUTS	4096
#define BIG_DELIVER	(6u << 20)
#define BIG_OTHER	(3u << 20)
#define PARENT_WRITES	(8u << 20)

/* ---- small helpers ------------------------------------------------------ */

static uint64_t	 rng_state = 0x2545f4914f6cdd1dULL;

/* xorshift64*: the same sequence every run. */
static uint64_t
rnd(void)
{
	rng_state ^= rng_state >> 12;
	rng_state ^= rng_state << 25;
	rng_state ^= rng_state >> 27;
	return rng_state * 0x2545f4914f6cdd1dULL;
}

/* A number in 1..n (n > 0). */
static size_t
rnd1(size_t n)
{
	return 1 + (size_t)(rnd() % n);
}

/* The byte at position i of the parent's output (so the child can check it). */
static uint8_t
pattern(size_t i)
{
	return (uint8_t)(((uint32_t)i * 0x9e3779b1u) >> 24 ^ (uint32_t)(i >> 13));
}

/* FNV-1a over n bytes, continuing from h. */
static uint64_t
fnv(uint64_t h, const void *p, size_t n)
{
	const uint8_t	*b = p;
	size_t		 i;

	for (i = 0; i < n; i++)
		h = (h ^ b[i]) * 0x100000001b3ULL;
	return h;
}

#define FNV0	0xcbf29ce484222325ULL

static void
put32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)(v >> 24);
	p[1] = (uint8_t)(v >> 16);
	p[2] = (uint8_t)(v >> 8);
	p[3] = (uint8_t)v;
}

/* A growing byte string. */
struct bytes {
	uint8_t	*p;
	size_t	 len, cap;
};

static void
bytes_add(struct bytes *b, const void *p, size_t n)
{
	if (b->len + n > b->cap) {
		b->cap = b->cap ? b->cap : 4096;
		while (b->cap < b->len + n)
			b->cap *= 2;
		if ((b->p = realloc(b->p, b->cap)) == NULL)
			abort();
	}
	if (n > 0)
		memcpy(b->p + b->len, p, n);
	b->len += n;
}

/* Append a frame of key with a body of n bytes (body NULL: a fill pattern). */
static void
add_frame(struct bytes *b, uint16_t key, const uint8_t *body, size_t n)
{
	uint8_t	 h[8], chunk[4096];
	size_t	 i, k;

	put32(h, (uint32_t)(4 + n));
	h[4] = (uint8_t)(key >> 8);
	h[5] = (uint8_t)key;
	h[6] = 0;
	h[7] = 1;
	bytes_add(b, h, sizeof h);
	if (body != NULL) {
		bytes_add(b, body, n);
		return;
	}
	for (i = 0; i < n; i += k) {
		k = n - i < sizeof chunk ? n - i : sizeof chunk;
		for (size_t j = 0; j < k; j++)
			chunk[j] = (uint8_t)((i + j) * 7 + key);
		bytes_add(b, chunk, k);
	}
}

/* ---- what the frame reader makes of a byte stream ----------------------- */

/*
 * One input's outcome: how many frames, a hash of their lengths and bytes
 * in order, whether and how the reader failed, and how many bytes it holds
 * unconsumed at the end.
 */
struct outcome {
	size_t		 frames;
	uint64_t	 hash;
	int		 err;
	char		 errstr[128];
	size_t		 left;
	size_t		 longest;
};

static void
outcome_init(struct outcome *o)
{
	memset(o, 0, sizeof *o);
	o->hash = FNV0;
}

/* Take every whole frame out of r into o. */
static void
drain_frames(struct rs_reader *r, struct outcome *o)
{
	const uint8_t	*f;
	size_t		 len;
	uint64_t	 l;
	int		 rc;

	if (o->err)
		return;
	while ((rc = rs_reader_next(r, &f, &len)) == 1) {
		l = len;
		o->hash = fnv(o->hash, &l, sizeof l);
		o->hash = fnv(o->hash, f, len);
		o->frames++;
		if (len > o->longest)
			o->longest = len;
	}
	if (rc == -1) {
		o->err = 1;
		snprintf(o->errstr, sizeof o->errstr, "%s", r->errstr);
	}
}

static void
outcome_end(struct rs_reader *r, struct outcome *o)
{
	if (!o->err)
		o->left = r->len - r->pos;
}

/* The reference: the bytes fed to a reader directly, in one piece. */
static void
reference(const uint8_t *p, size_t n, size_t max_frame, size_t max_deliver,
    struct outcome *o)
{
	struct rs_reader	 r;

	outcome_init(o);
	rs_reader_init(&r, max_frame, max_deliver);
	if (rs_reader_feed(&r, p, n) == -1) {
		o->err = 1;
		snprintf(o->errstr, sizeof o->errstr, "%s", r.errstr);
	} else
		drain_frames(&r, o);
	outcome_end(&r, o);
	rs_reader_free(&r);
}

/* ---- the parent: the connection's side ---------------------------------- */

/*
 * The stream the parent reads is cut into segments (the corpus inputs, or
 * one segment for everything); each segment gets a fresh reader, as each
 * corpus input is a connection's worth of bytes of its own.
 */
struct segs {
	const size_t	*len;		/* each segment's length */
	size_t		 n;
	size_t		 max_frame, max_deliver;
	struct outcome	*got;		/* n outcomes, filled in */
	/* progress */
	size_t		 cur;		/* segment being read */
	size_t		 off;		/* bytes of it read */
	struct rs_reader r;
	int		 open;
	uint8_t		 scratch[65536]; /* after a reader failed */
};

static void
segs_start(struct segs *s)
{
	while (s->cur < s->n && s->len[s->cur] == 0) {
		outcome_init(&s->got[s->cur]);
		s->cur++;
	}
	if (s->cur < s->n) {
		rs_reader_init(&s->r, s->max_frame, s->max_deliver);
		outcome_init(&s->got[s->cur]);
		s->off = 0;
		s->open = 1;
	}
}

/* Where the next bytes go and how many to ask for; 0 when all are read. */
static size_t
segs_space(struct segs *s, uint8_t **p)
{
	struct outcome	*o;
	size_t		 avail, want;

	if (s->cur >= s->n)
		return 0;
	o = &s->got[s->cur];
	want = s->len[s->cur] - s->off;
	if (!o->err && rs_reader_space(&s->r, READ_BLOCK, p, &avail) == -1) {
		o->err = 1;
		snprintf(o->errstr, sizeof o->errstr, "%s", s->r.errstr);
	}
	if (o->err) {
		*p = s->scratch;
		avail = sizeof s->scratch;
	}
	if (avail < want)
		want = avail;
	/* Mostly all there is room for, as conn.c asks; sometimes less. */
	if (rnd() % 4 == 0)
		want = rnd1(want);
	return want;
}

static void
segs_commit(struct segs *s, size_t n)
{
	struct outcome	*o = &s->got[s->cur];

	if (!o->err) {
		rs_reader_commit(&s->r, n);
		drain_frames(&s->r, o);
	}
	s->off += n;
	if (s->off == s->len[s->cur]) {
		outcome_end(&s->r, o);
		rs_reader_free(&s->r);
		s->open = 0;
		s->cur++;
		segs_start(s);
	}
}

/* What the parent writes: a buffer that moves (and grows) when a write would block. */
struct outbuf {
	uint8_t	*p;
	size_t	 len, off;
	size_t	 produced, total;	/* pattern bytes queued so far / in all */
};

/* Queue up to n more pattern bytes, into a new buffer (the old one freed). */
static void
outbuf_grow(struct outbuf *w, size_t n)
{
	uint8_t	*np;
	size_t	 i, keep = w->len - w->off;

	if (n > w->total - w->produced)
		n = w->total - w->produced;
	if ((np = malloc(keep + n + 1)) == NULL)
		abort();
	if (keep > 0)
		memcpy(np, w->p + w->off, keep);
	for (i = 0; i < n; i++)
		np[keep + i] = pattern(w->produced + i);
	free(w->p);
	w->p = np;
	w->len = keep + n;
	w->off = 0;
	w->produced += n;
}

struct run {
	struct rs_transport	 t;
	struct segs		*segs;
	struct outbuf		 out;
	uint64_t		 in_hash;	/* every byte t->read gave */
	size_t			 in_len;
	int			 rc;		/* 0 running, -1 read failed, 1 done */
	int			 stalled;
	ssize_t			 again;		/* a read after the failure */
	enum rs_err_kind	 kind;
	char			 errstr[256];
	size_t			 reads, short_reads, zero_reads;
	size_t			 writes, zero_writes, partial_writes;
	size_t			 read_wants_write, write_wants_read;
};

/* Read as conn_read() does: until a short read, a 0 or an error. */
static void
do_read(struct run *u)
{
	uint8_t	*p;
	size_t	 want;
	ssize_t	 n;

	for (;;) {
		if (u->segs != NULL && (want = segs_space(u->segs, &p)) > 0)
			;
		else {
			/* Nothing (more) expected: anything is an error. */
			static uint8_t	 junk[4096];

			p = junk;
			want = sizeof junk;
		}
		n = u->t.read(&u->t, p, want);
		u->reads++;
		if (n == 0) {
			u->zero_reads++;
			if (u->t.wants & RS_T_READ_WANTS_WRITE)
				u->read_wants_write++;
			return;
		}
		if (n < 0) {
			u->rc = -1;
			u->kind = u->t.kind;
			snprintf(u->errstr, sizeof u->errstr, "%s", u->t.errstr);
			u->again = u->t.read(&u->t, p, want);
			return;
		}
		if ((size_t)n > want) {
			u->rc = -1;
			snprintf(u->errstr, sizeof u->errstr,
			    "read returned %zd for %zu bytes asked", n, want);
			return;
		}
		u->in_hash = fnv(u->in_hash, p, (size_t)n);
		u->in_len += (size_t)n;
		if (u->segs != NULL && (u->segs->cur < u->segs->n))
			segs_commit(u->segs, (size_t)n);
		if ((size_t)n < want) {
			u->short_reads++;
			return;
		}
	}
}

/* Write what is queued, as rs_conn_flush() does. */
static void
do_write(struct run *u)
{
	ssize_t	 n;

	while (u->out.off < u->out.len) {
		n = u->t.write(&u->t, u->out.p + u->out.off,
		    u->out.len - u->out.off);
		u->writes++;
		if (n < 0) {
			u->rc = -1;
			u->kind = u->t.kind;
			snprintf(u->errstr, sizeof u->errstr, "write: %.240s",
			    u->t.errstr);
			return;
		}
		if (n == 0) {
			u->zero_writes++;
			if (u->t.wants & RS_T_WRITE_WANTS_READ)
				u->write_wants_read++;
			/* More frames get queued meanwhile: the buffer moves. */
			outbuf_grow(&u->out, 256u << 10);
			return;
		}
		if ((size_t)n < u->out.len - u->out.off)
			u->partial_writes++;
		u->out.off += (size_t)n;
		if (u->out.off == u->out.len)
			outbuf_grow(&u->out, rnd1(1u << 20));
	}
}

static int
out_pending(const struct run *u)
{
	return u->out.off < u->out.len;
}

/* Is everything the parent waits for in? */
static int
run_done(const struct run *u)
{
	return (u->segs == NULL || u->segs->cur >= u->segs->n) &&
	    !out_pending(u);
}

/*
 * The event loop of the connection, on poll(): until everything expected
 * was read and written (and stop_on_done), or a read fails, or nothing
 * happens for STALL_MS.
 */
static void
loop(struct run *u, int stop_on_done)
{
	struct pollfd	 pfd;
	int		 r, wants;

	do_write(u);
	if (u->rc == 0)
		do_read(u);
	while (u->rc == 0) {
		if (stop_on_done && run_done(u)) {
			u->rc = 1;
			return;
		}
		pfd.fd = u->t.fd;
		pfd.events = POLLIN;
		if ((out_pending(u) && !(u->t.wants & RS_T_WRITE_WANTS_READ)) ||
		    (u->t.wants & RS_T_READ_WANTS_WRITE))
			pfd.events |= POLLOUT;
		do
			r = poll(&pfd, 1, STALL_MS);
		while (r == -1 && errno == EINTR);
		if (r == 0) {
			u->stalled = 1;
			return;
		}
		wants = u->t.wants;
		if ((pfd.revents & POLLOUT) || ((pfd.revents & ~POLLOUT) &&
		    (wants & RS_T_WRITE_WANTS_READ)))
			do_write(u);
		if (u->rc == 0 && ((pfd.revents & ~POLLOUT) ||
		    ((pfd.revents & POLLOUT) && (wants & RS_T_READ_WANTS_WRITE))))
			do_read(u);
	}
}

/* ---- the child: the broker's side --------------------------------------- */

enum ending {
	END_WAIT,		/* send all, then wait for the parent's close_notify */
	END_NOTIFY,		/* send all, close_notify, wait for EOF */
	END_VANISH,		/* send all, close the socket: no close_notify */
	END_VANISH_MID_RECORD,	/* the last `cut` bytes in a record sent in half */
	END_PLAIN,		/* no TLS: send the bytes raw, wait for EOF */
	END_HANG_UP		/* no TLS: read the ClientHello, close */
};

struct peer {
	const uint8_t	*out;		/* what the broker sends */
	size_t		 out_len;
	size_t		 max_record;	/* plaintext per record: 1..this */
	int		 pause_pct;	/* % of records followed by a pause */
	int		 key_update;	/* ask for a key update every N records */
	size_t		 expect_in;	/* pattern bytes it must receive */
	size_t		 read_max;	/* bytes per SSL_read at most */
	int		 read_sleep_us;	/* after each read */
	int		 tls12;		/* the server stops at TLS 1.2 */
	enum ending	 end;
	size_t		 cut;		/* END_VANISH_MID_RECORD */
	size_t		 hold_tail;	/* the last bytes wait for all input */
};

static SSL_CTX	*server_ctx13, *server_ctx12;
static size_t	 answered_updates;	/* KeyUpdates the child received */

/* Count the KeyUpdate messages the peer sends (the child's answers). */
static void
msg_cb(int write_p, int version, int content_type, const void *buf,
    size_t len, SSL *ssl, void *arg)
{
	(void)version;
	(void)ssl;
	(void)arg;
	if (!write_p && content_type == SSL3_RT_HANDSHAKE && len > 0 &&
	    ((const uint8_t *)buf)[0] == SSL3_MT_KEY_UPDATE)
		answered_updates++;
}

/* A self-signed certificate for localhost and a server context with it. */
static SSL_CTX *
make_server_ctx(EVP_PKEY **keyp, X509 **certp, int tls12)
{
	SSL_CTX		*ctx;
	EVP_PKEY	*key = *keyp;
	X509		*x = *certp;
	X509_NAME	*name;

	if (key == NULL) {
		if ((key = EVP_EC_gen("P-256")) == NULL || (x = X509_new()) == NULL)
			return NULL;
		X509_set_version(x, 2);
		ASN1_INTEGER_set(X509_get_serialNumber(x), 1);
		X509_gmtime_adj(X509_getm_notBefore(x), -60);
		X509_gmtime_adj(X509_getm_notAfter(x), 3600);
		X509_set_pubkey(x, key);
		name = X509_get_subject_name(x);
		X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC,
		    (const unsigned char *)"localhost", -1, -1, 0);
		X509_set_issuer_name(x, name);
		if (X509_sign(x, key, EVP_sha256()) == 0)
			return NULL;
		*keyp = key;
		*certp = x;
	}
	if ((ctx = SSL_CTX_new(TLS_server_method())) == NULL)
		return NULL;
	if (SSL_CTX_use_certificate(ctx, x) != 1 ||
	    SSL_CTX_use_PrivateKey(ctx, key) != 1) {
		SSL_CTX_free(ctx);
		return NULL;
	}
	SSL_CTX_set_min_proto_version(ctx, TLS1_2_VERSION);
	SSL_CTX_set_msg_callback(ctx, msg_cb);
	if (tls12)
		SSL_CTX_set_max_proto_version(ctx, TLS1_2_VERSION);
	return ctx;
}

static void __attribute__((format(printf, 1, 2), noreturn))
child_fail(const char *fmt, ...)
{
	va_list	 ap;
	char	 buf[256];

	va_start(ap, fmt);
	vsnprintf(buf, sizeof buf, fmt, ap);
	va_end(ap);
	fprintf(stderr, "# child: %s\n", buf);
	ERR_print_errors_fp(stderr);
	_exit(2);
}

/* Wait until fd is ready for events, at most STALL_MS. */
static void
child_wait(int fd, short events)
{
	struct pollfd	 pfd = { .fd = fd, .events = events };
	int		 r;

	do
		r = poll(&pfd, 1, STALL_MS);
	while (r == -1 && errno == EINTR);
	if (r == 0)
		child_fail("no progress for %d ms", STALL_MS);
}

/* Write all of p to the (non-blocking) fd. */
static void
child_write_raw(int fd, const void *p, size_t n)
{
	const uint8_t	*b = p;
	ssize_t		 r;

	while (n > 0) {
		if ((r = write(fd, b, n)) > 0) {
			b += r;
			n -= (size_t)r;
		} else if (r == -1 && errno == EAGAIN)
			child_wait(fd, POLLOUT);
		else if (r == -1 && errno != EINTR)
			child_fail("write: %s", strerror(errno));
	}
}

/* Wait for EOF from the parent (bytes before it are ignored). */
static void
child_wait_eof(int fd)
{
	uint8_t	 buf[4096];
	ssize_t	 r;

	for (;;) {
		child_wait(fd, POLLIN);
		r = read(fd, buf, sizeof buf);
		if (r == 0 || (r == -1 && errno != EAGAIN && errno != EINTR))
			return;
	}
}

/* The child's whole life: the broker side of one case. Never returns. */
static void __attribute__((noreturn))
child(int fd, const struct peer *pe)
{
	SSL		*ssl;
	uint8_t		 buf[16384];
	size_t		 out_off = 0, in = 0, k, pend = 0, records = 0, i;
	size_t		 body_end, limit, key_updates = 0;
	int		 e, r, sent_all = 0, shut = 0, peer_closed = 0, progress;
	short		 ev;

	signal(SIGPIPE, SIG_IGN);
	rng_state ^= (uint64_t)getpid() << 17;
	if (pe->end == END_PLAIN) {
		child_write_raw(fd, pe->out, pe->out_len);
		child_wait_eof(fd);
		_exit(0);
	}
	if (pe->end == END_HANG_UP) {
		child_wait(fd, POLLIN);
		(void)read(fd, buf, sizeof buf);
		close(fd);
		_exit(0);
	}
	if ((ssl = SSL_new(pe->tls12 ? server_ctx12 : server_ctx13)) == NULL ||
	    SSL_set_fd(ssl, fd) != 1)
		child_fail("SSL_new");
	/* Handshake. */
	while ((r = SSL_accept(ssl)) != 1) {
		e = SSL_get_error(ssl, r);
		if (e == SSL_ERROR_WANT_READ)
			child_wait(fd, POLLIN);
		else if (e == SSL_ERROR_WANT_WRITE)
			child_wait(fd, POLLOUT);
		else
			child_fail("SSL_accept: error %d", e);
	}
	body_end = pe->end == END_VANISH_MID_RECORD ? pe->out_len - pe->cut :
	    pe->out_len;
	for (;;) {
		ev = 0;
		progress = 0;
		/*
		 * Send a record (the same size again after a WANT). The last
		 * hold_tail bytes wait until all the parent writes is in: the
		 * parent, done when it has them, then closes on an empty socket.
		 */
		limit = in < pe->expect_in ? body_end - pe->hold_tail : body_end;
		if (out_off < limit) {
			if (pend == 0)
				pend = rnd1(pe->max_record);
			if (pend > limit - out_off)
				pend = limit - out_off;
			if (SSL_write_ex(ssl, pe->out + out_off, pend, &k) == 1) {
				out_off += k;
				pend = 0;
				records++;
				progress = 1;
				/*
				 * One request at a time (RFC 8446bis 4.6.3),
				 * and none after the last record: OpenSSL
				 * sends it with the next write, which would
				 * then race the parent's close.
				 */
				if (pe->key_update && out_off < body_end &&
				    records % (size_t)pe->key_update == 0 &&
				    key_updates == answered_updates &&
				    SSL_version(ssl) == TLS1_3_VERSION &&
				    SSL_key_update(ssl, SSL_KEY_UPDATE_REQUESTED))
					key_updates++;
				ERR_clear_error();
				if ((int)(rnd() % 100) < pe->pause_pct)
					usleep((useconds_t)rnd1(2000));
			} else if ((e = SSL_get_error(ssl, 0)) == SSL_ERROR_WANT_WRITE)
				ev |= POLLOUT;
			else if (e == SSL_ERROR_WANT_READ)
				ev |= POLLIN;
			else
				child_fail("SSL_write: error %d", e);
		} else if (out_off == body_end && !sent_all) {
			sent_all = 1;
			switch (pe->end) {
			case END_VANISH:
				close(fd);
				_exit(0);
			case END_VANISH_MID_RECORD: {
				BIO		*mem = BIO_new(BIO_s_mem());
				char		*rec;
				long		 len;

				SSL_set0_wbio(ssl, mem);
				if (SSL_write_ex(ssl, pe->out + body_end, pe->cut,
				    &k) != 1)
					child_fail("SSL_write to memory");
				len = BIO_get_mem_data(mem, &rec);
				child_write_raw(fd, rec, (size_t)len / 2);
				close(fd);
				_exit(0);
			}
			case END_NOTIFY:
				shut = 1;
				break;
			default:
				break;
			}
		}
		if (shut == 1) {
			r = SSL_shutdown(ssl);
			if (r >= 0)
				shut = 2;	/* close_notify sent */
			else if ((e = SSL_get_error(ssl, r)) == SSL_ERROR_WANT_WRITE)
				ev |= POLLOUT;
			else
				child_fail("SSL_shutdown: error %d", e);
		}
		/* Read what the parent sends, slowly if told. */
		k = pe->read_max && pe->read_max < sizeof buf ? pe->read_max :
		    sizeof buf;
		if (SSL_read_ex(ssl, buf, k, &k) == 1) {
			for (i = 0; i < k; i++)
				if (in + i >= pe->expect_in ||
				    buf[i] != pattern(in + i))
					child_fail("byte %zu from the parent is "
					    "wrong", in + i);
			in += k;
			progress = 1;
			if (pe->read_sleep_us)
				usleep((useconds_t)pe->read_sleep_us);
		} else {
			e = SSL_get_error(ssl, 0);
			if (e == SSL_ERROR_ZERO_RETURN)
				peer_closed = 1;	/* close_notify */
			else if (e == SSL_ERROR_WANT_READ)
				ev |= POLLIN;
			else if (e == SSL_ERROR_WANT_WRITE)
				ev |= POLLOUT;
			else if (shut)
				peer_closed = 1;	/* after ours, any end will do */
			else
				child_fail("SSL_read: error %d after %zu bytes "
				    "(errno %d, sent %zu of %zu, key updates %zu/%zu)",
				    e, in, errno, out_off, body_end, key_updates,
				    answered_updates);
			ERR_clear_error();
		}
		if (peer_closed) {
			if (in != pe->expect_in)
				child_fail("%zu bytes from the parent, not %zu",
				    in, pe->expect_in);
			if (out_off < body_end)
				child_fail("the parent left before reading all");
			if (pe->key_update && !pe->tls12 && (key_updates == 0 ||
			    (pe->expect_in > 0 && answered_updates < 2)))
				child_fail("%zu key updates asked for, %zu answered",
				    key_updates, answered_updates);
			_exit(0);
		}
		if (!progress)
			child_wait(fd, ev ? ev : POLLIN);
	}
}

/* ---- one case ----------------------------------------------------------- */

/*
 * Start a child playing pe on one end of a socketpair; wrap the other in
 * TLS (insecure: the certificate is self-signed) and run the loop. The
 * child's exit status in *child_status.
 */
static int
run_case(struct run *u, struct rs_tls *tls, const struct peer *pe,
    int stop_on_done, int *child_status)
{
	int	 sv[2], st;
	pid_t	 pid;

	u->in_hash = FNV0;
	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) == -1)
		return -1;
	fflush(stdout);
	fflush(stderr);
	if ((pid = fork()) == -1)
		return -1;
	if (pid == 0) {
		close(sv[0]);
		fcntl(sv[1], F_SETFL, O_NONBLOCK);
		child(sv[1], pe);
	}
	close(sv[1]);
	fcntl(sv[0], F_SETFL, O_NONBLOCK);
	if (rs_tls_wrap(&u->t, tls, sv[0], "localhost", 5551) == -1) {
		diag("rs_tls_wrap: %s", u->t.errstr);
		kill(pid, SIGKILL);
		waitpid(pid, &st, 0);
		return -1;
	}
	loop(u, stop_on_done);
	u->t.close(&u->t);
	u->t.close(&u->t);		/* twice: harmless */
	if (u->stalled)
		kill(pid, SIGKILL);
	while (waitpid(pid, &st, 0) == -1 && errno == EINTR)
		;
	*child_status = WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
	return 0;
}

/* ---- the corpus --------------------------------------------------------- */

static int
cmp_names(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/*
 * Every corpus input (after its first byte, the fuzz target's split step)
 * back to back in one stream; the length of each in lens.
 */
static size_t
load_corpus(struct bytes *all, size_t *lens, char **names)
{
	DIR		*d;
	struct dirent	*de;
	FILE		*f;
	char		 path[4096];
	uint8_t		 buf[65536];
	size_t		 n = 0, i, got, len;

	if ((d = opendir(CORPUS_DIR)) == NULL)
		return 0;
	while ((de = readdir(d)) != NULL && n < MAX_INPUTS)
		if (de->d_name[0] != '.')
			names[n++] = strdup(de->d_name);
	closedir(d);
	qsort(names, n, sizeof *names, cmp_names);
	for (i = 0; i < n; i++) {
		snprintf(path, sizeof path, "%s/%s", CORPUS_DIR, names[i]);
		len = 0;
		if ((f = fopen(path, "rb")) != NULL) {
			while ((got = fread(buf, 1, sizeof buf, f)) > 0) {
				if (len == 0)	/* drop the step byte */
					bytes_add(all, buf + 1, got - 1);
				else
					bytes_add(all, buf, got);
				len += got;
			}
			fclose(f);
		}
		lens[i] = len > 0 ? len - 1 : 0;
	}
	return n;
}

/* The corpus over one TLS version: every input's outcome as fed directly. */
static void
test_corpus(struct rs_tls *tls, int tls12)
{
	static size_t	 lens[MAX_INPUTS];
	static char	*names[MAX_INPUTS];
	struct bytes	 all = { 0 };
	struct outcome	*want, *got;
	struct segs	 s;
	struct run	 u;
	struct peer	 pe;
	size_t		 n, i, off, bad = 0, frames = 0, errs = 0;
	int		 cst;
	const char	*v = tls12 ? "TLS 1.2" : "TLS 1.3";

	n = load_corpus(&all, lens, names);
	if (!ok(n > 100, "%s: the reader corpus has %zu inputs", v, n))
		return;
	want = calloc(n, sizeof *want);
	got = calloc(n, sizeof *got);
	for (i = off = 0; i < n; off += lens[i], i++) {
		reference(all.p + off, lens[i], 1u << 20, 4u << 20, &want[i]);
		frames += want[i].frames;
		errs += want[i].err;
	}
	memset(&s, 0, sizeof s);
	s.len = lens;
	s.n = n;
	s.max_frame = 1u << 20;
	s.max_deliver = 4u << 20;
	s.got = got;
	segs_start(&s);
	memset(&u, 0, sizeof u);
	u.segs = &s;
	memset(&pe, 0, sizeof pe);
	pe.out = all.p;
	pe.out_len = all.len;
	pe.max_record = tls12 ? 16384 : 700;
	pe.pause_pct = 2;
	pe.key_update = tls12 ? 0 : 37;
	pe.tls12 = tls12;
	pe.end = END_WAIT;
	if (!ok(run_case(&u, tls, &pe, 1, &cst) == 0, "%s: a session", v))
		goto out;
	ok(!u.stalled, "%s: no stall (%zu reads, %zu short, %zu would block, "
	    "%zu wanted to write)", v, u.reads, u.short_reads, u.zero_reads,
	    u.read_wants_write);
	if (u.rc == -1)
		diag("read failed: %s", u.errstr);
	is_int(u.rc, 1, "%s: every byte read", v);
	is_uint(u.in_len, all.len, "%s: %zu bytes", v, all.len);
	ok(u.in_hash == fnv(FNV0, all.p, all.len),
	    "%s: the byte stream is the one sent", v);
	for (i = 0; i < n; i++) {
		if (got[i].frames == want[i].frames &&
		    got[i].hash == want[i].hash && got[i].err == want[i].err &&
		    strcmp(got[i].errstr, want[i].errstr) == 0 &&
		    got[i].left == want[i].left)
			continue;
		if (bad++ < 5)
			diag("%s: %zu frames, err \"%s\", %zu left; fed directly: "
			    "%zu frames, err \"%s\", %zu left", names[i],
			    got[i].frames, got[i].errstr, got[i].left,
			    want[i].frames, want[i].errstr, want[i].left);
	}
	is_uint(bad, 0, "%s: each of %zu inputs gives the frames (%zu), errors "
	    "(%zu) and leftovers of the same bytes fed directly", v, n,
	    frames, errs);
	is_int(cst, 0, "%s: the peer got every byte%s, then our close_notify",
	    v, tls12 ? "" : " and asked for key updates");
out:
	if (s.open)
		rs_reader_free(&s.r);
	for (i = 0; i < n; i++)
		free(names[i]);
	free(want);
	free(got);
	free(all.p);
}

/* ---- large frames, and writes to a slow reader --------------------------- */

static void
test_large(struct rs_tls *tls)
{
	struct bytes	 all = { 0 };
	struct outcome	 want, got;
	struct segs	 s;
	struct run	 u;
	struct peer	 pe;
	size_t		 len;
	int		 cst;
	static const uint8_t	 hb[] = { 0 };

	add_frame(&all, RS_HEARTBEAT, hb, 0);
	add_frame(&all, RS_DELIVER, NULL, BIG_DELIVER);
	add_frame(&all, RS_PEER_PROPERTIES | 0x8000, NULL, BIG_OTHER);
	add_frame(&all, RS_HEARTBEAT, hb, 0);
	reference(all.p, all.len, RS_FRAME_CAP, RS_DELIVER_CAP, &want);
	ok(want.frames == 4 && !want.err && want.left == 0,
	    "large: the reference reads 4 frames, the longest %zu bytes",
	    want.longest);

	len = all.len;
	memset(&s, 0, sizeof s);
	s.len = &len;
	s.n = 1;
	s.max_frame = RS_FRAME_CAP;
	s.max_deliver = RS_DELIVER_CAP;
	s.got = &got;
	segs_start(&s);
	memset(&u, 0, sizeof u);
	u.segs = &s;
	u.out.total = PARENT_WRITES;
	outbuf_grow(&u.out, 1u << 20);
	memset(&pe, 0, sizeof pe);
	pe.out = all.p;
	pe.out_len = all.len;
	pe.max_record = 16384;
	pe.pause_pct = 1;
	pe.key_update = 5;
	pe.expect_in = PARENT_WRITES;
	pe.read_max = 4096;
	pe.read_sleep_us = 50;
	pe.hold_tail = 8;		/* the last Heartbeat */
	pe.end = END_WAIT;
	if (!ok(run_case(&u, tls, &pe, 1, &cst) == 0, "large: a session"))
		goto out;
	ok(!u.stalled, "large: no stall");
	if (u.rc == -1)
		diag("failed: %s", u.errstr);
	is_int(u.rc, 1, "large: all read and written");
	ok(got.frames == want.frames && got.hash == want.hash &&
	    !got.err && got.left == 0,
	    "large: the same 4 frames as fed directly (got %zu, longest %zu)",
	    got.frames, got.longest);
	ok(u.in_hash == fnv(FNV0, all.p, all.len) && u.in_len == all.len,
	    "large: the byte stream is the one sent (%zu bytes)", u.in_len);
	is_uint(u.out.produced, PARENT_WRITES, "large: %u MiB written",
	    PARENT_WRITES >> 20);
	ok(u.zero_writes > 0 && u.partial_writes > 0,
	    "large: writes to a slow reader: %zu would block, %zu partial, "
	    "retried with a moved, longer buffer", u.zero_writes,
	    u.partial_writes);
	diag("large: %zu reads (%zu short, %zu would block, %zu wanted to "
	    "write), %zu writes (%zu waited for a read)", u.reads,
	    u.short_reads, u.zero_reads, u.read_wants_write, u.writes,
	    u.write_wants_read);
	is_int(cst, 0, "large: the peer got every byte written, in order, "
	    "then our close_notify");
out:
	if (s.open)
		rs_reader_free(&s.r);
	free(u.out.p);
	free(all.p);
}

/* ---- endings ------------------------------------------------------------ */

/* A few small frames, and where the last one starts. */
static size_t
small_frames(struct bytes *b)
{
	static const uint8_t	 tune[] = { 0, 0x10, 0, 0, 0, 0, 0, 60 };
	size_t			 last;

	add_frame(b, RS_TUNE, tune, sizeof tune);
	add_frame(b, RS_DELIVER, NULL, 5000);
	add_frame(b, RS_HEARTBEAT, NULL, 0);
	last = b->len;
	add_frame(b, RS_DELIVER, NULL, 3000);
	return last;
}

/*
 * The peer ends the session as `end` says after sending `upto` bytes of
 * the small frames (the rest never arrives): read fails, the frames
 * before are whole, nothing of the cut one comes out.
 */
static void
test_end(struct rs_tls *tls, const char *what, enum ending end, int whole)
{
	struct bytes	 all = { 0 };
	struct outcome	 want, got;
	struct segs	 s;
	struct run	 u;
	struct peer	 pe;
	size_t		 last, len, sent;
	int		 cst;

	last = small_frames(&all);
	/* What arrives: all (whole) or up to the middle of the last frame. */
	sent = whole ? all.len : last + (all.len - last) / 2;
	reference(all.p, sent, RS_FRAME_CAP, RS_DELIVER_CAP, &want);
	len = all.len;			/* what the reader waits for */
	memset(&s, 0, sizeof s);
	s.len = &len;
	s.n = 1;
	s.max_frame = RS_FRAME_CAP;
	s.max_deliver = RS_DELIVER_CAP;
	s.got = &got;
	segs_start(&s);
	memset(&u, 0, sizeof u);
	u.segs = &s;
	memset(&pe, 0, sizeof pe);
	pe.out = all.p;
	pe.out_len = end == END_VANISH_MID_RECORD ? all.len : sent;
	pe.cut = all.len - last;	/* the last frame, whole, in the cut record */
	pe.max_record = 600;
	pe.end = end;
	if (!ok(run_case(&u, tls, &pe, 0, &cst) == 0, "%s: a session", what))
		goto out;
	ok(!u.stalled, "%s: no hang", what);
	is_int(u.rc, -1, "%s: read fails", what);
	if (!whole)
		outcome_end(&s.r, &got);
	ok(got.frames == want.frames && got.hash == want.hash && !got.err,
	    "%s: the %zu frames before it come out whole (got %zu)", what,
	    want.frames, got.frames);
	is_uint(u.in_len, whole ? all.len : (end == END_VANISH_MID_RECORD ?
	    last : sent), "%s: no byte of a cut record is delivered", what);
	ok(u.errstr[0] != '\0' && strchr(u.errstr, '\n') == NULL &&
	    strstr(u.errstr, "error:") == NULL,
	    "%s: one clean line: \"%s\"", what, u.errstr);
	ok(u.kind != RS_E_TLS && strncmp(u.errstr, "TLS handshake", 13) != 0,
	    "%s: a lost connection (kind %d), not a TLS handshake failure",
	    what, (int)u.kind);
	if (end == END_NOTIFY) {
		is_str(u.errstr, "connection closed by the broker",
		    "%s: says the broker closed the connection", what);
		is_int(u.kind, RS_E_OK, "%s: the owner picks the kind", what);
	}
	ok(u.again < 0, "%s: and fails again when read again", what);
	is_int(cst, 0, "%s: the peer is content", what);
out:
	if (s.open)
		rs_reader_free(&s.r);
	free(all.p);
}

/* No TLS session at all: RS_E_TLS, and a reason. */
static void
test_no_tls(struct rs_tls *tls, const char *what, enum ending end,
    const char *want)
{
	struct bytes	 all = { 0 };
	struct run	 u;
	struct peer	 pe;
	int		 cst;

	small_frames(&all);
	memset(&u, 0, sizeof u);
	memset(&pe, 0, sizeof pe);
	pe.out = all.p;
	pe.out_len = all.len;
	pe.end = end;
	if (!ok(run_case(&u, tls, &pe, 0, &cst) == 0, "%s: a connection", what))
		goto out;
	ok(!u.stalled, "%s: no hang", what);
	is_int(u.rc, -1, "%s: read fails", what);
	is_uint(u.in_len, 0, "%s: no byte delivered", what);
	is_int(u.kind, RS_E_TLS, "%s: kind RS_E_TLS (exit 76)", what);
	ok(strncmp(u.errstr, "TLS handshake failed: ", 22) == 0 &&
	    strstr(u.errstr, want) != NULL && strchr(u.errstr, '\n') == NULL,
	    "%s: \"%s\"", what, u.errstr);
out:
	free(all.p);
}

int
main(void)
{
	struct rs_tls_cfg	 cfg;
	struct rs_tls		*tls;
	struct rs_err		 err;
	EVP_PKEY		*key = NULL;
	X509			*cert = NULL;

	signal(SIGPIPE, SIG_IGN);
	server_ctx13 = make_server_ctx(&key, &cert, 0);
	server_ctx12 = make_server_ctx(&key, &cert, 1);
	if (!ok(server_ctx13 != NULL && server_ctx12 != NULL,
	    "a server certificate made in memory"))
		return done_testing();
	memset(&cfg, 0, sizeof cfg);
	cfg.insecure = 1;
	memset(&err, 0, sizeof err);
	tls = rs_tls_new(&cfg, &err);
	if (!ok(tls != NULL, "rs_tls_new (insecure): %s", err.msg))
		return done_testing();

	test_corpus(tls, 0);
	test_corpus(tls, 1);
	test_large(tls);
	test_end(tls, "close_notify after whole frames", END_NOTIFY, 1);
	test_end(tls, "vanished after a record, mid-frame", END_VANISH, 0);
	test_end(tls, "vanished mid-record", END_VANISH_MID_RECORD, 0);
	test_no_tls(tls, "a peer that does not speak TLS", END_PLAIN,
	    "does not speak TLS");
	test_no_tls(tls, "a peer that hangs up on the ClientHello",
	    END_HANG_UP, "closed the connection");

	rs_tls_free(tls);
	SSL_CTX_free(server_ctx13);
	SSL_CTX_free(server_ctx12);
	X509_free(cert);
	EVP_PKEY_free(key);
	return done_testing();
}
