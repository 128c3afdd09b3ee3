/*
 * alerts - rptparse's alerts on the reports it stores (see alerts.h).
 * SPDX-License-Identifier: ISC
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

#include <glib.h>

#include "alert.h"
#include "alerts.h"
#include "buf.h"
#include "esc.h"
#include "hosted.h"
#include "log.h"
#include "mymalloc.h"
#include "rptdb.h"
#include "rptsum.h"
#include "timefmt.h"
#include "tlsrpt.h"

#define ALERTS_DATE_SIZE	sizeof("YYYY-MM-DD")

/* The alert kinds of failure types that always alert. */
#define ALERTS_UNKNOWN_KIND	"unknown-result-type"

static const char *const alerts_always[] = {
	"sts-policy-fetch-error",
	"sts-webpki-invalid",
	NULL,
};

static double alerts_pct = 1.0;

/*
 * What this process knows of the day (the UTC day of the reports it is
 * looking at), so that most reports need no query:
 *
 * alerts_known: "domain TAB kind" of the alerts raised that day, or
 * found not to be due for the rest of it (a result type that an earlier
 * report listed stays listed); lib/alert's store would only call them
 * repeats.
 *
 * alerts_sums: each domain's sessions of the day, read from reports.db
 * once (with the highest report row then stored) and kept up to date
 * with the reports stored after it: the failure rate without a query
 * per report.
 *
 * alerts_typed: each domain's result types listed by the reports stored
 * so far, read from reports.db once and kept up to date.
 *
 * They are emptied when the day changes, when they grow past
 * ALERTS_KNOWN_MAX entries, and by alerts_forget() (the hosted domains
 * changed, so rows may have moved from one domain to another).
 */
#define ALERTS_KNOWN_MAX	100000	/* entries remembered per day */

struct alerts_sum {
	int64_t	 ok;
	int64_t	 failed;
	int64_t	 upto;			/* reports up to this row counted */
};

static GHashTable *alerts_known;
static GHashTable *alerts_sums;
static GHashTable *alerts_typed;	/* domain: set of result types */
static char alerts_day_date[sizeof("YYYY-MM-DD")];

struct alerts_ctx {
	struct rptdb *db;
	const char *hosted;		/* hosted domain, or NULL */
	const char *domain;		/* the domain alerts are about */
	const struct tlsrpt_report *r;
	const int *counted;		/* policies.counted of each policy */
	int64_t	 rowid;
	time_t	 day;			/* start of the UTC day received */
	char	 date[ALERTS_DATE_SIZE];
};

int
alerts_open(const char *state_path, double pct, struct buf *err)
{
	alerts_pct = pct;
	return state_path ? alert_store_file(state_path, err) : 0;
}

void
alerts_flush(void)
{
	alert_send();
	alert_store_flush();
}

void
alerts_close(void)
{
	alert_store_close();
	if (alerts_known != NULL) {
		g_hash_table_destroy(alerts_known);
		g_hash_table_destroy(alerts_sums);
		g_hash_table_destroy(alerts_typed);
	}
	alerts_known = alerts_sums = alerts_typed = NULL;
	alerts_day_date[0] = '\0';
}

void
alerts_forget(void)
{
	if (alerts_known != NULL)
		g_hash_table_remove_all(alerts_known);
	if (alerts_sums != NULL)
		g_hash_table_remove_all(alerts_sums);
	if (alerts_typed != NULL)
		g_hash_table_remove_all(alerts_typed);
}

/* The caches, for the day of date. */
static void
alerts_day(const char *date)
{
	if (alerts_known == NULL) {
		alerts_known = g_hash_table_new_full(g_str_hash, g_str_equal,
		    g_free, NULL);
		alerts_sums = g_hash_table_new_full(g_str_hash, g_str_equal,
		    g_free, g_free);
		alerts_typed = g_hash_table_new_full(g_str_hash, g_str_equal,
		    g_free, (GDestroyNotify)g_hash_table_destroy);
	}
	if (strcmp(alerts_day_date, date) != 0 ||
	    g_hash_table_size(alerts_known) >= ALERTS_KNOWN_MAX ||
	    g_hash_table_size(alerts_sums) >= ALERTS_KNOWN_MAX ||
	    g_hash_table_size(alerts_typed) >= ALERTS_KNOWN_MAX) {
		alerts_forget();
		snprintf(alerts_day_date, sizeof(alerts_day_date), "%s", date);
	}
}

static int
alerts_known_has(const char *domain, const char *kind)
{
	char *key = g_strconcat(domain, "\t", kind, NULL);
	int found = g_hash_table_contains(alerts_known, key);

	g_free(key);
	return found;
}

