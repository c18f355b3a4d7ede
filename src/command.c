/*
 * command.c: rstream-tail -- COMMAND ARGS: the command runs once per
 * record (runner.c forks it and feeds it the body), with the record's
 * stream, offset, timestamp and AMQP properties in its environment.
 *
 * A command works through one chunk at a time: the subscription has credit
 * 1, and the next chunk is credited once every record of this one has had
 * its run. The chunk is copied, since the read buffer moves on, and walked
 * one record per run, the next started when the last exits. A record counts
 * as written once its command exits 0; a failure ends the run, or with
 * --on-error skip is told and passed over. A single active reader told to
 * step down while a command runs answers once it is done (sac.c).
 */
#include "config.h"

#include <ctype.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>

#include "amqp.h"
#include "command.h"
#include "consumerstate.h"
#include "emit.h"
#include "frame.h"
#include "sac.h"
#include "stop.h"
#include "subscribe.h"

/* say(x, fn, fmt, ...): a line through fn (cfg.log or cfg.warn), if set. */
#define say(x, fn, ...)	rs_say((fn), (x)->cfg.log_ud, __VA_ARGS__)

static void	cmd_next(struct rs_consumer *);

/* Append NAME=VALUE (VALUE n bytes, cut at a NUL) as one environment entry. */
static void
env_add(struct rs_consumer *k, size_t *i, const char *name, const char *v,
    size_t n)
{
	const char	*nul;

	if (*i >= RS_CMD_ENV_MAX)
		return;
	if ((nul = memchr(v, '\0', n)) != NULL)
		n = (size_t)(nul - v);
	rs_buf_put(&k->cmd_envbuf, name, strlen(name));
	rs_buf_u8(&k->cmd_envbuf, '=');
	rs_buf_put(&k->cmd_envbuf, v, n);
	rs_buf_u8(&k->cmd_envbuf, '\0');
	(*i)++;
}

/* NAME in the environment's style: RSTREAM_ prefix, upper case, '_' for the rest. */
static void
env_name(char *dst, size_t dlen, const char *prefix, const uint8_t *p, size_t n)
{
	size_t	 o = strlen(prefix), j;

	snprintf(dst, dlen, "%s", prefix);
	for (j = 0; j < n && o + 1 < dlen; j++)
		dst[o++] = isalnum(p[j]) ? (char)toupper(p[j]) : '_';
	dst[o] = '\0';
}

/*
 * The command's environment for one record: RSTREAM_STREAM,
 * RSTREAM_OFFSET, RSTREAM_TIMESTAMP; for an AMQP message each property
 * present (RSTREAM_CONTENT_TYPE, RSTREAM_MESSAGE_ID, ...) and each
 * application property (RSTREAM_HEADER_NAME), in their text form.
 */
static void
cmd_env(struct rs_consumer *k, const uint8_t *rec, size_t len, uint64_t off)
{
	struct rs_amqp_msg	 m;
	struct rs_amqp_iter	 it;
	struct rs_amqp_value	 key, v;
	char			 name[128], val[512], num[32];
	size_t			 i = 0, n, j, at;
	int			 pi;

	k->cmd_envbuf.len = 0;
	env_add(k, &i, "RSTREAM_STREAM", k->cfg.stream, strlen(k->cfg.stream));
	n = (size_t)snprintf(num, sizeof num, "%llu", (unsigned long long)off);
	env_add(k, &i, "RSTREAM_OFFSET", num, n);
	n = (size_t)snprintf(num, sizeof num, "%lld",
	    (long long)k->cmd_ch.timestamp);
	env_add(k, &i, "RSTREAM_TIMESTAMP", num, n);
	if (rs_amqp_parse(&m, rec, len)) {
		for (pi = 0; pi < RS_AMQP_P_MAX; pi++) {
			if (m.properties[pi].type == RS_AMQP_T_NULL ||
			    rs_amqp_text_fixed(val, sizeof val,
			    &m.properties[pi], &n) == -1)
				continue;
			env_name(name, sizeof name, "RSTREAM_",
			    (const uint8_t *)rs_amqp_property_name(pi),
			    strlen(rs_amqp_property_name(pi)));
			env_add(k, &i, name, val, n);
		}
		if (m.application_properties.type == RS_AMQP_T_MAP) {
			rs_amqp_iter_init(&it, &m.application_properties);
			while (rs_amqp_iter_next(&it, &key) == 1 &&
			    rs_amqp_iter_next(&it, &v) == 1) {
				if ((key.type != RS_AMQP_T_STRING &&
				    key.type != RS_AMQP_T_SYMBOL) ||
				    rs_amqp_text_fixed(val, sizeof val, &v,
				    &n) == -1)
					continue;
				env_name(name, sizeof name, "RSTREAM_HEADER_",
				    key.p, key.n);
				env_add(k, &i, name, val, n);
			}
		}
	}
	/* Point at the entries only now: the buffer may have moved. */
	for (j = 0, at = 0; j < i; j++) {
		k->cmd_envp[j] = (char *)k->cmd_envbuf.data + at;
		at += strlen(k->cmd_envp[j]) + 1;
	}
	k->cmd_envp[i] = NULL;
}

