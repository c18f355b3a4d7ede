/*
 * multipool.c: the connections rstream-tail's streams share (multipool.h
 * says what and why).
 *
 * The first consumer locates its stream's node over a connection of its
 * own (cluster.c), which attach() keeps as the node's shared one; the
 * others are started then (the engine's kick) and ask Metadata over it
 * (via()): when their node is that one, that is their connection, and no
 * other is made. One whose node is another reaches it over a new
 * connection, which attach() keeps as that node's shared one, or closes
 * to put the consumer on the one already open. A consumer locating over
 * a connection holds a slot on it (locating()), so it has room. A slot is
 * 3 subscription ids (the consumer's main one, and the two it uses to
 * measure the stream), so a connection carries 85 streams: past that a
 * new one is opened. Frames are routed by subscription id (Deliver) or by
 * stream (MetadataUpdate); a failure of the connection goes to every
 * consumer on it, each of which then retries, or ends, on its own.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "frame.h"
#include "multipool.h"
#include "proto.h"

/* One connection to a node, shared by up to RS_MULTIPOOL_SLOTS streams. */
struct rs_multipool_conn {
	struct rs_multipool	*pool;
	struct rs_conn		*c;
	char			 host[256];
	unsigned		 port;
	struct rs_consumer	*slot[RS_MULTIPOOL_SLOTS];
	size_t			 n;		/* slots taken */
	int			 closing;	/* no new streams: being closed */
	int			 dead;		/* failed or closed */
	struct rs_multipool_conn *next;
};

/* How many consumers are asking Metadata over c. */
static size_t
locating(const struct rs_multipool *m, const struct rs_conn *c)
{
	size_t	 i, n = 0;

	for (i = 0; i < m->ncons; i++)
		if (m->cons[i].cluster.via == c && !m->cons[i].cluster.finished &&
		    !m->cons[i].stopped)
			n++;
	return n;
}

static void	pool_frame(struct rs_conn *, const struct rs_frame *, void *);
static void	pool_error(struct rs_conn *, void *);
static void	pool_closed(struct rs_conn *, void *);
static void	spare_over(struct rs_conn *, void *);

static const struct rs_conn_handler pool_handler = {
	NULL, pool_frame, pool_error, pool_closed, NULL, NULL
};
static const struct rs_conn_handler spare_handler = {
	NULL, NULL, spare_over, spare_over, NULL, NULL
};

/* Unlink and free a pooled connection no consumer uses any longer. */
static void
pool_drop(struct rs_multipool_conn *p)
{
	struct rs_multipool_conn	**pp;

	for (pp = &p->pool->conns; *pp != NULL; pp = &(*pp)->next)
		if (*pp == p) {
			*pp = p->next;
			break;
		}
	rs_conn_free(p->c);
	free(p);
}

/* A shared connection to locate a stream over, or NULL. */
struct rs_conn *
rs_multipool_via(struct rs_multipool *m)
{
	struct rs_multipool_conn	*p;

	for (p = m->conns; p != NULL; p = p->next)
		if (!p->closing && !p->dead &&
		    p->n + locating(m, p->c) < RS_MULTIPOOL_SLOTS)
			return p->c;
	return NULL;
}

/* Close the shared connections no stream uses or is locating over. */
void
rs_multipool_sweep(struct rs_multipool *m)
{
	struct rs_multipool_conn	*p;

	for (p = m->conns; p != NULL; p = p->next)
		if (p->n == 0 && !p->closing && !p->dead &&
		    locating(m, p->c) == 0) {
			p->closing = 1;
			rs_conn_close(p->c);
		}
}

/* The located connection c, or the node's shared one: set k->conn and k->sub_base. */
int
rs_multipool_attach(struct rs_multipool *m, struct rs_consumer *k,
    struct rs_conn *c)
{
	struct rs_multipool_conn	*p;
	/* A node by the name it advertises: the seed's and the located ones agree. */
	const char		*host = rs_conn_advertised_host(c);
	unsigned		 port = rs_conn_advertised_port(c);
	size_t			 i;

	if (host == NULL || *host == '\0') {
		host = rs_conn_host(c);
		port = rs_conn_port(c);
	}
	for (p = m->conns; p != NULL; p = p->next)
		if (p->c == c)
			break;
	if (p != NULL) {
		/* Located over a shared connection: that node is the one. */
		if (p->closing || p->dead || p->n >= RS_MULTIPOOL_SLOTS)
			return -1;
		goto slot;
	}
	for (p = m->conns; p != NULL; p = p->next)
		if (!p->closing && !p->dead &&
		    p->n + locating(m, p->c) < RS_MULTIPOOL_SLOTS &&
		    p->port == port && strcmp(p->host, host) == 0)
			break;
	if (p != NULL) {
		/* The node has a connection: this one is not needed. */
		rs_conn_set_handler(c, &spare_handler, m);
		rs_conn_close(c);
	} else {
		if ((p = calloc(1, sizeof *p)) == NULL)
			return -1;
		p->pool = m;
		p->c = c;
		snprintf(p->host, sizeof p->host, "%s", host);
		p->port = port;
		p->next = m->conns;
		m->conns = p;
		rs_conn_set_handler(c, &pool_handler, p);
		m->kick(m->kick_ud);	/* the others can locate over it */
	}
slot:
	for (i = 0; p->slot[i] != NULL; i++)
		;
	p->slot[i] = k;
	p->n++;
	k->conn = p->c;
	k->sub_base = (uint8_t)(i * RS_CONSUMER_SUB_IDS);
	rs_say(m->log, m->log_ud, "%s: reading over the "
	    "connection to %s:%u shared by %zu stream%s", k->cfg.stream, p->host,
	    p->port, p->n, p->n == 1 ? "" : "s");
	return 0;
}

