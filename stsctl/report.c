/*
 * report - "stsctl report ...": the TLS reports that rptparse stored.
 * SPDX-License-Identifier: ISC
 *
 * SYNOPSIS
 *	stsctl report list [--domain D] [--since DATE] [--unverified] [--json]
 *	stsctl report show ID [--json]
 *	stsctl report summary DOMAIN [--days N] [--json]
 *	stsctl report export --json|--csv [--domain D] [--since DATE]
 *	    [--unverified]
 *	stsctl report html [DOMAIN] [--days N]
 *
 * DESCRIPTION
 *	Reads $data_directory/reports.db read-only (db_open DB_READ, the
 *	schema of lib/tlsrpt); never talks to a daemon.  A DOMAIN matches
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
 *	stdout: the overview of every domain with each domain's section
 *	below it, or one domain; the last N days (DASHBOARD_DAYS by
 *	default).  It asks policyd for the domains (public socket), so
 *	the instance must be running; summary and the page share their
 *	numbers (lib/rptsum).
 *
 * LIMITS
 *	--days: 1 to REPORT_DAYS_MAX.  Readable lists show every row.
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
#include <sqlite3.h>

#include "buf.h"
#include "cfg.h"
#include "dashboard.h"
#include "db.h"
#include "esc.h"
#include "mymalloc.h"
#include "plural.h"
#include "proto.h"
#include "report.h"
#include "rptsum.h"
#include "perm.h"
#include "stsctl.h"
#include "usage.h"
#include "table.h"
#include "tlsrpt.h"

#define REPORT_DAYS_DEFAULT	7
#define REPORT_DAYS_MAX		3660
#define REPORT_BAR_WIDTH	40	/* characters of the longest trend bar */
#define REPORT_DB_FILE		"reports.db"
#define REPORT_ESC_SLOTS	24	/* escaped strings alive at once */

struct report_opts {
	const char *domain;
	time_t	 since;		/* 0: none */
	int	 days;
	int	 days_set;	/* --days given */
	int	 csv;
	int	 json;
	int	 unverified;	/* --unverified */
	const char *arg;	/* ID or DOMAIN */
	char	*domain_name;	/* domain, as stored (rptsum_domain_name) */
};

/*
 * A string of a report for text output: esc_text() into one of a ring
 * of buffers, valid for the next REPORT_ESC_SLOTS - 1 calls (a table
 * row copies its cells).  NULL is "-".
 */
static const char *
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
static const char *
report_esc_deviation(const char *s)
{
	const unsigned char *p;

	for (p = (const unsigned char *)s; p != NULL && *p; p++)
		if (*p < 0x20 || *p == 0x7f)
			return report_esc(s);
	return s != NULL ? s : "-";
}

static sqlite3 *
report_db(void)
{
	struct buf err = BUF_INIT;
	char *path = xasprintf("%s/%s", cfg_str("data_directory"),
	    REPORT_DB_FILE);
	sqlite3 *db;

	perm_check(path, R_OK);
	if ((db = db_open(path, DB_READ, tlsrpt_db_migrations(), &err)) == NULL)
		stsctl_die("%s (has rptparse stored any report yet?)", err.s);
	free(path);
	return db;
}

static char *
report_time(sqlite3_int64 t, char buf[TLSRPT_TIME_SIZE])
{
	return tlsrpt_time_format((time_t)t, buf);
}

static json_t *
report_col_text(sqlite3_stmt *st, int col)
{
	const unsigned char *s = sqlite3_column_text(st, col);

	return s ? json_string((const char *)s) : json_null();
}

/* The DKIM reason of a row (rptsum_dkim_reason), as JSON. */
static json_t *
report_dkim_reason(sqlite3_stmt *st, int via, int result, int reason)
{
	const char *r = rptsum_dkim_reason((const char *)
	    sqlite3_column_text(st, via), (const char *)
	    sqlite3_column_text(st, result), (const char *)
	    sqlite3_column_text(st, reason));

	return r ? json_string(r) : json_null();
}

static json_t *
report_col_list(sqlite3_stmt *st, int col)
{
	const char *s = (const char *)sqlite3_column_text(st, col);
	json_t *v = s ? json_loads(s, 0, NULL) : NULL;

	return v ? v : json_array();
}