/* The command for record cmd_off exited with status. */
static void
cmd_done(void *ud, int status)
{
	struct rs_consumer	*k = ud;
	char			 how[64];

	if (k->done)
		return;
	if (WIFEXITED(status) && WEXITSTATUS(status) == 0)
		rs_emit_written(k, &k->cmd_ch, k->cmd_off);
	else {
		if (WIFEXITED(status))
			snprintf(how, sizeof how, "exit status %d",
			    WEXITSTATUS(status));
		else
			snprintf(how, sizeof how, "signal %d",
			    WIFSIGNALED(status) ? WTERMSIG(status) : 0);
		if (!k->cfg.on_error_skip) {
			rs_err_set(&k->err, RS_E_RUNTIME, "%s failed (%s) for the record "
			    "at offset %llu", k->cfg.argv[0], how,
			    (unsigned long long)k->cmd_off);
			rs_stop_finish(k);
			return;
		}
		say(k, k->cfg.warn, "%s failed (%s) for the record at offset "
		    "%llu; going on", k->cfg.argv[0], how,
		    (unsigned long long)k->cmd_off);
	}
	if ((k->cfg.count > 0 && rs_emit_total(k) >= k->cfg.count) ||
	    (!k->cfg.follow && k->cmd_off >= k->end)) {
		rs_stop_finish(k);
		return;
	}
	if (rs_stop_storing(k) && k->cfg.store_every > 0 &&
	    k->since_store >= k->cfg.store_every)
		rs_stop_store(k);
	cmd_next(k);
}

/* Run the command for the next record of the chunk in progress, or credit the next chunk. */
static void
cmd_next(struct rs_consumer *k)
{
	const uint8_t	*rec;
	size_t		 n;
	uint64_t	 off;
	int		 r;

	if (k->cfg.single_active && !k->active) {
		/* Stepped down: the rest of the chunk is the next reader's. */
		k->cmd_busy = 0;
		rs_frame_credit(rs_conn_buf(k->conn), RS_SUB(k, RS_SUB_MAIN),
		    1);
		if (k->cu_owed)
			rs_sac_step_down(k);
		rs_conn_flush(k->conn);
		return;
	}
	while ((r = rs_chunk_next(&k->cmd_ch, &rec, &n, &off)) == 1) {
		if (off < k->start)
			continue;
		if (k->skip > 0) {
			k->skip--;
			continue;
		}
		if (!k->cfg.follow && off > k->end)
			break;
		if (k->cfg.filter != NULL &&
		    !rs_filter_match(k->cfg.filter, rec, n))
			continue;	/* the Bloom filter let it through */
		k->cmd_off = off;
		k->cmd_body.len = 0;
		rs_output_body(&k->cmd_body, rec, n);
		cmd_env(k, rec, n, off);
		if (rs_runner_start(&k->runner, k->cmd_body.data ?
		    k->cmd_body.data : (const uint8_t *)"", k->cmd_body.len,
		    k->cmd_envp) == -1) {
			rs_err_set(&k->err, RS_E_RUNTIME, "%s: %s", k->cfg.argv[0],
			    k->runner.errstr);
			rs_stop_finish(k);
		}
		return;
	}
	if (r == -1) {
		rs_conn_fail(k->conn, RS_E_RUNTIME, "bad chunk: %s",
		    k->cmd_ch.errstr);
		return;
	}
	k->cmd_busy = 0;
	if (!k->cfg.follow &&
	    k->cmd_ch.first_offset + k->cmd_ch.nrecords > k->end) {
		rs_stop_finish(k);
		return;
	}
	rs_subscribe_credit(k, 1);
}

/* A chunk of the main subscription for the command: work through it, one record at a time. */
void
rs_command_chunk(struct rs_consumer *k, const uint8_t *p, size_t len)
{
	/* The read buffer moves on once we return: work on a copy. */
	k->cmd_chunk.len = 0;
	rs_buf_put(&k->cmd_chunk, p, len);
	if (k->cmd_chunk.oom ||
	    rs_chunk_parse(&k->cmd_ch, k->cmd_chunk.data, len, 0) == -1) {
		rs_err_set(&k->err, RS_E_RUNTIME, "out of memory");
		rs_stop_finish(k);
		return;
	}
	rs_chunk_scratch(&k->cmd_ch, &k->scratch);
	k->cmd_busy = 1;
	cmd_next(k);
}

/* Set up the command's buffers and runner (cfg.argv NULL: no command). */
void
rs_command_init(struct rs_consumer *k)
{
	rs_buf_init(&k->cmd_chunk);
	rs_buf_init(&k->cmd_body);
	rs_runner_init(&k->runner, k->loop, k->cfg.argv, cmd_done, k);
	rs_buf_init(&k->cmd_envbuf);
}

/* Stop a command still running and free the buffers. */
void
rs_command_free(struct rs_consumer *k)
{
	rs_runner_stop(&k->runner);
	rs_buf_free(&k->cmd_chunk);
	rs_buf_free(&k->cmd_body);
	rs_buf_free(&k->cmd_envbuf);
}
