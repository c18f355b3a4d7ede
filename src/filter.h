/*
 * filter.h: stream filtering (RabbitMQ 3.13+; PROTOCOL.adoc v4.0.5
 * "Publish" version 2 and the Subscribe properties filter.N and
 * match-unfiltered). Pure: no I/O.
 *
 * A publisher gives each message a filter value (Publish v2); the broker
 * keeps a Bloom filter of the values of each chunk, and a subscription with
 * filter values skips the chunks whose filter cannot hold any of them. A
 * chunk that passes may still hold other records (the filter is per chunk
 * and has false positives), so the reader checks each record again: here,
 * by the value the record carries itself, the AMQP application property
 * x-stream-filter-value (rstream-cat writes it; AMQP 0-9-1 publishers set
 * it as a header), else the message annotation of that name (AMQP 1.0
 * publishers on RabbitMQ 4). A record without one passes only with
 * match-unfiltered.
 */
#ifndef RS_FILTER_H
#define RS_FILTER_H

#include <stddef.h>
#include <stdint.h>

#define RS_FILTER_PROPERTY	"x-stream-filter-value"
#define RS_FILTER_VALUES_MAX	32	/* --filter given this many times at most */
#define RS_FILTER_VALUE_MAX	255	/* bytes of one filter value */

struct rs_filter {
	const char	*values[RS_FILTER_VALUES_MAX];
	size_t		 nvalues;
	int		 match_unfiltered;
	/* The Subscribe properties: filter.0 .. filter.N-1, match-unfiltered. */
	char		 keys[RS_FILTER_VALUES_MAX][16];
	const char	*kv[2 * (RS_FILTER_VALUES_MAX + 1)];
};

int	rs_filter_add(struct rs_filter *, const char *);
size_t	rs_filter_properties(struct rs_filter *, const char *const **);
int	rs_filter_value(const uint8_t *, size_t, const uint8_t **, size_t *);
int	rs_filter_match(const struct rs_filter *, const uint8_t *, size_t);

#endif
