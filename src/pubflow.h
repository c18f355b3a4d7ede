/*
 * pubflow.h: the flow of records in rstream-cat's publisher: input read,
 * framed into Publish frames and sent within the in-flight bounds (or
 * printed by --dry-run), and the end of the run. publisher.c calls these;
 * they never call publisher.c. The publisher's state is here too, as both
 * files share it; publisher.h declares the run itself.
 */
#ifndef RS_PUBFLOW_H
#define RS_PUBFLOW_H

#include <stddef.h>
#include <stdint.h>

#include "acks.h"
#include "cluster.h"
#include "conn.h"
#include "err.h"
#include "input.h"
#include "jsonout.h"
#include "loop.h"
#include "message.h"
#include "outbox.h"
#include "source.h"
#include "uri.h"

#define RS_PUBFLOW_ID	0	/* the publisher id we declare on a connection */

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
	uint32_t		 max_in_flight;	/* records; 0: publisher.h's default */
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
	struct rs_sig_stop	*stop_sigs;
	int			 signo;		/* the signal that stopped the run */
	struct rs_err		 err;		/* why the run stopped early */
};

uint64_t rs_pubflow_read(const struct rs_publisher *);
uint64_t rs_pubflow_unconfirmed(const struct rs_publisher *);
void	rs_pubflow_start(struct rs_publisher *, struct rs_conn *);
void	rs_pubflow_resume(struct rs_publisher *);
int	rs_pubflow_send(struct rs_publisher *);
void	rs_pubflow_drop(struct rs_publisher *);
void	rs_pubflow_end(struct rs_publisher *);
void	rs_pubflow_finish(struct rs_publisher *);
void	rs_pubflow_stop(struct rs_publisher *);
void	rs_pubflow_linger_done(void *);
int	rs_pubflow_dry_run(struct rs_publisher *, int);

#endif
