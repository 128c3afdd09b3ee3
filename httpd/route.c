/*
 * route - httpd's answer to each request: the policy, an ACME challenge,
 * a TLS report, or an error status; see conn.h.
 * SPDX-License-Identifier: ISC
 *
 * DESCRIPTION
 *	200	GET or HEAD of HTTPD_POLICY_PATH on HTTPS for a host in the
 *		policy table: Content-Type: text/plain and the exact bytes
 *		(HEAD: the same fields, no body)
 *	404	any other path or host; on plain HTTP, everything but
 *		ACME HTTP-01 challenges (200, 404 or 405: challenge.h)
 *	405	another method on HTTPD_POLICY_PATH (Allow: GET, HEAD)
 *	200	a TLS report POSTed to report_https_path, once it is durable
 *		in the spool (on plain HTTP only with httpd_plain_reports);
 *		404 at once, the body unread, unless report_https_rua = yes
 *		(the TLSRPT records list the https URI) and the host (SNI,
 *		or Host on plain HTTP) is the policy host of a hosted domain
 *		whose policy is in the policy table; 429 with Retry-After,
 *		the body unread, for a client over httpd_report_client_limit
 *		POSTs in httpd_report_client_window (clientlimit.h);
 *		refused with 405 (Allow: POST), 411, 413, 415, 400, 501 and
 *		a one-line reason (rua.h), 408 when the body is slower than
 *		httpd_body_timeout, 500 when it cannot be stored
 *	421	Host (or the absolute-form authority) names another host
 *		than SNI, compared without case, port or trailing dot
 *	400, 414, 431, 505	a request http_parse() refuses; the
 *		connection is closed after the answer
 *
 *	Never a redirect.  A request that announces a body is answered
 *	without reading it and the connection is closed, except an
 *	accepted report: its body is read (Content-Length or chunked,
 *	"100 Continue" when asked) and written to the spool as it comes
 *	(report.c), the connection stays open after the 200.
 *
 * LIMITS
 *	httpd_body_timeout for a report body; httpd_report_client_limit
 *	reports per client in httpd_report_client_window (clientlimit.h);
 *	the limits of a report are rua.h's.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>

#include <event2/buffer.h>
#include <event2/event.h>

#include "buf.h"
#include "challenge.h"
#include "clientlimit.h"
#include "canned.h"
#include "conn.h"
#include "esc.h"
#include "httpd.h"
#include "log.h"
#include "metrics.h"
#include "notify.h"
#include "policytab.h"
#include "rua.h"
#include "server.h"

/* Does the request's authority name the SNI host? */
static int
conn_host_matches(const struct conn *c, const struct http_request *req)
{
	char host[HTTP_HOST_MAX + 1];

	if (req->host == NULL)		/* HTTP/1.0 without Host: SNI rules */
		return 1;
	return http_host_normalize(req->host, req->host_len, host) >= 0 &&
	    strcmp(host, c->sni) == 0;
}

/* Is this a request for report_https_path, on a service that takes them? */
static int
conn_report_path(const struct http_request *req)
{
	return httpd_conf.report_path != NULL &&
	    strlen(httpd_conf.report_path) == req->path_len &&
	    memcmp(req->path, httpd_conf.report_path, req->path_len) == 0;
}

/*
 * An answer about a report, with its reason as the body; retry > 0:
 * Retry-After (429, 503).
 */
static void
conn_report_answer(struct conn *c, int status, const char *why, int keep,
    int head_only, int minor, long long retry)
{
	char head[CONN_HEAD_MAX], body[CONN_HEAD_MAX], extra[64] = "";
	int hlen, blen;

	blen = canned_reason(body, sizeof(body), status, why);
	if (status == 405)
		snprintf(extra, sizeof(extra), "Allow: POST\r\n");
	else if (retry > 0)
		snprintf(extra, sizeof(extra), "Retry-After: %lld\r\n", retry);
	hlen = snprintf(head, sizeof(head), "%sContent-Type: text/plain\r\n"
	    "Content-Length: %d\r\n", extra, blen);
	conn_respond(c, status, head, (size_t)hlen, body, (size_t)blen,
	    head_only, keep, minor);
}

/* metrics: a report accepted (200) or refused, by status. */
void
conn_report_count(int status)
{
	char code[8];

	if (status == 200) {
		metrics_inc(METRIC_HTTPS_REPORTS, NULL);
		return;
	}
	snprintf(code, sizeof(code), "%d", status);
	metrics_inc(METRIC_HTTPS_REFUSALS, "status", code, NULL);
}

/* The statuses of refused reports, counted from the start at 0. */
static const char *const conn_report_statuses[] = {
	"400", "404", "405", "408", "411", "413", "415", "429", "500", "501",
	"503",
	NULL,
};

