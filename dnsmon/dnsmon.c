/*
 * dnsmon - watch the DNS records and MX hosts of every hosted domain.
 * SPDX-License-Identifier: ISC
 *
 * SYNOPSIS
 *	dnsmon (started by master; see stsd-dnsmon(8))
 *
 * DESCRIPTION
 *	Every dnsmon_interval (plus up to DNSMON_JITTER_PCT percent of
 *	random jitter) from the start of the last, dnsmon runs a round: it
 *	asks policyd for the domain list over private/policyd a page at a
 *	time as the round goes (on a connection of its own, without
 *	waiting: the next page when fewer than DOMLIST_LOW domains are
 *	left to start, so that it holds about two pages whatever the
 *	number of domains), and checks each domain with check_run():
 *	ownership, MX set against the policy, mta-sts host, the _mta-sts
 *	and _smtp._tls TXT records, TLSA and a STARTTLS probe of each MX.
 *	A round that takes longer than dnsmon_interval is followed by the
 *	next as soon as it ends (early checks that are due first), and
 *	says so in one line; a page that cannot be had cuts the round
 *	short, and the next starts DNSMON_RETRY_DELAY later.
 *
 *	One process, one event loop.  The DNS queries of a round are
 *	asynchronous (dnsq: UDP on its own sockets, TCP for truncated
 *	answers, at most DNSMON_DNS_INFLIGHT on the wire, at most
 *	dnsmon_query_rate a second, resends included) and their answers
 *	are shared by the domains of the round (answers): the checks of a
 *	domain run against that cache, what they miss is asked, and they
 *	run again when it is in, until nothing is missing (a few passes:
 *	CNAME targets and the TLSA of the MX hosts come after the first).
 *	At most dnsmon_concurrency domains are in progress at once.  Each
 *	MX host is probed once per round, in a child process (probes), at
 *	most DNSMON_PROBE_PROCS at once, and so is each host of the
 *	domain's "probe" list (the new hosts of an MX migration, which
 *	are not in DNS yet); dnsmon_probe = no leaves the probes out.
 *
 *	For each result, dnsmon tells policyd {"op":"domain-verified"}
 *	for a pending domain whose ownership is proven, sends the result
 *	as {"op":"check-result","domain":D,"time":T,"checks":[...]} on a
 *	second connection without waiting for each reply (policyd commits
 *	every result to disk, which takes longer than checking it; at most
 *	DNSMON_RESULTS_WINDOW results wait for their reply, then no new
 *	domain starts until policyd catches up), and raises alerts (not for
 *	pending domains, which are still being set up) through lib/alert,
 *	once per change: a check that fails alerts with its fix, a check
 *	that passes again clears its alert; a certificate that expires
 *	within 21, 7 or 1 days alerts once at each step.
 *
 *	The alert state and the metrics of the results are verdict.h's.
 *
 *	Early checks (soon.h): a domain that is pending or has a failing
 *	check is checked again between rounds, after dnsmon_retry_min,
 *	doubling up to dnsmon_retry_max; policyd's {"op":"check-now",
 *	"domain":D} notices on private/dnsmon (domain add, stsctl check)
 *	ask for a check now, at most one per domain per
 *	dnsmon_check_now_interval.  An early round takes the domains that
 *	are due (DNSMON_SOON_BATCH at most), gets each from policyd
 *	(domain-show) and checks them like a round, without its metrics
 *	totals; rounds and early rounds never overlap.  What comes due
 *	during a full round joins it, ahead of the list, a batch at a
 *	time (a round at a low dnsmon_query_rate can last hours); what
 *	comes due during an early round waits for its end.  Each
 *	check-result carries "next", when dnsmon checks the domain again
 *	(about dnsmon_interval later when it is not early, or the length
 *	of the last round when that was longer).
 *
 *	Several nodes on one database: a round, full or early, starts only
 *	on the node that holds the lease dnsmon (tell_leased()); a round
 *	that has started runs to its end.
 *
 *	The end of a round is logged with its figures: domains, the seconds
 *	until the last domain was checked and the domains per second, the
 *	seconds until policyd confirmed the last result, DNS queries sent,
 *	answers shared, MX hosts probed.
 *
 * MAY TOUCH
 *	private/policyd (client), private/dnsmon (notices from policyd
 *	only: a name to check, nothing else), $data_directory/alerts.state and
 *	alerts.state.lock, DNS (resolv.conf), port dnsmon_smtp_port of MX
 *	hosts, sendmail_path, the webhook.
 *
 * LIMITS
 *	dnsmon_concurrency domains at once; DNSMON_DNS_INFLIGHT queries on
 *	the wire, dnsmon_query_rate queries a second; the domains of two
 *	pages of domain-list (and those in progress); DNSMON_ANSWERS_KEEP
 *	answers kept for later domains; the
 *	queries of one domain (ANSWERS_SET_MAX); DNSMON_RESULTS_WINDOW
 *	results unanswered by policyd; DNSMON_SOON_MAX domains on the
 *	back-off or asked for, DNSMON_CONNS_MAX connections on
 *	private/dnsmon; a domain takes at most a few times
 *	dnsmon_query_timeout for its DNS (one per pass, the passes bounded
 *	by the queries) plus DNSMON_PROBE_STEPS times dnsmon_probe_timeout
 *	for its probes.
 */
