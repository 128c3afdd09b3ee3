/*
 * store - reports.db, written by rptparse only (see store.h).
 * SPDX-License-Identifier: ISC
 */
#include "config.h"

#include <errno.h>
#include <grp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include <openssl/evp.h>
#include <sqlite3.h>

#include "buf.h"
#include "db.h"
#include "hosted.h"
#include "log.h"
#include "mymalloc.h"
#include "store.h"
#include "tlsrpt.h"

/* The statements of store_report(), prepared once. */
enum {
	STORE_FIND,
	STORE_REPORT,
	STORE_POLICY,
	STORE_FAILURE,
	STORE_DEVIATION,
	STORE_NSTMT
};

static const char *const store_sql[STORE_NSTMT] = {
	"SELECT id FROM reports WHERE organization = ? AND report_id = ?"
	" AND start_time = ? AND end_time = ?",
	"INSERT INTO reports (organization, contact, report_id, start_time,"
	" end_time, received, via, submitter, sha256, spool_id, dkim_result,"
	" dkim_domain, dkim_selector, dkim_reason)"
	" VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
	"INSERT INTO policies (report, idx, type, domain, hosted_domain,"
	" strings, mx_hosts, success_count, failure_count, counted)"
	" VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
	"INSERT INTO failures (policy, result_type, sending_mta_ip,"
	" receiving_mx_hostname, receiving_mx_helo, receiving_ip,"
	" failed_session_count, additional_information, failure_reason_code)"
	" VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
	"INSERT INTO deviations (report, idx, text) VALUES (?, ?, ?)",
};

static const char *const store_files[] = { "", "-wal", "-shm", NULL };

struct store {
	sqlite3	*db;
	sqlite3_stmt *st[STORE_NSTMT];
	struct buf strings;		/* store_list() of a policy, reused */
	struct buf mx;
	struct buf domain;		/* store_domain() of a policy, reused */
};

/* reports.db and its WAL files: STORE_FILE_MODE, group gid (or -1). */
static void
store_share(const char *path, gid_t gid)
{
	struct stat sb;
	char *file;
	size_t i;

	for (i = 0; store_files[i] != NULL; i++) {
		file = xasprintf("%s%s", path, store_files[i]);
		if (stat(file, &sb) != 0) {
			if (errno != ENOENT)
				log_warn("%s: %s", file, strerror(errno));
		} else {
			if ((sb.st_mode & 07777) != STORE_FILE_MODE &&
			    chmod(file, STORE_FILE_MODE) != 0)
				log_warn("%s: chmod %04o: %s", file,
				    STORE_FILE_MODE, strerror(errno));
			if (gid != (gid_t)-1 && sb.st_gid != gid &&
			    chown(file, (uid_t)-1, gid) != 0)
				log_warn("%s: cannot give it to group %u, so"
				    " that stsctl reads it: %s", file,
				    (unsigned)gid, strerror(errno));
		}
		free(file);
	}
}

struct store *
store_open(const char *path, const char *group, size_t cache,
    struct buf *err)
{
	char pragma[sizeof("PRAGMA cache_size = -") + 24];
	struct store *st;
	struct group *gr;
	gid_t gid = (gid_t)-1;
	int persist = 1;
	size_t i;
	sqlite3 *db;

