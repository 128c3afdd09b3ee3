/*
 * spoolout - the consumer's side of the spool (rptparse): spool_lock,
 * spool_claim, reading a message, spool_done, spool_defer,
 * spool_corrupt and their batch forms.  The interface is spool.h.
 * SPDX-License-Identifier: ISC
 */
#include "config.h"

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "log.h"
#include "spool.h"
#include "spoolimpl.h"

#define SPOOL_READ_CHUNK	65536


int
spool_claim(struct spool *sp, const char *id, struct buf *err)
{
	if (spool_check_id(id, err) != 0)
		return -1;
	if (spool_move(sp, SPOOL_INCOMING, id, SPOOL_ACTIVE, id, err) != 0)
		return -1;
	if (spool_sync_dir(sp, SPOOL_ACTIVE, err) != 0 ||
	    spool_sync_dir(sp, SPOOL_INCOMING, err) != 0)
		return -1;
	return 0;
}

/*
 * openat with O_NOATIME where the file system and our uid allow it:
 * reading a message just written would otherwise update its atime
 * (relatime), an inode write per message.  EPERM: not the file's owner.
 */
static int
spool_openat_msg(struct spool *sp, enum spool_dir d, const char *id)
{
	int flags = O_RDONLY | O_NOFOLLOW | O_CLOEXEC, fd;

#ifdef O_NOATIME
	if (!sp->no_noatime) {
		fd = openat(sp->dirfd[d], id, flags | O_NOATIME);
		if (fd >= 0 || errno != EPERM)
			return fd;
		sp->no_noatime = 1;
	}
#endif
	return openat(sp->dirfd[d], id, flags);
}

/* The message's descriptor and its size by fstat(). */
static int
spool_open_sized(struct spool *sp, enum spool_dir d, const char *id,
    size_t limit, size_t *size, struct buf *err)
{
	struct stat st;
	int fd;

	if (spool_check_id(id, err) != 0)
		return -1;
	fd = spool_openat_msg(sp, d, id);
	if (fd < 0) {
		if (errno == ENOENT)
			spool_fail(err, sp, d, id, "no such message");
		else
			spool_fail(err, sp, d, id, "cannot open: %s",
			    strerror(errno));
		return -1;
	}
	if (fstat(fd, &st) != 0) {
		spool_fail(err, sp, d, id, "fstat: %s", strerror(errno));
		close(fd);
		return -1;
	}
	if (!S_ISREG(st.st_mode)) {
		spool_fail(err, sp, d, id, "not a regular file");
		close(fd);
		return -1;
	}
	if ((unsigned long long)st.st_size > limit) {
		spool_fail(err, sp, d, id, "message of %lld bytes exceeds "
		    "size limit of %zu bytes", (long long)st.st_size, limit);
		close(fd);
		return -1;
	}
	*size = (size_t)st.st_size;
	return fd;
}

int
spool_open_msg(struct spool *sp, enum spool_dir d, const char *id,
    size_t limit, struct buf *err)
{
	size_t size;

	return spool_open_sized(sp, d, id, limit, &size, err);
}

/*
 * One read of the size fstat() gave, plus one byte: a message does not
 * change once it is in the spool, so a read that stops exactly at that
 * size is its end (for a regular file a short read is end of file),
 * and the usual read() that returns 0 is not needed.  A file that grew
 * is read on in chunks, up to the limit, as before.
 */
int
spool_read_msg(struct spool *sp, enum spool_dir d, const char *id,
    size_t limit, struct buf *data, struct buf *err)
{
	size_t start = data->len, size, want;
	ssize_t n;
	int fd;

	if ((fd = spool_open_sized(sp, d, id, limit, &size, err)) < 0)
		return -1;
	want = size + 1;
	for (;;) {
		if ((n = buf_read(data, fd, want)) <= 0)
			break;
		if (data->len - start > limit)
			break;
		if (data->len - start == size && (size_t)n < want)
			break;
		want = data->len - start < size ? size - (data->len - start)
		    + 1 : SPOOL_READ_CHUNK;
	}
	if (n < 0 || data->len - start > limit) {
		if (n < 0)
			spool_fail(err, sp, d, id, "read: %s", strerror(errno));
		else
			spool_fail(err, sp, d, id, "message exceeds size "
			    "limit of %zu bytes", limit);
		data->len = start;
		data->s[start] = '\0';
		close(fd);
		return -1;
	}
	close(fd);
	return 0;
}

