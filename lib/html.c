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

#define HTML_ASCII	128	/* the characters html_entities[] covers */

/* What stands for a character that HTML text and attributes cannot hold. */
static const char *const html_entities[HTML_ASCII] = {
	['&'] = "&amp;", ['<'] = "&lt;", ['>'] = "&gt;", ['"'] = "&quot;",
	['\''] = "&#39;",
};

void
html_escape(struct buf *out, const char *s)
{
	const unsigned char *p;

	if (s == NULL)
		return;
	for (p = (const unsigned char *)s; *p; p++) {
		if (*p < HTML_ASCII && html_entities[*p] != NULL)
			buf_puts(out, html_entities[*p]);
		else if ((*p < 0x20 && *p != '\t' && *p != '\n' &&
		    *p != '\r') || *p == 0x7f)
			buf_puts(out, "\xef\xbf\xbd");
		else
			buf_putc(out, *p);
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
