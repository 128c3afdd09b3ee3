/*
 * alerts - rptparse's alerts on the reports it stores (see alerts.h).
 *
 * May touch: reports.db (read, through the caller's handle), the state
 * file of lib/alert, and whatever lib/alert delivers through.
 */
#include "config.h"

#include <ctype.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <sqlite3.h>

#include "alert.h"
#include "alerts.h"
#include "buf.h"
#include "db.h"
#include "hosted.h"
#include "log.h"
#include "mymalloc.h"
#include "tlsrpt.h"

#define ALERTS_DATE_SIZE	sizeof("YYYY-MM-DD")
#define ALERTS_DOMAIN_WORD	"DOMAIN"

/* The alert kinds of failure types that always alert. */
static const char *const alerts_always[] = {
	"sts-policy-fetch-error",
	"sts-webpki-invalid",
	NULL,
};

static double alerts_pct = 1.0;

/*
 * Which rows of policies belong to the domain of a policy: by hosted
 * domain when it has one, else by its policy-domain.
 */
#define ALERTS_DOMAIN_SQL \
	" ((?1 IS NOT NULL AND p.hosted_domain = ?1) OR" \
	" (?1 IS NULL AND p.hosted_domain IS NULL AND p.domain = ?2))"

struct alerts_ctx {
	sqlite3	*db;
	const char *hosted;		/* hosted domain, or NULL */
	const char *domain;		/* the domain alerts are about */
	const struct tlsrpt_report *r;
	int64_t	 rowid;
	time_t	 day;			/* start of the UTC day received */
	char	 date[ALERTS_DATE_SIZE];
};

int
alerts_rate_parse(const char *s, double *pct, struct buf *err)
{
	char *end;
	double v;

	v = strtod(s, &end);
	if (end != s && *end == '%')
		end++;
	if (end == s || *end != '\0' || !isdigit((unsigned char)*s) ||
	    !isfinite(v) || v < 0 || v > 100) {
		buf_printf(err, "parameter alert_failure_rate: bad value \"%s\":"
		    " expected a percentage from 0 to 100, such as 1%% or "
		    "0.5%%", s);
		return -1;
	}
	*pct = v;
	return 0;
}

int
alerts_open(const char *state_path, double pct, struct buf *err)
{
	alerts_pct = pct;
	return state_path ? alert_store_file(state_path, err) : 0;
}

void
alerts_flush(void)
{
	alert_store_flush();
}

void
alerts_close(void)
{
	alert_store_close();
}

static void
alerts_bind_domain(sqlite3_stmt *st, const struct alerts_ctx *c)
{
	if (c->hosted != NULL)
		sqlite3_bind_text(st, 1, c->hosted, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(st, 2, c->domain, -1, SQLITE_TRANSIENT);
}

/* text with every "DOMAIN" replaced by the domain, appended to out. */
static void
alerts_subst(struct buf *out, const char *text, const char *domain)
{
	const char *p = text, *q;
	size_t k = strlen(ALERTS_DOMAIN_WORD);

	while ((q = strstr(p, ALERTS_DOMAIN_WORD)) != NULL) {
		buf_append(out, p, (size_t)(q - p));
		buf_puts(out, domain);
		p = q + k;
	}
	buf_puts(out, p);
}

/* "  What it means: ...\n  Fix: ...\n" for a result type. */
static void
alerts_explain(struct buf *out, const char *type, const char *domain)
{
	const struct tlsrpt_result_info *info = tlsrpt_result_info(type);

	if (info == NULL) {
		buf_printf(out, "  What it means: \"%s\" is not a result type "
		    "of RFC 8460 section 4.3; the sender's "
		    "additional-information may say more\n", type);
		return;
	}
	buf_puts(out, "  What it means: ");
	alerts_subst(out, info->meaning, domain);
	buf_puts(out, "\n  Fix: ");
	alerts_subst(out, info->fix, domain);
	buf_puts(out, "\n");
}

static void
alerts_send(const struct alerts_ctx *c, const char *kind,
    const char *subject, const struct buf *text)
{
	alert_raise(c->domain, kind, c->date, subject, text->s);
}

/*
 * failure-rate: the domain's sessions in the reports received that day.
 */
static int
alerts_day_counts(const struct alerts_ctx *c, int64_t *ok, int64_t *failed)
{
	sqlite3_stmt *st = db_prepare(c->db, "SELECT"
	    " TOTAL(p.success_count), TOTAL(p.failure_count)"
	    " FROM policies p JOIN reports r ON r.id = p.report"
	    " WHERE" ALERTS_DOMAIN_SQL " AND r.received >= ?3 AND"
	    " r.received < ?4");
	int rc;

	alerts_bind_domain(st, c);
	sqlite3_bind_int64(st, 3, (sqlite3_int64)c->day);
	sqlite3_bind_int64(st, 4, (sqlite3_int64)c->day + ALERTS_DAY);
	if ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		*ok = (int64_t)sqlite3_column_double(st, 0);
		*failed = (int64_t)sqlite3_column_double(st, 1);
	} else
		log_warn("reports.db: failure rate of %s: %s", c->domain,
		    sqlite3_errmsg(c->db));
	sqlite3_finalize(st);
	return rc == SQLITE_ROW ? 0 : -1;
}

