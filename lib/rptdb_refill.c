/*
 * rptdb_refill - rptdb_hosted_fill(): the hosted domain of every stored
 * policy made to follow the list of hosted domains, with the rows kept
 * by domain and the reporters of the domains it moved between; see
 * rptdb.h.
 * SPDX-License-Identifier: ISC
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "log.h"
#include "mymalloc.h"
#include "rptdb.h"
#include "rptdb_sql.h"
#include "sqldb.h"

/* 1 when the hosted domains a and b (either NULL) differ. */
static int
rptdb_refill_differ(const char *a, const char *b)
{
	if (a == NULL || b == NULL)
		return a != b;
	return strcmp(a, b) != 0;
}

/*
 * The rows kept by domain (migration 6) of the policies of policy-domain
 * pdomain, made again after their hosted domain went from was to now
 * (either NULL): their rows under was and pdomain go, the rows of the
 * policies as they are now come, and the reporters of was and now are
 * summed again from domain_policies.  Reports.db has no index of
 * policies by domain (migration 7): pdomain's policies are those of the
 * reports in its range of domain_policies (every report with a policy
 * of it has a counted one there), kept in temp.rptdb_refill before the
 * rows go (RPTDB_REFILL_REPORTS_SQL), and looked up by report.
 */
#define RPTDB_REFILL_TABLE_SQL "CREATE TEMP TABLE IF NOT EXISTS" \
	" rptdb_refill (report BIGINT PRIMARY KEY)"
static const char *const rptdb_refill_reports_sql[] = {
	"DELETE FROM rptdb_refill",
	"INSERT INTO rptdb_refill SELECT DISTINCT report FROM"
	" domain_policies WHERE domain = ?1 ON CONFLICT DO NOTHING",
};
#define RPTDB_REFILL_POLICIES "p.report IN (SELECT report FROM" \
	" rptdb_refill) AND p.domain = ?2"
static const char *const rptdb_refill_sql[] = {
	"DELETE FROM domain_policies WHERE domain = ?1 AND policy IN"
	" (SELECT p.id FROM policies p WHERE " RPTDB_REFILL_POLICIES ")",
	"DELETE FROM domain_failures WHERE domain = ?1 AND policy IN"
	" (SELECT p.id FROM policies p WHERE " RPTDB_REFILL_POLICIES ")",
};
static const char *const rptdb_refill_new_sql[] = {
	"INSERT INTO domain_policies "
	RPTDB_DOMAIN_POLICIES_SQL(RPTDB_REFILL_POLICIES)
	" ON CONFLICT DO NOTHING",
	"INSERT INTO domain_failures "
	RPTDB_DOMAIN_FAILURES_SQL(RPTDB_REFILL_POLICIES)
	" ON CONFLICT DO NOTHING",
	"DELETE FROM reporters WHERE domain = ?1",
	"INSERT INTO reporters " RPTDB_REPORTERS_SQL("domain = ?1"),
};

/* Each statement of sql with ?1 key (NULL: none run) and ?2 pdomain. */
static int
rptdb_refill_run(struct rptdb *s, const char *const *sql, size_t n,
    const char *key, const char *pdomain, struct buf *err)
{
	struct sqldb_stmt *st;
	size_t i;
	int rc = 0;

	/* Cached: a list that changed for many domains runs them often. */
	for (i = 0; i < n && rc == 0 && key != NULL; i++) {
		st = sqldb_cached(s->db, sql[i]);
		if (sqldb_params(st) >= 1)
			rptdb_text(st, 1, key);
		if (sqldb_params(st) >= 2)
			rptdb_text(st, 2, pdomain);
		rc = rptdb_step(s, st, "rows by domain", err);
		sqldb_finish(st);
	}
	return rc;
}

#define RPTDB_NELEM(a)	(sizeof(a) / sizeof((a)[0]))

