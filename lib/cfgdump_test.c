/*
 * cfgdump_test - the text of a configuration changes with what a
 * program can act on, and only with that.
 * SPDX-License-Identifier: ISC
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "cfg.h"
#include "cfgdump.h"
#include "params.h"
#include "unit.h"

/* The dump of main.cf text, or NULL when it is refused. */
static char *
dump_of(const char *text)
{
	struct buf err = BUF_INIT;
	char *d = NULL;

	if (cfg_read_buf("/etc/stsd/main.cf", text, strlen(text), &err) == 0)
		d = cfg_dump();
	buf_free(&err);
	return d;
}

/* Whether line, a whole "name=value" line, is in d; where, in *at. */
static int
has_line(const char *d, const char *line, size_t *at)
{
	size_t len = strlen(line);
	const char *p;

	for (p = d; (p = strstr(p, line)) != NULL; p++)
		if ((p == d || p[-1] == '\n') && p[len] == '\n') {
			*at = (size_t)(p - d);
			return 1;
		}
	return 0;
}

static size_t
count_lines(const char *d)
{
	size_t n = 0;

	for (; *d != '\0'; d++)
		n += *d == '\n';
	return n;
}

int
main(void)
{
	char *a, *b;
	size_t at_zone, at_x, at_zz, at_last;

	a = cfg_dump();
	CHECK(a != NULL && count_lines(a) == param_count() &&
	    has_line(a, "sts_zone=", &at_zone),
	    "before main.cf: one line for each parameter, the defaults");
	free(a);

	a = dump_of("zz_late = $sts_zone\nsts_zone = sts.example\n"
	    "x_early = 1\n");
	CHECK(a != NULL && has_line(a, "sts_zone=sts.example", &at_zone),
	    "a parameter's value");
	CHECK(a != NULL && has_line(a, "zz_late=sts.example", &at_zz) &&
	    has_line(a, "x_early=1", &at_x) && at_x < at_zz,
	    "other names main.cf sets, expanded and sorted");
	CHECK(a != NULL && has_line(a, "report_require_dkim=yes", &at_last) &&
	    at_last < at_x && count_lines(a) == param_count() + 2,
	    "the table first, each parameter once, then the other names");

	b = dump_of("# a comment\nx_early = 1\n\nsts_zone = sts.example\n"
	    "zz_late = ${sts_zone}\n");
	CHECK(a != NULL && b != NULL && strcmp(a, b) == 0,
	    "comments, order and spelling of $name change nothing");
	free(b);

	b = dump_of("zz_late = $sts_zone\nsts_zone = other.example\n"
	    "x_early = 1\n");
	CHECK(b != NULL && a != NULL && strcmp(a, b) != 0 &&
	    has_line(b, "zz_late=other.example", &at_zz),
	    "a change that shows only through $name changes the text");
	free(b);
	free(a);

	a = dump_of("sts_zone = sts.example\n");
	b = dump_of("sts_zone = sts.example\nx_early = 1\n");
	CHECK(a != NULL && b != NULL && strcmp(a, b) != 0,
	    "a name main.cf adds changes the text");
	free(a);
	free(b);
	cfg_free();
	return unit_status();
}
