/*
 * rstream-tail: print the records of a RabbitMQ stream, like tail(1).
 *
 * Options -> struct rs_consumer_cfg -> rs_consumer_run() -> exit status;
 * several STREAMs or --super-stream: struct rs_multi_cfg -> rs_multi_run();
 * with --info: struct rs_info_cfg -> rs_info_run() -> infoout.c -> status.
 */
#include "config.h"

#include <getopt.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/time.h>
#include <unistd.h>

#include "cli.h"
#include "consumer.h"
#include "info.h"
#include "infoout.h"
#include "loop.h"
#include "meter.h"
#include "multi.h"
#include "opts.h"
#include "spec.h"

static const char prog[] = "rstream-tail";

static void
usage(FILE *f)
{
	fprintf(f,
"usage: rstream-tail [OPTIONS] STREAM... [-- COMMAND [ARG...]]\n"
"       rstream-tail [OPTIONS] --super-stream SUPER... [-- COMMAND [ARG...]]\n"
"       rstream-tail --info [-J] [-N NAME]... [--max-lag N] [--max-idle DURATION]\n"
"                    STREAM...\n"
"Print the records of each STREAM, one per line: by default the last 10,\n"
"then exit at the end the stream had when the run started. With several\n"
"streams, records are written as they arrive, each stream's in order.\n"
"\n"
"Connection:\n"
"  -u, --uri URI          a broker URI (default $RSTREAM_URI, else\n"
"                         %s);\n"
"                         repeat it, or separate URIs with commas, to give\n"
"                         several seed nodes of a cluster\n"
"      --no-locate        read from the seed node, not a replica\n"
"      --load-balancer    the URI is a load balancer in front of the\n"
"                         cluster: connect through it (again, up to 20\n"
"                         times) until it lands on a replica\n"
"      --heartbeat DURATION  ask the broker for heartbeats this often\n"
"                         (default 60s): a silent broker is noticed after\n"
"                         two of them\n"
"      --retry-for DURATION  after a failure, connect again and go on after\n"
"                         the last record written, for this long (default\n"
"                         30s; 0: give up at once; -F: forever)\n"
"      --timeout DURATION wait this long to connect, for the handshake and\n"
"                         for any reply (default 30s)\n"
"TLS (rabbitmq-stream+tls://, port 5551) and authentication:\n"
"      --cacert FILE      trust the CA certificates in FILE (PEM), not\n"
"                         the system's\n"
"      --cert FILE        present this client certificate (PEM)\n"
"      --key FILE         its private key (default: in the --cert file)\n"
"      --tls-server-name NAME\n"
"                         check the certificate against NAME, not the\n"
"                         host connected to\n"
"      --insecure         do not verify the broker's certificate\n"
"      --sasl-mechanism MECH\n"
"                         PLAIN (user and password) or EXTERNAL (the\n"
"                         client certificate; the default with --cert\n"
"                         and no password)\n"
"      --password-file FILE\n"
"                         the password is the first line of FILE\n"
"                         (else $RSTREAM_PASSWORD, else the URI's)\n"
"Where to start:\n"
"  -o, --offset SPEC      first, last, next, an offset N, -N (N records\n"
"                         before the end) or a TIME\n"
"  -n, --lines N          start N records before the end (default 10)\n"
"      --since TIME       start at the first chunk written at or after TIME\n"
"Where to stop:\n"
"  -e, --exit-at-end      stop at the end the stream had at the start (the\n"
"                         default without -f)\n"
"  -f, --follow           keep printing records as they arrive\n"
"  -F                     like -f, and wait for the stream to exist and\n"
"                         reconnect after failures, forever\n"
"  -c, --count N          exit after N records\n"
"      --until TIME       stop before the first chunk written at or after TIME\n"
"Named readers:\n"
"  -N, --name NAME        start after the offset stored for NAME (else at\n"
"                         -o/-n/--since, default first) and store the offset\n"
"                         of the last record written (with --info: the\n"
"                         reader and publisher to show; repeat it)\n"
"      --reset            with -N: ignore the stored offset this time\n"
"      --no-store         with -N: read from the stored offset, store nothing\n"
"      --store-every N    store every N records (default 10000) and\n"
"                         every 5 seconds, and at the end\n"
"      --single-active    with -N: one reader of NAME at a time reads each\n"
"                         stream or partition, the others wait and take over\n"
"                         from the stored offset (follows; RabbitMQ 3.11+)\n"
"Where streams stand:\n"
"      --info             for each STREAM: leader, replicas, first and last\n"
"                         offsets and timestamps, and for each -N NAME (repeat\n"
"                         it) the reader's stored offset and lag and the\n"
"                         publisher's sequence; a table, or with -J a JSON\n"
"                         object per stream\n"
"      --max-lag N        with --info: exit 3 if a named reader is more than\n"
"                         N records behind (or has stored nothing)\n"
"      --max-idle DURATION  with --info: exit 3 if the last record is older\n"
"                         than DURATION (30s, 10m, 2h, 1d)\n"
"Filtering (RabbitMQ 3.13+):\n"
"      --filter VALUE     only records whose filter value (given by their\n"
"                         publisher) is VALUE (repeat it: any of them);\n"
"                         the broker skips whole chunks without one\n"
"      --match-unfiltered with --filter: also records with no filter value\n"
"Output:\n"
"  -0, --null             end each record with NUL, not newline\n"
"  -D, --delimiter STR    end each record with STR (escapes \\n \\t \\r \\0 \\\\ \\xNN)\n"
"      --framing=KIND     lines (default), null, be32 (4-byte big-endian\n"
"                         length before each record) or raw (nothing\n"
"                         between records)\n"
"      --raw              bodies back to back (--framing=raw)\n"
"  -J, --json             JSON lines: stream, offset, timestamp, body (a\n"
"                         string, or base64 with body_encoding), properties,\n"
"                         application_properties, message_annotations\n"
"      --format FMT       kcat-style: %%s body, %%S its length, %%R its length\n"
"                         as 4 bytes, %%o offset, %%T timestamp (ms), %%I ISO\n"
"                         time, %%t stream, %%h properties, %%{NAME}h one, %%%%\n"
"  -l, --line-buffered    write each record at once (the default when\n"
"                         stdout is a terminal)\n"
"      --no-crc           do not check the CRC-32 of each chunk\n"
"      --progress         show records and bytes written, rate and (without\n"
"                         -f) ETA on one line on stderr, updated as it goes\n"
"                         (automatic when stderr is a terminal, stdout is\n"
"                         not, and 50000 records or more are to be read\n"
"                         before the end)\n"
"      --no-progress      no automatic progress line\n"
"  -q, --quiet            with several streams, no '==> STREAM <==' header\n"
"                         before each run of records from another stream\n"
"Several streams:\n"
"      --super-stream     each STREAM is a super stream: read all its\n"
"                         partitions (RabbitMQ 3.11 or later)\n"
"Commands:\n"
"  -- COMMAND [ARG...]    run COMMAND once per record, the body on its stdin,\n"
"                         RSTREAM_OFFSET, RSTREAM_TIMESTAMP, RSTREAM_STREAM\n"
"                         in its environment; with -N, store only past\n"
"                         records whose COMMAND succeeded\n"
"      --on-error=stop|skip  a failing COMMAND ends the run with status 1\n"
"                         (default), or is reported and skipped\n"
"Other:\n"
"  -v, --verbose          say what is happening on stderr\n"
"  -h, --help             show this help and exit\n"
"  -V, --version          show the version and exit\n"
"\n"
"TIME: RFC 3339 (2026-11-25T12:00:00Z), @EPOCH seconds, epoch milliseconds,\n"
"now, today, yesterday, or relative: -30s -10m -1h -2d.\n"
"\n"
"Exit status: 0 success (also when the reader of stdout goes away), 1 error,\n"
"2 usage, 3 an --info check failed, 66 password, CA, certificate or key file unreadable, 69 stream or\n"
"broker unavailable, 75 temporary failure, 76 TLS handshake failed, 77\n"
"access refused; stopped by a signal: that signal's status.\n",
	    RS_URI_DEFAULT);
}

