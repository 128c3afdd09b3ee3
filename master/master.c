/*
 * master - the stsd process supervisor.
 * SPDX-License-Identifier: ISC
 *
 * SYNOPSIS
 *	master [-c config_dir] [-f] [-t] [-v]
 *
 * DESCRIPTION
 *	master reads main.cf and master.cf, takes the lock of
 *	$queue_directory/pid/master.pid (one master per instance), binds
 *	the listening sockets of every service while it is still root, and
 *	starts maxproc processes of $daemon_directory/COMMAND per service
 *	with the descriptor convention of server(3).  It restarts a process
 *	that exits, throttles a service whose processes keep dying, sends
 *	SIGUSR1 every wakeup interval, re-reads its configuration on
 *	SIGHUP (restarting what it changed: master_reload.c), and stops
 *	every process on SIGTERM or SIGINT.  See
 *	stsd-master(8); the modules are listed in master.h.
 *
 *	Without -f master becomes a daemon: the parent waits on a pipe
 *	until the child holds the lock and has bound every socket, then
 *	exits 0, or prints the child's fatal error and exits 1.  The
 *	workers of a daemon master write their stderr to pipes that master
 *	logs (master_stderr.c); under -f they share master's stderr.
 *
 * FILES
 *	Reads main.cf and master.cf; writes $queue_directory/pid/master.pid
 *	and pid/services; creates the unix sockets in private/ and public/.
 *	It creates no directory: a missing one is fatal.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <event2/event.h>

#include "cfg.h"
#include "log.h"
#include "params.h"
#include "plural.h"
#include "master.h"
#include "mymalloc.h"
#include "proctitle.h"
#include "proto.h"
#include "usage.h"

#define MASTER_DAEMON_MSG_MAX	(64 * 1024)	/* child's start-up messages */
#define MASTER_READY		'\0'		/* "started" on the pipe */

struct master_state master = {
	.status_pipe = { -1, -1 },
	.lock_fd = -1,
};

static const char master_usage_text[] =
	"usage: master [-c config_dir] [-f] [-t] [-v]\n"
	"       master -h | --help | --version\n";

static void __attribute__((noreturn))
master_usage(void)
{
	usage_print(master_usage_text, USAGE_EXIT_ERROR);
}

/* master creates no directory: stsd check does. */
static void
master_check_dirs(void)
{
	static const char *const dirs[] = { PROTO_PRIVATE_DIR,
	    PROTO_PUBLIC_DIR, "pid" };
	struct stat st;
	char *path;
	size_t i;

	for (i = 0; i < sizeof(dirs) / sizeof(dirs[0]); i++) {
		path = xasprintf("%s/%s", master.queue_dir, dirs[i]);
		if (stat(path, &st) != 0)
			log_fatal("%s: %s (run stsd check)", path, strerror(errno));
		if (!S_ISDIR(st.st_mode))
			log_fatal("%s: %s (run stsd check)", path,
			    strerror(ENOTDIR));
		free(path);
	}
}

/*
 * The parent side of daemonizing: copies what the child says to stderr
 * and exits 0 when it ends with the ready byte, 1 otherwise.
 */
static void __attribute__((noreturn))
master_daemon_parent(int fd, pid_t child)
{
	char *msg = xmalloc(MASTER_DAEMON_MSG_MAX);
	size_t len = 0;
	ssize_t n;
	int status, ready;

	while (len < MASTER_DAEMON_MSG_MAX &&
	    (n = read(fd, msg + len, MASTER_DAEMON_MSG_MAX - len)) != 0) {
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			break;
		len += n;
		/* Stop at the ready byte: the write end may live on. */
		if (msg[len - 1] == MASTER_READY)
			break;
	}
	ready = len > 0 && msg[len - 1] == MASTER_READY;
	if (ready)
		len--;
	if (len > 0 && write(STDERR_FILENO, msg, len) < 0) {
		/* nowhere left to say it */
	}
	free(msg);
	if (!ready) {
		(void)waitpid(child, &status, 0);
		if (len == 0)
			log_error("the master process ended before it started "
			    "(wait status %#x)", status);
	}
	cfg_free();
	mastercf_free(master.table);
	free(master.params);
	free(master.config_dir);
	free(master.queue_dir);
	_exit(ready ? 0 : 1);
}

/* Returns in the child, with stderr on the pipe to the parent. */
static int
master_daemonize(void)
{
	int pfd[2];
	pid_t pid;

	if (pipe2(pfd, O_CLOEXEC) != 0)
		log_fatal("pipe: %s", strerror(errno));
	if ((pid = fork()) < 0)
		log_fatal("fork: %s", strerror(errno));
	if (pid > 0) {
		close(pfd[1]);
		master_daemon_parent(pfd[0], pid);
	}
	close(pfd[0]);
	if (setsid() < 0)
		log_fatal("setsid: %s", strerror(errno));
	if (dup2(pfd[1], STDERR_FILENO) < 0)
		log_fatal("dup2: %s", strerror(errno));
	close(pfd[1]);
	return 0;
}