void
conn_report_metrics_start(void)
{
	size_t i;

	metrics_add(METRIC_HTTPS_REPORTS, 0, NULL);
	for (i = 0; conn_report_statuses[i] != NULL; i++)
		metrics_add(METRIC_HTTPS_REFUSALS, 0, "status",
		    conn_report_statuses[i], NULL);
}

/*
 * Refuses a report: logged, answered, and the connection closed (after
 * throwing away for CONN_LINGER seconds what the client still sends).
 */
static void
conn_report_refuse_retry(struct conn *c, int status, const char *why,
    int head_only, long long retry)
{
	char peer[80];

	conn_peer(c, peer, sizeof(peer));
	log_info("%s: %s: report refused: %d %s: %s", peer,
	    c->sni[0] ? esc_printable(c->sni) : "plain HTTP", status,
	    http_reason(status), esc_printable(why));
	conn_report_count(status);
	c->must_linger = 1;
	conn_report_answer(c, status, why, 0, head_only, 1, retry);
}

static void
conn_report_refuse(struct conn *c, int status, const char *why, int head_only)
{
	conn_report_refuse_retry(c, status, why, head_only, 0);
}

/*
 * Are reports taken for the host of this request?  Only with
 * report_https_rua = yes (the TLSRPT records that stsd publishes and
 * prints list the https URI), and only for the policy host of a hosted
 * domain whose policy httpd serves: SNI, or on plain HTTP the Host.
 */
static int
conn_report_wanted(const struct conn *c, const struct http_request *req)
{
	char host[HTTP_HOST_MAX + 1];

	if (!httpd_conf.report_rua)
		return 0;
	if (httpd_conf.tls)
		return c->sni[0] != '\0' &&
		    policytab_get(httpd_policies, c->sni) != NULL;
	return req->host != NULL &&
	    http_host_normalize(req->host, req->host_len, host) >= 0 &&
	    policytab_get(httpd_policies, host) != NULL;
}

/* httpd_report_client_limit: 0, or -1 with the seconds to wait. */
static int
conn_report_client_hit(const struct conn *c, time_t *retry)
{
	static struct clientlimit *limit;
	struct sockaddr_storage ss;
	socklen_t len = sizeof(ss);

	*retry = 0;
	if (httpd_conf.report_client_limit == 0 ||
	    getpeername(c->fd, (struct sockaddr *)&ss, &len) != 0)
		return 0;
	if (limit == NULL)
		limit = clientlimit_new(httpd_conf.report_client_limit,
		    httpd_conf.report_client_window, HTTPD_REPORT_CLIENTS_MAX);
	return clientlimit_hit(limit, (struct sockaddr *)&ss, time(NULL),
	    retry);
}

/*
 * httpd_report_upload_limit bodies are being received: 503, unread,
 * with a Retry-After of HTTPD_UPLOAD_RETRY seconds.  Logged once each
 * time the limit is reached (each refusal is logged as any other).
 */
static void
conn_report_upload_full(struct conn *c, const struct http_request *req)
{
	static time_t logged;
	time_t now = time(NULL);

	if (now - logged >= HTTPD_UPLOAD_RETRY) {
		log_warn("%d report bodies being received: the limit "
		    "(httpd_report_upload_limit); further reports get 503",
		    httpd_conf.report_upload_limit);
		logged = now;
	}
	conn_report_refuse_retry(c, 503, "too many reports being received; "
	    "see Retry-After", req->method == HTTP_METHOD_HEAD,
	    HTTPD_UPLOAD_RETRY);
}

/* A request for report_https_path: refuse it, or start on its body. */
static void
conn_report_request(struct conn *c, const struct http_request *req, int keep)
{
	static const char cont[] = "HTTP/1.1 100 Continue\r\n\r\n";
	struct rua_verdict v;
	struct buf err = BUF_INIT;
	time_t retry;

	if (!conn_report_wanted(c, req)) {
		conn_report_refuse(c, 404, "no TLS reports are taken for this "
		    "host", req->method == HTTP_METHOD_HEAD);
		return;
	}
	if (conn_report_client_hit(c, &retry) < 0) {
		conn_report_refuse_retry(c, 429, "too many reports from this "
		    "client; see Retry-After", req->method == HTTP_METHOD_HEAD,
		    (long long)retry);
		return;
	}
	if (report_receiving() >= httpd_conf.report_upload_limit) {
		conn_report_upload_full(c, req);
		return;
	}
	if (rua_check(req, &httpd_conf.reports, &v) != 0) {
		conn_report_refuse(c, v.status, v.why,
		    req->method == HTTP_METHOD_HEAD);
		return;
	}
	if ((c->report = report_start(req, &v, &err)) == NULL) {
		log_error("%s", err.s);
		buf_free(&err);
		conn_report_refuse(c, 500, "report not stored", 0);
		return;
	}
	c->state = CONN_BODY;
	c->report_keep = keep;
	c->report_minor = req->minor;
	conn_timer_set(c, conn_body_tv);
	if (req->expect_continue && req->minor == 1)
		conn_send(c, cont, sizeof(cont) - 1);
}

