/*
 * commit - group commit of the messages that rptrecv received.
 *
 * SYNOPSIS
 *	commit_init(base);
 *	c = commit_add(msg, done, arg);	takes msg; done(arg, ok) later
 *	commit_cancel(c);		the client is gone: msg is dropped
 *	commit_shutdown();
 *
 * DESCRIPTION
 *	A session whose message text is complete hands the spool handle
 *	to commit_add() and waits.  The messages of every session that
 *	finished in the same turn of the event loop are committed together
 *	by one spool_commit_batch() at the end of that turn, and each
 *	session's done(arg, ok) is then called: ok is 1 when the message
 *	is durable (the session says 250), 0 when it is not (451; the
 *	error is logged here).  While a batch is synced, new input waits
 *	in the sockets, so the busier the process, the larger its batches
 *	and the fewer syncs per message.
 *
 * LIMITS
 *	COMMIT_BATCH_MAX messages per spool_commit_batch(); more wait for
 *	the next turn.
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
