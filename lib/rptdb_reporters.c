/*
 * rptdb_reporters - what a transaction's reports add to the table
 * reporters of reports.db (migration 6), summed in memory and written
 * at the commit; see rptdb.h.
 * SPDX-License-Identifier: ISC
 *
 * Each new report makes its organization a reporter of each hosted
 * domain of its counted policies; the reports of a transaction (up to
 * 1,000 messages) name fewer pairs of domain and organization than
 * they have reports, and each pair is written once, with the sums, as
 * the table totals is.  At most RPTDB_REPORTERS_MAX pairs are held:
 * then they are written at once and the table starts again.
 */
#include "config.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "hash.h"
#include "mymalloc.h"
#include "rptdb.h"
#include "rptdb_sql.h"

struct rptdb_reporter {
	struct rptdb_reporter *next;	/* in its bucket */
	char	*domain;
	char	*organization;
	int64_t	 report;		/* the last report that added to it */
	int64_t	 last_trusted;		/* -1: no trusted report */
	int64_t	 reports_trusted;
	int64_t	 last_any;
	int64_t	 reports_any;
};

static uint32_t
rptdb_reporter_hash(const char *domain, const char *organization)
{
	return hash_str(domain) * 31u ^ hash_str(organization);
}

static int
rptdb_reporters_write(struct rptdb *s, const struct rptdb_reporter *p,
    struct buf *err)
{
	struct sqldb_stmt *st = s->st[RPTDB_ST_REPORTERS];

	rptdb_text(st, 1, p->domain);
	rptdb_text(st, 2, p->organization);
	if (p->last_trusted < 0)
		sqldb_bind_null(st, 3);
	else
		sqldb_bind_int64(st, 3, p->last_trusted);
	sqldb_bind_int64(st, 4, p->reports_trusted);
	sqldb_bind_int64(st, 5, p->last_any);
	sqldb_bind_int64(st, 6, p->reports_any);
	return rptdb_step(s, st, "add to reporters", err);
}

static int
rptdb_reporters_cmp(const void *a, const void *b)
{
	const struct rptdb_reporter *const *x = a, *const *y = b;
	int c = strcmp((*x)->domain, (*y)->domain);

	return c != 0 ? c : strcmp((*x)->organization, (*y)->organization);
}

/*
 * On PostgreSQL, in key order: two nodes' transactions then lock the
 * rows they share in the same order, and neither waits for the other
 * while holding a row the other needs (a deadlock, which PostgreSQL
 * ends by failing one of them).  SQLite has one writer at a time.
 */
static int
rptdb_reporters_sorted(struct rptdb *s, struct buf *err)
{
	struct rptdb_reporter **v, *p;
	size_t i, n = 0;
	int rc = 0;

	v = xcalloc(s->nreporters + 1, sizeof(*v));
	for (i = 0; i < RPTDB_REPORTERS_BUCKETS; i++)
		for (p = s->reporters[i]; p != NULL && n < s->nreporters;
		    p = p->next)
			v[n++] = p;
	qsort(v, n, sizeof(*v), rptdb_reporters_cmp);
	for (i = 0; i < n && rc == 0; i++)
		rc = rptdb_reporters_write(s, v[i], err);
	free(v);
	return rc;
}

int
rptdb_reporters_flush(struct rptdb *s, struct buf *err)
{
	struct rptdb_reporter *p;
	size_t i;
	int rc = 0;

	if (s->pg)
		rc = rptdb_reporters_sorted(s, err);
	else
		for (i = 0; i < RPTDB_REPORTERS_BUCKETS && rc == 0; i++)
			for (p = s->reporters[i]; p != NULL && rc == 0;
			    p = p->next)
				rc = rptdb_reporters_write(s, p, err);
	rptdb_reporters_clear(s);
	return rc;
}

void
rptdb_reporters_clear(struct rptdb *s)
{
	struct rptdb_reporter *p, *next;
	size_t i;

	for (i = 0; i < RPTDB_REPORTERS_BUCKETS; i++) {
		for (p = s->reporters[i]; p != NULL; p = next) {
			next = p->next;
			free(p->domain);
			free(p->organization);
			free(p);
		}
		s->reporters[i] = NULL;
	}
	s->nreporters = 0;
}

/* Counts (0 or more) add up without overflow. */
static int64_t
rptdb_reporters_sum(int64_t a, int64_t b)
{
	return b > INT64_MAX - a ? INT64_MAX : a + b;
}

int
rptdb_reporters_add(struct rptdb *s, const char *domain,
    const char *organization, int64_t report, time_t end, int trusted,
    struct buf *err)
{
	uint32_t b = rptdb_reporter_hash(domain, organization) &
	    (RPTDB_REPORTERS_BUCKETS - 1);
	struct rptdb_reporter *p;

	for (p = s->reporters[b]; p != NULL; p = p->next)
		if (strcmp(p->domain, domain) == 0 &&
		    strcmp(p->organization, organization) == 0)
			break;
	if (p == NULL) {
		if (s->nreporters == RPTDB_REPORTERS_MAX &&
		    rptdb_reporters_flush(s, err) < 0)
			return -1;
		p = xcalloc(1, sizeof(*p));
		p->domain = xstrdup(domain);
		p->organization = xstrdup(organization);
		p->last_trusted = -1;
		p->next = s->reporters[b];
		s->reporters[b] = p;
		s->nreporters++;
	} else if (p->report == report) {
		return 0;		/* once per report and domain */
	}
	p->report = report;
	if (trusted) {
		if ((int64_t)end > p->last_trusted)
			p->last_trusted = (int64_t)end;
		p->reports_trusted = rptdb_reporters_sum(p->reports_trusted, 1);
	}
	if (p->reports_any == 0 || (int64_t)end > p->last_any)
		p->last_any = (int64_t)end;
	p->reports_any = rptdb_reporters_sum(p->reports_any, 1);
	return 0;
}
