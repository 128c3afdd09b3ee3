/*
 * rptsum - the summary and the readiness verdict of one hosted domain,
 * from reports.db; see rptsum.h.
 * SPDX-License-Identifier: ISC
 *
 * Reads reports.db through lib/rptdb, and computes from its rows.
 */
#include "config.h"

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "mymalloc.h"
#include "rptdb.h"
#include "rptsum.h"
#include "rptsum_rows.h"
#include "timefmt.h"
#include "tlsrpt.h"

double
rptsum_rate(long long ok, long long failed)
{
	/* In double: ok + failed may pass the largest long long. */
	return ok > 0 || failed > 0 ? 100.0 * (double)ok / ((double)ok +
	    (double)failed) : 100.0;
}

const char *
rptsum_rate_text(long long ok, long long failed, char *buf, size_t size)
{
	if (ok <= 0 && failed <= 0)
		snprintf(buf, size, "-");	/* no sessions: no rate */
	else
		snprintf(buf, size, "%.2f%%", rptsum_rate(ok, failed));
	return buf;
}

json_t *
rptsum_rate_json(long long ok, long long failed)
{
	return ok > 0 || failed > 0 ? json_real(rptsum_rate(ok, failed)) :
	    json_null();
}

/*
 * Groups: rows with the same key added up.
 */
struct rptsum_group {
	const char *key;	/* NULL sorts first, like SQL's NULL */
	long long ok;
	long long bad;
	time_t	 last;		/* end of the last row with bad > 0; -1 */
};

static int
rptsum_key_cmp(const char *a, const char *b)
{
	if (a == NULL || b == NULL)
		return (a != NULL) - (b != NULL);
	return strcmp(a, b);
}

static int
rptsum_by_key(const void *a, const void *b)
{
	return rptsum_key_cmp(((const struct rptsum_group *)a)->key,
	    ((const struct rptsum_group *)b)->key);
}

/* Most failures first, then by key. */
static int
rptsum_by_bad(const void *a, const void *b)
{
	const struct rptsum_group *x = a, *y = b;

	if (x->bad != y->bad)
		return x->bad > y->bad ? -1 : 1;
	return rptsum_key_cmp(x->key, y->key);
}

/* Sorts g[0..n) by key and merges equal keys; returns the new count. */
static size_t
rptsum_merge(struct rptsum_group *g, size_t n)
{
	size_t i, k = 0;

	qsort(g, n, sizeof(*g), rptsum_by_key);
	for (i = 0; i < n; i++) {
		if (k > 0 && rptsum_key_cmp(g[k - 1].key, g[i].key) == 0) {
			g[k - 1].ok = rptsum_add(g[k - 1].ok, g[i].ok);
			g[k - 1].bad = rptsum_add(g[k - 1].bad, g[i].bad);
			if (g[i].last > g[k - 1].last)
				g[k - 1].last = g[i].last;
		} else {
			g[k++] = g[i];
		}
	}
	return k;
}

static int
rptsum_report_cmp(const void *a, const void *b)
{
	int64_t x = *(const int64_t *)a;
	int64_t y = *(const int64_t *)b;

	return (x > y) - (x < y);
}

static void
rptsum_group_set(struct rptsum_group *g, const char *key, long long ok,
    long long bad, time_t last)
{
	g->key = key;
	g->ok = ok;
	g->bad = bad;
	g->last = last;
}

/* The policy rows of the window as groups by day (by != 0: by org). */
static size_t
rptsum_row_groups(const struct rptsum_rows *rs, time_t since, int by_org,
    struct rptsum_group *g)
{
	const struct rptsum_row *r;
	size_t i, n = 0;

	for (i = 0; i < rs->nrow; i++)
		if ((r = &rs->row[i])->end > since)
			rptsum_group_set(&g[n++], by_org ? r->org : r->day,
			    r->ok, r->bad, r->bad > 0 ? r->end : -1);
	return rptsum_merge(g, n);
}

/* Failure details of the window as groups by type (by_mx: MX host). */
static size_t
rptsum_fail_groups(const struct rptsum_rows *rs, time_t since, int by_mx,
    struct rptsum_group *g)
{
	const struct rptsum_fail *f;
	const struct rptsum_row *r;
	size_t i, n = 0;

