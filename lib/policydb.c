/*
 * policydb - policy.db's schema and queries; see policydb.h.
 * SPDX-License-Identifier: ISC
 *
 * Listing reads the domains and all their patterns with two ordered
 * queries and merges them, so 100,000 domains cost two statements,
 * not 100,001.  The tables of dnsmon's checks and DNS publication are
 * in policydb_dns.c.
 */
#include "config.h"

#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include "log.h"
#include "mymalloc.h"
#include "policydb.h"
#include "policydb_sql.h"
#include "sqldb.h"

#define POLICYDB_READ_INITIAL	64	/* first allocation of a list */

static const struct sqldb_migration policydb_schema[] = {
	{ 1,
	"CREATE TABLE domains ("
	"  name TEXT PRIMARY KEY NOT NULL,"
	"  state TEXT NOT NULL"
	"    CHECK (state IN ('pending', 'verified', 'active', 'retiring')),"
	"  mode TEXT NOT NULL CHECK (mode IN ('testing', 'enforce', 'none')),"
	"  max_age INTEGER NOT NULL CHECK (max_age BETWEEN 0 AND 31557600),"
	"  policy_id TEXT NOT NULL,"
	"  token TEXT NOT NULL,"
	"  created INTEGER NOT NULL,"
	"  updated INTEGER NOT NULL,"
	"  retire_at INTEGER"
	");"
	"CREATE TABLE domain_mx ("
	"  domain TEXT NOT NULL REFERENCES domains(name) ON DELETE CASCADE,"
	"  pos INTEGER NOT NULL,"
	"  pattern TEXT NOT NULL,"
	"  PRIMARY KEY (domain, pos)"
	");"
	"CREATE INDEX domains_retire_at ON domains(retire_at)"
	"  WHERE retire_at IS NOT NULL;", NULL },
	/* dnsmon's checks and DNS publication. */
	{ 2,
	"CREATE TABLE domain_monitor ("
	"  domain TEXT PRIMARY KEY NOT NULL"
	"    REFERENCES domains(name) ON DELETE CASCADE,"
	"  checked INTEGER NOT NULL"
	");"
	"CREATE TABLE domain_checks ("
	"  domain TEXT NOT NULL"
	"    REFERENCES domain_monitor(domain) ON DELETE CASCADE,"
	"  pos INTEGER NOT NULL,"
	"  name TEXT NOT NULL,"
	"  host TEXT NOT NULL,"
	"  status TEXT NOT NULL,"
	"  since INTEGER NOT NULL,"
	"  data TEXT NOT NULL,"
	"  PRIMARY KEY (domain, pos)"
	");"
	/* Not tied to domains: a removed domain's records are deleted. */
	"CREATE TABLE dns_publish ("
	"  domain TEXT PRIMARY KEY NOT NULL,"
	"  want_id TEXT,"
	"  want_rua TEXT,"
	"  published_id TEXT,"
	"  published_rua TEXT,"
	"  published_at INTEGER,"
	"  pending INTEGER NOT NULL DEFAULT 0,"
	"  attempts INTEGER NOT NULL DEFAULT 0,"
	"  next_try INTEGER NOT NULL DEFAULT 0,"
	"  last_try INTEGER,"
	"  last_error TEXT"
	");"
	"CREATE INDEX dns_publish_due ON dns_publish(next_try)"
	"  WHERE pending = 1;", NULL },
	/*
	 * What a name keeps for the life of the instance, across removals:
	 * the greatest policy id it was given (ids never repeat, RFC 8461
	 * section 3.1) and the latest time a sender's cached copy of a
	 * policy served for it may still be valid (retirement, section
	 * 8.3).  A retiring domain keeps the mode and max_age it had, so
	 * that "domain add" restores it.  Rows of before: the current id;
	 * retire_at stands for the caches of a retiring domain, and the
	 * policy it had is unknown (NULL).
	 */
	{ 3,
	"CREATE TABLE domain_names ("
	"  name TEXT PRIMARY KEY NOT NULL,"
	"  last_id TEXT NOT NULL,"
	"  cached_until INTEGER NOT NULL DEFAULT 0"
	");"
	"INSERT INTO domain_names (name, last_id, cached_until)"
	"  SELECT name, policy_id, COALESCE(retire_at, 0) FROM domains;"
	"ALTER TABLE domains ADD COLUMN prior_mode TEXT"
	"  CHECK (prior_mode IN ('testing', 'enforce', 'none'));"
	"ALTER TABLE domains ADD COLUMN prior_max_age INTEGER"
	"  CHECK (prior_max_age BETWEEN 0 AND 31557600);", NULL },
	/*
	 * HTTPS before DNS for a new domain (RFC 8461 section 8.1): served
	 * is when httpd first said that it serves mta-sts.NAME with a valid
	 * certificate; NULL until then, and the TXT record waits.  Domains
	 * of before were served already.  The partial index keeps the
	 * waiting ones cheap to find among many.
	 */
	{ 4,
	"ALTER TABLE domains ADD COLUMN served INTEGER;"
	"UPDATE domains SET served = updated"
	"  WHERE state IN ('active', 'retiring');"
	"CREATE INDEX domains_unserved ON domains(name) WHERE served IS NULL;",
	NULL },
	/* When dnsmon means to check the domain next. */
	{ 5,
	"ALTER TABLE domain_monitor ADD COLUMN next INTEGER;", NULL },
	/*
	 * MX migration plans (stsctl domain migrate): one per domain, the
	 * last one kept after it ended.  The mx lists are the patterns
	 * separated by one space (a pattern holds none).  deadline is the
	 * end of the step's wait (NULL: none), ended NULL while the plan
	 * runs; the partial index finds the running ones among many.
	 */
	{ 6,
	"CREATE TABLE domain_migrations ("
	"  domain TEXT PRIMARY KEY NOT NULL"
	"    REFERENCES domains(name) ON DELETE CASCADE,"
	"  step TEXT NOT NULL CHECK (step IN ('widened', 'waiting',"
	"    'switch-mx', 'narrowed', 'done', 'aborted')),"
	"  start_mx TEXT NOT NULL,"
	"  add_mx TEXT NOT NULL,"
	"  remove_mx TEXT NOT NULL,"
	"  started INTEGER NOT NULL,"
	"  step_since INTEGER NOT NULL,"
	"  deadline INTEGER,"
	"  waits_for TEXT,"
	"  ended INTEGER"
	");"
	"CREATE INDEX domain_migrations_running ON domain_migrations(domain)"
	"  WHERE ended IS NULL;", NULL },
	/*
	 * Accounts of domain owners (policydb_account.c).  A domain is
	 * managed by one account at most (its primary key), and it need
	 * not be hosted yet: the row says who may add it.  Token ids are
	 * never reused (AUTOINCREMENT), so that an id in an old audit row
	 * names one token.  The audit log is kept when an account goes;
	 * its partial indexes find a domain's or an account's rows among
	 * many, in order.
	 */
	{ 7,
	"CREATE TABLE accounts ("
	"  name TEXT PRIMARY KEY NOT NULL,"
	"  email TEXT NOT NULL,"
	"  password TEXT,"
	"  quota INTEGER NOT NULL CHECK (quota BETWEEN 0 AND 1000000),"
	"  disabled INTEGER NOT NULL DEFAULT 0 CHECK (disabled IN (0, 1)),"
	"  created INTEGER NOT NULL,"
	"  updated INTEGER NOT NULL"
	");"
	"CREATE TABLE account_domains ("
	"  domain TEXT PRIMARY KEY NOT NULL,"
	"  account TEXT NOT NULL REFERENCES accounts(name) ON DELETE CASCADE,"
	"  added INTEGER NOT NULL"
	");"
	"CREATE INDEX account_domains_account"
	"  ON account_domains(account, domain);"
	"CREATE TABLE api_tokens ("
	"  id INTEGER PRIMARY KEY AUTOINCREMENT,"
	"  account TEXT NOT NULL REFERENCES accounts(name) ON DELETE CASCADE,"
	"  hash TEXT NOT NULL UNIQUE,"
	"  access TEXT NOT NULL CHECK (access IN ('read-only', 'read-write')),"
	"  created INTEGER NOT NULL,"
	"  last_used INTEGER,"
	"  revoked INTEGER"
	");"
	"CREATE INDEX api_tokens_account ON api_tokens(account, id);"
	"CREATE TABLE audit_log ("
	"  id INTEGER PRIMARY KEY AUTOINCREMENT,"
	"  time INTEGER NOT NULL,"
	"  actor TEXT NOT NULL,"
	"  origin TEXT NOT NULL,"
	"  action TEXT NOT NULL,"
	"  domain TEXT,"
	"  account TEXT,"
	"  details TEXT NOT NULL"
	");"
	"CREATE INDEX audit_log_domain ON audit_log(domain, id)"
	"  WHERE domain IS NOT NULL;"
	"CREATE INDEX audit_log_account ON audit_log(account, id)"
	"  WHERE account IS NOT NULL;", NULL },
	/*
	 * The ownership proof of a domain an account added itself: the
	 * value of the TXT record _stsd-verify.DOMAIN that dnsmon must
	 * find (NULL: the operator gave the domain, no proof is asked).
	 */
	{ 8,
	"ALTER TABLE account_domains ADD COLUMN proof TEXT;", NULL },
	/*
	 * Alert subscriptions of a domain (policydb_alertsub.c): a mail
	 * address or an https webhook that alerts about the domain also
	 * go to; they go with the domain.  Ids are never reused, so that
	 * an id in an old audit row names one subscription.
	 */
	{ 9,
	"CREATE TABLE alert_subscriptions ("
	"  id INTEGER PRIMARY KEY AUTOINCREMENT,"
	"  domain TEXT NOT NULL REFERENCES domains(name) ON DELETE CASCADE,"
	"  kind TEXT NOT NULL CHECK (kind IN ('mail', 'webhook')),"
	"  target TEXT NOT NULL,"
	"  created INTEGER NOT NULL,"
	"  account TEXT NOT NULL,"
	"  UNIQUE (domain, kind, target)"
	");", NULL },
	/*
	 * Several nodes on one database (policydb_node.c): a row per node
	 * (node_name) with its last heartbeat, and a lease per kind of
	 * work that must happen once, held by one node until it expires.
	 * Times are the database's clock, so that the nodes' clocks do
	 * not matter.  A node's leases go with it.
	 */
	{ 10,
	"CREATE TABLE nodes ("
	"  name TEXT PRIMARY KEY NOT NULL,"
	"  heartbeat INTEGER NOT NULL,"
	"  version TEXT NOT NULL,"
	"  started INTEGER NOT NULL"
	");"
	"CREATE TABLE leases ("
	"  work TEXT PRIMARY KEY NOT NULL,"
	"  holder TEXT NOT NULL REFERENCES nodes(name) ON DELETE CASCADE,"
	"  expires INTEGER NOT NULL"
	");"
	"CREATE INDEX leases_holder ON leases(holder);", NULL },
	{ 0, NULL, NULL }
};

