/*
 * policydb_account - policy.db's accounts, the domains they manage,
 * their API tokens and the audit log; see policydb.h.
 * SPDX-License-Identifier: ISC
 *
 * The audit log is read a page at a time by one of three statements,
 * by the filter given: a domain or an account goes through its
 * partial index in id order, so a page costs the rows it returns, not
 * a walk of the whole log.
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

#define POLICYDB_ACCOUNT_INITIAL 16	/* first allocation of a list */

#define ACCOUNT_COLUMNS \
	"a.name, a.email, a.password, a.quota, a.disabled, a.created, " \
	"a.updated, (SELECT COUNT(*) FROM account_domains d" \
	" WHERE d.account = a.name)"
#define TOKEN_COLUMNS \
	"id, account, hash, access, created, last_used, revoked"
#define AUDIT_COLUMNS \
	"id, time, actor, origin, action, domain, account, details"

static char *
policydb_text_or_null(sqlite3_stmt *st, int i)
{
	if (sqlite3_column_type(st, i) == SQLITE_NULL)
		return NULL;
	return xstrdup(policydb_text(st, i));
}

static void
policydb_bind_opt(sqlite3_stmt *st, int i, const char *s)
{
	if (s != NULL)
		sqlite3_bind_text(st, i, s, -1, SQLITE_STATIC);
	else
		sqlite3_bind_null(st, i);
}

static long long
policydb_int_col(sqlite3_stmt *st, int i)
{
	return sqlite3_column_type(st, i) == SQLITE_NULL ? 0 :
	    sqlite3_column_int64(st, i);
}

/* What a list is made of: its element, read from a row, cleared. */
struct policydb_rowtype {
	size_t	size;
	void	(*read)(sqlite3_stmt *, void *);
	void	(*clear)(void *);
};

static void
policydb_rows_free(const struct policydb_rowtype *t, void *v, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		t->clear((char *)v + i * t->size);
	free(v);
}

/* Every row st selects, read into a new array *vp of *np. */
static int
policydb_rows(struct policydb *pdb, sqlite3_stmt *st,
    const struct policydb_rowtype *t, const char *what, void **vp,
    size_t *np, struct buf *err)
{
	char *v = NULL;
	size_t n = 0, cap = 0;
	int rc;

	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		v = xgrowarray(v, n, &cap, POLICYDB_ACCOUNT_INITIAL, t->size);
		t->read(st, v + n++ * t->size);
	}
	if (rc != SQLITE_DONE) {
		policydb_rows_free(t, v, n);
		return db_step_error(pdb->db, st, what, err);
	}
	db_finish(st);
	*vp = v;
	*np = n;
	return 0;
}

/* The one row st selects, read into out: 1, 0 none, -1. */
static int
policydb_row(struct policydb *pdb, sqlite3_stmt *st,
    const struct policydb_rowtype *t, const char *what, void *out,
    struct buf *err)
{
	int rc;

	if ((rc = sqlite3_step(st)) == SQLITE_DONE) {
		db_finish(st);
		return 0;
	}
	if (rc != SQLITE_ROW)
		return db_step_error(pdb->db, st, what, err);
	t->read(st, out);
	db_finish(st);
	return 1;
}

static void
policydb_string_row(sqlite3_stmt *st, void *p)
{
	*(char **)p = xstrdup(policydb_text(st, 0));
}

static void
policydb_string_clear(void *p)
{
	free(*(char **)p);
}

static const struct policydb_rowtype policydb_string_type = {
	sizeof(char *), policydb_string_row, policydb_string_clear,
};

/*
 * Accounts.
 */
static void
policydb_account_row(sqlite3_stmt *st, void *p)
{
	struct policydb_account *a = p;

	memset(a, 0, sizeof(*a));
	a->name = xstrdup(policydb_text(st, 0));
	a->email = xstrdup(policydb_text(st, 1));
	a->password = policydb_text_or_null(st, 2);
	a->quota = sqlite3_column_int64(st, 3);
	a->disabled = sqlite3_column_int(st, 4) != 0;
	a->created = sqlite3_column_int64(st, 5);
	a->updated = sqlite3_column_int64(st, 6);
	a->ndomains = sqlite3_column_int64(st, 7);
}

