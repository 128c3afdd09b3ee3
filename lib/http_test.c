/*
 * http_test - unit test of the httpd request parser (lib/http.c).
 * SPDX-License-Identifier: ISC
 *
 * Feeds request heads to http_parse() whole and byte by byte, and
 * checks the result, the fields found and the error status of every
 * refusal.  Prints "ok - ..." / "not ok - ..." per case.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "http.h"
#include "unit.h"

static const struct http_limits lim = { 8192, 64 };

static int
parse(const char *s, struct http_request *req)
{
	return http_parse(s, strlen(s), &lim, req);
}

static int
eqn(const char *p, size_t len, const char *want)
{
	return p != NULL && strlen(want) == len && memcmp(p, want, len) == 0;
}

/* A head fed one byte at a time is MORE until its last byte, then DONE. */
static void
test_incremental(void)
{
	const char *s = "GET /.well-known/mta-sts.txt HTTP/1.1\r\n"
	    "Host: mta-sts.example.com\r\n\r\nGET / HTTP/1.1\r\n";
	size_t head = strstr(s, "\r\n\r\n") + 4 - s, i;
	struct http_request req;
	int bad = 0;

	for (i = 0; i < head; i++)
		if (http_parse(s, i, &lim, &req) != HTTP_PARSE_MORE)
			bad++;
	CHECK(bad == 0, "incomplete head: need more at every length");
	CHECK(http_parse(s, strlen(s), &lim, &req) == HTTP_PARSE_DONE &&
	    req.consumed == head, "complete head: consumed stops at its end "
	    "(pipelined request left)");
}

static void
test_good(void)
{
	struct http_request req;

	CHECK(parse("GET /.well-known/mta-sts.txt HTTP/1.1\r\n"
	    "Host: MTA-STS.Example.COM.:443\r\nUser-Agent: x\r\n\r\n",
	    &req) == HTTP_PARSE_DONE, "GET HTTP/1.1 parsed");
	CHECK(req.method == HTTP_METHOD_GET, "method GET");
	CHECK(eqn(req.path, req.path_len, "/.well-known/mta-sts.txt"), "path");
	CHECK(eqn(req.host, req.host_len, "MTA-STS.Example.COM"),
	    "host without port and trailing dot");
	CHECK(req.minor == 1 && req.keep_alive && !req.has_body,
	    "HTTP/1.1 keeps alive by default");
	CHECK(req.header_count == 2, "two header fields counted");

	CHECK(parse("HEAD /x?y=1 HTTP/1.0\n\n", &req) == HTTP_PARSE_DONE &&
	    req.method == HTTP_METHOD_HEAD && req.minor == 0 &&
	    !req.keep_alive && req.host == NULL && eqn(req.path, req.path_len,
	    "/x"), "HEAD HTTP/1.0 with bare LF, no Host, query dropped");
	CHECK(parse("GET / HTTP/1.0\r\nConnection: Keep-Alive\r\n\r\n", &req) ==
	    HTTP_PARSE_DONE && req.keep_alive,
	    "HTTP/1.0 with Connection: keep-alive");
	CHECK(parse("GET / HTTP/1.1\r\nHost: a\r\nConnection: foo, close\r\n\r\n",
	    &req) == HTTP_PARSE_DONE && !req.keep_alive,
	    "HTTP/1.1 with Connection: close in a list");
	CHECK(parse("\r\n\r\nGET / HTTP/1.1\r\nHost: a\r\n\r\n", &req) ==
	    HTTP_PARSE_DONE, "leading empty lines skipped");
	CHECK(parse("POST /.well-known/mta-sts.txt HTTP/1.1\r\nHost: a\r\n"
	    "Content-Length: 5\r\n\r\nhello", &req) == HTTP_PARSE_DONE &&
	    req.method == HTTP_METHOD_OTHER && req.has_body &&
	    eqn(req.method_name, req.method_len, "POST"),
	    "POST with a body: other method, has_body");
	CHECK(parse("GET https://Mta-Sts.example.com:8443/.well-known/mta-sts.txt"
	    " HTTP/1.1\r\nHost: other.example\r\n\r\n", &req) == HTTP_PARSE_DONE &&
	    eqn(req.host, req.host_len, "Mta-Sts.example.com") &&
	    eqn(req.path, req.path_len, "/.well-known/mta-sts.txt"),
	    "absolute-form target: its authority replaces Host");
	CHECK(parse("GET http://a.example HTTP/1.1\r\nHost: a.example\r\n\r\n",
	    &req) == HTTP_PARSE_DONE && eqn(req.path, req.path_len, "/"),
	    "absolute-form without path: path /");
	CHECK(parse("GET / HTTP/1.1\r\nHost: [::1]:80\r\n\r\n", &req) ==
	    HTTP_PARSE_DONE && eqn(req.host, req.host_len, "[::1]"),
	    "IPv6 literal Host");
	CHECK(parse("GET / HTTP/1.9\r\nHost: a\r\n\r\n", &req) ==
	    HTTP_PARSE_DONE && req.minor == 1, "HTTP/1.9 handled as 1.1");
	CHECK(parse("GET / HTTP/1.1\r\nHost: a\r\nX:\r\n\r\n", &req) ==
	    HTTP_PARSE_DONE, "empty field value");
}

