/*
 * request_owner - what an account may ask: the one gate of every
 * request that names an account as its actor, and the ownership proof
 * of the domains an account adds; see request.h.
 * SPDX-License-Identifier: ISC
 *
 * request_handle() passes every request through request_owner_handle()
 * before its handler.  The operator's requests (the public socket, or
 * the private one without an actor) go straight to the handler.  An
 * account's go to the same handler as stsctl's, with the same checks,
 * ids and HTTPS-before-DNS ordering, once this module has found that
 * the account may ask it: only the ops of request_owner_ops, only on
 * its own domains (policydb_domain_owner) and on itself; none that
 * changes anything when the request says "access": "read-only" (an API
 * token that may only read: webd refuses those too, and this gate
 * holds when webd does not).  A sign-up (portal_signup) is the one
 * request of an account that does not exist yet: account-add of the
 * actor itself, with a name, an e-mail address and a password only,
 * through the operator's handler (the same checks; the quota
 * portal_default_quota, no domains).  Two hooks run
 * inside the handlers' transactions: request_owner_added() when a
 * domain-add stores a new domain (the account's link, its quota, a
 * new proof) and request_owner_removed() when a domain stops being
 * hosted or starts retiring (the link of a domain added with a proof
 * goes, so that another addition needs another proof).
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "acctname.h"
#include "buf.h"
#include "esc.h"
#include "log.h"
#include "mymalloc.h"
#include "params.h"
#include "policydb.h"
#include "proto.h"
#include "request.h"
#include "request_ops.h"

enum request_owner_rule {
	OWNER_ADD,		/* a domain hosted for nobody else */
	OWNER_DOMAIN,		/* a domain of the account */
	OWNER_SELF,		/* req.name is the account */
	OWNER_AUDIT,		/* the account's rows of the audit log */
	OWNER_SIGNUP,		/* a new account, the actor (portal_signup) */
};

/* The ops an account may ask; writes: refused to a read-only access. */
static const struct {
	const char *op;
	enum request_owner_rule rule;
	int	 writes;
} request_owner_ops[] = {
	{ PROTO_OP_DOMAIN_ADD, OWNER_ADD, 1 },
	{ PROTO_OP_DOMAIN_SET, OWNER_DOMAIN, 1 },
	{ PROTO_OP_DOMAIN_DEL, OWNER_DOMAIN, 1 },
	{ PROTO_OP_DOMAIN_SHOW, OWNER_DOMAIN, 0 },
	{ PROTO_OP_DOMAIN_RECORDS, OWNER_DOMAIN, 0 },
	{ PROTO_OP_DOMAIN_CHECK, OWNER_DOMAIN, 1 },
	{ PROTO_OP_ALERT_ADD, OWNER_DOMAIN, 1 },
	{ PROTO_OP_ALERT_LIST, OWNER_DOMAIN, 0 },
	{ PROTO_OP_ALERT_DEL, OWNER_DOMAIN, 1 },
	{ PROTO_OP_ACCOUNT_SHOW, OWNER_SELF, 0 },
	{ PROTO_OP_TOKEN_NEW, OWNER_SELF, 1 },
	{ PROTO_OP_TOKEN_LIST, OWNER_SELF, 0 },
	{ PROTO_OP_TOKEN_REVOKE, OWNER_SELF, 1 },
	{ PROTO_OP_AUDIT_LIST, OWNER_AUDIT, 0 },
	{ PROTO_OP_ACCOUNT_ADD, OWNER_SIGNUP, 1 },
	{ NULL, OWNER_ADD, 0 }
};

/* The members of a sign-up: no quota, no domains, nothing else. */
static const char *const request_owner_signup_members[] = {
	"op", "actor", "from", "access", "name", "email", "password", NULL
};

int
request_actor_is_account(const struct policyd *pd)
{
	return strcmp(pd->actor, ACCTNAME_OPERATOR) != 0;
}

/* Whether the account acting manages domain (policydb_domain_owner). */
static int
request_owner_mine(struct policyd *pd, const char *domain, struct buf *err)
{
	char *owner;
	int rc, mine;

	if ((rc = policydb_domain_owner(pd->db, domain, &owner, err)) < 0)
		return -1;
	mine = rc == 1 && strcmp(owner, pd->actor) == 0;
	free(owner);
	return mine;
}

/* req.domain is the account's; else "NAME: no such domain", as for none. */
static int
request_owner_domain(struct policyd *pd, json_t *req, struct buf *err)
{
	char *name;
	int rc;

	if (request_domain_name(pd, req, 0, &name, err) < 0)
		return -1;
	if ((rc = request_owner_mine(pd, name, err)) == 0)
		buf_printf(err, "%s: no such domain", name);
	free(name);
	return rc == 1 ? 0 : -1;
}

