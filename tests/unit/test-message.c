/*
 * test-message.c: what rstream-cat makes of a record (src/message.c).
 *
 * The expected heads are worked out by hand from AMQP 1.0 (part 1 section
 * 1.6 for the encodings, part 3 section 3.2 for the sections): a section
 * is 00 53 and its code (0x73 properties, 0x74 application-properties,
 * 0x75 data); the properties are a list8 (c0, size = 1 + the elements'
 * bytes, count) up to the last field present, absent ones null (40),
 * message-id and the other strings str8 (a1 len), user-id vbin8 (a0 len),
 * content-type and content-encoding sym8 (a3 len), the times timestamps
 * (83, 8 bytes), group-sequence a uint (43, 52 x, 70 xxxx); the
 * application-properties a map8 (c1 size count) of str8 keys and values;
 * the data section's header vbin8 (a0 len) up to 255 bytes, vbin32 (b0 and
 * 4 bytes) above. Past 255 bytes of elements, list32 (d0, 4-byte size =
 * 4 + the elements' bytes, 4-byte count).
 *
 * Each message (head then body) must also read back through rs_amqp_parse()
 * with the same properties, application properties and body. Then
 * message-id templates (%n, %f, %%, truncation at 511 bytes), the check of
 * a template, rs_message_head_max() as a bound, JSON lines (-J) with each
 * error and its message, and records that go through rstream-tail -J's
 * JSON line and back to the same bytes.
 */
#include "config.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "amqp.h"
#include "jsonout.h"
#include "message.h"
#include "tap.h"
#include "wire.h"

/* The last message encoded: head, body, and both together. */
static const uint8_t	*H, *B;
static size_t		 HL, BL;
static struct rs_buf	 ALL;

static int
enc(struct rs_message *m, uint64_t r, const char *file, const void *rec,
    size_t n)
{
	int	 rc;

	rc = rs_message_encode(m, r, file, rec, n, &H, &HL, &B, &BL);
	ALL.len = 0;
	if (rc == 0) {
		rs_buf_put(&ALL, H, HL);
		rs_buf_put(&ALL, B, BL);
	}
	return rc;
}

static int
enc_s(struct rs_message *m, const char *s)
{
	return enc(m, 1, "in", s, strlen(s));
}

static int
enc_r(struct rs_message *m, uint64_t r, const char *s)
{
	return enc(m, r, "f", s, strlen(s));
}

#define HEAD_IS(want, ...)	is_mem(H, HL, want, sizeof want - 1, __VA_ARGS__)
#define BODY_IS(want, ...)	is_mem(B, BL, want, sizeof want - 1, __VA_ARGS__)

/* The message just encoded, parsed back. */
static struct rs_amqp_msg	 PM;

static int
parsed(const char *what)
{
	return is_int(rs_amqp_parse(&PM, ALL.data ? ALL.data :
	    (const uint8_t *)"", ALL.len), 1, "%s: reads back as a message",
	    what);
}

/* Property i reads back as type t with the text s. */
static void
prop_is(int i, enum rs_amqp_type t, const char *s, const char *what)
{
	const struct rs_amqp_value	*v = &PM.properties[i];

	ok(v->type == t && v->n == strlen(s) && memcmp(v->p, s, v->n) == 0,
	    "%s: %s reads back as %s \"%s\"", what, rs_amqp_property_name(i),
	    rs_amqp_type_name(t), s);
}

/* Exactly the properties in the mask are there. */
static void
props_only(unsigned int mask, const char *what)
{
	unsigned int	 got = 0;
	int		 i;

	for (i = 0; i < RS_AMQP_P_MAX; i++)
		if (PM.properties[i].type != RS_AMQP_T_NULL)
			got |= 1U << i;
	is_uint(got, mask, "%s: the properties present", what);
}

/* Application property key reads back as a string value (NULL: null). */
static void
app_is(const char *key, const char *value, const char *what)
{
	struct rs_amqp_value	 v;

	if (rs_amqp_map_find(&PM.application_properties, key, &v) != 1) {
		ok(0, "%s: application property %s is there", what, key);
		return;
	}
	if (value == NULL)
		ok(v.type == RS_AMQP_T_NULL, "%s: application property %s is "
		    "null", what, key);
	else
		ok(v.type == RS_AMQP_T_STRING && v.n == strlen(value) &&
		    memcmp(v.p, value, v.n) == 0, "%s: application property "
		    "%s reads back as \"%s\"", what, key, value);
}

/* The body reads back as n bytes at p, in one data section. */
static void
body_back(const void *p, size_t n, const char *what)
{
	const uint8_t	*b;
	size_t		 bn;

	ok(PM.body == RS_AMQP_DATA && PM.nbody == 1 &&
	    rs_amqp_body_next(&PM, &b, &bn) == 1 && bn == n &&
	    (n == 0 || memcmp(b, p, n) == 0), "%s: the body reads back, "
	    "%zu bytes in one data section", what, n);
}