	for (i = 0; i < rs->nfail; i++)
		if ((f = &rs->fail[i])->end > since)
			rptsum_group_set(&g[n++], by_mx ? f->mx : f->type, 0,
			    f->n, f->end);
	/* Failed sessions that no failure detail accounts for: key NULL. */
	for (i = 0; i < rs->nrow; i++)
		if ((r = &rs->row[i])->end > since && r->rest != 0)
			rptsum_group_set(&g[n++], NULL, 0, r->rest, r->end);
	n = rptsum_merge(g, n);
	qsort(g, n, sizeof(*g), rptsum_by_bad);
	return n;
}

static json_t *
rptsum_key_json(const char *key)
{
	return key ? json_string(key) : json_null();
}

/*
 * [{name: key, "successful": ok, "failed": bad}], or with sessions_only
 * [{name: key, "sessions": bad}].
 */
static json_t *
rptsum_groups_json(const struct rptsum_group *g, size_t n, const char *name,
    int sessions_only)
{
	json_t *a = json_array();
	size_t i;

	for (i = 0; i < n; i++)
		json_array_append_new(a, sessions_only ?
		    json_pack("{s:o, s:I}", name, rptsum_key_json(g[i].key),
		    "sessions", (json_int_t)g[i].bad) :
		    json_pack("{s:o, s:I, s:I}", name, rptsum_key_json(g[i].key),
		    "successful", (json_int_t)g[i].ok, "failed",
		    (json_int_t)g[i].bad));
	return a;
}

/* Failed sessions of one day and key (result type or organization). */
struct rptsum_daykey {
	const char *day;
	const char *key;	/* NULL sorts first, like SQL's NULL */
	long long n;
};

static int
rptsum_daykey_cmp(const void *a, const void *b)
{
	const struct rptsum_daykey *x = a, *y = b;
	int c = strcmp(x->day, y->day);

	return c ? c : rptsum_key_cmp(x->key, y->key);
}

/*
 * The failed sessions of the window per day and result type (by_org:
 * per day and organization), as [{day, name: key, failed}] in order of
 * day, then key; the failed sessions in no failure detail have type
 * null, so that each day's entries add up to its failed sessions.
 */
static json_t *
rptsum_day_groups(const struct rptsum_rows *rs, time_t since, int by_org,
    const char *name)
{
	struct rptsum_daykey *v = xcalloc(rs->nrow + rs->nfail + 1,
	    sizeof(*v));
	struct rptsum_row key, *r;
	json_t *a = json_array();
	size_t i, n = 0, k;

	for (i = 0; i < rs->nrow; i++) {
		r = &rs->row[i];
		if (r->end <= since || (by_org ? r->bad : r->rest) <= 0)
			continue;
		v[n].day = r->day;
		v[n].key = by_org ? r->org : NULL;
		v[n++].n = by_org ? r->bad : r->rest;
	}
	for (i = 0; !by_org && i < rs->nfail && rs->nrow > 0; i++) {
		key.policy = rs->fail[i].policy;
		r = bsearch(&key, rs->row, rs->nrow, sizeof(*rs->row),
		    rptsum_row_by_policy);
		if (r == NULL || rs->fail[i].end <= since || rs->fail[i].n <= 0)
			continue;
		v[n].day = r->day;
		v[n].key = rs->fail[i].type;
		v[n++].n = rs->fail[i].n;
	}
	qsort(v, n, sizeof(*v), rptsum_daykey_cmp);
	for (i = 0; i < n; i = k) {
		long long sum = 0;

		for (k = i; k < n && rptsum_daykey_cmp(&v[i], &v[k]) == 0; k++)
			sum = rptsum_add(sum, v[k].n);
		json_array_append_new(a, json_pack("{s:s, s:o, s:I}", "day",
		    v[i].day, name, rptsum_key_json(v[i].key), "failed",
		    (json_int_t)sum));
	}
	free(v);
	return a;
}

/* Distinct reports among the policy rows of the window. */
static long long
rptsum_reports(const struct rptsum_rows *rs, time_t since)
{
	int64_t *id = xcalloc(rs->nrow + 1, sizeof(*id));
	size_t i, n = 0;
	long long k = 0;

	for (i = 0; i < rs->nrow; i++)
		if (rs->row[i].end > since)
			id[n++] = rs->row[i].report;
	qsort(id, n, sizeof(*id), rptsum_report_cmp);
	for (i = 0; i < n; i++)
		if (i == 0 || id[i] != id[i - 1])
			k++;
	free(id);
	return k;
}

