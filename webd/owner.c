/*
 * owner - the portal's pages of what a domain owner changes: adding a
 * domain, its records, checks and settings, its removal, the audit
 * log and API tokens; see owner.h.
 * SPDX-License-Identifier: ISC
 *
 * DESCRIPTION
 *	GET  /add			the form to add a domain
 *	POST /add			csrf, domain, mx (patterns separated
 *					by spaces), max_age?: 303 to the
 *					domain's page
 *	GET  /domains/NAME/manage	the records to publish (the proof
 *					first while it is pending), the
 *					checks of dnsmon, the policy form,
 *					the readiness verdict, removal
 *	POST /domains/NAME/policy	csrf, mx0..mxN (checked MX hosts
 *					and patterns), mx_more (more
 *					patterns, separated by spaces),
 *					mode, max_age, confirm
 *	POST /domains/NAME/check	csrf: ask dnsmon to check now
 *	POST /domains/NAME/remove	csrf: retire (or remove) the domain
 *	POST /domains/NAME/alerts[/remove]	owner_alerts.c
 *	GET  /audit[?after=ID]		the account's audit log
 *	GET  /tokens			its API tokens
 *	POST /tokens			csrf, access (read-only or
 *					read-write): the new token, once
 *	POST /tokens/revoke		csrf, id (404 for a token that is
 *					not the account's)
 *	Every page needs a signed-in session (else 303 to /); every POST
 *	a valid CSRF token (403).  A name that is not one of the account's
 *	domains is 404, whether it is hosted or not.  A change refused by
 *	policyd shows its reason with the status of owner.h.
 */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "buf.h"
#include "html.h"
#include "http.h"
#include "log.h"
#include "mymalloc.h"
#include "owner.h"
#include "proto.h"
#include "scope.h"
#include "timefmt.h"
#include "webd.h"
#include "webform.h"
#include "websession.h"

#define OWNER_DOMAINS		"/domains/"
#define OWNER_MX_FIELDS		100	/* mx0..mx99: REQUEST_MX_MAX */
#define OWNER_NUM_MAX		24	/* bytes of a number field */

enum owner_page {
	OWNER_NONE, OWNER_ADD, OWNER_MANAGE, OWNER_POLICY, OWNER_CHECK,
	OWNER_REMOVE, OWNER_AUDIT, OWNER_TOKENS, OWNER_REVOKE, OWNER_ALERT_ADD,
	OWNER_ALERT_DEL,
};

static const struct {
	const char *suffix;		/* after /domains/NAME */
	enum owner_page page;
} owner_domain_pages[] = {
	{ "/manage", OWNER_MANAGE }, { "/policy", OWNER_POLICY },
	{ "/check", OWNER_CHECK }, { "/remove", OWNER_REMOVE },
	{ "/alerts", OWNER_ALERT_ADD }, { "/alerts/remove", OWNER_ALERT_DEL },
	{ NULL, OWNER_NONE }
};

void
owner_links(struct buf *b)
{
	buf_puts(b, "<p><a href=\"/add\">Add a domain</a> &middot; "
	    "<a href=\"/audit\">Audit log</a> &middot; "
	    "<a href=\"/tokens\">API tokens</a></p>\n");
}

void
owner_domain_link(struct buf *b, const char *domain)
{
	buf_puts(b, "<p><a href=\"" OWNER_DOMAINS);
	html_escape(b, domain);
	buf_puts(b, "/manage\">Records, checks and settings</a></p>\n");
}

