/*
 * rptdb - reports.db: its schema, its migrations and every query over it.
 * SPDX-License-Identifier: ISC
 *
 * SYNOPSIS
 *	Writer (rptparse):
 *	db = rptdb_open_write(path, group, cache, &err)	creates, migrates
 *	rptdb_begin(db, &err);
 *	rptdb_report_add(db, report, &meta, hosted_fn, arg, &rowid, &err)
 *		1: stored, 0: already stored (rowid of that one), -1: error
 *	rptdb_policies_counted(report, counted)	policies.counted as the
 *					report's rows got it (alerts)
 *	rptdb_counts(via, dkim_result)	whether a report with that meta
 *					counts, now (RPTDB_COUNTS_SQL)
 *	rptdb_trusted(via, dkim_result)	whether it counts whatever
 *					report_require_dkim says
 *	rptdb_commit(db, &err);		or rptdb_rollback(db)
 *	rptdb_hosted_fill(db, hosted_fn, arg, &err)	rows follow the list
 *	rptdb_sha256(data, len, hex)
 *	rptdb_single_thread()		one thread, one connection: no
 *					locks in the engine; before any open
 *	rptdb_close(db);
 *
 *	Readers (stsctl report, the pages, metrics, rptparse's alerts);
 *	rows come to fn(row, arg), one call each:
 *	db = rptdb_open(path, &err)		read-only, schema checked
 *	rptdb_pages_tune(db)		larger page cache, for the pages
 *	began = rptdb_snapshot_begin(db) ... rptdb_snapshot_end(db, began)
 *	rptdb_domain_policies(db, domain, since, fn, arg)	rptsum's rows
 *	rptdb_domain_failures(db, domain, since, fn, arg)
 *	rptdb_domain_unverified(db, domain, since, fn, arg)
 *	rptdb_domain_untrusted(db, domain, since, policy_fn, failure_fn, arg)
 *					their policies and failure details
 *	rptdb_domain_known(db, name)		any policy of that domain
 *	t = rptdb_totals_new(db, domain)	domain may be NULL
 *	rptdb_totals_get(t, report, fn, arg)	a report's counted policies
 *	rptdb_totals_free(t)
 *	rptdb_reports(db, &filter, with_domains, fn, arg)	list, export
 *	rptdb_reports_count(db, &filter)
 *	rptdb_report_get(db, id, fn, arg)	show; -1: no such report
 *	rptdb_report_policies(db, id, fn, arg), rptdb_policy_failures(),
 *	rptdb_report_deviations()		the parts of one report
 *	rptdb_export(db, &filter, fn, arg)	one row per failure detail,
 *					and per policy without any
 *	n = rptdb_domain_reports(db, domain, &cursor, limit, fn, arg)
 *					a page of a domain's reports
 *	rptdb_report_of(db, id, domain)	a report of that domain?
 *	rptdb_counted_sessions(db, fn, arg)	metrics, by domain and policy
 *	rptdb_totals_read(db, fn, arg)	metrics, summed over every domain
 *	n = rptdb_hosted_over(db, n)	more than n hosted domains?
 *	rptdb_day_counts(db, hosted, domain, from, to, &counts)
 *	rptdb_day_types(db, hosted, domain, from, to, limit, fn, arg)
 *	rptdb_types_before(db, hosted, domain, id, fn, arg)
 *	rptdb_require_dkim()		report_require_dkim, now
 *	n = rptdb_silent(db, domain, now, limit, fn, arg)	silent
 *					reporters; domain NULL: all hosted
 *	rptdb_silent_conf(&min, &window, &quiet)	their parameters
 *
 * DESCRIPTION
 *	The one module that knows reports.db's tables and their SQL: its
 *	writer (rptparse) and its readers reach the database only through
 *	these functions, with typed arguments and rows handed to a
 *	callback (valid during the call only); the handle is opaque.
 *	The engine is lib/sqldb's, chosen by storage_engine: SQLite (the
 *	file at path) or PostgreSQL (the database of postgresql_conninfo,
 *	path unused; lib/sqldb_conf), with one SQL text for both
 *	(rptdb_sql.h says how): rptdb.c (schema, open, transactions),
 *	rptdb_store.c (the writer), rptdb_refill.c (rptdb_hosted_fill()),
 *	rptdb_read.c (the summaries, alerts, metrics) and rptdb_list.c
 *	(list, show, export).
 *	rptdb_connect() and rptdb_connect_write() open a target of
 *	lib/sqldb (the unit tests' engine); rptdb_local() is 1 when
 *	storage_engine keeps reports.db in a file;
 *	rptdb_open_existing() is rptdb_open() that returns NULL with err
 *	untouched when there is no reports.db yet (no file, or on
 *	PostgreSQL no tables: schema version 0), for the readers that show
 *	"no reports" then (the pages, metrics, stsctl domain show); rptdb_lost() when PostgreSQL closed the
 *	connection (rptparse then stops and master starts it again; webd
 *	closes the handle and connects anew).
 *
 *	Several writers (rptparse on several nodes, one PostgreSQL
 *	database): the unique key of reports decides, so that a report
 *	is stored once; an insert of a report that another transaction
 *	holds waits for its end, then inserts nothing if it committed
 *	(rptdb_report_add() returns 0 with that row, a duplicate) or the
 *	report if it rolled back.  Totals and reporters are written in key
 *	order on PostgreSQL (two transactions lock their shared rows in
 *	one order).  Ids come from the database (an identity), so that
 *	the rows of two nodes never share one.
 *
 *	What counts, for every reader: a report counts when it is trusted
 *	(sent by https, or mailed with a passing aligned DKIM signature)
 *	or when report_require_dkim is "no", decided at each query; the
 *	others are "unverified".  Only policies with policies.counted add
 *	to totals.  A domain matches a policy whose hosted domain or
 *	policy-domain it is, without regard to case.
 *
 *	rptdb_report_add() stores a report once: a report whose
 *	(organization, report-id, date range) is already in reports.db is
 *	skipped, so storing is idempotent and a message delivered twice,
 *	or handled again after a crash, leaves one copy.  It makes no
 *	transaction of its own: the caller puts the reports of one
 *	message, or of several messages, into one, and a report stored
 *	earlier in the same transaction counts as stored.  What a report
 *	adds to totals, reporters and the rows kept by domain is held and
 *	written by rptdb_commit() (at once outside a transaction), so that
 *	readers of those tables see a transaction's reports after its
 *	commit, as everyone else does.  The statements
 *	are prepared once, by rptdb_open_write().  The hosted domain of a
 *	policy-domain comes from hosted_fn (NULL: not hosted, or not known
 *	yet).  rptdb_hosted_fill() makes every row follow the current
 *	list: a row whose policy-domain now belongs to another hosted
 *	domain, or to none, gets that one, or NULL.  It reads every
 *	distinct policy-domain once (0.5 to 0.7 s for 1,000,000 policies
 *	of 100,000 domains), so callers run it when the list changed.
 *
 *	cache is the memory, in bytes, that SQLite may keep of the pages
 *	of reports.db (PRAGMA cache_size; 0: SQLite's default).  Each
 *	counted policy goes into domain_policies by its domain, whose
 *	pages are spread over the file, so that a cache smaller than that
 *	table's pages of the domains a transaction touches makes most
 *	inserts read pages again (a read(2) and a copy each).
 *	rptdb_cache_kib() is the cache in force, in KiB.
 *
 *	Readers without root: reports.db and its -wal and -shm files are
 *	made mode RPTDB_FILE_MODE (0640) and, when group names one
 *	(setgid_group), that group, so that stsctl run by a member of it
 *	reads the database.  The -wal and -shm files are kept when the
 *	database is closed (SQLITE_FCNTL_PERSIST_WAL): a reader that may
 *	not write the directory cannot make them, and SQLite cannot read a
 *	WAL database without them.
 *
 *	rptdb_snapshot_begin() starts a read transaction (one snapshot,
 *	one lock for a whole page) when none is open, and says whether it
 *	did; rptdb_snapshot_end() ends the one it began.
 *
 * REPORTS.DB
 *	The schema (migrations 1 to 7, applied by rptdb_open_write(),
 *	checked by rptdb_open(); on PostgreSQL created at version 7 at once,
 *	with BIGINT columns, identity ids, the same keys and indexes, no
 *	WITHOUT ROWID, and the aggregate total(bigint), SQLite's TOTAL()
 *	as an exact numeric; its version is the row reports.db of
 *	sqldb_schema):
 *
 *	reports: id, organization, contact, report_id, start_time and
 *	    end_time (Unix seconds, UTC), received (Unix seconds), via
 *	    ("mailto" or "https"), submitter (From: of the mail), sha256
 *	    (hex, of the report JSON as received), spool_id; unique on
 *	    (organization, report_id, start_time, end_time), since
 *	    senders reuse report ids for other date ranges.
 *	policies: id, report, idx (its place in the report), type,
 *	    domain (policy-domain), hosted_domain (the hosted domain it
 *	    belongs to, NULL until known), strings and mx_hosts (JSON
 *	    lists), success_count, failure_count.
 *	failures: id, policy, result_type, sending_mta_ip,
 *	    receiving_mx_hostname, receiving_mx_helo, receiving_ip,
 *	    failed_session_count, additional_information,
 *	    failure_reason_code.
 *	deviations: report, idx, text.
 *
 *	Migration 4 adds:
 *	reports.dkim_result: the DKIM outcome of a mailed report (RFC
 *	    8460 section 3, RFC 6376): "pass" (a valid signature whose
 *	    d= is the From: domain or a parent of it), "fail" (signed,
 *	    but no signature both verifies and is aligned), "none" (not
 *	    signed; also every https report), "temperror" (the key could
 *	    not be looked up until rptparse gave up); dkim_domain and
 *	    dkim_selector of the signature the result is about (NULL when
 *	    none), dkim_reason (one line: "expired", "body hash did not
 *	    verify", "d=other.example is not aligned with From:
 *	    bigorg.example", ...; NULL on pass).  A report counts (in
 *	    summaries, verdicts, metrics, exports) when it is trusted
 *	    (via is "https" or dkim_result is "pass") or
 *	    report_require_dkim is "no"; the others are "unverified".
 *	policies.counted: 1 for the one policy of a report that counts a
 *	    domain's sessions (RFC 8460 section 4.3 lets a report judge
 *	    the same sessions under several policies, e.g. "sts" and
 *	    "tlsa"): of a report's policies with the same policy-domain,
 *	    the "sts" one, else the one with the most sessions, ties to
 *	    the first; 1 for every policy without a domain; 0 for the
 *	    others, which are stored and shown but add to no total.
 *	policies.domain and hosted_domain are stored in lower case
 *	    without a final dot.
 *
 *	Migration 5 adds:
 *	totals: trusted (1: RPTDB_TRUSTED_SQL held for the report), kind
 *	    (RPTDB_TOTAL_SESSIONS: result "successful" or "failed";
 *	    RPTDB_TOTAL_TYPE: result a result type, or RPTDB_NOT_DETAILED
 *	    for failed sessions in no failure detail), sessions: the sums
 *	    over every counted policy of every report, by lib/rptsum's
 *	    rule (a policy's failed sessions are the larger of its summary
 *	    and its details).  rptdb_report_add() adds each new report's
 *	    in its transaction; the migration sums the rows already stored
 *	    (one pass over policies and failures: minutes at 10^7 reports,
 *	    once).  rptdb_totals_read() gives them as metrics shows them
 *	    without per-domain series: the rows of the reports that count
 *	    now, summed, without reading a policy (bench/reports).
 *
 *	Migration 6 adds rows kept by domain, which rptdb_report_add()
 *	writes for each new report in its transaction (from the report in
 *	memory, the rows that the migration's SQL, RPTDB_DOMAIN_POLICIES_SQL
 *	and friends in rptdb_sql.h, makes of the rows stored) and
 *	rptdb_hosted_fill() makes again for the policy-domains whose
 *	hosted domain changed:
 *	domain_policies: domain, end_time, policy, hosted, report, trusted
 *	    (RPTDB_TRUSTED_SQL of the report), start_time, organization,
 *	    success_count, failure_count: one row per counted policy under
 *	    its hosted domain (hosted 1) and, when its policy-domain is
 *	    another name or it has no hosted domain, one under its
 *	    policy-domain (hosted 0); keyed (domain, end_time, policy)
 *	    WITHOUT ROWID, so that a domain's window is one range of the
 *	    table (its rows together, in order of time) where its policies
 *	    lie one to a page across the file otherwise.
 *	domain_failures: domain, end_time, policy, hosted, failure (its id
 *	    in failures), trusted, organization, result_type,
 *	    receiving_mx_hostname, additional_information,
 *	    failed_session_count: the failure details of those rows, keyed
 *	    (domain, end_time, policy, failure).
 *	reporters: domain (hosted), organization, last_trusted and
 *	    reports_trusted (the end of its last trusted report and their
 *	    number), last_any and reports_any (of every report): one row per
 *	    hosted domain and organization, with the indexes
 *	    reporters_trusted (last_trusted, reports_trusted) and
 *	    reporters_any (last_any, reports_any).
 *	rptdb_domain_policies(), rptdb_domain_failures(),
 *	rptdb_domain_untrusted() (the counted policies and failure details
 *	of the reports that are not trusted, whatever report_require_dkim
 *	says: the sums of each unverified report) and
 *	rptdb_domain_unverified() read a range of these (lib/rptsum's
 *	summary of a busy domain: bench/reports); the migration takes one
 *	pass over policies, reports and failures (figures in
 *	bench/README, "reports"), once, at rptparse's start.
 *
 *	Migration 7 drops the indexes policies_hosted_nocase and
 *	policies_domain_nocase: the readers that looked policies up by
 *	hosted domain or policy-domain read the rows kept by domain instead
 *	(rptdb_domain_known(), list and export by domain,
 *	rptdb_hosted_over() from reporters, the alerts' sums of a day), or
 *	take a domain's reports from them and its policies, counted or not,
 *	from those reports by report (the alerts' result types,
 *	rptdb_hosted_fill()): every report with a policy of a domain has a
 *	counted one of it.  Each insert of a policy wrote a page of each
 *	index, and each commit a page per domain it touched
 *	(bench/rptparse).
 *
 *	rptdb_silent() gives the silent reporters of a hosted domain (of
 *	every hosted domain when domain is NULL), by domain and
 *	organization, at most limit rows, and returns their number (-1:
 *	the query failed, logged): an organization is a regular reporter
 *	of a domain when it sent at least alert_silent_min_reports reports
 *	that count (as above) whose date range starts within the
 *	alert_silent_window before the last alert_silent_time, and it is
 *	silent when none of its reports ends within that last
 *	alert_silent_time.  The date range, not the time received, is
 *	what counts: a late delivery of an old report does not end a
 *	silence that senders' own dates show.  One query: the pairs of
 *	reporters whose last report that counts ended between the start
 *	of the window and the quiet time and that sent at least
 *	alert_silent_min_reports in all (a range of reporters_trusted, or
 *	of reporters_any when report_require_dkim is "no": only the pairs
 *	that went quiet, not every report of the window), each counted
 *	over the window in its domain's range of domain_policies; for one
 *	domain, its rows of reporters.  The alerts already raised are in
 *	rptparse's alert state (lib/alert).
 *
 * LIMITS
 *	Read statements that fail to compile are bugs (SQLite: lib/sqldb
 *	panics; PostgreSQL: the first step fails); a failing step of a
 *	read ends its rows early and is logged, except when PostgreSQL's
 *	connection was lost: the owner learns that from rptdb_lost() and
 *	says it once (rptparse stops; webd opens a new connection).
 *	Counts are 64-bit; the sums of totals stop at INT64_MAX.
 *
 * DIAGNOSTICS
 *	Opening and writing return -1 (or NULL) with one line in err,
 *	naming reports.db (its file, or "postgresql database NAME") and
 *	the engine's cause.  A mode or group that
 *	cannot be set is logged (the database still works for its
 *	owner).  Readers that can fail return -1 and log the cause.
 */
