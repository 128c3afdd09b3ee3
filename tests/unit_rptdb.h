/*
 * unit_rptdb.h - the reports.db of a unit test, on the engine of the run.
 * SPDX-License-Identifier: ISC
 *
 *	w = unit_rptdb_open_write(path, group, cache, &err)	rptparse's
 *	rd = unit_rptdb_open(path, &err)			a reader's
 *	unit_rptdb_unlink(path)		a new reports.db for the next case
 *	unit_rptdb_pg()			1 on PostgreSQL
 *	unit_rptdb_report(w, org, n, start, &meta, txn, hosted, policies,
 *	    &err)	the report "r-N" of organization org (a JSON string's
 *			text) for the UTC day from start, with policies (JSON),
 *			stored with meta (its received and sha256 set here),
 *			in a transaction of its own when txn: what
 *			rptdb_report_add() returns, or -1 with err
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
#include <string.h>
#include <time.h>

#include "buf.h"
#include "rptdb.h"
#include "rptdb_sql.h"
#include "sqldb.h"
#include "tlsrpt.h"

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

static int unit_rptdb_report(struct rptdb *, const char *, int, time_t,
    struct rptdb_meta *, int, rptdb_hosted_fn *, const char *, struct buf *)
    __attribute__((unused));

static int
unit_rptdb_report(struct rptdb *w, const char *org, int n, time_t start,
    struct rptdb_meta *meta, int txn, rptdb_hosted_fn *hosted,
    const char *policies, struct buf *err)
{
	struct tlsrpt_limits lim;
	struct tlsrpt_report *r;
	struct buf json = BUF_INIT;
	char d[16];
	struct tm tm;
	int64_t row;
	int rc = -1;

	gmtime_r(&start, &tm);
	strftime(d, sizeof(d), "%Y-%m-%d", &tm);
	buf_printf(&json, "{\"organization-name\":\"%s\","
	    "\"contact-info\":null,\"date-range\":{\"start-datetime\":"
	    "\"%sT00:00:00Z\",\"end-datetime\":\"%sT23:59:59Z\"},"
	    "\"report-id\":\"r-%d\",\"policies\":[%s]}", org, d, d, n,
	    policies);
	tlsrpt_limits_default(&lim);
	if (tlsrpt_parse(json.s, json.len, &lim, &r, err) == 0) {
		meta->received = start + RPTDB_DAY;
		rptdb_sha256(json.s, json.len, meta->sha256);
		if (!txn || rptdb_begin(w, err) == 0) {
			rc = rptdb_report_add(w, r, meta, hosted, NULL, &row,
			    err);
			if (txn && rc >= 0 && rptdb_commit(w, err) < 0)
				rc = -1;
		}
		tlsrpt_free(r);
	}
	buf_free(&json);
	return rc;
}

#endif
