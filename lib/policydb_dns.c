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

#include "db.h"
#include "mymalloc.h"
#include "policydb.h"
#include "policydb_sqlite.h"

/*
 * dnsmon's checks.
 */
int
policydb_monitor_get(struct policydb *pdb, const char *domain,
    long long *checked, long long *next)
{
	sqlite3_stmt *st;
	int found = 0;

	*checked = 0;
	*next = 0;
	st = db_cached(pdb->db, "SELECT checked, next FROM domain_monitor"
	    " WHERE domain = ?");
	sqlite3_bind_text(st, 1, domain, -1, SQLITE_STATIC);
	if (sqlite3_step(st) == SQLITE_ROW) {
		*checked = sqlite3_column_int64(st, 0);
		*next = sqlite3_column_int64(st, 1);	/* NULL: 0 */
		found = 1;
	}
	db_finish(st);
	return found;
}

size_t
policydb_checks_get(struct policydb *pdb, const char *domain, size_t max,
    struct policydb_check **vp)
{
	struct policydb_check *v = NULL;
	sqlite3_stmt *st;
	size_t n = 0;

	st = db_cached(pdb->db, "SELECT name, host, status, since, data FROM"
	    " domain_checks WHERE domain = ? ORDER BY pos");
	sqlite3_bind_text(st, 1, domain, -1, SQLITE_STATIC);
	while (n < max && sqlite3_step(st) == SQLITE_ROW) {
		v = xreallocarray(v, n + 1, sizeof(*v));
		v[n].name = xstrdup(policydb_text(st, 0));
		v[n].host = xstrdup(policydb_text(st, 1));
		v[n].status = xstrdup(policydb_text(st, 2));
		v[n].since = sqlite3_column_int64(st, 3);
		v[n].data = xstrdup(policydb_text(st, 4));
		n++;
	}
	db_finish(st);
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
	sqlite3 *db = pdb->db;
	sqlite3_stmt *st;
	size_t i;

	st = db_cached(db, "INSERT INTO domain_monitor (domain, checked, next)"
	    " VALUES (?1, ?2, ?3) ON CONFLICT (domain) DO UPDATE SET"
	    " checked = ?2, next = ?3");
	sqlite3_bind_text(st, 1, domain, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 2, checked);
	if (next > 0)
		sqlite3_bind_int64(st, 3, next);
	else
		sqlite3_bind_null(st, 3);
	if (db_step_done(db, st, "store check time", err) < 0)
		return -1;

	st = db_cached(db, "DELETE FROM domain_checks WHERE domain = ?");
	sqlite3_bind_text(st, 1, domain, -1, SQLITE_STATIC);
	if (db_step_done(db, st, "delete checks", err) < 0)
		return -1;

