/*
 * pending.c: the table of requests awaiting replies, for conn.c: a
 * correlation id for each (from 1, skipping 0 when it wraps), the callback
 * and its argument, and when it was sent, so the connection can tell how
 * long the oldest has waited. The table is small (a handful of requests
 * at a time), so lookups are linear and a taken entry's slot is filled
 * with the last.
 */
#include <stdlib.h>

#include "config.h"
#include "pending.h"

/* An empty table. */
void
rs_pending_init(struct rs_pending *t)
{
	t->next_corr = 1;
	t->v = NULL;
	t->n = t->cap = 0;
}

/* Free the table's memory. */
void
rs_pending_free(struct rs_pending *t)
{
	free(t->v);
	t->v = NULL;
	t->n = t->cap = 0;
}

/* Register a request sent at time sent; its correlation id, or 0 out of memory. */
uint32_t
rs_pending_add(struct rs_pending *t, rs_reply_fn *fn, void *priv, double sent)
{
	struct rs_pending_entry	*p;
	size_t			 cap;

	if (t->n == t->cap) {
		cap = t->cap ? 2 * t->cap : 8;
		if ((p = realloc(t->v, cap * sizeof *p)) == NULL)
			return 0;
		t->v = p;
		t->cap = cap;
	}
	p = &t->v[t->n++];
	p->corr = t->next_corr++;
	if (t->next_corr == 0)
		t->next_corr = 1;
	p->fn = fn;
	p->priv = priv;
	p->sent = sent;
	return p->corr;
}

/* Take the entry of correlation id corr out of the table: 0, or -1 if none has it. */
int
rs_pending_take(struct rs_pending *t, uint32_t corr, struct rs_pending_entry *e)
{
	size_t	 i;

	for (i = 0; i < t->n; i++)
		if (t->v[i].corr == corr)
			break;
	if (i == t->n)
		return -1;
	*e = t->v[i];
	t->v[i] = t->v[--t->n];
	return 0;
}

/* The replies awaited for priv are to be dropped when they come. */
void
rs_pending_forget(struct rs_pending *t, void *priv)
{
	size_t	 i;

	for (i = 0; i < t->n; i++)
		if (t->v[i].priv == priv) {
			t->v[i].fn = NULL;
			t->v[i].priv = NULL;
		}
}

/* When the oldest request still awaited was sent; the table must not be empty. */
double
rs_pending_oldest(const struct rs_pending *t)
{
	double	 oldest = t->v[0].sent;
	size_t	 i;

	for (i = 1; i < t->n; i++)
		if (t->v[i].sent < oldest)
			oldest = t->v[i].sent;
	return oldest;
}
