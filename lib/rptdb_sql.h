/*
 * rptdb_sql - the inside of lib/rptdb: its handle on lib/sqldb (SQLite or
 * PostgreSQL) and the SQL that several of its files share.  Private to
 * lib/rptdb*.c.
 * SPDX-License-Identifier: ISC
 *
 * SYNOPSIS
 *	struct rptdb *db;	db->db is the connection (lib/sqldb)
 *	rptdb_bind_trust(st)	binds ?9 of RPTDB_COUNTS_SQL
 *	rptdb_text(st, col, s)	binds s, or NULL, without a copy
 *	rptdb_col(st, col)	a text column, or NULL
 *	rptdb_row(st, fields, &row)	the next row into a struct, or 0
 *	rptdb_added_reset(db, r)	room for the ids of report r
 *	rptdb_bydomain_add(db, r, report, counted, trusted, &err)
 *					its rows kept by domain, held
 *	rptdb_held_flush(db, &err)	written, in key order
 *
 * DESCRIPTION
 *	The SQL is written once for both engines (lib/sqldb): a condition
 *	that is a value (RPTDB_TRUSTED_INT) is a CASE giving 0 or 1, as
 *	PostgreSQL's booleans are not integers; "IS DISTINCT FROM", not
 *	SQLite's "IS NOT"; an upsert names its conflict target; a sum that
 *	may pass INT64_MAX is TOTAL() (PostgreSQL's made by the schema);
 *	the writer's inserts say new ids by RETURNING on PostgreSQL.  The
 *	statements that differ are in pairs chosen by the engine: the
 *	schema (PostgreSQL's is created at the last version, rptdb.c), the
 *	inserts that give ids (rptdb_store_pgsql: SQLite keeps its
 *	last_insert_rowid, cheaper than RETURNING) and the list of a
 *	report's policy-domains (group_concat or string_agg,
 *	rptdb_list.c).
 *
 *	RPTDB_TRUSTED_SQL holds for a stored report (alias r) that counts
 *	whatever report_require_dkim says (REPORTS.DB in rptdb.h);
 *	RPTDB_COUNTS_SQL for one that counts now: trusted, or the
 *	parameter says that unverified reports count.  The parameter has a
 *	number of its own (?9), so that it may come before or after the
 *	numbered ones of a statement.
 *
 *	rptdb_row() steps st and, on a row, stores its columns from 0 on
 *	into the members of row that fields names, in order (a table of
 *	RPTDB_I64(member), RPTDB_TEXT(), RPTDB_TIME(), RPTDB_BOOL() of
 *	struct RPTDB_ROW, ended by RPTDB_FIELDS_END), and returns 1; at the end (or on an error) it
 *	finalizes st and returns 0, so that a read is one loop:
 *	"while (rptdb_row(st, fields, &row)) fn(&row, arg);".
 *	rptdb_fields() is the storing half, from column col on.
 *
 *	rptdb_bydomain_add() makes the rows of domain_policies and
 *	domain_failures of a report that rptdb_report_add() just stored,
 *	from the report and db->added (the row ids of its policies and
 *	failure details, each policy's hosted domain), without reading
 *	back what it stored, and holds them for the commit, as it does
 *	what the report adds to reporters; rptdb_held_flush() writes them
 *	sorted by key, so that each page of those tables is changed once
 *	per transaction.  A multi-row INSERT of policies gives its rows
 *	consecutive ids on SQLite (one more than the largest each: the
 *	rowid rule), the last of them sqldb_last_id(); on PostgreSQL it
 *	returns the id of each row with its idx.
 *
 * LIMITS
 *	RPTDB_NSTMT statements are kept prepared per handle; at most
 *	RPTDB_PENDING_MAX rows of totals, RPTDB_REPORTERS_MAX of
 *	reporters and RPTDB_HELD_MAX rows kept by domain are held for the
 *	commit (more are written at once).
 *
 * DIAGNOSTICS
 *	None: see rptdb.h.
 */
#ifndef STS_RPTDB_SQLITE_H
#define STS_RPTDB_SQLITE_H

