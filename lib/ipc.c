/*
 * ipc - one JSON object per line on every local socket; see ipc.h.
 * SPDX-License-Identifier: ISC
 *
 * The framing is stateless: ipc_read() looks for the first "\n" in an
 * evbuffer and decodes the line before it, so the same code serves the
 * event-driven side (bufferevent input) and the fuzzer.  The blocking
 * client reads with MSG_PEEK up to the end of one line, so it never
 * consumes part of a following message and needs no state per socket.
 *
 * May touch: the sockets it is given; logs through lib/log.
 */
#include "config.h"

#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/queue.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include <arpa/inet.h>
#include <netinet/in.h>

#include <event2/buffer.h>
#include <event2/bufferevent.h>
#include <event2/event.h>
#include <event2/listener.h>
#include <event2/util.h>

#include "buf.h"
#include "cfg.h"
#include "cfgbind.h"
#include "ipc.h"
#include "log.h"
#include "mymalloc.h"

#define IPC_PEEK_CHUNK	(64 * 1024)	/* bytes looked at per recv */
#define IPC_PEER_MAX	96		/* bytes of a peer's name */

/*
 * Framing.
 */

/* Replaces control and non-ASCII bytes with "?", in place. */
static char *
ipc_clean(char *s)
{
	unsigned char *p;

	for (p = (unsigned char *)s; *p; p++)
		if (*p < 0x20 || *p >= 0x7f)
			*p = '?';
	return s;
}

int
ipc_parse(const char *line, size_t len, json_t **msg, struct buf *err)
{
	json_error_t jerr;
	json_t *j;

	*msg = NULL;
	j = json_loadb(line, len, JSON_REJECT_DUPLICATES, &jerr);
	if (j == NULL) {
		buf_printf(err, "message is not valid JSON: %s (column %d)",
		    ipc_clean(jerr.text), jerr.column);
		return -1;
	}
	if (!json_is_object(j)) {
		json_decref(j);
		buf_puts(err, "message is not a JSON object");
		return -1;
	}
	*msg = j;
	return 0;
}

int
ipc_read(struct evbuffer *in, size_t limit, json_t **msg, struct buf *err)
{
	struct evbuffer_ptr eol;
	size_t eol_len, avail;
	unsigned char *line;
	int rc;

	*msg = NULL;
	if (limit == 0)
		limit = ipc_size_limit();
	avail = evbuffer_get_length(in);
	if (avail == 0)
		return 0;
	eol = evbuffer_search_eol(in, NULL, &eol_len, EVBUFFER_EOL_LF);
	if (eol.pos < 0) {
		if (avail > limit) {
			buf_printf(err, "message longer than %zu bytes", limit);
			return -1;
		}
		return 0;
	}
	if ((size_t)eol.pos > limit) {
		evbuffer_drain(in, (size_t)eol.pos + 1);
		buf_printf(err, "message longer than %zu bytes", limit);
		return -1;
	}
	line = evbuffer_pullup(in, eol.pos + 1);
	rc = ipc_parse((const char *)line, (size_t)eol.pos, msg, err);
	evbuffer_drain(in, (size_t)eol.pos + 1);
	return rc == 0 ? 1 : -1;
}

char *
ipc_encode(const json_t *msg, size_t *len)
{
	char *s, *line;
	size_t n;

	if (!json_is_object(msg))
		return NULL;
	if ((s = json_dumps(msg, JSON_COMPACT)) == NULL)
		return NULL;
	n = strlen(s);
	line = xmalloc(n + 2);
	memcpy(line, s, n);
	line[n] = '\n';
	line[n + 1] = '\0';
	free(s);
	if (len)
		*len = n + 1;
	return line;
}

int
ipc_write(struct evbuffer *out, const json_t *msg)
{
	size_t len;
	char *line;
	int rc;

	if ((line = ipc_encode(msg, &len)) == NULL)
		return -1;
	rc = evbuffer_add(out, line, len);
	free(line);
	return rc == 0 ? 0 : -1;
}

/*
 * Messages.
 */

json_t *
ipc_request(const char *op)
{
	json_t *j = json_object();

	json_object_set_new(j, "op", json_string(op));
	return j;
}

