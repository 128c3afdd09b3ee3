/*
 * dnsname - names that can exist: hosted domains and the mx patterns
 * of their policies.
 * SPDX-License-Identifier: ISC
 *
 * SYNOPSIS
 *	dnsname_syntax(name, DNSNAME_WILDCARD, &err)	labels and lengths
 *	dnsname_host(name, DNSNAME_WILDCARD, &err)	a host name (mx pattern)
 *	dnsname_domain(name, zone, &err)		a domain stsd can host
 *
 *	dnsname_domain_arg(in, zone, &name, &err)	'domain "IN": cause'
 *	dnsname_mx_arg(in, &pattern, &err)		'mx pattern "IN": cause'
 *	dnsname_name_arg(in, &name, &err)		the grammar alone
 *
 * DESCRIPTION
 *	dnsname_syntax() is the grammar of RFC 1035 section 2.3.1 as RFC
 *	1123 section 2.1 relaxed it, which is also the Domain of RFC 5321
 *	that RFC 8461 section 3.2 uses for mx patterns: labels of letters,
 *	digits and hyphens, 1 to DNSNAME_LABEL_MAX octets, no hyphen first
 *	or last; DNSNAME_NAME_MAX octets in all; no trailing dot.  Upper
 *	case is accepted.  With DNSNAME_WILDCARD the leftmost label may be
 *	"*", the whole label (RFC 8461 section 4.1).  One label passes.
 *
 *	dnsname_host() adds what makes such a name a host name on the
 *	Internet: not an IP address (IPv4 dotted quad, IPv6, or an SMTP
 *	address literal in brackets), two labels or more besides a
 *	wildcard, and a top-level label that is not all digits (RFC 3696
 *	section 2: that is what tells "a.123" or "127.0.0.1" from a name).
 *
 *	dnsname_domain() is dnsname_host() without a wildcard, and also
 *	requires that the names published for the domain fit in
 *	DNSNAME_NAME_MAX octets: "mta-sts." DOMAIN and "_smtp._tls."
 *	DOMAIN (so DNSNAME_DOMAIN_MAX octets at most; "_mta-sts." DOMAIN
 *	is shorter than the latter), and, when zone is
 *	neither NULL nor empty, DOMAIN "._report." zone, the longest name
 *	stsd publishes in its service zone.
 *
 *	dnsname_domain_arg() and dnsname_mx_arg() are what stsctl and
 *	policyd call on what an operator typed: the name in lower case
 *	(for a domain without one trailing dot) in a new string, or -1
 *	with one line that quotes the input (escaped by esc_text) and
 *	says what is wrong, the same text in every program.
 *	dnsname_name_arg() is dnsname_domain_arg() with the grammar alone
 *	(dnsname_syntax()): for looking up a domain stored before the
 *	rules of dnsname_domain() were checked, so that it can still be
 *	shown and removed.
 *
 * DIAGNOSTICS
 *	The checks return 0 or -1 after appending the cause to err, for
 *	example "label \"-a\" starts with a hyphen" or "an IP address, not
 *	a host name", so that callers can name the object.
 *
 * LIMITS
 *	DNSNAME_NAME_MAX octets of a name, DNSNAME_LABEL_MAX of a label.
 */
#ifndef STS_DNSNAME_H
#define STS_DNSNAME_H

#include "buf.h"

#define DNSNAME_NAME_MAX	253	/* octets of a name, no final dot */
#define DNSNAME_LABEL_MAX	63	/* octets of a label */
#define DNSNAME_POLICY_HOST	"mta-sts."	/* RFC 8461 section 3.3 */
#define DNSNAME_RPT_RECORD	"_smtp._tls."	/* RFC 8460 section 3 */
#define DNSNAME_ZONE_REPORT	"._report."	/* DOMAIN._report.sts_zone */
#define DNSNAME_DOMAIN_MAX	(DNSNAME_NAME_MAX - \
				    (int)(sizeof(DNSNAME_RPT_RECORD) - 1))

#define DNSNAME_WILDCARD	(1 << 0)	/* leftmost label may be "*" */

int	dnsname_syntax(const char *name, int flags, struct buf *err);
int	dnsname_host(const char *name, int flags, struct buf *err);
int	dnsname_domain(const char *name, const char *zone, struct buf *err);
int	dnsname_domain_arg(const char *in, const char *zone, char **out,
	    struct buf *err);
int	dnsname_mx_arg(const char *in, char **out, struct buf *err);
int	dnsname_name_arg(const char *in, char **out, struct buf *err);

#endif
