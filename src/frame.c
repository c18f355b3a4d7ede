/*
 * frame.c: every client-to-server frame of PROTOCOL.adoc (section "Commands";
 * v3.10.8 for keys 0x01-0x19, HEAD for the newer ones). framedec.c decodes
 * what the server sends.
 *
 * Known to 3.10.8: DeclarePublisher, Publish (v1), QueryPublisherSequence,
 * DeletePublisher, Subscribe, Credit, StoreOffset, QueryOffset, Unsubscribe,
 * Create, Delete, Metadata, PeerProperties, SaslHandshake, SaslAuthenticate,
 * Tune (our reply), Open, Close and its response, Heartbeat, Route,
 * Partitions. Newer: the ConsumerUpdate reply (3.11), ExchangeCommandVersions
 * (3.11), StreamStats (3.11), Publish v2 (3.13), CreateSuperStream and
 * DeleteSuperStream (3.13), ResolveOffsetSpec (4.3.0). A 3.10.8 broker
 * closes the connection on any of those: conn.c decides when they may go.
 *
 * Frames without a correlation id: Publish, Credit, StoreOffset, Tune,
 * Heartbeat. An offset specification carries its u64 value only for types
 * 4 (offset) and 5 (timestamp).
 */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include "frame.h"
#include "proto.h"

/* Start a frame: size placeholder, key, version; where it starts. */
static size_t
begin_v(struct rs_buf *b, uint16_t key, uint16_t version)
{
	size_t	 start = b->len;

	rs_buf_u32(b, 0);
	rs_buf_u16(b, key);
	rs_buf_u16(b, version);
	return start;
}

/* Start a version 1 frame; where it starts. */
static size_t
begin(struct rs_buf *b, uint16_t key)
{
	return begin_v(b, key, 1);
}

/* Patch the size of the frame that starts at start. */
static void
end(struct rs_buf *b, size_t start)
{
	if (b->oom)
		return;
	rs_wire_w32(b->data + start, (uint32_t)(b->len - start - 4));
}

/* An array of n key/value string pairs, given as 2n strings. */
static void
put_map(struct rs_buf *b, const char *const *kv, size_t n)
{
	size_t	 i;

	rs_buf_u32(b, (uint32_t)n);
	for (i = 0; i < 2 * n; i++)
		rs_buf_str(b, kv[i]);
}

/* An array of n strings. */
static void
put_strings(struct rs_buf *b, const char *const *s, size_t n)
{
	size_t	 i;

	rs_buf_u32(b, (uint32_t)n);
	for (i = 0; i < n; i++)
		rs_buf_str(b, s[i]);
}

/* An offset specification: type, and a value for types 4 and 5 only. */
static void
put_offset_spec(struct rs_buf *b, uint16_t type, uint64_t value)
{
	rs_buf_u16(b, type);
	if (type == RS_OFFSET_OFFSET || type == RS_OFFSET_TIMESTAMP)
		rs_buf_u64(b, value);
}

/* PeerProperties: our properties, n key/value pairs. */
void
rs_frame_peer_properties(struct rs_buf *b, uint32_t corr, const char *const *kv,
    size_t n)
{
	size_t	 s = begin(b, RS_PEER_PROPERTIES);

	rs_buf_u32(b, corr);
	put_map(b, kv, n);
	end(b, s);
}

/*
 * SaslHandshake: ask for the mechanisms (no body: the Mechanism field of the
 * 3.10.8 spec is sent by no client and gone from the HEAD spec).
 */
void
rs_frame_sasl_handshake(struct rs_buf *b, uint32_t corr)
{
	size_t	 s = begin(b, RS_SASL_HANDSHAKE);

	rs_buf_u32(b, corr);
	end(b, s);
}