json_t *
ipc_ok(void)
{
	json_t *j = json_object();

	json_object_set_new(j, "ok", json_true());
	return j;
}

json_t *
ipc_error(const char *fmt, ...)
{
	char text[IPC_ERROR_TEXT_MAX];
	va_list ap;
	json_t *j = json_object();

	json_t *s;

	va_start(ap, fmt);
	vsnprintf(text, sizeof(text), fmt, ap);
	va_end(ap);
	/* A name from a peer may not be UTF-8: keep the rest readable. */
	if ((s = json_string(text)) == NULL)
		s = json_string(ipc_clean(text));
	json_object_set_new(j, "ok", json_false());
	json_object_set_new(j, "error", s);
	return j;
}

const char *
ipc_op(const json_t *msg)
{
	return json_string_value(json_object_get(msg, "op"));
}

/* A member of a message, or "" / 0 when it is absent or of another type. */
const char *
ipc_str(const json_t *msg, const char *key)
{
	const char *s = json_string_value(json_object_get(msg, key));

	return (s ? s : "");
}

long long
ipc_int(const json_t *msg, const char *key)
{
	return ((long long)json_integer_value(json_object_get(msg, key)));
}

int
ipc_reply_check(const json_t *reply, struct buf *err)
{
	const json_t *ok = json_object_get(reply, "ok");
	const char *text;

	if (!json_is_boolean(ok)) {
		buf_puts(err, "reply has no \"ok\" member");
		return -1;
	}
	if (json_is_true(ok))
		return 0;
	text = json_string_value(json_object_get(reply, "error"));
	buf_printf(err, "%.*s", IPC_ERROR_TEXT_MAX,
	    text ? text : "request failed (no reason given)");
	return -1;
}

size_t
ipc_size_limit(void)
{
	if (var_ipc_message_size_limit == 0)	/* no main.cf yet */
		cfg_bind_now();
	return (size_t)var_ipc_message_size_limit;	/* 256 or more */
}

/*
 * Blocking client.
 */

static long long
ipc_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* poll() for events until deadline (< 0: none); 1 ready, 0 timed out, -1. */
static int
ipc_wait(int fd, short events, long long deadline, struct buf *err)
{
	struct pollfd pfd;
	long long left;
	int rc;

	for (;;) {
		left = deadline < 0 ? -1 : deadline - ipc_now_ms();
		if (deadline >= 0 && left < 0)
			left = 0;
		pfd.fd = fd;
		pfd.events = events;
		pfd.revents = 0;
		rc = poll(&pfd, 1, left > 1000000000 ? 1000000000 : (int)left);
		if (rc > 0)
			return 1;
		if (rc == 0)
			return 0;
		if (errno != EINTR) {
			buf_printf(err, "poll: %s", strerror(errno));
			return -1;
		}
	}
}

static long long
ipc_deadline(int timeout_ms)
{
	return timeout_ms < 0 ? -1 : ipc_now_ms() + timeout_ms;
}

int
ipc_connect_unix(const char *path, int timeout_ms, struct buf *err)
{
	struct sockaddr_un sun;
	long long deadline = ipc_deadline(timeout_ms);
	socklen_t len;
	int fd, soerr, rc;

	memset(&sun, 0, sizeof(sun));
	sun.sun_family = AF_UNIX;
	if (strlen(path) >= sizeof(sun.sun_path)) {
		buf_printf(err, "connect to %s: path longer than %zu bytes",
		    path, sizeof(sun.sun_path) - 1);
		return -1;
	}
	strcpy(sun.sun_path, path);
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (fd < 0) {
		buf_printf(err, "socket: %s", strerror(errno));
		return -1;
	}
	/* A full backlog says EAGAIN on a non-blocking unix socket. */
	while ((rc = connect(fd, (struct sockaddr *)&sun, sizeof(sun))) < 0 &&
	    (errno == EAGAIN || errno == EINTR)) {
		if (deadline >= 0 && ipc_now_ms() >= deadline) {
			errno = ETIMEDOUT;
			break;
		}
		usleep(10000);
	}
	if (rc < 0 && errno == EINPROGRESS) {
		if ((rc = ipc_wait(fd, POLLOUT, deadline, err)) <= 0) {
			if (rc == 0)
				buf_printf(err, "connect to %s: timed out after %d ms",
				    path, timeout_ms);
			close(fd);
			return -1;
		}
		len = sizeof(soerr);
		if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &soerr, &len) < 0)
			soerr = errno;
		errno = soerr;
		rc = soerr ? -1 : 0;
	}
	if (rc < 0) {
		buf_printf(err, "connect to %s: %s", path, strerror(errno));
		close(fd);
		return -1;
	}
	return fd;
}