/*
 * Why req.domain cannot be added by the account acting, for the
 * operator's eyes only, or NULL when it can: hosted for another
 * account or by the operator (in any state), or given to another
 * account before it is hosted.
 */
static char *
request_owner_taken(struct policyd *pd, const char *name, struct buf *err)
{
	struct domain d;
	char *owner, *why = NULL;
	int hosted, owned;

	if ((owned = policydb_domain_owner(pd->db, name, &owner, err)) < 0 ||
	    (hosted = policydb_domain_get(pd->db, name, &d, err)) < 0) {
		if (owned > 0)
			free(owner);
		return NULL;
	}
	if (owned && strcmp(owner, pd->actor) != 0)
		why = hosted ? xasprintf("hosted for account %s (state %s)",
		    owner, policydb_state_name(d.state)) : xasprintf(
		    "given to account %s by the operator, not hosted yet",
		    owner);
	else if (!owned && hosted)
		why = xasprintf("hosted by the operator (state %s)",
		    policydb_state_name(d.state));
	if (owned)
		free(owner);
	if (hosted)
		policydb_domain_clear(&d);
	return why;
}

/*
 * The refusal of an add: the account is told REQUEST_OWNER_REFUSED,
 * whatever the reason; the audit log keeps the reason, in a row for
 * the operator only (account ""), committed on its own.
 */
static void
request_owner_refuse(struct policyd *pd, const char *name, const char *why,
    struct buf *err)
{
	struct buf e = BUF_INIT;

	if (policydb_begin(pd->db, &e) < 0 ||
	    request_audit(pd, PROTO_OP_DOMAIN_ADD, name, "", json_pack(
	    "{s:s}", "refused", why), &e) < 0 || request_commit(pd, &e) < 0) {
		policydb_rollback(pd->db);
		log_warn("%s: audit of a refused domain-add: %s", name, e.s);
	}
	buf_free(&e);
	log_info("%s: domain-add by account %s from %s refused: %s", name,
	    pd->actor, pd->origin, why);
	buf_puts(err, REQUEST_OWNER_REFUSED);
}

static int
request_owner_add(struct policyd *pd, json_t *req, struct buf *err)
{
	char *name, *why;

	if (request_domain_name(pd, req, 1, &name, err) < 0)
		return -1;
	why = request_owner_taken(pd, name, err);
	if (why != NULL)
		request_owner_refuse(pd, name, why, err);
	free(name);
	free(why);
	return err->len > 0 ? -1 : 0;
}

/* req.name (or req.account for OWNER_AUDIT) is the account acting. */
static int
request_owner_self(struct policyd *pd, json_t *req, const char *key,
    struct buf *err)
{
	json_t *v = json_object_get(req, key);

	if (v == NULL && strcmp(key, "account") == 0) {
		json_object_set_new(req, key, json_string(pd->actor));
		return 0;
	}
	if (!json_is_string(v) || strcmp(json_string_value(v), pd->actor)
	    != 0) {
		buf_printf(err, "%s: an account may ask this of itself only",
		    key);
		return -1;
	}
	return 0;
}

/*
 * The rule of op for an account, and whether it writes; -1 when
 * accounts may not ask it.
 */
static int
request_owner_rule(const char *op, int *writes)
{
	size_t i;

	*writes = 0;
	for (i = 0; request_owner_ops[i].op != NULL; i++)
		if (strcmp(request_owner_ops[i].op, op) == 0) {
			*writes = request_owner_ops[i].writes;
			return (int)request_owner_ops[i].rule;
		}
	return -1;
}

/*
 * req.access: absent or read-write, anything goes; read-only, nothing
 * that writes (the error webd gives: PROTO_READ_ONLY_REFUSED).
 */
static int
request_owner_access(struct policyd *pd, const char *op, int writes,
    json_t *req, struct buf *err)
{
	json_t *v = json_object_get(req, "access");
	const char *s = json_string_value(v);

	if (v == NULL)
		return 0;
	if (s == NULL || (strcmp(s, PROTO_ACCESS_READ_ONLY) != 0 &&
	    strcmp(s, PROTO_ACCESS_READ_WRITE) != 0)) {
		buf_puts(err, "access: " PROTO_ACCESS_READ_ONLY " or "
		    PROTO_ACCESS_READ_WRITE);
		return -1;
	}
	if (!writes || strcmp(s, PROTO_ACCESS_READ_ONLY) != 0)
		return 0;
	log_info("%s by account %s from %s refused: the access is read-only",
	    op, pd->actor, pd->origin);
	buf_puts(err, PROTO_READ_ONLY_REFUSED);
	return -1;
}

