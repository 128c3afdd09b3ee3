/*
 * policyd - the owner of policy.db: hosted domains and their MTA-STS
 * policies.
 *
 * SYNOPSIS
 *	policyd [standard worker options, see server.h]
 *	(master.cf: policyd unix n n n - 1 policyd)
 *
 * DESCRIPTION
 *	Started by master through lib/server, not chrooted.  After the
 *	privilege drop it opens $data_directory/policy.db (created and
 *	migrated by domains_open); a database that cannot be opened is
 *	fatal.  Each
 *	listening socket gets an ipc_server: the first (private/policyd)
 *	serves the other daemons, and when there are two or more, the
 *	last (public/policyd) serves stsctl and allows only the requests
 *	of request.h marked public.
 *
 *	A "subscribe" request on the private socket makes the connection
 *	a subscriber (httpd): it gets the snapshot of servable policies
 *	and a snapshot-end message, then every change, pushed from the
 *	request handlers before they reply.  Subscribers have no idle
 *	time-out; one that does not read its messages within ipc_timeout
 *	is dropped (it reconnects and gets a new snapshot).
 *
 *	Retiring domains are removed when their retire_at comes: a timer
 *	is set to the earliest one after every request, and master's
 *	wakeup also checks.
 *
 * LIMITS
 *	POLICYD_CONNS_MAX connections per socket; ipc_message_size_limit
 *	per message; ipc_timeout for an idle client and for a peer that
 *	does not read.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <event2/event.h>

#include "buf.h"
#include "cfg.h"
#include "db.h"
#include "domains.h"
#include "ipc.h"
#include "log.h"
#include "mymalloc.h"
#include "policy.h"
#include "request.h"
#include "server.h"

#define POLICYD_DATABASE	"policy.db"	/* in data_directory */
#define POLICYD_CONNS_MAX	256		/* per listening socket */
#define POLICYD_EXPIRE_MAX_WAIT	3600		/* longest timer, seconds */

static struct policyd policyd;
static struct ipc_server *policyd_servers[SERVER_SOCKETS_MAX];
static int policyd_nservers;
static struct event *policyd_expire_ev;
static int policyd_public_flag = REQUEST_PUBLIC;
static int policyd_private_flag = REQUEST_PRIVATE;
static int policyd_subscriber;		/* its address marks subscribers */

static void policyd_expire_arm(void);

/*
 * Configuration, checked once at start.
 */
static void
policyd_conf_read(struct policyd_conf *conf)
{
	enum policy_mode mode;
	const char *v;

	conf->default_mode = cfg_str("default_policy_mode");
	if (policy_mode_parse(conf->default_mode, &mode) < 0)
		log_fatal("parameter default_policy_mode: \"%s\": must be"
		    " testing, enforce or none", conf->default_mode);
	conf->default_max_age = cfg_time("default_policy_max_age");
	if (conf->default_max_age < 0 ||
	    conf->default_max_age > POLICY_MAX_AGE_MAX)
		log_fatal("parameter default_policy_max_age: %lld s: out of"
		    " range 0..%lld", conf->default_max_age, POLICY_MAX_AGE_MAX);
	v = cfg_str("domain_verification");
	if (strcmp(v, "dns") == 0)
		conf->verify_dns = 1;
	else if (strcmp(v, "none") == 0)
		conf->verify_dns = 0;
	else
		log_fatal("parameter domain_verification: \"%s\": must be dns"
		    " or none", v);
	conf->sts_zone = cfg_str("sts_zone");
	conf->policy_host = cfg_str("policy_host");
	conf->report_recipients = cfg_list("report_recipients");
	conf->retire_max_age = cfg_time("policyd_retire_max_age");
}

/*
 * Subscribers.
 */
static int
policyd_is_subscriber(struct ipc_conn *conn, void *arg)
{
	return ipc_conn_data(conn) == &policyd_subscriber;
}

