/*
 * db - open SQLite databases and bring their schema up to date; see db.h.
 * SPDX-License-Identifier: ISC
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <stdlib.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <sys/stat.h>
#include <unistd.h>

#include "db.h"
#include "esc.h"
#include "log.h"
#include "mymalloc.h"

static int
db_last_version(const struct db_migration *m)
{
	int last = 0;

	for (; m->sql != NULL; m++)
		last = m->version;
	return last;
}

int
db_schema_version(sqlite3 *db)
{
	sqlite3_stmt *st = db_prepare(db, "PRAGMA user_version");
	int v = -1;

	if (sqlite3_step(st) == SQLITE_ROW)
		v = sqlite3_column_int(st, 0);
	sqlite3_finalize(st);
	return v;
}

int
db_exec(sqlite3 *db, const char *sql, struct buf *err)
{
	char *msg = NULL;

	if (sqlite3_exec(db, sql, NULL, NULL, &msg) != SQLITE_OK) {
		buf_printf(err, "%s: %s", sqlite3_db_filename(db, "main"),
		    msg ? msg : sqlite3_errmsg(db));
		sqlite3_free(msg);
		return -1;
	}
	return 0;
}

sqlite3_stmt *
db_prepare(sqlite3 *db, const char *sql)
{
	sqlite3_stmt *st;

	if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK)
		log_panic("db_prepare: %s: %s", sql, sqlite3_errmsg(db));
	return st;
}

int
db_begin(sqlite3 *db, struct buf *err)
{
	return db_exec(db, "BEGIN IMMEDIATE", err);
}

int
db_commit(sqlite3 *db, struct buf *err)
{
	return db_exec(db, "COMMIT", err);
}

/*
 * The statement cache (db_cached): one entry per statement text and
 * connection, prepared once and reset between uses.
 */
static struct db_cache_entry {
	sqlite3	*db;			/* NULL: a free entry */
	char	*sql;			/* a copy of the text */
	sqlite3_stmt *st;
	int	 busy;			/* handed out, not finished yet */
} db_cache[DB_CACHE_MAX];

static struct db_cache_entry *
db_cache_find(sqlite3 *db, const char *sql)
{
	size_t i;

	for (i = 0; i < DB_CACHE_MAX; i++)
		if (db_cache[i].db == db && strcmp(db_cache[i].sql, sql) == 0)
			return &db_cache[i];
	return NULL;
}

sqlite3_stmt *
db_cached(sqlite3 *db, const char *sql)
{
	struct db_cache_entry *e = db_cache_find(db, sql);
	size_t i;

	if (e != NULL && !e->busy) {
		e->busy = 1;
		return e->st;
	}
	if (e != NULL)			/* in use by a caller up the stack */
		return db_prepare(db, sql);
	for (i = 0; i < DB_CACHE_MAX && db_cache[i].db != NULL; i++)
		;
	if (i == DB_CACHE_MAX)
		return db_prepare(db, sql);
	e = &db_cache[i];
	if (sqlite3_prepare_v3(db, sql, -1, SQLITE_PREPARE_PERSISTENT, &e->st,
	    NULL) != SQLITE_OK)
		log_panic("db_cached: %s: %s", sql, sqlite3_errmsg(db));
	e->db = db;
	e->sql = xstrdup(sql);
	e->busy = 1;
	return e->st;
}

void
db_finish(sqlite3_stmt *st)
{
	size_t i;

	for (i = 0; i < DB_CACHE_MAX; i++)
		if (db_cache[i].st == st && db_cache[i].db != NULL) {
			sqlite3_reset(st);
			sqlite3_clear_bindings(st);
			db_cache[i].busy = 0;
			return;
		}
	sqlite3_finalize(st);
}

static void
db_cache_drop(sqlite3 *db)
{
	size_t i;

	for (i = 0; i < DB_CACHE_MAX; i++)
		if (db_cache[i].db == db) {
			sqlite3_finalize(db_cache[i].st);
			free(db_cache[i].sql);
			memset(&db_cache[i], 0, sizeof(db_cache[i]));
		}
}

int
db_savepoint(sqlite3 *db, struct buf *err)
{
	return db_exec(db, "SAVEPOINT " DB_SAVEPOINT, err);
}

int
db_release(sqlite3 *db, struct buf *err)
{
	return db_exec(db, "RELEASE " DB_SAVEPOINT, err);
}

void
db_rollback_to(sqlite3 *db)
{
	sqlite3_exec(db, "ROLLBACK TO " DB_SAVEPOINT "; RELEASE " DB_SAVEPOINT,
	    NULL, NULL, NULL);
}

int
db_step_error(sqlite3 *db, sqlite3_stmt *st, const char *what,
    struct buf *err)
{
	buf_printf(err, "%s: %s: %s", sqlite3_db_filename(db, "main"), what,
	    sqlite3_errmsg(db));
	db_finish(st);
	return -1;
}

