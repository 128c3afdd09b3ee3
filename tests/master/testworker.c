/*
 * testworker - a worker for the tests of stsd-master(8) and server(3).
 * SPDX-License-Identifier: ISC
 *
 * SYNOPSIS (master.cf command and arguments)
 *	testworker [-x] [-w file] [-d msec] [-e msec] [-q msec] [-a file]
 *	    [-l lines]
 *
 * DESCRIPTION
 *	Without options it stays up and answers every connection on its
 *	listening sockets with one line, "SERVICE PID UID", then closes it.
 *	-x: exit at once with status 1 (before the event loop), to test
 *	throttling.  -w file: append "wakeup PID" to file on every SIGUSR1
 *	from master; the file is opened before privileges are dropped.
 *	-d msec: wait that long before each answer, busy, so that the other
 *	processes of the service take the next connections.
 *	-e msec: exit with status 1 after that long.
 *	-q msec: take that long to stop once told to (SIGTERM), like a
 *	daemon that finishes its work first; it answers no one meanwhile.
 *	-a file: crash once, the way a bug crashes a daemon: unless file
 *	exists, create it, write to stderr (outside lib/log) a line, a line
 *	with control characters, a line of TESTWORKER_LONG_LINE octets, the
 *	-l number of "flood N" lines (default 0), and fail an assertion
 *	(abort).  The process that master starts next finds the file and
 *	runs normally.
 */
#include "config.h"

#include <assert.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <event2/event.h>

#include "log.h"
#include "mymalloc.h"
#include "server.h"

#define TESTWORKER_LONG_LINE	2000	/* octets of the long stderr line */

static int wakeup_fd = -1;
static long answer_delay_ms;
static long exit_after_ms;
static long stop_delay_ms;
static struct event *exit_ev;
static struct event *listen_ev[SERVER_SOCKETS_MAX];

/* -a: a crash with its last words on stderr, once. */
static void
testworker_crash(const char *marker, long flood)
{
	long i;
	int fd;

	if ((fd = open(marker, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC,
	    0644)) < 0)
		return;		/* crashed already */
	close(fd);
	fprintf(stderr, "testworker: crashing as asked, pid %ld\n",
	    (long)getpid());
	fputs("control: \033[31mred\033[0m bell\a nul", stderr);
	fputc('\0', stderr);
	fputs(" byte\xff tab\t end\n", stderr);
	for (i = 0; i < TESTWORKER_LONG_LINE; i++)
		fputc('L', stderr);
	fputc('\n', stderr);
	for (i = 1; i <= flood; i++)
		fprintf(stderr, "flood %ld\n", i);
	fflush(stderr);
	assert(!"testworker -a: the crash that was asked for");
	abort();
}

static void
testworker_pre_jail(int argc, char **argv)
{
	const char *crash_marker = NULL;
	long flood = 0;
	int ch;

	while ((ch = getopt(argc, argv, "xw:d:e:q:a:l:")) != -1) {
		switch (ch) {
		case 'x':
			log_info("service %s: exiting at once, as asked",
			    server_service());
			exit(1);
		case 'w':
			wakeup_fd = open(optarg, O_WRONLY | O_APPEND | O_CREAT |
			    O_CLOEXEC, 0644);
			if (wakeup_fd < 0)
				log_fatal("%s: %s", optarg, strerror(errno));
			break;
		case 'd':
			answer_delay_ms = strtol(optarg, NULL, 10);
			break;
		case 'e':
			exit_after_ms = strtol(optarg, NULL, 10);
			break;
		case 'q':
			stop_delay_ms = strtol(optarg, NULL, 10);
			break;
		case 'a':
			crash_marker = optarg;
			break;
		case 'l':
			flood = strtol(optarg, NULL, 10);
			break;
		default:
			log_fatal("usage: testworker [-x] [-w file] [-d msec] "
			    "[-e msec] [-q msec] [-a file] [-l lines]");
		}
	}
	if (crash_marker != NULL)
		testworker_crash(crash_marker, flood);
}

static void
testworker_accept(evutil_socket_t fd, short what, void *arg)
{
	char line[256];
	int conn, len;

	/* The other processes of the service share this socket. */
	if ((conn = accept(fd, NULL, NULL)) < 0)
		return;
	if (answer_delay_ms > 0)
		usleep(answer_delay_ms * 1000);
	len = snprintf(line, sizeof(line), "%s %ld %ld\n", server_service(),
	    (long)getpid(), (long)getuid());
	if (write(conn, line, len) != len)
		log_warn("write to client: %s", strerror(errno));
	close(conn);
}

static void
testworker_on_exit_timer(evutil_socket_t fd, short what, void *arg)
{
	log_info("service %s: exiting after %ld ms, as asked",
	    server_service(), exit_after_ms);
	server_stop(1);
}

static void
testworker_post_jail(int argc, char **argv)
{
	struct timeval tv;
	int i;

	if (exit_after_ms > 0) {
		tv.tv_sec = exit_after_ms / 1000;
		tv.tv_usec = (exit_after_ms % 1000) * 1000;
		exit_ev = evtimer_new(server_base(), testworker_on_exit_timer,
		    NULL);
		evtimer_add(exit_ev, &tv);
	}

	for (i = 0; i < server_nsockets(); i++) {
		listen_ev[i] = event_new(server_base(), server_socket(i),
		    EV_READ | EV_PERSIST, testworker_accept, NULL);
		event_add(listen_ev[i], NULL);
	}
}

static void
testworker_wakeup(void)
{
	char line[64];
	int len;

	if (wakeup_fd < 0)
		return;
	len = snprintf(line, sizeof(line), "wakeup %ld\n", (long)getpid());
	if (write(wakeup_fd, line, len) != len)
		log_warn("wakeup file: %s", strerror(errno));
}

/* nanosleep, again after each signal, until msec have passed. */
static void
testworker_linger(long msec)
{
	struct timespec ts = { msec / 1000, (msec % 1000) * 1000000L };

	while (nanosleep(&ts, &ts) != 0 && errno == EINTR)
		;
}

static void
testworker_cleanup(void)
{
	int i;

	if (stop_delay_ms > 0)
		testworker_linger(stop_delay_ms);
	for (i = 0; i < server_nsockets(); i++)
		if (listen_ev[i] != NULL)
			event_free(listen_ev[i]);
	if (exit_ev != NULL)
		event_free(exit_ev);
	if (wakeup_fd >= 0)
		close(wakeup_fd);
}

static const struct server_hooks testworker_hooks = {
	testworker_pre_jail,
	testworker_post_jail,
	testworker_wakeup,
	testworker_cleanup,
};

int
main(int argc, char **argv)
{
	return server_main(argc, argv, &testworker_hooks);
}
