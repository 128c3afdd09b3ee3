/*
 * request_audit - who asks (the actor and origin of a request), the
 * audit log written inside each change's transaction, and audit-list;
 * see request.h.
 * SPDX-License-Identifier: ISC
 *
 * A request on the public socket comes from the operator's commands:
 * its actor is "operator" and its origin "local", and it may not say
 * otherwise.  One on the private socket (a daemon acting for an
 * account, such as the portal) may name the account ("actor") and the
 * client address it came from ("from"); what it does not name is the
 * operator's, locally.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "acctname.h"
#include "buf.h"
#include "log.h"
#include "mymalloc.h"
#include "policydb.h"
#include "request.h"
#include "request_ops.h"

#define REQUEST_ORIGIN_LOCAL	"local"

/* req.from: printable ASCII without space, 1..REQUEST_ORIGIN_MAX. */
static int
request_origin_check(json_t *v, struct buf *err)
{
	const char *s = json_string_value(v);
	size_t len = json_string_length(v), i;

	if (!json_is_string(v) || len == 0 || len > REQUEST_ORIGIN_MAX) {
		buf_printf(err, "from: not a client address of 1 to %d"
		    " characters", REQUEST_ORIGIN_MAX);
		return -1;
	}
	for (i = 0; i < len; i++)
		if ((unsigned char)s[i] <= ' ' || (unsigned char)s[i] >= 0x7f) {
			buf_puts(err, "from: only printable characters without"
			    " spaces");
			return -1;
		}
	return 0;
}

int
request_caller(struct policyd *pd, json_t *req, int from_public,
    struct buf *err)
{
	json_t *actor = json_object_get(req, "actor");
	json_t *from = json_object_get(req, "from");

	snprintf(pd->actor, sizeof(pd->actor), "%s", ACCTNAME_OPERATOR);
	snprintf(pd->origin, sizeof(pd->origin), "%s", REQUEST_ORIGIN_LOCAL);
	if (actor == NULL && from == NULL)
		return 0;
	if (from_public) {
		buf_puts(err, "actor and from are taken only on the private"
		    " socket");
		return -1;
	}
	if (actor != NULL) {
		if (!json_is_string(actor) ||
		    (strcmp(json_string_value(actor), ACCTNAME_OPERATOR) != 0 &&
		    acctname_check(json_string_value(actor),
		    json_string_length(actor), err) < 0)) {
			if (err->len == 0)
				buf_puts(err, "actor: not an account name");
			return -1;
		}
		snprintf(pd->actor, sizeof(pd->actor), "%s",
		    json_string_value(actor));
	}
	if (from != NULL) {
		if (request_origin_check(from, err) < 0)
			return -1;
		snprintf(pd->origin, sizeof(pd->origin), "%s",
		    json_string_value(from));
	}
	return 0;
}

/* The row, details already JSON text; account NULL: see policydb.h. */
static int
request_audit_text(struct policyd *pd, const char *action,
    const char *domain, const char *account, const char *details,
    struct buf *err)
{
	struct policydb_audit e;

	if (account == NULL && request_actor_is_account(pd))
		account = pd->actor;
	memset(&e, 0, sizeof(e));
	e.time = request_now(pd);
	e.actor = pd->actor;
	e.origin = pd->origin;
	e.action = (char *)action;
	e.domain = (char *)domain;
	e.account = (char *)account;
	e.details = (char *)details;
	return policydb_audit_add(pd->db, &e, err);
}

/*
 * An audit row of the change being made, inside its transaction:
 * action, the domain (or NULL), the account it concerns (NULL: the
 * acting account, else the one that manages domain, else none) and
 * details (a JSON object, taken; NULL: {}).
 */
int
request_audit(struct policyd *pd, const char *action, const char *domain,
    const char *account, json_t *details, struct buf *err)
{
	char *text;
	int rc;

	text = json_dumps(details ? details : json_object(), JSON_COMPACT |
	    JSON_SORT_KEYS);
	if (text == NULL)
		log_panic("request_audit: %s: cannot write details", action);
	rc = request_audit_text(pd, action, domain, account, text, err);
	json_decref(details);
	free(text);
	return rc;
}

/* s as a JSON string: quotes, backslashes and controls escaped. */
void
request_audit_str(struct buf *b, const char *s)
{
	buf_putc(b, '"');
	for (; *s != '\0'; s++) {
		if (*s == '"' || *s == '\\')
			buf_printf(b, "\\%c", *s);
		else if ((unsigned char)*s < 0x20)
			buf_printf(b, "\\u%04x", (unsigned)(unsigned char)*s);
		else
			buf_putc(b, *s);
	}
	buf_putc(b, '"');
}

