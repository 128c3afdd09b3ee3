/*
 * rptdb_store - the writer of reports.db (rptparse): a report, its
 * policies, failure details and deviations, and the hosted domain of
 * every policy; see rptdb.h.
 * SPDX-License-Identifier: ISC
 */
#include "config.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <openssl/evp.h>

#include "buf.h"
#include "log.h"
#include "mymalloc.h"
#include "rptdb.h"
#include "rptdb_sql.h"
#include "sqldb.h"
#include "tlsrpt.h"

/*
 * A policy row; 2, 4 or 8 of them in one INSERT: each execution of a
 * statement opens the table and its three indexes and closes them
 * again, about as much as the insert of a row itself: the 76,488
 * policy rows of bench/rptparse took 0.18-0.19 s of CPU in 8-row
 * inserts against 0.24-0.26 s in 1-row ones.
 */
#define RPTDB_POLICY_INSERT	"INSERT INTO policies (report, idx, type," \
	" domain, hosted_domain, strings, mx_hosts, success_count," \
	" failure_count, counted) VALUES "
#define RPTDB_POLICY_COLUMNS	10
#define RPTDB_POLICY_ROW	"(?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
#define RPTDB_POLICY_ROW2	RPTDB_POLICY_ROW ", " RPTDB_POLICY_ROW
#define RPTDB_POLICY_ROW4	RPTDB_POLICY_ROW2 ", " RPTDB_POLICY_ROW2
#define RPTDB_POLICY_ROW8	RPTDB_POLICY_ROW4 ", " RPTDB_POLICY_ROW4
/* The id of each row with its place: the order of rows is the engine's. */
#define RPTDB_POLICY_RETURNING	" RETURNING id, idx"
#define RPTDB_FAILURE_INSERT "INSERT INTO failures (policy, result_type," \
	" sending_mta_ip, receiving_mx_hostname, receiving_mx_helo," \
	" receiving_ip, failed_session_count, additional_information," \
	" failure_reason_code) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)"

/*
 * A transaction's sums for a hosted domain and organization
 * (rptdb_reporters.c): its last report ends later, it sent more.
 */
#define RPTDB_LATER(a, b)	"CASE WHEN " b " > " a " THEN " b " ELSE " a " END"
#define RPTDB_REPORTERS_ADD_SQL "INSERT INTO reporters" \
	" VALUES (?1, ?2, ?3, ?4, ?5, ?6)" \
	" ON CONFLICT (domain, organization) DO UPDATE SET last_trusted =" \
	" COALESCE(" RPTDB_LATER("reporters.last_trusted", \
	"excluded.last_trusted") ", excluded.last_trusted)," \
	" reports_trusted = reporters.reports_trusted +" \
	" excluded.reports_trusted," \
	" last_any = " RPTDB_LATER("reporters.last_any", "excluded.last_any") \
	"," \
	" reports_any = reporters.reports_any + excluded.reports_any"

/*
 * The inserts that give new ids, as PostgreSQL runs them: with
 * RETURNING (its ids come from a sequence that other nodes draw from
 * too).  SQLite's (rptdb_store_sql) read last_insert_rowid and the
 * rowid rule instead (the ids of a multi-row insert follow each
 * other): RETURNING made SQLite build and buffer every row apart, 13 %
 * of rptparse's CPU (bench/rptparse).  The one pair of the writer.
 */
const char *const rptdb_store_pgsql[RPTDB_ST_WRITER] = {
	[RPTDB_ST_REPORT] = "INSERT INTO reports (organization, contact,"
	" report_id, start_time, end_time, received, via, submitter, sha256,"
	" spool_id, dkim_result, dkim_domain, dkim_selector, dkim_reason)"
	" VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
	" ON CONFLICT DO NOTHING RETURNING id",
	[RPTDB_ST_POLICY] = RPTDB_POLICY_INSERT RPTDB_POLICY_ROW
	RPTDB_POLICY_RETURNING,
	[RPTDB_ST_POLICY2] = RPTDB_POLICY_INSERT RPTDB_POLICY_ROW2
	RPTDB_POLICY_RETURNING,
	[RPTDB_ST_POLICY4] = RPTDB_POLICY_INSERT RPTDB_POLICY_ROW4
	RPTDB_POLICY_RETURNING,
	[RPTDB_ST_POLICY8] = RPTDB_POLICY_INSERT RPTDB_POLICY_ROW8
	RPTDB_POLICY_RETURNING,
	[RPTDB_ST_FAILURE] = RPTDB_FAILURE_INSERT " RETURNING id",
};

