/*
 * sqldb_test - lib/sqldb on the engine of the run (SQLite in a temporary
 * directory, or the PostgreSQL database of STSD_TEST_PGCONNINFO, given by
 * tests/run): numbered parameters, 64-bit integers, NULL, text, changes,
 * errors, transactions and the savepoint, a table read a row at a time
 * and left in the middle, more statements than the cache keeps; on
 * PostgreSQL also a schema newer than the program, a database whose
 * collation is not C, a bad conninfo and a connection lost; LISTEN/NOTIFY
 * (a notification arrives at COMMIT, never after a rollback, with the
 * sender's backend pid; a payload too long; a listener lost), which on
 * SQLite does nothing.
 * SPDX-License-Identifier: ISC
 */
#include "config.h"

#include <limits.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "log.h"
#include "mymalloc.h"
#include "sqldb.h"
#include "unit.h"

#define TEST_ROWS	2500	/* read a row at a time */
#define TEST_STMTS	(SQLDB_CACHE_MAX + 40)
#define ERRS(b)		((b).s ? (b).s : "")	/* err for %s */
/* CHECK whose message shows err as cond left it. */
#define CHECK_ERR(cond, ...) do { \
	int ok_ = (cond); \
	CHECK(ok_, __VA_ARGS__); \
} while (0)

static const struct sqldb_migration test_schema[] = {
	{ 1, "CREATE TABLE t (k TEXT PRIMARY KEY NOT NULL, n INTEGER,"
	    " s TEXT);", NULL },
	{ 2, "CREATE TABLE seq (id INTEGER PRIMARY KEY AUTOINCREMENT,"
	    " v INTEGER NOT NULL);", NULL },
	{ 0, NULL, NULL }
};

static const char *conninfo;	/* NULL: SQLite */
static char path[256];

static struct sqldb *
test_open(const char *info, struct buf *err)
{
	struct sqldb_target t = { SQLDB_SQLITE, "sqldb_test", path, NULL,
	    NULL };

	if (info != NULL) {
		t.engine = SQLDB_POSTGRESQL;
		t.conninfo = info;
	}
	return sqldb_open(&t, test_schema, err);
}

static long long
test_count(struct sqldb *db, const char *where)
{
	char *sql = xasprintf("SELECT COUNT(*) FROM t WHERE %s", where);
	struct sqldb_stmt *st = sqldb_cached(db, sql);
	long long n = -1;

	if (sqldb_step(st) == SQLDB_ROW)
		n = sqldb_int(st, 0);
	sqldb_finish(st);
	free(sql);
	return n;
}

static int
test_put(struct sqldb *db, const char *k, long long n, const char *s,
    struct buf *err)
{
	struct sqldb_stmt *st = sqldb_cached(db, "INSERT INTO t (k, n, s)"
	    " VALUES (?, ?, ?)");

	sqldb_bind_text(st, 1, k);
	sqldb_bind_int64(st, 2, n);
	sqldb_bind_opt(st, 3, s);
	return sqldb_step_done(st, "insert t", err);
}

