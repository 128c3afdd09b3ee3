/*
 * hash - the one string hash of the tree (FNV-1a, 32 bits), for the
 * hash tables of every program.
 * SPDX-License-Identifier: ISC
 *
 * SYNOPSIS
 *	uint32_t h = hash_bytes(p, len);
 *	uint32_t h = hash_str("mta-sts.example.com");
 *	uint32_t h = hash_bytes_nocase(p, len);	ASCII case folded
 *	bucket = h & (nbuckets - 1);	nbuckets a power of two
 *
 * DESCRIPTION
 *	Not a cryptographic hash: tables keyed by input that comes from
 *	outside bound their chains or their size (each says how).
 */
#ifndef STS_HASH_H
#define STS_HASH_H

#include <stddef.h>
#include <stdint.h>

uint32_t hash_bytes(const void *p, size_t len);
uint32_t hash_str(const char *s);
uint32_t hash_bytes_nocase(const void *p, size_t len);

#endif
