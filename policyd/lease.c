/*
 * lease - policyd's node, its heartbeat and its leases; see lease.h.
 * SPDX-License-Identifier: ISC
 *
 * May touch: policy.db's tables nodes and leases (lib/policydb_node),
 * through policyd's handle.
 */
#include "config.h"

#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <event2/event.h>

#include "buf.h"
#include "deadline.h"
#include "events.h"
#include "lease.h"
#include "log.h"
#include "mymalloc.h"
#include "params.h"
#include "policydb.h"
#include "policydb_node.h"
#include "proto.h"
#include "request.h"
#include "server.h"
#include "sqldb.h"

static const char *const lease_works[LEASE_WORKS] = {
	PROTO_LEASE_DNSMON, PROTO_LEASE_ACMED, PROTO_LEASE_ALERTS,
};

struct lease {
	const char *work;
	int	 held;			/* by this node, until "until" */
	struct timespec until;		/* monotonic */
	char	*holder;		/* as the last tick saw it, or NULL */
	int	 said;			/* its state was logged */
};

struct leases {
	struct policyd *pd;
	char	*node;
	long long secs;			/* cluster_lease_time */
	int	 always;		/* SQLite: held whatever the rows say */
	int	 started;		/* the first heartbeat was made */
	int	 failed;		/* the last tick failed (said once) */
	struct event *ev;
	struct lease v[LEASE_WORKS];
};

static void
leases_timer(evutil_socket_t fd, short what, void *arg)
{
	(void)fd;
	(void)what;
	leases_tick(arg);
}

struct leases *
leases_new(struct policyd *pd, struct event_base *base, const char *node,
    long long secs, int always)
{
	struct leases *ls = xcalloc(1, sizeof(*ls));
	struct timeval tv;
	long long ms;
	size_t i;

	ls->pd = pd;
	ls->node = xstrdup(node);
	ls->secs = secs;
	ls->always = always;
	for (i = 0; i < LEASE_WORKS; i++)
		ls->v[i].work = lease_works[i];
	leases_tick(ls);
	if (base != NULL) {
		ms = leases_interval(ls);
		tv.tv_sec = (time_t)(ms / 1000);
		tv.tv_usec = (suseconds_t)(ms % 1000 * 1000);
		ls->ev = event_new(base, -1, EV_PERSIST, leases_timer, ls);
		evtimer_add(ls->ev, &tv);
	}
	return ls;
}

/* policyd's: node_name, cluster_lease_time; SQLite holds them all. */
struct leases *
leases_start(struct policyd *pd, struct event_base *base)
{
	enum sqldb_engine engine = SQLDB_SQLITE;

	if (sqldb_engine_parse(var_storage_engine, &engine) < 0)
		engine = SQLDB_SQLITE;	/* refused at start already */
	return leases_new(pd, base, var_node_name, var_cluster_lease_time,
	    engine == SQLDB_SQLITE);
}

long long
leases_interval(const struct leases *ls)
{
	return ls->secs * 1000 / LEASE_TICKS;
}

const char *
leases_node(const struct leases *ls)
{
	return ls->node;
}

/* Logs a lease whose state changed (or never said). */
static void
leases_say(struct leases *ls, struct lease *l, int held, const char *holder,
    long long expires, long long now)
{
	int same = l->said && l->held == held && (held || (l->holder &&
	    holder && strcmp(l->holder, holder) == 0));

	free(l->holder);
	l->holder = holder != NULL ? xstrdup(holder) : NULL;
	if (same)
		return;
	l->said = 1;
	if (held)
		log_info("lease %s: taken by this node (%s) for %lld s,"
		    " renewed every %lld ms", l->work, ls->node, ls->secs,
		    leases_interval(ls));
	else if (holder != NULL)
		log_info("lease %s: held by node %s for %lld s more: the work"
		    " is left to it", l->work, holder, expires - now);
	else
		log_info("lease %s: not held by any node", l->work);
}

/*
 * One host (SQLite): a lease that another name holds is this node's
 * under its former node_name; it is taken over at once.
 */
