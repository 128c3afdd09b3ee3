/*
 * checkbatch - group commit of dnsmon's check results in policyd.
 * SPDX-License-Identifier: ISC
 *
 * SYNOPSIS
 *	struct checkbatch *cb = checkbatch_new(base, pd);
 *	checkbatch_add(cb, conn, req)	holds a check-result and its conn
 *	checkbatch_flush(cb)		stores what is held, then replies
 *	checkbatch_pending(cb)		results held
 *	checkbatch_free(cb)		flushes first
 *
 * DESCRIPTION
 *	dnsmon sends its check results on one connection without waiting
 *	for each reply (up to its window, dnsmon.c).  checkbatch_add()
 *	takes a reference to the request and to its connection and
 *	answers nothing yet; the results held are stored in one
 *	transaction (request_check_results(), one commit and so one fsync
 *	of policy.db for the batch instead of one per result) when
 *	CHECKBATCH_MAX are held, CHECKBATCH_DELAY_MS after the first one
 *	came, or when checkbatch_flush() is called: policyd does so before
 *	any other request, so that a request sees every result that came
 *	before it, and when it stops.  Then each request gets its reply,
 *	in the order they came.
 *
 *	Durability: "stored": true is sent only after the commit.  A
 *	result held when policyd dies (kill -9, a crash, power loss) is
 *	lost unanswered: dnsmon logs the results its connection did not
 *	confirm, and the domain is checked again in its next round
 *	(dnsmon_interval), as after a result that never reached policyd.
 *	A result that failed alone (a database error under its
 *	savepoint) is answered with the error; a commit that fails
 *	answers every result of the batch with it.
 *
 * LIMITS
 *	CHECKBATCH_MAX results and CHECKBATCH_DELAY_MS of waiting per
 *	batch; a result is at most ipc_message_size_limit bytes, so a
 *	batch holds at most CHECKBATCH_MAX of them in memory.
 *
 * DIAGNOSTICS
 *	A commit that fails is logged with log_warn, with the number of
 *	results it held and SQLite's reason.
 */
#ifndef POLICYD_CHECKBATCH_H
#define POLICYD_CHECKBATCH_H

#include <stddef.h>

#include <jansson.h>

#define CHECKBATCH_MAX		1000	/* results per transaction */
#define CHECKBATCH_DELAY_MS	100	/* from the first result held */

struct checkbatch;
struct event_base;
struct ipc_conn;
struct policyd;

struct checkbatch *checkbatch_new(struct event_base *, struct policyd *);
void	checkbatch_add(struct checkbatch *, struct ipc_conn *, json_t *req);
void	checkbatch_flush(struct checkbatch *);
size_t	checkbatch_pending(const struct checkbatch *);
void	checkbatch_free(struct checkbatch *);

#endif
