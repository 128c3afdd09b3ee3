/*
 * rptdb_test - lib/rptdb: what the writer stores, every reader gets back
 * through the interface, by the rules of REPORTS.DB (trust, counted
 * policies, domains in one form), in a temporary reports.db.  The same
 * checks run on both engines (STSD_TEST_PGCONNINFO: tests/unit_rptdb.h);
 * the file's mode, SQLite's page cache, its WAL and the migration of an
 * older file on SQLite only (PostgreSQL's reports.db is made at the last
 * version).
 * SPDX-License-Identifier: ISC
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <sqlite3.h>

#include "buf.h"
#include "cfg.h"
#include "mymalloc.h"
#include "rptdb.h"
#include "rptdb_sql.h"
#include "sqldb.h"
#include "tlsrpt.h"
#include "unit.h"
#include "unit_rptdb.h"

#define TEST_START	1795305600	/* 2026-11-22T00:00:00Z */

/* Two policies for one domain ("sts" counts, "tlsa" does not), one
 * without a domain, and a failure detail. */
static const char test_report_json[] =
    "{\"organization-name\":\"Org, Inc.\",\"contact-info\":null,"
    "\"date-range\":{\"start-datetime\":\"2026-11-22T00:00:00Z\","
    "\"end-datetime\":\"2026-11-22T23:59:59Z\"},\"report-id\":\"r-%s\","
    "\"policies\":["
    "{\"policy\":{\"policy-type\":\"tlsa\",\"policy-domain\":"
    "\"EXAMPLE.com.\"},\"summary\":{\"total-successful-session-count\":90,"
    "\"total-failure-session-count\":10}},"
    "{\"policy\":{\"policy-type\":\"sts\",\"policy-domain\":\"example.com\","
    "\"policy-string\":[\"version: STSv1\",\"mode: testing\"],"
    "\"mx-host\":[\"mx.example.com\"]},"
    "\"summary\":{\"total-successful-session-count\":95,"
    "\"total-failure-session-count\":5},\"failure-details\":["
    "{\"result-type\":\"certificate-expired\",\"receiving-mx-hostname\":"
    "\"mx.example.com\",\"failed-session-count\":7}]},"
    "{\"policy\":{\"policy-type\":\"no-policy-found\"},"
    "\"summary\":{\"total-successful-session-count\":1,"
    "\"total-failure-session-count\":0}}]}";

static const char *
test_hosted(void *arg, const char *domain)
{
	(void)arg;
	return strcmp(domain, "example.com") == 0 ||
	    strcmp(domain, "EXAMPLE.com.") == 0 ? "example.com" : NULL;
}

static const char *
test_no_hosted(void *arg, const char *domain)
{
	(void)arg;
	(void)domain;
	return NULL;
}

/*
 * Add the report with id suffix, by via, in a transaction of its own
 * (tx) or in the caller's; its row, or -1.
 */
static int64_t
test_add(struct rptdb *db, const char *id, const char *via,
    const char *dkim, int *rc, int tx)
{
	struct tlsrpt_limits lim;
	struct tlsrpt_report *r;
	struct rptdb_meta meta;
	struct buf err = BUF_INIT;
	char *json = xasprintf(test_report_json, id);
	int64_t row = -1;

	tlsrpt_limits_default(&lim);
	if (tlsrpt_parse(json, strlen(json), &lim, &r, &err) < 0) {
		CHECK(0, "test report parses: %s", err.s);
		goto out;
	}
	memset(&meta, 0, sizeof(meta));
	meta.via = via;
	meta.received = TEST_START + 86400;
	meta.spool_id = "20261123.0001";
	meta.dkim_result = dkim;
	meta.note = "a note of the message";
	rptdb_sha256(json, strlen(json), meta.sha256);
	if ((tx && rptdb_begin(db, &err) < 0) || (*rc = rptdb_report_add(db,
	    r, &meta, test_hosted, NULL, &row, &err)) < 0 ||
	    (tx && rptdb_commit(db, &err) < 0))
		CHECK(0, "report stored: %s", err.s);
	tlsrpt_free(r);
out:
	buf_free(&err);
	free(json);
	return row;
}

static int64_t
test_store(struct rptdb *db, const char *id, const char *via,
    const char *dkim, int *rc)
{
	return test_add(db, id, via, dkim, rc, 1);
}

struct test_rows {
	int	 n;
	int64_t	 ok, failed, detail;
	char	 text[4096];
};

static void
test_count_report(const struct rptdb_report *r, void *arg)
{
	struct test_rows *t = arg;

	t->n++;
	snprintf(t->text, sizeof(t->text), "%s|%s|%s|%s|%d|%s", r->organization,
	    r->report_id, r->via, r->dkim_result, r->counts,
	    r->domains ? r->domains : "(null)");
}