/* Which page r asks for; the domain name of a domain's page to name. */
static enum owner_page
owner_which(const struct webd_req *r, char *name, size_t size)
{
	size_t len = r->http->path_len, rest, i;
	const char *p = r->http->path;

	if (webd_path_is(r, "/add"))
		return OWNER_ADD;
	if (webd_path_is(r, "/audit"))
		return OWNER_AUDIT;
	if (webd_path_is(r, "/tokens"))
		return OWNER_TOKENS;
	if (webd_path_is(r, "/tokens/revoke"))
		return OWNER_REVOKE;
	/* A name too long for any domain still names the page: 404. */
	if (webform_subpath(p, len, OWNER_DOMAINS, name, size, &rest) < 0) {
		name[0] = '\0';
		if ((rest = len) > 0)
			while (rest > 0 && p[rest - 1] != '/')
				rest--;
		if (rest <= strlen(OWNER_DOMAINS) || memcmp(p, OWNER_DOMAINS,
		    strlen(OWNER_DOMAINS)) != 0)
			return OWNER_NONE;
		rest--;
	}
	for (i = 0; owner_domain_pages[i].suffix != NULL; i++)
		if (len - rest == strlen(owner_domain_pages[i].suffix) &&
		    memcmp(p + rest, owner_domain_pages[i].suffix, len - rest)
		    == 0)
			return owner_domain_pages[i].page;
	return OWNER_NONE;
}

static int
owner_is_post(const struct webd_req *r)
{
	return r->http->method_len == 4 &&
	    memcmp(r->http->method_name, "POST", 4) == 0;
}

/* Pages that show something are GET; the others are POST. */
static int
owner_wants_post(enum owner_page p, const struct webd_req *r)
{
	switch (p) {
	case OWNER_MANAGE:
	case OWNER_AUDIT:
		return 0;
	case OWNER_ADD:
	case OWNER_TOKENS:
		return owner_is_post(r);
	default:
		return 1;
	}
}

static void
owner_see(struct webd_req *r, const char *path, const char *name,
    const char *suffix)
{
	struct buf f = BUF_INIT;

	buf_printf(&f, "Location: %s%s%s\r\n", path, name ? name : "",
	    suffix ? suffix : "");
	webd_answer(r, 303, "text/plain; charset=utf-8", f.s, "see other\n",
	    10);
	buf_free(&f);
}

static void
owner_head(struct buf *b, struct session *s, const char *title)
{
	pages_start(b, title);
	buf_puts(b, "<h1>");
	html_escape(b, title);
	buf_puts(b, "</h1>\n");
	pages_signout_form(b, s);
	buf_puts(b, "<p><a href=\"/\">Your domains</a></p>\n");
	owner_links(b);
}

static void
owner_csrf_field(struct buf *b, const struct session *s)
{
	buf_puts(b, "<input type=\"hidden\" name=\"csrf\" value=\"");
	html_escape(b, s->csrf);
	buf_puts(b, "\">");
}

static void
owner_error(struct buf *b, const char *msg)
{
	if (msg == NULL || *msg == '\0')
		return;
	buf_puts(b, "<p class=\"error\">");
	html_escape(b, msg);
	buf_puts(b, "</p>\n");
}

static void
owner_time(struct buf *b, json_t *v)
{
	char *t;

	if (!json_is_integer(v)) {
		buf_puts(b, "-");
		return;
	}
	t = timefmt_utc(json_integer_value(v));
	html_escape(b, t);
	free(t);
}

static const char *
owner_str(json_t *o, const char *key)
{
	const char *v = json_string_value(json_object_get(o, key));

	return v ? v : "";
}

/*
 * Form fields.
 */
/* Patterns separated by spaces, appended to mx; -1: answered 400. */
static int
owner_patterns(struct webd_req *r, const char *text, json_t *mx)
{
	char word[WEBD_FIELD_MAX];
	size_t pos = 0;
	int n;

	while ((n = webform_word(text, strlen(text), &pos, word,
	    sizeof(word))) != WEBFORM_ABSENT) {
		if (n < 0 || json_array_size(mx) >= OWNER_MX_FIELDS) {
			webd_text(r, 400, NULL, "mx: more than 100 patterns");
			return -1;
		}
		json_array_append_new(mx, json_string(word));
	}
	return 0;
}

/* max_age as a number into fields (policyd checks its range). */
static int
owner_max_age(struct webd_req *r, json_t *fields)
{
	char v[OWNER_NUM_MAX], *end;
	long long n;

	if (pages_field(r, "max_age", v, sizeof(v)) < 0)
		return -1;
	if (v[0] == '\0')
		return 0;
	errno = 0;
	n = strtoll(v, &end, 10);
	if (*end != '\0' || errno != 0) {
		webd_text(r, 400, NULL, "max_age: not a number of seconds");
		return -1;
	}
	json_object_set_new(fields, "max_age", json_integer(n));
	return 0;
}

