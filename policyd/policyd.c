/*
 * policyd - the owner of policy.db: hosted domains and their MTA-STS
 * policies.
 * SPDX-License-Identifier: ISC
 *
 * SYNOPSIS
 *	policyd [standard worker options, see server.h]
 *	(master.cf: policyd unix n n n - 1 policyd)
 *
 * DESCRIPTION
 *	Started by master through lib/server, not chrooted.  After the
 *	privilege drop it opens $data_directory/policy.db (created and
 *	migrated by policydb_connect), or the PostgreSQL database of
 *	postgresql_conninfo with storage_engine = postgresql
 *	(lib/sqldb_conf); a database that cannot be opened is fatal.  Each
 *	listening socket gets an ipc_server: the first (private/policyd)
 *	serves the other daemons, and when there are two or more, the
 *	last (public/policyd) serves stsctl and allows only the requests
 *	of request.h marked public.
 *
 *	A "subscribe" request on the private socket makes the connection
 *	a subscriber (httpd): it gets the snapshot of servable policies
 *	(request.h: a few "policies" messages of many domains each) and a
 *	snapshot-end message, then every change, pushed from the request
 *	handlers before they reply.  The snapshot is built once and sent
 *	as is to every subscriber until something changes or nobody asked
 *	for it for POLICYD_SNAPSHOT_KEEP seconds: the httpd processes that
 *	master starts together share one database read.  After
 *	snapshot-end come the ACME challenges acmed asked for and did not
 *	withdraw yet (challenges.h), one {"op":"challenge",...} each, so
 *	that an httpd that restarts in the middle of a validation still
 *	answers it.
 *	Subscribers have no idle
 *	time-out; one that does not read its messages within ipc_timeout
 *	is dropped (it reconnects and gets a new snapshot).
 *
 *	HTTPS before DNS (request.h): after the snapshot and the
 *	challenges, a subscriber gets {"op":"cert-check","host":H} for
 *	each domain that waits for a valid certificate, and every
 *	POLICYD_CERT_ASK_INTERVAL seconds all subscribers get them again;
 *	httpd answers cert-served on the same connection.
 *
 *	Retiring domains are removed when their retire_at comes (the end
 *	of the last cache a sender may hold of a policy served for the
 *	name, request.h): a timer is set to the earliest one after every
 *	request, at most POLICYD_EXPIRE_MAX_WAIT ahead, and master's
 *	wakeup also checks.
 *
 *	MX migrations (request.h): every POLICYD_MIGRATE_POLL seconds,
 *	and once at start, each running plan of policy.db goes as far as
 *	it can (its step and deadline are in policy.db: a restart changes
 *	nothing); their alerts go out through lib/alert, deduplicated in
 *	$data_directory/POLICYD_ALERT_STATE.
 *
 *	On SIGTERM (a stop, or a reload that restarts it) policyd reads no
 *	more requests but sends every queued reply before it exits
 *	(lib/server.h: at most SERVER_STOP_GRACE seconds).
 *
 *	domain-add and domain-check ask dnsmon to check the domain now
 *	with one notice on private/dnsmon (lib/notify, never waiting);
 *	dnsmon's result comes back on private/policyd as a check-result.
 *	check-results are stored by group commit (checkbatch.h): held
 *	until CHECKBATCH_MAX have come or CHECKBATCH_DELAY_MS have passed
 *	since the first, or another request comes, then committed in one
 *	transaction and answered; none is answered "stored" before its
 *	commit, and one held when policyd dies is checked again in
 *	dnsmon's next round.
 *
 *	With dns_update_server set, policyd publishes the TXT records of
 *	each servable domain in sts_zone by DNS UPDATE (publish.h).  The
 *	updates are synchronous (lib/dnsupdate), so they run in a child
 *	process, one per batch of due domains, that reports each outcome
 *	as a line on a pipe (dnschild.h); the event loop reads the pipe,
 *	reaps the child at its end of file and records the outcomes.  A
 *	batch starts DNSCHILD_DELAY_MS after a change, so that the policy
 *	push to httpd has left before DNS announces the new id, and
 *	changes made meanwhile share the batch.  A failed update is retried after
 *	policyd_dns_retry_min, doubling up to policyd_dns_retry_max.  At
 *	start, whatever DNS lacks (a change made while policyd was down or
 *	before dns_update_server was set) is queued; so is every domain
 *	whose rua changed with main.cf (report_recipients,
 *	report_https_rua: ststxt_rua_make()).  A report_https_path that
 *	cannot make a valid rua URI is fatal when report_https_rua = yes.
 *
 *	On PostgreSQL policyd follows the changes that the policyd of
 *	another node makes in the same database (follow.h: LISTEN, opened
 *	before the domains are first read): each goes to the snapshot file
 *	and the subscribers as a local change does.
 *
 *	The snapshot file (lib/polsnap.h, request.h): policyd is its only
 *	writer.  Every change is appended to its journal before the reply;
 *	at start, and POLICYD_COMPACT_DELAY after a request that made the
 *	journal large enough (polsnap_compact_due), a new base is written
 *	from policy.db; while requests keep coming it waits for a lull of
 *	POLICYD_COMPACT_DELAY, at most POLICYD_COMPACT_MAX_WAIT from when
 *	it fell due or until the journal holds POLICYD_COMPACT_JOURNAL_MAX
 *	bytes.  A compaction that fails is logged once and tried
 *	again every POLICYD_COMPACT_RETRY seconds; policyd goes on.
 *
 *	Leases (lease.h): policyd heartbeats for its node (node_name) and
 *	takes or renews the leases of the work that must happen once
 *	among the nodes of a database every cluster_lease_time / 3, and
 *	releases them when it stops; the other daemons ask it with
 *	{"op":"lease"}.
 *
 * MAY TOUCH
 *	$data_directory/policy.db, $queue_directory/snapshot/ (the
 *	snapshot file and its temporary files), the sockets master gives it,
 *	private/dnsmon (notices only),
 *	dns_update_key_file and dns_update_server (from the child),
 *	$data_directory/policyd-alerts.state and alert-limits.state,
 *	sendmail_path and the alert webhook (lib/alert: migrations).
 *
 * LIMITS
 *	PUBLISH_BATCH_MAX domains per DNS child, killed by alarm() after
 *	its updates' time-outs (dnschild.h); POLICYD_CONNS_MAX connections
 *	per socket; ipc_message_size_limit
 *	per message; ipc_timeout for an idle client and for a peer that
 *	does not read.
 */