static const char *policydb_state_names[] = {
	[DOMAIN_PENDING] = "pending",
	[DOMAIN_VERIFIED] = "verified",
	[DOMAIN_ACTIVE] = "active",
	[DOMAIN_RETIRING] = "retiring",
};

#define DOMAIN_COLUMNS \
	"name, state, mode, max_age, policy_id, token, created, updated, " \
	"retire_at, prior_mode, prior_max_age"
/* What is read: served is set apart (policydb_set_served). */
#define DOMAIN_READ_COLUMNS DOMAIN_COLUMNS ", served"

const char *
policydb_state_name(enum domain_state s)
{
	return policydb_state_names[s];
}

/* Whether httpd serves the policy of a domain in this state. */
int
policydb_state_servable(enum domain_state s)
{
	return s == DOMAIN_ACTIVE || s == DOMAIN_RETIRING;
}

static enum domain_state
policydb_state_parse(const char *s)
{
	size_t i;

	for (i = 0; i < sizeof(policydb_state_names) /
	    sizeof(*policydb_state_names); i++)
		if (strcmp(s, policydb_state_names[i]) == 0)
			return (enum domain_state)i;
	/* The CHECK constraint makes anything else impossible. */
	log_panic("policy.db: unknown domain state \"%s\"", s);
}

