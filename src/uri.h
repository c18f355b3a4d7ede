/*
 * uri.h: rabbitmq-stream://user:pass@host:port/vhost (the AMQP URI rules:
 * percent-encoded parts, vhost "/" written %2f). Pure.
 */
#ifndef RS_URI_H
#define RS_URI_H

#define RS_URI_DEFAULT	"rabbitmq-stream://guest:guest@localhost:5552/%2f"

struct rs_uri {
	char	user[256];
	char	password[256];
	char	host[256];
	unsigned port;
	char	vhost[256];
	int	tls;
	int	has_password;	/* the URI gave one (else "guest") */
};

int	rs_uri_parse(struct rs_uri *, const char *, char *, size_t);

#endif