#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "buf.h"
#include "rptdb.h"
#include "sqldb.h"
#include "tlsrpt.h"

/* rptdb_counts() (rptdb_store.c) is RPTDB_COUNTS_SQL in C: change both. */
#define RPTDB_TRUSTED_SQL	"(r.via = 'https' OR r.dkim_result = 'pass')"
#define RPTDB_REQUIRE_INDEX	9	/* ?9, for every statement */
#define RPTDB_COUNTS_SQL \
	"(" RPTDB_TRUSTED_SQL " OR ?9 = 0)"
/* The same, as a value 0 or 1 (a column, an insert). */
#define RPTDB_TRUSTED_INT	"CASE WHEN " RPTDB_TRUSTED_SQL " THEN 1 ELSE 0 END"
#define RPTDB_COUNTS_INT	"CASE WHEN " RPTDB_COUNTS_SQL " THEN 1 ELSE 0 END"
/*
 * A sum of counts that may pass INT64_MAX, 0 for none: SQLite's TOTAL()
 * (a double); on PostgreSQL the aggregate total() of reports.db's schema
 * (an exact numeric, which sqldb_double() rounds once).
 */
#define RPTDB_TOTAL(x)	"TOTAL(" x ")"

/*
 * The rows of domain_policies, domain_failures and reporters (migration
 * 6) of the policies where cond holds (aliases p, r): the migration and
 * rptdb_hosted_fill() make them with this SQL; rptdb_report_add() writes
 * the same rows of each new report from the report in memory
 * (rptdb_bydomain.c; rptdb_bydomain_test compares both ways).  A counted
 * policy is kept under its hosted domain (hosted 1) and, when that is
 * not its policy-domain, under its policy-domain too (hosted 0), as
 * readers match either.
 */
#define RPTDB_DOMAIN_ROWS(columns, from, cond) \
	"SELECT p.hosted_domain, r.end_time, p.id, 1, " columns from \
	" WHERE p.counted = 1 AND p.hosted_domain IS NOT NULL AND (" cond ")" \
	" UNION ALL SELECT p.domain, r.end_time, p.id, 0, " columns from \
	" WHERE p.counted = 1 AND p.domain IS NOT NULL AND" \
	" p.domain IS DISTINCT FROM p.hosted_domain AND (" cond ")"
#define RPTDB_DOMAIN_POLICIES_SQL(cond) RPTDB_DOMAIN_ROWS( \
	"r.id, " RPTDB_TRUSTED_INT ", r.start_time, r.organization," \
	" p.success_count, p.failure_count", \
	" FROM policies p JOIN reports r ON r.id = p.report", cond)
#define RPTDB_DOMAIN_FAILURES_SQL(cond) RPTDB_DOMAIN_ROWS( \
	"f.id, " RPTDB_TRUSTED_INT ", r.organization, f.result_type," \
	" f.receiving_mx_hostname, f.additional_information," \
	" f.failed_session_count", \
	" FROM policies p JOIN reports r ON r.id = p.report" \
	" JOIN failures f ON f.policy = p.id", cond)
/* A hosted domain's reporters, from its rows of domain_policies. */
#define RPTDB_REPORTERS_SQL(cond) \
	"SELECT domain, organization," \
	" MAX(CASE WHEN trusted = 1 THEN end_time END)," \
	" COUNT(DISTINCT CASE WHEN trusted = 1 THEN report END)," \
	" MAX(end_time), COUNT(DISTINCT report) FROM domain_policies" \
	" WHERE hosted = 1 AND (" cond ") GROUP BY domain, organization"

/*
 * Rows of domain_policies and domain_failures, 1, 2, 4 or 8 in an insert
 * (their columns in the order of the tables).
 */
