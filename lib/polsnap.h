/*
 * polsnap - the policy snapshot on disk: what policyd writes and httpd
 * loads before it serves.
 * SPDX-License-Identifier: ISC
 *
 * SYNOPSIS
 *	Writer (policyd, the only one):
 *	w = polsnap_writer_new(POLSNAP_BASE, POLSNAP_JOURNAL);
 *	polsnap_compact_begin(w, &err);
 *	    polsnap_compact_put(w, domain, id, text, len);	...each domain
 *	polsnap_compact_end(w, &err);	(or polsnap_compact_abort(w))
 *	polsnap_append_put(w, domain, id, text, len, &err);	a change
 *	polsnap_append_del(w, domain, &err);			a removal
 *	polsnap_sync(w, &err);		once per request: the changes are durable
 *	polsnap_sync_start(w, &err);	or: their write and sync begin in a
 *	    ...				helper thread while the caller goes on
 *	polsnap_sync_wait(w, &err);	(polsnap_sync() waits too)
 *	polsnap_compact_due(w);		1: the journal is worth folding in
 *	polsnap_writer_free(w);
 *
 *	The writer refuses (-1, and err says so for appends) a domain or
 *	id that the reader would refuse (see FORMAT), so a file it writes
 *	always reads back.
 *
 *	The writer is polsnapwriter.c, the reader and the rules of the format
 *	polsnap.c.
 *
 *	Reader (httpd):
 *	struct polsnap_sink sink = { begin, put, del, arg };
 *	polsnap_load(POLSNAP_BASE, POLSNAP_JOURNAL, &sink, &stats, &err);
 *	polsnap_parse(data, len, POLSNAP_KIND_BASE, &gen, &sink, &stats, &err);
 *	polsnap_follow(POLSNAP_JOURNAL, stats.gen, &offset, &sink, &stats, &err);
 *
 * DESCRIPTION
 *	The servable policies of every hosted domain (domain, policy id,
 *	policy text; the policy host is "mta-sts." DOMAIN) are kept in two
 *	files under queue_directory, which is httpd's chroot: a base, the
 *	whole table as of its writing, and a journal of the changes made
 *	since.  A change appends one record to the journal, so its cost does
 *	not grow with the number of domains; when the journal has grown to
 *	a POLSNAP_JOURNAL_RATIO-th of the base (and at least
 *	POLSNAP_JOURNAL_MIN bytes), policyd writes a new base and an empty
 *	journal (compaction), so the journal never costs more to read than
 *	a fraction of the base.
 *
 *	Compaction writes BASE.tmp, fsyncs it, renames it to BASE, then
 *	does the same for an empty JOURNAL, then fsyncs the directory.
 *	Both files carry the same generation number in their first line; a
 *	reader applies the journal only to the base of its generation.  A
 *	crash between the two renames leaves a base newer than the journal:
 *	the journal is then ignored (the base holds all it said).  A reader
 *	that finds a journal newer than the base it read (a compaction
 *	between its two opens) reads both again, up to POLSNAP_LOAD_TRIES
 *	times.
 *
 *	Appends are gathered in memory (up to POLSNAP_APPEND_BUF bytes)
 *	and written to the journal (O_APPEND) by polsnap_sync(), which
 *	then makes them durable (fdatasync) before policyd replies to the
 *	request that made them: one write(2) per request, not per domain.  A record cut short at the end of the journal (a
 *	writer that died in the middle, or a reader that caught a write in
 *	progress) is ignored.  A write that fails marks the writer broken:
 *	polsnap_compact_due() is then 1 and further appends are refused
 *	until a compaction succeeds.
 *
 * FORMAT
 *	First line: "stsd-polsnap 1 base GEN\n" or "stsd-polsnap 1 journal
 *	GEN\n", GEN a decimal number from 1 (the writer uses the time in
 *	microseconds, and at least the previous plus one).  Then records:
 *
 *	    TYPE SP LEN SP CRC LF PAYLOAD LF
 *
 *	TYPE one letter; LEN the decimal length of PAYLOAD (no leading
 *	zero), at most POLSNAP_RECORD_MAX; CRC eight lower-case hex digits
 *	of the CRC-32 (zlib's crc32) of TYPE followed by PAYLOAD.
 *
 *	Base records:
 *	  T  a policy text (the bytes served); the Nth T record is text N-1
 *	  D  lines "DOMAIN ID N\n": DOMAIN served with policy id ID and
 *	     text N (which an earlier T record defined)
 *	  E  "DOMAINS TEXTS": the counts; the last record of a base, which
 *	     has nothing after it (a base without it is cut short)
 *	Journal records, applied in order over the base:
 *	  P  "DOMAIN ID\n" then the policy text: DOMAIN is served so
 *	  W  "DOMAIN": DOMAIN is no longer served
 *
 *	DOMAIN: 1 to POLSNAP_NAME_MAX bytes from '!' to '~' (the reader
 *	of the policy host checks it is a DNS name); ID: 1 to
 *	POLSNAP_ID_MAX letters and digits (RFC 8461 section 3.1); a text:
 *	at most POLSNAP_TEXT_MAX bytes.
 *
 * LIMITS
 *	POLSNAP_FILE_MAX bytes per file (read: larger is refused);
 *	POLSNAP_RECORD_MAX bytes per record; the writer puts at most
 *	POLSNAP_BLOCK bytes of lines in a D record and remembers up to
 *	POLSNAP_DEDUP_MAX distinct texts (a text beyond is written again
 *	for each domain that has it).
 *
 *	polsnap_follow() gives the sink the journal records after offset
 *	(stats.journal_end of the last load or follow) and moves offset
 *	past them: a reader that keeps the table follows the changes
 *	without reading the base again.  It returns 1, having read
 *	nothing, when the journal is not of generation gen any more (a
 *	compaction) or is shorter than offset: load both files again.
 *
 * DIAGNOSTICS
 *	Functions that can fail return -1 with the file and the cause in
 *	err ("snapshot/policies: record 12 at byte 4096: bad checksum").
 *	A base is all or nothing: polsnap_parse() checks all of it before it
 *	gives the sink anything.  A journal gives the sink its records up
 *	to the first bad one, then returns -1 saying where it stopped; a
 *	cut-short tail is not an error (stats.torn counts its bytes).
 *	polsnap_load() of a missing base returns -1 with stats.missing set.
 */