#include "config.h"

#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <event2/event.h>

#include "alert.h"
#include "alertsub.h"
#include "buf.h"
#include "challenges.h"
#include "checkbatch.h"
#include "deadline.h"
#include "dnschild.h"
#include "events.h"
#include "follow.h"
#include "ipc.h"
#include "lease.h"
#include "log.h"
#include "mymalloc.h"
#include "params.h"
#include "plural.h"
#include "notify.h"
#include "policy.h"
#include "policydb.h"
#include "polsnap.h"
#include "proto.h"
#include "publish.h"
#include "request.h"
#include "request_ops.h"
#include "server.h"
#include "sqldb_conf.h"
#include "ststxt.h"

#define POLICYD_CONNS_MAX	256		/* per listening socket */
#define POLICYD_EXPIRE_MAX_WAIT	3600		/* longest timer, seconds */
#define POLICYD_SNAPSHOT_KEEP	5		/* s a snapshot is kept unused */
#define POLICYD_CERT_ASK_INTERVAL 10		/* s between cert-check rounds */
#define POLICYD_RUA_PROBE_DOMAIN "DOMAIN"	/* checks the rua rule */
#define POLICYD_COMPACT_DELAY	1		/* s from due to compaction */
#define POLICYD_COMPACT_RETRY	60		/* s after a failed one */
#define POLICYD_MIGRATE_POLL	5		/* s between turns of plans */
#define POLICYD_UNREACHED_LOG	60		/* s between "not reached" lines */
#define POLICYD_ALERT_STATE	"policyd-alerts.state"	/* data_directory */
#define POLICYD_COMPACT_MAX_WAIT 30		/* s from due, requests or not */
#define POLICYD_COMPACT_JOURNAL_MAX (64ULL * 1024 * 1024) /* no wait past */