static void
test_count_policy(const struct rptdb_domain_policy *p, void *arg)
{
	struct test_rows *t = arg;

	t->n++;
	t->ok += p->success_count;
	t->failed += p->failure_count;
	snprintf(t->text, sizeof(t->text), "%s %s", p->organization, p->day);
}

static void
test_count_failure(const struct rptdb_domain_failure *f, void *arg)
{
	struct test_rows *t = arg;

	t->n++;
	t->detail += f->failed_session_count;
	snprintf(t->text, sizeof(t->text), "%s %s", f->result_type, f->mx);
}

static void
test_count_total(const struct rptdb_total_row *row, void *arg)
{
	struct test_rows *t = arg;

	t->n++;
	t->ok += row->success_count;
	t->detail += row->detail;
}

static void
test_count_policies(const struct rptdb_policy *p, void *arg)
{
	struct test_rows *t = arg;
	size_t len = strlen(t->text);

	t->n++;
	snprintf(t->text + len, sizeof(t->text) - len, "%s%s/%s/%s/%d",
	    len ? " " : "", p->type, p->domain ? p->domain : "-",
	    p->hosted_domain ? p->hosted_domain : "-", p->counted);
}

static void
test_count_text(const char *s, void *arg)
{
	struct test_rows *t = arg;
	size_t len = strlen(t->text);

	t->n++;
	snprintf(t->text + len, sizeof(t->text) - len, "%s[%s]",
	    len ? " " : "", s);
}

static void
test_count_export(const struct rptdb_export_row *row, void *arg)
{
	struct test_rows *t = arg;

	t->n++;
	if (row->failure != NULL)
		t->detail += row->failure->failed_session_count;
}

/* Writer and readers agree on one report. */
static void
test_roundtrip(struct rptdb *db)
{
	struct rptdb_filter f = { "example.com", 0, 0 };
	struct test_rows t;
	struct rptdb_totals *tot;
	int rc = -1;
	int64_t row, again;

	row = test_store(db, "1", "https", NULL, &rc);
	CHECK(row > 0 && rc == 1, "a report is stored: row %lld",
	    (long long)row);
	again = test_store(db, "1", "https", NULL, &rc);
	CHECK(again == row && rc == 0,
	    "the same report again is not stored twice: rc %d", rc);

	memset(&t, 0, sizeof(t));
	rptdb_domain_policies(db, "example.com", TEST_START - 1,
	    test_count_policy, &t);
	CHECK(t.n == 1 && t.ok == 95 && t.failed == 5 &&
	    STR_EQ(t.text, "Org, Inc. 2026-11-22"),
	    "the domain's counted policy only (sts, not tlsa): %d, %s", t.n,
	    t.text);
	memset(&t, 0, sizeof(t));
	rptdb_domain_policies(db, "example.com", TEST_START + 86400,
	    test_count_policy, &t);
	CHECK(t.n == 0, "a window after the report's end has none");
	memset(&t, 0, sizeof(t));
	rptdb_domain_failures(db, "EXAMPLE.COM", TEST_START - 1,
	    test_count_failure, &t);
	CHECK(t.n == 1 && t.detail == 7 &&
	    STR_EQ(t.text, "certificate-expired mx.example.com"),
	    "its failure detail, the domain matched in any case: %s", t.text);
	CHECK(rptdb_domain_known(db, "example.com") &&
	    !rptdb_domain_known(db, "example.net"),
	    "a domain with stored reports is known, another is not");

	memset(&t, 0, sizeof(t));
	tot = rptdb_totals_new(db, "example.com");
	rptdb_totals_get(tot, row, test_count_total, &t);
	rptdb_totals_free(tot);
	CHECK(t.n == 1 && t.ok == 95 && t.detail == 7,
	    "the totals of the report for the domain: %d rows", t.n);

	memset(&t, 0, sizeof(t));
	rptdb_reports(db, &f, 1, test_count_report, &t);
	CHECK(t.n == 1 && STR_EQ(t.text,
	    "Org, Inc.|r-1|https|none|1|example.com example.com -"),
	    "listed, trusted (https), with its policy-domains: %s", t.text);
	CHECK(rptdb_reports_count(db, &f) == 1, "counted once");
	f.unverified = 1;
	CHECK(rptdb_reports_count(db, &f) == 0, "not among the unverified");

	memset(&t, 0, sizeof(t));
	CHECK(rptdb_report_get(db, row, test_count_report, &t) == 0 &&
	    t.n == 1, "shown by its id");
	CHECK(rptdb_report_get(db, row + 100, test_count_report, &t) < 0,
	    "no such report: -1");
	memset(&t, 0, sizeof(t));
	rptdb_report_policies(db, row, test_count_policies, &t);
	CHECK(t.n == 3 && STR_EQ(t.text, "tlsa/example.com/example.com/0 "
	    "sts/example.com/example.com/1 no-policy-found/-/-/1"),
	    "its policies in order, domains in one form, counted: %s",
	    t.text);
	memset(&t, 0, sizeof(t));
	rptdb_report_deviations(db, row, test_count_text, &t);
	CHECK(t.n >= 2 && strncmp(t.text, "[a note of the message]", 23) == 0,
	    "its deviations, the message's note first: %s", t.text);

	memset(&t, 0, sizeof(t));
	f.unverified = 0;
	rptdb_export(db, &f, test_count_export, &t);
	CHECK(t.n == 3 && t.detail == 7,
	    "export: a row per failure detail and per policy without one");
}

