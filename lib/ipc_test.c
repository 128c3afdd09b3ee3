/*
 * ipc_test - the framing, the blocking client and the event-driven
 * server of lib/ipc.
 * SPDX-License-Identifier: ISC
 *
 * The server cases fork a client that uses the blocking functions
 * against a server running in this process's event loop; the client
 * prints its own "ok"/"not ok" lines and exits with the number of
 * unit_failures.
 */
#include "config.h"

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include <event2/buffer.h>
#include <event2/event.h>

#include "buf.h"
#include "ipc.h"
#include "log.h"
#include "unit.h"

/* ipc_read on the buffer, with err reset; returns its result. */
static int
rd(struct evbuffer *b, size_t limit, json_t **msg, struct buf *err)
{
	buf_reset(err);
	return ipc_read(b, limit, msg, err);
}

static void
test_framing(void)
{
	struct evbuffer *b = evbuffer_new();
	struct buf err = BUF_INIT;
	const char *two = "{\"op\":\"a\",\"id\":1}\n{\"op\":\"b\"}\n{\"op\":";
	const char *one = "{\"op\":\"split\",\"x\":[1,2,3]}\n";
	json_t *m;
	char big[300];
	int rc, i, got = 0;

	CHECK(rd(b, 100, &m, &err) == 0 && m == NULL, "empty buffer: need more");

	evbuffer_add(b, two, strlen(two));
	rc = rd(b, 100, &m, &err);
	CHECK(rc == 1 && strcmp(ipc_op(m), "a") == 0 &&
	    json_integer_value(json_object_get(m, "id")) == 1,
	    "first of several messages in one buffer");
	json_decref(m);
	rc = rd(b, 100, &m, &err);
	CHECK(rc == 1 && strcmp(ipc_op(m), "b") == 0, "second message");
	json_decref(m);
	rc = rd(b, 100, &m, &err);
	CHECK(rc == 0 && evbuffer_get_length(b) == 6,
	    "incomplete third message is left in the buffer");
	evbuffer_drain(b, evbuffer_get_length(b));

	/* One byte at a time. */
	for (i = 0; one[i]; i++) {
		evbuffer_add(b, one + i, 1);
		rc = rd(b, 100, &m, &err);
		if (rc == 1) {
			got++;
			CHECK(one[i + 1] == '\0' && strcmp(ipc_op(m), "split") == 0,
			    "message fed byte by byte is read at its newline");
			json_decref(m);
		} else if (rc < 0)
			break;
	}
	CHECK(got == 1, "message fed byte by byte is read exactly once");

	/* The limit counts the line without its newline. */
	memset(big, 0, sizeof(big));
	snprintf(big, sizeof(big), "{\"s\":\"%0*d\"}\n", 100 - 8, 0);
	CHECK(strlen(big) == 101, "line of 100 bytes + newline made");
	evbuffer_add(b, big, strlen(big));
	rc = rd(b, 100, &m, &err);
	CHECK(rc == 1, "message of exactly the limit is accepted");
	json_decref(m);
	evbuffer_add(b, big, strlen(big));
	rc = rd(b, 99, &m, &err);
	CHECK(rc == -1 && strcmp(err.s, "message longer than 99 bytes") == 0 &&
	    m == NULL, "complete message over the limit is an error");
	CHECK(evbuffer_get_length(b) == 0, "the long line was removed");
	evbuffer_add(b, big, 60);
	rc = rd(b, 50, &m, &err);
	CHECK(rc == -1 && strstr(err.s, "longer than 50 bytes"),
	    "unterminated data over the limit is an error without waiting");
	evbuffer_drain(b, evbuffer_get_length(b));
	evbuffer_add(b, big, 60);
	CHECK(rd(b, 100, &m, &err) == 0, "unterminated data within the limit: need more");
	evbuffer_drain(b, evbuffer_get_length(b));

	evbuffer_add_printf(b, "{\"op\": nope}\n{\"op\":\"next\"}\n");
	rc = rd(b, 100, &m, &err);
	CHECK(rc == -1 && strstr(err.s, "message is not valid JSON: ") &&
	    strstr(err.s, "(column "), "bad JSON is an error naming the column");
	rc = rd(b, 100, &m, &err);
	CHECK(rc == 1 && strcmp(ipc_op(m), "next") == 0,
	    "the bad line is removed, the next one is intact");
	json_decref(m);

	evbuffer_add_printf(b, "[1,2]\n");
	CHECK(rd(b, 100, &m, &err) == -1 &&
	    strcmp(err.s, "message is not a JSON object") == 0,
	    "an array is not a message");
	evbuffer_add_printf(b, "\"op\"\n");
	CHECK(rd(b, 100, &m, &err) == -1, "a string is not a message");
	evbuffer_add_printf(b, "\n");
	CHECK(rd(b, 100, &m, &err) == -1, "an empty line is not a message");
	evbuffer_add_printf(b, "{\"op\":\"a\",\"op\":\"b\"}\n");
	CHECK(rd(b, 100, &m, &err) == -1 && strstr(err.s, "duplicate"),
	    "duplicate keys are refused");
	evbuffer_add_printf(b, "{\"op\":\"a\"}\r\n");
	CHECK(rd(b, 100, &m, &err) == 1, "CR before the newline is white space");
	json_decref(m);
	evbuffer_add(b, "{\"op\":\"\xff\"}\n", 11);
	CHECK(rd(b, 100, &m, &err) == -1 && strchr(err.s, '\xff') == NULL,
	    "invalid UTF-8 is refused and not echoed in the error");
	evbuffer_add(b, "{\"op\":\"a\0\"}\n", 12);
	CHECK(rd(b, 100, &m, &err) == -1, "a NUL byte is refused");

	evbuffer_free(b);
	buf_free(&err);
}

