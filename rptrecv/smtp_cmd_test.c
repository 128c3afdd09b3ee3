/*
 * smtp_cmd_test - unit test of smtp_cmd: verbs, paths, parameters and
 *	the reply text of every refusal.
 * SPDX-License-Identifier: ISC
 */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include "smtp_cmd.h"
#include "unit.h"

/* Parses line (flags) and checks the result: arg on success, reply on error. */
static void
t(const char *line, int flags, enum smtp_verb verb, int want_rc,
    const char *want)
{
	struct smtp_cmd cmd;
	const char *reply = NULL;
	char what[600];
	int rc, good;

	rc = smtp_cmd_parse(line, strlen(line), flags, &cmd, &reply);
	if (want_rc == 0)
		good = rc == 0 && cmd.verb == verb && strcmp(cmd.arg, want) == 0;
	else
		good = rc == -1 && reply != NULL && strcmp(reply, want) == 0;
	snprintf(what, sizeof(what), "\"%.80s\" -> %s", line, want);
	CHECK(good, "%s", what);
	if (!good)
		printf("#   got rc %d verb %d arg \"%s\" reply \"%s\"\n", rc,
		    (int)cmd.verb, cmd.arg, reply ? reply : "(none)");
}

/*
 * A command line, the parse flags, and the verb and argument (want_rc 0)
 * or the reply (want_rc -1) expected.
 */
struct smtp_case {
	const char *line;
	int	flags;
	enum smtp_verb verb;
	int	want_rc;
	const char *want;
};

/* Each case of a table, in order. */
static void
t_all(const struct smtp_case *c, size_t n)
{
	for (size_t i = 0; i < n; i++)
		t(c[i].line, c[i].flags, c[i].verb, c[i].want_rc, c[i].want);
}

static const struct smtp_case verbs[] = {
	{"EHLO mail.example.com", 0, SMTP_EHLO, 0, "mail.example.com"},
	{"ehlo mail.example.com", 0, SMTP_EHLO, 0, "mail.example.com"},
	{"HELO host_name.example", 0, SMTP_HELO, 0, "host_name.example"},
	{"EHLO [192.0.2.1]", 0, SMTP_EHLO, 0, "[192.0.2.1]"},
	{"EHLO [IPv6:2001:db8::1]", 0, SMTP_EHLO, 0, "[IPv6:2001:db8::1]"},
	{"EHLO", 0, SMTP_EHLO, -1, "501 5.5.4 Syntax: EHLO hostname"},
	{"HELO ", 0, SMTP_HELO, -1, "501 5.5.4 Syntax: HELO hostname"},
	{"EHLO [192.0.2.300]", 0, SMTP_EHLO, -1,
	    "501 5.5.2 Invalid address literal: [192.0.2.300]"},
	{"EHLO bad<host>", 0, SMTP_EHLO, -1,
	    "501 5.5.2 Invalid hostname: bad<host>"},
	{"DATA", 0, SMTP_DATA, 0, ""},
	{"data  ", 0, SMTP_DATA, 0, ""},
	{"DATA now", 0, SMTP_DATA, -1, "501 5.5.4 Syntax: DATA (no argument)"},
	{"RSET", 0, SMTP_RSET, 0, ""},
	{"QUIT", 0, SMTP_QUIT, 0, ""},
	{"STARTTLS", 0, SMTP_STARTTLS, 0, ""},
	{"STARTTLS x", 0, SMTP_STARTTLS, -1,
	    "501 5.5.4 Syntax: STARTTLS (no argument)"},
	{"NOOP", 0, SMTP_NOOP, 0, ""},
	{"NOOP hello there", 0, SMTP_NOOP, 0, "hello there"},
	{"HELP", 0, SMTP_HELP, 0, ""},
	{"VRFY postmaster", 0, SMTP_VRFY, 0, "postmaster"},
	{"VRFY", 0, SMTP_VRFY, -1, "501 5.5.4 Syntax: VRFY address"},
	{"EXPN list", 0, SMTP_UNKNOWN, -1,
	    "500 5.5.2 Error: command not recognized"},
	{"", 0, SMTP_UNKNOWN, -1, "500 5.5.2 Error: command not recognized"},
	{"DATAX", 0, SMTP_UNKNOWN, -1,
	    "500 5.5.2 Error: command not recognized"},
	{"NOOP \001", 0, SMTP_NOOP, -1,
	    "500 5.5.2 Error: bad character in command"},
};

static void
test_verbs(void)
{
	t_all(verbs, UNIT_NCASES(verbs));
}