/* Policy rows of test_rows_policies: "domain:ok:strings:mx" each. */
#define TEST_ROWS_POLICIES	13
struct test_policy_rows {
	int	 n;
	int64_t	 id[TEST_ROWS_POLICIES];
	char	 text[4096];
};

static void
test_rows_policy(const struct rptdb_policy *p, void *arg)
{
	struct test_policy_rows *t = arg;
	size_t len = strlen(t->text);

	if (t->n < TEST_ROWS_POLICIES)
		t->id[t->n] = p->id;
	t->n++;
	snprintf(t->text + len, sizeof(t->text) - len, "%s%s:%lld:%s:%s",
	    len ? " " : "", p->domain ? p->domain : "-",
	    (long long)p->success_count, p->strings, p->mx_hosts);
}

static void
test_rows_failure(const struct rptdb_failure *f, void *arg)
{
	int64_t *sum = arg;

	*sum += f->failed_session_count;
}

/*
 * A report of 13 policies, failure details in the 3rd and the 8th: the
 * policies between go into reports.db several rows per insert, the two
 * with details one each; every row in its place, with its own values,
 * each failure detail under its own policy.
 */
static void
test_rows_policies(struct rptdb *db)
{
	struct tlsrpt_limits lim;
	struct tlsrpt_report *r = NULL;
	struct test_policy_rows t;
	struct rptdb_meta meta;
	struct buf json = BUF_INIT, err = BUF_INIT, want = BUF_INIT;
	int64_t row = -1, sum;
	int i, rc;

	buf_puts(&json, "{\"organization-name\":\"Rows\",\"date-range\":"
	    "{\"start-datetime\":\"2026-11-22T00:00:00Z\",\"end-datetime\":"
	    "\"2026-11-22T23:59:59Z\"},\"report-id\":\"rows\",\"policies\":[");
	for (i = 0; i < TEST_ROWS_POLICIES; i++) {
		buf_printf(&json, "%s{\"policy\":{\"policy-type\":\"sts\","
		    "\"policy-domain\":\"d%d.example\",\"policy-string\":"
		    "[\"version: STSv1\",\"mx: mx%d.\\\"q\\\"\"],"
		    "\"mx-host\":[\"mx%d.d%d.example\"]},\"summary\":"
		    "{\"total-successful-session-count\":%d,"
		    "\"total-failure-session-count\":%d}", i ? "," : "", i, i,
		    i, i, 1000 + i, i == 2 || i == 7 ? 100 + i : 0);
		if (i == 2 || i == 7)
			buf_printf(&json, ",\"failure-details\":[{\"result-type\":"
			    "\"certificate-expired\",\"failed-session-count\":"
			    "%d}]", 100 + i);
		buf_puts(&json, "}");
		buf_printf(&want, "%sd%d.example:%d:[\"version: STSv1\","
		    "\"mx: mx%d.\\\"q\\\"\"]:[\"mx%d.d%d.example\"]",
		    i ? " " : "", i, 1000 + i, i, i, i);
	}
	buf_puts(&json, "]}");
	tlsrpt_limits_default(&lim);
	if (tlsrpt_parse(json.s, json.len, &lim, &r, &err) < 0) {
		CHECK(0, "the report of %d policies parses: %s",
		    TEST_ROWS_POLICIES, err.s);
		goto out;
	}
	memset(&meta, 0, sizeof(meta));
	meta.via = "https";
	meta.received = TEST_START + 86400;
	rptdb_sha256(json.s, json.len, meta.sha256);
	if (rptdb_begin(db, &err) < 0 || (rc = rptdb_report_add(db, r, &meta,
	    test_no_hosted, NULL, &row, &err)) != 1 ||
	    rptdb_commit(db, &err) < 0) {
		CHECK(0, "the report of %d policies is stored: %s",
		    TEST_ROWS_POLICIES, err.s);
		goto out;
	}
	memset(&t, 0, sizeof(t));
	rptdb_report_policies(db, row, test_rows_policy, &t);
	CHECK(t.n == TEST_ROWS_POLICIES && STR_EQ(t.text, want.s),
	    "%d policies stored in order, each with its values: %s",
	    TEST_ROWS_POLICIES, t.text);
	for (i = 1; i < TEST_ROWS_POLICIES && i < t.n; i++)
		if (t.id[i] != t.id[i - 1] + 1)
			break;
	CHECK(i == TEST_ROWS_POLICIES, "their row ids follow their order");
	for (i = 0; i < TEST_ROWS_POLICIES && i < t.n; i++) {
		sum = 0;
		rptdb_policy_failures(db, t.id[i], test_rows_failure, &sum);
		if (sum != (i == 2 || i == 7 ? 100 + i : 0))
			break;
	}
	CHECK(i == TEST_ROWS_POLICIES, "each failure detail is under its"
	    " policy (policy %d)", i);
out:
	tlsrpt_free(r);
	buf_free(&json);
	buf_free(&err);
	buf_free(&want);
}