#include "config.h"

#include <sys/types.h>

#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <event2/event.h>
#include <jansson.h>

#include "alert.h"
#include "answers.h"
#include "buf.h"
#include "dlist.h"
#include "dnscheck.h"
#include "params.h"
#include "dnsname.h"
#include "dnsq.h"
#include "domlist.h"
#include "events.h"
#include "ipc.h"
#include "log.h"
#include "metrics.h"
#include "mymalloc.h"
#include "plural.h"
#include "mxprobes.h"
#include "notify.h"
#include "policyc.h"
#include "proto.h"
#include "resolve.h"
#include "server.h"
#include "soon.h"
#include "tell.h"
#include "verdict.h"

#define DNSMON_POLICYD		PROTO_POLICYD_PRIVATE
#define DNSMON_FIRST_DELAY	1	/* seconds after start to the first round */
#define DNSMON_RETRY_DELAY	30	/* seconds after a failed domain-list */
#define DNSMON_JITTER_PCT	10	/* percent of dnsmon_interval */
#define DNSMON_DNS_INFLIGHT	1024	/* DNS queries on the wire */
#define DNSMON_ANSWERS_KEEP	4096	/* answers kept for later domains */
#define DNSMON_PROBE_PROCS	8	/* probe processes at once */
#define DNSMON_RESULTS_WINDOW	8192	/* check-results without a reply
					 * (about 1.5 KiB each) */
#define DNSMON_SOON_MAX		100000	/* domains on a back-off or asked for */
#define DNSMON_SOON_BATCH	1024	/* domains of one early round */
#define DNSMON_NAME_MAX		253	/* octets of a domain asked for */
#define DNSMON_CONNS_MAX	16	/* connections on private/dnsmon */

/* One domain in progress. */
struct dnsmon_job {
	struct dnsmon_job *prev, *next;	/* every job of the round */
	struct dnsmon_job *rnext;	/* ready to go on */
	int	 ready;			/* on the ready list */
	struct check_domain d;
	struct answers_set set;
	struct resolve *res;
	json_t	*result;		/* once every answer was in */
	size_t	 probes_waiting;
	int	 early;			/* an early check in a full round */
};

/* The round: every domain (full), or those due early (soon). */
static struct event *dnsmon_timer;
static struct event *dnsmon_soon_timer;
static struct soon *dnsmon_soon;
static long long dnsmon_soon_at;	/* when dnsmon_soon_timer fires; 0 */
static int dnsmon_full;			/* the round is a full one */
static int dnsmon_full_wanted;		/* its time came during another */
static int dnsmon_soon_wanted;		/* early checks came due meanwhile */
static struct ipc_server *dnsmon_server;	/* check-now from policyd */
static struct event *dnsmon_kick;	/* runs the ready jobs */
static int dnsmon_in_round;
static struct domlist dnsmon_dl = DOMLIST_INIT;	/* domains to start */
static struct check_domain *dnsmon_early;	/* early checks that join a
						 * full round, first */
