/*
 * dnsq - asynchronous DNS queries on libevent, for dnsmon's rounds.
 * SPDX-License-Identifier: ISC
 *
 * SYNOPSIS
 *	q = dnsq_new(base, timeout_ms, max_inflight, &err)
 *	dnsq_set_rate(q, per_sec)		0: no limit (the default)
 *	dnsq_ask(q, name, type, cb, arg)	0, or -1: bad name
 *	dnsq_inflight(q) / dnsq_queued(q)
 *	dnsq_stats(q, &st)			queries, resends, time-outs, TCP
 *	dnsq_free(q)				drops what is left, silently
 *
 * DESCRIPTION
 *	Queries go to the nameservers of the system's resolv.conf (read
 *	with ldns), over UDP from DNSQ_SOCKETS sockets per address family
 *	with a random query id, with recursion desired and EDNS0
 *	(DNSQ_EDNS_SIZE bytes).  An answer counts only when it comes from
 *	a nameserver that was asked, to the socket that asked, with the id
 *	and the question of the query; anything else is dropped.  A
 *	truncated answer (TC) is asked again over TCP (one connection per
 *	query).  A query is sent again every timeout_ms / (DNSQ_TRIES *
 *	nameservers), to the nameservers in turn, and gives up after
 *	timeout_ms (the TCP exchange gets timeout_ms of its own).  At most
 *	max_inflight queries are on the wire at once; the others wait in
 *	order.
 *
 *	dnsq_set_rate() limits what the nameservers get to per_sec
 *	queries a second (a token bucket of DNSQ_BURST_MS worth of the
 *	rate, at least one query, refilled from the monotonic clock): a
 *	query waits in order for its token, on a timer of the event loop
 *	(no busy waiting, at most one wake-up per DNSQ_RATE_TICK_MS); a
 *	resend and a TCP retry take a token without waiting, and what
 *	they owe holds back the next new queries.
 *
 *	cb(arg, pkt, status) is called once per query, from the event loop
 *	(never from dnsq_ask): with the answer (pkt, the callee's to free
 *	with ldns_pkt_free; status RESOLVE_OK whatever its rcode says) or
 *	without (pkt NULL; status RESOLVE_TIMEOUT or RESOLVE_ERROR).
 *
 * MAY TOUCH
 *	/etc/resolv.conf (read at dnsq_new), UDP and TCP to its
 *	nameservers.
 *
 * LIMITS
 *	DNSQ_SERVERS_MAX nameservers; answers of at most 65535 bytes; the
 *	ids of 65536 queries in flight (max_inflight is capped below).
 */
#ifndef STS_DNSQ_H
#define STS_DNSQ_H

#include <ldns/ldns.h>

#include "buf.h"
#include "resolve.h"

#define DNSQ_SERVERS_MAX	3
#define DNSQ_SOCKETS		4	/* UDP sockets per address family */
#define DNSQ_TRIES		2	/* sends per nameserver */
#define DNSQ_EDNS_SIZE		1232	/* bytes; larger answers: TCP */
#define DNSQ_INFLIGHT_CAP	4096
#define DNSQ_BURST_MS		100	/* of the rate, sent at once */
#define DNSQ_RATE_TICK_MS	5	/* shortest wait for a token */

struct event_base;
struct dnsq;

typedef void (*dnsq_cb)(void *arg, ldns_pkt *pkt, enum resolve_status);

struct dnsq_stats {
	unsigned long long queries;	/* asked */
	unsigned long long resends;	/* UDP sends after the first */
	unsigned long long timeouts;	/* given up */
	unsigned long long tcp;		/* asked again over TCP */
};

struct dnsq *dnsq_new(struct event_base *, int timeout_ms, int max_inflight,
	    struct buf *err);
int	dnsq_ask(struct dnsq *, const ldns_rdf *name, ldns_rr_type, dnsq_cb,
	    void *arg);
size_t	dnsq_inflight(const struct dnsq *);
size_t	dnsq_queued(const struct dnsq *);
void	dnsq_set_rate(struct dnsq *, long per_sec);
void	dnsq_stats(const struct dnsq *, struct dnsq_stats *);
void	dnsq_free(struct dnsq *);

#endif
