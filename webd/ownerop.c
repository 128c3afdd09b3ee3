/*
 * ownerop - what a domain owner changes, asked of policyd as the
 * account; shared by the pages and the API; see owner.h.
 * SPDX-License-Identifier: ISC
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <jansson.h>

#include "buf.h"
#include "dashboard.h"
#include "log.h"
#include "mymalloc.h"
#include "owner.h"
#include "params.h"
#include "plural.h"
#include "proto.h"
#include "rptdb.h"
#include "scope.h"
#include "timefmt.h"

#define OWNEROP_NO_SUCH		"no such domain"
#define OWNEROP_CANNOT_ADD	"this domain cannot be added here"
#define OWNEROP_NO_TOKEN	": no API token "	/* policyd's token-revoke */
#define OWNEROP_NO_ALERTSUB	": no alert subscription "	/* alert-del */

/* The members of a request body that go to policyd, as they are. */
static const char *const ownerop_fields[] = {
	"domain", "mode", "max_age", "mx", NULL
};

void
ownerop_clear(struct ownerop *o)
{
	json_decref(o->reply);
	json_decref(o->readiness);
	buf_free(&o->msg);
	o->reply = o->readiness = NULL;
}

static int
ownerop_ends_with(const char *s, const char *end)
{
	size_t n = strlen(s), m = strlen(end);

	return n >= m && strcmp(s + n - m, end) == 0;
}

/* req to policyd; o says how it went (status ok: 200). */
static void
ownerop_call(struct scope *sc, json_t *req, int ok_status,
    struct ownerop *o)
{
	struct buf err = BUF_INIT;
	int refused;

	o->reply = scope_ask(sc, req, &refused, &err);
	if (o->reply != NULL)
		o->status = ok_status;
	else if (!refused) {
		log_warn("account %s: policyd: %s", sc->account, err.s);
		o->status = 503;
		buf_puts(&o->msg, "the portal cannot reach policyd now; try"
		    " again later");
	} else if (ownerop_ends_with(err.s, OWNEROP_NO_SUCH)) {
		o->status = 404;
		buf_puts(&o->msg, OWNEROP_NO_SUCH);
	} else {
		o->status = strncmp(err.s, OWNEROP_CANNOT_ADD,
		    strlen(OWNEROP_CANNOT_ADD)) == 0 || strcmp(err.s,
		    PROTO_READ_ONLY_REFUSED) == 0 ? 403 : 400;
		buf_puts(&o->msg, err.s);
	}
	buf_free(&err);
}

/* A request of op with the fields of body that policyd takes. */
static json_t *
ownerop_req(const char *op, const char *name, json_t *fields)
{
	json_t *req = json_pack("{s:s}", "op", op), *v;
	size_t i;

	for (i = 0; fields != NULL && ownerop_fields[i] != NULL; i++)
		if ((v = json_object_get(fields, ownerop_fields[i])) != NULL)
			json_object_set(req, ownerop_fields[i], v);
	if (name != NULL)
		json_object_set_new(req, "domain", json_string(name));
	return req;
}

/* A name of the account's, normalised into norm; else 404 in o. */
static int
ownerop_mine(struct scope *sc, const char *name, char *norm,
    struct ownerop *o)
{
	if (scope_has(sc, name, norm))
		return 1;
	o->status = 404;
	buf_puts(&o->msg, OWNEROP_NO_SUCH);
	return 0;
}


json_t *
ownerop_readiness(json_t *domain)
{
	struct buf err = BUF_INIT;
	struct rptdb *db;
	json_t *v;

	if ((db = dashboard_reports_open(&err)) == NULL && err.len > 0)
		log_warn("readiness: %s", err.s);
	v = dashboard_readiness(db, domain, (int)var_readiness_days,
	    (int)var_readiness_major_share, time(NULL));
	if (db != NULL)
		rptdb_close(db);
	buf_free(&err);
	return v;
}

