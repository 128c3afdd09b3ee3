/*
 * policy_test - lib/policy: parsing with exact error texts, rendering
 * and round trips, validation, the mx matching rule, policy ids.
 * SPDX-License-Identifier: ISC
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "buf.h"
#include "log.h"
#include "policy.h"
#include "unit.h"

/* Prints a string with its line ends visible, for test names. */
static const char *
show(const char *s, size_t len)
{
	static struct buf b = BUF_INIT;
	size_t i;

	buf_reset(&b);
	for (i = 0; i < len && b.len < 60; i++) {
		unsigned char c = (unsigned char)s[i];

		if (c == '\r')
			buf_puts(&b, "\\r");
		else if (c == '\n')
			buf_puts(&b, "\\n");
		else if (c < 0x20 || c > 0x7e)
			buf_printf(&b, "\\x%02x", c);
		else
			buf_putc(&b, c);
	}
	if (i < len)
		buf_puts(&b, "...");
	return b.s ? b.s : "";
}

struct bad_case {
	const char *text;
	const char *error;
};

static const struct bad_case bad_cases[] = {
	{ "", "empty policy: no \"version: STSv1\" line" },
	{ "mode: testing\nversion: STSv1\n",
	    "line 1: first line must be \"version: STSv1\"" },
	{ "version: STSv2\n", "line 1: version \"STSv2\": only STSv1 is supported" },
	{ "version: stsv1\n", "line 1: version \"stsv1\": only STSv1 is supported" },
	{ "Version: STSv1\n", "line 1: first line must be \"version: STSv1\"" },
	{ "\nversion: STSv1\n", "line 1: empty line" },
	{ "version: STSv1\nmode: testing\nmx: *.*.example.com\nmax_age: 86400\n",
	    "line 3: mx pattern \"*.*.example.com\": wildcard only allowed as "
	    "the leftmost label" },
	{ "version: STSv1\nmode: testing\nmx: mx*.example.com\nmax_age: 1\n",
	    "line 3: mx pattern \"mx*.example.com\": wildcard must be the "
	    "whole leftmost label" },
	{ "version: STSv1\nmode: testing\nmx: a.*.example.com\nmax_age: 1\n",
	    "line 3: mx pattern \"a.*.example.com\": wildcard only allowed as "
	    "the leftmost label" },
	{ "version: STSv1\nmode: testing\nmx: *\nmax_age: 1\n",
	    "line 3: mx pattern \"*\": wildcard without a domain" },
	{ "version: STSv1\nmode: testing\nmx: mx.example.com.\nmax_age: 1\n",
	    "line 3: mx pattern \"mx.example.com.\": trailing dot not allowed" },
	{ "version: STSv1\nmode: testing\nmx: mx..example.com\nmax_age: 1\n",
	    "line 3: mx pattern \"mx..example.com\": empty label" },
	{ "version: STSv1\nmode: testing\nmx: mx_1.example.com\nmax_age: 1\n",
	    "line 3: mx pattern \"mx_1.example.com\": bad character \"_\"" },
	{ "version: STSv1\nmode: testing\nmx: -mx.example.com\nmax_age: 1\n",
	    "line 3: mx pattern \"-mx.example.com\": label \"-mx\" starts with "
	    "a hyphen" },
	{ "version: STSv1\nmode: testing\nmx: mx-.example.com\nmax_age: 1\n",
	    "line 3: mx pattern \"mx-.example.com\": label \"mx-\" ends with "
	    "a hyphen" },
	{ "version: STSv1\nmode: testing\nmx: mx 1.example.com\nmax_age: 1\n",
	    "line 3: mx pattern \"mx 1.example.com\": bad character 0x20" },
	{ "version: STSv1\nmode: Testing\n",
	    "line 2: mode \"Testing\": must be testing, enforce or none" },
	{ "version: STSv1\nmode: testing\nmode: enforce\n",
	    "line 3: mode given twice" },
	{ "version: STSv1\nmode: none\nversion: STSv1\n",
	    "line 3: version given twice" },
	{ "version: STSv1\nmode: none\nmax_age: 1\nmax_age: 2\n",
	    "line 4: max_age given twice" },
	{ "version: STSv1\nmode: none\nmax_age: 31557601\n",
	    "line 3: max_age 31557601: more than 31557600 seconds" },
	{ "version: STSv1\nmode: none\nmax_age: 00000000001\n",
	    "line 3: max_age \"00000000001\": more than 10 digits" },
	{ "version: STSv1\nmode: none\nmax_age: -1\n",
	    "line 3: max_age \"-1\": not a number of seconds" },
	{ "version: STSv1\nmode: none\nmax_age: 1 d\n",
	    "line 3: max_age \"1 d\": not a number of seconds" },
	{ "version: STSv1\nmode: none\nmax_age:\n",
	    "line 3: key \"max_age\": empty value" },
	{ "version: STSv1\nmode: none\nmax_age: 86400\n\n",
	    "line 4: empty line" },
	{ "version: STSv1\r\nmode: none\r\n\r\nmax_age: 86400\r\n",
	    "line 3: empty line" },
	{ "version: STSv1\nmode : none\n",
	    "line 2: key \"mode \": not 1 to 32 letters, digits, \"_\", \"-\" "
	    "or \".\" starting with a letter or digit" },
	{ "version: STSv1\nmode none\n",
	    "line 2: \"mode none\": not a \"key: value\" line" },
	{ "version: STSv1\n_x: y\n",
	    "line 2: key \"_x\": not 1 to 32 letters, digits, \"_\", \"-\" "
	    "or \".\" starting with a letter or digit" },
	{ "version: STSv1\nabcdefghijabcdefghijabcdefghijabc: y\n",
	    "line 2: key \"abcdefghijabcdefghijabcdefghijabc\": not 1 to 32 "
	    "letters, digits, \"_\", \"-\" or \".\" starting with a letter or "
	    "digit" },
	{ "version: STSv1\nfoo: a\tb\n", "line 2: key \"foo\": tab inside the value" },
	{ "version: STSv1\rmode: none\n", "line 1: CR not followed by LF" },
	{ "version: STSv1\nmode: none\x01\n", "line 2: control character 0x01" },
	{ "version: STSv1\nfoo: caf\xc3\xa9\n", "line 2: non-ASCII byte 0xc3" },
	{ "version: STSv1\nmode: testing\nmax_age: 86400\n",
	    "mode testing needs at least one mx line" },
	{ "version: STSv1\nmode: enforce\nmax_age: 86400",
	    "mode enforce needs at least one mx line" },
	{ "version: STSv1\nmx: mx.example.com\nmax_age: 86400\n",
	    "no mode line" },
	{ "version: STSv1\nmode: none\n", "no max_age line" },
	{ NULL, NULL }
};

