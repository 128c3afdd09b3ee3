/*
 * checkbatch - group commit of dnsmon's check results; see checkbatch.h.
 * SPDX-License-Identifier: ISC
 */
#include "config.h"

#include <stdlib.h>

#include <event2/event.h>

#include "checkbatch.h"
#include "events.h"
#include "ipc.h"
#include "log.h"
#include "mymalloc.h"
#include "request.h"

struct checkbatch {
	struct policyd *pd;
	struct event *timer;		/* CHECKBATCH_DELAY_MS after the first */
	size_t	 n;			/* held */
	json_t	*reqs[CHECKBATCH_MAX];
	struct ipc_conn *conns[CHECKBATCH_MAX];
	json_t	*replies[CHECKBATCH_MAX];
};

static void
checkbatch_timer(evutil_socket_t fd, short what, void *arg)
{
	(void)fd;
	(void)what;
	checkbatch_flush(arg);
}

struct checkbatch *
checkbatch_new(struct event_base *base, struct policyd *pd)
{
	struct checkbatch *cb = xcalloc(1, sizeof(*cb));

	cb->pd = pd;
	cb->timer = evtimer_new(base, checkbatch_timer, cb);
	if (cb->timer == NULL)
		log_fatal("checkbatch: cannot make a timer");
	return cb;
}

void
checkbatch_add(struct checkbatch *cb, struct ipc_conn *conn, json_t *req)
{
	struct timeval tv = { 0, CHECKBATCH_DELAY_MS * 1000 };

	ipc_conn_ref(conn);
	cb->conns[cb->n] = conn;
	cb->reqs[cb->n] = json_incref(req);
	if (cb->n++ == 0)
		evtimer_add(cb->timer, &tv);
	if (cb->n == CHECKBATCH_MAX)
		checkbatch_flush(cb);
}

void
checkbatch_flush(struct checkbatch *cb)
{
	size_t i, n = cb->n;

	if (n == 0)
		return;
	evtimer_del(cb->timer);
	cb->n = 0;
	request_check_results(cb->pd, cb->reqs, n, cb->replies);
	for (i = 0; i < n; i++) {
		ipc_conn_reply(cb->conns[i], cb->reqs[i], cb->replies[i]);
		ipc_conn_unref(cb->conns[i]);
		json_decref(cb->reqs[i]);
	}
}

size_t
checkbatch_pending(const struct checkbatch *cb)
{
	return cb->n;
}

void
checkbatch_free(struct checkbatch *cb)
{
	if (cb == NULL)
		return;
	checkbatch_flush(cb);
	events_free(cb->timer);
	free(cb);
}
