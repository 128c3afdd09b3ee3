/*
 * db_test - schema versions and migrations of lib/db.
 * SPDX-License-Identifier: ISC
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "buf.h"
#include "db.h"
#include "log.h"
#include "unit.h"

static const struct db_migration v1[] = {
	{ 1, "CREATE TABLE t (a INTEGER);" },
	{ 0, NULL }
};
static const struct db_migration v2[] = {
	{ 1, "CREATE TABLE t (a INTEGER);" },
	{ 2, "ALTER TABLE t ADD COLUMN b TEXT; INSERT INTO t VALUES (1, 'x');" },
	{ 0, NULL }
};
static const struct db_migration bad[] = {
	{ 1, "CREATE TABLE t (a INTEGER);" },
	{ 2, "ALTER TABLE t ADD COLUMN b TEXT;" },
	{ 3, "CREATE TABLE u (x); INSERT INTO nosuch VALUES (1);" },
	{ 0, NULL }
};

/* Overwrites len bytes at off of path with 0xa5. */
static void
scribble(const char *path, long off, size_t len)
{
	FILE *fp = fopen(path, "r+");
	size_t i;

	if (fp == NULL || fseek(fp, off, SEEK_SET) != 0)
		exit(1);
	for (i = 0; i < len; i++)
		fputc(0xa5, fp);
	fclose(fp);
}

/*
 * db_share: the database and its WAL files get the mode, and the WAL
 * files stay after the writer closes, for readers that may not make them.
 */
static void
test_share(const char *dir)
{
	struct buf err = BUF_INIT;
	char path[256], wal[300];
	struct stat st;
	sqlite3 *db;

	snprintf(path, sizeof(path), "%s/share.db", dir);
	snprintf(wal, sizeof(wal), "%s-wal", path);
	db = db_open(path, DB_WRITE, v1, &err);
	CHECK(db != NULL, "a database to share");
	if (db == NULL)
		return;
	db_share(db, path, 0640, NULL);
	CHECK(stat(path, &st) == 0 && (st.st_mode & 07777) == 0640,
	    "db_share: the database is mode 0640");
	CHECK(stat(wal, &st) == 0 && (st.st_mode & 07777) == 0640,
	    "db_share: its -wal file too");
	db_share(db, path, 0640, "nosuchgroup.x");
	CHECK(stat(path, &st) == 0 && (st.st_mode & 07777) == 0640,
	    "db_share: a group that does not exist is a warning only");
	db_close(db);
	CHECK(stat(wal, &st) == 0, "db_share: the -wal file stays after close");
	unlink(wal);
	snprintf(wal, sizeof(wal), "%s-shm", path);
	unlink(wal);
	unlink(path);
	buf_free(&err);
}

/* PRAGMA quick_check: a good file, a broken page, not a database. */
static void
test_quick_check(const char *dir)
{
	static const struct db_migration many[] = {
		{ 1, "CREATE TABLE t (a INTEGER PRIMARY KEY, b TEXT);"
		    "CREATE INDEX tb ON t (b);"
		    "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 "
		    "FROM n WHERE i < 2000) INSERT INTO t SELECT i, "
		    "printf('%0100d', i) FROM n;" },
		{ 0, NULL }
	};
	struct buf err = BUF_INIT;
	char path[256];
	sqlite3 *db;

	snprintf(path, sizeof(path), "%s/check.db", dir);
	db = db_open(path, DB_WRITE, many, &err);
	CHECK(db != NULL, "a database of several pages");
	db_exec(db, "PRAGMA wal_checkpoint(TRUNCATE);", &err);
	db_close(db);
	CHECK(db_quick_check(path, 5000, &err) == 0 && err.len == 0,
	    "quick_check of a good database: 0, nothing said");
	scribble(path, 3 * 4096 + 200, 2000);
	CHECK(db_quick_check(path, 5000, &err) < 0, "a broken page: -1");
	CHECK(err.s != NULL && strncmp(err.s, path, strlen(path)) == 0 &&
	    strstr(err.s, ": PRAGMA quick_check: ") != NULL,
	    "names the file and the check: %s", err.s ? err.s : "");
	buf_reset(&err);
	scribble(path, 0, 100);
	CHECK(db_quick_check(path, 5000, &err) < 0 &&
	    strstr(err.s, "file is not a database") != NULL,
	    "a file that is not a database: %s", err.s ? err.s : "");
	buf_free(&err);
}

