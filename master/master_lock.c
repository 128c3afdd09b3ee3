/*
 * master_lock - the pid file of master and the lock that makes it the
 * only master of an instance.
 * SPDX-License-Identifier: ISC
 *
 * $queue_directory/pid/master.pid holds the pid of the running master,
 * one decimal number and a newline, and is locked with flock(LOCK_EX)
 * for as long as that master runs.  A file that exists but is not
 * locked is stale.  "master -t" and "stsd status" test the lock, not
 * the pid: a pid may be reused, a lock dies with its process.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <unistd.h>

#include "log.h"
#include "master.h"
#include "mymalloc.h"

#define MASTER_PID_MAX	32	/* bytes of pid file that are read */

static char *
master_lock_path(const char *queue_dir)
{
	return xasprintf("%s/%s", queue_dir, MASTER_PID_FILE);
}

static long
master_lock_read_pid(int fd)
{
	char text[MASTER_PID_MAX];
	ssize_t n;

	n = pread(fd, text, sizeof(text) - 1, 0);
	if (n <= 0)
		return 0;
	text[n] = '\0';
	return strtol(text, NULL, 10);
}

int
master_lock_take(struct buf *err)
{
	char *path = master_lock_path(master.queue_dir);
	char text[MASTER_PID_MAX];
	int fd, len;

	fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0644);
	if (fd < 0) {
		buf_printf(err, "%s: %s%s", path, strerror(errno),
		    errno == ENOENT ? " (run stsd check)" : "");
		free(path);
		return -1;
	}
	if (flock(fd, LOCK_EX | LOCK_NB) != 0) {
		if (errno == EWOULDBLOCK)
			buf_printf(err, "the stsd master is already running "
			    "(pid %ld)", master_lock_read_pid(fd));
		else
			buf_printf(err, "%s: lock: %s", path, strerror(errno));
		close(fd);
		free(path);
		return -1;
	}
	len = snprintf(text, sizeof(text), "%ld\n", (long)getpid());
	if (ftruncate(fd, 0) != 0 || pwrite(fd, text, len, 0) != len) {
		buf_printf(err, "%s: write: %s", path, strerror(errno));
		close(fd);
		free(path);
		return -1;
	}
	free(path);
	master.lock_fd = fd;
	return 0;
}

int
master_lock_test(const char *queue_dir)
{
	char *path = master_lock_path(queue_dir);
	int fd, running = 0;

	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) >= 0) {
		if (flock(fd, LOCK_SH | LOCK_NB) != 0 && errno == EWOULDBLOCK) {
			running = 1;
			log_debug("running: pid %ld", master_lock_read_pid(fd));
		}
		close(fd);
	}
	free(path);
	return running;
}

/* Removes the pid file, then lets go of the lock. */
void
master_lock_release(void)
{
	char *path;

	if (master.lock_fd < 0)
		return;
	path = master_lock_path(master.queue_dir);
	if (unlink(path) != 0 && errno != ENOENT)
		log_warn("%s: remove: %s", path, strerror(errno));
	free(path);
	close(master.lock_fd);
	master.lock_fd = -1;
}
