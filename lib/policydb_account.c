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

#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "mymalloc.h"
#include "policydb.h"
#include "policydb_sql.h"
#include "sqldb.h"

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
policydb_text_or_null(struct sqldb_stmt *st, int i)
{
	if (sqldb_null(st, i))
		return NULL;
	return xstrdup(policydb_text(st, i));
}

static void
policydb_bind_opt(struct sqldb_stmt *st, int i, const char *s)
{
	if (s != NULL)
		sqldb_bind_text(st, i, s);
	else
		sqldb_bind_null(st, i);
}

static long long
policydb_int_col(struct sqldb_stmt *st, int i)
{
	return sqldb_null(st, i) ? 0 :
	    sqldb_int(st, i);
}

/* What a list is made of: its element, read from a row, cleared. */
struct policydb_rowtype {
	size_t	size;
	void	(*read)(struct sqldb_stmt *, void *);
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
policydb_rows(struct policydb *pdb, struct sqldb_stmt *st,
    const struct policydb_rowtype *t, const char *what, void **vp,
    size_t *np, struct buf *err)
{
	char *v = NULL;
	size_t n = 0, cap = 0;
	int rc;

	while ((rc = sqldb_step(st)) == SQLDB_ROW) {
		v = xgrowarray(v, n, &cap, POLICYDB_ACCOUNT_INITIAL, t->size);
		t->read(st, v + n++ * t->size);
	}
	if (rc != SQLDB_DONE) {
		policydb_rows_free(t, v, n);
		return sqldb_step_error(st, what, err);
	}
	sqldb_finish(st);
	*vp = v;
	*np = n;
	return 0;
}

/* The one row st selects, read into out: 1, 0 none, -1. */
static int
policydb_row(struct policydb *pdb, struct sqldb_stmt *st,
    const struct policydb_rowtype *t, const char *what, void *out,
    struct buf *err)
{
	int rc;

	if ((rc = sqldb_step(st)) == SQLDB_DONE) {
		sqldb_finish(st);
		return 0;
	}
	if (rc != SQLDB_ROW)
		return sqldb_step_error(st, what, err);
	t->read(st, out);
	sqldb_finish(st);
	return 1;
}

static void
policydb_string_row(struct sqldb_stmt *st, void *p)
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
policydb_account_row(struct sqldb_stmt *st, void *p)
{
	struct policydb_account *a = p;

	memset(a, 0, sizeof(*a));
	a->name = xstrdup(policydb_text(st, 0));
	a->email = xstrdup(policydb_text(st, 1));
	a->password = policydb_text_or_null(st, 2);
	a->quota = sqldb_int(st, 3);
	a->disabled = sqldb_int(st, 4) != 0;
	a->created = sqldb_int(st, 5);
	a->updated = sqldb_int(st, 6);
	a->ndomains = sqldb_int(st, 7);
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
	struct sqldb_stmt *st;

	st = sqldb_cached(pdb->db, "SELECT " ACCOUNT_COLUMNS " FROM accounts a"
	    " WHERE a.name = ?");
	sqldb_bind_text(st, 1, name);
	return policydb_row(pdb, st, &policydb_account_type, "read account",
	    a, err);
}

/* Inserts the account, or replaces the row of its name. */
int
policydb_account_put(struct policydb *pdb, const struct policydb_account *a,
    struct buf *err)
{
	struct sqldb_stmt *st;

	st = sqldb_cached(pdb->db, "INSERT INTO accounts (name, email, password,"
	    " quota, disabled, created, updated) VALUES (?1, ?2, ?3, ?4, ?5,"
	    " ?6, ?7) ON CONFLICT (name) DO UPDATE SET email = ?2,"
	    " password = ?3, quota = ?4, disabled = ?5, updated = ?7");
	sqldb_bind_text(st, 1, a->name);
	sqldb_bind_text(st, 2, a->email);
	policydb_bind_opt(st, 3, a->password);
	sqldb_bind_int64(st, 4, a->quota);
	sqldb_bind_int64(st, 5, a->disabled ? 1 : 0);
	sqldb_bind_int64(st, 6, a->created);
	sqldb_bind_int64(st, 7, a->updated);
	return sqldb_step_done(st, "store account", err);
}

/* The account, its domains and its tokens (foreign keys cascade). */
int
policydb_account_delete(struct policydb *pdb, const char *name,
    struct buf *err)
{
	struct sqldb_stmt *st;

