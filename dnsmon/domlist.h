/*
 * domlist - the domains a round of dnsmon starts, in order: a full
 * round's list read from policyd a page at a time as the round goes,
 * or the domains of an early round.
 * SPDX-License-Identifier: ISC
 *
 * SYNOPSIS
 *	struct domlist l = DOMLIST_INIT;
 *
 *	l.more = fn; l.arg = arg;	a page came in, or the list ended
 *	domlist_ask(&l, socket, timeout_ms)	the next page, when low
 *	d = domlist_next(&l)		the next domain to start, or NULL
 *	d = domlist_slot(&l)		room for one more (early rounds);
 *					l.count++ keeps it
 *	domlist_clear(&l)
 *
 * DESCRIPTION
 *	domlist_ask() asks policyd (domain-list on socket, through
 *	lib/policyc) for the next page when fewer than DOMLIST_LOW domains
 *	wait to start, on a connection of its own and without waiting for
 *	the reply (policyd may be busy committing results): dnsmon holds
 *	about two pages of domains at a time however many policyd has.
 *	When the reply comes, its domains go after those not started yet
 *	and l.more(l.arg) is called; so it is when the list ends.
 *
 *	l.paging is set while a page is asked for and not in; l.end once
 *	the last page is in or a page could not be had; then l.failed too,
 *	the failure logged with l.listed, the domains of the pages so far,
 *	and l.retry, the seconds the caller waits before the next round.
 *
 * LIMITS
 *	POLICYC_PAGES_MAX pages; a reply of ipc_conn's size limit.
 */
#ifndef STS_DNSMON_DOMLIST_H
#define STS_DNSMON_DOMLIST_H

#include <stddef.h>

#include "dnscheck.h"

#define DOMLIST_LOW	1000	/* domains waiting to start when the next
				 * page is asked for */

struct ipc_conn;

struct domlist {
	struct check_domain *v;	/* domains to start, in order */
	size_t	 count;		/* in v */
	size_t	 next;		/* next one to start */
	size_t	 alloc;		/* of v */
	struct ipc_conn *conn;	/* the pages' connection */
	char	*after;		/* the "next" of the last page in */
	long	 npages;	/* pages so far */
	size_t	 listed;	/* domains of those pages */
	int	 paging;	/* a page asked for, not in yet */
	int	 end;		/* the last page is in, or failed */
	int	 failed;	/* a page could not be had */
	int	 retry;		/* seconds to the next round, for the log */
	void	(*more)(void *);
	void	*arg;
};

#define DOMLIST_INIT	{ NULL, 0, 0, 0, NULL, NULL, 0, 0, 0, 0, 0, 0, NULL, NULL }

void	domlist_ask(struct domlist *, const char *socket, int timeout_ms);
struct check_domain *domlist_next(struct domlist *);
struct check_domain *domlist_slot(struct domlist *);
void	domlist_clear(struct domlist *);

#endif
