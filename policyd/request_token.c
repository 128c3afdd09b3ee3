/*
 * request_token - the API tokens of accounts: token-new, token-revoke,
 * token-list and token-auth; see request.h.
 * SPDX-License-Identifier: ISC
 *
 * A secret (lib/apitoken) is in the reply to token-new and nowhere
 * else: policy.db keeps its SHA-256, so token-auth hashes what it is
 * given and looks the hash up.  The last use of a token is written at
 * most once per REQUEST_TOKEN_USED_STEP seconds, so that a busy API
 * client does not make a commit of every request.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>

#include "apitoken.h"
#include "buf.h"
#include "log.h"
#include "mymalloc.h"
#include "policydb.h"
#include "request.h"
#include "request_ops.h"

static const char *
request_access(int read_only)
{
	return read_only ? "read-only" : "read-write";
}

static json_t *
request_token_json(const struct policydb_token *t)
{
	return json_pack("{s:I, s:s, s:I, s:o, s:o}", "id", (json_int_t)t->id,
	    "access", request_access(t->read_only),
	    "created", (json_int_t)t->created,
	    "last_used", t->last_used ? json_integer(t->last_used) :
	    json_null(), "revoked", t->revoked ? json_integer(t->revoked) :
	    json_null());
}

/* The tokens of an account, as a JSON array (an empty one on error). */
json_t *
request_tokens_json(struct policyd *pd, const char *name, struct buf *err)
{
	struct policydb_token *v;
	json_t *a = json_array();
	size_t n, i;

	if (policydb_token_list(pd->db, name, &v, &n, err) < 0) {
		log_warn("%s", err->s);
		buf_reset(err);
		return a;
	}
	for (i = 0; i < n; i++)
		json_array_append_new(a, request_token_json(&v[i]));
	policydb_tokens_free(v, n);
	return a;
}

/* Room for one more token of name: -1 when it has tokens_max live. */
static int
request_token_room(struct policyd *pd, const char *name, struct buf *err)
{
	long long live = policydb_token_count(pd->db, name, 1);

	if (live >= pd->conf.tokens_max) {
		buf_printf(err, "account %s: already %lld live API tokens, the"
		    " most that portal_tokens_max allows; revoke one first",
		    name, live);
		return -1;
	}
	if (policydb_token_count(pd->db, name, 0) >= pd->conf.tokens_max)
		return policydb_token_prune(pd->db, name, err);
	return 0;
}

/*
 * token-new {"name", "read_only"?}: {"ok", "token": SECRET, "id",
 * "access"}, the one time the secret is shown.
 */
json_t *
request_token_new(struct policyd *pd, json_t *req, struct buf *err)
{
	json_t *ro = json_object_get(req, "read_only"), *reply;
	struct policydb_token t;
	char hash[APITOKEN_HASH_LEN + 1], *secret;
	const char *name;

	if (ro != NULL && !json_is_boolean(ro)) {
		buf_puts(err, "read_only: not true or false");
		return NULL;
	}
	if (request_account_name(req, &name, err) < 0 ||
	    policydb_begin(pd->db, err) < 0)
		return NULL;
	if (request_exists(pd, name, err) <= 0 ||
	    request_token_room(pd, name, err) < 0)
		goto fail;
	secret = apitoken_new();
	if (apitoken_parse(secret, strlen(secret), hash, err) < 0)
		log_panic("token-new: a new token does not parse: %s", err->s);
	memset(&t, 0, sizeof(t));
	t.account = (char *)name;
	t.hash = hash;
	t.read_only = json_is_true(ro);
	t.created = request_now(pd);
	if (policydb_token_insert(pd->db, &t, err) < 0 ||
	    request_audit(pd, PROTO_OP_TOKEN_NEW, NULL, name,
	    json_pack("{s:I, s:s}", "id", (json_int_t)t.id, "access",
	    request_access(t.read_only)), err) < 0 ||
	    request_commit(pd, err) < 0) {
		OPENSSL_cleanse(secret, strlen(secret));
		free(secret);
		goto fail;
	}
	log_info("account %s: API token %lld created (%s)", name, t.id,
	    request_access(t.read_only));
	reply = json_pack("{s:b, s:s, s:I, s:s, s:s}", "ok", 1, "token",
	    secret, "id", (json_int_t)t.id, "access",
	    request_access(t.read_only), "account", name);
	OPENSSL_cleanse(secret, strlen(secret));
	free(secret);
	return reply;
fail:
	policydb_rollback(pd->db);
	return NULL;
}

/* The token id of account name: 1 found (in *t), 0 not (said in err). */
static int
request_token_of(struct policyd *pd, const char *name, long long id,
    struct policydb_token *t, struct buf *err)
{
	struct policydb_token *v;
	size_t n, i;
	int found = 0;

