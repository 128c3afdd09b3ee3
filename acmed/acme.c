/*
 * acme - the RFC 8555 client protocol; see acme.h.
 * SPDX-License-Identifier: ISC
 *
 * Straight-line code over fetch(): one exchange at a time, each step
 * checked against the document it expects.  Touches no files: keys and
 * chains are returned to the caller.
 */
#include "config.h"

#include <errno.h>
#include <string.h>
#include <time.h>

#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/objects.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include "acme.h"
#include "acmemsg.h"
#include "jws.h"
#include "log.h"
#include "mymalloc.h"
#include "proto.h"
#include "store.h"

#define ACME_CT_JSON	"application/json"
#define ACME_CT_PROBLEM	"application/problem+json"
#define ACME_CT_CHAIN	"application/pem-certificate-chain"
#define ACME_ERR_PREFIX	"urn:ietf:params:acme:error:"
#define ACME_OID_ACME_ID "1.3.6.1.5.5.7.1.31"	/* RFC 8737 */
#define ACME_ALPN_DAYS	7

struct acme_client {
	struct acme_conf conf;
	EVP_PKEY *key;
	SSL_CTX	*tls;
	char	*thumbprint;
	struct acme_directory dir;
	int	 have_dir;
	char	*kid;
	char	*nonce;
	/* Of the last error answer. */
	long long retry_at;
	char	*problem_type;
};

struct acme_client *
acme_client_new(const struct acme_conf *conf, EVP_PKEY *key, SSL_CTX *tls)
{
	struct acme_client *c = xcalloc(1, sizeof(*c));

	c->conf = *conf;
	c->key = key;
	c->tls = tls;
	c->thumbprint = jws_thumbprint(key);
	return c;
}

void
acme_client_free(struct acme_client *c)
{
	if (c == NULL)
		return;
	acmemsg_directory_clear(&c->dir);
	free(c->thumbprint);
	free(c->kid);
	free(c->nonce);
	free(c->problem_type);
	free(c);
}

void
acme_result_clear(struct acme_result *r)
{
	if (r->key_pem != NULL)
		OPENSSL_cleanse(r->key_pem, strlen(r->key_pem));
	free(r->key_pem);
	free(r->chain_pem);
	free(r->problem_type);
	memset(r, 0, sizeof(*r));
}

/* Content-Type without parameters, compared case-insensitively. */
static int
acme_ct_is(const struct fetch_resp *r, const char *want)
{
	size_t len = strlen(want);

	return r->content_type != NULL &&
	    strncasecmp(r->content_type, want, len) == 0 &&
	    (r->content_type[len] == '\0' || r->content_type[len] == ';' ||
	    r->content_type[len] == ' ');
}

static void
acme_take_nonce(struct acme_client *c, struct fetch_resp *r)
{
	if (r->nonce != NULL && acmemsg_token_ok(r->nonce)) {
		free(c->nonce);
		c->nonce = r->nonce;
		r->nonce = NULL;
	}
}

/*
 * Turns an answer that is not the success expected into err: the
 * problem document when there is one, else the status.  Returns 1 for
 * badNonce (the caller may retry).
 */
static int
acme_answer_error(struct acme_client *c, const char *what,
    struct fetch_resp *r, struct buf *err)
{
	struct acme_problem p;
	long long ra;
	int bad_nonce = 0;

	if ((ra = fetch_retry_after(r->retry_after, (long long)time(NULL))) > 0)
		c->retry_at = ra;
	if (r->status >= 300 && r->status < 400) {
		buf_printf(err, "%s: redirect (HTTP %d to %.200s) not followed",
		    what, r->status, r->location ? r->location : "nowhere");
		return 0;
	}
	if (acme_ct_is(r, ACME_CT_PROBLEM) &&
	    acmemsg_problem(r->body.s ? r->body.s : "", r->body.len, &p) == 0) {
		buf_printf(err, "%s: HTTP %d: %.200s: %.800s", what, r->status,
		    p.type, p.detail ? p.detail : "(no detail)");
		free(c->problem_type);
		c->problem_type = xstrdup(p.type);
		bad_nonce = strcmp(p.type, ACME_ERR_PREFIX "badNonce") == 0;
		acmemsg_problem_clear(&p);
	} else {
		buf_printf(err, "%s: HTTP %d (content type %.100s)", what,
		    r->status, r->content_type ? r->content_type : "none");
	}
	return bad_nonce;
}

