/*
 * alertsub - the alert subscriptions' syntax and file; see alertsub.h.
 * SPDX-License-Identifier: ISC
 *
 * May touch: the subscriptions file (written by policyd as PATH.tmp
 * then renamed; read by the alerting processes).
 */
#include "config.h"

#include <sys/types.h>
#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "alertsub.h"
#include "buf.h"
#include "esc.h"
#include "fileio.h"
#include "htable.h"
#include "log.h"
#include "mymalloc.h"

int
alertsub_kind_ok(const char *kind)
{
	return strcmp(kind, "mail") == 0 || strcmp(kind, "webhook") == 0;
}

/* A DNS name of letters, digits, hyphens, with at least one dot. */
static int
alertsub_domain_ok(const char *s, size_t n)
{
	size_t i, label = 0;
	int dots = 0;

	if (n == 0 || s[0] == '.' || s[n - 1] == '.')
		return 0;
	for (i = 0; i < n; i++) {
		if (s[i] == '.') {
			if (label == 0 || s[i - 1] == '-')
				return 0;
			label = 0;
			dots++;
			continue;
		}
		if (!((s[i] >= 'a' && s[i] <= 'z') || (s[i] >= 'A' &&
		    s[i] <= 'Z') || (s[i] >= '0' && s[i] <= '9') ||
		    (s[i] == '-' && label > 0)) || ++label > 63)
			return 0;
	}
	return dots > 0;
}

static int
alertsub_mail_check(const char *t, struct buf *err)
{
	size_t len = strlen(t), i;
	const char *at = strrchr(t, '@');

	for (i = 0; i < len; i++)
		if ((unsigned char)t[i] <= ' ' || (unsigned char)t[i] >= 0x7f ||
		    strchr("<>()[]\\\",;:", t[i]) != NULL) {
			buf_printf(err, "mail address \"%s\": one address "
			    "local@domain, without a name, space, quote, "
			    "bracket or control character",
			    esc_printable(t));
			return -1;
		}
	if (len > ALERTSUB_MAIL_MAX || at == NULL || at == t ||
	    strchr(t, '@') != at || (size_t)(at - t) > ALERTSUB_LOCAL_MAX ||
	    t[0] == '-' || !alertsub_domain_ok(at + 1, strlen(at + 1))) {
		buf_printf(err, "mail address \"%s\": not an address "
		    "local@domain (at most %d bytes, a local part of at most "
		    "%d)", esc_printable(t), ALERTSUB_MAIL_MAX,
		    ALERTSUB_LOCAL_MAX);
		return -1;
	}
	return 0;
}

static int
alertsub_webhook_syntax(const char *t, struct buf *err)
{
	size_t len = strlen(t), i, hostlen;
	const char *host = t + 8;

	if (len > ALERTSUB_TARGET_MAX) {
		buf_printf(err, "webhook URL: longer than %d bytes",
		    ALERTSUB_TARGET_MAX);
		return -1;
	}
	for (i = 0; i < len; i++)
		if ((unsigned char)t[i] <= ' ' || (unsigned char)t[i] >= 0x7f) {
			buf_printf(err, "webhook URL \"%s\": a space or a "
			    "control character", esc_printable(t));
			return -1;
		}
	if (strncmp(t, "https://", 8) != 0) {
		buf_printf(err, "webhook URL \"%s\": not https://",
		    esc_printable(t));
		return -1;
	}
	hostlen = strcspn(host, "/?#");
	if (memchr(host, '@', hostlen) != NULL) {
		buf_printf(err, "webhook URL \"%s\": user or password in the "
		    "URL (user:password@): not allowed", esc_printable(t));
		return -1;
	}
	if (hostlen == 0 || host[0] == ':') {
		buf_printf(err, "webhook URL \"%s\": no host",
		    esc_printable(t));
		return -1;
	}
	return 0;
}

int
alertsub_target_check(const char *kind, const char *target, struct buf *err)
{
	if (strcmp(kind, "mail") == 0)
		return alertsub_mail_check(target, err);
	if (strcmp(kind, "webhook") == 0)
		return alertsub_webhook_syntax(target, err);
	buf_printf(err, "kind \"%s\": not mail or webhook",
	    esc_printable(kind));
	return -1;
}

void
alertsub_file_add(struct alertsub_list *l, const char *domain,
    const char *kind, const char *target)
{
	l->v = xgrowarray(l->v, l->n, &l->cap, 16, sizeof(*l->v));
	l->v[l->n].domain = xstrdup(domain);
	l->v[l->n].kind = xstrdup(kind);
	l->v[l->n].target = xstrdup(target);
	l->n++;
}

static void
alertsub_entry_clear(struct alertsub_entry *e)
{
	free(e->domain);
	free(e->kind);
	free(e->target);
}

void
alertsub_list_free(struct alertsub_list *l)
{
	XFREE_EACH(l->v, l->n, alertsub_entry_clear);
	memset(l, 0, sizeof(*l));
}

int
alertsub_file_write(const char *path, const struct alertsub_list *l,
    struct buf *err)
{
	struct buf b = BUF_INIT;
	size_t i;
	int rc;

	for (i = 0; i < l->n; i++) {
		esc_line(&b, l->v[i].domain);
		buf_putc(&b, '\t');
		esc_line(&b, l->v[i].kind);
		buf_putc(&b, '\t');
		esc_line(&b, l->v[i].target);
		buf_putc(&b, '\n');
	}
	rc = fileio_write_atomic(path, b.s ? b.s : "", b.len, 0644,
	    FILEIO_SYNC, err);
	buf_free(&b);
	return rc;
}

