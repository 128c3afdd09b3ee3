/*
 * fetches - rptparse's side of the fetch records: takes httpd's
 * datagrams and keeps them in fetches.db.
 * SPDX-License-Identifier: ISC
 *
 * SYNOPSIS
 *	fetches_start(base)	bind private/fetchlog, open fetches.db
 *	fetches_stop()		store what is pending, close
 *
 * DESCRIPTION
 *	rptparse binds the datagram socket PROTO_FETCHLOG_PRIVATE under
 *	queue_directory (mode 0600; a stale one is removed first) and
 *	reads the datagrams httpd sends (lib/fetchlog.h), at most
 *	FETCHES_READS datagrams per wake-up.  Valid records wait in
 *	memory and are stored in one transaction (lib/fetchdb.h) each
 *	FETCHES_FLUSH_MS, or at once when FETCHES_PENDING_MAX wait; each
 *	domain then keeps its newest fetch_log_domain_limit rows.  Every
 *	hour, and at start, rows older than fetch_log_days are deleted.
 *
 *	A datagram that is not one, or records that are not valid, are
 *	dropped, and said (with the first reason) at most once per
 *	FETCHES_WARN_INTERVAL seconds; so is a store that fails, whose
 *	records are dropped and counted in
 *	stsd_fetch_records_dropped_total{daemon="rptparse"}.  Records
 *	are a view of traffic, not mail: none is worth a retry.
 *
 * LIMITS
 *	FETCHES_PENDING_MAX records in memory; FETCHLOG_DGRAM_MAX bytes
 *	per datagram (a longer one is truncated and dropped).
 */
#ifndef STS_RPTPARSE_FETCHES_H
#define STS_RPTPARSE_FETCHES_H

#define FETCHES_READS		64	/* datagrams per wake-up */
#define FETCHES_PENDING_MAX	4096	/* records waiting for a commit */
#define FETCHES_FLUSH_MS	1000
#define FETCHES_PRUNE_INTERVAL	3600	/* seconds */
#define FETCHES_WARN_INTERVAL	60	/* seconds between warnings */

struct event_base;

void	fetches_start(struct event_base *);
void	fetches_stop(void);

#endif
