/*
 * rua_test - unit test of httpd/rua.c (report POST rules and body
 * framing) and of the body fields that lib/http.c hands to it.
 * SPDX-License-Identifier: ISC
 */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include "buf.h"
#include "http.h"
#include "rua.h"
#include "unit.h"

static const struct http_limits hlim = { 8192, 64 };
static struct rua_limits lim = { 100 };

static int
out(void *arg, const char *p, size_t n)
{
	buf_append(arg, p, n);
	return 0;
}

static int
out_fail(void *arg, const char *p, size_t n)
{
	(void)arg;
	(void)p;
	(void)n;
	return -1;
}

/* Parses head, checks it: the verdict's status (0: accepted). */
static int
check_head(const char *head, struct http_request *req, struct rua_verdict *v)
{
	if (http_parse(head, strlen(head), &hlim, req) != HTTP_PARSE_DONE)
		return -1;
	rua_check(req, &lim, v);
	return v->status;
}

/*
 * The whole request, its body fed in pieces of step bytes: the result,
 * with the body in body and the status and bytes left over in *status
 * and *rest.
 */
static int
run(const char *text, size_t step, struct buf *body, int *status,
    size_t *rest)
{
	struct http_request req;
	struct rua_verdict v;
	struct rua_body b;
	size_t len = strlen(text), pos, n, used;
	int r = RUA_BODY_MORE;

	buf_reset(body);
	*status = 0;
	if (http_parse(text, len, &hlim, &req) != HTTP_PARSE_DONE ||
	    rua_check(&req, &lim, &v) != 0)
		return -2;
	rua_body_init(&b, &req, &v, &lim);
	for (pos = req.consumed; pos < len; pos += used) {
		n = len - pos < step ? len - pos : step;
		r = rua_body_feed(&b, text + pos, n, &used, out, body);
		if (r != RUA_BODY_MORE) {
			pos += used;
			break;
		}
	}
	*status = b.status;
	*rest = len - pos;
	buf_putc(body, '\0');
	return r;
}

#define JSON_HEAD "POST /tlsrpt HTTP/1.1\r\nHost: a\r\n" \
	"Content-Type: application/tlsrpt+json\r\n"
#define GZIP_HEAD "POST /tlsrpt HTTP/1.1\r\nHost: a\r\n" \
	"Content-Type: application/tlsrpt+gzip\r\n"

static void
test_head(void)
{
	struct http_request req;
	struct rua_verdict v;

	CHECK(check_head(JSON_HEAD "Content-Length: 5\r\n\r\n", &req, &v) == 0 &&
	    !v.gzip && req.has_length && req.content_length == 5,
	    "json report with Content-Length accepted");
	CHECK(check_head("POST /tlsrpt HTTP/1.1\r\nHost: a\r\nContent-Type: "
	    "Application/TLSRPT+Gzip ; charset=x\r\nContent-Length: 5\r\n\r\n",
	    &req, &v) == 0 && v.gzip && v.content_type_len ==
	    strlen("Application/TLSRPT+Gzip ; charset=x"),
	    "media type without case, parameters tolerated, kept as sent");
	CHECK(check_head(GZIP_HEAD "Transfer-Encoding: chunked\r\n"
	    "Expect: 100-continue\r\n\r\n", &req, &v) == 0 && req.chunked &&
	    req.expect_continue, "chunked report with Expect accepted");
	CHECK(check_head("GET /tlsrpt HTTP/1.1\r\nHost: a\r\n\r\n", &req, &v) ==
	    405 && v.why != NULL, "GET: 405");
	CHECK(check_head("PUT /tlsrpt HTTP/1.1\r\nHost: a\r\nContent-Type: "
	    "application/tlsrpt+json\r\nContent-Length: 1\r\n\r\n", &req, &v) ==
	    405, "PUT: 405");
	CHECK(check_head("POST /tlsrpt HTTP/1.1\r\nHost: a\r\nContent-Type: "
	    "application/json\r\nContent-Length: 5\r\n\r\n", &req, &v) == 415 &&
	    strstr(v.why, RUA_TYPE_GZIP) != NULL, "application/json: 415");
	CHECK(check_head("POST /tlsrpt HTTP/1.1\r\nHost: a\r\n"
	    "Content-Length: 5\r\n\r\n", &req, &v) == 415,
	    "no Content-Type: 415");
	CHECK(check_head("POST /tlsrpt HTTP/1.1\r\nHost: a\r\nContent-Type: "
	    "application/tlsrpt+gzipx\r\nContent-Length: 5\r\n\r\n", &req, &v) ==
	    415, "a longer type: 415");
	CHECK(check_head(JSON_HEAD "\r\n", &req, &v) == 411,
	    "no Content-Length: 411");
	CHECK(check_head(JSON_HEAD "Content-Length: 101\r\n\r\n", &req, &v) ==
	    413, "Content-Length over the limit: 413");
	CHECK(check_head(JSON_HEAD "Content-Length: 100\r\n\r\n", &req, &v) ==
	    0, "Content-Length at the limit: accepted");
	CHECK(check_head(JSON_HEAD "Content-Length: 0\r\n\r\n", &req, &v) ==
	    400, "empty body: 400");
	CHECK(check_head(JSON_HEAD "Transfer-Encoding: gzip, chunked\r\n\r\n",
	    &req, &v) == 501, "another transfer coding: 501");
	CHECK(check_head(JSON_HEAD "Transfer-Encoding: chunked\r\n"
	    "Transfer-Encoding: chunked\r\n\r\n", &req, &v) == 501,
	    "two Transfer-Encoding fields: 501");
	CHECK(http_parse(JSON_HEAD "Content-Type: text/plain\r\n\r\n",
	    strlen(JSON_HEAD) + 28, &hlim, &req) == HTTP_PARSE_ERROR &&
	    req.status == 400, "two Content-Type fields: 400");
}

