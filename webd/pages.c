/*
 * pages - webd's routes: the HTML pages of the portal (sign-in, sign-out,
 * the account's domains, one domain), and the dispatch to the API.
 * SPDX-License-Identifier: ISC
 *
 * DESCRIPTION
 *	GET /?after=NAME	signed in: the account's domains,
 *				PAGES_LIST_MAX a page after NAME, each with
 *				its mode, state, readiness verdict and open
 *				problems (lib/dashboard's overview row, the
 *				reports' part kept a minute: listcache.h);
 *				else the
 *				sign-in form (a visitor's session is made,
 *				with the form's CSRF token)
 *	POST /signin		name, password, csrf: 303 to / with a new
 *				session; 403 with the form again when the
 *				name or password is refused (one answer for
 *				both), 403 without a valid CSRF token, 429
 *				over portal_signin_limit, 400 for a field
 *				with control characters or too long
 *	POST /signout		csrf: ends the session, 303 to /
 *	/signup			signup.c (portal_signup)
 *	GET /domains/NAME	one of the account's domains; 404 for any
 *				other name, hosted or not
 *	GET /domains/NAME/...	its reports: report_pages.c
 *	GET /style.css		the style sheet
 *	/add, /audit, /tokens, /domains/NAME/...	owner.c
 *	GET /dashboard.css	the style sheet of the dashboard
 *	/api/v1/...		api.c
 *	Anything else 404; another method 405.  Pages that need a session
 *	answer 303 to / without one.  A GET without a session cookie that a
 *	browser says comes from another site (Sec-Fetch-Site: cross-site)
 *	gets a page that loads itself again from this site first.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <openssl/crypto.h>

#include "acctname.h"
#include "buf.h"
#include "dashboard.h"
#include "esc.h"
#include "html.h"
#include "http.h"
#include "log.h"
#include "owner.h"
#include "scope.h"
#include "params.h"
#include "domreports.h"
#include "listcache.h"
#include "rptdb.h"
#include "scopecache.h"
#include "websession.h"
#include "throttle.h"
#include "webd.h"
#include "webform.h"

#define PAGES_DOMAIN_PREFIX	"/domains/"
#define PAGES_TITLE		"stsd: MTA-STS for your domains"
#define PAGES_LIST_MAX		100	/* domains on a page of the list */

static const char pages_css[] =
    "body{font-family:sans-serif;max-width:60em;margin:2em auto;"
    "padding:0 1em;color:#222}\n"
    "table{border-collapse:collapse}td,th{padding:.3em .8em;"
    "border-bottom:1px solid #ccc;text-align:left}\n"
    "label{display:block;margin:.5em 0}.error{color:#a00}\n"
    "form.inline{display:inline}\n";

/* The session of the request's cookie, or NULL. */
static struct session *
pages_session(struct webd_req *r)
{
	char id[SESSION_HEX + 1];
	const char *v;
	size_t vlen;

	if ((v = http_header_value(r->head, r->http->consumed, "cookie",
	    &vlen)) == NULL || webform_cookie(v, vlen, WEBD_COOKIE, id,
	    sizeof(id)) != SESSION_HEX)
		return NULL;
	return session_find(id, r->now);
}

void
pages_set_cookie(struct buf *fields, const struct session *s)
{
	buf_printf(fields, "Set-Cookie: " WEBD_COOKIE "=%s; Secure; HttpOnly; "
	    "SameSite=Strict; Path=/\r\n", s->id);
}

void
pages_see_other(struct webd_req *r, const char *cookie_fields)
{
	struct buf f = BUF_INIT;

	buf_printf(&f, "Location: /\r\n%s", cookie_fields ? cookie_fields : "");
	webd_answer(r, 303, "text/plain; charset=utf-8", f.s, "see /\n", 6);
	buf_free(&f);
}

void
pages_start(struct buf *b, const char *title)
{
	buf_puts(b, "<!DOCTYPE html>\n<html lang=\"en\"><head>"
	    "<meta charset=\"utf-8\"><title>");
	html_escape(b, title);
	buf_puts(b, "</title><link rel=\"stylesheet\" href=\"/style.css\">"
	    "</head><body>\n");
}

