/*
 * dashboard_fetches - the part of a domain's section of the HTML pages
 * that puts each sts-policy-fetch-error and sts-webpki-invalid failure
 * of the window beside what httpd saw from its sending-mta-ip (the line
 * of "stsctl report show", lib/fetchdb).
 * SPDX-License-Identifier: ISC
 *
 * The failures are those of the counted reports of the window (the rows
 * of lib/rptsum), at most DASHBOARD_FETCH_POLICIES policies of them;
 * fetches.db is opened read-only on first need, once per page.
 */
#include "config.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <jansson.h>

#include "buf.h"
#include "dashboard.h"
#include "dashboard_page.h"
#include "fetchdb.h"
#include "html.h"
#include "mymalloc.h"
#include "params.h"
#include "rptdb.h"
#include "rptsum.h"
#include "rptsum_rows.h"

#define DASHBOARD_FETCH_POLICIES	20	/* policies looked at */

struct dash_fetch_ctx {
	struct dash *d;
	int64_t	 report;
	const char *org;
	time_t	 start, end;
	int	 rows;
};

static int
dash_fetch_type(const char *type)
{
	return type != NULL && (strcmp(type, "sts-policy-fetch-error") == 0 ||
	    strcmp(type, "sts-webpki-invalid") == 0);
}

static struct fetchdb *
dash_fetchdb(struct dash *d)
{
	struct buf err = BUF_INIT;
	char *path;

	if (d->fetches_tried)
		return d->fetches;
	d->fetches_tried = 1;
	path = xasprintf("%s/%s", var_data_directory, FETCHDB_FILE);
	if (access(path, R_OK) == 0)
		d->fetches = fetchdb_open(path, &err);
	free(path);
	buf_free(&err);
	return d->fetches;
}

static void
dash_fetch_cell(struct dash *d, const char *cls, const char *s)
{
	buf_printf(d->out, "<td class=\"%s\">", cls);
	html_escape(d->out, s ? s : "-");
	buf_puts(d->out, "</td>");
}

static void
dash_fetch_failure(const struct rptdb_failure *f, void *arg)
{
	struct dash_fetch_ctx *c = arg;
	struct buf line = BUF_INIT;
	char id[24];

	if (!dash_fetch_type(f->result_type) ||
	    fetchdb_failure_line(dash_fetchdb(c->d), f->result_type,
	    f->sending_mta_ip, c->start, c->end, &line) <= 0) {
		buf_free(&line);
		return;
	}
	if (c->rows++ == 0)
		buf_puts(c->d->out, "<h3>Policy fetch failures and what httpd"
		    " saw</h3><table class=\"fetches\"><tr><th>report</th>"
		    "<th>sender</th><th>result type</th><th>sending-mta-ip"
		    "</th><th>httpd saw</th></tr>\n");
	snprintf(id, sizeof(id), "%lld", (long long)c->report);
	buf_printf(c->d->out, "<tr class=\"fetch-failure\" data-report=\"%s\">",
	    id);
	dash_fetch_cell(c->d, "report", id);
	dash_fetch_cell(c->d, "sender", c->org);
	dash_fetch_cell(c->d, "type", f->result_type);
	dash_fetch_cell(c->d, "ip", f->sending_mta_ip);
	dash_fetch_cell(c->d, "httpd-saw", line.s);	/* esc_text'd, then HTML */
	buf_puts(c->d->out, "</tr>\n");
	buf_free(&line);
}

static void
dash_fetch_report(const struct rptdb_report *r, void *arg)
{
	struct dash_fetch_ctx *c = arg;

	c->start = r->start;
	c->end = r->end;
}

/* Has policy come before index i of the failures taken? */
static int
dash_fetch_seen(const struct rptsum_rows *rows, size_t i)
{
	size_t j;

	for (j = 0; j < i; j++)
		if (rows->fail[j].policy == rows->fail[i].policy &&
		    dash_fetch_type(rows->fail[j].type))
			return 1;
	return 0;
}

void
dash_fetches(struct dash *d, const struct rptsum_rows *rows)
{
	struct dash_fetch_ctx c;
	time_t since = d->now - (time_t)d->days * RPTSUM_DAY;
	size_t i, k;
	int policies = 0;

	if (rows == NULL || d->db == NULL)
		return;
	memset(&c, 0, sizeof(c));
	c.d = d;
	for (i = 0; i < rows->nfail && policies < DASHBOARD_FETCH_POLICIES;
	    i++) {
		const struct rptsum_fail *f = &rows->fail[i];

		if (f->end <= since || !dash_fetch_type(f->type) ||
		    dash_fetch_seen(rows, i))
			continue;
		for (k = 0; k < rows->nrow && rows->row[k].policy != f->policy;
		    k++)
			;
		if (k == rows->nrow)
			continue;
		c.report = rows->row[k].report;
		c.org = rows->row[k].org;
		if (rptdb_report_get(d->db, c.report, dash_fetch_report, &c) < 0)
			continue;
		policies++;
		rptdb_policy_failures(d->db, f->policy, dash_fetch_failure, &c);
	}
	if (c.rows > 0)
		buf_puts(d->out, "</table>\n");
}