static void
alerts_known_add(const char *domain, const char *kind)
{
	g_hash_table_add(alerts_known, g_strconcat(domain, "\t", kind, NULL));
}

/* "  What it means: ...\n  Fix: ...\n" for a result type. */
static void
alerts_explain(struct buf *out, const char *type, const char *domain)
{
	const struct tlsrpt_result_info *info = tlsrpt_result_info(type);

	if (info == NULL) {
		buf_puts(out, "  What it means: \"");
		esc_text(out, type);
		buf_puts(out, "\" is not a result type of RFC 8460 section "
		    "4.3; the sender's additional-information may say more\n");
		return;
	}
	buf_puts(out, "  What it means: ");
	rptsum_subst(out, info->meaning, domain);
	buf_puts(out, "\n  Fix: ");
	rptsum_subst(out, info->fix, domain);
	buf_puts(out, "\n");
}

/* Raised, or a repeat: nothing more of that kind that day. */
static void
alerts_send(const struct alerts_ctx *c, const char *kind,
    const char *subject, const struct buf *text)
{
	if (alert_raise(c->domain, kind, c->date, subject, text->s) >= 0)
		alerts_known_add(c->domain, kind);
}

/*
 * failure-rate: the domain's sessions in the reports received that day
 * (alerts_sums, or reports.db the first time).
 */
static int
alerts_day_counts(const struct alerts_ctx *c, int64_t *ok, int64_t *failed)
{
	struct alerts_sum *sum = g_hash_table_lookup(alerts_sums, c->domain);
	struct rptdb_day_counts n;

	if (sum != NULL) {
		*ok = sum->ok;
		*failed = sum->failed;
		return 0;
	}
	if (rptdb_day_counts(c->db, c->hosted, c->domain, c->day,
	    c->day + ALERTS_DAY, &n) < 0)
		return -1;
	*ok = n.ok;
	*failed = n.failed;
	sum = g_new(struct alerts_sum, 1);
	sum->ok = n.ok;
	sum->failed = n.failed;
	sum->upto = n.upto;
	g_hash_table_insert(alerts_sums, g_strdup(c->domain), sum);
	return 0;
}


/* The report's sessions into the sums read before it was stored. */
static void
alerts_sums_add(const struct alerts_ctx *c, const struct hosted *hosted)
{
	const struct tlsrpt_policy *p;
	struct alerts_sum *sum;
	const char *domain;
	size_t i;

	for (i = 0; i < c->r->npolicies; i++) {
		p = &c->r->policies[i];
		if (p->domain == NULL || !c->counted[i])
			continue;
		domain = hosted_match(hosted, p->domain);
		if ((sum = g_hash_table_lookup(alerts_sums,
		    domain ? domain : p->domain)) == NULL || c->rowid <= sum->upto)
			continue;
		sum->ok = tlsrpt_count_add(sum->ok, p->success_count);
		sum->failed = tlsrpt_count_add(sum->failed, p->failure_count);
	}
}

/* A line of the day's failures by result type, with what to do. */
struct alerts_types_text {
	struct buf *text;
	const char *domain;
	int	 n;
};

static void
alerts_day_type(const char *type, double sessions, void *arg)
{
	struct alerts_types_text *t = arg;

	if (t->n++ == 0)
		buf_puts(t->text, "\nFailures by result type:\n");
	esc_text(t->text, type);
	buf_printf(t->text, ": %.0f sessions\n", sessions);
	alerts_explain(t->text, type, t->domain);
}

static void
alerts_day_types(const struct alerts_ctx *c, struct buf *text)
{
	struct alerts_types_text t = { text, c->domain, 0 };

	rptdb_day_types(c->db, c->hosted, c->domain, c->day,
	    c->day + ALERTS_DAY, ALERTS_TYPES_MAX, alerts_day_type, &t);
	if (t.n == 0)
		buf_puts(text, "\nThe reports give no failure details.\n");
}

