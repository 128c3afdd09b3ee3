/*
 * mastercf_test - master.cf parsing: defaults, flags, wakeup, maxproc,
 * addresses, -o overrides, comparison, and every error message.
 * SPDX-License-Identifier: ISC
 */
#include "config.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "cfg.h"
#include "log.h"
#include "mastercf.h"
#include "unit.h"

static struct mastercf *
parse(const char *text, struct buf *err)
{
	struct mastercf *table = NULL;

	buf_reset(err);
	if (mastercf_parse("master.cf", text, strlen(text), 0, &table,
	    err) != 0)
		return NULL;
	return table;
}

/*
 * The parse must succeed, with nservices services when that is not 0;
 * the check is what.  Returns the table, or NULL after a failed check.
 */
static struct mastercf *
parse_good(const char *text, int nservices, const char *what)
{
	struct buf err = BUF_INIT;
	struct mastercf *table = parse(text, &err);

	CHECK(table != NULL && (nservices == 0 ||
	    table->nservices == nservices), "%s", what);
	if (table == NULL)
		printf("# %s\n", err.s);
	buf_free(&err);
	return table;
}

/* The parse must fail with exactly this message. */
static void
check_error(const char *text, const char *expect, const char *what)
{
	struct buf err = BUF_INIT;
	struct mastercf *table = parse(text, &err);

	if (table == NULL && err.s != NULL && strcmp(err.s, expect) == 0) {
		printf("ok - error: %s\n", what);
	} else {
		printf("not ok - error: %s\n#   got:      '%s'\n"
		    "#   expected: '%s'\n", what, table ? "(parsed)" : err.s,
		    expect);
		unit_failures++;
	}
	mastercf_free(table);
	buf_free(&err);
}

/* The socket of a unix service s under the queue directory /q. */
static void
socket_is(const struct mastercf_service *s, const char *want,
    const char *what)
{
	char *path = mastercf_socket_path(s, "/q");

	CHECK(STR_EQ(path, want), "%s", what);
	free(path);
}

static void
test_defaults(void)
{
	struct buf err = BUF_INIT;
	struct mastercf *t;
	const struct mastercf_service *s;

	t = parse("# comment\n\npolicyd unix - - - - - policyd\n", &err);
	CHECK(t != NULL && t->nservices == 1, "one unix service parses");
	if (t == NULL)
		return;
	s = &t->services[0];
	CHECK(s->type == MASTERCF_UNIX && s->private == 1 && s->unpriv == 1 &&
	    s->chroot == 0 && s->wakeup == 0 && s->maxproc == 1,
	    "\"-\" defaults: private y, unpriv y, chroot n, wakeup never, "
	    "maxproc 1");
	CHECK(strcmp(s->command, "policyd") == 0 && s->nargs == 0 &&
	    s->args[0] == NULL && s->noverrides == 0 && s->lineno == 3,
	    "command, no arguments, line number");
	socket_is(s, "/q/private/policyd",
	    "private unix socket is in private/");
	mastercf_free(t);

	t = parse("stsctl unix n n y 1m? 3 policyd -v\n", &err);
	CHECK(t != NULL, "explicit flags parse");
	if (t != NULL) {
		s = &t->services[0];
		CHECK(s->private == 0 && s->unpriv == 0 && s->chroot == 1,
		    "explicit flags n n y");
		CHECK(s->wakeup == 60 && s->wakeup_optional == 1,
		    "wakeup 1m? is 60 s, optional");
		CHECK(s->maxproc == 3, "maxproc 3");
		CHECK(s->nargs == 1 && strcmp(s->args[0], "-v") == 0,
		    "program arguments are kept");
		socket_is(s, "/q/public/stsctl",
		    "public unix socket is in public/");
	}
	mastercf_free(t);

	t = parse("a unix - - - 0 - x\nb unix - - - 30 - x\n", &err);
	CHECK(t != NULL && t->services[0].wakeup == 0 &&
	    t->services[1].wakeup == 30 && !t->services[1].wakeup_optional,
	    "wakeup 0 is never, 30 is 30 s");
	mastercf_free(t);
	buf_free(&err);
}

