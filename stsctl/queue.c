/*
 * queue - "stsctl queue ...": the spool of received reports, like
 * postqueue -p and postsuper -r / -d.
 * SPDX-License-Identifier: ISC
 *
 * SYNOPSIS
 *	stsctl queue list [--json]
 *	stsctl queue show ID [--json]
 *	stsctl queue requeue ID|ALL [--json]
 *	stsctl queue delete ID [--json]
 *
 * DESCRIPTION
 *	Opens $queue_directory with lib/spool and works on its files
 *	directly; the spool is mail_owner's, so these commands run as root
 *	or as mail_owner.  list shows every message of incoming/,
 *	active/, deferred/ and corrupt/ (oldest first within each) with
 *	its id, queue, size, arrival time (from the id), the sender (From:,
 *	or "https" for a report POSTed over HTTPS) and recipient ("for
 *	<...>" of rptrecv's Received: header, else To:) read from the
 *	first QUEUE_HEAD_MAX bytes, and the reason of a deferred or corrupt
 *	one.  show prints the reason, then the message as it is spooled;
 *	to a terminal, each line escaped by esc_text() (lib/esc), so that
 *	no control character of a message reaches it.  The senders,
 *	recipients and reasons of list are escaped the same way.
 *	requeue moves deferred/ and corrupt/ messages back to incoming/
 *	(ALL: every one) and tells rptparse (lib/notify's spooled
 *	notice, when it listens).  delete removes a message and
 *	its reason, wherever it is.
 *
 * LIMITS
 *	QUEUE_HEAD_MAX bytes read for the headers of list; show --json
 *	reads at most message_size_limit + QUEUE_SHOW_SLACK bytes; one
 *	list or requeue ALL: SPOOL_SCAN_MAX ids per queue.
 *
 * DIAGNOSTICS
 *	"stsctl: ..." on stderr and exit 1: a bad id, no such message, a
 *	spool that cannot be opened (with a hint when permission was
 *	denied).
 */
#include "config.h"

#include <sys/stat.h>

#include <ctype.h>
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

#include <jansson.h>
#include <openssl/evp.h>

#include "buf.h"
#include "cfg.h"
#include "esc.h"
#include "mymalloc.h"
#include "notify.h"
#include "proto.h"
#include "queue.h"
#include "spool.h"
#include "stsctl.h"
#include "usage.h"
#include "table.h"
#include "tlsrpt.h"

#define QUEUE_HEAD_MAX		(16 * 1024)	/* bytes read for headers */
#define QUEUE_ADDR_MAX		256		/* bytes of a shown address */
#define QUEUE_SHOW_SLACK	(64 * 1024)	/* headers over the limit */
#define QUEUE_CHUNK		65536
#define QUEUE_ALL		"ALL"
#define QUEUE_ID_FORM		"YYYYMMDDHHMMSS.uuuuuu.PPPPPPPPPP.SSSSSS"

struct queue_opts {
	int	 json;
	const char *arg;
};

/* One message as list shows it. */
struct queue_entry {
	char	 id[SPOOL_ID_SIZE];
	enum spool_dir dir;
	long long size;
	char	*sender;		/* NULL: unknown */
	char	*recipient;		/* NULL: unknown */
	char	*reason;		/* NULL: none */
};

static void
queue_usage(void)
{
	fprintf(stderr, "usage: stsctl queue list [--json]\n"
	    "       stsctl queue show ID [--json]\n"
	    "       stsctl queue requeue ID|ALL [--json]\n"
	    "       stsctl queue delete ID [--json]\n");
	exit(USAGE_EXIT_ERROR);
}

static void
queue_args(int argc, char **argv, struct queue_opts *o)
{
	int i;

	memset(o, 0, sizeof(*o));
	o->json = stsctl_json;
	for (i = 2; i < argc; i++) {
		if (strcmp(argv[i], "--json") == 0)
			o->json = 1;
		else if (argv[i][0] == '-' && argv[i][1] != '\0')
			stsctl_die("queue %s: unknown option %s", argv[1],
			    argv[i]);
		else if (o->arg == NULL)
			o->arg = argv[i];
		else
			stsctl_die("queue %s: unexpected argument %s", argv[1],
			    argv[i]);
	}
}

static struct spool *
queue_open(void)
{
	struct buf err = BUF_INIT;
	struct spool *sp;

	if ((sp = spool_open(var_queue_directory, 0, &err)) != NULL) {
		buf_free(&err);
		return sp;
	}
	if (strstr(err.s, strerror(EACCES)) != NULL)
		stsctl_die("%s (stsctl queue must run as root or as mail_owner"
		    " %s)", err.s, var_mail_owner);
	stsctl_die("%s", err.s);
}

