/*
 * http - the HTTP/1.x request parser of httpd and the metrics worker.
 * SPDX-License-Identifier: ISC
 *
 * See http.h for the interface.  The parser is a single pass over the
 * bytes received so far; it is run again from the start when more
 * arrive (the head is at most a few KiB, so this costs less than
 * keeping state between calls).  It touches nothing but its arguments.
 */
#include "config.h"

#include <string.h>
#include <strings.h>

#include "http.h"

#define HTTP_LABEL_MAX	63

/* Character classes, RFC 9110 section 5.6.2 (tchar) and 5.5 (field-vchar). */
static int
http_tchar(unsigned char c)
{
	if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	    (c >= '0' && c <= '9'))
		return 1;
	return c != '\0' && strchr("!#$%&'*+-.^_`|~", c) != NULL;
}

static int
http_lower(int c)
{
	return c >= 'A' && c <= 'Z' ? c + ('a' - 'A') : c;
}

/* Case-insensitive compare of a counted string with a C string. */
static int
http_ieq(const char *s, size_t len, const char *lit)
{
	size_t i;

	for (i = 0; i < len; i++)
		if (lit[i] == '\0' || http_lower((unsigned char)s[i]) !=
		    http_lower((unsigned char)lit[i]))
			return 0;
	return lit[len] == '\0';
}

static int
http_fail(struct http_request *req, int status, const char *why)
{
	req->status = status;
	req->why = why;
	return HTTP_PARSE_ERROR;
}

/*
 * Finds the end of the line that starts at data[pos]: sets *eol to the
 * offset of its terminator and *next to the start of the next line.
 * Returns 0 when the line is not complete within len bytes.
 */
static int
http_line(const char *data, size_t len, size_t pos, size_t *eol, size_t *next)
{
	const char *nl = memchr(data + pos, '\n', len - pos);
	size_t end;

	if (nl == NULL)
		return 0;
	end = (size_t)(nl - data);
	*next = end + 1;
	if (end > pos && data[end - 1] == '\r')
		end--;
	*eol = end;
	return 1;
}

/*
 * Splits "host[:port]" or "[v6]:port" into the host part, checking its
 * syntax (reg-name or IP literal, RFC 3986) and dropping one trailing
 * dot.  Returns 0, or -1 on bad syntax.
 */
static int
http_authority(const char *s, size_t len, const char **host, size_t *host_len)
{
	size_t i, hlen;

	if (len == 0)
		return -1;
	if (s[0] == '[') {
		for (i = 1; i < len && s[i] != ']'; i++)
			if (!((s[i] >= '0' && s[i] <= '9') ||
			    (http_lower((unsigned char)s[i]) >= 'a' &&
			    http_lower((unsigned char)s[i]) <= 'f') ||
			    s[i] == ':' || s[i] == '.'))
				return -1;
		if (i == len)
			return -1;
		hlen = i + 1;
	} else {
		for (i = 0; i < len && s[i] != ':'; i++) {
			unsigned char c = (unsigned char)s[i];

			if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
			    (c >= '0' && c <= '9') || c == '-' || c == '.' ||
			    c == '_' || c == '~'))
				return -1;
		}
		hlen = i;
		if (hlen == 0)
			return -1;
	}
	if (hlen < len) {
		if (s[hlen] != ':')
			return -1;
		for (i = hlen + 1; i < len; i++)
			if (s[i] < '0' || s[i] > '9')
				return -1;
	}
	if (s[0] != '[' && hlen > 1 && s[hlen - 1] == '.')
		hlen--;
	*host = s;
	*host_len = hlen;
	return 0;
}

