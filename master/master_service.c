/*
 * master_service - the processes of each service: spawn, reap, restart,
 * throttle, wake up, and retire.
 * SPDX-License-Identifier: ISC
 *
 * A worker gets the descriptor convention of server(3): descriptor 3 is
 * the read end of master's status pipe, 4 and up the sockets of its
 * service; every other descriptor but 0, 1 and 2 is closed.  SIGUSR1 is
 * blocked at exec, and the worker unblocks it once it has a handler, so
 * an early wakeup does not kill it.
 *
 * A process that exits is restarted.  One that ran less than
 * service_crash_time is a fast death: the first is restarted at once,
 * the next ones after 1, 2, 4 ... seconds, at most
 * service_throttle_time.  A process that ran longer resets the count.
 *
 * A retired service (removed or changed by a reload) has no
 * configuration: its processes get SIGTERM, SIGKILL after
 * MASTER_STOP_GRACE seconds, and it is freed when the last is reaped.
 * A service that replaces it (same name and type) waits for that before
 * it starts any process, so that two generations of a daemon never run
 * together; its sockets, kept or new, queue connections meanwhile.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <event2/event.h>

#include "events.h"
#include "log.h"
#include "master.h"
#include "mymalloc.h"
#include "proctitle.h"
#include "server.h"

/* A worker's graceful stop ends before master loses patience. */
_Static_assert(SERVER_STOP_GRACE * 1000 + SERVER_STOP_LINGER_MS <
    MASTER_STOP_GRACE * 1000, "SERVER_STOP_GRACE exceeds MASTER_STOP_GRACE");

#define MASTER_THROTTLE_SHIFT_MAX	30	/* 2^30 s: never reached */
#define MASTER_REAP_POLL_USEC		50000

static int master_spawn(struct master_service *);

static void
master_proc_free(struct master_proc *p)
{
	master_stderr_close(p);
	free(p->command);
	free(p);
}
static void master_throttle(struct master_service *, pid_t, const char *);

static void
master_exit_str(int status, char *buf, size_t size)
{
	if (WIFEXITED(status))
		snprintf(buf, size, "status %d", WEXITSTATUS(status));
	else if (WIFSIGNALED(status))
		snprintf(buf, size, "signal %d", WTERMSIG(status));
	else
		snprintf(buf, size, "wait status %#x", status);
}

/* Descriptors 3, 4 ... for the worker; everything else closed. */
static void
master_child_fds(struct master_service *svc)
{
	int top = SERVER_LISTEN_FD + svc->nfds;
	int tmp[SERVER_SOCKETS_MAX + 1];
	int i, n = svc->nfds + 1;

	tmp[0] = fcntl(master.status_pipe[0], F_DUPFD, top);
	for (i = 0; i < svc->nfds; i++)
		tmp[i + 1] = fcntl(svc->fds[i], F_DUPFD, top);
	for (i = 0; i < n; i++)
		if (tmp[i] < 0 || dup2(tmp[i], SERVER_STATUS_FD + i) < 0)
			_exit(126);
	if (close_range(top, ~0U, 0) != 0) {
		for (i = top; i < top + n + 1024; i++)
			(void)close(i);
	}
}

static char **
master_child_argv(const struct mastercf_service *conf, int nfds)
{
	char **argv;
	int n = 0, i;

	argv = xcalloc(16 + 2 * conf->noverrides + conf->nargs, sizeof(char *));
	argv[n++] = proctitle_name(conf->command);
	argv[n++] = xstrdup("-c");
	argv[n++] = xstrdup(master.config_dir);
	argv[n++] = xstrdup("-n");
	argv[n++] = xstrdup(conf->name);
	argv[n++] = xstrdup("-t");
	argv[n++] = xstrdup(mastercf_type_name(conf->type));
	argv[n++] = xstrdup("-s");
	argv[n++] = xasprintf("%d", nfds);
	if (conf->unpriv)
		argv[n++] = xstrdup("-u");
	if (conf->chroot)
		argv[n++] = xstrdup("-r");
	if (log_verbose)
		argv[n++] = xstrdup("-v");
	if (!master.foreground)
		argv[n++] = xstrdup("-e");	/* stderr: master_stderr.c */
	for (i = 0; i < conf->noverrides; i++) {
		argv[n++] = xstrdup("-o");
		argv[n++] = xstrdup(conf->overrides[i]);
	}
	argv[n++] = xstrdup("--");
	for (i = 0; i < conf->nargs; i++)
		argv[n++] = xstrdup(conf->args[i]);
	argv[n] = NULL;
	return argv;
}

