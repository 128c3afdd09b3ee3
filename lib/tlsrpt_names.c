/*
 * tlsrpt_names - the values of a TLS report with a type of their own:
 * domain names, IP addresses, the names an MX host greets with.
 * SPDX-License-Identifier: ISC
 */
#include "config.h"

#include <arpa/inet.h>
#include <string.h>
#include <strings.h>

#include "tlsrpt_names.h"

static int
tlsrpt_ldh(int ch)
{
	return (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') ||
	    (ch >= '0' && ch <= '9') || ch == '-' || ch == '_';
}

/*
 * A domain name as reports carry them (policy-domain, MX host names):
 * the names the sender looked up in DNS, so A-labels, of letters,
 * digits, "-" and "_", 1 to TLSRPT_LABEL_MAX bytes each, at most
 * TLSRPT_DOMAIN_MAX bytes without a final dot; with wildcard, "*." may
 * lead (an mx pattern, RFC 8461 section 3.2).  1 when s is one.
 */
int
tlsrpt_domain_ok(const char *s, int wildcard)
{
	size_t len = strlen(s), label = 0, i;

	if (len > 0 && s[len - 1] == '.')
		len--;
	if (wildcard && len > 2 && s[0] == '*' && s[1] == '.')
		s += 2, len -= 2;
	if (len == 0 || len > TLSRPT_DOMAIN_MAX)
		return 0;
	for (i = 0; i < len; i++) {
		if (s[i] == '.') {
			if (label == 0)
				return 0;
			label = 0;
		} else if (!tlsrpt_ldh((unsigned char)s[i]) ||
		    ++label > TLSRPT_LABEL_MAX) {
			return 0;
		}
	}
	return label > 0;
}

/* A domain name in one form: lower case, without the final dot. */
void
tlsrpt_domain_norm(char *s)
{
	size_t len = strlen(s);

	if (len > 0 && s[len - 1] == '.')
		s[len - 1] = '\0';
	for (; *s; s++)
		if (*s >= 'A' && *s <= 'Z')
			*s = (char)(*s - 'A' + 'a');
}

/* An IPv4 address (dotted quad) or an IPv6 address (RFC 4291 2.2). */
int
tlsrpt_ip_ok(const char *s)
{
	unsigned char a[16];

	return inet_pton(AF_INET, s, a) == 1 || inet_pton(AF_INET6, s, a) == 1;
}

/*
 * What an MX host says in its greeting or EHLO reply: a host name or an
 * address literal, "[192.0.2.1]" or "[IPv6:2001:db8::1]" (RFC 5321
 * section 4.1.3).
 */
int
tlsrpt_helo_ok(const char *s)
{
	char lit[INET6_ADDRSTRLEN + sizeof("IPv6:")];
	unsigned char a[16];
	size_t len = strlen(s);

	if (len < 3 || s[0] != '[' || s[len - 1] != ']')
		return tlsrpt_domain_ok(s, 0);
	if (len - 2 >= sizeof(lit))
		return 0;
	memcpy(lit, s + 1, len - 2);
	lit[len - 2] = '\0';
	if (strncasecmp(lit, "IPv6:", 5) == 0)
		return inet_pton(AF_INET6, lit + 5, a) == 1;
	return inet_pton(AF_INET, lit, a) == 1;
}

