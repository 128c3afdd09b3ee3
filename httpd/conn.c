/*
 * conn - httpd's client connections: accept, TLS, reading requests,
 * writing answers; the transport (route.c decides the answers).
 * SPDX-License-Identifier: ISC
 *
 * DESCRIPTION
 *	conn_start() accepts on every listening socket that master passed
 *	(lib/server).  With httpd_tls = yes a connection first goes through
 *	the TLS handshake (certificate chosen by SNI, certcache.h), driven
 *	by conn_handshake(), then becomes an OpenSSL bufferevent on the
 *	established session; with httpd_tls = no a plain bufferevent at
 *	once.  Requests are parsed
 *	with http_parse() straight from the input buffer, pipelined ones
 *	in order, and each answer is built in one piece and written with
 *	one copy.
 *	The answer to each request is route.c's (conn.h).
 *	With httpd_fetch_log, each request answered and each handshake
 *	that fails is recorded (conn_record() in connrec.c: what the
 *	client sent, the status or why the handshake failed) and handed
 *	to fetchbatch.h;
 *	the client address is the one accept() gave, the times come from
 *	the vDSO: no system call per record.
 *
 * LIMITS
 *	httpd_request_timeout: the TLS handshake, and each request from its
 *	first byte to the end of its head (slow clients are closed, with 408
 *	when part of a request came).  httpd_idle_timeout: between requests,
 *	and for output the client does not take.  httpd_keepalive_requests
 *	per connection (the last answer says Connection: close).
 *	httpd_connection_limit connections: at the limit the listeners are
 *	disabled until one closes.  A client that pipelines requests without
 *	reading the answers gets at most CONN_OUTPUT_MAX bytes of them, then
 *	the connection is closed (a client retries the requests left
 *	unanswered, RFC 9112 section 9.3.2).  Reading is never paused
 *	instead: a TLS bufferevent would not notice the records already
 *	decrypted when it resumes.  Stopping: conn_drain().
 *
 * PERFORMANCE
 *	Each listening socket is a plain read event that accepts one
 *	connection per wake-up (the processes of the service share the
 *	socket: a process that accepted in a loop would end each loop with
 *	a failed accept, and take connections that another, idle process
 *	could have served).  OpenSSL reads ahead (certcache.c), so a
 *	handshake or a request costs one read() instead of one per record
 *	header and body; what it read ahead but did not decrypt yet is
 *	invisible to the socket's readiness, so conn_read_pending() makes
 *	the bufferevent read again while OpenSSL holds such bytes.  Answers
 *	go to SSL_write() at once (conn_send()), not through a write event.
 *	Per TLS connection that is: accept, a handshake step per client
 *	flight, one read and one write per request, one epoll_ctl() for
 *	the whole connection (the handshake's event persists, see
 *	conn_handshake()), and a close without a half-close when the
 *	client already sent close_notify (conn_tls_drained()): 17 system
 *	calls in the process that serves a connection with one request
 *	(strace, wrk), 3 of them OpenSSL's getpid().  Every process still
 *	wakes up for every new connection (libevent 2.1 cannot ask for
 *	EPOLLEXCLUSIVE): about 2 more in another process.
 */
#include "config.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <event2/buffer.h>
#include <event2/bufferevent.h>
#include <event2/bufferevent_ssl.h>
#include <event2/bufferevent_struct.h>
#include <event2/event.h>
#include <openssl/err.h>
#include <openssl/ssl.h>

#include "buf.h"
#include "canned.h"
#include "conn.h"
#include "certcache.h"
#include "challenge.h"
#include "dlist.h"
#include "events.h"
#include "fetchbatch.h"
#include "fetchlog.h"
#include "httpd.h"
#include "log.h"
#include "metrics.h"
#include "mymalloc.h"
#include "policytab.h"
#include "server.h"

#define CONN_ACCEPT_PAUSE	1		/* seconds, after accept fails */
#define CONN_LINGER		2		/* seconds to wait for the client
						 * to close after our last answer */
#define CONN_BUFFERS_KEEP	256		/* connections that keep their
						 * TLS record buffers when idle */
#define CONN_DRAIN_READ		512		/* bytes read at a time after
						 * the last answer */

