/*
 * rptparse - turns spooled TLS reports into rows of reports.db.
 * SPDX-License-Identifier: ISC
 *
 * SYNOPSIS
 *	started by stsd-master(8) from the master.cf line
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
 *	under limits) and each report parsed and checked (lib/tlsrpt).
 *	The reports of up to RPTPARSE_BATCH messages (and at most
 *	RPTPARSE_BATCH_BYTES of report JSON) are stored in one
 *	transaction (lib/rptdb), so that many messages share one commit;
 *	only after that commit are they removed from the spool
 *	(spool_done_batch: one sync of active/ for them all).  Messages
 *	of incoming/ are claimed RPTPARSE_BATCH at a time as well
 *	(spool_claim_batch).  When the shared transaction fails, each message
 *	is tried in a transaction of its own.  A
 *	report that is already stored (same organization, report-id and
 *	date range) is skipped, so a message handled twice, after a crash
 *	or because the sender sent it twice, leaves one copy.  A message
 *	with no usable report goes to corrupt/ with the reason, which
 *	"stsctl queue show" prints.  A message that cannot be stored for
 *	a passing reason (the database is busy or the disk full) stays in
 *	active/ and is tried again after RPTPARSE_RETRY_TIME seconds, or
 *	at the next wakeup.
 *
 *	What a report says is logged escaped (esc_printable(): a newline
 *	shows as "\n", an ESC as "\x1b"), so that no report forges a log
 *	line; the reasons of corrupt/ quote it escaped already (lib/tlsrpt,
 *	message.c).
 *
 *	A mailed message's DKIM signatures are verified (dkimcheck.c)
 *	once its reports are parsed, and the outcome is stored with each
 *	of its reports.  When the key of an aligned signature could not
 *	be looked up for a passing reason, the message goes to deferred/
 *	(spool_defer, the reason "DKIM key lookup of NAME: CAUSE") and
 *	back to incoming/ once it has waited rptparse_dkim_retry_time
 *	(spool_reason_time, spool_requeue: its id and arrival time kept);
 *	rptparse_dkim_give_up_time after its arrival it is stored with
 *	the result temperror instead.  Key lookups wait at most
 *	RPTPARSE_DKIM_BUDGET times rptparse_dkim_timeout per run of the
 *	loop in all; after that, a message whose key is not cached is
 *	deferred without asking.  A message is stored once and
 *	leaves the spool only then, whatever the number of tries.  With
 *	report_require_dkim, a mailed report counts only with the result
 *	"pass"; the others are stored, logged as unverified, and raise
 *	no alert.
 *
 *	The hosted domain of each policy comes from policyd
 *	({"op":"domain-list"} on private/policyd, or public/policyd when
 *	policyd has no private socket); when policyd does not
 *	answer, rows are stored without it and filled in once it does,
 *	and when the list changes (a domain added or removed), stored
 *	rows follow it.
 *
 *	After the reports of a message are stored, each new one is
 *	looked at for alerts (alerts.c, through lib/alert): a domain's
 *	failure rate of the day above alert_failure_rate, a result type
 *	new for the domain, any sts-policy-fetch-error or
 *	sts-webpki-invalid; each once per domain, kind and day (state in
 *	$data_directory/rptparse-alerts.state).
 *
 * FILES
 *	$queue_directory/{incoming,active,deferred,corrupt}/ (lib/spool),
 *	/etc/resolv.conf (DKIM keys),
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
 *	rptparse_failure_detail_limit; rptparse_dkim_timeout per key
 *	lookup (dkimcheck.h for its other limits); RPTPARSE_TURN messages per turn
 *	of the event loop, RPTPARSE_BATCH per transaction.
 *
 * SEE ALSO
 *	stsd-rptparse(8), lib/spool.h, lib/tlsrpt.h
 */
#include "config.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <event2/event.h>
#include <jansson.h>

