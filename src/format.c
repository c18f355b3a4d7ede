/*
 * format.c: compile a --format string once, then print records with it.
 */
#include "config.h"

#include <ctype.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "amqp.h"
#include "format.h"
#include "output.h"

static int
add(struct rs_format *f, enum rs_format_tok tok, const char *p, size_t n)
{
	if (n > sizeof f->text - f->used)
		return -1;
	/* Merge adjacent literals (no new token, so not limited by their number). */
	if (tok == RS_FMT_LIT && f->n > 0 && f->t[f->n - 1].tok == RS_FMT_LIT &&
	    f->t[f->n - 1].off + f->t[f->n - 1].len == f->used) {
		memcpy(f->text + f->used, p, n);
		f->used += n;
		f->t[f->n - 1].len += n;
		return 0;
	}
	if (f->n == RS_FORMAT_MAX)
		return -1;
	f->t[f->n].tok = tok;
	f->t[f->n].off = f->used;
	f->t[f->n].len = n;
	memcpy(f->text + f->used, p, n);
	f->used += n;
	f->n++;
	return 0;
}

static int
hexval(int c)
{
	if (isdigit(c))
		return c - '0';
	c = tolower(c);
	return c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
}

/* Compile fmt; -1 with a reason in err for an unknown token or escape. */
int
rs_format_compile(struct rs_format *f, const char *fmt, char *err,
    size_t errlen)
{
	const char	*s, *e;
	char		 c;
	int		 hi, lo, r = 0;

	memset(f, 0, sizeof *f);
	for (s = fmt; *s != '\0' && r == 0; s++) {
		if (*s == '\\') {
			switch (*++s) {
			case 'n': c = '\n'; break;
			case 't': c = '\t'; break;
			case 'r': c = '\r'; break;
			case '0': c = '\0'; break;
			case '\\': c = '\\'; break;
			case 'x':
				if ((hi = hexval((unsigned char)s[1])) < 0 ||
				    (lo = hexval((unsigned char)s[2])) < 0) {
					snprintf(err, errlen, "bad \\x escape");
					return -1;
				}
				c = (char)(hi << 4 | lo);
				s += 2;
				break;
			default:
				snprintf(err, errlen, "unknown escape \\%c",
				    *s ? *s : ' ');
				return -1;
			}
			r = add(f, RS_FMT_LIT, &c, 1);
			continue;
		}
		if (*s != '%') {
			r = add(f, RS_FMT_LIT, s, 1);
			continue;
		}
		switch (*++s) {
		case '%': r = add(f, RS_FMT_LIT, "%", 1); break;
		case 's': r = add(f, RS_FMT_BODY, "", 0); break;
		case 'S': r = add(f, RS_FMT_LEN, "", 0); break;
		case 'R': r = add(f, RS_FMT_LEN32, "", 0); break;
		case 'o': r = add(f, RS_FMT_OFFSET, "", 0); break;
		case 'T': r = add(f, RS_FMT_TS, "", 0); break;
		case 'I': r = add(f, RS_FMT_ISO, "", 0); break;
		case 't': r = add(f, RS_FMT_STREAM, "", 0); break;
		case 'h': r = add(f, RS_FMT_HEADERS, "", 0); break;
		case '{':
			if ((e = strchr(s, '}')) == NULL || e == s + 1 ||
			    e[1] != 'h') {
				snprintf(err, errlen, "expected %%{NAME}h");
				return -1;
			}
			r = add(f, RS_FMT_HEADER, s + 1, (size_t)(e - s - 1));
			s = e + 1;
			break;
		default:
			snprintf(err, errlen, "unknown token %%%c", *s ? *s : ' ');
			return -1;
		}
	}
	if (r == -1) {
		snprintf(err, errlen, "format too long");
		return -1;
	}
	return 0;
}

/* A value's text form, appended. */
static void
text(struct rs_buf *b, const struct rs_amqp_value *v)
{
	rs_amqp_text(b, v, 65536);
}

static void
headers(struct rs_buf *b, const struct rs_amqp_msg *m, const char *name,
    size_t nlen)
{
	struct rs_amqp_iter	 it;
	struct rs_amqp_value	 k, v;
	int			 first = 1;

	if (m->application_properties.type != RS_AMQP_T_MAP)
		return;
	rs_amqp_iter_init(&it, &m->application_properties);
	while (rs_amqp_iter_next(&it, &k) == 1 &&
	    rs_amqp_iter_next(&it, &v) == 1) {
		if (name != NULL) {
			if ((k.type == RS_AMQP_T_STRING ||
			    k.type == RS_AMQP_T_SYMBOL) && k.n == nlen &&
			    memcmp(k.p, name, nlen) == 0) {
				text(b, &v);
				return;
			}
			continue;
		}
		if (!first)
			rs_buf_u8(b, ',');
		first = 0;
		text(b, &k);
		rs_buf_u8(b, '=');
		text(b, &v);
	}
}

/* Append one record as the format says. */
void
rs_format_record(const struct rs_format *f, struct rs_buf *b,
    const struct rs_record_meta *meta, const uint8_t *rec, size_t len)
{
	struct rs_amqp_msg	 m;
	struct rs_buf		 body;
	struct tm		 tm;
	time_t			 t;
	char			 num[64];
	size_t			 i;
	int			 amqp, n, ms;

	amqp = rs_amqp_parse(&m, rec, len);
	rs_buf_init(&body);
	rs_output_body(&body, rec, len);
	for (i = 0; i < f->n; i++) {
		n = 0;
		switch (f->t[i].tok) {
		case RS_FMT_LIT:
			rs_buf_put(b, f->text + f->t[i].off, f->t[i].len);
			break;
		case RS_FMT_BODY:
			rs_buf_put(b, body.data, body.len);
			break;
		case RS_FMT_LEN:
			n = snprintf(num, sizeof num, "%zu", body.len);
			break;
		case RS_FMT_LEN32:
			rs_buf_u32(b, (uint32_t)body.len);
			break;
		case RS_FMT_OFFSET:
			n = snprintf(num, sizeof num, "%" PRIu64, meta->offset);
			break;
		case RS_FMT_TS:
			n = snprintf(num, sizeof num, "%" PRId64, meta->timestamp);
			break;
		case RS_FMT_ISO:
			/* Floored: -1 ms is 23:59:59.999 the day before. */
			t = (time_t)(meta->timestamp / 1000);
			ms = (int)(meta->timestamp % 1000);
			if (ms < 0) {
				ms += 1000;
				t--;
			}
			if (gmtime_r(&t, &tm) != NULL) {
				n = (int)strftime(num, sizeof num,
				    "%Y-%m-%dT%H:%M:%S", &tm);
				n += snprintf(num + n, sizeof num - (size_t)n,
				    ".%03dZ", ms);
			}
			break;
		case RS_FMT_STREAM:
			rs_buf_put(b, meta->stream, strlen(meta->stream));
			break;
		case RS_FMT_HEADERS:
			if (amqp)
				headers(b, &m, NULL, 0);
			break;
		case RS_FMT_HEADER:
			if (amqp)
				headers(b, &m, f->text + f->t[i].off,
				    f->t[i].len);
			break;
		}
		if (n > 0)
			rs_buf_put(b, num, (size_t)n);
	}
	rs_buf_free(&body);
}
