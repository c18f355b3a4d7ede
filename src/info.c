/*
 * info.c: rstream-tail --info (PROTOCOL.adoc "Metadata", "QueryOffset",
 * "QueryPublisherSequence", "Subscribe", "Deliver", "Unsubscribe").
 *
 * For each stream in turn: a connection to its leader through cluster.c
 * (which has the latest figures), then, pipelined on it: Metadata for the
 * leader and replicas; QueryOffset and QueryPublisherSequence for each
 * -N name; Subscribe at "first" and at "last", credit 1 each; and a
 * second Metadata as a barrier. This is how subscribe.c measures the end
 * of a stream, and it works on RabbitMQ 3.10.8: the broker sends a new
 * subscription's first chunk while it handles the Subscribe, before it
 * reads the next request, so once the barrier's reply is in, a
 * subscription that got no chunk found the stream empty. The chunk
 * headers (chunk.c) give the offsets and the timestamps: the first
 * record is the first offset of the first chunk, the last record the
 * first offset plus the record count, minus one, of the last chunk. Only
 * user chunks count: the tracking entry a stored reader offset makes
 * takes an offset but holds no record, and the broker's readers skip it.
 *
 * Where the broker has StreamStats (3.11+), it is asked first: a stream
 * with no committed chunk (committed_chunk_id -1) is empty, and the two
 * subscriptions are not made. Otherwise its figures are chunk ids, of
 * chunks of any type (a tracking entry's included), and it has no
 * timestamps, so the chunk headers are still read for the figures shown.
 *
 * A stream that does not exist (or any failure for one stream) is
 * recorded in errs[] and the next stream is asked about.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "chunk.h"
#include "frame.h"
#include "info.h"
#include "proto.h"

#define SUB_LAST	1
#define SUB_FIRST	2

static void	con_frame(struct rs_conn *, const struct rs_frame *, void *);
static void	con_error(struct rs_conn *, void *);
static void	con_closed(struct rs_conn *, void *);
static void	next_stream(void *);

static const struct rs_conn_handler con_handler = {
	NULL, con_frame, con_error, con_closed, NULL, NULL
};

/* The stream being asked about failed: record why (once), drop the connection, go on. */
static void
stream_fail(struct rs_info_run *r, enum rs_err_kind kind, const char *msg)
{
	struct rs_err	*e = &r->errs[r->cur];

	if (e->kind == RS_E_OK)
		rs_err_set(e, kind, "%s", msg);
	if (r->conn != NULL && !r->closing) {
		r->closing = 1;
		rs_conn_close(r->conn);
	}
}

static void
con_error(struct rs_conn *c, void *ud)
{
	struct rs_info_run	*r = ud;
	struct rs_err		 e = *rs_conn_err(c);

	if (!r->closing && r->errs[r->cur].kind == RS_E_OK)
		r->errs[r->cur] = e;
	rs_conn_free(c);
	r->conn = NULL;
	r->cur++;
	rs_timer_set(r->next, 0., 0.);
}

static void
con_closed(struct rs_conn *c, void *ud)
{
	struct rs_info_run	*r = ud;

	rs_conn_free(c);
	r->conn = NULL;
	r->cur++;
	rs_timer_set(r->next, 0., 0.);
}

/* "host:port" into dst. */
static void
hostport(char *dst, const struct rs_str *host, uint32_t port)
{
	snprintf(dst, RS_INFO_HOST_MAX, "%.*s:%u",
	    (int)(host->len < 255 ? host->len : 255), host->p, (unsigned)port);
}

static void
on_metadata(struct rs_conn *c, const struct rs_frame *f, void *ud)
{
	struct rs_info_run	*r = ud;
	struct rs_info		*in = &r->infos[r->cur];
	struct rs_stream_meta	 m;
	uint32_t		 i;
	int			 rc;

	rc = rs_frame_metadata_decode(f, in->stream, rs_conn_advertised_host(c),
	    rs_conn_advertised_port(c), &m);
	if (rc == -1) {
		stream_fail(r, RS_E_RUNTIME, "malformed Metadata response");
		return;
	}
	if (rc == 0 || m.code != RS_OK) {
		stream_fail(r, RS_E_UNAVAILABLE, rc == 0 ||
		    m.code == RS_STREAM_DOES_NOT_EXIST ? "stream does not exist" :
		    rs_proto_code_str(m.code));
		return;
	}
	if (m.has_leader)
		hostport(in->leader, &m.leader_host, m.leader_port);
	for (i = 0; i < m.nresolved && i < RS_INFO_REPLICAS; i++)
		hostport(in->replicas[i], &m.replica[i].host, m.replica[i].port);
	in->nreplicas = i;
}

