/*
 * alert_file - lib/alert's store of what was sent, in a journal file;
 * see alert_file.h.
 * SPDX-License-Identifier: ISC
 *
 * May touch: the state file (appended to; rewritten as PATH.tmp then
 * renamed).
 */
#include "config.h"

#include <sys/types.h>

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "alert.h"
#include "alert_file.h"
#include "buf.h"
#include "esc.h"
#include "htable.h"
#include "log.h"
#include "mymalloc.h"

#define ALERT_FILE_BUCKETS	4096	/* of its table, to start with */

struct alert_file {
	char	*path;
	int	 fd;			/* appends; -1 when it cannot */
	int	 dirty;			/* appended since synced */
	time_t	 saved;			/* time of the last sync */
	size_t	 lines;			/* lines in the file */
	struct htable *keys;		/* name -> key (xstrdup'd) */
};

/* Sets (key) or forgets (NULL) the key of name. */
static void
alert_file_set(struct alert_file *f, const char *name, const char *key)
{
	struct htable_entry *e = htable_lookup_str(f->keys, name);

	if (e != NULL) {
		free(e->value);
		if (key == NULL)
			htable_delete_entry(f->keys, e);
		else
			e->value = xstrdup(key);
	} else if (key != NULL)
		htable_enter_str(f->keys, name, xstrdup(key));
}

/* The descriptor that changes are appended to. */
static void
alert_file_open(struct alert_file *f)
{
	if (f->fd >= 0)
		close(f->fd);
	f->fd = open(f->path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC,
	    0600);
	if (f->fd < 0)
		log_warn("%s: cannot write alert state: %s", f->path,
		    strerror(errno));
}

char *
alert_file_name(const char *domain, const char *kind)
{
	struct buf b = BUF_INIT;

	esc_line(&b, domain);
	buf_putc(&b, '\t');
	esc_line(&b, kind);
	return buf_steal(&b);
}

/* One line of the file: the name, then TAB and the key when set. */
static char *
alert_file_line(const char *name, const char *key)
{
	struct buf b = BUF_INIT;

	buf_puts(&b, name);
	if (key != NULL) {
		buf_putc(&b, '\t');
		esc_line(&b, key);
	}
	buf_putc(&b, '\n');
	return buf_steal(&b);
}

static void
alert_file_append(struct alert_file *f, const char *name, const char *key)
{
	char *line = alert_file_line(name, key);
	size_t len = strlen(line);

	if (f->fd < 0 || write(f->fd, line, len) != (ssize_t)len) {
		log_warn("%s: cannot append alert state: %s", f->path,
		    f->fd < 0 ? "not open" : strerror(errno));
		f->lines = (size_t)-1 / 2;	/* rewrite it next time */
	} else
		f->lines++;
	free(line);
}

static void
alert_file_save(struct alert_file *f)
{
	char *tmp = xasprintf("%s.tmp", f->path), *line;
	struct htable_iter it;
	struct htable_entry *e;
	FILE *fp;
	int bad;

	if ((fp = fopen(tmp, "w")) == NULL) {
		log_warn("%s: cannot write alert state: %s", tmp,
		    strerror(errno));
		free(tmp);
		return;
	}
	htable_iter_start(f->keys, &it);
	while ((e = htable_iter_next(&it)) != NULL) {
		line = alert_file_line(e->key, e->value);
		fputs(line, fp);
		free(line);
	}
	bad = fflush(fp) != 0 || fsync(fileno(fp)) != 0;
	if (fclose(fp) != 0 || bad || rename(tmp, f->path) != 0) {
		log_warn("%s: cannot save alert state: %s", f->path,
		    strerror(errno));
		unlink(tmp);
	} else
		f->lines = htable_count(f->keys);
	free(tmp);
	alert_file_open(f);
}

const char *
alert_file_get_cb(void *ctx, const char *domain, const char *kind)
{
	struct alert_file *f = ctx;
	char *name = alert_file_name(domain, kind);
	const char *key = htable_find_str(f->keys, name);

	free(name);
	return key;
}

void
alert_file_put_cb(void *ctx, const char *domain, const char *kind,
    const char *key)
{
	struct alert_file *f = ctx;
	char *name = alert_file_name(domain, kind);

	alert_file_set(f, name, key);
	f->dirty = 1;
	if (f->lines > 2 * htable_count(f->keys) + ALERT_COMPACT_MIN) {
		alert_file_save(f);
		f->dirty = 0;
		f->saved = time(NULL);
	} else
		alert_file_append(f, name, key);
	free(name);
	if (time(NULL) - f->saved >= ALERT_SAVE_INTERVAL)
		alert_file_flush(f);
}

void
alert_file_flush(struct alert_file *f)
{
	if (!f->dirty)
		return;
	if (f->fd < 0 || fdatasync(f->fd) != 0)
		alert_file_save(f);
	f->dirty = 0;
	f->saved = time(NULL);
}

/*
 * One line of the file into the store: "domain TAB kind [TAB key]",
 * each field as esc_line() wrote it; -1 for a line that is not.
 */
static int
alert_file_read_line(struct alert_file *f, const char *line, size_t len)
{
	struct buf field[3] = { BUF_INIT, BUF_INIT, BUF_INIT };
	const char *p = line, *end = line + len, *tab;
	char *name = NULL;
	int n, rc = -1;

	for (n = 0; n < 3; n++) {
		if ((tab = memchr(p, '\t', (size_t)(end - p))) == NULL)
			tab = end;
		if (esc_unline(&field[n], p, (size_t)(tab - p)) < 0)
			goto out;
		buf_putc(&field[n], '\0');	/* "" is a field too */
		if (tab == end)
			break;
		p = tab + 1;
	}
	if (n == 0 || n == 3)		/* one field, or more than three */
		goto out;
	name = alert_file_name(field[0].s, field[1].s);
	alert_file_set(f, name, n == 2 ? field[2].s : NULL);
	rc = 0;
out:
	free(name);
	buf_free(&field[0]);
	buf_free(&field[1]);
	buf_free(&field[2]);
	return rc;
}

struct alert_file *
alert_file_new(const char *path, struct buf *err)
{
	struct alert_file *f;
	char *line = NULL;
	size_t cap = 0;
	ssize_t len;
	FILE *fp;
	int lineno = 0;

	if ((fp = fopen(path, "r")) == NULL && errno != ENOENT) {
		buf_printf(err, "%s: %s", path, strerror(errno));
		return NULL;
	}
	f = xcalloc(1, sizeof(*f));
	f->path = xstrdup(path);
	f->fd = -1;
	f->keys = htable_new(ALERT_FILE_BUCKETS, 0);
	while (fp != NULL && (len = getline(&line, &cap, fp)) > 0) {
		lineno++;
		if (line[len - 1] == '\n')
			line[--len] = '\0';
		/* A bad line is dropped (the rewrite below leaves it out). */
		if ((size_t)len > ALERT_STATE_LINE_MAX ||
		    alert_file_read_line(f, line, (size_t)len) < 0)
			log_warn("%s:%d: bad alert state line ignored", path,
			    lineno);
	}
	free(line);
	if (fp != NULL)
		fclose(fp);
	/* Start from a compact file (a crash may have left a long one). */
	if (fp != NULL && (size_t)lineno != htable_count(f->keys))
		alert_file_save(f);
	else
		alert_file_open(f);
	f->lines = htable_count(f->keys);
	return f;
}

void
alert_file_free(struct alert_file *f)
{
	alert_file_flush(f);
	htable_free(f->keys, free);
	if (f->fd >= 0)
		close(f->fd);
	free(f->path);
	free(f);
}