/*
 * A sum of totals stops at the largest 64-bit integer: PostgreSQL refuses
 * to go past it (SQLite would make it a real).
 */
#define RPTDB_INT64_MAX	"9223372036854775807"

/* The statements of rptdb_report_add(), prepared by rptdb_open_write(). */
const char *const rptdb_store_sql[RPTDB_ST_WRITER] = {
	"SELECT id FROM reports WHERE organization = ? AND report_id = ?"
	" AND start_time = ? AND end_time = ?",
	"INSERT INTO reports (organization, contact, report_id, start_time,"
	" end_time, received, via, submitter, sha256, spool_id, dkim_result,"
	" dkim_domain, dkim_selector, dkim_reason)"
	" VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
	" ON CONFLICT DO NOTHING",
	RPTDB_POLICY_INSERT RPTDB_POLICY_ROW,
	RPTDB_POLICY_INSERT RPTDB_POLICY_ROW2,
	RPTDB_POLICY_INSERT RPTDB_POLICY_ROW4,
	RPTDB_POLICY_INSERT RPTDB_POLICY_ROW8,
	RPTDB_FAILURE_INSERT,
	"INSERT INTO deviations (report, idx, text) VALUES (?, ?, ?)",
	"INSERT INTO totals (trusted, kind, result, sessions)"
	" VALUES (?, ?, ?, ?)"
	" ON CONFLICT (trusted, kind, result) DO UPDATE SET sessions ="
	" CASE WHEN totals.sessions > " RPTDB_INT64_MAX " - excluded.sessions"
	" THEN " RPTDB_INT64_MAX " ELSE totals.sessions + excluded.sessions"
	" END",
	RPTDB_DP_INSERT RPTDB_ROWS8(RPTDB_DP_ROW),
	RPTDB_DP_INSERT RPTDB_ROWS4(RPTDB_DP_ROW),
	RPTDB_DP_INSERT RPTDB_ROWS2(RPTDB_DP_ROW),
	RPTDB_DP_INSERT RPTDB_DP_ROW,
	RPTDB_DF_INSERT RPTDB_ROWS8(RPTDB_DF_ROW),
	RPTDB_DF_INSERT RPTDB_ROWS4(RPTDB_DF_ROW),
	RPTDB_DF_INSERT RPTDB_ROWS2(RPTDB_DF_ROW),
	RPTDB_DF_INSERT RPTDB_DF_ROW,
	RPTDB_REPORTERS_ADD_SQL,
};

void
rptdb_sha256(const void *data, size_t len, char hex[RPTDB_SHA256_HEX])
{
	static const char digits[] = "0123456789abcdef";
	static EVP_MD *md256;
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned int n = 0, i;

	/* Fetched once: EVP_sha256() would look it up on every call. */
	if (md256 == NULL && (md256 = EVP_MD_fetch(NULL, "SHA256", NULL)) ==
	    NULL)
		log_fatal("OpenSSL: no SHA-256");
	if (EVP_Digest(data, len, md, &n, md256, NULL) != 1)
		n = 0;
	for (i = 0; i < n && i * 2 + 2 < RPTDB_SHA256_HEX; i++) {
		hex[i * 2] = digits[md[i] >> 4];
		hex[i * 2 + 1] = digits[md[i] & 0xf];
	}
	hex[i * 2] = '\0';
}

/* The JSON escape of byte c as jansson writes it, or NULL: as it is. */
static const char *
rptdb_store_json_escape(unsigned char c, char u[sizeof("\\u00XX")])
{
	static const char hex[] = "0123456789ABCDEF";

	switch (c) {
	case '"':
		return "\\\"";
	case '\\':
		return "\\\\";
	case '\b':
		return "\\b";
	case '\f':
		return "\\f";
	case '\n':
		return "\\n";
	case '\r':
		return "\\r";
	case '\t':
		return "\\t";
	}
	if (c >= 0x20)
		return NULL;
	snprintf(u, sizeof("\\u00XX"), "\\u00%c%c", hex[c >> 4], hex[c & 0xf]);
	return u;
}