static void
init(struct rs_message *m, int raw, int json, const char *ct, const char *ce,
    const char *id, const struct rs_amqp_kv *h, size_t nh)
{
	struct rs_message_cfg	 cfg;

	memset(&cfg, 0, sizeof cfg);
	cfg.raw = raw;
	cfg.json = json;
	cfg.content_type = ct;
	cfg.content_encoding = ce;
	cfg.message_id = id;
	cfg.headers = h;
	cfg.nheaders = nh;
	rs_message_init(m, &cfg);
}

static void
test_raw_and_plain(void)
{
	struct rs_message	 m;
	static uint8_t		 big[300];

	init(&m, 1, 0, NULL, NULL, NULL, NULL, 0);
	is_uint(rs_message_head_max(&m), 0, "--raw: no head");
	enc(&m, 1, "f", "hi", 2);
	ok(H == NULL && HL == 0, "--raw: no head");
	ok(BL == 2 && memcmp(B, "hi", 2) == 0, "--raw: the record is the body");
	rs_message_free(&m);

	init(&m, 0, 0, NULL, NULL, NULL, NULL, 0);
	ok(m.plain, "no option: a plain data section");
	is_uint(rs_message_head_max(&m), 8, "plain: at most 8 bytes of head");
	enc(&m, 1, "f", "hi", 2);
	HEAD_IS("\x00\x53\x75\xa0\x02", "plain: data section, vbin8 of 2");
	ok(B != NULL && BL == 2 && memcmp(B, "hi", 2) == 0,
	    "plain: the body is the record");
	if (parsed("plain")) {
		props_only(0, "plain");
		ok(PM.sections == 1U << (RS_AMQP_DATA - RS_AMQP_HEADER),
		    "plain: only a data section");
		body_back("hi", 2, "plain");
	}
	enc(&m, 1, "f", "", 0);
	HEAD_IS("\x00\x53\x75\xa0\x00", "plain, empty: vbin8 of 0");
	enc(&m, 1, "f", big, 255);
	HEAD_IS("\x00\x53\x75\xa0\xff", "plain, 255 bytes: vbin8");
	enc(&m, 1, "f", big, 256);
	HEAD_IS("\x00\x53\x75\xb0\x00\x00\x01\x00", "plain, 256 bytes: vbin32");
	if (parsed("plain, 256 bytes"))
		body_back(big, 256, "plain, 256 bytes");
	rs_message_free(&m);
}

