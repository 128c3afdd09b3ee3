/*
 * polsnap - the policy snapshot on disk: the reader (httpd) and the rules
 * of the format; see polsnap.h.  The writer is polsnapwriter.c.
 * SPDX-License-Identifier: ISC
 *
 * May touch: the base and journal files it is given (read; no
 * descriptor stays open when it returns).
 */
#include "config.h"

#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <zlib.h>

#include "ascii.h"
#include "buf.h"
#include "mymalloc.h"
#include "polsnap.h"

#define POLSNAP_HEAD_MAX	64	/* bytes of the first line */
#define POLSNAP_RHEAD_MAX	32	/* bytes of a record's first line */
#define POLSNAP_READ_CHUNK	(1024 * 1024)

/*
 * Reading.
 */

/* One record, as found. */
struct polsnap_rec {
	char	 type;
	const char *data;
	size_t	 len;
};

/* A parse in progress. */
struct polsnap_parser {
	const char *start, *p, *end;
	size_t	 off;			/* of start in the file */
	size_t	 nrec;			/* records read */
	const char **text;		/* base: the texts so far */
	size_t	*text_len;
	size_t	 ntext, text_cap;
	size_t	 domains;
	const struct polsnap_sink *sink;	/* NULL: check only */
	struct polsnap_stats *st;
};

enum polsnap_next {
	POLSNAP_REC,			/* a record */
	POLSNAP_EOF,			/* nothing more */
	POLSNAP_TORN,			/* a record cut short */
	POLSNAP_BAD,			/* not a record */
};

const char *const polsnap_kind_name[] = { "base", "journal" };

static unsigned long
polsnap_crc(char type, const char *data, size_t len)
{
	uLong crc = crc32(0L, Z_NULL, 0);

	crc = crc32(crc, (const Bytef *)&type, 1);
	/* zlib takes a uInt length: feed the payload in pieces. */
	while (len > 0) {
		uInt n = len > 0x40000000u ? 0x40000000u : (uInt)len;

		crc = crc32(crc, (const Bytef *)data, n);
		data += n;
		len -= n;
	}
	return (unsigned long)crc;
}

/* Decimal digits of [p, end) without a leading zero; -1 if not. */
static long long
polsnap_number(const char *p, const char *end, long long max)
{
	long long v = 0;

	if (p == end || end - p > 20 || (*p == '0' && end - p > 1))
		return -1;
	for (; p < end; p++) {
		if (*p < '0' || *p > '9' || v > (max - (*p - '0')) / 10)
			return -1;
		v = v * 10 + (*p - '0');
	}
	return v;
}

/* "stsd-polsnap 1 KIND GEN\n"; moves ps->p past it. */
static int
polsnap_header(struct polsnap_parser *ps, enum polsnap_kind kind,
    unsigned long long *gen, struct buf *err)
{
	char want[POLSNAP_HEAD_MAX];
	size_t avail = (size_t)(ps->end - ps->p), n;
	const char *nl;
	long long g;

	n = (size_t)snprintf(want, sizeof(want), "%s %d %s ", POLSNAP_MAGIC,
	    POLSNAP_VERSION, polsnap_kind_name[kind]);
	nl = memchr(ps->p, '\n', avail < POLSNAP_HEAD_MAX ? avail :
	    POLSNAP_HEAD_MAX);
	if (nl == NULL || (size_t)(nl - ps->p) < n ||
	    memcmp(ps->p, want, n) != 0) {
		buf_printf(err, "not a version %d %s file (first line is not"
		    " \"%s%s\")", POLSNAP_VERSION, polsnap_kind_name[kind],
		    want, "GEN");
		return -1;
	}
	if ((g = polsnap_number(ps->p + n, nl, INT64_MAX)) < 1) {
		buf_puts(err, "bad generation in the first line");
		return -1;
	}
	*gen = (unsigned long long)g;
	ps->p = nl + 1;
	return 0;
}