static const struct smtp_case mail_from[] = {
	{"MAIL FROM:<a@example.com>", 0, SMTP_MAIL, 0, "a@example.com"},
	{"mail from:<a@example.com>", 0, SMTP_MAIL, 0, "a@example.com"},
	{"MAIL FROM: <a@example.com>", 0, SMTP_MAIL, 0, "a@example.com"},
	{"MAIL FROM:<>", 0, SMTP_MAIL, 0, ""},
	{"MAIL FROM:<@relay.example,@r2.example:a@example.com>", 0, SMTP_MAIL,
	    0, "a@example.com"},
	{"MAIL FROM:<\"john doe\"@example.com>", 0, SMTP_MAIL, 0,
	    "\"john doe\"@example.com"},
	{"MAIL FROM:<\"a>b\"@example.com>", 0, SMTP_MAIL, 0,
	    "\"a>b\"@example.com"},
	{"MAIL FROM:<a@[192.0.2.1]>", 0, SMTP_MAIL, 0, "a@[192.0.2.1]"},
	{"MAIL FROM:a@example.com", 0, SMTP_MAIL, -1,
	    "501 5.5.4 Syntax: MAIL FROM:<address>"},
	{"MAIL TO:<a@example.com>", 0, SMTP_MAIL, -1,
	    "501 5.5.4 Syntax: MAIL FROM:<address>"},
};

/* MAIL FROM lines whose address is refused. */
static const char *const bad_senders[] = {
	"MAIL FROM:<a@example.com",
	"MAIL FROM:<a..b@example.com>",
	"MAIL FROM:<a@-example.com>",
	"MAIL FROM:<a@example-.com>",
	"MAIL FROM:<a@example..com>",
	"MAIL FROM:<a@example.com.>",
	"MAIL FROM:<example.com>",
	"MAIL FROM:<a@b@example.com>",
};

static const struct smtp_case mail_options[] = {
	{"MAIL FROM:<a@example.com> junk", 0, SMTP_MAIL, -1,
	    "555 5.5.4 Unsupported option: junk"},
	{"MAIL FROM:<a@example.com>junk", 0, SMTP_MAIL, -1,
	    "501 5.5.4 Syntax: MAIL FROM:<address> [parameters]"},
	{"MAIL FROM:<a@example.com> SIZE=12345 BODY=8BITMIME", 0, SMTP_MAIL, 0,
	    "a@example.com"},
};

static const struct smtp_case mail_params[] = {
	{"MAIL FROM:<a@example.com> SIZE=", 0, SMTP_MAIL, -1,
	    "501 5.5.4 Bad parameter syntax"},
	{"MAIL FROM:<a@example.com> SIZE=12a", 0, SMTP_MAIL, -1,
	    "501 5.5.4 Bad SIZE parameter"},
	{"MAIL FROM:<a@example.com> SIZE=99999999999999999999999", 0,
	    SMTP_MAIL, -1, "501 5.5.4 Bad SIZE parameter"},
	{"MAIL FROM:<a@example.com> BODY=BINARYMIME", 0, SMTP_MAIL, -1,
	    "501 5.5.4 Bad BODY parameter: use 7BIT or 8BITMIME"},
	{"MAIL FROM:<a@example.com> SMTPUTF8=yes", 0, SMTP_MAIL, -1,
	    "501 5.5.4 SMTPUTF8 takes no value"},
	{"MAIL FROM:<a@example.com> AUTH=<>", 0, SMTP_MAIL, -1,
	    "555 5.5.4 Unsupported option: AUTH=<>"},
	{"MAIL FROM:<j\xc3\xb6rg@example.com>", 0, SMTP_MAIL, -1,
	    "553 5.6.7 Non-ASCII address requires SMTPUTF8"},
	{"MAIL FROM:<j\xc3\xb6rg@\xc3\xa9xample.com> SMTPUTF8", 0, SMTP_MAIL,
	    0, "j\xc3\xb6rg@\xc3\xa9xample.com"},
	{"MAIL FROM:<j\xc3rg@example.com> SMTPUTF8", 0, SMTP_MAIL, -1,
	    "501 5.1.7 Bad sender address syntax"},
};

static void
test_mail(void)
{
	struct smtp_cmd cmd;
	const char *reply;
	const char *l;

	t_all(mail_from, UNIT_NCASES(mail_from));
	for (size_t i = 0; i < UNIT_NCASES(bad_senders); i++)
		t(bad_senders[i], 0, SMTP_MAIL, -1,
		    "501 5.1.7 Bad sender address syntax");
	t_all(mail_options, UNIT_NCASES(mail_options));
	l = "MAIL FROM:<a@example.com> SIZE=12345 BODY=8BITMIME SMTPUTF8";
	CHECK(smtp_cmd_parse(l, strlen(l), 0, &cmd, &reply) == 0 &&
	    cmd.has_size && cmd.size == 12345 && cmd.body_8bit &&
	    cmd.smtputf8, "SIZE, BODY and SMTPUTF8 are returned");
	t_all(mail_params, UNIT_NCASES(mail_params));
}

