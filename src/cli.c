/*
 * cli.c: helpers of the two mains. Only the mains (and these helpers) print.
 *
 * The connection options end in rs_cli_connect(): the seed URIs, the
 * password by precedence (--password-file, a password in -u,
 * $RSTREAM_PASSWORD, a password in $RSTREAM_URI, "guest"), the TLS context
 * and the SASL mechanism. Passwords live in memory that core dumps leave
 * out; a password typed in -u is overwritten in argv so that ps no longer
 * shows it, and $RSTREAM_PASSWORD is wiped from the environment so that
 * commands run by rstream-tail do not inherit it.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include <jansson.h>
#include <libdeflate.h>
#ifdef HAVE_LZ4
#include <lz4.h>
#endif
#include <openssl/crypto.h>
#include <zlib.h>
#ifdef HAVE_ZSTD
#include <zstd.h>
#endif

#include "cli.h"
#include "codec.h"
#include "meter.h"
#include "secret.h"
#include "spec.h"

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

static struct rs_meter	*meter;	/* the progress line on stderr, if any */

/* Blank the progress line m (NULL: none) before each diagnostic. */
void
rs_cli_set_meter(struct rs_meter *m)
{
	meter = m;
}

/* Are file descriptors a and b the same file (stdout and stderr both the terminal)? */
int
rs_cli_same_file(int a, int b)
{
	struct stat	 sa, sb;

	return fstat(a, &sa) == 0 && fstat(b, &sb) == 0 &&
	    sa.st_dev == sb.st_dev && sa.st_ino == sb.st_ino;
}

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
 * An option that takes one of two words: *out is 0 for the first, 1 for
 * the second, and 0 is returned; else a usage error naming both (2).
 */
int
rs_cli_choice(const char *prog, const char *opt, const char *arg,
    const char *zero, const char *one, int *out)
{
	char	 msg[128];

	if (strcmp(arg, zero) == 0)
		*out = 0;
	else if (strcmp(arg, one) == 0)
		*out = 1;
	else {
		snprintf(msg, sizeof msg, "%s: expected %s or %s", opt, zero,
		    one);
		return rs_cli_usage(prog, msg, arg);
	}
	return 0;
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
	case RS_OPT_LOAD_BALANCER:
		cc->c.load_balancer = 1;
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
	case RS_OPT_CACERT:
		cc->tls.cacert = arg;
		return 1;
	case RS_OPT_CERT:
		cc->tls.cert = arg;
		return 1;
	case RS_OPT_KEY:
		cc->tls.key = arg;
		return 1;
	case RS_OPT_TLS_SERVER_NAME:
		if (*arg == '\0')
			return rs_cli_usage(prog, "--tls-server-name: empty", NULL);
		cc->tls.server_name = arg;
		return 1;
	case RS_OPT_INSECURE:
		cc->tls.insecure = 1;
		return 1;
	case RS_OPT_SASL_MECHANISM:
		if (strcasecmp(arg, "PLAIN") != 0 &&
		    strcasecmp(arg, "EXTERNAL") != 0)
			return rs_cli_usage(prog, "--sasl-mechanism: expected "
			    "PLAIN or EXTERNAL", arg);
		cc->sasl = arg;
		return 1;
	case RS_OPT_PASSWORD_FILE:
		cc->password_file = arg;
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

	if (rs_cli_uris(&uris, &cc->c.nuris, cc->uris, cc->nuris, prog) == -1)
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

/*
 * libev's own declarations (ev.h), repeated so that src/loop.c stays the only
 * file that includes <ev.h>.
 */
int	ev_version_major(void);
int	ev_version_minor(void);

/*
 * Print the version, the libraries linked with the versions they report at
 * run time (libdeflate's is the one built against; libsnappy has no
 * version call), and the sub-entry compression types this build reads and
 * writes, as curl -V does.
 */
void
rs_cli_version(const char *prog)
{
	const char	*ssl;
	int		 c;

#ifdef OPENSSL_VERSION_STRING
	ssl = OpenSSL_version(OPENSSL_VERSION_STRING);
#else
	ssl = OpenSSL_version(OPENSSL_VERSION);	/* "OpenSSL 1.1.1w  11 Sep 2023" */
	if (strncmp(ssl, "OpenSSL ", 8) == 0)
		ssl += 8;
#endif
	printf("%s %s\n", prog, PACKAGE_VERSION);
	printf("Libraries: libev/%d.%d zlib/%s OpenSSL/%.*s jansson/%s "
	    "libdeflate/%s", ev_version_major(), ev_version_minor(),
	    zlibVersion(), (int)strcspn(ssl, " "), ssl, jansson_version_str(),
	    LIBDEFLATE_VERSION_STRING);
#ifdef HAVE_SNAPPY
	fputs(" snappy", stdout);
#endif
#ifdef HAVE_LZ4
	printf(" lz4/%s", LZ4_versionString());
#endif
#ifdef HAVE_ZSTD
	printf(" zstd/%s", ZSTD_versionString());
#endif
	fputs("\nCompression:", stdout);
	for (c = RS_CODEC_GZIP; c <= RS_CODEC_MAX; c++)
		if (rs_codec_available(c))
			printf(" %s", rs_codec_name(c));
	putchar('\n');
}
