/*
 * request - policyd's request handlers: the dispatch table and what
 * the handlers share; see request.h and request_ops.h.
 * SPDX-License-Identifier: ISC
 *
 * Each handler checks its whole request before it touches policy.db,
 * then makes its change inside one transaction (BEGIN IMMEDIATE), so a
 * refused request leaves nothing behind.  Policy ids come from
 * lib/policy (policy_id_at: greater than the greatest id the name was
 * ever given, kept by policydb_name_put), policy text from
 * policy_render, checks of names and mx patterns from lib/dnsname.
 * Every time a testing or enforce policy stops being served, the end of
 * senders' caches of it is kept by policydb_name_put too: that is how
 * long a retirement lasts.  What DNS must publish is queued
 * (policydb_publish_want) inside the same transaction as the change,
 * and pd->publish is called only after the subscribers were told.  The
 * handlers are in request_domain.c and request_check.c, the snapshot
 * in request_snapshot.c.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <openssl/rand.h>

#include "buf.h"
#include "dnsname.h"
#include "log.h"
#include "mymalloc.h"
#include "policy.h"
#include "policydb.h"
#include "proto.h"
#include "publish.h"
#include "request.h"
#include "request_ops.h"

#define REQUEST_TOKEN_BYTES	16	/* ownership token: 128 random bits */

struct request_op {
	const char *name;
	int	public;		/* allowed on the public socket */
	request_op_fn *handle;
};

/* The clock: pd->now when a test sets it, else time(). */
long long
request_now(const struct policyd *pd)
{
	return pd->now != NULL ? pd->now() : (long long)time(NULL);
}

/*
 * Replies.
 */
json_t *
request_error(const char *text)
{
	return json_pack("{s:b, s:s}", "ok", 0, "error", text);
}

json_t *
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

void
request_render(const struct domain *d, struct buf *out)
{
	struct policy p;

	request_policy(d, &p);
	policy_render(&p, out);
}

/* The whole policy of d, as it would be served, before it is stored. */
int
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
long long
request_cache_end(const struct domain *d, long long now)
{
	if (d->state != DOMAIN_ACTIVE || strcmp(d->mode, "none") == 0)
		return 0;
	return now + d->max_age;
}

/*
 * A new id for d, greater than every id its name was ever given (in
 * policy.db's history of names, kept across removals), so that no
 * sender holding an earlier policy of the name takes the new one for
 * it (RFC 8461 section 3.1), whatever the clock did; stored with until,
 * the end of the caches of the policy d served so far
 * (request_cache_end).
 * Inside the caller's transaction, under the lock of the name's row
 * (policydb_name_lock): of two policyd processes on one PostgreSQL
 * database that change the name at once, the second waits for the
 * first's commit and makes its id from the first's, so ids grow
 * whatever either node's clock says.
 */
int
request_new_id(struct policyd *pd, struct domain *d, long long until,
    struct buf *err)
{
	char id[POLICY_ID_MAX + 1], *last;
	const char *prev = d->policy_id;
	long long cached;

	if (policydb_name_lock(pd->db, d->name, &last, &cached, err) < 0)
		return -1;
	if (last != NULL && (prev == NULL || strcmp(last, prev) > 0))
		prev = last;
	policy_id_at(id, prev, (time_t)request_now(pd));
	free(last);
	free(d->policy_id);
	d->policy_id = xstrdup(id);
	return policydb_name_put(pd->db, d->name, id, until, err);
}

