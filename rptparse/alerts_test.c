/*
 * alerts_test - rptparse's alert rules (alerts.c) on a real reports.db
 * in a temporary directory, with a lib/alert store that records what
 * was sent instead of a file.  The alert_failure_rate syntax is
 * cfg's (lib/cfg_test).
 * SPDX-License-Identifier: ISC
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "alert.h"
#include "alerts.h"
#include "buf.h"
#include "cfg.h"
#include "hosted.h"
#include "log.h"
#include "mymalloc.h"
#include "rptdb.h"
#include "tlsrpt.h"
#include "unit.h"


#define TEST_MAX_SENT	64
#define TEST_DAY	1795651200	/* 2026-11-26T00:00:00Z */

/* The store: what was sent, as "domain kind key" lines. */
static char *sent[TEST_MAX_SENT];
static size_t nsent;

static const char *
test_get(void *ctx, const char *domain, const char *kind)
{
	size_t i, n = strlen(domain) + strlen(kind) + 2;
	const char *last = NULL;

	(void)ctx;
	for (i = 0; i < nsent; i++)
		if (strncmp(sent[i], domain, strlen(domain)) == 0 &&
		    sent[i][strlen(domain)] == ' ' &&
		    strncmp(sent[i] + strlen(domain) + 1, kind,
		    strlen(kind)) == 0 && sent[i][n - 1] == ' ')
			last = sent[i] + n;
	return last;
}

static void
test_put(void *ctx, const char *domain, const char *kind, const char *key)
{
	(void)ctx;
	if (key != NULL && nsent < TEST_MAX_SENT)
		sent[nsent++] = xasprintf("%s %s %s", domain, kind, key);
}

/* The alerts sent since the last call, one "domain kind key" per line. */
static char *
test_sent(void)
{
	static size_t seen;
	struct buf b = BUF_INIT;

	for (; seen < nsent; seen++)
		buf_printf(&b, "%s%s", b.len ? "\n" : "", sent[seen]);
	return b.s ? b.s : xstrdup("");
}

/* The hosted domain of a policy-domain, as rptparse gives it. */
static const char *
test_hosted(void *arg, const char *domain)
{
	return hosted_match(arg, domain);
}

/* Store a report made of json and run the alerts, received at when. */
static void
test_report(struct rptdb *db, const struct hosted *h, const char *json,
    time_t when)
{
	struct tlsrpt_limits lim;
	struct tlsrpt_report *r;
	struct rptdb_meta meta;
	struct buf err = BUF_INIT;
	int64_t row;

	tlsrpt_limits_default(&lim);
	if (tlsrpt_parse(json, strlen(json), &lim, &r, &err) < 0) {
		CHECK(0, "test report parses: %s", err.s);
		buf_free(&err);
		return;
	}
	memset(&meta, 0, sizeof(meta));
	meta.via = "mailto";
	meta.received = when;
	rptdb_sha256(json, strlen(json), meta.sha256);
	if (rptdb_report_add(db, r, &meta, test_hosted, (void *)h, &row,
	    &err) != 1)
		CHECK(0, "test report stored: %s", err.s);
	else
		alerts_report(db, h, r, row, when,
		    rptdb_counts(meta.via, meta.dkim_result), NULL);
	tlsrpt_free(r);
	buf_free(&err);
}

/* A report for domain with ok and failed sessions, failures of type. */
static char *
test_json(const char *id, const char *domain, int ok, int failed,
    const char *type)
{
	return xasprintf("{\"organization-name\":\"Org\",\"date-range\":"
	    "{\"start-datetime\":\"2026-11-22T00:00:00Z\",\"end-datetime\":"
	    "\"2026-11-22T23:59:59Z\"},\"contact-info\":\"c@org.example\","
	    "\"report-id\":\"%s\",\"policies\":[{\"policy\":{\"policy-type\":"
	    "\"sts\",\"policy-domain\":\"%s\"},\"summary\":{"
	    "\"total-successful-session-count\":%d,"
	    "\"total-failure-session-count\":%d},\"failure-details\":["
	    "%s%s%s]}]}", id, domain, ok, failed,
	    type ? "{\"result-type\":\"" : "", type ? type : "",
	    type ? "\",\"failed-session-count\":1}" : "");
}

static void
test_one(struct rptdb *db, const struct hosted *h, const char *id,
    const char *domain, int ok, int failed, const char *type, time_t when,
    const char *expect, const char *what)
{
	char *json = test_json(id, domain, ok, failed, type), *got;

	test_report(db, h, json, when);
	got = test_sent();
	CHECK(strcmp(got, expect) == 0, "%s", what);
	if (strcmp(got, expect) != 0)
		printf("#   got: %s\n#   expected: %s\n", got, expect);
	free(got);
	free(json);
}

