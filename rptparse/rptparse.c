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
 *	rptparse takes the consumer lock of the spool (spool_lock) when
 *	it starts, and then reads each message where it is, in incoming/,
 *	without a claim: one rename and the syncs of two directories per
 *	batch less, and the spool's guarantees the same (a message
 *	leaves incoming/ only after its reports are committed; one
 *	handled twice after a crash is stored once, as below).  Without
 *	the lock (another process holds it) each message is claimed
 *	(incoming/ -> active/) first, as a second consumer must.
 *
 *	Each message is read, searched for its reports (message.c: MIME with GMime, gzip with zlib,
 *	under limits) and each report parsed and checked (lib/tlsrpt).
 *	The reports of up to RPTPARSE_BATCH messages (and at most
 *	RPTPARSE_BATCH_BYTES of report JSON; the parsed reports are held,
 *	the JSON freed once parsed and digested) are stored in one
 *	transaction (lib/rptdb), so that many messages share one commit;
 *	only after that commit are they removed from the spool
 *	(spool_done_from: one sync of the directory for them all).
 *	Without the lock, messages of incoming/ are claimed
 *	RPTPARSE_BATCH at a time as well (spool_claim_batch).  When the shared transaction fails, each message
 *	is tried in a transaction of its own.  A
 *	report that is already stored (same organization, report-id and
 *	date range) is skipped, so a message handled twice, after a crash
 *	or because the sender sent it twice, leaves one copy.  A message
 *	with no usable report goes to corrupt/ with the reason, which
 *	"stsctl queue show" prints.  A message that cannot be stored for
 *	a passing reason (the database is busy or the disk full) is moved
 *	to active/ (when it was taken in incoming/) and tried again from
 *	there after RPTPARSE_RETRY_TIME seconds, or at the next wakeup.
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

#include <signal.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <event2/event.h>
#include <jansson.h>

#include "alerts.h"
#include "buf.h"
#include "dkimcheck.h"
#include "esc.h"
#include "events.h"
#include "fetches.h"
#include "hosted.h"
#include "ipc.h"
#include "log.h"
#include "metrics.h"
#include "message.h"
#include "mymalloc.h"
#include "plural.h"
#include "proto.h"
#include "rptdb.h"
#include "rptparse.h"
#include "params.h"
#include "server.h"
#include "silent.h"
#include "spool.h"
#include "timefmt.h"
#include "tlsrpt.h"

#define RPTPARSE_TURN		1000	/* messages per turn of the loop */
#define RPTPARSE_BATCH_BYTES	(16 * 1024 * 1024)	/* report JSON parsed */
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

struct rptparse rp;

void
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
	int timeout = (int)var_ipc_timeout * 1000;

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
rptparse_corrupt(const char *id, enum spool_dir dir, const char *reason)
{
	struct buf err = BUF_INIT;

	if (spool_corrupt_from(rp.sp, dir, id, reason, &err) < 0)
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
		it->pcounted[i] = NULL;		/* it was in the report's memory */
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
		memcpy(meta.sha256, it->sha256[i], sizeof(meta.sha256));
		/* Made once for the insert and the alerts after it. */
		if (it->pcounted[i] == NULL) {
			it->pcounted[i] = tlsrpt_mem_alloc(it->reports[i],
			    it->reports[i]->npolicies + 1,
			    sizeof(*it->pcounted[i]));
			rptdb_policies_counted(it->reports[i], it->pcounted[i]);
		}
		meta.counted = it->pcounted[i];
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

/* DKIM's part of a report's log line, at most: */
#define RPTPARSE_DKIM_TEXT_SIZE	(sizeof(", DKIM temperror d= s= ()") + \
	2 * DKIMCHECK_NAME_MAX + DKIMCHECK_REASON_MAX + \
	sizeof(", unverified: counted nowhere"))

/* Append s to out (size RPTPARSE_DKIM_TEXT_SIZE, n used so far). */
static size_t
rptparse_dkim_cat(char *out, size_t n, const char *s)
{
	size_t len = strlen(s);

	if (len >= RPTPARSE_DKIM_TEXT_SIZE - n)
		len = RPTPARSE_DKIM_TEXT_SIZE - n - 1;
	memcpy(out + n, s, len);
	out[n + len] = '\0';
	return n + len;
}

