/*
 * policydb_node - policy.db's nodes and leases; see policydb_node.h.
 * SPDX-License-Identifier: ISC
 *
 * May touch: policy.db's tables nodes and leases, through the caller's
 * handle.
 *
 * The statements differ between the engines only in the expression of
 * the database's clock: each is a macro of that expression, written
 * once, and NODE_PICK() takes the text of the engine.  The clock is
 * read once per statement on both (SQLite's 'now' is fixed for a step,
 * PostgreSQL's now() for a transaction).
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "mymalloc.h"
#include "policydb.h"
#include "policydb_node.h"
#include "policydb_sql.h"
#include "sqldb.h"

/* The database's clock, in whole seconds since the epoch. */
#define NODE_NOW_SQLITE	"CAST(strftime('%s', 'now') AS INTEGER)"
#define NODE_NOW_PG	"CAST(FLOOR(EXTRACT(EPOCH FROM now())) AS BIGINT)"

#define NODE_INITIAL	8		/* rows of a list, to start with */

/* The statement M(now) of the engine. */
#define NODE_PICK(pdb, M) \
	(sqldb_engine((pdb)->db) == SQLDB_SQLITE ? M(NODE_NOW_SQLITE) : \
	    M(NODE_NOW_PG))

#define NODE_HEARTBEAT(now) \
	"INSERT INTO nodes (name, heartbeat, version, started) VALUES (?1, " \
	now ", ?2, " now ") ON CONFLICT (name) DO UPDATE SET heartbeat =" \
	" excluded.heartbeat, version = excluded.version RETURNING heartbeat"
#define NODE_HEARTBEAT_START(now) \
	"INSERT INTO nodes (name, heartbeat, version, started) VALUES (?1, " \
	now ", ?2, " now ") ON CONFLICT (name) DO UPDATE SET heartbeat =" \
	" excluded.heartbeat, version = excluded.version, started =" \
	" excluded.started RETURNING heartbeat"
/*
 * The WHERE of DO UPDATE is evaluated on the row as it is once locked:
 * a renewal, or an expired lease; no row comes back when another node
 * holds it.
 */
#define NODE_LEASE_TAKE(now) \
	"INSERT INTO leases (work, holder, expires) VALUES (?1, ?2, " now \
	" + ?3) ON CONFLICT (work) DO UPDATE SET holder = excluded.holder," \
	" expires = excluded.expires WHERE leases.holder = excluded.holder" \
	" OR leases.expires <= " now " RETURNING work, holder, expires, " now
#define NODE_LEASE_GET(now) \
	"SELECT work, holder, expires, " now " FROM leases WHERE work = ?1"
#define NODE_LEASES(now) \
	"SELECT holder, work FROM leases WHERE expires > " now \
	" ORDER BY holder, work"
#define NODE_LIST(now) \
	"SELECT name, heartbeat, version, started, " now " FROM nodes" \
	" ORDER BY name"

int
policydb_node_heartbeat(struct policydb *pdb, const char *name,
    const char *version, int start, long long *now, struct buf *err)
{
	struct sqldb_stmt *st;
	int rc;

	st = sqldb_cached(pdb->db, start ? NODE_PICK(pdb,
	    NODE_HEARTBEAT_START) : NODE_PICK(pdb, NODE_HEARTBEAT));
	sqldb_bind_text(st, 1, name);
	sqldb_bind_text(st, 2, version);
	if ((rc = sqldb_step_id(st, "store the node's heartbeat", now,
	    err)) == 0)
		buf_printf(err, "node %s: its heartbeat was not stored", name);
	return rc > 0 ? 0 : -1;
}

static void
policydb_lease_row(struct sqldb_stmt *st, struct policydb_lease *l)
{
	memset(l, 0, sizeof(*l));
	l->work = xstrdup(policydb_text(st, 0));
	l->holder = xstrdup(policydb_text(st, 1));
	l->expires = sqldb_int(st, 2);
	l->now = sqldb_int(st, 3);
}

int
policydb_lease_get(struct policydb *pdb, const char *work,
    struct policydb_lease *l, struct buf *err)
{
	struct sqldb_stmt *st;
	int rc;

	memset(l, 0, sizeof(*l));
	st = sqldb_cached(pdb->db, NODE_PICK(pdb, NODE_LEASE_GET));
	sqldb_bind_text(st, 1, work);
	if ((rc = sqldb_step_row(st, "read the lease", err)) <= 0)
		return rc;
	policydb_lease_row(st, l);
	sqldb_finish(st);
	return 1;
}

