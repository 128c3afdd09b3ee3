/*
 * cfgscan - the tokenizer of main.cf and master.cf, and the quoting of
 * values in messages; see cfgscan.h.
 * SPDX-License-Identifier: ISC
 *
 * Touches: reads the file it is given; nothing else.
 */
#include "config.h"

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "buf.h"
#include "cfg.h"
#include "mymalloc.h"

#define CFG_QUOTE_MAX	80		/* bytes of a value quoted in a message */

/*
 * Reading files and scanning logical lines.
 */

int
cfg_read_file(const char *path, struct buf *data, struct buf *err)
{
	char chunk[8192];
	ssize_t n;
	int fd;

	buf_reset(data);
	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) < 0) {
		buf_printf(err, "cannot open %s: %s", path, strerror(errno));
		return -1;
	}
	for (;;) {
		n = read(fd, chunk, sizeof(chunk));
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			buf_printf(err, "cannot read %s: %s", path, strerror(errno));
			close(fd);
			return -1;
		}
		if (n == 0)
			break;
		if (data->len + (size_t)n > CFG_FILE_MAX) {
			buf_printf(err, "%s: file is larger than %d bytes",
			    path, CFG_FILE_MAX);
			close(fd);
			return -1;
		}
		buf_append(data, chunk, (size_t)n);
	}
	close(fd);
	if (data->s == NULL)
		buf_puts(data, "");
	return 0;
}

int
cfg_skip_line(const char *s, size_t len)
{
	size_t i = 0;

	while (i < len && isspace((unsigned char)s[i]))
		i++;
	return i == len || s[i] == '#';
}

int
cfg_valid_name(const char *s, size_t len)
{
	size_t i;

	if (len == 0)
		return 0;
	for (i = 0; i < len; i++)
		if (!isalnum((unsigned char)s[i]) && s[i] != '_')
			return 0;
	return 1;
}

int
cfg_scan(const char *file, const char *data, size_t len, cfg_scan_fn fn,
    void *ctx, struct buf *err)
{
	struct buf text = BUF_INIT;
	struct cfg_line l;
	const char *nl;
	size_t pos = 0, bol, eol, next, b, e;
	int lineno = 0, open = 0, rc = 0;

	memset(&l, 0, sizeof(l));
	if (len > CFG_FILE_MAX) {
		buf_printf(err, "%s: file is larger than %d bytes", file,
		    CFG_FILE_MAX);
		return -1;
	}
	while (pos < len && rc == 0) {
		bol = pos;
		nl = memchr(data + pos, '\n', len - pos);
		eol = nl ? (size_t)(nl - data) : len;
		next = nl ? eol + 1 : len;
		pos = next;
		lineno++;
		if (memchr(data + bol, '\0', eol - bol) != NULL) {
			buf_printf(err, "%s:%d: line contains a NUL byte",
			    file, lineno);
			rc = -1;
			break;
		}
		if (cfg_skip_line(data + bol, eol - bol))
			continue;
		for (b = bol; isspace((unsigned char)data[b]); b++)
			;
		for (e = eol; e > b && isspace((unsigned char)data[e - 1]); e--)
			;
		if (b > bol && !open) {
			buf_printf(err, "%s:%d: continuation line (starting with "
			    "white space) at the top of the file", file, lineno);
			rc = -1;
			break;
		}
		if (b == bol && open) {
			rc = fn(&l, ctx, err);
			buf_reset(&text);
			open = 0;
			if (rc != 0)
				break;
		}
		if (text.len + (open ? 1 : 0) + (e - b) > CFG_LINE_MAX) {
			buf_printf(err, "%s:%d: logical line is longer than %d "
			    "bytes", file, lineno, CFG_LINE_MAX);
			rc = -1;
			break;
		}
		if (open) {
			buf_putc(&text, ' ');
		} else {
			l.first = lineno;
			l.start = bol;
			open = 1;
		}
		buf_append(&text, data + b, e - b);
		l.text = text.s;
		l.len = text.len;
		l.last = lineno;
		l.end = next;
	}
	if (rc == 0 && open)
		rc = fn(&l, ctx, err);
	buf_free(&text);
	return rc != 0 ? -1 : 0;
}

int
cfg_split_line(const char *file, const struct cfg_line *l, char **name,
    char **value, struct buf *err)
{
	const char *eq = strchr(l->text, '=');
	const char *v;
	size_t n;

	*name = *value = NULL;
	if (eq == NULL) {
		buf_printf(err, "%s:%d: bad line ", file, l->first);
		cfg_quote(err, l->text);
		buf_puts(err, ": expected \"name = value\"");
		return -1;
	}
	for (n = eq - l->text; n > 0 && isspace((unsigned char)l->text[n - 1]); n--)
		;
	if (n == 0) {
		buf_printf(err, "%s:%d: missing parameter name before \"=\"",
		    file, l->first);
		return -1;
	}
	if (!cfg_valid_name(l->text, n)) {
		char *bad = xstrndup(l->text, n);

		buf_printf(err, "%s:%d: bad parameter name ", file, l->first);
		cfg_quote(err, bad);
		buf_puts(err, ": use letters, digits and _");
		free(bad);
		return -1;
	}
	for (v = eq + 1; isspace((unsigned char)*v); v++)
		;
	*name = xstrndup(l->text, n);
	*value = xstrdup(v);
	return 0;
}

/*
 * Messages.
 */

/* Appends s in double quotes, printable and at most CFG_QUOTE_MAX long. */
void
cfg_quote(struct buf *b, const char *s)
{
	size_t i;

	buf_putc(b, '"');
	for (i = 0; s[i] != '\0'; i++) {
		unsigned char c = (unsigned char)s[i];

		if (i == CFG_QUOTE_MAX) {
			buf_puts(b, "...");
			break;
		}
		if (c == '"' || c == '\\')
			buf_printf(b, "\\%c", c);
		else if (c < 0x20 || c >= 0x7f)
			buf_printf(b, "\\x%02x", c);
		else
			buf_putc(b, c);
	}
	buf_putc(b, '"');
}