static void
test_values(struct sqldb *db)
{
	static const char odd[] = "it's \"quoted\"\nand \\ \xc3\xa9 ?1 $1";
	struct buf err = BUF_INIT;
	struct sqldb_stmt *st;
	char *got;

	CHECK_ERR(test_put(db, "max", LLONG_MAX, odd, &err) == 0 &&
	    test_put(db, "min", LLONG_MIN, NULL, &err) == 0,
	    "two rows stored (%s)", ERRS(err));
	st = sqldb_cached(db, "SELECT n, s FROM t WHERE k = ?1");
	sqldb_bind_text(st, 1, "max");
	CHECK(sqldb_step_row(st, "read t", &err) == 1 &&
	    sqldb_int(st, 0) == LLONG_MAX && STR_EQ(sqldb_text(st, 1), odd) &&
	    !sqldb_null(st, 1), "the largest int64 and an odd text read back");
	sqldb_finish(st);
	st = sqldb_cached(db, "SELECT n, s FROM t WHERE k = ?1");
	sqldb_bind_text(st, 1, "min");
	CHECK(sqldb_step_row(st, "read t", &err) == 1 &&
	    sqldb_int(st, 0) == LLONG_MIN && sqldb_null(st, 1) &&
	    sqldb_text(st, 1) == NULL, "the smallest int64 and a NULL");
	sqldb_finish(st);

	/* ?2 before ?1, a bare ? after them, and a ? that is text. */
	st = sqldb_cached(db, "SELECT ?2 || '?' || ?1 || ?");
	sqldb_bind_text(st, 1, "a");
	sqldb_bind_text(st, 2, "b");
	sqldb_bind_text(st, 3, "c");
	got = sqldb_step_row(st, "concatenate", &err) == 1 ?
	    xstrdup(sqldb_text(st, 0) ? sqldb_text(st, 0) : "(null)") : NULL;
	sqldb_finish(st);
	CHECK(STR_EQ(got, "b?ac"),
	    "?2, ?1, a bare ? (the third) and '?' in a literal: %s",
	    got ? got : "(no row)");
	free(got);

	CHECK_ERR(test_put(db, "max", 1, NULL, &err) < 0 && err.s != NULL &&
	    strstr(err.s, sqldb_name(db)) != NULL &&
	    strstr(err.s, ": insert t: ") != NULL &&
	    (strstr(err.s, "UNIQUE") != NULL ||
	    strstr(err.s, "duplicate key") != NULL),
	    "a second row of a key: the database, what and why in err: %s",
	    ERRS(err));
	buf_reset(&err);
	CHECK(test_count(db, "k = 'max'") == 1,
	    "the connection goes on after the error");

	st = sqldb_cached(db, "UPDATE t SET n = 0 WHERE k IN ('max', 'min')");
	CHECK(sqldb_step_done(st, "update t", &err) == 0 &&
	    sqldb_changes(db) == 2, "changes: the rows an UPDATE changed");
	st = sqldb_cached(db, "INSERT INTO seq (v) VALUES (?) RETURNING id");
	sqldb_bind_int64(st, 1, 7);
	CHECK(sqldb_step_row(st, "insert seq", &err) == 1 &&
	    sqldb_int(st, 0) == 1, "RETURNING gives the new id");
	sqldb_finish(st);
	buf_free(&err);
}

static void
test_transactions(struct sqldb *db)
{
	struct buf err = BUF_INIT;

	CHECK(sqldb_begin(db, &err) == 0 && test_put(db, "gone", 1, NULL,
	    &err) == 0, "a row inside a transaction");
	sqldb_rollback(db);
	CHECK(test_count(db, "k = 'gone'") == 0, "rolled back: not there");

	CHECK(sqldb_begin(db, &err) == 0 && test_put(db, "kept", 1, NULL,
	    &err) == 0 && sqldb_savepoint(db, &err) == 0 &&
	    test_put(db, "undone", 1, NULL, &err) == 0,
	    "two rows, the second after a savepoint");
	sqldb_rollback_to(db);
	CHECK(test_put(db, "kept", 1, NULL, &err) < 0, "a failed statement");
	buf_reset(&err);
	if (sqldb_engine(db) == SQLDB_SQLITE)
		CHECK(sqldb_commit(db, &err) == 0 &&
		    test_count(db, "k = 'kept'") == 1 &&
		    test_count(db, "k = 'undone'") == 0,
		    "SQLite: the savepoint undone, the rest committed");
	else
		CHECK_ERR(sqldb_commit(db, &err) < 0 && err.s != NULL &&
		    strstr(err.s, "rolled back") != NULL &&
		    test_count(db, "k IN ('kept', 'undone')") == 0,
		    "PostgreSQL: a failed statement aborts its transaction,"
		    " and the commit says so: %s", ERRS(err));
	buf_reset(&err);

	CHECK(sqldb_begin(db, &err) == 0 && test_put(db, "third", 1, NULL,
	    &err) == 0 && sqldb_savepoint(db, &err) == 0 &&
	    test_put(db, "third", 2, NULL, &err) < 0,
	    "a failed statement after a savepoint");
	buf_reset(&err);
	sqldb_rollback_to(db);
	CHECK_ERR(test_put(db, "after", 1, NULL, &err) == 0 &&
	    sqldb_commit(db, &err) == 0 && test_count(db,
	    "k IN ('third', 'after')") == 2,
	    "rolled back to the savepoint, the transaction goes on (%s)",
	    ERRS(err));
	buf_free(&err);
}