static void
test_properties(void)
{
	struct rs_message		 m;
	static const struct rs_amqp_kv	 h[] = { { "k", "v" },
	    { "key2", "value2" } }, h1[] = { { "a", "b" } };
	static char			 big[300];
	const char			*w;

	init(&m, 0, 0, "text/plain", NULL, NULL, NULL, 0);
	ok(!m.plain, "--content-type: not plain");
	enc(&m, 1, "f", "hi", 2);
	HEAD_IS("\x00\x53\x73\xc0\x13\x07\x40\x40\x40\x40\x40\x40"
	    "\xa3\x0a" "text/plain" "\x00\x53\x75\xa0\x02",
	    "--content-type: properties, 6 nulls, sym8; data section");
	ok(BL == 2 && memcmp(B, "hi", 2) == 0, "the body is the record");
	if (parsed("--content-type")) {
		props_only(1U << RS_AMQP_P_CONTENT_TYPE, "--content-type");
		prop_is(RS_AMQP_P_CONTENT_TYPE, RS_AMQP_T_SYMBOL, "text/plain",
		    "--content-type");
		body_back("hi", 2, "--content-type");
	}
	ok(HL <= rs_message_head_max(&m), "--content-type: head within "
	    "rs_message_head_max()");
	rs_message_free(&m);

	init(&m, 0, 0, NULL, "gzip", NULL, NULL, 0);
	enc(&m, 1, "f", "z", 1);
	HEAD_IS("\x00\x53\x73\xc0\x0e\x08\x40\x40\x40\x40\x40\x40\x40"
	    "\xa3\x04" "gzip" "\x00\x53\x75\xa0\x01",
	    "--content-encoding: 7 nulls, sym8");
	if (parsed("--content-encoding"))
		prop_is(RS_AMQP_P_CONTENT_ENCODING, RS_AMQP_T_SYMBOL, "gzip",
		    "--content-encoding");
	rs_message_free(&m);

	init(&m, 0, 0, NULL, NULL, "id-%n-%f-%%", NULL, 0);
	enc(&m, 42, "in.txt", "x", 1);
	HEAD_IS("\x00\x53\x73\xc0\x11\x01\xa1\x0e" "id-42-in.txt-%"
	    "\x00\x53\x75\xa0\x01", "--message-id id-%%n-%%f-%%%%, record 42 of "
	    "in.txt: str8 \"id-42-in.txt-%%\"");
	if (parsed("--message-id")) {
		props_only(1U << RS_AMQP_P_MESSAGE_ID, "--message-id");
		prop_is(RS_AMQP_P_MESSAGE_ID, RS_AMQP_T_STRING, "id-42-in.txt-%",
		    "--message-id");
	}
	ok(HL <= rs_message_head_max(&m), "--message-id: head within "
	    "rs_message_head_max()");
	enc(&m, 43, "in.txt", "x", 1);
	is_str(m.msgid, "id-43-in.txt-%", "--message-id: record 43");
	rs_message_free(&m);

	init(&m, 0, 0, NULL, NULL, NULL, h, 2);
	enc(&m, 1, "f", "hi", 2);
	HEAD_IS("\x00\x53\x74\xc1\x15\x04\xa1\x01k\xa1\x01v\xa1\x04key2"
	    "\xa1\x06value2" "\x00\x53\x75\xa0\x02",
	    "-H k=v -H key2=value2: application-properties map8 of 4");
	if (parsed("-H")) {
		props_only(0, "-H");
		app_is("k", "v", "-H");
		app_is("key2", "value2", "-H");
		body_back("hi", 2, "-H");
	}
	rs_message_free(&m);

	memset(big, 'b', sizeof big);
	init(&m, 0, 0, "t", "e", "m%n", h1, 1);
	enc(&m, 7, "f", big, 300);
	HEAD_IS("\x00\x53\x73\xc0\x10\x08\xa1\x02m7\x40\x40\x40\x40\x40"
	    "\xa3\x01t\xa3\x01" "e"
	    "\x00\x53\x74\xc1\x07\x02\xa1\x01" "a" "\xa1\x01" "b"
	    "\x00\x53\x75\xb0\x00\x00\x01\x2c",
	    "all four options, a 300-byte body: properties, "
	    "application-properties, vbin32");
	ok(B == (const uint8_t *)big && BL == 300, "the body is the record");
	if (parsed("all four")) {
		props_only(1U << RS_AMQP_P_MESSAGE_ID |
		    1U << RS_AMQP_P_CONTENT_TYPE |
		    1U << RS_AMQP_P_CONTENT_ENCODING, "all four");
		prop_is(RS_AMQP_P_MESSAGE_ID, RS_AMQP_T_STRING, "m7", "all four");
		prop_is(RS_AMQP_P_CONTENT_TYPE, RS_AMQP_T_SYMBOL, "t", "all four");
		prop_is(RS_AMQP_P_CONTENT_ENCODING, RS_AMQP_T_SYMBOL, "e",
		    "all four");
		app_is("a", "b", "all four");
		body_back(big, 300, "all four");
	}
	ok(HL <= rs_message_head_max(&m), "all four: head within "
	    "rs_message_head_max()");
	rs_message_free(&m);

	/* A 300-byte content type: sym32 in a list32. */
	big[299] = '\0';
	init(&m, 0, 0, big, NULL, NULL, NULL, 0);
	enc(&m, 1, "f", "x", 1);
	w = "\x00\x53\x73\xd0\x00\x00\x01\x3a\x00\x00\x00\x07"
	    "\x40\x40\x40\x40\x40\x40\xb3\x00\x00\x01\x2b";
	ok(HL == 3 + 9 + 6 + 5 + 299 + 5 && memcmp(H, w, 23) == 0 &&
	    memcmp(H + 23, big, 299) == 0 &&
	    memcmp(H + 23 + 299, "\x00\x53\x75\xa0\x01", 5) == 0,
	    "a 299-byte content type: list32 (size 314, count 7), sym32");
	if (parsed("long content type"))
		prop_is(RS_AMQP_P_CONTENT_TYPE, RS_AMQP_T_SYMBOL, big,
		    "long content type");
	ok(HL <= rs_message_head_max(&m), "long content type: head within "
	    "rs_message_head_max()");
	rs_message_free(&m);
}

