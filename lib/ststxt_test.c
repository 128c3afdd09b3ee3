/*
 * ststxt_test - lib/ststxt: the MTA-STS and TLS-RPT TXT records, good
 * and bad, with the exact error texts, and render round trips; the rua
 * rule of a hosted domain (ststxt_rua_make, ststxt_rua_for from main.cf).
 * SPDX-License-Identifier: ISC
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "cfg.h"
#include "log.h"
#include "mymalloc.h"
#include "ststxt.h"
#include "unit.h"

struct bad_case {
	const char *txt;
	const char *error;
};

static const struct bad_case sts_bad[] = {
	{ "", "not a \"v=STSv1\" record" },
	{ "v=STSv2; id=1", "not a \"v=STSv1\" record" },
	{ "v=STSv10; id=1", "not a \"v=STSv1\" record" },
	{ " v=STSv1; id=1", "not a \"v=STSv1\" record" },
	{ "V=STSv1; id=1", "not a \"v=STSv1\" record" },
	{ "v=STSv1", "no id field" },
	{ "v=STSv1;", "no id field" },
	{ "v=STSv1 id=1", "expected \";\" after \"v=STSv1\"" },
	{ "v=STSv1; ID=1", "no id field" },
	{ "v=STSv1; id=", "id \"\": must be 1 to 32 letters and digits" },
	{ "v=STSv1; id=abc-1", "id \"abc-1\": must be 1 to 32 letters and digits" },
	{ "v=STSv1; id=abc 1", "id \"abc 1\": must be 1 to 32 letters and digits" },
	{ "v=STSv1; id=123456789012345678901234567890123",
	    "id \"123456789012345678901234567890123\": must be 1 to 32 letters "
	    "and digits" },
	{ "v=STSv1; id=1; id=2", "id given twice" },
	{ "v=STSv1; id=1;; x=y", "empty field between \";\"" },
	{ "v=STSv1; ; id=1", "empty field between \";\"" },
	{ "v=STSv1; id=1; x", "field \"x\": not NAME=VALUE" },
	{ "v=STSv1; id=1; x=", "field \"x\": empty value" },
	{ "v=STSv1; id=1; x=a=b", "field \"x=a=b\": \"=\" in the value" },
	{ "v=STSv1; id=1; x=a b", "field \"x=a b\": white space in the value" },
	{ "v=STSv1; id=1; =b",
	    "field \"=b\": name \"\" is not a letter or digit followed by up to "
	    "31 letters, digits, \"_\", \"-\" or \".\"" },
	{ "v=STSv1; id=1; _x=b",
	    "field \"_x=b\": name \"_x\" is not a letter or digit followed by "
	    "up to 31 letters, digits, \"_\", \"-\" or \".\"" },
	{ "v=STSv1; id=1\n", "bad character 0x0a at offset 13" },
	{ "v=STSv1; id=\xc3\xa9", "bad character 0xc3 at offset 12" },
	{ NULL, NULL }
};

static const struct bad_case tlsrpt_bad[] = {
	{ "v=STSv1; rua=mailto:a@example.com", "not a \"v=TLSRPTv1\" record" },
	{ "v=TLSRPTv1", "no rua field" },
	{ "v=TLSRPTv1; x=y", "no rua field" },
	{ "v=TLSRPTv1; RUA=mailto:a@example.com", "no rua field" },
	{ "v=TLSRPTv1; rua=", "rua: empty URI" },
	{ "v=TLSRPTv1; rua=mailto:a@example.com,", "rua: empty URI" },
	{ "v=TLSRPTv1; rua=mailto:a@example.com, ,https://x", "rua: empty URI" },
	{ "v=TLSRPTv1; rua=mailto:a@example.com; rua=mailto:b@example.com",
	    "rua given twice" },
	{ "v=TLSRPTv1; rua=reports@example.com",
	    "rua URI \"reports@example.com\": no scheme (mailto: or https:)" },
	{ "v=TLSRPTv1; rua=:x", "rua URI \":x\": no scheme (mailto: or https:)" },
	{ "v=TLSRPTv1; rua=1http:x",
	    "rua URI \"1http:x\": no scheme (mailto: or https:)" },
	{ "v=TLSRPTv1; rua=mailto:a!b@example.com",
	    "rua URI \"mailto:a!b@example.com\": \"!\" must be percent-encoded" },
	{ "v=TLSRPTv1; rua=mailto:a@example.com!10m",
	    "rua URI \"mailto:a@example.com!10m\": \"!\" must be "
	    "percent-encoded" },
	{ "v=TLSRPTv1; rua=mailto:a%2@example.com",
	    "rua URI \"mailto:a%2@example.com\": \"%\" not followed by two hex "
	    "digits" },
	{ "v=TLSRPTv1; rua=mailto:a@example.com%",
	    "rua URI \"mailto:a@example.com%\": \"%\" not followed by two hex "
	    "digits" },
	{ "v=TLSRPTv1; rua=mailto:a<b>@example.com",
	    "rua URI \"mailto:a<b>@example.com\": bad character \"<\"" },
	{ "v=TLSRPTv1; rua=mailto:a@example.com mailto:b@example.com",
	    "rua URI \"mailto:a@example.com mailto:b@example.com\": white space "
	    "inside" },
	{ "v=TLSRPTv1; rua=mailto:", "rua URI \"mailto:\": no address local@domain" },
	{ "v=TLSRPTv1; rua=mailto:example.com",
	    "rua URI \"mailto:example.com\": no address local@domain" },
	{ "v=TLSRPTv1; rua=mailto:@example.com",
	    "rua URI \"mailto:@example.com\": no address local@domain" },
	{ "v=TLSRPTv1; rua=mailto:a@?subject=x",
	    "rua URI \"mailto:a@?subject=x\": no address local@domain" },
	{ "v=TLSRPTv1; rua=https:/example.com/r",
	    "rua URI \"https:/example.com/r\": no host (https://HOST/...)" },
	{ "v=TLSRPTv1; rua=https:///r",
	    "rua URI \"https:///r\": no host (https://HOST/...)" },
	{ "v=TLSRPTv1; rua=mailto:a@example.com; x=1 2",
	    "field \"x=1 2\": white space in the value" },
	{ NULL, NULL }
};

static void
test_bad(const char *kind, const struct bad_case *cases, int sts)
{
	const struct bad_case *c;
	struct buf err = BUF_INIT;
	struct ststxt_sts *s;
	struct ststxt_tlsrpt *t;
	int rc;

	for (c = cases; c->txt; c++) {
		buf_reset(&err);
		if (sts) {
			rc = ststxt_sts_parse(c->txt, strlen(c->txt), &s, &err);
			rc = rc == -1 && s == NULL ? -1 : 0;
		} else {
			rc = ststxt_tlsrpt_parse(c->txt, strlen(c->txt), &t, &err);
			rc = rc == -1 && t == NULL ? -1 : 0;
		}
		CHECK(rc == -1 && err.s && strcmp(err.s, c->error) == 0,
		    "%s record refused: %s", kind, c->error);
		if (err.s && strcmp(err.s, c->error) != 0)
			printf("#   got: %s\n", err.s);
	}
	buf_free(&err);
}

/*
 * A record of the kind sts says parsed and rendered into out: 0, or -1
 * with err set.
 */