static int
rptdb_refill_before(struct rptdb *s, const char *pdomain,
    const char *was, struct buf *err)
{
	if (rptdb_refill_run(s, rptdb_refill_reports_sql,
	    RPTDB_NELEM(rptdb_refill_reports_sql), pdomain, NULL,
	    err) < 0)
		return -1;
	if (rptdb_refill_run(s, rptdb_refill_sql,
	    RPTDB_NELEM(rptdb_refill_sql), was, pdomain, err) < 0)
		return -1;
	return rptdb_refill_run(s, rptdb_refill_sql,
	    RPTDB_NELEM(rptdb_refill_sql), pdomain, pdomain, err);
}

static int
rptdb_refill_after(struct rptdb *s, const char *pdomain,
    const char *was, const char *now, struct buf *err)
{
	/* The policies' rows once (under either key), then reporters. */
	if (rptdb_refill_run(s, rptdb_refill_new_sql, 2, pdomain,
	    pdomain, err) < 0)
		return -1;
	if (rptdb_refill_run(s, rptdb_refill_new_sql + 2, 2, was,
	    pdomain, err) < 0)
		return -1;
	return rptdb_refill_run(s, rptdb_refill_new_sql + 2, 2, now,
	    pdomain, err);
}

int
rptdb_hosted_fill(struct rptdb *s, rptdb_hosted_fn *hosted, void *arg,
    struct buf *err)
{
	struct sqldb_stmt *sel, *upd;
	const char *domain, *was, *match;
	char **pairs = NULL;	/* domain, was, hosted domain or NULL, ... */
	size_t n = 0, i;
	struct sqldb *db = s->db;
	int rc = 0;

	/* Read first: most runs have nothing to change and take no lock. */
	sel = sqldb_cached_rows(db, "SELECT DISTINCT domain, hosted_domain"
	    " FROM policies WHERE domain IS NOT NULL");
	while (sqldb_step(sel) == SQLDB_ROW) {
		domain = sqldb_text(sel, 0);
		was = sqldb_text(sel, 1);
		match = hosted(arg, domain);
		if (!rptdb_refill_differ(was, match))
			continue;
		pairs = xreallocarray(pairs, n + 3, sizeof(*pairs));
		pairs[n++] = xstrdup(domain);
		pairs[n++] = was ? xstrdup(was) : NULL;
		pairs[n++] = match ? xstrdup(match) : NULL;
	}
	sqldb_finish(sel);
	if (n == 0)
		return 0;
	if (sqldb_begin(db, err) < 0) {
		rc = -1;
		goto out;
	}
	if (sqldb_exec(db, RPTDB_REFILL_TABLE_SQL, err) < 0) {
		sqldb_rollback(db);
		rc = -1;
		goto out;
	}
	upd = sqldb_cached(db, "UPDATE policies SET hosted_domain = ?1 WHERE"
	    " id IN (SELECT p.id FROM policies p WHERE " RPTDB_REFILL_POLICIES
	    ") AND hosted_domain IS DISTINCT FROM ?1");
	for (i = 0; i < n && rc == 0; i += 3) {
		if (rptdb_refill_before(s, pairs[i], pairs[i + 1],
		    err) < 0) {
			rc = -1;
			break;
		}
		rptdb_text(upd, 1, pairs[i + 2]);
		rptdb_text(upd, 2, pairs[i]);
		rc = rptdb_step(s, upd, "update hosted domain", err);
		if (rc == 0)
			rc = rptdb_refill_after(s, pairs[i], pairs[i + 1],
			    pairs[i + 2], err);
	}
	sqldb_finish(upd);
	if (rc < 0)
		sqldb_rollback(db);
	else
		rc = sqldb_commit(db, err);
	if (rc == 0)
		log_info("reports.db: hosted domain of %zu policy-domains"
		    " changed with the list of hosted domains", n / 3);
out:
	for (i = 0; i < n; i++)
		free(pairs[i]);
	free(pairs);
	return rc;
}
