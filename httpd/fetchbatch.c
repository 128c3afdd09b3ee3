/*
 * fetchbatch - httpd's fetch records, batched into datagrams for
 * rptparse; see fetchbatch.h.
 * SPDX-License-Identifier: ISC
 */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include <event2/event.h>

#include "buf.h"
#include "events.h"
#include "fetchbatch.h"
#include "fetchlog.h"
#include "log.h"
#include "metrics.h"
#include "plural.h"
#include "proto.h"

static struct {
	int	 fd;			/* -1: recording is off */
	struct sockaddr_un sun;
	socklen_t sun_len;
	struct event *timer;
	struct buf dgram;		/* FETCHLOG_MAGIC and the records */
	int	 records;
	long long dropped;		/* since the last warning */
	long long unmetered;		/* dropped, not yet in the metric */
	int	 drop_errno;		/* the cause of the last drop */
	int	 why;			/* errno of the last failed send */
	time_t	 warned;
} fb = { .fd = -1 };

int
fetchbatch_on(void)
{
	return fb.fd >= 0;
}

static void
fetchbatch_reset(void)
{
	buf_reset(&fb.dgram);
	buf_puts(&fb.dgram, FETCHLOG_MAGIC "\n");
	fb.records = 0;
}

/*
 * Records lost: counted here, and only at the next flush (the timer)
 * added to the metric and said in the log, so that a drop costs no more
 * than its increment while rptparse is away and every request drops.
 */
static void
fetchbatch_drop(int n, int err)
{
	fb.unmetered += n;
	fb.drop_errno = err;
}

/*
 * Why rptparse does not take a datagram for a moment (it is kept for
 * the next flush), or NULL for another error (it is dropped).
 */
static const char *
fetchbatch_drop_why(int err)
{
	switch (err) {
	case ENOENT:
	case ECONNREFUSED:
		return "rptparse is not running";
	case EAGAIN:
#if EAGAIN != EWOULDBLOCK
	case EWOULDBLOCK:
#endif
	case ENOBUFS:
	case EINTR:
		return "rptparse does not take them fast enough";
	default:
		return NULL;
	}
}

static void
fetchbatch_report_drops(void)
{
	const char *why;
	time_t	now;

	if (fb.unmetered == 0)
		return;
	metrics_add(METRIC_FETCH_DROPPED, fb.unmetered, "daemon", "httpd",
	    NULL);
	fb.dropped += fb.unmetered;
	fb.unmetered = 0;
	now = time(NULL);
	if (now - fb.warned < FETCHBATCH_WARN_INTERVAL)
		return;
	log_warn("%s: %lld fetch %s not handed to rptparse: %s",
	    PROTO_FETCHLOG_PRIVATE, fb.dropped,
	    plural(fb.dropped, "record", "records"),
	    (why = fetchbatch_drop_why(fb.drop_errno)) != NULL ? why :
	    strerror(fb.drop_errno));
	fb.warned = now;
	fb.dropped = 0;
}

static void
fetchbatch_arm(void)
{
	struct timeval tv = { FETCHBATCH_FLUSH_MS / 1000,
	    (FETCHBATCH_FLUSH_MS % 1000) * 1000 };

	evtimer_add(fb.timer, &tv);
}

/*
 * One sendto().  The datagram stays, to be sent at the next flush, while
 * rptparse is slow or away for a moment (a reload restarts it): its
 * socket full, missing, or refusing.  Only records that find no room
 * are lost (fetchbatch_add), or a datagram refused for another reason.
 */
static void
fetchbatch_flush(void)
{
	if (fb.records == 0)
		return;
	if (sendto(fb.fd, fb.dgram.s, fb.dgram.len, MSG_DONTWAIT | MSG_NOSIGNAL,
	    (struct sockaddr *)&fb.sun, fb.sun_len) >= 0) {
		fetchbatch_reset();
		return;
	}
	if (fetchbatch_drop_why(errno) != NULL) {
		fb.why = errno;
		fetchbatch_arm();
		return;
	}
	fetchbatch_drop(fb.records, errno);
	fetchbatch_reset();
	fetchbatch_arm();	/* to report the drop */
}

static void
fetchbatch_timer(evutil_socket_t fd, short what, void *arg)
{
	(void)fd;
	(void)what;
	(void)arg;
	fetchbatch_flush();
	fetchbatch_report_drops();
}

void
fetchbatch_add(const struct fetchrec *r)
{
	if (fb.fd < 0)
		return;
	if (fb.records >= FETCHLOG_DGRAM_RECORDS ||
	    fb.dgram.len + FETCHLOG_LINE_MAX + 1 > FETCHLOG_DGRAM_MAX) {
		fetchbatch_drop(1, fb.why);
		return;
	}
	if (fb.records == 0)
		fetchbatch_arm();
	fetchlog_encode(&fb.dgram, r);
	fb.records++;
	if (fb.records >= FETCHLOG_DGRAM_RECORDS ||
	    fb.dgram.len + FETCHLOG_LINE_MAX + 1 > FETCHLOG_DGRAM_MAX)
		fetchbatch_flush();
}

void
fetchbatch_start(struct event_base *base)
{
	fb.fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fb.fd < 0) {
		log_warn("cannot make a datagram socket: %s; policy fetches "
		    "are not recorded", strerror(errno));
		return;
	}
	memset(&fb.sun, 0, sizeof(fb.sun));
	fb.sun.sun_family = AF_UNIX;
	snprintf(fb.sun.sun_path, sizeof(fb.sun.sun_path), "%s",
	    PROTO_FETCHLOG_PRIVATE);
	fb.sun_len = (socklen_t)sizeof(fb.sun);
	if ((fb.timer = evtimer_new(base, fetchbatch_timer, NULL)) == NULL)
		log_fatal("cannot create the fetch record timer");
	buf_reserve(&fb.dgram, FETCHLOG_DGRAM_MAX);
	fetchbatch_reset();
	metrics_add(METRIC_FETCH_DROPPED, 0, "daemon", "httpd", NULL);
}

void
fetchbatch_stop(void)
{
	if (fb.fd < 0)
		return;
	fetchbatch_flush();
	fetchbatch_report_drops();
	events_free(fb.timer);
	fb.timer = NULL;
	close(fb.fd);
	fb.fd = -1;
	buf_free(&fb.dgram);
}
