/*
 * usage - --help, -h and --version for the operator commands.
 * SPDX-License-Identifier: ISC
 *
 * SYNOPSIS
 *	#include "usage.h"
 *
 *	while ((ch = usage_getopt(argc, argv, "+c:vh", "stsd", text,
 *	    &config_dir)) != -1)
 *		... the command's own options
 *
 *	usage_print(text, status)
 *	usage_version(program)
 *	config_dir = usage_config_dir()
 *
 * DESCRIPTION
 *	usage_long_options maps --help to 'h' and --version to
 *	USAGE_OPT_VERSION, for getopt_long(3); the commands' own options stay
 *	short.  usage_getopt() is getopt_long(3) with those and with the
 *	options every command has: -c DIR sets *config_dir, -h and --help
 *	call usage_print(text, 0), --version usage_version(program), each
 *	where it stands among the options; every other option is returned
 *	as getopt_long returns it.  usage_print() writes a
 *	usage text and exits with status: to standard output on 0 (help was
 *	asked for), to standard error otherwise (a usage error, status 2 by
 *	convention).  usage_version() prints
 *	"PROGRAM (stsd) VERSION", PACKAGE_VERSION from configure, and exits 0.
 *	usage_config_dir() is where a command looks for main.cf before
 *	-c: $STSD_CONFIG_DIR when it is set and not empty, else the
 *	configured STS_CONFIG_DIR.
 *
 * DIAGNOSTICS
 *	A write error on standard output exits 1.
 */
#ifndef STS_USAGE_H
#define STS_USAGE_H

#include <getopt.h>

#define USAGE_OPT_VERSION	0x100	/* getopt_long value of --version */
#define USAGE_EXIT_ERROR	2	/* exit status of a usage error */

extern const struct option usage_long_options[];

int	usage_getopt(int argc, char **argv, const char *optstring,
	    const char *program, const char *text, const char **config_dir);
void	usage_print(const char *text, int status) __attribute__((noreturn));
void	usage_version(const char *program) __attribute__((noreturn));
const char *usage_config_dir(void);

#endif