	st = db_cached(db, "INSERT INTO domain_checks (domain, pos, name,"
	    " host, status, since, data) VALUES (?, ?, ?, ?, ?, ?, ?)");
	for (i = 0; i < n; i++) {
		sqlite3_reset(st);
		sqlite3_bind_text(st, 1, domain, -1, SQLITE_STATIC);
		sqlite3_bind_int64(st, 2, (sqlite3_int64)i);
		sqlite3_bind_text(st, 3, v[i].name, -1, SQLITE_STATIC);
		sqlite3_bind_text(st, 4, v[i].host, -1, SQLITE_STATIC);
		sqlite3_bind_text(st, 5, v[i].status, -1, SQLITE_STATIC);
		sqlite3_bind_int64(st, 6, v[i].since);
		sqlite3_bind_text(st, 7, v[i].data, -1, SQLITE_STATIC);
		if (sqlite3_step(st) != SQLITE_DONE)
			return db_step_error(db, st, "store check", err);
	}
	db_finish(st);
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

/* The rua function of policydb_publish_sync, for SQL. */
struct policydb_rua {
	char	*(*rua)(const char *, void *);
	void	*arg;
};

static const char *
policydb_opt(sqlite3_stmt *st, int i)
{
	return (const char *)sqlite3_column_text(st, i);
}

static char *
policydb_opt_dup(sqlite3_stmt *st, int i)
{
	return policydb_opt(st, i) ? xstrdup(policydb_opt(st, i)) : NULL;
}

static long long
policydb_opt_int(sqlite3_stmt *st, int i)
{
	return sqlite3_column_type(st, i) == SQLITE_NULL ? POLICYDB_NONE :
	    sqlite3_column_int64(st, i);
}

static void
policydb_bind_opt(sqlite3_stmt *st, int i, const char *s)
{
	if (s != NULL)
		sqlite3_bind_text(st, i, s, -1, SQLITE_TRANSIENT);
	else
		sqlite3_bind_null(st, i);
}

int
policydb_publish_want(struct policydb *pdb, const char *domain,
    const char *id, const char *rua, long long now, struct buf *err)
{
	sqlite3_stmt *st;

	if (id == NULL) {
		/* Nothing was ever asked for: nothing to delete. */
		st = db_cached(pdb->db, "UPDATE dns_publish SET want_id = NULL,"
		    " want_rua = NULL, pending = 1, attempts = 0, next_try = ?2"
		    " WHERE domain = ?1");
	} else
		st = db_cached(pdb->db, "INSERT INTO dns_publish (domain,"
		    " want_id, want_rua, pending, attempts, next_try) VALUES"
		    " (?1, ?3, ?4, 1, 0, ?2) ON CONFLICT (domain) DO UPDATE SET"
		    " want_id = ?3, want_rua = ?4, pending = 1, attempts = 0,"
		    " next_try = ?2");
	sqlite3_bind_text(st, 1, domain, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 2, now);
	if (id != NULL) {
		sqlite3_bind_text(st, 3, id, -1, SQLITE_STATIC);
		sqlite3_bind_text(st, 4, rua ? rua : "", -1, SQLITE_STATIC);
	}
	if (db_step_done(pdb->db, st, "store DNS publication", err) < 0)
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

static int
policydb_publish_queue(sqlite3 *db, long long now, struct buf *err)
{
	sqlite3_stmt *st;

	st = db_cached(db, "INSERT INTO dns_publish (domain, want_id,"
	    " want_rua, pending, attempts, next_try)"
	    " SELECT d.name, d.policy_id, publish_rua(d.name), 1, 0, ?1"
	    " FROM domains d LEFT JOIN dns_publish p ON p.domain = d.name"
	    " WHERE d.state IN ('active', 'retiring') AND (p.domain IS NULL"
	    " OR p.want_id IS NOT d.policy_id"
	    " OR p.want_rua IS NOT publish_rua(d.name))"
	    " ON CONFLICT (domain) DO UPDATE SET want_id = excluded.want_id,"
	    " want_rua = excluded.want_rua, pending = 1, attempts = 0,"
	    " next_try = ?1");
	sqlite3_bind_int64(st, 1, now);
	if (db_step_done(db, st, "queue DNS publications", err) < 0)
		return -1;
	st = db_cached(db, "UPDATE dns_publish SET want_id = NULL,"
	    " want_rua = NULL, pending = 1, attempts = 0, next_try = ?1"
	    " WHERE want_id IS NOT NULL AND domain NOT IN (SELECT name"
	    " FROM domains WHERE state IN ('active', 'retiring'))");
	sqlite3_bind_int64(st, 1, now);
	if (db_step_done(db, st, "queue DNS deletions", err) < 0)
		return -1;
	return 0;
}

int
policydb_publish_sync(struct policydb *pdb,
    char *(*rua)(const char *domain, void *), void *arg, long long now,
    struct buf *err)
{
	struct policydb_rua r = { rua, arg };
	sqlite3 *db = pdb->db;
	int rc;

	/* r lives until the statements that call it are done. */
	if (sqlite3_create_function(db, "publish_rua", 1, SQLITE_UTF8 |
	    SQLITE_DETERMINISTIC, &r, policydb_rua_sql, NULL,
	    NULL) != SQLITE_OK) {
		buf_printf(err, "define SQL function publish_rua: %s",
		    sqlite3_errmsg(db));
		return -1;
	}
	if (db_begin(db, err) < 0)
		rc = -1;
	else if ((rc = policydb_publish_queue(db, now, err)) < 0 ||
	    db_commit(db, err) < 0) {
		db_rollback(db);
		rc = -1;
	}
	sqlite3_create_function(db, "publish_rua", 1, SQLITE_UTF8, NULL, NULL,
	    NULL, NULL);
	return rc;
}

void
policydb_publish_free(struct policydb_publish_item *v, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		free(v[i].domain);
		free(v[i].id);
		free(v[i].rua);
	}
	free(v);
}

int
policydb_publish_due(struct policydb *pdb, long long now, size_t max,
    struct policydb_publish_item **vp, size_t *np, struct buf *err)
{
	struct policydb_publish_item *v;
	sqlite3_stmt *st;
	size_t n = 0;
	int rc;

