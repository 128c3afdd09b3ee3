/*
 * fetch - the HTTPS client of acmed; see fetch.h.
 * SPDX-License-Identifier: ISC
 *
 * One connection per request keeps the code small: an ACME exchange is a
 * few dozen requests per certificate, far from any rate that matters.
 */
#include "config.h"

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <poll.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <unistd.h>
#include <string.h>
#include <time.h>

#include <event2/buffer.h>
#include <event2/bufferevent.h>
#include <event2/bufferevent_ssl.h>
#include <event2/event.h>
#include <event2/http.h>
#include <event2/keyvalq_struct.h>
#include <openssl/err.h>
#include <openssl/x509v3.h>

#include "fetch.h"
#include "log.h"
#include "mymalloc.h"
#include "tlsdial.h"

struct fetch_state {
	struct event_base *base;
	struct fetch_resp *resp;
	struct buf *err;
	size_t	 max_body;
	int	 done;
	int	 failed;
};

/* TLS 1.2 or later, a chain to the system CAs or ca_file naming host. */
static const struct tlsdial_verify fetch_verify = { 1, NULL, 1, 1, 1, 1 };

SSL_CTX *
fetch_tls_new(const char *ca_file, struct buf *err)
{
	struct tlsdial_verify v = fetch_verify;
	enum tlsdial_ctx_error why;
	SSL_CTX *ctx;

	v.ca_file = ca_file;
	if ((ctx = tlsdial_ctx_new(&v, &why)) == NULL) {
		if (why != TLSDIAL_CTX_CA_FILE)
			log_fatal("cannot make a TLS context");
		buf_printf(err, "acme_ca_file %s: cannot load CA certificates",
		    ca_file);
	}
	return ctx;
}

void
fetch_resp_clear(struct fetch_resp *r)
{
	free(r->content_type);
	free(r->location);
	free(r->nonce);
	free(r->retry_after);
	buf_free(&r->body);
	memset(r, 0, sizeof(*r));
}

/* Retry-After: delay-seconds or an HTTP-date; the absolute time, or -1. */
long long
fetch_retry_after(const char *v, long long now)
{
	struct tm tm;
	char *end;
	long long n;

	if (v == NULL)
		return -1;
	if (isdigit((unsigned char)*v)) {
		n = strtoll(v, &end, 10);
		if (*end != '\0' || n < 0 || n > 366LL * 86400)
			return -1;
		return now + n;
	}
	memset(&tm, 0, sizeof(tm));
	end = strptime(v, "%a, %d %b %Y %H:%M:%S GMT", &tm);
	if (end == NULL || *end != '\0')
		return -1;
	return (long long)timegm(&tm);
}

/*
 * The first address of host that accepts a connection, numeric: libevent
 * would try only the first one (often ::1 for localhost).
 */
static char *
fetch_pick_addr(const char *host, int port, int timeout, struct buf *err)
{
	struct tlsdial_fail fail;
	char portstr[16], num[NI_MAXHOST];
	int fd;

	snprintf(portstr, sizeof(portstr), "%d", port);
	fd = tlsdial_connect(host, portstr, timeout * 1000, NULL, &fail, num,
	    sizeof(num));
	if (fail.gai != 0) {
		buf_printf(err, "%s: %s", host, gai_strerror(fail.gai));
		return NULL;
	}
	if (fd < 0) {
		buf_printf(err, "connect to %s port %d: %s", host, port,
		    strerror(fail.last_errno ? fail.last_errno :
		    ECONNREFUSED));
		return NULL;
	}
	close(fd);
	return xstrdup(num);
}

static char *
fetch_header(struct evhttp_request *req, const char *name)
{
	const char *v = evhttp_find_header(evhttp_request_get_input_headers(req),
	    name);

	return v ? xstrndup(v, 1024) : NULL;
}