void
policydb_domain_clear(struct domain *d)
{
	free(d->name);
	free(d->mode);
	xfreev(d->mx, d->nmx);
	free(d->policy_id);
	free(d->token);
	free(d->prior_mode);
	memset(d, 0, sizeof(*d));
}

void
policydb_domain_copy(struct domain *dst, const struct domain *src)
{
	size_t i;

	*dst = *src;
	dst->name = xstrdup(src->name);
	dst->mode = xstrdup(src->mode);
	dst->policy_id = xstrdup(src->policy_id);
	dst->token = xstrdup(src->token);
	dst->prior_mode = src->prior_mode ? xstrdup(src->prior_mode) : NULL;
	dst->mx = xreallocarray(NULL, src->nmx + 1, sizeof(char *));
	for (i = 0; i < src->nmx; i++)
		dst->mx[i] = xstrdup(src->mx[i]);
	dst->mx[src->nmx] = NULL;
}

void
policydb_domains_free(struct domain *v, size_t n)
{
	XFREE_EACH(v, n, policydb_domain_clear);
}

struct policydb *
policydb_connect(const struct sqldb_target *t, struct buf *err)
{
	struct policydb *pdb;
	struct sqldb *db;

	if ((db = sqldb_open(t, policydb_schema, err)) == NULL)
		return NULL;
	pdb = xcalloc(1, sizeof(*pdb));
	pdb->db = db;
	return pdb;
}

