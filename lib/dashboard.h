/*
 * lib/dashboard - the HTML report pages (stsctl report html and the
 * pages served on the metrics/admin listener).
 * SPDX-License-Identifier: ISC
 *
 * Interface:
 *	domains = dashboard_domains_page(socket_path, page, after, size,
 *	    &more, &err)
 *		asks policyd (socket_path: public/ or private/policyd) for
 *		the hosted domains of one page of the overview: size
 *		domains from the (page - 1) * size + 1st on, in policyd's
 *		order (byte order of the names, so a page holds the same
 *		domains until the list changes), each with what the pages
 *		show (mode, state, policy, DNS check state, certificate
 *		expiry); a JSON array, and more says whether a domain
 *		follows the page.  NULL with err set on failure, or for a
 *		page past the last ("page 9 is past the last page (120
 *		domains, 50 per page)"; page 1 of no domains is an empty
 *		page).  Without after it reads domain-list replies up to
 *		the page and one past it (the pages before it are walked,
 *		not kept); with after (the name that ends the page before,
 *		the cursor of the "next" links) it asks for the names after
 *		that one only, so that page n costs what page 2 does (page
 *		is then the number shown).  It asks domain-show for the
 *		page's domains only.
 *	domains = dashboard_domains_before(socket_path, page, before, size,
 *	    &err)
 *		the same for the page that ends just before the name
 *		"before" (the first name of the page after it, the cursor
 *		of the "prev" links): the size domains before it, read
 *		backwards from it (domain-list {"before": NAME}), so that
 *		going back from page n costs what going on does.  NULL
 *		with err for none before it ("page 4 is before the first
 *		page (no domain before a.example)").
 *	rc = dashboard_page_parse(text, &page, &err)
 *		a page number of a command line or a URL: 1 to
 *		DASHBOARD_PAGE_MAX, else -1 with err ("page x: expected a
 *		page number from 1 to 1000000000"; text escaped).
 *	rc = dashboard_after_parse(text, &after, &err)
 *		a cursor: a domain name (dnsname_syntax(), at most
 *		DNSNAME_NAME_MAX bytes) into *after in lower case (a new
 *		string, the old one freed), else -1 with err ("after: 10000 bytes, expected
 *		the domain name that ends the page before (at most 253)",
 *		or the name escaped and the cause).
 *	rc = dashboard_before_parse(text, &before, &err)
 *		the same for the cursor of a previous page ("before: ...
 *		expected the domain name that starts the page after").
 *	rc = dashboard_query_page(query, len, &page, &after, &err)
 *		the "page=N" and "after=NAME" of a query string (the len
 *		bytes after "?", "&"-separated; other parameters ignored;
 *		the last of each counts): page 1 and after NULL without
 *		them, -1 with err for a bad one (lib/dashboard_query.c,
 *		pure; tests/fuzz/fuzz_pagequery); *after is the caller's
 *		to free.
 *	rc = dashboard_query_cursor(query, len, &page, &after, &before, &err)
 *		the same with "before=NAME" too; after and before both
 *		given is an error ("after and before: one cursor at most").
 *	domains = dashboard_domain(socket_path, name, &err)
 *		the same for one domain (an array of one), for a page of
 *		that domain without asking for every other; err says
 *		policyd's reason ("x.example: no such domain").
 *	rc = dashboard_html(out, reports, domains, &opts, &err)
 *		appends one self-contained HTML page to out: the overview
 *		(opts.domain NULL) or one domain.  reports is reports.db
 *		opened read-only (NULL: none stored yet).  0 done, 1 no
 *		such domain, -1 error (err).
 *	reports = dashboard_reports_open(&err)
 *		$data_directory/reports.db read-only; NULL with err empty
 *		when there is none yet, NULL with err set when it cannot be
 *		opened (another schema version, ...).
 *	css = dashboard_css()
 *		the style sheet of the pages, for a server whose
 *		Content-Security-Policy refuses inline styles: with
 *		opts.style_href set the page links to it there instead of
 *		carrying it inline; opts.nav_html (HTML, not escaped: the
 *		caller's own) goes under the page's heading.
 *	verdict = dashboard_readiness(reports, domain, days, share, now)
 *		the readiness verdict (lib/rptsum) of a domain object of
 *		policyd (its "domain" and "mode"); reports may be NULL.
 *	evidence = dashboard_evidence(reports, domain, days, share, now)
 *		what reports.db says of a domain for a row of a list:
 *		{"readiness": the verdict, "week": the summary of the last
 *		DASHBOARD_OVERVIEW_DAYS days by result type (null without
 *		reports.db)}; one read of the domain's rows of the longer
 *		of the readiness window and DASHBOARD_OVERVIEW_DAYS, the
 *		dear part of a row (a caller may keep it a while).
 *	status = dashboard_status(domain, evidence, now)
 *		what the overview's row of a domain says, for another list
 *		of domains (the portal's), by the same code as the
 *		overview: {"readiness": the verdict, "ready": its short
 *		form ("yes", "enforced" or the reason), "problems": the
 *		open problems, "; "-separated ("" for none)}; domain is
 *		policyd's domain-show object (with "checks"), with "cert"
 *		from dashboard_add_certs() for the certificate's problems.
 *	dashboard_add_certs(domains)
 *		acmed's certificate of each domain's policy host into it
 *		as "cert" (one read of acmed's state file).
 *
 * The page shows, per domain: mode, state, MX patterns, max_age,
 * policy id and text, acmed's certificate of the policy host, dnsmon's
 * last checks, the readiness verdict with its evidence, the totals,
 * a stacked column per day of the window, bars by result type, by
 * sending organization and by MX host, what each result type means
 * and its fix, the senders' additional-information, each
 * sts-policy-fetch-error and sts-webpki-invalid failure beside what
 * httpd saw from its sending-mta-ip (fetches.db, lib/fetchdb; the line
 * of "stsctl report show"), and the
 * unverified reports of the window in their own table (lib/rptsum: not
 * in the numbers while report_require_dkim is "yes").  The overview
 * has a row per domain: mode, sessions and success rate of the last
 * DASHBOARD_OVERVIEW_DAYS days, open problems (failures, checks not
 * ok, certificate expiring or failing, state not active) and the
 * verdict; with opts.page set, the overview is that page of the
 * domains, with links to the previous page (page > 1) and the next one
 * (opts.more) at page_prefix + N + page_suffix, each with its cursor
 * when opts.page_after and opts.page_before say how: the next page's
 * link carries the last name of this page, the previous page's the
 * first (none to page 1, which is read from the start).  Links go to link_prefix + name + link_suffix, or without
 * link_prefix to the in-page anchor "#d-" + name (opts.sections).
 * dashboard_domains() also reads acmed's state file (lib/certstore.h)
 * (acmed's, as "stsctl cert list" does) for the certificate.
 *
 * Everything that came from a report is escaped.  The numbers are the
 * ones `stsctl report summary --json` prints for the same window.
 */