static void
test_body(void)
{
	struct buf body = BUF_INIT;
	size_t rest, step;
	int status, r, all = 1;
	char big[300];

	r = run(JSON_HEAD "Content-Length: 5\r\n\r\nhelloGET /", 1000, &body,
	    &status, &rest);
	CHECK(r == RUA_BODY_DONE && strcmp(body.s, "hello") == 0 && rest == 5,
	    "Content-Length body; the next request left over");
	for (step = 1; step < 8; step++) {
		r = run(JSON_HEAD "Transfer-Encoding: chunked\r\n\r\n"
		    "3;name=\"v\"\r\nhel\r\n2\nlo\n0\r\nX-T: 1\r\n\r\nNEXT",
		    step, &body, &status, &rest);
		all &= r == RUA_BODY_DONE && strcmp(body.s, "hello") == 0 &&
		    rest == 4;
	}
	CHECK(all, "chunked body with extension, bare LF and trailer, "
	    "in pieces of 1 to 7 bytes");
	r = run(GZIP_HEAD "Content-Length: 4\r\n\r\n\x1f\x8b\x08\x01", 1, &body,
	    &status, &rest);
	CHECK(r == RUA_BODY_DONE, "gzip magic accepted");
	r = run(GZIP_HEAD "Content-Length: 4\r\n\r\n{\"a\"", 1, &body, &status,
	    &rest);
	CHECK(r == RUA_BODY_ERROR && status == 400, "gzip without magic: 400");
	r = run(GZIP_HEAD "Transfer-Encoding: chunked\r\n\r\n1\r\n\x1f\r\n0\r\n"
	    "\r\n", 3, &body, &status, &rest);
	CHECK(r == RUA_BODY_ERROR && status == 400, "gzip of one byte: 400");
	snprintf(big, sizeof(big), "%sTransfer-Encoding: chunked\r\n\r\n"
	    "50\r\n%080d\r\n50\r\n", JSON_HEAD, 0);
	r = run(big, 7, &body, &status, &rest);
	CHECK(r == RUA_BODY_ERROR && status == 413,
	    "chunks over the limit: 413 (at the chunk size)");
	r = run(JSON_HEAD "Transfer-Encoding: chunked\r\n\r\nfffffffffffffffff\r\n",
	    2, &body, &status, &rest);
	CHECK(r == RUA_BODY_ERROR && status == 413, "huge chunk size: 413");
	r = run(JSON_HEAD "Transfer-Encoding: chunked\r\n\r\nzz\r\n", 2, &body,
	    &status, &rest);
	CHECK(r == RUA_BODY_ERROR && status == 400, "bad chunk size: 400");
	r = run(JSON_HEAD "Transfer-Encoding: chunked\r\n\r\n2\r\nabc\r\n", 2,
	    &body, &status, &rest);
	CHECK(r == RUA_BODY_ERROR && status == 400, "chunk longer than its size: 400");
	r = run(JSON_HEAD "Transfer-Encoding: chunked\r\n\r\n0\r\n\r\n", 2,
	    &body, &status, &rest);
	CHECK(r == RUA_BODY_ERROR && status == 400, "empty chunked body: 400");
	r = run(JSON_HEAD "Transfer-Encoding: chunked\r\n\r\n2\r\nab", 1, &body,
	    &status, &rest);
	CHECK(r == RUA_BODY_MORE, "chunked body not finished: more");
	{
		struct http_request req;
		struct rua_verdict v;
		struct rua_body b;
		const char *t = JSON_HEAD "Content-Length: 3\r\n\r\nabc";
		size_t used;

		check_head(t, &req, &v);
		rua_body_init(&b, &req, &v, &lim);
		r = rua_body_feed(&b, t + req.consumed, 3, &used, out_fail, NULL);
		CHECK(r == RUA_BODY_ERROR && b.status == 500,
		    "failed output: 500");
	}
	buf_free(&body);
}

int
main(void)
{
	test_head();
	test_body();
	return unit_status();
}