/* 1 for the bytes that JSON escapes: '"', '\\' and the controls. */
static const unsigned char rptdb_store_json_special[256] = {
	[0x01] = 1, [0x02] = 1, [0x03] = 1, [0x04] = 1, [0x05] = 1,
	[0x06] = 1, [0x07] = 1, [0x08] = 1, [0x09] = 1, [0x0a] = 1,
	[0x0b] = 1, [0x0c] = 1, [0x0d] = 1, [0x0e] = 1, [0x0f] = 1,
	[0x10] = 1, [0x11] = 1, [0x12] = 1, [0x13] = 1, [0x14] = 1,
	[0x15] = 1, [0x16] = 1, [0x17] = 1, [0x18] = 1, [0x19] = 1,
	[0x1a] = 1, [0x1b] = 1, [0x1c] = 1, [0x1d] = 1, [0x1e] = 1,
	[0x1f] = 1, ['"'] = 1, ['\\'] = 1,
};

/*
 * A list of strings as a JSON array, for policy strings and MX hosts,
 * into out: the text json_dumps(JSON_COMPACT) makes of it (the strings
 * are UTF-8 already: tlsrpt_parse() took them from jansson), without
 * building a jansson tree for every policy.  Runs of bytes that need
 * no escape are copied whole.
 */
static const char *
rptdb_store_list(struct buf *out, char *const *v, size_t n)
{
	char u[sizeof("\\u00XX")];
	const unsigned char *p, *run;
	size_t i;

	buf_reset(out);
	buf_putc(out, '[');
	for (i = 0; i < n; i++) {
		buf_append(out, i ? ",\"" : "\"", i ? 2 : 1);
		for (p = run = (const unsigned char *)v[i]; *p != '\0'; p++) {
			if (!rptdb_store_json_special[*p])
				continue;
			buf_append(out, run, (size_t)(p - run));
			buf_puts(out, rptdb_store_json_escape(*p, u));
			run = p + 1;
		}
		buf_append(out, run, (size_t)(p - run));
		buf_putc(out, '"');
	}
	buf_putc(out, ']');
	return out->s;
}

/* Run a kept statement once, and make it ready for the next use. */
static int
rptdb_store_step(struct rptdb *s, struct sqldb_stmt *st, const char *what,
    struct buf *err)
{
	return rptdb_step(s, st, what, err);
}

/*
 * A kept statement that returns the id of the one row it selects, or
 * inserts (RETURNING id): 1 with *id, 0 when none, -1.
 */
static int
rptdb_store_id(struct rptdb *s, struct sqldb_stmt *st, const char *what,
    int64_t *id, struct buf *err)
{
	int rc = sqldb_step(st);

	if (rc == SQLDB_ROW) {
		*id = sqldb_int(st, 0);
		rc = sqldb_step(st) == SQLDB_DONE ? 1 : -1;
	}
	if (rc < 0)
		buf_printf(err, "%s: %s: %s", sqldb_name(s->db), what,
		    sqldb_errmsg(st));
	/* Kept: reset, not finished. */
	sqldb_reset(st);
	return rc;
}

/*
 * An insert of one row: 1 with its id, 0 when it inserted none (ON
 * CONFLICT DO NOTHING), -1; by RETURNING on PostgreSQL, by
 * last_insert_rowid on SQLite.
 */
static int
rptdb_store_insert(struct rptdb *s, struct sqldb_stmt *st, const char *what,
    int64_t *id, struct buf *err)
{
	if (s->pg)
		return rptdb_store_id(s, st, what, id, err);
	if (rptdb_store_step(s, st, what, err) < 0)
		return -1;
	if (sqldb_changes(s->db) == 0)
		return 0;
	*id = sqldb_last_id(s->db);
	return 1;
}

