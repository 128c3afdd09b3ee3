/*
 * migration - MX migrations: the plan policyd carries out step by step
 * (the domain-migrate request is request_migrate.c); see migration.h.
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
#include "lease.h"
#include "log.h"
#include "migration.h"
#include "monitor.h"
#include "mymalloc.h"
#include "params.h"
#include "policy.h"
#include "policydb.h"
#include "proto.h"
#include "request.h"
#include "request_ops.h"
#include "timefmt.h"


#define MIGRATE_TURNS_MAX	5	/* steps taken at once: one per step */
#define MIGRATE_WAITS_MAX	2048	/* bytes of what a step waits for */
#define MIGRATE_WAITS_CUT	" ..."
#define MIGRATE_ALERT_KIND	"mx-migration"

/*
 * Lists of patterns: NULL-terminated, lower case.
 */
size_t
migrate_count(char **v)
{
	size_t n = 0;

	while (v != NULL && v[n] != NULL)
		n++;
	return n;
}

int
migrate_has(char **v, const char *s)
{
	for (; v != NULL && *v != NULL; v++)
		if (strcmp(*v, s) == 0)
			return 1;
	return 0;
}

void
migrate_push(char ***v, size_t *n, const char *s)
{
	*v = xreallocarray(*v, *n + 2, sizeof(**v));
	(*v)[(*n)++] = xstrdup(s);
	(*v)[*n] = NULL;
}

void
migrate_strv_free(char **v)
{
	char **p;

	for (p = v; p != NULL && *p != NULL; p++)
		free(*p);
	free(v);
}

static char *
migrate_join(char **v)
{
	return request_join(v, migrate_count(v));
}

/*
 * The plan as JSON, for domain-show and the reply of domain-migrate.
 */
static json_t *
migrate_strings(char **v)
{
	json_t *a = json_array();

	for (; v != NULL && *v != NULL; v++)
		json_array_append_new(a, json_string(*v));
	return a;
}

static json_t *
migrate_time(long long t)
{
	return t != 0 ? json_integer(t) : json_null();
}

json_t *
request_migration_json(const struct policydb_migration *m)
{
	return json_pack("{s:s, s:b, s:o, s:o, s:o, s:I, s:I, s:o, s:o, s:o}",
	    "step", m->step, "running", m->ended == 0,
	    "start_mx", migrate_strings(m->start_mx),
	    "add_mx", migrate_strings(m->add_mx),
	    "remove_mx", migrate_strings(m->remove_mx),
	    "started", (json_int_t)m->started,
	    "step_since", (json_int_t)m->step_since,
	    "deadline", migrate_time(m->deadline),
	    "waits_for", m->waits_for ? json_string(m->waits_for) :
	    json_null(),
	    "ended", migrate_time(m->ended));
}

/*
 * The hosts dnsmon probes for a running plan: the added host names (a
 * wildcard names no host to probe), until the policy is narrowed.
 */
json_t *
request_migration_probe(const struct policydb_migration *m)
{
	json_t *a = json_array();
	char **p;

	if (m->ended != 0 || strcmp(m->step, MIGRATE_NARROWED) == 0)
		return a;
	for (p = m->add_mx; *p != NULL; p++)
		if (**p != '*')
			json_array_append_new(a, json_string(*p));
	return a;
}

/* Whether the domain has a running plan; its step in *step (malloc'd). */
int
request_migrating(struct policyd *pd, const char *domain, char **step)
{
	struct policydb_migration m;
	struct buf err = BUF_INIT;
	int rc;

	*step = NULL;
	rc = policydb_migration_get(pd->db, domain, &m, &err);
	buf_free(&err);
	if (rc <= 0)
		return 0;
	if (m.ended == 0)
		*step = xstrdup(m.step);
	policydb_migration_clear(&m);
	return *step != NULL;
}

/*
 * What dnsmon saw: its checks of the domain (monitor.h), when it last
 * checked, and the check named name for host (NULL: any).
 */
