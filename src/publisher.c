/*
 * publisher.c: the publishing side of rstream-cat (PROTOCOL.adoc
 * "DeclarePublisher", "QueryPublisherSequence", "Publish", "PublishConfirm",
 * "PublishError"): the run, its connection and what comes back on it. The
 * flow of records from the input into Publish frames, and --dry-run's
 * printing of them, is pubflow.c's, which this file drives.
 *
 * Flow: locate the stream's leader (cluster.c); for a named publisher ask
 * the last publishing id the stream stored for it; DeclarePublisher; then
 * read input, frame records and publish them (pubflow.c).
 *
 * Records are numbered from 1 across the inputs. A message's publishing
 * id is the number of its last record plus a fixed offset: 0 normally and
 * with --resume (so a re-run over the same input skips what the stream
 * already has, and the broker's deduplication drops any overlap), the stored
 * id for a named publisher without --resume (so ids keep growing). A message
 * is one record, or with --sub-entry-size a batch of consecutive records
 * (outbox.c, batch.c), so the last id the broker stored for a name always
 * says exactly which records it has: every one up to that number. A re-run
 * with --resume skips those records before batching, so its first batch
 * starts at the record after it and no batch ever straddles it.
 *
 * Acknowledgements count records (acks.c): a confirm of a batch
 * acknowledges each of its records, and --max-in-flight counts records,
 * batched or not.
 *
 * Messages are encoded once, into the outbox, which the connection writes
 * from and which keeps them until acknowledged for a new connection to send
 * again (recover, resend). The run ends when every record taken is
 * acknowledged, or when the confirm timeout runs out.
 */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include "frame.h"
#include "proto.h"
#include "publisher.h"
#include "pubflow.h"

#define RETRY_MAX	5.0		/* longest wait between two connections */

static void	pub_frame(struct rs_conn *, const struct rs_frame *, void *);
static void	pub_error(struct rs_conn *, void *);
static void	pub_closed(struct rs_conn *, void *);
static void	pub_drained(struct rs_conn *, void *);

static const struct rs_conn_handler pub_handler = {
	NULL, pub_frame, pub_error, pub_closed, pub_drained, NULL
};

/* say(x, fn, fmt, ...): a line through fn (cfg.log or cfg.warn), if set. */
#define say(x, fn, ...)	rs_say((fn), (x)->cfg.log_ud, __VA_ARGS__)

/* Records taken from the input so far. */
uint64_t
rs_publisher_read(const struct rs_publisher *p)
{
	return rs_pubflow_read(p);
}

/* Records taken but neither acknowledged nor skipped. */
uint64_t
rs_publisher_unconfirmed(const struct rs_publisher *p)
{
	return rs_pubflow_unconfirmed(p);
}


/* The confirm timer: records are still unconfirmed after --confirm-timeout; stop. */
static void
confirm_timeout(void *ud)
{
	struct rs_publisher	*p = ud;

	rs_err_set(&p->err, RS_E_TEMPFAIL, "%llu records still unconfirmed after %g s",
	    (unsigned long long)rs_pubflow_unconfirmed(p),
	    p->cfg.confirm_timeout);
	rs_pubflow_stop(p);
}
/* The connection closed as asked: the run is over. */
static void
pub_closed(struct rs_conn *c, void *ud)
{
	(void)c;
	rs_pubflow_stop(ud);
}

static void	reconnect(void *);

/*
 * The connection failed: try another (with backoff, until --retry-for has
 * passed since it went down) if the failure is one that can pass. 1 if a
 * new connection is on its way.
 */
static int
recover(struct rs_publisher *p, const struct rs_err *err)
{
	double	 now = rs_loop_now(p->loop), wait;

	if ((err->kind != RS_E_TEMPFAIL && err->kind != RS_E_UNAVAILABLE) ||
	    p->signo != 0 || p->cfg.conn.retry_for <= 0 || p->cluster.missing)
		return 0;
	if (!p->recovering) {
		p->recovering = 1;
		p->down_since = now;
		p->attempts = 0;
		rs_source_watch(&p->src, 0);
		rs_timer_stop(p->confirm_timer);
	}
	if (now - p->down_since >= p->cfg.conn.retry_for)
		return 0;
	if (p->conn != NULL) {
		rs_conn_free(p->conn);
		p->conn = NULL;
	}
	rs_cluster_free(&p->cluster);
	wait = 0.25 * (double)(1 << (p->attempts < 5 ? p->attempts : 5));
	if (wait > RETRY_MAX)
		wait = RETRY_MAX;
	p->attempts++;
	say(p, p->cfg.log, "%s; connecting again in %.2g s", err->msg, wait);
	rs_timer_set(p->retry_timer, wait, 0.);
	return 1;
}
/* The connection failed: recover on another, or stop the run with its error. */
static void
pub_error(struct rs_conn *c, void *ud)
{
	struct rs_publisher	*p = ud;

	if (p->closing) {
		rs_pubflow_stop(p);	/* everything was confirmed; the close was untidy */
		return;
	}
	if (recover(p, rs_conn_err(c)))
		return;
	rs_err_set(&p->err, rs_conn_err(c)->kind, "%s", rs_conn_err(c)->msg);
	rs_pubflow_stop(p);
}



