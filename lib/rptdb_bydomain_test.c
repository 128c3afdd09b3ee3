/*
 * rptdb_bydomain_test - lib/rptdb's rows kept by domain (migration 6):
 * what the summaries and the silent-reporter pass read from them is what
 * the reports themselves say, row for row, by the queries that read
 * policies and reports before migration 6 (kept here as the reference);
 * the rows rptparse adds report by report (from the reports in memory,
 * rptdb_bydomain.c) are the rows the migration's SQL makes of the same
 * file, whether each report has its transaction or all share one;
 * rptdb_hosted_fill() keeps them right.  On both engines
 * (STSD_TEST_PGCONNINFO: tests/unit_rptdb.h), the migration itself on
 * SQLite only (PostgreSQL's reports.db is made at the last version).
 * SPDX-License-Identifier: ISC
 */
#include "config.h"

#include <inttypes.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

#include <jansson.h>

#include "buf.h"
#include "cfg.h"
#include "mymalloc.h"
#include "rptdb.h"
#include "rptdb_sql.h"
#include "rptsum.h"
#include "sqldb.h"
#include "tlsrpt.h"
#include "unit.h"
#include "unit_rptdb.h"

#define TEST_START	1795305600	/* 2026-11-22T00:00:00Z */
#define TEST_DAYS	40
#define TEST_NOW	(TEST_START + TEST_DAYS * RPTDB_DAY)
#define TEST_ORGS	4
#define TEST_BIG	"9007199254740992"	/* TLSRPT_COUNT_MAX, 2^53 */
#define SQLITE_TEXT_CLASS	3	/* SQLITE_TEXT */
#define TEST_BIG_DETAILS 1000		/* TLSRPT_DETAILS_MAX of 2^53 each */

/* The queries of policies and reports that migration 6 replaced. */
#define TEST_OLD_FROM " FROM policies p JOIN reports r ON r.id = p.report"
#define TEST_OLD_WHERE " WHERE (p.hosted_domain = ?1 COLLATE NOCASE OR" \
	" p.domain = ?1 COLLATE NOCASE) AND r.end_time > ?2 AND p.counted = 1"
#define TEST_TRUSTED "(r.via = 'https' OR r.dkim_result = 'pass')"
static const char test_old_policies[] = "SELECT r.id, r.organization,"
    " strftime('%Y-%m-%d', r.start_time, 'unixepoch'), r.end_time,"
    " p.success_count, p.failure_count, p.id" TEST_OLD_FROM TEST_OLD_WHERE
    " AND (" TEST_TRUSTED " OR ?3 = 0)";
static const char test_old_failures[] = "SELECT r.organization,"
    " f.result_type, f.receiving_mx_hostname, f.additional_information,"
    " r.end_time, f.failed_session_count, p.id" TEST_OLD_FROM
    " JOIN failures f ON f.policy = p.id" TEST_OLD_WHERE
    " AND (" TEST_TRUSTED " OR ?3 = 0)";
static const char test_old_unverified[] = "SELECT DISTINCT r.id, r.end_time"
    TEST_OLD_FROM TEST_OLD_WHERE " AND NOT " TEST_TRUSTED
    " ORDER BY r.end_time DESC, r.id DESC";
static const char test_old_silent[] = "SELECT p.hosted_domain,"
    " r.organization, MAX(r.end_time), COUNT(DISTINCT r.id)"
    " FROM reports r JOIN policies p ON p.report = r.id"
    " WHERE r.start_time >= ?2 AND p.hosted_domain IS NOT NULL AND"
    " p.counted = 1 AND (" TEST_TRUSTED " OR ?3 = 0)"
    " AND (CAST(?1 AS TEXT) IS NULL OR p.hosted_domain = ?1 COLLATE NOCASE)"
    " GROUP BY p.hosted_domain, r.organization HAVING MAX(r.end_time) <= ?4"
    " AND COUNT(DISTINCT r.id) >= ?5 ORDER BY 1, 2";

/* Every row of the tables of migration 6, in key order, as text. */
static const char test_dump_sql[] = "SELECT 'p', domain, end_time, policy,"
    " hosted, report, trusted, start_time, organization, success_count,"
    " failure_count, NULL FROM domain_policies UNION ALL SELECT 'f',"
    " domain, end_time, policy, hosted, failure, trusted, organization,"
    " result_type, receiving_mx_hostname, additional_information,"
    " failed_session_count FROM domain_failures UNION ALL SELECT 'r',"
    " domain, organization, last_trusted, reports_trusted, last_any,"
    " reports_any, NULL, NULL, NULL, NULL, NULL FROM reporters"
    " ORDER BY 1, 2, 3, 4, 5, 6";

/*
 * The same rows by the migration's SQL, and as stored: each column with
 * its SQLite type, so that an integer stored as text would differ.
 */
static const char test_select_policies[] =
    RPTDB_DOMAIN_POLICIES_SQL("1 = 1") " ORDER BY 1, 2, 3";
static const char test_stored_policies[] =
    "SELECT * FROM domain_policies ORDER BY 1, 2, 3";
static const char test_select_failures[] =
    RPTDB_DOMAIN_FAILURES_SQL("1 = 1") " ORDER BY 1, 2, 3, 5";
static const char test_stored_failures[] =
    "SELECT * FROM domain_failures ORDER BY 1, 2, 3, 5";

