/*
 * super.c: rstream-cat --super-stream (super.h says what and why).
 *
 * The router's steps, each run to its end before the next:
 *	1. a connection to the first seed that answers; super streams need
 *	   RabbitMQ 3.11 (and CreateSuperStream/DeleteSuperStream 3.13):
 *	   checked here, before anything is sent;
 *	2. --delete: DeleteSuperStream, and done; --create: CreateSuperStream
 *	   (one that exists already is fine, as --create is for streams);
 *	3. Partitions; the connection closes (--routing key keeps it, for
 *	   Route);
 *	4. one child per partition (fork: the parsed options come along), fed
 *	   through a pipe; the loop is re-made in the child (rs_loop_fork);
 *	5. the input, record by record: its key, its partitions, the record
 *	   (or, with -K, its value) framed be32 into their pipes, written
 *	   whenever the input would block and at the end;
 *	6. the pipes close; each child publishes the rest, waits for its
 *	   confirms and exits; the run's status is the first failed child's.
 *
 * Writing to a pipe blocks while its publisher has --max-in-flight records
 * unconfirmed: that is the back-pressure. A signal (SIGINT, SIGTERM,
 * SIGHUP) sent to this process alone is passed on to the children; either
 * way the router stops reading, closes the pipes, waits for the children
 * and then dies of the signal.
 */
#include "config.h"

#include <errno.h>
#include <inttypes.h>
#include <poll.h>
#include <stdarg.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "frame.h"
#include "proto.h"
#include "route.h"
#include "super.h"

#define CACHE_BUCKETS	4096
#define FLUSH_AT	(64u << 10)	/* bytes queued for a pipe before writing */

/* One routing key's partitions, as Route gave them. */
struct rs_route_entry {
	struct rs_route_entry	*next;
	size_t			 klen;
	size_t			 n;
	uint32_t		*parts;
	char			 key[];
};

static struct rs_super		*sig_owner;	/* for the signal handler */
static volatile sig_atomic_t	 sig_got;