static void
test_rows(struct sqldb *db)
{
	struct buf err = BUF_INIT;
	struct sqldb_stmt *st;
	char key[32];
	long long i, n = 0, last = -1;
	int ordered = 1;

	sqldb_begin(db, &err);
	for (i = 0; i < TEST_ROWS; i++) {
		snprintf(key, sizeof(key), "r%06lld", i);
		test_put(db, key, i, NULL, &err);
	}
	CHECK(sqldb_commit(db, &err) == 0 &&
	    test_count(db, "k LIKE 'r%'") == TEST_ROWS,
	    "%d rows in one transaction", TEST_ROWS);
	st = sqldb_cached_rows(db, "SELECT n FROM t WHERE k LIKE 'r%'"
	    " ORDER BY k");
	while (sqldb_step(st) == SQLDB_ROW) {
		ordered &= sqldb_int(st, 0) == last + 1;
		last = sqldb_int(st, 0);
		n++;
	}
	sqldb_finish(st);
	CHECK(n == TEST_ROWS && ordered, "read a row at a time, in order");
	st = sqldb_cached_rows(db, "SELECT n FROM t WHERE k LIKE 'r%'"
	    " ORDER BY k");
	for (n = 0; n < 10 && sqldb_step(st) == SQLDB_ROW; n++)
		;
	sqldb_finish(st);
	CHECK(n == 10 && test_count(db, "k LIKE 'r%'") == TEST_ROWS,
	    "left after 10 rows, the next statement runs");
	buf_free(&err);
}

static void
test_cache(struct sqldb *db)
{
	struct sqldb_stmt *st, *inner;
	char *sql;
	int i, right = 0;

	for (i = 0; i < TEST_STMTS; i++) {
		sql = xasprintf("SELECT %d + ?", i);
		st = sqldb_cached(db, sql);
		free(sql);	/* another text may get this address */
		sqldb_bind_int64(st, 1, 1);
		right += sqldb_step(st) == SQLDB_ROW && sqldb_int(st, 0) == i + 1;
		sqldb_finish(st);
	}
	CHECK(right == TEST_STMTS, "%d statements, more than the cache keeps",
	    TEST_STMTS);
	st = sqldb_cached(db, "SELECT COUNT(*) FROM t WHERE n >= ?");
	sqldb_bind_int64(st, 1, 0);
	inner = sqldb_cached(db, "SELECT COUNT(*) FROM t WHERE n >= ?");
	sqldb_bind_int64(inner, 1, TEST_ROWS - 1);
	CHECK(inner != st && sqldb_step(inner) == SQLDB_ROW &&
	    sqldb_int(inner, 0) == 1 && sqldb_step(st) == SQLDB_ROW &&
	    sqldb_int(st, 0) > 1, "the same text twice at once: two statements");
	sqldb_finish(inner);
	sqldb_finish(st);
}

/* LISTEN/NOTIFY: what a listener gets, waiting up to 5 s for it. */
#define TEST_WAIT_MS	5000
#define TEST_CHANNEL	"sqldb_test"

struct test_heard {
	int	 n;
	int	 pid;
	char	 payload[64];
};

static void
test_heard(const char *channel, const char *payload, int pid, void *arg)
{
	struct test_heard *h = arg;

	if (strcmp(channel, TEST_CHANNEL) != 0)
		return;
	h->n++;
	h->pid = pid;
	snprintf(h->payload, sizeof(h->payload), "%s", payload);
}

/* Reads until a notice came or TEST_WAIT_MS passed; -1: lost. */
static int
test_hear(struct sqldb_listener *l, struct test_heard *h, int wait_ms,
    struct buf *err)
{
	struct pollfd p = { sqldb_listener_fd(l), POLLIN, 0 };
	int rc = 0;

	memset(h, 0, sizeof(*h));
	while (h->n == 0 && poll(&p, 1, wait_ms) == 1)
		if ((rc = sqldb_listener_read(l, test_heard, h, err)) < 0)
			return -1;
	return h->n;
}

