/*
 * alerts - what rptparse tells the operator about the reports it stores.
 * SPDX-License-Identifier: ISC
 *
 * SYNOPSIS
 *	alerts_open(state_path, pct, &err)	dedup state (lib/alert) in
 *		state_path, or NULL: in the store given to alert_store_set()
 *	alerts_report(db, &hosted, report, rowid, received,
 *	    rptdb_counts(via, dkim_result), counted)
 *		after the report's transaction committed; counted: the
 *		policies.counted values the report was stored with
 *		(rptdb_policies_counted()), or NULL to work them out
 *	alerts_flush()				end of a run
 *	alerts_forget()		the hosted domains changed
 *	alerts_close()
 *
 * DESCRIPTION
 *	Only reports that count raise alerts: with report_require_dkim
 *	(the default) an https report or a mailed one whose DKIM result
 *	is "pass" (trusted, rptdb.h), any report without it.  The caller
 *	tells alerts_report() whether the report counts (rptdb_counts(),
 *	or the same test made when the report was verified); the sums and
 *	result types read from reports.db leave out the stored reports
 *	that do not count under the parameter as it is now.  So a forged,
 *	unsigned report neither raises an alert nor keeps a later real one
 *	from raising it.
 *
 *	alerts_report() looks at one newly stored report, policy by
 *	policy, and raises through lib/alert, for the hosted domain of
 *	the policy (a policy-domain that is not hosted, or a policy
 *	without a domain, raises nothing: a report may name any domain).
 *	Only reports that count (lib/rptsum: trusted, or
 *	report_require_dkim is "no") raise alerts, and only the counted
 *	policy of a report and domain (policies.counted) adds to the
 *	day's sums:
 *
 *	"failure-rate" when the failed sessions of the domain, in all the
 *	reports received on the same UTC day, exceed pct percent of its
 *	sessions; the text gives the counts and the failures by result
 *	type with their meaning and fix;
 *
 *	"sts-policy-fetch-error" and "sts-webpki-invalid" whenever a
 *	report lists failures of that type (the policy host is not
 *	working for that sender);
 *
 *	"new-result-type:TYPE" when the report lists a result type of
 *	RFC 8460 section 4.3 that no report stored before it (a lower row)
 *	listed for the domain (the two types above have their own kinds
 *	and are not repeated here); of two reports stored in one
 *	transaction that both list a new type, the first alerts;
 *
 *	"unknown-result-type" when it lists result types that the RFC
 *	does not define and no earlier report listed for the domain: one
 *	alert listing them (at most ALERTS_TYPES_MAX), never a kind per
 *	type, so that invented types cannot multiply alerts.
 *
 *	"silent-reporter:ORG" is rptparse/silent.c's; a report that counts
 *	from ORG for the domain clears it here, logged ("DOMAIN: ORG
 *	reports again: silent-reporter alert cleared").
 *
 *	Strings of the report (organization-name, report-id, result
 *	types, MX host names) reach the texts through esc_text().
 *	alerts_flush() sends the digest of what was raised (lib/alert:
 *	one mail, one webhook call, within alert_hourly_limit and
 *	alert_per_domain_daily_limit) and syncs the state.
 *
 *	Each alert's key is the UTC day (YYYY-MM-DD) the report was
 *	received, so that lib/alert's store sends each kind once per
 *	domain and day, however many reports show it.  The texts say what
 *	the result type means and how to fix it (tlsrpt_result_info()).
 *
 *	Once a domain's failure-rate alert of a day is raised, the
 *	process does not count that day's sessions of the domain again
 *	(nothing more could be sent for it that day).  A policy without
 *	failures is not counted: it can only lower the rate.  The process
 *	reads a domain's sessions of the day from reports.db once and
 *	adds each report stored after to them, and remembers the alerts
 *	of the day raised (or, for a result type, found not new), so that
 *	a busy day costs no query per report.  Rows are only ever added,
 *	by this process (lib/rptdb), and every report is passed here after
 *	its transaction committed, in the order of their rows; when rows
 *	change domain (rptdb_hosted_fill), alerts_forget() drops what was
 *	remembered.
 *
 * LIMITS
 *	ALERTS_TYPES_MAX result types listed in a failure-rate alert;
 *	ALERTS_MX_MAX MX hosts named in a result-type alert.
 *
 * DIAGNOSTICS
 *	alerts_open() returns -1 with one line in
 *	err; database errors while looking are logged, and that alert is
 *	left out.
 */
#ifndef RPTPARSE_ALERTS_H
#define RPTPARSE_ALERTS_H

#include <stdint.h>
#include <time.h>

#include "buf.h"
#include "hosted.h"
#include "rptdb.h"
#include "tlsrpt.h"

#define ALERTS_TYPES_MAX	20	/* result types in a rate alert */
#define ALERTS_MX_MAX		5	/* MX hosts named in an alert */
#define ALERTS_DAY		(24 * 60 * 60)
#define ALERTS_SILENT_KIND	"silent-reporter:"	/* + organization */

int	alerts_open(const char *state_path, double pct, struct buf *err);
void	alerts_report(struct rptdb *, const struct hosted *,
	    const struct tlsrpt_report *, int64_t rowid, time_t received,
	    int counts, const int *counted);
void	alerts_flush(void);
void	alerts_forget(void);
void	alerts_close(void);

#endif
