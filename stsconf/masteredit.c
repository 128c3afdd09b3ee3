/*
 * masteredit - change one service of master.cf as text (stsconf -M, -F).
 * SPDX-License-Identifier: ISC
 *
 * The interface is masteredit.h.  The file is kept as bytes: only the
 * physical lines of the one service change, so comments, alignment and
 * the other services stay exactly as the operator wrote them.
 */
#include "config.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "cfg.h"
#include "masteredit.h"
#include "mymalloc.h"

#define MASTEREDIT_COLUMNS	8	/* service ... maxproc command */
#define MASTEREDIT_COMMAND	7	/* index of the command column */

/* The column names of postconf(1) -F, in master.cf order. */
static const char *const masteredit_fields[] = {
	"service", "type", "private", "unpriv", "chroot", "wakeup",
	"process_limit", "command", NULL,
};

struct masteredit_key {
	char	*name;			/* service column */
	char	*type;
	int	 field;			/* index in masteredit_fields, or -1 */
};

struct masteredit_words {
	char	**w;
	int	 n;
};

/* Splits text at white space into xmalloc'd words. */
static void
masteredit_split(const char *text, struct masteredit_words *words)
{
	const char *p = text, *s;

	words->w = NULL;
	words->n = 0;
	for (;;) {
		while (*p != '\0' && isspace((unsigned char)*p))
			p++;
		if (*p == '\0')
			return;
		for (s = p; *p != '\0' && !isspace((unsigned char)*p); p++)
			;
		words->w = xreallocarray(words->w, words->n + 1,
		    sizeof(*words->w));
		words->w[words->n++] = xstrndup(s, p - s);
	}
}

static void
masteredit_words_free(struct masteredit_words *words)
{
	int i;

	for (i = 0; i < words->n; i++)
		free(words->w[i]);
	free(words->w);
}

/* Appends words[from..] joined by one space. */
static void
masteredit_join(const struct masteredit_words *words, int from,
    struct buf *out)
{
	int i;

	for (i = from; i < words->n; i++)
		buf_printf(out, "%s%s", i > from ? " " : "", words->w[i]);
}

/* Refuses what cannot be one line of master.cf: no control bytes. */
static int
masteredit_check_text(const char *what, const char *s, size_t n,
    struct buf *err)
{
	size_t i;

	if (n > MASTEREDIT_ARG_MAX) {
		buf_printf(err, "%s is too long: %zu bytes, at most %d", what,
		    n, MASTEREDIT_ARG_MAX);
		return -1;
	}
	for (i = 0; i < n; i++) {
		if (s[i] == '\n' || s[i] == '\r') {
			buf_printf(err, "%s contains a line break", what);
			return -1;
		}
		if (((unsigned char)s[i] < 0x20 && s[i] != '\t') ||
		    (unsigned char)s[i] == 0x7f) {
			buf_printf(err, "%s contains a control character "
			    "(0x%02x)", what, (unsigned char)s[i]);
			return -1;
		}
	}
	return 0;
}

static void
masteredit_key_free(struct masteredit_key *key)
{
	free(key->name);
	free(key->type);
}

/* Parses "name/type" or, with want_field, "name/type/field". */
static int
masteredit_key_parse(const char *s, size_t n, int want_field,
    struct masteredit_key *key, struct buf *err)
{
	const char *slash, *end = s + n, *f;
	int i;

