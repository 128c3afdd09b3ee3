/*
 * dnsname - names that can exist: hosted domains and mx patterns; see
 * dnsname.h.
 * SPDX-License-Identifier: ISC
 *
 * Pure functions, ASCII only (the locale must not matter).  A name is
 * walked once per check, label by label, and nothing is allocated
 * except the normalised copy that the _arg functions return.
 */
#include "config.h"

#include <arpa/inet.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "ascii.h"
#include "buf.h"
#include "dnsname.h"
#include "esc.h"
#include "mymalloc.h"

#define DNSNAME_QUOTE_MAX	(DNSNAME_NAME_MAX + 2)	/* input bytes quoted */
#define DNSNAME_ADDR_MAX	64	/* bytes of an address literal */
#define DNSNAME_IPV6_TAG	"IPv6:"	/* RFC 5321 section 4.1.3 */

/* Appends a character to err in a form safe to show. */
static void
dnsname_put_char(struct buf *err, int c)
{
	if (c > 0x20 && c < 0x7f && c != '"')
		buf_printf(err, "\"%c\"", c);
	else
		buf_printf(err, "0x%02x", c);
}

/* One label of len bytes, not the wildcard; 0 or -1 with the cause. */
static int
dnsname_label(const char *s, size_t len, int leftmost, struct buf *err)
{
	size_t i;

	if (len == 0) {
		buf_puts(err, "empty label");
		return -1;
	}
	for (i = 0; i < len; i++) {
		unsigned char c = (unsigned char)s[i];

		if (c == '*') {
			buf_puts(err, leftmost ?
			    "wildcard must be the whole leftmost label" :
			    "wildcard only allowed as the leftmost label");
			return -1;
		}
		if (!ascii_is_alnum(c) && c != '-') {
			buf_puts(err, "bad character ");
			dnsname_put_char(err, c);
			return -1;
		}
	}
	if (len > DNSNAME_LABEL_MAX) {
		buf_printf(err, "label \"%.*s\" is longer than %d characters",
		    (int)len, s, DNSNAME_LABEL_MAX);
		return -1;
	}
	if (s[0] == '-' || s[len - 1] == '-') {
		buf_printf(err, "label \"%.*s\" %s with a hyphen", (int)len, s,
		    s[0] == '-' ? "starts" : "ends");
		return -1;
	}
	return 0;
}

/* After a leading "*." when flags allow it: where the labels start. */
static const char *
dnsname_skip_wildcard(const char *name, int flags)
{
	if ((flags & DNSNAME_WILDCARD) && name[0] == '*' && name[1] == '.')
		return name + 2;
	return name;
}

int
dnsname_syntax(const char *name, int flags, struct buf *err)
{
	size_t len = strlen(name);
	const char *p, *dot;
	int leftmost;

	if (len == 0) {
		buf_puts(err, "empty name");
		return -1;
	}
	if (len > DNSNAME_NAME_MAX) {
		buf_printf(err, "longer than %d characters", DNSNAME_NAME_MAX);
		return -1;
	}
	if (name[len - 1] == '.') {
		buf_puts(err, "trailing dot not allowed");
		return -1;
	}
	if ((flags & DNSNAME_WILDCARD) && strcmp(name, "*") == 0) {
		buf_puts(err, "wildcard without a domain");
		return -1;
	}
	p = dnsname_skip_wildcard(name, flags);
	leftmost = p == name;
	for (;;) {
		dot = strchr(p, '.');
		if (dnsname_label(p, dot ? (size_t)(dot - p) : strlen(p),
		    leftmost, err) < 0)
			return -1;
		if (dot == NULL)
			return 0;
		p = dot + 1;
		leftmost = 0;
	}
}

/* An IPv4 or IPv6 address, or an address literal "[...]" of RFC 5321. */
static int
dnsname_is_address(const char *name)
{
	unsigned char addr[sizeof(struct in6_addr)];
	char inner[DNSNAME_ADDR_MAX];
	size_t len = strlen(name);

	if (inet_pton(AF_INET, name, addr) == 1 ||
	    inet_pton(AF_INET6, name, addr) == 1)
		return 1;
	if (len < 3 || len >= sizeof(inner))
		return 0;
	/* "[192.0.2.1]", "[IPv6:2001:db8::1]": RFC 5321 section 4.1.3. */
	if (name[0] == '[' && name[len - 1] == ']') {
		memcpy(inner, name + 1, len - 2);
		inner[len - 2] = '\0';
		if (strncasecmp(inner, DNSNAME_IPV6_TAG,
		    strlen(DNSNAME_IPV6_TAG)) == 0)
			return inet_pton(AF_INET6, inner +
			    strlen(DNSNAME_IPV6_TAG), addr) == 1;
		return inet_pton(AF_INET, inner, addr) == 1;
	}
	return 0;
}

/* dnsname_host(), saying what the name is not: a "host" or "domain" name. */
static int
dnsname_host_as(const char *name, int flags, const char *what,
    struct buf *err)
{
	const char *labels, *tld;
	size_t i;

