/*
 * domreports - webd's reads of reports.db for one of the account's
 * domains; see domreports.h.
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
#include "dashboard.h"
#include "log.h"
#include "mymalloc.h"
#include "params.h"
#include "domreports.h"
#include "repquery.h"
#include "rptdb.h"
#include "rptjson.h"
#include "rptsum.h"
#include "scopecache.h"
#include "timefmt.h"

static struct rptdb *reports_handle;
static time_t reports_logged;
static int64_t reports_next_ms;		/* no open before (monotonic ms) */
static int reports_out;			/* the last open failed, or lost */
static int reports_outage;		/* lost: say when back */

/*
 * One try to open reports.db; a failure logged once per REPORTS_RETRY.
 * On PostgreSQL, where each try is a connection, the next one waits
 * REPORTS_RECONNECT_MS; SQLite's file is tried at each request.
 */
static void
reports_try(time_t now)
{
	struct buf err = BUF_INIT;
	int64_t ms = scopecache_now_ms();

	if (ms < reports_next_ms)
		return;
	if ((reports_handle = dashboard_reports_open(&err)) != NULL) {
		rptdb_pages_tune(reports_handle);
		if (reports_outage)
			log_info("reports database: connected again");
		reports_out = reports_outage = 0;
		reports_next_ms = 0;
		buf_free(&err);
		return;
	}
	reports_out = err.len > 0;
	if (!rptdb_local())
		reports_next_ms = ms + REPORTS_RECONNECT_MS;
	if (err.len > 0 && now - reports_logged >= REPORTS_RETRY) {
		log_warn("%s/%s: %s; the report pages answer 503",
		    var_data_directory, RPTDB_FILE, err.s);
		reports_logged = now;
	}
	buf_free(&err);
}

/*
 * SQLite's file before the chroot; a PostgreSQL connection at the first
 * request, as mail_owner, whose postgresql_password_file is.
 */
void
reports_open_early(void)
{
	if (!rptdb_local())
		return;
	reports_try(time(NULL));
	if (reports_handle != NULL) {
		/* Open the -wal and -shm files now, before any chroot. */
		int began = rptdb_snapshot_begin(reports_handle);

		rptdb_snapshot_end(reports_handle, began);
	}
}

struct rptdb *
reports_db(void)
{
	if (reports_handle == NULL)
		reports_try(time(NULL));
	return reports_handle;
}

int
reports_unreachable(void)
{
	return reports_handle == NULL && reports_out;
}

/*
 * The connection was lost (a restart, a failover): the reads since the
 * last check may have ended early, and the handle is closed so that a
 * later request connects anew.  Said once per outage; the reminders of
 * reports_try() wait REPORTS_RETRY from here.
 */
int
reports_lost(void)
{
	if (reports_handle == NULL || !rptdb_lost(reports_handle))
		return 0;
	rptdb_close(reports_handle);
	reports_handle = NULL;
	reports_out = reports_outage = 1;
	reports_next_ms = scopecache_now_ms() + REPORTS_RECONNECT_MS;
	reports_logged = time(NULL);
	log_warn("reports database: connection lost; reconnecting");
	return 1;
}

void
reports_unavailable(struct webd_req *r, int json)
{
	const char *why = reports_out ? "the TLS reports are not available "
	    "now (the reports database cannot be reached); try again in a "
	    "moment" : "no TLS report is readable yet (reports.db is not "
	    "there, or cannot be opened)";
	const char *retry = reports_out ? "Retry-After: "
	    REPORTS_RETRY_AFTER "\r\n" : "Retry-After: 60\r\n";

	if (json)
		webd_json(r, 503, retry, json_pack("{s:s}", "error", why));
	else
		webd_text(r, 503, retry, why);
}

