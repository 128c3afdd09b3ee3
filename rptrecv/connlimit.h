/*
 * connlimit - rptrecv's connection counts: in total and per client network.
 * SPDX-License-Identifier: ISC
 *
 * SYNOPSIS
 *	connlimit_net(sa, net, len)	the network of a client address
 *					(lib/clientnet)
 *	connlimit_admit(net, total, total_limit, net_limit)
 *					count a new connection, or say which
 *					limit refuses it
 *	connlimit_done(net)		a connection of net is closed
 *	connlimit_count(net)		connections of net now
 *
 * DESCRIPTION
 *	A client is counted by its network, not by its address: an IPv4
 *	address by its /CONNLIMIT_PREFIX4 (192.0.2.0/24), an IPv6 address
 *	by its /CONNLIMIT_PREFIX6 (2001:db8:1:2::/64), an IPv4-mapped IPv6
 *	address as IPv4.  A sender with many addresses of one network
 *	(one provider's outbound pool, or one host with a /64) is thus
 *	one client, and cannot fill the total limit that every other
 *	sender shares.  Anything but IPv4 and IPv6 is "local".
 *
 *	connlimit_admit() checks the total first: total is the number of
 *	connections open now, including every network.  It returns
 *	CONNLIMIT_OK and counts the connection, or CONNLIMIT_TOTAL or
 *	CONNLIMIT_NET and counts nothing.  Every connection admitted is
 *	given back with connlimit_done() of the same net.
 *
 *	The counts are those of one process (rptrecv has one event loop
 *	and no shared memory): with maxproc N, a network may hold N times
 *	the limit.
 *
 * LIMITS
 *	CONNLIMIT_NET_MAX octets for the text of a network; the table
 *	(lib/htable, CONNLIMIT_BUCKETS buckets to start with) has one
 *	entry per network that has a connection open (so at most
 *	rptrecv_connection_limit).
 *
 * DIAGNOSTICS
 *	connlimit_done() of a network without a count is a bug: log_panic.
 */
#ifndef RPTRECV_CONNLIMIT_H
#define RPTRECV_CONNLIMIT_H

#include <sys/socket.h>

#include <stddef.h>

#include "clientnet.h"

#define CONNLIMIT_PREFIX4	24	/* an IPv4 client network */
#define CONNLIMIT_PREFIX6	64	/* an IPv6 client network */
#define CONNLIMIT_NET_MAX	CLIENTNET_TEXT_MAX
#define CONNLIMIT_BUCKETS	1024

enum connlimit_verdict {
	CONNLIMIT_OK,			/* counted */
	CONNLIMIT_TOTAL,		/* total_limit reached */
	CONNLIMIT_NET,			/* net_limit reached for this network */
};

void	connlimit_net(const struct sockaddr *sa, char *net, size_t len);
enum connlimit_verdict connlimit_admit(const char *net, long long total,
	    long long total_limit, long long net_limit);
void	connlimit_done(const char *net);
int	connlimit_count(const char *net);

#endif
