/*
 * request - policyd's request handlers; see request.h.
 * SPDX-License-Identifier: ISC
 *
 * Each handler checks its whole request before it touches policy.db,
 * then makes its change inside one transaction (BEGIN IMMEDIATE), so a
 * refused request leaves nothing behind.  Policy ids come from
 * lib/policy (policy_id_at: greater than the greatest id the name was
 * ever given, kept in domain_names), policy text from policy_render,
 * checks of names and mx patterns from lib/dnsname.  Every time a
 * testing or enforce policy stops being served, the end of senders'
 * caches of it goes to domain_names too: that is how long a retirement
 * lasts.
 * What DNS must publish is queued (publish_want) inside the same
 * transaction as the change, and pd->publish is called only after the
 * subscribers were told.
 */
#include "config.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <openssl/rand.h>

#include "buf.h"
#include "challenges.h"
#include "db.h"
#include "dnsname.h"
#include "domains.h"
#include "esc.h"
#include "hash.h"
#include "log.h"
#include "monitor.h"
#include "mymalloc.h"
#include "plural.h"
#include "policy.h"
#include "polsnap.h"
#include "proto.h"
#include "publish.h"
#include "request.h"
#include "timefmt.h"

#define REQUEST_TOKEN_BYTES	16	/* ownership token: 128 random bits */

struct request_op {
	const char *name;
	int	public;		/* allowed on the public socket */
	json_t	*(*handle)(struct policyd *, json_t *, struct buf *);
};

/* The clock: pd->now when a test sets it, else time(). */
static long long
request_now(const struct policyd *pd)
{
	return pd->now != NULL ? pd->now() : (long long)time(NULL);
}

/*
 * Replies.
 */
static json_t *
request_error(const char *text)
{
	return json_pack("{s:b, s:s}", "ok", 0, "error", text);
}

static json_t *
request_ok(void)
{
	return json_pack("{s:b}", "ok", 1);
}

/*
 * Policy text and ids, from lib/policy.
 */
static void
request_policy(const struct domain *d, struct policy *p)
{
	memset(p, 0, sizeof(*p));
	if (policy_mode_parse(d->mode, &p->mode) < 0)
		log_panic("%s: mode \"%s\" is not a policy mode", d->name,
		    d->mode);
	p->mx = d->mx;
	p->nmx = d->nmx;
	p->max_age = d->max_age;
}

static void
request_render(const struct domain *d, struct buf *out)
{
	struct policy p;

	request_policy(d, &p);
	policy_render(&p, out);
}

/* The whole policy of d, as it would be served, before it is stored. */
static int
request_validate(const struct domain *d, struct buf *err)
{
	struct buf why = BUF_INIT;
	struct policy p;

	request_policy(d, &p);
	if (policy_validate(&p, &why) == 0) {
		buf_free(&why);
		return 0;
	}
	buf_printf(err, "%s: %s", d->name, why.s);
	buf_free(&why);
	return -1;
}

/*
 * Until when a sender may hold the policy d serves now, if it stopped
 * serving it now; 0 when that policy counts for nothing: d is not
 * served, or serves mode none (RFC 8461 section 5: a sender that
 * cached it applies no policy), which a retiring domain does.
 */
static long long
request_cache_end(const struct domain *d, long long now)
{
	if (d->state != DOMAIN_ACTIVE || strcmp(d->mode, "none") == 0)
		return 0;
	return now + d->max_age;
}

/*
 * A new id for d, greater than every id its name was ever given (in
 * domain_names, kept across removals), so that no sender holding an
 * earlier policy of the name takes the new one for it (RFC 8461
 * section 3.1), whatever the clock did; stored with until, the end of
 * the caches of the policy d served so far (request_cache_end).
 * Inside the caller's transaction.
 */
static int
request_new_id(struct policyd *pd, struct domain *d, long long until,
    struct buf *err)
{
	char id[POLICY_ID_MAX + 1], *last;
	const char *prev = d->policy_id;
	long long cached;

	if (domains_name_get(pd->db, d->name, &last, &cached, err) < 0)
		return -1;
	if (last != NULL && (prev == NULL || strcmp(last, prev) > 0))
		prev = last;
	policy_id_at(id, prev, (time_t)request_now(pd));
	free(last);
	free(d->policy_id);
	d->policy_id = xstrdup(id);
	return domains_name_put(pd->db, d->name, id, until, err);
}

static char *
request_token(void)
{
	unsigned char raw[REQUEST_TOKEN_BYTES];
	struct buf b = BUF_INIT;
	size_t i;

	if (RAND_bytes(raw, sizeof(raw)) != 1)
		log_fatal("cannot get random bytes for an ownership token");
	for (i = 0; i < sizeof(raw); i++)
		buf_printf(&b, "%02x", raw[i]);
	return buf_steal(&b);
}

/*
 * JSON objects.
 */
static json_t *
request_strings(char **v, size_t n)
{
	json_t *a = json_array();
	size_t i;

	for (i = 0; i < n; i++)
		json_array_append_new(a, json_string(v[i]));
	return a;
}

static char *
request_policy_host(const char *domain)
{
	return xasprintf("mta-sts.%s", domain);
}

/*
 * What d's TXT record waits for, or NULL: a servable domain waits until
 * httpd served it with a valid certificate (RFC 8461 section 8.1).
 */