/*
 * A result page: the reason of a refusal with the status, and the
 * readiness verdict when it was the cause.
 */
static void
owner_refused(struct webd_req *r, struct session *s, struct ownerop *o,
    const char *back)
{
	struct buf b = BUF_INIT;
	json_t *v = o->readiness;

	owner_head(&b, s, "Not changed");
	owner_error(&b, o->msg.s ? o->msg.s : "refused");
	if (v != NULL && o->status == 409) {
		buf_puts(&b, "<p>Readiness: ");
		html_escape(&b, owner_str(v, "text"));
		buf_puts(&b, "</p>\n");
	}
	if (back != NULL) {
		buf_puts(&b, "<p><a href=\"");
		html_escape(&b, back);
		buf_puts(&b, "\">Back</a></p>\n");
	}
	pages_html(r, o->status ? o->status : 500, NULL, &b);
	buf_free(&b);
}

/*
 * GET and POST /add
 */
static void
owner_add_form(struct webd_req *r, struct session *s)
{
	struct buf b = BUF_INIT;

	owner_head(&b, s, "Add a domain");
	buf_puts(&b, "<p>The domain starts pending, in mode testing: you"
	    " prove that it is yours with a TXT record and the delegation"
	    " records that the next page lists.</p>\n"
	    "<form method=\"post\" action=\"/add\">");
	owner_csrf_field(&b, s);
	buf_puts(&b, "<label>Domain <input name=\"domain\" required "
	    "maxlength=\"253\"></label>"
	    "<label>MX host patterns (separated by spaces, such as "
	    "mx1.example.com *.mail.example.com) <input name=\"mx\" "
	    "required></label>"
	    "<label>max_age (seconds, optional) <input name=\"max_age\" "
	    "inputmode=\"numeric\"></label>"
	    "<button>Add</button></form>\n");
	pages_html(r, 200, NULL, &b);
	buf_free(&b);
}

static void
owner_add(struct webd_req *r, struct session *s, struct scope *sc)
{
	char domain[WEBD_FIELD_MAX], mx[WEBD_FIELD_MAX];
	struct ownerop o = OWNEROP_INIT;
	json_t *fields, *list;
	const char *name;

	if (pages_field(r, "domain", domain, sizeof(domain)) < 0 ||
	    pages_field(r, "mx", mx, sizeof(mx)) < 0)
		return;
	list = json_array();
	fields = json_pack("{s:s, s:o}", "domain", domain, "mx", list);
	if (fields == NULL) {
		webd_text(r, 400, NULL, "form field domain: not UTF-8");
		return;
	}
	if (owner_patterns(r, mx, list) < 0 || owner_max_age(r, fields) < 0) {
		json_decref(fields);
		return;
	}
	ownerop_add(sc, fields, 0, &o);
	json_decref(fields);
	if (o.status == 201) {
		name = owner_str(json_object_get(o.reply, "domain"), "domain");
		log_info("%s: account %s added %s in the portal", r->client,
		    sc->account, name);
		owner_see(r, OWNER_DOMAINS, name, "/manage");
	} else
		owner_refused(r, s, &o, "/add");
	ownerop_clear(&o);
}

/*
 * GET /domains/NAME/manage
 */
static void
owner_records(struct buf *b, json_t *rec)
{
	json_t *list[2], *e;
	size_t i, j;

	list[0] = json_object_get(json_object_get(rec, "records"), "proof");
	list[1] = json_object_get(json_object_get(rec, "records"),
	    "delegated");
	buf_puts(b, "<h2>Records to publish in your zone</h2>\n<table "
	    "class=\"records\"><thead><tr><th>Name</th><th>Type</th><th>Value"
	    "</th></tr></thead><tbody>\n");
	for (i = 0; i < 2; i++)
		json_array_foreach(list[i], j, e) {
			buf_puts(b, "<tr><td>");
			html_escape(b, owner_str(e, "name"));
			buf_puts(b, "</td><td>");
			html_escape(b, owner_str(e, "type"));
			buf_puts(b, "</td><td><code>");
			if (strcmp(owner_str(e, "type"), "TXT") == 0)
				buf_putc(b, '"');
			html_escape(b, owner_str(e, "value"));
			if (strcmp(owner_str(e, "type"), "TXT") == 0)
				buf_putc(b, '"');
			buf_puts(b, "</code></td></tr>\n");
		}
	buf_puts(b, "</tbody></table>\n");
	if (json_array_size(list[0]) > 0)
		buf_puts(b, "<p>The TXT record proves that the domain is yours:"
		    " the domain stays pending until the checks find it and"
		    " the CNAME records. A delegation left by an earlier owner"
		    " proves nothing.</p>\n");
}

