/*
 * acmemsg - ACME document parsers; see acmemsg.h.
 * SPDX-License-Identifier: ISC
 *
 * Keeps copies of the strings it needs and nothing else; jansson does
 * the JSON, with duplicate keys refused.
 */
#include "config.h"

#include <string.h>

#include <jansson.h>

#include "acmemsg.h"
#include "mymalloc.h"

static json_t *
acmemsg_load(const char *text, size_t len, struct buf *err)
{
	json_error_t je;
	json_t *doc;

	if (len > ACMEMSG_TEXT_MAX) {
		buf_printf(err, "document longer than %d bytes", ACMEMSG_TEXT_MAX);
		return NULL;
	}
	if ((doc = json_loadb(text, len, JSON_REJECT_DUPLICATES, &je)) == NULL) {
		buf_printf(err, "not valid JSON: %s (line %d, column %d)",
		    je.text, je.line, je.column);
		return NULL;
	}
	if (!json_is_object(doc)) {
		buf_puts(err, "not a JSON object");
		json_decref(doc);
		return NULL;
	}
	return doc;
}

int
acmemsg_url_ok(const char *s)
{
	const char *host, *end;
	size_t len;

	if (strlen(s) > ACMEMSG_STRING_MAX)
		return 0;
	for (const char *p = s; *p; p++)
		if ((unsigned char)*p <= ' ' || (unsigned char)*p >= 0x7f)
			return 0;
	if (strncmp(s, "https://", 8) == 0)
		return s[8] != '\0' && s[8] != '/';
	if (strncmp(s, "http://", 7) != 0)
		return 0;
	host = s + 7;
	end = host + strcspn(host, ":/");
	len = (size_t)(end - host);
	return (len == 9 && strncmp(host, "127.0.0.1", 9) == 0) ||
	    (len == 9 && strncmp(host, "localhost", 9) == 0);
}

int
acmemsg_token_ok(const char *s)
{
	size_t len = strlen(s);

	if (len == 0 || len > 256)
		return 0;
	return strspn(s, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
	    "0123456789-_") == len;
}

/* A string member; required: missing is an error. */
static int
acmemsg_str(json_t *obj, const char *key, int required, int url, char **out,
    struct buf *err)
{
	json_t *v = json_object_get(obj, key);
	const char *s;

	*out = NULL;
	if (v == NULL || json_is_null(v)) {
		if (required)
			buf_printf(err, "member \"%s\" is missing", key);
		return required ? -1 : 0;
	}
	if (!json_is_string(v)) {
		buf_printf(err, "member \"%s\" is not a string", key);
		return -1;
	}
	s = json_string_value(v);
	if (strlen(s) > ACMEMSG_STRING_MAX || strlen(s) != json_string_length(v)) {
		buf_printf(err, "member \"%s\" is too long or holds a NUL", key);
		return -1;
	}
	if (url && !acmemsg_url_ok(s)) {
		buf_printf(err, "member \"%s\" is not an https URL", key);
		return -1;
	}
	*out = xstrdup(s);
	return 0;
}

int
acmemsg_directory(const char *text, size_t len, struct acme_directory *d,
    struct buf *err)
{
	json_t *doc, *meta;

	memset(d, 0, sizeof(*d));
	if ((doc = acmemsg_load(text, len, err)) == NULL)
		return -1;
	if (acmemsg_str(doc, "newNonce", 1, 1, &d->new_nonce, err) < 0 ||
	    acmemsg_str(doc, "newAccount", 1, 1, &d->new_account, err) < 0 ||
	    acmemsg_str(doc, "newOrder", 1, 1, &d->new_order, err) < 0 ||
	    acmemsg_str(doc, "renewalInfo", 0, 1, &d->renewal_info, err) < 0)
		goto fail;
	if ((meta = json_object_get(doc, "meta")) != NULL && json_is_object(meta) &&
	    acmemsg_str(meta, "termsOfService", 0, 0, &d->terms, err) < 0)
		goto fail;
	json_decref(doc);
	return 0;
fail:
	json_decref(doc);
	acmemsg_directory_clear(d);
	return -1;
}

/*
 * s is one of the "|"-separated words of allowed: 0, else -1 with the
 * status (of what) in err.
 */
static int
acmemsg_status(const char *s, const char *allowed, const char *what,
    struct buf *err)
{
	size_t len = strlen(s), n;
	const char *p = allowed;

	while (*p != '\0') {
		n = strcspn(p, "|");
		if (n == len && len > 0 && strncmp(p, s, n) == 0)
			return 0;
		p += n;
		if (*p == '|')
			p++;
	}
	buf_printf(err, "unknown %s status \"%.64s\"", what, s);
	return -1;
}

int
acmemsg_order(const char *text, size_t len, struct acme_order *o,
    struct buf *err)
{
	json_t *doc, *arr, *v;
	size_t i;

	memset(o, 0, sizeof(*o));
	if ((doc = acmemsg_load(text, len, err)) == NULL)
		return -1;
	if (acmemsg_str(doc, "status", 1, 0, &o->status, err) < 0 ||
	    acmemsg_str(doc, "finalize", 1, 1, &o->finalize, err) < 0 ||
	    acmemsg_str(doc, "certificate", 0, 1, &o->certificate, err) < 0)
		goto fail;
	if (acmemsg_status(o->status, "pending|ready|processing|valid|invalid",
	    "order", err) < 0)
		goto fail;
	arr = json_object_get(doc, "authorizations");
	if (!json_is_array(arr)) {
		buf_puts(err, "member \"authorizations\" is missing or not an array");
		goto fail;
	}
	if (json_array_size(arr) > ACMEMSG_AUTHZ_MAX) {
		buf_printf(err, "more than %d authorizations", ACMEMSG_AUTHZ_MAX);
		goto fail;
	}
	o->authz = xcalloc(json_array_size(arr) + 1, sizeof(char *));
	json_array_foreach(arr, i, v) {
		if (!json_is_string(v) || !acmemsg_url_ok(json_string_value(v))) {
			buf_printf(err, "authorization %zu is not an https URL", i);
			goto fail;
		}
		o->authz[o->nauthz++] = xstrdup(json_string_value(v));
	}
	json_decref(doc);
	return 0;
fail:
	json_decref(doc);
	acmemsg_order_clear(o);
	return -1;
}

