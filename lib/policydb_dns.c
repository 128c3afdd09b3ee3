/*
 * policydb_dns - policy.db's tables of dnsmon's checks and of DNS
 * publication; see policydb.h.
 * SPDX-License-Identifier: ISC
 *
 * Each check of dnsmon is stored whole, as the JSON text policyd was
 * given, with its name, host and status in columns so that policyd
 * can carry over the time since a status began.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include <sqlite3.h>

#include "mymalloc.h"
#include "policydb.h"
#include "policydb_sql.h"
#include "sqldb.h"

/*
 * dnsmon's checks.
 */
int
policydb_monitor_get(struct policydb *pdb, const char *domain,
    long long *checked, long long *next)
{
	struct sqldb_stmt *st;
	int found = 0;

	*checked = 0;
	*next = 0;
	st = sqldb_cached(pdb->db, "SELECT checked, next FROM domain_monitor"
	    " WHERE domain = ?");
	sqldb_bind_text(st, 1, domain);
	if (sqldb_step(st) == SQLDB_ROW) {
		*checked = sqldb_int(st, 0);
		*next = sqldb_int(st, 1);	/* NULL: 0 */
		found = 1;
	}
	sqldb_finish(st);
	return found;
}

size_t
policydb_checks_get(struct policydb *pdb, const char *domain, size_t max,
    struct policydb_check **vp)
{
	struct policydb_check *v = NULL;
	struct sqldb_stmt *st;
	size_t n = 0;

	st = sqldb_cached(pdb->db, "SELECT name, host, status, since, data FROM"
	    " domain_checks WHERE domain = ? ORDER BY pos");
	sqldb_bind_text(st, 1, domain);
	while (n < max && sqldb_step(st) == SQLDB_ROW) {
		v = xreallocarray(v, n + 1, sizeof(*v));
		v[n].name = xstrdup(policydb_text(st, 0));
		v[n].host = xstrdup(policydb_text(st, 1));
		v[n].status = xstrdup(policydb_text(st, 2));
		v[n].since = sqldb_int(st, 3);
		v[n].data = xstrdup(policydb_text(st, 4));
		n++;
	}
	sqldb_finish(st);
	*vp = v;
	return n;
}

void
policydb_checks_free(struct policydb_check *v, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		free(v[i].name);
		free(v[i].host);
		free(v[i].status);
		free(v[i].data);
	}
	free(v);
}

int
policydb_monitor_put(struct policydb *pdb, const char *domain,
    long long checked, long long next, const struct policydb_check *v,
    size_t n, struct buf *err)
{
	struct sqldb *db = pdb->db;
	struct sqldb_stmt *st;
	size_t i;

	st = sqldb_cached(db, "INSERT INTO domain_monitor (domain, checked, next)"
	    " VALUES (?1, ?2, ?3) ON CONFLICT (domain) DO UPDATE SET"
	    " checked = ?2, next = ?3");
	sqldb_bind_text(st, 1, domain);
	sqldb_bind_int64(st, 2, checked);
	if (next > 0)
		sqldb_bind_int64(st, 3, next);
	else
		sqldb_bind_null(st, 3);
	if (sqldb_step_done(st, "store check time", err) < 0)
		return -1;

	st = sqldb_cached(db, "DELETE FROM domain_checks WHERE domain = ?");
	sqldb_bind_text(st, 1, domain);
	if (sqldb_step_done(st, "delete checks", err) < 0)
		return -1;

	st = sqldb_cached(db, "INSERT INTO domain_checks (domain, pos, name,"
	    " host, status, since, data) VALUES (?, ?, ?, ?, ?, ?, ?)");
	for (i = 0; i < n; i++) {
		sqldb_reset(st);
		sqldb_bind_text(st, 1, domain);
		sqldb_bind_int64(st, 2, (long long)i);
		sqldb_bind_text(st, 3, v[i].name);
		sqldb_bind_text(st, 4, v[i].host);
		sqldb_bind_text(st, 5, v[i].status);
		sqldb_bind_int64(st, 6, v[i].since);
		sqldb_bind_text(st, 7, v[i].data);
		if (sqldb_step(st) != SQLDB_DONE)
			return sqldb_step_error(st, "store check", err);
	}
	sqldb_finish(st);
	return 0;
}

