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
 */
#include "config.h"

#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
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

#define SPOOL_CREATE_TRIES	16	/* fresh ids tried on a name clash */
#define SPOOL_SEQ_MOD		1000000	/* the sequence field: 6 digits */
#define SPOOL_PID_MAX		9999999999LL	/* the pid field: 10 digits */
#define SPOOL_READ_CHUNK	65536
#define SPOOL_BAD_ID_SHOWN	64	/* bytes of a bad id quoted in errors */
#define SPOOL_NAME_SIZE	(SPOOL_ID_SIZE + 16)	/* ID plus a suffix */

/* Offsets of the dots in an id: YYYYMMDDHHMMSS.uuuuuu.PPPPPPPPPP.SSSSSS */
#define SPOOL_ID_DOT1	14
#define SPOOL_ID_DOT2	21
#define SPOOL_ID_DOT3	32

struct spool {
	char	*base;			/* for messages; "" stands for "/" */
	int	 dirfd[SPOOL_NDIRS];
};

struct spool_msg {
	struct spool *sp;
	char	 id[SPOOL_ID_SIZE];
	char	 tmpname[SPOOL_NAME_SIZE];
	int	 fd;			/* -1 once the handle is dead */
	size_t	 len;
	size_t	 limit;
};

static const char *const spool_dir_names[SPOOL_NDIRS] = {
	"incoming", "active", "deferred", "corrupt",
};

/*
 * Messages this process is writing: its own .tmp files are live.  A
 * batch may be committed by another thread than the one that created
 * its messages (rptrecv), hence the atomic updates.
 */
static int spool_writing;

const char *
spool_dir_name(enum spool_dir d)
{
	if ((unsigned)d >= SPOOL_NDIRS)
		log_panic("spool_dir_name: bad directory %d", (int)d);
	return spool_dir_names[d];
}

/* spool_fail - append "BASE/DIR/NAME: what" to err */
static void spool_fail(struct buf *, const struct spool *, enum spool_dir,
	    const char *, const char *, ...)
	    __attribute__((format(printf, 5, 6)));

static void
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
static int
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

/* spool_id_pid - the process id field of a valid id */
static long long
spool_id_pid(const char *id)
{
	return strtoll(id + SPOOL_ID_DOT2 + 1, NULL, 10);
}

/* spool_name - "ID" + suffix into name[SPOOL_NAME_SIZE] */
static char *
spool_name(char *name, const char *id, const char *suffix)
{
	snprintf(name, SPOOL_NAME_SIZE, "%s%s", id, suffix);
	return name;
}

/* spool_new_id - a fresh id; never behind the previous one of this process */
static void
spool_new_id(char *id)
{
	static struct timespec last;
	static unsigned seq;
	struct timespec now;
	struct tm tm;
	char when[32], text[128];
	long long pid = getpid();

	if (clock_gettime(CLOCK_REALTIME, &now) != 0)
		log_panic("spool_new_id: clock_gettime: %s", strerror(errno));
	now.tv_nsec -= now.tv_nsec % 1000;
	if (now.tv_sec < last.tv_sec ||
	    (now.tv_sec == last.tv_sec && now.tv_nsec < last.tv_nsec))
		now = last;			/* the clock stepped back */
	last = now;
	if (gmtime_r(&now.tv_sec, &tm) == NULL ||
	    strftime(when, sizeof(when), "%Y%m%d%H%M%S", &tm) != 14)
		log_panic("spool_new_id: cannot format time %lld",
		    (long long)now.tv_sec);
	if (pid > SPOOL_PID_MAX)
		log_panic("spool_new_id: process id %lld too large", pid);
	snprintf(text, sizeof(text), "%s.%06ld.%010lld.%06u", when,
	    (long)(now.tv_nsec / 1000), pid, seq);
	if (strlen(text) != SPOOL_ID_LEN)
		log_panic("spool_new_id: bad id %s", text);
	memcpy(id, text, SPOOL_ID_SIZE);
	seq = (seq + 1) % SPOOL_SEQ_MOD;
}

/* spool_sync_dir - make the entries of one directory durable */
static int
spool_sync_dir(struct spool *sp, enum spool_dir d, struct buf *err)
{
	if (fsync(sp->dirfd[d]) != 0) {
		spool_fail(err, sp, d, NULL, "fsync: %s", strerror(errno));
		return -1;
	}
	return 0;
}

