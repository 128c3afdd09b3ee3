/*
 * stsdcontrol - stsd start, start-fg, stop, reload and status: the master
 * process of the instance, found through its lock; see stsd.h.
 * SPDX-License-Identifier: ISC
 *
 * May touch: signals to the master process; $queue_directory/pid/
 * (read).
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

#include "cfg.h"
#include "mastercf.h"
#include "mymalloc.h"
#include "proctitle.h"
#include "stsd.h"

#define STSD_STOP_WAIT		30	/* seconds that stop waits */
#define STSD_POLL_US		100000	/* between looks at the lock */

/*
 * The argv of master: argv[0] is "stsd/master", so that ps tells it
 * from Postfix's master; *path is the program to exec.
 */
static char **
stsd_master_argv(int foreground, char **path)
{
	char **argv = xcalloc(6, sizeof(*argv));
	int n = 0;

	*path = xasprintf("%s/master", cfg_str("daemon_directory"));
	argv[n++] = proctitle_name(*path);
	if (foreground)
		argv[n++] = xstrdup("-f");
	if (stsd_verbose)
		argv[n++] = xstrdup("-v");
	argv[n++] = xstrdup("-c");
	argv[n++] = xstrdup(stsd_config_dir);
	argv[n] = NULL;
	return argv;
}

static void
stsd_free_argv(char **argv)
{
	char **p;

	for (p = argv; *p; p++)
		free(*p);
	free(argv);
}

/*
 * master's stderr, while it starts, is a file and not our stderr: what
 * master forks may keep the descriptor open for long, and a caller
 * that reads our output through a pipe ($(stsd start)) would wait for
 * it.  The file is copied to our stderr once master has returned.
 */
static int
stsd_error_file(void)
{
	char path[] = "/tmp/stsd-start.XXXXXX";
	int fd;

	if ((fd = mkstemp(path)) < 0)
		return -1;
	unlink(path);
	return fd;
}

static void
stsd_master_stdio(int errfd)
{
	int null = open("/dev/null", O_RDWR);

	if (null < 0 || dup2(null, STDIN_FILENO) < 0 ||
	    dup2(null, STDOUT_FILENO) < 0 || dup2(errfd, STDERR_FILENO) < 0)
		_exit(127);
	close(null);
	close(errfd);
}

static void
stsd_copy_errors(int errfd)
{
	char chunk[4096];
	ssize_t n;
	off_t off = 0;

	while ((n = pread(errfd, chunk, sizeof(chunk), off)) > 0) {
		if (write(STDERR_FILENO, chunk, (size_t)n) != n)
			break;
		off += n;
	}
	close(errfd);
}

int
stsd_start(int foreground)
{
	char **argv, *path;
	long pid;
	pid_t child;
	int status, running, errfd = -1;

	if (stsd_check(0, 1) > 0) {
		stsd_say("fatal: not starting: fix the problems above");
		return 1;
	}
	if ((running = stsd_master_pid(&pid)) != 0) {
		if (running > 0)
			stsd_say("the stsd master is already running (pid %ld)", pid);
		return 1;
	}
	argv = stsd_master_argv(foreground, &path);
	fflush(stdout);
	fflush(stderr);
	if (foreground) {
		execv(path, argv);
		stsd_say("fatal: %s: %s", path, strerror(errno));
		stsd_free_argv(argv);
		free(path);
		return 1;
	}
	if ((errfd = stsd_error_file()) < 0 || (child = fork()) < 0) {
		stsd_say("fatal: %s", strerror(errno));
		stsd_free_argv(argv);
		free(path);
		return 1;
	}
	if (child == 0) {
		stsd_master_stdio(errfd);
		execv(path, argv);
		stsd_say("fatal: %s: %s", path, strerror(errno));
		_exit(127);
	}
	stsd_free_argv(argv);
	free(path);
	while (waitpid(child, &status, 0) < 0)
		if (errno != EINTR) {
			stsd_say("fatal: waitpid: %s", strerror(errno));
			close(errfd);
			return 1;
		}
	stsd_copy_errors(errfd);
	if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
		stsd_say("the stsd master did not start");
		return WIFEXITED(status) && WEXITSTATUS(status) ? WEXITSTATUS(status) : 1;
	}
	if (stsd_master_pid(&pid) > 0)
		stsd_say("started the stsd master (pid %ld)", pid);
	return 0;
}

