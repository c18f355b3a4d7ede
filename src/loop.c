/*
 * loop.c: libev behind the hooks of loop.h. The only file with <ev.h>.
 *
 * Watchers find their owner through their data pointer. Signals need the
 * default loop, so that is the one we use.
 */
#include "config.h"

#include <signal.h>
#include <stdlib.h>

#include <ev.h>

#include "loop.h"

struct rs_loop {
	struct ev_loop	*ev;
};

struct rs_io {
	ev_io		 w;
	struct rs_loop	*loop;
	rs_io_cb	*cb;
	void		*data;
	int		 events;
};

struct rs_timer {
	ev_timer	 w;
	struct rs_loop	*loop;
	rs_cb		*cb;
	void		*data;
};

struct rs_sig {
	ev_signal	 w;
	struct rs_loop	*loop;
	rs_cb		*cb;
	void		*data;
};

struct rs_child {
	ev_child	 w;
	struct rs_loop	*loop;
	rs_child_cb	*cb;
	void		*data;
};

struct rs_loop *
rs_loop_new(void)
{
	struct rs_loop	*l;

	if ((l = calloc(1, sizeof *l)) == NULL)
		return NULL;
	if ((l->ev = ev_default_loop(EVFLAG_AUTO)) == NULL) {
		free(l);
		return NULL;
	}
	return l;
}

void
rs_loop_free(struct rs_loop *l)
{
	free(l);
}

void
rs_loop_run(struct rs_loop *l)
{
	ev_run(l->ev, 0);
}

/* Wait for and handle one round of events (a child's end, a reply). */
void
rs_loop_once(struct rs_loop *l)
{
	ev_run(l->ev, EVRUN_ONCE);
}

/* Handle what is due now (timers, ready fds) without waiting. */
void
rs_loop_poll(struct rs_loop *l)
{
	ev_run(l->ev, EVRUN_NOWAIT);
}

/* In a child process after fork(): the loop's kernel state is made anew. */
void
rs_loop_fork(struct rs_loop *l)
{
	ev_loop_fork(l->ev);
}

void
rs_loop_break(struct rs_loop *l)
{
	ev_break(l->ev, EVBREAK_ALL);
}

double
rs_loop_now(struct rs_loop *l)
{
	return ev_now(l->ev);
}

static void
io_fire(struct ev_loop *ev, ev_io *w, int revents)
{
	struct rs_io	*io = w->data;
	int		 events = 0;

	(void)ev;
	if (revents & EV_READ)
		events |= RS_READ;
	if (revents & EV_WRITE)
		events |= RS_WRITE;
	io->cb(io->data, events);
}

struct rs_io *
rs_io_new(struct rs_loop *l, int fd, rs_io_cb *cb, void *data)
{
	struct rs_io	*io;

	if ((io = calloc(1, sizeof *io)) == NULL)
		return NULL;
	io->loop = l;
	io->cb = cb;
	io->data = data;
	ev_io_init(&io->w, io_fire, fd, 0);
	io->w.data = io;
	return io;
}

/* Watch for these events (RS_READ | RS_WRITE); 0 stops watching. */
void
rs_io_set(struct rs_io *io, int events)
{
	int	 ev = 0;

	if (io == NULL || events == io->events)
		return;
	io->events = events;
	ev_io_stop(io->loop->ev, &io->w);
	if (events & RS_READ)
		ev |= EV_READ;
	if (events & RS_WRITE)
		ev |= EV_WRITE;
	if (ev == 0)
		return;
	ev_io_set(&io->w, io->w.fd, ev);
	ev_io_start(io->loop->ev, &io->w);
}

void
rs_io_free(struct rs_io *io)
{
	if (io == NULL)
		return;
	ev_io_stop(io->loop->ev, &io->w);
	free(io);
}

static void
timer_fire(struct ev_loop *ev, ev_timer *w, int revents)
{
	struct rs_timer	*t = w->data;

	(void)ev;
	(void)revents;
	t->cb(t->data);
}

struct rs_timer *
rs_timer_new(struct rs_loop *l, rs_cb *cb, void *data)
{
	struct rs_timer	*t;

	if ((t = calloc(1, sizeof *t)) == NULL)
		return NULL;
	t->loop = l;
	t->cb = cb;
	t->data = data;
	ev_timer_init(&t->w, timer_fire, 0., 0.);
	t->w.data = t;
	return t;
}

