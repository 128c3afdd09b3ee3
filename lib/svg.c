/*
 * svg - stacked bar charts as inline SVG; see svg.h.
 * SPDX-License-Identifier: ISC
 *
 * Geometry is in SVG user units; the chart scales to the width of the
 * page through its viewBox.  Only numbers and escaped labels go into
 * the markup.
 */
#include "config.h"

#include <limits.h>
#include <stdio.h>
#include <string.h>

#include "buf.h"
#include "html.h"
#include "svg.h"

#define SVG_WIDTH	720	/* user units */
#define SVG_COL_HEIGHT	160	/* plot height of svg_columns */
#define SVG_ROW_HEIGHT	18
#define SVG_ROW_GAP	4
#define SVG_LABEL_WIDTH	260	/* the labels of svg_rows */
#define SVG_AXIS_WIDTH	60	/* the scale left of svg_columns */
#define SVG_TOP		20	/* room for the title */
#define SVG_BOTTOM	20	/* room for the first and last day */
#define SVG_LEGEND_HEIGHT 22	/* room for the legend */
#define SVG_LEGEND_CHARS 28	/* of a legend label, for its width */
#define SVG_LEGEND_ROW	16	/* between rows of a legend */
#define SVG_RATE_HEIGHT	120	/* plot height of svg_rate */
#define SVG_DATA_MAX	96	/* the data attributes of a chart */

long long
svg_nice_max(long long n)
{
	long long p = 1;

	if (n <= 1)
		return 1;
	for (;;) {
		if (n <= p)
			return p;
		if (n <= 2 * p)
			return 2 * p;
		if (n <= 5 * p)
			return 5 * p;
		if (p > (long long)(9e18 / 10))
			return n;
		p *= 10;
	}
}

int
svg_scale(long long v, long long max, int len)
{
	long long s;

	if (v <= 0 || max <= 0 || len <= 0)
		return 0;
	if (v >= max)
		return len;
	/* v < max, so v * len fits when len is small: divide in doubles. */
	s = (long long)((double)v * (double)len / (double)max);
	if (s < 1)
		s = 1;
	return s > len ? len : (int)s;
}

/* Counts from reports may be as large as 2^63-1: sums saturate. */
static long long
svg_add(long long a, long long b)
{
	long long c;

	if (!__builtin_add_overflow(a, b, &c))
		return c;
	return a < 0 ? LLONG_MIN : LLONG_MAX;
}

static long long
svg_largest(const struct svg_bar *bars, size_t n)
{
	long long max = 0;
	size_t i;

	for (i = 0; i < n; i++)
		if (svg_add(bars[i].ok, bars[i].bad) > max)
			max = svg_add(bars[i].ok, bars[i].bad);
	return max;
}

/*
 * The svg element with the data attributes data (" data-NAME=\"V\""...);
 * its title drawn at the top when top is set.
 */
static void
svg_head(struct buf *out, const char *name, const char *title, int height,
    const char *data, int top)
{
	buf_printf(out, "<svg class=\"chart %s\" xmlns=\"http://www.w3.org/2000/"
	    "svg\" viewBox=\"0 0 %d %d\" width=\"%d\" height=\"%d\""
	    " role=\"img\"%s>", name, SVG_WIDTH, height, SVG_WIDTH, height, data);
	buf_puts(out, "<title>");
	html_escape(out, title);
	buf_puts(out, "</title>");
	if (top) {
		buf_puts(out, "<text class=\"title\" x=\"0\" y=\"14\">");
		html_escape(out, title);
		buf_puts(out, "</text>");
	}
}

/* svg_head() with the sums of the bars as data-success, data-failure. */
static void
svg_open(struct buf *out, const char *name, const char *title, int height,
    const struct svg_bar *bars, size_t n, int top)
{
	char data[SVG_DATA_MAX];
	long long ok = 0, bad = 0;
	size_t i;

	for (i = 0; i < n; i++) {
		ok = svg_add(ok, bars[i].ok);
		bad = svg_add(bad, bars[i].bad);
	}
	snprintf(data, sizeof(data), " data-success=\"%lld\""
	    " data-failure=\"%lld\"", ok, bad);
	svg_head(out, name, title, height, data, top);
}

/*
 * The series of a chart, below its plot, left to right in the order they
 * are drawn (bottom to top in a column, left to right in a row): each
 * a <g class="legend-item" data-key="KEY"> with a swatch and the name.
 */
