/*
 * policydb_alertsub - policy.db's alert subscriptions; see
 * policydb_alertsub.h.
 * SPDX-License-Identifier: ISC
 *
 * May touch: policy.db's table alert_subscriptions, through the
 * caller's handle.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include <sqlite3.h>

#include "buf.h"
#include "db.h"
#include "mymalloc.h"
#include "policydb.h"
#include "policydb_alertsub.h"
#include "policydb_sqlite.h"

#define ALERTSUB_COLUMNS "id, domain, kind, target, created, account"
#define ALERTSUB_INITIAL 8		/* rows of a list, to start with */

static void
policydb_alertsub_row(sqlite3_stmt *st, struct policydb_alertsub *s)
{
	memset(s, 0, sizeof(*s));
	s->id = sqlite3_column_int64(st, 0);
	s->domain = xstrdup(policydb_text(st, 1));
	s->kind = xstrdup(policydb_text(st, 2));
	s->target = xstrdup(policydb_text(st, 3));
	s->created = sqlite3_column_int64(st, 4);
	s->account = xstrdup(policydb_text(st, 5));
}

int
policydb_alertsub_add(struct policydb *pdb, struct policydb_alertsub *s,
    struct buf *err)
{
	sqlite3_stmt *st;
	int rc;

	st = db_cached(pdb->db, "INSERT INTO alert_subscriptions (domain,"
	    " kind, target, created, account) VALUES (?, ?, ?, ?, ?)");
	sqlite3_bind_text(st, 1, s->domain, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, s->kind, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 3, s->target, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 4, s->created);
	sqlite3_bind_text(st, 5, s->account, -1, SQLITE_STATIC);
	if ((rc = sqlite3_step(st)) == SQLITE_CONSTRAINT &&
	    sqlite3_extended_errcode(pdb->db) == SQLITE_CONSTRAINT_UNIQUE) {
		db_finish(st);
		buf_printf(err, "%s: %s %s: already subscribed", s->domain,
		    s->kind, s->target);
		return -1;
	}
	if (rc != SQLITE_DONE)
		return db_step_error(pdb->db, st, "store alert subscription",
		    err);
	db_finish(st);
	s->id = sqlite3_last_insert_rowid(pdb->db);
	return 0;
}

long long
policydb_alertsub_count(struct policydb *pdb, const char *domain)
{
	sqlite3_stmt *st;

	st = db_cached(pdb->db, "SELECT COUNT(*) FROM alert_subscriptions"
	    " WHERE domain = ?");
	sqlite3_bind_text(st, 1, domain, -1, SQLITE_STATIC);
	return policydb_int(st, 0);
}

int
policydb_alertsub_list(struct policydb *pdb, const char *domain,
    struct policydb_alertsub **vp, size_t *np, struct buf *err)
{
	struct policydb_alertsub *v = NULL;
	size_t n = 0, cap = 0;
	sqlite3_stmt *st;
	int rc;

	if (domain != NULL) {
		st = db_cached(pdb->db, "SELECT " ALERTSUB_COLUMNS " FROM"
		    " alert_subscriptions WHERE domain = ? ORDER BY id");
		sqlite3_bind_text(st, 1, domain, -1, SQLITE_STATIC);
	} else
		st = db_cached(pdb->db, "SELECT " ALERTSUB_COLUMNS " FROM"
		    " alert_subscriptions ORDER BY domain, id");
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		v = xgrowarray(v, n, &cap, ALERTSUB_INITIAL, sizeof(*v));
		policydb_alertsub_row(st, &v[n++]);
	}
	if (rc != SQLITE_DONE) {
		policydb_alertsubs_free(v, n);
		return db_step_error(pdb->db, st, "read alert subscriptions",
		    err);
	}
	db_finish(st);
	*vp = v;
	*np = n;
	return 0;
}

int
policydb_alertsub_get(struct policydb *pdb, const char *domain, long long id,
    struct policydb_alertsub *s, struct buf *err)
{
	sqlite3_stmt *st;
	int rc;

	st = db_cached(pdb->db, "SELECT " ALERTSUB_COLUMNS " FROM"
	    " alert_subscriptions WHERE domain = ? AND id = ?");
	sqlite3_bind_text(st, 1, domain, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 2, id);
	if ((rc = db_step_row(pdb->db, st, "read alert subscription", err))
	    <= 0)
		return rc;
	policydb_alertsub_row(st, s);
	db_finish(st);
	return 1;
}

int
policydb_alertsub_delete(struct policydb *pdb, long long id, struct buf *err)
{
	sqlite3_stmt *st;

	st = db_cached(pdb->db, "DELETE FROM alert_subscriptions WHERE id = ?");
	sqlite3_bind_int64(st, 1, id);
	return db_step_done(pdb->db, st, "remove alert subscription", err);
}

void
policydb_alertsub_clear(struct policydb_alertsub *s)
{
	free(s->domain);
	free(s->kind);
	free(s->target);
	free(s->account);
	memset(s, 0, sizeof(*s));
}

void
policydb_alertsubs_free(struct policydb_alertsub *v, size_t n)
{
	XFREE_EACH(v, n, policydb_alertsub_clear);
}