/* Message-id templates and their check. */
static void
test_templates(void)
{
	struct rs_message	 m;
	char			 err[100], t[300], file[301], want[512];

	is_int(rs_message_template_check("id-%n-%f-%%", err, sizeof err), 0,
	    "template id-%%n-%%f-%%%%: fine");
	is_int(rs_message_template_check("", err, sizeof err), 0,
	    "empty template: fine");
	err[0] = '\0';
	is_int(rs_message_template_check("a%x", err, sizeof err), -1,
	    "template a%%x: refused");
	is_str(err, "unknown token %x (use %n, %f or %%)", "with its reason");
	is_int(rs_message_template_check("50%", err, sizeof err), -1,
	    "template ending in %%: refused");
	is_str(err, "unknown token %  (use %n, %f or %%)", "with its reason");
	is_int(rs_message_template_check("%%%", err, sizeof err), -1,
	    "template %%%%%%: refused");
	memset(t, 'a', 200);
	t[200] = '\0';
	is_int(rs_message_template_check(t, err, sizeof err), 0,
	    "a template of 200 bytes: fine");
	t[200] = 'a';
	t[201] = '\0';
	is_int(rs_message_template_check(t, err, sizeof err), -1,
	    "one of 201: refused");
	is_str(err, "longer than 200 bytes", "with its reason");

	init(&m, 0, 0, NULL, NULL, "%n", NULL, 0);
	enc(&m, UINT64_MAX, "f", "", 0);
	is_str(m.msgid, "18446744073709551615", "%%n of record 2^64-1");
	rs_message_free(&m);
	init(&m, 0, 0, NULL, NULL, "%%n 100%% %f.", NULL, 0);
	enc(&m, 5, "", "", 0);
	is_str(m.msgid, "%n 100% .", "%%%%n 100%%%% %%f. with no file name");
	rs_message_free(&m);

	memset(file, 'f', 300);
	file[300] = '\0';
	memset(want, 'f', 511);
	want[511] = '\0';
	init(&m, 0, 0, NULL, NULL, "%f%f", NULL, 0);
	enc(&m, 1, file, "x", 1);
	is_str(m.msgid, want, "%%f%%f with a 300-byte name: cut at 511 bytes");
	ok(HL == 3 + 9 + 5 + 511 + 5 && memcmp(H, "\x00\x53\x73\xd0\x00\x00"
	    "\x02\x08\x00\x00\x00\x01\xb1\x00\x00\x01\xff", 17) == 0,
	    "as a str32 in a list32");
	ok(HL <= rs_message_head_max(&m), "within rs_message_head_max()");
	rs_message_free(&m);

	memset(t, 'x', 196);
	memcpy(t + 196, "%f%f", 5);
	memset(want, 'x', 196);
	memset(want + 196, 'f', 315);
	is_int(rs_message_template_check(t, err, sizeof err), 0,
	    "196 bytes then %%f%%f: a template of 200 bytes");
	init(&m, 0, 0, NULL, NULL, t, NULL, 0);
	enc(&m, 1, file, "x", 1);
	is_str(m.msgid, want, "196 bytes then a 300-byte name twice: cut in "
	    "the second at 511");
	rs_message_free(&m);
}

/* rs_message_head_max() bounds the head whatever the options. */
static void
test_head_max(void)
{
	struct rs_message	 m;
	struct rs_amqp_kv	 h[20];
	static char		 k[300], v[300], file[600], body[70000];
	size_t			 i, nh;
	int			 bad = 0, runs = 0, opt;

	memset(k, 'k', sizeof k - 1);
	memset(v, 'v', sizeof v - 1);
	memset(file, 'f', sizeof file - 1);
	for (i = 0; i < 20; i++) {
		h[i].key = k + sizeof k - 1 - (i * 15);
		h[i].value = v + sizeof v - 1 - (i * 14);
	}
	for (opt = 0; opt < 16; opt++) {
		for (nh = 0; nh <= 20; nh += 5) {
			init(&m, 0, 0, opt & 1 ? v : NULL, opt & 2 ? k : NULL,
			    opt & 4 ? "%f%n%f" : NULL, h, nh);
			enc(&m, UINT64_MAX, opt & 8 ? file : "f", body,
			    opt & 8 ? sizeof body : 10);
			runs++;
			if (HL > rs_message_head_max(&m) && bad++ == 0)
				diag("options %d, %zu headers: head %zu over %zu",
				    opt, nh, HL, rs_message_head_max(&m));
			if (rs_amqp_parse(&PM, ALL.data, ALL.len) != 1 && bad++ == 0)
				diag("options %d, %zu headers: not a message",
				    opt, nh);
			rs_message_free(&m);
		}
	}
	ok(bad == 0, "%d mixes of options up to 299-byte values: every head "
	    "within rs_message_head_max(), every message reads back", runs);
}

/* A -J line that fails, with its message. */
static void
json_bad(struct rs_message *m, const char *line, const char *want)
{
	is_int(enc_s(m, line), -1, "-J %s: refused", line);
	is_str(m->errstr, want, "-J %s: the reason", line);
}

/* A line jansson refuses: its column and text, as jansson gives them. */
static void
json_syntax(struct rs_message *m, const char *line)
{
	json_error_t	 e;
	json_t		*j;
	char		 want[300];

	j = json_loadb(line, strlen(line), JSON_REJECT_DUPLICATES |
	    JSON_ALLOW_NUL, &e);
	ok(j == NULL, "jansson refuses %s", line);
	json_decref(j);
	snprintf(want, sizeof want, "bad JSON at column %d: %s", e.column,
	    e.text);
	json_bad(m, line, want);
}