static void
test_encode(void)
{
	struct evbuffer *b = evbuffer_new();
	struct buf err = BUF_INIT;
	json_t *m = ipc_request("say"), *back, *arr;
	size_t len;
	char *line;

	json_object_set_new(m, "text", json_string("two\nlines \xc3\xa9"));
	line = ipc_encode(m, &len);
	CHECK(line && len == strlen(line) && line[len - 1] == '\n' &&
	    strchr(line, '\n') == line + len - 1 && strchr(line, ' ') != NULL &&
	    strstr(line, "\xc3\xa9") && strstr(line, "\":\""),
	    "encoded: one compact line, UTF-8 kept, newline escaped");
	free(line);
	CHECK(ipc_write(b, m) == 0, "ipc_write appends");
	CHECK(rd(b, 0, &back, &err) == 1 && json_equal(m, back),
	    "what ipc_write wrote ipc_read reads back");
	json_decref(back);
	arr = json_array();
	CHECK(ipc_write(b, arr) == -1 && evbuffer_get_length(b) == 0,
	    "ipc_write refuses a non-object");
	json_decref(arr);
	json_decref(m);

	m = ipc_ok();
	buf_reset(&err);
	CHECK(ipc_reply_check(m, &err) == 0, "ipc_ok passes ipc_reply_check");
	json_decref(m);
	m = ipc_error("no domain %s", "example.com");
	buf_reset(&err);
	CHECK(ipc_reply_check(m, &err) == -1 &&
	    strcmp(err.s, "no domain example.com") == 0 &&
	    json_is_false(json_object_get(m, "ok")),
	    "ipc_error makes ok:false with the error text");
	json_decref(m);
	m = ipc_error("bad name %s", "\xff\xfe");
	CHECK(json_string_value(json_object_get(m, "error")) != NULL,
	    "ipc_error with non-UTF-8 text still has an error string");
	json_decref(m);
	m = ipc_request("x");
	buf_reset(&err);
	CHECK(ipc_reply_check(m, &err) == -1 && strstr(err.s, "no \"ok\""),
	    "a message without ok is not a reply");
	json_decref(m);
	evbuffer_free(b);
	buf_free(&err);
}

