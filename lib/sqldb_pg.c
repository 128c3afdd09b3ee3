/*
 * sqldb_pg - lib/sqldb on PostgreSQL through libpq; see sqldb.h.
 * SPDX-License-Identifier: ISC
 *
 * A statement is prepared on the server at its first step, under a
 * name of its connection ("sqldb_N"), its "?N" made "$N" once; its
 * parameters go as text.  A statement from sqldb_cached() reads its
 * whole result (PQexecPrepared), one from sqldb_cached_rows() a row at
 * a time (PQsendQueryPrepared, then PQsetSingleRowMode).
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "log.h"
#include "sqldb.h"
#include "sqldb_engine.h"

#ifndef HAVE_LIBPQ

int
sqldb_pg_open(struct sqldb *db, const struct sqldb_target *t,
    const struct sqldb_migration *m, struct buf *err)
{
	buf_puts(err, "storage_engine = postgresql: this build of stsd has"
	    " no PostgreSQL support (configure --with-postgresql, libpq-dev)");
	return -1;
}

int
sqldb_pg_check(struct sqldb *db, const struct sqldb_target *t,
    struct buf *err)
{
	return sqldb_pg_open(db, t, NULL, err);
}

#define SQLDB_PG_UNREACHABLE log_panic("sqldb: no PostgreSQL in this build")

void sqldb_pg_close(struct sqldb *db) { SQLDB_PG_UNREACHABLE; }
int sqldb_pg_exec(struct sqldb *db, const char *sql, struct buf *err)
{ SQLDB_PG_UNREACHABLE; }
int sqldb_pg_commit(struct sqldb *db, struct buf *err) { SQLDB_PG_UNREACHABLE; }
int sqldb_pg_schema_version(struct sqldb *db) { SQLDB_PG_UNREACHABLE; }
long long sqldb_pg_changes(struct sqldb *db) { SQLDB_PG_UNREACHABLE; }
int sqldb_pg_lost(struct sqldb *db) { SQLDB_PG_UNREACHABLE; }
int sqldb_pg_connect_only(struct sqldb *db, const struct sqldb_target *t,
    struct buf *err)
{ return sqldb_pg_open(db, t, NULL, err); }
int sqldb_pg_socket(struct sqldb *db) { SQLDB_PG_UNREACHABLE; }
int sqldb_pg_backend_pid(struct sqldb *db) { SQLDB_PG_UNREACHABLE; }
int sqldb_pg_notices(struct sqldb *db, sqldb_notice_fn *fn, void *arg,
    struct buf *err)
{ SQLDB_PG_UNREACHABLE; }
void sqldb_pg_stmt_new(struct sqldb_stmt *st) { SQLDB_PG_UNREACHABLE; }
void sqldb_pg_stmt_free(struct sqldb_stmt *st) { SQLDB_PG_UNREACHABLE; }
void sqldb_pg_bind(struct sqldb_stmt *st, int i, const char *s)
{ SQLDB_PG_UNREACHABLE; }
char *sqldb_pg_int_buf(struct sqldb_stmt *st, int i) { SQLDB_PG_UNREACHABLE; }
int sqldb_pg_step(struct sqldb_stmt *st) { SQLDB_PG_UNREACHABLE; }
void sqldb_pg_reset(struct sqldb_stmt *st) { SQLDB_PG_UNREACHABLE; }
const char *sqldb_pg_value(struct sqldb_stmt *st, int col)
{ SQLDB_PG_UNREACHABLE; }
const char *sqldb_pg_error(struct sqldb_stmt *st) { SQLDB_PG_UNREACHABLE; }
int sqldb_pg_params(struct sqldb_stmt *st) { SQLDB_PG_UNREACHABLE; }
int sqldb_pg_columns(struct sqldb_stmt *st) { SQLDB_PG_UNREACHABLE; }

int
sqldb_pg_open_read(struct sqldb *db, const struct sqldb_target *t,
    const struct sqldb_migration *m, struct buf *err)
{
	return sqldb_pg_open(db, t, m, err);
}

#else /* HAVE_LIBPQ */

#include <ctype.h>
#include <time.h>

#include <libpq-fe.h>

#include "esc.h"
#include "mymalloc.h"