	v = xcalloc(max ? max : 1, sizeof(*v));
	st = db_cached(pdb->db, "SELECT domain, want_id, want_rua FROM"
	    " dns_publish WHERE pending = 1 AND next_try <= ? AND"
	    POLICYDB_SENDABLE " ORDER BY next_try, domain LIMIT ?");
	sqlite3_bind_int64(st, 1, now);
	sqlite3_bind_int64(st, 2, (sqlite3_int64)max);
	while (n < max && (rc = sqlite3_step(st)) == SQLITE_ROW) {
		v[n].domain = xstrdup(policydb_opt(st, 0));
		v[n].id = policydb_opt_dup(st, 1);
		v[n].rua = xstrdup(policydb_opt(st, 2) ? policydb_opt(st, 2) :
		    "");
		n++;
	}
	if (n < max && rc != SQLITE_DONE) {
		policydb_publish_free(v, n);
		return db_step_error(pdb->db, st, "list DNS publications", err);
	}
	db_finish(st);
	*vp = v;
	*np = n;
	return 0;
}

long long
policydb_publish_next(struct policydb *pdb)
{
	return policydb_int(db_cached(pdb->db, "SELECT MIN(next_try)"
	    " FROM dns_publish WHERE pending = 1 AND" POLICYDB_SENDABLE), -1);
}

int
policydb_publish_succeeded(struct policydb *pdb,
    const struct policydb_publish_item *it, long long now, struct buf *err)
{
	sqlite3 *db = pdb->db;
	sqlite3_stmt *st;

	/* A change that came meanwhile stays pending, due at once. */
	st = db_cached(db, "UPDATE dns_publish SET published_id = ?2,"
	    " published_rua = ?3, published_at = ?4, last_try = ?4,"
	    " last_error = NULL, attempts = 0,"
	    " pending = (want_id IS NOT ?2 OR want_rua IS NOT ?3)"
	    " WHERE domain = ?1");
	sqlite3_bind_text(st, 1, it->domain, -1, SQLITE_STATIC);
	policydb_bind_opt(st, 2, it->id);
	policydb_bind_opt(st, 3, it->id ? it->rua : NULL);
	sqlite3_bind_int64(st, 4, now);
	if (db_step_done(db, st, "store DNS publication", err) < 0)
		return -1;
	st = db_cached(db, "DELETE FROM dns_publish WHERE domain = ?"
	    " AND pending = 0 AND want_id IS NULL");
	sqlite3_bind_text(st, 1, it->domain, -1, SQLITE_STATIC);
	if (db_step_done(db, st, "forget DNS records", err) < 0)
		return -1;
	return 0;
}

long long
policydb_publish_attempts(struct policydb *pdb, const char *domain)
{
	sqlite3_stmt *st;

	st = db_cached(pdb->db, "SELECT attempts FROM dns_publish"
	    " WHERE domain = ?");
	sqlite3_bind_text(st, 1, domain, -1, SQLITE_STATIC);
	return policydb_int(st, 0);
}

int
policydb_publish_failed(struct policydb *pdb, const char *domain,
    long long attempts, long long next_try, long long now, const char *error,
    struct buf *err)
{
	sqlite3_stmt *st;

	st = db_cached(pdb->db, "UPDATE dns_publish SET attempts = ?2,"
	    " next_try = ?3, last_try = ?4, last_error = ?5 WHERE domain = ?1");
	sqlite3_bind_text(st, 1, domain, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 2, attempts);
	sqlite3_bind_int64(st, 3, next_try);
	sqlite3_bind_int64(st, 4, now);
	sqlite3_bind_text(st, 5, error, -1, SQLITE_STATIC);
	if (db_step_done(pdb->db, st, "store DNS failure", err) < 0)
		return -1;
	return 0;
}

int
policydb_publish_state(struct policydb *pdb, const char *domain,
    struct policydb_publish_state *s)
{
	sqlite3_stmt *st;
	int found = 0;

	memset(s, 0, sizeof(*s));
	st = db_cached(pdb->db, "SELECT want_id, published_id, pending,"
	    " attempts, next_try, last_try, last_error, published_at"
	    " FROM dns_publish WHERE domain = ?");
	sqlite3_bind_text(st, 1, domain, -1, SQLITE_STATIC);
	if (sqlite3_step(st) == SQLITE_ROW) {
		s->want_id = policydb_opt_dup(st, 0);
		s->published_id = policydb_opt_dup(st, 1);
		s->pending = sqlite3_column_int(st, 2) != 0;
		s->attempts = sqlite3_column_int64(st, 3);
		s->next_try = s->pending ? policydb_opt_int(st, 4) :
		    POLICYDB_NONE;
		s->last_try = policydb_opt_int(st, 5);
		s->last_error = policydb_opt_dup(st, 6);
		s->published_at = policydb_opt_int(st, 7);
		found = 1;
	}
	db_finish(st);
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