static size_t dnsmon_early_count, dnsmon_early_next;
static size_t dnsmon_early_checked;
static struct dnsmon_job *dnsmon_jobs, *dnsmon_ready, *dnsmon_ready_tail;
static size_t dnsmon_running;
static struct dnsq *dnsmon_dnsq;
static struct answers *dnsmon_answers;
static struct probes *dnsmon_probes;
static struct timespec dnsmon_started;
static size_t dnsmon_checked;
static double dnsmon_checks_secs;	/* when the last domain was checked */
static double dnsmon_last_secs;		/* the last full round took */

/* policyd. */

static void dnsmon_fill(void);
static void dnsmon_more(void *);
static double dnsmon_elapsed(void);
static void dnsmon_page_ask(void);
static void dnsmon_early_free(void);
static void dnsmon_soon_join(void);
static int dnsmon_soon_domain(const char *, struct check_domain *);

static void
dnsmon_soon_conf(struct soon_conf *c)
{
	c->min = var_dnsmon_retry_min;
	c->max = var_dnsmon_retry_max;
	c->gap = var_dnsmon_check_now_interval;
}

/* The early checks' timer, set to at when that is sooner. */
static void
dnsmon_soon_arm(long long at)
{
	long long now = (long long)time(NULL);
	struct timeval tv = { 0, 0 };

	if (at <= 0 || (dnsmon_soon_at > 0 && dnsmon_soon_at <= at))
		return;
	dnsmon_soon_at = at;
	if (at > now)
		tv.tv_sec = (time_t)(at - now);
	evtimer_add(dnsmon_soon_timer, &tv);
}

static int
dnsmon_ipc_timeout(void)
{
	return (int)(var_ipc_timeout * 1000);
}

static void
dnsmon_schedule(long long secs)
{
	struct timeval tv = { (time_t)secs, 0 };

	evtimer_add(dnsmon_timer, &tv);
}

static void
dnsmon_result(const struct check_domain *d, json_t *result, int early)
{
	const char *name = d->name, *state = d->state;
	json_t *checks = json_object_get(result, "checks"), *c, *r;
	int pending = state != NULL && strcmp(state, "pending") == 0;
	int bad = pending;
	long long now = (long long)time(NULL), next;
	struct soon_conf sc;
	const char *st;
	size_t i;

	if (name == NULL)
		return;
	if (pending && json_is_true(json_object_get(result, "verified"))) {
		log_info("%s: ownership proven by DNS", name);
		/* The proof checked: policyd takes only its current one. */
		r = tell_call(json_pack("{s:s, s:s, s:s?}", "op",
		    PROTO_OP_DOMAIN_VERIFIED, "domain", name, "proof",
		    d->proof));
		if (r != NULL && !json_is_true(json_object_get(r, "ok")))
			log_warn("%s: policyd refused domain-verified: %s", name,
			    json_string_value(json_object_get(r, "error")));
		json_decref(r);
	}
	verdict_result(name, checks, pending, !early);
	json_array_foreach(checks, i, c)
		if ((st = json_string_value(json_object_get(c, "status")))
		    != NULL && (strcmp(st, "fail") == 0 ||
		    strcmp(st, "dns-error") == 0))
			bad = 1;
	dnsmon_soon_conf(&sc);
	if ((next = soon_checked(dnsmon_soon, name, bad, now, &sc)) > 0) {
		log_debug("%s: %s: checked again in %lld s", name, pending ?
		    "pending" : "a check fails", next - now);
		dnsmon_soon_arm(next);
	} else			/* about: a round that outlasts the interval
				 * is followed by the next when it ends */
		next = now + (dnsmon_last_secs > (double)var_dnsmon_interval ?
		    (long long)dnsmon_last_secs : var_dnsmon_interval);
	tell_result(name, checks, next);
}

/*
 * Jobs: the checks of one domain, run again until every answer is in.
 */
static void
dnsmon_job_ready(void *arg)
{
	struct dnsmon_job *j = arg;

	if (j->ready)
		return;
	j->ready = 1;
	j->rnext = NULL;
	if (dnsmon_ready_tail != NULL)
		dnsmon_ready_tail->rnext = j;
	else
		dnsmon_ready = j;
	dnsmon_ready_tail = j;
	event_active(dnsmon_kick, EV_TIMEOUT, 0);
}

