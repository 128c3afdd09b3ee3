/*
 * request_domain - the domain-* requests of stsctl that change domains
 * (add, import, set, del) and domain-records, and the end of retirement
 * (domain-list and domain-show: request_list.c); see request.h.
 * SPDX-License-Identifier: ISC
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "dnsname.h"
#include "esc.h"
#include "log.h"
#include "mymalloc.h"
#include "plural.h"
#include "policydb.h"
#include "publish.h"
#include "request.h"
#include "request_ops.h"
#include "timefmt.h"

/* The audit rows of domain-set and of a retirement (domain-del). */
static int
request_audit_set(struct policyd *pd, const struct domain *d,
    const char *old_id, const char *changes, struct buf *err)
{
	struct buf x = BUF_INIT;
	int rc;

	buf_puts(&x, ",\"old_policy_id\":");
	request_audit_str(&x, old_id);
	buf_puts(&x, ",\"changes\":");
	request_audit_str(&x, changes);
	rc = request_audit_domain(pd, PROTO_OP_DOMAIN_SET, d, x.s, err);
	buf_free(&x);
	return rc;
}

static int
request_audit_retire(struct policyd *pd, const struct domain *d,
    struct buf *err)
{
	struct buf x = BUF_INIT;
	int rc;

	buf_printf(&x, ",\"removed\":false,\"retire_at\":%lld", d->retire_at);
	rc = request_audit_domain(pd, PROTO_OP_DOMAIN_DEL, d, x.s, err);
	buf_free(&x);
	return rc;
}

/*
 * domain-add, and domain-import of many
 */
#define REQUEST_GIVEN_MODE	(1 << 0)
#define REQUEST_GIVEN_AGE	(1 << 1)
#define REQUEST_GIVEN_MX	(1 << 2)
#define REQUEST_AUDIT_RESTORED	",\"restored\":true"	/* audit details */

/* A domain-add request, checked: the domain, defaults filled in. */
struct request_new {
	struct domain d;
	int	 given;		/* REQUEST_GIVEN_*: what the request says */
	int	 restored;	/* it restored a retiring domain */
};

/* The fields of an add request, checked; -1: err says why. */
static int
request_add_fields(struct policyd *pd, json_t *req, struct request_new *n,
    struct buf *err)
{
	struct domain *d = &n->d;
	int has_mode, has_age, has_mx;

	memset(n, 0, sizeof(*n));
	if (request_domain_name(pd, req, 1, &d->name, err) < 0 ||
	    (has_mode = request_mode(req, &d->mode, err)) < 0 ||
	    (has_age = request_max_age(req, &d->max_age, err)) < 0 ||
	    (has_mx = request_mx(req, &d->mx, &d->nmx, err)) < 0)
		return -1;
	n->given = (has_mode ? REQUEST_GIVEN_MODE : 0) |
	    (has_age ? REQUEST_GIVEN_AGE : 0) |
	    (has_mx && d->nmx > 0 ? REQUEST_GIVEN_MX : 0);
	if (!has_age)
		d->max_age = pd->conf.default_max_age;
	if (d->mode == NULL)
		d->mode = xstrdup(pd->conf.default_mode);
	return 0;
}

/*
 * The policy of d can be served: mx patterns unless mode none, each a
 * host name (also those stored before lib/dnsname checked them), sizes.
 */
static int
request_servable(const struct domain *d, struct buf *err)
{
	struct buf why = BUF_INIT;
	size_t i;

	if (d->nmx == 0 && strcmp(d->mode, "none") != 0) {
		buf_printf(err, "%s: at least one mx pattern is needed with"
		    " mode %s", d->name, d->mode);
		return -1;
	}
	for (i = 0; i < d->nmx; i++) {
		if (dnsname_host(d->mx[i], DNSNAME_WILDCARD, &why) < 0) {
			buf_printf(err, "%s: mx pattern \"%s\": %s", d->name,
			    esc_printable(d->mx[i]), why.s);
			buf_free(&why);
			return -1;
		}
	}
	return request_validate(d, err);
}

/*
 * A retiring domain added again: active with the policy it had before
 * its retirement, but for what the request gives; a new id.  n->d
 * becomes the restored domain.
 */
static int
request_restore(struct policyd *pd, struct domain *old, struct request_new *n,
    struct buf *err)
{
	struct domain *d = &n->d;