static int
acme_new_nonce(struct acme_client *c, struct buf *err)
{
	struct fetch_resp r;

	if (fetch(c->tls, "HEAD", c->dir.new_nonce, NULL, &c->conf.limits, &r,
	    err) < 0)
		return -1;
	acme_take_nonce(c, &r);
	if ((r.status != 200 && r.status != 204) || c->nonce == NULL) {
		if (r.status == 200 || r.status == 204)
			buf_printf(err, "newNonce %s: no Replay-Nonce in the answer",
			    c->dir.new_nonce);
		else
			acme_answer_error(c, "newNonce", &r, err);
		fetch_resp_clear(&r);
		return -1;
	}
	fetch_resp_clear(&r);
	return 0;
}

/*
 * A signed POST (payload NULL: POST-as-GET).  Succeeds for a 2xx answer
 * of content type ctype (NULL: any).
 */
static int
acme_post(struct acme_client *c, const char *what, const char *url,
    const char *payload, int use_jwk, const char *ctype,
    struct fetch_resp *r, struct buf *err)
{
	char *body, *nonce;
	int tries, bad_nonce;

	for (tries = 0; tries < 2; tries++) {
		if (c->nonce == NULL && acme_new_nonce(c, err) < 0)
			return -1;
		nonce = c->nonce;
		c->nonce = NULL;
		body = jws_sign(c->key, use_jwk ? NULL : c->kid, nonce, url,
		    payload, err);
		free(nonce);
		if (body == NULL)
			return -1;
		if (fetch(c->tls, "POST", url, body, &c->conf.limits, r, err) < 0) {
			free(body);
			return -1;
		}
		free(body);
		acme_take_nonce(c, r);
		if (r->status >= 200 && r->status < 300) {
			if (ctype != NULL && !acme_ct_is(r, ctype)) {
				buf_printf(err, "%s %s: answer of content type %.100s,"
				    " expected %s", what, url, r->content_type ?
				    r->content_type : "none", ctype);
				fetch_resp_clear(r);
				return -1;
			}
			return 0;
		}
		bad_nonce = acme_answer_error(c, what, r, err);
		fetch_resp_clear(r);
		if (!bad_nonce || tries > 0)
			return -1;
		log_info("%s: bad nonce, retrying once with a new one", what);
		buf_reset(err);
	}
	return -1;
}

static int
acme_directory(struct acme_client *c, struct buf *err)
{
	struct fetch_resp r;
	int rc = -1;

	if (c->have_dir)
		return 0;
	if (fetch(c->tls, "GET", c->conf.directory_url, NULL, &c->conf.limits,
	    &r, err) < 0)
		return -1;
	if (r.status != 200) {
		acme_answer_error(c, "directory", &r, err);
		buf_printf(err, " (%s)", c->conf.directory_url);
	} else if (!acme_ct_is(&r, ACME_CT_JSON)) {
		buf_printf(err, "directory %s: content type %.100s, expected %s",
		    c->conf.directory_url, r.content_type ? r.content_type :
		    "none", ACME_CT_JSON);
	} else if (acmemsg_directory(r.body.s, r.body.len, &c->dir, err) < 0) {
		buf_printf(err, " (directory %s)", c->conf.directory_url);
	} else {
		c->have_dir = 1;
		rc = 0;
	}
	fetch_resp_clear(&r);
	return rc;
}

