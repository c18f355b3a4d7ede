/*
 * frame.h: encode the requests we send and decode the frames we receive
 * (PROTOCOL.adoc "Commands", at v3.10.8 for keys 0x01-0x19 and at HEAD for
 * the newer ones). Pure: no I/O. frame.c has the encoders, framedec.c the
 * decoders.
 *
 * Encoders append one whole frame, size prefix included, to an rs_buf.
 * rs_frame_decode() splits a frame (the bytes after its size prefix) into
 * key, version, correlation id and response code (the Route and Partitions
 * responses of brokers before 3.11.5 come without the response flag: their
 * key gets it, so they look like any other response); the per-command
 * decoders then read its body. Every slice they return points into the
 * frame and is valid as long as the frame's bytes are (for frames from
 * rs_reader: until the next call to rs_reader_next()). Every count is
 * checked against the bytes left before anything is read. A decoder reads what follows a
 * response's code: when the code is not RS_OK a broker may leave it out,
 * so look at the code first.
 *
 * Arrays are walked: begin() reads the count (checked against the smallest
 * item), next() one item, -1 once the frame runs short.
 */
#ifndef RS_FRAME_H
#define RS_FRAME_H

#include <stddef.h>
#include <stdint.h>

#include "proto.h"
#include "wire.h"

struct rs_frame {
	uint16_t	key;		/* with RS_RESPONSE for responses */
	uint16_t	version;
	int		has_corr;
	uint32_t	corr;
	uint16_t	code;		/* RS_OK when the frame has no code */
	struct rs_cur	body;		/* what follows the fields above */
};

/* A string slice: not NUL-terminated. */
struct rs_str {
	const char	*p;
	size_t		 len;
};

/* One stream's entry in a Metadata response, resolved against the broker table. */
#define RS_META_REPLICAS	16	/* replicas resolved to a host and port */

struct rs_stream_meta {
	uint16_t	code;
	int		has_leader;
	struct rs_str	leader_host;
	uint32_t	leader_port;
	uint32_t	nreplicas;
	int		self_is_member;	/* the node given to the decoder hosts a member */
	struct {
		struct rs_str	host;
		uint32_t	port;
	}		replica[RS_META_REPLICAS];
	uint32_t	nresolved;	/* replicas found in the broker table */
};

/* A Deliver frame, v1 or v2 (3.11+, once negotiated). */
struct rs_delivery {
	uint8_t		 subid;
	int		 has_committed;	/* v2: committed is set */
	uint64_t	 committed;	/* v2: id of the last committed chunk */
	const uint8_t	*chunk;
	size_t		 len;
};

/* Publish framing overheads. */
#define RS_PUBLISH_HEADER	13	/* size, key, version, publisher id, count */
#define RS_PUBLISH_PER_MSG	12	/* publishing id, entry size */
#define RS_PUBLISH_V2_PER_MSG	14	/* publishing id, filter length, entry size */

/* Encoders. kv arrays hold n key/value pairs as 2n strings. */
void	rs_frame_peer_properties(struct rs_buf *, uint32_t, const char *const *, size_t);
void	rs_frame_sasl_handshake(struct rs_buf *, uint32_t);
void	rs_frame_sasl_authenticate(struct rs_buf *, uint32_t, const char *,
	    const void *, size_t);
void	rs_frame_tune(struct rs_buf *, uint32_t, uint32_t);
void	rs_frame_open(struct rs_buf *, uint32_t, const char *);
void	rs_frame_close(struct rs_buf *, uint32_t, uint16_t, const char *);
void	rs_frame_close_response(struct rs_buf *, uint32_t, uint16_t);
void	rs_frame_heartbeat(struct rs_buf *);
void	rs_frame_create(struct rs_buf *, uint32_t, const char *,
	    const char *const *, size_t);
void	rs_frame_delete(struct rs_buf *, uint32_t, const char *);
void	rs_frame_metadata(struct rs_buf *, uint32_t, const char *const *, size_t);
void	rs_frame_declare_publisher(struct rs_buf *, uint32_t, uint8_t,
	    const char *, const char *);
void	rs_frame_query_publisher_sequence(struct rs_buf *, uint32_t,
	    const char *, const char *);
void	rs_frame_delete_publisher(struct rs_buf *, uint32_t, uint8_t);
void	rs_frame_subscribe(struct rs_buf *, uint32_t, uint8_t, const char *,
	    uint16_t, uint64_t, uint16_t, const char *const *, size_t);
void	rs_frame_unsubscribe(struct rs_buf *, uint32_t, uint8_t);
void	rs_frame_credit(struct rs_buf *, uint8_t, uint16_t);
void	rs_frame_store_offset(struct rs_buf *, const char *, const char *,
	    uint64_t);
void	rs_frame_query_offset(struct rs_buf *, uint32_t, const char *,
	    const char *);
void	rs_frame_route(struct rs_buf *, uint32_t, const char *, const char *);
void	rs_frame_partitions(struct rs_buf *, uint32_t, const char *);