static int
reparse(int sts, const char *txt, size_t len, struct buf *out,
    struct buf *err)
{
	struct ststxt_sts *s;
	struct ststxt_tlsrpt *t;

	if (sts ? ststxt_sts_parse(txt, len, &s, err) :
	    ststxt_tlsrpt_parse(txt, len, &t, err))
		return -1;
	if (sts) {
		ststxt_sts_render(s, out);
		ststxt_sts_free(s);
	} else {
		ststxt_tlsrpt_render(t, out);
		ststxt_tlsrpt_free(t);
	}
	return 0;
}

/* Good records, and the three whose fields are checked one by one. */
#define STS_EXT		"v=STSv1; id=20160831085700Z; x-ext=a:b/c?d; E.2=yes"
#define TLSRPT_TWO	"v=TLSRPTv1; rua=mailto:a@example.com , " \
			    "\thttps://r.example.net/x?a=b&c=%2C ;"
#define TLSRPT_OTHER	"v=TLSRPTv1; x=1; " \
			    "rua=MAILTO:a@example.com,ftp://example.org/r; y=2"
static const struct {
	int	sts;		/* MTA-STS, else TLS-RPT */
	const char *txt;
} good[] = {
	{ 1, "v=STSv1; id=20160831085700Z;" },
	{ 1, "v=STSv1;id=20160831085700Z" },
	{ 1, "v=STSv1 ;\tid=20160831085700Z ; " },
	{ 1, STS_EXT },
	{ 1, "v=STSv1; id=12345678901234567890123456789012" },
	{ 1, "v=STSv1; id=1; v=STSv1" },
	{ 0, "v=TLSRPTv1; rua=mailto:tlsrpt@example.com" },
	{ 0, "v=TLSRPTv1;rua=https://reporting.example.com/v1/tlsrpt;" },
	{ 0, TLSRPT_TWO },
	{ 0, TLSRPT_OTHER },
	{ 0, "v=TLSRPTv1; rua=mailto:a%21b@example.com?subject=TLS%20report" },
};