static int
count_rows(sqlite3 *db)
{
	sqlite3_stmt *st = db_prepare(db, "SELECT count(*) FROM t");
	int n = sqlite3_step(st) == SQLITE_ROW ? sqlite3_column_int(st, 0) : -1;

	sqlite3_finalize(st);
	return n;
}

/* A savepoint undoes one item of a batch and keeps the others. */
static void
test_savepoint(const char *dir)
{
	struct buf err = BUF_INIT;
	char path[256];
	sqlite3 *db;

	snprintf(path, sizeof(path), "%s/sp.db", dir);
	db = db_open(path, DB_WRITE, v1, &err);
	CHECK(db != NULL && db_begin(db, &err) == 0, "a transaction");
	CHECK(db_savepoint(db, &err) == 0 &&
	    db_exec(db, "INSERT INTO t VALUES (1)", &err) == 0 &&
	    db_release(db, &err) == 0, "item 1 kept");
	CHECK(db_savepoint(db, &err) == 0 &&
	    db_exec(db, "INSERT INTO t VALUES (2)", &err) == 0, "item 2");
	db_rollback_to(db);
	CHECK(db_savepoint(db, &err) == 0 &&
	    db_exec(db, "INSERT INTO t VALUES (3)", &err) == 0 &&
	    db_release(db, &err) == 0, "item 3 kept after item 2 undone");
	CHECK(db_commit(db, &err) == 0, "the transaction commits");
	CHECK(count_rows(db) == 2, "items 1 and 3 stored, item 2 not");
	db_close(db);
	buf_free(&err);
}

/* The statement cache: compiled once, reset between uses, never shared. */
static void
test_cached(const char *dir)
{
	struct buf err = BUF_INIT;
	sqlite3_stmt *a, *b, *c;
	char path[256], sql[64];
	sqlite3 *db;
	int i, good;

	snprintf(path, sizeof(path), "%s/cache.db", dir);
	db = db_open(path, DB_WRITE, v1, &err);
	a = db_cached(db, "INSERT INTO t VALUES (?)");
	sqlite3_bind_int(a, 1, 7);
	CHECK(db_step_done(db, a, "insert", &err) == 0, "a cached insert runs");
	/* The same text from another buffer finds the same statement. */
	snprintf(sql, sizeof(sql), "INSERT INTO t VALUES (?)");
	b = db_cached(db, sql);
	CHECK(b == a, "the same text gets the statement prepared before");
	CHECK(sqlite3_bind_parameter_count(b) == 1 && sqlite3_step(b) ==
	    SQLITE_DONE, "with its bindings cleared (NULL inserted)");
	c = db_cached(db, sql);
	CHECK(c != b, "a statement still in use is not handed out again");
	db_finish(c);
	db_finish(b);
	a = db_cached(db, "SELECT a FROM t ORDER BY a");
	CHECK(sqlite3_step(a) == SQLITE_ROW && sqlite3_column_type(a, 0) ==
	    SQLITE_NULL, "left after one row");
	db_finish(a);
	a = db_cached(db, "SELECT a FROM t ORDER BY a");
	CHECK(sqlite3_step(a) == SQLITE_ROW && sqlite3_column_type(a, 0) ==
	    SQLITE_NULL, "starts from its first row again after db_finish");
	db_finish(a);
	/* More texts than the cache holds: the rest are prepared each time. */
	for (i = good = 0; i < DB_CACHE_MAX + 8; i++) {
		snprintf(sql, sizeof(sql), "SELECT %d", i);
		a = db_cached(db, sql);
		good += sqlite3_step(a) == SQLITE_ROW &&
		    sqlite3_column_int(a, 0) == i;
		db_finish(a);
	}
	CHECK(good == DB_CACHE_MAX + 8, "%d texts in one buffer, each its own"
	    " statement: %d right", DB_CACHE_MAX + 8, good);
	db_close(db);		/* finalizes what it cached (ASan: no leak) */
	db = db_open(path, DB_WRITE, v1, &err);
	a = db_cached(db, "SELECT count(*) FROM t");
	CHECK(sqlite3_step(a) == SQLITE_ROW && sqlite3_column_int(a, 0) == 2,
	    "a new connection prepares its own statements");
	db_finish(a);
	db_close(db);
	buf_free(&err);
}

