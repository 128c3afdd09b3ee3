/*
 * store - reports.db, written by rptparse only (see store.h).
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include <jansson.h>
#include <openssl/evp.h>
#include <sqlite3.h>

#include "buf.h"
#include "db.h"
#include "hosted.h"
#include "mymalloc.h"
#include "store.h"
#include "tlsrpt.h"

sqlite3 *
store_open(const char *path, struct buf *err)
{
	return db_open(path, DB_WRITE, tlsrpt_db_migrations(), err);
}

void
store_sha256(const void *data, size_t len, char hex[STORE_SHA256_HEX])
{
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned int n = 0, i;

	if (EVP_Digest(data, len, md, &n, EVP_sha256(), NULL) != 1)
		n = 0;
	for (i = 0; i < n && i * 2 + 2 < STORE_SHA256_HEX; i++)
		snprintf(hex + i * 2, 3, "%02x", md[i]);
	hex[i * 2] = '\0';
}

static void
store_text(sqlite3_stmt *st, int col, const char *s)
{
	if (s == NULL)
		sqlite3_bind_null(st, col);
	else
		sqlite3_bind_text(st, col, s, -1, SQLITE_TRANSIENT);
}

/* A list of strings as a JSON array, for policy strings and MX hosts. */
static char *
store_list(char *const *v, size_t n)
{
	json_t *a = json_array();
	char *s;
	size_t i;

	for (i = 0; i < n; i++)
		json_array_append_new(a, json_string(v[i]));
	s = json_dumps(a, JSON_COMPACT);
	json_decref(a);
	return s ? s : xstrdup("[]");
}

static int
store_step(sqlite3 *db, sqlite3_stmt *st, const char *what, struct buf *err)
{
	int rc = sqlite3_step(st);

	if (rc != SQLITE_DONE && rc != SQLITE_ROW) {
		buf_printf(err, "reports.db: %s: %s", what, sqlite3_errmsg(db));
		return -1;
	}
	return 0;
}

static int
store_failure(sqlite3 *db, int64_t policy, const struct tlsrpt_detail *d,
    struct buf *err)
{
	sqlite3_stmt *st = db_prepare(db, "INSERT INTO failures (policy,"
	    " result_type, sending_mta_ip, receiving_mx_hostname,"
	    " receiving_mx_helo, receiving_ip, failed_session_count,"
	    " additional_information, failure_reason_code)"
	    " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)");
	int rc;

	sqlite3_bind_int64(st, 1, policy);
	store_text(st, 2, d->result_type);
	store_text(st, 3, d->sending_mta_ip);
	store_text(st, 4, d->receiving_mx_hostname);
	store_text(st, 5, d->receiving_mx_helo);
	store_text(st, 6, d->receiving_ip);
	sqlite3_bind_int64(st, 7, d->failed_session_count);
	store_text(st, 8, d->additional_information);
	store_text(st, 9, d->failure_reason_code);
	rc = store_step(db, st, "insert failure detail", err);
	sqlite3_finalize(st);
	return rc;
}

static int
store_policy(sqlite3 *db, int64_t report, size_t idx,
    const struct tlsrpt_policy *p, const struct hosted *hosted,
    struct buf *err)
{
	sqlite3_stmt *st = db_prepare(db, "INSERT INTO policies (report, idx,"
	    " type, domain, hosted_domain, strings, mx_hosts, success_count,"
	    " failure_count) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)");
	char *strings = store_list(p->strings, p->nstrings);
	char *mx = store_list(p->mx_hosts, p->nmx_hosts);
	int64_t id;
	size_t i;
	int rc;

	sqlite3_bind_int64(st, 1, report);
	sqlite3_bind_int64(st, 2, (sqlite3_int64)idx);
	store_text(st, 3, p->type);
	store_text(st, 4, p->domain);
	store_text(st, 5, hosted_match(hosted, p->domain));
	store_text(st, 6, strings);
	store_text(st, 7, mx);
	sqlite3_bind_int64(st, 8, p->success_count);
	sqlite3_bind_int64(st, 9, p->failure_count);
	rc = store_step(db, st, "insert policy", err);
	sqlite3_finalize(st);
	free(strings);
	free(mx);
	if (rc < 0)
		return -1;
	id = sqlite3_last_insert_rowid(db);
	for (i = 0; i < p->ndetails; i++)
		if (store_failure(db, id, &p->details[i], err) < 0)
			return -1;
	return 0;
}

static int
store_deviation(sqlite3 *db, int64_t report, size_t idx, const char *text,
    struct buf *err)
{
	sqlite3_stmt *st = db_prepare(db, "INSERT INTO deviations (report, idx,"
	    " text) VALUES (?, ?, ?)");
	int rc;