/*
 * Each good record of the kind sts says parses, and its rendering parses
 * back the same.
 */
static void
test_round_trips(int sts)
{
	struct buf err = BUF_INIT, out = BUF_INIT, out2 = BUF_INIT;
	const char *txt;
	size_t i;
	int rc;

	for (i = 0; i < UNIT_NCASES(good); i++) {
		if (good[i].sts != sts)
			continue;
		txt = good[i].txt;
		buf_reset(&err);
		buf_reset(&out);
		buf_reset(&out2);
		rc = reparse(sts, txt, strlen(txt), &out, &err);
		CHECK(rc == 0, "%s record \"%s\" parsed%s%s",
		    sts ? "STSv1" : "TLSRPTv1", txt,
		    err.s ? ": " : "", err.s ? err.s : "");
		if (rc != 0)
			continue;
		rc = reparse(sts, out.s, out.len, &out2, &err);
		CHECK(rc == 0 && strcmp(out.s, out2.s) == 0,
		    "rendered as \"%s\" and parsed back the same", out.s);
	}
	buf_free(&err);
	buf_free(&out);
	buf_free(&out2);
}

/* txt, a good record of the kind sts says, renders as want. */
static void
canonical_is(int sts, const char *txt, const char *want)
{
	struct buf err = BUF_INIT, out = BUF_INIT;

	CHECK(reparse(sts, txt, strlen(txt), &out, &err) == 0 &&
	    STR_EQ(out.s, want), "canonical rendering");
	buf_free(&err);
	buf_free(&out);
}

/* The fields of good records. */
static void
test_sts_fields(void)
{
	struct buf err = BUF_INIT;
	struct ststxt_sts *r;
	int rc;

	CHECK(ststxt_sts_parse(STS_EXT, strlen(STS_EXT), &r, &err) == 0 &&
	    strcmp(r->id, "20160831085700Z") == 0 && r->next == 2 &&
	    strcmp(r->ext[0].name, "x-ext") == 0 &&
	    strcmp(r->ext[0].value, "a:b/c?d") == 0 &&
	    strcmp(r->ext[1].name, "E.2") == 0, "id and extensions in order");
	ststxt_sts_free(r);
	canonical_is(1, STS_EXT,
	    "v=STSv1; id=20160831085700Z; x-ext=a:b/c?d; E.2=yes;");

	/* Not NUL-terminated: only len bytes are read. */
	rc = ststxt_sts_parse("v=STSv1; id=abcGARBAGE", 15, &r, &err);
	CHECK(rc == 0 && strcmp(r->id, "abc") == 0, "only len bytes read");
	ststxt_sts_free(r);
	buf_free(&err);
}

static void
test_tlsrpt_fields(void)
{
	struct buf err = BUF_INIT;
	struct ststxt_tlsrpt *r;
	int rc;

	CHECK(ststxt_tlsrpt_parse(TLSRPT_TWO, strlen(TLSRPT_TWO), &r,
	    &err) == 0 && r->nrua == 2 &&
	    strcmp(r->rua[0].uri, "mailto:a@example.com") == 0 &&
	    r->rua[0].scheme == STSTXT_URI_MAILTO &&
	    strcmp(r->rua[1].uri, "https://r.example.net/x?a=b&c=%2C") == 0 &&
	    r->rua[1].scheme == STSTXT_URI_HTTPS,
	    "two rua URIs, white space around the comma, schemes");
	ststxt_tlsrpt_free(r);
	canonical_is(0, TLSRPT_TWO, "v=TLSRPTv1; rua=mailto:a@example.com,"
	    "https://r.example.net/x?a=b&c=%2C;");

	rc = ststxt_tlsrpt_parse(TLSRPT_OTHER, strlen(TLSRPT_OTHER), &r, &err);
	CHECK(rc == 0 && r->nrua == 2 && r->rua[0].scheme == STSTXT_URI_MAILTO &&
	    r->rua[1].scheme == STSTXT_URI_OTHER && r->next == 2 &&
	    strcmp(r->ext[0].name, "x") == 0 && strcmp(r->ext[1].name, "y") == 0,
	    "scheme case-insensitive, other schemes marked, extensions kept");
	ststxt_tlsrpt_free(r);
	buf_free(&err);
}

