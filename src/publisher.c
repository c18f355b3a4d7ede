/*
 * publisher.c: the publishing side of rstream-cat (PROTOCOL.adoc
 * "DeclarePublisher", "Publish", "PublishConfirm", "PublishError").
 *
 * Flow: locate the stream's leader (cluster.c), DeclarePublisher, then read
 * input. Each record gets the publishing id equal to its record number, so
 * ids are dense and a ring of max_in_flight flags tracks which are
 * acknowledged without any search. Records are encoded straight into the
 * connection's output buffer, in Publish frames filled up to the negotiated
 * frame max; whatever is framed is sent as soon as the input has nothing
 * more to give at once, so slow sources are not delayed.
 *
 * Reading stops while max_in_flight records are unconfirmed or the socket
 * is backed up, so memory stays bounded whatever the input size. The run
 * ends when every record read has been acknowledged: it then closes the
 * connection and stops the loop.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "amqp.h"
#include "frame.h"
#include "proto.h"
#include "publisher.h"

#define PUBLISHER_ID	0
#define OUT_HIGH	(8u << 20)	/* pause input above this much unsent output */
#define READS_PER_WAKE	64

static void	pub_ready(struct rs_conn *, void *);
static void	pub_frame(struct rs_conn *, const struct rs_frame *, void *);
static void	pub_error(struct rs_conn *, void *);
static void	pub_closed(struct rs_conn *, void *);
static void	pub_drained(struct rs_conn *, void *);
static void	located(struct rs_conn *, const struct rs_err *, void *);

static const struct rs_conn_handler pub_handler = {
	pub_ready, pub_frame, pub_error, pub_closed, pub_drained, NULL
};

static void __attribute__((format(printf, 3, 4)))
set_err(struct rs_publisher *p, enum rs_err_kind kind, const char *fmt, ...)
{
	va_list	 ap;

	if (p->err.kind != RS_E_OK)
		return;
	p->err.kind = kind;
	va_start(ap, fmt);
	vsnprintf(p->err.msg, sizeof p->err.msg, fmt, ap);
	va_end(ap);
}

static void
logmsg(struct rs_publisher *p, const char *msg)
{
	if (p->cfg.log != NULL)
		p->cfg.log(msg, p->cfg.log_ud);
}

static uint64_t
in_flight(const struct rs_publisher *p)
{
	return p->read + 1 - p->base;
}

/* Stop everything: the run is over (err says whether it failed). */
static void
stop(struct rs_publisher *p)
{
	rs_io_free(p->in_io);
	p->in_io = NULL;
	rs_loop_break(p->loop);
}

/* Close politely once nothing is in flight and no more input will come. */
static void
maybe_finish(struct rs_publisher *p)
{
	if (!p->input_done || in_flight(p) > 0 || p->closing)
		return;
	p->closing = 1;
	rs_io_free(p->in_io);
	p->in_io = NULL;
	rs_conn_close(p->conn);
}

static void
pub_closed(struct rs_conn *c, void *ud)
{
	(void)c;
	stop(ud);
}

static void
pub_error(struct rs_conn *c, void *ud)
{
	struct rs_publisher	*p = ud;

	if (p->closing && in_flight(p) == 0 && p->input_done) {
		stop(p);	/* everything was confirmed; the close was untidy */
		return;
	}
	set_err(p, rs_conn_err(c)->kind, "%s", rs_conn_err(c)->msg);
	stop(p);
}

/* Mark id acknowledged; advance base over the acknowledged prefix. 0, or -1 if id is not in flight. */
static int
ack(struct rs_publisher *p, uint64_t id)
{
	uint32_t	 w = p->cfg.max_in_flight;

	if (id < p->base || id > p->read)
		return -1;
	if (p->acked[id % w])
		return -1;
	p->acked[id % w] = 1;
	while (p->base <= p->read && p->acked[p->base % w]) {
		p->acked[p->base % w] = 0;
		p->base++;
	}
	return 0;
}

static void	pub_input(void *, int);
static void	input_step(struct rs_publisher *);

