/*
 * metrics_self - the series of this process and its file; see
 * metrics.h.
 * SPDX-License-Identifier: ISC
 *
 * The process's own table is written whole to its file: the metrics
 * worker needs no protocol with the daemons and a chrooted worker needs
 * no socket, only the metrics/ directory of the queue.
 *
 * The process keeps the text of its file (the image) next to its table,
 * each series with the offset of its value there, and the values are
 * written at a fixed width (METRICS_VALUE_WIDTH, zero-padded: strtoll
 * reads them as they are).  A change of value is patched in place and a
 * new series appended, so that a flush formats nothing and costs one
 * write of the image, however many series the process has; a value set
 * to what it was changes nothing and writes nothing.  Only a removal
 * makes the next flush build the image again.
 *
 * MAY TOUCH
 *	$queue_directory/metrics/PROGRAM.PID (relative to the working
 *	directory) and its temporary file; a timer on server_base().
 */
#include "config.h"

#include <errno.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <event2/event.h>

#include "log.h"
#include "metrics.h"
#include "metrics_series.h"
#include "mymalloc.h"
#include "server.h"

#define METRICS_CATALOG_MAX	64	/* bits of metrics_self.heads */

/* The series of this process. */
static struct {
	struct metrics_table *table;
	pid_t	 pid;			/* the process that owns the table */
	int	 forked;		/* this is a child of that process */
	struct buf image;		/* the text of its file */
	int	 stale;			/* image: build it again */
	const struct metrics_def *tail;	/* whose group ends the image */
	uint64_t heads;			/* metrics with a group in it */
	unsigned long epoch;		/* metrics_epoch() */
	int	 dirty;
	int	 timer;			/* a flush is scheduled */
	time_t	 last;			/* last write */
} metrics_self;

/* The value of s into its place in the image: always the same width. */
static void
metrics_image_patch(const struct metrics_series *s)
{
	char num[METRICS_VALUE_WIDTH + 1];

	snprintf(num, sizeof(num), "%0*lld", METRICS_VALUE_WIDTH, s->value);
	memcpy(metrics_self.image.s + s->off, num, METRICS_VALUE_WIDTH);
}

/* Appends the line of s to the image. */
static void
metrics_image_append(struct metrics_series *s)
{
	struct buf *b = &metrics_self.image;

	buf_puts(b, s->def->name);
	if (s->labels[0] != '\0')
		buf_printf(b, "{%s}", s->labels);
	buf_putc(b, ' ');
	s->off = b->len;
	buf_printf(b, "%0*lld\n", METRICS_VALUE_WIDTH, s->value);
}

/* The bit of def in metrics_self.heads. */
static uint64_t
metrics_def_bit(const struct metrics_def *def)
{
	return (uint64_t)1 << (def - metrics_catalog);
}

/*
 * s was made or changed: its line in the image follows.  The series of
 * a metric stay together under its HELP and TYPE (the exposition
 * format wants one group per metric): a new series goes at the end when
 * its metric's group is last or absent, else the image is laid out
 * again, that metric's group last, at the next write.
 */
static void
metrics_image_note(struct metrics_series *s)
{
	if (metrics_self.stale)
		return;
	if (s->off != METRICS_OFF_NONE) {
		metrics_image_patch(s);
		return;
	}
	if (s->def != metrics_self.tail) {
		if (metrics_self.heads & metrics_def_bit(s->def)) {
			metrics_self.stale = 1;
			metrics_self.tail = s->def;
			return;
		}
		metrics_def_head(&metrics_self.image, s->def);
		metrics_self.heads |= metrics_def_bit(s->def);
		metrics_self.tail = s->def;
	}
	metrics_image_append(s);
}

