/*
 * rua - the rules of a TLS report POST (RFC 8460 section 3, rua=https:)
 *	and the framing of its body (a pure module: no I/O).
 * SPDX-License-Identifier: ISC
 *
 * SYNOPSIS
 *	struct rua_limits lim = { body_size_limit };
 *	struct rua_verdict v;
 *	struct rua_body b;
 *
 *	if (rua_check(&req, &lim, &v) != 0)
 *		answer v.status (405, 411, 413, 415, 400, 501) with v.why
 *	rua_body_init(&b, &req, &v, &lim);
 *	switch (rua_body_feed(&b, data, len, &used, out, arg)) {
 *	case RUA_BODY_MORE:	all of data used; feed what comes next
 *	case RUA_BODY_DONE:	the body ended after used bytes (the rest
 *				is the next request)
 *	case RUA_BODY_ERROR:	answer b.status with b.why, close
 *	}
 *
 * DESCRIPTION
 *	rua_check() judges the head of a request for the report path:
 *	the method must be POST (else 405, Allow: POST); Content-Type
 *	must be application/tlsrpt+gzip or application/tlsrpt+json,
 *	without regard to case, parameters after ";" ignored (else 415);
 *	a transfer coding other than a lone "chunked" gets 501; without
 *	Content-Length or chunked coding 411; a Content-Length over
 *	lim->body_size gets 413 and one of 0 gets 400.  v.gzip says
 *	which of the two types it is; v.content_type and its length are
 *	the field as sent, for the spool.
 *
 *	rua_body_feed() takes the bytes that follow the head, as they
 *	come, in pieces of any size, and calls out(arg, p, n) with the
 *	body's bytes (chunked coding removed) in order; out returns 0,
 *	or -1 to stop (rua_body_feed then returns RUA_BODY_ERROR with
 *	status 500).  It refuses (b.status, b.why): a body that grows
 *	over lim->body_size (413), a gzip body that does not start with
 *	the gzip magic 1f 8b (400), malformed chunked coding (400).
 *	Chunk sizes are hexadecimal (at most RUA_CHUNK_DIGITS_MAX
 *	digits), chunk extensions and trailer fields are skipped, and
 *	lines may end in CRLF or a bare LF, as request heads may.
 *
 * LIMITS
 *	A chunk-size line (with its extensions): RUA_CHUNK_LINE_MAX
 *	bytes; the trailer section: RUA_TRAILER_MAX bytes.
 */
#ifndef STS_HTTPD_RUA_H
#define STS_HTTPD_RUA_H

#include <stddef.h>

#include "http.h"

#define RUA_TYPE_GZIP		"application/tlsrpt+gzip"
#define RUA_TYPE_JSON		"application/tlsrpt+json"
#define RUA_CHUNK_LINE_MAX	1024	/* chunk size and extensions */
#define RUA_CHUNK_DIGITS_MAX	15	/* hex digits of a chunk size */
#define RUA_TRAILER_MAX		8192	/* bytes of trailer fields */

#define RUA_BODY_MORE		0
#define RUA_BODY_DONE		1
#define RUA_BODY_ERROR		(-1)

struct rua_limits {
	unsigned long long body_size;	/* message_size_limit */
};

struct rua_verdict {
	int	 status;		/* 0: accepted; else the answer */
	const char *why;		/* a short reason, for the answer */
	int	 gzip;			/* application/tlsrpt+gzip */
	const char *content_type;	/* as sent */
	size_t	 content_type_len;
};

enum rua_body_state {
	RUA_BODY_DATA,			/* Content-Length bytes, or a chunk */
	RUA_BODY_SIZE,			/* chunk-size digits */
	RUA_BODY_EXT,			/* rest of the chunk-size line */
	RUA_BODY_DATA_END,		/* CRLF after a chunk's data */
	RUA_BODY_TRAILER,		/* trailer fields, to the empty line */
	RUA_BODY_FINISHED,
	RUA_BODY_FAILED,
};

struct rua_body {
	enum rua_body_state state;
	int	 chunked;
	int	 gzip;
	unsigned long long limit;	/* body bytes allowed */
	unsigned long long total;	/* body bytes passed to out */
	unsigned long long left;	/* of the Content-Length or chunk */
	unsigned long long size;	/* chunk size being read */
	int	 digits;		/* of size */
	size_t	 line;			/* bytes of the current line */
	size_t	 trailer;		/* bytes of the trailer section */
	int	 cr;			/* a CR ended the data or a line */
	unsigned char magic[2];		/* the body's first two bytes */
	int	 nmagic;
	int	 status;		/* RUA_BODY_ERROR: 400, 413, 500 */
	const char *why;
};

typedef int (*rua_out_fn)(void *arg, const char *data, size_t len);

int	rua_check(const struct http_request *, const struct rua_limits *,
	    struct rua_verdict *);
int	rua_media_type(const char *v, size_t len);	/* 1 gzip, 0 json, -1 */
void	rua_body_init(struct rua_body *, const struct http_request *,
	    const struct rua_verdict *, const struct rua_limits *);
int	rua_body_feed(struct rua_body *, const char *data, size_t len,
	    size_t *used, rua_out_fn out, void *arg);

#endif
