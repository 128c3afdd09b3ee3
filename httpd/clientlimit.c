/*
 * clientlimit - requests per client address and window (see
 * clientlimit.h).  Touches nothing but its own memory.
 * SPDX-License-Identifier: ISC
 */
#include "config.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "clientlimit.h"
#include "clientnet.h"
#include "htable.h"
#include "mymalloc.h"

#define CLIENTLIMIT_BITS4	32	/* an IPv4 client: its address */
#define CLIENTLIMIT_BITS6	64	/* an IPv6 client: its /64 */

struct clientlimit_entry {
	time_t	 start;			/* of the client's window */
	long long count;		/* requests in it */
};

struct clientlimit {
	long long limit;
	time_t	 window;
	size_t	 max;			/* clients held at most */
	struct htable *clients;		/* clientnet key -> entry */
};

struct clientlimit *
clientlimit_new(long long limit, time_t window, size_t max_clients)
{
	struct clientlimit *l = xcalloc(1, sizeof(*l));

	l->limit = limit;
	l->window = window > 0 ? window : 1;
	l->max = max_clients > 0 ? max_clients : 1;
	/* As many buckets as clients: the table never grows. */
	l->clients = htable_new(l->max, 0);
	return l;
}

/* Drops the clients whose window ended. */
static void
clientlimit_sweep(struct clientlimit *l, time_t now)
{
	struct htable_iter it;
	struct htable_entry *he;
	struct clientlimit_entry *e;

	htable_iter_start(l->clients, &it);
	while ((he = htable_iter_next(&it)) != NULL) {
		e = he->value;
		if (now - e->start >= l->window || now < e->start) {
			free(e);
			htable_delete_entry(l->clients, he);
		}
	}
}

int
clientlimit_hit(struct clientlimit *l, const struct sockaddr *sa, time_t now,
    time_t *retry)
{
	struct clientnet net;
	struct clientlimit_entry *e;

	*retry = 0;
	if (l->limit <= 0 || clientnet_of(sa, CLIENTLIMIT_BITS4,
	    CLIENTLIMIT_BITS6, &net) < 0)
		return 0;
	e = htable_find(l->clients, net.key, sizeof(net.key));
	if (e == NULL) {
		if (htable_count(l->clients) >= l->max)
			clientlimit_sweep(l, now);
		if (htable_count(l->clients) >= l->max) {
			*retry = l->window;
			return -1;
		}
		e = xcalloc(1, sizeof(*e));
		e->start = now;
		htable_enter(l->clients, net.key, sizeof(net.key), e);
	} else if (now - e->start >= l->window || now < e->start) {
		e->start = now;			/* a new window */
		e->count = 0;
	}
	if (e->count >= l->limit) {
		*retry = e->start + l->window - now;
		if (*retry < 1)
			*retry = 1;
		return -1;
	}
	e->count++;
	return 0;
}

size_t
clientlimit_count(const struct clientlimit *l)
{
	return htable_count(l->clients);
}

void
clientlimit_free(struct clientlimit *l)
{
	if (l == NULL)
		return;
	htable_free(l->clients, free);
	free(l);
}