	memset(key, 0, sizeof(*key));
	key->field = -1;
	if (masteredit_check_text("the service name", s, n, err) < 0)
		return -1;
	if (memchr(s, ' ', n) != NULL || memchr(s, '\t', n) != NULL ||
	    (slash = memchr(s, '/', n)) == NULL || slash == s) {
		buf_printf(err, "bad service \"%.*s\": expected %s", (int)n, s,
		    want_field ? "service/type/field" : "service/type");
		return -1;
	}
	key->name = xstrndup(s, slash - s);
	f = memchr(slash + 1, '/', end - slash - 1);
	key->type = xstrndup(slash + 1, (f ? f : end) - slash - 1);
	if (strcmp(key->type, "inet") != 0 && strcmp(key->type, "unix") != 0) {
		buf_printf(err, "bad service \"%.*s\": type \"%s\": expected "
		    "inet or unix", (int)n, s, key->type);
		goto fail;
	}
	if (!want_field && f == NULL)
		return 0;
	if (!want_field || f == NULL) {
		buf_printf(err, "bad service \"%.*s\": expected %s", (int)n, s,
		    want_field ? "service/type/field" : "service/type");
		goto fail;
	}
	for (i = 0; masteredit_fields[i] != NULL; i++)
		if (strlen(masteredit_fields[i]) == (size_t)(end - f - 1) &&
		    memcmp(masteredit_fields[i], f + 1, end - f - 1) == 0)
			key->field = i;
	if (key->field < 0) {
		buf_printf(err, "bad field \"%.*s\": expected service, type, "
		    "private, unpriv, chroot, wakeup, process_limit or command",
		    (int)(end - f - 1), f + 1);
		goto fail;
	}
	return 0;

fail:
	masteredit_key_free(key);
	return -1;
}

/*
 * Finding a service's logical line with the master.cf tokenizer.
 */
struct masteredit_find {
	const struct masteredit_key *key;	/* NULL: every line (show) */
	int	 found;
	size_t	 start, end;			/* its physical lines */
	struct masteredit_words words;
	struct buf *show;			/* masteredit_show() output */
};

static void
masteredit_show_line(const struct masteredit_words *words, int field,
    struct buf *out)
{
	int i, from = field < 0 ? 0 : field, to = field < 0 ?
	    MASTEREDIT_COMMAND : field;

	for (i = from; i <= to; i++) {
		buf_printf(out, "%s/%s/%s = ", words->w[0], words->w[1],
		    masteredit_fields[i]);
		if (i == MASTEREDIT_COMMAND)
			masteredit_join(words, MASTEREDIT_COMMAND, out);
		else
			buf_puts(out, words->w[i]);
		buf_putc(out, '\n');
	}
}

static int
masteredit_find_line(const struct cfg_line *l, void *arg, struct buf *err)
{
	struct masteredit_find *fd = arg;
	struct masteredit_words words;

	(void)err;
	masteredit_split(l->text, &words);
	if (words.n >= MASTEREDIT_COLUMNS && (fd->key == NULL ||
	    (strcmp(words.w[0], fd->key->name) == 0 &&
	    strcmp(words.w[1], fd->key->type) == 0))) {
		if (fd->show != NULL)
			masteredit_show_line(&words, fd->key ?
			    fd->key->field : -1, fd->show);
		if (fd->key != NULL && !fd->found) {
			fd->found = 1;
			fd->start = l->start;
			fd->end = l->end;
			fd->words = words;
			return 0;
		}
	}
	masteredit_words_free(&words);
	return 0;
}

static int
masteredit_find(const char *file, const char *data, size_t len,
    const struct masteredit_key *key, struct masteredit_find *fd,
    struct buf *err)
{
	memset(fd, 0, sizeof(*fd));
	fd->key = key;
	if (cfg_scan(file, data, len, masteredit_find_line, fd, err) == 0)
		return 0;
	if (fd->found)			/* a bad line after the service */
		masteredit_words_free(&fd->words);
	fd->found = 0;
	return -1;
}

/* Like masteredit_find(), and a service that is not there is an error. */
static int
masteredit_find_must(const char *file, const char *data, size_t len,
    const struct masteredit_key *key, struct masteredit_find *fd,
    struct buf *err)
{
	if (masteredit_find(file, data, len, key, fd, err) < 0)
		return -1;
	if (!fd->found) {
		buf_printf(err, "no service %s/%s in %s", key->name, key->type,
		    file);
		return -1;
	}
	return 0;
}

/*
 * Writes data with [start, end) replaced by text (a line without its
 * newline, or NULL for none), keeping the comment lines of the range.
 */