void
pages_html(struct webd_req *r, int status, const char *fields, struct buf *b)
{
	buf_puts(b, "</body></html>\n");
	webd_answer(r, status, "text/html; charset=utf-8", fields, b->s, b->len);
}

/* The sign-in form of session s, with a message (NULL: none). */
static void
pages_signin_form(struct webd_req *r, int status, struct session *s,
    const char *msg, int set_cookie)
{
	struct buf b = BUF_INIT, f = BUF_INIT;

	pages_start(&b, "Sign in: " PAGES_TITLE);
	buf_puts(&b, "<h1>Sign in</h1>\n");
	if (msg != NULL) {
		buf_puts(&b, "<p class=\"error\">");
		html_escape(&b, msg);
		buf_puts(&b, "</p>\n");
	}
	buf_puts(&b, "<form method=\"post\" action=\"/signin\">"
	    "<input type=\"hidden\" name=\"csrf\" value=\"");
	html_escape(&b, s->csrf);
	buf_puts(&b, "\"><label>Account <input name=\"name\" "
	    "autocomplete=\"username\" required></label>"
	    "<label>Password <input type=\"password\" name=\"password\" "
	    "autocomplete=\"current-password\" required></label>"
	    "<button>Sign in</button></form>\n");
	if (var_portal_signup)
		buf_puts(&b, "<p><a href=\"" SIGNUP_PATH "\">Create an account"
		    "</a></p>\n");
	if (set_cookie)
		pages_set_cookie(&f, s);
	pages_html(r, status, f.s, &b);
	buf_free(&b);
	buf_free(&f);
}

/* A visitor's session for the sign-in form: the one it has, or new. */
void
pages_signin_page(struct webd_req *r, struct session *s, int status,
    const char *msg)
{
	int fresh = 0;

	if (s == NULL || s->account[0] != '\0') {
		if ((s = session_new(NULL, r->now)) == NULL) {
			webd_text(r, 503, "Retry-After: 60\r\n",
			    "too many sessions; try again later");
			return;
		}
		fresh = 1;
	}
	pages_signin_form(r, status, s, msg, fresh);
}

/* The sign-out button of every page of a signed-in session. */
void
pages_signout_form(struct buf *b, const struct session *s)
{
	buf_puts(b, "<p>Signed in as ");
	html_escape(b, s->account);
	buf_puts(b, ". <form class=\"inline\" method=\"post\" "
	    "action=\"/signout\"><input type=\"hidden\" name=\"csrf\" value=\"");
	html_escape(b, s->csrf);
	buf_puts(b, "\"><button>Sign out</button></form></p>\n");
}

static const char *
pages_str(json_t *d, const char *key)
{
	const char *v = json_string_value(json_object_get(d, key));

	return v ? v : "-";
}

/*
 * A row of the list: d is policyd's domain-show object (its checks and
 * certificate give the problems), st its dashboard_status().
 */
static void
pages_domain_row(struct buf *b, json_t *d, json_t *st)
{
	const char *name = pages_str(d, "domain");
	const char *problems = json_string_value(json_object_get(st,
	    "problems"));

	buf_puts(b, "<tr class=\"domain-row\"><td><a href=\""
	    PAGES_DOMAIN_PREFIX);
	html_escape(b, name);
	buf_puts(b, "\">");
	html_escape(b, name);
	buf_puts(b, "</a></td><td>");
	html_escape(b, pages_str(d, "mode"));
	buf_puts(b, "</td><td>");
	html_escape(b, pages_str(d, "state"));
	buf_puts(b, "</td><td class=\"verdict\" data-verdict=\"");
	html_escape(b, pages_str(json_object_get(st, "readiness"), "verdict"));
	buf_puts(b, "\">");
	html_escape(b, pages_str(st, "ready"));
	buf_printf(b, "</td><td class=\"problems %s\">", problems != NULL &&
	    *problems != '\0' ? "fail" : "ok");
	html_escape(b, problems != NULL && *problems != '\0' ? problems :
	    "none");
	buf_puts(b, "</td></tr>\n");
}

/* What the rows of one page read of reports.db. */
struct pages_reads {
	struct rptdb *db;		/* webd's handle, or NULL */
	int	 began;			/* -1: no read yet */
	int	 gone;			/* unreachable: no row to show */
};