static void
master_free_argv(char **argv)
{
	int i;

	for (i = 0; argv[i] != NULL; i++)
		free(argv[i]);
	free(argv);
}

static int
master_spawn(struct master_service *svc)
{
	const struct mastercf_service *conf = svc->conf;
	struct master_proc *proc;
	sigset_t set;
	char **argv, *path;
	const char *slash;
	int errfds[2];
	pid_t pid;

	path = xasprintf("%s/%s", var_daemon_directory, conf->command);
	if (access(path, X_OK) != 0)
		log_error("service %s: %s: %s", conf->name, path,
		    strerror(errno));
	argv = master_child_argv(conf, svc->nfds);
	(void)master_stderr_pipe(errfds);
	if ((pid = fork()) < 0) {
		log_error("service %s: fork: %s", conf->name, strerror(errno));
		if (errfds[0] >= 0) {
			close(errfds[0]);
			close(errfds[1]);
		}
		master_free_argv(argv);
		free(path);
		return -1;
	}
	if (pid == 0) {
		signal(SIGPIPE, SIG_DFL);
		signal(SIGHUP, SIG_DFL);
		signal(SIGINT, SIG_DFL);
		signal(SIGTERM, SIG_DFL);
		signal(SIGCHLD, SIG_DFL);
		sigemptyset(&set);
		sigaddset(&set, SIGUSR1);
		sigprocmask(SIG_SETMASK, &set, NULL);
		master_stderr_child(errfds);
		master_child_fds(svc);
		execv(path, argv);
		_exit(127);
	}
	master_free_argv(argv);
	free(path);
	proc = xcalloc(1, sizeof(*proc));
	proc->pid = pid;
	proc->started = time(NULL);
	proc->svc = svc;
	slash = strrchr(conf->command, '/');
	proc->command = xstrdup(slash != NULL ? slash + 1 : conf->command);
	master_stderr_watch(proc, errfds);
	proc->next = svc->procs;
	svc->procs = proc;
	svc->nproc++;
	log_debug("service %s: started process %ld", svc->name, (long)pid);
	return 0;
}

/* Brings the service up to maxproc processes. */
static void
master_fill(struct master_service *svc, int restarting)
{
	while (svc->nproc < svc->conf->maxproc) {
		if (master_spawn(svc) != 0) {
			svc->fast_deaths++;
			master_throttle(svc, 0, "fork failed");
			break;
		}
		if (restarting)
			svc->restarts++;
	}
	master_status_write();
}

static void
master_on_throttle(evutil_socket_t fd, short what, void *arg)
{
	struct master_service *svc = arg;

	svc->throttled = 0;
	log_info("service %s: throttling over: restarting", svc->name);
	master_fill(svc, 1);
}

static void
master_on_wakeup(evutil_socket_t fd, short what, void *arg)
{
	struct master_service *svc = arg;
	struct master_proc *p;
	int sent = 0;

	for (p = svc->procs; p != NULL; p = p->next)
		if (p->pid > 0 && kill(p->pid, SIGUSR1) == 0)
			sent++;
	if (sent == 0 && !svc->conf->wakeup_optional)
		log_warn("service %s: no process to wake up", svc->name);
}

static void
master_on_kill(evutil_socket_t fd, short what, void *arg)
{
	struct master_service *svc = arg;
	struct master_proc *p;

	for (p = svc->procs; p != NULL; p = p->next) {
		log_warn("service %s: process %ld did not stop after %d s: "
		    "killing it", svc->name, (long)p->pid, MASTER_STOP_GRACE);
		(void)kill(p->pid, SIGKILL);
	}
}

struct master_service *
master_service_new(const struct mastercf_service *conf,
    struct master_service *from, struct buf *err)
{
	struct master_service *svc;

