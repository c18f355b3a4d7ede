/*
 * json.c: JSON strings and base64 (RFC 8259, RFC 4648).
 *
 * rs_json_str() writes a quoted string: '"' and '\\' escaped, control
 * characters as \n, \t, ... or \u00XX, everything else as is. It is given
 * valid UTF-8 only, so what it writes always parses. rs_json_utf8_str()
 * is the one pass -J uses for bytes of unknown make: it checks UTF-8 while
 * it escapes, and writes nothing when they are not (the caller then writes
 * base64), instead of a check over the bytes and then an escape over them.
 */
#include "config.h"

#include <string.h>

#include "json.h"

/*
 * Eight bytes at a time (SWAR, as in "Bit Twiddling Hacks"): whether any
 * byte of w is zero, below 0x20, has its high bit set, or needs escaping
 * in a JSON string. Exact for "any"; loads are memcpy, so alignment and
 * byte order do not matter.
 */
#define ONES		0x0101010101010101ULL
#define HIGHS		0x8080808080808080ULL
#define HASZERO(w)	(((w) - ONES) & ~(w) & HIGHS)
#define HASLESS(w, c)	(((w) - ONES * (c)) & ~(w) & HIGHS)
#define HASBYTE(w, c)	HASZERO((w) ^ (ONES * (c)))

static uint64_t
load8(const uint8_t *p)
{
	uint64_t	 w;

	memcpy(&w, p, sizeof w);
	return w;
}

/* The eight bytes at p + i (of n), a short tail padded with plain bytes. */
static uint64_t
word_at(const uint8_t *p, size_t n, size_t i)
{
	uint8_t	 pad[8];

	if (n - i >= 8)
		return load8(p + i);
	memset(pad, 'a', sizeof pad);
	memcpy(pad, p + i, n - i);
	return load8(pad);
}

/* Bytes written escaped: controls, '"', '\\', and DEL (kept printable). */
static int
special(uint8_t c)
{
	return c < 0x20 || c == '"' || c == '\\' || c == 0x7f;
}

static int
special8(uint64_t w)
{
	return (HASLESS(w, 0x20) | HASBYTE(w, '"') | HASBYTE(w, '\\') |
	    HASBYTE(w, 0x7f)) != 0;
}

/*
 * The length (1 to 4) of the well-formed UTF-8 sequence at p[0] (at most n
 * bytes), or 0: no overlongs, surrogates or code points past U+10FFFF.
 */
static size_t
utf8_seq(const uint8_t *p, size_t n)
{
	size_t		 k, need;
	uint32_t	 cp, min;

	if (p[0] < 0x80)
		return 1;
	if ((p[0] & 0xe0) == 0xc0)
		need = 1, cp = p[0] & 0x1f, min = 0x80;
	else if ((p[0] & 0xf0) == 0xe0)
		need = 2, cp = p[0] & 0x0f, min = 0x800;
	else if ((p[0] & 0xf8) == 0xf0)
		need = 3, cp = p[0] & 0x07, min = 0x10000;
	else
		return 0;
	if (n - 1 < need)
		return 0;
	for (k = 1; k <= need; k++) {
		if ((p[k] & 0xc0) != 0x80)
			return 0;
		cp = cp << 6 | (p[k] & 0x3f);
	}
	if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
		return 0;
	return need + 1;
}

/* Is p (n bytes) well-formed UTF-8: no overlongs, surrogates or code points past U+10FFFF? */
int
rs_json_utf8_valid(const uint8_t *p, size_t n)
{
	size_t	 i = 0, k;

	while (i < n) {
		if (n - i >= 8 && (load8(p + i) & HIGHS) == 0) {
			i += 8;
			continue;
		}
		if ((k = utf8_seq(p + i, n - i)) == 0)
			return 0;
		i += k;
	}
	return 1;
}

static void
escape(struct rs_buf *b, uint8_t c)
{
	static const char	 hex[] = "0123456789abcdef";
	char			 e[6] = { '\\', 'u', '0', '0' };

	switch (c) {
	case '"': rs_buf_put(b, "\\\"", 2); return;
	case '\\': rs_buf_put(b, "\\\\", 2); return;
	case '\n': rs_buf_put(b, "\\n", 2); return;
	case '\r': rs_buf_put(b, "\\r", 2); return;
	case '\t': rs_buf_put(b, "\\t", 2); return;
	case '\b': rs_buf_put(b, "\\b", 2); return;
	case '\f': rs_buf_put(b, "\\f", 2); return;
	}
	e[4] = hex[c >> 4];
	e[5] = hex[c & 0xf];
	rs_buf_put(b, e, sizeof e);
}

/*
 * A JSON string of n bytes of valid UTF-8, quotes included: runs of bytes
 * that need no escape (found eight at a time) are copied whole. A tail of
 * fewer than eight is checked as one word too, padded with plain bytes.
 */