static json_t *
migrate_check(json_t *checks, const char *name, const char *host)
{
	const char *h;
	json_t *c;
	size_t i;

	json_array_foreach(checks, i, c) {
		if (strcmp(json_string_value(json_object_get(c, "check")) ?
		    json_string_value(json_object_get(c, "check")) : "",
		    name) != 0)
			continue;
		h = json_string_value(json_object_get(c, "host"));
		if (host == NULL || (h != NULL && strcasecmp(h, host) == 0))
			return c;
	}
	return NULL;
}

/*
 * The MX hosts of the domain in dnsmon's last result, when it was
 * checked at or after since and the list is whole; else NULL.
 */
json_t *
migrate_dns_hosts(struct policyd *pd, const char *domain, long long since,
    json_t **checksp)
{
	long long checked, next;
	json_t *checks, *c, *hosts;

	*checksp = NULL;
	if (!monitor_get(pd->db, domain, &checked, &next, &checks) ||
	    checked < since) {
		json_decref(checks);
		return NULL;
	}
	*checksp = checks;
	c = migrate_check(checks, "mx", NULL);
	hosts = json_object_get(c, "hosts");
	if (c == NULL || strcmp(json_string_value(json_object_get(c,
	    "status")) ? json_string_value(json_object_get(c, "status")) : "",
	    "ok") != 0 || !json_is_array(hosts) ||
	    json_is_true(json_object_get(c, "hosts_cut")))
		return NULL;
	return hosts;
}

/* How many hosts of the list match pattern (RFC 8461 section 4.1). */
size_t
migrate_matching(json_t *hosts, const char *pattern)
{
	size_t i, n = 0;
	json_t *h;

	json_array_foreach(hosts, i, h)
		if (json_is_string(h) && policy_mx_match(pattern,
		    json_string_value(h)))
			n++;
	return n;
}

char *
migrate_hosts_text(json_t *hosts)
{
	struct buf b = BUF_INIT;
	json_t *h;
	size_t i;

	json_array_foreach(hosts, i, h)
		buf_printf(&b, "%s%s", b.len ? " " : "",
		    esc_printable(json_string_value(h) ?
		    json_string_value(h) : ""));
	return buf_steal(&b);
}

/*
 * Step widened and narrowed: the policy is served (HTTPS); they end
 * when DNS announces its id too (RFC 8461 section 8.1), at once when
 * the records are published by hand.
 */
static int
migrate_published(struct policyd *pd, const struct domain *d,
    struct buf *waits)
{
	struct policydb_publish_state s;
	int done = 0;

	if (!pd->conf.dns_update)
		return 1;
	if (policydb_publish_state(pd->db, d->name, &s)) {
		done = s.published_id != NULL &&
		    strcmp(s.published_id, d->policy_id) == 0;
		policydb_publish_state_clear(&s);
	}
	if (!done)
		buf_printf(waits, "the DNS UPDATE of policy id %s to %s",
		    d->policy_id, pd->conf.dns_update_server);
	return done;
}

/*
 * Step waiting: each added host passes dnsmon's STARTTLS probe, in a
 * result of after the plan began.  With dnsmon_probe = no, or for a
 * wildcard, there is nothing to wait for; waits says so.
 */
static int
migrate_probes_pass(struct policyd *pd, const struct policydb_migration *m,
    struct buf *waits)
{
	long long checked, next;
	json_t *checks, *c;
	const char *st;
	char **p;
	int pass = 1;

	if (!var_dnsmon_probe) {
		buf_printf(waits, "%sthe new hosts are not probed (the probe"
		    " is off: dnsmon_probe = no)", waits->len ? "; " : "");
		return 1;
	}
	if (!monitor_get(pd->db, m->domain, &checked, &next, &checks) ||
	    checked < m->started) {
		json_decref(checks);
		checks = json_array();
	}
	for (p = m->add_mx; *p != NULL; p++) {
		if (**p == '*')
			continue;
		c = migrate_check(checks, "probe", *p);
		st = json_string_value(json_object_get(c, "status"));
		if (st != NULL && strcmp(st, "ok") == 0)
			continue;
		pass = 0;
		buf_printf(waits, "%sa passing STARTTLS probe of %s by dnsmon"
		    " (%s%s)", waits->len ? "; " : "", *p,
		    c == NULL ? "not probed yet" : "last: ",
		    c == NULL ? "" : esc_printable(json_string_value(
		    json_object_get(c, "message")) ? json_string_value(
		    json_object_get(c, "message")) : "failed"));
	}
	json_decref(checks);
	return pass;
}