static int64_t
now_ms(void)
{
	struct timeval	 tv;

	gettimeofday(&tv, NULL);
	return (int64_t)tv.tv_sec * 1000 + tv.tv_usec / 1000;
}

/* --progress: what the line is drawn from (the consumer keeps t up to date). */
struct progress {
	struct rs_consumer_tally	 t;
	int				 forced;	/* --progress */
	int				 follow;
	uint64_t			 count;		/* -c */
	int				 have_origin;
	uint64_t			 origin;	/* the first offset read */
	int				 on;		/* shown: decided once */
};

/* The counts of the line, towards the end measured at the start; 1 once it is to be shown. */
static int
progress_fill(void *ud, struct rs_progress *p)
{
	struct progress			*pr = ud;
	const struct rs_consumer_tally	*t = &pr->t;
	uint64_t			 first;

	if (t->subscribed && !pr->have_origin) {
		pr->have_origin = 1;
		pr->origin = t->start;
	}
	/*
	 * Once records are written, the first one's offset is where reading
	 * really started: records before it (gone with retention, or before
	 * --since) are not to go.
	 */
	if (pr->have_origin == 1 && t->have_last && t->records > 0 &&
	    t->records <= t->last + 1) {
		if ((first = t->last + 1 - t->records) > pr->origin)
			pr->origin = first;
		pr->have_origin = 2;
	}
	p->records = t->records;
	p->bytes = t->bytes;
	p->by_records = 1;
	p->verb = "written";
	if (!pr->follow && pr->have_origin && t->have_end &&
	    t->end + 1 >= pr->origin) {
		p->has_total = 1;
		p->total = t->end + 1 - pr->origin;
		p->done = t->have_last && t->last + 1 > pr->origin ?
		    t->last + 1 - pr->origin : 0;
		if (pr->count > 0 && pr->count < p->total) {
			p->total = pr->count;
			p->done = t->records;
		}
		if (p->done > p->total)
			p->done = p->total;
	}
	/* Automatic: once the first records tell where reading really starts. */
	if (!pr->on)
		pr->on = pr->forced || (p->has_total && t->have_last &&
		    p->total >= RS_PROGRESS_AUTO_RECORDS);
	return pr->on;
}