/*
 * Closing: after the last answer to a complete request that the client
 * ended (Connection: close, HTTP/1.0, httpd_keepalive_requests), httpd
 * closes at once when nothing more came from the client (nothing
 * buffered, in OpenSSL or in the socket).  After a refused request, a
 * time-out, or with unread input, it shuts down its sending side and reads
 * (and throws away) until the client closes or for CONN_LINGER
 * seconds: closing over unread input (a rest of a refused request)
 * would make the kernel reset the connection, and the client could
 * lose the answer.
 */

static struct event_base *conn_base;
static struct conn *conn_list;
static int conn_open;
static struct event *conn_listeners[SERVER_SOCKETS_MAX];
static int conn_nlisteners;
static int conn_listening;
static struct event *conn_pause_timer;
const struct timeval *conn_idle_tv, *conn_body_tv;
static const struct timeval *conn_request_tv;
static char conn_response[CONN_HEAD_MAX + POLICYTAB_POLICY_MAX];

/* "Date: ...\r\n", made again when the second changes. */
static char conn_date[64];
static size_t conn_date_len;
static time_t conn_date_time;

static void conn_read(struct bufferevent *, void *);

static void
conn_date_update(struct event_base *base)
{
	struct timeval tv;
	struct tm tm;

	event_base_gettimeofday_cached(base, &tv);
	if (tv.tv_sec == conn_date_time && conn_date_len > 0)
		return;
	conn_date_time = tv.tv_sec;
	gmtime_r(&conn_date_time, &tm);
	conn_date_len = strftime(conn_date, sizeof(conn_date),
	    "Date: %a, %d %b %Y %H:%M:%S GMT\r\n", &tm);
}

static void
conn_listen_enable(int on)
{
	int i;

	if (on == conn_listening)
		return;
	for (i = 0; i < conn_nlisteners; i++)
		if (on)
			event_add(conn_listeners[i], NULL);
		else
			event_del(conn_listeners[i]);
	conn_listening = on;
}

static void
conn_free(struct conn *c)
{
	DLIST_UNLINK(conn_list, c);
	event_free(c->timer);
	report_abort(c->report);
	portal_free(c->portal);
	events_free(c->handshake);
	if (c->bev != NULL) {
		bufferevent_free(c->bev);	/* closes the socket, frees the SSL */
	} else {
		SSL_free(c->ssl);
		close(c->fd);
	}
	free(c);
	conn_open--;
	if (server_stopping()) {
		if (conn_open == 0)
			server_idle();
		return;
	}
	if (!conn_listening && conn_open < httpd_conf.connection_limit &&
	    (conn_pause_timer == NULL || !evtimer_pending(conn_pause_timer, NULL)))
		conn_listen_enable(1);
}

void
conn_peer(const struct conn *c, char *out, size_t size)
{
	struct sockaddr_storage ss = c->peer;
	socklen_t len = c->peer_len;
	char host[64];
	int port = 0;

	snprintf(out, size, "unknown");
	if (len == 0 && (len = sizeof(ss), getpeername(c->fd,
	    (struct sockaddr *)&ss, &len)) != 0)
		return;
	if (ss.ss_family == AF_INET) {
		struct sockaddr_in *in = (struct sockaddr_in *)&ss;

		inet_ntop(AF_INET, &in->sin_addr, host, sizeof(host));
		port = ntohs(in->sin_port);
		snprintf(out, size, "%s:%d", host, port);
	} else if (ss.ss_family == AF_INET6) {
		struct sockaddr_in6 *in6 = (struct sockaddr_in6 *)&ss;

		inet_ntop(AF_INET6, &in6->sin6_addr, host, sizeof(host));
		port = ntohs(in6->sin6_port);
		snprintf(out, size, "[%s]:%d", host, port);
	}
}

static void conn_linger(struct conn *);

/*
 * Sends an answer.  The TLS bufferevent of libevent 2.1 writes what is
 * queued only when the socket reports writable in a later turn of the
 * loop: two epoll_ctl() and one more epoll_wait() per answer.  When
 * nothing is queued before it, the answer goes to SSL_write() at once;
 * only what cannot be written now is queued (SSL_write() must then be
 * repeated with the same bytes: the bufferevent does that, and
 * SSL_MODE_ACCEPT_MOVING_WRITE_BUFFER, which it sets, lets the bytes
 * move).  A connection to close is then half-closed at once, as
 * conn_write() would do.  Writing is enabled on the bufferevent only
 * when something is queued: enabled, it watches for writability after
 * every handshake even with nothing to write.
 */