/* Unverified reports of the window that are left out of the sums. */
static long long
rptsum_unverified_count(const struct rptsum_rows *rs, time_t since)
{
	long long k = 0;
	size_t i;

	if (rs->counts_unverified)
		return 0;
	for (i = 0; i < rs->nunv; i++)
		if (rs->unv[i].end > since)
			k++;
	return k;
}


/*
 * The summary of the last days days of rs (fetched for at least as
 * many); with last, also per organization the end of its last report
 * with a failure (for the readiness verdict).
 */
static json_t *
rptsum_summary(const struct rptsum_rows *rs, int days, unsigned parts,
    json_t *last)
{
	time_t since = rs->now - (time_t)days * RPTSUM_DAY;
	size_t n = rs->nrow + rs->nfail, k, i;
	struct rptsum_group *g = xcalloc(n + 1, sizeof(*g));
	long long ok = 0, bad = 0;
	json_t *r;

	k = rptsum_row_groups(rs, since, 0, g);
	for (i = 0; i < k; i++) {
		ok = rptsum_add(ok, g[i].ok);
		bad = rptsum_add(bad, g[i].bad);
	}
	r = json_pack("{s:s, s:i, s:I, s:I, s:I, s:I, s:o, s:I}",
	    "domain", rs->domain, "days", days,
	    "reports", (json_int_t)rptsum_reports(rs, since),
	    "sessions", (json_int_t)rptsum_add(ok, bad),
	    "successful", (json_int_t)ok, "failed", (json_int_t)bad,
	    "success-rate", rptsum_rate_json(ok, bad),
	    "unverified", (json_int_t)rptsum_unverified_count(rs, since));
	if (parts & RPTSUM_DAYS)
		json_object_set_new(r, "by-day", rptsum_groups_json(g, k,
		    "day", 0));
	if (parts & RPTSUM_ORGS) {
		k = rptsum_row_groups(rs, since, 1, g);
		qsort(g, k, sizeof(*g), rptsum_by_bad);
		json_object_set_new(r, "by-organization",
		    rptsum_groups_json(g, k, "organization-name", 0));
		for (i = 0; last != NULL && i < k; i++)
			if (g[i].key != NULL && g[i].last >= 0)
				json_object_set_new(last, g[i].key,
				    json_integer(g[i].last));
	}
	if (parts & RPTSUM_TYPES) {
		k = rptsum_fail_groups(rs, since, 0, g);
		json_object_set_new(r, "by-result-type",
		    rptsum_groups_json(g, k, "result-type", 1));
	}
	if (parts & RPTSUM_MX) {
		k = rptsum_fail_groups(rs, since, 1, g);
		json_object_set_new(r, "by-mx-host", rptsum_groups_json(g, k,
		    "receiving-mx-hostname", 1));
	}
	if (parts & RPTSUM_DAY_TYPES)
		json_object_set_new(r, "by-day-result-type",
		    rptsum_day_groups(rs, since, 0, "result-type"));
	if (parts & RPTSUM_DAY_ORGS)
		json_object_set_new(r, "by-day-organization",
		    rptsum_day_groups(rs, since, 1, "organization-name"));
	free(g);
	return r;
}

json_t *
rptsum_of(const struct rptsum_rows *rs, int days, unsigned parts)
{
	return rptsum_summary(rs, days, parts, NULL);
}

static void
rptsum_silent_row(const struct rptdb_silent *s, void *arg)
{
	char t[TIMEFMT_RFC3339_SIZE];

	timefmt_rfc3339(s->last, t);
	json_array_append_new((json_t *)arg, json_pack("{s:s, s:s, s:s#,"
	    " s:I, s:I}", "organization-name", s->organization, "last-report",
	    t, "last-report-day", t, (int)10, "days", (json_int_t)s->days,
	    "reports", (json_int_t)s->reports));
}

json_t *
rptsum_silent(struct rptdb *db, const char *domain, time_t now, size_t max)
{
	json_t *a = json_array();

	(void)rptdb_silent(db, domain, now, max, rptsum_silent_row, a);
	return a;
}

json_t *
rptsum_domain(struct rptdb *db, const char *domain, int days, time_t now)
{
	struct rptsum_rows *rs = rptsum_fetch(db, domain, days, now);
	json_t *r = rptsum_summary(rs, days, RPTSUM_ALL, NULL);
	const char *name = json_string_value(json_object_get(r, "domain"));

	rptsum_rows_free(rs);
	json_object_set_new(r, "silent-reporters", rptsum_silent(db,
	    name ? name : domain, now, RPTSUM_SILENT_MAX));
	return r;
}

