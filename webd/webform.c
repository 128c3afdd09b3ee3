/*
 * webform - webd's parsers of form fields, cookies and bearer tokens;
 * see webform.h.
 * SPDX-License-Identifier: ISC
 */
#include "config.h"

#include <string.h>
#include <strings.h>

#include "ascii.h"
#include "proto.h"
#include "webform.h"

/* Percent-decodes s[0..len) into out; the length, or an error. */
static int
webform_decode(const char *s, size_t len, char *out, size_t size)
{
	size_t i, n = 0;
	int ch, hi, lo;

	for (i = 0; i < len; i++) {
		ch = (unsigned char)s[i];
		if (ch == '+')
			ch = ' ';
		else if (ch == '%') {
			if (i + 2 >= len)
				return WEBFORM_BAD;
			if ((hi = ascii_hex_value(s[i + 1])) < 0 ||
			    (lo = ascii_hex_value(s[i + 2])) < 0)
				return WEBFORM_BAD;
			ch = hi * 16 + lo;
			i += 2;
		}
		if (ch < 0x20 || ch == 0x7f)
			return WEBFORM_BAD;
		if (n + 1 >= size)
			return WEBFORM_TOO_LONG;
		out[n++] = (char)ch;
	}
	out[n] = '\0';
	return (int)n;
}

/* Copies a cookie value as it is, if its characters are printable. */
static int
webform_copy(const char *s, size_t len, char *out, size_t size)
{
	size_t i;

	if (len + 1 > size)
		return WEBFORM_TOO_LONG;
	for (i = 0; i < len; i++)
		if ((unsigned char)s[i] <= 0x20 || (unsigned char)s[i] >= 0x7f)
			return WEBFORM_BAD;
	memcpy(out, s, len);
	out[len] = '\0';
	return (int)len;
}

/*
 * Finds the first item called name in s[0..len): "name=value" items
 * separated by sep; with cookie (RFC 6265 section 4.2.1) white space
 * may surround an item and an item without "=" has no name.  Returns
 * value() of its value ("" without "=") into out, or WEBFORM_ABSENT.
 */
static int
webform_find(const char *s, size_t len, int sep, int cookie,
    const char *name, char *out, size_t size,
    int (*value)(const char *, size_t, char *, size_t))
{
	size_t nlen = strlen(name), pos = 0, end, klen, vstart;
	const char *next, *eq;
	int items = 0;

	while ((pos < len || (pos == len && !cookie)) &&
	    items++ < WEBFORM_FIELDS_MAX) {
		while (cookie && pos < len && (s[pos] == ' ' || s[pos] == '\t'))
			pos++;
		next = memchr(s + pos, sep, len - pos);
		end = next ? (size_t)(next - s) : len;
		eq = memchr(s + pos, '=', end - pos);
		klen = eq ? (size_t)(eq - s) - pos : end - pos;
		if ((eq != NULL || !cookie) && klen == nlen &&
		    memcmp(s + pos, name, nlen) == 0) {
			vstart = eq ? (size_t)(eq + 1 - s) : end;
			while (cookie && end > vstart && (s[end - 1] == ' ' ||
			    s[end - 1] == '\t'))
				end--;
			return value(s + vstart, end - vstart, out, size);
		}
		if (next == NULL)
			break;
		pos = end + 1;
	}
	return WEBFORM_ABSENT;
}

int
webform_field(const char *body, size_t len, const char *name, char *out,
    size_t size)
{
	return webform_find(body, len, '&', 0, name, out, size, webform_decode);
}

int
webform_cookie(const char *value, size_t len, const char *name, char *out,
    size_t size)
{
	return webform_find(value, len, ';', 1, name, out, size, webform_copy);
}

int
webform_bearer(const char *value, size_t len, char *out, size_t size)
{
	static const char scheme[] = "bearer ";
	size_t skip = sizeof(scheme) - 1;

	if (len < skip || strncasecmp(value, scheme, skip) != 0)
		return WEBFORM_ABSENT;
	while (skip < len && value[skip] == ' ')
		skip++;
	while (len > skip && (value[len - 1] == ' ' || value[len - 1] == '\t'))
		len--;
	if (skip == len)
		return WEBFORM_ABSENT;
	return webform_copy(value + skip, len - skip, out, size);
}

int
webform_preamble(const char *data, size_t len, char *client, size_t size)
{
	size_t plen = sizeof(PROTO_PORTAL_PREAMBLE) - 1, line, i;
	const char *nl = memchr(data, '\n', len < PROTO_PORTAL_LINE_MAX ?
	    len : PROTO_PORTAL_LINE_MAX);

	if (nl == NULL)
		return len < PROTO_PORTAL_LINE_MAX ? 0 : WEBFORM_BAD;
	line = (size_t)(nl - data) + 1;
	if (line < plen + 3 || nl[-1] != '\r' ||
	    memcmp(data, PROTO_PORTAL_PREAMBLE, plen) != 0 ||
	    line - 2 - plen >= size)
		return WEBFORM_BAD;
	for (i = plen; i < line - 2; i++)
		if ((unsigned char)data[i] <= ' ' || (unsigned char)data[i] >= 0x7f)
			return WEBFORM_BAD;
	memcpy(client, data + plen, line - 2 - plen);
	client[line - 2 - plen] = '\0';
	return (int)line;
}

int
webform_word(const char *text, size_t len, size_t *pos, char *out,
    size_t size)
{
	size_t i = *pos, start, n;

	/* A NUL separates too: out holds one string. */
	while (i < len && (text[i] == ' ' || text[i] == '\0'))
		i++;
	start = i;
	while (i < len && text[i] != ' ' && text[i] != '\0')
		i++;
	*pos = i;
	if ((n = i - start) == 0)
		return WEBFORM_ABSENT;
	if (n >= size)
		return WEBFORM_TOO_LONG;
	memcpy(out, text + start, n);
	out[n] = '\0';
	return (int)n;
}

int
webform_subpath(const char *path, size_t len, const char *prefix,
    char *name, size_t size, size_t *rest)
{
	size_t plen = strlen(prefix), n, i;
	const char *slash;

	if (len <= plen || memcmp(path, prefix, plen) != 0)
		return -1;
	slash = memchr(path + plen, '/', len - plen);
	n = (slash ? (size_t)(slash - path) : len) - plen;
	if (n == 0 || n >= size)
		return -1;
	/* No name has a control character, a space or a NUL. */
	for (i = plen; i < plen + n; i++)
		if ((unsigned char)path[i] <= ' ' || path[i] == 0x7f)
			return -1;
	memcpy(name, path + plen, n);
	name[n] = '\0';
	*rest = plen + n;
	return 0;
}
