/*
 * format.h: rstream-tail --format FMT, kcat's -f tokens for a stream:
 *
 *	%s	the body			%S	its length in bytes
 *	%R	its length as 4 big-endian bytes (for length-prefixed output)
 *	%o	the offset			%T	the chunk timestamp (ms)
 *	%I	the chunk time, ISO 8601 UTC (2026-11-25T12:00:00.123Z)
 *	%t	the stream			%%	a percent sign
 *	%h	application properties as NAME=VALUE,NAME=VALUE
 *	%{NAME}h	one application property (empty if absent)
 *	\n \t \r \0 \\ \xNN	escapes
 *
 * rs_format_compile() turns FMT into tokens once; rs_format_record() walks
 * them per record. Pure.
 */
#ifndef RS_FORMAT_H
#define RS_FORMAT_H

#include <stddef.h>
#include <stdint.h>

#include "jsonout.h"
#include "wire.h"

#define RS_FORMAT_MAX	64

enum rs_format_tok {
	RS_FMT_LIT, RS_FMT_BODY, RS_FMT_LEN, RS_FMT_LEN32, RS_FMT_OFFSET,
	RS_FMT_TS, RS_FMT_ISO, RS_FMT_STREAM, RS_FMT_HEADERS, RS_FMT_HEADER
};

struct rs_format {
	struct {
		enum rs_format_tok	 tok;
		size_t			 off;	/* LIT, HEADER: in text */
		size_t			 len;
	}		 t[RS_FORMAT_MAX];
	size_t		 n;
	char		 text[1024];	/* literals and header names, unescaped */
	size_t		 used;
};

int	rs_format_compile(struct rs_format *, const char *, char *, size_t);
void	rs_format_record(const struct rs_format *, struct rs_buf *,
	    const struct rs_record_meta *, const uint8_t *, size_t);

#endif
