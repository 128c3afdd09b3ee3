/*
 * request_migrate - the domain-migrate request of stsctl: an MX
 * migration's plan started or aborted; see request.h and migration.h.
 * SPDX-License-Identifier: ISC
 *
 * RFC 8461 sections 8.3 and 10 leave the order of an MX change to the
 * operator: a sender that holds a policy without the new hosts refuses
 * them until its cache expires, and one that fetched a policy without
 * the old hosts refuses those while they are still in DNS.  The plan
 * orders it: widen the policy (old and new hosts), wait until no
 * sender can hold a policy of before (the retirement rule: the latest
 * time one was last served plus its max_age) and every new host passes
 * dnsmon's STARTTLS probe, let the operator switch the MX records and
 * watch dnsmon's results until the old hosts are gone, then narrow.
 *
 * Every change of step is one transaction on the plan's row (and the
 * domain's, when a policy is published): a policyd that restarts reads
 * the step and its deadline back and goes on where it was.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "buf.h"
#include "dnsname.h"
#include "esc.h"
#include "log.h"
#include "migration.h"
#include "monitor.h"
#include "mymalloc.h"
#include "params.h"
#include "policy.h"
#include "policydb.h"
#include "request.h"
#include "request_ops.h"
#include "timefmt.h"

#define MIGRATE_WIDENED		"widened"
/* req[key]: 1..REQUEST_MX_MAX mx patterns, each checked, none twice. */
static char **
migrate_patterns(json_t *req, const char *key, const char *opt,
    struct buf *err)
{
	json_t *a = json_object_get(req, key), *e;
	char **v = NULL, *p;
	size_t n = 0, i;

	if (!json_is_array(a) || json_array_size(a) == 0) {
		buf_printf(err, "at least one %s is needed", opt);
		return NULL;
	}
	if (json_array_size(a) > REQUEST_MX_MAX) {
		buf_printf(err, "%zu %s patterns: at most %d allowed",
		    json_array_size(a), opt, REQUEST_MX_MAX);
		return NULL;
	}
	json_array_foreach(a, i, e) {
		if (!json_is_string(e)) {
			buf_printf(err, "%s: not a list of patterns", opt);
			goto bad;
		}
		if (dnsname_mx_arg(json_string_value(e), &p, err) < 0)
			goto bad;
		if (migrate_has(v, p)) {
			buf_printf(err, "%s \"%s\": given twice", opt, p);
			free(p);
			goto bad;
		}
		migrate_push(&v, &n, p);
		free(p);
	}
	return v;
bad:
	migrate_strv_free(v);
	return NULL;
}

/*
 * domain-migrate {"domain": D, "add_mx": [...], "remove_mx": [...]}
 */
static int
migrate_refuse(const struct domain *d, const struct policydb_migration *old,
    int has_old, char **add, char **rm, struct buf *err)
{
	char **p, *mx;

	if (d->state != DOMAIN_ACTIVE) {
		buf_printf(err, "%s: domain is %s: only an active domain can be"
		    " migrated", d->name, policydb_state_name(d->state));
		return -1;
	}
	if (d->served == 0) {
		buf_printf(err, "%s: its policy is not served yet (waiting for"
		    " a valid certificate for mta-sts.%s): change the mx"
		    " patterns with \"domain set\"", d->name, d->name);
		return -1;
	}
	if (has_old && old->ended == 0) {
		buf_printf(err, "%s: a migration is running (step %s); wait"
		    " for it to end, or abort it with \"domain migrate %s"
		    " --abort\"", d->name, old->step, d->name);
		return -1;
	}
	mx = request_join(d->mx, d->nmx);
	for (p = add; *p != NULL; p++)
		if (migrate_has(d->mx, *p)) {
			buf_printf(err, "%s: --add-mx %s: already in the policy"
			    " (mx %s)", d->name, *p, mx);
			goto bad;
		}
	for (p = rm; *p != NULL; p++)
		if (!migrate_has(d->mx, *p)) {
			buf_printf(err, "%s: --remove-mx %s: not in the policy"
			    " (mx %s)", d->name, *p, mx);
			goto bad;
		}
	if (d->nmx + migrate_count(add) > REQUEST_MX_MAX) {
		buf_printf(err, "%s: the widened policy would list %zu mx"
		    " patterns: at most %d allowed", d->name,
		    d->nmx + migrate_count(add), REQUEST_MX_MAX);
		goto bad;
	}
	free(mx);
	return 0;
bad:
	free(mx);
	return -1;
}

