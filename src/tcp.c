/*
 * tcp.c: connect with a timeout, then non-blocking reads and writes.
 *
 * Connecting tries each address getaddrinfo() gives (localhost is often ::1
 * and 127.0.0.1) and waits up to the timeout for each; it blocks the loop,
 * which has nothing else to do before the connection exists. The socket is
 * then non-blocking, with TCP_NODELAY (frames are written whole) and
 * keepalive on. The TLS transport connects the same way, then wraps the
 * socket.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "tcp.h"

static ssize_t
tcp_read(struct rs_transport *t, void *p, size_t n)
{
	ssize_t	 r;

	do
		r = read(t->fd, p, n);
	while (r == -1 && errno == EINTR);
	if (r > 0)
		return r;
	if (r == 0) {
		snprintf(t->errstr, sizeof t->errstr,
		    "connection closed by the broker");
		return -1;
	}
	if (errno == EAGAIN || errno == EWOULDBLOCK)
		return 0;
	snprintf(t->errstr, sizeof t->errstr, "read: %s", strerror(errno));
	return -1;
}

static ssize_t
tcp_write(struct rs_transport *t, const void *p, size_t n)
{
	ssize_t	 r;

	do
		r = send(t->fd, p, n, MSG_NOSIGNAL);
	while (r == -1 && errno == EINTR);
	if (r >= 0)
		return r;
	if (errno == EAGAIN || errno == EWOULDBLOCK)
		return 0;
	snprintf(t->errstr, sizeof t->errstr, "write: %s", strerror(errno));
	return -1;
}

static void
tcp_close(struct rs_transport *t)
{
	if (t->fd != -1)
		close(t->fd);
	t->fd = -1;
}

/* One connect attempt with a timeout; the connected fd, or -1 with errno. */
static int
try_connect(const struct addrinfo *ai, double timeout)
{
	struct pollfd	 pfd;
	socklen_t	 len = sizeof(int);
	int		 fd, r, soerr = 0;

	fd = socket(ai->ai_family, ai->ai_socktype | SOCK_NONBLOCK | SOCK_CLOEXEC,
	    ai->ai_protocol);
	if (fd == -1)
		return -1;
	if (connect(fd, ai->ai_addr, ai->ai_addrlen) == 0)
		return fd;
	if (errno != EINPROGRESS)
		goto fail;
	pfd.fd = fd;
	pfd.events = POLLOUT;
	do
		r = poll(&pfd, 1, (int)(timeout * 1000));
	while (r == -1 && errno == EINTR);
	if (r == 0) {
		errno = ETIMEDOUT;
		goto fail;
	}
	if (r == -1 || getsockopt(fd, SOL_SOCKET, SO_ERROR, &soerr, &len) == -1)
		goto fail;
	if (soerr != 0) {
		errno = soerr;
		goto fail;
	}
	return fd;
fail:
	r = errno;
	close(fd);
	errno = r;
	return -1;
}

/*
 * Connect to host:port within the timeout (each address in turn): a
 * non-blocking fd with TCP_NODELAY and keepalive on, or -1 with a reason
 * in err.
 */
int
rs_tcp_connect(const char *host, unsigned port, double timeout, char *err,
    size_t errlen)
{
	struct addrinfo	 hints, *res, *ai;
	char		 service[16];
	int		 r, fd = -1, one = 1, saved = 0;

	memset(&hints, 0, sizeof hints);
	hints.ai_family = AF_UNSPEC;
	hints.ai_socktype = SOCK_STREAM;
	snprintf(service, sizeof service, "%u", port);
	if ((r = getaddrinfo(host, service, &hints, &res)) != 0) {
		snprintf(err, errlen, "%s: %s", host, gai_strerror(r));
		return -1;
	}
	for (ai = res; ai != NULL && fd == -1; ai = ai->ai_next)
		if ((fd = try_connect(ai, timeout)) == -1)
			saved = errno;
	freeaddrinfo(res);
	if (fd == -1) {
		snprintf(err, errlen, "cannot connect to %s:%u: %s", host, port,
		    strerror(saved));
		return -1;
	}
	setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
	setsockopt(fd, SOL_SOCKET, SO_KEEPALIVE, &one, sizeof one);
	return fd;
}

/* Connect to host:port; 0 on success, -1 with errstr set. */
int
rs_tcp_open(struct rs_transport *t, const char *host, unsigned port,
    double timeout)
{
	memset(t, 0, sizeof *t);
	t->read = tcp_read;
	t->write = tcp_write;
	t->close = tcp_close;
	t->fd = rs_tcp_connect(host, port, timeout, t->errstr, sizeof t->errstr);
	return t->fd == -1 ? -1 : 0;
}
