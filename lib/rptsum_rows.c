/*
 * rptsum_rows - the rows of reports.db that lib/rptsum computes from:
 * a domain's counted policies and failure details in a window, its
 * unverified reports, and the sessions of one report; and the rules
 * of counting they are read by (saturating sums, a policy's failed
 * sessions, domains in one form); see rptsum.h.
 * SPDX-License-Identifier: ISC
 */
#include "config.h"

#include <limits.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "mymalloc.h"
#include "rptdb.h"
#include "rptsum.h"
#include "rptsum_rows.h"
#include "timefmt.h"

int
rptsum_require_dkim(void)
{
	return rptdb_require_dkim();
}

char *
rptsum_domain_name(const char *s)
{
	size_t len = strlen(s), i;
	char *d;

	while (len > 0 && s[len - 1] == '.')
		len--;
	d = xmalloc(len + 1);
	for (i = 0; i < len; i++)
		d[i] = (s[i] >= 'A' && s[i] <= 'Z') ? (char)(s[i] - 'A' + 'a') :
		    s[i];
	d[len] = '\0';
	return d;
}

const char *
rptsum_dkim_reason(const char *via, const char *result, const char *reason)
{
	if (reason != NULL || via == NULL || strcmp(via, "mailto") != 0 ||
	    result == NULL)
		return reason;
	if (strcmp(result, "none") == 0)
		return "not signed";
	if (strcmp(result, "fail") == 0)
		return "no signature both verifies and is aligned with From:";
	if (strcmp(result, "temperror") == 0)
		return "the key could not be looked up";
	return NULL;
}

long long
rptsum_policy_failed(long long failure_count, long long details)
{
	return details > failure_count ? details : failure_count;
}

/* Counts add up without overflow: a sum past the top stays there. */
long long
rptsum_add(long long a, long long b)
{
	long long c;

	if (!__builtin_add_overflow(a, b, &c))
		return c;
	return a < 0 ? LLONG_MIN : LLONG_MAX;
}

/* The statement of rptsum_totals_get(), prepared once for many reports. */
struct rptdb_totals *
rptsum_totals_new(struct rptdb *db, const char *domain)
{
	char *name = domain ? rptsum_domain_name(domain) : NULL;
	struct rptdb_totals *t = rptdb_totals_new(db, name);

	free(name);
	return t;
}

/* The sums of one report, policy by policy (rows in order of policy). */
struct rptsum_total {
	int64_t	 policy;
	long long ok, failed, bad, det;
};

static void
rptsum_total_row(const struct rptdb_total_row *row, void *arg)
{
	struct rptsum_total *s = arg;

	if (s->policy == 0 || row->policy != s->policy) {
		if (s->policy != 0)
			s->failed = rptsum_add(s->failed,
			    rptsum_policy_failed(s->bad, s->det));
		s->policy = row->policy;
		s->ok = rptsum_add(s->ok, row->success_count);
		s->bad = row->failure_count;
		s->det = 0;
	}
	s->det = rptsum_add(s->det, row->detail);
}

void
rptsum_totals_get(struct rptdb_totals *t, int64_t report,
    long long *ok, long long *failed)
{
	struct rptsum_total s;

	memset(&s, 0, sizeof(s));
	rptdb_totals_get(t, report, rptsum_total_row, &s);
	if (s.policy != 0)
		s.failed = rptsum_add(s.failed, rptsum_policy_failed(s.bad,
		    s.det));
	*ok = s.ok;
	*failed = s.failed;
}

static char *
rptsum_dup(const char *s)
{
	return s ? xstrdup(s) : NULL;
}

/* Rows in order of policy id, for qsort() and bsearch(). */
int
rptsum_row_by_policy(const void *a, const void *b)
{
	int64_t x = ((const struct rptsum_row *)a)->policy;
	int64_t y = ((const struct rptsum_row *)b)->policy;

	return (x > y) - (x < y);
}

/*
 * Each policy's failed sessions by the rule of rptsum_policy_failed(),
 * and what its failure details leave unexplained (rest), so that the
 * groups of failures add up to the failed sessions.
 */
static void
rptsum_settle(struct rptsum_rows *rs)
{
	struct rptsum_row key, *r;
	long long *det = xcalloc(rs->nrow + 1, sizeof(*det));
	size_t i;

	if (rs->nrow > 0)
		qsort(rs->row, rs->nrow, sizeof(*rs->row),
		    rptsum_row_by_policy);
	for (i = 0; i < rs->nfail && rs->nrow > 0; i++) {
		key.policy = rs->fail[i].policy;
		r = bsearch(&key, rs->row, rs->nrow, sizeof(*rs->row),
		    rptsum_row_by_policy);
		if (r != NULL)
			det[r - rs->row] = rptsum_add(det[r - rs->row],
			    rs->fail[i].n);
	}
	for (i = 0; i < rs->nrow; i++) {
		r = &rs->row[i];
		r->rest = r->bad > det[i] ? r->bad - det[i] : 0;
		r->bad = rptsum_policy_failed(r->bad, det[i]);
	}
	free(det);
}

