/*
 * challenges - the ACME challenges policyd relays; see challenges.h.
 * SPDX-License-Identifier: ISC
 *
 * An array in order of arrival, searched linearly: acmed validates a
 * few hosts at a time, and the size is bounded.  Each entry keeps the
 * message subscribers get, so a late subscriber gets the same bytes.
 * Private keys of tls-alpn-01 challenges are wiped when dropped.
 */
#include "config.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>

#include "challenges.h"
#include "log.h"
#include "mymalloc.h"
#include "policy.h"
#include "proto.h"

#define CHALLENGES_HTTP		"http-01"
#define CHALLENGES_ALPN		"tls-alpn-01"

struct challenge_entry {
	char	*type;
	char	*host;
	char	*token;		/* http-01 only */
	json_t	*msg;		/* {"op":"challenge",...} */
	long long added;
};

struct challenges {
	struct challenge_entry *v;
	size_t	 n;
	size_t	 cap;
	size_t	 max;
};

struct challenges *
challenges_new(size_t max)
{
	struct challenges *c = xcalloc(1, sizeof(*c));

	c->max = max > 0 ? max : 1;
	return c;
}

/* Wipes the key of a tls-alpn-01 message before it is released. */
static void
challenges_msg_free(json_t *msg)
{
	json_t *key = json_object_get(msg, "key");

	if (json_is_string(key) && msg->refcount == 1)
		OPENSSL_cleanse((char *)json_string_value(key),
		    json_string_length(key));
	json_decref(msg);
}

static void
challenges_entry_clear(struct challenge_entry *e)
{
	free(e->type);
	free(e->host);
	free(e->token);
	challenges_msg_free(e->msg);
}

void
challenges_free(struct challenges *c)
{
	if (c == NULL)
		return;
	XFREE_EACH(c->v, c->n, challenges_entry_clear);
	free(c);
}

size_t
challenges_count(const struct challenges *c)
{
	return c == NULL ? 0 : c->n;
}

/*
 * Request fields.  Each returns the string, or NULL with err set.
 */
static const char *
challenges_str(const json_t *req, const char *key, size_t max,
    struct buf *err)
{
	const json_t *v = json_object_get(req, key);

	if (!json_is_string(v) || json_string_length(v) == 0) {
		buf_printf(err, "missing %s", key);
		return NULL;
	}
	if (json_string_length(v) > max) {
		buf_printf(err, "%s: longer than %zu bytes", key, max);
		return NULL;
	}
	if (strlen(json_string_value(v)) != json_string_length(v)) {
		buf_printf(err, "%s: contains a NUL byte", key);
		return NULL;
	}
	return json_string_value(v);
}

static const char *
challenges_type(const json_t *req, struct buf *err)
{
	const char *t = challenges_str(req, "type", 32, err);

	if (t == NULL)
		return NULL;
	if (strcmp(t, CHALLENGES_HTTP) != 0 && strcmp(t, CHALLENGES_ALPN) != 0) {
		buf_printf(err, "challenge type \"%s\": must be %s or %s", t,
		    CHALLENGES_HTTP, CHALLENGES_ALPN);
		return NULL;
	}
	return t;
}

/* The host in lower case without a trailing dot, or NULL. */
static char *
challenges_host(const json_t *req, struct buf *err)
{
	const char *s = challenges_str(req, "host", POLICY_NAME_MAX + 1, err);
	struct buf why = BUF_INIT;
	char *h;
	size_t len, i;

	if (s == NULL)
		return NULL;
	len = strlen(s);
	if (s[len - 1] == '.')
		len--;
	h = xstrndup(s, len);
	for (i = 0; i < len; i++)
		h[i] = (char)tolower((unsigned char)h[i]);
	if (len == 0 || strchr(h, '*') != NULL || policy_mx_valid(h, &why) < 0) {
		buf_printf(err, "host \"%s\": not a valid host name", s);
		buf_free(&why);
		free(h);
		return NULL;
	}
	buf_free(&why);
	return h;
}

static int
challenges_b64url(const char *s, size_t len)
{
	size_t i;

	for (i = 0; i < len; i++)
		if (!isalnum((unsigned char)s[i]) && s[i] != '-' && s[i] != '_')
			return 0;
	return len > 0;
}

static const char *
challenges_token(const json_t *req, struct buf *err)
{
	const char *t = challenges_str(req, "token", CHALLENGES_TOKEN_MAX, err);

	if (t != NULL && !challenges_b64url(t, strlen(t))) {
		buf_printf(err, "token \"%s\": not base64url", t);
		return NULL;
	}
	return t;
}

/* RFC 8555 section 8.1: token "." base64url(thumbprint). */
static const char *
challenges_keyauth(const json_t *req, const char *token, struct buf *err)
{
	const char *k = challenges_str(req, "keyauth", CHALLENGES_KEYAUTH_MAX,
	    err);
	size_t tlen = strlen(token);

	if (k == NULL)
		return NULL;
	if (strncmp(k, token, tlen) != 0 || k[tlen] != '.' ||
	    !challenges_b64url(k + tlen + 1, strlen(k + tlen + 1))) {
		buf_printf(err, "keyauth: not the token \"%s\", a dot and a"
		    " base64url thumbprint", token);
		return NULL;
	}
	return k;
}

static const char *
challenges_pem(const json_t *req, const char *key, struct buf *err)
{
	const char *p = challenges_str(req, key, CHALLENGES_PEM_MAX, err);

	if (p != NULL && strstr(p, "-----BEGIN ") == NULL) {
		buf_printf(err, "%s: not in PEM form", key);
		return NULL;
	}
	return p;
}