/* Below the bounds again: read on, or (past the end of a file) frame what is left. */
static void
resume_input(struct rs_publisher *p)
{
	if (p->paused && p->in_io != NULL &&
	    in_flight(p) < p->cfg.max_in_flight &&
	    rs_conn_unsent(p->conn) < OUT_HIGH) {
		p->paused = 0;
		if (p->file_eof)
			input_step(p);
		else
			rs_io_set(p->in_io, RS_READ);
	}
}

static void
pub_frame(struct rs_conn *c, const struct rs_frame *f, void *ud)
{
	struct rs_publisher	*p = ud;
	struct rs_cur		 cur;
	struct rs_str		 s;
	uint64_t		 id;
	uint32_t		 n, i;
	uint16_t		 code;
	uint8_t			 pubid;

	switch (f->key) {
	case RS_PUBLISH_CONFIRM:
	case RS_PUBLISH_ERROR:
		if (rs_frame_ids_begin(f, &cur, &pubid, &n) == -1 ||
		    pubid != PUBLISHER_ID) {
			rs_conn_fail(c, RS_E_RUNTIME, "malformed %s",
			    rs_proto_key_str(f->key));
			return;
		}
		for (i = 0; i < n; i++) {
			code = RS_OK;
			if (f->key == RS_PUBLISH_CONFIRM)
				rs_frame_confirm_next(&cur, &id);
			else
				rs_frame_error_next(&cur, &id, &code);
			if (ack(p, id) == -1)
				continue;	/* a duplicate or stray id */
			if (code == RS_OK) {
				p->confirmed++;
				continue;
			}
			if (p->failed++ == 0 || id < p->first_failed) {
				p->first_failed = id;
				p->first_failed_code = code;
			}
		}
		resume_input(p);
		maybe_finish(p);
		break;
	case RS_METADATA_UPDATE:
		if (rs_frame_metadata_update_decode(f, &code, &s) == -1)
			s.p = "", s.len = 0;
		rs_conn_fail(c, RS_E_TEMPFAIL, "the stream is no longer "
		    "available on this connection (%s): it was deleted, or its "
		    "leader moved", rs_proto_code_str(code));
		break;
	default:
		break;
	}
}

static void
pub_drained(struct rs_conn *c, void *ud)
{
	(void)c;
	resume_input(ud);
}

/* Open the next input; 1 opened, 0 no more inputs, -1 error (err set). */
static int
open_next(struct rs_publisher *p)
{
	const char	*name;

	if (p->cfg.files == NULL) {
		if (p->file_idx++ > 0)
			return 0;
		p->fd = STDIN_FILENO;
		p->file_name = "-";
	} else {
		if (p->file_idx == p->cfg.nfiles)
			return 0;
		name = p->cfg.files[p->file_idx++];
		p->file_name = name;
		if (strcmp(name, "-") == 0)
			p->fd = STDIN_FILENO;
		else if ((p->fd = open(name, O_RDONLY | O_CLOEXEC)) == -1) {
			set_err(p, RS_E_NOINPUT, "%s: %s", name, strerror(errno));
			return -1;
		}
	}
	if ((p->in_io = rs_io_new(p->loop, p->fd, pub_input, p)) == NULL) {
		set_err(p, RS_E_RUNTIME, "out of memory");
		return -1;
	}
	rs_input_next_file(&p->in);
	p->file_eof = 0;
	p->file_base = p->in.recno;
	rs_io_set(p->in_io, RS_READ);
	return 1;
}

static void
close_input(struct rs_publisher *p)
{
	rs_io_free(p->in_io);
	p->in_io = NULL;
	if (p->fd > STDIN_FILENO)
		close(p->fd);
	p->fd = -1;
}

/* No more input: either all is read or an error stopped reading. */
static void
input_over(struct rs_publisher *p)
{
	close_input(p);
	p->input_done = 1;
	maybe_finish(p);
}