static void
test_bad(void)
{
	const struct bad_case *c;
	struct buf err = BUF_INIT;
	struct policy *p;
	int rc;

	for (c = bad_cases; c->text; c++) {
		buf_reset(&err);
		rc = policy_parse(c->text, strlen(c->text), &p, &err);
		CHECK(rc == -1 && p == NULL && err.s && strcmp(err.s, c->error) == 0,
		    "refused \"%s\": %s", show(c->text, strlen(c->text)), c->error);
		if (err.s && strcmp(err.s, c->error) != 0)
			printf("#   got: %s\n", err.s);
		policy_free(p);
	}

	/* A NUL byte inside (strlen would stop there). */
	buf_reset(&err);
	rc = policy_parse("version: STSv1\nmo\0de: none\n", 26, &p, &err);
	CHECK(rc == -1 && strcmp(err.s, "line 2: NUL byte") == 0,
	    "NUL byte refused with its line");
	buf_free(&err);
}

static void
test_limits(void)
{
	struct buf text = BUF_INIT, err = BUF_INIT;
	struct policy *p;
	int i, rc;

	buf_puts(&text, "version: STSv1\nmode: none\nmax_age: 1\n");
	for (i = 3; i < POLICY_LINES_MAX; i++)
		buf_puts(&text, "x: y\n");
	rc = policy_parse(text.s, text.len, &p, &err);
	CHECK(rc == 0 && p->next == POLICY_LINES_MAX - 3,
	    "%d lines accepted", POLICY_LINES_MAX);
	policy_free(p);
	buf_puts(&text, "x: y\n");
	rc = policy_parse(text.s, text.len, &p, &err);
	CHECK(rc == -1 && strcmp(err.s, "line 1001: more than 1000 lines") == 0,
	    "line %d refused: %s", POLICY_LINES_MAX + 1, err.s);

	buf_reset(&text);
	buf_reset(&err);
	buf_puts(&text, "version: STSv1\nmode: none\nmax_age: 1\nx: ");
	while (text.len < POLICY_SIZE_MAX)
		buf_putc(&text, 'y');
	rc = policy_parse(text.s, text.len, &p, &err);
	CHECK(rc == 0, "policy of exactly %d bytes accepted", POLICY_SIZE_MAX);
	policy_free(p);
	buf_putc(&text, 'y');
	rc = policy_parse(text.s, text.len, &p, &err);
	CHECK(rc == -1 && strcmp(err.s,
	    "policy is 65537 bytes: more than 65536 allowed") == 0,
	    "policy of %d bytes refused: %s", POLICY_SIZE_MAX + 1, err.s);
	buf_free(&text);
	buf_free(&err);
}

