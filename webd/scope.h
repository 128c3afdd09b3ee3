/*
 * scope - everything webd asks policyd, and the one place where what an
 * account may see is decided.
 * SPDX-License-Identifier: ISC
 *
 * SYNOPSIS
 *	rc = scope_signin(name, password, from, account, &err)
 *	rc = scope_token(token, from, account, &read_only, &err)
 *	rc = scope_signup(name, email, password, from, &err)
 *	rc = scope_open(&sc, account, from, &err)
 *	list = scope_domains(&sc, &err)		the account's domains
 *	list = scope_domains_page(&sc, after, max, full, &more, &err)
 *				at most max of them after the name after
 *				(NULL: from the first), in byte order
 *	d = scope_domain(&sc, name, &err)	one of them, or NULL
 *	scope_has(&sc, name, norm)	1: one of them (norm: its name in
 *					lower case, without a final dot)
 *	o = scope_public(d)			what an account sees of a
 *						domain object (takes d)
 *	reply = scope_ask(&sc, req, &refused, &err)	any request, as the
 *						account
 *	a = scope_dashboard(&sc, name, &err)	one of them for
 *					lib/dashboard, or NULL
 *	scope_close(&sc)
 *
 * DESCRIPTION
 *	scope_signin() checks a name and password with policyd's
 *	account-auth, scope_token() an API token with token-auth; both
 *	write the account's name to account (scope_token() also whether
 *	the token is read-only) and return 1, 0 when refused
 *	(one answer whatever the cause), -1 when policyd cannot be asked
 *	(err says why).
 *
 *	scope_signup() asks policyd to make the account name (a sign-up:
 *	account-add as the new account itself, from the client, which
 *	policyd takes only with portal_signup): 1 made, 0 refused (err
 *	is the reason, for the user: the name's syntax, the address, the
 *	password's length, or PROTO_SIGNUP_REFUSED for a name that cannot
 *	be used, whether it exists or not), -1 policyd not reached.
 *
 *	A route reaches domains only through a struct scope, which
 *	scope_open() makes for one request from policyd's account-show:
 *	the account's domains as policy.db has them, kept for
 *	SCOPECACHE_MS (scopecache.h: a domain taken away, or an account
 *	disabled, counts within a second).  scope_token() keeps an
 *	accepted token as long.  The connection to policyd is opened by
 *	the first request that needs it.
 *	scope_domains() returns a new JSON array of the objects of those
 *	domains, in their order; scope_domain() the object of one of
 *	them (the SCOPE_MEMBERS of policyd's domain-show, nothing else), or NULL with err empty when the name is
 *	not one of the account's (whether or not policyd hosts it: the
 *	caller answers 404 either way).  Every request names the account
 *	and the client address as actor and from (policyd's audit log).
 *
 *	scope_has() says whether name (in any case, with a trailing dot)
 *	is one of the account's domains and writes its normal form to
 *	norm; every route that names a domain (the report pages and
 *	their API, with report ids, too) passes it first.  scope_ask() sends one request (it takes req) to policyd as
 *	the account, from the client: policyd decides what the account
 *	may do (stsd-policyd(8): the gate of an account's requests); the
 *	reply when it says ok, else NULL with err and *refused 1 when
 *	policyd refused it (err is its reason, for the user), 0 when it
 *	could not be asked.
 *
 *	scope_domains_page() is one page of the list: a domain-show for
 *	each domain of the page only; more says whether one follows.
 *	With full, the objects are policyd's whole domain-show objects
 *	(with dnsmon's checks, for the readiness and the open problems
 *	of the list page), not for the account's eyes as they are.
 *
 *	scope_dashboard() is the array of one domain object that
 *	dashboard_html() draws (policyd's domain-show with dnsmon's checks
 *	and acmed's certificate, lib/dashboard), for one of the account's
 *	domains only: NULL with err empty for any other name.
 *
 *	A scope whose read_only is set (an API token that may only read)
 *	says so in every request ("access": PROTO_ACCESS_READ_ONLY), so
 *	that policyd refuses any change, whatever the route asks.
 *
 *	scope_open() returns 0; 1 when the account is gone or disabled
 *	(the session ends); -1 when policyd cannot be asked.
 *
 * LIMITS
 *	ipc_timeout for each request to policyd; the domains of one
 *	account are bounded by its quota (policyd).
 */
#ifndef STS_WEBD_SCOPE_H
#define STS_WEBD_SCOPE_H

#include <jansson.h>

#include "acctname.h"
#include "buf.h"
#include "http.h"
#include "policyc.h"

#define SCOPE_FROM_MAX		64	/* a client address, for the audit */
#define SCOPE_MEMBERS		"domain", "state", "mode", "mx", "max_age", \
				"policy_id", "policy_host", "created", \
				"updated"	/* of a domain, shown */

struct scope {
	struct policyc pc;
	char	 account[ACCTNAME_MAX + 1];
	char	 from[SCOPE_FROM_MAX + 1];
	json_t	*names;			/* the account's domain names */
	int	 read_only;		/* policyd refuses every change */
};

int	scope_signin(const char *name, const char *password, const char *from,
	    char account[ACCTNAME_MAX + 1], struct buf *err);
int	scope_signup(const char *name, const char *email,
	    const char *password, const char *from, struct buf *err);
int	scope_token(const char *token, const char *from,
	    char account[ACCTNAME_MAX + 1], int *read_only, struct buf *err);
int	scope_open(struct scope *, const char *account, const char *from,
	    struct buf *err);
json_t	*scope_domains(struct scope *, struct buf *err);
json_t	*scope_domains_page(struct scope *, const char *after, size_t max,
	    int full, int *more, struct buf *err);
json_t	*scope_domain(struct scope *, const char *name, struct buf *err);
json_t	*scope_public(json_t *d);
int	scope_has(struct scope *, const char *name,
	    char norm[HTTP_HOST_MAX + 1]);
json_t	*scope_ask(struct scope *, json_t *req, int *refused, struct buf *err);
json_t	*scope_dashboard(struct scope *, const char *name, struct buf *err);
void	scope_close(struct scope *);

#endif
