/*
 * htable - a chained hash table that grows; see htable.h.
 * SPDX-License-Identifier: ISC
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "hash.h"
#include "htable.h"
#include "log.h"
#include "mymalloc.h"

struct htable {
	struct htable_entry **bucket;
	size_t	 nbuckets;		/* a power of two */
	size_t	 count;
	int	 flags;
};

static uint32_t
htable_hash(const struct htable *t, const void *key, size_t klen)
{
	return (t->flags & HTABLE_NOCASE) ? hash_bytes_nocase(key, klen) :
	    hash_bytes(key, klen);
}

static int
htable_same(const struct htable *t, const struct htable_entry *e,
    uint32_t h, const void *key, size_t klen)
{
	if (e->hash != h || e->klen != klen)
		return 0;
	return (t->flags & HTABLE_NOCASE) ? strncasecmp(e->key, key, klen) ==
	    0 : memcmp(e->key, key, klen) == 0;
}

struct htable *
htable_new(size_t size, int flags)
{
	struct htable *t = xcalloc(1, sizeof(*t));

	for (t->nbuckets = HTABLE_MIN; t->nbuckets < size; t->nbuckets *= 2)
		;
	t->bucket = xcalloc(t->nbuckets, sizeof(*t->bucket));
	t->flags = flags;
	return t;
}

/* Twice the buckets: every entry moves to its chain of the new size. */
static void
htable_grow(struct htable *t)
{
	size_t i, n = t->nbuckets * 2;
	struct htable_entry **b = xcalloc(n, sizeof(*b)), *e, *next;

	for (i = 0; i < t->nbuckets; i++)
		for (e = t->bucket[i]; e != NULL; e = next) {
			next = e->next;
			e->next = b[e->hash & (n - 1)];
			b[e->hash & (n - 1)] = e;
		}
	free(t->bucket);
	t->bucket = b;
	t->nbuckets = n;
}

struct htable_entry *
htable_lookup(const struct htable *t, const void *key, size_t klen)
{
	uint32_t h = htable_hash(t, key, klen);
	struct htable_entry *e;

	for (e = t->bucket[h & (t->nbuckets - 1)]; e != NULL; e = e->next)
		if (htable_same(t, e, h, key, klen))
			return e;
	return NULL;
}

void *
htable_find(const struct htable *t, const void *key, size_t klen)
{
	struct htable_entry *e = htable_lookup(t, key, klen);

	return e ? e->value : NULL;
}

struct htable_entry *
htable_enter(struct htable *t, const void *key, size_t klen, void *value)
{
	struct htable_entry *e, **b;

	if (htable_lookup(t, key, klen) != NULL)
		log_panic("htable_enter: the key is there already");
	if (t->count >= t->nbuckets && t->nbuckets <= SIZE_MAX / 2 /
	    sizeof(*t->bucket) / 2)
		htable_grow(t);
	e = xmalloc(sizeof(*e) + klen + 1);
	e->value = value;
	e->hash = htable_hash(t, key, klen);
	e->klen = klen;
	memcpy(e->key, key, klen);
	e->key[klen] = '\0';
	b = &t->bucket[e->hash & (t->nbuckets - 1)];
	e->next = *b;
	*b = e;
	t->count++;
	return e;
}

void
htable_delete_entry(struct htable *t, struct htable_entry *e)
{
	struct htable_entry **ep;

	for (ep = &t->bucket[e->hash & (t->nbuckets - 1)]; *ep != NULL;
	    ep = &(*ep)->next)
		if (*ep == e) {
			*ep = e->next;
			t->count--;
			free(e);
			return;
		}
	log_panic("htable_delete_entry: not an entry of this table");
}

void *
htable_delete(struct htable *t, const void *key, size_t klen)
{
	struct htable_entry *e = htable_lookup(t, key, klen);
	void *v;

	if (e == NULL)
		return NULL;
	v = e->value;
	htable_delete_entry(t, e);
	return v;
}

size_t
htable_count(const struct htable *t)
{
	return t->count;
}

void
htable_iter_start(const struct htable *t, struct htable_iter *it)
{
	it->t = t;
	it->bucket = 0;
	it->next = NULL;
}

struct htable_entry *
htable_iter_next(struct htable_iter *it)
{
	struct htable_entry *e = it->next;

	while (e == NULL && it->bucket < it->t->nbuckets)
		e = it->t->bucket[it->bucket++];
	if (e != NULL)
		it->next = e->next;	/* e may be deleted before the next */
	return e;
}

void
htable_free(struct htable *t, void (*free_value)(void *))
{
	struct htable_entry *e, *next;
	size_t i;

	if (t == NULL)
		return;
	for (i = 0; i < t->nbuckets; i++)
		for (e = t->bucket[i]; e != NULL; e = next) {
			next = e->next;
			if (free_value != NULL)
				free_value(e->value);
			free(e);
		}
	free(t->bucket);
	free(t);
}

struct htable_entry *
htable_lookup_str(const struct htable *t, const char *key)
{
	return htable_lookup(t, key, strlen(key));
}

void *
htable_find_str(const struct htable *t, const char *key)
{
	return htable_find(t, key, strlen(key));
}

struct htable_entry *
htable_enter_str(struct htable *t, const char *key, void *value)
{
	return htable_enter(t, key, strlen(key), value);
}

void *
htable_delete_str(struct htable *t, const char *key)
{
	return htable_delete(t, key, strlen(key));
}