struct policydb *
policydb_open(const char *path, struct buf *err)
{
	struct sqldb_target t = { SQLDB_SQLITE, POLICYDB_FILE, path, NULL,
	    NULL };

	return policydb_connect(&t, err);
}

void
policydb_close(struct policydb *pdb)
{
	if (pdb == NULL)
		return;
	policydb_changed_clear(pdb);
	sqldb_close(pdb->db);
	free(pdb);
}

int
policydb_schema_version(struct policydb *pdb)
{
	return sqldb_schema_version(pdb->db);
}

int
policydb_lost(struct policydb *pdb)
{
	return sqldb_lost(pdb->db);
}

int
policydb_backend_pid(struct policydb *pdb)
{
	return sqldb_backend_pid(pdb->db);
}

int
policydb_begin(struct policydb *pdb, struct buf *err)
{
	policydb_changed_clear(pdb);
	return sqldb_begin(pdb->db, err);
}

/* The changed domains are announced inside the transaction. */
int
policydb_commit(struct policydb *pdb, struct buf *err)
{
	int rc = policydb_announce(pdb, err);

	policydb_changed_clear(pdb);
	if (rc < 0)
		return -1;
	return sqldb_commit(pdb->db, err);
}

void
policydb_rollback(struct policydb *pdb)
{
	policydb_changed_clear(pdb);
	sqldb_rollback(pdb->db);
}

int
policydb_savepoint(struct policydb *pdb, struct buf *err)
{
	return sqldb_savepoint(pdb->db, err);
}

int
policydb_release(struct policydb *pdb, struct buf *err)
{
	return sqldb_release(pdb->db, err);
}

void
policydb_rollback_to(struct policydb *pdb)
{
	sqldb_rollback_to(pdb->db);
}

const char *
policydb_text(struct sqldb_stmt *st, int i)
{
	const char *s = sqldb_text(st, i);

	return s ? s : "";
}

/* The integer of a one-row, one-column query, or dflt for no row or NULL. */
long long
policydb_int(struct sqldb_stmt *st, long long dflt)
{
	long long v = dflt;

	if (sqldb_step(st) == SQLDB_ROW &&
	    !sqldb_null(st, 0))
		v = sqldb_int(st, 0);
	sqldb_finish(st);
	return v;
}