/*
 * The evidence of reports.db for the row of d: kept a while
 * (listcache.h), else read from webd's handle (domreports.h), in one
 * snapshot for the page begun on the first read.  What a lost
 * connection cut short is not kept.
 */
static json_t *
pages_evidence(json_t *d, struct pages_reads *rd, time_t now)
{
	const char *name = pages_str(d, "domain"), *mode = pages_str(d, "mode");
	int64_t ms = scopecache_now_ms();
	json_t *ev;

	if ((ev = listcache_get(name, mode, ms)) != NULL)
		return json_incref(ev);
	if (rd->began < 0) {
		rd->db = reports_db();
		rd->gone = rd->db == NULL && reports_unreachable();
		rd->began = rptdb_snapshot_begin(rd->db);
	}
	ev = dashboard_evidence(rd->db, d, (int)var_readiness_days,
	    (int)var_readiness_major_share, now);
	if (rd->db != NULL && !rptdb_lost(rd->db))
		listcache_put(name, mode, json_incref(ev), ms);
	return ev;
}

/*
 * The rows of the list: one read of acmed's state, and of reports.db.
 * -1 when reports.db could not be read (its database unreachable, or
 * lost meanwhile): no verdict is better than a wrong one.
 */
static int
pages_domain_rows(struct buf *b, json_t *list, time_t now)
{
	struct pages_reads rd = { NULL, -1, 0 };
	json_t *d, *ev, *st;
	size_t i;

	dashboard_add_certs(list);
	json_array_foreach(list, i, d) {
		ev = pages_evidence(d, &rd, now);
		if (rd.gone || (rd.db != NULL && rptdb_lost(rd.db))) {
			json_decref(ev);
			break;
		}
		st = dashboard_status(d, ev, now);
		pages_domain_row(b, d, st);
		json_decref(st);
		json_decref(ev);
	}
	if (rd.began > 0)
		rptdb_snapshot_end(rd.db, rd.began);
	return reports_lost() || rd.gone ? -1 : 0;
}

/* The query of the list: after=NAME (the cursor); 0, else 400 and -1. */
static int
pages_home_after(struct webd_req *r, char **after)
{
	const struct http_request *h = r->http;
	struct buf err = BUF_INIT;
	long long page;
	size_t qlen = h->target_len > h->path_len + 1 ?
	    h->target_len - h->path_len - 1 : 0;

	if (dashboard_query_page(h->target + h->path_len + 1, qlen, &page,
	    after, &err) == 0)
		return 0;
	webd_text(r, 400, NULL, err.s);
	buf_free(&err);
	return -1;
}

/* The next page of the list, after the last name of this one. */
static void
pages_home_next(struct buf *b, json_t *list)
{
	json_t *last = json_array_get(list, json_array_size(list) - 1);

	buf_puts(b, "<p><a class=\"page-next\" rel=\"next\" href=\"/?after=");
	html_escape(b, pages_str(last, "domain"));
	buf_puts(b, "\">more domains</a></p>\n");
}

/* The list of the account's domains, PAGES_LIST_MAX a page. */
static void
pages_home(struct webd_req *r, struct session *s, struct scope *sc)
{
	struct buf b = BUF_INIT, err = BUF_INIT;
	json_t *list;
	char *after = NULL;
	int more;

	if (pages_home_after(r, &after) < 0)
		return;
	list = scope_domains_page(sc, after, PAGES_LIST_MAX, 1, &more, &err);
	free(after);
	if (list == NULL) {
		log_warn("%s: domains of %s: %s", r->client, s->account,
		    err.s ? err.s : "failed");
		webd_text(r, 503, NULL, "the domain list is not available now");
		buf_free(&err);
		return;
	}
	pages_start(&b, PAGES_TITLE);
	buf_puts(&b, "<h1>Your domains</h1>\n");
	pages_signout_form(&b, s);
	owner_links(&b);
	if (json_array_size(list) == 0)
		buf_puts(&b, "<p>No domains yet.</p>\n");
	else {
		buf_puts(&b, "<table><thead><tr><th>Domain</th><th>Mode</th>"
		    "<th>State</th><th>Ready for enforce</th><th>Open "
		    "problems</th></tr></thead><tbody>\n");
		if (pages_domain_rows(&b, list, r->now) < 0) {
			reports_unavailable(r, 0);
			json_decref(list);
			buf_free(&b);
			return;
		}
		buf_puts(&b, "</tbody></table>\n");
	}
	if (more)
		pages_home_next(&b, list);
	pages_html(r, 200, NULL, &b);
	json_decref(list);
	buf_free(&b);
}

