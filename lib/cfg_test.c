/*
 * cfg_test - unit tests of lib/cfg: the main.cf tokenizer, $name
 * expansion, value types, overrides, and the exact text of every error.
 * SPDX-License-Identifier: ISC
 *
 * Reads main.cf text from memory (cfg_read_buf) and, for the file and
 * directory cases, from a temporary directory that it removes.
 * Warnings are caught through maillog_file in that directory.
 */
#include "config.h"

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "buf.h"
#include "cfg.h"
#include "log.h"
#include "mymalloc.h"
#include "params.h"
#include "unit.h"

static char tmpdir[] = "/tmp/cfg_test.XXXXXX";
static char logpath[256];

/* Compares strings, and shows both when they differ. */
static void
check_str(const char *got, const char *want, const char *what)
{
	int same = got != NULL && strcmp(got, want) == 0;

	CHECK(same, "%s", what);
	if (!same) {
		printf("#   got:      '%s'\n", got ? got : "(null)");
		printf("#   expected: '%s'\n", want);
	}
}

/* Reads text as main.cf; returns the error line, or "" on success. */
static const char *
load(const char *text)
{
	static struct buf err = BUF_INIT;

	buf_reset(&err);
	buf_puts(&err, "");
	if (cfg_read_buf("main.cf", text, strlen(text), &err) == 0 &&
	    err.len > 0)
		return "(success with an error message)";
	return err.s;
}

/* Expects text to be refused with exactly want. */
static void
refused(const char *text, const char *want, const char *what)
{
	check_str(load(text), want, what);
}

/* The log written since the last call. */
static char *
new_log(void)
{
	static long seen;
	struct buf data = BUF_INIT, err = BUF_INIT;
	char *s;

	if (cfg_read_file(logpath, &data, &err) < 0) {
		buf_free(&err);
		buf_free(&data);
		return xstrdup("");
	}
	s = xstrdup(data.s + ((size_t)seen <= data.len ? (size_t)seen : data.len));
	seen = (long)data.len;
	buf_free(&data);
	buf_free(&err);
	return s;
}

static void
test_syntax(void)
{
	char *log;

	check_str(load(
	    "# a comment\n"
	    "\n"
	    "sts_zone = example.net   \n"
	    "   # an indented comment\n"
	    "report_recipients = a@$sts_zone,\n"
	    "\tb@${sts_zone}\n"
	    "\n"
	    "  c@$sts_zone\n"
	    "ipc_timeout=2m\n"
	    "maillog_file =\n"), "", "a main.cf with comments, blanks and "
	    "continuations reads");
	check_str(cfg_str("sts_zone"), "example.net",
	    "value without surrounding white space");
	check_str(cfg_raw("report_recipients"),
	    "a@$sts_zone, b@${sts_zone} c@$sts_zone",
	    "continuation lines joined with one space, unexpanded in cfg_raw");
	check_str(cfg_str("report_recipients"),
	    "a@example.net, b@example.net c@example.net",
	    "$name and ${name} expand");
	CHECK(cfg_time("ipc_timeout") == 120, "name=value without spaces");
	check_str(cfg_str("maillog_file"), "", "empty value");
	CHECK(!cfg_is_default("maillog_file") && cfg_is_default("mail_owner"),
	    "cfg_is_default tells set from unset");
	check_str(cfg_str("policy_host"), "mta-sts.example.net",
	    "default value refers to a value set in main.cf");
	check_str(cfg_str("setgid_group"), cfg_str("mail_owner"),
	    "setgid_group defaults to $mail_owner");
	check_str(cfg_str("smtp_hostname"), cfg_str("myhostname"),
	    "smtp_hostname defaults to $myhostname");
	CHECK(cfg_str("myhostname")[0] != '\0', "myhostname has a default");

	check_str(load("sts_zone = a\r\n\r\nsmtp_hostname = x$$y.$sts_zone\r\n"),
	    "", "CRLF line ends read");
	check_str(cfg_str("smtp_hostname"), "x$y.a", "$$ is one $; \\r dropped");

	free(new_log());
	check_str(load("foo = bar\nsts_zone = $foo\n"), "",
	    "an unknown parameter is not an error");
	log = new_log();
	CHECK(strstr(log, "warning: main.cf:1: unknown parameter foo\n") != NULL,
	    "an unknown parameter gives a warning with file and line");
	free(log);
	check_str(cfg_str("sts_zone"), "bar", "an unknown parameter works as $foo");

	check_str(load("sts_zone = one\nsts_zone = two\n"), "",
	    "a parameter set twice is not an error");
	check_str(cfg_str("sts_zone"), "two", "the last setting wins");
	log = new_log();
	CHECK(strstr(log, "warning: main.cf:2: parameter sts_zone: set again, "
	    "overrides main.cf:1\n") != NULL, "and the repeat gives a warning");
	free(log);
}