/* SaslAuthenticate: a mechanism and its opaque response bytes. */
void
rs_frame_sasl_authenticate(struct rs_buf *b, uint32_t corr, const char *mech,
    const void *data, size_t len)
{
	size_t	 s = begin(b, RS_SASL_AUTHENTICATE);

	rs_buf_u32(b, corr);
	rs_buf_str(b, mech);
	rs_buf_bytes(b, data, len);
	end(b, s);
}

/* Tune: our answer to the server's Tune (no correlation id). */
void
rs_frame_tune(struct rs_buf *b, uint32_t frame_max, uint32_t heartbeat)
{
	size_t	 s = begin(b, RS_TUNE);

	rs_buf_u32(b, frame_max);
	rs_buf_u32(b, heartbeat);
	end(b, s);
}

/* Open: the virtual host. */
void
rs_frame_open(struct rs_buf *b, uint32_t corr, const char *vhost)
{
	size_t	 s = begin(b, RS_OPEN);

	rs_buf_u32(b, corr);
	rs_buf_str(b, vhost);
	end(b, s);
}

/* Close: a code and a reason. */
void
rs_frame_close(struct rs_buf *b, uint32_t corr, uint16_t code, const char *reason)
{
	size_t	 s = begin(b, RS_CLOSE);

	rs_buf_u32(b, corr);
	rs_buf_u16(b, code);
	rs_buf_str(b, reason);
	end(b, s);
}

/* The response to a server's Close. */
void
rs_frame_close_response(struct rs_buf *b, uint32_t corr, uint16_t code)
{
	size_t	 s = begin(b, RS_CLOSE | RS_RESPONSE);

	rs_buf_u32(b, corr);
	rs_buf_u16(b, code);
	end(b, s);
}

/* Heartbeat: no body. */
void
rs_frame_heartbeat(struct rs_buf *b)
{
	end(b, begin(b, RS_HEARTBEAT));
}

/* Create: a stream and its arguments, n key/value pairs. */
void
rs_frame_create(struct rs_buf *b, uint32_t corr, const char *stream,
    const char *const *kv, size_t n)
{
	size_t	 s = begin(b, RS_CREATE);

	rs_buf_u32(b, corr);
	rs_buf_str(b, stream);
	put_map(b, kv, n);
	end(b, s);
}

/* Delete: a stream. */
void
rs_frame_delete(struct rs_buf *b, uint32_t corr, const char *stream)
{
	size_t	 s = begin(b, RS_DELETE);

	rs_buf_u32(b, corr);
	rs_buf_str(b, stream);
	end(b, s);
}

/* Metadata: n streams. */
void
rs_frame_metadata(struct rs_buf *b, uint32_t corr, const char *const *streams,
    size_t n)
{
	size_t	 s = begin(b, RS_METADATA);

	rs_buf_u32(b, corr);
	put_strings(b, streams, n);
	end(b, s);
}

/* DeclarePublisher: id, reference (NULL: no deduplication), stream. */
void
rs_frame_declare_publisher(struct rs_buf *b, uint32_t corr, uint8_t id,
    const char *ref, const char *stream)
{
	size_t	 s = begin(b, RS_DECLARE_PUBLISHER);

	rs_buf_u32(b, corr);
	rs_buf_u8(b, id);
	rs_buf_str(b, ref);
	rs_buf_str(b, stream);
	end(b, s);
}

/* QueryPublisherSequence: reference and stream. */
void
rs_frame_query_publisher_sequence(struct rs_buf *b, uint32_t corr,
    const char *ref, const char *stream)
{
	size_t	 s = begin(b, RS_QUERY_PUBLISHER_SEQUENCE);

	rs_buf_u32(b, corr);
	rs_buf_str(b, ref);
	rs_buf_str(b, stream);
	end(b, s);
}

/* DeletePublisher: a publisher id. */
void
rs_frame_delete_publisher(struct rs_buf *b, uint32_t corr, uint8_t id)
{
	size_t	 s = begin(b, RS_DELETE_PUBLISHER);

	rs_buf_u32(b, corr);
	rs_buf_u8(b, id);
	end(b, s);
}