static struct policyd policyd;
static struct ipc_server *policyd_servers[SERVER_SOCKETS_MAX];
static int policyd_nservers;
static struct event *policyd_expire_ev;
static struct event *policyd_ask_ev;
static struct event *policyd_migrate_ev;
static struct checkbatch *policyd_checks;	/* dnsmon's, group commit */
static int policyd_public_flag = REQUEST_PUBLIC;
static int policyd_private_flag = REQUEST_PRIVATE;
static int policyd_subscriber;		/* its address marks subscribers */

/* The snapshot for subscribers, while nothing changed. */
static struct {
	json_t	*msgs;			/* array of messages, or NULL */
	size_t	 count;			/* domains in them */
	struct event *ev;		/* drops it when unused */
} policyd_snap;

/* The snapshot file's compaction (polsnap.h). */
static struct {
	struct event *ev;
	int	 failed;		/* the last one failed */
	struct timespec due;		/* when it was armed */
} policyd_compact;

static void policyd_expire_arm(void);
static void policyd_compact_arm(void);

/*
 * Configuration, checked once at start.
 */

/*
 * The rua rule does not depend on the domain beyond its name, so a
 * bad report_https_path shows with any valid name: fatal, as in httpd.
 * Without any rua, the TLSRPT records are left alone (publish.h): said
 * once here.
 */
static void
policyd_conf_rua(const struct policyd_conf *conf)
{
	struct buf err = BUF_INIT;
	char *rua;

	if (conf->report_https_path != NULL) {
		rua = ststxt_rua_make(NULL, conf->report_https_path,
		    POLICYD_RUA_PROBE_DOMAIN, &err);
		if (rua == NULL)
			log_fatal("%s", err.s);
		free(rua);
	}
	rua = publish_rua(conf, POLICYD_RUA_PROBE_DOMAIN, &err);
	if (rua == NULL && conf->dns_update)
		log_warn("%s: the TLSRPT records of sts_zone are left alone",
		    err.s);
	free(rua);
	buf_free(&err);
}

static char *policyd_alertsub_path;	/* $data_directory/ALERTSUB_FILE */

static void
policyd_conf_read(struct policyd_conf *conf)
{
	enum policy_mode mode;
	const char *v;

	conf->default_mode = var_default_policy_mode;
	if (policy_mode_parse(conf->default_mode, &mode) < 0)
		log_fatal("parameter default_policy_mode: \"%s\": must be"
		    " testing, enforce or none", conf->default_mode);
	conf->default_max_age = var_default_policy_max_age;
	v = var_domain_verification;
	if (strcmp(v, "dns") == 0)
		conf->verify_dns = 1;
	else if (strcmp(v, "none") == 0)
		conf->verify_dns = 0;
	else
		log_fatal("parameter domain_verification: \"%s\": must be dns"
		    " or none", v);
	conf->sts_zone = var_sts_zone;
	conf->policy_host = var_policy_host;
	conf->report_recipients = var_report_recipients;
	conf->report_https_path = var_report_https_rua &&
	    *var_report_https_path != '\0' ?
	    var_report_https_path : NULL;
	conf->retire_max_age = var_policyd_retire_max_age;
	conf->dns_update_server = var_dns_update_server;
	conf->dns_update = *conf->dns_update_server != '\0';
	conf->dns_retry_min = var_policyd_dns_retry_min;
	conf->dns_retry_max = var_policyd_dns_retry_max;
	conf->password_min = var_portal_password_min_length;
	conf->tokens_max = var_portal_tokens_max;
	conf->default_quota = var_portal_default_quota;
	conf->alert_subs_max = var_alert_subscriptions_max;
	conf->webhook_private = var_alert_webhook_private_networks;
	free(policyd_alertsub_path);
	policyd_alertsub_path = xasprintf("%s/%s", var_data_directory,
	    ALERTSUB_FILE);
	conf->alertsub_path = policyd_alertsub_path;
	if (conf->dns_retry_max < conf->dns_retry_min)
		conf->dns_retry_max = conf->dns_retry_min;
	if (conf->dns_update && *conf->sts_zone == '\0')
		log_fatal("parameter dns_update_server is set but sts_zone is"
		    " empty: set sts_zone to the service zone");
	policyd_conf_rua(conf);
}

