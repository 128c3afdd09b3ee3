/*
 * gunzip - inflate a gzip attachment in bounded memory (see gunzip.h).
 * SPDX-License-Identifier: ISC
 */
#include "config.h"

#include <limits.h>
#include <string.h>

#include <zlib.h>

#include "buf.h"
#include "gunzip.h"

#define GUNZIP_WBITS	(16 + MAX_WBITS)	/* gzip header and trailer */

int
gunzip_is_gzip(const void *data, size_t len)
{
	const unsigned char *p = data;

	return len >= 2 && p[0] == 0x1f && p[1] == 0x8b;
}

static int
gunzip_check(const z_stream *zs, size_t inlen, size_t outlen,
    const struct gunzip_limits *lim, struct buf *err)
{
	size_t consumed = inlen - zs->avail_in;

	if (outlen > lim->size) {
		buf_printf(err, "gzip output exceeds the limit of %zu bytes",
		    lim->size);
		return -1;
	}
	if (lim->ratio > 0 && outlen > GUNZIP_RATIO_FLOOR &&
	    outlen / (consumed ? consumed : 1) > lim->ratio) {
		buf_printf(err, "gzip ratio exceeds %lu:1 (a gzip bomb?)",
		    lim->ratio);
		return -1;
	}
	return 0;
}

/*
 * One inflate state for the process, reset for each stream: inflateInit
 * and inflateEnd would allocate and free its 40 KiB for every report.
 * Not for two threads at once (rptparse has one).
 */
static z_stream gunzip_zs;
static int gunzip_ready;

static int
gunzip_start(struct buf *err)
{
	int zr;

	if (gunzip_ready)
		zr = inflateReset(&gunzip_zs);
	else {
		memset(&gunzip_zs, 0, sizeof(gunzip_zs));
		zr = inflateInit2(&gunzip_zs, GUNZIP_WBITS);
		gunzip_ready = zr == Z_OK;
	}
	if (zr != Z_OK) {
		buf_printf(err, "gzip: cannot start: %s",
		    gunzip_zs.msg ? gunzip_zs.msg : "out of memory");
		return -1;
	}
	return 0;
}

/*
 * Room for the output at first: the size the gzip trailer gives (ISIZE,
 * RFC 1952 section 2.3.1: exact for one member under 4 GiB), but no
 * more than the output limit and GUNZIP_RATIO_FLOOR, so that a trailer
 * that lies costs no more than the work done before a bomb is refused,
 * and a short one a few more rounds.
 */
static size_t
gunzip_guess(const unsigned char *in, size_t inlen,
    const struct gunzip_limits *lim)
{
	size_t isize, max = lim->size + 1;

	if (inlen < 8)
		return GUNZIP_GUESS_MIN;
	isize = (size_t)in[inlen - 4] | (size_t)in[inlen - 3] << 8 |
	    (size_t)in[inlen - 2] << 16 | (size_t)in[inlen - 1] << 24;
	if (max > GUNZIP_RATIO_FLOOR)
		max = GUNZIP_RATIO_FLOOR;
	if (isize > max)
		isize = max;
	return isize < GUNZIP_GUESS_MIN ? GUNZIP_GUESS_MIN : isize;
}

int
gunzip(const void *in, size_t inlen, const struct gunzip_limits *lim,
    struct buf *out, struct buf *err)
{
	z_stream *zs = &gunzip_zs;
	size_t room, made, want;
	int zr;

	if (!gunzip_is_gzip(in, inlen)) {
		buf_puts(err, "not gzip data");
		return -1;
	}
	if (inlen > UINT_MAX) {
		buf_puts(err, "gzip input too large");
		return -1;
	}
	if (gunzip_start(err) < 0)
		return -1;
	zs->next_in = (Bytef *)in;
	zs->avail_in = (uInt)inlen;
	want = gunzip_guess(in, inlen, lim);
	for (;;) {
		/* Straight into out: the guess first, then a chunk a time. */
		buf_reserve(out, want);
		room = out->cap - out->len - 1;
		if (room > want)
			room = want;
		want = GUNZIP_CHUNK;
		/* One byte past the limit is enough to refuse it. */
		if (out->len <= lim->size && room > lim->size - out->len + 1)
			room = lim->size - out->len + 1;
		if (room > UINT_MAX)
			room = UINT_MAX;
		zs->next_out = (Bytef *)out->s + out->len;
		zs->avail_out = (uInt)room;
		zr = inflate(zs, Z_NO_FLUSH);
		made = room - zs->avail_out;
		out->len += made;
		out->s[out->len] = '\0';
		if (zr != Z_OK && zr != Z_STREAM_END && zr != Z_BUF_ERROR) {
			buf_printf(err, "gzip data is corrupt: %s",
			    zs->msg ? zs->msg : zError(zr));
			return -1;
		}
		if (gunzip_check(zs, inlen, out->len, lim, err) < 0)
			return -1;
		if (zr == Z_STREAM_END) {
			if (zs->avail_in == 0)
				return 0;
			/* Another member, or data that is not gzip. */
			if (!gunzip_is_gzip(zs->next_in, zs->avail_in)) {
				buf_puts(err, "data after the end of the gzip"
				    " stream");
				return -1;
			}
			if (inflateReset(zs) != Z_OK) {
				buf_puts(err, "gzip: cannot reset the stream");
				return -1;
			}
			continue;
		}
		if (zr == Z_BUF_ERROR || (zs->avail_in == 0 && zs->avail_out != 0)) {
			buf_puts(err, "gzip data is truncated");
			return -1;
		}
	}
}
