/*
 * lib/dashboard - the HTML report pages; see dashboard.h.
 * SPDX-License-Identifier: ISC
 *
 * A page is one self-contained file: inline CSS, inline SVG (lib/svg,
 * the charts in dashboard_charts.c), no script.  The numbers come from
 * lib/rptsum, the same code as "stsctl report summary"; the domain
 * facts from policyd (domain-list and domain-show over one connection)
 * and acmed's state file, gathered by dashboard_data.c.  Every string that did not come from this
 * file goes through html_escape().
 *
 * Touches: policyd's socket (dashboard_domains), reports.db read-only,
 * acmed's state file read-only (lib/certstore.h).
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "buf.h"
#include "certstore.h"
#include "cfg.h"
#include "dashboard.h"
#include "dashboard_page.h"
#include "fetchdb.h"
#include "html.h"
#include "ipc.h"
#include "mymalloc.h"
#include "params.h"
#include "policyc.h"
#include "rptdb.h"
#include "plural.h"
#include "rptsum.h"
#include "svg.h"
#include "timefmt.h"
#include "tlsrpt.h"

#define DASHBOARD_CERT_WARN	(21 * RPTSUM_DAY)	/* expiry soon */
#define DASHBOARD_DAYS_MAX	3660

static const char dashboard_css_text[] =
	"body{font:14px/1.4 system-ui,sans-serif;margin:1.5em;color:#222;"
	"max-width:1100px}"
	"h1{font-size:1.5em}h2{font-size:1.25em;border-bottom:1px solid #ccc;"
	"padding-bottom:.2em;margin-top:2em}h3{font-size:1.05em}"
	"table{border-collapse:collapse}td,th{padding:.2em .6em;"
	"text-align:left;border-bottom:1px solid #eee;vertical-align:top}"
	"th{background:#f4f4f4}.num{text-align:right}"
	"pre{background:#f7f7f7;padding:.5em;white-space:pre-wrap}"
	".ok{fill:#3a8d5c;color:#2d7048}.fail{fill:#c0392b;color:#b03020}"
	".warn{color:#a66400}.muted{color:#777}"
	"svg.chart{max-width:100%;height:auto;display:block;margin:.5em 0}"
	"svg text{font:12px system-ui,sans-serif;fill:#222}"
	"svg text.title{font-weight:bold}svg line.axis{stroke:#999}"
	".verdict{padding:.5em .8em;border-left:5px solid #999;"
	"background:#f7f7f7}.verdict.ready,.verdict.enforced"
	"{border-color:#3a8d5c}.verdict.not-yet{border-color:#c0392b}"
	".totals span{margin-right:1.5em}dt{font-weight:bold;margin-top:.5em}";

const char *
dashboard_css(void)
{
	return dashboard_css_text;
}

/*
 * Pieces of a page.
 */

static void
dash_text(struct dash *d, const char *s)
{
	html_escape(d->out, s);
}

/* One table cell holding member key of o, escaped; cls may be NULL. */
static void
dash_td(struct dash *d, const char *cls, json_t *o, const char *key)
{
	if (cls != NULL)
		buf_printf(d->out, "<td class=\"%s\">", cls);
	else
		buf_puts(d->out, "<td>");
	dash_text(d, ipc_str(o, key));
	buf_puts(d->out, "</td>");
}

/* href of a domain: in-page anchor, or prefix + name + suffix. */
static void
dash_link(struct dash *d, const char *name)
{
	buf_puts(d->out, "<a href=\"");
	if (d->o->link_prefix != NULL) {
		dash_text(d, d->o->link_prefix);
		dash_text(d, name);
		dash_text(d, d->o->link_suffix ? d->o->link_suffix : "");
	} else {
		buf_puts(d->out, "#d-");
		dash_text(d, name);
	}
	buf_puts(d->out, "\">");
	dash_text(d, name);
	buf_puts(d->out, "</a>");
}

