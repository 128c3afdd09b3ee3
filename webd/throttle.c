/*
 * throttle - webd's limits of sign-in and sign-up attempts; see
 * throttle.h.
 * SPDX-License-Identifier: ISC
 */
#include "config.h"

#include <stdlib.h>

#include "htable.h"
#include "mymalloc.h"
#include "params.h"
#include "throttle.h"

#define THROTTLE_TABLE_START	64

struct throttle_count {
	time_t	 start;			/* of the window */
	time_t	 window;		/* its length */
	long long attempts;
};

static struct htable *throttle_table;

/* Drops the counts of ended windows; whether there is room now. */
static int
throttle_make_room(time_t now)
{
	struct htable_iter it;
	struct htable_entry *e;
	struct throttle_count *t;

	if (htable_count(throttle_table) < THROTTLE_KEYS_MAX)
		return 1;
	htable_iter_start(throttle_table, &it);
	while ((e = htable_iter_next(&it)) != NULL) {
		t = e->value;
		if (now - t->start >= t->window) {
			free(t);
			htable_delete_entry(throttle_table, e);
		}
	}
	return htable_count(throttle_table) < THROTTLE_KEYS_MAX;
}

int
throttle_hit(const char *key, time_t now, time_t *retry)
{
	return throttle_hit_in(key, var_portal_signin_limit,
	    var_portal_signin_window, now, retry);
}

int
throttle_hit_in(const char *key, long long limit, time_t window, time_t now,
    time_t *retry)
{
	struct throttle_count *t;

	*retry = 0;
	if (limit == 0)
		return 0;
	if (throttle_table == NULL)
		throttle_table = htable_new(THROTTLE_TABLE_START, HTABLE_NOCASE);
	if ((t = htable_find_str(throttle_table, key)) == NULL) {
		if (!throttle_make_room(now)) {
			*retry = window;
			return -1;
		}
		t = xcalloc(1, sizeof(*t));
		t->start = now;
		htable_enter_str(throttle_table, key, t);
	}
	t->window = window;
	if (now - t->start >= window) {
		t->start = now;
		t->attempts = 0;
	}
	if (t->attempts >= limit) {
		*retry = t->start + window - now;
		if (*retry < 1)
			*retry = 1;
		return -1;
	}
	t->attempts++;
	return 0;
}

void
throttle_free_all(void)
{
	if (throttle_table != NULL)
		htable_free(throttle_table, free);
	throttle_table = NULL;
}
