/*
 * polsnap_test - unit tests of lib/polsnap: a compaction read back
 * with shared texts, changes appended and applied in order, a new
 * compaction, and every damaged file the reader must survive: a cut
 * journal tail, a flipped byte, a truncated base, a journal of another
 * generation, a missing base, a bad record in the middle, a record
 * length beyond the limit, control characters and newlines in names.
 * SPDX-License-Identifier: ISC
 *
 * Works in a fresh directory under /tmp and removes it at the end.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <zlib.h>

#include "buf.h"
#include "polsnap.h"
#include "unit.h"

#define S(s)	((s) ? (s) : "")

static char top[] = "/tmp/polsnap_test.XXXXXX";
static char base[256], journal[256];

/* The sink: one line per call, in order. */
struct seen {
	struct buf log;
	int	 begins;
};

static void
seen_begin(void *arg)
{
	struct seen *s = arg;

	s->begins++;
	buf_reset(&s->log);
}

static int
seen_put(void *arg, const char *domain, const char *id, const char *text,
    size_t len)
{
	struct seen *s = arg;

	buf_printf(&s->log, "%s %s %.*s|", domain, id, (int)len, text);
	return strcmp(domain, "refused.example") == 0 ? -1 : 0;
}

static void
seen_del(void *arg, const char *domain)
{
	struct seen *s = arg;

	buf_printf(&s->log, "-%s|", domain);
}

static struct seen seen;
static const struct polsnap_sink sink = { seen_begin, seen_put, seen_del,
    &seen };

static int
load(struct polsnap_stats *st, struct buf *err)
{
	buf_reset(err);
	seen.begins = 0;
	buf_reset(&seen.log);
	return polsnap_load(base, journal, &sink, st, err);
}

static void
file_read(const char *path, struct buf *b)
{
	char chunk[4096];
	ssize_t n;
	int fd = open(path, O_RDONLY);

	buf_reset(b);
	while (fd >= 0 && (n = read(fd, chunk, sizeof(chunk))) > 0)
		buf_append(b, chunk, (size_t)n);
	if (fd >= 0)
		close(fd);
}

static void
file_write(const char *path, const char *data, size_t len)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600);

	if (fd < 0 || write(fd, data, len) != (ssize_t)len)
		perror(path);
	close(fd);
}

/* Appends a record with a good checksum, whatever its payload. */
static void
journal_raw(const char *type, const char *payload)
{
	struct buf b = BUF_INIT;
	unsigned long crc = crc32(0L, Z_NULL, 0);
	int fd = open(journal, O_WRONLY | O_APPEND);

	crc = crc32(crc, (const unsigned char *)type, 1);
	crc = crc32(crc, (const unsigned char *)payload, (unsigned)strlen(payload));
	buf_printf(&b, "%s %zu %08lx\n%s\n", type, strlen(payload), crc, payload);
	if (fd < 0 || write(fd, b.s, b.len) != (ssize_t)b.len)
		perror(journal);
	close(fd);
	buf_free(&b);
}

static void
compact3(struct polsnap_writer *w)
{
	struct buf err = BUF_INIT;

	CHECK(polsnap_compact_begin(w, &err) == 0, "compaction begins");
	polsnap_compact_put(w, "a.example", "20261201", "A-or-B", 6);
	polsnap_compact_put(w, "b.example", "20261202", "A-or-B", 6);
	polsnap_compact_put(w, "c.example", "20261203", "C\r\nline2\r\n", 10);
	CHECK(polsnap_compact_end(w, &err) == 0, "compaction ends: %s",
	    S(err.s));
	buf_free(&err);
}