void
conn_send(struct conn *c, const char *data, size_t len)
{
	struct evbuffer *out = bufferevent_get_output(c->bev);

	if (c->ssl != NULL && !c->peer_eof && evbuffer_get_length(out) == 0) {
		if (SSL_write(c->ssl, data, (int)len) == (int)len) {
			if (c->state == CONN_CLOSING)
				conn_linger(c);
			return;
		}
		ERR_clear_error();
	}
	bufferevent_enable(c->bev, EV_WRITE);
	bufferevent_write(c->bev, data, len);
}

/*
 * Sends one answer: status line, Date, Server, the fixed fields of
 * head, Connection when needed, the empty line and (unless HEAD) body.
 */
void
conn_respond(struct conn *c, int status, const char *head, size_t head_len,
    const char *body, size_t body_len, int head_only, int keep, int minor)
{
	char *p = conn_response;
	const char *conn_field = "";
	int n;

	conn_date_update(conn_base);
	if (!keep)
		conn_field = "Connection: close\r\n";
	else if (minor == 0)
		conn_field = "Connection: keep-alive\r\n";
	n = snprintf(p, CONN_HEAD_MAX, "HTTP/1.1 %d %s\r\nServer: "
	    HTTPD_SERVER_NAME "\r\n", status, http_reason(status));
	p += n;
	memcpy(p, conn_date, conn_date_len);
	p += conn_date_len;
	memcpy(p, head, head_len);
	p += head_len;
	n = strlen(conn_field);
	memcpy(p, conn_field, (size_t)n);
	p += n;
	*p++ = '\r';
	*p++ = '\n';
	if (!head_only) {
		memcpy(p, body, body_len);
		p += body_len;
	}
	if (!keep)
		c->state = CONN_CLOSING;
	conn_send(c, conn_response, (size_t)(p - conn_response));
}

void
conn_respond_canned(struct conn *c, int status, int head_only, int keep,
    int minor)
{
	const struct canned *k = canned_find(status);

	conn_respond(c, status, k->head, k->head_len, k->body, k->body_len,
	    head_only, keep, minor);
}

void
conn_timer_set(struct conn *c, const struct timeval *tv)
{
	evtimer_add(c->timer, tv);
}

/* Parses and answers every complete request in the input buffer. */
static void
conn_process(struct conn *c)
{
	struct evbuffer *in = bufferevent_get_input(c->bev);
	struct http_request req;
	size_t len, want;
	char *data;
	int r;

	while (c->state != CONN_CLOSING && c->state != CONN_PORTAL &&
	    (len = evbuffer_get_length(in)) > 0) {
		if (c->state == CONN_BODY) {
			if (conn_body(c, in) != 0)
				return;
			continue;
		}
		if (c->state == CONN_IDLE) {
			c->state = CONN_READING;
			c->scanned = 0;
			conn_timer_set(c, conn_request_tv);
			if (c->requests > 0 && fetchbatch_on())
				clock_gettime(CLOCK_MONOTONIC, &c->since);
		}
		want = len < httpd_conf.limits.header_size ? len :
		    httpd_conf.limits.header_size;
		data = (char *)evbuffer_pullup(in, (ev_ssize_t)want);
		/* Parse again only when a line was completed. */
		if (want < httpd_conf.limits.header_size && (c->scanned >= want ||
		    memchr(data + c->scanned, '\n', want - c->scanned) == NULL)) {
			c->scanned = want;
			return;
		}
		r = http_parse(data, want, &httpd_conf.limits, &req);
		if (r == HTTP_PARSE_MORE) {
			c->scanned = want;
			return;
		}
		if (r == HTTP_PARSE_ERROR) {
			c->must_linger = 1;
			char peer[80];

			conn_peer(c, peer, sizeof(peer));
			log_info("%s: %s: %d %s", peer, req.why, req.status,
			    http_reason(req.status));
			conn_record(c, req.status, NULL, NULL);
			conn_respond_canned(c, req.status, 0, 0, 1);
			evbuffer_drain(in, len);
			return;
		}
		c->head = data;
		conn_request(c, &req);
		c->head = NULL;
		evbuffer_drain(in, req.consumed);
		c->scanned = 0;
		if (c->state == CONN_PORTAL)
			return;
		if (c->state == CONN_BODY)
			continue;
		if (c->state != CONN_CLOSING) {
			c->state = CONN_IDLE;
			conn_timer_set(c, conn_idle_tv);
		}
		if (c->state != CONN_CLOSING && evbuffer_get_length(
		    bufferevent_get_output(c->bev)) > CONN_OUTPUT_MAX) {
			char peer[80];

			conn_peer(c, peer, sizeof(peer));
			log_info("%s: more than %d bytes of answers not read; "
			    "closing", peer, CONN_OUTPUT_MAX);
			c->state = CONN_CLOSING;
			c->must_linger = 1;
		}
	}
}

