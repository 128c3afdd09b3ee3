/*
 * svg_test - lib/html escaping and lib/svg scaling and markup.
 * SPDX-License-Identifier: ISC
 */
#include "config.h"

#include <stdlib.h>
#include <limits.h>
#include <string.h>

#include "buf.h"
#include "html.h"
#include "svg.h"
#include "unit.h"

static char *
esc(const char *s)
{
	struct buf b = BUF_INIT;

	html_escape(&b, s);
	return buf_steal(&b);
}

static void
test_escape(void)
{
	char *s;

	s = esc("<script>alert(1)</script>");
	CHECK(STR_EQ(s, "&lt;script&gt;alert(1)&lt;/script&gt;"),
	    "html_escape: a script tag becomes text");
	free(s);
	s = esc("a&b \"q\" 'x'");
	CHECK(STR_EQ(s, "a&amp;b &quot;q&quot; &#39;x&#39;"),
	    "html_escape: & and both quotes (safe in attributes)");
	free(s);
	s = esc("tab\tnl\nbell\x07" "del\x7f");
	CHECK(STR_EQ(s, "tab\tnl\nbell\xef\xbf\xbd" "del\xef\xbf\xbd"),
	    "html_escape: control characters become U+FFFD, tab and"
	    " newline stay");
	free(s);
	s = esc("caf\xc3\xa9");
	CHECK(STR_EQ(s, "caf\xc3\xa9"), "html_escape: UTF-8 passes unchanged");
	free(s);
	s = esc(NULL);
	CHECK(STR_EQ(s, ""), "html_escape: NULL appends nothing");
	free(s);
	{
		struct buf b = BUF_INIT;

		html_escapef(&b, "%s=%d", "<a>", 5);
		CHECK(STR_EQ(b.s, "&lt;a&gt;=5"), "html_escapef formats,"
		    " then escapes");
		buf_free(&b);
	}
}

static void
test_scale(void)
{
	CHECK(svg_nice_max(0) == 1 && svg_nice_max(1) == 1,
	    "svg_nice_max: at least 1");
	CHECK(svg_nice_max(2) == 2 && svg_nice_max(3) == 5 &&
	    svg_nice_max(7) == 10, "svg_nice_max: 1, 2, 5 steps");
	CHECK(svg_nice_max(137) == 200 && svg_nice_max(200) == 200 &&
	    svg_nice_max(201) == 500 && svg_nice_max(100000) == 100000,
	    "svg_nice_max: 137->200, 200->200, 201->500, 100000->100000");
	CHECK(svg_nice_max(9000000000000000000LL) >= 9000000000000000000LL,
	    "svg_nice_max: no overflow near the top of long long");
	CHECK(svg_scale(50, 200, 100) == 25, "svg_scale: 50 of 200 is 25 of 100");
	CHECK(svg_scale(200, 200, 160) == 160, "svg_scale: max is full length");
	CHECK(svg_scale(500, 200, 160) == 160, "svg_scale: above max is clipped");
	CHECK(svg_scale(1, 1000000, 160) == 1,
	    "svg_scale: a tiny non-zero value is still 1 unit");
	CHECK(svg_scale(0, 10, 160) == 0 && svg_scale(-3, 10, 160) == 0,
	    "svg_scale: zero and negative are 0");
	CHECK(svg_scale(5, 0, 160) == 0, "svg_scale: empty scale is 0");
	CHECK(svg_scale(4000000000000000000LL, 8000000000000000000LL, 160) ==
	    80, "svg_scale: huge counts do not overflow");
}