/*
 * Subscribe: id, stream, offset specification, credit, and properties (n
 * pairs; the array is left out when n is 0, which every broker accepts).
 */
void
rs_frame_subscribe(struct rs_buf *b, uint32_t corr, uint8_t id,
    const char *stream, uint16_t type, uint64_t offset, uint16_t credit,
    const char *const *kv, size_t n)
{
	size_t	 s = begin(b, RS_SUBSCRIBE);

	rs_buf_u32(b, corr);
	rs_buf_u8(b, id);
	rs_buf_str(b, stream);
	put_offset_spec(b, type, offset);
	rs_buf_u16(b, credit);
	if (n > 0)
		put_map(b, kv, n);
	end(b, s);
}

/* Unsubscribe: a subscription id. */
void
rs_frame_unsubscribe(struct rs_buf *b, uint32_t corr, uint8_t id)
{
	size_t	 s = begin(b, RS_UNSUBSCRIBE);

	rs_buf_u32(b, corr);
	rs_buf_u8(b, id);
	end(b, s);
}

/* Credit: more chunks for a subscription (no correlation id). */
void
rs_frame_credit(struct rs_buf *b, uint8_t id, uint16_t credit)
{
	size_t	 s = begin(b, RS_CREDIT);

	rs_buf_u8(b, id);
	rs_buf_u16(b, credit);
	end(b, s);
}

/* Publish v1: the header with a count to patch; where the frame starts. */
size_t
rs_frame_publish_begin(struct rs_buf *b, uint8_t id)
{
	size_t	 s = begin(b, RS_PUBLISH);

	rs_buf_u8(b, id);
	rs_buf_u32(b, 0);
	return s;
}

/*
 * One Publish v1 message: publishing id and simple entry size; the caller
 * appends the len bytes.
 */
void
rs_frame_publish_msg(struct rs_buf *b, uint64_t id, uint32_t len)
{
	rs_buf_u64(b, id);
	rs_buf_u32(b, len & 0x7fffffff);
}

/* Patch the count and size of a Publish (v1 or v2) that starts at start. */
void
rs_frame_publish_end(struct rs_buf *b, size_t start, uint32_t count)
{
	if (b->oom)
		return;
	rs_wire_w32(b->data + start + 9, count);
	end(b, start);
}


/* StoreOffset: reference, stream, offset (no correlation id, no reply). */
void
rs_frame_store_offset(struct rs_buf *b, const char *ref, const char *stream,
    uint64_t offset)
{
	size_t	 s = begin(b, RS_STORE_OFFSET);

	rs_buf_str(b, ref);
	rs_buf_str(b, stream);
	rs_buf_u64(b, offset);
	end(b, s);
}

/* QueryOffset: reference and stream. */
void
rs_frame_query_offset(struct rs_buf *b, uint32_t corr, const char *ref,
    const char *stream)
{
	size_t	 s = begin(b, RS_QUERY_OFFSET);

	rs_buf_u32(b, corr);
	rs_buf_str(b, ref);
	rs_buf_str(b, stream);
	end(b, s);
}

/* Route: a routing key and a super stream. */
void
rs_frame_route(struct rs_buf *b, uint32_t corr, const char *key,
    const char *super)
{
	size_t	 s = begin(b, RS_ROUTE);

	rs_buf_u32(b, corr);
	rs_buf_str(b, key);
	rs_buf_str(b, super);
	end(b, s);
}

/* Partitions: a super stream. */
void
rs_frame_partitions(struct rs_buf *b, uint32_t corr, const char *super)
{
	size_t	 s = begin(b, RS_PARTITIONS);

	rs_buf_u32(b, corr);
	rs_buf_str(b, super);
	end(b, s);
}

/*
 * Our reply to a server's ConsumerUpdate (3.11+): a code and the offset
 * specification the newly active consumer starts at (RS_OFFSET_NONE: keep).
 */