#ifndef STS_RPTDB_H
#define STS_RPTDB_H

#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "buf.h"
#include "tlsrpt.h"

#define RPTDB_FILE		"reports.db"	/* in $data_directory */
#define RPTDB_SHA256_HEX	65	/* bytes of a hex SHA-256 and NUL */
#define RPTDB_FILE_MODE		0640	/* reports.db, -wal, -shm */
#define RPTDB_REQUIRE_DKIM	"report_require_dkim"
#define RPTDB_NOT_DETAILED	"not-detailed"	/* failed, in no detail */
#define RPTDB_TOTAL_SESSIONS	0	/* totals.kind: successful, failed */
#define RPTDB_TOTAL_TYPE	1	/* totals.kind: by result type */

struct rptdb;

/* What rptparse knows of a report besides its JSON. */
struct rptdb_meta {
	const char *via;		/* "mailto" or "https" */
	const char *submitter;		/* or NULL */
	const char *spool_id;
	time_t	 received;
	char	 sha256[RPTDB_SHA256_HEX];
	const char *note;		/* a deviation of the message, or NULL */
	const char *dkim_result;	/* "pass", ...; NULL: "none" */
	const char *dkim_domain;	/* d=, or NULL */
	const char *dkim_selector;	/* s=, or NULL */
	const char *dkim_reason;	/* one line, or NULL */
	const int *counted;		/* rptdb_policies_counted(), or NULL */
};

