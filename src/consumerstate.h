/*
 * consumerstate.h: the state of one consumer (rstream-tail reading one
 * stream), shared by the files that make up the consumer: its
 * configuration, what a group of consumers shares (multi.c), and the
 * fields each file works on, with the subscription ids a consumer uses.
 * Only the definitions: consumer.h says what a consumer does, and each
 * file's header what it offers the others (consumer.c's design note lists
 * them, and which may call which). A header of its own, below them all, so
 * that each may include it without including the file that calls it.
 */
#ifndef RS_CONSUMERSTATE_H
#define RS_CONSUMERSTATE_H

#include <stddef.h>
#include <stdint.h>

#include "cluster.h"
#include "err.h"
#include "loop.h"
#include "chunk.h"
#include "filter.h"
#include "format.h"
#include "jsonout.h"
#include "output.h"
#include "runner.h"
#include "spec.h"
#include "uri.h"

/*
 * What rstream-tail's --progress line shows, kept up to date by the
 * consumer when cfg.tally is set (the main's timer reads it).
 */
struct rs_consumer_tally {
	uint64_t		 records;	/* written (or run through COMMAND) */
	uint64_t		 bytes;		/* written to the output */
	int			 subscribed;	/* start and end below are known */
	uint64_t		 start;		/* the first offset asked for */
	int			 have_end;
	uint64_t		 end;		/* the last offset when the run started */
	int			 have_last;
	uint64_t		 last;		/* offset of the last record written */
};

struct rs_consumer;

/*
 * Several consumers in one run (multi.c): what they share. NULL in
 * rs_consumer_cfg.group for a run of one stream.
 */
struct rs_consumer_group {
	uint64_t		 printed;	/* records written, all streams */
	const struct rs_consumer *last;		/* whose record was written last */
	int			 headers;	/* "==> STREAM <==" between runs */
	int			 nheaders;	/* headers written so far */
	struct rs_buf		 out;		/* the output buffer, lent to each in turn */
	/* finish() began (count reached, output closed, error, end). */
	void			(*finishing)(struct rs_consumer *, void *);
	/* The consumer is over: called instead of ending the loop. */
	void			(*stopped)(struct rs_consumer *, void *);
	/*
	 * Optional: share connections. attach() takes the connection a
	 * consumer has located and sets its conn (that one or a shared one
	 * to the same node) and sub_base; 0, or -1. detach() leaves it.
	 */
	int			(*attach)(struct rs_consumer *, struct rs_conn *,
				    void *);
	void			(*detach)(struct rs_consumer *, void *);
	/* Optional: a connection to locate the stream over, or NULL. */
	struct rs_conn		*(*via)(struct rs_consumer *, void *);
	void			*ud;
};

struct rs_consumer_cfg {
	struct rs_connect	 conn;		/* -u, --timeout, --retry-for, ... */
	const char		*stream;
	struct rs_offset_spec	 start;		/* -o, --since */
	int			 have_start;
	int64_t			 lines;		/* -n: start this many before the end; -1: not given */
	int			 follow;	/* -f */
	int			 retry;		/* -F: wait for the stream, reconnect */
	uint64_t		 count;		/* -c; 0: no limit */
	int64_t			 until;		/* --until (ms) */
	int			 have_until;
	const char		*name;		/* -N: a named reader */
	int			 reset;		/* --reset: ignore the stored offset */
	int			 no_store;	/* --no-store */
	uint64_t		 store_every;	/* records between stores */
	double			 store_interval; /* seconds between stores */
	int			 line_buffered;	/* write each record at once */
	int			 no_crc;	/* skip the chunk CRC check */
	char *const		*argv;		/* -- COMMAND ARGS: run per record */
	int			 on_error_skip;	/* a failed COMMAND: go on */
	int			 out_fd;
	struct rs_output	 output;
	int			 json;		/* -J: JSON lines */
	const struct rs_format	*format;	/* --format */
	struct rs_consumer_tally *tally;	/* --progress; NULL: none kept */
	struct rs_filter	*filter;	/* --filter; NULL: every record */
	int			 single_active;	/* --single-active: one reader of name at a time */
	const char		*super;		/* the super stream of a partition (single_active) */
	void			(*log)(const char *, void *);	/* -v */
	void			(*warn)(const char *, void *);	/* always */
	void			*log_ud;
	struct rs_consumer_group *group;	/* several streams; NULL: one */
};

#define RS_CMD_ENV_MAX	64	/* variables given to a command */

/*
 * A chunk seen, by what tells it from any other chunk at the same offset:
 * a stream deleted and made again under the same name restarts its
 * offsets, and only the chunk's timestamp and CRC tell the two apart.
 */
