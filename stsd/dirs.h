/*
 * dirs - the directories of an instance, their owners and modes.
 * SPDX-License-Identifier: ISC
 *
 * SYNOPSIS
 *	dirs_table[]			one entry per directory
 *	dirs_path(entry)		its path, from main.cf (xmalloc'd)
 *	dirs_check(fix, report, ctx)	create, check and fix them
 *
 * DESCRIPTION
 *	The one table of the directories that an instance needs under
 *	data_directory and queue_directory, with their owner and mode.
 *	stsd check and stsd init use it, and so can packaging.
 *
 *	dirs_check() walks the table in order (a parent before its
 *	children) with the paths of the main.cf read last (cfg).  It
 *	creates every directory that is missing (the two top directories
 *	with their missing parents, mode 0755), with the owner and mode
 *	of the table.  For one that exists with another owner or mode it
 *	reports a problem, or, when fix is set, changes it and reports
 *	the change.  Run by root, the owner is root or mail_owner and the
 *	group of queue/public is setgid_group; mail_owner and
 *	setgid_group must exist.  Run by another user, every directory
 *	belongs to that user and only modes are checked.
 *
 *	report() is called once per line: problem 1 for something wrong
 *	that is still wrong (the line says how to fix it), 0 for a change
 *	made.
 *
 * LIMITS
 *	Paths longer than PATH_MAX are errors.
 *
 * DIAGNOSTICS
 *	dirs_check() returns the number of problems left (0: all good).
 *	Lines name the path and the cause: "/x/spool/private: mode 0755,
 *	expected 0700 (fix: chmod 0700 /x/spool/private)".
 */
#ifndef STS_DIRS_H
#define STS_DIRS_H

#include <sys/types.h>

enum dirs_owner {
	DIRS_ROOT,		/* root, or the user who runs the command */
	DIRS_MAIL_OWNER,	/* mail_owner, or the user who runs the command */
};

enum dirs_group {
	DIRS_GROUP_OWNER,	/* the owner's primary group */
	DIRS_GROUP_SETGID,	/* setgid_group */
};

struct dirs_entry {
	const char *param;	/* "data_directory" or "queue_directory" */
	const char *sub;	/* NULL: the directory itself; or "certs" */
	mode_t	 mode;
	enum dirs_owner owner;
	enum dirs_group group;
};

extern const struct dirs_entry dirs_table[];	/* ends with param == NULL */

typedef void (*dirs_report_fn)(int problem, const char *line, void *ctx);

char	*dirs_path(const struct dirs_entry *);
int	dirs_check(int fix, dirs_report_fn, void *ctx);

#endif
