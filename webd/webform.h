/*
 * webform - webd's parsers of what a browser sends: form fields
 * (application/x-www-form-urlencoded), cookies, a bearer token.
 * SPDX-License-Identifier: ISC
 *
 * SYNOPSIS
 *	n = webform_field(body, len, name, out, size)
 *	n = webform_cookie(value, len, name, out, size)
 *	n = webform_bearer(value, len, out, size)
 *	n = webform_preamble(data, len, client, size)
 *	n = webform_word(text, len, &pos, out, size)
 *	rc = webform_subpath(path, len, prefix, name, size, &rest)
 *
 * DESCRIPTION
 *	Pure functions: no I/O, nothing allocated.  webform_field() finds
 *	the first field called name in a form body ("a=1&b=x%20y", "+"
 *	is a space) and writes its value, percent-decoded, to out
 *	(NUL-terminated).  webform_cookie() finds the cookie called name
 *	in the value of a Cookie field ("a=1; b=2", RFC 6265 section
 *	4.2.1) and copies its value as it is.  webform_bearer() takes the
 *	token of an Authorization field "Bearer TOKEN" (the scheme in any
 *	case, RFC 6750 section 2.1).  webform_preamble() reads the line
 *	httpd sends before each request (lib/proto.h: PROTO_PORTAL_PREAMBLE,
 *	the client's address, CRLF) and copies the address to client.
 *	webform_word() copies the next word of text (words are separated
 *	by spaces: the MX patterns of a form field) from *pos to out and
 *	moves *pos past it.  webform_subpath() splits a path PREFIX NAME
 *	or PREFIX NAME /REST: NAME (no "/", not empty) to name, and *rest
 *	to the offset of what follows it (len when nothing does).
 *
 * LIMITS
 *	size bytes of out, NUL included; WEBFORM_FIELDS_MAX fields of a
 *	body and cookies of a field are looked at.
 *
 * DIAGNOSTICS
 *	The length of the value, WEBFORM_ABSENT, WEBFORM_TOO_LONG (it
 *	does not fit in out), WEBFORM_BAD (a bad %XX escape, or a decoded
 *	control character: C0, DEL, or a NUL).  webform_preamble():
 *	the length of the line (CRLF included), 0 when it is not complete
 *	yet, WEBFORM_BAD when it is not one (the connection is not from
 *	httpd).  webform_word(): WEBFORM_ABSENT after the last word.
 *	webform_subpath(): 0, or -1 when path is not one (another prefix,
 *	an empty NAME, one with a control character or a space, or one
 *	that does not fit in name).
 */
#ifndef STS_WEBD_WEBFORM_H
#define STS_WEBD_WEBFORM_H

#include <stddef.h>

#define WEBFORM_FIELDS_MAX	256	/* fields or cookies looked at */

#define WEBFORM_ABSENT		(-1)
#define WEBFORM_TOO_LONG	(-2)
#define WEBFORM_BAD		(-3)

int	webform_field(const char *body, size_t len, const char *name,
	    char *out, size_t size);
int	webform_cookie(const char *value, size_t len, const char *name,
	    char *out, size_t size);
int	webform_bearer(const char *value, size_t len, char *out, size_t size);
int	webform_preamble(const char *data, size_t len, char *client,
	    size_t size);
int	webform_word(const char *text, size_t len, size_t *pos, char *out,
	    size_t size);
int	webform_subpath(const char *path, size_t len, const char *prefix,
	    char *name, size_t size, size_t *rest);

#endif