/*
 * Subscribers.
 */
static int
policyd_is_subscriber(struct ipc_conn *conn, void *arg)
{
	return ipc_conn_data(conn) == &policyd_subscriber;
}

/* The cached snapshot is out of date from the first change on. */
static void
policyd_snapshot_drop(void)
{
	json_decref(policyd_snap.msgs);
	policyd_snap.msgs = NULL;
	policyd_snap.count = 0;
	if (policyd_snap.ev != NULL)
		evtimer_del(policyd_snap.ev);
}

static void
policyd_snapshot_timer(evutil_socket_t fd, short what, void *arg)
{
	policyd_snapshot_drop();
}

static void
policyd_notify(json_t *msg, void *arg)
{
	int i;

	policyd_snapshot_drop();
	for (i = 0; i < policyd_nservers; i++)
		ipc_server_broadcast(policyd_servers[i], msg,
		    policyd_is_subscriber, NULL);
}

static void
policyd_snapshot_one(json_t *msg, void *arg)
{
	ipc_conn_send(arg, msg);
}

static void
policyd_snapshot_keep(json_t *msg, void *arg)
{
	json_array_append(policyd_snap.msgs, msg);
}

/*
 * The snapshot messages, built at most once while nothing changes:
 * the httpd processes that master starts together subscribe within
 * moments of each other and all get the same messages.
 */
static json_t *
policyd_snapshot(size_t *count)
{
	struct timeval tv = { POLICYD_SNAPSHOT_KEEP, 0 };

	if (policyd_snap.msgs == NULL) {
		policyd_snap.msgs = json_array();
		policyd_snap.count = request_snapshot(&policyd,
		    policyd_snapshot_keep, NULL);
	}
	evtimer_add(policyd_snap.ev, &tv);
	*count = policyd_snap.count;
	return policyd_snap.msgs;
}

static void
policyd_subscribe(struct ipc_conn *conn)
{
	size_t count, nchallenges, i;
	struct timespec t0;
	int cached = policyd_snap.msgs != NULL;
	json_t *end, *msgs;

	clock_gettime(CLOCK_MONOTONIC, &t0);
	ipc_conn_set_data(conn, &policyd_subscriber);
	ipc_conn_set_idle(conn, 0);
	msgs = policyd_snapshot(&count);
	for (i = 0; i < json_array_size(msgs); i++)
		ipc_conn_send(conn, json_array_get(msgs, i));
	end = json_pack("{s:s, s:I}", "op", PROTO_OP_SNAPSHOT_END, "count",
	    (json_int_t)count);
	ipc_conn_send(conn, end);
	json_decref(end);
	nchallenges = challenges_snapshot(policyd.challenges,
	    policyd_snapshot_one, conn);
	request_cert_asks(&policyd, policyd_snapshot_one, conn);
	log_info("subscriber %s: sent %zu %s (%s snapshot), %zu %s in"
	    " %.3f s", ipc_conn_peer(conn), count, plural((long long)count,
	    "policy", "policies"), cached ? "the same" : "a new", nchallenges,
	    plural((long long)nchallenges, "challenge", "challenges"),
	    deadline_since(&t0));
}

/*
 * HTTPS before DNS: while domains wait for httpd to serve them with a
 * valid certificate, ask every subscriber about them now and then, so
 * that a certificate installed by hand (no acmed to say cert-changed)
 * is noticed.  The policies did not change: the snapshot stays.
 */
