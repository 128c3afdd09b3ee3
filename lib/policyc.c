/*
 * policyc - policyd's client side: requests and the paging loop of
 * "domain-list"; see policyc.h.
 * SPDX-License-Identifier: ISC
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "buf.h"
#include "esc.h"
#include "ipc.h"
#include "log.h"
#include "mymalloc.h"
#include "params.h"
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

/* Logs the lease's state when it is not the one last logged. */
static void
policyc_lease_say(struct policyc_lease *l, int state, const char *holder,
    const char *node, const char *why)
{
	if (l->said == state && (state != POLICYC_LEASE_OTHER ||
	    (l->holder != NULL && strcmp(l->holder, holder) == 0)))
		return;
	if (state == POLICYC_LEASE_HELD && l->said != POLICYC_LEASE_UNSAID)
		log_info("%s: lease %s held by this node (%s): going on",
		    l->what, l->work, esc_printable(node));
	else if (state == POLICYC_LEASE_OTHER)
		log_info("skipping %s: lease %s held by %s", l->what, l->work,
		    esc_printable(holder));
	else if (state == POLICYC_LEASE_UNKNOWN)
		log_warn("skipping %s: policyd does not say who holds the"
		    " lease %s: %s", l->what, l->work, why);
	l->said = state;
	free(l->holder);
	l->holder = state == POLICYC_LEASE_OTHER ? xstrdup(holder) : NULL;
}

int
policyc_lease_ask(struct policyc_lease *l, policyc_call_fn call, void *ctx)
{
	struct buf err = BUF_INIT;
	const char *holder, *node;
	json_t *reply;
	int held;

	if (var_storage_engine == NULL ||
	    strcmp(var_storage_engine, "sqlite") == 0)
		return 1;
	reply = call(json_pack("{s:s, s:s}", "op", PROTO_OP_LEASE, "work",
	    l->work), ctx, &err);
	if (reply == NULL) {
		policyc_lease_say(l, POLICYC_LEASE_UNKNOWN, NULL, NULL, err.s);
		buf_free(&err);
		return 0;
	}
	held = json_is_true(json_object_get(reply, "held"));
	holder = json_string_value(json_object_get(reply, "holder"));
	node = json_string_value(json_object_get(reply, "node"));
	policyc_lease_say(l, held ? POLICYC_LEASE_HELD : POLICYC_LEASE_OTHER,
	    holder != NULL ? holder : "no node now", node != NULL ? node :
	    "?", NULL);
	json_decref(reply);
	buf_free(&err);
	return held;
}

void
policyc_lease_free(struct policyc_lease *l)
{
	free(l->holder);
	l->holder = NULL;
	l->said = POLICYC_LEASE_UNSAID;
}
