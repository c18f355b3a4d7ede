/*
 * rstream-tail: print the records of a RabbitMQ stream, like tail(1).
 *
 * Options -> struct rs_consumer_cfg -> rs_consumer_run() -> exit status.
 */
#include <getopt.h>
#include <inttypes.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "config.h"
#include "cli.h"
#include "consumer.h"
#include "loop.h"
#include "spec.h"

static const char *prog = "rstream-tail";

static void
usage(FILE *f)
{
	fprintf(f,
"usage: rstream-tail [OPTIONS] STREAM\n"
"Print the records of STREAM, one per line: by default the last 10, then\n"
"exit at the end the stream had when the run started.\n"
"\n"
"  -u, --uri URI          broker URI (default $RSTREAM_URI, else\n"
"                         %s)\n"
"  -o, --offset SPEC      start at first, last, next or offset N\n"
"  -n, --lines N          start N records before the end (default 10)\n"
"  -f, --follow           keep printing records as they arrive\n"
"  -c, --count N          exit after N records\n"
"  -0, --null             end each record with NUL, not newline\n"
"  -D, --delimiter STR    end each record with STR (escapes \\n \\t \\r \\0 \\\\ \\xNN)\n"
"      --framing=KIND     lines (default), null, be32 (4-byte big-endian\n"
"                         length before each record) or raw (nothing\n"
"                         between records)\n"
"  -v, --verbose          say what is happening on stderr\n"
"  -h, --help             show this help and exit\n"
"  -V, --version          show the version and exit\n"
"\n"
"Exit status: 0 success (also when the reader of stdout goes away), 1 error,\n"
"2 usage, 69 stream or broker unavailable, 75 temporary failure, 77 access\n"
"refused.\n", RS_URI_DEFAULT);
}

static int
bad_usage(const char *msg, const char *arg)
{
	if (arg != NULL)
		fprintf(stderr, "%s: %s: %s\n", prog, msg, arg);
	else
		fprintf(stderr, "%s: %s\n", prog, msg);
	fprintf(stderr, "Try '%s --help' for more information.\n", prog);
	return RS_EXIT_USAGE;
}

enum { OPT_FRAMING = 256 };

int
main(int argc, char *argv[])
{
	static const struct option longopts[] = {
		{ "uri",	required_argument,	NULL, 'u' },
		{ "offset",	required_argument,	NULL, 'o' },
		{ "lines",	required_argument,	NULL, 'n' },
		{ "follow",	no_argument,		NULL, 'f' },
		{ "count",	required_argument,	NULL, 'c' },
		{ "null",	no_argument,		NULL, '0' },
		{ "delimiter",	required_argument,	NULL, 'D' },
		{ "framing",	required_argument,	NULL, OPT_FRAMING },
		{ "verbose",	no_argument,		NULL, 'v' },
		{ "help",	no_argument,		NULL, 'h' },
		{ "version",	no_argument,		NULL, 'V' },
		{ NULL, 0, NULL, 0 }
	};
	struct rs_consumer_cfg	 cfg;
	struct rs_consumer	 con;
	struct rs_loop		*loop;
	const char		*uri = NULL;
	char			*delim = NULL;
	size_t			 dl;
	uint64_t		 v;
	int			 ch, rc, have_offset = 0, have_lines = 0;

	memset(&cfg, 0, sizeof cfg);
	cfg.lines = 10;
	cfg.out_fd = STDOUT_FILENO;
	rs_output_init(&cfg.output, "\n", 1);
	while ((ch = getopt_long(argc, argv, "u:o:n:fc:0D:vhV", longopts,
	    NULL)) != -1) {
		switch (ch) {
		case 'u':
			uri = optarg;
			break;
		case 'o':
			if (rs_spec_offset(optarg, &cfg.start) == -1)
				return bad_usage("--offset: expected first, "
				    "last, next or a number", optarg);
			have_offset = 1;
			break;
		case 'n':
			if (rs_spec_count(optarg, &v) == -1 || v > INT64_MAX)
				return bad_usage("--lines: bad number", optarg);
			cfg.lines = (int64_t)v;
			have_lines = 1;
			break;
		case 'f':
			cfg.follow = 1;
			break;
		case 'c':
			if (rs_spec_count(optarg, &cfg.count) == -1 ||
			    cfg.count == 0)
				return bad_usage("--count: bad number", optarg);
			break;
		case '0':
			rs_output_init(&cfg.output, "", 1);
			break;
		case 'D':
			free(delim);
			if ((delim = malloc(strlen(optarg) + 1)) == NULL)
				return 1;
			if (rs_spec_unescape(optarg, delim, &dl) == -1)
				return bad_usage("--delimiter: empty, or a bad "
				    "escape", optarg);
			rs_output_init(&cfg.output, delim, dl);
			break;
		case OPT_FRAMING:
			if (strcmp(optarg, "lines") == 0)
				rs_output_init(&cfg.output, "\n", 1);
			else if (strcmp(optarg, "null") == 0)
				rs_output_init(&cfg.output, "", 1);
			else if (strcmp(optarg, "be32") == 0)
				cfg.output.framing = RS_OUTPUT_BE32;
			else if (strcmp(optarg, "raw") == 0)
				cfg.output.framing = RS_OUTPUT_RAW;
			else
				return bad_usage("--framing: expected lines, "
				    "null, be32 or raw", optarg);
			break;
		case 'v':
			cfg.log = rs_cli_log;
			cfg.log_ud = (void *)prog;
			break;
		case 'h':
			usage(stdout);
			return 0;
		case 'V':
			printf("%s %s\n", prog, PACKAGE_VERSION);
			return 0;
		default:
			fprintf(stderr, "Try '%s --help' for more information.\n",
			    prog);
			return RS_EXIT_USAGE;
		}
	}
	if (have_offset && have_lines)
		return bad_usage("--offset and --lines cannot be combined", NULL);
	if (have_offset)
		cfg.lines = -1;
	if (optind >= argc)
		return bad_usage("missing STREAM", NULL);
	cfg.stream = argv[optind++];
	if (*cfg.stream == '\0')
		return bad_usage("STREAM is empty", NULL);
	if (optind < argc)
		return bad_usage("unexpected argument", argv[optind]);
	if (rs_cli_uri(&cfg.uri, uri, prog) == -1)
		return RS_EXIT_USAGE;
	signal(SIGPIPE, SIG_IGN);
	if ((loop = rs_loop_new()) == NULL) {
		rs_cli_error(prog, NULL, "cannot start the event loop");
		return 1;
	}
	rc = rs_consumer_run(&con, &cfg, loop);
	if (rc == -1)
		rs_cli_error(prog, cfg.stream, con.err.msg);
	rs_consumer_free(&con);
	rs_loop_free(loop);
	free(delim);
	return rs_cli_status(con.err.kind);
}
