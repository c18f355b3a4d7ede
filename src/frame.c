/*
 * frame.c: the commands of PROTOCOL.adoc that rstream-tools use.
 *
 * Requests: PeerProperties, SaslHandshake, SaslAuthenticate, Tune, Open,
 * Close, Heartbeat, Create, Delete, Metadata, DeclarePublisher,
 * QueryPublisherSequence, DeletePublisher, Publish (v1), Subscribe,
 * Unsubscribe, Credit. Received: every response, Tune, Close, Heartbeat,
 * PublishConfirm, PublishError, Deliver (v1 and v2), MetadataUpdate, Credit's
 * error response and ConsumerUpdate.
 *
 * Layouts that break the "key, version, correlation id, code" rule, and are
 * handled in rs_frame_decode(): the Metadata response has no code, the Credit
 * response has no correlation id, and the server's Close request carries a
 * correlation id and a code.
 */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include "frame.h"
#include "proto.h"

/* Start a frame: size placeholder, key, version; returns where it starts. */
static size_t
begin(struct rs_buf *b, uint16_t key)
{
	size_t	 start = b->len;

	rs_buf_u32(b, 0);
	rs_buf_u16(b, key);
	rs_buf_u16(b, 1);
	return start;
}

/* Patch the size of the frame that starts at start. */
static void
end(struct rs_buf *b, size_t start)
{
	if (b->oom)
		return;
	rs_wire_w32(b->data + start, (uint32_t)(b->len - start - 4));
}

static void
put_map(struct rs_buf *b, const char *const *kv, size_t n)
{
	size_t	 i;

	rs_buf_u32(b, (uint32_t)n);
	for (i = 0; i < 2 * n; i++)
		rs_buf_str(b, kv[i]);
}

void
rs_frame_peer_properties(struct rs_buf *b, uint32_t corr, const char *const *kv,
    size_t n)
{
	size_t	 s = begin(b, RS_PEER_PROPERTIES);

	rs_buf_u32(b, corr);
	put_map(b, kv, n);
	end(b, s);
}

void
rs_frame_sasl_handshake(struct rs_buf *b, uint32_t corr)
{
	size_t	 s = begin(b, RS_SASL_HANDSHAKE);

	rs_buf_u32(b, corr);
	end(b, s);
}

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

void
rs_frame_tune(struct rs_buf *b, uint32_t frame_max, uint32_t heartbeat)
{
	size_t	 s = begin(b, RS_TUNE);

	rs_buf_u32(b, frame_max);
	rs_buf_u32(b, heartbeat);
	end(b, s);
}

void
rs_frame_open(struct rs_buf *b, uint32_t corr, const char *vhost)
{
	size_t	 s = begin(b, RS_OPEN);

	rs_buf_u32(b, corr);
	rs_buf_str(b, vhost);
	end(b, s);
}

void
rs_frame_close(struct rs_buf *b, uint32_t corr, uint16_t code, const char *reason)
{
	size_t	 s = begin(b, RS_CLOSE);

	rs_buf_u32(b, corr);
	rs_buf_u16(b, code);
	rs_buf_str(b, reason);
	end(b, s);
}

void
rs_frame_close_response(struct rs_buf *b, uint32_t corr, uint16_t code)
{
	size_t	 s = begin(b, RS_CLOSE | RS_RESPONSE);

	rs_buf_u32(b, corr);
	rs_buf_u16(b, code);
	end(b, s);
}

void
rs_frame_heartbeat(struct rs_buf *b)
{
	end(b, begin(b, RS_HEARTBEAT));
}

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

void
rs_frame_delete(struct rs_buf *b, uint32_t corr, const char *stream)
{
	size_t	 s = begin(b, RS_DELETE);

	rs_buf_u32(b, corr);
	rs_buf_str(b, stream);
	end(b, s);
}

void
rs_frame_metadata(struct rs_buf *b, uint32_t corr, const char *const *streams,
    size_t n)
{
	size_t	 s = begin(b, RS_METADATA), i;

	rs_buf_u32(b, corr);
	rs_buf_u32(b, (uint32_t)n);
	for (i = 0; i < n; i++)
		rs_buf_str(b, streams[i]);
	end(b, s);
}

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

void
rs_frame_delete_publisher(struct rs_buf *b, uint32_t corr, uint8_t id)
{
	size_t	 s = begin(b, RS_DELETE_PUBLISHER);

	rs_buf_u32(b, corr);
	rs_buf_u8(b, id);
	end(b, s);
}

void
rs_frame_subscribe(struct rs_buf *b, uint32_t corr, uint8_t id,
    const char *stream, uint16_t type, uint64_t offset, uint16_t credit,
    const char *const *kv, size_t n)
{
	size_t	 s = begin(b, RS_SUBSCRIBE);

	rs_buf_u32(b, corr);
	rs_buf_u8(b, id);
	rs_buf_str(b, stream);
	rs_buf_u16(b, type);
	if (type == RS_OFFSET_OFFSET || type == RS_OFFSET_TIMESTAMP)
		rs_buf_u64(b, offset);
	rs_buf_u16(b, credit);
	if (n > 0)
		put_map(b, kv, n);
	end(b, s);
}