/* Mailed without a passing signature: unverified, unless the parameter
 * says that such reports count. */
static void
test_trust(struct rptdb *db)
{
	struct rptdb_filter f = { NULL, 0, 1 };
	struct buf err = BUF_INIT;
	struct test_rows t;
	int rc = -1;

	test_store(db, "2", "mailto", "fail", &rc);
	CHECK(rptdb_reports_count(db, &f) == 1,
	    "a mailed report whose DKIM failed is unverified");
	memset(&t, 0, sizeof(t));
	rptdb_domain_unverified(db, "example.com", TEST_START - 1,
	    test_count_report, &t);
	CHECK(t.n == 1 && strstr(t.text, "|r-2|mailto|fail|") != NULL,
	    "and listed apart for the domain: %s", t.text);
	memset(&t, 0, sizeof(t));
	rptdb_domain_policies(db, "example.com", TEST_START - 1,
	    test_count_policy, &t);
	CHECK(t.n == 1, "it adds nothing to the domain's sessions");
	if (cfg_override(RPTDB_REQUIRE_DKIM, "no", &err) < 0)
		CHECK(0, "report_require_dkim = no: %s", err.s);
	memset(&t, 0, sizeof(t));
	rptdb_domain_policies(db, "example.com", TEST_START - 1,
	    test_count_policy, &t);
	CHECK(t.n == 2 && t.ok == 190,
	    "with report_require_dkim = no it counts: %d rows", t.n);
	(void)cfg_override(RPTDB_REQUIRE_DKIM, "yes", &err);
	buf_free(&err);
}

/* The hosted domains change: the stored rows follow. */
static void
test_hosted_fill(struct rptdb *db)
{
	struct buf err = BUF_INIT;
	struct test_rows t;
	int64_t row;
	int rc = -1;

	row = test_store(db, "3", "https", NULL, &rc);
	rc = rptdb_hosted_fill(db, test_no_hosted, NULL, &err);
	CHECK(rc == 0, "hosted domains refilled: %s", err.s ? err.s : "");
	memset(&t, 0, sizeof(t));
	rptdb_report_policies(db, row, test_count_policies, &t);
	CHECK(STR_EQ(t.text, "tlsa/example.com/-/0 sts/example.com/-/1 "
	    "no-policy-found/-/-/1"),
	    "a domain no longer hosted has no hosted domain: %s", t.text);
	buf_free(&err);
}

/*
 * Silent reporters: daily reports of org for domain, the first day
 * first days after TEST_START, n of them (org as JSON writes it); by https (trusted) or mailed
 * without DKIM (unverified).
 */
static void
test_daily(struct rptdb *db, const char *org, const char *domain,
    int first, int n, int trusted)
{
	struct tlsrpt_limits lim;
	struct tlsrpt_report *r;
	struct rptdb_meta meta;
	struct buf err = BUF_INIT, json = BUF_INIT;
	char day[16];
	time_t t;
	struct tm tm;
	int64_t row;
	int i;

	tlsrpt_limits_default(&lim);
	for (i = 0; i < n; i++) {
		t = TEST_START + (time_t)(first + i) * RPTDB_DAY;
		gmtime_r(&t, &tm);
		strftime(day, sizeof(day), "%Y-%m-%d", &tm);
		buf_reset(&json);
		buf_printf(&json, "{\"organization-name\":\"%s\","
		    "\"contact-info\":null,\"date-range\":{\"start-datetime\":"
		    "\"%sT00:00:00Z\",\"end-datetime\":\"%sT23:59:59Z\"},"
		    "\"report-id\":\"%s-%s-%d\",\"policies\":[{\"policy\":"
		    "{\"policy-type\":\"sts\",\"policy-domain\":\"%s\"},"
		    "\"summary\":{\"total-successful-session-count\":10,"
		    "\"total-failure-session-count\":0}}]}", org, day, day, org,
		    domain, first + i, domain);
		if (tlsrpt_parse(json.s, json.len, &lim, &r, &err) < 0) {
			CHECK(0, "daily report parses: %s", err.s);
			break;
		}
		memset(&meta, 0, sizeof(meta));
		meta.via = trusted ? "https" : "mailto";
		meta.received = t + RPTDB_DAY;
		meta.spool_id = "20261123.0002";
		rptdb_sha256(json.s, json.len, meta.sha256);
		if (rptdb_begin(db, &err) < 0 || rptdb_report_add(db, r, &meta,
		    test_hosted, NULL, &row, &err) < 0 ||
		    rptdb_commit(db, &err) < 0)
			CHECK(0, "daily report stored: %s", err.s);
		tlsrpt_free(r);
	}
	buf_free(&err);
	buf_free(&json);
}