static void
alerts_rate(const struct alerts_ctx *c)
{
	struct buf text = BUF_INIT;
	int64_t ok = 0, failed = 0;
	double rate, total;
	char *subject;

	if (alerts_known_has(c->domain, "failure-rate") ||
	    alerts_day_counts(c, &ok, &failed) < 0)
		return;
	/* In doubles: the sum of two counts of up to INT64_MAX. */
	total = (double)ok + (double)failed;
	if (total <= 0 || failed <= 0)
		return;
	rate = 100.0 * (double)failed / total;
	if (rate <= alerts_pct)
		return;
	subject = xasprintf("stsd: %s: %.2f%% of TLS sessions failed (%s)",
	    c->domain, rate, c->date);
	buf_printf(&text, "The TLS reports received on %s count %lld failed "
	    "of %.0f TLS sessions to %s (%.2f%%), above alert_failure_rate "
	    "(%g%%).\n", c->date, (long long)failed, total,
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

/*
 * The result types that reports stored before this one listed for the
 * domain: read from reports.db once, then kept up to date by
 * alerts_types_add(); NULL on a database error.
 */
static void
alerts_type_seen(const char *type, void *arg)
{
	g_hash_table_add(arg, g_strdup(type));
}

static GHashTable *
alerts_types_of(const struct alerts_ctx *c)
{
	GHashTable *set = g_hash_table_lookup(alerts_typed, c->domain);

	if (set != NULL)
		return set;
	set = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
	if (rptdb_types_before(c->db, c->hosted, c->domain, c->rowid,
	    alerts_type_seen, set) < 0) {
		g_hash_table_destroy(set);
		set = NULL;
	} else
		g_hash_table_insert(alerts_typed, g_strdup(c->domain), set);
	return set;
}

/* 1 when a report stored before this one listed type for the domain. */
static int
alerts_seen(const struct alerts_ctx *c, const char *type)
{
	GHashTable *set = alerts_types_of(c);

	/* On an error, take it as seen: no alert rather than a wrong one. */
	return set == NULL || g_hash_table_contains(set, type);
}

/* The report's result types into the sets read before it. */
static void
alerts_types_add(const struct alerts_ctx *c, const struct hosted *hosted)
{
	const struct tlsrpt_policy *p;
	const char *domain;
	GHashTable *set;
	size_t i, j;

	for (i = 0; i < c->r->npolicies; i++) {
		p = &c->r->policies[i];
		if (p->domain == NULL || p->ndetails == 0)
			continue;
		domain = hosted_match(hosted, p->domain);
		if ((set = g_hash_table_lookup(alerts_typed,
		    domain ? domain : p->domain)) == NULL)
			continue;
		for (j = 0; j < p->ndetails; j++)
			if (!g_hash_table_contains(set,
			    p->details[j].result_type))
				g_hash_table_add(set,
				    g_strdup(p->details[j].result_type));
	}
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
		n = tlsrpt_count_add(n, p->details[i].failed_session_count);
		host = p->details[i].receiving_mx_hostname;
		if (host == NULL || named > ALERTS_MX_MAX ||
		    (mx->len > 0 && strstr(mx->s, host) != NULL))
			continue;
		if (named++ == ALERTS_MX_MAX) {
			buf_puts(mx, ", ...");
			continue;
		}
		if (mx->len > 0)
			buf_puts(mx, ", ");
		esc_text(mx, host);
	}
	return n;
}

static void
alerts_type(const struct alerts_ctx *c, const struct tlsrpt_policy *p,
    const char *type)
{
	struct buf text = BUF_INIT, mx = BUF_INIT;
	char start[TIMEFMT_RFC3339_SIZE], end[TIMEFMT_RFC3339_SIZE];
	char *kind, *subject;
	int always = alerts_always_type(type);
	int64_t n;

	kind = always ? xstrdup(type) : xasprintf("new-result-type:%s", type);
	if (alerts_known_has(c->domain, kind)) {
		free(kind);
		return;
	}
	if (!always && alerts_seen(c, type)) {
		alerts_known_add(c->domain, kind);
		free(kind);
		return;
	}
	n = alerts_type_sum(p, type, &mx);
	if (always) {
		subject = xasprintf("stsd: %s: senders report %s (%s)",
		    c->domain, type, c->date);
	} else {
		subject = xasprintf("stsd: %s: new TLS failure type %s (%s)",
		    c->domain, type, c->date);
	}
	esc_text(&text, c->r->organization);
	buf_printf(&text, " reports %lld failed TLS sessions of type %s "
	    "to %s", (long long)n, type, c->domain);
	if (mx.len > 0)
		buf_printf(&text, " (MX %s)", mx.s);
	buf_printf(&text, " from %s to %s (report %lld, id ",
	    timefmt_rfc3339(c->r->start, start),
	    timefmt_rfc3339(c->r->end, end), (long long)c->rowid);
	esc_text(&text, c->r->report_id);
	buf_puts(&text, ").\n");
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

/*
 * Result types that RFC 8460 section 4.3 does not know, new for the
 * domain: one alert kind, "unknown-result-type", per domain and day,
 * listing at most ALERTS_TYPES_MAX of them; never a kind per type (a
 * sender may invent any number).
 */
static void
alerts_unknown(const struct alerts_ctx *c, const struct tlsrpt_policy *p)
{
	struct buf text = BUF_INIT;
	const char *type;
	char *subject;
	size_t i, j, n = 0;

	if (alerts_known_has(c->domain, ALERTS_UNKNOWN_KIND))
		return;
	for (i = 0; i < p->ndetails; i++) {
		type = p->details[i].result_type;
		if (tlsrpt_result_info(type) != NULL || alerts_seen(c, type))
			continue;
		for (j = 0; j < i; j++)
			if (strcmp(p->details[j].result_type, type) == 0)
				break;
		if (j < i)
			continue;
		if (n++ == 0) {
			esc_text(&text, c->r->organization);
			buf_printf(&text, " reports failed TLS sessions to %s "
			    "with result types that RFC 8460 section 4.3 does "
			    "not define, and that no earlier report listed for "
			    "%s:\n", c->domain, c->domain);
		}
		if (n > ALERTS_TYPES_MAX)
			continue;
		buf_puts(&text, "  ");
		esc_text(&text, type);
		buf_puts(&text, "\n");
	}
	if (n == 0) {
		buf_free(&text);
		return;
	}
	if (n > ALERTS_TYPES_MAX)
		buf_printf(&text, "  and %zu more\n", n - ALERTS_TYPES_MAX);
	buf_printf(&text, "\nThe sender's additional-information may say "
	    "more.\nMore: stsctl report show %lld\n", (long long)c->rowid);
	subject = xasprintf("stsd: %s: %zu unknown TLS failure type%s (%s)",
	    c->domain, n, n == 1 ? "" : "s", c->date);
	alerts_send(c, ALERTS_UNKNOWN_KIND, subject, &text);
	free(subject);
	buf_free(&text);
}

/* Each result type of RFC 8460 in the policy once; the others as one. */
static void
alerts_types(const struct alerts_ctx *c, const struct tlsrpt_policy *p)
{
	size_t i, j;
	int unknown = 0;

	for (i = 0; i < p->ndetails; i++) {
		if (tlsrpt_result_info(p->details[i].result_type) == NULL) {
			unknown = 1;
			continue;
		}
		for (j = 0; j < i; j++)
			if (strcmp(p->details[j].result_type,
			    p->details[i].result_type) == 0)
				break;
		if (j == i)
			alerts_type(c, p, p->details[i].result_type);
	}
	if (unknown)
		alerts_unknown(c, p);
}

/*
 * An unverified report (counts 0: stsctl(1) Counting) raises no alert,
 * and a policy that judges the same sessions as another of the report
 * (policies.counted 0, as rptdb_report_add() stored it) adds nothing to
 * the day's sums.
 */
/*
 * A report that counts from an organization whose silent-reporter alert
 * is raised for the domain clears it (rptparse/silent.c raises it).
 */
static void
alerts_silent_heard(const char *domain, const char *org)
{
	char *kind = xasprintf("%s%s", ALERTS_SILENT_KIND, org ? org : "");

	if (alert_raised(domain, kind)) {
		alert_clear(domain, kind);
		log_info("%s: %s reports again: silent-reporter alert cleared",
		    esc_printable(domain), esc_printable(org ? org : ""));
	}
	free(kind);
}

void
alerts_report(struct rptdb *db, const struct hosted *hosted,
    const struct tlsrpt_report *r, int64_t rowid, time_t received,
    int counts, const int *given)
{
	struct alerts_ctx c;
	struct tm tm;
	const int *counted = given;
	int *own = NULL;
	size_t i;

	if (!counts || r->npolicies == 0)
		return;
	if (counted == NULL) {
		own = xcalloc(r->npolicies + 1, sizeof(*own));
		rptdb_policies_counted(r, own);
		counted = own;
	}
	memset(&c, 0, sizeof(c));
	c.counted = counted;
	c.db = db;
	c.r = r;
	c.rowid = rowid;
	c.day = received - received % ALERTS_DAY;
	gmtime_r(&c.day, &tm);
	strftime(c.date, sizeof(c.date), "%Y-%m-%d", &tm);
	alerts_day(c.date);
	alerts_sums_add(&c, hosted);
	for (i = 0; i < r->npolicies; i++) {
		/* Alerts only about hosted domains: a report may name any. */
		if (r->policies[i].domain == NULL || (c.hosted =
		    hosted_match(hosted, r->policies[i].domain)) == NULL)
			continue;
		c.domain = c.hosted;
		alerts_silent_heard(c.hosted, r->organization);
		alerts_types(&c, &r->policies[i]);
		/* Without failures it can only lower the day's rate. */
		if (counted[i] && r->policies[i].failure_count > 0)
			alerts_rate(&c);
	}
	alerts_types_add(&c, hosted);
	free(own);
}