/*
 * mode enforce for a domain not in it yet (name NULL: a new one, the
 * name in fields): refused (409, the verdict in o) while the verdict
 * is not "ready", unless confirm; as stsctl's domain add and set
 * without --force.  0: go on.
 */
static int
ownerop_enforce(struct scope *sc, const char *name, json_t *fields,
    int confirm, struct ownerop *o)
{
	const char *mode = json_string_value(json_object_get(fields, "mode"));
	struct buf err = BUF_INIT;
	json_t *cur, *probe;
	const char *v;

	if (mode == NULL || strcmp(mode, "enforce") != 0)
		return 0;
	if (name == NULL)		/* a new domain: no reports yet */
		cur = json_pack("{s:s}", "mode", "testing");
	else if ((cur = scope_domain(sc, name, &err)) == NULL) {
		ownerop_call(sc, ownerop_req(PROTO_OP_DOMAIN_SHOW, name, NULL),
		    200, o);
		buf_free(&err);
		return -1;
	}
	buf_free(&err);
	if (strcmp(json_string_value(json_object_get(cur, "mode")),
	    "enforce") == 0) {
		json_decref(cur);
		return 0;
	}
	if (name == NULL)
		name = json_string_value(json_object_get(fields, "domain"));
	probe = json_pack("{s:s, s:s}", "domain", name, "mode", "testing");
	o->readiness = ownerop_readiness(probe);
	json_decref(probe);
	json_decref(cur);
	v = json_string_value(json_object_get(o->readiness, "verdict"));
	if ((v != NULL && strcmp(v, "ready") == 0) || confirm)
		return 0;
	o->status = 409;
	buf_printf(&o->msg, "mode enforce refused: the reports do not show"
	    " that it is safe yet (%s); senders that fail would bounce mail"
	    " to %s. Confirm to enforce anyway.",
	    json_string_value(json_object_get(o->readiness, "text")) ?
	    json_string_value(json_object_get(o->readiness, "text")) :
	    "no verdict", name);
	return -1;
}

void
ownerop_add(struct scope *sc, json_t *fields, int confirm, struct ownerop *o)
{
	if (!json_is_object(fields) || !json_is_string(json_object_get(fields,
	    "domain"))) {
		o->status = 400;
		buf_puts(&o->msg, "missing domain name");
		return;
	}
	if (ownerop_enforce(sc, NULL, fields, confirm, o) < 0)
		return;
	ownerop_call(sc, ownerop_req(PROTO_OP_DOMAIN_ADD, NULL, fields), 201,
	    o);
}

void
ownerop_set(struct scope *sc, const char *name, json_t *fields, int confirm,
    struct ownerop *o)
{
	char norm[HTTP_HOST_MAX + 1];

	if (!json_is_object(fields)) {
		o->status = 400;
		buf_puts(&o->msg, "not a JSON object");
		return;
	}
	if (!ownerop_mine(sc, name, norm, o) ||
	    ownerop_enforce(sc, norm, fields, confirm, o) < 0)
		return;
	json_object_del(fields, "domain");
	ownerop_call(sc, ownerop_req(PROTO_OP_DOMAIN_SET, norm, fields), 200,
	    o);
}

void
ownerop_del(struct scope *sc, const char *name, struct ownerop *o)
{
	char norm[HTTP_HOST_MAX + 1];

	if (ownerop_mine(sc, name, norm, o))
		ownerop_call(sc, ownerop_req(PROTO_OP_DOMAIN_DEL, norm, NULL),
		    200, o);
}

void
ownerop_ask(struct scope *sc, const char *op, const char *name,
    struct ownerop *o)
{
	char norm[HTTP_HOST_MAX + 1];

	if (ownerop_mine(sc, name, norm, o))
		ownerop_call(sc, ownerop_req(op, norm, NULL),
		    strcmp(op, PROTO_OP_DOMAIN_CHECK) == 0 ? 202 : 200, o);
}