/* Inside the caller's transaction: the widened policy and the plan. */
static int
migrate_start(struct policyd *pd, struct domain *d,
    struct policydb_migration *m, char **add, char **rm, struct buf *err)
{
	long long now = request_now(pd);
	char **start = xcalloc(d->nmx + 1, sizeof(*start));
	size_t i;

	for (i = 0; i < d->nmx; i++)
		start[i] = xstrdup(d->mx[i]);
	memset(m, 0, sizeof(*m));
	m->domain = xstrdup(d->name);
	m->step = xstrdup(MIGRATE_WIDENED);
	m->start_mx = start;
	m->add_mx = add;
	m->remove_mx = rm;
	m->started = m->step_since = now;
	if (migrate_publish(pd, d, migrate_widened_mx(m), now, &m->deadline,
	    err) < 0)
		return -1;
	/* widened, then waiting: both wait for the same end of caches. */
	migrate_next(pd, d, m, now);
	return policydb_migration_put(pd->db, m, err);
}

static json_t *
migrate_abort(struct policyd *pd, json_t *req, struct buf *err);

/* ",\"KEY\":[\"P\",...]" of a NULL-terminated list. */
static void
migrate_audit_list(struct buf *x, const char *key, char **v)
{
	buf_printf(x, ",\"%s\":[", key);
	for (; *v != NULL; v++) {
		request_audit_str(x, *v);
		if (v[1] != NULL)
			buf_putc(x, ',');
	}
	buf_putc(x, ']');
}

/* The audit row of a plan (add, rm) or of its abort (from its step). */
static int
migrate_audit(struct policyd *pd, const struct domain *d, char **add,
    char **rm, const char *from, struct buf *err)
{
	struct buf x = BUF_INIT;
	int rc;

	if (from != NULL) {
		buf_puts(&x, ",\"abort\":true,\"from_step\":");
		request_audit_str(&x, from);
	} else {
		migrate_audit_list(&x, "add_mx", add);
		migrate_audit_list(&x, "remove_mx", rm);
	}
	rc = request_audit_domain(pd, PROTO_OP_DOMAIN_MIGRATE, d, x.s, err);
	buf_free(&x);
	return rc;
}

/* The domain as policy.db has it now, and its plan as "migration". */
static json_t *
migrate_reply(struct policyd *pd, const char *name, struct buf *err)
{
	struct policydb_migration m;
	struct domain d;
	json_t *reply;

	if (policydb_domain_get(pd->db, name, &d, err) <= 0) {
		if (err->len == 0)
			buf_printf(err, "%s: no such domain", name);
		return NULL;
	}
	reply = request_domain_reply(&d);
	if (policydb_migration_get(pd->db, name, &m, err) > 0) {
		json_object_set_new(reply, "migration",
		    request_migration_json(&m));
		policydb_migration_clear(&m);
	}
	policydb_domain_clear(&d);
	return reply;
}

json_t *
request_migrate(struct policyd *pd, json_t *req, struct buf *err)
{
	json_t *ab = json_object_get(req, "abort"), *reply;
	struct policydb_migration old, m;
	char **add = NULL, **rm = NULL, **p, *what;
	struct domain d;
	int has_old;

	if (ab != NULL && !json_is_boolean(ab)) {
		buf_puts(err, "abort: not true or false");
		return NULL;
	}
	if (json_is_true(ab)) {
		if (json_object_get(req, "add_mx") != NULL ||
		    json_object_get(req, "remove_mx") != NULL) {
			buf_puts(err, "--abort takes no --add-mx or --remove-mx");
			return NULL;
		}
		return migrate_abort(pd, req, err);
	}
	if ((add = migrate_patterns(req, "add_mx", "--add-mx", err)) == NULL ||
	    (rm = migrate_patterns(req, "remove_mx", "--remove-mx", err)) ==
	    NULL)
		goto out;
	for (p = add; *p != NULL; p++)
		if (migrate_has(rm, *p)) {
			buf_printf(err, "mx pattern \"%s\": both added and"
			    " removed", *p);
			goto out;
		}
	if (request_begin_load(pd, req, &d, err) < 0)
		goto out;
	if ((has_old = policydb_migration_get(pd->db, d.name, &old, err)) < 0 ||
	    migrate_refuse(&d, &old, has_old, add, rm, err) < 0) {
		policydb_rollback(pd->db);
		if (has_old > 0)
			policydb_migration_clear(&old);
		policydb_domain_clear(&d);
		goto out;
	}
	if (has_old > 0)
		policydb_migration_clear(&old);
	if (migrate_start(pd, &d, &m, add, rm, err) < 0 ||
	    migrate_audit(pd, &d, m.add_mx, m.remove_mx, NULL, err) < 0 ||
	    request_commit(pd, err) < 0) {
		policydb_rollback(pd->db);
		policydb_migration_clear(&m);
		policydb_domain_clear(&d);
		return NULL;
	}
	request_notify_policy(pd, &d);
	request_kick(pd);
	/* dnsmon probes the new hosts now, not in its next round. */
	request_check_now(pd, d.name);
	what = migrate_what(pd, &d, &m);
	migrate_tell(pd, &m, NULL, what);
	free(what);
	policydb_migration_clear(&m);
	request_migrate_domain(pd, d.name, request_now(pd));
	reply = migrate_reply(pd, d.name, err);
	policydb_domain_clear(&d);
	return reply;
out:
	migrate_strv_free(add);
	migrate_strv_free(rm);
	return NULL;
}

