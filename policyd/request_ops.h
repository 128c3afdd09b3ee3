/*
 * request_ops - what the files of policyd's request handling share:
 * the handlers of request.c's dispatch table and their helpers.
 * SPDX-License-Identifier: ISC
 *
 * SYNOPSIS
 *	#include "request_ops.h"	(policyd/request*.c only)
 *
 * DESCRIPTION
 *	request.h is the interface of request handling to the rest of
 *	policyd; this header is the inside of it, split by duty:
 *	request.c (the dispatch table, request_handle() and the helpers
 *	below: replies, request fields, loading a domain, policy ids,
 *	queueing DNS publication), request_domain.c (the domain-* ops of
 *	stsctl and retirement), request_list.c (domain-list and
 *	domain-show), request_account.c and request_token.c
 *	(accounts of domain owners and their API tokens), request_owner.c
 *	(what an account may ask, and the proof of the domains it adds),
 *	request_audit.c
 *	(who asks, the audit log, audit-list), request_node.c (node-list
 *	and lease), request_check.c (what dnsmon, acmed and
 *	httpd report: checks, verification, certificates, challenges) and
 *	request_snapshot.c (what subscribers are told: the snapshot, each
 *	change, the snapshot file).  A handler returns its reply, or NULL
 *	with the reason in err; request_handle() makes that an error
 *	reply.
 *
 * LIMITS
 *	Those of request.h.
 *
 * DIAGNOSTICS
 *	Request fields return -1 with the reason in err.
 */
#ifndef POLICYD_REQUEST_OPS_H
#define POLICYD_REQUEST_OPS_H

#include <jansson.h>

#include "buf.h"
#include "policydb.h"
#include "proto.h"
#include "request.h"

/* A handler of request.c's dispatch table. */
typedef json_t *request_op_fn(struct policyd *pd, json_t *req,
	    struct buf *err);

/* request_domain.c: */
request_op_fn request_add;
request_op_fn request_import;
request_op_fn request_set;
request_op_fn request_del;
request_op_fn request_list;
request_op_fn request_show;
request_op_fn request_records;

/* request_migrate.c: */
request_op_fn request_migrate;
json_t	*request_migration_json(const struct policydb_migration *m);
json_t	*request_migration_probe(const struct policydb_migration *m);
int	request_migrating(struct policyd *pd, const char *domain, char **step);

/* request_account.c, request_token.c, request_audit.c: */
request_op_fn request_account_add;
request_op_fn request_account_set;
request_op_fn request_account_del;
request_op_fn request_account_list;
request_op_fn request_account_show;
request_op_fn request_account_auth;
request_op_fn request_token_new;
request_op_fn request_token_revoke;
request_op_fn request_token_list;
request_op_fn request_token_auth;
request_op_fn request_audit_list;
int	request_account_name(json_t *req, const char **out, struct buf *err);
int	request_exists(struct policyd *pd, const char *name, struct buf *err);
json_t	*request_tokens_json(struct policyd *pd, const char *name,
	    struct buf *err);
int	request_caller(struct policyd *pd, json_t *req, int from_public,
	    struct buf *err);
int	request_audit(struct policyd *pd, const char *action,
	    const char *domain, const char *account, json_t *details,
	    struct buf *err);
int	request_audit_domain(struct policyd *pd, const char *action,
	    const struct domain *d, const char *extra, struct buf *err);
void	request_audit_str(struct buf *b, const char *s);

/* request_alert.c: alert subscriptions, and the file that lists them. */
request_op_fn request_alert_add;
request_op_fn request_alert_list;
request_op_fn request_alert_del;
void	request_alert_write(struct policyd *pd);

/* request_node.c: the nodes of the database and their leases. */
request_op_fn request_lease;
request_op_fn request_node_list;

/* request_owner.c: the gate of an account's requests, and its hooks. */
int	request_actor_is_account(const struct policyd *pd);
json_t	*request_owner_handle(struct policyd *pd, const char *op,
	    request_op_fn *fn, json_t *req, struct buf *err);
int	request_owner_added(struct policyd *pd, const struct domain *d,
	    struct buf *err);
int	request_owner_removed(struct policyd *pd, const char *domain,
	    struct buf *err);
int	request_owner_verified(struct policyd *pd, const char *domain,
	    json_t *req, struct buf *err);
void	request_owner_proof(struct policyd *pd, const struct domain *d,
	    json_t *o);
json_t	*request_owner_record(struct policyd *pd, const char *domain);

/* request_check.c: */
request_op_fn request_check;
request_op_fn request_verified;
request_op_fn request_ping;
request_op_fn request_cert_changed;
request_op_fn request_cert_served;
request_op_fn request_challenge_add;
request_op_fn request_challenge_remove;
request_op_fn request_check_result;

/* Shared by them (request.c). */
long long request_now(const struct policyd *pd);
json_t	*request_error(const char *text);
json_t	*request_ok(void);
void	request_render(const struct domain *d, struct buf *out);
int	request_validate(const struct domain *d, struct buf *err);
long long request_cache_end(const struct domain *d, long long now);
int	request_new_id(struct policyd *pd, struct domain *d, long long until,
	    struct buf *err);
char	*request_token(void);
char	*request_policy_host(const char *domain);
char	*request_waiting(const struct domain *d);
json_t	*request_domain_json(const struct domain *d);
json_t	*request_domain_reply(const struct domain *d);
json_t	*request_policy_msg(const struct domain *d, const struct buf *policy);
void	request_notify(struct policyd *pd, json_t *msg);
int	request_queue(struct policyd *pd, const char *domain, const char *id,
	    struct buf *err);
void	request_kick(struct policyd *pd);
int	request_check_now(struct policyd *pd, const char *domain);
void	request_cert_now(struct policyd *pd, const char *domain);
int	request_domain_name(struct policyd *pd, json_t *req, int strict,
	    char **out, struct buf *err);
int	request_mode(json_t *req, char **out, struct buf *err);
int	request_max_age(json_t *req, long long *out, struct buf *err);
int	request_mx(json_t *req, char ***out, size_t *nout, struct buf *err);
int	request_load(struct policyd *pd, json_t *req, struct domain *d,
	    struct buf *err);
int	request_begin_load(struct policyd *pd, json_t *req, struct domain *d,
	    struct buf *err);
int	request_commit(struct policyd *pd, struct buf *err);
char	*request_join(char **v, size_t n);

/* The snapshot file and the subscribers (request_snapshot.c). */
void	request_notify_policy(struct policyd *pd, const struct domain *d);
void	request_notify_withdraw(struct policyd *pd, const char *domain);
void	request_snap_sync(struct policyd *pd);
void	request_snap_early(struct policyd *pd, const struct domain *d);
void	request_snap_commit(struct policyd *pd, const struct domain *d);
void	request_snap_undo(struct policyd *pd, const char *domain);

#endif