int
ipc_send(int fd, const json_t *msg, int timeout_ms, struct buf *err)
{
	long long deadline = ipc_deadline(timeout_ms);
	size_t len, off = 0;
	ssize_t n;
	char *line;
	int rc;

	if ((line = ipc_encode(msg, &len)) == NULL) {
		buf_puts(err, "message cannot be encoded as a JSON object");
		return -1;
	}
	while (off < len) {
		n = send(fd, line + off, len - off, MSG_NOSIGNAL | MSG_DONTWAIT);
		if (n > 0) {
			off += (size_t)n;
			continue;
		}
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && errno != EAGAIN && errno != EWOULDBLOCK) {
			buf_printf(err, "send: %s", strerror(errno));
			free(line);
			return -1;
		}
		if ((rc = ipc_wait(fd, POLLOUT, deadline, err)) <= 0) {
			if (rc == 0)
				buf_printf(err, "timed out after %d ms sending a message",
				    timeout_ms);
			free(line);
			return -1;
		}
	}
	free(line);
	return 0;
}

int
ipc_recv(int fd, size_t limit, json_t **msg, int timeout_ms, struct buf *err)
{
	long long deadline = ipc_deadline(timeout_ms);
	struct buf line = BUF_INIT;
	char chunk[IPC_PEEK_CHUNK];
	size_t want;
	ssize_t n;
	char *nl;
	int rc;

	*msg = NULL;
	if (limit == 0)
		limit = ipc_size_limit();
	for (;;) {
		n = recv(fd, chunk, sizeof(chunk), MSG_PEEK | MSG_DONTWAIT);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
			if ((rc = ipc_wait(fd, POLLIN, deadline, err)) <= 0) {
				if (rc == 0)
					buf_printf(err, "timed out after %d ms waiting "
					    "for a message", timeout_ms);
				buf_free(&line);
				return -1;
			}
			continue;
		}
		if (n < 0) {
			buf_printf(err, "recv: %s", strerror(errno));
			buf_free(&line);
			return -1;
		}
		if (n == 0) {
			if (line.len == 0) {
				buf_free(&line);
				return 0;
			}
			buf_puts(err, "connection closed in the middle of a message");
			buf_free(&line);
			return -1;
		}
		nl = memchr(chunk, '\n', (size_t)n);
		want = nl ? (size_t)(nl - chunk) + 1 : (size_t)n;
		if (line.len + want - (nl ? 1 : 0) > limit) {
			buf_printf(err, "message longer than %zu bytes", limit);
			buf_free(&line);
			return -1;
		}
		/* Take exactly what was peeked, up to the end of the line. */
		n = recv(fd, chunk, want, MSG_DONTWAIT);
		if (n != (ssize_t)want) {
			buf_printf(err, "recv: %s", n < 0 ? strerror(errno) :
			    "short read");
			buf_free(&line);
			return -1;
		}
		buf_append(&line, chunk, nl ? want - 1 : want);
		if (nl)
			break;
	}
	rc = ipc_parse(line.s, line.len, msg, err);
	buf_free(&line);
	return rc == 0 ? 1 : -1;
}

int
ipc_call(int fd, const json_t *req, json_t **reply, int timeout_ms,
    struct buf *err)
{
	long long deadline = ipc_deadline(timeout_ms);
	long long left;
	int rc;

	*reply = NULL;
	if (ipc_send(fd, req, timeout_ms, err) < 0)
		return -1;
	left = deadline < 0 ? -1 : deadline - ipc_now_ms();
	if (deadline >= 0 && left < 0)
		left = 0;
	rc = ipc_recv(fd, ipc_size_limit(), reply, (int)left, err);
	if (rc == 0)
		buf_puts(err, "connection closed before the reply");
	return rc == 1 ? 0 : -1;
}

