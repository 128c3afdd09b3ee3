/*
 * esc_test - unit tests of lib/esc: log/terminal, header and state-file
 * escaping of hostile text.
 * SPDX-License-Identifier: ISC
 */
#include "config.h"

#include <string.h>

#include "esc.h"
#include "unit.h"

/* s escaped by esc, in a buffer the next call reuses. */
static const char *
escaped(void (*esc)(struct buf *, const char *), const char *s)
{
	static struct buf b;

	buf_reset(&b);
	buf_puts(&b, "");
	esc(&b, s);
	return b.s;
}

#define text(s)		escaped(esc_text, (s))
#define header(s)	escaped(esc_header, (s))

static int
roundtrip(const char *s)
{
	struct buf l = BUF_INIT, back = BUF_INIT;
	int ok;

	buf_puts(&l, "");
	buf_puts(&back, "");
	esc_line(&l, s);
	ok = strpbrk(l.s, " \t\r\n") == NULL &&
	    esc_unline(&back, l.s, l.len) == 0 && strcmp(back.s, s) == 0;
	buf_free(&l);
	buf_free(&back);
	return ok;
}

int
main(void)
{
	struct buf b = BUF_INIT;
	const char *h;
	char big[3000];

	CHECK(STR_EQ(text("Example Sender Inc."), "Example Sender Inc."),
	    "text: plain text stays");
	CHECK(strcmp(text("a\nb\rc\td\\e"), "a\\nb\\rc\\td\\\\e") == 0,
	    "text: newline, return, tab and backslash are escaped");
	CHECK(strcmp(text("\x1b[2J\x07"), "\\x1b[2J\\x07") == 0,
	    "text: terminal escape and bell are shown as \\xHH");
	CHECK(strcmp(text("caf\xc3\xa9 \xe2\x9c\x93"), "caf\xc3\xa9 \xe2\x9c\x93") == 0,
	    "text: valid UTF-8 stays");
	CHECK(strcmp(text("\xc2\x9b" "31m"), "\\xc2\\x9b31m") == 0,
	    "text: a C1 control (U+009B CSI) is escaped");
	CHECK(strcmp(text("\xff\xc3(\xed\xa0\x80\xc0\xaf"),
	    "\\xff\\xc3(\\xed\\xa0\\x80\\xc0\\xaf") == 0,
	    "text: invalid UTF-8, surrogates and overlong forms are escaped");
	CHECK(strcmp(text("\x7f"), "\\x7f") == 0, "text: DEL is escaped");
	buf_puts(&b, "");
	esc_textn(&b, "a\0b", 3);
	CHECK(strcmp(b.s, "a\\x00b") == 0, "textn: a NUL byte is shown");

	CHECK(STR_EQ(header("example.com failures"), "example.com failures"),
	    "header: plain ASCII stays");
	h = header("x.example\r\nBcc: victim@example.org\r\n\r\nbody");
	CHECK(strchr(h, '\r') == NULL && strchr(h, '\n') == NULL,
	    "header: no CR or LF survives (%s)", h);
	CHECK(STR_EQ(header("a\tb\x01" "c"), "a b c"),
	    "header: control characters become spaces");
	h = header("caf\xc3\xa9\nBcc: x");
	CHECK(strcmp(h, "=?UTF-8?B?Y2Fmw6kgQmNjOiB4?=") == 0,
	    "header: non-ASCII is an RFC 2047 encoded-word (%s)", h);
	memset(big, 0, sizeof(big));
	for (size_t i = 0; i + 2 < 300; i += 2)
		memcpy(big + i, "\xc3\xa9", 2);
	h = header(big);
	CHECK(strstr(h, "?= =?UTF-8?B?") != NULL && strchr(h, '\n') == NULL,
	    "header: long text is several encoded-words on one line");

	CHECK(roundtrip("plain"), "line: plain text reads back");
	CHECK(roundtrip("a b\nc\\xd\r\x1b\x7f\xff"),
	    "line: spaces, newlines, backslashes and controls read back");
	CHECK(roundtrip(""), "line: the empty string reads back");
	buf_reset(&b);
	CHECK(esc_unline(&b, "a\\q", 3) < 0, "unline: a bad escape is refused");
	buf_reset(&b);
	CHECK(esc_unline(&b, "a\\x0", 4) < 0, "unline: a short escape is refused");
	buf_reset(&b);
	CHECK(esc_unline(&b, "a\\x00", 5) < 0, "unline: NUL is refused");

	CHECK(STR_EQ(esc_printable("org\nFAKE: line"), "org\\nFAKE: line"),
	    "printable: a newline cannot forge a log line");
	memset(big, 'a', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	h = esc_printable(big);
	CHECK(strlen(h) == ESC_PRINTABLE_MAX + 3, "printable: long text is cut");
	CHECK(STR_EQ(esc_printable(""), ""), "printable: empty text");
	buf_free(&b);
	return unit_status();
}