static int test_moved;	/* sub.a.example moved to b.example */
static int test_batch;	/* the caller holds the transaction */

static const char *
test_hosted(void *arg, const char *domain)
{
	(void)arg;
	if (strcasecmp(domain, "a.example") == 0)
		return "a.example";
	if (strcasecmp(domain, "sub.a.example") == 0)
		return test_moved ? "b.example" : "a.example";
	if (strcasecmp(domain, "b.example") == 0)
		return "b.example";
	return NULL;			/* c.example: not hosted */
}

/* Sorted lines, compared whole. */
struct test_lines {
	char	**v;
	size_t	 n;
};

static void
test_line(struct test_lines *l, struct buf *b)
{
	l->v = xreallocarray(l->v, l->n + 1, sizeof(*l->v));
	l->v[l->n++] = xstrdup(b->s ? b->s : "");
	buf_reset(b);
}

static int
test_line_cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* 1 when a and b hold the same lines (sorted first); frees both. */
static int
test_same(struct test_lines *a, struct test_lines *b, size_t *n)
{
	size_t i;
	int same = a->n == b->n;

	if (a->n > 0)
		qsort(a->v, a->n, sizeof(*a->v), test_line_cmp);
	if (b->n > 0)
		qsort(b->v, b->n, sizeof(*b->v), test_line_cmp);
	for (i = 0; same && i < a->n; i++)
		same = strcmp(a->v[i], b->v[i]) == 0;
	if (!same)
		for (i = 0; i < a->n || i < b->n; i++)
			fprintf(stderr, "# %s | %s\n", i < a->n ? a->v[i] : "-",
			    i < b->n ? b->v[i] : "-");
	*n = a->n;
	for (i = 0; i < a->n; i++)
		free(a->v[i]);
	for (i = 0; i < b->n; i++)
		free(b->v[i]);
	free(a->v);
	free(b->v);
	memset(a, 0, sizeof(*a));
	memset(b, 0, sizeof(*b));
	return same;
}

/* 1 when the lines of a and b differ as sets. */
static int
test_sorted_differ(const char *a, const char *b)
{
	struct test_lines la = { NULL, 0 }, lb = { NULL, 0 };
	struct buf line = BUF_INIT;
	const char *p, *nl;
	size_t n;
	int k;

	for (k = 0; k < 2; k++)
		for (p = k ? b : a; *p != '\0'; p = nl + 1) {
			if ((nl = strchr(p, '\n')) == NULL)
				nl = p + strlen(p) - 1;
			buf_append(&line, p, (size_t)(nl - p));
			test_line(k ? &lb : &la, &line);
		}
	buf_free(&line);
	return !test_same(&la, &lb, &n);
}

/*
 * The reference queries are SQLite's; on PostgreSQL the same words in
 * its own (the text kept for the life of the program, as the cache of
 * lib/sqldb keeps its statements by text).
 */
static const struct {
	const char *lite, *pg;
} test_words[] = {
	{ "strftime('%Y-%m-%d', r.start_time, 'unixepoch')",
	  "to_char(to_timestamp(r.start_time) AT TIME ZONE 'UTC',"
	  " 'YYYY-MM-DD')" },
	{ "= ?1 COLLATE NOCASE", "= lower(?1)" },
};
#define TEST_SQL_MAX	32
static char *test_sql_pg[TEST_SQL_MAX][2];	/* SQLite's, PostgreSQL's */

static const char *
test_sql(struct sqldb *db, const char *sql)
{
	struct buf b = BUF_INIT;
	const char *p;
	size_t i, w;

	if (sqldb_engine(db) == SQLDB_SQLITE)
		return sql;
	for (i = 0; i < TEST_SQL_MAX && test_sql_pg[i][0] != NULL; i++)
		if (strcmp(test_sql_pg[i][0], sql) == 0)
			return test_sql_pg[i][1];
	for (p = sql; *p != '\0'; ) {
		for (w = 0; w < sizeof(test_words) / sizeof(*test_words); w++)
			if (strncmp(p, test_words[w].lite,
			    strlen(test_words[w].lite)) == 0)
				break;
		if (w < sizeof(test_words) / sizeof(*test_words)) {
			buf_puts(&b, test_words[w].pg);
			p += strlen(test_words[w].lite);
		} else
			buf_putc(&b, *p++);
	}
	if (i == TEST_SQL_MAX) {
		CHECK(0, "more than %d reference queries", TEST_SQL_MAX);
		exit(1);
	}
	test_sql_pg[i][0] = xstrdup(sql);
	test_sql_pg[i][1] = buf_steal(&b);
	return test_sql_pg[i][1];
}

static struct sqldb_stmt *
test_prepare(struct sqldb *db, const char *sql)
{
	return sqldb_cached(db, test_sql(db, sql));
}

/* A text column (a result type), not a number (SQLite: its class). */
static int
test_is_text(struct sqldb_stmt *st, int col)
{
	const char *t = sqldb_text(st, col);
	char *end;

	if (sqldb_lite_type(st, col) != 0)
		return sqldb_lite_type(st, col) == SQLITE_TEXT_CLASS;
	if (t == NULL)
		return 0;
	(void)strtod(t, &end);
	return end == t || *end != '\0';
}