static void
svg_legend_open(struct buf *out, int x, int y)
{
	buf_printf(out, "<g class=\"legend\" transform=\"translate(%d,%d)\">",
	    x, y);
}

/* The width of a legend item: an estimate of its text at 12 px. */
static int
svg_legend_width(const char *key)
{
	size_t len = strlen(key);

	if (len > SVG_LEGEND_CHARS)
		len = SVG_LEGEND_CHARS;
	return 14 + 7 * (int)len + 16;
}

static int
svg_legend_item_at(struct buf *out, int x, int y, const char *key,
    const char *cls, const char *fill)
{
	buf_puts(out, "<g class=\"legend-item\" data-key=\"");
	html_escape(out, key);
	buf_printf(out, "\"><rect x=\"%d\" y=\"%d\" width=\"10\""
	    " height=\"10\"", x, y);
	if (cls != NULL)
		buf_printf(out, " class=\"%s\"", cls);
	if (fill != NULL)
		buf_printf(out, " fill=\"%s\"", fill);
	buf_printf(out, "/><text x=\"%d\" y=\"%d\">", x + 14, y + 9);
	html_escape(out, key);
	buf_puts(out, "</text></g>");
	return x + svg_legend_width(key);
}

static int
svg_legend_item(struct buf *out, int x, const char *key, const char *cls,
    const char *fill)
{
	return svg_legend_item_at(out, x, 0, key, cls, fill);
}

/*
 * Items in rows of at most SVG_WIDTH - SVG_AXIS_WIDTH units, in order;
 * draws them when out is not NULL, and returns the number of rows.
 */
static int
svg_legend_rows(struct buf *out, const char *const *keys, size_t n)
{
	int x = 0, row = 0, w;
	size_t k;

	for (k = 0; k < n; k++) {
		w = svg_legend_width(keys[k]);
		if (x > 0 && x + w > SVG_WIDTH - SVG_AXIS_WIDTH) {
			x = 0;
			row++;
		}
		if (out != NULL)
			svg_legend_item_at(out, x, row * SVG_LEGEND_ROW,
			    keys[k], NULL, svg_color(k));
		x += w;
	}
	return row + 1;
}

static void
svg_legend_ok_fail(struct buf *out, int y, int fail_first)
{
	int x = 0;

	svg_legend_open(out, fail_first ? SVG_LABEL_WIDTH : SVG_AXIS_WIDTH, y);
	if (fail_first)
		x = svg_legend_item(out, x, "failed", "fail", NULL);
	x = svg_legend_item(out, x, "successful", "ok", NULL);
	if (!fail_first)
		svg_legend_item(out, x, "failed", "fail", NULL);
	buf_puts(out, "</g>");
}

/* <g> of one bar, with its numbers; the caller adds the shapes. */
static void
svg_bar_open(struct buf *out, const struct svg_bar *b, int day)
{
	buf_puts(out, "<g class=\"bar\" data-key=\"");
	html_escape(out, b->label);
	if (day) {
		buf_puts(out, "\" data-day=\"");
		html_escape(out, b->label);
	}
	buf_printf(out, "\" data-success=\"%lld\" data-failure=\"%lld\">"
	    "<title>", b->ok, b->bad);
	html_escape(out, b->label);
	buf_printf(out, ": %lld successful, %lld failed</title>", b->ok, b->bad);
}

/* The first and last day under the columns. */
static void
svg_day_labels(struct buf *out, const struct svg_bar *bars, size_t n, int y)
{
	if (n == 0)
		return;
	buf_printf(out, "<text class=\"axis\" x=\"%d\" y=\"%d\">",
	    SVG_AXIS_WIDTH, y);
	html_escape(out, bars[0].label);
	buf_printf(out, "</text><text class=\"axis\" x=\"%d\" y=\"%d\""
	    " text-anchor=\"end\">", SVG_WIDTH, y);
	html_escape(out, bars[n - 1].label);
	buf_puts(out, "</text>");
}

