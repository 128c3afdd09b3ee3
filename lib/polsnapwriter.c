/*
 * polsnapwriter - the writer of the policy snapshot (policyd): the base
 * by compaction, the journal by appends; see polsnap.h.
 * SPDX-License-Identifier: ISC
 *
 * May touch: the base and journal files it is given, their ".tmp"
 * siblings and their directory.
 *
 * polsnap_sync_start() hands the journal's write and fdatasync to one
 * helper thread (the syncer), so that they run while the caller does
 * other I/O (policyd: the commit of policy.db, whose WAL sync this
 * disk overlaps with the journal's: bench/README "million"); the
 * records handed over belong to the syncer until polsnap_sync_wait()
 * (or polsnap_sync(), polsnap_compact_end(), polsnap_writer_free(),
 * which wait first) has taken its result.  Only the writer's caller
 * and the syncer touch the writer; the mutex orders the hand-over.
 */
#include "config.h"

#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/time.h>
#include <unistd.h>

#include <zlib.h>

#include "buf.h"
#include "fileio.h"
#include "hash.h"
#include "mymalloc.h"
#include "polsnap.h"

#define POLSNAP_DEDUP_SLOTS	(POLSNAP_DEDUP_MAX * 2)	/* a power of two */

/*
 * Writing.
 */

struct polsnap_dedup {
	uint32_t hash;
	size_t	 index;
	char	*text;			/* NULL: free slot */
	size_t	 len;
};

/* The helper thread of polsnap_sync_start(). */
struct polsnap_syncer {
	pthread_t thread;
	int	 started;		/* the thread runs */
	pthread_mutex_t lock;
	pthread_cond_t cond;		/* go changed, or stop */
	int	 go;			/* records handed over, not done */
	int	 busy;			/* handed over, result not taken */
	int	 stop;
	int	 fd;			/* the journal they go to */
	struct buf data;		/* the records */
	const char *failed;		/* "append" or "sync", or NULL */
	int	 error;			/* its errno */
};

struct polsnap_writer {
	struct polsnap_syncer syncer;
	char	*base, *journal, *dir;
	char	*base_tmp, *journal_tmp;
	int	 jfd;			/* the journal, or -1 */
	int	 broken;		/* an append failed */
	int	 dirty;			/* appended since the last sync */
	struct buf jout;		/* appended, not written yet */
	unsigned long long gen;		/* of the files in place */
	unsigned long long cgen;	/* of the compaction in progress */
	unsigned long long base_bytes, journal_bytes;
	/* A compaction in progress. */
	int	 cfd;			/* BASE.tmp, or -1 */
	int	 cerrno;		/* its first write error */
	struct buf out;			/* records to write */
	struct buf lines;		/* the D record being built */
	struct polsnap_dedup *dedup;
	size_t	 ndedup, ntext, domains;
	unsigned long long cbytes;
};

struct polsnap_writer *
polsnap_writer_new(const char *base, const char *journal)
{
	struct polsnap_writer *w = xcalloc(1, sizeof(*w));
	char *slash;

	w->base = xstrdup(base);
	w->journal = xstrdup(journal);
	w->base_tmp = xasprintf("%s.tmp", base);
	w->journal_tmp = xasprintf("%s.tmp", journal);
	w->dir = xstrdup(base);
	if ((slash = strrchr(w->dir, '/')) != NULL)
		*slash = '\0';
	else
		strcpy(w->dir, ".");
	w->jfd = w->cfd = -1;
	pthread_mutex_init(&w->syncer.lock, NULL);
	pthread_cond_init(&w->syncer.cond, NULL);
	return w;
}

