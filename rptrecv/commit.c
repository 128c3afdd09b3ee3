/*
 * commit - group commit of received messages; the interface is commit.h.
 *
 * Pending messages are a FIFO list.  One libevent event, made active by
 * the first commit_add() of a turn, flushes them: being activated after
 * the read events of that turn, it runs once they have all been handled.
 * Touches the spool only through spool_commit_batch() and spool_abort().
 */
#include "config.h"

#include <stdlib.h>

#include <event2/event.h>

#include "buf.h"
#include "commit.h"
#include "log.h"
#include "mymalloc.h"
#include "spool.h"

struct commit {
	struct spool_msg *msg;
	commit_done_fn done;
	void	*arg;
	struct commit *prev, *next;
};

static struct commit *head, *tail;
static struct event *flush_ev;

static void
commit_unlink(struct commit *c)
{
	if (c->prev != NULL)
		c->prev->next = c->next;
	else
		head = c->next;
	if (c->next != NULL)
		c->next->prev = c->prev;
	else
		tail = c->prev;
	c->prev = c->next = NULL;
}

/* commit_flush - commit up to COMMIT_BATCH_MAX messages, then tell them */
static void
commit_flush(evutil_socket_t fd, short what, void *arg)
{
	struct spool_msg *msgs[COMMIT_BATCH_MAX];
	struct commit *batch[COMMIT_BATCH_MAX];
	int status[COMMIT_BATCH_MAX];
	struct buf err = BUF_INIT;
	size_t n = 0, i;

	(void)fd;
	(void)what;
	(void)arg;
	while (head != NULL && n < COMMIT_BATCH_MAX) {
		batch[n] = head;
		msgs[n] = head->msg;
		commit_unlink(head);
		n++;
	}
	if (head != NULL)
		event_active(flush_ev, EV_TIMEOUT, 1);	/* the rest next */
	if (spool_commit_batch(msgs, n, status, &err) != 0)
		log_error("%s", err.s);
	log_debug("committed a batch of %zu message%s", n, n == 1 ? "" : "s");
	for (i = 0; i < n; i++) {
		batch[i]->done(batch[i]->arg, status[i] == 0);
		free(batch[i]);
	}
	buf_free(&err);
}

void
commit_init(struct event_base *base)
{
	if ((flush_ev = event_new(base, -1, 0, commit_flush, NULL)) == NULL)
		log_fatal("cannot make the commit event");
}

struct commit *
commit_add(struct spool_msg *msg, commit_done_fn done, void *arg)
{
	struct commit *c = xcalloc(1, sizeof(*c));

	c->msg = msg;
	c->done = done;
	c->arg = arg;
	c->prev = tail;
	if (tail != NULL)
		tail->next = c;
	else
		head = c;
	tail = c;
	if (!event_pending(flush_ev, EV_TIMEOUT, NULL))
		event_active(flush_ev, EV_TIMEOUT, 1);
	return c;
}

void
commit_cancel(struct commit *c)
{
	commit_unlink(c);
	spool_abort(c->msg);
	free(c);
}

void
commit_shutdown(void)
{
	while (head != NULL)
		commit_cancel(head);
	if (flush_ev != NULL)
		event_free(flush_ev);
	flush_ev = NULL;
}
