/*
 * rua - report POST rules and body framing; the interface is rua.h.
 * SPDX-License-Identifier: ISC
 *
 * rua_body_feed() is a byte-level state machine over what arrived, so
 * that a body may come split anywhere (a chunk-size line across two
 * TLS records, one byte per packet) without being buffered: data
 * bytes go to out() as slices of the input.  It touches nothing but
 * its arguments; out() is the caller's.
 */
#include "config.h"

#include <string.h>
#include <strings.h>

#include "rua.h"

static int
rua_fail(struct rua_verdict *v, int status, const char *why)
{
	v->status = status;
	v->why = why;
	return -1;
}

static int
rua_body_fail(struct rua_body *b, int status, const char *why)
{
	b->state = RUA_BODY_FAILED;
	b->status = status;
	b->why = why;
	return RUA_BODY_ERROR;
}

/* "type/subtype" before any ";" and white space, without case. */
int
rua_media_type(const char *v, size_t len)
{
	size_t n = 0;

	if (v == NULL)
		return -1;
	while (n < len && v[n] != ';')
		n++;
	while (n > 0 && (v[n - 1] == ' ' || v[n - 1] == '\t'))
		n--;
	if (n == strlen(RUA_TYPE_GZIP) && strncasecmp(v, RUA_TYPE_GZIP, n) == 0)
		return 1;
	if (n == strlen(RUA_TYPE_JSON) && strncasecmp(v, RUA_TYPE_JSON, n) == 0)
		return 0;
	return -1;
}

int
rua_check(const struct http_request *req, const struct rua_limits *lim,
    struct rua_verdict *v)
{
	int type;

	memset(v, 0, sizeof(*v));
	if (req->method_len != 4 || memcmp(req->method_name, "POST", 4) != 0)
		return rua_fail(v, 405, "reports are sent with POST");
	if ((type = rua_media_type(req->content_type,
	    req->content_type_len)) < 0)
		return rua_fail(v, 415, "Content-Type must be "
		    RUA_TYPE_GZIP " or " RUA_TYPE_JSON);
	v->gzip = type;
	v->content_type = req->content_type;
	v->content_type_len = req->content_type_len;
	if (req->te_other)
		return rua_fail(v, 501, "only the chunked transfer coding is "
		    "supported");
	if (!req->chunked && !req->has_length)
		return rua_fail(v, 411, "Content-Length or chunked "
		    "Transfer-Encoding required");
	if (req->has_length && req->content_length > lim->body_size)
		return rua_fail(v, 413, "report larger than the size limit");
	if (req->has_length && req->content_length == 0)
		return rua_fail(v, 400, "empty report");
	return 0;
}

void
rua_body_init(struct rua_body *b, const struct http_request *req,
    const struct rua_verdict *v, const struct rua_limits *lim)
{
	memset(b, 0, sizeof(*b));
	b->chunked = req->chunked;
	b->gzip = v->gzip;
	b->limit = lim->body_size;
	if (b->chunked) {
		b->state = RUA_BODY_SIZE;
	} else {
		b->state = RUA_BODY_DATA;
		b->left = req->content_length;
	}
}

/* The body is complete: is it what its type says? */
static int
rua_body_finish(struct rua_body *b)
{
	if (b->total == 0)
		return rua_body_fail(b, 400, "empty report");
	if (b->gzip && b->nmagic < 2)
		return rua_body_fail(b, 400, "not gzip data");
	b->state = RUA_BODY_FINISHED;
	return RUA_BODY_DONE;
}

/* Passes n data bytes to out, checking the size and the gzip magic. */
static int
rua_body_data(struct rua_body *b, const char *p, size_t n, rua_out_fn out,
    void *arg)
{
	size_t i;

	if (n > b->limit - b->total)
		return rua_body_fail(b, 413, "report larger than the size limit");
	for (i = 0; i < n && b->nmagic < 2; i++)
		b->magic[b->nmagic++] = (unsigned char)p[i];
	if (b->gzip && b->nmagic == 2 &&
	    (b->magic[0] != 0x1f || b->magic[1] != 0x8b))
		return rua_body_fail(b, 400, "not gzip data");
	b->total += n;
	if (out(arg, p, n) != 0)
		return rua_body_fail(b, 500, "report not stored");
	return 0;
}