static int
rptdb_store_failure(struct rptdb *s, int64_t policy,
    const struct tlsrpt_detail *d, struct buf *err)
{
	struct sqldb_stmt *st = s->st[RPTDB_ST_FAILURE];
	int64_t id;

	sqldb_bind_int64(st, 1, policy);
	rptdb_text(st, 2, d->result_type);
	rptdb_text(st, 3, d->sending_mta_ip);
	rptdb_text(st, 4, d->receiving_mx_hostname);
	rptdb_text(st, 5, d->receiving_mx_helo);
	rptdb_text(st, 6, d->receiving_ip);
	sqldb_bind_int64(st, 7, d->failed_session_count);
	rptdb_text(st, 8, d->additional_information);
	rptdb_text(st, 9, d->failure_reason_code);
	if (rptdb_store_insert(s, st, "insert failure detail", &id, err) <= 0) {
		if (err->len == 0)
			buf_puts(err, "reports.db: insert failure detail:"
			    " no id returned");
		return -1;
	}
	s->added.failure[s->added.nfailure++] = id;
	return 0;
}

/*
 * A domain name as reports.db keeps it: lower case (ASCII, as DNS
 * compares names), without the final dots; NULL stays NULL.
 */
static const char *
rptdb_store_domain(struct buf *out, const char *s)
{
	size_t len, i;

	if (s == NULL)
		return NULL;
	for (len = strlen(s); len > 0 && s[len - 1] == '.'; len--)
		;
	buf_reset(out);
	for (i = 0; i < len; i++)
		buf_putc(out, (s[i] >= 'A' && s[i] <= 'Z') ?
		    (char)(s[i] - 'A' + 'a') : s[i]);
	return out->s != NULL ? out->s : "";
}

/* A policy-domain without its final dots, for rptdb_store_counted(). */
struct rptdb_store_dom {
	const char *s;
	size_t	 len;
	size_t	 idx;		/* in the report */
};


static int
rptdb_store_dom_cmp(const void *a, const void *b)
{
	const struct rptdb_store_dom *x = a, *y = b;
	size_t n = x->len < y->len ? x->len : y->len;
	int c = strncasecmp(x->s, y->s, n);

	if (c != 0)
		return c;
	if (x->len != y->len)
		return x->len < y->len ? -1 : 1;
	return (x->idx > y->idx) - (x->idx < y->idx);
}

/* Sessions of a policy, saturating: the counts are 0 to INT64_MAX each. */
static int64_t
rptdb_store_sessions(const struct tlsrpt_policy *p)
{
	int64_t n;

	return __builtin_add_overflow(p->success_count, p->failure_count,
	    &n) ? INT64_MAX : n;
}

/* 1 when policy a counts rather than policy b (see rptdb_store_counted). */
static int
rptdb_store_better(const struct tlsrpt_policy *a, const struct tlsrpt_policy *b)
{
	int sa = a->type != NULL && strcmp(a->type, "sts") == 0;
	int sb = b->type != NULL && strcmp(b->type, "sts") == 0;

	if (sa != sb)
		return sa;
	return rptdb_store_sessions(a) > rptdb_store_sessions(b);
}

/*
 * policies.counted of each policy of r into counted[] (rptdb.h): of the
 * policies with the same policy-domain (case and final dots aside), the
 * "sts" one, else the one with the most sessions, ties to the first.  A
 * report judges the same sessions under each of them (RFC 8460 section
 * 4.3: Microsoft sends "sts" and "tlsa" for one domain).  Sorted by
 * domain: O(n log n) for the largest reports.
 */
static void
rptdb_store_counted(const struct tlsrpt_report *r, int *counted)
{
	struct rptdb_store_dom *d = xcalloc(r->npolicies + 1, sizeof(*d));
	size_t i, j, n = 0, best;

	for (i = 0; i < r->npolicies; i++) {
		counted[i] = 1;
		if (r->policies[i].domain == NULL)
			continue;
		d[n].s = r->policies[i].domain;
		for (d[n].len = strlen(d[n].s); d[n].len > 0 &&
		    d[n].s[d[n].len - 1] == '.'; d[n].len--)
			;
		d[n++].idx = i;
	}
	qsort(d, n, sizeof(*d), rptdb_store_dom_cmp);
	for (i = 0; i < n; i = j) {
		/* d[i..j) name one domain, in the order of the report. */
		best = d[i].idx;
		for (j = i + 1; j < n && d[j].len == d[i].len &&
		    strncasecmp(d[j].s, d[i].s, d[i].len) == 0; j++) {
			if (rptdb_store_better(&r->policies[d[j].idx],
			    &r->policies[best])) {
				counted[best] = 0;
				best = d[j].idx;
			} else {
				counted[d[j].idx] = 0;
			}
		}
	}
	free(d);
}

