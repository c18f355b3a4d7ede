/*
 * amqptext.c: the text form of an AMQP 1.0 value (defined in amqp.h), for
 * printing bodies that are not data sections and message fields.
 *
 * The text is written through a sink that holds a budget of bytes: into a
 * caller's struct rs_buf (rs_amqp_text) or a char array (rs_amqp_text_fixed),
 * never more than the budget, and the walk over a compound stops as soon as
 * the budget is spent. That bound matters: an array of 2^32-1 nulls takes
 * ten bytes on the wire (AMQP 1.0 part 1 section 1.6.24). The elements of
 * such an array (a constructor of width 0: null, true, uint0, list0...)
 * are all the same, so the text of the first is repeated, a block of
 * copies at a time, not decoded and printed again per element: a hostile
 * record costs a copy of the budget, not a printf per element. Floats
 * print as the shortest decimal that reads back to the same bits; strings
 * inside compounds are quoted as in RFC 8259 (JSON) section 7.
 *
 * rs_amqp_body_next() lives here too: a body that is a scalar amqp-value is
 * given as its text. This file uses amqp.c (the decoder and its iterator);
 * amqp.c uses nothing of this one, so the AMQP files form no circle.
 */
#include "config.h"

#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "amqp.h"
#include "wire.h"

/* A bounded writer of text: into a struct rs_buf, or into a char array. */
struct sink {
	struct rs_buf	*b;
	char		*fixed;
	size_t		 len;		/* bytes in fixed */
	size_t		 left;		/* room before the cut */
	int		 cut;
	size_t		 steps;		/* elements decoded, blocks repeated */
};

/* Write n bytes, or what room is left. */
static void
put(struct sink *s, const void *p, size_t n)
{
	if (n > s->left) {
		n = s->left;
		s->cut = 1;
	}
	if (n == 0)
		return;
	if (s->b != NULL)
		rs_buf_put(s->b, p, n);
	else {
		memcpy(s->fixed + s->len, p, n);
		s->len += n;
	}
	s->left -= n;
}

/* The bytes written so far (where the next put goes). */
static size_t
sink_len(const struct sink *s)
{
	return s->b != NULL ? s->b->len : s->len;
}

/*
 * After the first element of an array whose elements take no bytes (its
 * text from mark on): write "," and that text for the n others, as the walk
 * would, stopping at the cut. -1 if the text is too long to repeat in
 * blocks: the caller walks on.
 */
static int
repeat(struct sink *s, size_t mark, uint32_t n)
{
	char	 block[RS_AMQP_REPEAT_BLOCK];
	size_t	 unit, k;
	uint32_t m;

	if (s->b != NULL && s->b->oom)
		return -1;
	unit = 1 + sink_len(s) - mark;
	if ((k = rs_amqp_repeat_block(block, sizeof block, (s->b != NULL ?
	    (char *)s->b->data : s->fixed) + mark, unit - 1)) == 0)
		return -1;
	while (n > 0 && !s->cut) {
		m = n < k ? n : (uint32_t)k;
		put(s, block, m * unit);
		n -= m;
		s->steps++;
	}
	return 0;
}

/*
 * Fill block (cap bytes) with copies of "," and the len bytes of text, as
 * many as fit: how many, or 0 if fewer than two fit (walk on instead).
 */
size_t
rs_amqp_repeat_block(char *block, size_t cap, const void *text, size_t len)
{
	size_t	 unit = 1 + len, k, i;

	if (unit > cap / 2)
		return 0;
	k = cap / unit;
	for (i = 0; i < k; i++) {
		block[i * unit] = ',';
		memcpy(block + i * unit + 1, text, len);
	}
	return k;
}

/* Write a C string. */
static void
puts_(struct sink *s, const char *str)
{
	put(s, str, strlen(str));
}

/* The shortest decimal that reads back as d (a float if is_float). */
static void
fmt_real(char *buf, size_t sz, double d, int is_float)
{
	int	 prec;

	if (isnan(d)) {
		snprintf(buf, sz, "NaN");
		return;
	}
	if (isinf(d)) {
		snprintf(buf, sz, "%s", d < 0 ? "-Infinity" : "Infinity");
		return;
	}
	for (prec = 1; prec < 17; prec++) {
		snprintf(buf, sz, "%.*g", prec, d);
		if (is_float ? strtof(buf, NULL) == (float)d :
		    strtod(buf, NULL) == d)
			return;
	}
	snprintf(buf, sz, "%.17g", d);
}

