/*
 * hosted - which hosted domain a report's policy-domain belongs to.
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
 *	wins), compared without case and without a final dot.
 *
 * LIMITS
 *	The reply is limited by ipc_message_size_limit.
 */
#ifndef RPTPARSE_HOSTED_H
#define RPTPARSE_HOSTED_H

#include <stddef.h>

#include "buf.h"

struct hosted {
	char	**domains;	/* lower case, no final dot */
	size_t	 n;
	int	 known;		/* policyd answered at least once */
};

#define HOSTED_INIT	{ NULL, 0, 0 }

int	hosted_fetch(struct hosted *, const char *path, int timeout_ms,
	    struct buf *err);
int	hosted_set(struct hosted *, const char *const *domains, size_t n);
const char *hosted_match(const struct hosted *, const char *domain);
void	hosted_clear(struct hosted *);

#endif
