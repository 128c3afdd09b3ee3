/*
 * rptdb_bydomain - the rows kept by domain (reports.db migration 6) of
 * each new report, made from the report in memory, held for the commit
 * and written there in key order; see rptdb_sql.h.
 * SPDX-License-Identifier: ISC
 *
 * The rows are those RPTDB_DOMAIN_POLICIES_SQL and
 * RPTDB_DOMAIN_FAILURES_SQL make of the report's stored rows (the
 * migration's SQL), without that read back.  domain_policies and
 * domain_failures are ordered by domain: a transaction of 1,000
 * messages touches a page of each per domain it names, and rows written
 * report by report went to those pages in random order, reading them
 * again once SQLite's cache had let them go and writing them out more
 * than once (bench/rptparse: 29.8 % of the floor before migration 6,
 * 22-24 % after it).  Sorted, each page is read and changed once per
 * transaction.  rptdb_bydomain_test checks that both ways give the same
 * rows, with a transaction per report and with one for all.
 */
#include "config.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>


#include "buf.h"
#include "mymalloc.h"
#include "rptdb.h"
#include "rptdb_sql.h"
#include "tlsrpt.h"

/* The inserts of 8, 4, 2 and 1 rows of each table, largest first. */
static const int rptdb_bydomain_st[2][4] = {
	{ RPTDB_ST_DP8, RPTDB_ST_DP4, RPTDB_ST_DP2, RPTDB_ST_DP1 },
	{ RPTDB_ST_DF8, RPTDB_ST_DF4, RPTDB_ST_DF2, RPTDB_ST_DF1 },
};

_Static_assert(RPTDB_BYDOMAIN_ROWS == 8, "inserts of 8, 4, 2, 1 rows");

/* Room for n elements of size each in *v, which has room for *room. */
static void *
rptdb_bydomain_room(void *v, size_t *room, size_t n, size_t size)
{
	if (n <= *room)
		return v;
	*room = n < 16 ? 16 : n + n / 2;
	return xreallocarray(v, *room, size);
}

void
rptdb_added_reset(struct rptdb *s, const struct tlsrpt_report *r)
{
	struct rptdb_added *a = &s->added;
	size_t i, details = 0, room = a->policies;

	for (i = 0; i < r->npolicies; i++)
		details += r->policies[i].ndetails;
	a->policy = rptdb_bydomain_room(a->policy, &room, r->npolicies,
	    sizeof(*a->policy));
	room = a->policies;
	a->hosted = rptdb_bydomain_room(a->hosted, &room, r->npolicies,
	    sizeof(*a->hosted));
	a->policies = room;
	a->failure = rptdb_bydomain_room(a->failure, &a->failures, details,
	    sizeof(*a->failure));
	a->nfailure = 0;
}

void
rptdb_added_free(struct rptdb *s)
{
	struct rptdb_added *a = &s->added;

	free(a->policy);
	free(a->hosted);
	free(a->failure);
	memset(a, 0, sizeof(*a));
	rptdb_held_clear(s);
	free(s->held.rows);
	buf_free(&s->held.text);
	memset(&s->held, 0, sizeof(s->held));
}

void
rptdb_held_clear(struct rptdb *s)
{
	s->held.n = 0;
	buf_reset(&s->held.text);
}

/* A copy of text in h->text: its offset plus one, 0 for NULL. */
static size_t
rptdb_held_text(struct rptdb_held *h, const char *text)
{
	size_t off = h->text.len;

	if (text == NULL)
		return 0;
	buf_append(&h->text, text, strlen(text) + 1);
	return off + 1;
}

/*
 * The policy-domain as reports.db keeps it (lower case, no final dot),
 * copied into h->text.
 */
static size_t
rptdb_held_name(struct rptdb_held *h, const char *s)
{
	size_t len = strlen(s), i, off = h->text.len;

	while (len > 0 && s[len - 1] == '.')
		len--;
	for (i = 0; i < len; i++)
		buf_putc(&h->text, (s[i] >= 'A' && s[i] <= 'Z') ?
		    (char)(s[i] - 'A' + 'a') : s[i]);
	buf_putc(&h->text, '\0');
	return off + 1;
}

