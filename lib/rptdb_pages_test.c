/*
 * rptdb_pages_test - a domain's reports a page at a time
 * (rptdb_domain_reports): each report once, newest first, whatever the
 * page size, reports with two policies of the domain and reports that
 * end at the same second included; rptdb_report_of(); a report as one
 * domain sees it (rptjson_report()).
 * On both engines (STSD_TEST_PGCONNINFO: tests/unit_rptdb.h).
 * SPDX-License-Identifier: ISC
 */
#include "config.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <jansson.h>

#include "buf.h"
#include "mymalloc.h"
#include "rptdb.h"
#include "rptdb_sql.h"
#include "rptjson.h"
#include "rptsum.h"
#include "tlsrpt.h"
#include "unit.h"
#include "unit_rptdb.h"

#define TEST_START	1764547200	/* 2025-12-01 */
#define TEST_REPORTS	37

static const char *
test_hosted(void *arg, const char *domain)
{
	(void)arg;
	if (strcmp(domain, "a.example") == 0 ||
	    strcmp(domain, "sub.a.example") == 0)
		return "a.example";
	if (strcmp(domain, "b.example") == 0)
		return "b.example";
	return NULL;
}

#define TEST_POLICY(domain, ok) \
	"{\"policy\":{\"policy-type\":\"sts\",\"policy-domain\":\"" domain \
	"\"},\"summary\":{\"total-successful-session-count\":" ok \
	",\"total-failure-session-count\":0}}"

/* Report n of day, with its policies; 0 stored, -1 not. */
static int
test_store(struct rptdb *w, int n, int day, const char *policies)
{
	struct rptdb_meta meta;
	struct buf err = BUF_INIT, org = BUF_INIT;
	int rc;

	memset(&meta, 0, sizeof(meta));
	meta.via = "https";
	buf_printf(&org, "=Org %d", n);
	rc = unit_rptdb_report(w, org.s, n, TEST_START + (time_t)day *
	    RPTDB_DAY, &meta, 1, test_hosted, policies, &err) > 0 ? 0 : -1;
	if (rc < 0)
		CHECK(0, "report %d stored: %s", n, err.s ? err.s : "");
	buf_free(&org);
	buf_free(&err);
	return rc;
}

struct test_seen {
	int64_t	 ids[TEST_REPORTS * 2];
	time_t	 ends[TEST_REPORTS * 2];
	int	 n;
};

static void
test_seen_one(const struct rptdb_report *r, void *arg)
{
	struct test_seen *s = arg;

	if (s->n < TEST_REPORTS * 2) {
		s->ids[s->n] = r->id;
		s->ends[s->n] = r->end;
	}
	s->n++;
}

/* Pages of size limit until the end: each of a.example's once, in order. */
static void
test_pages(struct rptdb *rd, int limit, int expected)
{
	struct rptdb_cursor c;
	struct test_seen s;
	int pages = 0, i, j, once = 1, order = 1, n;

	memset(&c, 0, sizeof(c));
	memset(&s, 0, sizeof(s));
	do {
		n = rptdb_domain_reports(rd, "a.example", &c, limit,
		    test_seen_one, &s);
		if (n > limit || (c.more && n != limit))
			order = 0;
		pages++;
	} while (c.more && pages < 1000);
	for (i = 0; i < s.n && i < TEST_REPORTS * 2; i++) {
		for (j = 0; j < i; j++)
			if (s.ids[j] == s.ids[i])
				once = 0;
		if (i > 0 && (s.ends[i] > s.ends[i - 1] ||
		    (s.ends[i] == s.ends[i - 1] && s.ids[i] > s.ids[i - 1])))
			order = 0;
	}
	CHECK(s.n == expected && once, "pages of %d: each of the %d reports "
	    "once (%d given, %d pages)", limit, expected, s.n, pages);
	CHECK(order, "pages of %d: full but the last, newest first", limit);
}

static void
test_one(const struct rptdb_report *r, void *arg)
{
	struct rptdb *rd = ((void **)arg)[0];
	json_t **j = ((void **)arg)[1];
	struct rptdb_totals *t = rptsum_totals_new(rd, "b.example");

	*j = rptjson_report(rd, r, t, "b.example");
	rptdb_totals_free(t);
}