/* The advisory lock of migrations: "stsd" in ASCII. */
#define SQLDB_PG_LOCK		"1937011556"
#define SQLDB_PG_TEXTOID	25	/* pg_type's text */

struct sqldb_pg {
	PGconn	*conn;
	unsigned next_name;		/* of the next prepared statement */
	long long changes;		/* rows the last statement changed */
};

enum sqldb_pg_state {
	SQLDB_PG_IDLE,			/* not executed since bound */
	SQLDB_PG_RESULT,		/* a whole result, read by row */
	SQLDB_PG_RUNNING,		/* single-row mode, results to come */
	SQLDB_PG_OVER,			/* done or failed: reset to rerun */
};

struct sqldb_pgstmt {
	char	 name[32];
	char	*text;			/* with $N */
	int	 nparams;
	Oid	 types[SQLDB_PARAMS_MAX];	/* 0: inferred; text if unused */
	int	 prepared;
	enum sqldb_pg_state state;
	const char *values[SQLDB_PARAMS_MAX];
	char	 ints[SQLDB_PARAMS_MAX][SQLDB_INT_LEN];
	PGresult *res;
	int	 row, nrows;
	struct buf err;			/* the reason of a failed step */
};

/* sqldb_pg_reason() of a connection that never was. */
#define SQLDB_PG_CONNECTING	((const PGresult *)&sqldb_pg_connecting)
static const char sqldb_pg_connecting;

/* A message of libpq, on one line, escaped for a log. */
static void
sqldb_pg_reason(struct buf *out, PGconn *conn, const PGresult *res)
{
	const char *s = res != NULL && res != SQLDB_PG_CONNECTING ?
	    PQresultErrorField(res, PG_DIAG_MESSAGE_PRIMARY) : NULL;
	size_t len;

	if (PQstatus(conn) == CONNECTION_BAD && res != SQLDB_PG_CONNECTING)
		buf_puts(out, "the connection to the server was lost: ");
	if (s == NULL)
		s = PQerrorMessage(conn);
	len = strlen(s);
	while (len > 0 && isspace((unsigned char)s[len - 1]))
		len--;
	esc_textn(out, s, len);
}

static int
sqldb_pg_fail(struct sqldb *db, PGresult *res, const char *what,
    struct buf *err)
{
	buf_printf(err, "%s: %s: ", db->name, what);
	sqldb_pg_reason(err, db->pg->conn, res);
	PQclear(res);
	return -1;
}

int
sqldb_pg_exec(struct sqldb *db, const char *sql, struct buf *err)
{
	PGresult *res = PQexec(db->pg->conn, sql);
	ExecStatusType s = PQresultStatus(res);

	if (s != PGRES_COMMAND_OK && s != PGRES_TUPLES_OK)
		return sqldb_pg_fail(db, res, "execute", err);
	db->pg->changes = strtoll(PQcmdTuples(res), NULL, 10);
	PQclear(res);
	return 0;
}

/* A query with text parameters whose result is read whole, or NULL. */
static PGresult *
sqldb_pg_query(struct sqldb *db, const char *sql, int n,
    const char *const *values, const char *what, struct buf *err)
{
	PGresult *res = PQexecParams(db->pg->conn, sql, n, NULL, values, NULL,
	    NULL, 0);
	ExecStatusType s = PQresultStatus(res);

	if (s != PGRES_COMMAND_OK && s != PGRES_TUPLES_OK) {
		sqldb_pg_fail(db, res, what, err);
		return NULL;
	}
	return res;
}

/*
 * COMMIT of a transaction that a failed statement aborted rolls it back
 * and says only "ROLLBACK": an error here.
 */
int
sqldb_pg_commit(struct sqldb *db, struct buf *err)
{
	PGresult *res = PQexec(db->pg->conn, "COMMIT");

	if (PQresultStatus(res) != PGRES_COMMAND_OK)
		return sqldb_pg_fail(db, res, "commit", err);
	if (strcmp(PQcmdStatus(res), "COMMIT") != 0) {
		buf_printf(err, "%s: commit: the transaction was rolled back"
		    " after an error in it", db->name);
		PQclear(res);
		return -1;
	}
	PQclear(res);
	return 0;
}