void
ownerop_audit(struct scope *sc, long long after, struct ownerop *o)
{
	ownerop_call(sc, json_pack("{s:s, s:I}", "op", PROTO_OP_AUDIT_LIST,
	    "after", (json_int_t)after), 200, o);
}

void
ownerop_tokens(struct scope *sc, struct ownerop *o)
{
	ownerop_call(sc, json_pack("{s:s, s:s}", "op", PROTO_OP_TOKEN_LIST,
	    "name", sc->account), 200, o);
}

void
ownerop_token_new(struct scope *sc, int read_only, struct ownerop *o)
{
	ownerop_call(sc, json_pack("{s:s, s:s, s:b}", "op", PROTO_OP_TOKEN_NEW,
	    "name", sc->account, "read_only", read_only), 201, o);
}

void
ownerop_token_revoke(struct scope *sc, long long id, struct ownerop *o)
{
	ownerop_call(sc, json_pack("{s:s, s:s, s:I}", "op",
	    PROTO_OP_TOKEN_REVOKE, "name", sc->account, "id", (json_int_t)id),
	    200, o);
	/* Another account's token is not one: 404, as a domain. */
	if (o->status == 400 && strstr(o->msg.s, OWNEROP_NO_TOKEN) != NULL) {
		o->status = 404;
		buf_reset(&o->msg);
		buf_puts(&o->msg, "no such token");
	}
}

void
ownerop_alerts(struct scope *sc, const char *name, struct ownerop *o)
{
	ownerop_ask(sc, PROTO_OP_ALERT_LIST, name, o);
}

void
ownerop_alert_add(struct scope *sc, const char *name, const char *kind,
    const char *target, struct ownerop *o)
{
	char norm[HTTP_HOST_MAX + 1];

	if (ownerop_mine(sc, name, norm, o))
		ownerop_call(sc, json_pack("{s:s, s:s, s:s, s:s}", "op",
		    PROTO_OP_ALERT_ADD, "domain", norm, "kind", kind,
		    "target", target), 201, o);
}

void
ownerop_alert_del(struct scope *sc, const char *name, long long id,
    struct ownerop *o)
{
	char norm[HTTP_HOST_MAX + 1];

	if (!ownerop_mine(sc, name, norm, o))
		return;
	ownerop_call(sc, json_pack("{s:s, s:s, s:I}", "op", PROTO_OP_ALERT_DEL,
	    "domain", norm, "id", (json_int_t)id), 200, o);
	/* Another domain's subscription is not one: 404, as a domain. */
	if (o->status == 400 && strstr(o->msg.s, OWNEROP_NO_ALERTSUB) != NULL) {
		o->status = 404;
		buf_reset(&o->msg);
		buf_puts(&o->msg, "no such subscription");
	}
}

/*
 * What a removal means for senders (RFC 8461 section 8.3), from the
 * reply of domain-del.
 */
char *
ownerop_retirement(json_t *reply)
{
	json_t *d = json_object_get(reply, "domain");
	const char *name = json_string_value(json_object_get(d, "domain"));
	json_t *at = json_object_get(d, "retire_at");
	char *when, *s;

	if (json_is_true(json_object_get(reply, "removed")) || !json_is_integer(
	    at))
		return xasprintf("%s is removed: its policy was never"
		    " published, so no sender holds it.", name ? name : "?");
	when = timefmt_utc(json_integer_value(at));
	s = xasprintf("%s is retiring: mta-sts.%s now serves a policy with"
	    " mode none (id %s), so that senders that cached its earlier"
	    " policy learn, at their next fetch, that it is gone. A sender"
	    " that does not fetch again may apply the earlier policy until"
	    " it expires, at the latest %s; then the domain is removed from"
	    " this service. Keep the records mta-sts.%s and _mta-sts.%s until"
	    " then, and remove them after.", name ? name : "?", name ? name :
	    "?", json_string_value(json_object_get(d, "policy_id")) ?
	    json_string_value(json_object_get(d, "policy_id")) : "?", when,
	    name ? name : "?", name ? name : "?");
	free(when);
	return s;
}