#define RPTDB_BYDOMAIN_ROWS	8	/* in one insert, at most */
#define RPTDB_DP_COLUMNS	10
#define RPTDB_DF_COLUMNS	11
#define RPTDB_DP_ROW		"(?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
#define RPTDB_DF_ROW		"(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
#define RPTDB_ROWS2(row)	row ", " row
#define RPTDB_ROWS4(row)	RPTDB_ROWS2(row) ", " RPTDB_ROWS2(row)
#define RPTDB_ROWS8(row)	RPTDB_ROWS4(row) ", " RPTDB_ROWS4(row)
#define RPTDB_DP_INSERT		"INSERT INTO domain_policies VALUES "
#define RPTDB_DF_INSERT		"INSERT INTO domain_failures VALUES "

/* The columns of struct rptdb_report, for rptdb_col_report(). */
#define RPTDB_REPORT_COLUMNS "r.id, r.organization, r.contact, r.report_id," \
	" r.start_time, r.end_time, r.received, r.via, r.submitter," \
	" r.sha256, r.spool_id, r.dkim_result, r.dkim_domain," \
	" r.dkim_selector, r.dkim_reason, " RPTDB_COUNTS_INT
#define RPTDB_REPORT_NCOLUMNS	16

/* Statements kept prepared for the life of the handle. */
enum {
	RPTDB_ST_FIND,			/* the writer's (rptdb_store.c) */
	RPTDB_ST_REPORT,
	RPTDB_ST_POLICY,
	RPTDB_ST_POLICY2,		/* 2, 4 and 8 policies at once */
	RPTDB_ST_POLICY4,
	RPTDB_ST_POLICY8,
	RPTDB_ST_FAILURE,
	RPTDB_ST_DEVIATION,
	RPTDB_ST_TOTAL,
	RPTDB_ST_DP8,			/* migration 6's rows of a report: */
	RPTDB_ST_DP4,			/* domain_policies, 8, 4, 2, 1 */
	RPTDB_ST_DP2,
	RPTDB_ST_DP1,
	RPTDB_ST_DF8,			/* domain_failures */
	RPTDB_ST_DF4,
	RPTDB_ST_DF2,
	RPTDB_ST_DF1,
	RPTDB_ST_REPORTERS,
	RPTDB_ST_WRITER,		/* end of the writer's */
	RPTDB_NSTMT = RPTDB_ST_WRITER
};

#define RPTDB_POLICY_ROWS	8	/* policies in one insert, at most */
#define RPTDB_REPORTERS_BUCKETS	4096	/* a power of two */
#define RPTDB_REPORTERS_MAX	65536	/* reporters held, at most */
#define RPTDB_PENDING_MAX	64	/* rows of totals held, at most */
#define RPTDB_HELD_MAX		65536	/* rows kept by domain held */

/*
 * What rptdb_report_add() learnt of the report it stores, for its rows
 * kept by domain (rptdb_bydomain.c): the row ids of its policies and
 * failure details (in the order of the report) and the hosted domain of
 * each policy; kept with the handle and grown to the largest report
 * seen (TLSRPT_POLICIES_MAX policies).
 */
struct rptdb_added {
	int64_t	*policy;		/* row id of each policy */
	const char **hosted;		/* hosted domain of each, or NULL */
	size_t	 policies;		/* room in policy and hosted */
	int64_t	*failure;		/* row id of each failure detail */
	size_t	 nfailure;
	size_t	 failures;		/* room in failure */
};

/*
 * A row of domain_policies (failure 0) or domain_failures held for the
 * commit: its text in rptdb_held.text (offsets plus one, 0: NULL).
 */
struct rptdb_hrow {
	size_t	 domain, organization, type, mx, info;
	int64_t	 end, policy, report, start, ok, failed;	/* ok, failed: */
	int64_t	 failure;		/* its id in failures, 0: a policy */
	int	 hosted, trusted;	/* of domain_policies; failed is the */
};					/* detail's failed-session-count */
struct rptdb_held {
	struct rptdb_hrow *rows;
	size_t	 n;
	size_t	 room;
	struct buf text;
};

/* A row of the table totals to add to at the commit (rptdb_store.c). */
struct rptdb_pending {
	int	 trusted;
	int	 kind;
	char	*result;
	int64_t	 sessions;
};