static void
dash_head(struct dash *d, const char *title)
{
	char *when = timefmt_utc(d->now);

	buf_puts(d->out, "<!DOCTYPE html>\n<html lang=\"en\"><head>"
	    "<meta charset=\"utf-8\"><meta name=\"viewport\" content=\"width="
	    "device-width\"><title>");
	dash_text(d, title);
	if (d->o->style_href != NULL) {
		buf_puts(d->out, "</title><link rel=\"stylesheet\" href=\"");
		dash_text(d, d->o->style_href);
		buf_puts(d->out, "\"></head>\n<body>\n<h1>");
	} else
		buf_printf(d->out, "</title><style>%s</style></head>\n<body>\n"
		    "<h1>", dashboard_css_text);
	dash_text(d, title);
	buf_puts(d->out, "</h1>\n");
	if (d->o->nav_html != NULL)
		buf_puts(d->out, d->o->nav_html);
	buf_puts(d->out, "<p class=\"muted\">Generated ");
	dash_text(d, when);
	buf_printf(d->out, " from the stored TLS reports (RFC 8460); charts"
	    " cover the last %d days.</p>\n", d->days);
	free(when);
}

/* A number that a reader (or a test) finds by class. */
static void
dash_total(struct dash *d, const char *cls, const char *label, long long v)
{
	buf_printf(d->out, "<span>%s: <b class=\"%s\" data-value=\"%lld\">"
	    "%lld</b></span>", label, cls, v, v);
}

static void
dash_cert_text(struct dash *d, json_t *c, struct buf *problems)
{
	json_t *na = json_object_get(c, "not_after");
	const char *e = ipc_str(c, "last_error");
	char *when;

	if (!json_is_object(c)) {
		buf_puts(d->out, "<span class=\"muted\">no certificate"
		    " managed by acmed</span>");
		return;
	}
	if (json_is_integer(na) && json_integer_value(na) > 0) {
		when = timefmt_utc(json_integer_value(na));
		buf_printf(d->out, "<span class=\"%s\" data-not-after=\"%lld\">"
		    "valid until ", json_integer_value(na) - d->now <
		    DASHBOARD_CERT_WARN ? "fail" : "ok",
		    (long long)json_integer_value(na));
		dash_text(d, when);
		buf_puts(d->out, "</span>");
		if (json_integer_value(na) - d->now < DASHBOARD_CERT_WARN)
			buf_printf(problems, "%scertificate expires %s",
			    problems->len ? "; " : "", when);
		free(when);
	} else {
		buf_puts(d->out, "no certificate yet");
	}
	if (*ipc_str(c, "state")) {
		buf_puts(d->out, " (");
		dash_text(d, ipc_str(c, "state"));
		buf_puts(d->out, ")");
	}
	if (*e) {
		buf_puts(d->out, "<br><span class=\"fail\">last error: ");
		dash_text(d, e);
		buf_puts(d->out, "</span>");
		buf_printf(problems, "%scertificate: %s", problems->len ?
		    "; " : "", e);
	}
}

/* dnsmon's checks as a table; the ones not ok are problems too. */
static void
dash_checks(struct dash *d, json_t *dom, struct buf *problems)
{
	json_t *checks = json_object_get(dom, "checks"), *c;
	size_t i;
	char *when;

	buf_puts(d->out, "<h3>DNS and MX checks</h3>\n");
	if (!json_is_array(checks)) {
		buf_puts(d->out, "<p class=\"muted\">not known (domain-list"
		    " only)</p>\n");
		return;
	}
	if (json_is_integer(json_object_get(dom, "checked"))) {
		when = timefmt_utc(ipc_int(dom, "checked"));
		buf_puts(d->out, "<p>Last checked by dnsmon ");
		dash_text(d, when);
		buf_puts(d->out, ".</p>\n");
		free(when);
	} else {
		buf_puts(d->out, "<p class=\"muted\">Not checked by dnsmon"
		    " yet.</p>\n");
	}
	if (json_array_size(checks) == 0)
		return;
	buf_puts(d->out, "<table class=\"checks\"><tr><th>status</th>"
	    "<th>check</th><th>host</th><th>message</th><th>fix</th></tr>\n");
	json_array_foreach(checks, i, c) {
		const char *st = ipc_str(c, "status");
		int bad = strcmp(st, "ok") != 0 && strcmp(st, "info") != 0;

		buf_printf(d->out, "<tr class=\"check\" data-status=\"");
		dash_text(d, st);
		buf_puts(d->out, "\">");
		dash_td(d, bad ? "fail" : "ok", c, "status");
		dash_td(d, NULL, c, "check");
		dash_td(d, NULL, c, "host");
		dash_td(d, NULL, c, "message");
		dash_td(d, NULL, c, "fix");
		buf_puts(d->out, "</tr>\n");
		if (bad)
			buf_printf(problems, "%scheck %s %s", problems->len ?
			    "; " : "", ipc_str(c, "check"), st);
	}
	buf_puts(d->out, "</table>\n");
}

