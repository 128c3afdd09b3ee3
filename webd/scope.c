/*
 * scope - webd's requests to policyd and the account's view of the
 * domains; see scope.h.
 * SPDX-License-Identifier: ISC
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <jansson.h>

#include "buf.h"
#include "dashboard.h"
#include "http.h"
#include "log.h"
#include "mymalloc.h"
#include "params.h"
#include "policyc.h"
#include "proto.h"
#include "scope.h"
#include "scopecache.h"

#define SCOPE_REFUSED	"refused"	/* the start of an auth refusal */

static int
scope_timeout_ms(void)
{
	return (int)(var_ipc_timeout * 1000);
}

/*
 * One request to policyd on its own connection: the reply, or NULL
 * with err.  *refused: policyd answered, with not ok.
 */
static json_t *
scope_call_once(json_t *req, int *refused, struct buf *err)
{
	struct policyc pc;
	json_t *reply;

	*refused = 0;
	if (policyc_open(&pc, PROTO_POLICYD_PRIVATE, scope_timeout_ms(),
	    err) < 0) {
		json_decref(req);
		return NULL;
	}
	reply = policyc_call(req, &pc, err);
	*refused = pc.refused;
	policyc_close(&pc);
	return reply;
}

/* The "account" of an auth reply into account; 1, or -1. */
static int
scope_account_of(json_t *reply, char account[ACCTNAME_MAX + 1],
    struct buf *err)
{
	const char *a = json_string_value(json_object_get(reply, "account"));

	if (a == NULL || strlen(a) > ACCTNAME_MAX) {
		buf_puts(err, "policyd: an auth reply without account");
		return -1;
	}
	snprintf(account, ACCTNAME_MAX + 1, "%s", a);
	return 1;
}

/*
 * account-auth or token-auth: 1, 0 refused, -1 policyd not reached;
 * *read_only (unless NULL): token-auth said "read-only".
 */
static int
scope_auth(json_t *req, char account[ACCTNAME_MAX + 1], int *read_only,
    struct buf *err)
{
	json_t *reply;
	int refused, rc;

	if (req == NULL) {
		buf_puts(err, "not UTF-8");
		return 0;
	}
	if ((reply = scope_call_once(req, &refused, err)) == NULL) {
		if (refused) {
			buf_reset(err);
			return 0;
		}
		return -1;
	}
	rc = scope_account_of(reply, account, err);
	if (read_only != NULL)
		*read_only = json_string_value(json_object_get(reply,
		    "access")) == NULL || strcmp(json_string_value(
		    json_object_get(reply, "access")), "read-write") != 0;
	json_decref(reply);
	return rc;
}

int
scope_signin(const char *name, const char *password, const char *from,
    char account[ACCTNAME_MAX + 1], struct buf *err)
{
	return scope_auth(json_pack("{s:s, s:s, s:s, s:s}", "op",
	    PROTO_OP_ACCOUNT_AUTH, "name", name, "password", password,
	    "from", from), account, NULL, err);
}

int
scope_signup(const char *name, const char *email, const char *password,
    const char *from, struct buf *err)
{
	json_t *req, *reply;
	int refused;

	if (strcmp(name, ACCTNAME_OPERATOR) == 0 ||
	    acctname_check(name, strlen(name), err) < 0) {
		if (err->len == 0)
			buf_puts(err, "this name is reserved");
		return 0;
	}
	if ((req = json_pack("{s:s, s:s, s:s, s:s, s:s, s:s}", "op",
	    PROTO_OP_ACCOUNT_ADD, "name", name, "email", email, "password",
	    password, "actor", name, "from", from)) == NULL) {
		buf_puts(err, "not UTF-8");
		return 0;
	}
	if ((reply = scope_call_once(req, &refused, err)) == NULL)
		return refused ? 0 : -1;
	json_decref(reply);
	return 1;
}

int
scope_token(const char *token, const char *from,
    char account[ACCTNAME_MAX + 1], int *read_only, struct buf *err)
{
	int64_t now = scopecache_now_ms();
	const char *known = scopecache_token(token, now, read_only);
	int rc;

	if (known != NULL) {
		snprintf(account, ACCTNAME_MAX + 1, "%s", known);
		return 1;
	}
	rc = scope_auth(json_pack("{s:s, s:s, s:s}", "op",
	    PROTO_OP_TOKEN_AUTH, "token", token, "from", from), account,
	    read_only, err);
	if (rc > 0)
		scopecache_token_put(token, account, *read_only, now);
	return rc;
}

/* Does op only read?  Any other drops the account's cached answers. */
static int
scope_reads(const char *op)
{
	static const char *const reads[] = { PROTO_OP_ACCOUNT_SHOW,
	    PROTO_OP_DOMAIN_SHOW, PROTO_OP_DOMAIN_LIST, PROTO_OP_DOMAIN_RECORDS,
	    PROTO_OP_TOKEN_LIST, PROTO_OP_AUDIT_LIST, NULL };
	size_t i;

	for (i = 0; op != NULL && reads[i] != NULL; i++)
		if (strcmp(op, reads[i]) == 0)
			return 1;
	return 0;
}

/*
 * A request on the scope's connection (opened on the first), as its
 * account from its client.
 */