/* The rows of an old query, each column as text, one line a row. */
static void
test_old(struct sqldb *db, const char *sql, const char *domain, time_t since,
    struct test_lines *l)
{
	struct buf b = BUF_INIT;
	struct sqldb_stmt *st;
	int i;

	if ((st = test_prepare(db, sql)) == NULL) {
		CHECK(0, "old query compiles: %s", sqldb_name(db));
		return;
	}
	sqldb_bind_opt(st, 1, domain);
	sqldb_bind_int64(st, 2, since);
	if (sqldb_params(st) >= 3)
		sqldb_bind_int64(st, 3, rptdb_require_dkim());
	while (sqldb_step(st) == SQLDB_ROW) {
		for (i = 0; i < sqldb_columns(st); i++) {
			const char *t = sqldb_text(st, i);

			buf_printf(&b, "%s|", t ? (const char *)t : "(null)");
		}
		test_line(l, &b);
	}
	sqldb_finish(st);
	buf_free(&b);
}

static const char *
test_s(const char *s)
{
	return s ? s : "(null)";
}

static void
test_new_policy(const struct rptdb_domain_policy *p, void *arg)
{
	struct buf b = BUF_INIT;

	buf_printf(&b, "%" PRId64 "|%s|%s|%lld|%" PRId64 "|%" PRId64 "|%"
	    PRId64 "|", p->report, test_s(p->organization), test_s(p->day),
	    (long long)p->end, p->success_count, p->failure_count, p->policy);
	test_line(arg, &b);
	buf_free(&b);
}

static void
test_new_failure(const struct rptdb_domain_failure *f, void *arg)
{
	struct buf b = BUF_INIT;

	buf_printf(&b, "%s|%s|%s|%s|%lld|%" PRId64 "|%" PRId64 "|",
	    test_s(f->organization), test_s(f->result_type), test_s(f->mx),
	    test_s(f->info), (long long)f->end, f->failed_session_count,
	    f->policy);
	test_line(arg, &b);
	buf_free(&b);
}

static void
test_new_unverified(const struct rptdb_report *r, void *arg)
{
	struct buf b = BUF_INIT;

	buf_printf(&b, "%" PRId64 "|%lld|", r->id, (long long)r->end);
	test_line(arg, &b);
	buf_free(&b);
}

/* rptsum's sums of the old rows: successful and failed by its rule. */
static void
test_old_sums(struct sqldb *db, const char *domain, time_t since, long long *ok,
    long long *failed)
{
	struct sqldb_stmt *st;

	*ok = *failed = 0;
	st = test_prepare(db, "SELECT p.success_count, p.failure_count,"
	    " (SELECT COUNT(*) FROM failures f WHERE f.policy = p.id), p.id"
	    TEST_OLD_FROM TEST_OLD_WHERE " AND (" TEST_TRUSTED " OR ?3 = 0)");
	sqldb_bind_opt(st, 1, domain);
	sqldb_bind_int64(st, 2, since);
	sqldb_bind_int64(st, 3, rptdb_require_dkim());
	while (sqldb_step(st) == SQLDB_ROW) {
		struct sqldb_stmt *f;
		long long det = 0;

		*ok = rptsum_add(*ok, sqldb_int(st, 0));
		f = test_prepare(db, "SELECT failed_session_count FROM"
		    " failures WHERE policy = ?1");
		sqldb_bind_int64(f, 1, sqldb_int(st, 3));
		while (sqldb_step(f) == SQLDB_ROW)
			det = rptsum_add(det, sqldb_int(f, 0));
		sqldb_finish(f);
		*failed = rptsum_add(*failed, rptsum_policy_failed(
		    sqldb_int(st, 1), det));
	}
	sqldb_finish(st);
}

/*
 * The sums of each unverified report as the summary lists them (from
 * the domain's rows) are rptsum_totals_get()'s (its policies read by
 * report, as "stsctl report list" reads them); returns how many.
 */
static size_t
test_unverified_sums(struct rptdb *rd, const char *domain, int days,
    time_t now, int *same)
{
	struct rptsum_rows *rs = rptsum_fetch(rd, domain, days, now);
	struct rptdb_totals *t = rptsum_totals_new(rd, domain);
	json_t *a = rptsum_unverified_of(rs, days), *u;
	long long ok, failed;
	size_t i;

	json_array_foreach(a, i, u) {
		rptsum_totals_get(t, json_integer_value(json_object_get(u,
		    "id")), &ok, &failed);
		if (json_integer_value(json_object_get(u,
		    "total-successful-session-count")) != ok ||
		    json_integer_value(json_object_get(u,
		    "total-failure-session-count")) != failed) {
			fprintf(stderr, "# %s: unverified report %lld: %lld"
			    " %lld, by report %lld %lld\n", domain, (long long)
			    json_integer_value(json_object_get(u, "id")),
			    (long long)json_integer_value(json_object_get(u,
			    "total-successful-session-count")),
			    (long long)json_integer_value(json_object_get(u,
			    "total-failure-session-count")), ok, failed);
			*same = 0;
		}
	}
	i = json_array_size(a);
	json_decref(a);
	rptdb_totals_free(t);
	rptsum_rows_free(rs);
	return i;
}

static const char *const test_domains[] = {
	"a.example", "A.EXAMPLE", "sub.a.example", "b.example", "c.example",
	"none.example",
};
static const int test_windows[] = { 1, 7, 30, TEST_DAYS + 1 };

