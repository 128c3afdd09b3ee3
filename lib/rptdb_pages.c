/*
 * rptdb_pages - the reads of reports.db for the portal's report pages
 * (webd): one domain's reports a page at a time, newest first, and
 * whether a report is one of a domain's; see rptdb.h.
 * SPDX-License-Identifier: ISC
 *
 * A page is a range of domain_policies (migration 6), keyed (domain,
 * end_time, policy): the cursor is the (end_time, policy) of the last
 * row read, so that page n costs what page 1 does.  A report with two
 * counted policies under the same domain has two rows, next to each
 * other (its policies have consecutive ids); it is given once, and a
 * page never ends between its rows.
 */
#include "config.h"

#include <stdint.h>
#include <string.h>

#include "buf.h"
#include "rptdb.h"
#include "rptdb_sql.h"
#include "sqldb.h"

#define RPTDB_PAGE_SELECT "SELECT dp.end_time, dp.policy, " \
	RPTDB_REPORT_COLUMNS " FROM domain_policies dp" \
	" JOIN reports r ON r.id = dp.report WHERE dp.domain = ?1"
#define RPTDB_PAGE_ORDER " ORDER BY dp.end_time DESC, dp.policy DESC"

int
rptdb_domain_reports(struct rptdb *db, const char *domain,
    struct rptdb_cursor *cursor, int limit, rptdb_report_fn *fn, void *arg)
{
	int rc;
	struct sqldb_stmt *st;
	struct rptdb_report r;
	int64_t last = 0;
	int n = 0, more = 0;

	if (cursor->policy > 0) {
		st = sqldb_cached(db->db, RPTDB_PAGE_SELECT
		    " AND (dp.end_time, dp.policy) < (?2, ?3)" RPTDB_PAGE_ORDER);
		sqldb_bind_int64(st, 2, (long long)cursor->end);
		sqldb_bind_int64(st, 3, cursor->policy);
	} else
		st = sqldb_cached(db->db, RPTDB_PAGE_SELECT RPTDB_PAGE_ORDER);
	sqldb_bind_text(st, 1, domain);
	rptdb_bind_trust(st);
	while ((rc = sqldb_step(st)) == SQLDB_ROW) {
		rptdb_col_report(st, 2, &r);
		if (n > 0 && r.id == last) {
			/* The report's other row: part of the page. */
			cursor->policy = sqldb_int(st, 1);
			continue;
		}
		if (n == limit) {
			more = 1;
			break;
		}
		cursor->end = (time_t)sqldb_int(st, 0);
		cursor->policy = sqldb_int(st, 1);
		last = r.id;
		n++;
		fn(&r, arg);
	}
	rptdb_read_end(st, rc, "read");
	cursor->more = more;
	return n;
}

int
rptdb_report_of(struct rptdb *db, int64_t report, const char *domain)
{
	struct sqldb_stmt *st = sqldb_cached(db->db, "SELECT 1 FROM policies"
	    " WHERE report = ?1 AND (hosted_domain = ?2 OR domain = ?2)"
	    " LIMIT 1");
	int found;

	sqldb_bind_int64(st, 1, report);
	sqldb_bind_text(st, 2, domain);
	found = sqldb_step(st) == SQLDB_ROW;
	sqldb_finish(st);
	return found;
}
