/*
 * tlsdial - connect with a deadline, then TLS with the verification the
 * caller asks for.
 * SPDX-License-Identifier: ISC
 *
 * SYNOPSIS
 *	fd = tlsdial_connect(host, port, try_ms, &end, &fail, addr, len)
 *	(end: a deadline of lib/deadline, or NULL)
 *	ctx = tlsdial_ctx_new(&verify, &why)
 *	ssl = tlsdial_ssl_new(ctx, fd, host, &verify)	fd -1: set later
 *	tlsdial_handshake(ssl, fd, &end)	0, or -1: failed, timed out
 *
 * DESCRIPTION
 *	tlsdial_connect() resolves host and port (a number or a service
 *	name) and tries each address in turn until one accepts a TCP
 *	connection: each try waits at most try_ms (0: no bound of its
 *	own) and all of them together end at *end (NULL: no such bound).
 *	It returns the connected socket (non-blocking, close-on-exec) and,
 *	when addr is not NULL, the address it reached as numeric text.
 *	On failure it returns -1 and fills fail: gai, the getaddrinfo()
 *	error (0 when the name resolved); so_error, the last error a try
 *	read from its socket after waiting (0: none did, they timed out);
 *	last_errno, the error of the last try however it failed
 *	(ETIMEDOUT for a time-out).  Each caller words its own message.
 *
 *	The verification is explicit per caller (struct tlsdial_verify):
 *	  peer		1: the handshake fails unless the chain verifies
 *			and, with name set, the certificate names host
 *			(RFC 6125 rules of X509_check_host); 0: it
 *			completes whatever the certificate is, and the
 *			caller looks at SSL_get_verify_result() and the
 *			certificate itself (dnsmon's probe reports what
 *			it saw).
 *	  ca_file	a PEM file of CAs to trust (NULL or "": none);
 *	  system	also (or, without ca_file, only) the system CAs;
 *	  min_tls12	refuse anything older than TLS 1.2;
 *	  name		check the host name (with peer);
 *	  no_partial_wildcards	"f*.example.com" does not match.
 *	tlsdial_ssl_new() sends the server name (SNI) always and sets the
 *	name check that verify asks for; tlsdial_handshake() does the
 *	handshake on fd until *end (a caller with its own event loop, as
 *	acmed's libevent HTTP client, hands the SSL to it instead).
 *
 * LIMITS
 *	Every wait is bounded by the caller's deadline; a resolver that
 *	hangs is bounded only by resolv.conf's own time-outs.
 *
 * DIAGNOSTICS
 *	tlsdial_ctx_new() returns NULL with why TLSDIAL_CTX_CA_FILE when
 *	ca_file cannot be loaded, TLSDIAL_CTX_SETUP when OpenSSL cannot
 *	make a context.  After tlsdial_handshake() fails the caller may
 *	still ask the SSL for SSL_get_verify_result() to say why.
 */
#ifndef STS_TLSDIAL_H
#define STS_TLSDIAL_H

#include <stddef.h>
#include <time.h>

#include <openssl/ssl.h>

struct tlsdial_fail {
	int	 gai;		/* getaddrinfo() error, or 0 */
	int	 so_error;	/* of the last try that waited; 0: timed out */
	int	 last_errno;	/* of the last try, however it failed */
};

struct tlsdial_verify {
	int	 peer;		/* fail the handshake on a bad certificate */
	const char *ca_file;	/* or NULL */
	int	 system;	/* trust the system CAs too */
	int	 min_tls12;
	int	 name;		/* check the host name (with peer) */
	int	 no_partial_wildcards;
};

enum tlsdial_ctx_error {
	TLSDIAL_CTX_SETUP = 1,
	TLSDIAL_CTX_CA_FILE,
};

int	tlsdial_connect(const char *host, const char *port, int try_ms,
	    const struct timespec *end, struct tlsdial_fail *,
	    char *addr, size_t addrlen);
SSL_CTX	*tlsdial_ctx_new(const struct tlsdial_verify *,
	    enum tlsdial_ctx_error *);
SSL	*tlsdial_ssl_new(SSL_CTX *, int fd, const char *host,
	    const struct tlsdial_verify *);
int	tlsdial_handshake(SSL *, int fd, const struct timespec *);

#endif
