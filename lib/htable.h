/*
 * htable - the one hash table of the tree: keys of bytes (or strings),
 * a pointer each, chained, growing.
 * SPDX-License-Identifier: ISC
 *
 * SYNOPSIS
 *	t = htable_new(size, flags)		flags: HTABLE_NOCASE or 0
 *	v = htable_find(t, key, klen)		the value, or NULL
 *	e = htable_lookup(t, key, klen)		the entry, or NULL
 *	e = htable_enter(t, key, klen, value)	a new entry (e->key, e->value)
 *	e = htable_enter_block(t, key, klen, size)	e->value: size bytes in e
 *						(replaces the key's entry)
 *	v = htable_delete(t, key, klen)		its value, or NULL
 *	htable_delete_entry(t, e)
 *	htable_count(t)
 *	htable_iter_start(t, &it); while ((e = htable_iter_next(&it)) ...
 *	htable_free(t, free_value)		free_value may be NULL
 *	(the _str forms take a NUL-terminated key)
 *
 * DESCRIPTION
 *	A key is klen bytes, copied into its entry and followed by a NUL,
 *	so that e->key of a string key is that string.  With HTABLE_NOCASE
 *	keys that differ only in ASCII case are one key (domain and host
 *	names).  The hash is lib/hash's FNV-1a.  The table starts with
 *	size buckets (rounded up to a power of two) and doubles when it
 *	holds more entries than buckets, so that chains stay short
 *	whatever the count.
 *
 *	htable_enter_block() makes an entry whose value is its own: size
 *	bytes of the entry's allocation, after the key, aligned for any
 *	type and not initialized.  A table of such values (httpd's
 *	policies) takes one allocation per key, and its value goes with
 *	the entry: htable_delete_entry() frees both, htable_free() is
 *	called with free_value NULL.  Entering a block of a key that is
 *	there replaces its entry (freed, with its block).
 *
 *	htable_enter() of a key that is there is a bug (log_panic):
 *	callers look up first.  The iteration visits every entry once in
 *	no particular order; the entry it returned last may be deleted
 *	(htable_delete_entry) before asking for the next, nothing else may
 *	be entered or deleted meanwhile.
 *
 * LIMITS
 *	The table does not bound its count: each caller that keys it by
 *	input from outside bounds what it enters (and says so).  Memory:
 *	one entry (two pointers, the hash, the length and the key, and
 *	the block of htable_enter_block()) per key, one pointer per bucket.
 *
 * DIAGNOSTICS
 *	Out of memory is fatal (mymalloc).
 */
#ifndef STS_HTABLE_H
#define STS_HTABLE_H

#include <stddef.h>
#include <stdint.h>

#define HTABLE_NOCASE	1	/* keys compared without ASCII case */
#define HTABLE_MIN	16	/* buckets of a new table, at least */

struct htable_entry {
	struct htable_entry *next;	/* in its bucket */
	void	*value;
	uint32_t hash;
	size_t	 klen;
	char	 key[];			/* klen bytes and a NUL */
};

struct htable;

struct htable_iter {
	const struct htable *t;
	size_t	 bucket;		/* the next one to look at */
	struct htable_entry *next;	/* the next entry to return */
};

struct htable *htable_new(size_t size, int flags);
struct htable_entry *htable_lookup(const struct htable *, const void *key,
	    size_t klen);
void	*htable_find(const struct htable *, const void *key, size_t klen);
struct htable_entry *htable_enter(struct htable *, const void *key,
	    size_t klen, void *value);
struct htable_entry *htable_enter_block(struct htable *, const void *key,
	    size_t klen, size_t size);
void	*htable_delete(struct htable *, const void *key, size_t klen);
void	 htable_delete_entry(struct htable *, struct htable_entry *);
size_t	 htable_count(const struct htable *);
void	 htable_iter_start(const struct htable *, struct htable_iter *);
struct htable_entry *htable_iter_next(struct htable_iter *);
void	 htable_free(struct htable *, void (*free_value)(void *));

struct htable_entry *htable_lookup_str(const struct htable *, const char *);
void	*htable_find_str(const struct htable *, const char *);
struct htable_entry *htable_enter_str(struct htable *, const char *, void *);
void	*htable_delete_str(struct htable *, const char *);

#endif