/* The request target: origin-form or absolute-form (RFC 9112 3.2). */
static int
http_target(struct http_request *req)
{
	const char *t = req->target, *end = t + req->target_len, *a, *p, *q;
	size_t skip;

	if (t[0] == '/') {
		p = t;
	} else {
		if (req->target_len > 7 && http_ieq(t, 7, "http://"))
			skip = 7;
		else if (req->target_len > 8 && http_ieq(t, 8, "https://"))
			skip = 8;
		else
			return http_fail(req, 400, "bad request target");
		a = t + skip;
		for (p = a; p < end && *p != '/' && *p != '?'; p++)
			if (*p == '@')
				return http_fail(req, 400,
				    "user information in request target");
		if (http_authority(a, (size_t)(p - a), &req->host,
		    &req->host_len) != 0)
			return http_fail(req, 400, "bad host in request target");
		if (p == end || *p == '?') {
			req->path = "/";
			req->path_len = 1;
			return 0;
		}
	}
	q = memchr(p, '?', (size_t)(end - p));
	req->path = p;
	req->path_len = (size_t)((q ? q : end) - p);
	return 0;
}

/* "METHOD SP target SP HTTP/1.x", RFC 9112 section 3. */
static int
http_request_line(const char *s, size_t len, struct http_request *req)
{
	const char *sp1, *sp2, *v;
	size_t i, vlen;

	for (i = 0; i < len && http_tchar((unsigned char)s[i]); i++)
		;
	if (i == 0 || i == len || s[i] != ' ')
		return http_fail(req, 400, "bad request line");
	sp1 = s + i;
	req->method_name = s;
	req->method_len = i;
	if (i == 3 && memcmp(s, "GET", 3) == 0)
		req->method = HTTP_METHOD_GET;
	else if (i == 4 && memcmp(s, "HEAD", 4) == 0)
		req->method = HTTP_METHOD_HEAD;
	else
		req->method = HTTP_METHOD_OTHER;

	req->target = sp1 + 1;
	for (sp2 = req->target; sp2 < s + len; sp2++) {
		unsigned char c = (unsigned char)*sp2;

		if (c == ' ')
			break;
		if (c <= 0x20 || c >= 0x7f)
			return http_fail(req, 400, "bad character in request target");
	}
	if (sp2 == req->target || sp2 == s + len)
		return http_fail(req, 400, "bad request line");
	req->target_len = (size_t)(sp2 - req->target);

	v = sp2 + 1;
	vlen = (size_t)(s + len - v);
	if (vlen != 8 || memcmp(v, "HTTP/", 5) != 0 || v[6] != '.' ||
	    v[5] < '0' || v[5] > '9' || v[7] < '0' || v[7] > '9')
		return http_fail(req, 400, "bad HTTP version");
	if (v[5] != '1')
		return http_fail(req, 505, "unsupported HTTP version");
	req->minor = v[7] == '0' ? 0 : 1;
	return http_target(req);
}

/* Connection: a comma-separated list of options (RFC 9110 7.6.1). */
static void
http_connection(const char *v, size_t len, int *close_seen, int *keep_seen)
{
	size_t i = 0, start, end;

	while (i < len) {
		while (i < len && (v[i] == ' ' || v[i] == '\t' || v[i] == ','))
			i++;
		start = i;
		while (i < len && v[i] != ',')
			i++;
		end = i;
		while (end > start && (v[end - 1] == ' ' || v[end - 1] == '\t'))
			end--;
		if (http_ieq(v + start, end - start, "close"))
			*close_seen = 1;
		else if (http_ieq(v + start, end - start, "keep-alive"))
			*keep_seen = 1;
	}
}

struct http_fields {
	int	 host_seen;
	int	 close_seen;
	int	 keep_seen;
	int	 te_seen;
	int	 cl_seen;
	int	 ct_seen;
	unsigned long long cl;
};

/* Content-Length: digits only; repeated values must agree. */
static int
http_content_length(const char *v, size_t len, struct http_fields *f,
    struct http_request *req)
{
	unsigned long long n = 0;
	size_t i;

	if (len == 0 || len > 18)
		return http_fail(req, 400, "bad Content-Length");
	for (i = 0; i < len; i++) {
		if (v[i] < '0' || v[i] > '9')
			return http_fail(req, 400, "bad Content-Length");
		n = n * 10 + (unsigned)(v[i] - '0');
	}
	if (f->cl_seen && f->cl != n)
		return http_fail(req, 400, "conflicting Content-Length");
	f->cl_seen = 1;
	f->cl = n;
	return 0;
}

