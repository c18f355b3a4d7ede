/*
 * proto.c: names of protocol codes and keys, for messages a user reads, and
 * the table of which broker version brings which command (PROTOCOL.adoc
 * "Commands" at v3.10.8 and HEAD; rabbit_stream_utils:command_versions/0 of
 * 3.11.0, 3.13.0, 4.0.1 and 4.3.0).
 *
 * A feature is there when the broker's version is at least the one that
 * brought it and, for a command we send, when the broker listed that command
 * (at the version we would send) in its ExchangeCommandVersions reply: 3.13
 * lists Publish 2 only with the stream_filtering feature flag enabled, so
 * the version alone is not enough.
 */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include "proto.h"

/* Copy a string the broker sent, with '?' for control and non-ASCII bytes. */
void
rs_proto_printable(char *dst, size_t dlen, const char *src, size_t n)
{
	size_t	 i;

	if (dlen == 0)
		return;
	for (i = 0; i < n && i < dlen - 1; i++)
		dst[i] = (src[i] >= 0x20 && src[i] < 0x7f) ? src[i] : '?';
	dst[i] = '\0';
}

/* The name the spec gives a response code, as a sentence fragment. */
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
	case RS_SASL_CANNOT_CHANGE_MECHANISM:	return "SASL cannot change mechanism";
	case RS_SASL_CANNOT_CHANGE_USERNAME:	return "SASL cannot change username";
	default:				return "unknown response code";
	}
}

/* The spec's name of a command key (response flag ignored). */
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
		"CreateSuperStream", "DeleteSuperStream", "ResolveOffsetSpec",
	};

	key &= ~RS_RESPONSE;
	if (key == 0 || key >= sizeof names / sizeof names[0])
		return "unknown command";
	return names[key];
}

/*
 * The version number of a version string such as "3.10.8", "3.13.0-rc.1"
 * (a pre-release counts as its release) or "4.3": major.minor[.patch] of at
 * most three digits each, then anything. 0 when s is NULL or not a version.
 */
uint32_t
rs_proto_version_parse(const char *s, size_t len)
{
	uint32_t	 part[3] = { 0, 0, 0 };
	size_t		 i = 0, digits;
	int		 k;

	if (s == NULL)
		return 0;
	for (k = 0; k < 3; k++) {
		if (k > 0) {
			if (i + 1 >= len || s[i] != '.' ||
			    s[i + 1] < '0' || s[i + 1] > '9') {
				if (k == 1)
					return 0;
				break;	/* no patch: "4.3", "4.3-rc.1" */
			}
			i++;
		}
		for (digits = 0; i < len && s[i] >= '0' && s[i] <= '9'; i++) {
			if (++digits > 3)
				return 0;
			part[k] = part[k] * 10 + (uint32_t)(s[i] - '0');
		}
		if (digits == 0)
			return 0;
	}
	return RS_VERSION(part[0], part[1], part[2]);
}

static const struct {
	const char	*name;
	uint32_t	 since;
	int		 negotiated;	/* needs ExchangeCommandVersions */
	uint16_t	 key;		/* ... listing this command (0: none) */
	uint16_t	 version;	/* ... at this version */
	int		 plural;	/* "super streams need", not "needs" */
} features[RS_FEATURE_COUNT] = {
	[RS_FEATURE_EXCHANGE_COMMAND_VERSIONS] = {
	    "ExchangeCommandVersions", RS_VERSION(3, 11, 0), 0, 0, 0 },
	[RS_FEATURE_DELIVER_V2] = {
	    "Deliver v2 (committed chunk id)", RS_VERSION(3, 11, 0), 1, 0, 0 },
	[RS_FEATURE_STREAM_STATS] = {
	    "StreamStats", RS_VERSION(3, 11, 0), 1, RS_STREAM_STATS, 1 },
	[RS_FEATURE_SINGLE_ACTIVE_CONSUMER] = {
	    "single active consumer", RS_VERSION(3, 11, 0), 0, 0, 0 },
	/*
	 * 3.10 answers Partitions and Route already, but super streams as
	 * RabbitMQ documents and tests them (rabbitmq-streams
	 * add_super_stream, the clients' routing) came with 3.11.
	 */
	[RS_FEATURE_SUPER_STREAMS] = {
	    "super streams", RS_VERSION(3, 11, 0), 0, 0, 0, 1 },
	[RS_FEATURE_PUBLISH_V2] = {
	    "Publish v2 (filter values)", RS_VERSION(3, 13, 0), 1, RS_PUBLISH,
	    2 },
	[RS_FEATURE_FILTERING] = {
	    "Stream filtering", RS_VERSION(3, 13, 0), 1, RS_PUBLISH, 2 },
	[RS_FEATURE_SUPER_STREAM_COMMANDS] = {
	    "Super stream management (CreateSuperStream, DeleteSuperStream)",
	    RS_VERSION(3, 13, 0), 1, RS_CREATE_SUPER_STREAM, 1 },
	[RS_FEATURE_RESOLVE_OFFSET_SPEC] = {
	    "ResolveOffsetSpec", RS_VERSION(4, 3, 0), 1,
	    RS_RESOLVE_OFFSET_SPEC, 1 },
};

