/*
 * rptdb_read - the reads of reports.db for the summaries (lib/rptsum),
 * rptparse's alerts and the metrics; see rptdb.h.
 * SPDX-License-Identifier: ISC
 *
 * Reads only (the statements are SELECTs); the indexes that keep these
 * queries cheap for many domains are in the schema (rptdb.c).
 */
#include "config.h"

#include <inttypes.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "log.h"
#include "mymalloc.h"
#include "rptdb.h"
#include "rptdb_sql.h"
#include "sqldb.h"

/*
 * A domain's counted rows of a window: one range of domain_policies or
 * domain_failures (migration 6), whose keys are the domain names in
 * lower case (the caller's form, rptsum_domain_name()).
 */
#define RPTDB_BY_DOMAIN	" WHERE domain = lower(?1) AND end_time > ?2"

/*
 * Which rows of policies belong to the domain of a policy, for alerts:
 * by hosted domain when it has one (?1), else by its policy-domain (?2),
 * each statement in two forms.  Reports.db has no index of policies by
 * either (migration 7): a domain's reports are those of its range of
 * domain_policies (hosted 1 under a hosted domain, hosted 0 under a
 * policy-domain that is not one), which holds every report with a
 * policy of it (a report's counted policy of a policy-domain has the
 * hosted domain of every other policy of that policy-domain); its
 * policies, counted or not, are the policies of those reports (an index
 * lookup by report) that belong to it.  cond is on d, or on r with the
 * join of reports.
 */
#define RPTDB_REPORTS_OF(key, hosted, join, cond) " p.report IN" \
	" (SELECT d.report FROM domain_policies d" join \
	" WHERE d.domain = lower(" key ") AND d.hosted = " hosted \
	" AND " cond ")"
#define RPTDB_JOIN_REPORTS	" JOIN reports r ON r.id = d.report"
#define RPTDB_HOSTED_SQL(join, cond) \
	RPTDB_REPORTS_OF("?1", "1", join, cond) \
	" AND p.hosted_domain = lower(?1)"
#define RPTDB_UNHOSTED_SQL(join, cond) \
	RPTDB_REPORTS_OF("?2", "0", join, cond) \
	" AND p.hosted_domain IS NULL AND p.domain = lower(?2)"

static int64_t rptdb_total_count(double);

#define RPTDB_DAY_LEN	sizeof("-292277026596-12-31")	/* %Y-%m-%d */

/*
 * The UTC day of t as YYYY-MM-DD into day (strftime('%Y-%m-%d', t,
 * 'unixepoch') of SQLite, on either engine).
 */
static const char *
rptdb_read_day(time_t t, char day[RPTDB_DAY_LEN])
{
	struct tm tm;

	if (gmtime_r(&t, &tm) == NULL ||
	    strftime(day, RPTDB_DAY_LEN, "%Y-%m-%d", &tm) == 0)
		day[0] = '\0';
	return day;
}

static struct sqldb_stmt *
rptdb_read_prepare(struct rptdb *db, const char *sql, const char *domain,
    time_t since)
{
	struct sqldb_stmt *st = sqldb_cached(db->db, sql);

	sqldb_bind_text(st, 1, domain);
	sqldb_bind_int64(st, 2, (long long)since);
	rptdb_bind_trust(st);
	return st;
}

#define RPTDB_ROW rptdb_domain_policy
static const struct rptdb_field rptdb_domain_policy_fields[] = {
	RPTDB_I64(report), RPTDB_TEXT(organization), RPTDB_TEXT(day),
	RPTDB_TIME(end), RPTDB_I64(success_count), RPTDB_I64(failure_count),
	RPTDB_I64(policy), RPTDB_FIELDS_END
};
#undef RPTDB_ROW
#define RPTDB_POLICY_SELECT "SELECT report, organization," \
	" start_time, end_time," \
	" success_count, failure_count, policy FROM domain_policies" \
	RPTDB_BY_DOMAIN

#define RPTDB_ROW rptdb_domain_failure
static const struct rptdb_field rptdb_domain_failure_fields[] = {
	RPTDB_TEXT(organization), RPTDB_TEXT(result_type), RPTDB_TEXT(mx),
	RPTDB_TEXT(info), RPTDB_TIME(end), RPTDB_I64(failed_session_count),
	RPTDB_I64(policy), RPTDB_FIELDS_END
};
#undef RPTDB_ROW
#define RPTDB_FAILURE_SELECT "SELECT organization, result_type," \
	" receiving_mx_hostname, additional_information, end_time," \
	" failed_session_count, policy FROM domain_failures" \
	RPTDB_BY_DOMAIN

