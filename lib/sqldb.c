/*
 * sqldb - the storage engines' interface, and its SQLite side over
 * lib/db; see sqldb.h.  PostgreSQL is in sqldb_pg.c.
 * SPDX-License-Identifier: ISC
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sqlite3.h>

#include "db.h"
#include "log.h"
#include "mymalloc.h"
#include "sqldb.h"
#include "sqldb_engine.h"

static const char *const sqldb_engine_names[] = {
	[SQLDB_SQLITE] = "sqlite",
	[SQLDB_POSTGRESQL] = "postgresql",
};

int
sqldb_engine_parse(const char *s, enum sqldb_engine *e)
{
	if (strcmp(s, "sqlite") == 0)
		*e = SQLDB_SQLITE;
	else if (strcmp(s, "postgresql") == 0)
		*e = SQLDB_POSTGRESQL;
	else
		return -1;
	return 0;
}

const char *
sqldb_engine_name(enum sqldb_engine e)
{
	return sqldb_engine_names[e];
}

int
sqldb_engine_built(enum sqldb_engine e)
{
#ifdef HAVE_LIBPQ
	return 1;
#else
	return e == SQLDB_SQLITE;
#endif
}

/* lib/db's table of the SQLite texts: db_open() applies them. */
static struct db_migration *
sqldb_lite_migrations(const struct sqldb_migration *m)
{
	struct db_migration *v;
	size_t n = 0, i;

	while (m[n].sql != NULL)
		n++;
	v = xcalloc(n + 1, sizeof(*v));
	for (i = 0; i < n; i++) {
		v[i].version = m[i].version;
		v[i].sql = m[i].sql;
	}
	return v;
}

/* sqldb_open() and sqldb_open_read(): mode DB_WRITE or DB_READ. */
static struct sqldb *
sqldb_open_mode(const struct sqldb_target *t,
    const struct sqldb_migration *m, int mode, struct buf *err)
{
	struct sqldb *db = xcalloc(1, sizeof(*db));
	struct db_migration *lite;

	db->engine = t->engine;
	db->key = xstrdup(t->name);
	if (t->engine == SQLDB_SQLITE) {
		lite = sqldb_lite_migrations(m);
		db->lite = db_open(t->path, mode, lite, err);
		free(lite);
		db->name = xstrdup(t->path);
		if (db->lite != NULL)
			return db;
	} else if ((mode == DB_WRITE ? sqldb_pg_open(db, t, m, err) :
	    sqldb_pg_open_read(db, t, m, err)) == 0)
		return db;
	free(db->name);
	free(db->key);
	free(db);
	return NULL;
}

struct sqldb *
sqldb_open(const struct sqldb_target *t, const struct sqldb_migration *m,
    struct buf *err)
{
	return sqldb_open_mode(t, m, DB_WRITE, err);
}

struct sqldb *
sqldb_open_read(const struct sqldb_target *t, const struct sqldb_migration *m,
    struct buf *err)
{
	return sqldb_open_mode(t, m, DB_READ, err);
}

int
sqldb_check(const struct sqldb_target *t, struct buf *err)
{
	struct sqldb db;
	int rc;

	if (t->engine == SQLDB_SQLITE)
		return 0;
	memset(&db, 0, sizeof(db));
	db.engine = t->engine;
	rc = sqldb_pg_check(&db, t, err);
	free(db.name);
	return rc;
}

static void
sqldb_stmt_free(struct sqldb_stmt *st)
{
	if (st->lite != NULL)
		sqlite3_finalize(st->lite);
	if (st->pg != NULL)
		sqldb_pg_stmt_free(st);
	free(st->sql);
	free(st);
}

void
sqldb_close(struct sqldb *db)
{
	int i;

	if (db == NULL)
		return;
	for (i = 0; i < db->ncache; i++)
		sqldb_stmt_free(db->cache[i]);
	if (db->lite != NULL)
		db_close(db->lite);
	else
		sqldb_pg_close(db);
	free(db->name);
	free(db->key);
	free(db);
}

enum sqldb_engine
sqldb_engine(const struct sqldb *db)
{
	return db->engine;
}

const char *
sqldb_name(const struct sqldb *db)
{
	return db->name;
}

sqlite3 *
sqldb_sqlite(struct sqldb *db)
{
	return db->lite;
}

int
sqldb_schema_version(struct sqldb *db)
{
	if (db->lite != NULL)
		return db_schema_version(db->lite);
	return sqldb_pg_schema_version(db);
}

int
sqldb_exec(struct sqldb *db, const char *sql, struct buf *err)
{
	if (db->lite != NULL)
		return db_exec(db->lite, sql, err);
	return sqldb_pg_exec(db, sql, err);
}

