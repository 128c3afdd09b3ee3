/*
 * alert_http - the webhook of lib/alert: a bounded HTTP/1.0 POST,
 * optionally over TLS (lib/tlsdial: TLS 1.2 or later, the system CAs,
 * the URL's host name); see alert_http_post() in alert.h.
 * SPDX-License-Identifier: ISC
 *
 * May touch: one outgoing TCP connection per call.
 *
 * The webhooks of subscriptions (alert_webhook_post) are https only and
 * reach public addresses only: the host is resolved once, every address
 * it has is checked (lib/pubaddr), and the connection goes to one of
 * those addresses and nowhere else, so that a name that changes between
 * the check and the connection (DNS rebinding) gains nothing.  No reply
 * is followed: a redirect (3xx) is a failure like any status but 2xx.
 */
#include "config.h"

#include <sys/types.h>
#include <sys/socket.h>

#include <errno.h>
#include <netdb.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509v3.h>

#include "alert.h"
#include "buf.h"
#include "deadline.h"
#include "mymalloc.h"
#include "pubaddr.h"
#include "tlsdial.h"

#define ALERT_HTTP_URL_MAX	2048	/* bytes of a webhook URL */

static int alert_http_send(const char *, const char *, int, char **,
    struct buf *);

struct alert_http_url {
	int	 tls;
	char	*host;
	char	*port;
	char	*path;
};

static int
alert_http_url_parse(const char *url, struct alert_http_url *u, struct buf *err)
{
	const char *p, *h, *slash, *colon;

	memset(u, 0, sizeof(*u));
	if (strlen(url) > ALERT_HTTP_URL_MAX) {
		buf_printf(err, "URL longer than %d bytes", ALERT_HTTP_URL_MAX);
		return -1;
	}
	if (strncmp(url, "http://", 7) == 0)
		p = url + 7;
	else if (strncmp(url, "https://", 8) == 0) {
		p = url + 8;
		u->tls = 1;
	} else {
		buf_printf(err, "URL \"%s\": scheme must be http or https",
		    url);
		return -1;
	}
	h = p;
	slash = h + strcspn(h, "/?#");
	if (*h == '[') {		/* [v6]:port */
		if ((colon = memchr(h, ']', slash - h)) == NULL) {
			buf_printf(err, "URL \"%s\": bad IPv6 address", url);
			return -1;
		}
		u->host = xstrndup(h + 1, colon - h - 1);
		colon = colon[1] == ':' ? colon + 1 : NULL;
	} else {
		colon = memchr(h, ':', slash - h);
		u->host = xstrndup(h, (colon ? colon : slash) - h);
	}
	u->port = colon ? xstrndup(colon + 1, slash - colon - 1) :
	    xstrdup(u->tls ? "443" : "80");
	u->path = xstrdup(*slash == '/' ? slash : "/");
	if (*u->host == '\0' || *u->port == '\0' ||
	    strpbrk(u->host, "\t\r\n /") != NULL ||
	    strpbrk(u->path, "\t\r\n ") != NULL) {
		buf_printf(err, "URL \"%s\": bad host, port or path", url);
		return -1;
	}
	return 0;
}

static void
alert_http_url_free(struct alert_http_url *u)
{
	free(u->host);
	free(u->port);
	free(u->path);
}

static int
alert_http_connect(const struct alert_http_url *u, const struct timespec *end,
    struct buf *err)
{
	struct tlsdial_fail fail;
	int fd;

	fd = tlsdial_connect(u->host, u->port, 0, end, &fail, NULL, 0);
	if (fail.gai != 0)
		buf_printf(err, "%s: %s", u->host, gai_strerror(fail.gai));
	else if (fd < 0)
		buf_printf(err, "connect to %s port %s: failed or timed out",
		    u->host, u->port);
	return fd;
}