	if (!(n->given & REQUEST_GIVEN_MODE) && old->prior_mode != NULL) {
		free(d->mode);
		d->mode = xstrdup(old->prior_mode);
	}
	if (!(n->given & REQUEST_GIVEN_AGE) && old->prior_mode != NULL)
		d->max_age = old->prior_max_age;
	if (!(n->given & REQUEST_GIVEN_MX)) {
		xfreev(d->mx, d->nmx);
		d->mx = old->mx;
		d->nmx = old->nmx;
		old->mx = NULL;
		old->nmx = 0;
	}
	d->state = DOMAIN_ACTIVE;
	d->policy_id = old->policy_id;
	d->token = old->token;
	d->created = old->created;
	old->policy_id = old->token = NULL;
	d->updated = request_now(pd);
	n->restored = 1;
	/* The mode none policy it served counts for nothing: until 0. */
	if (request_servable(d, err) < 0 || request_new_id(pd, d, 0, err) < 0 ||
	    policydb_domain_update(pd->db, d, err) < 0 ||
	    request_queue(pd, d->name, d->policy_id, err) < 0)
		return -1;
	return 0;
}

/* Stores the domain of n inside the caller's transaction. */
static int
request_add_insert(struct policyd *pd, struct request_new *n, struct buf *err)
{
	struct domain old, *d = &n->d;
	int rc;

	rc = policydb_domain_lock(pd->db, d->name, &old, err);
	if (rc == 1 && old.state == DOMAIN_RETIRING) {
		rc = request_restore(pd, &old, n, err);
		policydb_domain_clear(&old);
		return rc;
	}
	if (rc != 0) {
		if (rc == 1) {
			buf_printf(err, "%s: domain already exists (state %s)",
			    d->name, policydb_state_name(old.state));
			policydb_domain_clear(&old);
		}
		return -1;
	}
	/* An account's domain waits for its proof (request_owner.c). */
	d->state = pd->conf.verify_dns || request_actor_is_account(pd) ?
	    DOMAIN_PENDING : DOMAIN_ACTIVE;
	d->token = request_token();
	d->created = d->updated = request_now(pd);
	if (request_servable(d, err) < 0 || request_new_id(pd, d, 0, err) < 0 ||
	    policydb_domain_insert(pd->db, d, err) < 0 ||
	    request_owner_added(pd, d, err) < 0 ||
	    (policydb_state_servable(d->state) &&
	    request_queue(pd, d->name, d->policy_id, err) < 0))
		return -1;
	return 0;
}

static void
request_log_added(const struct request_new *n)
{
	const struct domain *d = &n->d;
	char *mx = request_join(d->mx, d->nmx);

	log_info("%s: %s: state %s, policy id %s, mode %s, max_age %lld,"
	    " mx %s", d->name, n->restored ? "restored from retirement" :
	    "added", policydb_state_name(d->state), d->policy_id, d->mode,
	    d->max_age, mx);
	free(mx);
}

json_t *
request_add(struct policyd *pd, json_t *req, struct buf *err)
{
	struct request_new n;
	json_t *reply = NULL;
	int early;

	if (request_add_fields(pd, req, &n, err) < 0 ||
	    policydb_begin(pd->db, err) < 0)
		goto out;
	if (request_add_insert(pd, &n, err) < 0 ||
	    request_audit_domain(pd, PROTO_OP_DOMAIN_ADD, &n.d, n.restored ?
	    REQUEST_AUDIT_RESTORED : NULL, err) < 0) {
		policydb_rollback(pd->db);
		goto out;
	}
	/* A new domain: its journal record syncs while policy.db commits. */
	early = !n.restored && policydb_state_servable(n.d.state);
	if (early)
		request_snap_early(pd, &n.d);
	if (request_commit(pd, err) < 0) {
		if (early)
			request_snap_undo(pd, n.d.name);
		goto out;
	}
	if (policydb_state_servable(n.d.state)) {
		if (early)
			request_snap_commit(pd, &n.d);
		else
			request_notify_policy(pd, &n.d);
		request_kick(pd);
		request_cert_now(pd, n.d.name);
	}
	request_log_added(&n);
	reply = request_domain_reply(&n.d);
	request_owner_proof(pd, &n.d, json_object_get(reply, "domain"));
	json_object_set_new(reply, "restored", json_boolean(n.restored));
	json_object_set_new(reply, "check_asked",
	    json_boolean(request_check_now(pd, n.d.name)));
out:
	policydb_domain_clear(&n.d);
	return reply;
}