struct rptdb {
	struct sqldb *db;
	struct sqldb_stmt *st[RPTDB_NSTMT];	/* the writer's, or NULL */
	int	 pg;			/* sqldb_engine() is PostgreSQL */
	int	 intx;			/* in rptdb_begin()'s transaction */
	int	 snapshot;		/* in rptdb_snapshot_begin()'s */
	/* What a policy row binds, one of each per row of an insert. */
	struct buf strings[RPTDB_POLICY_ROWS];	/* policy strings as JSON */
	struct buf mx[RPTDB_POLICY_ROWS];
	struct buf domain[RPTDB_POLICY_ROWS];	/* policy-domain */
	/* What the transaction's reports add to totals, written by
	 * rptdb_commit() (or when RPTDB_PENDING_MAX rows are held). */
	struct rptdb_pending pending[RPTDB_PENDING_MAX];
	size_t	 npending;
	/* What they add to reporters (rptdb_reporters.c), the same way. */
	struct rptdb_reporter *reporters[RPTDB_REPORTERS_BUCKETS];
	size_t	 nreporters;
	struct rptdb_added added;	/* of the report being stored */
	/* The rows kept by domain of the transaction's reports, written
	 * in key order by rptdb_commit() (or at RPTDB_HELD_MAX rows). */
	struct rptdb_held held;
};

/* Where a column goes in a row struct: its C type and its member. */
enum rptdb_ftype {
	RPTDB_F_END,
	RPTDB_F_I64,			/* int64_t */
	RPTDB_F_TEXT,			/* const char *, NULL for NULL */
	RPTDB_F_TIME,			/* time_t */
	RPTDB_F_BOOL,			/* int, 0 or 1 */
};
struct rptdb_field {
	enum rptdb_ftype type;
	size_t	 off;
};
/* Members of struct RPTDB_ROW, which the table's file defines. */
#define RPTDB_FIELD(type, member) \
	{ RPTDB_F_ ## type, offsetof(struct RPTDB_ROW, member) }
#define RPTDB_I64(member)	RPTDB_FIELD(I64, member)
#define RPTDB_TEXT(member)	RPTDB_FIELD(TEXT, member)
#define RPTDB_TIME(member)	RPTDB_FIELD(TIME, member)
#define RPTDB_BOOL(member)	RPTDB_FIELD(BOOL, member)
#define RPTDB_FIELDS_END	{ RPTDB_F_END, 0 }

extern const char *const rptdb_store_sql[RPTDB_ST_WRITER];
extern const char *const rptdb_store_pgsql[RPTDB_ST_WRITER];	/* or NULL */

void	rptdb_bind_trust(struct sqldb_stmt *);
void	rptdb_text(struct sqldb_stmt *, int col, const char *);
const char *rptdb_col(struct sqldb_stmt *, int col);
void	rptdb_col_report(struct sqldb_stmt *, int col, struct rptdb_report *);
int	rptdb_fields(struct sqldb_stmt *, int col, const struct rptdb_field *,
	    void *row);
int	rptdb_row(struct sqldb_stmt *, const struct rptdb_field *, void *row);
int	rptdb_step(struct rptdb *, struct sqldb_stmt *, const char *what,
	    struct buf *err);
int	rptdb_read_end(struct sqldb_stmt *, int rc, const char *what);
int	rptdb_pending_flush(struct rptdb *, struct buf *err);
void	rptdb_pending_clear(struct rptdb *);
int	rptdb_reporters_add(struct rptdb *, const char *domain,
	    const char *organization, int64_t report, time_t end, int trusted,
	    struct buf *err);
int	rptdb_reporters_flush(struct rptdb *, struct buf *err);
void	rptdb_reporters_clear(struct rptdb *);
void	rptdb_added_reset(struct rptdb *, const struct tlsrpt_report *);
void	rptdb_added_free(struct rptdb *);
int	rptdb_held_flush(struct rptdb *, struct buf *err);
void	rptdb_held_clear(struct rptdb *);
int	rptdb_bydomain_add(struct rptdb *, const struct tlsrpt_report *,
	    int64_t report, const int *counted, int trusted, struct buf *err);

#endif