static void
report_usage(void)
{
	fprintf(stderr, "usage: stsctl report list [--domain D] [--since DATE]"
	    " [--unverified] [--json]\n"
	    "       stsctl report show ID [--json]\n"
	    "       stsctl report summary DOMAIN [--days N] [--json]\n"
	    "       stsctl report export --json|--csv [--domain D]"
	    " [--since DATE] [--unverified]\n"
	    "       stsctl report html [DOMAIN] [--days N] > report.html\n");
	exit(USAGE_EXIT_ERROR);
}

static void
report_args(int argc, char **argv, struct report_opts *o)
{
	const char *dev;
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
			if (tlsrpt_time_parse(argv[++i], &o->since, &dev) < 0)
				stsctl_die("--since %s: expected YYYY-MM-DD or"
				    " YYYY-MM-DDTHH:MM:SSZ", argv[i]);
		} else if (strcmp(argv[i], "--days") == 0 && i + 1 < argc) {
			v = strtol(argv[++i], &end, 10);
			if (*argv[i] == '\0' || *end != '\0' || v < 1 ||
			    v > REPORT_DAYS_MAX)
				stsctl_die("--days %s: expected a number of days"
				    " from 1 to %d", argv[i], REPORT_DAYS_MAX);
			o->days = (int)v;
			o->days_set = 1;
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
	if (o->unverified && strcmp(argv[1], "list") != 0 &&
	    strcmp(argv[1], "export") != 0)
		stsctl_die("report %s: --unverified is for list and export",
		    argv[1]);
}

static void
report_print_json(json_t *v)
{
	if (json_dumpf(v, stdout, JSON_INDENT(2) | JSON_SORT_KEYS) < 0)
		stsctl_die("cannot write JSON output");
	printf("\n");
}

/*
 * The filter of list and export, as SQL: domain, since, and the
 * reports that count (?3 = 0) or the unverified ones (?3 = 1).
 */
#define REPORT_FILTER \
	" WHERE (?1 IS NULL OR r.id IN (SELECT p.report FROM policies p" \
	" WHERE p.hosted_domain = ?1 COLLATE NOCASE OR p.domain = ?1" \
	" COLLATE NOCASE)) AND (?2 IS NULL OR r.end_time > ?2)" \
	" AND CASE WHEN ?3 THEN NOT " TLSRPT_TRUSTED_SQL \
	" ELSE " RPTSUM_COUNTS_SQL " END"

static void
report_bind_filter(sqlite3_stmt *st, const struct report_opts *o,
    int unverified)
{
	if (o->domain_name)
		sqlite3_bind_text(st, 1, o->domain_name, -1, SQLITE_TRANSIENT);
	if (o->since)
		sqlite3_bind_int64(st, 2, (sqlite3_int64)o->since);
	sqlite3_bind_int(st, 3, unverified);
	rptsum_bind_trust(st);
}

/*
 * show: one report, whole.
 */
static json_t *
report_failures(sqlite3 *db, sqlite3_int64 policy)
{
	sqlite3_stmt *st = db_prepare(db, "SELECT result_type, sending_mta_ip,"
	    " receiving_mx_hostname, receiving_mx_helo, receiving_ip,"
	    " failed_session_count, additional_information,"
	    " failure_reason_code FROM failures WHERE policy = ? ORDER BY id");
	static const char *const keys[] = { "result-type", "sending-mta-ip",
	    "receiving-mx-hostname", "receiving-mx-helo", "receiving-ip",
	    "failed-session-count", "additional-information",
	    "failure-reason-code" };
	json_t *a = json_array(), *f;
	int i;

	sqlite3_bind_int64(st, 1, policy);
	while (sqlite3_step(st) == SQLITE_ROW) {
		f = json_object();
		for (i = 0; i < 8; i++) {
			if (sqlite3_column_type(st, i) == SQLITE_NULL)
				continue;
			json_object_set_new(f, keys[i], i == 5 ?
			    json_integer(sqlite3_column_int64(st, i)) :
			    report_col_text(st, i));
		}
		json_array_append_new(a, f);
	}
	sqlite3_finalize(st);
	return a;
}

