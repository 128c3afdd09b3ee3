/*
 * http - the HTTP/1.x request parser of httpd (a pure module: no I/O).
 * SPDX-License-Identifier: ISC
 *
 * SYNOPSIS
 *	struct http_limits lim = { 8192, 64 };
 *	struct http_request req;
 *	switch (http_parse(data, len, &lim, &req)) {
 *	case HTTP_PARSE_MORE:	read more, call again with all bytes
 *	case HTTP_PARSE_DONE:	req describes the request; it used
 *				req.consumed bytes of data
 *	case HTTP_PARSE_ERROR:	answer req.status (400, 414, 431, 505),
 *				req.why says why, close the connection
 *	}
 *	http_host_normalize(name, len, out)	lower-case DNS host name
 *	v = http_header_value(head, req.consumed, "cookie", &vlen)
 *
 * DESCRIPTION
 *	http_parse() reads one request head (request line and header
 *	fields, RFC 9112) from the start of data, which holds everything
 *	received so far.  Pointers in req point into data and stay valid
 *	as long as it does: nothing is allocated.  Empty lines before the
 *	request line are skipped; lines may end in CRLF or in a bare LF.
 *	Only origin-form ("/path?query") and absolute-form
 *	("https://host/path") targets are accepted; in absolute form the
 *	authority replaces the Host field.  HTTP/1.1 requests need exactly
 *	one Host field; every request may have at most one.  Obsolete
 *	line folding, white space before a field's colon, control
 *	characters, a Content-Length that is not a number, and a request
 *	with both Content-Length and Transfer-Encoding are refused (400).
 *	A request that announces a body sets has_body; the fields that
 *	frame and describe a body are returned as they are (content_type,
 *	content_length with has_length, chunked when Transfer-Encoding is
 *	exactly "chunked", te_other for any other transfer coding,
 *	expect_continue for "Expect: 100-continue"): judging them is the
 *	caller's (rua.h).  More than one Content-Type field is refused (400).
 *
 *	req.host is the authority's host without a port and without a
 *	trailing dot, still in the case the client sent.
 *
 *	http_header_value() returns the value of the first header field called
 *	field (any case) of a head that http_parse() accepted, without
 *	the white space around it, with its length in *vlen; NULL when
 *	there is none.
 *
 *	http_host_normalize() checks that name is a DNS host name (LDH
 *	labels of 1-63 characters, at most HTTP_HOST_MAX in all; one
 *	trailing dot allowed and dropped) and writes it in lower case to
 *	out, NUL-terminated.  It returns the length, or -1.  It decides
 *	which names may become a path under the certificate directory, so
 *	nothing it accepts contains "/" or "..".
 *
 * LIMITS
 *	The request line and the header block together: lim->header_size
 *	bytes (414 when the request line alone is longer, 431 otherwise);
 *	lim->header_count fields (431).  At most HTTP_LEADING_EMPTY_MAX
 *	empty lines before the request line.
 */
#ifndef STS_HTTPD_HTTP_H
#define STS_HTTPD_HTTP_H

#include <stddef.h>

#define HTTP_HOST_MAX		253	/* a DNS name, without trailing dot */
#define HTTP_LEADING_EMPTY_MAX	4	/* CRLFs tolerated before a request */

#define HTTP_PARSE_MORE		0
#define HTTP_PARSE_DONE		1
#define HTTP_PARSE_ERROR	(-1)

enum http_method {
	HTTP_METHOD_GET,
	HTTP_METHOD_HEAD,
	HTTP_METHOD_OTHER,
};

struct http_limits {
	size_t	 header_size;	/* request line + header fields, bytes */
	int	 header_count;	/* header fields */
};

struct http_request {
	enum http_method method;
	const char *method_name;	/* as sent, for logging */
	size_t	 method_len;
	const char *target;		/* as sent */
	size_t	 target_len;
	const char *path;		/* without query string */
	size_t	 path_len;
	const char *host;		/* NULL when there is none */
	size_t	 host_len;
	int	 minor;			/* HTTP/1.minor: 0 or 1 */
	int	 keep_alive;		/* the client wants the connection kept */
	int	 has_body;		/* Content-Length > 0 or Transfer-Encoding */
	int	 has_length;		/* a Content-Length field came */
	unsigned long long content_length;
	int	 chunked;		/* Transfer-Encoding: chunked */
	int	 te_other;		/* any other Transfer-Encoding */
	int	 expect_continue;	/* Expect: 100-continue */
	const char *content_type;	/* as sent, NULL when there is none */
	size_t	 content_type_len;
	int	 header_count;
	size_t	 consumed;		/* bytes of the request head */
	int	 status;		/* HTTP_PARSE_ERROR: 400, 414, 431, 505 */
	const char *why;		/* HTTP_PARSE_ERROR: a short reason */
};

int	http_parse(const char *data, size_t len, const struct http_limits *,
	    struct http_request *);
int	http_host_normalize(const char *name, size_t len,
	    char out[HTTP_HOST_MAX + 1]);
const char *http_reason(int status);
const char *http_header_value(const char *head, size_t len,
	    const char *field,
	    size_t *vlen);

#endif
