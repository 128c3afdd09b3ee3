/*
 * command - rptrecv's answer to each SMTP command of a session: EHLO,
 * HELO, MAIL, RCPT and those without a phase of their own (RFC 5321
 * section 4.1.1); see session.h.
 * SPDX-License-Identifier: ISC
 *
 * DATA and STARTTLS change the state of the session: they go back to
 * session.c.  Touches nothing but the session.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "esc.h"
#include "log.h"
#include "metrics.h"
#include "mymalloc.h"
#include "rcpt.h"
#include "rptrecv.h"
#include "server.h"
#include "session.h"
#include "smtp_cmd.h"

static void
session_ehlo(struct session *s, const struct smtp_cmd *cmd)
{
	size_t n = strlen(cmd->arg);

	session_reset(s);
	if (n >= sizeof(s->helo))	/* the parser allows no more */
		n = sizeof(s->helo) - 1;
	memcpy(s->helo, cmd->arg, n);
	s->helo[n] = '\0';
	s->esmtp = cmd->verb == SMTP_EHLO;
	if (!s->esmtp) {
		session_reply(s, "250 %s", var_smtp_hostname);
		return;
	}
	session_reply(s, "250-%s", var_smtp_hostname);
	session_reply(s, "250-PIPELINING");
	session_reply(s, "250-SIZE %llu", var_message_size_limit);
	session_reply(s, "250-8BITMIME");
	session_reply(s, "250-ENHANCEDSTATUSCODES");
	if (rptrecv_tls != NULL && !s->tls)
		session_reply(s, "250-STARTTLS");
	session_reply(s, "250 SMTPUTF8");
}

static void
session_mail(struct session *s, const struct smtp_cmd *cmd)
{
	if (s->helo[0] == '\0') {
		session_reply(s, "503 5.5.1 Error: send HELO/EHLO first");
		return;
	}
	if (s->have_mail) {
		session_reply(s, "503 5.5.1 Error: nested MAIL command");
		return;
	}
	if (cmd->has_size && cmd->size > var_message_size_limit) {
		session_reply(s, "552 5.3.4 Message size exceeds fixed limit "
		    "of %llu bytes", var_message_size_limit);
		return;
	}
	s->have_mail = 1;
	s->sender = xstrdup(cmd->arg);
	s->smtputf8 = cmd->smtputf8;
	session_reply(s, "250 2.1.0 Ok");
}

static void
session_rcpt(struct session *s, const struct smtp_cmd *cmd)
{
	if (!s->have_mail) {
		session_reply(s, "503 5.5.1 Error: need MAIL command");
		return;
	}
	if (s->nrcpt >= RPTRECV_RCPT_MAX) {
		session_reply(s, "452 4.5.3 Error: too many recipients");
		return;
	}
	if (!rcpt_match(var_report_recipients, cmd->arg)) {
		log_info("[%s]: reject: RCPT from <%s> to <%s>: not a report "
		    "address", s->addr, esc_printable(s->sender),
		    esc_printable(cmd->arg));
		metrics_inc(METRIC_SMTP_REJECTIONS, "stage", "rcpt", NULL);
		session_reply(s, "550 5.1.1 <%s>: Recipient address rejected: "
		    "not a TLS report address of this service", cmd->arg);
		return;
	}
	if (s->nrcpt++ == 0)
		s->first_rcpt = xstrdup(cmd->arg);
	session_reply(s, "250 2.1.5 Ok");
}

/* One command line; returns 0 to go on reading, -1 when it must stop. */
int
session_command(struct session *s, const char *line, size_t len)
{
	struct smtp_cmd cmd;
	const char *reply;

	if (server_stopping()) {
		if (smtp_cmd_parse(line, len, 0, &cmd, &reply) == 0 &&
		    cmd.verb == SMTP_QUIT) {
			session_reply(s, "221 2.0.0 Bye");
			session_close(s);
		} else {
			session_bye(s);
		}
		return -1;
	}
	if (++s->ncmds > var_rptrecv_command_limit) {
		log_warn("[%s]: too many commands without a message (%lld)",
		    s->addr, var_rptrecv_command_limit);
		session_reply(s, "421 4.7.0 %s Error: too many commands; "
		    "closing connection", var_smtp_hostname);
		session_close(s);
		return -1;
	}
	if (smtp_cmd_parse(line, len, s->smtputf8 ? SMTP_CMD_UTF8 : 0, &cmd,
	    &reply) < 0) {
		session_reply(s, "%s", reply);
		return 0;
	}
	switch (cmd.verb) {
	case SMTP_EHLO:
	case SMTP_HELO:
		session_ehlo(s, &cmd);
		break;
	case SMTP_MAIL:
		session_mail(s, &cmd);
		break;
	case SMTP_RCPT:
		session_rcpt(s, &cmd);
		break;
	case SMTP_DATA:
		session_data(s);
		break;
	case SMTP_RSET:
		session_reset(s);
		session_reply(s, "250 2.0.0 Ok");
		break;
	case SMTP_NOOP:
		session_reply(s, "250 2.0.0 Ok");
		break;
	case SMTP_VRFY:
		/* Would let anyone probe which report addresses exist. */
		session_reply(s, "502 5.5.1 VRFY command is disabled");
		break;
	case SMTP_HELP:
		session_reply(s, "214 2.0.0 Commands: EHLO HELO MAIL RCPT DATA "
		    "RSET NOOP QUIT VRFY HELP STARTTLS");
		break;
	case SMTP_QUIT:
		session_reply(s, "221 2.0.0 Bye");
		session_close(s);
		return -1;
	case SMTP_STARTTLS:
		if (session_starttls(s))
			return -1;	/* the rest of the input was dropped */
		break;
	case SMTP_UNKNOWN:
		session_reply(s, "500 5.5.2 Error: command not recognized");
		break;
	}
	return 0;
}