/* The record at ps->p: "TYPE LEN CRC\n" PAYLOAD "\n". */
static enum polsnap_next
polsnap_next(struct polsnap_parser *ps, struct polsnap_rec *r)
{
	size_t avail = (size_t)(ps->end - ps->p);
	const char *nl, *sp;
	unsigned long crc;
	long long len;
	char hex[9];

	if (avail == 0)
		return POLSNAP_EOF;
	nl = memchr(ps->p, '\n', avail < POLSNAP_RHEAD_MAX ? avail :
	    POLSNAP_RHEAD_MAX);
	if (nl == NULL)
		return avail < POLSNAP_RHEAD_MAX ? POLSNAP_TORN : POLSNAP_BAD;
	if (nl - ps->p < 12 || ps->p[0] < 'A' || ps->p[0] > 'Z' ||
	    ps->p[1] != ' ' || nl[-9] != ' ')
		return POLSNAP_BAD;
	sp = nl - 9;
	if ((len = polsnap_number(ps->p + 2, sp, POLSNAP_RECORD_MAX)) < 0)
		return POLSNAP_BAD;
	memcpy(hex, sp + 1, 8);
	hex[8] = '\0';
	if (strspn(hex, "0123456789abcdef") != 8)
		return POLSNAP_BAD;
	if ((size_t)(ps->end - (nl + 1)) < (size_t)len + 1)
		return POLSNAP_TORN;
	r->type = ps->p[0];
	r->data = nl + 1;
	r->len = (size_t)len;
	if (r->data[r->len] != '\n')
		return POLSNAP_BAD;
	crc = strtoul(hex, NULL, 16);
	if (crc != polsnap_crc(r->type, r->data, r->len))
		return POLSNAP_BAD;
	ps->p = r->data + r->len + 1;
	ps->nrec++;
	return POLSNAP_REC;
}

static int
polsnap_is_graph(int c)
{
	return c >= '!' && c <= '~';
}

/* 1 to max bytes, each of the class is(). */
static int
polsnap_token_ok(const char *s, size_t len, size_t max, int (*is)(int))
{
	size_t i;

	if (len == 0 || len > max)
		return 0;
	for (i = 0; i < len; i++)
		if (!is((unsigned char)s[i]))
			return 0;
	return 1;
}

int
polsnap_domain_ok(const char *s, size_t len)
{
	return polsnap_token_ok(s, len, POLSNAP_NAME_MAX, polsnap_is_graph);
}

int
polsnap_id_ok(const char *s, size_t len)
{
	return polsnap_token_ok(s, len, POLSNAP_ID_MAX, ascii_is_alnum);
}

/*
 * "DOMAIN ID" of [p, end) into the buffers; -1 when it is not that.
 */
static int
polsnap_domain_id(const char *p, const char *end,
    char domain[POLSNAP_NAME_MAX + 1], char id[POLSNAP_ID_MAX + 1])
{
	const char *sp = memchr(p, ' ', (size_t)(end - p));

	if (sp == NULL || !polsnap_domain_ok(p, (size_t)(sp - p)) ||
	    !polsnap_id_ok(sp + 1, (size_t)(end - sp - 1)))
		return -1;
	memcpy(domain, p, (size_t)(sp - p));
	domain[sp - p] = '\0';
	memcpy(id, sp + 1, (size_t)(end - sp - 1));
	id[end - sp - 1] = '\0';
	return 0;
}

static void
polsnap_give(struct polsnap_parser *ps, const char *domain, const char *id,
    const char *text, size_t len)
{
	if (ps->sink != NULL && ps->sink->put(ps->sink->arg, domain, id, text,
	    len) != 0)
		ps->st->refused++;
}

/* A D record: lines "DOMAIN ID N\n". */
static int
polsnap_lines(struct polsnap_parser *ps, const struct polsnap_rec *r,
    struct buf *err)
{
	char domain[POLSNAP_NAME_MAX + 1], id[POLSNAP_ID_MAX + 1];
	const char *p = r->data, *end = r->data + r->len, *nl, *sp;
	long long n;

	for (; p < end; p = nl + 1) {
		if ((nl = memchr(p, '\n', (size_t)(end - p))) == NULL ||
		    (sp = memrchr(p, ' ', (size_t)(nl - p))) == NULL ||
		    polsnap_domain_id(p, sp, domain, id) < 0 ||
		    (n = polsnap_number(sp + 1, nl, INT64_MAX)) < 0) {
			buf_puts(err, "a line is not \"DOMAIN ID N\"");
			return -1;
		}
		if ((size_t)n >= ps->ntext) {
			buf_printf(err, "%s: text %lld is not defined", domain,
			    n);
			return -1;
		}
		polsnap_give(ps, domain, id, ps->text[n], ps->text_len[n]);
		ps->domains++;
	}
	return 0;
}