static void
test_continuation(void)
{
	struct mastercf *t;
	const struct mastercf_service *s;

	t = parse_good("127.0.0.1:8443 inet n - y - 4 httpd\n"
	    "  -o ipc_timeout=10s\n"
	    "# a comment inside\n"
	    "\t-o message_size_limit=2m -x\n", 0, "continuation lines parse");
	if (t == NULL)
		return;
	s = &t->services[0];
	CHECK(s->noverrides == 2 && strcmp(s->overrides[0], "ipc_timeout=10s") == 0 &&
	    strcmp(s->overrides[1], "message_size_limit=2m") == 0,
	    "-o overrides on continuation lines are collected");
	CHECK(s->nargs == 1 && strcmp(s->args[0], "-x") == 0,
	    "-o pairs are removed from the program arguments");
	CHECK(strcmp(s->line, "127.0.0.1:8443 inet n - y - 4 httpd "
	    "-o ipc_timeout=10s "
	    "-o message_size_limit=2m -x") == 0, "canonical line joins columns");
	mastercf_free(t);
}

/* The addresses of s are exactly those given, in order (NULL ends). */
static int
addrs_are(const struct mastercf_service *s, ...)
{
	const char *expect;
	char text[80];
	va_list ap;
	int i;

	va_start(ap, s);
	for (i = 0; (expect = va_arg(ap, const char *)) != NULL; i++) {
		if (i >= s->naddrs)
			break;
		mastercf_addr_str(&s->addrs[i], text, sizeof(text));
		if (strcmp(text, expect) != 0)
			break;
	}
	va_end(ap);
	return expect == NULL && i == s->naddrs;
}

static void
test_inet(void)
{
	struct buf err = BUF_INIT;
	struct mastercf *t;

	t = parse_good("127.0.0.1:8025 inet n - - - - x\n"
	    "[::1]:8443 inet n - - - - x\n"
	    "8080 inet n - - - - x\n"
	    "*:8081 inet n - - - - x\n"
	    "localhost:8082 inet n - - - - x\n", 5, "inet address forms parse");
	if (t == NULL)
		return;
	CHECK(addrs_are(&t->services[0], "127.0.0.1:8025", NULL),
	    "host:port is one IPv4 address");
	CHECK(addrs_are(&t->services[1], "[::1]:8443", NULL),
	    "[ipv6]:port is one IPv6 address");
	CHECK(addrs_are(&t->services[2], "0.0.0.0:8080", "[::]:8080", NULL),
	    "port alone is every IPv4 and IPv6 address");
	CHECK(addrs_are(&t->services[3], "0.0.0.0:8081", "[::]:8081", NULL),
	    "*:port is every address");
	CHECK(t->services[4].naddrs >= 1,
	    "a host name resolves to its addresses");
	mastercf_free(t);

	t = parse("name.example:25 inet n - - - - x\n", &err);
	mastercf_free(t);
	buf_reset(&err);
	t = NULL;
	if (mastercf_parse("master.cf", "name.invalid:25 inet n - - - - x\n",
	    strlen("name.invalid:25 inet n - - - - x\n"), MASTERCF_NO_RESOLVE,
	    &t, &err) == 0)
		CHECK(t->services[0].naddrs == 0,
		    "MASTERCF_NO_RESOLVE accepts a name without looking it up");
	else
		CHECK(0, "MASTERCF_NO_RESOLVE accepts a name without looking "
		    "it up");
	mastercf_free(t);
	buf_free(&err);
}