static void
dnsmon_job_free(struct dnsmon_job *j)
{
	DLIST_UNLINK(dnsmon_jobs, j);
	answers_set_clear(&j->set);
	resolve_free(j->res);
	check_domain_clear(&j->d);
	json_decref(j->result);
	free(j);
	dnsmon_running--;
}

static void
dnsmon_hosts_free(char **v)
{
	char **p;

	for (p = v; p != NULL && *p != NULL; p++)
		free(*p);
	free(v);
}

static void
dnsmon_job_finish(struct dnsmon_job *j)
{
	json_t *checks = json_object_get(j->result, "checks");
	char **hosts, **h;

	if (dnsmon_probes != NULL) {
		hosts = check_probe_hosts(j->result, &j->d);
		for (h = hosts; *h != NULL; h++)
			probes_add(dnsmon_probes, checks, *h);
		dnsmon_hosts_free(hosts);
	}
	dnsmon_result(&j->d, j->result, j->early);
	if (j->early)
		dnsmon_early_checked++;
	else
		dnsmon_checked++;
	dnsmon_job_free(j);
	if (dnsmon_running == 0 && dnsmon_dl.next >= dnsmon_dl.count)
		dnsmon_checks_secs = dnsmon_elapsed();
}

static void
dnsmon_job_probed(void *arg)
{
	struct dnsmon_job *j = arg;

	if (--j->probes_waiting == 0)
		dnsmon_job_ready(j);
}

/*
 * Every answer is in: the probes of its MX hosts (and of the hosts a
 * migration adds, which policyd lists in "probe"), then the result.
 */
static void
dnsmon_job_probe(struct dnsmon_job *j)
{
	char **hosts, **h;

	j->probes_waiting = 1;		/* until every host is asked for */
	if (dnsmon_probes != NULL) {
		hosts = check_probe_hosts(j->result, &j->d);
		for (h = hosts; *h != NULL; h++) {
			j->probes_waiting++;
			if (probes_want(dnsmon_probes, *h, dnsmon_job_probed,
			    j))
				j->probes_waiting--;
		}
		dnsmon_hosts_free(hosts);
	}
	if (--j->probes_waiting == 0)
		dnsmon_job_finish(j);
}

static void
dnsmon_job_run(struct dnsmon_job *j)
{
	json_t *result;

	if (j->result != NULL) {	/* its probes are done */
		dnsmon_job_finish(j);
		return;
	}
	result = check_run(j->res, &j->d, 0);
	if (j->set.waiting > 0) {	/* asked for more: run again later */
		json_decref(result);
		return;
	}
	j->result = result;
	dnsmon_job_probe(j);
}

/* Takes d over. */
static void
dnsmon_job_start(struct check_domain *d, int early)
{
	struct resolve_source src;
	struct dnsmon_job *j = xcalloc(1, sizeof(*j));

	j->early = early;
	j->d = *d;
	memset(d, 0, sizeof(*d));
	answers_set_init(&j->set, dnsmon_answers, dnsmon_job_ready, j);
	src.lookup = answers_lookup;
	src.ctx = &j->set;
	j->res = resolve_new_source(&src, (int)var_dnsmon_cname_depth);
	DLIST_PUSH(dnsmon_jobs, j);
	dnsmon_running++;
	dnsmon_job_run(j);
}

static void
dnsmon_run_ready(evutil_socket_t fd, short what, void *arg)
{
	struct dnsmon_job *j;

	(void)fd;
	(void)what;
	(void)arg;
	while ((j = dnsmon_ready) != NULL) {
		if ((dnsmon_ready = j->rnext) == NULL)
			dnsmon_ready_tail = NULL;
		j->ready = 0;
		dnsmon_job_run(j);
	}
	dnsmon_fill();
}

/*
 * Rounds.
 */
static double
dnsmon_elapsed(void)
{
	struct timespec now;

	clock_gettime(CLOCK_MONOTONIC, &now);
	return (double)(now.tv_sec - dnsmon_started.tv_sec) +
	    (now.tv_nsec - dnsmon_started.tv_nsec) / 1e9;
}

