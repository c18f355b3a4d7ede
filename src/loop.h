/*
 * loop.h: the event loop seam. loop.c is the only file that includes
 * <ev.h>; everything above sees these few hooks: fd readiness, timers,
 * signals and child processes, each calling back with the data pointer it
 * was made with.
 */
#ifndef RS_LOOP_H
#define RS_LOOP_H

#define RS_READ		1
#define RS_WRITE	2

struct rs_loop;
struct rs_io;
struct rs_timer;
struct rs_sig;
struct rs_child;

typedef void rs_io_cb(void *, int);
typedef void rs_cb(void *);
typedef void rs_child_cb(void *, int);

struct rs_loop	*rs_loop_new(void);
void		 rs_loop_free(struct rs_loop *);
void		 rs_loop_run(struct rs_loop *);
void		 rs_loop_once(struct rs_loop *);
void		 rs_loop_poll(struct rs_loop *);
void		 rs_loop_fork(struct rs_loop *);
void		 rs_loop_break(struct rs_loop *);
double		 rs_loop_now(struct rs_loop *);

struct rs_io	*rs_io_new(struct rs_loop *, int, rs_io_cb *, void *);
void		 rs_io_set(struct rs_io *, int);
void		 rs_io_free(struct rs_io *);

struct rs_timer	*rs_timer_new(struct rs_loop *, rs_cb *, void *);
void		 rs_timer_set(struct rs_timer *, double, double);
void		 rs_timer_stop(struct rs_timer *);
void		 rs_timer_free(struct rs_timer *);

struct rs_sig	*rs_sig_new(struct rs_loop *, int, rs_cb *, void *);
void		 rs_sig_free(struct rs_sig *);

/*
 * SIGINT, SIGTERM and SIGHUP, the signals that ask a run to end: the first
 * calls back with its number, for the run to end cleanly (confirms waited
 * for, offsets stored); a second, of any of the three, ends the process by
 * that signal at once.
 */
struct rs_sig_stop;
typedef void rs_sig_stop_cb(void *, int);
struct rs_sig_stop *rs_sig_stop_new(struct rs_loop *, rs_sig_stop_cb *, void *);
void		 rs_sig_stop_free(struct rs_sig_stop *);

struct rs_child	*rs_child_new(struct rs_loop *, int, rs_child_cb *, void *);
void		 rs_child_free(struct rs_child *);

#endif
