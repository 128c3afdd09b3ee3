/*
 * lease - policyd's node: its heartbeat, and the leases it holds for
 * the work that must happen once among the nodes of a database.
 * SPDX-License-Identifier: ISC
 *
 * SYNOPSIS
 *	pd->leases = leases_new(&pd, base, node, secs, always);
 *	pd->leases = leases_start(&pd, base)	the same from main.cf
 *	leases_tick(pd->leases)			heartbeat, take or renew
 *	leases_held(pd->leases, work, &holder)	1 held here, 0 not, -1
 *						no such work
 *	leases_free(pd->leases, release)
 *
 * DESCRIPTION
 *	A node is a host running policyd on the database, named
 *	node_name.  leases_new() makes the node's heartbeat and takes
 *	the leases of LEASE_WORKS (proto.h: PROTO_LEASE_DNSMON,
 *	PROTO_LEASE_ACMED, PROTO_LEASE_ALERTS) at once, then again every
 *	secs / 3 (cluster_lease_time): each take is for secs from the
 *	database's clock (lib/policydb_node.h), so that a node that dies
 *	holds its leases at most secs longer, and another node takes
 *	them at its next tick: within secs plus secs / 3.
 *
 *	leases_held() answers from what the last tick learnt, without a
 *	query: a lease counts as held until secs after the start of the
 *	statement that took it (by the monotonic clock, which can only
 *	make it end earlier than the database does), so a node that
 *	cannot reach the database stops holding its leases before
 *	another can take them.  holder gets the name of the node that
 *	holds the lease (NULL when nobody does).
 *
 *	leases_start() takes node_name and cluster_lease_time, and
 *	always with storage_engine = sqlite.  With always (one host), every lease is held by this node
 *	whatever the tables say: the rows are still written, so that
 *	stsctl node list shows the node and its leases.  Each change of a
 *	lease is logged once: "lease dnsmon: taken by node A" or "lease
 *	dnsmon: held by node B until T".  leases_free() with release
 *	deletes the node's leases (a clean stop: another node takes them
 *	at its next tick).
 *
 * LIMITS
 *	LEASE_WORKS kinds of work.
 *
 * DIAGNOSTICS
 *	A database error is logged once until a tick succeeds again; the
 *	leases are then not held once their time is out.  A PostgreSQL
 *	connection found lost makes policyd stop (SIGTERM), as after a
 *	request, and master starts it again.
 */
#ifndef POLICYD_LEASE_H
#define POLICYD_LEASE_H

#include <event2/event.h>

#include "proto.h"

#define LEASE_WORKS	3	/* dnsmon, acmed, alerts */
#define LEASE_TICKS	PROTO_LEASE_TICKS	/* per cluster_lease_time */

struct policyd;
struct leases;

struct leases *leases_new(struct policyd *, struct event_base *,
	    const char *node, long long secs, int always);
struct leases *leases_start(struct policyd *, struct event_base *);
void	leases_tick(struct leases *);
int	leases_held(struct leases *, const char *work, const char **holder);
const char *leases_node(const struct leases *);
long long leases_interval(const struct leases *);	/* ms, a tick */
void	leases_free(struct leases *, int release);

#endif
