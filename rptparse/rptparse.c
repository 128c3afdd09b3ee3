/*
 * rptparse - turns spooled TLS reports into rows of reports.db.
 *
 * SYNOPSIS
 *	started by master(8) from the master.cf line
 *	rptparse unix - n n 60 1 rptparse
 *
 * DESCRIPTION
 *	rptparse takes the messages that rptrecv (mail) and httpd (HTTPS
 *	POSTs) put into the spool: at start (active/ first, left there by
 *	a crash, then incoming/), when told on private/rptparse
 *	({"op":"spooled","id":ID}), and on every wakeup from master.
 *
 *	Each message is claimed (incoming/ -> active/), read, searched
 *	for its reports (message.c: MIME with GMime, gzip with zlib,
 *	under limits), each report parsed and checked (lib/tlsrpt), and
 *	all of them stored in one transaction (store.c).  Only after the
 *	commit is the message removed from the spool (spool_done).  A
 *	report that is already stored (same organization, report-id and
 *	date range) is skipped, so a message handled twice, after a crash
 *	or because the sender sent it twice, leaves one copy.  A message
 *	with no usable report goes to corrupt/ with the reason, which
 *	"stsctl queue show" prints.  A message that cannot be stored for
 *	a passing reason (the database is busy or the disk full) stays in
 *	active/ and is tried again after RPTPARSE_RETRY_TIME seconds, or
 *	at the next wakeup.
 *
 *	The hosted domain of each policy comes from policyd
 *	({"op":"domain-list"} on private/policyd, or public/policyd when
 *	policyd has no private socket); when policyd does not
 *	answer, rows are stored without it and filled in once it does.
 *
 *	After the reports of a message are stored, each new one is
 *	looked at for alerts (alerts.c, through lib/alert): a domain's
 *	failure rate of the day above alert_failure_rate, a result type
 *	new for the domain, any sts-policy-fetch-error or
 *	sts-webpki-invalid; each once per domain, kind and day (state in
 *	$data_directory/rptparse-alerts.state).
 *
 * FILES
 *	$queue_directory/{incoming,active,corrupt}/ (lib/spool),
 *	$data_directory/reports.db (written by rptparse alone),
 *	$data_directory/rptparse-alerts.state (lib/alert),
 *	$queue_directory/private/rptparse (listens), private/policyd
 *	(asks).
 *
 * LIMITS
 *	message_size_limit (plus RPTPARSE_HEADER_SLACK for the headers
 *	added on the way) per message; rptparse_gunzip_limit,
 *	rptparse_gunzip_ratio_limit, rptparse_mime_depth_limit,
 *	rptparse_json_depth_limit, rptparse_policy_limit,
 *	rptparse_failure_detail_limit; RPTPARSE_BATCH messages per turn
 *	of the event loop.
 *
 * SEE ALSO
 *	rptparse(8), lib/spool.h, lib/tlsrpt.h
 */
#include "config.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <event2/event.h>
#include <jansson.h>

#include "alerts.h"
#include "buf.h"
#include "cfg.h"
#include "db.h"
#include "hosted.h"
#include "ipc.h"
#include "log.h"
#include "message.h"
#include "mymalloc.h"
#include "server.h"
#include "spool.h"
#include "store.h"
#include "tlsrpt.h"

#define RPTPARSE_BATCH		100	/* messages per turn of the loop */
#define RPTPARSE_HEADER_SLACK	(64 * 1024)	/* Received: and the like */
#define RPTPARSE_POLICYD_PATH	"private/policyd"
#define RPTPARSE_POLICYD_PUBLIC	"public/policyd"	/* without private/ */
#define RPTPARSE_POLICYD_TIMEOUT_MS	5000
#define RPTPARSE_HOSTED_RETRY	10	/* seconds after policyd failed */
#define RPTPARSE_IDLE_MS	(60 * 1000)
#define RPTPARSE_DB_FILE	"reports.db"
#define RPTPARSE_RETRY_TIME	60	/* seconds before active/ is tried again */
#define RPTPARSE_ALERT_STATE	"rptparse-alerts.state"

