/*
 * websession - webd's sign-in sessions, in memory: random ids, expiry,
 * a CSRF token each, a bounded count.
 * SPDX-License-Identifier: ISC
 *
 * SYNOPSIS
 *	s = session_new(account, now)	account NULL: a visitor not
 *					signed in yet (the sign-in form)
 *	s = session_find(id, now)	NULL: unknown or expired
 *	session_end(s)
 *	session_csrf_ok(s, token)
 *	session_count()
 *	session_free_all()
 *
 * DESCRIPTION
 *	A session id and its CSRF token are SESSION_BYTES random bytes
 *	each (RAND_bytes), in hexadecimal.  Sessions live only in webd's
 *	memory: a restart of webd signs everybody out.  Signing in makes
 *	a new session (and id); the visitor's session is ended, so that an
 *	id known before the sign-in is worth nothing after it.  A session
 *	of an account lasts portal_session_time from the sign-in, one of a
 *	visitor portal_anonymous_time from its start.
 *
 * LIMITS
 *	portal_sessions_max sessions.  When the table is full, expired
 *	ones are dropped, then the oldest visitor's; when none is left
 *	session_new() returns NULL.
 */
#ifndef STS_WEBD_WEBSESSION_H
#define STS_WEBD_WEBSESSION_H

#include <time.h>

#include "acctname.h"

#define SESSION_BYTES		32	/* random bytes of an id or token */
#define SESSION_HEX		(2 * SESSION_BYTES)

struct session {
	char	 id[SESSION_HEX + 1];
	char	 csrf[SESSION_HEX + 1];
	char	 account[ACCTNAME_MAX + 1];	/* "": not signed in */
	time_t	 created;
	time_t	 expires;
};

struct session *session_new(const char *account, time_t now);
struct session *session_find(const char *id, time_t now);
void	session_end(struct session *);
int	session_csrf_ok(const struct session *, const char *token);
size_t	session_count(void);
void	session_free_all(void);

#endif