long long
policydb_int_of(struct policydb *pdb, const char *sql, const char *key)
{
	struct sqldb_stmt *st = sqldb_cached(pdb->db, sql);

	sqldb_bind_text(st, 1, key);
	return policydb_int(st, 0);
}

static void
policydb_domain_row(struct sqldb_stmt *st, struct domain *d)
{
	memset(d, 0, sizeof(*d));
	d->name = xstrdup(policydb_text(st, 0));
	d->state = policydb_state_parse(policydb_text(st, 1));
	d->mode = xstrdup(policydb_text(st, 2));
	d->max_age = sqldb_int(st, 3);
	d->policy_id = xstrdup(policydb_text(st, 4));
	d->token = xstrdup(policydb_text(st, 5));
	d->created = sqldb_int(st, 6);
	d->updated = sqldb_int(st, 7);
	d->retire_at = sqldb_null(st, 8) ? 0 :
	    sqldb_int(st, 8);
	if (!sqldb_null(st, 9)) {
		d->prior_mode = xstrdup(policydb_text(st, 9));
		d->prior_max_age = sqldb_int(st, 10);
	}
	d->served = sqldb_null(st, 11) ? 0 :
	    sqldb_int(st, 11);
}

static void
policydb_domain_add_mx(struct domain *d, const char *pattern)
{
	d->mx = xreallocarray(d->mx, d->nmx + 2, sizeof(char *));
	d->mx[d->nmx++] = xstrdup(pattern);
	d->mx[d->nmx] = NULL;
}

/* A domain's row by sql (its name as ?1), then its MX patterns. */
static int
policydb_domain_read(struct policydb *pdb, const char *sql, const char *name,
    struct domain *d, struct buf *err)
{
	struct sqldb *db = pdb->db;
	struct sqldb_stmt *st;
	int rc;

	st = sqldb_cached(db, sql);
	sqldb_bind_text(st, 1, name);
	if ((rc = sqldb_step_row(st, "read domain", err)) <= 0)
		return rc;
	policydb_domain_row(st, d);
	sqldb_finish(st);

	st = sqldb_cached(db, "SELECT pattern FROM domain_mx WHERE domain = ?"
	    " ORDER BY pos");
	sqldb_bind_text(st, 1, name);
	while ((rc = sqldb_step(st)) == SQLDB_ROW)
		policydb_domain_add_mx(d, policydb_text(st, 0));
	if (rc != SQLDB_DONE) {
		policydb_domain_clear(d);
		return sqldb_step_error(st, "read mx patterns", err);
	}
	sqldb_finish(st);
	return 1;
}

int
policydb_domain_get(struct policydb *pdb, const char *name, struct domain *d,
    struct buf *err)
{
	return policydb_domain_read(pdb, "SELECT " DOMAIN_READ_COLUMNS
	    " FROM domains WHERE name = ?1", name, d, err);
}

/* PostgreSQL: FOR UPDATE; SQLite's BEGIN IMMEDIATE holds it all. */
int
policydb_domain_lock(struct policydb *pdb, const char *name, struct domain *d,
    struct buf *err)
{
	if (sqldb_engine(pdb->db) == SQLDB_SQLITE)
		return policydb_domain_get(pdb, name, d, err);
	return policydb_domain_read(pdb, "SELECT " DOMAIN_READ_COLUMNS
	    " FROM domains WHERE name = ?1 FOR UPDATE", name, d, err);
}

static int
policydb_put_mx(struct sqldb *db, const struct domain *d, struct buf *err)
{
	struct sqldb_stmt *st;
	size_t i;

	st = sqldb_cached(db, "DELETE FROM domain_mx WHERE domain = ?");
	sqldb_bind_text(st, 1, d->name);
	if (sqldb_step_done(st, "delete mx patterns", err) < 0)
		return -1;

	st = sqldb_cached(db, "INSERT INTO domain_mx (domain, pos, pattern)"
	    " VALUES (?, ?, ?)");
	for (i = 0; i < d->nmx; i++) {
		sqldb_reset(st);
		sqldb_bind_text(st, 1, d->name);
		sqldb_bind_int64(st, 2, (long long)i);
		sqldb_bind_text(st, 3, d->mx[i]);
		if (sqldb_step(st) != SQLDB_DONE)
			return sqldb_step_error(st, "store mx pattern", err);
	}
	sqldb_finish(st);
	return 0;
}

