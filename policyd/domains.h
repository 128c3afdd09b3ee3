/*
 * domains - policyd's store of hosted domains in policy.db.
 * SPDX-License-Identifier: ISC
 *
 * SYNOPSIS
 *	sqlite3 *db = domains_open(path, &err);
 *	domains_get(db, "example.com", &d)	1 found, 0 not found
 *	domains_insert(db, &d) / domains_update(db, &d) / domains_delete(db, name)
 *	domains_list(db, after, max, &v, &n)	domains by name, after a name
 *						(NULL: all), at most max (0: all)
 *	domains_each_servable(db, cb, arg)	active and retiring domains by
 *						name, one call each (no token,
 *						no timestamps)
 *	domains_expired(db, now, &v, &n)	retiring domains past retire_at
 *	domains_next_retire(db)			earliest retire_at, 0 if none
 *	domains_name_get(db, name, &id, &until)	what a name keeps: 1 found
 *	domains_name_put(db, name, id, until)	keep the greater of each
 *	domains_set_served(db, name, when, &err)	1 recorded, 0 known
 *	domains_waiting(db, max, &names, &n, &err)	servable, not served
 *	domain_clear(&d), domains_free(v, n)
 *
 * DESCRIPTION
 *	One row per domain (state, mode, max_age, policy id, ownership
 *	token, timestamps, retire_at) and its mx patterns in order.  The
 *	schema is created and upgraded through lib/db migrations (version
 *	2 adds the tables of monitor.c and publish.c; version 3 the
 *	domain_names table and the policy a retiring domain had).
 *
 *	domain_names has a row per name ever given a policy id, kept when
 *	the domain is removed: the greatest id given to the name and the
 *	latest time (epoch seconds) until which a sender may hold a
 *	cached copy of a policy served for it.  domains_name_put() keeps
 *	the greater of the stored and the given value of each, so neither
 *	goes back, whatever the clock does.
 *
 *	served (version 4) is when httpd first said that it serves
 *	mta-sts.NAME with a valid certificate (RFC 8461 section 8.1:
 *	HTTPS before DNS); until then the domain's TXT record waits
 *	(publish.h) and domains_waiting() lists it.  It is set once and
 *	kept while the row lives.  These
 *	functions only read and write rows: checking values, choosing ids
 *	and opening transactions are the caller's (request.c).  Only policyd
 *	opens this database for writing.
 *
 * DIAGNOSTICS
 *	A failed SQLite step is returned as -1 with the reason in err.
 */
#ifndef POLICYD_DOMAINS_H
#define POLICYD_DOMAINS_H

#include <stddef.h>
#include <sqlite3.h>

#include "buf.h"

enum domain_state {
	DOMAIN_PENDING,		/* added; ownership not proven yet */
	DOMAIN_VERIFIED,	/* ownership proven; no certificate yet */
	DOMAIN_ACTIVE,		/* policy served */
	DOMAIN_RETIRING,	/* deleted: mode none served until retire_at */
};

struct domain {
	char	*name;
	enum domain_state state;
	char	*mode;			/* testing | enforce | none */
	char	**mx;			/* nmx patterns, in order */
	size_t	 nmx;
	long long max_age;
	char	*policy_id;
	char	*token;			/* ownership token */
	long long created;		/* epoch seconds */
	long long updated;
	long long retire_at;		/* 0: not retiring */
	char	*prior_mode;		/* retiring: the mode it had, or NULL */
	long long prior_max_age;	/* retiring: the max_age it had */
	long long served;		/* httpd first served it with a valid
					   certificate; 0: not yet */
};

const char *domain_state_name(enum domain_state);
int	domain_state_servable(enum domain_state);
void	domain_clear(struct domain *);
void	domain_copy(struct domain *dst, const struct domain *src);

sqlite3 *domains_open(const char *path, struct buf *err);
int	domains_get(sqlite3 *, const char *name, struct domain *, struct buf *err);
int	domains_insert(sqlite3 *, const struct domain *, struct buf *err);
int	domains_update(sqlite3 *, const struct domain *, struct buf *err);
int	domains_delete(sqlite3 *, const char *name, struct buf *err);
int	domains_list(sqlite3 *, const char *after, size_t max,
	    struct domain **, size_t *, struct buf *err);
int	domains_each_servable(sqlite3 *,
	    void (*)(const struct domain *, void *), void *, struct buf *err);
int	domains_expired(sqlite3 *, long long now, struct domain **, size_t *,
	    struct buf *err);
void	domains_free(struct domain *, size_t);
long long domains_next_retire(sqlite3 *);	/* earliest retire_at; 0: none */
int	domains_name_get(sqlite3 *, const char *name, char **last_id,
	    long long *cached_until, struct buf *err);
int	domains_name_put(sqlite3 *, const char *name, const char *last_id,
	    long long cached_until, struct buf *err);
int	domains_set_served(sqlite3 *, const char *name, long long when,
	    struct buf *err);
int	domains_waiting(sqlite3 *, size_t max, char ***names, size_t *n,
	    struct buf *err);

#endif
