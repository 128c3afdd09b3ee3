/*
 * scopecache - what policyd said of an API token and of an account, kept
 * for SCOPECACHE_MS, so that a burst of requests of one account costs
 * policyd one token-auth and one account-show a second, not each.
 * SPDX-License-Identifier: ISC
 *
 * SYNOPSIS
 *	account = scopecache_token(token, now_ms, &read_only)	or NULL
 *	scopecache_token_put(token, account, read_only, now_ms)
 *	names = scopecache_account(account, now_ms)	or NULL (borrowed)
 *	scopecache_account_put(account, names, now_ms)	(names taken)
 *	scopecache_forget(account)	the account's answers dropped
 *	scopecache_now_ms()		the monotonic clock, in ms
 *	scopecache_free()
 *
 * DESCRIPTION
 *	Only answers that let a request through are kept: a token that
 *	token-auth accepted (under its SHA-256, not the token) with its
 *	access (read-only or not: &read_only may be NULL), and the
 *	domain names of an account that account-show found enabled.  A
 *	refusal is asked of policyd every time.  So a revoked token, a
 *	disabled account or a domain taken from an account counts at
 *	most SCOPECACHE_MS after policyd has it (stsd-webd(8)), and at
 *	once when the change came through webd: scope.c calls
 *	scopecache_forget() for the account of every request to policyd
 *	that changes something (a domain added or removed, a token
 *	revoked), so that the owner's next page shows it.
 *
 * LIMITS
 *	SCOPECACHE_SLOTS tokens and as many accounts; a new one takes
 *	the slot that expires first.
 */
#ifndef STS_WEBD_SCOPECACHE_H
#define STS_WEBD_SCOPECACHE_H

#include <stdint.h>

#include <jansson.h>

#define SCOPECACHE_MS		1000	/* how long an answer is kept */
#define SCOPECACHE_SLOTS	64	/* tokens, and accounts, kept */

const char *scopecache_token(const char *token, int64_t now_ms,
	    int *read_only);
void	scopecache_token_put(const char *token, const char *account,
	    int read_only, int64_t now_ms);
json_t	*scopecache_account(const char *account, int64_t now_ms);
void	scopecache_account_put(const char *account, json_t *names,
	    int64_t now_ms);
void	scopecache_forget(const char *account);
int64_t	scopecache_now_ms(void);
void	scopecache_free(void);

#endif
