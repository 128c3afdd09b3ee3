/*
 * alert_file - lib/alert's store of what was sent, kept in a file.
 * SPDX-License-Identifier: ISC
 *
 * SYNOPSIS
 *	f = alert_file_new(path, &err)		reads it, or NULL
 *	alert_file_get_cb(f, domain, kind)	the key sent last, or NULL
 *	alert_file_put_cb(f, domain, kind, key)	key NULL: forget
 *	alert_file_flush(f)			syncs what changed
 *	alert_file_free(f)			flushes, closes
 *	name = alert_file_name(domain, kind)	"DOMAIN TAB KIND", escaped
 *
 * DESCRIPTION
 *	The store behind alert_store_file() (see alert.h, which is the
 *	interface of the whole: this header is lib/alert's own).  A table
 *	(lib/htable) of "DOMAIN TAB KIND" -> key, the two fields as
 *	esc_line() writes them (so that no domain or kind can pass for
 *	another pair).  The file is a journal: "domain TAB kind TAB key"
 *	sets, "domain TAB kind" forgets, each field written by esc_line()
 *	(which writes TAB, newline and every other control character as
 *	\xHH) and read back by esc_unline(); the last line of a pair
 *	wins.  Each change is appended at once (a write(2): a process
 *	that is killed loses nothing), synced on flush and every
 *	ALERT_SAVE_INTERVAL seconds of changes, and the file is rewritten
 *	(PATH.tmp, fsync, rename) with only what is live when it holds
 *	more than twice that (and ALERT_COMPACT_MIN lines), and when it is
 *	opened with lines that are not live.
 *
 * LIMITS
 *	ALERT_STATE_LINE_MAX bytes of a line read (a longer one, or one
 *	that is not two or three fields, is dropped with a warning).
 *
 * DIAGNOSTICS
 *	alert_file_new(): -1 with "PATH: error" when the file exists and
 *	cannot be read.  Writes that fail are logged (log_warn) and the
 *	file is rewritten at the next change.
 */
#ifndef STS_ALERT_FILE_H
#define STS_ALERT_FILE_H

#include "buf.h"

#define ALERT_STATE_LINE_MAX	(4 * 3 * ALERT_FIELD_MAX + 8)
					/* bytes of one state file line */
#define ALERT_COMPACT_MIN	1024	/* journal lines before a rewrite */

struct alert_file;

struct alert_file *alert_file_new(const char *path, struct buf *err);
const char *alert_file_get_cb(void *, const char *domain, const char *kind);
void	alert_file_put_cb(void *, const char *domain, const char *kind,
	    const char *key);
void	alert_file_flush(struct alert_file *);
void	alert_file_free(struct alert_file *);
char	*alert_file_name(const char *domain, const char *kind);

#endif