/*
 * ", DKIM pass d=D s=S" or ", DKIM fail (why), unverified", or "" for
 * a report that did not come by mail; put together without printf, as
 * it is written for every report.
 */
static void
rptparse_dkim_text(const struct rptparse_item *it,
    char out[RPTPARSE_DKIM_TEXT_SIZE])
{
	const struct dkimcheck_outcome *o = &it->dkim;
	size_t n;

	out[0] = '\0';
	if (strcmp(it->m.via, "mailto") != 0)
		return;
	n = rptparse_dkim_cat(out, 0, ", DKIM ");
	n = rptparse_dkim_cat(out, n, dkimcheck_result_name(o->result));
	if (o->domain[0] != '\0') {
		n = rptparse_dkim_cat(out, n, " d=");
		n = rptparse_dkim_cat(out, n, o->domain);
		n = rptparse_dkim_cat(out, n, " s=");
		n = rptparse_dkim_cat(out, n, o->selector);
	}
	if (o->reason[0] != '\0') {
		n = rptparse_dkim_cat(out, n, " (");
		n = rptparse_dkim_cat(out, n, o->reason);
		n = rptparse_dkim_cat(out, n, ")");
	}
	if (!it->counted)
		(void)rptparse_dkim_cat(out, n, ", unverified: counted nowhere");
}

static void
rptparse_log(const struct rptparse_item *it, const struct tlsrpt_report *r,
    int64_t row, int fresh)
{
	char start[TIMEFMT_RFC3339_SIZE], end[TIMEFMT_RFC3339_SIZE];
	char dkim[RPTPARSE_DKIM_TEXT_SIZE];
	const char *id = it->id;

	timefmt_rfc3339(r->start, start);
	timefmt_rfc3339(r->end, end);
	if (fresh) {
		rptparse_dkim_text(it, dkim);
		log_info("%s: report %lld: %s, id %s, %s to %s, %zu %s%s%s",
		    id, (long long)row, esc_printable(r->organization),
		    esc_printable(r->report_id), start, end, r->npolicies,
		    plural((long long)r->npolicies, "policy", "policies"),
		    r->ndeviations ? ", with deviations" : "", dkim);
	} else
		log_info("%s: %s, id %s, %s to %s: already stored as report"
		    " %lld", id, esc_printable(r->organization),
		    esc_printable(r->report_id), start, end, (long long)row);
}

/*
 * A stored message: log and alerts; out of the spool comes after.
 * Returns the number of its reports stored now (the metric is added to
 * once per commit).
 */
static size_t
rptparse_stored(struct rptparse_item *it)
{
	size_t i, fresh = 0;

	for (i = 0; i < it->m.nreports; i++) {
		rptparse_log(it, it->reports[i], it->rows[i], it->fresh[i]);
		if (it->fresh[i])
			fresh++;
		/* Alerts follow report_require_dkim as it is now. */
		if (it->fresh[i] && it->counted)
			alerts_report(rp.store, &rp.hosted,
			    it->reports[i], it->rows[i], it->received,
			    it->counted, it->pcounted[i]);
	}
	rp.done_dir[rp.ndone] = it->dir;
	memcpy(rp.done_ids[rp.ndone++], it->id, SPOOL_ID_SIZE);
	return fresh;
}

/* The stored messages of one directory out of the spool: one sync. */
static void
rptparse_done_in(enum spool_dir dir)
{
	static char ids[RPTPARSE_BATCH][SPOOL_ID_SIZE];
	struct buf err = BUF_INIT;
	int status[RPTPARSE_BATCH];
	size_t i, n = 0;

	for (i = 0; i < rp.ndone; i++)
		if (rp.done_dir[i] == dir)
			memcpy(ids[n++], rp.done_ids[i], SPOOL_ID_SIZE);
	if (n == 0)
		return;
	if (spool_done_from(rp.sp, dir, (const char (*)[SPOOL_ID_SIZE])ids,
	    n, status, &err) < 0) {
		for (i = 0; i < n; i++)
			if (status[i] != 0)
				log_error("%s: stored, but not removed from the"
				    " spool", ids[i]);
		log_error("%s", err.s);
	}
	buf_free(&err);
}