/*
 * domain-import: {"domains": [ADD, ...]}, each ADD what domain-add
 * takes; all of them in one transaction, or none.  One commit (one
 * fsync) for the batch instead of one per domain.
 */
json_t *
request_import(struct policyd *pd, json_t *req, struct buf *err)
{
	json_t *list = json_object_get(req, "domains"), *reply = NULL;
	size_t n = json_array_size(list), i, active = 0, restored = 0;
	struct buf why = BUF_INIT;
	struct request_new *v;

	if (!json_is_array(list) || n == 0 || n > REQUEST_IMPORT_MAX) {
		buf_printf(err, "domain-import: \"domains\" must be a list of"
		    " 1 to %d domains", REQUEST_IMPORT_MAX);
		return NULL;
	}
	v = xcalloc(n, sizeof(*v));
	for (i = 0; i < n; i++) {
		if (!json_is_object(json_array_get(list, i))) {
			buf_puts(&why, "not an object");
			goto refused;
		}
		if (request_add_fields(pd, json_array_get(list, i), &v[i],
		    &why) < 0)
			goto refused;
	}
	if (policydb_begin(pd->db, err) < 0)
		goto out;
	for (i = 0; i < n; i++)
		if (request_add_insert(pd, &v[i], &why) < 0 ||
		    request_audit_domain(pd, PROTO_OP_DOMAIN_IMPORT, &v[i].d,
		    v[i].restored ? REQUEST_AUDIT_RESTORED : NULL, &why) < 0) {
			policydb_rollback(pd->db);
			goto refused;
		}
	if (request_commit(pd, err) < 0)
		goto out;
	for (i = 0; i < n; i++) {
		if (policydb_state_servable(v[i].d.state)) {
			request_notify_policy(pd, &v[i].d);
			active++;
		}
		if (v[i].restored) {
			request_log_added(&v[i]);
			restored++;
		}
	}
	if (active > 0)
		request_kick(pd);
	log_info("%s .. %s: imported %zu %s (%zu active, %zu restored"
	    " from retirement)", v[0].d.name, v[n - 1].d.name, n,
	    plural((long long)n, "domain", "domains"), active, restored);
	reply = json_pack("{s:b, s:I, s:I}", "ok", 1, "imported",
	    (json_int_t)n, "restored", (json_int_t)restored);
	goto out;
refused:
	/* "entry N: " lets the client name the line of its file. */
	buf_printf(err, "entry %zu: %s", i + 1, why.s);
out:
	for (i = 0; i < n; i++)
		policydb_domain_clear(&v[i].d);
	free(v);
	buf_free(&why);
	return reply;
}

/*
 * domain-set
 */
static int
request_same_mx(const struct domain *a, char **mx, size_t n)
{
	size_t i;

	if (a->nmx != n)
		return 0;
	for (i = 0; i < n; i++)
		if (strcmp(a->mx[i], mx[i]) != 0)
			return 0;
	return 1;
}

/* Applies the fields of req to d, describing each change in what. */
static int
request_apply(json_t *req, struct domain *d, struct buf *what, struct buf *err)
{
	char *mode = NULL, **mx = NULL, *a, *b;
	long long max_age = 0;
	size_t nmx = 0;
	int has_mode, has_age, has_mx;

	if ((has_mode = request_mode(req, &mode, err)) < 0 ||
	    (has_age = request_max_age(req, &max_age, err)) < 0 ||
	    (has_mx = request_mx(req, &mx, &nmx, err)) < 0) {
		free(mode);
		return -1;
	}
	if (has_mx && nmx == 0 && strcmp(has_mode ? mode : d->mode, "none") != 0) {
		buf_printf(err, "%s: at least one mx pattern is needed with"
		    " mode %s", d->name, has_mode ? mode : d->mode);
		free(mode);
		xfreev(mx, nmx);
		return -1;
	}
	if (has_mode && strcmp(mode, d->mode) != 0) {
		buf_printf(what, ", mode %s -> %s", d->mode, mode);
		free(d->mode);
		d->mode = mode;
	} else
		free(mode);
	if (has_age && max_age != d->max_age) {
		buf_printf(what, ", max_age %lld -> %lld", d->max_age, max_age);
		d->max_age = max_age;
	}
	if (has_mx && !request_same_mx(d, mx, nmx)) {
		a = request_join(d->mx, d->nmx);
		b = request_join(mx, nmx);
		buf_printf(what, ", mx %s -> %s", a, b);
		free(a);
		free(b);
		xfreev(d->mx, d->nmx);
		d->mx = mx;
		d->nmx = nmx;
	} else if (has_mx)
		xfreev(mx, nmx);
	return 0;
}

