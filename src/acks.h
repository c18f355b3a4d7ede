/*
 * acks.h: which of the records rstream-cat has taken are acknowledged:
 * confirmed or rejected by the broker, or skipped. Records are numbered
 * from 1; a message is one record or a sub-entry batch of consecutive ones,
 * and the broker acknowledges a message by the publishing id of its last
 * record (outbox.h). Two rings of w slots indexed by record number, over
 * [base, base + w): a flag per record, and for a record framed how far back
 * its message's first record is; so acknowledging a message takes no
 * search. The caller never takes a record w or more above base, and says
 * which record it took last (top): one above it, below base, or already
 * acknowledged is not in flight, and a broker's id for one is a duplicate
 * or a stray, ignored.
 *
 * Pure: no I/O.
 */
#ifndef RS_ACKS_H
#define RS_ACKS_H

#include <stddef.h>
#include <stdint.h>

struct rs_acks {
	uint32_t	 w;		/* slots */
	uint64_t	 base;		/* lowest record not yet acknowledged */
	uint32_t	 bslot;		/* base % w */
	uint64_t	 first;		/* first record of the last message begun */
	uint8_t		*acked;
	uint32_t	*back;		/* record - its message's first record */
};

int		 rs_acks_init(struct rs_acks *, uint32_t);
void		 rs_acks_free(struct rs_acks *);
int		 rs_acks_one(struct rs_acks *, uint64_t, uint64_t);
void		 rs_acks_framed(struct rs_acks *, uint64_t, int);
uint32_t	 rs_acks_message(struct rs_acks *, uint64_t, uint64_t, uint64_t *);
int		 rs_acks_pending(const struct rs_acks *, uint64_t, uint64_t);

#endif
