/*
 * wire.c: the protocol's primitive types (PROTOCOL.adoc "Types").
 *
 * Every get checks what is left before it reads; an array count is checked
 * against the smallest size its items can have, so a hostile count cannot
 * make a caller loop or allocate beyond the frame.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "wire.h"

void
rs_buf_init(struct rs_buf *b)
{
	memset(b, 0, sizeof *b);
}

void
rs_buf_free(struct rs_buf *b)
{
	free(b->data);
	memset(b, 0, sizeof *b);
}

/* Make room for n more bytes; 0 on success, -1 (and oom set) on failure. */
int
rs_buf_reserve(struct rs_buf *b, size_t n)
{
	size_t	 cap;
	uint8_t	*p;

	if (b->oom)
		return -1;
	if (n <= b->cap - b->len)
		return 0;
	if (n > SIZE_MAX / 2 - b->len)
		goto fail;
	cap = b->cap ? b->cap : 256;
	while (cap - b->len < n)
		cap *= 2;
	if ((p = realloc(b->data, cap)) == NULL)
		goto fail;
	b->data = p;
	b->cap = cap;
	return 0;
fail:
	b->oom = 1;
	return -1;
}

/* Drop n bytes from the front. */
void
rs_buf_consume(struct rs_buf *b, size_t n)
{
	if (n >= b->len) {
		b->len = 0;
		return;
	}
	memmove(b->data, b->data + n, b->len - n);
	b->len -= n;
}

/* rs_buf_put() when the bytes do not fit (or the buffer has failed). */
void
rs_buf_put_slow(struct rs_buf *b, const void *p, size_t n)
{
	if (n == 0 || rs_buf_reserve(b, n) == -1)
		return;
	memcpy(b->data + b->len, p, n);
	b->len += n;
}

/* A protocol string; NULL is the null string (length -1). */
void
rs_buf_str(struct rs_buf *b, const char *s)
{
	if (s == NULL) {
		rs_buf_u16(b, 0xffff);
		return;
	}
	rs_buf_strn(b, s, strlen(s));
}

/* A string of n bytes; longer than INT16_MAX is truncated by the caller's checks. */
void
rs_buf_strn(struct rs_buf *b, const char *s, size_t n)
{
	if (n > INT16_MAX)
		n = INT16_MAX;
	rs_buf_u16(b, (uint16_t)n);
	rs_buf_put(b, s, n);
}

void
rs_buf_bytes(struct rs_buf *b, const void *p, size_t n)
{
	rs_buf_u32(b, (uint32_t)n);
	rs_buf_put(b, p, n);
}

void
rs_cur_init(struct rs_cur *c, const void *p, size_t n)
{
	c->p = p;
	c->left = n;
	c->err = 0;
}

/* Take n bytes; NULL (and err set) when fewer are left. */
static const uint8_t *
take(struct rs_cur *c, size_t n)
{
	const uint8_t	*p;

	if (c->err || n > c->left) {
		c->err = 1;
		return NULL;
	}
	p = c->p;
	c->p += n;
	c->left -= n;
	return p;
}

int
rs_cur_u8(struct rs_cur *c, uint8_t *v)
{
	const uint8_t	*p = take(c, 1);

	*v = p ? p[0] : 0;
	return p ? 0 : -1;
}

int
rs_cur_u16(struct rs_cur *c, uint16_t *v)
{
	const uint8_t	*p = take(c, 2);

	*v = p ? rs_wire_r16(p) : 0;
	return p ? 0 : -1;
}

int
rs_cur_u32(struct rs_cur *c, uint32_t *v)
{
	const uint8_t	*p = take(c, 4);

	*v = p ? rs_wire_r32(p) : 0;
	return p ? 0 : -1;
}

int
rs_cur_u64(struct rs_cur *c, uint64_t *v)
{
	const uint8_t	*p = take(c, 8);

	*v = p ? rs_wire_r64(p) : 0;
	return p ? 0 : -1;
}

int
rs_cur_skip(struct rs_cur *c, size_t n)
{
	return take(c, n) ? 0 : -1;
}

/* A string: *s points into the frame (not NUL-terminated); null gives NULL, 0. */
int
rs_cur_str(struct rs_cur *c, const char **s, size_t *n)
{
	uint16_t	 len;

	*s = NULL;
	*n = 0;
	if (rs_cur_u16(c, &len) == -1)
		return -1;
	if (len == 0xffff)
		return 0;
	if ((*s = (const char *)take(c, len)) == NULL)
		return -1;
	*n = len;
	return 0;
}

/* Bytes with an i32 length: *p points into the frame; null gives NULL, 0. */
int
rs_cur_bytes(struct rs_cur *c, const uint8_t **p, size_t *n)
{
	uint32_t	 len;

	*p = NULL;
	*n = 0;
	if (rs_cur_u32(c, &len) == -1)
		return -1;
	if (len == 0xffffffff)
		return 0;
	if ((*p = take(c, len)) == NULL)
		return -1;
	*n = len;
	return 0;
}

/* An array count whose items take at least min bytes each must fit what is left. */
int
rs_cur_count(struct rs_cur *c, uint32_t *n, size_t min)
{
	if (rs_cur_u32(c, n) == -1)
		return -1;
	if (*n > INT32_MAX || (min > 0 && *n > c->left / min)) {
		c->err = 1;
		*n = 0;
		return -1;
	}
	return 0;
}