static char *
request_waiting(const struct domain *d)
{
	if (!domain_state_servable(d->state) || d->served != 0)
		return NULL;
	return xasprintf(REQUEST_WAIT_CERT, d->name);
}

static json_t *
request_domain_json(const struct domain *d)
{
	struct buf policy = BUF_INIT;
	char *host = request_policy_host(d->name);
	json_t *o;

	request_render(d, &policy);
	o = json_pack("{s:s, s:s, s:s, s:o, s:I, s:s, s:s, s:s, s:s,"
	    " s:I, s:I, s:o}",
	    "domain", d->name,
	    "state", domain_state_name(d->state),
	    "mode", d->mode,
	    "mx", request_strings(d->mx, d->nmx),
	    "max_age", (json_int_t)d->max_age,
	    "policy_id", d->policy_id,
	    "policy_host", host,
	    "policy", policy.s,
	    "token", d->token,
	    "created", (json_int_t)d->created,
	    "updated", (json_int_t)d->updated,
	    "retire_at", d->retire_at ? json_integer(d->retire_at) : json_null());
	buf_free(&policy);
	free(host);
	if (o == NULL)
		log_panic("request_domain_json: cannot build object for %s", d->name);
	host = request_waiting(d);
	json_object_set_new(o, "waiting", host ? json_string(host) : json_null());
	free(host);
	/* What domain-add gives back to a retiring domain. */
	if (d->state == DOMAIN_RETIRING)
		json_object_set_new(o, "restores", d->prior_mode == NULL ?
		    json_null() : json_pack("{s:s, s:I}", "mode", d->prior_mode,
		    "max_age", (json_int_t)d->prior_max_age));
	return o;
}

static json_t *
request_domain_reply(const struct domain *d)
{
	return json_pack("{s:b, s:o}", "ok", 1, "domain", request_domain_json(d));
}

/* The subscription message that makes httpd serve d with policy. */
static json_t *
request_policy_msg(const struct domain *d, const struct buf *policy)
{
	char *host = request_policy_host(d->name);
	json_t *o;

	o = json_pack("{s:s, s:s, s:s, s:s, s:s}", "op", "policy",
	    "host", host, "domain", d->name, "id", d->policy_id,
	    "policy", policy->s);
	free(host);
	return o;
}

static void
request_notify(struct policyd *pd, json_t *msg)
{
	if (pd->notify != NULL)
		pd->notify(msg, pd->notify_arg);
	json_decref(msg);
}

/*
 * The snapshot file (polsnap.h): a failed append is said once until a
 * compaction rewrites the file (policyd.c arms it when due).
 */
static void
request_snap_result(struct policyd *pd, int rc, struct buf *err)
{
	if (rc < 0 && !pd->snap_failed)
		log_error("policy snapshot: %s; changes reach the running"
		    " httpd processes, and the file at the next compaction",
		    err->s);
	if (rc < 0)
		pd->snap_failed = 1;	/* until a compaction succeeds */
	buf_free(err);
}

/* The change is written to the snapshot first, then pushed to httpd. */
static void
request_notify_policy(struct policyd *pd, const struct domain *d)
{
	struct buf policy = BUF_INIT, err = BUF_INIT;

	request_render(d, &policy);
	if (pd->snap != NULL)
		request_snap_result(pd, polsnap_append_put(pd->snap, d->name,
		    d->policy_id, policy.s, policy.len, &err), &err);
	request_notify(pd, request_policy_msg(d, &policy));
	if (domain_state_servable(d->state) && d->served == 0)
		request_notify(pd, request_cert_check_msg(d->name));
	buf_free(&policy);
}

static void
request_notify_withdraw(struct policyd *pd, const char *domain)
{
	char *host = request_policy_host(domain);
	struct buf err = BUF_INIT;

	if (pd->snap != NULL)
		request_snap_result(pd, polsnap_append_del(pd->snap, domain,
		    &err), &err);
	request_notify(pd, json_pack("{s:s, s:s}", "op", "withdraw",
	    "host", host));
	free(host);
}

/* The changes of a request are durable before its reply. */
static void
request_snap_sync(struct policyd *pd)
{
	struct buf err = BUF_INIT;

	if (pd->snap != NULL)
		request_snap_result(pd, polsnap_sync(pd->snap, &err), &err);
}

/*
 * DNS publication: queue what the service zone must say for domain
 * (id NULL: nothing), inside the caller's transaction; kick the
 * publisher after the commit and after subscribers were told.
 */
static int
request_queue(struct policyd *pd, const char *domain, const char *id,
    struct buf *err)
{
	struct buf why = BUF_INIT;
	char *rua;
	int rc;

	if (!pd->conf.dns_update)
		return 0;
	rua = publish_rua(&pd->conf, domain, &why);
	buf_free(&why);
	rc = publish_want(pd->db, domain, id, rua ? rua : "", request_now(pd),
	    err);
	free(rua);
	return rc;
}

static void
request_kick(struct policyd *pd)
{
	if (pd->conf.dns_update && pd->publish != NULL)
		pd->publish(pd->notify_arg);
}

/*
 * Request fields.  Each returns -1 with the reason in err.
 */
