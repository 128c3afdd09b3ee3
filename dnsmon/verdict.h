/*
 * verdict - what dnsmon makes of the checks of a domain: alerts and
 * metrics.
 * SPDX-License-Identifier: ISC
 *
 * SYNOPSIS
 *	verdict_open()				the alert state, locked
 *	verdict_round_start()			a round's totals start at 0
 *	verdict_result(domain, checks, pending, counted)
 *						counts it, raises alerts
 *	verdict_round_done()			the round's totals, set
 *	verdict_close()				sends, saves, unlocks
 *
 * DESCRIPTION
 *	verdict_result() counts a domain's result in the metrics
 *	(stsd_dns_domain_checks_total; stsd_dns_check_problem for a check
 *	that is not ok, removed when it is ok again or when a round did
 *	not see it: a domain or MX host that is gone) and raises alerts
 *	through lib/alert, once per change (not for a pending domain,
 *	which is still being set up): a check that fails alerts with its
 *	fix, a check that passes again clears its alert; a certificate
 *	that expires within 21, 7 or 1 days alerts once at each step.
 *	verdict_round_done() sets the totals of a full round by check and
 *	status (stsd_dns_checks: the results verdict_result() was told are
 *	counted, not the early checks that joined the round) and counts
 *	the round
 *	(stsd_dns_check_rounds_total).
 *
 *	The alert state (what was sent for which domain and check) is
 *	dnsmon's own file, $data_directory/alerts.state, not policy.db
 *	(policyd is the only writer of policy.db, and the state is only
 *	dnsmon's business): lib/alert appends each change to it at once
 *	and syncs it at the end of a round and at exit, so that a dnsmon
 *	that is restarted (or killed) neither repeats an alert nor forgets
 *	a cleared one.  One process writes it: dnsmon holds an exclusive
 *	lock on alerts.state.lock while it runs and refuses to start when
 *	another dnsmon holds it (master.cf: maxproc 1).
 *
 * LIMITS
 *	VERDICT_TALLY_CHECKS check names of VERDICT_TALLY_NAME bytes are
 *	counted in stsd_dns_checks; others are left out of the totals.
 *
 * DIAGNOSTICS
 *	verdict_open() is fatal when the lock is held ("another dnsmon is
 *	running (its master.cf maxproc must be 1)") or the state file
 *	cannot be read or made.
 */
#ifndef DNSMON_VERDICT_H
#define DNSMON_VERDICT_H

#include <jansson.h>

void	verdict_open(void);
void	verdict_round_start(void);
void	verdict_result(const char *domain, json_t *checks, int pending,
	    int counted);
void	verdict_round_done(void);
void	verdict_close(void);

#endif
