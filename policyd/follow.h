/*
 * follow - policyd follows the changes that the policyd processes of
 * the other nodes make in a shared PostgreSQL database.
 * SPDX-License-Identifier: ISC
 *
 * SYNOPSIS
 *	follow_start(pd, base, &target, changed)
 *	follow_stop()
 *
 * DESCRIPTION
 *	follow_start() opens a listener of its own on the target (lib/sqldb:
 *	LISTEN POLICYDB_CHANNEL) and watches its socket in the event loop;
 *	on SQLite it does nothing (one host, one policyd).  It must run
 *	before policyd first reads the domains (the snapshot file, httpd's
 *	snapshot), so that a change committed after that read is heard.
 *
 *	Each notification names the domains whose row a transaction
 *	changed (lib/policydb.h); those sent by this policyd's own
 *	connection are skipped, and a name that is not a domain name
 *	(dnsname_syntax) is logged and ignored.  The named domains are
 *	read again from the database, in one query per notification, and
 *	each goes the way of a local change, without the write:
 *	a servable one is appended to the snapshot file and pushed to the
 *	subscribers (httpd), another is withdrawn from both; the snapshot
 *	file is made durable once for the notifications that arrived
 *	together, then changed() is called (policyd.c: the compaction and
 *	retirement timers).
 *	POLICYDB_CHANGED_ALL (a transaction of many domains) makes a full
 *	comparison instead: the snapshot file (what this policyd last
 *	pushed) against every servable domain of the database; what
 *	differs is pushed or withdrawn.
 *
 *	A listener whose connection is lost (the database restarting,
 *	a failover) stops policyd as a lost connection of its own
 *	does (policyd.c): master starts it again, and a new policyd reads
 *	everything anew (the snapshot file's compaction, httpd's new
 *	subscription), so a notification missed meanwhile costs nothing;
 *	httpd serves from what it has and from the snapshot file until
 *	then.
 *
 * LIMITS
 *	A notification names at most what SQLDB_NOTIFY_MAX bytes hold;
 *	FOLLOW_LOG_MAX domains followed a second are logged by name, the
 *	rest counted in one line after the notifications that arrived
 *	together (an import, a flood of notifications).
 *
 * DIAGNOSTICS
 *	"policy database: listener: REASON" at start is fatal, as a
 *	database that cannot be opened is; a lost listener is logged as
 *	an error before policyd stops.
 */
#ifndef STS_POLICYD_FOLLOW_H
#define STS_POLICYD_FOLLOW_H

#include <event2/event.h>

#define FOLLOW_LOG_MAX	10	/* domains named a second */

struct policyd;
struct sqldb_target;

void	follow_start(struct policyd *, struct event_base *,
	    const struct sqldb_target *, void (*changed)(void));
void	follow_stop(void);

#endif
