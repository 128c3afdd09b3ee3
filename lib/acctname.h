/*
 * acctname - what an account of a domain owner may be called and the
 * e-mail address it may give: the checks of policyd, for every client.
 * SPDX-License-Identifier: ISC
 *
 * SYNOPSIS
 *	acctname_check(name, len, &err)		0 or -1
 *	acctname_email_check(addr, len, &err)	0 or -1
 *
 * DESCRIPTION
 *	An account name is 1 to ACCTNAME_MAX characters of lower-case
 *	ASCII letters, digits, ".", "_" and "-", beginning with a letter
 *	or a digit: a name that needs no escaping in a log line, a URL
 *	path or a file name.  "operator" is reserved: it is the actor of
 *	the operator's own changes in the audit log.
 *
 *	An e-mail address is ACCTNAME_EMAIL_MIN to ACCTNAME_EMAIL_MAX
 *	printable ASCII characters without space (RFC 5321 section
 *	4.5.3.1.3 bounds a path), with one "@" that is neither first nor
 *	last and a dot in the part after it.  Nothing is sent to it by
 *	this check.
 *
 *	Both take a length, so that a string with a NUL inside (JSON
 *	allows "\u0000") is refused instead of cut.
 *
 * LIMITS
 *	ACCTNAME_MAX, ACCTNAME_EMAIL_MAX; ACCTNAME_PASSWORD_MAX bytes of a
 *	password (policyd's rule, stsctl's read of a password file).
 *
 * DIAGNOSTICS
 *	-1 with one line in err that quotes the input escaped (lib/esc),
 *	cut to ACCTNAME_QUOTE_MAX characters.
 */
#ifndef STS_ACCTNAME_H
#define STS_ACCTNAME_H

#include <stddef.h>

#include "buf.h"

#define ACCTNAME_MAX		64	/* characters of an account name */
#define ACCTNAME_EMAIL_MIN	6	/* a@b.cd */
#define ACCTNAME_EMAIL_MAX	254	/* RFC 5321 path, without <> */
#define ACCTNAME_QUOTE_MAX	80	/* of the input quoted in an error */
#define ACCTNAME_PASSWORD_MAX	1024	/* bytes of a password */
#define ACCTNAME_OPERATOR	"operator"	/* the actor of the operator */

int	acctname_check(const char *name, size_t len, struct buf *err);
int	acctname_email_check(const char *addr, size_t len, struct buf *err);

#endif
