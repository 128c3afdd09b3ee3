/*
 * ipc - the one framing of every socket between stsd processes.
 * SPDX-License-Identifier: ISC
 *
 * SYNOPSIS
 *	Framing (any side)
 *	ipc_read(evbuf, limit, &msg, &err)	1: a message, 0: need more, -1
 *	ipc_write(evbuf, msg)			appends one line
 *	ipc_encode(msg, &len)			the line, xmalloc'd
 *
 *	Messages
 *	ipc_request("domain-list")		{"op":"domain-list"}
 *	ipc_ok()				{"ok":true}
 *	ipc_error("no domain %s", d)		{"ok":false,"error":"..."}
 *	ipc_op(msg)				its "op" string, or NULL
 *	ipc_reply_check(reply, &err)		0 when "ok" is true
 *
 *	Blocking client (commands: stsctl, stsd)
 *	fd = ipc_connect_unix(path, timeout_ms, &err)
 *	ipc_call(fd, req, &reply, timeout_ms, &err)
 *	ipc_send(fd, msg, timeout_ms, &err) / ipc_recv(fd, limit, &msg, ...)
 *
 *	Event-driven connections (daemons, with libevent)
 *	srv = ipc_server_new(base, listen_fd, &ipc_conn_conf)
 *	ipc_server_stop(srv)			accept and read no more
 *	conn = ipc_conn_new(base, connected_fd, &ipc_conn_conf)
 *	ipc_conn_reply(conn, request, reply)	now or later
 *	ipc_conn_send(conn, msg)		unsolicited (a push)
 *	ipc_conn_ref(conn) / ipc_conn_unref(conn)	keep it across calls
 *	ipc_conn_close(conn)			after what is queued is sent
 *
 * DESCRIPTION
 *	A message is one JSON object, encoded compactly in UTF-8 on one
 *	line that ends with "\n" (JSON escapes every control character
 *	inside strings, so a message never contains a raw newline).  A
 *	request has an "op" string and may have an "id" (any JSON value,
 *	copied into its reply by ipc_conn_reply).  A reply has "ok": true
 *	or false, and with false an "error" string for the user.  Other
 *	members depend on the op.  Both sides may also send messages that
 *	answer nothing (a daemon pushing changes to a subscriber): they
 *	have an "op" too.
 *
 *	ipc_read() takes one message off the front of an evbuffer and
 *	leaves the rest; a line longer than limit bytes (without its
 *	"\n"), a line that is not JSON, duplicate keys, or JSON that is
 *	not an object are errors: the connection is then out of step and
 *	must be closed.  The line in error is removed when it is complete.
 *
 *	The blocking client functions wait with poll() no longer than
 *	timeout_ms in total (negative: no limit), never read past the end
 *	of one message (so several calls may share one socket), and do
 *	not raise SIGPIPE.  ipc_call() sends a request and reads the next
 *	message as its reply, with the size limit of the
 *	ipc_message_size_limit parameter; it returns 0 whatever the reply
 *	says: check it with ipc_reply_check().
 *
 *	An ipc_server accepts connections on a listening socket that it
 *	does not own (master's), and makes an ipc_conn of each.  An
 *	ipc_conn reads messages with the size limit, calls the handler
 *	once per message (the message is released after the handler
 *	returns: json_incref it to keep it), and closes the connection on
 *	a protocol error (after one error reply), on end of file, when
 *	no message arrives for idle_ms, or when the peer does not take
 *	queued output within write_ms.  The handler may reply at once or
 *	later: to reply later it takes a reference (ipc_conn_ref) and
 *	releases it when done; replying to a connection that closed in
 *	between does nothing and returns -1.  on_close is called once,
 *	when the connection is gone.  A peer that half-closes after its
 *	requests still gets every reply.  A process that makes an
 *	ipc_conn ignores SIGPIPE from then on (a write to a vanished peer
 *	is an error event, not a signal).
 *
 *	ipc_server_stop(), for a daemon that stops, disables the listener
 *	and ipc_conn_close()s every connection: no request is read any
 *	more, what is queued is still sent, and ipc_server_count() falls
 *	to 0 as the connections go (on_close tells each).
 *
 * LIMITS
 *	ipc_message_size_limit (IPC_SIZE_LIMIT_DEFAULT when the caller
 *	passes 0); ipc_conn_conf.max_conns connections per server.
 *
 * DIAGNOSTICS
 *	Functions that return -1 put one line in err, naming the peer or
 *	path and the cause: "message longer than 1048576 bytes",
 *	"message is not valid JSON: ... (column 7)", "connect to
 *	/x/public/policyd: No such file or directory", "timed out after
 *	30 s waiting for a reply".  Connections closed for a protocol
 *	error or a time-out are logged with log_warn.
 */