long long
sqldb_pg_changes(struct sqldb *db)
{
	return db->pg->changes;
}

int
sqldb_pg_lost(struct sqldb *db)
{
	return PQstatus(db->pg->conn) == CONNECTION_BAD;
}

/*
 * LISTEN/NOTIFY: the listener's connection is read only when its
 * socket is readable; what arrived is consumed and each notification
 * given to fn.  A connection that fails here is lost (the server
 * closed it, or went away).
 */
int
sqldb_pg_socket(struct sqldb *db)
{
	return PQsocket(db->pg->conn);
}

int
sqldb_pg_backend_pid(struct sqldb *db)
{
	return PQbackendPID(db->pg->conn);
}

int
sqldb_pg_notices(struct sqldb *db, sqldb_notice_fn *fn, void *arg,
    struct buf *err)
{
	PGnotify *n;
	int count = 0;

	if (!PQconsumeInput(db->pg->conn) ||
	    PQstatus(db->pg->conn) == CONNECTION_BAD) {
		buf_printf(err, "%s: listen: ", db->name);
		sqldb_pg_reason(err, db->pg->conn, NULL);
		return -1;
	}
	while ((n = PQnotifies(db->pg->conn)) != NULL) {
		fn(n->relname, n->extra, n->be_pid, arg);
		PQfreemem(n);
		count++;
	}
	return count;
}

/*
 * Connecting: libpq's connect_timeout unless the conninfo sets one,
 * the conninfo, then the password, which nothing else sees.
 */
static PGconn *
sqldb_pg_connect(const struct sqldb_target *t)
{
	const char *keys[] = { "connect_timeout", "application_name",
	    "dbname", "client_encoding", "password", NULL };
	const char *values[] = { SQLDB_CONNECT_TIMEOUT, "stsd", t->conninfo,
	    "UTF8", t->password, NULL };

	if (t->password == NULL)
		keys[4] = NULL;
	return PQconnectdbParams(keys, values, 1);
}

/* Text compares byte by byte only in a C collation; UTF8 text only. */
static int
sqldb_pg_check_locale(struct sqldb *db, struct buf *err)
{
	PGresult *res;
	const char *coll, *enc;
	int rc = 0;

	if ((res = sqldb_pg_query(db, "SELECT datcollate,"
	    " pg_encoding_to_char(encoding) FROM pg_database"
	    " WHERE datname = current_database()", 0, NULL,
	    "read the collation", err)) == NULL)
		return -1;
	if (PQntuples(res) != 1) {
		PQclear(res);
		buf_printf(err, "%s: not found in pg_database", db->name);
		return -1;
	}
	coll = PQgetvalue(res, 0, 0);
	enc = PQgetvalue(res, 0, 1);
	if ((strcmp(coll, "C") != 0 && strcmp(coll, "POSIX") != 0) ||
	    strcmp(enc, "UTF8") != 0) {
		buf_printf(err, "%s: collation ", db->name);
		esc_text(err, coll);
		buf_puts(err, ", encoding ");
		esc_text(err, enc);
		buf_puts(err, ": stsd needs LC_COLLATE C and UTF8 (CREATE"
		    " DATABASE ... TEMPLATE template0 ENCODING 'UTF8'"
		    " LOCALE 'C')");
		rc = -1;
	}
	PQclear(res);
	return rc;
}

/*
 * Migrations.  One transaction each, holding the advisory lock, so
 * that of two processes that start together one migrates and the
 * other finds the version done.
 */
static const struct sqldb_pg_word {
	const char *lite, *pg;
} sqldb_pg_words[] = {
	{ "INTEGER PRIMARY KEY AUTOINCREMENT",
	  "BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY" },
	{ "INTEGER", "BIGINT" },
	{ NULL, NULL }
};

static int
sqldb_pg_word_at(const char *s, const char *start, const char *w)
{
	size_t n = strlen(w);

	return strncmp(s, w, n) == 0 && (s == start ||
	    !(isalnum((unsigned char)s[-1]) || s[-1] == '_')) &&
	    !(isalnum((unsigned char)s[n]) || s[n] == '_');
}