static void
test_compact_and_changes(struct polsnap_writer *w)
{
	struct polsnap_stats st;
	int rc;
	struct buf err = BUF_INIT, b = BUF_INIT;
	unsigned long long gen;
	struct stat sb0, sb1;

	compact3(w);
	rc = load(&st, &err);
	CHECK(rc == 0 && seen.begins == 1, "base loads");
	CHECK(strcmp(seen.log.s, "a.example 20261201 A-or-B|b.example 20261202"
	    " A-or-B|c.example 20261203 C\r\nline2\r\n|") == 0,
	    "every domain with its id and exact text: %s", seen.log.s);
	CHECK(st.domains == 3 && st.texts == 2, "two domains share one text"
	    " (%zu domains, %zu texts)", st.domains, st.texts);
	gen = st.gen;

	stat(journal, &sb0);
	CHECK(polsnap_append_put(w, "b.example", "20261205", "B2", 2, &err) == 0 &&
	    polsnap_append_del(w, "a.example", &err) == 0 &&
	    polsnap_append_put(w, "d.example", "20261206", "", 0, &err) == 0 &&
	    polsnap_append_put(w, "refused.example", "1", "x", 1, &err) == 0,
	    "changes appended");
	stat(journal, &sb1);
	CHECK(sb1.st_size == sb0.st_size, "held in memory until the sync");
	CHECK(polsnap_sync(w, &err) == 0 && stat(journal, &sb1) == 0 &&
	    sb1.st_size > sb0.st_size, "written and synced by polsnap_sync");
	rc = load(&st, &err);
	CHECK(rc == 0 && st.changes == 4 && st.refused == 1,
	    "journal applied: %zu changes, %zu refused", st.changes, st.refused);
	CHECK(strstr(seen.log.s, "|b.example 20261205 B2|-a.example|"
	    "d.example 20261206 |") != NULL, "changes in order after the base:"
	    " %s", seen.log.s);
	CHECK(!polsnap_compact_due(w), "a small journal is not due");

	/* Torn tail: the last record cut in the middle. */
	file_read(journal, &b);
	file_write(journal, b.s, b.len - 3);
	rc = load(&st, &err);
	CHECK(rc == 0 && st.changes == 3 && st.torn > 0 &&
	    !st.journal_bad, "cut journal tail: ignored (%zu bytes), the rest"
	    " applied", st.torn);
	file_write(journal, b.s, b.len);

	/* A flipped byte in the middle of the journal: the prefix counts. */
	b.s[b.len / 2] ^= 0x20;
	file_write(journal, b.s, b.len);
	rc = load(&st, &err);
	CHECK(rc == 0 && st.journal_bad && err.len > 0 &&
	    strstr(seen.log.s, "c.example") != NULL,
	    "bad journal record: base kept, error said: %s", S(err.s));
	b.s[b.len / 2] ^= 0x20;
	file_write(journal, b.s, b.len);

	/* A journal whose first line is damaged: said, base kept. */
	file_write(journal, "stsd-polsnap 1 journ", 20);
	rc = load(&st, &err);
	CHECK(rc == 0 && st.journal_bad && strstr(S(err.s), "not a version 1"
	    " journal") != NULL && strstr(seen.log.s, "c.example") != NULL,
	    "damaged journal header: said, the base kept: %s", S(err.s));
	file_write(journal, b.s, b.len);

	/* A new compaction: a new generation, an empty journal. */
	compact3(w);
	rc = load(&st, &err);
	CHECK(rc == 0 && st.gen > gen && st.changes == 0,
	    "compaction: newer generation, empty journal");
	/* The old journal back, as after a crash between the renames. */
	file_write(journal, b.s, b.len);
	rc = load(&st, &err);
	CHECK(rc == 0 && st.journal_ignored && st.changes == 0 &&
	    strstr(seen.log.s, "a.example") != NULL,
	    "journal older than the base: ignored");
	buf_free(&err);
	buf_free(&b);
}