/*
 * The hosted domain of a policy-domain (lower case), or NULL; it stays
 * valid until rptdb_report_add() returns.
 */
typedef const char *rptdb_hosted_fn(void *arg, const char *domain);

/* A stored report; a query fills what it selects, NULL or 0 the rest. */
struct rptdb_report {
	int64_t	 id;
	const char *organization;
	const char *contact;
	const char *report_id;
	time_t	 start;
	time_t	 end;
	time_t	 received;
	const char *via;
	const char *submitter;
	const char *sha256;
	const char *spool_id;
	const char *dkim_result;
	const char *dkim_domain;
	const char *dkim_selector;
	const char *dkim_reason;
	int	 counts;		/* trusted, or report_require_dkim no */
	const char *domains;		/* list: policy-domains, "-" for none */
};

struct rptdb_policy {
	int64_t	 id;
	const char *type;
	const char *domain;		/* NULL: none */
	const char *hosted_domain;	/* NULL: none */
	const char *strings;		/* JSON list */
	const char *mx_hosts;		/* JSON list */
	int64_t	 success_count;
	int64_t	 failure_count;
	int	 counted;
};

struct rptdb_failure {
	const char *result_type;
	const char *sending_mta_ip;		/* NULL: absent */
	const char *receiving_mx_hostname;	/* NULL: absent */
	const char *receiving_mx_helo;		/* NULL: absent */
	const char *receiving_ip;		/* NULL: absent */
	int64_t	 failed_session_count;
	const char *additional_information;	/* NULL: absent */
	const char *failure_reason_code;	/* NULL: absent */
};

