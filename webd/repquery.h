/*
 * repquery - the query string of the report pages and their API:
 * after (the cursor of the next page), limit (reports a page), days
 * (the window of a chart, a summary or an export); and of the API's
 * domain list: after (a domain name), limit (domains a page).
 * SPDX-License-Identifier: ISC
 *
 * SYNOPSIS
 *	rc = repquery_parse(query, len, &q, &err)
 *	repquery_cursor(&cursor, text, size)	"END.POLICY"
 *	rc = repquery_domains(query, len, &dq, &err)
 *	repquery_domains_free(&dq)
 *
 * DESCRIPTION
 *	repquery_parse() reads the len bytes after "?" ("&"-separated
 *	name=value; other names are ignored, the last of each counts)
 *	into q: after "END.POLICY" (two decimal numbers, as
 *	repquery_cursor() writes them: the end time and the last row of
 *	the last report of the page before), limit from 1 to
 *	REPQUERY_LIMIT_MAX (REPQUERY_LIMIT without it), days from 1 to
 *	REPQUERY_DAYS_MAX (0 without it: the caller's default).  It
 *	returns 0, or -1 with one line in err that names the parameter
 *	and what is expected (the value escaped, at most
 *	REPQUERY_VALUE_SHOWN bytes of it).
 *
 *	repquery_domains() reads the query of GET /api/v1/domains the
 *	same way: after, a domain name (the last name of the page before,
 *	dashboard_after_parse(): its syntax, at most 253 bytes, kept in
 *	lower case in a new string), limit from 1 to
 *	REPQUERY_DOMAINS_MAX (that by default); dq.paged says whether
 *	either was given (without them the API answers the whole list, as
 *	before it was paged).
 *
 *	Pure: no I/O, no state (tests/fuzz/fuzz_repquery).
 */
#ifndef STS_WEBD_REPQUERY_H
#define STS_WEBD_REPQUERY_H

#include <stddef.h>

#include "buf.h"
#include "rptdb.h"

#define REPQUERY_LIMIT		25	/* reports a page, by default */
#define REPQUERY_LIMIT_MAX	100	/* reports a page, at most */
#define REPQUERY_DAYS_MAX	366	/* days of a window, at most */
#define REPQUERY_CURSOR_MAX	48	/* "END.POLICY" and the NUL */
#define REPQUERY_VALUE_SHOWN	64	/* bytes of a bad value in err */
#define REPQUERY_DOMAINS_MAX	100	/* domains a page of the API */
#define REPQUERY_NAME_MAX	253	/* bytes of a domain name cursor */

struct repquery {
	struct rptdb_cursor after;	/* policy 0: from the newest */
	int	 limit;
	int	 days;			/* 0: not given */
};

struct repquery_domains {
	char	*after;			/* NULL: from the first name */
	int	 limit;
	int	 paged;			/* limit or after given */
};

int	repquery_parse(const char *query, size_t len, struct repquery *,
	    struct buf *err);
int	repquery_domains(const char *query, size_t len,
	    struct repquery_domains *, struct buf *err);
void	repquery_domains_free(struct repquery_domains *);
void	repquery_cursor(const struct rptdb_cursor *, char *out, size_t size);

#endif
