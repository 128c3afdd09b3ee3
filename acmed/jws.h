/*
 * jws - the ACME account key, JWK thumbprints and ES256 JWS (RFC 7515,
 * 7517, 7638, 8555 section 6.2).
 * SPDX-License-Identifier: ISC
 *
 * SYNOPSIS
 *	key = jws_key_load(path, create, &err)	the account key
 *	key = jws_key_new()			a fresh ECDSA P-256 key
 *	pem = jws_key_pem(key)			PKCS#8 PEM, xmalloc'd
 *	jwk = jws_jwk(key)			{"crv","kty","x","y"}
 *	tp = jws_thumbprint(key)		base64url SHA-256 of the JWK
 *	body = jws_sign(key, kid, nonce, url, payload, &err)
 *	s = jws_b64url(data, len)		unpadded base64url
 *
 * DESCRIPTION
 *	jws_key_load() reads an ECDSA P-256 private key in PEM.  When the
 *	file does not exist and create is set, it makes one and writes it
 *	with mode 0600 (O_EXCL, fsync, then the directory): it is never
 *	rewritten.  A file that exists but cannot be read, is not PEM, or
 *	is not a P-256 key is an error: a new account is never made in
 *	its place.
 *
 *	jws_sign() makes the flattened JSON serialisation of a JWS with
 *	alg ES256, the nonce and url in the protected header, and either
 *	kid (when not NULL) or the public jwk.  payload NULL signs the
 *	empty payload of a POST-as-GET.
 *
 * LIMITS
 *	JWS_KEY_FILE_MAX bytes of key file.
 */
#ifndef ACMED_JWS_H
#define ACMED_JWS_H

#include <stddef.h>
#include <jansson.h>
#include <openssl/evp.h>

#include "buf.h"

#define JWS_KEY_FILE_MAX	(64 * 1024)

EVP_PKEY *jws_key_load(const char *path, int create, struct buf *err);
EVP_PKEY *jws_key_new(void);
char	*jws_key_pem(EVP_PKEY *);
json_t	*jws_jwk(EVP_PKEY *);
char	*jws_thumbprint(EVP_PKEY *);
char	*jws_sign(EVP_PKEY *, const char *kid, const char *nonce,
	    const char *url, const char *payload, struct buf *err);
char	*jws_b64url(const unsigned char *, size_t);

#endif
