/*
 * tls.h: the TLS transport (OpenSSL), behind the contract of transport.h.
 *
 * One struct rs_tls per run holds what every connection shares: the
 * trusted CAs (the system store, or --cacert), the client certificate and
 * key, whether to verify, and the name to verify against instead of the
 * host. rs_tls_open() connects over TCP and starts the handshake without
 * waiting for it: the first reads and writes drive it, so it runs under the
 * event loop like everything else. A handshake that fails, for whatever
 * reason (an untrusted, expired or misnamed certificate, a server that does
 * not speak TLS), fails the read or write with kind RS_E_TLS and one line
 * in errstr ("TLS handshake failed: certificate has expired").
 */
#ifndef RS_TLS_H
#define RS_TLS_H

#include "err.h"
#include "transport.h"

struct rs_tls_cfg {
	const char	*cacert;	/* PEM CAs to trust; NULL: the system's */
	const char	*cert;		/* client certificate (PEM) or NULL */
	const char	*key;		/* its key; NULL: in the cert file */
	const char	*server_name;	/* verify (and SNI) this, not the host */
	int		 insecure;	/* do not verify the server */
};

struct rs_tls;

struct rs_tls	*rs_tls_new(const struct rs_tls_cfg *, struct rs_err *);
void		 rs_tls_free(struct rs_tls *);
int		 rs_tls_open(struct rs_transport *, struct rs_tls *,
		    const char *, unsigned, double);
int		 rs_tls_wrap(struct rs_transport *, struct rs_tls *, int,
		    const char *, unsigned);

#endif
