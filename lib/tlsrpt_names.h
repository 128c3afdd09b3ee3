/*
 * tlsrpt_names - the values of a TLS report with a type of their own;
 * for lib/tlsrpt's parser.
 * SPDX-License-Identifier: ISC
 *
 * SYNOPSIS
 *	tlsrpt_domain_ok("mx1.example.com", 0)	1
 *	tlsrpt_domain_ok("*.example.com", 1)	1 (an mx pattern)
 *	tlsrpt_domain_norm(s)		"EXAMPLE.COM." becomes "example.com"
 *	tlsrpt_ip_ok("2001:db8::1")	1
 *	tlsrpt_helo_ok("[IPv6:2001:db8::1]")	1
 *
 * DESCRIPTION
 *	A domain name as reports carry them (policy-domain, MX host
 *	names) is one the sender looked up in DNS: A-labels of letters,
 *	digits, "-" and "_"; with wildcard, "*." may lead (an mx pattern,
 *	RFC 8461 section 3.2).  An address is IPv4 (dotted quad) or IPv6
 *	(RFC 4291 section 2.2).  A greeting name is a host name or an
 *	address literal (RFC 5321 section 4.1.3).
 *
 * LIMITS
 *	Labels of 1 to TLSRPT_LABEL_MAX bytes, names of at most
 *	TLSRPT_DOMAIN_MAX bytes without a final dot.
 *
 * DIAGNOSTICS
 *	The checks return 1 for a value of the type, 0 for any other.
 */
#ifndef STS_TLSRPT_NAMES_H
#define STS_TLSRPT_NAMES_H

#define TLSRPT_DOMAIN_MAX	253	/* RFC 1035 2.3.4, without the dot */
#define TLSRPT_LABEL_MAX	63

int	tlsrpt_domain_ok(const char *, int wildcard);
void	tlsrpt_domain_norm(char *);
int	tlsrpt_ip_ok(const char *);
int	tlsrpt_helo_ok(const char *);

#endif
