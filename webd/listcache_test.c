/*
 * listcache_test - the list page's evidence is given back for its
 * domain and mode until LISTCACHE_MS has passed, not after, not for
 * another mode; a full table drops the expired entries for a new one,
 * and keeps none when none has expired.
 * SPDX-License-Identifier: ISC
 */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include <jansson.h>

#include "listcache.h"
#include "unit.h"

static json_t *
evidence(const char *verdict)
{
	return json_pack("{s:{s:s}}", "readiness", "verdict", verdict);
}

static const char *
verdict_of(json_t *ev)
{
	const char *v = json_string_value(json_object_get(json_object_get(ev,
	    "readiness"), "verdict"));

	return v ? v : "(none)";
}

int
main(void)
{
	char name[32];
	int i, kept;

	CHECK(listcache_get("a.example", "testing", 0) == NULL,
	    "listcache: nothing before a put");
	listcache_put("a.example", "testing", evidence("ready"), 1000);
	listcache_put("b.example", "testing", evidence("not-yet"), 1000);
	CHECK(strcmp(verdict_of(listcache_get("a.example", "testing",
	    1000 + LISTCACHE_MS - 1)), "ready") == 0 &&
	    strcmp(verdict_of(listcache_get("b.example", "testing", 1500)),
	    "not-yet") == 0, "listcache: each domain's own, within the time");
	CHECK(listcache_get("a.example", "testing", 1000 + LISTCACHE_MS) ==
	    NULL, "listcache: not after LISTCACHE_MS");
	CHECK(listcache_get("a.example", "enforce", 1500) == NULL,
	    "listcache: not for another mode");
	listcache_put("a.example", "enforce", evidence("enforced"), 2000);
	CHECK(strcmp(verdict_of(listcache_get("a.example", "enforce", 2500)),
	    "enforced") == 0 && listcache_get("a.example", "testing", 2500) ==
	    NULL, "listcache: a put replaces the domain's entry");

	for (i = 0, kept = 0; i < LISTCACHE_MAX + 10; i++) {
		snprintf(name, sizeof(name), "d%d.example", i);
		listcache_put(name, "testing", evidence("ready"), 3000);
		kept += listcache_get(name, "testing", 3000) != NULL;
	}
	CHECK(kept == LISTCACHE_MAX - 2, "listcache: a full table keeps no"
	    " more while none has expired (%d kept)", kept);
	listcache_put("late.example", "testing", evidence("ready"),
	    3000 + LISTCACHE_MS);
	CHECK(listcache_get("late.example", "testing", 3000 + LISTCACHE_MS) !=
	    NULL && listcache_get("d0.example", "testing", 3000) == NULL,
	    "listcache: the expired ones make room for a new one");
	listcache_free();
	return unit_status();
}