static int
acme_account(struct acme_client *c, struct buf *err)
{
	struct fetch_resp r;
	json_t *req, *contact;
	char *payload;
	int rc = -1;

	if (c->kid != NULL)
		return 0;
	contact = json_array();
	for (char **p = c->conf.contact; p != NULL && *p != NULL; p++) {
		if (strncmp(*p, "mailto:", 7) == 0)
			json_array_append_new(contact, json_string(*p));
		else
			json_array_append_new(contact, json_sprintf("mailto:%s", *p));
	}
	req = json_pack("{s:b, s:o}", "termsOfServiceAgreed", 1, "contact",
	    contact);
	payload = json_dumps(req, JSON_COMPACT);
	json_decref(req);
	if (acme_post(c, "newAccount", c->dir.new_account, payload, 1,
	    ACME_CT_JSON, &r, err) < 0)
		goto out;
	if (r.location == NULL || !acmemsg_url_ok(r.location)) {
		buf_printf(err, "newAccount: answer without an account URL");
		fetch_resp_clear(&r);
		goto out;
	}
	c->kid = xstrdup(r.location);
	log_info("ACME account %s (%s)", c->kid, r.status == 201 ? "created" :
	    "existing");
	fetch_resp_clear(&r);
	rc = 0;
out:
	free(payload);
	return rc;
}

static void
acme_sleep_ms(int ms)
{
	struct timespec ts = { ms / 1000, (long)(ms % 1000) * 1000000L };

	while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
		;
}

/*
 * Milliseconds to wait before the next poll: the server's Retry-After
 * when it gives one (at most ACME_POLL_MAX seconds), else *step, which
 * doubles at each poll from ACME_POLL_FIRST_MS up to ACME_POLL_STEP_MAX_MS:
 * a CA that validates at once is seen at once, a slow one is not
 * hammered.
 */
static int
acme_poll_delay(const struct fetch_resp *r, int *step)
{
	long long now = (long long)time(NULL);
	long long at = fetch_retry_after(r ? r->retry_after : NULL, now);
	int ms;

	if (at > now)
		return (int)(at - now > ACME_POLL_MAX ? ACME_POLL_MAX :
		    at - now) * 1000;
	ms = *step;
	*step = *step * 2 > ACME_POLL_STEP_MAX_MS ? ACME_POLL_STEP_MAX_MS :
	    *step * 2;
	return ms;
}

/* Whether waiting ms more would pass deadline. */
static int
acme_poll_late(time_t deadline, int ms)
{
	return time(NULL) + (ms + 999) / 1000 > deadline;
}

/*
 * Challenge messages for policyd (forwarded to httpd).
 */
static json_t *
acme_challenge_msg(const char *op, const char *type, const char *host,
    const char *token, const char *keyauth, const char *cert,
    const char *key)
{
	json_t *m = json_pack("{s:s, s:s, s:s}", "op", op, "type", type,
	    "host", host);

	if (token != NULL)
		json_object_set_new(m, "token", json_string(token));
	if (keyauth != NULL)
		json_object_set_new(m, "keyauth", json_string(keyauth));
	if (cert != NULL)
		json_object_set_new(m, "cert", json_string(cert));
	if (key != NULL)
		json_object_set_new(m, "key", json_string(key));
	return m;
}

static int
acme_publish(const struct acme_challenge_hooks *h, json_t *msg,
    struct buf *err)
{
	int rc = h->publish(msg, h->arg, err);

	json_decref(msg);
	return rc;
}

/* Polls an authorization until it leaves "pending". */
static int
acme_authz_wait(struct acme_client *c, const char *url, const char *type,
    struct buf *err)
{
	time_t deadline = time(NULL) + c->conf.poll_timeout;
	struct acme_authz a;
	const struct acme_challenge *ch;
	struct fetch_resp r;
	int step = ACME_POLL_FIRST_MS, delay = ACME_POLL_FIRST_MS;