static void
dash_facts(struct dash *d, json_t *dom, struct buf *problems)
{
	json_t *mx = json_object_get(dom, "mx"), *v;
	size_t i;

	buf_puts(d->out, "<table class=\"facts\">");
	buf_puts(d->out, "<tr><th>mode</th><td class=\"mode\">");
	dash_text(d, ipc_str(dom, "mode"));
	buf_puts(d->out, "</td></tr><tr><th>state</th><td class=\"state\">");
	dash_text(d, ipc_str(dom, "state"));
	buf_puts(d->out, "</td></tr><tr><th>MX patterns</th><td>");
	json_array_foreach(mx, i, v) {
		if (i)
			buf_puts(d->out, ", ");
		dash_text(d, json_string_value(v));
	}
	buf_printf(d->out, "</td></tr><tr><th>max_age</th><td>%lld s</td></tr>",
	    ipc_int(dom, "max_age"));
	buf_puts(d->out, "<tr><th>policy id</th><td>");
	dash_text(d, ipc_str(dom, "policy_id"));
	buf_puts(d->out, "</td></tr><tr><th>certificate of ");
	dash_text(d, ipc_str(dom, "policy_host"));
	buf_puts(d->out, "</th><td class=\"cert\">");
	dash_cert_text(d, json_object_get(dom, "cert"), problems);
	buf_puts(d->out, "</td></tr></table>\n");
	if (*ipc_str(dom, "policy")) {
		buf_puts(d->out, "<h3>Current policy</h3><pre class=\"policy\">");
		dash_text(d, ipc_str(dom, "policy"));
		buf_puts(d->out, "</pre>\n");
	}
	if (strcmp(ipc_str(dom, "state"), "active") != 0 &&
	    *ipc_str(dom, "state"))
		buf_printf(problems, "%sstate %s", problems->len ? "; " : "",
		    ipc_str(dom, "state"));
}

static void
dash_verdict(struct dash *d, json_t *v)
{
	json_t *s;
	size_t i;

	buf_puts(d->out, "<h3>Ready for enforce?</h3><div class=\"verdict ");
	dash_text(d, ipc_str(v, "verdict"));
	buf_puts(d->out, "\" data-verdict=\"");
	dash_text(d, ipc_str(v, "verdict"));
	buf_puts(d->out, "\"><b>");
	dash_text(d, ipc_str(v, "text"));
	buf_puts(d->out, "</b>");
	if (json_array_size(json_object_get(v, "senders")) > 0) {
		buf_printf(d->out, "<table class=\"senders\"><tr><th>sender"
		    " (last %lld days)</th><th class=\"num\">sessions</th>"
		    "<th class=\"num\">failed</th><th class=\"num\">share</th>"
		    "<th>major</th><th>last failure</th></tr>",
		    ipc_int(v, "days"));
		json_array_foreach(json_object_get(v, "senders"), i, s) {
			buf_puts(d->out, "<tr><td>");
			dash_text(d, ipc_str(s, "organization-name"));
			buf_printf(d->out, "</td><td class=\"num\">%lld</td>"
			    "<td class=\"num\">%lld</td><td class=\"num\">"
			    "%.1f%%</td><td>%s</td><td>",
			    ipc_int(s, "sessions"), ipc_int(s, "failed"),
			    json_real_value(json_object_get(s, "share")),
			    json_is_true(json_object_get(s, "major")) ?
			    "yes" : "no");
			dash_text(d, ipc_str(s, "last-failure"));
			buf_puts(d->out, "</td></tr>");
		}
		buf_puts(d->out, "</table>");
	}
	buf_printf(d->out, "<p class=\"muted\">Rule: a sender is major when"
	    " it reported at least %lld%% of the sessions in the window; the"
	    " domain is safe to move to enforce when the window holds"
	    " sessions and no major sender reported a failure.</p></div>\n",
	    ipc_int(v, "major-share") ? ipc_int(v, "major-share") :
	    (long long)DASHBOARD_MAJOR_SHARE);
}

