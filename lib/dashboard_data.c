/*
 * dashboard_data - what the HTML report pages show, gathered: the
 * domains from policyd (a page of the overview, or one domain) with
 * acmed's certificate of each, reports.db opened for the pages, and a
 * domain's readiness; see dashboard.h.
 * SPDX-License-Identifier: ISC
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "buf.h"
#include "certstore.h"
#include "dashboard.h"
#include "esc.h"
#include "ipc.h"
#include "mymalloc.h"
#include "params.h"
#include "plural.h"
#include "policyc.h"
#include "proto.h"
#include "rptdb.h"
#include "rptsum.h"

/*
 * From policyd.
 */
/* acmed's certificate of mta-sts.DOMAIN into each domain, as "cert". */
void
dashboard_add_certs(json_t *domains)
{
	struct buf err = BUF_INIT;
	json_t *state = NULL, *d, *c;
	const char *host;
	size_t i;

	(void)certstore_state_read(&state, &err);
	json_array_foreach(domains, i, d) {
		host = json_string_value(json_object_get(d, "policy_host"));
		c = host && json_is_object(state) ?
		    json_object_get(state, host) : NULL;
		if (json_is_object(c))
			json_object_set(d, "cert", c);
	}
	json_decref(state);
	buf_free(&err);
}

static int
dash_connect(struct policyc *c, const char *socket_path, struct buf *err)
{
	return policyc_open(c, socket_path,
	    (int)(var_ipc_timeout * 1000), err);
}

/*
 * The walk of dashboard_domains_page(): skips the domains of the pages
 * before, keeps the page's, and stops at the first after it.
 */
struct dash_walk {
	long long skip;			/* domains before the page */
	long long seen;			/* domains listed so far */
	size_t	 size;
	json_t	*names;			/* the page's */
	int	 more;			/* a domain follows the page */
};

static int
dash_walk_page(json_t *domains, void *arg, struct buf *err)
{
	struct dash_walk *w = arg;
	json_t *d;
	size_t i;

	(void)err;
	json_array_foreach(domains, i, d) {
		if (w->seen++ < w->skip)
			continue;
		if (json_array_size(w->names) == w->size) {
			w->more = 1;
			return -1;	/* stop: the page is full */
		}
		json_array_append(w->names, json_object_get(d, "domain"));
	}
	return 0;
}

/* A page of names: domain-show of each, or NULL with err. */
static json_t *
dash_show_all(struct policyc *c, json_t *names, struct buf *err)
{
	json_t *domains = json_array(), *show, *n;
	size_t i;

	json_array_foreach(names, i, n) {
		if ((show = policyc_domain_show(policyc_call, c,
		    json_string_value(n), err)) == NULL) {
			json_decref(domains);
			return NULL;
		}
		json_array_append_new(domains, show);
	}
	return domains;
}

json_t *
dashboard_domains_page(const char *socket_path, long long page,
    const char *after, int size, int *more, struct buf *err)
{
	struct dash_walk w;
	struct policyc c;
	json_t *domains = NULL;
	int rc;

	if (page < 1 || page > DASHBOARD_PAGE_MAX || size < 1) {
		buf_printf(err, "page %lld: expected a page number from 1 to"
		    " %d", page, DASHBOARD_PAGE_MAX);
		return NULL;
	}
	memset(&w, 0, sizeof(w));
	/* A cursor: the names after it, none walked. */
	w.skip = after ? 0 : (page - 1) * (long long)size;
	w.size = (size_t)size;
	w.names = json_array();
	if (dash_connect(&c, socket_path, err) < 0) {
		json_decref(w.names);
		return NULL;
	}
	rc = policyc_domain_pages_from(policyc_call, &c, after,
	    dash_walk_page, &w, err);
	if (rc == 0 || w.more) {
		if (after != NULL && json_array_size(w.names) == 0) {
			buf_printf(err, "page %lld is past the last page (no"
			    " domain after ", page);
			esc_text(err, after);
			buf_puts(err, ")");
		} else if (page > 1 && json_array_size(w.names) == 0)
			buf_printf(err, "page %lld is past the last page (%lld"
			    " %s, %d per page)", page, w.seen, plural(w.seen,
			    "domain", "domains"), size);
		else
			domains = dash_show_all(&c, w.names, err);
	}
	policyc_close(&c);
	json_decref(w.names);
	if (domains == NULL)
		return NULL;
	*more = w.more;
	dashboard_add_certs(domains);
	return domains;
}

/*
 * The names of the size domains just before "before", in name order:
 * domain-list before a cursor gives the nearest ones; while more are
 * needed and more come before ("prev"), asked again before the first.
 */
static json_t *
dash_names_before(struct policyc *c, const char *before, size_t size,
    struct buf *err)
{
	json_t *names = json_array(), *req, *reply, *domains, *more;
	char *cursor = xstrdup(before);
	const char *name, *last;
	size_t n, take, i;
	long pages;

