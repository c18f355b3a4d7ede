/*
 * opts.h: the command line as both tools parse it. rs_opts_next() runs
 * getopt_long() over a tool's options, takes those both tools share into
 * struct rs_opts, checks the argument of every option that is a number,
 * and hands the main only the options that are its tool's own.
 *
 * Shared: the connection's (-u, --timeout, TLS and the password), the
 * framing (-0, -D, --framing), -J, -c, -N, -v, --progress, --no-progress,
 * --super-stream, -h and -V. --raw is spelled in both but means one thing
 * in each (rstream-cat: messages without AMQP 1.0; rstream-tail: nothing
 * between records): its entry is shared, its handling is the main's.
 */
#ifndef RS_OPTS_H
#define RS_OPTS_H

#include <getopt.h>
#include <stdint.h>
#include <stdio.h>

#include "cli.h"
#include "info.h"

/* The shared options' getopt_long() values; a tool's own start at 256. */
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
	RS_OPT_LOAD_BALANCER,
	RS_OPT_FRAMING,
	RS_OPT_RAW,
	RS_OPT_PROGRESS,
	RS_OPT_NO_PROGRESS,
	RS_OPT_SUPER_STREAM
};

/* The shared short options; a tool appends its own. */
#define RS_OPTS_SHORT	"u:0D:c:N:JvhV"

/* The shared long options, for the end of a tool's table (then its NULL row). */
#define RS_OPTS_LONG \
	{ "null",	no_argument,		NULL, '0' }, \
	{ "delimiter",	required_argument,	NULL, 'D' }, \
	{ "framing",	required_argument,	NULL, RS_OPT_FRAMING }, \
	{ "raw",	no_argument,		NULL, RS_OPT_RAW }, \
	{ "json",	no_argument,		NULL, 'J' }, \
	{ "count",	required_argument,	NULL, 'c' }, \
	{ "name",	required_argument,	NULL, 'N' }, \
	{ "progress",	no_argument,		NULL, RS_OPT_PROGRESS }, \
	{ "no-progress", no_argument,		NULL, RS_OPT_NO_PROGRESS }, \
	{ "super-stream", no_argument,		NULL, RS_OPT_SUPER_STREAM }, \
	{ "verbose",	no_argument,		NULL, 'v' }, \
	{ "help",	no_argument,		NULL, 'h' }, \
	{ "version",	no_argument,		NULL, 'V' }, \
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

/* What -0, -D and --framing chose. */
enum rs_opts_framing {
	RS_OPTS_DELIM,		/* records end with delim (lines, null, -0, -D) */
	RS_OPTS_BE32,		/* a 4-byte big-endian length before each */
	RS_OPTS_WHOLE,		/* rstream-cat: each file is one record */
	RS_OPTS_RAW		/* rstream-tail: nothing between records */
};

/* How a number option's argument reads (spec.h). */
enum rs_opts_unit {
	RS_OPTS_COUNT,		/* rs_spec_count() */
	RS_OPTS_SIZE,		/* rs_spec_size(): bytes */
	RS_OPTS_SECONDS,	/* rs_spec_duration() */
	RS_OPTS_MS		/* rs_spec_duration_ms() */
};

/* An option whose argument is a number from min to max, else usage error msg. */
struct rs_opts_num {
	int			 opt;		/* its getopt_long() value; 0 ends a table */
	enum rs_opts_unit	 unit;
	uint64_t		 min;
	uint64_t		 max;
	const char		*msg;		/* "--partitions: expected 1 to 1000" */
};

/* A tool's command line. */
struct rs_opts_tool {
	const char		*prog;
	const char		*shortopts;	/* RS_OPTS_SHORT, then its own */
	const struct option	*longopts;	/* its own, RS_OPTS_LONG, NULL row */
	const struct rs_opts_num *nums;		/* its number options */
	void			(*usage)(FILE *);	/* -h */
	enum rs_opts_framing	 framing;	/* --framing's fourth: whole or raw */
	int			 repeat_names;	/* each -N into names[] */
};

/* What the shared options gathered; rs_opts_init() sets the defaults. */
struct rs_opts {
	const struct rs_opts_tool *tool;
	struct rs_cli_conn	 conn;		/* the connection options */
	enum rs_opts_framing	 framing;
	const char		*delim;		/* RS_OPTS_DELIM: "\n" by default */
	size_t			 delim_len;
	int			 json;		/* -J */
	uint64_t		 count;		/* -c; 0: none */
	const char		*name;		/* the last -N */
	const char		*names[RS_INFO_NAMES_MAX];	/* repeat_names */
	size_t			 nnames;
	void			(*log)(const char *, void *);	/* -v */
	int			 progress;	/* --progress 1, --no-progress 0, -1 */
	int			 super;		/* --super-stream */
	uint64_t		 num;		/* the number option just returned */
	int			 status;	/* after RS_OPTS_EXIT */
};

#define RS_OPTS_EXIT	(-2)	/* from rs_opts_next(): exit with o->status */

void	rs_opts_init(struct rs_opts *, const struct rs_opts_tool *);
int	rs_opts_next(struct rs_opts *, int, char *const *);
int	rs_opts_delimiter(const struct rs_opts *, const char *, const char *,
	    const char **, size_t *);
int	rs_opts_choice(const struct rs_opts *, const char *, const char *,
	    const char *, const char *, int *);
int	rs_opts_streams(const struct rs_opts *, char *const *, int);
int	rs_opts_connect(struct rs_opts *);

#endif