static void
policyd_ask_one(json_t *msg, void *arg)
{
	int i;

	for (i = 0; i < policyd_nservers; i++)
		ipc_server_broadcast(policyd_servers[i], msg,
		    policyd_is_subscriber, NULL);
}

static void
policyd_ask_timer(evutil_socket_t fd, short what, void *arg)
{
	size_t n = request_cert_asks(&policyd, policyd_ask_one, NULL);

	if (n > 0)
		log_debug("asked httpd about %zu %s waiting for a"
		    " certificate", n, plural((long long)n, "domain", "domains"));
}

/*
 * A PostgreSQL connection that the server closed (a restart, a
 * failover) is not opened again here: policyd stops as on SIGTERM
 * (the replies queued are sent) and master starts it again, which
 * connects anew.
 */
static void
policyd_db_check(void)
{
	if (!policydb_lost(policyd.db) || server_stopping())
		return;
	log_error("policy database: the connection to the server was lost;"
	    " stopping, so that master starts policyd again");
	raise(SIGTERM);
}

/*
 * Requests.
 */
static void
policyd_handle(struct ipc_conn *conn, json_t *msg, void *ctx)
{
	int from_public = *(int *)ctx;
	const char *op = ipc_op(msg);

	if (op != NULL && strcmp(op, PROTO_OP_CHECK_RESULT) == 0 &&
	    !from_public) {
		checkbatch_add(policyd_checks, conn, msg);
		return;
	}
	/* Every request sees the results that came before it. */
	checkbatch_flush(policyd_checks);
	if (op != NULL && strcmp(op, PROTO_OP_SUBSCRIBE) == 0) {
		if (from_public)
			ipc_conn_reply(conn, msg, ipc_error("request \"subscribe\""
			    " is not allowed on the public socket"));
		else
			policyd_subscribe(conn);
		return;
	}
	ipc_conn_reply(conn, msg, request_handle(&policyd, msg, from_public));
	policyd_expire_arm();
	policyd_compact_arm();
	policyd_db_check();
}

/*
 * Retirement.
 */
static void
policyd_expire(void)
{
	request_expire(&policyd, (long long)time(NULL));
	policyd_expire_arm();
	policyd_compact_arm();
}

/*
 * MX migrations: every running plan goes as far as it can now.
 */
static void
policyd_migrate_timer(evutil_socket_t fd, short what, void *arg)
{
	request_migrate_run(&policyd, (long long)time(NULL));
	alert_send();		/* also what requests raised (abort) */
}

/* pd->alert: lib/alert, deduplicated in POLICYD_ALERT_STATE. */
static void
policyd_alert(const char *domain, const char *kind, const char *key,
    const char *subject, const char *text, void *arg)
{
	(void)arg;
	alert_raise(domain, kind, key, subject, text);
}

static void
policyd_alert_open(void)
{
	struct buf err = BUF_INIT;
	char *state;

	state = xasprintf("%s/%s", var_data_directory, POLICYD_ALERT_STATE);
	if (alert_store_file(state, &err) < 0)
		log_fatal("%s", err.s);
	free(state);
	policyd.alert = policyd_alert;
}

/*
 * The snapshot file.
 */

/* A new base and an empty journal from policy.db; -1 on failure. */
static int
policyd_compact_run(void)
{
	struct buf err = BUF_INIT;
	struct timespec t0;
	unsigned long long base, journal, unused;
	long long n;

	clock_gettime(CLOCK_MONOTONIC, &t0);
	polsnap_writer_sizes(policyd.snap, &base, &journal);
	if ((n = request_snapshot_write(&policyd, &err)) < 0) {
		if (!policyd_compact.failed)
			log_error("policy snapshot: %s; an httpd that starts"
			    " serves an older file, or nothing, until it"
			    " reaches policyd (stsd check makes the directory"
			    " %s); trying again every %d s", err.s,
			    POLSNAP_DIR, POLICYD_COMPACT_RETRY);
		policyd_compact.failed = 1;
		buf_free(&err);
		return -1;
	}
	policyd_compact.failed = 0;
	polsnap_writer_sizes(policyd.snap, &base, &unused);
	log_info("policy snapshot: %s written: %lld %s, %llu bytes"
	    " (a journal of %llu bytes folded in) in %.3f s", POLSNAP_BASE, n,
	    plural(n, "policy", "policies"), base, journal,
	    deadline_since(&t0));
	return 0;
}

