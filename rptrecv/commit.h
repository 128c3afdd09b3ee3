/*
 * commit - group commit of the messages that rptrecv received.
 * SPDX-License-Identifier: ISC
 *
 * SYNOPSIS
 *	commit_init(base);
 *	c = commit_add(msg, done, arg);	takes msg; done(arg, ok) later
 *	commit_cancel(c);		the client is gone: no done() call
 *	commit_shutdown();
 *
 * DESCRIPTION
 *	A session whose message text is complete hands the spool handle
 *	to commit_add() and waits.  The messages of every session that
 *	finished in the same turn of the event loop form a batch, and one
 *	spool_commit_batch() makes the batch durable in a thread of its
 *	own (the syncer), so that the event loop goes on serving the other
 *	sessions meanwhile; each session's done(arg, ok) is then called
 *	from the event loop: ok is 1 when the message is durable (the
 *	session says 250), 0 when it is not (451; the error is logged
 *	here).  One batch is synced at a time: the messages that end while
 *	it is, wait and make up the next batch, so the busier the process,
 *	the larger its batches and the fewer disk waits per message.
 *
 *	commit_cancel() of a message that waits for its batch drops it
 *	(spool_abort); of a message whose batch is being synced, it only
 *	forgets the session: the message may still become durable, without
 *	an acknowledgement (the sender sends it again, as after a lost
 *	250).  commit_shutdown() waits for the batch being synced, drops
 *	the waiting messages and ends the syncer.
 *
 * LIMITS
 *	COMMIT_BATCH_MAX messages per spool_commit_batch(); more wait for
 *	the next batch.  The syncer thread touches only the messages of its
 *	batch (spool_commit_batch) and writes one byte to a pipe when it is
 *	done; everything else happens in the event loop's thread.
 */
#ifndef RPTRECV_COMMIT_H
#define RPTRECV_COMMIT_H

#define COMMIT_BATCH_MAX	256

struct event_base;
struct spool_msg;
struct commit;

typedef void (*commit_done_fn)(void *arg, int ok);

void	commit_init(struct event_base *);
struct commit *commit_add(struct spool_msg *, commit_done_fn, void *arg);
void	commit_cancel(struct commit *);
void	commit_shutdown(void);

#endif
