/*
 * buf - a growable byte string (Postfix vstring(3), much smaller).
 * SPDX-License-Identifier: ISC
 *
 * b->s is always NUL-terminated; b->len excludes the NUL.  Growth is
 * unbounded here: callers that read untrusted input check their own
 * limit before appending.
 *
 * buf_read(b, fd, max) appends what one read(2) of at most max bytes
 * gives (again after EINTR) and returns what read(2) returned: the
 * caller's loop decides on end of file, errors and its own limit.
 */
#ifndef STS_BUF_H
#define STS_BUF_H

#include <stddef.h>
#include <sys/types.h>

struct buf {
	char	*s;
	size_t	 len;
	size_t	 cap;
};

#define BUF_INIT	{ NULL, 0, 0 }

void	buf_reserve(struct buf *, size_t extra);
void	buf_append(struct buf *, const void *, size_t);
void	buf_puts(struct buf *, const char *);
void	buf_putc(struct buf *, int);
void	buf_printf(struct buf *, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void	buf_reset(struct buf *);
ssize_t	buf_read(struct buf *, int fd, size_t max);
char	*buf_steal(struct buf *);	/* returns s (never NULL), empties b */
void	buf_free(struct buf *);

#endif
