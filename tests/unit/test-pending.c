/*
 * test-pending.c: the table of requests awaiting replies (src/pending.c):
 * correlation ids from 1, each taken back once with its callback and
 * argument, an unknown id refused, forgotten entries kept with no
 * callback, the oldest sending time, and the id skipping 0 as it wraps.
 */
#include "config.h"

#include <stdint.h>

#include "pending.h"
#include "tap.h"

/* A callback to register: never called here, only compared. */
static void
reply_a(struct rs_conn *c, const struct rs_frame *f, void *priv)
{
	(void)c;
	(void)f;
	(void)priv;
}

/* Another, to tell entries apart. */
static void
reply_b(struct rs_conn *c, const struct rs_frame *f, void *priv)
{
	(void)c;
	(void)f;
	(void)priv;
}

/* Add, take, refuse, forget; enough entries to grow the table. */
static void
test_table(void)
{
	struct rs_pending	 t;
	struct rs_pending_entry	 e;
	int			 a, b, i, ok_ids = 1;

	rs_pending_init(&t);
	is_uint(rs_pending_add(&t, reply_a, &a, 5.0), 1, "the first id is 1");
	is_uint(rs_pending_add(&t, reply_b, &b, 3.0), 2, "then 2");
	is_uint(t.n, 2, "two awaited");
	ok(rs_pending_oldest(&t) == 3.0, "the oldest was sent at 3");
	ok(rs_pending_take(&t, 7, &e) == -1, "an id never given is refused");
	ok(rs_pending_take(&t, 1, &e) == 0 && e.corr == 1 && e.fn == reply_a &&
	    e.priv == &a && e.sent == 5.0, "id 1 comes back with its callback");
	ok(rs_pending_take(&t, 1, &e) == -1, "and only once");
	is_uint(t.n, 1, "one awaited");
	ok(rs_pending_oldest(&t) == 3.0, "the oldest is still 3");
	for (i = 0; i < 20; i++)
		if (rs_pending_add(&t, reply_a, &a, 10.0 + i) != (uint32_t)(3 + i))
			ok_ids = 0;
	ok(ok_ids, "ids go on counting as the table grows");
	rs_pending_forget(&t, &a);
	ok(rs_pending_take(&t, 2, &e) == 0 && e.fn == reply_b && e.priv == &b,
	    "forgetting a leaves b's entry alone");
	ok(rs_pending_take(&t, 22, &e) == 0 && e.fn == NULL && e.priv == NULL,
	    "a forgotten entry is still taken, with no callback");
	ok(rs_pending_oldest(&t) == 10.0, "the oldest left was sent at 10");
	rs_pending_free(&t);
	is_uint(t.n, 0, "freed");
}

/* The id after 0xffffffff is 1, never 0 (0 means out of memory). */
static void
test_wrap(void)
{
	struct rs_pending	 t;
	int			 a;

	rs_pending_init(&t);
	t.next_corr = UINT32_MAX;
	is_uint(rs_pending_add(&t, reply_a, &a, 0.0), UINT32_MAX, "the last id");
	is_uint(rs_pending_add(&t, reply_a, &a, 0.0), 1, "then 1, not 0");
	rs_pending_free(&t);
}

int
main(void)
{
	test_table();
	test_wrap();
	return done_testing();
}