struct rptparse {
	struct spool *sp;
	sqlite3	*db;
	struct hosted hosted;
	time_t	 hosted_failed;		/* when policyd last failed us */
	char	*policyd_path;
	char	*policyd_public;
	struct message_limits mlim;
	struct tlsrpt_limits tlim;
	size_t	 msg_limit;
	struct ipc_server *srv;
	struct event *run_ev;
	struct event *retry_ev;		/* active/ again after a failure */
	int	 need_active;		/* scan active/ on the next run */
	int	 done;			/* messages handled in this run */
};

static struct rptparse rp;

static void
rptparse_schedule(void)
{
	struct timeval now = { 0, 0 };

	if (rp.run_ev != NULL)
		evtimer_add(rp.run_ev, &now);
}

/*
 * Ask policyd for the hosted domains, once per run (a local round trip),
 * and fill in the rows stored while they were unknown.  After a failure,
 * not again for RPTPARSE_HOSTED_RETRY seconds unless forced.
 */
static void
rptparse_hosted(int force)
{
	struct buf err = BUF_INIT;
	time_t now = time(NULL);
	int timeout = (int)cfg_time("ipc_timeout") * 1000;

	if (!force && rp.hosted_failed != 0 &&
	    now - rp.hosted_failed < RPTPARSE_HOSTED_RETRY)
		return;
	if (timeout <= 0 || timeout > RPTPARSE_POLICYD_TIMEOUT_MS)
		timeout = RPTPARSE_POLICYD_TIMEOUT_MS;
	if (hosted_fetch(&rp.hosted, rp.policyd_path, timeout, &err) < 0 &&
	    hosted_fetch(&rp.hosted, rp.policyd_public, timeout, &err) < 0) {
		log_debug("hosted domains unknown: %s", err.s);
		rp.hosted_failed = now;
		buf_free(&err);
		return;
	}
	rp.hosted_failed = 0;
	if (store_fill_hosted(rp.db, &rp.hosted, &err) < 0)
		log_warn("%s", err.s);
	buf_free(&err);
}

static void
rptparse_corrupt(const char *id, const char *reason)
{
	struct buf err = BUF_INIT;

	if (spool_corrupt(rp.sp, id, reason, &err) < 0)
		log_error("%s: %s; could not move it to corrupt/: %s", id,
		    reason, err.s);
	else
		log_warn("%s: %s; moved to corrupt/", id, reason);
	buf_free(&err);
}

/* Parse every report of the message; -1 puts the reason in err. */
static int
rptparse_reports(const struct message *m, struct tlsrpt_report **reports,
    struct buf *err)
{
	struct buf why = BUF_INIT;
	size_t i;

	for (i = 0; i < m->nreports; i++) {
		if (tlsrpt_parse(m->reports[i].json, m->reports[i].len,
		    &rp.tlim, &reports[i], &why) < 0) {
			if (m->nreports > 1)
				buf_printf(err, "report %zu: ", i + 1);
			buf_puts(err, why.s);
			buf_free(&why);
			return -1;
		}
	}
	return 0;
}

/* Store the reports of one message in one transaction. */
static int
rptparse_store(const char *id, const struct message *m,
    struct tlsrpt_report **reports, time_t now, int64_t *rows, int *fresh,
    struct buf *err)
{
	struct store_meta meta;
	size_t i;
	int rc;

	if (db_begin(rp.db, err) < 0)
		return -1;
	for (i = 0; i < m->nreports; i++) {
		memset(&meta, 0, sizeof(meta));
		meta.via = m->via;
		meta.submitter = m->submitter;
		meta.spool_id = id;
		meta.received = now;
		meta.note = m->reports[i].note;
		store_sha256(m->reports[i].json, m->reports[i].len, meta.sha256);
		rc = store_report(rp.db, reports[i], &meta, &rp.hosted, &rows[i],
		    err);
		if (rc < 0) {
			db_rollback(rp.db);
			return -1;
		}
		fresh[i] = rc;
	}
	return db_commit(rp.db, err);
}

