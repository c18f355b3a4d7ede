/*
 * superadm.h: rstream-cat --super-stream's side of the broker: one
 * connection to a seed, over which the super stream is created
 * (CreateSuperStream), deleted (DeleteSuperStream), its partitions listed
 * (Partitions) and, with --routing key, a key's partitions asked (Route,
 * each key once: cached). Every step waits for its reply, running the loop
 * meanwhile: the router (super.c) has nothing else to do until it is
 * answered.
 *
 * Failures go into the run's struct rs_err (the first one stays; a seed
 * that does not answer gives way to the next, and its error with it). The
 * partitions' names stay here, owned, for Route's answers to be matched
 * against; the router reads them.
 */
#ifndef RS_SUPERADM_H
#define RS_SUPERADM_H

#include <stddef.h>
#include <stdint.h>

#include "cluster.h"
#include "conn.h"
#include "err.h"
#include "loop.h"
#include "partition.h"

/* What --create makes: NAME-0 ... (keys 0 ...), or NAME-KEY (key KEY). */
struct rs_superadm_create {
	uint32_t		 npartitions;
	char *const		*binding_keys;
	size_t			 nbinding_keys;
	const char *const	*args;		/* the partitions' arguments */
	size_t			 nargs;
};

struct rs_route_entry;

struct rs_superadm {
	struct rs_loop		*loop;
	const struct rs_connect	*cc;
	const char		*super;		/* the super stream */
	void			(*log)(const char *, void *);	/* -v */
	void			*log_ud;
	struct rs_err		*err;		/* the run's */

	struct rs_conn		*conn;
	int			 waiting;	/* for a reply or the handshake */
	int			 dead;		/* the connection failed */
	uint16_t		 code;		/* of the last reply */
	uint32_t		 frame_max;
	struct rs_partition_req	 req;

	char			**parts;	/* Partitions' answer */
	size_t			 nparts;
	struct rs_route_entry	**cache;	/* --routing key: Route's answers */
	uint32_t		*route;		/* one answer's partitions */
	size_t			 nroute;
};

void	rs_superadm_init(struct rs_superadm *, struct rs_loop *,
	    const struct rs_connect *, const char *,
	    void (*)(const char *, void *), void *, struct rs_err *);
int	rs_superadm_connect(struct rs_superadm *);
void	rs_superadm_disconnect(struct rs_superadm *);
int	rs_superadm_delete(struct rs_superadm *);
int	rs_superadm_create(struct rs_superadm *,
	    const struct rs_superadm_create *);
int	rs_superadm_partitions(struct rs_superadm *);
int	rs_superadm_route(struct rs_superadm *, const char *, size_t,
	    const uint32_t **, size_t *);
void	rs_superadm_idle(struct rs_superadm *);
void	rs_superadm_free(struct rs_superadm *);

#endif
