/*
 * amqp.h: AMQP 1.0 messages as stream records (AMQP 1.0 part 3, "Messaging",
 * section 3.2; type encodings from part 1, section 1.6). Pure: no I/O.
 *
 * Decoding (amqp.c) never allocates: a value is a struct rs_amqp_value whose
 * slices point into the record and live as long as it does. rs_amqp_decode()
 * checks a whole value (every length and count against the bytes left,
 * nesting at most RS_AMQP_MAX_DEPTH deep); rs_amqp_iter_next() walks the
 * elements of a list, map or array. rs_amqp_parse() tells whether a record is
 * an AMQP 1.0 message at all (the sections of 3.2, in order, covering it
 * exactly) and finds each section.
 *
 * rs_amqp_text() (amqptext.c) gives the text form of any value, and
 * rs_amqp_body_next() (amqptext.c, as it gives a scalar body as text) walks
 * the body. amqptext.c builds on amqp.c, never the other way.
 *
 * Encoding (amqpenc.c) appends values to a struct rs_buf, always in the
 * smallest encoding; rs_amqp_put_message() writes the properties,
 * application-properties and data sections rstream-cat wraps a record in.
 */
#ifndef RS_AMQP_H
#define RS_AMQP_H

#include <stddef.h>
#include <stdint.h>

struct rs_buf;

#define RS_AMQP_DATA_HEADER_MAX	8	/* 00 53 75 b0 + u32 length */
#define RS_AMQP_MAX_DEPTH	32	/* lists in lists, described in described */

/* Sections (descriptor codes 0x70-0x78, part 3 section 3.2). */
enum rs_amqp_section {
	RS_AMQP_HEADER = 0x70,
	RS_AMQP_DELIVERY_ANNOTATIONS,
	RS_AMQP_MESSAGE_ANNOTATIONS,
	RS_AMQP_PROPERTIES,
	RS_AMQP_APPLICATION_PROPERTIES,
	RS_AMQP_DATA,
	RS_AMQP_SEQUENCE,
	RS_AMQP_VALUE,
	RS_AMQP_FOOTER
};

/* The primitive and compound types of part 1 section 1.6. */
enum rs_amqp_type {
	RS_AMQP_T_NULL = 0,
	RS_AMQP_T_BOOL,
	RS_AMQP_T_UBYTE,
	RS_AMQP_T_USHORT,
	RS_AMQP_T_UINT,
	RS_AMQP_T_ULONG,
	RS_AMQP_T_BYTE,
	RS_AMQP_T_SHORT,
	RS_AMQP_T_INT,
	RS_AMQP_T_LONG,
	RS_AMQP_T_FLOAT,
	RS_AMQP_T_DOUBLE,
	RS_AMQP_T_DECIMAL32,
	RS_AMQP_T_DECIMAL64,
	RS_AMQP_T_DECIMAL128,
	RS_AMQP_T_CHAR,
	RS_AMQP_T_TIMESTAMP,
	RS_AMQP_T_UUID,
	RS_AMQP_T_BINARY,
	RS_AMQP_T_STRING,
	RS_AMQP_T_SYMBOL,
	RS_AMQP_T_LIST,
	RS_AMQP_T_MAP,
	RS_AMQP_T_ARRAY,
	RS_AMQP_T_DESCRIBED
};

/*
 * One decoded value. A zeroed struct is null.
 *
 *	BOOL			s.b is 0 or 1
 *	UBYTE .. ULONG		s.u
 *	BYTE .. LONG		s.i
 *	TIMESTAMP		s.i, milliseconds since the Unix epoch
 *	FLOAT, DOUBLE		s.f, s.d
 *	CHAR			s.u, the code point (UTF-32, not checked)
 *	DECIMAL32/64/128, UUID	p, n: the 4, 8, 16 or 16 bytes as on the wire
 *				(decimals are opaque: IEEE 754 decimal formats)
 *	BINARY, STRING, SYMBOL	p, n: the bytes (UTF-8 and ASCII not checked)
 *	LIST, MAP		p, n: the encoded elements; count elements (a
 *				map counts keys and values: twice its entries)
 *	ARRAY			p, n: the element bodies; count elements; ctor,
 *				ctorlen: the constructor they share
 *	DESCRIBED		ctor, ctorlen: 0x00, the descriptor, and the
 *				constructor of the value described; p, n: that
 *				value's body. Split with rs_amqp_described().
 *
 * code is the format code (0x00 for a described value).
 *
 * An array of elements that take no bytes (null, true, false, uint0,
 * ulong0, list0) may count up to 2^32-1 in ten bytes, as the spec allows:
 * bound any walk over one (rs_amqp_text() stops at its max).
 */
struct rs_amqp_value {
	enum rs_amqp_type	 type;
	uint8_t			 code;
	union {
		int		 b;
		uint64_t	 u;
		int64_t		 i;
		float		 f;
		double		 d;
	} s;
	const uint8_t		*p;
	size_t			 n;
	uint32_t		 count;
	const uint8_t		*ctor;
	size_t			 ctorlen;
};

