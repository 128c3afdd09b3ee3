/*
 * publish - service-zone TXT records and their publication state; see
 * publish.h.
 * SPDX-License-Identifier: ISC
 *
 * The state lives in table dns_publish of policy.db (created by the
 * migrations of domains.c).  Nothing here talks to DNS except
 * publish_run(), which runs in a child of policyd and only calls the
 * update function it is given.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "buf.h"
#include "db.h"
#include "ipc.h"
#include "log.h"
#include "mymalloc.h"
#include "publish.h"
#include "request.h"
#include "ststxt.h"

/*
 * Records.
 */
char *
publish_rua(const struct policyd_conf *conf, const char *domain,
    struct buf *err)
{
	return ststxt_rua_make(conf->report_recipients,
	    conf->report_https_path, domain, err);
}

void
publish_records(const struct policyd_conf *conf, const char *domain,
    const char *id, const char *rua, struct publish_records *r)
{
	r->sts_owner = xasprintf("%s.%s", domain, conf->sts_zone);
	r->sts_txt = id ? xasprintf("v=STSv1; id=%s;", id) : NULL;
	r->rpt_owner = xasprintf("%s.%s.%s", domain, PUBLISH_REPORT_LABEL,
	    conf->sts_zone);
	r->rpt_txt = rua && *rua ? xasprintf("v=TLSRPTv1; rua=%s", rua) : NULL;
}

void
publish_records_clear(struct publish_records *r)
{
	free(r->sts_owner);
	free(r->sts_txt);
	free(r->rpt_owner);
	free(r->rpt_txt);
	memset(r, 0, sizeof(*r));
}

/*
 * State.
 */
/*
 * A row may be sent: a deletion always; an id only once httpd served
 * the domain with a valid certificate (domains.served; RFC 8461
 * section 8.1: HTTPS before DNS, for a new domain too).
 */
#define PUBLISH_SENDABLE \
	" (want_id IS NULL OR EXISTS (SELECT 1 FROM domains d" \
	" WHERE d.name = dns_publish.domain AND d.served IS NOT NULL))"

static const char *
publish_col(sqlite3_stmt *st, int i)
{
	return (const char *)sqlite3_column_text(st, i);
}

static void
publish_bind_opt(sqlite3_stmt *st, int i, const char *s)
{
	if (s != NULL)
		sqlite3_bind_text(st, i, s, -1, SQLITE_TRANSIENT);
	else
		sqlite3_bind_null(st, i);
}

int
publish_want(sqlite3 *db, const char *domain, const char *id,
    const char *rua, long long now, struct buf *err)
{
	sqlite3_stmt *st;

	if (id == NULL) {
		/* Nothing was ever asked for: nothing to delete. */
		st = db_prepare(db, "UPDATE dns_publish SET want_id = NULL,"
		    " want_rua = NULL, pending = 1, attempts = 0, next_try = ?2"
		    " WHERE domain = ?1");
	} else
		st = db_prepare(db, "INSERT INTO dns_publish (domain, want_id,"
		    " want_rua, pending, attempts, next_try) VALUES (?1, ?3, ?4,"
		    " 1, 0, ?2) ON CONFLICT (domain) DO UPDATE SET"
		    " want_id = ?3, want_rua = ?4, pending = 1, attempts = 0,"
		    " next_try = ?2");
	sqlite3_bind_text(st, 1, domain, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 2, now);
	if (id != NULL) {
		sqlite3_bind_text(st, 3, id, -1, SQLITE_STATIC);
		sqlite3_bind_text(st, 4, rua ? rua : "", -1, SQLITE_STATIC);
	}
	if (sqlite3_step(st) != SQLITE_DONE)
		return db_step_error(db, st, "store DNS publication", err);
	sqlite3_finalize(st);
	return 0;
}

/*
 * SQL publish_rua(domain): the rua the domain's TLSRPT record must have
 * now, "" when there is none (as publish_want() stores it).
 */
