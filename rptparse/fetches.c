/*
 * fetches - httpd's fetch records into fetches.db; see fetches.h.
 * SPDX-License-Identifier: ISC
 */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include <event2/event.h>

#include "buf.h"
#include "events.h"
#include "fetchdb.h"
#include "fetches.h"
#include "fetchlog.h"
#include "log.h"
#include "metrics.h"
#include "mymalloc.h"
#include "params.h"
#include "plural.h"
#include "proto.h"

#define FETCHES_DAY		(24 * 3600)

static struct {
	int	 fd;
	char	*path;
	struct fetchdb *db;
	struct event *read_ev;
	struct event *flush_ev;
	struct event *prune_ev;
	struct fetchrec *pending;
	size_t	 npending;
	char	 dgram[FETCHLOG_DGRAM_MAX + 1];
	long long bad;			/* since the last warning */
	time_t	 warned;
} fs = { .fd = -1 };

/* Something dropped: said at most once per FETCHES_WARN_INTERVAL. */
static void
fetches_warn(long long n, const char *why)
{
	time_t now = time(NULL);

	fs.bad += n;
	if (now - fs.warned < FETCHES_WARN_INTERVAL)
		return;
	log_warn("%s: %lld fetch %s dropped: %s", PROTO_FETCHLOG_PRIVATE,
	    fs.bad, plural(fs.bad, "record", "records"), why);
	fs.bad = 0;
	fs.warned = now;
}

static void
fetches_flush(void)
{
	struct buf err = BUF_INIT;
	long long capped;

	if (fs.npending == 0)
		return;
	capped = fetchdb_store(fs.db, fs.pending, fs.npending,
	    var_fetch_log_domain_limit, &err);
	if (capped < 0) {
		metrics_add(METRIC_FETCH_DROPPED, (long long)fs.npending,
		    "daemon", "rptparse", NULL);
		fetches_warn((long long)fs.npending, err.s);
	} else if (capped > 0) {
		log_debug("%s: %lld older fetch %s deleted over "
		    "fetch_log_domain_limit", FETCHDB_FILE, capped,
		    plural(capped, "record", "records"));
	}
	fs.npending = 0;
	buf_free(&err);
}

static void
fetches_flush_event(evutil_socket_t fd, short what, void *arg)
{
	(void)fd;
	(void)what;
	(void)arg;
	fetches_flush();
}

static void
fetches_take(const struct fetchrec *r, void *arg)
{
	(void)arg;
	if (fs.npending == 0) {
		struct timeval tv = { FETCHES_FLUSH_MS / 1000,
		    (FETCHES_FLUSH_MS % 1000) * 1000 };

		evtimer_add(fs.flush_ev, &tv);
	}
	fs.pending[fs.npending++] = *r;
	if (fs.npending == FETCHES_PENDING_MAX)
		fetches_flush();
}

static void
fetches_read(evutil_socket_t fd, short what, void *arg)
{
	struct buf err = BUF_INIT;
	ssize_t n;
	int i, refused;

	(void)what;
	(void)arg;
	for (i = 0; i < FETCHES_READS; i++) {
		n = recv(fd, fs.dgram, sizeof(fs.dgram), MSG_DONTWAIT | MSG_TRUNC);
		if (n < 0) {
			if (errno != EAGAIN && errno != EWOULDBLOCK &&
			    errno != EINTR)
				log_warn("%s: recv: %s", PROTO_FETCHLOG_PRIVATE,
				    strerror(errno));
			break;
		}
		if ((size_t)n > FETCHLOG_DGRAM_MAX) {
			fetches_warn(1, "a datagram over the size limit");
			continue;
		}
		buf_reset(&err);
		if (fetchlog_parse(fs.dgram, (size_t)n, fetches_take, NULL,
		    &refused, &err) < 0)
			fetches_warn(1, err.s);
		else if (refused > 0)
			fetches_warn(refused, err.s);
	}
	buf_free(&err);
}

static void
fetches_prune(evutil_socket_t fd, short what, void *arg)
{
	struct timeval tv = { FETCHES_PRUNE_INTERVAL, 0 };
	struct buf err = BUF_INIT;
	long long n;

	(void)fd;
	(void)what;
	(void)arg;
	n = fetchdb_prune(fs.db, time(NULL) -
	    (time_t)var_fetch_log_days * FETCHES_DAY, &err);
	if (n < 0)
		log_warn("%s", err.s);
	else if (n > 0)
		log_info("%s: %lld fetch %s older than %lld days deleted",
		    FETCHDB_FILE, n, plural(n, "record", "records"),
		    var_fetch_log_days);
	evtimer_add(fs.prune_ev, &tv);
	buf_free(&err);
}

/* The datagram socket, in place of a stale one. */
static int
fetches_bind(void)
{
	struct sockaddr_un sun;
	int fd;

	memset(&sun, 0, sizeof(sun));
	sun.sun_family = AF_UNIX;
	if (strlen(fs.path) >= sizeof(sun.sun_path)) {
		log_warn("%s: path too long for a socket; fetch records are "
		    "not kept", fs.path);
		return -1;
	}
	memcpy(sun.sun_path, fs.path, strlen(fs.path) + 1);
	if ((fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC,
	    0)) < 0 || (unlink(fs.path) < 0 && errno != ENOENT) ||
	    bind(fd, (struct sockaddr *)&sun, sizeof(sun)) < 0 ||
	    chmod(fs.path, 0600) < 0) {
		log_warn("%s: %s; fetch records are not kept", fs.path,
		    strerror(errno));
		if (fd >= 0)
			close(fd);
		return -1;
	}
	return fd;
}

void
fetches_start(struct event_base *base)
{
	struct buf err = BUF_INIT;
	char *db;

	fs.path = xasprintf("%s/%s", var_queue_directory,
	    PROTO_FETCHLOG_PRIVATE);
	db = xasprintf("%s/%s", var_data_directory, FETCHDB_FILE);
	fs.db = fetchdb_open_write(db, var_setgid_group, &err);
	free(db);
	if (fs.db == NULL) {
		log_warn("%s; fetch records are not kept", err.s);
		buf_free(&err);
		return;
	}
	if ((fs.fd = fetches_bind()) < 0)
		return;
	fs.pending = xcalloc(FETCHES_PENDING_MAX, sizeof(*fs.pending));
	fs.read_ev = event_new(base, fs.fd, EV_READ | EV_PERSIST,
	    fetches_read, NULL);
	fs.flush_ev = evtimer_new(base, fetches_flush_event, NULL);
	fs.prune_ev = evtimer_new(base, fetches_prune, NULL);
	if (fs.read_ev == NULL || fs.flush_ev == NULL || fs.prune_ev == NULL ||
	    event_add(fs.read_ev, NULL) < 0)
		log_fatal("cannot create the events of %s", fs.path);
	metrics_add(METRIC_FETCH_DROPPED, 0, "daemon", "rptparse", NULL);
	event_active(fs.prune_ev, EV_TIMEOUT, 1);
	buf_free(&err);
}

void
fetches_stop(void)
{
	if (fs.fd >= 0) {
		fetches_flush();
		close(fs.fd);
		(void)unlink(fs.path);
	}
	events_free(fs.read_ev);
	events_free(fs.flush_ev);
	events_free(fs.prune_ev);
	fetchdb_close(fs.db);
	free(fs.pending);
	free(fs.path);
	memset(&fs, 0, sizeof(fs));
	fs.fd = -1;
}
