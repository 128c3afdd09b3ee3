/*
 * soon_test - dnsmon's back-off and check-now table (soon.c): the steps
 * double from dnsmon_retry_min to dnsmon_retry_max, then the rounds take
 * over; a good check ends the back-off; check-now requests are served at
 * once, then at most one per gap, coalesced; the table has a bound.
 * SPDX-License-Identifier: ISC
 */
#include "config.h"

#include <stdlib.h>

#include "soon.h"
#include "unit.h"

static const struct soon_conf conf = { 60, 1800, 10 };

static void
test_backoff(void)
{
	struct soon *s = soon_new(10);
	static const long long steps[] = { 60, 120, 240, 480, 960, 1800 };
	long long now = 1000000, due;
	size_t i;
	char *names[4];

	for (i = 0; i < sizeof(steps) / sizeof(steps[0]); i++) {
		due = soon_checked(s, "p.example", 1, now, &conf);
		CHECK(due == now + steps[i], "bad check %zu: next in %lld s"
		    " (want %lld)", i + 1, due - now, steps[i]);
		CHECK(soon_due(s, due - 1, names, 4, &conf) == 0,
		    "... not due a second before");
		CHECK(soon_due(s, due, names, 4, &conf) == 1 &&
		    strcmp(names[0], "p.example") == 0, "... due at its time");
		free(names[0]);
		now = due;
	}
	CHECK(soon_checked(s, "p.example", 1, now, &conf) == 0,
	    "after the step of dnsmon_retry_max: the rounds only");
	CHECK(soon_checked(s, "p.example", 1, now + 3600, &conf) == 0,
	    "... while it stays bad");
	CHECK(soon_next(s) == 0, "nothing is due early");
	CHECK(soon_checked(s, "p.example", 0, now + 7200, &conf) == 0,
	    "a good check: the rounds");
	CHECK(soon_checked(s, "p.example", 1, now + 10800, &conf) ==
	    now + 10800 + 60, "bad again: the back-off starts over");
	CHECK(soon_checked(s, "ok.example", 0, now, &conf) == 0 &&
	    soon_count(s) == 1, "a good domain takes no room");
	soon_free(s);
}

static void
test_ask(void)
{
	struct soon *s = soon_new(2);
	long long now = 2000000;
	char *names[4];
	size_t n;
	int i;

	CHECK(soon_ask(s, "a.example", now, &conf) == now,
	    "check-now: at once");
	n = soon_due(s, now, names, 4, &conf);
	CHECK(n == 1, "... taken");
	free(names[0]);
	for (i = 0, n = 0; i < 100; i++)
		n += soon_ask(s, "a.example", now + 1 + i % 9, &conf) ==
		    now + 10;
	CHECK(n == 100, "100 requests within the gap: one check at its end");
	CHECK(soon_due(s, now + 9, names, 4, &conf) == 0 &&
	    soon_due(s, now + 10, names, 4, &conf) == 1, "... once");
	free(names[0]);
	CHECK(soon_due(s, now + 11, names, 4, &conf) == 0, "... not again");
	CHECK(soon_checked(s, "a.example", 0, now + 11, &conf) == 0,
	    "its result is good");
	CHECK(soon_ask(s, "b.example", now, &conf) == now, "a second domain");
	CHECK(soon_ask(s, "c.example", now, &conf) == 0,
	    "a full table: the request waits for the round");
	CHECK(soon_checked(s, "c.example", 1, now, &conf) == 0,
	    "... and so does a bad domain");
	n = soon_due(s, now + 100, names, 4, &conf);
	CHECK(n == 1 && strcmp(names[0], "b.example") == 0,
	    "the good domain past its gap left the table");
	free(names[0]);
	soon_forget(s, "b.example");
	CHECK(soon_count(s) == 0, "a removed domain is forgotten");
	soon_free(s);
}

int
main(void)
{
	test_backoff();
	test_ask();
	return unit_status();
}
