/*
 * canned - httpd's fixed answers to requests it refuses, built once, and
 * the text of an error answer that says why.
 * SPDX-License-Identifier: ISC
 *
 * SYNOPSIS
 *	canned_init()			at start
 *	k = canned_find(status)		k->head, k->head_len, k->body,
 *					k->body_len
 *	blen = canned_reason(body, size, status, why)
 *	canned_free()			at exit
 *
 * DESCRIPTION
 *	canned_find() gives the answer of one of the statuses httpd sends
 *	without a reason of its own (400, 404, 405, 408, 414, 421, 431,
 *	505): its header fields ("Content-Type: ...Content-Length: N\r\n",
 *	with Allow for 405) and its body ("404 Not Found\n").
 *	canned_reason() writes the body of an error answer that says why,
 *	"STATUS REASON: why\n", into body (size bytes, size > 0), cut to
 *	fit, and returns its length.
 *
 * LIMITS
 *	None of its own.
 *
 * DIAGNOSTICS
 *	canned_find() of another status is a bug: it panics.
 */
#ifndef STS_HTTPD_CANNED_H
#define STS_HTTPD_CANNED_H

#include <stddef.h>

struct canned {
	int	 status;
	const char *extra;		/* more header fields, or "" */
	char	*head;
	size_t	 head_len;
	char	*body;
	size_t	 body_len;
};

void	canned_init(void);
const struct canned *canned_find(int status);
int	canned_reason(char *body, size_t size, int status, const char *why);
void	canned_free(void);

#endif