enum {
	OPT_SINCE = 256, OPT_UNTIL, OPT_RESET, OPT_NO_STORE, OPT_STORE_EVERY,
	OPT_NO_CRC, OPT_ON_ERROR, OPT_FORMAT, OPT_INFO, OPT_MAX_LAG,
	OPT_MAX_IDLE, OPT_FILTER, OPT_MATCH_UNFILTERED, OPT_SINGLE_ACTIVE
};

/* rstream-tail's own options, then those both tools take. */
static const struct option longopts[] = {
	{ "offset",		required_argument,	NULL, 'o' },
	{ "lines",		required_argument,	NULL, 'n' },
	{ "since",		required_argument,	NULL, OPT_SINCE },
	{ "exit-at-end",	no_argument,		NULL, 'e' },
	{ "follow",		no_argument,		NULL, 'f' },
	{ "until",		required_argument,	NULL, OPT_UNTIL },
	{ "reset",		no_argument,		NULL, OPT_RESET },
	{ "no-store",		no_argument,		NULL, OPT_NO_STORE },
	{ "store-every",	required_argument,	NULL, OPT_STORE_EVERY },
	{ "format",		required_argument,	NULL, OPT_FORMAT },
	{ "line-buffered",	no_argument,		NULL, 'l' },
	{ "no-crc",		no_argument,		NULL, OPT_NO_CRC },
	{ "filter",		required_argument,	NULL, OPT_FILTER },
	{ "match-unfiltered",	no_argument,		NULL, OPT_MATCH_UNFILTERED },
	{ "on-error",		required_argument,	NULL, OPT_ON_ERROR },
	{ "info",		no_argument,		NULL, OPT_INFO },
	{ "max-lag",		required_argument,	NULL, OPT_MAX_LAG },
	{ "max-idle",		required_argument,	NULL, OPT_MAX_IDLE },
	{ "quiet",		no_argument,		NULL, 'q' },
	{ "single-active",	no_argument,		NULL, OPT_SINGLE_ACTIVE },
	RS_OPTS_LONG,
	{ NULL, 0, NULL, 0 }
};

/* Its options that take a number, checked by rs_opts_next() into o.num. */
static const struct rs_opts_num nums[] = {
	{ 'n', RS_OPTS_COUNT, 0, INT64_MAX, "--lines: bad number" },
	{ OPT_STORE_EVERY, RS_OPTS_COUNT, 1, UINT64_MAX,
	    "--store-every: bad number" },
	{ OPT_MAX_LAG, RS_OPTS_COUNT, 0, UINT64_MAX, "--max-lag: bad number" },
	{ OPT_MAX_IDLE, RS_OPTS_SECONDS, 0, UINT64_MAX / 1000,
	    "--max-idle: bad duration" },
	{ 0, RS_OPTS_COUNT, 0, 0, NULL }
};