/*
 * Whether an account called name ever acted or was acted on (its rows
 * of the audit log): 1, 0, or -1 with err.
 */
static int
request_owner_name_used(struct policyd *pd, const char *name,
    struct buf *err)
{
	struct policydb_audit_filter f;
	struct policydb_audit *v;
	size_t n;
	int more;

	memset(&f, 0, sizeof(f));
	f.account = name;
	if (policydb_audit_list(pd->db, &f, 1, &v, &n, &more, err) < 0)
		return -1;
	policydb_audits_free(v, n);
	return n > 0;
}

/*
 * A sign-up: portal_signup is on, the account is the actor, and the
 * request gives no more than request_owner_signup_members (a password
 * among them); the handler checks them as the operator's, and answers
 * an existing name with PROTO_SIGNUP_REFUSED.  A name used before (a
 * removed account's, whose rows stay in the audit log) gets the same
 * answer: a stranger who took it would read that account's history.
 */
static int
request_owner_signup(struct policyd *pd, json_t *req, struct buf *err)
{
	const char *key;
	json_t *v;
	size_t i;

	if (!var_portal_signup) {
		buf_puts(err, "account-add: self sign-up is off (portal_signup"
		    " = no)");
		return -1;
	}
	if (request_owner_self(pd, req, "name", err) < 0)
		return -1;
	json_object_foreach(req, key, v) {
		for (i = 0; request_owner_signup_members[i] != NULL; i++)
			if (strcmp(key, request_owner_signup_members[i]) == 0)
				break;
		if (request_owner_signup_members[i] == NULL) {
			buf_printf(err, "%s: not given by a sign-up",
			    esc_printable(key));
			return -1;
		}
	}
	if (!json_is_string(json_object_get(req, "password"))) {
		buf_puts(err, "missing password");
		return -1;
	}
	switch (request_owner_name_used(pd, pd->actor, err)) {
	case 0:
		return 0;
	case 1:
		log_info("account %s: sign-up from %s refused: the name is in"
		    " use or was", pd->actor, pd->origin);
		buf_puts(err, PROTO_SIGNUP_REFUSED);
		/* FALLTHROUGH */
	default:
		return -1;
	}
}

/*
 * The account acting exists and is enabled; account-show of itself is
 * answered even when it is disabled (the portal ends its sessions), and
 * a sign-up makes it.
 */
static int
request_owner_live(struct policyd *pd, const char *op, struct buf *err)
{
	struct policydb_account a;
	int rc, off;

	if (strcmp(op, PROTO_OP_ACCOUNT_SHOW) == 0 ||
	    strcmp(op, PROTO_OP_ACCOUNT_ADD) == 0)
		return 0;
	if ((rc = policydb_account_get(pd->db, pd->actor, &a, err)) <= 0) {
		if (rc == 0)
			buf_printf(err, "%s: no such account", pd->actor);
		return -1;
	}
	off = a.disabled;
	policydb_account_clear(&a);
	if (off)
		buf_printf(err, "account %s is disabled", pd->actor);
	return off ? -1 : 0;
}

/* Whether the account acting may ask req; -1 with err when not. */
static int
request_owner_may(struct policyd *pd, const char *op, json_t *req,
    struct buf *err)
{
	int writes, rule = request_owner_rule(op, &writes);

	if (request_owner_live(pd, op, err) < 0 ||
	    request_owner_access(pd, op, writes, req, err) < 0)
		return -1;
	switch (rule) {
	case OWNER_ADD:
		return request_owner_add(pd, req, err);
	case OWNER_DOMAIN:
		if (request_owner_domain(pd, req, err) < 0)
			return -1;
		if (strcmp(op, PROTO_OP_DOMAIN_DEL) == 0 &&
		    json_is_true(json_object_get(req, "now"))) {
			buf_puts(err, "now: a domain an account removes retires"
			    " first (RFC 8461 section 8.3); only the operator"
			    " removes one at once");
			return -1;
		}
		return 0;
	case OWNER_SELF:
		return request_owner_self(pd, req, "name", err);
	case OWNER_AUDIT:
		if (json_object_get(req, "domain") != NULL &&
		    request_owner_domain(pd, req, err) < 0)
			return -1;
		return request_owner_self(pd, req, "account", err);
	case OWNER_SIGNUP:
		return request_owner_signup(pd, req, err);
	default:
		buf_printf(err, "request \"%s\" is not allowed for an account",
		    op);
		return -1;
	}
}