/*
 * Counts at the parser's bound, 2^53, in 1,000 policies, in two
 * reports of one day (a day of their own): the day's sums pass
 * INT64_MAX, in reports.db (TOTAL(), a double) and in the sums kept
 * after it; they saturate, and the rate alerts once.
 */
static void
test_huge(struct rptdb *db, const struct hosted *h, time_t when)
{
	struct buf json = BUF_INIT;
	char *got;
	int i, n;

	for (n = 0; n < 2; n++) {
		buf_reset(&json);
		buf_printf(&json, "{\"organization-name\":\"Org\","
		    "\"date-range\":{\"start-datetime\":"
		    "\"2026-11-22T00:00:00Z\",\"end-datetime\":"
		    "\"2026-11-22T23:59:59Z\"},\"report-id\":\"huge-%d\","
		    "\"policies\":[", n);
		for (i = 0; i < 1000; i++)
			buf_printf(&json, "%s{\"policy\":{\"policy-type\":"
			    "\"sts\",\"policy-domain\":\"example.org\"},"
			    "\"summary\":{\"total-successful-session-count\":"
			    "9007199254740992,\"total-failure-session-count\":"
			    "9007199254740992}}", i ? "," : "");
		buf_puts(&json, "]}");
		test_report(db, h, json.s, when + n);
	}
	got = test_sent();
	CHECK(strcmp(got, "example.org failure-rate 2026-11-28") == 0,
	    "sums of the day beyond 2^63 saturate: one failure-rate alert");
	if (strcmp(got, "example.org failure-rate 2026-11-28") != 0)
		printf("#   got: %s\n", got);
	free(got);
	buf_free(&json);
}

/*
 * Two reports stored in one transaction, then looked at one after the
 * other (as rptparse does after the commit of a batch): the second one
 * counts once in the day's sums, though both were in reports.db when
 * the first was looked at, and a result type new in both is new for
 * the first.
 */
static void
test_batch(struct rptdb *db, const struct hosted *h, time_t when)
{
	struct tlsrpt_limits lim;
	struct tlsrpt_report *r[2] = { NULL, NULL };
	struct rptdb_meta meta;
	struct buf err = BUF_INIT;
	char *json[2], *got;
	int64_t row[2];
	int i, ok = 1;

	/* 10 of 1010 sessions fail: 0.99%, below 1%; twice 9: 1.86%. */
	json[0] = test_json("batch-1", "example.net", 1000, 1,
	    "certificate-not-trusted");
	json[1] = test_json("batch-2", "example.net", 0, 9,
	    "certificate-not-trusted");
	tlsrpt_limits_default(&lim);
	rptdb_begin(db, &err);
	for (i = 0; i < 2; i++) {
		memset(&meta, 0, sizeof(meta));
		meta.via = "mailto";
		meta.received = when;
		rptdb_sha256(json[i], strlen(json[i]), meta.sha256);
		if (tlsrpt_parse(json[i], strlen(json[i]), &lim, &r[i],
		    &err) < 0 || rptdb_report_add(db, r[i], &meta,
		    test_hosted, (void *)h, &row[i],
		    &err) != 1)
			ok = 0;
	}
	if (rptdb_commit(db, &err) < 0)
		ok = 0;
	CHECK(ok, "two reports stored in one transaction");
	for (i = 0; ok && i < 2; i++)
		alerts_report(db, h, r[i], row[i], when,
		    rptdb_counts("mailto", NULL), NULL);
	got = test_sent();
	CHECK(ok && strcmp(got, "example.net new-result-type:"
	    "certificate-not-trusted 2026-11-27") == 0, "a batch counts each"
	    " report once (10 of 1010 sessions fail: no rate alert), and a"
	    " type new in both of its reports alerts once");
	if (strcmp(got, "example.net new-result-type:certificate-not-trusted"
	    " 2026-11-27") != 0)
		printf("#   got: %s\n", got);
	free(got);
	for (i = 0; i < 2; i++) {
		tlsrpt_free(r[i]);
		free(json[i]);
	}
	buf_free(&err);
}

/*
 * 21 invented result types for a hosted domain that had no failures
 * yet: one failure-rate alert and one unknown-result-type alert, not
 * one per type; the text lists them escaped.
 */