/* PublishConfirm or PublishError: count the records each id acknowledges, then read on or finish. */
static void
on_ids(struct rs_publisher *p, struct rs_conn *c, const struct rs_frame *f)
{
	struct rs_cur	 cur;
	uint64_t	 id, first;
	uint32_t	 n, i, k;
	uint16_t	 code;
	uint8_t		 pubid;
	int		 progress = 0;

	if (rs_frame_ids_begin(f, &cur, &pubid, &n) == -1) {
		rs_conn_fail(c, RS_E_RUNTIME, "malformed %s",
		    rs_proto_key_str(f->key));
		return;
	}
	if (pubid != RS_PUBFLOW_ID) {
		rs_conn_fail(c, RS_E_RUNTIME, "%s for publisher %u, which was "
		    "never declared", rs_proto_key_str(f->key), pubid);
		return;
	}
	for (i = 0; i < n; i++) {
		code = RS_OK;
		if (f->key == RS_PUBLISH_CONFIRM)
			rs_frame_confirm_next(&cur, &id);
		else
			rs_frame_error_next(&cur, &id, &code);
		if (id < p->id_offset || (k = rs_acks_message(&p->acks,
		    id - p->id_offset, rs_pubflow_read(p), &first)) == 0)
			continue;	/* a duplicate or stray id */
		progress = 1;
		if (code == RS_OK) {
			p->confirmed += k;
			continue;
		}
		if (p->failed == 0 || first < p->first_failed) {
			p->first_failed = first;
			p->first_failed_code = code;
		}
		p->failed += k;
	}
	rs_pubflow_drop(p);
	if (progress && p->input_done && p->cfg.confirm_timeout > 0)
		rs_timer_set(p->confirm_timer, p->cfg.confirm_timeout, 0.);
	rs_pubflow_resume(p);
	rs_pubflow_finish(p);
}
/* A frame nobody asked for: confirms and errors, or the stream going away. */
static void
pub_frame(struct rs_conn *c, const struct rs_frame *f, void *ud)
{
	struct rs_publisher	*p = ud;
	struct rs_str		 s;
	uint16_t		 code;

	switch (f->key) {
	case RS_PUBLISH_CONFIRM:
	case RS_PUBLISH_ERROR:
		on_ids(p, c, f);
		break;
	case RS_METADATA_UPDATE:
		if (rs_frame_metadata_update_decode(f, &code, &s) == -1)
			code = 0;
		rs_conn_fail(c, RS_E_TEMPFAIL, "the stream is no longer "
		    "available on this connection (%s): it was deleted, or its "
		    "leader moved", rs_proto_code_str(code));
		break;
	default:
		break;
	}
}
/* Everything queued was written: read on if the bounds allow. */
static void
pub_drained(struct rs_conn *c, void *ud)
{
	(void)c;
	rs_pubflow_resume(ud);
}






/*
 * Should the message with publishing id id be sent again? Not if it is
 * acknowledged, nor if a named publisher's broker says it stored it (it
 * would drop it; it counts as confirmed).
 */
static int
unacknowledged(void *ud, uint64_t id)
{
	struct rs_publisher	*p = ud;
	uint64_t		 first;

	if (!rs_acks_pending(&p->acks, id - p->id_offset, rs_pubflow_read(p)))
		return 0;
	if (p->cfg.name == NULL || id > p->stored)
		return 1;
	p->confirmed += rs_acks_message(&p->acks, id - p->id_offset,
	    rs_pubflow_read(p), &first);
	return 0;
}

/*
 * A new connection: send again every message not yet acknowledged, with
 * its publishing id. An unnamed publisher's broker may store some twice.
 */
static void
resend(struct rs_publisher *p)
{
	size_t	 n;

	n = rs_outbox_resend(&p->ob, rs_conn_buf(p->conn), unacknowledged, p);
	rs_pubflow_drop(p);		/* not inside the walk: it may move the store */
	if (n > 0 && p->cfg.name == NULL && !p->warned_dup) {
		p->warned_dup = 1;
		say(p, p->cfg.warn, "sent %zu unconfirmed records again on a new "
		    "connection: without --name some may now be in the stream "
		    "twice", n);
	} else if (n > 0)
		say(p, p->cfg.log, "sent %zu unconfirmed records again", n);
}







