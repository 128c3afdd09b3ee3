/*
 * hosted - which hosted domain a report's policy-domain belongs to.
 * SPDX-License-Identifier: ISC
 *
 * SYNOPSIS
 *	struct hosted h = HOSTED_INIT;
 *	hosted_fetch(&h, policyd_path, timeout_ms, &err)	ask policyd
 *	hosted_match(&h, "mail.example.com")	"example.com", or NULL
 *	hosted_clear(&h)
 *
 * DESCRIPTION
 *	The hosted domains are policyd's: hosted_fetch() asks it for them
 *	({"op":"domain-list"} on its private socket) and replaces the
 *	list only when the answer came; h.known says that some answer
 *	did.  A policy-domain belongs to a hosted domain when it is that
 *	domain or a subdomain of it (the longest such hosted domain
 *	wins), compared without case (ASCII) and without a final dot.
 *	hosted_fetch() follows the pages of "domain-list" (lib/policyc).
 *	The list is kept sorted, so that hosted_match() is a binary
 *	search for the name and each of its parents: cheap with 100,000
 *	hosted domains.  Its result points into the list: valid until the
 *	next hosted_fetch(), hosted_set() or hosted_clear().  h.generation
 *	changes whenever the list does (not when policyd answers the same
 *	list again), so that what was derived from it can be redone.
 *
 * LIMITS
 *	Each reply page is limited by ipc_message_size_limit; pages:
 *	DOMLIST_PAGES_MAX.  Names up to HOSTED_NAME_MAX bytes are matched
 *	without an allocation.
 */
#ifndef RPTPARSE_HOSTED_H
#define RPTPARSE_HOSTED_H

#include <stddef.h>

#include "buf.h"

#define HOSTED_NAME_MAX	255	/* bytes of a DNS name */

struct hosted {
	char	**domains;	/* sorted, lower case, no final dot, unique */
	size_t	 n;
	int	 known;		/* policyd answered at least once */
	unsigned long generation;	/* changes when the list does */
};

#define HOSTED_INIT	{ NULL, 0, 0, 0 }

int	hosted_fetch(struct hosted *, const char *path, int timeout_ms,
	    struct buf *err);
int	hosted_set(struct hosted *, const char *const *domains, size_t n);
const char *hosted_match(const struct hosted *, const char *domain);
void	hosted_clear(struct hosted *);

#endif
