/*
 * soon - the domains that dnsmon checks before its next round; see
 * soon.h.  A chained hash table of names; soon_due() and soon_next()
 * walk it whole, which they do once per timer, not once per check.
 * SPDX-License-Identifier: ISC
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "mymalloc.h"
#include "soon.h"

struct soon_entry {
	struct soon_entry *next;
	char	*name;
	long long due;		/* when to check it; 0: the next round */
	long long last;		/* start of its last check (rate limit) */
	long long delay;	/* its last back-off step; 0: none */
};

struct soon {
	struct soon_entry *bucket[SOON_BUCKETS];
	size_t	 n, max;
};

static unsigned
soon_hash(const char *name)
{
	unsigned h = 5381;

	for (; *name; name++)
		h = h * 33 + (unsigned char)(*name | 0x20);
	return h % SOON_BUCKETS;
}

struct soon *
soon_new(size_t max)
{
	struct soon *s = xcalloc(1, sizeof(*s));

	s->max = max;
	return s;
}

static void
soon_entry_free(struct soon_entry *e)
{
	free(e->name);
	free(e);
}

void
soon_free(struct soon *s)
{
	struct soon_entry *e, *next;
	size_t i;

	if (s == NULL)
		return;
	for (i = 0; i < SOON_BUCKETS; i++)
		for (e = s->bucket[i]; e != NULL; e = next) {
			next = e->next;
			soon_entry_free(e);
		}
	free(s);
}

/* The entry of name; with add, a new one when there is room. */
static struct soon_entry *
soon_find(struct soon *s, const char *name, int add)
{
	unsigned h = soon_hash(name);
	struct soon_entry *e;

	for (e = s->bucket[h]; e != NULL; e = e->next)
		if (strcasecmp(e->name, name) == 0)
			return e;
	if (!add || s->n >= s->max)
		return NULL;
	e = xcalloc(1, sizeof(*e));
	e->name = xstrdup(name);
	e->next = s->bucket[h];
	s->bucket[h] = e;
	s->n++;
	return e;
}

void
soon_forget(struct soon *s, const char *name)
{
	struct soon_entry **ep, *e;

	for (ep = &s->bucket[soon_hash(name)]; (e = *ep) != NULL;
	    ep = &e->next)
		if (strcasecmp(e->name, name) == 0) {
			*ep = e->next;
			soon_entry_free(e);
			s->n--;
			return;
		}
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
	struct soon_entry **ep, *e;
	size_t i, n = 0;

	for (i = 0; i < SOON_BUCKETS; i++)
		for (ep = &s->bucket[i]; (e = *ep) != NULL; ) {
			if (e->due > 0 && e->due <= now && n < nmax) {
				names[n++] = xstrdup(e->name);
				e->due = 0;
				e->last = now;
			} else if (e->due == 0 && e->delay == 0 &&
			    (e->last <= now - c->gap || e->last > now)) {
				*ep = e->next;	/* good, and not rate-limited */
				soon_entry_free(e);
				s->n--;
				continue;
			}
			ep = &e->next;
		}
	return n;
}

long long
soon_next(const struct soon *s)
{
	const struct soon_entry *e;
	long long t = 0;
	size_t i;

	for (i = 0; i < SOON_BUCKETS; i++)
		for (e = s->bucket[i]; e != NULL; e = e->next)
			if (e->due > 0 && (t == 0 || e->due < t))
				t = e->due;
	return t;
}

size_t
soon_count(const struct soon *s)
{
	return s->n;
}