static void
policyd_compact_timer(evutil_socket_t fd, short what, void *arg)
{
	policyd_compact_run();
	policyd_compact_arm();
}

/*
 * Compaction after the request, not in it: the reply goes first.  While
 * requests keep coming (an import: a compaction of 10^6 domains takes
 * seconds, and each one during an import rewrites a larger base), it
 * waits for a lull of POLICYD_COMPACT_DELAY, but no longer than
 * POLICYD_COMPACT_MAX_WAIT from when it fell due, nor once the journal
 * is POLICYD_COMPACT_JOURNAL_MAX bytes.
 */
static void
policyd_compact_arm(void)
{
	struct timeval tv = { POLICYD_COMPACT_DELAY, 0 };
	unsigned long long base, journal;

	if (policyd.snap == NULL || policyd_compact.ev == NULL ||
	    !polsnap_compact_due(policyd.snap))
		return;
	if (!evtimer_pending(policyd_compact.ev, NULL)) {
		if (policyd_compact.failed)
			tv.tv_sec = POLICYD_COMPACT_RETRY;
		clock_gettime(CLOCK_MONOTONIC, &policyd_compact.due);
		evtimer_add(policyd_compact.ev, &tv);
		return;
	}
	polsnap_writer_sizes(policyd.snap, &base, &journal);
	if (policyd_compact.failed || journal >= POLICYD_COMPACT_JOURNAL_MAX ||
	    deadline_since(&policyd_compact.due) >= POLICYD_COMPACT_MAX_WAIT -
	    POLICYD_COMPACT_DELAY)
		return;
	evtimer_del(policyd_compact.ev);
	evtimer_add(policyd_compact.ev, &tv);
}

static void
policyd_expire_timer(evutil_socket_t fd, short what, void *arg)
{
	policyd_expire();
}

static void
policyd_expire_arm(void)
{
	long long next = policydb_next_retire(policyd.db), wait;
	struct timeval tv;

	evtimer_del(policyd_expire_ev);
	if (next == 0)
		return;
	wait = next - (long long)time(NULL);
	if (wait < 0)
		wait = 0;
	if (wait > POLICYD_EXPIRE_MAX_WAIT)
		wait = POLICYD_EXPIRE_MAX_WAIT;
	tv.tv_sec = (time_t)wait;
	/* Just after the second turns, so that retire_at <= now holds. */
	tv.tv_usec = 100000;
	evtimer_add(policyd_expire_ev, &tv);
}

/*
 * pd->check_now: one notice on dnsmon's private socket, never waiting;
 * a dnsmon that is not running checks the domain in its next round.
 */
static int
policyd_check_now(const char *domain, void *arg)
{
	static time_t logged;
	static size_t unsaid;
	time_t now;

	(void)arg;
	if (notify_check_now(NOTIFY_DNSMON, domain) < 0) {
		/* One line a minute: an import while dnsmon is down. */
		if ((now = time(NULL)) - logged < POLICYD_UNREACHED_LOG) {
			unsaid++;
			return -1;
		}
		if (unsaid > 0)
			log_info("%s: dnsmon not reached: checked in its next"
			    " round (and %zu other %s since the last such"
			    " line)", domain, unsaid, unsaid == 1 ? "domain" :
			    "domains");
		else
			log_info("%s: dnsmon not reached: checked in its next"
			    " round", domain);
		logged = now;
		unsaid = 0;
		return -1;
	}
	log_debug("%s: dnsmon asked to check it now", domain);
	return 0;
}

