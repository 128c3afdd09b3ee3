/*
 * challenge - httpd's ACME challenges; see challenge.h.
 * SPDX-License-Identifier: ISC
 *
 * Two short lists (a validation is a few hosts at a time), searched
 * linearly and only for ACME requests: an HTTP-01 path on the plain
 * listener, a ClientHello that offers "acme-tls/1", or the SNI of a
 * host that has no certificate.  Nothing here runs for a policy fetch.
 */
#include "config.h"

#include <string.h>

#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/x509.h>

#include "challenge.h"
#include "httpd.h"
#include "log.h"
#include "mymalloc.h"
#include "proto.h"

struct challenge_http_entry {
	struct challenge_http_entry *next;
	char	 host[HTTP_HOST_MAX + 1];
	char	*token;
	struct policy_entry answer;	/* head and body only */
};

struct challenge_tls_entry {
	struct challenge_tls_entry *next;
	char	 host[HTTP_HOST_MAX + 1];
	X509	*cert;
	EVP_PKEY *key;
};

static struct challenge_http_entry *challenge_https;
static struct challenge_tls_entry *challenge_tlss;
static size_t challenge_count;

static void
challenge_http_free(struct challenge_http_entry *e)
{
	free(e->token);
	free(e->answer.head);
	free(e->answer.body);
	free(e);
}

static void
challenge_tls_free(struct challenge_tls_entry *e)
{
	X509_free(e->cert);
	EVP_PKEY_free(e->key);
	free(e);
}

/* Removes host's entries of one type (token NULL: all of them). */
static int
challenge_drop(const char *type, const char *host, const char *token)
{
	struct challenge_http_entry **hp, *h;
	struct challenge_tls_entry **tp, *t;
	int n = 0;

	if (strcmp(type, "http-01") == 0) {
		for (hp = &challenge_https; (h = *hp) != NULL;) {
			if (strcmp(h->host, host) != 0 ||
			    (token != NULL && strcmp(h->token, token) != 0)) {
				hp = &h->next;
				continue;
			}
			*hp = h->next;
			challenge_http_free(h);
			n++;
		}
	} else {
		for (tp = &challenge_tlss; (t = *tp) != NULL;) {
			if (strcmp(t->host, host) != 0) {
				tp = &t->next;
				continue;
			}
			*tp = t->next;
			challenge_tls_free(t);
			n++;
		}
	}
	challenge_count -= (size_t)n;
	return n;
}

void
challenge_clear(void)
{
	struct challenge_http_entry *h;
	struct challenge_tls_entry *t;

	while ((h = challenge_https) != NULL) {
		challenge_https = h->next;
		challenge_http_free(h);
	}
	while ((t = challenge_tlss) != NULL) {
		challenge_tlss = t->next;
		challenge_tls_free(t);
	}
	challenge_count = 0;
}

static const char *
challenge_str(const json_t *msg, const char *key, size_t max)
{
	const json_t *v = json_object_get(msg, key);

	if (!json_is_string(v) || json_string_length(v) == 0 ||
	    json_string_length(v) > max ||
	    strlen(json_string_value(v)) != json_string_length(v))
		return NULL;
	return json_string_value(v);
}

static void
challenge_add_http(const char *host, const json_t *msg)
{
	const char *token = challenge_str(msg, "token", CHALLENGE_TOKEN_MAX);
	const char *keyauth = challenge_str(msg, "keyauth", CHALLENGE_KEYAUTH_MAX);
	struct challenge_http_entry *e;

	if (token == NULL || keyauth == NULL || strchr(token, '/') != NULL) {
		log_warn("policyd: http-01 challenge for %s without a usable"
		    " token or keyauth; skipped", host);
		return;
	}
	challenge_drop("http-01", host, token);
	e = xcalloc(1, sizeof(*e));
	snprintf(e->host, sizeof(e->host), "%s", host);
	e->token = xstrdup(token);
	e->answer.body = xstrdup(keyauth);
	e->answer.body_len = strlen(keyauth);
	e->answer.head = xasprintf("Content-Type: text/plain\r\n"
	    "Content-Length: %zu\r\n", e->answer.body_len);
	e->answer.head_len = strlen(e->answer.head);
	e->next = challenge_https;
	challenge_https = e;
	challenge_count++;
	log_info("%s: answering http-01 challenge %s", host, token);
}

