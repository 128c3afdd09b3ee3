/*
 * request_check - what the daemons report to policyd: dnsmon's checks and
 * verification, acmed's certificates and challenges, httpd's served
 * certificates; see request.h.
 * SPDX-License-Identifier: ISC
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "buf.h"
#include "challenges.h"
#include "esc.h"
#include "log.h"
#include "monitor.h"
#include "policydb.h"
#include "proto.h"
#include "request.h"
#include "request_ops.h"

/*
 * domain-check (stsctl check): dnsmon checks the domain now, or as soon
 * as its rate limit allows (dnsmon_check_now_interval).
 */
json_t *
request_check(struct policyd *pd, json_t *req, struct buf *err)
{
	struct domain d;
	json_t *reply;

	if (request_load(pd, req, &d, err) < 0)
		return NULL;
	reply = json_pack("{s:b, s:s, s:b}", "ok", 1, "domain", d.name,
	    "asked", request_check_now(pd, d.name));
	policydb_domain_clear(&d);
	return reply;
}

/*
 * domain-verified (dnsmon), cert-changed (acmed)
 */
json_t *
request_verified(struct policyd *pd, json_t *req, struct buf *err)
{
	struct domain d;
	enum domain_state was;

	if (request_begin_load(pd, req, &d, err) < 0)
		return NULL;
	if (d.state != DOMAIN_PENDING && d.state != DOMAIN_VERIFIED) {
		policydb_rollback(pd->db);
		policydb_domain_clear(&d);
		return request_ok();
	}
	if (request_owner_verified(pd, d.name, req, err) < 0) {
		policydb_rollback(pd->db);
		policydb_domain_clear(&d);
		return NULL;
	}
	/* Certificates come later: verified means servable for now. */
	was = d.state;
	d.state = DOMAIN_ACTIVE;
	d.updated = request_now(pd);
	if (policydb_domain_update(pd->db, &d, err) < 0 ||
	    request_queue(pd, d.name, d.policy_id, err) < 0 ||
	    request_commit(pd, err) < 0) {
		policydb_rollback(pd->db);
		policydb_domain_clear(&d);
		return NULL;
	}
	request_notify_policy(pd, &d);
	request_kick(pd);
	request_cert_now(pd, d.name);
	log_info("%s: policy id %s: ownership verified: state %s -> active",
	    d.name, d.policy_id, policydb_state_name(was));
	policydb_domain_clear(&d);
	return request_ok();
}

/* A subscriber (httpd) checks that policyd still answers. */
json_t *
request_ping(struct policyd *pd, json_t *req, struct buf *err)
{
	return request_ok();
}

json_t *
request_cert_changed(struct policyd *pd, json_t *req, struct buf *err)
{
	json_t *host = json_object_get(req, "host");

	if (!json_is_string(host)) {
		buf_puts(err, "missing host name");
		return NULL;
	}
	request_notify(pd, json_pack("{s:s, s:O}", "op", PROTO_OP_CERT_RELOAD,
	    "host", host));
	return request_ok();
}

/*
 * cert-served (httpd): it serves host with a valid certificate.  The
 * first time for a servable domain, its TXT record may be published.
 * Always answered ok: the request comes on httpd's subscription, and
 * what it says is only logged when it cannot be used.
 */