void
svg_columns(struct buf *out, const char *name, const char *title,
    const struct svg_bar *bars, size_t n)
{
	long long max = svg_nice_max(svg_largest(bars, n));
	int plot = SVG_WIDTH - SVG_AXIS_WIDTH, height = SVG_TOP +
	    SVG_COL_HEIGHT + SVG_BOTTOM + SVG_LEGEND_HEIGHT,
	    base = SVG_TOP + SVG_COL_HEIGHT;
	double step = n ? (double)plot / (double)n : plot;
	int w = step > 2 ? (int)(step * 0.8) : 1, hok, hbad;
	size_t i;
	double x;

	svg_open(out, name, title, height, bars, n, 1);
	buf_printf(out, "<text class=\"axis\" x=\"%d\" y=\"%d\""
	    " text-anchor=\"end\">%lld</text>", SVG_AXIS_WIDTH - 6, SVG_TOP + 10,
	    max);
	buf_printf(out, "<text class=\"axis\" x=\"%d\" y=\"%d\""
	    " text-anchor=\"end\">0</text>", SVG_AXIS_WIDTH - 6, base);
	buf_printf(out, "<line class=\"axis\" x1=\"%d\" y1=\"%d\" x2=\"%d\""
	    " y2=\"%d\"/>", SVG_AXIS_WIDTH, base, SVG_WIDTH, base);
	for (i = 0; i < n; i++) {
		x = SVG_AXIS_WIDTH + step * (double)i;
		hok = svg_scale(bars[i].ok, max, SVG_COL_HEIGHT);
		hbad = svg_scale(bars[i].bad, max, SVG_COL_HEIGHT);
		if (hok + hbad > SVG_COL_HEIGHT)
			hok = SVG_COL_HEIGHT - hbad;
		svg_bar_open(out, &bars[i], 1);
		buf_printf(out, "<rect class=\"ok\" x=\"%.1f\" y=\"%d\""
		    " width=\"%d\" height=\"%d\"/>", x, base - hok, w, hok);
		buf_printf(out, "<rect class=\"fail\" x=\"%.1f\" y=\"%d\""
		    " width=\"%d\" height=\"%d\"/></g>", x, base - hok - hbad,
		    w, hbad);
	}
	svg_day_labels(out, bars, n, base + SVG_BOTTOM - 4);
	svg_legend_ok_fail(out, base + SVG_BOTTOM + 6, 0);
	buf_puts(out, "</svg>\n");
}

void
svg_rows(struct buf *out, const char *name, const char *title,
    const struct svg_bar *bars, size_t n)
{
	long long max = svg_nice_max(svg_largest(bars, n));
	int plot = SVG_WIDTH - SVG_LABEL_WIDTH - 120, y, wok, wbad, height;
	size_t i, rows = n < SVG_ROWS_MAX ? n : SVG_ROWS_MAX;
	int both = 0;

	for (i = 0; i < rows; i++)
		if (bars[i].ok > 0)
			both = 1;
	height = (int)rows * (SVG_ROW_HEIGHT + SVG_ROW_GAP) + 4 +
	    (both ? SVG_LEGEND_HEIGHT : 0);
	svg_open(out, name, title, height, bars, rows, 0);
	for (i = 0; i < rows; i++) {
		y = (int)i * (SVG_ROW_HEIGHT + SVG_ROW_GAP);
		wok = svg_scale(bars[i].ok, max, plot);
		wbad = svg_scale(bars[i].bad, max, plot);
		if (wok + wbad > plot)
			wok = plot - wbad;
		svg_bar_open(out, &bars[i], 0);
		buf_printf(out, "<text x=\"%d\" y=\"%d\" text-anchor=\"end\">",
		    SVG_LABEL_WIDTH - 6, y + SVG_ROW_HEIGHT - 5);
		html_escape(out, bars[i].label);
		buf_printf(out, "</text><rect class=\"fail\" x=\"%d\" y=\"%d\""
		    " width=\"%d\" height=\"%d\"/>", SVG_LABEL_WIDTH, y, wbad,
		    SVG_ROW_HEIGHT);
		buf_printf(out, "<rect class=\"ok\" x=\"%d\" y=\"%d\""
		    " width=\"%d\" height=\"%d\"/>", SVG_LABEL_WIDTH + wbad, y,
		    wok, SVG_ROW_HEIGHT);
		buf_printf(out, "<text class=\"value\" x=\"%d\" y=\"%d\">%lld",
		    SVG_LABEL_WIDTH + wbad + wok + 4, y + SVG_ROW_HEIGHT - 5,
		    svg_add(bars[i].ok, bars[i].bad));
		if (both)
			buf_printf(out, " (%lld failed)", bars[i].bad);
		buf_puts(out, "</text></g>");
	}
	if (both)
		svg_legend_ok_fail(out, (int)rows * (SVG_ROW_HEIGHT +
		    SVG_ROW_GAP) + 8, 1);
	buf_puts(out, "</svg>\n");
}