static void
on_query_offset(struct rs_conn *c, const struct rs_frame *f, void *ud)
{
	struct rs_info_req	*q = ud;
	struct rs_info_run	*r = q->run;
	struct rs_info_reader	*rd = &r->infos[r->cur].readers[q->idx];
	char			 msg[512];

	(void)c;
	if (f->code == RS_OK && rs_frame_query_offset_decode(f, &rd->offset) == 0)
		rd->has_offset = 1;
	else if (f->code != RS_NO_OFFSET && f->code != RS_OK) {
		snprintf(msg, sizeof msg, "cannot query the offset of \"%s\": %s",
		    rd->name, rs_proto_code_str(f->code));
		stream_fail(r, f->code == RS_ACCESS_REFUSED ? RS_E_NOPERM :
		    f->code == RS_STREAM_DOES_NOT_EXIST ? RS_E_UNAVAILABLE :
		    RS_E_RUNTIME, msg);
	}
}

static void
on_query_sequence(struct rs_conn *c, const struct rs_frame *f, void *ud)
{
	struct rs_info_req		*q = ud;
	struct rs_info_run		*r = q->run;
	struct rs_info_publisher	*p = &r->infos[r->cur].publishers[q->idx];
	char				 msg[512];

	(void)c;
	if (f->code == RS_OK &&
	    rs_frame_publisher_sequence_decode(f, &p->sequence) == 0)
		return;
	snprintf(msg, sizeof msg, "cannot query the sequence of publisher \"%s\": %s",
	    p->name, rs_proto_code_str(f->code));
	stream_fail(r, f->code == RS_ACCESS_REFUSED ? RS_E_NOPERM :
	    f->code == RS_STREAM_DOES_NOT_EXIST ? RS_E_UNAVAILABLE :
	    RS_E_RUNTIME, msg);
}

static void
on_subscribe(struct rs_conn *c, const struct rs_frame *f, void *ud)
{
	struct rs_info_run	*r = ud;
	char			 msg[256];

	(void)c;
	if (f->code != RS_OK) {
		snprintf(msg, sizeof msg, "cannot read the stream: %s",
		    rs_proto_code_str(f->code));
		stream_fail(r, f->code == RS_ACCESS_REFUSED ? RS_E_NOPERM :
		    RS_E_UNAVAILABLE, msg);
	}
}

/* The barrier's reply: every chunk the two subscriptions had is in. */
static void
on_barrier(struct rs_conn *c, const struct rs_frame *f, void *ud)
{
	struct rs_info_run	*r = ud;
	struct rs_info		*in = &r->infos[r->cur];

	(void)f;
	if (r->closing)
		return;
	/* Both, or neither: a stream emptied between the two reads is empty. */
	in->have_records = r->have_first && r->have_last &&
	    in->first_offset <= in->last_offset;
	if (r->cfg.log != NULL)
		rs_say(r->cfg.log, r->cfg.log_ud, "%s: %s%s", in->stream,
		    in->have_records ? "read the first and last chunks" :
		    "the stream is empty", r->stats ? " (StreamStats asked first)" :
		    " (no StreamStats on this broker)");
	if (r->subscribed) {
		rs_frame_unsubscribe(rs_conn_buf(c),
		    rs_conn_corr(c, NULL, r), SUB_LAST);
		rs_frame_unsubscribe(rs_conn_buf(c),
		    rs_conn_corr(c, NULL, r), SUB_FIRST);
	}
	r->closing = 1;
	rs_conn_close(c);
}

