/*
 * tls.c: the TLS transport on OpenSSL (TLS 1.2 at least; 1.3 when the
 * broker has it, as OpenSSL prefers).
 *
 * The handshake is not a separate step: the session starts in connect
 * state and the connection's first write (PeerProperties) drives it, then
 * every read and write moves it on until it is done. OpenSSL may need to
 * read before it can write and the other way round (a handshake message, a
 * key update); transport.h's `wants` bits tell the owner which readiness
 * to wait for, so nothing spins on a writable socket while TLS waits for
 * the server. Renegotiation is refused, partial writes are on (a large
 * frame goes out record by record as the socket takes it) and the write
 * buffer may move between retries (the connection's output buffer grows).
 *
 * Verification is on unless --insecure: the chain against the system CA
 * store or --cacert, the leaf against the name we connected to (or
 * --tls-server-name): a DNS name, or an IP address when the host is one.
 * SNI carries the name when it is a DNS name. A failed handshake fails the
 * read or write with kind RS_E_TLS and one line saying why, in the words a
 * user can act on: "certificate has expired", "hostname mismatch:
 * certificate is for X", "unknown CA: ...", "the server does not speak
 * TLS".
 *
 * Reads drain OpenSSL's own buffer (read-ahead is on), so an owner that
 * waits for readiness after a short read never leaves a decrypted record
 * behind; a full read says in `buffered` whether OpenSSL holds more. Closing sends close_notify after
 * a clean session and does not wait for the broker's.
 */
#include "config.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509v3.h>

#include "proto.h"
#include "tcp.h"
#include "tls.h"

#define READ_BUFFER	(64u << 10)	/* OpenSSL's read-ahead buffer */

struct rs_tls {
	SSL_CTX	*ctx;
	char	 server_name[256];
	int	 insecure;
	int	 has_cert;
};

struct session {
	SSL		*ssl;
	struct rs_tls	*tls;
	char		 name[256];	/* what the certificate must name */
	unsigned	 port;
	int		 failed;	/* fatal: no close_notify */
	int		 established;	/* the handshake finished once */
	int		 got_data;	/* application data has arrived */
	char		 certnames[160]; /* a misnamed leaf's names */
};

/* OpenSSL's reason for the last error queued, or a fallback. */
static const char *
ssl_reason(const char *fallback)
{
	unsigned long	 e = ERR_peek_last_error();
	const char	*r;

	if (e == 0 || (r = ERR_reason_error_string(e)) == NULL)
		return fallback;
	return r;
}

/* Append s to dst (size n) with '?' for control and non-ASCII bytes. */
static void
append_printable(char *dst, size_t n, const char *s, size_t len)
{
	size_t	 at = strlen(dst);

	rs_proto_printable(dst + at, n - at, s, len);
}

/* The names a certificate is for: its DNS and IP subjectAltNames, else its CN. */
static void
cert_names(X509 *x, char *dst, size_t n)
{
	GENERAL_NAMES	*gens;
	char		 ip[INET6_ADDRSTRLEN], cn[256];
	int		 i, len;

	dst[0] = '\0';
	gens = X509_get_ext_d2i(x, NID_subject_alt_name, NULL, NULL);
	for (i = 0; gens != NULL && i < sk_GENERAL_NAME_num(gens); i++) {
		const GENERAL_NAME	*g = sk_GENERAL_NAME_value(gens, i);
		const unsigned char	*d;

		if (g->type == GEN_DNS) {
			d = ASN1_STRING_get0_data(g->d.dNSName);
			len = ASN1_STRING_length(g->d.dNSName);
		} else if (g->type == GEN_IPADD) {
			len = ASN1_STRING_length(g->d.iPAddress);
			if (inet_ntop(len == 16 ? AF_INET6 : AF_INET,
			    ASN1_STRING_get0_data(g->d.iPAddress), ip,
			    sizeof ip) == NULL || (len != 4 && len != 16))
				continue;
			d = (const unsigned char *)ip;
			len = (int)strlen(ip);
		} else
			continue;
		if (dst[0] != '\0')
			append_printable(dst, n, ", ", 2);
		append_printable(dst, n, (const char *)d, (size_t)len);
	}
	GENERAL_NAMES_free(gens);
	if (dst[0] == '\0' && (len = X509_NAME_get_text_by_NID(
	    X509_get_subject_name(x), NID_commonName, cn, sizeof cn)) > 0)
		append_printable(dst, n, cn, (size_t)len);
	if (dst[0] == '\0')
		append_printable(dst, n, "no name", 7);
}