/* Following the journal from where the last load stopped. */
static void
test_follow(struct polsnap_writer *w)
{
	struct polsnap_stats st;
	struct buf err = BUF_INIT, b = BUF_INIT;
	unsigned long long gen;
	size_t off;
	int rc;

	compact3(w);
	polsnap_append_put(w, "a.example", "2", "A2", 2, &err);
	polsnap_sync(w, &err);
	rc = load(&st, &err);
	off = st.journal_end;
	gen = st.gen;
	CHECK(rc == 0 && off > 0 && st.changes == 1, "load: journal_end set");

	polsnap_append_put(w, "b.example", "3", "B3", 2, &err);
	polsnap_append_del(w, "c.example", &err);
	polsnap_sync(w, &err);
	buf_reset(&seen.log);
	rc = polsnap_follow(journal, gen, &off, &sink, &st, &err);
	CHECK(rc == 0 && st.changes == 2 && strcmp(seen.log.s,
	    "b.example 3 B3|-c.example|") == 0, "follow: only the new changes,"
	    " in order: %s", seen.log.s);
	buf_reset(&seen.log);
	rc = polsnap_follow(journal, gen, &off, &sink, &st, &err);
	CHECK(rc == 0 && st.changes == 0 && seen.log.len == 0,
	    "follow again: nothing new");

	/* A change being written: its first half, then all of it. */
	polsnap_append_put(w, "d.example", "4", "D4", 2, &err);
	polsnap_sync(w, &err);
	file_read(journal, &b);
	file_write(journal, b.s, b.len - 5);
	rc = polsnap_follow(journal, gen, &off, &sink, &st, &err);
	CHECK(rc == 0 && st.changes == 0 && st.torn > 0,
	    "follow: a change cut short waits");
	file_write(journal, b.s, b.len);
	rc = polsnap_follow(journal, gen, &off, &sink, &st, &err);
	CHECK(rc == 0 && st.changes == 1 && strstr(seen.log.s, "d.example 4")
	    != NULL, "follow: the change once complete");

	compact3(w);
	rc = polsnap_follow(journal, gen, &off, &sink, &st, &err);
	CHECK(rc == 1, "follow after a compaction: load it all again");
	compact3(w);
	buf_free(&err);
	buf_free(&b);
}

/*
 * polsnap_sync_start(): the records of a request written and synced by
 * the helper thread while the caller goes on; what is appended
 * meanwhile, even enough to be written at once, lands after them.
 */
static void
test_sync_start(struct polsnap_writer *w)
{
	struct polsnap_stats st;
	struct buf err = BUF_INIT;
	struct stat sb0, sb1;
	static char big[60000];
	char name[64];
	int i, rc, ok = 1;

	compact3(w);
	stat(journal, &sb0);
	CHECK(polsnap_append_put(w, "e.example", "7", "E7", 2, &err) == 0 &&
	    polsnap_sync_start(w, &err) == 0, "sync started");
	CHECK(polsnap_append_put(w, "f.example", "8", "F8", 2, &err) == 0,
	    "appended while the helper writes");
	CHECK(polsnap_sync_wait(w, &err) == 0 && stat(journal, &sb1) == 0 &&
	    sb1.st_size > sb0.st_size, "on disk once polsnap_sync_wait()"
	    " returns");
	rc = load(&st, &err);
	CHECK(rc == 0 && st.changes == 1 && strstr(seen.log.s,
	    "e.example 7 E7|") != NULL && strstr(seen.log.s, "f.example") ==
	    NULL, "the handed-over record only: %s", seen.log.s);
	rc = polsnap_sync(w, &err) == 0 ? load(&st, &err) : -1;
	CHECK(rc == 0 && st.changes == 2 && strstr(seen.log.s,
	    "e.example 7 E7|f.example 8 F8|") != NULL, "then the next, in"
	    " order: %zu changes", st.changes);

	/* Appends past POLSNAP_APPEND_BUF during a sync: written after it. */
	memset(big, 'x', sizeof(big));
	polsnap_append_put(w, "g.example", "9", "G9", 2, &err);
	polsnap_sync_start(w, &err);
	for (i = 0; i < 10; i++) {
		snprintf(name, sizeof(name), "h%d.example", i);
		ok &= polsnap_append_put(w, name, "1", big, sizeof(big),
		    &err) == 0;
	}
	rc = ok && polsnap_sync(w, &err) == 0 ? load(&st, &err) : -1;
	CHECK(rc == 0 && st.changes == 13 && strstr(seen.log.s,
	    "g.example 9 G9|h0.example") != NULL, "a large append waits for"
	    " the helper's write: %zu changes", st.changes);

	/* A compaction while the helper syncs: it waits, then replaces. */
	polsnap_append_put(w, "i.example", "2", "I2", 2, &err);
	polsnap_sync_start(w, &err);
	compact3(w);
	rc = load(&st, &err);
	CHECK(rc == 0 && st.changes == 0 && st.domains == 3,
	    "compaction after a started sync: %zu domains", st.domains);
	polsnap_append_put(w, "j.example", "3", "J3", 2, &err);
	CHECK(polsnap_sync_start(w, &err) == 0, "sync started again");
	buf_free(&err);
}