/*
 * Step switch-mx: dnsmon's MX hosts, seen after the step began, list
 * none of the removed patterns and at least one added one.
 */
static int
migrate_switched(struct policyd *pd, const struct policydb_migration *m,
    struct buf *waits)
{
	json_t *checks, *hosts;
	size_t added = 0;
	char **p, *seen, *r, *a;
	int old = 0;

	hosts = migrate_dns_hosts(pd, m->domain, m->step_since, &checks);
	if (hosts != NULL) {
		for (p = m->remove_mx; *p != NULL; p++)
			old += migrate_matching(hosts, *p) > 0;
		for (p = m->add_mx; *p != NULL; p++)
			added += migrate_matching(hosts, *p);
		if (old == 0 && added > 0) {
			json_decref(checks);
			return 1;
		}
	}
	seen = hosts ? migrate_hosts_text(hosts) : NULL;
	r = migrate_join(m->remove_mx);
	a = migrate_join(m->add_mx);
	buf_printf(waits, "the MX records of %s to be switched: none of %s,"
	    " at least one of %s (dnsmon sees %s)", m->domain, r, a,
	    seen ? seen : "no whole MX list since the step began");
	free(r);
	free(a);
	free(seen);
	json_decref(checks);
	return 0;
}

/*
 * The step that follows m's now, or NULL while it waits (m->waits_for
 * then says for what).
 */
const char *
migrate_next(struct policyd *pd, const struct domain *d,
    struct policydb_migration *m, long long now)
{
	struct buf waits = BUF_INIT;
	const char *next = NULL;
	char *until;

	if (strcmp(m->step, MIGRATE_WIDENED) == 0) {
		if (migrate_published(pd, d, &waits))
			next = MIGRATE_WAITING;
	} else if (strcmp(m->step, MIGRATE_WAITING) == 0) {
		if (now < m->deadline) {
			buf_printf(&waits, "the end of senders' caches of the"
			    " policies served before the widening (%s)",
			    until = timefmt_utc(m->deadline));
			free(until);
		}
		if (migrate_probes_pass(pd, m, &waits) && now >= m->deadline)
			next = MIGRATE_SWITCH;
	} else if (strcmp(m->step, MIGRATE_SWITCH) == 0) {
		if (migrate_switched(pd, m, &waits))
			next = MIGRATE_NARROWED;
	} else if (strcmp(m->step, MIGRATE_NARROWED) == 0) {
		if (migrate_published(pd, d, &waits))
			next = MIGRATE_DONE;
	}
	/* Each host's probe message can be long: the text stays small. */
	if (waits.len > MIGRATE_WAITS_MAX) {
		waits.len = MIGRATE_WAITS_MAX - strlen(MIGRATE_WAITS_CUT);
		waits.s[waits.len] = '\0';
		buf_puts(&waits, MIGRATE_WAITS_CUT);
	}
	free(m->waits_for);
	m->waits_for = waits.len ? buf_steal(&waits) : NULL;
	buf_free(&waits);
	return next;
}

/*
 * A new policy for d with mx (taken), inside the caller's transaction:
 * a new id, the end of the caches of the one it served kept for the
 * name (request_new_id), queued for DNS.  *until gets the latest end
 * of a sender's cache of any policy served for the name before it.
 */
int
migrate_publish(struct policyd *pd, struct domain *d, char **mx,
    long long now, long long *until, struct buf *err)
{
	long long cached;
	char *last;
	size_t i;

	for (i = 0; i < d->nmx; i++)
		free(d->mx[i]);
	free(d->mx);
	d->mx = mx;
	d->nmx = migrate_count(mx);
	d->updated = now;
	if (request_validate(d, err) < 0 ||
	    request_new_id(pd, d, request_cache_end(d, now), err) < 0 ||
	    policydb_domain_update(pd->db, d, err) < 0 ||
	    request_queue(pd, d->name, d->policy_id, err) < 0 ||
	    policydb_name_get(pd->db, d->name, &last, &cached, err) < 0)
		return -1;
	free(last);
	if (until != NULL)
		*until = cached > now ? cached : now;
	return 0;
}

