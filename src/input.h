/*
 * input.h: records out of an input byte stream. Pure: the caller reads.
 *
 *	rs_input_space() / rs_input_commit()	read straight into the buffer
 *	rs_input_end()				the current file has ended
 *	rs_input_next()				1 record, 0 need more, -1 error
 *	rs_input_skip()				after an oversize error: drop it
 *
 * Framings (rs_input_set_framing):
 *	RS_INPUT_DELIM	a record ends at the delimiter (stripped) or at the end
 *			of a file: a last line without a newline is a record
 *	RS_INPUT_BE32	each record is a 4-byte big-endian length, then the bytes
 *	RS_INPUT_WHOLE	each file is one record
 * A record never spans two files. Empty records are records. A record longer
 * than max_record is an error that names its number (counted from 1 across
 * all files); rs_input_skip() then drops it (its number stays used) and
 * framing goes on after it. Record slices point into the buffer and are
 * valid until the next rs_input_space().
 */
#ifndef RS_INPUT_H
#define RS_INPUT_H

#include <stddef.h>
#include <stdint.h>

#define RS_INPUT_READ	(256u << 10)	/* the most to read at once */

enum rs_input_framing {
	RS_INPUT_DELIM,
	RS_INPUT_BE32,
	RS_INPUT_WHOLE
};

struct rs_input {
	uint8_t			*buf;
	size_t			 cap;
	size_t			 pos;		/* start of the unframed bytes */
	size_t			 len;		/* end of valid bytes */
	size_t			 scan;		/* delimiter search resumes here */
	size_t			 max_record;
	size_t			 read;		/* the most a caller reads at once */
	enum rs_input_framing	 framing;
	const uint8_t		*delim;
	size_t			 delim_len;
	int			 at_end;	/* the current file has ended */
	uint64_t		 recno;		/* records returned or skipped so far */
	int			 oversize;	/* the record at pos is too long */
	uint64_t		 discard;	/* bytes still to drop (BE32) */
	int			 discarding;	/* drop up to the next delimiter or file end */
	int			 whole_done;	/* RS_INPUT_WHOLE: this file's record is out */
	char			 errstr[128];
};

int	rs_input_init(struct rs_input *, const void *, size_t, size_t);
int	rs_input_init_read(struct rs_input *, const void *, size_t, size_t,
	    size_t);
void	rs_input_set_framing(struct rs_input *, enum rs_input_framing);
void	rs_input_free(struct rs_input *);
int	rs_input_space(struct rs_input *, uint8_t **, size_t *);
void	rs_input_commit(struct rs_input *, size_t);
void	rs_input_end(struct rs_input *);
void	rs_input_next_file(struct rs_input *);
int	rs_input_next(struct rs_input *, const uint8_t **, size_t *);
void	rs_input_skip(struct rs_input *);

#endif