int
reports_split(const char *path, size_t len, char name[HTTP_HOST_MAX + 2],
    char rest[REPORTS_REST_MAX])
{
	const char *slash = memchr(path, '/', len);
	size_t nlen = slash ? (size_t)(slash - path) : len;

	if (nlen > HTTP_HOST_MAX + 1 || len - nlen >= REPORTS_REST_MAX)
		return -1;
	memcpy(name, path, nlen);
	name[nlen] = '\0';
	memcpy(rest, path + nlen, len - nlen);
	rest[len - nlen] = '\0';
	return 0;
}

/* "ID" or "ID.json" at s: 0 and *id, *json; else -1. */
static int
reports_id(const char *s, int64_t *id, int *json)
{
	int64_t v = 0;
	size_t i;

	for (i = 0; s[i] >= '0' && s[i] <= '9'; i++) {
		if (i == REPORTS_ID_DIGITS)
			return -1;
		v = v * 10 + (s[i] - '0');
	}
	if (i == 0 || v <= 0 || s[0] == '0')
		return -1;
	*json = strcmp(s + i, ".json") == 0;
	if (s[i] != '\0' && !*json)
		return -1;
	*id = v;
	return 0;
}

int
reports_sub(const char *rest, enum reports_sub *sub, int64_t *id)
{
	static const struct {
		const char *path;
		enum reports_sub sub;
	} fixed[] = {
		{ "/dashboard", REPORTS_DASHBOARD }, { "/reports", REPORTS_LIST },
		{ "/summary", REPORTS_SUMMARY }, { "/export.csv", REPORTS_CSV },
		{ "/export.json", REPORTS_JSON },
	};
	size_t i;
	int json;

	for (i = 0; i < sizeof(fixed) / sizeof(fixed[0]); i++)
		if (strcmp(rest, fixed[i].path) == 0) {
			*sub = fixed[i].sub;
			return 0;
		}
	if (strncmp(rest, "/reports/", 9) != 0 ||
	    reports_id(rest + 9, id, &json) < 0)
		return -1;
	*sub = json ? REPORTS_ONE_JSON : REPORTS_ONE;
	return 0;
}

int
reports_query(const struct webd_req *r, struct repquery *q, struct buf *err)
{
	const struct http_request *h = r->http;
	size_t qlen = 0;

	if (h->target_len > h->path_len && h->target[h->path_len] == '?')
		qlen = h->target_len - h->path_len - 1;
	return repquery_parse(h->target + h->path_len + (qlen ? 1 : 0), qlen,
	    q, err);
}

/* One row of a page: what the list shows of a report. */
struct reports_list {
	struct rptdb_totals *tot;
	json_t	*a;
};

static void
reports_list_row(const struct rptdb_report *r, void *arg)
{
	struct reports_list *c = arg;
	char t1[TIMEFMT_RFC3339_SIZE], t2[TIMEFMT_RFC3339_SIZE];
	long long ok, bad;

	rptsum_totals_get(c->tot, r->id, &ok, &bad);
	json_array_append_new(c->a, json_pack("{s:I, s:s?, s:s?, s:s, s:s,"
	    " s:s?, s:b, s:I, s:I}",
	    "id", (json_int_t)r->id,
	    "organization-name", r->organization,
	    "report-id", r->report_id,
	    "start-datetime", timefmt_rfc3339(r->start, t1),
	    "end-datetime", timefmt_rfc3339(r->end, t2),
	    "via", r->via,
	    "counts", r->counts,
	    "successful", (json_int_t)ok,
	    "failed", (json_int_t)bad));
}

json_t *
reports_page(struct rptdb *db, const char *domain, const struct repquery *q,
    struct rptdb_cursor *cursor)
{
	struct reports_list c;
	int began = rptdb_snapshot_begin(db);

	c.tot = rptsum_totals_new(db, domain);
	c.a = json_array();
	*cursor = q->after;
	rptdb_domain_reports(db, domain, cursor, q->limit, reports_list_row,
	    &c);
	rptdb_totals_free(c.tot);
	rptdb_snapshot_end(db, began);
	return c.a;
}

struct reports_one {
	struct rptdb *db;
	struct rptdb_totals *tot;
	const char *domain;
	json_t	*j;
};