/*
 * The policies.counted values rptdb_report_add() gives the rows of r,
 * without reading them back: alerts after the commit need them for
 * every new report (a query per report was 3 % of rptparse's CPU).
 */
void
rptdb_policies_counted(const struct tlsrpt_report *r, int *counted)
{
	rptdb_store_counted(r, counted);
}

/*
 * Whether a report stored with this via and dkim_result counts under
 * report_require_dkim as it is now: RPTDB_COUNTS_SQL in C (a NULL
 * dkim_result is stored as "none").
 */
int
rptdb_counts(const char *via, const char *dkim_result)
{
	return !rptdb_require_dkim() || rptdb_trusted(via, dkim_result);
}

/* RPTDB_TRUSTED_SQL in C. */
int
rptdb_trusted(const char *via, const char *dkim_result)
{
	return (via != NULL && strcmp(via, "https") == 0) ||
	    (dkim_result != NULL && strcmp(dkim_result, "pass") == 0);
}

_Static_assert(RPTDB_POLICY_ROWS >= 8, "an 8-row insert binds 8 slots");

/* The statements that insert 8, 4, 2 and 1 policies, largest first. */
static const struct {
	size_t	 rows;
	int	 st;
} rptdb_store_chunks[] = {
	{ 8, RPTDB_ST_POLICY8 },
	{ 4, RPTDB_ST_POLICY4 },
	{ 2, RPTDB_ST_POLICY2 },
	{ 1, RPTDB_ST_POLICY },
};

/* Policy idx of r into row slot (0 to RPTDB_POLICY_ROWS - 1) of st. */
static void
rptdb_store_bind_policy(struct rptdb *s, struct sqldb_stmt *st, size_t slot,
    int64_t report, const struct tlsrpt_report *r, size_t idx, int counted)
{
	const struct tlsrpt_policy *p = &r->policies[idx];
	int b = (int)slot * RPTDB_POLICY_COLUMNS;

	sqldb_bind_int64(st, b + 1, report);
	sqldb_bind_int64(st, b + 2, (long long)idx);
	rptdb_text(st, b + 3, p->type);
	rptdb_text(st, b + 4, rptdb_store_domain(&s->domain[slot], p->domain));
	/* The list's form: lower case, no final dot. */
	rptdb_text(st, b + 5, s->added.hosted[idx]);
	rptdb_text(st, b + 6, rptdb_store_list(&s->strings[slot], p->strings,
	    p->nstrings));
	rptdb_text(st, b + 7, rptdb_store_list(&s->mx[slot], p->mx_hosts,
	    p->nmx_hosts));
	sqldb_bind_int64(st, b + 8, p->success_count);
	sqldb_bind_int64(st, b + 9, p->failure_count);
	sqldb_bind_int64(st, b + 10, counted);
}

/*
 * An insert of policies from..from+k-1 of r: each row's id to its place
 * (idx) in s->added.policy, as PostgreSQL returns them (RETURNING id,
 * idx, in whatever order) or by SQLite's rowid rule.
 */
