/*
 * emit.c: a consumer's records out. Each record is appended to the output
 * buffer as it is (rs_output_record(): -0, --body, ...), as a JSON line
 * (-J) or through --format; in a group of streams (multi.c) a run of
 * another stream's records starts with a "==> STREAM <==" header, like
 * tail(1)'s. The buffer is written out once a chunk is walked (or after
 * each record, --line-buffered); a reader gone (EPIPE) is a quiet end.
 *
 * A record counts as written once it is out (or once its -- COMMAND
 * exited 0): the count that -c stops at, the records since the last
 * offset store, the offset a resume goes on after and the chunk it came in
 * (mark: a re-created stream is told by it), and the --progress tally.
 */
#include "config.h"

#include <errno.h>
#include <string.h>
#include <unistd.h>

#include "consumerstate.h"
#include "emit.h"
#include "stop.h"

/* --progress: copy where the run stands into cfg.tally, if kept. */
void
rs_emit_tally(struct rs_consumer *k, size_t bytes)
{
	struct rs_consumer_tally	*t = k->cfg.tally;

	if (t == NULL)
		return;
	t->records = k->printed;
	t->bytes += bytes;
	t->subscribed = k->subscribed;
	t->start = k->start;
	t->have_end = k->have_end;
	t->end = k->end;
	t->have_last = k->have_written;
	t->last = k->last_written;
}

/* Records written so far: by this reader, or by all of a group's. */
uint64_t
rs_emit_total(const struct rs_consumer *k)
{
	return k->cfg.group != NULL ? k->cfg.group->printed : k->printed;
}

/* Write the output buffer out; -1 when the reader has gone (a quiet end) or on error. */
int
rs_emit_flush(struct rs_consumer *k)
{
	size_t	 off = 0;
	ssize_t	 n;

	while (off < k->out.len) {
		n = write(k->cfg.out_fd, k->out.data + off, k->out.len - off);
		if (n == -1 && errno == EINTR)
			continue;
		if (n == -1) {
			k->out.len = 0;
			if (errno == EPIPE)
				k->out_closed = 1;
			else
				rs_err_set(&k->err, RS_E_RUNTIME, "write error: %s",
				    strerror(errno));
			rs_stop_finish(k);
			return -1;
		}
		off += (size_t)n;
	}
	k->out.len = 0;
	rs_emit_tally(k, off);
	return 0;
}

/* Append one record in the output form asked for. */
void
rs_emit_record(struct rs_consumer *k, const struct rs_chunk *ch, uint64_t off,
    const uint8_t *rec, size_t n)
{
	struct rs_record_meta	 meta;
	struct rs_consumer_group *g = k->cfg.group;

	if (g != NULL && g->last != k && g->headers) {
		/* Like tail(1): a header before each run of another stream's records. */
		if (g->nheaders++ > 0)
			rs_buf_u8(&k->out, '\n');
		rs_buf_put(&k->out, "==> ", 4);
		rs_buf_put(&k->out, k->cfg.stream, strlen(k->cfg.stream));
		rs_buf_put(&k->out, " <==\n", 5);
	}
	if (g != NULL)
		g->last = k;
	if (!k->cfg.json && k->cfg.format == NULL) {
		rs_output_record(&k->cfg.output, &k->out, rec, n);
		return;
	}
	meta.stream = k->cfg.stream;
	meta.offset = off;
	meta.timestamp = ch->timestamp;
	meta.is_record = 0;
	if (k->cfg.json)
		rs_jsonout_record(&k->out, &meta, rec, n);
	else
		rs_format_record(k->cfg.format, &k->out, &meta, rec, n);
}

/*
 * n records of chunk ch written, the last at offset last: count them for
 * -c and the store, and remember the chunk that record came in.
 */
void
rs_emit_counted(struct rs_consumer *k, const struct rs_chunk *ch, uint64_t n,
    uint64_t last)
{
	k->printed += n;
	if (k->cfg.group != NULL)
		k->cfg.group->printed += n;
	k->since_store += n;
	k->have_written = 1;
	k->last_written = last;
	k->mark.valid = 1;
	k->mark.first_offset = ch->first_offset;
	k->mark.timestamp = ch->timestamp;
	k->mark.crc = ch->crc;
	rs_emit_tally(k, 0);
}

/* One record of chunk ch written: flush now if asked, count it. */
int
rs_emit_written(struct rs_consumer *k, const struct rs_chunk *ch, uint64_t off)
{
	if (k->cfg.line_buffered && rs_emit_flush(k) == -1)
		return -1;
	rs_emit_counted(k, ch, 1, off);
	return 0;
}
