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
#define DASHBOARD_BEFORE_PARAM	"before="

/* What a cursor is, in its messages. */
#define DASHBOARD_AFTER_ROLE	"the domain name that ends the page before"
#define DASHBOARD_BEFORE_ROLE	"the domain name that starts the page after"

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

/* A cursor named name ("after", "before") whose role the errors say. */
static int
dashboard_cursor_parse(const char *s, const char *name, const char *role,
    char **after, struct buf *err)
{
	struct buf why = BUF_INIT;
	size_t len = strlen(s);
	int rc = 0;

	/* Not quoted whole: the cursor may be any bytes of any length. */
	if (len > DNSNAME_NAME_MAX) {
		buf_printf(err, "%s: %zu bytes, expected %s (at most %d)",
		    name, len, role, DNSNAME_NAME_MAX);
		rc = -1;
	} else if (dnsname_syntax(s, 0, &why) < 0) {
		buf_printf(err, "%s ", name);
		esc_text(err, s);
		buf_printf(err, ": expected %s: %s", role,
		    why.s ? why.s : "not a domain name");
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

int
dashboard_after_parse(const char *s, char **after, struct buf *err)
{
	return dashboard_cursor_parse(s, "after", DASHBOARD_AFTER_ROLE, after,
	    err);
}

int
dashboard_before_parse(const char *s, char **before, struct buf *err)
{
	return dashboard_cursor_parse(s, "before", DASHBOARD_BEFORE_ROLE,
	    before, err);
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

/*
 * The cursor parameter name= at p..amp into *cursor (parse: its
 * parser); a NUL in the query ends the name: refused too.
 */
static int
dashboard_query_cursor_param(const char *p, const char *amp,
    const char *param, const char *name, char **cursor,
    int (*parse)(const char *, char **, struct buf *), struct buf *err)
{
	char *v;
	int rc;

	if (!dashboard_query_param(p, amp, param, &v))
		return 1;
	if (strlen(v) != (size_t)(amp - p) - strlen(param)) {
		buf_printf(err, "%s: a NUL byte in the domain name", name);
		rc = -1;
	} else
		rc = parse(v, cursor, err);
	free(v);
	return rc;
}

int
dashboard_query_cursor(const char *query, size_t len, long long *page,
    char **after, char **before, struct buf *err)
{
	const char *p = query, *end = query + len, *amp;
	char *v;
	int rc = 0;

	*page = 1;
	*after = *before = NULL;
	while (p < end && rc == 0) {
		if ((amp = memchr(p, '&', (size_t)(end - p))) == NULL)
			amp = end;
		if (dashboard_query_param(p, amp, DASHBOARD_PAGE_PARAM, &v)) {
			rc = dashboard_page_parse(v, page, err);
			free(v);
		} else if ((rc = dashboard_query_cursor_param(p, amp,
		    DASHBOARD_AFTER_PARAM, "after", after,
		    dashboard_after_parse, err)) == 1)
			rc = dashboard_query_cursor_param(p, amp,
			    DASHBOARD_BEFORE_PARAM, "before", before,
			    dashboard_before_parse, err);
		if (rc == 1)
			rc = 0;
		p = amp + 1;
	}
	if (rc == 0 && *after != NULL && *before != NULL) {
		buf_puts(err, "after and before: one cursor at most");
		rc = -1;
	}
	if (rc < 0) {
		free(*after);
		free(*before);
		*after = *before = NULL;
	}
	return rc;
}

int
dashboard_query_page(const char *query, size_t len, long long *page,
    char **after, struct buf *err)
{
	char *before = NULL;
	int rc = dashboard_query_cursor(query, len, page, after, &before,
	    err);

	free(before);
	return rc;
}