/* SQLite's column types made PostgreSQL's (outside quotes). */
static char *
sqldb_pg_translate(const char *sql)
{
	const struct sqldb_pg_word *w;
	struct buf b = BUF_INIT;
	const char *s = sql;
	char quote = 0;

	while (*s != '\0') {
		if (quote == 0 && (*s == '\'' || *s == '"'))
			quote = *s;
		else if (quote != 0 && *s == quote)
			quote = 0;
		for (w = sqldb_pg_words; quote == 0 && w->lite != NULL; w++)
			if (sqldb_pg_word_at(s, sql, w->lite))
				break;
		if (quote == 0 && w->lite != NULL) {
			buf_puts(&b, w->pg);
			s += strlen(w->lite);
		} else
			buf_putc(&b, *s++);
	}
	return buf_steal(&b);
}

/* Inside the migration's transaction: the lock, then the version. */
static int
sqldb_pg_locked_version(struct sqldb *db, struct buf *err)
{
	const char *v[] = { db->key };
	PGresult *res;
	int version;

	if (sqldb_pg_exec(db, "SELECT pg_advisory_xact_lock(" SQLDB_PG_LOCK
	    ");CREATE TABLE IF NOT EXISTS " SQLDB_SCHEMA_TABLE " ("
	    " name TEXT PRIMARY KEY NOT NULL, version BIGINT NOT NULL)",
	    err) < 0)
		return -1;
	if ((res = sqldb_pg_query(db, "INSERT INTO " SQLDB_SCHEMA_TABLE
	    " (name, version) VALUES ($1, 0) ON CONFLICT DO NOTHING", 1, v,
	    "schema version", err)) == NULL)
		return -1;
	PQclear(res);
	if ((res = sqldb_pg_query(db, "SELECT version FROM " SQLDB_SCHEMA_TABLE
	    " WHERE name = $1", 1, v, "schema version", err)) == NULL)
		return -1;
	version = PQntuples(res) == 1 ? atoi(PQgetvalue(res, 0, 0)) : -1;
	PQclear(res);
	return version;
}

static int
sqldb_pg_set_version(struct sqldb *db, int version, struct buf *err)
{
	char num[SQLDB_INT_LEN];
	const char *v[] = { db->key, num };
	PGresult *res;

	snprintf(num, sizeof(num), "%d", version);
	if ((res = sqldb_pg_query(db, "UPDATE " SQLDB_SCHEMA_TABLE
	    " SET version = $2 WHERE name = $1", 2, v, "schema version",
	    err)) == NULL)
		return -1;
	PQclear(res);
	return 0;
}

/* Migration m if the database is below it: 0, or -1 rolled back. */
static int
sqldb_pg_migrate_one(struct sqldb *db, const struct sqldb_migration *m,
    int last, struct buf *err)
{
	struct timespec t0, t1;
	char *sql;
	int current, rc = 0;

	clock_gettime(CLOCK_MONOTONIC, &t0);
	if (sqldb_pg_exec(db, "BEGIN", err) < 0)
		return -1;
	if ((current = sqldb_pg_locked_version(db, err)) < 0)
		goto fail;
	if (current > last) {
		PQclear(PQexec(db->pg->conn, "ROLLBACK"));
		buf_printf(err, "%s: schema version %d of %s, this program uses"
		    " %d (this program is older than the database)", db->name,
		    current, db->key, last);
		return -1;
	}
	if (m->version > current) {
		sql = m->pgsql != NULL ? xstrdup(m->pgsql) :
		    sqldb_pg_translate(m->sql);
		rc = sqldb_pg_exec(db, sql, err);
		free(sql);
		if (rc < 0 || sqldb_pg_set_version(db, m->version, err) < 0)
			goto fail;
	}
	if (sqldb_pg_commit(db, err) < 0)
		goto fail;
	clock_gettime(CLOCK_MONOTONIC, &t1);
	if (m->version > current)
		log_info("%s: %s: schema migrated to version %d in %.1f s",
		    db->name, db->key, m->version,
		    (double)(t1.tv_sec - t0.tv_sec) +
		    (double)(t1.tv_nsec - t0.tv_nsec) / 1e9);
	return 0;
fail:
	PQclear(PQexec(db->pg->conn, "ROLLBACK"));
	if (m->sql != NULL)
		buf_printf(err, " (schema migration to version %d)",
		    m->version);
	return -1;
}

