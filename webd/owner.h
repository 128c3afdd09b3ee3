/*
 * owner.h - what a domain owner changes, for the portal's pages
 * (owner.c) and the API (api_domain.c): one way to ask policyd for
 * each change, and to read the result (ownerop.c).
 * SPDX-License-Identifier: ISC
 *
 * SYNOPSIS
 *	ownerop_add(&sc, fields, confirm, &o)	domain-add
 *	ownerop_set(&sc, name, fields, confirm, &o)	domain-set
 *	ownerop_del(&sc, name, &o)		domain-del
 *	ownerop_ask(&sc, op, name, &o)		domain-show, domain-records,
 *						domain-check
 *	ownerop_audit(&sc, after, &o)		audit-list
 *	ownerop_tokens(&sc, &o), ownerop_token_new(&sc, read_only, &o),
 *	ownerop_token_revoke(&sc, id, &o)
 *	ownerop_alerts(&sc, name, &o)		alert-list
 *	ownerop_alert_add(&sc, name, kind, target, &o)	alert-add: 201
 *	ownerop_alert_del(&sc, name, id, &o)	alert-del; another domain's
 *						id: 404
 *	v = ownerop_readiness(domain)		the verdict (lib/dashboard)
 *	text = ownerop_retirement(reply)	what a removal means
 *	ownerop_clear(&o)
 *	owner_route(&r, s)			the pages (owner.c): 1 when
 *						the path is one of them
 *	owner_links(&b), owner_domain_link(&b, domain)	links to them
 *	signup_route(&r, s)			the sign-up form (signup.c): 1
 *						when the path is SIGNUP_PATH
 *	api_domain_route(&r, &sc, read_only)	the API's routes of one
 *						domain, audit (api_domain.c)
 *	text = openapi_text()			the OpenAPI document served:
 *						webd/openapi.json (openapi.c)
 *
 * DESCRIPTION
 *	Each ownerop_* sends one request to policyd through scope_ask(),
 *	as the account and from its client: policyd applies the same
 *	rules as to stsctl and decides what the account may do; webd
 *	only refuses what it must not pass on (a name not among the
 *	account's domains, which is 404 as a name not hosted; mode
 *	enforce while the readiness verdict is "not yet" without
 *	confirm, which stsctl refuses the same way without --force).
 *	fields is a JSON object of which domain, mode, max_age and mx
 *	are passed on, as they are: policyd checks them.  o.status is the
 *	HTTP status of the result (200, 201, 202; 400 a value policyd
 *	refused, 403 a domain that cannot be added here or a change asked
 *	with a read-only token (policyd's PROTO_READ_ONLY_REFUSED), 404,
 *	409 enforce refused by the verdict (o.readiness), 503 policyd not
 *	reached),
 *	o.reply policyd's reply when it said ok, o.msg the reason
 *	otherwise, for the user (not escaped).
 *
 *	ownerop_readiness() is stsctl's readiness verdict of a domain
 *	object (lib/dashboard: dashboard_readiness() over reports.db,
 *	readiness_days, readiness_major_share).
 *
 * LIMITS
 *	Those of policyd (REQUEST_MX_MAX patterns, max_age, the quota),
 *	portal_body_limit bytes of a request body (webd.c).
 */
#ifndef STS_WEBD_OWNER_H
#define STS_WEBD_OWNER_H

#include <jansson.h>

#include "buf.h"
#include "scope.h"
#include "webd.h"

struct session;

struct ownerop {
	int	 status;
	json_t	*reply;			/* policyd's, when it said ok */
	json_t	*readiness;		/* when mode enforce was asked */
	struct buf msg;			/* the reason, when not */
};

#define OWNEROP_INIT	{ 0, NULL, NULL, BUF_INIT }

void	ownerop_add(struct scope *, json_t *fields, int confirm,
	    struct ownerop *);
void	ownerop_set(struct scope *, const char *name, json_t *fields,
	    int confirm, struct ownerop *);
void	ownerop_del(struct scope *, const char *name, struct ownerop *);
void	ownerop_ask(struct scope *, const char *op, const char *name,
	    struct ownerop *);
void	ownerop_audit(struct scope *, long long after, struct ownerop *);
void	ownerop_tokens(struct scope *, struct ownerop *);
void	ownerop_token_new(struct scope *, int read_only, struct ownerop *);
void	ownerop_token_revoke(struct scope *, long long id, struct ownerop *);
void	ownerop_alerts(struct scope *, const char *name, struct ownerop *);
void	ownerop_alert_add(struct scope *, const char *name, const char *kind,
	    const char *target, struct ownerop *);
void	ownerop_alert_del(struct scope *, const char *name, long long id,
	    struct ownerop *);
json_t	*ownerop_readiness(json_t *domain);
char	*ownerop_retirement(json_t *reply);
void	ownerop_clear(struct ownerop *);

int	owner_route(struct webd_req *, struct session *);
void	owner_alerts_section(struct buf *, struct session *, struct scope *,
	    const char *name);
void	owner_alerts_post(struct webd_req *, struct session *, struct scope *,
	    const char *name, int del);
void	owner_links(struct buf *);
void	owner_domain_link(struct buf *, const char *domain);

/* signup.c: GET and POST SIGNUP_PATH; 1 when the path is it. */
#define SIGNUP_PATH	"/signup"
int	signup_route(struct webd_req *, struct session *);

/* pages.c, for owner.c, signup.c (and webd.h's pages_start, pages_html). */
void	pages_set_cookie(struct buf *fields, const struct session *);
void	pages_see_other(struct webd_req *, const char *cookie_fields);
void	pages_signed_in(struct webd_req *, struct session *,
	    const char *account);
void	pages_signin_page(struct webd_req *, struct session *, int status,
	    const char *msg);
void	pages_signout_form(struct buf *, const struct session *);
int	pages_field(struct webd_req *, const char *name, char *out,
	    size_t size);
int	pages_csrf(struct webd_req *, struct session *);
int	pages_scope(struct webd_req *, struct session *, struct scope *);
int	api_domain_route(struct webd_req *, struct scope *, int read_only);
int	api_domain_path(const struct webd_req *);
const char *openapi_text(void);

#endif