/* Verification callback: note a misnamed leaf's names for the error line. */
static int
verify_cb(int ok, X509_STORE_CTX *x)
{
	SSL		*ssl;
	struct session	*s;
	int		 e = X509_STORE_CTX_get_error(x);

	if (ok || (e != X509_V_ERR_HOSTNAME_MISMATCH &&
	    e != X509_V_ERR_IP_ADDRESS_MISMATCH))
		return ok;
	ssl = X509_STORE_CTX_get_ex_data(x,
	    SSL_get_ex_data_X509_STORE_CTX_idx());
	if (ssl != NULL && (s = SSL_get_app_data(ssl)) != NULL &&
	    X509_STORE_CTX_get_current_cert(x) != NULL)
		cert_names(X509_STORE_CTX_get_current_cert(x), s->certnames,
		    sizeof s->certnames);
	return ok;
}

/* Why the certificate was refused, in the words of the verify result. */
static void
verify_error(struct rs_transport *t, struct session *s, long v)
{
	const char	*why = X509_verify_cert_error_string(v);

	switch (v) {
	case X509_V_ERR_CERT_HAS_EXPIRED:
		snprintf(t->errstr, sizeof t->errstr, "TLS handshake failed: "
		    "certificate has expired");
		break;
	case X509_V_ERR_CERT_NOT_YET_VALID:
		snprintf(t->errstr, sizeof t->errstr, "TLS handshake failed: "
		    "certificate is not yet valid");
		break;
	case X509_V_ERR_HOSTNAME_MISMATCH:
	case X509_V_ERR_IP_ADDRESS_MISMATCH:
		snprintf(t->errstr, sizeof t->errstr, "TLS handshake failed: "
		    "hostname mismatch: certificate is for %.100s, not %.64s",
		    s->certnames[0] ? s->certnames : "another name", s->name);
		break;
	case X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT:
	case X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT_LOCALLY:
	case X509_V_ERR_UNABLE_TO_VERIFY_LEAF_SIGNATURE:
	case X509_V_ERR_DEPTH_ZERO_SELF_SIGNED_CERT:
	case X509_V_ERR_SELF_SIGNED_CERT_IN_CHAIN:
		snprintf(t->errstr, sizeof t->errstr, "TLS handshake failed: "
		    "unknown CA: %s (--cacert FILE trusts another CA)", why);
		break;
	default:
		snprintf(t->errstr, sizeof t->errstr, "TLS handshake failed: "
		    "certificate refused: %s", why);
		break;
	}
}

/*
 * A fatal error from SSL_read/SSL_write (OpenSSL's code e): say why in
 * errstr. Before the handshake is done, and while the first reply is
 * awaited (TLS 1.3 brokers refuse a client certificate then), the kind is
 * RS_E_TLS: retrying will not help. Later it is a lost connection. Whether
 * the handshake finished is our own note: after an unexpected EOF,
 * OpenSSL 3.0's SSL_is_init_finished() says no even on an old session.
 */