	st = sqldb_cached(pdb->db, "DELETE FROM accounts WHERE name = ?");
	sqldb_bind_text(st, 1, name);
	return sqldb_step_done(st, "delete account", err);
}

int
policydb_account_list(struct policydb *pdb, const char *after, size_t max,
    struct policydb_account **vp, size_t *np, struct buf *err)
{
	struct sqldb_stmt *st;
	void *v = NULL;

	st = sqldb_cached(pdb->db, "SELECT " ACCOUNT_COLUMNS " FROM accounts a"
	    " WHERE a.name > ? ORDER BY a.name LIMIT ?");
	sqldb_bind_text(st, 1, after ? after : "");
	sqldb_bind_int64(st, 2, max ? (long long)max : LLONG_MAX);
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
	struct sqldb_stmt *st;
	void *v = NULL;

	st = sqldb_cached(pdb->db, "SELECT domain FROM account_domains"
	    " WHERE account = ? ORDER BY domain");
	sqldb_bind_text(st, 1, account);
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
	struct sqldb_stmt *st;

	*account = NULL;
	st = sqldb_cached(pdb->db, "SELECT account FROM account_domains"
	    " WHERE domain = ?");
	sqldb_bind_text(st, 1, domain);
	return policydb_row(pdb, st, &policydb_string_type,
	    "read domain owner", account, err);
}

/* account NULL: the domain goes back to the operator. */
int
policydb_domain_assign(struct policydb *pdb, const char *domain,
    const char *account, long long now, struct buf *err)
{
	struct sqldb_stmt *st;

	if (account == NULL) {
		st = sqldb_cached(pdb->db, "DELETE FROM account_domains"
		    " WHERE domain = ?");
		sqldb_bind_text(st, 1, domain);
		return sqldb_step_done(st, "release domain", err);
	}
	st = sqldb_cached(pdb->db, "INSERT INTO account_domains (domain, account,"
	    " added) VALUES (?, ?, ?)");
	sqldb_bind_text(st, 1, domain);
	sqldb_bind_text(st, 2, account);
	sqldb_bind_int64(st, 3, now);
	return sqldb_step_done(st, "assign domain", err);
}

/* A row of account_domains with its proof. */
struct policydb_link {
	char	*account;
	char	*proof;
};

static void
policydb_link_row(struct sqldb_stmt *st, void *p)
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
	struct sqldb_stmt *st;
	int rc;

	st = sqldb_cached(pdb->db, "SELECT account, proof FROM account_domains"
	    " WHERE domain = ?");
	sqldb_bind_text(st, 1, domain);
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
	struct sqldb_stmt *st;

	st = sqldb_cached(pdb->db, "UPDATE account_domains SET proof = ?"
	    " WHERE domain = ?");
	policydb_bind_opt(st, 1, proof);
	sqldb_bind_text(st, 2, domain);
	return sqldb_step_done(st, "store domain proof", err);
}

/*
 * API tokens.
 */
static void
policydb_token_row(struct sqldb_stmt *st, void *p)
{
	struct policydb_token *t = p;

	memset(t, 0, sizeof(*t));
	t->id = sqldb_int(st, 0);
	t->account = xstrdup(policydb_text(st, 1));
	t->hash = xstrdup(policydb_text(st, 2));
	t->read_only = strcmp(policydb_text(st, 3), "read-only") == 0;
	t->created = sqldb_int(st, 4);
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
	struct sqldb_stmt *st;
	int rc;

	st = sqldb_cached(pdb->db, "INSERT INTO api_tokens (account, hash,"
	    " access, created) VALUES (?, ?, ?, ?) RETURNING id");
	sqldb_bind_text(st, 1, t->account);
	sqldb_bind_text(st, 2, t->hash);
	sqldb_bind_text(st, 3, t->read_only ? "read-only" : "read-write");
	sqldb_bind_int64(st, 4, t->created);
	if ((rc = sqldb_step_id(st, "store token", &t->id, err)) == 0)
		buf_puts(err, "store token: no id returned");
	return rc > 0 ? 0 : -1;
}

/* The tokens of account, live ones only with live. */
long long
policydb_token_count(struct policydb *pdb, const char *account, int live)
{
	return policydb_int_of(pdb, live ? "SELECT COUNT(*) FROM api_tokens"
	    " WHERE account = ? AND revoked IS NULL" :
	    "SELECT COUNT(*) FROM api_tokens WHERE account = ?", account);
}

/* Forgets the revoked tokens of account (the audit log keeps them). */
int
policydb_token_prune(struct policydb *pdb, const char *account,
    struct buf *err)
{
	struct sqldb_stmt *st;