static const struct rs_opts_tool tool = {
	.prog = prog,
	.shortopts = RS_OPTS_SHORT "o:n:efFlq",
	.longopts = longopts,
	.nums = nums,
	.usage = usage,
	.framing = RS_OPTS_RAW,
	.repeat_names = 1	/* --info -N A -N B */
};

/* With several streams: one that failed, reported at once; the others go on. */
static void
stream_failed(const char *stream, const struct rs_err *err, void *ud)
{
	(void)ud;
	rs_cli_error(prog, stream, err->msg);
}

/* Several streams, or super streams: run them all; the exit status. */
static int
multi(const struct rs_multi_cfg *mcfg, struct rs_loop *loop)
{
	struct rs_multi	 m;
	int		 rc, status, signo;

	rc = rs_multi_run(&m, mcfg, loop);
	if (rc == -1 && m.err.kind != RS_E_OK && m.pool.ncons == 0)
		rs_cli_error(prog, NULL, m.err.msg);	/* before any stream */
	status = rs_cli_status(m.err.kind);
	signo = m.signo;
	rs_multi_free(&m);
	rs_loop_free(loop);
	return rs_cli_exit(status, signo);
}

/* --info: gather, write each stream's figures or failure, apply the checks; the exit status. */
static int
info(const struct rs_info_cfg *icfg, const struct rs_info_limits *lim, int json)
{
	struct rs_info_run	 run;
	struct rs_loop		*loop;
	struct rs_buf		 out, msgs;
	size_t			 i;
	int			 status = 0, failed = 0;

	if ((loop = rs_cli_loop(prog)) == NULL)
		return 1;
	if (rs_info_run(&run, icfg, loop) == -1) {
		rs_cli_error(prog, NULL, run.err.msg);
		rs_info_free(&run);
		rs_loop_free(loop);
		return 1;
	}
	rs_buf_init(&out);
	rs_buf_init(&msgs);
	for (i = 0; i < icfg->nstreams; i++) {
		if (run.errs[i].kind != RS_E_OK) {
			rs_cli_error(prog, icfg->streams[i], run.errs[i].msg);
			if (status == 0)
				status = rs_cli_status(run.errs[i].kind);
			continue;
		}
		if (json)
			rs_infoout_json(&out, &run.infos[i]);
		else
			rs_infoout_table(&out, &run.infos[i]);
		failed += rs_infoout_check(&run.infos[i], lim, now_ms(), prog,
		    &msgs);
	}
	if (out.len > 0 && (fwrite(out.data, 1, out.len, stdout) != out.len ||
	    fflush(stdout) != 0) && status == 0) {
		rs_cli_error(prog, NULL, "cannot write the standard output");
		status = 1;
	}
	if (msgs.len > 0)
		fwrite(msgs.data, 1, msgs.len, stderr);
	if (status == 0 && failed > 0)
		status = RS_EXIT_CHECK;
	rs_buf_free(&out);
	rs_buf_free(&msgs);
	rs_info_free(&run);
	rs_loop_free(loop);
	return status;
}

