/*
 * reports.h - "stsctl report ...": the stored TLS reports.
 * SPDX-License-Identifier: ISC
 *
 * SYNOPSIS
 *	report_main(argc, argv)	argv[0] is "report"; returns the exit
 *				status (errors exit through stsctl_die).
 *
 *	Between reports.c, reports_show.c and reports_summary.c:
 *	report_show(db, &o), report_export(db, &o), report_summary(db, &o)
 *	report_esc(s)		esc_text() into a ring of buffers; NULL "-"
 *	report_esc_deviation(s)	a deviation, escaped only if it must be
 *	report_time(t, buf)	RFC 3339 UTC
 *	report_text_json(s), report_list_json(s), report_dkim_reason(r)
 *	report_filter(&o, unverified, &f)	the filter of list and export
 *	report_print_json(v), report_usage()
 *
 * DESCRIPTION
 *	See reports.c.
 *
 * LIMITS
 *	REPORT_ESC_SLOTS strings of report_esc() are alive at once.
 *
 * DIAGNOSTICS
 *	Errors exit through stsctl_die().
 */
#ifndef STSCTL_REPORTS_H
#define STSCTL_REPORTS_H

#include <stdint.h>
#include <time.h>

#include <jansson.h>

#include "rptdb.h"
#include "timefmt.h"

#define REPORT_ESC_SLOTS	24	/* escaped strings alive at once */

struct report_opts {
	const char *domain;
	time_t	 since;		/* 0: none */
	int	 days;
	int	 days_set;	/* --days given */
	int	 csv;
	int	 json;
	int	 unverified;	/* --unverified */
	long long page;		/* html --page, 0: not given */
	char	*after;		/* html --after, NULL: not given */
	char	*before;	/* html --before, NULL: not given */
	const char *arg;	/* ID or DOMAIN */
	char	*domain_name;	/* domain, as stored (rptsum_domain_name) */
};


int	report_main(int argc, char **argv);

int	report_show(struct rptdb *, const struct report_opts *);
int	report_export(struct rptdb *, const struct report_opts *);
int	report_summary(struct rptdb *, const struct report_opts *);
const char *report_esc(const char *);
const char *report_esc_deviation(const char *);
char	*report_time(int64_t, char buf[TIMEFMT_RFC3339_SIZE]);
json_t	*report_text_json(const char *);
json_t	*report_list_json(const char *);
json_t	*report_dkim_reason(const struct rptdb_report *);
void	report_filter(const struct report_opts *, int unverified,
	    struct rptdb_filter *);
void	report_print_json(json_t *);
void	report_usage(void) __attribute__((noreturn));

#endif