/* Newer than 3.10.8: send only when the broker has them (rs_conn_has). */
void	rs_frame_consumer_update_response(struct rs_buf *, uint32_t, uint16_t,
	    uint16_t, uint64_t);
void	rs_frame_exchange_command_versions(struct rs_buf *, uint32_t,
	    const struct rs_command_version *, size_t);
void	rs_frame_stream_stats(struct rs_buf *, uint32_t, const char *);
void	rs_frame_create_super_stream(struct rs_buf *, uint32_t, const char *,
	    const char *const *, size_t, const char *const *, size_t,
	    const char *const *, size_t);
void	rs_frame_delete_super_stream(struct rs_buf *, uint32_t, const char *);
void	rs_frame_resolve_offset_spec(struct rs_buf *, uint32_t, const char *,
	    uint16_t, uint64_t, const char *const *, size_t);

/*
 * Publish v1, built in place: begin() writes the header and returns where
 * the frame starts; msg() writes a publishing id and a simple entry header
 * for len bytes which the caller then appends; end() patches size and count.
 */
size_t	rs_frame_publish_begin(struct rs_buf *, uint8_t);
void	rs_frame_publish_msg(struct rs_buf *, uint64_t, uint32_t);
void	rs_frame_publish_end(struct rs_buf *, size_t, uint32_t);

/*
 * Publish v2 (3.13+, filtering): the same, with a filter value (NULL: none)
 * before each message; end with rs_frame_publish_end().
 */
size_t	rs_frame_publish_v2_begin(struct rs_buf *, uint8_t);
void	rs_frame_publish_v2_msg(struct rs_buf *, uint64_t, const char *, size_t,
	    uint32_t);

/* Decoding: 0 on success, -1 with a message in err. */
int	rs_frame_decode(const uint8_t *, size_t, struct rs_frame *, char *, size_t);

int	rs_frame_tune_decode(const struct rs_frame *, uint32_t *, uint32_t *);
int	rs_frame_close_decode(const struct rs_frame *, struct rs_str *);
int	rs_frame_map_find(const struct rs_frame *, const char *, struct rs_str *);
int	rs_frame_mechanisms_has(const struct rs_frame *, const char *);
int	rs_frame_metadata_decode(const struct rs_frame *, const char *,
	    const char *, uint32_t, struct rs_stream_meta *);
int	rs_frame_metadata_update_decode(const struct rs_frame *, uint16_t *,
	    struct rs_str *);
int	rs_frame_publisher_sequence_decode(const struct rs_frame *, uint64_t *);
int	rs_frame_deliver_decode(const struct rs_frame *, uint8_t *,
	    const uint8_t **, size_t *);
int	rs_frame_delivery_decode(const struct rs_frame *, struct rs_delivery *);
int	rs_frame_credit_error_decode(const struct rs_frame *, uint8_t *);
int	rs_frame_query_offset_decode(const struct rs_frame *, uint64_t *);
int	rs_frame_sasl_challenge_decode(const struct rs_frame *, const uint8_t **,
	    size_t *);
int	rs_frame_consumer_update_decode(const struct rs_frame *, uint8_t *,
	    uint8_t *);
int	rs_frame_resolve_offset_spec_decode(const struct rs_frame *, uint16_t *,
	    uint64_t *);
int	rs_frame_stream_stats_find(const struct rs_frame *, const char *,
	    int64_t *);

/*
 * PublishConfirm and PublishError: begin() reads the publisher id and the
 * count, next() one publishing id (and, for errors, its code).
 */
int	rs_frame_ids_begin(const struct rs_frame *, struct rs_cur *, uint8_t *,
	    uint32_t *);
int	rs_frame_confirm_next(struct rs_cur *, uint64_t *);
int	rs_frame_error_next(struct rs_cur *, uint64_t *, uint16_t *);

/* Maps: PeerProperties and Open responses (an Open failure has none: n 0). */
int	rs_frame_map_begin(const struct rs_frame *, struct rs_cur *, uint32_t *);
int	rs_frame_map_next(struct rs_cur *, struct rs_str *, struct rs_str *);

/*
 * String arrays: SaslHandshake mechanisms, Partitions; Route, whose streams
 * are an array on the wire, or one string in the layout rabbit_stream_core
 * of 3.10/3.11 describes: route_begin() tells them apart by shape.
 */
int	rs_frame_strings_begin(const struct rs_frame *, struct rs_cur *,
	    uint32_t *);
int	rs_frame_route_begin(const struct rs_frame *, struct rs_cur *,
	    uint32_t *);
int	rs_frame_strings_next(struct rs_cur *, struct rs_str *);

/* ExchangeCommandVersions and StreamStats responses. */
int	rs_frame_command_versions_begin(const struct rs_frame *, struct rs_cur *,
	    uint32_t *);
int	rs_frame_command_versions_next(struct rs_cur *,
	    struct rs_command_version *);
int	rs_frame_stream_stats_begin(const struct rs_frame *, struct rs_cur *,
	    uint32_t *);
int	rs_frame_stream_stats_next(struct rs_cur *, struct rs_str *, int64_t *);

#endif
