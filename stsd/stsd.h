/*
 * stsd.h - what the files of the stsd command share.
 * SPDX-License-Identifier: ISC
 *
 * SYNOPSIS
 *	stsd_say("error: %s", ...)	"stsd: " + the line, on stderr
 *	stsd_usage()			the usage, exit 2
 *	stsd_read_config()		main.cf of stsd_config_dir, or said
 *	stsd_say_lines(&err)		each line of err as an error
 *	stsd_mkdirs(path, mode)		mkdir -p, or said
 *	stsd_master_pid(&pid)		1 running, 0 not, -1 cannot tell
 *
 *	stsd_init(argc, argv)		stsd init (stsdinit.c)
 *	stsd_check(fix, quiet)		stsd check (stsdcheck.c, stsdcert.c)
 *	stsd_check_config(&table)	main.cf and master.cf as master
 *					would take them
 *	stsd_start(fg)/stop/reload/status	(stsdcontrol.c)
 *
 * DESCRIPTION
 *	stsd.c holds main and the helpers above; each command is its own
 *	file.  stsd_as_owner(fn, arg) runs fn in a child that became
 *	mail_owner (when run by root), for the checks that must see what a
 *	daemon sees.  The commands return the exit status of stsd, the
 *	checks the number of problems they said.
 *
 * LIMITS
 *	STSD_SERVICES_LINE_MAX bytes per line of $queue_directory/pid/
 *	services.
 *
 * DIAGNOSTICS
 *	Every message goes to stderr through stsd_say(), naming the object
 *	and, for an error, the fix.
 */
#ifndef STSD_STSD_H
#define STSD_STSD_H

#include <sys/types.h>

#include "buf.h"
#include "mastercf.h"

#define STSD_SERVICES_FILE	"pid/services"
#define STSD_SERVICES_LINE_MAX	1024

extern const char *stsd_config_dir;
extern int stsd_verbose;

void	stsd_say(const char *fmt, ...)
	    __attribute__((format(printf, 1, 2)));
void	stsd_usage(void) __attribute__((noreturn));
int	stsd_read_config(void);
int	stsd_say_lines(const struct buf *err);
int	stsd_mkdirs(const char *path, mode_t mode);
int	stsd_master_pid(long *pid);

int	stsd_init(int argc, char **argv);
int	stsd_check(int fix, int quiet);
int	stsd_check_config(struct mastercf **table);
void	stsd_dirs_report(int problem, const char *line, void *ctx);
int	stsd_as_owner(int (*fn)(void *), void *arg);
int	stsd_check_cert_store(void);
int	stsd_check_cert_access(int load);
int	stsd_certs_migrate(void);
int	stsd_check_certs(void);
int	stsd_start(int foreground);
int	stsd_stop(void);
int	stsd_reload(void);
int	stsd_status(void);

#endif