/*
 * Readiness.
 */
static json_t *
rptsum_time_json(json_t *t)
{
	char s[TIMEFMT_RFC3339_SIZE];

	if (!json_is_integer(t))
		return json_null();
	return json_string(timefmt_rfc3339((time_t)json_integer_value(t),
	    s));
}

/*
 * The senders of the window, most sessions first, each marked major or
 * not; failing gets the text naming the major senders with failures
 * (*nfailing of them), *last_fail the end of the last report with a
 * failure (-1: none).
 */
static json_t *
rptsum_senders(json_t *sum, json_t *last, const struct rptsum_rule *rule,
    struct buf *failing, int *nfailing, json_int_t *last_fail)
{
	long long total = json_integer_value(json_object_get(sum, "sessions"));
	json_t *a = json_array(), *g, *t;
	size_t i, j;

	*nfailing = 0;
	*last_fail = -1;
	json_array_foreach(json_object_get(sum, "by-organization"), i, g) {
		const char *org = json_string_value(json_object_get(g,
		    "organization-name"));
		long long ok = json_integer_value(json_object_get(g,
		    "successful"));
		long long bad = json_integer_value(json_object_get(g, "failed"));
		long long sessions = rptsum_add(ok, bad);
		int major = total > 0 && (__int128)sessions * 100 >=
		    (__int128)rule->major_share * total;

		t = org ? json_object_get(last, org) : NULL;
		if (json_is_integer(t) && json_integer_value(t) > *last_fail)
			*last_fail = json_integer_value(t);
		/* by-organization is in order of failures: sort by sessions. */
		for (j = 0; j < json_array_size(a); j++)
			if (json_integer_value(json_object_get(json_array_get(a,
			    j), "sessions")) < sessions)
				break;
		json_array_insert_new(a, j, json_pack("{s:s?, s:I, s:I, s:f,"
		    " s:b, s:o}", "organization-name", org,
		    "sessions", (json_int_t)sessions, "failed", (json_int_t)bad,
		    "share", total > 0 ? 100.0 * (double)sessions /
		    (double)total : 0.0, "major", major,
		    "last-failure", rptsum_time_json(t)));
		if (major && bad > 0) {
			if (*nfailing < RPTSUM_SENDERS_TEXT_MAX)
				buf_printf(failing, "%s%s (%lld of %lld sessions"
				    " failed)", *nfailing ? ", " : "",
				    org ? org : "-", bad, sessions);
			(*nfailing)++;
		}
	}
	return a;
}

static void
rptsum_verdict(json_t *v, const char *verdict, const char *text,
    const char *reason)
{
	json_object_set_new(v, "verdict", json_string(verdict));
	json_object_set_new(v, "text", json_string(text));
	json_object_set_new(v, "reason", json_string(reason));
}

json_t *
rptsum_readiness(struct rptdb *db, const char *domain, const char *mode,
    const struct rptsum_rule *rule, time_t now)
{
	struct rptsum_rows *rs = rptsum_fetch(db, domain, rule->days, now);
	json_t *v = rptsum_readiness_of(rs, mode, rule);

	rptsum_rows_free(rs);
	return v;
}

