/*
 * webd - the portal of domain owners: sign-in, sessions, their domains
 * and the JSON API, behind httpd.
 * SPDX-License-Identifier: ISC
 *
 * SYNOPSIS
 *	started by stsd-master(8) from the master.cf line
 *	webd  unix  y  y  y  -  1  webd
 *
 * DESCRIPTION
 *	httpd passes every request for portal_hostname to webd over
 *	private/webd, one per connection (lib/proto.h: the client's
 *	address, then the request as it came); webd answers one HTTP/1.1
 *	response and closes.  The routes are pages.c's, owner.c's (what an
 *	owner changes) and the API's (api.c, api_domain.c); every change
 *	is one request to policyd as the account (owner.h).
 *	Sessions are in memory (websession.h); accounts, tokens and domains
 *	are policyd's, reached over private/policyd only through
 *	scope.h.  With portal_enabled = no every request gets 404.
 *
 * MAY TOUCH
 *	private/policyd (asks); $data_directory/reports.db read-only for
 *	the readiness verdict (ownerop.c), which its chroot does not reach
 *	yet (the verdict is then "not yet"); nothing else.  Chrooted in
 *	queue_directory, unprivileged.
 *
 * LIMITS
 *	WEBD_CONN_MAX connections; a request head of httpd_max_header_size
 *	bytes and httpd_max_header_count fields; a body of
 *	portal_body_limit bytes with Content-Length (411 without, 413
 *	over); portal_timeout to receive a request and to send its
 *	answer.  One request at a time: a sign-in waits for policyd's
 *	password hash.
 *
 * DIAGNOSTICS
 *	Sign-ins, refusals, throttling and sign-outs are logged with the
 *	client address and the account name (escaped).
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <event2/buffer.h>
#include <event2/bufferevent.h>
#include <event2/event.h>

#include "buf.h"
#include "http.h"
#include "httpserv.h"
#include "log.h"
#include "mymalloc.h"
#include "params.h"
#include "proto.h"
#include "domreports.h"
#include "listcache.h"
#include "scopecache.h"
#include "server.h"
#include "websession.h"
#include "throttle.h"
#include "webd.h"
#include "webform.h"

#define WEBD_CONN_MAX		256	/* connections from httpd */

struct webd_conn {
	struct httpserv_conn hc;
	size_t	 line_len;		/* the preamble, CRLF included; 0:
					 * not complete yet */
	char	 client[PROTO_PORTAL_LINE_MAX];
};

static void
webd_on_timeout(struct httpserv_conn *hc)
{
	struct webd_conn *c = (struct webd_conn *)hc;

	log_info("%s: request not complete after %lld s; closed",
	    c->client[0] ? c->client : "httpd", (long long)var_portal_timeout);
}

/* Sends r's answer and closes once it is written. */
static void
webd_send(struct webd_conn *c, struct webd_req *r)
{
	evbuffer_add(httpserv_output(&c->hc), r->out.s, r->out.len);
	buf_free(&r->out);
	httpserv_answered(&c->hc);
}

/* An error answer before routing (no parsed request). */
static void
webd_refuse(struct webd_conn *c, int status, const char *why)
{
	struct webd_req r;

	memset(&r, 0, sizeof(r));
	log_info("%s: %d %s: %s", c->client[0] ? c->client : "httpd", status,
	    http_reason(status), why);
	webd_text(&r, status, NULL, why);
	webd_send(c, &r);
}

static void
webd_dispatch(struct webd_conn *c, const struct http_request *req,
    const char *head)
{
	struct webd_req r;

	memset(&r, 0, sizeof(r));
	r.http = req;
	r.head = head;
	r.body = head + req->consumed;
	r.body_len = req->has_body ? (size_t)req->content_length : 0;
	r.now = time(NULL);
	snprintf(r.client, sizeof(r.client), "%s", c->client);
	if (!var_portal_enabled)
		webd_text(&r, 404, NULL, "the portal is off (portal_enabled)");
	else
		webd_route(&r);
	if (log_verbose)
		log_debug("%s: %.*s %.*s: %d", c->client, (int)req->method_len,
		    req->method_name, (int)req->path_len, req->path, r.status);
	webd_send(c, &r);
}

static void
webd_on_read(struct httpserv_conn *hc, struct evbuffer *in)
{
	struct webd_conn *c = (struct webd_conn *)hc;
	struct http_limits lim = { (size_t)var_httpd_max_header_size,
	    (int)var_httpd_max_header_count };
	struct http_request req;
	size_t len = evbuffer_get_length(in);
	const char *data, *head;
	int rc = 0;

	data = (const char *)evbuffer_pullup(in, -1);
	if (c->line_len == 0 && (rc = webform_preamble(data, len, c->client,
	    sizeof(c->client))) <= 0) {
		if (rc < 0) {
			log_warn("a connection to private/webd without the "
			    "preamble of httpd; closed");
			httpserv_close(hc);
		}
		return;
	}
	if (c->line_len == 0)
		c->line_len = (size_t)rc;
	head = data + c->line_len;
	len -= c->line_len;
	switch (http_parse(head, len, &lim, &req)) {
	case HTTP_PARSE_MORE:
		if (len > lim.header_size)
			webd_refuse(c, 431, "request head too large");
		return;
	case HTTP_PARSE_ERROR:
		webd_refuse(c, req.status, req.why);
		return;
	}
	if (req.has_body && (!req.has_length || req.chunked || req.te_other))
		webd_refuse(c, 411, "a body needs a Content-Length");
	else if (req.has_body &&
	    req.content_length > (unsigned long long)var_portal_body_limit)
		webd_refuse(c, 413, "request body too large (portal_body_limit)");
	else if (len - req.consumed >= (req.has_body ?
	    (size_t)req.content_length : 0))
		webd_dispatch(c, &req, head);
}

/* reports.db before the chroot, where it is reachable (domreports.h). */
static void
webd_pre_jail(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	if (var_portal_enabled)
		reports_open_early();
}

static void
webd_post_jail(int argc, char **argv)
{
	static const struct httpserv srv = {
		"unix", "webd is a unix service", WEBD_CONN_MAX,
		sizeof(struct webd_conn), &var_portal_timeout,
		&var_portal_timeout, webd_on_read, webd_on_timeout,
	};

	(void)argc;
	(void)argv;
	httpserv_listen(&srv);
	if (!var_portal_enabled)
		log_info("portal_enabled = no: every request gets 404");
	else if (*var_portal_hostname == '\0')
		log_warn("portal_enabled = yes but portal_hostname is empty: "
		    "httpd passes no request to the portal");
}

static void
webd_cleanup(void)
{
	httpserv_free();
	session_free_all();
	throttle_free_all();
	scopecache_free();
	listcache_free();
}

int
main(int argc, char **argv)
{
	static const struct server_hooks hooks = {
		webd_pre_jail, webd_post_jail, NULL, webd_cleanup,
	};

	return server_main(argc, argv, &hooks);
}
