/*
 * fileio - whole files written atomically; see fileio.h.  Touches only
 * the paths it is given and their .tmp siblings.
 * SPDX-License-Identifier: ISC
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "buf.h"
#include "fileio.h"
#include "mymalloc.h"

int
fileio_fsync_dir(const char *dir)
{
	int fd, rc;

	if ((fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) < 0)
		return -1;
	rc = fsync(fd);
	close(fd);
	return rc;
}

int
fileio_write_tmp(const char *tmp, const void *data, size_t len, mode_t mode,
    int flags, struct buf *err)
{
	const char *p = data;
	size_t done = 0;
	ssize_t n;
	int fd;

	unlink(tmp);
	if ((fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, mode)) < 0) {
		buf_printf(err, "%s: cannot create: %s", tmp, strerror(errno));
		return -1;
	}
	while (done < len) {
		if ((n = write(fd, p + done, len - done)) < 0) {
			if (errno == EINTR)
				continue;
			break;
		}
		done += (size_t)n;
	}
	if (done < len || ((flags & FILEIO_SYNC) && fsync(fd) < 0)) {
		buf_printf(err, "%s: cannot write: %s", tmp, strerror(errno));
		close(fd);
		unlink(tmp);
		return -1;
	}
	if (close(fd) < 0) {
		buf_printf(err, "%s: cannot write: %s", tmp, strerror(errno));
		unlink(tmp);
		return -1;
	}
	return 0;
}

int
fileio_rename(const char *tmp, const char *path, struct buf *err)
{
	if (rename(tmp, path) == 0)
		return 0;
	buf_printf(err, "%s: cannot rename into place: %s", path,
	    strerror(errno));
	unlink(tmp);
	return -1;
}

int
fileio_write_atomic(const char *path, const void *data, size_t len,
    mode_t mode, int flags, struct buf *err)
{
	char *tmp = xasprintf("%s.tmp", path), *dir, *slash;
	int rc = -1;

	if (fileio_write_tmp(tmp, data, len, mode, flags, err) < 0 ||
	    fileio_rename(tmp, path, err) < 0)
		goto out;
	if (flags & FILEIO_SYNC) {
		dir = xstrdup(path);
		if ((slash = strrchr(dir, '/')) != NULL)
			*slash = '\0';
		fileio_fsync_dir(slash == NULL ? "." : slash == dir ? "/" : dir);
		free(dir);
	}
	rc = 0;
out:
	free(tmp);
	return rc;
}