/* Values cfg_check_value refuses: the type, the value, the error, the case. */
static const struct {
	enum param_type type;
	const char *value;
	const char *error;
	const char *what;
} bad_values[] = {
	{PARAM_BOOL, "true", "bad boolean value \"true\": use yes or no",
	    "bad boolean message"},
	{PARAM_INT, "-12x", "bad integer value \"-12x\": unknown unit x",
	    "bad integer message quotes the sign"},
	{PARAM_INT, "", "bad integer value \"\": empty",
	    "empty integer message"},
	{PARAM_TIME, "10min", "bad time value \"10min\": unknown unit min",
	    "unit of several letters"},
	{PARAM_TIME, "x\001", "bad time value \"x\\x01\": not a number",
	    "control characters are shown escaped"},
};

static void
test_types(void)
{
	struct param p = { .name = "x", .type = PARAM_BOOL, .defval = "", .doc = "" };
	struct buf why = BUF_INIT;
	long long ll;
	unsigned long long ull;
	int b;
	char **list;

	check_str(load("ipc_timeout = 45\nservice_crash_time = 3h\n"
	    "service_throttle_time = 2w\ndefault_policy_max_age = 1d\n"
	    "ipc_message_size_limit = 512\nmessage_size_limit = 1g\n"),
	    "", "times and sizes with units read");
	CHECK(cfg_time("ipc_timeout") == 45, "bare time is seconds");
	CHECK(cfg_time("service_crash_time") == 3 * 3600, "time unit h");
	CHECK(cfg_time("service_throttle_time") == 2 * 604800, "time unit w");
	CHECK(cfg_time("default_policy_max_age") == 86400, "time unit d");
	CHECK(cfg_size("ipc_message_size_limit") == 512, "bare size is bytes");
	CHECK(cfg_size("message_size_limit") == 1ULL << 30, "size unit g is 2^30");
	check_str(load(""), "", "empty main.cf reads");
	CHECK(cfg_size("message_size_limit") == 10ULL << 20,
	    "default size 10m is 10 MiB");
	CHECK(cfg_time("default_policy_max_age") == 7 * 86400,
	    "default max_age 7d in seconds");

	CHECK(cfg_parse_time("5m", &ll) == 0 && ll == 300, "cfg_parse_time 5m");
	CHECK(cfg_parse_time("5s", &ll) == 0 && ll == 5, "cfg_parse_time 5s");
	CHECK(cfg_parse_time("", &ll) < 0, "cfg_parse_time refuses empty");
	CHECK(cfg_parse_time("1.5h", &ll) < 0, "cfg_parse_time refuses 1.5h");
	CHECK(cfg_parse_time("5 m", &ll) < 0, "cfg_parse_time refuses 5 m");
	CHECK(cfg_parse_size("3k", &ull) == 0 && ull == 3072, "cfg_parse_size 3k");
	CHECK(cfg_parse_size("18446744073709551615", &ull) == 0 &&
	    ull == ULLONG_MAX, "cfg_parse_size largest value");
	CHECK(cfg_parse_size("18446744073709551616", &ull) < 0,
	    "cfg_parse_size refuses one more");
	CHECK(cfg_parse_bool("yes", &b) == 0 && b == 1, "cfg_parse_bool yes");
	CHECK(cfg_parse_bool("no", &b) == 0 && b == 0, "cfg_parse_bool no");
	CHECK(cfg_parse_bool("true", &b) < 0 && cfg_parse_bool("1", &b) < 0,
	    "cfg_parse_bool takes only yes and no");
	CHECK(cfg_parse_int("-9223372036854775808", &ll) == 0 && ll == LLONG_MIN,
	    "cfg_parse_int smallest value");
	CHECK(cfg_parse_int("9223372036854775807", &ll) == 0 && ll == LLONG_MAX,
	    "cfg_parse_int largest value");
	CHECK(cfg_parse_int("9223372036854775808", &ll) < 0,
	    "cfg_parse_int refuses one more");
	CHECK(cfg_parse_int("-12", &ll) == 0 && ll == -12, "cfg_parse_int -12");

	for (size_t i = 0; i < UNIT_NCASES(bad_values); i++) {
		p.type = bad_values[i].type;
		buf_reset(&why);
		cfg_check_value(&p, bad_values[i].value, &why);
		check_str(why.s, bad_values[i].error, bad_values[i].what);
	}
	buf_free(&why);

	check_str(load("report_recipients = a@x.test,, b@x.test\n"
	    "  c@x.test , d@x.test,\n"), "", "list reads");
	list = cfg_list("report_recipients");
	CHECK(list[0] && strcmp(list[0], "a@x.test") == 0 && list[1] &&
	    strcmp(list[1], "b@x.test") == 0 && list[2] &&
	    strcmp(list[2], "c@x.test") == 0 && list[3] &&
	    strcmp(list[3], "d@x.test") == 0 && list[4] == NULL,
	    "list splits on commas and white space, skips empty words");
	check_str(load("report_recipients =\n"), "", "empty list reads");
	CHECK(cfg_list("report_recipients")[0] == NULL, "empty list has no word");
}