static void
alerts_day_types(const struct alerts_ctx *c, struct buf *text)
{
	sqlite3_stmt *st = db_prepare(c->db, "SELECT f.result_type,"
	    " TOTAL(f.failed_session_count) AS n FROM failures f"
	    " JOIN policies p ON p.id = f.policy"
	    " JOIN reports r ON r.id = p.report"
	    " WHERE" ALERTS_DOMAIN_SQL " AND r.received >= ?3 AND"
	    " r.received < ?4 GROUP BY f.result_type ORDER BY n DESC,"
	    " f.result_type LIMIT ?5");
	const char *type;
	int n = 0;

	alerts_bind_domain(st, c);
	sqlite3_bind_int64(st, 3, (sqlite3_int64)c->day);
	sqlite3_bind_int64(st, 4, (sqlite3_int64)c->day + ALERTS_DAY);
	sqlite3_bind_int(st, 5, ALERTS_TYPES_MAX);
	while (sqlite3_step(st) == SQLITE_ROW) {
		type = (const char *)sqlite3_column_text(st, 0);
		if (n++ == 0)
			buf_puts(text, "\nFailures by result type:\n");
		buf_printf(text, "%s: %.0f sessions\n", type,
		    sqlite3_column_double(st, 1));
		alerts_explain(text, type, c->domain);
	}
	sqlite3_finalize(st);
	if (n == 0)
		buf_puts(text, "\nThe reports give no failure details.\n");
}

static void
alerts_rate(const struct alerts_ctx *c)
{
	struct buf text = BUF_INIT;
	int64_t ok = 0, failed = 0, total;
	double rate;
	char *subject;

	if (alerts_day_counts(c, &ok, &failed) < 0)
		return;
	total = ok + failed;
	if (total <= 0 || failed <= 0)
		return;
	rate = 100.0 * (double)failed / (double)total;
	if (rate <= alerts_pct)
		return;
	subject = xasprintf("stsd: %s: %.2f%% of TLS sessions failed (%s)",
	    c->domain, rate, c->date);
	buf_printf(&text, "The TLS reports received on %s count %lld failed "
	    "of %lld TLS sessions to %s (%.2f%%), above alert_failure_rate "
	    "(%g%%).\n", c->date, (long long)failed, (long long)total,
	    c->domain, rate, alerts_pct);
	alerts_day_types(c, &text);
	buf_printf(&text, "\nMore: stsctl report summary %s --days 1\n",
	    c->domain);
	alerts_send(c, "failure-rate", subject, &text);
	free(subject);
	buf_free(&text);
}

/*
 * Result types: the two that always alert, and those new for the domain.
 */
static int
alerts_always_type(const char *type)
{
	size_t i;

	for (i = 0; alerts_always[i] != NULL; i++)
		if (strcmp(type, alerts_always[i]) == 0)
			return 1;
	return 0;
}

/* 1 when a report other than this one listed type for the domain. */
static int
alerts_seen(const struct alerts_ctx *c, const char *type)
{
	sqlite3_stmt *st = db_prepare(c->db, "SELECT 1 FROM failures f"
	    " JOIN policies p ON p.id = f.policy WHERE" ALERTS_DOMAIN_SQL
	    " AND f.result_type = ?3 AND p.report <> ?4 LIMIT 1");
	int rc;

	alerts_bind_domain(st, c);
	sqlite3_bind_text(st, 3, type, -1, SQLITE_TRANSIENT);
	sqlite3_bind_int64(st, 4, (sqlite3_int64)c->rowid);
	rc = sqlite3_step(st);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		log_warn("reports.db: result types of %s: %s", c->domain,
		    sqlite3_errmsg(c->db));
	sqlite3_finalize(st);
	/* On an error, take it as seen: no alert rather than a wrong one. */
	return rc != SQLITE_DONE;
}