static void
test_good(void)
{
	static const char text[] =
	    "version: STSv1\r\n"
	    "mode:enforce  \n"
	    "mx: MX1.Example.COM\r\n"
	    "x-note: hello  world \n"
	    "mx:\t*.example.net\t\r\n"
	    "max_age: 0000604800\n"
	    "Mode: kept\r\n"
	    "mx: mx1.example.com";
	static const char want[] =
	    "version: STSv1\r\n"
	    "mode: enforce\r\n"
	    "mx: mx1.example.com\r\n"
	    "mx: *.example.net\r\n"
	    "mx: mx1.example.com\r\n"
	    "max_age: 604800\r\n"
	    "x-note: hello  world\r\n"
	    "Mode: kept\r\n";
	struct buf err = BUF_INIT, out = BUF_INIT, out2 = BUF_INIT;
	struct policy *p, *q;
	const char *text2;
	int rc;

	rc = policy_parse(text, strlen(text), &p, &err);
	CHECK(rc == 0, "mixed CRLF/LF, white space, extensions, no final "
	    "line end: parsed%s%s", err.s ? ": " : "", err.s ? err.s : "");
	if (rc != 0)
		return;
	CHECK(p->mode == POLICY_MODE_ENFORCE && p->max_age == 604800,
	    "mode and max_age");
	CHECK(p->nmx == 3 && strcmp(p->mx[0], "mx1.example.com") == 0 &&
	    strcmp(p->mx[1], "*.example.net") == 0,
	    "mx patterns in order, lower case, duplicates kept");
	CHECK(p->next == 2 && strcmp(p->ext[0].name, "x-note") == 0 &&
	    strcmp(p->ext[0].value, "hello  world") == 0 &&
	    strcmp(p->ext[1].name, "Mode") == 0,
	    "unknown keys kept in order, keys case-sensitive");
	policy_render(p, &out);
	CHECK(strcmp(out.s, want) == 0, "rendered in canonical order with CRLF");
	rc = policy_parse(out.s, out.len, &q, &err);
	CHECK(rc == 0 && policy_equal(p, q), "parse(render(p)) == p");
	if (rc == 0) {
		policy_render(q, &out2);
		CHECK(strcmp(out.s, out2.s) == 0, "render is stable");
		policy_free(q);
	}
	policy_free(p);

	buf_reset(&out);
	text2 = "version: STSv1\nmode: none\nmax_age: 0\n";
	rc = policy_parse(text2, strlen(text2), &p, &err);
	CHECK(rc == 0 && p->mode == POLICY_MODE_NONE && p->nmx == 0 &&
	    p->max_age == 0, "mode none without mx, max_age 0");
	if (rc == 0) {
		policy_render(p, &out);
		CHECK(strcmp(out.s, "version: STSv1\r\nmode: none\r\n"
		    "max_age: 0\r\n") == 0, "mode none rendered");
	}
	policy_free(p);

	text2 = "version: STSv1\nmode: testing\nmx: a\nmax_age: 31557600\n";
	rc = policy_parse(text2, strlen(text2), &p, &err);
	CHECK(rc == 0 && p->max_age == 31557600 && strcmp(p->mx[0], "a") == 0,
	    "max_age 31557600 and a one-label mx accepted");
	policy_free(p);
	buf_free(&err);
	buf_free(&out);
	buf_free(&out2);
}

static void
test_render_by_hand(void)
{
	char *mx[] = { "mx1.example.com", "*.example.net" };
	struct policy p, *q;
	struct buf out = BUF_INIT, err = BUF_INIT;

	memset(&p, 0, sizeof(p));
	p.mode = POLICY_MODE_TESTING;
	p.mx = mx;
	p.nmx = 2;
	p.max_age = 86400;
	CHECK(policy_validate(&p, &err) == 0, "policy filled by hand is valid");
	policy_render(&p, &out);
	CHECK(strcmp(out.s, "version: STSv1\r\nmode: testing\r\n"
	    "mx: mx1.example.com\r\nmx: *.example.net\r\nmax_age: 86400\r\n") == 0,
	    "policy filled by hand rendered");
	CHECK(policy_parse(out.s, out.len, &q, &err) == 0 && policy_equal(&p, q),
	    "and parsed back equal");
	policy_free(q);
	buf_free(&out);
	buf_free(&err);
}