/*
 * DNS publication.
 */
/*
 * A row may be sent: a deletion always; an id only once httpd served
 * the domain with a valid certificate (domains.served; RFC 8461
 * section 8.1: HTTPS before DNS, for a new domain too).
 */
#define POLICYDB_SENDABLE \
	" (want_id IS NULL OR EXISTS (SELECT 1 FROM domains d" \
	" WHERE d.name = dns_publish.domain AND d.served IS NOT NULL))"

#define POLICYDB_SYNC_PAGE	1000	/* domains read at a time (sync) */

static void policydb_publish_free_items(struct policydb_publish_item *,
    size_t);

/* The rua function of policydb_publish_sync, for SQL. */
struct policydb_rua {
	char	*(*rua)(const char *, void *);
	void	*arg;
};

static const char *
policydb_opt(struct sqldb_stmt *st, int i)
{
	return sqldb_text(st, i);
}

static char *
policydb_opt_dup(struct sqldb_stmt *st, int i)
{
	return policydb_opt(st, i) ? xstrdup(policydb_opt(st, i)) : NULL;
}

static long long
policydb_opt_int(struct sqldb_stmt *st, int i)
{
	return sqldb_null(st, i) ? POLICYDB_NONE :
	    sqldb_int(st, i);
}

static void
policydb_bind_opt(struct sqldb_stmt *st, int i, const char *s)
{
	if (s != NULL)
		sqldb_bind_text(st, i, s);
	else
		sqldb_bind_null(st, i);
}

int
policydb_publish_want(struct policydb *pdb, const char *domain,
    const char *id, const char *rua, long long now, struct buf *err)
{
	struct sqldb_stmt *st;

	if (id == NULL) {
		/* Nothing was ever asked for: nothing to delete. */
		st = sqldb_cached(pdb->db, "UPDATE dns_publish SET want_id = NULL,"
		    " want_rua = NULL, pending = 1, attempts = 0, next_try = ?2"
		    " WHERE domain = ?1");
	} else
		st = sqldb_cached(pdb->db, "INSERT INTO dns_publish (domain,"
		    " want_id, want_rua, pending, attempts, next_try) VALUES"
		    " (?1, ?3, ?4, 1, 0, ?2) ON CONFLICT (domain) DO UPDATE SET"
		    " want_id = ?3, want_rua = ?4, pending = 1, attempts = 0,"
		    " next_try = ?2");
	sqldb_bind_text(st, 1, domain);
	sqldb_bind_int64(st, 2, now);
	if (id != NULL) {
		sqldb_bind_text(st, 3, id);
		sqldb_bind_text(st, 4, rua ? rua : "");
	}
	if (sqldb_step_done(st, "store DNS publication", err) < 0)
		return -1;
	return 0;
}

/*
 * SQL publish_rua(domain): the rua the domain's TLSRPT record must have
 * now, "" when there is none (as policydb_publish_want() stores it).
 */
static void
policydb_rua_sql(sqlite3_context *ctx, int argc, sqlite3_value **argv)
{
	const struct policydb_rua *r = sqlite3_user_data(ctx);
	const char *domain = (const char *)sqlite3_value_text(argv[0]);
	char *rua;

	rua = domain ? r->rua(domain, r->arg) : NULL;
	if (rua != NULL)
		sqlite3_result_text(ctx, rua, -1, free);
	else
		sqlite3_result_text(ctx, "", 0, SQLITE_STATIC);
}

/* The servable domains whose record is not what they want: pending. */
static int
policydb_publish_queue(struct sqldb *db, long long now, struct buf *err)
{
	struct sqldb_stmt *st;

	st = sqldb_cached(db, "INSERT INTO dns_publish (domain, want_id,"
	    " want_rua, pending, attempts, next_try)"
	    " SELECT d.name, d.policy_id, publish_rua(d.name), 1, 0, ?1"
	    " FROM domains d LEFT JOIN dns_publish p ON p.domain = d.name"
	    " WHERE d.state IN ('active', 'retiring') AND (p.domain IS NULL"
	    " OR p.want_id IS NOT d.policy_id"
	    " OR p.want_rua IS NOT publish_rua(d.name))"
	    " ON CONFLICT (domain) DO UPDATE SET want_id = excluded.want_id,"
	    " want_rua = excluded.want_rua, pending = 1, attempts = 0,"
	    " next_try = ?1");
	sqldb_bind_int64(st, 1, now);
	if (sqldb_step_done(st, "queue DNS publications", err) < 0)
		return -1;
	return 0;
}