static void
publish_rua_sql(sqlite3_context *ctx, int argc, sqlite3_value **argv)
{
	const struct policyd_conf *conf = sqlite3_user_data(ctx);
	const char *domain = (const char *)sqlite3_value_text(argv[0]);
	struct buf why = BUF_INIT;
	char *rua;

	rua = domain ? publish_rua(conf, domain, &why) : NULL;
	buf_free(&why);
	if (rua != NULL)
		sqlite3_result_text(ctx, rua, -1, free);
	else
		sqlite3_result_text(ctx, "", 0, SQLITE_STATIC);
}

/*
 * After a start (or a change of main.cf): every servable domain whose
 * wanted id or rua is not the current one, and every row of a domain
 * that is gone, becomes pending.
 */
int
publish_sync(sqlite3 *db, const struct policyd_conf *conf, long long now,
    struct buf *err)
{
	sqlite3_stmt *st;
	int rc = 0;

	if (sqlite3_create_function(db, "publish_rua", 1, SQLITE_UTF8 |
	    SQLITE_DETERMINISTIC, (void *)conf, publish_rua_sql, NULL,
	    NULL) != SQLITE_OK) {
		buf_printf(err, "define SQL function publish_rua: %s",
		    sqlite3_errmsg(db));
		return -1;
	}
	if (db_begin(db, err) < 0)
		return -1;
	st = db_prepare(db, "INSERT INTO dns_publish (domain, want_id,"
	    " want_rua, pending, attempts, next_try)"
	    " SELECT d.name, d.policy_id, publish_rua(d.name), 1, 0, ?1"
	    " FROM domains d LEFT JOIN dns_publish p ON p.domain = d.name"
	    " WHERE d.state IN ('active', 'retiring') AND (p.domain IS NULL"
	    " OR p.want_id IS NOT d.policy_id"
	    " OR p.want_rua IS NOT publish_rua(d.name))"
	    " ON CONFLICT (domain) DO UPDATE SET want_id = excluded.want_id,"
	    " want_rua = excluded.want_rua, pending = 1, attempts = 0,"
	    " next_try = ?1");
	sqlite3_bind_int64(st, 1, now);
	if (sqlite3_step(st) != SQLITE_DONE)
		rc = db_step_error(db, st, "queue DNS publications", err);
	else
		sqlite3_finalize(st);
	if (rc == 0) {
		st = db_prepare(db, "UPDATE dns_publish SET want_id = NULL,"
		    " want_rua = NULL, pending = 1, attempts = 0, next_try = ?1"
		    " WHERE want_id IS NOT NULL AND domain NOT IN (SELECT name"
		    " FROM domains WHERE state IN ('active', 'retiring'))");
		sqlite3_bind_int64(st, 1, now);
		if (sqlite3_step(st) != SQLITE_DONE)
			rc = db_step_error(db, st, "queue DNS deletions",
			    err);
		else
			sqlite3_finalize(st);
	}
	if (rc < 0 || db_commit(db, err) < 0) {
		db_rollback(db);
		return -1;
	}
	return 0;
}

void
publish_items_free(struct publish_item *v, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		free(v[i].domain);
		free(v[i].id);
		free(v[i].rua);
	}
	free(v);
}

int
publish_due(sqlite3 *db, long long now, size_t max, struct publish_item **vp,
    size_t *np, struct buf *err)
{
	struct publish_item *v;
	sqlite3_stmt *st;
	size_t n = 0;
	int rc;

	v = xcalloc(max ? max : 1, sizeof(*v));
	st = db_prepare(db, "SELECT domain, want_id, want_rua FROM dns_publish"
	    " WHERE pending = 1 AND next_try <= ? AND" PUBLISH_SENDABLE
	    " ORDER BY next_try, domain LIMIT ?");
	sqlite3_bind_int64(st, 1, now);
	sqlite3_bind_int64(st, 2, (sqlite3_int64)max);
	while (n < max && (rc = sqlite3_step(st)) == SQLITE_ROW) {
		v[n].domain = xstrdup(publish_col(st, 0));
		v[n].id = publish_col(st, 1) ? xstrdup(publish_col(st, 1)) : NULL;
		v[n].rua = xstrdup(publish_col(st, 2) ? publish_col(st, 2) : "");
		n++;
	}
	if (n < max && rc != SQLITE_DONE) {
		publish_items_free(v, n);
		return db_step_error(db, st, "list DNS publications", err);
	}
	sqlite3_finalize(st);
	*vp = v;
	*np = n;
	return 0;
}