/* Every domain and window: the new reads give the old rows. */
static void
test_compare(struct rptdb *rd, struct sqldb *db, const char *when)
{
	struct test_lines a, b;
	size_t d, w, n, rows = 0, fails = 0, unv = 0, usums = 0;
	int same = 1;

	memset(&a, 0, sizeof(a));
	memset(&b, 0, sizeof(b));
	for (d = 0; d < sizeof(test_domains) / sizeof(*test_domains); d++) {
		for (w = 0; w < sizeof(test_windows) / sizeof(*test_windows);
		    w++) {
			const char *dom = test_domains[d];
			/* On a report's end too: end > since, not >=. */
			time_t since = TEST_NOW - (time_t)test_windows[w] *
			    RPTDB_DAY - 1;
			json_t *sum;
			long long ok, failed;

			test_old(db, test_old_policies, dom, since, &a);
			rptdb_domain_policies(rd, dom, since, test_new_policy,
			    &b);
			same &= test_same(&a, &b, &n);
			rows += n;
			test_old(db, test_old_failures, dom, since, &a);
			rptdb_domain_failures(rd, dom, since, test_new_failure,
			    &b);
			same &= test_same(&a, &b, &n);
			fails += n;
			test_old(db, test_old_unverified, dom, since, &a);
			rptdb_domain_unverified(rd, dom, since,
			    test_new_unverified, &b);
			same &= test_same(&a, &b, &n);
			unv += n;
			test_old_sums(db, dom, since, &ok, &failed);
			sum = rptsum_domain(rd, dom, test_windows[w],
			    since + (time_t)test_windows[w] * RPTDB_DAY);
			same &= json_integer_value(json_object_get(sum,
			    "successful")) == ok && json_integer_value(
			    json_object_get(sum, "failed")) == failed;
			if (json_integer_value(json_object_get(sum,
			    "successful")) != ok)
				fprintf(stderr, "# %s %d: successful %lld,"
				    " reports say %lld\n", dom, test_windows[w],
				    (long long)json_integer_value(
				    json_object_get(sum, "successful")), ok);
			json_decref(sum);
			usums += test_unverified_sums(rd, dom,
			    test_windows[w], since + (time_t)test_windows[w] *
			    RPTDB_DAY, &same);
		}
	}
	CHECK(same && rows > 0 && fails > 0 && unv > 0 && usums == unv,
	    "%s, report_require_dkim %s: policies (%zu rows), failure details"
	    " (%zu), unverified reports (%zu, their sums too) and the"
	    " summary's sums by domain are those of the reports", when,
	    rptdb_require_dkim() ? "yes" : "no", rows, fails, unv);
}

static void
test_silent_new(const struct rptdb_silent *s, void *arg)
{
	struct buf b = BUF_INIT;

	buf_printf(&b, "%s|%s|%lld|%lld|", s->domain, s->organization,
	    (long long)s->last, s->reports);
	test_line(arg, &b);
	buf_free(&b);
}

/* The silent reporters of every domain and of each, at several times. */
static void
test_compare_silent(struct rptdb *rd, struct sqldb *db, const char *when)
{
	struct test_lines a, b;
	long long min;
	time_t window, quiet, now;
	size_t n, found = 0;
	struct sqldb_stmt *st;
	struct buf line = BUF_INIT;
	int same = 1, k, i;
	const char *dom[] = { NULL, "a.example", "B.example" };
	size_t d;

	memset(&a, 0, sizeof(a));
	memset(&b, 0, sizeof(b));
	rptdb_silent_conf(&min, &window, &quiet);
	for (k = 0; k <= 12; k++) {
		now = TEST_NOW + (time_t)k * RPTDB_DAY - k;
		for (d = 0; d < sizeof(dom) / sizeof(*dom); d++) {
			st = test_prepare(db, test_old_silent);
			if (dom[d] != NULL)
				sqldb_bind_opt(st, 1, dom[d]);
			sqldb_bind_int64(st, 2, now - quiet - window);
			sqldb_bind_int64(st, 3, rptdb_require_dkim());
			sqldb_bind_int64(st, 4, now - quiet);
			sqldb_bind_int64(st, 5, min);
			while (sqldb_step(st) == SQLDB_ROW) {
				for (i = 0; i < 4; i++)
					buf_printf(&line, "%s|",
					    sqldb_text(st, i));
				test_line(&a, &line);
			}
			sqldb_finish(st);
			(void)rptdb_silent(rd, dom[d], now, RPTDB_SILENT_MAX,
			    test_silent_new, &b);
			same &= test_same(&a, &b, &n);
			found += n;
		}
	}
	buf_free(&line);
	CHECK(same && found > 0, "%s, report_require_dkim %s: the silent"
	    " reporters (%zu in all) are those the reports give",
	    when, rptdb_require_dkim() ? "yes" : "no", found);
}

/* The rows of sql, each column as its type and text, one line a row. */
static char *
test_typed(struct sqldb *db, const char *sql, size_t *rows)
{
	struct buf b = BUF_INIT;
	struct sqldb_stmt *st;
	int i;

	*rows = 0;
	if ((st = test_prepare(db, sql)) == NULL) {
		CHECK(0, "%s: %s", sql, sqldb_name(db));
		return xstrdup("");
	}
	while (sqldb_step(st) == SQLDB_ROW) {
		for (i = 0; i < sqldb_columns(st); i++) {
			const char *t = sqldb_text(st, i);

			buf_printf(&b, "%d:%s|", sqldb_lite_type(st, i),
			    t ? (const char *)t : "-");
		}
		buf_putc(&b, '\n');
		(*rows)++;
	}
	sqldb_finish(st);
	return b.s ? b.s : xstrdup("");
}

