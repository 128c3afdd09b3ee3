/*
 * store - reports.db, written by rptparse only.
 *
 * SYNOPSIS
 *	db = store_open(path, &err)		creates or migrates it
 *	db_begin(db, &err);
 *	store_report(db, report, &meta, &hosted, &rowid, &err)
 *		1: stored, 0: already stored (rowid of that one), -1: error
 *	db_commit(db, &err);
 *	store_fill_hosted(db, &hosted, &err)	ties old rows to domains
 *
 * DESCRIPTION
 *	The schema is tlsrpt_db_migrations() (tlsrpt.h).  A report is
 *	stored once: a report whose (organization, report-id, date range)
 *	is already in reports.db is skipped, so storing is idempotent and
 *	a message delivered twice, or handled again after a crash, leaves
 *	one copy.  store_report() makes no transaction of its own: the
 *	caller puts the reports of one message into one.
 *
 *	hosted_domain is filled from the hosted domains known at the time
 *	(NULL when policyd has not answered yet); store_fill_hosted()
 *	fills in the rows left NULL once the list is known.
 *
 * DIAGNOSTICS
 *	-1 with one line in err, naming reports.db and SQLite's cause.
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

struct store_meta {
	const char *via;		/* "mailto" or "https" */
	const char *submitter;		/* or NULL */
	const char *spool_id;
	time_t	 received;
	char	 sha256[STORE_SHA256_HEX];
	const char *note;		/* a deviation of the message, or NULL */
};

sqlite3	*store_open(const char *path, struct buf *err);
void	store_sha256(const void *data, size_t len, char hex[STORE_SHA256_HEX]);
int	store_report(sqlite3 *, const struct tlsrpt_report *,
	    const struct store_meta *, const struct hosted *, int64_t *rowid,
	    struct buf *err);
int	store_fill_hosted(sqlite3 *, const struct hosted *, struct buf *err);

#endif
