/*
 * webd.h - what the modules of webd, the portal of domain owners, share.
 * SPDX-License-Identifier: ISC
 *
 * SYNOPSIS
 *	webd_route(&r)		answer one request (pages.c)
 *	api_route(&r)		answer one request under WEBD_API_PREFIX
 *				(api.c)
 *	webd_answer(&r, status, type, fields, body, len)
 *	webd_text(&r, status, fields, text)
 *	webd_json(&r, status, fields, json)	(takes json)
 *				the one way an answer is made (answer.c)
 *	webd_client_addr(&r)	the client's address without its port
 *	pages_start(&b, title), pages_html(&r, status, fields, &b),
 *	pages_signout_form(&b, session)	the frame of a page (pages.c)
 *
 * DESCRIPTION
 *	webd.c reads one request from httpd (proto.h: the preamble line
 *	with the client's address, the head, the body), fills a struct
 *	webd_req and calls webd_route(), which answers exactly once into
 *	r.out with webd_answer() or one of its forms; webd.c sends r.out
 *	and closes.  Every answer carries WEBD_SECURITY_FIELDS and
 *	Cache-Control: no-store.
 */
#ifndef STS_WEBD_WEBD_H
#define STS_WEBD_WEBD_H

#include <stddef.h>
#include <time.h>

#include <jansson.h>

#include "buf.h"
#include "http.h"
#include "proto.h"

#define WEBD_API_PREFIX		"/api/v1/"
#define WEBD_COOKIE		"stsd_session"
#define WEBD_FIELD_MAX		1100	/* bytes of a decoded form field */
#define WEBD_CSP		"default-src 'none'; style-src 'self'; " \
				"img-src 'self' data:; form-action 'self'; " \
				"frame-ancestors 'none'; base-uri 'none'"
#define WEBD_SECURITY_FIELDS	"Content-Security-Policy: " WEBD_CSP "\r\n" \
				"X-Content-Type-Options: nosniff\r\n" \
				"Referrer-Policy: no-referrer\r\n" \
				"X-Frame-Options: DENY\r\n" \
				"Cache-Control: no-store\r\n"

struct webd_req {
	const struct http_request *http;
	const char *head;		/* the request head, http->consumed */
	const char *body;		/* the body, body_len bytes */
	size_t	 body_len;
	char	 client[PROTO_PORTAL_LINE_MAX];	/* "ADDR:PORT", from httpd */
	time_t	 now;
	int	 status;		/* of the answer, for the log */
	struct buf out;			/* the answer */
};

void	webd_route(struct webd_req *);
void	api_route(struct webd_req *);
void	webd_answer(struct webd_req *, int status, const char *type,
	    const char *fields, const char *body, size_t len);
void	webd_text(struct webd_req *, int status, const char *fields,
	    const char *text);
void	webd_json(struct webd_req *, int status, const char *fields,
	    json_t *json);
const char *webd_client_addr(const struct webd_req *, char *out,
	    size_t size);
int	webd_path_is(const struct webd_req *, const char *path);

/* pages.c: the frame of every HTML page (report_pages.c draws in it too). */
struct session;
void	pages_start(struct buf *, const char *title);
void	pages_html(struct webd_req *, int status, const char *fields,
	    struct buf *);
void	pages_signout_form(struct buf *, const struct session *);

/* openapi_json.c, made from webd/openapi.json when webd is built. */
extern const char openapi_json[];

#endif