/* Start-up is over: tell the parent, and let go of the terminal. */
static void
master_ready(void)
{
	char c = MASTER_READY;
	int fd;

	if (master.foreground)
		return;
	if (write(STDERR_FILENO, &c, 1) != 1) {
		/* the parent is gone: nobody to tell */
	}
	if ((fd = open("/dev/null", O_RDWR)) < 0)
		log_fatal("/dev/null: %s", strerror(errno));
	(void)dup2(fd, STDIN_FILENO);
	(void)dup2(fd, STDOUT_FILENO);
	(void)dup2(fd, STDERR_FILENO);
	if (fd > STDERR_FILENO)
		close(fd);
	log_set_flags(LOG_TO_SYSLOG);
}

static void
master_on_signal(evutil_socket_t sig, short what, void *arg)
{
	switch (sig) {
	case SIGCHLD:
		master_reap();
		break;
	case SIGHUP:
		log_info("SIGHUP: reloading the configuration");
		master_reload();
		break;
	default:
		log_info("signal %d: stopping", (int)sig);
		event_base_loopbreak(master.base);
		break;
	}
}

static void
master_config(const char *config_dir)
{
	struct buf err = BUF_INIT;
	char resolved[PATH_MAX];
	const char *maillog;

	if (realpath(config_dir, resolved) == NULL)
		log_fatal("%s: %s", config_dir, strerror(errno));
	master.config_dir = xstrdup(resolved);
	if (cfg_read(master.config_dir, &err) != 0 || cfg_check_host(&err) != 0)
		log_fatal("%s", err.s);
	buf_free(&err);
	master.queue_dir = xstrdup(var_queue_directory);
	maillog = var_maillog_file;
	if (*maillog != '\0' && log_open_file(maillog) != 0)
		log_fatal("maillog_file %s: %s", maillog, strerror(errno));
}

static void
master_read_services(void)
{
	struct buf err = BUF_INIT;
	char *path;

	path = xasprintf("%s/master.cf", master.config_dir);
	if (mastercf_read(path, 0, &master.table, &err) != 0)
		log_fatal("%s", err.s);
	free(path);
	buf_free(&err);
}

static void
master_bind_all(void)
{
	struct buf err = BUF_INIT;
	int i;

	if (pipe2(master.status_pipe, O_CLOEXEC) != 0)
		log_fatal("pipe: %s", strerror(errno));
	for (i = 0; i < master.table->nservices; i++) {
		if (master_service_new(&master.table->services[i], NULL,
		    &err) == NULL) {
			master_status_remove();
			while (master.services != NULL)
				master_service_free(master.services);
			master_lock_release();
			log_fatal("%s", err.s);
		}
	}
	buf_free(&err);
}

static void
master_run(void)
{
	static const int sigs[] = { SIGCHLD, SIGHUP, SIGTERM, SIGINT };
	struct event *ev[sizeof(sigs) / sizeof(sigs[0])];
	struct master_service *svc;
	size_t i;

	if ((master.base = event_base_new()) == NULL)
		log_fatal("cannot create the event base");
	for (i = 0; i < sizeof(sigs) / sizeof(sigs[0]); i++) {
		ev[i] = evsignal_new(master.base, sigs[i], master_on_signal, NULL);
		if (ev[i] == NULL || evsignal_add(ev[i], NULL) != 0)
			log_fatal("cannot handle signal %d", sigs[i]);
	}
	signal(SIGPIPE, SIG_IGN);
	/* Before any worker inherits stderr, the pipe to the parent. */
	master_ready();
	for (svc = master.services; svc != NULL; svc = svc->next)
		master_service_run(svc);
	log_info("started, configuration %s, %d %s", master.config_dir,
	    master.table->nservices, plural(master.table->nservices,
	    "service", "services"));
	event_base_dispatch(master.base);

	master_stop_all();
	master_status_remove();
	master_lock_release();
	log_info("stopped");
	for (i = 0; i < sizeof(sigs) / sizeof(sigs[0]); i++)
		event_free(ev[i]);
	event_base_free(master.base);
	master.base = NULL;
}

int
main(int argc, char **argv)
{
	const char *config_dir = usage_config_dir();
	int ch, test = 0, running;

	log_init("master", LOG_TO_SYSLOG | LOG_TO_STDERR);
	proctitle_set("master");
	while ((ch = usage_getopt(argc, argv, "c:ftvh", "master",
	    master_usage_text, &config_dir)) != -1) {
		switch (ch) {
		case 'f':
			master.foreground = 1;
			break;
		case 't':
			test = 1;
			break;
		case 'v':
			log_verbose = 1;
			break;
		default:
			master_usage();
		}
	}
	if (optind != argc)
		master_usage();
	umask(022);
	master_config(config_dir);
	if (test) {
		running = master_lock_test(master.queue_dir);
		cfg_free();
		free(master.config_dir);
		free(master.queue_dir);
		return running;
	}
	master_check_dirs();
	master_read_services();
	master_reload_snapshot();
	if (!master.foreground)
		master_daemonize();
	{
		struct buf err = BUF_INIT;

		if (master_lock_take(&err) != 0)
			log_fatal("%s", err.s);
		buf_free(&err);
	}
	master_bind_all();
	master_run();
	close(master.status_pipe[0]);
	close(master.status_pipe[1]);
	mastercf_free(master.table);
	free(master.params);
	cfg_free();
	free(master.config_dir);
	free(master.queue_dir);
	return 0;
}