/* A statement that returns no row (INSERT, UPDATE, DELETE): 0 or -1. */
int
db_step_done(sqlite3 *db, sqlite3_stmt *st, const char *what, struct buf *err)
{
	if (sqlite3_step(st) != SQLITE_DONE)
		return db_step_error(db, st, what, err);
	db_finish(st);
	return 0;
}

/* A statement that looks up one row: 1 (st left to read), 0 or -1. */
int
db_step_row(sqlite3 *db, sqlite3_stmt *st, const char *what, struct buf *err)
{
	int rc = sqlite3_step(st);

	if (rc == SQLITE_ROW)
		return 1;
	if (rc != SQLITE_DONE)
		return db_step_error(db, st, what, err);
	db_finish(st);
	return 0;
}

void
db_rollback(sqlite3 *db)
{
	sqlite3_exec(db, "ROLLBACK", NULL, NULL, NULL);
}

/* A migration under way, for db_migrate_progress(). */
struct db_progress {
	sqlite3	*db;
	int	 version;
	struct timespec start;
	double	 logged;		/* seconds after start, last line */
};

static double
db_progress_since(const struct timespec *t0)
{
	struct timespec now;

	clock_gettime(CLOCK_MONOTONIC, &now);
	return (double)(now.tv_sec - t0->tv_sec) +
	    (double)(now.tv_nsec - t0->tv_nsec) / 1e9;
}

/*
 * Every DB_PROGRESS_STEPS steps of SQLite's machine: a line every
 * DB_PROGRESS_LOG seconds of a long migration (reports.db's migration
 * 6 reads every row: a minute at 10^7 reports), so that a daemon that
 * stores nothing meanwhile says why.
 */
static int
db_migrate_progress(void *arg)
{
	struct db_progress *p = arg;
	double t = db_progress_since(&p->start);

	if (t - p->logged >= DB_PROGRESS_LOG) {
		p->logged = t;
		log_info("%s: schema migration to version %d: running for"
		    " %.0f s", sqlite3_db_filename(p->db, "main"), p->version,
		    t);
	}
	return 0;
}

static int
db_migrate(sqlite3 *db, const struct db_migration *m, struct buf *err)
{
	int current = db_schema_version(db);
	struct db_progress p;
	char pragma[64];

	for (; m->sql != NULL; m++) {
		if (m->version <= current)
			continue;
		if (db_begin(db, err) < 0)
			return -1;
		memset(&p, 0, sizeof(p));
		p.db = db;
		p.version = m->version;
		clock_gettime(CLOCK_MONOTONIC, &p.start);
		sqlite3_progress_handler(db, DB_PROGRESS_STEPS,
		    db_migrate_progress, &p);
		snprintf(pragma, sizeof(pragma), "PRAGMA user_version = %d",
		    m->version);
		if (db_exec(db, m->sql, err) < 0 || db_exec(db, pragma, err) < 0) {
			sqlite3_progress_handler(db, 0, NULL, NULL);
			db_rollback(db);
			buf_printf(err, " (schema migration to version %d)",
			    m->version);
			return -1;
		}
		sqlite3_progress_handler(db, 0, NULL, NULL);
		if (db_commit(db, err) < 0)
			return -1;
		log_info("%s: schema migrated to version %d in %.1f s",
		    sqlite3_db_filename(db, "main"), m->version,
		    db_progress_since(&p.start));
	}
	return 0;
}

sqlite3 *
db_open(const char *path, int mode, const struct db_migration *migrations,
    struct buf *err)
{
	sqlite3 *db = NULL;
	int flags, last = db_last_version(migrations), version;

	flags = mode == DB_WRITE ? SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE :
	    SQLITE_OPEN_READONLY;
	if (mode == DB_WRITE && access(path, F_OK) != 0) {
		/* Create it private before SQLite does, with its umask. */
		int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);

		if (fd >= 0)
			close(fd);
	}
	if (sqlite3_open_v2(path, &db, flags, NULL) != SQLITE_OK) {
		buf_printf(err, "%s: %s", path, db ? sqlite3_errmsg(db) :
		    "out of memory");
		sqlite3_close(db);
		return NULL;
	}
	sqlite3_busy_timeout(db, DB_BUSY_TIMEOUT_MS);
	if (mode == DB_WRITE) {
		if (db_exec(db, "PRAGMA journal_mode = WAL;"
		    "PRAGMA synchronous = FULL;"
		    "PRAGMA foreign_keys = ON;", err) < 0 ||
		    db_migrate(db, migrations, err) < 0) {
			sqlite3_close(db);
			return NULL;
		}
		return db;
	}
	if (db_exec(db, "PRAGMA foreign_keys = ON;", err) < 0) {
		sqlite3_close(db);
		return NULL;
	}
	version = db_schema_version(db);
	if (version != last) {
		buf_printf(err, "%s: schema version %d, this program uses %d%s",
		    path, version, last, version < last ?
		    " (the owning daemon upgrades it when it starts)" :
		    " (this program is older than the database)");
		sqlite3_close(db);
		return NULL;
	}
	return db;
}

