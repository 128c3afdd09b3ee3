/*
 * domlist - every hosted domain, from policyd's paged "domain-list".
 * SPDX-License-Identifier: ISC
 *
 * SYNOPSIS
 *	reply = domlist_all(call, ctx, &err)
 *
 *	struct domlist_conn c = { fd, timeout_ms };
 *	reply = domlist_all(domlist_ipc_call, &c, &err)
 *
 * DESCRIPTION
 *	policyd answers "domain-list" a page at a time: a reply with
 *	"next" asks for another request with "after": next.  domlist_all()
 *	sends the requests through call (which takes the request, and
 *	returns the reply when it says ok, or NULL with the reason in
 *	err) and returns the first reply with the "domains" of every page
 *	and no "next"; NULL when a request failed.
 *	domlist_ipc_call() is such a call over an open connection to
 *	policyd (lib/ipc): one request, its reply when it says ok.
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

struct domlist_conn {
	int	 fd;			/* connected to policyd */
	int	 timeout_ms;		/* per request */
};

json_t	*domlist_all(domlist_call_fn, void *ctx, struct buf *err);
json_t	*domlist_ipc_call(json_t *req, void *ctx, struct buf *err);

#endif