/* k leaves its shared connection; the last one to leave closes it. */
void
rs_multipool_detach(struct rs_multipool *m, struct rs_consumer *k)
{
	struct rs_multipool_conn	*p;
	size_t			 i;
	uint8_t			 s;

	for (p = m->conns; p != NULL; p = p->next)
		if (p->c == k->conn)
			break;
	if (p == NULL)
		return;
	for (i = 0; i < RS_MULTIPOOL_SLOTS; i++)
		if (p->slot[i] == k) {
			p->slot[i] = NULL;
			p->n--;
		}
	rs_conn_forget(p->c, k);
	if (!p->dead && !p->closing) {
		for (s = 0; s < RS_CONSUMER_SUB_IDS; s++)
			rs_frame_unsubscribe(rs_conn_buf(p->c),
			    rs_conn_corr(p->c, NULL, NULL),
			    (uint8_t)(k->sub_base + s));
		rs_conn_flush(p->c);
	}
	if (p->n > 0)
		return;
	if (p->dead)
		pool_drop(p);
	else
		m->kick(m->kick_ud);	/* rs_multipool_sweep() closes it unless one locates over it */
}

/* Route a frame of a shared connection to its consumer(s). */
static void
pool_frame(struct rs_conn *c, const struct rs_frame *f, void *ud)
{
	struct rs_multipool_conn	*p = ud;
	struct rs_consumer	*to[RS_MULTIPOOL_SLOTS];
	const uint8_t		*chunk;
	struct rs_str		 s;
	size_t			 len, i, n = 0;
	uint16_t		 code;
	uint8_t			 sub, code8;

	switch (f->key) {
	case RS_DELIVER:
		if (rs_frame_deliver_decode(f, &sub, &chunk, &len) == -1) {
			rs_conn_fail(c, RS_E_RUNTIME, "malformed Deliver");
			return;
		}
		if (sub / RS_CONSUMER_SUB_IDS < RS_MULTIPOOL_SLOTS &&
		    p->slot[sub / RS_CONSUMER_SUB_IDS] != NULL)
			rs_consumer_frame(p->slot[sub / RS_CONSUMER_SUB_IDS], c, f);
		return;
	case RS_METADATA_UPDATE:
		if (rs_frame_metadata_update_decode(f, &code, &s) == -1)
			return;
		for (i = 0; i < RS_MULTIPOOL_SLOTS; i++)
			if (p->slot[i] != NULL && s.p != NULL &&
			    strlen(p->slot[i]->cfg.stream) == s.len &&
			    memcmp(p->slot[i]->cfg.stream, s.p, s.len) == 0)
				to[n++] = p->slot[i];
		break;
	case RS_CONSUMER_UPDATE:
		if (rs_frame_consumer_update_decode(f, &sub, &code8) == -1) {
			rs_conn_fail(c, RS_E_RUNTIME, "bad frame from the broker: "
			    "malformed ConsumerUpdate");
			return;
		}
		if (sub / RS_CONSUMER_SUB_IDS >= RS_MULTIPOOL_SLOTS ||
		    p->slot[sub / RS_CONSUMER_SUB_IDS] == NULL) {
			rs_conn_fail(c, RS_E_RUNTIME, "bad frame from the broker: "
			    "ConsumerUpdate for subscription %u, which is not a "
			    "single active consumer", (unsigned)sub);
			return;
		}
		to[n++] = p->slot[sub / RS_CONSUMER_SUB_IDS];
		break;
	case RS_CREDIT | RS_RESPONSE:
		if (rs_frame_credit_error_decode(f, &sub) == 0 &&
		    sub / RS_CONSUMER_SUB_IDS < RS_MULTIPOOL_SLOTS &&
		    p->slot[sub / RS_CONSUMER_SUB_IDS] != NULL)
			to[n++] = p->slot[sub / RS_CONSUMER_SUB_IDS];
		break;
	default:
		return;
	}
	for (i = 0; i < n; i++)
		rs_consumer_frame(to[i], c, f);
}

/* A shared connection failed or closed: every consumer on it hears it. */
static void
pool_lost(struct rs_multipool_conn *p, struct rs_conn *c, int closed)
{
	struct rs_consumer	*to[RS_MULTIPOOL_SLOTS], *k;
	size_t			 i, n = 0;

	p->dead = 1;
	/* Those asking Metadata over it ask again over a seed's. */
	for (i = 0; i < p->pool->ncons; i++) {
		k = &p->pool->cons[i];
		if (k->cluster.via == c && !k->cluster.finished && !k->stopped) {
			rs_conn_forget(c, &k->cluster);
			k->cluster.via = NULL;
			rs_cluster_open(&k->cluster);
		}
	}
	for (i = 0; i < RS_MULTIPOOL_SLOTS; i++)
		if (p->slot[i] != NULL)
			to[n++] = p->slot[i];
	if (n == 0) {
		pool_drop(p);
		return;
	}
	/*
	 * The last consumer to leave frees p: touch it no more. One that
	 * left meanwhile (the run ended with another's failure) is skipped.
	 */
	for (i = 0; i < n; i++)
		if (to[i]->conn == c)
			rs_consumer_conn_lost(to[i], c, closed);
}

static void
pool_error(struct rs_conn *c, void *ud)
{
	pool_lost(ud, c, 0);
}

static void
pool_closed(struct rs_conn *c, void *ud)
{
	pool_lost(ud, c, 1);
}

/* A located connection not needed (its node has one): freed once closed. */
static void
spare_over(struct rs_conn *c, void *ud)
{
	(void)ud;
	rs_conn_free(c);
}

/* Free every shared connection still held. */
void
rs_multipool_free(struct rs_multipool *m)
{
	while (m->conns != NULL)
		pool_drop(m->conns);
}