/* What each result type in the window means and how to fix it. */
static void
dash_fixes(struct dash *d, json_t *sum, const char *domain)
{
	const struct tlsrpt_result_info *info;
	struct buf t = BUF_INIT;
	json_t *g;
	size_t i;

	if (json_array_size(json_object_get(sum, "by-result-type")) == 0)
		return;
	buf_puts(d->out, "<h3>What the failures mean and how to fix them</h3>"
	    "<dl class=\"fixes\">\n");
	json_array_foreach(json_object_get(sum, "by-result-type"), i, g) {
		const char *type = ipc_str(g, "result-type");

		if (!json_is_string(json_object_get(g, "result-type"))) {
			buf_printf(d->out, "<dt data-result-type=\"\">"
			    "(not in the failure details) (%lld failed"
			    " sessions)</dt><dd>The senders counted these"
			    " failed sessions in their summaries without a"
			    " failure detail that says why.</dd>\n",
			    ipc_int(g, "sessions"));
			continue;
		}
		info = tlsrpt_result_info(type);
		buf_puts(d->out, "<dt data-result-type=\"");
		dash_text(d, type);
		buf_puts(d->out, "\">");
		dash_text(d, type);
		buf_printf(d->out, " (%lld failed sessions)</dt><dd>",
		    ipc_int(g, "sessions"));
		buf_reset(&t);
		if (info == NULL) {
			buf_puts(&t, "not a result type of RFC 8460 section"
			    " 4.3; the sender's additional-information may say"
			    " more");
		} else {
			buf_puts(&t, "What it means: ");
			rptsum_subst(&t, info->meaning, domain);
			buf_puts(&t, ".\nFix: ");
			rptsum_subst(&t, info->fix, domain);
			buf_puts(&t, ".");
		}
		dash_text(d, t.s);
		buf_puts(d->out, "</dd>\n");
	}
	buf_puts(d->out, "</dl>\n");
	buf_free(&t);
}

/* The senders' own words about failures (additional-information). */
static void
dash_notes(struct dash *d, const struct rptsum_rows *rows)
{
	json_t *a = rptsum_notes_of(rows, d->days, DASHBOARD_NOTES_MAX), *g;
	size_t i;

	if (json_array_size(a) > 0) {
		buf_puts(d->out, "<h3>What the senders add</h3><table"
		    " class=\"notes\"><tr><th>sender</th><th>result type</th>"
		    "<th>MX host</th><th>additional-information</th></tr>\n");
		json_array_foreach(a, i, g) {
			buf_puts(d->out, "<tr>");
			dash_td(d, NULL, g, "organization-name");
			dash_td(d, NULL, g, "result-type");
			dash_td(d, NULL, g, "receiving-mx-hostname");
			dash_td(d, "note", g, "additional-information");
			buf_puts(d->out, "</tr>\n");
		}
		buf_puts(d->out, "</table>\n");
	}
	json_decref(a);
}

/*
 * The reports of the window without a passing aligned DKIM signature
 * (RFC 8460 section 3), apart: not in the numbers above unless
 * report_require_dkim is "no".
 */
