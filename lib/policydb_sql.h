/*
 * policydb_sql - the inside of lib/policydb on lib/sqldb, shared by
 * policydb.c, policydb_dns.c, policydb_migrate.c, policydb_account.c,
 * policydb_alertsub.c and policydb_node.c only.
 * SPDX-License-Identifier: ISC
 *
 * SYNOPSIS
 *	struct sqldb *db = pdb->db;
 *	policydb_text(st, i)		column i as text, "" for NULL
 *	policydb_int(st, dflt)		the one integer st selects, or
 *					dflt; finishes st
 *	policydb_int_of(pdb, sql, key)	the one integer sql selects with
 *					the text key as ?1, or 0
 *	policydb_changed(pdb, name)	a domain's row changed: announced
 *					by policydb_announce() at commit
 *					(policydb_notify.c); forgotten by
 *					policydb_changed_clear()
 *
 * DESCRIPTION
 *	No other file includes this header: everyone else sees struct
 *	policydb as opaque (policydb.h).  The SQL is written once for
 *	both storage engines (lib/sqldb); the few statements that differ
 *	test sqldb_engine().
 *
 * LIMITS
 *	None of its own.
 *
 * DIAGNOSTICS
 *	None.
 */
#ifndef STS_POLICYDB_SQL_H
#define STS_POLICYDB_SQL_H

#include "sqldb.h"

struct policydb {
	struct sqldb *db;
	char	**changed;	/* domains changed in the transaction */
	size_t	 nchanged;
	int	 changed_all;	/* more than POLICYDB_CHANGED_MAX */
};

const char *policydb_text(struct sqldb_stmt *, int);
long long policydb_int(struct sqldb_stmt *, long long dflt);
long long policydb_int_of(struct policydb *, const char *sql,
	    const char *key);
void	policydb_changed(struct policydb *, const char *name);
int	policydb_announce(struct policydb *, struct buf *err);
void	policydb_changed_clear(struct policydb *);

#endif
