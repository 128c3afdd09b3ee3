/*
 * report_pages - webd's HTML pages of a domain's TLS reports: the
 * dashboard of "stsctl report html" (lib/dashboard), the paged list of
 * reports, one report, and the exports; see domreports.h.
 * SPDX-License-Identifier: ISC
 *
 * DESCRIPTION
 *	Under /domains/NAME, for a signed-in session whose account holds
 *	NAME (scope_has(); any other name, hosted or not, is 404):
 *	/dashboard?days=N	the dashboard of the domain (charts by day,
 *				by result type, by sending organization,
 *				by MX host, the readiness verdict), a
 *				window of N days (30 by default)
 *	/reports?after=C&limit=N	a page of its reports, newest first,
 *				with a link to the next page (cursor C)
 *	/reports/ID		one report as JSON, on a page
 *	/reports/ID.json	the same, as an attachment
 *	/export.csv?days=N, /export.json?days=N	attachments
 *	A report id that is not one of the domain's gets 404, the same
 *	answer as an id that does not exist.  While reports.db cannot be
 *	read (not there yet, or its database cannot be reached or was
 *	lost during the request: domreports.h) every route answers 503
 *	with Retry-After, except one report, 404 while there is no
 *	reports.db yet.
 *
 *	No script; every text that came from a report goes through
 *	html_escape() (lib/html), the charts are lib/svg's, and the
 *	dashboard's style sheet is /dashboard.css (the pages' CSP allows
 *	no inline style).
 */
#include "config.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "buf.h"
#include "dashboard.h"
#include "html.h"
#include "log.h"
#include "domreports.h"
#include "repquery.h"
#include "rptdb.h"
#include "scope.h"
#include "webd.h"
#include "websession.h"

#define RPAGES_PREFIX		"/domains/"
static const int rpages_windows[] = { 7, 30, 90 };	/* dashboard views */

static void	reports_links_only(struct buf *, const char *domain);

/* Links to every view of the domain, and the sign-out button. */
static void
rpages_nav(struct buf *b, const struct session *s, const char *domain)
{
	pages_signout_form(b, s);
	buf_puts(b, "<nav class=\"reports\"><a href=\"/\">Your domains</a> | "
	    "<a href=\"" RPAGES_PREFIX);
	html_escape(b, domain);
	buf_puts(b, "\">");
	html_escape(b, domain);
	buf_puts(b, "</a> | ");
	reports_links_only(b, domain);
	buf_puts(b, "</nav>\n");
}

void
reports_links(struct buf *b, const char *domain)
{
	buf_puts(b, "<nav class=\"reports\">TLS reports: ");
	reports_links_only(b, domain);
	buf_puts(b, "</nav>\n");
}

static void
reports_links_only(struct buf *b, const char *domain)
{
	size_t i;

	buf_puts(b, "dashboard:");
	for (i = 0; i < sizeof(rpages_windows) / sizeof(rpages_windows[0]);
	    i++) {
		buf_printf(b, " <a class=\"dashboard\" href=\"" RPAGES_PREFIX);
		html_escape(b, domain);
		buf_printf(b, "/dashboard?days=%d\">%d days</a>",
		    rpages_windows[i], rpages_windows[i]);
	}
	buf_puts(b, " | <a class=\"report-list\" href=\"" RPAGES_PREFIX);
	html_escape(b, domain);
	buf_puts(b, "/reports\">reports</a> | export <a class=\"export-csv\" "
	    "href=\"" RPAGES_PREFIX);
	html_escape(b, domain);
	buf_puts(b, "/export.csv\">CSV</a> <a class=\"export-json\" href=\""
	    RPAGES_PREFIX);
	html_escape(b, domain);
	buf_puts(b, "/export.json\">JSON</a>");
}

static void
rpages_dashboard(struct webd_req *r, const struct session *s,
    struct scope *sc, const char *domain, const struct repquery *q)
{
	struct dashboard_opts o;
	struct buf b = BUF_INIT, nav = BUF_INIT, err = BUF_INIT;
	struct rptdb *db;
	json_t *doms;
	int rc;

