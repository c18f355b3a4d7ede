/*
 * cli.h: what both mains share: the connection URI from -u, RSTREAM_URI or
 * the default, the password, TLS and SASL options; exit statuses; the
 * diagnostic format "prog: STREAM: reason".
 */
#ifndef RS_CLI_H
#define RS_CLI_H

#include "cluster.h"
#include "err.h"
#include "tls.h"
#include "uri.h"

#define RS_EXIT_USAGE	2

#include <stddef.h>

/* The connection options both tools take, as getopt_long entries. */
enum {
	RS_OPT_TIMEOUT = 1000,
	RS_OPT_NO_LOCATE,
	RS_OPT_RETRY_FOR,
	RS_OPT_HEARTBEAT,
	RS_OPT_CACERT,
	RS_OPT_CERT,
	RS_OPT_KEY,
	RS_OPT_TLS_SERVER_NAME,
	RS_OPT_INSECURE,
	RS_OPT_SASL_MECHANISM,
	RS_OPT_PASSWORD_FILE,
	RS_OPT_LOAD_BALANCER
};
#define RS_CLI_CONN_LONGOPTS \
	{ "uri",	required_argument,	NULL, 'u' }, \
	{ "timeout",	required_argument,	NULL, RS_OPT_TIMEOUT }, \
	{ "no-locate",	no_argument,		NULL, RS_OPT_NO_LOCATE }, \
	{ "load-balancer", no_argument,		NULL, RS_OPT_LOAD_BALANCER }, \
	{ "retry-for",	required_argument,	NULL, RS_OPT_RETRY_FOR }, \
	{ "heartbeat",	required_argument,	NULL, RS_OPT_HEARTBEAT }, \
	{ "cacert",	required_argument,	NULL, RS_OPT_CACERT }, \
	{ "cert",	required_argument,	NULL, RS_OPT_CERT }, \
	{ "key",	required_argument,	NULL, RS_OPT_KEY }, \
	{ "tls-server-name", required_argument,	NULL, RS_OPT_TLS_SERVER_NAME }, \
	{ "insecure",	no_argument,		NULL, RS_OPT_INSECURE }, \
	{ "sasl-mechanism", required_argument,	NULL, RS_OPT_SASL_MECHANISM }, \
	{ "password-file", required_argument,	NULL, RS_OPT_PASSWORD_FILE }

#define RS_CLI_MAX_URIS	64

/* What the connection options gather before rs_cli_connect() parses the URIs. */
struct rs_cli_conn {
	struct rs_connect	 c;
	char			*uris[RS_CLI_MAX_URIS];	/* in argv: scrubbed */
	size_t			 nuris;
	struct rs_tls_cfg	 tls;
	const char		*password_file;
	const char		*sasl;		/* --sasl-mechanism, or NULL */
};

void	 rs_cli_conn_init(struct rs_cli_conn *);
int	 rs_cli_conn_opt(struct rs_cli_conn *, int, char *, const char *);
int	 rs_cli_connect(struct rs_cli_conn *, const char *);
int	 rs_cli_usage(const char *, const char *, const char *);
int	 rs_cli_choice(const char *, const char *, const char *,
	    const char *, const char *, int *);
void	*rs_cli_keep(void *);
int	 rs_cli_delimiter(const char *, const char *, const char **, size_t *);
int	rs_cli_uris(struct rs_uri **, size_t *, char *const *, size_t,
	    const char *);
int	rs_cli_status(enum rs_err_kind);
void	rs_cli_error(const char *, const char *, const char *);
void	rs_cli_log(const char *, void *);
void	rs_cli_version(const char *);
struct rs_meter;
void	rs_cli_set_meter(struct rs_meter *);
int	rs_cli_same_file(int, int);

#endif