	svc = xcalloc(1, sizeof(*svc));
	svc->name = xstrdup(conf->name);
	svc->type = conf->type;
	svc->conf = conf;
	master_stderr_budget_init(svc);
	if (from != NULL) {
		svc->fds = from->fds;
		svc->nfds = from->nfds;
		memcpy(svc->socket_paths, from->socket_paths,
		    sizeof(svc->socket_paths));
		from->fds = NULL;
		from->nfds = 0;
		memset(from->socket_paths, 0, sizeof(from->socket_paths));
	} else if (master_listen(svc, conf, err) != 0) {
		master_service_free(svc);
		return NULL;
	}
	if (svc->nfds > SERVER_SOCKETS_MAX) {
		buf_printf(err, "service %s: more than %d sockets", conf->name,
		    SERVER_SOCKETS_MAX);
		master_service_free(svc);
		return NULL;
	}
	svc->next = master.services;
	master.services = svc;
	return svc;
}

/* Another service of this name and type still has processes. */
static int
master_service_blocked(const struct master_service *svc)
{
	const struct master_service *s;

	for (s = master.services; s != NULL; s = s->next)
		if (s != svc && s->nproc > 0 && s->type == svc->type &&
		    strcmp(s->name, svc->name) == 0)
			return 1;
	return 0;
}

/* Starts the services that waited for a retired one to be gone. */
static void
master_service_run_waiting(void)
{
	struct master_service *svc;

	for (svc = master.services; svc != NULL; svc = svc->next) {
		if (!svc->waiting || svc->conf == NULL ||
		    master_service_blocked(svc))
			continue;
		log_debug("service %s: the old processes are gone: starting",
		    svc->name);
		master_service_run(svc);
	}
}

/* Events and processes; needs the event base. */
void
master_service_run(struct master_service *svc)
{
	struct timeval tv;

	svc->waiting = master_service_blocked(svc);
	if (svc->waiting)
		return;
	svc->ev_throttle = evtimer_new(master.base, master_on_throttle, svc);
	if (svc->conf->wakeup > 0) {
		svc->ev_wakeup = event_new(master.base, -1, EV_PERSIST,
		    master_on_wakeup, svc);
		tv.tv_sec = svc->conf->wakeup;
		tv.tv_usec = 0;
		event_add(svc->ev_wakeup, &tv);
	}
	master_fill(svc, 0);
}

static void
master_service_events_free(struct master_service *svc)
{
	events_free(svc->ev_throttle);
	events_free(svc->ev_wakeup);
	events_free(svc->ev_kill);
	svc->ev_throttle = svc->ev_wakeup = svc->ev_kill = NULL;
}

/* Unlinks and frees a service that has no processes left. */
void
master_service_free(struct master_service *svc)
{
	struct master_service **pp;
	struct master_proc *p;

	for (pp = &master.services; *pp != NULL; pp = &(*pp)->next) {
		if (*pp == svc) {
			*pp = svc->next;
			break;
		}
	}
	master_service_events_free(svc);
	master_unlisten(svc);
	while ((p = svc->procs) != NULL) {
		svc->procs = p->next;
		master_proc_free(p);
	}
	free(svc->name);
	free(svc);
}

void
master_service_retire(struct master_service *svc)
{
	struct master_proc *p;
	struct timeval tv = { MASTER_STOP_GRACE, 0 };

	log_info("service %s: stopping", svc->name);
	svc->conf = NULL;
	master_service_events_free(svc);
	master_unlisten(svc);
	if (svc->nproc == 0) {
		master_service_free(svc);
		return;
	}
	for (p = svc->procs; p != NULL; p = p->next)
		(void)kill(p->pid, SIGTERM);
	svc->ev_kill = evtimer_new(master.base, master_on_kill, svc);
	evtimer_add(svc->ev_kill, &tv);
}

