/*
 * server_test - the worker side of the master protocol, run in child
 * processes set up the way master sets up a worker: the standard
 * arguments, -o overrides, the hooks in order, the descriptor accessors,
 * SIGUSR1 -> wakeup, SIGTERM and end-of-file on descriptor 3 -> exit 0,
 * and the fatal errors for a missing descriptor or bad arguments.
 * SPDX-License-Identifier: ISC
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <event2/event.h>

#include "cfg.h"
#include "log.h"
#include "server.h"
#include "unit.h"

static int report_fd = -1;	/* child -> test: what the hooks saw */

static void
report(const char *s)
{
	if (write(report_fd, s, strlen(s)) < 0)
		_exit(90);
}

static void
hook_pre(int argc, char **argv)
{
	char line[256];

	snprintf(line, sizeof(line), "pre argc=%d arg1=%s base=%s\n", argc,
	    argc > 1 ? argv[1] : "-", server_base() ? "yes" : "no");
	report(line);
}

static void
hook_post(int argc, char **argv)
{
	char line[256];

	snprintf(line, sizeof(line), "post service=%s type=%s n=%d fd0=%d "
	    "base=%s timeout=%lld\n", server_service(), server_type(),
	    server_nsockets(), server_nsockets() > 0 ? server_socket(0) : -1,
	    server_base() ? "yes" : "no", cfg_time("ipc_timeout"));
	report(line);
	report("ready\n");
}

static void
hook_wakeup(void)
{
	report("wakeup\n");
}

static void
hook_cleanup(void)
{
	report("cleanup\n");
}

static const struct server_hooks hooks = {
	hook_pre, hook_post, hook_wakeup, hook_cleanup
};

struct child {
	pid_t	 pid;
	int	 status_w;	/* master's end of the status pipe */
	int	 report_r;
	int	 err_r;
};

/* Starts server_main in a child, with fds 3 and 4 as master sets them. */
static int
child_start(struct child *c, const char *confdir, int with_fds,
    const char *extra)
{
	int st[2], rp[2], ep[2], sock;
	pid_t pid;

	if (pipe(st) != 0 || pipe(rp) != 0 || pipe(ep) != 0)
		return -1;
	sock = socket(AF_INET, SOCK_STREAM, 0);
	fflush(stdout);
	if ((pid = fork()) == 0) {
		char *argv[20];
		int n = 0;

		close(st[1]);
		close(rp[0]);
		close(ep[0]);
		dup2(ep[1], 2);
		report_fd = fcntl(rp[1], F_DUPFD, 20);
		if (with_fds) {
			dup2(st[0], 3);
			dup2(sock, 4);
		} else {
			close(3);
			close(4);
		}
		argv[n++] = "server_test";
		argv[n++] = "-c";
		argv[n++] = (char *)confdir;
		argv[n++] = "-n";
		argv[n++] = "svc1";
		argv[n++] = "-t";
		argv[n++] = "inet";
		argv[n++] = "-s";
		argv[n++] = extra && strcmp(extra, "bad-s") == 0 ? "x" : "1";
		argv[n++] = "-o";
		argv[n++] = "ipc_timeout=7s";
		argv[n++] = "--";
		argv[n++] = "own-arg";
		argv[n] = NULL;
		_exit(server_main(n, argv, &hooks));
	}
	close(st[0]);
	close(rp[1]);
	close(ep[1]);
	close(sock);
	c->pid = pid;
	c->status_w = st[1];
	c->report_r = rp[0];
	c->err_r = ep[0];
	return 0;
}

/* Reads the report pipe until it contains want (or EOF). */
static int
child_wait_for(struct child *c, const char *want, char *buf, size_t size)
{
	size_t len = strlen(buf);
	ssize_t n;

	while (strstr(buf, want) == NULL && len < size - 1) {
		n = read(c->report_r, buf + len, size - 1 - len);
		if (n <= 0)
			return 0;
		len += n;
		buf[len] = '\0';
	}
	return strstr(buf, want) != NULL;
}

