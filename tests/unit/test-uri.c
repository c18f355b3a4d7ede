/*
 * test-uri.c: stream URIs (src/uri.c). The defaults (guest, guest,
 * localhost, 5552, vhost "/"), a full URI with every part, percent-decoding
 * of the user name, password, host and vhost ("%2f" is "/"), IPv6 hosts in
 * brackets, and +tls with its port 5551. Then the errors: another scheme,
 * ports 0, 65536, letters, signs and empty digits, bad or truncated percent
 * escapes, "%00", an unterminated "[" and junk after "]"; each with a
 * message that does not repeat the password.
 */
#include "config.h"

#include <string.h>

#include "tap.h"
#include "uri.h"

/* Parse s; check every field against the expected ones. */
static void
good(const char *s, const char *user, const char *password, const char *host,
    unsigned port, const char *vhost, int tls)
{
	struct rs_uri	 u;
	char		 err[256] = "";

	if (!is_int(rs_uri_parse(&u, s, err, sizeof err), 0, "%s parses", s)) {
		diag("error: %s", err);
		return;
	}
	is_str(u.user, user, "%s: user \"%s\"", s, user);
	is_str(u.password, password, "%s: password \"%s\"", s, password);
	is_str(u.host, host, "%s: host \"%s\"", s, host);
	is_uint(u.port, port, "%s: port %u", s, port);
	is_str(u.vhost, vhost, "%s: vhost \"%s\"", s, vhost);
	is_int(u.tls, tls, "%s: tls %d", s, tls);
}

/* s must not parse, with a message that does not hold "hunter2". */
static void
bad(const char *s, const char *why)
{
	struct rs_uri	 u;
	char		 err[256] = "";

	is_int(rs_uri_parse(&u, s, err, sizeof err), -1, "%s: %s refused", s,
	    why);
	ok(err[0] != '\0' && strstr(err, "hunter2") == NULL,
	    "%s: message \"%s\" without the password", s, err);
}

static void
test_good(void)
{
	good(RS_URI_DEFAULT, "guest", "guest", "localhost", 5552, "/", 0);
	good("rabbitmq-stream://", "guest", "guest", "localhost", 5552, "/", 0);
	good("rabbitmq-stream://broker", "guest", "guest", "broker", 5552,
	    "/", 0);
	good("rabbitmq-stream://broker/", "guest", "guest", "broker", 5552,
	    "/", 0);
	good("rabbitmq-stream://alice:s3cret@broker.example:5560/prod",
	    "alice", "s3cret", "broker.example", 5560, "prod", 0);
	good("rabbitmq-stream://alice:s3cret@broker.example:5560/%2f",
	    "alice", "s3cret", "broker.example", 5560, "/", 0);
	good("rabbitmq-stream://h/%2Fprod", "guest", "guest", "h", 5552,
	    "/prod", 0);
	good("rabbitmq-stream://h/a%20b?x=1#f", "guest", "guest", "h", 5552,
	    "a b", 0);
	good("rabbitmq-stream://us%65r:p%40ss@h", "user", "p@ss", "h", 5552,
	    "/", 0);
	good("rabbitmq-stream://u:p%3aq%2F@h", "u", "p:q/", "h", 5552, "/", 0);
	good("rabbitmq-stream://u:@h", "u", "", "h", 5552, "/", 0);
	good("rabbitmq-stream://h:1", "guest", "guest", "h", 1, "/", 0);
	good("rabbitmq-stream://h:65535", "guest", "guest", "h", 65535, "/", 0);
	good("rabbitmq-stream://[::1]:5552", "guest", "guest", "::1", 5552,
	    "/", 0);
	good("rabbitmq-stream://[::1]", "guest", "guest", "::1", 5552, "/", 0);
	good("rabbitmq-stream://u:p@[fe80::1]:5600/vh", "u", "p", "fe80::1",
	    5600, "vh", 0);
	good("rabbitmq-stream+tls://h", "guest", "guest", "h", 5551, "/", 1);
	good("rabbitmq-stream+tls://h:5553/v", "guest", "guest", "h", 5553,
	    "v", 1);
	good("rabbitmq-stream+tls://[::1]", "guest", "guest", "::1", 5551, "/",
	    1);
}

static void
test_bad(void)
{
	bad("amqp://guest:hunter2@h", "another scheme");
	bad("rabbitmq-stream:/h", "a missing slash");
	bad("RABBITMQ-STREAM://h", "an upper-case scheme");
	bad("", "an empty string");
	bad("rabbitmq-stream://u:hunter2@h:0", "port 0");
	bad("rabbitmq-stream://u:hunter2@h:65536", "port 65536");
	bad("rabbitmq-stream://u:hunter2@h:99999999999999999999",
	    "a huge port");
	bad("rabbitmq-stream://u:hunter2@h:abc", "port abc");
	bad("rabbitmq-stream://u:hunter2@h:12ab", "port 12ab");
	bad("rabbitmq-stream://u:hunter2@h:+5", "port +5");
	bad("rabbitmq-stream://u:hunter2@h:-1", "port -1");
	bad("rabbitmq-stream://u:hunter2@h: 5", "port \" 5\"");
	bad("rabbitmq-stream://u:hunter2%zz@h", "escape %zz");
	bad("rabbitmq-stream://u:hunter2%4@h", "a short escape");
	bad("rabbitmq-stream://u:hunter2%@h", "a bare %");
	bad("rabbitmq-stream://u%00:hunter2@h", "%00 in the user");
	bad("rabbitmq-stream://u:hunter2%00@h", "%00 in the password");
	bad("rabbitmq-stream://u:hunter2@h/v%00", "%00 in the vhost");
	bad("rabbitmq-stream://u:hunter2@h%00x", "%00 in the host");
	bad("rabbitmq-stream://u:hunter2", "a password read as a port (no @)");
	bad("rabbitmq-stream://u:hunter2/v", "a password read as a port "
	    "before a path");
	bad("rabbitmq-stream://u:hunter2@h/v%2", "a truncated vhost escape");
	bad("rabbitmq-stream://u:hunter2@[::1", "an unterminated [");
	bad("rabbitmq-stream://u:hunter2@[::1:5552/v", "an unterminated [ "
	    "before a path");
	bad("rabbitmq-stream://u:hunter2@[::1]x", "junk after ]");
}

/* Parts longer than the struct's fields. */
static void
test_long(void)
{
	char	 s[600];

	memcpy(s, "rabbitmq-stream://", 18);
	memset(s + 18, 'h', 300);
	s[318] = '\0';
	bad(s, "a host of 300 bytes");
	memset(s + 18, 'h', 255);
	s[273] = '\0';
	good(s, "guest", "guest", s + 18, 5552, "/", 0);
}

int
main(void)
{
	test_good();
	test_bad();
	test_long();
	return done_testing();
}