/* A walk over the elements of a list, map (key, value, key, ...) or array. */
struct rs_amqp_iter {
	const uint8_t	*p;
	size_t		 left;
	uint32_t	 count;		/* elements still to come */
	const uint8_t	*ctor;		/* an array's shared constructor */
	size_t		 ctorlen;
};

const char	*rs_amqp_type_name(enum rs_amqp_type);
int	 rs_amqp_decode(struct rs_amqp_value *, const uint8_t *, size_t,
	    size_t *);
int	 rs_amqp_described(const struct rs_amqp_value *,
	    struct rs_amqp_value *, struct rs_amqp_value *);
void	 rs_amqp_iter_init(struct rs_amqp_iter *, const struct rs_amqp_value *);
int	 rs_amqp_iter_next(struct rs_amqp_iter *, struct rs_amqp_value *);
int	 rs_amqp_map_find(const struct rs_amqp_value *, const char *,
	    struct rs_amqp_value *);
int	 rs_amqp_is_str(const struct rs_amqp_value *, const char *);

/*
 * The text form of a value (rs_amqp_text), for printing bodies that are not
 * data sections. At the top level a string, symbol or binary is its bytes,
 * a char its UTF-8 and null nothing. Otherwise: booleans true and false;
 * integers in decimal; timestamps as milliseconds since the epoch; float
 * and double as the shortest decimal that reads back exactly (NaN,
 * Infinity, -Infinity); uuid as 8-4-4-4-12 lowercase hex; decimal32/64/128
 * as 0x and the hex of their bytes. Lists and arrays are [a,b], maps
 * {k:v,k:v} and a described value {"descriptor":d,"value":v}; inside
 * them null is null and strings, symbols, binaries, chars, uuids and
 * decimals are quoted JSON-style ("\"", "\\", "\n", "\u001f"; bytes from
 * 0x80 as they are). The text is JSON when keys are strings and no binary
 * holds bytes that are not UTF-8.
 */
int	 rs_amqp_text(struct rs_buf *, const struct rs_amqp_value *, size_t);
int	 rs_amqp_text_steps(struct rs_buf *, const struct rs_amqp_value *,
	    size_t, size_t *);
int	 rs_amqp_text_fixed(char *, size_t, const struct rs_amqp_value *,
	    size_t *);

/*
 * The elements of an array of a zero-width constructor are all alike: the
 * text of the first (its text and JSON walkers) is repeated from a block
 * of RS_AMQP_REPEAT_BLOCK bytes, filled by rs_amqp_repeat_block().
 */
#define RS_AMQP_REPEAT_BLOCK	4096
size_t	 rs_amqp_repeat_block(char *, size_t, const void *, size_t);

/* Fields of the header section, in list order. */
enum rs_amqp_header_field {
	RS_AMQP_H_DURABLE,
	RS_AMQP_H_PRIORITY,
	RS_AMQP_H_TTL,
	RS_AMQP_H_FIRST_ACQUIRER,
	RS_AMQP_H_DELIVERY_COUNT,
	RS_AMQP_H_MAX
};

/* Fields of the properties section, in list order. */
enum rs_amqp_property {
	RS_AMQP_P_MESSAGE_ID,
	RS_AMQP_P_USER_ID,
	RS_AMQP_P_TO,
	RS_AMQP_P_SUBJECT,
	RS_AMQP_P_REPLY_TO,
	RS_AMQP_P_CORRELATION_ID,
	RS_AMQP_P_CONTENT_TYPE,
	RS_AMQP_P_CONTENT_ENCODING,
	RS_AMQP_P_ABSOLUTE_EXPIRY_TIME,
	RS_AMQP_P_CREATION_TIME,
	RS_AMQP_P_GROUP_ID,
	RS_AMQP_P_GROUP_SEQUENCE,
	RS_AMQP_P_REPLY_TO_GROUP_ID,
	RS_AMQP_P_MAX
};

/*
 * A record read as a message. rs_amqp_parse() fills everything below rec
 * and len; a section that is absent leaves its fields null (a zeroed
 * value), as does a field left out of the end of a list or given as null.
 * Header and properties fields keep the type they were sent with (the spec's
 * types are not enforced); a list longer than the spec's is accepted and
 * its extra fields ignored.
 */
struct rs_amqp_msg {
	const uint8_t		*rec;
	size_t			 len;
	size_t			 pos;		/* body walk position */
	char			 text[64];	/* text form of a scalar amqp-value */

	unsigned int		 sections;	/* bit (code - 0x70) per section */
	int			 body;		/* DATA, SEQUENCE, VALUE or 0 */
	uint32_t		 nbody;		/* body sections */
	struct rs_amqp_value	 header[RS_AMQP_H_MAX];
	struct rs_amqp_value	 delivery_annotations;		/* map */
	struct rs_amqp_value	 message_annotations;		/* map */
	struct rs_amqp_value	 properties[RS_AMQP_P_MAX];
	struct rs_amqp_value	 application_properties;	/* map */
	struct rs_amqp_value	 value;		/* the amqp-value */
	struct rs_amqp_value	 footer;			/* map */
};

