/*
 * request_account - the accounts of domain owners: account-add,
 * account-set, account-del, account-list, account-show and
 * account-auth; see request.h.
 * SPDX-License-Identifier: ISC
 *
 * Passwords are hashed with yescrypt through libxcrypt (crypt_gensalt_rn
 * with "$y$" and its default cost, crypt_rn) and never stored, logged
 * or replied.  account-auth answers every refusal alike, and spends the
 * time of one hash on each, so that neither its answer nor its delay
 * tells whether a name exists.
 */
#include "config.h"

#include <crypt.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>

#include "acctname.h"
#include "buf.h"
#include "dnsname.h"
#include "esc.h"
#include "log.h"
#include "mymalloc.h"
#include "plural.h"
#include "policydb.h"
#include "request.h"
#include "request_ops.h"

#define REQUEST_HASH_PREFIX	"$y$"	/* yescrypt */

/*
 * Passwords.
 */
/* The crypt(3) hash of password, or NULL with err. */
static char *
request_password_hash(const char *password, struct buf *err)
{
	char salt[CRYPT_GENSALT_OUTPUT_SIZE];
	struct crypt_data *cd = xcalloc(1, sizeof(*cd));
	char *out = NULL;

	if (crypt_gensalt_rn(REQUEST_HASH_PREFIX, 0, NULL, 0, salt,
	    sizeof(salt)) == NULL)
		buf_puts(err, "cannot make a password salt (crypt_gensalt)");
	else if (crypt_rn(password, salt, cd, sizeof(*cd)) == NULL ||
	    cd->output[0] == '*')
		buf_puts(err, "cannot hash the password (crypt)");
	else
		out = xstrdup(cd->output);
	OPENSSL_cleanse(cd, sizeof(*cd));
	free(cd);
	return out;
}

/*
 * Whether password hashes to hash, in constant time once hashed; with
 * hash NULL (no such account, no password) a hash of the same cost is
 * computed and the answer is no.
 */
static int
request_password_match(const char *password, const char *hash)
{
	static char *dummy;
	struct crypt_data *cd = xcalloc(1, sizeof(*cd));
	struct buf err = BUF_INIT;
	const char *against = hash;
	int match = 0;

	if (against == NULL) {
		if (dummy == NULL && (dummy = request_password_hash(
		    "not a password", &err)) == NULL)
			log_fatal("account-auth: %s", err.s);
		against = dummy;
	}
	if (crypt_rn(password, against, cd, sizeof(*cd)) != NULL &&
	    cd->output[0] != '*' && strlen(cd->output) == strlen(against))
		match = CRYPTO_memcmp(cd->output, against,
		    strlen(against)) == 0;
	OPENSSL_cleanse(cd, sizeof(*cd));
	free(cd);
	buf_free(&err);
	return match && hash != NULL;
}

/* req.password: 1 given (*out its hash), 0 absent, -1 refused. */
static int
request_password(struct policyd *pd, json_t *req, char **out,
    struct buf *err)
{
	json_t *v = json_object_get(req, "password");
	size_t len;

	*out = NULL;
	if (v == NULL)
		return 0;
	len = json_string_length(v);
	if (!json_is_string(v) || strlen(json_string_value(v)) != len) {
		buf_puts(err, "password: not a string without NUL");
		return -1;
	}
	if (len < (size_t)pd->conf.password_min || len > REQUEST_PASSWORD_MAX) {
		buf_printf(err, "password of %zu characters: it must have %lld"
		    " to %d (portal_password_min_length)", len,
		    pd->conf.password_min, REQUEST_PASSWORD_MAX);
		return -1;
	}
	if ((*out = request_password_hash(json_string_value(v), err)) == NULL)
		return -1;
	return 1;
}

/*
 * Request fields.
 */
/* The string v to *out once check (lib/acctname) accepts it. */
static int
request_acctname(json_t *v, int (*check)(const char *, size_t, struct buf *),
    const char **out, struct buf *err)
{
	if (check(json_string_value(v), json_string_length(v), err) < 0)
		return -1;
	*out = json_string_value(v);
	return 0;
}

/* req.name, an account name. */
int
request_account_name(json_t *req, const char **out, struct buf *err)
{
	json_t *v = json_object_get(req, "name");

	if (!json_is_string(v)) {
		buf_puts(err, "missing account name");
		return -1;
	}
	return request_acctname(v, acctname_check, out, err);
}