static int
sqldb_pg_migrate(struct sqldb *db, const struct sqldb_migration *m,
    struct buf *err)
{
	const struct sqldb_migration *p;
	struct sqldb_migration none = { 0, NULL, NULL };
	int last = 0;

	for (p = m; p->sql != NULL; p++)
		last = p->version;
	if (m->sql == NULL)		/* no migration: the version check */
		return sqldb_pg_migrate_one(db, &none, last, err);
	for (p = m; p->sql != NULL; p++)
		if (sqldb_pg_migrate_one(db, p, last, err) < 0)
			return -1;
	return 0;
}

/* Connected, in a database of the right collation: 0, or -1 closed. */
static int
sqldb_pg_connected(struct sqldb *db, const struct sqldb_target *t,
    struct buf *err)
{
	db->pg = xcalloc(1, sizeof(*db->pg));
	db->pg->conn = sqldb_pg_connect(t);
	if (db->pg->conn == NULL || PQstatus(db->pg->conn) != CONNECTION_OK) {
		buf_puts(err, "postgresql: cannot connect: ");
		if (db->pg->conn == NULL)
			buf_puts(err, "out of memory");
		else
			sqldb_pg_reason(err, db->pg->conn,
			    SQLDB_PG_CONNECTING);
		sqldb_pg_close(db);
		return -1;
	}
	db->name = xasprintf("postgresql database %s", PQdb(db->pg->conn));
	if (sqldb_pg_exec(db, "SET client_min_messages = warning", err) < 0 ||
	    sqldb_pg_check_locale(db, err) < 0) {
		sqldb_pg_close(db);
		return -1;
	}
	return 0;
}

int
sqldb_pg_open(struct sqldb *db, const struct sqldb_target *t,
    const struct sqldb_migration *m, struct buf *err)
{
	if (sqldb_pg_connected(db, t, err) < 0)
		return -1;
	if (sqldb_pg_migrate(db, m, err) < 0) {
		sqldb_pg_close(db);
		return -1;
	}
	return 0;
}

/* A listener's connection: connected and checked, no migration. */
int
sqldb_pg_connect_only(struct sqldb *db, const struct sqldb_target *t,
    struct buf *err)
{
	return sqldb_pg_connected(db, t, err);
}

/* stsd check: what sqldb_pg_open() would find, without migrating. */
int
sqldb_pg_check(struct sqldb *db, const struct sqldb_target *t,
    struct buf *err)
{
	int rc = sqldb_pg_connected(db, t, err);

	if (rc == 0)
		sqldb_pg_close(db);
	return rc;
}

/*
 * A reader's connection: no migration, the version its writer left,
 * which must be the last of m (as lib/db's DB_READ).
 */
int
sqldb_pg_open_read(struct sqldb *db, const struct sqldb_target *t,
    const struct sqldb_migration *m, struct buf *err)
{
	const struct sqldb_migration *p;
	int last = 0, version;

	for (p = m; p->sql != NULL; p++)
		last = p->version;
	if (sqldb_pg_connected(db, t, err) < 0)
		return -1;
	/* No row, or no table of versions: never migrated, version 0. */
	if ((version = sqldb_pg_schema_version(db)) < 0)
		version = 0;
	if (version == last)
		return 0;
	buf_printf(err, "%s: schema version %d of %s, this program uses %d%s",
	    db->name, version, db->key, last, version < last ?
	    " (the owning daemon upgrades it when it starts)" :
	    " (this program is older than the database)");
	sqldb_pg_close(db);
	return -1;
}

void
sqldb_pg_close(struct sqldb *db)
{
	if (db->pg == NULL)
		return;
	PQfinish(db->pg->conn);
	free(db->pg);
	db->pg = NULL;
}

int
sqldb_pg_schema_version(struct sqldb *db)
{
	const char *v[] = { db->key };
	struct buf err = BUF_INIT;
	PGresult *res;
	int version = -1;

	if ((res = sqldb_pg_query(db, "SELECT version FROM " SQLDB_SCHEMA_TABLE
	    " WHERE name = $1", 1, v, "schema version", &err)) != NULL) {
		if (PQntuples(res) == 1)
			version = atoi(PQgetvalue(res, 0, 0));
		PQclear(res);
	}
	buf_free(&err);
	return version;
}