	/* The challenge was just answered: give the CA a moment first. */
	for (;;) {
		acme_sleep_ms(delay);
		if (acme_post(c, "authorization", url, NULL, 0, ACME_CT_JSON, &r,
		    err) < 0)
			return -1;
		if (acmemsg_authz(r.body.s, r.body.len, &a, err) < 0) {
			buf_printf(err, " (authorization %s)", url);
			fetch_resp_clear(&r);
			return -1;
		}
		delay = acme_poll_delay(&r, &step);
		fetch_resp_clear(&r);
		if (strcmp(a.status, "valid") == 0) {
			acmemsg_authz_clear(&a);
			return 0;
		}
		if (strcmp(a.status, "pending") != 0) {
			ch = acmemsg_authz_find(&a, type);
			buf_printf(err, "authorization of %s is %s: %s",
			    a.identifier, a.status, ch && ch->error ? ch->error :
			    "no reason given");
			if (ch != NULL && ch->error != NULL) {
				/* "urn:...:error:x: detail": keep the URN. */
				const char *sep = strstr(ch->error, ": ");

				free(c->problem_type);
				c->problem_type = xstrndup(ch->error, sep ?
				    (size_t)(sep - ch->error) : strlen(ch->error));
			}
			acmemsg_authz_clear(&a);
			return -1;
		}
		acmemsg_authz_clear(&a);
		if (acme_poll_late(deadline, delay)) {
			buf_printf(err, "authorization %s still pending after %d s",
			    url, c->conf.poll_timeout);
			return -1;
		}
	}
}

static int
acme_authorize(struct acme_client *c, const char *host, const char *url,
    const struct acme_challenge_hooks *h, struct buf *err)
{
	const struct acme_challenge *ch;
	struct acme_authz a;
	struct fetch_resp r;
	char *keyauth = NULL, *cert = NULL, *key = NULL;
	const char *type = c->conf.challenge;
	int rc = -1, published = 0;

	if (acme_post(c, "authorization", url, NULL, 0, ACME_CT_JSON, &r, err) < 0)
		return -1;
	if (acmemsg_authz(r.body.s, r.body.len, &a, err) < 0) {
		buf_printf(err, " (authorization %s)", url);
		fetch_resp_clear(&r);
		return -1;
	}
	fetch_resp_clear(&r);
	if (strcmp(a.status, "valid") == 0) {
		acmemsg_authz_clear(&a);
		return 0;
	}
	if (strcasecmp(a.identifier, host) != 0 || a.wildcard) {
		buf_printf(err, "authorization %s is for %.200s, not %s", url,
		    a.identifier, host);
		goto out;
	}
	if (strcmp(a.status, "pending") != 0) {
		buf_printf(err, "authorization of %s is %s", host, a.status);
		goto out;
	}
	if ((ch = acmemsg_authz_find(&a, type)) == NULL) {
		buf_printf(err, "the CA offers no %s challenge for %s", type, host);
		goto out;
	}
	keyauth = xasprintf("%s.%s", ch->token, c->thumbprint);
	if (strcmp(type, "tls-alpn-01") == 0) {
		if (acme_alpn_cert(host, keyauth, &cert, &key) < 0) {
			buf_printf(err, "%s: cannot make the tls-alpn-01 certificate",
			    host);
			goto out;
		}
		if (acme_publish(h, acme_challenge_msg(PROTO_OP_CHALLENGE_ADD,
		    type, host, NULL, NULL, cert, key), err) < 0)
			goto out;
	} else if (acme_publish(h, acme_challenge_msg(PROTO_OP_CHALLENGE_ADD, type,
	    host, ch->token, keyauth, NULL, NULL), err) < 0) {
		goto out;
	}
	published = 1;
	acme_sleep_ms(ACME_PUBLISH_GRACE_MS);
	if (strcmp(ch->status, "pending") == 0) {
		if (acme_post(c, "challenge", ch->url, "{}", 0, ACME_CT_JSON, &r,
		    err) < 0)
			goto out;
		fetch_resp_clear(&r);
	}
	rc = acme_authz_wait(c, url, type, err);
out:
	if (published) {
		struct buf ignore = BUF_INIT;

		if (acme_publish(h, acme_challenge_msg(
		    PROTO_OP_CHALLENGE_REMOVE, type, host, strcmp(type,
		    "http-01") == 0 ? ch->token : NULL, NULL, NULL, NULL),
		    &ignore) < 0)
			log_warn("%s: cannot withdraw the %s challenge: %s", host,
			    type, ignore.s);
		buf_free(&ignore);
	}
	if (key != NULL)
		OPENSSL_cleanse(key, strlen(key));
	free(key);
	free(cert);
	free(keyauth);
	acmemsg_authz_clear(&a);
	return rc;
}

