/*
 * answer - the one way webd makes an answer: status line, the security
 * fields of every answer, Content-Length, Connection: close; see webd.h.
 * SPDX-License-Identifier: ISC
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "buf.h"
#include "http.h"
#include "webd.h"

void
webd_answer(struct webd_req *r, int status, const char *type,
    const char *fields, const char *body, size_t len)
{
	buf_reset(&r->out);
	buf_printf(&r->out, "HTTP/1.1 %d %s\r\n"
	    "Content-Type: %s\r\n"
	    "Content-Length: %zu\r\n"
	    WEBD_SECURITY_FIELDS
	    "%s"
	    "Connection: close\r\n\r\n", status, http_reason(status), type, len,
	    fields ? fields : "");
	if (r->http == NULL || r->http->method != HTTP_METHOD_HEAD)
		buf_append(&r->out, body, len);
	r->status = status;
}

void
webd_text(struct webd_req *r, int status, const char *fields,
    const char *text)
{
	struct buf b = BUF_INIT;

	buf_printf(&b, "%d %s: %s\n", status, http_reason(status), text);
	webd_answer(r, status, "text/plain; charset=utf-8", fields, b.s, b.len);
	buf_free(&b);
}

void
webd_json(struct webd_req *r, int status, const char *fields, json_t *json)
{
	char *s = json_dumps(json, JSON_COMPACT | JSON_ENSURE_ASCII);

	webd_answer(r, status, "application/json", fields, s ? s : "null",
	    s ? strlen(s) : 4);
	free(s);
	json_decref(json);
}

const char *
webd_client_addr(const struct webd_req *r, char *out, size_t size)
{
	const char *c = r->client, *end;
	size_t len;

	if (c[0] == '[' && (end = strchr(c, ']')) != NULL)
		c++;
	else if ((end = strrchr(c, ':')) == NULL)
		end = c + strlen(c);
	len = (size_t)(end - c);
	if (len >= size)
		len = size - 1;
	memcpy(out, c, len);
	out[len] = '\0';
	return out;
}

int
webd_path_is(const struct webd_req *r, const char *path)
{
	return r->http->path_len == strlen(path) &&
	    memcmp(r->http->path, path, r->http->path_len) == 0;
}
