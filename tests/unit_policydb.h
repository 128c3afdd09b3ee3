/*
 * unit_policydb.h - the policy.db of a unit test, on the engine of the
 * run.
 * SPDX-License-Identifier: ISC
 *
 *	pdb = unit_policydb_open(path, &err)
 *	pdb = unit_policydb_tmp(dir, path, size)	mkdtemp(dir), then
 *			policy.db in it; NULL (a failed case said) when it
 *			cannot be opened
 *
 * tests/run runs a unit test whose source names STSD_TEST_PGCONNINFO
 * twice: on SQLite, and with STSD_TEST_PGCONNINFO set to a PostgreSQL
 * database of its own (tests/pg.sh).  unit_policydb_open() opens
 * policy.db's tables in that database when it is set, else the SQLite
 * file at path.  Included by one source file of each test program,
 * after tests/unit.h.
 */
#ifndef STS_UNIT_POLICYDB_H
#define STS_UNIT_POLICYDB_H

#include <stdlib.h>

#include "buf.h"
#include "policydb.h"
#include "sqldb.h"

static struct policydb *
unit_policydb_open(const char *path, struct buf *err)
{
	struct sqldb_target t = { SQLDB_POSTGRESQL, POLICYDB_FILE, NULL,
	    getenv("STSD_TEST_PGCONNINFO"), NULL };

	if (t.conninfo == NULL)
		return policydb_open(path, err);
	return policydb_connect(&t, err);
}

static struct policydb *unit_policydb_tmp(char *, char *, size_t)
    __attribute__((unused));

static struct policydb *
unit_policydb_tmp(char *dir, char *path, size_t size)
{
	struct buf err = BUF_INIT;
	struct policydb *pdb;

	unit_tmppath(dir, path, size, POLICYDB_FILE);
	if ((pdb = unit_policydb_open(path, &err)) == NULL)
		CHECK(0, "open %s: %s", path, err.s);
	buf_free(&err);
	return pdb;
}

#endif