static void
test_validate(void)
{
	char *mx[] = { "mx1.example.com", "MX2.example.com", "mx1.example.com",
	    "*.*.x" };
	struct ststxt_ext ext[] = { { "mode", "x" }, { "a b", "c" },
	    { "ok", " padded" }, { "ok", "" } };
	struct policy p;
	struct buf err = BUF_INIT;
	static const struct {
		int mode;
		size_t nmx_first, nmx;
		long long max_age;
		size_t ext_first, next;
		const char *error;
	} cases[] = {
		{ POLICY_MODE_ENFORCE, 0, 0, 1, 0, 0,
		    "mode enforce needs at least one mx pattern" },
		{ 7, 0, 1, 1, 0, 0, "mode 7: not a policy mode" },
		{ POLICY_MODE_TESTING, 0, 1, -1, 0, 0,
		    "max_age -1: out of range 0..31557600" },
		{ POLICY_MODE_TESTING, 0, 1, 31557601, 0, 0,
		    "max_age 31557601: out of range 0..31557600" },
		{ POLICY_MODE_TESTING, 0, 2, 1, 0, 0,
		    "mx pattern \"MX2.example.com\": not in lower case" },
		{ POLICY_MODE_TESTING, 2, 1, 1, 0, 0, NULL },
		{ POLICY_MODE_TESTING, 0, 3, 1, 0, 0,
		    "mx pattern \"MX2.example.com\": not in lower case" },
		{ POLICY_MODE_TESTING, 3, 1, 1, 0, 0,
		    "mx pattern \"*.*.x\": wildcard only allowed as the "
		    "leftmost label" },
		{ POLICY_MODE_NONE, 0, 0, 1, 0, 1,
		    "extension key \"mode\": is a policy field" },
		{ POLICY_MODE_NONE, 0, 0, 1, 1, 1,
		    "extension key \"a b\": not 1 to 32 letters, digits, \"_\", "
		    "\"-\" or \".\" starting with a letter or digit" },
		{ POLICY_MODE_NONE, 0, 0, 1, 2, 1,
		    "extension \"ok\": white space around the value" },
		{ POLICY_MODE_NONE, 0, 0, 1, 3, 1,
		    "extension \"ok\": empty value" },
	};
	size_t i;
	int rc;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		memset(&p, 0, sizeof(p));
		p.mode = (enum policy_mode)cases[i].mode;
		p.mx = mx + cases[i].nmx_first;
		p.nmx = cases[i].nmx;
		p.max_age = cases[i].max_age;
		p.ext = ext + cases[i].ext_first;
		p.next = cases[i].next;
		buf_reset(&err);
		rc = policy_validate(&p, &err);
		if (cases[i].error == NULL)
			CHECK(rc == 0, "validate case %zu accepted", i);
		else
			CHECK(rc == -1 && strcmp(err.s, cases[i].error) == 0,
			    "validate refuses: %s", cases[i].error);
	}

	/* Duplicates, which parsing accepts, are refused before storing. */
	{
		char *dup[] = { "mx1.example.com", "mx1.example.com" };

		memset(&p, 0, sizeof(p));
		p.mx = dup;
		p.nmx = 2;
		buf_reset(&err);
		CHECK(policy_validate(&p, &err) == -1 && strcmp(err.s,
		    "mx pattern \"mx1.example.com\": given twice") == 0,
		    "validate refuses a pattern given twice");
	}
	buf_free(&err);
}

