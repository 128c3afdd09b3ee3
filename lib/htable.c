/*
 * htable - a chained hash table that grows; see htable.h.
 * SPDX-License-Identifier: ISC
 */
#include "config.h"

#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "hash.h"
#include "htable.h"
#include "log.h"
#include "mymalloc.h"

#define HTABLE_ALIGN	_Alignof(max_align_t)	/* of a block value */

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

/*
 * A new entry of key with size bytes after the key for its value (none
 * when size is 0), aligned for any type; it takes the place of the
 * entry of the same key (freed) when there is one and replace is set.
 */
static struct htable_entry *
htable_add(struct htable *t, const void *key, size_t klen, size_t size,
    int replace)
{
	uint32_t h = htable_hash(t, key, klen);
	struct htable_entry *e, *old, **ep = &t->bucket[h & (t->nbuckets - 1)];
	size_t off = sizeof(*e) + klen + 1;

	while (*ep != NULL && !htable_same(t, *ep, h, key, klen))
		ep = &(*ep)->next;
	if ((old = *ep) != NULL && !replace)
		log_panic("htable_enter: the key is there already");
	if (size > 0) {
		off = (off + HTABLE_ALIGN - 1) / HTABLE_ALIGN * HTABLE_ALIGN;
		if (size > SIZE_MAX - off)
			log_panic("htable_enter_block: %zu bytes", size);
	}
	e = xmalloc(off + size);
	e->value = size > 0 ? (char *)e + off : NULL;
	e->hash = h;
	e->klen = klen;
	memcpy(e->key, key, klen);
	e->key[klen] = '\0';
	if (old != NULL) {
		e->next = old->next;
		*ep = e;
		free(old);
		return e;
	}
	if (t->count >= t->nbuckets && t->nbuckets <= SIZE_MAX / 2 /
	    sizeof(*t->bucket) / 2)
		htable_grow(t);
	ep = &t->bucket[h & (t->nbuckets - 1)];
	e->next = *ep;
	*ep = e;
	t->count++;
	return e;
}

struct htable_entry *
htable_enter(struct htable *t, const void *key, size_t klen, void *value)
{
	struct htable_entry *e = htable_add(t, key, klen, 0, 0);

	e->value = value;
	return e;
}

struct htable_entry *
htable_enter_block(struct htable *t, const void *key, size_t klen,
    size_t size)
{
	return htable_add(t, key, klen, size > 0 ? size : 1, 1);
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
