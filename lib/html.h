/*
 * html - text into HTML, safely.
 * SPDX-License-Identifier: ISC
 *
 * SYNOPSIS
 *	html_escape(out, s)		appends s with & < > " ' as entities
 *	html_escapef(out, fmt, ...)	formats, then escapes the result
 *
 * DESCRIPTION
 *	The one way the pages put text that came from outside (reports,
 *	policyd, certificates) into HTML: the result is safe as element
 *	text (also SVG <text>) and inside a double- or single-quoted
 *	attribute value.  C0 control characters other than tab, newline
 *	and carriage return, and DEL, become U+FFFD (they are not allowed
 *	in HTML text).  NULL appends nothing.
 */
#ifndef STS_HTML_H
#define STS_HTML_H

#include "buf.h"

void	html_escape(struct buf *out, const char *s);
void	html_escapef(struct buf *out, const char *fmt, ...)
	    __attribute__((format(printf, 2, 3)));

#endif
