/*
 * domlist - the domains a round of dnsmon starts; see domlist.h.
 * SPDX-License-Identifier: ISC
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "buf.h"
#include "domlist.h"
#include "ipc.h"
#include "log.h"
#include "mymalloc.h"
#include "plural.h"
#include "policyc.h"
#include "proto.h"
#include "server.h"

static void
domlist_close(struct domlist *l)
{
	struct ipc_conn *conn = l->conn;

	l->conn = NULL;			/* first: closing calls back */
	l->paging = 0;
	if (conn != NULL)
		ipc_conn_close(conn);
}

/* A page that cannot be had ends the list: the round is cut short. */
static void
domlist_failed(struct domlist *l, const char *why)
{
	log_warn("no domain list from policyd after %zu %s: %s; the round"
	    " ends with the domains already listed, the next one starts in"
	    " %d s", l->listed, plural((long long)l->listed, "domain",
	    "domains"), why, l->retry);
	domlist_close(l);
	l->end = 1;
	l->failed = 1;
}

/* Takes the domains of one page, after those not started yet. */
static void
domlist_add(struct domlist *l, json_t *list)
{
	size_t i, left = l->count - l->next;
	json_t *o;

	if (l->next > 0) {
		memmove(l->v, l->v + l->next, left * sizeof(*l->v));
		l->count = left;
		l->next = 0;
	}
	if (l->count + json_array_size(list) > l->alloc) {
		l->alloc = l->count + json_array_size(list);
		l->v = xreallocarray(l->v, l->alloc, sizeof(*l->v));
	}
	json_array_foreach(list, i, o) {
		if (check_domain_from_json(o, &l->v[l->count]) == 0) {
			l->count++;
			l->listed++;
		} else
			log_warn("policyd sent a domain without a name");
	}
}

static void
domlist_reply(struct ipc_conn *conn, json_t *msg, void *ctx)
{
	struct domlist *l = ctx;
	struct buf err = BUF_INIT;
	json_t *list, *next;

	if (conn != l->conn || !l->paging)
		return;
	l->paging = 0;
	ipc_conn_set_idle(conn, 0);
	if (ipc_reply_check(msg, &err) < 0 || (list = policyc_page_check(msg,
	    l->after, &err)) == NULL) {
		domlist_failed(l, err.s);
		buf_free(&err);
		l->more(l->arg);
		return;
	}
	domlist_add(l, list);
	next = json_object_get(msg, "next");
	free(l->after);
	l->after = json_is_string(next) ?
	    xstrdup(json_string_value(next)) : NULL;
	if (l->after == NULL) {
		l->end = 1;
		domlist_close(l);
	}
	buf_free(&err);
	l->more(l->arg);
}

static void
domlist_closed(struct ipc_conn *conn, void *ctx)
{
	struct domlist *l = ctx;

	if (conn != l->conn)
		return;
	l->conn = NULL;
	if (!l->end)
		domlist_failed(l, "connection closed");
	l->more(l->arg);
}

void
domlist_ask(struct domlist *l, const char *socket, int timeout_ms)
{
	struct ipc_conn_conf c = { domlist_reply, domlist_closed, NULL, 0, 0,
	    0, 0 };
	struct buf err = BUF_INIT;
	json_t *req;
	int fd;

	if (l->end || l->paging || l->count - l->next >= DOMLIST_LOW)
		return;
	if (++l->npages > POLICYC_PAGES_MAX) {
		domlist_failed(l, "more pages than " PROTO_OP_DOMAIN_LIST
		    " may have");
		return;
	}
	if (l->conn == NULL) {
		if ((fd = ipc_connect_unix(socket, timeout_ms, &err)) < 0) {
			domlist_failed(l, err.s);
			buf_free(&err);
			return;
		}
		c.ctx = l;
		c.write_ms = timeout_ms;
		l->conn = ipc_conn_new(server_base(), fd, &c);
	}
	req = policyc_page_req(l->after);
	if (ipc_conn_send(l->conn, req) == 0) {
		l->paging = 1;
		/* A reply within timeout_ms; idle between pages. */
		ipc_conn_set_idle(l->conn, timeout_ms);
	} else
		domlist_failed(l, "the request could not be sent");
	json_decref(req);
}

struct check_domain *
domlist_next(struct domlist *l)
{
	return l->next < l->count ? &l->v[l->next++] : NULL;
}

struct check_domain *
domlist_slot(struct domlist *l)
{
	if (l->count == l->alloc) {
		l->alloc = l->alloc ? l->alloc * 2 : 64;
		l->v = xreallocarray(l->v, l->alloc, sizeof(*l->v));
	}
	return &l->v[l->count];
}

void
domlist_clear(struct domlist *l)
{
	domlist_close(l);
	while (l->next < l->count)
		check_domain_clear(&l->v[l->next++]);
	free(l->v);
	l->v = NULL;
	l->count = l->next = l->alloc = 0;
	free(l->after);
	l->after = NULL;
	l->npages = 0;
	l->listed = 0;
	l->end = l->failed = 0;
}