static void
test_client(void)
{
	struct buf err = BUF_INIT;
	json_t *m, *got;
	int sv[2], rc;
	char junk[200];

	if (socketpair(AF_UNIX, SOCK_STREAM, 0, sv) < 0)
		return;
	m = ipc_request("one");
	ipc_send(sv[0], m, 1000, &err);
	json_decref(m);
	m = ipc_request("two");
	ipc_send(sv[0], m, 1000, &err);
	json_decref(m);
	rc = ipc_recv(sv[1], 1000, &got, 1000, &err);
	CHECK(rc == 1 && strcmp(ipc_op(got), "one") == 0,
	    "blocking recv reads the first of two messages");
	json_decref(got);
	rc = ipc_recv(sv[1], 1000, &got, 1000, &err);
	CHECK(rc == 1 && strcmp(ipc_op(got), "two") == 0,
	    "and leaves the second for the next call");
	json_decref(got);

	buf_reset(&err);
	rc = ipc_recv(sv[1], 1000, &got, 100, &err);
	CHECK(rc == -1 && strstr(err.s, "timed out after 100 ms"),
	    "blocking recv times out");

	memset(junk, 'x', sizeof(junk));
	if (write(sv[0], junk, sizeof(junk)) < 0)
		return;
	buf_reset(&err);
	rc = ipc_recv(sv[1], 100, &got, 1000, &err);
	CHECK(rc == -1 && strcmp(err.s, "message longer than 100 bytes") == 0,
	    "blocking recv enforces the limit");

	if (write(sv[0], "{\"op\":", 6) < 0)
		return;
	close(sv[0]);
	buf_reset(&err);
	rc = ipc_recv(sv[1], 1000, &got, 1000, &err);
	CHECK(rc == -1 && strstr(err.s, "closed in the middle"),
	    "end of file inside a message is an error");
	close(sv[1]);

	if (socketpair(AF_UNIX, SOCK_STREAM, 0, sv) < 0)
		return;
	close(sv[0]);
	rc = ipc_recv(sv[1], 1000, &got, 1000, &err);
	CHECK(rc == 0, "end of file between messages: 0");
	m = ipc_request("x");
	buf_reset(&err);
	rc = ipc_call(sv[1], m, &got, 1000, &err);
	CHECK(rc == -1 && err.len > 0, "call on a closed peer fails without SIGPIPE");
	json_decref(m);
	close(sv[1]);

	buf_reset(&err);
	rc = ipc_connect_unix("/nonexistent/dir/sock", 1000, &err);
	CHECK(rc == -1 && strcmp(err.s, "connect to /nonexistent/dir/sock: "
	    "No such file or directory") == 0,
	    "connect to a missing socket names the path and the cause");
	buf_free(&err);
}

/*
 * Server side: ops "echo" (reply now), "later" (reply from a timer),
 * "push" (an unsolicited message, then the reply), "close", "stop".
 */
struct later {
	struct ipc_conn *conn;
	json_t	*req;
	struct event *ev;
};

static int closes;

static void
later_cb(evutil_socket_t fd, short what, void *arg)
{
	struct later *l = arg;
	json_t *r = ipc_ok();

	json_object_set_new(r, "later", json_true());
	ipc_conn_reply(l->conn, l->req, r);
	ipc_conn_unref(l->conn);
	json_decref(l->req);
	event_free(l->ev);
	free(l);
}