void
rs_frame_consumer_update_response(struct rs_buf *b, uint32_t corr,
    uint16_t code, uint16_t type, uint64_t offset)
{
	size_t	 s = begin(b, RS_CONSUMER_UPDATE | RS_RESPONSE);

	rs_buf_u32(b, corr);
	rs_buf_u16(b, code);
	put_offset_spec(b, type, offset);
	end(b, s);
}

/*
 * ExchangeCommandVersions (3.11+): the versions of the server-to-client
 * commands we take (and of client-to-server ones we would use).
 */
void
rs_frame_exchange_command_versions(struct rs_buf *b, uint32_t corr,
    const struct rs_command_version *cv, size_t n)
{
	size_t	 s = begin(b, RS_EXCHANGE_COMMAND_VERSIONS), i;

	rs_buf_u32(b, corr);
	rs_buf_u32(b, (uint32_t)n);
	for (i = 0; i < n; i++) {
		rs_buf_u16(b, cv[i].key);
		rs_buf_u16(b, cv[i].min);
		rs_buf_u16(b, cv[i].max);
	}
	end(b, s);
}

/* StreamStats (3.11+): a stream. */
void
rs_frame_stream_stats(struct rs_buf *b, uint32_t corr, const char *stream)
{
	size_t	 s = begin(b, RS_STREAM_STATS);

	rs_buf_u32(b, corr);
	rs_buf_str(b, stream);
	end(b, s);
}

/*
 * CreateSuperStream (3.13+): name, np partitions, nk binding keys (one per
 * partition) and n argument pairs applied to every partition.
 */
void
rs_frame_create_super_stream(struct rs_buf *b, uint32_t corr, const char *name,
    const char *const *parts, size_t np, const char *const *keys, size_t nk,
    const char *const *kv, size_t n)
{
	size_t	 s = begin(b, RS_CREATE_SUPER_STREAM);

	rs_buf_u32(b, corr);
	rs_buf_str(b, name);
	put_strings(b, parts, np);
	put_strings(b, keys, nk);
	put_map(b, kv, n);
	end(b, s);
}

/* DeleteSuperStream (3.13+): a super stream. */
void
rs_frame_delete_super_stream(struct rs_buf *b, uint32_t corr, const char *name)
{
	size_t	 s = begin(b, RS_DELETE_SUPER_STREAM);

	rs_buf_u32(b, corr);
	rs_buf_str(b, name);
	end(b, s);
}

/*
 * ResolveOffsetSpec (4.3.0+): stream, offset specification and n property
 * pairs (filter.N, match-unfiltered, chunk_selector); the array is always
 * written, empty when n is 0.
 */
void
rs_frame_resolve_offset_spec(struct rs_buf *b, uint32_t corr,
    const char *stream, uint16_t type, uint64_t offset, const char *const *kv,
    size_t n)
{
	size_t	 s = begin(b, RS_RESOLVE_OFFSET_SPEC);

	rs_buf_u32(b, corr);
	rs_buf_str(b, stream);
	put_offset_spec(b, type, offset);
	put_map(b, kv, n);
	end(b, s);
}

/* Publish v2 (3.13+): the header with a count to patch; where it starts. */
size_t
rs_frame_publish_v2_begin(struct rs_buf *b, uint8_t id)
{
	size_t	 s = begin_v(b, RS_PUBLISH, 2);

	rs_buf_u8(b, id);
	rs_buf_u32(b, 0);
	return s;
}

/*
 * One Publish v2 message: publishing id, filter value (NULL: none, sent as
 * a null string) and entry size; the caller appends the len bytes.
 */
void
rs_frame_publish_v2_msg(struct rs_buf *b, uint64_t id, const char *filter,
    size_t flen, uint32_t len)
{
	rs_buf_u64(b, id);
	if (filter == NULL)
		rs_buf_u16(b, 0xffff);
	else
		rs_buf_strn(b, filter, flen);
	rs_buf_u32(b, len & 0x7fffffff);
}
