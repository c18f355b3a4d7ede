/*
 * rstream-cat: publish records from files or stdin to a RabbitMQ stream.
 *
 * Options -> struct rs_publisher_cfg -> rs_publisher_run() -> exit status;
 * with --super-stream, rs_super_run(), which runs publish() for each
 * partition in a process of its own.
 */
#include "config.h"

#include <getopt.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli.h"
#include "codec.h"
#include "loop.h"
#include "meter.h"
#include "opts.h"
#include "publisher.h"
#include "super.h"

static const char prog[] = "rstream-cat";

static void
usage(FILE *f)
{
	fprintf(f,
"usage: rstream-cat [OPTIONS] STREAM [FILE...]\n"
"       rstream-cat --super-stream (-K DELIM | -J --key-field PATH) [OPTIONS]\n"
"                   SUPER [FILE...]\n"
"       rstream-cat --super-stream --delete SUPER\n"
"Publish each record of the FILEs (or of stdin; - is stdin) as one message\n"
"to STREAM. Records are lines unless another framing is chosen. Exits 0 only\n"
"once the broker has confirmed every record read.\n"
"\n"
"Connection:\n"
"  -u, --uri URI               a broker URI (default $RSTREAM_URI, else\n"
"                              %s);\n"
"                              repeat it, or separate URIs with commas, to\n"
"                              give several seed nodes of a cluster\n"
"      --no-locate             publish through the seed node, not the leader\n"
"      --load-balancer         the URI is a load balancer in front of the\n"
"                              cluster: connect through it (again, up to 20\n"
"                              times) until it lands on the leader\n"
"      --heartbeat DURATION    ask the broker for heartbeats this often\n"
"                              (default 60s): a silent broker is noticed\n"
"                              after two of them\n"
"      --retry-for DURATION    after a failure, connect again (sending what\n"
"                              was not confirmed) for this long (default\n"
"                              30s; 0: give up at once)\n"
"      --timeout DURATION      wait this long to connect, for the handshake\n"
"                              and for any reply (default 30s)\n"
"TLS (rabbitmq-stream+tls://, port 5551) and authentication:\n"
"      --cacert FILE           trust the CA certificates in FILE (PEM), not\n"
"                              the system's\n"
"      --cert FILE             present this client certificate (PEM)\n"
"      --key FILE              its private key (default: in the --cert file)\n"
"      --tls-server-name NAME  check the certificate against NAME, not\n"
"                              the host connected to\n"
"      --insecure              do not verify the broker's certificate\n"
"      --sasl-mechanism MECH   PLAIN (user and password) or EXTERNAL (the\n"
"                              client certificate; the default with --cert\n"
"                              and no password)\n"
"      --password-file FILE    the password is the first line of FILE\n"
"                              (else $RSTREAM_PASSWORD, else the URI's)\n"
"Input:\n"
"  -0, --null                  records end with NUL, not newline\n"
"  -D, --delimiter STR         records end with STR (escapes \\n \\t \\r \\0 \\\\ \\xNN)\n"
"      --framing=KIND          lines (default), null, be32 (4-byte big-endian\n"
"                              length before each record) or whole\n"
"  -W, --whole                 each FILE (or all of stdin) is one record\n"
"      --skip-empty            do not publish empty records\n"
"      --oversize=fail|skip    a record too large for a message: exit 65\n"
"                              (default) or warn and skip it\n"
"  -c, --count N               publish at most N records\n"
"Messages:\n"
"      --raw                   publish the bare bytes, not AMQP 1.0 messages\n"
"  -H, --header KEY=VALUE      an application property on every message\n"
"                              (repeatable)\n"
"      --content-type TYPE     the content-type property (e.g. text/plain)\n"
"      --content-encoding ENC  the content-encoding property\n"
"      --message-id TEMPLATE   the message-id property: %%n the record number,\n"
"                              %%f the file name, %%%% a percent sign\n"
"      --filter-value SPEC     a filter value per message, for readers that\n"
"                              filter (RabbitMQ 3.13+): json:PATH the -J\n"
"                              object's member (e.g. json:body.region),\n"
"                              header:NAME an application property, or a\n"
"                              TEMPLATE as for --message-id\n"
"  -J, --json                  input lines are rstream-tail -J objects: body\n"
"                              (base64 with body_encoding), properties,\n"
"                              application_properties\n"
"      --dry-run               print the messages as rstream-tail -J would,\n"
"                              with their record numbers; do not connect\n"
"Delivery:\n"
"  -N, --name NAME             a named publisher: the broker drops duplicates\n"
"      --resume                with -N: a record's publishing id is its number\n"
"                              in the input, so a re-run over the same (or a\n"
"                              grown) input publishes only what is new\n"
"      --max-in-flight N       unconfirmed records before reading pauses\n"
"                              (default 2000, or 10000 with --sub-entry-size;\n"
"                              batched records count one by one)\n"
"      --sub-entry-size N      publish up to N records (1 to 65535) in one\n"
"                              message, a sub-entry batch (default 1: none)\n"
"      --compression CODEC     compress each batch: none (default), gzip,\n"
"                              snappy, lz4 or zstd; needs --sub-entry-size 2\n"
"                              or more\n"
"      --linger DURATION       wait up to DURATION (e.g. 50ms) for fuller\n"
"                              frames (default: send when input would block)\n"
"      --confirm-timeout DUR   give up waiting for confirms after the input\n"
"                              ends or a signal (default 10s)\n"
"      --stats                 print the summary line on success too\n"
"      --progress              show records and bytes read, records\n"
"                              confirmed, rate and ETA on one line on\n"
"                              stderr, updated as it goes (automatic when\n"
"                              stderr is a terminal and the input files\n"
"                              hold 8 MiB or more)\n"
"      --no-progress           no automatic progress line\n"
"Super streams (RabbitMQ 3.11 or later):\n"
"      --super-stream          STREAM is a super stream: each record goes to\n"
"                              the partition its routing key picks\n"
"  -K, --key-delimiter DELIM   records are KEY DELIM VALUE: KEY routes, VALUE\n"
"                              is published (escapes as for -D)\n"
"      --key-field PATH        with -J: the routing key is this field of the\n"
"                              object (e.g. application_properties.region)\n"
"      --routing hash|key      hash: MurmurHash3 of the key modulo the\n"
"                              partition count, as the Java client (default);\n"
"                              key: the partitions bound to the key (Route)\n"
"      --partitions N          with --create: N partitions SUPER-0 ... (3.13+)\n"
"      --binding-keys K1,K2..  with --create: partitions SUPER-K1 ... (3.13+)\n"
"      --delete                delete the super stream SUPER and exit (3.13+)\n"
"Stream creation:\n"
"      --create                create STREAM if it does not exist (a super\n"
"                              stream: with --partitions or --binding-keys)\n"
"      --max-length-bytes SIZE retention by size (500mb, 20gb, 1GiB)\n"
"      --max-age DURATION      retention by age (30s 10m 2h 7d)\n"
"      --max-segment-size SIZE size of the stream's segment files\n"
"      --leader-locator WHERE  client-local, balanced (or least-leaders, random)\n"
"      --initial-cluster-size N  number of nodes holding the stream\n"
"Other:\n"
"  -v, --verbose               say what is happening on stderr\n"
"  -h, --help                  show this help and exit\n"
"  -V, --version               show the version and exit\n"
"\n"
"Exit status: 0 all confirmed, 1 error, 2 usage, 65 bad input record,\n"
"66 input (or password, CA, certificate, key) file missing, 69 stream or\n"
"broker unavailable, or the broker too old for what was asked (super\n"
"streams: 3.11), 75 temporary failure, 76 TLS handshake failed, 77 access\n"
"refused; killed by a signal: that signal's status. With --super-stream:\n"
"the first failed partition's status.\n",
	    RS_URI_DEFAULT);
}

