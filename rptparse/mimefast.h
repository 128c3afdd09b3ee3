/*
 * mimefast - the common shape of a report mail, read without GMime.
 * SPDX-License-Identifier: ISC
 *
 * SYNOPSIS
 *	struct mimefast mf;
 *
 *	if (mimefast_parse(data, len, &mf) == 0)
 *		mf.from (when mf.has_from), mf.parts[i].type, .sub, .name
 *		(when .has_name), .body, .len, .base64
 *	else
 *		... GMime reads the message (message.c)
 *	mimefast_base64(part.body, part.len, &out)	0, or -1: not plain
 *
 * DESCRIPTION
 *	Almost every report mail is a multipart/report of a few leaf
 *	parts, one of them the report in base64.  GMime builds an object
 *	tree for it that costs more than the rest of rptparse's parsing;
 *	mimefast_parse() reads that shape directly, and refuses (-1)
 *	anything it cannot read exactly as GMime does: more than one
 *	level of multipart, message/rfc822 parts, RFC 2047 or RFC 2231
 *	parameters, folded or escaped quoted strings, duplicate fields,
 *	upper case media types (GMime keeps their case), mixed line ends
 *	(CR LF and LF in one message) or a lone CR, a From that is
 *	not one plain mailbox, a missing MIME-Version or closing
 *	delimiter, delimiter-like lines that are not delimiters, and more.
 *	The caller then hands the message to GMime, so a refusal changes
 *	nothing but the time taken.
 *
 *	mf.from is the address of the mailbox in From: (what
 *	internet_address_mailbox_get_addr() gives); parts come in the
 *	order of the message, with their media type and subtype, their
 *	name (Content-Disposition filename, else Content-Type name, as
 *	g_mime_part_get_filename() gives) and their body as it stands in
 *	data (without the line end before the next delimiter), still
 *	encoded when .base64.
 *
 *	mimefast_base64() decodes a body made only of base64 characters
 *	and line ends, padded right, appending to out; -1 (out unchanged
 *	but for its capacity) for any other body, which GMime decodes
 *	with its own rules.
 *
 * LIMITS
 *	MIMEFAST_PARTS_MAX parts; media types and boundaries of
 *	MIMEFAST_TOKEN_MAX bytes, names and addresses of MIMEFAST_NAME_MAX;
 *	header fields that are read, MIMEFAST_HEADER_MAX bytes unfolded.
 *	Beyond any of them: -1.  Touches nothing but memory.
 */
#ifndef RPTPARSE_MIMEFAST_H
#define RPTPARSE_MIMEFAST_H

#include <stddef.h>

#include "buf.h"

#define MIMEFAST_PARTS_MAX	16
#define MIMEFAST_TOKEN_MAX	64
#define MIMEFAST_NAME_MAX	255
#define MIMEFAST_HEADER_MAX	2048

struct mimefast_part {
	char	 type[MIMEFAST_TOKEN_MAX + 1];
	char	 sub[MIMEFAST_TOKEN_MAX + 1];
	char	 name[MIMEFAST_NAME_MAX + 1];
	int	 has_name;
	const char *body;
	size_t	 len;
	int	 base64;
};

/* The header fields a message or a part is read for. */
struct mimefast_headers {
	char	 type[MIMEFAST_HEADER_MAX];	/* Content-Type, unfolded */
	char	 disp[MIMEFAST_HEADER_MAX];	/* Content-Disposition */
	char	 cte[MIMEFAST_HEADER_MAX];	/* Content-Transfer-Encoding */
	char	 from[MIMEFAST_HEADER_MAX];
	int	 ntype, ndisp, ncte, nfrom, nversion;
};

struct mimefast {
	char	 from[MIMEFAST_NAME_MAX + 1];
	int	 has_from;
	struct mimefast_part parts[MIMEFAST_PARTS_MAX];
	size_t	 nparts;
	struct mimefast_headers scratch;	/* mimefast_parse's own */
};

int	mimefast_parse(const char *data, size_t len, struct mimefast *);
int	mimefast_base64(const char *body, size_t len, struct buf *out);

#endif
