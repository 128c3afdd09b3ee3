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
 *	(CONN_PORTAL), at most PORTAL_ANSWER_MAX bytes.
 *
 *	Keep-alive: webd's answer head (at most PORTAL_HEAD_MAX bytes)
 *	is read whole first; its Connection field is replaced by
 *	httpd's own (as for the policies: kept alive for HTTP/1.1
 *	unless the client or httpd_keepalive_requests says otherwise)
 *	and its Content-Length tells where the answer ends, so that the
 *	client's connection goes on with its next request (webd's
 *	connection ends with each answer: a connect(2) on a Unix
 *	socket).  An answer without Content-Length, or cut short by webd,
 *	closes the client's connection at its end.  While webd has a
 *	request, httpd reads nothing more from that client.
 *
 *	webd not running (no socket, refused, or closed before answering):
 *	503 with Retry-After: PORTAL_RETRY, logged at most once per
 *	PORTAL_LOG_EVERY seconds with the number of requests refused
 *	since; webd silent for portal_timeout: 504.  The answers httpd
 *	makes itself carry the security fields of webd's (webd.h).
 *
 * LIMITS
 *	portal_body_limit, portal_timeout, PORTAL_HEAD_MAX,
 *	PORTAL_ANSWER_MAX.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include <event2/buffer.h>
#include <event2/bufferevent.h>
#include <event2/event.h>

#include "buf.h"
#include "canned.h"
#include "conn.h"
#include "http.h"
#include "httpd.h"
#include "log.h"
#include "mymalloc.h"
#include "proto.h"
#include "server.h"

#define PORTAL_ANSWER_MAX	(16 * 1024 * 1024)	/* bytes from webd */
#define PORTAL_HEAD_MAX		(64 * 1024)	/* of webd's answer */
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
	int	 keep;			/* the client's connection goes on */
	int	 minor;			/* the request's HTTP/1.minor */
	int	 head_only;		/* HEAD: the answer has no body */
	int	 head_done;		/* webd's answer head is sent on */
	int	 sized;			/* it had a Content-Length */
	unsigned long long answer_left;	/* its body bytes still to come */
};

/* An answer made by httpd (webd's not reached), closing the connection. */
static void
portal_answer(struct conn *c, int status, const char *why, int retry)
{
	char head[CONN_HEAD_MAX], body[CONN_HEAD_MAX], ra[32] = "";
	int hlen, blen;

	blen = canned_reason(body, sizeof(body), status, why);
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

/* The answer is sent on whole: the next request, or the end. */
static void
portal_done(struct conn *c)
{
	int keep = c->portal->keep && c->portal->sized;
	char peer[80];

	/* A client that sends requests and reads no answer: as conn.c. */
	if (keep && evbuffer_get_length(bufferevent_get_output(c->bev)) >
	    CONN_OUTPUT_MAX) {
		conn_peer(c, peer, sizeof(peer));
		log_info("%s: more than %d bytes of answers not read; closing",
		    peer, CONN_OUTPUT_MAX);
		c->must_linger = 1;
		keep = 0;
	}
	portal_end(c);
	if (keep)
		conn_portal_resume(c);
	else
		conn_finish(c);
}

/*
 * webd's answer head, complete at head (len bytes, the empty line
 * included), to the client with httpd's Connection field in place of
 * webd's; 0, or -1 when it is no HTTP answer head.
 */
static int
portal_head(struct conn *c, const char *head, size_t len)
{
	struct portal *p = c->portal;
	const char *v, *line, *nl, *end = head + len - 2;
	char num[24];
	size_t vlen;
	struct buf out = BUF_INIT;

	if (len < 12 || memcmp(head, "HTTP/1.1 ", 9) != 0)
		return -1;
	if ((v = http_header_value(head, len, "content-length", &vlen)) !=
	    NULL && vlen > 0 && vlen < sizeof(num) &&
	    strspn(v, "0123456789") >= vlen) {
		memcpy(num, v, vlen);
		num[vlen] = '\0';
		p->answer_left = p->head_only ? 0 : strtoull(num, NULL, 10);
		p->sized = 1;
	}
	for (line = head; line < end; line = nl + 1) {
		nl = memchr(line, '\n', (size_t)(end - line));
		if (nl == NULL)
			nl = end - 1;
		if ((size_t)(nl - line) >= 11 &&
		    strncasecmp(line, "Connection:", 11) == 0)
			continue;
		buf_append(&out, line, (size_t)(nl - line) + 1);
	}
	if (!p->keep || !p->sized)
		buf_puts(&out, "Connection: close\r\n");
	else if (p->minor == 0)
		buf_puts(&out, "Connection: keep-alive\r\n");
	buf_puts(&out, "\r\n");
	conn_send(c, out.s, out.len);
	buf_free(&out);
	p->head_done = 1;
	return 0;
}

/* webd's answer, as it comes, to the client. */
static void
portal_up_read(struct bufferevent *bev, void *arg)
{
	struct conn *c = arg;
	struct portal *p = c->portal;
	struct evbuffer *in = bufferevent_get_input(bev);
	size_t len = evbuffer_get_length(in), hlen;
	struct evbuffer_ptr e;

	if (p->relayed + len > PORTAL_ANSWER_MAX) {
		log_error("portal %s: webd's answer is over %d bytes; cut",
		    httpd_conf.portal_host, PORTAL_ANSWER_MAX);
		portal_end(c);
		conn_finish(c);
		return;
	}
	if (!p->head_done) {
		e = evbuffer_search(in, "\r\n\r\n", 4, NULL);
		if (e.pos < 0 && len <= PORTAL_HEAD_MAX)
			return;
		hlen = e.pos < 0 ? 0 : (size_t)e.pos + 4;
		if (hlen == 0 || hlen > PORTAL_HEAD_MAX || portal_head(c,
		    (const char *)evbuffer_pullup(in, (ev_ssize_t)hlen),
		    hlen) < 0) {
			log_error("portal %s: webd's answer has no HTTP head "
			    "of at most %d bytes; closed",
			    httpd_conf.portal_host, PORTAL_HEAD_MAX);
			portal_end(c);
			conn_finish(c);
			return;
		}
		p->relayed += hlen;
		evbuffer_drain(in, hlen);
		len -= hlen;
	}
	if (p->sized && len > p->answer_left)
		len = (size_t)p->answer_left;	/* webd sends no more */
	p->relayed += len;
	if (len > 0)
		conn_send(c, (const char *)evbuffer_pullup(in,
		    (ev_ssize_t)len), len);
	evbuffer_drain(in, evbuffer_get_length(in));
	if (p->sized) {
		p->answer_left -= len;
		if (p->answer_left == 0)
			portal_done(c);
	}
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
	/* Closed before the whole answer: the client's ends too. */
	c->portal->keep = 0;
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
	/* Nothing more from the client until the answer is sent. */
	bufferevent_disable(c->bev, EV_READ);
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
	p->keep = req->keep_alive && c->requests <
	    httpd_conf.keepalive_requests && !server_stopping();
	p->minor = req->minor;
	p->head_only = req->method == HTTP_METHOD_HEAD;
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
