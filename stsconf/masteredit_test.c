/*
 * masteredit_test - master.cf edits one service at a time: bytes that
 * are not the service's stay, continuation and comment lines, comment
 * out and back, show, and every refusal's message.
 * SPDX-License-Identifier: ISC
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "log.h"
#include "masteredit.h"
#include "unit.h"

static const char base[] =
    "# master.cf\n"
    "policyd   unix  n  y  n  -  1  policyd\n"
    "\n"
    "127.0.0.1:25   inet  n  y  y  -  1  rptrecv\n"
    "  # the limit\n"
    "  -o message_size_limit=2m\n"
    "# trailing comment\n"
    "rptparse  unix  y  y  n  60  1  rptparse";	/* no final newline */

/* Runs fn on text; returns the output or the error, xmalloc'd. */
static char *
run(masteredit_fn *fn, const char *text, const char *arg, int *rc)
{
	struct buf out = BUF_INIT, err = BUF_INIT;

	*rc = fn("master.cf", text, strlen(text), arg, &out, &err);
	if (*rc < 0) {
		buf_free(&out);
		return buf_steal(&err);
	}
	buf_free(&err);
	return buf_steal(&out);
}

static void
expect(masteredit_fn *fn, const char *text, const char *arg, int want_rc,
    const char *want, const char *what)
{
	int rc, same;
	char *got = run(fn, text, arg, &rc);

	same = rc == want_rc && strcmp(got, want) == 0;
	CHECK(same, "%s", what);
	if (!same) {
		printf("#   rc %d, got:  '%s'\n", rc, got);
		printf("#   expected:   '%s'\n", want);
	}
	free(got);
}

/* base with the first from replaced by to, xmalloc'd: an edit's result. */
static char *
edited(const char *from, const char *to)
{
	const char *at = strstr(base, from);
	struct buf b = BUF_INIT;

	if (at == NULL)
		abort();
	buf_append(&b, base, (size_t)(at - base));
	buf_puts(&b, to);
	buf_puts(&b, at + strlen(from));
	return buf_steal(&b);
}

static void
expect_edit(masteredit_fn *fn, const char *arg, const char *from,
    const char *to, const char *what)
{
	char *want = edited(from, to);

	expect(fn, base, arg, 0, want, what);
	free(want);
}

/* -F edits of base that are refused: the argument, the error, the case. */
static const struct refusal {
	const char *arg;
	const char *error;
	const char *what;
} bad_fields[] = {
	{"rptparse/unix/wakeup=", "rptparse/unix/wakeup: expected one word",
	    "-Fe: empty value"},
	{"rptparse/unix/process_limit", "expected service/type/field=value",
	    "-Fe: no ="},
	{"rptparse/unix=1",
	    "bad service \"rptparse/unix\": expected service/type/field",
	    "-Fe: no field"},
	{"/unix/type=inet",
	    "bad service \"/unix/type\": expected service/type/field",
	    "-Fe: no service name"},
	{"rptparse/unix/chroot=y\r", "the value contains a line break",
	    "-Fe: a carriage return"},
	{"rpt\001parse/unix/chroot=y",
	    "the service name contains a control character (0x01)",
	    "-Fe: a control character in the name"},
	{"policyd/inet/chroot=y", "no service policyd/inet in master.cf",
	    "-Fe: the name with another type is another service"},
};

static void
test_field(void)
{
	expect_edit(masteredit_field, "127.0.0.1:25/inet/service=0.0.0.0:13025",
	    "127.0.0.1:25   inet", "0.0.0.0:13025  inet",
	    "-Fe service: the column replaced in place, every other byte "
	    "kept");
	expect_edit(masteredit_field, "policyd/unix/service=pd",
	    "policyd   unix", "pd        unix",
	    "-Fe: a shorter value is padded to keep the columns aligned");
	expect(masteredit_field, "a\tunix n y n - 1 x\n",
	    "a/unix/process_limit=100", 0, "a\tunix n y n - 100 x\n",
	    "-Fe: a longer value is followed by one space");
	expect(masteredit_field, "a unix n y n - 1\n  x -v\n",
	    "a/unix/chroot=y", 0, "a unix n y y - 1\n  x -v\n",
	    "-Fe: the command on a continuation line");
	expect_edit(masteredit_field, "127.0.0.1:25/inet/command=rptrecv -v",
	    "127.0.0.1:25   inet  n  y  y  -  1  rptrecv\n"
	    "  # the limit\n"
	    "  -o message_size_limit=2m\n",
	    "127.0.0.1:25 inet n y y - 1 rptrecv -v\n"
	    "  # the limit\n",
	    "-Fe command replaces the command and its arguments");
	expect_edit(masteredit_field, "rptparse/unix/wakeup=5m",
	    "n  60  1  rptparse", "n  5m  1  rptparse",
	    "-Fe on the last line without a newline");
	for (size_t i = 0; i < UNIT_NCASES(bad_fields); i++)
		expect(masteredit_field, base, bad_fields[i].arg, -1,
		    bad_fields[i].error, bad_fields[i].what);
}

