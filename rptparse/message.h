/*
 * message - find the TLS reports in one spooled message.
 * SPDX-License-Identifier: ISC
 *
 * SYNOPSIS
 *	struct message_limits lim;	(message_limits_default, or from main.cf)
 *	struct message m;
 *
 *	message_init(&m);
 *	if (message_extract(data, len, &lim, &m, &err) < 0)
 *		... err: "no TLS report in the message (parts: text/plain)"
 *	m.via ("mailto" or "https"), m.submitter (From:, or NULL),
 *	m.reports[i].json / .len (the report JSON, inflated),
 *	m.reports[i].notes (how it was found, when not by the RFC)
 *	message_clear(&m);
 *
 * DESCRIPTION
 *	A spooled message is either mail (RFC 5322, as rptrecv received
 *	it) or a report POSTed over HTTPS, in the form of tlsrpt.h
 *	(first line TLSRPT_VIA_HTTPS, a Content-Type line, a blank line,
 *	the body).
 *
 *	Mail is parsed with GMime (or, when lim.fast is set, as it is by
 *	default, in its common shape by mimefast.h, which gives the same
 *	result faster), and its MIME tree searched depth first
 *	for report parts: application/tlsrpt+gzip and
 *	application/tlsrpt+json (RFC 8460 section 5.3), and, as senders
 *	label them, application/gzip, application/x-gzip and
 *	application/octet-stream parts named *.json.gz or *.gz, and
 *	application/json and application/octet-stream parts named
 *	*.json; those are recorded in notes.  Content that starts with
 *	the gzip magic is inflated whatever its label says.
 *
 *	Touches nothing but memory; calls g_mime_init() on first use
 *	(message_shutdown() undoes it, for leak checks).
 *
 * LIMITS
 *	MIME nesting: lim.depth levels of multipart and message parts
 *	(GMime itself stops at about 1024, and more than
 *	MESSAGE_BOUNDARIES_MAX boundary parameters are refused before
 *	GMime sees them); reports: MESSAGE_REPORTS_MAX per message; gzip:
 *	lim.gunzip (see gunzip.h); report JSON: lim.gunzip.size bytes.
 *
 * DIAGNOSTICS
 *	message_extract() returns 0, or -1 with one line in err saying
 *	why nothing could be taken from the message.
 */
#ifndef RPTPARSE_MESSAGE_H
#define RPTPARSE_MESSAGE_H

#include <stddef.h>

#include "buf.h"
#include "gunzip.h"

#define MESSAGE_DEPTH_MAX	8
#define MESSAGE_REPORTS_MAX	16
#define MESSAGE_BOUNDARIES_MAX	2048
#define MESSAGE_NOTE_MAX	256	/* bytes of one note */

struct message_limits {
	int	 depth;
	int	 fast;		/* 1: the common shape without GMime */
	struct gunzip_limits gunzip;
};

struct message_report {
	char	*json;
	size_t	 len;
	char	*note;		/* NULL, or how the part was labelled */
};

struct message {
	const char *via;	/* "mailto" or "https" */
	char	*submitter;	/* From:, or NULL */
	struct message_report reports[MESSAGE_REPORTS_MAX];
	size_t	 nreports;
};

void	message_limits_default(struct message_limits *);
void	message_init(struct message *);
int	message_extract(const char *data, size_t len,
	    const struct message_limits *, struct message *, struct buf *err);
void	message_clear(struct message *);
void	message_shutdown(void);

#endif