#define RPTDB_COUNTED	" AND (trusted = 1 OR ?9 = 0)"
#define RPTDB_UNTRUSTED	" AND trusted = 0"

/* The statements of rptdb_domain_read(), by its untrusted. */
static const char *const rptdb_policy_sql[] = {
	RPTDB_POLICY_SELECT RPTDB_COUNTED, RPTDB_POLICY_SELECT RPTDB_UNTRUSTED
};
static const char *const rptdb_failure_sql[] = {
	RPTDB_FAILURE_SELECT RPTDB_COUNTED, RPTDB_FAILURE_SELECT RPTDB_UNTRUSTED
};

/*
 * The domain's policy rows to pfn and failure rows to ffn (each NULL:
 * not read), of the counted reports or with untrusted of the others.
 */
static void
rptdb_domain_read(struct rptdb *db, int untrusted, const char *domain,
    time_t since, rptdb_domain_policy_fn *pfn, rptdb_domain_failure_fn *ffn,
    void *arg)
{
	struct rptdb_domain_policy p;
	struct rptdb_domain_failure f;
	struct sqldb_stmt *st;
	char day[RPTDB_DAY_LEN];

	if (pfn != NULL) {
		st = rptdb_read_prepare(db, rptdb_policy_sql[untrusted != 0],
		    domain, since);
		while (rptdb_row(st, rptdb_domain_policy_fields, &p)) {
			/* The column holds start_time: its day, in C. */
			p.day = rptdb_read_day((time_t)sqldb_int(st, 2), day);
			pfn(&p, arg);
		}
	}
	if (ffn != NULL) {
		st = rptdb_read_prepare(db, rptdb_failure_sql[untrusted != 0],
		    domain, since);
		while (rptdb_row(st, rptdb_domain_failure_fields, &f))
			ffn(&f, arg);
	}
}

void
rptdb_domain_policies(struct rptdb *db, const char *domain, time_t since,
    rptdb_domain_policy_fn *fn, void *arg)
{
	rptdb_domain_read(db, 0, domain, since, fn, NULL, arg);
}

void
rptdb_domain_failures(struct rptdb *db, const char *domain, time_t since,
    rptdb_domain_failure_fn *fn, void *arg)
{
	rptdb_domain_read(db, 0, domain, since, NULL, fn, arg);
}

/*
 * The rows of the reports that are not trusted, from the same ranges:
 * their sums without a lookup of each report's policies (1,000
 * unverified reports of a busy domain were 4,000 reads of pages spread
 * over reports.db, bench/reports).
 */
void
rptdb_domain_untrusted(struct rptdb *db, const char *domain, time_t since,
    rptdb_domain_policy_fn *pfn, rptdb_domain_failure_fn *ffn, void *arg)
{
	rptdb_domain_read(db, 1, domain, since, pfn, ffn, arg);
}

void
rptdb_domain_unverified(struct rptdb *db, const char *domain, time_t since,
    rptdb_report_fn *fn, void *arg)
{
	int rc;
	struct rptdb_report row;
	struct sqldb_stmt *st;

	st = rptdb_read_prepare(db, "SELECT DISTINCT " RPTDB_REPORT_COLUMNS
	    " FROM domain_policies d JOIN reports r ON r.id = d.report"
	    " WHERE d.domain = lower(?1) AND d.end_time > ?2 AND d.trusted = 0"
	    " ORDER BY r.end_time DESC, r.id DESC", domain, since);
	while ((rc = sqldb_step(st)) == SQLDB_ROW) {
		rptdb_col_report(st, 0, &row);
		fn(&row, arg);
	}
	rptdb_read_end(st, rc, "read");
}

int
rptdb_domain_known(struct rptdb *db, const char *name)
{
	/*
	 * domain_policies holds each domain's counted policies under its
	 * hosted domain and its policy-domain, and every report with a
	 * policy of a domain has a counted one of it: the first key of its
	 * range, where policies needed an index of each column.
	 */
	struct sqldb_stmt *st = sqldb_cached(db->db, "SELECT 1 FROM domain_policies"
	    " WHERE domain = lower(?1) LIMIT 1");
	int known;

	sqldb_bind_text(st, 1, name);
	known = sqldb_step(st) == SQLDB_ROW;
	sqldb_finish(st);
	return known;
}

/* The statement of rptdb_totals_get(), prepared once for many reports. */
struct rptdb_totals {
	struct sqldb_stmt *st;
	char	*domain;	/* NULL: every domain */
};