/* One byte of a chunk-size line: digits, then extensions, then LF. */
static int
rua_body_size_byte(struct rua_body *b, unsigned char c)
{
	int d;

	if (++b->line > RUA_CHUNK_LINE_MAX)
		return rua_body_fail(b, 400, "chunk size line too long");
	if (c == '\n') {
		if (b->digits == 0)
			return rua_body_fail(b, 400, "bad chunk size");
		b->line = 0;
		b->cr = 0;
		if (b->size == 0) {
			b->state = RUA_BODY_TRAILER;
			return 0;
		}
		if (b->size > b->limit - b->total)
			return rua_body_fail(b, 413,
			    "report larger than the size limit");
		b->left = b->size;
		b->state = RUA_BODY_DATA;
		return 0;
	}
	if (b->cr)
		return rua_body_fail(b, 400, "bare CR in chunk size line");
	if (c == '\r') {
		b->cr = 1;
		return 0;
	}
	if (b->state == RUA_BODY_EXT) {
		if (c < 0x20 && c != '\t')
			return rua_body_fail(b, 400,
			    "control character in chunk extension");
		return 0;
	}
	if (c >= '0' && c <= '9')
		d = c - '0';
	else if (c >= 'a' && c <= 'f')
		d = c - 'a' + 10;
	else if (c >= 'A' && c <= 'F')
		d = c - 'A' + 10;
	else if (b->digits > 0 && (c == ';' || c == ' ' || c == '\t')) {
		b->state = RUA_BODY_EXT;
		return 0;
	} else
		return rua_body_fail(b, 400, "bad chunk size");
	if (++b->digits > RUA_CHUNK_DIGITS_MAX)
		return rua_body_fail(b, 413, "report larger than the size limit");
	b->size = b->size * 16 + (unsigned)d;
	return 0;
}

/* CRLF (or LF) after a chunk's data. */
static int
rua_body_data_end_byte(struct rua_body *b, unsigned char c)
{
	if (c == '\r' && !b->cr) {
		b->cr = 1;
		return 0;
	}
	if (c != '\n')
		return rua_body_fail(b, 400, "chunk data not followed by CRLF");
	b->cr = 0;
	b->size = 0;
	b->digits = 0;
	b->line = 0;
	b->state = RUA_BODY_SIZE;
	return 0;
}

/* Trailer fields are skipped up to the empty line that ends the body. */
static int
rua_body_trailer_byte(struct rua_body *b, unsigned char c)
{
	if (++b->trailer > RUA_TRAILER_MAX)
		return rua_body_fail(b, 400, "trailer section too large");
	if (c == '\n') {
		if (b->line == 0)
			return rua_body_finish(b);
		b->line = 0;
		b->cr = 0;
		return 0;
	}
	if (c == '\r' && !b->cr) {
		b->cr = 1;
		return 0;
	}
	if (b->cr || (c < 0x20 && c != '\t') || c == 0x7f)
		return rua_body_fail(b, 400, "bad trailer field");
	b->line++;
	return 0;
}

int
rua_body_feed(struct rua_body *b, const char *data, size_t len, size_t *used,
    rua_out_fn out, void *arg)
{
	size_t pos = 0, n;
	int r = 0;

	*used = 0;
	if (b->state == RUA_BODY_FAILED)
		return RUA_BODY_ERROR;
	if (b->state == RUA_BODY_FINISHED)
		return RUA_BODY_DONE;
	if (b->state == RUA_BODY_DATA && !b->chunked && b->left == 0)
		return rua_body_finish(b);
	while (pos < len) {
		unsigned char c = (unsigned char)data[pos];

		switch (b->state) {
		case RUA_BODY_DATA:
			n = len - pos;
			if (n > b->left)
				n = (size_t)b->left;
			if (rua_body_data(b, data + pos, n, out, arg) != 0)
				return RUA_BODY_ERROR;
			b->left -= n;
			pos += n;
			if (b->left == 0) {
				if (!b->chunked) {
					*used = pos;
					return rua_body_finish(b);
				}
				b->state = RUA_BODY_DATA_END;
			}
			continue;
		case RUA_BODY_SIZE:
		case RUA_BODY_EXT:
			r = rua_body_size_byte(b, c);
			break;
		case RUA_BODY_DATA_END:
			r = rua_body_data_end_byte(b, c);
			break;
		case RUA_BODY_TRAILER:
			r = rua_body_trailer_byte(b, c);
			break;
		case RUA_BODY_FINISHED:
		case RUA_BODY_FAILED:
			break;
		}
		pos++;
		if (r == RUA_BODY_ERROR)
			return RUA_BODY_ERROR;
		if (r == RUA_BODY_DONE) {
			*used = pos;
			return RUA_BODY_DONE;
		}
	}
	*used = pos;
	return RUA_BODY_MORE;
}
