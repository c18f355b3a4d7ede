/*
 * cli.c: what the two mains share around a run, once opts.c has parsed
 * the command line. Only the mains, opts.c and these helpers print.
 *
 * The connection options end in rs_cli_connect(): the seed URIs, the
 * password by precedence (--password-file, a password in -u,
 * $RSTREAM_PASSWORD, a password in $RSTREAM_URI, "guest"), the TLS context
 * and the SASL mechanism. Passwords live in memory that core dumps leave
 * out; a password typed in -u is overwritten in argv so that ps no longer
 * shows it, and $RSTREAM_PASSWORD is wiped from the environment so that
 * commands run by rstream-tail do not inherit it.
 *
 * Then the run: its event loop (rs_cli_loop), the --progress line
 * (rs_cli_meter_start, blanked before every diagnostic), the diagnostics
 * ("prog: STREAM: reason"), and the way out (rs_cli_status maps an error
 * kind to the exit status; rs_cli_exit dies of the signal that stopped
 * the run, so that the shell sees it).
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli.h"
#include "meter.h"
#include "secret.h"

#define EXIT_NOINPUT	66

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
	return 0;
}

static struct rs_uri	*secret_uris;	/* the seeds, passwords and all */
static size_t		 secret_len;
static struct rs_tls	*kept_tls;

static void
free_conn(void)
{
	rs_secret_free(secret_uris, secret_len);
	secret_uris = NULL;
	rs_tls_free(kept_tls);
	kept_tls = NULL;
}

/*
 * The seed URIs: every -u (each may hold several, comma-separated), else
 * $RSTREAM_URI (the same), else the default. An array the caller frees, or
 * -1 after a message.
 */
static int
seed_uris(struct rs_uri **out, size_t *n, char *const *opts, size_t nopts,
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
	if (secret_uris == NULL)
		atexit(free_conn);
	rs_secret_free(secret_uris, secret_len);	/* if called again */
	secret_len = cap * sizeof **out;
	if ((*out = secret_uris = rs_secret_alloc(secret_len)) == NULL)
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
		rs_secret_wipe(copy, len);
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
	case RS_E_TLS:		return 76;
	default:		return 1;
	}
}

/*
 * After a run: die of signo (0: none), the signal that stopped it, as the
 * shell expects of a filter; else the exit status, returned.
 */
int
rs_cli_exit(int status, int signo)
{
	if (signo != 0) {
		signal(signo, SIG_DFL);
		raise(signo);
	}
	return status;
}

/* A new event loop, or NULL after saying so. */
struct rs_loop *
rs_cli_loop(const char *prog)
{
	struct rs_loop	*loop;

	if ((loop = rs_loop_new()) == NULL)
		rs_cli_error(prog, NULL, "cannot start the event loop");
	return loop;
}

static struct rs_meter	*meter;	/* the progress line on stderr, if any */

/*
 * Start the --progress line m on stderr (rs_meter_start: live, fill, ud),
 * blanked before each diagnostic until rs_cli_meter_end(). 0, or -1 after
 * saying so.
 */
int
rs_cli_meter_start(struct rs_meter *m, struct rs_loop *loop, int live,
    rs_meter_fill *fill, void *ud, const char *prog)
{
	if (rs_meter_start(m, loop, STDERR_FILENO, live, fill, ud) == -1) {
		rs_cli_error(prog, NULL, "out of memory");
		return -1;
	}
	meter = m;
	return 0;
}

/* End the --progress line: its last state stays; diagnostics no longer blank it. */
void
rs_cli_meter_end(struct rs_meter *m)
{
	rs_meter_end(m);
	meter = NULL;
}

/* Are file descriptors a and b the same file (stdout and stderr both the terminal)? */
int
rs_cli_same_file(int a, int b)
{
	struct stat	 sa, sb;

	return fstat(a, &sa) == 0 && fstat(b, &sb) == 0 &&
	    sa.st_dev == sb.st_dev && sa.st_ino == sb.st_ino;
}

/* A diagnostic on stderr: "prog: STREAM: msg", or "prog: msg" for no stream. */
void
rs_cli_error(const char *prog, const char *stream, const char *msg)
{
	rs_meter_clear(meter);
	if (stream != NULL)
		fprintf(stderr, "%s: %s: %s\n", prog, stream, msg);
	else
		fprintf(stderr, "%s: %s\n", prog, msg);
}