json_t *
request_set(struct policyd *pd, json_t *req, struct buf *err)
{
	struct domain d;
	struct buf what = BUF_INIT;
	json_t *reply = NULL;
	long long now = request_now(pd), until;
	char *old_id, *when, *step;

	memset(&d, 0, sizeof(d));
	if (request_begin_load(pd, req, &d, err) < 0)
		goto out;
	if (d.state == DOMAIN_RETIRING) {
		buf_printf(err, "%s: domain is retiring (removed at %s); it"
		    " cannot be changed, \"domain add\" restores it", d.name,
		    when = timefmt_utc(d.retire_at));
		free(when);
		goto fail;
	}
	if (json_object_get(req, "mx") != NULL &&
	    request_migrating(pd, d.name, &step)) {
		buf_printf(err, "%s: a migration of its MX hosts is running"
		    " (step %s): its mx patterns change with the plan, or"
		    " after \"domain migrate %s --abort\"", d.name, step,
		    d.name);
		free(step);
		goto fail;
	}
	until = request_cache_end(&d, now);
	if (request_apply(req, &d, &what, err) < 0 ||
	    request_servable(&d, err) < 0)
		goto fail;
	if (what.len == 0) {
		policydb_rollback(pd->db);
		reply = request_domain_reply(&d);
		goto out;
	}
	old_id = xstrdup(d.policy_id);
	d.updated = now;
	if (request_new_id(pd, &d, until, err) < 0 ||
	    policydb_domain_update(pd->db, &d, err) < 0 ||
	    (policydb_state_servable(d.state) &&
	    request_queue(pd, d.name, d.policy_id, err) < 0) ||
	    request_audit_set(pd, &d, old_id, what.s + 2, err) < 0 ||
	    request_commit(pd, err) < 0) {
		policydb_rollback(pd->db);
		free(old_id);
		goto out;
	}
	if (policydb_state_servable(d.state)) {
		request_notify_policy(pd, &d);
		request_kick(pd);
	}
	log_info("%s: policy id %s -> %s%s", d.name, old_id, d.policy_id, what.s);
	free(old_id);
	reply = request_domain_reply(&d);
	goto out;
fail:
	policydb_rollback(pd->db);
out:
	buf_free(&what);
	policydb_domain_clear(&d);
	return reply;
}

/*
 * domain-del
 */
/* The warning of a removal at once, or NULL when no cache can hold it. */
static char *
request_del_warning(const struct domain *d, long long cached, long long now)
{
	char *when, *s;

	if (cached <= now)
		return NULL;
	when = timefmt_utc(cached);
	if (d->state == DOMAIN_RETIRING)
		s = xasprintf("%s: removed at once, before its retirement was"
		    " complete: senders that cached an earlier policy of it"
		    " may keep applying it until %s", d->name, when);
	else
		s = xasprintf("%s: removed at once, without a mode none policy"
		    " first: senders that cached its %s policy (max_age %lld"
		    " s) or an earlier one may keep applying it until %s",
		    d->name, d->mode, d->max_age, when);
	free(when);
	return s;
}