static json_t *
report_policies(sqlite3 *db, sqlite3_int64 report)
{
	sqlite3_stmt *st = db_prepare(db, "SELECT id, type, domain,"
	    " hosted_domain, strings, mx_hosts, success_count, failure_count,"
	    " counted FROM policies WHERE report = ? ORDER BY idx");
	json_t *a = json_array();

	sqlite3_bind_int64(st, 1, report);
	while (sqlite3_step(st) == SQLITE_ROW)
		json_array_append_new(a, json_pack("{s:{s:o, s:o, s:o, s:o},"
		    " s:o, s:b, s:{s:I, s:I}, s:o}",
		    "policy",
		    "policy-type", report_col_text(st, 1),
		    "policy-domain", report_col_text(st, 2),
		    "policy-string", report_col_list(st, 4),
		    "mx-host", report_col_list(st, 5),
		    "hosted-domain", report_col_text(st, 3),
		    "counted", sqlite3_column_int(st, 8) != 0,
		    "summary",
		    "total-successful-session-count",
		    (json_int_t)sqlite3_column_int64(st, 6),
		    "total-failure-session-count",
		    (json_int_t)sqlite3_column_int64(st, 7),
		    "failure-details", report_failures(db,
		    sqlite3_column_int64(st, 0))));
	sqlite3_finalize(st);
	return a;
}

static json_t *
report_deviations(sqlite3 *db, sqlite3_int64 report)
{
	sqlite3_stmt *st = db_prepare(db, "SELECT text FROM deviations"
	    " WHERE report = ? ORDER BY idx");
	json_t *a = json_array();

	sqlite3_bind_int64(st, 1, report);
	while (sqlite3_step(st) == SQLITE_ROW)
		json_array_append_new(a, report_col_text(st, 0));
	sqlite3_finalize(st);
	return a;
}

#define REPORT_COLUMNS "r.id, r.organization, r.contact, r.report_id," \
	" r.start_time, r.end_time, r.received, r.via, r.submitter," \
	" r.sha256, r.spool_id, r.dkim_result, r.dkim_domain," \
	" r.dkim_selector, r.dkim_reason, " RPTSUM_COUNTS_SQL