/*
 * The proof a pending domain waits for, into its object o as "proof"
 * (the value of its TXT record), when an account added it.
 */
void
request_owner_proof(struct policyd *pd, const struct domain *d, json_t *o)
{
	struct buf err = BUF_INIT;
	char *account, *proof;

	if (d->state != DOMAIN_PENDING)
		return;
	if (policydb_domain_proof(pd->db, d->name, &account, &proof, &err) < 0)
		log_warn("%s", err.s);
	if (proof != NULL)
		json_object_set_new(o, "proof", json_string(proof));
	free(account);
	free(proof);
	buf_free(&err);
}

/* The TXT record of the proof of a domain, or NULL when it has none. */
json_t *
request_owner_record(struct policyd *pd, const char *domain)
{
	struct buf err = BUF_INIT;
	char *account, *proof, *name;
	json_t *r = NULL;

	if (policydb_domain_proof(pd->db, domain, &account, &proof, &err) < 0)
		log_warn("%s", err.s);
	if (proof != NULL) {
		name = xasprintf("%s.%s.", PROTO_PROOF_LABEL, domain);
		r = json_pack("{s:s, s:s, s:s}", "name", name, "type", "TXT",
		    "value", proof);
		free(name);
	}
	free(account);
	free(proof);
	buf_free(&err);
	return r;
}

json_t *
request_owner_handle(struct policyd *pd, const char *op, request_op_fn *fn,
    json_t *req, struct buf *err)
{
	if (!request_actor_is_account(pd))
		return fn(pd, req, err);
	if (request_owner_may(pd, op, req, err) < 0)
		return NULL;
	return fn(pd, req, err);
}

/*
 * A domain-add of the account acting stores the new domain d (inside
 * the handler's transaction): its link to the account, within its
 * quota unless the operator gave the domain already, and a new proof.
 */
int
request_owner_added(struct policyd *pd, const struct domain *d,
    struct buf *err)
{
	struct policydb_account a;
	char *account, *proof;
	int rc, full;

	if (!request_actor_is_account(pd))
		return 0;
	if ((rc = policydb_domain_proof(pd->db, d->name, &account, &proof,
	    err)) < 0)
		return -1;
	free(account);
	free(proof);
	if (rc == 0) {
		if (policydb_account_get(pd->db, pd->actor, &a, err) <= 0) {
			if (err->len == 0)
				buf_printf(err, "%s: no such account",
				    pd->actor);
			return -1;
		}
		full = a.ndomains >= a.quota;
		if (full)
			buf_printf(err, "account %s: its quota of %lld domains"
			    " is reached; remove one, or ask the operator for"
			    " more", pd->actor, a.quota);
		policydb_account_clear(&a);
		if (full || policydb_domain_assign(pd->db, d->name, pd->actor,
		    request_now(pd), err) < 0)
			return -1;
	}
	proof = request_token();
	account = xasprintf("%s%s", PROTO_PROOF_PREFIX, proof);
	rc = policydb_domain_proof_set(pd->db, d->name, account, err);
	free(proof);
	free(account);
	return rc;
}

/*
 * d stops being hosted, or starts retiring (inside the handler's
 * transaction): when an account added it with a proof, the account
 * lets it go, so that whoever adds it next proves it again.
 */
int
request_owner_removed(struct policyd *pd, const char *domain,
    struct buf *err)
{
	char *account, *proof;
	int rc;

	if ((rc = policydb_domain_proof(pd->db, domain, &account, &proof,
	    err)) < 0)
		return -1;
	if (rc == 1 && proof != NULL) {
		rc = policydb_domain_assign(pd->db, domain, NULL, 0, err);
		if (rc == 0)
			log_info("%s: released by account %s (added with a"
			    " proof; another addition needs a new one)",
			    domain, account);
	} else
		rc = 0;
	free(account);
	free(proof);
	return rc;
}

/*
 * domain-verified of a domain added with a proof must carry that
 * proof: the one dnsmon found, not the one of an earlier addition.
 */
int
request_owner_verified(struct policyd *pd, const char *domain, json_t *req,
    struct buf *err)
{
	const char *seen = json_string_value(json_object_get(req, "proof"));
	char *account, *proof;
	int ok;

	if (policydb_domain_proof(pd->db, domain, &account, &proof, err) < 0)
		return -1;
	ok = proof == NULL || (seen != NULL && strcmp(seen, proof) == 0);
	if (!ok)
		buf_printf(err, "%s: the proof checked is not the one of its"
		    " addition by account %s; not verified", domain, account);
	free(account);
	free(proof);
	return ok ? 0 : -1;
}
