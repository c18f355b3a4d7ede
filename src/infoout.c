/*
 * infoout.c: the figures of rstream-tail --info, written out. Pure: the
 * caller gathers them (info.c) and writes the buffer.
 *
 * JSON: one object per stream, with exactly the fields the man page lists:
 *	{"stream":S,"leader":"host:port","replicas":["host:port",...],
 *	 "first_offset":N,"last_offset":N,"first_timestamp":MS,
 *	 "last_timestamp":MS,"readers":[{"name":S,"offset":N,"lag":N},...],
 *	 "publishers":[{"name":S,"sequence":N},...]}
 * offsets and timestamps null for an empty stream, a reader's offset and
 * lag null when nothing is stored for its name. Timestamps are
 * milliseconds since the epoch, as in rstream-tail -J.
 *
 * The table: one "label  value" line per figure, labels padded to one
 * column, for a terminal.
 */
#include "config.h"

#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "infoout.h"
#include "json.h"

/* A C string's bytes (rs_buf_str() is the protocol's string, with its length). */
static void
put_s(struct rs_buf *b, const char *s)
{
	rs_buf_put(b, s, strlen(s));
}

static void
put_u64(struct rs_buf *b, uint64_t v)
{
	char	 s[24];

	snprintf(s, sizeof s, "%" PRIu64, v);
	put_s(b, s);
}

static void
put_i64(struct rs_buf *b, int64_t v)
{
	char	 s[24];

	snprintf(s, sizeof s, "%" PRId64, v);
	put_s(b, s);
}

/* A reader's lag (last offset minus stored offset, never below 0): 0, or -1 when it has stored nothing. */
int
rs_infoout_lag(const struct rs_info *in, const struct rs_info_reader *r,
    uint64_t *lag)
{
	if (!r->has_offset)
		return -1;
	*lag = in->have_records && in->last_offset > r->offset ?
	    in->last_offset - r->offset : 0;
	return 0;
}

/* One JSON object for the stream, and a newline. */
void
rs_infoout_json(struct rs_buf *b, const struct rs_info *in)
{
	uint64_t	 lag;
	size_t		 i;

	put_s(b, "{\"stream\":");
	rs_json_cstr(b, in->stream);
	put_s(b, ",\"leader\":");
	if (in->leader[0] != '\0')
		rs_json_cstr(b, in->leader);
	else
		put_s(b, "null");
	put_s(b, ",\"replicas\":[");
	for (i = 0; i < in->nreplicas; i++) {
		if (i > 0)
			put_s(b, ",");
		rs_json_cstr(b, in->replicas[i]);
	}
	put_s(b, "]");
	if (in->have_records) {
		put_s(b, ",\"first_offset\":");
		put_u64(b, in->first_offset);
		put_s(b, ",\"last_offset\":");
		put_u64(b, in->last_offset);
		put_s(b, ",\"first_timestamp\":");
		put_i64(b, in->first_timestamp);
		put_s(b, ",\"last_timestamp\":");
		put_i64(b, in->last_timestamp);
	} else
		put_s(b, ",\"first_offset\":null,\"last_offset\":null,"
		    "\"first_timestamp\":null,\"last_timestamp\":null");
	put_s(b, ",\"readers\":[");
	for (i = 0; i < in->nreaders; i++) {
		if (i > 0)
			put_s(b, ",");
		put_s(b, "{\"name\":");
		rs_json_cstr(b, in->readers[i].name);
		if (rs_infoout_lag(in, &in->readers[i], &lag) == 0) {
			put_s(b, ",\"offset\":");
			put_u64(b, in->readers[i].offset);
			put_s(b, ",\"lag\":");
			put_u64(b, lag);
		} else
			put_s(b, ",\"offset\":null,\"lag\":null");
		put_s(b, "}");
	}
	put_s(b, "],\"publishers\":[");
	for (i = 0; i < in->npublishers; i++) {
		if (i > 0)
			put_s(b, ",");
		put_s(b, "{\"name\":");
		rs_json_cstr(b, in->publishers[i].name);
		put_s(b, ",\"sequence\":");
		put_u64(b, in->publishers[i].sequence);
		put_s(b, "}");
	}
	put_s(b, "]}\n");
}

/* A label padded to the value column. */
static void
label(struct rs_buf *b, const char *l)
{
	size_t	 n = strlen(l);

	put_s(b, l);
	do
		put_s(b, " ");
	while (++n < 17);
}

/* A timestamp in ms as RFC 3339 UTC with milliseconds. */
static void
put_time(struct rs_buf *b, int64_t ms)
{
	struct tm	 tm;
	time_t		 t = (time_t)(ms >= 0 ? ms / 1000 : (ms - 999) / 1000);
	char		 s[64];

	if (gmtime_r(&t, &tm) == NULL ||
	    strftime(s, sizeof s, "%Y-%m-%dT%H:%M:%S", &tm) == 0) {
		put_i64(b, ms);
		return;
	}
	put_s(b, s);
	snprintf(s, sizeof s, ".%03dZ", (int)(ms - (int64_t)t * 1000));
	put_s(b, s);
}