/* Does fd have bytes (or EOF) waiting right now? */
static int
more_now(int fd)
{
	struct pollfd	 pfd = { .fd = fd, .events = POLLIN };

	return poll(&pfd, 1, 0) > 0;
}

/*
 * Frame every whole record in the input buffer into Publish frames appended
 * to the connection's output. 0, or -1 on an oversize record (err set).
 */
static int
frame_records(struct rs_publisher *p)
{
	struct rs_buf	*out = rs_conn_buf(p->conn);
	const uint8_t	*rec;
	uint8_t		 hdr[RS_AMQP_DATA_HEADER_MAX];
	size_t		 n, h, start = 0;
	uint32_t	 count = 0, frame_max = rs_conn_frame_max(p->conn);
	size_t		 frame_len = 0;
	int		 r;

	while (in_flight(p) < p->cfg.max_in_flight &&
	    (r = rs_input_next(&p->in, &rec, &n)) != 0) {
		if (r == -1) {
			if (count > 0)
				rs_frame_publish_end(out, start, count);
			set_err(p, RS_E_INPUT, "%s: line %llu: %s", p->file_name,
			    (unsigned long long)(p->in.recno - p->file_base + 1),
			    p->in.errstr);
			return -1;
		}
		h = p->cfg.raw ? 0 : rs_amqp_data_header(hdr, n);
		if (count > 0 && frame_len + RS_PUBLISH_PER_MSG + h + n > frame_max) {
			rs_frame_publish_end(out, start, count);
			count = 0;
		}
		if (count == 0) {
			start = rs_frame_publish_begin(out, PUBLISHER_ID);
			frame_len = RS_PUBLISH_HEADER;
		}
		p->read++;
		rs_frame_publish_msg(out, p->read, (uint32_t)(h + n));
		rs_buf_put(out, hdr, h);
		rs_buf_put(out, rec, n);
		frame_len += RS_PUBLISH_PER_MSG + h + n;
		count++;
	}
	if (count > 0)
		rs_frame_publish_end(out, start, count);
	return 0;
}

static void
pause_input(struct rs_publisher *p)
{
	p->paused = 1;
	rs_io_set(p->in_io, 0);
}

/*
 * Read what the input has now (nothing once it has ended: a terminal would
 * wait for a second end-of-file), frame it, send it. At the end of a file
 * whose records are all framed, go on with the next file.
 */
static void
input_step(struct rs_publisher *p)
{
	uint8_t		*buf;
	size_t		 avail;
	ssize_t		 n;
	int		 rounds;

	for (rounds = 0; rounds < READS_PER_WAKE; rounds++) {
		if (in_flight(p) >= p->cfg.max_in_flight ||
		    rs_conn_unsent(p->conn) >= OUT_HIGH) {
			pause_input(p);
			break;
		}
		if (p->file_eof) {
			frame_records(p);
			break;
		}
		rs_input_space(&p->in, &buf, &avail);
		do
			n = read(p->fd, buf, avail);
		while (n == -1 && errno == EINTR);
		if (n == -1) {
			if (errno == EAGAIN)
				break;
			set_err(p, RS_E_NOINPUT, "%s: %s", p->file_name,
			    strerror(errno));
			break;
		}
		if (n == 0) {
			p->file_eof = 1;
			rs_input_end(&p->in);
		} else
			rs_input_commit(&p->in, (size_t)n);
		if (frame_records(p) == -1 || p->file_eof || !more_now(p->fd))
			break;
	}
	if (p->err.kind != RS_E_OK) {
		if (rs_conn_flush(p->conn) == 0)
			input_over(p);
		return;
	}
	if (p->file_eof) {
		if (p->in.pos == p->in.len) {
			close_input(p);
			if (open_next(p) != 1)
				p->input_done = 1;
		} else
			pause_input(p);	/* the rest waits for confirms */
	}
	if (rs_conn_flush(p->conn) == -1)
		return;
	maybe_finish(p);
}

static void
pub_input(void *ud, int events)
{
	(void)events;
	input_step(ud);
}

