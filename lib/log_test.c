/*
 * log_test - lib/log: whatever a caller passes, each message is one
 * line of the maillog_file with the prefix, control characters written
 * as "?", and a message longer than a line cut but still ended.
 * SPDX-License-Identifier: ISC
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "buf.h"
#include "log.h"
#include "unit.h"

#define TEST_LONG	5000	/* bytes: beyond LOG_LINE_MAX */

/* The lines of path, into lines[]; their number. */
static int
test_lines(const char *path, char lines[][8192], int max)
{
	FILE *f = fopen(path, "r");
	int n = 0;

	if (f == NULL)
		return -1;
	while (n < max && fgets(lines[n], sizeof(lines[n]), f) != NULL)
		n++;
	fclose(f);
	return n;
}

int
main(void)
{
	static char lines[4][8192];
	char path[] = "/tmp/log_test.XXXXXX", *big;
	int fd, n;

	if ((fd = mkstemp(path)) < 0) {
		CHECK(0, "temporary file");
		return unit_status();
	}
	close(fd);
	log_init("log_test", 0);
	CHECK(log_open_file(path) == 0, "maillog_file opened");
	log_info("org %s id %s", "Evil\nstsd/rptparse[1]: forged", "a\r\x1b[2J\x7f\tb");
	big = malloc(TEST_LONG + 1);
	memset(big, 'x', TEST_LONG);
	big[TEST_LONG] = '\0';
	log_warn("long %s", big);
	log_info("after");
	n = test_lines(path, lines, 4);
	CHECK(n == 3, "three messages, three lines (%d)", n);
	CHECK(n >= 1 && strstr(lines[0], "stsd/log_test[") != NULL &&
	    strstr(lines[0], "]: org Evil?stsd/rptparse[1]: forged id"
	    " a??[2J??b\n") != NULL, "control characters written as \"?\""
	    " (%s)", n >= 1 ? lines[0] : "");
	CHECK(n >= 2 && strstr(lines[1], "warning: long xxx") != NULL &&
	    lines[1][strlen(lines[1]) - 1] == '\n', "a long message is cut and"
	    " still ends its line");
	CHECK(n >= 3 && strstr(lines[2], "]: after\n") != NULL,
	    "the next message is a line of its own");
	free(big);
	unlink(path);
	return unit_status();
}