	if ((doms = scope_dashboard(sc, domain, &err)) == NULL) {
		log_warn("%s: dashboard of %s for %s: %s", r->client, domain,
		    s->account, err.s ? err.s : "not the account's");
		webd_text(r, 503, NULL, "the domain is not available now");
		buf_free(&err);
		return;
	}
	if ((db = reports_db()) == NULL && reports_unreachable()) {
		reports_unavailable(r, 0);
		json_decref(doms);
		return;
	}
	rpages_nav(&nav, s, domain);
	memset(&o, 0, sizeof(o));
	o.domain = domain;
	o.days = q->days ? q->days : REPORTS_DAYS;
	o.now = r->now;
	o.style_href = "/dashboard.css";
	o.nav_html = nav.s;
	rc = dashboard_html(&b, db, doms, &o, &err);
	if (reports_lost())
		reports_unavailable(r, 0);
	else if (rc != 0) {
		log_warn("%s: dashboard of %s: %s", r->client, domain, err.s);
		webd_text(r, 503, NULL, "the dashboard is not available now");
	} else
		webd_answer(r, 200, "text/html; charset=utf-8", NULL, b.s,
		    b.len);
	json_decref(doms);
	buf_free(&b);
	buf_free(&nav);
	buf_free(&err);
}

static void
rpages_cell(struct buf *b, json_t *row, const char *key)
{
	buf_puts(b, "<td>");
	html_escape(b, json_string_value(json_object_get(row, key)));
	buf_puts(b, "</td>");
}

static void
rpages_row(struct buf *b, const char *domain, json_t *row)
{
	long long id = (long long)json_integer_value(json_object_get(row,
	    "id"));

	buf_printf(b, "<tr class=\"report\" data-report=\"%lld\"><td><a href=\""
	    RPAGES_PREFIX, id);
	html_escape(b, domain);
	buf_printf(b, "/reports/%lld\">%lld</a></td>", id, id);
	rpages_cell(b, row, "organization-name");
	rpages_cell(b, row, "report-id");
	rpages_cell(b, row, "start-datetime");
	rpages_cell(b, row, "end-datetime");
	rpages_cell(b, row, "via");
	buf_printf(b, "<td>%s</td><td class=\"num\">%lld</td>"
	    "<td class=\"num\">%lld</td></tr>\n",
	    json_is_true(json_object_get(row, "counts")) ? "yes" :
	    "no: unverified",
	    (long long)json_integer_value(json_object_get(row, "successful")),
	    (long long)json_integer_value(json_object_get(row, "failed")));
}

static void
rpages_list(struct webd_req *r, const struct session *s, const char *domain,
    const struct repquery *q)
{
	struct buf b = BUF_INIT;
	struct rptdb_cursor next;
	struct rptdb *db = reports_db();
	char cur[REPQUERY_CURSOR_MAX];
	json_t *a, *row;
	size_t i;

	if (db == NULL) {
		reports_unavailable(r, 0);
		return;
	}
	a = reports_page(db, domain, q, &next);
	if (reports_lost()) {
		json_decref(a);
		reports_unavailable(r, 0);
		return;
	}
	pages_start(&b, domain);
	buf_puts(&b, "<h1>TLS reports: ");
	html_escape(&b, domain);
	buf_puts(&b, "</h1>\n");
	rpages_nav(&b, s, domain);
	if (json_array_size(a) == 0)
		buf_puts(&b, "<p class=\"no-reports\">No reports.</p>\n");
	else {
		buf_puts(&b, "<table class=\"reports\"><thead><tr><th>report"
		    "</th><th>sender</th><th>report id</th><th>start</th>"
		    "<th>end</th><th>via</th><th>counts</th><th>successful"
		    "</th><th>failed</th></tr></thead><tbody>\n");
		json_array_foreach(a, i, row)
			rpages_row(&b, domain, row);
		buf_puts(&b, "</tbody></table>\n");
	}
	if (next.more) {
		repquery_cursor(&next, cur, sizeof(cur));
		buf_puts(&b, "<p><a class=\"page-next\" rel=\"next\" href=\""
		    RPAGES_PREFIX);
		html_escape(&b, domain);
		buf_printf(&b, "/reports?after=%s&amp;limit=%d\">older "
		    "reports</a></p>\n", cur, q->limit);
	}
	pages_html(r, 200, NULL, &b);
	json_decref(a);
	buf_free(&b);
}

