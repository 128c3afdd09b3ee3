/*
 * fuzz_esc - libFuzzer target for lib/esc, the escaping of untrusted
 * text for each place it goes.
 * SPDX-License-Identifier: ISC
 *
 * The input is the text, any bytes (it stops at the first NUL, as the
 * C strings of the callers do).  Aborts when a promise of esc.h breaks:
 * - esc_text() and esc_printable() write no C0 control character and no
 *   DEL, and what they write is valid UTF-8 without C1 controls (no
 *   escape sequence reaches a terminal, no newline forges a log line);
 *   esc_printable() stops after ESC_PRINTABLE_MAX input bytes;
 * - esc_line() writes one word: no control character, no space, no DEL;
 *   and esc_unline() reads it back to the same bytes;
 * - esc_unline() of the input itself either refuses it or gives text
 *   that esc_line() writes back as an input esc_unline() takes again
 *   to the same text;
 * - esc_header() writes no control character at all (no CR, no LF).
 */
#include "config.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "esc.h"
#include "mymalloc.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

static int
fuzz_esc_ctl(unsigned char c)
{
	return c < 0x20 || c == 0x7f;
}

/* Printable ASCII and valid UTF-8 of U+00A0 and above only. */
static void
fuzz_esc_shown(const char *s, size_t len)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t i = 0, n, k;
	unsigned cp;

	while (i < len) {
		if (p[i] < 0x80) {
			if (fuzz_esc_ctl(p[i]))
				abort();
			i++;
			continue;
		}
		if (p[i] >= 0xc2 && p[i] <= 0xdf)
			n = 2, cp = p[i] & 0x1f;
		else if (p[i] >= 0xe0 && p[i] <= 0xef)
			n = 3, cp = p[i] & 0x0f;
		else if (p[i] >= 0xf0 && p[i] <= 0xf4)
			n = 4, cp = p[i] & 0x07;
		else
			abort();
		if (i + n > len)
			abort();
		for (k = 1; k < n; k++) {
			if ((p[i + k] & 0xc0) != 0x80)
				abort();
			cp = cp << 6 | (p[i + k] & 0x3f);
		}
		if (cp <= 0x9f || cp > 0x10ffff ||
		    (cp >= 0xd800 && cp <= 0xdfff))
			abort();
		i += n;
	}
}

static void
fuzz_esc_line(const char *s)
{
	struct buf line = BUF_INIT, back = BUF_INIT, again = BUF_INIT;
	size_t i;

	esc_line(&line, s);
	for (i = 0; i < line.len; i++)
		if (fuzz_esc_ctl((unsigned char)line.s[i]) || line.s[i] == ' ')
			abort();
	if (esc_unline(&back, line.s ? line.s : "", line.len) < 0)
		abort();
	if (back.len != strlen(s) || (back.len > 0 &&
	    memcmp(back.s, s, back.len) != 0))
		abort();

	/* The input as a line: refused, or read back the same way twice. */
	buf_reset(&back);
	if (esc_unline(&back, s, strlen(s)) == 0 && back.len > 0) {
		buf_reset(&line);
		esc_line(&line, back.s);
		if (esc_unline(&again, line.s, line.len) < 0 ||
		    again.len != back.len ||
		    memcmp(again.s, back.s, back.len) != 0)
			abort();
	}
	buf_free(&line);
	buf_free(&back);
	buf_free(&again);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct buf out = BUF_INIT;
	const char *p;
	char *s = xmalloc(size + 1);
	size_t i;

	memcpy(s, data, size);
	s[size] = '\0';

	esc_text(&out, s);
	fuzz_esc_shown(out.s ? out.s : "", out.len);
	buf_reset(&out);
	esc_textn(&out, (const char *)data, size);	/* NUL bytes too */
	fuzz_esc_shown(out.s ? out.s : "", out.len);

	p = esc_printable(s);
	fuzz_esc_shown(p, strlen(p));
	if (strlen(s) > ESC_PRINTABLE_MAX &&
	    strcmp(p + strlen(p) - 3, "...") != 0)
		abort();

	buf_reset(&out);
	esc_header(&out, s);
	for (i = 0; i < out.len; i++)
		if (fuzz_esc_ctl((unsigned char)out.s[i]))
			abort();

	fuzz_esc_line(s);
	buf_free(&out);
	free(s);
	return 0;
}