static int
rptdb_store_policy_ids(struct rptdb *s, struct sqldb_stmt *st, size_t from,
    size_t k, struct buf *err)
{
	size_t got = 0, j;
	long long idx;
	int64_t last;
	int rc;

	if (!s->pg) {
		/* SQLite: consecutive rowids, the last one last_insert_rowid. */
		if (rptdb_store_step(s, st, "insert policy", err) < 0)
			return -1;
		last = sqldb_last_id(s->db);
		for (j = 0; j < k; j++)
			s->added.policy[from + j] = last - (int64_t)(k - 1 - j);
		return 0;
	}
	while ((rc = sqldb_step(st)) == SQLDB_ROW) {
		idx = sqldb_int(st, 1);
		if (idx < (long long)from || idx >= (long long)(from + k))
			break;
		s->added.policy[idx] = sqldb_int(st, 0);
		got++;
	}
	if (rc < 0) {
		buf_printf(err, "%s: insert policy: %s", sqldb_name(s->db),
		    sqldb_errmsg(st));
		sqldb_reset(st);
		return -1;
	}
	sqldb_reset(st);
	if (rc != SQLDB_DONE || got != k) {
		buf_printf(err, "%s: insert policy: %zu ids returned for %zu"
		    " rows", sqldb_name(s->db), got, k);
		return -1;
	}
	return 0;
}

/* A policy with its failure details, which need its row id. */
static int
rptdb_store_policy(struct rptdb *s, int64_t report,
    const struct tlsrpt_report *r, size_t idx, int counted, struct buf *err)
{
	const struct tlsrpt_policy *p = &r->policies[idx];
	struct sqldb_stmt *st = s->st[RPTDB_ST_POLICY];
	int64_t id;
	size_t i;

	rptdb_store_bind_policy(s, st, 0, report, r, idx, counted);
	if (rptdb_store_policy_ids(s, st, idx, 1, err) < 0)
		return -1;
	id = s->added.policy[idx];
	for (i = 0; i < p->ndetails; i++)
		if (rptdb_store_failure(s, id, &p->details[i], err) < 0)
			return -1;
	return 0;
}

/*
 * Policies from..to-1 of r, none with failure details, in inserts of 8,
 * 4, 2 and 1 rows, in their order (rptdb_store_policy_ids()).
 */
static int
rptdb_store_policies(struct rptdb *s, int64_t report,
    const struct tlsrpt_report *r, size_t from, size_t to,
    const int *counted, struct buf *err)
{
	struct sqldb_stmt *st;
	size_t c, j, k;

	while (from < to) {
		for (c = 0; rptdb_store_chunks[c].rows > to - from; c++)
			;
		k = rptdb_store_chunks[c].rows;
		st = s->st[rptdb_store_chunks[c].st];
		for (j = 0; j < k; j++)
			rptdb_store_bind_policy(s, st, j, report, r, from + j,
			    counted[from + j]);
		if (rptdb_store_policy_ids(s, st, from, k, err) < 0)
			return -1;
		from += k;
	}
	return 0;
}

static int
rptdb_store_deviation(struct rptdb *s, int64_t report, size_t idx,
    const char *text, struct buf *err)
{
	struct sqldb_stmt *st = s->st[RPTDB_ST_DEVIATION];

	sqldb_bind_int64(st, 1, report);
	sqldb_bind_int64(st, 2, (long long)idx);
	rptdb_text(st, 3, text);
	return rptdb_store_step(s, st, "insert deviation", err);
}

/* The row of a report with the same key, 0 when none, -1 on error. */
static int64_t
rptdb_store_find(struct rptdb *s, const struct tlsrpt_report *r,
    struct buf *err)
{
	struct sqldb_stmt *st = s->st[RPTDB_ST_FIND];
	int64_t id = 0;
	int rc;

	rptdb_text(st, 1, r->organization);
	rptdb_text(st, 2, r->report_id);
	sqldb_bind_int64(st, 3, (long long)r->start);
	sqldb_bind_int64(st, 4, (long long)r->end);
	if ((rc = rptdb_store_id(s, st, "look up report", &id, err)) < 0)
		return -1;
	return rc == 1 ? id : 0;
}

/* Counts (0 or more) add up without overflow. */
static int64_t rptdb_store_sum(int64_t, int64_t);

/*
 * n into the row of totals of trusted, kind and result: held until the
 * commit, so that a transaction of many reports adds to each row once
 * (an upsert per row and report cost rptparse 8 % of its CPU in
 * bench/rptparse); at RPTDB_PENDING_MAX rows held, written at once.
 */
