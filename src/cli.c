/*
 * cli.c: helpers of the two mains. Only the mains (and these helpers) print.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>

#include "cli.h"

/* Resolve the URI: the option, else $RSTREAM_URI, else the default. 0, or -1 after a message. */
int
rs_cli_uri(struct rs_uri *u, const char *opt, const char *prog)
{
	const char	*s = opt, *from = "--uri";
	char		 err[160];

	if (s != NULL && *s == '\0') {
		fprintf(stderr, "%s: --uri: empty URI\n", prog);
		return -1;
	}
	if (s == NULL && (s = getenv("RSTREAM_URI")) != NULL && *s != '\0')
		from = "RSTREAM_URI";
	else if (s == NULL || *s == '\0') {
		s = RS_URI_DEFAULT;
		from = "default URI";
	}
	if (rs_uri_parse(u, s, err, sizeof err) == -1) {
		fprintf(stderr, "%s: %s: %s\n", prog, from, err);
		return -1;
	}
	if (u->tls) {
		fprintf(stderr, "%s: %s: TLS (rabbitmq-stream+tls) is not "
		    "supported yet\n", prog, from);
		return -1;
	}
	return 0;
}

/* The exit status for an error kind (see EXIT STATUS in the man pages). */
int
rs_cli_status(enum rs_err_kind kind)
{
	switch (kind) {
	case RS_E_OK:		return 0;
	case RS_E_INPUT:	return 65;
	case RS_E_NOINPUT:	return 66;
	case RS_E_UNAVAILABLE:	return 69;
	case RS_E_TEMPFAIL:	return 75;
	case RS_E_NOPERM:	return 77;
	default:		return 1;
	}
}

void
rs_cli_error(const char *prog, const char *stream, const char *msg)
{
	if (stream != NULL)
		fprintf(stderr, "%s: %s: %s\n", prog, stream, msg);
	else
		fprintf(stderr, "%s: %s\n", prog, msg);
}

/* -v and warnings: one diagnostic line on stderr; ud is the program name. */
void
rs_cli_log(const char *msg, void *ud)
{
	fprintf(stderr, "%s: %s\n", (const char *)ud, msg);
}
