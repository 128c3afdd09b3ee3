/*
 * api_domain - the API's changes of an account's domains, their
 * records and checks, and its audit log; see owner.h.
 * SPDX-License-Identifier: ISC
 *
 * DESCRIPTION
 *	POST /api/v1/domains			add {"domain", "mx"?, "mode"?,
 *						"max_age"?, "confirm"?}: 201
 *						{"domain", "proof"}
 *	PATCH or POST /api/v1/domains/NAME	{"mode"?, "max_age"?, "mx"?,
 *						"confirm"?}: 200 the domain;
 *						409 with "readiness" when mode
 *						enforce is refused
 *	DELETE /api/v1/domains/NAME		200 {"domain", "removed",
 *						"retire_at", "explanation"}
 *	GET /api/v1/domains/NAME/records	the records to publish
 *	GET /api/v1/domains/NAME/checks		dnsmon's last checks
 *	POST /api/v1/domains/NAME/checks	ask for a check now: 202
 *	GET /api/v1/domains/NAME/alerts		its alert subscriptions
 *	POST /api/v1/domains/NAME/alerts	{"kind", "target"}: 201 the
 *						subscription
 *	DELETE /api/v1/domains/NAME/alerts/ID	200 the subscription removed;
 *						another domain's ID: 404
 *	GET /api/v1/audit[?after=ID]		the account's audit log, a
 *						page of at most 1000 entries
 *	A read-only token gets 403 for every change.  A body is a JSON
 *	object (400 otherwise; over portal_body_limit 413, webd.c).
 *	Names of another account's domains are 404, as names not hosted.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "buf.h"
#include "http.h"
#include "log.h"
#include "owner.h"
#include "proto.h"
#include "scope.h"
#include "webd.h"
#include "webform.h"

#define API_DOMAINS_PATH	WEBD_API_PREFIX "domains"
#define API_AUDIT_PATH		WEBD_API_PREFIX "audit"
#define API_AFTER_MAX		24	/* bytes of ?after= */

enum api_method { API_GET, API_POST, API_PATCH, API_DELETE, API_OTHER };

static int api_writable(struct webd_req *, int read_only);

static enum api_method
api_method(const struct webd_req *r)
{
	static const struct {
		const char *name;
		enum api_method m;
	} names[] = {
		{ "GET", API_GET }, { "HEAD", API_GET }, { "POST", API_POST },
		{ "PATCH", API_PATCH }, { "DELETE", API_DELETE },
	};
	size_t i;

	for (i = 0; i < sizeof(names) / sizeof(*names); i++)
		if (r->http->method_len == strlen(names[i].name) &&
		    memcmp(r->http->method_name, names[i].name,
		    r->http->method_len) == 0)
			return names[i].m;
	return API_OTHER;
}

static void
api_domain_error(struct webd_req *r, int status, const char *fields,
    const char *why)
{
	webd_json(r, status, fields, json_pack("{s:s}", "error", why));
}

/* The path after /api/v1/domains/: NAME and what follows ("" or "/x"). */
static int
api_domain_split(const struct webd_req *r, char *name, size_t size,
    const char **rest, size_t *rest_len)
{
	size_t at;

	if (webform_subpath(r->http->path, r->http->path_len,
	    API_DOMAINS_PATH "/", name, size, &at) < 0)
		return -1;
	*rest = r->http->path + at;
	*rest_len = r->http->path_len - at;
	return 0;
}

static int
api_rest_is(const char *rest, size_t len, const char *want)
{
	return len == strlen(want) && memcmp(rest, want, len) == 0;
}

/* "/alerts/ID": ID (a number from 1); 0 for another path. */
static long long
api_alert_id(const char *rest, size_t len)
{
	static const char pre[] = "/alerts/";
	long long id = 0;
	size_t i;

	if (len <= sizeof(pre) - 1 || len > sizeof(pre) - 1 + 18 ||
	    memcmp(rest, pre, sizeof(pre) - 1) != 0)
		return 0;
	for (i = sizeof(pre) - 1; i < len; i++) {
		if (rest[i] < '0' || rest[i] > '9')
			return 0;
		id = id * 10 + (rest[i] - '0');
	}
	return id;
}

