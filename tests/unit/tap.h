/*
 * tap.h: a tiny Test Anything Protocol helper for the unit tests, header
 * only. Each assertion prints "ok N - what" or "not ok N - what" on stdout;
 * diagnostics go to stderr prefixed with "# ". A program either calls plan()
 * first or lets done_testing() print the plan at the end, and returns what
 * done_testing() returns: 0 if every assertion passed (and as many ran as
 * were planned), 1 otherwise.
 *
 *	ok(cond, fmt, ...)			any condition
 *	is_int(got, want, fmt, ...)		signed integers
 *	is_uint(got, want, fmt, ...)		unsigned integers (u64 included)
 *	is_str(got, want, fmt, ...)		C strings (NULL allowed)
 *	is_mem(got, glen, want, wlen, fmt, ...)	byte strings, hex dump on failure
 *
 * Every helper returns the truth of its assertion, so a test can stop
 * looking further when something it depends on failed.
 */
#ifndef RS_TAP_H
#define RS_TAP_H

#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#define TAP_PRINTF(f, a)	__attribute__((format(printf, f, a)))

static int	tap_planned = -1;
static int	tap_run;
static int	tap_failed;

/* Announce how many assertions will run. */
static inline void
plan(int n)
{
	tap_planned = n;
	printf("1..%d\n", n);
}

/* A diagnostic line, shown by prove(1) and never parsed as a result. */
static inline void TAP_PRINTF(1, 2)
diag(const char *fmt, ...)
{
	va_list	 ap;

	fflush(stdout);
	fputs("# ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

/* Record one result; the description comes from fmt and ap. */
static inline int TAP_PRINTF(2, 0)
tap_vresult(int pass, const char *fmt, va_list ap)
{
	tap_run++;
	if (!pass)
		tap_failed++;
	printf("%sok %d - ", pass ? "" : "not ", tap_run);
	vprintf(fmt, ap);
	putchar('\n');
	return pass;
}

static inline int TAP_PRINTF(2, 3)
ok(int pass, const char *fmt, ...)
{
	va_list	 ap;

	va_start(ap, fmt);
	tap_vresult(pass, fmt, ap);
	va_end(ap);
	return pass;
}

static inline int TAP_PRINTF(3, 4)
is_int(long long got, long long want, const char *fmt, ...)
{
	va_list	 ap;
	int	 pass = (got == want);

	va_start(ap, fmt);
	tap_vresult(pass, fmt, ap);
	va_end(ap);
	if (!pass)
		diag("got %lld, expected %lld", got, want);
	return pass;
}

static inline int TAP_PRINTF(3, 4)
is_uint(unsigned long long got, unsigned long long want, const char *fmt, ...)
{
	va_list	 ap;
	int	 pass = (got == want);

	va_start(ap, fmt);
	tap_vresult(pass, fmt, ap);
	va_end(ap);
	if (!pass)
		diag("got %llu (0x%llx), expected %llu (0x%llx)", got, got,
		    want, want);
	return pass;
}

static inline int TAP_PRINTF(3, 4)
is_str(const char *got, const char *want, const char *fmt, ...)
{
	va_list	 ap;
	int	 pass;

	if (got == NULL || want == NULL)
		pass = (got == want);
	else
		pass = (strcmp(got, want) == 0);
	va_start(ap, fmt);
	tap_vresult(pass, fmt, ap);
	va_end(ap);
	if (!pass)
		diag("got \"%s\", expected \"%s\"", got ? got : "(null)",
		    want ? want : "(null)");
	return pass;
}

/* Dump up to 64 bytes of p in hex as a diagnostic. */
static inline void
tap_hexdump(const char *what, const void *p, size_t n)
{
	const unsigned char	*b = p;
	char			 line[3 * 64 + 8];
	size_t			 i, m = n < 64 ? n : 64;

	line[0] = '\0';
	for (i = 0; i < m; i++)
		snprintf(line + 3 * i, sizeof line - 3 * i, " %02x", b[i]);
	diag("%s (%zu bytes):%s%s", what, n, line, n > m ? " ..." : "");
}

static inline int TAP_PRINTF(5, 6)
is_mem(const void *got, size_t glen, const void *want, size_t wlen,
    const char *fmt, ...)
{
	va_list	 ap;
	int	 pass;
	size_t	 i;

	pass = (glen == wlen && (wlen == 0 || memcmp(got, want, wlen) == 0));
	va_start(ap, fmt);
	tap_vresult(pass, fmt, ap);
	va_end(ap);
	if (!pass) {
		for (i = 0; i < glen && i < wlen; i++)
			if (((const unsigned char *)got)[i] !=
			    ((const unsigned char *)want)[i])
				break;
		diag("first difference at byte %zu", i);
		tap_hexdump("got", got, glen);
		tap_hexdump("expected", want, wlen);
	}
	return pass;
}

/* Print the plan if none was given; the exit status for main(). */
static inline int
done_testing(void)
{
	if (tap_planned < 0)
		printf("1..%d\n", tap_run);
	else if (tap_planned != tap_run)
		diag("planned %d tests but ran %d", tap_planned, tap_run);
	if (tap_failed > 0)
		diag("failed %d of %d tests", tap_failed, tap_run);
	fflush(stdout);
	return (tap_failed > 0 ||
	    (tap_planned >= 0 && tap_planned != tap_run)) ? 1 : 0;
}

#endif