int
acmemsg_authz(const char *text, size_t len, struct acme_authz *a,
    struct buf *err)
{
	json_t *doc, *id, *arr, *v, *w;
	struct acme_challenge *c;
	char *type = NULL;
	size_t i;

	memset(a, 0, sizeof(*a));
	if ((doc = acmemsg_load(text, len, err)) == NULL)
		return -1;
	if (acmemsg_str(doc, "status", 1, 0, &a->status, err) < 0)
		goto fail;
	if (acmemsg_status(a->status,
	    "pending|valid|invalid|deactivated|expired|revoked", "authorization",
	    err) < 0)
		goto fail;
	id = json_object_get(doc, "identifier");
	if (!json_is_object(id) ||
	    acmemsg_str(id, "type", 1, 0, &type, err) < 0 ||
	    acmemsg_str(id, "value", 1, 0, &a->identifier, err) < 0) {
		if (err->len == 0)
			buf_puts(err, "member \"identifier\" is missing");
		goto fail;
	}
	if (strcmp(type, "dns") != 0) {
		buf_printf(err, "identifier type \"%.64s\" is not dns", type);
		goto fail;
	}
	if ((w = json_object_get(doc, "wildcard")) != NULL)
		a->wildcard = json_is_true(w);
	arr = json_object_get(doc, "challenges");
	if (!json_is_array(arr)) {
		buf_puts(err, "member \"challenges\" is missing or not an array");
		goto fail;
	}
	json_array_foreach(arr, i, v) {
		if (a->nchall == ACMEMSG_CHALL_MAX) {
			buf_printf(err, "more than %d challenges", ACMEMSG_CHALL_MAX);
			goto fail;
		}
		if (!json_is_object(v)) {
			buf_printf(err, "challenge %zu is not an object", i);
			goto fail;
		}
		c = &a->chall[a->nchall++];
		if (acmemsg_str(v, "type", 1, 0, &c->type, err) < 0 ||
		    acmemsg_str(v, "url", 1, 1, &c->url, err) < 0 ||
		    acmemsg_str(v, "status", 1, 0, &c->status, err) < 0 ||
		    acmemsg_str(v, "token", 0, 0, &c->token, err) < 0) {
			buf_printf(err, " (challenge %zu)", i);
			goto fail;
		}
		if ((w = json_object_get(v, "error")) != NULL &&
		    json_is_object(w)) {
			const char *t = json_string_value(json_object_get(w, "type"));
			const char *dt = json_string_value(json_object_get(w, "detail"));

			c->error = xasprintf("%.200s: %.800s", t ? t : "(no type)",
			    dt ? dt : "(no detail)");
		}
		if (c->token != NULL && !acmemsg_token_ok(c->token)) {
			buf_printf(err, "challenge %zu: token is not base64url", i);
			goto fail;
		}
	}
	free(type);
	json_decref(doc);
	return 0;
fail:
	free(type);
	json_decref(doc);
	acmemsg_authz_clear(a);
	return -1;
}

const struct acme_challenge *
acmemsg_authz_find(const struct acme_authz *a, const char *type)
{
	for (size_t i = 0; i < a->nchall; i++)
		if (strcmp(a->chall[i].type, type) == 0 && a->chall[i].token)
			return &a->chall[i];
	return NULL;
}

int
acmemsg_problem(const char *text, size_t len, struct acme_problem *p)
{
	struct buf err = BUF_INIT;
	json_t *doc, *st;
	int rc = -1;

	memset(p, 0, sizeof(*p));
	if ((doc = acmemsg_load(text, len, &err)) == NULL)
		goto out;
	if (acmemsg_str(doc, "type", 1, 0, &p->type, &err) < 0 ||
	    acmemsg_str(doc, "detail", 0, 0, &p->detail, &err) < 0) {
		acmemsg_problem_clear(p);
		goto out;
	}
	if ((st = json_object_get(doc, "status")) != NULL && json_is_integer(st) &&
	    json_integer_value(st) >= 100 && json_integer_value(st) <= 599)
		p->status = (int)json_integer_value(st);
	rc = 0;
out:
	json_decref(doc);
	buf_free(&err);
	return rc;
}

void
acmemsg_directory_clear(struct acme_directory *d)
{
	free(d->new_nonce);
	free(d->new_account);
	free(d->new_order);
	free(d->renewal_info);
	free(d->terms);
	memset(d, 0, sizeof(*d));
}

void
acmemsg_order_clear(struct acme_order *o)
{
	free(o->status);
	free(o->finalize);
	free(o->certificate);
	xfreev(o->authz, o->nauthz);
	memset(o, 0, sizeof(*o));
}

void
acmemsg_authz_clear(struct acme_authz *a)
{
	free(a->status);
	free(a->identifier);
	for (size_t i = 0; i < a->nchall; i++) {
		free(a->chall[i].type);
		free(a->chall[i].url);
		free(a->chall[i].token);
		free(a->chall[i].status);
		free(a->chall[i].error);
	}
	memset(a, 0, sizeof(*a));
}

void
acmemsg_problem_clear(struct acme_problem *p)
{
	free(p->type);
	free(p->detail);
	memset(p, 0, sizeof(*p));
}