static void
test_charts(void)
{
	struct svg_bar bars[] = {
		{ "2026-11-20", 90, 10 },
		{ "<script>alert(1)</script>", 0, 0 },
		{ "2026-11-22", 30, 0 },
	};
	struct buf b = BUF_INIT;

	svg_columns(&b, "trend", "Sessions & days", bars, 3);
	CHECK(strstr(b.s, "<svg class=\"chart trend\"") != NULL &&
	    strstr(b.s, "data-success=\"120\" data-failure=\"10\"") != NULL,
	    "svg_columns: the svg carries the totals");
	CHECK(strstr(b.s, "data-day=\"2026-11-20\" data-success=\"90\""
	    " data-failure=\"10\"") != NULL,
	    "svg_columns: a bar carries its day and numbers");
	CHECK(strstr(b.s, "<script") == NULL &&
	    strstr(b.s, "&lt;script&gt;alert(1)&lt;/script&gt;") != NULL,
	    "svg_columns: labels are escaped");
	CHECK(strstr(b.s, "Sessions &amp; days") != NULL,
	    "svg_columns: the title is escaped");
	/* Scale 0..100 on 160 units: 90 ok is 144 high, 10 failed 16. */
	CHECK(strstr(b.s, "height=\"144\"") != NULL &&
	    strstr(b.s, "height=\"16\"") != NULL,
	    "svg_columns: heights follow the nice scale (0..100)");
	buf_reset(&b);
	svg_rows(&b, "by-organization", "Senders", bars, 3);
	CHECK(strstr(b.s, "data-key=\"&lt;script&gt;alert(1)&lt;/script&gt;\""
	    " data-success=\"0\" data-failure=\"0\"") != NULL &&
	    strstr(b.s, "<script") == NULL,
	    "svg_rows: hostile label escaped in attribute and text");
	buf_free(&b);
}

static void
test_rate(void)
{
	struct svg_bar bars[] = {
		{ "2026-11-20", 97, 3 },	/* 3% */
		{ "2026-11-21", 0, 0 },		/* no sessions: a gap */
		{ "2026-11-22", 9990, 10 },	/* 0.1% */
		{ "2026-11-23", LLONG_MAX, LLONG_MAX },
	};
	struct buf b = BUF_INIT;

	svg_rate(&b, "failure-rate", "Rate", bars, 3);
	CHECK(strstr(b.s, "data-scale-max=\"5\"") != NULL,
	    "svg_rate: its own scale, the worst day (3%%) under 5%%");
	CHECK(strstr(b.s, "data-day=\"2026-11-20\" data-rate=\"3.00\"") !=
	    NULL && strstr(b.s, "data-day=\"2026-11-22\" data-rate=\"0.10\"")
	    != NULL, "svg_rate: a point per day with its rate");
	CHECK(strstr(b.s, "data-day=\"2026-11-21\"") == NULL &&
	    strstr(b.s, "d=\"M") != NULL &&
	    strchr(strstr(b.s, "d=\"M") + 4, 'M') != NULL,
	    "svg_rate: no point for a day without sessions, the line breaks");
	buf_reset(&b);
	svg_rate(&b, "failure-rate", "Rate", bars + 3, 1);
	CHECK(strstr(b.s, "data-rate=\"50.00\"") != NULL &&
	    strstr(b.s, "data-scale-max=\"50\"") != NULL,
	    "svg_rate: huge counts do not overflow");
	buf_free(&b);
}

static void
test_stacked(void)
{
	static const char *const days[] = { "2026-11-20", "2026-11-21" };
	static const char *const keys[] = { "starttls-not-supported",
	    "<b>x</b>" };
	static const long long v[] = { 5, 2, 0, 7 };
	struct svg_stack st = { days, 2, keys, 2, v };
	struct buf b = BUF_INIT;
	const char *a, *c;

	svg_stacked(&b, "failures-by-type", "By type", &st);
	CHECK(strstr(b.s, "data-day=\"2026-11-20\" data-failure=\"7\"") !=
	    NULL && strstr(b.s, "data-day=\"2026-11-21\" data-failure=\"7\"")
	    != NULL, "svg_stacked: a column per day with its failed sessions");
	a = strstr(b.s, "data-key=\"starttls-not-supported\" data-value=\"5\"");
	c = strstr(b.s, "data-key=\"&lt;b&gt;x&lt;/b&gt;\" data-value=\"2\"");
	CHECK(a != NULL && c != NULL && a < c,
	    "svg_stacked: segments bottom up in the order of the keys");
	CHECK(strstr(b.s, "data-value=\"0\"") == NULL,
	    "svg_stacked: no segment for 0");
	a = strstr(b.s, "class=\"legend-item\" data-key=\"starttls");
	c = strstr(b.s, "class=\"legend-item\" data-key=\"&lt;b&gt;");
	CHECK(a != NULL && c != NULL && a < c && strstr(b.s, "<b>") == NULL,
	    "svg_stacked: the legend in the same order, escaped");
	buf_free(&b);
}

int
main(void)
{
	test_escape();
	test_scale();
	test_charts();
	test_rate();
	test_stacked();
	return unit_status();
}