struct bad {
	const char *head;
	int	 status;
	const char *what;
};

static void
test_bad(void)
{
	static const struct bad bad[] = {
		{ "GET /\r\n\r\n", 400, "HTTP/0.9 request line" },
		{ "GET  / HTTP/1.1\r\nHost: a\r\n\r\n", 400, "two spaces" },
		{ "GET / HTTP/1.1 \r\nHost: a\r\n\r\n", 400, "trailing space" },
		{ "G(T / HTTP/1.1\r\nHost: a\r\n\r\n", 400, "bad method token" },
		{ "GET / HTTP/1.1\rX\r\nHost: a\r\n\r\n", 400, "bare CR in request line" },
		{ "GET /a\x01 HTTP/1.1\r\nHost: a\r\n\r\n", 400, "control character in target" },
		{ "GET /\xc3\xa9 HTTP/1.1\r\nHost: a\r\n\r\n", 400, "non-ASCII target" },
		{ "GET x HTTP/1.1\r\nHost: a\r\n\r\n", 400, "target not starting with /" },
		{ "GET https://u@a/ HTTP/1.1\r\nHost: a\r\n\r\n", 400, "userinfo in target" },
		{ "GET / HTTP/1.1\r\n\r\n", 400, "HTTP/1.1 without Host" },
		{ "GET / HTTP/1.1\r\nHost: a\r\nHost: a\r\n\r\n", 400, "two Host fields" },
		{ "GET / HTTP/1.1\r\nHost:\r\n\r\n", 400, "empty Host" },
		{ "GET / HTTP/1.1\r\nHost: a/b\r\n\r\n", 400, "slash in Host" },
		{ "GET / HTTP/1.1\r\nHost: a:8x\r\n\r\n", 400, "bad port in Host" },
		{ "GET / HTTP/1.1\r\nHost: [::1\r\n\r\n", 400, "unclosed IPv6 literal" },
		{ "GET / HTTP/1.1\r\nHost : a\r\n\r\n", 400, "space before colon" },
		{ "GET / HTTP/1.1\r\nHost: a\r\n folded\r\n\r\n", 400, "obsolete line folding" },
		{ "GET / HTTP/1.1\r\nHost: a\r\nX: a\x01\r\n\r\n", 400, "control character in value" },
		{ "GET / HTTP/1.1\r\nHost: a\r\nNoColon\r\n\r\n", 400, "field without colon" },
		{ "GET / HTTP/1.1\r\nHost: a\r\nContent-Length: 1x\r\n\r\n", 400, "bad Content-Length" },
		{ "GET / HTTP/1.1\r\nHost: a\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\n", 400, "conflicting Content-Length" },
		{ "POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 1\r\nTransfer-Encoding: chunked\r\n\r\n", 400, "Content-Length with Transfer-Encoding" },
		{ "GET / HTTP/2.0\r\nHost: a\r\n\r\n", 505, "HTTP/2.0 request line" },
		{ "GET / HTTP/1.x\r\nHost: a\r\n\r\n", 400, "bad version" },
		{ "\r\n\r\n\r\n\r\n\r\nGET / HTTP/1.1\r\n\r\n", 400, "too many empty lines" },
	};
	struct http_request req;
	char what[256];
	size_t i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		int r = parse(bad[i].head, &req);

		snprintf(what, sizeof(what), "refused with %d: %s (%s)",
		    bad[i].status, bad[i].what,
		    r == HTTP_PARSE_ERROR ? req.why : "not refused");
		CHECK(r == HTTP_PARSE_ERROR && req.status == bad[i].status,
		    "%s", what);
	}
}