/*
 * Records that OpenSSL read ahead and has not decrypted yet: make the
 * TLS bufferevent read again, as if the socket were readable.  It does
 * so by itself only for the rest of a record it already decrypted.
 */
static void
conn_read_pending(struct conn *c)
{
	if (c->ssl != NULL && c->state != CONN_CLOSING && SSL_has_pending(c->ssl))
		event_active(&c->bev->ev_read, EV_READ, 1);
}

/*
 * An idle TLS connection holds about 34 KiB of record buffers.  With
 * few connections they are kept (allocating them for every request
 * costs more than the memory); with many, idle ones give them back.
 * SSL_free_buffers() refuses while OpenSSL holds unprocessed bytes.
 */
static void
conn_buffers_release(struct conn *c)
{
	if (c->ssl != NULL && conn_open > CONN_BUFFERS_KEEP &&
	    c->state == CONN_IDLE &&
	    evbuffer_get_length(bufferevent_get_output(c->bev)) == 0)
		(void)SSL_free_buffers(c->ssl);
}

static void
conn_read(struct bufferevent *bev, void *arg)
{
	struct conn *c = arg;

	if (c->state == CONN_CLOSING || c->state == CONN_PORTAL) {
		struct evbuffer *in = bufferevent_get_input(bev);

		if (c->state == CONN_PORTAL)	/* closed after the answer */
			c->must_linger = 1;
		evbuffer_drain(in, evbuffer_get_length(in));
		return;
	}
	conn_process(c);
	conn_read_pending(c);
	conn_buffers_release(c);
}

/*
 * The last answer is sent.  The caller may still use c (conn_send()
 * runs inside conn_process()): conn_close() decides how to close once
 * the current callback is done, through the connection's timer.
 */
static void
conn_linger(struct conn *c)
{
	if (c->peer_eof) {
		conn_free(c);
		return;
	}
	c->lingering = 1;
	if (c->ssl != NULL) {
		SSL_shutdown(c->ssl);		/* close_notify */
		ERR_clear_error();
	}
	event_active(c->timer, EV_TIMEOUT, 1);
}

/* Did the client send anything that httpd has not read? */
static int
conn_unread(const struct conn *c)
{
	int n = 0;

	return evbuffer_get_length(bufferevent_get_input(c->bev)) > 0 ||
	    (c->ssl != NULL && SSL_has_pending(c->ssl)) ||
	    (ioctl(c->fd, FIONREAD, &n) == 0 && n > 0);
}

/*
 * After the last answer on TLS, with nothing known to be left unread:
 * reads what the client sent meanwhile.  1 when nothing is left:
 * nothing came, or the client ended its side with close_notify (it
 * sends nothing after it, RFC 8446 section 6.1) and its socket holds
 * nothing more, or the connection is gone.  0 when it sent data, or
 * part of a record: linger as for any unread input.  Most clients
 * (curl, Python, wrk) send close_notify as soon as they have the
 * answer of a "Connection: close" request, so a connection per fetch
 * is then closed at once, without the half-close, a change of its
 * epoll registration and another turn of the loop.
 */
static int
conn_tls_drained(struct conn *c)
{
	char scratch[CONN_DRAIN_READ];
	int n, e, left = 0;

	if (evbuffer_get_length(bufferevent_get_input(c->bev)) > 0)
		return 0;
	n = SSL_read(c->ssl, scratch, sizeof(scratch));
	e = n > 0 ? SSL_ERROR_NONE : SSL_get_error(c->ssl, n);
	ERR_clear_error();
	switch (e) {
	case SSL_ERROR_NONE:			/* more data */
	case SSL_ERROR_WANT_WRITE:
		return 0;
	case SSL_ERROR_WANT_READ:		/* nothing, or part of a record */
		return !SSL_has_pending(c->ssl);
	case SSL_ERROR_ZERO_RETURN:		/* close_notify */
		return ioctl(c->fd, FIONREAD, &left) == 0 && left == 0;
	default:				/* reset, or closed */
		return 1;
	}
}

