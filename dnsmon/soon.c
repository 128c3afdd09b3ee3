/*
 * soon - the domains that dnsmon checks before its next round; see
 * soon.h.  A hash table of names (lib/htable, without case); soon_due()
 * and soon_next() walk it whole, which they do once per timer, not once
 * per check.
 * SPDX-License-Identifier: ISC
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "htable.h"
#include "mymalloc.h"
#include "soon.h"

struct soon_entry {
	long long due;		/* when to check it; 0: the next round */
	long long last;		/* start of its last check (rate limit) */
	long long delay;	/* its last back-off step; 0: none */
};

struct soon {
	struct htable *t;	/* name -> struct soon_entry */
	size_t	 max;
};

struct soon *
soon_new(size_t max)
{
	struct soon *s = xcalloc(1, sizeof(*s));

	s->t = htable_new(SOON_BUCKETS, HTABLE_NOCASE);
	s->max = max;
	return s;
}

void
soon_free(struct soon *s)
{
	if (s == NULL)
		return;
	htable_free(s->t, free);
	free(s);
}

/* The entry of name; with add, a new one when there is room. */
static struct soon_entry *
soon_find(struct soon *s, const char *name, int add)
{
	struct soon_entry *e;

	if ((e = htable_find_str(s->t, name)) != NULL)
		return e;
	if (!add || htable_count(s->t) >= s->max)
		return NULL;
	e = xcalloc(1, sizeof(*e));
	htable_enter_str(s->t, name, e);
	return e;
}

void
soon_forget(struct soon *s, const char *name)
{
	free(htable_delete_str(s->t, name));
}

/* The back-off step after one of delay: twice it, at most max. */
static long long
soon_step(long long delay, const struct soon_conf *c)
{
	long long min = c->min > 0 ? c->min : 1;

	if (delay <= 0)
		return min < c->max ? min : c->max;
	if (delay >= c->max)
		return 0;		/* the last step was taken */
	return delay > c->max / 2 ? c->max : delay * 2;
}

long long
soon_checked(struct soon *s, const char *name, int bad, long long now,
    const struct soon_conf *c)
{
	struct soon_entry *e = soon_find(s, name, bad);
	long long step;

	if (e == NULL)
		return 0;
	if (e->last < now - c->gap || e->last > now)
		e->last = now;
	if (!bad) {
		e->delay = 0;
		e->due = 0;
		return 0;
	}
	if ((step = soon_step(e->delay, c)) == 0) {
		e->due = 0;		/* rounds only, until it is good */
		return 0;
	}
	e->delay = step;
	e->due = now + step;
	return e->due;
}

long long
soon_ask(struct soon *s, const char *name, long long now,
    const struct soon_conf *c)
{
	struct soon_entry *e = soon_find(s, name, 1);
	long long at;

	if (e == NULL)
		return 0;
	at = e->last > 0 && e->last + c->gap > now ? e->last + c->gap : now;
	if (e->due == 0 || e->due > at)
		e->due = at;
	return e->due;
}

size_t
soon_due(struct soon *s, long long now, char **names, size_t nmax,
    const struct soon_conf *c)
{
	struct htable_iter it;
	struct htable_entry *he;
	struct soon_entry *e;
	size_t n = 0;

	htable_iter_start(s->t, &it);
	while ((he = htable_iter_next(&it)) != NULL) {
		e = he->value;
		if (e->due > 0 && e->due <= now && n < nmax) {
			names[n++] = xstrdup(he->key);
			e->due = 0;
			e->last = now;
		} else if (e->due == 0 && e->delay == 0 &&
		    (e->last <= now - c->gap || e->last > now)) {
			free(e);	/* good, and not rate-limited */
			htable_delete_entry(s->t, he);
		}
	}
	return n;
}

long long
soon_next(const struct soon *s)
{
	struct htable_iter it;
	struct htable_entry *he;
	const struct soon_entry *e;
	long long t = 0;

	htable_iter_start(s->t, &it);
	while ((he = htable_iter_next(&it)) != NULL) {
		e = he->value;
		if (e->due > 0 && (t == 0 || e->due < t))
			t = e->due;
	}
	return t;
}

size_t
soon_count(const struct soon *s)
{
	return htable_count(s->t);
}