/* One field of a domain as a table row, when it is there. */
static void
pages_domain_field(struct buf *b, json_t *d, const char *key,
    const char *label)
{
	json_t *v = json_object_get(d, key), *x;
	size_t i;

	if (v == NULL || json_is_null(v))
		return;
	buf_puts(b, "<tr><th>");
	html_escape(b, label);
	buf_puts(b, "</th><td>");
	if (json_is_string(v))
		html_escape(b, json_string_value(v));
	else if (json_is_integer(v))
		buf_printf(b, "%lld", (long long)json_integer_value(v));
	else if (json_is_array(v))
		json_array_foreach(v, i, x) {
			if (i > 0)
				buf_puts(b, ", ");
			html_escape(b, json_string_value(x));
		}
	buf_puts(b, "</td></tr>\n");
}

static void
pages_domain(struct webd_req *r, struct session *s, struct scope *sc,
    const char *name)
{
	struct buf b = BUF_INIT, err = BUF_INIT;
	json_t *d;

	if ((d = scope_domain(sc, name, &err)) == NULL) {
		if (err.len > 0) {
			log_warn("%s: domain of %s: %s", r->client, s->account,
			    err.s);
			webd_text(r, 503, NULL, "the domain is not available now");
		} else
			webd_text(r, 404, NULL, "no such domain");
		buf_free(&err);
		return;
	}
	pages_start(&b, pages_str(d, "domain"));
	buf_puts(&b, "<h1>");
	html_escape(&b, pages_str(d, "domain"));
	buf_puts(&b, "</h1>\n");
	pages_signout_form(&b, s);
	buf_puts(&b, "<p><a href=\"/\">Your domains</a></p>\n");
	owner_domain_link(&b, pages_str(d, "domain"));
	buf_puts(&b, "<table>\n");
	pages_domain_field(&b, d, "mode", "Mode");
	pages_domain_field(&b, d, "state", "State");
	pages_domain_field(&b, d, "max_age", "max_age");
	pages_domain_field(&b, d, "mx", "MX patterns");
	pages_domain_field(&b, d, "policy_id", "Policy id");
	buf_puts(&b, "</table>\n");
	reports_links(&b, pages_str(d, "domain"));
	pages_html(r, 200, NULL, &b);
	json_decref(d);
	buf_free(&b);
}

/* A form field into out; 0, or answers 400 and returns -1. */
int
pages_field(struct webd_req *r, const char *name, char *out, size_t size)
{
	char why[128];
	int n = webform_field(r->body, r->body_len, name, out, size);

	if (n >= 0 || n == WEBFORM_ABSENT) {
		if (n == WEBFORM_ABSENT)
			out[0] = '\0';
		return 0;
	}
	snprintf(why, sizeof(why), "form field %s: %s", name,
	    n == WEBFORM_TOO_LONG ? "too long" :
	    "a bad %-escape or a control character");
	log_info("%s: %s", r->client, why);
	webd_text(r, 400, NULL, why);
	return -1;
}

/* The form's csrf is the session's; else 403 (and -1). */
int
pages_csrf(struct webd_req *r, struct session *s)
{
	char token[WEBD_FIELD_MAX];

	if (pages_field(r, "csrf", token, sizeof(token)) < 0)
		return -1;
	if (s == NULL || !session_csrf_ok(s, token)) {
		log_info("%s: %.*s refused: no valid CSRF token", r->client,
		    (int)r->http->path_len, r->http->path);
		webd_text(r, 403, NULL, "the form has expired or did not come "
		    "from this site; reload the page and try again");
		return -1;
	}
	return 0;
}

