/*
 * superadm.c: rstream-cat --super-stream's requests to the broker
 * (superadm.h says what and why).
 *
 * One connection at a time, to the first seed that answers (the next is
 * tried only while they are unavailable). Each request is written, then
 * wait_for() runs the loop until its reply (or the connection's end) stops
 * the wait. The create and delete commands came with RabbitMQ 3.13: on
 * 3.11 and 3.12 the message says which rabbitmq-streams command does the
 * same on a node. Route's answers are cached by key in a hash table (the
 * key's murmur3, as route.c has it), so a key is asked once per run; a
 * connection lost while idle between two keys is made again for the next
 * one.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "frame.h"
#include "proto.h"
#include "route.h"
#include "superadm.h"

#define CACHE_BUCKETS	4096

/* One routing key's partitions, as Route gave them. */
struct rs_route_entry {
	struct rs_route_entry	*next;
	size_t			 klen;
	size_t			 n;
	uint32_t		*parts;
	char			 key[];
};

/* End the wait the loop runs for. */
static void
wake(struct rs_superadm *a)
{
	a->waiting = 0;
	rs_loop_break(a->loop);
}

/* The connection's callbacks: each ends the wait it is in. */
static void
c_ready(struct rs_conn *c, void *ud)
{
	(void)c;
	wake(ud);
}

static void
c_error(struct rs_conn *c, void *ud)
{
	struct rs_superadm	*a = ud;

	rs_err_set(a->err, rs_conn_err(c)->kind, "%s", rs_conn_err(c)->msg);
	a->dead = 1;
	wake(a);
}

static void
c_closed(struct rs_conn *c, void *ud)
{
	struct rs_superadm	*a = ud;

	(void)c;
	a->dead = 1;
	wake(a);
}

static void
c_log(struct rs_conn *c, const char *msg, void *ud)
{
	struct rs_superadm	*a = ud;

	(void)c;
	rs_say(a->log, a->log_ud, "%s", msg);
}

static const struct rs_conn_handler handler = {
	c_ready, NULL, c_error, c_closed, NULL, c_log
};

/* Set up for the super stream super; nothing is connected yet. */
void
rs_superadm_init(struct rs_superadm *a, struct rs_loop *loop,
    const struct rs_connect *cc, const char *super,
    void (*log)(const char *, void *), void *log_ud, struct rs_err *err)
{
	memset(a, 0, sizeof *a);
	a->loop = loop;
	a->cc = cc;
	a->super = super;
	a->log = log;
	a->log_ud = log_ud;
	a->err = err;
}

/* Run the loop until the wait ends; 0, or -1 if the connection died. */
static int
wait_for(struct rs_superadm *a)
{
	a->waiting = 1;
	if (a->conn != NULL && rs_conn_flush(a->conn) == -1 && !a->dead) {
		a->dead = 1;
		rs_err_set(a->err, rs_conn_err(a->conn)->kind, "%s",
		    rs_conn_err(a->conn)->msg);
	}
	while (a->waiting && !a->dead)
		rs_loop_run(a->loop);
	return a->dead ? -1 : 0;
}

/* Drop the connection (closing it politely if it is alive). */
void
rs_superadm_disconnect(struct rs_superadm *a)
{
	if (a->conn == NULL)
		return;
	if (!a->dead) {
		rs_conn_close(a->conn);
		wait_for(a);
	}
	rs_conn_free(a->conn);
	a->conn = NULL;
	a->dead = 0;
}

/* Connect to the first seed that answers, a broker with super streams; 0, or -1 (err set). */
int
rs_superadm_connect(struct rs_superadm *a)
{
	const struct rs_connect	*cc = a->cc;
	size_t			 i;

	for (i = 0; i < cc->nuris; i++) {
		a->err->kind = RS_E_OK;
		a->dead = 0;
		a->conn = rs_conn_new(a->loop, &cc->uris[i], NULL, 0, &handler,
		    a);
		if (a->conn == NULL) {
			rs_err_set(a->err, RS_E_RUNTIME, "out of memory");
			return -1;
		}
		rs_conn_set_timeout(a->conn, cc->timeout);
		rs_conn_set_name(a->conn, "rstream-cat super stream router");
		rs_conn_set_heartbeat(a->conn, cc->heartbeat);
		rs_conn_set_tls(a->conn, cc->tls);
		rs_conn_set_sasl(a->conn, cc->sasl);
		if (rs_conn_start(a->conn) == -1) {
			rs_err_set(a->err, rs_conn_err(a->conn)->kind, "%s",
			    rs_conn_err(a->conn)->msg);
		} else if (wait_for(a) == 0) {
			a->frame_max = rs_conn_frame_max(a->conn);
			/* Before anything is asked: a 3.10 broker has none. */
			return rs_conn_require(a->conn,
			    RS_FEATURE_SUPER_STREAMS, a->err);
		}
		rs_conn_free(a->conn);
		a->conn = NULL;
		if (a->err->kind != RS_E_UNAVAILABLE || i + 1 == cc->nuris)
			return -1;
		rs_say(a->log, a->log_ud, "%s", a->err->msg);
	}
	rs_err_set(a->err, RS_E_UNAVAILABLE, "no broker URI");
	return -1;
}

