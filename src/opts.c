/*
 * opts.c: the command line of both tools, up to the run: the options they
 * share, the check of every number option's argument, -h and -V, and the
 * STREAM operands.
 *
 * A main keeps its own table of options and a switch for those that are
 * its tool's alone; rs_opts_next() takes the rest, so that a shared
 * option is parsed, and a usage error worded, in one place. Messages and
 * exit statuses are those of cli.c: "prog: --opt: reason: ARG", the
 * "Try 'prog --help'" line, status 2.
 */
#include "config.h"

#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

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
#include "opts.h"
#include "spec.h"

/* The shared options whose argument is a number. */
static const struct rs_opts_num shared_nums[] = {
	{ 'c', RS_OPTS_COUNT, 1, UINT64_MAX, "--count: bad number" },
	{ RS_OPT_TIMEOUT, RS_OPTS_MS, 1, UINT64_MAX, "--timeout: bad duration" },
	{ RS_OPT_RETRY_FOR, RS_OPTS_MS, 0, UINT64_MAX,
	    "--retry-for: bad duration" },
	{ RS_OPT_HEARTBEAT, RS_OPTS_SECONDS, 1, 3600,
	    "--heartbeat: expected 1s to 1h" },
	{ 0, RS_OPTS_COUNT, 0, 0, NULL }
};

/* Set the defaults: lines, the connection's retry for 30s, -1 for no --progress. */
void
rs_opts_init(struct rs_opts *o, const struct rs_opts_tool *tool)
{
	memset(o, 0, sizeof *o);
	o->tool = tool;
	o->conn.c.retry_for = 30.0;
	o->framing = RS_OPTS_DELIM;
	o->delim = "\n";
	o->delim_len = 1;
	o->progress = -1;
}

/* A usage error: its message, and -1 for rs_opts_next() to return RS_OPTS_EXIT. */
static int
bad(struct rs_opts *o, const char *msg, const char *arg)
{
	o->status = rs_cli_usage(o->tool->prog, msg, arg);
	return -1;
}

/*
 * If ch is a number option of the table t, check arg into o->num: 1, or
 * -1 after the usage error; 0 if ch is not in t.
 */
static int
number(struct rs_opts *o, const struct rs_opts_num *t, int ch, const char *arg)
{
	uint64_t	 v;
	int		 rc;

	for (; t->opt != 0; t++) {
		if (t->opt != ch)
			continue;
		switch (t->unit) {
		case RS_OPTS_SIZE:
			rc = rs_spec_size(arg, &v);
			break;
		case RS_OPTS_SECONDS:
			rc = rs_spec_duration(arg, &v);
			break;
		case RS_OPTS_MS:
			rc = rs_spec_duration_ms(arg, &v);
			break;
		default:
			rc = rs_spec_count(arg, &v);
			break;
		}
		if (rc == -1 || v < t->min || v > t->max)
			return bad(o, t->msg, arg);
		o->num = v;
		return 1;
	}
	return 0;
}

/*
 * Take one of the connection options into o->conn: 1 if it was one, 0 if
 * not, -1 after a usage error.
 */
static int
conn(struct rs_opts *o, int ch, char *arg)
{
	struct rs_cli_conn	*cc = &o->conn;

	switch (ch) {
	case 'u':
		if (cc->nuris == RS_CLI_MAX_URIS)
			return bad(o, "--uri: too many", arg);
		cc->uris[cc->nuris++] = arg;
		return 1;
	case RS_OPT_NO_LOCATE:
		cc->c.no_locate = 1;
		return 1;
	case RS_OPT_LOAD_BALANCER:
		cc->c.load_balancer = 1;
		return 1;
	case RS_OPT_TIMEOUT:
		cc->c.timeout = (double)o->num / 1000.0;
		return 1;
	case RS_OPT_RETRY_FOR:
		cc->c.retry_for = (double)o->num / 1000.0;
		return 1;
	case RS_OPT_HEARTBEAT:
		cc->c.heartbeat = (unsigned)o->num;
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
			return bad(o, "--tls-server-name: empty", NULL);
		cc->tls.server_name = arg;
		return 1;
	case RS_OPT_INSECURE:
		cc->tls.insecure = 1;
		return 1;
	case RS_OPT_SASL_MECHANISM:
		if (strcasecmp(arg, "PLAIN") != 0 &&
		    strcasecmp(arg, "EXTERNAL") != 0)
			return bad(o, "--sasl-mechanism: expected PLAIN or "
			    "EXTERNAL", arg);
		cc->sasl = arg;
		return 1;
	case RS_OPT_PASSWORD_FILE:
		cc->password_file = arg;
		return 1;
	default:
		return 0;
	}
}

/* --framing KIND: lines, null, be32, or the tool's fourth (whole or raw). 1, or -1. */
static int
framing(struct rs_opts *o, const char *arg)
{
	enum rs_opts_framing	 fourth = o->tool->framing;
	const char		*word = fourth == RS_OPTS_WHOLE ? "whole" : "raw";
	char			 msg[64];

	if (strcmp(arg, "lines") == 0 || strcmp(arg, "null") == 0) {
		o->framing = RS_OPTS_DELIM;
		o->delim = *arg == 'l' ? "\n" : "";
		o->delim_len = 1;
	} else if (strcmp(arg, "be32") == 0)
		o->framing = RS_OPTS_BE32;
	else if (strcmp(arg, word) == 0)
		o->framing = fourth;
	else {
		snprintf(msg, sizeof msg, "--framing: expected lines, null, "
		    "be32 or %s", word);
		return bad(o, msg, arg);
	}
	return 1;
}

/*
 * libev's own declarations (ev.h), repeated so that src/loop.c stays the only
 * file that includes <ev.h>.
 */