static ssize_t
fatal(struct rs_transport *t, struct session *s, int e)
{
	unsigned long	 err = ERR_peek_last_error();
	int		 reason = ERR_GET_REASON(err), saved = errno;
	int		 eof, silent;
	long		 v;

	s->failed = 1;
	eof = e == SSL_ERROR_ZERO_RETURN || (e == SSL_ERROR_SYSCALL &&
	    err == 0 && saved == 0) || (ERR_GET_LIB(err) == ERR_LIB_SSL &&
	    reason == SSL_R_UNEXPECTED_EOF_WHILE_READING);
	if (s->established) {
		/*
		 * A TLS 1.3 broker refuses a client certificate after the
		 * handshake, by closing before its first reply: final. Any
		 * other failure of a session that worked is a lost
		 * connection, which the owner may retry.
		 */
		t->kind = !s->got_data && s->tls->has_cert ? RS_E_TLS : RS_E_OK;
		if (eof)
			snprintf(t->errstr, sizeof t->errstr, "connection "
			    "closed by the broker%s", t->kind == RS_E_OK ? "" :
			    " after the TLS handshake (was the client "
			    "certificate refused?)");
		else if (e == SSL_ERROR_SYSCALL && err == 0)
			snprintf(t->errstr, sizeof t->errstr, "read: %s",
			    strerror(saved));
		else
			snprintf(t->errstr, sizeof t->errstr, "%s: %s",
			    t->kind == RS_E_OK ? "TLS error" : "TLS handshake "
			    "failed: the broker refused it",
			    ssl_reason("unknown error"));
		return -1;
	}
	t->kind = RS_E_TLS;
	silent = BIO_number_read(SSL_get_rbio(s->ssl)) == 0;
	if (!s->tls->insecure &&
	    (v = SSL_get_verify_result(s->ssl)) != X509_V_OK)
		verify_error(t, s, v);
	else if ((eof && silent) || (ERR_GET_LIB(err) == ERR_LIB_SSL &&
	    (reason == SSL_R_WRONG_VERSION_NUMBER ||
	    reason == SSL_R_PACKET_LENGTH_TOO_LONG ||
	    reason == SSL_R_UNKNOWN_PROTOCOL)))
		snprintf(t->errstr, sizeof t->errstr, "TLS handshake failed: "
		    "the server does not speak TLS (%s; is %u a TLS port?)",
		    eof ? "it closed the connection on the TLS hello" :
		    "it answered "
		    "something else", s->port);
	else if (eof)
		snprintf(t->errstr, sizeof t->errstr, "TLS handshake failed: "
		    "the server closed the connection");
	else if (e == SSL_ERROR_SYSCALL && err == 0)
		snprintf(t->errstr, sizeof t->errstr, "TLS handshake failed: "
		    "%s", strerror(saved));
	else
		snprintf(t->errstr, sizeof t->errstr, "TLS handshake failed: "
		    "%s", ssl_reason("unknown error"));
	return -1;
}

/* Once the handshake is done, the transport waits for nothing of its own. */
static void
progress(struct rs_transport *t, struct session *s)
{
	if (!s->established && SSL_is_init_finished(s->ssl)) {
		s->established = 1;
		t->pending = NULL;
		snprintf(t->info, sizeof t->info, "%s %s",
		    SSL_get_version(s->ssl),
		    SSL_CIPHER_get_name(SSL_get_current_cipher(s->ssl)));
	}
}

static ssize_t
tls_read(struct rs_transport *t, void *p, size_t n)
{
	struct session	*s = t->impl;
	size_t		 got = 0, k;
	int		 e;

	t->wants &= ~RS_T_READ_WANTS_WRITE;
	if (s->failed)
		return -1;
	while (got < n) {
		ERR_clear_error();
		errno = 0;
		if (SSL_read_ex(s->ssl, (char *)p + got, n - got, &k) == 1) {
			got += k;
			s->got_data = 1;
			progress(t, s);
			if (!SSL_has_pending(s->ssl))
				break;	/* the fd signals the rest: no EAGAIN read */
			continue;
		}
		progress(t, s);
		switch ((e = SSL_get_error(s->ssl, 0))) {
		case SSL_ERROR_WANT_READ:
			return (ssize_t)got;
		case SSL_ERROR_WANT_WRITE:
			t->wants |= RS_T_READ_WANTS_WRITE;
			return (ssize_t)got;
		default:
			/* Hand over what came before; fail on the next call. */
			if (fatal(t, s, e) == -1 && got > 0)
				return (ssize_t)got;
			return -1;
		}
	}
	t->buffered = got == n && SSL_has_pending(s->ssl);
	return (ssize_t)got;
}

static ssize_t
tls_write(struct rs_transport *t, const void *p, size_t n)
{
	struct session	*s = t->impl;
	size_t		 k;
	int		 e;

	t->wants &= ~RS_T_WRITE_WANTS_READ;
	if (s->failed)
		return -1;
	ERR_clear_error();
	errno = 0;
	if (SSL_write_ex(s->ssl, p, n, &k) == 1) {
		progress(t, s);
		return (ssize_t)k;
	}
	progress(t, s);
	switch ((e = SSL_get_error(s->ssl, 0))) {
	case SSL_ERROR_WANT_WRITE:
		return 0;
	case SSL_ERROR_WANT_READ:
		t->wants |= RS_T_WRITE_WANTS_READ;
		return 0;
	default:
		return fatal(t, s, e);
	}
}

static void
tls_close(struct rs_transport *t)
{
	struct session	*s = t->impl;

	if (s != NULL) {
		if (!s->failed && s->established) {
			ERR_clear_error();
			SSL_shutdown(s->ssl);	/* close_notify, no wait */
		}
		SSL_free(s->ssl);
		free(s);
		t->impl = NULL;
	}
	ERR_clear_error();
	if (t->fd != -1)
		close(t->fd);
	t->fd = -1;
	t->pending = NULL;
}

