/*
 * wire.h: big-endian encoding into a growable buffer, and bounds-checked
 * decoding from a cursor. The types of PROTOCOL.adoc section "Types":
 * intN/uintN, string (i16 length, -1 = null), bytes (i32 length, -1 = null),
 * arrays (i32 count).
 *
 * Both sides have sticky errors: once a put fails to allocate (buf.oom) or a
 * get runs past the end (cur.err), every later call is a no-op, so a caller
 * may check once at the end.
 */
#ifndef RS_WIRE_H
#define RS_WIRE_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

struct rs_buf {
	uint8_t	*data;
	size_t	 len;
	size_t	 cap;
	int	 oom;
};

/*
 * Frames kept after they are written (conn.h, rs_conn_set_outq): the
 * connection writes buf.data[sent, ready) and moves sent; the owner appends
 * whole frames and moves ready.
 */
struct rs_outq {
	struct rs_buf	 buf;
	size_t		 sent;
	size_t		 ready;
};

void	rs_buf_init(struct rs_buf *);
void	rs_buf_free(struct rs_buf *);
int	rs_buf_reserve(struct rs_buf *, size_t);
void	rs_buf_consume(struct rs_buf *, size_t);
void	rs_buf_put_slow(struct rs_buf *, const void *, size_t);
void	rs_buf_str(struct rs_buf *, const char *);
void	rs_buf_strn(struct rs_buf *, const char *, size_t);
void	rs_buf_bytes(struct rs_buf *, const void *, size_t);

/* Raw big-endian stores and loads at a pointer the caller has checked. */
static inline void
rs_wire_w16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

static inline void
rs_wire_w32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)(v >> 24);
	p[1] = (uint8_t)(v >> 16);
	p[2] = (uint8_t)(v >> 8);
	p[3] = (uint8_t)v;
}

static inline void
rs_wire_w64(uint8_t *p, uint64_t v)
{
	rs_wire_w32(p, (uint32_t)(v >> 32));
	rs_wire_w32(p + 4, (uint32_t)v);
}

static inline uint16_t
rs_wire_r16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

static inline uint32_t
rs_wire_r32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 |
	    (uint32_t)p[2] << 8 | p[3];
}

static inline uint64_t
rs_wire_r64(const uint8_t *p)
{
	return (uint64_t)rs_wire_r32(p) << 32 | rs_wire_r32(p + 4);
}

/*
 * Append n bytes, or one. Inline: the output paths append a few bytes at a
 * time, millions of times a second; only growing the buffer is a call.
 */
static inline void
rs_buf_put(struct rs_buf *b, const void *p, size_t n)
{
	if (n == 0)
		return;
	if (n > b->cap - b->len || b->oom) {
		rs_buf_put_slow(b, p, n);
		return;
	}
	memcpy(b->data + b->len, p, n);
	b->len += n;
}

static inline void
rs_buf_u8(struct rs_buf *b, uint8_t v)
{
	if (b->len < b->cap && !b->oom)
		b->data[b->len++] = v;
	else
		rs_buf_put_slow(b, &v, 1);
}


/* Big-endian integers. */
static inline void
rs_buf_u16(struct rs_buf *b, uint16_t v)
{
	uint8_t	 t[2];

	rs_wire_w16(t, v);
	rs_buf_put(b, t, 2);
}

static inline void
rs_buf_u32(struct rs_buf *b, uint32_t v)
{
	uint8_t	 t[4];

	rs_wire_w32(t, v);
	rs_buf_put(b, t, 4);
}

static inline void
rs_buf_u64(struct rs_buf *b, uint64_t v)
{
	uint8_t	 t[8];

	rs_wire_w64(t, v);
	rs_buf_put(b, t, 8);
}

/* A read cursor over bytes owned by someone else. */
struct rs_cur {
	const uint8_t	*p;
	size_t		 left;
	int		 err;
};

void	rs_cur_init(struct rs_cur *, const void *, size_t);
int	rs_cur_u8(struct rs_cur *, uint8_t *);
int	rs_cur_u16(struct rs_cur *, uint16_t *);
int	rs_cur_u32(struct rs_cur *, uint32_t *);
int	rs_cur_u64(struct rs_cur *, uint64_t *);
int	rs_cur_skip(struct rs_cur *, size_t);
int	rs_cur_str(struct rs_cur *, const char **, size_t *);
int	rs_cur_bytes(struct rs_cur *, const uint8_t **, size_t *);
int	rs_cur_count(struct rs_cur *, uint32_t *, size_t);

#endif
