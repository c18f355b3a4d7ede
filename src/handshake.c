/*
 * handshake.c: the opening conversation of a stream connection
 * (PROTOCOL.adoc "Authentication", "PeerProperties", "Tune", "Open",
 * "ExchangeCommandVersions"), apart from the connection's I/O (conn.c), so
 * that either can be read, and changed, alone.
 *
 * Steps run PeerProperties -> SaslHandshake -> SaslAuthenticate -> (the
 * server's Tune, answered with ours) -> Open -> on 3.11+
 * ExchangeCommandVersions -> ready. Each is strictly sequential: one
 * request is out at a time, and step says which reply it waits for.
 *
 * Versions: the server's PeerProperties "version" says what it has. A 3.10
 * broker closes the connection on any command it does not know, so the
 * handshake sends ExchangeCommandVersions only to 3.11 or later, offering
 * Deliver 1..2 (the broker then sends Deliver v2, with the committed chunk
 * id, which rs_frame_deliver_decode() reads too) and Publish 1..2, and
 * reports ready once the reply recorded which commands the broker accepts.
 *
 * After Tune the cap on inbound frames other than Deliver follows the
 * negotiated frame max: twice it, never below RS_FRAME_CAP_FLOOR. The frame
 * max bounds what we send; the biggest frames a server sends back besides
 * chunks are PublishConfirm and PublishError for what is in flight (the
 * 50,000 publish credits it grants plus one frame's messages of at least 12
 * bytes: under 400 KiB plus 10/12 of the frame max), so twice the frame max
 * with a 1 MiB floor leaves room. Deliver keeps its own, larger cap.
 *
 * This file does no I/O and calls nothing of conn.c: what it needs done
 * (a correlation id, a flush, a failure, ready) it asks through the ops the
 * connection gave it, so conn.c may call it and never the other way round.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "handshake.h"
#include "secret.h"

/* The reply a handshake waits for. */
enum step {
	WAIT_NOTHING,
	WAIT_PEER_PROPERTIES,
	WAIT_MECHANISMS,
	WAIT_AUTHENTICATE,
	WAIT_TUNE,
	WAIT_OPEN,
	WAIT_COMMAND_VERSIONS
};

/* Fail the connection with a sentence; the handshake is over. */
static void __attribute__((format(printf, 3, 4)))
fail(struct rs_handshake *hs, enum rs_err_kind kind, const char *fmt, ...)
{
	struct rs_err	 e;
	va_list		 ap;

	va_start(ap, fmt);
	vsnprintf(e.msg, sizeof e.msg, fmt, ap);
	va_end(ap);
	hs->step = WAIT_NOTHING;
	hs->ops->fail(hs->ud, kind, e.msg);
}

/* A -v line, through the connection's log hook. */
static void __attribute__((format(printf, 2, 3)))
logf_(struct rs_handshake *hs, const char *fmt, ...)
{
	char	 msg[512];
	va_list	 ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	hs->ops->log(hs->ud, msg);
}

/* Register the next request's reply: the correlation id to put in it. */
static uint32_t
await(struct rs_handshake *hs, int step)
{
	hs->step = step;
	return hs->ops->corr(hs->ud);
}

/* Is the map that makes up a response's body whole? */
static int
map_whole(const struct rs_frame *f)
{
	struct rs_cur	 cur;
	struct rs_str	 k, v;
	uint32_t	 n, i;

	if (rs_frame_map_begin(f, &cur, &n) == -1)
		return 0;
	for (i = 0; i < n; i++)
		if (rs_frame_map_next(&cur, &k, &v) == -1)
			return 0;
	return 1;
}

/* Fail on a response whose body does not hold what its command says. */
static void
malformed(struct rs_handshake *hs, const char *what)
{
	fail(hs, RS_E_RUNTIME, "bad frame from the broker: malformed %s "
	    "response", what);
}