/* The reports of list and export. */
struct rptdb_filter {
	const char *domain;	/* NULL: every domain */
	time_t	 since;		/* 0: every time; else end after it */
	int	 unverified;	/* 1: the unverified ones, 0: those that count */
};

/* A counted policy of a domain in a window (rptsum). */
struct rptdb_domain_policy {
	int64_t	 report;
	int64_t	 policy;
	const char *organization;
	const char *day;		/* YYYY-MM-DD of the report's start */
	time_t	 end;
	int64_t	 success_count;
	int64_t	 failure_count;
};

/* A failure detail of a counted policy of a domain in a window. */
struct rptdb_domain_failure {
	int64_t	 policy;
	const char *organization;
	const char *result_type;
	const char *mx;			/* NULL: none given */
	const char *info;		/* NULL: none given */
	time_t	 end;
	int64_t	 failed_session_count;
};

/* A counted policy of one report, once per failure detail (totals). */
struct rptdb_total_row {
	int64_t	 policy;
	int64_t	 success_count;
	int64_t	 failure_count;
	int64_t	 detail;		/* failed-session-count, 0: none */
};

/* A counted policy of any report, once per failure detail (metrics). */
struct rptdb_session_row {
	const char *domain;		/* hosted, else policy-domain, or "" */
	int64_t	 policy;
	int64_t	 success_count;
	int64_t	 failure_count;
	const char *result_type;	/* NULL: no failure detail */
	int64_t	 detail;		/* failed-session-count */
};

