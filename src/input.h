/*
 * input.h: records out of an input byte stream. Pure: the caller reads.
 *
 *	rs_input_space() / rs_input_commit()	read straight into the buffer
 *	rs_input_end()				the current file has ended
 *	rs_input_next()				1 record, 0 need more, -1 error
 *
 * A record ends at the delimiter (stripped) or at the end of a file (a last
 * line without a newline is a record; a record never spans two files). Empty
 * records are records. A record longer than max_record is an error that
 * names its number (counted from 1 across all files). Record slices point
 * into the buffer and are valid until the next rs_input_space().
 */
#ifndef RS_INPUT_H
#define RS_INPUT_H

#include <stddef.h>
#include <stdint.h>

struct rs_input {
	uint8_t		*buf;
	size_t		 cap;
	size_t		 pos;		/* start of the unframed bytes */
	size_t		 len;		/* end of valid bytes */
	size_t		 scan;		/* delimiter search resumes here */
	size_t		 max_record;
	const uint8_t	*delim;
	size_t		 delim_len;
	int		 at_end;	/* the current file has ended */
	uint64_t	 recno;		/* records returned so far */
	char		 errstr[128];
};

int	rs_input_init(struct rs_input *, const void *, size_t, size_t);
void	rs_input_free(struct rs_input *);
int	rs_input_space(struct rs_input *, uint8_t **, size_t *);
void	rs_input_commit(struct rs_input *, size_t);
void	rs_input_end(struct rs_input *);
void	rs_input_next_file(struct rs_input *);
int	rs_input_next(struct rs_input *, const uint8_t **, size_t *);

#endif
