/*
 * deliver.c: a chunk of the main subscription (PROTOCOL.adoc "Deliver",
 * "Credit"): its records written out, or handed to the -- COMMAND runner.
 *
 * Deliveries are whole chunks: records before the requested offset are
 * dropped here, and the ones -n counted back beyond N; without -f, those
 * past the end the stream had when the run started. --until ends the run
 * at the first chunk at or after it, -c at the count, --filter drops what
 * the broker's Bloom filter let through. Credit counts chunks; it is
 * granted back four chunks at a time, once they have been written out, so
 * a slow reader stops the broker rather than growing our memory (and a
 * fast one sends one Credit frame, not four: at a few thousand small
 * chunks a second, syscalls are the cost).
 */
#include "config.h"

#include "command.h"
#include "consumerstate.h"
#include "deliver.h"
#include "emit.h"
#include "stop.h"
#include "subscribe.h"

#define CREDIT_BATCH	4	/* granted back together: one Credit frame per 4 chunks */

/* A chunk for the main subscription: print its records in range. */
static void
deliver(struct rs_consumer *k, const uint8_t *p, size_t len)
{
	struct rs_chunk	 ch;
	const uint8_t	*rec;
	size_t		 n;
	uint64_t	 off, pending = 0, last = 0;
	int		 r = 0, end = 0;

	if (rs_chunk_parse(&ch, p, len, !k->cfg.no_crc) == -1) {
		rs_conn_fail(k->conn, RS_E_RUNTIME, "bad chunk: %s", ch.errstr);
		return;
	}
	rs_chunk_scratch(&ch, &k->scratch);
	if (k->verifying && rs_subscribe_check(k, &ch) == -1)
		return;
	if (ch.type == RS_CHUNK_USER && k->cfg.have_until &&
	    ch.timestamp >= k->cfg.until) {
		rs_stop_finish(k);
		return;
	}
	if (k->cfg.argv != NULL && k->cmd_busy) {
		rs_conn_fail(k->conn, RS_E_RUNTIME, "a chunk arrived without "
		    "credit");
		return;
	}
	if (k->cfg.argv != NULL && ch.type == RS_CHUNK_USER) {
		rs_command_chunk(k, p, len);
		return;
	}
	if (ch.type == RS_CHUNK_USER) {
		while ((r = rs_chunk_next(&ch, &rec, &n, &off)) == 1) {
			if (off < k->start)
				continue;
			if (k->skip > 0) {
				k->skip--;
				continue;
			}
			if (!k->cfg.follow && off > k->end) {
				end = 1;
				break;
			}
			if (k->cfg.filter != NULL &&
			    !rs_filter_match(k->cfg.filter, rec, n))
				continue;	/* the Bloom filter let it through */
			rs_emit_record(k, &ch, off, rec, n);
			if (k->cfg.line_buffered) {
				if (rs_emit_written(k, &ch, off) == -1)
					return;
			} else {
				pending++;
				last = off;
			}
			if ((k->cfg.count > 0 &&
			    rs_emit_total(k) + pending >= k->cfg.count) ||
			    (!k->cfg.follow && off == k->end)) {
				end = 1;
				break;
			}
		}
	}
	if (k->out.oom) {
		rs_err_set(&k->err, RS_E_RUNTIME, "out of memory");
		rs_stop_finish(k);
		return;
	}
	if (rs_emit_flush(k) == -1)
		return;
	if (pending > 0)
		rs_emit_counted(k, &ch, pending, last);
	if (r == -1) {
		rs_conn_fail(k->conn, RS_E_RUNTIME, "bad chunk: %s", ch.errstr);
		return;
	}
	if (rs_stop_storing(k) && k->cfg.store_every > 0 &&
	    k->since_store >= k->cfg.store_every)
		rs_stop_store(k);
	if (end || (!k->cfg.follow && ch.first_offset + ch.nrecords > k->end))
		rs_stop_finish(k);
	else if (++k->credit_owed >= CREDIT_BATCH) {
		rs_subscribe_credit(k, k->credit_owed);
		k->credit_owed = 0;
	}
}

/*
 * deliver() with, in a group, the group's output buffer: a chunk's records
 * are written out before deliver() returns, so one buffer serves every
 * stream, and stays warm in the cache, instead of one a chunk big each.
 */
void
rs_deliver_chunk(struct rs_consumer *k, const uint8_t *p, size_t len)
{
	struct rs_buf	 own;

	if (k->cfg.group == NULL) {
		deliver(k, p, len);
		return;
	}
	own = k->out;
	k->out = k->cfg.group->out;
	deliver(k, p, len);
	k->cfg.group->out = k->out;
	k->out = own;
}
