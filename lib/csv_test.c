/*
 * csv_test - unit tests of lib/csv: RFC 4180 quoting, and formula cells
 * made text, for a file and for a terminal.
 * SPDX-License-Identifier: ISC
 */
#include "config.h"

#include <string.h>

#include "csv.h"
#include "esc.h"
#include "unit.h"

static const char *
cell(const char *s, enum csv_how how)
{
	static struct buf b;

	buf_reset(&b);
	buf_puts(&b, "");
	csv_cell(&b, s, how);
	return b.s;
}

int
main(void)
{
	static const struct {
		const char *in, *bytes, *terminal;
	} cases[] = {
		{ "plain", "plain", "plain" },
		{ "", "", "" },
		{ NULL, "", "" },
		{ "a=b", "a=b", "a=b" },
		{ "=HYPERLINK(\"http://x\",\"y\")",
		    "\"'=HYPERLINK(\"\"http://x\"\",\"\"y\"\")\"",
		    "\"'=HYPERLINK(\"\"http://x\"\",\"\"y\"\")\"" },
		{ "+1", "\"'+1\"", "\"'+1\"" },
		{ "-2+3", "\"'-2+3\"", "\"'-2+3\"" },
		{ "@SUM(A1)", "\"'@SUM(A1)\"", "\"'@SUM(A1)\"" },
		{ "\t=1", "\"'\t=1\"", "\"'\\t=1\"" },
		{ "\r=1", "\"'\r=1\"", "\"'\\r=1\"" },
		{ "a,b", "\"a,b\"", "\"a,b\"" },
		{ "x\"y", "\"x\"\"y\"", "\"x\"\"y\"" },
		{ "two\nlines", "\"two\nlines\"", "two\\nlines" },
		{ "esc\033[2J", "esc\033[2J", "esc\\x1b[2J" },
		{ " =1", " =1", " =1" },
		{ "-2", "\"'-2\"", "\"'-2\"" },
		{ "\tx", "\"'\tx\"", "\"'\\tx\"" },
		{ "=\"a\"", "\"'=\"\"a\"\"\"", "\"'=\"\"a\"\"\"" },
	};
	size_t i;

	for (i = 0; i < UNIT_NCASES(cases); i++) {
		CHECK(strcmp(cell(cases[i].in, CSV_BYTES), cases[i].bytes) == 0,
		    "case %zu as bytes: %s", i,
		    esc_printable(cell(cases[i].in, CSV_BYTES)));
		CHECK(strcmp(cell(cases[i].in, CSV_TERMINAL),
		    cases[i].terminal) == 0, "case %zu for a terminal: %s", i,
		    esc_printable(cell(cases[i].in, CSV_TERMINAL)));
	}
	return unit_status();
}
