/*
 * unit_policydb.h - the policy.db of a unit test, on the engine of the
 * run.
 * SPDX-License-Identifier: ISC
 *
 *	pdb = unit_policydb_open(path, &err)
 *	pdb = unit_policydb_tmp(dir, path, size)	mkdtemp(dir), then
 *			policy.db in it; NULL (a failed case said) when it
 *			cannot be opened
 *	unit_policydb_add(pdb, name, mx, &err)	an active domain in testing
 *			mode with the NULL-ended MX patterns mx: 0, or -1
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
#include <string.h>

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

static int unit_policydb_add(struct policydb *, const char *, char **,
    struct buf *) __attribute__((unused));

static int
unit_policydb_add(struct policydb *pdb, const char *name, char **mx,
    struct buf *err)
{
	struct domain d;

	memset(&d, 0, sizeof(d));
	d.name = (char *)name;
	d.state = DOMAIN_ACTIVE;
	d.mode = (char *)"testing";
	d.mx = mx;
	while (mx[d.nmx] != NULL)
		d.nmx++;
	d.max_age = 86400;
	d.policy_id = (char *)"20261207000000000001";
	d.token = (char *)"token";
	return policydb_domain_insert(pdb, &d, err);
}

#endif
