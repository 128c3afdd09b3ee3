/*
 * unit_rptdb.h - the reports.db of a unit test, on the engine of the run.
 * SPDX-License-Identifier: ISC
 *
 *	w = unit_rptdb_open_write(path, group, cache, &err)	rptparse's
 *	rd = unit_rptdb_open(path, &err)			a reader's
 *	unit_rptdb_unlink(path)		a new reports.db for the next case
 *	unit_rptdb_pg()			1 on PostgreSQL
 *
 * tests/run runs a unit test whose source names STSD_TEST_PGCONNINFO
 * twice: on SQLite, and with STSD_TEST_PGCONNINFO set to a PostgreSQL
 * database of its own (tests/pg.sh).  These open reports.db's tables in
 * that database when it is set, else the SQLite file at path;
 * unit_rptdb_unlink() drops the tables there (and reports.db's schema
 * version), as removing the file does on SQLite.  Included by one source
 * file of each test program, after tests/unit.h and lib/rptdb_sql.h.
 */
#ifndef STS_UNIT_RPTDB_H
#define STS_UNIT_RPTDB_H

#include <stdlib.h>

#include "buf.h"
#include "rptdb.h"
#include "rptdb_sql.h"
#include "sqldb.h"

static int
unit_rptdb_pg(void)
{
	return getenv("STSD_TEST_PGCONNINFO") != NULL;
}

static void
unit_rptdb_target(struct sqldb_target *t, const char *path)
{
	t->engine = unit_rptdb_pg() ? SQLDB_POSTGRESQL : SQLDB_SQLITE;
	t->name = RPTDB_FILE;
	t->path = path;
	t->conninfo = getenv("STSD_TEST_PGCONNINFO");
	t->password = NULL;
}

static struct rptdb *unit_rptdb_open_write(const char *, const char *,
    size_t, struct buf *) __attribute__((unused));

static struct rptdb *
unit_rptdb_open_write(const char *path, const char *group, size_t cache,
    struct buf *err)
{
	struct sqldb_target t;

	unit_rptdb_target(&t, path);
	return rptdb_connect_write(&t, group, cache, err);
}

static struct rptdb *unit_rptdb_open(const char *, struct buf *)
    __attribute__((unused));

static struct rptdb *
unit_rptdb_open(const char *path, struct buf *err)
{
	struct sqldb_target t;

	unit_rptdb_target(&t, path);
	return rptdb_connect(&t, err);
}

static void unit_rptdb_unlink(const char *) __attribute__((unused));

static void
unit_rptdb_unlink(const char *path)
{
	struct buf err = BUF_INIT;
	struct rptdb *w;

	if (!unit_rptdb_pg()) {
		unit_unlink_db(path);
		return;
	}
	if ((w = unit_rptdb_open_write(path, NULL, 0, &err)) == NULL ||
	    sqldb_exec(w->db, "DROP TABLE reports, policies, failures,"
	    " deviations, totals, domain_policies, domain_failures, reporters"
	    " CASCADE; DROP AGGREGATE total(bigint);"
	    " DROP FUNCTION rptdb_total_add(numeric, bigint);"
	    " DELETE FROM " SQLDB_SCHEMA_TABLE " WHERE name = '"
	    RPTDB_FILE "'", &err) < 0)
		printf("# drop reports.db's tables: %s\n", err.s);
	rptdb_close(w);
	buf_free(&err);
}

#endif