static int
rptdb_store_total(struct rptdb *s, int trusted, int kind, const char *result,
    int64_t n, struct buf *err)
{
	struct rptdb_pending *p;
	size_t i;

	if (n <= 0)
		return 0;
	for (i = 0; i < s->npending; i++) {
		p = &s->pending[i];
		if (p->trusted == trusted && p->kind == kind &&
		    strcmp(p->result, result) == 0) {
			p->sessions = rptdb_store_sum(p->sessions, n);
			return 0;
		}
	}
	if (s->npending == RPTDB_PENDING_MAX &&
	    rptdb_pending_flush(s, err) < 0)
		return -1;
	p = &s->pending[s->npending++];
	p->trusted = trusted;
	p->kind = kind;
	p->result = xstrdup(result);
	p->sessions = n;
	return 0;
}

static int
rptdb_pending_cmp(const void *a, const void *b)
{
	const struct rptdb_pending *x = a, *y = b;

	if (x->trusted != y->trusted)
		return x->trusted - y->trusted;
	if (x->kind != y->kind)
		return x->kind - y->kind;
	return strcmp(x->result, y->result);
}

/*
 * Writes the rows held for totals; they are dropped either way.  On
 * PostgreSQL in key order, as reporters (rptdb_reporters.c): two nodes
 * lock the rows of totals they share in the same order.
 */
int
rptdb_pending_flush(struct rptdb *s, struct buf *err)
{
	struct sqldb_stmt *st = s->st[RPTDB_ST_TOTAL];
	struct rptdb_pending *p;
	size_t i;
	int rc = 0;

	if (s->pg && s->npending > 1)
		qsort(s->pending, s->npending, sizeof(*s->pending),
		    rptdb_pending_cmp);

	for (i = 0; i < s->npending && rc == 0; i++) {
		p = &s->pending[i];
		sqldb_bind_int64(st, 1, p->trusted);
		sqldb_bind_int64(st, 2, p->kind);
		rptdb_text(st, 3, p->result);
		sqldb_bind_int64(st, 4, p->sessions);
		rc = rptdb_store_step(s, st, "add to totals", err);
	}
	rptdb_pending_clear(s);
	return rc;
}

void
rptdb_pending_clear(struct rptdb *s)
{
	size_t i;

	for (i = 0; i < s->npending; i++)
		free(s->pending[i].result);
	s->npending = 0;
}

/* Counts (0 or more) add up without overflow. */
static int64_t
rptdb_store_sum(int64_t a, int64_t b)
{
	return b > INT64_MAX - a ? INT64_MAX : a + b;
}

/*
 * What the counted policies of a report add to the table totals
 * (REPORTS.DB): successful sessions, failed ones (the larger of a
 * policy's summary and its details), and by result type, with the
 * failed sessions in no detail as RPTDB_NOT_DETAILED.
 */
static int
rptdb_store_totals(struct rptdb *s, const struct tlsrpt_report *r,
    const int *counted, int trusted, struct buf *err)
{
	const struct tlsrpt_policy *p;
	int64_t ok = 0, bad = 0, none = 0, det;
	size_t i, j;

	for (i = 0; i < r->npolicies; i++) {
		if (!counted[i])
			continue;
		p = &r->policies[i];
		for (j = 0, det = 0; j < p->ndetails; j++) {
			det = rptdb_store_sum(det,
			    p->details[j].failed_session_count);
			if (rptdb_store_total(s, trusted, RPTDB_TOTAL_TYPE,
			    p->details[j].result_type,
			    p->details[j].failed_session_count, err) < 0)
				return -1;
		}
		ok = rptdb_store_sum(ok, p->success_count);
		bad = rptdb_store_sum(bad, p->failure_count > det ?
		    p->failure_count : det);
		if (p->failure_count > det)
			none = rptdb_store_sum(none, p->failure_count - det);
	}
	if (rptdb_store_total(s, trusted, RPTDB_TOTAL_SESSIONS, "successful",
	    ok, err) < 0 || rptdb_store_total(s, trusted,
	    RPTDB_TOTAL_SESSIONS, "failed", bad, err) < 0)
		return -1;
	return rptdb_store_total(s, trusted, RPTDB_TOTAL_TYPE,
	    RPTDB_NOT_DETAILED, none, err);
}

