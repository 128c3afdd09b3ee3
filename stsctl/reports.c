/*
 * reports - "stsctl report ...": the TLS reports that rptparse stored.
 * SPDX-License-Identifier: ISC
 *
 * Here the arguments, list, html and the command table; show and export
 * are in reports_show.c, summary in reports_summary.c.
 *
 * SYNOPSIS
 *	stsctl report list [--domain D] [--since DATE] [--unverified] [--json]
 *	stsctl report show ID [--json]
 *	stsctl report summary DOMAIN [--days N] [--json]
 *	stsctl report export --json|--csv [--domain D] [--since DATE]
 *	    [--unverified]
 *	stsctl report html [DOMAIN] [--days N]
 *	    [--page N [--after NAME | --before NAME]]
 *
 * DESCRIPTION
 *	Reads $data_directory/reports.db read-only (lib/rptdb); never
 *	talks to a daemon.  A DOMAIN matches
 *	a policy whose hosted domain or policy-domain it is (case and a
 *	final dot aside).  What counts is lib/rptsum's rule: reports that
 *	count (trusted, or report_require_dkim = no), the policy of each
 *	report and domain with policies.counted, a policy's failed
 *	sessions the larger of its summary and the sum of its failure
 *	details, sums that saturate.  list and export show the reports
 *	that count; with --unverified, the others.  DATE is
 *	YYYY-MM-DD or an RFC 3339 date-time (UTC unless it says
 *	otherwise), and --since keeps the reports whose range ends after
 *	it.  summary covers the reports whose range ends within the last
 *	N days (REPORT_DAYS_DEFAULT).
 *
 *	The JSON of show and export uses the field names of RFC 8460
 *	section 4 for what the sender reported, and adds "id",
 *	"received", "via", "submitter", "sha256", "spool-id",
 *	"hosted-domain", "deviations", "dkim" {result, domain, selector,
 *	reason}, "counts", "sessions" {successful, failed} (what the
 *	report adds to totals: to those of --domain when given) and per
 *	policy "counted".  Times are RFC
 *	3339 UTC.  Text output escapes every string of a report
 *	(lib/esc esc_text), so that no control character reaches a
 *	terminal; CSV cells too.
 *
 *	html writes one self-contained HTML page (lib/dashboard) to
 *	stdout: a page of the overview (--page, 1 by default:
 *	dashboard_page_size domains in policyd's order, each with its
 *	section below the table, and links to report-N.html for the
 *	pages before and after it), or one domain; the last N days
 *	(DASHBOARD_DAYS by default).  It asks policyd for the domains (public socket), so
 *	the instance must be running; summary and the page share their
 *	numbers (lib/rptsum).
 *
 *	--after NAME makes page N the domains after NAME (the last of
 *	page N - 1), read from there rather than walked from the first;
 *	--before NAME the domains before NAME (the first of page N + 1),
 *	read backwards from there.
 *
 * LIMITS
 *	--days: 1 to REPORT_DAYS_MAX; --page: 1 to DASHBOARD_PAGE_MAX;
 *	--after, --before: a domain name (dashboard_after_parse(),
 *	dashboard_before_parse()), one of them.
 *	Readable lists show every row.
 *
 * DIAGNOSTICS
 *	"stsctl: ..." on stderr and exit 1: a bad argument, no report ID,
 *	reports.db missing or of another schema version.
 */
#include "config.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <jansson.h>

#include "buf.h"
#include "cfg.h"
#include "dashboard.h"
#include "esc.h"
#include "mymalloc.h"
#include "plural.h"
#include "proto.h"
#include "reports.h"
#include "rptdb.h"
#include "rptsum.h"
#include "perm.h"
#include "stsctl.h"
#include "usage.h"
#include "table.h"
#include "timefmt.h"
#include "tlsrpt.h"

#define REPORT_DAYS_DEFAULT	7
#define REPORT_DAYS_MAX		3660

/*
 * A string of a report for text output: esc_text() into one of a ring
 * of buffers, valid for the next REPORT_ESC_SLOTS - 1 calls (a table
 * row copies its cells).  NULL is "-".
 */
const char *
report_esc(const char *s)
{
	static struct buf ring[REPORT_ESC_SLOTS];
	static size_t next;
	struct buf *b = &ring[next++ % REPORT_ESC_SLOTS];

	buf_reset(b);
	if (s == NULL)
		return "-";
	esc_text(b, s);
	return b->s != NULL ? b->s : "";
}

/*
 * A deviation as lib/tlsrpt wrote it: the values it quotes are escaped
 * there already (esc_text), so it is shown as it is, unless a byte of
 * it could still act on a terminal.
 */