static void
test_errors(void)
{
	refused("ipc_timeout = 10x\n",
	    "main.cf:1: parameter ipc_timeout: bad time value \"10x\": "
	    "unknown unit x", "bad time unit");
	refused("ipc_timeout = -5\n",
	    "main.cf:1: parameter ipc_timeout: bad time value \"-5\": negative",
	    "negative time");
	refused("ipc_timeout = 999999999999999999w\n",
	    "main.cf:1: parameter ipc_timeout: bad time value "
	    "\"999999999999999999w\": too large", "time overflow");
	refused("\nmessage_size_limit = 10q\n",
	    "main.cf:2: parameter message_size_limit: bad size value \"10q\": "
	    "unknown unit q", "bad size unit");
	refused("message_size_limit = -1\n",
	    "main.cf:1: parameter message_size_limit: bad size value \"-1\": "
	    "negative", "negative size");
	refused("message_size_limit = 99999999999999999999\n",
	    "main.cf:1: parameter message_size_limit: bad size value "
	    "\"99999999999999999999\": too large", "size overflow");
	refused("message_size_limit = 17179869184g\n",
	    "main.cf:1: parameter message_size_limit: bad size value "
	    "\"17179869184g\": too large", "size overflow by the unit");
	refused("message_size_limit =\n",
	    "main.cf:1: parameter message_size_limit: bad size value \"\": empty",
	    "empty size");
	refused("domain_verification = maybe\n",
	    "main.cf:1: parameter domain_verification: bad value \"maybe\": "
	    "expected one of dns, none", "value not among the choices");
	refused("x = 10x\nipc_timeout = $x\n",
	    "main.cf:2: parameter ipc_timeout: bad time value \"10x\": "
	    "unknown unit x (from \"$x\")", "type error after expansion");
	refused("sts_zone = ${foo\n",
	    "main.cf:1: parameter sts_zone: unterminated \"${\" in \"${foo\"",
	    "unterminated ${");
	refused("sts_zone = a$\n",
	    "main.cf:1: parameter sts_zone: \"$\" must be followed by a name, "
	    "{name} or \"$\" in \"a$\"", "lone $");
	refused("sts_zone = ${a b}\n",
	    "main.cf:1: parameter sts_zone: bad parameter name in \"${a b}\"",
	    "bad name in ${}");
	refused("sts_zone = ${}\n",
	    "main.cf:1: parameter sts_zone: bad parameter name in \"${}\"",
	    "empty ${}");
	refused("sts_zone = x.$sts_zone\n",
	    "main.cf:1: parameter sts_zone: \"$sts_zone\" refers to itself",
	    "$a refers to itself");
	refused("a = 1\nb = ${b}\n",
	    "main.cf:2: parameter b: \"${b}\" refers to itself",
	    "${a} refers to itself");
	refused("a = $b\nb = $c\nc = $a\n",
	    "main.cf:3: parameter c: expansion loop: $a -> $b -> $c -> $a",
	    "expansion loop through three names");
	refused("sts_zone = $policy_host\n",
	    "main.cf:1: parameter sts_zone: expansion loop: $sts_zone -> "
	    "$policy_host -> $sts_zone", "expansion loop through a default");
	refused("sts_zone = $nosuch\n",
	    "main.cf:1: parameter sts_zone: \"$nosuch\" refers to an unknown "
	    "parameter", "reference to an unknown name");
	refused("hello world\n",
	    "main.cf:1: bad line \"hello world\": expected \"name = value\"",
	    "line without =");
	refused("= 1\n", "main.cf:1: missing parameter name before \"=\"",
	    "line without a name");
	refused("a-b = 1\n",
	    "main.cf:1: bad parameter name \"a-b\": use letters, digits and _",
	    "bad parameter name");
	refused("  sts_zone = a\n",
	    "main.cf:1: continuation line (starting with white space) at the "
	    "top of the file", "continuation line at the top");
	refused("# comment\n\n\tx\nsts_zone = a\n",
	    "main.cf:3: continuation line (starting with white space) at the "
	    "top of the file", "continuation line after only comments");
	{
		static const char nul[] = "sts_zone = a\nx = b\0c\n";

		struct buf err = BUF_INIT;

		CHECK(cfg_read_buf("main.cf", nul, sizeof(nul) - 1, &err) < 0,
		    "NUL byte refused");
		check_str(err.s, "main.cf:2: line contains a NUL byte",
		    "NUL byte message");
		buf_free(&err);
	}
}