#include "alerts.h"
#include "esc.h"
#include "buf.h"
#include "cfg.h"
#include "dkimcheck.h"
#include "esc.h"
#include "events.h"
#include "hosted.h"
#include "ipc.h"
#include "log.h"
#include "metrics.h"
#include "message.h"
#include "mymalloc.h"
#include "plural.h"
#include "proto.h"
#include "rptdb.h"
#include "server.h"
#include "spool.h"
#include "timefmt.h"
#include "tlsrpt.h"

#define RPTPARSE_BATCH		250	/* messages per commit */
#define RPTPARSE_TURN		1000	/* messages per turn of the loop */
#define RPTPARSE_BATCH_BYTES	(16 * 1024 * 1024)	/* report JSON held */
#define RPTPARSE_HEADER_SLACK	(64 * 1024)	/* Received: and the like */
#define RPTPARSE_DATA_KEEP	(1024 * 1024)	/* read buffer kept */
#define RPTPARSE_POLICYD_PATH	PROTO_POLICYD_PRIVATE
#define RPTPARSE_POLICYD_PUBLIC	PROTO_POLICYD_PUBLIC	/* without private/ */
#define RPTPARSE_POLICYD_TIMEOUT_MS	5000
#define RPTPARSE_HOSTED_RETRY	10	/* seconds after policyd failed */
#define RPTPARSE_IDLE_MS	(60 * 1000)
#define RPTPARSE_RETRY_TIME	60	/* seconds before active/ is tried again */
#define RPTPARSE_ALERT_STATE	"rptparse-alerts.state"
#define RPTPARSE_DKIM_TEMP_TTL	60	/* seconds a failed key lookup is kept */
#define RPTPARSE_DKIM_BUDGET	2	/* key lookup timeouts per run, at most */

/* A message read and parsed, waiting for the commit of its batch. */
struct rptparse_item {
	char	 id[SPOOL_ID_SIZE];
	time_t	 received;
	struct message m;
	struct tlsrpt_report *reports[MESSAGE_REPORTS_MAX];
	int64_t	 rows[MESSAGE_REPORTS_MAX];
	int	 fresh[MESSAGE_REPORTS_MAX];	/* 1: stored now, 0: before */
	struct dkimcheck_outcome dkim;	/* result NONE for https */
	int	 counted;		/* counts under report_require_dkim */
};

struct rptparse {
	struct spool *sp;
	struct rptdb *store;
	struct rptparse_item batch[RPTPARSE_BATCH];
	struct buf data;		/* the message read, reused */
	size_t	 nbatch;
	size_t	 batch_bytes;		/* report JSON in the batch */
	char	 claim[RPTPARSE_BATCH][SPOOL_ID_SIZE];	/* to claim */
	size_t	 nclaim;
	char	 done_ids[RPTPARSE_BATCH][SPOOL_ID_SIZE];	/* stored */
	size_t	 ndone;
	struct hosted hosted;
	time_t	 hosted_failed;		/* when policyd last failed us */
	unsigned long hosted_filled;	/* generation of the last fill */
	char	*policyd_path;
	char	*policyd_public;
	struct message_limits mlim;
	struct tlsrpt_limits tlim;
	size_t	 msg_limit;
	struct ipc_server *srv;
	struct event *run_ev;
	struct event *retry_ev;		/* active/ again after a failure */
	struct event *deferred_ev;	/* deferred/ back to incoming/ */
	struct dkimcheck *dkim;
	int	 require_dkim;		/* report_require_dkim */
	time_t	 dkim_retry;		/* rptparse_dkim_retry_time */
	time_t	 dkim_give_up;		/* rptparse_dkim_give_up_time */
	long	 dkim_budget_ms;	/* key lookup time per run */
	char	(*incoming)[SPOOL_ID_SIZE];	/* the last listing of incoming/ */
	size_t	 nincoming;
	size_t	 next_incoming;		/* its first id not yet taken */
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

/* The hosted domain of a policy-domain, for reports.db (rptdb). */
static const char *
rptparse_hosted_of(void *arg, const char *domain)
{
	return hosted_match(arg, domain);
}

/*
 * Ask policyd for the hosted domains, once per run (a local round trip),
 * and when the list changed, make the stored rows follow it.  After a
 * failure, not again for RPTPARSE_HOSTED_RETRY seconds unless forced.
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
	/* What a new list changes: old rows, and alerts' domain sums. */
	if (rp.hosted.generation != rp.hosted_filled) {
		alerts_forget();
		if (rp.hosted.known && rptdb_hosted_fill(rp.store,
		    rptparse_hosted_of, &rp.hosted, &err) < 0)
			log_warn("%s", err.s);
		else
			rp.hosted_filled = rp.hosted.generation;
	}
	buf_free(&err);
}

