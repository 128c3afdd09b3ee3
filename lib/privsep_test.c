/*
 * privsep_test - privsep_drop(): as root, in a child process: the user,
 * groups and jail change and root cannot be regained; an unknown user
 * is fatal with its name.  Not as root: nothing changes.
 * SPDX-License-Identifier: ISC
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "log.h"
#include "privsep.h"
#include "unit.h"

/* Runs fn in a child with stderr on a pipe; returns its exit status. */
static int
run_child(void (*fn)(const char *), const char *arg, char *out, size_t size)
{
	int pfd[2], status;
	ssize_t n;
	size_t len = 0;
	pid_t pid;

	if (pipe(pfd) != 0)
		return -1;
	fflush(stdout);
	if ((pid = fork()) == 0) {
		close(pfd[0]);
		dup2(pfd[1], 2);
		fn(arg);
		_exit(0);
	}
	close(pfd[1]);
	while (len < size - 1 && (n = read(pfd[0], out + len, size - 1 - len)) > 0)
		len += n;
	out[len] = '\0';
	close(pfd[0]);
	waitpid(pid, &status, 0);
	return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

static void
drop_nobody(const char *jail)
{
	struct passwd *pw = getpwnam("nobody");
	char cwd[64];

	privsep_drop("nobody", jail);
	if (getuid() != pw->pw_uid || geteuid() != pw->pw_uid)
		_exit(10);
	if (setuid(0) == 0 || seteuid(0) == 0)
		_exit(11);
	if (getcwd(cwd, sizeof(cwd)) == NULL || strcmp(cwd, "/") != 0)
		_exit(12);
	if (access("/marker", F_OK) != 0)	/* only inside the jail */
		_exit(13);
	_exit(0);
}

static void
drop_unknown(const char *unused)
{
	privsep_drop("no-such-user-for-privsep-test", NULL);
	_exit(0);
}

static void
drop_root(const char *unused)
{
	privsep_drop("root", NULL);
	_exit(0);
}

static void
drop_not_root(const char *unused)
{
	uid_t uid = getuid();

	privsep_drop("no-such-user-for-privsep-test", "/nonexistent");
	_exit(getuid() == uid ? 0 : 1);
}

int
main(void)
{
	char dir[] = "/tmp/privsep_test.XXXXXX", path[128], out[4096];
	int rc;

	log_init("privsep_test", LOG_TO_STDERR);
	if (geteuid() != 0) {
		rc = run_child(drop_not_root, NULL, out, sizeof(out));
		CHECK(rc == 0, "not root: privsep_drop changes nothing and "
		    "does not fail");
		return unit_failures > 0;
	}
	if (mkdtemp(dir) == NULL)
		return 1;
	chmod(dir, 0755);
	snprintf(path, sizeof(path), "%s/marker", dir);
	close(open(path, O_CREAT | O_WRONLY, 0644));

	if (getpwnam("nobody") != NULL) {
		rc = run_child(drop_nobody, dir, out, sizeof(out));
		CHECK(rc == 0, "root: drops to nobody in a chroot, cannot "
		    "regain root");
		if (rc != 0)
			printf("# child status %d: %s\n", rc, out);
	}
	rc = run_child(drop_unknown, NULL, out, sizeof(out));
	CHECK(rc == 1 && strstr(out, "fatal: privsep: user "
	    "no-such-user-for-privsep-test: no such user") != NULL,
	    "unknown user is fatal with its name");
	rc = run_child(drop_root, NULL, out, sizeof(out));
	CHECK(rc == 1 && strstr(out, "user root has uid 0") != NULL,
	    "a user with uid 0 is refused");
	unlink(path);
	rmdir(dir);
	return unit_failures > 0;
}
