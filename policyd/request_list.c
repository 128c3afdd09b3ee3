/*
 * request_list - the domain-list and domain-show requests of stsctl,
 * the dashboard, dnsmon and webd; see request.h.
 * SPDX-License-Identifier: ISC
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "dnsname.h"
#include "log.h"
#include "monitor.h"
#include "mymalloc.h"
#include "policydb.h"
#include "publish.h"
#include "request.h"
#include "request_ops.h"

/*
 * A page of domains after req.after: at most REQUEST_LIST_PAGE, and
 * fewer when the reply would pass pd->reply_limit bytes.  "next" names
 * the last domain of the page when more may follow.  With req.before
 * instead, the domains just before that name, in name order (the page
 * before a cursor): the nearest ones are kept within the limits, and
 * "prev" names the first when more may come before it.
 */
/* A cursor of domain-list: a name that a domain may have. */
static int
request_list_after_ok(const json_t *after)
{
	struct buf why = BUF_INIT;
	int ok = json_is_string(after) &&
	    json_string_length(after) <= DNSNAME_NAME_MAX &&
	    strlen(json_string_value(after)) == json_string_length(after) &&
	    dnsname_syntax(json_string_value(after), 0, &why) == 0;

	buf_free(&why);
	return ok;
}

/* The domains' objects, each with the probe of its migration if any. */
static json_t **
request_list_objects(struct policyd *pd, const struct domain *v, size_t n,
    struct buf *err)
{
	struct policydb_migration *mv = NULL;
	size_t i, mn = 0, mi = 0;
	json_t **o;

	if (policydb_migration_running(pd->db, &mv, &mn, err) < 0)
		return NULL;
	o = xcalloc(n + 1, sizeof(*o));
	for (i = 0; i < n; i++) {
		o[i] = request_domain_json(&v[i]);
		request_owner_proof(pd, &v[i], o[i]);
		/* Both in name order (SQLite's binary collation: strcmp). */
		while (mi < mn && strcmp(mv[mi].domain, v[i].name) < 0)
			mi++;
		if (mi < mn && strcmp(mv[mi].domain, v[i].name) == 0)
			json_object_set_new(o[i], "probe",
			    request_migration_probe(&mv[mi]));
	}
	policydb_migrations_free(mv, mn);
	return o;
}

/* Bytes of o in a reply (0: no limit). */
static size_t
request_list_size(struct policyd *pd, json_t *o)
{
	char *text;
	size_t size;

	if (pd->reply_limit == 0)
		return 0;
	text = json_dumps(o, JSON_COMPACT);
	size = text ? strlen(text) : 0;
	free(text);
	return size;
}

/*
 * The objects o[from..to) that fit pd->reply_limit (at least one): from
 * the first on, or with back from the last back (before a cursor).
 */
static void
request_list_fit(struct policyd *pd, json_t **o, size_t n, int back,
    size_t *from, size_t *to)
{
	size_t total = 0, size, i;

	*from = 0;
	*to = n;
	for (i = 0; i < n; i++) {
		size = request_list_size(pd, o[back ? n - 1 - i : i]);
		if (pd->reply_limit > 0 && i > 0 &&
		    total + size > pd->reply_limit) {
			if (back)
				*from = n - i;
			else
				*to = i;
			return;
		}
		total += size + 1;
	}
}

json_t *
request_list(struct policyd *pd, json_t *req, struct buf *err)
{
	json_t *after = json_object_get(req, "after"), *a, *reply;
	json_t *before = json_object_get(req, "before"), *cursor, **o;
	struct domain *v;
	size_t n, i, from, to;
	int rc;

	cursor = before != NULL ? before : after;
	if (after != NULL && before != NULL) {
		buf_puts(err, "after and before: one cursor at most");
		return NULL;
	}
	if (cursor != NULL && !request_list_after_ok(cursor)) {
		/* Not quoted: it may be any length and any bytes. */
		buf_printf(err, "%s: not a domain name", before ? "before" :
		    "after");
		return NULL;
	}
	rc = before != NULL ? policydb_domain_list_before(pd->db,
	    json_string_value(before), REQUEST_LIST_PAGE, &v, &n, err) :
	    policydb_domain_list(pd->db, json_string_value(after),
	    REQUEST_LIST_PAGE, &v, &n, err);
	if (rc < 0)
		return NULL;
	if ((o = request_list_objects(pd, v, n, err)) == NULL) {
		policydb_domains_free(v, n);
		return NULL;
	}
	request_list_fit(pd, o, n, before != NULL, &from, &to);
	a = json_array();
	for (i = 0; i < n; i++) {
		if (i >= from && i < to)
			json_array_append(a, o[i]);
		json_decref(o[i]);
	}
	free(o);
	reply = json_pack("{s:b, s:o}", "ok", 1, "domains", a);
	if (before != NULL && (from > 0 || n == REQUEST_LIST_PAGE))
		json_object_set_new(reply, "prev", json_string(v[from].name));
	else if (before == NULL && (to < n || n == REQUEST_LIST_PAGE))
		json_object_set_new(reply, "next", json_string(v[to - 1].name));
	policydb_domains_free(v, n);
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

/* Its MX migration plan, or null; the hosts dnsmon probes for it. */
static void
request_show_migration(struct policyd *pd, const struct domain *d,
    json_t *o)
{
	struct policydb_migration m;
	struct buf err = BUF_INIT;

	if (policydb_migration_get(pd->db, d->name, &m, &err) <= 0) {
		if (err.len)
			log_warn("%s", err.s);
		buf_free(&err);
		json_object_set_new(o, "migration", json_null());
		return;
	}
	json_object_set_new(o, "migration", request_migration_json(&m));
	json_object_set_new(o, "probe", request_migration_probe(&m));
	policydb_migration_clear(&m);
}

json_t *
request_show(struct policyd *pd, json_t *req, struct buf *err)
{
	struct domain d;
	json_t *reply;

	if (request_load(pd, req, &d, err) < 0)
		return NULL;
	reply = request_domain_reply(&d);
	request_owner_proof(pd, &d, json_object_get(reply, "domain"));
	request_show_monitor(pd, &d, json_object_get(reply, "domain"));
	request_show_migration(pd, &d, json_object_get(reply, "domain"));
	policydb_domain_clear(&d);
	return reply;
}
