/*
 * clientlimit - requests per client address and window (see
 * clientlimit.h).  Touches nothing but its own memory.
 * SPDX-License-Identifier: ISC
 */
#include "config.h"

#include <netinet/in.h>

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "clientlimit.h"
#include "hash.h"
#include "mymalloc.h"

#define CLIENTLIMIT_KEY_SIZE	9	/* family byte, then 4 or 8 bytes */

struct clientlimit_entry {
	struct clientlimit_entry *next;
	unsigned char key[CLIENTLIMIT_KEY_SIZE];
	time_t	 start;			/* of the client's window */
	long long count;		/* requests in it */
};

struct clientlimit {
	long long limit;
	time_t	 window;
	size_t	 max;			/* clients held at most */
	size_t	 n;			/* clients held */
	size_t	 nbuckets;		/* a power of two */
	struct clientlimit_entry **bucket;
};

struct clientlimit *
clientlimit_new(long long limit, time_t window, size_t max_clients)
{
	struct clientlimit *l = xcalloc(1, sizeof(*l));

	l->limit = limit;
	l->window = window > 0 ? window : 1;
	l->max = max_clients > 0 ? max_clients : 1;
	for (l->nbuckets = 64; l->nbuckets < l->max; l->nbuckets *= 2)
		;
	l->bucket = xcalloc(l->nbuckets, sizeof(*l->bucket));
	return l;
}

/* The client of sa as a key; -1 for another family. */
static int
clientlimit_key(const struct sockaddr *sa, unsigned char key[])
{
	static const unsigned char mapped[12] = { 0, 0, 0, 0, 0, 0, 0, 0, 0,
	    0, 0xff, 0xff };
	const unsigned char *a;

	memset(key, 0, CLIENTLIMIT_KEY_SIZE);
	if (sa->sa_family == AF_INET) {
		key[0] = 4;
		memcpy(key + 1, &((const struct sockaddr_in *)sa)->sin_addr, 4);
		return 0;
	}
	if (sa->sa_family != AF_INET6)
		return -1;
	a = ((const struct sockaddr_in6 *)sa)->sin6_addr.s6_addr;
	if (memcmp(a, mapped, sizeof(mapped)) == 0) {
		key[0] = 4;
		memcpy(key + 1, a + 12, 4);
	} else {
		key[0] = 6;
		memcpy(key + 1, a, 8);		/* the /64 */
	}
	return 0;
}

static size_t
clientlimit_hash(const struct clientlimit *l, const unsigned char key[])
{
	return hash_bytes(key, CLIENTLIMIT_KEY_SIZE) & (l->nbuckets - 1);
}

/* Drops the clients whose window ended. */
static void
clientlimit_sweep(struct clientlimit *l, time_t now)
{
	struct clientlimit_entry **e, *dead;
	size_t i;

	for (i = 0; i < l->nbuckets; i++)
		for (e = &l->bucket[i]; *e != NULL; ) {
			if (now - (*e)->start >= l->window || now < (*e)->start) {
				dead = *e;
				*e = dead->next;
				free(dead);
				l->n--;
			} else
				e = &(*e)->next;
		}
}

int
clientlimit_hit(struct clientlimit *l, const struct sockaddr *sa, time_t now,
    time_t *retry)
{
	unsigned char key[CLIENTLIMIT_KEY_SIZE];
	struct clientlimit_entry *e, **b;

	*retry = 0;
	if (l->limit <= 0 || clientlimit_key(sa, key) < 0)
		return 0;
	b = &l->bucket[clientlimit_hash(l, key)];
	for (e = *b; e != NULL; e = e->next)
		if (memcmp(e->key, key, sizeof(key)) == 0)
			break;
	if (e == NULL) {
		if (l->n >= l->max)
			clientlimit_sweep(l, now);
		if (l->n >= l->max) {
			*retry = l->window;
			return -1;
		}
		e = xcalloc(1, sizeof(*e));
		memcpy(e->key, key, sizeof(key));
		e->start = now;
		e->next = *b;
		*b = e;
		l->n++;
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
	return l->n;
}

void
clientlimit_free(struct clientlimit *l)
{
	struct clientlimit_entry *e, *n;
	size_t i;

	if (l == NULL)
		return;
	for (i = 0; i < l->nbuckets; i++)
		for (e = l->bucket[i]; e != NULL; e = n) {
			n = e->next;
			free(e);
		}
	free(l->bucket);
	free(l);
}