	st = sqldb_cached(pdb->db, "DELETE FROM api_tokens WHERE account = ?"
	    " AND revoked IS NOT NULL");
	sqldb_bind_text(st, 1, account);
	return sqldb_step_done(st, "forget revoked tokens", err);
}

int
policydb_token_list(struct policydb *pdb, const char *account,
    struct policydb_token **vp, size_t *np, struct buf *err)
{
	struct sqldb_stmt *st;
	void *v = NULL;

	st = sqldb_cached(pdb->db, "SELECT " TOKEN_COLUMNS " FROM api_tokens"
	    " WHERE account = ? ORDER BY id");
	sqldb_bind_text(st, 1, account);
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
	struct sqldb_stmt *st;

	st = sqldb_cached(pdb->db, "SELECT " TOKEN_COLUMNS " FROM api_tokens"
	    " WHERE hash = ?");
	sqldb_bind_text(st, 1, hash);
	return policydb_row(pdb, st, &policydb_token_type, "read token", t,
	    err);
}

/* Sets revoked (what = "revoked") or last_used of token id to when. */
static int
policydb_token_time(struct policydb *pdb, long long id, const char *sql,
    long long when, struct buf *err)
{
	struct sqldb_stmt *st = sqldb_cached(pdb->db, sql);

	sqldb_bind_int64(st, 1, when);
	sqldb_bind_int64(st, 2, id);
	if (sqldb_step_done(st, "update token", err) < 0)
		return -1;
	return sqldb_changes(pdb->db);
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
	struct sqldb_stmt *st;

	/* Without an account, the one that manages the domain, if any. */
	st = sqldb_cached(pdb->db, "INSERT INTO audit_log (time, actor, origin,"
	    " action, domain, account, details) VALUES (?1, ?2, ?3, ?4, ?5,"
	    " NULLIF(COALESCE(?6, (SELECT account FROM account_domains"
	    " WHERE domain = ?5)), ''), ?7)");
	sqldb_bind_int64(st, 1, e->time);
	sqldb_bind_text(st, 2, e->actor);
	sqldb_bind_text(st, 3, e->origin);
	sqldb_bind_text(st, 4, e->action);
	policydb_bind_opt(st, 5, e->domain);
	policydb_bind_opt(st, 6, e->account);
	sqldb_bind_text(st, 7, e->details);
	return sqldb_step_done(st, "store audit entry", err);
}

static void
policydb_audit_row(struct sqldb_stmt *st, void *p)
{
	struct policydb_audit *e = p;

	memset(e, 0, sizeof(*e));
	e->id = sqldb_int(st, 0);
	e->time = sqldb_int(st, 1);
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
static struct sqldb_stmt *
policydb_audit_stmt(struct policydb *pdb, const struct policydb_audit_filter *f)
{
	struct sqldb_stmt *st;

	if (f->domain != NULL) {
		st = sqldb_cached(pdb->db, "SELECT " AUDIT_COLUMNS " FROM audit_log"
		    " WHERE domain = ?4 AND id > ?1 AND time >= ?2"
		    " ORDER BY id LIMIT ?3");
		sqldb_bind_text(st, 4, f->domain);
		/* The account filter, if any, is applied by the caller. */
	} else if (f->account != NULL) {
		st = sqldb_cached(pdb->db, "SELECT " AUDIT_COLUMNS " FROM audit_log"
		    " WHERE account = ?4 AND id > ?1 AND time >= ?2"
		    " ORDER BY id LIMIT ?3");
		sqldb_bind_text(st, 4, f->account);
	} else
		st = sqldb_cached(pdb->db, "SELECT " AUDIT_COLUMNS " FROM audit_log"
		    " WHERE id > ?1 AND time >= ?2 ORDER BY id LIMIT ?3");
	sqldb_bind_int64(st, 1, f->after);
	sqldb_bind_int64(st, 2, f->since);
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
	struct sqldb_stmt *st;
	int rc;

	*more = 0;
	st = policydb_audit_stmt(pdb, f);
	/* With both filters, rows of the domain that another account
	 * shows are skipped: ask for rows one by one (no LIMIT). */
	sqldb_bind_int64(st, 3, f->domain && f->account ? LLONG_MAX :
	    (long long)max + 1);
	while ((rc = sqldb_step(st)) == SQLDB_ROW) {
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
	if (rc != SQLDB_DONE && rc != SQLDB_ROW) {
		policydb_audits_free(v, n);
		return sqldb_step_error(st, "list audit log", err);
	}
	sqldb_finish(st);
	*vp = v;
	*np = n;
	return 0;
}