static void
test_compare(void)
{
	struct buf err = BUF_INIT;
	struct mastercf *a, *b;
	const struct mastercf_service *sa, *sb;

	a = parse("9001 inet n - - - - x\n127.0.0.1:9000 inet n - - - - x\n"
	    "u unix - - - - - x\n", &err);
	b = parse("9001 inet n - - - - x -o ipc_timeout=5s\n"
	    "127.0.0.1:9000 inet n - - - 2 x\nu unix n - - - - x\n", &err);
	if (a == NULL || b == NULL) {
		CHECK(0, "comparison tables parse");
		mastercf_free(a);
		mastercf_free(b);
		buf_free(&err);
		return;
	}
	CHECK(mastercf_find(a, "9001", MASTERCF_INET) == &a->services[0] &&
	    mastercf_find(a, "9001", MASTERCF_UNIX) == NULL,
	    "mastercf_find looks up name and type");
	sa = &a->services[0];
	sb = &b->services[0];
	CHECK(!mastercf_same(sa, sb) && mastercf_same(sa, sa),
	    "an added -o makes the line different");
	sa = &a->services[1];
	sb = &b->services[1];
	CHECK(!mastercf_same(sa, sb) && mastercf_same_address(sa, sb),
	    "maxproc change: different line, same address");
	sa = &a->services[2];
	sb = &b->services[2];
	CHECK(!mastercf_same_address(sa, sb),
	    "unix private -> public is a different address");
	mastercf_free(a);
	mastercf_free(b);
	buf_free(&err);
}

