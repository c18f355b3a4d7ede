/*
 * message.c: encode a record as the message rstream-cat publishes.
 *
 * The common case, an AMQP 1.0 message with one data section and nothing
 * else, is a few bytes of header computed without touching a buffer. Other
 * cases build the head (properties, application-properties, the data
 * section's header) in a buffer reused from record to record. JSON input
 * is parsed with jansson; its strings live until the next record.
 */
#include "config.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "filter.h"
#include "json.h"
#include "message.h"

#define HEAD_SLACK	64	/* section and list overheads, generously */

/* Is tmpl a valid message-id template? -1 with a reason in err if not. */
int
rs_message_template_check(const char *tmpl, char *err, size_t errlen)
{
	const char	*s;

	for (s = tmpl; *s != '\0'; s++) {
		if (*s != '%')
			continue;
		s++;
		if (*s != 'n' && *s != 'f' && *s != '%') {
			snprintf(err, errlen, "unknown token %%%c (use %%n, %%f "
			    "or %%%%)", *s ? *s : ' ');
			return -1;
		}
	}
	if (strlen(tmpl) > 200) {
		snprintf(err, errlen, "longer than 200 bytes");
		return -1;
	}
	return 0;
}

/*
 * Is spec a valid --filter-value: json:PATH (only with -J input), header:NAME
 * or a template? -1 with a reason in err if not.
 */
int
rs_message_filter_check(const char *spec, int json, char *err, size_t errlen)
{
	if (strncmp(spec, "json:", 5) == 0) {
		if (!json) {
			snprintf(err, errlen, "json:PATH needs -J input");
			return -1;
		}
		if (spec[5] == '\0' || spec[5] == '.' ||
		    spec[strlen(spec) - 1] == '.' || strstr(spec, "..") != NULL) {
			snprintf(err, errlen, "json: wants a member name or a "
			    "dotted path");
			return -1;
		}
		return 0;
	}
	if (strncmp(spec, "header:", 7) == 0) {
		if (spec[7] == '\0') {
			snprintf(err, errlen, "header: wants a property name");
			return -1;
		}
		return 0;
	}
	return rs_message_template_check(spec, err, errlen);
}

void
rs_message_init(struct rs_message *m, const struct rs_message_cfg *cfg)
{
	memset(m, 0, sizeof *m);
	m->cfg = *cfg;
	m->plain = !cfg->raw && !cfg->json && cfg->content_type == NULL &&
	    cfg->content_encoding == NULL && cfg->message_id == NULL &&
	    cfg->nheaders == 0 && cfg->filter_value == NULL;
	rs_buf_init(&m->head);
	rs_buf_init(&m->body);
}

static void
release(struct rs_message *m)
{
	size_t	 i;

	for (i = 0; i < m->nowned; i++)
		free(m->owned[i]);
	m->nowned = 0;
	if (m->root != NULL)
		json_decref(m->root);
	m->root = NULL;
}

void
rs_message_free(struct rs_message *m)
{
	release(m);
	free(m->owned);
	free(m->app);
	rs_buf_free(&m->head);
	rs_buf_free(&m->body);
}

/* An upper bound of the head for a body, when the input is not JSON. */
size_t
rs_message_head_max(const struct rs_message *m)
{
	size_t	 n = RS_AMQP_DATA_HEADER_MAX, i;

	if (m->cfg.raw)
		return 0;
	if (m->plain)
		return n;
	n += HEAD_SLACK;
	if (m->cfg.content_type != NULL)
		n += strlen(m->cfg.content_type) + 5;
	if (m->cfg.content_encoding != NULL)
		n += strlen(m->cfg.content_encoding) + 5;
	if (m->cfg.message_id != NULL)
		n += sizeof m->msgid + 5;
	for (i = 0; i < m->cfg.nheaders; i++)
		n += strlen(m->cfg.headers[i].key) +
		    strlen(m->cfg.headers[i].value) + 10;
	if (m->cfg.filter_value != NULL)
		n += sizeof RS_FILTER_PROPERTY + RS_FILTER_VALUE_MAX + 10;
	return n;
}

/* Expand template tmpl for record r of file into out (cap bytes). */
static const char *
expand(const char *tmpl, uint64_t r, const char *file, char *out, size_t cap)
{
	const char	*s;
	size_t		 o = 0;
	int		 n;

	for (s = tmpl; *s != '\0' && o + 1 < cap; s++) {
		if (*s != '%') {
			out[o++] = *s;
			continue;
		}
		if (s[1] == '\0')
			break;	/* a lone % at the end (the check refuses it) */
		switch (*++s) {
		case 'n':
			n = snprintf(out + o, cap - o, "%" PRIu64, r);
			break;
		case 'f':
			n = snprintf(out + o, cap - o, "%s", file);
			break;
		default:
			n = snprintf(out + o, cap - o, "%%");
			break;
		}
		if (n < 0)
			break;
		o += (size_t)n < cap - o ? (size_t)n : cap - o - 1;
	}
	out[o] = '\0';
	return out;
}

