/*
 * acme - the RFC 8555 protocol: account, order, challenges, finalize.
 * SPDX-License-Identifier: ISC
 *
 * SYNOPSIS
 *	struct acme_client *c = acme_client_new(&conf, key, tls);
 *	acme_issue(c, host, &chall, &result, &err)
 *	acme_client_free(c)
 *
 * DESCRIPTION
 *	acme_issue() gets one certificate for one DNS name and waits for
 *	it: it fetches the directory (once per client), registers or finds
 *	the account (newAccount with the jwk, contact and agreement to the
 *	terms; the account URL is then the kid of every request), places
 *	an order, answers each pending authorization with the challenge
 *	type of conf.challenge, published through chall->publish and
 *	withdrawn through chall->withdraw whatever the outcome, polls
 *	with the server's Retry-After (without one: after ACME_POLL_FIRST_MS,
 *	then twice as long each time up to ACME_POLL_STEP_MAX_MS), finalizes
 *	with a CSR for a new ECDSA P-256 key, and downloads the chain.  result
 *	gets the key and chain in PEM, checked to match and to name host.
 *
 *	Every request carries a fresh nonce (Replay-Nonce of the previous
 *	answer, or newNonce); a badNonce error is retried once.  Error
 *	answers are read as problem documents (RFC 7807): err then holds
 *	"TYPE: DETAIL" and result->retry_at the server's Retry-After.
 *	Redirects, unexpected content types and oversized or malformed
 *	documents are errors.
 *
 *	While acme_issue() runs, the process waits: each request is
 *	bounded by conf.timeout, each poll by conf.poll_timeout.
 *
 * LIMITS
 *	ACME_POLL_MAX seconds at most between two polls, whatever the
 *	server's Retry-After.
 */
#ifndef ACMED_ACME_H
#define ACMED_ACME_H

#include <jansson.h>
#include <openssl/evp.h>
#include <openssl/ssl.h>

#include "buf.h"
#include "fetch.h"

#define ACME_POLL_FIRST_MS	50	/* first wait without Retry-After */
#define ACME_POLL_STEP_MAX_MS	2000	/* the doubling stops here */
#define ACME_POLL_MAX		30	/* seconds: longest Retry-After kept */
#define ACME_PUBLISH_GRACE_MS	100	/* let httpd take a challenge */

struct acme_conf {
	const char *directory_url;
	char	**contact;		/* NULL-terminated, or NULL */
	const char *challenge;		/* "http-01" | "tls-alpn-01" */
	struct fetch_limits limits;
	int	 poll_timeout;		/* seconds */
};

/* Challenge publication: msg is the challenge-add/-remove request. */
struct acme_challenge_hooks {
	int	(*publish)(const json_t *msg, void *arg, struct buf *err);
	void	*arg;
};

struct acme_result {
	char	*key_pem;
	char	*chain_pem;
	long long retry_at;		/* server's Retry-After, or 0 */
	char	*problem_type;		/* of the last error, or NULL */
};

struct acme_client;

struct acme_client *acme_client_new(const struct acme_conf *, EVP_PKEY *,
	    SSL_CTX *);
void	acme_client_free(struct acme_client *);
int	acme_issue(struct acme_client *, const char *host,
	    const struct acme_challenge_hooks *, struct acme_result *,
	    struct buf *err);
void	acme_result_clear(struct acme_result *);
char	*acme_csr(EVP_PKEY *, const char *host);	/* base64url DER */
int	acme_alpn_cert(const char *host, const char *keyauth,
	    char **cert_pem, char **key_pem);

#endif