static void
srv_handler(struct ipc_conn *c, json_t *msg, void *ctx)
{
	struct event_base *base = ctx;
	const char *op = ipc_op(msg);
	struct timeval tv = { 0, 200000 };
	json_t *r;

	if (op == NULL) {
		ipc_conn_reply(c, msg, ipc_error("request has no op"));
	} else if (strcmp(op, "echo") == 0) {
		r = ipc_ok();
		json_object_set(r, "echo", msg);
		ipc_conn_reply(c, msg, r);
	} else if (strcmp(op, "later") == 0) {
		struct later *l = calloc(1, sizeof(*l));

		l->conn = c;
		ipc_conn_ref(c);
		l->req = json_incref(msg);
		l->ev = evtimer_new(base, later_cb, l);
		evtimer_add(l->ev, &tv);
	} else if (strcmp(op, "push") == 0) {
		r = ipc_request("pushed");
		ipc_conn_send(c, r);
		json_decref(r);
		ipc_conn_reply(c, msg, ipc_ok());
	} else if (strcmp(op, "close") == 0) {
		ipc_conn_reply(c, msg, ipc_ok());
		ipc_conn_close(c);
	} else if (strcmp(op, "stop") == 0) {
		ipc_conn_reply(c, msg, ipc_ok());
		event_base_loopexit(base, NULL);
	} else {
		ipc_conn_reply(c, msg, ipc_error("unknown op %s", op));
	}
}

static void
srv_close(struct ipc_conn *c, void *ctx)
{
	closes++;
}

static int
client_call(const char *path, const char *line, json_t **reply,
    struct buf *err)
{
	int fd = ipc_connect_unix(path, 1000, err);
	json_t *req;
	json_error_t jerr;
	int rc;

	if (fd < 0)
		return -1;
	req = json_loads(line, 0, &jerr);
	rc = ipc_call(fd, req, reply, 2000, err);
	json_decref(req);
	close(fd);
	return rc;
}

/* The next message on fd has key true. */
static void
next_true(int fd, const char *key, const char *what)
{
	struct buf err = BUF_INIT;
	json_t *r = NULL;

	CHECK(ipc_recv(fd, 0, &r, 2000, &err) == 1 &&
	    json_is_true(json_object_get(r, key)), "%s", what);
	json_decref(r);
	buf_free(&err);
}

/* The server closes the connection next, within ms; fd is closed. */
static void
closed_next(int fd, int ms, const char *what)
{
	struct buf err = BUF_INIT;
	json_t *r = NULL;

	CHECK(ipc_recv(fd, 0, &r, ms, &err) == 0, "%s", what);
	json_decref(r);
	buf_free(&err);
	close(fd);
}