void
db_close(sqlite3 *db)
{
	if (db != NULL)
		db_cache_drop(db);
	if (db != NULL && sqlite3_close(db) != SQLITE_OK)
		log_warn("%s: close: %s", sqlite3_db_filename(db, "main"),
		    sqlite3_errmsg(db));
}

static const char *const db_share_files[] = { "", "-wal", "-shm", NULL };

void
db_share(sqlite3 *db, const char *path, mode_t mode, const char *group)
{
	struct group *gr = NULL;
	struct stat sb;
	int persist = 1;
	char *file;
	size_t i;

	if (sqlite3_file_control(db, "main", SQLITE_FCNTL_PERSIST_WAL,
	    &persist) != SQLITE_OK)
		log_warn("%s: cannot keep the WAL files: readers without"
		    " write access may fail", path);
	if (group != NULL && *group != '\0' && (gr = getgrnam(group)) == NULL)
		log_warn("%s: setgid_group %s: no such group", path, group);
	for (i = 0; db_share_files[i] != NULL; i++) {
		file = xasprintf("%s%s", path, db_share_files[i]);
		if (stat(file, &sb) != 0) {
			if (errno != ENOENT)
				log_warn("%s: %s", file, strerror(errno));
		} else {
			if ((sb.st_mode & 07777) != mode &&
			    chmod(file, mode) != 0)
				log_warn("%s: chmod %04o: %s", file,
				    (unsigned)mode, strerror(errno));
			if (gr != NULL && sb.st_gid != gr->gr_gid &&
			    chown(file, (uid_t)-1, gr->gr_gid) != 0)
				log_warn("%s: cannot give it to group %s, so"
				    " that stsctl reads it: %s", file, group,
				    strerror(errno));
		}
		free(file);
	}
}

/* The progress handler of db_quick_check: stop past the deadline. */
static int
db_check_late(void *arg)
{
	const struct timespec *deadline = arg;
	struct timespec now;

	clock_gettime(CLOCK_MONOTONIC, &now);
	return now.tv_sec > deadline->tv_sec || (now.tv_sec == deadline->tv_sec &&
	    now.tv_nsec > deadline->tv_nsec);
}

/* Appends a finding of quick_check, its lines joined by "; ". */
static void
db_check_found(struct buf *found, const char *row, int *n)
{
	size_t len;

	while (*row != '\0') {
		len = strcspn(row, "\n");
		if (len > 0) {
			if ((*n)++ > 0)
				buf_puts(found, "; ");
			esc_textn(found, row, len);
		}
		row += len + (row[len] == '\n');
	}
}

int
db_quick_check(const char *path, int timeout_ms, struct buf *err)
{
	struct buf found = BUF_INIT;
	struct timespec deadline;
	sqlite3_stmt *st = NULL;
	sqlite3 *db = NULL;
	const char *row;
	int rc = SQLITE_ERROR, n = 0, late = 0;

	clock_gettime(CLOCK_MONOTONIC, &deadline);
	deadline.tv_sec += timeout_ms / 1000;
	deadline.tv_nsec += (long)(timeout_ms % 1000) * 1000000L;
	if (deadline.tv_nsec >= 1000000000L) {
		deadline.tv_sec++;
		deadline.tv_nsec -= 1000000000L;
	}
	if (sqlite3_open_v2(path, &db, SQLITE_OPEN_READONLY, NULL) == SQLITE_OK) {
		sqlite3_busy_timeout(db, timeout_ms);
		sqlite3_progress_handler(db, DB_CHECK_STEPS, db_check_late,
		    &deadline);
		rc = sqlite3_prepare_v2(db, DB_CHECK_SQL, -1, &st, NULL);
	}
	while (rc == SQLITE_OK || rc == SQLITE_ROW) {
		if ((rc = sqlite3_step(st)) != SQLITE_ROW)
			break;
		row = (const char *)sqlite3_column_text(st, 0);
		if (row != NULL && strcmp(row, "ok") != 0)
			db_check_found(&found, row, &n);
	}
	if (rc != SQLITE_DONE) {
		if (n++ > 0)
			buf_puts(&found, "; ");
		if (db != NULL && sqlite3_errcode(db) == SQLITE_INTERRUPT) {
			buf_printf(&found, "took longer than %d ms", timeout_ms);
			late = n == 1;
		} else
			buf_puts(&found, db ? sqlite3_errmsg(db) : "out of memory");
	}
	sqlite3_finalize(st);
	sqlite3_close(db);
	if (n > 0)
		buf_printf(err, "%s: PRAGMA quick_check: %s", path, found.s);
	buf_free(&found);
	return late ? 1 : n > 0 ? -1 : 0;
}
