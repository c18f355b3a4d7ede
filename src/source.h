/*
 * source.h: the bytes rstream-cat reads: its FILE operands in order, like
 * cat(1), "-" (or no operand) for stdin, read straight into an rs_input.
 * The owner is called back when the current file is readable.
 */
#ifndef RS_SOURCE_H
#define RS_SOURCE_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "err.h"
#include "input.h"
#include "loop.h"

struct rs_source {
	struct rs_loop		*loop;
	char *const		*files;		/* NULL: stdin only */
	size_t			 nfiles;
	size_t			 next;		/* index of the next file to open */
	struct rs_input		*in;
	rs_cb			*readable;
	void			*ud;

	const char		*name;		/* the current file ("-": stdin) */
	int			 fd;
	int			 eof;		/* the current file has ended */
	int			 always_ready;	/* a regular file: reads never wait */
	uint64_t		 base;		/* records before the current file */
	uint64_t		 bytes;		/* read from all the files so far */
	struct rs_io		*io;
	struct rs_err		 err;
};

int	rs_source_check(char *const *, size_t, struct rs_err *);
void	rs_source_init(struct rs_source *, struct rs_loop *, char *const *,
	    size_t, struct rs_input *, rs_cb *, void *);
int	rs_source_open_next(struct rs_source *);
ssize_t	rs_source_read(struct rs_source *);
int	rs_source_more_now(const struct rs_source *);
void	rs_source_watch(struct rs_source *, int);
void	rs_source_close(struct rs_source *);

#endif