static void
owner_checks(struct buf *b, struct session *s, const char *name, json_t *d)
{
	json_t *c;
	size_t i;

	buf_puts(b, "<h2>Checks</h2>\n<p>Last checked: ");
	owner_time(b, json_object_get(d, "checked"));
	buf_puts(b, "; next check: ");
	owner_time(b, json_object_get(d, "next_check"));
	buf_puts(b, ".</p>\n<table class=\"checks\"><thead><tr><th>Check</th>"
	    "<th>Status</th><th>Result</th><th>Fix</th></tr></thead><tbody>\n");
	json_array_foreach(json_object_get(d, "checks"), i, c) {
		buf_puts(b, "<tr><td>");
		html_escape(b, owner_str(c, "check"));
		buf_puts(b, "</td><td class=\"status\">");
		html_escape(b, owner_str(c, "status"));
		buf_puts(b, "</td><td>");
		html_escape(b, owner_str(c, "message"));
		buf_puts(b, "</td><td>");
		html_escape(b, owner_str(c, "fix"));
		buf_puts(b, "</td></tr>\n");
	}
	buf_puts(b, "</tbody></table>\n<form method=\"post\" action=\""
	    OWNER_DOMAINS);
	html_escape(b, name);
	buf_puts(b, "/check\">");
	owner_csrf_field(b, s);
	buf_puts(b, "<button>Check again</button></form>\n");
}

/* The MX hosts dnsmon found (the mx check's hosts), a new array. */
static json_t *
owner_found_mx(json_t *d)
{
	json_t *c, *out = json_array();
	size_t i;

	json_array_foreach(json_object_get(d, "checks"), i, c)
		if (strcmp(owner_str(c, "check"), "mx") == 0 &&
		    json_is_array(json_object_get(c, "hosts")))
			json_array_extend(out, json_object_get(c, "hosts"));
	return out;
}

static int
owner_in(json_t *a, const char *s)
{
	json_t *v;
	size_t i;

	json_array_foreach(a, i, v)
		if (strcmp(json_string_value(v), s) == 0)
			return 1;
	return 0;
}

static void
owner_mx_box(struct buf *b, size_t n, const char *value, int checked)
{
	buf_printf(b, "<label><input type=\"checkbox\" name=\"mx%zu\" "
	    "value=\"", n);
	html_escape(b, value);
	buf_printf(b, "\"%s> ", checked ? " checked" : "");
	html_escape(b, value);
	buf_puts(b, "</label>");
}

