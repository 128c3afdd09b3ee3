/*
 * fetch - one HTTPS request to the ACME server, waited for.
 * SPDX-License-Identifier: ISC
 *
 * SYNOPSIS
 *	ctx = fetch_tls_new(ca_file, &err)	trust: system CAs + ca_file
 *	fetch(ctx, method, url, body, &limits, &resp, &err)
 *	fetch_resp_clear(&resp)
 *
 * DESCRIPTION
 *	fetch() sends one request (GET, HEAD or POST; a POST body is sent
 *	as application/jose+json) over its own connection with libevent's
 *	HTTP client on a bufferevent_openssl, on a private event base, and
 *	returns when the answer is complete or a limit is hit.  The server
 *	certificate must chain to a trusted CA and name the URL's host.
 *	Redirects are not followed: a 3xx answer is returned as it is, and
 *	the caller treats it as an error.  Any HTTP status is returned
 *	with 0; -1 means no complete answer (err says why).
 *
 *	http:// URLs are accepted only for loopback hosts (a test CA),
 *	like acmemsg_url_ok().
 *
 * LIMITS
 *	limits.timeout seconds for the whole request; limits.max_body
 *	bytes of response body, FETCH_HEADER_MAX bytes of headers.
 */
#ifndef ACMED_FETCH_H
#define ACMED_FETCH_H

#include <stddef.h>
#include <openssl/ssl.h>

#include "buf.h"

#define FETCH_HEADER_MAX	(16 * 1024)

struct fetch_limits {
	int	 timeout;		/* seconds */
	size_t	 max_body;		/* bytes */
};

struct fetch_resp {
	int	 status;
	char	*content_type;		/* or NULL; each header: or NULL */
	char	*location;
	char	*nonce;			/* Replay-Nonce */
	char	*retry_after;
	struct buf body;
};

SSL_CTX	*fetch_tls_new(const char *ca_file, struct buf *err);
int	fetch(SSL_CTX *, const char *method, const char *url,
	    const char *body, const struct fetch_limits *,
	    struct fetch_resp *, struct buf *err);
void	fetch_resp_clear(struct fetch_resp *);
long long fetch_retry_after(const char *value, long long now);

#endif
