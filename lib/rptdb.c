/*
 * rptdb - reports.db's schema, its opening and its transactions (SQLite);
 * see rptdb.h.
 * SPDX-License-Identifier: ISC
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <sqlite3.h>

#include "buf.h"
#include "cfg.h"
#include "cfgbind.h"
#include "db.h"
#include "log.h"
#include "mymalloc.h"
#include "rptdb.h"
#include "rptdb_sqlite.h"

/* What the pages set: a page reads each domain's rows several times. */
#define RPTDB_MIGRATION_BYDOMAIN	6	/* reads every stored row */
#define RPTDB_PAGES_PRAGMAS \
	"PRAGMA cache_size = -65536; PRAGMA mmap_size = 268435456;"

/* The schema of reports.db: REPORTS.DB in rptdb.h. */
static const struct db_migration rptdb_schema[] = {
	{ 1,
	"CREATE TABLE reports ("
	" id INTEGER PRIMARY KEY,"
	" organization TEXT NOT NULL,"
	" contact TEXT,"
	" report_id TEXT NOT NULL,"
	" start_time INTEGER NOT NULL,"
	" end_time INTEGER NOT NULL,"
	" received INTEGER NOT NULL,"
	" via TEXT NOT NULL CHECK (via IN ('mailto', 'https')),"
	" submitter TEXT,"
	" sha256 TEXT NOT NULL,"
	" spool_id TEXT,"
	" UNIQUE (organization, report_id, start_time, end_time));"
	"CREATE INDEX reports_start ON reports (start_time);"
	"CREATE TABLE policies ("
	" id INTEGER PRIMARY KEY,"
	" report INTEGER NOT NULL REFERENCES reports (id) ON DELETE CASCADE,"
	" idx INTEGER NOT NULL,"
	" type TEXT NOT NULL,"
	" domain TEXT,"
	" hosted_domain TEXT,"
	" strings TEXT NOT NULL,"
	" mx_hosts TEXT NOT NULL,"
	" success_count INTEGER NOT NULL,"
	" failure_count INTEGER NOT NULL);"
	"CREATE INDEX policies_report ON policies (report);"
	"CREATE INDEX policies_hosted ON policies (hosted_domain);"
	"CREATE INDEX policies_domain ON policies (domain);"
	"CREATE TABLE failures ("
	" id INTEGER PRIMARY KEY,"
	" policy INTEGER NOT NULL REFERENCES policies (id) ON DELETE CASCADE,"
	" result_type TEXT NOT NULL,"
	" sending_mta_ip TEXT,"
	" receiving_mx_hostname TEXT,"
	" receiving_mx_helo TEXT,"
	" receiving_ip TEXT,"
	" failed_session_count INTEGER NOT NULL,"
	" additional_information TEXT,"
	" failure_reason_code TEXT);"
	"CREATE INDEX failures_policy ON failures (policy);"
	"CREATE TABLE deviations ("
	" report INTEGER NOT NULL REFERENCES reports (id) ON DELETE CASCADE,"
	" idx INTEGER NOT NULL,"
	" text TEXT NOT NULL);"
	"CREATE INDEX deviations_report ON deviations (report);" },
	/* Readers match domains without regard to case (stsctl report,
	 * the HTML pages): indexes they can use for that. */
	{ 2,
	"CREATE INDEX policies_hosted_nocase ON policies"
	" (hosted_domain COLLATE NOCASE);"
	"CREATE INDEX policies_domain_nocase ON policies"
	" (domain COLLATE NOCASE);" },
	/* Every reader and rptparse match domains without regard to case:
	 * the exact-case indexes only cost inserts. */
	{ 3,
	"DROP INDEX IF EXISTS policies_hosted;"
	"DROP INDEX IF EXISTS policies_domain;" },
	/* Trust and counting (RFC 8460 section 3: mailed reports need an
	 * aligned DKIM signature): each report's DKIM outcome; which
	 * policy of a report counts a domain's sessions; domain names in
	 * one form, lower case without a final dot.  Reports stored before
	 * this were never verified. */
	{ 4,
	"ALTER TABLE reports ADD COLUMN dkim_result TEXT NOT NULL"
	" DEFAULT 'none';"
	"ALTER TABLE reports ADD COLUMN dkim_domain TEXT;"
	"ALTER TABLE reports ADD COLUMN dkim_selector TEXT;"
	"ALTER TABLE reports ADD COLUMN dkim_reason TEXT;"
	"UPDATE reports SET dkim_reason = 'stored before DKIM verification'"
	" WHERE via = 'mailto';"
	"UPDATE policies SET domain = lower(rtrim(domain, '.')),"
	" hosted_domain = lower(rtrim(hosted_domain, '.'));"
	"ALTER TABLE policies ADD COLUMN counted INTEGER NOT NULL"
	" DEFAULT 1;"
	"UPDATE policies SET counted = (id = (SELECT p2.id FROM policies p2"
	" WHERE p2.report = policies.report AND p2.domain = policies.domain"
	" ORDER BY p2.type = 'sts' DESC,"
	" p2.success_count + p2.failure_count DESC, p2.idx LIMIT 1))"
	" WHERE domain IS NOT NULL;" },
	/*
	 * The sums of every counted policy, kept up to date by each insert,
	 * so that a metrics scrape without per-domain series reads a few
	 * rows instead of every policy (bench/reports: 10^7 reports).
	 * RPTDB_TOTALS_POLICY is the rule of lib/rptsum and metrics/.
	 */
	{ 5,
	"CREATE TABLE totals ("
	" trusted INTEGER NOT NULL,"
	" kind INTEGER NOT NULL,"
	" result TEXT NOT NULL,"
	" sessions INTEGER NOT NULL,"
	" PRIMARY KEY (trusted, kind, result)) WITHOUT ROWID;"
	"CREATE TEMP TABLE totals_policy AS SELECT"
	" (r.via = 'https' OR r.dkim_result = 'pass') AS t,"
	" p.success_count AS ok, p.failure_count AS fc,"
	" (SELECT TOTAL(f.failed_session_count) FROM failures f"
	" WHERE f.policy = p.id) AS det"
	" FROM policies p JOIN reports r ON r.id = p.report"
	" WHERE p.counted = 1;"
	"INSERT INTO totals SELECT t, 0, 'successful', TOTAL(ok)"
	" FROM totals_policy GROUP BY t"
	" UNION ALL SELECT t, 0, 'failed', TOTAL(MAX(fc, det))"
	" FROM totals_policy GROUP BY t"
	" UNION ALL SELECT t, 1, '" RPTDB_NOT_DETAILED "',"
	" TOTAL(MAX(fc - det, 0)) FROM totals_policy GROUP BY t;"
	"DROP TABLE totals_policy;"
	"INSERT INTO totals SELECT (r.via = 'https' OR"
	" r.dkim_result = 'pass'), 1, f.result_type,"
	" TOTAL(f.failed_session_count) FROM failures f"
	" JOIN policies p ON p.id = f.policy"
	" JOIN reports r ON r.id = p.report"
	" WHERE p.counted = 1 GROUP BY 1, 3"
	" ON CONFLICT DO UPDATE SET sessions = sessions + excluded.sessions;"
	"DELETE FROM totals WHERE sessions = 0;" },
	/*
	 * Rows kept by domain, written with each report: a domain's
	 * counted policies and failure details in order of time, one range
	 * of each table for a summary (a busy domain's reports lie one to
	 * a page across reports.db otherwise: bench/reports), and each
	 * hosted domain's and organization's last report, for the
	 * silent-reporter pass.  Filled here from the rows stored.
	 */
	{ 6,
	"CREATE TABLE domain_policies ("
	" domain TEXT NOT NULL,"
	" end_time INTEGER NOT NULL,"
	" policy INTEGER NOT NULL,"
	" hosted INTEGER NOT NULL,"
	" report INTEGER NOT NULL,"
	" trusted INTEGER NOT NULL,"
	" start_time INTEGER NOT NULL,"
	" organization TEXT NOT NULL,"
	" success_count INTEGER NOT NULL,"
	" failure_count INTEGER NOT NULL,"
	" PRIMARY KEY (domain, end_time, policy)) WITHOUT ROWID;"
	"CREATE TABLE domain_failures ("
	" domain TEXT NOT NULL,"
	" end_time INTEGER NOT NULL,"
	" policy INTEGER NOT NULL,"
	" hosted INTEGER NOT NULL,"
	" failure INTEGER NOT NULL,"
	" trusted INTEGER NOT NULL,"
	" organization TEXT NOT NULL,"
	" result_type TEXT NOT NULL,"
	" receiving_mx_hostname TEXT,"
	" additional_information TEXT,"
	" failed_session_count INTEGER NOT NULL,"
	" PRIMARY KEY (domain, end_time, policy, failure)) WITHOUT ROWID;"
	"CREATE TABLE reporters ("
	" domain TEXT NOT NULL,"
	" organization TEXT NOT NULL,"
	" last_trusted INTEGER,"
	" reports_trusted INTEGER NOT NULL,"
	" last_any INTEGER NOT NULL,"
	" reports_any INTEGER NOT NULL,"
	" PRIMARY KEY (domain, organization)) WITHOUT ROWID;"
	"INSERT INTO domain_policies " RPTDB_DOMAIN_POLICIES_SQL("1")
	" ORDER BY 1, 2, 3;"
	"INSERT INTO domain_failures " RPTDB_DOMAIN_FAILURES_SQL("1")
	" ORDER BY 1, 2, 3, 4;"
	"INSERT INTO reporters " RPTDB_REPORTERS_SQL("1") ";"
	"CREATE INDEX reporters_trusted ON reporters"
	" (last_trusted, reports_trusted);"
	"CREATE INDEX reporters_any ON reporters (last_any, reports_any);" },
	/*
	 * The rows kept by domain serve every reader that looked policies
	 * up by hosted domain or policy-domain (REPORTS.DB in rptdb.h):
	 * those indexes only cost each insert, and each commit a page per
	 * domain (bench/rptparse).
	 */
	{ 7,
	"DROP INDEX IF EXISTS policies_hosted_nocase;"
	"DROP INDEX IF EXISTS policies_domain_nocase;" },
	{ 0, NULL }
};

