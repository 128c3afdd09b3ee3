/*
 * request_alert - the alert subscriptions of domains: alert-add,
 * alert-list and alert-del; see request.h.
 * SPDX-License-Identifier: ISC
 *
 * An account reaches these through request_owner's gate (its own
 * domains only); the operator through stsctl alert.  Every change is
 * one transaction with its audit row, after which policyd rewrites
 * $data_directory/ALERTSUB_FILE (lib/alertsub), which the alerting
 * processes read.  A webhook is resolved when it is subscribed and
 * refused unless every address is public (lib/pubaddr, through
 * alert_webhook_check()); the lookup blocks policyd for at most the
 * resolver's own time-outs (resolv.conf), as stsctl's commands do.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "alert.h"
#include "alertsub.h"
#include "buf.h"
#include "esc.h"
#include "log.h"
#include "mymalloc.h"
#include "policydb.h"
#include "policydb_alertsub.h"
#include "proto.h"
#include "request.h"
#include "request_ops.h"

static json_t *
request_alertsub_json(const struct policydb_alertsub *s)
{
	return json_pack("{s:I, s:s, s:s, s:s, s:I, s:s}", "id",
	    (json_int_t)s->id, "domain", s->domain, "kind", s->kind,
	    "target", s->target, "created", (json_int_t)s->created,
	    "account", s->account);
}

/* Rewrites the subscriptions file from policy.db; logs a failure. */
void
request_alert_write(struct policyd *pd)
{
	struct policydb_alertsub *v;
	struct alertsub_list l = { NULL, 0, 0 };
	struct buf err = BUF_INIT;
	size_t n, i;

	if (pd->conf.alertsub_path == NULL)
		return;
	if (policydb_alertsub_list(pd->db, NULL, &v, &n, &err) < 0) {
		log_error("%s: not rewritten: %s", pd->conf.alertsub_path,
		    err.s);
		buf_free(&err);
		return;
	}
	for (i = 0; i < n; i++)
		alertsub_file_add(&l, v[i].domain, v[i].kind, v[i].target);
	if (alertsub_file_write(pd->conf.alertsub_path, &l, &err) < 0)
		log_error("alert subscriptions: %s", err.s);
	alertsub_list_free(&l);
	policydb_alertsubs_free(v, n);
	buf_free(&err);
}

/* req.domain, a hosted domain (normalised into *name); -1 when not. */
static int
request_alert_domain(struct policyd *pd, json_t *req, char **name,
    struct buf *err)
{
	struct domain d;
	int rc;

	if (request_domain_name(pd, req, 0, name, err) < 0)
		return -1;
	if ((rc = policydb_domain_get(pd->db, *name, &d, err)) == 0)
		buf_printf(err, "%s: no such domain", *name);
	if (rc == 1)
		policydb_domain_clear(&d);
	if (rc != 1) {
		free(*name);
		*name = NULL;
		return -1;
	}
	return 0;
}

/* req.kind and req.target, checked (a webhook resolved and checked). */
static int
request_alert_target(struct policyd *pd, json_t *req, const char **kind,
    const char **target, struct buf *err)
{
	json_t *k = json_object_get(req, "kind"), *t = json_object_get(req,
	    "target");

	if (!json_is_string(k) || !alertsub_kind_ok(json_string_value(k))) {
		buf_puts(err, "kind: mail or webhook");
		return -1;
	}
	if (!json_is_string(t) || json_string_length(t) == 0) {
		buf_puts(err, "target: a mail address or a webhook URL");
		return -1;
	}
	if (json_string_length(t) > ALERTSUB_TARGET_MAX ||
	    strlen(json_string_value(t)) != json_string_length(t)) {
		buf_printf(err, "target: longer than %d bytes, or a NUL",
		    ALERTSUB_TARGET_MAX);
		return -1;
	}
	*kind = json_string_value(k);
	*target = json_string_value(t);
	if (alertsub_target_check(*kind, *target, err) < 0)
		return -1;
	if (strcmp(*kind, "webhook") == 0 && alert_webhook_check(*target,
	    pd->conf.webhook_private, err) < 0)
		return -1;
	return 0;
}

