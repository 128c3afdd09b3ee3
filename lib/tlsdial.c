/*
 * tlsdial - connect with a deadline, then TLS; see tlsdial.h.
 * SPDX-License-Identifier: ISC
 *
 * May touch: the resolver (getaddrinfo), one TCP connection per try,
 * the CA file (read).
 */
#include "config.h"

#include <sys/types.h>
#include <sys/socket.h>

#include <errno.h>
#include <netdb.h>
#include <poll.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509v3.h>

#include "deadline.h"
#include "tlsdial.h"

/* The earlier of now + try_ms (try_ms > 0) and *end (not NULL). */
static void
tlsdial_try_end(int try_ms, const struct timespec *end, struct timespec *t)
{
	if (try_ms > 0) {
		deadline_set(t, try_ms);
		if (end != NULL && (end->tv_sec < t->tv_sec ||
		    (end->tv_sec == t->tv_sec && end->tv_nsec < t->tv_nsec)))
			*t = *end;
	} else if (end != NULL)
		*t = *end;
	else
		deadline_set(t, 0x7fffffff);
}

/* One address: the connected socket, or -1 with fail updated. */
static int
tlsdial_try(const struct addrinfo *ai, int try_ms,
    const struct timespec *end, struct tlsdial_fail *fail)
{
	struct timespec t;
	socklen_t len;
	int fd, soerr;

	fd = socket(ai->ai_family, ai->ai_socktype | SOCK_NONBLOCK |
	    SOCK_CLOEXEC, ai->ai_protocol);
	if (fd < 0) {
		fail->last_errno = errno;
		return -1;
	}
	if (connect(fd, ai->ai_addr, ai->ai_addrlen) == 0)
		return fd;
	fail->last_errno = errno;
	if (errno == EINPROGRESS) {
		tlsdial_try_end(try_ms, end, &t);
		fail->last_errno = ETIMEDOUT;
		len = sizeof(soerr);
		if (deadline_wait(fd, POLLOUT, &t) == 0 && getsockopt(fd,
		    SOL_SOCKET, SO_ERROR, &soerr, &len) == 0) {
			fail->so_error = fail->last_errno = soerr;
			if (soerr == 0)
				return fd;
		}
	}
	close(fd);
	return -1;
}

int
tlsdial_connect(const char *host, const char *port, int try_ms,
    const struct timespec *end, struct tlsdial_fail *fail, char *addr,
    size_t addrlen)
{
	struct addrinfo hints, *res, *ai;
	int fd = -1;

	memset(fail, 0, sizeof(*fail));
	memset(&hints, 0, sizeof(hints));
	hints.ai_family = AF_UNSPEC;
	hints.ai_socktype = SOCK_STREAM;
	if ((fail->gai = getaddrinfo(host, port, &hints, &res)) != 0)
		return -1;
	for (ai = res; ai != NULL; ai = ai->ai_next) {
		if ((fd = tlsdial_try(ai, try_ms, end, fail)) < 0)
			continue;
		if (addr == NULL || getnameinfo(ai->ai_addr, ai->ai_addrlen,
		    addr, addrlen, NULL, 0, NI_NUMERICHOST) == 0)
			break;
		fail->last_errno = 0;
		close(fd);
		fd = -1;
	}
	freeaddrinfo(res);
	return fd;
}

SSL_CTX *
tlsdial_ctx_new(const struct tlsdial_verify *v, enum tlsdial_ctx_error *why)
{
	SSL_CTX *ctx = SSL_CTX_new(TLS_client_method());
	int file = v->ca_file != NULL && *v->ca_file != '\0';

	if (ctx == NULL) {
		ERR_clear_error();
		*why = TLSDIAL_CTX_SETUP;
		return NULL;
	}
	if (v->min_tls12)
		SSL_CTX_set_min_proto_version(ctx, TLS1_2_VERSION);
	/* A peer check fails the handshake; otherwise the caller looks. */
	SSL_CTX_set_verify(ctx, v->peer ? SSL_VERIFY_PEER : SSL_VERIFY_NONE,
	    NULL);
	if ((v->system || !file) && !SSL_CTX_set_default_verify_paths(ctx))
		ERR_clear_error();
	if (file && SSL_CTX_load_verify_locations(ctx, v->ca_file, NULL) != 1) {
		ERR_clear_error();
		SSL_CTX_free(ctx);
		*why = TLSDIAL_CTX_CA_FILE;
		return NULL;
	}
	return ctx;
}

SSL *
tlsdial_ssl_new(SSL_CTX *ctx, int fd, const char *host,
    const struct tlsdial_verify *v)
{
	SSL *ssl;

	if ((ssl = SSL_new(ctx)) == NULL)
		return NULL;
	if (fd >= 0 && SSL_set_fd(ssl, fd) != 1)
		goto fail;
	(void)SSL_set_tlsext_host_name(ssl, host);	/* not for addresses */
	if (v->peer && v->name) {
		if (v->no_partial_wildcards)
			X509_VERIFY_PARAM_set_hostflags(SSL_get0_param(ssl),
			    X509_CHECK_FLAG_NO_PARTIAL_WILDCARDS);
		if (SSL_set1_host(ssl, host) != 1)
			goto fail;
	}
	return ssl;
fail:
	ERR_clear_error();
	SSL_free(ssl);
	return NULL;
}

int
tlsdial_handshake(SSL *ssl, int fd, const struct timespec *end)
{
	int r, e;

	for (;;) {
		if ((r = SSL_connect(ssl)) == 1)
			return 0;
		e = SSL_get_error(ssl, r);
		if ((e != SSL_ERROR_WANT_READ && e != SSL_ERROR_WANT_WRITE) ||
		    deadline_wait(fd, e == SSL_ERROR_WANT_READ ? POLLIN :
		    POLLOUT, end) < 0) {
			ERR_clear_error();
			return -1;
		}
	}
}
