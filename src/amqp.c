/*
 * amqp.c: just enough of AMQP 1.0 to wrap a record and to find a message's
 * body (AMQP 1.0 part 1 "Types", part 3 section 3.2 "Message Format").
 *
 * Every encoded value starts with a constructor byte whose high nibble says
 * how long it is: 0x4_ no data, 0x5_ to 0x9_ 1, 2, 4, 8, 16 bytes, 0xa_/0xb_
 * 1- or 4-byte length then data, 0xc_/0xd_ compounds and 0xe_/0xf_ arrays with
 * a 1- or 4-byte size; 0x00 starts a described value (descriptor, value).
 * That is enough to step over any value, which is how a record is checked
 * to be a whole message.
 */
#include "config.h"

#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "amqp.h"
#include "wire.h"

#define MAX_DEPTH	32

/*
 * Write the data-section header for a body of len bytes into p (room for
 * RS_AMQP_DATA_HEADER_MAX bytes); returns the bytes written.
 */
size_t
rs_amqp_data_header(uint8_t *p, size_t len)
{
	p[0] = 0x00;
	p[1] = 0x53;
	p[2] = RS_AMQP_DATA;
	if (len <= 0xff) {
		p[3] = 0xa0;
		p[4] = (uint8_t)len;
		return 5;
	}
	p[3] = 0xb0;
	rs_wire_w32(p + 4, (uint32_t)len);
	return 8;
}

/* Step over one value at *pos; 0 on success, -1 if it does not fit. */
static int
skip_value(const uint8_t *p, size_t len, size_t *pos, int depth)
{
	uint8_t	 c;
	size_t	 n, left;

	if (*pos >= len || depth > MAX_DEPTH)
		return -1;
	c = p[(*pos)++];
	left = len - *pos;
	if (c == 0x00) {
		if (skip_value(p, len, pos, depth + 1) == -1)
			return -1;
		return skip_value(p, len, pos, depth + 1);
	}
	switch (c >> 4) {
	case 0x4: n = 0; break;
	case 0x5: n = 1; break;
	case 0x6: n = 2; break;
	case 0x7: n = 4; break;
	case 0x8: n = 8; break;
	case 0x9: n = 16; break;
	case 0xa: case 0xc: case 0xe:
		if (left < 1)
			return -1;
		n = p[*pos];
		(*pos)++;
		left--;
		break;
	case 0xb: case 0xd: case 0xf:
		if (left < 4)
			return -1;
		n = rs_wire_r32(p + *pos);
		*pos += 4;
		left -= 4;
		break;
	default:
		return -1;
	}
	if (n > left)
		return -1;
	*pos += n;
	return 0;
}

/* Read a section descriptor at *pos: its code (0x70-0x78), or -1. */
static int
section_code(const uint8_t *p, size_t len, size_t *pos)
{
	uint64_t	 code;

	if (len - *pos < 3 || p[*pos] != 0x00)
		return -1;
	if (p[*pos + 1] == 0x53) {
		code = p[*pos + 2];
		*pos += 3;
	} else if (p[*pos + 1] == 0x80 && len - *pos >= 10) {
		code = rs_wire_r64(p + *pos + 2);
		*pos += 10;
	} else
		return -1;
	if (code < RS_AMQP_HEADER || code > RS_AMQP_FOOTER)
		return -1;
	return (int)code;
}

/*
 * Is this record an AMQP 1.0 message? 1 if it is a non-empty sequence of
 * sections covering it exactly (m is then ready for rs_amqp_body_next), 0 if
 * not (print it raw).
 */
int
rs_amqp_parse(struct rs_amqp_msg *m, const uint8_t *rec, size_t len)
{
	size_t	 pos = 0;

	memset(m, 0, sizeof *m);
	m->rec = rec;
	m->len = len;
	if (len == 0)
		return 0;
	while (pos < len) {
		if (section_code(rec, len, &pos) == -1 ||
		    skip_value(rec, len, &pos, 0) == -1)
			return 0;
	}
	return 1;
}

/* The text form of a scalar, or NULL for a type without one. */
static const char *
scalar_text(struct rs_amqp_msg *m, const uint8_t *v, size_t n)
{
	char	*t = m->text;
	size_t	 sz = sizeof m->text;

	switch (v[0]) {
	case 0x40: return "";
	case 0x41: return "true";
	case 0x42: return "false";
	case 0x43: case 0x44: return "0";
	case 0x56: return v[1] ? "true" : "false";
	case 0x50: case 0x52: case 0x53:
		snprintf(t, sz, "%u", v[1]); return t;
	case 0x51: case 0x54: case 0x55:
		snprintf(t, sz, "%d", (int8_t)v[1]); return t;
	case 0x60: snprintf(t, sz, "%u", rs_wire_r16(v + 1)); return t;
	case 0x61: snprintf(t, sz, "%d", (int16_t)rs_wire_r16(v + 1)); return t;
	case 0x70: snprintf(t, sz, "%" PRIu32, rs_wire_r32(v + 1)); return t;
	case 0x71: snprintf(t, sz, "%" PRId32, (int32_t)rs_wire_r32(v + 1)); return t;
	case 0x80: snprintf(t, sz, "%" PRIu64, rs_wire_r64(v + 1)); return t;
	case 0x81: case 0x83:
		snprintf(t, sz, "%" PRId64, (int64_t)rs_wire_r64(v + 1)); return t;
	case 0x72: {
		uint32_t u = rs_wire_r32(v + 1);
		float f;
		memcpy(&f, &u, sizeof f);
		snprintf(t, sz, "%.9g", f);
		return t;
	}
	case 0x82: {
		uint64_t u = rs_wire_r64(v + 1);
		double d;
		memcpy(&d, &u, sizeof d);
		snprintf(t, sz, "%.17g", d);
		return t;
	}
	default:
		(void)n;
		return NULL;
	}
}

/*
 * The next piece of the body: 1 with a slice, 0 when there is no more.
 * Data sections give their bytes; an amqp-value that is a string, symbol or
 * binary gives its bytes and a scalar its text form; other values give
 * nothing.
 */
int
rs_amqp_body_next(struct rs_amqp_msg *m, const uint8_t **p, size_t *n)
{
	const uint8_t	*rec = m->rec;
	const uint8_t	*v;
	const char	*t;
	size_t		 start, vs;
	int		 code;

	while (m->pos < m->len) {
		if ((code = section_code(rec, m->len, &m->pos)) == -1)
			return 0;
		start = m->pos;
		if (skip_value(rec, m->len, &m->pos, 0) == -1)
			return 0;
		if (code != RS_AMQP_DATA && code != RS_AMQP_VALUE)
			continue;
		v = rec + start;
		vs = m->pos - start;
		switch (v[0]) {
		case 0xa0: case 0xa1: case 0xa3:
			*p = v + 2;
			*n = vs - 2;
			return 1;
		case 0xb0: case 0xb1: case 0xb3:
			*p = v + 5;
			*n = vs - 5;
			return 1;
		}
		if (code == RS_AMQP_VALUE && (t = scalar_text(m, v, vs)) != NULL) {
			*p = (const uint8_t *)t;
			*n = strlen(t);
			return 1;
		}
	}
	return 0;
}