/* One "name: value" line; value has its surrounding white space removed. */
static int
http_field(const char *s, size_t len, struct http_fields *f,
    struct http_request *req)
{
	const char *v;
	size_t i, nlen, vlen;

	if (s[0] == ' ' || s[0] == '\t')
		return http_fail(req, 400, "obsolete line folding");
	for (i = 0; i < len && http_tchar((unsigned char)s[i]); i++)
		;
	if (i == 0 || i == len || s[i] != ':')
		return http_fail(req, 400, "bad header field");
	nlen = i;
	for (i = nlen + 1; i < len; i++) {
		unsigned char c = (unsigned char)s[i];

		if ((c < 0x20 && c != '\t') || c == 0x7f)
			return http_fail(req, 400,
			    "control character in header field");
	}
	v = s + nlen + 1;
	vlen = len - nlen - 1;
	while (vlen > 0 && (*v == ' ' || *v == '\t'))
		v++, vlen--;
	while (vlen > 0 && (v[vlen - 1] == ' ' || v[vlen - 1] == '\t'))
		vlen--;

	if (http_ieq(s, nlen, "host")) {
		const char *h;
		size_t hlen;

		if (f->host_seen++)
			return http_fail(req, 400, "more than one Host field");
		if (http_authority(v, vlen, &h, &hlen) != 0)
			return http_fail(req, 400, "bad Host field");
		if (req->host == NULL) {	/* absolute-form wins */
			req->host = h;
			req->host_len = hlen;
		}
	} else if (http_ieq(s, nlen, "connection")) {
		http_connection(v, vlen, &f->close_seen, &f->keep_seen);
	} else if (http_ieq(s, nlen, "content-length")) {
		return http_content_length(v, vlen, f, req);
	} else if (http_ieq(s, nlen, "transfer-encoding")) {
		/* Only a lone "chunked" is understood, in one field. */
		if (!f->te_seen++ && http_ieq(v, vlen, "chunked")) {
			req->chunked = 1;
		} else {
			req->chunked = 0;
			req->te_other = 1;
		}
	} else if (http_ieq(s, nlen, "content-type")) {
		if (f->ct_seen++)
			return http_fail(req, 400, "more than one Content-Type field");
		req->content_type = v;
		req->content_type_len = vlen;
	} else if (http_ieq(s, nlen, "expect")) {
		if (http_ieq(v, vlen, "100-continue"))
			req->expect_continue = 1;
	}
	return 0;
}

/* The limit was reached before the head ended: 414 or 431. */
static int
http_too_long(struct http_request *req, int in_request_line)
{
	if (in_request_line)
		return http_fail(req, 414, "request line too long");
	return http_fail(req, 431, "request header too large");
}

int
http_parse(const char *data, size_t len, const struct http_limits *lim,
    struct http_request *req)
{
	struct http_fields f;
	size_t pos = 0, eol, next, avail;
	int empty = 0;

	memset(req, 0, sizeof(*req));
	memset(&f, 0, sizeof(f));
	avail = len < lim->header_size ? len : lim->header_size;

	/* Empty lines before the request line (RFC 9112 section 2.2). */
	for (;;) {
		if (!http_line(data, avail, pos, &eol, &next))
			return len >= lim->header_size ?
			    http_too_long(req, 1) : HTTP_PARSE_MORE;
		if (eol > pos)
			break;
		if (++empty > HTTP_LEADING_EMPTY_MAX)
			return http_fail(req, 400, "empty lines instead of a request");
		pos = next;
	}
	if (memchr(data + pos, '\r', eol - pos) != NULL ||
	    memchr(data + pos, '\0', eol - pos) != NULL)
		return http_fail(req, 400, "bad request line");
	if (http_request_line(data + pos, eol - pos, req) != 0)
		return HTTP_PARSE_ERROR;
	pos = next;

