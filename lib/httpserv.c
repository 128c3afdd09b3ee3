/*
 * httpserv - the listener of a worker that answers one HTTP request per
 * connection: see httpserv.h.
 * SPDX-License-Identifier: ISC
 */
#include "config.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <event2/event.h>

#include "dlist.h"
#include "httpserv.h"
#include "log.h"
#include "mymalloc.h"
#include "server.h"

static struct {
	const struct httpserv *srv;
	struct event *listeners[SERVER_SOCKETS_MAX];
	int	 nlisteners;
	int	 nconns;
	struct httpserv_conn *conns;
} hs;

void
httpserv_close(struct httpserv_conn *c)
{
	DLIST_UNLINK(hs.conns, c);
	bufferevent_free(c->bev);
	free(c);
	hs.nconns--;
}

struct evbuffer *
httpserv_output(struct httpserv_conn *c)
{
	return bufferevent_get_output(c->bev);
}

void
httpserv_answered(struct httpserv_conn *c)
{
	c->answered = 1;
	bufferevent_disable(c->bev, EV_READ);
	bufferevent_enable(c->bev, EV_WRITE);
}

static void
httpserv_on_read(struct bufferevent *bev, void *arg)
{
	struct httpserv_conn *c = arg;

	if (c->answered)
		return;
	hs.srv->on_read(c, bufferevent_get_input(bev));
}

static void
httpserv_on_write(struct bufferevent *bev, void *arg)
{
	struct httpserv_conn *c = arg;

	if (c->answered && evbuffer_get_length(bufferevent_get_output(bev)) == 0)
		httpserv_close(c);
}

static void
httpserv_on_event(struct bufferevent *bev, short what, void *arg)
{
	struct httpserv_conn *c = arg;

	(void)bev;
	if ((what & BEV_EVENT_TIMEOUT) && hs.srv->on_timeout != NULL)
		hs.srv->on_timeout(c);
	httpserv_close(c);
}

static void
httpserv_on_accept(evutil_socket_t lfd, short what, void *arg)
{
	struct timeval rt = { (time_t)*hs.srv->read_secs, 0 };
	struct timeval wt = { (time_t)*hs.srv->write_secs, 0 };
	struct httpserv_conn *c;
	int fd;

	(void)what;
	(void)arg;
	if ((fd = accept4(lfd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC)) < 0) {
		if (errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR &&
		    errno != ECONNABORTED)
			log_warn("accept: %s", strerror(errno));
		return;
	}
	if (hs.nconns >= hs.srv->conn_max) {
		log_warn("connection refused: %d connections already",
		    hs.srv->conn_max);
		close(fd);
		return;
	}
	c = xcalloc(1, hs.srv->conn_size);
	if ((c->bev = bufferevent_socket_new(server_base(), fd,
	    BEV_OPT_CLOSE_ON_FREE)) == NULL) {
		close(fd);
		free(c);
		return;
	}
	hs.nconns++;
	DLIST_PUSH(hs.conns, c);
	bufferevent_setcb(c->bev, httpserv_on_read, httpserv_on_write,
	    httpserv_on_event, c);
	bufferevent_set_timeouts(c->bev, &rt, &wt);
	bufferevent_enable(c->bev, EV_READ);
}

void
httpserv_listen(const struct httpserv *srv)
{
	int i;

	if (strcmp(server_type(), srv->type) != 0)
		log_fatal("service %s: %s", server_service(), srv->wrong_type);
	hs.srv = srv;
	for (i = 0; i < server_nsockets(); i++) {
		hs.listeners[i] = event_new(server_base(), server_socket(i),
		    EV_READ | EV_PERSIST, httpserv_on_accept, NULL);
		if (hs.listeners[i] == NULL ||
		    event_add(hs.listeners[i], NULL) != 0)
			log_fatal("service %s: cannot listen", server_service());
		hs.nlisteners++;
	}
}

void
httpserv_free(void)
{
	int i;

	for (i = 0; i < hs.nlisteners; i++)
		event_free(hs.listeners[i]);
	hs.nlisteners = 0;
	while (hs.conns != NULL)
		httpserv_close(hs.conns);
}
