/*
 * fetchdb - fetches.db, its schema and queries; the interface is
 * fetchdb.h.
 * SPDX-License-Identifier: ISC
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <sqlite3.h>

#include "buf.h"
#include "db.h"
#include "esc.h"
#include "fetchdb.h"
#include "fetchlog.h"
#include "log.h"
#include "mymalloc.h"
#include "plural.h"

struct fetchdb {
	sqlite3	*db;
};

static const struct db_migration fetchdb_schema[] = {
	{ 1,
	"CREATE TABLE fetches ("
	" id INTEGER PRIMARY KEY,"
	" time INTEGER NOT NULL,"		/* Unix seconds */
	" duration_ms INTEGER NOT NULL,"
	" addr TEXT NOT NULL,"			/* canonical IP address */
	" domain TEXT NOT NULL,"		/* policy domain, or '' */
	" hosted INTEGER NOT NULL,"
	" sni TEXT NOT NULL,"
	" host TEXT NOT NULL,"
	" path TEXT NOT NULL,"
	" status INTEGER NOT NULL,"		/* 0: handshake failed */
	" failure TEXT NOT NULL,"
	" tls TEXT NOT NULL);"
	"CREATE INDEX fetches_domain ON fetches(domain, sni, time);"
	"CREATE INDEX fetches_addr ON fetches(addr, time);"
	"CREATE INDEX fetches_time ON fetches(time);" },
	{ 0, NULL }
};


#define FETCHDB_INSERT_SQL \
	"INSERT INTO fetches (time, duration_ms, addr, domain, hosted, sni," \
	" host, path, status, failure, tls)" \
	" VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)"
#define FETCHDB_COUNT_SQL \
	"SELECT count(*) FROM fetches WHERE domain = ?1"
#define FETCHDB_CAP_SQL \
	"DELETE FROM fetches WHERE id IN (SELECT id FROM fetches" \
	" WHERE domain = ?1 ORDER BY time, id LIMIT ?2)"
#define FETCHDB_PRUNE_SQL \
	"DELETE FROM fetches WHERE id IN (SELECT id FROM fetches" \
	" WHERE time < ?1 ORDER BY time LIMIT ?2)"
#define FETCHDB_LIST_SQL \
	"SELECT id, time, duration_ms, addr, domain, hosted, sni, host," \
	" path, status, failure, tls FROM fetches" \
	" WHERE (domain = ?1 OR (domain = '' AND sni = 'mta-sts.' || ?1))" \
	" AND time >= ?2 ORDER BY time DESC, id DESC LIMIT ?3"
#define FETCHDB_EXPLAIN_SQL \
	"SELECT status, failure, count(*), max(sni), min(sni)" \
	" FROM fetches WHERE addr = ?1 AND time >= ?2 AND time <= ?3" \
	" GROUP BY status, failure" \
	" ORDER BY count(*) DESC, status, failure LIMIT ?4"

static struct fetchdb *
fetchdb_new(sqlite3 *db)
{
	struct fetchdb *f = xcalloc(1, sizeof(*f));

	f->db = db;
	return f;
}

struct fetchdb *
fetchdb_open_write(const char *path, const char *group, struct buf *err)
{
	sqlite3 *db;

	if ((db = db_open(path, DB_WRITE, fetchdb_schema, err)) == NULL)
		return NULL;
	db_share(db, path, FETCHDB_FILE_MODE, group);
	return fetchdb_new(db);
}

struct fetchdb *
fetchdb_open(const char *path, struct buf *err)
{
	sqlite3 *db;

	if ((db = db_open(path, DB_READ, fetchdb_schema, err)) == NULL)
		return NULL;
	return fetchdb_new(db);
}

void
fetchdb_close(struct fetchdb *f)
{
	if (f == NULL)
		return;
	db_close(f->db);
	free(f);
}

void
fetchdb_row_domain(const struct fetchrec *r, char *out, size_t size)
{
	out[0] = '\0';
	if (r->hosted)
		fetchlog_domain(r->sni, out, size);
}

static void
fetchdb_text(sqlite3_stmt *st, int col, const char *s)
{
	sqlite3_bind_text(st, col, s, -1, SQLITE_STATIC);
}

static int
fetchdb_insert(struct fetchdb *f, const struct fetchrec *r,
    const char *domain, struct buf *err)
{
	/* Prepared once (db_cached), finalized by db_close(). */
	sqlite3_stmt *st = db_cached(f->db, FETCHDB_INSERT_SQL);

	sqlite3_bind_int64(st, 1, r->time);
	sqlite3_bind_int64(st, 2, r->duration_ms);
	fetchdb_text(st, 3, r->addr);
	fetchdb_text(st, 4, domain);
	sqlite3_bind_int(st, 5, r->hosted);
	fetchdb_text(st, 6, r->sni);
	fetchdb_text(st, 7, r->host);
	fetchdb_text(st, 8, r->path);
	sqlite3_bind_int(st, 9, r->status);
	fetchdb_text(st, 10, r->failure);
	fetchdb_text(st, 11, r->tls);
	return db_step_done(f->db, st, "insert a fetch", err);
}