/* -v and warnings: one diagnostic line on stderr; ud is the program name. */
void
rs_cli_log(const char *msg, void *ud)
{
	rs_meter_clear(meter);
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

/*
 * The first line of --password-file FILE (without its newline) into pw
 * (size n): 0, or the exit status after a message. A file that others may
 * read gets a warning, as ssh gives for keys.
 */
static int
password_file(const char *file, char *pw, size_t n, const char *prog)
{
	struct stat	 st;
	size_t		 len = 0;
	ssize_t		 r = 0;
	char		*nl;
	int		 fd;

	if ((fd = open(file, O_RDONLY | O_CLOEXEC)) == -1) {
		fprintf(stderr, "%s: --password-file %s: %s\n", prog, file,
		    strerror(errno));
		return EXIT_NOINPUT;
	}
	if (fstat(fd, &st) == 0 && S_ISREG(st.st_mode) &&
	    (st.st_mode & (S_IRGRP | S_IROTH)))
		fprintf(stderr, "%s: warning: --password-file %s: readable by "
		    "other users (mode %04o); chmod 600 it\n", prog, file,
		    (unsigned)(st.st_mode & 07777));
	while (len + 1 < n && memchr(pw, '\n', len) == NULL) {
		do
			r = read(fd, pw + len, n - 1 - len);
		while (r == -1 && errno == EINTR);
		if (r <= 0)
			break;
		len += (size_t)r;
	}
	close(fd);
	if (r == -1) {
		rs_secret_wipe(pw, n);
		fprintf(stderr, "%s: --password-file %s: %s\n", prog, file,
		    strerror(errno));
		return EXIT_NOINPUT;
	}
	if ((nl = memchr(pw, '\n', len)) == NULL && len + 1 >= n) {
		rs_secret_wipe(pw, n);
		fprintf(stderr, "%s: --password-file %s: the first line is "
		    "longer than %zu bytes\n", prog, file, n - 2);
		return EXIT_NOINPUT;
	}
	if (nl != NULL)
		len = (size_t)(nl - pw);
	if (len > 0 && pw[len - 1] == '\r')
		len--;
	rs_secret_wipe(pw + len, n - len);
	if (len == 0 || memchr(pw, '\0', len) != NULL) {
		rs_secret_wipe(pw, n);
		fprintf(stderr, "%s: --password-file %s: %s\n", prog, file,
		    len == 0 ? "the first line is empty" :
		    "the first line holds a NUL byte");
		return EXIT_NOINPUT;
	}
	return 0;
}

/*
 * Overwrite the passwords of the URIs in s (an argv string) with "***",
 * so that ps and /proc no longer show them. 1 if there was one.
 */
static int
scrub(char *s)
{
	char	*p = s, *a, *end, *at, *colon, *q;
	size_t	 pw, rest;
	int	 found = 0;

	while ((p = strstr(p, "://")) != NULL) {
		a = p + 3;
		end = a + strcspn(a, "/?#,");
		at = NULL;
		for (q = a; q < end; q++)
			if (*q == '@')
				at = q;
		p = end;
		if (at == NULL || (colon = memchr(a, ':', (size_t)(at - a))) ==
		    NULL || at == colon + 1)
			continue;
		found = 1;
		pw = (size_t)(at - colon - 1);
		if (pw <= 3) {
			memset(colon + 1, '*', pw);
			continue;
		}
		rest = strlen(at);
		memcpy(colon + 1, "***", 3);
		memmove(colon + 4, at, rest + 1);
		rs_secret_wipe(colon + 4 + rest + 1, pw - 3);
		p = colon + 4 + (end - at);
	}
	return found;
}

/*
 * The password, by precedence: --password-file; a password in a -u URI;
 * $RSTREAM_PASSWORD (wiped from the environment either way); a password
 * in $RSTREAM_URI; "guest". *given says whether any was given. 0, or the
 * exit status after a message.
 */
static int
passwords(struct rs_cli_conn *cc, struct rs_uri *uris, size_t n, int from_opt,
    int *given, const char *prog)
{
	char	 pw[sizeof uris->password], *env = getenv("RSTREAM_PASSWORD");
	int	 rc, have = 0;
	size_t	 i;

	memset(pw, 0, sizeof pw);
	if (cc->password_file != NULL) {
		if ((rc = password_file(cc->password_file, pw, sizeof pw,
		    prog)) != 0)
			return rc;
		have = 1;
	}
	if (env != NULL) {
		if (!have && *env != '\0') {
			if (strlen(env) >= sizeof pw) {
				fprintf(stderr, "%s: RSTREAM_PASSWORD: longer "
				    "than %zu bytes\n", prog, sizeof pw - 1);
				return RS_EXIT_USAGE;
			}
			memcpy(pw, env, strlen(env));
			have = 2;
		}
		rs_secret_wipe(env, strlen(env));
		unsetenv("RSTREAM_PASSWORD");
	}
	*given = have != 0;
	for (i = 0; i < n; i++) {
		*given |= uris[i].has_password;
		if (have == 1 || (have == 2 && !(from_opt &&
		    uris[i].has_password))) {
			memcpy(uris[i].password, pw, sizeof pw);
			uris[i].has_password = 1;
		}
	}
	rs_secret_wipe(pw, sizeof pw);
	return 0;
}

/*
 * TLS and SASL from the options, once the URIs are known: 0, or the exit
 * status after a message.
 */
static int
security(struct rs_cli_conn *cc, int pw_given, const char *prog)
{
	struct rs_err	 err = { RS_E_OK, "" };
	int		 tls = 0, opts;
	size_t		 i;

	for (i = 0; i < cc->c.nuris; i++)
		tls |= cc->c.uris[i].tls;
	opts = cc->tls.cacert || cc->tls.cert || cc->tls.key ||
	    cc->tls.server_name || cc->tls.insecure;
	if (opts && !tls)
		return rs_cli_usage(prog, "--cacert, --cert, --key, "
		    "--tls-server-name and --insecure need a "
		    "rabbitmq-stream+tls:// URI", NULL);
	if (cc->tls.key != NULL && cc->tls.cert == NULL)
		return rs_cli_usage(prog, "--key needs --cert", NULL);
	cc->c.sasl = RS_SASL_PLAIN;
	if (cc->sasl != NULL && strcasecmp(cc->sasl, "EXTERNAL") == 0) {
		if (cc->tls.cert == NULL)
			return rs_cli_usage(prog, "--sasl-mechanism EXTERNAL "
			    "needs a client certificate (--cert)", NULL);
		cc->c.sasl = RS_SASL_EXTERNAL;
	} else if (cc->sasl == NULL && cc->tls.cert != NULL && !pw_given)
		cc->c.sasl = RS_SASL_EXTERNAL;
	if (!tls)
		return 0;
	if ((cc->c.tls = kept_tls = rs_tls_new(&cc->tls, &err)) == NULL) {
		fprintf(stderr, "%s: %s\n", prog, err.msg);
		return rs_cli_status(err.kind);
	}
	if (cc->tls.insecure)
		fprintf(stderr, "%s: warning: --insecure: the broker's "
		    "certificate is not verified\n", prog);
	return 0;
}

/*
 * Parse the seed URIs gathered (or RSTREAM_URI, or the default) into
 * cc->c, with their password, TLS context and SASL mechanism. 0, or the
 * exit status after a message.
 */
int
rs_cli_connect(struct rs_cli_conn *cc, const char *prog)
{
	struct rs_uri	*uris;
	size_t		 i;
	int		 rc, given, shown = 0;

	if (seed_uris(&uris, &cc->c.nuris, cc->uris, cc->nuris, prog) == -1)
		return RS_EXIT_USAGE;
	cc->c.uris = uris;
	for (i = 0; i < cc->nuris; i++)
		if (scrub(cc->uris[i]) && !shown++)
			fprintf(stderr, "%s: warning: the password in --uri is "
			    "visible to other users; use --password-file or "
			    "RSTREAM_PASSWORD\n", prog);
	if ((rc = passwords(cc, uris, cc->c.nuris, cc->nuris > 0, &given,
	    prog)) != 0)
		return rc;
	return security(cc, given, prog);
}