static void
test_invented(struct rptdb *db, const struct hosted *h, time_t when)
{
	struct buf json = BUF_INIT;
	char *got;
	int i;

	buf_puts(&json, "{\"organization-name\":\"Org\\nBcc: x@evil\","
	    "\"date-range\":{\"start-datetime\":\"2026-11-22T00:00:00Z\","
	    "\"end-datetime\":\"2026-11-22T23:59:59Z\"},\"contact-info\":"
	    "\"c@org.example\",\"report-id\":\"invented\",\"policies\":[{"
	    "\"policy\":{\"policy-type\":\"sts\",\"policy-domain\":"
	    "\"example.edu\"},\"summary\":{\"total-successful-session-count"
	    "\":0,\"total-failure-session-count\":21},\"failure-details\":[");
	for (i = 0; i < 21; i++)
		buf_printf(&json, "%s{\"result-type\":\"invented-%d\\r\\n"
		    "Subject: x\",\"failed-session-count\":1}", i ? "," : "",
		    i);
	buf_puts(&json, "]}]}");
	test_report(db, h, json.s, when);
	got = test_sent();
	CHECK(strcmp(got, "example.edu unknown-result-type 2026-11-27\n"
	    "example.edu failure-rate 2026-11-27") == 0,
	    "21 invented result types: one unknown-result-type alert");
	if (strcmp(got, "example.edu unknown-result-type 2026-11-27\n"
	    "example.edu failure-rate 2026-11-27") != 0)
		printf("#   got: %s\n", got);
	free(got);
	buf_free(&json);
}

/*
 * What counts: an sts and a tlsa policy of one report judge the same
 * sessions (only the sts one adds to the day's sums), and with
 * report_require_dkim = yes an unverified (mailed, unsigned) report
 * raises no alert.
 */
static void
test_counting(struct rptdb *db, const struct hosted *h, time_t when)
{
	static const char dup[] = "{\"organization-name\":\"Microsoft\","
	    "\"date-range\":{\"start-datetime\":\"2026-11-22T00:00:00Z\","
	    "\"end-datetime\":\"2026-11-22T23:59:59Z\"},\"contact-info\":"
	    "\"c@ms.example\",\"report-id\":\"dup-1\",\"policies\":["
	    "{\"policy\":{\"policy-type\":\"tlsa\",\"policy-domain\":"
	    "\"dup.example\"},\"summary\":{\"total-successful-session-count\":"
	    "0,\"total-failure-session-count\":1000}},"
	    "{\"policy\":{\"policy-type\":\"sts\",\"policy-domain\":"
	    "\"DUP.example.\"},\"summary\":{\"total-successful-session-count\":"
	    "995,\"total-failure-session-count\":5}}]}";
	struct buf err = BUF_INIT;
	char *got;

	test_report(db, h, dup, when);
	got = test_sent();
	CHECK(strcmp(got, "") == 0, "sts and tlsa for one domain: the sts"
	    " policy's 5 of 1000 sessions count (0.5%%), not 1005 of 2000:"
	    " no rate alert (got \"%s\")", got);
	free(got);
	if (cfg_override("report_require_dkim", "yes", &err) < 0)
		CHECK(0, "report_require_dkim = yes: %s", err.s);
	test_one(db, h, "cnt-k", "unverified.example", 0, 100,
	    "sts-webpki-invalid", when + 10, "", "report_require_dkim = yes:"
	    " an unsigned mailed report raises no alert");
	if (cfg_override("report_require_dkim", "no", &err) < 0)
		CHECK(0, "report_require_dkim = no: %s", err.s);
	test_one(db, h, "cnt-l", "unverified.example", 0, 100,
	    "sts-webpki-invalid", when + 20,
	    "unverified.example sts-webpki-invalid 2026-11-27\n"
	    "unverified.example failure-rate 2026-11-27",
	    "report_require_dkim = no: it does");
	buf_free(&err);
}

/*
 * Reports in order, and the alert each sends (or ""): the report id and
 * domain, its counts and result type, when (seconds into TEST_DAY, day
 * 0, or into the day after, day 1), the alert expected and the case.
 */
