/*
 * fetchbatch - httpd's records of policy fetches and failed TLS
 * handshakes, batched and handed to rptparse.
 * SPDX-License-Identifier: ISC
 *
 * SYNOPSIS
 *	fetchbatch_start(base)		with httpd_fetch_log = yes
 *	fetchbatch_add(&rec)		one record (conn.c, route.c)
 *	fetchbatch_stop()		send what is left, close
 *
 * DESCRIPTION
 *	Records are encoded (lib/fetchlog.h) into one datagram held in
 *	memory and sent to rptparse's datagram socket
 *	PROTO_FETCHLOG_PRIVATE (relative to queue_directory, httpd's
 *	working directory, chrooted or not) with one non-blocking
 *	sendto(): when it holds FETCHLOG_DGRAM_RECORDS records or nearly
 *	FETCHLOG_DGRAM_MAX bytes, and FETCHBATCH_FLUSH_MS after its first
 *	record otherwise.  Nothing else is done per record: no system
 *	call, no allocation once the buffer has grown.
 *
 *	It never blocks and never slows serving: when rptparse's socket
 *	is full (EAGAIN), or not there for a moment (a reload restarts
 *	rptparse: no socket, or refused), the datagram is kept and sent
 *	again at the next flush, and records that come meanwhile, with
 *	no room, are dropped.  A drop costs an increment; at the next
 *	flush (FETCHBATCH_FLUSH_MS) the records dropped meanwhile are added
 *	to the metric stsd_fetch_records_dropped_total{daemon="httpd"},
 *	and said in the log at most once per FETCHBATCH_WARN_INTERVAL
 *	seconds.
 *
 * LIMITS
 *	One datagram of FETCHLOG_DGRAM_MAX bytes, FETCHLOG_DGRAM_RECORDS
 *	records, in memory.
 */
#ifndef STS_HTTPD_FETCHBATCH_H
#define STS_HTTPD_FETCHBATCH_H

#include "fetchlog.h"

#define FETCHBATCH_FLUSH_MS		1000
#define FETCHBATCH_WARN_INTERVAL	300	/* seconds between warnings */

struct event_base;

void	fetchbatch_start(struct event_base *);
int	fetchbatch_on(void);
void	fetchbatch_add(const struct fetchrec *);
void	fetchbatch_stop(void);

#endif
