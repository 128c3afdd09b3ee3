/*
 * certcache - httpd's TLS context and its certificates, chosen by SNI.
 * SPDX-License-Identifier: ISC
 *
 * SYNOPSIS
 *	struct certcache *c = certcache_new(max_entries, &err);
 *	certcache_set_dir(c, certs_dirfd)	after the chroot
 *	SSL_CTX *ctx = certcache_ctx(c);	the one server context
 *	certcache_invalidate(c, "mta-sts.example.com")	check files again
 *	certcache_attach(ssl, sni)	where the callback puts the SNI host
 *	certcache_servable(c, host, &not_after)	1: valid certificate now
 *	certcache_stats(c, &entries, &loads)
 *	certcache_free(c)
 *
 * DESCRIPTION
 *	certcache_new() makes the server SSL_CTX: TLS 1.2 minimum and 1.3
 *	maximum, forward-secret AEAD cipher suites only, no renegotiation,
 *	no session resumption (no session cache, no tickets), read-ahead
 *	(conn.c empties what it reads ahead), and a servername
 *	callback.  It must be called before the chroot (OpenSSL loads its
 *	configuration and providers then).  certs_dirfd, given with
 *	certcache_set_dir(), is the directory $queue_directory/certs
 *	(lib/certstore.h) opened inside the chroot; each host's files are
 *	read relative to it with openat(), as HOST/fullchain.pem (the
 *	certificate, then its chain) and HOST/privkey.pem (its key).
 *
 *	The callback normalizes the SNI name (http_host_normalize: only
 *	DNS names, so no path can leave the directory) and gives the
 *	handshake that host's certificate.  Certificates are loaded on
 *	first use and kept in a cache of at most max_entries hosts, least
 *	recently used dropped first; hosts without usable files are cached
 *	too, as misses.  A cached host's files are checked again (device,
 *	inode, size, modification and change time) at most once per
 *	CERTCACHE_CHECK_INTERVAL seconds, and reloaded when they changed,
 *	so a replaced certificate is used from the next handshake on, and
 *	a key that could not be read is tried again once chown or chmod
 *	fixed it (they change the change time).
 *	certcache_invalidate() forces that check at the next handshake.
 *	A certificate that fails to load while an older one of the same
 *	host is cached keeps the older one in use (and logs why).
 *
 *	A handshake without SNI, with a name that is not a DNS name, or
 *	for a host without certificate fails with the TLS alert
 *	unrecognized_name.
 *
 *	certcache_servable() looks host up as a handshake would (loading
 *	its files if it is not cached) and says whether the certificate
 *	it would serve is valid now (notBefore passed, notAfter not) and
 *	names host (RFC 6125 DNS-ID, no wildcard); not_after gets its
 *	end.  It does not check the chain: httpd holds no trust store,
 *	and senders judge the chain themselves.
 *
 *	certcache_attach() gives a connection's SSL a buffer (owned by the
 *	caller, HTTP_HOST_MAX + 1 bytes, valid as long as the SSL) where
 *	the callback writes the host it accepted, normalized; it stays
 *	empty until then.  Nothing is allocated per connection.
 *
 * LIMITS
 *	CERTCACHE_FILE_MAX bytes per PEM file.
 */
#ifndef STS_HTTPD_CERTCACHE_H
#define STS_HTTPD_CERTCACHE_H

#include <stddef.h>

#include <openssl/ssl.h>

#include "buf.h"

#define CERTCACHE_FILE_MAX		(1024 * 1024)
#define CERTCACHE_CHECK_INTERVAL	1	/* seconds */

struct certcache;

struct certcache *certcache_new(size_t max_entries, struct buf *err);
void	certcache_set_dir(struct certcache *, int certs_dirfd);
SSL_CTX	*certcache_ctx(struct certcache *);
void	certcache_invalidate(struct certcache *, const char *host);
void	certcache_attach(SSL *, char *sni);
int	certcache_servable(struct certcache *, const char *host,
	    long long *not_after);
void	certcache_stats(const struct certcache *, size_t *entries,
	    unsigned long *loads);
void	certcache_free(struct certcache *);

#endif