static void
test_mx_valid(void)
{
	static const struct {
		const char *pattern;
		const char *error;
	} cases[] = {
		{ "mx.example.com", NULL },
		{ "*.example.com", NULL },
		{ "MX.Example.Com", NULL },
		{ "localhost", NULL },
		{ "a-b.c0.example", NULL },
		{ "123.example.com", NULL },
		{ "", "empty name" },
		{ "*", "wildcard without a domain" },
		{ "*.", "trailing dot not allowed" },
		{ ".example.com", "empty label" },
		{ "*example.com", "wildcard must be the whole leftmost label" },
		{ "**.example.com", "wildcard must be the whole leftmost label" },
		{ "a.b*", "wildcard only allowed as the leftmost label" },
		{ "mx.exa\"mple.com", "bad character 0x22" },
		{ "mx.exa\nmple.com", "bad character 0x0a" },
		{ "mx.ex\xc3\xa4mple.com", "bad character 0xc3" },
		{ NULL, NULL }
	};
	char label[POLICY_LABEL_MAX + 2], name[POLICY_NAME_MAX + 2];
	struct buf err = BUF_INIT;
	int i, rc;

	for (i = 0; cases[i].pattern; i++) {
		buf_reset(&err);
		rc = policy_mx_valid(cases[i].pattern, &err);
		if (cases[i].error == NULL)
			CHECK(rc == 0, "mx pattern \"%s\" valid", cases[i].pattern);
		else
			CHECK(rc == -1 && strcmp(err.s, cases[i].error) == 0,
			    "mx pattern \"%s\" refused: %s",
			    show(cases[i].pattern, strlen(cases[i].pattern)),
			    cases[i].error);
	}

	memset(label, 'a', POLICY_LABEL_MAX);
	label[POLICY_LABEL_MAX] = '\0';
	snprintf(name, sizeof(name), "%s.com", label);
	buf_reset(&err);
	CHECK(policy_mx_valid(name, &err) == 0, "63-character label valid");
	label[POLICY_LABEL_MAX] = 'a';
	label[POLICY_LABEL_MAX + 1] = '\0';
	snprintf(name, sizeof(name), "%s.com", label);
	buf_reset(&err);
	CHECK(policy_mx_valid(name, &err) == -1 &&
	    strstr(err.s, "is longer than 63 characters") != NULL,
	    "64-character label refused");

	/* 253 characters: 3 x (63 + ".") + 61. */
	memset(name, 'a', POLICY_NAME_MAX);
	name[63] = name[127] = name[191] = '.';
	name[POLICY_NAME_MAX] = '\0';
	buf_reset(&err);
	CHECK(policy_mx_valid(name, &err) == 0, "253-character name valid");
	name[POLICY_NAME_MAX] = 'a';
	name[POLICY_NAME_MAX + 1] = '\0';
	buf_reset(&err);
	CHECK(policy_mx_valid(name, &err) == -1 &&
	    strcmp(err.s, "longer than 253 characters") == 0,
	    "254-character name refused");
	buf_free(&err);
}

static void
test_mx_match(void)
{
	static const struct {
		const char *pattern, *host;
		int match;
	} cases[] = {
		{ "mx1.example.com", "mx1.example.com", 1 },
		{ "mx1.example.com", "MX1.EXAMPLE.COM", 1 },
		{ "MX1.example.com", "mx1.example.com", 1 },
		{ "mx1.example.com", "mx1.example.com.", 1 },
		{ "mx1.example.com", "mx1.example.com..", 0 },
		{ "mx1.example.com", "mx2.example.com", 0 },
		{ "mx1.example.com", "x.mx1.example.com", 0 },
		{ "mx1.example.com", "example.com", 0 },
		{ "*.example.com", "a.example.com", 1 },
		{ "*.example.com", "A.Example.COM.", 1 },
		{ "*.example.com", "mx-1.example.com", 1 },
		{ "*.example.com", "a.b.example.com", 0 },
		{ "*.example.com", "example.com", 0 },
		{ "*.example.com", ".example.com", 0 },
		{ "*.example.com", "aexample.com", 0 },
		{ "*.example.com", "a.example.co", 0 },
		{ "*.example.com", "a.example.com.evil", 0 },
		{ "*.example.com", "*.example.com", 1 },
		{ "*.com", "example.com", 1 },
		{ "", "example.com", 0 },
		{ "example.com", "", 0 },
		{ "example.com", ".", 0 },
		{ NULL, NULL, 0 }
	};
	int i;

	for (i = 0; cases[i].pattern; i++)
		CHECK(policy_mx_match(cases[i].pattern, cases[i].host) ==
		    cases[i].match, "\"%s\" %s \"%s\"", cases[i].pattern,
		    cases[i].match ? "matches" : "does not match", cases[i].host);
}