/*
 * What alertsub_load() read last, and the file it was (a new inode,
 * size or time: read again).
 */
static struct alertsub_list alertsub_cache;
static struct stat alertsub_seen;
static struct htable *alertsub_index;	/* domain -> first entry + 1 */

/* By domain (any case), kind, target: a domain's are together. */
static int
alertsub_cmp(const void *a, const void *b)
{
	const struct alertsub_entry *x = a, *y = b;
	int c;

	if ((c = strcasecmp(x->domain, y->domain)) != 0 ||
	    (c = strcmp(x->domain, y->domain)) != 0 ||
	    (c = strcmp(x->kind, y->kind)) != 0)
		return c;
	return strcmp(x->target, y->target);
}

/* The cache sorted and indexed, so that a lookup costs no scan. */
static void
alertsub_build_index(void)
{
	size_t i;

	if (alertsub_index != NULL)
		htable_free(alertsub_index, NULL);
	alertsub_index = htable_new(alertsub_cache.n + 1, HTABLE_NOCASE);
	if (alertsub_cache.n > 1)
		qsort(alertsub_cache.v, alertsub_cache.n,
		    sizeof(*alertsub_cache.v), alertsub_cmp);
	for (i = 0; i < alertsub_cache.n; i++)
		if (htable_find(alertsub_index, alertsub_cache.v[i].domain,
		    strlen(alertsub_cache.v[i].domain)) == NULL)
			htable_enter(alertsub_index,
			    alertsub_cache.v[i].domain,
			    strlen(alertsub_cache.v[i].domain),
			    (void *)(uintptr_t)(i + 1));
}

/* One field of a line into out; -1 when it does not read back. */
static int
alertsub_field(const char **p, int last, struct buf *out)
{
	size_t n = strcspn(*p, last ? "\n" : "\t\n");

	buf_reset(out);
	if ((!last && (*p)[n] != '\t') || esc_unline(out, *p, n) < 0)
		return -1;
	buf_putc(out, '\0');
	*p += n + ((*p)[n] != '\0');
	return 0;
}

static void
alertsub_parse(const char *path, const char *data, struct alertsub_list *l)
{
	struct buf d = BUF_INIT, k = BUF_INIT, t = BUF_INIT;
	const char *p = data, *line;
	size_t bad = 0;

	while (*p != '\0') {
		line = p;
		if (alertsub_field(&p, 0, &d) < 0 ||
		    alertsub_field(&p, 0, &k) < 0 ||
		    alertsub_field(&p, 1, &t) < 0) {
			bad++;
			p = line + strcspn(line, "\n");
			p += *p != '\0';
			continue;
		}
		alertsub_file_add(l, d.s, k.s, t.s);
	}
	if (bad > 0)
		log_warn("%s: %zu lines that do not read back skipped", path,
		    bad);
	buf_free(&d);
	buf_free(&k);
	buf_free(&t);
}

void
alertsub_load(const char *path)
{
	struct alertsub_list l = { NULL, 0, 0 };
	struct buf data = BUF_INIT;
	char chunk[8192];
	struct stat st;
	ssize_t n;
	int fd;

	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) < 0) {
		if (errno != ENOENT)
			log_warn("%s: cannot read alert subscriptions: %s",
			    path, strerror(errno));
		else {
			alertsub_list_free(&alertsub_cache);
			alertsub_build_index();
			memset(&alertsub_seen, 0, sizeof(alertsub_seen));
		}
		return;
	}
	if (fstat(fd, &st) < 0 || (st.st_ino == alertsub_seen.st_ino &&
	    st.st_size == alertsub_seen.st_size &&
	    st.st_mtim.tv_sec == alertsub_seen.st_mtim.tv_sec &&
	    st.st_mtim.tv_nsec == alertsub_seen.st_mtim.tv_nsec)) {
		close(fd);
		return;
	}
	while (data.len < ALERTSUB_FILE_MAX &&
	    (n = read(fd, chunk, sizeof(chunk))) > 0)
		buf_append(&data, chunk, (size_t)n);
	close(fd);
	if (data.len >= ALERTSUB_FILE_MAX)
		log_warn("%s: longer than %d bytes: read up to there", path,
		    ALERTSUB_FILE_MAX);
	buf_putc(&data, '\0');
	alertsub_parse(path, data.s, &l);
	buf_free(&data);
	alertsub_list_free(&alertsub_cache);
	alertsub_cache = l;
	alertsub_seen = st;
	alertsub_build_index();
}

const char **
alertsub_targets(const char *domain, const char *kind, size_t *np)
{
	const char **v = NULL;
	size_t i, n = 0, cap = 0;
	void *first;

	first = alertsub_index != NULL ? htable_find(alertsub_index, domain,
	    strlen(domain)) : NULL;
	for (i = first ? (uintptr_t)first - 1 : alertsub_cache.n;
	    i < alertsub_cache.n &&
	    strcasecmp(alertsub_cache.v[i].domain, domain) == 0; i++)
		if (strcmp(alertsub_cache.v[i].kind, kind) == 0) {
			v = xgrowarray(v, n, &cap, 4, sizeof(*v));
			v[n++] = alertsub_cache.v[i].target;
		}
	*np = n;
	return v;
}

const struct alertsub_list *
alertsub_loaded(void)
{
	return &alertsub_cache;
}
