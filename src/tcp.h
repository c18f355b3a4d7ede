/*
 * tcp.h: the TCP transport (transport.h's contract) and the connect that
 * the TLS transport shares.
 */
#ifndef RS_TCP_H
#define RS_TCP_H

#include "transport.h"

int	rs_tcp_open(struct rs_transport *, const char *, unsigned, double);
int	rs_tcp_connect(const char *, unsigned, double, char *, size_t);

#endif
