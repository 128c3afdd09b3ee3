/*
 * rptsum - what the stored TLS reports say about one hosted domain:
 * the summary of "stsctl report summary" and of the HTML pages, and the
 * readiness verdict (may the domain move to mode enforce?).
 * SPDX-License-Identifier: ISC
 *
 * SYNOPSIS
 *	json_t *s = rptsum_domain(db, "example.com", 7, time(NULL));
 *	json_t *v = rptsum_readiness(db, "example.com", "testing",
 *	    &rule, time(NULL));
 *	double pct = rptsum_rate(ok, failed);	(100 without sessions)
 *	rptsum_rate_text(ok, failed, buf, size)	"99.50%", or "-"
 *	rptsum_rate_json(ok, failed)		a real, or null
 *
 *	rows = rptsum_fetch(db, "example.com", 30, now)	one query pair
 *	s = rptsum_of(rows, 7, RPTSUM_TYPES)	any window up to 30 days
 *	v = rptsum_readiness_of(rows, "testing", &rule)
 *	notes = rptsum_notes_of(rows, 30, 50)
 *	unverified = rptsum_unverified_of(rows, 30)
 *	rptsum_rows_free(rows)
 *
 *	t = rptsum_totals_new(db, domain)	domain may be NULL
 *	rptsum_totals_get(t, report_id, &ok, &failed)	one report
 *	rptdb_totals_free(t)
 *	rptsum_policy_failed(failure_count, details_sum)	the rule
 *	rptsum_add(a, b)		saturating sum
 *	rptsum_dkim_reason(via, result, reason)	reason, or what the
 *					result says of a mailed report
 *	a = rptsum_silent(db, "example.com", now, max)	silent reporters
 *	rptsum_domain_name("EXAMPLE.TEST.")	"example.test", to free
 *	rptsum_require_dkim()		report_require_dkim
 *
 *	rptsum_subst(out, tlsrpt_result_info(type)->fix, "example.com")
 *
 * DESCRIPTION
 *	db is reports.db (lib/rptdb), opened read-only.  A domain
 *	matches a policy whose hosted domain or policy-domain it is (no
 *	matter the case or a final dot).  The window is the reports whose
 *	date range ends within the last days days before now.
 *
 *	What counts, here and in every reader of reports.db (stsctl
 *	report, the pages, the metrics):
 *	- a report counts when it is trusted (sent by https, or mailed
 *	  with a passing aligned DKIM signature) or when
 *	  report_require_dkim is "no", decided when reading (lib/rptdb);
 *	  the others are "unverified", listed apart;
 *	- a session counts once per report and policy-domain: only the
 *	  policy with policies.counted (the "sts" one, else the one with
 *	  the most sessions) adds to totals and groups;
 *	- a policy's failed sessions are its total-failure-session-count,
 *	  or the sum of its failure details' failed-session-count when
 *	  that is larger (Mail.ru says 1 and details 1 + 1): so that the
 *	  groups by result type and by MX host add up to the failed
 *	  sessions, the sessions that no detail accounts for form a group
 *	  whose key is null;
 *	- every sum saturates at the largest long long (rptsum_add).
 *
 *	rptsum_domain() returns the summary object that "stsctl report
 *	summary --json" prints: domain, days, reports, sessions,
 *	successful, failed, success-rate (percent; null without sessions:
 *	no sessions is no evidence of success),
 *	by-result-type [{result-type, sessions}], by-organization
 *	[{organization-name, successful, failed}], by-mx-host
 *	[{receiving-mx-hostname, sessions}] and by-day [{day (YYYY-MM-DD,
 *	of the report's start), successful, failed}], by-day-result-type
 *	[{day, result-type, failed}] and by-day-organization [{day,
 *	organization-name, failed}] (the failed sessions of each day by
 *	result type, null for those in no failure detail, and by sender;
 *	only what is not 0, in order of day, then name), unverified (the
 *	reports of the window left out as unverified) and silent-reporters
 *	(rptsum_silent(): [{organization-name, last-report (RFC 3339, the
 *	end of its last report), last-report-day, days, reports}], by the
 *	alert_silent_* parameters, whatever the window; at most
 *	RPTSUM_SILENT_MAX).  Groups come in order of
 *	failed sessions (most first; by-day: by day), ties by name in byte
 *	order, a missing MX host first.  Sums that would pass the largest
 *	long long stay there.
 *
 *	rptsum_fetch() reads the rows of a domain for a window once (two
 *	queries: its policies, and their failure details), and the _of()
 *	functions compute from them for any window that is not longer:
 *	rptsum_of() the summary with only the groups asked for
 *	(RPTSUM_TYPES, ...; the totals always), for pages that show many
 *	windows of many domains.  rptsum_domain() and rptsum_readiness()
 *	are fetch, _of and free in one call.
 *
 *	rptsum_readiness() gives the verdict for a domain in mode mode
 *	over the last rule.days days.  The rule: a sending organization
 *	is major when it reported at least rule.major_share percent of
 *	the domain's sessions in the window.  The domain is "ready" (safe
 *	to move to enforce) when the window holds sessions and no major
 *	sender reported a failed session; failures from minor senders are
 *	shown but do not hold it back.  Otherwise "not-yet", with the
 *	reason (no reports, no sessions, failures from which senders).  A
 *	domain already in mode enforce is "enforced".  The object: verdict,
 *	text (one line for people), reason, days, major-share, reports,
 *	sessions, failed, senders [{organization-name, sessions, failed,
 *	share, major, last-failure}] (most sessions first) and
 *	last-failure (RFC 3339 end of the last report with a failure, or
 *	null).
 *
 *	rptsum_notes_of() lists the distinct additional-information texts of
 *	the failure details in the window, newest first, at most limit:
 *	[{organization-name, result-type, receiving-mx-hostname,
 *	additional-information}].
 *
 *	rptsum_unverified_of() lists the unverified reports of the window
 *	(read from the db of rptsum_fetch(), which must still be open; their
 *	sums come from the rows fetched), newest first: [{id, organization-name, report-id, start-datetime,
 *	end-datetime, via, submitter, dkim {result, domain, selector,
 *	reason}, counts (report_require_dkim is "no"),
 *	total-successful-session-count, total-failure-session-count}].
 *
 *	rptsum_dkim_reason() is the stored dkim_reason, or for a mailed
 *	report without one what its dkim_result says ("none": "not
 *	signed", ...); NULL for a report that passed or came by https.
 *
 *	rptsum_totals_get() gives the sessions of one report by the
 *	rules above (its counted policies; with a domain, only those that
 *	domain matches), for "stsctl report list" and "export": one
 *	statement, prepared by rptsum_totals_new(), serves every report.
 *
 *	rptsum_subst() appends a text of tlsrpt_result_info() with every
 *	"DOMAIN" replaced by the domain.
 *
 * LIMITS
 *	Database errors are bugs here (db_prepare panics); a failing step
 *	ends the rows early.  The rows of a domain's window are held in
 *	memory (one small record per policy and per failure detail, and
 *	per unverified report).  RPTSUM_SENDERS_TEXT_MAX senders are named
 *	in a verdict text.
 */
