/*
 * publisher.h: what rstream-cat does. Records framed from the input files
 * become messages published to a stream, in frames as full as the input
 * allows, each confirmed by the broker before the run counts it done.
 */
#ifndef RS_PUBLISHER_H
#define RS_PUBLISHER_H

#include <stddef.h>
#include <stdint.h>

#include "acks.h"
#include "cluster.h"
#include "err.h"
#include "input.h"
#include "loop.h"
#include "jsonout.h"
#include "message.h"
#include "outbox.h"
#include "source.h"

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
#include "uri.h"

struct rs_publisher_cfg {
	struct rs_connect	 conn;		/* -u, --timeout, --retry-for, ... */
	const char		*stream;
	char *const		*files;		/* NULL: stdin */
	size_t			 nfiles;
	enum rs_input_framing	 framing;
	const char		*delim;
	size_t			 delim_len;
	int			 skip_empty;
	int			 oversize_skip;	/* warn and go on, not exit 65 */
	struct rs_message_cfg	 msg;		/* what a record becomes */
	int			 create;
	const char *const	*create_args;
	size_t			 ncreate;
	uint32_t		 max_in_flight;	/* records; 0: the default above */
	uint32_t		 sub_entry;	/* records per message; 0, 1: no batches */
	enum rs_codec		 codec;		/* of the batches */
	double			 linger;	/* seconds to wait for fuller frames */
	double			 confirm_timeout;
	const char		*name;		/* -N: publisher reference */
	int			 resume;	/* publishing id = record number */
	uint64_t		 count;		/* publish at most this many; 0: all */
	void			(*log)(const char *, void *);	/* -v */
	void			(*warn)(const char *, void *);	/* always */
	void			*log_ud;
};

struct rs_publisher {
	struct rs_publisher_cfg	 cfg;
	struct rs_loop		*loop;
	struct rs_cluster	 cluster;
	struct rs_conn		*conn;

	struct rs_message	 msg;
	struct rs_input		 in;
	int			 in_ready;
	struct rs_source	 src;
	int			 paused;
	int			 input_done;
	int			 closing;
	int			 lingering;

	/* Records are numbered from 1 across the inputs (in.recno). */
	uint64_t		 published;	/* sent to the broker */
	uint64_t		 confirmed;
	uint64_t		 failed;
	uint64_t		 skipped;	/* empty (--skip-empty) or oversize */
	uint64_t		 present;	/* --resume: already in the stream */
	uint64_t		 first_failed;
	uint16_t		 first_failed_code;
	struct rs_acks		 acks;		/* acks.base: lowest not acknowledged */
	uint64_t		 id_offset;	/* publishing id = record + id_offset */
	uint64_t		 stored;	/* QueryPublisherSequence: last id stored */
	uint32_t		 max_record;

	/*
	 * Publish frames, written once: sent from here and kept until
	 * acknowledged, for a new connection to send again.
	 */
	struct rs_outbox	 ob;
	int			 ob_ready;
	int			 recovering;	/* between connections */
	double			 down_since;
	int			 attempts;
	int			 warned_dup;
	struct rs_timer		*retry_timer;

	int			 dry_run;	/* print, do not connect */
	struct rs_buf		 dry;		/* one message */
	struct rs_buf		 dry_out;	/* JSON lines for stdout */

	struct rs_timer		*linger_timer;
	struct rs_timer		*confirm_timer;
	struct rs_sig		*sigs[3];
	int			 signo;		/* the signal that stopped the run */
	struct rs_err		 err;		/* why the run stopped early */
};

int	rs_publisher_run(struct rs_publisher *, const struct rs_publisher_cfg *,
	    struct rs_loop *);
int	rs_publisher_dry_run(struct rs_publisher *,
	    const struct rs_publisher_cfg *, struct rs_loop *, int);
void	rs_publisher_free(struct rs_publisher *);
uint64_t rs_publisher_read(const struct rs_publisher *);
uint64_t rs_publisher_unconfirmed(const struct rs_publisher *);

#endif