static void
queue_check_id(const char *id)
{
	if (!spool_id_valid(id))
		stsctl_die("queue id \"%s\": bad syntax (expected %s)", id,
		    QUEUE_ID_FORM);
}

/* The queue that holds id, or exit with "no such message". */
static enum spool_dir
queue_find(struct spool *sp, const char *id)
{
	int d;

	queue_check_id(id);
	if ((d = spool_find(sp, id)) < 0)
		stsctl_die("queue id %s: no such message", id);
	return (enum spool_dir)d;
}

/* Arrival time from the id: "YYYY-MM-DDTHH:MM:SSZ" (or ' ' for 'T'). */
static void
queue_arrival(const char *id, char sep, char out[sizeof("YYYY-MM-DDTHH:MM:SSZ")])
{
	snprintf(out, sizeof("YYYY-MM-DDTHH:MM:SSZ"), "%.4s-%.2s-%.2s%c%.2s:"
	    "%.2s:%.2s%s", id, id + 4, id + 6, sep, id + 8, id + 10, id + 12,
	    sep == 'T' ? "Z" : "");
}

/*
 * Headers: the first QUEUE_HEAD_MAX bytes, unfolded, up to the blank line.
 */

/* A printable copy of an address or header value, at most QUEUE_ADDR_MAX. */
static char *
queue_clean(const char *s, size_t len)
{
	char *c;
	size_t i;

	while (len > 0 && isspace((unsigned char)*s)) {
		s++;
		len--;
	}
	while (len > 0 && isspace((unsigned char)s[len - 1]))
		len--;
	if (len > QUEUE_ADDR_MAX)
		len = QUEUE_ADDR_MAX;
	c = xstrndup(s, len);
	for (i = 0; c[i] != '\0'; i++)
		if (iscntrl((unsigned char)c[i]))
			c[i] = ' ';
	return c;
}

/* The address in <...> of a value if there is one, else the value. */
static char *
queue_addr(const char *v, size_t len)
{
	const char *lt = memchr(v, '<', len), *gt;

	if (lt != NULL && (gt = memchr(lt, '>', len - (lt - v))) != NULL)
		return queue_clean(lt + 1, (size_t)(gt - lt - 1));
	return queue_clean(v, len);
}

/* "for <addr>" in a Received: header, as rptrecv writes it. */
static char *
queue_received_for(const char *v, size_t len)
{
	const char *p;

	for (p = v; p + 5 < v + len; p++)
		if (strncasecmp(p, "for <", 5) == 0)
			return queue_addr(p, len - (size_t)(p - v));
	return NULL;
}

static void
queue_header(struct queue_entry *e, const char *name, size_t nlen,
    const char *v, size_t vlen)
{
	if (nlen == 4 && strncasecmp(name, "From", 4) == 0 && !e->sender)
		e->sender = queue_addr(v, vlen);
	else if (nlen == 2 && strncasecmp(name, "To", 2) == 0 && !e->recipient)
		e->recipient = queue_addr(v, vlen);
	else if (nlen == 8 && strncasecmp(name, "Received", 8) == 0 &&
	    !e->recipient)
		e->recipient = queue_received_for(v, vlen);
}

/* Sender and recipient from the header of the message in head. */
static void
queue_headers(struct queue_entry *e, struct buf *head)
{
	struct buf line = BUF_INIT;
	const char *p = head->s, *end = head->s + head->len, *nl, *colon;

	if (strncmp(head->s, TLSRPT_VIA_HTTPS, strlen(TLSRPT_VIA_HTTPS)) == 0) {
		e->sender = xstrdup("https");
		return;
	}
	while (p < end) {
		/* One logical line: continuation lines start with blanks. */
		buf_reset(&line);
		do {
			nl = memchr(p, '\n', (size_t)(end - p));
			if (nl == NULL)
				nl = end;	/* cut: the last line is partial */
			buf_append(&line, p, (size_t)(nl - p));
			p = nl < end ? nl + 1 : end;
		} while (p < end && (*p == ' ' || *p == '\t'));
		while (line.len > 0 && line.s[line.len - 1] == '\r')
			line.s[--line.len] = '\0';
		if (line.len == 0)
			break;			/* end of the header */
		if ((colon = memchr(line.s, ':', line.len)) == NULL)
			continue;
		queue_header(e, line.s, (size_t)(colon - line.s), colon + 1,
		    line.len - (size_t)(colon + 1 - line.s));
	}
	buf_free(&line);
}