/*
 * Asks dnsmon to check the domain now (pd->check_now); whether it was
 * asked.  dnsmon's answer is a check-result like any other.
 */
static int
request_check_now(struct policyd *pd, const char *domain)
{
	if (pd->check_now == NULL)
		return 0;
	return pd->check_now(domain, pd->check_now_arg) == 0;
}

/*
 * req.domain: with strict, a domain stsd can host (lib/dnsname, with
 * the names of sts_zone); else the grammar alone, to find a domain
 * stored before those rules.  Lower case, without the trailing dot.
 */
static int
request_domain_name(struct policyd *pd, json_t *req, int strict, char **out,
    struct buf *err)
{
	json_t *v = json_object_get(req, "domain");

	if (!json_is_string(v)) {
		buf_puts(err, "missing domain name");
		return -1;
	}
	if (strict)
		return dnsname_domain_arg(json_string_value(v),
		    pd->conf.sts_zone, out, err);
	return dnsname_name_arg(json_string_value(v), out, err);
}

static int
request_mode(json_t *req, char **out, struct buf *err)
{
	json_t *v = json_object_get(req, "mode");
	enum policy_mode m;

	if (v == NULL)
		return 0;
	if (!json_is_string(v) || policy_mode_parse(json_string_value(v), &m) < 0) {
		buf_printf(err, "mode \"%s\": must be testing, enforce or none",
		    json_is_string(v) ? json_string_value(v) : "(not a string)");
		return -1;
	}
	*out = xstrdup(json_string_value(v));
	return 1;
}

static int
request_max_age(json_t *req, long long *out, struct buf *err)
{
	json_t *v = json_object_get(req, "max_age");

	if (v == NULL)
		return 0;
	if (!json_is_integer(v)) {
		buf_puts(err, "max_age: not an integer");
		return -1;
	}
	if (json_integer_value(v) < 0 ||
	    json_integer_value(v) > POLICY_MAX_AGE_MAX) {
		buf_printf(err, "max_age %lld: out of range 0..%lld",
		    (long long)json_integer_value(v), POLICY_MAX_AGE_MAX);
		return -1;
	}
	*out = json_integer_value(v);
	return 1;
}

/* Lower-case copies of the patterns of req.mx, each checked. */
static int
request_mx(json_t *req, char ***out, size_t *nout, struct buf *err)
{
	json_t *v = json_object_get(req, "mx"), *e;
	char **mx;
	size_t n, i, j;
	const char *s;

	if (v == NULL)
		return 0;
	if (!json_is_array(v)) {
		buf_puts(err, "mx: not a list of patterns");
		return -1;
	}
	if ((n = json_array_size(v)) > REQUEST_MX_MAX) {
		buf_printf(err, "%zu mx patterns: at most %d allowed", n,
		    REQUEST_MX_MAX);
		return -1;
	}
	mx = xcalloc(n + 1, sizeof(char *));
	json_array_foreach(v, i, e) {
		if (!json_is_string(e)) {
			buf_puts(err, "mx: not a list of patterns");
			goto bad;
		}
		s = json_string_value(e);
		if (dnsname_mx_arg(s, &mx[i], err) < 0)
			goto bad;
		for (j = 0; j < i; j++) {
			if (strcmp(mx[j], mx[i]) == 0) {
				buf_printf(err, "mx pattern \"%s\": given twice", s);
				goto bad;
			}
		}
	}
	*out = mx;
	*nout = n;
	return 1;
bad:
	for (i = 0; i < n; i++)
		free(mx[i]);
	free(mx);
	return -1;
}

static void
request_free_strings(char **v, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		free(v[i]);
	free(v);
}

/* Loads the domain named by req into d; -1 with err when it is not there. */
static int
request_load(struct policyd *pd, json_t *req, struct domain *d,
    struct buf *err)
{
	char *name;
	int rc;

	if (request_domain_name(pd, req, 0, &name, err) < 0)
		return -1;
	rc = domains_get(pd->db, name, d, err);
	if (rc == 0)
		buf_printf(err, "%s: no such domain", name);
	free(name);
	return rc == 1 ? 0 : -1;
}

static int
request_commit(struct policyd *pd, struct buf *err)
{
	if (db_commit(pd->db, err) < 0) {
		db_rollback(pd->db);
		return -1;
	}
	return 0;
}

static char *
request_join(char **v, size_t n)
{
	struct buf b = BUF_INIT;
	size_t i;

	for (i = 0; i < n; i++)
		buf_printf(&b, "%s%s", i ? " " : "", v[i]);
	return buf_steal(&b);
}

/*
 * domain-add, and domain-import of many
 */
#define REQUEST_GIVEN_MODE	(1 << 0)
#define REQUEST_GIVEN_AGE	(1 << 1)
#define REQUEST_GIVEN_MX	(1 << 2)

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
		request_free_strings(d->mx, d->nmx);
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
	    domains_update(pd->db, d, err) < 0 ||
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

	rc = domains_get(pd->db, d->name, &old, err);
	if (rc == 1 && old.state == DOMAIN_RETIRING) {
		rc = request_restore(pd, &old, n, err);
		domain_clear(&old);
		return rc;
	}
	if (rc != 0) {
		if (rc == 1) {
			buf_printf(err, "%s: domain already exists (state %s)",
			    d->name, domain_state_name(old.state));
			domain_clear(&old);
		}
		return -1;
	}
	d->state = pd->conf.verify_dns ? DOMAIN_PENDING : DOMAIN_ACTIVE;
	d->token = request_token();
	d->created = d->updated = request_now(pd);
	if (request_servable(d, err) < 0 || request_new_id(pd, d, 0, err) < 0 ||
	    domains_insert(pd->db, d, err) < 0 ||
	    (domain_state_servable(d->state) &&
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
	    "added", domain_state_name(d->state), d->policy_id, d->mode,
	    d->max_age, mx);
	free(mx);
}