/* The one-line account of a run: after a failure, a signal, or with --stats. */
static void
summary(const struct rs_publisher *p, const char *stream, int done)
{
	uint64_t	 first = p->acks.base;
	char		 present[64] = "";

	if (p->failed > 0 && p->first_failed < first)
		first = p->first_failed;
	if (p->present > 0)
		snprintf(present, sizeof present, ", %" PRIu64 " already in "
		    "the stream", p->present);
	fprintf(stderr, "%s: %s: %" PRIu64 " records read, %" PRIu64
	    " confirmed, %" PRIu64 " failed, %" PRIu64 " skipped%s", prog,
	    stream, rs_publisher_read(p), p->confirmed, p->failed, p->skipped,
	    present);
	if (!done)
		fprintf(stderr, "; first unconfirmed: record %" PRIu64, first);
	fputc('\n', stderr);
}

/* --progress: what the line is drawn from. */
struct progress {
	const struct rs_publisher	*pub;
	int				 has_total;
	uint64_t			 total;		/* bytes in the input files */
};

/* The counts of the line: records and bytes read, records confirmed; always shown. */
static int
progress_fill(void *ud, struct rs_progress *p)
{
	const struct progress	*pr = ud;

	p->records = rs_publisher_read(pr->pub);
	/* Bytes read and taken as records: not those waiting in the buffer. */
	p->bytes = pr->pub->src.bytes;
	if (pr->pub->in_ready && p->bytes >= pr->pub->in.len - pr->pub->in.pos)
		p->bytes -= pr->pub->in.len - pr->pub->in.pos;
	p->has_confirmed = 1;
	p->confirmed = pr->pub->confirmed;
	p->has_total = pr->has_total;
	p->total = pr->total;
	p->done = p->bytes;
	p->verb = "read";
	return 1;
}