static void
owner_policy_form(struct buf *b, struct session *s, const char *name,
    json_t *d, json_t *verdict)
{
	json_t *mx = json_object_get(d, "mx"), *found = owner_found_mx(d), *v;
	const char *mode = owner_str(d, "mode"), *modes[] = { "testing",
	    "enforce", "none", NULL };
	size_t i, n = 0;

	buf_puts(b, "<h2>Policy</h2>\n<form method=\"post\" action=\""
	    OWNER_DOMAINS);
	html_escape(b, name);
	buf_puts(b, "/policy\">");
	owner_csrf_field(b, s);
	buf_puts(b, "<fieldset><legend>Authorised MX hosts</legend>");
	json_array_foreach(mx, i, v)
		if (n < OWNER_MX_FIELDS)
			owner_mx_box(b, n++, json_string_value(v), 1);
	json_array_foreach(found, i, v)
		if (n < OWNER_MX_FIELDS && !owner_in(mx, json_string_value(v)))
			owner_mx_box(b, n++, json_string_value(v), 0);
	buf_puts(b, "<label>More patterns (separated by spaces) <input "
	    "name=\"mx_more\"></label></fieldset><label>Mode <select "
	    "name=\"mode\">");
	for (i = 0; modes[i] != NULL; i++)
		buf_printf(b, "<option%s>%s</option>", strcmp(mode, modes[i]) ==
		    0 ? " selected" : "", modes[i]);
	buf_printf(b, "</select></label><label>max_age (seconds) <input "
	    "name=\"max_age\" value=\"%lld\"></label>",
	    (long long)json_integer_value(json_object_get(d, "max_age")));
	buf_puts(b, "<p class=\"verdict\">Ready for enforce? ");
	html_escape(b, owner_str(verdict, "text"));
	buf_puts(b, "</p><label><input type=\"checkbox\" name=\"confirm\" "
	    "value=\"yes\"> Enforce even though the reports do not show that"
	    " it is safe yet (senders that fail would bounce mail)</label>"
	    "<button>Save</button></form>\n");
	json_decref(found);
}

static void
owner_remove_form(struct buf *b, struct session *s, const char *name,
    json_t *d)
{
	buf_puts(b, "<h2>Remove</h2>\n<p>");
	if (strcmp(owner_str(d, "state"), "active") == 0) {
		buf_puts(b, "The domain retires first (RFC 8461 section 8.3): "
		    "its policy becomes mode none with a new id, so that "
		    "senders that cached it learn at their next fetch that it"
		    " is gone; a sender that does not fetch again may apply "
		    "the current policy until its max_age (");
		buf_printf(b, "%lld", (long long)json_integer_value(
		    json_object_get(d, "max_age")));
		buf_puts(b, " s) has passed. Then the domain is removed. Keep "
		    "the records until then.");
	} else
		buf_puts(b, "Its policy was never published: it is removed at"
		    " once.");
	buf_puts(b, "</p><form method=\"post\" action=\"" OWNER_DOMAINS);
	html_escape(b, name);
	buf_puts(b, "/remove\">");
	owner_csrf_field(b, s);
	buf_puts(b, "<button>Remove ");
	html_escape(b, name);
	buf_puts(b, "</button></form>\n");
}

static void
owner_manage(struct webd_req *r, struct session *s, struct scope *sc,
    const char *name)
{
	struct ownerop show = OWNEROP_INIT, rec = OWNEROP_INIT;
	struct buf b = BUF_INIT;
	json_t *d, *verdict;

	ownerop_ask(sc, PROTO_OP_DOMAIN_SHOW, name, &show);
	if (show.reply != NULL)
		ownerop_ask(sc, PROTO_OP_DOMAIN_RECORDS, name, &rec);
	if (show.reply == NULL || rec.reply == NULL) {
		webd_text(r, show.reply ? rec.status : show.status, NULL,
		    show.reply ? rec.msg.s : show.msg.s);
		goto out;
	}
	d = json_object_get(show.reply, "domain");
	owner_head(&b, s, owner_str(d, "domain"));
	buf_puts(&b, "<table class=\"domain\"><tr><th>State</th><td>");
	html_escape(&b, owner_str(d, "state"));
	buf_puts(&b, "</td></tr><tr><th>Mode</th><td>");
	html_escape(&b, owner_str(d, "mode"));
	buf_puts(&b, "</td></tr><tr><th>Policy id</th><td>");
	html_escape(&b, owner_str(d, "policy_id"));
	buf_puts(&b, "</td></tr></table>\n");
	owner_records(&b, rec.reply);
	owner_checks(&b, s, owner_str(d, "domain"), d);
	if (strcmp(owner_str(d, "state"), "retiring") != 0) {
		verdict = ownerop_readiness(d);
		owner_policy_form(&b, s, owner_str(d, "domain"), d, verdict);
		json_decref(verdict);
		owner_remove_form(&b, s, owner_str(d, "domain"), d);
	}
	owner_alerts_section(&b, s, sc, owner_str(d, "domain"));
	pages_html(r, 200, NULL, &b);
out:
	ownerop_clear(&show);
	ownerop_clear(&rec);
	buf_free(&b);
}

