/*
 * cluster.h: which node to talk to for a stream. Connects to the first seed
 * that answers, optionally creates the stream, asks Metadata where the
 * stream lives and hands back a ready connection to the right node: the
 * leader for publishing; for consuming a replica when there is one, else
 * the leader. no_locate keeps to the seed; load_balancer makes every
 * connection through the seed's address (a load balancer) until one lands
 * on the node wanted.
 */
#ifndef RS_CLUSTER_H
#define RS_CLUSTER_H

#include <stddef.h>

#include "conn.h"
#include "err.h"
#include "frame.h"

typedef void rs_locate_fn(struct rs_conn *, const struct rs_err *, void *);

/* How to reach the broker: what both tools' connection options set. */
struct rs_connect {
	const struct rs_uri	*uris;		/* the seeds */
	size_t			 nuris;
	int			 no_locate;	/* keep to the seed */
	int			 load_balancer;	/* the seed is a load balancer */
	double			 timeout;	/* connect, handshake, replies (s); 0: 30 */
	unsigned		 heartbeat;	/* seconds to ask for; 0: 60 */
	double			 retry_for;	/* keep reconnecting this long (s) */
	struct rs_tls		*tls;		/* for rabbitmq-stream+tls seeds */
	enum rs_sasl		 sasl;		/* PLAIN or EXTERNAL */
};

#define RS_CLUSTER_TRIES	5	/* connections until the advertised node is the one asked for */
#define RS_CLUSTER_LB_TRIES	20	/* the same through a load balancer (rstream's max_retries) */
#define RS_CLUSTER_LB_DELAY	0.1	/* s before the second such try; doubles, jittered */
#define RS_CLUSTER_LB_DELAY_MAX	1.0	/* s, the longest wait between two */

/* A node by the name and port it advertises. */
struct rs_cluster_node {
	char			 host[256];
	unsigned		 port;
};

struct rs_cluster {
	struct rs_loop		*loop;
	struct rs_connect	 conn;
	const char		*stream;	/* NULL: hand back the seed */
	int			 want_leader;
	int			 create;
	const char *const	*create_args;	/* key/value pairs */
	size_t			 ncreate;
	rs_locate_fn		*done;
	void			*ud;
	void			(*log)(const char *, void *);
	const char		*name;		/* connection_name for the broker */
	struct rs_conn		*via;		/* ask over this one, not a seed's */

	size_t			 next_seed;
	struct rs_conn		*seed;
	struct rs_conn		*target;
	struct rs_cluster_node	 dial;		/* the node to connect to */
	struct rs_cluster_node	 leader;
	struct rs_cluster_node	 want[RS_META_REPLICAS + 1];	/* any will do */
	size_t			 nwant;
	struct rs_timer		*lb_timer;	/* the wait before the next try */
	int			 tries;
	struct rs_err		 err;
	int			 finished;
	int			 missing;	/* Metadata said: no such stream */
};

void	rs_cluster_open(struct rs_cluster *);
void	rs_cluster_free(struct rs_cluster *);

#endif