static void
rpages_one(struct webd_req *r, const struct session *s, const char *domain,
    int64_t id, int download)
{
	struct buf b = BUF_INIT, f = BUF_INIT;
	struct rptdb *db = reports_db();
	char what[64];
	json_t *j;
	char *text;

	if (db == NULL && reports_unreachable()) {
		reports_unavailable(r, 0);
		return;
	}
	j = db != NULL ? reports_one(db, domain, id) : NULL;
	if (reports_lost()) {
		json_decref(j);
		reports_unavailable(r, 0);
		return;
	}
	if (j == NULL) {
		webd_text(r, 404, NULL, "no such report");
		return;
	}
	if ((text = json_dumps(j, JSON_INDENT(2) | JSON_ENSURE_ASCII)) ==
	    NULL) {
		log_warn("%s: report %lld of %s: cannot make its JSON",
		    r->client, (long long)id, domain);
		webd_text(r, 503, NULL, "the report is not available now");
	} else if (download) {
		snprintf(what, sizeof(what), "report-%lld.json", (long long)id);
		reports_attachment(&f, domain, what);
		webd_answer(r, 200, "application/json", f.s, text,
		    strlen(text));
	} else {
		pages_start(&b, domain);
		buf_printf(&b, "<h1>TLS report %lld of ", (long long)id);
		html_escape(&b, domain);
		buf_puts(&b, "</h1>\n");
		rpages_nav(&b, s, domain);
		buf_puts(&b, "<p><a class=\"report-json\" href=\"" RPAGES_PREFIX);
		html_escape(&b, domain);
		buf_printf(&b, "/reports/%lld.json\">download as JSON</a></p>\n"
		    "<pre class=\"report\">", (long long)id);
		html_escape(&b, text);
		buf_puts(&b, "</pre>\n");
		pages_html(r, 200, NULL, &b);
	}
	free(text);
	json_decref(j);
	buf_free(&b);
	buf_free(&f);
}

static void
rpages_export(struct webd_req *r, const char *domain,
    const struct repquery *q, int csv)
{
	struct buf err = BUF_INIT;
	struct rptdb *db = reports_db();
	int rc;

	if (db == NULL) {
		reports_unavailable(r, 0);
		return;
	}
	rc = reports_send_export(r, db, domain, q->days ? q->days :
	    REPORTS_DAYS, csv, &err);
	if (rc == -2)
		reports_unavailable(r, 0);
	else if (rc < 0)
		webd_text(r, 413, NULL, err.s);
	buf_free(&err);
}

void
reports_route_page(struct webd_req *r, struct session *s, struct scope *sc,
    const char *name, const char *rest)
{
	char domain[HTTP_HOST_MAX + 1];
	struct buf err = BUF_INIT;
	enum reports_sub sub;
	struct repquery q;
	int64_t id = 0;

	if (!scope_has(sc, name, domain) || reports_sub(rest, &sub, &id) < 0 ||
	    sub == REPORTS_SUMMARY) {
		webd_text(r, 404, NULL, "not found");
		return;
	}
	if (reports_query(r, &q, &err) < 0) {
		webd_text(r, 400, NULL, err.s);
		buf_free(&err);
		return;
	}
	switch (sub) {
	case REPORTS_DASHBOARD:
		rpages_dashboard(r, s, sc, domain, &q);
		break;
	case REPORTS_LIST:
		rpages_list(r, s, domain, &q);
		break;
	case REPORTS_ONE:
	case REPORTS_ONE_JSON:
		rpages_one(r, s, domain, id, sub == REPORTS_ONE_JSON);
		break;
	case REPORTS_CSV:
	case REPORTS_JSON:
		rpages_export(r, domain, &q, sub == REPORTS_CSV);
		break;
	default:
		webd_text(r, 404, NULL, "not found");
	}
}