static void
dash_unverified(struct dash *d, const struct rptsum_rows *rows)
{
	json_t *a = rptsum_unverified_of(rows, d->days), *u, *k;
	size_t i;

	buf_puts(d->out, "<h3>Unverified reports</h3>\n");
	if (json_array_size(a) == 0) {
		buf_puts(d->out, "<p class=\"muted unverified-none\">none"
		    "</p>\n");
		json_decref(a);
		return;
	}
	buf_printf(d->out, "<p class=\"muted\">Mailed without a valid DKIM"
	    " signature of the sender's domain: %s.</p>\n",
	    rptsum_require_dkim() ? "not counted above (report_require_dkim"
	    " = yes)" : "counted above all the same (report_require_dkim ="
	    " no)");
	buf_puts(d->out, "<table class=\"unverified\"><tr><th>report</th>"
	    "<th>sender</th><th>report id</th><th>end</th><th>DKIM</th>"
	    "<th>reason</th><th class=\"num\">sessions</th>"
	    "<th class=\"num\">failed</th></tr>\n");
	json_array_foreach(a, i, u) {
		k = json_object_get(u, "dkim");
		buf_printf(d->out, "<tr class=\"unverified-report\""
		    " data-report=\"%lld\"><td>%lld</td>", ipc_int(u, "id"),
		    ipc_int(u, "id"));
		dash_td(d, NULL, u, "organization-name");
		dash_td(d, NULL, u, "report-id");
		dash_td(d, NULL, u, "end-datetime");
		dash_td(d, "fail", k, "result");
		dash_td(d, "reason", k, "reason");
		buf_printf(d->out, "<td class=\"num\">%lld</td><td class="
		    "\"num\">%lld</td></tr>\n", rptsum_add(ipc_int(u,
		    "total-successful-session-count"), ipc_int(u,
		    "total-failure-session-count")), ipc_int(u,
		    "total-failure-session-count"));
	}
	buf_puts(d->out, "</table>\n");
	json_decref(a);
}

/*
 * The regular reporters of the domain that went quiet (rptsum_silent,
 * rptparse's silent-reporter alerts), whatever the window.
 */
static void
dash_silent(struct dash *d, const char *name)
{
	json_t *a = rptsum_silent(d->db, name, d->now, RPTSUM_SILENT_MAX), *s;
	size_t i;

	buf_puts(d->out, "<h3>Silent reporters</h3>\n");
	if (json_array_size(a) == 0) {
		buf_puts(d->out, "<p class=\"muted silent-none\">none</p>\n");
		json_decref(a);
		return;
	}
	buf_puts(d->out, "<ul class=\"silent\">\n");
	json_array_foreach(a, i, s) {
		buf_puts(d->out, "<li class=\"silent-reporter\">");
		dash_text(d, ipc_str(s, "organization-name"));
		buf_printf(d->out, " (last report %s, %lld %s ago)</li>\n",
		    ipc_str(s, "last-report-day"), ipc_int(s, "days"),
		    plural(ipc_int(s, "days"), "day", "days"));
	}
	buf_puts(d->out, "</ul>\n");
	json_decref(a);
}

/* One domain: facts, verdict, totals, charts, fixes.  problems gets
 * what is wrong, for the overview. */
static void
dash_section(struct dash *d, json_t *dom, json_t *verdict, json_t *sum,
    const struct rptsum_rows *rows)
{
	const char *name = ipc_str(dom, "domain");
	struct buf problems = BUF_INIT;
	char rate[RPTSUM_RATE_SIZE];

	buf_puts(d->out, "<section class=\"domain\" id=\"d-");
	dash_text(d, name);
	buf_puts(d->out, "\" data-domain=\"");
	dash_text(d, name);
	buf_puts(d->out, "\">\n<h2>");
	dash_text(d, name);
	buf_puts(d->out, "</h2>\n");
	dash_facts(d, dom, &problems);
	dash_checks(d, dom, &problems);
	dash_verdict(d, verdict);
	buf_printf(d->out, "<h3>Reports of the last %d days</h3>\n", d->days);
	if (sum == NULL) {
		buf_puts(d->out, "<p class=\"muted\">No reports stored yet"
		    " (no reports.db).</p>\n</section>\n");
		buf_free(&problems);
		return;
	}
	buf_puts(d->out, "<p class=\"totals\">");
	dash_total(d, "total-reports", "reports", ipc_int(sum, "reports"));
	dash_total(d, "total-sessions", "sessions", ipc_int(sum, "sessions"));
	dash_total(d, "total-successful", "successful",
	    ipc_int(sum, "successful"));
	dash_total(d, "total-failed", "failed", ipc_int(sum, "failed"));
	buf_printf(d->out, "<span>success rate: <b class=\"success-rate\">"
	    "%s</b></span></p>\n", rptsum_rate_text(ipc_int(sum, "successful"),
	    ipc_int(sum, "failed"), rate, sizeof(rate)));
	dash_trend(d, sum);
	dash_group_chart(d, sum, "by-result-type", "result-type",
	    "Failed sessions by result type");
	dash_group_chart(d, sum, "by-organization", "organization-name",
	    "Sessions by sending organization");
	dash_group_chart(d, sum, "by-mx-host", "receiving-mx-hostname",
	    "Failed sessions by MX host");
	dash_fixes(d, sum, name);
	dash_notes(d, rows);
	dash_fetches(d, rows);
	dash_unverified(d, rows);
	dash_silent(d, name);
	buf_puts(d->out, "</section>\n");
	buf_free(&problems);
}