/* The stored messages out of the spool, after the commit. */
static void
rptparse_done(void)
{
	if (rp.ndone == 0)
		return;
	rptparse_done_in(SPOOL_INCOMING);
	rptparse_done_in(SPOOL_ACTIVE);
	rp.ndone = 0;
}

/*
 * A message that cannot be stored now waits in active/ (claimed there
 * if it was taken in incoming/), where the retry timer finds it.
 */
void
rptparse_left(const char *id, enum spool_dir dir, const char *why)
{
	struct timeval retry = { RPTPARSE_RETRY_TIME, 0 };
	struct buf err = BUF_INIT;

	if (dir == SPOOL_INCOMING && spool_claim(rp.sp, id, &err) < 0) {
		log_warn("%s: %s; left in incoming/ (%s), tried again at the"
		    " next wakeup", id, esc_printable(why), err.s);
		buf_free(&err);
		return;
	}
	log_warn("%s: %s; left in active/, tried again in %d s", id,
	    esc_printable(why), RPTPARSE_RETRY_TIME);
	if (!evtimer_pending(rp.retry_ev, NULL))
		evtimer_add(rp.retry_ev, &retry);
}

/*
 * A PostgreSQL connection that the server closed (a restart, a
 * failover) is not opened again here: what was not stored waits in the
 * spool, rptparse stops and master starts it again, which connects
 * anew.
 */
static void
rptparse_db_check(void)
{
	if (!rptdb_lost(rp.store))
		return;
	log_error("reports database: the connection to the server was lost;"
	    " stopping, so that master starts rptparse again");
	raise(SIGTERM);
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
	size_t i, fresh = 0;

	if (rp.nbatch == 0)
		return;
	if (rptparse_store_range(0, rp.nbatch, &err) == 0) {
		for (i = 0; i < rp.nbatch; i++)
			fresh += rptparse_stored(&rp.batch[i]);
	} else {
		if (rp.nbatch > 1)
			log_warn("%zu messages in one transaction: %s; one by"
			    " one", rp.nbatch, esc_printable(err.s));
		for (i = 0; i < rp.nbatch; i++) {
			/* One message alone keeps the reason it failed. */
			if (rp.nbatch > 1)
				buf_reset(&err);
			if (rp.nbatch > 1 &&
			    rptparse_store_range(i, i + 1, &err) == 0)
				fresh += rptparse_stored(&rp.batch[i]);
			else
				rptparse_left(rp.batch[i].id, rp.batch[i].dir,
				    err.s);
		}
	}
	if (fresh > 0)
		metrics_add(METRIC_REPORTS_STORED, (long long)fresh, NULL);
	rptparse_done();
	rptparse_db_check();
	for (i = 0; i < rp.nbatch; i++)
		rptparse_item_clear(&rp.batch[i]);
	rp.nbatch = 0;
	rp.batch_bytes = 0;
	buf_free(&err);
}




/*
 * One message of active/ (or of incoming/, with the consumer lock):
 * parsed into the batch, or moved to corrupt/.  The batch is stored
 * when it is full.
 */
