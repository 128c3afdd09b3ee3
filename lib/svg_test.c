/*
 * svg_test - lib/html escaping and lib/svg scaling and markup.
 */
#include "config.h"

#include <stdlib.h>
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

int
main(void)
{
	test_escape();
	test_scale();
	test_charts();
	return unit_status();
}
