/*
 * partition.h: asking a broker for a super stream's partitions
 * (Partitions, RabbitMQ 3.11+) or for the partitions a routing key goes to
 * (Route), over a connection already open. The one piece of code that asks
 * and decodes both, for rstream-cat --super-stream (superadm.c) and
 * rstream-tail --super-stream (multi.c).
 *
 * The caller keeps a struct rs_partition_req (its callback and its ud)
 * alive until the reply comes; several requests may share one. The reply
 * arrives decoded: the response code and, on RS_OK, the stream names in
 * the broker's order (at most RS_PARTITION_MAX, none NULL; for Partitions
 * none empty), or bad set when they did not decode. What each caller makes
 * of a code (its message, its exit status) stays the caller's.
 */
#ifndef RS_PARTITION_H
#define RS_PARTITION_H

#include <stddef.h>
#include <stdint.h>

#include "conn.h"

#define RS_PARTITION_MAX	65536	/* names in one reply, at the most */

struct rs_partition_reply {
	uint16_t	 code;		/* the broker's response code */
	int		 bad;		/* RS_OK, but malformed (or out of memory) */
	char		**names;	/* RS_OK and not bad: the streams */
	size_t		 n;
};

/*
 * The reply, with the connection it came on. The callback may take a name
 * (and set names[i] to NULL); the rest is freed once it returns.
 */
typedef void rs_partition_fn(struct rs_conn *, struct rs_partition_reply *,
    void *);

struct rs_partition_req {
	rs_partition_fn	*done;
	void		*ud;
};

void	rs_partition_ask(struct rs_conn *, struct rs_partition_req *,
	    const char *);
void	rs_partition_route(struct rs_conn *, struct rs_partition_req *,
	    const char *, const char *);

#endif
