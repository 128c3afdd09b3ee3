/*
 * spool - the durable queue of TLS reports (Postfix mail_queue(3)).
 * SPDX-License-Identifier: ISC
 *
 * SYNOPSIS
 *	Producers (rptrecv, httpd):
 *	sp = spool_open(queue_dir, SPOOL_WRITER, &err);
 *	spool_create(sp, size_limit, &msg, &err);
 *	spool_write(msg, data, len, &err);	... as often as needed
 *	id = xstrdup(spool_msg_id(msg));
 *	spool_commit(msg, &err);		then acknowledge (250, 2xx)
 *	or spool_abort(msg);
 *	or, for several messages at once (group commit):
 *	spool_commit_batch(msgs, n, status, &err);	then acknowledge
 *						each msgs[i] with status[i] 0
 *
 *	The consumer (rptparse):
 *	sp = spool_open(queue_dir, 0, &err);
 *	spool_scan(sp, SPOOL_ACTIVE, fn, ctx, &err);	left by a crash
 *	spool_scan(sp, SPOOL_INCOMING, fn, ctx, &err);	new work
 *	or spool_list(sp, SPOOL_INCOMING, &ids, &n, &err); ... free(ids);
 *	fn: spool_claim(sp, id, &err) (incoming/ only);
 *	    fd = spool_open_msg(sp, SPOOL_ACTIVE, id, limit, &err);
 *	    store, commit the store, then spool_done(sp, id, &err);
 *	    or spool_defer(sp, id, reason, &err) (try again later),
 *	    or spool_corrupt(sp, id, reason, &err) (never parseable).
 *	or, holding the consumer lock, without a claim:
 *	spool_lock(sp, &err);			once, after spool_open()
 *	spool_read_msg(sp, SPOOL_INCOMING, id, limit, &data, &err);
 *	    store, commit, spool_done_from(sp, SPOOL_INCOMING, ids, n,
 *	    status, &err); or spool_defer_from(), spool_corrupt_from().
 *
 *	Administration (stsctl through its daemon):
 *	spool_find(sp, id), spool_read_msg(), spool_reason(),
 *	spool_requeue(sp, id, &err), spool_delete(sp, id, &err).
 *
 * DESCRIPTION
 *	The spool is a directory (queue_directory, or "/" for a daemon
 *	chrooted into it) with the subdirectories incoming/, active/,
 *	deferred/ and corrupt/, made by "stsd check"; spool_open() only
 *	checks that they exist.  A message is one file whose name is its
 *	id and whose content is exactly the bytes written to it: no
 *	header, no side file.  deferred/ and corrupt/ also hold ID.reason,
 *	one line saying why.  Moving a message is a rename; every change
 *	is made durable (file and directory fsync) before the function
 *	returns success.
 *
 *	Ids are YYYYMMDDHHMMSS.uuuuuu.PPPPPPPPPP.SSSSSS: UTC time of
 *	creation to the microsecond, the creating process id and a
 *	per-process sequence number, each field fixed-width, so that
 *	sorting ids as strings sorts by arrival, and two processes (or one
 *	process before and after a restart) never make the same id.  Every
 *	function that takes an id checks it with spool_id_valid() first:
 *	ids come from commands too, and no id can name a path outside its
 *	directory.
 *
 *	Writing: spool_create() makes incoming/ID.tmp (O_EXCL, mode 0600).
 *	Readers never see *.tmp files.  spool_write() refuses data beyond
 *	the size limit given to spool_create(), and any failed write
 *	removes the temporary file at once: the handle is then dead, and
 *	only spool_abort() may be called on it.  spool_commit() fsyncs the
 *	file, renames it to incoming/ID (never replacing a file), fsyncs
 *	incoming/, and only then returns 0; when it fails, the message is
 *	removed again and must not be acknowledged.  spool_commit() and
 *	spool_abort() free the handle, so copy spool_msg_id() first.
 *
 *	Group commit: spool_commit_batch() commits n messages of one
 *	spool with the same guarantees as n spool_commit() calls, but
 *	with fewer waits for the disk: writeback of all of them is started
 *	at once (sync_file_range(2)), so that the first fdatasync() makes
 *	the data of all of them durable in one journal commit and the
 *	others return at once; then every one is renamed into place, then
 *	incoming/ is fsynced once.  Only these files are waited for, not
 *	the rest of the file system (as syncfs(2) would).  status[i] is
 *	set to 0 for each message that is now
 *	durable and -1 for each that is not (an error line for it is in
 *	err, and it is removed); the function returns 0 when all are
 *	committed, -1 otherwise, and frees every handle (msgs[i] becomes
 *	NULL).  A writer that serves many clients in one process (rptrecv)
 *	collects the messages that end while it is busy and commits them
 *	together, so that the cost of a sync is shared.  It may call
 *	spool_commit_batch() in a thread of its own while the thread that
 *	created the messages goes on creating others, as long as no other
 *	function is called on the messages of the batch meanwhile.
 *
 *	A writer's spool_open() (SPOOL_WRITER) removes the temporary files
 *	of writers that crashed: those whose process id field names no
 *	running process, and any older than SPOOL_TMP_MAX_AGE (a live
 *	writer holds a message for seconds, never a day).  Temporary files
 *	of other running writers are left alone.
 *
 *	Consuming: spool_scan() calls fn(id, ctx) for the messages of one
 *	directory in id order (at most SPOOL_SCAN_MAX of them, the oldest;
 *	it returns how many it passed, so a caller that got SPOOL_SCAN_MAX
 *	scans again once it has handled them).  fn returns 0 to go on and
 *	anything else to stop the scan.  spool_list() gives the same ids
 *	as an array (the caller frees it), for a consumer that takes them
 *	over several turns of its loop without listing the directory
 *	again; a message removed meanwhile is then an error of the call
 *	that names it.  spool_claim() moves incoming/ID
 *	to active/ID; a consumer that starts takes active/ first (it was
 *	working on those when it stopped), then incoming/.  spool_done()
 *	removes active/ID.  spool_defer() and spool_corrupt() write
 *	ID.reason durably in deferred/ or corrupt/ and then move active/ID
 *	next to it; spool_reason_time() gives when that was (the time
	its reason was written).  spool_requeue() moves deferred/ID or corrupt/ID back
 *	to incoming/ and removes its reason.  spool_delete() removes a
 *	message (and its reason) from whichever directory holds it.
 *
 *	The consumer lock: a claim costs a rename and a sync of two
 *	directories per batch, only so that two consumers never take the
 *	same message.  spool_lock() takes an exclusive flock(2) on
 *	active/ (non-blocking; it fails when another process holds it);
 *	the consumer that holds it is the only one, and may take messages
 *	where they are, in incoming/: it reads them there and calls
 *	spool_done_from(), spool_defer_from() or spool_corrupt_from() with
 *	SPOOL_INCOMING, which fail for a handle without the lock.  The
 *	lock goes with the handle's descriptors (spool_close(), or the end
 *	of the process, however it ends).  A consumer that cannot get the
 *	lock claims every message, as before.  The *_from() functions with
 *	SPOOL_ACTIVE are spool_done_batch(), spool_defer() and
 *	spool_corrupt().  Exactly once (below) holds the same way: a
 *	message stays in incoming/ until it is stored and removed, and a
 *	consumer that restarts takes it again from there.
 *
 * EXACTLY ONCE
 *	The spool delivers every committed message at least once: a
 *	message stays in active/ until spool_done(), so a consumer that
 *	crashes after storing a message but before spool_done() gets it
 *	again from active/ when it restarts; and a producer whose
 *	acknowledgement was lost (a crash or a dropped connection right
 *	after spool_commit()) sees the sender send the same report again
 *	under a new id.  A consumer gets exactly-once storage only if its
 *	store is idempotent: it records a key derived from the content
 *	(a SHA-256 of the message, or of the report it holds, so that a
 *	resent copy matches too) in the same transaction as the rows it
 *	stores, skips a message whose key is already stored, and calls
 *	spool_done() only after that transaction committed.
 *
 * LIMITS
 *	A message's size: the limit given to spool_create() and to
 *	spool_open_msg()/spool_read_msg(); a reason: SPOOL_REASON_MAX
 *	bytes (longer ones are cut); one scan: SPOOL_SCAN_MAX ids.
 *	One consumer per spool: two consumers that claim the same id both
 *	try, one of them gets an error; the consumer lock makes sure of
 *	it for a consumer that takes messages in incoming/.
 *
 * DIAGNOSTICS
 *	spool_find() returns the directory that holds a message, or -1
 *	when none does (or the id is bad).  Otherwise, spool_open() returns
 *	NULL and functions that return int return -1 on error (0 on
 *	success; spool_scan: a count; spool_open_msg: a file descriptor),
 *	and then append one line to err naming the file and the cause, e.g.
 *	"/var/spool/stsd/incoming/20261123101502.123456.0000004242.000001:
 *	message exceeds size limit of 10485760 bytes".
 */
