/*
 * spool - the durable queue of TLS reports; the interface is spool.h.
 * SPDX-License-Identifier: ISC
 *
 * Touches only the four queue subdirectories of the base directory given
 * to spool_open(), through directory descriptors opened there (so a
 * daemon may chroot or change directory afterwards), and only files
 * whose names are valid ids, ID.tmp or ID.reason.  Durability is by
 * fsync (fdatasync for new messages) of each file and of each directory
 * whose entries changed, before success is returned.  Moves never
 * replace an existing file (renameat2 RENAME_NOREPLACE, or link + unlink
 * where the file system lacks it).
 *
 * This file: opening the spool, ids, errors, moves, listing and the
 * administration (spool_find ... spool_delete).  The producers' side is
 * lib/spoolin.c, the consumer's lib/spoolout.c; what the three share is
 * lib/spoolimpl.h.
 */
#include "config.h"

#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <time.h>
#include <unistd.h>

#include "log.h"
#include "mymalloc.h"
#include "spool.h"
#include "spoolimpl.h"

static const char *const spool_dir_names[SPOOL_NDIRS] = {
	"incoming", "active", "deferred", "corrupt",
};

const char *
spool_dir_name(enum spool_dir d)
{
	if ((unsigned)d >= SPOOL_NDIRS)
		log_panic("spool_dir_name: bad directory %d", (int)d);
	return spool_dir_names[d];
}

/* spool_fail - append "BASE/DIR/NAME: what" to err */
void
spool_fail(struct buf *err, const struct spool *sp, enum spool_dir d,
    const char *name, const char *fmt, ...)
{
	va_list ap;
	char msg[1024];

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (name != NULL)
		buf_printf(err, "%s/%s/%s: %s", sp->base, spool_dir_name(d),
		    name, msg);
	else
		buf_printf(err, "%s/%s: %s", sp->base, spool_dir_name(d), msg);
}

int
spool_id_valid(const char *id)
{
	size_t i;

	if (id == NULL || strlen(id) != SPOOL_ID_LEN)
		return 0;
	for (i = 0; i < SPOOL_ID_LEN; i++) {
		if (i == SPOOL_ID_DOT1 || i == SPOOL_ID_DOT2 ||
		    i == SPOOL_ID_DOT3) {
			if (id[i] != '.')
				return 0;
		} else if (id[i] < '0' || id[i] > '9')
			return 0;
	}
	return 1;
}

/* spool_check_id - spool_id_valid, with the error a user sees */
int
spool_check_id(const char *id, struct buf *err)
{
	size_t i;

	if (spool_id_valid(id))
		return 0;
	buf_puts(err, "bad queue id \"");
	for (i = 0; id != NULL && id[i] != '\0' && i < SPOOL_BAD_ID_SHOWN;
	    i++) {
		if (isprint((unsigned char)id[i]) && id[i] != '"' &&
		    id[i] != '\\')
			buf_putc(err, id[i]);
		else
			buf_printf(err, "\\x%02x", (unsigned char)id[i]);
	}
	if (id != NULL && strlen(id) > SPOOL_BAD_ID_SHOWN)
		buf_puts(err, "...");
	buf_puts(err, "\": expected YYYYMMDDHHMMSS.uuuuuu.PID.SEQ");
	return -1;
}

/* spool_name - "ID" + suffix into name[SPOOL_NAME_SIZE] */
char *
spool_name(char *name, const char *id, const char *suffix)
{
	snprintf(name, SPOOL_NAME_SIZE, "%s%s", id, suffix);
	return name;
}

/* spool_sync_dir - make the entries of one directory durable */
int
spool_sync_dir(struct spool *sp, enum spool_dir d, struct buf *err)
{
	if (fsync(sp->dirfd[d]) != 0) {
		spool_fail(err, sp, d, NULL, "fsync: %s", strerror(errno));
		return -1;
	}
	return 0;
}

/* spool_move - rename without replacing; the caller syncs directories */
int
spool_move(struct spool *sp, enum spool_dir from, const char *from_name,
    enum spool_dir to, const char *to_name, struct buf *err)
{
	int e;

#ifdef RENAME_NOREPLACE
	if (renameat2(sp->dirfd[from], from_name, sp->dirfd[to], to_name,
	    RENAME_NOREPLACE) == 0)
		return 0;
	e = errno;
	if (e != EINVAL && e != ENOSYS)
		goto fail;
#endif
	if (linkat(sp->dirfd[from], from_name, sp->dirfd[to], to_name, 0)
	    != 0) {
		e = errno;
		goto fail;
	}
	if (unlinkat(sp->dirfd[from], from_name, 0) != 0) {
		e = errno;
		(void)unlinkat(sp->dirfd[to], to_name, 0);
		goto fail;
	}
	return 0;

fail:
	if (e == ENOENT)
		spool_fail(err, sp, from, from_name, "no such message");
	else if (e == EEXIST)
		spool_fail(err, sp, to, to_name, "already exists");
	else
		spool_fail(err, sp, from, from_name, "cannot move to %s/: %s",
		    spool_dir_name(to), strerror(e));
	return -1;
}

