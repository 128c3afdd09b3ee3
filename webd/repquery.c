/*
 * repquery - the query string of the report pages and of the API's
 * domain list; see repquery.h.
 * SPDX-License-Identifier: ISC
 */
#include "config.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "dashboard.h"
#include "esc.h"
#include "repquery.h"

#define REPQUERY_DIGITS_MAX	18	/* a number below 10^18 */

/* Decimal digits only, without sign or white space: 0, else -1. */
static int
repquery_number(const char *s, size_t len, long long *out)
{
	long long v = 0;
	size_t i;

	if (len == 0 || len > REPQUERY_DIGITS_MAX)
		return -1;
	for (i = 0; i < len; i++) {
		if (s[i] < '0' || s[i] > '9')
			return -1;
		v = v * 10 + (s[i] - '0');
	}
	*out = v;
	return 0;
}

static void
repquery_bad(struct buf *err, const char *name, const char *v, size_t len,
    const char *expected)
{
	buf_printf(err, "%s=", name);
	esc_textn(err, v, len > REPQUERY_VALUE_SHOWN ? REPQUERY_VALUE_SHOWN :
	    len);
	buf_printf(err, "%s: expected %s", len > REPQUERY_VALUE_SHOWN ?
	    "..." : "", expected);
}

static int
repquery_after(const char *v, size_t len, struct repquery *q,
    struct buf *err)
{
	const char *dot = memchr(v, '.', len);
	long long end, policy;

	if (dot == NULL || repquery_number(v, (size_t)(dot - v), &end) < 0 ||
	    repquery_number(dot + 1, len - (size_t)(dot - v) - 1,
	    &policy) < 0 || policy < 1) {
		repquery_bad(err, "after", v, len, "the cursor of a next-page "
		    "link (END.ROW)");
		return -1;
	}
	q->after.end = (time_t)end;
	q->after.policy = (int64_t)policy;
	return 0;
}

static int
repquery_range(const char *name, const char *v, size_t len, long long max,
    int *out, struct buf *err)
{
	char what[64];
	long long n;

	if (repquery_number(v, len, &n) < 0 || n < 1 || n > max) {
		snprintf(what, sizeof(what), "a number from 1 to %lld", max);
		repquery_bad(err, name, v, len, what);
		return -1;
	}
	*out = (int)n;
	return 0;
}

/* One parameter of a query: its name and value; 0, or -1 with err. */
typedef int (*repquery_fn)(const char *name, size_t nlen, const char *v,
    size_t vlen, void *arg, struct buf *err);

/*
 * Each name=value of query (len bytes, split at "&") to fn; a part
 * without "=" is passed over.  0, or fn's -1.
 */
static int
repquery_each(const char *query, size_t len, repquery_fn fn, void *arg,
    struct buf *err)
{
	const char *p = query, *end = query + len, *amp, *eq;

	while (p < end) {
		if ((amp = memchr(p, '&', (size_t)(end - p))) == NULL)
			amp = end;
		if ((eq = memchr(p, '=', (size_t)(amp - p))) != NULL &&
		    fn(p, (size_t)(eq - p), eq + 1, (size_t)(amp - eq - 1),
		    arg, err) < 0)
			return -1;
		p = amp + 1;
	}
	return 0;
}

/* One parameter of a report page's query. */
static int
repquery_param(const char *p, size_t nlen, const char *v, size_t vlen,
    void *arg, struct buf *err)
{
	struct repquery *q = arg;

	if (nlen == 5 && memcmp(p, "after", 5) == 0)
		return repquery_after(v, vlen, q, err);
	if (nlen == 5 && memcmp(p, "limit", 5) == 0)
		return repquery_range("limit", v, vlen, REPQUERY_LIMIT_MAX,
		    &q->limit, err);
	if (nlen == 4 && memcmp(p, "days", 4) == 0)
		return repquery_range("days", v, vlen, REPQUERY_DAYS_MAX,
		    &q->days, err);
	return 0;
}

int
repquery_parse(const char *query, size_t len, struct repquery *q,
    struct buf *err)
{
	memset(q, 0, sizeof(*q));
	q->limit = REPQUERY_LIMIT;
	return repquery_each(query, len, repquery_param, q, err);
}

void
repquery_cursor(const struct rptdb_cursor *c, char *out, size_t size)
{
	snprintf(out, size, "%lld.%lld", (long long)c->end,
	    (long long)c->policy);
}

/* after=NAME of the domain list: a domain name, as the portal's list. */
static int
repquery_domain_after(const char *v, size_t len, struct repquery_domains *q,
    struct buf *err)
{
	char name[REPQUERY_NAME_MAX + 1];

	if (len == 0 || len > REPQUERY_NAME_MAX || memchr(v, '\0', len) !=
	    NULL) {
		repquery_bad(err, "after", v, len, "the last domain name of the"
		    " page before (at most 253 bytes)");
		return -1;
	}
	memcpy(name, v, len);
	name[len] = '\0';
	return dashboard_after_parse(name, &q->after, err);
}

/* One parameter of the domain list's query. */
static int
repquery_domain_param(const char *p, size_t nlen, const char *v, size_t vlen,
    void *arg, struct buf *err)
{
	struct repquery_domains *q = arg;

	if (nlen == 5 && memcmp(p, "after", 5) == 0) {
		q->paged = 1;
		return repquery_domain_after(v, vlen, q, err);
	}
	if (nlen == 5 && memcmp(p, "limit", 5) == 0) {
		q->paged = 1;
		return repquery_range("limit", v, vlen, REPQUERY_DOMAINS_MAX,
		    &q->limit, err);
	}
	return 0;
}

int
repquery_domains(const char *query, size_t len, struct repquery_domains *q,
    struct buf *err)
{
	memset(q, 0, sizeof(*q));
	q->limit = REPQUERY_DOMAINS_MAX;
	if (repquery_each(query, len, repquery_domain_param, q, err) < 0) {
		repquery_domains_free(q);
		return -1;
	}
	return 0;
}

void
repquery_domains_free(struct repquery_domains *q)
{
	free(q->after);
	q->after = NULL;
}