static int
client(const char *path)
{
	struct buf err = BUF_INIT;
	json_t *r, *m;
	int fd, rc;
	char big[400];

	rc = client_call(path, "{\"op\":\"echo\",\"id\":\"a1\",\"x\":5}", &r, &err);
	CHECK(rc == 0 && ipc_reply_check(r, &err) == 0 &&
	    strcmp(json_string_value(json_object_get(r, "id")), "a1") == 0 &&
	    json_integer_value(json_object_get(json_object_get(r, "echo"), "x")) == 5,
	    "server: reply now, with the request's id");
	json_decref(r);

	rc = client_call(path, "{\"op\":\"later\",\"id\":7}", &r, &err);
	CHECK(rc == 0 && json_is_true(json_object_get(r, "later")) &&
	    json_integer_value(json_object_get(r, "id")) == 7,
	    "server: reply later, from a timer");
	json_decref(r);

	buf_reset(&err);
	fd = ipc_connect_unix(path, 1000, &err);
	m = ipc_request("push");
	rc = ipc_call(fd, m, &r, 2000, &err);
	CHECK(rc == 0 && strcmp(ipc_op(r), "pushed") == 0,
	    "server: unsolicited message arrives first");
	json_decref(r);
	next_true(fd, "ok", "server: then the reply, on the same connection");
	json_object_set_new(m, "op", json_string("nosuch"));
	rc = ipc_call(fd, m, &r, 2000, &err);
	buf_reset(&err);
	CHECK(rc == 0 && ipc_reply_check(r, &err) == -1 &&
	    strcmp(err.s, "unknown op nosuch") == 0,
	    "server: several requests on one connection; error reply");
	json_decref(r);
	json_decref(m);
	close(fd);

	/* A peer that half-closes after its request still gets replies. */
	fd = ipc_connect_unix(path, 1000, &err);
	if (write(fd, "{\"op\":\"echo\"}\n{\"op\":\"later\"}\n", 30) != 30)
		return 1;
	shutdown(fd, SHUT_WR);
	next_true(fd, "ok",
	    "server: half-closed peer gets the reply made at once");
	next_true(fd, "later", "server: and the reply made later");
	closed_next(fd, 2000, "server: then the connection is closed");

	/* A later reply to a connection that went away must not crash. */
	fd = ipc_connect_unix(path, 1000, &err);
	m = ipc_request("later");
	ipc_send(fd, m, 1000, &err);
	json_decref(m);
	close(fd);

	fd = ipc_connect_unix(path, 1000, &err);
	if (write(fd, "{bad json}\n", 11) < 0)
		return 1;
	buf_reset(&err);
	rc = ipc_recv(fd, 0, &r, 2000, &err);
	CHECK(rc == 1 && json_is_false(json_object_get(r, "ok")) &&
	    strstr(json_string_value(json_object_get(r, "error")),
	    "message is not valid JSON"),
	    "server: bad JSON gets an error reply");
	json_decref(r);
	closed_next(fd, 2000, "server: then closes the connection");

	fd = ipc_connect_unix(path, 1000, &err);
	memset(big, 'x', sizeof(big));
	if (write(fd, big, sizeof(big)) < 0)
		return 1;
	rc = ipc_recv(fd, 0, &r, 2000, &err);
	CHECK(rc == 1 && strcmp(json_string_value(json_object_get(r, "error")),
	    "message longer than 256 bytes") == 0,
	    "server: a message over its limit gets an error reply");
	json_decref(r);
	closed_next(fd, 2000, "server: and the connection is closed");

	fd = ipc_connect_unix(path, 1000, &err);
	m = ipc_request("close");
	rc = ipc_call(fd, m, &r, 2000, &err);
	json_decref(r);
	json_decref(m);
	closed_next(fd, 2000, "server: handler closes after its reply was sent");

	fd = ipc_connect_unix(path, 1000, &err);
	buf_reset(&err);
	closed_next(fd, 3000, "server: idle connection is closed after idle_ms");

	rc = client_call(path, "{\"op\":\"stop\"}", &r, &err);
	json_decref(r);
	buf_free(&err);
	return unit_failures;
}

static void
test_server(void)
{
	char dir[] = "/tmp/ipc_test.XXXXXX";
	struct sockaddr_un sun;
	struct event_base *base;
	struct ipc_server *srv;
	struct ipc_conn_conf conf;
	int lfd, status;
	pid_t pid;

	if (mkdtemp(dir) == NULL)
		return;
	memset(&sun, 0, sizeof(sun));
	sun.sun_family = AF_UNIX;
	snprintf(sun.sun_path, sizeof(sun.sun_path), "%s/sock", dir);
	lfd = socket(AF_UNIX, SOCK_STREAM, 0);
	if (bind(lfd, (struct sockaddr *)&sun, sizeof(sun)) < 0 ||
	    listen(lfd, 16) < 0) {
		CHECK(0, "listening socket");
		return;
	}
	fflush(stdout);
	if ((pid = fork()) == 0) {
		close(lfd);
		unit_failures = 0;
		_exit(client(sun.sun_path) ? 1 : 0);
	}
	base = event_base_new();
	memset(&conf, 0, sizeof(conf));
	conf.handler = srv_handler;
	conf.on_close = srv_close;
	conf.ctx = base;
	conf.limit = 256;
	conf.idle_ms = 500;
	conf.write_ms = 2000;
	srv = ipc_server_new(base, lfd, &conf);
	event_base_dispatch(base);
	waitpid(pid, &status, 0);
	CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 0,
	    "client saw every server case pass");
	CHECK(closes >= 8, "on_close was called for closed connections");
	ipc_server_free(srv);
	/* Let the pending "later" timer of the vanished client run. */
	event_base_loop(base, 0);
	event_base_free(base);
	close(lfd);
	unlink(sun.sun_path);
	rmdir(dir);
}

int
main(void)
{
	log_init("ipc_test", 0);
	test_framing();
	test_encode();
	test_client();
	test_server();
	return unit_failures ? 1 : 0;
}