/* What is wrong with a domain, for its overview row (no output). */
static void
dash_problems(struct dash *d, json_t *dom, json_t *sum7, struct buf *p)
{
	struct buf scratch = BUF_INIT, *save = d->out;
	json_t *g;
	size_t i;

	/* The facts and checks note their problems as they are drawn. */
	d->out = &scratch;
	dash_facts(d, dom, p);
	dash_checks(d, dom, p);
	d->out = save;
	buf_free(&scratch);
	if (sum7 != NULL)
		json_array_foreach(json_object_get(sum7, "by-result-type"), i,
		    g)
			buf_printf(p, "%s%lld %s", p->len ? "; " : "",
			    ipc_int(g, "sessions"), json_is_string(
			    json_object_get(g, "result-type")) ? ipc_str(g,
			    "result-type") : "failed without detail");
}

/* The rows of a domain for every window of the page (NULL: no db). */
static struct rptsum_rows *
dash_rows(struct dash *d, json_t *dom)
{
	int days = d->days;

	if (d->db == NULL)
		return NULL;
	if (days < DASHBOARD_OVERVIEW_DAYS)
		days = DASHBOARD_OVERVIEW_DAYS;
	if (days < d->rule.days)
		days = d->rule.days;
	return rptsum_fetch(d->db, ipc_str(dom, "domain"), days, d->now);
}

static json_t *
dash_readiness(struct dash *d, json_t *dom, const struct rptsum_rows *rows)
{
	if (rows == NULL)
		return dashboard_readiness(NULL, dom, d->rule.days,
		    d->rule.major_share, d->now);
	return rptsum_readiness_of(rows, ipc_str(dom, "mode"), &d->rule);
}

/* A verdict in a cell of a list: yes, enforced, or why not yet. */
static const char *
dash_verdict_short(json_t *v)
{
	const char *verdict = ipc_str(v, "verdict");

	return strcmp(verdict, "ready") == 0 ? "yes" : strcmp(verdict,
	    "enforced") == 0 ? "enforced" : ipc_str(v, "reason");
}

/* A page of no output: what dash_rows(), dash_readiness() and
 * dash_problems() need. */
static void
dash_quiet(struct dash *d, struct dashboard_opts *o, struct rptdb *reports,
    int days, int major_share, time_t now)
{
	memset(o, 0, sizeof(*o));
	memset(d, 0, sizeof(*d));
	d->o = o;
	d->db = reports;
	d->now = now;
	d->rule.days = days > 0 ? days : DASHBOARD_READY_DAYS;
	d->rule.major_share = major_share > 0 ? major_share :
	    DASHBOARD_MAJOR_SHARE;
}

json_t *
dashboard_evidence(struct rptdb *reports, json_t *dom, int days,
    int major_share, time_t now)
{
	struct dashboard_opts o;
	struct rptsum_rows *r;
	struct dash d;
	json_t *sum7, *v;

	dash_quiet(&d, &o, reports, days, major_share, now);
	r = dash_rows(&d, dom);
	sum7 = r ? rptsum_of(r, DASHBOARD_OVERVIEW_DAYS, RPTSUM_TYPES) : NULL;
	v = dash_readiness(&d, dom, r);
	rptsum_rows_free(r);
	return json_pack("{s:o, s:o}", "readiness", v, "week", sum7 ? sum7 :
	    json_null());
}

json_t *
dashboard_status(json_t *dom, json_t *evidence, time_t now)
{
	json_t *v = json_object_get(evidence, "readiness");
	json_t *week = json_object_get(evidence, "week");
	struct dashboard_opts o;
	struct buf p = BUF_INIT;
	struct dash d;
	json_t *st;

	dash_quiet(&d, &o, NULL, 0, 0, now);
	dash_problems(&d, dom, json_is_object(week) ? week : NULL, &p);
	st = json_pack("{s:O, s:s, s:s}", "readiness", v ? v : json_null(),
	    "ready", dash_verdict_short(v), "problems", p.len ? p.s : "");
	buf_free(&p);
	return st;
}