/* The body is complete: durable first, then 200, then tell rptparse. */
static void
conn_report_done(struct conn *c)
{
	struct report *r = c->report;
	unsigned long long size = report_size(r);
	struct buf err = BUF_INIT;
	char id[SPOOL_ID_SIZE], peer[80], why[SPOOL_ID_SIZE + 32];

	c->report = NULL;
	c->state = CONN_IDLE;
	if (report_commit(r, id, &err) != 0) {
		log_error("%s", err.s);
		buf_free(&err);
		conn_report_refuse(c, 500, "report not stored", 0);
		return;
	}
	conn_peer(c, peer, sizeof(peer));
	log_info("%s: %s: report of %llu bytes spooled as %s", peer,
	    c->sni[0] ? esc_printable(c->sni) : "plain HTTP", size, id);
	snprintf(why, sizeof(why), "report accepted as %s", id);
	conn_report_count(200);
	conn_report_answer(c, 200, why, c->report_keep && !server_stopping(), 0,
	    c->report_minor, 0);
	notify_spooled(NOTIFY_RPTPARSE, id);
	if (c->state != CONN_CLOSING)
		conn_timer_set(c, conn_idle_tv);
}

/* Body bytes: into the spool until the body ends.  -1: stop reading. */
int
conn_body(struct conn *c, struct evbuffer *in)
{
	size_t len = (size_t)evbuffer_get_contiguous_space(in), used;
	char *data;
	int r;

	if (c->portal != NULL)
		return portal_body(c, in);
	data = (char *)evbuffer_pullup(in, (ev_ssize_t)len);
	r = report_input(c->report, data, len, &used);
	evbuffer_drain(in, used);
	if (r == RUA_BODY_MORE)
		return 0;
	if (r == RUA_BODY_ERROR) {
		int status = report_status(c->report);
		char why[CONN_HEAD_MAX];

		snprintf(why, sizeof(why), "%s", report_why(c->report));
		if (status == 500)
			log_error("report not stored: %s", esc_printable(why));
		report_abort(c->report);
		c->report = NULL;
		c->state = CONN_IDLE;
		conn_report_refuse(c, status, status == 500 ?
		    "report not stored" : why, 0);
		return -1;
	}
	conn_report_done(c);
	return 0;
}

void
conn_request(struct conn *c, const struct http_request *req)
{
	const struct policy_entry *e = NULL;
	int keep, head_only = req->method == HTTP_METHOD_HEAD, status;

	c->requests++;
	if (httpd_conf.portal_host[0] != '\0' &&
	    strcmp(c->sni, httpd_conf.portal_host) == 0) {
		if (!conn_host_matches(c, req))
			conn_respond_canned(c, 421, 0, 0, 1);
		else
			portal_request(c, req, c->head);
		return;
	}
	if (conn_report_path(req) && (!httpd_conf.tls ||
	    conn_host_matches(c, req))) {
		conn_report_request(c, req, req->keep_alive &&
		    c->requests < httpd_conf.keepalive_requests &&
		    !server_stopping());
		return;
	}
	if (req->has_body)
		c->must_linger = 1;
	keep = req->keep_alive && !req->has_body &&
	    c->requests < httpd_conf.keepalive_requests && !server_stopping();
	if (httpd_conf.tls && !conn_host_matches(c, req))
		status = 421;
	else if (!httpd_conf.tls && (status = challenge_http(req, &e)) != 0)
		;				/* ACME HTTP-01, challenge.h */
	else if (req->path_len != sizeof(HTTPD_POLICY_PATH) - 1 ||
	    memcmp(req->path, HTTPD_POLICY_PATH, req->path_len) != 0)
		status = 404;
	else if (req->method == HTTP_METHOD_OTHER)
		status = 405;
	else if (!httpd_conf.tls ||
	    (e = policytab_get(httpd_policies, c->sni)) == NULL)
		status = 404;
	else
		status = 200;
	if (log_verbose)
		log_debug("%s: %.*s %.*s: %d", c->sni, (int)req->method_len,
		    req->method_name, (int)req->target_len, req->target, status);
	if (httpd_conf.tls) {	/* metrics: the domain of hosted ones only */
		char code[8];

		snprintf(code, sizeof(code), "%d", status);
		metrics_add(METRIC_POLICY_FETCHES, 1, "domain", status != 200 ? "" :
		    strncmp(c->sni, "mta-sts.", 8) == 0 ? c->sni + 8 : c->sni,
		    "status", code, NULL);
	}
	conn_record(c, status, NULL, req);
	if (status == 200)
		conn_respond(c, 200, e->head, e->head_len, e->body, e->body_len,
		    head_only, keep, req->minor);
	else
		conn_respond_canned(c, status, head_only, keep, req->minor);
}
