/*
 * proto.c: names of protocol codes and keys, for messages a user reads.
 */
#include "config.h"

#include "proto.h"

const char *
rs_proto_code_str(uint16_t code)
{
	switch (code) {
	case RS_OK:				return "ok";
	case RS_STREAM_DOES_NOT_EXIST:		return "stream does not exist";
	case RS_SUBSCRIPTION_ID_ALREADY_EXISTS:	return "subscription id already exists";
	case RS_SUBSCRIPTION_ID_DOES_NOT_EXIST:	return "subscription id does not exist";
	case RS_STREAM_ALREADY_EXISTS:		return "stream already exists";
	case RS_STREAM_NOT_AVAILABLE:		return "stream not available";
	case RS_SASL_MECHANISM_NOT_SUPPORTED:	return "SASL mechanism not supported";
	case RS_AUTHENTICATION_FAILURE:		return "authentication failure (wrong user name or password)";
	case RS_SASL_ERROR:			return "SASL error";
	case RS_SASL_CHALLENGE:			return "SASL challenge";
	case RS_SASL_AUTHENTICATION_FAILURE_LOOPBACK:
		return "authentication failure: this user may only connect from localhost";
	case RS_VIRTUAL_HOST_ACCESS_FAILURE:	return "virtual host access failure";
	case RS_UNKNOWN_FRAME:			return "unknown frame";
	case RS_FRAME_TOO_LARGE:		return "frame too large";
	case RS_INTERNAL_ERROR:			return "internal error";
	case RS_ACCESS_REFUSED:			return "access refused";
	case RS_PRECONDITION_FAILED:		return "precondition failed";
	case RS_PUBLISHER_DOES_NOT_EXIST:	return "publisher does not exist";
	case RS_NO_OFFSET:			return "no offset";
	case 0x14:				return "SASL cannot change mechanism";
	case 0x15:				return "SASL cannot change username";
	default:				return "unknown response code";
	}
}

const char *
rs_proto_key_str(uint16_t key)
{
	static const char *names[] = {
		"?", "DeclarePublisher", "Publish", "PublishConfirm",
		"PublishError", "QueryPublisherSequence", "DeletePublisher",
		"Subscribe", "Deliver", "Credit", "StoreOffset", "QueryOffset",
		"Unsubscribe", "Create", "Delete", "Metadata", "MetadataUpdate",
		"PeerProperties", "SaslHandshake", "SaslAuthenticate", "Tune",
		"Open", "Close", "Heartbeat", "Route", "Partitions",
		"ConsumerUpdate", "ExchangeCommandVersions", "StreamStats",
	};

	key &= ~RS_RESPONSE;
	if (key == 0 || key >= sizeof names / sizeof names[0])
		return "unknown command";
	return names[key];
}