#ifndef STS_POLSNAP_H
#define STS_POLSNAP_H

#include <stddef.h>

#include "buf.h"

#define POLSNAP_DIR		"snapshot"	/* in queue_directory */
#define POLSNAP_BASE		"snapshot/policies"
#define POLSNAP_JOURNAL		"snapshot/policies.journal"
#define POLSNAP_VERSION		1
#define POLSNAP_MAGIC		"stsd-polsnap"
#define POLSNAP_FILE_MAX	(512LL * 1024 * 1024)	/* bytes per file */
#define POLSNAP_RECORD_MAX	(1024 * 1024)	/* bytes of one payload */
#define POLSNAP_BLOCK		(64 * 1024)	/* bytes of lines per D record */
#define POLSNAP_TEXT_MAX	(64 * 1024)	/* bytes of a policy text */
#define POLSNAP_NAME_MAX	253		/* bytes of a domain */
#define POLSNAP_ID_MAX		32		/* characters of a policy id */
#define POLSNAP_DEDUP_MAX	65536		/* texts the writer remembers */
#define POLSNAP_APPEND_BUF	(256 * 1024)	/* appended bytes held */
#define POLSNAP_JOURNAL_MIN	(1024 * 1024)	/* bytes before compaction */
#define POLSNAP_JOURNAL_RATIO	4		/* ... and base / this */
#define POLSNAP_LOAD_TRIES	3
#define POLSNAP_MODE		0600

enum polsnap_kind {
	POLSNAP_KIND_BASE,
	POLSNAP_KIND_JOURNAL,
};

/* Where the policies go.  put() returns -1 when it refuses one. */
struct polsnap_sink {
	void	(*begin)(void *arg);	/* a load (again): from scratch */
	int	(*put)(void *arg, const char *domain, const char *id,
		    const char *text, size_t len);
	void	(*del)(void *arg, const char *domain);
	void	*arg;
};

struct polsnap_stats {
	unsigned long long gen;		/* of the base */
	size_t	 domains;		/* in the base */
	size_t	 texts;			/* in the base */
	size_t	 changes;		/* journal records applied */
	size_t	 refused;		/* puts the sink refused */
	size_t	 torn;			/* bytes of a cut-short journal tail */
	size_t	 journal_end;		/* offset past its last good record */
	size_t	 base_bytes;
	size_t	 journal_bytes;
	int	 journal_ignored;	/* of another generation, or missing */
	int	 journal_bad;		/* stopped at a bad record */
	int	 missing;		/* no base file */
	int	 tries;			/* reads of the base */
};

struct polsnap_writer;

/* The rules of FORMAT, shared by the reader and the writer. */
extern const char *const polsnap_kind_name[];	/* "base", "journal" */
int	polsnap_domain_ok(const char *s, size_t len);	/* DOMAIN */
int	polsnap_id_ok(const char *s, size_t len);	/* ID */

int	polsnap_parse(const char *data, size_t len, enum polsnap_kind,
	    unsigned long long *gen, const struct polsnap_sink *,
	    struct polsnap_stats *, struct buf *err);
int	polsnap_load(const char *base, const char *journal,
	    const struct polsnap_sink *, struct polsnap_stats *, struct buf *err);
int	polsnap_follow(const char *journal, unsigned long long gen,
	    size_t *offset, const struct polsnap_sink *, struct polsnap_stats *,
	    struct buf *err);

struct polsnap_writer *polsnap_writer_new(const char *base, const char *journal);
int	polsnap_compact_begin(struct polsnap_writer *, struct buf *err);
int	polsnap_compact_put(struct polsnap_writer *, const char *domain,
	    const char *id, const char *text, size_t len);
int	polsnap_compact_end(struct polsnap_writer *, struct buf *err);
void	polsnap_compact_abort(struct polsnap_writer *);
int	polsnap_append_put(struct polsnap_writer *, const char *domain,
	    const char *id, const char *text, size_t len, struct buf *err);
int	polsnap_append_del(struct polsnap_writer *, const char *domain,
	    struct buf *err);
int	polsnap_sync(struct polsnap_writer *, struct buf *err);
int	polsnap_sync_start(struct polsnap_writer *, struct buf *err);
int	polsnap_sync_wait(struct polsnap_writer *, struct buf *err);
int	polsnap_compact_due(const struct polsnap_writer *);
void	polsnap_writer_sizes(const struct polsnap_writer *,
	    unsigned long long *base, unsigned long long *journal);
void	polsnap_writer_free(struct polsnap_writer *);

#endif
