/*
 * apitoken - the API tokens of accounts: a new secret, the check of
 * one presented by a client, the hash that policy.db keeps.
 * SPDX-License-Identifier: ISC
 *
 * SYNOPSIS
 *	char *secret = apitoken_new();		"stsd_" + 43 characters
 *	apitoken_parse(s, len, hash, &err)	0: hash is its SHA-256 (hex)
 *
 * DESCRIPTION
 *	A token is APITOKEN_PREFIX followed by APITOKEN_BYTES random
 *	bytes (OpenSSL RAND_bytes) in base64url without padding (RFC 4648
 *	section 5): 48 characters that a scanner of leaked secrets can
 *	recognise by their prefix.  policyd stores only the SHA-256 of the
 *	whole text, in lower-case hexadecimal: a token is shown once, when
 *	it is made, and a stolen database yields none.  apitoken_parse()
 *	takes the text a client presented (not NUL-terminated: len bytes)
 *	and accepts only the exact form (prefix, length, alphabet, the
 *	unused low bits of the last character zero), so that one token has
 *	one spelling.
 *
 * LIMITS
 *	APITOKEN_LEN characters exactly.
 *
 * DIAGNOSTICS
 *	apitoken_parse() returns -1 with "not an API token (...)" in err;
 *	the reason never repeats the text.  apitoken_new() is fatal when
 *	no random bytes can be had.
 */
#ifndef STS_APITOKEN_H
#define STS_APITOKEN_H

#include <stddef.h>

#include "buf.h"

#define APITOKEN_PREFIX		"stsd_"
#define APITOKEN_BYTES		32	/* random bytes of a secret */
#define APITOKEN_LEN		(sizeof(APITOKEN_PREFIX) - 1 + 43)
#define APITOKEN_HASH_LEN	64	/* hex digits of its SHA-256 */

char	*apitoken_new(void);
int	apitoken_parse(const char *s, size_t len,
	    char hash[APITOKEN_HASH_LEN + 1], struct buf *err);

#endif
