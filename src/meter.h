/*
 * meter.h: the --progress line on stderr, redrawn from a loop timer. The
 * owner's fill callback says what to show (progress.h); meter.c only
 * samples, formats and writes. Other messages on stderr go through
 * rs_meter_clear() first, so they never land in the middle of the line.
 */
#ifndef RS_METER_H
#define RS_METER_H

#include "loop.h"
#include "progress.h"

/* Fill p with the counts now; 1 to draw them, 0 not (yet): nothing is drawn. */
typedef int rs_meter_fill(void *, struct rs_progress *);

struct rs_meter {
	struct rs_timer		*timer;
	int			 fd;		/* stderr */
	int			 tty;		/* cut the line to the terminal's width */
	int			 live;		/* redraw as it goes; else the final line only */
	double			 start;		/* monotonic seconds */
	size_t			 shown;		/* columns of the line on the screen */
	int			 drawn;		/* drawn once at least */
	struct rs_progress_rate	 rate;
	rs_meter_fill		*fill;
	void			*ud;
};

int	rs_meter_start(struct rs_meter *, struct rs_loop *, int, int,
	    rs_meter_fill *, void *);
void	rs_meter_clear(struct rs_meter *);
void	rs_meter_end(struct rs_meter *);

#endif
