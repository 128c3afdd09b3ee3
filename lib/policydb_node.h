/*
 * policydb_node - policy.db's nodes and the leases of the work that
 * must happen once among them.
 * SPDX-License-Identifier: ISC
 *
 * SYNOPSIS
 *	policydb_node_heartbeat(pdb, name, version, start, &now, &err)
 *	policydb_lease_take(pdb, work, node, secs, &l, &err)	1 held by
 *				node, 0 held by another (l says who), -1
 *	policydb_lease_get(pdb, work, &l, &err)		1 found, 0 not
 *	policydb_lease_release(pdb, work, node, &err)	work NULL: all
 *	policydb_node_list(pdb, &v, &n, &err)		by name
 *	policydb_lease_clear(&l), policydb_nodes_free(v, n)
 *
 * DESCRIPTION
 *	Tables nodes and leases (policy.db schema 10).  A node is a
 *	host that runs policyd on the database (node_name): a row with
 *	its last heartbeat, its software version and when its policyd
 *	started.  A lease is a row per kind of work ("dnsmon", "acmed",
 *	"alerts": proto.h) naming the node that holds it and when it
 *	expires; it goes with its node.
 *
 *	Every time here is the database's clock, in seconds since the
 *	epoch (SQLite: strftime('%s','now'); PostgreSQL: now()), never
 *	the caller's: nodes whose clocks disagree still agree on who
 *	holds a lease and on how old a heartbeat is.
 *
 *	policydb_node_heartbeat() inserts or updates the node's row and
 *	sets *now to the database's time; with start (policyd's first
 *	heartbeat) it also sets the node's start to that time.  policydb_lease_take() is one
 *	statement (INSERT ... ON CONFLICT DO UPDATE ... WHERE): it takes
 *	the lease for secs seconds from now when nobody holds it, when
 *	it expired, or when node holds it already (a renewal); never
 *	while another node holds it unexpired.  On PostgreSQL two nodes
 *	that take it at once are ordered by the row's lock, and the
 *	second sees the first one's row.  The node must have a row (a
 *	heartbeat first).  l gets the holder and the expiry either way
 *	(0 with no holder when the row went between the two statements).
 *	policydb_lease_release() deletes the node's lease of work (or
 *	all its leases), so that another node takes it at once.
 *	policydb_node_list() returns every node with the leases it holds
 *	unexpired (names, by name) and the database's time in "now".
 *
 * LIMITS
 *	None of its own: policyd bounds the lease time
 *	(cluster_lease_time) and node_name is a host name.
 *
 * DIAGNOSTICS
 *	-1 with the engine's error in err.
 */
#ifndef STS_POLICYDB_NODE_H
#define STS_POLICYDB_NODE_H

#include <stddef.h>

#include "buf.h"

struct policydb;

struct policydb_lease {
	char	*work;
	char	*holder;		/* a node's name, or NULL */
	long long expires;		/* the database's time */
	long long now;			/* the database's time when read */
};

struct policydb_node {
	char	*name;
	long long heartbeat;		/* the last one */
	char	*version;
	long long started;
	long long now;			/* the database's time when read */
	char	**leases;		/* unexpired, by name */
	size_t	 nleases;
};

int	policydb_node_heartbeat(struct policydb *, const char *name,
	    const char *version, int start, long long *now,
	    struct buf *err);
int	policydb_lease_take(struct policydb *, const char *work,
	    const char *node, long long secs, struct policydb_lease *,
	    struct buf *err);
int	policydb_lease_get(struct policydb *, const char *work,
	    struct policydb_lease *, struct buf *err);
int	policydb_lease_release(struct policydb *, const char *work,
	    const char *node, struct buf *err);
int	policydb_node_list(struct policydb *, struct policydb_node **,
	    size_t *, struct buf *err);
void	policydb_lease_clear(struct policydb_lease *);
void	policydb_node_clear(struct policydb_node *);
void	policydb_nodes_free(struct policydb_node *, size_t);

#endif
