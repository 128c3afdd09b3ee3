/*
 * follow - policyd follows the changes made by the other nodes'
 * policyd processes; see follow.h.
 * SPDX-License-Identifier: ISC
 */
#include "config.h"

#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <event2/event.h>

#include "buf.h"
#include "deadline.h"
#include "dnsname.h"
#include "esc.h"
#include "follow.h"
#include "htable.h"
#include "log.h"
#include "mymalloc.h"
#include "plural.h"
#include "policydb.h"
#include "polsnap.h"
#include "request.h"
#include "request_ops.h"
#include "server.h"
#include "sqldb.h"

static struct {
	struct policyd *pd;
	struct sqldb_listener *listener;
	struct event *ev;
	void	(*changed)(void);
} follow;

/* What a notification did, for its log line. */
struct follow_count {
	size_t	 served;
	size_t	 withdrawn;
	size_t	 same;			/* the full comparison: unchanged */
};

/*
 * Whether a domain followed is logged by name: FOLLOW_LOG_MAX a second
 * (an import, a flood of notifications); the others are counted and
 * said in one line by follow_log_flush(), after the notifications that
 * arrived together.
 */
static struct {
	time_t	 second;
	size_t	 logged;		/* named in that second */
	size_t	 unsaid;		/* not named since the last flush */
} follow_log;

static int
follow_log_ok(void)
{
	time_t now = time(NULL);

	if (now != follow_log.second) {
		follow_log.second = now;
		follow_log.logged = 0;
	}
	if (follow_log.logged < FOLLOW_LOG_MAX) {
		follow_log.logged++;
		return 1;
	}
	follow_log.unsaid++;
	return 0;
}

static void
follow_log_flush(void)
{
	size_t n = follow_log.unsaid;

	if (n > 0)
		log_info("changes on another node: %zu more %s followed (not"
		    " named)", n, plural((long long)n, "domain", "domains"));
	follow_log.unsaid = 0;
}

/* A domain read again: pushed, or withdrawn. */
static void
follow_domain(struct policyd *pd, const struct domain *d,
    struct follow_count *c)
{
	int logged = follow_log_ok();

	if (policydb_state_servable(d->state)) {
		request_notify_policy(pd, d);
		c->served++;
		if (logged)
			log_info("%s: policy id %s, mode %s, max_age %lld:"
			    " changed on another node", d->name, d->policy_id,
			    d->mode, d->max_age);
	} else {
		request_notify_withdraw(pd, d->name);
		c->withdrawn++;
		if (logged)
			log_info("%s: not served (%s on another node)",
			    d->name, policydb_state_name(d->state));
	}
}

/*
 * The names of a notification, read in one query: each found goes the
 * way of its state, each not found (removed) is withdrawn.  What is no
 * domain name (the channel is open to any client of the database) is
 * said and left out: it would neither be found nor fit the snapshot
 * file; a name in upper case is read as stored, in lower case (httpd
 * compares hosts without case: withdrawing "A.EXAMPLE" would withdraw
 * a.example).
 */
static void
follow_named(struct policyd *pd, const char *payload, struct follow_count *c)
{
	struct htable *missing = htable_new(HTABLE_MIN, 0);
	struct htable_iter it;
	struct htable_entry *e;
	struct buf err = BUF_INIT, query = BUF_INIT;
	struct domain *v;
	char **names, *name;
	size_t n, nv, i, bad = 0;
	int rc;

	policydb_changes_parse(payload, &names, &n);
	for (i = 0; i < n; i++) {
		/* Stored names are lower case (dnsname_name_arg makes it). */
		if (dnsname_name_arg(names[i], &name, &err) < 0) {
			if (bad++ == 0)
				log_warn("changes on another node: %s; ignored",
				    err.s);
			buf_reset(&err);
			continue;
		}
		if (htable_lookup(missing, name, strlen(name)) == NULL) {
			htable_enter(missing, name, strlen(name), NULL);
			buf_printf(&query, "%s%s", query.len > 0 ? " " : "",
			    name);
		}
		free(name);
	}
	xfreev(names, n);
	if (bad > 1)
		log_warn("changes on another node: %zu names of one"
		    " notification ignored", bad);
	if (query.len == 0) {
		htable_free(missing, NULL);
		buf_free(&err);
		return;
	}
	rc = policydb_domain_named(pd->db, query.s, &v, &nv, &err);
	buf_free(&query);
	if (rc < 0) {
		log_error("changes on another node: %zu %s not read: %s",
		    n, plural((long long)n, "domain", "domains"), err.s);
		htable_free(missing, NULL);
		buf_free(&err);
		return;
	}
	for (i = 0; i < nv; i++) {
		htable_delete(missing, v[i].name, strlen(v[i].name));
		follow_domain(pd, &v[i], c);
	}
	policydb_domains_free(v, nv);
	htable_iter_start(missing, &it);
	while ((e = htable_iter_next(&it)) != NULL) {
		request_notify_withdraw(pd, e->key);
		c->withdrawn++;
		if (follow_log_ok())
			log_info("%s: not served (removed on another node)",
			    esc_printable(e->key));
	}
	htable_free(missing, NULL);
	buf_free(&err);
}

/*
 * The full comparison: the snapshot file is what this policyd pushed
 * (every push is appended to it first); the database is what must be
 * served.
 */
static void
follow_view_begin(void *arg)
{
	struct htable **t = arg;

	htable_free(*t, free);
	*t = htable_new(HTABLE_MIN, 0);
}