static void
fetch_done(struct evhttp_request *req, void *arg)
{
	struct fetch_state *st = arg;
	struct evbuffer *in;
	size_t len;

	st->done = 1;
	if (req == NULL || evhttp_request_get_response_code(req) == 0) {
		if (!st->failed)
			buf_puts(st->err, "connection failed or closed before"
			    " a complete answer");
		st->failed = 1;
		event_base_loopbreak(st->base);
		return;
	}
	st->resp->status = evhttp_request_get_response_code(req);
	st->resp->content_type = fetch_header(req, "Content-Type");
	st->resp->location = fetch_header(req, "Location");
	st->resp->nonce = fetch_header(req, "Replay-Nonce");
	st->resp->retry_after = fetch_header(req, "Retry-After");
	in = evhttp_request_get_input_buffer(req);
	len = evbuffer_get_length(in);
	if (len > st->max_body) {
		buf_printf(st->err, "answer body longer than %zu bytes",
		    st->max_body);
		st->failed = 1;
	} else {
		buf_reserve(&st->resp->body, len + 1);
		evbuffer_remove(in, st->resp->body.s, len);
		st->resp->body.len = len;
		st->resp->body.s[len] = '\0';
	}
	event_base_loopbreak(st->base);
}

static void
fetch_error(enum evhttp_request_error e, void *arg)
{
	struct fetch_state *st = arg;

	if (st->failed)
		return;
	st->failed = 1;
	switch (e) {
	case EVREQ_HTTP_TIMEOUT:
		buf_puts(st->err, "timed out");
		break;
	case EVREQ_HTTP_EOF:
		buf_puts(st->err, "connection closed before a complete answer");
		break;
	case EVREQ_HTTP_INVALID_HEADER:
		buf_puts(st->err, "invalid or oversized answer header");
		break;
	case EVREQ_HTTP_DATA_TOO_LONG:
		buf_printf(st->err, "answer body longer than %zu bytes",
		    st->max_body);
		break;
	case EVREQ_HTTP_BUFFER_ERROR:
	default:
		buf_puts(st->err, "connection or TLS error");
		break;
	}
}

static void
fetch_tls_reason(struct bufferevent *bev, struct buf *err)
{
	unsigned long e;
	char text[256];
	SSL *ssl = bufferevent_openssl_get_ssl(bev);
	long vr;

	if (ssl != NULL && (vr = SSL_get_verify_result(ssl)) != X509_V_OK) {
		buf_printf(err, ": certificate verification failed: %s",
		    X509_verify_cert_error_string(vr));
		ERR_clear_error();
		return;
	}
	while ((e = bufferevent_get_openssl_error(bev)) != 0) {
		ERR_error_string_n(e, text, sizeof(text));
		buf_printf(err, ": %s", text);
	}
}