/* One row of "stsctl report export --csv". */
struct rptdb_export_row {
	const struct rptdb_report *report;
	const struct rptdb_policy *policy;
	const struct rptdb_failure *failure;	/* NULL: none */
};

/* The sessions of a domain's reports received in a time range. */
struct rptdb_day_counts {
	int64_t	 ok;			/* 0 to INT64_MAX */
	int64_t	 failed;
	int64_t	 upto;			/* the last report id then */
};

typedef void rptdb_report_fn(const struct rptdb_report *, void *arg);
typedef void rptdb_policy_fn(const struct rptdb_policy *, void *arg);
typedef void rptdb_failure_fn(const struct rptdb_failure *, void *arg);
typedef void rptdb_text_fn(const char *, void *arg);
typedef void rptdb_domain_policy_fn(const struct rptdb_domain_policy *,
	    void *arg);
typedef void rptdb_domain_failure_fn(const struct rptdb_domain_failure *,
	    void *arg);
typedef void rptdb_total_fn(const struct rptdb_total_row *, void *arg);
typedef void rptdb_session_fn(const struct rptdb_session_row *, void *arg);
typedef void rptdb_export_fn(const struct rptdb_export_row *, void *arg);
typedef void rptdb_type_fn(const char *type, double sessions, void *arg);