static json_t *
request_add(struct policyd *pd, json_t *req, struct buf *err)
{
	struct request_new n;
	json_t *reply = NULL;

	if (request_add_fields(pd, req, &n, err) < 0 ||
	    db_begin(pd->db, err) < 0)
		goto out;
	if (request_add_insert(pd, &n, err) < 0) {
		db_rollback(pd->db);
		goto out;
	}
	if (request_commit(pd, err) < 0)
		goto out;
	if (domain_state_servable(n.d.state)) {
		request_notify_policy(pd, &n.d);
		request_kick(pd);
	}
	request_log_added(&n);
	reply = request_domain_reply(&n.d);
	json_object_set_new(reply, "restored", json_boolean(n.restored));
	json_object_set_new(reply, "check_asked",
	    json_boolean(request_check_now(pd, n.d.name)));
out:
	domain_clear(&n.d);
	return reply;
}

/*
 * domain-import: {"domains": [ADD, ...]}, each ADD what domain-add
 * takes; all of them in one transaction, or none.  One commit (one
 * fsync) for the batch instead of one per domain.
 */
static json_t *
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
	if (db_begin(pd->db, err) < 0)
		goto out;
	for (i = 0; i < n; i++)
		if (request_add_insert(pd, &v[i], &why) < 0) {
			db_rollback(pd->db);
			goto refused;
		}
	if (request_commit(pd, err) < 0)
		goto out;
	for (i = 0; i < n; i++) {
		if (domain_state_servable(v[i].d.state)) {
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
		domain_clear(&v[i].d);
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
		request_free_strings(mx, nmx);
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
		request_free_strings(d->mx, d->nmx);
		d->mx = mx;
		d->nmx = nmx;
	} else if (has_mx)
		request_free_strings(mx, nmx);
	return 0;
}

static json_t *
request_set(struct policyd *pd, json_t *req, struct buf *err)
{
	struct domain d;
	struct buf what = BUF_INIT;
	json_t *reply = NULL;
	long long now = request_now(pd), until;
	char *old_id, *when;

	memset(&d, 0, sizeof(d));
	if (db_begin(pd->db, err) < 0)
		return NULL;
	if (request_load(pd, req, &d, err) < 0)
		goto fail;
	if (d.state == DOMAIN_RETIRING) {
		buf_printf(err, "%s: domain is retiring (removed at %s); it"
		    " cannot be changed, \"domain add\" restores it", d.name,
		    when = timefmt_utc(d.retire_at));
		free(when);
		goto fail;
	}
	until = request_cache_end(&d, now);
	if (request_apply(req, &d, &what, err) < 0 ||
	    request_servable(&d, err) < 0)
		goto fail;
	if (what.len == 0) {
		db_rollback(pd->db);
		reply = request_domain_reply(&d);
		goto out;
	}
	old_id = xstrdup(d.policy_id);
	d.updated = now;
	if (request_new_id(pd, &d, until, err) < 0 ||
	    domains_update(pd->db, &d, err) < 0 ||
	    (domain_state_servable(d.state) &&
	    request_queue(pd, d.name, d.policy_id, err) < 0) ||
	    request_commit(pd, err) < 0) {
		db_rollback(pd->db);
		free(old_id);
		goto out;
	}
	if (domain_state_servable(d.state)) {
		request_notify_policy(pd, &d);
		request_kick(pd);
	}
	log_info("%s: policy id %s -> %s%s", d.name, old_id, d.policy_id, what.s);
	free(old_id);
	reply = request_domain_reply(&d);
	goto out;
fail:
	db_rollback(pd->db);
out:
	buf_free(&what);
	domain_clear(&d);
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
	int served = domain_state_servable(d->state);
	char *warning, *last;
	json_t *reply;

	/* The name keeps its id and the end of its caches (migration 3). */
	if (domains_name_put(pd->db, d->name, d->policy_id, until, err) < 0 ||
	    domains_name_get(pd->db, d->name, &last, &cached, err) < 0 ||
	    domains_delete(pd->db, d->name, err) < 0 ||
	    request_queue(pd, d->name, NULL, err) < 0 ||
	    request_commit(pd, err) < 0)
		return NULL;
	free(last);
	if (served)
		request_notify_withdraw(pd, d->name);
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
		    domain_state_name(d->state), served ? "no cached policy"
		    " can still be valid" : "never published");
	return reply;
}

