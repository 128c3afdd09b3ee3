/*
 * commit - group commit of received messages; the interface is commit.h.
 * SPDX-License-Identifier: ISC
 *
 * Waiting messages are a FIFO list.  One libevent event, made active by
 * the first commit_add() of a turn, runs after the read events of that
 * turn and hands up to COMMIT_BATCH_MAX waiting messages to the syncer
 * thread, unless it is busy with a batch already.  The syncer signals
 * the end of a batch through a pipe whose read end is an event of the
 * loop; its handler answers the sessions and hands over the next batch.
 * The batch arrays belong to the syncer from the hand-over until its
 * byte arrives on the pipe (the mutex orders both).  Touches the spool
 * only through spool_commit_batch() and spool_abort().
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <event2/event.h>

#include "buf.h"
#include "commit.h"
#include "dlist.h"
#include "events.h"
#include "log.h"
#include "mymalloc.h"
#include "spool.h"

struct commit {
	struct spool_msg *msg;
	commit_done_fn done;		/* NULL: cancelled while syncing */
	void	*arg;
	struct commit *prev, *next;
};

static struct commit *head, *tail;	/* waiting for a batch */
static struct event *flush_ev;		/* end of turn: start a batch */
static struct event *done_ev;		/* the syncer's pipe */
static int done_pipe[2] = { -1, -1 };

/* The batch being synced, and the syncer's state. */
static struct commit *batch[COMMIT_BATCH_MAX];
static struct spool_msg *batch_msgs[COMMIT_BATCH_MAX];
static int batch_status[COMMIT_BATCH_MAX];
static size_t batch_len;		/* 0: the syncer is idle */
static struct buf batch_err = BUF_INIT;
static pthread_t syncer;
static int syncer_started;
static pthread_mutex_t syncer_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t syncer_cond = PTHREAD_COND_INITIALIZER;
static int syncer_go;			/* a batch was handed over */
static int syncer_stop;

static void
commit_unlink(struct commit *c)
{
	DLIST_UNLINK2(head, tail, c);
}

/* commit_syncer - the thread: one spool_commit_batch() per hand-over */
static void *
commit_syncer(void *arg)
{
	char byte = 'c';
	ssize_t n;

	(void)arg;
	pthread_mutex_lock(&syncer_lock);
	for (;;) {
		while (!syncer_go && !syncer_stop)
			pthread_cond_wait(&syncer_cond, &syncer_lock);
		if (!syncer_go)
			break;
		pthread_mutex_unlock(&syncer_lock);
		(void)spool_commit_batch(batch_msgs, batch_len, batch_status,
		    &batch_err);
		pthread_mutex_lock(&syncer_lock);
		syncer_go = 0;
		do
			n = write(done_pipe[1], &byte, 1);
		while (n < 0 && errno == EINTR);
		if (n < 0)
			log_panic("commit: syncer pipe: %s", strerror(errno));
	}
	pthread_mutex_unlock(&syncer_lock);
	return NULL;
}

/* commit_start - hand the oldest waiting messages to the idle syncer */
static void
commit_start(void)
{
	if (batch_len > 0 || head == NULL)
		return;
	while (head != NULL && batch_len < COMMIT_BATCH_MAX) {
		batch[batch_len] = head;
		batch_msgs[batch_len] = head->msg;
		head->msg = NULL;
		commit_unlink(batch[batch_len]);
		batch_len++;
	}
	pthread_mutex_lock(&syncer_lock);
	syncer_go = 1;
	pthread_cond_signal(&syncer_cond);
	pthread_mutex_unlock(&syncer_lock);
}

/* commit_finish - the syncer is done: tell the sessions of its batch */
static void
commit_finish(void)
{
	size_t n = batch_len, i;

	pthread_mutex_lock(&syncer_lock);	/* pairs with the syncer's */
	if (syncer_go)
		log_panic("commit: syncer signalled while busy");
	pthread_mutex_unlock(&syncer_lock);
	if (batch_err.len > 0)
		log_error("%s", batch_err.s);
	buf_reset(&batch_err);
	log_debug("committed a batch of %zu message%s", n, n == 1 ? "" : "s");
	batch_len = 0;
	for (i = 0; i < n; i++) {
		if (batch[i]->done != NULL)
			batch[i]->done(batch[i]->arg, batch_status[i] == 0);
		free(batch[i]);
		batch[i] = NULL;
	}
}

static void
commit_on_done(evutil_socket_t fd, short what, void *arg)
{
	char bytes[16];

	(void)what;
	(void)arg;
	if (read(fd, bytes, sizeof(bytes)) <= 0 || batch_len == 0)
		return;
	commit_finish();
	commit_start();
}

static void
commit_on_flush(evutil_socket_t fd, short what, void *arg)
{
	(void)fd;
	(void)what;
	(void)arg;
	commit_start();
}

void
commit_init(struct event_base *base)
{
	sigset_t all, old;
	int e;

	if (pipe2(done_pipe, O_NONBLOCK | O_CLOEXEC) != 0)
		log_fatal("commit: pipe: %s", strerror(errno));
	if ((flush_ev = event_new(base, -1, 0, commit_on_flush, NULL)) == NULL ||
	    (done_ev = event_new(base, done_pipe[0], EV_READ | EV_PERSIST,
	    commit_on_done, NULL)) == NULL || event_add(done_ev, NULL) != 0)
		log_fatal("cannot make the commit events");
	/* Signals are for the event loop's thread. */
	sigfillset(&all);
	pthread_sigmask(SIG_SETMASK, &all, &old);
	e = pthread_create(&syncer, NULL, commit_syncer, NULL);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	if (e != 0)
		log_fatal("commit: cannot start the syncer thread: %s",
		    strerror(e));
	syncer_started = 1;
}

struct commit *
commit_add(struct spool_msg *msg, commit_done_fn done, void *arg)
{
	struct commit *c = xcalloc(1, sizeof(*c));

	c->msg = msg;
	c->done = done;
	c->arg = arg;
	DLIST_APPEND2(head, tail, c);
	if (!event_pending(flush_ev, EV_TIMEOUT, NULL))
		event_active(flush_ev, EV_TIMEOUT, 1);
	return c;
}

void
commit_cancel(struct commit *c)
{
	if (c->msg == NULL) {		/* in the batch being synced */
		c->done = NULL;
		c->arg = NULL;
		return;
	}
	commit_unlink(c);
	spool_abort(c->msg);
	free(c);
}

void
commit_shutdown(void)
{
	if (syncer_started) {
		pthread_mutex_lock(&syncer_lock);
		syncer_stop = 1;
		pthread_cond_signal(&syncer_cond);
		pthread_mutex_unlock(&syncer_lock);
		pthread_join(syncer, NULL);	/* after its batch, if any */
		syncer_started = 0;
		if (batch_len > 0)
			commit_finish();
	}
	while (head != NULL)
		commit_cancel(head);
	events_free(flush_ev);
	events_free(done_ev);
	flush_ev = done_ev = NULL;
	if (done_pipe[0] >= 0) {
		close(done_pipe[0]);
		close(done_pipe[1]);
	}
	done_pipe[0] = done_pipe[1] = -1;
	buf_free(&batch_err);
}
