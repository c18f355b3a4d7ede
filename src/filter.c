/*
 * filter.c: the reader's side of stream filtering (filter.h): the
 * Subscribe properties that ask the broker to skip chunks, and the check
 * of each record that the broker's Bloom filter makes necessary.
 *
 * A record's filter value is looked up in its application properties,
 * then its message annotations, under x-stream-filter-value; a string,
 * symbol or binary value counts (anything else, or a record that is not
 * an AMQP 1.0 message, has none). Values compare as bytes.
 */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include "amqp.h"
#include "filter.h"

/* Add a value to match (--filter). 0, or -1 if there are too many or it is too long or empty. */
int
rs_filter_add(struct rs_filter *f, const char *v)
{
	size_t	 n = strlen(v);

	if (f->nvalues == RS_FILTER_VALUES_MAX || n == 0 ||
	    n > RS_FILTER_VALUE_MAX)
		return -1;
	f->values[f->nvalues++] = v;
	return 0;
}

/*
 * The Subscribe properties for f into *kv (pairs of strings, valid while f
 * is); how many pairs.
 */
size_t
rs_filter_properties(struct rs_filter *f, const char *const **kv)
{
	size_t	 i, n = 0;

	for (i = 0; i < f->nvalues; i++) {
		snprintf(f->keys[i], sizeof f->keys[i], "filter.%zu", i);
		f->kv[2 * n] = f->keys[i];
		f->kv[2 * n + 1] = f->values[i];
		n++;
	}
	if (f->match_unfiltered) {
		f->kv[2 * n] = "match-unfiltered";
		f->kv[2 * n + 1] = "true";
		n++;
	}
	*kv = f->kv;
	return n;
}

/* Is v a value a filter value can be? */
static int
textual(const struct rs_amqp_value *v)
{
	return v->type == RS_AMQP_T_STRING || v->type == RS_AMQP_T_SYMBOL ||
	    v->type == RS_AMQP_T_BINARY;
}

/*
 * The filter value a record carries: 1 with *v, *n its bytes (inside rec),
 * or 0 if it has none.
 */
int
rs_filter_value(const uint8_t *rec, size_t len, const uint8_t **v, size_t *n)
{
	struct rs_amqp_msg	 m;
	struct rs_amqp_value	 val;

	if (rs_amqp_parse(&m, rec, len) != 1)
		return 0;
	if ((rs_amqp_map_find(&m.application_properties, RS_FILTER_PROPERTY,
	    &val) == 1 && textual(&val)) ||
	    (rs_amqp_map_find(&m.message_annotations, RS_FILTER_PROPERTY,
	    &val) == 1 && textual(&val))) {
		*v = val.p;
		*n = val.n;
		return 1;
	}
	return 0;
}

/* Does the record pass filter f: a value among f's, or none with match-unfiltered? */
int
rs_filter_match(const struct rs_filter *f, const uint8_t *rec, size_t len)
{
	const uint8_t	*v;
	size_t		 n, i;

	if (!rs_filter_value(rec, len, &v, &n))
		return f->match_unfiltered;
	for (i = 0; i < f->nvalues; i++)
		if (strlen(f->values[i]) == n &&
		    memcmp(f->values[i], v, n) == 0)
			return 1;
	return 0;
}
