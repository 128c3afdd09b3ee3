/*
 * message - find the TLS reports in one spooled message (see message.h).
 * SPDX-License-Identifier: ISC
 */
#include "config.h"

#include <stdlib.h>
#include <stdint.h>
#include <string.h>
#include <strings.h>

#include <gmime/gmime.h>

#include "buf.h"
#include "esc.h"
#include "gunzip.h"
#include "message.h"
#include "mimefast.h"
#include "mymalloc.h"
#include "tlsrpt.h"

#define MESSAGE_PARTS_SHOWN	8	/* content types named in an error */
#define MESSAGE_TYPE_SHOWN	64	/* bytes of each half shown */

struct message_walk {
	const struct message_limits *lim;
	struct message *m;
	struct buf *err;	/* the first report that failed */
	struct buf parts;	/* content types seen, for "no report" */
	int	 nparts;
	int	 failed;
};

static int message_gmime_ready;

void
message_limits_default(struct message_limits *lim)
{
	lim->depth = MESSAGE_DEPTH_MAX;
	lim->fast = 1;
	lim->gunzip.size = TLSRPT_SIZE_MAX;
	lim->gunzip.ratio = 200;
}

void
message_init(struct message *m)
{
	memset(m, 0, sizeof(*m));
	m->via = "mailto";
}

void
message_clear(struct message *m)
{
	size_t i;

	for (i = 0; i < m->nreports; i++) {
		free(m->reports[i].json);
		free(m->reports[i].note);
	}
	free(m->submitter);
	message_init(m);
}

void
message_shutdown(void)
{
	if (message_gmime_ready) {
		g_mime_shutdown();
		message_gmime_ready = 0;
	}
}

static int
message_ends_with(const char *s, const char *suffix)
{
	size_t n = strlen(s), k = strlen(suffix);

	return n >= k && strcasecmp(s + n - k, suffix) == 0;
}

/*
 * One report body: inflate it when it is gzip (by label or by its
 * magic), then keep it.
 */
static int
message_add(struct message *m, const struct message_limits *lim,
    const char *data, size_t len, const char *note, struct buf *err)
{
	struct buf json = BUF_INIT;
	struct message_report *r;

	if (m->nreports == MESSAGE_REPORTS_MAX) {
		buf_printf(err, "more than %d reports in one message",
		    MESSAGE_REPORTS_MAX);
		return -1;
	}
	if (gunzip_is_gzip(data, len)) {
		if (gunzip(data, len, &lim->gunzip, &json, err) < 0) {
			buf_free(&json);
			return -1;
		}
	} else if (len > lim->gunzip.size) {
		buf_printf(err, "report of %zu bytes exceeds the limit of %zu"
		    " bytes", len, lim->gunzip.size);
		return -1;
	} else if (len > 0) {
		buf_append(&json, data, len);	/* GMime: data NULL when empty */
	}
	r = &m->reports[m->nreports++];
	r->len = json.len;
	r->json = buf_steal(&json);
	r->note = note ? xstrndup(note, MESSAGE_NOTE_MAX) : NULL;
	return 0;
}

/*
 * Report by HTTPS: "X-Stsd-Via: https", "Content-Type: ...", "", body.
 */
static const char *
message_line(const char *p, const char *end, const char **next)
{
	const char *nl = memchr(p, '\n', (size_t)(end - p));

	if (nl == NULL)
		return NULL;
	*next = nl + 1;
	return nl > p && nl[-1] == '\r' ? nl - 1 : nl;
}

static int
message_https(const char *data, size_t len, const struct message_limits *lim,
    struct message *m, struct buf *err)
{
	const char *end = data + len, *p = data, *eol, *next;
	char *type = NULL, *note = NULL;
	size_t n;
	int rc;

	m->via = "https";
	if (message_line(p, end, &next) == NULL) {	/* X-Stsd-Via */
		buf_puts(err, "https report: no line end after its first line");
		return -1;
	}
	p = next;
	while ((eol = message_line(p, end, &next)) != NULL && eol > p) {
		n = strlen("Content-Type:");
		if ((size_t)(eol - p) > n && strncasecmp(p, "Content-Type:", n) == 0) {
			free(type);
			type = xstrndup(p + n, (size_t)(eol - p) - n);
		}
		p = next;
	}
	if (eol == NULL) {
		free(type);
		buf_puts(err, "https report: no blank line after its header");
		return -1;
	}
	p = next;
	if (type != NULL) {
		char *s = type + strspn(type, " \t");

		s[strcspn(s, "; \t")] = '\0';
		if (strcasecmp(s, "application/tlsrpt+gzip") != 0 &&
		    strcasecmp(s, "application/tlsrpt+json") != 0)
			note = xasprintf("report POSTed as %s",
			    esc_printable(s));
	} else {
		note = xstrdup("report POSTed without a Content-Type");
	}
	rc = message_add(m, lim, p, (size_t)(end - p), note, err);
	free(type);
	free(note);
	return rc;
}

