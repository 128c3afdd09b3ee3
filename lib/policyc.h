/*
 * policyc - policyd's client side: one request, and the hosted domains
 * of the paged "domain-list".
 * SPDX-License-Identifier: ISC
 *
 * SYNOPSIS
 *	struct policyc c;
 *	policyc_open(&c, PROTO_POLICYD_PRIVATE, timeout_ms, &err)
 *	reply = policyc_call(req, &c, &err)
 *	policyc_close(&c)
 *
 *	reply = policyc_domain_list(policyc_call, &c, &err)
 *	req = policyc_page_req(after)		one page, asked for by the caller
 *	domains = policyc_page_check(reply, after, &err)
 *	policyc_domain_pages(policyc_call, &c, page_fn, arg, &err)
 *	policyc_domain_pages_from(policyc_call, &c, after, page_fn, arg, &err)
 *	d = policyc_domain_show(policyc_call, &c, name, &err)
 *	policyc_domain_add(policyc_call, &c, name, mx, &err)
 *
 *	struct policyc_lease l = { PROTO_LEASE_DNSMON, "the round" };
 *	if (policyc_lease_ask(&l, policyc_call, &c) == 1)	do the work
 *	policyc_lease_free(&l)
 *
 * DESCRIPTION
 *	policyc_open() connects to policyd's socket at path (relative to
 *	the working directory: a daemon's is queue_directory; absolute
 *	from a command, see proto_path()) with lib/proto, and keeps the
 *	time-out for each request on it.  policyc_call() sends req (it
 *	takes it) on the open connection and returns the reply when it
 *	says ok, or NULL with the reason in err; c.refused tells then
 *	whether policyd answered (1: with not ok) or was not reached (0).
 *	Several requests may share one connection.
 *
 *	The functions about domains take such a call function and its
 *	context, so that a program with its own way to reach policyd
 *	(a connection it keeps, a command that dies when policyd is away)
 *	uses the same loop: call takes the request and returns the reply
 *	when it says ok, or NULL with the reason in err.
 *
 *	policyd answers "domain-list" a page at a time: a reply with
 *	"next" asks for another request with "after": next.
 *	policyc_domain_pages() sends those requests and calls page with
 *	the "domains" array of each page, in order (page returns 0 to go
 *	on, -1 to stop with its reason in err); policyc_domain_pages_from()
 *	starts with the names after "after" (NULL: the first page).  policyc_domain_list()
 *	returns the first reply with the "domains" of every page and no
 *	"next".  A program that asks for the pages itself (without
 *	waiting: dnsmon) builds each request with policyc_page_req() (after:
 *	the "next" of the page before, NULL for the first) and checks its
 *	reply, once it says ok, with policyc_page_check(), which returns its
 *	"domains" (borrowed from reply) or NULL with the reason in err.
 *	policyc_domain_show() returns the "domain" object of
 *	"domain-show" (a new reference).  policyc_domain_add() sends the
 *	"domain-add" of name with the one mx pattern mx (policyd's
 *	defaults otherwise) and returns 0 once it says ok.
 *
 *	policyc_lease_ask() asks policyd, before a piece of work that must
 *	happen once among the nodes of a database, whether this node
 *	holds its lease (PROTO_OP_LEASE; l.work is a PROTO_LEASE_*): 1
 *	when it does, 0 when another node does, or when policyd cannot
 *	say (not reached, an error): the work is then skipped, and said
 *	once until the answer changes ("skipping the round: lease dnsmon
 *	held by node-a", and "the round: lease dnsmon held by this node
 *	(node-b)" when it comes back).  With storage_engine = sqlite (one
 *	host) it returns 1 without asking: nothing changes in behaviour
 *	or speed.
 *
 * LIMITS
 *	POLICYC_PAGES_MAX pages; each "next" must sort after the one
 *	before (policyd lists domains in byte order of their names), so a
 *	"next" that repeats or goes back is an error at once, not a loop.
 *
 * DIAGNOSTICS
 *	-1 or NULL with one line in err: the connection's (lib/ipc), the
 *	"error" of a refused request, "domain-list: reply without
 *	domains", "domain-list: more than 1000000 pages", "domain-list:
 *	\"next\" b.example does not follow c.example".
 */
#ifndef STS_POLICYC_H
#define STS_POLICYC_H

#include <jansson.h>

#include "buf.h"

#define POLICYC_PAGES_MAX	1000000	/* pages of one domain-list */

struct policyc {
	int	 fd;			/* connected to policyd, or -1 */
	int	 timeout_ms;		/* per request */
	int	 refused;		/* the last call's reply was not ok */
};

/* The lease of one work, and what was said of it (policyc_lease_ask). */
struct policyc_lease {
	const char *work;		/* PROTO_LEASE_* */
	const char *what;		/* "the round": for the log */
	int	 said;			/* POLICYC_LEASE_* last logged */
	char	*holder;		/* the holder last logged, or NULL */
};

#define POLICYC_LEASE_UNSAID	0
#define POLICYC_LEASE_HELD	1
#define POLICYC_LEASE_OTHER	2	/* another node holds it */
#define POLICYC_LEASE_UNKNOWN	3	/* policyd could not say */

typedef json_t *(*policyc_call_fn)(json_t *req, void *ctx, struct buf *err);
typedef int (*policyc_page_fn)(json_t *domains, void *arg, struct buf *err);

int	policyc_open(struct policyc *, const char *path, int timeout_ms,
	    struct buf *err);
void	policyc_close(struct policyc *);
json_t	*policyc_call(json_t *req, void *ctx, struct buf *err);

int	policyc_domain_pages(policyc_call_fn, void *ctx, policyc_page_fn,
	    void *arg, struct buf *err);
int	policyc_domain_pages_from(policyc_call_fn, void *ctx, const char *after,
	    policyc_page_fn, void *arg, struct buf *err);
json_t	*policyc_page_req(const char *after);
json_t	*policyc_page_check(const json_t *reply, const char *after,
	    struct buf *err);
json_t	*policyc_domain_list(policyc_call_fn, void *ctx, struct buf *err);
json_t	*policyc_domain_show(policyc_call_fn, void *ctx, const char *name,
	    struct buf *err);
int	policyc_domain_add(policyc_call_fn, void *ctx, const char *name,
	    const char *mx, struct buf *err);
int	policyc_lease_ask(struct policyc_lease *, policyc_call_fn, void *ctx);
void	policyc_lease_free(struct policyc_lease *);

#endif