void
policydb_account_clear(struct policydb_account *a)
{
	free(a->name);
	free(a->email);
	if (a->password != NULL)
		memset(a->password, 0, strlen(a->password));
	free(a->password);
	memset(a, 0, sizeof(*a));
}

static void
policydb_account_clear_row(void *p)
{
	policydb_account_clear(p);
}

static const struct policydb_rowtype policydb_account_type = {
	sizeof(struct policydb_account), policydb_account_row,
	policydb_account_clear_row,
};

void
policydb_accounts_free(struct policydb_account *v, size_t n)
{
	policydb_rows_free(&policydb_account_type, v, n);
}

int
policydb_account_get(struct policydb *pdb, const char *name,
    struct policydb_account *a, struct buf *err)
{
	sqlite3_stmt *st;

	st = db_cached(pdb->db, "SELECT " ACCOUNT_COLUMNS " FROM accounts a"
	    " WHERE a.name = ?");
	sqlite3_bind_text(st, 1, name, -1, SQLITE_STATIC);
	return policydb_row(pdb, st, &policydb_account_type, "read account",
	    a, err);
}

/* Inserts the account, or replaces the row of its name. */
int
policydb_account_put(struct policydb *pdb, const struct policydb_account *a,
    struct buf *err)
{
	sqlite3_stmt *st;

	st = db_cached(pdb->db, "INSERT INTO accounts (name, email, password,"
	    " quota, disabled, created, updated) VALUES (?1, ?2, ?3, ?4, ?5,"
	    " ?6, ?7) ON CONFLICT (name) DO UPDATE SET email = ?2,"
	    " password = ?3, quota = ?4, disabled = ?5, updated = ?7");
	sqlite3_bind_text(st, 1, a->name, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, a->email, -1, SQLITE_STATIC);
	policydb_bind_opt(st, 3, a->password);
	sqlite3_bind_int64(st, 4, a->quota);
	sqlite3_bind_int(st, 5, a->disabled ? 1 : 0);
	sqlite3_bind_int64(st, 6, a->created);
	sqlite3_bind_int64(st, 7, a->updated);
	return db_step_done(pdb->db, st, "store account", err);
}

/* The account, its domains and its tokens (foreign keys cascade). */
int
policydb_account_delete(struct policydb *pdb, const char *name,
    struct buf *err)
{
	sqlite3_stmt *st;

	st = db_cached(pdb->db, "DELETE FROM accounts WHERE name = ?");
	sqlite3_bind_text(st, 1, name, -1, SQLITE_STATIC);
	return db_step_done(pdb->db, st, "delete account", err);
}

int
policydb_account_list(struct policydb *pdb, const char *after, size_t max,
    struct policydb_account **vp, size_t *np, struct buf *err)
{
	sqlite3_stmt *st;
	void *v;

	st = db_cached(pdb->db, "SELECT " ACCOUNT_COLUMNS " FROM accounts a"
	    " WHERE a.name > ? ORDER BY a.name LIMIT ?");
	sqlite3_bind_text(st, 1, after ? after : "", -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 2, max ? (sqlite3_int64)max : -1);
	if (policydb_rows(pdb, st, &policydb_account_type, "list accounts",
	    &v, np, err) < 0)
		return -1;
	*vp = v;
	return 0;
}

/*
 * The domains an account manages.
 */
int
policydb_account_domains(struct policydb *pdb, const char *account,
    char ***vp, size_t *np, struct buf *err)
{
	sqlite3_stmt *st;
	void *v;

	st = db_cached(pdb->db, "SELECT domain FROM account_domains"
	    " WHERE account = ? ORDER BY domain");
	sqlite3_bind_text(st, 1, account, -1, SQLITE_STATIC);
	if (policydb_rows(pdb, st, &policydb_string_type,
	    "list account domains", &v, np, err) < 0)
		return -1;
	*vp = v;
	return 0;
}

/* The account that manages domain: 1 (*account set), 0 none, -1. */
int
policydb_domain_owner(struct policydb *pdb, const char *domain,
    char **account, struct buf *err)
{
	sqlite3_stmt *st;

	*account = NULL;
	st = db_cached(pdb->db, "SELECT account FROM account_domains"
	    " WHERE domain = ?");
	sqlite3_bind_text(st, 1, domain, -1, SQLITE_STATIC);
	return policydb_row(pdb, st, &policydb_string_type,
	    "read domain owner", account, err);
}