static void
master_throttle(struct master_service *svc, pid_t pid, const char *how)
{
	long long limit = var_service_throttle_time;
	long long delay;
	int shift = svc->fast_deaths - 2;
	struct timeval tv;

	if (shift < 0)
		shift = 0;
	if (shift > MASTER_THROTTLE_SHIFT_MAX)
		shift = MASTER_THROTTLE_SHIFT_MAX;
	delay = 1LL << shift;
	if (delay > limit)
		delay = limit > 0 ? limit : 1;
	log_warn("service %s: process %ld exited too quickly %d times (%s); "
	    "throttling for %lld s", svc->name, (long)pid, svc->fast_deaths,
	    how, delay);
	svc->throttled = 1;
	svc->throttled_since = time(NULL);
	tv.tv_sec = delay;
	tv.tv_usec = 0;
	evtimer_add(svc->ev_throttle, &tv);
}

static void
master_exited(struct master_service *svc, struct master_proc *proc,
    int status)
{
	time_t now = time(NULL);
	char how[64];

	master_exit_str(status, how, sizeof(how));
	if (svc->conf == NULL || master.stopping) {
		log_debug("service %s: process %ld stopped (%s)", svc->name,
		    (long)proc->pid, how);
		return;
	}
	if (WIFEXITED(status) && WEXITSTATUS(status) == 0)
		log_info("service %s: process %ld exited (%s)", svc->name,
		    (long)proc->pid, how);
	else
		log_warn("service %s: process %ld exited (%s)", svc->name,
		    (long)proc->pid, how);
	if (now - proc->started < var_service_crash_time)
		svc->fast_deaths++;
	else
		svc->fast_deaths = 0;
	if (svc->throttled)
		return;
	if (svc->fast_deaths <= 1)
		master_fill(svc, 1);
	else
		master_throttle(svc, proc->pid, how);
}

static int
master_take_proc(pid_t pid, struct master_service **svcp,
    struct master_proc **procp)
{
	struct master_service *svc;
	struct master_proc **pp;

	for (svc = master.services; svc != NULL; svc = svc->next) {
		for (pp = &svc->procs; *pp != NULL; pp = &(*pp)->next) {
			if ((*pp)->pid == pid) {
				*procp = *pp;
				*pp = (*pp)->next;
				svc->nproc--;
				*svcp = svc;
				return 0;
			}
		}
	}
	return -1;
}

/* Collects every child that exited; restarts or throttles. */
void
master_reap(void)
{
	struct master_service *svc;
	struct master_proc *proc;
	pid_t pid;
	int status;

	while ((pid = waitpid(-1, &status, WNOHANG)) > 0) {
		if (master_take_proc(pid, &svc, &proc) != 0) {
			log_debug("reaped unknown process %ld", (long)pid);
			continue;
		}
		master_stderr_close(proc);	/* its last words first */
		master_exited(svc, proc, status);
		master_proc_free(proc);
		if (svc->conf == NULL && svc->nproc == 0)
			master_service_free(svc);
	}
	if (!master.stopping) {
		master_service_run_waiting();
		master_status_write();
	}
}

static int
master_nproc_all(void)
{
	struct master_service *svc;
	int n = 0;

	for (svc = master.services; svc != NULL; svc = svc->next)
		n += svc->nproc;
	return n;
}

static void
master_signal_all(int sig)
{
	struct master_service *svc;
	struct master_proc *p;

	for (svc = master.services; svc != NULL; svc = svc->next)
		for (p = svc->procs; p != NULL; p = p->next)
			if (p->pid > 0)
				(void)kill(p->pid, sig);
}

/* SIGTERM to every worker; SIGKILL to what is left after the grace. */
void
master_stop_all(void)
{
	time_t deadline = time(NULL) + MASTER_STOP_GRACE;
	int killed = 0;

	master.stopping = 1;
	master_signal_all(SIGTERM);
	while (master_nproc_all() > 0) {
		master_reap();
		if (master_nproc_all() == 0)
			break;
		if (!killed && time(NULL) >= deadline) {
			log_warn("%d process(es) did not stop after %d s: killing "
			    "them", master_nproc_all(), MASTER_STOP_GRACE);
			master_signal_all(SIGKILL);
			killed = 1;
		}
		usleep(MASTER_REAP_POLL_USEC);
	}
	while (master.services != NULL)
		master_service_free(master.services);
}