/* Keeps the newest limit rows of domain: the number deleted, or -1. */
static long long
fetchdb_cap(struct fetchdb *f, const char *domain, long long limit,
    struct buf *err)
{
	sqlite3_stmt *st = db_prepare(f->db, FETCHDB_COUNT_SQL);
	long long n = 0;

	fetchdb_text(st, 1, domain);
	if (sqlite3_step(st) == SQLITE_ROW)
		n = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	if (n <= limit)
		return 0;
	st = db_prepare(f->db, FETCHDB_CAP_SQL);
	fetchdb_text(st, 1, domain);
	sqlite3_bind_int64(st, 2, n - limit);
	if (db_step_done(f->db, st, "delete the oldest fetches", err) < 0)
		return -1;
	return sqlite3_changes(f->db);
}

/* Has domain come before index i of the batch? */
static int
fetchdb_seen_before(char (*domains)[FETCHLOG_NAME_MAX + 1], size_t i)
{
	size_t j;

	for (j = 0; j < i; j++)
		if (strcmp(domains[j], domains[i]) == 0)
			return 1;
	return 0;
}

long long
fetchdb_store(struct fetchdb *f, const struct fetchrec *recs, size_t n,
    long long limit, struct buf *err)
{
	char (*domains)[FETCHLOG_NAME_MAX + 1];
	long long capped = 0, k;
	size_t i;

	if (n == 0)
		return 0;
	if (db_begin(f->db, err) < 0)
		return -1;
	domains = xcalloc(n, sizeof(*domains));
	for (i = 0; i < n; i++) {
		fetchdb_row_domain(&recs[i], domains[i], sizeof(domains[i]));
		if (fetchdb_insert(f, &recs[i], domains[i], err) < 0)
			goto fail;
	}
	for (i = 0; i < n; i++) {
		if (fetchdb_seen_before(domains, i))
			continue;
		if ((k = fetchdb_cap(f, domains[i], limit, err)) < 0)
			goto fail;
		capped += k;
	}
	free(domains);
	if (db_commit(f->db, err) < 0)
		return -1;
	return capped;
fail:
	free(domains);
	db_rollback(f->db);
	return -1;
}

long long
fetchdb_prune(struct fetchdb *f, time_t before, struct buf *err)
{
	long long total = 0;
	sqlite3_stmt *st;
	int n;

	do {
		if (db_begin(f->db, err) < 0)
			return -1;
		st = db_prepare(f->db, FETCHDB_PRUNE_SQL);
		sqlite3_bind_int64(st, 1, (sqlite3_int64)before);
		sqlite3_bind_int(st, 2, FETCHDB_PRUNE_BATCH);
		if (db_step_done(f->db, st, "delete old fetches", err) < 0) {
			db_rollback(f->db);
			return -1;
		}
		n = sqlite3_changes(f->db);
		if (db_commit(f->db, err) < 0)
			return -1;
		total += n;
	} while (n == FETCHDB_PRUNE_BATCH);
	return total;
}

static const char *
fetchdb_col(sqlite3_stmt *st, int col)
{
	const char *s = (const char *)sqlite3_column_text(st, col);

	return s ? s : "";
}

static void
fetchdb_row_read(sqlite3_stmt *st, struct fetchdb_row *row)
{
	struct fetchrec *r = &row->rec;

	memset(row, 0, sizeof(*row));
	row->id = sqlite3_column_int64(st, 0);
	r->time = sqlite3_column_int64(st, 1);
	r->duration_ms = (unsigned)sqlite3_column_int64(st, 2);
	snprintf(r->addr, sizeof(r->addr), "%s", fetchdb_col(st, 3));
	row->domain = fetchdb_col(st, 4);
	r->hosted = sqlite3_column_int(st, 5);
	snprintf(r->sni, sizeof(r->sni), "%s", fetchdb_col(st, 6));
	snprintf(r->host, sizeof(r->host), "%s", fetchdb_col(st, 7));
	snprintf(r->path, sizeof(r->path), "%s", fetchdb_col(st, 8));
	r->status = sqlite3_column_int(st, 9);
	snprintf(r->failure, sizeof(r->failure), "%s", fetchdb_col(st, 10));
	snprintf(r->tls, sizeof(r->tls), "%s", fetchdb_col(st, 11));
}