int
main(int argc, char *argv[])
{
	struct rs_opts		 o;
	struct rs_consumer_cfg	 cfg;
	struct rs_consumer	 con;
	struct rs_format	 fmt;
	static struct rs_filter	 filter;	/* --filter, --match-unfiltered */
	char			 ferr[128];
	struct rs_loop		*loop;
	struct rs_meter		 meter;
	struct progress		 pr;
	struct rs_info_cfg	 icfg;
	struct rs_info_limits	 lim;
	struct rs_multi_cfg	 mcfg;
	int			 info_mode = 0;
	int64_t			 now = now_ms();
	int			 ch, rc, status, starts = 0, exit_at_end = 0;
	int			 i, nopts = argc, progress;

	rs_opts_init(&o, &tool);
	memset(&cfg, 0, sizeof cfg);
	memset(&icfg, 0, sizeof icfg);
	memset(&lim, 0, sizeof lim);
	memset(&mcfg, 0, sizeof mcfg);
	cfg.lines = -1;
	cfg.out_fd = STDOUT_FILENO;
	cfg.store_every = 10000;
	cfg.store_interval = 5.0;
	/* Everything after "--" is the command; options end there. */
	for (i = 1; i < argc; i++)
		if (strcmp(argv[i], "--") == 0) {
			nopts = i;
			if (i + 1 < argc)
				cfg.argv = argv + i + 1;
			break;
		}
	while ((ch = rs_opts_next(&o, nopts, argv)) != -1) {
		switch (ch) {
		case RS_OPTS_EXIT:
			return o.status;
		case 'o':
			if (rs_spec_offset(optarg, now, &cfg.start) == -1)
				return rs_cli_usage(prog, "--offset: expected first, last, "
				    "next, N, -N or a time", optarg);
			cfg.have_start = 1;
			starts++;
			break;
		case 'n':
			cfg.lines = (int64_t)o.num;
			starts++;
			break;
		case OPT_SINCE:
			if (rs_spec_time(optarg, now, &cfg.start.time) == -1)
				return rs_cli_usage(prog, "--since: bad time", optarg);
			cfg.start.kind = RS_SPEC_TIMESTAMP;
			cfg.have_start = 1;
			starts++;
			break;
		case 'e':
			exit_at_end = 1;
			break;
		case 'f':
			cfg.follow = 1;
			break;
		case 'F':
			cfg.follow = cfg.retry = 1;
			break;
		case OPT_UNTIL:
			if (rs_spec_time(optarg, now, &cfg.until) == -1)
				return rs_cli_usage(prog, "--until: bad time", optarg);
			cfg.have_until = 1;
			break;
		case OPT_INFO:
			info_mode = 1;
			break;
		case OPT_MAX_LAG:
			lim.max_lag = o.num;
			lim.have_max_lag = 1;
			lim.max_lag_arg = optarg;
			break;
		case OPT_MAX_IDLE:
			lim.max_idle_ms = o.num * 1000;
			lim.have_max_idle = 1;
			lim.max_idle_arg = optarg;
			break;
		case OPT_RESET:
			cfg.reset = 1;
			break;
		case OPT_NO_STORE:
			cfg.no_store = 1;
			break;
		case OPT_STORE_EVERY:
			cfg.store_every = o.num;
			break;
		case RS_OPT_RAW:
			o.framing = RS_OPTS_RAW;
			break;
		case OPT_FORMAT:
			if (rs_format_compile(&fmt, optarg, ferr, sizeof ferr) == -1)
				return rs_cli_usage(prog, "--format", ferr);
			cfg.format = &fmt;
			break;
		case 'l':
			cfg.line_buffered = 1;
			break;
		case 'q':
			mcfg.quiet = 1;
			break;
		case OPT_SINGLE_ACTIVE:
			cfg.single_active = 1;
			break;
		case OPT_NO_CRC:
			cfg.no_crc = 1;
			break;
		case OPT_FILTER:
			if (rs_filter_add(&filter, optarg) == -1)
				return rs_cli_usage(prog, "--filter: a value of 1 to "
				    "255 bytes, at most 32 of them", optarg);
			break;
		case OPT_MATCH_UNFILTERED:
			filter.match_unfiltered = 1;
			break;
		case OPT_ON_ERROR:
			if ((rc = rs_opts_choice(&o, "--on-error", optarg, "stop",
			    "skip", &cfg.on_error_skip)) != 0)
				return rc;
			break;
		}
	}
	rs_output_init(&cfg.output, o.delim, o.delim_len);
	if (o.framing == RS_OPTS_BE32)
		cfg.output.framing = RS_OUTPUT_BE32;
	else if (o.framing == RS_OPTS_RAW)
		cfg.output.framing = RS_OUTPUT_RAW;
	cfg.json = o.json;
	cfg.count = o.count;
	cfg.name = o.name;
	cfg.log = o.log;
	mcfg.super = o.super;
	if ((lim.have_max_lag || lim.have_max_idle) && !info_mode)
		return rs_cli_usage(prog, "--max-lag and --max-idle need --info", NULL);
	if (info_mode) {
		if (starts > 0 || exit_at_end || cfg.follow || cfg.count > 0 ||
		    cfg.have_until || cfg.reset || cfg.no_store ||
		    cfg.format != NULL || nopts < argc || o.progress != -1 ||
		    filter.nvalues > 0 || filter.match_unfiltered ||
		    mcfg.quiet || mcfg.super || cfg.single_active)
			return rs_cli_usage(prog, "--info takes only -N, -J, --max-lag, "
			    "--max-idle and the connection options", NULL);
		if ((rc = rs_opts_streams(&o, argv + optind, nopts - optind)) != 0 ||
		    (rc = rs_opts_connect(&o)) != 0)
			return rc;
		icfg.conn = o.conn.c;
		icfg.streams = argv + optind;
		icfg.nstreams = (size_t)(nopts - optind);
		icfg.names = o.names;
		icfg.nnames = o.nnames;
		icfg.log = cfg.log;
		icfg.log_ud = (void *)prog;
		return info(&icfg, &lim, cfg.json);
	}
	if (o.nnames > 1)
		return rs_cli_usage(prog, "--name can be given once (but repeated "
		    "with --info)", NULL);
	if (starts > 1)
		return rs_cli_usage(prog, "--offset, --lines and --since cannot be "
		    "combined", NULL);
	if (cfg.json && cfg.format != NULL)
		return rs_cli_usage(prog, "--json and --format cannot be combined", NULL);
	if (exit_at_end && cfg.follow)
		return rs_cli_usage(prog, "--exit-at-end and --follow cannot be combined",
		    NULL);
	if ((cfg.reset || cfg.no_store) && cfg.name == NULL)
		return rs_cli_usage(prog, "--reset and --no-store need --name", NULL);
	if (cfg.single_active && cfg.name == NULL)
		return rs_cli_usage(prog, "--single-active needs --name", NULL);
	if (cfg.single_active && exit_at_end)
		return rs_cli_usage(prog, "--single-active follows: not with "
		    "--exit-at-end", NULL);
	if (cfg.single_active)
		cfg.follow = 1;	/* a waiting reader has no end to stop at */
	if (filter.match_unfiltered && filter.nvalues == 0)
		return rs_cli_usage(prog, "--match-unfiltered needs --filter", NULL);
	if (filter.nvalues > 0)
		cfg.filter = &filter;
	if (starts == 0 && cfg.name == NULL)
		cfg.lines = 10;
	if ((rc = rs_opts_streams(&o, argv + optind, nopts - optind)) != 0)
		return rc;
	cfg.stream = argv[optind];
	if (nopts < argc && cfg.argv == NULL)
		return rs_cli_usage(prog, "missing COMMAND after --", NULL);
	cfg.warn = rs_cli_log;
	cfg.log_ud = (void *)prog;
	if (isatty(STDOUT_FILENO))
		cfg.line_buffered = 1;
	if (o.progress == 1 && (nopts - optind > 1 || mcfg.super))
		return rs_cli_usage(prog, "--progress shows one stream's reading: "
		    "not with several streams or --super-stream", NULL);
	if ((rc = rs_opts_connect(&o)) != 0)
		return rc;
	cfg.conn = o.conn.c;
	if ((loop = rs_cli_loop(prog)) == NULL)
		return 1;
	if (nopts - optind > 1 || mcfg.super) {
		mcfg.base = cfg;
		mcfg.streams = (const char *const *)argv + optind;
		mcfg.nstreams = (size_t)(nopts - optind);
		mcfg.failed = stream_failed;
		return multi(&mcfg, loop);
	}
	/*
	 * Automatic on a terminal for -e over 50000 records or more (decided
	 * once the end is measured). Redrawn only while nothing else can
	 * write to stderr's file: not when stdout is that file too (both the
	 * terminal), nor with a COMMAND; then there is just the final line.
	 */
	memset(&pr, 0, sizeof pr);
	pr.forced = o.progress == 1;
	pr.follow = cfg.follow;
	pr.count = cfg.count;
	progress = o.progress;
	if (progress == -1)
		progress = isatty(STDERR_FILENO) && !cfg.follow &&
		    cfg.argv == NULL && !rs_cli_same_file(STDOUT_FILENO,
		    STDERR_FILENO);
	if (progress) {
		cfg.tally = &pr.t;
		if (rs_cli_meter_start(&meter, loop, cfg.argv == NULL &&
		    !rs_cli_same_file(STDOUT_FILENO, STDERR_FILENO),
		    progress_fill, &pr, prog) == -1)
			return 1;
	}
	rc = rs_consumer_run(&con, &cfg, loop);
	if (progress)
		rs_cli_meter_end(&meter);
	if (rc == -1 && con.err.kind != RS_E_OK)
		rs_cli_error(prog, cfg.stream, con.err.msg);
	status = rs_cli_status(con.err.kind);
	rs_consumer_free(&con);
	rs_loop_free(loop);
	return rs_cli_exit(status, con.signo);
}