/* del with now, or of a domain never served: the row goes at once. */
static json_t *
request_del_now(struct policyd *pd, struct domain *d, struct buf *err)
{
	long long now = request_now(pd), until = request_cache_end(d, now);
	long long cached;
	int served = policydb_state_servable(d->state);
	char *warning, *last = NULL;
	json_t *reply;

	/* The name keeps its id and the end of its caches (migration 3). */
	if (policydb_name_put(pd->db, d->name, d->policy_id, until, err) < 0 ||
	    policydb_name_get(pd->db, d->name, &last, &cached, err) < 0 ||
	    policydb_domain_delete(pd->db, d->name, err) < 0 ||
	    request_queue(pd, d->name, NULL, err) < 0 ||
	    request_audit_domain(pd, PROTO_OP_DOMAIN_DEL, d,
	    ",\"removed\":true", err) < 0 ||
	    request_owner_removed(pd, d->name, err) < 0 ||
	    request_commit(pd, err) < 0) {
		free(last);
		return NULL;
	}
	free(last);
	if (served)
		request_notify_withdraw(pd, d->name);
	request_alert_write(pd);	/* its subscriptions went with it */
	request_kick(pd);
	reply = request_domain_reply(d);
	json_object_set_new(json_object_get(reply, "domain"), "state",
	    json_string("removed"));
	json_object_set_new(reply, "removed", json_true());
	if (served && (warning = request_del_warning(d, cached, now)) != NULL) {
		log_warn("%s", warning);
		json_object_set_new(reply, "warning", json_string(warning));
		free(warning);
	} else
		log_info("%s: removed (state %s, %s)", d->name,
		    policydb_state_name(d->state), served ? "no cached policy"
		    " can still be valid" : "never published");
	return reply;
}

/*
 * RFC 8461 section 8.3: mode none with a new id, until every cached
 * copy of every policy served for the name has expired: the latest
 * time one was last served plus its max_age (policydb_name_get), this
 * one included.  The mode none policy keeps the mx lines; its max_age is
 * at most policyd_retire_max_age.
 */
static json_t *
request_retire(struct policyd *pd, struct domain *d, struct buf *err)
{
	long long now = request_now(pd), until = request_cache_end(d, now);
	long long cached;
	char *last, *when;
	json_t *reply;

	d->prior_mode = d->mode;
	d->prior_max_age = d->max_age;
	d->state = DOMAIN_RETIRING;
	d->mode = xstrdup("none");
	if (d->max_age > pd->conf.retire_max_age)
		d->max_age = pd->conf.retire_max_age;
	d->updated = now;
	if (request_new_id(pd, d, until, err) < 0 ||
	    policydb_name_get(pd->db, d->name, &last, &cached, err) < 0)
		return NULL;
	free(last);
	d->retire_at = cached > now ? cached : now;
	if (policydb_domain_update(pd->db, d, err) < 0 ||
	    request_queue(pd, d->name, d->policy_id, err) < 0 ||
	    request_audit_retire(pd, d, err) < 0 ||
	    request_owner_removed(pd, d->name, err) < 0 ||
	    request_commit(pd, err) < 0)
		return NULL;
	request_notify_policy(pd, d);
	request_kick(pd);
	log_info("%s: policy id %s: retiring: mode none, max_age %lld,"
	    " removed at %s, when the last policy senders may have cached"
	    " expires", d->name, d->policy_id, d->max_age,
	    when = timefmt_utc(d->retire_at));
	free(when);
	reply = request_domain_reply(d);
	json_object_set_new(reply, "removed", json_false());
	return reply;
}

json_t *
request_del(struct policyd *pd, json_t *req, struct buf *err)
{
	struct domain d;
	json_t *reply = NULL, *now = json_object_get(req, "now");
	char *when;

	memset(&d, 0, sizeof(d));
	if (now != NULL && !json_is_boolean(now)) {
		buf_puts(err, "now: not true or false");
		return NULL;
	}
	if (request_begin_load(pd, req, &d, err) < 0)
		goto out;
	/* Nothing was published: nothing for senders to forget. */
	if (json_is_true(now) || !policydb_state_servable(d.state))
		reply = request_del_now(pd, &d, err);
	else if (d.state == DOMAIN_RETIRING) {
		buf_printf(err, "%s: domain is already retiring (removed at"
		    " %s); use --now to remove it at once", d.name,
		    when = timefmt_utc(d.retire_at));
		free(when);
	} else if (request_migrating(pd, d.name, &when)) {
		buf_printf(err, "%s: a migration of its MX hosts is running"
		    " (step %s): abort it first (\"domain migrate %s"
		    " --abort\"), or use --now", d.name, when, d.name);
		free(when);
	} else
		reply = request_retire(pd, &d, err);
	if (reply == NULL)
		policydb_rollback(pd->db);
out:
	policydb_domain_clear(&d);
	return reply;
}

/*
 * domain-list, domain-show
 */
/*
 * domain-records
 */
static void
request_record(json_t *a, const char *name, const char *type,
    const char *value)
{
	json_array_append_new(a, json_pack("{s:s, s:s, s:s}", "name", name,
	    "type", type, "value", value));
}