static int
stsd_running_or_say(long *pid)
{
	int rc;

	if (stsd_read_config() != 0)
		return -1;
	if ((rc = stsd_master_pid(pid)) == 0)
		stsd_say("the stsd master is not running");
	return rc;
}

int
stsd_stop(void)
{
	long pid, now;
	int i;

	if (stsd_running_or_say(&pid) <= 0)
		return 1;
	if (kill((pid_t)pid, SIGTERM) != 0) {
		stsd_say("error: cannot stop the stsd master (pid %ld): %s", pid,
		    strerror(errno));
		return 1;
	}
	stsd_say("stopping the stsd master (pid %ld)", pid);
	for (i = 0; i < STSD_STOP_WAIT * (1000000 / STSD_POLL_US); i++) {
		if (stsd_master_pid(&now) == 0)
			return 0;
		usleep(STSD_POLL_US);
	}
	stsd_say("error: the stsd master (pid %ld) did not stop within %d s",
	    pid, STSD_STOP_WAIT);
	return 1;
}

/*
 * Nothing is signalled unless master would take the new configuration
 * whole: a refused value would otherwise only show in the log, and
 * master would keep the old one while the operator believes otherwise.
 */
int
stsd_reload(void)
{
	struct mastercf *table;
	long pid;
	int problems;

	problems = stsd_check_config(&table);
	mastercf_free(table);
	if (problems != 0) {
		stsd_say("fatal: not reloading: fix the problems above; the "
		    "running configuration stays in effect");
		return 1;
	}
	if (stsd_running_or_say(&pid) <= 0)
		return 1;
	if (kill((pid_t)pid, SIGHUP) != 0) {
		stsd_say("error: cannot signal the stsd master (pid %ld): %s",
		    pid, strerror(errno));
		return 1;
	}
	stsd_say("refreshing the stsd master (pid %ld)", pid);
	return 0;
}

static void
stsd_status_line(const char *line)
{
	char service[256], type[16], pid[24], state[24];
	long long started;
	int restarts;
	char when[32];
	struct tm tm;
	time_t t;

	if (sscanf(line, "%255s %15s %23s %23s %lld %d", service, type, pid,
	    state, &started, &restarts) != 6) {
		stsd_say("warning: %s/%s: malformed line ignored: %.80s",
		    cfg_str("queue_directory"), STSD_SERVICES_FILE, line);
		return;
	}
	t = (time_t)started;
	if (localtime_r(&t, &tm) == NULL ||
	    strftime(when, sizeof(when), "%Y-%m-%d %H:%M:%S", &tm) == 0)
		snprintf(when, sizeof(when), "%lld", started);
	printf("%-23s %-5s %-8s %-10s %-20s %d\n", service, type,
	    strcmp(pid, "0") == 0 ? "-" : pid, state, when, restarts);
}

int
stsd_status(void)
{
	char line[STSD_SERVICES_LINE_MAX];
	char *path;
	FILE *fp;
	long pid;

	if (stsd_running_or_say(&pid) <= 0)
		return 1;
	printf("the stsd master is running (pid %ld)\n", pid);
	path = xasprintf("%s/%s", cfg_str("queue_directory"),
	    STSD_SERVICES_FILE);
	if ((fp = fopen(path, "re")) == NULL) {
		if (errno != ENOENT)
			stsd_say("warning: %s: %s", path, strerror(errno));
		free(path);
		return 0;
	}
	printf("%-23s %-5s %-8s %-10s %-20s %s\n", "SERVICE", "TYPE", "PID",
	    "STATE", "SINCE", "RESTARTS");
	while (fgets(line, sizeof(line), fp) != NULL) {
		line[strcspn(line, "\n")] = '\0';
		if (line[0] != '\0')
			stsd_status_line(line);
	}
	fclose(fp);
	free(path);
	return 0;
}