/* request_cache_end() is of the policy d serves: d before the change. */
char **
migrate_widened_mx(const struct policydb_migration *m)
{
	char **v = NULL, **p;
	size_t n = 0;

	for (p = m->start_mx; *p != NULL; p++)
		migrate_push(&v, &n, *p);
	for (p = m->add_mx; *p != NULL; p++)
		migrate_push(&v, &n, *p);
	return v;
}

static char **
migrate_narrowed_mx(const struct policydb_migration *m)
{
	char **v = NULL, **p;
	size_t n = 0;

	for (p = m->start_mx; *p != NULL; p++)
		if (!migrate_has(m->remove_mx, *p))
			migrate_push(&v, &n, *p);
	for (p = m->add_mx; *p != NULL; p++)
		migrate_push(&v, &n, *p);
	return v;
}

char **
migrate_copy(char **src)
{
	char **v = NULL;
	size_t n = 0;

	for (; *src != NULL; src++)
		migrate_push(&v, &n, *src);
	return v;
}

/* Tells the operator of a change of step: the log and an alert. */
void
migrate_tell(struct policyd *pd, const struct policydb_migration *m,
    const char *from, const char *what)
{
	char *key, *subject;

	log_info("%s: migration: %s%s%s: %s", m->domain, from ? from : "",
	    from ? " -> " : "", m->step, what);
	if (pd->alert == NULL)
		return;
	key = xasprintf("%lld %s", m->started, m->step);
	subject = xasprintf("stsd: %s: MX migration: %s", m->domain, m->step);
	pd->alert(m->domain, MIGRATE_ALERT_KIND, key, subject, what,
	    pd->alert_arg);
	free(key);
	free(subject);
}

/* What each step means to the operator, for the log and the alert. */
char *
migrate_what(struct policyd *pd, const struct domain *d,
    const struct policydb_migration *m)
{
	char *mx = request_join(d->mx, d->nmx), *r = migrate_join(m->remove_mx);
	char *a = migrate_join(m->add_mx), *s, *until;

	until = m->deadline ? timefmt_utc(m->deadline) : xstrdup("now");
	if (strcmp(m->step, MIGRATE_WIDENED) == 0)
		s = xasprintf("policy id %s lists the old and new hosts (mx %s);"
		    " waiting until %s for senders' caches of earlier policies"
		    " to expire", d->policy_id, mx, until);
	else if (strcmp(m->step, MIGRATE_WAITING) == 0)
		s = xasprintf("policy id %s is published; waiting until %s%s",
		    d->policy_id, until, var_dnsmon_probe ? " and for a"
		    " passing STARTTLS probe of each new host" : " (the new"
		    " hosts are not probed: dnsmon_probe = no)");
	else if (strcmp(m->step, MIGRATE_SWITCH) == 0)
		s = xasprintf("the MX records of %s may now be switched: add %s"
		    " and remove %s; every sender may have policy id %s,"
		    " which lists both", d->name, a, r, d->policy_id);
	else if (strcmp(m->step, MIGRATE_NARROWED) == 0)
		s = xasprintf("DNS lists none of %s: policy id %s without them"
		    " (mx %s)", r, d->policy_id, mx);
	else if (strcmp(m->step, MIGRATE_DONE) == 0)
		s = xasprintf("complete: policy id %s, mx %s", d->policy_id, mx);
	else
		s = xasprintf("aborted: policy id %s restores mx %s",
		    d->policy_id, mx);
	free(until);
	free(mx);
	free(r);
	free(a);
	return s;
}

/*
 * One turn of a plan, in its own transaction: 1 it moved on (and said
 * so), 0 it waits, -1 err says why.
 */