/* Expand the message-id template for record r of file. */
static const char *
message_id(struct rs_message *m, uint64_t r, const char *file)
{
	return expand(m->cfg.message_id, r, file, m->msgid, sizeof m->msgid);
}

static int __attribute__((format(printf, 2, 3)))
bad(struct rs_message *m, const char *fmt, ...)
{
	va_list	 ap;

	va_start(ap, fmt);
	vsnprintf(m->errstr, sizeof m->errstr, fmt, ap);
	va_end(ap);
	return -1;
}

/* A string that lives until the next record. */
static const char *
own(struct rs_message *m, char *s)
{
	char	**p;
	size_t	 cap;

	if (s == NULL)
		return NULL;
	if (m->nowned == m->capowned) {
		cap = m->capowned ? 2 * m->capowned : 16;
		if ((p = realloc(m->owned, cap * sizeof *p)) == NULL) {
			free(s);
			return NULL;
		}
		m->owned = p;
		m->capowned = cap;
	}
	m->owned[m->nowned++] = s;
	return s;
}

/* A JSON value as property text: strings as they are, others as JSON. */
static const char *
text_of(struct rs_message *m, json_t *v)
{
	if (json_is_string(v))
		return json_string_value(v);
	if (json_is_null(v))
		return NULL;
	return own(m, json_dumps(v, JSON_ENCODE_ANY | JSON_COMPACT));
}

/* A JSON string with a NUL byte: a C-string property would lose its tail. */
static int
has_nul(json_t *v)
{
	return json_is_string(v) &&
	    strlen(json_string_value(v)) != json_string_length(v);
}

static int
add_app(struct rs_message *m, size_t *n, const char *key, const char *value)
{
	struct rs_amqp_kv	*p;
	size_t			 cap;

	if (*n == m->capapp) {
		cap = m->capapp ? 2 * m->capapp : 16;
		if ((p = realloc(m->app, cap * sizeof *p)) == NULL)
			return bad(m, "out of memory");
		m->app = p;
		m->capapp = cap;
	}
	m->app[*n].key = key;
	m->app[*n].value = value;
	(*n)++;
	return 0;
}

/*
 * The user_id property of a JSON line: binary in AMQP 1.0, so base64, as
 * rstream-tail -J writes binary values; any bytes, NUL included.
 */
static int
json_user_id(struct rs_message *m, json_t *v, struct rs_amqp_props *pr)
{
	char	*out;
	size_t	 n, len;

	if (!json_is_string(v))
		return bad(m, "property \"user_id\" is not a string");
	n = json_string_length(v);
	if ((out = malloc(n / 4 * 3 + 1)) == NULL)
		return bad(m, "out of memory");
	if (rs_base64_decode(json_string_value(v), n, (uint8_t *)out,
	    &len) == -1) {
		free(out);
		return bad(m, "property \"user_id\" is not base64 (it is "
		    "binary, written in base64 as rstream-tail -J does)");
	}
	out[len] = '\0';
	if (own(m, out) == NULL)
		return bad(m, "out of memory");
	pr->user_id = out;
	pr->user_id_len = len;
	return 0;
}

/* The properties object of a JSON line into pr. */
static int
json_props(struct rs_message *m, json_t *o, struct rs_amqp_props *pr)
{
	static const char *const names[] = {
		"message_id", "user_id", "to", "subject", "reply_to",
		"correlation_id", "content_type", "content_encoding",
		"absolute_expiry_time", "creation_time", "group_id",
		"group_sequence", "reply_to_group_id"
	};
	const char	**slot[] = {
		&pr->message_id, &pr->user_id, &pr->to, &pr->subject,
		&pr->reply_to, &pr->correlation_id, &pr->content_type,
		&pr->content_encoding, NULL, NULL, &pr->group_id, NULL,
		&pr->reply_to_group_id
	};
	const char	*k;
	json_t		*v;
	size_t		 i;

	if (!json_is_object(o))
		return bad(m, "\"properties\" is not an object");
	json_object_foreach(o, k, v) {
		for (i = 0; i < sizeof names / sizeof names[0]; i++)
			if (strcmp(k, names[i]) == 0)
				break;
		if (i == sizeof names / sizeof names[0])
			return bad(m, "unknown property \"%s\"", k);
		if (json_is_null(v))
			continue;
		if (i == RS_AMQP_P_USER_ID) {
			if (json_user_id(m, v, pr) == -1)
				return -1;
			continue;
		}
		if (slot[i] != NULL) {
			if (has_nul(v))
				return bad(m, "property \"%s\" holds a NUL "
				    "byte", k);
			*slot[i] = text_of(m, v);
			continue;
		}
		if (!json_is_integer(v))
			return bad(m, "property \"%s\" is not an integer", k);
		pr->have |= 1U << i;
		if (i == RS_AMQP_P_ABSOLUTE_EXPIRY_TIME)
			pr->absolute_expiry_time = json_integer_value(v);
		else if (i == RS_AMQP_P_CREATION_TIME)
			pr->creation_time = json_integer_value(v);
		else
			pr->group_sequence = (uint32_t)json_integer_value(v);
	}
	return 0;
}