	for (pages = 1; names != NULL && json_array_size(names) < size;
	    pages++) {
		req = ipc_request(PROTO_OP_DOMAIN_LIST);
		json_object_set_new(req, "before", json_string(cursor));
		if (pages > POLICYC_PAGES_MAX ||
		    (reply = policyc_call(req, c, err)) == NULL) {
			if (pages > POLICYC_PAGES_MAX) {
				json_decref(req);
				buf_printf(err, "%s: more than %d pages",
				    PROTO_OP_DOMAIN_LIST, POLICYC_PAGES_MAX);
			}
			json_decref(names);
			names = NULL;
			break;
		}
		domains = json_object_get(reply, "domains");
		n = json_array_size(domains);
		/* In name order, each before the cursor. */
		for (i = 0, last = ""; i < n; i++, last = name) {
			name = ipc_str(json_array_get(domains, i), "domain");
			if (strcmp(name, last) <= 0 || strcmp(name, cursor) >= 0)
				break;
		}
		if (!json_is_array(domains) || i < n) {
			buf_printf(err, "%s: reply before %s out of order",
			    PROTO_OP_DOMAIN_LIST, esc_printable(cursor));
			json_decref(reply);
			json_decref(names);
			names = NULL;
			break;
		}
		take = size - json_array_size(names);
		if (take > n)
			take = n;
		for (i = 0; i < take; i++)
			json_array_insert(names, 0, json_object_get(
			    json_array_get(domains, n - 1 - i), "domain"));
		more = json_object_get(reply, "prev");
		free(cursor);
		cursor = n > 0 && json_is_string(more) ?
		    xstrdup(ipc_str(json_array_get(domains, 0), "domain")) :
		    NULL;
		json_decref(reply);
		if (cursor == NULL)
			break;
	}
	free(cursor);
	return names;
}

json_t *
dashboard_domains_before(const char *socket_path, long long page,
    const char *before, int size, struct buf *err)
{
	struct policyc c;
	json_t *names, *domains = NULL;

	if (page < 1 || page > DASHBOARD_PAGE_MAX || size < 1) {
		buf_printf(err, "page %lld: expected a page number from 1 to"
		    " %d", page, DASHBOARD_PAGE_MAX);
		return NULL;
	}
	if (dash_connect(&c, socket_path, err) < 0)
		return NULL;
	if ((names = dash_names_before(&c, before, (size_t)size, err)) ==
	    NULL) {
		policyc_close(&c);
		return NULL;
	}
	if (json_array_size(names) == 0) {
		buf_printf(err, "page %lld is before the first page (no domain"
		    " before ", page);
		esc_text(err, before);
		buf_puts(err, ")");
	} else
		domains = dash_show_all(&c, names, err);
	policyc_close(&c);
	json_decref(names);
	if (domains != NULL)
		dashboard_add_certs(domains);
	return domains;
}

json_t *
dashboard_domain(const char *socket_path, const char *name, struct buf *err)
{
	struct policyc c;
	json_t *domains, *show, *n = json_string(name);

	if (n == NULL) {
		buf_puts(err, "domain name is not UTF-8");
		return NULL;
	}
	json_decref(n);
	if (dash_connect(&c, socket_path, err) < 0)
		return NULL;
	show = policyc_domain_show(policyc_call, &c, name, err);
	policyc_close(&c);
	if (show == NULL)
		return NULL;
	domains = json_array();
	json_array_append_new(domains, show);
	dashboard_add_certs(domains);
	return domains;
}

struct rptdb *
dashboard_reports_open(struct buf *err)
{
	char *path = xasprintf("%s/%s", var_data_directory,
	    RPTDB_FILE);
	struct rptdb *db = NULL;

	if ((db = rptdb_open_existing(path, err)) != NULL)
		/* A page reads each domain's rows several times. */
		rptdb_pages_tune(db);
	free(path);
	return db;
}

json_t *
dashboard_readiness(struct rptdb *reports, json_t *domain, int days,
    int major_share, time_t now)
{
	struct rptsum_rule rule;
	const char *name = json_string_value(json_object_get(domain, "domain"));
	const char *mode = json_string_value(json_object_get(domain, "mode"));

	rule.days = days > 0 ? days : DASHBOARD_READY_DAYS;
	rule.major_share = major_share > 0 ? major_share :
	    DASHBOARD_MAJOR_SHARE;
	if (reports == NULL) {
		if (mode != NULL && strcmp(mode, "enforce") == 0)
			return json_pack("{s:s, s:s, s:s, s:s, s:i}", "domain",
			    name ? name : "", "verdict", "enforced", "text",
			    "already in mode enforce", "reason",
			    "mode is enforce", "days", rule.days);
		return json_pack("{s:s, s:s, s:s, s:s, s:i}", "domain",
		    name ? name : "", "verdict", "not-yet", "text",
		    "not yet: no reports stored yet (no reports.db)", "reason",
		    "no reports stored yet", "days", rule.days);
	}
	return rptsum_readiness(reports, name ? name : "", mode, &rule, now);
}
