/*
 * framedec.c: the frames a server sends (PROTOCOL.adoc "Commands"; v3.10.8
 * for keys 0x01-0x19, HEAD for the newer ones). frame.c encodes what we send.
 *
 * Every response, and the server's Tune, Close, Heartbeat, PublishConfirm,
 * PublishError, Deliver (v1, and v2 with the committed chunk id, 3.11+),
 * MetadataUpdate, Credit's error response and ConsumerUpdate (3.11+).
 *
 * Layouts that break the "key, version, correlation id, code" rule, and are
 * handled in rs_frame_decode(): the Metadata response has no code, the Credit
 * response has no correlation id, the server's Close request carries a
 * correlation id and a code, ConsumerUpdate a correlation id only. Brokers
 * before 3.11.5 (3.10.8 included) send the Route and Partitions responses
 * with keys 0x0018 and 0x0019, without the response flag (rabbitmq-server
 * #5956): a client never receives those requests, so they are read as the
 * responses they are, and their key gets the flag.
 *
 * Nothing here trusts a length: counts go through rs_cur_count() with the
 * smallest size an item can have, strings and bytes through rs_cur_str()
 * and rs_cur_bytes(), which refuse to run past the frame.
 */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include "frame.h"
#include "proto.h"

/* Which received frames carry a correlation id, and which a response code. */
static void
layout(uint16_t *key, int *corr, int *code)
{
	*corr = *code = 0;
	if (*key & RS_RESPONSE) {
		switch (*key & ~RS_RESPONSE) {
		case RS_CREDIT:
			*code = 1;
			break;
		case RS_METADATA:
			*corr = 1;
			break;
		default:
			*corr = *code = 1;
			break;
		}
		return;
	}
	switch (*key) {
	case RS_CLOSE:
		*corr = *code = 1;
		break;
	case RS_CONSUMER_UPDATE:
		*corr = 1;
		break;
	case RS_ROUTE:
	case RS_PARTITIONS:
		*key |= RS_RESPONSE;
		*corr = *code = 1;
		break;
	default:
		break;
	}
}

/*
 * Split a frame (the bytes after its size prefix) into its header fields;
 * the body cursor is left at what follows them.
 */
int
rs_frame_decode(const uint8_t *p, size_t len, struct rs_frame *f, char *err,
    size_t errlen)
{
	int	 has_code;

	memset(f, 0, sizeof *f);
	f->code = RS_OK;
	rs_cur_init(&f->body, p, len);
	if (rs_cur_u16(&f->body, &f->key) == -1 ||
	    rs_cur_u16(&f->body, &f->version) == -1) {
		snprintf(err, errlen, "frame of %zu bytes is too short", len);
		return -1;
	}
	layout(&f->key, &f->has_corr, &has_code);
	if (f->has_corr)
		rs_cur_u32(&f->body, &f->corr);
	if (has_code)
		rs_cur_u16(&f->body, &f->code);
	if (f->body.err) {
		snprintf(err, errlen, "%s%s frame of %zu bytes is too short",
		    rs_proto_key_str(f->key),
		    (f->key & RS_RESPONSE) ? " response" : "", len);
		return -1;
	}
	return 0;
}

/* Tune: the frame max and heartbeat the server proposes. */
int
rs_frame_tune_decode(const struct rs_frame *f, uint32_t *frame_max,
    uint32_t *heartbeat)
{
	struct rs_cur	 c = f->body;

	rs_cur_u32(&c, frame_max);
	return rs_cur_u32(&c, heartbeat);
}

/* The reason of a server Close request. */
int
rs_frame_close_decode(const struct rs_frame *f, struct rs_str *reason)
{
	struct rs_cur	 c = f->body;

	return rs_cur_str(&c, &reason->p, &reason->len);
}

/*
 * Start walking the map that makes up the body (PeerProperties and Open
 * responses): *n pairs, 0 when there is no map at all. -1 if malformed.
 */
int
rs_frame_map_begin(const struct rs_frame *f, struct rs_cur *c, uint32_t *n)
{
	*c = f->body;
	*n = 0;
	if (c->left == 0)
		return 0;
	return rs_cur_count(c, n, 4);
}