static void
test_mode(void)
{
	enum policy_mode m;

	CHECK(policy_mode_parse("testing", &m) == 0 && m == POLICY_MODE_TESTING &&
	    policy_mode_parse("enforce", &m) == 0 && m == POLICY_MODE_ENFORCE &&
	    policy_mode_parse("none", &m) == 0 && m == POLICY_MODE_NONE,
	    "the three modes parse");
	CHECK(policy_mode_parse("Enforce", &m) == -1 &&
	    policy_mode_parse("", &m) == -1 &&
	    policy_mode_parse("enforce ", &m) == -1, "other modes refused");
	CHECK(strcmp(policy_mode_name(POLICY_MODE_ENFORCE), "enforce") == 0 &&
	    strcmp(policy_mode_name(POLICY_MODE_NONE), "none") == 0,
	    "mode names");
}

static void
test_ids(void)
{
	char id[POLICY_ID_MAX + 1], prev[POLICY_ID_MAX + 1], big[40];
	time_t t = 1795000000;	/* 2026-11-18 11:06:40 UTC */
	int i, ok = 1;

	policy_id_at(id, NULL, t);
	CHECK(strcmp(id, "20261118110640000000") == 0,
	    "first id is the UTC time and counter 000000: %s", id);
	policy_id_at(id, "", t);
	CHECK(strcmp(id, "20261118110640000000") == 0, "empty previous: same");

	/* 1,000 changes in the same second. */
	strcpy(prev, "");
	for (i = 0; i < 1000; i++) {
		policy_id_at(id, prev, t);
		if (!policy_id_valid(id) || strcmp(id, prev) <= 0)
			ok = 0;
		strcpy(prev, id);
	}
	CHECK(ok && strcmp(id, "20261118110640000999") == 0,
	    "1,000 ids in one second each greater than the previous: last %s",
	    id);
	policy_id_at(id, prev, t + 1);
	CHECK(strcmp(id, "20261118110641000000") == 0,
	    "next second starts again at counter 0");

	policy_id_at(id, "20261118110641000000", t);
	CHECK(strcmp(id, "20261118110641000001") == 0,
	    "clock went back: previous plus one");
	policy_id_at(id, "20261118110640999999", t);
	CHECK(strcmp(id, "20261118110641000000") == 0, "counter carries");
	policy_id_at(id, "99999999999999999999", t);
	CHECK(strcmp(id, "999999999999999999990") == 0,
	    "all nines: one more character");

	policy_id_at(id, "abc", t);
	CHECK(strcmp(id, "abc0") == 0 && strcmp(id, "abc") > 0,
	    "foreign id: greater by one character");
	policy_id_at(id, "1999", t);
	CHECK(strcmp(id, "20261118110640000000") == 0,
	    "foreign id smaller than the time: the time");
	memset(big, 'z', POLICY_ID_MAX);
	big[POLICY_ID_MAX] = '\0';
	big[POLICY_ID_MAX - 1] = 'Z';
	policy_id_at(id, big, t);
	CHECK(strlen(id) == POLICY_ID_MAX && strcmp(id, big) > 0 &&
	    id[POLICY_ID_MAX - 1] == 'a', "32-character foreign id increased");
	big[POLICY_ID_MAX - 1] = '9';
	policy_id_at(id, big, t);
	CHECK(id[POLICY_ID_MAX - 1] == 'A' && strcmp(id, big) > 0,
	    "digit 9 increases to A");
	memset(big, 'z', POLICY_ID_MAX);
	policy_id_at(id, big, t);
	CHECK(policy_id_valid(id) && strcmp(id, big) != 0,
	    "32 z: a different id");
	policy_id_at(id, "not valid!", t);
	CHECK(strcmp(id, "20261118110640000000") == 0,
	    "invalid previous: the time");

	policy_id_new(id, NULL);
	policy_id_new(prev, id);
	CHECK(policy_id_valid(id) && strlen(id) == 20 && strcmp(prev, id) > 0,
	    "policy_id_new uses the clock: %s then %s", id, prev);

	CHECK(policy_id_valid("a") && policy_id_valid("20261117") &&
	    policy_id_valid("abcdefghijABCDEFGHIJ0123456789xy"),
	    "ids of 1 to 32 letters and digits valid");
	CHECK(!policy_id_valid("") && !policy_id_valid("a-b") &&
	    !policy_id_valid("a b") && !policy_id_valid("\xc3\xa9") &&
	    !policy_id_valid("abcdefghijABCDEFGHIJ0123456789xyz"),
	    "empty, punctuation, non-ASCII, 33 characters invalid");
}

int
main(void)
{
	log_init("policy_test", LOG_TO_STDERR);
	test_bad();
	test_limits();
	test_good();
	test_render_by_hand();
	test_validate();
	test_mx_valid();
	test_mx_match();
	test_mode();
	test_ids();
	return unit_failures > 0;
}