static void
test_errors(void)
{
	check_error("a unix - - - -\n",
	    "master.cf:1: too few columns (6): expected service type private "
	    "unpriv chroot wakeup maxproc command [args]", "too few columns");
	check_error("# c\na unix - - - - - x\nb fifo - - - - - x\n",
	    "master.cf:3: service b: bad type \"fifo\": expected inet or unix",
	    "bad type");
	check_error("a unix yes - - - - x\n",
	    "master.cf:1: service a: bad private flag \"yes\": expected y, n "
	    "or -", "bad private flag");
	check_error("a unix - 1 - - - x\n",
	    "master.cf:1: service a: bad unpriv flag \"1\": expected y, n or -",
	    "bad unpriv flag");
	check_error("a unix - - Y - - x\n",
	    "master.cf:1: service a: bad chroot flag \"Y\": expected y, n or -",
	    "bad chroot flag");
	check_error("a unix - - - 10x - x\n",
	    "master.cf:1: service a: bad wakeup \"10x\": expected a time, 0 "
	    "or -", "bad wakeup unit");
	check_error("a unix - - - -5 - x\n",
	    "master.cf:1: service a: bad wakeup \"-5\": expected a time, 0 "
	    "or -", "negative wakeup");
	check_error("a unix - - - ? - x\n",
	    "master.cf:1: service a: bad wakeup \"?\": expected a time, 0 "
	    "or -", "wakeup of only ?");
	check_error("a unix - - - - 0 x\n",
	    "master.cf:1: service a: bad maxproc \"0\": expected a number "
	    "from 1 to 1000 or -", "maxproc 0");
	check_error("a unix - - - - many x\n",
	    "master.cf:1: service a: bad maxproc \"many\": expected a number "
	    "from 1 to 1000 or -", "maxproc not a number");
	check_error("a unix - - - - 1001 x\n",
	    "master.cf:1: service a: bad maxproc \"1001\": expected a number "
	    "from 1 to 1000 or -", "maxproc too large");
	check_error("a unix - - - - - ../bin/sh\n",
	    "master.cf:1: service a: bad command \"../bin/sh\": expected a "
	    "program name in daemon_directory", "command with a slash");
	check_error("a unix - - - - - x\n\n  \na unix - - - - 2 y\n",
	    "master.cf:4: duplicate service a unix: first defined on line 1",
	    "duplicate service");
	check_error("a/b unix - - - - - x\n",
	    "master.cf:1: service a/b: bad unix service name: expected up to "
	    "64 letters, digits, \".\", \"-\" or \"_\"", "bad unix name");
	check_error("80x inet - - - - - x\n",
	    "master.cf:1: service 80x: bad port \"80x\": expected a number "
	    "from 1 to 65535", "bad port alone");
	check_error("127.0.0.1:0 inet - - - - - x\n",
	    "master.cf:1: service 127.0.0.1:0: bad port \"0\": expected a "
	    "number from 1 to 65535", "port 0");
	check_error("127.0.0.1:65536 inet - - - - - x\n",
	    "master.cf:1: service 127.0.0.1:65536: bad port \"65536\": "
	    "expected a number from 1 to 65535", "port too large");
	check_error("::1:25 inet - - - - - x\n",
	    "master.cf:1: service ::1:25: bad address \"::1:25\": expected "
	    "host:port, [ipv6]:port, *:port or port", "IPv6 without brackets");
	check_error(":25 inet - - - - - x\n",
	    "master.cf:1: service :25: bad address \":25\": expected "
	    "host:port, [ipv6]:port, *:port or port", "empty host");
	check_error("[::1]25 inet - - - - - x\n",
	    "master.cf:1: service [::1]25: bad address \"[::1]25\": expected "
	    "[ipv6]:port", "bracket without colon");
	check_error("[1.2.3.4]:25 inet - - - - - x\n",
	    "master.cf:1: service [1.2.3.4]:25: bad IPv6 address \"1.2.3.4\"",
	    "IPv4 in brackets");
	check_error("300.1.1.1:25 inet - - - - - x\n",
	    "master.cf:1: service 300.1.1.1:25: bad IPv4 address \"300.1.1.1\"",
	    "bad IPv4 address");
	check_error("a unix - - - - - x -o\n",
	    "master.cf:1: service a: -o without name=value", "-o at the end");
	check_error("a unix - - - - - x -o novalue\n",
	    "master.cf:1: service a: -o without name=value", "-o without =");
	{
		struct buf why = BUF_INIT, expect = BUF_INIT;

		/* The -o checks are those of cfg_check_override. */
		cfg_check_override("no_such_parameter", "1", &why);
		buf_printf(&expect, "master.cf:1: service a: %s", why.s);
		check_error("a unix - - - - - x -o no_such_parameter=1\n",
		    expect.s, "-o unknown parameter (cfg message)");
		buf_reset(&why);
		buf_reset(&expect);
		cfg_check_override("ipc_timeout", "10x", &why);
		buf_printf(&expect, "master.cf:1: service a: %s", why.s);
		check_error("a unix - - - - - x -o ipc_timeout=10x\n",
		    expect.s, "-o bad time value (cfg message)");
		CHECK(strstr(expect.s, "ipc_timeout") != NULL,
		    "-o error names the parameter");
		buf_free(&why);
		buf_free(&expect);
	}
	{
		struct buf text = BUF_INIT;
		int i;

		buf_puts(&text, "a unix - - - - - x");
		for (i = 0; i <= MASTERCF_ARGS_MAX; i++)
			buf_puts(&text, " y");
		buf_putc(&text, '\n');
		check_error(text.s, "master.cf:1: too many arguments: at most "
		    "64 after the command", "too many arguments");
		buf_reset(&text);
		for (i = 0; i <= MASTERCF_SERVICES_MAX; i++)
			buf_printf(&text, "s%d unix - - - - - x\n", i);
		check_error(text.s, "master.cf:257: too many services: at most "
		    "256", "too many services");
		buf_free(&text);
	}
}

static void
test_read(void)
{
	struct buf err = BUF_INIT;
	struct mastercf *t;

	CHECK(mastercf_read("/nonexistent/master.cf", 0, &t, &err) != 0 &&
	    t == NULL && err.s != NULL &&
	    strstr(err.s, "/nonexistent/master.cf") != NULL,
	    "a missing file is an error that names it");
	buf_free(&err);
}

int
main(void)
{
	log_init("mastercf_test", LOG_TO_STDERR);
	test_defaults();
	test_continuation();
	test_inet();
	test_compare();
	test_errors();
	test_read();
	return unit_failures > 0;
}