/*
 * POST /domains/NAME/policy, /check, /remove
 */
static json_t *
owner_policy_fields(struct webd_req *r)
{
	char v[WEBD_FIELD_MAX], key[16];
	json_t *fields, *mx = json_array();
	size_t i;

	fields = json_pack("{s:o}", "mx", mx);
	for (i = 0; i < OWNER_MX_FIELDS; i++) {
		snprintf(key, sizeof(key), "mx%zu", i);
		if (pages_field(r, key, v, sizeof(v)) < 0)
			goto bad;
		if (v[0] != '\0')
			json_array_append_new(mx, json_string(v));
	}
	if (pages_field(r, "mx_more", v, sizeof(v)) < 0 ||
	    owner_patterns(r, v, mx) < 0 ||
	    pages_field(r, "mode", v, sizeof(v)) < 0)
		goto bad;
	if (v[0] != '\0')
		json_object_set_new(fields, "mode", json_string(v));
	if (owner_max_age(r, fields) < 0)
		goto bad;
	return fields;
bad:
	json_decref(fields);
	return NULL;
}

static void
owner_done(struct webd_req *r, struct session *s, struct ownerop *o,
    const char *name, const char *what)
{
	char back[HTTP_HOST_MAX + 32];

	snprintf(back, sizeof(back), OWNER_DOMAINS "%s/manage", name);
	if (o->status >= 200 && o->status < 300) {
		log_info("%s: account %s: %s: %s in the portal", r->client,
		    s->account, name, what);
		owner_see(r, OWNER_DOMAINS, name, "/manage");
	} else
		owner_refused(r, s, o, o->status == 404 ? "/" : back);
}

static void
owner_policy(struct webd_req *r, struct session *s, struct scope *sc,
    const char *name)
{
	char confirm[8];
	struct ownerop o = OWNEROP_INIT;
	json_t *fields;

	if ((fields = owner_policy_fields(r)) == NULL ||
	    pages_field(r, "confirm", confirm, sizeof(confirm)) < 0) {
		json_decref(fields);
		return;
	}
	ownerop_set(sc, name, fields, strcmp(confirm, "yes") == 0, &o);
	json_decref(fields);
	owner_done(r, s, &o, name, "policy changed");
	ownerop_clear(&o);
}

static void
owner_remove(struct webd_req *r, struct session *s, struct scope *sc,
    const char *name)
{
	struct ownerop o = OWNEROP_INIT;
	struct buf b = BUF_INIT;
	char *text;

	ownerop_del(sc, name, &o);
	if (o.reply == NULL) {
		owner_refused(r, s, &o, "/");
		ownerop_clear(&o);
		return;
	}
	log_info("%s: account %s: %s: removed in the portal", r->client,
	    s->account, name);
	text = ownerop_retirement(o.reply);
	owner_head(&b, s, "Removed");
	buf_puts(&b, "<p class=\"retirement\">");
	html_escape(&b, text);
	buf_puts(&b, "</p>\n");
	pages_html(r, 200, NULL, &b);
	free(text);
	buf_free(&b);
	ownerop_clear(&o);
}

/*
 * GET /audit
 */