/* The UTF-8 of a code point (U+FFFD for one that is not); its length. */
static size_t
utf8(char *buf, uint64_t c)
{
	if (c > 0x10ffff || (c >= 0xd800 && c <= 0xdfff))
		c = 0xfffd;
	if (c < 0x80) {
		buf[0] = (char)c;
		return 1;
	}
	if (c < 0x800) {
		buf[0] = (char)(0xc0 | (c >> 6));
		buf[1] = (char)(0x80 | (c & 0x3f));
		return 2;
	}
	if (c < 0x10000) {
		buf[0] = (char)(0xe0 | (c >> 12));
		buf[1] = (char)(0x80 | ((c >> 6) & 0x3f));
		buf[2] = (char)(0x80 | (c & 0x3f));
		return 3;
	}
	buf[0] = (char)(0xf0 | (c >> 18));
	buf[1] = (char)(0x80 | ((c >> 12) & 0x3f));
	buf[2] = (char)(0x80 | ((c >> 6) & 0x3f));
	buf[3] = (char)(0x80 | (c & 0x3f));
	return 4;
}

/* Write bytes as a quoted JSON string (bytes from 0x80 as they are). */
static void
put_quoted(struct sink *s, const uint8_t *p, size_t n)
{
	char	 esc[8];
	size_t	 i, run = 0;

	put(s, "\"", 1);
	for (i = 0; i < n && !s->cut; i++) {
		if (p[i] >= 0x20 && p[i] != 0x7f && p[i] != '"' &&
		    p[i] != '\\')
			continue;
		put(s, p + run, i - run);
		run = i + 1;
		if (p[i] == '"' || p[i] == '\\') {
			esc[0] = '\\';
			esc[1] = (char)p[i];
			esc[2] = '\0';
		} else if (p[i] == '\n')
			strcpy(esc, "\\n");
		else if (p[i] == '\r')
			strcpy(esc, "\\r");
		else if (p[i] == '\t')
			strcpy(esc, "\\t");
		else
			snprintf(esc, sizeof esc, "\\u%04x", p[i]);
		puts_(s, esc);
	}
	if (i == n)
		put(s, p + run, n - run);
	put(s, "\"", 1);
}

/*
 * The text of a scalar into buf (64 bytes): 1 if it is to be quoted inside
 * a compound, 0 if not, -1 if v is not a scalar with a text.
 */
static int
scalar_text(const struct rs_amqp_value *v, char *buf, size_t sz)
{
	size_t	 i, o;

	switch (v->type) {
	case RS_AMQP_T_BOOL:
		snprintf(buf, sz, "%s", v->s.b ? "true" : "false");
		return 0;
	case RS_AMQP_T_UBYTE:
	case RS_AMQP_T_USHORT:
	case RS_AMQP_T_UINT:
	case RS_AMQP_T_ULONG:
		snprintf(buf, sz, "%" PRIu64, v->s.u);
		return 0;
	case RS_AMQP_T_BYTE:
	case RS_AMQP_T_SHORT:
	case RS_AMQP_T_INT:
	case RS_AMQP_T_LONG:
	case RS_AMQP_T_TIMESTAMP:
		snprintf(buf, sz, "%" PRId64, v->s.i);
		return 0;
	case RS_AMQP_T_FLOAT:
		fmt_real(buf, sz, v->s.f, 1);
		return 0;
	case RS_AMQP_T_DOUBLE:
		fmt_real(buf, sz, v->s.d, 0);
		return 0;
	case RS_AMQP_T_DECIMAL32:
	case RS_AMQP_T_DECIMAL64:
	case RS_AMQP_T_DECIMAL128:
		o = (size_t)snprintf(buf, sz, "0x");
		for (i = 0; i < v->n && o + 3 <= sz; i++, o += 2)
			snprintf(buf + o, sz - o, "%02x", v->p[i]);
		return 1;
	case RS_AMQP_T_UUID:
		for (i = 0, o = 0; i < 16 && o + 4 <= sz; i++) {
			if (i == 4 || i == 6 || i == 8 || i == 10)
				buf[o++] = '-';
			snprintf(buf + o, sz - o, "%02x", v->p[i]);
			o += 2;
		}
		return 1;
	case RS_AMQP_T_CHAR:
		buf[utf8(buf, v->s.u)] = '\0';
		return 1;
	default:
		return -1;
	}
}

