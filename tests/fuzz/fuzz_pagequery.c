/*
 * fuzz_pagequery - libFuzzer target for dashboard_query_page(), the
 * page number of the HTML overview and its cursor (after=) from the
 * query string of a request to the metrics listener
 * (lib/dashboard_query.c).
 * SPDX-License-Identifier: ISC
 *
 * The input is the query string, any bytes.  Aborts when a promise of
 * dashboard.h breaks: a query it takes gives a page from 1 to
 * DASHBOARD_PAGE_MAX and no cursor or a domain name of at most
 * DNSNAME_NAME_MAX bytes; one it refuses gives no cursor and a reason of
 * one line without a control character (the bytes of the query
 * escaped).
 */
#include "config.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "dashboard.h"
#include "dnsname.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct buf err = BUF_INIT;
	long long page = 0;
	char *after = NULL;
	size_t i;

	if (dashboard_query_page((const char *)data, size, &page, &after,
	    &err) == 0) {
		if (page < 1 || page > DASHBOARD_PAGE_MAX)
			abort();
		/* A cursor is a domain name: letters, digits, '-' and '.'. */
		for (i = 0; after != NULL && after[i] != '\0'; i++)
			if (strchr("abcdefghijklmnopqrstuvwxyz"
			    "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-.",
			    after[i]) == NULL || i >= DNSNAME_NAME_MAX)
				abort();
		free(after);
	} else {
		if (after != NULL)
			abort();
		if (err.len == 0)
			abort();
		for (i = 0; i < err.len; i++)
			if ((unsigned char)err.s[i] < 0x20 ||
			    (unsigned char)err.s[i] == 0x7f)
				abort();
	}
	buf_free(&err);
	return 0;
}