const char	*rs_amqp_section_name(int);
const char	*rs_amqp_header_name(int);
const char	*rs_amqp_property_name(int);
size_t	 rs_amqp_data_header(uint8_t *, size_t);
int	 rs_amqp_lone_data(const uint8_t *, size_t, const uint8_t **,
	    size_t *);
int	 rs_amqp_parse(struct rs_amqp_msg *, const uint8_t *, size_t);
int	 rs_amqp_section_next(const struct rs_amqp_msg *, size_t *, int *,
	    struct rs_amqp_value *);
int	 rs_amqp_body_next(struct rs_amqp_msg *, const uint8_t **, size_t *);

/*
 * Encoding: each put appends one value to the buffer in its smallest
 * encoding (uint 0 as uint0, up to 255 as smalluint, ...). Errors are the
 * buffer's sticky oom flag: set on allocation failure and also when a
 * length does not fit the encoding or a compound's contents are malformed.
 *
 * A list or map is written as begin, its elements (a map's keys and values
 * alternating), end; end counts the elements and picks list0, list8/map8 or
 * list32/map32. An array is begin with the element type, elements written
 * with the ordinary puts, end: end re-encodes them with one constructor
 * (vbin32 for all if any needs it, and so on). Elements may be described
 * values, all with the same descriptor; the type is then the type of the
 * values described. A described value is rs_amqp_put_descriptor() (or
 * _sym) followed by the value.
 */
void	 rs_amqp_put_null(struct rs_buf *);
void	 rs_amqp_put_bool(struct rs_buf *, int);
void	 rs_amqp_put_ubyte(struct rs_buf *, uint8_t);
void	 rs_amqp_put_ushort(struct rs_buf *, uint16_t);
void	 rs_amqp_put_uint(struct rs_buf *, uint32_t);
void	 rs_amqp_put_ulong(struct rs_buf *, uint64_t);
void	 rs_amqp_put_byte(struct rs_buf *, int8_t);
void	 rs_amqp_put_short(struct rs_buf *, int16_t);
void	 rs_amqp_put_int(struct rs_buf *, int32_t);
void	 rs_amqp_put_long(struct rs_buf *, int64_t);
void	 rs_amqp_put_float(struct rs_buf *, float);
void	 rs_amqp_put_double(struct rs_buf *, double);
void	 rs_amqp_put_decimal32(struct rs_buf *, const uint8_t *);
void	 rs_amqp_put_decimal64(struct rs_buf *, const uint8_t *);
void	 rs_amqp_put_decimal128(struct rs_buf *, const uint8_t *);
void	 rs_amqp_put_char(struct rs_buf *, uint32_t);
void	 rs_amqp_put_timestamp(struct rs_buf *, int64_t);
void	 rs_amqp_put_uuid(struct rs_buf *, const uint8_t *);
void	 rs_amqp_put_binary(struct rs_buf *, const void *, size_t);
void	 rs_amqp_put_string(struct rs_buf *, const char *, size_t);
void	 rs_amqp_put_symbol(struct rs_buf *, const char *, size_t);
void	 rs_amqp_put_descriptor(struct rs_buf *, uint64_t);
void	 rs_amqp_put_descriptor_sym(struct rs_buf *, const char *);
size_t	 rs_amqp_list_begin(struct rs_buf *);
int	 rs_amqp_list_end(struct rs_buf *, size_t);
size_t	 rs_amqp_map_begin(struct rs_buf *);
int	 rs_amqp_map_end(struct rs_buf *, size_t);
size_t	 rs_amqp_array_begin(struct rs_buf *, enum rs_amqp_type);
int	 rs_amqp_array_end(struct rs_buf *, size_t);
void	 rs_amqp_put_section(struct rs_buf *, enum rs_amqp_section);

/* A string key and value of application-properties. */
struct rs_amqp_kv {
	const char	*key;
	const char	*value;
};

/*
 * What rs_amqp_put_message() writes around a body. A NULL string is absent;
 * the three numbers are present when their RS_AMQP_P_* bit is in have (1U
 * << RS_AMQP_P_CREATION_TIME, ...). The properties section is written when
 * any property is present, up to the last one present; user-id is binary,
 * content-type and content-encoding symbols, the rest strings.
 */
struct rs_amqp_props {
	const char		*message_id;
	const char		*user_id;	/* binary */
	size_t			 user_id_len;	/* 0: strlen(user_id) */
	const char		*to;
	const char		*subject;
	const char		*reply_to;
	const char		*correlation_id;
	const char		*content_type;
	const char		*content_encoding;
	int64_t			 absolute_expiry_time;
	int64_t			 creation_time;
	const char		*group_id;
	uint32_t		 group_sequence;
	const char		*reply_to_group_id;
	unsigned int		 have;
	const struct rs_amqp_kv	*app;		/* application-properties */
	size_t			 napp;
};

void	 rs_amqp_put_message_head(struct rs_buf *,
	    const struct rs_amqp_props *, size_t);
void	 rs_amqp_put_message(struct rs_buf *, const struct rs_amqp_props *,
	    const void *, size_t);

#endif