/* account NULL: the domain goes back to the operator. */
int
policydb_domain_assign(struct policydb *pdb, const char *domain,
    const char *account, long long now, struct buf *err)
{
	sqlite3_stmt *st;

	if (account == NULL) {
		st = db_cached(pdb->db, "DELETE FROM account_domains"
		    " WHERE domain = ?");
		sqlite3_bind_text(st, 1, domain, -1, SQLITE_STATIC);
		return db_step_done(pdb->db, st, "release domain", err);
	}
	st = db_cached(pdb->db, "INSERT INTO account_domains (domain, account,"
	    " added) VALUES (?, ?, ?)");
	sqlite3_bind_text(st, 1, domain, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, account, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 3, now);
	return db_step_done(pdb->db, st, "assign domain", err);
}

/* A row of account_domains with its proof. */
struct policydb_link {
	char	*account;
	char	*proof;
};

static void
policydb_link_row(sqlite3_stmt *st, void *p)
{
	struct policydb_link *l = p;

	l->account = xstrdup(policydb_text(st, 0));
	l->proof = policydb_text_or_null(st, 1);
}

static void
policydb_link_clear(void *p)
{
	struct policydb_link *l = p;

	free(l->account);
	free(l->proof);
}

static const struct policydb_rowtype policydb_link_type = {
	sizeof(struct policydb_link), policydb_link_row, policydb_link_clear,
};

/*
 * The account that manages domain and the proof it must publish
 * (NULL: none asked): 1, 0 none (both NULL), -1.
 */
int
policydb_domain_proof(struct policydb *pdb, const char *domain,
    char **account, char **proof, struct buf *err)
{
	struct policydb_link l = { NULL, NULL };
	sqlite3_stmt *st;
	int rc;

	st = db_cached(pdb->db, "SELECT account, proof FROM account_domains"
	    " WHERE domain = ?");
	sqlite3_bind_text(st, 1, domain, -1, SQLITE_STATIC);
	rc = policydb_row(pdb, st, &policydb_link_type, "read domain proof",
	    &l, err);
	*account = l.account;
	*proof = l.proof;
	return rc;
}

int
policydb_domain_proof_set(struct policydb *pdb, const char *domain,
    const char *proof, struct buf *err)
{
	sqlite3_stmt *st;

	st = db_cached(pdb->db, "UPDATE account_domains SET proof = ?"
	    " WHERE domain = ?");
	policydb_bind_opt(st, 1, proof);
	sqlite3_bind_text(st, 2, domain, -1, SQLITE_STATIC);
	return db_step_done(pdb->db, st, "store domain proof", err);
}

/*
 * API tokens.
 */
static void
policydb_token_row(sqlite3_stmt *st, void *p)
{
	struct policydb_token *t = p;

	memset(t, 0, sizeof(*t));
	t->id = sqlite3_column_int64(st, 0);
	t->account = xstrdup(policydb_text(st, 1));
	t->hash = xstrdup(policydb_text(st, 2));
	t->read_only = strcmp(policydb_text(st, 3), "read-only") == 0;
	t->created = sqlite3_column_int64(st, 4);
	t->last_used = policydb_int_col(st, 5);
	t->revoked = policydb_int_col(st, 6);
}

void
policydb_token_clear(struct policydb_token *t)
{
	free(t->account);
	free(t->hash);
	memset(t, 0, sizeof(*t));
}

static void
policydb_token_clear_row(void *p)
{
	policydb_token_clear(p);
}

static const struct policydb_rowtype policydb_token_type = {
	sizeof(struct policydb_token), policydb_token_row,
	policydb_token_clear_row,
};

void
policydb_tokens_free(struct policydb_token *v, size_t n)
{
	policydb_rows_free(&policydb_token_type, v, n);
}

/* Stores t (its id is chosen here and set in t). */
int
policydb_token_insert(struct policydb *pdb, struct policydb_token *t,
    struct buf *err)
{
	sqlite3_stmt *st;

	st = db_cached(pdb->db, "INSERT INTO api_tokens (account, hash,"
	    " access, created) VALUES (?, ?, ?, ?)");
	sqlite3_bind_text(st, 1, t->account, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, t->hash, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 3, t->read_only ? "read-only" : "read-write",
	    -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 4, t->created);
	if (db_step_done(pdb->db, st, "store token", err) < 0)
		return -1;
	t->id = sqlite3_last_insert_rowid(pdb->db);
	return 0;
}