	for (;;) {
		if (!http_line(data, avail, pos, &eol, &next))
			return len >= lim->header_size ?
			    http_too_long(req, 0) : HTTP_PARSE_MORE;
		if (eol == pos)
			break;
		if (memchr(data + pos, '\r', eol - pos) != NULL)
			return http_fail(req, 400, "bare CR in header");
		if (++req->header_count > lim->header_count)
			return http_fail(req, 431, "too many header fields");
		if (http_field(data + pos, eol - pos, &f, req) != 0)
			return HTTP_PARSE_ERROR;
		pos = next;
	}
	req->consumed = next;

	if (req->minor == 1 && !f.host_seen)
		return http_fail(req, 400, "no Host field");
	if (f.te_seen && f.cl_seen)
		return http_fail(req, 400,
		    "both Transfer-Encoding and Content-Length");
	req->has_body = f.te_seen || (f.cl_seen && f.cl > 0);
	req->has_length = f.cl_seen;
	req->content_length = f.cl;
	if (req->minor == 1)
		req->keep_alive = !f.close_seen;
	else
		req->keep_alive = f.keep_seen && !f.close_seen;
	return HTTP_PARSE_DONE;
}

int
http_host_normalize(const char *name, size_t len, char out[HTTP_HOST_MAX + 1])
{
	size_t i, label = 0;

	if (len > 0 && name[len - 1] == '.')
		len--;
	if (len == 0 || len > HTTP_HOST_MAX)
		return -1;
	for (i = 0; i < len; i++) {
		unsigned char c = (unsigned char)http_lower((unsigned char)name[i]);

		if (c == '.') {
			if (label == 0 || name[i - 1] == '-')
				return -1;
			label = 0;
		} else if ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
		    c == '-' || c == '_') {
			if ((label == 0 && c == '-') || ++label > HTTP_LABEL_MAX)
				return -1;
		} else {
			return -1;
		}
		out[i] = (char)c;
	}
	if (name[len - 1] == '-')
		return -1;
	out[len] = '\0';
	return (int)len;
}

const char *
http_reason(int status)
{
	switch (status) {
	case 100: return "Continue";
	case 200: return "OK";
	case 303: return "See Other";
	case 400: return "Bad Request";
	case 401: return "Unauthorized";
	case 403: return "Forbidden";
	case 404: return "Not Found";
	case 405: return "Method Not Allowed";
	case 408: return "Request Timeout";
	case 411: return "Length Required";
	case 413: return "Content Too Large";
	case 414: return "URI Too Long";
	case 415: return "Unsupported Media Type";
	case 421: return "Misdirected Request";
	case 429: return "Too Many Requests";
	case 431: return "Request Header Fields Too Large";
	case 500: return "Internal Server Error";
	case 501: return "Not Implemented";
	case 502: return "Bad Gateway";
	case 503: return "Service Unavailable";
	case 504: return "Gateway Timeout";
	case 505: return "HTTP Version Not Supported";
	default: return "Unknown";
	}
}

const char *
http_header_value(const char *head, size_t len, const char *field, size_t *vlen)
{
	size_t flen = strlen(field), pos = 0, end;
	const char *nl, *v;

	while (pos < len) {
		if ((nl = memchr(head + pos, '\n', len - pos)) == NULL)
			break;
		end = (size_t)(nl - head);
		if (end - pos > flen && head[pos + flen] == ':' &&
		    strncasecmp(head + pos, field, flen) == 0) {
			v = head + pos + flen + 1;
			while (v < nl && (*v == ' ' || *v == '\t'))
				v++;
			*vlen = (size_t)(nl - v);
			while (*vlen > 0 && (v[*vlen - 1] == '\r' ||
			    v[*vlen - 1] == ' ' || v[*vlen - 1] == '\t'))
				(*vlen)--;
			return v;
		}
		pos = end + 1;
	}
	return NULL;
}