int
spool_done(struct spool *sp, const char *id, struct buf *err)
{
	if (spool_check_id(id, err) != 0)
		return -1;
	if (unlinkat(sp->dirfd[SPOOL_ACTIVE], id, 0) != 0) {
		if (errno == ENOENT)
			spool_fail(err, sp, SPOOL_ACTIVE, id, "no such message");
		else
			spool_fail(err, sp, SPOOL_ACTIVE, id, "cannot remove: "
			    "%s", strerror(errno));
		return -1;
	}
	return spool_sync_dir(sp, SPOOL_ACTIVE, err);
}

/* spool_write_reason - DIR/ID.reason: one line, durable */
static int
spool_write_reason(struct spool *sp, enum spool_dir d, const char *id,
    const char *reason, struct buf *err)
{
	char name[SPOOL_NAME_SIZE];
	struct buf line = BUF_INIT;
	size_t i;
	int fd, ret = -1;

	for (i = 0; reason[i] != '\0' && i < SPOOL_REASON_MAX; i++)
		buf_putc(&line, iscntrl((unsigned char)reason[i]) ? ' ' :
		    reason[i]);
	buf_putc(&line, '\n');
	spool_name(name, id, SPOOL_REASON_SUFFIX);
	fd = openat(sp->dirfd[d], name, O_WRONLY | O_CREAT | O_TRUNC |
	    O_NOFOLLOW | O_CLOEXEC, 0600);
	if (fd < 0) {
		spool_fail(err, sp, d, name, "cannot create: %s",
		    strerror(errno));
		goto out;
	}
	if (spool_write_all(fd, line.s, line.len) != 0 || fsync(fd) != 0) {
		spool_fail(err, sp, d, name, "write: %s", strerror(errno));
		close(fd);
		(void)unlinkat(sp->dirfd[d], name, 0);
		goto out;
	}
	if (close(fd) != 0) {
		spool_fail(err, sp, d, name, "close: %s", strerror(errno));
		(void)unlinkat(sp->dirfd[d], name, 0);
		goto out;
	}
	ret = spool_sync_dir(sp, d, err);
out:
	buf_free(&line);
	return ret;
}

/*
 * spool_from_ok - a consumer takes messages from active/, or from
 * incoming/ while it holds the consumer lock
 */
static int
spool_from_ok(struct spool *sp, enum spool_dir from, struct buf *err)
{
	if (from == SPOOL_ACTIVE || (from == SPOOL_INCOMING && sp->locked))
		return 0;
	spool_fail(err, sp, from, NULL, "a consumer takes messages from"
	    " active/, or from incoming/ with the consumer lock");
	return -1;
}

/* spool_set_aside - FROM/ID -> DIR/ID with DIR/ID.reason */
static int
spool_set_aside(struct spool *sp, enum spool_dir from, enum spool_dir d,
    const char *id, const char *reason, struct buf *err)
{
	char name[SPOOL_NAME_SIZE];
	struct stat st;

	if (spool_check_id(id, err) != 0 || spool_from_ok(sp, from, err) != 0)
		return -1;
	if (fstatat(sp->dirfd[from], id, &st, AT_SYMLINK_NOFOLLOW) != 0) {
		spool_fail(err, sp, from, id, "no such message");
		return -1;
	}
	if (spool_write_reason(sp, d, id, reason, err) != 0)
		return -1;
	if (spool_move(sp, from, id, d, id, err) != 0) {
		(void)unlinkat(sp->dirfd[d], spool_name(name, id,
		    SPOOL_REASON_SUFFIX), 0);
		return -1;
	}
	if (spool_sync_dir(sp, d, err) != 0 ||
	    spool_sync_dir(sp, from, err) != 0)
		return -1;
	return 0;
}

int
spool_defer(struct spool *sp, const char *id, const char *reason,
    struct buf *err)
{
	return spool_set_aside(sp, SPOOL_ACTIVE, SPOOL_DEFERRED, id, reason,
	    err);
}

int
spool_corrupt(struct spool *sp, const char *id, const char *reason,
    struct buf *err)
{
	return spool_set_aside(sp, SPOOL_ACTIVE, SPOOL_CORRUPT, id, reason,
	    err);
}

