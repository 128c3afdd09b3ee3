/*
 * policydb_migrate - policy.db's table of MX migration plans; see
 * policydb.h.
 * SPDX-License-Identifier: ISC
 *
 * A plan's mx lists are stored as one text each, the patterns
 * separated by single spaces: a pattern (lib/dnsname) holds no space,
 * and a plan is always read and written whole.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "mymalloc.h"
#include "policydb.h"
#include "policydb_sql.h"
#include "sqldb.h"

#define MIGRATION_COLUMNS \
	"domain, step, start_mx, add_mx, remove_mx, started, step_since, " \
	"deadline, waits_for, ended"

/* "a b c" -> {"a", "b", "c", NULL} */
static char **
policydb_migration_split(const char *s)
{
	char **v = xcalloc(1, sizeof(*v));
	size_t n = 0, len;

	while (*s != '\0') {
		len = strcspn(s, " ");
		if (len > 0) {
			v = xreallocarray(v, n + 2, sizeof(*v));
			v[n++] = xstrndup(s, len);
			v[n] = NULL;
		}
		s += len;
		s += strspn(s, " ");
	}
	return v;
}

static char *
policydb_migration_join(char **v)
{
	struct buf b = BUF_INIT;

	for (; v != NULL && *v != NULL; v++)
		buf_printf(&b, "%s%s", b.len ? " " : "", *v);
	return buf_steal(&b);
}

static void
policydb_migration_row(struct sqldb_stmt *st, struct policydb_migration *m)
{
	memset(m, 0, sizeof(*m));
	m->domain = xstrdup(policydb_text(st, 0));
	m->step = xstrdup(policydb_text(st, 1));
	m->start_mx = policydb_migration_split(policydb_text(st, 2));
	m->add_mx = policydb_migration_split(policydb_text(st, 3));
	m->remove_mx = policydb_migration_split(policydb_text(st, 4));
	m->started = sqldb_int(st, 5);
	m->step_since = sqldb_int(st, 6);
	m->deadline = sqldb_int(st, 7);	/* NULL: 0 */
	if (!sqldb_null(st, 8))
		m->waits_for = xstrdup(policydb_text(st, 8));
	m->ended = sqldb_int(st, 9);
}

int
policydb_migration_get(struct policydb *pdb, const char *domain,
    struct policydb_migration *m, struct buf *err)
{
	struct sqldb_stmt *st;
	int rc;

	st = sqldb_cached(pdb->db, "SELECT " MIGRATION_COLUMNS
	    " FROM domain_migrations WHERE domain = ?");
	sqldb_bind_text(st, 1, domain);
	if ((rc = sqldb_step_row(st, "read migration", err)) <= 0)
		return rc;
	policydb_migration_row(st, m);
	sqldb_finish(st);
	return 1;
}

static void
policydb_bind_time(struct sqldb_stmt *st, int i, long long t)
{
	if (t == 0)
		sqldb_bind_null(st, i);
	else
		sqldb_bind_int64(st, i, t);
}

int
policydb_migration_put(struct policydb *pdb,
    const struct policydb_migration *m, struct buf *err)
{
	char *start = policydb_migration_join(m->start_mx);
	char *add = policydb_migration_join(m->add_mx);
	char *rm = policydb_migration_join(m->remove_mx);
	struct sqldb_stmt *st;
	int rc;

	st = sqldb_cached(pdb->db, "INSERT INTO domain_migrations ("
	    MIGRATION_COLUMNS ") VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9,"
	    " ?10) ON CONFLICT (domain) DO UPDATE SET step = ?2,"
	    " start_mx = ?3, add_mx = ?4, remove_mx = ?5, started = ?6,"
	    " step_since = ?7, deadline = ?8, waits_for = ?9, ended = ?10");
	sqldb_bind_text(st, 1, m->domain);
	sqldb_bind_text(st, 2, m->step);
	sqldb_bind_text(st, 3, start);
	sqldb_bind_text(st, 4, add);
	sqldb_bind_text(st, 5, rm);
	sqldb_bind_int64(st, 6, m->started);
	sqldb_bind_int64(st, 7, m->step_since);
	policydb_bind_time(st, 8, m->deadline);
	if (m->waits_for != NULL)
		sqldb_bind_text(st, 9, m->waits_for);
	else
		sqldb_bind_null(st, 9);
	policydb_bind_time(st, 10, m->ended);
	rc = sqldb_step_done(st, "store migration", err);
	free(start);
	free(add);
	free(rm);
	return rc;
}

int
policydb_migration_running(struct policydb *pdb,
    struct policydb_migration **vp, size_t *np, struct buf *err)
{
	struct policydb_migration *v = NULL;
	struct sqldb_stmt *st;
	size_t n = 0;
	int rc;

	st = sqldb_cached(pdb->db, "SELECT " MIGRATION_COLUMNS
	    " FROM domain_migrations WHERE ended IS NULL ORDER BY domain");
	while ((rc = sqldb_step(st)) == SQLDB_ROW) {
		v = xreallocarray(v, n + 1, sizeof(*v));
		policydb_migration_row(st, &v[n++]);
	}
	if (rc != SQLDB_DONE) {
		policydb_migrations_free(v, n);
		return sqldb_step_error(st, "read migrations", err);
	}
	sqldb_finish(st);
	*vp = v;
	*np = n;
	return 0;
}

static void
policydb_strv_free(char **v)
{
	char **p;

	for (p = v; p != NULL && *p != NULL; p++)
		free(*p);
	free(v);
}

void
policydb_migration_clear(struct policydb_migration *m)
{
	free(m->domain);
	free(m->step);
	policydb_strv_free(m->start_mx);
	policydb_strv_free(m->add_mx);
	policydb_strv_free(m->remove_mx);
	free(m->waits_for);
	memset(m, 0, sizeof(*m));
}

void
policydb_migrations_free(struct policydb_migration *v, size_t n)
{
	XFREE_EACH(v, n, policydb_migration_clear);
}
