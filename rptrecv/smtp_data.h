/*
 * smtp_data - the text of a DATA command: find its end, undo dot
 *	stuffing, refuse bare CR and LF and over-long lines.
 * SPDX-License-Identifier: ISC
 *
 * SYNOPSIS
 *	struct smtp_data d;
 *
 *	smtp_data_init(&d, line_max);
 *	n = smtp_data_feed(&d, in, len, &out);	as data arrives
 *	if (d.end != SMTP_DATA_MORE) ... the text is complete
 *
 * DESCRIPTION
 *	smtp_data_feed() consumes octets of the DATA text from in, up to
 *	and including the end-of-data mark, and returns how many it took
 *	(octets after the mark are the next commands: pipelining).  It
 *	appends the message, dot-unstuffed and with CRLF line ends, to
 *	out, and appends nothing more once d.error is set: the caller
 *	should then drop what it stored, but keep feeding to reach the
 *	end.
 *
 *	d.end becomes SMTP_DATA_END at <CRLF>.<CRLF>, the only end mark
 *	(RFC 5321 section 4.1.1.4).  A line "." where either line end is
 *	a bare LF (<LF>.<LF>, <CRLF>.<LF>, <LF>.<CRLF>) is what a sender
 *	that ends lines with LF alone sends as the end, and what an SMTP
 *	smuggling attack hides in a message for a lax server to see as
 *	the end: d.end becomes SMTP_DATA_END_BARE, and the caller must
 *	refuse the message and close the connection, so that nothing
 *	after it is ever read as a command.
 *
 *	d.error is the first problem seen: SMTP_DATA_BARE_LF (an LF not
 *	preceded by CR), SMTP_DATA_BARE_CR (a CR not followed by LF),
 *	SMTP_DATA_LONG_LINE (a line longer than line_max octets without
 *	its CRLF, counted as sent, with any stuffing dot).
 *	d.size counts the octets appended to out (or that would have
 *	been, after an error).
 *
 * LIMITS
 *	Keeps no data itself: the caller bounds out (message_size_limit)
 *	by flushing it to the spool.  Pure: no I/O.
 */
#ifndef RPTRECV_SMTP_DATA_H
#define RPTRECV_SMTP_DATA_H

#include <stddef.h>

#include "buf.h"

#define SMTP_TEXT_LINE_MAX	998	/* octets of a text line, w/o CRLF */

enum smtp_data_end {
	SMTP_DATA_MORE,		/* the end mark has not been seen yet */
	SMTP_DATA_END,		/* <CRLF>.<CRLF> */
	SMTP_DATA_END_BARE,	/* a "." line with a bare LF line end */
};

enum smtp_data_error {
	SMTP_DATA_OK,
	SMTP_DATA_BARE_LF,
	SMTP_DATA_BARE_CR,
	SMTP_DATA_LONG_LINE,
};

struct smtp_data {
	int	 state;			/* private */
	int	 bare_eol;		/* private: last line ended in bare LF */
	size_t	 line_len;		/* private */
	size_t	 line_max;
	enum smtp_data_end end;
	enum smtp_data_error error;
	unsigned long long size;
};

void	smtp_data_init(struct smtp_data *, size_t line_max);
size_t	smtp_data_feed(struct smtp_data *, const char *in, size_t len,
	    struct buf *out);
const char *smtp_data_error_text(enum smtp_data_error);

#endif