/*
 * Event-driven connections.
 */

struct ipc_conn {
	struct bufferevent *bev;
	struct ipc_server *server;	/* or NULL */
	struct ipc_conn_conf conf;
	void	*data;
	int	 refs;			/* 1 while open, + ipc_conn_ref */
	int	 closing;		/* flushing, then gone */
	int	 eof;			/* peer sends no more; replies may */
	int	 dead;			/* socket closed */
	char	 peer[IPC_PEER_MAX];
	TAILQ_ENTRY(ipc_conn) entry;
};

struct ipc_server {
	struct evconnlistener *listener;
	struct event_base *base;
	struct ipc_conn_conf conf;
	TAILQ_HEAD(, ipc_conn) conns;
	int	 nconns;
};

static void ipc_conn_shutdown(struct ipc_conn *);

static void
ipc_peer_name(int fd, char *out, size_t size)
{
	struct sockaddr_storage ss;
	socklen_t len = sizeof(ss);
	char host[INET6_ADDRSTRLEN];
	struct ucred cred;

	snprintf(out, size, "fd %d", fd);
	if (getpeername(fd, (struct sockaddr *)&ss, &len) < 0)
		return;
	if (ss.ss_family == AF_INET) {
		struct sockaddr_in *sin = (struct sockaddr_in *)&ss;

		inet_ntop(AF_INET, &sin->sin_addr, host, sizeof(host));
		snprintf(out, size, "%s:%u", host, ntohs(sin->sin_port));
	} else if (ss.ss_family == AF_INET6) {
		struct sockaddr_in6 *sin6 = (struct sockaddr_in6 *)&ss;

		inet_ntop(AF_INET6, &sin6->sin6_addr, host, sizeof(host));
		snprintf(out, size, "[%s]:%u", host, ntohs(sin6->sin6_port));
	} else if (ss.ss_family == AF_UNIX) {
		len = sizeof(cred);
		if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cred, &len) == 0)
			snprintf(out, size, "pid %ld uid %ld", (long)cred.pid,
			    (long)cred.uid);
	}
}

static void
ipc_conn_set_timeouts(struct ipc_conn *c)
{
	struct timeval rtv, wtv;

	rtv.tv_sec = c->conf.idle_ms / 1000;
	rtv.tv_usec = (c->conf.idle_ms % 1000) * 1000;
	wtv.tv_sec = c->conf.write_ms / 1000;
	wtv.tv_usec = (c->conf.write_ms % 1000) * 1000;
	bufferevent_set_timeouts(c->bev, c->conf.idle_ms > 0 ? &rtv : NULL,
	    c->conf.write_ms > 0 ? &wtv : NULL);
}

static void
ipc_conn_readcb(struct bufferevent *bev, void *arg)
{
	struct ipc_conn *c = arg;
	struct buf err = BUF_INIT;
	json_t *msg;
	int rc;

	ipc_conn_ref(c);
	while (!c->closing && !c->dead) {
		buf_reset(&err);
		rc = ipc_read(bufferevent_get_input(bev), c->conf.limit, &msg, &err);
		if (rc == 0)
			break;
		if (rc < 0) {
			log_warn("%s: %s; closing the connection", c->peer, err.s);
			ipc_conn_reply(c, NULL, ipc_error("%s", err.s));
			ipc_conn_close(c);
			break;
		}
		c->conf.handler(c, msg, c->conf.ctx);
		json_decref(msg);
	}
	buf_free(&err);
	ipc_conn_unref(c);
}

/*
 * Done when closing or at end of file, once the output is sent and,
 * at end of file, no handler holds the connection for a later reply.
 */
static void
ipc_conn_maybe_done(struct ipc_conn *c)
{
	if (c->dead || evbuffer_get_length(bufferevent_get_output(c->bev)) > 0)
		return;
	if (c->closing || (c->eof && c->refs == 1))
		ipc_conn_shutdown(c);
}