static void
masteredit_replace(const char *data, size_t len, size_t start, size_t end,
    const char *text, struct buf *out)
{
	const char *p = data + start, *stop = data + end, *nl;

	buf_append(out, data, start);
	if (text != NULL)
		buf_printf(out, "%s\n", text);
	for (; p < stop; p = nl + 1) {
		if ((nl = memchr(p, '\n', stop - p)) == NULL)
			nl = stop - 1;
		if (cfg_skip_line(p, nl + 1 - p))
			buf_append(out, p, nl + 1 - p);
	}
	buf_append(out, data + end, len - end);
}

/* One KEY=VALUE edit of data: the key and the words of the value. */
typedef int (*masteredit_edit_fn)(const char *file, const char *data,
    size_t len, const struct masteredit_key *key,
    const struct masteredit_words *value, struct buf *out, struct buf *err);

/*
 * arg as KEY=VALUE, the key with a field when field is set: the key and
 * the words of the value, checked, handed to edit; -1 with err set.
 */
static int
masteredit_edit(const char *file, const char *data, size_t len,
    const char *arg, int field, const char *expect, const char *what,
    masteredit_edit_fn edit, struct buf *out, struct buf *err)
{
	const char *eq = strchr(arg, '=');
	struct masteredit_key key;
	struct masteredit_words value;
	int rc = -1;

	if (eq == NULL) {
		buf_printf(err, "expected %s", expect);
		return -1;
	}
	if (masteredit_key_parse(arg, eq - arg, field, &key, err) < 0)
		return -1;
	if (masteredit_check_text(what, eq + 1, strlen(eq + 1), err) == 0) {
		masteredit_split(eq + 1, &value);
		rc = edit(file, data, len, &key, &value, out, err);
		masteredit_words_free(&value);
	}
	masteredit_key_free(&key);
	return rc;
}

/* The entry replaced, or appended when it is not there. */
static int
masteredit_service_edit(const char *file, const char *data, size_t len,
    const struct masteredit_key *key, const struct masteredit_words *words,
    struct buf *out, struct buf *err)
{
	struct masteredit_find fd;
	struct buf line = BUF_INIT;

	if (words->n < MASTEREDIT_COLUMNS ||
	    strcmp(words->w[0], key->name) != 0 ||
	    strcmp(words->w[1], key->type) != 0) {
		buf_printf(err, "entry of %s/%s: expected \"%s %s private "
		    "unpriv chroot wakeup maxproc command [args]\"", key->name,
		    key->type, key->name, key->type);
		return -1;
	}
	if (masteredit_find(file, data, len, key, &fd, err) < 0)
		return -1;
	masteredit_join(words, 0, &line);
	if (fd.found) {
		masteredit_replace(data, len, fd.start, fd.end, line.s, out);
		masteredit_words_free(&fd.words);
	} else {
		buf_append(out, data, len);
		if (len > 0 && data[len - 1] != '\n')
			buf_putc(out, '\n');
		buf_printf(out, "%s\n", line.s);
	}
	buf_free(&line);
	return 0;
}

int
masteredit_service(const char *file, const char *data, size_t len,
    const char *arg, struct buf *out, struct buf *err)
{
	return masteredit_edit(file, data, len, arg, 0, "service/type=entry",
	    "the entry", masteredit_service_edit, out, err);
}

/*
 * Replaces column field on the entry's first physical line (at start) in
 * place, padded to keep the next column where it was, so that an aligned
 * table stays aligned.  Returns 0 when the column is not on that line.
 */
static int
masteredit_column(const char *data, size_t len, size_t start, int field,
    const char *value, struct buf *out)
{
	const char *p = data + start, *stop = data + len, *ts = NULL;
	const char *nl = memchr(p, '\n', stop - p);
	size_t width, vlen = strlen(value);
	int i;

	if (nl != NULL)
		stop = nl;
	for (i = 0; i <= field; i++) {
		while (p < stop && (*p == ' ' || *p == '\t'))
			p++;
		if (p == stop)
			return 0;
		for (ts = p; p < stop && *p != ' ' && *p != '\t'; p++)
			;
	}
	while (p < stop && (*p == ' ' || *p == '\t'))
		p++;
	if (p == stop)
		return 0;		/* the command is on another line */
	width = p - ts;
	buf_append(out, data, ts - data);
	buf_puts(out, value);
	for (width = vlen < width ? width - vlen : 1; width > 0; width--)
		buf_putc(out, ' ');
	buf_append(out, p, data + len - p);
	return 1;
}

