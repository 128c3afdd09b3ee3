/*
 * dnschild - policyd's DNS UPDATE worker, a child process per batch.
 * SPDX-License-Identifier: ISC
 *
 * SYNOPSIS
 *	dnschild_init(&pd)		after policy.db is open
 *	dnschild_stop()			at cleanup
 *
 * DESCRIPTION
 *	With dns_update_server set (pd->conf.dns_update), dnschild_init()
 *	checks dns_update_key_file (a problem is logged, not fatal), sets
 *	pd->publish, queues whatever DNS lacks (publish_sync) and arms the
 *	first batch at once.  A batch of at most PUBLISH_BATCH_MAX due
 *	domains runs in a child process (publish_run with
 *	dnsupdate_publish_txt) that writes one result line per domain on
 *	a pipe; the event loop reads it, reaps the child at its end of
 *	file, records each outcome (publish_done: the back-off of a
 *	failure between policyd_dns_retry_min and policyd_dns_retry_max)
 *	and logs it.  A domain the child did not report failed ("the
 *	update process ended without a result", or was killed by its
 *	time limit).  pd->publish arms the next batch DNSCHILD_DELAY_MS
 *	after a change, so that the policy push to httpd has left before
 *	DNS announces the new id, unless a child runs: it re-arms when it
 *	is done.  dnschild_stop() kills a running child.
 *
 * LIMITS
 *	The child is killed by alarm() after 2 * (dnsmon_query_timeout
 *	+ 1) seconds per domain, plus one; DNSCHILD_LINE_MAX bytes of
 *	output per domain of the batch (more: killed); the next batch at
 *	most DNSCHILD_WAIT_MAX seconds ahead, DNSCHILD_ERROR_WAIT after
 *	a database or fork error.
 *
 * DIAGNOSTICS
 *	"DOMAIN: DNS: published policy id ID in ZONE", "... records
 *	deleted from ZONE", "... publication failed (attempt N, next try
 *	in S s): WHY"; "DNS child: bad result line: ...".
 */
#ifndef POLICYD_DNSCHILD_H
#define POLICYD_DNSCHILD_H

struct policyd;

void	dnschild_init(struct policyd *);
void	dnschild_stop(void);

#endif