int
fetchdb_list(struct fetchdb *f, const char *domain, time_t since,
    long long limit, fetchdb_handler handler, void *arg, struct buf *err)
{
	sqlite3_stmt *st = db_prepare(f->db, FETCHDB_LIST_SQL);
	struct fetchdb_row row;
	int rc;

	fetchdb_text(st, 1, domain);
	sqlite3_bind_int64(st, 2, (sqlite3_int64)since);
	sqlite3_bind_int64(st, 3, limit);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		fetchdb_row_read(st, &row);
		handler(&row, arg);
	}
	if (rc != SQLITE_DONE)
		return db_step_error(f->db, st, "list fetches", err);
	sqlite3_finalize(st);
	return 0;
}

/* One kind of outcome: "answered with HTTP 404 (1 time)". */
static void
fetchdb_explain_kind(struct buf *line, int status, const char *failure,
    long long n, const char *sni_max, const char *sni_min)
{
	if (status == 0)
		buf_printf(line, "the TLS handshake failed: %s (%lld %s",
		    failure, n, plural(n, "time", "times"));
	else if (status == 200)
		buf_printf(line, "the policy was served (HTTP 200, %lld %s",
		    n, plural(n, "time", "times"));
	else
		buf_printf(line, "answered with HTTP %d (%lld %s", status, n,
		    plural(n, "time", "times"));
	if (sni_max[0] == '\0') {
		buf_puts(line, ", no SNI)");
		return;
	}
	buf_puts(line, ", SNI ");
	esc_text(line, sni_min);
	if (strcmp(sni_min, sni_max) != 0) {
		buf_puts(line, " ... ");
		esc_text(line, sni_max);
	}
	buf_putc(line, ')');
}

int
fetchdb_explain(struct fetchdb *f, const char *addr, time_t from,
    time_t until, struct buf *line, struct buf *err)
{
	sqlite3_stmt *st = db_prepare(f->db, FETCHDB_EXPLAIN_SQL);
	int rc, kinds = 0;

	fetchdb_text(st, 1, addr);
	sqlite3_bind_int64(st, 2, (sqlite3_int64)from);
	sqlite3_bind_int64(st, 3, (sqlite3_int64)until);
	sqlite3_bind_int(st, 4, FETCHDB_EXPLAIN_KINDS);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		if (kinds++ > 0)
			buf_puts(line, "; ");
		fetchdb_explain_kind(line, sqlite3_column_int(st, 0),
		    fetchdb_col(st, 1), sqlite3_column_int64(st, 2),
		    fetchdb_col(st, 3), fetchdb_col(st, 4));
	}
	if (rc != SQLITE_DONE)
		return db_step_error(f->db, st, "look up fetches", err);
	sqlite3_finalize(st);
	if (kinds == 0) {
		buf_puts(line, "no fetch arrived from ");
		esc_text(line, addr);
	}
	return 0;
}

#define FETCHDB_FETCH_ERROR	"sts-policy-fetch-error"	/* RFC 8460 4.3.2.1 */
#define FETCHDB_WEBPKI_INVALID	"sts-webpki-invalid"

/* The time of the oldest row, or 0 when there is none. */
static time_t
fetchdb_oldest(struct fetchdb *f)
{
	sqlite3_stmt *st = db_prepare(f->db, "SELECT min(time) FROM fetches");
	time_t t = 0;

	if (sqlite3_step(st) == SQLITE_ROW)
		t = (time_t)sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	return t;
}

int
fetchdb_failure_line(struct fetchdb *f, const char *type, const char *ip,
    time_t from, time_t until, struct buf *line)
{
	char addr[FETCHLOG_ADDR_MAX + 1];
	struct buf err = BUF_INIT;
	time_t oldest;

	if (type == NULL || (strcmp(type, FETCHDB_FETCH_ERROR) != 0 &&
	    strcmp(type, FETCHDB_WEBPKI_INVALID) != 0))
		return 0;
	if (f == NULL) {
		buf_puts(line, "no fetch records to compare with (no "
		    FETCHDB_FILE "; see httpd_fetch_log)");
		return 1;
	}
	if (ip == NULL) {
		buf_puts(line, "the failure gives no sending-mta-ip: the "
		    "fetches of this sender cannot be told from others'");
		return 1;
	}
	if (fetchlog_canon_addr(ip, addr) != 0) {
		buf_puts(line, "the sending-mta-ip is not an IP address: ");
		esc_text(line, ip);
		return 1;
	}
	if (fetchdb_explain(f, addr, from, until, line, &err) < 0) {
		buf_puts(line, "the fetch records cannot be read: ");
		buf_puts(line, err.s);
	} else if ((oldest = fetchdb_oldest(f)) == 0 || oldest > until) {
		buf_puts(line, " (no records kept from that time: "
		    "fetch_log_days)");
	}
	buf_free(&err);
	return 1;
}