#ifndef STS_RPTSUM_H
#define STS_RPTSUM_H

#include <time.h>

#include <jansson.h>

#include "buf.h"
#include "rptdb.h"
#include "tlsrpt.h"

#define RPTSUM_DAY		(24 * 60 * 60)
#define RPTSUM_SILENT_MAX	100	/* silent reporters of a domain shown */
#define RPTSUM_SENDERS_TEXT_MAX	5
#define RPTSUM_DOMAIN_WORD	"DOMAIN"

/* The groups of rptsum_of(); the totals are always there. */
#define RPTSUM_TYPES	(1u << 0)	/* by-result-type */
#define RPTSUM_ORGS	(1u << 1)	/* by-organization */
#define RPTSUM_MX	(1u << 2)	/* by-mx-host */
#define RPTSUM_DAYS	(1u << 3)	/* by-day */
#define RPTSUM_DAY_TYPES (1u << 4)	/* by-day-result-type */
#define RPTSUM_DAY_ORGS	(1u << 5)	/* by-day-organization */
#define RPTSUM_ALL	(RPTSUM_TYPES | RPTSUM_ORGS | RPTSUM_MX | RPTSUM_DAYS | \
	RPTSUM_DAY_TYPES | RPTSUM_DAY_ORGS)

struct rptsum_rule {
	int	 days;		/* readiness window (readiness_days) */
	int	 major_share;	/* percent (readiness_major_share) */
};

struct rptsum_rows;

json_t	*rptsum_domain(struct rptdb *, const char *domain, int days, time_t now);
json_t	*rptsum_silent(struct rptdb *, const char *domain, time_t now,
	    size_t max);
json_t	*rptsum_readiness(struct rptdb *, const char *domain, const char *mode,
	    const struct rptsum_rule *, time_t now);
double	 rptsum_rate(long long ok, long long failed);
#define RPTSUM_RATE_SIZE	16	/* "100.00%" and more */
const char *rptsum_rate_text(long long ok, long long failed, char *buf,
	    size_t size);
json_t	*rptsum_rate_json(long long ok, long long failed);

struct rptsum_rows *rptsum_fetch(struct rptdb *, const char *domain, int days,
	    time_t now);
json_t	*rptsum_of(const struct rptsum_rows *, int days, unsigned parts);
json_t	*rptsum_readiness_of(const struct rptsum_rows *, const char *mode,
	    const struct rptsum_rule *);
json_t	*rptsum_notes_of(const struct rptsum_rows *, int days, int limit);
json_t	*rptsum_unverified_of(const struct rptsum_rows *, int days);
struct rptdb_totals *rptsum_totals_new(struct rptdb *, const char *domain);
void	 rptsum_totals_get(struct rptdb_totals *, int64_t report,
	    long long *ok, long long *failed);
long long rptsum_policy_failed(long long failure_count, long long details);
long long rptsum_add(long long, long long);
const char *rptsum_dkim_reason(const char *via, const char *result,
	    const char *reason);
char	*rptsum_domain_name(const char *);
int	 rptsum_require_dkim(void);
void	 rptsum_rows_free(struct rptsum_rows *);
void	 rptsum_subst(struct buf *out, const char *text, const char *domain);

#endif
