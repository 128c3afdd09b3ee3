/*
 * httpserv - the listener of a worker that answers one HTTP request per
 * connection (metrics, webd): accept, bounded connections, timeouts,
 * close once the answer is written.
 * SPDX-License-Identifier: ISC
 *
 * SYNOPSIS
 *	struct my_conn { struct httpserv_conn hc; ...the daemon's own... };
 *	static const struct httpserv srv = { "unix", "webd is a unix service",
 *	    CONN_MAX, sizeof(struct my_conn), &read_secs, &write_secs,
 *	    my_on_read, my_on_timeout };
 *
 *	httpserv_listen(&srv)		in post_jail: listen on every socket
 *	httpserv_output(c)		the answer goes here
 *	httpserv_answered(c)		then this: close once it is written
 *	httpserv_close(c)		close now
 *	httpserv_free()			in cleanup: listeners and connections
 *
 * DESCRIPTION
 *	One server per process.  httpserv_listen() checks that master.cf
 *	gives the service srv->type (else log_fatal "service NAME:
 *	srv->wrong_type") and adds an event for each of master's sockets.
 *	Each connection is a block of srv->conn_size bytes (zeroed) that
 *	begins with a struct httpserv_conn; on_read(c, in) is called with
 *	the input received so far whenever more arrives, until the daemon
 *	calls httpserv_answered(); reading stops then and the connection
 *	closes once its output is written.  A timeout, end-of-file or error
 *	closes it, after on_timeout(c) (may be NULL) for a timeout.  The
 *	timeouts are read at each accept from *srv->read_secs and
 *	*srv->write_secs, so a parameter may be named.
 *
 * LIMITS
 *	srv->conn_max connections (one more is closed at once, logged);
 *	the request size is the daemon's to bound in on_read().
 *
 * DIAGNOSTICS
 *	"accept: ERROR", "connection refused: N connections already",
 *	"service NAME: cannot listen" (fatal).
 */
#ifndef STS_HTTPSERV_H
#define STS_HTTPSERV_H

#include <stddef.h>

#include <event2/buffer.h>
#include <event2/bufferevent.h>

struct httpserv_conn {
	struct httpserv_conn *prev, *next;	/* every open connection */
	struct bufferevent *bev;
	int	 answered;
};

struct httpserv {
	const char *type;		/* "inet" or "unix" */
	const char *wrong_type;		/* the fatal message otherwise */
	int	 conn_max;
	size_t	 conn_size;		/* >= sizeof(struct httpserv_conn) */
	const long long *read_secs;	/* to receive the request */
	const long long *write_secs;	/* to take the answer */
	void	 (*on_read)(struct httpserv_conn *, struct evbuffer *);
	void	 (*on_timeout)(struct httpserv_conn *);
};

void	 httpserv_listen(const struct httpserv *);
struct evbuffer *httpserv_output(struct httpserv_conn *);
void	 httpserv_answered(struct httpserv_conn *);
void	 httpserv_close(struct httpserv_conn *);
void	 httpserv_free(void);

#endif