/* The next key and value of a map. */
int
rs_frame_map_next(struct rs_cur *c, struct rs_str *k, struct rs_str *v)
{
	rs_cur_str(c, &k->p, &k->len);
	return rs_cur_str(c, &v->p, &v->len);
}

/*
 * Find a key in the map that makes up the body (PeerProperties and Open
 * responses). 1 found, 0 absent (or no map at all), -1 malformed.
 */
int
rs_frame_map_find(const struct rs_frame *f, const char *key, struct rs_str *val)
{
	struct rs_cur	 c;
	struct rs_str	 k, v;
	uint32_t	 n, i;
	size_t		 klen = strlen(key);

	if (rs_frame_map_begin(f, &c, &n) == -1)
		return -1;
	for (i = 0; i < n; i++) {
		if (rs_frame_map_next(&c, &k, &v) == -1)
			return -1;
		if (k.p != NULL && k.len == klen &&
		    memcmp(k.p, key, klen) == 0) {
			*val = v;
			return 1;
		}
	}
	return 0;
}

/* Start walking the body's array of strings (mechanisms, partitions). */
int
rs_frame_strings_begin(const struct rs_frame *f, struct rs_cur *c, uint32_t *n)
{
	*c = f->body;
	return rs_cur_count(c, n, 2);
}

/*
 * Start walking the streams of a Route response. Every broker sends an
 * array on the wire; rabbit_stream_core of 3.10/3.11 describes one string
 * instead. A body that is exactly one non-empty string is read as that (n
 * 1), anything else as an array: the two cannot be confused, as an array
 * read as a string would have a length of 0, and a string read as an array
 * a count of at least 65536 in at most 65537 bytes.
 */
int
rs_frame_route_begin(const struct rs_frame *f, struct rs_cur *c, uint32_t *n)
{
	struct rs_cur	 one = f->body;
	const char	*s;
	size_t		 len;

	if (rs_cur_str(&one, &s, &len) == 0 && one.left == 0 && len > 0) {
		*c = f->body;
		*n = 1;
		return 0;
	}
	return rs_frame_strings_begin(f, c, n);
}

/* The next string of an array (NULL p for a null string). */
int
rs_frame_strings_next(struct rs_cur *c, struct rs_str *s)
{
	return rs_cur_str(c, &s->p, &s->len);
}

/* Does a SaslHandshake response offer mech? 1 yes, 0 no, -1 malformed. */
int
rs_frame_mechanisms_has(const struct rs_frame *f, const char *mech)
{
	struct rs_cur	 c;
	struct rs_str	 m;
	uint32_t	 n, i;
	size_t		 len = strlen(mech);
	int		 found = 0;

	if (rs_frame_strings_begin(f, &c, &n) == -1)
		return -1;
	for (i = 0; i < n; i++) {
		if (rs_frame_strings_next(&c, &m) == -1)
			return -1;
		if (m.p != NULL && m.len == len && memcmp(m.p, mech, len) == 0)
			found = 1;
	}
	return found;
}

/* The opaque data of a SaslAuthenticate response: NULL, 0 if none. */
int
rs_frame_sasl_challenge_decode(const struct rs_frame *f, const uint8_t **p,
    size_t *len)
{
	struct rs_cur	 c = f->body;

	*p = NULL;
	*len = 0;
	if (c.left == 0)
		return 0;
	return rs_cur_bytes(&c, p, len);
}

/* A null string (p NULL) equals nothing, not even "". */
static int
str_eq(const struct rs_str *s, const char *z)
{
	return z != NULL && s->p != NULL && s->len == strlen(z) &&
	    memcmp(s->p, z, s->len) == 0;
}

/*
 * Read a Metadata response: the entry for stream, its leader resolved
 * against the broker table, and whether the node self_host:self_port hosts
 * the leader or a replica. 1 found, 0 stream not in the response, -1
 * malformed (unknown broker reference included).
 */
