/*
 * soon - the domains that dnsmon checks before its next round.
 * SPDX-License-Identifier: ISC
 *
 * SYNOPSIS
 *	s = soon_new(max)
 *	due = soon_checked(s, name, bad, now, &conf)	after each check
 *	due = soon_ask(s, name, now, &conf)		a check-now request
 *	n = soon_due(s, now, names, nmax)		take what is due
 *	t = soon_next(s)				earliest due, or 0
 *	soon_forget(s, name)				a domain gone
 *	soon_free(s)
 *
 * DESCRIPTION
 *	A domain that is pending, or that has a failing check (fail or
 *	dns-error), is checked again after conf.min seconds, then after
 *	twice that after each check that still finds it bad, up to
 *	conf.max; after the step of conf.max it waits for dnsmon's rounds
 *	(dnsmon_interval) until a check finds it good, which ends its
 *	back-off.  soon_checked() returns the time of the next check it
 *	set, or 0 when the domain waits for the next round.
 *
 *	soon_ask() asks for a check now; it is rate-limited per domain:
 *	a domain is not checked again within conf.gap seconds of the
 *	start of its last check, and the requests of that time make one
 *	check when it has passed.  It returns when the domain will be
 *	checked, or 0 when the table is full.
 *
 *	soon_due() takes at most nmax names whose time has come (xstrdup'd
 *	into names; the caller frees them), counts now as the start of
 *	their check and clears their time.  The entry of a domain that
 *	is good and was not checked within conf.gap goes at the next
 *	soon_due() (or soon_sweep()).
 *
 * LIMITS
 *	max domains in the table: a new one beyond it waits for the next
 *	round (soon_checked returns 0, soon_ask returns 0).  Memory: the
 *	name and four numbers per domain.
 */
#ifndef DNSMON_SOON_H
#define DNSMON_SOON_H

#include <stddef.h>

#define SOON_BUCKETS	4096	/* buckets of its table to start with */

struct soon;

struct soon_conf {
	long long min;		/* dnsmon_retry_min */
	long long max;		/* dnsmon_retry_max */
	long long gap;		/* dnsmon_check_now_interval */
};

struct soon *soon_new(size_t max);
void	soon_free(struct soon *);
long long soon_checked(struct soon *, const char *name, int bad,
	    long long now, const struct soon_conf *);
long long soon_ask(struct soon *, const char *name, long long now,
	    const struct soon_conf *);
size_t	soon_due(struct soon *, long long now, char **names, size_t nmax,
	    const struct soon_conf *);
long long soon_next(const struct soon *);
void	soon_forget(struct soon *, const char *name);
size_t	soon_count(const struct soon *);

#endif