/*
 * pd->cert_now: one notice on acmed's private socket, never waiting; an
 * acmed that is not running (acme_enabled = no, not in master.cf) finds
 * the domain at its next wakeup, or never needs to.
 */
static void
policyd_cert_now(const char *domain, void *arg)
{
	(void)arg;
	if (notify_check_now(NOTIFY_ACMED, domain) < 0)
		log_debug("%s: acmed not reached: its certificate waits for"
		    " acmed's next wakeup", domain);
	else
		log_debug("%s: acmed asked for its certificate now", domain);
}

/*
 * Server hooks.
 */
static void
policyd_pre_jail(int argc, char **argv)
{
	if (server_nsockets() < 1)
		log_fatal("no listening socket: policyd needs its master.cf"
		    " unix service");
	policyd_conf_read(&policyd.conf);
}

/* Another node changed domains (follow.h): timers as after a request. */
static void
policyd_followed(void)
{
	policyd_expire_arm();
	policyd_compact_arm();
}

/*
 * After the privilege drop, so that policy.db and its WAL files belong
 * to the user that policyd runs as (mail_owner with unpriv = y).
 */
static void
policyd_db_open(void)
{
	struct sqldb_target t;
	struct buf err = BUF_INIT;
	char *path;

	path = xasprintf("%s/%s", var_data_directory,
	    POLICYDB_FILE);
	if (sqldb_conf_target(&t, POLICYDB_FILE, path, &err) < 0 ||
	    (policyd.db = policydb_connect(&t, &err)) == NULL)
		log_fatal("cannot open the policy database: %s", err.s);
	/* Listening before anything is read: no change falls between. */
	follow_start(&policyd, server_base(), &t, policyd_followed);
	sqldb_conf_free(&t);
	if (t.engine != SQLDB_SQLITE && access(path, F_OK) == 0)
		log_warn("%s: not used: with storage_engine = %s the domains"
		    " are in the database of postgresql_conninfo, and"
		    " changing the engine copied none of this file's (stsctl"
		    " domain import adds them)", path,
		    sqldb_engine_name(t.engine));
	log_debug("%s: opened on %s, schema version %d", POLICYDB_FILE,
	    sqldb_engine_name(t.engine), policydb_schema_version(policyd.db));
	free(path);
	buf_free(&err);
	request_alert_write(&policyd);	/* as policy.db has them */
	policyd.notify = policyd_notify;
	policyd.check_now = policyd_check_now;
	policyd.cert_now = policyd_cert_now;
	/* Room for the rest of a reply, and for the encoding's overhead. */
	policyd.reply_limit = ipc_size_limit() / 2;
	policyd.snapshot_size = REQUEST_SNAPSHOT_SIZE < policyd.reply_limit ?
	    REQUEST_SNAPSHOT_SIZE : policyd.reply_limit;
}

/*
 * Stopping (SIGTERM): read no more requests, but send every reply that
 * is queued, so that a client never misses the answer to a change that
 * was made; leave once the last connection has taken its output.
 */
static void
policyd_stop_check(void)
{
	int i, n = 0;

	for (i = 0; i < policyd_nservers; i++)
		n += ipc_server_count(policyd_servers[i]);
	if (n == 0)
		server_idle();
}

static void
policyd_conn_closed(struct ipc_conn *conn, void *ctx)
{
	if (server_stopping())
		policyd_stop_check();
}

static void
policyd_stop(enum server_stop_phase phase)
{
	int i;

	if (phase == SERVER_STOP_DEADLINE) {
		server_idle();	/* what a client did not take is lost */
		return;
	}
	/* Results held are stored and answered before the replies go. */
	checkbatch_flush(policyd_checks);
	for (i = 0; i < policyd_nservers; i++)
		ipc_server_stop(policyd_servers[i]);
	policyd_stop_check();
}