static int
child_end(struct child *c, char *err, size_t size)
{
	int status;
	ssize_t n;
	size_t len = 0;

	while (len < size - 1 && (n = read(c->err_r, err + len,
	    size - 1 - len)) > 0)
		len += n;
	err[len] = '\0';
	waitpid(c->pid, &status, 0);
	close(c->report_r);
	close(c->err_r);
	if (c->status_w >= 0)
		close(c->status_w);
	return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

int
main(void)
{
	char dir[] = "/tmp/server_test.XXXXXX", path[128];
	char buf[4096], err[4096];
	struct child c;
	FILE *fp;
	int rc;

	log_init("server_test", LOG_TO_STDERR);
	unit_tmppath(dir, path, sizeof(path), "main.cf");
	fp = fopen(path, "w");
	fprintf(fp, "queue_directory = %s\nipc_timeout = 3s\n", dir);
	fclose(fp);

	/* Normal life: hooks, wakeup, then the master goes away. */
	buf[0] = '\0';
	child_start(&c, dir, 1, NULL);
	CHECK(child_wait_for(&c, "ready\n", buf, sizeof(buf)),
	    "worker runs both hooks");
	CHECK(strstr(buf, "pre argc=2 arg1=own-arg base=no\n") != NULL,
	    "pre_jail gets the program arguments, before the event base");
	CHECK(strstr(buf, "post service=svc1 type=inet n=1 fd0=4 base=yes "
	    "timeout=7\n") != NULL,
	    "post_jail sees service, type, socket 4, event base, -o override");
	kill(c.pid, SIGUSR1);
	CHECK(child_wait_for(&c, "wakeup\n", buf, sizeof(buf)),
	    "SIGUSR1 calls the wakeup hook");
	close(c.status_w);
	c.status_w = -1;
	CHECK(child_wait_for(&c, "cleanup\n", buf, sizeof(buf)),
	    "end-of-file on descriptor 3 runs cleanup");
	rc = child_end(&c, err, sizeof(err));
	CHECK(rc == 0, "worker exits 0 when master is gone");
	if (rc != 0)
		printf("# status %d: %s\n", rc, err);

	/* SIGTERM. */
	buf[0] = '\0';
	child_start(&c, dir, 1, NULL);
	child_wait_for(&c, "ready\n", buf, sizeof(buf));
	kill(c.pid, SIGTERM);
	CHECK(child_wait_for(&c, "cleanup\n", buf, sizeof(buf)),
	    "SIGTERM runs cleanup");
	rc = child_end(&c, err, sizeof(err));
	CHECK(rc == 0, "worker exits 0 on SIGTERM");

	/* Not started by master. */
	buf[0] = '\0';
	child_start(&c, dir, 0, NULL);
	rc = child_end(&c, err, sizeof(err));
	CHECK(rc == 1 && strstr(err, "fatal: no master status pipe on "
	    "descriptor 3: this program is started by stsd-master(8)") != NULL,
	    "without descriptor 3 the worker refuses to run");

	/* Bad -s. */
	child_start(&c, dir, 1, "bad-s");
	rc = child_end(&c, err, sizeof(err));
	CHECK(rc == 1 && strstr(err, "fatal: -s x: expected a number of "
	    "sockets from 0 to 64") != NULL, "bad -s is fatal");

	/* Bad main.cf. */
	fp = fopen(path, "w");
	fprintf(fp, "ipc_timeout = 3x\n");
	fclose(fp);
	child_start(&c, dir, 1, NULL);
	rc = child_end(&c, err, sizeof(err));
	CHECK(rc == 1 && strstr(err, "main.cf:1:") != NULL,
	    "a bad main.cf is fatal with file and line");

	unlink(path);
	rmdir(dir);
	return unit_failures > 0;
}