static const struct alert_case {
	const char *id;
	const char *domain;
	int	ok;
	int	failed;
	const char *type;
	int	day;
	int	secs;
	const char *expect;
	const char *what;
} alert_cases[] = {
	{"a", "mx.example.com", 990, 10, NULL, 0, 10, "",
	    "1.0% failed, no details: no alert (not above 1%)"},
	{"b", "example.com", 9, 1, NULL, 0, 20,
	    "example.com failure-rate 2026-11-26",
	    "the day's sessions of the hosted domain: 11 of 1010 fail"},
	{"c", "example.com", 0, 50, NULL, 0, 30, "",
	    "failure-rate again the same day: no alert"},
	{"d", "example.com", 100000, 1, "certificate-expired", 0, 40,
	    "example.com new-result-type:certificate-expired 2026-11-26",
	    "a result type new for the domain"},
	{"e", "example.com", 100000, 1, "certificate-expired", 1, 40, "",
	    "a result type seen before: no alert, another day"},
	{"f", "example.com", 1000000, 1, NULL, 1, 50, "",
	    "a new day counts its own sessions: 2 of 1100002 fail"},
	{"g", "example.org", 100, 0, "sts-webpki-invalid", 0, 60,
	    "example.org sts-webpki-invalid 2026-11-26",
	    "sts-webpki-invalid alerts (and only under its own kind)"},
	{"h", "example.org", 100, 0, "sts-webpki-invalid", 1, 60,
	    "example.org sts-webpki-invalid 2026-11-27",
	    "sts-webpki-invalid again the next day alerts again"},
	{"i", "example.org", 100, 0, "sts-policy-fetch-error", 1, 70,
	    "example.org sts-policy-fetch-error 2026-11-27",
	    "sts-policy-fetch-error alerts"},
	{"j", "example.org", 100, 0, "tls-timeout", 1, 80,
	    "example.org unknown-result-type 2026-11-27",
	    "a result type outside the RFC: the one kind of unknown types"},
	{"k", "example.org", 100, 0, "tls-timeout-2", 1, 85, "",
	    "another unknown type the same day: no alert"},
	{"l", "example.invalid", 0, 100, "sts-webpki-invalid", 1, 86, "",
	    "a domain that is not hosted: no alert of any kind"},
	{"m", "x.example.invalid", 0, 100, "invented", 1, 87, "",
	    "nor for its subdomain"},
};

static void
test_rules(void)
{
	static const struct alert_store store = { test_get, test_put, NULL };
	static const char *const hosted_names[] = { "example.com",
	    "example.net", "example.org", "example.edu", "dup.example",
	    "unverified.example" };
	struct hosted h = HOSTED_INIT;
	struct buf err = BUF_INIT;
	char dir[] = "/tmp/alerts_test.XXXXXX", *path;
	struct rptdb *db;
	time_t day = TEST_DAY, next = TEST_DAY + ALERTS_DAY;

	if (mkdtemp(dir) == NULL) {
		CHECK(0, "temporary directory");
		return;
	}
	path = xasprintf("%s/reports.db", dir);
	if ((db = rptdb_open_write(path, NULL, 4 << 20, &err)) == NULL) {
		CHECK(0, "reports.db: %s", err.s);
		goto out;
	}
	CHECK(rptdb_cache_kib(db) == 4096,
	    "rptparse_db_cache_size 4m: SQLite keeps 4096 KiB of pages");
	hosted_set(&h, hosted_names,
	    sizeof(hosted_names) / sizeof(hosted_names[0]));
	alert_store_set(&store);
	alerts_open(NULL, 1.0, &err);

	test_huge(db, &h, next + ALERTS_DAY);
	for (size_t i = 0; i < UNIT_NCASES(alert_cases); i++) {
		const struct alert_case *c = &alert_cases[i];

		test_one(db, &h, c->id, c->domain, c->ok, c->failed, c->type,
		    c->day == 0 ? day + c->secs : next + c->secs, c->expect,
		    c->what);
	}
	test_invented(db, &h, next + 88);
	test_batch(db, &h, next + 90);
	test_counting(db, &h, next + 100);

	alerts_close();
	rptdb_close(db);
out:
	alert_store_set(NULL);
	hosted_clear(&h);
	unit_unlink_db(path);
	rmdir(dir);
	free(path);
	buf_free(&err);
}

static void
test_infos(void)
{
	const struct tlsrpt_result_info *i;
	size_t n = 0, bad = 0;

	for (i = tlsrpt_result_infos(); i->type != NULL; i++, n++)
		if (*i->meaning == '\0' || *i->fix == '\0' ||
		    tlsrpt_result_info(i->type) != i)
			bad++;
	CHECK(n == 11 && bad == 0, "every RFC 8460 section 4.3 result type "
	    "has a meaning and a fix (%zu types)", n);
	CHECK(tlsrpt_result_info("tls-timeout") == NULL,
	    "no information for a type outside the RFC");
}

int
main(void)
{
	char cwd[] = "/tmp/alerts_test.XXXXXX";
	struct buf err = BUF_INIT;
	size_t i;

	/* lib/metrics writes metrics/PROGRAM.PID under the working
	 * directory when there is one: not in the tree the test runs in. */
	if (mkdtemp(cwd) == NULL || chdir(cwd) != 0)
		return 1;
	log_init("alerts_test", LOG_TO_STDERR);
	/* The test reports come unsigned by mail: they count with "no". */
	if (cfg_override("report_require_dkim", "no", &err) < 0)
		CHECK(0, "report_require_dkim = no: %s", err.s);
	buf_free(&err);
	test_infos();
	test_rules();
	for (i = 0; i < nsent; i++)
		free(sent[i]);
	rmdir(cwd);
	return unit_status();
}
