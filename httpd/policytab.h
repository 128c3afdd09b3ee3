/*
 * policytab - httpd's table of servable policies, by policy host.
 * SPDX-License-Identifier: ISC
 *
 * SYNOPSIS
 *	struct policytab *t = policytab_new();
 *	policytab_put(t, "mta-sts.example.com", "example.com", id, text, len)
 *	e = policytab_get(t, "mta-sts.example.com")	NULL when unknown
 *	policytab_del(t, host)
 *	policytab_snapshot_begin(t); ... puts ...; policytab_snapshot_end(t)
 *	policytab_count(t); policytab_free(t)
 *
 * DESCRIPTION
 *	The table holds what policyd pushes over its subscription stream:
 *	for each policy host its domain, its policy id and the exact policy
 *	bytes, with the response header fields that do not change (type
 *	and length) built once, so serving a policy allocates nothing.
 *	policytab_put() copies what it is given, which must not be the
 *	strings of the entry it replaces (httpd's callers give what they
 *	read from policyd).
 *
 *	Hosts are looked up in the normalized form of http_host_normalize()
 *	(lower case, no trailing dot); policytab_put() normalizes and
 *	refuses a host that is not a DNS name.
 *
 *	A snapshot replaces the whole set without a moment of emptiness:
 *	policytab_snapshot_begin() starts a new generation, every put
 *	marks its entry as seen in it, and policytab_snapshot_end() drops
 *	the entries that were not (and returns how many).  Until then the
 *	previous set is served.
 *
 *	Lookups are a hash of the host into lib/htable, which doubles
 *	when it holds more entries than buckets: constant time for
 *	100,000 hosts and beyond.  Entries returned stay valid until the next put, del
 *	or snapshot_end of the same host.
 *
 * LIMITS
 *	POLICYTAB_POLICY_MAX bytes of policy text.
 */
#ifndef STS_HTTPD_POLICYTAB_H
#define STS_HTTPD_POLICYTAB_H

#include <stddef.h>

#define POLICYTAB_POLICY_MAX	(64 * 1024)

struct policy_entry {
	unsigned gen;			/* snapshot generation last seen */
	char	*host;			/* normalized */
	char	*domain;
	char	*id;
	char	*head;			/* "Content-Type: ...\r\nContent-Length: N\r\n" */
	size_t	 head_len;
	char	*body;			/* the policy bytes */
	size_t	 body_len;
};

struct policytab;

struct policytab *policytab_new(void);
void	policytab_free(struct policytab *);
int	policytab_put(struct policytab *, const char *host, const char *domain,
	    const char *id, const char *policy, size_t len);
int	policytab_del(struct policytab *, const char *host);
const struct policy_entry *policytab_get(const struct policytab *,
	    const char *normalized_host);
void	policytab_snapshot_begin(struct policytab *);
size_t	policytab_snapshot_end(struct policytab *);
size_t	policytab_count(const struct policytab *);

#endif