/*
 * The bytes the inputs hold (stdin for none), in *total; 1 if every input
 * is a regular file, so that *total is all there is to read.
 */
static int
input_size(char *const *files, size_t n, uint64_t *total)
{
	struct stat	 st;
	size_t		 i;
	int		 r, all = 1;

	*total = 0;
	for (i = 0; i < (files ? n : 1); i++) {
		if (files == NULL || strcmp(files[i], "-") == 0)
			r = fstat(STDIN_FILENO, &st);
		else
			r = stat(files[i], &st);
		if (r == 0 && S_ISREG(st.st_mode))
			*total += (uint64_t)st.st_size;
		else
			all = 0;
	}
	return all;
}

enum {
	OPT_CREATE = 256, OPT_MAX_LENGTH_BYTES, OPT_MAX_AGE,
	OPT_MAX_SEGMENT_SIZE, OPT_LEADER_LOCATOR, OPT_INITIAL_CLUSTER_SIZE,
	OPT_SKIP_EMPTY, OPT_OVERSIZE, OPT_RESUME, OPT_MAX_IN_FLIGHT,
	OPT_LINGER, OPT_CONFIRM_TIMEOUT, OPT_STATS, OPT_CONTENT_TYPE,
	OPT_CONTENT_ENCODING, OPT_MESSAGE_ID, OPT_DRY_RUN, OPT_SUB_ENTRY_SIZE,
	OPT_COMPRESSION, OPT_KEY_FIELD, OPT_ROUTING, OPT_PARTITIONS,
	OPT_BINDING_KEYS, OPT_DELETE, OPT_FILTER_VALUE
};

/* What main does after a run: messages, the summary, the exit status. */
struct outcome {
	int	 stats;
	int	 dry_run;
	int	 partition;	/* a super stream's: its name on every line */
	int	 progress;	/* --progress 1, --no-progress 0, -1 automatic */
};

/* Publish to one stream (a partition too); the exit status. */
static int
publish(const struct rs_publisher_cfg *pcfg, void *ud)
{
	const struct outcome	*o = ud;
	struct rs_publisher_cfg	 c = *pcfg;
	const struct rs_publisher_cfg *cfg = &c;
	struct rs_publisher	 pub;
	struct rs_meter		 meter;
	struct progress		 pr;
	struct rs_loop		*loop;
	char			*who = NULL;
	int			 rc, status, progress;

	/* A partition's -v and warnings say which partition they are about. */
	if (o->partition && asprintf(&who, "%s: %s", prog, c.stream) != -1)
		c.log_ud = who;

	if ((loop = rs_cli_loop(prog)) == NULL)
		return 1;
	/* Automatic on a terminal for a long job: input files of 8 MiB or more. */
	pr.pub = &pub;
	pr.has_total = input_size(cfg->files, cfg->nfiles, &pr.total) &&
	    cfg->count == 0;	/* -c: how much is read is not known */
	progress = o->progress;
	if (progress == -1)
		progress = !o->dry_run && !o->partition &&
		    isatty(STDERR_FILENO) && pr.total >= RS_PROGRESS_AUTO_BYTES;
	if (progress && rs_cli_meter_start(&meter, loop, !o->dry_run,
	    progress_fill, &pr, prog) == -1) {
		rs_loop_free(loop);
		free(who);
		return 1;
	}
	if (o->dry_run)
		rc = rs_publisher_dry_run(&pub, cfg, loop, STDOUT_FILENO);
	else
		rc = rs_publisher_run(&pub, cfg, loop);
	if (progress)
		rs_cli_meter_end(&meter);
	if (pub.err.kind != RS_E_OK)
		rs_cli_error(prog, cfg->stream, pub.err.msg);
	if (pub.in_ready && !o->dry_run && (rc == -1 || o->stats))
		summary(&pub, cfg->stream, rc == 0);
	status = rs_cli_status(pub.err.kind);
	rs_publisher_free(&pub);
	rs_loop_free(loop);
	free(who);
	return rs_cli_exit(status, pub.signo);
}