static struct rptdb *
rptdb_new(sqlite3 *db)
{
	struct rptdb *r = xcalloc(1, sizeof(*r));

	r->db = db;
	return r;
}

struct rptdb *
rptdb_open(const char *path, struct buf *err)
{
	sqlite3 *db;

	if ((db = db_open(path, DB_READ, rptdb_schema, err)) == NULL)
		return NULL;
	return rptdb_new(db);
}

/*
 * Before migrations that read every stored row (6: about a minute at
 * 10^7 reports, bench/reports), a line saying so: rptparse stores
 * nothing meanwhile.  Read-only, and silent when there is no file yet.
 */
static void
rptdb_migration_note(const char *path)
{
	sqlite3 *db = NULL;
	sqlite3_stmt *st;
	int version = -1;
	long long policies = 0;

	if (access(path, F_OK) != 0 || sqlite3_open_v2(path, &db,
	    SQLITE_OPEN_READONLY, NULL) != SQLITE_OK) {
		sqlite3_close(db);	/* NULL-safe; open may leave one */
		return;
	}
	if (sqlite3_prepare_v2(db, "SELECT (SELECT user_version FROM"
	    " pragma_user_version), (SELECT MAX(id) FROM policies)", -1, &st,
	    NULL) == SQLITE_OK) {
		if (sqlite3_step(st) == SQLITE_ROW) {
			version = sqlite3_column_int(st, 0);
			policies = sqlite3_column_int64(st, 1);
		}
		sqlite3_finalize(st);
	}
	sqlite3_close(db);
	if (version >= 1 && version < RPTDB_MIGRATION_BYDOMAIN)
		log_info("%s: schema version %d: migration %d makes the rows"
		    " kept by domain of about %lld policies, once (about a"
		    " minute per 10,000,000); no report is stored meanwhile",
		    path, version, RPTDB_MIGRATION_BYDOMAIN, policies);
}