/*
 * RFC 8461 section 8.3: mode none with a new id, until every cached
 * copy of every policy served for the name has expired: the latest
 * time one was last served plus its max_age (domain_names), this one
 * included.  The mode none policy keeps the mx lines; its max_age is
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
	    domains_name_get(pd->db, d->name, &last, &cached, err) < 0)
		return NULL;
	free(last);
	d->retire_at = cached > now ? cached : now;
	if (domains_update(pd->db, d, err) < 0 ||
	    request_queue(pd, d->name, d->policy_id, err) < 0 ||
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

static json_t *
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
	if (db_begin(pd->db, err) < 0)
		return NULL;
	if (request_load(pd, req, &d, err) < 0)
		goto fail;
	/* Nothing was published: nothing for senders to forget. */
	if (json_is_true(now) || !domain_state_servable(d.state))
		reply = request_del_now(pd, &d, err);
	else if (d.state == DOMAIN_RETIRING) {
		buf_printf(err, "%s: domain is already retiring (removed at"
		    " %s); use --now to remove it at once", d.name,
		    when = timefmt_utc(d.retire_at));
		free(when);
	} else
		reply = request_retire(pd, &d, err);
	if (reply != NULL)
		goto out;
fail:
	db_rollback(pd->db);
out:
	domain_clear(&d);
	return reply;
}

/*
 * domain-list, domain-show
 */
/*
 * A page of domains after req.after: at most REQUEST_LIST_PAGE, and
 * fewer when the reply would pass pd->reply_limit bytes.  "next" names
 * the last domain of the page when more may follow.
 */
static json_t *
request_list(struct policyd *pd, json_t *req, struct buf *err)
{
	json_t *after = json_object_get(req, "after"), *a, *o, *reply;
	struct domain *v;
	size_t n, i, size, total = 0;
	char *text;

	if (after != NULL && !json_is_string(after)) {
		buf_puts(err, "after: not a domain name");
		return NULL;
	}
	if (domains_list(pd->db, json_string_value(after), REQUEST_LIST_PAGE,
	    &v, &n, err) < 0)
		return NULL;
	a = json_array();
	for (i = 0; i < n; i++) {
		o = request_domain_json(&v[i]);
		if (pd->reply_limit > 0) {
			text = json_dumps(o, JSON_COMPACT);
			size = text ? strlen(text) : 0;
			free(text);
			if (i > 0 && total + size > pd->reply_limit) {
				json_decref(o);
				break;
			}
			total += size + 1;
		}
		json_array_append_new(a, o);
	}
	reply = json_pack("{s:b, s:o}", "ok", 1, "domains", a);
	if (i < n || n == REQUEST_LIST_PAGE)
		json_object_set_new(reply, "next", json_string(v[i - 1].name));
	domains_free(v, n);
	return reply;
}

/* What dnsmon saw last, and where DNS publication stands. */
static void
request_show_monitor(struct policyd *pd, const struct domain *d, json_t *o)
{
	long long checked, next;
	json_t *checks, *dns;

	if (monitor_get(pd->db, d->name, &checked, &next, &checks))
		json_object_set_new(o, "checked", json_integer(checked));
	else
		json_object_set_new(o, "checked", json_null());
	json_object_set_new(o, "next_check", next > 0 ? json_integer(next) :
	    json_null());
	json_object_set_new(o, "checks", checks);
	if (!pd->conf.dns_update) {
		json_object_set_new(o, "dns", json_null());
		return;
	}
	if ((dns = publish_state_json(pd->db, d->name)) == NULL)
		dns = json_pack("{s:n, s:n, s:b}", "want_id", "published_id",
		    "pending", 0);
	json_object_set_new(dns, "server",
	    json_string(pd->conf.dns_update_server));
	json_object_set_new(o, "dns", dns);
}

static json_t *
request_show(struct policyd *pd, json_t *req, struct buf *err)
{
	struct domain d;
	json_t *reply;

	if (request_load(pd, req, &d, err) < 0)
		return NULL;
	reply = request_domain_reply(&d);
	request_show_monitor(pd, &d, json_object_get(reply, "domain"));
	domain_clear(&d);
	return reply;
}

/*
 * domain-check (stsctl check): dnsmon checks the domain now, or as soon
 * as its rate limit allows (dnsmon_check_now_interval).
 */
static json_t *
request_check(struct policyd *pd, json_t *req, struct buf *err)
{
	struct domain d;
	json_t *reply;

	if (request_load(pd, req, &d, err) < 0)
		return NULL;
	reply = json_pack("{s:b, s:s, s:b}", "ok", 1, "domain", d.name,
	    "asked", request_check_now(pd, d.name));
	domain_clear(&d);
	return reply;
}

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

static json_t *
request_records(struct policyd *pd, json_t *req, struct buf *err)
{
	struct domain d;
	json_t *delegated, *direct, *zone, *publish, *reply;
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
		domain_clear(&d);
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
	domain_clear(&d);
	reply = json_pack("{s:b, s:{s:o, s:o, s:o}, s:o, s:o}", "ok", 1,
	    "records", "delegated", delegated, "direct", direct,
	    "service_zone", zone, "service_zone_publish", publish, "waiting",
	    waiting ? json_string(waiting) : json_null());
	free(waiting);
	return reply;
}

/*
 * domain-verified (dnsmon), cert-changed (acmed)
 */
