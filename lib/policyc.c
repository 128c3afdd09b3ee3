/*
 * policyc - policyd's client side: requests and the paging loop of
 * "domain-list"; see policyc.h.
 * SPDX-License-Identifier: ISC
 */
#include "config.h"

#include <string.h>
#include <unistd.h>

#include "buf.h"
#include "esc.h"
#include "ipc.h"
#include "mymalloc.h"
#include "policyc.h"
#include "proto.h"

int
policyc_open(struct policyc *c, const char *path, int timeout_ms,
    struct buf *err)
{
	c->timeout_ms = timeout_ms;
	c->refused = 0;
	c->fd = proto_connect(path, timeout_ms, err);
	return c->fd < 0 ? -1 : 0;
}

void
policyc_close(struct policyc *c)
{
	if (c->fd >= 0)
		close(c->fd);
	c->fd = -1;
}

/* One request on the open connection (ctx: struct policyc). */
json_t *
policyc_call(json_t *req, void *ctx, struct buf *err)
{
	struct policyc *c = ctx;
	json_t *reply = NULL;
	int rc;

	c->refused = 0;
	rc = ipc_call(c->fd, req, &reply, c->timeout_ms, err);
	json_decref(req);
	if (rc < 0)
		return NULL;
	if (ipc_reply_check(reply, err) < 0) {
		c->refused = 1;
		json_decref(reply);
		return NULL;
	}
	return reply;
}

/* The request of the page after "after" (NULL: the first page). */
json_t *
policyc_page_req(const char *after)
{
	json_t *req = ipc_request(PROTO_OP_DOMAIN_LIST);

	if (after != NULL)
		json_object_set_new(req, "after", json_string(after));
	return req;
}

/* 0 when next may follow after (the previous "next", or NULL). */
static int
policyc_next_check(const char *after, const char *next, struct buf *err)
{
	if (after == NULL || strcmp(next, after) > 0)
		return 0;
	buf_printf(err, "%s: \"next\" %s does not follow %s",
	    PROTO_OP_DOMAIN_LIST, esc_printable(next), esc_printable(after));
	return -1;
}

json_t *
policyc_page_check(const json_t *reply, const char *after, struct buf *err)
{
	json_t *domains = json_object_get(reply, "domains");
	json_t *next = json_object_get(reply, "next");

	if (!json_is_array(domains)) {
		buf_printf(err, "%s: reply without domains",
		    PROTO_OP_DOMAIN_LIST);
		return NULL;
	}
	if (json_is_string(next) && policyc_next_check(after,
	    json_string_value(next), err) < 0)
		return NULL;
	return domains;
}

int
policyc_domain_pages(policyc_call_fn call, void *ctx, policyc_page_fn page,
    void *arg, struct buf *err)
{
	return policyc_domain_pages_from(call, ctx, NULL, page, arg, err);
}

int
policyc_domain_pages_from(policyc_call_fn call, void *ctx, const char *from,
    policyc_page_fn page, void *arg, struct buf *err)
{
	json_t *reply, *next, *domains;
	char *after = from ? xstrdup(from) : NULL;
	long pages;
	int rc = -1;

	for (pages = 1; ; pages++) {
		if (pages > POLICYC_PAGES_MAX) {
			buf_printf(err, "%s: more than %d pages",
			    PROTO_OP_DOMAIN_LIST, POLICYC_PAGES_MAX);
			break;
		}
		if ((reply = call(policyc_page_req(after), ctx, err)) == NULL)
			break;
		if ((domains = policyc_page_check(reply, after, err)) == NULL ||
		    page(domains, arg, err) < 0) {
			json_decref(reply);
			break;
		}
		next = json_object_get(reply, "next");
		free(after);
		after = json_is_string(next) ?
		    xstrdup(json_string_value(next)) : NULL;
		json_decref(reply);
		if (after == NULL) {
			rc = 0;
			break;
		}
	}
	free(after);
	return rc;
}

static int
policyc_list_add(json_t *domains, void *arg, struct buf *err)
{
	(void)err;
	return json_array_extend((json_t *)arg, domains);
}

json_t *
policyc_domain_list(policyc_call_fn call, void *ctx, struct buf *err)
{
	json_t *all = json_array();

	if (policyc_domain_pages(call, ctx, policyc_list_add, all, err) < 0) {
		json_decref(all);
		return NULL;
	}
	return json_pack("{s:b, s:o}", "ok", 1, "domains", all);
}

json_t *
policyc_domain_show(policyc_call_fn call, void *ctx, const char *name,
    struct buf *err)
{
	json_t *req, *show, *d;

	if ((req = json_pack("{s:s, s:s}", "op", PROTO_OP_DOMAIN_SHOW,
	    "domain", name)) == NULL) {
		buf_puts(err, "domain name is not UTF-8");
		return NULL;
	}
	if ((show = call(req, ctx, err)) == NULL)
		return NULL;
	if (!json_is_object(d = json_object_get(show, "domain"))) {
		buf_printf(err, "%s: reply without domain", PROTO_OP_DOMAIN_SHOW);
		json_decref(show);
		return NULL;
	}
	json_incref(d);
	json_decref(show);
	return d;
}

int
policyc_domain_add(policyc_call_fn call, void *ctx, const char *name,
    const char *mx, struct buf *err)
{
	json_t *req, *reply;

	if ((req = json_pack("{s:s, s:s, s:[s]}", "op", PROTO_OP_DOMAIN_ADD,
	    "domain", name, "mx", mx)) == NULL) {
		buf_puts(err, "domain name or mx pattern is not UTF-8");
		return -1;
	}
	if ((reply = call(req, ctx, err)) == NULL)
		return -1;
	json_decref(reply);
	return 0;
}
