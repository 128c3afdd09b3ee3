/*
 * lib/dashboard - the HTML report pages (stsctl report html and the
 * pages served on the metrics/admin listener).
 *
 * Interface:
 *	domains = dashboard_domains(socket_path, &err)
 *		asks policyd (socket_path: public/ or private/policyd) for
 *		every hosted domain with what the pages show (mode, state,
 *		policy, DNS check state, certificate expiry); a JSON array,
 *		NULL with err set on failure.
 *	rc = dashboard_html(out, reports, domains, &opts, &err)
 *		appends one self-contained HTML page to out: the overview
 *		(opts.domain NULL) or one domain.  reports is reports.db
 *		opened read-only.  0 done, 1 no such domain, -1 error (err).
 *
 * Everything that came from a report is escaped.  The numbers are the
 * ones `stsctl report summary --json` prints for the same window.
 */
#ifndef STS_DASHBOARD_H
#define STS_DASHBOARD_H

#include <time.h>
#include <sqlite3.h>
#include <jansson.h>

#include "buf.h"

#define DASHBOARD_DAYS		30	/* default chart window */
#define DASHBOARD_READY_DAYS	14	/* default readiness window */

struct dashboard_opts {
	const char *domain;		/* NULL: overview of every domain */
	int	 days;			/* chart window, days */
	int	 ready_days;		/* readiness window, days */
	time_t	 now;			/* end of the windows */
	const char *link_prefix;	/* links to a domain page: prefix+name */
	const char *link_suffix;	/* ... +suffix (".html" or "") */
};

json_t	*dashboard_domains(const char *socket_path, struct buf *err);
int	 dashboard_html(struct buf *out, sqlite3 *reports, json_t *domains,
	    const struct dashboard_opts *opts, struct buf *err);

#endif
