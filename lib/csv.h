/*
 * csv - one cell of CSV (RFC 4180) that a spreadsheet shows as text, for
 * the report exports of stsctl and of the portal.
 * SPDX-License-Identifier: ISC
 *
 * SYNOPSIS
 *	csv_cell(out, text, how)
 *
 * DESCRIPTION
 *	csv_cell() appends text to out as one cell: quoted when it holds
 *	a comma, a double quote, CR or LF, a double quote doubled.  A
 *	text that begins with one of CSV_FORMULA (= + - @, tab, carriage
 *	return) is quoted and gets a leading "'", so that a spreadsheet
 *	shows it as text and does not run it as a formula (OWASP, "CSV
 *	injection": =HYPERLINK(...), =cmd|...).  NULL is an empty cell.
 *
 *	how is CSV_BYTES for a file (the portal's export.csv): the text
 *	as it is; or CSV_TERMINAL for what stsctl prints: the text through
 *	esc_text() (lib/esc), so that no control character reaches a
 *	terminal and no CR or LF splits a line.  The formula test is on
 *	the text as it came in both cases: a cell that came with a
 *	leading tab is "'\t..." on a terminal too.
 *
 * LIMITS
 *	None of its own: the cell is as long as the text (escaped: up
 *	to four bytes a byte).
 */
#ifndef STS_CSV_H
#define STS_CSV_H

#include "buf.h"

#define CSV_FORMULA	"=+-@\t\r"	/* what begins a spreadsheet formula */

enum csv_how {
	CSV_BYTES,			/* the text as it is */
	CSV_TERMINAL,			/* through esc_text() */
};

void	csv_cell(struct buf *out, const char *text, enum csv_how how);

#endif