/* I/O over fd or ssl until the deadline; -1 on error or time-out. */
static int
alert_http_io(int fd, SSL *ssl, int writing, void *p, size_t n,
    const struct timespec *end)
{
	int r, e;
	short ev;

	for (;;) {
		if (ssl != NULL) {
			r = writing ? SSL_write(ssl, p, (int)n) :
			    SSL_read(ssl, p, (int)n);
			if (r > 0)
				return r;
			e = SSL_get_error(ssl, r);
			if (e == SSL_ERROR_ZERO_RETURN)
				return 0;
			if (e == SSL_ERROR_WANT_READ)
				ev = POLLIN;
			else if (e == SSL_ERROR_WANT_WRITE)
				ev = POLLOUT;
			else
				return writing || r < 0 ? -1 : 0;
		} else {
			r = writing ? (int)send(fd, p, n, MSG_NOSIGNAL) :
			    (int)read(fd, p, n);
			if (r >= 0)
				return r;
			if (errno != EAGAIN && errno != EINTR)
				return -1;
			ev = writing ? POLLOUT : POLLIN;
		}
		if (deadline_wait(fd, ev, end) < 0)
			return -1;
	}
}

/* TLS 1.2 or later, a chain to the system CAs that names host. */
static SSL *
alert_http_tls(int fd, const char *host, SSL_CTX **ctxp,
    const struct timespec *end, struct buf *err)
{
	static const struct tlsdial_verify v = { 1, NULL, 1, 1, 1, 0 };
	enum tlsdial_ctx_error why;
	SSL *ssl;

	if ((*ctxp = tlsdial_ctx_new(&v, &why)) == NULL ||
	    (ssl = tlsdial_ssl_new(*ctxp, fd, host, &v)) == NULL) {
		buf_printf(err, "TLS set-up failed");
		return NULL;
	}
	if (tlsdial_handshake(ssl, fd, end) == 0)
		return ssl;
	buf_printf(err, "TLS with %s failed: %s", host,
	    SSL_get_verify_result(ssl) != X509_V_OK ?
	    X509_verify_cert_error_string(SSL_get_verify_result(ssl)) :
	    "handshake failure or time-out");
	SSL_free(ssl);
	return NULL;
}

/*
 * The addresses of u's host, each of them public or in allow (lib/
 * pubaddr), into *aip; -1 with the first that is not (or the
 * resolver's error) in err.
 */
static int
alert_http_resolve(const struct alert_http_url *u, char **allow,
    struct addrinfo **aip, struct buf *err)
{
	struct addrinfo hints, *ai;
	struct buf why = BUF_INIT;
	int rc;

	memset(&hints, 0, sizeof(hints));
	hints.ai_family = AF_UNSPEC;
	hints.ai_socktype = SOCK_STREAM;
	hints.ai_flags = AI_NUMERICSERV;
	if ((rc = getaddrinfo(u->host, u->port, &hints, aip)) != 0) {
		buf_printf(err, "webhook host %s: %s", u->host,
		    gai_strerror(rc));
		return -1;
	}
	for (ai = *aip; ai != NULL; ai = ai->ai_next)
		if (pubaddr_check(ai->ai_addr, allow, &why) < 0) {
			buf_printf(err, "webhook host %s: %s (only public "
			    "addresses are allowed)", u->host, why.s);
			buf_free(&why);
			freeaddrinfo(*aip);
			*aip = NULL;
			return -1;
		}
	return 0;
}

/* Connects to one of the checked addresses ai, never to another. */
static int
alert_http_connect_checked(const struct alert_http_url *u,
    const struct addrinfo *ai, const struct timespec *end, struct buf *err)
{
	char addr[NI_MAXHOST];
	struct tlsdial_fail fail;
	int fd;

	for (; ai != NULL; ai = ai->ai_next) {
		if (getnameinfo(ai->ai_addr, ai->ai_addrlen, addr,
		    sizeof(addr), NULL, 0, NI_NUMERICHOST) != 0)
			continue;
		if ((fd = tlsdial_connect(addr, u->port, 0, end, &fail, NULL,
		    0)) >= 0)
			return fd;
	}
	buf_printf(err, "connect to %s port %s: failed or timed out", u->host,
	    u->port);
	return -1;
}