static void
test_json(void)
{
	struct rs_message		 m;
	static const struct rs_amqp_kv	 h[] = { { "a", "H" }, { "z", "Z" } };
	char				 line[2000];
	size_t				 o, i;

	init(&m, 0, 1, NULL, NULL, NULL, NULL, 0);
	ok(!m.plain, "-J: not plain");
	is_int(enc_s(&m, "{\"body\":\"hello\"}"), 0, "-J a text body");
	HEAD_IS("\x00\x53\x75\xa0\x05", "-J text body: a data section only");
	BODY_IS("hello", "-J text body: its bytes");
	enc_s(&m, "{\"body\":\"aGk=\",\"body_encoding\":\"base64\"}");
	HEAD_IS("\x00\x53\x75\xa0\x02", "-J base64 body: 2 bytes");
	BODY_IS("hi", "-J base64 body: decoded");
	enc_s(&m, "{\"body\":\"/wA=\",\"body_encoding\":\"base64\"}");
	BODY_IS("\xff\x00", "-J base64 body: any bytes");
	enc_s(&m, "{\"body\":\"\",\"body_encoding\":\"base64\"}");
	ok(B != NULL && BL == 0, "-J empty base64 body: empty");
	enc_s(&m, "{}");
	HEAD_IS("\x00\x53\x75\xa0\x00", "-J no body: an empty data section");
	ok(B != NULL && BL == 0, "-J no body: empty");
	enc_s(&m, "{\"body\":null}");
	ok(HL == 5 && BL == 0, "-J null body: empty");
	is_int(enc_s(&m, "{\"body\":\"a\\u0000b\\n\"}"), 0,
	    "-J body with \\u0000 and \\n");
	BODY_IS("a\0b\n", "-J body with \\u0000 and \\n: 4 bytes");
	is_int(enc_s(&m, "{\"body\":\"\\u0000\",\"format\":\"raw\"}"), 0,
	    "-J raw body \\u0000");
	ok(HL == 0 && BL == 1 && B[0] == '\0', "-J raw body \\u0000: 1 byte");
	enc_s(&m, "{\"body\":{\"a\":[1,true,null]},\"format\":\"amqp-value\"}");
	BODY_IS("{\"a\":[1,true,null]}", "-J object body: its compact JSON text");
	HEAD_IS("\x00\x53\x75\xa0\x13", "-J object body: in a data section");
	enc_s(&m, "{\"body\":[1,\"x\"]}");
	BODY_IS("[1,\"x\"]", "-J array body: its JSON text");
	enc_s(&m, "{\"body\":42}");
	BODY_IS("42", "-J number body: its JSON text");
	enc_s(&m, "{\"body\":false}");
	BODY_IS("false", "-J boolean body: its JSON text");
	is_int(enc_s(&m, "{\"body\":\"x\",\"format\":\"raw\"}"), 0,
	    "-J \"format\":\"raw\"");
	ok(H == NULL && HL == 0, "-J raw: no head");
	BODY_IS("x", "-J raw: the bare body");
	enc_s(&m, "{\"body\":\"AAE=\",\"body_encoding\":\"base64\","
	    "\"format\":\"raw\"}");
	ok(HL == 0 && BL == 2 && memcmp(B, "\0\1", 2) == 0,
	    "-J raw base64: the decoded bytes");
	enc_s(&m, "{\"body\":\"x\",\"format\":7}");
	HEAD_IS("\x00\x53\x75\xa0\x01", "-J format not a string: a message");

	enc_s(&m, "{\"body\":\"x\",\"properties\":{\"message_id\":\"m\","
	    "\"content_type\":\"t\"}}");
	HEAD_IS("\x00\x53\x73\xc0\x0c\x07\xa1\x01m\x40\x40\x40\x40\x40"
	    "\xa3\x01t\x00\x53\x75\xa0\x01", "-J message_id and content_type");
	enc_s(&m, "{\"properties\":{\"message_id\":null,\"subject\":\"s\"}}");
	HEAD_IS("\x00\x53\x73\xc0\x07\x04\x40\x40\x40\xa1\x01s"
	    "\x00\x53\x75\xa0\x00", "-J a null property is absent");
	enc_s(&m, "{\"properties\":{\"subject\":123,\"to\":[1]}}");
	HEAD_IS("\x00\x53\x73\xc0\x0d\x04\x40\x40\xa1\x03[1]\xa1\x03" "123"
	    "\x00\x53\x75\xa0\x00", "-J properties that are not strings: "
	    "their JSON text");
	enc_s(&m, "{\"properties\":{\"creation_time\":1000}}");
	HEAD_IS("\x00\x53\x73\xc0\x13\x0a\x40\x40\x40\x40\x40\x40\x40\x40\x40"
	    "\x83\x00\x00\x00\x00\x00\x00\x03\xe8\x00\x53\x75\xa0\x00",
	    "-J creation_time: a timestamp, 10th field");
	enc_s(&m, "{\"properties\":{\"group_sequence\":5}}");
	HEAD_IS("\x00\x53\x73\xc0\x0e\x0c\x40\x40\x40\x40\x40\x40\x40\x40\x40"
	    "\x40\x40\x52\x05\x00\x53\x75\xa0\x00",
	    "-J group_sequence 5: smalluint, 12th field");
	is_int(enc_s(&m, "{\"body\":\"b\",\"properties\":{\"message_id\":\"m\","
	    "\"user_id\":\"dQ==\",\"to\":\"t\",\"subject\":\"s\",\"reply_to\":\"r\","
	    "\"correlation_id\":\"c\",\"content_type\":\"ct\","
	    "\"content_encoding\":\"ce\",\"absolute_expiry_time\":1000,"
	    "\"creation_time\":-1,\"group_id\":\"g\","
	    "\"group_sequence\":4294967295,\"reply_to_group_id\":\"rg\"}}"), 0,
	    "-J every property");
	HEAD_IS("\x00\x53\x73\xc0\x39\x0d\xa1\x01m\xa0\x01u\xa1\x01t\xa1\x01s"
	    "\xa1\x01r\xa1\x01" "c" "\xa3\x02" "ct" "\xa3\x02" "ce"
	    "\x83\x00\x00\x00\x00\x00\x00\x03\xe8"
	    "\x83\xff\xff\xff\xff\xff\xff\xff\xff"
	    "\xa1\x01g\x70\xff\xff\xff\xff\xa1\x02rg\x00\x53\x75\xa0\x01",
	    "-J every property: list8 of 13");
	if (parsed("-J every property")) {
		props_only((1U << RS_AMQP_P_MAX) - 1, "-J every property");
		prop_is(RS_AMQP_P_MESSAGE_ID, RS_AMQP_T_STRING, "m", "-J");
		prop_is(RS_AMQP_P_USER_ID, RS_AMQP_T_BINARY, "u", "-J");
		prop_is(RS_AMQP_P_TO, RS_AMQP_T_STRING, "t", "-J");
		prop_is(RS_AMQP_P_SUBJECT, RS_AMQP_T_STRING, "s", "-J");
		prop_is(RS_AMQP_P_REPLY_TO, RS_AMQP_T_STRING, "r", "-J");
		prop_is(RS_AMQP_P_CORRELATION_ID, RS_AMQP_T_STRING, "c", "-J");
		prop_is(RS_AMQP_P_CONTENT_TYPE, RS_AMQP_T_SYMBOL, "ct", "-J");
		prop_is(RS_AMQP_P_CONTENT_ENCODING, RS_AMQP_T_SYMBOL, "ce", "-J");
		prop_is(RS_AMQP_P_GROUP_ID, RS_AMQP_T_STRING, "g", "-J");
		prop_is(RS_AMQP_P_REPLY_TO_GROUP_ID, RS_AMQP_T_STRING, "rg", "-J");
		ok(PM.properties[RS_AMQP_P_ABSOLUTE_EXPIRY_TIME].type ==
		    RS_AMQP_T_TIMESTAMP &&
		    PM.properties[RS_AMQP_P_ABSOLUTE_EXPIRY_TIME].s.i == 1000,
		    "-J: absolute-expiry-time reads back as timestamp 1000");
		ok(PM.properties[RS_AMQP_P_CREATION_TIME].type ==
		    RS_AMQP_T_TIMESTAMP &&
		    PM.properties[RS_AMQP_P_CREATION_TIME].s.i == -1,
		    "-J: creation-time reads back as timestamp -1");
		ok(PM.properties[RS_AMQP_P_GROUP_SEQUENCE].type ==
		    RS_AMQP_T_UINT &&
		    PM.properties[RS_AMQP_P_GROUP_SEQUENCE].s.u == 4294967295u,
		    "-J: group-sequence reads back as uint 4294967295");
		body_back("b", 1, "-J every property");
	}
	is_int(enc_s(&m, "{\"properties\":{\"user_id\":\"/wBhYg==\"}}"), 0,
	    "-J a binary user_id in base64");
	HEAD_IS("\x00\x53\x73\xc0\x08\x02\x40\xa0\x04\xff\x00" "ab"
	    "\x00\x53\x75\xa0\x00",
	    "-J user_id: its bytes, NUL included, as binary");
	json_bad(&m, "{\"properties\":{\"user_id\":\"guest\"}}",
	    "property \"user_id\" is not base64 (it is binary, written in "
	    "base64 as rstream-tail -J does)");
	json_bad(&m, "{\"properties\":{\"user_id\":7}}",
	    "property \"user_id\" is not a string");

	enc_s(&m, "{\"application_properties\":{\"a\":\"x\",\"b\":1,"
	    "\"c\":true,\"d\":null,\"e\":[1],\"f\":{\"g\":2}}}");
	HEAD_IS("\x00\x53\x74\xc1\x2e\x0c\xa1\x01" "a" "\xa1\x01x"
	    "\xa1\x01" "b" "\xa1\x01" "1" "\xa1\x01" "c" "\xa1\x04" "true"
	    "\xa1\x01" "d" "\x40" "\xa1\x01" "e" "\xa1\x03[1]"
	    "\xa1\x01" "f" "\xa1\x07{\"g\":2}" "\x00\x53\x75\xa0\x00",
	    "-J application properties: strings, others as JSON text, "
	    "null as null");
	if (parsed("-J application properties")) {
		app_is("a", "x", "-J");
		app_is("b", "1", "-J");
		app_is("c", "true", "-J");
		app_is("d", NULL, "-J");
		app_is("e", "[1]", "-J");
		app_is("f", "{\"g\":2}", "-J");
	}

	/* More than 16 application properties, none of them strings. */
	o = (size_t)snprintf(line, sizeof line, "{\"application_properties\":{");
	for (i = 0; i < 20; i++)
		o += (size_t)snprintf(line + o, sizeof line - o, "%s\"k%zu\":%zu",
		    i ? "," : "", i, i * 100);
	snprintf(line + o, sizeof line - o, "}}");
	is_int(enc_s(&m, line), 0, "-J 20 numeric application properties");
	if (parsed("-J 20 application properties")) {
		is_uint(PM.application_properties.count, 40, "-J: 20 pairs");
		app_is("k0", "0", "-J");
		app_is("k19", "1900", "-J");
	}
	rs_message_free(&m);

	/* -J with options: they fill what a line lacks. */
	init(&m, 0, 1, "text/plain", "gz", "r%n", h, 2);
	enc_r(&m, 5, "{\"body\":\"x\",\"properties\":{\"content_type\":\"j\"},"
	    "\"application_properties\":{\"a\":\"x\"}}");
	HEAD_IS("\x00\x53\x73\xc0\x11\x08\xa1\x02r5\x40\x40\x40\x40\x40"
	    "\xa3\x01j\xa3\x02gz"
	    "\x00\x53\x74\xc1\x0d\x04\xa1\x01" "a" "\xa1\x01x\xa1\x01z\xa1\x01Z"
	    "\x00\x53\x75\xa0\x01", "-J with options: the line's content_type "
	    "and a; --message-id, --content-encoding and -H z fill in");
	enc_r(&m, 6, "{\"properties\":{\"message_id\":\"own\"}}");
	HEAD_IS("\x00\x53\x73\xc0\x1b\x08\xa1\x03own\x40\x40\x40\x40\x40"
	    "\xa3\x0atext/plain\xa3\x02gz"
	    "\x00\x53\x74\xc1\x0d\x04\xa1\x01" "a" "\xa1\x01H\xa1\x01z\xa1\x01Z"
	    "\x00\x53\x75\xa0\x00", "-J with options: the line's message_id, "
	    "-H for all application properties");
	rs_message_free(&m);

	init(&m, 0, 1, NULL, NULL, NULL, NULL, 0);
	json_syntax(&m, "{");
	json_syntax(&m, "");
	json_syntax(&m, "{\"body\":\"x\"} junk");
	json_syntax(&m, "{\"a\":1,\"a\":2}");
	json_syntax(&m, "\"a string\"");
	json_syntax(&m, "{\"a\\u0000b\":1}");
	json_bad(&m, "[1]", "not a JSON object");
	json_bad(&m, "{\"body\":\"x\",\"body_encoding\":\"hex\"}",
	    "\"body_encoding\" must be \"base64\"");
	json_bad(&m, "{\"body_encoding\":1}",
	    "\"body_encoding\" must be \"base64\"");
	json_bad(&m, "{\"body\":\"abc\",\"body_encoding\":\"base64\"}",
	    "\"body\" is not valid base64");
	json_bad(&m, "{\"body\":\"a===\",\"body_encoding\":\"base64\"}",
	    "\"body\" is not valid base64");
	json_bad(&m, "{\"body\":\"a!==\",\"body_encoding\":\"base64\"}",
	    "\"body\" is not valid base64");
	json_bad(&m, "{\"properties\":[]}", "\"properties\" is not an object");
	json_bad(&m, "{\"properties\":{\"priority\":1}}",
	    "unknown property \"priority\"");
	json_bad(&m, "{\"properties\":{\"message-id\":\"m\"}}",
	    "unknown property \"message-id\"");
	json_bad(&m, "{\"properties\":{\"creation_time\":\"x\"}}",
	    "property \"creation_time\" is not an integer");
	json_bad(&m, "{\"properties\":{\"group_sequence\":1.5}}",
	    "property \"group_sequence\" is not an integer");
	json_bad(&m, "{\"properties\":{\"absolute_expiry_time\":true}}",
	    "property \"absolute_expiry_time\" is not an integer");
	json_bad(&m, "{\"application_properties\":\"x\"}",
	    "\"application_properties\" is not an object");
	json_bad(&m, "{\"properties\":{\"subject\":\"a\\u0000b\"}}",
	    "property \"subject\" holds a NUL byte");
	json_bad(&m, "{\"application_properties\":{\"k\":\"\\u0000\"}}",
	    "application property \"k\" holds a NUL byte");
	is_int(enc_s(&m, "{\"application_properties\":{\"k\":[\"\\u0000\"]}}"),
	    0, "-J an application property holding a list with a NUL");
	if (parsed("-J list with a NUL"))
		app_is("k", "[\"\\u0000\"]", "-J: its JSON text");
	is_int(enc_s(&m, "{\"body\":\"after\"}"), 0,
	    "-J: a good line after bad ones");
	BODY_IS("after", "-J: its body");
	rs_message_free(&m);
}

