/*
 * fuzz_pagequery - libFuzzer target for dashboard_query_page(), the
 * page number of the HTML overview from the query string of a request
 * to the metrics listener (lib/dashboard_query.c).
 * SPDX-License-Identifier: ISC
 *
 * The input is the query string, any bytes.  Aborts when a promise of
 * dashboard.h breaks: a query it takes gives a page from 1 to
 * DASHBOARD_PAGE_MAX; one it refuses gives a reason of one line without
 * a control character (the bytes of the query escaped).
 */
#include "config.h"

#include <stdint.h>
#include <stdlib.h>

#include "buf.h"
#include "dashboard.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct buf err = BUF_INIT;
	long long page = 0;
	size_t i;

	if (dashboard_query_page((const char *)data, size, &page, &err) == 0) {
		if (page < 1 || page > DASHBOARD_PAGE_MAX)
			abort();
	} else {
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
