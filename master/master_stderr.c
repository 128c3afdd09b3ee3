/*
 * master_stderr - the stderr of each worker, to the log.
 * SPDX-License-Identifier: ISC
 *
 * Under a daemon master (no -f), stderr would be /dev/null: what a
 * worker writes there without lib/log (a sanitizer report, a failed
 * assertion, a message of a library) would be lost.  So each process
 * gets the write end of its own pipe as descriptor 2, and master reads
 * the other end, non-blocking, in its event loop.  Each line becomes
 * one log line of master, at warning level, that names the worker:
 *
 *	stsd/master[PID]: warning: service NAME: COMMAND[WORKERPID]: stderr: TEXT
 *
 * TEXT is escaped with esc_textn() (lib/esc.h: control characters and
 * invalid UTF-8 as \xHH, so no line of a worker forges a log line or
 * reaches a terminal raw); empty lines are skipped.  A line longer than
 * MASTER_STDERR_LINE_MAX octets is cut there, and says how much was
 * cut.  The lines of one service share a budget of MASTER_STDERR_BURST
 * lines, refilled at MASTER_STDERR_RATE lines a second: the lines over
 * it are read and dropped, and their number is logged once the budget
 * allows a line again, or when the process is reaped.  So a flood
 * costs master some reading, and the log at most the budget.
 *
 * When a process is reaped, what it left in the pipe is read (at most
 * MASTER_STDERR_DRAIN_MAX octets), a last line without a newline is
 * logged, and the pipe closed: the report of a crash precedes master's
 * "process N exited" line.
 *
 * The workers are told with -e (lib/server.h) that their stderr is this
 * pipe, and stop copying their own log lines to it.  Under "master -f"
 * nothing of this happens: the workers share master's stderr, as the
 * tests that read it expect.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <event2/event.h>

#include "buf.h"
#include "esc.h"
#include "events.h"
#include "log.h"
#include "master.h"

#define MASTER_STDERR_READ	4096		/* octets per read(2) */
#define MASTER_STDERR_READS	16		/* reads per wake-up */
#define MASTER_STDERR_DRAIN_MAX	(1024 * 1024)	/* read when reaped */

static time_t
master_stderr_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec;
}

void
master_stderr_budget_init(struct master_service *svc)
{
	svc->err_tokens = MASTER_STDERR_BURST;
	svc->err_refilled = master_stderr_now();
}

/* One line of the budget of the service, if there is one left. */
static int
master_stderr_take(struct master_service *svc)
{
	time_t now = master_stderr_now();
	long long t;

	if (now > svc->err_refilled) {
		t = svc->err_tokens + (long long)(now - svc->err_refilled) *
		    MASTER_STDERR_RATE;
		svc->err_tokens = t > MASTER_STDERR_BURST ?
		    MASTER_STDERR_BURST : (int)t;
		svc->err_refilled = now;
	}
	if (svc->err_tokens <= 0)
		return 0;
	svc->err_tokens--;
	return 1;
}

static void
master_stderr_dropped(struct master_service *svc)
{
	if (svc->err_dropped == 0)
		return;
	log_warn("service %s: %lu line%s of stderr dropped: more than %d "
	    "at once, or %d a second", svc->name, svc->err_dropped,
	    svc->err_dropped == 1 ? "" : "s", MASTER_STDERR_BURST,
	    MASTER_STDERR_RATE);
	svc->err_dropped = 0;
}

/* The line collected so far, to the log. */
static void
master_stderr_emit(struct master_proc *p)
{
	struct buf text = BUF_INIT;

	if (p->err_len > 0 && p->err_line[p->err_len - 1] == '\r')
		p->err_len--;
	if (p->err_len == 0 && p->err_cut == 0)
		goto out;
	if (!master_stderr_take(p->svc)) {
		p->svc->err_dropped++;
		goto out;
	}
	master_stderr_dropped(p->svc);
	esc_textn(&text, p->err_line, p->err_len);
	if (p->err_cut > 0)
		log_warn("service %s: %s[%ld]: stderr: %s... (%zu more "
		    "octets cut)", p->svc->name, p->command, (long)p->pid,
		    text.s ? text.s : "", p->err_cut);
	else
		log_warn("service %s: %s[%ld]: stderr: %s", p->svc->name,
		    p->command, (long)p->pid, text.s ? text.s : "");
	buf_free(&text);
out:
	p->err_len = 0;
	p->err_cut = 0;
}