/* rptdb.c: open, close, transactions */
struct sqldb_target;
int	rptdb_local(void);	/* storage_engine = sqlite: a file */
struct rptdb *rptdb_open(const char *path, struct buf *err);
struct rptdb *rptdb_open_existing(const char *path, struct buf *err);
struct rptdb *rptdb_connect(const struct sqldb_target *, struct buf *err);
struct rptdb *rptdb_connect_write(const struct sqldb_target *,
	    const char *group, size_t cache, struct buf *err);
struct rptdb *rptdb_open_write(const char *path, const char *group,
	    size_t cache, struct buf *err);
void	rptdb_close(struct rptdb *);
int	rptdb_begin(struct rptdb *, struct buf *err);
int	rptdb_commit(struct rptdb *, struct buf *err);
void	rptdb_rollback(struct rptdb *);
int	rptdb_lost(struct rptdb *);	/* PostgreSQL's connection is gone */
int	rptdb_snapshot_begin(struct rptdb *);
void	rptdb_snapshot_end(struct rptdb *, int began);
void	rptdb_pages_tune(struct rptdb *);
long long rptdb_cache_kib(struct rptdb *);
void	rptdb_single_thread(void);	/* before any open */
int	rptdb_require_dkim(void);

/* rptdb_store.c: the writer */
void	rptdb_sha256(const void *data, size_t len,
	    char hex[RPTDB_SHA256_HEX]);
int	rptdb_report_add(struct rptdb *, const struct tlsrpt_report *,
	    const struct rptdb_meta *, rptdb_hosted_fn *, void *arg,
	    int64_t *rowid, struct buf *err);
int	rptdb_hosted_fill(struct rptdb *, rptdb_hosted_fn *, void *arg,
	    struct buf *err);
void	rptdb_policies_counted(const struct tlsrpt_report *, int *counted);
int	rptdb_counts(const char *via, const char *dkim_result);
int	rptdb_trusted(const char *via, const char *dkim_result);

/* rptdb_read.c: summaries, alerts, metrics */
void	rptdb_domain_policies(struct rptdb *, const char *domain,
	    time_t since, rptdb_domain_policy_fn *, void *arg);
void	rptdb_domain_failures(struct rptdb *, const char *domain,
	    time_t since, rptdb_domain_failure_fn *, void *arg);
void	rptdb_domain_untrusted(struct rptdb *, const char *domain,
	    time_t since, rptdb_domain_policy_fn *, rptdb_domain_failure_fn *,
	    void *arg);
