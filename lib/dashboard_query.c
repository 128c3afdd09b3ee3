/*
 * dashboard_query - the page number of the HTML overview and the name
 * that ends the page before, from a command line or from the query
 * string of a request; see dashboard.h.
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
#include "dnsname.h"
#include "esc.h"
#include "mymalloc.h"

#define DASHBOARD_PAGE_PARAM	"page="
#define DASHBOARD_AFTER_PARAM	"after="

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
dashboard_after_parse(const char *s, char **after, struct buf *err)
{
	struct buf why = BUF_INIT;
	size_t len = strlen(s);
	int rc = 0;

	/* Not quoted whole: the cursor may be any bytes of any length. */
	if (len > DNSNAME_NAME_MAX) {
		buf_printf(err, "after: %zu bytes, expected the domain name"
		    " that ends the page before (at most %d)", len,
		    DNSNAME_NAME_MAX);
		rc = -1;
	} else if (dnsname_syntax(s, 0, &why) < 0) {
		buf_puts(err, "after ");
		esc_text(err, s);
		buf_printf(err, ": expected the domain name that ends the page"
		    " before: %s", why.s ? why.s : "not a domain name");
		rc = -1;
	} else {
		/* policyd's names are in lower case, in byte order. */
		free(*after);
		*after = xstrdup(s);
		for (len = 0; (*after)[len] != '\0'; len++)
			if ((*after)[len] >= 'A' && (*after)[len] <= 'Z')
				(*after)[len] = (char)((*after)[len] - 'A' +
				    'a');
	}
	buf_free(&why);
	return rc;
}

/* The value of one "name=" parameter at p..amp, or 0: not that one. */
static int
dashboard_query_param(const char *p, const char *amp, const char *name,
    char **value)
{
	size_t plen = strlen(name);

	if ((size_t)(amp - p) < plen || memcmp(p, name, plen) != 0)
		return 0;
	*value = xstrndup(p + plen, (size_t)(amp - p) - plen);
	return 1;
}

int
dashboard_query_page(const char *query, size_t len, long long *page,
    char **after, struct buf *err)
{
	const char *p = query, *end = query + len, *amp;
	char *v;
	int rc = 0;

	*page = 1;
	*after = NULL;
	while (p < end && rc == 0) {
		if ((amp = memchr(p, '&', (size_t)(end - p))) == NULL)
			amp = end;
		if (dashboard_query_param(p, amp, DASHBOARD_PAGE_PARAM, &v)) {
			rc = dashboard_page_parse(v, page, err);
			free(v);
		} else if (dashboard_query_param(p, amp, DASHBOARD_AFTER_PARAM,
		    &v)) {
			/* A NUL in the query ends the name: refused too. */
			if (strlen(v) != (size_t)(amp - p) -
			    strlen(DASHBOARD_AFTER_PARAM)) {
				buf_puts(err, "after: a NUL byte in the domain"
				    " name");
				rc = -1;
			} else
				rc = dashboard_after_parse(v, after, err);
			free(v);
		}
		p = amp + 1;
	}
	if (rc < 0) {
		free(*after);
		*after = NULL;
	}
	return rc;
}
