/*
 * svg - stacked bar charts as inline SVG; see svg.h.
 *
 * Geometry is in SVG user units; the chart scales to the width of the
 * page through its viewBox.  Only numbers and escaped labels go into
 * the markup.
 */
#include "config.h"

#include <limits.h>
#include <stdio.h>

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

/* The svg element; its title drawn at the top when top is set. */
static void
svg_open(struct buf *out, const char *name, const char *title, int height,
    const struct svg_bar *bars, size_t n, int top)
{
	long long ok = 0, bad = 0;
	size_t i;

	for (i = 0; i < n; i++) {
		ok = svg_add(ok, bars[i].ok);
		bad = svg_add(bad, bars[i].bad);
	}
	buf_printf(out, "<svg class=\"chart %s\" xmlns=\"http://www.w3.org/2000/"
	    "svg\" viewBox=\"0 0 %d %d\" width=\"%d\" height=\"%d\""
	    " role=\"img\" data-success=\"%lld\" data-failure=\"%lld\">",
	    name, SVG_WIDTH, height, SVG_WIDTH, height, ok, bad);
	buf_puts(out, "<title>");
	html_escape(out, title);
	buf_puts(out, "</title>");
	if (top) {
		buf_puts(out, "<text class=\"title\" x=\"0\" y=\"14\">");
		html_escape(out, title);
		buf_puts(out, "</text>");
	}
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

void
svg_columns(struct buf *out, const char *name, const char *title,
    const struct svg_bar *bars, size_t n)
{
	long long max = svg_nice_max(svg_largest(bars, n));
	int plot = SVG_WIDTH - SVG_AXIS_WIDTH, height = SVG_TOP +
	    SVG_COL_HEIGHT + SVG_BOTTOM, base = SVG_TOP + SVG_COL_HEIGHT;
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
	if (n > 0) {
		buf_printf(out, "<text class=\"axis\" x=\"%d\" y=\"%d\">",
		    SVG_AXIS_WIDTH, height - 4);
		html_escape(out, bars[0].label);
		buf_printf(out, "</text><text class=\"axis\" x=\"%d\" y=\"%d\""
		    " text-anchor=\"end\">", SVG_WIDTH, height - 4);
		html_escape(out, bars[n - 1].label);
		buf_puts(out, "</text>");
	}
	buf_puts(out, "</svg>\n");
}

void
svg_rows(struct buf *out, const char *name, const char *title,
    const struct svg_bar *bars, size_t n)
{
	long long max = svg_nice_max(svg_largest(bars, n));
	int plot = SVG_WIDTH - SVG_LABEL_WIDTH - 80, y, wok, wbad, height;
	size_t i, rows = n < SVG_ROWS_MAX ? n : SVG_ROWS_MAX;

	height = (int)rows * (SVG_ROW_HEIGHT + SVG_ROW_GAP) + 4;
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
		buf_printf(out, "<text class=\"value\" x=\"%d\" y=\"%d\">%lld"
		    "</text></g>", SVG_LABEL_WIDTH + wbad + wok + 4,
		    y + SVG_ROW_HEIGHT - 5, svg_add(bars[i].ok, bars[i].bad));
	}
	buf_puts(out, "</svg>\n");
}
