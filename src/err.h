/*
 * err.h: how errors travel up the layers: a kind (which the mains turn into
 * an exit status) and a one-line message, owned by the struct that failed.
 */
#ifndef RS_ERR_H
#define RS_ERR_H

enum rs_err_kind {
	RS_E_OK = 0,
	RS_E_RUNTIME,		/* anything else: exit 1 */
	RS_E_INPUT,		/* bad input record: exit 65 */
	RS_E_NOINPUT,		/* input file missing or unreadable: exit 66 */
	RS_E_UNAVAILABLE,	/* stream or broker unavailable: exit 69 */
	RS_E_TEMPFAIL,		/* connection lost, safe to retry: exit 75 */
	RS_E_NOPERM,		/* authentication or access refused: exit 77 */
	RS_E_TLS		/* TLS handshake or certificate refused: exit 76 */
};

struct rs_err {
	enum rs_err_kind	kind;
	char			msg[256];
};

void	rs_err_set(struct rs_err *, enum rs_err_kind, const char *, ...)
	    __attribute__((format(printf, 3, 4)));
void	rs_say(void (*)(const char *, void *), void *, const char *, ...)
	    __attribute__((format(printf, 3, 4)));

#endif