static int
queue_entry_read(struct spool *sp, struct queue_entry *e, struct buf *err)
{
	struct buf head = BUF_INIT, reason = BUF_INIT;
	struct stat st;
	ssize_t n;
	int fd;

	if ((fd = spool_open_msg(sp, e->dir, e->id, SIZE_MAX, err)) < 0)
		return -1;		/* gone meanwhile, or unreadable */
	if (fstat(fd, &st) == 0)
		e->size = (long long)st.st_size;
	n = buf_read(&head, fd, QUEUE_HEAD_MAX);
	close(fd);
	if (n > 0)
		queue_headers(e, &head);
	buf_free(&head);
	if ((e->dir == SPOOL_DEFERRED || e->dir == SPOOL_CORRUPT) &&
	    spool_reason(sp, e->dir, e->id, &reason, err) == 0)
		e->reason = xstrdup(reason.s ? reason.s : "");
	buf_reset(err);
	buf_free(&reason);
	return 0;
}

static void
queue_entry_free(struct queue_entry *e)
{
	free(e->sender);
	free(e->recipient);
	free(e->reason);
}

static json_t *
queue_entry_json(const struct queue_entry *e)
{
	char when[sizeof("YYYY-MM-DDTHH:MM:SSZ")];

	queue_arrival(e->id, 'T', when);
	return json_pack("{s:s, s:s, s:I, s:s, s:o, s:o, s:o}",
	    "id", e->id, "queue", spool_dir_name(e->dir),
	    "size", (json_int_t)e->size, "arrival", when,
	    "sender", e->sender ? json_string(e->sender) : json_null(),
	    "recipient", e->recipient ? json_string(e->recipient) :
	    json_null(),
	    "reason", e->reason ? json_string(e->reason) : json_null());
}

/*
 * list
 */
struct queue_list {
	struct spool *sp;
	enum spool_dir dir;
	struct queue_entry *v;
	size_t n;
};

static int
queue_list_one(const char *id, void *ctx)
{
	struct queue_list *l = ctx;
	struct buf err = BUF_INIT;
	struct queue_entry e;

	memset(&e, 0, sizeof(e));
	memcpy(e.id, id, SPOOL_ID_SIZE);
	e.dir = l->dir;
	if (queue_entry_read(l->sp, &e, &err) == 0) {
		l->v = xreallocarray(l->v, l->n + 1, sizeof(*l->v));
		l->v[l->n++] = e;
	}
	buf_free(&err);
	return 0;
}

static void
queue_list_print(const struct queue_list *l)
{
	char when[sizeof("YYYY-MM-DDTHH:MM:SSZ")], size[32];
	struct table *t;
	long long total = 0;
	size_t i;

	if (l->n == 0) {
		printf("queue is empty\n");
		return;
	}
	t = table_new(7, "ID", "QUEUE", "SIZE", "ARRIVAL (UTC)", "SENDER",
	    "RECIPIENT", "REASON");
	for (i = 0; i < l->n; i++) {
		queue_arrival(l->v[i].id, ' ', when);
		snprintf(size, sizeof(size), "%lld", l->v[i].size);
		total += l->v[i].size;
		/* From the network: escaped (table_row copies). */
		table_row(t, l->v[i].id, spool_dir_name(l->v[i].dir), size,
		    when, l->v[i].sender ? esc_printable(l->v[i].sender) : "-",
		    l->v[i].recipient ? esc_printable(l->v[i].recipient) : "-",
		    l->v[i].reason ? esc_printable(l->v[i].reason) : "");
	}
	table_print(t, stdout);
	table_free(t);
	printf("-- %zu message%s, %lld bytes\n", l->n, l->n == 1 ? "" : "s",
	    total);
}