int
main(void)
{
	char dir[] = "/tmp/rptdb_pages_test.XXXXXX", path[256];
	struct buf err = BUF_INIT, csv = BUF_INIT;
	struct rptdb *w, *rd;
	struct rptdb_cursor c;
	struct test_seen s;
	json_t *j = NULL;
	void *arg[2];
	int n, ok = 1, shared = 0;

	unit_tmppath(dir, path, sizeof(path), RPTDB_FILE);
	if ((w = unit_rptdb_open_write(path, NULL, 0, &err)) == NULL) {
		CHECK(0, "reports.db: %s", err.s);
		return unit_status_rm(dir);
	}
	/* Three a day (one end time each day), every fifth with two
	 * policies of a.example, one also of b.example, one of b only. */
	for (n = 1; n <= TEST_REPORTS && ok; n++)
		ok = test_store(w, n, n / 3, n % 5 == 0 ?
		    TEST_POLICY("a.example", "1") "," TEST_POLICY("sub.a.example",
		    "2") : n == 7 ? TEST_POLICY("a.example", "3") ","
		    TEST_POLICY("b.example", "99") : TEST_POLICY("a.example",
		    "4")) == 0;
	ok = ok && test_store(w, 100, 2, TEST_POLICY("b.example", "5")) == 0;
	rptdb_close(w);
	if (!ok || (rd = unit_rptdb_open(path, &err)) == NULL) {
		CHECK(0, "reports stored and read: %s", err.s ? err.s : "");
		return unit_status_rm(dir);
	}
	test_pages(rd, 1, TEST_REPORTS);
	test_pages(rd, 2, TEST_REPORTS);
	test_pages(rd, 5, TEST_REPORTS);
	test_pages(rd, 100, TEST_REPORTS);

	memset(&c, 0, sizeof(c));
	memset(&s, 0, sizeof(s));
	n = rptdb_domain_reports(rd, "b.example", &c, 10, test_seen_one, &s);
	CHECK(n == 2 && !c.more, "b.example: its own report and the shared"
	    " one (%d)", n);
	shared = s.n > 1 ? (int)(s.ids[0] == 38 ? s.ids[1] : s.ids[0]) : 0;
	CHECK(shared == 7, "... the shared one is report 7 (%d)", shared);
	CHECK(rptdb_report_of(rd, 7, "a.example") &&
	    rptdb_report_of(rd, 7, "b.example"), "report 7 is both domains'");
	CHECK(rptdb_report_of(rd, 1, "a.example") &&
	    !rptdb_report_of(rd, 1, "b.example"), "report 1 is a.example's"
	    " only");
	CHECK(!rptdb_report_of(rd, 38, "a.example"), "b.example's own is not"
	    " a.example's");
	CHECK(!rptdb_report_of(rd, 5000, "a.example"), "no such report");
	CHECK(rptdb_report_of(rd, 5, "a.example"), "a report with the policy"
	    " of a sub-domain is its hosted domain's");

	arg[0] = rd;
	arg[1] = &j;
	rptdb_report_get(rd, 7, test_one, arg);
	CHECK(json_array_size(json_object_get(j, "policies")) == 1 &&
	    strcmp(json_string_value(json_object_get(json_object_get(
	    json_array_get(json_object_get(j, "policies"), 0), "policy"),
	    "policy-domain")), "b.example") == 0, "report 7 as b.example sees"
	    " it: its policy only");
	rptjson_csv_rows(&csv, j);
	CHECK(csv.s != NULL && strncmp(csv.s, "7,\"'=Org 7\",r-7,", 16) == 0 &&
	    strstr(csv.s, ",b.example,b.example,99,0,") != NULL,
	    "... its CSV line: %s", csv.s ? csv.s : "");
	json_decref(j);
	rptdb_close(rd);
	unit_rptdb_unlink(path);
	buf_free(&err);
	buf_free(&csv);
	return unit_status_rm(dir);
}
