/*
 * migration - MX migrations: the plan policyd carries out step by step,
 * and what the domain-migrate request (request_migrate.c) takes of it.
 * SPDX-License-Identifier: ISC
 *
 * SYNOPSIS
 *	#include "migration.h"
 *
 * DESCRIPTION
 *	A plan's steps are MIGRATE_WIDENED, MIGRATE_WAITING,
 *	MIGRATE_SWITCH, MIGRATE_NARROWED, then MIGRATE_DONE; or
 *	MIGRATE_ABORTED.  migration.c takes a plan from step to step, one
 *	transaction each (request_migrate_domain(), request_migrate_run()
 *	in request.h); request_migrate.c starts and aborts plans.
 *
 *	Lists of mx patterns are NULL-terminated vectors of malloc'd
 *	strings: migrate_count(), migrate_has(), migrate_push() (which
 *	keeps *n and the NULL), migrate_copy(), migrate_strv_free().
 *
 *	migrate_publish() publishes the policy of d with mx (taken)
 *	inside the caller's transaction, and puts the end of the caches
 *	of the policies it replaces in *until (NULL: not wanted).
 *	migrate_widened_mx() is the starting list plus the added
 *	patterns.  migrate_next() sets m's wait (deadline, text) for its
 *	step.  migrate_what() is a plan's step in words for the log and
 *	the alert; migrate_tell() logs and alerts a change of step (from
 *	NULL: a new plan).
 *
 *	migrate_dns_hosts() returns the MX hosts dnsmon last saw for
 *	domain, NULL when it has no whole list; its checks in *checksp
 *	(the caller's to free).  migrate_matching() counts the hosts a
 *	pattern matches; migrate_hosts_text() is the list in words.
 */
#ifndef STS_POLICYD_MIGRATION_H
#define STS_POLICYD_MIGRATION_H

#include <jansson.h>

#include "buf.h"
#include "policydb.h"
#include "request.h"

#define MIGRATE_WIDENED		"widened"
#define MIGRATE_WAITING		"waiting"
#define MIGRATE_SWITCH		"switch-mx"
#define MIGRATE_NARROWED	"narrowed"
#define MIGRATE_DONE		"done"
#define MIGRATE_ABORTED		"aborted"

size_t	 migrate_count(char **v);
int	 migrate_has(char **v, const char *s);
void	 migrate_push(char ***v, size_t *n, const char *s);
void	 migrate_strv_free(char **v);
int	 migrate_publish(struct policyd *, struct domain *, char **mx,
	    long long now, long long *until, struct buf *);
char	**migrate_widened_mx(const struct policydb_migration *);
const char *migrate_next(struct policyd *, const struct domain *,
	    struct policydb_migration *, long long now);
char	*migrate_what(struct policyd *, const struct domain *,
	    const struct policydb_migration *);
void	 migrate_tell(struct policyd *, const struct policydb_migration *,
	    const char *from, const char *what);
json_t	*migrate_dns_hosts(struct policyd *, const char *domain,
	    long long since, json_t **checksp);
size_t	 migrate_matching(json_t *hosts, const char *pattern);
char	*migrate_hosts_text(json_t *hosts);
char	**migrate_copy(char **src);

#endif
