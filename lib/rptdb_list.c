/*
 * rptdb_list - the reads of reports.db for "stsctl report list, show
 * and export": whole reports, their policies, failure details and
 * deviations; see rptdb.h.
 * SPDX-License-Identifier: ISC
 */
#include "config.h"

#include <stdint.h>
#include <string.h>

#include <sqlite3.h>

#include "buf.h"
#include "db.h"
#include "rptdb.h"
#include "rptdb_sqlite.h"

/*
 * The filter of list and export: domain, since, and the reports that
 * count (?3 = 0) or the unverified ones (?3 = 1).
 */
#define RPTDB_FILTER \
	" WHERE (?1 IS NULL OR r.id IN (SELECT p.report FROM policies p" \
	" WHERE p.hosted_domain = ?1 COLLATE NOCASE OR p.domain = ?1" \
	" COLLATE NOCASE)) AND (?2 IS NULL OR r.end_time > ?2)" \
	" AND CASE WHEN ?3 THEN NOT " RPTDB_TRUSTED_SQL \
	" ELSE " RPTDB_COUNTS_SQL " END"

static void
rptdb_list_bind(sqlite3_stmt *st, const struct rptdb_filter *f,
    int unverified)
{
	if (f->domain)
		sqlite3_bind_text(st, 1, f->domain, -1, SQLITE_TRANSIENT);
	if (f->since)
		sqlite3_bind_int64(st, 2, (sqlite3_int64)f->since);
	sqlite3_bind_int(st, 3, unverified);
	rptdb_bind_trust(st);
}

/* A report from the columns of RPTDB_REPORT_COLUMNS, from col on. */
void
rptdb_col_report(sqlite3_stmt *st, int col, struct rptdb_report *r)
{
	memset(r, 0, sizeof(*r));
	r->id = sqlite3_column_int64(st, col);
	r->organization = rptdb_col(st, col + 1);
	r->contact = rptdb_col(st, col + 2);
	r->report_id = rptdb_col(st, col + 3);
	r->start = (time_t)sqlite3_column_int64(st, col + 4);
	r->end = (time_t)sqlite3_column_int64(st, col + 5);
	r->received = (time_t)sqlite3_column_int64(st, col + 6);
	r->via = rptdb_col(st, col + 7);
	r->submitter = rptdb_col(st, col + 8);
	r->sha256 = rptdb_col(st, col + 9);
	r->spool_id = rptdb_col(st, col + 10);
	r->dkim_result = rptdb_col(st, col + 11);
	r->dkim_domain = rptdb_col(st, col + 12);
	r->dkim_selector = rptdb_col(st, col + 13);
	r->dkim_reason = rptdb_col(st, col + 14);
	r->counts = sqlite3_column_int(st, col + 15) != 0;
}

void
rptdb_reports(struct rptdb *db, const struct rptdb_filter *f,
    int with_domains, rptdb_report_fn *fn, void *arg)
{
	sqlite3_stmt *st;
	struct rptdb_report r;

	if (with_domains)
		st = db_prepare(db->db, "SELECT " RPTDB_REPORT_COLUMNS
		    ", (SELECT group_concat(COALESCE(p.domain, '-'), ' ')"
		    " FROM policies p  WHERE p.report = r.id)"
		    " FROM reports r" RPTDB_FILTER
		    " ORDER BY r.start_time, r.id");
	else
		st = db_prepare(db->db, "SELECT " RPTDB_REPORT_COLUMNS
		    " FROM reports r" RPTDB_FILTER
		    " ORDER BY r.start_time, r.id");
	rptdb_list_bind(st, f, f->unverified);
	while (sqlite3_step(st) == SQLITE_ROW) {
		rptdb_col_report(st, 0, &r);
		if (with_domains)
			r.domains = rptdb_col(st, RPTDB_REPORT_NCOLUMNS);
		fn(&r, arg);
	}
	sqlite3_finalize(st);
}

long long
rptdb_reports_count(struct rptdb *db, const struct rptdb_filter *f)
{
	sqlite3_stmt *st = db_prepare(db->db, "SELECT count(*) FROM reports r"
	    RPTDB_FILTER);
	long long n = 0;

	rptdb_list_bind(st, f, f->unverified);
	if (sqlite3_step(st) == SQLITE_ROW)
		n = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	return n;
}

int
rptdb_report_get(struct rptdb *db, int64_t id, rptdb_report_fn *fn,
    void *arg)
{
	sqlite3_stmt *st = db_prepare(db->db, "SELECT " RPTDB_REPORT_COLUMNS
	    " FROM reports r WHERE r.id = ?1");
	struct rptdb_report r;
	int found;

	sqlite3_bind_int64(st, 1, id);
	rptdb_bind_trust(st);
	if ((found = sqlite3_step(st) == SQLITE_ROW)) {
		rptdb_col_report(st, 0, &r);
		fn(&r, arg);
	}
	sqlite3_finalize(st);
	return found ? 0 : -1;
}