/*
 * The rows the writer added are those RPTDB_DOMAIN_POLICIES_SQL and
 * RPTDB_DOMAIN_FAILURES_SQL (the migration's) select from the same
 * file: type for type, byte for byte.
 */
static void
test_same_select(struct sqldb *db, const char *when, size_t min)
{
	static const char *const sql[][2] = {
		{ test_stored_policies, test_select_policies },
		{ test_stored_failures, test_select_failures },
	};
	char *stored, *selected;
	size_t i, n, m;

	for (i = 0; i < sizeof(sql) / sizeof(sql[0]); i++) {
		stored = test_typed(db, sql[i][0], &n);
		selected = test_typed(db, sql[i][1], &m);
		CHECK(n >= min && n == m && strcmp(stored, selected) == 0,
		    "%s: the %zu rows of %s are the %zu that the migration's"
		    " SQL selects", when, n, i ? "domain_failures" :
		    "domain_policies", m);
		if (strcmp(stored, selected) != 0)
			fprintf(stderr, "# stored:\n%s# selected:\n%s",
			    stored, selected);
		free(stored);
		free(selected);
	}
}

/*
 * The alerts' reads of policies by domain as they were before migration
 * 7 dropped the indexes of policies by hosted domain and policy-domain
 * (?1 hosted domain, ?2 policy-domain, ?3 and ?4 the day or ?3 a report).
 */
/* Report rows to look before: every one stored, and one past. */
#define TEST_ALERT_UPTO	250
#define TEST_ALERT_HOSTED	" p.hosted_domain = ?1"
#define TEST_ALERT_UNHOSTED	" p.hosted_domain IS NULL AND p.domain = ?2"
#define TEST_ALERT_COUNTS(domain) "SELECT TOTAL(p.success_count)," \
	" TOTAL(p.failure_count) FROM policies p JOIN reports r ON" \
	" r.id = p.report WHERE" domain " AND r.received >= ?3 AND" \
	" r.received < ?4 AND p.counted = 1 AND (" TEST_TRUSTED " OR ?9 = 0)"
#define TEST_ALERT_TYPES(domain) "SELECT f.result_type," \
	" TOTAL(f.failed_session_count) AS n FROM failures f JOIN policies p" \
	" ON p.id = f.policy JOIN reports r ON r.id = p.report WHERE" domain \
	" AND r.received >= ?3 AND r.received < ?4 GROUP BY f.result_type" \
	" ORDER BY n DESC, f.result_type LIMIT 100"
#define TEST_ALERT_BEFORE(domain) "SELECT DISTINCT f.result_type FROM" \
	" failures f JOIN policies p ON p.id = f.policy WHERE" domain \
	" AND p.report < ?3 ORDER BY 1"
static const char *const test_alert_sql[2][3] = {
	{ TEST_ALERT_COUNTS(TEST_ALERT_HOSTED), TEST_ALERT_TYPES(
	    TEST_ALERT_HOSTED), TEST_ALERT_BEFORE(TEST_ALERT_HOSTED) },
	{ TEST_ALERT_COUNTS(TEST_ALERT_UNHOSTED), TEST_ALERT_TYPES(
	    TEST_ALERT_UNHOSTED), TEST_ALERT_BEFORE(TEST_ALERT_UNHOSTED) },
};

/* The lines of an old alert query: columns as "%.0f" or text, "|". */
static char *
test_alert_old(struct sqldb *db, const char *sql, const char *hosted,
    const char *domain, int64_t a, int64_t b)
{
	struct buf out = BUF_INIT;
	struct sqldb_stmt *st;
	int i;

	if ((st = test_prepare(db, sql)) == NULL) {
		CHECK(0, "old alert query compiles: %s", sqldb_name(db));
		return xstrdup("");
	}
	sqldb_bind_opt(st, 1, hosted);
	sqldb_bind_opt(st, 2, domain);
	sqldb_bind_int64(st, 3, a);
	if (sqldb_params(st) >= 4)
		sqldb_bind_int64(st, 4, b);
	if (sqldb_params(st) >= 9)
		sqldb_bind_int64(st, 9, rptdb_require_dkim());
	while (sqldb_step(st) == SQLDB_ROW) {
		for (i = 0; i < sqldb_columns(st); i++)
			if (test_is_text(st, i))
				buf_printf(&out, "%s|",
				    sqldb_text(st, i));
			else
				buf_printf(&out, "%.0f|",
				    sqldb_double(st, i));
		buf_putc(&out, '\n');
	}
	sqldb_finish(st);
	return out.s ? out.s : xstrdup("");
}

static void
test_alert_type(const char *type, double n, void *arg)
{
	buf_printf(arg, "%s|%.0f|\n", type, n);
}

static void
test_alert_seen(const char *type, void *arg)
{
	buf_printf(arg, "%s|\n", type);
}

/*
 * rptdb_day_counts(), rptdb_day_types() and rptdb_types_before() give
 * what the queries of policies gave, for hosted domains (by hosted
 * domain, uncounted policies' result types included) and for
 * policy-domains that are not hosted, every day and at every tenth
 * report.
 */
