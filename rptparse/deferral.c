/*
 * deferral - rptparse's DKIM verification of a mailed message, and the
 * messages that wait in deferred/ for a key that could not be looked up.
 * SPDX-License-Identifier: ISC
 *
 * A key lookup that fails for a passing reason moves the message to
 * deferred/ (spool_defer_from), with the reason and its time; once it
 * has waited rptparse_dkim_retry_time it goes back to incoming/ with its
 * id, and so its arrival time, kept; rptparse_dkim_give_up_time after
 * its arrival it is stored with the result temperror.  See rptparse.c.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <event2/event.h>

#include "buf.h"
#include "dkimcheck.h"
#include "log.h"
#include "rptparse.h"
#include "spool.h"

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
void
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
int
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
			if (spool_defer_from(rp.sp, it->dir, it->id, why.s,
			    &err) < 0) {
				/* Still where it was: tried again. */
				rptparse_left(it->id, it->dir, err.s);
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
 * Each message of deferred/ that has waited rptparse_dkim_retry_time
 * goes back to incoming/ (its id, and so its arrival time, kept); the
 * timer is set for the next one due.
 */
void
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