static void
dnsmon_early_free(void)
{
	while (dnsmon_early_next < dnsmon_early_count)
		check_domain_clear(&dnsmon_early[dnsmon_early_next++]);
	free(dnsmon_early);
	dnsmon_early = NULL;
	dnsmon_early_count = dnsmon_early_next = 0;
}

static void
dnsmon_round_free(void)
{
	struct dnsmon_job *j;

	while ((j = dnsmon_jobs) != NULL)
		dnsmon_job_free(j);
	dnsmon_ready = dnsmon_ready_tail = NULL;
	domlist_clear(&dnsmon_dl);
	dnsmon_early_free();
	dnsq_free(dnsmon_dnsq);		/* first: its queries point into answers */
	dnsmon_dnsq = NULL;
	answers_free(dnsmon_answers);
	dnsmon_answers = NULL;
	probes_free(dnsmon_probes);
	dnsmon_probes = NULL;
	dnsmon_in_round = 0;
}

/* A full round that waits for the end of another, now. */
static void
dnsmon_full_now(void)
{
	struct timeval now = { 0, 0 };

	dnsmon_full_wanted = 0;
	evtimer_add(dnsmon_timer, &now);
}

/*
 * What waits for the end of a round: early checks, a full round.  Early
 * checks that are due go first: with rounds back to back (a round that
 * outlasts dnsmon_interval) they would wait for ever otherwise; the full
 * round starts when they end (dnsmon_soon_round_done()).
 */
static void
dnsmon_round_next(void)
{
	long long at;

	if (dnsmon_soon_wanted) {
		dnsmon_soon_wanted = 0;
		dnsmon_soon_at = 0;
		at = soon_next(dnsmon_soon);
		dnsmon_soon_arm(at);
		if (dnsmon_full_wanted && at > 0 && at <= (long long)time(NULL))
			return;
	}
	if (dnsmon_full_wanted)
		dnsmon_full_now();
}

static void
dnsmon_soon_round_done(void)
{
	double secs = dnsmon_elapsed();

	dnsmon_round_free();
	alert_send();
	alert_store_flush();
	tell_call_close();
	log_info("early checks done: %zu %s (pending, failing or asked"
	    " for) checked in %.2f s", dnsmon_checked,
	    plural((long long)dnsmon_checked, "domain", "domains"), secs);
	if (dnsmon_full_wanted)		/* early checks went first */
		dnsmon_full_now();
	dnsmon_soon_wanted = 1;		/* the next ones, if any */
	dnsmon_round_next();
}

/*
 * When the next full round starts: dnsmon_interval (plus jitter) after
 * this one started, or now when this one took longer.  Seconds from now.
 */
static long long
dnsmon_round_wait(double secs, size_t n)
{
	long long iv = var_dnsmon_interval, jitter;

	jitter = iv * DNSMON_JITTER_PCT / 100;
	if (jitter > 0)
		iv += random() % (jitter + 1);
	if (secs < (double)var_dnsmon_interval)
		return iv - (long long)secs;
	log_warn("round of %zu %s took %.0f s, longer than dnsmon_interval"
	    " (%lld s): the next round starts now (dnsmon_query_rate %lld"
	    " queries/s)", n, plural((long long)n, "domain", "domains"), secs,
	    var_dnsmon_interval, var_dnsmon_query_rate);
	return 0;
}