static json_t *
scope_call(json_t *req, void *ctx, struct buf *err)
{
	struct scope *sc = ctx;

	if (!scope_reads(json_string_value(json_object_get(req, "op"))))
		scopecache_forget(sc->account);

	if (sc->pc.fd < 0 && policyc_open(&sc->pc, PROTO_POLICYD_PRIVATE,
	    scope_timeout_ms(), err) < 0) {
		json_decref(req);
		return NULL;
	}
	json_object_set_new(req, "actor", json_string(sc->account));
	json_object_set_new(req, "from", json_string(sc->from));
	json_object_set_new(req, "access", json_string(sc->read_only ?
	    PROTO_ACCESS_READ_ONLY : PROTO_ACCESS_READ_WRITE));
	return policyc_call(req, &sc->pc, err);
}

int
scope_open(struct scope *sc, const char *account, const char *from,
    struct buf *err)
{
	json_t *reply, *a;
	int64_t now = scopecache_now_ms();

	memset(sc, 0, sizeof(*sc));
	sc->pc.fd = -1;
	snprintf(sc->account, sizeof(sc->account), "%s", account);
	snprintf(sc->from, sizeof(sc->from), "%s", from);
	if ((sc->names = scopecache_account(account, now)) != NULL) {
		json_incref(sc->names);
		return 0;
	}
	reply = scope_call(json_pack("{s:s, s:s}", "op", PROTO_OP_ACCOUNT_SHOW,
	    "name", account), sc, err);
	if (reply == NULL) {
		if (strstr(err->s ? err->s : "",
		    "no such account") != NULL)
			return 1;
		return -1;
	}
	a = json_object_get(reply, "account");
	if (json_is_true(json_object_get(a, "disabled")) ||
	    !json_is_array(json_object_get(a, "domains"))) {
		json_decref(reply);
		return 1;
	}
	sc->names = json_incref(json_object_get(a, "domains"));
	scopecache_account_put(account, json_incref(sc->names), now);
	json_decref(reply);
	return 0;
}

/*
 * What an account sees of a domain: the members of SCOPE_MEMBERS of
 * policyd's domain-show object (a new object; d is taken), nothing
 * else, so that a member policyd adds is not shown until it is added
 * here and to the API's document.
 */
json_t *
scope_public(json_t *d)
{
	static const char *const members[] = { SCOPE_MEMBERS, NULL };
	json_t *o, *v;
	size_t i;

	if (d == NULL)
		return NULL;
	o = json_object();
	for (i = 0; members[i] != NULL; i++)
		if ((v = json_object_get(d, members[i])) != NULL)
			json_object_set(o, members[i], v);
	json_decref(d);
	return o;
}

static int
scope_name_cmp(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

json_t *
scope_domains_page(struct scope *sc, const char *after, size_t max,
    int full, int *more, struct buf *err)
{
	size_t n = json_array_size(sc->names), i, k = 0;
	const char **names = xcalloc(n + 1, sizeof(*names));
	json_t *list = json_array(), *d;

	*more = 0;
	for (i = 0; i < n; i++) {
		const char *v = json_string_value(json_array_get(sc->names, i));

		if (v != NULL && (after == NULL || strcmp(v, after) > 0))
			names[k++] = v;
	}
	qsort(names, k, sizeof(*names), scope_name_cmp);
	for (i = 0; i < k && list != NULL; i++) {
		if (i == max) {
			*more = 1;
			break;
		}
		d = policyc_domain_show(scope_call, sc, names[i], err);
		if (!full)
			d = scope_public(d);
		if (d == NULL) {
			json_decref(list);
			list = NULL;
		} else
			json_array_append_new(list, d);
	}
	free(names);
	return list;
}

json_t *
scope_domains(struct scope *sc, struct buf *err)
{
	json_t *list = json_array(), *v, *d;
	size_t i;

	json_array_foreach(sc->names, i, v) {
		if ((d = scope_public(policyc_domain_show(scope_call, sc,
		    json_string_value(v), err))) == NULL) {
			json_decref(list);
			return NULL;
		}
		json_array_append_new(list, d);
	}
	return list;
}

int
scope_has(struct scope *sc, const char *name, char norm[HTTP_HOST_MAX + 1])
{
	json_t *v;
	size_t i;

	if (http_host_normalize(name, strlen(name), norm) < 0)
		return 0;
	json_array_foreach(sc->names, i, v)
		if (strcasecmp(json_string_value(v), norm) == 0)
			return 1;
	return 0;
}

json_t *
scope_domain(struct scope *sc, const char *name, struct buf *err)
{
	char norm[HTTP_HOST_MAX + 1];

	if (!scope_has(sc, name, norm))
		return NULL;
	return scope_public(policyc_domain_show(scope_call, sc, norm, err));
}

json_t *
scope_ask(struct scope *sc, json_t *req, int *refused, struct buf *err)
{
	json_t *reply;

	*refused = 0;
	if (req == NULL) {
		buf_puts(err, "not UTF-8");
		*refused = 1;
		return NULL;
	}
	reply = scope_call(req, sc, err);
	*refused = reply == NULL && sc->pc.refused;
	return reply;
}

json_t *
scope_dashboard(struct scope *sc, const char *name, struct buf *err)
{
	char norm[HTTP_HOST_MAX + 1];

	if (!scope_has(sc, name, norm))
		return NULL;
	return dashboard_domain(PROTO_POLICYD_PRIVATE, norm, err);
}

void
scope_close(struct scope *sc)
{
	policyc_close(&sc->pc);
	json_decref(sc->names);
	sc->names = NULL;
}