/* The rows of domains that are no longer servable: deletions. */
static int
policydb_publish_gone(struct sqldb *db, long long now, struct buf *err)
{
	struct sqldb_stmt *st;

	st = sqldb_cached(db, "UPDATE dns_publish SET want_id = NULL,"
	    " want_rua = NULL, pending = 1, attempts = 0, next_try = ?1"
	    " WHERE want_id IS NOT NULL AND domain NOT IN (SELECT name"
	    " FROM domains WHERE state IN ('active', 'retiring'))");
	sqldb_bind_int64(st, 1, now);
	if (sqldb_step_done(st, "queue DNS deletions", err) < 0)
		return -1;
	return 0;
}

/* SQLite: the rua is computed inside the statement (publish_rua()). */
static int
policydb_publish_sync_lite(struct sqldb *db, struct policydb_rua *r,
    long long now, struct buf *err)
{
	sqlite3 *lite = sqldb_sqlite(db);
	int rc;

	/* r lives until the statements that call it are done. */
	if (sqlite3_create_function(lite, "publish_rua", 1, SQLITE_UTF8 |
	    SQLITE_DETERMINISTIC, r, policydb_rua_sql, NULL,
	    NULL) != SQLITE_OK) {
		buf_printf(err, "define SQL function publish_rua: %s",
		    sqlite3_errmsg(lite));
		return -1;
	}
	if (sqldb_begin(db, err) < 0)
		rc = -1;
	else if ((rc = policydb_publish_queue(db, now, err)) < 0 ||
	    (rc = policydb_publish_gone(db, now, err)) < 0 ||
	    sqldb_commit(db, err) < 0) {
		sqldb_rollback(db);
		rc = -1;
	}
	sqlite3_create_function(lite, "publish_rua", 1, SQLITE_UTF8, NULL, NULL,
	    NULL, NULL);
	return rc;
}

static int
policydb_same(const char *a, const char *b)
{
	return a != NULL && b != NULL && strcmp(a, b) == 0;
}

/*
 * The servable domains of one page after *after (moved to its last)
 * whose record is not what they want, into v: their number, or -1.
 */
static long
policydb_publish_page(struct sqldb *db, struct policydb_rua *r,
    char **after, struct policydb_publish_item *v, struct buf *err)
{
	struct sqldb_stmt *st;
	const char *name, *id;
	size_t n = 0, rows = 0;
	char *rua, *next = NULL;
	int rc;

	st = sqldb_cached(db, "SELECT d.name, d.policy_id, p.domain,"
	    " p.want_id, p.want_rua FROM domains d"
	    " LEFT JOIN dns_publish p ON p.domain = d.name"
	    " WHERE d.state IN ('active', 'retiring') AND d.name > ?1"
	    " ORDER BY d.name LIMIT ?2");
	sqldb_bind_text(st, 1, *after);
	sqldb_bind_int64(st, 2, POLICYDB_SYNC_PAGE);
	while ((rc = sqldb_step(st)) == SQLDB_ROW) {
		name = policydb_text(st, 0);
		id = policydb_text(st, 1);
		rows++;
		if ((rua = r->rua(name, r->arg)) == NULL)
			rua = xstrdup("");
		if (!sqldb_null(st, 2) &&
		    policydb_same(sqldb_text(st, 3), id) &&
		    policydb_same(sqldb_text(st, 4), rua)) {
			free(rua);
		} else {
			v[n].domain = xstrdup(name);
			v[n].id = xstrdup(id);
			v[n++].rua = rua;
		}
		if (rows == POLICYDB_SYNC_PAGE)
			next = xstrdup(name);
	}
	if (rc != SQLDB_DONE) {
		free(next);
		policydb_publish_free_items(v, n);
		return sqldb_step_error(st, "read DNS publications", err);
	}
	sqldb_finish(st);
	free(*after);
	*after = next;			/* NULL after the last page */
	return (long)n;
}