/* spool_move - rename without replacing; the caller syncs directories */
static int
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
static int
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

/* spool_tmp_stale - is incoming/name (ID.tmp) left by a dead writer? */
static int
spool_tmp_stale(struct spool *sp, const char *name, time_t now)
{
	char id[SPOOL_ID_SIZE];
	struct stat st;
	long long pid;

	if (strlen(name) != SPOOL_ID_LEN + strlen(SPOOL_TMP_SUFFIX) ||
	    strcmp(name + SPOOL_ID_LEN, SPOOL_TMP_SUFFIX) != 0)
		return 0;
	memcpy(id, name, SPOOL_ID_LEN);
	id[SPOOL_ID_LEN] = '\0';
	if (!spool_id_valid(id))
		return 0;
	if (fstatat(sp->dirfd[SPOOL_INCOMING], name, &st,
	    AT_SYMLINK_NOFOLLOW) != 0)
		return 0;
	if (now - st.st_mtime > SPOOL_TMP_MAX_AGE)
		return 1;
	pid = spool_id_pid(id);
	if (pid == getpid())
		return __atomic_load_n(&spool_writing, __ATOMIC_RELAXED) == 0;
	if (pid <= 0 || pid > SPOOL_PID_MAX || (pid_t)pid != pid)
		return 0;
	return kill((pid_t)pid, 0) != 0 && errno == ESRCH;
}