static int
migrate_turn(struct policyd *pd, const char *domain, long long now,
    struct buf *err)
{
	struct policydb_migration m;
	struct domain d;
	const char *next;
	char *from = NULL, *what, *was;
	int rc, published = 0;

	memset(&d, 0, sizeof(d));
	if (policydb_begin(pd->db, err) < 0)
		return -1;
	if ((rc = policydb_migration_get(pd->db, domain, &m, err)) <= 0) {
		policydb_rollback(pd->db);
		return rc;
	}
	if (m.ended != 0 || policydb_domain_lock(pd->db, domain, &d, err) <= 0) {
		policydb_rollback(pd->db);
		policydb_migration_clear(&m);
		return 0;
	}
	was = m.waits_for ? xstrdup(m.waits_for) : NULL;
	next = migrate_next(pd, &d, &m, now);
	if (next == NULL && (was == NULL ? m.waits_for == NULL :
	    m.waits_for != NULL && strcmp(was, m.waits_for) == 0)) {
		/* Nothing new: no write, no sync. */
		policydb_rollback(pd->db);
		free(was);
		policydb_migration_clear(&m);
		policydb_domain_clear(&d);
		return 0;
	}
	free(was);
	if (next != NULL) {
		from = m.step;
		m.step = xstrdup(next);
		m.step_since = now;
		if (strcmp(next, MIGRATE_NARROWED) == 0) {
			published = 1;
			if (migrate_publish(pd, &d, migrate_narrowed_mx(&m),
			    now, NULL, err) < 0)
				goto fail;
			m.deadline = 0;
		} else if (strcmp(next, MIGRATE_DONE) == 0)
			m.ended = now;
		if (strcmp(next, MIGRATE_WAITING) != 0)
			m.deadline = 0;
		/* What the new step waits for, from the start. */
		if (m.ended != 0 || migrate_next(pd, &d, &m, now) != NULL) {
			free(m.waits_for);
			m.waits_for = NULL;
		}
	}
	if (policydb_migration_put(pd->db, &m, err) < 0 ||
	    request_commit(pd, err) < 0)
		goto fail;
	if (published) {
		request_notify_policy(pd, &d);
		request_kick(pd);
	}
	if (next != NULL) {
		what = migrate_what(pd, &d, &m);
		migrate_tell(pd, &m, from, what);
		free(what);
	}
	free(from);
	policydb_migration_clear(&m);
	policydb_domain_clear(&d);
	return next != NULL;
fail:
	policydb_rollback(pd->db);
	free(from);
	policydb_migration_clear(&m);
	policydb_domain_clear(&d);
	return -1;
}

/* Takes the plan of domain as far as it goes now. */
int
request_migrate_domain(struct policyd *pd, const char *domain, long long now)
{
	struct buf err = BUF_INIT;
	int i, rc = 0;
	char *step;

	/* A plain read first: most domains never migrate. */
	if (!request_migrating(pd, domain, &step))
		return 0;
	free(step);
	for (i = 0; i < MIGRATE_TURNS_MAX; i++)
		if ((rc = migrate_turn(pd, domain, now, &err)) <= 0)
			break;
	if (rc < 0)
		log_error("%s: migration: %s", domain, err.s);
	buf_free(&err);
	return rc < 0 ? -1 : 0;
}

int
request_migrate_run(struct policyd *pd, long long now)
{
	struct policydb_migration *v;
	struct buf err = BUF_INIT;
	size_t n, i;

	/* Plans of the database are the work of the dnsmon lease's node,
	 * whose dnsmon's results they wait for. */
	if (pd->leases != NULL && leases_held(pd->leases, PROTO_LEASE_DNSMON,
	    NULL) == 0)
		return 0;
	if (policydb_migration_running(pd->db, &v, &n, &err) < 0) {
		log_error("migrations: %s", err.s);
		buf_free(&err);
		return -1;
	}
	for (i = 0; i < n; i++)
		request_migrate_domain(pd, v[i].domain, now);
	policydb_migrations_free(v, n);
	buf_free(&err);
	return (int)n;
}