static void
owner_audit(struct webd_req *r, struct session *s, struct scope *sc)
{
	const char *q = memchr(r->http->target, '?', r->http->target_len);
	struct ownerop o = OWNEROP_INIT;
	struct buf b = BUF_INIT;
	char after[OWNER_NUM_MAX], *details;
	json_t *e;
	size_t i;

	if (q == NULL || webform_field(q + 1, r->http->target_len -
	    (size_t)(q + 1 - r->http->target), "after", after,
	    sizeof(after)) < 0)
		after[0] = '\0';
	ownerop_audit(sc, strtoll(after, NULL, 10) > 0 ? strtoll(after, NULL,
	    10) : 0, &o);
	if (o.reply == NULL) {
		webd_text(r, o.status, NULL, o.msg.s);
		ownerop_clear(&o);
		return;
	}
	owner_head(&b, s, "Audit log");
	buf_puts(&b, "<table class=\"audit\"><thead><tr><th>When (UTC)</th>"
	    "<th>Who</th><th>From</th><th>What</th><th>Domain</th>"
	    "<th>Details</th></tr></thead><tbody>\n");
	json_array_foreach(json_object_get(o.reply, "entries"), i, e) {
		buf_puts(&b, "<tr><td>");
		owner_time(&b, json_object_get(e, "time"));
		buf_puts(&b, "</td><td>");
		html_escape(&b, owner_str(e, "actor"));
		buf_puts(&b, "</td><td class=\"from\">");
		html_escape(&b, owner_str(e, "from"));
		buf_puts(&b, "</td><td>");
		html_escape(&b, owner_str(e, "action"));
		buf_puts(&b, "</td><td>");
		html_escape(&b, owner_str(e, "domain"));
		buf_puts(&b, "</td><td><code>");
		details = json_dumps(json_object_get(e, "details"),
		    JSON_COMPACT | JSON_SORT_KEYS);
		html_escape(&b, details ? details : "");
		free(details);
		buf_puts(&b, "</code></td></tr>\n");
	}
	buf_puts(&b, "</tbody></table>\n");
	if (json_is_integer(json_object_get(o.reply, "next")))
		buf_printf(&b, "<p><a href=\"/audit?after=%lld\">More</a></p>\n",
		    (long long)json_integer_value(json_object_get(o.reply,
		    "next")));
	pages_html(r, 200, NULL, &b);
	buf_free(&b);
	ownerop_clear(&o);
}

/*
 * GET and POST /tokens, POST /tokens/revoke
 */
static void
owner_tokens_page(struct webd_req *r, struct session *s, struct scope *sc,
    const char *secret, const char *access)
{
	struct ownerop o = OWNEROP_INIT;
	struct buf b = BUF_INIT;
	json_t *t;
	size_t i;

	ownerop_tokens(sc, &o);
	if (o.reply == NULL) {
		webd_text(r, o.status, NULL, o.msg.s);
		ownerop_clear(&o);
		return;
	}
	owner_head(&b, s, "API tokens");
	if (secret != NULL) {
		buf_puts(&b, "<p>Your new ");
		html_escape(&b, access);
		buf_puts(&b, " token, shown this once: <code class=\"token\">");
		html_escape(&b, secret);
		buf_puts(&b, "</code></p>\n");
	}
	buf_puts(&b, "<form method=\"post\" action=\"/tokens\">");
	owner_csrf_field(&b, s);
	buf_puts(&b, "<label>Access <select name=\"access\"><option>"
	    "read-only</option><option>read-write</option></select></label>"
	    "<button>Create a token</button></form>\n<table class=\"tokens\">"
	    "<thead><tr><th>Id</th><th>Access</th><th>Created</th><th>Last "
	    "used</th><th>Revoked</th><th></th></tr></thead><tbody>\n");
	json_array_foreach(json_object_get(o.reply, "tokens"), i, t) {
		buf_printf(&b, "<tr><td>%lld</td><td>", (long long)
		    json_integer_value(json_object_get(t, "id")));
		html_escape(&b, owner_str(t, "access"));
		buf_puts(&b, "</td><td>");
		owner_time(&b, json_object_get(t, "created"));
		buf_puts(&b, "</td><td>");
		owner_time(&b, json_object_get(t, "last_used"));
		buf_puts(&b, "</td><td>");
		owner_time(&b, json_object_get(t, "revoked"));
		buf_puts(&b, "</td><td>");
		if (json_is_null(json_object_get(t, "revoked"))) {
			buf_puts(&b, "<form class=\"inline\" method=\"post\" "
			    "action=\"/tokens/revoke\">");
			owner_csrf_field(&b, s);
			buf_printf(&b, "<input type=\"hidden\" name=\"id\" "
			    "value=\"%lld\"><button>Revoke</button></form>",
			    (long long)json_integer_value(json_object_get(t,
			    "id")));
		}
		buf_puts(&b, "</td></tr>\n");
	}
	buf_puts(&b, "</tbody></table>\n");
	pages_html(r, 200, NULL, &b);
	buf_free(&b);
	ownerop_clear(&o);
}

