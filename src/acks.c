/*
 * acks.c: the acknowledgement rings of rstream-cat (acks.h).
 *
 * base moves over the acknowledged prefix, clearing each slot as it passes,
 * so a slot is clean when its record number comes round again.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "acks.h"

/* Rings of w slots, nothing taken yet. 0, or -1 (out of memory). */
int
rs_acks_init(struct rs_acks *a, uint32_t w)
{
	memset(a, 0, sizeof *a);
	a->w = w;
	a->base = 1;
	a->bslot = 1 % w;
	a->first = 1;
	if ((a->acked = calloc(w, 1)) == NULL ||
	    (a->back = calloc(w, sizeof *a->back)) == NULL) {
		rs_acks_free(a);
		return -1;
	}
	return 0;
}

void
rs_acks_free(struct rs_acks *a)
{
	free(a->acked);
	free(a->back);
	a->acked = NULL;
	a->back = NULL;
}

/* Is record r taken (top is the last taken) and not yet acknowledged? */
int
rs_acks_pending(const struct rs_acks *a, uint64_t r, uint64_t top)
{
	return r >= a->base && r <= top && !a->acked[r % a->w];
}

/* Move base over the acknowledged prefix. */
static void
advance(struct rs_acks *a, uint64_t top)
{
	while (a->base <= top && a->acked[a->bslot]) {
		a->acked[a->bslot] = 0;
		a->base++;
		if (++a->bslot == a->w)
			a->bslot = 0;
	}
}

/* Record r is acknowledged on its own (skipped). 0, or -1 if it is not in flight. */
int
rs_acks_one(struct rs_acks *a, uint64_t r, uint64_t top)
{
	if (!rs_acks_pending(a, r, top))
		return -1;
	a->acked[r % a->w] = 1;
	advance(a, top);
	return 0;
}

/* Record r (taken) was framed: it begins a message, or joins the one last begun. */
void
rs_acks_framed(struct rs_acks *a, uint64_t r, int begins)
{
	if (begins)
		a->first = r;
	a->back[r % a->w] = (uint32_t)(r - a->first);
}

/*
 * The broker acknowledged the message whose last record is r: every record
 * of it is. How many records that acknowledged (0: r is not in flight),
 * and the first of them in *first.
 */
uint32_t
rs_acks_message(struct rs_acks *a, uint64_t r, uint64_t top, uint64_t *first)
{
	uint64_t	 from;
	uint32_t	 n = 0, slot, i;

	if (r < a->base || r > top || a->acked[slot = (uint32_t)(r % a->w)])
		return 0;
	if ((from = r - a->back[slot]) < a->base)
		from = a->base;
	*first = from;
	a->acked[slot] = 1;
	n = 1;
	/* The records before r in its message, walking back over the ring. */
	for (i = (uint32_t)(r - from); i > 0; i--) {
		slot = slot == 0 ? a->w - 1 : slot - 1;
		if (!a->acked[slot]) {
			a->acked[slot] = 1;
			n++;
		}
	}
	advance(a, top);
	return n;
}