/* Write the text of v (see amqp.h); top is the outermost value. */
static int
text(struct sink *s, const struct rs_amqp_value *v, int depth, int top)
{
	struct rs_amqp_iter	 it;
	struct rs_amqp_value	 e, d, in;
	char			 buf[64];
	size_t			 mark;
	uint32_t		 i;
	int			 q, r;

	if (depth > 2 * RS_AMQP_MAX_DEPTH)
		return -1;
	switch (v->type) {
	case RS_AMQP_T_NULL:
		if (!top)
			puts_(s, "null");
		return 0;
	case RS_AMQP_T_BINARY:
	case RS_AMQP_T_STRING:
	case RS_AMQP_T_SYMBOL:
		if (top)
			put(s, v->p, v->n);
		else
			put_quoted(s, v->p, v->n);
		return 0;
	case RS_AMQP_T_LIST:
	case RS_AMQP_T_MAP:
	case RS_AMQP_T_ARRAY:
		put(s, v->type == RS_AMQP_T_MAP ? "{" : "[", 1);
		rs_amqp_iter_init(&it, v);
		for (i = 0; !s->cut && (r = rs_amqp_iter_next(&it, &e)) != 0;
		    i++) {
			s->steps++;
			if (r == -1)
				return -1;
			if (i > 0)
				put(s, v->type == RS_AMQP_T_MAP && i % 2 ?
				    ":" : ",", 1);
			mark = sink_len(s);
			if (text(s, &e, depth + 1, 0) == -1)
				return -1;
			/* No bytes per element: the others are the same. */
			if (i == 0 && v->type == RS_AMQP_T_ARRAY && v->n == 0 &&
			    !s->cut && repeat(s, mark, it.count) == 0)
				break;
		}
		put(s, v->type == RS_AMQP_T_MAP ? "}" : "]", 1);
		return 0;
	case RS_AMQP_T_DESCRIBED:
		if (rs_amqp_described(v, &d, &in) == -1)
			return -1;
		puts_(s, "{\"descriptor\":");
		if (text(s, &d, depth + 1, 0) == -1)
			return -1;
		puts_(s, ",\"value\":");
		if (text(s, &in, depth + 1, 0) == -1)
			return -1;
		put(s, "}", 1);
		return 0;
	default:
		if ((q = scalar_text(v, buf, sizeof buf)) == -1)
			return -1;
		if (q && !top)
			put_quoted(s, (const uint8_t *)buf, strlen(buf));
		else
			puts_(s, buf);
		return 0;
	}
}

/*
 * Append the text form of v (see amqp.h) to out, at most max bytes: 0 if
 * all of it was written, 1 if it was cut at max, -1 if v is malformed.
 */
int
rs_amqp_text(struct rs_buf *out, const struct rs_amqp_value *v, size_t max)
{
	return rs_amqp_text_steps(out, v, max, NULL);
}

/*
 * rs_amqp_text(), and *steps (if not NULL) the work it took: elements
 * decoded plus blocks of repeated elements written (the unit tests bound
 * it for hostile arrays).
 */
int
rs_amqp_text_steps(struct rs_buf *out, const struct rs_amqp_value *v,
    size_t max, size_t *steps)
{
	struct sink	 s;
	int		 r;

	memset(&s, 0, sizeof s);
	s.b = out;
	s.left = max;
	r = text(&s, v, 0, 1);
	if (steps != NULL)
		*steps = s.steps;
	return r == -1 ? -1 : s.cut;
}

/*
 * Write the text form of v into buf (size bytes, NUL-terminated), *len its
 * length: 0 if all of it fits, 1 if it was cut, -1 if v is malformed.
 */
int
rs_amqp_text_fixed(char *buf, size_t size, const struct rs_amqp_value *v,
    size_t *len)
{
	struct sink	 s;
	int		 r;

	memset(&s, 0, sizeof s);
	s.fixed = buf;
	s.left = size > 0 ? size - 1 : 0;
	r = text(&s, v, 0, 1);
	if (size > 0)
		buf[s.len] = '\0';
	*len = s.len;
	return r == -1 ? -1 : s.cut;
}

/*
 * The next piece of the body: 1 with a slice, 0 when there is no more.
 * Data sections give their bytes; an amqp-value that is a string, symbol or
 * binary gives its bytes and a scalar its text form (in m->text); lists,
 * maps, arrays, described values and amqp-sequence sections give nothing.
 */
int
rs_amqp_body_next(struct rs_amqp_msg *m, const uint8_t **p, size_t *n)
{
	struct rs_amqp_value	 v;
	int			 code;

	while (rs_amqp_section_next(m, &m->pos, &code, &v) == 1) {
		if (code == RS_AMQP_DATA) {
			*p = v.p;
			*n = v.n;
			return 1;
		}
		if (code != RS_AMQP_VALUE)
			continue;
		switch (v.type) {
		case RS_AMQP_T_LIST:
		case RS_AMQP_T_MAP:
		case RS_AMQP_T_ARRAY:
		case RS_AMQP_T_DESCRIBED:
			continue;
		case RS_AMQP_T_BINARY:
		case RS_AMQP_T_STRING:
		case RS_AMQP_T_SYMBOL:
			*p = v.p;
			*n = v.n;
			return 1;
		default:
			rs_amqp_text_fixed(m->text, sizeof m->text, &v, n);
			*p = (const uint8_t *)m->text;
			return 1;
		}
	}
	return 0;
}