/* Never asks for a pass phrase: an encrypted key is refused. */
static int
challenge_no_passphrase(char *buf, int size, int rwflag, void *u)
{
	return 0;
}

static void
challenge_add_tls(const char *host, const json_t *msg)
{
	const char *cert = challenge_str(msg, "cert", CHALLENGE_PEM_MAX);
	const char *key = challenge_str(msg, "key", CHALLENGE_PEM_MAX);
	struct challenge_tls_entry *e;
	X509 *x = NULL;
	EVP_PKEY *k = NULL;
	BIO *bio;

	if (cert != NULL && (bio = BIO_new_mem_buf(cert, -1)) != NULL) {
		x = PEM_read_bio_X509(bio, NULL, challenge_no_passphrase, NULL);
		BIO_free(bio);
	}
	if (key != NULL && (bio = BIO_new_mem_buf(key, -1)) != NULL) {
		k = PEM_read_bio_PrivateKey(bio, NULL, challenge_no_passphrase,
		    NULL);
		BIO_free(bio);
	}
	if (x == NULL || k == NULL || X509_check_private_key(x, k) != 1) {
		log_warn("policyd: tls-alpn-01 challenge for %s: %s; skipped",
		    host, x == NULL ? "no certificate" : k == NULL ?
		    "no usable private key" : "the key does not match the"
		    " certificate");
		ERR_clear_error();
		X509_free(x);
		EVP_PKEY_free(k);
		return;
	}
	challenge_drop("tls-alpn-01", host, NULL);
	e = xcalloc(1, sizeof(*e));
	snprintf(e->host, sizeof(e->host), "%s", host);
	e->cert = x;
	e->key = k;
	e->next = challenge_tlss;
	challenge_tlss = e;
	challenge_count++;
	log_info("%s: answering tls-alpn-01 challenge", host);
}

void
challenge_message(const json_t *msg)
{
	const char *op = json_string_value(json_object_get(msg, "op"));
	const char *type = challenge_str(msg, "type", 32);
	const char *host = challenge_str(msg, "host", HTTP_HOST_MAX + 1);
	char norm[HTTP_HOST_MAX + 1];
	int http;

	if (op == NULL || type == NULL || host == NULL ||
	    http_host_normalize(host, strlen(host), norm) < 0 ||
	    (strcmp(type, "http-01") != 0 && strcmp(type, "tls-alpn-01") != 0)) {
		log_warn("policyd: %s message without a known type or a host"
		    " name; skipped", op ? op : "challenge");
		return;
	}
	http = strcmp(type, "http-01") == 0;
	/* Each listener keeps only the challenges it answers. */
	if (http == httpd_conf.tls)
		return;
	if (strcmp(op, PROTO_OP_CHALLENGE_REMOVE) == 0) {
		if (challenge_drop(type, norm, http ? challenge_str(msg, "token",
		    CHALLENGE_TOKEN_MAX) : NULL) > 0)
			log_info("%s: %s challenge withdrawn", norm, type);
		return;
	}
	if (challenge_count >= CHALLENGE_MAX) {
		log_warn("policyd: %s challenge for %s: %d challenges held, the"
		    " limit; skipped", type, norm, CHALLENGE_MAX);
		return;
	}
	if (http)
		challenge_add_http(norm, msg);
	else
		challenge_add_tls(norm, msg);
}

/*
 * HTTP-01.
 */
