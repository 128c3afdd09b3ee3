/*
 * policytab - httpd's table of servable policies, by policy host.
 * SPDX-License-Identifier: ISC
 *
 * See policytab.h.  The table is lib/htable, keyed by the normalized
 * host, with the entry of each host holding its policy (one
 * allocation: the table's entry, the host as its key, then the struct
 * policy_entry, its strings and the policy bytes; a put replaces the
 * whole block).  100,000 hosts are 100,000 allocations instead of half
 * a million, which matters for a snapshot's time and for the memory of
 * every httpd process.  Memory only; the table is filled from policyd's
 * stream and never touches a file.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "htable.h"
#include "http.h"
#include "mymalloc.h"
#include "policytab.h"

#define POLICYTAB_INITIAL	1024	/* buckets at first */
#define POLICYTAB_HEAD_MAX	64	/* the fixed fields, with the length */

struct policytab {
	struct htable *hosts;		/* a struct policy_entry in each */
	unsigned gen;
};

struct policytab *
policytab_new(void)
{
	struct policytab *t = xcalloc(1, sizeof(*t));

	t->hosts = htable_new(POLICYTAB_INITIAL, 0);
	return t;
}

void
policytab_free(struct policytab *t)
{
	if (t == NULL)
		return;
	htable_free(t->hosts, NULL);
	free(t);
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

/* The entry of host (normalized), made anew with the rest. */
static struct policy_entry *
policytab_enter(struct policytab *t, const char *host, const char *domain,
    const char *id, const char *policy, size_t len)
{
	size_t dlen = strlen(domain), ilen = strlen(id);
	char head[POLICYTAB_HEAD_MAX], *p;
	struct htable_entry *he;
	struct policy_entry *e;
	int n;

	n = snprintf(head, sizeof(head),
	    "Content-Type: text/plain\r\nContent-Length: %zu\r\n", len);
	he = htable_enter_block(t->hosts, host, strlen(host), sizeof(*e) +
	    dlen + ilen + (size_t)n + len + 4);
	e = he->value;
	memset(e, 0, sizeof(*e));
	p = (char *)(e + 1);
	e->host = he->key;
	e->domain = policytab_copy(&p, domain, dlen);
	e->id = policytab_copy(&p, id, ilen);
	e->head = policytab_copy(&p, head, (size_t)n);
	e->head_len = (size_t)n;
	e->body = policytab_copy(&p, policy, len);
	e->body_len = len;
	return e;
}

int
policytab_put(struct policytab *t, const char *host, const char *domain,
    const char *id, const char *policy, size_t len)
{
	char norm[HTTP_HOST_MAX + 1];

	if (http_host_normalize(host, strlen(host), norm) < 0 ||
	    len > POLICYTAB_POLICY_MAX)
		return -1;
	policytab_enter(t, norm, domain, id, policy, len)->gen = t->gen;
	return 0;
}

int
policytab_del(struct policytab *t, const char *host)
{
	char norm[HTTP_HOST_MAX + 1];
	struct htable_entry *he;

	if (http_host_normalize(host, strlen(host), norm) < 0 ||
	    (he = htable_lookup_str(t->hosts, norm)) == NULL)
		return 0;
	htable_delete_entry(t->hosts, he);
	return 1;
}

const struct policy_entry *
policytab_get(const struct policytab *t, const char *host)
{
	struct htable_entry *he = htable_lookup_str(t->hosts, host);

	return he != NULL ? he->value : NULL;
}

void
policytab_snapshot_begin(struct policytab *t)
{
	t->gen++;
}

size_t
policytab_snapshot_end(struct policytab *t)
{
	struct htable_iter it;
	struct htable_entry *he;
	size_t dropped = 0;

	htable_iter_start(t->hosts, &it);
	while ((he = htable_iter_next(&it)) != NULL)
		if (((struct policy_entry *)he->value)->gen != t->gen) {
			htable_delete_entry(t->hosts, he);
			dropped++;
		}
	return dropped;
}

size_t
policytab_count(const struct policytab *t)
{
	return htable_count(t->hosts);
}