/*
 * Statements.
 */
/* "?N" -> "$N", "?" -> "$(highest so far + 1)", outside quotes. */
static char *
sqldb_pg_numbered(const char *sql, int *nparams, Oid *types)
{
	struct buf b = BUF_INIT;
	const char *s = sql;
	char quote = 0, *end;
	long n;
	int max = 0;

	while (*s != '\0') {
		if (quote == 0 && (*s == '\'' || *s == '"'))
			quote = *s;
		else if (quote != 0 && *s == quote)
			quote = 0;
		if (quote != 0 || *s != '?') {
			buf_putc(&b, *s++);
			continue;
		}
		n = strtol(s + 1, &end, 10);
		if (end == s + 1)
			n = max + 1;
		if (n < 1 || n > SQLDB_PARAMS_MAX)
			log_panic("sqldb: %s: parameter %ld of at most %d", sql,
			    n, SQLDB_PARAMS_MAX);
		if (n > max)
			max = (int)n;
		types[n - 1] = 0;
		buf_printf(&b, "$%ld", n);
		s = end;
	}
	*nparams = max;
	return buf_steal(&b);
}

void
sqldb_pg_stmt_new(struct sqldb_stmt *st)
{
	struct sqldb_pgstmt *p = xcalloc(1, sizeof(*p));
	int i;

	/* A number the text skips has no type to infer: text. */
	for (i = 0; i < SQLDB_PARAMS_MAX; i++)
		p->types[i] = SQLDB_PG_TEXTOID;
	p->text = sqldb_pg_numbered(st->sql, &p->nparams, p->types);
	snprintf(p->name, sizeof(p->name), "sqldb_%u",
	    st->db->pg->next_name++);
	st->pg = p;
}

void
sqldb_pg_stmt_free(struct sqldb_stmt *st)
{
	struct sqldb_pgstmt *p = st->pg;
	char *sql;

	if (p->prepared && PQstatus(st->db->pg->conn) == CONNECTION_OK) {
		sql = xasprintf("DEALLOCATE %s", p->name);
		PQclear(PQexec(st->db->pg->conn, sql));
		free(sql);
	}
	PQclear(p->res);
	free(p->text);
	buf_free(&p->err);
	free(p);
	st->pg = NULL;
}

static void
sqldb_pg_index(struct sqldb_stmt *st, int i)
{
	if (i < 1 || i > st->pg->nparams)
		log_panic("sqldb: %s: no parameter %d", st->sql, i);
}

void
sqldb_pg_bind(struct sqldb_stmt *st, int i, const char *s)
{
	sqldb_pg_index(st, i);
	st->pg->values[i - 1] = s;
}

char *
sqldb_pg_int_buf(struct sqldb_stmt *st, int i)
{
	sqldb_pg_index(st, i);
	return st->pg->ints[i - 1];
}

/* A step that failed: the reason kept for sqldb_step_error(). */
static int
sqldb_pg_step_fail(struct sqldb_stmt *st, PGresult *res)
{
	struct sqldb_pgstmt *p = st->pg;

	buf_reset(&p->err);
	sqldb_pg_reason(&p->err, st->db->pg->conn, res);
	PQclear(res);
	p->state = SQLDB_PG_OVER;
	return -1;
}

static int
sqldb_pg_prepare(struct sqldb_stmt *st)
{
	struct sqldb_pgstmt *p = st->pg;
	PGresult *res;

	if (p->prepared)
		return 0;
	res = PQprepare(st->db->pg->conn, p->name, p->text, p->nparams,
	    p->types);
	if (PQresultStatus(res) != PGRES_COMMAND_OK)
		return sqldb_pg_step_fail(st, res);
	PQclear(res);
	p->prepared = 1;
	return 0;
}

