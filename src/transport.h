/*
 * transport.h: the byte pipe under a connection. TCP (tcp.c) and TLS
 * (tls.c) keep the same contract, so nothing above learns which it is:
 *
 *	read(t, p, n)	>0 bytes read; 0 would block; <0 end of stream or
 *			fatal error, with errstr (and kind) set
 *	write(t, p, n)	>0 bytes written; 0 would block; <0 fatal
 *	close(t)	end the session cleanly (TLS: close_notify) and
 *			close the fd; safe to call twice
 *
 * After read or write returned 0, `wants` says what the transport waits
 * for besides the obvious: RS_T_READ_WANTS_WRITE (TLS must send before it
 * can read on: a handshake step, a key update) or RS_T_WRITE_WANTS_READ
 * (TLS must receive before it can write on). The owner then retries the
 * read when the fd becomes writable, or the write when it becomes
 * readable. A TCP transport never sets either.
 *
 * `pending` names what the transport itself still waits for ("the TLS
 * handshake"), NULL once it waits for nothing: an owner whose timer runs
 * out says so instead of blaming the broker's silence.
 *
 * A read that returns fewer bytes than asked, or 0, means the transport
 * holds nothing more: TLS drains its own buffer before saying so, so an
 * owner that waits for fd readiness after a short read never stalls. After
 * a full read, `buffered` says whether the transport holds more that the
 * fd will not signal: an owner that stops reading then must come back.
 */
#ifndef RS_TRANSPORT_H
#define RS_TRANSPORT_H

#include <stddef.h>
#include <sys/types.h>

#include "err.h"

#define RS_T_READ_WANTS_WRITE	1
#define RS_T_WRITE_WANTS_READ	2

struct rs_transport {
	ssize_t	(*read)(struct rs_transport *, void *, size_t);
	ssize_t	(*write)(struct rs_transport *, const void *, size_t);
	void	(*close)(struct rs_transport *);
	int	 fd;
	int	 wants;			/* RS_T_* after a 0 return */
	int	 buffered;		/* after a full read: more is held here */
	enum rs_err_kind kind;		/* after a <0 return: RS_E_OK lets the
					   owner choose; RS_E_TLS is final */
	const char *pending;		/* e.g. "the TLS handshake", or NULL */
	void	*impl;			/* the TLS session */
	char	 info[64];		/* for -v: "TLSv1.3 TLS_AES_128_GCM_SHA256" */
	char	 errstr[256];
};

#endif
