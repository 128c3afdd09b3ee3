/*
 * policytab - httpd's table of servable policies, by policy host.
 * SPDX-License-Identifier: ISC
 *
 * See policytab.h.  A chained hash table (FNV-1a of the normalized
 * host) whose bucket array doubles at load factor 1.  Memory only; the
 * table is filled from policyd's stream and never touches a file.
 * Each entry is one allocation: the struct, then its strings and the
 * policy bytes (a put replaces the whole block).  100,000 hosts are
 * 100,000 allocations instead of half a million, which matters for a
 * snapshot's time and for the memory of every httpd process.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hash.h"
#include "http.h"
#include "mymalloc.h"
#include "policytab.h"

#define POLICYTAB_INITIAL	1024	/* buckets; a power of two */
#define POLICYTAB_HEAD_MAX	64	/* the fixed fields, with the length */

struct policytab {
	struct policy_entry **bucket;
	size_t	 size;			/* buckets, a power of two */
	size_t	 count;
	unsigned gen;
};

struct policytab *
policytab_new(void)
{
	struct policytab *t = xcalloc(1, sizeof(*t));

	t->size = POLICYTAB_INITIAL;
	t->bucket = xcalloc(t->size, sizeof(*t->bucket));
	return t;
}

static void
policytab_entry_free(struct policy_entry *e)
{
	free(e);
}

/* Copies len bytes to *p, NUL-terminates them, returns the copy. */
static char *
policytab_copy(char **p, const char *s, size_t len)
{
	char *r = *p;

	memcpy(r, s, len);
	r[len] = '\0';
	*p += len + 1;
	return r;
}

/* A new entry block for host (normalized) and the rest. */
static struct policy_entry *
policytab_entry_new(const char *host, uint32_t hash, const char *domain,
    const char *id, const char *policy, size_t len)
{
	size_t hlen = strlen(host), dlen = strlen(domain), ilen = strlen(id);
	char head[POLICYTAB_HEAD_MAX], *p;
	struct policy_entry *e;
	int n;

	n = snprintf(head, sizeof(head),
	    "Content-Type: text/plain\r\nContent-Length: %zu\r\n", len);
	e = xmalloc(sizeof(*e) + hlen + dlen + ilen + (size_t)n + len + 5);
	memset(e, 0, sizeof(*e));
	p = (char *)(e + 1);
	e->hash = hash;
	e->host = policytab_copy(&p, host, hlen);
	e->domain = policytab_copy(&p, domain, dlen);
	e->id = policytab_copy(&p, id, ilen);
	e->head = policytab_copy(&p, head, (size_t)n);
	e->head_len = (size_t)n;
	e->body = policytab_copy(&p, policy, len);
	e->body_len = len;
	return e;
}

void
policytab_free(struct policytab *t)
{
	struct policy_entry *e, *next;
	size_t i;

	if (t == NULL)
		return;
	for (i = 0; i < t->size; i++)
		for (e = t->bucket[i]; e != NULL; e = next) {
			next = e->next;
			policytab_entry_free(e);
		}
	free(t->bucket);
	free(t);
}

static void
policytab_grow(struct policytab *t)
{
	size_t nsize = t->size * 2, i;
	struct policy_entry **nb = xcalloc(nsize, sizeof(*nb));
	struct policy_entry *e, *next;

	for (i = 0; i < t->size; i++)
		for (e = t->bucket[i]; e != NULL; e = next) {
			next = e->next;
			e->next = nb[e->hash & (nsize - 1)];
			nb[e->hash & (nsize - 1)] = e;
		}
	free(t->bucket);
	t->bucket = nb;
	t->size = nsize;
}

static struct policy_entry **
policytab_slot(const struct policytab *t, const char *host, uint32_t hash)
{
	struct policy_entry **ep = &t->bucket[hash & (t->size - 1)];

	while (*ep != NULL && ((*ep)->hash != hash || strcmp((*ep)->host, host)))
		ep = &(*ep)->next;
	return ep;
}

int
policytab_put(struct policytab *t, const char *host, const char *domain,
    const char *id, const char *policy, size_t len)
{
	char norm[HTTP_HOST_MAX + 1];
	struct policy_entry **ep, *e;
	uint32_t hash;

	if (http_host_normalize(host, strlen(host), norm) < 0 ||
	    len > POLICYTAB_POLICY_MAX)
		return -1;
	hash = hash_str(norm);
	ep = policytab_slot(t, norm, hash);
	e = policytab_entry_new(norm, hash, domain, id, policy, len);
	e->gen = t->gen;
	if (*ep == NULL) {
		*ep = e;
		t->count++;
	} else {
		e->next = (*ep)->next;
		policytab_entry_free(*ep);
		*ep = e;
	}
	if (t->count > t->size)
		policytab_grow(t);
	return 0;
}

int
policytab_del(struct policytab *t, const char *host)
{
	char norm[HTTP_HOST_MAX + 1];
	struct policy_entry **ep, *e;

	if (http_host_normalize(host, strlen(host), norm) < 0)
		return 0;
	ep = policytab_slot(t, norm, hash_str(norm));
	if ((e = *ep) == NULL)
		return 0;
	*ep = e->next;
	policytab_entry_free(e);
	t->count--;
	return 1;
}

const struct policy_entry *
policytab_get(const struct policytab *t, const char *host)
{
	return *policytab_slot(t, host, hash_str(host));
}

void
policytab_snapshot_begin(struct policytab *t)
{
	t->gen++;
}

size_t
policytab_snapshot_end(struct policytab *t)
{
	struct policy_entry **ep, *e;
	size_t i, dropped = 0;

	for (i = 0; i < t->size; i++) {
		ep = &t->bucket[i];
		while ((e = *ep) != NULL) {
			if (e->gen != t->gen) {
				*ep = e->next;
				policytab_entry_free(e);
				dropped++;
			} else {
				ep = &e->next;
			}
		}
	}
	t->count -= dropped;
	return dropped;
}

size_t
policytab_count(const struct policytab *t)
{
	return t->count;
}
