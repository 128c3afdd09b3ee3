/*
 * server - the worker side of the master protocol; see server.h.
 * SPDX-License-Identifier: ISC
 *
 * Touches only the descriptors master hands over (3 and the listening
 * sockets), main.cf, the log, and whatever the program's hooks touch.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include <event2/event.h>

#include "buf.h"
#include "cfg.h"
#include "events.h"
#include "log.h"
#include "params.h"
#include "plural.h"
#include "mymalloc.h"
#include "privsep.h"
#include "proctitle.h"
#include "server.h"

#define SERVER_OVERRIDES_MAX	256

/*
 * LeakSanitizer needs /proc, which a chroot does not have: in a chrooted
 * worker it would end every exit with a fatal error instead of a check.
 * Sanitizer builds skip the leak check there; the same code runs without
 * chroot in the tests that look for leaks.
 */
static int server_lsan_off;

#if defined(__SANITIZE_ADDRESS__)
int	__lsan_is_turned_off(void);

int
__lsan_is_turned_off(void)
{
	return server_lsan_off;
}
#endif

static struct server_state {
	const char *service;
	const char *type;
	int	 nsockets;
	int	 unpriv;
	int	 chroot;
	struct event_base *base;
	struct event *ev_term;
	struct event *ev_int;
	struct event *ev_wakeup;
	struct event *ev_status;
	struct event *ev_grace;		/* the deadline of a graceful stop */
	const struct server_hooks *hooks;
	void	(*stop)(enum server_stop_phase);
	enum {
		SERVER_RUNNING,
		SERVER_WINDING_DOWN,	/* SIGTERM came, before the deadline */
		SERVER_LINGERING,	/* after the deadline */
	} stopping;
	int	 looping;		/* in event_base_dispatch() */
	int	 status;
} server;

const char *
server_service(void)
{
	return server.service;
}

const char *
server_type(void)
{
	return server.type;
}

int
server_nsockets(void)
{
	return server.nsockets;
}

int
server_socket(int index)
{
	if (index < 0 || index >= server.nsockets)
		log_panic("server_socket: index %d out of range 0..%d", index,
		    server.nsockets - 1);
	return SERVER_LISTEN_FD + index;
}

struct event_base *
server_base(void)
{
	return server.base;
}

void
server_stop(int status)
{
	server.status = status;
	if (server.base != NULL)
		event_base_loopbreak(server.base);
}

void
server_set_stop(void (*stop)(enum server_stop_phase))
{
	server.stop = stop;
}

int
server_stopping(void)
{
	return server.stopping != SERVER_RUNNING;
}

/* After the current turn, so that what it made active still runs. */
void
server_idle(void)
{
	if (server.stopping == SERVER_RUNNING || !server.looping)
		return;
	log_debug("service %s: idle: exiting", server.service);
	event_base_loopexit(server.base, NULL);
}

static void
server_usage(const char *prog)
{
	log_fatal("usage: %s -c config_dir -n service -t inet|unix "
	    "-s nsockets [-u] [-r] [-e] [-v] [-o name=value]... -- [args] "
	    "(this program is started by stsd-master(8))", prog);
}

/* The descriptors of the convention must be there, or master did not
 * start us. */
static void
server_check_fds(void)
{
	struct stat st;
	int i, fd;

	if (fstat(SERVER_STATUS_FD, &st) != 0 || !S_ISFIFO(st.st_mode))
		log_fatal("no master status pipe on descriptor %d: this program "
		    "is started by stsd-master(8)", SERVER_STATUS_FD);
	for (i = 0; i < server.nsockets; i++) {
		fd = SERVER_LISTEN_FD + i;
		if (fstat(fd, &st) != 0 || !S_ISSOCK(st.st_mode))
			log_fatal("service %s: descriptor %d is not a listening "
			    "socket", server.service, fd);
	}
	for (fd = SERVER_STATUS_FD; fd < SERVER_LISTEN_FD + server.nsockets; fd++)
		if (fcntl(fd, F_SETFD, FD_CLOEXEC) != 0)
			log_fatal("descriptor %d: %s", fd, strerror(errno));
	if (fcntl(SERVER_STATUS_FD, F_SETFL, O_NONBLOCK) != 0)
		log_fatal("descriptor %d: %s", SERVER_STATUS_FD, strerror(errno));
}

