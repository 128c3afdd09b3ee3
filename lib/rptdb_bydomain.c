/*
 * rptdb_bydomain - the rows kept by domain (reports.db migration 6) of
 * each new report, written from the report in memory; see
 * rptdb_sqlite.h.
 * SPDX-License-Identifier: ISC
 *
 * The rows are those RPTDB_DOMAIN_POLICIES_SQL and
 * RPTDB_DOMAIN_FAILURES_SQL make of the report's stored rows (the
 * migration's SQL), without that read back: a join per report that
 * brought rptparse from 29.8 % to 22-24 % of its floor with RSA DKIM
 * (bench/rptparse).  They go 8, 4, 2 or 1 to an insert, as policies do.
 * rptdb_bydomain_test checks that both ways give the same rows.
 */
#include "config.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <sqlite3.h>

#include "buf.h"
#include "mymalloc.h"
#include "rptdb.h"
#include "rptdb_sqlite.h"
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
	*room = n < 16 ? 16 : n;
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
	a->nrows = 0;
}

void
rptdb_added_free(struct rptdb *s)
{
	struct rptdb_added *a = &s->added;

	free(a->policy);
	free(a->hosted);
	free(a->failure);
	free(a->rows);
	buf_free(&a->names);
	memset(a, 0, sizeof(*a));
}

/*
 * The policy-domain as reports.db keeps it (lower case, no final dot):
 * the report's own string when it is that already (most are), else its
 * offset in a->names plus one, as a->names may move while it grows.
 */
static uintptr_t
rptdb_bydomain_name(struct rptdb_added *a, const char *s)
{
	size_t len = strlen(s), i, off;
	int plain = len == 0 || s[len - 1] != '.';

	for (i = 0; plain && i < len; i++)
		plain = !(s[i] >= 'A' && s[i] <= 'Z');
	if (plain)
		return 0;
	while (len > 0 && s[len - 1] == '.')
		len--;
	off = a->names.len;
	for (i = 0; i < len; i++)
		buf_putc(&a->names, (s[i] >= 'A' && s[i] <= 'Z') ?
		    (char)(s[i] - 'A' + 'a') : s[i]);
	buf_putc(&a->names, '\0');
	return off + 1;
}

static void
rptdb_bydomain_row(struct rptdb_added *a, const char *domain, int hosted,
    size_t policy, size_t detail, size_t failure)
{
	struct rptdb_byrow *row;

	a->rows = rptdb_bydomain_room(a->rows, &a->rooms, a->nrows + 1,
	    sizeof(*a->rows));
	row = &a->rows[a->nrows++];
	row->domain = domain;
	row->hosted = hosted;
	row->policy = policy;
	row->detail = detail;
	row->failure = failure;
}

/*
 * The keys of counted policy i (RPTDB_DOMAIN_ROWS): its hosted domain,
 * and its policy-domain when that is another name; with details, one
 * row per key and detail.
 */
static void
rptdb_bydomain_keys(struct rptdb_added *a, const struct tlsrpt_report *r,
    size_t i, const char *pdomain, size_t failure, int details)
{
	const char *h = a->hosted[i];
	size_t j, n = details ? r->policies[i].ndetails : 1;

	for (j = 0; j < n; j++) {
		if (h != NULL)
			rptdb_bydomain_row(a, h, 1, i, j, failure + j);
		if (h == NULL || strcmp(pdomain, h) != 0)
			rptdb_bydomain_row(a, pdomain, 0, i, j, failure + j);
	}
}

/* The rows of the counted policies (details 0) or of their details. */
static void
rptdb_bydomain_collect(struct rptdb *s, const struct tlsrpt_report *r,
    const int *counted, int details)
{
	struct rptdb_added *a = &s->added;
	uintptr_t *names = xcalloc(r->npolicies + 1, sizeof(*names));
	size_t i, failure = 0;

	a->nrows = 0;
	buf_reset(&a->names);
	for (i = 0; i < r->npolicies; i++)
		if (counted[i] && r->policies[i].domain != NULL)
			names[i] = rptdb_bydomain_name(a, r->policies[i].domain);
	for (i = 0; i < r->npolicies; failure += r->policies[i++].ndetails) {
		if (!counted[i] || r->policies[i].domain == NULL ||
		    (details && r->policies[i].ndetails == 0))
			continue;
		rptdb_bydomain_keys(a, r, i, names[i] ? a->names.s +
		    names[i] - 1 : r->policies[i].domain, failure, details);
	}
	free(names);
}