int
spool_defer_from(struct spool *sp, enum spool_dir from, const char *id,
    const char *reason, struct buf *err)
{
	return spool_set_aside(sp, from, SPOOL_DEFERRED, id, reason, err);
}

int
spool_corrupt_from(struct spool *sp, enum spool_dir from, const char *id,
    const char *reason, struct buf *err)
{
	return spool_set_aside(sp, from, SPOOL_CORRUPT, id, reason, err);
}

/*
 * spool_batch_sync_fail - a directory sync of a batch failed: every
 * message the batch changed (status 0) is reported failed, with the
 * cause once.
 */
static void
spool_batch_sync_fail(struct buf *err, struct buf *why, int *status,
    size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (status[i] == 0)
			status[i] = -1;
	if (err->len > 0)
		buf_putc(err, '\n');
	buf_append(err, why->s, why->len);
	buf_reset(why);
}

/* 0 when every message of a batch succeeded, -1 otherwise. */
static int
spool_batch_result(const int *status, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (status[i] != 0)
			return -1;
	return 0;
}

int
spool_claim_batch(struct spool *sp, const char (*ids)[SPOOL_ID_SIZE],
    size_t n, int *status, struct buf *err)
{
	struct buf why = BUF_INIT;
	size_t i, moved = 0;

	for (i = 0; i < n; i++) {
		status[i] = 0;
		if (spool_check_id(ids[i], &why) != 0 ||
		    spool_move(sp, SPOOL_INCOMING, ids[i], SPOOL_ACTIVE, ids[i],
		    &why) != 0)
			spool_batch_fail(err, &why, &status[i]);
		else
			moved++;
	}
	/* active/ first: a message is never in neither directory. */
	if (moved > 0 && (spool_sync_dir(sp, SPOOL_ACTIVE, &why) != 0 ||
	    spool_sync_dir(sp, SPOOL_INCOMING, &why) != 0))
		spool_batch_sync_fail(err, &why, status, n);
	buf_free(&why);
	return spool_batch_result(status, n);
}

int
spool_done_from(struct spool *sp, enum spool_dir from,
    const char (*ids)[SPOOL_ID_SIZE], size_t n, int *status, struct buf *err)
{
	struct buf why = BUF_INIT;
	size_t i, removed = 0;

	if (spool_from_ok(sp, from, &why) != 0) {
		for (i = 0; i < n; i++)
			status[i] = -1;
		spool_batch_sync_fail(err, &why, status, 0);
		buf_free(&why);
		return -1;
	}
	for (i = 0; i < n; i++) {
		status[i] = 0;
		if (spool_check_id(ids[i], &why) != 0)
			spool_batch_fail(err, &why, &status[i]);
		else if (unlinkat(sp->dirfd[from], ids[i], 0) != 0) {
			if (errno == ENOENT)
				spool_fail(&why, sp, from, ids[i],
				    "no such message");
			else
				spool_fail(&why, sp, from, ids[i],
				    "cannot remove: %s", strerror(errno));
			spool_batch_fail(err, &why, &status[i]);
		} else
			removed++;
	}
	if (removed > 0 && spool_sync_dir(sp, from, &why) != 0)
		spool_batch_sync_fail(err, &why, status, n);
	buf_free(&why);
	return spool_batch_result(status, n);
}

int
spool_done_batch(struct spool *sp, const char (*ids)[SPOOL_ID_SIZE],
    size_t n, int *status, struct buf *err)
{
	return spool_done_from(sp, SPOOL_ACTIVE, ids, n, status, err);
}

/*
 * The consumer lock: flock(2) on active/, which a writer never opens,
 * held as long as the directory descriptor of this handle is open (so
 * until spool_close(), or the end of the process however it ends).
 */
int
spool_lock(struct spool *sp, struct buf *err)
{
	if (sp->locked)
		return 0;
	if (flock(sp->dirfd[SPOOL_ACTIVE], LOCK_EX | LOCK_NB) != 0) {
		if (errno == EWOULDBLOCK)
			spool_fail(err, sp, SPOOL_ACTIVE, NULL, "consumer lock"
			    " held by another process");
		else
			spool_fail(err, sp, SPOOL_ACTIVE, NULL, "cannot lock:"
			    " %s", strerror(errno));
		return -1;
	}
	sp->locked = 1;
	return 0;
}
