/*
 * source.c: open the inputs one after the other and read them.
 *
 * Reads wait for readiness through the loop, so a pipe that is slow to fill
 * never blocks the connection; regular files and /dev/null are always
 * ready. A regular file says so (always_ready): its reader may read on
 * without asking the loop (epoll refuses such files; libev copes, at a
 * failed epoll_ctl() and an extra pass per wait). Once a file has ended it
 * is never read again: a terminal would wait for a second end-of-file.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "source.h"

/* Check up front that every FILE can be read, so a typo fails before anything is published. */
int
rs_source_check(char *const *files, size_t n, struct rs_err *err)
{
	size_t	 i;

	for (i = 0; i < n; i++) {
		if (strcmp(files[i], "-") == 0 || access(files[i], R_OK) == 0)
			continue;
		err->kind = RS_E_NOINPUT;
		snprintf(err->msg, sizeof err->msg, "%s: %s", files[i],
		    strerror(errno));
		return -1;
	}
	return 0;
}

void
rs_source_init(struct rs_source *s, struct rs_loop *loop, char *const *files,
    size_t nfiles, struct rs_input *in, rs_cb *readable, void *ud)
{
	memset(s, 0, sizeof *s);
	s->loop = loop;
	s->files = files;
	s->nfiles = files ? nfiles : 1;
	s->in = in;
	s->readable = readable;
	s->ud = ud;
	s->fd = -1;
}

static void
source_io(void *ud, int events)
{
	struct rs_source	*s = ud;

	(void)events;
	s->readable(s->ud);
}

/* Close the current file (never stdin itself). */
void
rs_source_close(struct rs_source *s)
{
	rs_io_free(s->io);
	s->io = NULL;
	if (s->fd > STDIN_FILENO)
		close(s->fd);
	s->fd = -1;
}

/* Open the next input and watch it; 1 opened, 0 no more inputs, -1 error (err set). */
int
rs_source_open_next(struct rs_source *s)
{
	const char	*name;
	struct stat	 st;

	rs_source_close(s);
	if (s->next == s->nfiles)
		return 0;
	name = s->files ? s->files[s->next] : "-";
	s->next++;
	s->name = name;
	if (strcmp(name, "-") == 0)
		s->fd = STDIN_FILENO;
	else if ((s->fd = open(name, O_RDONLY | O_CLOEXEC)) == -1) {
		s->err.kind = RS_E_NOINPUT;
		snprintf(s->err.msg, sizeof s->err.msg, "%s: %s", name,
		    strerror(errno));
		return -1;
	}
	if ((s->io = rs_io_new(s->loop, s->fd, source_io, s)) == NULL) {
		s->err.kind = RS_E_RUNTIME;
		snprintf(s->err.msg, sizeof s->err.msg, "out of memory");
		return -1;
	}
	s->eof = 0;
	s->always_ready = fstat(s->fd, &st) == 0 && S_ISREG(st.st_mode);
	s->base = s->in->recno;
	rs_input_next_file(s->in);
	rs_io_set(s->io, RS_READ);
	return 1;
}

/*
 * Read once into the input: >0 bytes, 0 at the end of the file (the input
 * is told), -1 on error (err set), -2 when nothing is there or no room is
 * left.
 */
ssize_t
rs_source_read(struct rs_source *s)
{
	uint8_t	*buf;
	size_t	 avail;
	ssize_t	 n;

	if (s->eof)
		return 0;
	rs_input_space(s->in, &buf, &avail);
	if (avail == 0)
		return -2;
	if (avail > RS_INPUT_READ)
		avail = RS_INPUT_READ;
	do
		n = read(s->fd, buf, avail);
	while (n == -1 && errno == EINTR);
	if (n == -1) {
		if (errno == EAGAIN)
			return -2;
		s->err.kind = RS_E_NOINPUT;
		snprintf(s->err.msg, sizeof s->err.msg, "%s: %s", s->name,
		    strerror(errno));
		return -1;
	}
	if (n == 0) {
		s->eof = 1;
		rs_input_end(s->in);
		rs_io_set(s->io, 0);
		return 0;
	}
	rs_input_commit(s->in, (size_t)n);
	s->bytes += (uint64_t)n;
	return n;
}

/* Does the current file have bytes (or its end) waiting right now? */
int
rs_source_more_now(const struct rs_source *s)
{
	struct pollfd	 pfd = { .fd = s->fd, .events = POLLIN };

	if (s->eof || s->fd == -1)
		return 0;
	return s->always_ready || poll(&pfd, 1, 0) > 0;
}

/* Watch the current file for readability, or stop (a paused reader). */
void
rs_source_watch(struct rs_source *s, int on)
{
	rs_io_set(s->io, on && !s->eof ? RS_READ : 0);
}
