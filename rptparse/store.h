/*
 * store - reports.db, written by rptparse only.
 * SPDX-License-Identifier: ISC
 *
 * SYNOPSIS
 *	st = store_open(path, group, cache, &err)	creates or migrates it
 *	store_begin(st, &err);
 *	store_report(st, report, &meta, &hosted, &rowid, &err)
 *		1: stored, 0: already stored (rowid of that one), -1: error
 *	store_commit(st, &err);		or store_rollback(st)
 *	store_fill_hosted(st, &hosted, &err)	rows follow the domain list
 *	store_db(st)				the handle, for queries
 *	store_close(st);
 *
 * DESCRIPTION
 *	The schema is tlsrpt_db_migrations() (tlsrpt.h).  A report is
 *	stored once: a report whose (organization, report-id, date range)
 *	is already in reports.db is skipped, so storing is idempotent and
 *	a message delivered twice, or handled again after a crash, leaves
 *	one copy.  store_report() makes no transaction of its own: the
 *	caller puts the reports of one message, or of several messages,
 *	into one, and a report stored earlier in the same transaction
 *	counts as stored.  The statements are prepared once, by
 *	store_open().
 *
 *	cache is the memory, in bytes, that SQLite may keep of the pages
 *	of reports.db (PRAGMA cache_size; 0: SQLite's default).  Each
 *	policy row goes into three indexes whose pages are spread over
 *	the file, so that a cache smaller than those indexes makes most
 *	inserts read pages again (a read(2) and a copy each).
 *
 *	The DKIM outcome of the message (meta.dkim_*) is stored with each
 *	of its reports, as dkimcheck gave it (REPORTS.DB in tlsrpt.h).
 *
 *	policies.domain is stored in lower case without the final dot
 *	("EXAMPLE.TEST." is "example.test").  hosted_domain is filled from
 *	the hosted domains known at the time (NULL when policyd has not
 *	answered yet); store_fill_hosted() makes every row follow the
 *	current list: a row whose policy-domain now belongs to another
 *	hosted domain, or to none (after "stsctl domain add" or "domain
 *	del"), gets that one, or NULL.  It reads every distinct
 *	policy-domain of reports.db once (0.5 to 0.7 s for 1,000,000
 *	policies of 100,000 domains), so callers run it when the list
 *	changed (hosted.h generation).  policies.counted is set by the
 *	rule of tlsrpt.h REPORTS.DB.
 *
 *	Readers without root: reports.db and its -wal and -shm files are
 *	made mode STORE_FILE_MODE (0640) and, when group names one
 *	(setgid_group), that group, so that stsctl run by a member of it
 *	reads the database (lib/db DB_READ).  The -wal and -shm files are
 *	kept when the database is closed (SQLITE_FCNTL_PERSIST_WAL): a
 *	reader that may not write the directory cannot make them, and
 *	SQLite cannot read a WAL database without them.
 *
 * DIAGNOSTICS
 *	-1 with one line in err, naming reports.db and SQLite's cause.
 *	A mode or group that cannot be set is logged (the database still
 *	works for its owner).
 */
#ifndef RPTPARSE_STORE_H
#define RPTPARSE_STORE_H

#include <stdint.h>
#include <time.h>

#include <sqlite3.h>

#include "buf.h"
#include "hosted.h"
#include "tlsrpt.h"

#define STORE_SHA256_HEX	65	/* bytes of a hex SHA-256 and NUL */
#define STORE_FILE_MODE		0640	/* reports.db, -wal, -shm */

struct store_meta {
	const char *via;		/* "mailto" or "https" */
	const char *submitter;		/* or NULL */
	const char *spool_id;
	time_t	 received;
	char	 sha256[STORE_SHA256_HEX];
	const char *note;		/* a deviation of the message, or NULL */
	const char *dkim_result;	/* "pass", ...; NULL: "none" */
	const char *dkim_domain;	/* d=, or NULL */
	const char *dkim_selector;	/* s=, or NULL */
	const char *dkim_reason;	/* one line, or NULL */
};

struct store;

struct store *store_open(const char *path, const char *group,
	    size_t cache, struct buf *err);
void	store_close(struct store *);
sqlite3	*store_db(struct store *);
int	store_begin(struct store *, struct buf *err);
int	store_commit(struct store *, struct buf *err);
void	store_rollback(struct store *);
void	store_sha256(const void *data, size_t len, char hex[STORE_SHA256_HEX]);
int	store_report(struct store *, const struct tlsrpt_report *,
	    const struct store_meta *, const struct hosted *, int64_t *rowid,
	    struct buf *err);
int	store_fill_hosted(struct store *, const struct hosted *,
	    struct buf *err);

#endif