static void
con_frame(struct rs_conn *c, const struct rs_frame *f, void *ud)
{
	struct rs_info_run	*r = ud;
	struct rs_info		*in = &r->infos[r->cur];
	struct rs_chunk		 ch;
	const uint8_t		*chunk;
	size_t			 len;
	uint8_t			 sub;

	if (f->key != RS_DELIVER || r->closing)
		return;
	if (rs_frame_deliver_decode(f, &sub, &chunk, &len) == -1) {
		rs_conn_fail(c, RS_E_RUNTIME, "malformed Deliver");
		return;
	}
	if (rs_chunk_parse(&ch, chunk, len, 0) == -1) {
		rs_conn_fail(c, RS_E_RUNTIME, "bad chunk: %s", ch.errstr);
		return;
	}
	if (ch.type != RS_CHUNK_USER || ch.nrecords == 0)
		return;
	if (sub == SUB_LAST && !r->have_last) {
		r->have_last = 1;
		in->last_offset = ch.first_offset + ch.nrecords - 1;
		in->last_timestamp = ch.timestamp;
	} else if (sub == SUB_FIRST && !r->have_first) {
		r->have_first = 1;
		in->first_offset = ch.first_offset;
		in->first_timestamp = ch.timestamp;
	}
}

/* Subscribe at last and at first, credit 1 each, then the barrier. */
static void
read_ends(struct rs_info_run *r, struct rs_conn *c)
{
	const char	*stream = r->cfg.streams[r->cur];

	r->subscribed = 1;
	rs_frame_subscribe(rs_conn_buf(c), rs_conn_corr(c, on_subscribe, r),
	    SUB_LAST, stream, RS_OFFSET_LAST, 0, 1, NULL, 0);
	rs_frame_subscribe(rs_conn_buf(c), rs_conn_corr(c, on_subscribe, r),
	    SUB_FIRST, stream, RS_OFFSET_FIRST, 0, 1, NULL, 0);
	rs_frame_metadata(rs_conn_buf(c), rs_conn_corr(c, on_barrier, r),
	    &stream, 1);
	rs_conn_flush(c);
}

/* StreamStats' reply: an empty stream needs no reads. */
static void
on_stats(struct rs_conn *c, const struct rs_frame *f, void *ud)
{
	struct rs_info_run	*r = ud;
	const char		*stream = r->cfg.streams[r->cur];
	int64_t			 committed;
	char			 msg[256];
	int			 found;

	if (r->closing)
		return;
	if (f->code != RS_OK) {
		snprintf(msg, sizeof msg, "%s", f->code == RS_STREAM_DOES_NOT_EXIST ?
		    "stream does not exist" : rs_proto_code_str(f->code));
		stream_fail(r, f->code == RS_ACCESS_REFUSED ? RS_E_NOPERM :
		    RS_E_UNAVAILABLE, msg);
		return;
	}
	found = rs_frame_stream_stats_find(f, "committed_chunk_id", &committed);
	if (found == -1) {
		rs_conn_fail(c, RS_E_RUNTIME, "malformed StreamStats response");
		return;
	}
	if (found == 1 && committed < 0) {
		if (r->cfg.log != NULL)
			rs_say(r->cfg.log, r->cfg.log_ud, "%s: StreamStats: the "
			    "stream is empty", stream);
		/* The barrier: the replies to the queries are in before it. */
		rs_frame_metadata(rs_conn_buf(c), rs_conn_corr(c, on_barrier, r),
		    &stream, 1);
		rs_conn_flush(c);
		return;
	}
	read_ends(r, c);
}

/* The leader's connection is ready: ask everything at once. */
static void
located(struct rs_conn *c, const struct rs_err *err, void *ud)
{
	struct rs_info_run	*r = ud;
	const char		*stream = r->cfg.streams[r->cur];
	size_t			 i;

	if (c == NULL) {
		r->errs[r->cur] = *err;
		if (r->cluster.missing)	/* not cluster.c's hint to --create */
			snprintf(r->errs[r->cur].msg, sizeof r->errs[r->cur].msg,
			    "stream does not exist");
		r->cur++;
		rs_timer_set(r->next, 0., 0.);	/* not from inside cluster.c */
		return;
	}
	r->conn = c;
	rs_conn_set_handler(c, &con_handler, r);
	rs_frame_metadata(rs_conn_buf(c), rs_conn_corr(c, on_metadata, r),
	    &stream, 1);
	for (i = 0; i < r->cfg.nnames; i++) {
		rs_frame_query_offset(rs_conn_buf(c),
		    rs_conn_corr(c, on_query_offset, &r->reqs[i]),
		    r->cfg.names[i], stream);
		rs_frame_query_publisher_sequence(rs_conn_buf(c),
		    rs_conn_corr(c, on_query_sequence, &r->reqs[i]),
		    r->cfg.names[i], stream);
	}
	if (rs_conn_has(c, RS_FEATURE_STREAM_STATS)) {
		r->stats = 1;
		rs_frame_stream_stats(rs_conn_buf(c), rs_conn_corr(c, on_stats, r),
		    stream);
		rs_conn_flush(c);
		return;
	}
	read_ends(r, c);
}