int
api_domain_path(const struct webd_req *r)
{
	char name[HTTP_HOST_MAX + 2];
	const char *rest;
	size_t rlen;

	if (webd_path_is(r, API_AUDIT_PATH))
		return 1;
	if (webd_path_is(r, API_DOMAINS_PATH))
		return api_method(r) == API_POST;
	if (api_domain_split(r, name, sizeof(name), &rest, &rlen) < 0)
		return 0;
	return api_rest_is(rest, rlen, "/records") ||
	    api_rest_is(rest, rlen, "/checks") ||
	    api_rest_is(rest, rlen, "/alerts") ||
	    api_alert_id(rest, rlen) > 0 || (rlen == 0 &&
	    api_method(r) != API_GET);
}

/* The request body, a JSON object; NULL: answered 400. */
static json_t *
api_body(struct webd_req *r)
{
	json_error_t jerr;
	json_t *v;

	v = json_loadb(r->body, r->body_len, JSON_REJECT_DUPLICATES, &jerr);
	if (!json_is_object(v)) {
		json_decref(v);
		api_domain_error(r, 400, NULL, "the body is not a JSON object");
		return NULL;
	}
	return v;
}

/* o's answer: its status, and the reply made by ok, or o.msg. */
static void
api_result(struct webd_req *r, struct ownerop *o, json_t *(*ok)(json_t *))
{
	json_t *e;

	if (o->reply != NULL && o->status < 300) {
		webd_json(r, o->status, NULL, ok(o->reply));
		return;
	}
	e = json_pack("{s:s}", "error", o->msg.s ? o->msg.s : "refused");
	if (o->readiness != NULL)
		json_object_set(e, "readiness", o->readiness);
	webd_json(r, o->status ? o->status : 500, NULL, e);
}

/* The members of a domain an account sees (scope.h); d is borrowed. */
static json_t *
api_public(json_t *d)
{
	return d != NULL ? scope_public(json_incref(d)) : json_object();
}

static json_t *
api_proof_record(const char *domain, const char *proof)
{
	struct buf name = BUF_INIT;
	json_t *r;

	buf_printf(&name, "%s.%s.", PROTO_PROOF_LABEL, domain);
	r = json_pack("{s:s, s:s, s:s}", "name", name.s, "type", "TXT",
	    "value", proof);
	buf_free(&name);
	return r;
}

static json_t *
api_added(json_t *reply)
{
	json_t *d = json_object_get(reply, "domain");
	const char *proof = json_string_value(json_object_get(d, "proof"));
	const char *name = json_string_value(json_object_get(d, "domain"));

	return json_pack("{s:o, s:o}", "domain", api_public(d), "proof",
	    proof && name ? api_proof_record(name, proof) : json_null());
}

static json_t *
api_changed(json_t *reply)
{
	return api_public(json_object_get(reply, "domain"));
}

static json_t *
api_removed(json_t *reply)
{
	json_t *d = json_object_get(reply, "domain");
	char *text = ownerop_retirement(reply);
	json_t *o;

	o = json_pack("{s:o, s:b, s:O, s:s}", "domain", api_public(d),
	    "removed", json_is_true(json_object_get(reply, "removed")),
	    "retire_at", json_object_get(d, "retire_at") ?
	    json_object_get(d, "retire_at") : json_null(), "explanation",
	    text);
	free(text);
	return o;
}

/* A new reference: v's, or dflt (new) when v is NULL. */
static json_t *
api_or(json_t *v, json_t *dflt)
{
	if (v == NULL)
		return dflt;
	json_decref(dflt);
	return json_incref(v);
}