static void
test_compare_alerts(struct rptdb *rd, struct sqldb *db, const char *when)
{
	static const char *const dom[][2] = {
		{ "a.example", "a.example" }, { "b.example", "b.example" },
		{ NULL, "c.example" }, { NULL, "x1.example" },
		{ NULL, "sub.a.example" },
	};
	struct rptdb_day_counts c;
	struct buf got = BUF_INIT;
	char *want;
	size_t i, n = 0, differ = 0, uncounted = 0;
	int day, u;
	time_t t;

	for (i = 0; i < sizeof(dom) / sizeof(dom[0]); i++) {
		u = dom[i][0] == NULL;
		for (day = 0; day <= TEST_DAYS + 1; day++, n += 2) {
			t = TEST_START + (time_t)day * RPTDB_DAY;
			buf_reset(&got);
			if (rptdb_day_counts(rd, dom[i][0], dom[i][1], t,
			    t + RPTDB_DAY, &c) == 0)
				buf_printf(&got, "%lld|%lld|\n",
				    (long long)c.ok, (long long)c.failed);
			want = test_alert_old(db, test_alert_sql[u][0],
			    dom[i][0], dom[i][1], t, t + RPTDB_DAY);
			if (strcmp(want, got.s ? got.s : "") != 0) {
				fprintf(stderr, "# %s day %d: %s | %s\n",
				    dom[i][1], day, want, got.s ? got.s : "");
				differ++;
			}
			free(want);
			buf_reset(&got);
			rptdb_day_types(rd, dom[i][0], dom[i][1], t,
			    t + RPTDB_DAY, 100, test_alert_type, &got);
			want = test_alert_old(db, test_alert_sql[u][1],
			    dom[i][0], dom[i][1], t, t + RPTDB_DAY);
			if (strcmp(want, got.s ? got.s : "") != 0) {
				fprintf(stderr, "# %s day %d: %s | %s\n",
				    dom[i][1], day, want, got.s ? got.s : "");
				differ++;
			}
			free(want);
		}
		for (t = 1; t <= TEST_ALERT_UPTO; t += 10, n++) {
			buf_reset(&got);
			rptdb_types_before(rd, dom[i][0], dom[i][1], t,
			    test_alert_seen, &got);
			want = test_alert_old(db, test_alert_sql[u][2],
			    dom[i][0], dom[i][1], t, 0);
			uncounted += strstr(want, "tlsa-invalid") != NULL;
			/* The old query sorted; the set is what counts. */
			differ += test_sorted_differ(want, got.s ? got.s : "");
			free(want);
		}
	}
	CHECK(differ == 0 && uncounted > 10, "%s: the alerts' %zu reads"
	    " (sums of a day, result types of a day and before a report,"
	    " %zu with the type of an uncounted policy) are those of the"
	    " queries of policies, report_require_dkim %s (%zu differ)",
	    when, n, uncounted, rptdb_require_dkim() ? "yes" : "no", differ);
	buf_free(&got);
}

/* The tables of migration 6 as text. */
static char *
test_dump(struct sqldb *db)
{
	struct buf b = BUF_INIT;
	struct sqldb_stmt *st;
	int i;

	st = test_prepare(db, test_dump_sql);
	while (sqldb_step(st) == SQLDB_ROW) {
		for (i = 0; i < sqldb_columns(st); i++) {
			const char *t = sqldb_text(st, i);

			buf_printf(&b, "%s|", t ? (const char *)t : "-");
		}
		buf_putc(&b, '\n');
	}
	sqldb_finish(st);
	return b.s ? b.s : xstrdup("");
}

/* One report of org for day (0 ...), with its policies as JSON. */
static void
test_report(struct rptdb *w, int n, int org, int day, const char *via,
    const char *dkim, const char *policies)
{
	struct rptdb_meta meta;
	struct buf err = BUF_INIT, name = BUF_INIT;

	memset(&meta, 0, sizeof(meta));
	meta.via = via;
	meta.dkim_result = dkim;
	buf_printf(&name, "Org %d%s", org, org == 3 ? "\\nBad\\u001b" : "");
	if (unit_rptdb_report(w, name.s, n, TEST_START + (time_t)day *
	    RPTDB_DAY, &meta, !test_batch, test_hosted, policies, &err) < 0)
		CHECK(0, "report %d stored: %s", n, err.s ? err.s : "");
	buf_free(&name);
	buf_free(&err);
}

#define TEST_POLICY(type, domain, ok, bad, details) \
	"{\"policy\":{\"policy-type\":\"" type "\",\"policy-domain\":\"" \
	domain "\"},\"summary\":{\"total-successful-session-count\":" ok \
	",\"total-failure-session-count\":" bad "}" details "}"
#define TEST_DETAILS(type, mx, n, info) ",\"failure-details\":[{" \
	"\"result-type\":\"" type "\",\"receiving-mx-hostname\":\"" mx "\"," \
	"\"failed-session-count\":" n info "}]"

/*
 * The shapes of reports in turn: counted or not, hosted or not, and
 * counts that add up past 2^63 (TEST_HUGE: a policy of b.example with
 * 2^53 sessions and TEST_BIG_DETAILS details of 2^53, made by main()).
 */
