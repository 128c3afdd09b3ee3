/*
 * acmemsg - parse the JSON documents of an ACME server (RFC 8555
 * section 7.1): directory, order, authorization, problem.
 * SPDX-License-Identifier: ISC
 *
 * SYNOPSIS
 *	acmemsg_directory(text, len, &dir, &err)
 *	acmemsg_order(text, len, &order, &err)
 *	acmemsg_authz(text, len, &authz, &err)
 *	acmemsg_problem(text, len, &prob)	0, or -1: not a problem document
 *	acmemsg_*_clear(&x)
 *
 * DESCRIPTION
 *	Pure functions on untrusted bytes: no I/O.  Each checks that the
 *	text is one JSON object (duplicate keys refused) with the members
 *	the protocol needs, of the right types; URLs must be https:// (or
 *	http:// to a loopback host, never used by a real CA but accepted
 *	so that a test CA may be used).  On error the structure is left
 *	cleared and err says which member is wrong.
 *
 * LIMITS
 *	ACMEMSG_TEXT_MAX bytes of document, ACMEMSG_AUTHZ_MAX authorizations
 *	per order, ACMEMSG_CHALL_MAX challenges per authorization,
 *	ACMEMSG_STRING_MAX bytes of any string kept.
 */
#ifndef ACMED_ACMEMSG_H
#define ACMED_ACMEMSG_H

#include <stddef.h>

#include "buf.h"

#define ACMEMSG_TEXT_MAX	(256 * 1024)
#define ACMEMSG_AUTHZ_MAX	100
#define ACMEMSG_CHALL_MAX	16
#define ACMEMSG_STRING_MAX	4096

struct acme_directory {
	char	*new_nonce;
	char	*new_account;
	char	*new_order;
	char	*renewal_info;		/* ARI, or NULL */
	char	*terms;			/* meta.termsOfService, or NULL */
};

struct acme_order {
	char	*status;		/* pending ready processing valid invalid */
	char	*finalize;
	char	*certificate;		/* or NULL */
	char	**authz;		/* NULL-terminated */
	size_t	 nauthz;
};

struct acme_challenge {
	char	*type;
	char	*url;
	char	*token;			/* base64url only, or NULL */
	char	*status;
	char	*error;			/* "type: detail" of a failure, or NULL */
};

struct acme_authz {
	char	*status;
	char	*identifier;		/* the dns value */
	int	 wildcard;
	struct acme_challenge chall[ACMEMSG_CHALL_MAX];
	size_t	 nchall;
};

struct acme_problem {
	char	*type;			/* "urn:ietf:params:acme:error:..." */
	char	*detail;		/* or NULL */
	int	 status;		/* 0 when absent */
};

int	acmemsg_directory(const char *, size_t, struct acme_directory *,
	    struct buf *err);
int	acmemsg_order(const char *, size_t, struct acme_order *, struct buf *);
int	acmemsg_authz(const char *, size_t, struct acme_authz *, struct buf *);
int	acmemsg_problem(const char *, size_t, struct acme_problem *);
void	acmemsg_directory_clear(struct acme_directory *);
void	acmemsg_order_clear(struct acme_order *);
void	acmemsg_authz_clear(struct acme_authz *);
void	acmemsg_problem_clear(struct acme_problem *);
const struct acme_challenge *acmemsg_authz_find(const struct acme_authz *,
	    const char *type);
int	acmemsg_url_ok(const char *);
int	acmemsg_token_ok(const char *);

#endif