/*
 * The table of every domain; verdicts gets each one's verdict, rows
 * (when not NULL) each one's rows for the sections.
 */
static void
dash_overview(struct dash *d, json_t *domains, json_t *verdicts,
    struct rptsum_rows **rows)
{
	struct buf p = BUF_INIT;
	struct rptsum_rows *r;
	json_t *dom = NULL, *sum7, *v;
	char rate[RPTSUM_RATE_SIZE];
	size_t i;

	buf_printf(d->out, "<h2>Domains</h2>\n<table id=\"overview\"><tr>"
	    "<th>domain</th><th>mode</th><th class=\"num\">sessions (%d"
	    " days)</th><th class=\"num\">success (%d days)</th><th>open"
	    " problems</th><th>ready for enforce</th></tr>\n",
	    DASHBOARD_OVERVIEW_DAYS, DASHBOARD_OVERVIEW_DAYS);
	json_array_foreach(domains, i, dom) {
		const char *name = ipc_str(dom, "domain");

		r = dash_rows(d, dom);
		sum7 = r ? rptsum_of(r, DASHBOARD_OVERVIEW_DAYS, RPTSUM_TYPES) :
		    NULL;
		v = dash_readiness(d, dom, r);
		if (rows != NULL)
			rows[i] = r;
		else
			rptsum_rows_free(r);
		buf_reset(&p);
		dash_problems(d, dom, sum7, &p);
		buf_puts(d->out, "<tr class=\"domain-row\" data-domain=\"");
		dash_text(d, name);
		buf_puts(d->out, "\"><td>");
		dash_link(d, name);
		buf_puts(d->out, "</td><td class=\"mode\">");
		dash_text(d, ipc_str(dom, "mode"));
		buf_printf(d->out, "</td><td class=\"num sessions\">%lld</td>",
		    sum7 ? ipc_int(sum7, "sessions") : 0);
		if (sum7 && ipc_int(sum7, "sessions") > 0)
			buf_printf(d->out, "<td class=\"num rate\">%s</td>",
			    rptsum_rate_text(ipc_int(sum7, "successful"),
			    ipc_int(sum7, "failed"), rate, sizeof(rate)));
		else
			buf_puts(d->out, "<td class=\"num rate muted\">-</td>");
		buf_printf(d->out, "<td class=\"problems%s\">", p.len ?
		    " fail" : " ok");
		dash_text(d, p.len ? p.s : "none");
		buf_puts(d->out, "</td><td class=\"verdict-short\""
		    " data-verdict=\"");
		dash_text(d, ipc_str(v, "verdict"));
		buf_puts(d->out, "\">");
		dash_text(d, dash_verdict_short(v));
		buf_puts(d->out, "</td></tr>\n");
		json_decref(sum7);
		json_array_append_new(verdicts, v);
	}
	if (json_array_size(domains) == 0)
		buf_puts(d->out, "<tr><td colspan=\"6\">no domains</td></tr>\n");
	buf_puts(d->out, "</table>\n");
	buf_free(&p);
}

/* A domain's section, from its rows and verdict (NULL: work them out). */
static void
dash_domain(struct dash *d, json_t *dom, json_t *v,
    const struct rptsum_rows *rows)
{
	struct rptsum_rows *own = NULL;
	json_t *sum;

	if (rows == NULL && d->db != NULL)
		rows = own = dash_rows(d, dom);
	sum = rows ? rptsum_of(rows, d->days, RPTSUM_ALL) : NULL;
	if (v != NULL)
		json_incref(v);
	else
		v = dash_readiness(d, dom, rows);
	dash_section(d, dom, v, sum, rows);
	json_decref(sum);
	json_decref(v);
	rptsum_rows_free(own);
}

/*
 * One end of a link to a page of the overview; cursor (NULL: none) is
 * the name the page starts after (param page_after: the last name of
 * this one) or ends before (page_before: the first), a domain name:
 * nothing to escape in a URL.
 */
