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

#include "buf.h"
#include "mymalloc.h"
#include "policydb.h"
#include "policydb_alertsub.h"
#include "policydb_sql.h"
#include "sqldb.h"

#define ALERTSUB_COLUMNS "id, domain, kind, target, created, account"
#define ALERTSUB_INITIAL 8		/* rows of a list, to start with */

static void
policydb_alertsub_row(struct sqldb_stmt *st, struct policydb_alertsub *s)
{
	memset(s, 0, sizeof(*s));
	s->id = sqldb_int(st, 0);
	s->domain = xstrdup(policydb_text(st, 1));
	s->kind = xstrdup(policydb_text(st, 2));
	s->target = xstrdup(policydb_text(st, 3));
	s->created = sqldb_int(st, 4);
	s->account = xstrdup(policydb_text(st, 5));
}

int
policydb_alertsub_add(struct policydb *pdb, struct policydb_alertsub *s,
    struct buf *err)
{
	struct sqldb_stmt *st;
	int rc;

	/* A subscription already there returns no row (UNIQUE). */
	st = sqldb_cached(pdb->db, "INSERT INTO alert_subscriptions (domain,"
	    " kind, target, created, account) VALUES (?, ?, ?, ?, ?)"
	    " ON CONFLICT DO NOTHING RETURNING id");
	sqldb_bind_text(st, 1, s->domain);
	sqldb_bind_text(st, 2, s->kind);
	sqldb_bind_text(st, 3, s->target);
	sqldb_bind_int64(st, 4, s->created);
	sqldb_bind_text(st, 5, s->account);
	if ((rc = sqldb_step_id(st, "store alert subscription", &s->id,
	    err)) == 0)
		buf_printf(err, "%s: %s %s: already subscribed", s->domain,
		    s->kind, s->target);
	return rc > 0 ? 0 : -1;
}

long long
policydb_alertsub_count(struct policydb *pdb, const char *domain)
{
	return policydb_int_of(pdb, "SELECT COUNT(*) FROM alert_subscriptions"
	    " WHERE domain = ?", domain);
}

int
policydb_alertsub_list(struct policydb *pdb, const char *domain,
    struct policydb_alertsub **vp, size_t *np, struct buf *err)
{
	struct policydb_alertsub *v = NULL;
	size_t n = 0, cap = 0;
	struct sqldb_stmt *st;
	int rc;

	if (domain != NULL) {
		st = sqldb_cached(pdb->db, "SELECT " ALERTSUB_COLUMNS " FROM"
		    " alert_subscriptions WHERE domain = ? ORDER BY id");
		sqldb_bind_text(st, 1, domain);
	} else
		st = sqldb_cached(pdb->db, "SELECT " ALERTSUB_COLUMNS " FROM"
		    " alert_subscriptions ORDER BY domain, id");
	while ((rc = sqldb_step(st)) == SQLDB_ROW) {
		v = xgrowarray(v, n, &cap, ALERTSUB_INITIAL, sizeof(*v));
		policydb_alertsub_row(st, &v[n++]);
	}
	if (rc != SQLDB_DONE) {
		policydb_alertsubs_free(v, n);
		return sqldb_step_error(st, "read alert subscriptions",
		    err);
	}
	sqldb_finish(st);
	*vp = v;
	*np = n;
	return 0;
}

int
policydb_alertsub_get(struct policydb *pdb, const char *domain, long long id,
    struct policydb_alertsub *s, struct buf *err)
{
	struct sqldb_stmt *st;
	int rc;

	st = sqldb_cached(pdb->db, "SELECT " ALERTSUB_COLUMNS " FROM"
	    " alert_subscriptions WHERE domain = ? AND id = ?");
	sqldb_bind_text(st, 1, domain);
	sqldb_bind_int64(st, 2, id);
	if ((rc = sqldb_step_row(st, "read alert subscription", err))
	    <= 0)
		return rc;
	policydb_alertsub_row(st, s);
	sqldb_finish(st);
	return 1;
}

int
policydb_alertsub_delete(struct policydb *pdb, long long id, struct buf *err)
{
	struct sqldb_stmt *st;

	st = sqldb_cached(pdb->db, "DELETE FROM alert_subscriptions WHERE id = ?");
	sqldb_bind_int64(st, 1, id);
	return sqldb_step_done(st, "remove alert subscription", err);
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
