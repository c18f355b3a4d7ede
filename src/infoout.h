/*
 * infoout.h: what rstream-tail --info says about a stream, as a table for
 * people or one JSON object per stream, and the --max-lag / --max-idle
 * checks on those figures. Pure: no I/O; info.c gathers the figures.
 */
#ifndef RS_INFOOUT_H
#define RS_INFOOUT_H

#include <stddef.h>
#include <stdint.h>

#include "wire.h"

#define RS_EXIT_CHECK		3	/* --max-lag or --max-idle failed */
#define RS_INFO_HOST_MAX	280	/* "host:port" */
#define RS_INFO_REPLICAS	16

/* A named reader: the offset stored for it, if any. */
struct rs_info_reader {
	const char	*name;
	int		 has_offset;
	uint64_t	 offset;
};

/* A named publisher: the last publishing id stored for it (0: none). */
struct rs_info_publisher {
	const char	*name;
	uint64_t	 sequence;
};

/* Where one stream stands. */
struct rs_info {
	const char	*stream;
	char		 leader[RS_INFO_HOST_MAX];	/* "" when unknown */
	char		 replicas[RS_INFO_REPLICAS][RS_INFO_HOST_MAX];
	size_t		 nreplicas;
	int		 have_records;	/* 0: an empty stream, offsets null */
	uint64_t	 first_offset;	/* of the first record retained */
	uint64_t	 last_offset;	/* of the last record (no tracking entry) */
	int64_t		 first_timestamp;	/* ms, of the first chunk */
	int64_t		 last_timestamp;	/* ms, of the last chunk */
	struct rs_info_reader		*readers;
	size_t				 nreaders;
	struct rs_info_publisher	*publishers;
	size_t				 npublishers;
};

/* --max-lag and --max-idle, each off unless its have_ flag is set. */
struct rs_info_limits {
	int		 have_max_lag;
	uint64_t	 max_lag;
	const char	*max_lag_arg;	/* as given, for the message */
	int		 have_max_idle;
	uint64_t	 max_idle_ms;
	const char	*max_idle_arg;
};

int	rs_infoout_lag(const struct rs_info *, const struct rs_info_reader *,
	    uint64_t *);
void	rs_infoout_json(struct rs_buf *, const struct rs_info *);
void	rs_infoout_table(struct rs_buf *, const struct rs_info *);
void	rs_infoout_ago(char *, size_t, uint64_t);
int	rs_infoout_check(const struct rs_info *, const struct rs_info_limits *,
	    int64_t, const char *, struct rs_buf *);

#endif