static int
leases_take_over(struct leases *ls, struct lease *l, struct policydb_lease *row,
    struct buf *err)
{
	if (row->holder != NULL && policydb_lease_release(ls->pd->db, l->work,
	    row->holder, err) < 0)
		return -1;
	policydb_lease_clear(row);
	return policydb_lease_take(ls->pd->db, l->work, ls->node, ls->secs,
	    row, err) < 0 ? -1 : 0;
}

static int
leases_take(struct leases *ls, struct lease *l, struct buf *err)
{
	struct policydb_lease row = { NULL, NULL, 0, 0 };
	struct timespec until;
	int rc;

	/* From before the statement: the lease ends here no later than
	 * in the database. */
	deadline_set(&until, (int)(ls->secs * 1000));
	rc = policydb_lease_take(ls->pd->db, l->work, ls->node, ls->secs, &row,
	    err);
	if (rc < 0)
		return -1;
	if (rc == 1)
		l->until = until;
	if (ls->always && rc == 0 && leases_take_over(ls, l, &row, err) < 0) {
		policydb_lease_clear(&row);
		return -1;
	}
	if (ls->always)
		rc = 1;
	leases_say(ls, l, rc == 1, row.holder, row.expires, row.now);
	l->held = rc == 1;
	policydb_lease_clear(&row);
	return 0;
}

void
leases_tick(struct leases *ls)
{
	struct buf err = BUF_INIT;
	long long now;
	size_t i;

	if (policydb_node_heartbeat(ls->pd->db, ls->node, PACKAGE_VERSION,
	    !ls->started, &now, &err) < 0)
		goto failed;
	ls->started = 1;
	for (i = 0; i < LEASE_WORKS; i++)
		if (leases_take(ls, &ls->v[i], &err) < 0)
			goto failed;
	if (ls->failed)
		log_info("node %s: heartbeat and leases stored again",
		    ls->node);
	ls->failed = 0;
	/* DNS publication that another node queued is this one's now. */
	if (!ls->always && ls->pd->publish != NULL &&
	    leases_held(ls, PROTO_LEASE_DNSMON, NULL) == 1)
		ls->pd->publish(NULL);
	buf_free(&err);
	return;
failed:
	if (!ls->failed)
		log_error("node %s: %s; its leases end within"
		    " cluster_lease_time (%lld s) unless a heartbeat succeeds",
		    ls->node, err.s, ls->secs);
	ls->failed = 1;
	buf_free(&err);
	/* As after a request (policyd.c): master starts it again, and
	 * the new process connects anew. */
	if (policydb_lost(ls->pd->db) && !server_stopping()) {
		log_error("policy database: the connection to the server was"
		    " lost; stopping, so that master starts policyd again");
		raise(SIGTERM);
	}
}

int
leases_held(struct leases *ls, const char *work, const char **holder)
{
	struct lease *l = NULL;
	size_t i;

	for (i = 0; i < LEASE_WORKS; i++)
		if (strcmp(ls->v[i].work, work) == 0)
			l = &ls->v[i];
	if (l == NULL)
		return -1;
	if (ls->always || (l->held && deadline_ms_left(&l->until) > 0)) {
		if (holder != NULL)
			*holder = ls->node;
		return 1;
	}
	if (holder != NULL)
		*holder = l->held ? NULL : l->holder;	/* ours ran out */
	return 0;
}

void
leases_free(struct leases *ls, int release)
{
	struct buf err = BUF_INIT;
	size_t i;

	if (ls == NULL)
		return;
	if (release && policydb_lease_release(ls->pd->db, NULL, ls->node,
	    &err) < 0)
		log_warn("node %s: its leases were not released (%s): another"
		    " node takes them when they end", ls->node, err.s);
	else if (release)
		log_info("node %s: leases released", ls->node);
	events_free(ls->ev);
	for (i = 0; i < LEASE_WORKS; i++)
		free(ls->v[i].holder);
	free(ls->node);
	free(ls);
	buf_free(&err);
}