static int
polsnap_text(struct polsnap_parser *ps, const struct polsnap_rec *r,
    struct buf *err)
{
	if (r->len > POLSNAP_TEXT_MAX) {
		buf_printf(err, "policy text of %zu bytes (limit %d)", r->len,
		    POLSNAP_TEXT_MAX);
		return -1;
	}
	if (ps->ntext == ps->text_cap) {
		ps->text_cap = ps->text_cap ? ps->text_cap * 2 : 64;
		ps->text = xreallocarray(ps->text, ps->text_cap,
		    sizeof(*ps->text));
		ps->text_len = xreallocarray(ps->text_len, ps->text_cap,
		    sizeof(*ps->text_len));
	}
	ps->text[ps->ntext] = r->data;
	ps->text_len[ps->ntext++] = r->len;
	return 0;
}

/* The E record: "DOMAINS TEXTS", the last one. */
static int
polsnap_end(struct polsnap_parser *ps, const struct polsnap_rec *r,
    struct buf *err)
{
	char want[64];
	int n;

	n = snprintf(want, sizeof(want), "%zu %zu", ps->domains, ps->ntext);
	if ((size_t)n != r->len || memcmp(want, r->data, r->len) != 0) {
		buf_printf(err, "end record says \"%.*s\", the file has \"%s\""
		    " (domains, texts)", r->len < 40 ? (int)r->len : 40,
		    r->data, want);
		return -1;
	}
	if (ps->p != ps->end) {
		buf_printf(err, "%zu bytes after the end record",
		    (size_t)(ps->end - ps->p));
		return -1;
	}
	return 1;
}

static int
polsnap_base_record(struct polsnap_parser *ps, const struct polsnap_rec *r,
    struct buf *err)
{
	switch (r->type) {
	case 'T':
		return polsnap_text(ps, r, err);
	case 'D':
		return polsnap_lines(ps, r, err);
	case 'E':
		return polsnap_end(ps, r, err);
	default:
		buf_printf(err, "unknown record type '%c'", r->type);
		return -1;
	}
}

/* Where the parse stands, for a message: "record N at byte B: ". */
static void
polsnap_where(const struct polsnap_parser *ps, const char *at,
    struct buf *err)
{
	struct buf msg = BUF_INIT;

	buf_printf(&msg, "record %zu at byte %zu: %s", ps->nrec + 1,
	    ps->off + (size_t)(at - ps->start), err->s ? err->s : "");
	buf_reset(err);
	buf_append(err, msg.s, msg.len);
	buf_free(&msg);
}

/* One pass over a base's records (after its header). */
static int
polsnap_base_pass(struct polsnap_parser *ps, struct buf *err)
{
	struct polsnap_rec r;
	const char *at;
	int rc;

	for (;;) {
		at = ps->p;
		switch (polsnap_next(ps, &r)) {
		case POLSNAP_EOF:
		case POLSNAP_TORN:
			buf_puts(err, "cut short (no end record)");
			polsnap_where(ps, at, err);
			return -1;
		case POLSNAP_BAD:
			buf_puts(err, "bad record header or checksum");
			polsnap_where(ps, at, err);
			return -1;
		case POLSNAP_REC:
			break;
		}
		if ((rc = polsnap_base_record(ps, &r, err)) < 0) {
			ps->nrec--;
			polsnap_where(ps, at, err);
			return -1;
		}
		if (rc == 1)
			return 0;
	}
}

/* A journal record, given to the sink. */
static int
polsnap_change(struct polsnap_parser *ps, const struct polsnap_rec *r,
    struct buf *err)
{
	char domain[POLSNAP_NAME_MAX + 1], id[POLSNAP_ID_MAX + 1];
	const char *end = r->data + r->len, *nl;

	if (r->type == 'W') {
		if (!polsnap_domain_ok(r->data, r->len)) {
			buf_puts(err, "withdrawal of a bad domain");
			return -1;
		}
		memcpy(domain, r->data, r->len);
		domain[r->len] = '\0';
		if (ps->sink != NULL)
			ps->sink->del(ps->sink->arg, domain);
		return 0;
	}
	if (r->type != 'P') {
		buf_printf(err, "unknown record type '%c'", r->type);
		return -1;
	}
	if ((nl = memchr(r->data, '\n', r->len)) == NULL ||
	    polsnap_domain_id(r->data, nl, domain, id) < 0) {
		buf_puts(err, "policy record without \"DOMAIN ID\"");
		return -1;
	}
	if ((size_t)(end - nl - 1) > POLSNAP_TEXT_MAX) {
		buf_printf(err, "%s: policy text of %zu bytes (limit %d)",
		    domain, (size_t)(end - nl - 1), POLSNAP_TEXT_MAX);
		return -1;
	}
	polsnap_give(ps, domain, id, nl + 1, (size_t)(end - nl - 1));
	return 0;
}