/* Polls the order until it is valid (or fails). */
static int
acme_order_wait(struct acme_client *c, const char *url,
    struct acme_order *o, const char *until, struct buf *err)
{
	time_t deadline = time(NULL) + c->conf.poll_timeout;
	struct fetch_resp r;
	int step = ACME_POLL_FIRST_MS, delay = 0;

	for (;;) {
		if (strcmp(o->status, "invalid") == 0) {
			buf_printf(err, "order %s is invalid", url);
			return -1;
		}
		if (strcmp(o->status, until) == 0 || strcmp(o->status, "valid") == 0)
			return 0;
		if (strcmp(o->status, "processing") == 0 && delay == 0)
			delay = acme_poll_delay(NULL, &step);
		if (acme_poll_late(deadline, delay)) {
			buf_printf(err, "order %s still %s after %d s", url,
			    o->status, c->conf.poll_timeout);
			return -1;
		}
		acme_sleep_ms(delay);
		if (acme_post(c, "order", url, NULL, 0, ACME_CT_JSON, &r, err) < 0)
			return -1;
		delay = acme_poll_delay(&r, &step);
		acmemsg_order_clear(o);
		if (acmemsg_order(r.body.s, r.body.len, o, err) < 0) {
			buf_printf(err, " (order %s)", url);
			fetch_resp_clear(&r);
			return -1;
		}
		fetch_resp_clear(&r);
	}
}

static int
acme_issue_once(struct acme_client *c, const char *host,
    const struct acme_challenge_hooks *h, struct acme_result *res,
    struct buf *err)
{
	struct acme_order o;
	struct fetch_resp r;
	struct store_info info;
	EVP_PKEY *key = NULL;
	char *payload = NULL, *order_url = NULL, *csr;
	json_t *req;
	int rc = -1;

	memset(res, 0, sizeof(*res));
	memset(&o, 0, sizeof(o));
	c->retry_at = 0;
	free(c->problem_type);
	c->problem_type = NULL;
	if (acme_directory(c, err) < 0 || acme_account(c, err) < 0)
		goto out;

	req = json_pack("{s:[{s:s, s:s}]}", "identifiers", "type", "dns",
	    "value", host);
	payload = json_dumps(req, JSON_COMPACT);
	json_decref(req);
	if (acme_post(c, "newOrder", c->dir.new_order, payload, 0, ACME_CT_JSON,
	    &r, err) < 0)
		goto out;
	if (r.location == NULL || !acmemsg_url_ok(r.location)) {
		buf_puts(err, "newOrder: answer without an order URL");
		fetch_resp_clear(&r);
		goto out;
	}
	order_url = xstrdup(r.location);
	if (acmemsg_order(r.body.s, r.body.len, &o, err) < 0) {
		buf_printf(err, " (order %s)", order_url);
		fetch_resp_clear(&r);
		goto out;
	}
	fetch_resp_clear(&r);
	log_info("%s: order %s (%s)", host, order_url, o.status);

	for (size_t i = 0; i < o.nauthz; i++)
		if (acme_authorize(c, host, o.authz[i], h, err) < 0)
			goto out;
	if (acme_order_wait(c, order_url, &o, "ready", err) < 0)
		goto out;