/* One column replaced, or the command with its arguments. */
static int
masteredit_field_edit(const char *file, const char *data, size_t len,
    const struct masteredit_key *key, const struct masteredit_words *value,
    struct buf *out, struct buf *err)
{
	struct masteredit_find fd;
	struct buf line = BUF_INIT;
	int n;

	if (value->n == 0 || (key->field != MASTEREDIT_COMMAND &&
	    value->n != 1)) {
		buf_printf(err, "%s/%s/%s: expected %s", key->name, key->type,
		    masteredit_fields[key->field], key->field ==
		    MASTEREDIT_COMMAND ? "a command" : "one word");
		return -1;
	}
	if (masteredit_find_must(file, data, len, key, &fd, err) < 0)
		return -1;
	if (key->field == MASTEREDIT_COMMAND) {
		n = fd.words.n;
		fd.words.n = MASTEREDIT_COMMAND;	/* the columns only */
		masteredit_join(&fd.words, 0, &line);
		fd.words.n = n;
		buf_putc(&line, ' ');
		masteredit_join(value, 0, &line);
	} else if (masteredit_column(data, len, fd.start, key->field,
	    value->w[0], out)) {
		masteredit_words_free(&fd.words);
		return 0;
	} else {
		free(fd.words.w[key->field]);
		fd.words.w[key->field] = xstrdup(value->w[0]);
		masteredit_join(&fd.words, 0, &line);
	}
	masteredit_replace(data, len, fd.start, fd.end, line.s, out);
	masteredit_words_free(&fd.words);
	buf_free(&line);
	return 0;
}

int
masteredit_field(const char *file, const char *data, size_t len,
    const char *arg, struct buf *out, struct buf *err)
{
	return masteredit_edit(file, data, len, arg, 1,
	    "service/type/field=value", "the value", masteredit_field_edit,
	    out, err);
}

int
masteredit_show(const char *file, const char *data, size_t len,
    const char *key, struct buf *out, struct buf *err)
{
	struct masteredit_key k;
	struct masteredit_find fd;
	int rc;

	if (key == NULL) {
		memset(&fd, 0, sizeof(fd));
		fd.show = out;
		return cfg_scan(file, data, len, masteredit_find_line, &fd,
		    err);
	}
	if (masteredit_key_parse(key, strlen(key), 1, &k, err) < 0)
		return -1;
	if ((rc = masteredit_find(file, data, len, &k, &fd, err)) == 0) {
		/* Prints only the first: mastercf refuses duplicates. */
		if (fd.found)
			masteredit_show_line(&fd.words, k.field, out);
		else {
			buf_printf(err, "no service %s/%s in %s", k.name,
			    k.type, file);
			rc = -1;
		}
		if (fd.found)
			masteredit_words_free(&fd.words);
	}
	masteredit_key_free(&k);
	return rc;
}

int
masteredit_comment(const char *file, const char *data, size_t len,
    const char *key, struct buf *out, struct buf *err)
{
	struct masteredit_key k;
	struct masteredit_find fd;
	const char *p, *nl, *stop;

	if (masteredit_key_parse(key, strlen(key), 0, &k, err) < 0)
		return -1;
	if (masteredit_find_must(file, data, len, &k, &fd, err) < 0) {
		masteredit_key_free(&k);
		return -1;
	}
	buf_append(out, data, fd.start);
	stop = data + fd.end;
	for (p = data + fd.start; p < stop; p = nl + 1) {
		if ((nl = memchr(p, '\n', stop - p)) == NULL)
			nl = stop - 1;
		if (!cfg_skip_line(p, nl + 1 - p))
			buf_putc(out, '#');
		buf_append(out, p, nl + 1 - p);
	}
	if (fd.end == len && len > 0 && data[len - 1] != '\n')
		buf_putc(out, '\n');
	buf_append(out, data + fd.end, len - fd.end);
	masteredit_words_free(&fd.words);
	masteredit_key_free(&k);
	return 0;
}