/* The scale at the left of a plot: max (with unit) at the top, 0 below. */
static void
svg_axis(struct buf *out, const char *top, const char *bottom, int y0,
    int base)
{
	buf_printf(out, "<text class=\"axis\" x=\"%d\" y=\"%d\""
	    " text-anchor=\"end\">%s</text>", SVG_AXIS_WIDTH - 6, y0 + 10,
	    top);
	buf_printf(out, "<text class=\"axis\" x=\"%d\" y=\"%d\""
	    " text-anchor=\"end\">%s</text>", SVG_AXIS_WIDTH - 6, base,
	    bottom);
	buf_printf(out, "<line class=\"axis\" x1=\"%d\" y1=\"%d\" x2=\"%d\""
	    " y2=\"%d\"/>", SVG_AXIS_WIDTH, base, SVG_WIDTH, base);
}

const char *
svg_color(size_t i)
{
	static const char *const palette[SVG_SERIES_MAX] = {
		"#c0392b", "#e67e22", "#8e44ad", "#2471a3",
		"#16a085", "#b7950b", "#6d4c41", "#7f8c8d",
	};

	return palette[i % SVG_SERIES_MAX];
}

void
svg_stacked(struct buf *out, const char *name, const char *title,
    const struct svg_stack *st)
{
	int plot = SVG_WIDTH - SVG_AXIS_WIDTH, base = SVG_TOP + SVG_COL_HEIGHT;
	int height = base + SVG_BOTTOM + SVG_LEGEND_HEIGHT, w, h, y;
	double step = st->ndays ? (double)plot / (double)st->ndays : plot;
	long long max = 0, total, all = 0, v;
	char top[32], data[SVG_DATA_MAX];
	size_t i, k;

	for (i = 0; i < st->ndays; i++) {
		for (total = 0, k = 0; k < st->nkeys; k++)
			total = svg_add(total, st->v[i * st->nkeys + k]);
		if (total > max)
			max = total;
		all = svg_add(all, total);
	}
	max = svg_nice_max(max);
	height += (svg_legend_rows(NULL, st->keys, st->nkeys) - 1) *
	    SVG_LEGEND_ROW;
	w = step > 2 ? (int)(step * 0.8) : 1;
	snprintf(data, sizeof(data), " data-failure=\"%lld\"", all);
	svg_head(out, name, title, height, data, 1);
	snprintf(top, sizeof(top), "%lld", max);
	svg_axis(out, top, "0", SVG_TOP, base);
	for (i = 0; i < st->ndays; i++) {
		for (total = 0, k = 0; k < st->nkeys; k++)
			total = svg_add(total, st->v[i * st->nkeys + k]);
		buf_puts(out, "<g class=\"bar\" data-day=\"");
		html_escape(out, st->days[i]);
		buf_printf(out, "\" data-failure=\"%lld\"><title>", total);
		html_escape(out, st->days[i]);
		buf_printf(out, ": %lld failed</title>", total);
		/* Bottom up, in the order of the keys (and the legend). */
		for (y = base, k = 0; k < st->nkeys; k++) {
			if ((v = st->v[i * st->nkeys + k]) <= 0)
				continue;
			h = svg_scale(v, max, SVG_COL_HEIGHT);
			if (h > y - SVG_TOP)
				h = y - SVG_TOP;
			y -= h;
			buf_puts(out, "<rect class=\"seg\" data-key=\"");
			html_escape(out, st->keys[k]);
			buf_printf(out, "\" data-value=\"%lld\" x=\"%.1f\""
			    " y=\"%d\" width=\"%d\" height=\"%d\""
			    " fill=\"%s\"><title>", v, SVG_AXIS_WIDTH + step *
			    (double)i, y, w, h, svg_color(k));
			html_escape(out, st->keys[k]);
			buf_printf(out, ": %lld</title></rect>", v);
		}
		buf_puts(out, "</g>");
	}
	if (st->ndays > 0) {
		buf_printf(out, "<text class=\"axis\" x=\"%d\" y=\"%d\">",
		    SVG_AXIS_WIDTH, base + SVG_BOTTOM - 4);
		html_escape(out, st->days[0]);
		buf_printf(out, "</text><text class=\"axis\" x=\"%d\""
		    " y=\"%d\" text-anchor=\"end\">", SVG_WIDTH,
		    base + SVG_BOTTOM - 4);
		html_escape(out, st->days[st->ndays - 1]);
		buf_puts(out, "</text>");
	}
	svg_legend_open(out, SVG_AXIS_WIDTH, base + SVG_BOTTOM + 6);
	svg_legend_rows(out, st->keys, st->nkeys);
	buf_puts(out, "</g></svg>\n");
}