static void
reports_one_json(const struct rptdb_report *r, void *arg)
{
	struct reports_one *c = arg;

	c->j = rptjson_report(c->db, r, c->tot, c->domain);
}

json_t *
reports_one(struct rptdb *db, const char *domain, int64_t id)
{
	struct reports_one c = { db, NULL, domain, NULL };
	int began = rptdb_snapshot_begin(db);

	if (rptdb_report_of(db, id, domain)) {
		c.tot = rptsum_totals_new(db, domain);
		(void)rptdb_report_get(db, id, reports_one_json, &c);
		rptdb_totals_free(c.tot);
	}
	rptdb_snapshot_end(db, began);
	return c.j;
}

/* The export: each report of the window, whole, as CSV or JSON. */
struct reports_export {
	struct rptdb *db;
	struct rptdb_totals *tot;
	const char *domain;
	time_t	 since;
	int	 csv;
	int	 n;			/* reports written */
	int	 older;			/* one ended before since */
	struct buf *out;
};

static void
reports_export_one(const struct rptdb_report *r, void *arg)
{
	struct reports_export *c = arg;
	json_t *j;
	char *s;

	if (r->end < c->since || c->older || c->out->len >
	    REPORTS_EXPORT_BYTES) {
		c->older |= r->end < c->since;
		return;
	}
	j = rptjson_report(c->db, r, c->tot, c->domain);
	if (c->csv)
		rptjson_csv_rows(c->out, j);
	else {
		s = json_dumps(j, JSON_COMPACT | JSON_ENSURE_ASCII);
		buf_puts(c->out, c->n ? ",\n" : "\n");
		buf_puts(c->out, s ? s : "null");
		free(s);
	}
	json_decref(j);
	c->n++;
}

int
reports_export(struct rptdb *db, const char *domain, int days, time_t now,
    int csv, struct buf *out, struct buf *err)
{
	struct reports_export c = { db, NULL, domain, 0, csv, 0, 0, out };
	struct rptdb_cursor cursor;
	int began = rptdb_snapshot_begin(db), rc = 0;

	memset(&cursor, 0, sizeof(cursor));
	c.since = now - (time_t)days * RPTSUM_DAY;
	c.tot = rptsum_totals_new(db, domain);
	if (csv)
		rptjson_csv_head(out);
	else
		buf_puts(out, "[");
	rptdb_domain_reports(db, domain, &cursor, REPORTS_EXPORT_MAX,
	    reports_export_one, &c);
	if ((cursor.more && !c.older) || out->len > REPORTS_EXPORT_BYTES) {
		buf_printf(err, "the reports of %d days are more than an export"
		    " holds (%d reports, %d MiB); ask for fewer days", days,
		    REPORTS_EXPORT_MAX, REPORTS_EXPORT_BYTES / (1024 * 1024));
		rc = -1;
	} else if (!csv)
		buf_puts(out, c.n ? "\n]\n" : "]\n");
	rptdb_totals_free(c.tot);
	rptdb_snapshot_end(db, began);
	return rc;
}

void
reports_attachment(struct buf *fields, const char *domain, const char *what)
{
	/* domain passed http_host_normalize(): letters, digits, - . _ */
	buf_printf(fields, "Content-Disposition: attachment; "
	    "filename=\"%s-%s\"\r\n", domain, what);
}

int
reports_send_export(struct webd_req *r, struct rptdb *db, const char *domain,
    int days, int csv, struct buf *err)
{
	struct buf out = BUF_INIT, f = BUF_INIT;
	int rc;

	rc = reports_export(db, domain, days, r->now, csv, &out, err);
	if (reports_lost())
		rc = -2;
	if (rc < 0) {
		buf_free(&out);
		return rc;
	}
	reports_attachment(&f, domain, csv ? "reports.csv" : "reports.json");
	webd_answer(r, 200, csv ? "text/csv; charset=utf-8" :
	    "application/json", f.s, out.s, out.len);
	buf_free(&out);
	buf_free(&f);
	return 0;
}
