/*
 * rcpt - match a recipient against report_recipients.
 * SPDX-License-Identifier: ISC
 *
 * SYNOPSIS
 *	rcpt_match(patterns, "tlsrpt+example.com@sts.example.net")
 *
 * DESCRIPTION
 *	patterns is a NULL-terminated list of addresses (cfg_list of
 *	report_recipients).  A pattern is local@domain; a local part that
 *	ends in "+*" matches the local part before the "+" alone, or
 *	followed by "+" and any extension ("tlsrpt+*@d" matches
 *	"tlsrpt@d", "tlsrpt+@d" and "tlsrpt+example.com@d").  Domains
 *	compare without regard to case (RFC 5321 section 2.4), and so do
 *	local parts: a report address that differs only in case is still
 *	meant for us, and refusing it would lose a report.  A quoted local
 *	part compares as written, quotes included, so it matches nothing
 *	but a quoted pattern.
 *
 * LIMITS
 *	Pure; patterns that are not local@domain match nothing.
 */
#ifndef RPTRECV_RCPT_H
#define RPTRECV_RCPT_H

int	rcpt_match(char *const *patterns, const char *address);
int	rcpt_pattern_valid(const char *pattern);

#endif