/* The table for one stream: a line per figure, then a blank line. */
void
rs_infoout_table(struct rs_buf *b, const struct rs_info *in)
{
	uint64_t	 lag;
	size_t		 i;

	label(b, "stream");
	put_s(b, in->stream);
	put_s(b, "\n");
	label(b, "leader");
	put_s(b, in->leader[0] != '\0' ? in->leader : "-");
	put_s(b, "\n");
	label(b, "replicas");
	if (in->nreplicas == 0)
		put_s(b, "-");
	for (i = 0; i < in->nreplicas; i++) {
		if (i > 0)
			put_s(b, " ");
		put_s(b, in->replicas[i]);
	}
	put_s(b, "\n");
	if (in->have_records) {
		label(b, "first offset");
		put_u64(b, in->first_offset);
		put_s(b, "\n");
		label(b, "last offset");
		put_u64(b, in->last_offset);
		put_s(b, "\n");
		label(b, "first timestamp");
		put_time(b, in->first_timestamp);
		put_s(b, "\n");
		label(b, "last timestamp");
		put_time(b, in->last_timestamp);
		put_s(b, "\n");
	} else {
		label(b, "records");
		put_s(b, "none: the stream is empty\n");
	}
	for (i = 0; i < in->nreaders; i++) {
		label(b, "reader");
		put_s(b, in->readers[i].name);
		if (rs_infoout_lag(in, &in->readers[i], &lag) == 0) {
			put_s(b, ": offset ");
			put_u64(b, in->readers[i].offset);
			put_s(b, ", lag ");
			put_u64(b, lag);
			put_s(b, "\n");
		} else
			put_s(b, ": no offset stored\n");
	}
	for (i = 0; i < in->npublishers; i++) {
		label(b, "publisher");
		put_s(b, in->publishers[i].name);
		put_s(b, ": sequence ");
		put_u64(b, in->publishers[i].sequence);
		put_s(b, "\n");
	}
	put_s(b, "\n");
}

/* A duration in ms as its largest whole unit: 45s, 12m, 2h, 3d. */
void
rs_infoout_ago(char *s, size_t len, uint64_t ms)
{
	uint64_t	 sec = ms / 1000;

	if (sec < 60)
		snprintf(s, len, "%" PRIu64 "s", sec);
	else if (sec < 3600)
		snprintf(s, len, "%" PRIu64 "m", sec / 60);
	else if (sec < 86400)
		snprintf(s, len, "%" PRIu64 "h", sec / 3600);
	else
		snprintf(s, len, "%" PRIu64 "d", sec / 86400);
}

/*
 * Apply the checks at time now (ms): a line "PROG: STREAM: ..." into msgs
 * for each one that fails; the number of failures. A reader that stored
 * nothing fails --max-lag on a stream with records; an empty stream fails
 * --max-idle.
 */
int
rs_infoout_check(const struct rs_info *in, const struct rs_info_limits *lim,
    int64_t now, const char *prog, struct rs_buf *msgs)
{
	char		 line[1024], ago[32];
	uint64_t	 lag;
	size_t		 i;
	int		 n = 0;

	if (lim->have_max_lag)
		for (i = 0; i < in->nreaders; i++) {
			const struct rs_info_reader *r = &in->readers[i];

			if (rs_infoout_lag(in, r, &lag) == 0) {
				if (lag <= lim->max_lag)
					continue;
				snprintf(line, sizeof line, "%s: %s: reader %s is "
				    "%" PRIu64 " record%s behind (--max-lag %s)\n",
				    prog, in->stream, r->name, lag,
				    lag == 1 ? "" : "s", lim->max_lag_arg);
			} else if (in->have_records)
				snprintf(line, sizeof line, "%s: %s: reader %s has "
				    "stored no offset (--max-lag %s)\n", prog,
				    in->stream, r->name, lim->max_lag_arg);
			else
				continue;
			put_s(msgs, line);
			n++;
		}
	if (lim->have_max_idle) {
		if (!in->have_records) {
			snprintf(line, sizeof line, "%s: %s: the stream is empty "
			    "(--max-idle %s)\n", prog, in->stream,
			    lim->max_idle_arg);
			put_s(msgs, line);
			n++;
		} else if (now - in->last_timestamp > 0 &&
		    (uint64_t)(now - in->last_timestamp) > lim->max_idle_ms) {
			rs_infoout_ago(ago, sizeof ago,
			    (uint64_t)(now - in->last_timestamp));
			snprintf(line, sizeof line, "%s: %s: last record %s ago "
			    "(--max-idle %s)\n", prog, in->stream, ago,
			    lim->max_idle_arg);
			put_s(msgs, line);
			n++;
		}
	}
	return n;
}