/* Parse a JSON line into a body, properties and application properties. */
static int
json_record(struct rs_message *m, const uint8_t *rec, size_t n,
    struct rs_amqp_props *pr, int *raw)
{
	json_error_t	 e;
	json_t		*root, *body, *enc, *fmt, *props, *app, *v;
	const char	*k, *s, *val;
	size_t		 napp = 0, i, slen;

	release(m);
	/* NUL bytes are allowed: rstream-tail -J writes a body's as \u0000. */
	root = json_loadb((const char *)rec, n, JSON_REJECT_DUPLICATES |
	    JSON_ALLOW_NUL, &e);
	if (root == NULL)
		return bad(m, "bad JSON at column %d: %s", e.column, e.text);
	m->root = root;
	if (!json_is_object(root))
		return bad(m, "not a JSON object");
	m->body.len = 0;
	body = json_object_get(root, "body");
	enc = json_object_get(root, "body_encoding");
	if (enc != NULL && !(json_is_string(enc) &&
	    strcmp(json_string_value(enc), "base64") == 0))
		return bad(m, "\"body_encoding\" must be \"base64\"");
	if (body == NULL || json_is_null(body))
		;
	else if (json_is_string(body)) {
		s = json_string_value(body);
		slen = json_string_length(body);
		if (enc != NULL) {
			if (rs_buf_reserve(&m->body, slen / 4 * 3 + 3) == -1 ||
			    rs_base64_decode(s, slen, m->body.data,
			    &m->body.len) == -1)
				return bad(m, "\"body\" is not valid base64");
		} else
			rs_buf_put(&m->body, s, slen);
	} else {
		/* An amqp-value or amqp-sequence body: published as its JSON text. */
		if ((s = own(m, json_dumps(body, JSON_ENCODE_ANY |
		    JSON_COMPACT))) == NULL)
			return bad(m, "out of memory");
		rs_buf_put(&m->body, s, strlen(s));
	}
	fmt = json_object_get(root, "format");
	*raw = fmt != NULL && json_is_string(fmt) &&
	    strcmp(json_string_value(fmt), "raw") == 0;
	if ((props = json_object_get(root, "properties")) != NULL &&
	    json_props(m, props, pr) == -1)
		return -1;
	if ((app = json_object_get(root, "application_properties")) != NULL) {
		if (!json_is_object(app))
			return bad(m, "\"application_properties\" is not an "
			    "object");
		json_object_foreach(app, k, v) {
			if (has_nul(v))
				return bad(m, "application property \"%s\" "
				    "holds a NUL byte", k);
			val = text_of(m, v);
			if (val == NULL && !json_is_null(v))
				return bad(m, "out of memory");
			if (add_app(m, &napp, k, val) == -1)
				return -1;
		}
	}
	for (i = 0; i < m->cfg.nheaders; i++)
		if (app == NULL || json_object_get(app, m->cfg.headers[i].key) == NULL)
			if (add_app(m, &napp, m->cfg.headers[i].key,
			    m->cfg.headers[i].value) == -1)
				return -1;
	pr->app = m->app;
	pr->napp = napp;
	return 0;
}

/* The member of the -J object at a dotted path ("a.b.c"), or NULL. */
static json_t *
json_path(json_t *o, const char *path)
{
	const char	*dot;
	char		 name[256];
	size_t		 n;

	while (o != NULL) {
		if (!json_is_object(o))
			return NULL;
		dot = strchr(path, '.');
		n = dot != NULL ? (size_t)(dot - path) : strlen(path);
		if (n >= sizeof name)
			return NULL;
		memcpy(name, path, n);
		name[n] = '\0';
		o = json_object_get(o, name);
		if (dot == NULL)
			return o;
		path = dot + 1;
	}
	return NULL;
}

