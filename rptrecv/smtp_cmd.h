/*
 * smtp_cmd - parse one SMTP command line (RFC 5321, 1869, 6152, 6531).
 * SPDX-License-Identifier: ISC
 *
 * SYNOPSIS
 *	struct smtp_cmd cmd;
 *	const char *reply;
 *
 *	if (smtp_cmd_parse(line, len, flags, &cmd, &reply) < 0)
 *		send reply ("501 5.5.4 ..." etc.) and go on;
 *	smtp_path_valid(path, len, utf8)
 *	smtp_domain_valid(domain, len, utf8)
 *
 * DESCRIPTION
 *	smtp_cmd_parse() takes one command line without its CRLF (line
 *	need not be NUL-terminated and may contain any byte) and fills
 *	cmd: the verb and, by verb,
 *
 *	EHLO/HELO domain	cmd.arg: a domain or an address literal
 *	MAIL FROM:<path> [params]	cmd.arg: the mailbox ("" for the null
 *				reverse path <>), source routes removed;
 *				params SIZE=n (cmd.size, cmd.has_size),
 *				BODY=7BIT|8BITMIME (cmd.body_8bit),
 *				SMTPUTF8 (cmd.smtputf8)
 *	RCPT TO:<path>		cmd.arg: the mailbox, or "Postmaster"
 *	VRFY/HELP/NOOP [text]	cmd.arg: the rest of the line
 *	DATA RSET QUIT STARTTLS	no argument
 *
 *	Verbs and the FROM:/TO: keywords are case-insensitive; white
 *	space after the colon is tolerated (common, though not in the
 *	grammar).  With SMTP_CMD_UTF8 in flags (the transaction's MAIL had
 *	SMTPUTF8) a RCPT address may hold UTF-8; a MAIL address may when
 *	its own parameters say SMTPUTF8.  Non-ASCII is refused elsewhere,
 *	and so is any control character or NUL anywhere in a command.
 *
 *	On error smtp_cmd_parse() returns -1 and points *reply at a
 *	complete reply line (code, enhanced status code and text, no
 *	CRLF), e.g. "501 5.1.7 Bad sender address syntax".  An unknown
 *	verb sets cmd.verb = SMTP_UNKNOWN and returns -1 with
 *	"500 5.5.2 Error: command not recognized".
 *
 * LIMITS
 *	A local part SMTP_LOCAL_MAX octets, a domain SMTP_DOMAIN_MAX, a
 *	path with its angle brackets SMTP_PATH_MAX (RFC 5321 4.5.3.1);
 *	the line itself is limited by the caller (SMTP_LINE_MAX).
 *	Pure: no I/O, no allocation.
 */
#ifndef RPTRECV_SMTP_CMD_H
#define RPTRECV_SMTP_CMD_H

#include <stddef.h>

#define SMTP_LOCAL_MAX	64	/* octets of a local part */
#define SMTP_DOMAIN_MAX	255	/* octets of a domain */
#define SMTP_PATH_MAX	256	/* octets of a path, with < and > */
#define SMTP_LINE_MAX	1000	/* octets of a line, with CRLF (4.5.3.1.6) */
#define SMTP_ARG_MAX	SMTP_LINE_MAX

#define SMTP_REPLY_MAX	160	/* octets of a reply line made by the parser */

#define SMTP_CMD_UTF8	(1 << 0)	/* RCPT: the transaction is SMTPUTF8 */

enum smtp_verb {
	SMTP_UNKNOWN,
	SMTP_EHLO,
	SMTP_HELO,
	SMTP_MAIL,
	SMTP_RCPT,
	SMTP_DATA,
	SMTP_RSET,
	SMTP_NOOP,
	SMTP_QUIT,
	SMTP_VRFY,
	SMTP_HELP,
	SMTP_STARTTLS,
};

struct smtp_cmd {
	enum smtp_verb verb;
	char	 arg[SMTP_ARG_MAX + 1];	/* NUL-terminated, see above */
	unsigned long long size;	/* MAIL SIZE= */
	int	 has_size;
	int	 body_8bit;		/* MAIL BODY=8BITMIME */
	int	 smtputf8;		/* MAIL SMTPUTF8 */
	char	 reply[SMTP_REPLY_MAX];	/* an error reply made to measure */
};

int	smtp_cmd_parse(const char *line, size_t len, int flags,
	    struct smtp_cmd *, const char **reply);
const char *smtp_verb_name(enum smtp_verb);
int	smtp_path_valid(const char *mailbox, size_t len, int utf8);
int	smtp_domain_valid(const char *domain, size_t len, int utf8);

#endif