	if ((db = db_open(path, DB_WRITE, tlsrpt_db_migrations(), err)) == NULL)
		return NULL;
	if (sqlite3_file_control(db, "main", SQLITE_FCNTL_PERSIST_WAL,
	    &persist) != SQLITE_OK)
		log_warn("%s: cannot keep the WAL files: readers without"
		    " write access may fail", path);
	if (group != NULL && *group != '\0') {
		if ((gr = getgrnam(group)) == NULL)
			log_warn("%s: setgid_group %s: no such group", path,
			    group);
		else
			gid = gr->gr_gid;
	}
	store_share(path, gid);
	/*
	 * Every row refers to one made just before it in the same
	 * transaction, and rptparse deletes nothing: checking the foreign
	 * keys on each insert would only cost a lookup per row.
	 */
	if (db_exec(db, "PRAGMA foreign_keys = OFF", err) < 0) {
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
	st = xcalloc(1, sizeof(*st));
	st->db = db;
	for (i = 0; i < STORE_NSTMT; i++)
		st->st[i] = db_prepare(db, store_sql[i]);
	return st;
}

void
store_close(struct store *st)
{
	size_t i;

	if (st == NULL)
		return;
	for (i = 0; i < STORE_NSTMT; i++)
		sqlite3_finalize(st->st[i]);
	db_close(st->db);
	buf_free(&st->strings);
	buf_free(&st->mx);
	buf_free(&st->domain);
	free(st);
}

sqlite3 *
store_db(struct store *st)
{
	return st->db;
}

int
store_begin(struct store *st, struct buf *err)
{
	return db_begin(st->db, err);
}

int
store_commit(struct store *st, struct buf *err)
{
	return db_commit(st->db, err);
}

void
store_rollback(struct store *st)
{
	db_rollback(st->db);
}

void
store_sha256(const void *data, size_t len, char hex[STORE_SHA256_HEX])
{
	static const char digits[] = "0123456789abcdef";
	static EVP_MD *md256;
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned int n = 0, i;

	/* Fetched once: EVP_sha256() would look it up on every call. */
	if (md256 == NULL && (md256 = EVP_MD_fetch(NULL, "SHA256", NULL)) ==
	    NULL)
		log_fatal("OpenSSL: no SHA-256");
	if (EVP_Digest(data, len, md, &n, md256, NULL) != 1)
		n = 0;
	for (i = 0; i < n && i * 2 + 2 < STORE_SHA256_HEX; i++) {
		hex[i * 2] = digits[md[i] >> 4];
		hex[i * 2 + 1] = digits[md[i] & 0xf];
	}
	hex[i * 2] = '\0';
}

/*
 * Text bound without a copy: every string bound stays unchanged until
 * the statement is reset, right after its step (store_step).
 */
static void
store_text(sqlite3_stmt *st, int col, const char *s)
{
	if (s == NULL)
		sqlite3_bind_null(st, col);
	else
		sqlite3_bind_text(st, col, s, -1, SQLITE_STATIC);
}

/* The JSON escape of byte c as jansson writes it, or NULL: as it is. */
static const char *
store_json_escape(unsigned char c, char u[sizeof("\\u00XX")])
{
	static const char hex[] = "0123456789ABCDEF";

	switch (c) {
	case '"':
		return "\\\"";
	case '\\':
		return "\\\\";
	case '\b':
		return "\\b";
	case '\f':
		return "\\f";
	case '\n':
		return "\\n";
	case '\r':
		return "\\r";
	case '\t':
		return "\\t";
	}
	if (c >= 0x20)
		return NULL;
	snprintf(u, sizeof("\\u00XX"), "\\u00%c%c", hex[c >> 4], hex[c & 0xf]);
	return u;
}

/*
 * A list of strings as a JSON array, for policy strings and MX hosts,
 * into out: the text json_dumps(JSON_COMPACT) makes of it (the strings
 * are UTF-8 already: tlsrpt_parse() took them from jansson), without
 * building a jansson tree for every policy.
 */
static const char *
store_list(struct buf *out, char *const *v, size_t n)
{
	char u[sizeof("\\u00XX")];
	const char *p, *run, *esc;
	size_t i;

	buf_reset(out);
	buf_putc(out, '[');
	for (i = 0; i < n; i++) {
		buf_puts(out, i ? ",\"" : "\"");
		for (p = run = v[i]; *p != '\0'; p++) {
			if ((esc = store_json_escape((unsigned char)*p, u)) ==
			    NULL)
				continue;
			buf_append(out, run, (size_t)(p - run));
			buf_puts(out, esc);
			run = p + 1;
		}
		buf_append(out, run, (size_t)(p - run));
		buf_putc(out, '"');
	}
	buf_putc(out, ']');
	return out->s;
}

/* Run a kept statement once, and make it ready for the next use. */
static int
store_step(struct store *s, sqlite3_stmt *st, const char *what,
    struct buf *err)
{
	int rc = sqlite3_step(st);

	if (rc != SQLITE_DONE && rc != SQLITE_ROW)
		buf_printf(err, "reports.db: %s: %s", what,
		    sqlite3_errmsg(s->db));
	/* Every column is bound before each step: no clear_bindings. */
	sqlite3_reset(st);
	return rc == SQLITE_DONE || rc == SQLITE_ROW ? 0 : -1;
}

static int
store_failure(struct store *s, int64_t policy, const struct tlsrpt_detail *d,
    struct buf *err)
{
	sqlite3_stmt *st = s->st[STORE_FAILURE];