/*
 * The filter value of record r of file (--filter-value), with app, napp the
 * message's application properties: into m->filter (NULL if it has none,
 * or it is empty). -1 with errstr if the value cannot be one.
 */
static int
filter_of(struct rs_message *m, uint64_t r, const char *file,
    const struct rs_amqp_kv *app, size_t napp)
{
	const char	*spec = m->cfg.filter_value, *v = NULL;
	json_t		*j;
	size_t		 i;

	m->filter = NULL;
	m->filter_len = 0;
	if (spec == NULL)
		return 0;
	if (strncmp(spec, "json:", 5) == 0) {
		if ((j = json_path(m->root, spec + 5)) == NULL || json_is_null(j))
			return 0;
		if (json_is_object(j) || json_is_array(j))
			return bad(m, "the filter value \"%s\" is not a string "
			    "or a number", spec + 5);
		if (has_nul(j))
			return bad(m, "the filter value \"%s\" holds a NUL "
			    "byte", spec + 5);
		if ((v = text_of(m, j)) == NULL)
			return bad(m, "out of memory");
	} else if (strncmp(spec, "header:", 7) == 0) {
		for (i = 0; i < napp; i++)
			if (strcmp(app[i].key, spec + 7) == 0)
				v = app[i].value;
		if (v == NULL)
			return 0;
	} else
		v = expand(spec, r, file, m->filterbuf, sizeof m->filterbuf);
	if (*v == '\0')
		return 0;
	if (strlen(v) > RS_FILTER_VALUE_MAX)
		return bad(m, "the filter value is longer than %d bytes",
		    RS_FILTER_VALUE_MAX);
	m->filter = v;
	m->filter_len = strlen(v);
	return 0;
}

/*
 * The application properties of pr, with x-stream-filter-value set to the
 * record's filter value (in place of any it had).
 */
static int
with_filter(struct rs_message *m, struct rs_amqp_props *pr)
{
	size_t	 i, n = 0;

	if (pr->app == m->app) {
		for (i = 0; i < pr->napp; i++)
			if (strcmp(m->app[i].key, RS_FILTER_PROPERTY) != 0)
				m->app[n++] = m->app[i];
	} else
		for (i = 0; i < pr->napp; i++)
			if (strcmp(pr->app[i].key, RS_FILTER_PROPERTY) != 0 &&
			    add_app(m, &n, pr->app[i].key, pr->app[i].value) == -1)
				return -1;
	if (add_app(m, &n, RS_FILTER_PROPERTY, m->filter) == -1)
		return -1;
	pr->app = m->app;
	pr->napp = n;
	return 0;
}

/*
 * The message for record r (rec, n) read from file: *head, *hlen and
 * *body, *blen to publish one after the other. Both live until the next
 * call. -1 with errstr for a bad JSON line.
 */
int
rs_message_encode(struct rs_message *m, uint64_t r, const char *file,
    const uint8_t *rec, size_t n, const uint8_t **head, size_t *hlen,
    const uint8_t **body, size_t *blen)
{
	struct rs_amqp_props	 pr;
	int			 raw = m->cfg.raw;

	*body = rec;
	*blen = n;
	m->filter = NULL;
	m->filter_len = 0;
	if (raw) {
		*head = NULL;
		*hlen = 0;
		return 0;
	}
	if (m->plain) {
		*hlen = rs_amqp_data_header(m->plain_head, n);
		*head = m->plain_head;
		return 0;
	}
	memset(&pr, 0, sizeof pr);
	if (m->cfg.json) {
		if (json_record(m, rec, n, &pr, &raw) == -1 ||
		    filter_of(m, r, file, pr.app, pr.napp) == -1)
			return -1;
		*body = m->body.data ? m->body.data : (const uint8_t *)"";
		*blen = m->body.len;
		if (raw) {
			*head = NULL;
			*hlen = 0;
			return 0;
		}
	} else {
		pr.app = m->cfg.headers;
		pr.napp = m->cfg.nheaders;
		if (filter_of(m, r, file, pr.app, pr.napp) == -1)
			return -1;
	}
	if (m->filter != NULL && with_filter(m, &pr) == -1)
		return -1;
	if (pr.content_type == NULL)
		pr.content_type = m->cfg.content_type;
	if (pr.content_encoding == NULL)
		pr.content_encoding = m->cfg.content_encoding;
	if (pr.message_id == NULL && m->cfg.message_id != NULL)
		pr.message_id = message_id(m, r, file);
	m->head.len = 0;
	rs_amqp_put_message_head(&m->head, &pr, *blen);
	if (m->head.oom)
		return bad(m, "out of memory");
	*head = m->head.data;
	*hlen = m->head.len;
	return 0;
}
