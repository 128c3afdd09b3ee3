/*
 * resolve - bounded DNS lookups for the checks of dnsmon (ldns).
 *
 * SYNOPSIS
 *	res = resolve_new(timeout_ms, cname_depth, &err)
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
 * LIMITS
 *	RESOLVE_TXT_MAX bytes of joined TXT text (longer is cut).
 */
#ifndef DNSMON_RESOLVE_H
#define DNSMON_RESOLVE_H

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
};

struct resolve;

struct resolve *resolve_new(int timeout_ms, int cname_depth, struct buf *err);
void	resolve_free(struct resolve *);
enum resolve_status resolve_query(struct resolve *, const char *name,
	    ldns_rr_type, ldns_rr_list **rrs, char **final);
char	*resolve_txt_text(const ldns_rr *);
char	*resolve_rdf_name(const ldns_rdf *);	/* no trailing dot */
const char *resolve_status_name(enum resolve_status);
int	resolve_status_is_error(enum resolve_status);	/* not OK/NODATA */

#endif
