/*
 * tell - what dnsmon says to policyd on private/policyd: check results,
 * pipelined on a connection of their own, and requests that wait for
 * their reply (domain-verified, domain-show).
 * SPDX-License-Identifier: ISC
 *
 * SYNOPSIS
 *	tell_init(more)			more(): a result was answered, or
 *					the results' connection closed
 *	tell_result(domain, checks, next)	one check-result, not waiting
 *	n = tell_unanswered()		results sent, not answered yet
 *	reply = tell_call(req)		one request (taken), its reply or NULL
 *	tell_domain(name, &d)		domain-show: 0, -1 not reached, 1
 *					no such domain (logged)
 *	tell_call_close()		the requests' connection, at a round's
 *					end
 *	tell_leased()			1: this node runs the rounds now
 *	tell_lease_wait()		seconds until asking again
 *	tell_close()			both, at exit
 *
 * DESCRIPTION
 *	check-results go without waiting for each reply: policyd commits
 *	them in batches (group commit, policyd's checkbatch.h) and answers
 *	each once its batch is on disk.  The caller keeps at most its
 *	window of them unanswered (tell_unanswered()).  A policyd that does
 *	not know check-result is said once in the log; results are then
 *	kept in the alerts only.  Each connection is made when first
 *	needed; every failure is logged, and the result or the request is
 *	lost (dnsmon checks the domain again in its next round).
 *
 *	Several nodes on one database (storage_engine = postgresql): a
 *	round, full or early, starts only on the node whose policyd holds
 *	the lease dnsmon (policyd's lease.h); tell_leased() asks it with
 *	tell_call() (lib/policyc's policyc_lease_ask()) before each.
 *	Another node skips the round, says so once ("skipping the round:
 *	lease dnsmon held by NODE") and asks again tell_lease_wait()
 *	seconds later (cluster_lease_time / PROTO_LEASE_TICKS, the
 *	renewal of the leases).  On SQLite (one host) nothing is asked.
 *
 * LIMITS
 *	ipc_timeout for a reply to tell_call() and for output policyd
 *	does not take.
 */
#ifndef STS_DNSMON_TELL_H
#define STS_DNSMON_TELL_H

#include <stddef.h>

#include <jansson.h>

struct check_domain;

void	tell_init(void (*more)(void));
void	tell_result(const char *domain, json_t *checks, long long next);
size_t	tell_unanswered(void);
json_t	*tell_call(json_t *req);
int	tell_domain(const char *name, struct check_domain *);
void	tell_call_close(void);
int	tell_leased(void);
long long tell_lease_wait(void);
void	tell_close(void);

#endif