static void
rptparse_take(const char *id, enum spool_dir dir)
{
	struct buf *data = &rp.data, err = BUF_INIT;
	struct rptparse_item *it = &rp.batch[rp.nbatch];
	size_t i;

	snprintf(it->id, sizeof(it->id), "%s", id);
	it->dir = dir;
	it->received = time(NULL);
	message_init(&it->m);
	buf_reset(data);
	if (spool_read_msg(rp.sp, dir, id, rp.msg_limit, data, &err) < 0) {
		/* Gone since the listing ("stsctl queue delete"): no more. */
		if (spool_find(rp.sp, id) != (int)dir)
			log_warn("%s; no longer there, skipped", err.s);
		else
			rptparse_corrupt(id, dir, err.s);
		goto out;
	}
	if (message_extract(data->s, data->len, &rp.mlim, &it->m, &err) < 0 ||
	    rptparse_reports(&it->m, it->reports, &err) < 0) {
		rptparse_corrupt(id, dir, err.s);
		rptparse_item_clear(it);
		goto out;
	}
	if (rptparse_verify(it, data) < 0) {
		rptparse_item_clear(it);
		goto out;
	}
	/*
	 * The JSON is not needed after its parse but for its digest: freed
	 * now, the next message's reuses the memory while it is in the
	 * caches, and the batch holds the parsed reports only.
	 */
	for (i = 0; i < it->m.nreports; i++) {
		rp.batch_bytes += it->m.reports[i].len;
		rptdb_sha256(it->m.reports[i].json, it->m.reports[i].len,
		    it->sha256[i]);
		free(it->m.reports[i].json);
		it->m.reports[i].json = NULL;
	}
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
	rptparse_take(id, SPOOL_ACTIVE);
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
			rptparse_take(rp.claim[i], SPOOL_ACTIVE);
	rp.nclaim = 0;
	buf_free(&err);
}

/*
 * A message of incoming/: taken there with the consumer lock, else
 * claimed with others; 1 when this turn has had enough.
 */
static int
rptparse_want(const char *id)
{
	if (rp.direct)
		rptparse_take(id, SPOOL_INCOMING);
	else {
		memcpy(rp.claim[rp.nclaim++], id, SPOOL_ID_SIZE);
		if (rp.nclaim == RPTPARSE_BATCH)
			rptparse_claim();
	}
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
	rp.msg_limit = var_message_size_limit + RPTPARSE_HEADER_SLACK;
	message_limits_default(&rp.mlim);
	rp.mlim.depth = (int)var_rptparse_mime_depth_limit;
	rp.mlim.gunzip.size = var_rptparse_gunzip_limit;
	rp.mlim.gunzip.ratio =
	    (unsigned long)var_rptparse_gunzip_ratio_limit;
	tlsrpt_limits_default(&rp.tlim);
	rp.tlim.size = rp.mlim.gunzip.size;
	rp.tlim.depth = (int)var_rptparse_json_depth_limit;
	rp.tlim.policies = (size_t)var_rptparse_policy_limit;
	rp.tlim.details = (size_t)var_rptparse_failure_detail_limit;
	rp.policyd_path = xasprintf("%s/%s", var_queue_directory,
	    RPTPARSE_POLICYD_PATH);
	rp.policyd_public = xasprintf("%s/%s", var_queue_directory,
	    RPTPARSE_POLICYD_PUBLIC);

	if ((rp.sp = spool_open(var_queue_directory, 0, &err)) == NULL)
		log_fatal("%s", err.s);
	if (spool_lock(rp.sp, &err) == 0)
		rp.direct = 1;
	else {
		log_warn("%s; claiming each message into active/", err.s);
		buf_reset(&err);
	}
	path = xasprintf("%s/%s", var_data_directory, RPTDB_FILE);
	if ((rp.store = rptdb_open_write(path, var_setgid_group,
	    var_rptparse_db_cache_size, &err)) == NULL)
		log_fatal("%s", err.s);
	free(path);
	pct = var_alert_failure_rate;
	path = xasprintf("%s/%s", var_data_directory,
	    RPTPARSE_ALERT_STATE);
	if (alerts_open(path, pct, &err) < 0)
		log_fatal("%s", err.s);
	free(path);
	silent_start(rp.store);
	rp.require_dkim = var_report_require_dkim;
	rp.dkim_retry = (time_t)var_rptparse_dkim_retry_time;
	rp.dkim_give_up = (time_t)var_rptparse_dkim_give_up_time;
	dconf.timeout_ms = (int)var_rptparse_dkim_timeout * 1000;
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
	fetches_start(server_base());
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
	fetches_stop();
	dkimcheck_free(rp.dkim);
	silent_stop();
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