int
main(void)
{
	char dir[] = "/tmp/db_test.XXXXXX", path[256];
	struct buf err = BUF_INIT;
	struct stat st;
	sqlite3 *db;

	log_init("db_test", 0);
	unit_tmppath(dir, path, sizeof(path), "x.db");

	db = db_open(path, DB_WRITE, v1, &err);
	CHECK(db != NULL && db_schema_version(db) == 1, "new database gets version 1");
	CHECK(stat(path, &st) == 0 && (st.st_mode & 077) == 0, "database file is mode 0600");
	db_close(db);

	buf_reset(&err);
	db = db_open(path, DB_READ, v2, &err);
	CHECK(db == NULL && strstr(err.s, "schema version 1, this program uses 2"),
	    "read-only open of an older schema is refused with both versions");

	buf_reset(&err);
	db = db_open(path, DB_WRITE, v2, &err);
	CHECK(db != NULL && db_schema_version(db) == 2, "writer migrates 1 -> 2");
	db_close(db);

	buf_reset(&err);
	db = db_open(path, DB_READ, v2, &err);
	CHECK(db != NULL, "read-only open of the current schema works");
	db_close(db);

	buf_reset(&err);
	db = db_open(path, DB_WRITE, bad, &err);
	CHECK(db == NULL && strstr(err.s, "no such table: nosuch") &&
	    strstr(err.s, "migration to version 3"),
	    "failed migration is reported with its version");
	buf_reset(&err);
	db = db_open(path, DB_WRITE, v2, &err);
	CHECK(db != NULL && db_schema_version(db) == 2,
	    "failed migration left the database at the previous version");
	{
		sqlite3_stmt *st2 = db_prepare(db,
		    "SELECT count(*) FROM sqlite_master WHERE name = 'u'");
		CHECK(sqlite3_step(st2) == SQLITE_ROW &&
		    sqlite3_column_int(st2, 0) == 0,
		    "failed migration rolled back its other statements");
		sqlite3_finalize(st2);
	}
	buf_reset(&err);
	CHECK(db_step_done(db, db_prepare(db, "INSERT INTO t VALUES (2, 'y')"),
	    "store t", &err) == 0 && err.len == 0,
	    "db_step_done: a statement that ends in one step");
	CHECK(db_step_done(db, db_prepare(db, "SELECT a FROM t"), "store t",
	    &err) < 0 &&
	    strstr(err.s, "x.db: store t: ") != NULL,
	    "db_step_done: one that does not is an error naming the file and"
	    " what: %s", err.s);
	{
		sqlite3_stmt *row = db_prepare(db, "SELECT b FROM t WHERE a = 2");

		buf_reset(&err);
		CHECK(db_step_row(db, row, "read t", &err) == 1 &&
		    strcmp((const char *)sqlite3_column_text(row, 0), "y") == 0,
		    "db_step_row: 1 and the row to read when there is one");
		db_finish(row);
		CHECK(db_step_row(db, db_prepare(db, "SELECT b FROM t WHERE"
		    " a = 99"), "read t", &err) == 0 && err.len == 0,
		    "db_step_row: 0 when there is none");
		CHECK(db_step_row(db, db_prepare(db, "SELECT"
		    " abs(-9223372036854775807 - 1)"), "read t", &err) < 0 &&
		    strstr(err.s, "x.db: read t: integer overflow") != NULL,
		    "db_step_row: an error names the file, what and why: %s",
		    err.s);
	}
	db_close(db);

	buf_reset(&err);
	db = db_open("/nonexistent/dir/x.db", DB_WRITE, v1, &err);
	CHECK(db == NULL && strstr(err.s, "/nonexistent/dir/x.db: "),
	    "unopenable path is named in the error");

	test_quick_check(dir);
	test_savepoint(dir);
	test_cached(dir);
	test_share(dir);

	buf_free(&err);
	return unit_status_rm(dir);
}