static const char *
rptdb_held_str(const struct rptdb_held *h, size_t off)
{
	return off ? h->text.s + off - 1 : NULL;
}

/* The row of policy i (detail d, or none: d NULL) under key. */
static struct rptdb_hrow *
rptdb_held_row(struct rptdb *s, const struct tlsrpt_report *r, size_t i,
    size_t key, int hosted, int64_t report, int trusted, size_t org)
{
	struct rptdb_held *h = &s->held;
	struct rptdb_hrow *w;

	h->rows = rptdb_bydomain_room(h->rows, &h->room, h->n + 1,
	    sizeof(*h->rows));
	w = &h->rows[h->n++];
	memset(w, 0, sizeof(*w));
	w->domain = key;
	w->hosted = hosted;
	w->end = (int64_t)r->end;
	w->start = (int64_t)r->start;
	w->policy = s->added.policy[i];
	w->report = report;
	w->trusted = trusted;
	w->organization = org;
	w->ok = r->policies[i].success_count;
	w->failed = r->policies[i].failure_count;
	return w;
}

/*
 * The keys of counted policy i (RPTDB_DOMAIN_ROWS): its hosted domain,
 * and its policy-domain when that is another name; its row and its
 * details' rows under each.  failure: the index of its first detail in
 * s->added.failure.
 */
static void
rptdb_held_policy(struct rptdb *s, const struct tlsrpt_report *r, size_t i,
    int64_t report, int trusted, size_t org, size_t failure)
{
	const struct tlsrpt_policy *p = &r->policies[i];
	struct rptdb_held *h = &s->held;
	const char *hd = s->added.hosted[i];
	size_t key[2], k, nkeys = 0, j;
	int hosted[2];
	struct rptdb_hrow *w;

	if (hd != NULL) {
		hosted[nkeys] = 1;
		key[nkeys++] = rptdb_held_text(h, hd);
	}
	k = rptdb_held_name(h, p->domain);
	if (hd == NULL || strcmp(rptdb_held_str(h, k), hd) != 0) {
		hosted[nkeys] = 0;
		key[nkeys++] = k;
	}
	for (k = 0; k < nkeys; k++) {
		rptdb_held_row(s, r, i, key[k], hosted[k], report, trusted,
		    org);
		for (j = 0; j < p->ndetails; j++) {
			w = rptdb_held_row(s, r, i, key[k], hosted[k], report,
			    trusted, org);
			w->failure = s->added.failure[failure + j];
			w->type = rptdb_held_text(h, p->details[j].result_type);
			w->mx = rptdb_held_text(h,
			    p->details[j].receiving_mx_hostname);
			w->info = rptdb_held_text(h,
			    p->details[j].additional_information);
			w->failed = p->details[j].failed_session_count;
		}
	}
}

int
rptdb_bydomain_add(struct rptdb *s, const struct tlsrpt_report *r,
    int64_t report, const int *counted, int trusted, struct buf *err)
{
	const char *org = r->organization ? r->organization : "";
	size_t i, failure = 0, o = 0;

	if (s->held.n >= RPTDB_HELD_MAX && rptdb_held_flush(s, err) < 0)
		return -1;
	for (i = 0; i < r->npolicies; failure += r->policies[i++].ndetails) {
		if (!counted[i] || r->policies[i].domain == NULL)
			continue;
		if (s->added.hosted[i] != NULL && rptdb_reporters_add(s,
		    s->added.hosted[i], org, report, r->end, trusted, err) < 0)
			return -1;
		if (o == 0)
			o = rptdb_held_text(&s->held, org);
		rptdb_held_policy(s, r, i, report, trusted, o, failure);
	}
	return 0;
}