static void
policydb_domain_bind(struct sqldb_stmt *st, const struct domain *d)
{
	sqldb_bind_text(st, 1, d->name);
	sqldb_bind_text(st, 2, policydb_state_name(d->state));
	sqldb_bind_text(st, 3, d->mode);
	sqldb_bind_int64(st, 4, d->max_age);
	sqldb_bind_text(st, 5, d->policy_id);
	sqldb_bind_text(st, 6, d->token);
	sqldb_bind_int64(st, 7, d->created);
	sqldb_bind_int64(st, 8, d->updated);
	if (d->retire_at)
		sqldb_bind_int64(st, 9, d->retire_at);
	else
		sqldb_bind_null(st, 9);
	if (d->prior_mode != NULL) {
		sqldb_bind_text(st, 10, d->prior_mode);
		sqldb_bind_int64(st, 11, d->prior_max_age);
	} else {
		sqldb_bind_null(st, 10);
		sqldb_bind_null(st, 11);
	}
}

/* A domain's row by sql (its columns bound as ?1 to ?11), then its MX. */
static int
policydb_domain_write(struct sqldb *db, const struct domain *d, const char *sql,
    const char *what, struct buf *err)
{
	struct sqldb_stmt *st = sqldb_cached(db, sql);

	policydb_domain_bind(st, d);
	if (sqldb_step_done(st, what, err) < 0)
		return -1;
	return policydb_put_mx(db, d, err);
}

int
policydb_domain_insert(struct policydb *pdb, const struct domain *d,
    struct buf *err)
{
	policydb_changed(pdb, d->name);
	return policydb_domain_write(pdb->db, d, "INSERT INTO domains ("
	    DOMAIN_COLUMNS ") VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
	    "insert domain", err);
}

int
policydb_domain_update(struct policydb *pdb, const struct domain *d,
    struct buf *err)
{
	policydb_changed(pdb, d->name);
	return policydb_domain_write(pdb->db, d, "UPDATE domains SET"
	    " state = ?2, mode = ?3, max_age = ?4, policy_id = ?5, token = ?6,"
	    " created = ?7, updated = ?8, retire_at = ?9, prior_mode = ?10,"
	    " prior_max_age = ?11 WHERE name = ?1", "update domain", err);
}

int
policydb_domain_delete(struct policydb *pdb, const char *name, struct buf *err)
{
	struct sqldb *db = pdb->db;
	struct sqldb_stmt *st;

	policydb_changed(pdb, name);
	st = sqldb_cached(db, "DELETE FROM domains WHERE name = ?");
	sqldb_bind_text(st, 1, name);
	if (sqldb_step_done(st, "delete domain", err) < 0)
		return -1;
	return 0;
}

/*
 * Reads the domains that st selects (ordered by name) and fills in their
 * patterns from mx (rows of domain, pattern ordered by domain, pos).
 */
static int
policydb_domains_read(struct sqldb *db, struct sqldb_stmt *st,
    struct sqldb_stmt *mx,
    struct domain **vp, size_t *np, struct buf *err)
{
	struct domain *v = NULL;
	size_t n = 0, cap = 0, i = 0;
	int rc, cmp = 0;

