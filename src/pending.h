/*
 * pending.h: the requests a connection has sent and awaits replies to,
 * keyed by correlation id (PROTOCOL.adoc "Frame structure": a response
 * carries its request's correlation id). No I/O: conn.c registers each
 * request here and takes its entry back when the reply comes.
 */
#ifndef RS_PENDING_H
#define RS_PENDING_H

#include <stddef.h>
#include <stdint.h>

struct rs_conn;
struct rs_frame;

/*
 * A reply callback for rs_conn_corr(). NULL: a reply nobody reads (an
 * Unsubscribe's), still awaited under the reply timeout, then dropped.
 */
typedef void rs_reply_fn(struct rs_conn *, const struct rs_frame *, void *);

struct rs_pending_entry {
	uint32_t	 corr;
	rs_reply_fn	*fn;		/* NULL: nobody reads it, or forgotten */
	void		*priv;
	double		 sent;
};

struct rs_pending {
	uint32_t		 next_corr;
	struct rs_pending_entry	*v;
	size_t			 n;
	size_t			 cap;
};

void		 rs_pending_init(struct rs_pending *);
void		 rs_pending_free(struct rs_pending *);
uint32_t	 rs_pending_add(struct rs_pending *, rs_reply_fn *, void *,
		    double);
int		 rs_pending_take(struct rs_pending *, uint32_t,
		    struct rs_pending_entry *);
void		 rs_pending_forget(struct rs_pending *, void *);
double		 rs_pending_oldest(const struct rs_pending *);

#endif
