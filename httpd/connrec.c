/*
 * connrec - what httpd saw of a connection, for its fetch record
 * (fetchbatch.h): the record of a request or of a failed handshake,
 * and why a handshake failed; see conn.h.
 * SPDX-License-Identifier: ISC
 */
#include "config.h"

#include <stdio.h>
#include <string.h>
#include <time.h>

#include <openssl/err.h>
#include <openssl/ssl.h>

#include "conn.h"
#include "fetchbatch.h"
#include "fetchlog.h"
#include "http.h"
#include "httpd.h"
#include "policytab.h"

/* Milliseconds since c->since, and c->since made now. */
static unsigned
conn_elapsed_ms(struct conn *c)
{
	struct timespec now;
	long long ms;

	clock_gettime(CLOCK_MONOTONIC, &now);
	ms = (long long)(now.tv_sec - c->since.tv_sec) * 1000 +
	    (now.tv_nsec - c->since.tv_nsec) / 1000000;
	c->since = now;
	if (ms < 0)
		ms = 0;
	return ms > FETCHLOG_DURATION_MAX ? FETCHLOG_DURATION_MAX :
	    (unsigned)ms;
}

/*
 * A record of what httpd saw (fetchbatch.h): a request answered with
 * status (req may be NULL: a request that could not be parsed), or a
 * failed handshake (status 0, failure).  sni is c->sni once the
 * handshake accepted it, else what the client sent, if anything.
 */
void
conn_record(struct conn *c, int status, const char *failure,
    const struct http_request *req)
{
	struct fetchrec r;
	const SSL_SESSION *sess;
	const char *v;

	if (!fetchbatch_on() || c->ssl == NULL)
		return;
	memset(&r, 0, sizeof(r));
	r.time = (int64_t)time(NULL);
	r.duration_ms = conn_elapsed_ms(c);
	if (fetchlog_addr((struct sockaddr *)&c->peer, c->peer_len,
	    r.addr) != 0)
		return;
	r.status = status;
	snprintf(r.failure, sizeof(r.failure), "%s", failure ? failure : "");
	/* A failed handshake: the version only once it was negotiated. */
	if ((status != 0 || ((sess = SSL_get_session(c->ssl)) != NULL &&
	    SSL_SESSION_get_protocol_version(sess) != 0)) &&
	    (v = SSL_get_version(c->ssl)) != NULL && strcmp(v, "unknown") != 0)
		snprintf(r.tls, sizeof(r.tls), "%s", v);
	if (c->sni[0] != '\0')
		snprintf(r.sni, sizeof(r.sni), "%s", c->sni);
	else if ((v = SSL_get_servername(c->ssl, TLSEXT_NAMETYPE_host_name))
	    != NULL)
		fetchlog_copy(r.sni, sizeof(r.sni), v, strlen(v));
	r.hosted = c->sni[0] != '\0' &&
	    policytab_get(httpd_policies, c->sni) != NULL;
	if (req != NULL) {
		if (req->host != NULL)
			fetchlog_copy(r.host, sizeof(r.host), req->host,
			    req->host_len);
		fetchlog_copy(r.path, sizeof(r.path), req->path,
		    req->path_len);
	}
	fetchbatch_add(&r);
}

/* "unknown-name": a TLS alert or an OpenSSL reason as a failure token. */
static void
conn_failure_token(char *out, size_t size, const char *prefix,
    const char *text)
{
	size_t n;

	snprintf(out, size, "%s", prefix);
	for (n = strlen(out); *text != '\0' && n + 1 < size; text++) {
		unsigned char ch = (unsigned char)*text;

		out[n++] = ch >= 'A' && ch <= 'Z' ? (char)(ch - 'A' + 'a') :
		    (ch >= 'a' && ch <= 'z') || (ch >= '0' && ch <= '9') ?
		    (char)ch : '-';
	}
	out[n] = '\0';
}

/*
 * Why a handshake failed, for its record: the SNI callback refused the
 * name (certcache.h) because there was none, or it names no policy
 * host that httpd serves (unknown-sni), or a served one whose
 * certificate is not in the store (no-certificate); the client sent
 * an alert (tls-alert:NAME, such as bad-certificate when it does not
 * trust ours); the client closed; or another TLS error.
 */
void
conn_handshake_failure(struct conn *c, int e, char *out, size_t size)
{
	unsigned long err = ERR_peek_error();
	int reason = ERR_GET_REASON(err);
	const char *name;
	char host[HTTP_HOST_MAX + 1];

	if (err != 0 && reason == SSL_R_CALLBACK_FAILED && c->sni[0] == '\0') {
		name = SSL_get_servername(c->ssl, TLSEXT_NAMETYPE_host_name);
		if (name == NULL)
			snprintf(out, size, "%s", FETCHLOG_FAIL_NO_SNI);
		else if (http_host_normalize(name, strlen(name), host) >= 0 &&
		    policytab_get(httpd_policies, host) != NULL) {
			snprintf(out, size, "%s", FETCHLOG_FAIL_NO_CERT);
			snprintf(c->sni, sizeof(c->sni), "%s", host);
		} else
			snprintf(out, size, "%s", FETCHLOG_FAIL_UNKNOWN_SNI);
	} else if (err != 0 && reason >= SSL_AD_REASON_OFFSET &&
	    reason < SSL_AD_REASON_OFFSET + 256) {
		conn_failure_token(out, size, FETCHLOG_FAIL_TLS_ALERT,
		    SSL_alert_desc_string_long(reason - SSL_AD_REASON_OFFSET));
	} else if ((err == 0 && (e == SSL_ERROR_SYSCALL ||
	    e == SSL_ERROR_ZERO_RETURN)) ||
	    reason == SSL_R_UNEXPECTED_EOF_WHILE_READING) {
		snprintf(out, size, "%s", FETCHLOG_FAIL_CLOSED);
	} else {
		conn_failure_token(out, size, FETCHLOG_FAIL_TLS_ERROR ":",
		    err ? ERR_reason_error_string(err) : "unknown");
	}
}