static int
request_email(json_t *req, const char **out, struct buf *err)
{
	json_t *v = json_object_get(req, "email");

	*out = NULL;
	if (v == NULL)
		return 0;
	if (!json_is_string(v)) {
		buf_puts(err, "email: not a string");
		return -1;
	}
	if (request_acctname(v, acctname_email_check, out, err) < 0)
		return -1;
	return 1;
}

static int
request_quota(json_t *req, long long *out, struct buf *err)
{
	json_t *v = json_object_get(req, "quota");

	if (v == NULL)
		return 0;
	if (!json_is_integer(v) || json_integer_value(v) < 0 ||
	    json_integer_value(v) > REQUEST_QUOTA_MAX) {
		buf_printf(err, "quota: not a number of domains from 0 to %d",
		    REQUEST_QUOTA_MAX);
		return -1;
	}
	*out = json_integer_value(v);
	return 1;
}

/* req.KEY: a list of domains, each checked (strict: stsd can host it). */
static int
request_domain_list(struct policyd *pd, json_t *req, const char *key,
    int strict, json_t **out, struct buf *err)
{
	json_t *v = json_object_get(req, key), *e, *one;
	char *name;
	size_t i, j;

	*out = json_array();
	if (v == NULL)
		return 0;
	if (!json_is_array(v) || json_array_size(v) > REQUEST_QUOTA_MAX) {
		buf_printf(err, "%s: not a list of at most %d domains", key,
		    REQUEST_QUOTA_MAX);
		return -1;
	}
	json_array_foreach(v, i, e) {
		one = json_pack("{s:O}", "domain", e);
		if (request_domain_name(pd, one, strict, &name, err) < 0) {
			json_decref(one);
			return -1;
		}
		json_decref(one);
		for (j = 0; j < json_array_size(*out); j++)
			if (strcmp(json_string_value(json_array_get(*out, j)),
			    name) == 0) {
				buf_printf(err, "%s: given twice", name);
				free(name);
				return -1;
			}
		json_array_append_new(*out, json_string(name));
		free(name);
	}
	return 1;
}

/*
 * Domain ownership, inside the caller's transaction: assign gives
 * account the domains (those it has already stay), else takes them
 * back from it (each must be its own).
 */
static int
request_ownership(struct policyd *pd, const char *account, json_t *domains,
    int assign, struct buf *err)
{
	const char *d;
	char *owner;
	json_t *e;
	size_t i;
	int rc, mine;

	json_array_foreach(domains, i, e) {
		d = json_string_value(e);
		if ((rc = policydb_domain_owner(pd->db, d, &owner, err)) < 0)
			return -1;
		mine = rc == 1 && strcmp(owner, account) == 0;
		if (assign && rc == 1 && !mine)
			buf_printf(err, "%s: already managed by account %s; a"
			    " domain belongs to one account at most", d, owner);
		else if (!assign && !mine)
			buf_printf(err, "%s: not managed by account %s", d,
			    account);
		free(owner);
		if (assign ? rc == 1 && !mine : !mine)
			return -1;
		if (assign && rc == 0 && policydb_domain_assign(pd->db, d,
		    account, request_now(pd), err) < 0)
			return -1;
		if (!assign && policydb_domain_assign(pd->db, d, NULL, 0,
		    err) < 0)
			return -1;
	}
	return 0;
}

/* The account's domains within its quota, once its changes are made. */
static int
request_quota_check(struct policyd *pd, const char *name, struct buf *err)
{
	struct policydb_account a;

	if (policydb_account_get(pd->db, name, &a, err) <= 0) {
		if (err->len == 0)
			buf_printf(err, "%s: no such account", name);
		return -1;
	}
	if (a.ndomains > a.quota) {
		buf_printf(err, "account %s: %lld domains would be over its"
		    " quota of %lld", name, a.ndomains, a.quota);
		policydb_account_clear(&a);
		return -1;
	}
	policydb_account_clear(&a);
	return 0;
}

/*
 * Replies.
 */
static json_t *
request_account_json(const struct policydb_account *a)
{
	return json_pack("{s:s, s:s, s:I, s:I, s:b, s:b, s:I, s:I}",
	    "name", a->name, "email", a->email,
	    "quota", (json_int_t)a->quota,
	    "domain_count", (json_int_t)a->ndomains,
	    "disabled", a->disabled, "password", a->password != NULL,
	    "created", (json_int_t)a->created,
	    "updated", (json_int_t)a->updated);
}