/* SIGINT, SIGTERM, SIGHUP: stop reading, wait for confirms (a second one ends the run at once: loop.c). */
static void
on_signal(void *ud, int signo)
{
	struct rs_publisher	*p = ud;

	p->signo = signo;
	say(p, p->cfg.log, "signal %d: waiting for %llu confirms", signo,
	    (unsigned long long)rs_pubflow_unconfirmed(p));
	if (p->conn == NULL) {
		rs_pubflow_stop(p);
		return;
	}
	if (p->closing)
		return;
	if (p->in_ready && rs_pubflow_send(p) == 0)
		rs_pubflow_end(p);
	else if (!p->in_ready)
		rs_pubflow_stop(p);
}


/* DeclarePublisher answered: start reading, or after a reconnection resend and go on. */
static void
on_declare(struct rs_conn *c, const struct rs_frame *f, void *ud)
{
	struct rs_publisher	*p = ud;

	if (f->code != RS_OK) {
		rs_err_set(&p->err, f->code == RS_ACCESS_REFUSED ? RS_E_NOPERM :
		    RS_E_UNAVAILABLE, "cannot declare a publisher: %s",
		    rs_proto_code_str(f->code));
		rs_conn_close(c);
		return;
	}
	if (p->signo != 0) {
		rs_pubflow_end(p);
		return;
	}
	if (p->in_ready) {
		/* A new connection after a failure: pick up where we were. */
		p->recovering = 0;
		say(p, p->cfg.log, "connected again after %.1f s",
		    rs_loop_now(p->loop) - p->down_since);
		resend(p);
		if (rs_pubflow_send(p) == -1)
			return;
		if (p->input_done)
			rs_pubflow_finish(p);
		else {
			p->paused = 1;
			rs_pubflow_resume(p);
		}
		return;
	}
	rs_pubflow_start(p, c);
}

/* The retry timer: locate the stream's leader again. */
static void
reconnect(void *ud)
{
	struct rs_publisher	*p = ud;

	rs_cluster_open(&p->cluster);
}
/* Declare the publisher on the stream. */
static void
declare(struct rs_publisher *p, struct rs_conn *c)
{
	rs_frame_declare_publisher(rs_conn_buf(c), rs_conn_corr(c, on_declare, p),
	    RS_PUBFLOW_ID, p->cfg.name ? p->cfg.name : "", p->cfg.stream);
	rs_conn_flush(c);
}
/* QueryPublisherSequence answered: where a named publisher stands, then declare. */
static void
on_sequence(struct rs_conn *c, const struct rs_frame *f, void *ud)
{
	struct rs_publisher	*p = ud;

	if (f->code != RS_OK ||
	    rs_frame_publisher_sequence_decode(f, &p->stored) == -1) {
		rs_err_set(&p->err, f->code == RS_ACCESS_REFUSED ? RS_E_NOPERM :
		    RS_E_UNAVAILABLE, "cannot query publisher \"%s\": %s",
		    p->cfg.name, rs_proto_code_str(f->code));
		rs_conn_close(c);
		return;
	}
	if (p->in_ready) {
		declare(p, c);	/* again, after a new connection */
		return;
	}
	p->id_offset = p->cfg.resume ? 0 : p->stored;
	if (p->cfg.resume)
		say(p, p->cfg.log, "publisher \"%s\": the stream has records up "
		    "to %llu; resuming after it", p->cfg.name,
		    (unsigned long long)p->stored);
	else
		say(p, p->cfg.log, "publisher \"%s\": last stored id %llu",
		    p->cfg.name, (unsigned long long)p->stored);
	declare(p, c);
}

/* The stream's leader is connected (or could not be): take the connection and declare. */
static void
located(struct rs_conn *c, const struct rs_err *err, void *ud)
{
	struct rs_publisher	*p = ud;

	if (c == NULL) {
		if (p->recovering && recover(p, err))
			return;
		rs_err_set(&p->err, err->kind, "%s", err->msg);
		rs_pubflow_stop(p);
		return;
	}
	p->conn = c;
	rs_conn_set_handler(c, &pub_handler, p);
	rs_conn_set_outq(c, &p->ob.q);
	/* --filter-value: Publish v2, RabbitMQ 3.13+ (exit 69 before anything is sent). */
	if (p->cfg.msg.filter_value != NULL &&
	    rs_conn_require(c, RS_FEATURE_FILTERING, &p->err) == -1) {
		rs_pubflow_stop(p);
		return;
	}
	if (p->cfg.name == NULL) {
		declare(p, c);
		return;
	}
	rs_frame_query_publisher_sequence(rs_conn_buf(c),
	    rs_conn_corr(c, on_sequence, p), p->cfg.name, p->cfg.stream);
	rs_conn_flush(c);
}
/* A -v line from cluster.c. */
static void
cluster_log(const char *msg, void *ud)
{
	struct rs_publisher	*p = ud;

	say(p, p->cfg.log, "%s", msg);
}

