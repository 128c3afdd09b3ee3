/*
 * gunzip - inflate a gzip attachment in bounded memory (see gunzip.h).
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

int
gunzip(const void *in, size_t inlen, const struct gunzip_limits *lim,
    struct buf *out, struct buf *err)
{
	unsigned char chunk[GUNZIP_CHUNK];
	z_stream zs;
	int zr, rc = -1;

	if (!gunzip_is_gzip(in, inlen)) {
		buf_puts(err, "not gzip data");
		return -1;
	}
	if (inlen > UINT_MAX) {
		buf_puts(err, "gzip input too large");
		return -1;
	}
	memset(&zs, 0, sizeof(zs));
	if (inflateInit2(&zs, GUNZIP_WBITS) != Z_OK) {
		buf_printf(err, "gzip: cannot start: %s",
		    zs.msg ? zs.msg : "out of memory");
		return -1;
	}
	zs.next_in = (Bytef *)in;
	zs.avail_in = (uInt)inlen;
	for (;;) {
		zs.next_out = chunk;
		zs.avail_out = sizeof(chunk);
		zr = inflate(&zs, Z_NO_FLUSH);
		if (zr != Z_OK && zr != Z_STREAM_END && zr != Z_BUF_ERROR) {
			buf_printf(err, "gzip data is corrupt: %s",
			    zs.msg ? zs.msg : zError(zr));
			goto out;
		}
		buf_append(out, chunk, sizeof(chunk) - zs.avail_out);
		if (gunzip_check(&zs, inlen, out->len, lim, err) < 0)
			goto out;
		if (zr == Z_STREAM_END) {
			if (zs.avail_in == 0)
				break;
			/* Another member, or data that is not gzip. */
			if (!gunzip_is_gzip(zs.next_in, zs.avail_in)) {
				buf_puts(err, "data after the end of the gzip"
				    " stream");
				goto out;
			}
			if (inflateReset(&zs) != Z_OK) {
				buf_puts(err, "gzip: cannot reset the stream");
				goto out;
			}
			continue;
		}
		if (zr == Z_BUF_ERROR || (zs.avail_in == 0 && zs.avail_out != 0)) {
			buf_puts(err, "gzip data is truncated");
			goto out;
		}
	}
	rc = 0;
out:
	inflateEnd(&zs);
	return rc;
}