/* {"ok": true, "account": {..., "domains": [...], "tokens": [...]}} */
static json_t *
request_account_reply(struct policyd *pd, const char *name, struct buf *err)
{
	struct policydb_account a;
	json_t *o, *domains;
	char **v;
	size_t n, i;
	int rc;

	if ((rc = policydb_account_get(pd->db, name, &a, err)) <= 0) {
		if (rc == 0)
			buf_printf(err, "%s: no such account", name);
		return NULL;
	}
	if (policydb_account_domains(pd->db, name, &v, &n, err) < 0) {
		policydb_account_clear(&a);
		return NULL;
	}
	o = request_account_json(&a);
	domains = json_array();
	for (i = 0; i < n; i++)
		json_array_append_new(domains, json_string(v[i]));
	xfreev(v, n);
	json_object_set_new(o, "domains", domains);
	json_object_set_new(o, "tokens", request_tokens_json(pd, name, err));
	policydb_account_clear(&a);
	return json_pack("{s:b, s:o}", "ok", 1, "account", o);
}

/*
 * account-add {"name", "email", "password"?, "quota"?, "domains"?}
 */
json_t *
request_account_add(struct policyd *pd, json_t *req, struct buf *err)
{
	struct policydb_account a;
	json_t *domains = NULL, *reply = NULL;
	const char *name, *email;
	char *hash = NULL;
	int rc;

	memset(&a, 0, sizeof(a));
	a.quota = pd->conf.default_quota;
	if (request_account_name(req, &name, err) < 0 ||
	    (rc = request_email(req, &email, err)) < 0 ||
	    request_quota(req, &a.quota, err) < 0 ||
	    request_domain_list(pd, req, "domains", 1, &domains, err) < 0)
		goto out;
	if (rc == 0) {
		buf_puts(err, "missing e-mail address");
		goto out;
	}
	if (request_password(pd, req, &hash, err) < 0 ||
	    policydb_begin(pd->db, err) < 0)
		goto out;
	if ((rc = policydb_account_get(pd->db, name, &a, err)) != 0) {
		/* A sign-up is not told that the name exists. */
		if (rc > 0 && request_actor_is_account(pd))
			buf_puts(err, PROTO_SIGNUP_REFUSED);
		else if (rc > 0)
			buf_printf(err, "%s: account already exists", name);
		if (rc > 0)
			policydb_account_clear(&a);
		policydb_rollback(pd->db);
		goto out;
	}
	a.name = (char *)name;
	a.email = (char *)email;
	a.password = hash;
	a.created = a.updated = request_now(pd);
	if (policydb_account_put(pd->db, &a, err) < 0 ||
	    request_ownership(pd, name, domains, 1, err) < 0 ||
	    request_quota_check(pd, name, err) < 0 ||
	    request_audit(pd, request_actor_is_account(pd) ?
	    PROTO_SIGNUP_ACTION : PROTO_OP_ACCOUNT_ADD, NULL, name,
	    json_pack("{s:s, s:I, s:O, s:b}", "email", email, "quota",
	    (json_int_t)a.quota, "domains", domains, "password", hash != NULL),
	    err) < 0) {
		policydb_rollback(pd->db);
		goto out;
	}
	if (request_commit(pd, err) < 0)
		goto out;
	if (request_actor_is_account(pd))
		log_info("account %s: created by sign-up from %s (e-mail %s,"
		    " quota %lld)", name, pd->origin, email, a.quota);
	else
		log_info("account %s: added (e-mail %s, quota %lld, %zu %s%s)",
		    name, email, a.quota, json_array_size(domains),
		    plural((long long)json_array_size(domains), "domain",
		    "domains"), hash ? "" : ", no password");
	reply = request_account_reply(pd, name, err);
out:
	if (hash != NULL)
		OPENSSL_cleanse(hash, strlen(hash));
	free(hash);
	json_decref(domains);
	return reply;
}

/*
 * account-set {"name", "email"?, "quota"?, "password"?, "disabled"?,
 * "add_domains"?, "remove_domains"?}
 */
struct request_account_change {
	const char *email;
	long long quota;
	int	 has_quota;
	char	*hash;
	json_t	*disabled;
	json_t	*add;
	json_t	*remove;
};

static void
request_change_free(struct request_account_change *c)
{
	if (c->hash != NULL)
		OPENSSL_cleanse(c->hash, strlen(c->hash));
	free(c->hash);
	json_decref(c->add);
	json_decref(c->remove);
}