const char *
report_esc_deviation(const char *s)
{
	const unsigned char *p;

	for (p = (const unsigned char *)s; p != NULL && *p; p++)
		if (*p < 0x20 || *p == 0x7f)
			return report_esc(s);
	return s != NULL ? s : "-";
}

static struct rptdb *
report_db(void)
{
	struct buf err = BUF_INIT;
	char *path = xasprintf("%s/%s", var_data_directory,
	    RPTDB_FILE);
	struct rptdb *db;

	/* On PostgreSQL (storage_engine) there is no file to read. */
	if (rptdb_local())
		perm_check(path, R_OK);
	if ((db = rptdb_open(path, &err)) == NULL)
		stsctl_die("%s (has rptparse stored any report yet?)", err.s);
	free(path);
	return db;
}

char *
report_time(int64_t t, char buf[TIMEFMT_RFC3339_SIZE])
{
	return timefmt_rfc3339((time_t)t, buf);
}

json_t *
report_text_json(const char *s)
{
	return s ? json_string(s) : json_null();
}

/* The DKIM reason of a report (rptsum_dkim_reason), as JSON. */
json_t *
report_dkim_reason(const struct rptdb_report *r)
{
	const char *why = rptsum_dkim_reason(r->via, r->dkim_result,
	    r->dkim_reason);

	return why ? json_string(why) : json_null();
}

json_t *
report_list_json(const char *s)
{
	json_t *v = s ? json_loads(s, 0, NULL) : NULL;

	return v ? v : json_array();
}

void
report_usage(void)
{
	fprintf(stderr, "usage: stsctl report list [--domain D] [--since DATE]"
	    " [--unverified] [--json]\n"
	    "       stsctl report show ID [--json]\n"
	    "       stsctl report summary DOMAIN [--days N] [--json]\n"
	    "       stsctl report export --json|--csv [--domain D]"
	    " [--since DATE] [--unverified]\n"
	    "       stsctl report html [DOMAIN] [--days N] [--page N"
	    " [--after NAME | --before NAME]] > report.html\n");
	exit(USAGE_EXIT_ERROR);
}

/* rc and err of lib/dashboard's parser of --page or --after: exit on -1. */
static void
report_dashboard_arg(int rc, struct buf *err)
{
	if (rc < 0)
		stsctl_die("--%s", err->s);
	buf_free(err);
}

static void
report_args(int argc, char **argv, struct report_opts *o)
{
	struct buf err = BUF_INIT;
	char *end;
	long v;
	int i;

	memset(o, 0, sizeof(*o));
	o->days = REPORT_DAYS_DEFAULT;
	o->json = stsctl_json;
	for (i = 2; i < argc; i++) {
		if (strcmp(argv[i], "--json") == 0) {
			o->json = 1;
		} else if (strcmp(argv[i], "--csv") == 0) {
			o->csv = 1;
		} else if (strcmp(argv[i], "--unverified") == 0) {
			o->unverified = 1;
		} else if (strcmp(argv[i], "--domain") == 0 && i + 1 < argc) {
			o->domain = argv[++i];
		} else if (strcmp(argv[i], "--since") == 0 && i + 1 < argc) {
			o->since = stsctl_since(argv[++i], NULL, 0);
		} else if (strcmp(argv[i], "--days") == 0 && i + 1 < argc) {
			v = strtol(argv[++i], &end, 10);
			if (*argv[i] == '\0' || *end != '\0' || v < 1 ||
			    v > REPORT_DAYS_MAX)
				stsctl_die("--days %s: expected a number of days"
				    " from 1 to %d", argv[i], REPORT_DAYS_MAX);
			o->days = (int)v;
			o->days_set = 1;
		} else if (strcmp(argv[i], "--page") == 0 && i + 1 < argc) {
			report_dashboard_arg(dashboard_page_parse(argv[++i],
			    &o->page, &err), &err);
		} else if (strcmp(argv[i], "--after") == 0 && i + 1 < argc) {
			report_dashboard_arg(dashboard_after_parse(argv[++i],
			    &o->after, &err), &err);
		} else if (strcmp(argv[i], "--before") == 0 && i + 1 < argc) {
			report_dashboard_arg(dashboard_before_parse(argv[++i],
			    &o->before, &err), &err);
		} else if (argv[i][0] == '-' && argv[i][1] != '\0') {
			stsctl_die("report %s: unknown option %s (or its value"
			    " is missing)", argv[1], argv[i]);
		} else if (o->arg == NULL) {
			o->arg = argv[i];
		} else {
			stsctl_usage_die("report %s: unexpected argument %s", argv[1],
			    argv[i]);
		}
	}
	if (o->domain != NULL)
		o->domain_name = rptsum_domain_name(o->domain);
	if ((o->page > 0 || o->after != NULL || o->before != NULL) &&
	    strcmp(argv[1], "html") != 0)
		stsctl_die("report %s: --page, --after and --before are for"
		    " html", argv[1]);
	if (o->after != NULL && o->before != NULL)
		stsctl_die("report %s: --after and --before: one cursor at"
		    " most", argv[1]);
	if (o->after != NULL && o->page == 0)
		stsctl_die("report %s: --after needs --page (the number of"
		    " the page that starts after that domain)", argv[1]);
	if (o->before != NULL && o->page == 0)
		stsctl_die("report %s: --before needs --page (the number of"
		    " the page that ends before that domain)", argv[1]);
	if (o->unverified && strcmp(argv[1], "list") != 0 &&
	    strcmp(argv[1], "export") != 0)
		stsctl_die("report %s: --unverified is for list and export",
		    argv[1]);
}

