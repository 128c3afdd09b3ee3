/*
 * cfgscan - the tokenizer of main.cf and master.cf, and the quoting of
 * values in messages.
 * SPDX-License-Identifier: ISC
 *
 * SYNOPSIS
 *	cfg_read_file(path, &data, &err)	a whole file, CFG_FILE_MAX
 *	cfg_scan(file, data, len, fn, ctx, &err)	one call per logical line
 *	cfg_split_line(file, line, &name, &value, &err)	"name = value"
 *	cfg_skip_line(s, len)		blank or comment
 *	cfg_valid_name(s, len)		letters, digits and "_"
 *	cfg_quote(&buf, s)		"s", escaped and cut for a message
 *
 * DESCRIPTION
 *	cfg_scan() calls fn once per logical line (continuation lines
 *	joined with one space, leading and trailing white space removed),
 *	with its first and last line numbers and the byte range of its
 *	physical lines, so that an editor can replace it in place.  fn
 *	returns 0 to go on, -1 to stop (having filled err).  A line that
 *	starts with white space continues the previous one; comment and
 *	blank lines are skipped, also inside a continued line.
 *
 *	cfg_quote() appends s in double quotes, '"' and '\' escaped with
 *	'\', other bytes outside printable ASCII as \xHH, cut at
 *	CFG_QUOTE_MAX bytes with "...".
 *
 * LIMITS
 *	CFG_FILE_MAX bytes per file, CFG_LINE_MAX bytes per logical line
 *	(cfg.h).
 *
 * DIAGNOSTICS
 *	Functions that return int return 0 or -1 and then put one line in
 *	err: "FILE:LINE: what is wrong", or "cannot open FILE: cause".
 */
#ifndef STS_CFGSCAN_H
#define STS_CFGSCAN_H

#include <stddef.h>

#include "buf.h"

struct cfg_line {
	const char *text;	/* logical line, NUL-terminated */
	size_t	 len;
	int	 first;		/* number of its first physical line */
	int	 last;		/* number of its last physical line */
	size_t	 start;		/* offset of its first physical line */
	size_t	 end;		/* offset just past its last physical line */
};
typedef int (*cfg_scan_fn)(const struct cfg_line *, void *ctx,
	    struct buf *err);

int	cfg_scan(const char *file, const char *data, size_t len,
	    cfg_scan_fn fn, void *ctx, struct buf *err);
int	cfg_split_line(const char *file, const struct cfg_line *,
	    char **name, char **value, struct buf *err);	/* xmalloc'd */
int	cfg_skip_line(const char *s, size_t len);	/* blank or comment */
int	cfg_read_file(const char *path, struct buf *data, struct buf *err);
int	cfg_valid_name(const char *s, size_t len);
void	cfg_quote(struct buf *, const char *);

#endif