/* One report from a row of REPORT_COLUMNS; its "sessions" by tot. */
static json_t *
report_json(sqlite3 *db, sqlite3_stmt *st, struct rptsum_totals *tot)
{
	char t1[TLSRPT_TIME_SIZE], t2[TLSRPT_TIME_SIZE], t3[TLSRPT_TIME_SIZE];
	sqlite3_int64 id = sqlite3_column_int64(st, 0);
	long long ok, bad;

	rptsum_totals_get(tot, id, &ok, &bad);
	return json_pack("{s:I, s:o, s:o, s:o, s:{s:s, s:s}, s:s, s:o, s:o,"
	    " s:o, s:o, s:{s:o, s:o, s:o, s:o}, s:b, s:{s:I, s:I}, s:o, s:o}",
	    "id", (json_int_t)id,
	    "organization-name", report_col_text(st, 1),
	    "contact-info", report_col_text(st, 2),
	    "report-id", report_col_text(st, 3),
	    "date-range",
	    "start-datetime", report_time(sqlite3_column_int64(st, 4), t1),
	    "end-datetime", report_time(sqlite3_column_int64(st, 5), t2),
	    "received", report_time(sqlite3_column_int64(st, 6), t3),
	    "via", report_col_text(st, 7),
	    "submitter", report_col_text(st, 8),
	    "sha256", report_col_text(st, 9),
	    "spool-id", report_col_text(st, 10),
	    "dkim",
	    "result", report_col_text(st, 11),
	    "domain", report_col_text(st, 12),
	    "selector", report_col_text(st, 13),
	    "reason", report_dkim_reason(st, 7, 11, 14),
	    "counts", sqlite3_column_int(st, 15) != 0,
	    "sessions", "successful", (json_int_t)ok, "failed", (json_int_t)bad,
	    "deviations", report_deviations(db, id),
	    "policies", report_policies(db, id));
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

static int
report_show(sqlite3 *db, const struct report_opts *o)
{
	struct rptsum_totals *tot;
	sqlite3_stmt *st;
	json_t *r;
	char *end;
	long long id;

	if (o->arg == NULL)
		report_usage();
	id = strtoll(o->arg, &end, 10);
	if (*end != '\0' || id <= 0)
		stsctl_die("report show %s: expected a report number (see"
		    " stsctl report list)", o->arg);
	st = db_prepare(db, "SELECT " REPORT_COLUMNS " FROM reports r"
	    " WHERE r.id = ?1");
	sqlite3_bind_int64(st, 1, id);
	rptsum_bind_trust(st);
	if (sqlite3_step(st) != SQLITE_ROW)
		stsctl_die("report %lld: no such report", id);
	tot = rptsum_totals_new(db, NULL);
	r = report_json(db, st, tot);
	rptsum_totals_free(tot);
	sqlite3_finalize(st);
	if (o->json)
		report_print_json(r);
	else
		report_show_text(r);
	json_decref(r);
	return 0;
}

/*
 * list
 */
/* How many reports the other selection of the filter holds. */
static long long
report_count_other(sqlite3 *db, const struct report_opts *o)
{
	sqlite3_stmt *st = db_prepare(db, "SELECT count(*) FROM reports r"
	    REPORT_FILTER);
	long long n = 0;

	report_bind_filter(st, o, !o->unverified);
	if (sqlite3_step(st) == SQLITE_ROW)
		n = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	return n;
}

static void
report_list_row(struct rptsum_totals *tot, sqlite3_stmt *st,
    const struct report_opts *o, struct table *t, json_t *a)
{
	char s[TLSRPT_TIME_SIZE], e[TLSRPT_TIME_SIZE], id[32], ok[32], bad[32];
	const char *doms = (const char *)sqlite3_column_text(st, 6);
	sqlite3_int64 rid = sqlite3_column_int64(st, 0);
	struct buf dkim = BUF_INIT;
	const char *reason;
	long long nok, nbad;

	rptsum_totals_get(tot, rid, &nok, &nbad);
	report_time(sqlite3_column_int64(st, 3), s);
	report_time(sqlite3_column_int64(st, 4), e);
	snprintf(id, sizeof(id), "%lld", (long long)rid);
	snprintf(ok, sizeof(ok), "%lld", nok);
	snprintf(bad, sizeof(bad), "%lld", nbad);
	if (o->unverified) {
		buf_puts(&dkim, report_esc((const char *)
		    sqlite3_column_text(st, 7)));
		if ((reason = rptsum_dkim_reason((const char *)
		    sqlite3_column_text(st, 5), (const char *)
		    sqlite3_column_text(st, 7), (const char *)
		    sqlite3_column_text(st, 10))) != NULL)
			buf_printf(&dkim, ": %s", report_esc(reason));
		table_row(t, id, s, e, report_esc((const char *)
		    sqlite3_column_text(st, 1)), report_esc(doms), ok, bad,
		    report_esc((const char *)sqlite3_column_text(st, 2)),
		    dkim.s);
	} else {
		table_row(t, id, s, e, report_esc((const char *)
		    sqlite3_column_text(st, 1)), report_esc(doms), ok, bad,
		    report_esc((const char *)sqlite3_column_text(st, 2)));
	}
	json_array_append_new(a, json_pack("{s:I, s:o, s:o, s:s, s:s,"
	    " s:o, s:s, s:I, s:I, s:{s:o, s:o, s:o, s:o}, s:b}",
	    "id", (json_int_t)rid,
	    "organization-name", report_col_text(st, 1),
	    "report-id", report_col_text(st, 2),
	    "start-datetime", s, "end-datetime", e,
	    "via", report_col_text(st, 5),
	    "domains", doms ? doms : "",
	    "total-successful-session-count", (json_int_t)nok,
	    "total-failure-session-count", (json_int_t)nbad,
	    "dkim", "result", report_col_text(st, 7),
	    "domain", report_col_text(st, 8),
	    "selector", report_col_text(st, 9),
	    "reason", report_dkim_reason(st, 5, 7, 10),
	    "counts", sqlite3_column_int(st, 11) != 0));
	buf_free(&dkim);
}

/*
 * list: the reports that count, or (--unverified) the others, each with
 * the sessions it adds (rptsum_totals_get).
 */
static int
report_list(sqlite3 *db, const struct report_opts *o)
{
	sqlite3_stmt *st = db_prepare(db, "SELECT r.id, r.organization,"
	    " r.report_id, r.start_time, r.end_time, r.via,"
	    " (SELECT group_concat(COALESCE(p.domain, '-'), ' ') FROM policies p"
	    "  WHERE p.report = r.id),"
	    " r.dkim_result, r.dkim_domain, r.dkim_selector, r.dkim_reason, "
	    RPTSUM_COUNTS_SQL
	    " FROM reports r" REPORT_FILTER " ORDER BY r.start_time, r.id");
	struct table *t = o->unverified ? table_new(9, "ID", "START", "END",
	    "ORGANIZATION", "DOMAINS", "OK", "FAILED", "REPORT-ID", "DKIM") :
	    table_new(8, "ID", "START", "END", "ORGANIZATION", "DOMAINS", "OK",
	    "FAILED", "REPORT-ID");
	struct rptsum_totals *tot = rptsum_totals_new(db, o->domain_name);
	json_t *a = json_array();
	long long other;

	report_bind_filter(st, o, o->unverified);
	while (sqlite3_step(st) == SQLITE_ROW)
		report_list_row(tot, st, o, t, a);
	sqlite3_finalize(st);
	rptsum_totals_free(tot);
	other = report_count_other(db, o);
	if (o->json) {
		json_t *r = json_pack("{s:o, s:I}", "reports", a,
		    o->unverified ? "counted" : "unverified",
		    (json_int_t)other);

		report_print_json(r);
		json_decref(r);
	} else {
		if (table_rows(t) == 0)
			printf(o->unverified ? "no unverified reports\n" :
			    "no reports\n");
		else
			table_print(t, stdout);
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
 * summary: the numbers are lib/rptsum's, shared with the HTML pages.
 */
static void
report_print_groups(const char *title, json_t *a, const char *key,
    const char *nokey)
{
	struct table *t;
	json_t *g;
	size_t i;
	char n[32], *k;

	printf("\n%s:\n", title);
	if (json_array_size(a) == 0) {
		printf("    none\n");
		return;
	}
	t = table_new(2, NULL);
	json_array_foreach(a, i, g) {
		const char *v = json_string_value(json_object_get(g, key));

		k = xasprintf("    %s", v ? report_esc(v) : nokey);
		snprintf(n, sizeof(n), "%lld", (long long)json_integer_value(
		    json_object_get(g, "sessions")));
		table_row(t, k, n);
		free(k);
	}
	table_print(t, stdout);
	table_free(t);
}

static void
report_print_trend(json_t *days)
{
	long long max = 1, ok, bad;
	char rate[RPTSUM_RATE_SIZE];
	json_t *d;
	size_t i;
	int w;

	printf("\nby day (# successful, x failed):\n");
	json_array_foreach(days, i, d) {
		ok = json_integer_value(json_object_get(d, "successful"));
		bad = json_integer_value(json_object_get(d, "failed"));
		if (rptsum_add(ok, bad) > max)
			max = rptsum_add(ok, bad);
	}
	json_array_foreach(days, i, d) {
		ok = json_integer_value(json_object_get(d, "successful"));
		bad = json_integer_value(json_object_get(d, "failed"));
		printf("    %s %10lld %7s ", json_string_value(
		    json_object_get(d, "day")), rptsum_add(ok, bad),
		    rptsum_rate_text(ok, bad, rate, sizeof(rate)));
		/* In double: REPORT_BAR_WIDTH * ok may pass the top. */
		for (w = 0; w < (int)(REPORT_BAR_WIDTH * (double)ok /
		    (double)max); w++)
			putchar('#');
		for (w = 0; bad > 0 && w < (int)(REPORT_BAR_WIDTH *
		    (double)bad / (double)max + 0.999); w++)
			putchar('x');
		putchar('\n');
	}
	if (json_array_size(days) == 0)
		printf("    none\n");
}

/*
 * Whether a domain is known: it has stored reports, or policyd hosts
 * it.  A name that is neither is a typo, not a domain without failures.
 */
static int
report_domain_known(sqlite3 *db, const char *arg, struct buf *why)
{
	static const char sql[] = "SELECT 1 FROM policies"
	    " WHERE hosted_domain = ?1 OR domain = ?1 LIMIT 1";
	char *name = rptsum_domain_name(arg);
	sqlite3_stmt *st = db_prepare(db, sql);
	json_t *reply;
	int known;

	sqlite3_bind_text(st, 1, name, -1, SQLITE_TRANSIENT);
	known = sqlite3_step(st) == SQLITE_ROW;
	sqlite3_finalize(st);
	if (!known) {
		reply = stsctl_request(json_pack("{s:s, s:s}", "op",
		    PROTO_OP_DOMAIN_SHOW, "domain", name), why);
		known = reply != NULL;
		json_decref(reply);
	}
	free(name);
	return known;
}

static int
report_summary(sqlite3 *db, const struct report_opts *o)
{
	long long ok, bad, reports, unv;
	char rate[RPTSUM_RATE_SIZE];
	struct buf why = BUF_INIT;
	json_t *r;

	if (o->arg == NULL)
		report_usage();
	if (!report_domain_known(db, o->arg, &why))
		stsctl_die("report summary %s: no report stored for this"
		    " domain, and policyd says: %s", report_esc(o->arg),
		    report_esc(why.s));
	buf_free(&why);
	r = rptsum_domain(db, o->arg, o->days, time(NULL));
	ok = json_integer_value(json_object_get(r, "successful"));
	bad = json_integer_value(json_object_get(r, "failed"));
	reports = json_integer_value(json_object_get(r, "reports"));
	unv = json_integer_value(json_object_get(r, "unverified"));
	if (o->json) {
		report_print_json(r);
	} else {
		printf("domain %s, last %d %s: %lld %s, %lld %s,"
		    " %lld failed, %s successful\n", report_esc(
		    json_string_value(json_object_get(r, "domain"))), o->days,
		    plural(o->days, "day", "days"), reports, plural(reports,
		    "report", "reports"), rptsum_add(ok, bad),
		    plural(rptsum_add(ok, bad), "session", "sessions"), bad,
		    rptsum_rate_text(ok,
		    bad, rate, sizeof(rate)));
		if (unv > 0)
			printf("(%lld unverified report%s not counted: stsctl"
			    " report list --unverified --domain %s)\n", unv,
			    unv == 1 ? "" : "s", report_esc(json_string_value(
			    json_object_get(r, "domain"))));
		report_print_groups("failed sessions by result type",
		    json_object_get(r, "by-result-type"), "result-type",
		    "(not in the failure details)");
		report_print_groups("failed sessions by MX host",
		    json_object_get(r, "by-mx-host"), "receiving-mx-hostname",
		    "-");
		printf("\nby sending organization:\n");
		{
			struct table *t = table_new(4, "    ORGANIZATION",
			    "SESSIONS", "FAILED", "SUCCESS");
			json_t *g;
			size_t i;

			json_array_foreach(json_object_get(r, "by-organization"),
			    i, g) {
				long long gok = json_integer_value(
				    json_object_get(g, "successful"));
				long long gbad = json_integer_value(
				    json_object_get(g, "failed"));
				char n[32], f[32], p[32], *k = xasprintf("    %s",
				    report_esc(json_string_value(json_object_get(
				    g, "organization-name"))));

				snprintf(n, sizeof(n), "%lld",
				    rptsum_add(gok, gbad));
				snprintf(f, sizeof(f), "%lld", gbad);
				rptsum_rate_text(gok, gbad, p, sizeof(p));
				table_row(t, k, n, f, p);
				free(k);
			}
			if (table_rows(t) > 0)
				table_print(t, stdout);
			else
				printf("    none\n");
			table_free(t);
		}
		report_print_trend(json_object_get(r, "by-day"));
	}
	json_decref(r);
	return 0;
}

/*
 * export: every report whole (--json), or one line per failure detail,
 * and per policy without any (--csv).
 */
static void
report_csv_cell(const char *raw)
{
	const char *s;

	if (raw == NULL)
		return;
	/* Escaped as for a terminal: no control character, no newline. */
	s = report_esc(raw);
	if (strpbrk(s, ",\"") == NULL) {
		fputs(s, stdout);
		return;
	}
	putchar('"');
	for (; *s; s++) {
		if (*s == '"')
			putchar('"');
		putchar(*s);
	}
	putchar('"');
}

static int
report_export_csv(sqlite3 *db, const struct report_opts *o)
{
	static const char *const head[] = { "report", "organization-name",
	    "report-id", "start-datetime", "end-datetime", "via",
	    "policy-type", "policy-domain", "hosted-domain",
	    "total-successful-session-count", "total-failure-session-count",
	    "result-type", "sending-mta-ip", "receiving-mx-hostname",
	    "receiving-mx-helo", "receiving-ip", "failed-session-count",
	    "additional-information", "failure-reason-code", "dkim-result",
	    "dkim-domain", "dkim-selector", "dkim-reason", "counts",
	    "counted", NULL };
	sqlite3_stmt *st = db_prepare(db, "SELECT r.id, r.organization,"
	    " r.report_id, r.start_time, r.end_time, r.via, p.type, p.domain,"
	    " p.hosted_domain, p.success_count, p.failure_count,"
	    " f.result_type, f.sending_mta_ip, f.receiving_mx_hostname,"
	    " f.receiving_mx_helo, f.receiving_ip, f.failed_session_count,"
	    " f.additional_information, f.failure_reason_code,"
	    " r.dkim_result, r.dkim_domain, r.dkim_selector, r.dkim_reason,"
	    " CASE WHEN " RPTSUM_COUNTS_SQL " THEN 'yes' ELSE 'no' END,"
	    " CASE WHEN p.counted THEN 'yes' ELSE 'no' END"
	    " FROM reports r JOIN policies p ON p.report = r.id"
	    " LEFT JOIN failures f ON f.policy = p.id" REPORT_FILTER
	    " ORDER BY r.start_time, r.id, p.idx, f.id");
	char t[TLSRPT_TIME_SIZE];
	int i;

	for (i = 0; head[i] != NULL; i++)
		printf("%s%s", i ? "," : "", head[i]);
	printf("\n");
	report_bind_filter(st, o, o->unverified);
	while (sqlite3_step(st) == SQLITE_ROW) {
		for (i = 0; head[i] != NULL; i++) {
			if (i)
				putchar(',');
			if (i == 3 || i == 4)
				fputs(report_time(sqlite3_column_int64(st, i), t),
				    stdout);
			else
				report_csv_cell((const char *)
				    sqlite3_column_text(st, i));
		}
		putchar('\n');
	}
	sqlite3_finalize(st);
	return 0;
}

static int
report_export(sqlite3 *db, const struct report_opts *o)
{
	struct rptsum_totals *tot;
	sqlite3_stmt *st;
	json_t *a;

	if (o->csv == o->json)
		stsctl_die("report export: give one of --json or --csv");
	if (o->csv)
		return report_export_csv(db, o);
	st = db_prepare(db, "SELECT " REPORT_COLUMNS " FROM reports r"
	    REPORT_FILTER " ORDER BY r.start_time, r.id");
	report_bind_filter(st, o, o->unverified);
	tot = rptsum_totals_new(db, o->domain_name);
	a = json_array();
	while (sqlite3_step(st) == SQLITE_ROW)
		json_array_append_new(a, report_json(db, st, tot));
	sqlite3_finalize(st);
	rptsum_totals_free(tot);
	report_print_json(a);
	json_decref(a);
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
	sqlite3 *db;
	char *path;
	long long ready = cfg_int("readiness_days");
	long long share = cfg_int("readiness_major_share");
	int rc;

	perm_check(sock, W_OK);
	domains = o->arg ? dashboard_domain(sock, o->arg, &err) :
	    dashboard_domains(sock, &err);
	if (domains == NULL)
		stsctl_die("report html: %s", err.s);
	path = xasprintf("%s/%s", cfg_str("data_directory"), REPORT_DB_FILE);
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
	rc = dashboard_html(&out, db, domains, &d, &err);
	if (rc == 1)
		stsctl_die("report html: %s (see stsctl domain list)", err.s);
	if (rc < 0)
		stsctl_die("report html: %s", err.s);
	if (fwrite(out.s, 1, out.len, stdout) != out.len || fflush(stdout))
		stsctl_die("cannot write the page to standard output");
	if (db != NULL)
		db_close(db);
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
		int	(*fn)(sqlite3 *, const struct report_opts *);
	} cmds[] = {
		{ "list", report_list },
		{ "show", report_show },
		{ "summary", report_summary },
		{ "export", report_export },
		{ "html", NULL },
		{ NULL, NULL }
	};
	struct report_opts o;
	sqlite3 *db;
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
	if (cmds[i].fn == NULL)
		return report_html(&o);
	if (i != 1 && i != 2 && o.arg != NULL)
		stsctl_usage_die("report %s: unexpected argument %s", argv[1], o.arg);
	db = report_db();
	rc = cmds[i].fn(db, &o);
	db_close(db);
	free(o.domain_name);
	return rc;
}