static void
ipc_conn_writecb(struct bufferevent *bev, void *arg)
{
	ipc_conn_maybe_done(arg);
}

static void
ipc_conn_eventcb(struct bufferevent *bev, short what, void *arg)
{
	struct ipc_conn *c = arg;

	/* A peer that half-closes after its request still gets the reply. */
	if ((what & BEV_EVENT_EOF) && !(what & BEV_EVENT_ERROR) && !c->eof) {
		c->eof = 1;
		bufferevent_disable(bev, EV_READ);
		ipc_conn_maybe_done(c);
		return;
	}
	if (what & BEV_EVENT_TIMEOUT)
		log_warn("%s: %s; closing the connection", c->peer,
		    (what & BEV_EVENT_READING) ? "idle time-out" :
		    "time-out sending to the peer");
	else if ((what & BEV_EVENT_ERROR) && EVUTIL_SOCKET_ERROR() != ECONNRESET &&
	    EVUTIL_SOCKET_ERROR() != EPIPE)
		log_warn("%s: %s", c->peer,
		    evutil_socket_error_to_string(EVUTIL_SOCKET_ERROR()));
	ipc_conn_shutdown(c);
}

struct ipc_conn *
ipc_conn_new(struct event_base *base, int fd, const struct ipc_conn_conf *conf)
{
	struct ipc_conn *c = xcalloc(1, sizeof(*c));

	/* bufferevents write with writev(): a vanished peer must not kill us. */
	if (signal(SIGPIPE, SIG_IGN) == SIG_ERR)
		log_warn("cannot ignore SIGPIPE: %s", strerror(errno));
	evutil_make_socket_nonblocking(fd);
	evutil_make_socket_closeonexec(fd);
	c->conf = *conf;
	if (c->conf.limit == 0)
		c->conf.limit = ipc_size_limit();
	c->refs = 1;
	ipc_peer_name(fd, c->peer, sizeof(c->peer));
	c->bev = bufferevent_socket_new(base, fd, BEV_OPT_CLOSE_ON_FREE);
	if (c->bev == NULL)
		log_fatal("%s: cannot make a bufferevent", c->peer);
	bufferevent_setcb(c->bev, ipc_conn_readcb, ipc_conn_writecb,
	    ipc_conn_eventcb, c);
	ipc_conn_set_timeouts(c);
	bufferevent_enable(c->bev, EV_READ | EV_WRITE);
	return c;
}

static void
ipc_conn_shutdown(struct ipc_conn *c)
{
	if (c->dead)
		return;
	c->dead = 1;
	c->closing = 1;
	bufferevent_free(c->bev);
	c->bev = NULL;
	if (c->server) {
		TAILQ_REMOVE(&c->server->conns, c, entry);
		c->server->nconns--;
		c->server = NULL;
	}
	if (c->conf.on_close)
		c->conf.on_close(c, c->conf.ctx);
	ipc_conn_unref(c);
}

void
ipc_conn_ref(struct ipc_conn *c)
{
	c->refs++;
}

void
ipc_conn_unref(struct ipc_conn *c)
{
	if (--c->refs > 0) {
		if (c->refs == 1 && c->eof && !c->dead)
			ipc_conn_maybe_done(c);
		return;
	}
	if (!c->dead)
		log_panic("ipc_conn_unref: last reference to an open connection");
	free(c);
}

int
ipc_conn_send(struct ipc_conn *c, const json_t *msg)
{
	if (c->closing || c->dead || msg == NULL)
		return -1;
	if (ipc_write(bufferevent_get_output(c->bev), msg) < 0) {
		log_warn("%s: message cannot be encoded; not sent", c->peer);
		return -1;
	}
	return 0;
}

int
ipc_conn_reply(struct ipc_conn *c, const json_t *request, json_t *reply)
{
	json_t *id = request ? json_object_get(request, "id") : NULL;
	int rc;

	if (id)
		json_object_set(reply, "id", id);
	rc = ipc_conn_send(c, reply);
	json_decref(reply);
	return rc;
}

