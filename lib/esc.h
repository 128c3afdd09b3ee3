/*
 * esc - untrusted text made safe for where it goes: a log line, a
 * terminal, a mail header, a line of a state file.
 * SPDX-License-Identifier: ISC
 *
 * SYNOPSIS
 *	esc_text(out, s)		log lines and terminals
 *	esc_textn(out, s, len)		the same, for len bytes
 *	esc_header(out, s)		one mail header field body
 *	esc_line(out, s)		one field of a line of a state file
 *	esc_unline(out, s, len)		its reverse; -1 when malformed
 *	esc_printable(s)		the result of esc_text in a static
 *					buffer, for one argument of a log line
 *
 * DESCRIPTION
 *	The one helper per destination of text that came from outside
 *	(reports, mail headers, DNS, certificates).  Each appends to out;
 *	NULL appends nothing.
 *
 *	esc_text() writes what a person reads: printable ASCII and valid
 *	UTF-8 stay as they are; a backslash is "\\"; tab, newline and
 *	carriage return are "\t", "\n", "\r"; every other C0 control
 *	character, DEL, the C1 controls (U+0080-U+009F, which some
 *	terminals obey) and bytes that are not valid UTF-8 are "\xHH".  So
 *	no escape sequence reaches a terminal and no newline forges a log
 *	line, and what is shown says exactly which bytes came.
 *
 *	esc_header() writes the body of one header field (RFC 5322): CR,
 *	LF and the other control characters never appear; ASCII text with
 *	control characters replaced by a space is written as it is; text
 *	with bytes over 127 is one or more RFC 2047 encoded-words
 *	(=?UTF-8?B?...?=, at most ESC_HEADER_WORD input bytes each, a UTF-8
 *	sequence never split), separated by a space.
 *
 *	esc_line() and esc_unline() are a pair: esc_line() writes s with
 *	backslash, the C0 controls, DEL and space as "\xHH" (so a field
 *	is one word without white space, and a line one record);
 *	esc_unline() reads that back exactly, and returns -1 on a
 *	backslash not followed by "x" and two hex digits, or on a field
 *	that decodes to a NUL byte.
 *
 *	esc_printable() is for log arguments (log_info("... %s",
 *	esc_printable(org))): it keeps ESC_PRINTABLE_SLOTS results alive
 *	at once, in a ring of buffers; it escapes the first
 *	ESC_PRINTABLE_MAX bytes of s (a longer text ends in "..."); not
 *	for threads.
 */
#ifndef STS_ESC_H
#define STS_ESC_H

#include <stddef.h>

#include "buf.h"

#define ESC_HEADER_WORD		45	/* input bytes per encoded-word */
#define ESC_PRINTABLE_SLOTS	8
#define ESC_PRINTABLE_MAX	1024

void	esc_text(struct buf *out, const char *s);
void	esc_textn(struct buf *out, const char *s, size_t len);
void	esc_header(struct buf *out, const char *s);
void	esc_line(struct buf *out, const char *s);
int	esc_unline(struct buf *out, const char *s, size_t len);
const char *esc_printable(const char *s);

#endif