struct rptdb *
rptdb_open_write(const char *path, const char *group, size_t cache,
    struct buf *err)
{
	char pragma[sizeof("PRAGMA cache_size = -") + 24];
	struct rptdb *r;
	size_t i;
	sqlite3 *db;

	rptdb_migration_note(path);
	if ((db = db_open(path, DB_WRITE, rptdb_schema, err)) == NULL)
		return NULL;
	db_share(db, path, RPTDB_FILE_MODE, group);
	/*
	 * Every row refers to one made just before it in the same
	 * transaction, and rptparse deletes nothing: checking the foreign
	 * keys on each insert would only cost a lookup per row.  A
	 * statement that inserts several rows keeps the pages it changes
	 * in a statement journal, a temporary file once it passes 64 KiB:
	 * in memory instead (an insert's pages, a few), 183,729 pwrite()
	 * calls for 10,000 reports (bench/rptparse) became 24,415.
	 */
	/*
	 * A migration's transaction went through the WAL (2.2 GB for
	 * migration 6 at 10^7 reports), which is kept for readers
	 * (db_share): emptied once it is in the database, so that no
	 * reader rebuilds its index from that many frames (1 s per
	 * "stsctl report" run at 10^7 reports).  Readers in a snapshot
	 * make it wait; it is tried again at the next start.
	 */
	(void)sqlite3_exec(db, "PRAGMA wal_checkpoint(TRUNCATE)", NULL, NULL,
	    NULL);
	if (db_exec(db, "PRAGMA foreign_keys = OFF;"
	    "PRAGMA temp_store = MEMORY", err) < 0) {
		db_close(db);
		return NULL;
	}
	if (cache > 0) {
		/* A negative cache_size is in KiB. */
		snprintf(pragma, sizeof(pragma), "PRAGMA cache_size = -%zu",
		    (cache + 1023) / 1024);
		if (db_exec(db, pragma, err) < 0) {
			db_close(db);
			return NULL;
		}
	}
	r = rptdb_new(db);
	for (i = 0; i < RPTDB_ST_WRITER; i++)
		r->st[i] = db_prepare(db, rptdb_store_sql[i]);
	return r;
}