long long
sqldb_changes(struct sqldb *db)
{
	if (db->lite != NULL)
		return sqlite3_changes(db->lite);
	return sqldb_pg_changes(db);
}

long long
sqldb_last_id(struct sqldb *db)
{
	return db->lite != NULL ? sqlite3_last_insert_rowid(db->lite) : -1;
}

int
sqldb_lost(struct sqldb *db)
{
	return db->lite == NULL && sqldb_pg_lost(db);
}

int
sqldb_stmt_lost(struct sqldb_stmt *st)
{
	return sqldb_lost(st->db);
}

int
sqldb_begin(struct sqldb *db, struct buf *err)
{
	return sqldb_exec(db, db->lite != NULL ? "BEGIN IMMEDIATE" : "BEGIN",
	    err);
}

int
sqldb_commit(struct sqldb *db, struct buf *err)
{
	if (db->lite != NULL)
		return db_commit(db->lite, err);
	return sqldb_pg_commit(db, err);
}

void
sqldb_rollback(struct sqldb *db)
{
	struct buf err = BUF_INIT;

	sqldb_exec(db, "ROLLBACK", &err);
	buf_free(&err);
}

int
sqldb_savepoint(struct sqldb *db, struct buf *err)
{
	return sqldb_exec(db, "SAVEPOINT " SQLDB_SAVEPOINT, err);
}

int
sqldb_release(struct sqldb *db, struct buf *err)
{
	return sqldb_exec(db, "RELEASE " SQLDB_SAVEPOINT, err);
}

void
sqldb_rollback_to(struct sqldb *db)
{
	struct buf err = BUF_INIT;

	sqldb_exec(db, "ROLLBACK TO " SQLDB_SAVEPOINT "; RELEASE "
	    SQLDB_SAVEPOINT, &err);
	buf_free(&err);
}

/*
 * Statements.
 */
static struct sqldb_stmt *
sqldb_stmt_new(struct sqldb *db, const char *sql, int cached, int rows)
{
	struct sqldb_stmt *st = xcalloc(1, sizeof(*st));

	st->db = db;
	st->key = sql;
	st->sql = xstrdup(sql);
	st->cached = cached;
	st->busy = 1;
	st->rows = rows;
	if (db->lite == NULL) {
		sqldb_pg_stmt_new(st);
		return st;
	}
	if (sqlite3_prepare_v3(db->lite, sql, -1, cached ?
	    SQLITE_PREPARE_PERSISTENT : 0, &st->lite, NULL) != SQLITE_OK)
		log_panic("sqldb: %s: %s", sql, sqlite3_errmsg(db->lite));
	return st;
}

/*
 * The kept statement of this text: the same pointer first (a string
 * literal, as the storage modules give), then an equal text.  A pointer
 * may have been freed and reused for another text: it is compared too.
 */
static struct sqldb_stmt *
sqldb_cache_find(struct sqldb *db, const char *sql)
{
	int i;

	for (i = 0; i < db->ncache; i++)
		if (db->cache[i]->key == sql && strcmp(db->cache[i]->sql,
		    sql) == 0)
			return db->cache[i];
	for (i = 0; i < db->ncache; i++)
		if (strcmp(db->cache[i]->sql, sql) == 0)
			return db->cache[i];
	return NULL;
}

static struct sqldb_stmt *
sqldb_get(struct sqldb *db, const char *sql, int rows)
{
	struct sqldb_stmt *st = sqldb_cache_find(db, sql);

	if (st != NULL && !st->busy) {
		st->busy = 1;
		return st;
	}
	if (st != NULL || db->ncache == SQLDB_CACHE_MAX)
		return sqldb_stmt_new(db, sql, 0, rows);
	st = sqldb_stmt_new(db, sql, 1, rows);
	db->cache[db->ncache++] = st;
	return st;
}

struct sqldb_stmt *
sqldb_cached(struct sqldb *db, const char *sql)
{
	return sqldb_get(db, sql, 0);
}

struct sqldb_stmt *
sqldb_cached_rows(struct sqldb *db, const char *sql)
{
	return sqldb_get(db, sql, 1);
}

void
sqldb_bind_int64(struct sqldb_stmt *st, int i, long long v)
{
	char *b;

	if (st->lite != NULL) {
		sqlite3_bind_int64(st->lite, i, v);
		return;
	}
	b = sqldb_pg_int_buf(st, i);
	snprintf(b, SQLDB_INT_LEN, "%lld", v);
	sqldb_pg_bind(st, i, b);
}