static void
cluster_log(const char *msg, void *ud)
{
	struct rs_info_run	*r = ud;

	if (r->cfg.log != NULL)
		r->cfg.log(msg, r->cfg.log_ud);
}

/* Ask about the next stream, or stop the loop after the last (a timer: never from inside a callback). */
static void
next_stream(void *ud)
{
	struct rs_info_run	*r = ud;

	rs_cluster_free(&r->cluster);
	if (r->cur >= r->cfg.nstreams) {
		rs_loop_break(r->loop);
		return;
	}
	r->have_first = r->have_last = r->closing = r->subscribed = r->stats = 0;
	memset(&r->cluster, 0, sizeof r->cluster);
	r->cluster.loop = r->loop;
	r->cluster.conn = r->cfg.conn;
	r->cluster.name = "rstream-tail --info";
	r->cluster.stream = r->cfg.streams[r->cur];
	r->cluster.want_leader = 1;
	r->cluster.done = located;
	r->cluster.ud = r;
	r->cluster.log = cluster_log;
	rs_cluster_open(&r->cluster);
}

/*
 * Gather the figures of every stream: 0 once each stream has its figures
 * in infos[] or its failure in errs[]; -1 with err set when the run could
 * not start.
 */
int
rs_info_run(struct rs_info_run *r, const struct rs_info_cfg *cfg,
    struct rs_loop *loop)
{
	size_t	 i, j, n = cfg->nstreams, m = cfg->nnames;

	memset(r, 0, sizeof *r);
	r->cfg = *cfg;
	r->loop = loop;
	r->infos = calloc(n, sizeof *r->infos);
	r->errs = calloc(n, sizeof *r->errs);
	r->readers = calloc(n * m + 1, sizeof *r->readers);
	r->publishers = calloc(n * m + 1, sizeof *r->publishers);
	r->reqs = calloc(m + 1, sizeof *r->reqs);
	r->next = rs_timer_new(loop, next_stream, r);
	if (r->next == NULL || r->infos == NULL || r->errs == NULL || r->readers == NULL ||
	    r->publishers == NULL || r->reqs == NULL) {
		rs_err_set(&r->err, RS_E_RUNTIME, "out of memory");
		return -1;
	}
	for (j = 0; j < m; j++) {
		r->reqs[j].run = r;
		r->reqs[j].idx = j;
	}
	for (i = 0; i < n; i++) {
		r->infos[i].stream = cfg->streams[i];
		r->infos[i].readers = &r->readers[i * m];
		r->infos[i].nreaders = m;
		r->infos[i].publishers = &r->publishers[i * m];
		r->infos[i].npublishers = m;
		for (j = 0; j < m; j++) {
			r->readers[i * m + j].name = cfg->names[j];
			r->publishers[i * m + j].name = cfg->names[j];
		}
	}
	next_stream(r);
	if (r->cur < n)
		rs_loop_run(loop);
	return 0;
}

void
rs_info_free(struct rs_info_run *r)
{
	rs_cluster_free(&r->cluster);
	rs_conn_free(r->conn);
	r->conn = NULL;
	free(r->infos);
	free(r->errs);
	free(r->readers);
	free(r->publishers);
	free(r->reqs);
	rs_timer_free(r->next);
	r->next = NULL;
	r->infos = NULL;
	r->errs = NULL;
	r->readers = NULL;
	r->publishers = NULL;
	r->reqs = NULL;
}