static void
test_silent_row(const struct rptdb_silent *s, void *arg)
{
	struct test_rows *t = arg;
	size_t len = strlen(t->text);

	t->n++;
	snprintf(t->text + len, sizeof(t->text) - len, "%s%s/%s/%lld/%lld/%lld",
	    len ? " " : "", s->domain, s->organization, s->days, s->reports,
	    (long long)(s->last - TEST_START));
}

static struct test_rows
test_silent_query(struct rptdb *db, const char *domain, time_t now,
    size_t limit)
{
	struct test_rows t;
	long long n;

	memset(&t, 0, sizeof(t));
	n = rptdb_silent(db, domain, now, limit, test_silent_row, &t);
	CHECK(n == t.n, "rptdb_silent returns its rows: %lld", n);
	return t;
}

static void
test_silent(const char *dir)
{
	char *path = xasprintf("%s/silent.db", dir);
	struct buf err = BUF_INIT;
	struct rptdb *db;
	struct test_rows t;
	time_t last, now;

	if ((db = unit_rptdb_open_write(path, NULL, 0, &err)) == NULL) {
		CHECK(0, "silent.db created: %s", err.s);
		goto out;
	}
	/* Days 0-19 from Quiet Org; its last report ends day 20 - 1s. */
	test_daily(db, "Quiet Org", "example.com", 0, 20, 1);
	test_daily(db, "Few Org", "example.com", 17, 3, 1);
	test_daily(db, "Busy Org", "example.com", 0, 30, 1);
	test_daily(db, "Forged Org", "example.com", 0, 20, 0);
	test_daily(db, "Other Org", "example.org", 0, 20, 1);
	last = TEST_START + 20 * RPTDB_DAY - 1;

	t = test_silent_query(db, NULL, last + 3 * RPTDB_DAY - 1,
	    RPTDB_SILENT_MAX);
	CHECK(t.n == 0, "a second short of alert_silent_time: none: %s",
	    t.text);
	now = last + 3 * RPTDB_DAY;
	t = test_silent_query(db, NULL, now, RPTDB_SILENT_MAX);
	/* From day 6 (now - 3d - 14d, a second before) to 19: 14. */
	CHECK(STR_EQ(t.text, "example.com/Quiet Org/3/14/1727999"),
	    "alert_silent_time after the last report: only the regular,"
	    " trusted reporter of a hosted domain: %s", t.text);
	t = test_silent_query(db, "EXAMPLE.COM", now, RPTDB_SILENT_MAX);
	CHECK(STR_EQ(t.text, "example.com/Quiet Org/3/14/1727999"),
	    "one domain, in any case: %s", t.text);
	t = test_silent_query(db, "example.org", now, RPTDB_SILENT_MAX);
	CHECK(t.n == 0, "a domain that is not hosted: none: %s", t.text);
	/* Day 19 - 14 - 3 + ...: 4 reports left in the window: no longer. */
	t = test_silent_query(db, NULL, now + 13 * RPTDB_DAY, RPTDB_SILENT_MAX);
	CHECK(strstr(t.text, "Quiet Org") == NULL, "fewer than"
	    " alert_silent_min_reports left in the window: no longer a"
	    " regular reporter: %s", t.text);
	test_daily(db, "Bad\\nOrg\\u001b", "example.com", 0, 20, 1);
	t = test_silent_query(db, NULL, now, 1);
	CHECK(t.n == 1, "the limit holds: %s", t.text);
	t = test_silent_query(db, NULL, now, RPTDB_SILENT_MAX);
	CHECK(t.n == 2 && strstr(t.text, "Bad\nOrg\x1b/3/14") != NULL,
	    "any bytes of a name come back as stored: %s", t.text);
	test_daily(db, "Quiet Org", "example.com", 21, 1, 1);
	t = test_silent_query(db, "example.com", now + RPTDB_DAY,
	    RPTDB_SILENT_MAX);
	CHECK(t.n == 1 && strstr(t.text, "Quiet Org") == NULL,
	    "a new report ends the silence: %s", t.text);
	rptdb_close(db);
out:
	unit_rptdb_unlink(path);
	free(path);
	buf_free(&err);
}

/* The rows of rptdb_totals_read() as "kind:result=n " in order. */
static void
test_total_row(int kind, const char *result, int64_t n, void *arg)
{
	struct test_rows *t = arg;
	size_t len = strlen(t->text);

	snprintf(t->text + len, sizeof(t->text) - len, "%d:%s=%lld ", kind,
	    result, (long long)n);
}

static const char *
test_totals_text(struct rptdb *db, struct test_rows *t)
{
	memset(t, 0, sizeof(*t));
	CHECK(rptdb_totals_read(db, test_total_row, t) == 0, "totals read");
	return t->text;
}

