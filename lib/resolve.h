/*
 * resolve - bounded DNS lookups for the checks of dnsmon (ldns).
 * SPDX-License-Identifier: ISC
 *
 * SYNOPSIS
 *	res = resolve_new(timeout_ms, cname_depth, &err)
 *	res = resolve_new_source(&src, cname_depth)	answers from elsewhere
 *	st = resolve_query(res, name, type, &rrs, &final)
 *	resolve_txt_text(rr)		its character-strings joined
 *	resolve_status_name(st)		"nxdomain", "servfail", ...
 *	resolve_free(res)
 *
 * DESCRIPTION
 *	Queries go to the nameservers of the system's resolv.conf (inside
 *	the tests' network namespace: the test server), over UDP with a
 *	fall-back to TCP for truncated answers, each try bounded by
 *	timeout_ms and tried once per nameserver.  resolve_query() follows
 *	CNAMEs (in the same answer or by asking again) for at most
 *	cname_depth steps; a longer chain or a loop is RESOLVE_LOOP.  It
 *	returns the records of the type asked for at the end of the chain
 *	(*rrs, NULL unless RESOLVE_OK; free with ldns_rr_list_deep_free)
 *	and that name (*final, xmalloc'd, without the trailing dot; may
 *	be NULL).  Asking for CNAME itself follows nothing.
 *
 *	resolve_new_source() makes a resolver that sends nothing: every
 *	(name, type) is looked up with src.lookup(), which either gives the
 *	answer packet (borrowed: resolve never frees it) or a status
 *	without one (RESOLVE_TIMEOUT, RESOLVE_ERROR), or says that the
 *	answer is not known yet (-1): resolve_query() then returns
 *	RESOLVE_PENDING.  dnsmon runs the checks of a domain against its
 *	cache of answers this way, asks what is still missing, and runs
 *	them again when the answers are in (see dnsmon/answers.h).
 *
 * LIMITS
 *	RESOLVE_TXT_MAX bytes of joined TXT text (longer is cut).
 */
#ifndef STS_RESOLVE_H
#define STS_RESOLVE_H

#include <ldns/ldns.h>

#include "buf.h"

#define RESOLVE_TXT_MAX		(64 * 1024)

enum resolve_status {
	RESOLVE_OK,
	RESOLVE_NODATA,		/* the name exists, no record of the type */
	RESOLVE_NXDOMAIN,
	RESOLVE_SERVFAIL,
	RESOLVE_REFUSED,
	RESOLVE_TIMEOUT,	/* no answer within the time limit */
	RESOLVE_LOOP,		/* CNAME chain too long or a loop */
	RESOLVE_ERROR,		/* anything else (bad name, bad answer) */
	RESOLVE_PENDING,	/* source mode: the answer is not known yet */
};

struct resolve_source {
	/* 0: *pkt (or NULL and *st), -1: not known yet. */
	int	(*lookup)(void *ctx, const ldns_rdf *name, ldns_rr_type,
		    const ldns_pkt **pkt, enum resolve_status *st);
	void	*ctx;
};

struct resolve;

struct resolve *resolve_new(int timeout_ms, int cname_depth, struct buf *err);
struct resolve *resolve_new_source(const struct resolve_source *,
	    int cname_depth);
void	resolve_free(struct resolve *);
enum resolve_status resolve_query(struct resolve *, const char *name,
	    ldns_rr_type, ldns_rr_list **rrs, char **final);
char	*resolve_txt_text(const ldns_rr *);
char	*resolve_rdf_name(const ldns_rdf *);	/* no trailing dot */
const char *resolve_status_name(enum resolve_status);
int	resolve_status_is_error(enum resolve_status);	/* not OK/NODATA */

#endif
