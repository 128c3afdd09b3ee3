/*
 * owner_alerts - the alert subscriptions of a domain in the portal: the
 * section of its manage page and the two forms; see owner.h.
 * SPDX-License-Identifier: ISC
 *
 * DESCRIPTION
 *	GET  /domains/NAME/manage	(owner.c) lists the subscriptions,
 *					each with a remove form, and an add
 *					form
 *	POST /domains/NAME/alerts	csrf, kind (mail or webhook),
 *					target: alert-add as the account
 *	POST /domains/NAME/alerts/remove	csrf, id: alert-del; an id of
 *					another domain is 404
 *	policyd checks the target (one address; an https URL whose host
 *	resolves to public addresses only) and says why it refuses, which
 *	the page shows escaped (lib/html).
 */
#include "config.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "buf.h"
#include "html.h"
#include "http.h"
#include "log.h"
#include "owner.h"
#include "scope.h"
#include "webd.h"
#include "websession.h"

#define OWNER_ALERT_ID_MAX	24	/* bytes of the id field */

static void
owner_alerts_csrf(struct buf *b, const struct session *s)
{
	buf_puts(b, "<input type=\"hidden\" name=\"csrf\" value=\"");
	html_escape(b, s->csrf);
	buf_puts(b, "\">");
}

/* The form's action: /domains/NAME/alerts plus suffix. */
static void
owner_alerts_action(struct buf *b, const char *name, const char *suffix)
{
	buf_puts(b, "<form method=\"post\" action=\"/domains/");
	html_escape(b, name);
	buf_printf(b, "/alerts%s\">", suffix);
}

static void
owner_alerts_row(struct buf *b, const struct session *s, const char *name,
    json_t *a)
{
	buf_printf(b, "<tr><td>%lld</td><td>", (long long)json_integer_value(
	    json_object_get(a, "id")));
	html_escape(b, json_string_value(json_object_get(a, "kind")));
	buf_puts(b, "</td><td>");
	html_escape(b, json_string_value(json_object_get(a, "target")));
	buf_puts(b, "</td><td>");
	html_escape(b, json_string_value(json_object_get(a, "account")));
	buf_puts(b, "</td><td>");
	owner_alerts_action(b, name, "/remove");
	owner_alerts_csrf(b, s);
	buf_printf(b, "<input type=\"hidden\" name=\"id\" value=\"%lld\">"
	    "<button>Remove</button></form></td></tr>\n",
	    (long long)json_integer_value(json_object_get(a, "id")));
}

void
owner_alerts_section(struct buf *b, struct session *s, struct scope *sc,
    const char *name)
{
	struct ownerop o = OWNEROP_INIT;
	json_t *a;
	size_t i;

	ownerop_alerts(sc, name, &o);
	buf_puts(b, "<h2>Alerts</h2>\n<p>Besides the operator, the alerts "
	    "about this domain go to these addresses and https webhooks "
	    "(public addresses only).</p>\n");
	if (o.reply == NULL) {
		buf_puts(b, "<p class=\"error\">");
		html_escape(b, o.msg.s ? o.msg.s : "not available");
		buf_puts(b, "</p>\n");
		ownerop_clear(&o);
		return;
	}
	buf_puts(b, "<table class=\"alerts\"><tr><th>Id</th><th>Kind</th>"
	    "<th>Target</th><th>By</th><th></th></tr>\n");
	json_array_foreach(json_object_get(o.reply, "subscriptions"), i, a)
		owner_alerts_row(b, s, name, a);
	buf_puts(b, "</table>\n");
	owner_alerts_action(b, name, "");
	owner_alerts_csrf(b, s);
	buf_puts(b, "<select name=\"kind\"><option value=\"mail\">mail "
	    "address</option><option value=\"webhook\">https webhook"
	    "</option></select> <input name=\"target\" size=\"50\" "
	    "maxlength=\"1024\"> <button>Subscribe</button></form>\n");
	ownerop_clear(&o);
}

/* Back to the manage page, or the refusal with policyd's reason. */
static void
owner_alerts_done(struct webd_req *r, struct session *s, struct ownerop *o,
    const char *name, const char *what)
{
	struct buf f = BUF_INIT, b = BUF_INIT;

	if (o->status >= 200 && o->status < 300) {
		log_info("%s: account %s: %s: %s in the portal", r->client,
		    s->account, name, what);
		buf_printf(&f, "Location: /domains/%s/manage\r\n", name);
		webd_answer(r, 303, "text/plain; charset=utf-8", f.s,
		    "see other\n", 10);
	} else {
		pages_start(&b, "Not changed");
		buf_puts(&b, "<h1>Not changed</h1>\n<p class=\"error\">");
		html_escape(&b, o->msg.s ? o->msg.s : "refused");
		buf_puts(&b, "</p>\n<p><a href=\"/domains/");
		html_escape(&b, name);
		buf_puts(&b, "/manage\">Back</a></p>\n");
		pages_html(r, o->status ? o->status : 500, NULL, &b);
	}
	buf_free(&f);
	buf_free(&b);
}

void
owner_alerts_post(struct webd_req *r, struct session *s, struct scope *sc,
    const char *name, int del)
{
	struct ownerop o = OWNEROP_INIT;
	char kind[16], target[WEBD_FIELD_MAX], id[OWNER_ALERT_ID_MAX], *end;
	long long n;

	if (del) {
		if (pages_field(r, "id", id, sizeof(id)) < 0)
			return;
		errno = 0;
		n = strtoll(id, &end, 10);
		if (id[0] == '\0' || *end != '\0' || errno != 0 || n <= 0) {
			webd_text(r, 400, NULL, "id: not a subscription id");
			return;
		}
		ownerop_alert_del(sc, name, n, &o);
		owner_alerts_done(r, s, &o, name, "alert subscription removed");
	} else {
		if (pages_field(r, "kind", kind, sizeof(kind)) < 0 ||
		    pages_field(r, "target", target, sizeof(target)) < 0)
			return;
		ownerop_alert_add(sc, name, kind, target, &o);
		owner_alerts_done(r, s, &o, name, "alert subscription added");
	}
	ownerop_clear(&o);
}