int
fetch(SSL_CTX *ctx, const char *method, const char *url, const char *body,
    const struct fetch_limits *lim, struct fetch_resp *resp, struct buf *err)
{
	struct fetch_state st;
	struct evhttp_uri *uri = NULL;
	struct evhttp_connection *conn = NULL;
	struct evhttp_request *req;
	struct bufferevent *bev = NULL;
	struct evkeyvalq *hdr;
	struct timeval tv;
	const char *host, *path, *query;
	enum evhttp_cmd_type cmd;
	char *target = NULL, *hosthdr = NULL, *addr = NULL;
	SSL *ssl = NULL;
	int port, tls, rc = -1;
	size_t start = err->len;

	memset(resp, 0, sizeof(*resp));
	memset(&st, 0, sizeof(st));
	if (strcmp(method, "GET") == 0)
		cmd = EVHTTP_REQ_GET;
	else if (strcmp(method, "HEAD") == 0)
		cmd = EVHTTP_REQ_HEAD;
	else
		cmd = EVHTTP_REQ_POST;
	if ((uri = evhttp_uri_parse(url)) == NULL ||
	    (host = evhttp_uri_get_host(uri)) == NULL || *host == '\0' ||
	    evhttp_uri_get_scheme(uri) == NULL) {
		buf_printf(err, "%s: not a valid URL", url);
		goto out;
	}
	tls = strcmp(evhttp_uri_get_scheme(uri), "https") == 0;
	if (!tls && (strcmp(evhttp_uri_get_scheme(uri), "http") != 0 ||
	    (strcmp(host, "127.0.0.1") != 0 && strcmp(host, "localhost") != 0))) {
		buf_printf(err, "%s: only https URLs are allowed", url);
		goto out;
	}
	port = evhttp_uri_get_port(uri);
	if (port < 0)
		port = tls ? 443 : 80;
	path = evhttp_uri_get_path(uri);
	query = evhttp_uri_get_query(uri);
	target = xasprintf("%s%s%s", path && *path ? path : "/",
	    query ? "?" : "", query ? query : "");
	hosthdr = (port == (tls ? 443 : 80)) ? xstrdup(host) :
	    xasprintf("%s:%d", host, port);

	if ((addr = fetch_pick_addr(host, port, lim->timeout, err)) == NULL) {
		char *why = xstrdup(err->s + start);

		err->len = start;
		err->s[start] = '\0';
		buf_printf(err, "%s %s: %s", method, url, why);
		free(why);
		goto out;
	}
	if ((st.base = event_base_new()) == NULL)
		log_fatal("cannot make an event base");
	if (tls) {
		if ((ssl = tlsdial_ssl_new(ctx, -1, host, &fetch_verify)) ==
		    NULL)
			log_fatal("cannot make a TLS connection object");
		bev = bufferevent_openssl_socket_new(st.base, -1, ssl,
		    BUFFEREVENT_SSL_CONNECTING,
		    BEV_OPT_CLOSE_ON_FREE | BEV_OPT_DEFER_CALLBACKS);
	} else {
		bev = bufferevent_socket_new(st.base, -1,
		    BEV_OPT_CLOSE_ON_FREE | BEV_OPT_DEFER_CALLBACKS);
	}
	if (bev == NULL)
		log_fatal("cannot make a connection buffer");
	conn = evhttp_connection_base_bufferevent_new(st.base, NULL, bev, addr,
	    (unsigned short)port);
	if (conn == NULL)
		log_fatal("cannot make an HTTP connection");
	evhttp_connection_set_timeout(conn, lim->timeout);
	evhttp_connection_set_retries(conn, 0);
	evhttp_connection_set_max_headers_size(conn, FETCH_HEADER_MAX);
	evhttp_connection_set_max_body_size(conn, (ev_ssize_t)lim->max_body);

	st.resp = resp;
	st.err = err;
	st.max_body = lim->max_body;
	req = evhttp_request_new(fetch_done, &st);
	evhttp_request_set_error_cb(req, fetch_error);
	hdr = evhttp_request_get_output_headers(req);
	evhttp_add_header(hdr, "Host", hosthdr);
	evhttp_add_header(hdr, "User-Agent", PACKAGE_NAME "-acmed/" PACKAGE_VERSION);
	evhttp_add_header(hdr, "Accept", "application/json, "
	    "application/problem+json, application/pem-certificate-chain");
	evhttp_add_header(hdr, "Connection", "close");
	if (cmd == EVHTTP_REQ_POST) {
		evhttp_add_header(hdr, "Content-Type", "application/jose+json");
		evbuffer_add(evhttp_request_get_output_buffer(req), body,
		    strlen(body));
	}
	if (evhttp_make_request(conn, req, cmd, target) < 0) {
		buf_printf(err, "%s: cannot send the request", url);
		goto out;
	}
	tv.tv_sec = lim->timeout + 1;
	tv.tv_usec = 0;
	event_base_loopexit(st.base, &tv);
	event_base_dispatch(st.base);
	if (!st.done) {
		if (!st.failed)
			buf_printf(err, "timed out after %d s", lim->timeout);
		st.failed = 1;
	}
	if (st.failed) {
		/* Put the URL in front of the reason found. */
		char *why = xstrdup(err->s ? err->s + start : "");

		err->len = start;
		if (err->s)
			err->s[start] = '\0';
		buf_printf(err, "%s %s: %s", method, url, why);
		free(why);
		if (tls)
			fetch_tls_reason(bev, err);
		fetch_resp_clear(resp);
		goto out;
	}
	rc = 0;
out:
	if (conn != NULL)
		evhttp_connection_free(conn);	/* frees bev and ssl */
	else if (bev != NULL)
		bufferevent_free(bev);
	else if (ssl != NULL)
		SSL_free(ssl);
	if (st.base != NULL)
		event_base_free(st.base);
	if (uri != NULL)
		evhttp_uri_free(uri);
	free(target);
	free(hosthdr);
	free(addr);
	return rc;
}