static void
test_limits(void)
{
	struct buf text = BUF_INIT;
	char want[200];
	int i;

	/* p0 = $p1, p1 = $p2, ...: one level too deep. */
	for (i = 0; i < CFG_EXPAND_DEPTH; i++)
		buf_printf(&text, "p%d = $p%d\n", i, i + 1);
	buf_printf(&text, "p%d = end\n", CFG_EXPAND_DEPTH);
	snprintf(want, sizeof(want), "main.cf:%d: parameter p%d: $p%d: "
	    "expansion nested deeper than %d levels", CFG_EXPAND_DEPTH,
	    CFG_EXPAND_DEPTH - 1, CFG_EXPAND_DEPTH, CFG_EXPAND_DEPTH);
	refused(text.s, want, "nesting deeper than the limit");
	buf_reset(&text);
	for (i = 0; i < CFG_EXPAND_DEPTH - 1; i++)
		buf_printf(&text, "p%d = $p%d\n", i, i + 1);
	buf_printf(&text, "p%d = end\n", CFG_EXPAND_DEPTH - 1);
	refused(text.s, "", "nesting up to the limit");
	check_str(cfg_str("p0"), "end", "deeply nested value");

	/* Each level doubles: a value longer than the limit, quickly. */
	buf_reset(&text);
	buf_puts(&text, "q0 = 0123456789abcdef\n");
	for (i = 1; i <= 13; i++)
		buf_printf(&text, "q%d = $q%d$q%d\n", i, i - 1, i - 1);
	snprintf(want, sizeof(want), "main.cf:14: parameter q13: expanded "
	    "value is longer than %d bytes", CFG_LINE_MAX);
	refused(text.s, want, "expanded value longer than the limit");

	buf_reset(&text);
	buf_puts(&text, "sts_zone = ");
	for (i = 0; i < CFG_LINE_MAX; i++)
		buf_putc(&text, 'a');
	snprintf(want, sizeof(want), "main.cf:1: logical line is longer than "
	    "%d bytes", CFG_LINE_MAX);
	refused(text.s, want, "logical line longer than the limit");
	buf_free(&text);
}

