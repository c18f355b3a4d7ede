/*
 * runner.h: run a command for one record (rstream-tail -- COMMAND ARGS):
 * the body on its standard input, the record's offset, timestamp and
 * stream in its environment, its standard output and error the tool's own.
 * The loop keeps running (heartbeats, signals) while the command does.
 */
#ifndef RS_RUNNER_H
#define RS_RUNNER_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "loop.h"

typedef void rs_runner_done(void *, int);

struct rs_runner {
	struct rs_loop	*loop;
	char *const	*argv;
	rs_runner_done	*done;
	void		*ud;

	pid_t		 pid;
	struct rs_child	*child;
	int		 fd;		/* the command's stdin, while we write */
	struct rs_io	*io;
	const uint8_t	*body;
	size_t		 len;
	size_t		 off;
	char		 errstr[160];
};

#define RS_RUNNER_ENV	8	/* NAME=VALUE pairs at most */

void	rs_runner_init(struct rs_runner *, struct rs_loop *, char *const *,
	    rs_runner_done *, void *);
int	rs_runner_start(struct rs_runner *, const uint8_t *, size_t,
	    char *const *);
void	rs_runner_stop(struct rs_runner *);

#endif
