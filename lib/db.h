/*
 * db - SQLite databases with a schema version and migrations.
 * SPDX-License-Identifier: ISC
 *
 * SYNOPSIS
 *	static const struct db_migration m[] = {
 *		{ 1, "CREATE TABLE ...;" },
 *		{ 2, "ALTER TABLE ...;" },
 *		{ 0, NULL }
 *	};
 *	sqlite3 *db = db_open(path, DB_WRITE, m, &err);
 *
 * DESCRIPTION
 *	A database has one owner that writes it (policyd for policy.db,
 *	rptparse for reports.db); commands open it read-only.  db_open()
 *	in DB_WRITE mode creates the file (mode 0600), sets WAL journaling
 *	with synchronous=FULL (a committed transaction survives a crash
 *	or power loss), foreign keys and a busy time-out, and applies every
 *	migration whose version is above PRAGMA user_version, each in its
 *	own transaction, logging each ("schema migrated to version 6 in
 *	65.2 s") and, while one runs, a line every DB_PROGRESS_LOG seconds
 *	("schema migration to version 6: running for 20 s").  In DB_READ
 *	mode it refuses a database whose
 *	schema is older or newer than the last migration, naming both
 *	versions.
 *
 *	db_prepare() of a statement that does not compile is a bug in the
 *	program, not a run-time condition: it panics.  db_step_done() runs
 *	a statement that returns no row (INSERT, UPDATE, DELETE) and
 *	finalizes it: 0, or -1 with the file, what and SQLite's reason in
 *	err (db_step_error()).  db_step_row() runs a statement that looks
 *	up one row: 1 when there is one (the caller reads its columns,
 *	then db_finish()), 0 when there is none and -1 on an error (both
 *	end the statement).
 *
 *	db_cached() is db_prepare() of a statement that is kept, prepared,
 *	for the next call with the same text on the same connection (at
 *	most DB_CACHE_MAX statements in all; beyond, or when the cached
 *	one is still in use, it prepares a new one): a writer's frequent
 *	statements are compiled once instead of once per use.  Every
 *	statement, cached or not, ends with db_finish() (which resets a
 *	cached one and finalizes the others), db_step_done() or
 *	db_step_error(); db_close() finalizes the connection's cached
 *	statements.  The text must be the same for the same statement:
 *	values go in bindings.
 *
 *	db_savepoint() marks a point inside the open transaction (one
 *	level: SAVEPOINT DB_SAVEPOINT); db_release() keeps what was done
 *	since, db_rollback_to() undoes it, and both end the savepoint,
 *	the transaction staying open: one item of a batch that fails
 *	leaves the others of the same transaction alone.
 *
 *	db_share() lets readers that may not write read a database that
 *	a daemon writes: it keeps the WAL files when the last connection
 *	closes (SQLITE_FCNTL_PERSIST_WAL: a reader cannot make them), and
 *	gives the database and its -wal and -shm files the given mode and,
 *	when group names one, that group (stsctl runs with it); what it
 *	cannot do is a warning, never an error.
 *
 *	db_quick_check() opens a database read-only, without migrations,
 *	and runs PRAGMA quick_check, for at most timeout_ms (the busy wait
 *	included); it returns 0 when SQLite answers "ok", -1 with the path
 *	and at most 3 of SQLite's findings (DB_CHECK_SQL) in err otherwise
 *	(a file that is not a database, a malformed page), and 1 when the
 *	time ran out before any finding (said in err).
 */
#ifndef STS_DB_H
#define STS_DB_H

#include <sys/types.h>

#include <sqlite3.h>

#include "buf.h"

#define DB_READ		0
#define DB_WRITE	1

#define DB_BUSY_TIMEOUT_MS	5000
#define DB_CHECK_SQL	"PRAGMA quick_check(3)"	/* findings shown */
#define DB_SAVEPOINT	"sts_item"	/* db_savepoint's name */
#define DB_CACHE_MAX	64	/* statements db_cached keeps, in all */
#define DB_CHECK_STEPS		1000	/* VM steps between clock looks */
#define DB_PROGRESS_STEPS	1000000	/* migration: VM steps between */
#define DB_PROGRESS_LOG		10	/* seconds between its lines */

struct db_migration {
	int	 version;	/* 1, 2, ... in order; 0 ends the table */
	const char *sql;	/* one or more statements */
};

sqlite3 *db_open(const char *path, int mode, const struct db_migration *,
	    struct buf *err);
void	db_close(sqlite3 *);
int	db_schema_version(sqlite3 *);
int	db_exec(sqlite3 *, const char *sql, struct buf *err);
sqlite3_stmt *db_prepare(sqlite3 *, const char *sql);
sqlite3_stmt *db_cached(sqlite3 *, const char *sql);	/* prepared once */
void	db_finish(sqlite3_stmt *);	/* reset if cached, else finalized */
int	db_begin(sqlite3 *, struct buf *err);		/* BEGIN IMMEDIATE */
int	db_commit(sqlite3 *, struct buf *err);
void	db_rollback(sqlite3 *);
int	db_savepoint(sqlite3 *, struct buf *err);	/* inside a transaction */
int	db_release(sqlite3 *, struct buf *err);	/* keeps its changes */
void	db_rollback_to(sqlite3 *);	/* undoes them and releases it */
void	db_share(sqlite3 *, const char *path, mode_t mode, const char *group);
int	db_quick_check(const char *path, int timeout_ms, struct buf *err);
int	db_step_error(sqlite3 *, sqlite3_stmt *, const char *what,
	    struct buf *err);	/* finalizes st, says why in err, -1 */
int	db_step_done(sqlite3 *, sqlite3_stmt *, const char *what,
	    struct buf *err);	/* one step that ends st; finalizes it */
int	db_step_row(sqlite3 *, sqlite3_stmt *, const char *what,
	    struct buf *err);	/* 1: a row to read, 0: none, -1 */

#endif