	if (dnsname_is_address(name)) {
		buf_printf(err, "an IP address, not a %s name", what);
		return -1;
	}
	if (dnsname_syntax(name, flags, err) < 0)
		return -1;
	labels = dnsname_skip_wildcard(name, flags);
	if ((tld = strrchr(labels, '.')) == NULL) {
		buf_printf(err, "a single label%s: not a fully qualified %s"
		    " name", labels != name ? " after \"*.\"" : "", what);
		return -1;
	}
	tld++;
	for (i = 0; tld[i] && ascii_is_digit((unsigned char)tld[i]); i++)
		;
	if (tld[i] == '\0') {
		buf_printf(err, "top-level label \"%s\" is all digits: not a"
		    " %s name", tld, what);
		return -1;
	}
	return 0;
}

int
dnsname_host(const char *name, int flags, struct buf *err)
{
	return dnsname_host_as(name, flags, "host", err);
}

/* The names stsd publishes for the domain: each within 253 octets. */
static int
dnsname_derived(const char *name, const char *zone, struct buf *err)
{
	size_t len = strlen(name);
	size_t host = len + strlen(DNSNAME_POLICY_HOST);
	size_t rpt = len + strlen(DNSNAME_RPT_RECORD);
	size_t report = 0;

	if (zone != NULL && *zone != '\0')
		report = len + strlen(DNSNAME_ZONE_REPORT) + strlen(zone);
	if (rpt <= DNSNAME_NAME_MAX && report <= DNSNAME_NAME_MAX)
		return 0;
	buf_printf(err, "%zu octets: ", len);
	if (host > DNSNAME_NAME_MAX)
		buf_printf(err, DNSNAME_POLICY_HOST "DOMAIN would be %zu octets,"
		    " ", host);
	if (rpt > DNSNAME_NAME_MAX)
		buf_printf(err, DNSNAME_RPT_RECORD "DOMAIN would be %zu octets,"
		    " ", rpt);
	if (report > DNSNAME_NAME_MAX)
		buf_printf(err, "DOMAIN" DNSNAME_ZONE_REPORT "%s would be %zu"
		    " octets, ", zone, report);
	buf_printf(err, "more than %d", DNSNAME_NAME_MAX);
	return -1;
}

int
dnsname_domain(const char *name, const char *zone, struct buf *err)
{
	if (dnsname_host_as(name, 0, "domain", err) < 0)
		return -1;
	return dnsname_derived(name, zone, err);
}

/* 'WHAT "IN": ' with IN escaped and cut at DNSNAME_QUOTE_MAX bytes. */
static void
dnsname_quote(struct buf *err, const char *what, const char *in)
{
	size_t len = strlen(in);

	buf_printf(err, "%s \"", what);
	esc_textn(err, in, len > DNSNAME_QUOTE_MAX ? DNSNAME_QUOTE_MAX : len);
	buf_puts(err, len > DNSNAME_QUOTE_MAX ? "...\": " : "\": ");
}

/* A lower-case copy of len bytes of in. */
static char *
dnsname_lower(const char *in, size_t len)
{
	char *s = xstrndup(in, len);
	size_t i;

	for (i = 0; i < len; i++)
		if (s[i] >= 'A' && s[i] <= 'Z')
			s[i] = (char)(s[i] - 'A' + 'a');
	return s;
}

/*
 * The end of the argument checks: rc 0 hands name over in *out, else
 * err names the argument (what, as given) and why it is refused.
 */
static int
dnsname_arg_result(int rc, char *name, const char *what, const char *in,
    struct buf *why, char **out, struct buf *err)
{
	if (rc == 0) {
		*out = name;
	} else {
		dnsname_quote(err, what, in);
		buf_puts(err, why->s);
		free(name);
	}
	buf_free(why);
	return rc == 0 ? 0 : -1;
}

/* The name of a domain argument, checked by the domain or the grammar. */
static int
dnsname_arg(const char *in, const char *zone, int grammar, char **out,
    struct buf *err)
{
	struct buf why = BUF_INIT;
	size_t len = strlen(in);
	char *name;
	int rc;

	/* An absolute name: the one trailing dot means nothing. */
	if (len > 1 && in[len - 1] == '.')
		len--;
	name = dnsname_lower(in, len);
	rc = grammar ? dnsname_syntax(name, 0, &why) :
	    dnsname_domain(name, zone, &why);
	return dnsname_arg_result(rc, name, "domain", in, &why, out, err);
}

int
dnsname_domain_arg(const char *in, const char *zone, char **out,
    struct buf *err)
{
	return dnsname_arg(in, zone, 0, out, err);
}

int
dnsname_name_arg(const char *in, char **out, struct buf *err)
{
	return dnsname_arg(in, NULL, 1, out, err);
}

int
dnsname_mx_arg(const char *in, char **out, struct buf *err)
{
	struct buf why = BUF_INIT;
	char *pattern = dnsname_lower(in, strlen(in));

	return dnsname_arg_result(dnsname_host(pattern, DNSNAME_WILDCARD,
	    &why), pattern, "mx pattern", in, &why, out, err);
}