static json_t *
request_verified(struct policyd *pd, json_t *req, struct buf *err)
{
	struct domain d;
	enum domain_state was;

	if (db_begin(pd->db, err) < 0)
		return NULL;
	if (request_load(pd, req, &d, err) < 0) {
		db_rollback(pd->db);
		return NULL;
	}
	if (d.state != DOMAIN_PENDING && d.state != DOMAIN_VERIFIED) {
		db_rollback(pd->db);
		domain_clear(&d);
		return request_ok();
	}
	/* Certificates come later: verified means servable for now. */
	was = d.state;
	d.state = DOMAIN_ACTIVE;
	d.updated = request_now(pd);
	if (domains_update(pd->db, &d, err) < 0 ||
	    request_queue(pd, d.name, d.policy_id, err) < 0 ||
	    request_commit(pd, err) < 0) {
		db_rollback(pd->db);
		domain_clear(&d);
		return NULL;
	}
	request_notify_policy(pd, &d);
	request_kick(pd);
	log_info("%s: policy id %s: ownership verified: state %s -> active",
	    d.name, d.policy_id, domain_state_name(was));
	domain_clear(&d);
	return request_ok();
}

/* A subscriber (httpd) checks that policyd still answers. */
static json_t *
request_ping(struct policyd *pd, json_t *req, struct buf *err)
{
	return request_ok();
}

static json_t *
request_cert_changed(struct policyd *pd, json_t *req, struct buf *err)
{
	json_t *host = json_object_get(req, "host");

	if (!json_is_string(host)) {
		buf_puts(err, "missing host name");
		return NULL;
	}
	request_notify(pd, json_pack("{s:s, s:O}", "op", "cert-reload",
	    "host", host));
	return request_ok();
}

/*
 * cert-served (httpd): it serves host with a valid certificate.  The
 * first time for a servable domain, its TXT record may be published.
 * Always answered ok: the request comes on httpd's subscription, and
 * what it says is only logged when it cannot be used.
 */
static json_t *
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
	rc = domains_get(pd->db, host + strlen(REQUEST_HOST_PREFIX), &d, err);
	if (rc <= 0) {
		log_debug("cert-served: %s: %s", esc_printable(host), rc < 0 ?
		    err->s : "no such domain");
		buf_reset(err);
		return request_ok();
	}
	if (d.served == 0 && domain_state_servable(d.state) &&
	    json_integer_value(na) > request_now(pd)) {
		if ((rc = domains_set_served(pd->db, d.name, request_now(pd),
		    err)) < 0) {
			log_warn("%s", err->s);
			buf_reset(err);
		} else if (rc > 0) {
			log_info("%s: httpd serves %s with a valid certificate:"
			    " its TXT record may be published", d.name, host);
			request_kick(pd);
		}
	}
	domain_clear(&d);
	return request_ok();
}

/*
 * The subscription message that asks httpd whether it serves host with
 * a valid certificate (it answers with cert-served when it does).
 */