int
policydb_lease_take(struct policydb *pdb, const char *work, const char *node,
    long long secs, struct policydb_lease *l, struct buf *err)
{
	struct sqldb_stmt *st;
	int rc;

	memset(l, 0, sizeof(*l));
	st = sqldb_cached(pdb->db, NODE_PICK(pdb, NODE_LEASE_TAKE));
	sqldb_bind_text(st, 1, work);
	sqldb_bind_text(st, 2, node);
	sqldb_bind_int64(st, 3, secs);
	if ((rc = sqldb_step_row(st, "take the lease", err)) < 0)
		return -1;
	if (rc == 1) {
		policydb_lease_row(st, l);
		if (sqldb_step(st) != SQLDB_DONE) {
			policydb_lease_clear(l);
			return sqldb_step_error(st, "take the lease", err);
		}
		sqldb_finish(st);
		return 1;
	}
	if (policydb_lease_get(pdb, work, l, err) < 0)
		return -1;
	if (l->work == NULL)
		l->work = xstrdup(work);
	return 0;
}

int
policydb_lease_release(struct policydb *pdb, const char *work,
    const char *node, struct buf *err)
{
	struct sqldb_stmt *st;

	if (work == NULL) {
		st = sqldb_cached(pdb->db, "DELETE FROM leases WHERE holder = ?1");
		sqldb_bind_text(st, 1, node);
	} else {
		st = sqldb_cached(pdb->db, "DELETE FROM leases WHERE holder = ?1"
		    " AND work = ?2");
		sqldb_bind_text(st, 1, node);
		sqldb_bind_text(st, 2, work);
	}
	return sqldb_step_done(st, "release the lease", err);
}

static void
policydb_node_row(struct sqldb_stmt *st, struct policydb_node *n)
{
	memset(n, 0, sizeof(*n));
	n->name = xstrdup(policydb_text(st, 0));
	n->heartbeat = sqldb_int(st, 1);
	n->version = xstrdup(policydb_text(st, 2));
	n->started = sqldb_int(st, 3);
	n->now = sqldb_int(st, 4);
}

/* The unexpired leases, each to its holder in v (by name). */
static int
policydb_node_leases(struct policydb *pdb, struct policydb_node *v, size_t n,
    struct buf *err)
{
	struct sqldb_stmt *st;
	const char *holder;
	size_t i;
	int rc;

	st = sqldb_cached(pdb->db, NODE_PICK(pdb, NODE_LEASES));
	while ((rc = sqldb_step(st)) == SQLDB_ROW) {
		holder = policydb_text(st, 0);
		for (i = 0; i < n && strcmp(v[i].name, holder) != 0; i++)
			;
		if (i == n)
			continue;
		v[i].leases = xreallocarray(v[i].leases, v[i].nleases + 1,
		    sizeof(char *));
		v[i].leases[v[i].nleases++] = xstrdup(policydb_text(st, 1));
	}
	if (rc != SQLDB_DONE)
		return sqldb_step_error(st, "read the leases", err);
	sqldb_finish(st);
	return 0;
}

int
policydb_node_list(struct policydb *pdb, struct policydb_node **vp,
    size_t *np, struct buf *err)
{
	struct policydb_node *v = NULL;
	size_t n = 0, cap = 0;
	struct sqldb_stmt *st;
	int rc;

	st = sqldb_cached(pdb->db, NODE_PICK(pdb, NODE_LIST));
	while ((rc = sqldb_step(st)) == SQLDB_ROW) {
		v = xgrowarray(v, n, &cap, NODE_INITIAL, sizeof(*v));
		policydb_node_row(st, &v[n++]);
	}
	if (rc != SQLDB_DONE) {
		policydb_nodes_free(v, n);
		return sqldb_step_error(st, "read the nodes", err);
	}
	sqldb_finish(st);
	if (policydb_node_leases(pdb, v, n, err) < 0) {
		policydb_nodes_free(v, n);
		return -1;
	}
	*vp = v;
	*np = n;
	return 0;
}

void
policydb_lease_clear(struct policydb_lease *l)
{
	free(l->work);
	free(l->holder);
	memset(l, 0, sizeof(*l));
}

void
policydb_node_clear(struct policydb_node *n)
{
	free(n->name);
	free(n->version);
	xfreev(n->leases, n->nleases);
	memset(n, 0, sizeof(*n));
}

void
policydb_nodes_free(struct policydb_node *v, size_t n)
{
	XFREE_EACH(v, n, policydb_node_clear);
}
