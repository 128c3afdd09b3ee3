/*
 * hosted - which hosted domain a report's policy-domain belongs to
 * (see hosted.h).  Talks to policyd over its socket, nothing else.
 * SPDX-License-Identifier: ISC
 *
 * The hosted domains are kept sorted (byte order, lower case, no final
 * dot, no duplicates), so that a match is a binary search for the
 * policy-domain and for each of its parent domains, longest first:
 * O(labels * log n), however many domains are hosted.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <jansson.h>

#include "buf.h"
#include "hosted.h"
#include "mymalloc.h"
#include "policyc.h"

/* s as a hosted name (lower case, no final dot) in out, of hosted_len(s) + 1. */
static size_t
hosted_len(const char *s)
{
	size_t len = strlen(s);

	return len > 0 && s[len - 1] == '.' ? len - 1 : len;
}

static void
hosted_normal(const char *s, size_t len, char *out)
{
	size_t i;

	for (i = 0; i < len; i++)
		out[i] = (s[i] >= 'A' && s[i] <= 'Z') ? (char)(s[i] + 'a' - 'A') :
		    s[i];
	out[len] = '\0';
}

static int
hosted_cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

void
hosted_clear(struct hosted *h)
{
	xfreev(h->domains, h->n);
	h->domains = NULL;
	h->n = 0;
	h->known = 0;
	h->generation++;
}

/* 1 when the sorted lists a and b hold the same names. */
static int
hosted_same(char *const *a, size_t na, char *const *b, size_t nb)
{
	size_t i;

	if (na != nb)
		return 0;
	for (i = 0; i < na; i++)
		if (strcmp(a[i], b[i]) != 0)
			return 0;
	return 1;
}

int
hosted_set(struct hosted *h, const char *const *domains, size_t n)
{
	struct hosted old = *h;
	size_t i, k = 0, len;

	h->domains = xcalloc(n ? n : 1, sizeof(*h->domains));
	for (i = 0; i < n; i++) {
		if ((len = hosted_len(domains[i])) == 0)
			continue;
		h->domains[k] = xmalloc(len + 1);
		hosted_normal(domains[i], len, h->domains[k++]);
	}
	qsort(h->domains, k, sizeof(*h->domains), hosted_cmp);
	for (i = 0, n = k, k = 0; i < n; i++) {
		if (k > 0 && strcmp(h->domains[k - 1], h->domains[i]) == 0)
			free(h->domains[i]);
		else
			h->domains[k++] = h->domains[i];
	}
	h->n = k;
	h->known = 1;
	if (!old.known || !hosted_same(old.domains, old.n, h->domains, h->n))
		h->generation = old.generation + 1;
	hosted_clear(&old);
	return 0;
}

int
hosted_fetch(struct hosted *h, const char *path, int timeout_ms,
    struct buf *err)
{
	struct policyc c;
	json_t *reply, *d;
	const char **names;
	const char *name;
	size_t i, n = 0;

	if (policyc_open(&c, path, timeout_ms, err) < 0)
		return -1;
	reply = policyc_domain_list(policyc_call, &c, err);
	policyc_close(&c);
	if (reply == NULL)
		return -1;
	names = xcalloc(json_array_size(json_object_get(reply, "domains")) + 1,
	    sizeof(*names));
	json_array_foreach(json_object_get(reply, "domains"), i, d) {
		name = json_string_value(json_object_get(d, "domain"));
		if (name != NULL && *name != '\0')
			names[n++] = name;
	}
	hosted_set(h, names, n);
	free(names);
	json_decref(reply);
	return 0;
}

const char *
hosted_match(const struct hosted *h, const char *domain)
{
	char small[HOSTED_NAME_MAX + 1], *name, *key, **hit;
	const char *found = NULL;
	size_t len;

	if (domain == NULL || h->n == 0)
		return NULL;
	len = hosted_len(domain);
	name = len < sizeof(small) ? small : xmalloc(len + 1);
	hosted_normal(domain, len, name);
	/* The name itself, then each parent: the first hit is the longest. */
	for (key = name; *key != '\0'; key++) {
		hit = bsearch(&key, h->domains, h->n, sizeof(*h->domains),
		    hosted_cmp);
		if (hit != NULL) {
			found = *hit;
			break;
		}
		if ((key = strchr(key, '.')) == NULL)
			break;
	}
	if (name != small)
		free(name);
	return found;
}