int
alert_webhook_check(const char *url, char **allow, struct buf *err)
{
	struct alert_http_url u;
	struct addrinfo *ai = NULL;
	int rc = -1;

	if (alert_http_url_parse(url, &u, err) == 0) {
		if (!u.tls)
			buf_printf(err, "URL \"%s\": not https", url);
		else if (alert_http_resolve(&u, allow, &ai, err) == 0)
			rc = 0;
	}
	if (ai != NULL)
		freeaddrinfo(ai);
	alert_http_url_free(&u);
	return rc;
}

int
alert_http_post(const char *url, const char *body, int timeout_ms,
    struct buf *err)
{
	return alert_http_send(url, body, timeout_ms, NULL, err);
}

int
alert_webhook_post(const char *url, const char *body, int timeout_ms,
    char **allow, struct buf *err)
{
	static char *none[] = { NULL };

	return alert_http_send(url, body, timeout_ms, allow ? allow : none,
	    err);
}

/* allow NULL: any address (the operator's URL); else public or allow. */
static int
alert_http_send(const char *url, const char *body, int timeout_ms,
    char **allow, struct buf *err)
{
	struct addrinfo *ai = NULL;
	struct alert_http_url u;
	struct timespec end;
	struct buf req = BUF_INIT;
	char reply[ALERT_HTTP_REPLY_MAX + 1];
	SSL_CTX *ctx = NULL;
	SSL *ssl = NULL;
	size_t off = 0, got = 0;
	int fd = -1, rc = -1, n, status;

	deadline_set(&end, timeout_ms);
	if (alert_http_url_parse(url, &u, err) < 0)
		goto out;
	if (allow != NULL && (!u.tls || alert_http_resolve(&u, allow, &ai, err)
	    < 0)) {
		if (!u.tls)
			buf_printf(err, "URL \"%s\": not https", url);
		goto out;
	}
	if ((fd = allow != NULL ? alert_http_connect_checked(&u, ai, &end,
	    err) : alert_http_connect(&u, &end, err)) < 0)
		goto out;
	if (u.tls && (ssl = alert_http_tls(fd, u.host, &ctx, &end, err)) ==
	    NULL)
		goto out;
	buf_printf(&req, "POST %s HTTP/1.0\r\nHost: %s\r\n"
	    "Content-Type: application/json\r\nContent-Length: %zu\r\n"
	    "Connection: close\r\nUser-Agent: stsd\r\n\r\n%s", u.path,
	    u.host, strlen(body), body);
	while (off < req.len) {
		if ((n = alert_http_io(fd, ssl, 1, req.s + off, req.len - off,
		    &end)) <= 0) {
			buf_printf(err, "%s: cannot send the request", url);
			goto out;
		}
		off += n;
	}
	while (got < ALERT_HTTP_REPLY_MAX && memchr(reply, '\n', got) == NULL) {
		if ((n = alert_http_io(fd, ssl, 0, reply + got,
		    ALERT_HTTP_REPLY_MAX - got, &end)) <= 0)
			break;
		got += n;
	}
	reply[got] = '\0';
	if (sscanf(reply, "HTTP/%*d.%*d %d", &status) != 1) {
		buf_printf(err, "%s: no HTTP reply", url);
		goto out;
	}
	if (status < 200 || status > 299) {
		buf_printf(err, "%s: HTTP status %d", url, status);
		goto out;
	}
	rc = 0;
out:
	if (ssl != NULL) {
		SSL_shutdown(ssl);
		SSL_free(ssl);
	}
	SSL_CTX_free(ctx);
	if (fd >= 0)
		close(fd);
	if (ai != NULL)
		freeaddrinfo(ai);
	alert_http_url_free(&u);
	buf_free(&req);
	return rc;
}
