/*
 * reports_show - "stsctl report show" and "export": whole stored reports, as
 * JSON, text or CSV; see reports.h.
 * SPDX-License-Identifier: ISC
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
#include "csv.h"
#include "dashboard.h"
#include "esc.h"
#include "fetchdb.h"
#include "mymalloc.h"
#include "params.h"
#include "plural.h"
#include "reports.h"
#include "rptdb.h"
#include "rptjson.h"
#include "rptsum.h"
#include "perm.h"
#include "stsctl.h"
#include "usage.h"
#include "table.h"
#include "timefmt.h"
#include "tlsrpt.h"

#define REPORT_CSV_INT	24	/* a 64-bit count in decimal, and the NUL */

/*
 * show: one report, whole (lib/rptjson).
 */
static json_t *
report_json(struct rptdb *db, const struct rptdb_report *r,
    struct rptdb_totals *tot)
{
	return rptjson_report(db, r, tot, NULL);
}

/* The JSON of each report of a query, with its totals, into a. */
struct report_json_ctx {
	struct rptdb *db;
	struct rptdb_totals *tot;
	json_t	*a;
	time_t	 start, end;		/* show: the report's date range */
};

static void
report_json_add(const struct rptdb_report *r, void *arg)
{
	struct report_json_ctx *c = arg;

	json_array_append_new(c->a, report_json(c->db, r, c->tot));
}

#define S(o, k)	report_esc(json_string_value(json_object_get((o), (k))))

/* "pass (d=google.com s=20230601)", "none: not signed", ... */
static void
report_dkim_text(struct buf *out, json_t *dkim)
{
	buf_puts(out, S(dkim, "result"));
	if (json_is_string(json_object_get(dkim, "domain")))
		buf_printf(out, " (d=%s s=%s)", S(dkim, "domain"),
		    S(dkim, "selector"));
	if (json_is_string(json_object_get(dkim, "reason")))
		buf_printf(out, ": %s", S(dkim, "reason"));
}

/* Every field a failure detail has, one per line. */
static void
report_show_failure(json_t *f)
{
	static const char *const keys[] = { "sending-mta-ip",
	    "receiving-mx-hostname", "receiving-mx-helo", "receiving-ip",
	    "failure-reason-code", "additional-information", NULL };
	long long n = (long long)json_integer_value(json_object_get(f,
	    "failed-session-count"));
	size_t i;

	printf("    failure: %s, %lld session%s\n", S(f, "result-type"), n,
	    n == 1 ? "" : "s");
	for (i = 0; keys[i] != NULL; i++)
		if (json_is_string(json_object_get(f, keys[i])))
			printf("        %s: %s\n", keys[i], S(f, keys[i]));
	/* Escaped by lib/fetchdb already. */
	if (json_is_string(json_object_get(f, "httpd-saw")))
		printf("        httpd saw: %s\n", report_esc_deviation(
		    json_string_value(json_object_get(f, "httpd-saw"))));
}

static void
report_show_policy(size_t i, json_t *p)
{
	json_t *pol = json_object_get(p, "policy");
	json_t *sum = json_object_get(p, "summary");
	struct buf mx = BUF_INIT;
	json_t *v, *f;
	size_t j;

	json_array_foreach(json_object_get(pol, "mx-host"), j, v)
		buf_printf(&mx, "%s%s", j ? " " : "", report_esc(
		    json_string_value(v)));
	printf("\npolicy %zu: %s %s (hosted domain %s)%s\n", i + 1,
	    S(pol, "policy-type"), S(pol, "policy-domain"),
	    S(p, "hosted-domain"), json_is_true(json_object_get(p,
	    "counted")) ? "" : ", not counted: another policy of the report"
	    " judges the same sessions");
	if (mx.len)
		printf("    mx-host: %s\n", mx.s);
	json_array_foreach(json_object_get(pol, "policy-string"), j, v)
		printf("    | %s\n", report_esc(json_string_value(v)));
	printf("    sessions: %lld successful, %lld failed\n",
	    (long long)json_integer_value(json_object_get(sum,
	    "total-successful-session-count")),
	    (long long)json_integer_value(json_object_get(sum,
	    "total-failure-session-count")));
	json_array_foreach(json_object_get(p, "failure-details"), j, f)
		report_show_failure(f);
	buf_free(&mx);
}