/* Split "a,b,c" in place into at most max keys; the count, or -1 if one is empty. */
static int
split_keys(char *s, char **keys, size_t max)
{
	size_t	 n = 0;
	char	*p;

	for (p = strtok(s, ","); p != NULL; p = strtok(NULL, ",")) {
		if (n == max)
			return -1;
		keys[n++] = p;
	}
	return n == 0 ? -1 : (int)n;
}

#define MAX_CREATE_ARGS	5

/* rstream-cat's own options, then those both tools take. */
static const struct option longopts[] = {
	{ "whole",		no_argument,		NULL, 'W' },
	{ "skip-empty",		no_argument,		NULL, OPT_SKIP_EMPTY },
	{ "oversize",		required_argument,	NULL, OPT_OVERSIZE },
	{ "header",		required_argument,	NULL, 'H' },
	{ "content-type",	required_argument,	NULL, OPT_CONTENT_TYPE },
	{ "content-encoding",	required_argument,	NULL, OPT_CONTENT_ENCODING },
	{ "message-id",		required_argument,	NULL, OPT_MESSAGE_ID },
	{ "filter-value",	required_argument,	NULL, OPT_FILTER_VALUE },
	{ "dry-run",		no_argument,		NULL, OPT_DRY_RUN },
	{ "resume",		no_argument,		NULL, OPT_RESUME },
	{ "max-in-flight",	required_argument,	NULL, OPT_MAX_IN_FLIGHT },
	{ "sub-entry-size",	required_argument,	NULL, OPT_SUB_ENTRY_SIZE },
	{ "compression",	required_argument,	NULL, OPT_COMPRESSION },
	{ "linger",		required_argument,	NULL, OPT_LINGER },
	{ "confirm-timeout",	required_argument,	NULL, OPT_CONFIRM_TIMEOUT },
	{ "stats",		no_argument,		NULL, OPT_STATS },
	{ "create",		no_argument,		NULL, OPT_CREATE },
	{ "max-length-bytes",	required_argument,	NULL, OPT_MAX_LENGTH_BYTES },
	{ "max-age",		required_argument,	NULL, OPT_MAX_AGE },
	{ "max-segment-size",	required_argument,	NULL, OPT_MAX_SEGMENT_SIZE },
	{ "leader-locator",	required_argument,	NULL, OPT_LEADER_LOCATOR },
	{ "initial-cluster-size", required_argument,	NULL, OPT_INITIAL_CLUSTER_SIZE },
	{ "key-delimiter",	required_argument,	NULL, 'K' },
	{ "key-field",		required_argument,	NULL, OPT_KEY_FIELD },
	{ "routing",		required_argument,	NULL, OPT_ROUTING },
	{ "partitions",		required_argument,	NULL, OPT_PARTITIONS },
	{ "binding-keys",	required_argument,	NULL, OPT_BINDING_KEYS },
	{ "delete",		no_argument,		NULL, OPT_DELETE },
	RS_OPTS_LONG,
	{ NULL, 0, NULL, 0 }
};