#define TEST_HUGE	2
#define TEST_SMALL_B	3
#define TEST_REPORTS	200
static const char *test_shapes[] = {
	TEST_POLICY("sts", "a.example", "100", "3",
	    TEST_DETAILS("certificate-expired", "mx.a.example", "5", "")),
	TEST_POLICY("tlsa", "A.example.", "50", "50",
	    TEST_DETAILS("tlsa-invalid", "mx.a.example", "50", "")) ","
	TEST_POLICY("sts", "a.example", "90", "10", "") ","
	TEST_POLICY("sts", "sub.a.example", "7", "1",
	    TEST_DETAILS("validation-failure", "mx.sub.a.example", "1",
	    ",\"additional-information\":\"line\\nbreak \\u001b[31m\"")),
	NULL,
	TEST_POLICY("sts", "b.example", "10", "0", "") ","
	TEST_POLICY("no-policy-found", "c.example", "1", "2",
	    TEST_DETAILS("dnssec-invalid", "mx.c.example", "2", "")) ","
	TEST_POLICY("sts", "a.example", "1", "0", "") ","
	TEST_POLICY("sts", "x1.example", "1", "0", "") ","
	TEST_POLICY("sts", "x2.example", "1", "0", "") ","
	TEST_POLICY("sts", "x3.example", "1", "0", "") ","
	TEST_POLICY("sts", "x4.example", "1", "0", "") ","
	TEST_POLICY("sts", "x5.example", "1", "0", "") ","
	TEST_POLICY("sts", "x6.example", "1", "0", "") ","
	TEST_POLICY("sts", "x7.example", "1", "0", "") ","
	TEST_POLICY("sts", "sub.a.example", "2", "2", ""),
};

static void
test_huge_shape(struct buf *b)
{
	int i;

	buf_puts(b, "{\"policy\":{\"policy-type\":\"sts\",\"policy-domain\":"
	    "\"b.example\"},\"summary\":{\"total-successful-session-count\":"
	    TEST_BIG ",\"total-failure-session-count\":" TEST_BIG "},"
	    "\"failure-details\":[");
	for (i = 0; i < TEST_BIG_DETAILS; i++)
		buf_printf(b, "%s{\"result-type\":\"starttls-not-supported\","
		    "\"receiving-mx-hostname\":\"mx%d.b.example\","
		    "\"failed-session-count\":" TEST_BIG "}", i ? "," : "",
		    i % 3);
	buf_puts(b, "]},");
	buf_puts(b, TEST_POLICY("sts", "c.example", TEST_BIG, "0", ""));
}

/*
 * TEST_REPORTS reports over TEST_DAYS days; every 9th again (not stored
 * twice).
 */
static void
test_fill(struct rptdb *w)
{
	static const char *const via[] = { "https", "mailto", "mailto",
	    "mailto" };
	static const char *const dkim[] = { NULL, "pass", "fail", "none" };
	size_t nshape = sizeof(test_shapes) / sizeof(*test_shapes);
	int i, k, s;

	for (i = 0; i < TEST_REPORTS; i++) {
		k = i % 9 == 8 ? i - 1 : i;	/* a duplicate of the last */
		s = k % nshape;
		/* Three huge ones (past 2^63 in all), then small ones. */
		test_report(w, k, k % TEST_ORGS, (k * TEST_DAYS) /
		    TEST_REPORTS, via[(k / 3) % 4], dkim[(k / 3) % 4],
		    s == TEST_HUGE && k >= 3 * (int)nshape ?
		    test_shapes[TEST_SMALL_B] : test_shapes[s]);
	}
	/* A regular reporter that stopped: 20 days, then nothing. */
	for (i = 0; i < 20; i++)
		test_report(w, 1000 + i, 1, i + 5, "https", NULL,
		    test_shapes[0]);
}

static void
test_both(struct rptdb *rd, struct sqldb *db, const char *when)
{
	struct buf err = BUF_INIT;

	test_compare(rd, db, when);
	test_compare_silent(rd, db, when);
	test_compare_alerts(rd, db, when);
	(void)cfg_override(RPTDB_REQUIRE_DKIM, "no", &err);
	test_compare(rd, db, when);
	test_compare_silent(rd, db, when);
	test_compare_alerts(rd, db, when);
	(void)cfg_override(RPTDB_REQUIRE_DKIM, "yes", &err);
	buf_free(&err);
}

/*
 * The huge reports' sums stop at the largest long long (one of the three
 * is trusted: unverified ones count with report_require_dkim = no).
 */
static void
test_saturated(struct rptdb *rd)
{
	struct buf err = BUF_INIT;
	json_t *sum;

	(void)cfg_override(RPTDB_REQUIRE_DKIM, "no", &err);
	sum = rptsum_domain(rd, "b.example", TEST_DAYS + 1, TEST_NOW);
	(void)cfg_override(RPTDB_REQUIRE_DKIM, "yes", &err);
	buf_free(&err);

	CHECK(json_integer_value(json_object_get(sum, "failed")) == LLONG_MAX &&
	    json_integer_value(json_object_get(sum, "successful")) > 0,
	    "failed sessions past 2^63 stay at %lld: %lld", LLONG_MAX,
	    (long long)json_integer_value(json_object_get(sum, "failed")));
	json_decref(sum);
}

