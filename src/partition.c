/*
 * partition.c: Partitions and Route, asked and decoded (partition.h says
 * what and why).
 *
 * The two replies differ in their shape only (rs_frame_strings_begin()
 * and rs_frame_route_begin() tell them apart), so one decoder serves both:
 * a count, then that many strings, copied out so that they outlive the
 * frame. A count past RS_PARTITION_MAX is malformed before anything is
 * allocated: a few bytes can claim 2^31-1 names; so is a name holding a
 * NUL, which as a C string would name another stream.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "frame.h"
#include "partition.h"
#include "proto.h"

/* Copy the reply's n names out of cur; 0, or -1 (r->bad set). */
static int
decode(struct rs_partition_reply *r, struct rs_cur *cur, uint32_t n,
    int empty_ok)
{
	struct rs_str	 str;
	uint32_t	 i;

	if (n > RS_PARTITION_MAX ||
	    (r->names = calloc(n ? n : 1, sizeof *r->names)) == NULL)
		return r->bad = 1, -1;
	for (i = 0; i < n; i++) {
		if (rs_frame_strings_next(cur, &str) == -1 || str.p == NULL ||
		    (str.len == 0 && !empty_ok) ||
		    memchr(str.p, '\0', str.len) != NULL ||
		    (r->names[i] = strndup(str.p, str.len)) == NULL)
			return r->bad = 1, -1;
		r->n++;
	}
	return 0;
}

/* Hand a decoded reply to its caller, then free what it did not take. */
static void
deliver(struct rs_conn *c, struct rs_partition_req *q,
    struct rs_partition_reply *r)
{
	size_t	 i;

	if (r->bad) {
		for (i = 0; i < r->n; i++)
			free(r->names[i]);
		r->n = 0;
	}
	q->done(c, r, q->ud);
	for (i = 0; i < r->n; i++)
		free(r->names[i]);
	free(r->names);
}

/* A Partitions reply (route 0) or a Route reply (route 1), decoded for q. */
static void
reply(struct rs_conn *c, const struct rs_frame *f, struct rs_partition_req *q,
    int route)
{
	struct rs_partition_reply	 r = { f->code, 0, NULL, 0 };
	struct rs_cur			 cur;
	uint32_t			 n;

	if (f->code == RS_OK) {
		if ((route ? rs_frame_route_begin(f, &cur, &n) :
		    rs_frame_strings_begin(f, &cur, &n)) == -1)
			r.bad = 1;
		else
			decode(&r, &cur, n, route);
	}
	deliver(c, q, &r);
}

/* The Partitions reply: the partition names, in the broker's order. */
static void
on_partitions(struct rs_conn *c, const struct rs_frame *f, void *ud)
{
	reply(c, f, ud, 0);
}

/* The Route reply: the streams a key goes to. */
static void
on_route(struct rs_conn *c, const struct rs_frame *f, void *ud)
{
	reply(c, f, ud, 1);
}

/* Ask for super's partitions (Partitions); q->done() gets the reply. */
void
rs_partition_ask(struct rs_conn *c, struct rs_partition_req *q,
    const char *super)
{
	rs_frame_partitions(rs_conn_buf(c), rs_conn_corr(c, on_partitions, q),
	    super);
}

/* Ask which of super's partitions key goes to (Route); q->done() gets it. */
void
rs_partition_route(struct rs_conn *c, struct rs_partition_req *q,
    const char *key, const char *super)
{
	rs_frame_route(rs_conn_buf(c), rs_conn_corr(c, on_route, q), key, super);
}
