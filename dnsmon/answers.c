/*
 * answers - a round's cache of DNS answers; see answers.h.
 * SPDX-License-Identifier: ISC
 *
 * May touch: DNS through dnsq.  Memory: the answers held by the sets
 * of the domains in progress, plus at most keep others.
 */
#include "config.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <ldns/ldns.h>

#include "answers.h"
#include "dlist.h"
#include "dnsq.h"
#include "htable.h"
#include "mymalloc.h"
#include "resolve.h"

#define ANSWERS_KEY_MAX		(2 + LDNS_MAX_DOMAINLEN + 1)

struct answer {
	struct answers *a;
	struct htable_entry *he;	/* its key: type, lower-case name */
	struct answer *prev, *next;	/* unused answers, oldest first */
	ldns_pkt *pkt;
	enum resolve_status st;		/* RESOLVE_PENDING while asked */
	int	 refs;			/* sets that hold it */
	struct answers_set **waiters;
	size_t	 nwait;
};

struct answers {
	struct dnsq *q;
	struct htable *t;		/* key -> struct answer */
	struct answer *lru_head, *lru_tail;
	size_t	 nlru;
	size_t	 keep;
	unsigned long long queries, lookups, reused;
};

struct answers *
answers_new(struct dnsq *q, size_t keep)
{
	struct answers *a = xcalloc(1, sizeof(*a));

	a->q = q;
	a->t = htable_new(ANSWERS_BUCKETS, 0);
	a->keep = keep;
	return a;
}

int	answers_lookup(void *, const ldns_rdf *, ldns_rr_type,
	    const ldns_pkt **, enum resolve_status *);

static void
answers_entry_free(void *arg)
{
	struct answer *e = arg;

	if (e->pkt != NULL)
		ldns_pkt_free(e->pkt);
	free(e->waiters);
	free(e);
}

void
answers_free(struct answers *a)
{
	if (a == NULL)
		return;
	htable_free(a->t, answers_entry_free);
	free(a);
}

void
answers_stats(const struct answers *a, unsigned long long *queries,
    unsigned long long *lookups, unsigned long long *reused)
{
	*queries = a->queries;
	*lookups = a->lookups;
	*reused = a->reused;
}

/* The key of (name, type): DNS names are compared without case. */
static size_t
answers_key(const ldns_rdf *name, ldns_rr_type type, uint8_t *key)
{
	size_t i, n = ldns_rdf_size(name);
	const uint8_t *d = ldns_rdf_data(name);

	if (n > ANSWERS_KEY_MAX - 2)
		n = ANSWERS_KEY_MAX - 2;
	key[0] = (uint8_t)(type >> 8);
	key[1] = (uint8_t)type;
	/* Label lengths are at most 63, below 'A': only letters change. */
	for (i = 0; i < n; i++)
		key[2 + i] = d[i] >= 'A' && d[i] <= 'Z' ? d[i] + 32 : d[i];
	return n + 2;
}

static void
answers_lru_unlink(struct answers *a, struct answer *e)
{
	DLIST_UNLINK2(a->lru_head, a->lru_tail, e);
	a->nlru--;
}

static void
answers_evict(struct answers *a, struct answer *e)
{
	answers_lru_unlink(a, e);
	htable_delete_entry(a->t, e->he);
	answers_entry_free(e);
}

/* Nobody holds it: keep it for later domains, within the limit. */
static void
answers_unused(struct answers *a, struct answer *e)
{
	DLIST_APPEND2(a->lru_head, a->lru_tail, e);
	a->nlru++;
	while (a->nlru > a->keep && a->lru_head != NULL)
		answers_evict(a, a->lru_head);
}

/*
 * What the checks will ask next, asked now for the set s, so that its
 * next run finds it: the target of a CNAME that the answer does not
 * follow (same type), and the TLSA records of the MX hosts (port 25).
 * The set then waits for these too.
 */