static void
dnsmon_round_done(void)
{
	long long iv;
	unsigned long long queries = 0, lookups = 0, reused = 0;
	struct dnsq_stats qs = { 0, 0, 0, 0 };
	size_t probed = dnsmon_probes ? probes_count(dnsmon_probes) : 0;
	double secs = dnsmon_elapsed();
	int failed = dnsmon_dl.failed;
	struct buf early = BUF_INIT;

	if (!dnsmon_full) {
		dnsmon_soon_round_done();
		return;
	}
	if (dnsmon_answers != NULL)
		answers_stats(dnsmon_answers, &queries, &lookups, &reused);
	if (dnsmon_dnsq != NULL)
		dnsq_stats(dnsmon_dnsq, &qs);
	dnsmon_round_free();
	verdict_round_done();
	alert_send();			/* the round's alerts: one digest */
	alert_store_flush();
	tell_call_close();
	dnsmon_last_secs = secs;
	iv = failed ? DNSMON_RETRY_DELAY : dnsmon_round_wait(secs,
	    dnsmon_checked);
	if (dnsmon_early_checked > 0)
		buf_printf(&early, " and %zu early %s", dnsmon_early_checked,
		    plural((long long)dnsmon_early_checked, "check",
		    "checks"));
	log_info("round %s: %zu %s checked in %.2f s (%.0f domains/s)%s,"
	    " results stored in %.2f s, %llu DNS queries (%llu sent again,"
	    " %llu timed out, %llu over TCP), %llu answers shared, %zu MX"
	    " %s probed; next in %lld s", failed ? "cut short" : "done",
	    dnsmon_checked, plural((long long)dnsmon_checked, "domain",
	    "domains"), dnsmon_checks_secs, dnsmon_checks_secs > 0 ?
	    dnsmon_checked / dnsmon_checks_secs : 0.0, early.len ? early.s :
	    "", secs, queries,
	    qs.resends, qs.timeouts, qs.tcp, reused, probed,
	    plural((long long)probed, "host", "hosts"), iv);
	buf_free(&early);
	if (iv > 0)
		dnsmon_schedule(iv);
	else
		dnsmon_full_wanted = 1;	/* after the early checks due */
	dnsmon_soon_wanted = 1;
	dnsmon_round_next();
}

/* A full round's next page of domains, when few are left to start. */
static void
dnsmon_page_ask(void)
{
	if (dnsmon_full)
		domlist_ask(&dnsmon_dl, DNSMON_POLICYD, dnsmon_ipc_timeout());
}

/* domlist's call: a page came in, or the list ended. */
static void
dnsmon_more(void *arg)
{
	(void)arg;
	dnsmon_fill();
}

/* Start domains while there is room; end the round when all are done. */
static void
dnsmon_fill(void)
{
	long long limit = var_dnsmon_concurrency;
	struct check_domain *d;
	static int busy;

	/* Called again from inside (a finished job, a closed connection):
	 * the outer call does the work. */
	if (!dnsmon_in_round || busy)
		return;
	busy = 1;
	if (limit < 1)
		limit = 1;
	while (dnsmon_running < (size_t)limit &&
	    tell_unanswered() < DNSMON_RESULTS_WINDOW &&
	    dnsmon_early_next < dnsmon_early_count)
		dnsmon_job_start(&dnsmon_early[dnsmon_early_next++], 1);
	while (dnsmon_running < (size_t)limit &&
	    tell_unanswered() < DNSMON_RESULTS_WINDOW &&
	    (d = domlist_next(&dnsmon_dl)) != NULL)
		dnsmon_job_start(d, 0);
	dnsmon_page_ask();
	busy = 0;
	if (dnsmon_early_next >= dnsmon_early_count && dnsmon_soon_wanted &&
	    dnsmon_full) {		/* the next early checks may join */
		dnsmon_soon_wanted = 0;
		dnsmon_soon_arm(soon_next(dnsmon_soon));
	}
	if (dnsmon_running == 0 && tell_unanswered() == 0 &&
	    dnsmon_dl.next >= dnsmon_dl.count && !dnsmon_dl.paging &&
	    dnsmon_early_next >= dnsmon_early_count &&
	    (!dnsmon_full || dnsmon_dl.end))
		dnsmon_round_done();
}

/* The round's DNS and probes; -1 logged. */
static int
dnsmon_round_start(void)
{
	struct buf err = BUF_INIT;

	dnsmon_dnsq = dnsq_new(server_base(),
	    (int)(var_dnsmon_query_timeout * 1000),
	    DNSMON_DNS_INFLIGHT, &err);
	if (dnsmon_dnsq == NULL) {
		log_warn("%s; trying again in %d s", err.s, DNSMON_RETRY_DELAY);
		buf_free(&err);
		dnsmon_round_free();
		return -1;
	}
	dnsq_set_rate(dnsmon_dnsq, (long)var_dnsmon_query_rate);
	dnsmon_answers = answers_new(dnsmon_dnsq, DNSMON_ANSWERS_KEEP);
	if (var_dnsmon_probe)
		dnsmon_probes = probes_new(server_base(), DNSMON_PROBE_PROCS);
	dnsmon_dl.more = dnsmon_more;
	dnsmon_dl.retry = DNSMON_RETRY_DELAY;
	dnsmon_in_round = 1;
	dnsmon_checked = dnsmon_early_checked = 0;
	dnsmon_checks_secs = 0;
	return 0;
}

