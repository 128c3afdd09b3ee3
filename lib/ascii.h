/*
 * ascii - character classes of ASCII, whatever the locale.
 * SPDX-License-Identifier: ISC
 *
 * SYNOPSIS
 *	ascii_is_alpha(c)	a-z A-Z
 *	ascii_is_digit(c)	0-9
 *	ascii_is_alnum(c)	either
 *	ascii_is_hex(c)		0-9 a-f A-F
 *	ascii_hex_value(c)	the value of hexadecimal digit c, or -1
 *
 * DESCRIPTION
 *	The syntaxes of DNS names (RFC 1035 section 2.3.1), MTA-STS and
 *	TLS-RPT records (RFC 8461 section 3.1, RFC 8460 section 3) and
 *	SMTP (RFC 5321 section 4.1.2) are defined over ASCII; <ctype.h>
 *	follows the locale, which may count other bytes as letters.  c is
 *	a character value (an unsigned char, or '\0'); anything else is
 *	in no class.  Inline: parsers call these once per byte.
 *
 * LIMITS
 *	None.
 *
 * DIAGNOSTICS
 *	None.
 */
#ifndef STS_ASCII_H
#define STS_ASCII_H

static inline int
ascii_is_alpha(int c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

static inline int
ascii_is_digit(int c)
{
	return c >= '0' && c <= '9';
}

static inline int
ascii_is_alnum(int c)
{
	return ascii_is_alpha(c) || ascii_is_digit(c);
}

static inline int
ascii_is_hex(int c)
{
	return ascii_is_digit(c) || (c >= 'a' && c <= 'f') ||
	    (c >= 'A' && c <= 'F');
}

static inline int
ascii_hex_value(int c)
{
	if (ascii_is_digit(c))
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

#endif