static void
report_show_text(json_t *r)
{
	struct table *t = table_new(2, NULL);
	json_t *v, *ses = json_object_get(r, "sessions");
	struct buf dkim = BUF_INIT;
	size_t i;
	char id[32], n[64];

	snprintf(id, sizeof(id), "%lld",
	    (long long)json_integer_value(json_object_get(r, "id")));
	snprintf(n, sizeof(n), "%lld successful, %lld failed",
	    (long long)json_integer_value(json_object_get(ses, "successful")),
	    (long long)json_integer_value(json_object_get(ses, "failed")));
	report_dkim_text(&dkim, json_object_get(r, "dkim"));
	table_row(t, "report:", id);
	table_row(t, "organization:", S(r, "organization-name"));
	table_row(t, "contact:", S(r, "contact-info"));
	table_row(t, "report id:", S(r, "report-id"));
	table_row(t, "start:", S(json_object_get(r, "date-range"),
	    "start-datetime"));
	table_row(t, "end:", S(json_object_get(r, "date-range"),
	    "end-datetime"));
	table_row(t, "received:", S(r, "received"));
	table_row(t, "via:", S(r, "via"));
	table_row(t, "submitter:", S(r, "submitter"));
	table_row(t, "sha256:", S(r, "sha256"));
	table_row(t, "dkim:", dkim.s);
	table_row(t, "counts:", json_is_true(json_object_get(r, "counts")) ?
	    (strcmp(S(json_object_get(r, "dkim"), "result"), "pass") == 0 ||
	    strcmp(S(r, "via"), "https") == 0 ? "yes" :
	    "yes (unverified; report_require_dkim = no)") :
	    "no: unverified (report_require_dkim = yes)");
	table_row(t, "sessions:", n);
	table_print(t, stdout);
	table_free(t);
	buf_free(&dkim);
	json_array_foreach(json_object_get(r, "deviations"), i, v)
		printf("%s %s\n", i ? "          " : "deviations:",
		    report_esc_deviation(json_string_value(v)));
	json_array_foreach(json_object_get(r, "policies"), i, v)
		report_show_policy(i, v);
}

static void
report_show_one(const struct rptdb_report *r, void *arg)
{
	struct report_json_ctx *c = arg;

	c->a = report_json(c->db, r, c->tot);
	c->start = r->start;
	c->end = r->end;
}

/* fetches.db read-only, or NULL when there is none (or it fails). */
static struct fetchdb *
report_fetches_open(void)
{
	struct buf err = BUF_INIT;
	struct fetchdb *f = NULL;
	char *path = xasprintf("%s/%s", var_data_directory, FETCHDB_FILE);

	if (access(path, R_OK) == 0 && (f = fetchdb_open(path, &err)) == NULL)
		fprintf(stderr, "stsctl: %s\n", err.s);
	free(path);
	buf_free(&err);
	return f;
}

/*
 * Next to each sts-policy-fetch-error or sts-webpki-invalid failure,
 * what httpd saw from its sending-mta-ip in the report's date range
 * (lib/fetchdb): "httpd-saw".
 */
static void
report_add_fetches(json_t *r, time_t start, time_t end)
{
	struct fetchdb *f = NULL;
	struct buf line = BUF_INIT;
	json_t *p, *d;
	size_t i, j;
	int opened = 0;

	json_array_foreach(json_object_get(r, "policies"), i, p) {
		json_array_foreach(json_object_get(p, "failure-details"), j,
		    d) {
			const char *type = json_string_value(json_object_get(d,
			    "result-type"));

			if (type == NULL || (strcmp(type,
			    "sts-policy-fetch-error") != 0 && strcmp(type,
			    "sts-webpki-invalid") != 0))
				continue;
			if (!opened++)
				f = report_fetches_open();
			buf_reset(&line);
			if (fetchdb_failure_line(f, type, json_string_value(
			    json_object_get(d, "sending-mta-ip")), start, end,
			    &line) > 0)
				json_object_set_new(d, "httpd-saw",
				    json_string(line.s));
		}
	}
	fetchdb_close(f);
	buf_free(&line);
}