	while ((rc = sqldb_step(st)) == SQLDB_ROW) {
		v = xgrowarray(v, n, &cap, POLICYDB_READ_INITIAL, sizeof(*v));
		policydb_domain_row(st, &v[n++]);
	}
	if (rc != SQLDB_DONE) {
		policydb_domains_free(v, n);
		sqldb_finish(mx);
		return sqldb_step_error(st, "list domains", err);
	}
	sqldb_finish(st);
	while (n > 0 && (rc = sqldb_step(mx)) == SQLDB_ROW) {
		while (i < n &&
		    (cmp = strcmp(v[i].name, policydb_text(mx, 0))) < 0)
			i++;
		if (i == n)
			break;
		if (cmp == 0)
			policydb_domain_add_mx(&v[i], policydb_text(mx, 1));
	}
	if (n > 0 && rc != SQLDB_ROW && rc != SQLDB_DONE) {
		policydb_domains_free(v, n);
		return sqldb_step_error(mx, "list mx patterns", err);
	}
	sqldb_finish(mx);
	*vp = v;
	*np = n;
	return 0;
}

int
policydb_domain_list(struct policydb *pdb, const char *after, size_t max,
    struct domain **vp,
    size_t *np, struct buf *err)
{
	struct sqldb *db = pdb->db;
	struct sqldb_stmt *st, *mx;
	long long limit = max ? (long long)max : LLONG_MAX;

	st = sqldb_cached_rows(db, "SELECT " DOMAIN_READ_COLUMNS " FROM domains"
	    " WHERE name > ? ORDER BY name LIMIT ?");
	sqldb_bind_text(st, 1, after ? after : "");
	sqldb_bind_int64(st, 2, limit);
	mx = sqldb_cached_rows(db, "SELECT domain, pattern FROM domain_mx"
	    " WHERE domain IN (SELECT name FROM domains WHERE name > ?"
	    " ORDER BY name LIMIT ?) ORDER BY domain, pos");
	sqldb_bind_text(mx, 1, after ? after : "");
	sqldb_bind_int64(mx, 2, limit);
	return policydb_domains_read(db, st, mx, vp, np, err);
}

/* PostgreSQL's arrays: the changed domains that another node announced. */
int
policydb_domain_named(struct policydb *pdb, const char *names,
    struct domain **vp, size_t *np, struct buf *err)
{
	struct sqldb *db = pdb->db;
	struct sqldb_stmt *st, *mx;

	if (sqldb_engine(db) != SQLDB_POSTGRESQL)
		log_panic("policydb_domain_named: PostgreSQL only");
	st = sqldb_cached_rows(db, "SELECT " DOMAIN_READ_COLUMNS " FROM domains"
	    " WHERE name = ANY (string_to_array(?1, ' ')) ORDER BY name");
	sqldb_bind_text(st, 1, names);
	mx = sqldb_cached_rows(db, "SELECT domain, pattern FROM domain_mx"
	    " WHERE domain = ANY (string_to_array(?1, ' '))"
	    " ORDER BY domain, pos");
	sqldb_bind_text(mx, 1, names);
	return policydb_domains_read(db, st, mx, vp, np, err);
}

/*
 * The last max domains before a name (max 0: every one), in name order:
 * the page before a cursor (the HTML overview's link to the previous
 * page), read backwards from it in the index of names.
 */
int
policydb_domain_list_before(struct policydb *pdb, const char *before,
    size_t max, struct domain **vp, size_t *np, struct buf *err)
{
	struct sqldb *db = pdb->db;
	struct sqldb_stmt *st, *mx;
	/* No LIMIT -1: SQL that PostgreSQL takes too (lib/sqldb). */
	long long limit = max ? (long long)max : LLONG_MAX;

	st = sqldb_cached_rows(db, "SELECT * FROM (SELECT " DOMAIN_READ_COLUMNS
	    " FROM domains WHERE name < ?1 ORDER BY name DESC LIMIT ?2)"
	    " AS page ORDER BY name");
	sqldb_bind_text(st, 1, before);
	sqldb_bind_int64(st, 2, limit);
	mx = sqldb_cached_rows(db, "SELECT domain, pattern FROM domain_mx"
	    " WHERE domain IN (SELECT name FROM domains WHERE name < ?1"
	    " ORDER BY name DESC LIMIT ?2) ORDER BY domain, pos");
	sqldb_bind_text(mx, 1, before);
	sqldb_bind_int64(mx, 2, limit);
	return policydb_domains_read(db, st, mx, vp, np, err);
}