static void
rptparse_log(const char *id, const struct tlsrpt_report *r, int64_t row,
    int fresh)
{
	char start[TLSRPT_TIME_SIZE], end[TLSRPT_TIME_SIZE];

	tlsrpt_time_format(r->start, start);
	tlsrpt_time_format(r->end, end);
	if (fresh)
		log_info("%s: report %lld: %s, id %s, %s to %s, %zu policies%s",
		    id, (long long)row, r->organization, r->report_id, start,
		    end, r->npolicies, r->ndeviations ? ", with deviations" : "");
	else
		log_info("%s: %s, id %s, %s to %s: already stored as report"
		    " %lld", id, r->organization, r->report_id, start, end,
		    (long long)row);
}

/* One message of active/: stored and removed, corrupt, or left. */
static void
rptparse_message(const char *id)
{
	struct buf data = BUF_INIT, err = BUF_INIT;
	struct tlsrpt_report *reports[MESSAGE_REPORTS_MAX] = { NULL };
	int64_t rows[MESSAGE_REPORTS_MAX];
	int fresh[MESSAGE_REPORTS_MAX];
	struct message m;
	time_t now = time(NULL);
	size_t i;

	message_init(&m);
	if (spool_read_msg(rp.sp, SPOOL_ACTIVE, id, rp.msg_limit, &data,
	    &err) < 0) {
		rptparse_corrupt(id, err.s);
		goto out;
	}
	if (message_extract(data.s, data.len, &rp.mlim, &m, &err) < 0 ||
	    rptparse_reports(&m, reports, &err) < 0) {
		rptparse_corrupt(id, err.s);
		goto out;
	}
	if (rptparse_store(id, &m, reports, now, rows, fresh, &err) < 0) {
		struct timeval retry = { RPTPARSE_RETRY_TIME, 0 };

		log_warn("%s: %s; left in active/, tried again in %d s", id,
		    err.s, RPTPARSE_RETRY_TIME);
		if (!evtimer_pending(rp.retry_ev, NULL))
			evtimer_add(rp.retry_ev, &retry);
		goto out;
	}
	for (i = 0; i < m.nreports; i++) {
		rptparse_log(id, reports[i], rows[i], fresh[i]);
		if (fresh[i])
			alerts_report(rp.db, &rp.hosted, reports[i], rows[i],
			    now);
	}
	buf_reset(&err);
	if (spool_done(rp.sp, id, &err) < 0)
		log_error("%s: stored, but not removed from the spool: %s", id,
		    err.s);
out:
	for (i = 0; i < m.nreports; i++)
		tlsrpt_free(reports[i]);
	message_clear(&m);
	buf_free(&data);
	buf_free(&err);
}

static int
rptparse_scan_active(const char *id, void *ctx)
{
	(void)ctx;
	rptparse_message(id);
	return ++rp.done >= RPTPARSE_BATCH;
}

static int
rptparse_scan_incoming(const char *id, void *ctx)
{
	struct buf err = BUF_INIT;

	(void)ctx;
	if (spool_claim(rp.sp, id, &err) < 0) {
		log_warn("%s", err.s);
		buf_free(&err);
		return 0;
	}
	rptparse_message(id);
	return ++rp.done >= RPTPARSE_BATCH;
}

/* One turn: at most RPTPARSE_BATCH messages, then the loop runs again. */
static void
rptparse_run(evutil_socket_t fd, short what, void *arg)
{
	struct buf err = BUF_INIT;

	(void)fd;
	(void)what;
	(void)arg;
	rp.done = 0;
	rptparse_hosted(0);
	if (rp.need_active) {
		if (spool_scan(rp.sp, SPOOL_ACTIVE, rptparse_scan_active, NULL,
		    &err) < 0)
			log_warn("%s", err.s);
		if (rp.done < RPTPARSE_BATCH)
			rp.need_active = 0;
	}
	if (rp.done < RPTPARSE_BATCH && spool_scan(rp.sp, SPOOL_INCOMING,
	    rptparse_scan_incoming, NULL, &err) < 0)
		log_warn("%s", err.s);
	if (rp.done >= RPTPARSE_BATCH)
		rptparse_schedule();
	alerts_flush();
	buf_free(&err);
}