/* Failed in percent of the sessions; in double, as sums may saturate. */
static double
svg_percent(const struct svg_bar *b)
{
	double all = (double)b->ok + (double)b->bad;

	return all > 0 ? 100.0 * (double)b->bad / all : 0;
}

/* The y of a rate on the scale 0..top percent. */
static double
svg_rate_y(double rate, double top, int base)
{
	if (rate > top)
		rate = top;
	return (double)base - rate * (double)SVG_RATE_HEIGHT / top;
}

void
svg_rate(struct buf *out, const char *name, const char *title,
    const struct svg_bar *bars, size_t n)
{
	int plot = SVG_WIDTH - SVG_AXIS_WIDTH, base = SVG_TOP + SVG_RATE_HEIGHT;
	int height = base + SVG_BOTTOM + SVG_LEGEND_HEIGHT, open = 0;
	double step = n ? (double)plot / (double)n : plot, rate, worst = 0, top;
	long long sessions;
	char label[32], data[SVG_DATA_MAX];
	size_t i;

	for (i = 0; i < n; i++)
		if (svg_add(bars[i].ok, bars[i].bad) > 0 &&
		    svg_percent(&bars[i]) > worst)
			worst = svg_percent(&bars[i]);
	/* Its own scale: 1, 2, 5, 10, 20, 50 or 100 percent. */
	top = (double)svg_nice_max((long long)worst + (worst >
	    (double)(long long)worst));
	if (top > 100)
		top = 100;
	snprintf(data, sizeof(data), " data-scale-max=\"%.0f\"", top);
	svg_head(out, name, title, height, data, 1);
	snprintf(label, sizeof(label), "%.0f%%", top);
	svg_axis(out, label, "0%", SVG_TOP, base);
	/* The line: a gap on the days without sessions (no rate). */
	buf_puts(out, "<path class=\"rate-line\" fill=\"none\""
	    " stroke=\"#c0392b\" stroke-width=\"2\" d=\"");
	for (i = 0; i < n; i++) {
		sessions = svg_add(bars[i].ok, bars[i].bad);
		if (sessions <= 0) {
			open = 0;
			continue;
		}
		rate = svg_percent(&bars[i]);
		buf_printf(out, "%s%.1f %.1f ", open ? "L" : "M",
		    SVG_AXIS_WIDTH + step * ((double)i + 0.4),
		    svg_rate_y(rate, top, base));
		open = 1;
	}
	buf_puts(out, "\"/>");
	for (i = 0; i < n; i++) {
		sessions = svg_add(bars[i].ok, bars[i].bad);
		if (sessions <= 0)
			continue;
		rate = svg_percent(&bars[i]);
		buf_puts(out, "<g class=\"point\" data-day=\"");
		html_escape(out, bars[i].label);
		buf_printf(out, "\" data-rate=\"%.2f\" data-failure=\"%lld\""
		    " data-sessions=\"%lld\"><circle cx=\"%.1f\" cy=\"%.1f\""
		    " r=\"3\" fill=\"#c0392b\"/><title>", rate, bars[i].bad,
		    sessions, SVG_AXIS_WIDTH + step * ((double)i + 0.4),
		    svg_rate_y(rate, top, base));
		html_escape(out, bars[i].label);
		buf_printf(out, ": %.2f%% failed (%lld of %lld)</title></g>",
		    rate, bars[i].bad, sessions);
	}
	svg_day_labels(out, bars, n, base + SVG_BOTTOM - 4);
	svg_legend_open(out, SVG_AXIS_WIDTH, base + SVG_BOTTOM + 6);
	svg_legend_item(out, 0, "failure rate", NULL, "#c0392b");
	buf_puts(out, "</g></svg>\n");
}