static int
policydb_publish_put(struct sqldb *db, const struct policydb_publish_item *it,
    long long now, struct buf *err)
{
	struct sqldb_stmt *st;

	st = sqldb_cached(db, "INSERT INTO dns_publish (domain, want_id,"
	    " want_rua, pending, attempts, next_try) VALUES (?1, ?2, ?3, 1, 0,"
	    " ?4) ON CONFLICT (domain) DO UPDATE SET"
	    " want_id = excluded.want_id, want_rua = excluded.want_rua,"
	    " pending = 1, attempts = 0, next_try = ?4");
	sqldb_bind_text(st, 1, it->domain);
	sqldb_bind_text(st, 2, it->id);
	sqldb_bind_text(st, 3, it->rua);
	sqldb_bind_int64(st, 4, now);
	return sqldb_step_done(st, "queue DNS publications", err);
}

/*
 * Other engines: the rua is computed here, a page of domains at a time
 * (a whole result of POLICYDB_SYNC_PAGE rows), each that differs
 * written before the next page is read.
 */
static int
policydb_publish_sync_pages(struct sqldb *db, struct policydb_rua *r,
    long long now, struct buf *err)
{
	struct policydb_publish_item *v;
	char *after = xstrdup("");
	long n, i;
	int rc = 0;

	v = xcalloc(POLICYDB_SYNC_PAGE, sizeof(*v));
	while (rc == 0 && after != NULL) {
		if ((n = policydb_publish_page(db, r, &after, v, err)) < 0) {
			rc = -1;
			break;
		}
		for (i = 0; i < n && rc == 0; i++)
			rc = policydb_publish_put(db, &v[i], now, err);
		policydb_publish_free_items(v, (size_t)n);
	}
	free(after);
	free(v);
	if (rc == 0)
		rc = policydb_publish_gone(db, now, err);
	return rc;
}

int
policydb_publish_sync(struct policydb *pdb,
    char *(*rua)(const char *domain, void *), void *arg, long long now,
    struct buf *err)
{
	struct policydb_rua r = { rua, arg };
	struct sqldb *db = pdb->db;

	if (sqldb_engine(db) == SQLDB_SQLITE)
		return policydb_publish_sync_lite(db, &r, now, err);
	if (sqldb_begin(db, err) < 0)
		return -1;
	if (policydb_publish_sync_pages(db, &r, now, err) < 0 ||
	    sqldb_commit(db, err) < 0) {
		sqldb_rollback(db);
		return -1;
	}
	return 0;
}

/* Frees the members of v[0..n), not v. */
static void
policydb_publish_free_items(struct policydb_publish_item *v, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		free(v[i].domain);
		free(v[i].id);
		free(v[i].rua);
		memset(&v[i], 0, sizeof(v[i]));
	}
}

void
policydb_publish_free(struct policydb_publish_item *v, size_t n)
{
	policydb_publish_free_items(v, n);
	free(v);
}

int
policydb_publish_due(struct policydb *pdb, long long now, size_t max,
    struct policydb_publish_item **vp, size_t *np, struct buf *err)
{
	struct policydb_publish_item *v;
	struct sqldb_stmt *st;
	size_t n = 0;
	int rc;

	v = xcalloc(max ? max : 1, sizeof(*v));
	st = sqldb_cached(pdb->db, "SELECT domain, want_id, want_rua FROM"
	    " dns_publish WHERE pending = 1 AND next_try <= ? AND"
	    POLICYDB_SENDABLE " ORDER BY next_try, domain LIMIT ?");
	sqldb_bind_int64(st, 1, now);
	sqldb_bind_int64(st, 2, (long long)max);
	while (n < max && (rc = sqldb_step(st)) == SQLDB_ROW) {
		v[n].domain = xstrdup(policydb_opt(st, 0));
		v[n].id = policydb_opt_dup(st, 1);
		v[n].rua = xstrdup(policydb_opt(st, 2) ? policydb_opt(st, 2) :
		    "");
		n++;
	}
	if (n < max && rc != SQLDB_DONE) {
		policydb_publish_free(v, n);
		return sqldb_step_error(st, "list DNS publications", err);
	}
	sqldb_finish(st);
	*vp = v;
	*np = n;
	return 0;
}

