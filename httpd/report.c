/*
 * report - a TLS report POST on its way into the spool (RFC 8460
 *	section 3): the body of one request, framed by rua.c, written to
 *	a spool message as it arrives.
 * SPDX-License-Identifier: ISC
 *
 * SYNOPSIS
 *	r = report_start(&req, &verdict, &err);	NULL: answer 500
 *	report_input(r, data, len, &used)	RUA_BODY_MORE, _DONE, _ERROR
 *	report_status(r), report_why(r)		after RUA_BODY_ERROR
 *	report_commit(r, id, &err)		0: durable, answer 200
 *	report_abort(r)				the client is gone, or refused
 *	report_receiving()			bodies started, not yet ended
 *
 * DESCRIPTION
 *	report_start() creates a spool message with room for the body
 *	(message_size_limit) and the lines that say where it came from,
 *	and writes them (lib/tlsrpt.h: "X-Stsd-Via: https", the
 *	Content-Type as the client sent it, an empty line).  Body bytes
 *	are written to the spool as they arrive, so a report never sits
 *	in memory.  report_commit() makes the message durable
 *	(spool_commit: file fsync, rename into incoming/, directory
 *	fsync) and only then returns 0; the caller answers and then calls
 *	notify_spooled().  report_commit() and report_abort() free r; a
 *	message that was not committed leaves nothing in the spool.
 *
 *	report_receiving() counts the reports started and neither
 *	committed nor aborted, each with a spool file open: the caller
 *	keeps it within httpd_report_upload_limit.
 *
 *	The commit is synchronous: the process waits for the disk once
 *	per report.  Senders post at most one report per domain a day,
 *	so this is rare next to policy fetches.
 *
 * FILES
 *	incoming/ of the spool (httpd_spool, opened before the chroot).
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>

#include "buf.h"
#include "httpd.h"
#include "mymalloc.h"
#include "rua.h"
#include "spool.h"
#include "tlsrpt.h"

struct report {
	struct spool_msg *msg;
	struct rua_body body;
	struct buf err;			/* from spool_write() */
};

static int report_open;		/* started, neither committed nor aborted */

/* rua_out_fn: the body's bytes into the spool. */
static int
report_out(void *arg, const char *data, size_t len)
{
	struct report *r = arg;

	return spool_write(r->msg, data, len, &r->err);
}

struct report *
report_start(const struct http_request *req, const struct rua_verdict *v,
    struct buf *err)
{
	struct report *r;
	struct buf head = BUF_INIT;

	buf_printf(&head, TLSRPT_VIA_HTTPS "\r\nContent-Type: %.*s\r\n\r\n",
	    (int)v->content_type_len, v->content_type);
	r = xcalloc(1, sizeof(*r));
	rua_body_init(&r->body, req, v, &httpd_conf.reports);
	if (spool_create(httpd_spool, (size_t)(httpd_conf.reports.body_size +
	    head.len), &r->msg, err) != 0 ||
	    spool_write(r->msg, head.s, head.len, err) != 0) {
		if (r->msg != NULL)
			spool_abort(r->msg);
		free(r);
		r = NULL;
	} else
		report_open++;
	buf_free(&head);
	return r;
}

int
report_input(struct report *r, const char *data, size_t len, size_t *used)
{
	return rua_body_feed(&r->body, data, len, used, report_out, r);
}

int
report_status(const struct report *r)
{
	return r->body.status;
}

/* Why the body was refused; for a failed write, the spool's error. */
const char *
report_why(const struct report *r)
{
	return r->body.status == 500 && r->err.len > 0 ? r->err.s : r->body.why;
}

unsigned long long
report_size(const struct report *r)
{
	return r->body.total;
}

int
report_commit(struct report *r, char id[SPOOL_ID_SIZE], struct buf *err)
{
	int rc;

	snprintf(id, SPOOL_ID_SIZE, "%s", spool_msg_id(r->msg));
	rc = spool_commit(r->msg, err);
	buf_free(&r->err);
	free(r);
	report_open--;
	return rc;
}

void
report_abort(struct report *r)
{
	if (r == NULL)
		return;
	spool_abort(r->msg);
	buf_free(&r->err);
	free(r);
	report_open--;
}

int
report_receiving(void)
{
	return report_open;
}