struct rptdb_totals *
rptdb_totals_new(struct rptdb *db, const char *domain)
{
	struct rptdb_totals *t = xcalloc(1, sizeof(*t));

	t->st = sqldb_cached(db->db, "SELECT p.id, p.success_count,"
	    " p.failure_count, f.failed_session_count FROM policies p"
	    " LEFT JOIN failures f ON f.policy = p.id"
	    " WHERE p.report = ?1 AND p.counted = 1 AND"
	    " (CAST(?2 AS TEXT) IS NULL OR p.hosted_domain = lower(?2) OR"
	    " p.domain = lower(?2)) ORDER BY p.id");
	t->domain = domain ? xstrdup(domain) : NULL;
	return t;
}

void
rptdb_totals_get(struct rptdb_totals *t, int64_t report, rptdb_total_fn *fn,
    void *arg)
{
	int rc;
	struct rptdb_total_row row;
	struct sqldb_stmt *st = t->st;

	sqldb_reset(st);
	sqldb_bind_int64(st, 1, report);
	if (t->domain != NULL)
		sqldb_bind_text(st, 2, t->domain);
	while ((rc = sqldb_step(st)) == SQLDB_ROW) {
		row.policy = sqldb_int(st, 0);
		row.success_count = sqldb_int(st, 1);
		row.failure_count = sqldb_int(st, 2);
		row.detail = sqldb_int(st, 3);
		fn(&row, arg);
	}
	if (rc < 0 && !sqldb_stmt_lost(st))
		log_warn("%s: totals of report %" PRId64 ": %s", RPTDB_FILE,
		    report, sqldb_errmsg(st));
	sqldb_reset(st);
}

void
rptdb_totals_free(struct rptdb_totals *t)
{
	if (t == NULL)
		return;
	sqldb_finish(t->st);
	free(t->domain);
	free(t);
}

#define RPTDB_ROW rptdb_session_row
static const struct rptdb_field rptdb_session_fields[] = {
	RPTDB_TEXT(domain), RPTDB_I64(policy), RPTDB_I64(success_count),
	RPTDB_I64(failure_count), RPTDB_TEXT(result_type), RPTDB_I64(detail),
	RPTDB_FIELDS_END
};
#undef RPTDB_ROW

/* Every counted policy of the reports that count, by domain (metrics). */
int
rptdb_counted_sessions(struct rptdb *db, rptdb_session_fn *fn, void *arg)
{
	static const char sql[] =
	    "SELECT COALESCE(p.hosted_domain, p.domain, ''), p.id,"
	    " p.success_count, p.failure_count, f.result_type,"
	    " f.failed_session_count"
	    " FROM policies p JOIN reports r ON r.id = p.report"
	    " LEFT JOIN failures f ON f.policy = p.id"
	    " WHERE p.counted = 1 AND " RPTDB_COUNTS_SQL
	    " ORDER BY 1, 2";
	struct rptdb_session_row row;
	struct sqldb_stmt *st = sqldb_cached(db->db, sql);

	rptdb_bind_trust(st);
	while (rptdb_row(st, rptdb_session_fields, &row))
		fn(&row, arg);
	return 0;
}

/*
 * The table totals (migration 5) of the reports that count now, by kind
 * and result: a few rows, whatever the number of reports.
 */
int
rptdb_totals_read(struct rptdb *db, rptdb_totals_fn *fn, void *arg)
{
	struct sqldb_stmt *st = sqldb_cached(db->db, "SELECT kind, result, "
	    RPTDB_TOTAL("sessions") " FROM totals WHERE trusted = 1 OR ?9 = 0"
	    " GROUP BY kind, result ORDER BY kind, result");
	int rc;

	rptdb_bind_trust(st);
	while ((rc = sqldb_step(st)) == SQLDB_ROW)
		fn((int)sqldb_int(st, 0), rptdb_col(st, 1),
		    rptdb_total_count(sqldb_double(st, 2)), arg);
	return rptdb_read_end(st, rc, "totals");
}

/*
 * Whether policies name more than n hosted domains: the distinct
 * domains of reporters (a row per hosted domain of a counted policy and
 * organization: every hosted domain of a policy, as a report's counted
 * policy of a policy-domain has its hosted domain), in the order of its
 * key, read up to the n + 1st (the rows of n domains, not of all).
 */