void
rs_json_str(struct rs_buf *b, const uint8_t *p, size_t n)
{
	size_t	 i = 0, run = 0;
	uint64_t w;

	rs_buf_u8(b, '"');
	while (i < n) {
		w = word_at(p, n, i);
		if (!special8(w)) {
			i = n - i >= 8 ? i + 8 : n;
			continue;
		}
		while (!special(p[i]))		/* there is one in this word */
			i++;
		rs_buf_put(b, p + run, i - run);
		escape(b, p[i]);
		run = ++i;
	}
	rs_buf_put(b, p + run, n - run);
	rs_buf_u8(b, '"');
}

/*
 * rs_json_str() of n bytes if they are well-formed UTF-8 (1), in one pass
 * that checks and escapes together; else 0 with b as it was, for the
 * caller to write them another way (base64). Words of eight plain ASCII
 * bytes are skipped whole, as in rs_json_str().
 */
int
rs_json_utf8_str(struct rs_buf *b, const uint8_t *p, size_t n)
{
	size_t	 start = b->len, i = 0, run = 0, k;
	uint64_t w;

	rs_buf_u8(b, '"');
	while (i < n) {
		w = word_at(p, n, i);
		if ((w & HIGHS) == 0 && !special8(w)) {
			i = n - i >= 8 ? i + 8 : n;
			continue;
		}
		if (p[i] >= 0x80) {
			if ((k = utf8_seq(p + i, n - i)) == 0) {
				b->len = start;
				return 0;
			}
			i += k;
			continue;
		}
		if (special(p[i])) {
			rs_buf_put(b, p + run, i - run);
			escape(b, p[i]);
			run = i + 1;
		}
		i++;
	}
	rs_buf_put(b, p + run, n - run);
	rs_buf_u8(b, '"');
	return 1;
}

void
rs_json_cstr(struct rs_buf *b, const char *s)
{
	rs_json_str(b, (const uint8_t *)s, strlen(s));
}

/* A quoted base64 string of n bytes. */
void
rs_json_base64(struct rs_buf *b, const uint8_t *p, size_t n)
{
	static const char	 tab[] =
	    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
	char			 q[4];
	size_t			 i;
	uint32_t		 v;

	rs_buf_u8(b, '"');
	for (i = 0; i + 3 <= n; i += 3) {
		v = (uint32_t)p[i] << 16 | (uint32_t)p[i + 1] << 8 | p[i + 2];
		q[0] = tab[v >> 18];
		q[1] = tab[v >> 12 & 63];
		q[2] = tab[v >> 6 & 63];
		q[3] = tab[v & 63];
		rs_buf_put(b, q, 4);
	}
	if (n - i == 1) {
		v = (uint32_t)p[i] << 16;
		q[0] = tab[v >> 18];
		q[1] = tab[v >> 12 & 63];
		q[2] = q[3] = '=';
		rs_buf_put(b, q, 4);
	} else if (n - i == 2) {
		v = (uint32_t)p[i] << 16 | (uint32_t)p[i + 1] << 8;
		q[0] = tab[v >> 18];
		q[1] = tab[v >> 12 & 63];
		q[2] = tab[v >> 6 & 63];
		q[3] = '=';
		rs_buf_put(b, q, 4);
	}
	rs_buf_u8(b, '"');
}

static int
b64val(char c)
{
	if (c >= 'A' && c <= 'Z')
		return c - 'A';
	if (c >= 'a' && c <= 'z')
		return c - 'a' + 26;
	if (c >= '0' && c <= '9')
		return c - '0' + 52;
	if (c == '+')
		return 62;
	if (c == '/')
		return 63;
	return -1;
}

/*
 * Decode n characters of base64 (padding required, no whitespace) into out,
 * which has room for n / 4 * 3 bytes; the length in *len. -1 if malformed.
 */
int
rs_base64_decode(const char *s, size_t n, uint8_t *out, size_t *len)
{
	size_t	 i, o = 0, pad = 0;
	int	 v[4], k;

	if (n % 4 != 0)
		return -1;
	for (i = 0; i < n; i += 4) {
		for (k = 0; k < 4; k++) {
			if (s[i + k] == '=' && i + 4 == n && k >= 2) {
				v[k] = 0;
				pad++;
				continue;
			}
			if (pad > 0 || (v[k] = b64val(s[i + k])) < 0)
				return -1;
		}
		out[o++] = (uint8_t)(v[0] << 2 | v[1] >> 4);
		if (pad < 2)
			out[o++] = (uint8_t)(v[1] << 4 | v[2] >> 2);
		if (pad < 1)
			out[o++] = (uint8_t)(v[2] << 6 | v[3]);
	}
	*len = o;
	return 0;
}