/* Row w of domain_policies into slot (0 to 7) of st. */
static void
rptdb_bydomain_bind_policy(struct rptdb *s, sqlite3_stmt *st, int slot,
    const struct tlsrpt_report *r, const struct rptdb_byrow *w,
    int64_t report, int trusted)
{
	const struct tlsrpt_policy *p = &r->policies[w->policy];
	int b = slot * RPTDB_DP_COLUMNS;

	rptdb_text(st, b + 1, w->domain);
	sqlite3_bind_int64(st, b + 2, (sqlite3_int64)r->end);
	sqlite3_bind_int64(st, b + 3, s->added.policy[w->policy]);
	sqlite3_bind_int(st, b + 4, w->hosted);
	sqlite3_bind_int64(st, b + 5, report);
	sqlite3_bind_int(st, b + 6, trusted);
	sqlite3_bind_int64(st, b + 7, (sqlite3_int64)r->start);
	rptdb_text(st, b + 8, r->organization);
	sqlite3_bind_int64(st, b + 9, p->success_count);
	sqlite3_bind_int64(st, b + 10, p->failure_count);
}

/* Row w of domain_failures into slot (0 to 7) of st. */
static void
rptdb_bydomain_bind_failure(struct rptdb *s, sqlite3_stmt *st, int slot,
    const struct tlsrpt_report *r, const struct rptdb_byrow *w,
    int64_t report, int trusted)
{
	const struct tlsrpt_detail *d =
	    &r->policies[w->policy].details[w->detail];
	int b = slot * RPTDB_DF_COLUMNS;

	(void)report;
	rptdb_text(st, b + 1, w->domain);
	sqlite3_bind_int64(st, b + 2, (sqlite3_int64)r->end);
	sqlite3_bind_int64(st, b + 3, s->added.policy[w->policy]);
	sqlite3_bind_int(st, b + 4, w->hosted);
	sqlite3_bind_int64(st, b + 5, s->added.failure[w->failure]);
	sqlite3_bind_int(st, b + 6, trusted);
	rptdb_text(st, b + 7, r->organization);
	rptdb_text(st, b + 8, d->result_type);
	rptdb_text(st, b + 9, d->receiving_mx_hostname);
	rptdb_text(st, b + 10, d->additional_information);
	sqlite3_bind_int64(st, b + 11, d->failed_session_count);
}

/* The rows collected, into domain_policies (0) or domain_failures (1). */
static int
rptdb_bydomain_write(struct rptdb *s, const struct tlsrpt_report *r,
    int table, int64_t report, int trusted, struct buf *err)
{
	const struct rptdb_added *a = &s->added;
	sqlite3_stmt *st;
	size_t from = 0, k, c, j;
	int rc;

	while (from < a->nrows) {
		for (c = 0, k = RPTDB_BYDOMAIN_ROWS; k > a->nrows - from;
		    c++, k /= 2)
			;
		st = s->st[rptdb_bydomain_st[table][c]];
		for (j = 0; j < k; j++)
			(table ? rptdb_bydomain_bind_failure :
			    rptdb_bydomain_bind_policy)(s, st, (int)j, r,
			    &a->rows[from + j], report, trusted);
		if ((rc = sqlite3_step(st)) != SQLITE_DONE)
			buf_printf(err, "reports.db: insert %s by domain: %s",
			    table ? "failures" : "policies",
			    sqlite3_errmsg(s->db));
		sqlite3_reset(st);
		if (rc != SQLITE_DONE)
			return -1;
		from += k;
	}
	return 0;
}

int
rptdb_bydomain_add(struct rptdb *s, const struct tlsrpt_report *r,
    int64_t report, const int *counted, int trusted, struct buf *err)
{
	const char *h;
	size_t i, details = 0;

	for (i = 0; i < r->npolicies; i++) {
		details += r->policies[i].ndetails;
		if (!counted[i] || (h = s->added.hosted[i]) == NULL)
			continue;
		if (rptdb_reporters_add(s, h, r->organization ?
		    r->organization : "", report, r->end, trusted, err) < 0)
			return -1;
	}
	rptdb_bydomain_collect(s, r, counted, 0);
	if (rptdb_bydomain_write(s, r, 0, report, trusted, err) < 0)
		return -1;
	if (details == 0)	/* most reports */
		return 0;
	rptdb_bydomain_collect(s, r, counted, 1);
	return rptdb_bydomain_write(s, r, 1, report, trusted, err);
}