long long
publish_next(sqlite3 *db)
{
	sqlite3_stmt *st;
	long long t = -1;

	st = db_prepare(db, "SELECT MIN(next_try) FROM dns_publish"
	    " WHERE pending = 1 AND" PUBLISH_SENDABLE);
	if (sqlite3_step(st) == SQLITE_ROW &&
	    sqlite3_column_type(st, 0) != SQLITE_NULL)
		t = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	return t;
}

static long long
publish_backoff(long long attempts, long long min, long long max)
{
	long long wait = min > 0 ? min : 1;
	long long i;

	for (i = 1; i < attempts && i < PUBLISH_ATTEMPTS_SHIFT && wait < max; i++)
		wait *= 2;
	return wait > max ? max : wait;
}

static int
publish_success(sqlite3 *db, const struct publish_item *it, long long now,
    struct buf *err)
{
	sqlite3_stmt *st;

	/* A change that came meanwhile stays pending, due at once. */
	st = db_prepare(db, "UPDATE dns_publish SET published_id = ?2,"
	    " published_rua = ?3, published_at = ?4, last_try = ?4,"
	    " last_error = NULL, attempts = 0,"
	    " pending = (want_id IS NOT ?2 OR want_rua IS NOT ?3)"
	    " WHERE domain = ?1");
	sqlite3_bind_text(st, 1, it->domain, -1, SQLITE_STATIC);
	publish_bind_opt(st, 2, it->id);
	publish_bind_opt(st, 3, it->id ? it->rua : NULL);
	sqlite3_bind_int64(st, 4, now);
	if (sqlite3_step(st) != SQLITE_DONE)
		return db_step_error(db, st, "store DNS publication", err);
	sqlite3_finalize(st);
	st = db_prepare(db, "DELETE FROM dns_publish WHERE domain = ?"
	    " AND pending = 0 AND want_id IS NULL");
	sqlite3_bind_text(st, 1, it->domain, -1, SQLITE_STATIC);
	if (sqlite3_step(st) != SQLITE_DONE)
		return db_step_error(db, st, "forget DNS records", err);
	sqlite3_finalize(st);
	return 0;
}

static int
publish_failure(sqlite3 *db, const struct publish_item *it, const char *error,
    long long now, long long min, long long max, struct buf *err)
{
	sqlite3_stmt *st;
	long long attempts = 0;

	st = db_prepare(db, "SELECT attempts FROM dns_publish WHERE domain = ?");
	sqlite3_bind_text(st, 1, it->domain, -1, SQLITE_STATIC);
	if (sqlite3_step(st) == SQLITE_ROW)
		attempts = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	attempts++;
	st = db_prepare(db, "UPDATE dns_publish SET attempts = ?2,"
	    " next_try = ?3, last_try = ?4, last_error = ?5 WHERE domain = ?1");
	sqlite3_bind_text(st, 1, it->domain, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 2, attempts);
	sqlite3_bind_int64(st, 3, now + publish_backoff(attempts, min, max));
	sqlite3_bind_int64(st, 4, now);
	sqlite3_bind_text(st, 5, error, -1, SQLITE_STATIC);
	if (sqlite3_step(st) != SQLITE_DONE)
		return db_step_error(db, st, "store DNS failure", err);
	sqlite3_finalize(st);
	return 0;
}

int
publish_done(sqlite3 *db, const struct publish_item *it, const char *error,
    long long now, long long min, long long max, struct buf *err)
{
	int rc;

	if (db_begin(db, err) < 0)
		return -1;
	rc = error ? publish_failure(db, it, error, now, min, max, err) :
	    publish_success(db, it, now, err);
	if (rc < 0 || db_commit(db, err) < 0) {
		db_rollback(db);
		return -1;
	}
	return 0;
}

