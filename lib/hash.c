/*
 * hash - FNV-1a over bytes (see hash.h).
 * SPDX-License-Identifier: ISC
 */
#include "config.h"

#include <ctype.h>

#include "hash.h"

#define HASH_BASIS	2166136261u
#define HASH_PRIME	16777619u

uint32_t
hash_bytes(const void *p, size_t len)
{
	const unsigned char *s = p;
	uint32_t h = HASH_BASIS;

	while (len-- > 0)
		h = (h ^ *s++) * HASH_PRIME;
	return h;
}

uint32_t
hash_str(const char *s)
{
	uint32_t h = HASH_BASIS;

	for (; *s; s++)
		h = (h ^ (unsigned char)*s) * HASH_PRIME;
	return h;
}

uint32_t
hash_bytes_nocase(const void *p, size_t len)
{
	const unsigned char *s = p;
	uint32_t h = HASH_BASIS;

	while (len-- > 0)
		h = (h ^ (unsigned char)tolower(*s++)) * HASH_PRIME;
	return h;
}