/*
 * The reason is logged as it is: what it quotes of a report or a mail
 * was escaped when it was written (lib/tlsrpt, message.c), as the
 * reason file and "stsctl queue show" need it, and escaping it again
 * would double every backslash.  lib/log stops whatever control
 * character would still come.
 */
static void
rptparse_corrupt(const char *id, const char *reason)
{
	struct buf err = BUF_INIT;

	if (spool_corrupt(rp.sp, id, reason, &err) < 0)
		log_error("%s: %s; could not move it to corrupt/: %s", id,
		    reason, err.s);
	else {
		log_warn("%s: %s; moved to corrupt/", id, reason);
		metrics_inc(METRIC_REPORTS_CORRUPT, NULL);
	}
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

static void
rptparse_item_clear(struct rptparse_item *it)
{
	size_t i;

	for (i = 0; i < MESSAGE_REPORTS_MAX; i++) {
		tlsrpt_free(it->reports[i]);
		it->reports[i] = NULL;
	}
	message_clear(&it->m);
}

/* Store the reports of one message; no transaction of its own. */
static int
rptparse_store(struct rptparse_item *it, struct buf *err)
{
	struct rptdb_meta meta;
	const struct message *m = &it->m;
	size_t i;
	int rc;

	for (i = 0; i < m->nreports; i++) {
		memset(&meta, 0, sizeof(meta));
		meta.via = m->via;
		meta.submitter = m->submitter;
		meta.spool_id = it->id;
		meta.received = it->received;
		meta.note = m->reports[i].note;
		meta.dkim_result = dkimcheck_result_name(it->dkim.result);
		meta.dkim_domain = it->dkim.domain[0] ? it->dkim.domain : NULL;
		meta.dkim_selector = it->dkim.selector[0] ?
		    it->dkim.selector : NULL;
		meta.dkim_reason = it->dkim.reason[0] ? it->dkim.reason : NULL;
		rptdb_sha256(m->reports[i].json, m->reports[i].len, meta.sha256);
		rc = rptdb_report_add(rp.store, it->reports[i], &meta,
		    rptparse_hosted_of, &rp.hosted, &it->rows[i], err);
		if (rc < 0) {
			buf_printf(err, " (%s)", it->id);
			return -1;
		}
		it->fresh[i] = rc;
	}
	return 0;
}

/* Items from..to-1 in one transaction. */
static int
rptparse_store_range(size_t from, size_t to, struct buf *err)
{
	size_t i;

	if (rptdb_begin(rp.store, err) < 0)
		return -1;
	for (i = from; i < to; i++) {
		if (rptparse_store(&rp.batch[i], err) < 0) {
			rptdb_rollback(rp.store);
			return -1;
		}
	}
	return rptdb_commit(rp.store, err);
}

/* ", DKIM pass d=D s=S" or ", DKIM fail (why), unverified" */
static void
rptparse_dkim_text(const struct rptparse_item *it, struct buf *out)
{
	const struct dkimcheck_outcome *o = &it->dkim;

	if (strcmp(it->m.via, "mailto") != 0)
		return;
	buf_printf(out, ", DKIM %s", dkimcheck_result_name(o->result));
	if (o->domain[0] != '\0')
		buf_printf(out, " d=%s s=%s", o->domain, o->selector);
	if (o->reason[0] != '\0')
		buf_printf(out, " (%s)", o->reason);
	if (!it->counted)
		buf_puts(out, ", unverified: counted nowhere");
}

static void
rptparse_log(const struct rptparse_item *it, const struct tlsrpt_report *r,
    int64_t row, int fresh)
{
	char start[TIMEFMT_RFC3339_SIZE], end[TIMEFMT_RFC3339_SIZE];
	struct buf dkim = BUF_INIT;
	const char *id = it->id;

	timefmt_rfc3339(r->start, start);
	timefmt_rfc3339(r->end, end);
	rptparse_dkim_text(it, &dkim);
	if (fresh)
		log_info("%s: report %lld: %s, id %s, %s to %s, %zu %s%s%s",
		    id, (long long)row, esc_printable(r->organization),
		    esc_printable(r->report_id), start, end, r->npolicies,
		    plural((long long)r->npolicies, "policy", "policies"),
		    r->ndeviations ? ", with deviations" : "",
		    dkim.len ? dkim.s : "");
	else
		log_info("%s: %s, id %s, %s to %s: already stored as report"
		    " %lld", id, esc_printable(r->organization),
		    esc_printable(r->report_id), start, end, (long long)row);
	buf_free(&dkim);
}

/* A stored message: log and alerts; out of the spool comes after. */
static void
rptparse_stored(struct rptparse_item *it)
{
	size_t i;

	for (i = 0; i < it->m.nreports; i++) {
		rptparse_log(it, it->reports[i], it->rows[i], it->fresh[i]);
		if (it->fresh[i])
			metrics_inc(METRIC_REPORTS_STORED, NULL);
		/* Alerts follow report_require_dkim as it is now. */
		if (it->fresh[i] && it->counted)
			alerts_report(rp.store, &rp.hosted,
			    it->reports[i], it->rows[i], it->received);
	}
	memcpy(rp.done_ids[rp.ndone++], it->id, SPOOL_ID_SIZE);
}

/* The stored messages out of the spool: one sync of active/ for all. */
static void
rptparse_done(void)
{
	struct buf err = BUF_INIT;
	int status[RPTPARSE_BATCH];
	size_t i;

	if (rp.ndone == 0)
		return;
	if (spool_done_batch(rp.sp, (const char (*)[SPOOL_ID_SIZE])rp.done_ids,
	    rp.ndone, status, &err) < 0) {
		for (i = 0; i < rp.ndone; i++)
			if (status[i] != 0)
				log_error("%s: stored, but not removed from the"
				    " spool", rp.done_ids[i]);
		log_error("%s", err.s);
	}
	rp.ndone = 0;
	buf_free(&err);
}

static void
rptparse_left(const char *id, const char *why)
{
	struct timeval retry = { RPTPARSE_RETRY_TIME, 0 };

	log_warn("%s: %s; left in active/, tried again in %d s", id,
	    esc_printable(why), RPTPARSE_RETRY_TIME);
	if (!evtimer_pending(rp.retry_ev, NULL))
		evtimer_add(rp.retry_ev, &retry);
}

/*
 * Store the messages taken so far: all in one transaction, and only
 * after its commit out of the spool.  When that transaction fails, each
 * message gets one of its own, so that one that cannot be stored keeps
 * no other from being stored; what still fails stays in active/.
 */
static void
rptparse_flush(void)
{
	struct buf err = BUF_INIT;
	size_t i;

	if (rp.nbatch == 0)
		return;
	if (rptparse_store_range(0, rp.nbatch, &err) == 0) {
		for (i = 0; i < rp.nbatch; i++)
			rptparse_stored(&rp.batch[i]);
	} else {
		if (rp.nbatch > 1)
			log_warn("%zu messages in one transaction: %s; one by"
			    " one", rp.nbatch, esc_printable(err.s));
		for (i = 0; i < rp.nbatch; i++) {
			buf_reset(&err);
			if (rp.nbatch > 1 &&
			    rptparse_store_range(i, i + 1, &err) == 0)
				rptparse_stored(&rp.batch[i]);
			else
				rptparse_left(rp.batch[i].id, err.s);
		}
	}
	rptparse_done();
	for (i = 0; i < rp.nbatch; i++)
		rptparse_item_clear(&rp.batch[i]);
	rp.nbatch = 0;
	rp.batch_bytes = 0;
	buf_free(&err);
}

/* Seconds since the message arrived, from the time in its id. */
static time_t
rptparse_age(const char *id, time_t now)
{
	struct tm tm;
	const char *end;

	memset(&tm, 0, sizeof(tm));
	end = strptime(id, "%Y%m%d%H%M%S", &tm);
	if (end == NULL || *end != '.')
		return 0;
	return now - timegm(&tm);
}

/* deferred/ is looked at again in secs seconds, unless sooner already. */
static void
rptparse_deferred_at(time_t secs)
{
	struct timeval tv = { secs > 0 ? secs : 0, 0 }, left;

	if (evtimer_pending(rp.deferred_ev, &left)) {
		struct timeval now;

		evutil_gettimeofday(&now, NULL);
		if (timercmp(&left, &now, >) &&
		    left.tv_sec - now.tv_sec <= tv.tv_sec)
			return;
	}
	evtimer_add(rp.deferred_ev, &tv);
}

/*
 * The DKIM outcome of a mailed message into it->dkim.  A key that could
 * not be looked up for a passing reason defers the message (-1: it is
 * no longer in active/), until rptparse_dkim_give_up_time after its
 * arrival; then it is stored as temperror.
 */
static int
rptparse_verify(struct rptparse_item *it, const struct buf *data)
{
	struct buf err = BUF_INIT, why = BUF_INIT;
	time_t age;

	memset(&it->dkim, 0, sizeof(it->dkim));
	it->dkim.result = DKIMCHECK_NONE;
	if (strcmp(it->m.via, "mailto") == 0)
		dkimcheck_verify(rp.dkim, data->s, data->len, it->m.submitter,
		    &it->dkim);
	if (it->dkim.result == DKIMCHECK_TEMPERROR) {
		age = rptparse_age(it->id, it->received);
		if (age >= rp.dkim_give_up) {
			log_warn("%s: DKIM %s, for %lld s since it arrived;"
			    " stored as temperror", it->id, it->dkim.reason,
			    (long long)age);
		} else {
			buf_printf(&why, "DKIM %s", it->dkim.reason);
			if (spool_defer(rp.sp, it->id, why.s, &err) < 0) {
				/* Still in active/: tried again from there. */
				rptparse_left(it->id, err.s);
			} else {
				log_info("%s: %s; deferred, tried again in"
				    " %lld s", it->id, why.s,
				    (long long)rp.dkim_retry);
				rptparse_deferred_at(rp.dkim_retry);
			}
			buf_free(&why);
			buf_free(&err);
			return -1;
		}
	}
	it->counted = !rp.require_dkim || strcmp(it->m.via, "https") == 0 ||
	    strcmp(dkimcheck_result_name(it->dkim.result), "pass") == 0;
	return 0;
}

/*
 * One message of active/: parsed into the batch, or moved to corrupt/.
 * The batch is stored when it is full.
 */
static void
rptparse_take(const char *id)
{
	struct buf *data = &rp.data, err = BUF_INIT;
	struct rptparse_item *it = &rp.batch[rp.nbatch];
	size_t i;

	snprintf(it->id, sizeof(it->id), "%s", id);
	it->received = time(NULL);
	message_init(&it->m);
	buf_reset(data);
	if (spool_read_msg(rp.sp, SPOOL_ACTIVE, id, rp.msg_limit, data,
	    &err) < 0) {
		rptparse_corrupt(id, err.s);
		goto out;
	}
	if (message_extract(data->s, data->len, &rp.mlim, &it->m, &err) < 0 ||
	    rptparse_reports(&it->m, it->reports, &err) < 0) {
		rptparse_corrupt(id, err.s);
		rptparse_item_clear(it);
		goto out;
	}
	if (rptparse_verify(it, data) < 0) {
		rptparse_item_clear(it);
		goto out;
	}
	for (i = 0; i < it->m.nreports; i++)
		rp.batch_bytes += it->m.reports[i].len;
	if (++rp.nbatch == RPTPARSE_BATCH ||
	    rp.batch_bytes >= RPTPARSE_BATCH_BYTES)
		rptparse_flush();
out:
	if (data->cap > RPTPARSE_DATA_KEEP)
		buf_free(data);		/* a large one: not kept */
	buf_free(&err);
}

static int
rptparse_scan_active(const char *id, void *ctx)
{
	(void)ctx;
	rptparse_take(id);
	return ++rp.done >= RPTPARSE_TURN;
}

/*
 * The messages of incoming/ seen so far: claimed together (one sync of
 * each directory), then taken one by one.
 */
static void
rptparse_claim(void)
{
	struct buf err = BUF_INIT;
	int status[RPTPARSE_BATCH];
	size_t i;

	if (rp.nclaim == 0)
		return;
	if (spool_claim_batch(rp.sp, (const char (*)[SPOOL_ID_SIZE])rp.claim,
	    rp.nclaim, status, &err) < 0)
		log_warn("%s", err.s);
	for (i = 0; i < rp.nclaim; i++)
		if (status[i] == 0)
			rptparse_take(rp.claim[i]);
	rp.nclaim = 0;
	buf_free(&err);
}

/* A message of incoming/ to claim; 1 when this turn has had enough. */
static int
rptparse_want(const char *id)
{
	memcpy(rp.claim[rp.nclaim++], id, SPOOL_ID_SIZE);
	if (rp.nclaim == RPTPARSE_BATCH)
		rptparse_claim();
	return ++rp.done >= RPTPARSE_TURN;
}

/*
 * incoming/, oldest first.  One listing serves the turns that take its
 * messages (a backlog of 10,000 is listed once, not once per turn);
 * what arrived meanwhile has later ids and is in the next listing.
 */
static void
rptparse_incoming(void)
{
	struct buf err = BUF_INIT;

	if (rp.next_incoming == rp.nincoming) {
		free(rp.incoming);
		rp.incoming = NULL;
		rp.nincoming = rp.next_incoming = 0;
		if (spool_list(rp.sp, SPOOL_INCOMING, &rp.incoming,
		    &rp.nincoming, &err) < 0)
			log_warn("%s", err.s);
	}
	while (rp.next_incoming < rp.nincoming)
		if (rptparse_want(rp.incoming[rp.next_incoming++]) != 0)
			break;
	buf_free(&err);
}

/*
 * One turn: at most RPTPARSE_TURN messages (a scan of the directory
 * serves that many), then the loop runs again.
 */
static void
rptparse_run(evutil_socket_t fd, short what, void *arg)
{
	struct buf err = BUF_INIT;

	(void)fd;
	(void)what;
	(void)arg;
	rp.done = 0;
	dkimcheck_budget(rp.dkim, rp.dkim_budget_ms);
	rptparse_hosted(0);
	if (rp.need_active) {
		if (spool_scan(rp.sp, SPOOL_ACTIVE, rptparse_scan_active, NULL,
		    &err) < 0)
			log_warn("%s", err.s);
		if (rp.done < RPTPARSE_TURN)
			rp.need_active = 0;
	}
	if (rp.done < RPTPARSE_TURN)
		rptparse_incoming();
	rptparse_claim();
	rptparse_flush();
	if (rp.done >= RPTPARSE_TURN)
		rptparse_schedule();
	alerts_flush();
	buf_free(&err);
}

static void
rptparse_request(struct ipc_conn *conn, json_t *msg, void *ctx)
{
	const char *op = ipc_op(msg);

	(void)ctx;
	if (op != NULL && strcmp(op, PROTO_OP_SPOOLED) == 0) {
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

/*
 * Each message of deferred/ that has waited rptparse_dkim_retry_time
 * goes back to incoming/ (its id, and so its arrival time, kept); the
 * timer is set for the next one due.
 */
static void
rptparse_deferred(evutil_socket_t fd, short what, void *arg)
{
	struct buf err = BUF_INIT;
	char (*ids)[SPOOL_ID_SIZE] = NULL;
	size_t n = 0, i, moved = 0;
	time_t now = time(NULL), when, next = 0;

	(void)fd;
	(void)what;
	(void)arg;
	if (spool_list(rp.sp, SPOOL_DEFERRED, &ids, &n, &err) < 0)
		log_warn("%s", err.s);
	for (i = 0; i < n; i++) {
		buf_reset(&err);
		if (spool_reason_time(rp.sp, SPOOL_DEFERRED, ids[i], &when,
		    &err) < 0)
			when = 0;	/* no reason: not rptparse's wait */
		if (now - when < rp.dkim_retry) {
			if (next == 0 || when + rp.dkim_retry - now < next)
				next = when + rp.dkim_retry - now;
			continue;
		}
		if (spool_requeue(rp.sp, ids[i], &err) < 0)
			log_warn("%s", err.s);
		else
			moved++;
	}
	free(ids);
	if (moved > 0) {
		log_info("%zu deferred messages back to incoming/", moved);
		rptparse_schedule();
	}
	if (next > 0)
		rptparse_deferred_at(next);
	buf_free(&err);
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
	struct dkimcheck_conf dconf;
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
	path = xasprintf("%s/%s", cfg_str("data_directory"), RPTDB_FILE);
	if ((rp.store = rptdb_open_write(path, cfg_str("setgid_group"),
	    cfg_size("rptparse_db_cache_size"), &err)) == NULL)
		log_fatal("%s", err.s);
	free(path);
	pct = cfg_percent("alert_failure_rate");
	path = xasprintf("%s/%s", cfg_str("data_directory"),
	    RPTPARSE_ALERT_STATE);
	if (alerts_open(path, pct, &err) < 0)
		log_fatal("%s", err.s);
	free(path);
	rp.require_dkim = cfg_bool("report_require_dkim");
	rp.dkim_retry = (time_t)cfg_time("rptparse_dkim_retry_time");
	rp.dkim_give_up = (time_t)cfg_time("rptparse_dkim_give_up_time");
	dconf.timeout_ms = (int)cfg_time("rptparse_dkim_timeout") * 1000;
	rp.dkim_budget_ms = (long)(dconf.timeout_ms > 1000 ?
	    dconf.timeout_ms : 1000) * RPTPARSE_DKIM_BUDGET;
	dconf.temp_ttl = rp.dkim_retry < RPTPARSE_DKIM_TEMP_TTL ?
	    rp.dkim_retry : RPTPARSE_DKIM_TEMP_TTL;
	if ((rp.dkim = dkimcheck_new(&dconf, &err)) == NULL)
		log_fatal("%s", err.s);

	memset(&conf, 0, sizeof(conf));
	conf.handler = rptparse_request;
	conf.idle_ms = RPTPARSE_IDLE_MS;
	conf.write_ms = RPTPARSE_IDLE_MS;
	if (server_nsockets() > 0)
		rp.srv = ipc_server_new(server_base(), server_socket(0), &conf);
	rp.run_ev = evtimer_new(server_base(), rptparse_run, NULL);
	rp.retry_ev = evtimer_new(server_base(), rptparse_retry, NULL);
	rp.deferred_ev = evtimer_new(server_base(), rptparse_deferred, NULL);
	rptparse_deferred_at(0);
	rp.need_active = 1;
	rptparse_schedule();
	buf_free(&err);
}

static void
rptparse_cleanup(void)
{
	size_t i;

	if (rp.srv != NULL)
		ipc_server_free(rp.srv);
	events_free(rp.run_ev);
	events_free(rp.retry_ev);
	events_free(rp.deferred_ev);
	dkimcheck_free(rp.dkim);
	alerts_close();
	for (i = 0; i < rp.nbatch; i++)
		rptparse_item_clear(&rp.batch[i]);
	rptdb_close(rp.store);
	if (rp.sp != NULL)
		spool_close(rp.sp);
	hosted_clear(&rp.hosted);
	buf_free(&rp.data);
	free(rp.incoming);
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

	/*
	 * One thread, one connection: SQLite need not lock around every
	 * call, nor count its memory under a lock on every allocation.
	 * Before anything opens a database.
	 */
	rptdb_single_thread();
	return server_main(argc, argv, &hooks);
}