/* A reply with only a code: note it, end the wait. */
static void
on_code(struct rs_conn *c, const struct rs_frame *f, void *ud)
{
	struct rs_superadm	*a = ud;

	(void)c;
	a->code = f->code;
	wake(a);
}

/*
 * The broker must have the super stream commands (3.13); on 3.11 and 3.12
 * say what to do instead. 0, or -1 (err set).
 */
static int
require_commands(struct rs_superadm *a, const char *what, const char *instead)
{
	struct rs_err	 e;

	if (rs_conn_require(a->conn, RS_FEATURE_SUPER_STREAM_COMMANDS,
	    &e) == 0)
		return 0;
	rs_err_set(a->err, RS_E_UNAVAILABLE, "%s a super stream needs RabbitMQ "
	    "3.13 or later (CreateSuperStream, DeleteSuperStream); the broker "
	    "is %s: on one of its nodes, run 'rabbitmq-streams %s %s'%s", what,
	    rs_conn_server_version(a->conn)[0] ?
	    rs_conn_server_version(a->conn) : "older", instead, a->super,
	    strcmp(what, "creating") == 0 ?
	    " (see its --partitions and --binding-keys), then run this without "
	    "--create" : "");
	return -1;
}

/* The kind a refused create or delete fails with: access, or anything else. */
static enum rs_err_kind
refused(uint16_t code)
{
	return code == RS_ACCESS_REFUSED ? RS_E_NOPERM : RS_E_RUNTIME;
}

/* DeleteSuperStream; 0, or -1 (err set). */
int
rs_superadm_delete(struct rs_superadm *a)
{
	if (require_commands(a, "deleting", "delete_super_stream") == -1)
		return -1;
	rs_frame_delete_super_stream(rs_conn_buf(a->conn),
	    rs_conn_corr(a->conn, on_code, a), a->super);
	if (wait_for(a) == -1)
		return -1;
	if (a->code == RS_OK) {
		rs_say(a->log, a->log_ud, "super stream %s deleted", a->super);
		return 0;
	}
	if (a->code == RS_STREAM_DOES_NOT_EXIST)
		rs_err_set(a->err, RS_E_UNAVAILABLE, "super stream does not "
		    "exist");
	else
		rs_err_set(a->err, refused(a->code), "cannot delete the super "
		    "stream: %s", rs_proto_code_str(a->code));
	return -1;
}

/* Write CreateSuperStream for the partitions how names; 0, or -1 (no memory). */
static int
create_request(struct rs_superadm *a, const struct rs_superadm_create *how,
    char **names, char **keys, size_t n)
{
	size_t	 i;

	for (i = 0; i < n; i++) {
		if (how->nbinding_keys > 0)
			keys[i] = strdup(how->binding_keys[i]);
		else if (asprintf(&keys[i], "%zu", i) == -1)
			keys[i] = NULL;
		if (keys[i] == NULL || asprintf(&names[i], "%s-%s", a->super,
		    keys[i]) == -1)
			return -1;
	}
	rs_frame_create_super_stream(rs_conn_buf(a->conn),
	    rs_conn_corr(a->conn, on_code, a), a->super,
	    (const char *const *)names, n, (const char *const *)keys, n,
	    how->args, how->nargs);
	return 0;
}