static void
dnsmon_round(evutil_socket_t fd, short what, void *arg)
{
	(void)fd;
	(void)what;
	(void)arg;
	if (dnsmon_in_round) {
		dnsmon_full_wanted = 1;
		return;
	}
	if (!tell_leased()) {
		dnsmon_schedule(tell_lease_wait());
		return;
	}
	clock_gettime(CLOCK_MONOTONIC, &dnsmon_started);
	dnsmon_full = 1;
	if (dnsmon_round_start() < 0) {
		dnsmon_schedule(DNSMON_RETRY_DELAY);
		return;
	}
	verdict_round_start();
	log_info("round: checking the domains of policyd's list, %d at a"
	    " time at most, %lld DNS queries/s at most",
	    (int)var_dnsmon_concurrency, var_dnsmon_query_rate);
	dnsmon_fill();			/* asks for the first page */
}

/* The domain of an early check, from policyd; 0, or -1: not checked. */
static int
dnsmon_soon_domain(const char *name, struct check_domain *d)
{
	int rc = tell_domain(name, d);

	if (rc > 0)			/* not hosted, or not its object */
		soon_forget(dnsmon_soon, name);
	return rc == 0 ? 0 : -1;
}

/*
 * Early checks that come due during a full round join it, ahead of the
 * domains of the list (a round over many domains at a low
 * dnsmon_query_rate lasts hours): a batch at a time, the next when the
 * last has started.  They share the round's DNS answers and limits and
 * are left out of its totals.
 */
static void
dnsmon_soon_join(void)
{
	char *names[DNSMON_SOON_BATCH];
	struct soon_conf sc;
	size_t n, i;

	dnsmon_soon_conf(&sc);
	n = soon_due(dnsmon_soon, (long long)time(NULL), names,
	    DNSMON_SOON_BATCH, &sc);
	dnsmon_early_free();
	if (n > 0)
		dnsmon_early = xreallocarray(NULL, n, sizeof(*dnsmon_early));
	for (i = 0; i < n; i++) {
		if (dnsmon_soon_domain(names[i],
		    &dnsmon_early[dnsmon_early_count]) == 0)
			dnsmon_early_count++;
		free(names[i]);
	}
	if (dnsmon_early_count > 0)
		log_info("early checks: %zu %s, during the round",
		    dnsmon_early_count, plural((long long)dnsmon_early_count,
		    "domain", "domains"));
	dnsmon_soon_wanted = 1;		/* the next batch, once these started */
	dnsmon_fill();
}

/* Early checks: pending and failing domains, and those asked for. */
static void
dnsmon_soon_round(evutil_socket_t fd, short what, void *arg)
{
	char *names[DNSMON_SOON_BATCH];
	struct soon_conf sc;
	long long now;
	size_t n, i;

	(void)fd;
	(void)what;
	(void)arg;
	dnsmon_soon_at = 0;
	if (dnsmon_in_round && dnsmon_full &&
	    dnsmon_early_next >= dnsmon_early_count) {
		dnsmon_soon_join();
		return;
	}
	if (dnsmon_in_round) {
		dnsmon_soon_wanted = 1;
		return;
	}
	now = (long long)time(NULL);
	if (soon_next(dnsmon_soon) > 0 && soon_next(dnsmon_soon) <= now &&
	    !tell_leased()) {
		dnsmon_soon_arm(now + tell_lease_wait());
		return;
	}
	dnsmon_soon_conf(&sc);
	n = soon_due(dnsmon_soon, (long long)time(NULL), names,
	    DNSMON_SOON_BATCH, &sc);
	if (n == 0) {
		dnsmon_soon_arm(soon_next(dnsmon_soon));
		if (dnsmon_full_wanted)
			dnsmon_full_now();
		return;
	}
	clock_gettime(CLOCK_MONOTONIC, &dnsmon_started);
	dnsmon_full = 0;
	for (i = 0; i < n; i++) {
		if (dnsmon_soon_domain(names[i], domlist_slot(&dnsmon_dl)) == 0)
			dnsmon_dl.count++;
		free(names[i]);
	}
	if (dnsmon_dl.count == 0 || dnsmon_round_start() < 0) {
		dnsmon_round_free();
		dnsmon_soon_arm(soon_next(dnsmon_soon));
		if (dnsmon_full_wanted)
			dnsmon_full_now();
		return;
	}
	log_info("early checks: %zu %s", dnsmon_dl.count,
	    plural((long long)dnsmon_dl.count, "domain", "domains"));
	dnsmon_fill();
}