/* Set up a handshake for a connection; rs_handshake_start() begins it. */
void
rs_handshake_init(struct rs_handshake *hs, const struct rs_handshake_ops *ops,
    void *ud, const struct rs_uri *uri, struct rs_buf *out,
    struct rs_reader *rd)
{
	memset(hs, 0, sizeof *hs);
	hs->ops = ops;
	hs->ud = ud;
	hs->uri = uri;
	hs->out = out;
	hs->rd = rd;
	hs->heartbeat_ask = RS_HEARTBEAT_DEFAULT;
}

/* A response with a bad code during the handshake. */
static void
refused(struct rs_handshake *hs, const struct rs_frame *f, const char *step)
{
	enum rs_err_kind	kind = RS_E_UNAVAILABLE;

	switch (f->code) {
	case RS_AUTHENTICATION_FAILURE:
	case RS_SASL_AUTHENTICATION_FAILURE_LOOPBACK:
	case RS_SASL_MECHANISM_NOT_SUPPORTED:
	case RS_SASL_ERROR:
	case RS_VIRTUAL_HOST_ACCESS_FAILURE:
	case RS_ACCESS_REFUSED:
		kind = RS_E_NOPERM;
		break;
	}
	if ((f->code == RS_AUTHENTICATION_FAILURE ||
	    f->code == RS_SASL_AUTHENTICATION_FAILURE_LOOPBACK) &&
	    hs->sasl == RS_SASL_EXTERNAL)
		fail(hs, kind, "SASL EXTERNAL: the user named by the client "
		    "certificate: %s", rs_proto_code_str(f->code));
	else if (f->code == RS_AUTHENTICATION_FAILURE ||
	    f->code == RS_SASL_AUTHENTICATION_FAILURE_LOOPBACK)
		fail(hs, kind, "user \"%s\": %s", hs->uri->user,
		    rs_proto_code_str(f->code));
	else if (f->code == RS_VIRTUAL_HOST_ACCESS_FAILURE)
		fail(hs, kind, "virtual host \"%s\": %s", hs->uri->vhost,
		    rs_proto_code_str(f->code));
	else
		fail(hs, kind, "%s refused: %s", step,
		    rs_proto_code_str(f->code));
}

/* The handshake is over: the connection takes it from here. */
static void
done(struct rs_handshake *hs)
{
	hs->step = WAIT_NOTHING;
	hs->ops->ready(hs->ud);
}

/* The ExchangeCommandVersions reply: which commands the broker accepts. */
static void
on_command_versions(struct rs_handshake *hs, const struct rs_frame *f)
{
	struct rs_command_version	 cv;
	struct rs_cur			 cur;
	uint32_t			 n, i;

	if (f->code != RS_OK) {
		logf_(hs, "ExchangeCommandVersions refused: %s; going on with "
		    "version 1 commands", rs_proto_code_str(f->code));
		done(hs);
		return;
	}
	if (rs_frame_command_versions_begin(f, &cur, &n) == -1)
		goto bad;
	for (i = 0; i < n; i++) {
		if (rs_frame_command_versions_next(&cur, &cv) == -1)
			goto bad;
		rs_features_accept(&hs->feat, &cv);
	}
	hs->feat.negotiated = 1;
	done(hs);
	return;
bad:
	malformed(hs, "ExchangeCommandVersions");
}

/* Open succeeded: negotiate command versions with 3.11+, then be ready. */
static void
on_open(struct rs_handshake *hs, const struct rs_frame *f)
{
	static const struct rs_command_version ours[] = {
		{ RS_DELIVER, 1, 2 },
		{ RS_PUBLISH, 1, 2 },
	};
	struct rs_str	 v;

	if (!map_whole(f)) {
		malformed(hs, "Open");
		return;
	}
	if (rs_frame_map_find(f, "advertised_host", &v) == 1 &&
	    v.len < sizeof hs->adv_host) {
		memcpy(hs->adv_host, v.p, v.len);
		hs->adv_host[v.len] = '\0';
	}
	if (rs_frame_map_find(f, "advertised_port", &v) == 1 && v.len < 8) {
		char	 port[8];

		memcpy(port, v.p, v.len);
		port[v.len] = '\0';
		hs->adv_port = (unsigned)strtoul(port, NULL, 10);
	}
	if (!rs_features_has(&hs->feat, RS_FEATURE_EXCHANGE_COMMAND_VERSIONS)) {
		done(hs);
		return;
	}
	rs_frame_exchange_command_versions(hs->out, await(hs,
	    WAIT_COMMAND_VERSIONS), ours, sizeof ours / sizeof ours[0]);
	hs->ops->flush(hs->ud);
}