static void
server_config(const char *config_dir, char **overrides, int noverrides)
{
	struct buf err = BUF_INIT;
	const char *maillog;
	char *eq, *name;
	int i;

	if (cfg_read(config_dir, &err) != 0)
		log_fatal("%s", err.s);
	for (i = 0; i < noverrides; i++) {
		if ((eq = strchr(overrides[i], '=')) == NULL)
			log_fatal("service %s: -o %s: expected name=value",
			    server.service, overrides[i]);
		name = xstrndup(overrides[i], eq - overrides[i]);
		if (cfg_override(name, eq + 1, &err) != 0)
			log_fatal("service %s: %s", server.service, err.s);
		free(name);
	}
	buf_free(&err);
	maillog = var_maillog_file;
	if (*maillog != '\0' && log_open_file(maillog) != 0)
		log_fatal("maillog_file %s: %s", maillog, strerror(errno));
}

static void server_on_grace(evutil_socket_t, short, void *);

static void
server_grace_arm(long ms)
{
	struct timeval tv = { ms / 1000, (ms % 1000) * 1000 };

	if (server.ev_grace == NULL &&
	    (server.ev_grace = evtimer_new(server.base, server_on_grace,
	    NULL)) == NULL)
		log_fatal("service %s: cannot make the stop timer",
		    server.service);
	evtimer_add(server.ev_grace, &tv);
}

static void
server_on_grace(evutil_socket_t fd, short what, void *arg)
{
	if (server.stopping == SERVER_WINDING_DOWN) {
		log_warn("service %s: still busy %d s after SIGTERM: cutting "
		    "off what is left", server.service, SERVER_STOP_GRACE);
		server.stopping = SERVER_LINGERING;
		server_grace_arm(SERVER_STOP_LINGER_MS);
		server.stop(SERVER_STOP_DEADLINE);
	} else {
		log_warn("service %s: last replies not sent within %d ms: "
		    "exiting", server.service, SERVER_STOP_LINGER_MS);
		server_stop(0);
	}
}

/* A graceful stop when the daemon has one, the first time only. */
static void
server_on_term(evutil_socket_t sig, short what, void *arg)
{
	if (server.stop == NULL || server.stopping != SERVER_RUNNING ||
	    (int)sig != SIGTERM) {
		log_debug("service %s: signal %d: exiting", server.service,
		    (int)sig);
		server_stop(0);
		return;
	}
	log_debug("service %s: signal %d: stopping within %d s",
	    server.service, (int)sig, SERVER_STOP_GRACE);
	server.stopping = SERVER_WINDING_DOWN;
	server_grace_arm(SERVER_STOP_GRACE * 1000L);
	server.stop(SERVER_STOP_BEGIN);
}

static void
server_on_wakeup(evutil_socket_t sig, short what, void *arg)
{
	if (server.hooks->wakeup != NULL)
		server.hooks->wakeup();
}

static void
server_on_status(evutil_socket_t fd, short what, void *arg)
{
	char c;
	ssize_t n;

	n = read(fd, &c, 1);
	if (n == 0) {
		log_debug("service %s: master is gone: exiting", server.service);
		server_stop(0);
	} else if (n < 0 && errno != EAGAIN && errno != EINTR) {
		log_error("service %s: master status pipe: %s", server.service,
		    strerror(errno));
		server_stop(1);
	}
}

static void
server_events(void)
{
	sigset_t set;

	if ((server.base = event_base_new()) == NULL)
		log_fatal("service %s: cannot create the event base",
		    server.service);
	server.ev_term = evsignal_new(server.base, SIGTERM, server_on_term, NULL);
	server.ev_int = evsignal_new(server.base, SIGINT, server_on_term, NULL);
	server.ev_wakeup = evsignal_new(server.base, SIGUSR1, server_on_wakeup,
	    NULL);
	server.ev_status = event_new(server.base, SERVER_STATUS_FD,
	    EV_READ | EV_PERSIST, server_on_status, NULL);
	if (server.ev_term == NULL || server.ev_int == NULL ||
	    server.ev_wakeup == NULL || server.ev_status == NULL ||
	    evsignal_add(server.ev_term, NULL) != 0 ||
	    evsignal_add(server.ev_int, NULL) != 0 ||
	    evsignal_add(server.ev_wakeup, NULL) != 0 ||
	    event_add(server.ev_status, NULL) != 0)
		log_fatal("service %s: cannot set up signal and status events",
		    server.service);
	/* master starts us with SIGUSR1 blocked: a wakeup that came before
	 * the handler was in place is delivered now. */
	sigemptyset(&set);
	sigaddset(&set, SIGUSR1);
	sigprocmask(SIG_UNBLOCK, &set, NULL);
}