/* A PEM file option: readable, or an error naming it (kind RS_E_NOINPUT). */
static int
readable(const char *opt, const char *file, struct rs_err *err)
{
	int	 fd;

	if ((fd = open(file, O_RDONLY | O_CLOEXEC)) == -1) {
		rs_err_set(err, RS_E_NOINPUT, "%s %s: %s", opt, file,
		    strerror(errno));
		return -1;
	}
	close(fd);
	return 0;
}

/* Did the last error say that a key is not the certificate's? */
static int
key_mismatch(void)
{
	unsigned long	 e = ERR_peek_last_error();

	return ERR_GET_LIB(e) == ERR_LIB_X509 &&
	    (ERR_GET_REASON(e) == X509_R_KEY_VALUES_MISMATCH ||
	    ERR_GET_REASON(e) == X509_R_KEY_TYPE_MISMATCH);
}

/* Refuse to prompt for a key's passphrase: a filter has no one to ask. */
static int
no_passphrase(char *buf, int size, int rw, void *ud)
{
	(void)buf;
	(void)size;
	(void)rw;
	(void)ud;
	return -1;
}

/*
 * What every TLS connection of a run shares, checked now: the CA file,
 * the client certificate and key (and that they match). NULL with err set
 * (RS_E_NOINPUT naming the option and file, or RS_E_RUNTIME).
 */
struct rs_tls *
rs_tls_new(const struct rs_tls_cfg *cfg, struct rs_err *err)
{
	struct rs_tls	*tls;
	const char	*key = cfg->key ? cfg->key : cfg->cert;

	if ((tls = calloc(1, sizeof *tls)) == NULL ||
	    (tls->ctx = SSL_CTX_new(TLS_client_method())) == NULL) {
		rs_err_set(err, RS_E_RUNTIME, "TLS: %s",
		    ssl_reason("out of memory"));
		free(tls);
		return NULL;
	}
	tls->insecure = cfg->insecure;
	if (cfg->server_name != NULL)
		snprintf(tls->server_name, sizeof tls->server_name, "%s",
		    cfg->server_name);
	SSL_CTX_set_min_proto_version(tls->ctx, TLS1_2_VERSION);
	/*
	 * AES-128-GCM first: the broker encrypts every chunk it sends in
	 * Erlang, and on a busy stream that, not the client, sets the pace.
	 */
	SSL_CTX_set_ciphersuites(tls->ctx, "TLS_AES_128_GCM_SHA256:"
	    "TLS_AES_256_GCM_SHA384:TLS_CHACHA20_POLY1305_SHA256");
	SSL_CTX_set_cipher_list(tls->ctx, "ECDHE+AESGCM:ECDHE+CHACHA20:"
	    "DHE+AESGCM:!aNULL:!eNULL:!MD5:!SHA1");
	SSL_CTX_set_options(tls->ctx, SSL_OP_NO_RENEGOTIATION |
	    SSL_OP_NO_COMPRESSION);
	SSL_CTX_set_mode(tls->ctx, SSL_MODE_ENABLE_PARTIAL_WRITE |
	    SSL_MODE_ACCEPT_MOVING_WRITE_BUFFER | SSL_MODE_RELEASE_BUFFERS);
	SSL_CTX_set_read_ahead(tls->ctx, 1);
	SSL_CTX_set_default_read_buffer_len(tls->ctx, READ_BUFFER);
	SSL_CTX_set_default_passwd_cb(tls->ctx, no_passphrase);
	SSL_CTX_set_verify(tls->ctx, cfg->insecure ? SSL_VERIFY_NONE :
	    SSL_VERIFY_PEER, cfg->insecure ? NULL : verify_cb);
	if (cfg->cacert != NULL) {
		if (readable("--cacert", cfg->cacert, err) == -1)
			goto fail;
		if (SSL_CTX_load_verify_locations(tls->ctx, cfg->cacert,
		    NULL) != 1) {
			rs_err_set(err, RS_E_NOINPUT, "--cacert %s: no PEM "
			    "certificate in it (%s)", cfg->cacert,
			    ssl_reason("cannot load"));
			goto fail;
		}
	} else if (SSL_CTX_set_default_verify_paths(tls->ctx) != 1) {
		rs_err_set(err, RS_E_RUNTIME, "TLS: cannot load the system's "
		    "CA certificates: %s", ssl_reason("unknown error"));
		goto fail;
	}
	if (cfg->cert != NULL) {
		if (readable("--cert", cfg->cert, err) == -1 ||
		    readable("--key", key, err) == -1)
			goto fail;
		if (SSL_CTX_use_certificate_chain_file(tls->ctx,
		    cfg->cert) != 1) {
			rs_err_set(err, RS_E_NOINPUT, "--cert %s: no PEM "
			    "certificate in it (%s)", cfg->cert,
			    ssl_reason("cannot load"));
			goto fail;
		}
		/* Loading the key checks it against the certificate. */
		if (SSL_CTX_use_PrivateKey_file(tls->ctx, key,
		    SSL_FILETYPE_PEM) != 1) {
			if (key_mismatch())
				rs_err_set(err, RS_E_NOINPUT, "--key %s: does "
				    "not match the certificate in %s", key,
				    cfg->cert);
			else
				rs_err_set(err, RS_E_NOINPUT, "--key %s: no "
				    "unencrypted PEM private key in it (%s)",
				    key, ssl_reason("cannot load"));
			goto fail;
		}
		tls->has_cert = 1;
	}
	ERR_clear_error();
	return tls;
fail:
	ERR_clear_error();
	rs_tls_free(tls);
	return NULL;
}