/* The group of def: its HELP, TYPE and series, when it has series. */
static void
metrics_image_group(const struct metrics_def *def)
{
	struct metrics_table *t = metrics_self.table;
	size_t i;

	for (i = 0; i < t->cap; i++) {
		if (t->slots[i].def != def)
			continue;
		if (metrics_self.tail != def) {
			metrics_def_head(&metrics_self.image, def);
			metrics_self.heads |= metrics_def_bit(def);
			metrics_self.tail = def;
		}
		metrics_image_append(&t->slots[i]);
	}
}

/* The groups in catalog order, that of the last new series last. */
static void
metrics_image_build(void)
{
	const struct metrics_def *def, *tail = metrics_self.tail;

	buf_reset(&metrics_self.image);
	metrics_self.heads = 0;
	metrics_self.tail = NULL;
	for (def = metrics_catalog; def->name != NULL; def++)
		if (def != tail)
			metrics_image_group(def);
	if (tail != NULL)
		metrics_image_group(tail);
	metrics_self.stale = 0;
}

static void
metrics_on_exit(void)
{
	metrics_flush();
	if (metrics_self.pid == getpid()) {
		metrics_table_free(metrics_self.table);
		metrics_self.table = NULL;
		buf_free(&metrics_self.image);
	}
}

static void
metrics_on_timer(evutil_socket_t fd, short what, void *arg)
{
	(void)fd;
	(void)what;
	(void)arg;
	metrics_self.timer = 0;
	metrics_flush();
}

/* A change: the file is written within METRICS_FLUSH_INTERVAL. */
static void
metrics_changed(void)
{
	struct timeval tv = { METRICS_FLUSH_INTERVAL, 0 };
	struct event_base *base;

	metrics_self.dirty = 1;
	if (metrics_self.timer || (base = server_base()) == NULL)
		return;
	if (event_base_once(base, -1, EV_TIMEOUT, metrics_on_timer, NULL,
	    &tv) == 0)
		metrics_self.timer = 1;
}

/*
 * A forked child counts nothing: its parent does.  Noted at the fork,
 * not found by comparing getpid() on every count: a system call per
 * request in httpd (glibc no longer caches the pid).
 */
static void
metrics_after_fork(void)
{
	metrics_self.forked = 1;
}

static struct metrics_table *
metrics_own(void)
{
	if (metrics_self.table == NULL || metrics_self.forked) {
		/* A forked child counts nothing: its parent does. */
		if (metrics_self.table != NULL)
			return NULL;
		if (metrics_catalog_size() > METRICS_CATALOG_MAX)
			log_panic("metrics: %zu metrics in the catalog, more"
			    " than %d", metrics_catalog_size(),
			    METRICS_CATALOG_MAX);
		metrics_self.table = metrics_table_new();
		metrics_self.pid = getpid();
		metrics_self.epoch = 1;
		if (pthread_atfork(NULL, NULL, metrics_after_fork) != 0)
			log_fatal("metrics: cannot register a fork handler");
		atexit(metrics_on_exit);
	}
	return metrics_self.table;
}

/* Sets or adds to one own series; the dropped counter when it is full. */
static void
metrics_self_put(struct metrics_table *t, const struct metrics_def *def,
    const char *labels, long long value, int add)
{
	struct metrics_series *s;
	int made;

	if ((s = metrics_table_ref(t, def, labels)) == NULL) {
		def = metrics_find(METRIC_DROPPED);
		s = metrics_table_ref(t, def, "");
		value = 1;
		add = 1;
	}
	made = s->off == METRICS_OFF_NONE;
	s->epoch = metrics_self.epoch;
	if (metrics_series_update(s, value, add) || made) {
		metrics_image_note(s);
		metrics_changed();
	}
}

/* Removes one own series, if there is one. */
static void
metrics_self_del(struct metrics_table *t, const struct metrics_def *def,
    const char *labels)
{
	struct metrics_series *s;

	s = metrics_slot(t, def, labels, metrics_hash(def->name, labels));
	if (s->def == NULL)
		return;
	metrics_slot_clear(t, s);
	metrics_self.stale = 1;
	metrics_changed();
}