	if (strcmp(o.status, "ready") == 0) {
		key = jws_key_new();
		csr = acme_csr(key, host);
		free(payload);
		req = json_pack("{s:s}", "csr", csr);
		payload = json_dumps(req, JSON_COMPACT);
		json_decref(req);
		free(csr);
		if (acme_post(c, "finalize", o.finalize, payload, 0, ACME_CT_JSON,
		    &r, err) < 0)
			goto out;
		acmemsg_order_clear(&o);
		if (acmemsg_order(r.body.s, r.body.len, &o, err) < 0) {
			buf_printf(err, " (order %s)", order_url);
			fetch_resp_clear(&r);
			goto out;
		}
		fetch_resp_clear(&r);
		if (acme_order_wait(c, order_url, &o, "valid", err) < 0)
			goto out;
	} else {
		buf_printf(err, "order %s is valid before it was finalized", order_url);
		goto out;
	}
	if (o.certificate == NULL) {
		buf_printf(err, "order %s is valid but names no certificate",
		    order_url);
		goto out;
	}
	if (acme_post(c, "certificate", o.certificate, NULL, 0, ACME_CT_CHAIN,
	    &r, err) < 0)
		goto out;
	res->chain_pem = buf_steal(&r.body);
	fetch_resp_clear(&r);
	res->key_pem = jws_key_pem(key);
	if (store_chain_check(res->chain_pem, res->key_pem, host, &info, err) < 0)
		goto out;
	if (!info.names_host) {
		buf_printf(err, "the certificate from %s does not name %s",
		    o.certificate, host);
		goto out;
	}
	rc = 0;
out:
	if (rc < 0) {
		res->retry_at = c->retry_at;
		if (c->problem_type != NULL)
			res->problem_type = xstrdup(c->problem_type);
		if (res->key_pem != NULL)
			OPENSSL_cleanse(res->key_pem, strlen(res->key_pem));
		free(res->key_pem);
		free(res->chain_pem);
		res->key_pem = res->chain_pem = NULL;
	}
	EVP_PKEY_free(key);
	acmemsg_order_clear(&o);
	free(order_url);
	free(payload);
	return rc;
}

int
acme_issue(struct acme_client *c, const char *host,
    const struct acme_challenge_hooks *h, struct acme_result *res,
    struct buf *err)
{
	size_t start = err->len;
	int rc;

	rc = acme_issue_once(c, host, h, res, err);
	if (rc < 0 && c->kid != NULL && res->problem_type != NULL &&
	    strcmp(res->problem_type, ACME_ERR_PREFIX "accountDoesNotExist") == 0) {
		/* The CA forgot the account (or was reset): register again. */
		log_warn("%s: %s; registering the account again", host,
		    err->s + start);
		free(c->kid);
		c->kid = NULL;
		free(c->nonce);
		c->nonce = NULL;
		acmemsg_directory_clear(&c->dir);
		c->have_dir = 0;
		acme_result_clear(res);
		err->len = start;
		err->s[start] = '\0';
		rc = acme_issue_once(c, host, h, res, err);
	}
	return rc;
}

/*
 * Keys and certificates made here.
 */
static X509_EXTENSION *
acme_san(const char *host)
{
	char *v = xasprintf("DNS:%s", host);
	X509_EXTENSION *ext = X509V3_EXT_conf_nid(NULL, NULL,
	    NID_subject_alt_name, v);

	free(v);
	if (ext == NULL)
		log_fatal("%s: cannot make a subjectAltName", host);
	return ext;
}

static char *
acme_der_b64(const unsigned char *der, int len)
{
	if (len <= 0)
		log_fatal("cannot encode a certificate request");
	return jws_b64url(der, (size_t)len);
}

