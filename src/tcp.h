/*
 * tcp.h: the TCP transport. The contract every transport keeps (TLS will
 * sit behind the same table): read and write return >0 bytes moved, 0 when
 * they would block, <0 on a fatal error or end of stream, with errstr set.
 */
#ifndef RS_TCP_H
#define RS_TCP_H

#include <stddef.h>
#include <sys/types.h>

struct rs_transport {
	ssize_t	(*read)(struct rs_transport *, void *, size_t);
	ssize_t	(*write)(struct rs_transport *, const void *, size_t);
	void	(*close)(struct rs_transport *);
	int	 fd;
	char	 errstr[160];
};

int	rs_tcp_open(struct rs_transport *, const char *, unsigned, double);

#endif