static void
test_override(void)
{
	struct buf err = BUF_INIT;
	const char *before;

	check_str(load("sts_zone = example.net\n"), "", "base for overrides");
	CHECK(cfg_override("sts_zone", "other.test", &err) == 0,
	    "override of a known parameter");
	check_str(cfg_str("policy_host"), "mta-sts.other.test",
	    "override changes the values that refer to it");
	CHECK(!cfg_is_default("sts_zone"), "overridden is not default");

	CHECK(cfg_override("ipc_timeout", "10x", &err) < 0, "bad override refused");
	check_str(err.s, "-o ipc_timeout=10x: parameter ipc_timeout: bad time "
	    "value \"10x\": unknown unit x", "bad override message");
	CHECK(cfg_time("ipc_timeout") == 30, "refused override left the value");
	buf_reset(&err);
	CHECK(cfg_override("nosuch", "1", &err) < 0, "unknown override refused");
	check_str(err.s, "-o nosuch=1: unknown parameter nosuch",
	    "unknown override message");
	buf_reset(&err);
	CHECK(cfg_override("sts_zone", "$policy_host", &err) < 0,
	    "override making a loop refused");
	check_str(err.s, "-o sts_zone=$policy_host: parameter sts_zone: "
	    "expansion loop: $sts_zone -> $policy_host -> $sts_zone",
	    "override loop message");
	check_str(cfg_str("policy_host"), "mta-sts.other.test",
	    "refused override kept the earlier override");
	buf_reset(&err);
	CHECK(cfg_check_override("sts_zone", "third.test", &err) == 0,
	    "cfg_check_override accepts a good value");
	check_str(cfg_str("sts_zone"), "other.test",
	    "cfg_check_override changes nothing");
	CHECK(cfg_check_override("message_size_limit", "1x", &err) < 0,
	    "cfg_check_override refuses a bad value");

	before = cfg_str("sts_zone");
	buf_reset(&err);
	CHECK(load("ipc_timeout = 1x\n")[0] != '\0', "bad main.cf refused");
	CHECK(cfg_str("sts_zone") == before,
	    "refused main.cf leaves the configuration in use");
	buf_free(&err);
}

/* Writes path: two directories, then the lines of more. */
static void
write_maincf(const char *path, const char *more)
{
	FILE *fp = fopen(path, "w");

	fprintf(fp, "config_directory = /elsewhere\nqueue_directory = "
	    "$config_directory/q\n%s", more);
	fclose(fp);
}

static void
test_files(void)
{
	struct buf err = BUF_INIT;
	char path[300], want[400], *dir2;

	snprintf(path, sizeof(path), "%s/main.cf", tmpdir);
	CHECK(cfg_read(tmpdir, &err) < 0, "missing main.cf refused");
	snprintf(want, sizeof(want), "cannot open %s/main.cf: No such file or "
	    "directory", tmpdir);
	check_str(err.s, want, "missing main.cf message");

	write_maincf(path, "ipc_timeout = 3x\n");
	buf_reset(&err);
	CHECK(cfg_read(tmpdir, &err) < 0, "bad main.cf file refused");
	snprintf(want, sizeof(want), "%s/main.cf:3: parameter ipc_timeout: bad "
	    "time value \"3x\": unknown unit x", tmpdir);
	check_str(err.s, want, "error names the file as given, and the line");

	write_maincf(path, "");
	dir2 = xasprintf("%s//", tmpdir);
	buf_reset(&err);
	CHECK(cfg_read(dir2, &err) == 0, "main.cf file reads");
	check_str(cfg_config_dir(), tmpdir, "cfg_config_dir is the directory read");
	check_str(cfg_str("config_directory"), tmpdir,
	    "config_directory is the directory read, not the main.cf value");
	check_str(cfg_raw("config_directory"), "/elsewhere",
	    "cfg_raw shows config_directory as written");
	snprintf(want, sizeof(want), "%s/q", tmpdir);
	check_str(cfg_str("queue_directory"), want,
	    "$config_directory expands to the directory read");
	check_str(cfg_file(), path, "cfg_file is the main.cf read");
	free(dir2);
	unlink(path);
	buf_free(&err);
}