void
sqldb_bind_text(struct sqldb_stmt *st, int i, const char *s)
{
	if (st->lite != NULL)
		sqlite3_bind_text(st->lite, i, s, -1, SQLITE_STATIC);
	else
		sqldb_pg_bind(st, i, s);
}

void
sqldb_bind_null(struct sqldb_stmt *st, int i)
{
	if (st->lite != NULL)
		sqlite3_bind_null(st->lite, i);
	else
		sqldb_pg_bind(st, i, NULL);
}

void
sqldb_bind_opt(struct sqldb_stmt *st, int i, const char *s)
{
	if (s != NULL)
		sqldb_bind_text(st, i, s);
	else
		sqldb_bind_null(st, i);
}

int
sqldb_step(struct sqldb_stmt *st)
{
	int rc;

	if (st->lite == NULL)
		return sqldb_pg_step(st);
	rc = sqlite3_step(st->lite);
	return rc == SQLITE_ROW ? SQLDB_ROW : rc == SQLITE_DONE ? SQLDB_DONE :
	    -1;
}

const char *
sqldb_errmsg(struct sqldb_stmt *st)
{
	return st->lite != NULL ? sqlite3_errmsg(st->db->lite) :
	    sqldb_pg_error(st);
}

int
sqldb_step_error(struct sqldb_stmt *st, const char *what, struct buf *err)
{
	buf_printf(err, "%s: %s: %s", st->db->name, what, st->lite != NULL ?
	    sqlite3_errmsg(st->db->lite) : sqldb_pg_error(st));
	sqldb_finish(st);
	return -1;
}

int
sqldb_step_done(struct sqldb_stmt *st, const char *what, struct buf *err)
{
	if (sqldb_step(st) != SQLDB_DONE)
		return sqldb_step_error(st, what, err);
	sqldb_finish(st);
	return 0;
}

int
sqldb_step_row(struct sqldb_stmt *st, const char *what, struct buf *err)
{
	int rc = sqldb_step(st);

	if (rc == SQLDB_ROW)
		return 1;
	if (rc != SQLDB_DONE)
		return sqldb_step_error(st, what, err);
	sqldb_finish(st);
	return 0;
}

int
sqldb_step_id(struct sqldb_stmt *st, const char *what, long long *id,
    struct buf *err)
{
	int rc;

	if ((rc = sqldb_step_row(st, what, err)) <= 0)
		return rc;
	*id = sqldb_int(st, 0);
	if (sqldb_step(st) != SQLDB_DONE)
		return sqldb_step_error(st, what, err);
	sqldb_finish(st);
	return 1;
}

int
sqldb_null(struct sqldb_stmt *st, int col)
{
	if (st->lite != NULL)
		return sqlite3_column_type(st->lite, col) == SQLITE_NULL;
	return sqldb_pg_value(st, col) == NULL;
}

long long
sqldb_int(struct sqldb_stmt *st, int col)
{
	const char *s;

	if (st->lite != NULL)
		return sqlite3_column_int64(st->lite, col);
	s = sqldb_pg_value(st, col);
	return s != NULL ? strtoll(s, NULL, 10) : 0;
}

double
sqldb_double(struct sqldb_stmt *st, int col)
{
	const char *s;

	if (st->lite != NULL)
		return sqlite3_column_double(st->lite, col);
	s = sqldb_pg_value(st, col);
	return s != NULL ? strtod(s, NULL) : 0;
}

int
sqldb_params(struct sqldb_stmt *st)
{
	if (st->lite != NULL)
		return sqlite3_bind_parameter_count(st->lite);
	return sqldb_pg_params(st);
}

int
sqldb_columns(struct sqldb_stmt *st)
{
	if (st->lite != NULL)
		return sqlite3_column_count(st->lite);
	return sqldb_pg_columns(st);
}

int
sqldb_lite_type(struct sqldb_stmt *st, int col)
{
	return st->lite != NULL ? sqlite3_column_type(st->lite, col) : 0;
}

const char *
sqldb_text(struct sqldb_stmt *st, int col)
{
	if (st->lite != NULL)
		return (const char *)sqlite3_column_text(st->lite, col);
	return sqldb_pg_value(st, col);
}

void
sqldb_reset(struct sqldb_stmt *st)
{
	if (st->lite != NULL)
		sqlite3_reset(st->lite);
	else
		sqldb_pg_reset(st);
}

void
sqldb_finish(struct sqldb_stmt *st)
{
	if (!st->cached) {
		if (st->lite == NULL)
			sqldb_pg_reset(st);
		sqldb_stmt_free(st);
		return;
	}
	if (st->lite != NULL) {
		sqlite3_reset(st->lite);
		sqlite3_clear_bindings(st->lite);
	} else
		sqldb_pg_reset(st);
	st->busy = 0;
}
