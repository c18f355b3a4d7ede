/*
 * json.h: the JSON pieces both tools need: strings with every byte
 * escaped so the output is always valid JSON, a UTF-8 validity check (a
 * body that is not UTF-8 is written as base64 instead), and base64 both
 * ways. Pure.
 */
#ifndef RS_JSON_H
#define RS_JSON_H

#include <stddef.h>
#include <stdint.h>

#include "wire.h"

int	rs_json_utf8_valid(const uint8_t *, size_t);
void	rs_json_str(struct rs_buf *, const uint8_t *, size_t);
int	rs_json_utf8_str(struct rs_buf *, const uint8_t *, size_t);
void	rs_json_cstr(struct rs_buf *, const char *);
void	rs_json_base64(struct rs_buf *, const uint8_t *, size_t);
int	rs_base64_decode(const char *, size_t, uint8_t *, size_t *);

#endif
