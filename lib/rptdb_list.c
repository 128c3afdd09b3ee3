/*
 * rptdb_list - the reads of reports.db for "stsctl report list, show
 * and export": whole reports, their policies, failure details and
 * deviations; see rptdb.h.
 * SPDX-License-Identifier: ISC
 */
#include "config.h"

#include <stdint.h>
#include <string.h>

#include "buf.h"
#include "rptdb.h"
#include "rptdb_sql.h"
#include "sqldb.h"

/*
 * The filter of list and export: domain, since, and the reports that
 * count (?3 = 0) or the unverified ones (?3 = 1).  A domain's reports
 * are those of its range of domain_policies (its counted policies under
 * their hosted domain and policy-domain: every report with a policy of
 * it has a counted one), in the window when there is one.
 */
#define RPTDB_FILTER \
	" WHERE (CAST(?1 AS TEXT) IS NULL OR r.id IN (SELECT d.report" \
	" FROM domain_policies d WHERE d.domain = lower(?1) AND" \
	" (CAST(?2 AS BIGINT) IS NULL OR d.end_time > ?2)))" \
	" AND (CAST(?2 AS BIGINT) IS NULL OR r.end_time > ?2)" \
	" AND CASE WHEN ?3 THEN NOT " RPTDB_TRUSTED_SQL \
	" ELSE " RPTDB_COUNTS_SQL " END"

static void
rptdb_list_bind(struct sqldb_stmt *st, const struct rptdb_filter *f,
    int unverified)
{
	sqldb_bind_opt(st, 1, f->domain);
	if (f->since)
		sqldb_bind_int64(st, 2, (long long)f->since);
	else
		sqldb_bind_null(st, 2);
	sqldb_bind_int64(st, 3, unverified);
	rptdb_bind_trust(st);
}

/* The columns of RPTDB_REPORT_COLUMNS. */
#define RPTDB_ROW rptdb_report
static const struct rptdb_field rptdb_report_fields[] = {
	RPTDB_I64(id), RPTDB_TEXT(organization), RPTDB_TEXT(contact),
	RPTDB_TEXT(report_id), RPTDB_TIME(start), RPTDB_TIME(end),
	RPTDB_TIME(received), RPTDB_TEXT(via), RPTDB_TEXT(submitter),
	RPTDB_TEXT(sha256), RPTDB_TEXT(spool_id), RPTDB_TEXT(dkim_result),
	RPTDB_TEXT(dkim_domain), RPTDB_TEXT(dkim_selector),
	RPTDB_TEXT(dkim_reason), RPTDB_BOOL(counts), RPTDB_FIELDS_END
};
#undef RPTDB_ROW

/* The columns of RPTDB_POLICY_COLUMNS. */
#define RPTDB_POLICY_COLUMNS(p) p "id, " p "type, " p "domain, " \
	p "hosted_domain, " p "strings, " p "mx_hosts, " p "success_count, " \
	p "failure_count, " p "counted"
#define RPTDB_ROW rptdb_policy
static const struct rptdb_field rptdb_policy_fields[] = {
	RPTDB_I64(id), RPTDB_TEXT(type), RPTDB_TEXT(domain),
	RPTDB_TEXT(hosted_domain), RPTDB_TEXT(strings), RPTDB_TEXT(mx_hosts),
	RPTDB_I64(success_count), RPTDB_I64(failure_count), RPTDB_BOOL(counted),
	RPTDB_FIELDS_END
};
#undef RPTDB_ROW

/* The columns of RPTDB_FAILURE_COLUMNS. */
#define RPTDB_FAILURE_COLUMNS(f) f "result_type, " f "sending_mta_ip, " \
	f "receiving_mx_hostname, " f "receiving_mx_helo, " f "receiving_ip, " \
	f "failed_session_count, " f "additional_information, " \
	f "failure_reason_code"
#define RPTDB_ROW rptdb_failure
static const struct rptdb_field rptdb_failure_fields[] = {
	RPTDB_TEXT(result_type), RPTDB_TEXT(sending_mta_ip),
	RPTDB_TEXT(receiving_mx_hostname), RPTDB_TEXT(receiving_mx_helo),
	RPTDB_TEXT(receiving_ip), RPTDB_I64(failed_session_count),
	RPTDB_TEXT(additional_information), RPTDB_TEXT(failure_reason_code),
	RPTDB_FIELDS_END
};
#undef RPTDB_ROW

/* A report from the columns of RPTDB_REPORT_COLUMNS, from col on. */
void
rptdb_col_report(struct sqldb_stmt *st, int col, struct rptdb_report *r)
{
	memset(r, 0, sizeof(*r));
	rptdb_fields(st, col, rptdb_report_fields, r);
}

/*
 * With each report the policy-domains of its policies: the one pair of
 * the readers, as SQLite's group_concat() is PostgreSQL's string_agg().
 */
#define RPTDB_LIST_DOMAINS(agg) "SELECT " RPTDB_REPORT_COLUMNS ", (SELECT " \
	agg " FROM policies p WHERE p.report = r.id) FROM reports r" \
	RPTDB_FILTER " ORDER BY r.start_time, r.id"

