/*
 * signup - the portal's self sign-up (portal_signup): the form, and the
 * account it asks policyd to make; see owner.h.
 * SPDX-License-Identifier: ISC
 *
 * DESCRIPTION
 *	GET  /signup	the form (name, email, password, password2, csrf)
 *			in a visitor's session; a signed-in session: 303
 *			to /
 *	POST /signup	the account is made by policyd (account-add as the
 *			new account itself, from the client's address:
 *			the gate of an account's requests, then the
 *			operator's handler, so the name's syntax, the
 *			e-mail address, portal_password_min_length and
 *			the quota portal_default_quota are checked as for
 *			"stsctl account add"), then signed in: 303 to /
 *			with a new session.  400 with the form again and
 *			policyd's reason when it refuses (a name that
 *			exists gets the answer of one that cannot be used:
 *			PROTO_SIGNUP_REFUSED), or when the passwords
 *			differ; 403 without a valid CSRF token; 429 over
 *			portal_signup_limit from the client's address
 *			(throttle.c); 400 for a field too long or with a
 *			control character (pages_field); 503 when policyd
 *			cannot be asked.
 *	With portal_signup = no both answer 404, as any other path, and
 *	the sign-in form has no link here.
 *
 * LIMITS
 *	WEBD_FIELD_MAX bytes a field (a name ACCTNAME_MAX, an address
 *	ACCTNAME_EMAIL_MAX, a password ACCTNAME_PASSWORD_MAX: policyd);
 *	portal_signup_limit sign-ups, made or refused, per client address
 *	in portal_signup_window.
 *
 * DIAGNOSTICS
 *	Logged with the client's address: each account made, each
 *	refusal with policyd's reason (the name escaped), throttling.
 */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include <openssl/crypto.h>

#include "acctname.h"
#include "buf.h"
#include "esc.h"
#include "html.h"
#include "http.h"
#include "log.h"
#include "owner.h"
#include "params.h"
#include "proto.h"
#include "scope.h"
#include "throttle.h"
#include "webd.h"
#include "websession.h"

#define SIGNUP_TITLE	"Create an account"

struct signup_fields {
	char	 name[WEBD_FIELD_MAX];
	char	 email[WEBD_FIELD_MAX];
	char	 password[WEBD_FIELD_MAX];
	char	 password2[WEBD_FIELD_MAX];
};

/* One labelled input; value (NULL: none) is put back, escaped. */
static void
signup_input(struct buf *b, const char *label, const char *type,
    const char *name, const char *value, const char *autocomplete)
{
	buf_printf(b, "<label>%s <input type=\"%s\" name=\"%s\" "
	    "autocomplete=\"%s\" required", label, type, name, autocomplete);
	if (value != NULL && *value != '\0') {
		buf_puts(b, " value=\"");
		html_escape(b, value);
		buf_puts(b, "\"");
	}
	buf_puts(b, "></label>");
}

/* The form of the visitor's session s, with a message (NULL: none). */
static void
signup_form(struct webd_req *r, struct session *s, int status,
    const char *msg, const struct signup_fields *f, int set_cookie)
{
	struct buf b = BUF_INIT, fields = BUF_INIT;

	pages_start(&b, SIGNUP_TITLE);
	buf_puts(&b, "<h1>" SIGNUP_TITLE "</h1>\n");
	if (msg != NULL) {
		buf_puts(&b, "<p class=\"error\">");
		html_escape(&b, msg);
		buf_puts(&b, "</p>\n");
	}
	buf_printf(&b, "<p>The account may manage %lld %s; you add them"
	    " yourself, each proven yours by a TXT record. The name is"
	    " lower-case letters, digits, \".\", \"_\" and \"-\"; the password"
	    " has at least %lld characters.</p>\n",
	    (long long)var_portal_default_quota,
	    var_portal_default_quota == 1 ? "domain" : "domains",
	    (long long)var_portal_password_min_length);
	buf_puts(&b, "<form method=\"post\" action=\"" SIGNUP_PATH "\">"
	    "<input type=\"hidden\" name=\"csrf\" value=\"");
	html_escape(&b, s->csrf);
	buf_puts(&b, "\">");
	signup_input(&b, "Account name", "text", "name", f ? f->name : NULL,
	    "username");
	signup_input(&b, "E-mail address", "email", "email", f ? f->email :
	    NULL, "email");
	signup_input(&b, "Password", "password", "password", NULL,
	    "new-password");
	signup_input(&b, "Password again", "password", "password2", NULL,
	    "new-password");
	buf_puts(&b, "<button>Create the account</button></form>\n"
	    "<p><a href=\"/\">Sign in</a></p>\n");
	if (set_cookie)
		pages_set_cookie(&fields, s);
	pages_html(r, status, fields.s, &b);
	buf_free(&b);
	buf_free(&fields);
}

