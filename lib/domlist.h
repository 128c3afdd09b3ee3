/*
 * domlist - every hosted domain, from policyd's paged "domain-list".
 *
 * SYNOPSIS
 *	reply = domlist_all(call, ctx, &err)
 *
 * DESCRIPTION
 *	policyd answers "domain-list" a page at a time: a reply with
 *	"next" asks for another request with "after": next.  domlist_all()
 *	sends the requests through call (which takes the request, and
 *	returns the reply when it says ok, or NULL with the reason in
 *	err) and returns the first reply with the "domains" of every page
 *	and no "next"; NULL when a request failed.
 *
 * LIMITS
 *	DOMLIST_PAGES_MAX pages: a policyd whose "next" never ends is an
 *	error, not a loop.
 */
#ifndef STS_DOMLIST_H
#define STS_DOMLIST_H

#include <jansson.h>

#include "buf.h"

#define DOMLIST_PAGES_MAX	1000000

typedef json_t *(*domlist_call_fn)(json_t *req, void *ctx, struct buf *err);

json_t	*domlist_all(domlist_call_fn, void *ctx, struct buf *err);

#endif
