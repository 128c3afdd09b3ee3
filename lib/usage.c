/*
 * usage - --help, -h and --version for the operator commands.
 * SPDX-License-Identifier: ISC
 *
 * See usage.h.
 */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "usage.h"

const struct option usage_long_options[] = {
	{ "help", no_argument, NULL, 'h' },
	{ "version", no_argument, NULL, USAGE_OPT_VERSION },
	{ NULL, 0, NULL, 0 }
};

/* Help goes to stdout (it may be piped to a pager): a lost write is an error. */
static void __attribute__((noreturn))
usage_exit_stdout(void)
{
	if (fflush(stdout) != 0 || ferror(stdout)) {
		fprintf(stderr, "write error on standard output: %s\n",
		    strerror(errno));
		exit(1);
	}
	exit(0);
}

void
usage_print(const char *text, int status)
{
	if (status != 0) {
		fputs(text, stderr);
		exit(status);
	}
	fputs(text, stdout);
	usage_exit_stdout();
}

void
usage_version(const char *program)
{
	printf("%s (%s) %s\n", program, PACKAGE_NAME, PACKAGE_VERSION);
	usage_exit_stdout();
}

const char *
usage_config_dir(void)
{
	const char *dir = getenv("STSD_CONFIG_DIR");

	return dir != NULL && *dir != '\0' ? dir : STS_CONFIG_DIR;
}

int
usage_getopt(int argc, char **argv, const char *optstring,
    const char *program, const char *text, const char **config_dir)
{
	int ch;

	while ((ch = getopt_long(argc, argv, optstring, usage_long_options,
	    NULL)) == 'c')
		*config_dir = optarg;
	if (ch == 'h')
		usage_print(text, 0);
	if (ch == USAGE_OPT_VERSION)
		usage_version(program);
	return ch;
}
