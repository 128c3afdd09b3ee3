/*
 * answers - the DNS answers of one dnsmon round, shared by its domains.
 * SPDX-License-Identifier: ISC
 *
 * SYNOPSIS
 *	a = answers_new(dnsq, keep)
 *	answers_set_init(&set, a, ready, arg)	the answers of one domain
 *	struct resolve_source src = { answers_lookup, &set };
 *	answers_set_clear(&set)
 *	answers_stats(a, &queries, &lookups, &reused)
 *	answers_free(a)			after dnsq_free() of its dnsq
 *
 * DESCRIPTION
 *	A cache of answers keyed by (name, type), names compared without
 *	regard to case.  The checks of a domain run against it through
 *	resolve_new_source(): answers_lookup() gives what is known, and for
 *	what is not it asks dnsq (once, however many domains want it) and
 *	says "not yet"; when the last answer a set waits for comes in,
 *	ready(arg) is called (from a dnsq callback: it should only
 *	schedule the next run).  Time-outs and errors are answers too: a
 *	name that timed out is not asked again in the same round.  What the
 *	checks will surely ask next is asked at once for the sets that wait
 *	(so that a domain needs one run less): the target of a CNAME that
 *	the answer does not follow, with the type asked, and the TLSA
 *	records (_25._tcp) of the hosts of an MX answer.
 *
 *	A set holds the answers its domain has used until
 *	answers_set_clear(); answers that no set holds stay in the cache,
 *	the least recently released first to go, while there are more
 *	than keep of them: the addresses of policy_host, the TLSA records
 *	of MX hosts that many domains share, are asked once per round.
 *
 * LIMITS
 *	ANSWERS_SET_MAX answers per domain (more: RESOLVE_ERROR).
 */
#ifndef DNSMON_ANSWERS_H
#define DNSMON_ANSWERS_H

#include <stddef.h>

#include <ldns/ldns.h>

#include "dnsq.h"
#include "resolve.h"

#define ANSWERS_SET_MAX		64
#define ANSWERS_BUCKETS		16384	/* to start with (lib/htable) */

struct answer;
struct answers;

struct answers_set {
	struct answers *a;
	struct answer *held[ANSWERS_SET_MAX];
	unsigned char wait[ANSWERS_SET_MAX];	/* waiting for held[i] */
	size_t	 n;
	size_t	 waiting;
	void	(*ready)(void *);
	void	*arg;
};

struct answers *answers_new(struct dnsq *, size_t keep);
void	answers_free(struct answers *);
void	answers_set_init(struct answers_set *, struct answers *,
	    void (*ready)(void *), void *arg);
void	answers_set_clear(struct answers_set *);
int	answers_lookup(void *set, const ldns_rdf *name, ldns_rr_type,
	    const ldns_pkt **pkt, enum resolve_status *st);
void	answers_stats(const struct answers *, unsigned long long *queries,
	    unsigned long long *lookups, unsigned long long *reused);

#endif