static int
polsnap_journal_pass(struct polsnap_parser *ps, struct buf *err)
{
	struct polsnap_rec r;
	const char *at;

	for (;;) {
		at = ps->p;
		ps->st->journal_end = ps->off + (size_t)(at - ps->start);
		switch (polsnap_next(ps, &r)) {
		case POLSNAP_EOF:
			return 0;
		case POLSNAP_TORN:
			ps->st->torn = (size_t)(ps->end - at);
			return 0;
		case POLSNAP_BAD:
			buf_puts(err, "bad record header or checksum");
			polsnap_where(ps, at, err);
			ps->st->journal_bad = 1;
			return -1;
		case POLSNAP_REC:
			break;
		}
		if (polsnap_change(ps, &r, err) < 0) {
			ps->nrec--;
			polsnap_where(ps, at, err);
			ps->st->journal_bad = 1;
			return -1;
		}
		ps->st->changes++;
		ps->st->journal_end = ps->off + (size_t)(ps->p - ps->start);
	}
}

int
polsnap_parse(const char *data, size_t len, enum polsnap_kind kind,
    unsigned long long *gen, const struct polsnap_sink *sink,
    struct polsnap_stats *st, struct buf *err)
{
	struct polsnap_parser ps;
	const char *body;
	int rc;

	memset(&ps, 0, sizeof(ps));
	ps.start = ps.p = data;
	ps.end = data + len;
	ps.st = st;
	if (polsnap_header(&ps, kind, gen, err) < 0)
		return -1;
	if (kind == POLSNAP_KIND_JOURNAL) {
		ps.sink = sink;
		return polsnap_journal_pass(&ps, err);
	}
	/* A base is all or nothing: check it, then give it. */
	body = ps.p;
	if ((rc = polsnap_base_pass(&ps, err)) == 0 && sink != NULL) {
		if (sink->begin != NULL)
			sink->begin(sink->arg);
		ps.p = body;
		ps.nrec = ps.ntext = ps.domains = 0;
		ps.sink = sink;
		rc = polsnap_base_pass(&ps, err);
	}
	if (rc == 0) {
		st->domains = ps.domains;
		st->texts = ps.ntext;
	}
	free(ps.text);
	free(ps.text_len);
	return rc;
}

/*
 * Reads path whole, at most POLSNAP_FILE_MAX bytes; -1 with errno set
 * (ENOENT: missing; EFBIG: too large).
 */
static int
polsnap_slurp(const char *path, struct buf *out)
{
	struct stat sb;
	ssize_t n;
	int fd, saved;

	buf_reset(out);
	if ((fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW)) < 0)
		return -1;
	errno = 0;
	if (fstat(fd, &sb) < 0 || !S_ISREG(sb.st_mode)) {
		saved = errno;
		close(fd);
		errno = saved;
		if (errno == 0)
			errno = EINVAL;	/* not a regular file */
		return -1;
	}
	if (sb.st_size > POLSNAP_FILE_MAX) {
		close(fd);
		errno = EFBIG;
		return -1;
	}
	for (;;) {
		if (out->len >= (size_t)POLSNAP_FILE_MAX) {
			close(fd);
			errno = EFBIG;
			return -1;
		}
		if ((n = buf_read(out, fd, POLSNAP_READ_CHUNK)) <= 0)
			break;
	}
	saved = errno;
	close(fd);
	errno = saved;
	return n < 0 ? -1 : 0;
}

/* "gen" of a file's first line without parsing the rest; 0 if none. */
static unsigned long long
polsnap_peek_gen(const struct buf *b, enum polsnap_kind kind)
{
	struct polsnap_parser ps;
	struct buf err = BUF_INIT;
	unsigned long long gen = 0;

	memset(&ps, 0, sizeof(ps));
	ps.start = ps.p = b->s ? b->s : "";
	ps.end = ps.p + b->len;
	if (polsnap_header(&ps, kind, &gen, &err) < 0)
		gen = 0;
	buf_free(&err);
	return gen;
}