static void
owner_token_new(struct webd_req *r, struct session *s, struct scope *sc)
{
	struct ownerop o = OWNEROP_INIT;
	char access[OWNER_NUM_MAX];
	const char *secret;

	if (pages_field(r, "access", access, sizeof(access)) < 0)
		return;
	if (strcmp(access, "read-only") != 0 &&
	    strcmp(access, "read-write") != 0) {
		webd_text(r, 400, NULL, "access: read-only or read-write");
		return;
	}
	ownerop_token_new(sc, strcmp(access, "read-only") == 0, &o);
	if ((secret = json_string_value(json_object_get(o.reply, "token")))
	    == NULL)
		owner_refused(r, s, &o, "/tokens");
	else {
		log_info("%s: account %s: API token %lld created (%s) in the"
		    " portal", r->client, s->account, (long long)
		    json_integer_value(json_object_get(o.reply, "id")), access);
		owner_tokens_page(r, s, sc, secret, access);
	}
	ownerop_clear(&o);
}

static void
owner_token_revoke(struct webd_req *r, struct session *s, struct scope *sc)
{
	struct ownerop o = OWNEROP_INIT;
	char id[OWNER_NUM_MAX], *end;
	long long n;

	if (pages_field(r, "id", id, sizeof(id)) < 0)
		return;
	errno = 0;
	n = strtoll(id, &end, 10);
	if (id[0] == '\0' || *end != '\0' || errno != 0 || n <= 0) {
		webd_text(r, 400, NULL, "id: not a token id");
		return;
	}
	ownerop_token_revoke(sc, n, &o);
	if (o.reply == NULL)
		owner_refused(r, s, &o, "/tokens");
	else
		owner_see(r, "/tokens", NULL, NULL);
	ownerop_clear(&o);
}

static void
owner_dispatch(struct webd_req *r, struct session *s, struct scope *sc,
    enum owner_page p, const char *name)
{
	struct ownerop o = OWNEROP_INIT;

	switch (p) {
	case OWNER_ADD:
		if (owner_is_post(r))
			owner_add(r, s, sc);
		else
			owner_add_form(r, s);
		break;
	case OWNER_MANAGE:
		owner_manage(r, s, sc, name);
		break;
	case OWNER_POLICY:
		owner_policy(r, s, sc, name);
		break;
	case OWNER_CHECK:
		ownerop_ask(sc, PROTO_OP_DOMAIN_CHECK, name, &o);
		owner_done(r, s, &o, name, "check asked for");
		break;
	case OWNER_REMOVE:
		owner_remove(r, s, sc, name);
		break;
	case OWNER_AUDIT:
		owner_audit(r, s, sc);
		break;
	case OWNER_TOKENS:
		if (owner_is_post(r))
			owner_token_new(r, s, sc);
		else
			owner_tokens_page(r, s, sc, NULL, NULL);
		break;
	case OWNER_REVOKE:
		owner_token_revoke(r, s, sc);
		break;
	case OWNER_ALERT_ADD:
	case OWNER_ALERT_DEL:
		owner_alerts_post(r, s, sc, name, p == OWNER_ALERT_DEL);
		break;
	case OWNER_NONE:
		break;
	}
	ownerop_clear(&o);
}

int
owner_route(struct webd_req *r, struct session *s)
{
	char name[HTTP_HOST_MAX + 2];
	enum owner_page p;
	struct scope sc;
	int post;

	name[0] = '\0';
	if ((p = owner_which(r, name, sizeof(name))) == OWNER_NONE)
		return 0;
	post = owner_wants_post(p, r);
	if (post ? !owner_is_post(r) : r->http->method == HTTP_METHOD_OTHER)
		webd_text(r, 405, post ? "Allow: POST\r\n" :
		    "Allow: GET, HEAD, POST\r\n", "method not allowed");
	else if (s == NULL || s->account[0] == '\0')
		owner_see(r, "/", NULL, NULL);
	else if (post && pages_csrf(r, s) < 0)
		;
	else if (pages_scope(r, s, &sc) == 0) {
		owner_dispatch(r, s, &sc, p, name);
		scope_close(&sc);
	}
	return 1;
}