void
rptdb_reports(struct rptdb *db, const struct rptdb_filter *f,
    int with_domains, rptdb_report_fn *fn, void *arg)
{
	int rc;
	struct sqldb_stmt *st;
	struct rptdb_report r;

	if (with_domains)
		st = sqldb_cached(db->db, db->pg ?
		    RPTDB_LIST_DOMAINS("string_agg(COALESCE(p.domain, '-'),"
		    " ' ' ORDER BY p.idx)") :
		    RPTDB_LIST_DOMAINS("group_concat(COALESCE(p.domain,"
		    " '-'), ' ')"));
	else
		st = sqldb_cached(db->db, "SELECT " RPTDB_REPORT_COLUMNS
		    " FROM reports r" RPTDB_FILTER
		    " ORDER BY r.start_time, r.id");
	rptdb_list_bind(st, f, f->unverified);
	while ((rc = sqldb_step(st)) == SQLDB_ROW) {
		rptdb_col_report(st, 0, &r);
		if (with_domains)
			r.domains = rptdb_col(st, RPTDB_REPORT_NCOLUMNS);
		fn(&r, arg);
	}
	rptdb_read_end(st, rc, "read");
}

long long
rptdb_reports_count(struct rptdb *db, const struct rptdb_filter *f)
{
	struct sqldb_stmt *st = sqldb_cached(db->db, "SELECT count(*) FROM reports r"
	    RPTDB_FILTER);
	long long n = 0;

	rptdb_list_bind(st, f, f->unverified);
	if (sqldb_step(st) == SQLDB_ROW)
		n = sqldb_int(st, 0);
	sqldb_finish(st);
	return n;
}

int
rptdb_report_get(struct rptdb *db, int64_t id, rptdb_report_fn *fn,
    void *arg)
{
	struct sqldb_stmt *st = sqldb_cached(db->db, "SELECT " RPTDB_REPORT_COLUMNS
	    " FROM reports r WHERE r.id = ?1");
	struct rptdb_report r;
	int found;

	sqldb_bind_int64(st, 1, id);
	rptdb_bind_trust(st);
	if ((found = sqldb_step(st) == SQLDB_ROW)) {
		rptdb_col_report(st, 0, &r);
		fn(&r, arg);
	}
	sqldb_finish(st);
	return found ? 0 : -1;
}

/* The rows of a report or a policy (by id) in a struct each. */
static struct sqldb_stmt *
rptdb_list_of(struct rptdb *db, const char *sql, int64_t id)
{
	struct sqldb_stmt *st = sqldb_cached(db->db, sql);

	sqldb_bind_int64(st, 1, id);
	return st;
}

void
rptdb_report_policies(struct rptdb *db, int64_t report, rptdb_policy_fn *fn,
    void *arg)
{
	struct sqldb_stmt *st = rptdb_list_of(db, "SELECT " RPTDB_POLICY_COLUMNS("")
	    " FROM policies WHERE report = ? ORDER BY idx", report);
	struct rptdb_policy p;

	while (rptdb_row(st, rptdb_policy_fields, &p))
		fn(&p, arg);
}

void
rptdb_policy_failures(struct rptdb *db, int64_t policy, rptdb_failure_fn *fn,
    void *arg)
{
	struct sqldb_stmt *st = rptdb_list_of(db, "SELECT " RPTDB_FAILURE_COLUMNS("")
	    " FROM failures WHERE policy = ? ORDER BY id", policy);
	struct rptdb_failure f;

	while (rptdb_row(st, rptdb_failure_fields, &f))
		fn(&f, arg);
}

void
rptdb_report_deviations(struct rptdb *db, int64_t report, rptdb_text_fn *fn,
    void *arg)
{
	int rc;
	struct sqldb_stmt *st = rptdb_list_of(db, "SELECT text FROM deviations"
	    " WHERE report = ? ORDER BY idx", report);

	while ((rc = sqldb_step(st)) == SQLDB_ROW)
		fn(rptdb_col(st, 0), arg);
	rptdb_read_end(st, rc, "read");
}

void
rptdb_export(struct rptdb *db, const struct rptdb_filter *f,
    rptdb_export_fn *fn, void *arg)
{
	int rc;
	struct sqldb_stmt *st = sqldb_cached(db->db, "SELECT " RPTDB_REPORT_COLUMNS
	    ", " RPTDB_POLICY_COLUMNS("p.") ", " RPTDB_FAILURE_COLUMNS("f.")
	    " FROM reports r JOIN policies p ON p.report = r.id"
	    " LEFT JOIN failures f ON f.policy = p.id" RPTDB_FILTER
	    " ORDER BY r.start_time, r.id, p.idx, f.id");
	struct rptdb_export_row row;
	struct rptdb_report r;
	struct rptdb_policy p;
	struct rptdb_failure fd;
	int col;

	rptdb_list_bind(st, f, f->unverified);
	while ((rc = sqldb_step(st)) == SQLDB_ROW) {
		rptdb_col_report(st, 0, &r);
		col = rptdb_fields(st, RPTDB_REPORT_NCOLUMNS,
		    rptdb_policy_fields, &p);
		rptdb_fields(st, col, rptdb_failure_fields, &fd);
		row.report = &r;
		row.policy = &p;
		row.failure = fd.result_type != NULL ? &fd : NULL;
		fn(&row, arg);
	}
	rptdb_read_end(st, rc, "read");
}