static json_t *
api_records(json_t *reply)
{
	json_t *rec = json_object_get(reply, "records");

	return json_pack("{s:O, s:O, s:o, s:o}", "delegated",
	    json_object_get(rec, "delegated"), "direct",
	    json_object_get(rec, "direct"), "proof",
	    api_or(json_object_get(rec, "proof"), json_array()), "waiting",
	    api_or(json_object_get(reply, "waiting"), json_null()));
}

static json_t *
api_checks(json_t *reply)
{
	json_t *d = json_object_get(reply, "domain"), *o, *c;
	static const char *const keys[] = { "checked", "next_check", NULL };
	size_t i;

	c = json_object_get(d, "checks");
	o = json_pack("{s:O, s:O, s:o}", "domain", json_object_get(d,
	    "domain"), "state", json_object_get(d, "state"), "checks",
	    json_is_array(c) ? json_incref(c) : json_array());
	for (i = 0; keys[i] != NULL; i++)
		json_object_set_new(o, keys[i],
		    api_or(json_object_get(d, keys[i]), json_null()));
	return o;
}

static json_t *
api_asked(json_t *reply)
{
	return json_pack("{s:O, s:b}", "domain", json_object_get(reply,
	    "domain"), "asked", json_is_true(json_object_get(reply, "asked")));
}

static json_t *
api_alert_list(json_t *reply)
{
	return json_pack("{s:O, s:O, s:O}", "domain", json_object_get(reply,
	    "domain"), "subscriptions", json_object_get(reply,
	    "subscriptions"), "max", json_object_get(reply, "max"));
}

static json_t *
api_alert_one(json_t *reply)
{
	return json_incref(json_object_get(reply, "subscription"));
}

/* /api/v1/domains/NAME/alerts[/ID] */
static void
api_alerts(struct webd_req *r, struct scope *sc, int read_only,
    const char *name, long long id, struct ownerop *o)
{
	enum api_method m = api_method(r);
	json_t *body;

	if (id == 0 && m == API_GET) {
		ownerop_alerts(sc, name, o);
		api_result(r, o, api_alert_list);
	} else if (id == 0 && m == API_POST) {
		if (!api_writable(r, read_only) || (body = api_body(r)) == NULL)
			return;
		if (!json_is_string(json_object_get(body, "kind")) ||
		    !json_is_string(json_object_get(body, "target")))
			api_domain_error(r, 400, NULL, "kind and target: "
			    "strings");
		else {
			ownerop_alert_add(sc, name, json_string_value(
			    json_object_get(body, "kind")), json_string_value(
			    json_object_get(body, "target")), o);
			api_result(r, o, api_alert_one);
		}
		json_decref(body);
	} else if (id > 0 && m == API_DELETE) {
		if (!api_writable(r, read_only))
			return;
		ownerop_alert_del(sc, name, id, o);
		api_result(r, o, api_alert_one);
	} else
		api_domain_error(r, 405, id ? "Allow: DELETE\r\n" :
		    "Allow: GET, HEAD, POST\r\n", "method not allowed");
}

static json_t *
api_audit_page(json_t *reply)
{
	json_t *next = json_object_get(reply, "next");

	return json_pack("{s:O, s:O}", "entries", json_object_get(reply,
	    "entries"), "next", next ? next : json_null());
}

/* GET /api/v1/audit?after=ID */
static void
api_audit(struct webd_req *r, struct scope *sc)
{
	struct ownerop o = OWNEROP_INIT;
	const char *q = memchr(r->http->target, '?', r->http->target_len);
	char after[API_AFTER_MAX];
	long long id = 0;
	char *end;

	if (q != NULL && webform_field(q + 1, r->http->target_len -
	    (size_t)(q + 1 - r->http->target), "after", after,
	    sizeof(after)) >= 0) {
		id = strtoll(after, &end, 10);
		if (*after == '\0' || *end != '\0' || id < 0) {
			api_domain_error(r, 400, NULL, "after: not an entry id");
			return;
		}
	}
	ownerop_audit(sc, id, &o);
	api_result(r, &o, api_audit_page);
	ownerop_clear(&o);
}