	sqlite3_bind_int64(st, 1, policy);
	store_text(st, 2, d->result_type);
	store_text(st, 3, d->sending_mta_ip);
	store_text(st, 4, d->receiving_mx_hostname);
	store_text(st, 5, d->receiving_mx_helo);
	store_text(st, 6, d->receiving_ip);
	sqlite3_bind_int64(st, 7, d->failed_session_count);
	store_text(st, 8, d->additional_information);
	store_text(st, 9, d->failure_reason_code);
	return store_step(s, st, "insert failure detail", err);
}

/*
 * A domain name as reports.db keeps it: lower case (ASCII, as DNS
 * compares names), without the final dots; NULL stays NULL.
 */
static const char *
store_domain(struct buf *out, const char *s)
{
	size_t len, i;

	if (s == NULL)
		return NULL;
	for (len = strlen(s); len > 0 && s[len - 1] == '.'; len--)
		;
	buf_reset(out);
	for (i = 0; i < len; i++)
		buf_putc(out, (s[i] >= 'A' && s[i] <= 'Z') ?
		    (char)(s[i] - 'A' + 'a') : s[i]);
	return out->s != NULL ? out->s : "";
}

/* A policy-domain without its final dots, for store_counted(). */
struct store_dom {
	const char *s;
	size_t	 len;
	size_t	 idx;		/* in the report */
};

static int
store_dom_cmp(const void *a, const void *b)
{
	const struct store_dom *x = a, *y = b;
	size_t n = x->len < y->len ? x->len : y->len;
	int c = strncasecmp(x->s, y->s, n);

	if (c != 0)
		return c;
	if (x->len != y->len)
		return x->len < y->len ? -1 : 1;
	return (x->idx > y->idx) - (x->idx < y->idx);
}

/* Sessions of a policy, saturating: the counts are 0 to INT64_MAX each. */
static int64_t
store_sessions(const struct tlsrpt_policy *p)
{
	int64_t n;

	return __builtin_add_overflow(p->success_count, p->failure_count,
	    &n) ? INT64_MAX : n;
}

/* 1 when policy a counts rather than policy b (see store_counted). */
static int
store_better(const struct tlsrpt_policy *a, const struct tlsrpt_policy *b)
{
	int sa = a->type != NULL && strcmp(a->type, "sts") == 0;
	int sb = b->type != NULL && strcmp(b->type, "sts") == 0;

	if (sa != sb)
		return sa;
	return store_sessions(a) > store_sessions(b);
}

/*
 * policies.counted of each policy of r into counted[] (tlsrpt.h): of the
 * policies with the same policy-domain (case and final dots aside), the
 * "sts" one, else the one with the most sessions, ties to the first.  A
 * report judges the same sessions under each of them (RFC 8460 section
 * 4.3: Microsoft sends "sts" and "tlsa" for one domain).  Sorted by
 * domain: O(n log n) for the largest reports.
 */
static void
store_counted(const struct tlsrpt_report *r, int *counted)
{
	struct store_dom *d = xcalloc(r->npolicies + 1, sizeof(*d));
	size_t i, j, n = 0, best;

	for (i = 0; i < r->npolicies; i++) {
		counted[i] = 1;
		if (r->policies[i].domain == NULL)
			continue;
		d[n].s = r->policies[i].domain;
		for (d[n].len = strlen(d[n].s); d[n].len > 0 &&
		    d[n].s[d[n].len - 1] == '.'; d[n].len--)
			;
		d[n++].idx = i;
	}
	qsort(d, n, sizeof(*d), store_dom_cmp);
	for (i = 0; i < n; i = j) {
		/* d[i..j) name one domain, in the order of the report. */
		best = d[i].idx;
		for (j = i + 1; j < n && d[j].len == d[i].len &&
		    strncasecmp(d[j].s, d[i].s, d[i].len) == 0; j++) {
			if (store_better(&r->policies[d[j].idx],
			    &r->policies[best])) {
				counted[best] = 0;
				best = d[j].idx;
			} else {
				counted[d[j].idx] = 0;
			}
		}
	}
	free(d);
}

static int
store_policy(struct store *s, int64_t report, const struct tlsrpt_report *r,
    size_t idx, int counted, const struct hosted *hosted, struct buf *err)
{
	const struct tlsrpt_policy *p = &r->policies[idx];
	sqlite3_stmt *st = s->st[STORE_POLICY];
	int64_t id;
	size_t i;

	sqlite3_bind_int64(st, 1, report);
	sqlite3_bind_int64(st, 2, (sqlite3_int64)idx);
	store_text(st, 3, p->type);
	store_text(st, 4, store_domain(&s->domain, p->domain));
	/* hosted_match() gives the list's form: lower case, no final dot. */
	store_text(st, 5, hosted_match(hosted, p->domain));
	store_text(st, 6, store_list(&s->strings, p->strings, p->nstrings));
	store_text(st, 7, store_list(&s->mx, p->mx_hosts, p->nmx_hosts));
	sqlite3_bind_int64(st, 8, p->success_count);
	sqlite3_bind_int64(st, 9, p->failure_count);
	sqlite3_bind_int(st, 10, counted);
	if (store_step(s, st, "insert policy", err) < 0)
		return -1;
	id = sqlite3_last_insert_rowid(s->db);
	for (i = 0; i < p->ndetails; i++)
		if (store_failure(s, id, &p->details[i], err) < 0)
			return -1;
	return 0;
}

static int
store_deviation(struct store *s, int64_t report, size_t idx,
    const char *text, struct buf *err)
{
	sqlite3_stmt *st = s->st[STORE_DEVIATION];

	sqlite3_bind_int64(st, 1, report);
	sqlite3_bind_int64(st, 2, (sqlite3_int64)idx);
	store_text(st, 3, text);
	return store_step(s, st, "insert deviation", err);
}

/* The row of a report with the same key, 0 when none, -1 on error. */
static int64_t
store_find(struct store *s, const struct tlsrpt_report *r, struct buf *err)
{
	sqlite3_stmt *st = s->st[STORE_FIND];
	int64_t id = 0;
	int rc;

	store_text(st, 1, r->organization);
	store_text(st, 2, r->report_id);
	sqlite3_bind_int64(st, 3, (sqlite3_int64)r->start);
	sqlite3_bind_int64(st, 4, (sqlite3_int64)r->end);
	if ((rc = sqlite3_step(st)) == SQLITE_ROW)
		id = sqlite3_column_int64(st, 0);
	else if (rc != SQLITE_DONE) {
		buf_printf(err, "reports.db: look up report: %s",
		    sqlite3_errmsg(s->db));
		id = -1;
	}
	sqlite3_reset(st);
	return id;
}

int
store_report(struct store *s, const struct tlsrpt_report *r,
    const struct store_meta *meta, const struct hosted *hosted,
    int64_t *rowid, struct buf *err)
{
	sqlite3_stmt *st = s->st[STORE_REPORT];
	size_t i, ndev = 0;
	int *counted;

	if ((*rowid = store_find(s, r, err)) != 0)
		return *rowid < 0 ? -1 : 0;
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
	store_text(st, 11, meta->dkim_result ? meta->dkim_result : "none");
	store_text(st, 12, meta->dkim_domain);
	store_text(st, 13, meta->dkim_selector);
	store_text(st, 14, meta->dkim_reason);
	if (store_step(s, st, "insert report", err) < 0)
		return -1;
	*rowid = sqlite3_last_insert_rowid(s->db);
	counted = xcalloc(r->npolicies + 1, sizeof(*counted));
	store_counted(r, counted);
	for (i = 0; i < r->npolicies; i++)
		if (store_policy(s, *rowid, r, i, counted[i], hosted,
		    err) < 0) {
			free(counted);
			return -1;
		}
	free(counted);
	if (meta->note != NULL &&
	    store_deviation(s, *rowid, ndev++, meta->note, err) < 0)
		return -1;
	for (i = 0; i < r->ndeviations; i++)
		if (store_deviation(s, *rowid, ndev++, r->deviations[i],
		    err) < 0)
			return -1;
	return 1;
}

/* 1 when the hosted domains a and b (either NULL) differ. */
static int
store_hosted_differ(const char *a, const char *b)
{
	if (a == NULL || b == NULL)
		return a != b;
	return strcmp(a, b) != 0;
}

int
store_fill_hosted(struct store *s, const struct hosted *hosted,
    struct buf *err)
{
	sqlite3_stmt *sel, *upd;
	const char *domain, *was, *match;
	char **pairs = NULL;		/* domain, hosted domain or NULL, ... */
	size_t n = 0, i;
	sqlite3 *db = s->db;
	int rc = 0;

