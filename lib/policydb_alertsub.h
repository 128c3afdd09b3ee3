/*
 * policydb_alertsub - policy.db's alert subscriptions of domains.
 * SPDX-License-Identifier: ISC
 *
 * SYNOPSIS
 *	policydb_alertsub_add(pdb, &s, &err)		sets s.id; 0, -1
 *	policydb_alertsub_count(pdb, domain)		how many
 *	policydb_alertsub_list(pdb, domain, &v, &n, &err)	by id; NULL: all
 *	policydb_alertsub_get(pdb, domain, id, &s, &err)	1 found, 0 not
 *	policydb_alertsub_delete(pdb, id, &err)
 *	policydb_alertsub_clear(&s), policydb_alertsubs_free(v, n)
 *
 * DESCRIPTION
 *	Table alert_subscriptions (policy.db schema 9): a row per
 *	subscription, its id (never reused), the domain (a hosted one:
 *	the row goes with it), its kind ("mail" or "webhook"), its
 *	target (the address or the URL), when and by whom ("operator" or
 *	an account) it was made.  A domain holds a (kind, target) once.
 *	Like the rest of lib/policydb these functions only read and
 *	write rows: checking the values and opening transactions are
 *	policyd's (request_alert.c); policydb_alertsub_get() finds an id
 *	only among the subscriptions of the domain given, so that an id
 *	never reaches another domain's row.
 *
 * LIMITS
 *	None of its own: policyd bounds the rows of a domain
 *	(alert_subscriptions_max) and the length of a target.
 *
 * DIAGNOSTICS
 *	-1 with the SQLite error in err; a second (domain, kind, target)
 *	fails with "already subscribed".
 */
#ifndef STS_POLICYDB_ALERTSUB_H
#define STS_POLICYDB_ALERTSUB_H

#include <stddef.h>

#include "buf.h"

struct policydb;

struct policydb_alertsub {
	long long id;
	char	*domain;
	char	*kind;			/* "mail" or "webhook" */
	char	*target;
	long long created;
	char	*account;		/* who made it */
};

int	policydb_alertsub_add(struct policydb *, struct policydb_alertsub *,
	    struct buf *err);
long long policydb_alertsub_count(struct policydb *, const char *domain);
int	policydb_alertsub_list(struct policydb *, const char *domain,
	    struct policydb_alertsub **, size_t *, struct buf *err);
int	policydb_alertsub_get(struct policydb *, const char *domain,
	    long long id, struct policydb_alertsub *, struct buf *err);
int	policydb_alertsub_delete(struct policydb *, long long id,
	    struct buf *err);
void	policydb_alertsub_clear(struct policydb_alertsub *);
void	policydb_alertsubs_free(struct policydb_alertsub *, size_t);

#endif
