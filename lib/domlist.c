/*
 * domlist - the paging loop of policyd's "domain-list"; see domlist.h.
 * SPDX-License-Identifier: ISC
 */
#include "config.h"

#include <string.h>

#include "buf.h"
#include "domlist.h"
#include "ipc.h"

json_t *
domlist_all(domlist_call_fn call, void *ctx, struct buf *err)
{
	json_t *reply, *page, *next;
	long pages = 1;

	if ((reply = call(json_pack("{s:s}", "op", "domain-list"), ctx,
	    err)) == NULL)
		return NULL;
	while (json_is_string(next = json_object_get(reply, "next"))) {
		if (++pages > DOMLIST_PAGES_MAX) {
			buf_printf(err, "domain-list: more than %d pages",
			    DOMLIST_PAGES_MAX);
			json_decref(reply);
			return NULL;
		}
		page = call(json_pack("{s:s, s:O}", "op", "domain-list",
		    "after", next), ctx, err);
		if (page == NULL) {
			json_decref(reply);
			return NULL;
		}
		if (!json_is_array(json_object_get(reply, "domains")) ||
		    !json_is_array(json_object_get(page, "domains"))) {
			buf_puts(err, "domain-list: reply without domains");
			json_decref(page);
			json_decref(reply);
			return NULL;
		}
		json_array_extend(json_object_get(reply, "domains"),
		    json_object_get(page, "domains"));
		if (json_object_get(page, "next") != NULL)
			json_object_set(reply, "next",
			    json_object_get(page, "next"));
		else
			json_object_del(reply, "next");
		json_decref(page);
	}
	return reply;
}

/* One request on the open connection (ctx: struct domlist_conn). */
json_t *
domlist_ipc_call(json_t *req, void *ctx, struct buf *err)
{
	struct domlist_conn *c = ctx;
	json_t *reply = NULL;
	int rc;

	rc = ipc_call(c->fd, req, &reply, c->timeout_ms, err);
	json_decref(req);
	if (rc < 0)
		return NULL;
	if (ipc_reply_check(reply, err) < 0) {
		json_decref(reply);
		return NULL;
	}
	return reply;
}
