/*
 * monitor - the state of a domain as dnsmon last saw it, in policy.db.
 * SPDX-License-Identifier: ISC
 *
 * SYNOPSIS
 *	monitor_store(db, domain, time, next, checks, &err)	1 stored, 0 older
 *	monitor_get(db, domain, &checked, &next, &checks)	for domain-show
 *	monitor_checks_valid(checks, &err)		before storing
 *
 * DESCRIPTION
 *	dnsmon sends {"op":"check-result","domain":D,"time":T,"next":N,
 *	"checks":[...]} after each check of a domain (see lib/dnscheck.h
 *	for the objects; N, when dnsmon means to check it again, may be
 *	absent: 0).  monitor_store() keeps the time of the last check of
 *	the domain, the time of the next one (0: not known) and
 *	one row per check in the order given, with the time since which it
 *	has had its status (a check is the same one when its name and host
 *	are).  A result older than the stored one is ignored.  The rows
 *	belong to the domain's row and go with it.  The caller holds the
 *	transaction.
 *
 * LIMITS
 *	MONITOR_CHECKS_MAX checks per result; MONITOR_TEXT_MAX bytes per
 *	check object.
 */
#ifndef POLICYD_MONITOR_H
#define POLICYD_MONITOR_H

#include <jansson.h>

#include "buf.h"

#define MONITOR_CHECKS_MAX	256	/* checks of one domain */
#define MONITOR_TEXT_MAX	4096	/* bytes of one check, as JSON */

struct policydb;

int	monitor_checks_valid(const json_t *checks, struct buf *err);
int	monitor_store(struct policydb *, const char *domain, long long when,
	    long long next, const json_t *checks, struct buf *err);
int	monitor_get(struct policydb *, const char *domain, long long *checked,
	    long long *next, json_t **checks);

#endif