/* Key order: domain_policies' rows, then domain_failures', each by key. */
static const struct rptdb_held *rptdb_held_sorting;

static int
rptdb_held_cmp(const void *a, const void *b)
{
	const struct rptdb_hrow *x = a, *y = b;
	int c;

	if ((x->failure != 0) != (y->failure != 0))
		return x->failure != 0 ? 1 : -1;
	if ((c = strcmp(rptdb_held_str(rptdb_held_sorting, x->domain),
	    rptdb_held_str(rptdb_held_sorting, y->domain))) != 0)
		return c;
	if (x->end != y->end)
		return x->end < y->end ? -1 : 1;
	if (x->policy != y->policy)
		return x->policy < y->policy ? -1 : 1;
	return (x->failure > y->failure) - (x->failure < y->failure);
}

/* Row w into slot (0 to 7) of st, of domain_policies or domain_failures. */
static void
rptdb_held_bind(const struct rptdb_held *h, struct sqldb_stmt *st, int slot,
    const struct rptdb_hrow *w)
{
	int b = slot * (w->failure ? RPTDB_DF_COLUMNS : RPTDB_DP_COLUMNS);

	rptdb_text(st, b + 1, rptdb_held_str(h, w->domain));
	sqldb_bind_int64(st, b + 2, w->end);
	sqldb_bind_int64(st, b + 3, w->policy);
	sqldb_bind_int64(st, b + 4, w->hosted);
	if (w->failure == 0) {
		sqldb_bind_int64(st, b + 5, w->report);
		sqldb_bind_int64(st, b + 6, w->trusted);
		sqldb_bind_int64(st, b + 7, w->start);
		rptdb_text(st, b + 8, rptdb_held_str(h, w->organization));
		sqldb_bind_int64(st, b + 9, w->ok);
		sqldb_bind_int64(st, b + 10, w->failed);
		return;
	}
	sqldb_bind_int64(st, b + 5, w->failure);
	sqldb_bind_int64(st, b + 6, w->trusted);
	rptdb_text(st, b + 7, rptdb_held_str(h, w->organization));
	rptdb_text(st, b + 8, rptdb_held_str(h, w->type));
	rptdb_text(st, b + 9, rptdb_held_str(h, w->mx));
	rptdb_text(st, b + 10, rptdb_held_str(h, w->info));
	sqldb_bind_int64(st, b + 11, w->failed);
}

/* Rows from..to (of one table), 8, 4, 2 or 1 to an insert. */
static int
rptdb_held_write(struct rptdb *s, size_t from, size_t to, struct buf *err)
{
	const struct rptdb_held *h = &s->held;
	int table = h->rows[from].failure != 0;
	struct sqldb_stmt *st;
	size_t k, c, j;

	while (from < to) {
		for (c = 0, k = RPTDB_BYDOMAIN_ROWS; k > to - from; c++, k /= 2)
			;
		st = s->st[rptdb_bydomain_st[table][c]];
		for (j = 0; j < k; j++)
			rptdb_held_bind(h, st, (int)j, &h->rows[from + j]);
		if (rptdb_step(s, st, table ? "insert failures by domain" :
		    "insert policies by domain", err) < 0)
			return -1;
		from += k;
	}
	return 0;
}

/* Writes the rows held, in key order; they are dropped either way. */
int
rptdb_held_flush(struct rptdb *s, struct buf *err)
{
	struct rptdb_held *h = &s->held;
	size_t split;
	int rc = 0;

	if (h->n == 0)
		return 0;
	rptdb_held_sorting = h;
	qsort(h->rows, h->n, sizeof(*h->rows), rptdb_held_cmp);
	rptdb_held_sorting = NULL;
	for (split = 0; split < h->n && h->rows[split].failure == 0; split++)
		;
	if (split > 0)
		rc = rptdb_held_write(s, 0, split, err);
	if (rc == 0 && split < h->n)
		rc = rptdb_held_write(s, split, h->n, err);
	rptdb_held_clear(s);
	return rc;
}
