/*
 * mxprobes - each MX host probed once per round, in child processes; see
 * mxprobes.h.
 * SPDX-License-Identifier: ISC
 *
 * May touch: fork/pipe; the children: port dnsmon_smtp_port of the MX
 * hosts and dnsmon_ca_file (through check_probe_host).
 */
#include "config.h"

#include <sys/types.h>
#include <sys/wait.h>

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <event2/event.h>
#include <jansson.h>

#include "dnscheck.h"
#include "events.h"
#include "htable.h"
#include "log.h"
#include "mymalloc.h"
#include "mxprobe.h"
#include "mxprobes.h"
#include "params.h"

struct probes_waiter {
	void	(*done)(void *);
	void	*arg;
};

struct probes_host {
	struct probes *pt;
	struct probes_host *qnext;	/* waiting for a process */
	char	*host;
	int	 known;
	/* The result, what check_probe_add needs of struct probe. */
	enum probe_result result;
	char	 tls_version[sizeof(((struct probe *)0)->tls_version)];
	int	 days_left;
	char	*detail;
	/* While it runs. */
	pid_t	 pid;
	int	 fd;
	struct event *ev;
	struct probe in;
	size_t	 got;
	struct probes_waiter *waiters;
	size_t	 nwait;
};

struct probes {
	struct event_base *base;
	int	 max_procs;
	int	 running;
	size_t	 count;
	struct probes_host *queue_head, *queue_tail;
	struct htable *hosts;		/* host -> struct probes_host */
};

struct probes *
probes_new(struct event_base *base, int max_procs)
{
	struct probes *pt = xcalloc(1, sizeof(*pt));

	pt->base = base;
	pt->hosts = htable_new(PROBES_BUCKETS, 0);
	pt->max_procs = max_procs < 1 ? 1 : max_procs;
	return pt;
}

size_t
probes_count(const struct probes *pt)
{
	return pt->count;
}

static struct probes_host *
probes_find(struct probes *pt, const char *host)
{
	return htable_find_str(pt->hosts, host);
}

/* The child: probe, write the result, exit. */
static void
probes_child(int fd, const char *host)
{
	struct probe p;
	size_t off = 0;
	ssize_t n;

	signal(SIGALRM, SIG_DFL);
	signal(SIGTERM, SIG_DFL);
	signal(SIGPIPE, SIG_DFL);
	alarm((unsigned)(DNSMON_PROBE_STEPS *
	    var_dnsmon_probe_timeout + 1));
	memset(&p, 0, sizeof(p));
	check_probe_host(host, &p);
	while (off < sizeof(p) && (n = write(fd, (char *)&p + off,
	    sizeof(p) - off)) > 0)
		off += n;
	_exit(off == sizeof(p) ? 0 : 1);
}

static void probes_start(struct probes *);

static void
probes_finish(struct probes_host *h)
{
	struct probes *pt = h->pt;
	struct probes_waiter *w = h->waiters;
	size_t i, n = h->nwait;
	int status;

	event_free(h->ev);
	h->ev = NULL;
	close(h->fd);
	h->fd = -1;
	while (waitpid(h->pid, &status, 0) < 0 && errno == EINTR)
		;
	h->pid = 0;
	pt->running--;
	if (h->got == sizeof(h->in)) {
		h->result = h->in.result;
		memcpy(h->tls_version, h->in.tls_version,
		    sizeof(h->tls_version));
		h->tls_version[sizeof(h->tls_version) - 1] = '\0';
		h->days_left = h->in.days_left;
		h->in.detail[sizeof(h->in.detail) - 1] = '\0';
		h->detail = xstrdup(h->in.detail);
	} else {
		h->result = PROBE_CONNECT_FAILURE;
		h->days_left = PROBE_DAYS_UNKNOWN;
		h->detail = xasprintf("%s: probe %s", h->host,
		    WIFSIGNALED(status) ? "killed at its time limit" :
		    "failed");
		log_warn("%s", h->detail);
	}
	h->known = 1;
	h->waiters = NULL;
	h->nwait = 0;
	probes_start(pt);
	for (i = 0; i < n; i++)
		w[i].done(w[i].arg);
	free(w);
}

