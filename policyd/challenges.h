/*
 * challenges - the ACME challenges policyd relays from acmed to httpd.
 * SPDX-License-Identifier: ISC
 *
 * SYNOPSIS
 *	struct challenges *c = challenges_new(CHALLENGES_MAX);
 *	challenges_add(c, req, now, notify, arg, &err)	0, or -1 refused
 *	challenges_remove(c, req, notify, arg, &err)	count, or -1 refused
 *	challenges_snapshot(c, cb, arg)			count sent
 *	challenges_count(c); challenges_free(c)
 *
 * DESCRIPTION
 *	A table in memory, never in policy.db: a challenge lives for the
 *	minutes of one validation, and acmed starts a new one after a
 *	restart.  Requests (private socket only, see request.h):
 *
 *	  {"op":"challenge-add","type":"http-01","host":H,"token":T,
 *	      "keyauth":K}
 *	  {"op":"challenge-add","type":"tls-alpn-01","host":H,"cert":PEM,
 *	      "key":PEM}
 *	  {"op":"challenge-remove","type":TYPE,"host":H[,"token":T]}
 *
 *	H is a DNS host name (stored in lower case, without a trailing
 *	dot); T is base64url (RFC 8555 section 8.1); K is T "." and the
 *	base64url account thumbprint; PEM a certificate or a private key
 *	in PEM.  An http-01 challenge is one per host and token, a
 *	tls-alpn-01 one per host; adding one that exists replaces it.
 *	challenge-remove without a token removes every http-01 challenge
 *	of the host; removing one that is not there is not an error.
 *
 *	challenges_add() calls notify with {"op":"challenge", type, host,
 *	token and keyauth, or cert and key}; challenges_remove() with one
 *	{"op":"challenge-remove", type, host[, token]} per removed entry.
 *	challenges_snapshot() gives cb the "challenge" message of every
 *	entry, oldest first, for a subscriber that arrives later.  The
 *	messages are borrowed for the call.
 *
 *	When the table is full, entries older than CHALLENGES_TTL (left by
 *	an acmed that stopped in the middle of a validation) are removed,
 *	with their notifications, before the new one is refused.
 *
 * LIMITS
 *	max entries (CHALLENGES_MAX in policyd); CHALLENGES_TOKEN_MAX,
 *	CHALLENGES_KEYAUTH_MAX, CHALLENGES_PEM_MAX bytes.
 */
#ifndef POLICYD_CHALLENGES_H
#define POLICYD_CHALLENGES_H

#include <stddef.h>

#include <jansson.h>

#include "buf.h"

#define CHALLENGES_MAX		10000
#define CHALLENGES_TTL		(24 * 3600)	/* seconds */
#define CHALLENGES_TOKEN_MAX	256
#define CHALLENGES_KEYAUTH_MAX	512
#define CHALLENGES_PEM_MAX	(32 * 1024)

struct challenges;

typedef void (*challenges_notify_fn)(json_t *msg, void *arg);

struct challenges *challenges_new(size_t max);
void	challenges_free(struct challenges *);
int	challenges_add(struct challenges *, const json_t *req, long long now,
	    challenges_notify_fn, void *, struct buf *err);
int	challenges_remove(struct challenges *, const json_t *req,
	    challenges_notify_fn, void *, struct buf *err);
size_t	challenges_snapshot(const struct challenges *, challenges_notify_fn,
	    void *);
size_t	challenges_count(const struct challenges *);

#endif
