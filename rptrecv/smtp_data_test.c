/*
 * smtp_data_test - unit test of smtp_data: the end mark, dot
 *	unstuffing, bare CR and LF, long lines, and input split at every
 *	octet.
 * SPDX-License-Identifier: ISC
 */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include "buf.h"
#include "smtp_data.h"
#include "unit.h"

/*
 * Feeds in (whole, then one octet at a time) and checks what comes out,
 * the end kind, the error and the octets left after the end.
 */
static void
t(const char *what, const char *in, const char *want_out,
    enum smtp_data_end want_end, enum smtp_data_error want_err,
    size_t want_left)
{
	struct smtp_data d;
	struct buf out = BUF_INIT;
	size_t len = strlen(in), used, i;
	int good;
	char name[200];

	smtp_data_init(&d, SMTP_TEXT_LINE_MAX);
	used = smtp_data_feed(&d, in, len, &out);
	good = d.end == want_end && d.error == want_err &&
	    len - used == want_left &&
	    (want_out == NULL || strcmp(out.s ? out.s : "", want_out) == 0);
	CHECK(good, "%s", what);
	if (!good)
		printf("#   end %d error %d left %zu out \"%s\"\n", (int)d.end,
		    (int)d.error, len - used, out.s ? out.s : "");

	buf_reset(&out);
	smtp_data_init(&d, SMTP_TEXT_LINE_MAX);
	for (i = 0; i < len && d.end == SMTP_DATA_MORE; i++)
		smtp_data_feed(&d, in + i, 1, &out);
	snprintf(name, sizeof(name), "%s (one octet at a time)", what);
	CHECK(d.end == want_end && d.error == want_err &&
	    len - i == want_left &&
	    (want_out == NULL || strcmp(out.s ? out.s : "", want_out) == 0),
	    "%s", name);
	buf_free(&out);
}

int
main(void)
{
	struct smtp_data d;
	struct buf out = BUF_INIT;
	char line[1100];

	t("plain message", "Subject: x\r\n\r\nbody\r\n.\r\n",
	    "Subject: x\r\n\r\nbody\r\n", SMTP_DATA_END, SMTP_DATA_OK, 0);
	t("empty message", ".\r\n", "", SMTP_DATA_END, SMTP_DATA_OK, 0);
	t("pipelined commands stay unread", "a\r\n.\r\nQUIT\r\n", "a\r\n",
	    SMTP_DATA_END, SMTP_DATA_OK, 6);
	t("dot unstuffing", "..a\r\n..\r\n.b.\r\n.\r\n", ".a\r\n.\r\nb.\r\n",
	    SMTP_DATA_END, SMTP_DATA_OK, 0);
	t("incomplete message", "a\r\n.", "a\r\n", SMTP_DATA_MORE,
	    SMTP_DATA_OK, 0);
	t("bare LF inside a line", "a\nb\r\n.\r\n", NULL, SMTP_DATA_END,
	    SMTP_DATA_BARE_LF, 0);
	t("bare CR inside a line", "a\rb\r\n.\r\n", NULL, SMTP_DATA_END,
	    SMTP_DATA_BARE_CR, 0);
	t("smuggling: <LF>.<LF> ends and is flagged", "a\n.\nMAIL FROM:<x>\r\n",
	    NULL, SMTP_DATA_END_BARE, SMTP_DATA_BARE_LF, 15);
	t("smuggling: <CRLF>.<LF>", "a\r\n.\nMAIL\r\n", NULL,
	    SMTP_DATA_END_BARE, SMTP_DATA_BARE_LF, 6);
	t("smuggling: <LF>.<CRLF>", "a\n.\r\nMAIL\r\n", NULL,
	    SMTP_DATA_END_BARE, SMTP_DATA_BARE_LF, 6);
	t("smuggling: <CR>.<CR> does not end", "a\r.\rb\r\n.\r\n", NULL,
	    SMTP_DATA_END, SMTP_DATA_BARE_CR, 0);

	memset(line, 'x', sizeof(line));
	memcpy(line + 998, "\r\n.\r\n", 6);
	t("a 998-octet line is fine", line, NULL, SMTP_DATA_END, SMTP_DATA_OK, 0);
	memset(line, 'x', sizeof(line));
	memcpy(line + 999, "\r\n.\r\n", 6);
	t("a 999-octet line is too long", line, NULL, SMTP_DATA_END,
	    SMTP_DATA_LONG_LINE, 0);
	line[0] = '.';
	memcpy(line + 999, "\r\n.\r\n", 6);
	t("the stuffing dot counts in the line length", line, NULL,
	    SMTP_DATA_END, SMTP_DATA_LONG_LINE, 0);

	smtp_data_init(&d, SMTP_TEXT_LINE_MAX);
	smtp_data_feed(&d, "ab\r\ncd\n.\r\n", 10, &out);
	CHECK(d.size == 6 && strcmp(out.s, "ab\r\ncd") == 0 &&
	    d.error == SMTP_DATA_BARE_LF,
	    "nothing is appended after an error, but size still counts");
	buf_free(&out);
	return unit_status();
}