/* An older reports.db: version 4, without totals (nor migration 6). */
static int
test_make_v4(const char *path, const char *change)
{
	sqlite3 *db;
	char *sql = xasprintf("BEGIN; DROP TABLE totals;"
	    " DROP TABLE domain_policies; DROP TABLE domain_failures;"
	    " DROP TABLE reporters; %s;"
	    " PRAGMA user_version = 4; COMMIT;", change);
	int rc;

	rc = sqlite3_open(path, &db) == SQLITE_OK &&
	    sqlite3_exec(db, sql, NULL, NULL, NULL) == SQLITE_OK ? 0 : -1;
	sqlite3_close(db);
	free(sql);
	return rc;
}

/*
 * Two writers (two rptparse of two nodes) store the same report at the
 * same moment: the second one's insert waits for the first one's
 * transaction (PostgreSQL: a lock on the unique key of reports; SQLite:
 * BEGIN IMMEDIATE), then finds the report stored and counts it as a
 * duplicate, under the first one's row, or stores it when the first one
 * rolled back.  The second writer is a child process; on PostgreSQL the
 * parent ends its transaction only once pg_stat_activity shows the
 * child waiting for that lock.
 */
#define TEST_RACE_WAIT_MS	10000

/* The child: 10 + rptdb_report_add()'s result (0 or 1), its row on fd. */
static void
test_race_child(const char *path, int go, int fd)
{
	struct buf err = BUF_INIT;
	struct rptdb *b;
	int64_t row = -1;
	int rc = -1;
	char c;

	/* Forked before the parent opened anything: no handle shared. */
	if (read(go, &c, 1) != 1)
		_exit(5);
	if ((b = unit_rptdb_open_write(path, NULL, 0, &err)) == NULL ||
	    rptdb_begin(b, &err) < 0) {
		fprintf(stderr, "# race: the second writer: %s\n", err.s);
		_exit(2);
	}
	row = test_add(b, "race", "https", NULL, &rc, 0);
	if (rc < 0 || rptdb_commit(b, &err) < 0) {
		fprintf(stderr, "# race: the second writer: %s\n",
		    err.s ? err.s : "not stored");
		_exit(3);
	}
	if (write(fd, &row, sizeof(row)) != sizeof(row))
		_exit(4);
	_exit(10 + rc);
}

/* 1 once another connection waits for a lock (PostgreSQL). */
static int
test_race_waiting(struct rptdb *rd)
{
	struct sqldb_stmt *st = sqldb_cached(rd->db, "SELECT count(*) FROM"
	    " pg_stat_activity WHERE datname = current_database() AND"
	    " wait_event_type = 'Lock'");
	int n = 0;

	if (sqldb_step(st) == SQLDB_ROW)
		n = (int)sqldb_int(st, 0);
	sqldb_finish(st);
	return n > 0;
}

static void
test_race(const char *dir, int commit)
{
	char *path = xasprintf("%s/race.db", dir);
	struct buf err = BUF_INIT;
	struct rptdb *a = NULL, *rd = NULL;
	int64_t row, theirs = -1;
	int rc, fd[2], go[2], status = 0, ms;
	pid_t pid;

	if (pipe(fd) < 0 || pipe(go) < 0) {
		CHECK(0, "race: pipe");
		goto out;
	}
	fflush(stdout);
	if ((pid = fork()) == 0) {
		close(fd[0]);
		close(go[1]);
		test_race_child(path, go[0], fd[1]);
	}
	close(fd[1]);
	close(go[0]);
	if ((a = unit_rptdb_open_write(path, NULL, 0, &err)) == NULL ||
	    rptdb_begin(a, &err) < 0) {
		CHECK(0, "race: reports.db: %s", err.s);
		close(go[1]);
		waitpid(pid, &status, 0);
		goto out;
	}
	row = test_add(a, "race", "https", NULL, &rc, 0);
	CHECK(rc == 1, "race: the first writer stores the report (row %lld)",
	    (long long)row);
	if (write(go[1], "g", 1) != 1)
		CHECK(0, "race: the second writer starts");
	close(go[1]);
	if (unit_rptdb_pg() && (rd = unit_rptdb_open(path, &err)) != NULL) {
		for (ms = 0; ms < TEST_RACE_WAIT_MS && !test_race_waiting(rd);
		    ms += 10)
			usleep(10000);
		CHECK(ms < TEST_RACE_WAIT_MS, "race: the second writer waits"
		    " for the first one's transaction (%d ms)", ms);
	} else
		usleep(300000);	/* SQLite: it waits in BEGIN IMMEDIATE */
	if (commit)
		CHECK(rptdb_commit(a, &err) == 0, "race: the first writer"
		    " commits: %s", err.s ? err.s : "");
	else
		rptdb_rollback(a);
	waitpid(pid, &status, 0);
	if (read(fd[0], &theirs, sizeof(theirs)) != sizeof(theirs))
		theirs = -1;
	close(fd[0]);
	if (commit)
		CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 10 &&
		    theirs == row, "race: the second writer finds it stored:"
		    " a duplicate, not an error, as row %lld (status %d, row"
		    " %lld)", (long long)row, status, (long long)theirs);
	else
		CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 11 &&
		    theirs > 0, "race: after the first one's rollback the"
		    " second writer stores it (status %d, row %lld)", status,
		    (long long)theirs);
	rptdb_close(rd);
	if ((rd = unit_rptdb_open(path, &err)) != NULL) {
		struct rptdb_filter f = { NULL, 0, 0 };

		CHECK(rptdb_reports_count(rd, &f) == 1, "race: stored once");
	}