/* Take the smaller of two limits where 0 means none. */
static uint32_t
negotiate(uint32_t ours, uint32_t theirs)
{
	if (ours == 0)
		return theirs;
	if (theirs == 0)
		return ours;
	return ours < theirs ? ours : theirs;
}

/* The server's Tune: take the smaller limits, answer, then Open. */
void
rs_handshake_tune(struct rs_handshake *hs, const struct rs_frame *f)
{
	uint32_t	 fm, hb;

	if (hs->step != WAIT_TUNE || rs_frame_tune_decode(f, &fm, &hb) == -1) {
		fail(hs, RS_E_RUNTIME, "unexpected Tune");
		return;
	}
	hs->frame_max = negotiate(RS_FRAME_MAX_DEFAULT, fm);
	hs->heartbeat = negotiate(hs->heartbeat_ask, hb);
	if (hs->frame_max < 1024) {
		fail(hs, RS_E_RUNTIME, "frame max %u is too small",
		    hs->frame_max);
		return;
	}
	hs->rd->max_frame = 2 * (size_t)hs->frame_max;
	if (hs->rd->max_frame < RS_FRAME_CAP_FLOOR)
		hs->rd->max_frame = RS_FRAME_CAP_FLOOR;
	if (hs->rd->max_frame > hs->rd->max_deliver)
		hs->rd->max_frame = hs->rd->max_deliver;
	rs_frame_tune(hs->out, hs->frame_max, hs->heartbeat);
	rs_frame_open(hs->out, await(hs, WAIT_OPEN), hs->uri->vhost);
	hs->ops->flush(hs->ud);
}

/* SaslAuthenticate answered: wait for the server's Tune. */
static void
on_authenticate(struct rs_handshake *hs)
{
	hs->external_sent = 0;
	hs->step = WAIT_TUNE;
}

/* The mechanisms a SaslHandshake response offers, comma-separated, printable. */
static void
offered(const struct rs_frame *f, char *dst, size_t n)
{
	struct rs_cur	 cur;
	struct rs_str	 m;
	uint32_t	 count, i;
	size_t		 at;

	dst[0] = '\0';
	if (rs_frame_strings_begin(f, &cur, &count) == -1)
		return;
	for (i = 0; i < count && rs_frame_strings_next(&cur, &m) == 0; i++) {
		if (m.p == NULL || (at = strlen(dst)) + 3 >= n)
			continue;
		if (at > 0)
			memcpy(dst + at, ", ", 3), at += 2;
		rs_proto_printable(dst + at, n - at, m.p, m.len);
	}
}

/*
 * SaslHandshake answered: authenticate with the mechanism chosen. PLAIN
 * sends the password, so the output buffer is wiped once it is written
 * (secret_end tells the connection how far); EXTERNAL sends nothing (the
 * broker takes the user from the client certificate that TLS presented).
 */
static void
on_mechanisms(struct rs_handshake *hs, const struct rs_frame *f)
{
	const char	*mech = hs->sasl == RS_SASL_EXTERNAL ? "EXTERNAL" : "PLAIN";
	uint8_t		 plain[2 + 2 * 256];
	size_t		 ul = strlen(hs->uri->user), pl = strlen(hs->uri->password);
	char		 list[128];
	int		 has;

	if ((has = rs_frame_mechanisms_has(f, mech)) == -1) {
		malformed(hs, "SaslHandshake");
		return;
	}
	if (has != 1) {
		offered(f, list, sizeof list);
		fail(hs, RS_E_NOPERM, "the broker does not offer SASL %s (it "
		    "offers %s)", mech, list[0] ? list : "none");
		return;
	}
	if (hs->sasl == RS_SASL_EXTERNAL) {
		rs_frame_sasl_authenticate(hs->out, await(hs, WAIT_AUTHENTICATE),
		    mech, "", 0);
		hs->external_sent = 1;
		hs->ops->flush(hs->ud);
		return;
	}
	plain[0] = '\0';
	memcpy(plain + 1, hs->uri->user, ul);
	plain[1 + ul] = '\0';
	memcpy(plain + 2 + ul, hs->uri->password, pl);
	rs_frame_sasl_authenticate(hs->out, await(hs, WAIT_AUTHENTICATE), mech,
	    plain, 2 + ul + pl);
	rs_secret_wipe(plain, sizeof plain);
	hs->secret_end = hs->out->len;
	hs->ops->flush(hs->ud);
}

