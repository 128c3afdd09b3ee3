/*
 * html - escaping of text for HTML pages; see html.h.
 * SPDX-License-Identifier: ISC
 */
#include "config.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>

#include "buf.h"
#include "html.h"
#include "mymalloc.h"

void
html_escape(struct buf *out, const char *s)
{
	const unsigned char *p;

	if (s == NULL)
		return;
	for (p = (const unsigned char *)s; *p; p++) {
		switch (*p) {
		case '&':
			buf_puts(out, "&amp;");
			break;
		case '<':
			buf_puts(out, "&lt;");
			break;
		case '>':
			buf_puts(out, "&gt;");
			break;
		case '"':
			buf_puts(out, "&quot;");
			break;
		case '\'':
			buf_puts(out, "&#39;");
			break;
		case '\t':
		case '\n':
		case '\r':
			buf_putc(out, *p);
			break;
		default:
			if (*p < 0x20 || *p == 0x7f)
				buf_puts(out, "\xef\xbf\xbd");
			else
				buf_putc(out, *p);
		}
	}
}

void
html_escapef(struct buf *out, const char *fmt, ...)
{
	va_list ap;
	char *s;

	va_start(ap, fmt);
	s = xvasprintf(fmt, ap);
	va_end(ap);
	html_escape(out, s);
	free(s);
}
