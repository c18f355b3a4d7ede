/*
 * super.c: rstream-cat --super-stream's router (super.h says what and
 * why): the children, their pipes, the records routed into them, the
 * signals. What is asked of the broker is superadm.c's.
 *
 * The router's steps, each run to its end before the next:
 *	1. a connection to the first seed that answers; super streams need
 *	   RabbitMQ 3.11 (and CreateSuperStream/DeleteSuperStream 3.13):
 *	   checked here, before anything is sent;
 *	2. --delete: DeleteSuperStream, and done; --create: CreateSuperStream
 *	   (one that exists already is fine, as --create is for streams);
 *	3. Partitions; the connection closes (--routing key opens another
 *	   when the first key needs Route, and keeps it);
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
#include "route.h"
#include "super.h"

#define FLUSH_AT	(64u << 10)	/* bytes queued for a pipe before writing */

static struct rs_super		*sig_owner;	/* for the signal handler */
static volatile sig_atomic_t	 sig_got;

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
		if (rs_superadm_route(&s->adm, (const char *)key, klen, &parts,
		    &np) == -1)
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
		n = poll(&pfd, 1, s->adm.conn != NULL ? 1000 : -1);
		if (n > 0 || (n == -1 && errno != EINTR))
			return 0;
		if (n == 0)
			rs_superadm_idle(&s->adm);
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
	uint32_t	 max = s->adm.frame_max ? s->adm.frame_max : RS_FRAME_MAX_DEFAULT;

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
		rs_say(s->cfg.pub.log, s->cfg.pub.log_ud, "%s: %" PRIu64
		    " records routed, publisher exit status %d",
		    s->parts[i].name, s->parts[i].records, s->parts[i].status);
		if (s->parts[i].pid > 0 && s->parts[i].status != 0 &&
		    s->child_status == 0)
			s->child_status = s->parts[i].status;
	}
}

/* One part per partition the broker listed, no child yet; 0, or -1 (err set). */
static int
take_parts(struct rs_super *s)
{
	size_t	 i;

	if ((s->parts = calloc(s->adm.nparts, sizeof *s->parts)) == NULL)
		return fail(s, RS_E_RUNTIME, "out of memory");
	for (i = 0; i < s->adm.nparts; i++) {
		s->parts[i].name = s->adm.parts[i];
		s->parts[i].fd = -1;
		s->parts[i].pid = -1;
	}
	s->nparts = s->adm.nparts;
	return 0;
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
	const struct rs_superadm_create	 how = {
		cfg->npartitions, cfg->binding_keys, cfg->nbinding_keys,
		cfg->pub.create_args, cfg->pub.ncreate
	};
	int				 rc = -1;

	memset(s, 0, sizeof *s);
	s->cfg = *cfg;
	if ((s->loop = rs_loop_new()) == NULL)
		return fail(s, RS_E_RUNTIME, "cannot start the event loop");
	if (rs_source_check(cfg->pub.files, cfg->pub.nfiles, &s->err) == -1)
		return -1;
	rs_superadm_init(&s->adm, s->loop, &cfg->pub.conn, cfg->pub.stream,
	    cfg->pub.log, cfg->pub.log_ud, &s->err);
	if (rs_superadm_connect(&s->adm) == -1)
		goto out;
	if (cfg->delete) {
		rc = rs_superadm_delete(&s->adm);
		goto out;
	}
	if (cfg->pub.create && rs_superadm_create(&s->adm, &how) == -1)
		goto out;
	if (rs_superadm_partitions(&s->adm) == -1 || take_parts(s) == -1)
		goto out;
	/* No connection across fork: the children make their own. */
	rs_superadm_disconnect(&s->adm);
	sig_owner = s;
	catch_signals(1);
	if (start_children(s) == 0) {
		/* What was routed before a failure or a signal is published. */
		if (route_input(s) == -1)
			flush_all(s);
		rs_say(s->cfg.pub.log, s->cfg.pub.log_ud, "%" PRIu64
		    " records routed to %zu partitions", s->routed, s->nparts);
	}
	rs_superadm_disconnect(&s->adm);
	finish_children(s);
	if (s->broken && s->child_status == 0)
		fail(s, RS_E_RUNTIME, "a partition's publisher stopped reading");
	catch_signals(0);
	sig_owner = NULL;
	s->signo = (int)sig_got;
	rc = s->err.kind == RS_E_OK && s->child_status == 0 ? 0 : -1;
out:
	rs_superadm_disconnect(&s->adm);
	return rc;
}

/* Free what a run holds. */
void
rs_super_free(struct rs_super *s)
{
	size_t	 i;

	for (i = 0; s->parts != NULL && i < s->nparts; i++) {
		rs_buf_free(&s->parts[i].out);
		rs_child_free(s->parts[i].child);
	}
	free(s->parts);
	rs_superadm_free(&s->adm);
	if (s->in_ready)
		rs_input_free(&s->in);
	rs_source_close(&s->src);
	rs_loop_free(s->loop);
}
