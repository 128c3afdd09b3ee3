/*
 * policydb_follow - policy.db shared by several policyd processes (one
 * per node) on PostgreSQL: the changed domains announced at commit
 * (NOTIFY POLICYDB_CHANNEL), and the name's lock under which a new
 * policy id is made; see policydb.h.
 * SPDX-License-Identifier: ISC
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "log.h"
#include "mymalloc.h"
#include "policydb.h"
#include "policydb_sql.h"
#include "sqldb.h"

/* Nothing is kept on SQLite: nobody else is there to hear it. */
void
policydb_changed(struct policydb *pdb, const char *name)
{
	if (sqldb_engine(pdb->db) == SQLDB_SQLITE || pdb->changed_all)
		return;
	if (pdb->nchanged > 0 &&
	    strcmp(pdb->changed[pdb->nchanged - 1], name) == 0)
		return;
	if (pdb->nchanged == POLICYDB_CHANGED_MAX) {
		policydb_changed_clear(pdb);
		pdb->changed_all = 1;
		return;
	}
	pdb->changed = xreallocarray(pdb->changed, pdb->nchanged + 1,
	    sizeof(*pdb->changed));
	pdb->changed[pdb->nchanged++] = xstrdup(name);
}

void
policydb_changed_clear(struct policydb *pdb)
{
	xfreev(pdb->changed, pdb->nchanged);
	pdb->changed = NULL;
	pdb->nchanged = 0;
	pdb->changed_all = 0;
}

/* Names separated by spaces, SQLDB_NOTIFY_MAX bytes at most each. */
int
policydb_announce(struct policydb *pdb, struct buf *err)
{
	struct buf b = BUF_INIT;
	size_t i, len;
	int rc = 0;

	if (pdb->changed_all)
		return sqldb_notify(pdb->db, POLICYDB_CHANNEL,
		    POLICYDB_CHANGED_ALL, err);
	for (i = 0; i < pdb->nchanged && rc == 0; i++) {
		len = strlen(pdb->changed[i]);
		if (b.len > 0 && b.len + 1 + len > SQLDB_NOTIFY_MAX) {
			rc = sqldb_notify(pdb->db, POLICYDB_CHANNEL, b.s, err);
			buf_reset(&b);
		}
		buf_printf(&b, "%s%s", b.len > 0 ? " " : "", pdb->changed[i]);
	}
	if (rc == 0 && b.len > 0)
		rc = sqldb_notify(pdb->db, POLICYDB_CHANNEL, b.s, err);
	buf_free(&b);
	return rc;
}

/*
 * A payload as received: POLICYDB_CHANGED_ALL (1), or names separated
 * by spaces (0, *names malloc'd, each name too).
 */
int
policydb_changes_parse(const char *payload, char ***names, size_t *n)
{
	const char *p = payload, *e;
	char **v = NULL;
	size_t k = 0;

	*names = NULL;
	*n = 0;
	if (strcmp(payload, POLICYDB_CHANGED_ALL) == 0)
		return 1;
	while (*p != '\0') {
		while (*p == ' ')
			p++;
		if (*p == '\0')
			break;
		for (e = p; *e != '\0' && *e != ' '; e++)
			;
		v = xreallocarray(v, k + 1, sizeof(*v));
		v[k++] = xstrndup(p, (size_t)(e - p));
		p = e;
	}
	*names = v;
	*n = k;
	return 0;
}

/*
 * PostgreSQL: the row is made when missing (last_id "", which every id
 * is greater than: read as none) and locked until the transaction
 * ends, so that a second policyd that gives the name an id waits for
 * this one's and sees it.
 */
int
policydb_name_lock(struct policydb *pdb, const char *name, char **last_id,
    long long *cached_until, struct buf *err)
{
	struct sqldb_stmt *st;
	int rc;

	if (sqldb_engine(pdb->db) == SQLDB_SQLITE)
		return policydb_name_get(pdb, name, last_id, cached_until, err);
	*last_id = NULL;
	*cached_until = 0;
	st = sqldb_cached(pdb->db, "INSERT INTO domain_names (name, last_id,"
	    " cached_until) VALUES (?1, '', 0) ON CONFLICT (name) DO NOTHING");
	sqldb_bind_text(st, 1, name);
	if (sqldb_step_done(st, "lock name history", err) < 0)
		return -1;
	st = sqldb_cached(pdb->db, "SELECT last_id, cached_until FROM"
	    " domain_names WHERE name = ?1 FOR UPDATE");
	sqldb_bind_text(st, 1, name);
	if ((rc = sqldb_step_row(st, "lock name history", err)) <= 0)
		return rc;
	if (*policydb_text(st, 0) != '\0')
		*last_id = xstrdup(policydb_text(st, 0));
	*cached_until = sqldb_int(st, 1);
	sqldb_finish(st);
	return *last_id != NULL;
}