/* alert-add {"domain", "kind", "target"} */
json_t *
request_alert_add(struct policyd *pd, json_t *req, struct buf *err)
{
	struct policydb_alertsub s;
	const char *kind, *target;
	json_t *reply;
	char *name;
	long long have;

	if (request_alert_domain(pd, req, &name, err) < 0)
		return NULL;
	if (request_alert_target(pd, req, &kind, &target, err) < 0) {
		free(name);
		return NULL;
	}
	memset(&s, 0, sizeof(s));
	s.domain = name;
	s.kind = (char *)kind;
	s.target = (char *)target;
	s.created = request_now(pd);
	s.account = pd->actor;
	if (policydb_begin(pd->db, err) < 0)
		goto out;
	if ((have = policydb_alertsub_count(pd->db, name)) >=
	    pd->conf.alert_subs_max) {
		buf_printf(err, "%s: already %lld alert subscriptions, the most"
		    " that alert_subscriptions_max allows; remove one first",
		    name, have);
		goto fail;
	}
	if (policydb_alertsub_add(pd->db, &s, err) < 0 ||
	    request_audit(pd, PROTO_OP_ALERT_ADD, name, NULL, json_pack(
	    "{s:I, s:s, s:s}", "id", (json_int_t)s.id, "kind", kind,
	    "target", target), err) < 0 || request_commit(pd, err) < 0)
		goto fail;
	request_alert_write(pd);
	log_info("%s: alert subscription %lld added by %s from %s: %s %s",
	    name, s.id, pd->actor, pd->origin, kind, esc_printable(target));
	reply = json_pack("{s:b, s:o}", "ok", 1, "subscription",
	    request_alertsub_json(&s));
	free(name);
	return reply;
fail:
	policydb_rollback(pd->db);
out:
	free(name);
	return NULL;
}

/* alert-list {"domain"} */
json_t *
request_alert_list(struct policyd *pd, json_t *req, struct buf *err)
{
	struct policydb_alertsub *v;
	json_t *a, *reply;
	size_t n, i;
	char *name;

	if (request_alert_domain(pd, req, &name, err) < 0)
		return NULL;
	if (policydb_alertsub_list(pd->db, name, &v, &n, err) < 0) {
		free(name);
		return NULL;
	}
	a = json_array();
	for (i = 0; i < n; i++)
		json_array_append_new(a, request_alertsub_json(&v[i]));
	policydb_alertsubs_free(v, n);
	reply = json_pack("{s:b, s:s, s:o, s:I}", "ok", 1, "domain", name,
	    "subscriptions", a, "max", (json_int_t)pd->conf.alert_subs_max);
	free(name);
	return reply;
}

/* alert-del {"domain", "id"}: an id of another domain is not found. */
json_t *
request_alert_del(struct policyd *pd, json_t *req, struct buf *err)
{
	json_t *idv = json_object_get(req, "id"), *reply = NULL;
	struct policydb_alertsub s;
	char *name;
	long long id;
	int rc;

	if (!json_is_integer(idv) || json_integer_value(idv) <= 0) {
		buf_puts(err, "id: not a subscription id (a number from 1)");
		return NULL;
	}
	id = json_integer_value(idv);
	if (request_alert_domain(pd, req, &name, err) < 0)
		return NULL;
	if (policydb_begin(pd->db, err) < 0)
		goto out;
	if ((rc = policydb_alertsub_get(pd->db, name, id, &s, err)) <= 0) {
		if (rc == 0)
			buf_printf(err, "%s: no alert subscription %lld", name,
			    id);
		goto fail;
	}
	if (policydb_alertsub_delete(pd->db, id, err) < 0 ||
	    request_audit(pd, PROTO_OP_ALERT_DEL, name, NULL, json_pack(
	    "{s:I, s:s, s:s}", "id", (json_int_t)id, "kind", s.kind,
	    "target", s.target), err) < 0 || request_commit(pd, err) < 0) {
		policydb_alertsub_clear(&s);
		goto fail;
	}
	request_alert_write(pd);
	log_info("%s: alert subscription %lld removed by %s from %s", name,
	    id, pd->actor, pd->origin);
	reply = json_pack("{s:b, s:o}", "ok", 1, "subscription",
	    request_alertsub_json(&s));
	policydb_alertsub_clear(&s);
	goto out;
fail:
	policydb_rollback(pd->db);
out:
	free(name);
	return reply;
}