void
rs_frame_unsubscribe(struct rs_buf *b, uint32_t corr, uint8_t id)
{
	size_t	 s = begin(b, RS_UNSUBSCRIBE);

	rs_buf_u32(b, corr);
	rs_buf_u8(b, id);
	end(b, s);
}

void
rs_frame_credit(struct rs_buf *b, uint8_t id, uint16_t credit)
{
	size_t	 s = begin(b, RS_CREDIT);

	rs_buf_u8(b, id);
	rs_buf_u16(b, credit);
	end(b, s);
}

size_t
rs_frame_publish_begin(struct rs_buf *b, uint8_t id)
{
	size_t	 s = begin(b, RS_PUBLISH);

	rs_buf_u8(b, id);
	rs_buf_u32(b, 0);
	return s;
}

void
rs_frame_publish_msg(struct rs_buf *b, uint64_t id, uint32_t len)
{
	rs_buf_u64(b, id);
	rs_buf_u32(b, len & 0x7fffffff);
}

void
rs_frame_publish_end(struct rs_buf *b, size_t start, uint32_t count)
{
	if (b->oom)
		return;
	rs_wire_w32(b->data + start + 9, count);
	end(b, start);
}

/* Which received frames carry a correlation id, and which a response code. */
static void
layout(uint16_t key, int *corr, int *code)
{
	*corr = *code = 0;
	if (key & RS_RESPONSE) {
		switch (key & ~RS_RESPONSE) {
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
	switch (key) {
	case RS_CLOSE:
		*corr = *code = 1;
		break;
	case RS_CONSUMER_UPDATE:
		*corr = 1;
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
	layout(f->key, &f->has_corr, &has_code);
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
 * Find a key in the map that makes up the body (PeerProperties and Open
 * responses). 1 found, 0 absent (or no map at all), -1 malformed.
 */
int
rs_frame_map_find(const struct rs_frame *f, const char *key, struct rs_str *val)
{
	struct rs_cur	 c = f->body;
	struct rs_str	 k, v;
	uint32_t	 n, i;
	size_t		 klen = strlen(key);

	if (c.left == 0)
		return 0;
	if (rs_cur_count(&c, &n, 4) == -1)
		return -1;
	for (i = 0; i < n; i++) {
		if (rs_cur_str(&c, &k.p, &k.len) == -1 ||
		    rs_cur_str(&c, &v.p, &v.len) == -1)
			return -1;
		if (k.len == klen && memcmp(k.p, key, klen) == 0) {
			*val = v;
			return 1;
		}
	}
	return 0;
}

/* Does a SaslHandshake response list this mechanism? 1 yes, 0 no, -1 malformed. */
int
rs_frame_mechanisms_has(const struct rs_frame *f, const char *mech)
{
	struct rs_cur	 c = f->body;
	struct rs_str	 m;
	uint32_t	 n, i;
	size_t		 len = strlen(mech);
	int		 found = 0;

	if (rs_cur_count(&c, &n, 2) == -1)
		return -1;
	for (i = 0; i < n; i++) {
		if (rs_cur_str(&c, &m.p, &m.len) == -1)
			return -1;
		if (m.len == len && memcmp(m.p, mech, len) == 0)
			found = 1;
	}
	return found;
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
	struct rs_cur	 c = f->body, brokers;
	struct rs_str	 name, host;
	uint32_t	 nb, ns, nr, i, j, port, self_ref = 0x10000;
	uint16_t	 ref, code, leader, r;
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
		}
		if (code != RS_OK || leader == 0xffff)
			continue;
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

int
rs_frame_metadata_update_decode(const struct rs_frame *f, uint16_t *code,
    struct rs_str *stream)
{
	struct rs_cur	 c = f->body;

	rs_cur_u16(&c, code);
	return rs_cur_str(&c, &stream->p, &stream->len);
}

int
rs_frame_publisher_sequence_decode(const struct rs_frame *f, uint64_t *seq)
{
	struct rs_cur	 c = f->body;

	return rs_cur_u64(&c, seq);
}

/* Deliver: subscription id and the chunk (v2's committed chunk id skipped). */
int
rs_frame_deliver_decode(const struct rs_frame *f, uint8_t *subid,
    const uint8_t **chunk, size_t *len)
{
	struct rs_cur	 c = f->body;

	if (rs_cur_u8(&c, subid) == -1)
		return -1;
	if (f->version >= 2 && rs_cur_skip(&c, 8) == -1)
		return -1;
	*chunk = c.p;
	*len = c.left;
	return 0;
}

int
rs_frame_credit_error_decode(const struct rs_frame *f, uint8_t *subid)
{
	struct rs_cur	 c = f->body;

	return rs_cur_u8(&c, subid);
}

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

int
rs_frame_confirm_next(struct rs_cur *c, uint64_t *id)
{
	return rs_cur_u64(c, id);
}

int
rs_frame_error_next(struct rs_cur *c, uint64_t *id, uint16_t *code)
{
	rs_cur_u64(c, id);
	return rs_cur_u16(c, code);
}
