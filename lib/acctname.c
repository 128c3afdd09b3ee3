/*
 * acctname - account names and e-mail addresses; see acctname.h.
 * SPDX-License-Identifier: ISC
 */
#include "config.h"

#include <string.h>

#include "acctname.h"
#include "buf.h"
#include "esc.h"

/* "WHAT \"INPUT\"" with INPUT escaped and cut. */
static void
acctname_quote(struct buf *err, const char *what, const char *s, size_t len)
{
	buf_printf(err, "%s \"", what);
	esc_textn(err, s, len > ACCTNAME_QUOTE_MAX ? ACCTNAME_QUOTE_MAX : len);
	buf_printf(err, "%s\"", len > ACCTNAME_QUOTE_MAX ? "..." : "");
}

static int
acctname_char(unsigned char c, int first)
{
	if ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9'))
		return 1;
	return !first && (c == '.' || c == '_' || c == '-');
}

int
acctname_check(const char *name, size_t len, struct buf *err)
{
	size_t i;

	if (len == 0 || len > ACCTNAME_MAX) {
		acctname_quote(err, "account name", name, len);
		buf_printf(err, ": %zu characters, not 1 to %d", len,
		    ACCTNAME_MAX);
		return -1;
	}
	for (i = 0; i < len; i++)
		if (!acctname_char((unsigned char)name[i], i == 0)) {
			acctname_quote(err, "account name", name, len);
			buf_puts(err, ": only a-z, 0-9, \".\", \"_\" and \"-\","
			    " beginning with a letter or digit");
			return -1;
		}
	if (len == strlen(ACCTNAME_OPERATOR) &&
	    memcmp(name, ACCTNAME_OPERATOR, len) == 0) {
		buf_puts(err, "account name \"" ACCTNAME_OPERATOR "\" is"
		    " reserved for the operator");
		return -1;
	}
	return 0;
}

int
acctname_email_check(const char *addr, size_t len, struct buf *err)
{
	const char *at = NULL;
	size_t i;

	if (len < ACCTNAME_EMAIL_MIN || len > ACCTNAME_EMAIL_MAX) {
		acctname_quote(err, "e-mail address", addr, len);
		buf_printf(err, ": %zu characters, not %d to %d", len,
		    ACCTNAME_EMAIL_MIN, ACCTNAME_EMAIL_MAX);
		return -1;
	}
	for (i = 0; i < len; i++) {
		if ((unsigned char)addr[i] <= ' ' ||
		    (unsigned char)addr[i] >= 0x7f) {
			acctname_quote(err, "e-mail address", addr, len);
			buf_puts(err, ": only printable ASCII without spaces");
			return -1;
		}
		if (addr[i] == '@') {
			if (at != NULL) {
				acctname_quote(err, "e-mail address", addr, len);
				buf_puts(err, ": more than one \"@\"");
				return -1;
			}
			at = addr + i;
		}
	}
	if (at == NULL || at == addr || at == addr + len - 1 ||
	    memchr(at, '.', len - (size_t)(at - addr)) == NULL ||
	    addr[len - 1] == '.') {
		acctname_quote(err, "e-mail address", addr, len);
		buf_puts(err, ": not LOCAL@DOMAIN.TLD");
		return -1;
	}
	return 0;
}