/*
 * The table.
 */
static int
challenges_same(const struct challenge_entry *e, const char *type,
    const char *host, const char *token)
{
	return strcmp(e->type, type) == 0 && strcmp(e->host, host) == 0 &&
	    (token == NULL || (e->token != NULL && strcmp(e->token, token) == 0));
}

/* Removes entry i, telling subscribers. */
static void
challenges_drop(struct challenges *c, size_t i, challenges_notify_fn notify,
    void *arg)
{
	struct challenge_entry *e = &c->v[i];
	json_t *msg;

	msg = json_pack("{s:s, s:s, s:s}", "op", PROTO_OP_CHALLENGE_REMOVE,
	    "type", e->type, "host", e->host);
	if (e->token != NULL)
		json_object_set_new(msg, "token", json_string(e->token));
	if (notify != NULL)
		notify(msg, arg);
	json_decref(msg);
	challenges_entry_clear(e);
	memmove(e, e + 1, (c->n - i - 1) * sizeof(*e));
	c->n--;
}

static void
challenges_expire(struct challenges *c, long long now,
    challenges_notify_fn notify, void *arg)
{
	size_t i = 0;

	while (i < c->n) {
		if (now - c->v[i].added < CHALLENGES_TTL) {
			i++;
			continue;
		}
		log_warn("%s: %s challenge left for more than %d s: removed",
		    c->v[i].host, c->v[i].type, CHALLENGES_TTL);
		challenges_drop(c, i, notify, arg);
	}
}

static json_t *
challenges_msg(const char *type, const char *host, const json_t *req)
{
	json_t *msg = json_pack("{s:s, s:s, s:s}", "op", PROTO_OP_CHALLENGE,
	    "type", type, "host", host);
	const char *const *k;
	static const char *const http[] = { "token", "keyauth", NULL };
	static const char *const alpn[] = { "cert", "key", NULL };
	const json_t *v;

	/* Copies: the key must not stay shared with the request. */
	for (k = strcmp(type, CHALLENGES_HTTP) == 0 ? http : alpn; *k; k++) {
		v = json_object_get(req, *k);
		json_object_set_new(msg, *k, json_stringn(json_string_value(v),
		    json_string_length(v)));
	}
	return msg;
}

int
challenges_add(struct challenges *c, const json_t *req, long long now,
    challenges_notify_fn notify, void *arg, struct buf *err)
{
	const char *type, *token = NULL;
	struct challenge_entry *e;
	char *host;
	size_t i;

	if ((type = challenges_type(req, err)) == NULL ||
	    (host = challenges_host(req, err)) == NULL)
		return -1;
	if (strcmp(type, CHALLENGES_HTTP) == 0 ?
	    (token = challenges_token(req, err)) == NULL ||
	    challenges_keyauth(req, token, err) == NULL :
	    challenges_pem(req, "cert", err) == NULL ||
	    challenges_pem(req, "key", err) == NULL) {
		buf_printf(err, " (%s challenge for %s)", type, host);
		free(host);
		return -1;
	}
	for (i = 0; i < c->n; i++)
		if (challenges_same(&c->v[i], type, host, token))
			break;
	if (i == c->n && c->n >= c->max)
		challenges_expire(c, now, notify, arg);
	if (i == c->n && c->n >= c->max) {
		buf_printf(err, "%s: cannot add a %s challenge: %zu challenges"
		    " are pending, the limit", host, type, c->max);
		free(host);
		return -1;
	}
	if (i == c->n) {
		if (c->n == c->cap) {
			c->cap = c->cap ? c->cap * 2 : 16;
			c->v = xreallocarray(c->v, c->cap, sizeof(*c->v));
		}
		e = &c->v[c->n++];
		e->type = xstrdup(type);
		e->host = host;
		e->token = token ? xstrdup(token) : NULL;
	} else {
		e = &c->v[i];
		challenges_msg_free(e->msg);
		free(host);
	}
	e->msg = challenges_msg(type, e->host, req);
	e->added = now;
	if (notify != NULL)
		notify(e->msg, arg);
	log_info("%s: %s challenge added%s%s", e->host, type,
	    token ? ": token " : "", token ? token : "");
	return 0;
}

int
challenges_remove(struct challenges *c, const json_t *req,
    challenges_notify_fn notify, void *arg, struct buf *err)
{
	const char *type, *token = NULL;
	char *host;
	size_t i = 0;
	int n = 0;

	if ((type = challenges_type(req, err)) == NULL ||
	    (host = challenges_host(req, err)) == NULL)
		return -1;
	if (json_object_get(req, "token") != NULL &&
	    (token = challenges_token(req, err)) == NULL) {
		free(host);
		return -1;
	}
	while (i < c->n) {
		if (!challenges_same(&c->v[i], type, host, token)) {
			i++;
			continue;
		}
		challenges_drop(c, i, notify, arg);
		n++;
	}
	log_info("%s: %d %s challenge%s removed", host, n, type,
	    n == 1 ? "" : "s");
	free(host);
	return n;
}

size_t
challenges_snapshot(const struct challenges *c, challenges_notify_fn cb,
    void *arg)
{
	size_t i;

	if (c == NULL)
		return 0;
	for (i = 0; i < c->n; i++)
		cb(c->v[i].msg, arg);
	return c->n;
}