static void
test_limits(void)
{
	struct http_request req;
	char *s = malloc(20000);
	size_t n;
	int i;

	/* A request line longer than the limit, never terminated: 414. */
	memcpy(s, "GET /", 5);
	memset(s + 5, 'a', 9000);
	CHECK(http_parse(s, 9005, &lim, &req) == HTTP_PARSE_ERROR &&
	    req.status == 414, "request line over the limit: 414");
	CHECK(http_parse(s, 8000, &lim, &req) == HTTP_PARSE_MORE,
	    "long request line under the limit: need more");

	/* A header block over the limit: 431. */
	n = (size_t)sprintf(s, "GET / HTTP/1.1\r\nHost: a\r\nX: ");
	memset(s + n, 'b', 10000);
	CHECK(http_parse(s, n + 10000, &lim, &req) == HTTP_PARSE_ERROR &&
	    req.status == 431, "header block over the limit: 431");

	/* A head that ends exactly at the limit is accepted. */
	n = (size_t)sprintf(s, "GET / HTTP/1.1\r\nHost: a\r\nX: ");
	memset(s + n, 'c', lim.header_size - n - 4);
	memcpy(s + lim.header_size - 4, "\r\n\r\n", 4);
	CHECK(http_parse(s, lim.header_size, &lim, &req) == HTTP_PARSE_DONE &&
	    req.consumed == lim.header_size, "head of exactly the limit accepted");

	/* Too many fields: 431. */
	n = (size_t)sprintf(s, "GET / HTTP/1.1\r\nHost: a\r\n");
	for (i = 0; i < 70; i++)
		n += (size_t)sprintf(s + n, "X%d: y\r\n", i);
	n += (size_t)sprintf(s + n, "\r\n");
	CHECK(http_parse(s, n, &lim, &req) == HTTP_PARSE_ERROR &&
	    req.status == 431, "more fields than the limit: 431");
	free(s);
}

static void
test_host_normalize(void)
{
	char out[HTTP_HOST_MAX + 1];
	char big[300];

	CHECK(http_host_normalize("MTA-STS.Example.COM.", 20, out) == 19 &&
	    strcmp(out, "mta-sts.example.com") == 0,
	    "host normalized: lower case, trailing dot dropped");
	CHECK(http_host_normalize("../etc", 6, out) == -1, "\"../etc\" refused");
	CHECK(http_host_normalize("a/b", 3, out) == -1, "\"a/b\" refused");
	CHECK(http_host_normalize("a..b", 4, out) == -1, "empty label refused");
	CHECK(http_host_normalize(".a", 2, out) == -1, "leading dot refused");
	CHECK(http_host_normalize("-a.b", 4, out) == -1, "leading hyphen refused");
	CHECK(http_host_normalize("a-.b", 4, out) == -1, "trailing hyphen refused");
	CHECK(http_host_normalize("", 0, out) == -1, "empty name refused");
	memset(big, 'a', sizeof(big));
	CHECK(http_host_normalize(big, 64, out) == -1, "64-character label refused");
	CHECK(http_host_normalize(big, 63, out) == 63, "63-character label accepted");
	CHECK(http_host_normalize("[::1]", 5, out) == -1, "IP literal refused");
}

int
main(void)
{
	test_good();
	test_incremental();
	test_bad();
	test_limits();
	test_host_normalize();
	CHECK(strcmp(http_reason(421), "Misdirected Request") == 0,
	    "reason phrase of 421");
	return unit_status();
}