static void
probes_read(evutil_socket_t fd, short what, void *arg)
{
	struct probes_host *h = arg;
	ssize_t n;

	(void)what;
	n = read(fd, (char *)&h->in + h->got, sizeof(h->in) - h->got);
	if (n < 0 && (errno == EAGAIN || errno == EINTR))
		return;
	if (n > 0) {
		h->got += n;
		if (h->got < sizeof(h->in))
			return;
	}
	probes_finish(h);
}

static void
probes_fork(struct probes *pt, struct probes_host *h)
{
	int fds[2];
	pid_t pid;

	if (pipe2(fds, O_CLOEXEC) < 0 || (pid = fork()) < 0) {
		log_error("%s: cannot start a probe: %s", h->host,
		    strerror(errno));
		h->known = 1;
		h->result = PROBE_CONNECT_FAILURE;
		h->days_left = PROBE_DAYS_UNKNOWN;
		h->detail = xasprintf("%s: probe not started", h->host);
		return;
	}
	if (pid == 0) {
		close(fds[0]);
		probes_child(fds[1], h->host);
	}
	close(fds[1]);
	evutil_make_socket_nonblocking(fds[0]);
	h->pid = pid;
	h->fd = fds[0];
	h->ev = event_new(pt->base, fds[0], EV_READ | EV_PERSIST, probes_read,
	    h);
	event_add(h->ev, NULL);
	pt->running++;
}

static void
probes_start(struct probes *pt)
{
	struct probes_host *h;
	struct probes_waiter *w;
	size_t i, n;

	while (pt->running < pt->max_procs && pt->queue_head != NULL) {
		h = pt->queue_head;
		if ((pt->queue_head = h->qnext) == NULL)
			pt->queue_tail = NULL;
		h->qnext = NULL;
		probes_fork(pt, h);
		if (!h->known)
			continue;
		/* Could not start: its waiters have their answer now. */
		w = h->waiters;
		n = h->nwait;
		h->waiters = NULL;
		h->nwait = 0;
		for (i = 0; i < n; i++)
			w[i].done(w[i].arg);
		free(w);
	}
}

int
probes_want(struct probes *pt, const char *host, void (*done)(void *),
    void *arg)
{
	struct probes_host *h = probes_find(pt, host);

	if (h == NULL) {
		h = xcalloc(1, sizeof(*h));
		h->pt = pt;
		h->host = xstrdup(host);
		h->fd = -1;
		htable_enter_str(pt->hosts, host, h);
		pt->count++;
		if (pt->queue_tail != NULL)
			pt->queue_tail->qnext = h;
		else
			pt->queue_head = h;
		pt->queue_tail = h;
	}
	if (h->known)
		return 1;
	h->waiters = xreallocarray(h->waiters, h->nwait + 1,
	    sizeof(*h->waiters));
	h->waiters[h->nwait].done = done;
	h->waiters[h->nwait].arg = arg;
	h->nwait++;
	/* Started after the waiter is in: a failed start tells it (at
	 * once: callers count their waits before they ask). */
	probes_start(pt);
	return 0;
}

void
probes_add(struct probes *pt, json_t *checks, const char *host)
{
	struct probes_host *h = probes_find(pt, host);
	struct probe p;

	if (h == NULL || !h->known)
		return;
	memset(&p, 0, sizeof(p));
	p.result = h->result;
	memcpy(p.tls_version, h->tls_version, sizeof(p.tls_version));
	p.days_left = h->days_left;
	snprintf(p.detail, sizeof(p.detail), "%s", h->detail);
	check_probe_add(checks, host, &p);
}

static void
probes_host_free(void *arg)
{
	struct probes_host *h = arg;

	if (h->pid > 0) {
		kill(h->pid, SIGKILL);
		waitpid(h->pid, NULL, 0);
	}
	events_free(h->ev);
	if (h->fd >= 0)
		close(h->fd);
	free(h->waiters);
	free(h->detail);
	free(h->host);
	free(h);
}

void
probes_free(struct probes *pt)
{
	if (pt == NULL)
		return;
	htable_free(pt->hosts, probes_host_free);
	free(pt);
}