json_t *
request_cert_served(struct policyd *pd, json_t *req, struct buf *err)
{
	const char *host = json_string_value(json_object_get(req, "host"));
	json_t *na = json_object_get(req, "not_after");
	struct domain d;
	int rc;

	if (host == NULL || strncmp(host, REQUEST_HOST_PREFIX,
	    strlen(REQUEST_HOST_PREFIX)) != 0 || !json_is_integer(na)) {
		log_warn("cert-served: no mta-sts. host or no not_after;"
		    " ignored");
		return request_ok();
	}
	rc = policydb_domain_get(pd->db, host + strlen(REQUEST_HOST_PREFIX), &d,
	    err);
	if (rc <= 0) {
		log_debug("cert-served: %s: %s", esc_printable(host), rc < 0 ?
		    err->s : "no such domain");
		buf_reset(err);
		return request_ok();
	}
	if (d.served == 0 && policydb_state_servable(d.state) &&
	    json_integer_value(na) > request_now(pd)) {
		if ((rc = policydb_set_served(pd->db, d.name, request_now(pd),
		    err)) < 0) {
			log_warn("%s", err->s);
			buf_reset(err);
		} else if (rc > 0) {
			log_info("%s: httpd serves %s with a valid certificate:"
			    " its TXT record may be published", d.name, host);
			request_kick(pd);
		}
	}
	policydb_domain_clear(&d);
	return request_ok();
}

/*
 * challenge-add, challenge-remove (acmed): relayed to httpd.
 */
static void
request_notify_borrowed(json_t *msg, void *arg)
{
	struct policyd *pd = arg;

	if (pd->notify != NULL)
		pd->notify(msg, pd->notify_arg);
}

json_t *
request_challenge_add(struct policyd *pd, json_t *req, struct buf *err)
{
	if (pd->challenges == NULL)
		pd->challenges = challenges_new(CHALLENGES_MAX);
	if (challenges_add(pd->challenges, req, request_now(pd),
	    request_notify_borrowed, pd, err) < 0)
		return NULL;
	return request_ok();
}

json_t *
request_challenge_remove(struct policyd *pd, json_t *req, struct buf *err)
{
	int n;

	if (pd->challenges == NULL)
		pd->challenges = challenges_new(CHALLENGES_MAX);
	if ((n = challenges_remove(pd->challenges, req, request_notify_borrowed,
	    pd, err)) < 0)
		return NULL;
	return json_pack("{s:b, s:i}", "ok", 1, "removed", n);
}

/*
 * check-result (dnsmon)
 */
static int
request_check_valid(json_t *req, struct buf *err)
{
	json_t *when = json_object_get(req, "time");
	json_t *next = json_object_get(req, "next");

	if (when != NULL && (!json_is_integer(when) ||
	    json_integer_value(when) <= 0)) {
		buf_puts(err, "time: not a positive integer");
		return -1;
	}
	if (next != NULL && (!json_is_integer(next) ||
	    json_integer_value(next) <= 0)) {
		buf_puts(err, "next: not a positive integer");
		return -1;
	}
	return monitor_checks_valid(json_object_get(req, "checks"), err);
}

/*
 * Stores one result inside the open transaction: 1 stored, 0 not (the
 * domain is gone, or the stored results are newer), -1 with err.
 */
static int
request_check_store(struct policyd *pd, json_t *req, struct buf *err)
{
	json_t *when = json_object_get(req, "time");
	json_t *next = json_object_get(req, "next");
	json_t *checks = json_object_get(req, "checks");
	struct domain d;
	int rc;

	if (request_check_valid(req, err) < 0)
		return -1;
	if (request_load(pd, req, &d, err) < 0) {
		/* Removed while it was checked: nothing to keep. */
		if (err->s != NULL && strstr(err->s, ": no such domain") != NULL) {
			log_debug("check-result: %s", err->s);
			buf_reset(err);
			return 0;
		}
		return -1;
	}
	rc = monitor_store(pd->db, d.name, when ? json_integer_value(when) :
	    request_now(pd), next ? json_integer_value(next) : 0, checks, err);
	if (rc >= 0)
		log_debug("%s: %zu check results %s", d.name,
		    json_array_size(checks), rc ? "stored" :
		    "older than the stored ones: ignored");
	policydb_domain_clear(&d);
	return rc;
}

