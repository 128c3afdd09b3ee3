/*
 * sqldb_engine - the inside of lib/sqldb, shared by sqldb.c (the
 * interface and SQLite) and sqldb_pg.c (PostgreSQL) only.
 * SPDX-License-Identifier: ISC
 *
 * SYNOPSIS
 *	struct sqldb, struct sqldb_stmt and the sqldb_pg_*() functions
 *	that sqldb.c calls for a PostgreSQL connection.
 *
 * DESCRIPTION
 *	sqldb_pg.c without libpq (configure --without-postgresql) makes
 *	sqldb_pg_open() fail with the reason and nothing else reachable.
 *
 * LIMITS
 *	Those of sqldb.h.
 *
 * DIAGNOSTICS
 *	None of its own.
 */
#ifndef STS_SQLDB_ENGINE_H
#define STS_SQLDB_ENGINE_H

#include <sqlite3.h>

#include "sqldb.h"

#define SQLDB_INT_LEN	24	/* an int64 as text, with its NUL */

struct sqldb_pg;
struct sqldb_pgstmt;

struct sqldb {
	enum sqldb_engine engine;
	char	*name;		/* the file, or "postgresql database NAME" */
	char	*key;		/* the target's name (schema versions) */
	sqlite3	*lite;			/* SQLite */
	struct sqldb_pg *pg;		/* PostgreSQL */
	struct sqldb_stmt *cache[SQLDB_CACHE_MAX];
	int	 ncache;
};

struct sqldb_stmt {
	struct sqldb *db;
	const char *key;		/* the caller's text, as given */
	char	*sql;			/* a copy of it */
	int	 cached;		/* kept in db->cache */
	int	 busy;			/* handed out, not finished */
	int	 rows;			/* PostgreSQL: single-row mode */
	sqlite3_stmt *lite;		/* SQLite */
	struct sqldb_pgstmt *pg;	/* PostgreSQL */
};

int	sqldb_pg_open(struct sqldb *, const struct sqldb_target *,
	    const struct sqldb_migration *, struct buf *err);
int	sqldb_pg_open_read(struct sqldb *, const struct sqldb_target *,
	    const struct sqldb_migration *, struct buf *err);
void	sqldb_pg_close(struct sqldb *);
int	sqldb_pg_check(struct sqldb *, const struct sqldb_target *,
	    struct buf *err);
int	sqldb_pg_exec(struct sqldb *, const char *sql, struct buf *err);
int	sqldb_pg_commit(struct sqldb *, struct buf *err);
int	sqldb_pg_schema_version(struct sqldb *);
long long sqldb_pg_changes(struct sqldb *);
int	sqldb_pg_lost(struct sqldb *);
int	sqldb_pg_connect_only(struct sqldb *, const struct sqldb_target *,
	    struct buf *err);	/* sqldb_listen(): no migration */
int	sqldb_pg_socket(struct sqldb *);
int	sqldb_pg_backend_pid(struct sqldb *);
int	sqldb_pg_notices(struct sqldb *, sqldb_notice_fn *, void *,
	    struct buf *err);
void	sqldb_pg_stmt_new(struct sqldb_stmt *);
void	sqldb_pg_stmt_free(struct sqldb_stmt *);
void	sqldb_pg_bind(struct sqldb_stmt *, int, const char *);
char	*sqldb_pg_int_buf(struct sqldb_stmt *, int);
int	sqldb_pg_step(struct sqldb_stmt *);
void	sqldb_pg_reset(struct sqldb_stmt *);
const char *sqldb_pg_value(struct sqldb_stmt *, int col);
const char *sqldb_pg_error(struct sqldb_stmt *);
int	sqldb_pg_params(struct sqldb_stmt *);
int	sqldb_pg_columns(struct sqldb_stmt *);

#endif