/* CreateSuperStream; 0 (also if it exists), or -1 (err set). */
int
rs_superadm_create(struct rs_superadm *a, const struct rs_superadm_create *how)
{
	size_t	 n, i;
	char	**names, **keys;
	int	 rc = -1;

	if (require_commands(a, "creating", "add_super_stream") == -1)
		return -1;
	n = how->nbinding_keys > 0 ? how->nbinding_keys : how->npartitions;
	names = calloc(n, sizeof *names);
	keys = calloc(n, sizeof *keys);
	if (names == NULL || keys == NULL ||
	    create_request(a, how, names, keys, n) == -1)
		rs_err_set(a->err, RS_E_RUNTIME, "out of memory");
	else if (wait_for(a) == 0) {
		switch (a->code) {
		case RS_OK:
			rs_say(a->log, a->log_ud, "super stream %s created, %zu "
			    "partitions", a->super, n);
			rc = 0;
			break;
		case RS_STREAM_ALREADY_EXISTS:
			rs_say(a->log, a->log_ud, "super stream %s exists "
			    "already", a->super);
			rc = 0;
			break;
		case RS_PRECONDITION_FAILED:
			rs_err_set(a->err, RS_E_RUNTIME, "cannot create the super "
			    "stream: %s (a partition or the exchange exists with "
			    "other arguments, or a partition name is taken)",
			    rs_proto_code_str(a->code));
			break;
		default:
			rs_err_set(a->err, refused(a->code), "cannot create the "
			    "super stream: %s", rs_proto_code_str(a->code));
			break;
		}
	}
	for (i = 0; names != NULL && keys != NULL && i < n; i++) {
		free(names[i]);
		free(keys[i]);
	}
	free(names);
	free(keys);
	return rc;
}

/*
 * Note a reply's code and end the wait; 1 if it brought names to use, 0 if
 * not (a malformed one fails the connection: what is a "what response").
 */
static int
answered(struct rs_superadm *a, struct rs_conn *c,
    const struct rs_partition_reply *r, const char *what)
{
	a->code = r->code;
	wake(a);
	if (r->code != RS_OK)
		return 0;
	if (r->bad) {
		rs_conn_fail(c, RS_E_RUNTIME, "malformed %s response", what);
		return 0;
	}
	return 1;
}

/* The Partitions reply: keep the names, in the broker's order. */
static void
on_partitions(struct rs_conn *c, struct rs_partition_reply *r, void *ud)
{
	struct rs_superadm	*a = ud;

	if (!answered(a, c, r, "Partitions"))
		return;
	a->parts = r->names;
	a->nparts = r->n;
	r->names = NULL;
	r->n = 0;
}

/* Partitions; 0 with parts set, or -1 (err set). */
int
rs_superadm_partitions(struct rs_superadm *a)
{
	size_t	 i;

	a->req.done = on_partitions;
	a->req.ud = a;
	rs_partition_ask(a->conn, &a->req, a->super);
	if (wait_for(a) == -1)
		return -1;
	if (a->code == RS_STREAM_DOES_NOT_EXIST)
		rs_err_set(a->err, RS_E_UNAVAILABLE, "super stream does not exist "
		    "(--create --partitions N creates it)");
	else if (a->code != RS_OK)
		rs_err_set(a->err, a->code == RS_ACCESS_REFUSED ? RS_E_NOPERM :
		    RS_E_UNAVAILABLE, "cannot list the partitions: %s",
		    rs_proto_code_str(a->code));
	else if (a->nparts == 0)
		rs_err_set(a->err, RS_E_UNAVAILABLE, "super stream has no "
		    "partitions");
	else {
		for (i = 0; i < a->nparts; i++)
			rs_say(a->log, a->log_ud, "partition %zu: %s", i,
			    a->parts[i]);
		return 0;
	}
	return -1;
}

/* The Route reply: the partitions a key goes to, as indexes. */
static void
on_route(struct rs_conn *c, struct rs_partition_reply *r, void *ud)
{
	struct rs_superadm	*a = ud;
	size_t			 i, j;

	a->nroute = 0;
	if (!answered(a, c, r, "Route"))
		return;
	for (i = 0; i < r->n; i++) {
		for (j = 0; j < a->nparts; j++)
			if (strcmp(a->parts[j], r->names[i]) == 0)
				break;
		if (j == a->nparts) {
			a->code = RS_INTERNAL_ERROR;	/* not a partition */
			return;
		}
		if (a->nroute < a->nparts)
			a->route[a->nroute++] = (uint32_t)j;
	}
}

