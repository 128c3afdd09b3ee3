/*
 * svg - the bar charts of the HTML pages, as inline SVG.
 * SPDX-License-Identifier: ISC
 *
 * SYNOPSIS
 *	struct svg_bar bars[] = { { "2026-11-20", 950, 50 }, ... };
 *	svg_columns(out, "trend", "Sessions per day", bars, n)
 *	svg_rows(out, "by-result-type", "Failed sessions", bars, n)
 *	svg_stacked(out, "failures-by-type", "Failed sessions per day by"
 *	    " result type", &stack)
 *	svg_rate(out, "failure-rate", "Failure rate per day", bars, n)
 *	svg_nice_max(137)		200
 *	svg_scale(50, 200, 100)		25
 *
 * DESCRIPTION
 *	svg_columns() draws one column per bar (days, left to right),
 *	successful sessions stacked under failed ones; svg_rows() draws one
 *	labelled row per bar (groups, top to bottom), the same way.  Every
 *	bar is a <g class="bar" data-key="LABEL" data-success="N"
 *	data-failure="N"> (columns also data-day="LABEL") holding <rect
 *	class="ok"> and <rect class="fail"> and a <title>, so that a reader
 *	or a test can take the numbers back out of the chart; the <svg>
 *	has class "chart NAME" and data-success / data-failure totals
 *	(of the bars drawn), and title as its <title> (svg_columns also
 *	draws it at the top; svg_rows leaves the heading to the page).
 *	Labels are escaped (lib/html).  The scale of a chart runs from 0
 *	to svg_nice_max() of its largest bar.
 *
 *	Both draw a legend under the plot, its items (<g
 *	class="legend-item" data-key="KEY">) in the order the series are
 *	drawn: successful then failed for columns (bottom up), failed
 *	then successful for rows (left to right); rows have a legend only
 *	when some bar has successful sessions, and then their value text
 *	says "N (F failed)".
 *
 *	svg_stacked() draws one column per day (st->days, left to right),
 *	each the failed sessions of that day stacked bottom up in the order
 *	of st->keys (st->v[day * nkeys + key]), a <g class="bar"
 *	data-day="DAY" data-failure="TOTAL"> of <rect class="seg"
 *	data-key="KEY" data-value="N"> with the colour svg_color(key), and
 *	a legend of the keys in that order.
 *
 *	svg_rate() draws the failure rate (failed / sessions, percent) of
 *	each bar (a day) as a line on its own scale (0 to 1, 2, 5, 10, 20,
 *	50 or 100 percent, the svg's data-scale-max), a point per day with
 *	sessions (<g class="point" data-day data-rate="12.34"
 *	data-failure data-sessions>) and a gap where a day has none.
 *
 *	svg_nice_max(n) is the smallest 1, 2 or 5 times a power of ten
 *	that is >= n (1 for n <= 1).  svg_scale(v, max, len) is the length
 *	of v on a scale where max is len: rounded down, but at least 1 for
 *	v > 0 (a failure never vanishes), at most len, 0 for v <= 0 or
 *	max <= 0.
 *
 * LIMITS
 *	SVG_ROWS_MAX rows are drawn by svg_rows() (the caller lists the
 *	rest as text); columns are as narrow as their number needs.
 */
#ifndef STS_SVG_H
#define STS_SVG_H

#include <stddef.h>

#include "buf.h"

#define SVG_ROWS_MAX	20
#define SVG_SERIES_MAX	8	/* colours of svg_stacked; the caller
				 * folds the rest into one key */

struct svg_bar {
	const char *label;
	long long ok;		/* successful sessions */
	long long bad;		/* failed sessions */
};

struct svg_stack {
	const char *const *days;	/* column labels */
	size_t	 ndays;
	const char *const *keys;	/* series, bottom up */
	size_t	 nkeys;
	const long long *v;		/* ndays * nkeys values */
};

long long svg_nice_max(long long n);
const char *svg_color(size_t i);
void	svg_stacked(struct buf *out, const char *name, const char *title,
	    const struct svg_stack *);
void	svg_rate(struct buf *out, const char *name, const char *title,
	    const struct svg_bar *, size_t n);
int	svg_scale(long long v, long long max, int len);
void	svg_columns(struct buf *out, const char *name, const char *title,
	    const struct svg_bar *, size_t n);
void	svg_rows(struct buf *out, const char *name, const char *title,
	    const struct svg_bar *, size_t n);

#endif