#ifndef STS_SPOOL_H
#define STS_SPOOL_H

#include <stddef.h>
#include <time.h>

#include "buf.h"

#define SPOOL_ID_LEN	39		/* strlen of an id */
#define SPOOL_ID_SIZE	(SPOOL_ID_LEN + 1)
#define SPOOL_TMP_SUFFIX ".tmp"
#define SPOOL_REASON_SUFFIX ".reason"
#define SPOOL_TMP_MAX_AGE (24 * 60 * 60)	/* seconds */
#define SPOOL_REASON_MAX 1024		/* bytes of a reason */
#define SPOOL_SCAN_MAX	100000		/* ids per spool_scan() */

#define SPOOL_WRITER	(1 << 0)	/* spool_open: remove stale .tmp */

enum spool_dir {
	SPOOL_INCOMING,
	SPOOL_ACTIVE,
	SPOOL_DEFERRED,
	SPOOL_CORRUPT,
};
#define SPOOL_NDIRS	4

struct spool;
struct spool_msg;

typedef int (*spool_scan_fn)(const char *id, void *ctx);

struct spool *spool_open(const char *base, int flags, struct buf *err);
void	spool_close(struct spool *);
const char *spool_dir_name(enum spool_dir);	/* "incoming", ... */
int	spool_id_valid(const char *id);