/* The physical line at p (up to stop): its length with the newline. */
static size_t
masteredit_line_len(const char *p, const char *stop)
{
	const char *nl = memchr(p, '\n', stop - p);

	return nl != NULL ? (size_t)(nl + 1 - p) : (size_t)(stop - p);
}

/* Is the physical line "#name type ..." (the start of a disabled entry)? */
static int
masteredit_commented(const char *p, size_t n, const struct masteredit_key *k)
{
	struct masteredit_words words;
	char *text;
	int yes;

	if (n < 2 || p[0] != '#' || isspace((unsigned char)p[1]))
		return 0;
	text = xstrndup(p + 1, n - 1);
	masteredit_split(text, &words);
	yes = words.n >= MASTEREDIT_COLUMNS && strcmp(words.w[0], k->name) ==
	    0 && strcmp(words.w[1], k->type) == 0;
	masteredit_words_free(&words);
	free(text);
	return yes;
}

/* A continuation of a disabled entry: "#", white space, then "-". */
static int
masteredit_commented_more(const char *p, size_t n)
{
	size_t i = 1;

	if (n < 2 || p[0] != '#' || (p[1] != ' ' && p[1] != '\t'))
		return 0;
	while (i < n && (p[i] == ' ' || p[i] == '\t'))
		i++;
	return i < n && p[i] == '-';
}

/* "  # ...": a comment inside an entry, that -M# does not touch. */
static int
masteredit_indented_comment(const char *p, size_t n)
{
	size_t i = 0;

	while (i < n && (p[i] == ' ' || p[i] == '\t'))
		i++;
	return i > 0 && i < n && p[i] == '#';
}

int
masteredit_uncomment(const char *file, const char *data, size_t len,
    const char *key, struct buf *out, struct buf *err)
{
	struct masteredit_key k;
	struct masteredit_find fd;
	const char *p, *stop = data + len, *at = NULL;
	size_t n;
	int count = 0;

	if (masteredit_key_parse(key, strlen(key), 0, &k, err) < 0)
		return -1;
	if (masteredit_find(file, data, len, &k, &fd, err) < 0)
		goto fail;
	if (fd.found) {
		masteredit_words_free(&fd.words);
		buf_printf(err, "service %s/%s is not commented out in %s",
		    k.name, k.type, file);
		goto fail;
	}
	for (p = data; p < stop; p += n) {
		n = masteredit_line_len(p, stop);
		if (masteredit_commented(p, n, &k) && count++ == 0)
			at = p;
	}
	if (count != 1) {
		buf_printf(err, count == 0 ? "no commented-out service %s/%s "
		    "in %s" : "several commented-out entries of %s/%s in %s: "
		    "edit it by hand", k.name, k.type, file);
		goto fail;
	}
	buf_append(out, data, at - data);
	for (p = at; p < stop; p += n) {
		n = masteredit_line_len(p, stop);
		if (p == at || masteredit_commented_more(p, n))
			buf_append(out, p + 1, n - 1);
		else if (masteredit_indented_comment(p, n))
			buf_append(out, p, n);	/* -M# left it alone */
		else
			break;
	}
	buf_append(out, p, stop - p);
	masteredit_key_free(&k);
	return 0;

fail:
	masteredit_key_free(&k);
	return -1;
}

int
masteredit_remove(const char *file, const char *data, size_t len,
    const char *key, struct buf *out, struct buf *err)
{
	struct masteredit_key k;
	struct masteredit_find fd;

	if (masteredit_key_parse(key, strlen(key), 0, &k, err) < 0)
		return -1;
	if (masteredit_find_must(file, data, len, &k, &fd, err) < 0) {
		masteredit_key_free(&k);
		return -1;
	}
	masteredit_replace(data, len, fd.start, fd.end, NULL, out);
	masteredit_words_free(&fd.words);
	masteredit_key_free(&k);
	return 0;
}
