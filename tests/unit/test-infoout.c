/*
 * test-infoout.c: what rstream-tail --info writes (src/infoout.c): the JSON
 * object of a stream with records, readers and publishers, and of an empty
 * stream (null offsets and timestamps, a reader with nothing stored: null
 * offset and lag); the table; a reader's lag; and the --max-lag and
 * --max-idle checks both ways, with their stderr lines. Every expected
 * output is written here by hand.
 */
#include "config.h"

#include <stdint.h>
#include <string.h>

#include "infoout.h"
#include "tap.h"
#include "wire.h"

static struct rs_info_reader	 readers[2] = {
	{ "report-job", 1, 599 },
	{ "new-job", 0, 0 },
};
static struct rs_info_publisher	 pubs[1] = { { "job", 1000 } };

/* A stream holding records 0..999, stored readers as above. */
static void
sample(struct rs_info *in)
{
	memset(in, 0, sizeof *in);
	in->stream = "logs";
	strcpy(in->leader, "mq1:5552");
	strcpy(in->replicas[0], "mq2:5552");
	strcpy(in->replicas[1], "mq3:5552");
	in->nreplicas = 2;
	in->have_records = 1;
	in->first_offset = 0;
	in->last_offset = 999;
	in->first_timestamp = 1764072000000;	/* 2025-11-25T12:00:00Z */
	in->last_timestamp = 1764075600123;	/* an hour and 123 ms later */
	in->readers = readers;
	in->nreaders = 2;
	in->publishers = pubs;
	in->npublishers = 1;
}

static void
expect(struct rs_buf *b, const char *want, const char *what)
{
	if (!is_mem(b->data, b->len, want, strlen(want), "%s", what))
		diag("got \"%.*s\"", (int)b->len, b->data);
	b->len = 0;
}

int
main(void)
{
	struct rs_info		 in;
	struct rs_info_limits	 lim;
	struct rs_buf		 b;
	uint64_t		 lag;
	char			 ago[32];
	int64_t			 now = 1764075600123;

	rs_buf_init(&b);
	sample(&in);

	ok(rs_infoout_lag(&in, &readers[0], &lag) == 0 && lag == 400,
	    "stored 599 of 0..999: lag 400");
	ok(rs_infoout_lag(&in, &readers[1], &lag) == -1,
	    "nothing stored: no lag");

	rs_infoout_json(&b, &in);
	expect(&b, "{\"stream\":\"logs\",\"leader\":\"mq1:5552\","
	    "\"replicas\":[\"mq2:5552\",\"mq3:5552\"],\"first_offset\":0,"
	    "\"last_offset\":999,\"first_timestamp\":1764072000000,"
	    "\"last_timestamp\":1764075600123,\"readers\":["
	    "{\"name\":\"report-job\",\"offset\":599,\"lag\":400},"
	    "{\"name\":\"new-job\",\"offset\":null,\"lag\":null}],"
	    "\"publishers\":[{\"name\":\"job\",\"sequence\":1000}]}\n",
	    "JSON: a stream with records");

	rs_infoout_table(&b, &in);
	expect(&b,
	    "stream           logs\n"
	    "leader           mq1:5552\n"
	    "replicas         mq2:5552 mq3:5552\n"
	    "first offset     0\n"
	    "last offset      999\n"
	    "first timestamp  2025-11-25T12:00:00.000Z\n"
	    "last timestamp   2025-11-25T13:00:00.123Z\n"
	    "reader           report-job: offset 599, lag 400\n"
	    "reader           new-job: no offset stored\n"
	    "publisher        job: sequence 1000\n"
	    "\n", "table: a stream with records");

	in.have_records = 0;
	in.nreplicas = 0;
	in.leader[0] = '\0';
	in.nreaders = 1;
	in.npublishers = 0;
	in.stream = "a\"b";
	rs_infoout_json(&b, &in);
	expect(&b, "{\"stream\":\"a\\\"b\",\"leader\":null,\"replicas\":[],"
	    "\"first_offset\":null,\"last_offset\":null,"
	    "\"first_timestamp\":null,\"last_timestamp\":null,"
	    "\"readers\":[{\"name\":\"report-job\",\"offset\":599,\"lag\":0}],"
	    "\"publishers\":[]}\n", "JSON: an empty stream, a name to escape");
	rs_infoout_table(&b, &in);
	expect(&b,
	    "stream           a\"b\n"
	    "leader           -\n"
	    "replicas         -\n"
	    "records          none: the stream is empty\n"
	    "reader           report-job: offset 599, lag 0\n"
	    "\n", "table: an empty stream");

	rs_infoout_ago(ago, sizeof ago, 59999);
	is_str(ago, "59s", "59.999 s ago");
	rs_infoout_ago(ago, sizeof ago, 2 * 3600000 + 59 * 60000);
	is_str(ago, "2h", "2h59m ago");
	rs_infoout_ago(ago, sizeof ago, 3 * 86400000ULL);
	is_str(ago, "3d", "3 days ago");
	rs_infoout_ago(ago, sizeof ago, 30 * 60000);
	is_str(ago, "30m", "30 minutes ago");

	/* The checks. */
	sample(&in);
	memset(&lim, 0, sizeof lim);
	is_int(rs_infoout_check(&in, &lim, now, "rstream-tail", &b), 0,
	    "no checks: nothing fails");
	lim.have_max_lag = 1;
	lim.max_lag = 400;
	lim.max_lag_arg = "400";
	in.nreaders = 1;
	is_int(rs_infoout_check(&in, &lim, now, "rstream-tail", &b), 0,
	    "--max-lag 400, lag 400: passes");
	expect(&b, "", "nothing said");
	lim.max_lag = 100;
	lim.max_lag_arg = "100";
	is_int(rs_infoout_check(&in, &lim, now, "rstream-tail", &b), 1,
	    "--max-lag 100, lag 400: fails");
	expect(&b, "rstream-tail: logs: reader report-job is 400 records behind "
	    "(--max-lag 100)\n", "the lag line");
	in.nreaders = 2;
	lim.max_lag = 1000;
	lim.max_lag_arg = "1000";
	is_int(rs_infoout_check(&in, &lim, now, "rstream-tail", &b), 1,
	    "a reader that stored nothing fails --max-lag");
	expect(&b, "rstream-tail: logs: reader new-job has stored no offset "
	    "(--max-lag 1000)\n", "the no-offset line");
	in.have_records = 0;
	in.nreaders = 2;
	is_int(rs_infoout_check(&in, &lim, now, "rstream-tail", &b), 0,
	    "an empty stream: no reader is behind");
	expect(&b, "", "nothing said");

	sample(&in);
	memset(&lim, 0, sizeof lim);
	lim.have_max_idle = 1;
	lim.max_idle_ms = 3600000;
	lim.max_idle_arg = "1h";
	is_int(rs_infoout_check(&in, &lim, now + 3600000, "rstream-tail", &b), 0,
	    "--max-idle 1h, last record 1h ago: passes");
	is_int(rs_infoout_check(&in, &lim, now + 2 * 3600000 + 1, "rstream-tail",
	    &b), 1, "--max-idle 1h, last record 2h ago: fails");
	expect(&b, "rstream-tail: logs: last record 2h ago (--max-idle 1h)\n",
	    "the idle line");
	in.have_records = 0;
	is_int(rs_infoout_check(&in, &lim, now, "rstream-tail", &b), 1,
	    "an empty stream fails --max-idle");
	expect(&b, "rstream-tail: logs: the stream is empty (--max-idle 1h)\n",
	    "the empty line");

	rs_buf_free(&b);
	return done_testing();
}
