/*
 * apitoken - API token secrets and their hashes; see apitoken.h.
 * SPDX-License-Identifier: ISC
 */
#include "config.h"

#include <string.h>

#include <openssl/evp.h>
#include <openssl/rand.h>

#include "apitoken.h"
#include "buf.h"
#include "log.h"
#include "mymalloc.h"

static const char apitoken_b64[] =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

/* The value of a base64url character, or -1. */
static int
apitoken_b64_value(unsigned char c)
{
	const char *p;

	if (c == '\0' || (p = strchr(apitoken_b64, c)) == NULL)
		return -1;
	return (int)(p - apitoken_b64);
}

char *
apitoken_new(void)
{
	unsigned char raw[APITOKEN_BYTES];
	char *t = xmalloc(APITOKEN_LEN + 1), *o;
	unsigned long acc = 0;
	size_t i;
	int bits = 0;

	if (RAND_bytes(raw, sizeof(raw)) != 1)
		log_fatal("cannot get random bytes for an API token");
	memcpy(t, APITOKEN_PREFIX, sizeof(APITOKEN_PREFIX) - 1);
	o = t + sizeof(APITOKEN_PREFIX) - 1;
	for (i = 0; i < sizeof(raw); i++) {
		acc = (acc << 8) | raw[i];
		for (bits += 8; bits >= 6; bits -= 6)
			*o++ = apitoken_b64[(acc >> (bits - 6)) & 0x3f];
	}
	if (bits > 0)
		*o++ = apitoken_b64[(acc << (6 - bits)) & 0x3f];
	*o = '\0';
	OPENSSL_cleanse(raw, sizeof(raw));
	return t;
}

static void
apitoken_hash(const char *s, size_t len, char hash[APITOKEN_HASH_LEN + 1])
{
	static const char hex[] = "0123456789abcdef";
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned int mdlen = 0, i;

	if (EVP_Digest(s, len, md, &mdlen, EVP_sha256(), NULL) != 1 ||
	    mdlen * 2 != APITOKEN_HASH_LEN)
		log_panic("apitoken: SHA-256 failed");
	for (i = 0; i < mdlen; i++) {
		hash[2 * i] = hex[md[i] >> 4];
		hash[2 * i + 1] = hex[md[i] & 0x0f];
	}
	hash[APITOKEN_HASH_LEN] = '\0';
}

int
apitoken_parse(const char *s, size_t len, char hash[APITOKEN_HASH_LEN + 1],
    struct buf *err)
{
	size_t plen = sizeof(APITOKEN_PREFIX) - 1, i;
	int v = 0;

	if (len != APITOKEN_LEN) {
		buf_printf(err, "not an API token (%zu characters, not %zu)",
		    len, (size_t)APITOKEN_LEN);
		return -1;
	}
	if (memcmp(s, APITOKEN_PREFIX, plen) != 0) {
		buf_puts(err, "not an API token (no " APITOKEN_PREFIX
		    " prefix)");
		return -1;
	}
	for (i = plen; i < len; i++)
		if ((v = apitoken_b64_value((unsigned char)s[i])) < 0) {
			buf_printf(err, "not an API token (character %zu is"
			    " not base64url)", i + 1);
			return -1;
		}
	/* 32 bytes are 256 bits: the last of 43 characters holds 4. */
	if ((v & 0x03) != 0) {
		buf_puts(err, "not an API token (not a canonical encoding)");
		return -1;
	}
	apitoken_hash(s, len, hash);
	return 0;
}
