/*
 * fuzz_rua - libFuzzer target for httpd's report POST handling: the
 * request head (http_parse), its judgement (rua_check) and the framing
 * of its body (rua_body_feed: Content-Length or chunked, size limit,
 * gzip magic).
 * SPDX-License-Identifier: ISC
 *
 * The first input byte chooses a body size limit and how the rest of
 * the input is cut into pieces; the body is then fed twice, in those
 * pieces and in one piece, and the two runs must agree: the same
 * result, the same status, the same body bytes, the same bytes used.
 * Aborts also when a result breaks the interface's promises: a body
 * larger than the limit, bytes used beyond the input, a refusal
 * without a reason or with a status that rua.h does not list, an
 * accepted gzip report that does not start with 1f 8b.
 */
#include "config.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "http.h"
#include "../../httpd/rua.h"

#define FUZZ_BODY_MAX	(64 * 1024)

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

struct fuzz_sink {
	char	 data[FUZZ_BODY_MAX];
	size_t	 len;
};

static int
fuzz_out(void *arg, const char *p, size_t n)
{
	struct fuzz_sink *s = arg;

	if (n == 0 || n > sizeof(s->data) - s->len)
		abort();		/* the limit is below FUZZ_BODY_MAX */
	memcpy(s->data + s->len, p, n);
	s->len += n;
	return 0;
}

/* Feeds data in pieces of at most step bytes; returns the result. */
static int
fuzz_feed(const struct http_request *req, const struct rua_verdict *v,
    const struct rua_limits *lim, const char *data, size_t len, size_t step,
    struct fuzz_sink *sink, size_t *total_used, int *status)
{
	struct rua_body b;
	size_t pos = 0, n, used;
	int r = RUA_BODY_MORE;

	rua_body_init(&b, req, v, lim);
	sink->len = 0;
	while (pos < len) {
		n = len - pos < step ? len - pos : step;
		r = rua_body_feed(&b, data + pos, n, &used, fuzz_out, sink);
		if (used > n)
			abort();
		pos += used;
		if (r != RUA_BODY_MORE)
			break;
		if (used != n)
			abort();
	}
	*total_used = pos;
	*status = b.status;
	if (r == RUA_BODY_ERROR && (b.why == NULL || (b.status != 400 &&
	    b.status != 413)))
		abort();
	if (sink->len > lim->body_size)
		abort();
	if (r == RUA_BODY_DONE && v->gzip && (sink->len < 2 ||
	    (unsigned char)sink->data[0] != 0x1f ||
	    (unsigned char)sink->data[1] != 0x8b))
		abort();
	return r;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t len)
{
	static const struct http_limits hlim = { 8192, 64 };
	static struct fuzz_sink one, many;
	struct rua_limits lim;
	struct http_request req;
	struct rua_verdict v;
	const char *s = (const char *)data + 1;
	size_t slen, step, used1, used2;
	int r1, r2, st1, st2;

	if (len < 1)
		return 0;
	lim.body_size = 1 + (data[0] & 0x0f) * 1024;	/* 1 .. 15361 */
	step = 1 + (data[0] >> 4);
	slen = len - 1;
	if (http_parse(s, slen, &hlim, &req) != HTTP_PARSE_DONE)
		return 0;
	if (rua_check(&req, &lim, &v) != 0) {
		if (v.why == NULL || (v.status != 400 && v.status != 405 &&
		    v.status != 411 && v.status != 413 && v.status != 415 &&
		    v.status != 501))
			abort();
		return 0;
	}
	if (req.content_type == NULL || (!req.chunked && !req.has_length) ||
	    (req.has_length && req.content_length > lim.body_size))
		abort();
	r1 = fuzz_feed(&req, &v, &lim, s + req.consumed, slen - req.consumed,
	    slen, &one, &used1, &st1);
	r2 = fuzz_feed(&req, &v, &lim, s + req.consumed, slen - req.consumed,
	    step, &many, &used2, &st2);
	if (r1 != r2 || st1 != st2)
		abort();
	if (r1 == RUA_BODY_DONE && (used1 != used2 || one.len != many.len ||
	    memcmp(one.data, many.data, one.len) != 0))
		abort();
	if (r1 == RUA_BODY_DONE && !req.chunked &&
	    one.len != req.content_length)
		abort();
	return 0;
}