out:
	rptdb_close(rd);
	rptdb_close(a);
	unit_rptdb_unlink(path);
	free(path);
	buf_free(&err);
}

/*
 * More result types in one transaction than the rows totals holds until
 * the commit (RPTDB_PENDING_MAX): each still adds up once.
 */
static void
test_totals_many(struct rptdb *db)
{
	struct tlsrpt_limits lim;
	struct tlsrpt_report *r;
	struct rptdb_meta meta;
	struct buf json = BUF_INIT, err = BUF_INIT;
	struct test_rows t;
	int64_t row;
	int i, n = RPTDB_PENDING_MAX + 6, ok = 1;
	char want[64];

	buf_printf(&json, "{\"organization-name\":\"Many\",\"date-range\":"
	    "{\"start-datetime\":\"2026-11-22T00:00:00Z\",\"end-datetime\":"
	    "\"2026-11-22T23:59:59Z\"},\"contact-info\":null,\"report-id\":"
	    "\"many\",\"policies\":[{\"policy\":{\"policy-type\":\"sts\","
	    "\"policy-domain\":\"many.example\"},\"summary\":{"
	    "\"total-successful-session-count\":0,"
	    "\"total-failure-session-count\":%d},\"failure-details\":[", n);
	for (i = 0; i < n; i++)
		buf_printf(&json, "%s{\"result-type\":\"type-%03d\","
		    "\"failed-session-count\":1}", i ? "," : "", i);
	buf_puts(&json, "]}]}");
	tlsrpt_limits_default(&lim);
	if (tlsrpt_parse(json.s, json.len, &lim, &r, &err) < 0) {
		CHECK(0, "report of %d result types parses: %s", n, err.s);
		goto out;
	}
	memset(&meta, 0, sizeof(meta));
	meta.via = "https";
	meta.received = TEST_START + 86400;
	rptdb_sha256(json.s, json.len, meta.sha256);
	if (rptdb_begin(db, &err) < 0 || rptdb_report_add(db, r, &meta,
	    test_no_hosted, NULL, &row, &err) < 0 ||
	    rptdb_commit(db, &err) < 0)
		CHECK(0, "report of %d result types stored: %s", n, err.s);
	tlsrpt_free(r);
	test_totals_text(db, &t);
	for (i = 0; i < n; i++) {
		snprintf(want, sizeof(want), " 1:type-%03d=1 ", i);
		ok &= strstr(t.text, want) != NULL;
	}
	CHECK(ok, "%d result types in one transaction, each once: %s", n,
	    t.text);
out:
	buf_free(&json);
	buf_free(&err);
}

/*
 * totals (migration 5): each new report adds its counted policies once,
 * trusted and not apart; a reports.db of version 4 gets them summed
 * from its rows when rptparse opens it.
 */