/* Ask Route for kz (once more on a new connection if one was lost); 0, or -1. */
static int
ask_route(struct rs_superadm *a, const char *kz)
{
	int	 tries;

	a->req.done = on_route;
	a->req.ud = a;
	for (tries = 0;; tries++) {
		if (a->conn == NULL && rs_superadm_connect(a) == -1)
			return -1;
		rs_partition_route(a->conn, &a->req, kz, a->super);
		if (wait_for(a) == 0)
			return 0;
		if (tries > 0 || a->err->kind != RS_E_TEMPFAIL)
			return -1;
		rs_say(a->log, a->log_ud, "%s; connecting again", a->err->msg);
		rs_superadm_disconnect(a);
		a->err->kind = RS_E_OK;
	}
}

/* --routing key: the partitions of a key, from the cache or Route. 0, or -1 (err set). */
int
rs_superadm_route(struct rs_superadm *a, const char *key, size_t klen,
    const uint32_t **parts, size_t *n)
{
	struct rs_route_entry	*e, **b;
	char			 kz[RS_ROUTE_KEY_MAX + 1];

	if ((a->cache == NULL &&
	    (a->cache = calloc(CACHE_BUCKETS, sizeof *a->cache)) == NULL) ||
	    (a->route == NULL &&
	    (a->route = calloc(a->nparts, sizeof *a->route)) == NULL)) {
		rs_err_set(a->err, RS_E_RUNTIME, "out of memory");
		return -1;
	}
	b = &a->cache[rs_route_murmur3(key, klen, 0) % CACHE_BUCKETS];
	for (e = *b; e != NULL; e = e->next)
		if (e->klen == klen && memcmp(e->key, key, klen) == 0) {
			*parts = e->parts;
			*n = e->n;
			return 0;
		}
	if (klen > RS_ROUTE_KEY_MAX || memchr(key, '\0', klen) != NULL) {
		rs_err_set(a->err, RS_E_INPUT, "routing key too long or holds a "
		    "NUL");
		return -1;
	}
	memcpy(kz, key, klen);
	kz[klen] = '\0';
	if (ask_route(a, kz) == -1)
		return -1;
	if (a->code == RS_INTERNAL_ERROR)
		rs_err_set(a->err, RS_E_RUNTIME, "Route for key \"%s\" named a "
		    "stream that is not a partition", kz);
	else if (a->code != RS_OK && a->code != RS_STREAM_DOES_NOT_EXIST)
		rs_err_set(a->err, RS_E_UNAVAILABLE, "Route for key \"%s\": %s",
		    kz, rs_proto_code_str(a->code));
	else if (a->nroute == 0)
		rs_err_set(a->err, RS_E_INPUT, "no partition is bound to routing "
		    "key \"%s\"", kz);
	else if ((e = malloc(sizeof *e + klen + 1)) == NULL ||
	    (e->parts = malloc(a->nroute * sizeof *e->parts)) == NULL) {
		free(e);
		rs_err_set(a->err, RS_E_RUNTIME, "out of memory");
	} else {
		memcpy(e->key, kz, klen + 1);
		e->klen = klen;
		e->n = a->nroute;
		memcpy(e->parts, a->route, a->nroute * sizeof *e->parts);
		e->next = *b;
		*b = e;
		rs_say(a->log, a->log_ud, "routing key \"%s\": partition %s%s",
		    kz, a->parts[e->parts[0]], e->n > 1 ? " and more" : "");
		*parts = e->parts;
		*n = e->n;
		return 0;
	}
	return -1;
}

/*
 * While the router waits for input: let the open connection answer
 * heartbeats; one that died is dropped (Route connects again when needed).
 */
void
rs_superadm_idle(struct rs_superadm *a)
{
	if (a->conn == NULL)
		return;
	rs_loop_poll(a->loop);
	if (a->dead) {
		rs_say(a->log, a->log_ud, "%s; Route connects again when needed",
		    a->err->msg);
		rs_superadm_disconnect(a);
		a->err->kind = RS_E_OK;
	}
}

/* Close the connection, free the partitions and Route's answers. */
void
rs_superadm_free(struct rs_superadm *a)
{
	struct rs_route_entry	*e, *next;
	size_t			 i;

	rs_superadm_disconnect(a);
	for (i = 0; i < a->nparts; i++)
		free(a->parts[i]);
	free(a->parts);
	for (i = 0; a->cache != NULL && i < CACHE_BUCKETS; i++)
		for (e = a->cache[i]; e != NULL; e = next) {
			next = e->next;
			free(e->parts);
			free(e);
		}
	free(a->cache);
	free(a->route);
}
