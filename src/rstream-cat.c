/*
 * rstream-cat: publish records from files or stdin to a RabbitMQ stream.
 *
 * Options -> struct rs_publisher_cfg -> rs_publisher_run() -> exit status.
 */
#include <getopt.h>
#include <inttypes.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "cli.h"
#include "loop.h"
#include "publisher.h"
#include "spec.h"

static const char *prog = "rstream-cat";

static void
usage(FILE *f)
{
	fprintf(f,
"usage: rstream-cat [OPTIONS] STREAM [FILE...]\n"
"Publish each line of the FILEs (or of stdin; - is stdin) as one message to\n"
"STREAM. Exits 0 only once the broker has confirmed every record.\n"
"\n"
"  -u, --uri URI               broker URI (default $RSTREAM_URI, else\n"
"                              %s)\n"
"      --raw                   publish the bare bytes, not AMQP 1.0 messages\n"
"      --create                create STREAM if it does not exist\n"
"      --max-length-bytes SIZE with --create: retention by size (500mb, 1GiB)\n"
"      --max-age DURATION      with --create: retention by age (30s 10m 2h 7d)\n"
"  -v, --verbose               say what is happening on stderr\n"
"  -h, --help                  show this help and exit\n"
"  -V, --version               show the version and exit\n"
"\n"
"Exit status: 0 all confirmed, 1 error, 2 usage, 65 bad input record,\n"
"66 input file missing, 69 stream or broker unavailable, 75 temporary\n"
"failure, 77 access refused.\n", RS_URI_DEFAULT);
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

enum { OPT_RAW = 256, OPT_CREATE, OPT_MAX_LENGTH_BYTES, OPT_MAX_AGE };

int
main(int argc, char *argv[])
{
	static const struct option longopts[] = {
		{ "uri",		required_argument,	NULL, 'u' },
		{ "raw",		no_argument,		NULL, OPT_RAW },
		{ "create",		no_argument,		NULL, OPT_CREATE },
		{ "max-length-bytes",	required_argument,	NULL, OPT_MAX_LENGTH_BYTES },
		{ "max-age",		required_argument,	NULL, OPT_MAX_AGE },
		{ "verbose",		no_argument,		NULL, 'v' },
		{ "help",		no_argument,		NULL, 'h' },
		{ "version",		no_argument,		NULL, 'V' },
		{ NULL, 0, NULL, 0 }
	};
	struct rs_publisher_cfg	 cfg;
	struct rs_publisher	 pub;
	struct rs_loop		*loop;
	const char		*uri = NULL, *args[4];
	char			 max_bytes[32], max_age[32];
	uint64_t		 v;
	size_t			 nargs = 0;
	int			 ch, rc;

	memset(&cfg, 0, sizeof cfg);
	max_bytes[0] = max_age[0] = '\0';
	while ((ch = getopt_long(argc, argv, "u:vhV", longopts, NULL)) != -1) {
		switch (ch) {
		case 'u':
			uri = optarg;
			break;
		case OPT_RAW:
			cfg.raw = 1;
			break;
		case OPT_CREATE:
			cfg.create = 1;
			break;
		case OPT_MAX_LENGTH_BYTES:
			if (rs_spec_size(optarg, &v) == -1 || v == 0)
				return bad_usage("--max-length-bytes: bad size",
				    optarg);
			snprintf(max_bytes, sizeof max_bytes, "%" PRIu64, v);
			break;
		case OPT_MAX_AGE:
			if (rs_spec_duration(optarg, &v) == -1 || v == 0)
				return bad_usage("--max-age: bad duration", optarg);
			snprintf(max_age, sizeof max_age, "%" PRIu64 "s", v);
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
	if (optind >= argc)
		return bad_usage("missing STREAM", NULL);
	cfg.stream = argv[optind++];
	if (*cfg.stream == '\0')
		return bad_usage("STREAM is empty", NULL);
	if ((max_bytes[0] || max_age[0]) && !cfg.create)
		return bad_usage("--max-length-bytes and --max-age need --create",
		    NULL);
	if (optind < argc) {
		cfg.files = argv + optind;
		cfg.nfiles = (size_t)(argc - optind);
	}
	if (max_bytes[0]) {
		args[nargs++] = "max-length-bytes";
		args[nargs++] = max_bytes;
	}
	if (max_age[0]) {
		args[nargs++] = "max-age";
		args[nargs++] = max_age;
	}
	cfg.create_args = args;
	cfg.ncreate = nargs / 2;
	if (rs_cli_uri(&cfg.uri, uri, prog) == -1)
		return RS_EXIT_USAGE;
	signal(SIGPIPE, SIG_IGN);
	if ((loop = rs_loop_new()) == NULL) {
		rs_cli_error(prog, NULL, "cannot start the event loop");
		return 1;
	}
	rc = rs_publisher_run(&pub, &cfg, loop);
	if (rc == -1) {
		rs_cli_error(prog, cfg.stream, pub.err.msg);
		if (pub.in_ready)
			fprintf(stderr, "%s: %s: %" PRIu64 " records read, %"
			    PRIu64 " confirmed, %" PRIu64 " failed; first "
			    "unconfirmed: record %" PRIu64 "\n", prog,
			    cfg.stream, pub.read, pub.confirmed, pub.failed,
			    pub.failed && pub.first_failed < pub.base ?
			    pub.first_failed : pub.base);
	}
	rs_publisher_free(&pub);
	rs_loop_free(loop);
	return rs_cli_status(pub.err.kind);
}
