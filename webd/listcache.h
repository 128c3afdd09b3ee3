/*
 * listcache - what reports.db says of each domain on the list page (its
 * readiness verdict and the failed sessions of its last week: lib/
 * dashboard's dashboard_evidence()), kept for LISTCACHE_MS, so that a
 * page of 100 domains shown again reads none of their reports.
 * SPDX-License-Identifier: ISC
 *
 * SYNOPSIS
 *	ev = listcache_get(domain, mode, now_ms)	borrowed, or NULL
 *	listcache_put(domain, mode, ev, now_ms)		ev taken
 *	listcache_free()
 *
 * DESCRIPTION
 *	An entry counts for LISTCACHE_MS and for the mode it was made
 *	with (the verdict of a domain in mode enforce is "enforced"
 *	whatever its reports): so the list shows a report stored, or a
 *	change of mode made elsewhere, within that time, and a change
 *	of mode through webd at once.  Only the reports' part is kept:
 *	the state, dnsmon's checks and the certificate, the other open
 *	problems, are read anew for every page; the domain's own pages
 *	(its manage page, its dashboard) read the reports live.
 *
 * LIMITS
 *	LISTCACHE_MAX domains; when full, the expired entries are
 *	dropped, and when none has expired a new one is not kept.
 */
#ifndef STS_WEBD_LISTCACHE_H
#define STS_WEBD_LISTCACHE_H

#include <stdint.h>

#include <jansson.h>

#define LISTCACHE_MS		60000	/* how long an entry counts */
#define LISTCACHE_MAX		10000	/* domains kept */

json_t	*listcache_get(const char *domain, const char *mode, int64_t now_ms);
void	listcache_put(const char *domain, const char *mode, json_t *evidence,
	    int64_t now_ms);
void	listcache_free(void);

#endif