/* What a feature is called in messages. */
const char *
rs_proto_feature_name(enum rs_feature f)
{
	if ((unsigned)f >= RS_FEATURE_COUNT)
		return "unknown feature";
	return features[f].name;
}

/* The first broker version that has a feature (RS_VERSION). */
uint32_t
rs_proto_feature_since(enum rs_feature f)
{
	if ((unsigned)f >= RS_FEATURE_COUNT)
		return UINT32_MAX;
	return features[f].since;
}

/* Start knowing a broker by its version only (0 if it did not say). */
void
rs_features_init(struct rs_features *fs, uint32_t version)
{
	memset(fs, 0, sizeof *fs);
	fs->version = version;
}

/* Record one entry of the broker's ExchangeCommandVersions reply. */
void
rs_features_accept(struct rs_features *fs, const struct rs_command_version *cv)
{
	if (cv->key >= RS_KEY_LIMIT)
		return;
	fs->min[cv->key] = cv->min;
	fs->max[cv->key] = cv->max;
}

/* Does this broker have the feature? 1 yes, 0 no. */
int
rs_features_has(const struct rs_features *fs, enum rs_feature f)
{
	uint16_t	 k;

	if ((unsigned)f >= RS_FEATURE_COUNT)
		return 0;
	if (fs->version < features[f].since)
		return 0;
	if (features[f].negotiated && !fs->negotiated)
		return 0;
	if ((k = features[f].key) != 0 &&
	    (fs->max[k] < features[f].version ||
	    fs->min[k] > features[f].version))
		return 0;
	return 1;
}

/* "3.11" or "4.3.5": a version number as people write it. */
static void
version_str(uint32_t v, char *buf, size_t len)
{
	if (v % 1000 == 0)
		snprintf(buf, len, "%u.%u", v / 1000000, v / 1000 % 1000);
	else
		snprintf(buf, len, "%u.%u.%u", v / 1000000, v / 1000 % 1000,
		    v % 1000);
}

/*
 * Why the broker lacks a feature, as a sentence naming the version it needs
 * ("StreamStats needs RabbitMQ 3.11 or later; the broker is 3.10.8"); vstr
 * is the version string the broker reported (NULL or "" if none). 0 and an
 * empty message if it has the feature, -1 otherwise.
 */
int
rs_features_why(const struct rs_features *fs, const char *vstr,
    enum rs_feature f, char *buf, size_t len)
{
	char		 need[32], have[80];
	const char	*name = rs_proto_feature_name(f), *needs;
	uint16_t	 k;

	if (len > 0)
		buf[0] = '\0';
	if (rs_features_has(fs, f))
		return 0;
	if ((unsigned)f >= RS_FEATURE_COUNT) {
		snprintf(buf, len, "%s", name);
		return -1;
	}
	version_str(features[f].since, need, sizeof need);
	needs = features[f].plural ? "need" : "needs";
	if (vstr == NULL || *vstr == '\0') {
		if (fs->version == 0) {
			snprintf(buf, len, "%s %s RabbitMQ %s or later; the "
			    "broker did not report its version", name, needs,
			    need);
			return -1;
		}
		version_str(fs->version, have, sizeof have);
		vstr = have;
	}
	if (fs->version == 0)
		snprintf(buf, len, "%s %s RabbitMQ %s or later; the broker "
		    "reports version \"%s\", which is not a version number",
		    name, needs, need, vstr);
	else if (fs->version < features[f].since)
		snprintf(buf, len, "%s %s RabbitMQ %s or later; the broker "
		    "is %s", name, needs, need, vstr);
	else if (!fs->negotiated)
		snprintf(buf, len, "%s was not negotiated with the broker "
		    "(RabbitMQ %s): no ExchangeCommandVersions reply", name,
		    vstr);
	else {
		k = features[f].key;
		snprintf(buf, len, "%s is not enabled on the broker (RabbitMQ "
		    "%s): it does not accept %s version %u", name, vstr,
		    rs_proto_key_str(k), features[f].version);
	}
	return -1;
}