/* portal_signin_limit for the name and the client: 0, or 429 and -1. */
static int
pages_throttle(struct webd_req *r, const char *name)
{
	char key[WEBD_FIELD_MAX + PROTO_PORTAL_LINE_MAX + 16], addr[64];
	char fields[64];
	time_t retry = 0, r2 = 0;
	int over;

	snprintf(key, sizeof(key), "client:%s",
	    webd_client_addr(r, addr, sizeof(addr)));
	over = throttle_hit(key, r->now, &retry) < 0;
	snprintf(key, sizeof(key), "account:%s", name);
	if (throttle_hit(key, r->now, &r2) < 0)
		over = 1;
	if (!over)
		return 0;
	if (r2 > retry)
		retry = r2;
	log_warn("%s: sign-in as %s refused: more than %lld attempts in "
	    "%lld s (portal_signin_limit)", r->client, esc_printable(name),
	    (long long)var_portal_signin_limit,
	    (long long)var_portal_signin_window);
	snprintf(fields, sizeof(fields), "Retry-After: %lld\r\n",
	    (long long)retry);
	webd_text(r, 429, fields, "too many sign-in attempts; try again later");
	return -1;
}

/*
 * account is signed in: a new session (the visitor's s ends, so that an
 * id known before is worth nothing after), 303 to /; 503 when the table
 * of sessions is full of signed-in ones.
 */
void
pages_signed_in(struct webd_req *r, struct session *s, const char *account)
{
	struct buf f = BUF_INIT;
	struct session *n;

	if ((n = session_new(account, r->now)) == NULL) {
		webd_text(r, 503, "Retry-After: 60\r\n",
		    "too many sessions; try again later");
		return;
	}
	session_end(s);
	pages_set_cookie(&f, n);
	pages_see_other(r, f.s);
	buf_free(&f);
}

static void
pages_signin(struct webd_req *r, struct session *s)
{
	char name[WEBD_FIELD_MAX], password[WEBD_FIELD_MAX];
	char account[ACCTNAME_MAX + 1], addr[64];
	struct buf err = BUF_INIT;
	int rc;

	if (pages_csrf(r, s) < 0 || pages_field(r, "name", name,
	    sizeof(name)) < 0 || pages_field(r, "password", password,
	    sizeof(password)) < 0)
		return;
	if (pages_throttle(r, name) < 0)
		return;
	rc = scope_signin(name, password, webd_client_addr(r, addr,
	    sizeof(addr)), account, &err);
	OPENSSL_cleanse(password, sizeof(password));
	if (rc < 0) {
		log_warn("%s: sign-in: %s", r->client, err.s);
		webd_text(r, 503, NULL, "sign-in is not available now");
	} else if (rc == 0) {
		log_info("%s: sign-in as %s refused", r->client,
		    esc_printable(name));
		pages_signin_form(r, 403, s, "The account name or the password "
		    "is wrong.", 0);
	} else {
		log_info("%s: %s signed in", r->client, account);
		pages_signed_in(r, s, account);
	}
	buf_free(&err);
}

static void
pages_signout(struct webd_req *r, struct session *s)
{
	if (pages_csrf(r, s) < 0)
		return;
	if (s->account[0] != '\0')
		log_info("%s: %s signed out", r->client, s->account);
	session_end(s);
	pages_see_other(r, "Set-Cookie: " WEBD_COOKIE "=; Secure; HttpOnly; "
	    "SameSite=Strict; Path=/; Max-Age=0\r\n");
}

/*
 * The account's scope for a request of its session (the only way to its
 * domains): 0, or -1 when it is answered already (the account is gone
 * or disabled: the session ends; policyd cannot be asked: 503).
 */
int
pages_scope(struct webd_req *r, struct session *s, struct scope *sc)
{
	struct buf err = BUF_INIT;
	char addr[64];
	int rc;

	if ((rc = scope_open(sc, s->account, webd_client_addr(r, addr,
	    sizeof(addr)), &err)) == 0)
		return 0;
	if (rc > 0) {
		log_info("%s: session of %s ended: the account is gone or "
		    "disabled", r->client, s->account);
		session_end(s);
		pages_signin_page(r, NULL, 200, NULL);
	} else {
		log_warn("%s: account %s: %s", r->client, s->account, err.s);
		webd_text(r, 503, NULL, "the portal is not available now");
	}
	scope_close(sc);
	buf_free(&err);
	return -1;
}

