/*
 * silent - rptparse's silent-reporter alerts (see silent.h).
 * SPDX-License-Identifier: ISC
 *
 * May touch: reports.db (read, through rptparse's handle), lib/alert's
 * state and digest, the metric stsd_rptparse_silent_reporters.
 */
#include "config.h"

#include <stdlib.h>
#include <time.h>

#include <event2/event.h>

#include "alert.h"
#include "alerts.h"
#include "buf.h"
#include "deadline.h"
#include "esc.h"
#include "events.h"
#include "log.h"
#include "metrics.h"
#include "mymalloc.h"
#include "params.h"
#include "plural.h"
#include "policyc.h"
#include "proto.h"
#include "rptdb.h"
#include "server.h"
#include "silent.h"
#include "timefmt.h"

static struct {
	struct rptdb *db;
	struct event *ev;
	long long raised;	/* new alerts of this run */
	long long held;		/* new ones left for the next run */
	struct policyc_lease lease;	/* one node looks (the lease alerts) */
} silent = {
	NULL, NULL, 0, 0,
	{ PROTO_LEASE_ALERTS, "the silent-reporter run", POLICYC_LEASE_UNSAID,
	    NULL },
};

/* One silent reporter: its alert, unless raised and not cleared yet. */
static void
silent_one(const struct rptdb_silent *s, void *arg)
{
	struct buf kind = BUF_INIT, subj = BUF_INIT, text = BUF_INIT;
	char date[TIMEFMT_RFC3339_SIZE];

	(void)arg;
	buf_printf(&kind, "%s%s", ALERTS_SILENT_KIND, s->organization);
	if (alert_raised(s->domain, kind.s))
		goto out;
	if (silent.raised >= SILENT_ALERTS_MAX) {
		silent.held++;
		goto out;
	}
	timefmt_rfc3339(s->last, date);
	buf_puts(&subj, "stsd: ");
	esc_text(&subj, s->domain);
	buf_puts(&subj, ": no TLS report from ");
	esc_text(&subj, s->organization);
	buf_printf(&subj, " for %lld %s", s->days, plural(s->days, "day",
	    "days"));
	esc_text(&text, s->organization);
	buf_printf(&text, " sent %lld TLS %s for ", s->reports,
	    plural(s->reports, "report", "reports"));
	esc_text(&text, s->domain);
	buf_printf(&text, " before, the last one ending %s (%lld %s ago), and"
	    " none since.\nCheck the _smtp._tls TXT record of ", date, s->days,
	    plural(s->days, "day", "days"));
	esc_text(&text, s->domain);
	buf_puts(&text, " (its rua= addresses), that the report mailbox or"
	    " endpoint takes reports, and whether the sender still sends mail"
	    " to the domain.\n");
	if (alert_raise(s->domain, kind.s, SILENT_KEY, subj.s, text.s) > 0)
		silent.raised++;
out:
	buf_free(&kind);
	buf_free(&subj);
	buf_free(&text);
}

long long
silent_run(struct rptdb *db, time_t now)
{
	struct timespec t0;
	long long n;

	clock_gettime(CLOCK_MONOTONIC, &t0);
	silent.raised = silent.held = 0;
	n = rptdb_silent(db, NULL, now, RPTDB_SILENT_MAX, silent_one, NULL);
	if (n < 0)
		return -1;
	metrics_set(METRIC_SILENT, n, NULL);
	if (silent.held > 0)
		log_warn("silent reporters: %lld new alerts left for the next"
		    " run (at most %d per run)", silent.held,
		    SILENT_ALERTS_MAX);
	log_info("silent reporters: %lld, %lld new %s, in %.3f s", n,
	    silent.raised, plural(silent.raised, "alert", "alerts"),
	    deadline_since(&t0));
	alerts_flush();
	return n;
}

/* lib/policyc's call, for the lease. */
static json_t *
silent_lease_call(json_t *req, void *ctx, struct buf *err)
{
	(void)ctx;
	return proto_call(PROTO_POLICYD_PRIVATE, req,
	    (int)(var_ipc_timeout * 1000), err);
}

/*
 * With several nodes on one database, one of them looks for silent
 * reporters: the holder of the lease alerts.  The others ask again at
 * each renewal of the leases.
 */
static void
silent_timer(evutil_socket_t fd, short what, void *arg)
{
	struct timeval tv = { SILENT_INTERVAL, 0 };

	(void)fd;
	(void)what;
	(void)arg;
	if (policyc_lease_ask(&silent.lease, silent_lease_call, NULL) == 1)
		(void)silent_run(silent.db, time(NULL));
	else {
		tv.tv_sec = (time_t)(var_cluster_lease_time /
		    PROTO_LEASE_TICKS);
		if (tv.tv_sec < 1)
			tv.tv_sec = 1;
	}
	evtimer_add(silent.ev, &tv);
}

void
silent_start(struct rptdb *db)
{
	struct timeval now = { 0, 0 };

	silent.db = db;
	silent.ev = evtimer_new(server_base(), silent_timer, NULL);
	evtimer_add(silent.ev, &now);
}

void
silent_stop(void)
{
	events_free(silent.ev);
	silent.ev = NULL;
	policyc_lease_free(&silent.lease);
}
