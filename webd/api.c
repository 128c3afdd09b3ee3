/*
 * api - webd's JSON API under /api/v1/, with bearer tokens (RFC 6750).
 * SPDX-License-Identifier: ISC
 *
 * DESCRIPTION
 *	GET /api/v1/openapi.json	the OpenAPI 3.1 document (no token)
 *	GET /api/v1/domains		the token's account's domains: an
 *					array of the objects of domain-show,
 *					each with a "domain" member
 *	GET /api/v1/domains?limit=N&after=NAME	a page of them:
 *					{"domains": [...], "next": NAME or
 *					null}, N (at most 100, 100 by
 *					default) after NAME in byte order;
 *					a bad limit or after: 400
 *	GET /api/v1/domains/NAME	one of them; 404 {"error": ...} for
 *					any other name, hosted or not
 *	The changes, records, checks and audit log: api_domain.c.
 *	GET /api/v1/domains/NAME/...	its reports: api_reports.c
 *	Without a token, or with one that policyd's token-auth refuses:
 *	401 with WWW-Authenticate: Bearer.  Another method: 405; another
 *	path: 404.  Errors are {"error": "..."}.
 */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include <jansson.h>
#include <openssl/crypto.h>

#include "apitoken.h"
#include "buf.h"
#include "http.h"
#include "log.h"
#include "owner.h"
#include "domreports.h"
#include "repquery.h"
#include "scope.h"
#include "webd.h"
#include "webform.h"

#define API_DOMAINS		WEBD_API_PREFIX "domains"
#define API_OPENAPI		WEBD_API_PREFIX "openapi.json"
#define API_TOKEN_MAX		256	/* bytes of a bearer token looked at */
#define API_REALM		"stsd"

static void
api_error(struct webd_req *r, int status, const char *fields, const char *why)
{
	webd_json(r, status, fields, json_pack("{s:s}", "error", why));
}

/* The token's account into account: 0, or answered (401, 503) and -1. */
static int
api_auth(struct webd_req *r, char account[ACCTNAME_MAX + 1], int *read_only)
{
	char token[API_TOKEN_MAX], addr[64];
	struct buf err = BUF_INIT;
	const char *v;
	size_t vlen;
	int rc = 0;

	if ((v = http_header_value(r->head, r->http->consumed, "authorization",
	    &vlen)) == NULL || webform_bearer(v, vlen, token,
	    sizeof(token)) < 0) {
		api_error(r, 401, "WWW-Authenticate: Bearer realm=\""
		    API_REALM "\"\r\n", "a bearer token is needed");
		return -1;
	}
	rc = scope_token(token, webd_client_addr(r, addr, sizeof(addr)),
	    account, read_only, &err);
	OPENSSL_cleanse(token, sizeof(token));
	if (rc < 0) {
		log_warn("%s: token-auth: %s", r->client, err.s);
		api_error(r, 503, NULL, "the API is not available now");
	} else if (rc == 0) {
		log_info("%s: API token refused", r->client);
		api_error(r, 401, "WWW-Authenticate: Bearer realm=\"" API_REALM
		    "\", error=\"invalid_token\"\r\n", "the token is not valid");
	}
	buf_free(&err);
	return rc > 0 ? 0 : -1;
}

/* A page of the list: {"domains", "next": the last name, or null}. */
static json_t *
api_domains_page(json_t *list, int more)
{
	json_t *last = json_array_get(list, json_array_size(list) - 1);
	json_t *name = json_object_get(last, "domain");

	return json_pack("{s:o, s:o}", "domains", list, "next", more &&
	    json_is_string(name) ? json_incref(name) : json_null());
}

static void
api_domains(struct webd_req *r, struct scope *sc)
{
	const struct http_request *h = r->http;
	struct repquery_domains q;
	struct buf err = BUF_INIT;
	json_t *list;
	int more = 0;

	if (repquery_domains(h->target + h->path_len + 1, h->target_len >
	    h->path_len + 1 ? h->target_len - h->path_len - 1 : 0, &q,
	    &err) < 0) {
		api_error(r, 400, NULL, err.s);
		buf_free(&err);
		return;
	}
	list = q.paged ? scope_domains_page(sc, q.after, (size_t)q.limit,
	    0, &more, &err) : scope_domains(sc, &err);
	if (list == NULL) {
		log_warn("%s: domains of %s: %s", r->client, sc->account, err.s);
		api_error(r, 503, NULL, "the domain list is not available now");
	} else
		webd_json(r, 200, NULL, q.paged ? api_domains_page(list, more) :
		    list);
	repquery_domains_free(&q);
	buf_free(&err);
}

static void
api_domain(struct webd_req *r, struct scope *sc, const char *name)
{
	struct buf err = BUF_INIT;
	json_t *d;

	if ((d = scope_domain(sc, name, &err)) != NULL)
		webd_json(r, 200, NULL, d);
	else if (err.len > 0) {
		log_warn("%s: domain of %s: %s", r->client, sc->account, err.s);
		api_error(r, 503, NULL, "the domain is not available now");
	} else
		api_error(r, 404, NULL, "no such domain");
	buf_free(&err);
}

/* The routes that need a token: every one through the account's scope. */
static void
api_account(struct webd_req *r)
{
	char account[ACCTNAME_MAX + 1], addr[64], name[HTTP_HOST_MAX + 2];
	char rest[REPORTS_REST_MAX];
	size_t plen = strlen(API_DOMAINS "/"), len = r->http->path_len;
	struct buf err = BUF_INIT;
	struct scope sc;
	int rc, read_only = 1;

	if (api_auth(r, account, &read_only) < 0)
		return;
	rc = scope_open(&sc, account, webd_client_addr(r, addr, sizeof(addr)),
	    &err);
	sc.read_only = read_only;	/* policyd refuses changes too */
	if (rc != 0) {
		if (rc > 0)
			api_error(r, 401, "WWW-Authenticate: Bearer realm=\""
			    API_REALM "\", error=\"invalid_token\"\r\n",
			    "the token is not valid");
		else {
			log_warn("%s: account %s: %s", r->client, account, err.s);
			api_error(r, 503, NULL, "the API is not available now");
		}
	} else if (api_domain_route(r, &sc, read_only))
		;
	else if (webd_path_is(r, API_DOMAINS))
		api_domains(r, &sc);
	else if (reports_split(r->http->path + plen, len - plen, name,
	    rest) < 0)
		api_error(r, 404, NULL, "no such domain");
	else if (rest[0] != '\0')
		api_reports_route(r, &sc, name, rest);
	else
		api_domain(r, &sc, name);
	scope_close(&sc);
	buf_free(&err);
}

void
api_route(struct webd_req *r)
{
	size_t plen = strlen(API_DOMAINS "/"), len = r->http->path_len;
	int known = webd_path_is(r, API_OPENAPI) ||
	    webd_path_is(r, API_DOMAINS) || (len > plen &&
	    memcmp(r->http->path, API_DOMAINS "/", plen) == 0) ||
	    api_domain_path(r);

	if (!known) {
		api_error(r, 404, NULL, "no such API route");
		return;
	}
	if (r->http->method == HTTP_METHOD_OTHER && !api_domain_path(r)) {
		api_error(r, 405, "Allow: GET, HEAD\r\n", "method not allowed");
		return;
	}
	if (webd_path_is(r, API_OPENAPI)) {
		webd_answer(r, 200, "application/json", NULL, openapi_text(),
		    strlen(openapi_text()));
		return;
	}
	api_account(r);
}