int
rptdb_report_add(struct rptdb *s, const struct tlsrpt_report *r,
    const struct rptdb_meta *meta, rptdb_hosted_fn *hosted, void *arg,
    int64_t *rowid, struct buf *err)
{
	struct sqldb_stmt *st = s->st[RPTDB_ST_REPORT];
	size_t i, run, ndev = 0;
	const int *counted;
	int *own = NULL, rc = 0;

	/*
	 * A report already stored (the same organization, report-id and
	 * date range: reports' UNIQUE key) is not inserted again; the
	 * insert finds it in that key's index, and only then is its row
	 * looked up: one search of the index for a new report, not two.
	 * The unique key decides between two writers (two nodes on one
	 * PostgreSQL database): the second insert waits for the first
	 * one's transaction, then inserts nothing if it committed, and
	 * the report is a duplicate here, as one stored earlier is.
	 */
	rptdb_text(st, 1, r->organization);
	rptdb_text(st, 2, r->contact);
	rptdb_text(st, 3, r->report_id);
	sqldb_bind_int64(st, 4, (long long)r->start);
	sqldb_bind_int64(st, 5, (long long)r->end);
	sqldb_bind_int64(st, 6, (long long)meta->received);
	rptdb_text(st, 7, meta->via);
	rptdb_text(st, 8, meta->submitter);
	rptdb_text(st, 9, meta->sha256);
	rptdb_text(st, 10, meta->spool_id);
	rptdb_text(st, 11, meta->dkim_result ? meta->dkim_result : "none");
	rptdb_text(st, 12, meta->dkim_domain);
	rptdb_text(st, 13, meta->dkim_selector);
	rptdb_text(st, 14, meta->dkim_reason);
	if ((rc = rptdb_store_insert(s, st, "insert report", rowid, err)) < 0)
		return -1;
	if (rc == 0) {
		if ((*rowid = rptdb_store_find(s, r, err)) == 0)
			buf_puts(err, "reports.db: insert report: neither"
			    " inserted nor found");
		return *rowid > 0 ? 0 : -1;
	}
	rc = 0;
	/* The caller's, when it needs them too (alerts): made once. */
	rptdb_added_reset(s, r);
	for (i = 0; i < r->npolicies; i++)
		s->added.hosted[i] = r->policies[i].domain != NULL ?
		    hosted(arg, r->policies[i].domain) : NULL;
	if ((counted = meta->counted) == NULL) {
		own = xcalloc(r->npolicies + 1, sizeof(*own));
		rptdb_store_counted(r, own);
		counted = own;
	}
	/* The policies between two with failure details go together. */
	for (i = 0, run = 0; i < r->npolicies && rc == 0; i++) {
		if (r->policies[i].ndetails == 0)
			continue;
		if (rptdb_store_policies(s, *rowid, r, run, i, counted,
		    err) < 0 || rptdb_store_policy(s, *rowid, r, i,
		    counted[i], err) < 0)
			rc = -1;
		run = i + 1;
	}
	if (rc == 0)
		rc = rptdb_store_policies(s, *rowid, r, run, r->npolicies,
		    counted, err);
	if (rc == 0)
		rc = rptdb_store_totals(s, r, counted, rptdb_trusted(meta->via,
		    meta->dkim_result), err);
	if (rc == 0)
		rc = rptdb_bydomain_add(s, r, *rowid, counted,
		    rptdb_trusted(meta->via, meta->dkim_result), err);
	free(own);
	if (rc < 0)
		return -1;
	if (meta->note != NULL &&
	    rptdb_store_deviation(s, *rowid, ndev++, meta->note, err) < 0)
		return -1;
	for (i = 0; i < r->ndeviations; i++)
		if (rptdb_store_deviation(s, *rowid, ndev++, r->deviations[i],
		    err) < 0)
			return -1;
	/* Outside a transaction, what is held for the commit goes now. */
	if (!s->intx && (rptdb_pending_flush(s,
	    err) < 0 || rptdb_reporters_flush(s, err) < 0 ||
	    rptdb_held_flush(s, err) < 0))
		return -1;
	return 1;
}