void
ipc_conn_close(struct ipc_conn *c)
{
	if (c->closing || c->dead)
		return;
	c->closing = 1;
	bufferevent_disable(c->bev, EV_READ);
	if (evbuffer_get_length(bufferevent_get_output(c->bev)) == 0)
		ipc_conn_shutdown(c);
}

int
ipc_conn_closed(const struct ipc_conn *c)
{
	return c->closing || c->dead;
}

void
ipc_conn_set_data(struct ipc_conn *c, void *data)
{
	c->data = data;
}

void *
ipc_conn_data(const struct ipc_conn *c)
{
	return c->data;
}

void
ipc_conn_set_idle(struct ipc_conn *c, int idle_ms)
{
	c->conf.idle_ms = idle_ms;
	if (!c->dead)
		ipc_conn_set_timeouts(c);
}

const char *
ipc_conn_peer(const struct ipc_conn *c)
{
	return c->peer;
}

static void
ipc_server_acceptcb(struct evconnlistener *l, evutil_socket_t fd,
    struct sockaddr *sa, int salen, void *arg)
{
	struct ipc_server *srv = arg;
	struct ipc_conn *c;
	char peer[IPC_PEER_MAX];

	if (srv->conf.max_conns > 0 && srv->nconns >= srv->conf.max_conns) {
		ipc_peer_name(fd, peer, sizeof(peer));
		log_warn("%s: refused: %d connections already open", peer,
		    srv->nconns);
		evutil_closesocket(fd);
		return;
	}
	c = ipc_conn_new(srv->base, fd, &srv->conf);
	c->server = srv;
	TAILQ_INSERT_TAIL(&srv->conns, c, entry);
	srv->nconns++;
}

static void
ipc_server_errorcb(struct evconnlistener *l, void *arg)
{
	int e = EVUTIL_SOCKET_ERROR();

	/* Out of descriptors and the like pass; keep listening. */
	log_warn("accept: %s", evutil_socket_error_to_string(e));
}

struct ipc_server *
ipc_server_new(struct event_base *base, int listen_fd,
    const struct ipc_conn_conf *conf)
{
	struct ipc_server *srv = xcalloc(1, sizeof(*srv));

	srv->base = base;
	srv->conf = *conf;
	TAILQ_INIT(&srv->conns);
	evutil_make_socket_nonblocking(listen_fd);
	srv->listener = evconnlistener_new(base, ipc_server_acceptcb, srv,
	    LEV_OPT_CLOSE_ON_EXEC, 0, listen_fd);
	if (srv->listener == NULL)
		log_fatal("cannot listen on descriptor %d: %s", listen_fd,
		    strerror(errno));
	evconnlistener_set_error_cb(srv->listener, ipc_server_errorcb);
	return srv;
}

void
ipc_server_free(struct ipc_server *srv)
{
	struct ipc_conn *c;

	if (srv == NULL)
		return;
	evconnlistener_free(srv->listener);
	while ((c = TAILQ_FIRST(&srv->conns)) != NULL)
		ipc_conn_shutdown(c);
	free(srv);
}

void
ipc_server_stop(struct ipc_server *srv)
{
	struct ipc_conn *c, *next;

	evconnlistener_disable(srv->listener);
	for (c = TAILQ_FIRST(&srv->conns); c != NULL; c = next) {
		next = TAILQ_NEXT(c, entry);	/* c may go at once */
		ipc_conn_close(c);
	}
}

int
ipc_server_count(const struct ipc_server *srv)
{
	return srv->nconns;
}

int
ipc_server_broadcast(struct ipc_server *srv, const json_t *msg,
    int (*want)(struct ipc_conn *, void *), void *arg)
{
	struct ipc_conn *c;
	char *line = NULL;
	size_t len = 0;
	int n = 0;

	/* Encoded once for every subscriber, not once each. */
	TAILQ_FOREACH(c, &srv->conns, entry) {
		if ((want && !want(c, arg)) || c->closing || c->dead)
			continue;
		if (line == NULL && (line = ipc_encode(msg, &len)) == NULL) {
			log_warn("%s: message cannot be encoded; not sent",
			    c->peer);
			return 0;
		}
		if (evbuffer_add(bufferevent_get_output(c->bev), line,
		    len) == 0)
			n++;
	}
	free(line);
	return n;
}