/* Fire after seconds, then every repeat seconds (0: once). Restarts a running timer. */
void
rs_timer_set(struct rs_timer *t, double after, double repeat)
{
	ev_timer_stop(t->loop->ev, &t->w);
	ev_timer_set(&t->w, after, repeat);
	ev_timer_start(t->loop->ev, &t->w);
}

void
rs_timer_stop(struct rs_timer *t)
{
	if (t != NULL)
		ev_timer_stop(t->loop->ev, &t->w);
}

void
rs_timer_free(struct rs_timer *t)
{
	if (t == NULL)
		return;
	ev_timer_stop(t->loop->ev, &t->w);
	free(t);
}

static void
sig_fire(struct ev_loop *ev, ev_signal *w, int revents)
{
	struct rs_sig	*s = w->data;

	(void)ev;
	(void)revents;
	s->cb(s->data);
}

struct rs_sig *
rs_sig_new(struct rs_loop *l, int signum, rs_cb *cb, void *data)
{
	struct rs_sig	*s;

	if ((s = calloc(1, sizeof *s)) == NULL)
		return NULL;
	s->loop = l;
	s->cb = cb;
	s->data = data;
	ev_signal_init(&s->w, sig_fire, signum);
	s->w.data = s;
	ev_signal_start(l->ev, &s->w);
	ev_unref(l->ev);	/* a signal watcher alone does not keep the loop running */
	return s;
}

void
rs_sig_free(struct rs_sig *s)
{
	if (s == NULL)
		return;
	ev_ref(s->loop->ev);
	ev_signal_stop(s->loop->ev, &s->w);
	free(s);
}

#define STOP_SIGNALS	3

struct rs_sig_stop {
	struct rs_sig	*sig[STOP_SIGNALS];
	struct stop_one {
		struct rs_sig_stop	*stop;
		int			 signo;
	}		 one[STOP_SIGNALS];
	rs_sig_stop_cb	*cb;
	void		*data;
	int		 fired;
};

/* One of the stop signals: the first calls back, a second ends the process. */
static void
stop_fire(void *data)
{
	struct stop_one		*o = data;
	struct rs_sig_stop	*st = o->stop;

	if (st->fired) {
		signal(o->signo, SIG_DFL);
		raise(o->signo);
		return;
	}
	st->fired = 1;
	st->cb(st->data, o->signo);
}

struct rs_sig_stop *
rs_sig_stop_new(struct rs_loop *l, rs_sig_stop_cb *cb, void *data)
{
	static const int	 signos[STOP_SIGNALS] = { SIGINT, SIGTERM, SIGHUP };
	struct rs_sig_stop	*st;
	size_t			 i;

	if ((st = calloc(1, sizeof *st)) == NULL)
		return NULL;
	st->cb = cb;
	st->data = data;
	for (i = 0; i < STOP_SIGNALS; i++) {
		st->one[i].stop = st;
		st->one[i].signo = signos[i];
		if ((st->sig[i] = rs_sig_new(l, signos[i], stop_fire,
		    &st->one[i])) == NULL) {
			rs_sig_stop_free(st);
			return NULL;
		}
	}
	return st;
}

void
rs_sig_stop_free(struct rs_sig_stop *st)
{
	size_t	 i;

	if (st == NULL)
		return;
	for (i = 0; i < STOP_SIGNALS; i++)
		rs_sig_free(st->sig[i]);
	free(st);
}

static void
child_fire(struct ev_loop *ev, ev_child *w, int revents)
{
	struct rs_child	*c = w->data;

	(void)revents;
	ev_child_stop(ev, w);
	c->cb(c->data, w->rstatus);
}

/* Call back with the wait status once process pid has exited. */
struct rs_child *
rs_child_new(struct rs_loop *l, int pid, rs_child_cb *cb, void *data)
{
	struct rs_child	*c;

	if ((c = calloc(1, sizeof *c)) == NULL)
		return NULL;
	c->loop = l;
	c->cb = cb;
	c->data = data;
	ev_child_init(&c->w, child_fire, pid, 0);
	c->w.data = c;
	ev_child_start(l->ev, &c->w);
	return c;
}

void
rs_child_free(struct rs_child *c)
{
	if (c == NULL)
		return;
	ev_child_stop(c->loop->ev, &c->w);
	free(c);
}