static int
queue_list(const struct queue_opts *o)
{
	static const enum spool_dir dirs[] = { SPOOL_INCOMING, SPOOL_ACTIVE,
	    SPOOL_DEFERRED, SPOOL_CORRUPT };
	struct queue_list l;
	struct buf err = BUF_INIT;
	json_t *a, *top;
	size_t i;

	if (o->arg != NULL)
		stsctl_die("queue list: unexpected argument %s", o->arg);
	memset(&l, 0, sizeof(l));
	l.sp = queue_open();
	for (i = 0; i < sizeof(dirs) / sizeof(dirs[0]); i++) {
		l.dir = dirs[i];
		if (spool_scan(l.sp, l.dir, queue_list_one, &l, &err) < 0)
			stsctl_die("%s", err.s);
	}
	if (o->json) {
		a = json_array();
		for (i = 0; i < l.n; i++)
			json_array_append_new(a, queue_entry_json(&l.v[i]));
		top = json_pack("{s:o}", "messages", a);
		stsctl_print_json(top);
		json_decref(top);
	} else
		queue_list_print(&l);
	for (i = 0; i < l.n; i++)
		queue_entry_free(&l.v[i]);
	free(l.v);
	spool_close(l.sp);
	buf_free(&err);
	return 0;
}

/*
 * show
 */
/*
 * Bytes of a message to a terminal: each line (without its CR LF or
 * LF) escaped by esc_text(); line holds a line that spans chunks.
 */
static void
queue_tty_out(struct buf *line, const char *p, size_t n, int last)
{
	struct buf out = BUF_INIT;
	const char *nl;
	size_t len;

	while (n > 0 && (nl = memchr(p, '\n', n)) != NULL) {
		buf_append(line, p, (size_t)(nl - p));
		len = line->len;
		if (len > 0 && line->s[len - 1] == '\r')
			len--;
		esc_textn(&out, line->s ? line->s : "", len);
		buf_putc(&out, '\n');
		buf_reset(line);
		n -= (size_t)(nl + 1 - p);
		p = nl + 1;
	}
	buf_append(line, p, n);
	if (last && line->len > 0) {
		esc_textn(&out, line->s, line->len);
		buf_putc(&out, '\n');
		buf_reset(line);
	}
	if (out.len > 0 && fwrite(out.s, 1, out.len, stdout) != out.len)
		stsctl_die("cannot write the message: %s", strerror(errno));
	buf_free(&out);
}

static void
queue_copy_out(struct spool *sp, enum spool_dir d, const char *id)
{
	struct buf err = BUF_INIT, line = BUF_INIT;
	char chunk[QUEUE_CHUNK];
	int fd, tty = isatty(STDOUT_FILENO);
	ssize_t n;

	if ((fd = spool_open_msg(sp, d, id, SIZE_MAX, &err)) < 0)
		stsctl_die("%s", err.s);
	for (;;) {
		n = read(fd, chunk, sizeof(chunk));
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		if (tty)
			queue_tty_out(&line, chunk, (size_t)n, 0);
		else if (fwrite(chunk, 1, (size_t)n, stdout) != (size_t)n)
			stsctl_die("cannot write the message: %s",
			    strerror(errno));
	}
	if (n < 0)
		stsctl_die("queue id %s: read: %s", id, strerror(errno));
	if (tty)
		queue_tty_out(&line, "", 0, 1);
	close(fd);
	buf_free(&line);
	buf_free(&err);
}

/* The message as a JSON string, or base64 when it is not UTF-8. */
static void
queue_show_json(struct spool *sp, struct queue_entry *e)
{
	struct buf err = BUF_INIT, data = BUF_INIT;
	size_t limit = var_message_size_limit + QUEUE_SHOW_SLACK;
	json_t *j = queue_entry_json(e), *s;
	unsigned char *b64;

	if (spool_read_msg(sp, e->dir, e->id, limit, &data, &err) < 0)
		stsctl_die("%s", err.s);
	if ((s = json_stringn(data.s ? data.s : "", data.len)) != NULL)
		json_object_set_new(j, "message", s);
	else {
		b64 = xmalloc(4 * ((data.len + 2) / 3) + 1);
		EVP_EncodeBlock(b64, (const unsigned char *)data.s,
		    (int)data.len);
		json_object_set_new(j, "message-base64",
		    json_string((char *)b64));
		free(b64);
	}
	stsctl_print_json(j);
	json_decref(j);
	buf_free(&data);
	buf_free(&err);
}

static int
queue_show(const struct queue_opts *o)
{
	struct buf err = BUF_INIT;
	struct queue_entry e;
	struct spool *sp;

	if (o->arg == NULL)
		queue_usage();
	sp = queue_open();
	memset(&e, 0, sizeof(e));
	e.dir = queue_find(sp, o->arg);
	memcpy(e.id, o->arg, SPOOL_ID_SIZE);
	if (queue_entry_read(sp, &e, &err) < 0)
		stsctl_die("%s", err.s);
	if (o->json)
		queue_show_json(sp, &e);
	else {
		if (e.reason != NULL)
			printf("*** %s: %s\n", spool_dir_name(e.dir),
			    esc_printable(e.reason));
		queue_copy_out(sp, e.dir, e.id);
	}
	queue_entry_free(&e);
	spool_close(sp);
	buf_free(&err);
	return 0;
}

