/*
 * cli.c: helpers of the two mains. Only the mains (and these helpers) print.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "spec.h"

static void	*kept[16];
static size_t	 nkept;

static void
free_kept(void)
{
	while (nkept > 0)
		free(kept[--nkept]);
}

/*
 * Keep p (from malloc) until exit, when an atexit handler frees it: the
 * mains return from many places, and every one of them stays clean.
 */
void *
rs_cli_keep(void *p)
{
	if (p == NULL)
		return NULL;
	if (nkept == 0)
		atexit(free_kept);
	if (nkept < sizeof kept / sizeof kept[0])
		kept[nkept++] = p;
	return p;
}

/*
 * -D STRING, both tools: the delimiter with its escapes undone, kept until
 * exit, in *delim and *len. 0, or the usage error's exit status.
 */
int
rs_cli_delimiter(const char *prog, const char *arg, const char **delim,
    size_t *len)
{
	char	*d;

	if ((d = rs_cli_keep(malloc(strlen(arg) + 1))) == NULL) {
		fprintf(stderr, "%s: out of memory\n", prog);
		return 1;
	}
	if (rs_spec_unescape(arg, d, len) == -1)
		return rs_cli_usage(prog, "--delimiter: empty, or a bad escape",
		    arg);
	*delim = d;
	return 0;
}

/* Parse one URI (from names where it came from); 0, or -1 after a message. */
static int
one(struct rs_uri *u, const char *s, const char *from, const char *prog)
{
	char	 err[160];

	if (*s == '\0') {
		fprintf(stderr, "%s: %s: empty URI\n", prog, from);
		return -1;
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

/*
 * The seed URIs: every -u (each may hold several, comma-separated), else
 * $RSTREAM_URI (the same), else the default. An array the caller frees, or
 * -1 after a message.
 */
int
rs_cli_uris(struct rs_uri **out, size_t *n, char *const *opts, size_t nopts,
    const char *prog)
{
	const char	*env = getenv("RSTREAM_URI"), *from = "--uri";
	char		*copy, *tok, *save;
	size_t		 i, cap = 0, len;
	int		 rc = 0;

	*out = NULL;
	*n = 0;
	if (nopts == 0 && env != NULL && *env != '\0') {
		opts = (char *const *)&env;
		nopts = 1;
		from = "RSTREAM_URI";
	} else if (nopts == 0) {
		static const char *const def = RS_URI_DEFAULT;

		opts = (char *const *)&def;
		nopts = 1;
		from = "default URI";
	}
	for (i = 0; i < nopts; i++)
		cap += strlen(opts[i]) / 2 + 2;	/* at most this many URIs */
	if ((*out = rs_cli_keep(calloc(cap, sizeof **out))) == NULL)
		return -1;
	for (i = 0; i < nopts && rc == 0; i++) {
		len = strlen(opts[i]);
		if (len == 0)
			return one(&(*out)[0], "", from, prog);
		if ((copy = strdup(opts[i])) == NULL)
			return -1;
		for (tok = strtok_r(copy, ",", &save); tok != NULL && rc == 0;
		    tok = strtok_r(NULL, ",", &save))
			rc = one(&(*out)[(*n)++], tok, from, prog);
		free(copy);
	}
	if (rc == 0 && *n == 0)
		rc = one(&(*out)[0], "", from, prog);
	return rc;
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

/* A usage error: the message (and the argument at fault), a hint; status 2. */
int
rs_cli_usage(const char *prog, const char *msg, const char *arg)
{
	if (arg != NULL)
		fprintf(stderr, "%s: %s: %s\n", prog, msg, arg);
	else
		fprintf(stderr, "%s: %s\n", prog, msg);
	fprintf(stderr, "Try '%s --help' for more information.\n", prog);
	return RS_EXIT_USAGE;
}

void
rs_cli_conn_init(struct rs_cli_conn *cc)
{
	memset(cc, 0, sizeof *cc);
	cc->c.retry_for = 30.0;
}

/*
 * Take one of the connection options (RS_CLI_CONN_LONGOPTS): 1 if it was
 * one, 0 if not, RS_EXIT_USAGE after a message for a bad value.
 */
int
rs_cli_conn_opt(struct rs_cli_conn *cc, int ch, char *arg, const char *prog)
{
	uint64_t	 v;

	switch (ch) {
	case 'u':
		if (cc->nuris == RS_CLI_MAX_URIS)
			return rs_cli_usage(prog, "--uri: too many", arg);
		cc->uris[cc->nuris++] = arg;
		return 1;
	case RS_OPT_NO_LOCATE:
		cc->c.no_locate = 1;
		return 1;
	case RS_OPT_TIMEOUT:
		if (rs_spec_duration_ms(arg, &v) == -1 || v == 0)
			return rs_cli_usage(prog, "--timeout: bad duration", arg);
		cc->c.timeout = (double)v / 1000.0;
		return 1;
	case RS_OPT_RETRY_FOR:
		if (rs_spec_duration_ms(arg, &v) == -1)
			return rs_cli_usage(prog, "--retry-for: bad duration", arg);
		cc->c.retry_for = (double)v / 1000.0;
		return 1;
	case RS_OPT_HEARTBEAT:
		if (rs_spec_duration(arg, &v) == -1 || v == 0 || v > 3600)
			return rs_cli_usage(prog, "--heartbeat: expected 1s to 1h",
			    arg);
		cc->c.heartbeat = (unsigned)v;
		return 1;
	default:
		return 0;
	}
}

/* Parse the seed URIs gathered (or RSTREAM_URI, or the default) into cc->c. 0, or -1 after a message. */
int
rs_cli_connect(struct rs_cli_conn *cc, const char *prog)
{
	struct rs_uri	*uris;

	if (rs_cli_uris(&uris, &cc->c.nuris, cc->uris, cc->nuris, prog) == -1)
		return -1;
	cc->c.uris = uris;
	return 0;
}