/* A policy from RPTDB_POLICY_NCOLUMNS columns from col on. */
#define RPTDB_POLICY_NCOLUMNS	9
static void
rptdb_list_policy(sqlite3_stmt *st, int col, struct rptdb_policy *p)
{
	p->id = sqlite3_column_int64(st, col);
	p->type = rptdb_col(st, col + 1);
	p->domain = rptdb_col(st, col + 2);
	p->hosted_domain = rptdb_col(st, col + 3);
	p->strings = rptdb_col(st, col + 4);
	p->mx_hosts = rptdb_col(st, col + 5);
	p->success_count = sqlite3_column_int64(st, col + 6);
	p->failure_count = sqlite3_column_int64(st, col + 7);
	p->counted = sqlite3_column_int(st, col + 8) != 0;
}

/* A failure detail from 8 columns from col on; 0: none (LEFT JOIN). */
static int
rptdb_list_failure(sqlite3_stmt *st, int col, struct rptdb_failure *f)
{
	f->result_type = rptdb_col(st, col);
	f->sending_mta_ip = rptdb_col(st, col + 1);
	f->receiving_mx_hostname = rptdb_col(st, col + 2);
	f->receiving_mx_helo = rptdb_col(st, col + 3);
	f->receiving_ip = rptdb_col(st, col + 4);
	f->failed_session_count = sqlite3_column_int64(st, col + 5);
	f->additional_information = rptdb_col(st, col + 6);
	f->failure_reason_code = rptdb_col(st, col + 7);
	return f->result_type != NULL;
}

void
rptdb_report_policies(struct rptdb *db, int64_t report, rptdb_policy_fn *fn,
    void *arg)
{
	sqlite3_stmt *st = db_prepare(db->db, "SELECT id, type, domain,"
	    " hosted_domain, strings, mx_hosts, success_count, failure_count,"
	    " counted FROM policies WHERE report = ? ORDER BY idx");
	struct rptdb_policy p;

	sqlite3_bind_int64(st, 1, report);
	while (sqlite3_step(st) == SQLITE_ROW) {
		rptdb_list_policy(st, 0, &p);
		fn(&p, arg);
	}
	sqlite3_finalize(st);
}

void
rptdb_policy_failures(struct rptdb *db, int64_t policy, rptdb_failure_fn *fn,
    void *arg)
{
	sqlite3_stmt *st = db_prepare(db->db, "SELECT result_type,"
	    " sending_mta_ip, receiving_mx_hostname, receiving_mx_helo,"
	    " receiving_ip, failed_session_count, additional_information,"
	    " failure_reason_code FROM failures WHERE policy = ? ORDER BY id");
	struct rptdb_failure f;

	sqlite3_bind_int64(st, 1, policy);
	while (sqlite3_step(st) == SQLITE_ROW) {
		rptdb_list_failure(st, 0, &f);
		fn(&f, arg);
	}
	sqlite3_finalize(st);
}

void
rptdb_report_deviations(struct rptdb *db, int64_t report, rptdb_text_fn *fn,
    void *arg)
{
	sqlite3_stmt *st = db_prepare(db->db, "SELECT text FROM deviations"
	    " WHERE report = ? ORDER BY idx");

	sqlite3_bind_int64(st, 1, report);
	while (sqlite3_step(st) == SQLITE_ROW)
		fn(rptdb_col(st, 0), arg);
	sqlite3_finalize(st);
}

void
rptdb_export(struct rptdb *db, const struct rptdb_filter *f,
    rptdb_export_fn *fn, void *arg)
{
	sqlite3_stmt *st = db_prepare(db->db, "SELECT " RPTDB_REPORT_COLUMNS
	    ", p.id, p.type, p.domain, p.hosted_domain, p.strings,"
	    " p.mx_hosts, p.success_count, p.failure_count, p.counted,"
	    " f.result_type, f.sending_mta_ip, f.receiving_mx_hostname,"
	    " f.receiving_mx_helo, f.receiving_ip, f.failed_session_count,"
	    " f.additional_information, f.failure_reason_code"
	    " FROM reports r JOIN policies p ON p.report = r.id"
	    " LEFT JOIN failures f ON f.policy = p.id" RPTDB_FILTER
	    " ORDER BY r.start_time, r.id, p.idx, f.id");
	struct rptdb_export_row row;
	struct rptdb_report r;
	struct rptdb_policy p;
	struct rptdb_failure fd;

	rptdb_list_bind(st, f, f->unverified);
	while (sqlite3_step(st) == SQLITE_ROW) {
		rptdb_col_report(st, 0, &r);
		rptdb_list_policy(st, RPTDB_REPORT_NCOLUMNS, &p);
		row.report = &r;
		row.policy = &p;
		row.failure = rptdb_list_failure(st, RPTDB_REPORT_NCOLUMNS +
		    RPTDB_POLICY_NCOLUMNS, &fd) ? &fd : NULL;
		fn(&row, arg);
	}
	sqlite3_finalize(st);
}