/*
 * --abort: the starting policy again (a new id).  After the widened
 * policy was published, senders may hold it or the starting one, and
 * both list the old hosts: safe while DNS has every old host.  In
 * switch-mx the operator may have switched DNS already; then senders
 * that fetched the starting policy would refuse the new hosts.
 */
static int
migrate_abort_safe(struct policyd *pd, const struct policydb_migration *m,
    struct buf *err)
{
	json_t *checks, *hosts;
	char **p, *seen;

	if (strcmp(m->step, MIGRATE_SWITCH) != 0)
		return 0;
	hosts = migrate_dns_hosts(pd, m->domain, 0, &checks);
	if (hosts == NULL) {
		buf_printf(err, "%s: migration at step %s: dnsmon has no"
		    " whole MX list of the domain, so the old hosts may be out"
		    " of DNS already: not aborted (senders would refuse the"
		    " new hosts)", m->domain, m->step);
		json_decref(checks);
		return -1;
	}
	for (p = m->remove_mx; *p != NULL; p++)
		if (migrate_matching(hosts, *p) == 0) {
			seen = migrate_hosts_text(hosts);
			buf_printf(err, "%s: migration at step %s: the MX"
			    " records no longer list %s (dnsmon sees %s):"
			    " publishing the starting policy now would make"
			    " senders refuse the new hosts; not aborted (put"
			    " the old MX records back first)", m->domain,
			    m->step, *p, seen);
			free(seen);
			json_decref(checks);
			return -1;
		}
	json_decref(checks);
	return 0;
}

static json_t *
migrate_abort(struct policyd *pd, json_t *req, struct buf *err)
{
	struct policydb_migration m;
	long long now = request_now(pd);
	struct domain d;
	char *from, *what;
	json_t *reply;
	int rc;

	if (request_begin_load(pd, req, &d, err) < 0)
		return NULL;
	if ((rc = policydb_migration_get(pd->db, d.name, &m, err)) <= 0 ||
	    m.ended != 0) {
		if (rc == 0 || (rc > 0 && m.ended != 0))
			buf_printf(err, "%s: no migration is running%s%s",
			    d.name, rc > 0 ? " (the last one: " : "",
			    rc > 0 ? m.step : "");
		if (rc > 0) {
			if (m.ended != 0)
				buf_puts(err, ")");
			policydb_migration_clear(&m);
		}
		goto fail;
	}
	if (strcmp(m.step, MIGRATE_NARROWED) == 0) {
		buf_printf(err, "%s: migration at step %s: the narrowed policy"
		    " is published already; not aborted (\"domain set\""
		    " changes it)", d.name, m.step);
		policydb_migration_clear(&m);
		goto fail;
	}
	if (migrate_abort_safe(pd, &m, err) < 0 ||
	    migrate_publish(pd, &d, migrate_copy(m.start_mx), now, NULL,
	    err) < 0) {
		policydb_migration_clear(&m);
		goto fail;
	}
	from = m.step;
	m.step = xstrdup(MIGRATE_ABORTED);
	m.step_since = m.ended = now;
	m.deadline = 0;
	free(m.waits_for);
	m.waits_for = NULL;
	if (policydb_migration_put(pd->db, &m, err) < 0 ||
	    migrate_audit(pd, &d, NULL, NULL, from, err) < 0 ||
	    request_commit(pd, err) < 0) {
		free(from);
		policydb_migration_clear(&m);
		goto fail;
	}
	request_notify_policy(pd, &d);
	request_kick(pd);
	what = migrate_what(pd, &d, &m);
	migrate_tell(pd, &m, from, what);
	free(what);
	free(from);
	policydb_migration_clear(&m);
	reply = migrate_reply(pd, d.name, err);
	policydb_domain_clear(&d);
	return reply;
fail:
	policydb_rollback(pd->db);
	policydb_domain_clear(&d);
	return NULL;
}
