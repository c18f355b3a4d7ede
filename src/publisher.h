/*
 * publisher.h: what rstream-cat does. Records framed from the input files
 * become messages published to a stream, in frames as full as the input
 * allows, each confirmed by the broker before the run counts it done.
 * The structs, shared with the flow of records (pubflow.c), are in
 * pubflow.h, which publisher.c calls and which never calls it back.
 */
#ifndef RS_PUBLISHER_H
#define RS_PUBLISHER_H

#include <stdint.h>

#include "loop.h"
#include "pubflow.h"	/* struct rs_publisher_cfg, struct rs_publisher */

/*
 * Unconfirmed records before reading pauses, by default. From make bench's
 * sweep on RabbitMQ 3.10.8 (bench/README.md): 2000 publishes 30-40% faster
 * than 1000 and costs the broker the least CPU per message; more buys no
 * speed and costs the broker more.
 */
#define RS_PUBLISHER_IN_FLIGHT	2000
/*
 * The same with --sub-entry-size 2 or more: 2000 records are only 20
 * batches of 100, and the window, not the broker, then bounds the rate
 * (records in flight / round trip). 10,000 (the Java client's default
 * maxUnconfirmedMessages, which also counts batched records one by one)
 * let rstream-cat | rstream-tail move 5,000,000 100-byte records in
 * batches of 100 end to end 1.3-1.6 times as fast as 2000 on RabbitMQ
 * 3.10.8, as it did the raw reference pair (bench/README.md); the broker
 * spends no more CPU per record, as it is paid per batch.
 */
#define RS_PUBLISHER_BATCH_IN_FLIGHT	10000

int	rs_publisher_run(struct rs_publisher *, const struct rs_publisher_cfg *,
	    struct rs_loop *);
int	rs_publisher_dry_run(struct rs_publisher *,
	    const struct rs_publisher_cfg *, struct rs_loop *, int);
void	rs_publisher_free(struct rs_publisher *);
uint64_t rs_publisher_read(const struct rs_publisher *);
uint64_t rs_publisher_unconfirmed(const struct rs_publisher *);

#endif
