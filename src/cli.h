/*
 * cli.h: what both mains share: the connection URI from -u, RSTREAM_URI or
 * the default; exit statuses; the diagnostic format "prog: STREAM: reason".
 */
#ifndef RS_CLI_H
#define RS_CLI_H

#include "cluster.h"
#include "err.h"
#include "uri.h"

#define RS_EXIT_USAGE	2

#include <stddef.h>

/* The connection options both tools take, as getopt_long entries. */
enum {
	RS_OPT_TIMEOUT = 1000,
	RS_OPT_NO_LOCATE,
	RS_OPT_RETRY_FOR,
	RS_OPT_HEARTBEAT
};
#define RS_CLI_CONN_LONGOPTS \
	{ "uri",	required_argument,	NULL, 'u' }, \
	{ "timeout",	required_argument,	NULL, RS_OPT_TIMEOUT }, \
	{ "no-locate",	no_argument,		NULL, RS_OPT_NO_LOCATE }, \
	{ "retry-for",	required_argument,	NULL, RS_OPT_RETRY_FOR }, \
	{ "heartbeat",	required_argument,	NULL, RS_OPT_HEARTBEAT }

#define RS_CLI_MAX_URIS	64

/* What the connection options gather before rs_cli_connect() parses the URIs. */
struct rs_cli_conn {
	struct rs_connect	 c;
	char			*uris[RS_CLI_MAX_URIS];
	size_t			 nuris;
};

void	 rs_cli_conn_init(struct rs_cli_conn *);
int	 rs_cli_conn_opt(struct rs_cli_conn *, int, char *, const char *);
int	 rs_cli_connect(struct rs_cli_conn *, const char *);
int	 rs_cli_usage(const char *, const char *, const char *);
void	*rs_cli_keep(void *);
int	 rs_cli_delimiter(const char *, const char *, const char **, size_t *);
int	rs_cli_uris(struct rs_uri **, size_t *, char *const *, size_t,
	    const char *);
int	rs_cli_status(enum rs_err_kind);
void	rs_cli_error(const char *, const char *, const char *);
void	rs_cli_log(const char *, void *);

#endif
