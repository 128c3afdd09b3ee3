/*
 * plural_test - lib/plural: "1 domain", "0 domains", "2 domains".
 * SPDX-License-Identifier: ISC
 */
#include "config.h"

#include <stdio.h>

#include "plural.h"
#include "unit.h"

static int
plural_says(long long n, const char *noun, const char *want)
{
	char s[64], many[32];

	snprintf(many, sizeof(many), "%ss", noun);
	snprintf(s, sizeof(s), "%lld %s", n, plural(n, noun, many));
	return strcmp(s, want) == 0;
}

int
main(void)
{
	CHECK(plural_says(1, "domain", "1 domain"), "one is singular");
	CHECK(plural_says(0, "domain", "0 domains"), "none is plural");
	CHECK(plural_says(2, "socket", "2 sockets"), "two is plural");
	CHECK(plural_says(-1, "day", "-1 day"), "minus one is singular");
	CHECK(plural_says(11, "service", "11 services"), "eleven is plural");
	CHECK(STR_EQ(plural(1, "policy", "policies"), "policy") &&
	    STR_EQ(plural(3, "policy", "policies"), "policies"),
	    "an irregular plural is given whole");
	return unit_status();
}
