/*
 * reports_summary - "stsctl report summary": what the reports of one
 * domain say (lib/rptsum), as text or JSON; see reports.h.
 * SPDX-License-Identifier: ISC
 */
#include "config.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <jansson.h>

#include "buf.h"
#include "cfg.h"
#include "dashboard.h"
#include "esc.h"
#include "mymalloc.h"
#include "plural.h"
#include "proto.h"
#include "reports.h"
#include "rptdb.h"
#include "rptsum.h"
#include "perm.h"
#include "stsctl.h"
#include "usage.h"
#include "table.h"
#include "timefmt.h"
#include "tlsrpt.h"

#define REPORT_BAR_WIDTH	40	/* characters of the longest trend bar */

/*
 * summary: the numbers are lib/rptsum's, shared with the HTML pages.
 */
static void
report_print_groups(const char *title, json_t *a, const char *key,
    const char *nokey)
{
	struct table *t;
	json_t *g;
	size_t i;
	char n[32], *k;

	printf("\n%s:\n", title);
	if (json_array_size(a) == 0) {
		printf("    none\n");
		return;
	}
	t = table_new(2, NULL);
	json_array_foreach(a, i, g) {
		const char *v = json_string_value(json_object_get(g, key));

		k = xasprintf("    %s", v ? report_esc(v) : nokey);
		snprintf(n, sizeof(n), "%lld", (long long)json_integer_value(
		    json_object_get(g, "sessions")));
		table_row(t, k, n);
		free(k);
	}
	table_print(t, stdout);
	table_free(t);
}

static void
report_print_trend(json_t *days)
{
	long long max = 1, ok, bad;
	char rate[RPTSUM_RATE_SIZE];
	json_t *d;
	size_t i;
	int w;

	printf("\nby day (# successful, x failed):\n");
	json_array_foreach(days, i, d) {
		ok = json_integer_value(json_object_get(d, "successful"));
		bad = json_integer_value(json_object_get(d, "failed"));
		if (rptsum_add(ok, bad) > max)
			max = rptsum_add(ok, bad);
	}
	json_array_foreach(days, i, d) {
		ok = json_integer_value(json_object_get(d, "successful"));
		bad = json_integer_value(json_object_get(d, "failed"));
		printf("    %s %10lld %7s ", json_string_value(
		    json_object_get(d, "day")), rptsum_add(ok, bad),
		    rptsum_rate_text(ok, bad, rate, sizeof(rate)));
		/* In double: REPORT_BAR_WIDTH * ok may pass the top. */
		for (w = 0; w < (int)(REPORT_BAR_WIDTH * (double)ok /
		    (double)max); w++)
			putchar('#');
		for (w = 0; bad > 0 && w < (int)(REPORT_BAR_WIDTH *
		    (double)bad / (double)max + 0.999); w++)
			putchar('x');
		putchar('\n');
	}
	if (json_array_size(days) == 0)
		printf("    none\n");
}

/* The regular reporters that went quiet (rptsum_silent). */
static void
report_print_silent(json_t *silent)
{
	json_t *g;
	size_t i;

	printf("\nsilent reporters:\n");
	json_array_foreach(silent, i, g) {
		long long days = json_integer_value(json_object_get(g,
		    "days"));

		printf("    %s (last report %s, %lld %s ago)\n", report_esc(
		    json_string_value(json_object_get(g,
		    "organization-name"))), json_string_value(json_object_get(
		    g, "last-report-day")), days, plural(days, "day", "days"));
	}
	if (json_array_size(silent) == 0)
		printf("    none\n");
}

/*
 * Whether a domain is known: it has stored reports, or policyd hosts
 * it.  A name that is neither is a typo, not a domain without failures.
 */
static int
report_domain_known(struct rptdb *db, const char *arg, struct buf *why)
{
	char *name = rptsum_domain_name(arg);
	json_t *reply;
	int known;

	known = rptdb_domain_known(db, name);
	if (!known) {
		reply = stsctl_request(json_pack("{s:s, s:s}", "op",
		    PROTO_OP_DOMAIN_SHOW, "domain", name), why);
		known = reply != NULL;
		json_decref(reply);
	}
	free(name);
	return known;
}

int
report_summary(struct rptdb *db, const struct report_opts *o)
{
	long long ok, bad, reports, unv;
	char rate[RPTSUM_RATE_SIZE];
	struct buf why = BUF_INIT;
	json_t *r;
	int began;

	if (o->arg == NULL)
		report_usage();
	if (!report_domain_known(db, o->arg, &why))
		stsctl_die("report summary %s: no report stored for this"
		    " domain, and policyd says: %s", report_esc(o->arg),
		    report_esc(why.s));
	buf_free(&why);
	/*
	 * The summary reads the domain's rows four times (policies,
	 * failure details, unverified reports, silent reporters): one
	 * snapshot, and a page cache that keeps them between the reads
	 * (bench/reports: a busy domain at 10^7 reports).
	 */
	rptdb_pages_tune(db);
	began = rptdb_snapshot_begin(db);
	r = rptsum_domain(db, o->arg, o->days, time(NULL));
	rptdb_snapshot_end(db, began);
	ok = json_integer_value(json_object_get(r, "successful"));
	bad = json_integer_value(json_object_get(r, "failed"));
	reports = json_integer_value(json_object_get(r, "reports"));
	unv = json_integer_value(json_object_get(r, "unverified"));
	if (o->json) {
		report_print_json(r);
	} else {
		printf("domain %s, last %d %s: %lld %s, %lld %s,"
		    " %lld failed, %s successful\n", report_esc(
		    json_string_value(json_object_get(r, "domain"))), o->days,
		    plural(o->days, "day", "days"), reports, plural(reports,
		    "report", "reports"), rptsum_add(ok, bad),
		    plural(rptsum_add(ok, bad), "session", "sessions"), bad,
		    rptsum_rate_text(ok,
		    bad, rate, sizeof(rate)));
		if (unv > 0)
			printf("(%lld unverified report%s not counted: stsctl"
			    " report list --unverified --domain %s)\n", unv,
			    unv == 1 ? "" : "s", report_esc(json_string_value(
			    json_object_get(r, "domain"))));
		report_print_groups("failed sessions by result type",
		    json_object_get(r, "by-result-type"), "result-type",
		    "(not in the failure details)");
		report_print_groups("failed sessions by MX host",
		    json_object_get(r, "by-mx-host"), "receiving-mx-hostname",
		    "-");
		printf("\nby sending organization:\n");
		{
			struct table *t = table_new(4, "    ORGANIZATION",
			    "SESSIONS", "FAILED", "SUCCESS");
			json_t *g;
			size_t i;

			json_array_foreach(json_object_get(r, "by-organization"),
			    i, g) {
				long long gok = json_integer_value(
				    json_object_get(g, "successful"));
				long long gbad = json_integer_value(
				    json_object_get(g, "failed"));
				char n[32], f[32], p[32], *k = xasprintf("    %s",
				    report_esc(json_string_value(json_object_get(
				    g, "organization-name"))));

				snprintf(n, sizeof(n), "%lld",
				    rptsum_add(gok, gbad));
				snprintf(f, sizeof(f), "%lld", gbad);
				rptsum_rate_text(gok, gbad, p, sizeof(p));
				table_row(t, k, n, f, p);
				free(k);
			}
			table_print_or(t, stdout, "    none");
			table_free(t);
		}
		report_print_trend(json_object_get(r, "by-day"));
		report_print_silent(json_object_get(r, "silent-reporters"));
	}
	json_decref(r);
	return 0;
}