static const struct metrics_def *
metrics_must_find(const char *name)
{
	const struct metrics_def *def = metrics_find(name);

	if (def == NULL)
		log_panic("metrics: %s: not in the catalog", name);
	return def;
}

static void
metrics_vput(const char *name, long long value, int add, va_list ap)
{
	const struct metrics_def *def = metrics_must_find(name);
	struct metrics_table *t = metrics_own();
	struct buf labels = BUF_INIT;

	if (t != NULL && metrics_vlabels(&labels, ap) == 0)
		metrics_self_put(t, def, labels.s ? labels.s : "", value, add);
	buf_free(&labels);
}

void
metrics_add(const char *name, long long n, ...)
{
	va_list ap;

	va_start(ap, n);
	metrics_vput(name, n, 1, ap);
	va_end(ap);
}

void
metrics_set(const char *name, long long value, ...)
{
	va_list ap;

	va_start(ap, value);
	metrics_vput(name, value, 0, ap);
	va_end(ap);
}

void
metrics_del(const char *name, ...)
{
	const struct metrics_def *def = metrics_must_find(name);
	struct metrics_table *t = metrics_own();
	struct buf labels = BUF_INIT;
	va_list ap;

	va_start(ap, name);
	if (t != NULL && metrics_vlabels(&labels, ap) == 0)
		metrics_self_del(t, def, labels.s ? labels.s : "");
	va_end(ap);
	buf_free(&labels);
}

void
metrics_state(const char *name, const char *current,
    const char *const *states, ...)
{
	const struct metrics_def *def = metrics_must_find(name);
	struct metrics_table *t = metrics_own();
	struct buf base = BUF_INIT, labels = BUF_INIT;
	va_list ap;
	size_t i;

	if (t == NULL)
		return;
	va_start(ap, states);
	if (metrics_vlabels(&base, ap) < 0) {
		va_end(ap);
		buf_free(&base);
		return;
	}
	va_end(ap);
	buf_append(&labels, base.s ? base.s : "", base.len);
	for (i = 0; states[i] != NULL; i++) {
		labels.len = base.len;	/* the common part stays */
		if (metrics_labels(&labels, "status", states[i], NULL) < 0)
			continue;
		if (current != NULL && strcmp(states[i], current) == 0)
			metrics_self_put(t, def, labels.s, 1, 0);
		else
			metrics_self_del(t, def, labels.s);
	}
	buf_free(&base);
	buf_free(&labels);
}

unsigned long
metrics_epoch(void)
{
	if (metrics_own() == NULL)
		return 0;
	return ++metrics_self.epoch;
}

size_t
metrics_expire(const char *name, unsigned long epoch)
{
	const struct metrics_def *def = metrics_must_find(name);
	struct metrics_table *t = metrics_own();
	struct metrics_series *s;
	size_t i = 0, n = 0;

	if (t == NULL)
		return 0;
	/* A clear may move a later series into slot i: look at it again. */
	while (i < t->cap) {
		s = &t->slots[i];
		if (s->def == def && s->epoch < epoch) {
			metrics_slot_clear(t, s);
			n++;
		} else
			i++;
	}
	if (n > 0) {
		metrics_self.stale = 1;
		metrics_changed();
	}
	return n;
}

int
metrics_flush(void)
{
	struct buf err = BUF_INIT;
	char *path;
	int rc;

	if (metrics_self.table == NULL || !metrics_self.dirty ||
	    metrics_self.pid != getpid())
		return 0;
	if (metrics_self.stale)
		metrics_image_build();
	path = xasprintf("%s/%s.%ld", METRICS_DIR,
	    log_program() ? log_program() : "unknown", (long)getpid());
	rc = metrics_write_file(path, metrics_self.image.s ?
	    metrics_self.image.s : "", metrics_self.image.len, &err);
	if (rc == 0)
		metrics_self.dirty = 0;
	else
		log_debug("metrics: %s", err.s);
	metrics_self.last = time(NULL);
	free(path);
	buf_free(&err);
	return rc;
}