struct scan_seen {
	struct buf lines;
};

static int
scan_collect(const struct cfg_line *l, void *ctx, struct buf *err)
{
	struct scan_seen *s = ctx;

	buf_printf(&s->lines, "%d-%d@%zu-%zu[%s]", l->first, l->last, l->start,
	    l->end, l->text);
	return 0;
}

static int
scan_stop(const struct cfg_line *l, void *ctx, struct buf *err)
{
	buf_printf(err, "stopped at %d", l->first);
	return -1;
}

static void
test_scan(void)
{
	static const char text[] = "# c\na = 1\n b\n\n# x\n  c \nd=2";
	struct scan_seen s = { BUF_INIT };
	struct buf err = BUF_INIT;

	buf_puts(&s.lines, "");
	CHECK(cfg_scan("f", text, sizeof(text) - 1, scan_collect, &s, &err) == 0,
	    "cfg_scan reads");
	check_str(s.lines.s, "2-6@4-23[a = 1 b c]7-7@23-26[d=2]",
	    "logical lines with line numbers and byte ranges");
	CHECK(cfg_scan("f", text, sizeof(text) - 1, scan_stop, &s, &err) < 0,
	    "callback stops the scan");
	check_str(err.s, "stopped at 2", "callback error is returned");
	buf_free(&s.lines);
	buf_free(&err);
}

/*
 * The rules of the table: every default passes its own rule, bounds are
 * ordered, and each kind of bad value is refused with the parameter,
 * the value and what is allowed.
 */
static void
test_table_rules(void)
{
	struct buf why = BUF_INIT;
	const struct param *p;
	int bad = 0;

	check_str(load("sts_zone = sts.example.net\n"), "",
	    "the defaults read once sts_zone is set");
	for (p = param_table; p->name != NULL; p++) {
		buf_reset(&why);
		if ((p->min != 0 || p->max != 0) && p->min > p->max) {
			printf("# %s: min above max\n", p->name);
			bad++;
		}
		if (cfg_check_value(p, cfg_str(p->name), &why) != 0) {
			printf("# %s: default %s\n", p->name, why.s);
			bad++;
		}
	}
	CHECK(bad == 0, "every default passes its rule, every min <= max");
	buf_free(&why);
}

/* Refused with exactly "main.cf:N: parameter " want, N its last line. */
static void
refused_value(const char *text, const char *want)
{
	struct buf full = BUF_INIT, what = BUF_INIT;
	const char *p;
	int line = 0;

	for (p = text; *p != '\0'; p++)
		line += *p == '\n';
	buf_printf(&full, "main.cf:%d: parameter %s", line, want);
	buf_printf(&what, "refused: %.*s", (int)strcspn(want, ":"), want);
	check_str(load(text), full.s, what.s);
	buf_free(&full);
	buf_free(&what);
}