/* spool_clean_tmp - remove the temporary files of crashed writers */
static void
spool_clean_tmp(struct spool *sp)
{
	struct dirent *de;
	DIR *dir;
	int fd;
	time_t now = time(NULL);

	if ((fd = dup(sp->dirfd[SPOOL_INCOMING])) < 0 ||
	    (dir = fdopendir(fd)) == NULL) {
		log_warn("%s/incoming: cannot list: %s", sp->base,
		    strerror(errno));
		if (fd >= 0)
			close(fd);
		return;
	}
	rewinddir(dir);
	while ((de = readdir(dir)) != NULL) {
		if (!spool_tmp_stale(sp, de->d_name, now))
			continue;
		if (unlinkat(sp->dirfd[SPOOL_INCOMING], de->d_name, 0) == 0)
			log_info("%s/incoming/%s: removed the temporary file "
			    "of a writer that stopped", sp->base, de->d_name);
		else if (errno != ENOENT)
			log_warn("%s/incoming/%s: cannot remove: %s",
			    sp->base, de->d_name, strerror(errno));
	}
	closedir(dir);
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

int
spool_create(struct spool *sp, size_t limit, struct spool_msg **msgp,
    struct buf *err)
{
	struct spool_msg *msg;
	int try;

	msg = xcalloc(1, sizeof(*msg));
	msg->sp = sp;
	msg->limit = limit;
	msg->fd = -1;
	for (try = 0; try < SPOOL_CREATE_TRIES; try++) {
		spool_new_id(msg->id);
		spool_name(msg->tmpname, msg->id, SPOOL_TMP_SUFFIX);
		msg->fd = openat(sp->dirfd[SPOOL_INCOMING], msg->tmpname,
		    O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC,
		    0600);
		if (msg->fd >= 0 || errno != EEXIST)
			break;
	}
	if (msg->fd < 0) {
		spool_fail(err, sp, SPOOL_INCOMING, msg->tmpname,
		    "cannot create: %s", strerror(errno));
		free(msg);
		*msgp = NULL;
		return -1;
	}
	__atomic_add_fetch(&spool_writing, 1, __ATOMIC_RELAXED);
	*msgp = msg;
	return 0;
}

const char *
spool_msg_id(const struct spool_msg *msg)
{
	return msg->id;
}

/* spool_msg_kill - remove the temporary file; the handle is dead */
static void
spool_msg_kill(struct spool_msg *msg)
{
	if (msg->fd < 0)
		return;
	close(msg->fd);
	msg->fd = -1;
	if (unlinkat(msg->sp->dirfd[SPOOL_INCOMING], msg->tmpname, 0) != 0 &&
	    errno != ENOENT)
		log_warn("%s/incoming/%s: cannot remove: %s", msg->sp->base,
		    msg->tmpname, strerror(errno));
	__atomic_sub_fetch(&spool_writing, 1, __ATOMIC_RELAXED);
}

/* spool_msg_dead - the error for a handle that an error already ended */
static int
spool_msg_dead(struct spool_msg *msg, struct buf *err)
{
	spool_fail(err, msg->sp, SPOOL_INCOMING, msg->id,
	    "message was abandoned after an earlier error");
	return -1;
}

int
spool_write(struct spool_msg *msg, const void *data, size_t len,
    struct buf *err)
{
	if (msg->fd < 0)
		return spool_msg_dead(msg, err);
	if (len > msg->limit - msg->len) {
		spool_fail(err, msg->sp, SPOOL_INCOMING, msg->id,
		    "message exceeds size limit of %zu bytes", msg->limit);
		spool_msg_kill(msg);
		return -1;
	}
	if (spool_write_all(msg->fd, data, len) != 0) {
		spool_fail(err, msg->sp, SPOOL_INCOMING, msg->tmpname,
		    "write: %s", strerror(errno));
		spool_msg_kill(msg);
		return -1;
	}
	msg->len += len;
	return 0;
}

/* spool_batch_fail - one failed message of a batch: its own line in err */
static void
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

/*
 * spool_batch_sync - make the data of the live messages durable
 *
 * Writeback of every file starts first, so that the file system
 * allocates their blocks together and the first fdatasync() commits
 * them all in one journal transaction; the others then find their data
 * on disk already.  Unlike syncfs(2), this waits for nothing but these
 * files, however busy the rest of the file system is.
 */
static void
spool_batch_sync(struct spool *sp, struct spool_msg **msgs, size_t n,
    int *status, struct buf *err)
{
	struct buf why = BUF_INIT;
	size_t i;

#ifdef SYNC_FILE_RANGE_WRITE
	for (i = 0; i < n; i++)
		if (status[i] == 0)
			(void)sync_file_range(msgs[i]->fd, 0, 0,
			    SYNC_FILE_RANGE_WRITE);
#endif
	for (i = 0; i < n; i++) {
		if (status[i] != 0 || fdatasync(msgs[i]->fd) == 0)
			continue;
		spool_fail(&why, sp, SPOOL_INCOMING, msgs[i]->tmpname,
		    "fsync: %s", strerror(errno));
		spool_batch_fail(err, &why, &status[i]);
	}
	buf_free(&why);
}

/* spool_batch_move - close and rename the synced messages into place */
static size_t
spool_batch_move(struct spool *sp, struct spool_msg **msgs, size_t n,
    int *status, struct buf *err)
{
	struct buf why = BUF_INIT;
	size_t i, moved = 0;

	for (i = 0; i < n; i++) {
		if (msgs[i]->fd < 0)
			continue;		/* dead before the batch */
		if (close(msgs[i]->fd) != 0 && status[i] == 0) {
			spool_fail(&why, sp, SPOOL_INCOMING, msgs[i]->tmpname,
			    "close: %s", strerror(errno));
			spool_batch_fail(err, &why, &status[i]);
		}
		msgs[i]->fd = -1;
		__atomic_sub_fetch(&spool_writing, 1, __ATOMIC_RELAXED);
		if (status[i] != 0)
			continue;
		if (spool_move(sp, SPOOL_INCOMING, msgs[i]->tmpname,
		    SPOOL_INCOMING, msgs[i]->id, &why) != 0)
			spool_batch_fail(err, &why, &status[i]);
		else
			moved++;
	}
	buf_free(&why);
	return moved;
}

int
spool_commit_batch(struct spool_msg **msgs, size_t n, int *status,
    struct buf *err)
{
	struct buf why = BUF_INIT;
	struct spool *sp;
	size_t i;
	int ret = 0;

	if (n == 0)
		return 0;
	sp = msgs[0]->sp;
	for (i = 0; i < n; i++) {
		if (msgs[i]->sp != sp)
			log_panic("spool_commit_batch: messages of two spools");
		status[i] = 0;
		if (msgs[i]->fd < 0) {
			spool_msg_dead(msgs[i], &why);
			spool_batch_fail(err, &why, &status[i]);
		}
	}
	spool_batch_sync(sp, msgs, n, status, err);
	if (spool_batch_move(sp, msgs, n, status, err) > 0 &&
	    spool_sync_dir(sp, SPOOL_INCOMING, &why) != 0) {
		/* Not durable, so not acknowledged: take them back. */
		for (i = 0; i < n; i++)
			if (status[i] == 0) {
				(void)unlinkat(sp->dirfd[SPOOL_INCOMING],
				    msgs[i]->id, 0);
				status[i] = -1;
			}
		if (err->len > 0)
			buf_putc(err, '\n');
		buf_append(err, why.s, why.len);
	}
	for (i = 0; i < n; i++) {
		if (status[i] != 0) {
			ret = -1;
			if (unlinkat(sp->dirfd[SPOOL_INCOMING],
			    msgs[i]->tmpname, 0) != 0 && errno != ENOENT)
				log_warn("%s/incoming/%s: cannot remove: %s",
				    sp->base, msgs[i]->tmpname,
				    strerror(errno));
		}
		free(msgs[i]);
		msgs[i] = NULL;
	}
	buf_free(&why);
	return ret;
}

int
spool_commit(struct spool_msg *msg, struct buf *err)
{
	int status;

	return spool_commit_batch(&msg, 1, &status, err);
}

void
spool_abort(struct spool_msg *msg)
{
	if (msg == NULL)
		return;
	spool_msg_kill(msg);
	free(msg);
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

int
spool_open_msg(struct spool *sp, enum spool_dir d, const char *id,
    size_t limit, struct buf *err)
{
	struct stat st;
	int fd;

	if (spool_check_id(id, err) != 0)
		return -1;
	fd = openat(sp->dirfd[d], id, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
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
	return fd;
}

int
spool_read_msg(struct spool *sp, enum spool_dir d, const char *id,
    size_t limit, struct buf *data, struct buf *err)
{
	size_t start = data->len;
	ssize_t n;
	int fd;

	if ((fd = spool_open_msg(sp, d, id, limit, err)) < 0)
		return -1;
	for (;;) {
		buf_reserve(data, SPOOL_READ_CHUNK);
		n = read(fd, data->s + data->len, SPOOL_READ_CHUNK);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		data->len += (size_t)n;
		data->s[data->len] = '\0';
		if (data->len - start > limit)
			break;
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

/* spool_set_aside - active/ID -> DIR/ID with DIR/ID.reason */
static int
spool_set_aside(struct spool *sp, enum spool_dir d, const char *id,
    const char *reason, struct buf *err)
{
	char name[SPOOL_NAME_SIZE];
	struct stat st;

	if (spool_check_id(id, err) != 0)
		return -1;
	if (fstatat(sp->dirfd[SPOOL_ACTIVE], id, &st, AT_SYMLINK_NOFOLLOW)
	    != 0) {
		spool_fail(err, sp, SPOOL_ACTIVE, id, "no such message");
		return -1;
	}
	if (spool_write_reason(sp, d, id, reason, err) != 0)
		return -1;
	if (spool_move(sp, SPOOL_ACTIVE, id, d, id, err) != 0) {
		(void)unlinkat(sp->dirfd[d], spool_name(name, id,
		    SPOOL_REASON_SUFFIX), 0);
		return -1;
	}
	if (spool_sync_dir(sp, d, err) != 0 ||
	    spool_sync_dir(sp, SPOOL_ACTIVE, err) != 0)
		return -1;
	return 0;
}

int
spool_defer(struct spool *sp, const char *id, const char *reason,
    struct buf *err)
{
	return spool_set_aside(sp, SPOOL_DEFERRED, id, reason, err);
}

int
spool_corrupt(struct spool *sp, const char *id, const char *reason,
    struct buf *err)
{
	return spool_set_aside(sp, SPOOL_CORRUPT, id, reason, err);
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
spool_done_batch(struct spool *sp, const char (*ids)[SPOOL_ID_SIZE],
    size_t n, int *status, struct buf *err)
{
	struct buf why = BUF_INIT;
	size_t i, removed = 0;

	for (i = 0; i < n; i++) {
		status[i] = 0;
		if (spool_check_id(ids[i], &why) != 0)
			spool_batch_fail(err, &why, &status[i]);
		else if (unlinkat(sp->dirfd[SPOOL_ACTIVE], ids[i], 0) != 0) {
			if (errno == ENOENT)
				spool_fail(&why, sp, SPOOL_ACTIVE, ids[i],
				    "no such message");
			else
				spool_fail(&why, sp, SPOOL_ACTIVE, ids[i],
				    "cannot remove: %s", strerror(errno));
			spool_batch_fail(err, &why, &status[i]);
		} else
			removed++;
	}
	if (removed > 0 && spool_sync_dir(sp, SPOOL_ACTIVE, &why) != 0)
		spool_batch_sync_fail(err, &why, status, n);
	buf_free(&why);
	return spool_batch_result(status, n);
}