/*
 * Mail.
 */
enum message_kind {
	MESSAGE_NONE,
	MESSAGE_REPORT,		/* as RFC 8460 says */
	MESSAGE_LABELLED,	/* as senders label it: note it */
};

static enum message_kind
message_part_kind(const char *type, const char *sub, const char *name)
{
	if (strcasecmp(type, "application") != 0)
		return MESSAGE_NONE;
	if (strcasecmp(sub, "tlsrpt+gzip") == 0 ||
	    strcasecmp(sub, "tlsrpt+json") == 0)
		return MESSAGE_REPORT;
	if (name == NULL)
		return MESSAGE_NONE;
	if ((strcasecmp(sub, "gzip") == 0 || strcasecmp(sub, "x-gzip") == 0 ||
	    strcasecmp(sub, "octet-stream") == 0) &&
	    (message_ends_with(name, ".json.gz") ||
	    message_ends_with(name, ".gz")))
		return MESSAGE_LABELLED;
	if ((strcasecmp(sub, "json") == 0 ||
	    strcasecmp(sub, "octet-stream") == 0) &&
	    message_ends_with(name, ".json"))
		return MESSAGE_LABELLED;
	return MESSAGE_NONE;
}

static void
message_part(struct message_walk *w, GMimePart *part)
{
	GMimeContentType *ct = g_mime_object_get_content_type((GMimeObject *)part);
	const char *type = g_mime_content_type_get_media_type(ct);
	const char *sub = g_mime_content_type_get_media_subtype(ct);
	const char *name = g_mime_part_get_filename(part);
	enum message_kind kind;
	GMimeDataWrapper *content;
	GMimeStream *ms;
	GByteArray *ba;
	char *note = NULL;

	type = type ? type : "text";
	sub = sub ? sub : "plain";
	if (w->nparts++ < MESSAGE_PARTS_SHOWN) {
		/* From the mail's headers: escaped for the reason's readers. */
		if (w->parts.len > 0)
			buf_puts(&w->parts, ", ");
		esc_textn(&w->parts, type, strnlen(type, MESSAGE_TYPE_SHOWN));
		buf_putc(&w->parts, '/');
		esc_textn(&w->parts, sub, strnlen(sub, MESSAGE_TYPE_SHOWN));
	}
	if ((kind = message_part_kind(type, sub, name)) == MESSAGE_NONE)
		return;
	if ((content = g_mime_part_get_content(part)) == NULL)
		return;
	ms = g_mime_stream_mem_new();
	if (g_mime_data_wrapper_write_to_stream(content, ms) < 0) {
		if (!w->failed++)
			buf_printf(w->err, "report part %s/%s: cannot decode it",
			    type, sub);
		g_object_unref(ms);
		return;
	}
	ba = g_mime_stream_mem_get_byte_array((GMimeStreamMem *)ms);
	if (kind == MESSAGE_LABELLED)
		note = xasprintf("report attached as %.64s/%.64s", type, sub);
	if (!w->failed) {
		if (message_add(w->m, w->lim, (const char *)ba->data, ba->len,
		    note, w->err) < 0)
			w->failed = 1;
	}
	free(note);
	g_object_unref(ms);
}

static void
message_walk(struct message_walk *w, GMimeObject *o, int depth)
{
	int i, n;

	if (o == NULL || w->failed)
		return;
	if (depth > w->lim->depth) {
		buf_printf(w->err, "MIME parts nested deeper than %d levels",
		    w->lim->depth);
		w->failed = 1;
		return;
	}
	if (GMIME_IS_MULTIPART(o)) {
		n = g_mime_multipart_get_count((GMimeMultipart *)o);
		for (i = 0; i < n && !w->failed; i++)
			message_walk(w, g_mime_multipart_get_part(
			    (GMimeMultipart *)o, i), depth + 1);
	} else if (GMIME_IS_MESSAGE_PART(o)) {
		GMimeMessage *sub = g_mime_message_part_get_message(
		    (GMimeMessagePart *)o);

		if (sub != NULL)
			message_walk(w, g_mime_message_get_mime_part(sub),
			    depth + 1);
	} else if (GMIME_IS_PART(o)) {
		message_part(w, (GMimePart *)o);
	}
}

static char *
message_from(GMimeMessage *msg)
{
	InternetAddressList *list = g_mime_message_get_from(msg);
	InternetAddress *a;
	char *s, *copy;

	if (list == NULL || internet_address_list_length(list) == 0)
		return NULL;
	a = internet_address_list_get_address(list, 0);
	if (INTERNET_ADDRESS_IS_MAILBOX(a))
		return xstrdup(internet_address_mailbox_get_addr(
		    (InternetAddressMailbox *)a));
	s = internet_address_list_to_string(list, NULL, FALSE);
	copy = xstrdup(s ? s : "");
	g_free(s);
	return copy;
}

