/*
 * csv - one cell of CSV that a spreadsheet shows as text; see csv.h.
 * SPDX-License-Identifier: ISC
 */
#include "config.h"

#include <string.h>

#include "buf.h"
#include "csv.h"
#include "esc.h"

void
csv_cell(struct buf *out, const char *s, enum csv_how how)
{
	struct buf esc = BUF_INIT;
	const char *p;
	int formula;

	if (s == NULL)
		return;
	formula = *s != '\0' && strchr(CSV_FORMULA, *s) != NULL;
	if (how == CSV_TERMINAL) {
		buf_puts(&esc, "");
		esc_text(&esc, s);
		s = esc.s;
	}
	if (strpbrk(s, ",\"\r\n") == NULL && !formula) {
		buf_puts(out, s);
		buf_free(&esc);
		return;
	}
	buf_putc(out, '"');
	/* A formula a spreadsheet would run becomes text. */
	if (formula)
		buf_putc(out, '\'');
	for (p = s; *p; p++) {
		if (*p == '"')
			buf_putc(out, '"');
		buf_putc(out, *p);
	}
	buf_putc(out, '"');
	buf_free(&esc);
}