void
rptdb_close(struct rptdb *r)
{
	size_t i;

	if (r == NULL)
		return;
	rptdb_pending_clear(r);
	rptdb_reporters_clear(r);
	rptdb_added_free(r);
	for (i = 0; i < RPTDB_NSTMT; i++)
		sqlite3_finalize(r->st[i]);
	db_close(r->db);
	for (i = 0; i < RPTDB_POLICY_ROWS; i++) {
		buf_free(&r->strings[i]);
		buf_free(&r->mx[i]);
		buf_free(&r->domain[i]);
	}
	free(r);
}

int
rptdb_begin(struct rptdb *r, struct buf *err)
{
	rptdb_pending_clear(r);
	rptdb_reporters_clear(r);
	rptdb_held_clear(r);
	return db_begin(r->db, err);
}

/* The rows held for totals, reporters and by domain go in before it ends. */
int
rptdb_commit(struct rptdb *r, struct buf *err)
{
	if ((r->npending > 0 && rptdb_pending_flush(r, err) < 0) ||
	    (r->nreporters > 0 && rptdb_reporters_flush(r, err) < 0) ||
	    rptdb_held_flush(r, err) < 0) {
		rptdb_reporters_clear(r);
		rptdb_held_clear(r);
		db_rollback(r->db);
		return -1;
	}
	return db_commit(r->db, err);
}

void
rptdb_rollback(struct rptdb *r)
{
	rptdb_pending_clear(r);
	rptdb_reporters_clear(r);
	rptdb_held_clear(r);
	db_rollback(r->db);
}

int
rptdb_snapshot_begin(struct rptdb *r)
{
	return r != NULL && sqlite3_get_autocommit(r->db) &&
	    sqlite3_exec(r->db, "BEGIN", NULL, NULL, NULL) == SQLITE_OK;
}

void
rptdb_snapshot_end(struct rptdb *r, int began)
{
	if (began)
		(void)sqlite3_exec(r->db, "COMMIT", NULL, NULL, NULL);
}

