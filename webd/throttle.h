/*
 * throttle - webd's limit of sign-in attempts per account name and per
 * client address (portal_signin_limit in portal_signin_window), and of
 * sign-ups per client address (portal_signup_limit in
 * portal_signup_window).
 * SPDX-License-Identifier: ISC
 *
 * SYNOPSIS
 *	rc = throttle_hit(key, now, &retry)	counts one attempt of key
 *	rc = throttle_hit_in(key, limit, window, now, &retry)
 *	throttle_free_all()
 *
 * DESCRIPTION
 *	A key is "account:NAME" or "client:ADDRESS".  Each counts the
 *	attempts of the window that began with its first one; the
 *	attempt that would be number portal_signin_limit + 1 or more of a
 *	window is refused: throttle_hit() returns -1 and the seconds left
 *	of the window in *retry.  0: the attempt may go on (counted).
 *	With portal_signin_limit = 0 every attempt may go on.
 *	throttle_hit_in() is the same with another limit and window
 *	(a sign-up's key is "signup:ADDRESS"; limit 0: no limit).
 *
 * LIMITS
 *	THROTTLE_KEYS_MAX keys; when the table is full the keys of ended
 *	windows are dropped, and if it is still full the attempt is
 *	refused (so a flood of names cannot reset the counts of others).
 */
#ifndef STS_WEBD_THROTTLE_H
#define STS_WEBD_THROTTLE_H

#include <time.h>

#define THROTTLE_KEYS_MAX	65536	/* accounts and addresses counted */

int	throttle_hit(const char *key, time_t now, time_t *retry);
int	throttle_hit_in(const char *key, long long limit, time_t window,
	    time_t now, time_t *retry);
void	throttle_free_all(void);

#endif