int	ev_version_major(void);
int	ev_version_minor(void);

/*
 * -V: print the version, the libraries linked with the versions they
 * report at run time (libdeflate's is the one built against; libsnappy
 * has no version call), and the sub-entry compression types this build
 * reads and writes, as curl -V does.
 */
static void
version(const char *prog)
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

/*
 * Take one of the other shared options: 1 if it was one, 0 if not, -1
 * after a usage error, or after -h or -V (status 0).
 */
static int
shared(struct rs_opts *o, int ch, char *arg)
{
	const struct rs_opts_tool	*t = o->tool;
	int				 rc;

	switch (ch) {
	case '0':
		o->framing = RS_OPTS_DELIM;
		o->delim = "";
		o->delim_len = 1;
		return 1;
	case 'D':
		if ((rc = rs_opts_delimiter(o, "--delimiter", arg, &o->delim,
		    &o->delim_len)) != 0) {
			o->status = rc;
			return -1;
		}
		o->framing = RS_OPTS_DELIM;
		return 1;
	case RS_OPT_FRAMING:
		return framing(o, arg);
	case 'J':
		o->json = 1;
		return 1;
	case 'c':
		o->count = o->num;
		return 1;
	case 'N':
		if (*arg == '\0' || strlen(arg) > 256)
			return bad(o, "--name: must be 1 to 256 bytes", arg);
		if (t->repeat_names && o->nnames == RS_INFO_NAMES_MAX)
			return bad(o, "--name: too many", arg);
		if (t->repeat_names)
			o->names[o->nnames++] = arg;
		o->name = arg;
		return 1;
	case 'v':
		o->log = rs_cli_log;
		return 1;
	case RS_OPT_PROGRESS:
	case RS_OPT_NO_PROGRESS:
		o->progress = ch == RS_OPT_PROGRESS;
		return 1;
	case RS_OPT_SUPER_STREAM:
		o->super = 1;
		return 1;
	case 'h':
		t->usage(stdout);
		o->status = 0;
		return -1;
	case 'V':
		version(t->prog);
		o->status = 0;
		return -1;
	case '?':	/* getopt_long() said what */
		fprintf(stderr, "Try '%s --help' for more information.\n",
		    t->prog);
		o->status = RS_EXIT_USAGE;
		return -1;
	default:
		return 0;
	}
}

/*
 * The next option that is the tool's own, as getopt_long() returns it
 * (a number option's argument checked into o->num), after taking the
 * shared ones into o: -1 when the options end (optind is at the first
 * operand), RS_OPTS_EXIT after -h, -V or a usage error, with the exit
 * status in o->status.
 */
int
rs_opts_next(struct rs_opts *o, int argc, char *const *argv)
{
	const struct rs_opts_tool	*t = o->tool;
	int				 ch, rc;

	while ((ch = getopt_long(argc, argv, t->shortopts, t->longopts,
	    NULL)) != -1) {
		if ((rc = number(o, shared_nums, ch, optarg)) == 0 &&
		    t->nums != NULL)
			rc = number(o, t->nums, ch, optarg);
		if (rc == -1)
			return RS_OPTS_EXIT;
		if ((rc = conn(o, ch, optarg)) == 0)
			rc = shared(o, ch, optarg);
		if (rc == -1)
			return RS_OPTS_EXIT;
		if (rc == 0)
			return ch;
	}
	return -1;
}

/*
 * -D STRING (and rstream-cat's -K): the delimiter with its escapes undone,
 * kept until exit, in *delim and *len; opt names the option in a usage
 * error. 0, or the usage error's exit status.
 */
int
rs_opts_delimiter(const struct rs_opts *o, const char *opt, const char *arg,
    const char **delim, size_t *len)
{
	const char	*prog = o->tool->prog;
	char		 msg[64];
	char		*d;

	if ((d = rs_cli_keep(malloc(strlen(arg) + 1))) == NULL) {
		fprintf(stderr, "%s: out of memory\n", prog);
		return 1;
	}
	if (rs_spec_unescape(arg, d, len) == -1) {
		snprintf(msg, sizeof msg, "%s: empty, or a bad escape", opt);
		return rs_cli_usage(prog, msg, arg);
	}
	*delim = d;
	return 0;
}

/*
 * An option that takes one of two words: *out is 0 for the first, 1 for
 * the second, and 0 is returned; else a usage error naming both (2).
 */
int
rs_opts_choice(const struct rs_opts *o, const char *opt, const char *arg,
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
		return rs_cli_usage(o->tool->prog, msg, arg);
	}
	return 0;
}

/* The n STREAM operands: at least one, none empty. 0, or the usage error's status. */
int
rs_opts_streams(const struct rs_opts *o, char *const *streams, int n)
{
	int	 i;

	if (n <= 0)
		return rs_cli_usage(o->tool->prog, "missing STREAM", NULL);
	for (i = 0; i < n; i++)
		if (*streams[i] == '\0')
			return rs_cli_usage(o->tool->prog, "STREAM is empty",
			    NULL);
	return 0;
}

/*
 * The options all taken: the connection's into o->conn.c (rs_cli_connect),
 * and SIGPIPE ignored, so that a closed socket or stdout is an error to
 * handle rather than a death. 0, or the exit status after a message.
 */
int
rs_opts_connect(struct rs_opts *o)
{
	int	 rc;

	/* --no-locate keeps to the seed: no node is looked for through it. */
	if (o->conn.c.no_locate && o->conn.c.load_balancer)
		return rs_cli_usage(o->tool->prog, "--load-balancer and "
		    "--no-locate: choose one", NULL);
	if ((rc = rs_cli_connect(&o->conn, o->tool->prog)) != 0)
		return rc;
	signal(SIGPIPE, SIG_IGN);
	return 0;
}