/*
 * The row of a change of domain d: its policy after the change as the
 * details (state, mode, max_age, policy_id, mx), then extra, members
 * already written as JSON (",\"key\":value...", or NULL).  Written by
 * hand, not through jansson: an import makes one per domain.
 */
int
request_audit_domain(struct policyd *pd, const char *action,
    const struct domain *d, const char *extra, struct buf *err)
{
	struct buf b = BUF_INIT;
	size_t i;
	int rc;

	buf_printf(&b, "{\"state\":\"%s\",\"mode\":",
	    policydb_state_name(d->state));
	request_audit_str(&b, d->mode);
	buf_printf(&b, ",\"max_age\":%lld,\"policy_id\":", d->max_age);
	request_audit_str(&b, d->policy_id);
	buf_puts(&b, ",\"mx\":[");
	for (i = 0; i < d->nmx; i++) {
		if (i > 0)
			buf_putc(&b, ',');
		request_audit_str(&b, d->mx[i]);
	}
	buf_printf(&b, "]%s}", extra ? extra : "");
	rc = request_audit_text(pd, action, d->name, NULL, b.s, err);
	buf_free(&b);
	return rc;
}

static json_t *
request_audit_json(const struct policydb_audit *e)
{
	json_t *details = json_loads(e->details, 0, NULL);

	return json_pack("{s:I, s:I, s:s, s:s, s:s, s:s?, s:s?, s:o}",
	    "id", (json_int_t)e->id, "time", (json_int_t)e->time,
	    "actor", e->actor, "from", e->origin, "action", e->action,
	    "domain", e->domain, "account", e->account,
	    "details", details ? details : json_object());
}

/* An integer member of req, 0 when absent; -1 when not one >= 0. */
static int
request_audit_int(json_t *req, const char *key, long long *out,
    struct buf *err)
{
	json_t *v = json_object_get(req, key);

	*out = 0;
	if (v == NULL)
		return 0;
	if (!json_is_integer(v) || json_integer_value(v) < 0) {
		buf_printf(err, "%s: not an integer of 0 or more", key);
		return -1;
	}
	*out = json_integer_value(v);
	return 0;
}

/* req.KEY, a name (domain or account), or NULL. */
static int
request_audit_name(json_t *req, const char *key, const char **out,
    struct buf *err)
{
	json_t *v = json_object_get(req, key);

	*out = NULL;
	if (v == NULL)
		return 0;
	if (!json_is_string(v) || json_string_length(v) == 0 ||
	    json_string_length(v) > REQUEST_NAME_MAX ||
	    strlen(json_string_value(v)) != json_string_length(v)) {
		buf_printf(err, "%s: not a name of 1 to %d characters", key,
		    REQUEST_NAME_MAX);
		return -1;
	}
	*out = json_string_value(v);
	return 0;
}

/*
 * audit-list: a page of at most REQUEST_AUDIT_PAGE entries in order,
 * after the id req.after, since the time req.since, of req.domain
 * and req.account; "next" is the id to ask after when more follow.
 */
json_t *
request_audit_list(struct policyd *pd, json_t *req, struct buf *err)
{
	struct policydb_audit_filter f;
	struct policydb_audit *v;
	char *domain = NULL;
	json_t *a, *reply;
	size_t n, i;
	int more;

	memset(&f, 0, sizeof(f));
	if (request_audit_int(req, "after", &f.after, err) < 0 ||
	    request_audit_int(req, "since", &f.since, err) < 0 ||
	    request_audit_name(req, "account", &f.account, err) < 0)
		return NULL;
	if (json_object_get(req, "domain") != NULL) {
		if (request_domain_name(pd, req, 0, &domain, err) < 0)
			return NULL;
		f.domain = domain;
	}
	if (policydb_audit_list(pd->db, &f, REQUEST_AUDIT_PAGE, &v, &n, &more,
	    err) < 0) {
		free(domain);
		return NULL;
	}
	a = json_array();
	for (i = 0; i < n; i++)
		json_array_append_new(a, request_audit_json(&v[i]));
	reply = json_pack("{s:b, s:o}", "ok", 1, "entries", a);
	if (more && n > 0)
		json_object_set_new(reply, "next", json_integer(v[n - 1].id));
	policydb_audits_free(v, n);
	free(domain);
	return reply;
}
