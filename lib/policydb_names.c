/*
 * policydb_names - policy.db's history of names (the last policy id
 * and cache horizon of every name ever hosted) and the marks of HTTPS
 * before DNS (a domain's policy served, the domains waiting for it);
 * see policydb.h.
 * SPDX-License-Identifier: ISC
 *
 * May touch: policy.db's tables domain_names and domains (its served
 * column), through the caller's handle.
 */
#include "config.h"

#include <stdlib.h>

#include "mymalloc.h"
#include "policydb.h"
#include "policydb_sql.h"
#include "sqldb.h"

int
policydb_name_get(struct policydb *pdb, const char *name, char **last_id,
    long long *cached_until, struct buf *err)
{
	struct sqldb *db = pdb->db;
	struct sqldb_stmt *st;
	int rc;

	*last_id = NULL;
	*cached_until = 0;
	st = sqldb_cached(db, "SELECT last_id, cached_until FROM domain_names"
	    " WHERE name = ?");
	sqldb_bind_text(st, 1, name);
	if ((rc = sqldb_step_row(st, "read name history", err)) <= 0)
		return rc;
	*last_id = xstrdup(policydb_text(st, 0));
	*cached_until = sqldb_int(st, 1);
	sqldb_finish(st);
	return 1;
}

/*
 * Ids compare as strings (policy_id_new makes each greater than the
 * last); SQLite's BINARY collation is that order, and PostgreSQL's C
 * (lib/sqldb refuses another).  Neither value ever
 * goes back, whatever the clock does.
 */
int
policydb_name_put(struct policydb *pdb, const char *name, const char *last_id,
    long long cached_until, struct buf *err)
{
	struct sqldb *db = pdb->db;
	struct sqldb_stmt *st;

	st = sqldb_cached(db, "INSERT INTO domain_names (name, last_id,"
	    " cached_until) VALUES (?1, ?2, ?3) ON CONFLICT (name) DO UPDATE"
	    " SET last_id = CASE WHEN excluded.last_id > domain_names.last_id"
	    " THEN excluded.last_id ELSE domain_names.last_id END,"
	    " cached_until = CASE WHEN excluded.cached_until >"
	    " domain_names.cached_until THEN excluded.cached_until"
	    " ELSE domain_names.cached_until END");
	sqldb_bind_text(st, 1, name);
	sqldb_bind_text(st, 2, last_id);
	sqldb_bind_int64(st, 3, cached_until);
	if (sqldb_step_done(st, "store name history", err) < 0)
		return -1;
	return 0;
}

/*
 * HTTPS before DNS.
 */
int
policydb_set_served(struct policydb *pdb, const char *name, long long when,
    struct buf *err)
{
	struct sqldb *db = pdb->db;
	struct sqldb_stmt *st;

	st = sqldb_cached(db, "UPDATE domains SET served = ?2 WHERE name = ?1"
	    " AND served IS NULL");
	sqldb_bind_text(st, 1, name);
	sqldb_bind_int64(st, 2, when);
	if (sqldb_step_done(st, "record a served certificate", err) < 0)
		return -1;
	return sqldb_changes(db);
}

int
policydb_waiting(struct policydb *pdb, size_t max, char ***vp, size_t *np,
    struct buf *err)
{
	struct sqldb *db = pdb->db;
	struct sqldb_stmt *st;
	char **v = xcalloc(max + 1, sizeof(*v));
	size_t n = 0;
	int rc;

	st = sqldb_cached(db, "SELECT name FROM domains WHERE served IS NULL"
	    " AND state IN ('active', 'retiring') ORDER BY name LIMIT ?");
	sqldb_bind_int64(st, 1, (long long)max);
	while (n < max && (rc = sqldb_step(st)) == SQLDB_ROW)
		v[n++] = xstrdup(policydb_text(st, 0));
	if (n < max && rc != SQLDB_DONE) {
		while (n > 0)
			free(v[--n]);
		free(v);
		return sqldb_step_error(st, "list domains waiting", err);
	}
	sqldb_finish(st);
	*vp = v;
	*np = n;
	return 0;
}