static void
dash_page_link(struct dash *d, long long page, const char *param,
    const char *cursor, const char *rel, const char *text)
{
	buf_printf(d->out, " <a class=\"page-%s\" rel=\"%s\" href=\"", rel,
	    rel);
	dash_text(d, d->o->page_prefix ? d->o->page_prefix : "?page=");
	buf_printf(d->out, "%lld", page);
	if (cursor != NULL && param != NULL) {
		dash_text(d, param);
		dash_text(d, cursor);
	}
	dash_text(d, d->o->page_suffix ? d->o->page_suffix : "");
	buf_printf(d->out, "\">%s</a>", text);
}

/* Where a page of the overview stands: its domains, the pages beside. */
static void
dash_pager(struct dash *d, json_t *domains)
{
	const struct dashboard_opts *o = d->o;
	size_t n = json_array_size(domains);
	long long first = (o->page - 1) * (long long)o->page_size + 1;

	if (o->page < 1)
		return;
	buf_printf(d->out, "<p class=\"pager\" data-page=\"%lld\">page %lld",
	    o->page, o->page);
	if (n > 0)
		buf_printf(d->out, " (domains %lld to %lld)", first,
		    first + (long long)n - 1);
	/* Page 1 is read from the start: no cursor needed. */
	if (o->page > 1)
		dash_page_link(d, o->page - 1, o->page_before, o->page > 2 &&
		    n > 0 ? ipc_str(json_array_get(domains, 0), "domain") :
		    NULL, "prev", "previous page");
	if (o->more)
		dash_page_link(d, o->page + 1, o->page_after, n > 0 ? ipc_str(
		    json_array_get(domains, n - 1), "domain") : NULL, "next",
		    "next page");
	buf_puts(d->out, "</p>\n");
}

/* The page of dashboard_html(): 0, or 1 when d->o->domain is unknown. */
static int
dash_page(struct dash *d, json_t *domains)
{
	const struct dashboard_opts *opts = d->o;
	struct rptsum_rows **rows = NULL;
	json_t *dom = NULL, *verdicts;
	size_t i;
	char *title;

	if (opts->domain != NULL) {
		json_array_foreach(domains, i, dom)
			if (strcasecmp(ipc_str(dom, "domain"), opts->domain) == 0)
				break;
		if (i == json_array_size(domains))
			return 1;
		title = xasprintf("TLS reports: %s", ipc_str(dom, "domain"));
		dash_head(d, title);
		dash_domain(d, dom, NULL, NULL);
	} else {
		verdicts = json_array();
		if (opts->sections)
			rows = xcalloc(json_array_size(domains) + 1,
			    sizeof(*rows));
		title = xstrdup("TLS reports: all domains");
		dash_head(d, title);
		dash_pager(d, domains);
		dash_overview(d, domains, verdicts, rows);
		dash_pager(d, domains);
		if (opts->sections) {
			json_array_foreach(domains, i, dom) {
				dash_domain(d, dom, json_array_get(verdicts, i),
				    rows[i]);
				rptsum_rows_free(rows[i]);
			}
		}
		free(rows);
		json_decref(verdicts);
	}
	buf_puts(d->out, "</body></html>\n");
	free(title);
	return 0;
}

int
dashboard_html(struct buf *out, struct rptdb *reports, json_t *domains,
    const struct dashboard_opts *opts, struct buf *err)
{
	struct dash d;
	int rc, began;

	if (!json_is_array(domains)) {
		buf_puts(err, "dashboard: no list of domains");
		return -1;
	}
	memset(&d, 0, sizeof(d));
	d.out = out;
	d.db = reports;
	d.o = opts;
	d.now = opts->now ? opts->now : time(NULL);
	d.days = opts->days > 0 && opts->days <= DASHBOARD_DAYS_MAX ?
	    opts->days : DASHBOARD_DAYS;
	d.rule.days = opts->ready_days > 0 ? opts->ready_days :
	    DASHBOARD_READY_DAYS;
	d.rule.major_share = opts->major_share > 0 ? opts->major_share :
	    DASHBOARD_MAJOR_SHARE;
	/* One read transaction: one snapshot, one lock for the page. */
	began = rptdb_snapshot_begin(reports);
	rc = dash_page(&d, domains);
	rptdb_snapshot_end(reports, began);
	fetchdb_close(d.fetches);
	if (rc == 1)
		buf_printf(err, "%s: no such domain", opts->domain);
	return rc;
}
