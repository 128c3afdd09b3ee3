/*
 * domreports - what webd reads of reports.db for one of the account's
 * domains: a page of its reports, one report, the summary, the exports;
 * shared by the HTML pages (report_pages.c) and the API
 * (api_reports.c).
 * SPDX-License-Identifier: ISC
 *
 * SYNOPSIS
 *	reports_open_early()		before the chroot (pre_jail)
 *	db = reports_db()		reports.db read-only, or NULL
 *	reports_unreachable()		NULL because it cannot be reached
 *	reports_lost()			after the reads of a request: 1 when
 *					the connection was lost (answer 503)
 *	reports_unavailable(r, json)	that 503 answer
 *	rc = reports_split(path, len, name, rest)	NAME[/REST]
 *	rc = reports_sub(rest, &sub, &id)	which route rest names
 *	rc = reports_query(r, &q, &err)	the query string (repquery.h)
 *	a = reports_page(db, domain, &q, &cursor)	a page, JSON
 *	j = reports_one(db, domain, id)	one report, JSON, or NULL
 *	rc = reports_export(db, domain, days, now, csv, &out, &err)
 *	rc = reports_send_export(r, db, domain, days, csv, &err)
 *	reports_attachment(&fields, domain, what)
 *	reports_route_page(r, s, sc, name, rest)	report_pages.c
 *	reports_links(&b, domain)	the links to the report pages
 *	api_reports_route(r, sc, name, rest)		api_reports.c
 *
 * DESCRIPTION
 *	webd keeps one read-only handle on $data_directory/reports.db
 *	(rptdb_open()): on SQLite opened before the chroot when the file
 *	is there (so that a chrooted webd reads it), else at the first
 *	request that needs it after rptparse made it (each request tries
 *	while it is not open: a stat(2) while there is no file); on
 *	PostgreSQL connected at the first request that needs it, as
 *	mail_owner (the rule of postgresql_password_file).  Each request
 *	reads in one snapshot.
 *
 *	On PostgreSQL the handle is a connection, which the server may
 *	close (a restart, a failover).  A request whose reads failed for
 *	that reason (reports_lost() after them, lib/sqldb's
 *	sqldb_lost()) answers 503 with Retry-After instead of what it
 *	read, and the handle is closed; a later request connects anew.
 *	While there is no handle, a connection is tried at most once per
 *	REPORTS_RECONNECT_MS (after one that failed, was lost, or found
 *	no reports.db: no tables yet); the requests in between get no
 *	handle at once.  reports_unreachable() tells the pages that may
 *	show a page without reports.db (there is none yet) from those
 *	that must answer 503 (it cannot be reached).
 *	reports_unavailable() answers that 503, as text or as the API's
 *	JSON error.
 *
 *	Every function here takes a domain that scope_has() accepted
 *	(lower case): the caller has checked it is the account's.  A
 *	report is given only when one of its policies is that domain's
 *	(rptdb_report_of()), and then with that domain's policies only
 *	(rptjson_report()); any other id is NULL, as an unknown one.
 *
 *	reports_split() cuts the len bytes of a path after /domains/ into
 *	the domain name (at most HTTP_HOST_MAX + 1 bytes) and the rest
 *	from its first "/" on (at most REPORTS_REST_MAX - 1 bytes; "" for
 *	none): 0, or -1 when either is too long.
 *
 *	reports_sub() splits the rest of a path after /domains/NAME:
 *	REPORTS_DASHBOARD "/dashboard", REPORTS_LIST "/reports",
 *	REPORTS_ONE "/reports/ID", REPORTS_ONE_JSON "/reports/ID.json",
 *	REPORTS_SUMMARY "/summary", REPORTS_CSV "/export.csv",
 *	REPORTS_JSON "/export.json"; -1 for anything else (an id of more
 *	than REPORTS_ID_DIGITS digits, or 0, included).
 *
 *	reports_export() writes the domain's reports whose date range
 *	ends in the last days days, newest first, as CSV (rptjson) or a
 *	JSON array: 0; -1 with err when they are more than
 *	REPORTS_EXPORT_MAX reports or REPORTS_EXPORT_BYTES bytes (the
 *	caller answers 413: fewer days).  reports_send_export() answers r
 *	with that export as an attachment (DOMAIN-reports.csv or .json),
 *	or returns -1 with err for the caller's 413, or -2 when the
 *	connection was lost (reports_lost(): the caller's 503).
 *
 * LIMITS
 *	REPQUERY_LIMIT_MAX reports a page; REPORTS_EXPORT_MAX reports and
 *	REPORTS_EXPORT_BYTES bytes an export (under httpd's
 *	PORTAL_ANSWER_MAX).
 *
 * DIAGNOSTICS
 *	reports.db that is there but cannot be opened is logged at most
 *	once per REPORTS_RETRY seconds with the engine's cause.  A lost
 *	connection is logged once, "reports database: connection lost;
 *	reconnecting", and the open that succeeds after it once,
 *	"reports database: connected again"; opens that fail in between
 *	are logged from REPORTS_RETRY seconds after the loss on, once
 *	per REPORTS_RETRY seconds (a short restart: two lines).
 */
#ifndef STS_WEBD_DOMREPORTS_H
#define STS_WEBD_DOMREPORTS_H

#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include <jansson.h>

#include "buf.h"
#include "http.h"
#include "repquery.h"
#include "rptdb.h"
#include "scope.h"
#include "webd.h"
#include "websession.h"

#define REPORTS_RETRY		60	/* seconds between logs of a failure */
#define REPORTS_RECONNECT_MS	1000	/* ms between opens that fail */
#define REPORTS_RETRY_AFTER	"5"	/* s, the 503 of a database away */
#define REPORTS_EXPORT_MAX	10000	/* reports in one export */
#define REPORTS_EXPORT_BYTES	(15 * 1024 * 1024)	/* bytes of one */
#define REPORTS_ID_DIGITS	18	/* a report id, at most */
#define REPORTS_DAYS		30	/* window of a summary, an export */
#define REPORTS_REST_MAX	64	/* "/reports/ID.json" and more */

enum reports_sub {
	REPORTS_DASHBOARD,
	REPORTS_LIST,
	REPORTS_ONE,
	REPORTS_ONE_JSON,
	REPORTS_SUMMARY,
	REPORTS_CSV,
	REPORTS_JSON,
};

void	reports_open_early(void);
struct rptdb *reports_db(void);
int	reports_unreachable(void);
int	reports_lost(void);
void	reports_unavailable(struct webd_req *, int json);
int	reports_split(const char *path, size_t len,
	    char name[HTTP_HOST_MAX + 2], char rest[REPORTS_REST_MAX]);
int	reports_sub(const char *rest, enum reports_sub *, int64_t *id);
int	reports_query(const struct webd_req *, struct repquery *,
	    struct buf *err);
json_t	*reports_page(struct rptdb *, const char *domain,
	    const struct repquery *, struct rptdb_cursor *);
json_t	*reports_one(struct rptdb *, const char *domain, int64_t id);
int	reports_export(struct rptdb *, const char *domain, int days,
	    time_t now, int csv, struct buf *out, struct buf *err);
void	reports_attachment(struct buf *fields, const char *domain,
	    const char *what);
int	reports_send_export(struct webd_req *, struct rptdb *,
	    const char *domain, int days, int csv, struct buf *err);
void	reports_route_page(struct webd_req *, struct session *,
	    struct scope *, const char *name, const char *rest);
void	reports_links(struct buf *, const char *domain);
void	api_reports_route(struct webd_req *, struct scope *,
	    const char *name, const char *rest);

#endif
