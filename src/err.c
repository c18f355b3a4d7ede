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
