/*
 * policytab - httpd's table of servable policies, by policy host.
 *
 * See policytab.h.  A chained hash table (FNV-1a of the normalized
 * host) whose bucket array doubles at load factor 1.  Memory only; the
 * table is filled from policyd's stream and never touches a file.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "http.h"
#include "mymalloc.h"
#include "policytab.h"

#define POLICYTAB_INITIAL	1024	/* buckets; a power of two */

struct policytab {
	struct policy_entry **bucket;
	size_t	 size;			/* buckets, a power of two */
	size_t	 count;
	unsigned gen;
};

static uint32_t
policytab_hash(const char *s)
{
	uint32_t h = 2166136261u;

	for (; *s; s++) {
		h ^= (unsigned char)*s;
		h *= 16777619u;
	}
	return h;
}

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
	free(e->host);
	free(e->domain);
	free(e->id);
	free(e->head);
	free(e->body);
	free(e);
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
	hash = policytab_hash(norm);
	ep = policytab_slot(t, norm, hash);
	if ((e = *ep) == NULL) {
		e = xcalloc(1, sizeof(*e));
		e->hash = hash;
		e->host = xstrdup(norm);
		*ep = e;
		t->count++;
	} else {
		free(e->domain);
		free(e->id);
		free(e->head);
		free(e->body);
	}
	e->gen = t->gen;
	e->domain = xstrdup(domain);
	e->id = xstrdup(id);
	e->body = xmalloc(len ? len : 1);
	memcpy(e->body, policy, len);
	e->body_len = len;
	e->head = xasprintf("Content-Type: text/plain\r\nContent-Length: %zu\r\n",
	    len);
	e->head_len = strlen(e->head);
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
	ep = policytab_slot(t, norm, policytab_hash(norm));
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
	return *policytab_slot(t, host, policytab_hash(host));
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
