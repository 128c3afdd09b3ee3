/*
 * clientlimit - how many requests each client address made in a window
 *	of time: httpd's limit on report POSTs per client.
 * SPDX-License-Identifier: ISC
 *
 * SYNOPSIS
 *	struct clientlimit *l = clientlimit_new(limit, window, max_clients);
 *	if (clientlimit_hit(l, sa, now, &retry) < 0)
 *		answer 429, Retry-After: retry seconds
 *	clientlimit_free(l)
 *
 * DESCRIPTION
 *	clientlimit_hit() counts one request of the client whose address
 *	is sa (AF_INET or AF_INET6) at time now, and returns 0 while the
 *	client made at most limit requests in its current window, -1
 *	beyond (the request is not counted) with *retry the seconds until
 *	its window ends (at least 1).  A client's window starts with its
 *	first request and lasts window seconds; the next request after it
 *	starts a new one.  An IPv6 client is its /64 (one customer of a
 *	provider may hold all of it); an IPv4-mapped IPv6 address is its
 *	IPv4 address (lib/clientnet).  limit 0: no limit (always 0).
 *
 *	Lookups are a hash of the address into a table (lib/htable) with
 *	as many buckets as clients, which never grows: constant time.  The table holds at most max_clients clients; when it is
 *	full, the clients whose window ended are dropped, and when none
 *	did, a new client is refused (-1, retry: the window) until one
 *	does: a flood from many addresses cannot make the table grow.
 *
 * LIMITS
 *	max_clients clients (HTTPD_REPORT_CLIENTS_MAX in httpd), about
 *	100 bytes each (entry, key and counts).
 */
#ifndef STS_HTTPD_CLIENTLIMIT_H
#define STS_HTTPD_CLIENTLIMIT_H

#include <sys/socket.h>

#include <stddef.h>
#include <time.h>

struct clientlimit;

struct clientlimit *clientlimit_new(long long limit, time_t window,
	    size_t max_clients);
int	clientlimit_hit(struct clientlimit *, const struct sockaddr *,
	    time_t now, time_t *retry);
size_t	clientlimit_count(const struct clientlimit *);
void	clientlimit_free(struct clientlimit *);

#endif