/* The failures of one result type in policy p: sessions, MX hosts. */
static int64_t
alerts_type_sum(const struct tlsrpt_policy *p, const char *type,
    struct buf *mx)
{
	int64_t n = 0;
	size_t i, named = 0;
	const char *host;

	for (i = 0; i < p->ndetails; i++) {
		if (strcmp(p->details[i].result_type, type) != 0)
			continue;
		if (p->details[i].failed_session_count > INT64_MAX - n)
			n = INT64_MAX;
		else
			n += p->details[i].failed_session_count;
		host = p->details[i].receiving_mx_hostname;
		if (host == NULL || named > ALERTS_MX_MAX ||
		    (mx->len > 0 && strstr(mx->s, host) != NULL))
			continue;
		if (named++ == ALERTS_MX_MAX) {
			buf_puts(mx, ", ...");
			continue;
		}
		buf_printf(mx, "%s%s", mx->len ? ", " : "", host);
	}
	return n;
}

static void
alerts_type(const struct alerts_ctx *c, const struct tlsrpt_policy *p,
    const char *type)
{
	struct buf text = BUF_INIT, mx = BUF_INIT;
	char start[TLSRPT_TIME_SIZE], end[TLSRPT_TIME_SIZE];
	char *kind, *subject;
	int always = alerts_always_type(type);
	int64_t n;

	if (!always && alerts_seen(c, type))
		return;
	n = alerts_type_sum(p, type, &mx);
	if (always) {
		kind = xstrdup(type);
		subject = xasprintf("stsd: %s: senders report %s (%s)",
		    c->domain, type, c->date);
	} else {
		kind = xasprintf("new-result-type:%s", type);
		subject = xasprintf("stsd: %s: new TLS failure type %s (%s)",
		    c->domain, type, c->date);
	}
	buf_printf(&text, "%s reports %lld failed TLS sessions of type %s "
	    "to %s", c->r->organization, (long long)n, type, c->domain);
	if (mx.len > 0)
		buf_printf(&text, " (MX %s)", mx.s);
	buf_printf(&text, " from %s to %s (report %lld, id %s).\n",
	    tlsrpt_time_format(c->r->start, start),
	    tlsrpt_time_format(c->r->end, end), (long long)c->rowid,
	    c->r->report_id);
	if (!always)
		buf_printf(&text, "No earlier report listed %s for %s.\n",
		    type, c->domain);
	buf_puts(&text, "\n");
	buf_printf(&text, "%s:\n", type);
	alerts_explain(&text, type, c->domain);
	buf_printf(&text, "\nMore: stsctl report show %lld\n",
	    (long long)c->rowid);
	alerts_send(c, kind, subject, &text);
	free(kind);
	free(subject);
	buf_free(&text);
	buf_free(&mx);
}

/* Each result type of the policy once. */
static void
alerts_types(const struct alerts_ctx *c, const struct tlsrpt_policy *p)
{
	size_t i, j;

	for (i = 0; i < p->ndetails; i++) {
		for (j = 0; j < i; j++)
			if (strcmp(p->details[j].result_type,
			    p->details[i].result_type) == 0)
				break;
		if (j == i)
			alerts_type(c, p, p->details[i].result_type);
	}
}

void
alerts_report(sqlite3 *db, const struct hosted *hosted,
    const struct tlsrpt_report *r, int64_t rowid, time_t received)
{
	struct alerts_ctx c;
	struct tm tm;
	size_t i;

	memset(&c, 0, sizeof(c));
	c.db = db;
	c.r = r;
	c.rowid = rowid;
	c.day = received - received % ALERTS_DAY;
	gmtime_r(&c.day, &tm);
	strftime(c.date, sizeof(c.date), "%Y-%m-%d", &tm);
	for (i = 0; i < r->npolicies; i++) {
		if (r->policies[i].domain == NULL)
			continue;
		c.hosted = hosted_match(hosted, r->policies[i].domain);
		c.domain = c.hosted ? c.hosted : r->policies[i].domain;
		alerts_types(&c, &r->policies[i]);
		alerts_rate(&c);
	}
}