static void
rptparse_request(struct ipc_conn *conn, json_t *msg, void *ctx)
{
	const char *op = ipc_op(msg);

	(void)ctx;
	if (op != NULL && strcmp(op, "spooled") == 0) {
		/* A notice, not a request: the sender does not wait. */
		rptparse_schedule();
		return;
	}
	ipc_conn_reply(conn, msg, ipc_error("unknown op \"%s\"",
	    op ? op : "(none)"));
}

static void
rptparse_retry(evutil_socket_t fd, short what, void *arg)
{
	(void)fd;
	(void)what;
	(void)arg;
	rp.need_active = 1;
	rptparse_schedule();
}

static void
rptparse_wakeup(void)
{
	rp.need_active = 1;
	rptparse_hosted(1);
	rptparse_schedule();
}

static void
rptparse_post_jail(int argc, char **argv)
{
	struct buf err = BUF_INIT;
	struct ipc_conn_conf conf;
	double pct;
	char *path;

	(void)argc;
	(void)argv;
	rp.msg_limit = cfg_size("message_size_limit") + RPTPARSE_HEADER_SLACK;
	message_limits_default(&rp.mlim);
	rp.mlim.depth = (int)cfg_int("rptparse_mime_depth_limit");
	rp.mlim.gunzip.size = cfg_size("rptparse_gunzip_limit");
	rp.mlim.gunzip.ratio = (unsigned long)cfg_int(
	    "rptparse_gunzip_ratio_limit");
	tlsrpt_limits_default(&rp.tlim);
	rp.tlim.size = rp.mlim.gunzip.size;
	rp.tlim.depth = (int)cfg_int("rptparse_json_depth_limit");
	rp.tlim.policies = (size_t)cfg_int("rptparse_policy_limit");
	rp.tlim.details = (size_t)cfg_int("rptparse_failure_detail_limit");
	rp.policyd_path = xasprintf("%s/%s", cfg_str("queue_directory"),
	    RPTPARSE_POLICYD_PATH);
	rp.policyd_public = xasprintf("%s/%s", cfg_str("queue_directory"),
	    RPTPARSE_POLICYD_PUBLIC);

	if ((rp.sp = spool_open(cfg_str("queue_directory"), 0, &err)) == NULL)
		log_fatal("%s", err.s);
	path = xasprintf("%s/%s", cfg_str("data_directory"), RPTPARSE_DB_FILE);
	if ((rp.db = store_open(path, &err)) == NULL)
		log_fatal("%s", err.s);
	free(path);
	if (alerts_rate_parse(cfg_str("alert_failure_rate"), &pct, &err) < 0)
		log_fatal("%s: %s", cfg_file(), err.s);
	path = xasprintf("%s/%s", cfg_str("data_directory"),
	    RPTPARSE_ALERT_STATE);
	if (alerts_open(path, pct, &err) < 0)
		log_fatal("%s", err.s);
	free(path);

	memset(&conf, 0, sizeof(conf));
	conf.handler = rptparse_request;
	conf.idle_ms = RPTPARSE_IDLE_MS;
	conf.write_ms = RPTPARSE_IDLE_MS;
	if (server_nsockets() > 0)
		rp.srv = ipc_server_new(server_base(), server_socket(0), &conf);
	rp.run_ev = evtimer_new(server_base(), rptparse_run, NULL);
	rp.retry_ev = evtimer_new(server_base(), rptparse_retry, NULL);
	rp.need_active = 1;
	rptparse_schedule();
	buf_free(&err);
}

static void
rptparse_cleanup(void)
{
	if (rp.srv != NULL)
		ipc_server_free(rp.srv);
	if (rp.run_ev != NULL)
		event_free(rp.run_ev);
	if (rp.retry_ev != NULL)
		event_free(rp.retry_ev);
	alerts_close();
	if (rp.db != NULL)
		db_close(rp.db);
	if (rp.sp != NULL)
		spool_close(rp.sp);
	hosted_clear(&rp.hosted);
	free(rp.policyd_path);
	free(rp.policyd_public);
	message_shutdown();
	memset(&rp, 0, sizeof(rp));
}

int
main(int argc, char **argv)
{
	static const struct server_hooks hooks = {
		NULL, rptparse_post_jail, rptparse_wakeup, rptparse_cleanup
	};

	return server_main(argc, argv, &hooks);
}