/* A base older than its journal: read again, then give up on the journal. */
static void
test_newer_journal(struct polsnap_writer *w)
{
	struct polsnap_stats st;
	int rc;
	struct buf err = BUF_INIT, old = BUF_INIT;

	compact3(w);
	file_read(base, &old);
	compact3(w);
	file_write(base, old.s, old.len);
	rc = load(&st, &err);
	CHECK(rc == 0 && st.tries == POLSNAP_LOAD_TRIES &&
	    st.journal_ignored && strstr(S(err.s), "newer generation") != NULL,
	    "journal newer than the base: %d reads, then the base alone: %s",
	    st.tries, S(err.s));
	compact3(w);
	buf_free(&err);
	buf_free(&old);
}

static void
test_bad_base(void)
{
	struct polsnap_stats st;
	int rc;
	struct buf err = BUF_INIT, b = BUF_INIT;
	char *p;

	file_read(base, &b);
	file_write(base, b.s, b.len / 2);
	rc = load(&st, &err);
	CHECK(rc == -1 && seen.begins == 0 && seen.log.len == 0 &&
	    strstr(S(err.s), "cut short") != NULL,
	    "truncated base: nothing given, \"%s\"", S(err.s));

	p = strstr(b.s, "line2");
	p[0] = 'L';
	file_write(base, b.s, b.len);
	rc = load(&st, &err);
	CHECK(rc == -1 && seen.begins == 0 &&
	    strstr(S(err.s), "checksum") != NULL, "flipped byte: \"%s\"", S(err.s));
	p[0] = 'l';

	file_write(base, "", 0);
	rc = load(&st, &err);
	CHECK(rc == -1 && strstr(S(err.s), "not a version 1 base")
	    != NULL, "empty base: \"%s\"", S(err.s));

	/* A sparse file over the limit: refused before it is read. */
	if (truncate(base, POLSNAP_FILE_MAX + 1) < 0)
		perror(base);
	rc = load(&st, &err);
	CHECK(rc == -1 && strstr(S(err.s), "larger than 536870912 bytes") !=
	    NULL, "base over POLSNAP_FILE_MAX refused: \"%s\"", S(err.s));

	unlink(base);
	rc = load(&st, &err);
	CHECK(rc == -1 && st.missing, "missing base: missing set");
	file_write(base, b.s, b.len);
	rc = load(&st, &err);
	CHECK(rc == 0, "restored base loads");
	buf_free(&err);
	buf_free(&b);
}

/* polsnap_parse of text; returns its result, err in *err. */

static int
parse(const char *text, enum polsnap_kind kind, struct buf *err)
{
	struct polsnap_stats st;
	unsigned long long gen;

	memset(&st, 0, sizeof(st));
	buf_reset(err);
	buf_reset(&seen.log);
	return polsnap_parse(text, strlen(text), kind, &gen, &sink, &st, err);
}

static void
test_bad_records(void)
{
	struct buf err = BUF_INIT;
	int rc;

	rc = parse("stsd-polsnap 1 base 1\nE 3 a9e8d4a6\n0 0\n",
	    POLSNAP_KIND_BASE, &err);
	CHECK(rc == -1 && strstr(S(err.s), "checksum"),
	    "bad checksum refused: %s", S(err.s));
	rc = parse("stsd-polsnap 1 base 1\nE 99999999999999999999 00000000\n",
	    POLSNAP_KIND_BASE, &err);
	CHECK(rc == -1, "huge length refused: %s", S(err.s));
	rc = parse("stsd-polsnap 1 base 1\nE 1048577 00000000\n",
	    POLSNAP_KIND_BASE, &err);
	CHECK(rc == -1, "length over POLSNAP_RECORD_MAX refused: %s", S(err.s));
	rc = parse("stsd-polsnap 1 base 0\n", POLSNAP_KIND_BASE, &err);
	CHECK(rc == -1 && strstr(S(err.s), "generation"),
	    "generation 0 refused: %s", S(err.s));
	rc = parse("stsd-polsnap 1 journal 5\n", POLSNAP_KIND_BASE, &err);
	CHECK(rc == -1, "a journal is not a base: %s", S(err.s));
	rc = parse("stsd-polsnap 2 base 5\n", POLSNAP_KIND_BASE, &err);
	CHECK(rc == -1, "version 2 refused: %s", S(err.s));
	rc = parse("stsd-polsnap 1 journal 7\n", POLSNAP_KIND_JOURNAL, &err);
	CHECK(rc == 0, "empty journal is fine");
	buf_free(&err);
}