void
rs_tls_free(struct rs_tls *tls)
{
	if (tls == NULL)
		return;
	SSL_CTX_free(tls->ctx);
	free(tls);
}

/*
 * Start TLS on a connected non-blocking fd, for host: the handshake
 * happens as the transport is read and written. 0, or -1 with errstr set
 * (the fd is closed either way on failure).
 */
int
rs_tls_wrap(struct rs_transport *t, struct rs_tls *tls, int fd,
    const char *host, unsigned port)
{
	struct session		*s;
	X509_VERIFY_PARAM	*param;
	unsigned char		 addr[16];
	int			 ip;

	memset(t, 0, sizeof *t);
	t->fd = fd;
	t->read = tls_read;
	t->write = tls_write;
	t->close = tls_close;
	if ((s = calloc(1, sizeof *s)) == NULL ||
	    (s->ssl = SSL_new(tls->ctx)) == NULL) {
		snprintf(t->errstr, sizeof t->errstr, "TLS: %s",
		    ssl_reason("out of memory"));
		free(s);
		close(fd);
		t->fd = -1;
		return -1;
	}
	t->impl = s;
	s->tls = tls;
	s->port = port;
	snprintf(s->name, sizeof s->name, "%s",
	    tls->server_name[0] ? tls->server_name : host);
	ip = inet_pton(AF_INET, s->name, addr) == 1 ||
	    inet_pton(AF_INET6, s->name, addr) == 1;
	SSL_set_app_data(s->ssl, s);
	SSL_set_connect_state(s->ssl);
	if (SSL_set_fd(s->ssl, fd) != 1 ||
	    (!ip && SSL_set_tlsext_host_name(s->ssl, s->name) != 1))
		goto fail;
	if (!tls->insecure) {
		param = SSL_get0_param(s->ssl);
		X509_VERIFY_PARAM_set_hostflags(param,
		    X509_CHECK_FLAG_NO_PARTIAL_WILDCARDS);
		if (ip ? X509_VERIFY_PARAM_set1_ip_asc(param, s->name) != 1 :
		    X509_VERIFY_PARAM_set1_host(param, s->name, 0) != 1)
			goto fail;
	}
	t->pending = "the TLS handshake";
	return 0;
fail:
	snprintf(t->errstr, sizeof t->errstr, "TLS: %s",
	    ssl_reason("cannot set up the session"));
	tls_close(t);
	return -1;
}

/* Connect to host:port and start TLS; 0, or -1 with errstr set. */
int
rs_tls_open(struct rs_transport *t, struct rs_tls *tls, const char *host,
    unsigned port, double timeout)
{
	char	 err[sizeof t->errstr];
	int	 fd;

	if ((fd = rs_tcp_connect(host, port, timeout, err, sizeof err)) == -1) {
		memset(t, 0, sizeof *t);
		t->fd = -1;
		snprintf(t->errstr, sizeof t->errstr, "%s", err);
		return -1;
	}
	return rs_tls_wrap(t, tls, fd, host, port);
}
