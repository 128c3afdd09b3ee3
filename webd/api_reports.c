/*
 * api_reports - the API of a domain's TLS reports, under
 * /api/v1/domains/{domain}/; see domreports.h.
 * SPDX-License-Identifier: ISC
 *
 * DESCRIPTION
 *	For a token whose account holds the domain (scope_has(); any
 *	other name, hosted or not, is 404 {"error": ...}):
 *	GET .../reports?after=C&limit=N	{"reports": [...], "next": C or
 *					null}: a page, newest first
 *	GET .../reports/ID		the report (rptjson.h), with the
 *					domain's policies only; 404 for an
 *					id that is not the domain's
 *	GET .../summary?days=N		the summary of "stsctl report
 *					summary --json" (lib/rptsum)
 *	GET .../export.csv?days=N, .../export.json?days=N	attachments
 *	A bad query parameter: 400; an export over its limits: 413;
 *	reports.db not readable yet, or its database not reachable or
 *	lost during the request (domreports.h): 503 with Retry-After.
 */
#include "config.h"

#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <jansson.h>

#include "buf.h"
#include "log.h"
#include "domreports.h"
#include "repquery.h"
#include "rptdb.h"
#include "rptsum.h"
#include "scope.h"
#include "webd.h"

static void
api_reports_error(struct webd_req *r, int status, const char *why)
{
	webd_json(r, status, status == 503 ? "Retry-After: 60\r\n" : NULL,
	    json_pack("{s:s}", "error", why));
}

static void
api_reports_page(struct webd_req *r, struct rptdb *db, const char *domain,
    const struct repquery *q)
{
	struct rptdb_cursor next;
	char cur[REPQUERY_CURSOR_MAX];
	json_t *a = reports_page(db, domain, q, &next);

	if (reports_lost()) {
		json_decref(a);
		reports_unavailable(r, 1);
		return;
	}
	repquery_cursor(&next, cur, sizeof(cur));
	webd_json(r, 200, NULL, json_pack("{s:o, s:o}", "reports", a, "next",
	    next.more ? json_string(cur) : json_null()));
}

static void
api_reports_export(struct webd_req *r, struct rptdb *db, const char *domain,
    const struct repquery *q, int csv)
{
	struct buf err = BUF_INIT;
	int rc = reports_send_export(r, db, domain, q->days ? q->days :
	    REPORTS_DAYS, csv, &err);

	if (rc == -2)
		reports_unavailable(r, 1);
	else if (rc < 0)
		api_reports_error(r, 413, err.s);
	buf_free(&err);
}

static void
api_reports_summary(struct webd_req *r, struct rptdb *db, const char *domain,
    const struct repquery *q)
{
	int began = rptdb_snapshot_begin(db);
	json_t *s = rptsum_domain(db, domain, q->days ? q->days : REPORTS_DAYS,
	    r->now);

	rptdb_snapshot_end(db, began);
	if (reports_lost()) {
		json_decref(s);
		reports_unavailable(r, 1);
	} else
		webd_json(r, 200, NULL, s);
}

void
api_reports_route(struct webd_req *r, struct scope *sc, const char *name,
    const char *rest)
{
	char domain[HTTP_HOST_MAX + 1];
	struct buf err = BUF_INIT;
	enum reports_sub sub;
	struct repquery q;
	struct rptdb *db;
	int64_t id = 0;
	json_t *j;

	if (!scope_has(sc, name, domain) || reports_sub(rest, &sub, &id) < 0 ||
	    sub == REPORTS_DASHBOARD || sub == REPORTS_ONE_JSON) {
		api_reports_error(r, 404, "not found");
		return;
	}
	if (reports_query(r, &q, &err) < 0) {
		api_reports_error(r, 400, err.s);
		buf_free(&err);
		return;
	}
	if ((db = reports_db()) == NULL) {
		reports_unavailable(r, 1);
		return;
	}
	switch (sub) {
	case REPORTS_LIST:
		api_reports_page(r, db, domain, &q);
		break;
	case REPORTS_ONE:
		j = reports_one(db, domain, id);
		if (reports_lost()) {
			json_decref(j);
			reports_unavailable(r, 1);
		} else if (j == NULL)
			api_reports_error(r, 404, "no such report");
		else
			webd_json(r, 200, NULL, j);
		break;
	case REPORTS_SUMMARY:
		api_reports_summary(r, db, domain, &q);
		break;
	case REPORTS_CSV:
	case REPORTS_JSON:
		api_reports_export(r, db, domain, &q, sub == REPORTS_CSV);
		break;
	default:
		api_reports_error(r, 404, "not found");
	}
}