/* Names with control characters, newlines and spaces: written, refused. */
static void
test_bad_names(struct polsnap_writer *w)
{
	struct polsnap_stats st;
	int rc;
	struct buf err = BUF_INIT;

	compact3(w);
	CHECK(polsnap_append_put(w, "evil\x01.example", "1", "x", 1, &err) == -1,
	    "control character in a domain: the writer refuses it");
	/* Written anyway, as a damaged or hostile file would have it. */
	journal_raw("P", "evil\x01.example 1\nx");
	rc = load(&st, &err);
	CHECK(rc == 0 && st.journal_bad && st.changes == 0,
	    "control character in a domain: record refused (%s)", S(err.s));
	compact3(w);
	rc = polsnap_append_put(w, "x.example", "1\n2", "x", 1, &err);
	CHECK(rc == -1 && strstr(S(err.s), "not a domain and a policy id") != NULL,
	    "newline in an id: the writer refuses it (%s)", S(err.s));
	buf_reset(&err);
	CHECK(polsnap_append_put(w, "a b.example", "1", "x", 1, &err) == -1,
	    "space in a domain: the writer refuses it");
	CHECK(polsnap_compact_begin(w, &err) == 0 &&
	    polsnap_compact_put(w, "x\n.example", "1", "x", 1) == -1 &&
	    polsnap_compact_put(w, "ok.example", "1", "x", 1) == 0 &&
	    polsnap_compact_end(w, &err) == 0, "compaction skips a bad name");
	compact3(w);
	journal_raw("P", "x.example 123456789012345678901234567890123\nx");
	rc = load(&st, &err);
	CHECK(rc == 0 && st.journal_bad && st.changes == 0,
	    "33-character id in the journal: refused");
	compact3(w);
	journal_raw("W", "a.example");
	journal_raw("W", "");
	rc = load(&st, &err);
	CHECK(rc == 0 && st.journal_bad && st.changes == 1 &&
	    strstr(seen.log.s, "-a.example|") != NULL,
	    "empty withdrawal refused after a good one: %s", S(err.s));
	compact3(w);
	polsnap_append_put(w, "x.example", "1", "x", 1, &err);
	polsnap_sync(w, &err);
	rc = load(&st, &err);
	CHECK(rc == 0 && !st.journal_bad && st.changes == 1,
	    "journal good again after compaction");
	buf_free(&err);
}

/* An empty table is a valid base; a journal may follow. */
static void
test_empty(struct polsnap_writer *w)
{
	struct polsnap_stats st;
	int rc;
	struct buf err = BUF_INIT;

	CHECK(polsnap_compact_begin(w, &err) == 0 &&
	    polsnap_compact_end(w, &err) == 0, "empty compaction");
	rc = load(&st, &err);
	CHECK(rc == 0 && st.domains == 0 && seen.begins == 1 &&
	    seen.log.len == 0, "empty base loads: the sink forgets the past");
	buf_free(&err);
}

int
main(void)
{
	struct polsnap_writer *w;

	if (mkdtemp(top) == NULL)
		return 2;
	snprintf(base, sizeof(base), "%s/policies", top);
	snprintf(journal, sizeof(journal), "%s/policies.journal", top);
	w = polsnap_writer_new(base, journal);
	CHECK(polsnap_compact_due(w), "a new writer is due for compaction");
	test_compact_and_changes(w);
	test_newer_journal(w);
	test_follow(w);
	test_sync_start(w);
	test_bad_base();
	test_bad_records();
	test_bad_names(w);
	test_empty(w);
	polsnap_writer_free(w);
	unlink(base);
	unlink(journal);
	rmdir(top);
	buf_free(&seen.log);
	return unit_status();
}
