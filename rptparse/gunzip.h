/*
 * gunzip - inflate a gzip attachment in bounded memory.
 * SPDX-License-Identifier: ISC
 *
 * SYNOPSIS
 *	struct gunzip_limits lim = { 20 << 20, 200 };
 *	if (gunzip(in, inlen, &lim, &out, &err) < 0)
 *		... err: "gzip output exceeds the limit of 20971520 bytes"
 *
 * DESCRIPTION
 *	gunzip() inflates one gzip file (RFC 1952; several members one
 *	after the other are one file, as gzip(1) reads them) into out,
 *	streaming, so that what it holds is never more than the output
 *	limit plus one chunk.  It stops with an error as soon as the
 *	output passes lim->size bytes, or, once the output passes
 *	GUNZIP_RATIO_FLOOR bytes, as soon as the output is more than
 *	lim->ratio times the input consumed so far (a gzip bomb is
 *	refused after about GUNZIP_RATIO_FLOOR bytes of work, whatever it
 *	would inflate to).  Touches nothing but memory.
 *
 * DIAGNOSTICS
 *	0, or -1 with one line in err: "not gzip data", "gzip data is
 *	truncated", "gzip data is corrupt: invalid distance too far back",
 *	"gzip output exceeds the limit of N bytes", "gzip ratio exceeds
 *	N:1 (a gzip bomb?)", "data after the end of the gzip stream".
 */
#ifndef RPTPARSE_GUNZIP_H
#define RPTPARSE_GUNZIP_H

#include <stddef.h>

#include "buf.h"

#define GUNZIP_CHUNK		(64 * 1024)
#define GUNZIP_RATIO_FLOOR	(1024 * 1024)
#define GUNZIP_GUESS_MIN	256	/* bytes of room at first, at least */

struct gunzip_limits {
	size_t	 size;		/* bytes of output */
	unsigned long ratio;	/* output / input; 0: no limit */
};

int	gunzip_is_gzip(const void *data, size_t len);
int	gunzip(const void *in, size_t inlen, const struct gunzip_limits *,
	    struct buf *out, struct buf *err);

#endif