static void
test_is(void)
{
	static const struct {
		const char *txt;
		int sts, tlsrpt;
	} cases[] = {
		{ "v=STSv1; id=1", 1, 0 },
		{ "v=STSv1;", 1, 0 },
		{ "v=STSv1", 1, 0 },
		{ "v=STSv1 ; id=1", 1, 0 },
		{ "v=STSv1; id=bad-id", 1, 0 },
		{ "v=STSv10; id=1", 0, 0 },
		{ "v=STSv", 0, 0 },
		{ "v=spf1 -all", 0, 0 },
		{ "google-site-verification=abc", 0, 0 },
		{ "V=STSv1; id=1", 0, 0 },
		{ "v=TLSRPTv1; rua=mailto:a@b", 0, 1 },
		{ "v=TLSRPTv1", 0, 1 },
		{ "v=TLSRPTv1x", 0, 0 },
		{ "", 0, 0 },
		{ NULL, 0, 0 }
	};
	int i;

	for (i = 0; cases[i].txt; i++)
		CHECK(ststxt_is_sts(cases[i].txt, strlen(cases[i].txt)) ==
		    cases[i].sts && ststxt_is_tlsrpt(cases[i].txt,
		    strlen(cases[i].txt)) == cases[i].tlsrpt,
		    "\"%s\" is %s", cases[i].txt, cases[i].sts ? "an STSv1 record" :
		    cases[i].tlsrpt ? "a TLSRPTv1 record" : "neither record");
}

static void
test_limits(void)
{
	struct buf txt = BUF_INIT, err = BUF_INIT;
	struct ststxt_tlsrpt *r;
	int rc;

	buf_puts(&txt, "v=TLSRPTv1; rua=mailto:a@example.com");
	while (txt.len + 21 <= STSTXT_SIZE_MAX)
		buf_puts(&txt, ",mailto:a@example.com");
	while (txt.len < STSTXT_SIZE_MAX)
		buf_putc(&txt, ' ');
	rc = ststxt_tlsrpt_parse(txt.s, txt.len, &r, &err);
	CHECK(rc == 0 && r->nrua > 3000, "record of %d bytes with %zu URIs "
	    "parsed", STSTXT_SIZE_MAX, rc == 0 ? r->nrua : 0);
	ststxt_tlsrpt_free(r);
	buf_putc(&txt, ' ');
	rc = ststxt_tlsrpt_parse(txt.s, txt.len, &r, &err);
	CHECK(rc == -1 && strcmp(err.s,
	    "record is 65537 bytes: more than 65536 allowed") == 0,
	    "record of %d bytes refused", STSTXT_SIZE_MAX + 1);
	buf_free(&txt);
	buf_free(&err);
}

/* One ststxt_rua_make() case: the rua, or NULL and the error. */
static void
rua_case(char *const *addrs, const char *path, const char *want,
    const char *want_err, const char *what)
{
	struct buf err = BUF_INIT;
	char *rua = ststxt_rua_make(addrs, path, "example.com", &err);
	int ok;

	if (want != NULL)
		ok = STR_EQ(rua, want) && err.len == 0;
	else
		ok = rua == NULL && STR_EQ(err.s, want_err);
	CHECK(ok, "rua: %s%s", what, want ? "" : ": refused");
	if (!ok)
		printf("#   got \"%s\", error \"%s\"\n", rua ? rua : "(null)",
		    err.s ? err.s : "");
	free(rua);
	buf_free(&err);
}

/* ststxt_rua_for after each override, in turn. */
static const struct rua_for_case {
	const char *name;	/* the parameter overridden, or NULL */
	const char *value;
	const char *set;	/* what the override is */
	const char *rua;	/* the rua that follows */
	const char *what;
} rua_for_cases[] = {
	{ NULL, NULL, NULL, "mailto:r@sts.test",
	    "report_https_rua = no (default): mailto only" },
	{ "report_https_rua", "yes", "report_https_rua = yes",
	    "mailto:r@sts.test,https://mta-sts.a.example/tlsrpt",
	    "yes adds https://mta-sts.DOMAIN$report_https_path" },
	{ "report_https_path", "/in/rpt", "another report_https_path",
	    "mailto:r@sts.test,https://mta-sts.a.example/in/rpt",
	    "the https URI follows report_https_path" },
	{ "report_https_path", "", "empty report_https_path",
	    "mailto:r@sts.test", "empty report_https_path: mailto only" },
};