struct rs_chunk_mark {
	int			 valid;
	uint64_t		 first_offset;
	int64_t			 timestamp;
	uint32_t		 crc;
};

struct rs_consumer {
	struct rs_consumer_cfg	 cfg;
	struct rs_loop		*loop;
	struct rs_cluster	 cluster;
	struct rs_conn		*conn;
	uint8_t			 sub_base;	/* first subscription id (shared conn) */
	struct rs_io		*out_watch;
	struct rs_timer		*store_timer;
	struct rs_timer		*retry_timer;
	struct rs_sig_stop	*stop_sigs;	/* standalone only */
	struct rs_buf		 out;
	struct rs_chunk_scratch	 scratch;	/* compressed batches, one at a time */

	/* -- COMMAND: the chunk being worked through, one record at a time. */
	struct rs_runner	 runner;
	struct rs_buf		 cmd_chunk;	/* a copy: the read buffer moves on */
	struct rs_chunk		 cmd_ch;
	int			 cmd_busy;	/* a chunk is in progress */
	uint64_t		 cmd_off;	/* the record the command runs for */
	struct rs_buf		 cmd_body;
	struct rs_buf		 cmd_envbuf;	/* NAME=VALUE\0 ... */
	char			*cmd_envp[RS_CMD_ENV_MAX + 1];

	/* One connection's worth of state (reset for each -F attempt). */
	int			 have_end;	/* the snapshot found a last chunk */
	uint64_t		 end;		/* offset of the last record at start */
	int64_t			 end_ts;	/* timestamp of the last chunk */
	int			 have_first;	/* the probe found a first chunk */
	uint64_t		 first;		/* offset of the first record retained */
	int			 has_stored;	/* QueryOffset found one */
	uint64_t		 stored;
	uint64_t		 start;		/* first offset to print */
	int			 exact;		/* start was asked for exactly: warn of gaps */
	int			 subscribed;
	uint16_t		 credit_owed;	/* chunks done, not yet credited */
	/* --filter without -f: the end is where the broker has no more to send. */
	uint64_t		 granted;	/* credit given, in chunks */
	uint64_t		 chunks_in;	/* chunks received; -v tells */
	uint64_t		 bytes_in;
	uint64_t		 fb_sent;	/* filter barriers sent, answered */
	uint64_t		 fb_answered;
	uint64_t		 fb_granted;	/* granted when the last was sent */
	int			 probing_first;	/* a subscription at "first" is out */
	int			 active;	/* --single-active: told to be the active one */
	uint32_t		 cu_corr;	/* the ConsumerUpdate being answered */
	int			 cu_owed;	/* stepping down: after the command running */
	int			 counting;	/* -n: reading back, on SUB_FIRST */
	int			 counted;	/* -n: start at count_lo, skip count_skip */
	uint64_t		 count_lo;	/* -n: the stretch read back */
	uint64_t		 count_hi;
	uint64_t		 count_have;	/* records in [count_lo, end] */
	uint64_t		 count_step;	/* the stretch's size */
	uint64_t		 count_skip;
	uint64_t		 skip;		/* records at start to drop */
	int			 done;
	int			 final_tries;

	/* Across attempts. */
	uint64_t		 printed;
	int			 have_written;
	uint64_t		 last_written;	/* offset of the last record written */
	struct rs_chunk_mark	 mark;		/* the chunk that record came in */
	int			 verifying;	/* resumed: is the first chunk that one? */
	int			 have_store;
	uint64_t		 last_store;	/* the offset last stored */
	uint64_t		 since_store;	/* records written since */
	int			 out_closed;	/* stdout went away: a quiet end */
	int			 signo;
	int			 attempts;
	int			 was_missing;	/* -F: the stream did not exist */
	int			 connected;	/* a subscription was made once */
	double			 down_since;
	int			 stopped;
	struct rs_err		 err;
};

/*
 * The subscription ids of a consumer: the records (main), the end of the
 * stream (snap, at "last") and where retention starts it (first, at
 * "first"; also the stretch read back for -n). On the wire, an id adds
 * sub_base: a consumer sharing a connection (multipool.c) has its own three.
 */
#define RS_CONSUMER_SUB_IDS	3	/* subscription ids a consumer uses */
#define RS_SUB_MAIN		0
#define RS_SUB_SNAP		1	/* at "last": the end of the stream */
#define RS_SUB_FIRST		2	/* at "first": where retention starts it */
#define RS_SUB(k, s)		((uint8_t)((k)->sub_base + (s)))

#endif