static void
test_service(void)
{
	expect_edit(masteredit_service,
	    "policyd/unix=policyd unix n y n - 2   policyd",
	    "policyd   unix  n  y  n  -  1  policyd\n",
	    "policyd unix n y n - 2 policyd\n",
	    "-Me replaces an entry in place");
	expect_edit(masteredit_service,
	    "dnsmon/unix=dnsmon unix y y n - 1 dnsmon",
	    "n  60  1  rptparse",
	    "n  60  1  rptparse\ndnsmon unix y y n - 1 dnsmon\n",
	    "-Me appends a new entry (after a newline)");
	expect(masteredit_service, base, "dnsmon/unix=dnsmon unix y y n -", -1,
	    "entry of dnsmon/unix: expected \"dnsmon unix private unpriv "
	    "chroot wakeup maxproc command [args]\"", "-Me: too few columns");
}

static void
test_comment(void)
{
	static const char disabled[] =
	    "# master.cf\n"
	    "policyd   unix  n  y  n  -  1  policyd\n"
	    "\n"
	    "#127.0.0.1:25   inet  n  y  y  -  1  rptrecv\n"
	    "  # the limit\n"
	    "#  -o message_size_limit=2m\n"
	    "# trailing comment\n"
	    "rptparse  unix  y  y  n  60  1  rptparse";

	expect(masteredit_comment, base, "127.0.0.1:25/inet", 0, disabled,
	    "-M# puts # before each line of the entry");
	expect(masteredit_uncomment, disabled, "127.0.0.1:25/inet", 0, base,
	    "-M+ gives the entry back as it was");
	expect(masteredit_uncomment, base, "127.0.0.1:25/inet", -1,
	    "service 127.0.0.1:25/inet is not commented out in master.cf",
	    "-M+ of an active service");
	expect(masteredit_uncomment, "#a unix n y n - 1 x\n#a unix n y n - 1 y\n",
	    "a/unix", -1, "several commented-out entries of a/unix in "
	    "master.cf: edit it by hand", "-M+ with two candidates");
	expect(masteredit_uncomment, "# a unix n y n - 1 x\n", "a/unix", -1,
	    "no commented-out service a/unix in master.cf",
	    "-M+ does not take prose (# and a space) for an entry");
	expect(masteredit_uncomment, "#a unix n y n - 1 x\n# -o a=b\n"
	    "#   and prose\n", "a/unix", 0,
	    "a unix n y n - 1 x\n -o a=b\n#   and prose\n",
	    "-M+ takes the -o lines, not the prose after them");
	expect_edit(masteredit_remove, "127.0.0.1:25/inet",
	    "127.0.0.1:25   inet  n  y  y  -  1  rptrecv\n"
	    "  # the limit\n"
	    "  -o message_size_limit=2m\n",
	    "  # the limit\n",
	    "-MX removes the entry's lines, not its comments");
	expect(masteredit_remove, base, "x/unix", -1,
	    "no service x/unix in master.cf", "-MX of an unknown service");
}

static void
test_show(void)
{
	struct buf out = BUF_INIT, err = BUF_INIT;

	CHECK(masteredit_show("master.cf", base, strlen(base),
	    "127.0.0.1:25/inet/command", &out, &err) == 0 &&
	    strcmp(out.s, "127.0.0.1:25/inet/command = rptrecv -o "
	    "message_size_limit=2m\n") == 0, "-F one field");
	buf_reset(&out);
	CHECK(masteredit_show("master.cf", base, strlen(base), NULL, &out,
	    &err) == 0 && strncmp(out.s, "policyd/unix/service = policyd\n"
	    "policyd/unix/type = unix\n", 56) == 0 &&
	    strstr(out.s, "rptparse/unix/wakeup = 60\n") != NULL,
	    "-F every field of every service");
	buf_reset(&out);
	CHECK(masteredit_show("master.cf", base, strlen(base),
	    "rptparse/unix/maxproc", &out, &err) < 0 && strcmp(err.s,
	    "bad field \"maxproc\": expected service, type, private, unpriv, "
	    "chroot, wakeup, process_limit or command") == 0,
	    "-F of an unknown field");
	buf_free(&out);
	buf_free(&err);
}

static void
test_limits(void)
{
	size_t n = MASTEREDIT_ARG_MAX + 1;
	char *arg = malloc(n + 32), *got;
	int rc;

	memcpy(arg, "rptparse/unix/command=", 22);
	memset(arg + 22, 'a', n);
	arg[22 + n] = '\0';
	got = run(masteredit_field, base, arg, &rc);
	CHECK(rc < 0 && strcmp(got, "the value is too long: 4097 bytes, at "
	    "most 4096") == 0, "-Fe: a value over MASTEREDIT_ARG_MAX");
	free(got);
	free(arg);
}

int
main(void)
{
	log_init("masteredit_test", LOG_TO_STDERR);
	test_field();
	test_service();
	test_comment();
	test_show();
	test_limits();
	return unit_status();
}