/*
 * The unverified reports of the domain in the window with their sums,
 * from the rows of their policies and failure details.
 */
struct rptsum_unv_ctx {
	struct rptsum_row *row;		/* report, policy, end, ok, bad */
	size_t	 nrow, cap;
	struct rptsum_fail *fail;	/* policy, n */
	size_t	 nfail, fcap;
};

/* A new row at the end of *vp with p's report, policy, end and sums. */
static struct rptsum_row *
rptsum_row_add(struct rptsum_row **vp, size_t *np, size_t *cap,
    const struct rptdb_domain_policy *p)
{
	struct rptsum_row *r;

	*vp = xgrowarray(*vp, *np, cap, 64, sizeof(**vp));
	r = &(*vp)[(*np)++];
	memset(r, 0, sizeof(*r));
	r->report = p->report;
	r->policy = p->policy;
	r->end = p->end;
	r->ok = p->success_count;
	r->bad = p->failure_count;
	return r;
}

/* A new failure at the end of *vp with f's policy and session count. */
static struct rptsum_fail *
rptsum_fail_add(struct rptsum_fail **vp, size_t *np, size_t *cap,
    const struct rptdb_domain_failure *f)
{
	struct rptsum_fail *x;

	*vp = xgrowarray(*vp, *np, cap, 64, sizeof(**vp));
	x = &(*vp)[(*np)++];
	memset(x, 0, sizeof(*x));
	x->policy = f->policy;
	x->n = f->failed_session_count;
	return x;
}

static void
rptsum_untrusted_policy(const struct rptdb_domain_policy *p, void *arg)
{
	struct rptsum_unv_ctx *c = arg;

	rptsum_row_add(&c->row, &c->nrow, &c->cap, p);
}

static void
rptsum_untrusted_failure(const struct rptdb_domain_failure *f, void *arg)
{
	struct rptsum_unv_ctx *c = arg;

	rptsum_fail_add(&c->fail, &c->nfail, &c->fcap, f);
}

static int
rptsum_row_by_report(const void *a, const void *b)
{
	int64_t x = ((const struct rptsum_row *)a)->report;
	int64_t y = ((const struct rptsum_row *)b)->report;

	return (x > y) - (x < y);
}

/* Per report: its policies' sessions, failed ones by the rule. */
static void
rptsum_fetch_unverified(struct rptdb *db, struct rptsum_rows *rs,
    time_t since)
{
	struct rptsum_unv_ctx c;
	struct rptsum_row key, *r;
	struct rptsum_unverified *u;
	long long *det;
	size_t i;

	memset(&c, 0, sizeof(c));
	rptdb_domain_untrusted(db, rs->domain, since, rptsum_untrusted_policy,
	    rptsum_untrusted_failure, &c);
	det = xcalloc(c.nrow + 1, sizeof(*det));
	if (c.nrow > 0)
		qsort(c.row, c.nrow, sizeof(*c.row), rptsum_row_by_policy);
	for (i = 0; i < c.nfail && c.nrow > 0; i++) {
		key.policy = c.fail[i].policy;
		if ((r = bsearch(&key, c.row, c.nrow, sizeof(*c.row),
		    rptsum_row_by_policy)) != NULL)
			det[r - c.row] = rptsum_add(det[r - c.row],
			    c.fail[i].n);
	}
	for (i = 0; i < c.nrow; i++)
		c.row[i].bad = rptsum_policy_failed(c.row[i].bad, det[i]);
	if (c.nrow > 0)
		qsort(c.row, c.nrow, sizeof(*c.row), rptsum_row_by_report);
	rs->unv = xcalloc(c.nrow + 1, sizeof(*rs->unv));
	for (i = 0; i < c.nrow; i++) {
		if (rs->nunv == 0 || rs->unv[rs->nunv - 1].report !=
		    c.row[i].report) {
			u = &rs->unv[rs->nunv++];
			u->report = c.row[i].report;
			u->end = c.row[i].end;
		}
		u = &rs->unv[rs->nunv - 1];
		u->ok = rptsum_add(u->ok, c.row[i].ok);
		u->failed = rptsum_add(u->failed, c.row[i].bad);
	}
	free(det);
	free(c.row);
	free(c.fail);
}

static int
rptsum_unv_by_report(const void *a, const void *b)
{
	int64_t x = ((const struct rptsum_unverified *)a)->report;
	int64_t y = ((const struct rptsum_unverified *)b)->report;

	return (x > y) - (x < y);
}

