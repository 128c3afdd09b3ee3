/*
 * challenge - httpd's ACME challenges: HTTP-01 answers on the plain
 * listener, TLS-ALPN-01 certificates on the TLS one.
 * SPDX-License-Identifier: ISC
 *
 * SYNOPSIS
 *	challenge_message(msg)		a "challenge" or "challenge-remove"
 *					message from policyd
 *	challenge_clear()		forget all (a new subscription)
 *
 *	status = challenge_http(req, &e)	plain HTTP: 0 when req is not
 *		for an ACME path, else 200 (e: head and body to send),
 *		404 or 405
 *
 *	challenge_tls_setup(ctx)	install the ALPN callback
 *	challenge_tls_host(host)	1 when host has a tls-alpn-01 challenge
 *	challenge_tls_done(ssl)		after the handshake: 1 when it was a
 *		tls-alpn-01 validation, which the caller closes at once
 *
 * DESCRIPTION
 *	policyd relays acmed's challenges (policyd/challenges.h):
 *	{"op":"challenge","type":"http-01","host":H,"token":T,"keyauth":K},
 *	{"op":"challenge","type":"tls-alpn-01","host":H,"cert":PEM,
 *	"key":PEM} and {"op":"challenge-remove","type":TYPE,"host":H
 *	[,"token":T]} (no token: every http-01 challenge of H).  The
 *	plain-HTTP process keeps only http-01 challenges, the TLS one
 *	only tls-alpn-01 ones (parsed once, when they arrive).
 *
 *	HTTP-01 (RFC 8555 section 8.3): GET or HEAD of
 *	CHALLENGE_HTTP_PREFIX TOKEN answers 200, Content-Type text/plain,
 *	with exactly the key authorization (no newline); an unknown token,
 *	or a Host that is not the challenge's host, gets 404; another
 *	method 405.  The answer comes as a struct policy_entry (its head
 *	and body), so that conn.c sends it like a policy.
 *
 *	TLS-ALPN-01 (RFC 8737 section 3): when a ClientHello offers the
 *	ALPN protocol "acme-tls/1" and its SNI names a host with a
 *	tls-alpn-01 challenge, the ALPN callback selects "acme-tls/1"
 *	and gives the handshake the challenge's certificate and key;
 *	challenge_tls_done() then sends close_notify and the connection
 *	is closed without any HTTP.  Any other ClientHello is not
 *	affected (no ALPN protocol is selected, as before).  certcache's
 *	SNI callback lets a handshake for a host without a certificate go
 *	on when that host has a tls-alpn-01 challenge (its first
 *	certificate is being issued).
 *
 * LIMITS
 *	CHALLENGE_MAX challenges per process (more are logged and
 *	dropped); CHALLENGE_TOKEN_MAX bytes of token, CHALLENGE_KEYAUTH_MAX
 *	of key authorization; CHALLENGE_PEM_MAX bytes of PEM.
 */
#ifndef STS_HTTPD_CHALLENGE_H
#define STS_HTTPD_CHALLENGE_H

#include <jansson.h>
#include <openssl/ssl.h>

#include "http.h"
#include "policytab.h"

#define CHALLENGE_HTTP_PREFIX	"/.well-known/acme-challenge/"
#define CHALLENGE_ALPN		"acme-tls/1"
#define CHALLENGE_MAX		10000
#define CHALLENGE_TOKEN_MAX	256
#define CHALLENGE_KEYAUTH_MAX	512
#define CHALLENGE_PEM_MAX	(32 * 1024)

void	challenge_message(const json_t *msg);
void	challenge_clear(void);
int	challenge_http(const struct http_request *,
	    const struct policy_entry **);
void	challenge_tls_setup(SSL_CTX *);
int	challenge_tls_host(const char *normalized_host);
int	challenge_tls_done(SSL *);

#endif
