/*
 * rptjson - a stored TLS report as JSON, whole or as one domain sees it,
 * and as rows of CSV ("stsctl report show/export", the portal).
 * SPDX-License-Identifier: ISC
 *
 * SYNOPSIS
 *	j = rptjson_report(db, &report, totals, domain)
 *	rptjson_csv_head(out)
 *	rptjson_csv_rows(out, j)
 *	rptjson_csv_columns[]
 *
 * DESCRIPTION
 *	rptjson_report() makes the JSON of one stored report (a row of
 *	rptdb_report_get(), rptdb_reports() or rptdb_domain_reports()):
 *	id, organization-name, contact-info, report-id, date-range,
 *	received, via, submitter, sha256, spool-id, dkim {result, domain,
 *	selector, reason}, counts, sessions {successful, failed} (from
 *	totals, lib/rptsum), deviations and policies, each with policy
 *	{policy-type, policy-domain, policy-string, mx-host},
 *	hosted-domain, counted, summary and failure-details (the fields
 *	the sender gave; absent ones left out).  With domain (lower
 *	case) only the policies whose hosted domain or policy-domain it
 *	is are given: a report that also judges another tenant's domain
 *	shows nothing of it.  NULL: every policy.
 *
 *	rptjson_csv_head() writes the head line of the CSV of
 *	rptjson_csv_rows(), which writes one line per failure detail of
 *	each policy of j, and one per policy without any; each cell by
 *	csv_cell() of lib/csv (RFC 4180 quoting, and a leading "'" before
 *	a text that a spreadsheet would take for a formula), with the text
 *	as it is (CSV_BYTES); NULL is an empty cell.  rptjson_csv_columns, NULL-terminated, are the
 *	columns, those of "stsctl report export --csv" too.
 *
 * LIMITS
 *	A report's size is bounded by what rptparse stored.
 */
#ifndef STS_RPTJSON_H
#define STS_RPTJSON_H

#include <jansson.h>

#include "buf.h"
#include "rptdb.h"

json_t	*rptjson_report(struct rptdb *, const struct rptdb_report *,
	    struct rptdb_totals *, const char *domain);
void	rptjson_csv_head(struct buf *out);
void	rptjson_csv_rows(struct buf *out, json_t *report);

extern const char *const rptjson_csv_columns[];

#endif
