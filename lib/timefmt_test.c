/*
 * timefmt_test - lib/timefmt: times shown to people are ISO 8601 UTC.
 * SPDX-License-Identifier: ISC
 */
#include "config.h"

#include <stdlib.h>

#include "timefmt.h"
#include "unit.h"

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
	return unit_status();
}
