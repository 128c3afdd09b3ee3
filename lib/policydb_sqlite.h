/*
 * policydb_sqlite - the inside of lib/policydb on SQLite, shared by
 * policydb.c, policydb_dns.c, policydb_migrate.c and policydb_account.c
 * only.
 * SPDX-License-Identifier: ISC
 *
 * SYNOPSIS
 *	sqlite3 *db = pdb->db;
 *	policydb_text(st, i)		column i as text, "" for NULL
 *	policydb_int(st, dflt)		the one integer st selects, or dflt;
 *					finalizes st
 *
 * DESCRIPTION
 *	No other file includes this header: everyone else sees struct
 *	policydb as opaque (policydb.h), so that another storage engine
 *	replaces these files and nothing else.
 *
 * LIMITS
 *	None of its own.
 *
 * DIAGNOSTICS
 *	None.
 */
#ifndef STS_POLICYDB_SQLITE_H
#define STS_POLICYDB_SQLITE_H

#include <sqlite3.h>

struct policydb {
	sqlite3	*db;
};

const char *policydb_text(sqlite3_stmt *, int);
long long policydb_int(sqlite3_stmt *, long long dflt);

#endif