int
report_show(struct rptdb *db, const struct report_opts *o)
{
	struct report_json_ctx c;
	char *end;
	long long id;

	if (o->arg == NULL)
		report_usage();
	id = strtoll(o->arg, &end, 10);
	if (*end != '\0' || id <= 0)
		stsctl_die("report show %s: expected a report number (see"
		    " stsctl report list)", o->arg);
	c.db = db;
	c.tot = rptsum_totals_new(db, NULL);
	c.a = NULL;
	if (rptdb_report_get(db, id, report_show_one, &c) < 0)
		stsctl_die("report %lld: no such report", id);
	rptdb_totals_free(c.tot);
	report_add_fetches(c.a, c.start, c.end);
	if (o->json)
		report_print_json(c.a);
	else
		report_show_text(c.a);
	json_decref(c.a);
	return 0;
}

/*
 * export: every report whole (--json), or one line per failure detail,
 * and per policy without any (--csv).
 */
/* One line of the CSV: the columns of report_export_csv()'s head. */
static void
report_csv_row(const struct rptdb_export_row *row, void *arg)
{
	static const struct rptdb_failure none;	/* a policy without */
	const struct rptdb_report *r = row->report;
	const struct rptdb_policy *p = row->policy;
	const struct rptdb_failure *f = row->failure ? row->failure : &none;
	static struct buf line;		/* reused, line after line */
	char t1[TIMEFMT_RFC3339_SIZE], t2[TIMEFMT_RFC3339_SIZE];
	char id[REPORT_CSV_INT], ok[REPORT_CSV_INT], bad[REPORT_CSV_INT];
	char sessions[REPORT_CSV_INT];
	const char *cells[] = { id, r->organization, r->report_id,
	    report_time(r->start, t1), report_time(r->end, t2), r->via,
	    p->type, p->domain, p->hosted_domain, ok, bad, f->result_type,
	    f->sending_mta_ip, f->receiving_mx_hostname, f->receiving_mx_helo,
	    f->receiving_ip, row->failure ? sessions : NULL,
	    f->additional_information, f->failure_reason_code,
	    r->dkim_result, r->dkim_domain, r->dkim_selector, r->dkim_reason,
	    r->counts ? "yes" : "no", p->counted ? "yes" : "no" };
	size_t i;

	(void)arg;
	buf_reset(&line);
	snprintf(id, sizeof(id), "%lld", (long long)r->id);
	snprintf(ok, sizeof(ok), "%lld", (long long)p->success_count);
	snprintf(bad, sizeof(bad), "%lld", (long long)p->failure_count);
	snprintf(sessions, sizeof(sessions), "%lld",
	    (long long)f->failed_session_count);
	for (i = 0; i < sizeof(cells) / sizeof(cells[0]); i++) {
		if (i > 0)
			buf_putc(&line, ',');
		csv_cell(&line, cells[i], CSV_TERMINAL);
	}
	buf_putc(&line, '\n');
	fwrite(line.s, 1, line.len, stdout);
}

static int
report_export_csv(struct rptdb *db, const struct report_opts *o)
{
	struct rptdb_filter f;
	int i;

	for (i = 0; rptjson_csv_columns[i] != NULL; i++)
		printf("%s%s", i ? "," : "", rptjson_csv_columns[i]);
	printf("\n");
	report_filter(o, o->unverified, &f);
	rptdb_export(db, &f, report_csv_row, NULL);
	return 0;
}

int
report_export(struct rptdb *db, const struct report_opts *o)
{
	struct report_json_ctx c;
	struct rptdb_filter f;

	if (o->csv == o->json)
		stsctl_die("report export: give one of --json or --csv");
	if (o->csv)
		return report_export_csv(db, o);
	report_filter(o, o->unverified, &f);
	c.db = db;
	c.tot = rptsum_totals_new(db, o->domain_name);
	c.a = json_array();
	rptdb_reports(db, &f, 0, report_json_add, &c);
	rptdb_totals_free(c.tot);
	report_print_json(c.a);
	json_decref(c.a);
	return 0;
}