static int
polsnap_write_all(int fd, const char *p, size_t len)
{
	ssize_t n;

	while (len > 0) {
		if ((n = write(fd, p, len)) < 0) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

/* A record into b. */
static void
polsnap_record(struct buf *b, char type, const char *d1, size_t l1,
    const char *d2, size_t l2)
{
	uLong crc = crc32(0L, Z_NULL, 0);

	crc = crc32(crc, (const Bytef *)&type, 1);
	crc = crc32(crc, (const Bytef *)d1, (uInt)l1);
	if (l2 > 0)
		crc = crc32(crc, (const Bytef *)d2, (uInt)l2);
	buf_printf(b, "%c %zu %08lx\n", type, l1 + l2, (unsigned long)crc);
	buf_append(b, d1, l1);
	if (l2 > 0)
		buf_append(b, d2, l2);
	buf_putc(b, '\n');
}

static unsigned long long
polsnap_new_gen(struct polsnap_writer *w)
{
	struct timeval tv;
	unsigned long long now;

	gettimeofday(&tv, NULL);
	now = (unsigned long long)tv.tv_sec * 1000000ULL +
	    (unsigned long long)tv.tv_usec;
	return now > w->gen ? now : w->gen + 1;
}

static void
polsnap_header_put(struct buf *b, enum polsnap_kind kind,
    unsigned long long gen)
{
	buf_printf(b, "%s %d %s %llu\n", POLSNAP_MAGIC, POLSNAP_VERSION,
	    polsnap_kind_name[kind], gen);
}

/* Writes w->out to the compaction file when it is large, or always. */
static void
polsnap_compact_flush(struct polsnap_writer *w, int always)
{
	if (w->out.len == 0 || (!always && w->out.len < POLSNAP_BLOCK))
		return;
	if (w->cerrno == 0 && polsnap_write_all(w->cfd, w->out.s,
	    w->out.len) < 0)
		w->cerrno = errno;
	w->cbytes += w->out.len;
	buf_reset(&w->out);
}

int
polsnap_compact_begin(struct polsnap_writer *w, struct buf *err)
{
	polsnap_compact_abort(w);
	unlink(w->base_tmp);
	w->cfd = open(w->base_tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC,
	    POLSNAP_MODE);
	if (w->cfd < 0) {
		buf_printf(err, "%s: cannot create: %s", w->base_tmp,
		    strerror(errno));
		return -1;
	}
	w->cerrno = 0;
	w->cbytes = 0;
	w->ntext = w->domains = w->ndedup = 0;
	w->dedup = xcalloc(POLSNAP_DEDUP_SLOTS, sizeof(*w->dedup));
	w->cgen = polsnap_new_gen(w);
	polsnap_header_put(&w->out, POLSNAP_KIND_BASE, w->cgen);
	return 0;
}

/* The index of text, written as a T record when it is new. */
static size_t
polsnap_compact_text(struct polsnap_writer *w, const char *text, size_t len)
{
	uint32_t h = hash_bytes(text, len);
	size_t i = h & (POLSNAP_DEDUP_SLOTS - 1);
	struct polsnap_dedup *d;

	for (;; i = (i + 1) & (POLSNAP_DEDUP_SLOTS - 1)) {
		d = &w->dedup[i];
		if (d->text == NULL)
			break;
		if (d->hash == h && d->len == len &&
		    memcmp(d->text, text, len) == 0)
			return d->index;
	}
	if (w->ndedup < POLSNAP_DEDUP_MAX) {
		d->hash = h;
		d->index = w->ntext;
		d->text = xmalloc(len + 1);
		memcpy(d->text, text, len);
		d->len = len;
		w->ndedup++;
	}
	polsnap_record(&w->out, 'T', text, len, NULL, 0);
	return w->ntext++;
}

static void
polsnap_compact_lines(struct polsnap_writer *w)
{
	if (w->lines.len == 0)
		return;
	polsnap_record(&w->out, 'D', w->lines.s, w->lines.len, NULL, 0);
	buf_reset(&w->lines);
}

/* What the reader takes: a domain, an id, a text within limits. */
static int
polsnap_entry_ok(const char *domain, const char *id, size_t len,
    struct buf *err)
{
	if (polsnap_domain_ok(domain, strlen(domain)) &&
	    polsnap_id_ok(id, strlen(id)) && len <= POLSNAP_TEXT_MAX)
		return 0;
	if (err != NULL)
		buf_puts(err, "not a domain and a policy id, or a policy text"
		    " too long; not written");
	return -1;
}

int
polsnap_compact_put(struct polsnap_writer *w, const char *domain,
    const char *id, const char *text, size_t len)
{
	size_t k;

	if (w->cfd < 0 || polsnap_entry_ok(domain, id, len, NULL) < 0)
		return -1;
	k = polsnap_compact_text(w, text, len);
	if (w->lines.len + strlen(domain) + strlen(id) + 24 > POLSNAP_BLOCK)
		polsnap_compact_lines(w);
	buf_printf(&w->lines, "%s %s %zu\n", domain, id, k);
	w->domains++;
	polsnap_compact_flush(w, 0);
	return 0;
}

static void
polsnap_dedup_free(struct polsnap_writer *w)
{
	size_t i;

	if (w->dedup == NULL)
		return;
	for (i = 0; i < POLSNAP_DEDUP_SLOTS; i++)
		free(w->dedup[i].text);
	free(w->dedup);
	w->dedup = NULL;
}

void
polsnap_compact_abort(struct polsnap_writer *w)
{
	if (w->cfd >= 0) {
		close(w->cfd);
		unlink(w->base_tmp);
	}
	w->cfd = -1;
	buf_reset(&w->out);
	buf_reset(&w->lines);
	polsnap_dedup_free(w);
}

/* The new empty journal of generation gen, renamed into place; its fd. */
static int
polsnap_journal_new(struct polsnap_writer *w, unsigned long long gen,
    struct buf *err)
{
	struct buf head = BUF_INIT;
	int fd;

	polsnap_header_put(&head, POLSNAP_KIND_JOURNAL, gen);
	if (fileio_write_tmp(w->journal_tmp, head.s, head.len, POLSNAP_MODE,
	    FILEIO_SYNC, err) < 0) {
		buf_free(&head);
		return -1;
	}
	w->journal_bytes = head.len;
	buf_free(&head);
	if ((fd = open(w->journal_tmp, O_WRONLY | O_APPEND | O_CLOEXEC)) < 0 ||
	    rename(w->journal_tmp, w->journal) < 0) {
		buf_printf(err, "%s: cannot put into place: %s", w->journal,
		    strerror(errno));
		if (fd >= 0)
			close(fd);
		unlink(w->journal_tmp);
		return -1;
	}
	return fd;
}

int
polsnap_compact_end(struct polsnap_writer *w, struct buf *err)
{
	char end[64];
	int fd;

	if (w->cfd < 0) {
		buf_printf(err, "%s: no compaction in progress", w->base);
		return -1;
	}
	/* The journal it replaces: a failed sync of it no longer matters. */
	(void)polsnap_sync_wait(w, err);
	buf_reset(err);
	polsnap_compact_lines(w);
	snprintf(end, sizeof(end), "%zu %zu", w->domains, w->ntext);
	polsnap_record(&w->out, 'E', end, strlen(end), NULL, 0);
	polsnap_compact_flush(w, 1);
	if (w->cerrno == 0 && fsync(w->cfd) < 0)
		w->cerrno = errno;
	if (close(w->cfd) < 0 && w->cerrno == 0)
		w->cerrno = errno;
	w->cfd = -1;
	polsnap_dedup_free(w);
	if (w->cerrno != 0 || rename(w->base_tmp, w->base) < 0) {
		buf_printf(err, "%s: cannot write: %s", w->base_tmp,
		    strerror(w->cerrno ? w->cerrno : errno));
		unlink(w->base_tmp);
		return -1;
	}
	w->gen = w->cgen;
	w->base_bytes = w->cbytes;
	/* From here on the old journal is ignored: its generation is older. */
	buf_reset(&w->jout);
	if (w->jfd >= 0)
		close(w->jfd);
	w->jfd = -1;
	w->broken = 1;
	if ((fd = polsnap_journal_new(w, w->gen, err)) < 0)
		return -1;
	if (fileio_fsync_dir(w->dir) < 0) {
		buf_printf(err, "%s: cannot sync the directory: %s", w->dir,
		    strerror(errno));
		close(fd);
		return -1;
	}
	w->jfd = fd;
	w->broken = w->dirty = 0;
	return 0;
}

/* What polsnap_append kept in memory goes to the journal: 0 or -1. */
static int
polsnap_append_flush(struct polsnap_writer *w, struct buf *err)
{
	int rc = 0;

	if (w->jout.len == 0)
		return 0;
	/* After the records the syncer holds, never beside them. */
	if (polsnap_sync_wait(w, err) < 0) {
		rc = -1;
	} else if (w->jfd < 0 || w->broken) {
		buf_printf(err, "%s: not written until the next compaction",
		    w->journal);
		rc = -1;
	} else if (polsnap_write_all(w->jfd, w->jout.s, w->jout.len) < 0) {
		buf_printf(err, "%s: cannot append: %s", w->journal,
		    strerror(errno));
		w->broken = 1;
		rc = -1;
	}
	buf_reset(&w->jout);
	return rc;
}

/*
 * Records are gathered and written by polsnap_sync() (or when
 * POLSNAP_APPEND_BUF bytes wait): one write(2) for the changes of a
 * request, not one per domain.
 */
static int
polsnap_append(struct polsnap_writer *w, struct buf *rec, struct buf *err)
{
	int rc = 0;

	if (w->jfd < 0 || w->broken) {
		buf_printf(err, "%s: not written until the next compaction",
		    w->journal);
		rc = -1;
	} else {
		buf_append(&w->jout, rec->s, rec->len);
		w->journal_bytes += rec->len;
		w->dirty = 1;
		if (w->jout.len >= POLSNAP_APPEND_BUF)
			rc = polsnap_append_flush(w, err);
	}
	buf_free(rec);
	return rc;
}

int
polsnap_append_put(struct polsnap_writer *w, const char *domain,
    const char *id, const char *text, size_t len, struct buf *err)
{
	struct buf rec = BUF_INIT, head = BUF_INIT;

	if (polsnap_entry_ok(domain, id, len, err) < 0)
		return -1;
	buf_printf(&head, "%s %s\n", domain, id);
	polsnap_record(&rec, 'P', head.s, head.len, text, len);
	buf_free(&head);
	return polsnap_append(w, &rec, err);
}

int
polsnap_append_del(struct polsnap_writer *w, const char *domain,
    struct buf *err)
{
	struct buf rec = BUF_INIT;

	if (polsnap_entry_ok(domain, "0", 0, err) < 0)
		return -1;
	polsnap_record(&rec, 'W', domain, strlen(domain), NULL, 0);
	return polsnap_append(w, &rec, err);
}

/* The syncer: one write and fdatasync per hand-over. */
static void *
polsnap_syncer_main(void *arg)
{
	struct polsnap_syncer *s = arg;
	const char *failed;
	int error;

	pthread_mutex_lock(&s->lock);
	for (;;) {
		while (!s->go && !s->stop)
			pthread_cond_wait(&s->cond, &s->lock);
		if (!s->go)
			break;
		pthread_mutex_unlock(&s->lock);
		failed = NULL;
		error = 0;
		if (polsnap_write_all(s->fd, s->data.s, s->data.len) < 0)
			failed = "append";
		else if (fdatasync(s->fd) < 0)
			failed = "sync";
		if (failed != NULL)
			error = errno;
		pthread_mutex_lock(&s->lock);
		s->failed = failed;
		s->error = error;
		s->go = 0;
		pthread_cond_broadcast(&s->cond);
	}
	pthread_mutex_unlock(&s->lock);
	return NULL;
}

/* The records in w->jout go to the syncer; -1: no thread, sync inline. */
static int
polsnap_syncer_give(struct polsnap_writer *w)
{
	struct polsnap_syncer *s = &w->syncer;
	struct buf swap;

	if (!s->started) {
		if (pthread_create(&s->thread, NULL, polsnap_syncer_main, s) != 0)
			return -1;
		s->started = 1;
	}
	pthread_mutex_lock(&s->lock);
	swap = s->data;
	s->data = w->jout;
	w->jout = swap;
	buf_reset(&w->jout);
	s->fd = w->jfd;
	s->go = s->busy = 1;
	pthread_cond_broadcast(&s->cond);
	pthread_mutex_unlock(&s->lock);
	return 0;
}

/* Once the syncer's sync is over: 1 writes to sync, 0 none, -1 failed. */
static int
polsnap_sync_due(struct polsnap_writer *w, struct buf *err)
{
	if (polsnap_sync_wait(w, err) < 0)
		return -1;
	return w->dirty && w->jfd >= 0;
}

int
polsnap_sync_start(struct polsnap_writer *w, struct buf *err)
{
	int rc;

	if ((rc = polsnap_sync_due(w, err)) <= 0)
		return rc;
	if (w->broken || w->jout.len == 0 || polsnap_syncer_give(w) < 0)
		return polsnap_sync(w, err);
	w->dirty = 0;
	return 0;
}

int
polsnap_sync_wait(struct polsnap_writer *w, struct buf *err)
{
	struct polsnap_syncer *s = &w->syncer;

	if (!s->busy)
		return 0;
	pthread_mutex_lock(&s->lock);
	while (s->go)
		pthread_cond_wait(&s->cond, &s->lock);
	pthread_mutex_unlock(&s->lock);
	s->busy = 0;
	buf_reset(&s->data);
	if (s->failed == NULL)
		return 0;
	buf_printf(err, "%s: cannot %s: %s", w->journal, s->failed,
	    strerror(s->error));
	s->failed = NULL;
	w->broken = 1;
	return -1;
}

int
polsnap_sync(struct polsnap_writer *w, struct buf *err)
{
	int rc;

	if ((rc = polsnap_sync_due(w, err)) <= 0)
		return rc;
	if (polsnap_append_flush(w, err) < 0)
		return -1;
	if (fdatasync(w->jfd) < 0) {
		buf_printf(err, "%s: cannot sync: %s", w->journal,
		    strerror(errno));
		w->broken = 1;
		return -1;
	}
	w->dirty = 0;
	return 0;
}

/* Waits for the syncer's last hand-over and ends the thread. */
static void
polsnap_syncer_end(struct polsnap_writer *w)
{
	struct polsnap_syncer *s = &w->syncer;
	struct buf err = BUF_INIT;

	(void)polsnap_sync_wait(w, &err);
	buf_free(&err);
	if (s->started) {
		pthread_mutex_lock(&s->lock);
		s->stop = 1;
		pthread_cond_broadcast(&s->cond);
		pthread_mutex_unlock(&s->lock);
		pthread_join(s->thread, NULL);
		s->started = 0;
	}
	buf_free(&s->data);
	pthread_mutex_destroy(&s->lock);
	pthread_cond_destroy(&s->cond);
}

int
polsnap_compact_due(const struct polsnap_writer *w)
{
	unsigned long long limit = w->base_bytes / POLSNAP_JOURNAL_RATIO;

	if (limit < POLSNAP_JOURNAL_MIN)
		limit = POLSNAP_JOURNAL_MIN;
	return w->jfd < 0 || w->broken || w->journal_bytes > limit;
}

void
polsnap_writer_sizes(const struct polsnap_writer *w, unsigned long long *base,
    unsigned long long *journal)
{
	*base = w->base_bytes;
	*journal = w->journal_bytes;
}

void
polsnap_writer_free(struct polsnap_writer *w)
{
	if (w == NULL)
		return;
	polsnap_syncer_end(w);
	polsnap_compact_abort(w);
	if (w->jfd >= 0 && w->jout.len > 0 && !w->broken)
		(void)polsnap_write_all(w->jfd, w->jout.s, w->jout.len);
	if (w->jfd >= 0)
		close(w->jfd);
	buf_free(&w->jout);
	buf_free(&w->out);
	buf_free(&w->lines);
	free(w->base);
	free(w->journal);
	free(w->base_tmp);
	free(w->journal_tmp);
	free(w->dir);
	free(w);
}
