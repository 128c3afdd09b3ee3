/*
 * portal - httpd's side of the portal: every request for portal_hostname
 * goes to webd over private/webd, and webd's answer back to the client.
 * SPDX-License-Identifier: ISC
 *
 * DESCRIPTION
 *	portal_request() is called by conn_request() for a request whose
 *	SNI (and Host) is portal_hostname while portal_enabled = yes.  A
 *	body must have a Content-Length (411) of at most portal_body_limit
 *	(413, unread); it is read here (CONN_BODY, within
 *	httpd_body_timeout: 408).  Then httpd connects to private/webd,
 *	sends the line PROTO_PORTAL_PREAMBLE with the client's address,
 *	the request head and the body exactly as they came (lib/proto.h),
 *	and copies what webd answers to the client as it comes
 *	(CONN_PORTAL), at most PORTAL_ANSWER_MAX bytes; the client
 *	connection is closed after the answer.
 *
 *	webd not running (no socket, refused, or closed before answering):
 *	503 with Retry-After: PORTAL_RETRY, logged at most once per
 *	PORTAL_LOG_EVERY seconds with the number of requests refused
 *	since; webd silent for portal_timeout: 504.  The answers httpd
 *	makes itself carry the security fields of webd's (webd.h).
 *
 * LIMITS
 *	portal_body_limit, portal_timeout, PORTAL_ANSWER_MAX.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include <event2/buffer.h>
#include <event2/bufferevent.h>
#include <event2/event.h>

#include "buf.h"
#include "conn.h"
#include "httpd.h"
#include "log.h"
#include "mymalloc.h"
#include "proto.h"
#include "server.h"

#define PORTAL_ANSWER_MAX	(16 * 1024 * 1024)	/* bytes from webd */
#define PORTAL_RETRY		10	/* Retry-After of a 503, seconds */
#define PORTAL_LOG_EVERY	60	/* seconds between "webd is down" */
#define PORTAL_FIELDS \
	"Content-Security-Policy: default-src 'none'; " \
	"frame-ancestors 'none'\r\n" \
	"X-Content-Type-Options: nosniff\r\n" \
	"Referrer-Policy: no-referrer\r\n" \
	"Cache-Control: no-store\r\n"

struct portal {
	struct buf req;			/* preamble, head, body */
	unsigned long long body_left;	/* body bytes still to come */
	struct bufferevent *up;		/* to webd */
	size_t	 relayed;		/* bytes of webd's answer sent on */
};

/* An answer made by httpd (webd's not reached), closing the connection. */
static void
portal_answer(struct conn *c, int status, const char *why, int retry)
{
	char head[CONN_HEAD_MAX], body[CONN_HEAD_MAX], ra[32] = "";
	int hlen, blen;

	blen = conn_reason_body(body, status, why);
	if (retry > 0)
		snprintf(ra, sizeof(ra), "Retry-After: %d\r\n", retry);
	hlen = snprintf(head, sizeof(head), PORTAL_FIELDS "%s"
	    "Content-Type: text/plain; charset=utf-8\r\nContent-Length: %d\r\n",
	    ra, blen);
	c->must_linger = 1;
	conn_respond(c, status, head, (size_t)hlen, body, (size_t)blen, 0, 0, 1);
}

void
portal_free(struct portal *p)
{
	if (p == NULL)
		return;
	if (p->up != NULL)
		bufferevent_free(p->up);
	buf_free(&p->req);
	free(p);
}

static void
portal_end(struct conn *c)
{
	portal_free(c->portal);
	c->portal = NULL;
}

/* webd cannot be reached: 503, logged once per PORTAL_LOG_EVERY. */
static void
portal_down(struct conn *c, const char *why)
{
	static time_t logged;
	static long long refused;
	time_t now = time(NULL);

	refused++;
	if (now - logged >= PORTAL_LOG_EVERY) {
		log_warn("portal %s: webd is not answering (" PROTO_WEBD_PRIVATE
		    ": %s); %lld request%s refused with 503 since the last "
		    "report", httpd_conf.portal_host, why, refused,
		    refused == 1 ? "" : "s");
		logged = now;
		refused = 0;
	}
	portal_end(c);
	portal_answer(c, 503, "the portal is not available now; try again "
	    "later", PORTAL_RETRY);
}

