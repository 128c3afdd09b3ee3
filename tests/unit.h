/*
 * unit.h - what every unit test program shares.
 * SPDX-License-Identifier: ISC
 *
 *	CHECK(cond, fmt, ...)	prints "ok - WHAT" or "not ok - WHAT (line N)",
 *				the lines tests/run counts
 *	STR_EQ(a, b)		a is not NULL and equals b
 *	unit_status()		main's return value: 1 when a check failed
 *	UNIT_NCASES(table)	the number of entries of a table of cases
 *	unit_tmppath(dir, path, size, name)	mkdtemp(dir), then path =
 *				dir/name; a failure ends the program
 *	unit_status_rm(dir)	rm -rf dir, then main's return value: 1
 *				when a check failed or dir stays
 *	unit_unlink_db(path)	removes an SQLite file with its -wal and
 *				-shm files
 *
 * Included by one source file of each test program (the functions are
 * static).
 */
#ifndef STS_UNIT_H
#define STS_UNIT_H

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static int unit_failures;

static void unit_check(int, int, const char *, ...)
    __attribute__((format(printf, 3, 4), unused));

static void
unit_check(int ok, int line, const char *fmt, ...)
{
	va_list ap;

	fputs(ok ? "ok - " : "not ok - ", stdout);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	if (!ok) {
		printf(" (line %d)", line);
		unit_failures++;
	}
	putchar('\n');
	fflush(stdout);
}

static void unit_tmppath(char *, char *, size_t, const char *)
    __attribute__((unused));

/* dir is a template ending in XXXXXX, such as "/tmp/NAME_test.XXXXXX". */
static void
unit_tmppath(char *dir, char *path, size_t size, const char *name)
{
	if (mkdtemp(dir) == NULL) {
		printf("not ok - temporary directory %s\n", dir);
		exit(1);
	}
	snprintf(path, size, "%s/%s", dir, name);
}

static int unit_status_rm(const char *) __attribute__((unused));

static int
unit_status_rm(const char *dir)
{
	char cmd[4096];

	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	if (system(cmd) != 0)
		return 1;
	return unit_failures != 0;
}

static void unit_unlink_db(const char *) __attribute__((unused));

static void
unit_unlink_db(const char *path)
{
	static const char *const suffix[] = { "", "-wal", "-shm" };
	char p[4096];
	size_t i;

	for (i = 0; i < sizeof(suffix) / sizeof(suffix[0]); i++) {
		snprintf(p, sizeof(p), "%s%s", path, suffix[i]);
		unlink(p);
	}
}

#define CHECK(cond, ...)	unit_check(!!(cond), __LINE__, __VA_ARGS__)
#define STR_EQ(a, b)		((a) != NULL && strcmp((a), (b)) == 0)
#define unit_status()		(unit_failures != 0)
#define UNIT_NCASES(t)		(sizeof(t) / sizeof((t)[0]))

#endif