static void dnsmon_soon_ask(const char *, long long);

/* {"op":"check-now","domain":D} from policyd (lib/notify). */
static void
dnsmon_request(struct ipc_conn *conn, json_t *msg, void *ctx)
{
	const char *in = json_string_value(json_object_get(msg, "domain"));
	struct buf err = BUF_INIT;
	char *name;

	(void)conn;
	(void)ctx;
	if (ipc_op(msg) == NULL || strcmp(ipc_op(msg), PROTO_OP_CHECK_NOW)
	    != 0 || in == NULL) {
		log_warn(PROTO_PRIVATE_DIR "/%s: not a check-now request with"
		    " a domain: ignored", server_service());
		return;
	}
	if (strlen(in) > DNSMON_NAME_MAX)
		buf_printf(&err, "a domain of %zu octets (at most %d)",
		    strlen(in), DNSMON_NAME_MAX);
	if (err.len > 0 || dnsname_name_arg(in, &name, &err) < 0) {
		log_warn(PROTO_PRIVATE_DIR "/%s: check-now: %s: ignored",
		    server_service(), err.s);
		buf_free(&err);
		return;
	}
	buf_free(&err);
	dnsmon_soon_ask(name, (long long)time(NULL));
	free(name);
}

/* A check of name now, or when its rate limit allows. */
static void
dnsmon_soon_ask(const char *name, long long now)
{
	struct soon_conf sc;
	long long at;

	dnsmon_soon_conf(&sc);
	if ((at = soon_ask(dnsmon_soon, name, now, &sc)) == 0) {
		log_warn("%s: check asked for: %d domains wait already; it"
		    " waits for the next round", name, DNSMON_SOON_MAX);
		return;
	}
	if (at > now)
		log_info("%s: check asked for: in %lld s"
		    " (dnsmon_check_now_interval)", name, at - now);
	else
		log_info("%s: check asked for: now", name);
	dnsmon_soon_arm(at);
}

static void
dnsmon_post_jail(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	srandom((unsigned)time(NULL) ^ (unsigned)getpid());
	verdict_open();
	dnsmon_timer = evtimer_new(server_base(), dnsmon_round, NULL);
	dnsmon_soon_timer = evtimer_new(server_base(), dnsmon_soon_round, NULL);
	dnsmon_soon = soon_new(DNSMON_SOON_MAX);
	if (server_nsockets() > 0) {
		struct ipc_conn_conf conf = {
			dnsmon_request, NULL, NULL, 0, 0, 0, DNSMON_CONNS_MAX,
		};

		conf.idle_ms = conf.write_ms = dnsmon_ipc_timeout();
		dnsmon_server = ipc_server_new(server_base(), server_socket(0),
		    &conf);
	}
	dnsmon_kick = event_new(server_base(), -1, 0, dnsmon_run_ready, NULL);
	tell_init(dnsmon_fill);
	dnsmon_schedule(DNSMON_FIRST_DELAY);
}

static void
dnsmon_cleanup(void)
{
	dnsmon_round_free();
	tell_close();
	if (dnsmon_server != NULL)
		ipc_server_free(dnsmon_server);
	events_free(dnsmon_timer);
	events_free(dnsmon_soon_timer);
	soon_free(dnsmon_soon);
	events_free(dnsmon_kick);
	verdict_close();
}

int
main(int argc, char **argv)
{
	static const struct server_hooks hooks = {
		NULL, dnsmon_post_jail, NULL, dnsmon_cleanup,
	};

	return server_main(argc, argv, &hooks);
}
