/*
 * esc - untrusted text made safe for where it goes (see esc.h).
 * SPDX-License-Identifier: ISC
 */
#include "config.h"

#include <string.h>

#include "ascii.h"
#include "esc.h"

static const char esc_hex[] = "0123456789abcdef";

static void
esc_hexbyte(struct buf *out, unsigned char c)
{
	char x[4] = { '\\', 'x', esc_hex[c >> 4], esc_hex[c & 15] };

	buf_append(out, x, sizeof(x));
}

/*
 * The length of the valid UTF-8 sequence at s (at most len bytes) that
 * is not a C1 control, or 0.
 */
static size_t
esc_utf8(const unsigned char *s, size_t len)
{
	unsigned cp, min;
	size_t n, i;

	if (s[0] >= 0xc2 && s[0] <= 0xdf)
		n = 2, cp = s[0] & 0x1f, min = 0x80;
	else if (s[0] >= 0xe0 && s[0] <= 0xef)
		n = 3, cp = s[0] & 0x0f, min = 0x800;
	else if (s[0] >= 0xf0 && s[0] <= 0xf4)
		n = 4, cp = s[0] & 0x07, min = 0x10000;
	else
		return 0;
	if (n > len)
		return 0;
	for (i = 1; i < n; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		cp = cp << 6 | (s[i] & 0x3f);
	}
	if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
		return 0;
	if (cp <= 0x9f)
		return 0;			/* C1 control */
	return n;
}

void
esc_textn(struct buf *out, const char *s, size_t len)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t i = 0, run, n;

	if (s == NULL)
		return;
	while (i < len) {
		for (run = i; run < len && p[run] >= 0x20 && p[run] < 0x7f &&
		    p[run] != '\\'; run++)
			;
		buf_append(out, p + i, run - i);
		if ((i = run) >= len)
			break;
		if (p[i] >= 0x80 && (n = esc_utf8(p + i, len - i)) > 0) {
			buf_append(out, p + i, n);
			i += n;
			continue;
		}
		switch (p[i]) {
		case '\\': buf_puts(out, "\\\\"); break;
		case '\t': buf_puts(out, "\\t"); break;
		case '\n': buf_puts(out, "\\n"); break;
		case '\r': buf_puts(out, "\\r"); break;
		default: esc_hexbyte(out, p[i]); break;
		}
		i++;
	}
}

void
esc_text(struct buf *out, const char *s)
{
	if (s != NULL)
		esc_textn(out, s, strlen(s));
}

static void
esc_base64(struct buf *out, const unsigned char *p, size_t n)
{
	static const char b64[] =
	    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
	unsigned v;
	size_t i;

	for (i = 0; i + 2 < n; i += 3) {
		v = (unsigned)p[i] << 16 | (unsigned)p[i + 1] << 8 | p[i + 2];
		buf_putc(out, b64[v >> 18]);
		buf_putc(out, b64[(v >> 12) & 63]);
		buf_putc(out, b64[(v >> 6) & 63]);
		buf_putc(out, b64[v & 63]);
	}
	if (i < n) {
		v = (unsigned)p[i] << 16 | (i + 1 < n ? (unsigned)p[i + 1] << 8 : 0);
		buf_putc(out, b64[v >> 18]);
		buf_putc(out, b64[(v >> 12) & 63]);
		buf_putc(out, i + 1 < n ? b64[(v >> 6) & 63] : '=');
		buf_putc(out, '=');
	}
}

/* Control characters (C0, DEL) become spaces: they have no place in a
 * header, encoded or not. */
static int
esc_ctl(unsigned char c)
{
	return c < 0x20 || c == 0x7f;
}

void
esc_header(struct buf *out, const char *s)
{
	const unsigned char *p = (const unsigned char *)s;
	unsigned char word[ESC_HEADER_WORD + 4];
	size_t i, len, n, w;
	int ascii = 1;

	if (s == NULL)
		return;
	len = strlen(s);
	for (i = 0; i < len; i++)
		if (p[i] >= 0x80)
			ascii = 0;
	if (ascii) {
		for (i = 0; i < len; i++)
			buf_putc(out, esc_ctl(p[i]) ? ' ' : p[i]);
		return;
	}
	for (i = 0; i < len; ) {
		if (i > 0)
			buf_putc(out, ' ');
		for (w = 0; i < len && w < ESC_HEADER_WORD; ) {
			if (p[i] < 0x80) {
				word[w++] = esc_ctl(p[i]) ? ' ' : p[i];
				i++;
			} else if ((n = esc_utf8(p + i, len - i)) > 0) {
				if (w + n > ESC_HEADER_WORD && w > 0)
					break;
				memcpy(word + w, p + i, n);
				w += n, i += n;
			} else {
				/* U+FFFD for what is not UTF-8 (or a C1) */
				if (w + 3 > ESC_HEADER_WORD && w > 0)
					break;
				memcpy(word + w, "\xef\xbf\xbd", 3);
				w += 3, i++;
			}
		}
		buf_puts(out, "=?UTF-8?B?");
		esc_base64(out, word, w);
		buf_puts(out, "?=");
	}
}

void
esc_line(struct buf *out, const char *s)
{
	const unsigned char *p = (const unsigned char *)s;

	if (s == NULL)
		return;
	for (; *p; p++) {
		if (*p <= 0x20 || *p == 0x7f || *p == '\\')
			esc_hexbyte(out, *p);
		else
			buf_putc(out, *p);
	}
}

int
esc_unline(struct buf *out, const char *s, size_t len)
{
	size_t i;
	int hi, lo;

	for (i = 0; i < len; i++) {
		if (s[i] == '\0')
			return -1;
		if (s[i] != '\\') {
			buf_putc(out, s[i]);
			continue;
		}
		if (len - i < 4 || s[i + 1] != 'x' ||
		    (hi = ascii_hex_value(s[i + 2])) < 0 ||
		    (lo = ascii_hex_value(s[i + 3])) < 0 || (hi | lo) == 0)
			return -1;
		buf_putc(out, hi << 4 | lo);
		i += 3;
	}
	return 0;
}

const char *
esc_printable(const char *s)
{
	static struct buf ring[ESC_PRINTABLE_SLOTS];
	static unsigned next;
	struct buf *b = &ring[next++ % ESC_PRINTABLE_SLOTS];
	size_t len;

	buf_reset(b);
	if (s == NULL)
		return "(null)";
	len = strlen(s);
	esc_textn(b, s, len < ESC_PRINTABLE_MAX ? len : ESC_PRINTABLE_MAX);
	if (len > ESC_PRINTABLE_MAX)
		buf_puts(b, "...");
	return b->s != NULL ? b->s : "";
}
