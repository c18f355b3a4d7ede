/*
 * err.c: recording an error in the struct that owns it.
 */
#include "config.h"

#include <stdarg.h>
#include <stdio.h>

#include "err.h"

/* Record an error unless one is there already: the first cause wins. */
void
rs_err_set(struct rs_err *e, enum rs_err_kind kind, const char *fmt, ...)
{
	va_list	 ap;

	if (e->kind != RS_E_OK)
		return;
	e->kind = kind;
	va_start(ap, fmt);
	vsnprintf(e->msg, sizeof e->msg, fmt, ap);
	va_end(ap);
}

/* A diagnostic line through fn (the mains' -v log or warning), if set. */
void
rs_say(void (*fn)(const char *, void *), void *ud, const char *fmt, ...)
{
	char	 msg[512];
	va_list	 ap;

	if (fn == NULL)
		return;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	fn(msg, ud);
}
