/*
 * proctitle - the name under which a process of stsd shows in ps.
 * SPDX-License-Identifier: ISC
 *
 * SYNOPSIS
 *	proctitle_name(command)		"stsd/" and the last component
 *					of command, allocated, for the
 *					argv[0] of an exec
 *	proctitle_set(program)		this process's name (comm):
 *					"stsd/" and the last component
 *					of program
 *
 * DESCRIPTION
 *	A host that runs stsd usually runs Postfix, whose processes are
 *	named "master", "smtpd" and so on.  Every process of stsd names
 *	itself "stsd/PROG", like its syslog tag, so that "ps", "pgrep -x"
 *	and "pidof" tell the two apart: master execs each worker with
 *	argv[0] "stsd/PROG" (the COMMAND column of "ps -o args"), and each
 *	program sets its comm (the column of "ps -o comm", what
 *	"pgrep -x" matches) with prctl(PR_SET_NAME).  "stsd start" execs
 *	master with argv[0] "stsd/master".
 *
 * LIMITS
 *	The kernel keeps PROCTITLE_COMM_MAX bytes of comm; a longer name
 *	is cut there ("stsd/" leaves 10 bytes of the program name, more
 *	than any program of stsd needs).
 *
 * DIAGNOSTICS
 *	proctitle_set() logs a warning when the kernel refuses the name;
 *	the process runs on under its old one.  On systems without
 *	PR_SET_NAME it does nothing.
 */
#ifndef STS_PROCTITLE_H
#define STS_PROCTITLE_H

#define PROCTITLE_PREFIX	"stsd/"
#define PROCTITLE_COMM_MAX	15	/* TASK_COMM_LEN - 1 (Linux) */

char *proctitle_name(const char *command);
void proctitle_set(const char *program);

#endif