int
rs_frame_metadata_decode(const struct rs_frame *f, const char *stream,
    const char *self_host, uint32_t self_port, struct rs_stream_meta *m)
{
	struct rs_cur	 c = f->body, brokers, walk;
	struct rs_str	 name, host;
	uint32_t	 nb, ns, nr, i, j, k, port, self_ref = 0x10000, nrefs = 0;
	uint16_t	 ref, code, leader, r, refs[RS_META_REPLICAS];
	int		 found = 0;

	memset(m, 0, sizeof *m);
	if (rs_cur_count(&c, &nb, 8) == -1)
		return -1;
	brokers = c;
	for (i = 0; i < nb; i++) {
		if (rs_cur_u16(&c, &ref) == -1 ||
		    rs_cur_str(&c, &host.p, &host.len) == -1 ||
		    rs_cur_u32(&c, &port) == -1)
			return -1;
		if (str_eq(&host, self_host) && port == self_port)
			self_ref = ref;
	}
	if (rs_cur_count(&c, &ns, 10) == -1)
		return -1;
	for (i = 0; i < ns; i++) {
		if (rs_cur_str(&c, &name.p, &name.len) == -1 ||
		    rs_cur_u16(&c, &code) == -1 ||
		    rs_cur_u16(&c, &leader) == -1 ||
		    rs_cur_count(&c, &nr, 2) == -1)
			return -1;
		if (found || !str_eq(&name, stream)) {
			if (rs_cur_skip(&c, (size_t)nr * 2) == -1)
				return -1;
			continue;
		}
		found = 1;
		m->code = code;
		m->nreplicas = nr;
		m->self_is_member = (leader == self_ref);
		for (j = 0; j < nr; j++) {
			if (rs_cur_u16(&c, &r) == -1)
				return -1;
			if (r == self_ref)
				m->self_is_member = 1;
			if (nrefs < RS_META_REPLICAS)
				refs[nrefs++] = r;
		}
		if (code != RS_OK || leader == 0xffff)
			continue;
		/* Replicas whose node is not in the table (down) are left out. */
		walk = brokers;
		for (j = 0; j < nb; j++) {
			rs_cur_u16(&walk, &ref);
			rs_cur_str(&walk, &host.p, &host.len);
			rs_cur_u32(&walk, &port);
			for (k = 0; k < nrefs; k++)
				if (refs[k] == ref && m->nresolved < RS_META_REPLICAS) {
					m->replica[m->nresolved].host = host;
					m->replica[m->nresolved].port = port;
					m->nresolved++;
				}
		}
		for (j = 0; j < nb; j++) {
			rs_cur_u16(&brokers, &ref);
			rs_cur_str(&brokers, &host.p, &host.len);
			rs_cur_u32(&brokers, &port);
			if (ref == leader) {
				m->has_leader = 1;
				m->leader_host = host;
				m->leader_port = port;
				break;
			}
		}
		if (!m->has_leader)
			return -1;
	}
	return found;
}

/* MetadataUpdate: a code (0x06 in practice) and the stream it is about. */
int
rs_frame_metadata_update_decode(const struct rs_frame *f, uint16_t *code,
    struct rs_str *stream)
{
	struct rs_cur	 c = f->body;

	rs_cur_u16(&c, code);
	return rs_cur_str(&c, &stream->p, &stream->len);
}

/* QueryPublisherSequence response: the last stored publishing id. */
int
rs_frame_publisher_sequence_decode(const struct rs_frame *f, uint64_t *seq)
{
	struct rs_cur	 c = f->body;

	return rs_cur_u64(&c, seq);
}

/* QueryOffset response: the stored offset (0 with RS_NO_OFFSET). */
int
rs_frame_query_offset_decode(const struct rs_frame *f, uint64_t *offset)
{
	struct rs_cur	 c = f->body;

	return rs_cur_u64(&c, offset);
}

/*
 * Deliver, version 1 or 2: subscription id, for v2 the committed chunk id,
 * and the chunk (the rest of the frame). -1 for any other version.
 */
int
rs_frame_delivery_decode(const struct rs_frame *f, struct rs_delivery *d)
{
	struct rs_cur	 c = f->body;

	memset(d, 0, sizeof *d);
	if (f->version != 1 && f->version != 2)
		return -1;
	if (rs_cur_u8(&c, &d->subid) == -1)
		return -1;
	if (f->version == 2) {
		if (rs_cur_u64(&c, &d->committed) == -1)
			return -1;
		d->has_committed = 1;
	}
	d->chunk = c.p;
	d->len = c.left;
	return 0;
}