#ifndef STS_IPC_H
#define STS_IPC_H

#include <stddef.h>

#include <jansson.h>

#include "buf.h"

struct evbuffer;
struct event_base;

#define IPC_SIZE_LIMIT_DEFAULT	(1024 * 1024)	/* ipc_message_size_limit */
#define IPC_ERROR_TEXT_MAX	1024	/* bytes of an "error" we report */

/* Framing. */
int	ipc_read(struct evbuffer *, size_t limit, json_t **msg,
	    struct buf *err);
int	ipc_parse(const char *line, size_t len, json_t **msg,
	    struct buf *err);		/* one line, without its "\n" */
int	ipc_write(struct evbuffer *, const json_t *msg);	/* 0 or -1 */
char	*ipc_encode(const json_t *msg, size_t *len);	/* with "\n";
						 * NULL: not encodable */

/* Messages. */
json_t	*ipc_request(const char *op);
json_t	*ipc_ok(void);
json_t	*ipc_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
const char *ipc_op(const json_t *msg);
const char *ipc_str(const json_t *msg, const char *key);	/* "" if absent */
long long ipc_int(const json_t *msg, const char *key);	/* 0 if absent */
int	ipc_reply_check(const json_t *reply, struct buf *err);
size_t	ipc_size_limit(void);		/* ipc_message_size_limit */

/* Blocking client. */
int	ipc_connect_unix(const char *path, int timeout_ms, struct buf *err);
int	ipc_send(int fd, const json_t *msg, int timeout_ms, struct buf *err);
int	ipc_recv(int fd, size_t limit, json_t **msg, int timeout_ms,
	    struct buf *err);		/* 1: a message, 0: end of file, -1 */
int	ipc_call(int fd, const json_t *req, json_t **reply, int timeout_ms,
	    struct buf *err);

/* Event-driven connections. */
struct ipc_conn;
struct ipc_server;

typedef void (*ipc_handler_fn)(struct ipc_conn *, json_t *msg, void *ctx);
typedef void (*ipc_close_fn)(struct ipc_conn *, void *ctx);

struct ipc_conn_conf {
	ipc_handler_fn handler;		/* one call per message */
	ipc_close_fn on_close;		/* or NULL */
	void	*ctx;			/* passed to both */
	size_t	 limit;			/* bytes; 0: ipc_size_limit() */
	int	 idle_ms;		/* no message for so long: close; 0: never */
	int	 write_ms;		/* output not taken: close; 0: never */
	int	 max_conns;		/* server only; 0: no limit */
};

struct ipc_server *ipc_server_new(struct event_base *, int listen_fd,
	    const struct ipc_conn_conf *);
void	ipc_server_free(struct ipc_server *);	/* closes its connections,
						 * not listen_fd */
void	ipc_server_stop(struct ipc_server *);
int	ipc_server_count(const struct ipc_server *);
int	ipc_server_broadcast(struct ipc_server *, const json_t *msg,
	    int (*want)(struct ipc_conn *, void *), void *arg);

struct ipc_conn *ipc_conn_new(struct event_base *, int fd,
	    const struct ipc_conn_conf *);	/* takes fd */
int	ipc_conn_reply(struct ipc_conn *, const json_t *request,
	    json_t *reply);		/* takes reply; copies request "id" */
int	ipc_conn_send(struct ipc_conn *, const json_t *msg);
void	ipc_conn_close(struct ipc_conn *);
int	ipc_conn_closed(const struct ipc_conn *);
void	ipc_conn_ref(struct ipc_conn *);
void	ipc_conn_unref(struct ipc_conn *);
void	ipc_conn_set_data(struct ipc_conn *, void *);
void	*ipc_conn_data(const struct ipc_conn *);
void	ipc_conn_set_idle(struct ipc_conn *, int idle_ms);
const char *ipc_conn_peer(const struct ipc_conn *);

#endif
