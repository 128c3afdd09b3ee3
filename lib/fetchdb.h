/*
 * fetchdb - fetches.db: what httpd saw of policy fetches and failed TLS
 * handshakes, its schema and every query over it.
 * SPDX-License-Identifier: ISC
 *
 * SYNOPSIS
 *	db = fetchdb_open_write(path, group, &err)	(rptparse)
 *	fetchdb_store(db, recs, n, limit, &err)	one transaction
 *	fetchdb_prune(db, before, &err)		rows older than before
 *
 *	db = fetchdb_open(path, &err)		(stsctl, the pages)
 *	db = fetchdb_connect_write(&target, group, &err), fetchdb_connect()
 *					the same on a target of lib/sqldb
 *	fetchdb_list(db, domain, since, limit, handler, arg, &err)
 *	fetchdb_explain(db, addr, from, until, &line, &err)
 *	fetchdb_failure_line(db, type, ip, from, until, &line)
 *	fetchdb_close(db)
 *
 * DESCRIPTION
 *	rptparse alone writes fetches.db (FETCHDB_FILE in data_directory),
 *	from the records httpd sends (lib/fetchlog.h); it is apart from
 *	reports.db so that neither's schema waits for the other.  Each
 *	row is one record, with its policy domain: the SNI without
 *	"mta-sts." when httpd serves that policy host, else "" (an
 *	unknown or missing SNI).  The file and its WAL files are mode
 *	FETCHDB_FILE_MODE, in group (setgid_group) so that stsctl reads
 *	them.
 *
 *	The queries go through lib/sqldb, one text for both engines:
 *	fetchdb_connect_write() and fetchdb_connect() open fetches.db's
 *	table on any target (fetchdb_test runs on SQLite and on
 *	PostgreSQL); fetchdb_open_write() and fetchdb_open() keep it the
 *	SQLite file at path whatever storage_engine says (each node's
 *	httpd records its own fetches; sharing them is a later step).
 *
 *	fetchdb_prune() deletes the rows older than before,
 *	FETCHDB_PRUNE_BATCH at a time, each batch its own transaction,
 *	and returns how many.  fetchdb_store() stores n records in one
 *	transaction, and then keeps the newest limit rows of each domain
 *	it stored to ("" holds every SNI that names no served policy
 *	host, so that a flood of made-up names takes the room of no
 *	hosted domain); it returns the number of older rows so deleted.
 *
 *	fetchdb_list() gives the rows of domain (and those of an unknown
 *	SNI "mta-sts." DOMAIN), newest first, since a time (0: all), at
 *	most limit.
 *
 *	fetchdb_explain() says in one line what httpd saw from addr
 *	between from and until (a report's date range): "no fetch arrived
 *	from ADDR", or each kind of outcome with its count, most frequent
 *	first ("the TLS handshake failed: unknown-sni (2 times, SNI
 *	mta-sts.example.com)", "answered with HTTP 404 (1 time)", "the
 *	policy was served (HTTP 200, 3 times)").  Strings from the
 *	network in it are escaped with esc_text(); HTML escapes it again.
 *
 *	fetchdb_failure_line() is that line for a failure detail of a
 *	report: for the result types sts-policy-fetch-error and
 *	sts-webpki-invalid only (it returns 0 and writes nothing for the
 *	others, 1 when it wrote), with the detail's sending-mta-ip (ip,
 *	NULL when the sender gave none) and the report's date range.  It
 *	says so when there is no ip to look for (a sender's addresses
 *	are not tied to it otherwise), when ip is not an address, when
 *	db is NULL (no fetches.db), and when the range started before
 *	the oldest records kept (fetch_log_days).  The address a sender
 *	fetches from may not be the one its MTA connects from: "no fetch
 *	arrived" is about that address only.
 *
 * LIMITS
 *	FETCHDB_EXPLAIN_KINDS kinds of outcome in a line.
 *
 * DIAGNOSTICS
 *	-1 (or NULL) with the file, what failed and SQLite's reason in
 *	err.
 */
#ifndef STS_FETCHDB_H
#define STS_FETCHDB_H

#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "buf.h"
#include "fetchlog.h"

#define FETCHDB_FILE		"fetches.db"	/* in $data_directory */
#define FETCHDB_FILE_MODE	0640
#define FETCHDB_PRUNE_BATCH	10000	/* rows per transaction */
#define FETCHDB_EXPLAIN_KINDS	4

struct fetchdb;

/* A stored row: a record and its policy domain. */
struct fetchdb_row {
	int64_t	 id;
	const char *domain;
	struct fetchrec rec;
};

typedef void (*fetchdb_handler)(const struct fetchdb_row *, void *);

struct fetchdb *fetchdb_open_write(const char *path, const char *group,
	    struct buf *err);
struct fetchdb *fetchdb_open(const char *path, struct buf *err);
struct sqldb_target;
struct fetchdb *fetchdb_connect_write(const struct sqldb_target *,
	    const char *group, struct buf *err);
struct fetchdb *fetchdb_connect(const struct sqldb_target *, struct buf *err);
void	fetchdb_close(struct fetchdb *);
long long fetchdb_store(struct fetchdb *, const struct fetchrec *, size_t n,
	    long long limit, struct buf *err);
long long fetchdb_prune(struct fetchdb *, time_t before, struct buf *err);
int	fetchdb_list(struct fetchdb *, const char *domain, time_t since,
	    long long limit, fetchdb_handler, void *arg, struct buf *err);
int	fetchdb_explain(struct fetchdb *, const char *addr, time_t from,
	    time_t until, struct buf *line, struct buf *err);
int	fetchdb_failure_line(struct fetchdb *, const char *type,
	    const char *ip, time_t from, time_t until, struct buf *line);
void	fetchdb_row_domain(const struct fetchrec *, char *out, size_t size);

#endif