/* Octets from the pipe: complete lines go to the log, the rest waits. */
void
master_stderr_feed(struct master_proc *p, const char *data, size_t len)
{
	const char *nl;
	size_t n, room;

	while (len > 0) {
		nl = memchr(data, '\n', len);
		n = nl != NULL ? (size_t)(nl - data) : len;
		room = MASTER_STDERR_LINE_MAX - p->err_len;
		if (n <= room) {
			memcpy(p->err_line + p->err_len, data, n);
			p->err_len += n;
		} else {
			memcpy(p->err_line + p->err_len, data, room);
			p->err_len += room;
			p->err_cut += n - room;
		}
		if (nl == NULL)
			return;
		master_stderr_emit(p);
		data += n + 1;
		len -= n + 1;
	}
}

/* Reads at most max octets; returns 0 at end of file, 1 otherwise. */
static int
master_stderr_read(struct master_proc *p, size_t max)
{
	char buf[MASTER_STDERR_READ];
	size_t total = 0;
	ssize_t n;

	while (total < max) {
		n = read(p->err_fd, buf, sizeof(buf));
		if (n > 0) {
			master_stderr_feed(p, buf, (size_t)n);
			total += (size_t)n;
		} else if (n == 0) {
			return 0;
		} else if (errno == EINTR) {
			continue;
		} else {
			if (errno != EAGAIN)
				log_warn("service %s: %s[%ld]: stderr: read: %s",
				    p->svc->name, p->command, (long)p->pid,
				    strerror(errno));
			return errno == EAGAIN ? 1 : 0;
		}
	}
	return 1;
}

static void
master_stderr_close_fd(struct master_proc *p)
{
	events_free(p->err_ev);
	p->err_ev = NULL;
	if (p->err_fd >= 0)
		close(p->err_fd);
	p->err_fd = -1;
}

static void
master_stderr_on_read(evutil_socket_t fd, short what, void *arg)
{
	struct master_proc *p = arg;

	(void)fd;
	(void)what;
	if (master_stderr_read(p, MASTER_STDERR_READ * MASTER_STDERR_READS)
	    == 0) {
		/* Every writer is gone (a daemon's own children too). */
		if (p->err_len > 0 || p->err_cut > 0)
			master_stderr_emit(p);
		master_stderr_dropped(p->svc);
		master_stderr_close_fd(p);
	}
}

/* Before fork: the pipe, or -1s when the workers share master's stderr. */
int
master_stderr_pipe(int fds[2])
{
	fds[0] = fds[1] = -1;
	if (master.foreground)
		return 0;
	if (pipe2(fds, O_CLOEXEC) != 0) {
		log_warn("pipe for the stderr of a worker: %s", strerror(errno));
		fds[0] = fds[1] = -1;
		return -1;
	}
	return 0;
}

/* In the child, before the other descriptors are arranged. */
void
master_stderr_child(const int fds[2])
{
	if (fds[1] >= 0 && dup2(fds[1], STDERR_FILENO) < 0)
		_exit(126);
}

/* In master, once the child runs. */
void
master_stderr_watch(struct master_proc *p, int fds[2])
{
	p->err_fd = -1;
	if (fds[1] >= 0)
		close(fds[1]);
	if (fds[0] < 0)
		return;
	p->err_fd = fds[0];
	if (fcntl(p->err_fd, F_SETFL, O_NONBLOCK) != 0 ||
	    (p->err_ev = event_new(master.base, p->err_fd,
	    EV_READ | EV_PERSIST, master_stderr_on_read, p)) == NULL ||
	    event_add(p->err_ev, NULL) != 0) {
		log_warn("service %s: %s[%ld]: cannot read its stderr: it is "
		    "not logged", p->svc->name, p->command, (long)p->pid);
		master_stderr_close_fd(p);
	}
}

/* The process was reaped: what it left, its last line, and the pipe. */
void
master_stderr_close(struct master_proc *p)
{
	if (p->err_fd >= 0)
		(void)master_stderr_read(p, MASTER_STDERR_DRAIN_MAX);
	if (p->err_len > 0 || p->err_cut > 0)
		master_stderr_emit(p);
	if (p->svc != NULL)
		master_stderr_dropped(p->svc);
	master_stderr_close_fd(p);
}