void	rptdb_domain_unverified(struct rptdb *, const char *domain,
	    time_t since, rptdb_report_fn *, void *arg);
int	rptdb_domain_known(struct rptdb *, const char *name);
struct rptdb_totals;
struct rptdb_totals *rptdb_totals_new(struct rptdb *, const char *domain);
void	rptdb_totals_get(struct rptdb_totals *, int64_t report,
	    rptdb_total_fn *, void *arg);
void	rptdb_totals_free(struct rptdb_totals *);
int	rptdb_counted_sessions(struct rptdb *, rptdb_session_fn *, void *arg);
/* A row of rptdb_totals_read(): kind RPTDB_TOTAL_*, a sum >= 0. */
typedef void rptdb_totals_fn(int kind, const char *result, int64_t sessions,
	    void *arg);
int	rptdb_totals_read(struct rptdb *, rptdb_totals_fn *, void *arg);
int	rptdb_hosted_over(struct rptdb *, long long n);
/*
 * A silent reporter of a hosted domain (rptdb_silent): the organization,
 * the end of its last report, the reports that made it regular.
 */
struct rptdb_silent {
	const char *domain;		/* hosted, lower case */
	const char *organization;
	time_t	 last;			/* end of its last report */
	long long days;			/* whole days since then */
	long long reports;		/* in the window before the silence */
};
typedef void rptdb_silent_fn(const struct rptdb_silent *, void *);

#define RPTDB_DAY	(24 * 60 * 60)
#define RPTDB_SILENT_MAX	100000	/* rows of one rptdb_silent() */

long long rptdb_silent(struct rptdb *, const char *domain, time_t now,
	    size_t limit, rptdb_silent_fn *, void *);
void	rptdb_silent_conf(long long *min_reports, time_t *window,
	    time_t *quiet);
int	rptdb_day_counts(struct rptdb *, const char *hosted,
	    const char *domain, time_t from, time_t to,
	    struct rptdb_day_counts *);
void	rptdb_day_types(struct rptdb *, const char *hosted,
	    const char *domain, time_t from, time_t to, int limit,
	    rptdb_type_fn *, void *arg);
int	rptdb_types_before(struct rptdb *, const char *hosted,
	    const char *domain, int64_t report, rptdb_text_fn *, void *arg);

/*
 * rptdb_pages.c: the portal's pages.  rptdb_domain_reports() gives at
 * most limit reports of a domain (lower case; a policy's hosted domain
 * or policy-domain, counted policies only) that come after the cursor
 * (zero: from the newest), newest end first, each once; it moves the
 * cursor to the last one given and sets cursor.more when another
 * follows.  rptdb_report_of() is 1 when a policy of the report is the
 * domain's (hosted domain or policy-domain, lower case), else 0.
 */
struct rptdb_cursor {
	time_t	 end;			/* of the last report given */
	int64_t	 policy;		/* its last row; 0: none yet */
	int	 more;			/* a report follows the page */
};
int	rptdb_domain_reports(struct rptdb *, const char *domain,
	    struct rptdb_cursor *, int limit, rptdb_report_fn *, void *arg);
int	rptdb_report_of(struct rptdb *, int64_t report, const char *domain);

/* rptdb_list.c: list, show, export */
void	rptdb_reports(struct rptdb *, const struct rptdb_filter *,
	    int with_domains, rptdb_report_fn *, void *arg);
long long rptdb_reports_count(struct rptdb *, const struct rptdb_filter *);
int	rptdb_report_get(struct rptdb *, int64_t id, rptdb_report_fn *,
	    void *arg);
void	rptdb_report_policies(struct rptdb *, int64_t report,
	    rptdb_policy_fn *, void *arg);
void	rptdb_policy_failures(struct rptdb *, int64_t policy,
	    rptdb_failure_fn *, void *arg);
void	rptdb_report_deviations(struct rptdb *, int64_t report,
	    rptdb_text_fn *, void *arg);
void	rptdb_export(struct rptdb *, const struct rptdb_filter *,
	    rptdb_export_fn *, void *arg);

#endif