int
challenge_http(const struct http_request *req, const struct policy_entry **out)
{
	static const size_t plen = sizeof(CHALLENGE_HTTP_PREFIX) - 1;
	const struct challenge_http_entry *e;
	char host[HTTP_HOST_MAX + 1];
	const char *token;
	size_t tlen;

	if (req->path_len <= plen ||
	    memcmp(req->path, CHALLENGE_HTTP_PREFIX, plen) != 0)
		return 0;
	token = req->path + plen;
	tlen = req->path_len - plen;
	if (req->method == HTTP_METHOD_OTHER)
		return 405;
	if (req->host != NULL &&
	    http_host_normalize(req->host, req->host_len, host) < 0)
		return 404;
	for (e = challenge_https; e != NULL; e = e->next) {
		if (strlen(e->token) != tlen || memcmp(e->token, token, tlen) != 0)
			continue;
		if (req->host != NULL && strcmp(host, e->host) != 0)
			continue;
		*out = &e->answer;
		return 200;
	}
	return 404;
}

/*
 * TLS-ALPN-01.
 */
static struct challenge_tls_entry *
challenge_tls_find(const char *host)
{
	struct challenge_tls_entry *e;

	for (e = challenge_tlss; e != NULL; e = e->next)
		if (strcmp(e->host, host) == 0)
			return e;
	return NULL;
}

int
challenge_tls_host(const char *host)
{
	return challenge_tlss != NULL && challenge_tls_find(host) != NULL;
}

/* in: the client's protocols, each a length byte and its name. */
static int
challenge_alpn_select(SSL *ssl, const unsigned char **out,
    unsigned char *outlen, const unsigned char *in, unsigned int inlen,
    void *arg)
{
	static const size_t alen = sizeof(CHALLENGE_ALPN) - 1;
	const char *name = SSL_get_servername(ssl, TLSEXT_NAMETYPE_host_name);
	char host[HTTP_HOST_MAX + 1];
	struct challenge_tls_entry *e;
	unsigned int i;

	if (challenge_tlss == NULL || name == NULL)
		return SSL_TLSEXT_ERR_NOACK;
	for (i = 0; i < inlen && i + 1 + in[i] <= inlen; i += 1 + in[i])
		if (in[i] == alen && memcmp(in + i + 1, CHALLENGE_ALPN, alen) == 0)
			break;
	if (i >= inlen || i + 1 + in[i] > inlen)
		return SSL_TLSEXT_ERR_NOACK;
	if (http_host_normalize(name, strlen(name), host) < 0 ||
	    (e = challenge_tls_find(host)) == NULL)
		return SSL_TLSEXT_ERR_NOACK;
	if (SSL_use_cert_and_key(ssl, e->cert, e->key, NULL, 1) != 1) {
		log_warn("%s: cannot use the tls-alpn-01 certificate: %s", host,
		    ERR_reason_error_string(ERR_peek_error()));
		ERR_clear_error();
		return SSL_TLSEXT_ERR_ALERT_FATAL;
	}
	*out = in + i + 1;
	*outlen = in[i];
	return SSL_TLSEXT_ERR_OK;
}

void
challenge_tls_setup(SSL_CTX *ctx)
{
	SSL_CTX_set_alpn_select_cb(ctx, challenge_alpn_select, NULL);
}

int
challenge_tls_done(SSL *ssl)
{
	const unsigned char *p;
	unsigned int len;
	const char *name;

	SSL_get0_alpn_selected(ssl, &p, &len);
	if (len != sizeof(CHALLENGE_ALPN) - 1 ||
	    memcmp(p, CHALLENGE_ALPN, len) != 0)
		return 0;
	name = SSL_get_servername(ssl, TLSEXT_NAMETYPE_host_name);
	log_info("%s: tls-alpn-01 validation handshake done; closing",
	    name ? name : "(no name)");
	SSL_shutdown(ssl);		/* close_notify, no HTTP */
	ERR_clear_error();
	return 1;
}
