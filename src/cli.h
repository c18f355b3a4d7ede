/*
 * cli.h: what both mains share around a run (opts.h parses the command
 * line): the connection URI from -u, RSTREAM_URI or the default, the
 * password, TLS and SASL options; the event loop and the --progress line;
 * the diagnostic format "prog: STREAM: reason"; exit statuses.
 */
#ifndef RS_CLI_H
#define RS_CLI_H

#include "cluster.h"
#include "err.h"
#include "loop.h"
#include "meter.h"
#include "tls.h"
#include "uri.h"

#define RS_EXIT_USAGE	2

#include <stddef.h>

#define RS_CLI_MAX_URIS	64

/* What the connection options (opts.c) gather for rs_cli_connect(). */
struct rs_cli_conn {
	struct rs_connect	 c;
	char			*uris[RS_CLI_MAX_URIS];	/* in argv: scrubbed */
	size_t			 nuris;
	struct rs_tls_cfg	 tls;
	const char		*password_file;
	const char		*sasl;		/* --sasl-mechanism, or NULL */
};

int	 rs_cli_connect(struct rs_cli_conn *, const char *);
int	 rs_cli_usage(const char *, const char *, const char *);
void	*rs_cli_keep(void *);
int	 rs_cli_status(enum rs_err_kind);
int	 rs_cli_exit(int, int);
void	 rs_cli_error(const char *, const char *, const char *);
void	 rs_cli_log(const char *, void *);
struct rs_loop *rs_cli_loop(const char *);
int	 rs_cli_meter_start(struct rs_meter *, struct rs_loop *, int,
	    rs_meter_fill *, void *, const char *);
void	 rs_cli_meter_end(struct rs_meter *);
int	 rs_cli_same_file(int, int);

#endif
