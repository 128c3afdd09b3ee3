/*
 * rptparse.h - rptparse's state, shared by rptparse.c (the batches, the
 * spool, the event loop) and deferral.c (DKIM verification and the
 * messages that wait in deferred/ for a DNS key).
 * SPDX-License-Identifier: ISC
 *
 * SYNOPSIS
 *	extern struct rptparse rp;	the one instance (rptparse.c)
 *	rptparse_verify(it, data)	DKIM outcome, or defer the message
 *	rptparse_deferred(fd, what, arg)	deferred/ back to incoming/
 *	rptparse_deferred_at(secs)	deferred/ looked at in secs seconds
 *	rptparse_left(id, dir, why)	a message that waits for a retry
 *	rptparse_schedule()		run the loop again now
 *
 * DESCRIPTION
 *	Internal to the rptparse program; see rptparse.c for the design.
 *
 * LIMITS
 *	RPTPARSE_BATCH messages per transaction.
 *
 * DIAGNOSTICS
 *	Logged by each function, naming the message.
 */
#ifndef STS_RPTPARSE_H
#define STS_RPTPARSE_H

#include <stdint.h>
#include <time.h>

#include <event2/event.h>

#include "buf.h"
#include "dkimcheck.h"
#include "hosted.h"
#include "ipc.h"
#include "message.h"
#include "rptdb.h"
#include "spool.h"
#include "tlsrpt.h"

#define RPTPARSE_BATCH		1000	/* messages per commit */

/* A message read and parsed, waiting for the commit of its batch. */
struct rptparse_item {
	char	 id[SPOOL_ID_SIZE];
	enum spool_dir dir;		/* where it is: incoming/ or active/ */
	time_t	 received;
	struct message m;
	struct tlsrpt_report *reports[MESSAGE_REPORTS_MAX];
	int64_t	 rows[MESSAGE_REPORTS_MAX];
	int	 fresh[MESSAGE_REPORTS_MAX];	/* 1: stored now, 0: before */
	char	 sha256[MESSAGE_REPORTS_MAX][RPTDB_SHA256_HEX];	/* JSON's */
	int	*pcounted[MESSAGE_REPORTS_MAX];	/* policies.counted, or NULL */
	struct dkimcheck_outcome dkim;	/* result NONE for https */
	int	 counted;		/* counts under report_require_dkim */
};

struct rptparse {
	struct spool *sp;
	struct rptdb *store;
	struct rptparse_item batch[RPTPARSE_BATCH];
	struct buf data;		/* the message read, reused */
	size_t	 nbatch;
	size_t	 batch_bytes;		/* report JSON parsed in the batch */
	char	 claim[RPTPARSE_BATCH][SPOOL_ID_SIZE];	/* to claim */
	size_t	 nclaim;
	char	 done_ids[RPTPARSE_BATCH][SPOOL_ID_SIZE];	/* stored */
	enum spool_dir done_dir[RPTPARSE_BATCH];	/* where they are */
	size_t	 ndone;
	int	 direct;		/* the consumer lock: no claims */
	struct hosted hosted;
	time_t	 hosted_failed;		/* when policyd last failed us */
	unsigned long hosted_filled;	/* generation of the last fill */
	char	*policyd_path;
	char	*policyd_public;
	struct message_limits mlim;
	struct tlsrpt_limits tlim;
	size_t	 msg_limit;
	struct ipc_server *srv;
	struct event *run_ev;
	struct event *retry_ev;		/* active/ again after a failure */
	struct event *deferred_ev;	/* deferred/ back to incoming/ */
	struct dkimcheck *dkim;
	int	 require_dkim;		/* report_require_dkim */
	time_t	 dkim_retry;		/* rptparse_dkim_retry_time */
	time_t	 dkim_give_up;		/* rptparse_dkim_give_up_time */
	long	 dkim_budget_ms;	/* key lookup time per run */
	char	(*incoming)[SPOOL_ID_SIZE];	/* the last listing of incoming/ */
	size_t	 nincoming;
	size_t	 next_incoming;		/* its first id not yet taken */
	int	 need_active;		/* scan active/ on the next run */
	int	 done;			/* messages handled in this run */
};


extern struct rptparse rp;

int	rptparse_verify(struct rptparse_item *it, const struct buf *data);
void	rptparse_deferred(evutil_socket_t fd, short what, void *arg);
void	rptparse_deferred_at(time_t secs);
void	rptparse_left(const char *id, enum spool_dir dir, const char *why);
void	rptparse_schedule(void);

#endif