static void
polsnap_file_error(const char *path, const char *what, struct buf *err)
{
	if (errno == EFBIG)
		buf_printf(err, "%s: larger than %lld bytes", path,
		    POLSNAP_FILE_MAX);
	else
		buf_printf(err, "%s: %s", path, what);
}

/* One try: the base into the sink, then its journal; 1: try again. */
static int
polsnap_load_once(const char *base, const char *journal,
    const struct polsnap_sink *sink, struct polsnap_stats *st,
    struct buf *b, struct buf *err)
{
	struct buf why = BUF_INIT;
	unsigned long long jgen;
	int rc = 0;

	if (polsnap_slurp(base, b) < 0) {
		st->missing = errno == ENOENT;
		polsnap_file_error(base, strerror(errno), err);
		return -1;
	}
	st->base_bytes = b->len;
	/* A bad base leaves the sink untouched (polsnap_parse). */
	if (polsnap_parse(b->s, b->len, POLSNAP_KIND_BASE, &st->gen, sink, st,
	    &why) < 0) {
		buf_printf(err, "%s: %s", base, why.s);
		buf_free(&why);
		return -1;
	}
	st->changes = st->torn = st->journal_end = 0;
	st->journal_ignored = st->journal_bad = 0;
	if (polsnap_slurp(journal, b) < 0) {
		int missing = errno == ENOENT;

		st->journal_ignored = 1;
		if (!missing)
			polsnap_file_error(journal, strerror(errno), err);
		buf_free(&why);
		return missing ? 0 : -2;
	}
	st->journal_bytes = b->len;
	jgen = polsnap_peek_gen(b, POLSNAP_KIND_JOURNAL);
	if (jgen > st->gen) {
		buf_free(&why);
		return 1;	/* compacted since the base was read */
	}
	if (jgen != 0 && jgen < st->gen) {
		st->journal_ignored = 1;	/* the base has it all */
	} else if (polsnap_parse(b->s, b->len, POLSNAP_KIND_JOURNAL, &jgen,
	    sink, st, &why) < 0) {
		buf_printf(err, "%s: %s", journal, why.s);
		st->journal_bad = 1;
		rc = -2;
	}
	buf_free(&why);
	return rc;
}

/*
 * 0: loaded; -1: nothing loaded (err says why); the journal's trouble
 * after a good base also returns 0, with err set and journal_bad or
 * journal_ignored: the base and the good part of the journal are in.
 */
int
polsnap_load(const char *base, const char *journal,
    const struct polsnap_sink *sink, struct polsnap_stats *st,
    struct buf *err)
{
	struct buf b = BUF_INIT;
	int rc;

	memset(st, 0, sizeof(*st));
	do {
		st->tries++;
		rc = polsnap_load_once(base, journal, sink, st, &b, err);
	} while (rc == 1 && st->tries < POLSNAP_LOAD_TRIES);
	if (rc == 1) {
		buf_printf(err, "%s: still a newer generation than %s after"
		    " %d reads; its changes are left out", journal, base,
		    st->tries);
		st->journal_ignored = 1;
	}
	buf_free(&b);
	return rc == -1 ? -1 : 0;
}

/*
 * The records of journal after offset, when it is still of generation
 * gen; 1: it is not (or shorter): load it all again.
 */
int
polsnap_follow(const char *journal, unsigned long long gen, size_t *offset,
    const struct polsnap_sink *sink, struct polsnap_stats *st,
    struct buf *err)
{
	struct polsnap_parser ps;
	struct buf b = BUF_INIT, why = BUF_INIT;
	int rc;

	memset(st, 0, sizeof(*st));
	if (polsnap_slurp(journal, &b) < 0 ||
	    polsnap_peek_gen(&b, POLSNAP_KIND_JOURNAL) != gen ||
	    b.len < *offset || *offset == 0) {
		buf_free(&b);
		return 1;
	}
	memset(&ps, 0, sizeof(ps));
	ps.start = ps.p = b.s + *offset;
	ps.end = b.s + b.len;
	ps.off = *offset;
	ps.st = st;
	ps.sink = sink;
	st->gen = gen;
	st->journal_bytes = b.len;
	if ((rc = polsnap_journal_pass(&ps, &why)) < 0)
		buf_printf(err, "%s: %s", journal, why.s);
	*offset = st->journal_end;
	buf_free(&why);
	buf_free(&b);
	return rc;
}
