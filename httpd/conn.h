/*
 * conn.h - what httpd's connection transport (conn.c) and its router
 * (route.c) share.
 * SPDX-License-Identifier: ISC
 *
 * SYNOPSIS
 *	conn_request(c, &req)		answer one parsed request (route.c)
 *	conn_body(c, in)		body bytes of a report (route.c)
 *	conn_report_metrics_start()	the report counters at 0 (route.c)
 *	conn_report_count(status)	a report accepted (200) or refused
 *
 *	conn_respond(c, status, head, hlen, body, blen, head_only, keep,
 *	    minor)			one answer, written at once (conn.c)
 *	conn_respond_canned(c, status, head_only, keep, minor)
 *	conn_send(c, data, len)		raw bytes ("100 Continue")
 *	conn_peer(c, out, size)		"ADDR:PORT" of the client, for logs
 *	conn_timer_set(c, tv)		conn_idle_tv or conn_body_tv
 *	conn_record(c, status, failure, req)	a fetch record (fetchbatch.h)
 *	conn_handshake_failure(c, e, out, size)	why it failed, for it
 *					(connrec.c, both)
 *	conn_finish(c)			the answer is complete: close once
 *					it is sent (conn.c)
 *
 *	portal_request(c, &req, head)	a request for portal_hostname: to
 *					webd (portal.c)
 *	portal_body(c, in)		its body bytes (CONN_BODY)
 *	portal_body_timeout(c), portal_free(p)
 *	conn_portal_resume(c)		webd's answer is sent: the next
 *					request (conn.c)
 *
 * DESCRIPTION
 *	conn.c owns the connection: accept, TLS, buffers, timers, the
 *	parse loop and closing.  It hands each complete request head to
 *	conn_request() and, while c->state is CONN_BODY, the input to
 *	conn_body(); route.c decides the answer (policy, ACME challenge,
 *	TLS report, or an error status) and writes it with conn_respond().
 *	An answer that ends the connection sets c->state to CONN_CLOSING;
 *	one that leaves input unread sets c->must_linger.
 *
 * LIMITS
 *	CONN_HEAD_MAX bytes of status line and header fields, and of the
 *	reason of a refused report.
 *
 * DIAGNOSTICS
 *	None here: route.c logs refused reports with the peer and the
 *	host, conn.c what ends a connection.
 */
#ifndef HTTPD_CONN_H
#define HTTPD_CONN_H

#include <stddef.h>
#include <sys/socket.h>
#include <time.h>

#include <event2/buffer.h>
#include <event2/event.h>
#include <openssl/ssl.h>

#include "http.h"

#define CONN_HEAD_MAX		512		/* status line and fields */

#define CONN_OUTPUT_MAX		(1024 * 1024)	/* answers queued per client */

enum conn_state {
	CONN_HANDSHAKE,		/* TLS handshake under way */
	CONN_IDLE,		/* waiting for the first byte of a request */
	CONN_READING,		/* part of a request head is here */
	CONN_BODY,		/* reading the body of a report or of a
				 * portal request */
	CONN_PORTAL,		/* webd has the request (portal.c) */
	CONN_CLOSING,		/* last answer queued; close when sent */
};

struct conn {
	struct conn *prev, *next;
	int	 fd;
	SSL	*ssl;			/* NULL on plain HTTP */
	struct event *handshake;	/* until the TLS handshake is done */
	struct bufferevent *bev;	/* from then on (at once on plain HTTP) */
	struct event *timer;
	enum conn_state state;
	int	 requests;
	int	 lingering;		/* last answer sent: 1, then 2 when
					 * waiting for the client to close */
	int	 must_linger;		/* the client may still be sending */
	int	 peer_eof;		/* the client closed its side */
	size_t	 scanned;		/* input bytes known to hold no '\n' */
	struct report *report;		/* CONN_BODY: on its way to the spool */
	struct portal *portal;		/* a request for portal_hostname */
	const char *head;		/* in conn_request(): the request's
					 * bytes (the head is req.consumed) */
	int	 report_keep;		/* CONN_BODY: keep-alive after it */
	int	 report_minor;		/* CONN_BODY: HTTP/1.minor */
	char	 sni[HTTP_HOST_MAX + 1];
	struct sockaddr_storage peer;	/* from accept() */
	socklen_t peer_len;
	struct timespec since;		/* accept, or a later request's
					 * first byte: a record's duration */
};

extern const struct timeval *conn_idle_tv, *conn_body_tv;

void	conn_request(struct conn *, const struct http_request *);
int	conn_body(struct conn *, struct evbuffer *);
void	conn_report_metrics_start(void);
void	conn_report_count(int status);

void	conn_send(struct conn *, const char *data, size_t len);
void	conn_respond(struct conn *, int status, const char *head,
	    size_t head_len, const char *body, size_t body_len, int head_only,
	    int keep, int minor);
void	conn_respond_canned(struct conn *, int status, int head_only,
	    int keep, int minor);
void	conn_peer(const struct conn *, char *out, size_t size);
void	conn_timer_set(struct conn *, const struct timeval *);
void	conn_record(struct conn *, int status, const char *failure,
	    const struct http_request *);
void	conn_handshake_failure(struct conn *, int e, char *out, size_t size);
void	conn_finish(struct conn *);

void	portal_request(struct conn *, const struct http_request *,
	    const char *head);
int	portal_body(struct conn *, struct evbuffer *);
void	portal_body_timeout(struct conn *);
void	portal_free(struct portal *);
void	conn_portal_resume(struct conn *);

#endif
