/*
 * dashboard_page - one HTML report page being written; private to
 * lib/dashboard*.c.
 * SPDX-License-Identifier: ISC
 *
 * SYNOPSIS
 *	struct dash d;		the page: its buffer, reports.db, options
 *	dash_trend(&d, sum)	the charts per day of a summary (rptsum)
 *	dash_group_chart(&d, sum, "by-organization", "organization-name",
 *	    "Sessions by sender")	bars of a group, longest first
 *
 * DESCRIPTION
 *	dashboard.c assembles a page from its sections; the charts are
 *	dashboard_charts.c's, drawn with lib/svg from the JSON of
 *	rptsum_of().
 *
 * LIMITS
 *	SVG_ROWS_MAX bars and SVG_SERIES_MAX series a chart (lib/svg); the
 *	others are named in a line below it, or summed as "(others)".
 *
 * DIAGNOSTICS
 *	None: the charts write what the summary holds.
 */
#ifndef STS_DASHBOARD_PAGE_H
#define STS_DASHBOARD_PAGE_H

#include <time.h>

#include <jansson.h>

#include "buf.h"
#include "dashboard.h"
#include "rptdb.h"
#include "rptsum.h"

struct dash {
	struct buf *out;
	struct rptdb *db;		/* NULL: no reports.db */
	const struct dashboard_opts *o;
	struct rptsum_rule rule;
	int	 days;
	time_t	 now;
	struct fetchdb *fetches;	/* fetches.db, opened on first need */
	int	 fetches_tried;
};

struct fetchdb;
struct rptsum_rows;

void	dash_trend(struct dash *, json_t *sum);
void	dash_fetches(struct dash *, const struct rptsum_rows *);
void	dash_group_chart(struct dash *, json_t *sum, const char *member,
	    const char *key, const char *title);

#endif