static json_t *
publish_json_opt_text(sqlite3_stmt *st, int i)
{
	return publish_col(st, i) ? json_string(publish_col(st, i)) :
	    json_null();
}

static json_t *
publish_json_opt_int(sqlite3_stmt *st, int i)
{
	return sqlite3_column_type(st, i) == SQLITE_NULL ? json_null() :
	    json_integer(sqlite3_column_int64(st, i));
}

json_t *
publish_state_json(sqlite3 *db, const char *domain)
{
	sqlite3_stmt *st;
	json_t *o = NULL;

	st = db_prepare(db, "SELECT want_id, published_id, pending, attempts,"
	    " next_try, last_try, last_error, published_at FROM dns_publish"
	    " WHERE domain = ?");
	sqlite3_bind_text(st, 1, domain, -1, SQLITE_STATIC);
	if (sqlite3_step(st) == SQLITE_ROW) {
		o = json_pack("{s:o, s:o, s:b, s:I, s:o, s:o, s:o, s:o}",
		    "want_id", publish_json_opt_text(st, 0),
		    "published_id", publish_json_opt_text(st, 1),
		    "pending", sqlite3_column_int(st, 2) != 0,
		    "attempts", (json_int_t)sqlite3_column_int64(st, 3),
		    "next_try", sqlite3_column_int(st, 2) ?
		    publish_json_opt_int(st, 4) : json_null(),
		    "last_try", publish_json_opt_int(st, 5),
		    "error", publish_json_opt_text(st, 6),
		    "published_at", publish_json_opt_int(st, 7));
	}
	sqlite3_finalize(st);
	return o;
}

/*
 * The child.
 */
static int
publish_one(const struct policyd_conf *conf, const struct publish_item *it,
    publish_update_fn update, struct buf *err)
{
	struct publish_records r;
	const char *txt[1];
	int rc;

	publish_records(conf, it->domain, it->id, it->rua, &r);
	/* The policy record first: it is the one senders act on. */
	txt[0] = r.sts_txt;
	rc = update(r.sts_owner, txt, it->id ? 1 : 0, err);
	if (rc == 0 && (it->id == NULL || r.rpt_txt != NULL)) {
		txt[0] = r.rpt_txt;
		rc = update(r.rpt_owner, txt, it->id ? 1 : 0, err);
	}
	publish_records_clear(&r);
	return rc;
}

void
publish_run(const struct policyd_conf *conf, const struct publish_item *v,
    size_t n, int fd, publish_update_fn update)
{
	struct buf err = BUF_INIT;
	json_t *msg;
	char *line;
	size_t i, len, off;
	ssize_t w;

	for (i = 0; i < n; i++) {
		buf_reset(&err);
		if (publish_one(conf, &v[i], update, &err) < 0 && err.len == 0)
			buf_puts(&err, "update failed");
		msg = json_pack("{s:s, s:o, s:o}", "domain", v[i].domain,
		    "id", v[i].id ? json_string(v[i].id) : json_null(),
		    "error", err.len ? json_string(err.s) : json_null());
		line = ipc_encode(msg, &len);
		json_decref(msg);
		for (off = 0; line && off < len; off += (size_t)w)
			if ((w = write(fd, line + off, len - off)) <= 0)
				break;
		free(line);
	}
	buf_free(&err);
}

int
publish_result_parse(const json_t *msg, struct publish_item *it, char **error)
{
	const char *domain = json_string_value(json_object_get(msg, "domain"));
	json_t *id = json_object_get(msg, "id");
	json_t *e = json_object_get(msg, "error");

	if (domain == NULL || (id != NULL && !json_is_string(id) &&
	    !json_is_null(id)) || (e != NULL && !json_is_string(e) &&
	    !json_is_null(e)))
		return -1;
	memset(it, 0, sizeof(*it));
	it->domain = xstrdup(domain);
	it->id = json_is_string(id) ? xstrdup(json_string_value(id)) : NULL;
	*error = json_is_string(e) ? xstrdup(json_string_value(e)) : NULL;
	return 0;
}