/* A record through rstream-tail -J's line and back with -J: the same bytes. */
static void
round_trip(const char *what, const uint8_t *rec, size_t n)
{
	struct rs_record_meta	 meta = { "s", 1, 0, 1 };
	struct rs_message	 m;
	struct rs_buf		 line;

	rs_buf_init(&line);
	rs_jsonout_record(&line, &meta, rec, n);
	init(&m, 0, 1, NULL, NULL, NULL, NULL, 0);
	if (line.len == 0 || line.data[line.len - 1] != '\n') {
		ok(0, "%s: a JSON line", what);
		return;
	}
	if (is_int(enc(&m, 1, "f", line.data, line.len - 1), 0,
	    "%s: the JSON line reads back", what))
		is_mem(ALL.data, ALL.len, rec, n, "%s: to the same bytes", what);
	else
		diag("%s", m.errstr);
	rs_message_free(&m);
	rs_buf_free(&line);
}

static void
test_round_trip(void)
{
	static const struct rs_amqp_kv	 app[] = { { "k", "v" }, { "n", NULL },
	    { "\"q\"", "a\\b\nc" } };
	struct rs_amqp_props		 pr;
	struct rs_buf			 b;
	static uint8_t			 big[1000];
	size_t				 i;

	round_trip("a raw record", (const uint8_t *)"Hello", 5);
	round_trip("a raw record, not UTF-8", (const uint8_t *)"\xff\x00\x01",
	    3);
	round_trip("an empty record", (const uint8_t *)"", 0);

	rs_buf_init(&b);
	rs_amqp_put_message(&b, NULL, "hi", 2);
	round_trip("a data section", b.data, b.len);
	b.len = 0;
	rs_amqp_put_message(&b, NULL, "\x80\xff", 2);
	round_trip("a data section, not UTF-8", b.data, b.len);
	b.len = 0;
	rs_amqp_put_message(&b, NULL, "a\0b\0", 4);
	round_trip("a data section with NUL bytes", b.data, b.len);
	round_trip("a raw record with NUL bytes", (const uint8_t *)"\0x\0", 3);
	for (i = 0; i < sizeof big; i++)
		big[i] = (uint8_t)i;
	b.len = 0;
	rs_amqp_put_message(&b, NULL, big, sizeof big);
	round_trip("1000 bytes of every value", b.data, b.len);

	memset(&pr, 0, sizeof pr);
	pr.message_id = "m-1";
	pr.to = "queue";
	pr.subject = "s\"\n";
	pr.reply_to = "r";
	pr.correlation_id = "c";
	pr.content_type = "application/json";
	pr.content_encoding = "utf-8";
	pr.absolute_expiry_time = 1764072000123;
	pr.creation_time = -5;
	pr.group_id = "g";
	pr.group_sequence = 70000;
	pr.reply_to_group_id = "rg";
	pr.have = 1U << RS_AMQP_P_ABSOLUTE_EXPIRY_TIME |
	    1U << RS_AMQP_P_CREATION_TIME | 1U << RS_AMQP_P_GROUP_SEQUENCE;
	pr.app = app;
	pr.napp = 3;
	b.len = 0;
	rs_amqp_put_message(&b, &pr, "{\"x\":1}", 7);
	round_trip("every property but user-id, application properties",
	    b.data, b.len);
	memset(&pr, 0, sizeof pr);
	pr.subject = "only";
	b.len = 0;
	rs_amqp_put_message(&b, &pr, "", 0);
	round_trip("a subject and an empty body", b.data, b.len);
	rs_buf_free(&b);
}

int
main(void)
{
	rs_buf_init(&ALL);
	test_raw_and_plain();
	test_properties();
	test_templates();
	test_head_max();
	test_json();
	test_round_trip();
	rs_buf_free(&ALL);
	return done_testing();
}
