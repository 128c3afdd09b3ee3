/*
 * rptsum_rows - the rows of a domain that lib/rptsum computes from;
 * private to lib/rptsum*.c.
 * SPDX-License-Identifier: ISC
 *
 * SYNOPSIS
 *	rs = rptsum_fetch(db, domain, days, now)	(rptsum.h)
 *	rs->row[i], rs->fail[i], rs->unv[i]
 *	bsearch(&key, rs->row, rs->nrow, sizeof(*rs->row),
 *	    rptsum_row_by_policy)	rows are in order of policy
 *
 * DESCRIPTION
 *	rptsum_fetch() fills a struct rptsum_rows from reports.db
 *	(lib/rptdb): one row per counted policy of the domain in the
 *	window, one per failure detail of those, one per unverified
 *	report (in order of report, with its sums for the domain, from the
 *	rows of rptdb_domain_untrusted()); each policy's failed sessions
 *	already settled by
 *	rptsum_policy_failed(), and what its details leave unexplained in
 *	rest.
 *
 * LIMITS
 *	The rows of a domain's window are held in memory.
 *
 * DIAGNOSTICS
 *	None: a failing read ends the rows early (lib/rptdb).
 */
#ifndef STS_RPTSUM_ROWS_H
#define STS_RPTSUM_ROWS_H

#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include <jansson.h>

/*
 * The rows of a domain: one per matching policy, one per failure
 * detail of those, each with the end of its report.
 */
struct rptsum_row {
	int64_t	 report;
	int64_t	 policy;
	char	*org;
	char	*day;		/* YYYY-MM-DD of the report's start */
	time_t	 end;
	long long ok;
	long long bad;		/* rptsum_policy_failed() */
	long long rest;		/* failed sessions in no failure detail */
};

struct rptsum_fail {
	int64_t	 policy;
	char	*org;
	char	*type;
	char	*mx;		/* NULL: none given */
	char	*info;		/* NULL: none given */
	time_t	 end;
	long long n;
};

/*
 * A report of the domain that is not trusted (rptdb.h), with its sums
 * for the domain (rptsum_totals_get()'s, from the domain's rows).
 */
struct rptsum_unverified {
	int64_t	 report;
	time_t	 end;
	long long ok;
	long long failed;
};

struct rptsum_rows {
	struct rptdb *db;	/* for rptsum_unverified_of()'s list */
	char	*domain;
	time_t	 now;
	struct rptsum_row *row;
	size_t	 nrow;
	struct rptsum_fail *fail;
	size_t	 nfail;
	struct rptsum_unverified *unv;
	size_t	 nunv;
	int	 counts_unverified;	/* report_require_dkim = no */
};

int	rptsum_row_by_policy(const void *, const void *);

#endif