void
report_print_json(json_t *v)
{
	if (json_dumpf(v, stdout, JSON_INDENT(2) | JSON_SORT_KEYS) < 0)
		stsctl_die("cannot write JSON output");
	printf("\n");
}

/*
 * list
 */
/* The filter of list and export. */
void
report_filter(const struct report_opts *o, int unverified,
    struct rptdb_filter *f)
{
	f->domain = o->domain_name;
	f->since = o->since;
	f->unverified = unverified;
}

/* How many reports the other selection of the filter holds. */
static long long
report_count_other(struct rptdb *db, const struct report_opts *o)
{
	struct rptdb_filter f;

	report_filter(o, !o->unverified, &f);
	return rptdb_reports_count(db, &f);
}

/* The rows of list: a table for text, an array for JSON. */
struct report_list_ctx {
	struct rptdb_totals *tot;
	const struct report_opts *o;
	struct table *t;
	json_t	*a;
};

static void
report_list_row(const struct rptdb_report *r, void *arg)
{
	char s[TIMEFMT_RFC3339_SIZE], e[TIMEFMT_RFC3339_SIZE];
	char id[32], ok[32], bad[32];
	struct report_list_ctx *c = arg;
	const char *doms = r->domains;
	struct buf dkim = BUF_INIT;
	const char *reason;
	long long nok, nbad;

	rptsum_totals_get(c->tot, r->id, &nok, &nbad);
	report_time(r->start, s);
	report_time(r->end, e);
	snprintf(id, sizeof(id), "%lld", (long long)r->id);
	snprintf(ok, sizeof(ok), "%lld", nok);
	snprintf(bad, sizeof(bad), "%lld", nbad);
	if (c->o->unverified) {
		buf_puts(&dkim, report_esc(r->dkim_result));
		if ((reason = rptsum_dkim_reason(r->via, r->dkim_result,
		    r->dkim_reason)) != NULL)
			buf_printf(&dkim, ": %s", report_esc(reason));
		table_row(c->t, id, s, e, report_esc(r->organization),
		    report_esc(doms), ok, bad, report_esc(r->report_id),
		    dkim.s);
	} else {
		table_row(c->t, id, s, e, report_esc(r->organization),
		    report_esc(doms), ok, bad, report_esc(r->report_id));
	}
	json_array_append_new(c->a, json_pack("{s:I, s:o, s:o, s:s, s:s,"
	    " s:o, s:s, s:I, s:I, s:{s:o, s:o, s:o, s:o}, s:b}",
	    "id", (json_int_t)r->id,
	    "organization-name", report_text_json(r->organization),
	    "report-id", report_text_json(r->report_id),
	    "start-datetime", s, "end-datetime", e,
	    "via", report_text_json(r->via),
	    "domains", doms ? doms : "",
	    "total-successful-session-count", (json_int_t)nok,
	    "total-failure-session-count", (json_int_t)nbad,
	    "dkim", "result", report_text_json(r->dkim_result),
	    "domain", report_text_json(r->dkim_domain),
	    "selector", report_text_json(r->dkim_selector),
	    "reason", report_dkim_reason(r),
	    "counts", r->counts));
	buf_free(&dkim);
}

/*
 * list: the reports that count, or (--unverified) the others, each with
 * the sessions it adds (rptsum_totals_get).
 */
