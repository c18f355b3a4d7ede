/*
 * meter.c: draw the --progress line (progress.c's text) on stderr.
 *
 * As pv(1) does: each draw is a carriage return, the line, and spaces over
 * what is left of a longer previous line; on a terminal the line is cut to
 * its width, so it never wraps (a wrapped line cannot be redrawn in place).
 * At the end the line is overwritten by the final one, which ends with a
 * newline and stays. A message for stderr in between is preceded by
 * rs_meter_clear(), which blanks the line; the next tick draws it again,
 * under the message.
 *
 * The timer fires every RS_PROGRESS_INTERVAL seconds; nothing here runs
 * when there is no meter, and the counters it reads are ones the tools
 * keep anyway.
 */
#include "config.h"

#include <errno.h>
#include <string.h>
#include <sys/ioctl.h>
#include <time.h>
#include <unistd.h>

#include "meter.h"

static double
now(void)
{
	struct timespec	 ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* Write it all, or give up quietly: the line is a courtesy. */
static void
put(int fd, const char *s, size_t n)
{
	ssize_t	 w;

	while (n > 0) {
		if ((w = write(fd, s, n)) == -1) {
			if (errno == EINTR)
				continue;
			return;
		}
		s += w;
		n -= (size_t)w;
	}
}

/* The terminal's width, 80 if it will not say. */
static size_t
width(int fd)
{
	struct winsize	 ws;

	if (ioctl(fd, TIOCGWINSZ, &ws) == 0 && ws.ws_col > 0)
		return ws.ws_col;
	return 80;
}

/* Draw line over the one shown: the final one ends with a newline and stays. */
static void
draw(struct rs_meter *m, const char *line, size_t len, int last)
{
	char	 out[1024];
	size_t	 o = 0, w;

	if (m->tty && !last && len >= (w = width(m->fd)))
		len = w > 1 ? w - 1 : 0;
	if (len > sizeof out - 2 - 256)	/* room for the padding */
		len = sizeof out - 2 - 256;
	out[o++] = '\r';
	memcpy(out + o, line, len);
	o += len;
	if (m->shown > len) {
		w = m->shown - len < 256 ? m->shown - len : 255;
		memset(out + o, ' ', w);
		o += w;
	}
	if (last)
		out[o++] = '\n';
	put(m->fd, out, o);
	m->shown = last ? 0 : len;
	m->drawn = 1;
}

static void
tick(void *ud)
{
	struct rs_meter		*m = ud;
	struct rs_progress	 p;
	char			 line[512];
	size_t			 len;
	double			 t = now();

	memset(&p, 0, sizeof p);
	if (!m->fill(m->ud, &p))
		return;
	rs_progress_rate_add(&m->rate, t, p.has_total ? p.done :
	    p.by_records ? p.records : p.bytes);
	len = rs_progress_line(line, sizeof line, &p, t - m->start,
	    rs_progress_rate_get(&m->rate), 0);
	draw(m, line, len, 0);
}

/*
 * Start a meter on fd (stderr): redrawn every RS_PROGRESS_INTERVAL seconds
 * if live, else only the final line at rs_meter_end(). 0, or -1 (out of
 * memory).
 */
int
rs_meter_start(struct rs_meter *m, struct rs_loop *loop, int fd, int live,
    rs_meter_fill *fill, void *ud)
{
	memset(m, 0, sizeof *m);
	m->fd = fd;
	m->tty = isatty(fd);
	m->live = live;
	m->fill = fill;
	m->ud = ud;
	m->start = now();
	rs_progress_rate_init(&m->rate);
	if (!live)
		return 0;
	if ((m->timer = rs_timer_new(loop, tick, m)) == NULL)
		return -1;
	rs_timer_set(m->timer, RS_PROGRESS_INTERVAL, RS_PROGRESS_INTERVAL);
	return 0;
}

/* Blank the line, if one is shown, before another message goes to stderr. */
void
rs_meter_clear(struct rs_meter *m)
{
	char	 out[258];
	size_t	 n;

	if (m == NULL || m->shown == 0)
		return;
	n = m->shown < 256 ? m->shown : 256;
	out[0] = '\r';
	memset(out + 1, ' ', n);
	out[n + 1] = '\r';
	put(m->fd, out, n + 2);
	m->shown = 0;
}

/* Stop the timer and leave the final line (if the fill callback says to show one). */
void
rs_meter_end(struct rs_meter *m)
{
	struct rs_progress	 p;
	char			 line[512];
	size_t			 len;

	rs_timer_free(m->timer);
	m->timer = NULL;
	memset(&p, 0, sizeof p);
	if (!m->fill(m->ud, &p) && !m->drawn)
		return;
	len = rs_progress_line(line, sizeof line, &p, now() - m->start, -1, 1);
	draw(m, line, len, 1);
}