static void
on_declare(struct rs_conn *c, const struct rs_frame *f, void *ud)
{
	struct rs_publisher	*p = ud;
	uint32_t		 overhead;

	if (f->code != RS_OK) {
		set_err(p, f->code == RS_ACCESS_REFUSED ? RS_E_NOPERM :
		    RS_E_UNAVAILABLE, "cannot declare a publisher: %s",
		    rs_proto_code_str(f->code));
		rs_conn_close(c);
		return;
	}
	overhead = RS_PUBLISH_HEADER + RS_PUBLISH_PER_MSG +
	    (p->cfg.raw ? 0 : RS_AMQP_DATA_HEADER_MAX);
	p->max_record = rs_conn_frame_max(c) - overhead;
	if (rs_input_init(&p->in, "\n", 1, p->max_record) == -1) {
		set_err(p, RS_E_RUNTIME, "out of memory");
		rs_conn_close(c);
		return;
	}
	p->in_ready = 1;
	if (open_next(p) != 1) {
		p->input_done = 1;
		maybe_finish(p);
	}
}

static void
pub_ready(struct rs_conn *c, void *ud)
{
	(void)c;
	(void)ud;
}

static void
located(struct rs_conn *c, const struct rs_err *err, void *ud)
{
	struct rs_publisher	*p = ud;

	if (c == NULL) {
		set_err(p, err->kind, "%s", err->msg);
		stop(p);
		return;
	}
	p->conn = c;
	rs_conn_set_handler(c, &pub_handler, p);
	rs_frame_declare_publisher(rs_conn_buf(c), rs_conn_corr(c, on_declare, p),
	    PUBLISHER_ID, "", p->cfg.stream);
	rs_conn_flush(c);
}

static void
cluster_log(const char *msg, void *ud)
{
	logmsg(ud, msg);
}

/* Publish everything the inputs hold; 0 when every record was confirmed, -1 otherwise. */
int
rs_publisher_run(struct rs_publisher *p, const struct rs_publisher_cfg *cfg,
    struct rs_loop *loop)
{
	size_t	 i;

	memset(p, 0, sizeof *p);
	p->cfg = *cfg;
	p->loop = loop;
	p->fd = -1;
	p->base = 1;
	if (p->cfg.max_in_flight == 0)
		p->cfg.max_in_flight = 10000;
	for (i = 0; i < cfg->nfiles; i++) {
		if (strcmp(cfg->files[i], "-") != 0 &&
		    access(cfg->files[i], R_OK) == -1) {
			set_err(p, RS_E_NOINPUT, "%s: %s", cfg->files[i],
			    strerror(errno));
			return -1;
		}
	}
	if ((p->acked = calloc(p->cfg.max_in_flight, 1)) == NULL) {
		set_err(p, RS_E_RUNTIME, "out of memory");
		return -1;
	}
	p->cluster.loop = loop;
	p->cluster.uri = cfg->uri;
	p->cluster.stream = cfg->stream;
	p->cluster.want_leader = 1;
	p->cluster.create = cfg->create;
	p->cluster.create_args = cfg->create_args;
	p->cluster.ncreate = cfg->ncreate;
	p->cluster.done = located;
	p->cluster.ud = p;
	p->cluster.log = cluster_log;
	rs_cluster_open(&p->cluster);
	if (p->err.kind == RS_E_OK || p->conn != NULL)
		rs_loop_run(loop);
	if (p->err.kind == RS_E_OK && p->failed > 0)
		set_err(p, RS_E_RUNTIME, "%llu records were rejected by the "
		    "broker (first: record %llu: %s)",
		    (unsigned long long)p->failed,
		    (unsigned long long)p->first_failed,
		    rs_proto_code_str(p->first_failed_code));
	return p->err.kind == RS_E_OK ? 0 : -1;
}

void
rs_publisher_free(struct rs_publisher *p)
{
	close_input(p);
	rs_conn_free(p->conn);
	rs_cluster_free(&p->cluster);
	if (p->in_ready)
		rs_input_free(&p->in);
	free(p->acked);
}