/* One result in the batch's transaction, under its own savepoint. */
static json_t *
request_check_one(struct policyd *pd, json_t *req, int *stored)
{
	struct buf err = BUF_INIT;
	json_t *reply;
	int rc;

	*stored = 0;
	if (policydb_savepoint(pd->db, &err) < 0)
		rc = -1;
	else if ((rc = request_check_store(pd, req, &err)) < 0)
		policydb_rollback_to(pd->db);
	else if (policydb_release(pd->db, &err) < 0) {
		policydb_rollback_to(pd->db);
		rc = -1;
	}
	if (rc < 0)
		reply = request_error(err.len ? err.s : "internal error");
	else {
		reply = json_pack("{s:b, s:b}", "ok", 1, "stored", rc);
		*stored = rc;
	}
	buf_free(&err);
	return reply;
}

/*
 * A migration may wait for what dnsmon saw: after the commit, each
 * running plan whose domain has a result just stored takes its turn.
 * One read of the running plans per batch (most often none), not one
 * per result.
 */
static void
request_check_migrations(struct policyd *pd, json_t **reqs, size_t n,
    json_t **replies)
{
	struct policydb_migration *v;
	struct buf err = BUF_INIT;
	const char *name;
	size_t nv, j, i;

	if (policydb_migration_running(pd->db, &v, &nv, &err) < 0) {
		log_error("migrations: %s", err.s);
		buf_free(&err);
		return;
	}
	for (j = 0; j < nv; j++)
		for (i = 0; i < n; i++) {
			name = json_string_value(json_object_get(reqs[i],
			    "domain"));
			if (name != NULL && strcasecmp(name, v[j].domain) == 0 &&
			    json_is_true(json_object_get(replies[i], "stored"))) {
				request_migrate_domain(pd, v[j].domain,
				    request_now(pd));
				break;
			}
		}
	policydb_migrations_free(v, nv);
	buf_free(&err);
}

/*
 * Group commit: every result of reqs in one transaction, each under a
 * savepoint, so that one that fails leaves the others.  replies[i]
 * answers reqs[i]; nothing says "stored" before the commit, and a
 * commit that fails turns every reply that would have said so into
 * the error.  Returns the number of results stored.
 */
size_t
request_check_results(struct policyd *pd, json_t **reqs, size_t n,
    json_t **replies)
{
	struct buf err = BUF_INIT;
	size_t i, stored = 0;
	int one;

	if (policydb_begin(pd->db, &err) < 0) {
		for (i = 0; i < n; i++)
			replies[i] = request_error(err.s);
		buf_free(&err);
		return 0;
	}
	for (i = 0; i < n; i++) {
		replies[i] = request_check_one(pd, reqs[i], &one);
		stored += one;
	}
	if (request_commit(pd, &err) < 0) {
		log_warn("%zu check results not stored: %s", n, err.s);
		for (i = 0; i < n; i++)
			if (json_is_true(json_object_get(replies[i], "ok"))) {
				json_decref(replies[i]);
				replies[i] = request_error(err.s);
			}
		stored = 0;
	}
	buf_free(&err);
	if (stored > 0)
		request_check_migrations(pd, reqs, n, replies);
	return stored;
}

json_t *
request_check_result(struct policyd *pd, json_t *req, struct buf *err)
{
	json_t *reply;

	/* Refused before any transaction, with the reason the caller gives. */
	if (request_check_valid(req, err) < 0)
		return NULL;
	request_check_results(pd, &req, 1, &reply);
	return reply;
}

size_t
request_cert_asks(struct policyd *pd, void (*cb)(json_t *, void *), void *arg)
{
	struct buf err = BUF_INIT;
	char **v;
	size_t n = 0, i;
	json_t *msg;

	if (policydb_waiting(pd->db, REQUEST_ASK_MAX, &v, &n, &err) < 0) {
		log_warn("%s", err.s);
		buf_free(&err);
		return 0;
	}
	for (i = 0; i < n; i++) {
		msg = request_cert_check_msg(v[i]);
		cb(msg, arg);
		json_decref(msg);
		free(v[i]);
	}
	free(v);
	buf_free(&err);
	return n;
}