static int
follow_view_put(void *arg, const char *domain, const char *id,
    const char *text, size_t len)
{
	struct htable **t = arg;

	free(htable_delete(*t, domain, strlen(domain)));
	htable_enter(*t, domain, strlen(domain), xstrdup(id));
	return 0;
}

static void
follow_view_del(void *arg, const char *domain)
{
	struct htable **t = arg;

	free(htable_delete(*t, domain, strlen(domain)));
}

struct follow_cmp {
	struct policyd *pd;
	struct htable *view;
	struct follow_count *count;
};

static void
follow_cmp_one(const struct domain *d, void *arg)
{
	struct follow_cmp *cmp = arg;
	char *id = htable_delete(cmp->view, d->name, strlen(d->name));

	if (id != NULL && strcmp(id, d->policy_id) == 0)
		cmp->count->same++;
	else {
		request_notify_policy(cmp->pd, d);
		cmp->count->served++;
	}
	free(id);
}

static void
follow_all(struct policyd *pd, struct follow_count *c)
{
	struct htable *view = htable_new(HTABLE_MIN, 0);
	struct polsnap_sink sink = { follow_view_begin, follow_view_put,
	    follow_view_del, &view };
	struct follow_cmp cmp = { pd, NULL, c };
	struct polsnap_stats stats;
	struct buf err = BUF_INIT;
	struct htable_iter it;
	struct htable_entry *e;

	request_snap_sync(pd);		/* the file holds every push */
	memset(&stats, 0, sizeof(stats));
	if (polsnap_load(POLSNAP_BASE, POLSNAP_JOURNAL, &sink, &stats,
	    &err) < 0) {
		log_warn("changes on another node: %s; every servable"
		    " domain is pushed again", err.s);
		follow_view_begin(&view);
		buf_reset(&err);
	}
	cmp.view = view;
	if (policydb_domain_each_servable(pd->db, follow_cmp_one, &cmp,
	    &err) < 0) {
		log_error("changes on another node: %s; the rest waits for"
		    " the next restart of policyd", err.s);
		htable_free(view, free);
		buf_free(&err);
		return;
	}
	/* What is left was pushed once and is not servable any more. */
	htable_iter_start(view, &it);
	while ((e = htable_iter_next(&it)) != NULL) {
		request_notify_withdraw(pd, e->key);
		c->withdrawn++;
	}
	htable_free(view, free);
	buf_free(&err);
}

static void
follow_notice(const char *channel, const char *payload, int pid, void *arg)
{
	struct policyd *pd = arg;
	struct follow_count c = { 0, 0, 0 };
	struct timespec t0;
	size_t n;

	if (pid == policydb_backend_pid(pd->db) ||
	    strcmp(channel, POLICYDB_CHANNEL) != 0)
		return;			/* this policyd's own change */
	clock_gettime(CLOCK_MONOTONIC, &t0);
	if (strcmp(payload, POLICYDB_CHANGED_ALL) == 0) {
		follow_all(pd, &c);
		log_info("changes on another node: the database and the %s"
		    " compared: %zu pushed, %zu withdrawn, %zu the same, in"
		    " %.3f s", POLSNAP_BASE, c.served, c.withdrawn, c.same,
		    deadline_since(&t0));
	} else {
		follow_named(pd, payload, &c);
		if ((n = c.served + c.withdrawn) > FOLLOW_LOG_MAX)
			log_info("changes on another node: %zu %s read again"
			    " (%zu served, %zu not) in %.3f s", n,
			    plural((long long)n, "domain", "domains"),
			    c.served, c.withdrawn, deadline_since(&t0));
	}
}

/* The listener's socket is readable: notifications, or the end. */
static void
follow_read(evutil_socket_t fd, short what, void *arg)
{
	struct buf err = BUF_INIT;
	int n;

	if ((n = sqldb_listener_read(follow.listener, follow_notice,
	    follow.pd, &err)) < 0) {
		event_del(follow.ev);
		if (!server_stopping()) {
			log_error("policy database: the connection to the"
			    " server was lost; stopping, so that master starts"
			    " policyd again (listener: %s)", err.s);
			raise(SIGTERM);
		}
		buf_free(&err);
		return;
	}
	if (n > 0) {
		/* Once for all that arrived: one fdatasync, not one each. */
		request_snap_sync(follow.pd);
		follow_log_flush();
		if (follow.changed != NULL)
			follow.changed();
	}
	buf_free(&err);
}

void
follow_start(struct policyd *pd, struct event_base *base,
    const struct sqldb_target *t, void (*changed)(void))
{
	struct buf err = BUF_INIT;
	int fd;

	if ((follow.listener = sqldb_listen(t, POLICYDB_CHANNEL, &err)) ==
	    NULL)
		log_fatal("policy database: listener: %s", err.s);
	follow.pd = pd;
	follow.changed = changed;
	if ((fd = sqldb_listener_fd(follow.listener)) < 0)
		return;			/* SQLite: nobody else writes */
	follow.ev = event_new(base, fd, EV_READ | EV_PERSIST, follow_read,
	    NULL);
	event_add(follow.ev, NULL);
	log_info("following the changes of the other nodes (LISTEN %s)",
	    POLICYDB_CHANNEL);
	buf_free(&err);
}

void
follow_stop(void)
{
	if (follow.ev != NULL)
		event_free(follow.ev);
	follow.ev = NULL;
	sqldb_listener_close(follow.listener);
	follow.listener = NULL;
}