char *
request_token(void)
{
	static const char hex[] = "0123456789abcdef";
	unsigned char raw[REQUEST_TOKEN_BYTES];
	char *t = xmalloc(2 * sizeof(raw) + 1);
	size_t i;

	if (RAND_bytes(raw, sizeof(raw)) != 1)
		log_fatal("cannot get random bytes for an ownership token");
	/* Not buf_printf: an import of 10^6 domains makes 10^6 tokens. */
	for (i = 0; i < sizeof(raw); i++) {
		t[2 * i] = hex[raw[i] >> 4];
		t[2 * i + 1] = hex[raw[i] & 0x0f];
	}
	t[2 * sizeof(raw)] = '\0';
	return t;
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

char *
request_policy_host(const char *domain)
{
	return xasprintf("mta-sts.%s", domain);
}

/*
 * What d's TXT record waits for, or NULL: a servable domain waits until
 * httpd served it with a valid certificate (RFC 8461 section 8.1); a
 * pending one, whose policy no one serves, first for dnsmon's proof.
 */
char *
request_waiting(const struct domain *d)
{
	if (d->state == DOMAIN_PENDING)
		return xasprintf(REQUEST_WAIT_VERIFY, d->name, d->name);
	if (!policydb_state_servable(d->state) || d->served != 0)
		return NULL;
	return xasprintf(REQUEST_WAIT_CERT, d->name);
}

json_t *
request_domain_json(const struct domain *d)
{
	struct buf policy = BUF_INIT;
	char *host = request_policy_host(d->name);
	json_t *o;

	request_render(d, &policy);
	o = json_pack("{s:s, s:s, s:s, s:o, s:I, s:s, s:s, s:s, s:s,"
	    " s:I, s:I, s:o}",
	    "domain", d->name,
	    "state", policydb_state_name(d->state),
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

json_t *
request_domain_reply(const struct domain *d)
{
	return json_pack("{s:b, s:o}", "ok", 1, "domain", request_domain_json(d));
}

/* The subscription message that makes httpd serve d with policy. */
json_t *
request_policy_msg(const struct domain *d, const struct buf *policy)
{
	char *host = request_policy_host(d->name);
	json_t *o;

	o = json_pack("{s:s, s:s, s:s, s:s, s:s}", "op", PROTO_OP_POLICY,
	    "host", host, "domain", d->name, "id", d->policy_id,
	    "policy", policy->s);
	free(host);
	return o;
}

void
request_notify(struct policyd *pd, json_t *msg)
{
	if (pd->notify != NULL)
		pd->notify(msg, pd->notify_arg);
	json_decref(msg);
}

/*
 * DNS publication: queue what the service zone must say for domain
 * (id NULL: nothing), inside the caller's transaction; kick the
 * publisher after the commit and after subscribers were told.
 */
int
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
	rc = policydb_publish_want(pd->db, domain, id, rua ? rua : "",
	    request_now(pd), err);
	free(rua);
	return rc;
}

void
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
int
request_check_now(struct policyd *pd, const char *domain)
{
	if (pd->check_now == NULL)
		return 0;
	return pd->check_now(domain, pd->check_now_arg) == 0;
}

/* A domain became active: acmed gets its certificate now (pd->cert_now). */
void
request_cert_now(struct policyd *pd, const char *domain)
{
	if (pd->cert_now != NULL)
		pd->cert_now(domain, pd->cert_now_arg);
}

/*
 * req.domain: with strict, a domain stsd can host (lib/dnsname, with
 * the names of sts_zone); else the grammar alone, to find a domain
 * stored before those rules.  Lower case, without the trailing dot.
 */
int
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

int
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

int
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
int
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
	xfreev(mx, n);
	return -1;
}


/*
 * Loads the domain named by req into d; -1 with err when it is not
 * there.  In a transaction (locked), its row stays locked until the end
 * (policydb_domain_lock: on PostgreSQL, another node's change of the
 * domain waits for this one, and then reads what it wrote).
 */
static int
request_load_row(struct policyd *pd, json_t *req, struct domain *d,
    int locked, struct buf *err)
{
	char *name;
	int rc;

	if (request_domain_name(pd, req, 0, &name, err) < 0)
		return -1;
	rc = locked ? policydb_domain_lock(pd->db, name, d, err) :
	    policydb_domain_get(pd->db, name, d, err);
	if (rc == 0)
		buf_printf(err, "%s: no such domain", name);
	free(name);
	return rc == 1 ? 0 : -1;
}

int
request_load(struct policyd *pd, json_t *req, struct domain *d,
    struct buf *err)
{
	return request_load_row(pd, req, d, 0, err);
}

/*
 * Opens the transaction of a change and loads its domain into d; -1
 * with err, and no transaction left open, when either fails.
 */
int
request_begin_load(struct policyd *pd, json_t *req, struct domain *d,
    struct buf *err)
{
	if (policydb_begin(pd->db, err) < 0)
		return -1;
	if (request_load_row(pd, req, d, 1, err) < 0) {
		policydb_rollback(pd->db);
		return -1;
	}
	return 0;
}

int
request_commit(struct policyd *pd, struct buf *err)
{
	if (policydb_commit(pd->db, err) < 0) {
		policydb_rollback(pd->db);
		return -1;
	}
	return 0;
}

char *
request_join(char **v, size_t n)
{
	struct buf b = BUF_INIT;
	size_t i;

	for (i = 0; i < n; i++)
		buf_printf(&b, "%s%s", i ? " " : "", v[i]);
	return buf_steal(&b);
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
	{ PROTO_OP_DOMAIN_MIGRATE, 1, request_migrate },
	{ PROTO_OP_ACCOUNT_ADD, 1, request_account_add },
	{ PROTO_OP_ACCOUNT_SET, 1, request_account_set },
	{ PROTO_OP_ACCOUNT_DEL, 1, request_account_del },
	{ PROTO_OP_ACCOUNT_LIST, 1, request_account_list },
	{ PROTO_OP_ACCOUNT_SHOW, 1, request_account_show },
	{ PROTO_OP_TOKEN_NEW, 1, request_token_new },
	{ PROTO_OP_TOKEN_REVOKE, 1, request_token_revoke },
	{ PROTO_OP_TOKEN_LIST, 1, request_token_list },
	{ PROTO_OP_AUDIT_LIST, 1, request_audit_list },
	{ PROTO_OP_ALERT_ADD, 1, request_alert_add },
	{ PROTO_OP_ALERT_LIST, 1, request_alert_list },
	{ PROTO_OP_ALERT_DEL, 1, request_alert_del },
	{ PROTO_OP_NODE_LIST, 1, request_node_list },
	{ PROTO_OP_ACCOUNT_AUTH, 0, request_account_auth },
	{ PROTO_OP_TOKEN_AUTH, 0, request_token_auth },
	{ PROTO_OP_DOMAIN_VERIFIED, 0, request_verified },
	{ PROTO_OP_CERT_CHANGED, 0, request_cert_changed },
	{ PROTO_OP_CERT_SERVED, 0, request_cert_served },
	{ PROTO_OP_CHECK_RESULT, 0, request_check_result },
	{ PROTO_OP_CHALLENGE_ADD, 0, request_challenge_add },
	{ PROTO_OP_CHALLENGE_REMOVE, 0, request_challenge_remove },
	{ PROTO_OP_PING, 0, request_ping },
	{ PROTO_OP_LEASE, 0, request_lease },
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
	} else if (request_caller(pd, req, from_public, &err) < 0)
		reply = request_error(err.s);
	else if ((reply = request_owner_handle(pd, op->name, op->handle, req,
	    &err)) == NULL)
		reply = request_error(err.len ? err.s : "internal error");
	request_snap_sync(pd);
	buf_free(&err);
	return reply;
}