/* Closes now, or half-closes and waits for the client (see above). */
static void
conn_close(struct conn *c)
{
	struct timeval tv = { CONN_LINGER, 0 };

	if (!c->must_linger && (c->ssl != NULL && !c->peer_eof ?
	    conn_tls_drained(c) : !conn_unread(c))) {
		conn_free(c);
		return;
	}
	c->lingering = 2;
	shutdown(c->fd, SHUT_WR);
	bufferevent_enable(c->bev, EV_READ);
	evtimer_add(c->timer, &tv);
}

/*
 * webd's answer is sent (portal.c): the connection reads its next
 * request, and what the client sent meanwhile.
 */
void
conn_portal_resume(struct conn *c)
{
	c->state = CONN_IDLE;
	conn_timer_set(c, conn_idle_tv);
	bufferevent_enable(c->bev, EV_READ);
	conn_process(c);
	conn_read_pending(c);
}

void
conn_finish(struct conn *c)
{
	c->state = CONN_CLOSING;
	if (evbuffer_get_length(bufferevent_get_output(c->bev)) == 0)
		conn_linger(c);
	else
		bufferevent_enable(c->bev, EV_WRITE);
}

/* Called when the output buffer is (or may be) empty. */
static void
conn_write(struct bufferevent *bev, void *arg)
{
	struct conn *c = arg;

	/* Called also with output left (the TLS bufferevent does so). */
	if (c->state == CONN_CLOSING && !c->lingering &&
	    evbuffer_get_length(bufferevent_get_output(bev)) == 0)
		conn_linger(c);
}

static void
conn_event(struct bufferevent *bev, short what, void *arg)
{
	struct conn *c = arg;

	if ((what & BEV_EVENT_EOF) && !(what & BEV_EVENT_ERROR) &&
	    evbuffer_get_length(bufferevent_get_output(bev)) > 0) {
		/* The client stopped sending: finish what it asked first. */
		c->state = CONN_CLOSING;
		c->peer_eof = 1;
		return;
	}
	/* End of file or error: nothing more can be answered. */
	conn_free(c);
}

static void
conn_timeout(evutil_socket_t fd, short what, void *arg)
{
	struct conn *c = arg;

	if (c->lingering == 1) {
		conn_close(c);
		return;
	}
	if (c->state == CONN_BODY && c->portal != NULL) {
		portal_body_timeout(c);
		c->state = CONN_READING;
	} else if (c->state == CONN_BODY) {
		char peer[80];

		conn_peer(c, peer, sizeof(peer));
		log_info("%s: report body not complete after %lld s: 408 "
		    "Request Timeout", peer,
		    (long long)httpd_conf.body_timeout.tv_sec);
		report_abort(c->report);
		c->report = NULL;
		c->state = CONN_READING;
		conn_report_count(408);
	}
	if (c->state == CONN_HANDSHAKE)
		conn_record(c, 0, FETCHLOG_FAIL_TIMEOUT, NULL);
	if (c->state == CONN_READING) {
		c->must_linger = 1;
		conn_record(c, 408, NULL, NULL);
		conn_respond_canned(c, 408, 0, 0, 1);
		/* Give the answer as long as an idle client gets. */
		conn_timer_set(c, conn_idle_tv);
		return;
	}
	conn_free(c);
}

/* The bufferevent of a connection, its callbacks and time limits. */
static void
conn_open_bev(struct conn *c)
{
	if (c->ssl != NULL)
		c->bev = bufferevent_openssl_socket_new(conn_base, c->fd, c->ssl,
		    BUFFEREVENT_SSL_OPEN, BEV_OPT_CLOSE_ON_FREE);
	else
		c->bev = bufferevent_socket_new(conn_base, c->fd,
		    BEV_OPT_CLOSE_ON_FREE);
	if (c->bev == NULL)
		log_fatal("cannot create a buffer event for a connection");
	if (c->ssl != NULL)
		bufferevent_openssl_set_allow_dirty_shutdown(c->bev, 1);
	bufferevent_setcb(c->bev, conn_read, conn_write, conn_event, c);
	bufferevent_set_timeouts(c->bev, NULL, &httpd_conf.idle_timeout);
	bufferevent_enable(c->bev, EV_READ);	/* EV_WRITE: conn_send() */
	c->state = CONN_IDLE;
	conn_timer_set(c, conn_idle_tv);
}

static void conn_handshake_event(evutil_socket_t, short, void *);