/* Common set-up of a run; 0, or -1 with err set. */
static int
prepare(struct rs_publisher *p, const struct rs_publisher_cfg *cfg,
    struct rs_loop *loop)
{
	memset(p, 0, sizeof *p);
	p->cfg = *cfg;
	p->loop = loop;
	rs_message_init(&p->msg, &cfg->msg);
	rs_buf_init(&p->dry);
	rs_buf_init(&p->dry_out);
	if (p->cfg.max_in_flight == 0)
		p->cfg.max_in_flight = p->cfg.sub_entry > 1 ?
		    RS_PUBLISHER_BATCH_IN_FLIGHT : RS_PUBLISHER_IN_FLIGHT;
	if (p->cfg.delim == NULL) {
		p->cfg.delim = "\n";
		p->cfg.delim_len = 1;
	}
	rs_source_init(&p->src, loop, NULL, 0, NULL, NULL, NULL);
	if (rs_source_check(cfg->files, cfg->nfiles, &p->err) == -1)
		return -1;
	if (rs_acks_init(&p->acks, p->cfg.max_in_flight) == -1) {
		rs_err_set(&p->err, RS_E_RUNTIME, "out of memory");
		return -1;
	}
	return 0;
}



/*
 * --dry-run: frame the inputs and print each message as a JSON line on fd,
 * without connecting (frames as large as the default frame max). 0 on
 * success, -1 with err set.
 */
int
rs_publisher_dry_run(struct rs_publisher *p, const struct rs_publisher_cfg *cfg,
    struct rs_loop *loop, int fd)
{
	if (prepare(p, cfg, loop) == -1)
		return -1;
	return rs_pubflow_dry_run(p, fd);
}

/* Publish everything the inputs hold; 0 when every record was acknowledged as asked, -1 otherwise. */
int
rs_publisher_run(struct rs_publisher *p, const struct rs_publisher_cfg *cfg,
    struct rs_loop *loop)
{
	if (prepare(p, cfg, loop) == -1)
		return -1;
	if ((p->linger_timer = rs_timer_new(loop, rs_pubflow_linger_done, p)) == NULL ||
	    (p->retry_timer = rs_timer_new(loop, reconnect, p)) == NULL ||
	    (p->confirm_timer = rs_timer_new(loop, confirm_timeout, p)) == NULL) {
		rs_err_set(&p->err, RS_E_RUNTIME, "out of memory");
		return -1;
	}
	p->stop_sigs = rs_sig_stop_new(loop, on_signal, p);
	p->cluster.loop = loop;
	p->cluster.conn = cfg->conn;
	p->cluster.name = "rstream-cat";
	p->cluster.stream = cfg->stream;
	p->cluster.want_leader = 1;
	p->cluster.create = cfg->create;
	p->cluster.create_args = cfg->create_args;
	p->cluster.ncreate = cfg->ncreate;
	p->cluster.done = located;
	p->cluster.ud = p;
	p->cluster.log = cluster_log;
	rs_cluster_open(&p->cluster);
	if (p->err.kind == RS_E_OK)
		rs_loop_run(loop);
	if (p->err.kind == RS_E_OK && p->failed > 0)
		rs_err_set(&p->err, RS_E_RUNTIME, "%llu records were rejected by the "
		    "broker (first: record %llu: %s)",
		    (unsigned long long)p->failed,
		    (unsigned long long)p->first_failed,
		    rs_proto_code_str(p->first_failed_code));
	return p->err.kind == RS_E_OK && p->signo == 0 ? 0 : -1;
}
/* Free what a run (or a dry run) left. */
void
rs_publisher_free(struct rs_publisher *p)
{
	rs_source_close(&p->src);
	rs_conn_free(p->conn);
	rs_cluster_free(&p->cluster);
	if (p->in_ready)
		rs_input_free(&p->in);
	rs_sig_stop_free(p->stop_sigs);
	rs_timer_free(p->linger_timer);
	rs_timer_free(p->retry_timer);
	if (p->ob_ready)
		rs_outbox_free(&p->ob);
	rs_timer_free(p->confirm_timer);
	rs_acks_free(&p->acks);
	rs_message_free(&p->msg);
	rs_buf_free(&p->dry);
	rs_buf_free(&p->dry_out);
}
