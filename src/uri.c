/*
 * uri.c: parse a stream URI.
 *
 *	rabbitmq-stream[+tls]://[user[:password]@]host[:port][/vhost]
 *
 * Defaults: guest, guest, localhost, 5552 (5551 with +tls), vhost "/". An
 * empty path means "/"; "/%2f" is "/"; "/x" is "x". IPv6 hosts go in
 * brackets. Every part is percent-decoded; a decoded NUL is refused.
 */
#include "config.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "uri.h"

static int
hexval(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	c = tolower(c);
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	return -1;
}

/* Percent-decode [s, e) into dst (size n). 0 on success, -1 if bad or too long. */
static int
decode(char *dst, size_t n, const char *s, const char *e)
{
	size_t	 i = 0;
	int	 hi, lo;

	for (; s < e; s++) {
		int c = (unsigned char)*s;

		if (c == '%') {
			if (e - s < 3 || (hi = hexval(s[1])) < 0 ||
			    (lo = hexval(s[2])) < 0)
				return -1;
			c = hi << 4 | lo;
			if (c == 0)
				return -1;
			s += 2;
		}
		if (i + 1 >= n)
			return -1;
		dst[i++] = (char)c;
	}
	dst[i] = '\0';
	return 0;
}

/* Parse s into u; -1 with a reason in err (the URI itself is not repeated: it may hold a password). */
int
rs_uri_parse(struct rs_uri *u, const char *s, char *err, size_t errlen)
{
	const char	*p, *at, *auth_end, *colon, *hs, *he, *ps = NULL;
	char		 port[16];
	char		*end;
	unsigned long	 v;

	memset(u, 0, sizeof *u);
	strcpy(u->user, "guest");
	strcpy(u->password, "guest");
	strcpy(u->vhost, "/");
	if (strncmp(s, "rabbitmq-stream://", 18) == 0)
		p = s + 18;
	else if (strncmp(s, "rabbitmq-stream+tls://", 22) == 0) {
		p = s + 22;
		u->tls = 1;
	} else {
		snprintf(err, errlen, "URI must start with rabbitmq-stream:// "
		    "or rabbitmq-stream+tls://");
		return -1;
	}
	u->port = u->tls ? 5551 : 5552;
	auth_end = p + strcspn(p, "/?#");
	at = NULL;
	for (const char *q = p; q < auth_end; q++)
		if (*q == '@')
			at = q;
	if (at != NULL) {
		colon = memchr(p, ':', (size_t)(at - p));
		if (decode(u->user, sizeof u->user, p, colon ? colon : at) == -1 ||
		    (colon && decode(u->password, sizeof u->password,
		    colon + 1, at) == -1)) {
			snprintf(err, errlen, "bad user name or password in URI");
			return -1;
		}
		u->has_password = colon != NULL;
		p = at + 1;
	}
	if (*p == '[') {
		hs = p + 1;
		if ((he = memchr(hs, ']', (size_t)(auth_end - hs))) == NULL) {
			snprintf(err, errlen, "unterminated [ in URI host");
			return -1;
		}
		p = he + 1;
		if (p < auth_end && *p != ':') {
			snprintf(err, errlen, "junk after ] in URI host");
			return -1;
		}
	} else {
		hs = p;
		he = memchr(p, ':', (size_t)(auth_end - p));
		if (he == NULL)
			he = auth_end;
		p = he;
	}
	if (p < auth_end && *p == ':')
		ps = p + 1;
	if (he > hs && decode(u->host, sizeof u->host, hs, he) == -1) {
		snprintf(err, errlen, "bad host in URI");
		return -1;
	}
	if (u->host[0] == '\0')
		strcpy(u->host, "localhost");
	if (ps != NULL && ps < auth_end) {
		if ((size_t)(auth_end - ps) >= sizeof port) {
			snprintf(err, errlen, "bad port in URI");
			return -1;
		}
		memcpy(port, ps, (size_t)(auth_end - ps));
		port[auth_end - ps] = '\0';
		v = strtoul(port, &end, 10);
		if (*end != '\0' || !isdigit((unsigned char)port[0]) ||
		    v == 0 || v > 65535) {
			/* Not quoted: with no '@' the "port" is a password. */
			snprintf(err, errlen, "bad port in URI "
			    "(must be a number from 1 to 65535)");
			return -1;
		}
		u->port = (unsigned)v;
	}
	if (*auth_end == '/' && auth_end[1] != '\0') {
		const char *ve = auth_end + 1 + strcspn(auth_end + 1, "?#");

		if (ve > auth_end + 1 &&
		    decode(u->vhost, sizeof u->vhost, auth_end + 1, ve) == -1) {
			snprintf(err, errlen, "bad virtual host in URI");
			return -1;
		}
	}
	return 0;
}
