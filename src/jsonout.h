/*
 * jsonout.h: a record as a line of JSON (see jsonout.c for the form).
 * Pure: appends to a buffer.
 */
#ifndef RS_JSONOUT_H
#define RS_JSONOUT_H

#include <stddef.h>
#include <stdint.h>

#include "wire.h"

struct rs_record_meta {
	const char	*stream;
	uint64_t	 offset;	/* or the record number */
	int64_t		 timestamp;	/* ms since the epoch (chunk time) */
	int		 is_record;	/* rstream-cat --dry-run: "record" */
};

void	rs_jsonout_record(struct rs_buf *, const struct rs_record_meta *,
	    const uint8_t *, size_t);

#endif