static void
server_free_events(void)
{
	events_free(server.ev_term);
	events_free(server.ev_int);
	events_free(server.ev_grace);
	events_free(server.ev_wakeup);
	events_free(server.ev_status);
	if (server.base != NULL)
		event_base_free(server.base);
	server.ev_term = server.ev_int = server.ev_grace = NULL;
	server.ev_wakeup = server.ev_status = NULL;
	server.base = NULL;
}

int
server_main(int argc, char **argv, const struct server_hooks *hooks)
{
	static const struct server_hooks no_hooks;
	const char *config_dir = STS_CONFIG_DIR;
	char *overrides[SERVER_OVERRIDES_MAX];
	char **pargv;
	long long n;
	int noverrides = 0, pargc, ch, i;

	/* stderr is master's stderr under "master -f" (the worker's
	 * messages show there too), a pipe that master logs under a daemon
	 * master (-e: the log lines are not copied to it). */
	log_init(argv[0], LOG_TO_SYSLOG | LOG_TO_STDERR);
	proctitle_set(argv[0]);
	server.hooks = hooks != NULL ? hooks : &no_hooks;
	server.nsockets = -1;
	opterr = 0;
	while ((ch = getopt(argc, argv, "+c:n:t:s:o:uerv")) != -1) {
		switch (ch) {
		case 'c':
			config_dir = optarg;
			break;
		case 'n':
			server.service = optarg;
			break;
		case 't':
			if (strcmp(optarg, "inet") != 0 &&
			    strcmp(optarg, "unix") != 0)
				server_usage(argv[0]);
			server.type = optarg;
			break;
		case 's':
			if (cfg_parse_int(optarg, &n) != 0 || n < 0 ||
			    n > SERVER_SOCKETS_MAX)
				log_fatal("-s %s: expected a number of sockets "
				    "from 0 to %d", optarg, SERVER_SOCKETS_MAX);
			server.nsockets = (int)n;
			break;
		case 'o':
			if (noverrides == SERVER_OVERRIDES_MAX)
				log_fatal("more than %d -o options",
				    SERVER_OVERRIDES_MAX);
			overrides[noverrides++] = optarg;
			break;
		case 'u':
			server.unpriv = 1;
			break;
		case 'e':
			log_set_flags(log_get_flags() & ~LOG_TO_STDERR);
			break;
		case 'r':
			server.chroot = 1;
			break;
		case 'v':
			log_verbose = 1;
			break;
		default:
			server_usage(argv[0]);
		}
	}
	if (server.service == NULL || server.type == NULL || server.nsockets < 0)
		server_usage(argv[0]);
	server_check_fds();
	server_config(config_dir, overrides, noverrides);
	signal(SIGPIPE, SIG_IGN);

	/* The program's own arguments, with its name in front. */
	pargc = argc - optind + 1;
	pargv = xcalloc(pargc + 1, sizeof(char *));
	pargv[0] = argv[0];
	for (i = 1; i < pargc; i++)
		pargv[i] = argv[optind + i - 1];
	optind = 1;
	opterr = 1;

	if (chdir(var_queue_directory) != 0)
		log_fatal("queue_directory %s: chdir: %s",
		    var_queue_directory, strerror(errno));
	if (server.hooks->pre_jail != NULL)
		server.hooks->pre_jail(pargc, pargv);
	server_lsan_off = server.chroot && geteuid() == 0;
	if (server.unpriv || server.chroot)
		privsep_drop(server.unpriv ? var_mail_owner : NULL,
		    server.chroot ? var_queue_directory : NULL);
	server_events();
	optind = 1;
	if (server.hooks->post_jail != NULL)
		server.hooks->post_jail(pargc, pargv);
	log_debug("service %s: ready with %d %s", server.service,
	    server.nsockets, plural(server.nsockets, "socket", "sockets"));
	server.looping = 1;
	event_base_dispatch(server.base);
	server.looping = 0;
	if (server.hooks->cleanup != NULL)
		server.hooks->cleanup();
	server_free_events();
	free(pargv);
	cfg_free();
	return server.status;
}