static void
test_rua(void)
{
	const struct rua_for_case *c;
	static char *one[] = { "tlsrpt@sts.test", NULL };
	static char *two[] = { "tlsrpt+*@sts.test", "a@sts.test", "nodomain",
	    "b@sts.test", NULL };
	static char *wild[] = { "*@sts.test", NULL };
	static char *bang[] = { "a!b@sts.test", NULL };
	static const char *text = "report_recipients = r@sts.test\n";
	struct ststxt_tlsrpt *r = NULL;
	struct buf err = BUF_INIT;
	char *rua, *txt;

	rua_case(one, NULL, "mailto:tlsrpt@sts.test", NULL,
	    "mailto only without https_path");
	rua_case(one, "", "mailto:tlsrpt@sts.test", NULL,
	    "an empty https_path adds nothing");
	rua_case(one, "/tlsrpt",
	    "mailto:tlsrpt@sts.test,https://mta-sts.example.com/tlsrpt", NULL,
	    "mailto, then the https URI of the domain");
	rua_case(two, NULL, "mailto:a@sts.test,mailto:b@sts.test", NULL,
	    "patterns and words without @ are skipped, order kept");
	rua_case(wild, "/r", "https://mta-sts.example.com/r", NULL,
	    "https alone when no address can be mailed");
	rua_case(NULL, "/r", "https://mta-sts.example.com/r", NULL,
	    "https alone without report_recipients");
	rua_case(wild, NULL, NULL, "parameter report_recipients: no address "
	    "without a wildcard to publish as rua", "nothing to publish");
	rua_case(one, "tlsrpt", NULL, "parameter report_https_path: "
	    "\"tlsrpt\": must start with /", "https_path without /");
	rua_case(one, "/a,b", NULL, "parameter report_https_path: rua URI "
	    "\"https://mta-sts.example.com/a,b\": bad character \",\"",
	    "a comma in https_path");
	rua_case(one, "/a!b", NULL, "parameter report_https_path: rua URI "
	    "\"https://mta-sts.example.com/a!b\": \"!\" must be "
	    "percent-encoded", "a \"!\" in https_path");
	rua_case(bang, NULL, NULL, "parameter report_recipients: rua URI "
	    "\"mailto:a!b@sts.test\": \"!\" must be percent-encoded",
	    "a \"!\" in an address");

	rua = ststxt_rua_make(two, "/tlsrpt", "example.com", &err);
	txt = xasprintf("v=TLSRPTv1; rua=%s", rua ? rua : "");
	CHECK(ststxt_tlsrpt_parse(txt, strlen(txt), &r, &err) == 0 &&
	    r->nrua == 3 && r->rua[0].scheme == STSTXT_URI_MAILTO &&
	    r->rua[2].scheme == STSTXT_URI_HTTPS,
	    "rua: the record made from it parses, mailto then https");
	ststxt_tlsrpt_free(r);
	free(txt);
	free(rua);

	/* From main.cf: report_https_rua decides. */
	CHECK(cfg_read_buf("main.cf", text, strlen(text), &err) == 0,
	    "rua: main.cf read");
	for (c = rua_for_cases; c < rua_for_cases + UNIT_NCASES(rua_for_cases);
	    c++) {
		if (c->name != NULL)
			CHECK(cfg_override(c->name, c->value, &err) == 0,
			    "rua_for: %s", c->set);
		rua = ststxt_rua_for("a.example", &err);
		CHECK(STR_EQ(rua, c->rua), "rua_for: %s", c->what);
		free(rua);
	}
	cfg_free();
	buf_free(&err);
}

int
main(void)
{
	log_init("ststxt_test", LOG_TO_STDERR);
	test_bad("STSv1", sts_bad, 1);
	test_bad("TLSRPTv1", tlsrpt_bad, 0);
	test_round_trips(1);
	test_sts_fields();
	test_round_trips(0);
	test_tlsrpt_fields();
	test_is();
	test_limits();
	test_rua();
	return unit_failures > 0;
}