	sqlite3_bind_int64(st, 1, report);
	sqlite3_bind_int64(st, 2, (sqlite3_int64)idx);
	store_text(st, 3, text);
	rc = store_step(db, st, "insert deviation", err);
	sqlite3_finalize(st);
	return rc;
}

/* The row of a report with the same key, or 0. */
static int64_t
store_find(sqlite3 *db, const struct tlsrpt_report *r)
{
	sqlite3_stmt *st = db_prepare(db, "SELECT id FROM reports WHERE"
	    " organization = ? AND report_id = ? AND start_time = ? AND"
	    " end_time = ?");
	int64_t id = 0;

	store_text(st, 1, r->organization);
	store_text(st, 2, r->report_id);
	sqlite3_bind_int64(st, 3, (sqlite3_int64)r->start);
	sqlite3_bind_int64(st, 4, (sqlite3_int64)r->end);
	if (sqlite3_step(st) == SQLITE_ROW)
		id = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	return id;
}

int
store_report(sqlite3 *db, const struct tlsrpt_report *r,
    const struct store_meta *meta, const struct hosted *hosted,
    int64_t *rowid, struct buf *err)
{
	sqlite3_stmt *st;
	size_t i, ndev = 0;
	int rc;

	if ((*rowid = store_find(db, r)) != 0)
		return 0;
	st = db_prepare(db, "INSERT INTO reports (organization, contact,"
	    " report_id, start_time, end_time, received, via, submitter,"
	    " sha256, spool_id) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)");
	store_text(st, 1, r->organization);
	store_text(st, 2, r->contact);
	store_text(st, 3, r->report_id);
	sqlite3_bind_int64(st, 4, (sqlite3_int64)r->start);
	sqlite3_bind_int64(st, 5, (sqlite3_int64)r->end);
	sqlite3_bind_int64(st, 6, (sqlite3_int64)meta->received);
	store_text(st, 7, meta->via);
	store_text(st, 8, meta->submitter);
	store_text(st, 9, meta->sha256);
	store_text(st, 10, meta->spool_id);
	rc = store_step(db, st, "insert report", err);
	sqlite3_finalize(st);
	if (rc < 0)
		return -1;
	*rowid = sqlite3_last_insert_rowid(db);
	for (i = 0; i < r->npolicies; i++)
		if (store_policy(db, *rowid, i, &r->policies[i], hosted, err) < 0)
			return -1;
	if (meta->note != NULL &&
	    store_deviation(db, *rowid, ndev++, meta->note, err) < 0)
		return -1;
	for (i = 0; i < r->ndeviations; i++)
		if (store_deviation(db, *rowid, ndev++, r->deviations[i], err) < 0)
			return -1;
	return 1;
}

int
store_fill_hosted(sqlite3 *db, const struct hosted *hosted, struct buf *err)
{
	sqlite3_stmt *sel, *upd;
	const char *domain, *match;
	char **pairs = NULL;		/* domain, hosted domain, ... */
	size_t n = 0, i;
	int rc = 0;

	if (!hosted->known)
		return 0;
	/* Read first: most runs have nothing to fill and take no lock. */
	sel = db_prepare(db, "SELECT DISTINCT domain FROM policies WHERE"
	    " hosted_domain IS NULL AND domain IS NOT NULL");
	while (sqlite3_step(sel) == SQLITE_ROW) {
		domain = (const char *)sqlite3_column_text(sel, 0);
		if ((match = hosted_match(hosted, domain)) == NULL)
			continue;
		pairs = xreallocarray(pairs, n + 2, sizeof(*pairs));
		pairs[n++] = xstrdup(domain);
		pairs[n++] = xstrdup(match);
	}
	sqlite3_finalize(sel);
	if (n == 0)
		return 0;
	if (db_begin(db, err) < 0) {
		rc = -1;
		goto out;
	}
	upd = db_prepare(db, "UPDATE policies SET hosted_domain = ? WHERE"
	    " hosted_domain IS NULL AND domain = ?");
	for (i = 0; i < n && rc == 0; i += 2) {
		store_text(upd, 1, pairs[i + 1]);
		store_text(upd, 2, pairs[i]);
		rc = store_step(db, upd, "update hosted domain", err);
		sqlite3_reset(upd);
	}
	sqlite3_finalize(upd);
	if (rc < 0)
		db_rollback(db);
	else
		rc = db_commit(db, err);
out:
	for (i = 0; i < n; i++)
		free(pairs[i]);
	free(pairs);
	return rc;
}