static void
test_totals(const char *dir)
{
	char *path = xasprintf("%s/totals.db", dir);
	struct buf err = BUF_INIT;
	struct test_rows t;
	struct rptdb *db, *rd;
	int rc;

	if ((db = unit_rptdb_open_write(path, NULL, 0, &err)) == NULL) {
		CHECK(0, "totals.db: %s", err.s);
		goto out;
	}
	CHECK(strcmp(test_totals_text(db, &t), "") == 0,
	    "no reports: no totals: '%s'", t.text);
	test_store(db, "1", "https", NULL, &rc);
	test_store(db, "1", "https", NULL, &rc);
	CHECK(rc == 0, "the same report again is not stored");
	test_store(db, "2", "mailto", "pass", &rc);
	test_store(db, "3", "mailto", "fail", &rc);
	/* Per report: sts 95 + no-policy 1 ok; sts failed max(5, 7). */
	test_totals_text(db, &t);
	CHECK(strcmp(t.text, "0:failed=14 0:successful=192"
	    " 1:certificate-expired=14 ") == 0,
	    "two trusted reports add up, the unverified one and the tlsa"
	    " policy do not: '%s'", t.text);
	(void)cfg_override(RPTDB_REQUIRE_DKIM, "no", &err);
	test_totals_text(db, &t);
	CHECK(strcmp(t.text, "0:failed=21 0:successful=288"
	    " 1:certificate-expired=21 ") == 0,
	    "report_require_dkim = no: the unverified one too: '%s'", t.text);
	(void)cfg_override(RPTDB_REQUIRE_DKIM, "yes", &err);
	if (unit_rptdb_pg()) {
		/* No older version there to migrate from. */
		test_totals_many(db);
		rptdb_close(db);
		goto out;
	}
	rptdb_close(db);

	/* Version 4, its sts policies with 10 failed sessions in summary. */
	CHECK(test_make_v4(path, "UPDATE policies SET failure_count = 10"
	    " WHERE type = 'sts'") == 0, "made a reports.db of version 4");
	buf_reset(&err);
	rd = unit_rptdb_open(path, &err);
	CHECK(rd == NULL && strstr(err.s ? err.s : "", "4") != NULL,
	    "a reader refuses version 4: %s", err.s ? err.s : "");
	rptdb_close(rd);
	buf_reset(&err);
	if ((db = unit_rptdb_open_write(path, NULL, 0, &err)) == NULL) {
		CHECK(0, "version 4 migrated: %s", err.s);
		goto out;
	}
	test_totals_text(db, &t);
	CHECK(strcmp(t.text, "0:failed=20 0:successful=192"
	    " 1:certificate-expired=14 1:not-detailed=6 ") == 0,
	    "migration 5 sums the rows stored, the failed sessions in no"
	    " detail apart: '%s'", t.text);
	test_store(db, "4", "https", NULL, &rc);
	test_totals_text(db, &t);
	CHECK(strcmp(t.text, "0:failed=27 0:successful=288"
	    " 1:certificate-expired=21 1:not-detailed=6 ") == 0,
	    "a report stored after the migration adds to them: '%s'", t.text);
	test_totals_many(db);
	rptdb_close(db);
out:
	unit_rptdb_unlink(path);
	free(path);
	buf_free(&err);
}

int
main(void)
{
	char dir[] = "/tmp/rptdb_test.XXXXXX", *path, *wal;
	struct buf err = BUF_INIT;
	struct rptdb *db, *rd;
	struct stat sb;

	if (mkdtemp(dir) == NULL) {
		CHECK(0, "temporary directory");
		return unit_status();
	}
	path = xasprintf("%s/%s", dir, RPTDB_FILE);
	rd = unit_rptdb_open(path, &err);
	CHECK(rd == NULL && err.len > 0,
	    "no reports.db yet: a reader is refused: %s", err.s);
	buf_reset(&err);
	/* The engine of main.cf, as the pages and metrics open it. */
	if (unit_rptdb_pg() && (cfg_override("storage_engine", "postgresql",
	    &err) < 0 || cfg_override("postgresql_conninfo",
	    getenv("STSD_TEST_PGCONNINFO"), &err) < 0))
		CHECK(0, "storage_engine = postgresql: %s", err.s);
	rd = rptdb_open_existing(path, &err);
	CHECK(rd == NULL && err.len == 0, "no reports.db yet: the pages'"
	    " open finds none and says nothing: '%s'", err.s ? err.s : "");
	buf_reset(&err);
	/* Each in a reports.db of its own, dropped after it. */
	test_silent(dir);
	test_totals(dir);
	test_race(dir, 1);
	test_race(dir, 0);
	if ((db = unit_rptdb_open_write(path, NULL, 1 << 20, &err)) == NULL) {
		CHECK(0, "reports.db created: %s", err.s);
		goto out;
	}
	if (!unit_rptdb_pg()) {
		CHECK(stat(path, &sb) == 0 && (sb.st_mode & 07777) ==
		    RPTDB_FILE_MODE, "reports.db is mode %04o",
		    RPTDB_FILE_MODE);
		CHECK(rptdb_cache_kib(db) == 1024, "its page cache is 1024"
		    " KiB");
	}
	test_roundtrip(db);
	test_rows_policies(db);
	test_trust(db);
	test_hosted_fill(db);
	rd = rptdb_open_existing(path, &err);
	CHECK(rd != NULL, "the pages' open finds it: %s", err.s ? err.s : "");
	rptdb_close(rd);
	if ((rd = unit_rptdb_open(path, &err)) == NULL)
		CHECK(0, "a reader opens it: %s", err.s);
	else {
		CHECK(rptdb_domain_known(rd, "example.com"),
		    "a reader sees what the writer committed");
		rptdb_close(rd);
	}
	rptdb_close(db);
	wal = xasprintf("%s-wal", path);
	CHECK(unit_rptdb_pg() || access(wal, F_OK) == 0, "the WAL file is"
	    " kept for readers");
	unlink(wal);
	free(wal);
	wal = xasprintf("%s-shm", path);
	unlink(wal);
	free(wal);
out:
	unit_rptdb_unlink(path);
	unlink(path);
	rmdir(dir);
	free(path);
	buf_free(&err);
	return unit_status();
}