/* The list of rptsum_unverified_of(): a report, its sums from rs. */
struct rptsum_unv_list {
	const struct rptsum_rows *rs;
	json_t	*a;
};

static void
rptsum_unverified_row(const struct rptdb_report *row, void *arg)
{
	char t1[TIMEFMT_RFC3339_SIZE], t2[TIMEFMT_RFC3339_SIZE];
	struct rptsum_unv_list *l = arg;
	const struct rptsum_rows *rs = l->rs;
	struct rptsum_unverified key, *u;

	key.report = row->id;
	u = rs->nunv > 0 ? bsearch(&key, rs->unv, rs->nunv, sizeof(*rs->unv),
	    rptsum_unv_by_report) : NULL;
	json_array_append_new(l->a, json_pack("{s:I, s:s?, s:s?, s:s, s:s,"
	    " s:s?, s:s?, s:{s:s?, s:s?, s:s?, s:s?}, s:b, s:I, s:I}",
	    "id", (json_int_t)row->id,
	    "organization-name", row->organization,
	    "report-id", row->report_id,
	    "start-datetime", timefmt_rfc3339(row->start, t1),
	    "end-datetime", timefmt_rfc3339(row->end, t2),
	    "via", row->via,
	    "submitter", row->submitter,
	    "dkim",
	    "result", row->dkim_result,
	    "domain", row->dkim_domain,
	    "selector", row->dkim_selector,
	    "reason", rptsum_dkim_reason(row->via, row->dkim_result,
	    row->dkim_reason),
	    "counts", rs->counts_unverified,
	    "total-successful-session-count", (json_int_t)(u ? u->ok : 0),
	    "total-failure-session-count", (json_int_t)(u ? u->failed : 0)));
}

json_t *
rptsum_unverified_of(const struct rptsum_rows *rs, int days)
{
	time_t since = rs->now - (time_t)days * RPTSUM_DAY;
	struct rptsum_unv_list l;

	l.rs = rs;
	l.a = json_array();
	if (rs->db != NULL && rs->nunv > 0)
		rptdb_domain_unverified(rs->db, rs->domain, since,
		    rptsum_unverified_row, &l);
	return l.a;
}

/* The rows of rptsum_fetch(), grown as they come. */
struct rptsum_fetch_ctx {
	struct rptsum_rows *rs;
	size_t	 cap;
};

static void
rptsum_policy_row(const struct rptdb_domain_policy *p, void *arg)
{
	struct rptsum_fetch_ctx *c = arg;
	struct rptsum_rows *rs = c->rs;
	struct rptsum_row *r;

	r = rptsum_row_add(&rs->row, &rs->nrow, &c->cap, p);
	r->org = rptsum_dup(p->organization);
	r->day = rptsum_dup(p->day);
}

static void
rptsum_failure_row(const struct rptdb_domain_failure *p, void *arg)
{
	struct rptsum_fetch_ctx *c = arg;
	struct rptsum_rows *rs = c->rs;
	struct rptsum_fail *f;

	f = rptsum_fail_add(&rs->fail, &rs->nfail, &c->cap, p);
	f->org = rptsum_dup(p->organization);
	f->type = rptsum_dup(p->result_type);
	f->mx = rptsum_dup(p->mx);
	f->info = rptsum_dup(p->info);
	f->end = p->end;
}

struct rptsum_rows *
rptsum_fetch(struct rptdb *db, const char *domain, int days, time_t now)
{
	struct rptsum_rows *rs = xcalloc(1, sizeof(*rs));
	time_t since = now - (time_t)days * RPTSUM_DAY;
	struct rptsum_fetch_ctx c;

	rs->db = db;
	rs->domain = rptsum_domain_name(domain);
	rs->now = now;
	rs->counts_unverified = !rptsum_require_dkim();
	c.rs = rs;
	c.cap = 0;
	rptdb_domain_policies(db, rs->domain, since, rptsum_policy_row, &c);
	c.cap = 0;
	rptdb_domain_failures(db, rs->domain, since, rptsum_failure_row, &c);
	rptsum_settle(rs);
	rptsum_fetch_unverified(db, rs, since);
	return rs;
}

void
rptsum_rows_free(struct rptsum_rows *rs)
{
	size_t i;

	if (rs == NULL)
		return;
	for (i = 0; i < rs->nrow; i++) {
		free(rs->row[i].org);
		free(rs->row[i].day);
	}
	for (i = 0; i < rs->nfail; i++) {
		free(rs->fail[i].org);
		free(rs->fail[i].type);
		free(rs->fail[i].mx);
		free(rs->fail[i].info);
	}
	free(rs->row);
	free(rs->fail);
	free(rs->unv);
	free(rs->domain);
	free(rs);
}

