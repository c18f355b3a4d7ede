/*
 * cli.h: what both mains share: the connection URI from -u, RSTREAM_URI or
 * the default; exit statuses; the diagnostic format "prog: STREAM: reason".
 */
#ifndef RS_CLI_H
#define RS_CLI_H

#include "err.h"
#include "uri.h"

#define RS_EXIT_USAGE	2

#include <stddef.h>

void	*rs_cli_keep(void *);
int	rs_cli_uris(struct rs_uri **, size_t *, char *const *, size_t,
	    const char *);
int	rs_cli_status(enum rs_err_kind);
void	rs_cli_error(const char *, const char *, const char *);
void	rs_cli_log(const char *, void *);

#endif