json_t *
request_records(struct policyd *pd, json_t *req, struct buf *err)
{
	struct domain d;
	json_t *delegated, *direct, *zone, *publish, *reply, *proof;
	const char *z = pd->conf.sts_zone;
	char *rua, *sts, *rpt, *n_host, *n_sts, *n_rpt, *z_sts, *z_rpt, *host;
	char *waiting;

	if (z == NULL || *z == '\0') {
		buf_puts(err, "parameter sts_zone is empty: set it in main.cf"
		    " to the service zone");
		return NULL;
	}
	if (request_load(pd, req, &d, err) < 0)
		return NULL;
	if ((rua = publish_rua(&pd->conf, d.name, err)) == NULL) {
		policydb_domain_clear(&d);
		return NULL;
	}
	sts = xasprintf("v=STSv1; id=%s;", d.policy_id);
	rpt = xasprintf("v=TLSRPTv1; rua=%s", rua);
	n_host = xasprintf("mta-sts.%s.", d.name);
	n_sts = xasprintf("_mta-sts.%s.", d.name);
	n_rpt = xasprintf("_smtp._tls.%s.", d.name);
	z_sts = xasprintf("%s.%s.", d.name, z);
	z_rpt = xasprintf("%s._report.%s.", d.name, z);
	host = xasprintf("%s.", pd->conf.policy_host);

	delegated = json_array();
	request_record(delegated, n_host, "CNAME", host);
	request_record(delegated, n_sts, "CNAME", z_sts);
	request_record(delegated, n_rpt, "CNAME", z_rpt);
	/* The v=STSv1 records only once the policy can be fetched. */
	waiting = request_waiting(&d);
	direct = json_array();
	request_record(direct, n_host, "CNAME", host);
	if (waiting == NULL)
		request_record(direct, n_sts, "TXT", sts);
	request_record(direct, n_rpt, "TXT", rpt);
	zone = json_array();
	if (waiting == NULL)
		request_record(zone, z_sts, "TXT", sts);
	request_record(zone, z_rpt, "TXT", rpt);
	publish = pd->conf.dns_update ?
	    json_pack("{s:s, s:s}", "method", "dns-update", "server",
	    pd->conf.dns_update_server) :
	    json_pack("{s:s}", "method", "by-hand");

	free(rua); free(sts); free(rpt); free(n_host); free(n_sts);
	free(n_rpt); free(z_sts); free(z_rpt); free(host);
	proof = request_owner_record(pd, d.name);
	policydb_domain_clear(&d);
	reply = json_pack("{s:b, s:{s:o, s:o, s:o}, s:o, s:o}", "ok", 1,
	    "records", "delegated", delegated, "direct", direct,
	    "service_zone", zone, "service_zone_publish", publish, "waiting",
	    waiting ? json_string(waiting) : json_null());
	/* Published with the delegated records, by an account's domain. */
	if (proof != NULL)
		json_object_set_new(json_object_get(reply, "records"), "proof",
		    json_pack("[o]", proof));
	free(waiting);
	return reply;
}

int
request_expire(struct policyd *pd, long long now)
{
	struct buf err = BUF_INIT;
	struct domain *v;
	size_t n, i;

	if (policydb_begin(pd->db, &err) < 0)
		goto fail;
	if (policydb_domain_expired(pd->db, now, &v, &n, &err) < 0) {
		policydb_rollback(pd->db);
		goto fail;
	}
	for (i = 0; i < n; i++) {
		if (policydb_domain_delete(pd->db, v[i].name, &err) < 0 ||
		    request_queue(pd, v[i].name, NULL, &err) < 0) {
			policydb_rollback(pd->db);
			policydb_domains_free(v, n);
			goto fail;
		}
	}
	if (request_commit(pd, &err) < 0) {
		policydb_domains_free(v, n);
		goto fail;
	}
	for (i = 0; i < n; i++) {
		request_notify_withdraw(pd, v[i].name);
		log_info("%s: policy id %s: retirement complete; domain removed",
		    v[i].name, v[i].policy_id);
	}
	if (n > 0) {
		request_alert_write(pd);	/* their subscriptions too */
		request_kick(pd);
	}
	request_snap_sync(pd);
	policydb_domains_free(v, n);
	buf_free(&err);
	return (int)n;
fail:
	log_error("expire retired domains: %s", err.s);
	buf_free(&err);
	return -1;
}
