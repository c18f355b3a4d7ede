/*
 * proto.h: constants of the RabbitMQ Stream protocol, each with its name in
 * deps/rabbitmq_stream/docs/PROTOCOL.adoc (rabbitmq-server v3.10.8 unless noted;
 * "Commands", "Response Codes"), and which broker version has what.
 *
 * A frame is u32 size, u16 key, u16 version, body, all big-endian; the size
 * counts everything after itself. A response has key | RS_RESPONSE.
 *
 * Versions: the server's PeerProperties "version" becomes one number,
 * RS_VERSION(major, minor, patch), that compares as versions do. A feature
 * (enum rs_feature) needs a minimum version and, for a command we send, the
 * command listed in the server's ExchangeCommandVersions reply (3.11+):
 * struct rs_features holds both, and says why a feature is missing in a
 * sentence a user can act on.
 */
#ifndef RS_PROTO_H
#define RS_PROTO_H

#include <stddef.h>
#include <stdint.h>

/* Command keys (section "Commands"). */
#define RS_DECLARE_PUBLISHER		0x0001
#define RS_PUBLISH			0x0002
#define RS_PUBLISH_CONFIRM		0x0003
#define RS_PUBLISH_ERROR		0x0004
#define RS_QUERY_PUBLISHER_SEQUENCE	0x0005
#define RS_DELETE_PUBLISHER		0x0006
#define RS_SUBSCRIBE			0x0007
#define RS_DELIVER			0x0008
#define RS_CREDIT			0x0009
#define RS_STORE_OFFSET			0x000a
#define RS_QUERY_OFFSET			0x000b
#define RS_UNSUBSCRIBE			0x000c
#define RS_CREATE			0x000d
#define RS_DELETE			0x000e
#define RS_METADATA			0x000f
#define RS_METADATA_UPDATE		0x0010
#define RS_PEER_PROPERTIES		0x0011
#define RS_SASL_HANDSHAKE		0x0012
#define RS_SASL_AUTHENTICATE		0x0013
#define RS_TUNE				0x0014
#define RS_OPEN				0x0015
#define RS_CLOSE			0x0016
#define RS_HEARTBEAT			0x0017
#define RS_ROUTE			0x0018
#define RS_PARTITIONS			0x0019
/* Newer than 3.10.8: never sent to a broker whose version lacks them. */
#define RS_CONSUMER_UPDATE		0x001a	/* 3.11 */
#define RS_EXCHANGE_COMMAND_VERSIONS	0x001b	/* 3.11 */
#define RS_STREAM_STATS			0x001c	/* 3.11 */
#define RS_CREATE_SUPER_STREAM		0x001d	/* 3.13 */
#define RS_DELETE_SUPER_STREAM		0x001e	/* 3.13 */
#define RS_RESOLVE_OFFSET_SPEC		0x001f	/* 4.3.0 */
#define RS_KEY_LIMIT			0x0020	/* one past the last key */

#define RS_RESPONSE			0x8000

/* Response codes (section "Response codes"). */
#define RS_OK					0x01
#define RS_STREAM_DOES_NOT_EXIST		0x02
#define RS_SUBSCRIPTION_ID_ALREADY_EXISTS	0x03
#define RS_SUBSCRIPTION_ID_DOES_NOT_EXIST	0x04
#define RS_STREAM_ALREADY_EXISTS		0x05
#define RS_STREAM_NOT_AVAILABLE			0x06
#define RS_SASL_MECHANISM_NOT_SUPPORTED		0x07
#define RS_AUTHENTICATION_FAILURE		0x08
#define RS_SASL_ERROR				0x09
#define RS_SASL_CHALLENGE			0x0a
#define RS_SASL_AUTHENTICATION_FAILURE_LOOPBACK	0x0b
#define RS_VIRTUAL_HOST_ACCESS_FAILURE		0x0c
#define RS_UNKNOWN_FRAME			0x0d
#define RS_FRAME_TOO_LARGE			0x0e
#define RS_INTERNAL_ERROR			0x0f
#define RS_ACCESS_REFUSED			0x10
#define RS_PRECONDITION_FAILED			0x11
#define RS_PUBLISHER_DOES_NOT_EXIST		0x12
#define RS_NO_OFFSET				0x13
#define RS_SASL_CANNOT_CHANGE_MECHANISM		0x14	/* 3.13 */
#define RS_SASL_CANNOT_CHANGE_USERNAME		0x15	/* 3.13 */

