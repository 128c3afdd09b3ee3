/*
 * dashboard_query - the page number of the HTML overview, from a command
 * line or from the query string of a request; see dashboard.h.
 * SPDX-License-Identifier: ISC
 *
 * Pure: no I/O, no state (tests/fuzz/fuzz_pagequery).
 */
#include "config.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "dashboard.h"
#include "esc.h"
#include "mymalloc.h"

#define DASHBOARD_PAGE_PARAM	"page="

int
dashboard_page_parse(const char *s, long long *page, struct buf *err)
{
	char *end;
	long long v;

	errno = 0;
	v = strtoll(s, &end, 10);
	/* Digits only: strtoll() would take white space and a sign. */
	if (*s < '0' || *s > '9' || *end != '\0' || errno != 0 || v < 1 ||
	    v > DASHBOARD_PAGE_MAX) {
		buf_puts(err, "page ");
		esc_text(err, s);
		buf_printf(err, ": expected a page number from 1 to %d",
		    DASHBOARD_PAGE_MAX);
		return -1;
	}
	*page = v;
	return 0;
}

int
dashboard_query_page(const char *query, size_t len, long long *page,
    struct buf *err)
{
	size_t plen = strlen(DASHBOARD_PAGE_PARAM);
	const char *p = query, *end = query + len, *amp;
	char *v;
	int rc = 0;

	*page = 1;
	while (p < end && rc == 0) {
		if ((amp = memchr(p, '&', (size_t)(end - p))) == NULL)
			amp = end;
		if ((size_t)(amp - p) >= plen &&
		    memcmp(p, DASHBOARD_PAGE_PARAM, plen) == 0) {
			v = xstrndup(p + plen, (size_t)(amp - p) - plen);
			rc = dashboard_page_parse(v, page, err);
			free(v);
		}
		p = amp + 1;
	}
	return rc;
}
