/*
 * super.h: rstream-cat --super-stream: publishing to a super stream (a
 * partitioned stream, RabbitMQ 3.11+), and creating (--create) or deleting
 * (--delete) one (CreateSuperStream, DeleteSuperStream: 3.13+).
 *
 * One process per partition: the router (this process) asks the broker for
 * the partitions (superadm.h) (Partitions, in the order it lists them), forks one
 * publisher per partition, each with the whole publisher of rstream-cat
 * (publisher.c: its own connection to its partition's leader, confirms,
 * reconnection, --resume), and hands each record to its partition's
 * publisher through a pipe, framed be32. A record's partition comes from its
 * routing key (route.h): hashed, or asked of the broker (Route, cached).
 *
 * Exactly once (-N NAME --resume): every partition has a publisher NAME;
 * the records a partition gets are numbered from 1 in the order the input
 * gives them, and that number is the publishing id. Routing is a function
 * of the record, so a re-run over the same input sends every partition the
 * same records in the same order, and each partition's publisher skips
 * those at or below the sequence the broker stored for NAME there.
 */
#ifndef RS_SUPER_H
#define RS_SUPER_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "conn.h"
#include "err.h"
#include "input.h"
#include "loop.h"
#include "publisher.h"
#include "source.h"
#include "superadm.h"

/* One partition's publisher: run in the forked process; returns its exit status. */
typedef int rs_super_publish_fn(const struct rs_publisher_cfg *, void *);

struct rs_super_cfg {
	struct rs_publisher_cfg	 pub;		/* stream: the super stream */
	int			 by_route;	/* Route, not hash */
	const char		*key_delim;	/* -K */
	size_t			 key_delim_len;
	const char		*key_field;	/* --key-field (-J) */
	uint32_t		 npartitions;	/* NAME-0 ... with keys 0 ... */
	char *const		*binding_keys;	/* or NAME-KEY with key KEY */
	size_t			 nbinding_keys;
	int			 delete;	/* DeleteSuperStream, nothing else */
	rs_super_publish_fn	*publish;
	void			*publish_ud;
};

struct rs_super_part {
	const char		*name;		/* the broker's (adm.parts[i]) */
	pid_t			 pid;
	int			 fd;		/* the pipe to its publisher */
	struct rs_buf		 out;		/* be32 records not yet written */
	struct rs_child		*child;
	int			 done;
	int			 status;	/* its exit status */
	uint64_t		 records;	/* routed to it */
};

struct rs_super {
	struct rs_super_cfg	 cfg;
	struct rs_loop		*loop;
	struct rs_superadm	 adm;		/* the broker's side */

	struct rs_super_part	*parts;
	size_t			 nparts;

	struct rs_input		 in;
	int			 in_ready;
	struct rs_source	 src;
	uint64_t		 routed;
	int			 child_status;	/* the first failed child's */
	int			 signo;		/* the signal that stopped the run */
	int			 broken;	/* a pipe broke: its publisher stopped */
	struct rs_err		 err;
};

int	rs_super_run(struct rs_super *, const struct rs_super_cfg *);
void	rs_super_free(struct rs_super *);

#endif