void
rptdb_pages_tune(struct rptdb *r)
{
	(void)sqlite3_exec(r->db, RPTDB_PAGES_PRAGMAS, NULL, NULL, NULL);
}

static long long
rptdb_pragma(struct rptdb *r, const char *sql)
{
	sqlite3_stmt *st = db_prepare(r->db, sql);
	long long n = 0;

	if (sqlite3_step(st) == SQLITE_ROW)
		n = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	return n;
}

/* PRAGMA cache_size is in KiB when negative, else in pages. */
long long
rptdb_cache_kib(struct rptdb *r)
{
	long long n = rptdb_pragma(r, "PRAGMA cache_size");

	return n < 0 ? -n : n * rptdb_pragma(r, "PRAGMA page_size") / 1024;
}

void
rptdb_single_thread(void)
{
	/*
	 * One thread, one connection: SQLite need not lock around every
	 * call, nor count its memory under a lock on every allocation.
	 */
	if (sqlite3_config(SQLITE_CONFIG_MULTITHREAD) != SQLITE_OK ||
	    sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0) != SQLITE_OK)
		log_warn("SQLite: cannot leave out its locks");
}

int
rptdb_require_dkim(void)
{
	cfg_bind_now();		/* the default before main.cf is read */
	return var_report_require_dkim;
}

void
rptdb_silent_conf(long long *min_reports, time_t *window, time_t *quiet)
{
	cfg_bind_now();
	*min_reports = var_alert_silent_min_reports;
	*window = (time_t)var_alert_silent_window;
	*quiet = (time_t)var_alert_silent_time;
}

void
rptdb_bind_trust(sqlite3_stmt *st)
{
	if (sqlite3_bind_parameter_count(st) >= RPTDB_REQUIRE_INDEX)
		sqlite3_bind_int(st, RPTDB_REQUIRE_INDEX,
		    rptdb_require_dkim());
}

/*
 * Text bound without a copy: every string bound stays unchanged until
 * the statement is reset, right after its step.
 */
void
rptdb_text(sqlite3_stmt *st, int col, const char *s)
{
	if (s == NULL)
		sqlite3_bind_null(st, col);
	else
		sqlite3_bind_text(st, col, s, -1, SQLITE_STATIC);
}

const char *
rptdb_col(sqlite3_stmt *st, int col)
{
	return (const char *)sqlite3_column_text(st, col);
}

/* The columns from col on into row; returns the column after them. */
int
rptdb_fields(sqlite3_stmt *st, int col, const struct rptdb_field *f,
    void *row)
{
	char *p;
	const char *text;
	int64_t i64;
	time_t t;
	int b;

	for (; f->type != RPTDB_F_END; f++, col++) {
		p = (char *)row + f->off;
		switch (f->type) {
		case RPTDB_F_I64:
			i64 = sqlite3_column_int64(st, col);
			memcpy(p, &i64, sizeof(i64));
			break;
		case RPTDB_F_TEXT:
			text = rptdb_col(st, col);
			memcpy(p, &text, sizeof(text));
			break;
		case RPTDB_F_TIME:
			t = (time_t)sqlite3_column_int64(st, col);
			memcpy(p, &t, sizeof(t));
			break;
		case RPTDB_F_BOOL:
			b = sqlite3_column_int(st, col) != 0;
			memcpy(p, &b, sizeof(b));
			break;
		case RPTDB_F_END:
			break;
		}
	}
	return col;
}

int
rptdb_row(sqlite3_stmt *st, const struct rptdb_field *fields, void *row)
{
	if (sqlite3_step(st) == SQLITE_ROW) {
		rptdb_fields(st, 0, fields, row);
		return 1;
	}
	sqlite3_finalize(st);
	return 0;
}

/* A kept statement, prepared the first time it is asked for. */
sqlite3_stmt *
rptdb_stmt(struct rptdb *r, int which, const char *sql)
{
	if (r->st[which] == NULL)
		r->st[which] = db_prepare(r->db, sql);
	return r->st[which];
}

void
rptdb_stmt_done(sqlite3_stmt *st)
{
	sqlite3_reset(st);
	sqlite3_clear_bindings(st);
}