/*
 * The servable domains in name order, each with its patterns, in one
 * pass over a join: the snapshot for httpd reads every domain, so it
 * must not cost a query per domain or a copy of the whole table.
 * cb gets the name, state, mode, max_age, policy_id and mx of each.
 */
int
policydb_domain_each_servable(struct policydb *pdb,
    void (*cb)(const struct domain *, void *),
    void *arg, struct buf *err)
{
	struct sqldb *db = pdb->db;
	struct domain d;
	struct sqldb_stmt *st;
	const char *name;
	int rc;

	memset(&d, 0, sizeof(d));
	st = sqldb_cached_rows(db, "SELECT d.name, d.state, d.mode,"
	    " d.max_age, d.policy_id, m.pattern FROM domains d"
	    " LEFT JOIN domain_mx m ON m.domain = d.name"
	    " WHERE d.state IN ('active', 'retiring')"
	    " ORDER BY d.name, m.pos");
	while ((rc = sqldb_step(st)) == SQLDB_ROW) {
		name = policydb_text(st, 0);
		if (d.name == NULL || strcmp(d.name, name) != 0) {
			if (d.name != NULL)
				cb(&d, arg);
			policydb_domain_clear(&d);
			d.name = xstrdup(name);
			d.state = policydb_state_parse(policydb_text(st, 1));
			d.mode = xstrdup(policydb_text(st, 2));
			d.max_age = sqldb_int(st, 3);
			d.policy_id = xstrdup(policydb_text(st, 4));
		}
		if (!sqldb_null(st, 5))
			policydb_domain_add_mx(&d, policydb_text(st, 5));
	}
	if (rc != SQLDB_DONE) {
		policydb_domain_clear(&d);
		return sqldb_step_error(st, "list servable domains", err);
	}
	if (d.name != NULL)
		cb(&d, arg);
	policydb_domain_clear(&d);
	sqldb_finish(st);
	return 0;
}

int
policydb_domain_expired(struct policydb *pdb, long long now,
    struct domain **vp, size_t *np,
    struct buf *err)
{
	struct sqldb *db = pdb->db;
	struct sqldb_stmt *st, *mx;

	/*
	 * Through the retire_at index, run at every start and wakeup:
	 * on SQLite, "+" keeps it from walking the whole table in name
	 * order to save a sort of the few rows, CROSS JOIN from walking
	 * every mx (PostgreSQL's planner needs no hint, and takes
	 * neither).
	 */
	if (sqldb_engine(db) == SQLDB_SQLITE) {
		st = sqldb_cached(db, "SELECT " DOMAIN_READ_COLUMNS
		    " FROM domains WHERE state = 'retiring' AND retire_at <= ?"
		    " ORDER BY +name");
		mx = sqldb_cached(db, "SELECT m.domain, m.pattern"
		    " FROM domains d CROSS JOIN domain_mx m ON m.domain = d.name"
		    " WHERE d.state = 'retiring' AND d.retire_at <= ?"
		    " ORDER BY +m.domain, +m.pos");
	} else {
		st = sqldb_cached(db, "SELECT " DOMAIN_READ_COLUMNS
		    " FROM domains WHERE state = 'retiring' AND retire_at <= ?"
		    " ORDER BY name");
		mx = sqldb_cached(db, "SELECT m.domain, m.pattern"
		    " FROM domains d JOIN domain_mx m ON m.domain = d.name"
		    " WHERE d.state = 'retiring' AND d.retire_at <= ?"
		    " ORDER BY m.domain, m.pos");
	}
	sqldb_bind_int64(st, 1, now);
	sqldb_bind_int64(mx, 1, now);
	return policydb_domains_read(db, st, mx, vp, np, err);
}

long long
policydb_next_retire(struct policydb *pdb)
{
	return policydb_int(sqldb_cached(pdb->db, "SELECT MIN(retire_at)"
	    " FROM domains WHERE retire_at IS NOT NULL"), 0);
}