json_t *
rptsum_readiness_of(const struct rptsum_rows *rs, const char *mode,
    const struct rptsum_rule *rule)
{
	const char *domain = rs->domain;
	json_t *last = json_object();
	json_t *sum = rptsum_summary(rs, rule->days, RPTSUM_ORGS, last);
	struct buf failing = BUF_INIT, why = BUF_INIT, majors = BUF_INIT;
	long long sessions, failed, reports;
	json_int_t last_fail;
	json_t *v, *senders, *g, *lf;
	int nfailing, nmajor = 0;
	size_t i;
	char tbuf[TIMEFMT_RFC3339_SIZE], *text;

	sessions = json_integer_value(json_object_get(sum, "sessions"));
	failed = json_integer_value(json_object_get(sum, "failed"));
	reports = json_integer_value(json_object_get(sum, "reports"));
	senders = rptsum_senders(sum, last, rule, &failing, &nfailing,
	    &last_fail);
	if (last_fail >= 0)
		lf = json_string(timefmt_rfc3339((time_t)last_fail, tbuf));
	else
		lf = json_null();
	json_array_foreach(senders, i, g)
		if (json_is_true(json_object_get(g, "major")))
			buf_printf(&majors, "%s%s", nmajor++ ? ", " : "",
			    json_string_value(json_object_get(g,
			    "organization-name")));
	v = json_pack("{s:s, s:i, s:i, s:I, s:I, s:I, s:o, s:o}",
	    "domain", domain, "days", rule->days,
	    "major-share", rule->major_share, "reports", (json_int_t)reports,
	    "sessions", (json_int_t)sessions, "failed", (json_int_t)failed,
	    "senders", senders, "last-failure", lf);
	if (mode != NULL && strcmp(mode, "enforce") == 0) {
		rptsum_verdict(v, "enforced", "already in mode enforce",
		    "mode is enforce");
	} else if (reports == 0) {
		buf_printf(&why, "no reports in the last %d days", rule->days);
		text = xasprintf("not yet: %s", why.s);
		rptsum_verdict(v, "not-yet", text, why.s);
		free(text);
	} else if (sessions == 0) {
		buf_printf(&why, "%lld reports but no sessions in the last %d"
		    " days", reports, rule->days);
		text = xasprintf("not yet: %s", why.s);
		rptsum_verdict(v, "not-yet", text, why.s);
		free(text);
	} else if (nfailing > 0) {
		buf_printf(&why, "failures from %s%s", failing.s,
		    nfailing > RPTSUM_SENDERS_TEXT_MAX ? " and more" : "");
		text = xasprintf("not yet: %s in the last %d days", why.s,
		    rule->days);
		rptsum_verdict(v, "not-yet", text, why.s);
		free(text);
	} else {
		buf_printf(&why, "%lld sessions in the last %d days from %zu"
		    " senders, no failures from the major senders (%s)",
		    sessions, rule->days, json_array_size(senders), majors.s);
		text = xasprintf("safe to move to enforce: %s", why.s);
		rptsum_verdict(v, "ready", text, why.s);
		free(text);
	}
	json_decref(sum);
	json_decref(last);
	buf_free(&failing);
	buf_free(&why);
	buf_free(&majors);
	return v;
}

void
rptsum_subst(struct buf *out, const char *text, const char *domain)
{
	const char *p = text, *q;
	size_t k = strlen(RPTSUM_DOMAIN_WORD);

	while ((q = strstr(p, RPTSUM_DOMAIN_WORD)) != NULL) {
		buf_append(out, p, (size_t)(q - p));
		buf_puts(out, domain);
		p = q + k;
	}
	buf_puts(out, p);
}

/* Newest first. */
static int
rptsum_by_end(const void *a, const void *b)
{
	const struct rptsum_fail *x = *(const struct rptsum_fail *const *)a;
	const struct rptsum_fail *y = *(const struct rptsum_fail *const *)b;

	return (x->end < y->end) - (x->end > y->end);
}

static int
rptsum_same_note(const struct rptsum_fail *a, const struct rptsum_fail *b)
{
	return rptsum_key_cmp(a->org, b->org) == 0 &&
	    rptsum_key_cmp(a->type, b->type) == 0 &&
	    rptsum_key_cmp(a->mx, b->mx) == 0 &&
	    rptsum_key_cmp(a->info, b->info) == 0;
}

json_t *
rptsum_notes_of(const struct rptsum_rows *rs, int days, int limit)
{
	time_t since = rs->now - (time_t)days * RPTSUM_DAY;
	const struct rptsum_fail **v = xcalloc(rs->nfail + 1, sizeof(*v));
	json_t *a = json_array();
	size_t i, j, n = 0, k = 0;

	for (i = 0; i < rs->nfail; i++)
		if (rs->fail[i].end > since && rs->fail[i].info != NULL)
			v[n++] = &rs->fail[i];
	qsort(v, n, sizeof(*v), rptsum_by_end);
	/* v[0..k) are the notes taken so far (at most limit). */
	for (i = 0; i < n && (int)k < limit; i++) {
		for (j = 0; j < k; j++)
			if (rptsum_same_note(v[j], v[i]))
				break;
		if (j < k)
			continue;
		v[k] = v[i];
		json_array_append_new(a, json_pack("{s:o, s:o, s:o, s:o}",
		    "organization-name", rptsum_key_json(v[i]->org),
		    "result-type", rptsum_key_json(v[i]->type),
		    "receiving-mx-hostname", rptsum_key_json(v[i]->mx),
		    "additional-information", rptsum_key_json(v[i]->info)));
		k++;
	}
	free(v);
	return a;
}