long long
policydb_publish_next(struct policydb *pdb)
{
	return policydb_int(sqldb_cached(pdb->db, "SELECT MIN(next_try)"
	    " FROM dns_publish WHERE pending = 1 AND" POLICYDB_SENDABLE), -1);
}

int
policydb_publish_succeeded(struct policydb *pdb,
    const struct policydb_publish_item *it, long long now, struct buf *err)
{
	struct sqldb *db = pdb->db;
	struct sqldb_stmt *st;

	/* A change that came meanwhile stays pending, due at once. */
	st = sqldb_cached(db, "UPDATE dns_publish SET published_id = ?2,"
	    " published_rua = ?3, published_at = ?4, last_try = ?4,"
	    " last_error = NULL, attempts = 0,"
	    " pending = CASE WHEN want_id IS DISTINCT FROM ?2"
	    " OR want_rua IS DISTINCT FROM ?3 THEN 1 ELSE 0 END"
	    " WHERE domain = ?1");
	sqldb_bind_text(st, 1, it->domain);
	policydb_bind_opt(st, 2, it->id);
	policydb_bind_opt(st, 3, it->id ? it->rua : NULL);
	sqldb_bind_int64(st, 4, now);
	if (sqldb_step_done(st, "store DNS publication", err) < 0)
		return -1;
	st = sqldb_cached(db, "DELETE FROM dns_publish WHERE domain = ?"
	    " AND pending = 0 AND want_id IS NULL");
	sqldb_bind_text(st, 1, it->domain);
	if (sqldb_step_done(st, "forget DNS records", err) < 0)
		return -1;
	return 0;
}

long long
policydb_publish_attempts(struct policydb *pdb, const char *domain)
{
	return policydb_int_of(pdb, "SELECT attempts FROM dns_publish"
	    " WHERE domain = ?", domain);
}

int
policydb_publish_failed(struct policydb *pdb, const char *domain,
    long long attempts, long long next_try, long long now, const char *error,
    struct buf *err)
{
	struct sqldb_stmt *st;

	st = sqldb_cached(pdb->db, "UPDATE dns_publish SET attempts = ?2,"
	    " next_try = ?3, last_try = ?4, last_error = ?5 WHERE domain = ?1");
	sqldb_bind_text(st, 1, domain);
	sqldb_bind_int64(st, 2, attempts);
	sqldb_bind_int64(st, 3, next_try);
	sqldb_bind_int64(st, 4, now);
	sqldb_bind_text(st, 5, error);
	if (sqldb_step_done(st, "store DNS failure", err) < 0)
		return -1;
	return 0;
}

int
policydb_publish_state(struct policydb *pdb, const char *domain,
    struct policydb_publish_state *s)
{
	struct sqldb_stmt *st;
	int found = 0;

	memset(s, 0, sizeof(*s));
	st = sqldb_cached(pdb->db, "SELECT want_id, published_id, pending,"
	    " attempts, next_try, last_try, last_error, published_at"
	    " FROM dns_publish WHERE domain = ?");
	sqldb_bind_text(st, 1, domain);
	if (sqldb_step(st) == SQLDB_ROW) {
		s->want_id = policydb_opt_dup(st, 0);
		s->published_id = policydb_opt_dup(st, 1);
		s->pending = sqldb_int(st, 2) != 0;
		s->attempts = sqldb_int(st, 3);
		s->next_try = s->pending ? policydb_opt_int(st, 4) :
		    POLICYDB_NONE;
		s->last_try = policydb_opt_int(st, 5);
		s->last_error = policydb_opt_dup(st, 6);
		s->published_at = policydb_opt_int(st, 7);
		found = 1;
	}
	sqldb_finish(st);
	return found;
}

void
policydb_publish_state_clear(struct policydb_publish_state *s)
{
	free(s->want_id);
	free(s->published_id);
	free(s->last_error);
	memset(s, 0, sizeof(*s));
}