/* Queue our PeerProperties (the connection writes them when it can). */
void
rs_handshake_start(struct rs_handshake *hs)
{
	const char *const props[] = {
		"product", "rstream-tools",
		"version", PACKAGE_VERSION,
		"platform", "C (libev)",
		"information", "rstream-cat / rstream-tail",
		"connection_name", hs->name[0] ? hs->name : "rstream-tools",
	};

	rs_frame_peer_properties(hs->out, await(hs, WAIT_PEER_PROPERTIES),
	    props, sizeof props / sizeof props[0] / 2);
}

/* PeerProperties answered: note the broker's version, then SASL. */
static void
on_peer_properties(struct rs_handshake *hs, const struct rs_frame *f)
{
	struct rs_str	 v;

	if (!map_whole(f)) {
		malformed(hs, "PeerProperties");
		return;
	}
	hs->version[0] = '\0';
	rs_features_init(&hs->feat, 0);
	if (rs_frame_map_find(f, "version", &v) == 1 && v.p != NULL) {
		rs_features_init(&hs->feat, rs_proto_version_parse(v.p, v.len));
		rs_proto_printable(hs->version, sizeof hs->version, v.p, v.len);
	}
	rs_frame_sasl_handshake(hs->out, await(hs, WAIT_MECHANISMS));
	hs->ops->flush(hs->ud);
}

/* The reply to the handshake's request: on to the next step. */
void
rs_handshake_reply(struct rs_handshake *hs, const struct rs_frame *f)
{
	/* The requests a bad code ends the handshake at (not versions: 1 then). */
	static const char *const refusable[] = {
		[WAIT_PEER_PROPERTIES] = "PeerProperties",
		[WAIT_MECHANISMS] = "SaslHandshake",
		[WAIT_AUTHENTICATE] = "SaslAuthenticate",
		[WAIT_OPEN] = "Open",
	};
	int	 step = hs->step;

	hs->step = WAIT_NOTHING;
	if (step < (int)(sizeof refusable / sizeof refusable[0]) &&
	    refusable[step] != NULL && f->code != RS_OK) {
		refused(hs, f, refusable[step]);
		return;
	}
	switch (step) {
	case WAIT_PEER_PROPERTIES:
		on_peer_properties(hs, f);
		break;
	case WAIT_MECHANISMS:
		on_mechanisms(hs, f);
		break;
	case WAIT_AUTHENTICATE:
		on_authenticate(hs);
		break;
	case WAIT_OPEN:
		on_open(hs, f);
		break;
	case WAIT_COMMAND_VERSIONS:
		on_command_versions(hs, f);
		break;
	default:
		break;
	}
}

/*
 * The broker hung up: 1 if the handshake explains why (and failed the
 * connection saying so), 0 if not. RabbitMQ's stream plugin before the fix
 * of rabbitmq-server#8488 (June 2023: 3.11.18, 3.12.0) hands the EXTERNAL
 * mechanism a state that PeerProperties overwrote, crashes the connection,
 * and refuses a handshake that authenticates before PeerProperties: no
 * client can work around it.
 */
int
rs_handshake_hung_up(struct rs_handshake *hs)
{
	if (!hs->external_sent)
		return 0;
	fail(hs, RS_E_NOPERM, "the broker closed the connection on SASL "
	    "EXTERNAL; RabbitMQ %s cannot authenticate stream connections "
	    "with EXTERNAL (fixed in 3.11.18 and 3.12: rabbitmq-server#8488)",
	    hs->version[0] ? hs->version : "(version unknown)");
	return 1;
}
