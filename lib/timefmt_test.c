/*
 * timefmt_test - lib/timefmt: times shown to people are ISO 8601 UTC.
 * SPDX-License-Identifier: ISC
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "timefmt.h"
#include "unit.h"

/* RFC 3339 date-times as TLS reports and "stsctl report --since" give them. */
static void
test_rfc3339(void)
{
	char buf[TIMEFMT_RFC3339_SIZE];
	const char *dev;
	time_t t = 0;

	CHECK(timefmt_rfc3339_parse("2026-11-22T00:00:00Z", &t, &dev) == 0 &&
	    t == 1795305600 && dev == NULL, "a date-time in UTC: %lld",
	    (long long)t);
	CHECK(STR_EQ(timefmt_rfc3339(t, buf), "2026-11-22T00:00:00Z"),
	    "written back as it came: %s", buf);
	CHECK(timefmt_rfc3339_parse("2026-11-22T01:30:00+01:30", &t, &dev) ==
	    0 && t == 1795305600 && dev == NULL, "an offset is subtracted");
	CHECK(timefmt_rfc3339_parse("2026-11-22", &t, &dev) == 0 &&
	    t == 1795305600 && dev != NULL && strstr(dev, "midnight UTC"),
	    "a date alone: midnight UTC, with a deviation");
	CHECK(timefmt_rfc3339_parse("2026-11-22T00:00:00", &t, &dev) == 0 &&
	    dev != NULL && strstr(dev, "without timezone"),
	    "no timezone: read as UTC, with a deviation");
	CHECK(timefmt_rfc3339_parse("2026-11-22T00:00:00+0100", &t, &dev) ==
	    0 && t == 1795302000 && dev != NULL,
	    "an offset without its colon: accepted, with a deviation");
	CHECK(timefmt_rfc3339_parse("2026-11-22T23:59:60Z", &t, &dev) == 0 &&
	    t == 1795305600 + 86399, "a leap second is second 59");
	CHECK(timefmt_rfc3339_parse("2026-02-29T00:00:00Z", &t, &dev) < 0,
	    "no February 29 in 2026");
	CHECK(timefmt_rfc3339_parse("2024-02-29T00:00:00Z", &t, &dev) == 0,
	    "February 29 in a leap year");
	CHECK(timefmt_rfc3339_parse("1969-12-31T23:59:59Z", &t, &dev) < 0 &&
	    timefmt_rfc3339_parse("10000-01-01T00:00:00Z", &t, &dev) < 0,
	    "years before 1970 and after 9999 are refused");
	CHECK(timefmt_rfc3339_parse("2026-11-22T24:00:00Z", &t, &dev) < 0 &&
	    timefmt_rfc3339_parse("2026-11-22T00:00:00Q", &t, &dev) < 0 &&
	    timefmt_rfc3339_parse("2026-11-22T00:00:00Z\n", &t, &dev) < 0 &&
	    timefmt_rfc3339_parse("", &t, &dev) < 0,
	    "bad hours, zones, trailing bytes and empty text are refused");
}

int
main(void)
{
	char *s;

	s = timefmt_utc(1797206110);
	CHECK(STR_EQ(s, "2026-12-13T23:55:10Z"), "an epoch is ISO 8601 UTC: %s", s);
	free(s);
	s = timefmt_utc(0);
	CHECK(STR_EQ(s, "1970-01-01T00:00:00Z"), "the epoch itself: %s", s);
	free(s);
	test_rfc3339();
	return unit_status();
}