/*
 * The TLS handshake, driven here rather than by the bufferevent: it
 * starts at once on accept (a client sends its ClientHello right after
 * connecting, so under load it is often here already), waits only for
 * the direction OpenSSL asks for, and hands the connection to a
 * bufferevent opened on the finished session.  TCP_DEFER_ACCEPT would
 * save a wake-up more, but would leave silent clients in the kernel,
 * out of reach of httpd_request_timeout and of conn_count().  A request that came with the client's
 * last handshake flight is already read ahead: conn_read_pending()
 * makes the bufferevent take it.  The handshake's event persists while
 * OpenSSL waits for the same direction, and is freed only once the
 * bufferevent reads the socket: the descriptor's epoll registration
 * is made once per connection (a non-persistent event, added again
 * after each flight, and the switch to the bufferevent each cost an
 * EPOLL_CTL_MOD).
 */
static void
conn_handshake(struct conn *c)
{
	int r, e;
	short what;

	if ((r = SSL_do_handshake(c->ssl)) == 1) {
		metrics_inc(METRIC_TLS_HANDSHAKES, "daemon", "httpd", NULL);
		if (challenge_tls_done(c->ssl)) {	/* RFC 8737: no HTTP */
			conn_free(c);
			return;
		}
		/* The bufferevent's read event first: no epoll_ctl() */
		conn_open_bev(c);
		event_free(c->handshake);
		c->handshake = NULL;
		conn_read_pending(c);
		return;
	}
	e = SSL_get_error(c->ssl, r);
	if (e == SSL_ERROR_WANT_READ || e == SSL_ERROR_WANT_WRITE) {
		what = (e == SSL_ERROR_WANT_READ ? EV_READ : EV_WRITE) |
		    EV_PERSIST;
		if (!event_pending(c->handshake, EV_READ | EV_WRITE, NULL) ||
		    event_get_events(c->handshake) != what) {
			event_del(c->handshake);
			event_assign(c->handshake, conn_base, c->fd, what,
			    conn_handshake_event, c);
			event_add(c->handshake, NULL);
		}
		return;
	}
	if (log_verbose) {
		char peer[80];
		unsigned long err = ERR_peek_error();

		conn_peer(c, peer, sizeof(peer));
		log_debug("%s: TLS handshake failed: %s", peer,
		    err ? ERR_reason_error_string(err) : "connection closed");
	}
	if (fetchbatch_on()) {
		char failure[FETCHLOG_FAILURE_MAX + 1];

		conn_handshake_failure(c, e, failure, sizeof(failure));
		conn_record(c, 0, failure, NULL);
	}
	metrics_inc(METRIC_TLS_FAILURES, "daemon", "httpd", NULL);
	ERR_clear_error();
	conn_free(c);
}

static void
conn_handshake_event(evutil_socket_t fd, short what, void *arg)
{
	conn_handshake(arg);
}

static void
conn_new(int fd, const struct sockaddr_storage *peer, socklen_t peer_len)
{
	struct conn *c;
	int one = 1;

	setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	c = xcalloc(1, sizeof(*c));
	c->fd = fd;
	c->peer = *peer;
	c->peer_len = peer_len;
	if (fetchbatch_on())
		clock_gettime(CLOCK_MONOTONIC, &c->since);
	if (httpd_conf.tls) {
		if ((c->ssl = SSL_new(certcache_ctx(httpd_certs))) == NULL ||
		    SSL_set_fd(c->ssl, fd) != 1) {
			log_warn("cannot create a TLS connection: %s",
			    ERR_reason_error_string(ERR_get_error()));
			ERR_clear_error();
			SSL_free(c->ssl);
			close(fd);
			free(c);
			return;
		}
		SSL_set_accept_state(c->ssl);
		certcache_attach(c->ssl, c->sni);
		c->handshake = event_new(conn_base, fd, EV_READ | EV_PERSIST,
		    conn_handshake_event, c);
	}
	c->timer = evtimer_new(conn_base, conn_timeout, c);
	if (c->timer == NULL || (c->ssl != NULL && c->handshake == NULL))
		log_fatal("cannot create the events of a connection");

	DLIST_PUSH(conn_list, c);
	if (++conn_open >= httpd_conf.connection_limit) {
		log_warn("%d connections: the limit (httpd_connection_limit); "
		    "not accepting more until one closes", conn_open);
		conn_listen_enable(0);
	}
	if (c->ssl != NULL) {
		c->state = CONN_HANDSHAKE;
		conn_timer_set(c, conn_request_tv);
		conn_handshake(c);
	} else {
		conn_open_bev(c);
	}
}