/* The tokens of account, live ones only with live. */
long long
policydb_token_count(struct policydb *pdb, const char *account, int live)
{
	sqlite3_stmt *st;

	st = db_cached(pdb->db, live ? "SELECT COUNT(*) FROM api_tokens"
	    " WHERE account = ? AND revoked IS NULL" :
	    "SELECT COUNT(*) FROM api_tokens WHERE account = ?");
	sqlite3_bind_text(st, 1, account, -1, SQLITE_STATIC);
	return policydb_int(st, 0);
}

/* Forgets the revoked tokens of account (the audit log keeps them). */
int
policydb_token_prune(struct policydb *pdb, const char *account,
    struct buf *err)
{
	sqlite3_stmt *st;

	st = db_cached(pdb->db, "DELETE FROM api_tokens WHERE account = ?"
	    " AND revoked IS NOT NULL");
	sqlite3_bind_text(st, 1, account, -1, SQLITE_STATIC);
	return db_step_done(pdb->db, st, "forget revoked tokens", err);
}

int
policydb_token_list(struct policydb *pdb, const char *account,
    struct policydb_token **vp, size_t *np, struct buf *err)
{
	sqlite3_stmt *st;
	void *v;

	st = db_cached(pdb->db, "SELECT " TOKEN_COLUMNS " FROM api_tokens"
	    " WHERE account = ? ORDER BY id");
	sqlite3_bind_text(st, 1, account, -1, SQLITE_STATIC);
	if (policydb_rows(pdb, st, &policydb_token_type, "list tokens", &v,
	    np, err) < 0)
		return -1;
	*vp = v;
	return 0;
}

/* The token whose hash is hash: 1 found, 0 none, -1. */
int
policydb_token_find(struct policydb *pdb, const char *hash,
    struct policydb_token *t, struct buf *err)
{
	sqlite3_stmt *st;

	st = db_cached(pdb->db, "SELECT " TOKEN_COLUMNS " FROM api_tokens"
	    " WHERE hash = ?");
	sqlite3_bind_text(st, 1, hash, -1, SQLITE_STATIC);
	return policydb_row(pdb, st, &policydb_token_type, "read token", t,
	    err);
}

/* Sets revoked (what = "revoked") or last_used of token id to when. */
static int
policydb_token_time(struct policydb *pdb, long long id, const char *sql,
    long long when, struct buf *err)
{
	sqlite3_stmt *st = db_cached(pdb->db, sql);

	sqlite3_bind_int64(st, 1, when);
	sqlite3_bind_int64(st, 2, id);
	if (db_step_done(pdb->db, st, "update token", err) < 0)
		return -1;
	return sqlite3_changes(pdb->db);
}

/* 1 revoked now, 0 not a live token. */
int
policydb_token_revoke(struct policydb *pdb, long long id, long long when,
    struct buf *err)
{
	return policydb_token_time(pdb, id, "UPDATE api_tokens SET revoked = ?1"
	    " WHERE id = ?2 AND revoked IS NULL", when, err);
}

int
policydb_token_used(struct policydb *pdb, long long id, long long when,
    struct buf *err)
{
	return policydb_token_time(pdb, id, "UPDATE api_tokens"
	    " SET last_used = ?1 WHERE id = ?2", when, err);
}

/*
 * The audit log.
 */
int
policydb_audit_add(struct policydb *pdb, const struct policydb_audit *e,
    struct buf *err)
{
	sqlite3_stmt *st;

	/* Without an account, the one that manages the domain, if any. */
	st = db_cached(pdb->db, "INSERT INTO audit_log (time, actor, origin,"
	    " action, domain, account, details) VALUES (?1, ?2, ?3, ?4, ?5,"
	    " NULLIF(COALESCE(?6, (SELECT account FROM account_domains"
	    " WHERE domain = ?5)), ''), ?7)");
	sqlite3_bind_int64(st, 1, e->time);
	sqlite3_bind_text(st, 2, e->actor, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 3, e->origin, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 4, e->action, -1, SQLITE_STATIC);
	policydb_bind_opt(st, 5, e->domain);
	policydb_bind_opt(st, 6, e->account);
	sqlite3_bind_text(st, 7, e->details, -1, SQLITE_STATIC);
	return db_step_done(pdb->db, st, "store audit entry", err);
}