	if (!hosted->known)
		return 0;
	/* Read first: most runs have nothing to change and take no lock. */
	sel = db_prepare(db, "SELECT DISTINCT domain, hosted_domain FROM"
	    " policies WHERE domain IS NOT NULL");
	while (sqlite3_step(sel) == SQLITE_ROW) {
		domain = (const char *)sqlite3_column_text(sel, 0);
		was = (const char *)sqlite3_column_text(sel, 1);
		match = hosted_match(hosted, domain);
		if (!store_hosted_differ(was, match))
			continue;
		pairs = xreallocarray(pairs, n + 2, sizeof(*pairs));
		pairs[n++] = xstrdup(domain);
		pairs[n++] = match ? xstrdup(match) : NULL;
	}
	sqlite3_finalize(sel);
	if (n == 0)
		return 0;
	if (db_begin(db, err) < 0) {
		rc = -1;
		goto out;
	}
	upd = db_prepare(db, "UPDATE policies SET hosted_domain = ?1 WHERE"
	    " domain = ?2 COLLATE NOCASE AND hosted_domain IS NOT ?1");
	for (i = 0; i < n && rc == 0; i += 2) {
		store_text(upd, 1, pairs[i + 1]);
		store_text(upd, 2, pairs[i]);
		rc = store_step(s, upd, "update hosted domain", err);
	}
	sqlite3_finalize(upd);
	if (rc < 0)
		db_rollback(db);
	else
		rc = db_commit(db, err);
	if (rc == 0)
		log_info("reports.db: hosted domain of %zu policy-domains"
		    " changed with the list of hosted domains", n / 2);
out:
	for (i = 0; i < n; i++)
		free(pairs[i]);
	free(pairs);
	return rc;
}