/* Its options that take a number, checked by rs_opts_next() into o.num. */
static const struct rs_opts_num nums[] = {
	{ OPT_MAX_IN_FLIGHT, RS_OPTS_COUNT, 1, 40000,
	    "--max-in-flight: expected 1 to 40000" },
	{ OPT_SUB_ENTRY_SIZE, RS_OPTS_COUNT, 1, RS_BATCH_MAX,
	    "--sub-entry-size: expected 1 to 65535" },
	{ OPT_LINGER, RS_OPTS_MS, 0, UINT64_MAX, "--linger: bad duration" },
	{ OPT_CONFIRM_TIMEOUT, RS_OPTS_MS, 1, UINT64_MAX,
	    "--confirm-timeout: bad duration" },
	{ OPT_MAX_LENGTH_BYTES, RS_OPTS_SIZE, 1, UINT64_MAX,
	    "--max-length-bytes: bad size" },
	{ OPT_MAX_AGE, RS_OPTS_SECONDS, 1, UINT64_MAX,
	    "--max-age: bad duration" },
	{ OPT_MAX_SEGMENT_SIZE, RS_OPTS_SIZE, 1, UINT64_MAX,
	    "--max-segment-size: bad size" },
	{ OPT_INITIAL_CLUSTER_SIZE, RS_OPTS_COUNT, 1, 255,
	    "--initial-cluster-size: expected 1 to 255" },
	{ OPT_PARTITIONS, RS_OPTS_COUNT, 1, 1000,
	    "--partitions: expected 1 to 1000" },
	{ 0, RS_OPTS_COUNT, 0, 0, NULL }
};

static const struct rs_opts_tool tool = {
	.prog = prog,
	.shortopts = RS_OPTS_SHORT "WH:K:",
	.longopts = longopts,
	.nums = nums,
	.usage = usage,
	.framing = RS_OPTS_WHOLE,
};