static void
test_listen(struct sqldb *db)
{
	struct sqldb_target t = { SQLDB_SQLITE, "sqldb_test", path, NULL,
	    NULL };
	struct buf err = BUF_INIT;
	struct sqldb_listener *l;
	struct test_heard h;
	struct sqldb_stmt *st;
	char big[SQLDB_NOTIFY_MAX + 2];

	if (conninfo != NULL) {
		t.engine = SQLDB_POSTGRESQL;
		t.conninfo = conninfo;
	}
	l = sqldb_listen(&t, TEST_CHANNEL, &err);
	CHECK_ERR(l != NULL, "a listener (%s)", ERRS(err));
	if (l == NULL)
		return;
	if (conninfo == NULL) {
		CHECK(sqldb_listener_fd(l) == -1 && sqldb_backend_pid(db) == 0 &&
		    sqldb_notify(db, TEST_CHANNEL, "x", &err) == 0 &&
		    sqldb_listener_read(l, test_heard, &h, &err) == 0,
		    "sqlite: nothing to listen to, notify does nothing");
		sqldb_listener_close(l);
		buf_free(&err);
		return;
	}
	CHECK(sqldb_listener_fd(l) >= 0, "postgresql: a socket to watch");
	CHECK(sqldb_begin(db, &err) == 0 &&
	    sqldb_notify(db, TEST_CHANNEL, "rolled-back", &err) == 0,
	    "a notification in a transaction");
	sqldb_rollback(db);
	CHECK(test_hear(l, &h, 300, &err) == 0, "a rollback sends nothing");
	CHECK(sqldb_begin(db, &err) == 0 &&
	    sqldb_notify(db, TEST_CHANNEL, "example.com", &err) == 0,
	    "another");
	CHECK(test_hear(l, &h, 300, &err) == 0, "nothing before the commit");
	CHECK(sqldb_commit(db, &err) == 0, "commit");
	CHECK(test_hear(l, &h, TEST_WAIT_MS, &err) == 1 &&
	    strcmp(h.payload, "example.com") == 0 &&
	    h.pid == sqldb_backend_pid(db) && h.pid > 0,
	    "the commit delivers it, with the sender's pid (%d, %d): \"%s\"",
	    h.pid, sqldb_backend_pid(db), h.payload);

	memset(big, 'a', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	CHECK_ERR(sqldb_notify(db, TEST_CHANNEL, big, &err) < 0 &&
	    err.s != NULL && strstr(err.s, "a payload of 8000 bytes, more"
	    " than 7999") != NULL, "a payload too long: %s", ERRS(err));
	buf_reset(&err);

	/* The server ends the listener's connection. */
	st = sqldb_cached(db, "SELECT pg_terminate_backend(pid) FROM"
	    " pg_stat_activity WHERE query LIKE 'LISTEN " TEST_CHANNEL "'");
	CHECK(sqldb_step_row(st, "terminate", &err) == 1, "ends the listener");
	sqldb_finish(st);
	CHECK_ERR(test_hear(l, &h, TEST_WAIT_MS, &err) < 0 && err.s != NULL &&
	    strstr(err.s, ": listen: the connection to the server was lost")
	    != NULL, "the listener says it is lost: %s", ERRS(err));
	sqldb_listener_close(l);
	buf_free(&err);
}

/* conninfo with another database name (libpq: the last one counts). */
static char *
test_other_db(const char *name)
{
	return xasprintf("%s dbname=%s", conninfo, name);
}

static void
test_pg_only(struct sqldb *db)
{
	struct buf err = BUF_INIT;
	struct sqldb *other;
	struct sqldb_stmt *st;
	char *info;
	long long pid = 0;

	CHECK_ERR(sqldb_exec(db, "UPDATE sqldb_schema SET version = 9"
	    " WHERE name = 'sqldb_test'", &err) == 0 &&
	    test_open(conninfo, &err) == NULL && err.s != NULL &&
	    strstr(err.s, "schema version 9 of sqldb_test, this program uses"
	    " 2 (this program is older than the database)") != NULL,
	    "a schema newer than the program is refused: %s", ERRS(err));
	buf_reset(&err);
	sqldb_exec(db, "UPDATE sqldb_schema SET version = 2"
	    " WHERE name = 'sqldb_test'", &err);

	sqldb_exec(db, "DROP DATABASE IF EXISTS sqldb_test_utf8", &err);
	CHECK_ERR(sqldb_exec(db, "CREATE DATABASE sqldb_test_utf8 TEMPLATE"
	    " template0 ENCODING 'UTF8' LOCALE 'C.utf8'", &err) == 0,
	    "a database with LC_COLLATE C.utf8 (%s)", ERRS(err));
	info = test_other_db("sqldb_test_utf8");
	buf_reset(&err);
	CHECK_ERR(test_open(info, &err) == NULL && err.s != NULL &&
	    strstr(err.s, "collation C.utf8, encoding UTF8: stsd needs"
	    " LC_COLLATE C") != NULL, "is refused: %s", ERRS(err));
	free(info);
	buf_reset(&err);
	sqldb_exec(db, "DROP DATABASE sqldb_test_utf8", &err);

	CHECK_ERR(test_open("host=/nonexistent dbname=x", &err) == NULL &&
	    err.s != NULL && strstr(err.s, "postgresql: cannot connect: ") !=
	    NULL, "an unreachable server: %s", ERRS(err));
	buf_reset(&err);

	/* Another connection ends this one, inside a transaction. */
	st = sqldb_cached(db, "SELECT pg_backend_pid()");
	if (sqldb_step(st) == SQLDB_ROW)
		pid = sqldb_int(st, 0);
	sqldb_finish(st);
	other = test_open(conninfo, &err);
	CHECK(other != NULL && sqldb_begin(db, &err) == 0 &&
	    test_put(db, "lost", 1, NULL, &err) == 0, "a transaction");
	st = sqldb_cached(other, "SELECT pg_terminate_backend(?)");
	sqldb_bind_int64(st, 1, pid);
	CHECK(sqldb_step_row(st, "terminate", &err) == 1, "the server ends"
	    " the connection");
	sqldb_finish(st);
	CHECK_ERR(sqldb_commit(db, &err) < 0 && err.s != NULL &&
	    strstr(err.s, "the connection to the server was lost") != NULL,
	    "the commit says the connection was lost: %s", ERRS(err));
	buf_reset(&err);
	CHECK_ERR(test_put(db, "lost", 1, NULL, &err) < 0 && err.s != NULL &&
	    strstr(err.s, ": insert t: the connection to the server was"
	    " lost") != NULL, "so does the next statement: %s", ERRS(err));
	CHECK(test_count(other, "k = 'lost'") == 0,
	    "what the transaction did is gone");
	CHECK(sqldb_lost(db) && !sqldb_lost(other), "sqldb_lost() says which"
	    " connection is gone");
	st = sqldb_cached(db, "SELECT 1");
	CHECK(sqldb_step(st) < 0 && sqldb_stmt_lost(st), "a statement of it"
	    " fails, and sqldb_stmt_lost() says why");
	sqldb_finish(st);
	st = sqldb_cached(other, "SELECT 1");
	CHECK(sqldb_stmt_lost(st) == 0, "... not of the other one");
	sqldb_finish(st);
	sqldb_close(other);
	buf_free(&err);
}

int
main(void)
{
	char dir[] = "/tmp/sqldb_test.XXXXXX";
	struct buf err = BUF_INIT;
	struct sqldb *db;

	log_init("sqldb_test", 0);
	conninfo = getenv("STSD_TEST_PGCONNINFO");
	unit_tmppath(dir, path, sizeof(path), "test.db");
	db = test_open(conninfo, &err);
	CHECK_ERR(db != NULL && sqldb_schema_version(db) == 2,
	    "%s: schema version 2 (%s)", conninfo ? "postgresql" : "sqlite",
	    ERRS(err));
	if (db == NULL)
		return unit_status_rm(dir);
	CHECK(sqldb_engine(db) == (conninfo ? SQLDB_POSTGRESQL : SQLDB_SQLITE) &&
	    !sqldb_lost(db), "the engine of the target, connected");
	test_values(db);
	test_transactions(db);
	test_rows(db);
	test_cache(db);
	sqldb_close(db);
	db = test_open(conninfo, &err);
	CHECK(db != NULL && sqldb_schema_version(db) == 2 &&
	    test_count(db, "k LIKE 'r%'") == TEST_ROWS,
	    "opened again: the same version and rows");
	if (db != NULL)
		test_listen(db);
	if (db != NULL && conninfo != NULL)
		test_pg_only(db);
	sqldb_close(db);
	buf_free(&err);
	return unit_status_rm(dir);
}