/* Deliver: subscription id and the chunk (v2's committed chunk id skipped). */
int
rs_frame_deliver_decode(const struct rs_frame *f, uint8_t *subid,
    const uint8_t **chunk, size_t *len)
{
	struct rs_delivery	 d;

	if (rs_frame_delivery_decode(f, &d) == -1)
		return -1;
	*subid = d.subid;
	*chunk = d.chunk;
	*len = d.len;
	return 0;
}

/* Credit's error response: the subscription it was about. */
int
rs_frame_credit_error_decode(const struct rs_frame *f, uint8_t *subid)
{
	struct rs_cur	 c = f->body;

	return rs_cur_u8(&c, subid);
}

/* PublishConfirm or PublishError: publisher id and the count of entries. */
int
rs_frame_ids_begin(const struct rs_frame *f, struct rs_cur *c, uint8_t *pubid,
    uint32_t *n)
{
	*c = f->body;
	if (rs_cur_u8(c, pubid) == -1)
		return -1;
	return rs_cur_count(c, n,
	    (f->key == RS_PUBLISH_ERROR) ? 10 : 8);
}

/* The next publishing id of a PublishConfirm. */
int
rs_frame_confirm_next(struct rs_cur *c, uint64_t *id)
{
	return rs_cur_u64(c, id);
}

/* The next publishing id and its code of a PublishError. */
int
rs_frame_error_next(struct rs_cur *c, uint64_t *id, uint16_t *code)
{
	rs_cur_u64(c, id);
	return rs_cur_u16(c, code);
}

/* ConsumerUpdate (server request, 3.11+): subscription id and active flag. */
int
rs_frame_consumer_update_decode(const struct rs_frame *f, uint8_t *subid,
    uint8_t *active)
{
	struct rs_cur	 c = f->body;

	rs_cur_u8(&c, subid);
	return rs_cur_u8(&c, active);
}

/* Start walking an ExchangeCommandVersions response: *n entries. */
int
rs_frame_command_versions_begin(const struct rs_frame *f, struct rs_cur *c,
    uint32_t *n)
{
	*c = f->body;
	return rs_cur_count(c, n, 6);
}

/* The next key, min and max version of an ExchangeCommandVersions response. */
int
rs_frame_command_versions_next(struct rs_cur *c, struct rs_command_version *cv)
{
	rs_cur_u16(c, &cv->key);
	rs_cur_u16(c, &cv->min);
	return rs_cur_u16(c, &cv->max);
}

/* Start walking a StreamStats response: *n statistics. */
int
rs_frame_stream_stats_begin(const struct rs_frame *f, struct rs_cur *c,
    uint32_t *n)
{
	*c = f->body;
	return rs_cur_count(c, n, 10);
}

/* The next name and value of a StreamStats response. */
int
rs_frame_stream_stats_next(struct rs_cur *c, struct rs_str *key, int64_t *value)
{
	uint64_t	 v;

	rs_cur_str(c, &key->p, &key->len);
	if (rs_cur_u64(c, &v) == -1) {
		*value = 0;
		return -1;
	}
	*value = (int64_t)v;
	return 0;
}

/*
 * Find a statistic (first_chunk_id, committed_chunk_id, ...) in a
 * StreamStats response. 1 found, 0 absent, -1 malformed.
 */
int
rs_frame_stream_stats_find(const struct rs_frame *f, const char *key,
    int64_t *value)
{
	struct rs_cur	 c;
	struct rs_str	 k;
	uint32_t	 n, i;
	int64_t		 v;

	if (rs_frame_stream_stats_begin(f, &c, &n) == -1)
		return -1;
	for (i = 0; i < n; i++) {
		if (rs_frame_stream_stats_next(&c, &k, &v) == -1)
			return -1;
		if (str_eq(&k, key)) {
			*value = v;
			return 1;
		}
	}
	return 0;
}

/* ResolveOffsetSpec response (4.3.0+): the offset type (4) and value. */
int
rs_frame_resolve_offset_spec_decode(const struct rs_frame *f, uint16_t *type,
    uint64_t *offset)
{
	struct rs_cur	 c = f->body;

	rs_cur_u16(&c, type);
	return rs_cur_u64(&c, offset);
}