char   *
acme_csr(EVP_PKEY *key, const char *host)
{
	X509_REQ *req = X509_REQ_new();
	STACK_OF(X509_EXTENSION) *exts = sk_X509_EXTENSION_new_null();
	X509_NAME *name = X509_NAME_new();
	unsigned char *der = NULL;
	char *out;
	int len;

	if (req == NULL || exts == NULL || name == NULL ||
	    !X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC,
	    (const unsigned char *)host, -1, -1, 0) ||
	    !X509_REQ_set_subject_name(req, name) ||
	    !X509_REQ_set_pubkey(req, key))
		log_fatal("%s: cannot make a certificate request", host);
	sk_X509_EXTENSION_push(exts, acme_san(host));
	if (!X509_REQ_add_extensions(req, exts) ||
	    !X509_REQ_sign(req, key, EVP_sha256()))
		log_fatal("%s: cannot sign a certificate request", host);
	len = i2d_X509_REQ(req, &der);
	out = acme_der_b64(der, len);
	OPENSSL_free(der);
	sk_X509_EXTENSION_pop_free(exts, X509_EXTENSION_free);
	X509_NAME_free(name);
	X509_REQ_free(req);
	return out;
}

static char *
acme_pem_cert(X509 *x)
{
	BIO *bio = BIO_new(BIO_s_mem());
	char *data, *out;
	long len;

	if (bio == NULL || !PEM_write_bio_X509(bio, x))
		log_fatal("cannot encode a certificate");
	len = BIO_get_mem_data(bio, &data);
	out = xstrndup(data, (size_t)len);
	BIO_free(bio);
	return out;
}

/* RFC 8737: self-signed, the SAN host, critical acmeIdentifier. */
int
acme_alpn_cert(const char *host, const char *keyauth, char **cert_pem,
    char **key_pem)
{
	unsigned char md[32], *der = NULL;
	unsigned int mdlen = sizeof(md);
	ASN1_OCTET_STRING *digest = ASN1_OCTET_STRING_new(), *wrapped = NULL;
	ASN1_OBJECT *oid = OBJ_txt2obj(ACME_OID_ACME_ID, 1);
	X509_EXTENSION *ext = NULL, *san;
	EVP_PKEY *key = jws_key_new();
	X509 *x = X509_new();
	X509_NAME *name = X509_NAME_new();
	int len, rc = -1;

	if (digest == NULL || oid == NULL || x == NULL || name == NULL ||
	    !EVP_Digest(keyauth, strlen(keyauth), md, &mdlen, EVP_sha256(), NULL) ||
	    !ASN1_OCTET_STRING_set(digest, md, (int)mdlen) ||
	    (len = i2d_ASN1_OCTET_STRING(digest, &der)) <= 0 ||
	    (wrapped = ASN1_OCTET_STRING_new()) == NULL ||
	    !ASN1_OCTET_STRING_set(wrapped, der, len) ||
	    (ext = X509_EXTENSION_create_by_OBJ(NULL, oid, 1, wrapped)) == NULL)
		goto out;
	X509_set_version(x, 2);
	ASN1_INTEGER_set(X509_get_serialNumber(x), (long)time(NULL));
	X509_gmtime_adj(X509_getm_notBefore(x), -3600);
	X509_gmtime_adj(X509_getm_notAfter(x), ACME_ALPN_DAYS * 86400L);
	X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC,
	    (const unsigned char *)host, -1, -1, 0);
	X509_set_subject_name(x, name);
	X509_set_issuer_name(x, name);
	X509_set_pubkey(x, key);
	san = acme_san(host);
	X509_add_ext(x, san, -1);
	X509_EXTENSION_free(san);
	X509_add_ext(x, ext, -1);
	if (!X509_sign(x, key, EVP_sha256()))
		goto out;
	*cert_pem = acme_pem_cert(x);
	*key_pem = jws_key_pem(key);
	rc = 0;
out:
	ERR_clear_error();
	OPENSSL_free(der);
	ASN1_OCTET_STRING_free(digest);
	ASN1_OCTET_STRING_free(wrapped);
	ASN1_OBJECT_free(oid);
	X509_EXTENSION_free(ext);
	X509_NAME_free(name);
	X509_free(x);
	EVP_PKEY_free(key);
	return rc;
}