static void
test_rules(void)
{
	struct buf err = BUF_INIT;
	struct cfg *saved;

	refused_value("default_policy_max_age = 400d\n",
	    "default_policy_max_age: bad time value \"400d\": expected from "
	    "0s to 8766h");
	check_str(load("default_policy_max_age = 31557600\n"), "",
	    "the largest max_age of RFC 8461 reads");
	refused_value("ipc_timeout = 0\n",
	    "ipc_timeout: bad time value \"0\": expected from 1s to 1h");
	refused_value("httpd_keepalive_requests = 0\n",
	    "httpd_keepalive_requests: bad integer value \"0\": expected from 1 "
	    "to 2147483647");
	refused_value("message_size_limit = 99999999g\n",
	    "message_size_limit: bad size value \"99999999g\": expected from "
	    "1k to 1g");
	refused_value("alert_failure_rate = 200%\n",
	    "alert_failure_rate: bad percentage value \"200%\": expected a "
	    "number from 0% to 100%, such as 1% or 0.5%");
	refused_value("report_recipients = not an address\n",
	    "report_recipients: bad value \"not an address\": expected "
	    "addresses of the form local@domain or local+*@domain (\"not\" is "
	    "not one)");
	refused_value("sts_zone =\n",
	    "sts_zone: empty value: expected a domain name (letters, digits "
	    "and hyphens in labels separated by dots); required");
	refused_value("sts_zone = https://sts.example.net\n",
	    "sts_zone: bad value \"https://sts.example.net\": expected a domain "
	    "name (letters, digits and hyphens in labels separated by dots); "
	    "required");
	refused_value("sts_zone = a..b\n", "sts_zone: bad value \"a..b\": "
	    "expected a domain name (letters, digits and hyphens in labels "
	    "separated by dots); required");
	refused_value("sts_zone = ok.test\npolicy_host = mta-sts.$sts_zone.\n",
	    "policy_host: bad value \"mta-sts.ok.test.\": expected a domain "
	    "name (letters, digits and hyphens in labels separated by dots) "
	    "(from \"mta-sts.$sts_zone.\")");
	refused_value("sts_zone = x\nacme_directory_url = http://ca.test/dir\n",
	    "acme_directory_url: bad value \"http://ca.test/dir\": expected an "
	    "https:// URL");
	refused_value("maillog_file = log\n", "maillog_file: bad value "
	    "\"log\": expected an absolute path, or empty");
	refused_value("report_https_path = /a b\n", "report_https_path: bad "
	    "value \"/a b\": expected a URL path: \"/\" then printable "
	    "characters other than space, \"?\" and \"#\", or empty");
	refused_value("metrics_listen = 127.0.0.1:0\n", "metrics_listen: bad "
	    "value \"127.0.0.1:0\": expected host:port or [IPv6]:port, port 1 "
	    "to 65535");
	refused_value("domain_verification = maybe\n", "domain_verification: "
	    "bad value \"maybe\": expected one of dns, none");

	check_str(load("sts_zone = sts.test\nreport_recipients = a@$sts_zone "
	    "reports+*@$sts_zone\nalert_failure_rate = 0.5%\n"
	    "alert_webhook_url = https://[::1]:8080/hook?x=1\n"
	    "metrics_listen = [::1]:9425\nreport_https_path = /in,box\n"),
	    "", "good values of each syntax read");
	CHECK(cfg_percent("alert_failure_rate") == 0.5, "cfg_percent 0.5%%");
	check_str(load("alert_webhook_url = http://[::1]/hook\n"), "",
	    "a URL with an IPv6 address and no port");
	refused_value("alert_webhook_url = http://user@host.test/\n",
	    "alert_webhook_url: bad value \"http://user@host.test/\": expected "
	    "an http:// or https:// URL, or empty");
	refused_value("alert_webhook_url = http://[]/\n",
	    "alert_webhook_url: bad value \"http://[]/\": expected an http:// "
	    "or https:// URL, or empty");

	/* Left unset, sts_zone is missing, not wrong, and so are its users. */
	check_str(load(""), "", "sts_zone unset: main.cf reads");
	CHECK(cfg_check_required(&err) < 0, "sts_zone unset: required");
	check_str(err.s, "main.cf: parameter sts_zone is not set: expected a "
	    "domain name (letters, digits and hyphens in labels separated by "
	    "dots); required (fix: stsconf -e sts_zone=VALUE)",
	    "cfg_check_required names it and the fix");
	buf_reset(&err);
	check_str(load("sts_zone = s.test\n"), "", "sts_zone set");
	CHECK(cfg_check_required(&err) == 0 && err.len == 0,
	    "sts_zone set: nothing missing");

	/* Users and groups, from the host's databases. */
	check_str(load("mail_owner = nosuchuser.cfgtest\n"), "",
	    "main.cf reads without looking users up");
	CHECK(cfg_check_host(&err) < 0, "a user that does not exist");
	check_str(err.s, "main.cf:1: parameter mail_owner: bad value "
	    "\"nosuchuser.cfgtest\": expected a user that exists and is not "
	    "root (no such user)", "cfg_check_host: no such user");
	buf_reset(&err);
	check_str(load("mail_owner = root\nsetgid_group = root\n"), "",
	    "mail_owner = root reads");
	CHECK(cfg_check_host(&err) < 0, "root is refused");
	check_str(err.s, "main.cf:1: parameter mail_owner: bad value \"root\": "
	    "expected a user that exists and is not root (it has uid 0)",
	    "cfg_check_host: root");
	buf_reset(&err);
	check_str(load("mail_owner = nobody\nsetgid_group = nosuchgroup.x\n"),
	    "", "a missing group reads");
	CHECK(cfg_check_host(&err) < 0, "a group that does not exist");
	check_str(err.s, "main.cf:2: parameter setgid_group: bad value "
	    "\"nosuchgroup.x\": expected a group that exists (no such group)",
	    "cfg_check_host: no such group");
	buf_reset(&err);

	/* Overrides obey the same rules. */
	CHECK(cfg_override("default_policy_max_age", "1y", &err) < 0,
	    "-o with an unknown unit");
	buf_reset(&err);
	CHECK(cfg_override("readiness_major_share", "101", &err) < 0,
	    "-o out of bounds");
	check_str(err.s, "-o readiness_major_share=101: parameter "
	    "readiness_major_share: bad integer value \"101\": expected from 1 "
	    "to 100", "-o names the override");
	buf_reset(&err);

	/* A saved configuration survives a read and comes back. */
	check_str(load("sts_zone = old.test\n"), "", "the running one");
	saved = cfg_save();
	check_str(load("sts_zone = new.test\n"), "", "the next one");
	check_str(cfg_str("sts_zone"), "new.test", "the next one is current");
	cfg_restore(saved);
	check_str(cfg_str("sts_zone"), "old.test", "cfg_restore brings it back");
	saved = cfg_save();
	check_str(load("sts_zone = new.test\n"), "", "read again");
	cfg_forget(saved);
	check_str(cfg_str("sts_zone"), "new.test", "cfg_forget keeps the new");
	buf_free(&err);
}