/* The routes of a signed-in session, each with the account's scope. */
static void
pages_account(struct webd_req *r, struct session *s)
{
	struct scope sc;
	char name[HTTP_HOST_MAX + 2], rest[REPORTS_REST_MAX];
	size_t plen = strlen(PAGES_DOMAIN_PREFIX);

	if (pages_scope(r, s, &sc) < 0)
		return;
	if (webd_path_is(r, "/"))
		pages_home(r, s, &sc);
	else if (reports_split(r->http->path + plen, r->http->path_len - plen,
	    name, rest) < 0)
		webd_text(r, 404, NULL, "no such domain");
	else if (rest[0] != '\0')
		reports_route_page(r, s, &sc, name, rest);
	else
		pages_domain(r, s, &sc, name);
	scope_close(&sc);
}

/*
 * A browser that comes from another site (a link in a mail, a form of
 * another site and the 303 that follows it) sends no SameSite=Strict
 * cookie: answered with the sign-in form, its visitor's cookie would
 * replace the session it has.  Such a GET without a cookie gets a page
 * that loads itself again from this site, with the cookie
 * (Sec-Fetch-Site, Fetch Metadata).
 */
static int
pages_cross_site(const struct webd_req *r)
{
	size_t vlen;
	const char *v = http_header_value(r->head, r->http->consumed,
	    "sec-fetch-site", &vlen);

	return v != NULL && vlen == 10 && strncasecmp(v, "cross-site", 10) == 0;
}

static void
pages_reload(struct webd_req *r)
{
	static const char page[] = "<!DOCTYPE html>\n<html lang=\"en\"><head>"
	    "<meta charset=\"utf-8\"><meta http-equiv=\"refresh\" "
	    "content=\"0\"><title>" PAGES_TITLE "</title></head><body><p>"
	    "<a href=\"\">Continue</a></p></body></html>\n";

	webd_answer(r, 200, "text/html; charset=utf-8", NULL, page,
	    sizeof(page) - 1);
}

static int
pages_is_get(const struct webd_req *r)
{
	return r->http->method != HTTP_METHOD_OTHER;
}

static int
pages_is_post(const struct webd_req *r)
{
	return r->http->method_len == 4 &&
	    memcmp(r->http->method_name, "POST", 4) == 0;
}

void
webd_route(struct webd_req *r)
{
	size_t plen = strlen(WEBD_API_PREFIX);
	struct session *s;
	int get = pages_is_get(r), post = pages_is_post(r);

	if (r->http->path_len >= plen &&
	    memcmp(r->http->path, WEBD_API_PREFIX, plen) == 0) {
		api_route(r);
		return;
	}
	if (webd_path_is(r, "/style.css") ||
	    webd_path_is(r, "/dashboard.css")) {
		if (!get)
			webd_text(r, 405, "Allow: GET, HEAD\r\n", "method not allowed");
		else if (webd_path_is(r, "/dashboard.css"))
			webd_answer(r, 200, "text/css; charset=utf-8", NULL,
			    dashboard_css(), strlen(dashboard_css()));
		else
			webd_answer(r, 200, "text/css; charset=utf-8", NULL,
			    pages_css, sizeof(pages_css) - 1);
		return;
	}
	s = pages_session(r);
	if (s == NULL && get && pages_cross_site(r)) {
		pages_reload(r);
		return;
	}
	if (signup_route(r, s) || owner_route(r, s))
		return;
	if (webd_path_is(r, "/signin") || webd_path_is(r, "/signout")) {
		if (!post)
			webd_text(r, 405, "Allow: POST\r\n", "method not allowed");
		else if (webd_path_is(r, "/signin"))
			pages_signin(r, s);
		else if (s == NULL)
			pages_see_other(r, NULL);
		else
			pages_signout(r, s);
		return;
	}
	if (!webd_path_is(r, "/") && (r->http->path_len <=
	    strlen(PAGES_DOMAIN_PREFIX) || memcmp(r->http->path,
	    PAGES_DOMAIN_PREFIX, strlen(PAGES_DOMAIN_PREFIX)) != 0)) {
		webd_text(r, 404, NULL, "not found");
		return;
	}
	if (!get) {
		webd_text(r, 405, "Allow: GET, HEAD\r\n", "method not allowed");
		return;
	}
	if (s == NULL || s->account[0] == '\0') {
		if (webd_path_is(r, "/"))
			pages_signin_page(r, s, 200, NULL);
		else
			pages_see_other(r, NULL);
		return;
	}
	pages_account(r, s);
}