/* Migration 6 of the file as it is (SQLite); 0, or -1. */
static int
test_remigrate(const char *path)
{
	struct buf err = BUF_INIT;
	struct rptdb *w;
	int rc = -1;

	if ((w = unit_rptdb_open_write(path, NULL, 0, &err)) != NULL)
		rc = sqldb_exec(w->db, "BEGIN; DROP TABLE domain_policies;"
		    " DROP TABLE domain_failures; DROP TABLE reporters;"
		    " PRAGMA user_version = 5; COMMIT;", &err);
	rptdb_close(w);
	if (rc < 0) {
		CHECK(0, "back to version 5: %s", err.s ? err.s : "");
		buf_free(&err);
		return -1;
	}
	if ((w = unit_rptdb_open_write(path, NULL, 0, &err)) == NULL)
		CHECK(0, "a reports.db of version 5 migrates: %s", err.s);
	rptdb_close(w);
	buf_free(&err);
	return w != NULL ? 0 : -1;
}

/*
 * The same reports in one transaction, as rptparse stores up to 1,000
 * messages: a report's policies and failure details come before its
 * rows kept by domain, and reports stored earlier in it are skipped.
 */
static void
test_one_transaction(const char *dir)
{
	char *path = xasprintf("%s/one-%s", dir, RPTDB_FILE);
	struct buf err = BUF_INIT;
	struct rptdb *w, *rd = NULL;
	int moved = test_moved;

	test_moved = 0;
	if ((w = unit_rptdb_open_write(path, NULL, 0, &err)) == NULL ||
	    rptdb_begin(w, &err) < 0) {
		CHECK(0, "reports.db for one transaction: %s", err.s);
		goto out;
	}
	test_batch = 1;
	test_fill(w);
	test_batch = 0;
	CHECK(rptdb_commit(w, &err) == 0, "one transaction committed: %s",
	    err.s ? err.s : "");
	if ((rd = unit_rptdb_open(path, &err)) != NULL)
		test_same_select(rd->db, "one transaction", 100);
out:
	test_moved = moved;
	rptdb_close(w);
	rptdb_close(rd);
	unit_rptdb_unlink(path);
	free(path);
	buf_free(&err);
}

int
main(void)
{
	char dir[] = "/tmp/rptdb_bydomain_test.XXXXXX", *path, *added, *made;
	struct buf err = BUF_INIT, huge = BUF_INIT;
	struct rptdb *w, *rd, *ref = NULL;
	struct sqldb *db;

	if (mkdtemp(dir) == NULL) {
		CHECK(0, "temporary directory");
		return unit_status();
	}
	path = xasprintf("%s/%s", dir, RPTDB_FILE);
	if ((w = unit_rptdb_open_write(path, NULL, 0, &err)) == NULL) {
		CHECK(0, "reports.db created: %s", err.s);
		goto out;
	}
	test_huge_shape(&huge);
	test_shapes[TEST_HUGE] = huge.s;
	test_fill(w);
	/* The reference queries' connection, the readers' own. */
	if ((ref = unit_rptdb_open(path, &err)) == NULL ||
	    (rd = unit_rptdb_open(path, &err)) == NULL) {
		CHECK(0, "reports.db read: %s", err.s ? err.s : "");
		goto out;
	}
	db = ref->db;
	test_both(rd, db, "stored report by report");
	test_saturated(rd);
	test_same_select(db, "a transaction per report", 100);

	/*
	 * The migration makes the rows the writer added, exactly (SQLite:
	 * PostgreSQL's reports.db is made at the last version).
	 */
	added = test_dump(db);
	rptdb_close(rd);
	rptdb_close(w);
	if (!unit_rptdb_pg()) {
		CHECK(test_remigrate(path) == 0, "migration 6 again");
		made = test_dump(db);
		CHECK(strlen(added) > 1000 && strcmp(added, made) == 0,
		    "migration 6 of a file of version 5 makes the rows that"
		    " the reports added one by one (%zu bytes of rows)",
		    strlen(added));
		free(made);
	}
	free(added);

	/* sub.a.example moves to b.example: the rows follow. */
	w = unit_rptdb_open_write(path, NULL, 0, &err);
	rd = unit_rptdb_open(path, &err);
	test_moved = 1;
	CHECK(w != NULL && rd != NULL && rptdb_hosted_fill(w, test_hosted,
	    NULL, &err) == 0, "hosted domains refilled: %s",
	    err.s ? err.s : "");
	test_both(rd, db, "after a policy-domain moved to another hosted"
	    " domain");
	test_report(w, 2000, 2, TEST_DAYS - 1, "https", NULL,
	    test_shapes[2]);
	test_both(rd, db, "and a report stored after it");
	added = test_dump(db);
	rptdb_close(rd);
	rptdb_close(w);
	if (!unit_rptdb_pg()) {
		CHECK(test_remigrate(path) == 0, "migration 6 after the"
		    " move");
		made = test_dump(db);
		CHECK(strcmp(added, made) == 0, "the rows after the move are"
		    " those the migration makes of the moved file");
		free(made);
	}
	free(added);
	test_same_select(db, "after the move", 100);
	/* Its own reports.db: PostgreSQL's tables are one. */
	unit_rptdb_unlink(path);
	test_one_transaction(dir);
out:
	rptdb_close(ref);
	unit_rptdb_unlink(path);
	free(path);
	rmdir(dir);
	buf_free(&err);
	buf_free(&huge);
	return unit_status();
}