static void
test_percent(void)
{
	static const struct {
		const char *in;
		double	 pct;		/* < 0: refused */
	} cases[] = {
		{ "1%", 1 }, { "0.5%", 0.5 }, { "2", 2 }, { "100%", 100 },
		{ "0%", 0 }, { "abc", -1 }, { "-1%", -1 }, { "101%", -1 },
		{ "%", -1 }, { "", -1 }, { "1%%", -1 }, { " 1%", -1 },
		{ "nan", -1 }, { "1e2", 100 }, { "1e999", -1 },
	};
	size_t i;
	double v;
	int rc;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		v = -7;
		rc = cfg_parse_percent(cases[i].in, &v);
		if (cases[i].pct < 0)
			CHECK(rc < 0, "percentage \"%s\" refused", cases[i].in);
		else
			CHECK(rc == 0 && v == cases[i].pct,
			    "percentage \"%s\" is %g%%", cases[i].in,
			    cases[i].pct);
	}
}

int
main(void)
{
	setvbuf(stdout, NULL, _IOLBF, 0);
	log_init("cfg_test", 0);
	if (mkdtemp(tmpdir) == NULL)
		return 1;
	snprintf(logpath, sizeof(logpath), "%s/log", tmpdir);
	if (log_open_file(logpath) < 0)
		return 1;

	test_syntax();
	test_types();
	test_errors();
	test_limits();
	test_override();
	test_files();
	test_scan();
	test_table_rules();
	test_rules();
	test_percent();

	cfg_free();
	unlink(logpath);
	rmdir(tmpdir);
	return unit_failures > 0;
}