int
rptdb_hosted_over(struct rptdb *db, long long n)
{
	struct sqldb_stmt *st = sqldb_cached(db->db, "SELECT COUNT(*) FROM"
	    " (SELECT DISTINCT domain FROM reporters LIMIT ?1)");
	long long got = 0;

	sqldb_bind_int64(st, 1, n + 1);
	if (sqldb_step(st) == SQLDB_ROW)
		got = sqldb_int(st, 0);
	sqldb_finish(st);
	return got > n;
}

/*
 * Alerts.
 */

static void
rptdb_bind_alert_domain(struct sqldb_stmt *st, const char *hosted,
    const char *domain)
{
	if (hosted != NULL)
		sqldb_bind_text(st, 1, hosted);
	sqldb_bind_text(st, 2, domain);
}

/*
 * A sum of counts that SQLite's TOTAL() gives as a double: within 0 to
 * INT64_MAX (a conversion of a double beyond it is undefined).
 */
static int64_t
rptdb_total_count(double d)
{
	if (!(d > 0))
		return 0;
	if (d >= (double)INT64_MAX)	/* 2^63: the first double beyond */
		return INT64_MAX;
	return (int64_t)d;
}

int
rptdb_day_counts(struct rptdb *db, const char *hosted, const char *domain,
    time_t from, time_t to, struct rptdb_day_counts *out)
{
	struct sqldb_stmt *st;
	int rc;

#define RPTDB_DAY_SUMS	"SELECT " RPTDB_TOTAL("d.success_count") "," \
	    " " RPTDB_TOTAL("d.failure_count") "," \
	    " (SELECT MAX(id) FROM reports)" \
	    " FROM domain_policies d JOIN reports r ON r.id = d.report"
#define RPTDB_DAY_RECEIVED " r.received >= ?3 AND r.received < ?4"
#define RPTDB_DAY_COUNTED " AND (d.trusted = 1 OR ?9 = 0)"
	/* The domain's counted policies: its range of domain_policies. */
	if (hosted != NULL)
		st = sqldb_cached(db->db, RPTDB_DAY_SUMS
		    " WHERE d.domain = lower(?1) AND d.hosted = 1 AND"
		    RPTDB_DAY_RECEIVED RPTDB_DAY_COUNTED);
	else
		st = sqldb_cached(db->db, RPTDB_DAY_SUMS
		    " JOIN policies p ON p.id = d.policy"
		    " WHERE d.domain = lower(?2) AND d.hosted = 0 AND"
		    " p.hosted_domain IS NULL AND" RPTDB_DAY_RECEIVED
		    RPTDB_DAY_COUNTED);
	rptdb_bind_alert_domain(st, hosted, domain);
	sqldb_bind_int64(st, 3, (long long)from);
	sqldb_bind_int64(st, 4, (long long)to);
	rptdb_bind_trust(st);
	if ((rc = sqldb_step(st)) == SQLDB_ROW) {
		out->ok = rptdb_total_count(sqldb_double(st, 0));
		out->failed = rptdb_total_count(sqldb_double(st, 1));
		out->upto = sqldb_int(st, 2);
		sqldb_finish(st);
		return 0;
	}
	rptdb_read_end(st, rc < 0 ? -1 : -2, "failure rate");
	return -1;
}

/* The reports received that day: a few of the domain's range. */
void
rptdb_day_types(struct rptdb *db, const char *hosted, const char *domain,
    time_t from, time_t to, int limit, rptdb_type_fn *fn, void *arg)
{
	int rc;
#define RPTDB_DAY_TYPES_SQL(domain) "SELECT f.result_type," \
	    " " RPTDB_TOTAL("f.failed_session_count") " AS n FROM failures f" \
	    " JOIN policies p ON p.id = f.policy" \
	    " WHERE" domain " GROUP BY f.result_type ORDER BY n DESC," \
	    " f.result_type LIMIT ?5"
	struct sqldb_stmt *st = sqldb_cached(db->db, hosted != NULL ?
	    RPTDB_DAY_TYPES_SQL(RPTDB_HOSTED_SQL(RPTDB_JOIN_REPORTS,
	    RPTDB_DAY_RECEIVED)) :
	    RPTDB_DAY_TYPES_SQL(RPTDB_UNHOSTED_SQL(RPTDB_JOIN_REPORTS,
	    RPTDB_DAY_RECEIVED)));

	rptdb_bind_alert_domain(st, hosted, domain);
	sqldb_bind_int64(st, 3, (long long)from);
	sqldb_bind_int64(st, 4, (long long)to);
	sqldb_bind_int64(st, 5, limit);
	while ((rc = sqldb_step(st)) == SQLDB_ROW)
		fn(rptdb_col(st, 0), sqldb_double(st, 1), arg);
	rptdb_read_end(st, rc, "read");
}