json_t *
request_cert_check_msg(const char *domain)
{
	char *host = request_policy_host(domain);
	json_t *o = json_pack("{s:s, s:s}", "op", "cert-check", "host", host);

	free(host);
	return o;
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

static json_t *
request_challenge_add(struct policyd *pd, json_t *req, struct buf *err)
{
	if (pd->challenges == NULL)
		pd->challenges = challenges_new(CHALLENGES_MAX);
	if (challenges_add(pd->challenges, req, request_now(pd),
	    request_notify_borrowed, pd, err) < 0)
		return NULL;
	return request_ok();
}

static json_t *
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
static json_t *
request_check_result(struct policyd *pd, json_t *req, struct buf *err)
{
	json_t *when = json_object_get(req, "time");
	json_t *next = json_object_get(req, "next");
	json_t *checks = json_object_get(req, "checks");
	struct domain d;
	int rc;

	if (when != NULL && (!json_is_integer(when) ||
	    json_integer_value(when) <= 0)) {
		buf_puts(err, "time: not a positive integer");
		return NULL;
	}
	if (next != NULL && (!json_is_integer(next) ||
	    json_integer_value(next) <= 0)) {
		buf_puts(err, "next: not a positive integer");
		return NULL;
	}
	if (monitor_checks_valid(checks, err) < 0)
		return NULL;
	if (db_begin(pd->db, err) < 0)
		return NULL;
	if ((rc = request_load(pd, req, &d, err)) < 0) {
		db_rollback(pd->db);
		/* Removed while it was checked: nothing to keep. */
		if (strstr(err->s, ": no such domain") != NULL) {
			log_debug("check-result: %s", err->s);
			return json_pack("{s:b, s:b}", "ok", 1, "stored", 0);
		}
		return NULL;
	}
	rc = monitor_store(pd->db, d.name, when ? json_integer_value(when) :
	    request_now(pd), next ? json_integer_value(next) : 0, checks, err);
	if (rc < 0 || request_commit(pd, err) < 0) {
		db_rollback(pd->db);
		domain_clear(&d);
		return NULL;
	}
	log_debug("%s: %zu check results %s", d.name, json_array_size(checks),
	    rc ? "stored" : "older than the stored ones: ignored");
	domain_clear(&d);
	return json_pack("{s:b, s:b}", "ok", 1, "stored", rc);
}

static const struct request_op request_ops[] = {
	{ PROTO_OP_DOMAIN_ADD, 1, request_add },
	{ PROTO_OP_DOMAIN_IMPORT, 1, request_import },
	{ PROTO_OP_DOMAIN_SET, 1, request_set },
	{ PROTO_OP_DOMAIN_DEL, 1, request_del },
	{ PROTO_OP_DOMAIN_LIST, 1, request_list },
	{ PROTO_OP_DOMAIN_SHOW, 1, request_show },
	{ PROTO_OP_DOMAIN_RECORDS, 1, request_records },
	{ PROTO_OP_DOMAIN_CHECK, 1, request_check },
	{ PROTO_OP_DOMAIN_VERIFIED, 0, request_verified },
	{ PROTO_OP_CERT_CHANGED, 0, request_cert_changed },
	{ PROTO_OP_CERT_SERVED, 0, request_cert_served },
	{ PROTO_OP_CHECK_RESULT, 0, request_check_result },
	{ PROTO_OP_CHALLENGE_ADD, 0, request_challenge_add },
	{ PROTO_OP_CHALLENGE_REMOVE, 0, request_challenge_remove },
	{ PROTO_OP_PING, 0, request_ping },
	{ NULL, 0, NULL }
};

json_t *
request_handle(struct policyd *pd, json_t *req, int from_public)
{
	const struct request_op *op;
	struct buf err = BUF_INIT;
	const char *name;
	json_t *reply;

	if (!json_is_object(req) ||
	    (name = json_string_value(json_object_get(req, "op"))) == NULL)
		return request_error("request without an op");
	for (op = request_ops; op->name != NULL; op++)
		if (strcmp(op->name, name) == 0)
			break;
	if (op->name == NULL) {
		buf_printf(&err, "unknown request \"%s\"", name);
		reply = request_error(err.s);
	} else if (from_public && !op->public) {
		buf_printf(&err, "request \"%s\" is not allowed on the public"
		    " socket", name);
		reply = request_error(err.s);
	} else if ((reply = op->handle(pd, req, &err)) == NULL)
		reply = request_error(err.len ? err.s : "internal error");
	request_snap_sync(pd);
	buf_free(&err);
	return reply;
}

/*
 * Bytes that s takes as a JSON string in a snapshot message, at most:
 * quotes, a comma, and the escapes that jansson writes.
 */
static size_t
request_json_len(const char *s, size_t len)
{
	size_t n = len + 3, i;

	for (i = 0; i < len; i++) {
		unsigned char c = (unsigned char)s[i];

		if (c == '"' || c == '\\' || c == '\b' || c == '\f' ||
		    c == '\n' || c == '\r' || c == '\t')
			n += 1;
		else if (c < 0x20 || c == 0x7f)
			n += 5;
	}
	return n;
}

/* The snapshot being built: the current message and its texts. */
struct request_snap {
	void	(*cb)(json_t *, void *);
	void	*arg;
	size_t	 max;			/* bytes per message */
	size_t	 used;			/* of the current one, at most */
	size_t	 count;			/* domains */
	json_t	*texts;			/* distinct policy texts, or NULL */
	struct buf lines;		/* "DOMAIN ID N\n" per domain */
	uint32_t hash[REQUEST_SNAPSHOT_TEXTS];
	struct buf policy;
};

static void
request_snap_flush(struct request_snap *sn)
{
	json_t *msg;

	if (sn->texts == NULL)
		return;
	/* The lines are ASCII (DNS names, digits): no UTF-8 check. */
	msg = json_pack("{s:s, s:o, s:o}", "op", "policies", "texts",
	    sn->texts, "domains", json_stringn_nocheck(sn->lines.s,
	    sn->lines.len));
	if (msg == NULL)
		log_panic("request_snap_flush: cannot build a message");
	sn->cb(msg, sn->arg);
	json_decref(msg);
	sn->texts = NULL;
	buf_reset(&sn->lines);
}

/* Index of the policy text in the current message, or -1. */
static long
request_snap_text(const struct request_snap *sn, uint32_t hash)
{
	const json_t *t;
	size_t i;

	for (i = 0; i < json_array_size(sn->texts); i++) {
		t = json_array_get(sn->texts, i);
		if (sn->hash[i] == hash &&
		    json_string_length(t) == sn->policy.len &&
		    memcmp(json_string_value(t), sn->policy.s,
		    sn->policy.len) == 0)
			return (long)i;
	}
	return -1;
}

/* domains_each_servable(): one domain into the snapshot. */
static void
request_snap_one(const struct domain *d, void *arg)
{
	struct request_snap *sn = arg;
	char num[REQUEST_SNAPSHOT_INDEX];
	size_t len, tlen;
	json_t *text;
	uint32_t hash;
	long k = -1;

	buf_reset(&sn->policy);
	request_render(d, &sn->policy);
	hash = hash_bytes(sn->policy.s, sn->policy.len);
	if (sn->texts != NULL)
		k = request_snap_text(sn, hash);
	/* Names and ids are DNS names and digits: no escapes but "\n". */
	len = strlen(d->name) + strlen(d->policy_id) + REQUEST_SNAPSHOT_INDEX;
	tlen = request_json_len(sn->policy.s, sn->policy.len);
	if (sn->texts != NULL && (sn->used + len + (k < 0 ? tlen : 0) >
	    sn->max || (k < 0 &&
	    json_array_size(sn->texts) == REQUEST_SNAPSHOT_TEXTS))) {
		request_snap_flush(sn);
		k = -1;
	}
	if (k < 0) {
		if ((text = json_stringn(sn->policy.s, sn->policy.len)) == NULL) {
			log_error("%s: snapshot: policy is not UTF-8; not sent",
			    d->name);
			return;
		}
		if (sn->texts == NULL) {
			sn->texts = json_array();
			sn->used = REQUEST_SNAPSHOT_HEAD;
		}
		k = (long)json_array_size(sn->texts);
		sn->hash[k] = hash;
		json_array_append_new(sn->texts, text);
		sn->used += tlen;
	}
	snprintf(num, sizeof(num), " %ld\n", k);
	buf_puts(&sn->lines, d->name);
	buf_putc(&sn->lines, ' ');
	buf_puts(&sn->lines, d->policy_id);
	buf_puts(&sn->lines, num);
	sn->used += len;
	sn->count++;
}

/*
 * The snapshot: {"op":"policies","texts":[POLICY, ...],"domains":
 * "DOMAIN ID N\n..."}: a line per servable domain, N the index of its
 * policy text in "texts" of the same message (domains that have the
 * same policy share it), as many domains per message as fit in
 * pd->snapshot_size bytes (REQUEST_SNAPSHOT_SIZE when 0), at least one.
 * One string of lines costs a fraction of a JSON value per domain to
 * build, encode and parse, and hosted domains often have the same
 * policy (the same mail provider, mode and max_age).
 */
size_t
request_snapshot(struct policyd *pd, void (*cb)(json_t *, void *), void *arg)
{
	struct request_snap sn;
	struct buf err = BUF_INIT;

	memset(&sn, 0, sizeof(sn));
	sn.cb = cb;
	sn.arg = arg;
	sn.max = pd->snapshot_size ? pd->snapshot_size : REQUEST_SNAPSHOT_SIZE;
	if (domains_each_servable(pd->db, request_snap_one, &sn, &err) < 0) {
		log_error("snapshot: %s", err.s);
		json_decref(sn.texts);
		buf_free(&sn.lines);
		buf_free(&sn.policy);
		buf_free(&err);
		return 0;
	}
	request_snap_flush(&sn);
	buf_free(&sn.lines);
	buf_free(&sn.policy);
	return sn.count;
}

int
request_expire(struct policyd *pd, long long now)
{
	struct buf err = BUF_INIT;
	struct domain *v;
	size_t n, i;

	if (db_begin(pd->db, &err) < 0)
		goto fail;
	if (domains_expired(pd->db, now, &v, &n, &err) < 0) {
		db_rollback(pd->db);
		goto fail;
	}
	for (i = 0; i < n; i++) {
		if (domains_delete(pd->db, v[i].name, &err) < 0 ||
		    request_queue(pd, v[i].name, NULL, &err) < 0) {
			db_rollback(pd->db);
			domains_free(v, n);
			goto fail;
		}
	}
	if (request_commit(pd, &err) < 0) {
		domains_free(v, n);
		goto fail;
	}
	for (i = 0; i < n; i++) {
		request_notify_withdraw(pd, v[i].name);
		log_info("%s: policy id %s: retirement complete; domain removed",
		    v[i].name, v[i].policy_id);
	}
	if (n > 0)
		request_kick(pd);
	request_snap_sync(pd);
	domains_free(v, n);
	buf_free(&err);
	return (int)n;
fail:
	log_error("expire retired domains: %s", err.s);
	buf_free(&err);
	return -1;
}

size_t
request_cert_asks(struct policyd *pd, void (*cb)(json_t *, void *), void *arg)
{
	struct buf err = BUF_INIT;
	char **v;
	size_t n = 0, i;
	json_t *msg;

	if (domains_waiting(pd->db, REQUEST_ASK_MAX, &v, &n, &err) < 0) {
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

/* The compaction being written. */
struct request_snap_write {
	struct policyd *pd;
	long long n;
};

/* domains_each_servable(): one domain into the new base. */
static void
request_snap_write_one(const struct domain *d, void *arg)
{
	struct request_snap_write *sw = arg;
	struct buf policy = BUF_INIT;

	request_render(d, &policy);
	if (polsnap_compact_put(sw->pd->snap, d->name, d->policy_id, policy.s,
	    policy.len) < 0)
		log_error("%s: policy id %s: not a name, an id or a policy that"
		    " the snapshot file takes; left out of it", d->name,
		    d->policy_id);
	else
		sw->n++;
	buf_free(&policy);
}

/*
 * A new base of the snapshot file from policy.db, and an empty journal
 * (polsnap.h); the number of domains, or -1.
 */
long long
request_snapshot_write(struct policyd *pd, struct buf *err)
{
	struct request_snap_write sw = { pd, 0 };

	if (pd->snap == NULL)
		return 0;
	/* Said by the caller: the appends that fail until then are not. */
	pd->snap_failed = 1;
	if (polsnap_compact_begin(pd->snap, err) < 0)
		return -1;
	if (domains_each_servable(pd->db, request_snap_write_one, &sw,
	    err) < 0) {
		polsnap_compact_abort(pd->snap);
		return -1;
	}
	if (polsnap_compact_end(pd->snap, err) < 0)
		return -1;
	pd->snap_failed = 0;
	return sw.n;
}
