/*
 * sac.c: a single active reader (--single-active, RabbitMQ 3.11+;
 * PROTOCOL.adoc "ConsumerUpdate").
 *
 * The Subscribe says single-active-consumer, the name and, for a
 * partition, its super stream (subscribe.c). The broker makes one reader
 * of the name active per stream with a ConsumerUpdate, which we answer
 * with where to start: after the offset now stored for the name, else
 * where -o says. Inactive, a reader writes nothing (a chunk sent before it
 * stepped down is credited back, unread: consumer.c); told it is no
 * longer active, it stores its offset, then answers (once the command
 * running for a record is done: command.c). A reader killed takes its
 * unstored records with it: the next starts after the last store, so at
 * most store_every records (or store_interval seconds' worth) are written
 * twice.
 */
#include "config.h"

#include "consumerstate.h"
#include "frame.h"
#include "proto.h"
#include "sac.h"
#include "stop.h"
#include "subscribe.h"

/* say(x, fn, fmt, ...): a line through fn (cfg.log or cfg.warn), if set. */
#define say(x, fn, ...)	rs_say((fn), (x)->cfg.log_ud, __VA_ARGS__)

/*
 * --single-active: where a newly active reader starts, and set start: after
 * the offset stored for its name, or after its own last record if that is
 * later (it was active before); else where -o, -n or --since say.
 */
static void
sac_start(struct rs_consumer *k, uint16_t *type, uint64_t *value)
{
	const struct rs_offset_spec	*s = &k->cfg.start;
	uint64_t			 next = 0;

	*type = RS_OFFSET_OFFSET;
	k->exact = 0;
	k->start = 0;
	if (k->has_stored || k->have_written) {
		if (k->has_stored)
			next = k->stored + 1;
		if (k->have_written && k->last_written + 1 > next)
			next = k->last_written + 1;
		k->start = next;
		k->exact = 1;
	} else if (k->cfg.lines >= 0)
		k->start = rs_subscribe_before_end(k, (uint64_t)k->cfg.lines);
	else if (!k->cfg.have_start || s->kind == RS_SPEC_FIRST)
		*type = RS_OFFSET_FIRST;
	else if (s->kind == RS_SPEC_LAST)
		k->start = rs_subscribe_before_end(k, 1);
	else if (s->kind == RS_SPEC_FROM_END)
		k->start = rs_subscribe_before_end(k, s->offset);
	else if (s->kind == RS_SPEC_NEXT)
		*type = RS_OFFSET_NEXT;
	else if (s->kind == RS_SPEC_TIMESTAMP)
		*type = RS_OFFSET_TIMESTAMP;
	else {
		k->start = s->offset;
		k->exact = 1;
	}
	*value = *type == RS_OFFSET_TIMESTAMP ? (uint64_t)s->time : k->start;
}

/* Answer the ConsumerUpdate that made this reader active: start where sac_start() says. */
static void
sac_activate(struct rs_consumer *k)
{
	uint16_t	 type;
	uint64_t	 value;

	sac_start(k, &type, &value);
	k->active = 1;
	k->verifying = 0;
	say(k, k->cfg.log, "reader \"%s\" is active; starting at %s %llu",
	    k->cfg.name, type == RS_OFFSET_FIRST ? "first" :
	    type == RS_OFFSET_NEXT ? "next" : type == RS_OFFSET_TIMESTAMP ?
	    "timestamp" : "offset", (unsigned long long)value);
	rs_frame_consumer_update_response(rs_conn_buf(k->conn), k->cu_corr,
	    RS_OK, type, value);
	rs_conn_flush(k->conn);
}

/* No longer active: store the offset of the last record written, then answer. */
void
rs_sac_step_down(struct rs_consumer *k)
{
	k->cu_owed = 0;
	rs_stop_store(k);
	rs_frame_consumer_update_response(rs_conn_buf(k->conn), k->cu_corr,
	    RS_OK, RS_OFFSET_NONE, 0);
	rs_conn_flush(k->conn);
}

/* The offset stored for the name, read afresh when the reader becomes active. */
static void
on_sac_query(struct rs_conn *c, const struct rs_frame *f, void *ud)
{
	struct rs_consumer	*k = ud;

	(void)c;
	if (k->done || k->conn == NULL)
		return;
	if (rs_subscribe_stored(k, f) == 0)
		sac_activate(k);
}

/*
 * ConsumerUpdate (3.11+): the broker makes this reader the active one of
 * its name (it asks where to start: QueryOffset first, unless --reset), or
 * no longer active: the offset of the last record written is stored before
 * the answer, so that the next active reader starts right after it.
 */
void
rs_sac_update(struct rs_consumer *k, struct rs_conn *c,
    const struct rs_frame *f)
{
	uint8_t	 sub, active;

	if (rs_frame_consumer_update_decode(f, &sub, &active) == -1) {
		rs_conn_fail(c, RS_E_RUNTIME, "bad frame from the broker: "
		    "malformed ConsumerUpdate");
		return;
	}
	if (!k->cfg.single_active ||
	    (uint8_t)(sub - k->sub_base) != RS_SUB_MAIN) {
		rs_conn_fail(c, RS_E_RUNTIME, "bad frame from the broker: "
		    "ConsumerUpdate for subscription %u, which is not a single "
		    "active consumer", (unsigned)sub);
		return;
	}
	k->cu_corr = f->corr;
	if (active) {
		if (k->cfg.reset) {
			k->has_stored = 0;
			sac_activate(k);
			return;
		}
		rs_frame_query_offset(rs_conn_buf(c),
		    rs_conn_corr(c, on_sac_query, k), k->cfg.name,
		    k->cfg.stream);
		rs_conn_flush(c);
		return;
	}
	if (k->active)
		say(k, k->cfg.log, "reader \"%s\" is no longer active",
		    k->cfg.name);
	k->active = 0;
	if (k->cmd_busy) {
		k->cu_owed = 1;	/* command.c answers once the command is done */
		return;
	}
	rs_sac_step_down(k);
}