static void
signup_get(struct webd_req *r, struct session *s)
{
	int fresh = 0;

	if (s != NULL && s->account[0] != '\0') {
		pages_see_other(r, NULL);
		return;
	}
	if (s == NULL) {
		if ((s = session_new(NULL, r->now)) == NULL) {
			webd_text(r, 503, "Retry-After: 60\r\n",
			    "too many sessions; try again later");
			return;
		}
		fresh = 1;
	}
	signup_form(r, s, 200, NULL, NULL, fresh);
}

/* portal_signup_limit for the client: 0, or 429 and -1. */
static int
signup_throttle(struct webd_req *r, const char *addr)
{
	char key[PROTO_PORTAL_LINE_MAX + 16], fields[64];
	time_t retry;

	snprintf(key, sizeof(key), "signup:%s", addr);
	if (throttle_hit_in(key, var_portal_signup_limit,
	    var_portal_signup_window, r->now, &retry) == 0)
		return 0;
	log_warn("%s: sign-up refused: more than %lld from this address in"
	    " %lld s (portal_signup_limit)", r->client,
	    (long long)var_portal_signup_limit,
	    (long long)var_portal_signup_window);
	snprintf(fields, sizeof(fields), "Retry-After: %lld\r\n",
	    (long long)retry);
	webd_text(r, 429, fields, "too many sign-ups from this address; try"
	    " again later");
	return -1;
}

/* The fields of the form into f; 0, or answered (400) and -1. */
static int
signup_read(struct webd_req *r, struct signup_fields *f)
{
	return pages_field(r, "name", f->name, sizeof(f->name)) < 0 ||
	    pages_field(r, "email", f->email, sizeof(f->email)) < 0 ||
	    pages_field(r, "password", f->password, sizeof(f->password)) < 0 ||
	    pages_field(r, "password2", f->password2,
	    sizeof(f->password2)) < 0 ? -1 : 0;
}

static void
signup_post(struct webd_req *r, struct session *s)
{
	struct signup_fields f;
	struct buf err = BUF_INIT;
	char addr[64];
	int rc;

	memset(&f, 0, sizeof(f));
	if (pages_csrf(r, s) < 0 || signup_read(r, &f) < 0)
		goto out;
	webd_client_addr(r, addr, sizeof(addr));
	if (signup_throttle(r, addr) < 0)
		goto out;
	if (strcmp(f.password, f.password2) != 0) {
		signup_form(r, s, 400, "The two passwords differ.", &f, 0);
		goto out;
	}
	rc = scope_signup(f.name, f.email, f.password, addr, &err);
	if (rc < 0) {
		log_warn("%s: sign-up: %s", r->client, err.s);
		webd_text(r, 503, NULL, "sign-up is not available now");
	} else if (rc == 0) {
		log_info("%s: sign-up as %s refused: %s", r->client,
		    esc_printable(f.name), esc_printable(err.s ? err.s : ""));
		signup_form(r, s, 400, err.s ? err.s : "refused", &f, 0);
	} else {
		log_info("%s: account %s created by sign-up", r->client,
		    f.name);
		pages_signed_in(r, s, f.name);
	}
out:
	OPENSSL_cleanse(&f, sizeof(f));
	buf_free(&err);
}

int
signup_route(struct webd_req *r, struct session *s)
{
	int post = r->http->method_len == 4 &&
	    memcmp(r->http->method_name, "POST", 4) == 0;

	if (!webd_path_is(r, SIGNUP_PATH))
		return 0;
	if (!var_portal_signup)
		webd_text(r, 404, NULL, "not found");
	else if (post)
		signup_post(r, s);
	else if (r->http->method == HTTP_METHOD_OTHER)
		webd_text(r, 405, "Allow: GET, HEAD, POST\r\n",
		    "method not allowed");
	else
		signup_get(r, s);
	return 1;
}