/* The first step: the statement runs. */
static int
sqldb_pg_execute(struct sqldb_stmt *st)
{
	struct sqldb_pgstmt *p = st->pg;
	PGconn *conn = st->db->pg->conn;
	ExecStatusType s;
	PGresult *res;

	if (sqldb_pg_prepare(st) < 0)
		return -1;
	if (st->rows) {
		if (!PQsendQueryPrepared(conn, p->name, p->nparams, p->values,
		    NULL, NULL, 0))
			return sqldb_pg_step_fail(st, NULL);
		PQsetSingleRowMode(conn);
		p->state = SQLDB_PG_RUNNING;
		return 0;
	}
	res = PQexecPrepared(conn, p->name, p->nparams, p->values, NULL, NULL,
	    0);
	s = PQresultStatus(res);
	if (s != PGRES_COMMAND_OK && s != PGRES_TUPLES_OK)
		return sqldb_pg_step_fail(st, res);
	if (s == PGRES_COMMAND_OK)
		st->db->pg->changes = strtoll(PQcmdTuples(res), NULL, 10);
	p->res = res;
	p->nrows = PQntuples(res);
	p->row = -1;
	p->state = SQLDB_PG_RESULT;
	return 0;
}

/* Single-row mode: the next result, until NULL. */
static void
sqldb_pg_drain(struct sqldb_stmt *st)
{
	PGresult *res;

	while ((res = PQgetResult(st->db->pg->conn)) != NULL)
		PQclear(res);
	st->pg->state = SQLDB_PG_OVER;
}

static int
sqldb_pg_next(struct sqldb_stmt *st)
{
	struct sqldb_pgstmt *p = st->pg;
	PGresult *res;

	PQclear(p->res);
	p->res = NULL;
	res = PQgetResult(st->db->pg->conn);
	switch (PQresultStatus(res)) {
	case PGRES_SINGLE_TUPLE:
		p->res = res;
		p->row = 0;
		return SQLDB_ROW;
	case PGRES_TUPLES_OK:
	case PGRES_COMMAND_OK:
		PQclear(res);
		sqldb_pg_drain(st);
		return SQLDB_DONE;
	default:
		if (res == NULL) {
			p->state = SQLDB_PG_OVER;
			return SQLDB_DONE;
		}
		sqldb_pg_step_fail(st, res);
		sqldb_pg_drain(st);
		return -1;
	}
}

int
sqldb_pg_step(struct sqldb_stmt *st)
{
	struct sqldb_pgstmt *p = st->pg;

	if (p->state == SQLDB_PG_IDLE && sqldb_pg_execute(st) < 0)
		return -1;
	switch (p->state) {
	case SQLDB_PG_RESULT:
		if (++p->row < p->nrows)
			return SQLDB_ROW;
		p->state = SQLDB_PG_OVER;
		return SQLDB_DONE;
	case SQLDB_PG_RUNNING:
		return sqldb_pg_next(st);
	case SQLDB_PG_IDLE:
	case SQLDB_PG_OVER:
		break;
	}
	return SQLDB_DONE;
}

void
sqldb_pg_reset(struct sqldb_stmt *st)
{
	struct sqldb_pgstmt *p = st->pg;

	if (p->state == SQLDB_PG_RUNNING)
		sqldb_pg_drain(st);
	PQclear(p->res);
	p->res = NULL;
	p->state = SQLDB_PG_IDLE;
	memset(p->values, 0, sizeof(p->values));
}

const char *
sqldb_pg_value(struct sqldb_stmt *st, int col)
{
	struct sqldb_pgstmt *p = st->pg;

	if (p->res == NULL || p->row < 0 || p->row >= PQntuples(p->res) ||
	    col >= PQnfields(p->res) || PQgetisnull(p->res, p->row, col))
		return NULL;
	return PQgetvalue(p->res, p->row, col);
}

int
sqldb_pg_params(struct sqldb_stmt *st)
{
	return st->pg->nparams;
}

int
sqldb_pg_columns(struct sqldb_stmt *st)
{
	return st->pg->res != NULL ? PQnfields(st->pg->res) : 0;
}

const char *
sqldb_pg_error(struct sqldb_stmt *st)
{
	if (st->pg->err.len == 0)
		sqldb_pg_reason(&st->pg->err, st->db->pg->conn, NULL);
	return st->pg->err.s;
}

#endif /* HAVE_LIBPQ */