static void
policydb_audit_row(sqlite3_stmt *st, void *p)
{
	struct policydb_audit *e = p;

	memset(e, 0, sizeof(*e));
	e->id = sqlite3_column_int64(st, 0);
	e->time = sqlite3_column_int64(st, 1);
	e->actor = xstrdup(policydb_text(st, 2));
	e->origin = xstrdup(policydb_text(st, 3));
	e->action = xstrdup(policydb_text(st, 4));
	e->domain = policydb_text_or_null(st, 5);
	e->account = policydb_text_or_null(st, 6);
	e->details = xstrdup(policydb_text(st, 7));
}

void
policydb_audit_clear(struct policydb_audit *e)
{
	free(e->actor);
	free(e->origin);
	free(e->action);
	free(e->domain);
	free(e->account);
	free(e->details);
	memset(e, 0, sizeof(*e));
}

static void
policydb_audit_clear_row(void *p)
{
	policydb_audit_clear(p);
}

static const struct policydb_rowtype policydb_audit_type = {
	sizeof(struct policydb_audit), policydb_audit_row,
	policydb_audit_clear_row,
};

void
policydb_audits_free(struct policydb_audit *v, size_t n)
{
	policydb_rows_free(&policydb_audit_type, v, n);
}

/* The statement of a filter: ?1 after, ?2 since, ?3 limit, ?4 key. */
static sqlite3_stmt *
policydb_audit_stmt(struct policydb *pdb, const struct policydb_audit_filter *f)
{
	sqlite3_stmt *st;

	if (f->domain != NULL) {
		st = db_cached(pdb->db, "SELECT " AUDIT_COLUMNS " FROM audit_log"
		    " WHERE domain = ?4 AND id > ?1 AND time >= ?2"
		    " ORDER BY id LIMIT ?3");
		sqlite3_bind_text(st, 4, f->domain, -1, SQLITE_STATIC);
		/* The account filter, if any, is applied by the caller. */
	} else if (f->account != NULL) {
		st = db_cached(pdb->db, "SELECT " AUDIT_COLUMNS " FROM audit_log"
		    " WHERE account = ?4 AND id > ?1 AND time >= ?2"
		    " ORDER BY id LIMIT ?3");
		sqlite3_bind_text(st, 4, f->account, -1, SQLITE_STATIC);
	} else
		st = db_cached(pdb->db, "SELECT " AUDIT_COLUMNS " FROM audit_log"
		    " WHERE id > ?1 AND time >= ?2 ORDER BY id LIMIT ?3");
	sqlite3_bind_int64(st, 1, f->after);
	sqlite3_bind_int64(st, 2, f->since);
	return st;
}

/*
 * At most max entries after f->after in id order, of f->domain and
 * f->account (each NULL: any), since f->since.  *more says whether
 * the log has more after the last one given.
 */
int
policydb_audit_list(struct policydb *pdb,
    const struct policydb_audit_filter *f, size_t max,
    struct policydb_audit **vp, size_t *np, int *more, struct buf *err)
{
	struct policydb_audit *v = NULL, e;
	size_t n = 0, cap = 0;
	sqlite3_stmt *st;
	int rc;

	*more = 0;
	st = policydb_audit_stmt(pdb, f);
	/* With both filters, rows of the domain that another account
	 * shows are skipped: ask for rows one by one (no LIMIT). */
	sqlite3_bind_int64(st, 3, f->domain && f->account ? -1 :
	    (sqlite3_int64)max + 1);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		policydb_audit_row(st, &e);
		if (f->domain != NULL && f->account != NULL &&
		    (e.account == NULL || strcmp(e.account, f->account) != 0)) {
			policydb_audit_clear(&e);
			continue;
		}
		if (n == max) {
			policydb_audit_clear(&e);
			*more = 1;
			break;
		}
		v = xgrowarray(v, n, &cap, POLICYDB_ACCOUNT_INITIAL,
		    sizeof(*v));
		v[n++] = e;
	}
	if (rc != SQLITE_DONE && rc != SQLITE_ROW) {
		policydb_audits_free(v, n);
		return db_step_error(pdb->db, st, "list audit log", err);
	}
	db_finish(st);
	*vp = v;
	*np = n;
	return 0;
}