#ifndef STS_DASHBOARD_H
#define STS_DASHBOARD_H

#include <stddef.h>
#include <time.h>
#include <jansson.h>

#include "buf.h"
#include "rptdb.h"

#define DASHBOARD_DAYS		30	/* default chart window */
#define DASHBOARD_READY_DAYS	14	/* default readiness window */
#define DASHBOARD_MAJOR_SHARE	10	/* default major sender, % */
#define DASHBOARD_NOTES_MAX	50	/* additional-information rows */
#define DASHBOARD_OVERVIEW_DAYS	7	/* overview: sessions, success rate */
#define DASHBOARD_PAGE_MAX	1000000000	/* overview page numbers */

struct dashboard_opts {
	const char *domain;		/* NULL: overview of every domain */
	int	 days;			/* chart window, days */
	int	 ready_days;		/* readiness window, days */
	time_t	 now;			/* end of the windows */
	const char *link_prefix;	/* links to a domain page: prefix+name */
	const char *link_suffix;	/* ... +suffix (".html" or "") */
	/* Added fields: 0 means the default. */
	int	 sections;		/* overview: every domain's section
					 * below it, linked by anchors */
	int	 major_share;		/* readiness: major sender, percent */
	long long page;			/* overview: its page (1...), 0: one
					 * page of every domain given */
	int	 page_size;		/* domains per page */
	int	 more;			/* a page follows this one */
	const char *page_prefix;	/* links to a page: prefix+N+suffix */
	const char *page_suffix;
	const char *page_after;		/* the next page's link: prefix+N+
					 * page_after+last name+suffix;
					 * NULL: without a cursor */
	const char *style_href;		/* NULL: the style sheet inline */
	const char *nav_html;		/* under the heading, or NULL */
	const char *page_before;	/* the previous page's link: prefix+
					 * N+page_before+first name+suffix;
					 * NULL: without a cursor */
};

json_t	*dashboard_domains_page(const char *socket_path, long long page,
	    const char *after, int size, int *more, struct buf *err);
json_t	*dashboard_domains_before(const char *socket_path, long long page,
	    const char *before, int size, struct buf *err);
int	 dashboard_page_parse(const char *text, long long *page,
	    struct buf *err);
int	 dashboard_before_parse(const char *text, char **before,
	    struct buf *err);
int	 dashboard_query_cursor(const char *query, size_t len,
	    long long *page, char **after, char **before, struct buf *err);
int	 dashboard_after_parse(const char *text, char **after,
	    struct buf *err);
int	 dashboard_query_page(const char *query, size_t len, long long *page,
	    char **after, struct buf *err);
json_t	*dashboard_domain(const char *socket_path, const char *name,
	    struct buf *err);
int	 dashboard_html(struct buf *out, struct rptdb *reports,
	    json_t *domains, const struct dashboard_opts *opts,
	    struct buf *err);
struct rptdb *dashboard_reports_open(struct buf *err);
const char *dashboard_css(void);
json_t	*dashboard_readiness(struct rptdb *reports, json_t *domain, int days,
	    int major_share, time_t now);
json_t	*dashboard_evidence(struct rptdb *reports, json_t *domain, int days,
	    int major_share, time_t now);
json_t	*dashboard_status(json_t *domain, json_t *evidence, time_t now);
void	 dashboard_add_certs(json_t *domains);

#endif