int
rptdb_types_before(struct rptdb *db, const char *hosted, const char *domain,
    int64_t report, rptdb_text_fn *fn, void *arg)
{
	struct sqldb_stmt *st;
	int rc;

#define RPTDB_TYPES_SQL(domain) "SELECT DISTINCT f.result_type" \
	    " FROM failures f JOIN policies p ON p.id = f.policy" \
	    " WHERE" domain
#define RPTDB_BEFORE	"d.report < ?3"
	if (hosted != NULL)
		st = sqldb_cached(db->db,
		    RPTDB_TYPES_SQL(RPTDB_HOSTED_SQL("", RPTDB_BEFORE)));
	else
		st = sqldb_cached(db->db,
		    RPTDB_TYPES_SQL(RPTDB_UNHOSTED_SQL("", RPTDB_BEFORE)));
	rptdb_bind_alert_domain(st, hosted, domain);
	sqldb_bind_int64(st, 3, (long long)report);
	while ((rc = sqldb_step(st)) == SQLDB_ROW)
		fn(rptdb_col(st, 0), arg);
	return rptdb_read_end(st, rc, "result types");
}

/*
 * Silent reporters, from the table reporters (migration 6): the pairs
 * of hosted domain and organization whose last report that counts ended
 * between the start of the window and the quiet time and that sent at
 * least min reports in all (an index range of reporters_trusted or
 * reporters_any: only the pairs that went quiet), each then counted
 * over the window in its domain's rows of domain_policies (a range).
 * A report ends no earlier than it starts (lib/tlsrpt), so one that
 * starts in the window ends in it too.  One domain: its rows of
 * reporters (the unary + keeps SQLite off the index of times).
 */
#define RPTDB_SILENT_ONE	"domain = lower(?1) AND +"
#define RPTDB_SILENT_SQL(last, n, where) \
	"WITH c AS (SELECT domain, organization, " last " AS last" \
	" FROM reporters WHERE " where last " BETWEEN ?2 AND ?3 AND" \
	" " n " >= ?4)," \
	" k AS (SELECT c.domain, c.organization, c.last," \
	" (SELECT COUNT(DISTINCT d.report) FROM domain_policies d" \
	" WHERE d.domain = c.domain AND d.end_time >= ?2 AND d.hosted = 1" \
	" AND d.organization = c.organization AND d.start_time >= ?2 AND" \
	" (d.trusted = 1 OR ?9 = 0)) AS n FROM c)" \
	" SELECT domain, organization, last, n FROM k WHERE n >= ?4" \
	" ORDER BY 1, 2 LIMIT ?5"

long long
rptdb_silent(struct rptdb *db, const char *domain, time_t now, size_t limit,
    rptdb_silent_fn *fn, void *arg)
{
	struct rptdb_silent row;
	struct sqldb_stmt *st;
	long long min, n = 0;
	time_t window, quiet;
	int rc;

	rptdb_silent_conf(&min, &window, &quiet);
	if (domain != NULL && rptdb_require_dkim())
		st = sqldb_cached(db->db, RPTDB_SILENT_SQL("last_trusted",
		    "reports_trusted", RPTDB_SILENT_ONE));
	else if (domain != NULL)
		st = sqldb_cached(db->db, RPTDB_SILENT_SQL("last_any",
		    "reports_any", RPTDB_SILENT_ONE));
	else if (rptdb_require_dkim())
		st = sqldb_cached(db->db, RPTDB_SILENT_SQL("last_trusted",
		    "reports_trusted", ""));
	else
		st = sqldb_cached(db->db, RPTDB_SILENT_SQL("last_any",
		    "reports_any", ""));
	if (domain != NULL)
		sqldb_bind_text(st, 1, domain);
	sqldb_bind_int64(st, 2, (long long)(now - quiet - window));
	sqldb_bind_int64(st, 3, (long long)(now - quiet));
	sqldb_bind_int64(st, 4, (long long)min);
	sqldb_bind_int64(st, 5, (long long)limit);
	rptdb_bind_trust(st);
	while ((rc = sqldb_step(st)) == SQLDB_ROW) {
		row.domain = rptdb_col(st, 0);
		row.organization = rptdb_col(st, 1);
		row.last = (time_t)sqldb_int(st, 2);
		row.reports = sqldb_int(st, 3);
		row.days = (now - row.last) / RPTDB_DAY;
		n++;
		fn(&row, arg);
	}
	return rptdb_read_end(st, rc, "silent reporters") < 0 ? -1 : n;
}