/* A change: refused with 403 for a read-only token. */
static int
api_writable(struct webd_req *r, int read_only)
{
	if (!read_only)
		return 1;
	api_domain_error(r, 403, NULL, "this token is read-only");
	return 0;
}

static void
api_one_domain(struct webd_req *r, struct scope *sc, int read_only,
    const char *name, const char *rest, size_t rlen)
{
	enum api_method m = api_method(r);
	struct ownerop o = OWNEROP_INIT;
	json_t *body;

	if (rlen == 0 && (m == API_PATCH || m == API_POST)) {
		if (!api_writable(r, read_only) || (body = api_body(r)) == NULL)
			return;
		ownerop_set(sc, name, body, json_is_true(json_object_get(body,
		    "confirm")), &o);
		json_decref(body);
		api_result(r, &o, api_changed);
	} else if (rlen == 0 && m == API_DELETE) {
		if (!api_writable(r, read_only))
			return;
		ownerop_del(sc, name, &o);
		api_result(r, &o, api_removed);
	} else if (rlen == 0)
		api_domain_error(r, 405, "Allow: GET, HEAD, PATCH, POST, "
		    "DELETE\r\n", "method not allowed");
	else if (api_rest_is(rest, rlen, "/alerts") ||
	    api_alert_id(rest, rlen) > 0)
		api_alerts(r, sc, read_only, name, api_alert_id(rest, rlen),
		    &o);
	else if (api_rest_is(rest, rlen, "/records") && m == API_GET) {
		ownerop_ask(sc, PROTO_OP_DOMAIN_RECORDS, name, &o);
		api_result(r, &o, api_records);
	} else if (api_rest_is(rest, rlen, "/checks") && m == API_GET) {
		ownerop_ask(sc, PROTO_OP_DOMAIN_SHOW, name, &o);
		api_result(r, &o, api_checks);
	} else if (api_rest_is(rest, rlen, "/checks") && m == API_POST) {
		if (!api_writable(r, read_only))
			return;
		ownerop_ask(sc, PROTO_OP_DOMAIN_CHECK, name, &o);
		api_result(r, &o, api_asked);
	} else
		api_domain_error(r, 405, api_rest_is(rest, rlen, "/checks") ?
		    "Allow: GET, HEAD, POST\r\n" : "Allow: GET, HEAD\r\n",
		    "method not allowed");
	ownerop_clear(&o);
}

int
api_domain_route(struct webd_req *r, struct scope *sc, int read_only)
{
	char name[HTTP_HOST_MAX + 2];
	struct ownerop o = OWNEROP_INIT;
	const char *rest;
	size_t rlen;
	json_t *body;

	if (!api_domain_path(r))
		return 0;
	if (webd_path_is(r, API_AUDIT_PATH)) {
		if (api_method(r) != API_GET)
			api_domain_error(r, 405, "Allow: GET, HEAD\r\n",
			    "method not allowed");
		else
			api_audit(r, sc);
	} else if (webd_path_is(r, API_DOMAINS_PATH)) {
		if (!api_writable(r, read_only) || (body = api_body(r)) == NULL)
			return 1;
		ownerop_add(sc, body, json_is_true(json_object_get(body,
		    "confirm")), &o);
		json_decref(body);
		if (o.status == 201)
			log_info("%s: account %s added %s through the API",
			    r->client, sc->account, json_string_value(
			    json_object_get(json_object_get(o.reply, "domain"),
			    "domain")));
		api_result(r, &o, api_added);
		ownerop_clear(&o);
	} else if (api_domain_split(r, name, sizeof(name), &rest, &rlen) == 0)
		api_one_domain(r, sc, read_only, name, rest, rlen);
	return 1;
}
