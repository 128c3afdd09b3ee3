/*
 * fuzz_pagequery - libFuzzer target for dashboard_query_cursor(), the
 * page number of the HTML overview and its cursor (after= or before=) from the
 * query string of a request to the metrics listener
 * (lib/dashboard_query.c).
 * SPDX-License-Identifier: ISC
 *
 * The input is the query string, any bytes.  Aborts when a promise of
 * dashboard.h breaks: a query it takes gives a page from 1 to
 * DASHBOARD_PAGE_MAX and at most one cursor, a domain name of at most
 * DNSNAME_NAME_MAX bytes; one it refuses gives no cursor and a reason of
 * one line without a control character (the bytes of the query
 * escaped).
 */
#include "config.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "fuzz.h"
#include "dashboard.h"
#include "dnsname.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

/* A cursor is a domain name: letters, digits, '-' and '.'. */
static void
fuzz_cursor(const char *c)
{
	size_t i;

	for (i = 0; c != NULL && c[i] != '\0'; i++)
		if (strchr("abcdefghijklmnopqrstuvwxyz"
		    "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-.", c[i]) == NULL ||
		    i >= DNSNAME_NAME_MAX)
			abort();
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct buf err = BUF_INIT;
	long long page = 0;
	char *after = NULL, *before = NULL;

	if (dashboard_query_cursor((const char *)data, size, &page, &after,
	    &before, &err) == 0) {
		if (page < 1 || page > DASHBOARD_PAGE_MAX ||
		    (after != NULL && before != NULL))
			abort();
		fuzz_cursor(after);
		fuzz_cursor(before);
		free(after);
		free(before);
	} else {
		if (after != NULL || before != NULL)
			abort();
		fuzz_said(&err);
	}
	buf_free(&err);
	return 0;
}