static void
say(struct rs_super *s, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* A -v line. */
static void
say(struct rs_super *s, const char *fmt, ...)
{
	char	 msg[512];
	va_list	 ap;

	if (s->cfg.pub.log == NULL)
		return;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	s->cfg.pub.log(msg, s->cfg.pub.log_ud);
}

/* Record why the run fails (the first reason only); -1. */
static int
fail(struct rs_super *s, enum rs_err_kind kind, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static int
fail(struct rs_super *s, enum rs_err_kind kind, const char *fmt, ...)
{
	va_list	 ap;

	if (s->err.kind != RS_E_OK)
		return -1;
	s->err.kind = kind;
	va_start(ap, fmt);
	vsnprintf(s->err.msg, sizeof s->err.msg, fmt, ap);
	va_end(ap);
	return -1;
}

/* The connection's callbacks: each ends the wait it is in. */
static void
c_ready(struct rs_conn *c, void *ud)
{
	struct rs_super	*s = ud;

	(void)c;
	s->waiting = 0;
	rs_loop_break(s->loop);
}

static void
c_frame(struct rs_conn *c, const struct rs_frame *f, void *ud)
{
	(void)c;
	(void)f;
	(void)ud;
}

static void
c_error(struct rs_conn *c, void *ud)
{
	struct rs_super	*s = ud;

	if (s->err.kind == RS_E_OK)
		s->err = *rs_conn_err(c);
	s->dead = 1;
	s->waiting = 0;
	rs_loop_break(s->loop);
}

static void
c_closed(struct rs_conn *c, void *ud)
{
	struct rs_super	*s = ud;

	(void)c;
	s->dead = 1;
	s->waiting = 0;
	rs_loop_break(s->loop);
}

static void
c_log(struct rs_conn *c, const char *msg, void *ud)
{
	(void)c;
	say(ud, "%s", msg);
}

static const struct rs_conn_handler handler = {
	c_ready, c_frame, c_error, c_closed, NULL, c_log
};

/* Run the loop until the wait ends; 0, or -1 if the connection died. */
static int
wait_for(struct rs_super *s)
{
	s->waiting = 1;
	if (s->conn != NULL && rs_conn_flush(s->conn) == -1 && !s->dead) {
		s->dead = 1;
		fail(s, rs_conn_err(s->conn)->kind, "%s",
		    rs_conn_err(s->conn)->msg);
	}
	while (s->waiting && !s->dead)
		rs_loop_run(s->loop);
	return s->dead ? -1 : 0;
}

/* Drop the connection (closing it politely if it is alive). */
static void
disconnect(struct rs_super *s)
{
	if (s->conn == NULL)
		return;
	if (!s->dead) {
		rs_conn_close(s->conn);
		wait_for(s);
	}
	rs_conn_free(s->conn);
	s->conn = NULL;
	s->dead = 0;
}

/* Connect to the first seed that answers; 0, or -1 (err set). */
static int
connect_seed(struct rs_super *s)
{
	const struct rs_connect	*cc = &s->cfg.pub.conn;
	size_t			 i;

	for (i = 0; i < cc->nuris; i++) {
		s->err.kind = RS_E_OK;
		s->dead = 0;
		s->conn = rs_conn_new(s->loop, &cc->uris[i], NULL, 0, &handler,
		    s);
		if (s->conn == NULL)
			return fail(s, RS_E_RUNTIME, "out of memory");
		rs_conn_set_timeout(s->conn, cc->timeout);
		rs_conn_set_name(s->conn, "rstream-cat super stream router");
		rs_conn_set_heartbeat(s->conn, cc->heartbeat);
		rs_conn_set_tls(s->conn, cc->tls);
		rs_conn_set_sasl(s->conn, cc->sasl);
		if (rs_conn_start(s->conn) == -1) {
			fail(s, rs_conn_err(s->conn)->kind, "%s",
			    rs_conn_err(s->conn)->msg);
		} else if (wait_for(s) == 0) {
			s->frame_max = rs_conn_frame_max(s->conn);
			return 0;
		}
		rs_conn_free(s->conn);
		s->conn = NULL;
		if (s->err.kind != RS_E_UNAVAILABLE || i + 1 == cc->nuris)
			return -1;
		say(s, "%s", s->err.msg);
	}
	return fail(s, RS_E_UNAVAILABLE, "no broker URI");
}

/* A reply with only a code: note it, end the wait. */
static void
on_code(struct rs_conn *c, const struct rs_frame *f, void *ud)
{
	struct rs_super	*s = ud;

	(void)c;
	s->code = f->code;
	s->waiting = 0;
	rs_loop_break(s->loop);
}

/*
 * The broker must have the super stream commands (3.13); on 3.11 and 3.12
 * say what to do instead. 0, or -1 (err set).
 */
static int
require_commands(struct rs_super *s, const char *what, const char *instead)
{
	struct rs_err	 e;

	if (rs_conn_require(s->conn, RS_FEATURE_SUPER_STREAMS, &s->err) == -1)
		return -1;
	if (rs_conn_require(s->conn, RS_FEATURE_SUPER_STREAM_COMMANDS,
	    &e) == 0)
		return 0;
	return fail(s, RS_E_UNAVAILABLE, "%s a super stream needs RabbitMQ 3.13 "
	    "or later (CreateSuperStream, DeleteSuperStream); the broker is %s: "
	    "on one of its nodes, run 'rabbitmq-streams %s %s'%s", what,
	    rs_conn_server_version(s->conn)[0] ?
	    rs_conn_server_version(s->conn) : "older", instead,
	    s->cfg.pub.stream, strcmp(what, "creating") == 0 ?
	    " (see its --partitions and --binding-keys), then run this without "
	    "--create" : "");
}

/* DeleteSuperStream; 0, or -1 (err set). */
static int
delete_super(struct rs_super *s)
{
	if (require_commands(s, "deleting", "delete_super_stream") == -1)
		return -1;
	rs_frame_delete_super_stream(rs_conn_buf(s->conn),
	    rs_conn_corr(s->conn, on_code, s), s->cfg.pub.stream);
	if (wait_for(s) == -1)
		return -1;
	switch (s->code) {
	case RS_OK:
		say(s, "super stream %s deleted", s->cfg.pub.stream);
		return 0;
	case RS_STREAM_DOES_NOT_EXIST:
		return fail(s, RS_E_UNAVAILABLE, "super stream does not exist");
	case RS_ACCESS_REFUSED:
		return fail(s, RS_E_NOPERM, "cannot delete the super stream: %s",
		    rs_proto_code_str(s->code));
	default:
		return fail(s, RS_E_RUNTIME, "cannot delete the super stream: %s",
		    rs_proto_code_str(s->code));
	}
}

/* CreateSuperStream; 0 (also if it exists), or -1 (err set). */
static int
create_super(struct rs_super *s)
{
	const struct rs_super_cfg	*cfg = &s->cfg;
	size_t				 n, i;
	char				**names, **keys;
	int				 rc = -1;

	if (require_commands(s, "creating", "add_super_stream") == -1)
		return -1;
	n = cfg->nbinding_keys > 0 ? cfg->nbinding_keys : cfg->npartitions;
	names = calloc(n, sizeof *names);
	keys = calloc(n, sizeof *keys);
	if (names == NULL || keys == NULL)
		goto oom;
	for (i = 0; i < n; i++) {
		if (cfg->nbinding_keys > 0)
			keys[i] = strdup(cfg->binding_keys[i]);
		else if (asprintf(&keys[i], "%zu", i) == -1)
			keys[i] = NULL;
		if (keys[i] == NULL || asprintf(&names[i], "%s-%s",
		    cfg->pub.stream, keys[i]) == -1)
			goto oom;
	}
	rs_frame_create_super_stream(rs_conn_buf(s->conn),
	    rs_conn_corr(s->conn, on_code, s), cfg->pub.stream,
	    (const char *const *)names, n, (const char *const *)keys, n,
	    cfg->pub.create_args, cfg->pub.ncreate);
	if (wait_for(s) == -1)
		goto out;
	switch (s->code) {
	case RS_OK:
		say(s, "super stream %s created, %zu partitions",
		    cfg->pub.stream, n);
		rc = 0;
		break;
	case RS_STREAM_ALREADY_EXISTS:
		say(s, "super stream %s exists already", cfg->pub.stream);
		rc = 0;
		break;
	case RS_PRECONDITION_FAILED:
		fail(s, RS_E_RUNTIME, "cannot create the super stream: %s (a "
		    "partition or the exchange exists with other arguments, or "
		    "a partition name is taken)", rs_proto_code_str(s->code));
		break;
	case RS_ACCESS_REFUSED:
		fail(s, RS_E_NOPERM, "cannot create the super stream: %s",
		    rs_proto_code_str(s->code));
		break;
	default:
		fail(s, RS_E_RUNTIME, "cannot create the super stream: %s",
		    rs_proto_code_str(s->code));
		break;
	}
	goto out;
oom:
	fail(s, RS_E_RUNTIME, "out of memory");
out:
	for (i = 0; names != NULL && keys != NULL && i < n; i++) {
		free(names[i]);
		free(keys[i]);
	}
	free(names);
	free(keys);
	return rc;
}

/* The Partitions reply: the partition names, in the broker's order. */
static void
on_partitions(struct rs_conn *c, const struct rs_frame *f, void *ud)
{
	struct rs_super	*s = ud;
	struct rs_cur	 cur;
	struct rs_str	 str;
	uint32_t	 n, i;

	s->code = f->code;
	s->waiting = 0;
	rs_loop_break(s->loop);
	if (f->code != RS_OK)
		return;
	if (rs_frame_strings_begin(f, &cur, &n) == -1 || n > 65536 ||
	    (s->parts = calloc(n ? n : 1, sizeof *s->parts)) == NULL) {
		rs_conn_fail(c, RS_E_RUNTIME, "malformed Partitions response");
		return;
	}
	for (i = 0; i < n; i++) {
		if (rs_frame_strings_next(&cur, &str) == -1 || str.p == NULL ||
		    str.len == 0 ||
		    (s->parts[i].name = strndup(str.p, str.len)) == NULL) {
			rs_conn_fail(c, RS_E_RUNTIME,
			    "malformed Partitions response");
			return;
		}
		s->parts[i].fd = -1;
		s->parts[i].pid = -1;
		s->nparts++;
	}
}

/* Partitions; 0 with parts set, or -1 (err set). */
static int
partitions(struct rs_super *s)
{
	size_t	 i;

	rs_frame_partitions(rs_conn_buf(s->conn),
	    rs_conn_corr(s->conn, on_partitions, s), s->cfg.pub.stream);
	if (wait_for(s) == -1)
		return -1;
	if (s->code == RS_STREAM_DOES_NOT_EXIST)
		return fail(s, RS_E_UNAVAILABLE, "super stream does not exist "
		    "(--create --partitions N creates it)");
	if (s->code != RS_OK)
		return fail(s, s->code == RS_ACCESS_REFUSED ? RS_E_NOPERM :
		    RS_E_UNAVAILABLE, "cannot list the partitions: %s",
		    rs_proto_code_str(s->code));
	if (s->nparts == 0)
		return fail(s, RS_E_UNAVAILABLE, "super stream has no "
		    "partitions");
	for (i = 0; i < s->nparts; i++)
		say(s, "partition %zu: %s", i, s->parts[i].name);
	return 0;
}

/* The Route reply: the partitions a key goes to, as indexes. */
static void
on_route(struct rs_conn *c, const struct rs_frame *f, void *ud)
{
	struct rs_super	*s = ud;
	struct rs_cur	 cur;
	struct rs_str	 str;
	uint32_t	 n, i;
	size_t		 j;

	s->code = f->code;
	s->waiting = 0;
	s->nroute = 0;
	rs_loop_break(s->loop);
	if (f->code != RS_OK)
		return;
	if (rs_frame_route_begin(f, &cur, &n) == -1) {
		rs_conn_fail(c, RS_E_RUNTIME, "malformed Route response");
		return;
	}
	for (i = 0; i < n; i++) {
		if (rs_frame_strings_next(&cur, &str) == -1 || str.p == NULL) {
			rs_conn_fail(c, RS_E_RUNTIME, "malformed Route response");
			return;
		}
		for (j = 0; j < s->nparts; j++)
			if (strlen(s->parts[j].name) == str.len &&
			    memcmp(s->parts[j].name, str.p, str.len) == 0)
				break;
		if (j == s->nparts) {
			s->code = RS_INTERNAL_ERROR;	/* not a partition */
			return;
		}
		if (s->nroute < s->nparts)
			s->route[s->nroute++] = (uint32_t)j;
	}
}

/* --routing key: the partitions of a key, from the cache or Route. 0, or -1 (err set). */
static int
route_key(struct rs_super *s, const char *key, size_t klen,
    const uint32_t **parts, size_t *n)
{
	struct rs_route_entry	*e, **b;
	char			 kz[RS_ROUTE_KEY_MAX + 1];
	int			 tries;

	b = &s->cache[rs_route_murmur3(key, klen, 0) % CACHE_BUCKETS];
	for (e = *b; e != NULL; e = e->next)
		if (e->klen == klen && memcmp(e->key, key, klen) == 0) {
			*parts = e->parts;
			*n = e->n;
			return 0;
		}
	if (klen > RS_ROUTE_KEY_MAX || memchr(key, '\0', klen) != NULL)
		return fail(s, RS_E_INPUT, "routing key too long or holds a NUL");
	memcpy(kz, key, klen);
	kz[klen] = '\0';
	for (tries = 0;; tries++) {
		if (s->conn == NULL && connect_seed(s) == -1)
			return -1;
		rs_frame_route(rs_conn_buf(s->conn), rs_conn_corr(s->conn,
		    on_route, s), kz, s->cfg.pub.stream);
		if (wait_for(s) == 0)
			break;
		/* A connection lost while idle: once more on a new one. */
		if (tries > 0 || s->err.kind != RS_E_TEMPFAIL)
			return -1;
		say(s, "%s; connecting again", s->err.msg);
		disconnect(s);
		s->err.kind = RS_E_OK;
	}
	if (s->code == RS_INTERNAL_ERROR)
		return fail(s, RS_E_RUNTIME, "Route for key \"%s\" named a "
		    "stream that is not a partition", kz);
	if (s->code != RS_OK && s->code != RS_STREAM_DOES_NOT_EXIST)
		return fail(s, RS_E_UNAVAILABLE, "Route for key \"%s\": %s", kz,
		    rs_proto_code_str(s->code));
	if (s->nroute == 0)
		return fail(s, RS_E_INPUT, "no partition is bound to routing "
		    "key \"%s\"", kz);
	if ((e = malloc(sizeof *e + klen + 1)) == NULL ||
	    (e->parts = malloc(s->nroute * sizeof *e->parts)) == NULL) {
		free(e);
		return fail(s, RS_E_RUNTIME, "out of memory");
	}
	memcpy(e->key, kz, klen + 1);
	e->klen = klen;
	e->n = s->nroute;
	memcpy(e->parts, s->route, s->nroute * sizeof *e->parts);
	e->next = *b;
	*b = e;
	say(s, "routing key \"%s\": partition %s%s", kz,
	    s->parts[e->parts[0]].name, e->n > 1 ? " and more" : "");
	*parts = e->parts;
	*n = e->n;
	return 0;
}

/* A child ended: note its status. */
static void
child_done(void *ud, int status)
{
	struct rs_super_part	*p = ud;

	p->done = 1;
	if (WIFEXITED(status))
		p->status = WEXITSTATUS(status);
	else if (WIFSIGNALED(status))
		p->status = 128 + WTERMSIG(status);
	else
		p->status = 1;
}

/* SIGINT, SIGTERM, SIGHUP in the router: stop reading; pass on one sent to us alone. */
static void
on_signal(int signo, siginfo_t *si, void *uc)
{
	size_t	 i;

	(void)uc;
	if (sig_got == 0)
		sig_got = signo;
	if (sig_owner == NULL || si == NULL || si->si_code != SI_USER)
		return;
	for (i = 0; i < sig_owner->nparts; i++)
		if (sig_owner->parts[i].pid > 0 && !sig_owner->parts[i].done)
			kill(sig_owner->parts[i].pid, signo);
}

static void
catch_signals(int on)
{
	struct sigaction	 sa;
	static const int	 sigs[] = { SIGINT, SIGTERM, SIGHUP };
	size_t			 i;

	memset(&sa, 0, sizeof sa);
	sigemptyset(&sa.sa_mask);
	if (on) {
		sa.sa_sigaction = on_signal;
		sa.sa_flags = SA_SIGINFO;	/* no SA_RESTART: poll() returns */
	} else
		sa.sa_handler = SIG_DFL;
	for (i = 0; i < sizeof sigs / sizeof sigs[0]; i++)
		sigaction(sigs[i], &sa, NULL);
}

/* In the child: become partition i's publisher; never returns. */
static void
become_publisher(struct rs_super *s, size_t i, int rfd)
{
	struct rs_publisher_cfg	 cfg = s->cfg.pub;
	size_t			 j;

	catch_signals(0);
	for (j = 0; j < i; j++)
		close(s->parts[j].fd);
	if (dup2(rfd, STDIN_FILENO) == -1)
		_exit(1);
	close(rfd);
	rs_loop_fork(s->loop);
	cfg.stream = s->parts[i].name;
	cfg.files = NULL;
	cfg.nfiles = 0;
	cfg.framing = RS_INPUT_BE32;
	cfg.create = 0;
	cfg.ncreate = 0;
	cfg.count = 0;
	_exit(s->cfg.publish(&cfg, s->cfg.publish_ud));
}

/* Fork a publisher per partition; 0, or -1 (err set). */
static int
start_children(struct rs_super *s)
{
	size_t	 i;
	int	 fds[2];
	pid_t	 pid;

	fflush(stdout);
	fflush(stderr);
	for (i = 0; i < s->nparts; i++) {
		if (pipe(fds) == -1)
			return fail(s, RS_E_RUNTIME, "pipe: %s", strerror(errno));
		if ((pid = fork()) == -1) {
			close(fds[0]);
			close(fds[1]);
			return fail(s, RS_E_RUNTIME, "fork: %s", strerror(errno));
		}
		if (pid == 0) {
			close(fds[1]);
			become_publisher(s, i, fds[0]);
		}
		close(fds[0]);
		s->parts[i].pid = pid;
		s->parts[i].fd = fds[1];
		if ((s->parts[i].child = rs_child_new(s->loop, pid, child_done,
		    &s->parts[i])) == NULL)
			return fail(s, RS_E_RUNTIME, "out of memory");
	}
	return 0;
}

/*
 * Write what is queued for partition i (blocking while its publisher is
 * busy: the back-pressure); 0, or -1 (err set, or broken set if the
 * publisher is gone). What was written leaves the queue either way.
 */
static int
flush_part(struct rs_super *s, size_t i)
{
	struct rs_super_part	*p = &s->parts[i];
	size_t			 off = 0;
	ssize_t			 n;
	int			 rc = 0;

	while (off < p->out.len) {
		n = write(p->fd, p->out.data + off, p->out.len - off);
		if (n == -1 && errno == EINTR)
			continue;
		if (n == -1 && errno == EPIPE) {
			/* Its publisher has stopped: its status tells why. */
			s->broken = 1;
			rc = -1;
			break;
		}
		if (n == -1) {
			rc = fail(s, RS_E_RUNTIME, "%s: %s", p->name,
			    strerror(errno));
			break;
		}
		off += (size_t)n;
	}
	if (off > 0) {
		memmove(p->out.data, p->out.data + off, p->out.len - off);
		p->out.len -= off;
	}
	return rc;
}

static int
flush_all(struct rs_super *s)
{
	size_t	 i;

	for (i = 0; i < s->nparts; i++)
		if (flush_part(s, i) == -1)
			return -1;
	return 0;
}

/* Queue one record for partition i, be32-framed. 0, or -1. */
static int
queue(struct rs_super *s, size_t i, const uint8_t *rec, size_t n)
{
	struct rs_super_part	*p = &s->parts[i];

	rs_buf_u32(&p->out, (uint32_t)n);
	rs_buf_put(&p->out, rec, n);
	p->records++;
	if (p->out.len >= FLUSH_AT)
		return flush_part(s, i);
	return 0;
}

/* Route one record to its partitions' queues; 0, or -1 (err set). */
static int
route_record(struct rs_super *s, const uint8_t *rec, size_t n)
{
	const struct rs_super_cfg	*cfg = &s->cfg;
	const uint8_t			*key = rec, *val = rec;
	size_t				 klen = 0, vlen = n, k, np = 1;
	char				 jkey[RS_ROUTE_KEY_MAX + 1], why[200];
	uint32_t			 one;
	const uint32_t			*parts = &one;
	uint64_t			 line = s->in.recno - s->src.base;

	if (cfg->key_delim != NULL) {
		if (rs_route_split(rec, n, cfg->key_delim, cfg->key_delim_len,
		    &klen) == -1)
			return fail(s, RS_E_INPUT, "%s: line %" PRIu64 ": record "
			    "%" PRIu64 ": no key delimiter", s->src.name, line,
			    s->in.recno);
		val = rec + klen + cfg->key_delim_len;
		vlen = n - klen - cfg->key_delim_len;
	} else {
		if (rs_route_json_key(rec, n, cfg->key_field, jkey,
		    sizeof jkey, why, sizeof why) == -1)
			return fail(s, RS_E_INPUT, "%s: line %" PRIu64 ": record "
			    "%" PRIu64 ": %s", s->src.name, line, s->in.recno,
			    why);
		key = (const uint8_t *)jkey;
		klen = strlen(jkey);
	}
	if (cfg->by_route) {
		if (route_key(s, (const char *)key, klen, &parts, &np) == -1)
			return -1;
	} else
		one = rs_route_hash(key, klen, (uint32_t)s->nparts);
	for (k = 0; k < np; k++)
		if (queue(s, parts[k], val, vlen) == -1)
			return -1;
	s->routed++;
	return 0;
}

/*
 * Wait until the current file is readable; 0, or -1 on a signal. While
 * the Route connection is open, the loop runs every second meanwhile, for
 * its heartbeats.
 */
static int
wait_input(struct rs_super *s)
{
	struct pollfd	 pfd = { .fd = s->src.fd, .events = POLLIN };
	int		 n;

	if (s->src.always_ready)
		return 0;
	while (sig_got == 0) {
		n = poll(&pfd, 1, s->conn != NULL ? 1000 : -1);
		if (n > 0 || (n == -1 && errno != EINTR))
			return 0;
		if (n == 0 && s->conn != NULL) {
			rs_loop_poll(s->loop);
			if (s->dead) {
				say(s, "%s; Route connects again when needed",
				    s->err.msg);
				disconnect(s);
				s->err.kind = RS_E_OK;
			}
		}
	}
	return -1;
}

/* Step 5: every record of the inputs to its partition. 0, or -1. */
static int
route_input(struct rs_super *s)
{
	const uint8_t	*rec;
	size_t		 n;
	ssize_t		 got;
	int		 r, rc;
	uint32_t	 max = s->frame_max ? s->frame_max : RS_FRAME_MAX_DEFAULT;

	if (s->cfg.pub.delim == NULL) {
		s->cfg.pub.delim = "\n";
		s->cfg.pub.delim_len = 1;
	}
	if (rs_input_init(&s->in, s->cfg.pub.delim, s->cfg.pub.delim_len,
	    s->cfg.pub.msg.json ? 2 * max : max) == -1)
		return fail(s, RS_E_RUNTIME, "out of memory");
	rs_input_set_framing(&s->in, s->cfg.pub.framing);
	s->in_ready = 1;
	rs_source_init(&s->src, s->loop, s->cfg.pub.files, s->cfg.pub.nfiles,
	    &s->in, NULL, NULL);
	if ((r = rs_source_open_next(&s->src)) != 1)
		goto next;
	rs_source_watch(&s->src, 0);
	for (;;) {
		while ((rc = rs_input_next(&s->in, &rec, &n)) != 0) {
			if (rc == -1) {
				if (s->in.oversize && s->cfg.pub.oversize_skip) {
					if (s->cfg.pub.warn != NULL) {
						char	 m[300];

						snprintf(m, sizeof m, "%s: skipped: %s",
						    s->src.name, s->in.errstr);
						s->cfg.pub.warn(m, s->cfg.pub.log_ud);
					}
					rs_input_skip(&s->in);
					continue;
				}
				return fail(s, RS_E_INPUT, "%s: %s", s->src.name,
				    s->in.errstr);
			}
			if (route_record(s, rec, n) == -1)
				return -1;
			if (s->cfg.pub.count > 0 && s->routed == s->cfg.pub.count)
				return flush_all(s);
			if (sig_got != 0)
				return -1;
		}
		if (s->src.eof && s->in.pos == s->in.len && !s->in.discarding) {
			r = rs_source_open_next(&s->src);
next:
			if (r == 0)
				return flush_all(s);
			if (r == -1)
				return fail(s, s->src.err.kind, "%s",
				    s->src.err.msg);
			rs_source_watch(&s->src, 0);
			continue;
		}
		if (!rs_source_more_now(&s->src) && flush_all(s) == -1)
			return -1;
		if (wait_input(s) == -1)
			return -1;
		if ((got = rs_source_read(&s->src)) == -1)
			return fail(s, s->src.err.kind, "%s", s->src.err.msg);
	}
}

/* Step 6: close the pipes, wait for every child. */
static void
finish_children(struct rs_super *s)
{
	size_t	 i;

	for (i = 0; i < s->nparts; i++)
		if (s->parts[i].fd != -1) {
			close(s->parts[i].fd);
			s->parts[i].fd = -1;
		}
	for (;;) {
		for (i = 0; i < s->nparts; i++)
			if (s->parts[i].pid > 0 && !s->parts[i].done)
				break;
		if (i == s->nparts)
			break;
		rs_loop_once(s->loop);
	}
	for (i = 0; i < s->nparts; i++) {
		say(s, "%s: %" PRIu64 " records routed, publisher exit status %d",
		    s->parts[i].name, s->parts[i].records, s->parts[i].status);
		if (s->parts[i].pid > 0 && s->parts[i].status != 0 &&
		    s->child_status == 0)
			s->child_status = s->parts[i].status;
	}
}

/*
 * Run: publish the inputs to the super stream (or create, delete it).
 * 0 when every partition's publisher exited 0; -1 with err set when the
 * router failed, or with child_status the first failed publisher's exit
 * status; a signal that stopped the run is in signo (the main dies of it).
 */
int
rs_super_run(struct rs_super *s, const struct rs_super_cfg *cfg)
{
	int	 rc = -1;

	memset(s, 0, sizeof *s);
	s->cfg = *cfg;
	if ((s->loop = rs_loop_new()) == NULL)
		return fail(s, RS_E_RUNTIME, "cannot start the event loop");
	if (rs_source_check(cfg->pub.files, cfg->pub.nfiles, &s->err) == -1)
		return -1;
	if (connect_seed(s) == -1)
		return -1;
	if (rs_conn_require(s->conn, RS_FEATURE_SUPER_STREAMS, &s->err) == -1)
		goto out;
	if (cfg->delete) {
		rc = delete_super(s);
		goto out;
	}
	if (cfg->pub.create && create_super(s) == -1)
		goto out;
	if (partitions(s) == -1)
		goto out;
	if (cfg->by_route) {
		s->cache = calloc(CACHE_BUCKETS, sizeof *s->cache);
		s->route = calloc(s->nparts, sizeof *s->route);
		if (s->cache == NULL || s->route == NULL) {
			fail(s, RS_E_RUNTIME, "out of memory");
			goto out;
		}
	}
	/* No connection across fork: the children make their own. */
	disconnect(s);
	sig_owner = s;
	catch_signals(1);
	if (start_children(s) == 0) {
		/* What was routed before a failure or a signal is published. */
		if (route_input(s) == -1)
			flush_all(s);
		say(s, "%" PRIu64 " records routed to %zu partitions", s->routed,
		    s->nparts);
	}
	disconnect(s);
	finish_children(s);
	if (s->broken && s->child_status == 0)
		fail(s, RS_E_RUNTIME, "a partition's publisher stopped reading");
	catch_signals(0);
	sig_owner = NULL;
	s->signo = (int)sig_got;
	rc = s->err.kind == RS_E_OK && s->child_status == 0 ? 0 : -1;
out:
	disconnect(s);
	return rc;
}

/* Free what a run holds. */
void
rs_super_free(struct rs_super *s)
{
	struct rs_route_entry	*e, *next;
	size_t			 i;

	disconnect(s);
	for (i = 0; s->parts != NULL && i < s->nparts; i++) {
		free(s->parts[i].name);
		rs_buf_free(&s->parts[i].out);
		rs_child_free(s->parts[i].child);
	}
	free(s->parts);
	for (i = 0; s->cache != NULL && i < CACHE_BUCKETS; i++)
		for (e = s->cache[i]; e != NULL; e = next) {
			next = e->next;
			free(e->parts);
			free(e);
		}
	free(s->cache);
	free(s->route);
	if (s->in_ready)
		rs_input_free(&s->in);
	rs_source_close(&s->src);
	rs_loop_free(s->loop);
}