static void
policyd_post_jail(int argc, char **argv)
{
	struct ipc_conn_conf conf;
	int i, n = server_nsockets(), timeout_ms;

	policyd_db_open();
	policyd_checks = checkbatch_new(server_base(), &policyd);
	timeout_ms = (int)(var_ipc_timeout * 1000);
	for (i = 0; i < n; i++) {
		memset(&conf, 0, sizeof(conf));
		conf.handler = policyd_handle;
		conf.on_close = policyd_conn_closed;
		conf.ctx = n > 1 && i == n - 1 ? &policyd_public_flag :
		    &policyd_private_flag;
		conf.idle_ms = timeout_ms;
		conf.write_ms = timeout_ms;
		conf.max_conns = POLICYD_CONNS_MAX;
		policyd_servers[i] = ipc_server_new(server_base(),
		    server_socket(i), &conf);
	}
	policyd_nservers = n;
	server_set_stop(policyd_stop);
	policyd_expire_ev = evtimer_new(server_base(), policyd_expire_timer, NULL);
	policyd_ask_ev = event_new(server_base(), -1, EV_PERSIST,
	    policyd_ask_timer, NULL);
	{
		struct timeval tv = { POLICYD_CERT_ASK_INTERVAL, 0 };

		evtimer_add(policyd_ask_ev, &tv);
	}
	policyd_snap.ev = evtimer_new(server_base(), policyd_snapshot_timer, NULL);
	/* httpd may start before the first subscriber is served: the
	 * file is current before policyd answers anyone. */
	policyd.snap = polsnap_writer_new(POLSNAP_BASE, POLSNAP_JOURNAL);
	policyd_compact.ev = evtimer_new(server_base(), policyd_compact_timer,
	    NULL);
	policyd_compact_run();
	policyd_expire();
	dnschild_init(&policyd);
	policyd.leases = leases_start(&policyd, server_base());
	policyd_alert_open();
	/* Plans go on from the step and deadline policy.db holds. */
	policyd_migrate_ev = event_new(server_base(), -1, EV_PERSIST,
	    policyd_migrate_timer, NULL);
	{
		struct timeval tv = { POLICYD_MIGRATE_POLL, 0 };

		evtimer_add(policyd_migrate_ev, &tv);
	}
	policyd_migrate_timer(-1, 0, NULL);
	log_info("started: %d socket%s, domain_verification %s, DNS %s%s",
	    n, n == 1 ? "" : "s", policyd.conf.verify_dns ? "dns" : "none",
	    policyd.conf.dns_update ? "updates to " : "records by hand",
	    policyd.conf.dns_update ? policyd.conf.dns_update_server : "");
}

static void
policyd_wakeup(void)
{
	policyd_expire();
}

static void
policyd_cleanup(void)
{
	int i, n;

	checkbatch_free(policyd_checks);	/* stores what it holds */
	policyd_checks = NULL;
	n = policyd_nservers;
	policyd_nservers = 0;		/* for policyd_conn_closed() */
	for (i = 0; i < n; i++)
		ipc_server_free(policyd_servers[i]);
	dnschild_stop();
	leases_free(policyd.leases, 1);	/* another node takes them now */
	policyd.leases = NULL;
	events_free(policyd_ask_ev);
	policyd_ask_ev = NULL;
	events_free(policyd_migrate_ev);
	policyd_migrate_ev = NULL;
	alert_store_close();
	events_free(policyd_expire_ev);
	policyd_snapshot_drop();
	events_free(policyd_snap.ev);
	policyd_snap.ev = NULL;
	events_free(policyd_compact.ev);
	policyd_compact.ev = NULL;
	polsnap_writer_free(policyd.snap);
	policyd.snap = NULL;
	follow_stop();
	policydb_close(policyd.db);
	policyd.db = NULL;
	challenges_free(policyd.challenges);
	policyd.challenges = NULL;
}

static const struct server_hooks policyd_hooks = {
	policyd_pre_jail,
	policyd_post_jail,
	policyd_wakeup,
	policyd_cleanup,
};

int
main(int argc, char **argv)
{
	return server_main(argc, argv, &policyd_hooks);
}