/* Producers. */
int	spool_create(struct spool *, size_t limit, struct spool_msg **,
	    struct buf *err);
const char *spool_msg_id(const struct spool_msg *);
int	spool_write(struct spool_msg *, const void *, size_t, struct buf *err);
int	spool_commit(struct spool_msg *, struct buf *err);	/* frees */
int	spool_commit_batch(struct spool_msg **, size_t n, int *status,
	    struct buf *err);					/* frees */
void	spool_abort(struct spool_msg *);			/* frees */

/* The consumer. */
int	spool_list(struct spool *, enum spool_dir,
	    char (**ids)[SPOOL_ID_SIZE], size_t *count, struct buf *err);
int	spool_scan(struct spool *, enum spool_dir, spool_scan_fn, void *ctx,
	    struct buf *err);
int	spool_claim(struct spool *, const char *id, struct buf *err);
int	spool_open_msg(struct spool *, enum spool_dir, const char *id,
	    size_t limit, struct buf *err);	/* read-only fd */
int	spool_read_msg(struct spool *, enum spool_dir, const char *id,
	    size_t limit, struct buf *data, struct buf *err);
int	spool_done(struct spool *, const char *id, struct buf *err);
int	spool_defer(struct spool *, const char *id, const char *reason,
	    struct buf *err);
int	spool_corrupt(struct spool *, const char *id, const char *reason,
	    struct buf *err);

/* Administration. */
int	spool_find(struct spool *, const char *id);	/* enum spool_dir, -1 */
int	spool_reason(struct spool *, enum spool_dir, const char *id,
	    struct buf *reason, struct buf *err);
int	spool_reason_time(struct spool *, enum spool_dir, const char *id,
	    time_t *when, struct buf *err);
int	spool_requeue(struct spool *, const char *id, struct buf *err);
int	spool_delete(struct spool *, const char *id, struct buf *err);

/*
 * The consumer, n messages at a time: spool_claim_batch() and
 * spool_done_batch() do what n calls of spool_claim() or spool_done()
 * do, with the same guarantees, but sync each directory once for all
 * of them.  status[i] is 0 for each message claimed (or removed) and
 * durable, -1 for each that is not (its error line is in err; when a
 * directory sync fails, every message of the batch is -1 and the
 * cause is in err once); they return 0 when all succeeded, else -1.
 * A claim that failed on the sync may have left the message in
 * active/, where a consumer finds it at its next scan of active/.
 */
int	spool_claim_batch(struct spool *, const char (*ids)[SPOOL_ID_SIZE],
	    size_t n, int *status, struct buf *err);
int	spool_done_batch(struct spool *, const char (*ids)[SPOOL_ID_SIZE],
	    size_t n, int *status, struct buf *err);

/* The consumer lock, and the consumer's functions for either directory. */
int	spool_lock(struct spool *, struct buf *err);
int	spool_done_from(struct spool *, enum spool_dir from,
	    const char (*ids)[SPOOL_ID_SIZE], size_t n, int *status,
	    struct buf *err);
int	spool_defer_from(struct spool *, enum spool_dir from, const char *id,
	    const char *reason, struct buf *err);
int	spool_corrupt_from(struct spool *, enum spool_dir from,
	    const char *id, const char *reason, struct buf *err);

#endif
