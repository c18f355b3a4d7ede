/*
 * publisher.h: what rstream-cat does. Records framed from the input files
 * become messages published to a stream, in frames as full as the input
 * allows, each confirmed by the broker before the run counts it done.
 */
#ifndef RS_PUBLISHER_H
#define RS_PUBLISHER_H

#include <stddef.h>
#include <stdint.h>

#include "cluster.h"
#include "err.h"
#include "input.h"
#include "loop.h"
#include "uri.h"

struct rs_publisher_cfg {
	struct rs_uri		 uri;
	const char		*stream;
	char *const		*files;		/* NULL: stdin */
	size_t			 nfiles;
	int			 raw;		/* bare bytes, no AMQP 1.0 */
	int			 create;
	const char *const	*create_args;
	size_t			 ncreate;
	uint32_t		 max_in_flight;
	void			(*log)(const char *, void *);
	void			*log_ud;
};

struct rs_publisher {
	struct rs_publisher_cfg	 cfg;
	struct rs_loop		*loop;
	struct rs_cluster	 cluster;
	struct rs_conn		*conn;

	struct rs_input		 in;
	int			 in_ready;
	int			 fd;
	size_t			 file_idx;
	const char		*file_name;
	struct rs_io		*in_io;
	int			 paused;
	int			 file_eof;	/* the current file has ended */
	uint64_t		 file_base;	/* records before the current file */
	int			 input_done;

	uint64_t		 read;		/* records read; the last publishing id */
	uint64_t		 confirmed;
	uint64_t		 failed;
	uint64_t		 first_failed;
	uint16_t		 first_failed_code;
	uint64_t		 base;		/* lowest id not yet confirmed or failed */
	uint8_t			*acked;		/* ring over [base, base + max_in_flight) */
	uint32_t		 max_record;

	int			 closing;
	struct rs_err		 err;		/* why the run stopped early */
};

int	rs_publisher_run(struct rs_publisher *, const struct rs_publisher_cfg *,
	    struct rs_loop *);
void	rs_publisher_free(struct rs_publisher *);

#endif