static const struct smtp_case rcpt_to[] = {
	{"RCPT TO:<tlsrpt@example.com>", 0, SMTP_RCPT, 0,
	    "tlsrpt@example.com"},
	{"rcpt to:<TLSRPT+x.example@Example.COM>", 0, SMTP_RCPT, 0,
	    "TLSRPT+x.example@Example.COM"},
	{"RCPT TO:<Postmaster>", 0, SMTP_RCPT, 0, "Postmaster"},
	{"RCPT TO:<>", 0, SMTP_RCPT, -1,
	    "501 5.1.3 Bad recipient address syntax"},
	{"RCPT TO:<a@example.com> NOTIFY=NEVER", 0, SMTP_RCPT, -1,
	    "555 5.5.4 Unsupported option: NOTIFY=NEVER"},
	{"RCPT FROM:<a@example.com>", 0, SMTP_RCPT, -1,
	    "501 5.5.4 Syntax: RCPT TO:<address>"},
	{"RCPT TO:<\xc3\xa9@example.com>", 0, SMTP_RCPT, -1,
	    "553 5.6.7 Non-ASCII address requires SMTPUTF8"},
	{"RCPT TO:<\xc3\xa9@example.com>", SMTP_CMD_UTF8, SMTP_RCPT, 0,
	    "\xc3\xa9@example.com"},
};

static void
test_rcpt(void)
{
	t_all(rcpt_to, UNIT_NCASES(rcpt_to));

}

static void
test_limits(void)
{
	struct smtp_cmd cmd;
	const char *reply;
	char line[1200], local[100], domain[300], want[400];
	size_t n;

	memset(local, 'l', 64);
	local[64] = '\0';
	snprintf(line, sizeof(line), "RCPT TO:<%s@example.com>", local);
	snprintf(want, sizeof(want), "%s@example.com", local);
	t(line, 0, SMTP_RCPT, 0, want);
	memset(local, 'l', 65);
	local[65] = '\0';
	snprintf(line, sizeof(line), "RCPT TO:<%s@example.com>", local);
	t(line, 0, SMTP_RCPT, -1, "501 5.1.3 Bad recipient address syntax");

	/* A 254-octet mailbox is a 256-octet path: the largest allowed. */
	memset(domain, 0, sizeof(domain));
	for (n = 0; n < 252 - 2; n += 50)
		memcpy(domain + n, n + 50 < 250 ?
		    "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa." :
		    "bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb", 50);
	domain[252] = '\0';
	memset(domain + 250, 'c', 2);
	snprintf(line, sizeof(line), "RCPT TO:<a@%s>", domain);
	snprintf(want, sizeof(want), "a@%s", domain);
	t(line, 0, SMTP_RCPT, 0, want);
	snprintf(line, sizeof(line), "RCPT TO:<ab@%s>", domain);
	t(line, 0, SMTP_RCPT, -1, "501 5.1.3 Recipient address too long");
	CHECK(smtp_domain_valid(domain, strlen(domain), 0),
	    "a 252-octet domain is valid");

	memset(line, 'x', sizeof(line));
	memcpy(line, "NOOP ", 5);
	CHECK(smtp_cmd_parse(line, SMTP_LINE_MAX - 2, 0, &cmd, &reply) == 0,
	    "a 998-octet command line is parsed");
	CHECK(smtp_cmd_parse(line, SMTP_LINE_MAX - 1, 0, &cmd, &reply) == -1 &&
	    strcmp(reply, "500 5.5.2 Error: line too long") == 0,
	    "a 999-octet command line is refused as too long");
	CHECK(smtp_cmd_parse("NOOP\0x", 6, 0, &cmd, &reply) == -1 &&
	    strcmp(reply, "500 5.5.2 Error: bad character in command") == 0,
	    "a NUL in a command is refused");
	CHECK(smtp_path_valid("a@b", 3, 0) && !smtp_path_valid("a@", 2, 0) &&
	    !smtp_path_valid("@b", 2, 0), "smtp_path_valid");
}

int
main(void)
{
	test_verbs();
	test_mail();
	test_rcpt();
	test_limits();
	return unit_status();
}