/*
 * Case-blind count of "boundary": GMime's parse is slow with thousands.
 * Each place is read as 8 bytes and compared at once, each byte ORed
 * with 0x20: a byte ORed with 0x20 is a lower-case letter only when it
 * is that letter in either case, and every byte of the word is one.
 * The same count as a strncasecmp() at each place, in a fraction of
 * the time.
 */
static size_t
message_boundaries(const char *data, size_t len)
{
	static const char word[] = "boundary";
	uint64_t want, fold, v;
	size_t i, n = 0;

	if (len < sizeof(word) - 1)
		return 0;
	memcpy(&want, word, sizeof(want));
	memset(&fold, 0x20, sizeof(fold));
	for (i = 0; i + sizeof(v) <= len; i++) {
		memcpy(&v, data + i, sizeof(v));
		if ((v | fold) == want)
			n++;
	}
	return n;
}

/*
 * The common shape without GMime (mimefast.h): 0 when done, -1 with
 * the reason in err (the one the GMime walk gives: the same parts in
 * the same order, the same bytes to message_add), 1 when GMime must
 * read it (m as it came).
 */
static int
message_fast(const char *data, size_t len, const struct message_limits *lim,
    struct message *m, struct buf *err)
{
	struct mimefast mf;
	struct buf body = BUF_INIT;
	const struct mimefast_part *part;
	enum message_kind kind;
	char *note;
	size_t i;
	int rc;

	/* The walk counts the top multipart as depth 1, its parts 2. */
	if (lim->depth < 2 || mimefast_parse(data, len, &mf) < 0)
		return 1;
	for (i = 0; i < mf.nparts; i++) {
		part = &mf.parts[i];
		kind = message_part_kind(part->type, part->sub,
		    part->has_name ? part->name : NULL);
		if (kind == MESSAGE_NONE)
			continue;
		buf_reset(&body);
		if (!part->base64 ||
		    mimefast_base64(part->body, part->len, &body) < 0)
			goto gmime;
		note = kind == MESSAGE_LABELLED ? xasprintf("report attached"
		    " as %.64s/%.64s", part->type, part->sub) : NULL;
		rc = message_add(m, lim, body.s, body.len, note, err);
		free(note);
		if (rc < 0)
			goto fail;
	}
	if (m->nreports == 0)
		goto gmime;		/* its error names the parts */
	m->submitter = mf.has_from ? xstrdup(mf.from) : NULL;
	buf_free(&body);
	return 0;

fail:
	m->submitter = mf.has_from ? xstrdup(mf.from) : NULL;
	buf_free(&body);
	return -1;

gmime:
	message_clear(m);
	buf_free(&body);
	return 1;
}

static int
message_mail(const char *data, size_t len, const struct message_limits *lim,
    struct message *m, struct buf *err)
{
	struct message_walk w;
	int rc;
	GMimeStream *st;
	GMimeParser *parser;
	GMimeMessage *msg;

	if (message_boundaries(data, len) > MESSAGE_BOUNDARIES_MAX) {
		buf_printf(err, "MIME structure refused: more than %d multipart"
		    " boundaries", MESSAGE_BOUNDARIES_MAX);
		return -1;
	}
	if (lim->fast && (rc = message_fast(data, len, lim, m, err)) <= 0)
		return rc;
	if (!message_gmime_ready) {
		g_mime_init();
		message_gmime_ready = 1;
	}
	st = g_mime_stream_mem_new_with_buffer(data, len);
	parser = g_mime_parser_new_with_stream(st);
	g_object_unref(st);
	msg = g_mime_parser_construct_message(parser, NULL);
	g_object_unref(parser);
	if (msg == NULL) {
		buf_puts(err, "not a mail message");
		return -1;
	}
	m->submitter = message_from(msg);
	memset(&w, 0, sizeof(w));
	w.lim = lim;
	w.m = m;
	w.err = err;
	message_walk(&w, g_mime_message_get_mime_part(msg), 1);
	g_object_unref(msg);
	if (!w.failed && m->nreports == 0) {
		buf_printf(err, "no TLS report in the message (parts: %s%s)",
		    w.parts.len ? w.parts.s : "none",
		    w.nparts > MESSAGE_PARTS_SHOWN ? ", ..." : "");
		w.failed = 1;
	}
	buf_free(&w.parts);
	return w.failed ? -1 : 0;
}

int
message_extract(const char *data, size_t len, const struct message_limits *lim,
    struct message *m, struct buf *err)
{
	size_t n = strlen(TLSRPT_VIA_HTTPS);

	if (len > n && memcmp(data, TLSRPT_VIA_HTTPS, n) == 0 &&
	    (data[n] == '\r' || data[n] == '\n'))
		return message_https(data, len, lim, m, err);
	return message_mail(data, len, lim, m, err);
}