/* webd's answer, as it comes, to the client. */
static void
portal_up_read(struct bufferevent *bev, void *arg)
{
	struct conn *c = arg;
	struct portal *p = c->portal;
	struct evbuffer *in = bufferevent_get_input(bev);
	size_t len = evbuffer_get_length(in);

	if (p->relayed + len > PORTAL_ANSWER_MAX) {
		log_error("portal %s: webd's answer is over %d bytes; cut",
		    httpd_conf.portal_host, PORTAL_ANSWER_MAX);
		portal_end(c);
		conn_finish(c);
		return;
	}
	p->relayed += len;
	conn_send(c, (const char *)evbuffer_pullup(in, -1), len);
	evbuffer_drain(in, len);
}

static void
portal_up_event(struct bufferevent *bev, short what, void *arg)
{
	struct conn *c = arg;
	struct portal *p = c->portal;

	(void)bev;
	if (p->relayed == 0 && (what & BEV_EVENT_TIMEOUT)) {
		char peer[80];

		conn_peer(c, peer, sizeof(peer));
		log_warn("%s: portal %s: no answer from webd in %lld s: 504",
		    peer, httpd_conf.portal_host,
		    (long long)httpd_conf.portal_timeout.tv_sec);
		portal_end(c);
		portal_answer(c, 504, "the portal did not answer in time", 0);
		return;
	}
	if (p->relayed == 0) {
		portal_down(c, (what & BEV_EVENT_ERROR) ?
		    strerror(EVUTIL_SOCKET_ERROR()) : "closed without answer");
		return;
	}
	portal_end(c);
	conn_finish(c);
}

/* The whole request is here: to webd. */
static void
portal_forward(struct conn *c)
{
	struct portal *p = c->portal;
	struct sockaddr_un sun;
	int fd;

	c->state = CONN_PORTAL;
	memset(&sun, 0, sizeof(sun));
	sun.sun_family = AF_UNIX;
	snprintf(sun.sun_path, sizeof(sun.sun_path), "%s", PROTO_WEBD_PRIVATE);
	if ((fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC,
	    0)) < 0 || connect(fd, (struct sockaddr *)&sun, sizeof(sun)) != 0) {
		const char *why = strerror(errno);

		if (fd >= 0)
			close(fd);
		portal_down(c, why);
		return;
	}
	if ((p->up = bufferevent_socket_new(server_base(), fd,
	    BEV_OPT_CLOSE_ON_FREE)) == NULL)
		log_fatal("cannot create a buffer event for webd");
	bufferevent_setcb(p->up, portal_up_read, NULL, portal_up_event, c);
	bufferevent_set_timeouts(p->up, &httpd_conf.portal_timeout,
	    &httpd_conf.portal_timeout);
	bufferevent_write(p->up, p->req.s, p->req.len);
	bufferevent_enable(p->up, EV_READ | EV_WRITE);
	buf_free(&p->req);
	conn_timer_set(c, &httpd_conf.portal_wait);
}

void
portal_request(struct conn *c, const struct http_request *req,
    const char *head)
{
	static const char cont[] = "HTTP/1.1 100 Continue\r\n\r\n";
	struct portal *p;
	char peer[80];

	if (req->has_body && (!req->has_length || req->chunked ||
	    req->te_other)) {
		portal_answer(c, 411, "a body needs a Content-Length", 0);
		return;
	}
	if (req->has_body && req->content_length > httpd_conf.portal_body_limit) {
		portal_answer(c, 413, "the request body is too large", 0);
		return;
	}
	conn_peer(c, peer, sizeof(peer));
	p = c->portal = xcalloc(1, sizeof(*p));
	buf_printf(&p->req, PROTO_PORTAL_PREAMBLE "%s\r\n", peer);
	buf_append(&p->req, head, req->consumed);
	p->body_left = req->has_body ? req->content_length : 0;
	if (p->body_left == 0) {
		portal_forward(c);
		return;
	}
	c->state = CONN_BODY;
	conn_timer_set(c, conn_body_tv);
	if (req->expect_continue && req->minor == 1)
		conn_send(c, cont, sizeof(cont) - 1);
}

int
portal_body(struct conn *c, struct evbuffer *in)
{
	struct portal *p = c->portal;
	size_t len = evbuffer_get_length(in);

	if (len > p->body_left)
		len = (size_t)p->body_left;
	buf_append(&p->req, evbuffer_pullup(in, (ev_ssize_t)len), len);
	evbuffer_drain(in, len);
	p->body_left -= len;
	if (p->body_left == 0)
		portal_forward(c);
	return 0;
}

/* The body did not come in httpd_body_timeout. */
void
portal_body_timeout(struct conn *c)
{
	char peer[80];

	conn_peer(c, peer, sizeof(peer));
	log_info("%s: portal request body not complete after %lld s: 408 "
	    "Request Timeout", peer, (long long)httpd_conf.body_timeout.tv_sec);
	portal_end(c);
}
