/*
 * message.h: what one input record becomes on the wire (rstream-cat).
 *
 *	--raw			the record's bytes, as they are
 *	default			an AMQP 1.0 message: properties (--content-type,
 *				--content-encoding, --message-id TEMPLATE),
 *				application-properties (-H), one data section
 *	-J			the record is a JSON line in rstream-tail -J's
 *				form: its body, properties and application
 *				properties (the options above fill what it lacks);
 *				"format":"raw" publishes the bare body
 *
 * A message is a head and a body, so the body can go from the input buffer
 * straight into the Publish frame. Message-id templates: %n the record
 * number, %f the input file name, %% a percent sign.
 *
 * --filter-value SPEC gives each record a filter value (filter.h), taken
 * from the -J object's member at a dotted path (json:PATH), from an
 * application property (header:NAME, -H or -J), or expanded from a template
 * like --message-id's. The message carries it as the application property
 * x-stream-filter-value; rs_message_encode() leaves it in m->filter (NULL:
 * the record has none) for the Publish v2 frame.
 */
#ifndef RS_MESSAGE_H
#define RS_MESSAGE_H

#include <stddef.h>
#include <stdint.h>

#include "amqp.h"
#include "wire.h"

struct rs_message_cfg {
	int			 raw;
	int			 json;
	const char		*content_type;
	const char		*content_encoding;
	const char		*message_id;	/* a template */
	const struct rs_amqp_kv	*headers;	/* -H */
	size_t			 nheaders;
	const char		*filter_value;	/* --filter-value SPEC */
};

struct rs_message {
	struct rs_message_cfg	 cfg;
	int			 plain;		/* only a data section header */
	uint8_t			 plain_head[RS_AMQP_DATA_HEADER_MAX];
	struct rs_buf		 head;
	struct rs_buf		 body;		/* -J: the decoded body */
	char			 msgid[512];
	const char		*filter;	/* this record's filter value, or NULL */
	size_t			 filter_len;
	char			 filterbuf[512];
	void			*root;		/* -J: the parsed line (json_t) */
	struct rs_amqp_kv	*app;		/* -J: the merged application properties */
	size_t			 capapp;
	char			**owned;	/* strings made for this record */
	size_t			 nowned;
	size_t			 capowned;
	char			 errstr[200];
};

int	rs_message_template_check(const char *, char *, size_t);
int	rs_message_filter_check(const char *, int, char *, size_t);
void	rs_message_init(struct rs_message *, const struct rs_message_cfg *);
void	rs_message_free(struct rs_message *);
size_t	rs_message_head_max(const struct rs_message *);
int	rs_message_encode(struct rs_message *, uint64_t, const char *,
	    const uint8_t *, size_t, const uint8_t **, size_t *,
	    const uint8_t **, size_t *);

#endif
