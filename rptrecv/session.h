/*
 * session.h - what rptrecv's SMTP session (session.c) and its command
 * handlers (command.c) share.
 * SPDX-License-Identifier: ISC
 *
 * SYNOPSIS
 *	session_command(s, line, len)	one command line (command.c):
 *					0 go on reading, -1 stop
 *
 *	session_reply(s, fmt, ...)	a reply line, sent with the others
 *					at the end of the input (session.c)
 *	session_reset(s)		forget the transaction
 *	session_close(s)		the last reply, then close
 *	session_bye(s)			421 "shutting down", then close
 *	session_data(s)			DATA: 354 and the text phase
 *	session_starttls(s)		STARTTLS: 1 when the rest of the
 *					input was dropped
 *
 * DESCRIPTION
 *	session.c owns the connection and the state machine (commands,
 *	text, commit, closing), its deadlines and STARTTLS; command.c
 *	answers EHLO, HELO, MAIL, RCPT and the commands without a phase of
 *	their own, and hands DATA and STARTTLS back to session.c.  Commands
 *	are parsed by smtp_cmd.h.
 *
 * LIMITS
 *	RPTRECV_RCPT_MAX recipients; rptrecv_command_limit commands
 *	without a queued message (rptrecv.h).
 *
 * DIAGNOSTICS
 *	The replies say what is refused (RFC 5321 section 4.2 codes with
 *	RFC 3463 enhanced codes); the log names the client as [ADDR].
 */
#ifndef RPTRECV_SESSION_H
#define RPTRECV_SESSION_H

#include <stddef.h>

#include <event2/bufferevent.h>
#include <event2/event.h>
#include <openssl/ssl.h>

#include "buf.h"
#include "commit.h"
#include "connlimit.h"
#include "rptrecv.h"
#include "smtp_cmd.h"
#include "smtp_data.h"
#include "spool.h"

enum session_state {
	SESSION_CMD,		/* reading commands */
	SESSION_DATA,		/* reading the text of a message */
	SESSION_COMMIT,		/* the message is being made durable */
	SESSION_CLOSING,	/* last reply queued, then close */
};

struct session {
	struct bufferevent *bev;	/* plain, or the TLS filter on it */
	struct bufferevent *plain;	/* the socket */
	SSL	*ssl;			/* after STARTTLS; freed by the session */
	struct event_base *base;
	struct event *cmd_timer;	/* rptrecv_command_timeout */
	struct event *data_timer;	/* rptrecv_data_timeout */
	enum session_state state;
	char	 addr[RPTRECV_ADDR_MAX];
	char	 net[CONNLIMIT_NET_MAX];	/* counted by connlimit */
	char	 helo[SMTP_DOMAIN_MAX + 1];
	int	 esmtp;			/* EHLO rather than HELO */
	int	 tls;			/* STARTTLS done */
	int	 skip_line;		/* discarding an over-long command line */
	long long ncmds;		/* commands since the last queued message */
	int	 nqueued;
	/* The transaction. */
	int	 have_mail;
	char	*sender;
	char	*first_rcpt;
	int	 nrcpt;
	int	 smtputf8;
	/* The text. */
	struct smtp_data text;
	struct spool_msg *msg;
	struct commit *commit;		/* waiting for the group commit */
	char	 commit_id[SPOOL_ID_SIZE];
	struct buf out;			/* text not yet written to the spool */
	int	 too_big;
	int	 write_failed;
	struct session *prev, *next;
};

int	session_command(struct session *, const char *line, size_t len);
void	session_reply(struct session *, const char *fmt, ...)
	    __attribute__((format(printf, 2, 3)));
void	session_reset(struct session *);
void	session_close(struct session *);
void	session_bye(struct session *);
void	session_data(struct session *);
int	session_starttls(struct session *);

#endif