static void
conn_resume(evutil_socket_t fd, short what, void *arg)
{
	if (conn_open < httpd_conf.connection_limit && !server_stopping())
		conn_listen_enable(1);
}

/* accept() failed (out of descriptors, most likely): pause a moment. */
static void
conn_accept_error(int e)
{
	struct timeval tv = { CONN_ACCEPT_PAUSE, 0 };

	log_warn("accept: %s; pausing for %d s with %d connections open",
	    strerror(e), CONN_ACCEPT_PAUSE, conn_open);
	conn_listen_enable(0);
	evtimer_add(conn_pause_timer, &tv);
}

/* One connection per wake-up: see PERFORMANCE above. */
static void
conn_accept(evutil_socket_t lfd, short what, void *arg)
{
	struct sockaddr_storage ss;
	socklen_t len = sizeof(ss);
	int fd;

	fd = accept4(lfd, (struct sockaddr *)&ss, &len,
	    SOCK_NONBLOCK | SOCK_CLOEXEC);
	if (fd >= 0) {
		if (len > sizeof(ss))
			len = 0;
		conn_new(fd, &ss, len);
		return;
	}
	switch (errno) {
	case EAGAIN:
#if EAGAIN != EWOULDBLOCK
	case EWOULDBLOCK:
#endif
	case EINTR:
	case ECONNABORTED:
	case EPROTO:
		return;		/* another process took it, or it is gone */
	default:
		conn_accept_error(errno);
	}
}

void
conn_start(struct event_base *base)
{
	int i;

	conn_base = base;
	canned_init();
	conn_idle_tv = event_base_init_common_timeout(base,
	    &httpd_conf.idle_timeout);
	conn_request_tv = event_base_init_common_timeout(base,
	    &httpd_conf.request_timeout);
	if (httpd_conf.report_path != NULL) {
		conn_body_tv = event_base_init_common_timeout(base,
		    &httpd_conf.body_timeout);
		conn_report_metrics_start();
	}
	conn_pause_timer = evtimer_new(base, conn_resume, NULL);
	for (i = 0; i < server_nsockets() && i < SERVER_SOCKETS_MAX; i++) {
		int fd = server_socket(i), fl = fcntl(fd, F_GETFL);
		struct event *l;

		/* Shared with the other processes: accept must not block. */
		if (fl < 0 || fcntl(fd, F_SETFL, fl | O_NONBLOCK) < 0 ||
		    (l = event_new(base, fd, EV_READ | EV_PERSIST, conn_accept,
		    NULL)) == NULL || event_add(l, NULL) < 0)
			log_fatal("cannot listen on descriptor %d", fd);

		conn_listeners[conn_nlisteners++] = l;
	}
	conn_listening = 1;
}

void
conn_stop(void)
{
	int i;

	for (i = 0; i < conn_nlisteners; i++)
		event_free(conn_listeners[i]);
	conn_nlisteners = 0;
	conn_listening = 1;	/* nothing to enable any more */
	while (conn_list != NULL)
		conn_free(conn_list);
	events_free(conn_pause_timer);
	conn_pause_timer = NULL;
	canned_free();
}

/*
 * Stopping (lib/server.h): no more connections; an idle keep-alive
 * connection is closed (as after its last answer: close_notify, and a
 * moment for input it sent meanwhile); the others may finish the
 * request under way, or send their first one, and are closed after
 * its answer (Connection: close).  At the deadline (now), whatever is
 * left is closed.  conn_free() calls server_idle() after the last one.
 */
void
conn_drain(int now)
{
	struct conn *c, *next;

	conn_listen_enable(0);
	if (conn_pause_timer != NULL)
		evtimer_del(conn_pause_timer);
	for (c = conn_list; c != NULL; c = next) {
		next = c->next;		/* only c may go */
		if (now) {
			conn_free(c);
		} else if (c->state == CONN_IDLE && c->requests > 0) {
			c->state = CONN_CLOSING;
			if (evbuffer_get_length(bufferevent_get_output(c->bev))
			    == 0)
				conn_linger(c);
			/* else conn_write() does, once the answer is out */
		}
	}
	if (conn_open == 0)
		server_idle();
}

int
conn_count(void)
{
	return conn_open;
}
