/*
 * fuzz.h - what the fuzz targets share.
 * SPDX-License-Identifier: ISC
 *
 * SYNOPSIS
 *	fuzz_same(&a, &b)	1 when the two bufs hold the same bytes
 *	fuzz_said(&err)		abort unless err says why, on one line
 *
 * DESCRIPTION
 *	A target checks that what it made twice (a state file saved, read
 *	and saved again; an exposition parsed and exposed again) is the
 *	same to the byte, and aborts when it is not.
 *
 *	fuzz_said() checks the reason a parser gave for refusing its
 *	input: not empty, and with no control character (what came from
 *	the input was escaped, lib/esc.h).
 */
#ifndef STS_FUZZ_H
#define STS_FUZZ_H

#include <stdlib.h>
#include <string.h>

#include "buf.h"

static inline int
fuzz_same(const struct buf *a, const struct buf *b)
{
	return a->len == b->len &&
	    (a->len == 0 || memcmp(a->s, b->s, a->len) == 0);
}

static inline void
fuzz_said(const struct buf *err)
{
	size_t i;

	if (err->len == 0)
		abort();
	for (i = 0; i < err->len; i++)
		if ((unsigned char)err->s[i] < 0x20 ||
		    (unsigned char)err->s[i] == 0x7f)
			abort();
}

#endif