static int
request_change_fields(struct policyd *pd, json_t *req,
    struct request_account_change *c, struct buf *err)
{
	memset(c, 0, sizeof(*c));
	c->disabled = json_object_get(req, "disabled");
	if (c->disabled != NULL && !json_is_boolean(c->disabled)) {
		buf_puts(err, "disabled: not true or false");
		return -1;
	}
	if (request_email(req, &c->email, err) < 0 ||
	    (c->has_quota = request_quota(req, &c->quota, err)) < 0 ||
	    request_domain_list(pd, req, "add_domains", 1, &c->add, err) < 0 ||
	    request_domain_list(pd, req, "remove_domains", 0, &c->remove,
	    err) < 0 || request_password(pd, req, &c->hash, err) < 0)
		return -1;
	return 0;
}

/* Applies c to a; the changes, for the audit log. */
static json_t *
request_change_apply(struct request_account_change *c,
    struct policydb_account *a)
{
	json_t *what = json_object();

	if (c->email != NULL && strcmp(c->email, a->email) != 0) {
		json_object_set_new(what, "email", json_string(c->email));
		free(a->email);
		a->email = xstrdup(c->email);
	}
	if (c->has_quota && c->quota != a->quota) {
		json_object_set_new(what, "quota", json_integer(c->quota));
		a->quota = c->quota;
	}
	if (c->disabled != NULL && json_is_true(c->disabled) != a->disabled) {
		a->disabled = json_is_true(c->disabled);
		json_object_set_new(what, "disabled", json_boolean(a->disabled));
	}
	if (c->hash != NULL) {
		free(a->password);
		a->password = c->hash;
		c->hash = NULL;
		json_object_set_new(what, "password", json_string("set"));
	}
	if (json_array_size(c->add) > 0)
		json_object_set(what, "add_domains", c->add);
	if (json_array_size(c->remove) > 0)
		json_object_set(what, "remove_domains", c->remove);
	return what;
}

json_t *
request_account_set(struct policyd *pd, json_t *req, struct buf *err)
{
	struct request_account_change c;
	struct policydb_account a;
	json_t *what = NULL, *reply = NULL;
	const char *name;
	char *text;
	int rc;

	memset(&a, 0, sizeof(a));
	memset(&c, 0, sizeof(c));
	if (request_account_name(req, &name, err) < 0 ||
	    request_change_fields(pd, req, &c, err) < 0 ||
	    policydb_begin(pd->db, err) < 0)
		goto out;
	if ((rc = policydb_account_get(pd->db, name, &a, err)) <= 0) {
		if (rc == 0)
			buf_printf(err, "%s: no such account", name);
		goto fail;
	}
	what = request_change_apply(&c, &a);
	if (json_object_size(what) == 0) {
		policydb_rollback(pd->db);
		reply = request_account_reply(pd, name, err);
		goto out;
	}
	a.updated = request_now(pd);
	if (policydb_account_put(pd->db, &a, err) < 0 ||
	    request_ownership(pd, name, c.remove, 0, err) < 0 ||
	    request_ownership(pd, name, c.add, 1, err) < 0 ||
	    request_quota_check(pd, name, err) < 0 ||
	    request_audit(pd, PROTO_OP_ACCOUNT_SET, NULL, name,
	    json_incref(what), err) < 0)
		goto fail;
	if (request_commit(pd, err) < 0)
		goto out;
	text = json_dumps(what, JSON_COMPACT | JSON_SORT_KEYS);
	log_info("account %s: changed: %s", name, text ? text : "?");
	free(text);
	reply = request_account_reply(pd, name, err);
	goto out;
fail:
	policydb_rollback(pd->db);
out:
	json_decref(what);
	request_change_free(&c);
	policydb_account_clear(&a);
	return reply;
}

/*
 * account-del {"name"}: its domains go back to the operator (they stay
 * hosted), its tokens go.
 */
