/*
 * silent - rptparse's silent-reporter alerts.
 * SPDX-License-Identifier: ISC
 *
 * SYNOPSIS
 *	silent_start(db)	runs now, then every SILENT_INTERVAL seconds
 *	silent_run(db, now)	one run (what the timer calls)
 *	silent_stop()
 *
 * DESCRIPTION
 *	A run asks reports.db (rptdb_silent(), one query for every hosted
 *	domain) which regular reporters of a domain have sent nothing for
 *	alert_silent_time, and raises through lib/alert, for the domain,
 *	one alert of kind "silent-reporter:ORG" with the key "silent":
 *	lib/alert's state (rptparse-alerts.state) remembers it, so that
 *	the next runs do not raise it again, until a report that counts
 *	from ORG for the domain clears it (rptparse/alerts.c).  The text
 *	names the organization (esc_text()), the end of its last report,
 *	how many days ago, and what to check.  Each run sets the gauge
 *	stsd_rptparse_silent_reporters to the number of silent reporters
 *	of all domains, then sends the digest (alerts_flush()).
 *
 *
 *	Several nodes on one database (storage_engine = postgresql): a
 *	run happens only on the node whose policyd holds the lease alerts
 *	(policyc_lease_ask(), asked before each); another node skips it,
 *	says so once ("skipping the silent-reporter run: lease alerts held
 *	by NODE") and asks again every cluster_lease_time / 3.  The alerts
 *	of a report are raised by the node that stored it.  On SQLite
 *	nothing is asked.
 *
 * LIMITS
 *	SILENT_INTERVAL seconds between runs; at most SILENT_ALERTS_MAX
 *	new alerts per run (the others are raised by the next runs, an
 *	hour apart; logged); RPTDB_SILENT_MAX silent reporters read (and
 *	counted) per run.
 *
 * DIAGNOSTICS
 *	A run whose query fails is logged and leaves the gauge as it was.
 */
#ifndef RPTPARSE_SILENT_H
#define RPTPARSE_SILENT_H

#include <time.h>

#include "rptdb.h"

#define SILENT_INTERVAL		(60 * 60)	/* seconds between runs */
#define SILENT_ALERTS_MAX	100		/* new alerts per run */
#define SILENT_KEY		"silent"

void	silent_start(struct rptdb *);
long long silent_run(struct rptdb *, time_t now);
void	silent_stop(void);

#endif