static void
policyd_notify(json_t *msg, void *arg)
{
	int i;

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
policyd_subscribe(struct ipc_conn *conn)
{
	size_t count;
	json_t *end;

	ipc_conn_set_data(conn, &policyd_subscriber);
	ipc_conn_set_idle(conn, 0);
	count = request_snapshot(&policyd, policyd_snapshot_one, conn);
	end = json_pack("{s:s, s:I}", "op", "snapshot-end", "count",
	    (json_int_t)count);
	ipc_conn_send(conn, end);
	json_decref(end);
	log_info("subscriber %s: sent %zu policies", ipc_conn_peer(conn), count);
}

/*
 * Requests.
 */
static void
policyd_handle(struct ipc_conn *conn, json_t *msg, void *ctx)
{
	int from_public = *(int *)ctx;
	const char *op = ipc_op(msg);

	if (op != NULL && strcmp(op, "subscribe") == 0) {
		if (from_public)
			ipc_conn_reply(conn, msg, ipc_error("request \"subscribe\""
			    " is not allowed on the public socket"));
		else
			policyd_subscribe(conn);
		return;
	}
	ipc_conn_reply(conn, msg, request_handle(&policyd, msg, from_public));
	policyd_expire_arm();
}

/*
 * Retirement.
 */
static void
policyd_expire(void)
{
	request_expire(&policyd, (long long)time(NULL));
	policyd_expire_arm();
}

static void
policyd_expire_timer(evutil_socket_t fd, short what, void *arg)
{
	policyd_expire();
}

static void
policyd_expire_arm(void)
{
	long long next = domains_next_retire(policyd.db), wait;
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

/*
 * After the privilege drop, so that policy.db and its WAL files belong
 * to the user that policyd runs as (mail_owner with unpriv = y).
 */
static void
policyd_db_open(void)
{
	struct buf err = BUF_INIT;
	char *path;

	path = xasprintf("%s/%s", cfg_str("data_directory"), POLICYD_DATABASE);
	if ((policyd.db = domains_open(path, &err)) == NULL)
		log_fatal("cannot open the policy database: %s", err.s);
	log_debug("%s: opened, schema version %d", path,
	    db_schema_version(policyd.db));
	free(path);
	buf_free(&err);
	policyd.notify = policyd_notify;
	/* Room for the rest of a reply, and for the encoding's overhead. */
	policyd.reply_limit = ipc_size_limit() / 2;
}

static void
policyd_post_jail(int argc, char **argv)
{
	struct ipc_conn_conf conf;
	int i, n = server_nsockets(), timeout_ms;

	policyd_db_open();
	timeout_ms = (int)(cfg_time("ipc_timeout") * 1000);
	for (i = 0; i < n; i++) {
		memset(&conf, 0, sizeof(conf));
		conf.handler = policyd_handle;
		conf.ctx = n > 1 && i == n - 1 ? &policyd_public_flag :
		    &policyd_private_flag;
		conf.idle_ms = timeout_ms;
		conf.write_ms = timeout_ms;
		conf.max_conns = POLICYD_CONNS_MAX;
		policyd_servers[i] = ipc_server_new(server_base(),
		    server_socket(i), &conf);
	}
	policyd_nservers = n;
	policyd_expire_ev = evtimer_new(server_base(), policyd_expire_timer, NULL);
	policyd_expire();
	log_info("started: %d socket%s, domain_verification %s",
	    n, n == 1 ? "" : "s", policyd.conf.verify_dns ? "dns" : "none");
}

static void
policyd_wakeup(void)
{
	policyd_expire();
}

static void
policyd_cleanup(void)
{
	int i;

	for (i = 0; i < policyd_nservers; i++)
		ipc_server_free(policyd_servers[i]);
	policyd_nservers = 0;
	if (policyd_expire_ev != NULL)
		event_free(policyd_expire_ev);
	db_close(policyd.db);
	policyd.db = NULL;
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