	if (policydb_token_list(pd->db, name, &v, &n, err) < 0)
		return -1;
	for (i = 0; i < n && !found; i++)
		if (v[i].id == id) {
			*t = v[i];
			memset(&v[i], 0, sizeof(v[i]));
			found = 1;
		}
	policydb_tokens_free(v, n);
	if (!found)
		buf_printf(err, "account %s: no API token %lld", name, id);
	return found;
}

/* token-revoke {"name", "id"} */
json_t *
request_token_revoke(struct policyd *pd, json_t *req, struct buf *err)
{
	json_t *idv = json_object_get(req, "id"), *reply;
	struct policydb_token t;
	const char *name;
	long long id;

	if (!json_is_integer(idv) || json_integer_value(idv) <= 0) {
		buf_puts(err, "id: not a token id (a number from 1)");
		return NULL;
	}
	id = json_integer_value(idv);
	if (request_account_name(req, &name, err) < 0 ||
	    policydb_begin(pd->db, err) < 0)
		return NULL;
	if (request_exists(pd, name, err) <= 0 ||
	    request_token_of(pd, name, id, &t, err) <= 0)
		goto fail;
	if (t.revoked != 0) {
		buf_printf(err, "account %s: API token %lld is already"
		    " revoked", name, id);
		policydb_token_clear(&t);
		goto fail;
	}
	t.revoked = request_now(pd);
	if (policydb_token_revoke(pd->db, id, t.revoked, err) < 0 ||
	    request_audit(pd, PROTO_OP_TOKEN_REVOKE, NULL, name,
	    json_pack("{s:I}", "id", (json_int_t)id), err) < 0 ||
	    request_commit(pd, err) < 0) {
		policydb_token_clear(&t);
		goto fail;
	}
	log_info("account %s: API token %lld revoked", name, id);
	reply = json_pack("{s:b, s:s, s:o}", "ok", 1, "account", name,
	    "token", request_token_json(&t));
	policydb_token_clear(&t);
	return reply;
fail:
	policydb_rollback(pd->db);
	return NULL;
}

/* token-list {"name"} */
json_t *
request_token_list(struct policyd *pd, json_t *req, struct buf *err)
{
	const char *name;

	if (request_account_name(req, &name, err) < 0 ||
	    request_exists(pd, name, err) <= 0)
		return NULL;
	return json_pack("{s:b, s:s, s:o}", "ok", 1, "account", name, "tokens",
	    request_tokens_json(pd, name, err));
}

/* Records the use of t at now, at most once per REQUEST_TOKEN_USED_STEP. */
static void
request_token_touch(struct policyd *pd, const struct policydb_token *t,
    long long now)
{
	struct buf err = BUF_INIT;

	if (t->last_used != 0 && now - t->last_used < REQUEST_TOKEN_USED_STEP &&
	    now >= t->last_used)
		return;
	if (policydb_begin(pd->db, &err) < 0 ||
	    policydb_token_used(pd->db, t->id, now, &err) < 0 ||
	    request_commit(pd, &err) < 0) {
		policydb_rollback(pd->db);
		log_warn("account %s: API token %lld: last use not recorded:"
		    " %s", t->account, t->id, err.s);
	}
	buf_free(&err);
}

/*
 * token-auth {"token"} (private socket): {"ok", "account", "access",
 * "id"}, or the one refusal REQUEST_TOKEN_REFUSED: not a token, unknown,
 * revoked, account disabled.
 */
json_t *
request_token_auth(struct policyd *pd, json_t *req, struct buf *err)
{
	json_t *v = json_object_get(req, "token"), *reply;
	char hash[APITOKEN_HASH_LEN + 1];
	struct policydb_account a;
	struct policydb_token t;
	struct buf e = BUF_INIT;
	const char *why = NULL;
	int rc;

	memset(&t, 0, sizeof(t));
	if (!json_is_string(v) || apitoken_parse(json_string_value(v),
	    json_string_length(v), hash, &e) < 0)
		why = "not an API token";
	else if ((rc = policydb_token_find(pd->db, hash, &t, &e)) <= 0)
		why = rc < 0 ? e.s : "unknown token";
	else if (t.revoked != 0)
		why = "revoked";
	else if ((rc = policydb_account_get(pd->db, t.account, &a, &e)) <= 0)
		why = rc < 0 ? e.s : "no such account";
	else {
		if (a.disabled)
			why = "account disabled";
		policydb_account_clear(&a);
	}
	if (why != NULL) {
		if (t.id != 0)
			log_info("token-auth from %s: refused: %s: token %lld",
			    pd->origin, why, t.id);
		else
			log_info("token-auth from %s: refused: %s", pd->origin,
			    why);
		policydb_token_clear(&t);
		buf_free(&e);
		buf_puts(err, REQUEST_TOKEN_REFUSED);
		return NULL;
	}
	request_token_touch(pd, &t, request_now(pd));
	reply = json_pack("{s:b, s:s, s:s, s:I}", "ok", 1, "account",
	    t.account, "access", request_access(t.read_only), "id",
	    (json_int_t)t.id);
	policydb_token_clear(&t);
	buf_free(&e);
	return reply;
}
