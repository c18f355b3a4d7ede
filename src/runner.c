/*
 * runner.c: one child process per record.
 *
 * The body goes through a non-blocking pipe, written as the child reads it,
 * so a command that reads slowly (or not at all) never blocks the loop; a
 * command that exits without reading it all is fine (EPIPE is expected).
 * done(ud, status) reports the wait status once the child has exited.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "runner.h"

void
rs_runner_init(struct rs_runner *r, struct rs_loop *loop, char *const *argv,
    rs_runner_done *done, void *ud)
{
	memset(r, 0, sizeof *r);
	r->loop = loop;
	r->argv = argv;
	r->done = done;
	r->ud = ud;
	r->fd = -1;
	r->pid = -1;
}

static void
close_stdin(struct rs_runner *r)
{
	rs_io_free(r->io);
	r->io = NULL;
	if (r->fd != -1)
		close(r->fd);
	r->fd = -1;
}

/* Write what the pipe takes now; close it once the body is through. */
static void
feed(void *ud, int events)
{
	struct rs_runner	*r = ud;
	ssize_t			 n;

	(void)events;
	while (r->off < r->len) {
		n = write(r->fd, r->body + r->off, r->len - r->off);
		if (n == -1 && errno == EINTR)
			continue;
		if (n == -1 && errno == EAGAIN) {
			rs_io_set(r->io, RS_WRITE);
			return;
		}
		if (n == -1)
			break;	/* EPIPE: the command did not read it all */
		r->off += (size_t)n;
	}
	close_stdin(r);
}

static void
exited(void *ud, int status)
{
	struct rs_runner	*r = ud;

	close_stdin(r);
	rs_child_free(r->child);
	r->child = NULL;
	r->pid = -1;
	r->done(r->ud, status);
}

/*
 * Start the command with body on its stdin and env (NAME=VALUE strings,
 * NULL-terminated) added to its environment. The body must stay valid
 * until done() is called. 0, or -1 with errstr set.
 */
int
rs_runner_start(struct rs_runner *r, const uint8_t *body, size_t len,
    char *const *env)
{
	int	 p[2];
	size_t	 i;

	if (pipe2(p, O_CLOEXEC) == -1) {
		snprintf(r->errstr, sizeof r->errstr, "pipe: %s", strerror(errno));
		return -1;
	}
	if ((r->pid = fork()) == -1) {
		snprintf(r->errstr, sizeof r->errstr, "fork: %s", strerror(errno));
		close(p[0]);
		close(p[1]);
		return -1;
	}
	if (r->pid == 0) {
		signal(SIGPIPE, SIG_DFL);
		if (dup2(p[0], STDIN_FILENO) == -1)
			_exit(127);
		for (i = 0; env != NULL && env[i] != NULL; i++)
			putenv(env[i]);
		execvp(r->argv[0], r->argv);
		fprintf(stderr, "%s: %s\n", r->argv[0], strerror(errno));
		_exit(errno == ENOENT ? 127 : 126);
	}
	close(p[0]);
	r->fd = p[1];
	fcntl(r->fd, F_SETFL, fcntl(r->fd, F_GETFL) | O_NONBLOCK);
	r->body = body;
	r->len = len;
	r->off = 0;
	if ((r->child = rs_child_new(r->loop, r->pid, exited, r)) == NULL ||
	    (r->io = rs_io_new(r->loop, r->fd, feed, r)) == NULL) {
		snprintf(r->errstr, sizeof r->errstr, "out of memory");
		kill(r->pid, SIGKILL);
		return -1;
	}
	feed(r, RS_WRITE);
	return 0;
}

/* Forget a running command (it is left to finish on its own). */
void
rs_runner_stop(struct rs_runner *r)
{
	close_stdin(r);
	rs_child_free(r->child);
	r->child = NULL;
}
