/*
 * spoolin - the producers' side of the spool (rptrecv, httpd):
 * spool_create, spool_write, spool_commit, spool_commit_batch,
 * spool_abort, and the removal of the temporary files of writers that
 * stopped.  The interface is spool.h.
 * SPDX-License-Identifier: ISC
 */
#include "config.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
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

#define SPOOL_CREATE_TRIES	16	/* fresh ids tried on a name clash */
#define SPOOL_SEQ_MOD		1000000	/* the sequence field: 6 digits */
#define SPOOL_PID_MAX		9999999999LL	/* the pid field: 10 digits */

struct spool_msg {
	struct spool *sp;
	char	 id[SPOOL_ID_SIZE];
	char	 tmpname[SPOOL_NAME_SIZE];
	int	 fd;			/* -1 once the handle is dead */
	size_t	 len;
	size_t	 limit;
};

/*
 * Messages this process is writing: its own .tmp files are live.  A
 * batch may be committed by another thread than the one that created
 * its messages (rptrecv), hence the atomic updates.
 */
static int spool_writing;


/* spool_id_pid - the process id field of a valid id */
static long long
spool_id_pid(const char *id)
{
	return strtoll(id + SPOOL_ID_DOT2 + 1, NULL, 10);
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
void
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