static int
report_list(struct rptdb *db, const struct report_opts *o)
{
	struct report_list_ctx c;
	struct rptdb_filter f;
	struct table *t = o->unverified ? table_new(9, "ID", "START", "END",
	    "ORGANIZATION", "DOMAINS", "OK", "FAILED", "REPORT-ID", "DKIM") :
	    table_new(8, "ID", "START", "END", "ORGANIZATION", "DOMAINS", "OK",
	    "FAILED", "REPORT-ID");
	struct rptdb_totals *tot = rptsum_totals_new(db, o->domain_name);
	json_t *a = json_array();
	long long other;

	c.tot = tot;
	c.o = o;
	c.t = t;
	c.a = a;
	report_filter(o, o->unverified, &f);
	rptdb_reports(db, &f, 1, report_list_row, &c);
	rptdb_totals_free(tot);
	other = report_count_other(db, o);
	if (o->json) {
		json_t *r = json_pack("{s:o, s:I}", "reports", a,
		    o->unverified ? "counted" : "unverified",
		    (json_int_t)other);

		report_print_json(r);
		json_decref(r);
	} else {
		table_print_or(t, stdout, "%s", o->unverified ?
		    "no unverified reports" : "no reports");
		if (o->unverified)
			printf("%s\n", rptsum_require_dkim() ?
			    "(not counted: report_require_dkim = yes)" :
			    "(counted all the same: report_require_dkim = no)");
		else if (other > 0 && rptsum_require_dkim())
			printf("(%lld unverified report%s not listed: stsctl"
			    " report list --unverified)\n", other, other == 1 ?
			    "" : "s");
		json_decref(a);
	}
	table_free(t);
	return 0;
}

/*
 * html: the pages of lib/dashboard, as one file on stdout.
 */
static int
report_html(const struct report_opts *o)
{
	struct dashboard_opts d;
	struct buf err = BUF_INIT, out = BUF_INIT;
	char *sock = proto_path(PROTO_POLICYD_PUBLIC);
	json_t *domains;
	struct rptdb *db;
	char *path;
	long long ready = var_readiness_days;
	long long share = var_readiness_major_share;
	long long page = o->page > 0 ? o->page : 1;
	int rc, more = 0;

	if (o->arg != NULL && o->page > 0)
		stsctl_die("report html: --page is for the overview, not for"
		    " one domain");
	perm_check(sock, W_OK);
	if (o->arg != NULL)
		domains = dashboard_domain(sock, o->arg, &err);
	else if (o->before != NULL) {
		domains = dashboard_domains_before(sock, page, o->before,
		    (int)var_dashboard_page_size, &err);
		more = 1;	/* the domain it ends before, at least */
	} else
		domains = dashboard_domains_page(sock, page, o->after,
		    (int)var_dashboard_page_size, &more, &err);
	if (domains == NULL)
		stsctl_die("report html: %s", err.s);
	path = xasprintf("%s/%s", var_data_directory, RPTDB_FILE);
	if (rptdb_local())
		perm_check(path, R_OK);
	free(path);
	if ((db = dashboard_reports_open(&err)) == NULL && err.len > 0)
		stsctl_die("%s", err.s);
	memset(&d, 0, sizeof(d));
	d.domain = o->arg;
	d.days = o->days_set ? o->days : DASHBOARD_DAYS;
	d.ready_days = (int)ready;
	d.major_share = (int)share;
	d.now = time(NULL);
	d.sections = 1;
	if (o->arg == NULL) {
		d.page = page;
		d.page_size = (int)var_dashboard_page_size;
		d.more = more;
		d.page_prefix = "report-";
		d.page_suffix = ".html";
	}
	rc = dashboard_html(&out, db, domains, &d, &err);
	if (rc == 1)
		stsctl_die("report html: %s (see stsctl domain list)", err.s);
	if (rc < 0)
		stsctl_die("report html: %s", err.s);
	if (fwrite(out.s, 1, out.len, stdout) != out.len || fflush(stdout))
		stsctl_die("cannot write the page to standard output");
	rptdb_close(db);
	json_decref(domains);
	buf_free(&out);
	buf_free(&err);
	free(sock);
	return 0;
}

int
report_main(int argc, char **argv)
{
	static const struct {
		const char *name;
		int	(*fn)(struct rptdb *, const struct report_opts *);
	} cmds[] = {
		{ "list", report_list },
		{ "show", report_show },
		{ "summary", report_summary },
		{ "export", report_export },
		{ "html", NULL },
		{ NULL, NULL }
	};
	struct report_opts o;
	struct rptdb *db;
	int i, rc;

	if (argc < 2)
		report_usage();
	for (i = 0; cmds[i].name != NULL; i++)
		if (strcmp(argv[1], cmds[i].name) == 0)
			break;
	if (cmds[i].name == NULL)
		stsctl_usage_die("report %s: unknown subcommand (list, show, summary,"
		    " export, html)", argv[1]);
	report_args(argc, argv, &o);
	if (cmds[i].fn == NULL) {
		rc = report_html(&o);
		free(o.domain_name);
		free(o.after);
		free(o.before);
		return rc;
	}
	if (i != 1 && i != 2 && o.arg != NULL)
		stsctl_usage_die("report %s: unexpected argument %s", argv[1], o.arg);
	db = report_db();
	rc = cmds[i].fn(db, &o);
	rptdb_close(db);
	free(o.domain_name);
	free(o.after);
	free(o.before);
	return rc;
}