/* spool_write_all - write(2) until done */
int
spool_write_all(int fd, const void *data, size_t len)
{
	const char *p = data;
	ssize_t n;

	while (len > 0) {
		n = write(fd, p, len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -1;
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

struct spool *
spool_open(const char *base, int flags, struct buf *err)
{
	struct spool *sp;
	size_t len;
	int basefd, d;

	sp = xcalloc(1, sizeof(*sp));
	len = strlen(base);
	while (len > 0 && base[len - 1] == '/')
		len--;
	sp->base = xstrndup(base, len);
	for (d = 0; d < SPOOL_NDIRS; d++)
		sp->dirfd[d] = -1;
	if ((basefd = open(base, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) < 0) {
		buf_printf(err, "%s: cannot open queue directory: %s", base,
		    strerror(errno));
		spool_close(sp);
		return NULL;
	}
	for (d = 0; d < SPOOL_NDIRS; d++) {
		sp->dirfd[d] = openat(basefd, spool_dir_names[d],
		    O_RDONLY | O_DIRECTORY | O_CLOEXEC);
		if (sp->dirfd[d] >= 0)
			continue;
		if (errno == ENOENT)
			spool_fail(err, sp, d, NULL, "queue directory is "
			    "missing (\"stsd check\" creates it)");
		else
			spool_fail(err, sp, d, NULL, "cannot open: %s",
			    strerror(errno));
		close(basefd);
		spool_close(sp);
		return NULL;
	}
	close(basefd);
	if (flags & SPOOL_WRITER)
		spool_clean_tmp(sp);
	return sp;
}

void
spool_close(struct spool *sp)
{
	int d;

	if (sp == NULL)
		return;
	for (d = 0; d < SPOOL_NDIRS; d++)
		if (sp->dirfd[d] >= 0)
			close(sp->dirfd[d]);
	free(sp->base);
	free(sp);
}

/* spool_id_cmp - qsort order of ids: their string order */
static int
spool_id_cmp(const void *a, const void *b)
{
	return strcmp(a, b);
}

/* spool_list - the oldest SPOOL_SCAN_MAX ids of one directory, sorted */
int
spool_list(struct spool *sp, enum spool_dir d, char (**idsp)[SPOOL_ID_SIZE],
    size_t *countp, struct buf *err)
{
	char (*ids)[SPOOL_ID_SIZE] = NULL;
	size_t count = 0, cap = 0;
	struct dirent *de;
	DIR *dir;
	int fd;

	if ((fd = dup(sp->dirfd[d])) < 0 || (dir = fdopendir(fd)) == NULL) {
		spool_fail(err, sp, d, NULL, "cannot list: %s",
		    strerror(errno));
		if (fd >= 0)
			close(fd);
		return -1;
	}
	rewinddir(dir);
	while ((de = readdir(dir)) != NULL) {
		if (!spool_id_valid(de->d_name))
			continue;		/* ID.tmp, ID.reason, . and .. */
		if (count == 2 * SPOOL_SCAN_MAX) {
			/* Keep the oldest half: memory stays bounded. */
			qsort(ids, count, sizeof(*ids), spool_id_cmp);
			count = SPOOL_SCAN_MAX;
		}
		ids = xgrowarray(ids, count, &cap, 64, sizeof(*ids));
		memcpy(ids[count++], de->d_name, SPOOL_ID_SIZE);
	}
	closedir(dir);
	if (count > 0)
		qsort(ids, count, sizeof(*ids), spool_id_cmp);
	if (count > SPOOL_SCAN_MAX)
		count = SPOOL_SCAN_MAX;
	*idsp = ids;
	*countp = count;
	return 0;
}

int
spool_scan(struct spool *sp, enum spool_dir d, spool_scan_fn fn, void *ctx,
    struct buf *err)
{
	char (*ids)[SPOOL_ID_SIZE];
	size_t count, i;

	if (spool_list(sp, d, &ids, &count, err) != 0)
		return -1;
	for (i = 0; i < count; i++)
		if (fn(ids[i], ctx) != 0) {
			i++;
			break;
		}
	free(ids);
	return (int)i;
}

int
spool_find(struct spool *sp, const char *id)
{
	struct stat st;
	int d;

	if (!spool_id_valid(id))
		return -1;
	for (d = 0; d < SPOOL_NDIRS; d++)
		if (fstatat(sp->dirfd[d], id, &st, AT_SYMLINK_NOFOLLOW) == 0)
			return d;
	return -1;
}

int
spool_reason(struct spool *sp, enum spool_dir d, const char *id,
    struct buf *reason, struct buf *err)
{
	char name[SPOOL_NAME_SIZE], text[SPOOL_REASON_MAX + 2];
	ssize_t n;
	int fd;

	if (spool_check_id(id, err) != 0)
		return -1;
	spool_name(name, id, SPOOL_REASON_SUFFIX);
	fd = openat(sp->dirfd[d], name, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0) {
		spool_fail(err, sp, d, name, "cannot open: %s",
		    strerror(errno));
		return -1;
	}
	do
		n = read(fd, text, sizeof(text));
	while (n < 0 && errno == EINTR);
	close(fd);
	if (n < 0) {
		spool_fail(err, sp, d, name, "read: %s", strerror(errno));
		return -1;
	}
	while (n > 0 && (text[n - 1] == '\n' || (size_t)n > SPOOL_REASON_MAX))
		n--;
	buf_append(reason, text, (size_t)n);
	return 0;
}

int
spool_reason_time(struct spool *sp, enum spool_dir d, const char *id,
    time_t *when, struct buf *err)
{
	char name[SPOOL_NAME_SIZE];
	struct stat sb;

	if (spool_check_id(id, err) != 0)
		return -1;
	spool_name(name, id, SPOOL_REASON_SUFFIX);
	if (fstatat(sp->dirfd[d], name, &sb, AT_SYMLINK_NOFOLLOW) != 0) {
		spool_fail(err, sp, d, name, "cannot stat: %s",
		    strerror(errno));
		return -1;
	}
	*when = sb.st_mtime;
	return 0;
}

/* spool_unlink_reason - remove DIR/ID.reason, if there is one */
static void
spool_unlink_reason(struct spool *sp, enum spool_dir d, const char *id)
{
	char name[SPOOL_NAME_SIZE];

	spool_name(name, id, SPOOL_REASON_SUFFIX);
	if (unlinkat(sp->dirfd[d], name, 0) != 0 && errno != ENOENT)
		log_warn("%s/%s/%s: cannot remove: %s", sp->base,
		    spool_dir_name(d), name, strerror(errno));
}

int
spool_requeue(struct spool *sp, const char *id, struct buf *err)
{
	int d;

	if (spool_check_id(id, err) != 0)
		return -1;
	d = spool_find(sp, id);
	if (d != SPOOL_DEFERRED && d != SPOOL_CORRUPT) {
		buf_printf(err, "%s: queue id %s: no such message in "
		    "deferred/ or corrupt/", sp->base[0] ? sp->base : "/", id);
		return -1;
	}
	if (spool_move(sp, d, id, SPOOL_INCOMING, id, err) != 0)
		return -1;
	spool_unlink_reason(sp, d, id);
	if (spool_sync_dir(sp, SPOOL_INCOMING, err) != 0 ||
	    spool_sync_dir(sp, d, err) != 0)
		return -1;
	return 0;
}

int
spool_delete(struct spool *sp, const char *id, struct buf *err)
{
	int d;

	if (spool_check_id(id, err) != 0)
		return -1;
	if ((d = spool_find(sp, id)) < 0) {
		buf_printf(err, "%s: queue id %s: no such message",
		    sp->base[0] ? sp->base : "/", id);
		return -1;
	}
	if (unlinkat(sp->dirfd[d], id, 0) != 0) {
		spool_fail(err, sp, d, id, "cannot remove: %s",
		    strerror(errno));
		return -1;
	}
	spool_unlink_reason(sp, d, id);
	return spool_sync_dir(sp, d, err);
}

/* spool_batch_fail - one failed message of a batch: its own line in err */
void
spool_batch_fail(struct buf *err, struct buf *why, int *status)
{
	if (why->len > 0) {
		if (err->len > 0)
			buf_putc(err, '\n');
		buf_append(err, why->s, why->len);
		buf_reset(why);
	}
	*status = -1;
}