static void
answers_prefetch(struct answers_set *s, const struct answer *e)
{
	const ldns_rr_list *an = ldns_pkt_answer(e->pkt);
	const ldns_rr *q = ldns_rr_list_rr(ldns_pkt_question(e->pkt), 0);
	ldns_rr_type type = (uint8_t)e->he->key[0] << 8 |
	    (uint8_t)e->he->key[1];
	const ldns_pkt *pkt;
	enum resolve_status st;
	ldns_rdf *prefix, *name;
	const ldns_rr *rr;
	size_t i, k;
	int have;

	if (q == NULL)
		return;
	for (i = 0; i < ldns_rr_list_rr_count(an); i++) {
		rr = ldns_rr_list_rr(an, i);
		if (type == LDNS_RR_TYPE_MX &&
		    ldns_rr_get_type(rr) == LDNS_RR_TYPE_MX &&
		    ldns_rr_rd_count(rr) == 2 &&
		    (prefix = ldns_dname_new_frm_str("_25._tcp")) != NULL) {
			name = ldns_dname_cat_clone(prefix, ldns_rr_rdf(rr, 1));
			if (name != NULL)
				answers_lookup(s, name, LDNS_RR_TYPE_TLSA, &pkt,
				    &st);
			ldns_rdf_deep_free(name);
			ldns_rdf_deep_free(prefix);
		}
		if (type == LDNS_RR_TYPE_CNAME ||
		    ldns_rr_get_type(rr) != LDNS_RR_TYPE_CNAME ||
		    ldns_rr_rd_count(rr) != 1 || ldns_dname_compare(
		    ldns_rr_owner(rr), ldns_rr_owner(q)) != 0)
			continue;
		for (k = 0, have = 0; k < ldns_rr_list_rr_count(an); k++)
			if (ldns_dname_compare(ldns_rr_owner(
			    ldns_rr_list_rr(an, k)), ldns_rr_rdf(rr, 0)) == 0)
				have = 1;
		if (!have)
			answers_lookup(s, ldns_rr_rdf(rr, 0), type, &pkt, &st);
	}
}

static void
answers_answered(void *arg, ldns_pkt *pkt, enum resolve_status st)
{
	struct answer *e = arg;
	struct answers_set *s;
	size_t i, j;

	e->pkt = pkt;
	e->st = pkt != NULL ? RESOLVE_OK : st;
	for (i = 0; i < e->nwait; i++) {
		s = e->waiters[i];
		for (j = 0; j < s->n; j++)
			if (s->held[j] == e && s->wait[j]) {
				s->wait[j] = 0;
				s->waiting--;
			}
		if (e->pkt != NULL)
			answers_prefetch(s, e);
		if (s->waiting == 0)
			s->ready(s->arg);
	}
	free(e->waiters);
	e->waiters = NULL;
	e->nwait = 0;
	if (e->refs == 0)
		answers_unused(e->a, e);
}

/* The entry of key, made and asked for when new; held by one more set. */
static struct answer *
answers_get(struct answers *a, const ldns_rdf *name, ldns_rr_type type,
    const uint8_t *key, size_t klen)
{
	struct answer *e;

	if ((e = htable_find(a->t, key, klen)) != NULL) {
		if (e->refs++ == 0 && e->st != RESOLVE_PENDING)
			answers_lru_unlink(a, e);
		a->reused++;
		return e;
	}
	e = xcalloc(1, sizeof(*e));
	e->a = a;
	e->he = htable_enter(a->t, key, klen, e);
	e->refs = 1;
	e->st = RESOLVE_PENDING;
	a->queries++;
	if (dnsq_ask(a->q, name, type, answers_answered, e) < 0)
		e->st = RESOLVE_ERROR;
	return e;
}

void
answers_set_init(struct answers_set *s, struct answers *a,
    void (*ready)(void *), void *arg)
{
	memset(s, 0, sizeof(*s));
	s->a = a;
	s->ready = ready;
	s->arg = arg;
}

int
answers_lookup(void *ctx, const ldns_rdf *name, ldns_rr_type type,
    const ldns_pkt **pkt, enum resolve_status *st)
{
	struct answers_set *s = ctx;
	uint8_t key[ANSWERS_KEY_MAX];
	size_t klen = answers_key(name, type, key), i;
	struct answer *e = NULL;

	*pkt = NULL;
	*st = RESOLVE_ERROR;
	s->a->lookups++;
	for (i = 0; i < s->n; i++)
		if (s->held[i]->he->klen == klen &&
		    memcmp(s->held[i]->he->key, key, klen) == 0) {
			e = s->held[i];
			break;
		}
	if (e == NULL) {
		if (s->n == ANSWERS_SET_MAX)
			return 0;	/* a bound on the queries of a domain */
		e = answers_get(s->a, name, type, key, klen);
		i = s->n++;
		s->held[i] = e;
		s->wait[i] = 0;
	}
	if (e->st != RESOLVE_PENDING) {
		*pkt = e->pkt;
		*st = e->st;
		return 0;
	}
	if (!s->wait[i]) {
		s->wait[i] = 1;
		s->waiting++;
		e->waiters = xreallocarray(e->waiters, e->nwait + 1,
		    sizeof(*e->waiters));
		e->waiters[e->nwait++] = s;
	}
	return -1;
}

void
answers_set_clear(struct answers_set *s)
{
	struct answer *e;
	size_t i, j;

	for (i = 0; i < s->n; i++) {
		e = s->held[i];
		if (s->wait[i])
			for (j = 0; j < e->nwait; j++)
				if (e->waiters[j] == s) {
					e->waiters[j] = e->waiters[--e->nwait];
					break;
				}
		if (--e->refs == 0 && e->st != RESOLVE_PENDING)
			answers_unused(s->a, e);
	}
	s->n = 0;
	s->waiting = 0;
}
