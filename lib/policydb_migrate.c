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

#include <sqlite3.h>

#include "buf.h"
#include "db.h"
#include "mymalloc.h"
#include "policydb.h"
#include "policydb_sqlite.h"

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
policydb_migration_row(sqlite3_stmt *st, struct policydb_migration *m)
{
	memset(m, 0, sizeof(*m));
	m->domain = xstrdup(policydb_text(st, 0));
	m->step = xstrdup(policydb_text(st, 1));
	m->start_mx = policydb_migration_split(policydb_text(st, 2));
	m->add_mx = policydb_migration_split(policydb_text(st, 3));
	m->remove_mx = policydb_migration_split(policydb_text(st, 4));
	m->started = sqlite3_column_int64(st, 5);
	m->step_since = sqlite3_column_int64(st, 6);
	m->deadline = sqlite3_column_int64(st, 7);	/* NULL: 0 */
	if (sqlite3_column_type(st, 8) != SQLITE_NULL)
		m->waits_for = xstrdup(policydb_text(st, 8));
	m->ended = sqlite3_column_int64(st, 9);
}

int
policydb_migration_get(struct policydb *pdb, const char *domain,
    struct policydb_migration *m, struct buf *err)
{
	sqlite3_stmt *st;
	int rc;

	st = db_prepare(pdb->db, "SELECT " MIGRATION_COLUMNS
	    " FROM domain_migrations WHERE domain = ?");
	sqlite3_bind_text(st, 1, domain, -1, SQLITE_STATIC);
	if ((rc = db_step_row(pdb->db, st, "read migration", err)) <= 0)
		return rc;
	policydb_migration_row(st, m);
	db_finish(st);
	return 1;
}

static void
policydb_bind_time(sqlite3_stmt *st, int i, long long t)
{
	if (t == 0)
		sqlite3_bind_null(st, i);
	else
		sqlite3_bind_int64(st, i, t);
}

int
policydb_migration_put(struct policydb *pdb,
    const struct policydb_migration *m, struct buf *err)
{
	char *start = policydb_migration_join(m->start_mx);
	char *add = policydb_migration_join(m->add_mx);
	char *rm = policydb_migration_join(m->remove_mx);
	sqlite3_stmt *st;
	int rc;

	st = db_prepare(pdb->db, "INSERT OR REPLACE INTO domain_migrations ("
	    MIGRATION_COLUMNS ") VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)");
	sqlite3_bind_text(st, 1, m->domain, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, m->step, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 3, start, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 4, add, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 5, rm, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 6, m->started);
	sqlite3_bind_int64(st, 7, m->step_since);
	policydb_bind_time(st, 8, m->deadline);
	if (m->waits_for != NULL)
		sqlite3_bind_text(st, 9, m->waits_for, -1, SQLITE_STATIC);
	else
		sqlite3_bind_null(st, 9);
	policydb_bind_time(st, 10, m->ended);
	rc = db_step_done(pdb->db, st, "store migration", err);
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
	sqlite3_stmt *st;
	size_t n = 0;
	int rc;

	st = db_prepare(pdb->db, "SELECT " MIGRATION_COLUMNS
	    " FROM domain_migrations WHERE ended IS NULL ORDER BY domain");
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		v = xreallocarray(v, n + 1, sizeof(*v));
		policydb_migration_row(st, &v[n++]);
	}
	if (rc != SQLITE_DONE) {
		policydb_migrations_free(v, n);
		return db_step_error(pdb->db, st, "read migrations", err);
	}
	sqlite3_finalize(st);
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