/*
 * Offset specification types of Subscribe, ResolveOffsetSpec and the
 * ConsumerUpdate reply; only 4 and 5 carry a u64 (i64 for 5) value.
 */
#define RS_OFFSET_NONE		0	/* ConsumerUpdate reply only */
#define RS_OFFSET_FIRST		1
#define RS_OFFSET_LAST		2
#define RS_OFFSET_NEXT		3
#define RS_OFFSET_OFFSET	4
#define RS_OFFSET_TIMESTAMP	5

/* Osiris chunk types (osiris_log.erl). */
#define RS_CHUNK_USER		0
#define RS_CHUNK_TRACKING_DELTA	1
#define RS_CHUNK_TRACKING_SNAP	2
#define RS_CHUNK_HEADER_SIZE	48
#define RS_CHUNK_MAGIC_VERSION	0x50	/* magic 5, version 0: the byte 3.10.8 sends */

/* Our limits. */
#define RS_FRAME_MAX_DEFAULT	1048576u	/* what we ask for in Tune */
#define RS_FRAME_CAP		(8u << 20)	/* inbound but Deliver, until Tune */
#define RS_FRAME_CAP_FLOOR	(1u << 20)	/* then max(2 x frame max, this) */
#define RS_DELIVER_CAP		(256u << 20)	/* Deliver: one whole chunk */
#define RS_HEARTBEAT_DEFAULT	60u

/* Broker versions as one comparable number: RS_VERSION(3, 10, 8) == 3010008. */
#define RS_VERSION(maj, min, pat)	\
	((uint32_t)(maj) * 1000000u + (uint32_t)(min) * 1000u + (uint32_t)(pat))

/* What a broker may lack (PROTOCOL.adoc HEAD; rabbit_stream_utils.erl). */
enum rs_feature {
	RS_FEATURE_EXCHANGE_COMMAND_VERSIONS,	/* 3.11 */
	RS_FEATURE_DELIVER_V2,			/* 3.11, once negotiated */
	RS_FEATURE_STREAM_STATS,		/* 3.11, listed */
	RS_FEATURE_SINGLE_ACTIVE_CONSUMER,	/* 3.11: ConsumerUpdate */
	RS_FEATURE_SUPER_STREAMS,		/* 3.11: Partitions, Route */
	RS_FEATURE_PUBLISH_V2,			/* 3.13, listed as Publish 2 */
	RS_FEATURE_FILTERING,			/* 3.13, listed as Publish 2 */
	RS_FEATURE_SUPER_STREAM_COMMANDS,	/* 3.13, listed */
	RS_FEATURE_RESOLVE_OFFSET_SPEC,		/* 4.3.0, listed */
	RS_FEATURE_COUNT
};

/* One entry of ExchangeCommandVersions, either way. */
struct rs_command_version {
	uint16_t	key;
	uint16_t	min;
	uint16_t	max;
};

/*
 * What one broker has: its version (0 when it did not say) and, once its
 * ExchangeCommandVersions reply arrived (negotiated), the versions of each
 * command it accepts (max 0: not listed).
 */
struct rs_features {
	uint32_t	version;
	int		negotiated;
	uint16_t	min[RS_KEY_LIMIT];
	uint16_t	max[RS_KEY_LIMIT];
};

/* The name the spec gives a response code, as a sentence fragment. */
const char *rs_proto_code_str(uint16_t code);

/* The spec's name of a command key (response flag ignored). */
const char *rs_proto_key_str(uint16_t key);

/* A string the broker sent, copied with '?' for control and non-ASCII bytes. */
void	rs_proto_printable(char *, size_t, const char *, size_t);

uint32_t	 rs_proto_version_parse(const char *, size_t);
const char	*rs_proto_feature_name(enum rs_feature);
uint32_t	 rs_proto_feature_since(enum rs_feature);

void	rs_features_init(struct rs_features *, uint32_t);
void	rs_features_accept(struct rs_features *,
	    const struct rs_command_version *);
int	rs_features_has(const struct rs_features *, enum rs_feature);
int	rs_features_why(const struct rs_features *, const char *,
	    enum rs_feature, char *, size_t);

#endif
