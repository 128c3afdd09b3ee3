/*
 * fuzz.h - what the fuzz targets share.
 * SPDX-License-Identifier: ISC
 *
 * SYNOPSIS
 *	fuzz_same(&a, &b)	1 when the two bufs hold the same bytes
 *
 * DESCRIPTION
 *	A target checks that what it made twice (a state file saved, read
 *	and saved again; an exposition parsed and exposed again) is the
 *	same to the byte, and aborts when it is not.
 */
#ifndef STS_FUZZ_H
#define STS_FUZZ_H

#include <string.h>

#include "buf.h"

static inline int
fuzz_same(const struct buf *a, const struct buf *b)
{
	return a->len == b->len &&
	    (a->len == 0 || memcmp(a->s, b->s, a->len) == 0);
}

#endif