/*
 * requeue and delete
 */

/*
 * Tell rptparse that incoming/ has work (lib/notify); quiet when it does
 * not listen.
 */
static void
queue_notify(const char *id)
{
	char *path = proto_path(PROTO_RPTPARSE_PRIVATE);

	notify_spooled(path, id);
	free(path);
}

struct queue_ids {
	char	(*v)[SPOOL_ID_SIZE];
	size_t	 n;
};

static int
queue_collect(const char *id, void *ctx)
{
	struct queue_ids *ids = ctx;

	ids->v = xreallocarray(ids->v, ids->n + 1, sizeof(*ids->v));
	memcpy(ids->v[ids->n++], id, SPOOL_ID_SIZE);
	return 0;
}

static void
queue_done(const struct queue_opts *o, const char *what, json_t *ids)
{
	json_t *top;
	size_t i;

	if (o->json) {
		top = json_pack("{s:O}", what, ids);
		stsctl_print_json(top);
		json_decref(top);
	} else {
		for (i = 0; i < json_array_size(ids); i++)
			printf("%s: %s\n", json_string_value(
			    json_array_get(ids, i)), what);
		if (json_array_size(ids) != 1)
			printf("%zu message%s %s\n", json_array_size(ids),
			    json_array_size(ids) == 1 ? "" : "s", what);
	}
}

static int
queue_requeue(const struct queue_opts *o)
{
	struct buf err = BUF_INIT;
	struct queue_ids ids = { NULL, 0 };
	struct spool *sp;
	json_t *done = json_array();
	enum spool_dir d;
	size_t i;
	int failed = 0;

	if (o->arg == NULL)
		queue_usage();
	sp = queue_open();
	if (strcmp(o->arg, QUEUE_ALL) == 0) {
		if (spool_scan(sp, SPOOL_DEFERRED, queue_collect, &ids,
		    &err) < 0 || spool_scan(sp, SPOOL_CORRUPT, queue_collect,
		    &ids, &err) < 0)
			stsctl_die("%s", err.s);
	} else {
		d = queue_find(sp, o->arg);
		if (d != SPOOL_DEFERRED && d != SPOOL_CORRUPT)
			stsctl_die("queue id %s: in %s/, not in deferred/ or "
			    "corrupt/: nothing to requeue", o->arg,
			    spool_dir_name(d));
		queue_collect(o->arg, &ids);
	}
	for (i = 0; i < ids.n; i++) {
		buf_reset(&err);
		if (spool_requeue(sp, ids.v[i], &err) < 0) {
			fprintf(stderr, "stsctl: %s\n", err.s);
			failed = 1;
		} else
			json_array_append_new(done, json_string(ids.v[i]));
	}
	if (json_array_size(done) > 0)
		queue_notify(json_string_value(json_array_get(done,
		    json_array_size(done) - 1)));
	queue_done(o, "requeued", done);
	json_decref(done);
	free(ids.v);
	spool_close(sp);
	buf_free(&err);
	return failed;
}

static int
queue_delete(const struct queue_opts *o)
{
	struct buf err = BUF_INIT;
	struct spool *sp;
	json_t *done;

	if (o->arg == NULL)
		queue_usage();
	sp = queue_open();
	(void)queue_find(sp, o->arg);
	if (spool_delete(sp, o->arg, &err) < 0)
		stsctl_die("%s", err.s);
	done = json_pack("[s]", o->arg);
	queue_done(o, "deleted", done);
	json_decref(done);
	spool_close(sp);
	buf_free(&err);
	return 0;
}

int
queue_main(int argc, char **argv)
{
	struct queue_opts o;

	if (argc < 2)
		queue_usage();
	queue_args(argc, argv, &o);
	if (strcmp(argv[1], "list") == 0)
		return queue_list(&o);
	if (strcmp(argv[1], "show") == 0)
		return queue_show(&o);
	if (strcmp(argv[1], "requeue") == 0)
		return queue_requeue(&o);
	if (strcmp(argv[1], "delete") == 0)
		return queue_delete(&o);
	stsctl_usage_die("queue %s: unknown command (list, show, requeue, delete)",
	    argv[1]);
}