json_t *
request_account_del(struct policyd *pd, json_t *req, struct buf *err)
{
	const char *name;
	json_t *domains;
	char **v = NULL;
	size_t n = 0, i;
	long long tokens;
	int rc;

	if (request_account_name(req, &name, err) < 0 ||
	    policydb_begin(pd->db, err) < 0)
		return NULL;
	if ((rc = request_exists(pd, name, err)) <= 0 ||
	    policydb_account_domains(pd->db, name, &v, &n, err) < 0)
		goto fail;
	domains = json_array();
	for (i = 0; i < n; i++)
		json_array_append_new(domains, json_string(v[i]));
	xfreev(v, n);
	tokens = policydb_token_count(pd->db, name, 1);
	if (policydb_account_delete(pd->db, name, err) < 0 ||
	    request_audit(pd, PROTO_OP_ACCOUNT_DEL, NULL, name,
	    json_pack("{s:O, s:I}", "domains", domains, "live_tokens",
	    (json_int_t)tokens), err) < 0) {
		json_decref(domains);
		goto fail;
	}
	if (request_commit(pd, err) < 0) {
		json_decref(domains);
		return NULL;
	}
	log_info("account %s: removed (%zu %s back to the operator, %lld live"
	    " API %s deleted)", name, json_array_size(domains),
	    plural((long long)json_array_size(domains), "domain", "domains"),
	    tokens, plural(tokens, "token", "tokens"));
	return json_pack("{s:b, s:s, s:o}", "ok", 1, "removed", name,
	    "domains", domains);
fail:
	policydb_rollback(pd->db);
	return NULL;
}

/* 1 when account name exists, else 0 with "NAME: no such account". */
int
request_exists(struct policyd *pd, const char *name, struct buf *err)
{
	struct policydb_account a;
	int rc;

	if ((rc = policydb_account_get(pd->db, name, &a, err)) == 0)
		buf_printf(err, "%s: no such account", name);
	if (rc > 0)
		policydb_account_clear(&a);
	return rc;
}

/*
 * account-list {"after"?}: a page of accounts by name.
 */
json_t *
request_account_list(struct policyd *pd, json_t *req, struct buf *err)
{
	json_t *after = json_object_get(req, "after"), *a, *reply;
	struct policydb_account *v;
	size_t n, i;

	if (after != NULL && !json_is_string(after)) {
		buf_puts(err, "after: not an account name");
		return NULL;
	}
	if (policydb_account_list(pd->db, json_string_value(after),
	    REQUEST_LIST_PAGE, &v, &n, err) < 0)
		return NULL;
	a = json_array();
	for (i = 0; i < n; i++)
		json_array_append_new(a, request_account_json(&v[i]));
	reply = json_pack("{s:b, s:o}", "ok", 1, "accounts", a);
	if (n == REQUEST_LIST_PAGE)
		json_object_set_new(reply, "next", json_string(v[n - 1].name));
	policydb_accounts_free(v, n);
	return reply;
}

json_t *
request_account_show(struct policyd *pd, json_t *req, struct buf *err)
{
	const char *name;

	if (request_account_name(req, &name, err) < 0)
		return NULL;
	return request_account_reply(pd, name, err);
}

/*
 * account-auth {"name", "password"} (private socket): {"ok": true,
 * "account": NAME} or the one refusal REQUEST_AUTH_REFUSED, whatever
 * the cause: no such account, no password set, disabled, wrong.
 */
json_t *
request_account_auth(struct policyd *pd, json_t *req, struct buf *err)
{
	json_t *n = json_object_get(req, "name"), *p = json_object_get(req,
	    "password");
	struct policydb_account a;
	const char *why = NULL;
	struct buf e = BUF_INIT;
	int found = 0, match;

	memset(&a, 0, sizeof(a));
	if (!json_is_string(n) || !json_is_string(p) ||
	    json_string_length(p) > REQUEST_PASSWORD_MAX) {
		buf_puts(err, REQUEST_AUTH_REFUSED);
		return NULL;
	}
	if (acctname_check(json_string_value(n), json_string_length(n),
	    &e) == 0 && (found = policydb_account_get(pd->db,
	    json_string_value(n), &a, &e)) < 0)
		log_warn("account-auth: %s", e.s);
	match = request_password_match(json_string_value(p),
	    found > 0 ? a.password : NULL);
	if (found <= 0)
		why = "no such account";
	else if (a.password == NULL)
		why = "no password set";
	else if (!match)
		why = "wrong password";
	else if (a.disabled)
		why = "account disabled";
	buf_free(&e);
	if (why != NULL) {
		log_info("account-auth: %s from %s: refused: %s",
		    esc_printable(json_string_value(n)), pd->origin, why);
		policydb_account_clear(&a);
		buf_puts(err, REQUEST_AUTH_REFUSED);
		return NULL;
	}
	policydb_account_clear(&a);
	return json_pack("{s:b, s:s}", "ok", 1, "account",
	    json_string_value(n));
}