int
main(int argc, char *argv[])
{
	/* Broker argument names, in the order of their options above. */
	static const char *const create_keys[MAX_CREATE_ARGS] = {
		"max-length-bytes", "max-age", "stream-max-segment-size-bytes",
		"queue-leader-locator", "initial-cluster-size"
	};
	struct rs_opts		 o;
	struct rs_publisher_cfg	 cfg;
	struct rs_super_cfg	 scfg;
	struct rs_super		 sup;
	struct outcome		 out;
	char			**bkeys;
	int			 nbk;
	const char		*args[2 * MAX_CREATE_ARGS];
	char			 vals[MAX_CREATE_ARGS][32];
	size_t			 i, nargs = 0;
	struct rs_amqp_kv	*headers;
	char			 terr[128], *eq;
	int			 ch, rc, stats = 0, status, dry_run = 0;

	rs_opts_init(&o, &tool);
	memset(&cfg, 0, sizeof cfg);
	memset(&scfg, 0, sizeof scfg);
	memset(vals, 0, sizeof vals);
	if ((bkeys = rs_cli_keep(calloc((size_t)argc + 1, sizeof *bkeys))) ==
	    NULL || (headers = rs_cli_keep(calloc((size_t)argc,
	    sizeof *headers))) == NULL)
		return 1;
	cfg.msg.headers = headers;
	cfg.confirm_timeout = 10.0;
	while ((ch = rs_opts_next(&o, argc, argv)) != -1) {
		switch (ch) {
		case RS_OPTS_EXIT:
			return o.status;
		case 'W':
			o.framing = RS_OPTS_WHOLE;
			break;
		case OPT_SKIP_EMPTY:
			cfg.skip_empty = 1;
			break;
		case OPT_OVERSIZE:
			if ((rc = rs_opts_choice(&o, "--oversize", optarg, "fail",
			    "skip", &cfg.oversize_skip)) != 0)
				return rc;
			break;
		case RS_OPT_RAW:
			cfg.msg.raw = 1;
			break;
		case 'H':
			if ((eq = strchr(optarg, '=')) == NULL || eq == optarg)
				return rs_cli_usage(prog, "--header: expected KEY=VALUE",
				    optarg);
			*eq = '\0';
			headers[cfg.msg.nheaders].key = optarg;
			headers[cfg.msg.nheaders++].value = eq + 1;
			break;
		case OPT_CONTENT_TYPE:
			cfg.msg.content_type = optarg;
			break;
		case OPT_CONTENT_ENCODING:
			cfg.msg.content_encoding = optarg;
			break;
		case OPT_MESSAGE_ID:
			if (rs_message_template_check(optarg, terr,
			    sizeof terr) == -1)
				return rs_cli_usage(prog, "--message-id", terr);
			cfg.msg.message_id = optarg;
			break;
		case OPT_FILTER_VALUE:
			cfg.msg.filter_value = optarg;
			break;
		case OPT_DRY_RUN:
			dry_run = 1;
			break;
		case OPT_RESUME:
			cfg.resume = 1;
			break;
		case OPT_MAX_IN_FLIGHT:
			cfg.max_in_flight = (uint32_t)o.num;
			break;
		case OPT_SUB_ENTRY_SIZE:
			cfg.sub_entry = (uint32_t)o.num;
			break;
		case OPT_COMPRESSION:
			if (rs_codec_parse(optarg, &cfg.codec) == -1)
				return rs_cli_usage(prog, "--compression: expected none, "
				    "gzip, snappy, lz4 or zstd", optarg);
			if (!rs_codec_available(cfg.codec))
				return rs_cli_usage(prog, "--compression: this build "
				    "has no such codec (it was configured without it)",
				    optarg);
			break;
		case OPT_LINGER:
			cfg.linger = (double)o.num / 1000.0;
			break;
		case OPT_CONFIRM_TIMEOUT:
			cfg.confirm_timeout = (double)o.num / 1000.0;
			break;
		case OPT_STATS:
			stats = 1;
			break;
		case OPT_CREATE:
			cfg.create = 1;
			break;
		case OPT_MAX_LENGTH_BYTES:
		case OPT_MAX_SEGMENT_SIZE:
		case OPT_INITIAL_CLUSTER_SIZE:
			i = ch == OPT_MAX_LENGTH_BYTES ? 0 :
			    ch == OPT_MAX_SEGMENT_SIZE ? 2 : 4;
			snprintf(vals[i], sizeof vals[i], "%" PRIu64, o.num);
			break;
		case OPT_MAX_AGE:
			snprintf(vals[1], sizeof vals[1], "%" PRIu64 "s", o.num);
			break;
		case OPT_LEADER_LOCATOR:
			if (strcmp(optarg, "client-local") != 0 &&
			    strcmp(optarg, "balanced") != 0 &&
			    strcmp(optarg, "least-leaders") != 0 &&
			    strcmp(optarg, "random") != 0)
				return rs_cli_usage(prog, "--leader-locator: expected "
				    "client-local, balanced, least-leaders or "
				    "random", optarg);
			snprintf(vals[3], sizeof vals[3], "%s", optarg);
			break;
		case 'K':
			if ((rc = rs_opts_delimiter(&o, "--key-delimiter", optarg,
			    &scfg.key_delim, &scfg.key_delim_len)) != 0)
				return rc;
			break;
		case OPT_KEY_FIELD:
			if (*optarg == '\0' || optarg[strlen(optarg) - 1] == '.')
				return rs_cli_usage(prog, "--key-field: expected a field "
				    "name or a dotted path", optarg);
			scfg.key_field = optarg;
			break;
		case OPT_ROUTING:
			if ((rc = rs_opts_choice(&o, "--routing", optarg, "hash",
			    "key", &scfg.by_route)) != 0)
				return rc;
			break;
		case OPT_PARTITIONS:
			scfg.npartitions = (uint32_t)o.num;
			break;
		case OPT_BINDING_KEYS:
			if ((nbk = split_keys(optarg, bkeys, (size_t)argc)) == -1)
				return rs_cli_usage(prog, "--binding-keys: expected "
				    "KEY,KEY,...", optarg);
			scfg.binding_keys = bkeys;
			scfg.nbinding_keys = (size_t)nbk;
			break;
		case OPT_DELETE:
			scfg.delete = 1;
			break;
		}
	}
	/* The first operand is STREAM (one, if any), the others FILEs. */
	if ((rc = rs_opts_streams(&o, argv + optind,
	    optind < argc ? 1 : 0)) != 0)
		return rc;
	cfg.stream = argv[optind++];
	cfg.framing = o.framing == RS_OPTS_BE32 ? RS_INPUT_BE32 :
	    o.framing == RS_OPTS_WHOLE ? RS_INPUT_WHOLE : RS_INPUT_DELIM;
	cfg.delim = o.delim;
	cfg.delim_len = o.delim_len;
	cfg.msg.json = o.json;
	cfg.count = o.count;
	cfg.name = o.name;
	cfg.log = o.log;
	if (cfg.resume && cfg.name == NULL)
		return rs_cli_usage(prog, "--resume needs --name", NULL);
	if (cfg.codec != RS_CODEC_NONE && cfg.sub_entry < 2)
		return rs_cli_usage(prog, "--compression compresses sub-entry "
		    "batches: it needs --sub-entry-size 2 or more", NULL);
	if (cfg.msg.raw && (cfg.msg.nheaders > 0 || cfg.msg.content_type ||
	    cfg.msg.content_encoding || cfg.msg.message_id || cfg.msg.json))
		return rs_cli_usage(prog, "--raw messages have no properties (-H, "
		    "--content-type, --content-encoding, --message-id, -J)",
		    NULL);
	if (!o.super && (scfg.key_delim || scfg.key_field || scfg.by_route ||
	    scfg.npartitions || scfg.nbinding_keys || scfg.delete))
		return rs_cli_usage(prog, "-K, --key-field, --routing, "
		    "--partitions, --binding-keys and --delete are for "
		    "--super-stream", NULL);
	if (o.super && scfg.delete) {
		if (optind < argc || cfg.create)
			return rs_cli_usage(prog, "--delete takes the super stream "
			    "only: no FILE, no --create", NULL);
	} else if (o.super) {
		if ((scfg.key_delim != NULL) == (scfg.key_field != NULL))
			return rs_cli_usage(prog, "--super-stream needs a routing "
			    "key: -K DELIM, or -J with --key-field PATH (one of "
			    "them)", NULL);
		if (scfg.key_field != NULL && !cfg.msg.json)
			return rs_cli_usage(prog, "--key-field reads -J objects: "
			    "it needs -J", NULL);
		if (dry_run)
			return rs_cli_usage(prog, "--dry-run does not route: not "
			    "with --super-stream", NULL);
		if (o.progress == 1)
			return rs_cli_usage(prog, "--progress shows one stream's "
			    "publisher: not with --super-stream", NULL);
		if ((scfg.npartitions || scfg.nbinding_keys) && !cfg.create)
			return rs_cli_usage(prog, "--partitions and --binding-keys "
			    "need --create", NULL);
		if (cfg.create && !scfg.npartitions == !scfg.nbinding_keys)
			return rs_cli_usage(prog, "--create --super-stream needs "
			    "--partitions N or --binding-keys K1,K2,... (one of "
			    "them)", NULL);
	}
	if (cfg.msg.filter_value != NULL) {
		if (rs_message_filter_check(cfg.msg.filter_value, cfg.msg.json,
		    terr, sizeof terr) == -1)
			return rs_cli_usage(prog, "--filter-value", terr);
		if (cfg.msg.raw)
			return rs_cli_usage(prog, "--filter-value needs AMQP "
			    "messages, not --raw: readers check each record's "
			    "x-stream-filter-value", NULL);
		if (cfg.sub_entry > 1)
			return rs_cli_usage(prog, "--filter-value and "
			    "--sub-entry-size: a filter value is per message, "
			    "not per batch", NULL);
	}
	for (i = 0; i < MAX_CREATE_ARGS; i++) {
		if (vals[i][0] == '\0')
			continue;
		if (!cfg.create)
			return rs_cli_usage(prog, "stream arguments (--max-age and the "
			    "like) need --create", NULL);
		args[nargs++] = create_keys[i];
		args[nargs++] = vals[i];
	}
	cfg.create_args = args;
	cfg.ncreate = nargs / 2;
	if (optind < argc) {
		cfg.files = argv + optind;
		cfg.nfiles = (size_t)(argc - optind);
	}
	cfg.warn = rs_cli_log;
	cfg.log_ud = (void *)prog;
	if ((rc = rs_opts_connect(&o)) != 0)
		return rc;
	cfg.conn = o.conn.c;
	out.stats = stats;
	out.dry_run = dry_run;
	out.progress = o.progress;
	out.partition = 0;
	if (!o.super)
		return publish(&cfg, &out);
	out.partition = 1;
	scfg.pub = cfg;
	scfg.publish = publish;
	scfg.publish_ud = &out;
	rc = rs_super_run(&sup, &scfg);
	if (sup.err.kind != RS_E_OK)
		rs_cli_error(prog, cfg.stream, sup.err.msg);
	if (sup.in_ready && (rc == -1 || stats))
		fprintf(stderr, "%s: %s: %" PRIu64 " records routed to %zu "
		    "partitions%s\n", prog, cfg.stream, sup.routed, sup.nparts,
		    rc == 0 ? "" : sup.signo != 0 ? "; stopped by a signal" :
		    sup.err.kind != RS_E_OK ? "; routing stopped there" :
		    "; a partition's publisher failed");
	status = sup.err.kind != RS_E_OK ? rs_cli_status(sup.err.kind) :
	    sup.child_status;
	rs_super_free(&sup);
	return rs_cli_exit(rc == 0 ? 0 : status, sup.signo);
}
