/*
 * fuzz-amqp.c: a record through rs_amqp_parse() and the body walk, and
 * through rs_output_record(), which is what rstream-tail prints.
 */
#include "config.h"

#include "amqp.h"
#include "fuzz.h"
#include "output.h"
#include "wire.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct rs_amqp_msg	 m;
	struct rs_output	 o;
	struct rs_buf		 b;
	const uint8_t		*p;
	size_t			 n, total = 0;

	if (rs_amqp_parse(&m, data, size))
		while (rs_amqp_body_next(&m, &p, &n) == 1)
			total += n;
	rs_output_init(&o, "\n", 1);
	rs_buf_init(&b);
	rs_output_record(&o, &b, data, size);
	rs_buf_free(&b);
	(void)total;
	return 0;
}
