/*
 * tlsrpt_test - lib/tlsrpt: a full RFC 8460 report field by field, the
 * sender quirks accepted with their deviations, and refusals with their
 * exact error texts, limits included.
 * SPDX-License-Identifier: ISC
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "mymalloc.h"
#include "timefmt.h"
#include "tlsrpt.h"
#include "unit.h"

/* RFC 8460 section 4.4, with one more detail. */
static const char rfc_report[] =
"{\"organization-name\":\"Company-X\","
" \"date-range\":{\"start-datetime\":\"2016-04-01T00:00:00Z\","
"  \"end-datetime\":\"2016-04-01T23:59:59Z\"},"
" \"contact-info\":\"sts-reporting@company-x.example\","
" \"report-id\":\"5065427c-23d3-47ca-b6e0-946ea0e8c4be\","
" \"policies\":[{"
"  \"policy\":{\"policy-type\":\"sts\","
"   \"policy-string\":[\"version: STSv1\",\"mode: testing\","
"    \"mx: *.mail.company-y.example\",\"max_age: 86400\"],"
"   \"policy-domain\":\"company-y.example\","
"   \"mx-host\":\"*.mail.company-y.example\"},"
"  \"summary\":{\"total-successful-session-count\":5326,"
"   \"total-failure-session-count\":303},"
"  \"failure-details\":[{\"result-type\":\"certificate-expired\","
"    \"sending-mta-ip\":\"2001:db8:abcd:0012::1\","
"    \"receiving-mx-hostname\":\"mx1.mail.company-y.example\","
"    \"failed-session-count\":100},"
"   {\"result-type\":\"starttls-not-supported\","
"    \"sending-mta-ip\":\"2001:db8:abcd:0013::1\","
"    \"receiving-mx-hostname\":\"mx2.mail.company-y.example\","
"    \"receiving-mx-helo\":\"mx2.mail.company-y.example\","
"    \"receiving-ip\":\"203.0.113.56\","
"    \"failed-session-count\":200,"
"    \"additional-information\":\"https://reports.company-x.example/"
"report_info ? id = 5065427c - 23d3#StarttlsNotSupported\","
"    \"failure-reason-code\":\"X-1\"}]}]}";

static struct tlsrpt_report *
parse(const char *json, struct buf *err)
{
	struct tlsrpt_limits lim;
	struct tlsrpt_report *r;

	tlsrpt_limits_default(&lim);
	buf_reset(err);
	if (tlsrpt_parse(json, strlen(json), &lim, &r, err) < 0)
		return NULL;
	return r;
}

static int
has_deviation(const struct tlsrpt_report *r, const char *text)
{
	size_t i;

	for (i = 0; i < r->ndeviations; i++)
		if (strcmp(r->deviations[i], text) == 0)
			return 1;
	return 0;
}

static void
test_rfc(void)
{
	struct buf err = BUF_INIT;
	struct tlsrpt_report *r = parse(rfc_report, &err);
	const struct tlsrpt_policy *p;
	const struct tlsrpt_detail *d;
	char t[TIMEFMT_RFC3339_SIZE];

	CHECK(r != NULL, "RFC 8460 example parses (%s)", err.s ? err.s : "");
	if (r == NULL)
		return;
	CHECK(STR_EQ(r->organization, "Company-X"), "organization-name");
	CHECK(STR_EQ(r->contact, "sts-reporting@company-x.example"),
	    "contact-info");
	CHECK(STR_EQ(r->report_id, "5065427c-23d3-47ca-b6e0-946ea0e8c4be"),
	    "report-id");
	CHECK(STR_EQ(timefmt_rfc3339(r->start, t), "2016-04-01T00:00:00Z"),
	    "start-datetime");
	CHECK(r->end - r->start == 86399, "end-datetime");
	CHECK(r->npolicies == 1, "one policy");
	p = &r->policies[0];
	CHECK(STR_EQ(p->type, "sts") && STR_EQ(p->domain, "company-y.example"),
	    "policy-type and policy-domain");
	CHECK(p->nstrings == 4 && STR_EQ(p->strings[1], "mode: testing"),
	    "policy-string lines");
	CHECK(p->nmx_hosts == 1 && STR_EQ(p->mx_hosts[0],
	    "*.mail.company-y.example"), "mx-host as a string");
	CHECK(p->success_count == 5326 && p->failure_count == 303,
	    "summary counts");
	CHECK(p->ndetails == 2, "two failure details");
	d = &p->details[1];
	CHECK(STR_EQ(d->result_type, "starttls-not-supported") &&
	    STR_EQ(d->receiving_ip, "203.0.113.56") &&
	    STR_EQ(d->receiving_mx_helo, "mx2.mail.company-y.example") &&
	    STR_EQ(d->failure_reason_code, "X-1") &&
	    d->failed_session_count == 200, "failure detail fields");
	CHECK(p->details[0].receiving_ip == NULL, "absent field is NULL");
	/* Appendix B writes mx-host as a string, and its counts of failed
	 * sessions add up to 303 with a third detail left out here. */
	CHECK(r->ndeviations == 2 && has_deviation(r,
	    "policies[0].policy.mx-host is a string, not a list") &&
	    has_deviation(r, "policies[0].summary.total-failure-session-count"
	    " is not the sum of the failure-details"),
	    "the RFC example's two deviations (%zu)", r->ndeviations);
	tlsrpt_free(r);
	buf_free(&err);
}

/* Quirks of real senders (QUIRKS.md): accepted, each recorded. */
static void
test_quirks(void)
{
	struct buf err = BUF_INIT;
	struct tlsrpt_report *r;
	char t[TIMEFMT_RFC3339_SIZE];

	r = parse("{\"organization-name\":\"Microsoft Corporation\","
	    "\"date-range\":{\"start-datetime\":\"2026-11-20T00:00:00\","
	    "\"end-datetime\":\"2026-11-20T23:59:59\"},"
	    "\"contact-info\":null,"
	    "\"report-id\":\"133456789012345678+example.com\","
	    "\"policies\":[{\"policy\":{\"policy-type\":\"sts\","
	    "\"policy-string\":[],\"policy-domain\":\"example.com\","
	    "\"mx-host\":[\"mx1.example.com\",\"mx2.example.com\"]},"
	    "\"summary\":{\"total-successful-session-count\":10,"
	    "\"total-failure-session-count\":2},"
	    "\"failure-details\":[{\"result-type\":\"certificate-expired\","
	    "\"receiving-mx-hostname\":\"mx1.example.com\","
	    "\"failed-session-count\":2}]},"
	    "{\"policy\":{\"policy-type\":\"no-policy-found\"},"
	    "\"summary\":{\"total-successful-session-count\":1,"
	    "\"total-failure-session-count\":0}}]}", &err);
	CHECK(r != NULL, "quirky report accepted (%s)", err.s ? err.s : "");
	if (r == NULL)
		return;
	CHECK(STR_EQ(timefmt_rfc3339(r->start, t), "2026-11-20T00:00:00Z"),
	    "date-time without timezone read as UTC");
	CHECK(has_deviation(r, "start-datetime without timezone, read as UTC"),
	    "deviation: start-datetime without timezone");
	CHECK(has_deviation(r, "end-datetime without timezone, read as UTC"),
	    "deviation: end-datetime without timezone");
	CHECK(r->contact == NULL && has_deviation(r, "contact-info is null"),
	    "deviation: contact-info null");
	CHECK(r->policies[0].nmx_hosts == 2 &&
	    !has_deviation(r, "policies[0].policy.mx-host is a string, not a"
	    " list"), "mx-host as a list, as RFC 8460 section 4.4 has it");
	CHECK(!has_deviation(r, "policies[0].summary.total-failure-session-"
	    "count is not the sum of the failure-details"),
	    "no deviation when the failure details add up");
	CHECK(has_deviation(r, "policies[0].policy.policy-string is an empty"
	    " list"), "deviation: empty policy-string");
	CHECK(has_deviation(r, "policies[0].failure-details: sending-mta-ip"
	    " missing"), "deviation: failure detail without sending-mta-ip");
	CHECK(r->policies[1].domain == NULL && has_deviation(r,
	    "policies[1].policy: no policy-domain (no-policy-found)"),
	    "deviation: no-policy-found without policy-domain");
	CHECK(r->policies[1].ndetails == 0 && has_deviation(r,
	    "policies[1]: failure-details missing, read as none"),
	    "deviation: failure-details left out");
	tlsrpt_free(r);

	r = parse("{\"organization-name\":\"o\",\"contact-info\":\"c\","
	    "\"report-id\":\"r\",\"date-range\":{\"start-datetime\":"
	    "\"2026-11-20T01:00:00+01:00\",\"end-datetime\":\"2026-11-21\"},"
	    "\"policies\":[{\"policy\":{\"policy-type\":\"STS\","
	    "\"policy-domain\":\"example.com\"},\"summary\":{"
	    "\"total-successful-session-count\":0,"
	    "\"total-failure-session-count\":1},\"failure-details\":[{"
	    "\"result-type\":\"tls-timeout\",\"sending-mta-ip\":\"192.0.2.1\","
	    "\"failed-session-count\":1}]}]}", &err);
	CHECK(r != NULL, "second quirky report accepted (%s)",
	    err.s ? err.s : "");
	if (r == NULL)
		return;
	CHECK(STR_EQ(timefmt_rfc3339(r->start, t), "2026-11-20T00:00:00Z"),
	    "timezone offset applied");
	CHECK(STR_EQ(timefmt_rfc3339(r->end, t), "2026-11-21T00:00:00Z") &&
	    has_deviation(r, "end-datetime date without time, read as midnight"
	    " UTC"), "date alone read as midnight");
	CHECK(STR_EQ(r->policies[0].type, "sts") && has_deviation(r,
	    "policies[0].policy.policy-type \"STS\" in another case"),
	    "policy-type in upper case");
	CHECK(has_deviation(r, "policies[0].failure-details: result-type"
	    " \"tls-timeout\" is not in RFC 8460 section 4.3"),
	    "unknown result-type recorded");
	CHECK(has_deviation(r, "policies[0].policy.policy-string missing"),
	    "policy-string missing recorded");
	tlsrpt_free(r);
	buf_free(&err);
}

struct bad_case {
	const char *json;
	const char *error;
};

#define HEAD "{\"organization-name\":\"o\",\"contact-info\":\"c\"," \
	"\"report-id\":\"r\",\"date-range\":{\"start-datetime\":" \
	"\"2026-11-20T00:00:00Z\",\"end-datetime\":\"2026-11-21T00:00:00Z\"},"
#define POLICY "{\"policy\":{\"policy-type\":\"sts\"," \
	"\"policy-domain\":\"example.com\"},"

static const struct bad_case bad[] = {
	{ "", "not valid JSON: '[' or '{' expected near end of file"
	    " (line 1, column 0)" },
	{ "[]", "report: expected a JSON object, got a list" },
	{ "{\"organization-name\":\"o\",\"organization-name\":\"p\"}",
	    "not valid JSON: duplicate object key near '\"organization-name\"'"
	    " (line 1, column 44)" },
	{ "{}", "organization-name: missing" },
	{ "{\"organization-name\":5}",
	    "organization-name: expected a string, got an integer" },
	{ "{\"organization-name\":\"\"}", "organization-name: is empty" },
	{ "{\"organization-name\":\"o\",\"contact-info\":[]}",
	    "contact-info: expected a string, got a list" },
	{ "{\"organization-name\":\"o\"}", "report-id: missing" },
	{ "{\"organization-name\":\"o\",\"report-id\":\"r\"}",
	    "date-range: missing" },
	{ "{\"organization-name\":\"o\",\"report-id\":\"r\",\"date-range\":{"
	    "\"start-datetime\":\"yesterday\"}}",
	    "date-range.start-datetime: bad date-time \"yesterday\"" },
	{ "{\"organization-name\":\"o\",\"report-id\":\"r\",\"date-range\":{"
	    "\"start-datetime\":\"2026-02-30T00:00:00Z\"}}",
	    "date-range.start-datetime: bad date-time \"2026-02-30T00:00:00Z\"" },
	{ "{\"organization-name\":\"o\",\"report-id\":\"r\",\"date-range\":{"
	    "\"start-datetime\":\"2026-11-21T00:00:00Z\",\"end-datetime\":"
	    "\"2026-11-20T00:00:00Z\"}}",
	    "date-range: end-datetime is before start-datetime" },
	{ HEAD "\"policies\":{}}", "policies: expected a list" },
	{ HEAD "\"policies\":[1]}", "policies[0]: expected an object,"
	    " got an integer" },
	{ HEAD "\"policies\":[{}]}", "policies[0].policy: missing" },
	{ HEAD "\"policies\":[{\"policy\":{\"policy-type\":\"dane\"}}]}",
	    "policies[0].policy.policy-type: unknown type \"dane\" (expected"
	    " sts, tlsa or no-policy-found)" },
	{ HEAD "\"policies\":[{\"policy\":{\"policy-type\":\"sts\"}}]}",
	    "policies[0].policy.policy-domain: missing" },
	{ HEAD "\"policies\":[{\"policy\":{\"policy-type\":\"sts\","
	    "\"policy-domain\":\"a\",\"policy-string\":[1]}}]}",
	    "policies[0].policy.policy-string[0]: expected a string,"
	    " got an integer" },
	{ HEAD "\"policies\":[" POLICY "\"summary\":{}}]}",
	    "policies[0].summary.total-successful-session-count: missing" },
	{ HEAD "\"policies\":[" POLICY "\"summary\":{"
	    "\"total-successful-session-count\":\"5\"}}]}",
	    "policies[0].summary.total-successful-session-count: expected a"
	    " non-negative integer, got a string" },
	{ HEAD "\"policies\":[" POLICY "\"summary\":{"
	    "\"total-successful-session-count\":1.5}}]}",
	    "policies[0].summary.total-successful-session-count: expected a"
	    " non-negative integer, got a number" },
	{ HEAD "\"policies\":[" POLICY "\"summary\":{"
	    "\"total-successful-session-count\":1,"
	    "\"total-failure-session-count\":-5}}]}",
	    "policies[0].summary.total-failure-session-count: negative count -5" },
	{ HEAD "\"policies\":[" POLICY "\"summary\":{"
	    "\"total-successful-session-count\":99999999999999999999}}]}",
	    "not valid JSON: too big integer near '99999999999999999999'"
	    " (line 1, column 291)" },
	{ HEAD "\"policies\":[" POLICY "\"summary\":{"
	    "\"total-successful-session-count\":1,"
	    "\"total-failure-session-count\":1},\"failure-details\":{}}]}",
	    "policies[0].failure-details: expected a list, got an object" },
	{ HEAD "\"policies\":[" POLICY "\"summary\":{"
	    "\"total-successful-session-count\":1,"
	    "\"total-failure-session-count\":1},\"failure-details\":[{}]}]}",
	    "policies[0].failure-details[0].result-type: missing" },
	{ HEAD "\"policies\":[" POLICY "\"summary\":{"
	    "\"total-successful-session-count\":1,"
	    "\"total-failure-session-count\":1},\"failure-details\":[{"
	    "\"result-type\":\"dane-required\",\"receiving-ip\":7}]}]}",
	    "policies[0].failure-details[0].receiving-ip: expected a string,"
	    " got an integer" },
	{ HEAD "\"policies\":[" POLICY "\"summary\":{"
	    "\"total-successful-session-count\":1,"
	    "\"total-failure-session-count\":1},\"failure-details\":[{"
	    "\"result-type\":\"dane-required\"}]}]}",
	    "policies[0].failure-details[0].failed-session-count: missing" },
	{ "{\"organization-name\":\"\xff\"}",
	    "not valid JSON: unable to decode byte 0xff near '\"'"
	    " (line 1, column 22)" },
	{ NULL, NULL }
};

static void
test_bad(void)
{
	struct buf err = BUF_INIT;
	const struct bad_case *b;

	for (b = bad; b->json != NULL; b++) {
		struct tlsrpt_report *r = parse(b->json, &err);

		CHECK(r == NULL && STR_EQ(err.s, b->error), "refused: %s",
		    b->error);
		if (r == NULL && !STR_EQ(err.s, b->error))
			printf("#   got: %s\n", err.s ? err.s : "(nothing)");
		tlsrpt_free(r);
	}
	buf_free(&err);
}

/* 1 when s holds no control character (C0 or DEL). */
static int
no_ctl(const char *s)
{
	for (; s != NULL && *s; s++)
		if ((unsigned char)*s < 0x20 || *s == 0x7f)
			return 0;
	return 1;
}

/* 1 when no deviation of r holds a control character. */
static int
devs_clean(const struct tlsrpt_report *r)
{
	size_t i;

	for (i = 0; i < r->ndeviations; i++)
		if (!no_ctl(r->deviations[i]))
			return 0;
	return 1;
}

/* A report of one policy with these summary counts and detail. */
static struct tlsrpt_report *
parse_counts(const char *ok, const char *failed, const char *detail,
    struct buf *err)
{
	struct buf json = BUF_INIT;
	struct tlsrpt_report *r;

	buf_printf(&json, HEAD "\"policies\":[" POLICY "\"summary\":{"
	    "\"total-successful-session-count\":%s,"
	    "\"total-failure-session-count\":%s},\"failure-details\":[%s]}]}",
	    ok, failed, detail);
	r = parse(json.s, err);
	buf_free(&json);
	return r;
}

/* Counts: 0 to 2^53; beyond, the report is refused with the field. */
static void
test_counts(void)
{
	static const struct {
		const char *ok, *failed, *detail, *error;
	} refused[] = {
		{ "9007199254740993", "0", "", "policies[0].summary."
		    "total-successful-session-count: count 9007199254740993"
		    " exceeds the limit of 9007199254740992 (2^53)" },
		{ "0", "9223372036854775807", "", "policies[0].summary."
		    "total-failure-session-count: count 9223372036854775807"
		    " exceeds the limit of 9007199254740992 (2^53)" },
		{ "0", "1", "{\"result-type\":\"certificate-expired\","
		    "\"failed-session-count\":9223372036854775807}",
		    "policies[0].failure-details[0].failed-session-count: count"
		    " 9223372036854775807 exceeds the limit of 9007199254740992"
		    " (2^53)" },
		{ "0", "-1", "", "policies[0].summary.total-failure-session-"
		    "count: negative count -1" },
		{ "1e308", "0", "", "policies[0].summary.total-successful-"
		    "session-count: expected a non-negative integer, got a"
		    " number" },
		{ "0", "18446744073709551616", "", NULL },	/* 2^64 */
		{ NULL, NULL, NULL, NULL }
	};
	struct buf err = BUF_INIT, json = BUF_INIT;
	struct tlsrpt_limits lim;
	struct tlsrpt_report *r;
	size_t i;

	r = parse_counts("9007199254740992", "9007199254740992",
	    "{\"result-type\":\"certificate-expired\",\"sending-mta-ip\":"
	    "\"192.0.2.1\",\"failed-session-count\":9007199254740992}", &err);
	CHECK(r != NULL && r->policies[0].success_count == TLSRPT_COUNT_MAX &&
	    r->policies[0].details[0].failed_session_count == TLSRPT_COUNT_MAX
	    && r->ndeviations == 1, "counts of 2^53 accepted (%s)",
	    err.s ? err.s : "");
	tlsrpt_free(r);
	for (i = 0; refused[i].ok != NULL; i++) {
		r = parse_counts(refused[i].ok, refused[i].failed,
		    refused[i].detail, &err);
		if (refused[i].error == NULL)
			CHECK(r == NULL && strncmp(err.s, "not valid JSON: too big"
			    " integer", 31) == 0, "2^64 refused (%s)", err.s);
		else
			CHECK(r == NULL && STR_EQ(err.s, refused[i].error),
			    "refused: %s", refused[i].error);
		if (r == NULL && refused[i].error != NULL &&
		    !STR_EQ(err.s, refused[i].error))
			printf("#   got: %s\n", err.s ? err.s : "(nothing)");
		tlsrpt_free(r);
	}

	CHECK(tlsrpt_count_add(INT64_MAX, 1) == INT64_MAX &&
	    tlsrpt_count_add(INT64_MAX - 1, 1) == INT64_MAX &&
	    tlsrpt_count_add(INT64_MAX, INT64_MAX) == INT64_MAX &&
	    tlsrpt_count_add(INT64_MIN, -1) == INT64_MIN &&
	    tlsrpt_count_add(TLSRPT_COUNT_MAX, TLSRPT_COUNT_MAX) ==
	    2 * TLSRPT_COUNT_MAX, "tlsrpt_count_add saturates");

	/* 2,000 details of 2^53: their sum passes INT64_MAX, saturated. */
	buf_puts(&json, HEAD "\"policies\":[" POLICY "\"summary\":{"
	    "\"total-successful-session-count\":0,"
	    "\"total-failure-session-count\":9007199254740992},"
	    "\"failure-details\":[");
	for (i = 0; i < 2000; i++)
		buf_printf(&json, "%s{\"result-type\":\"certificate-expired\","
		    "\"sending-mta-ip\":\"192.0.2.1\",\"failed-session-count\":"
		    "9007199254740992}", i ? "," : "");
	buf_puts(&json, "]}]}");
	tlsrpt_limits_default(&lim);
	lim.details = 2000;
	buf_reset(&err);
	CHECK(tlsrpt_parse(json.s, json.len, &lim, &r, &err) == 0 &&
	    r->ndeviations == 2 && has_deviation(r, "policies[0].summary."
	    "total-failure-session-count is not the sum of the failure-details"),
	    "a sum of failure details beyond 2^63 is a deviation, not an"
	    " overflow (%s)", err.s ? err.s : "");
	tlsrpt_free(r);
	buf_free(&json);
	buf_free(&err);
}

/* total-failure-session-count against the sum of the details. */
static void
test_failure_sum(void)
{
	static const char detail[] = "{\"result-type\":\"certificate-expired\","
	    "\"sending-mta-ip\":\"192.0.2.1\",\"failed-session-count\":%d}";
	struct buf err = BUF_INIT, d = BUF_INIT;
	struct tlsrpt_report *r;
	static const char dev[] = "policies[0].summary.total-failure-session-"
	    "count is not the sum of the failure-details";

	buf_printf(&d, detail, 3);
	buf_putc(&d, ',');
	buf_printf(&d, detail, 4);
	r = parse_counts("1", "7", d.s, &err);
	CHECK(r != NULL && !has_deviation(r, dev), "7 = 3 + 4: no deviation");
	tlsrpt_free(r);
	r = parse_counts("1", "8", d.s, &err);
	CHECK(r != NULL && r->policies[0].failure_count == 8 &&
	    has_deviation(r, dev), "8 != 3 + 4: kept, with a deviation");
	tlsrpt_free(r);
	r = parse_counts("1", "6", d.s, &err);
	CHECK(r != NULL && has_deviation(r, dev), "6 != 3 + 4: deviation");
	tlsrpt_free(r);
	r = parse_counts("1", "2", "", &err);
	CHECK(r != NULL && has_deviation(r, dev),
	    "failures counted, an empty list of details: deviation");
	tlsrpt_free(r);
	buf_free(&d);
	buf_free(&err);
}

/* A report of one policy with this policy and this detail. */
static struct tlsrpt_report *
parse_fields(const char *policy, const char *detail, struct buf *err)
{
	struct buf json = BUF_INIT;
	struct tlsrpt_report *r;

	buf_printf(&json, HEAD "\"policies\":[{\"policy\":{%s},\"summary\":{"
	    "\"total-successful-session-count\":1,"
	    "\"total-failure-session-count\":1},\"failure-details\":[{%s"
	    "\"failed-session-count\":1}]}]}", policy, detail);
	r = parse(json.s, err);
	buf_free(&json);
	return r;
}

/* The same, for a report that must be kept: NULL counts as a failure. */
static struct tlsrpt_report *
parse_kept(const char *policy, const char *detail, const char *what)
{
	struct buf err = BUF_INIT;
	struct tlsrpt_report *r = parse_fields(policy, detail, &err);

	CHECK(r != NULL, "%s kept (%s)", what, err.s ? err.s : "");
	buf_free(&err);
	return r;
}

#define STS "\"policy-type\":\"sts\",\"policy-string\":[\"version: STSv1\"],"
#define RT "\"result-type\":\"certificate-expired\","
#define IP "\"sending-mta-ip\":\"192.0.2.1\","

/*
 * Fields with a type: checked, handed over in one form; what is not of
 * its type is left out (or kept, for a result-type) with a deviation.
 */
static void
test_fields(void)
{
	static const struct {
		const char *policy, *detail, *error;
	} refused[] = {
		{ STS "\"policy-domain\":\"example.com\"", RT IP
		    "\"additional-information\":\"a\\u0000b\",",
		    "policies[0].failure-details[0].additional-information:"
		    " contains a NUL character (\\u0000)" },
		{ "\"policy-type\":\"sts\",\"policy-string\":[\"version: STSv1\","
		    "\"mode\\u0000: enforce\"],\"policy-domain\":\"example.com\"",
		    RT IP, "policies[0].policy.policy-string[1]: contains a NUL"
		    " character (\\u0000)" },
		{ "\"policy-type\":\"s\\u001bts\",\"policy-domain\":\"e.example\"",
		    RT IP, "policies[0].policy.policy-type: unknown type"
		    " \"s\\x1bts\" (expected sts, tlsa or no-policy-found)" },
		{ NULL, NULL, NULL }
	};
	static const struct {
		const char *policy, *detail, *deviation, *result_type;
	} left_out[] = {
		{ STS "\"policy-domain\":\"ex ample.com\"", RT IP,
		    "policies[0].policy.policy-domain \"ex ample.com\" is not a"
		    " domain name, left out", NULL },
		{ STS "\"policy-domain\":\"evil.example\\nForged: line\"", RT IP,
		    "policies[0].policy.policy-domain \"evil.example\\nForged:"
		    " line\" is not a domain name, left out", NULL },
		{ STS "\"policy-domain\":\"a..example\"", RT IP,
		    "policies[0].policy.policy-domain \"a..example\" is not a"
		    " domain name, left out", NULL },
		{ STS "\"policy-domain\":\"" "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
		    "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa.example\"", RT IP,
		    "policies[0].policy.policy-domain \"aaaaaaaaaaaaaaaaaaaaaaaaaa"
		    "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa...\" is not a domain"
		    " name, left out", NULL },
		{ STS "\"policy-domain\":\"\\u001b[31mred.example\"", RT IP,
		    "policies[0].policy.policy-domain \"\\x1b[31mred.example\" is"
		    " not a domain name, left out", NULL },
		{ STS "\"policy-domain\":\"example.com\"",
		    "\"result-type\":\"bad\\ntype\"," IP,
		    "policies[0].failure-details: result-type \"bad\\ntype\" is"
		    " not in RFC 8460 section 4.3", "bad\ntype" },
		{ STS "\"policy-domain\":\"example.com\"",
		    "\"result-type\":\"certificate expired\"," IP,
		    "policies[0].failure-details: result-type \"certificate"
		    " expired\" is not in RFC 8460 section 4.3",
		    "certificate expired" },
		{ NULL, NULL, NULL, NULL }
	};
	struct buf err = BUF_INIT;
	struct tlsrpt_report *r;
	size_t i;

	for (i = 0; left_out[i].policy != NULL; i++) {
		r = parse_fields(left_out[i].policy, left_out[i].detail, &err);
		CHECK(r != NULL && has_deviation(r, left_out[i].deviation) &&
		    devs_clean(r) && (left_out[i].result_type == NULL ?
		    r->policies[0].domain == NULL :
		    STR_EQ(r->policies[0].details[0].result_type,
		    left_out[i].result_type)), "kept: %s", left_out[i].deviation);
		if (r != NULL && !has_deviation(r, left_out[i].deviation))
			printf("#   got: %s\n", r->ndeviations ?
			    r->deviations[r->ndeviations - 1] : "(none)");
		tlsrpt_free(r);
	}
	for (i = 0; refused[i].policy != NULL; i++) {
		r = parse_fields(refused[i].policy, refused[i].detail, &err);
		CHECK(r == NULL && STR_EQ(err.s, refused[i].error) &&
		    no_ctl(err.s), "refused: %s", refused[i].error);
		if (r == NULL && !STR_EQ(err.s, refused[i].error))
			printf("#   got: %s\n", err.s ? err.s : "(nothing)");
		tlsrpt_free(r);
	}
	buf_free(&err);
}

/* Bad optional fields: each left out, the report kept. */
static void
test_fields_optional(void)
{
	struct tlsrpt_report *r;
	const struct tlsrpt_policy *p;
	const struct tlsrpt_detail *d;

	r = parse_kept(STS "\"policy-domain\":\"Mail.Example.COM.\","
	    "\"mx-host\":[\"MX1.Example.com.\",\"*.mail.example.com\","
	    "\"bad host\",\"x\\u001by\",\"*.\"]",
	    "\"result-type\":\"Certificate-Expired\","
	    "\"sending-mta-ip\":\"192.0.2.300\","
	    "\"receiving-ip\":\"2001:db8::1\\n\","
	    "\"receiving-mx-hostname\":\"MX1.Example.com.\","
	    "\"receiving-mx-helo\":\"[IPv6:2001:db8::25]\",",
	    "report with bad optional fields");
	if (r == NULL)
		return;
	p = &r->policies[0];
	d = &p->details[0];
	CHECK(STR_EQ(p->domain, "mail.example.com"),
	    "policy-domain in lower case without the final dot (%s)",
	    p->domain);
	CHECK(p->nmx_hosts == 2 && STR_EQ(p->mx_hosts[0], "mx1.example.com")
	    && STR_EQ(p->mx_hosts[1], "*.mail.example.com"),
	    "mx-host: names and patterns kept, in one form");
	CHECK(has_deviation(r, "policies[0].policy.mx-host \"bad host\" is not"
	    " a host name or pattern, left out") && has_deviation(r,
	    "policies[0].policy.mx-host \"x\\x1by\" is not a host name or"
	    " pattern, left out") && has_deviation(r, "policies[0].policy."
	    "mx-host \"*.\" is not a host name or pattern, left out"),
	    "mx-host: the others left out, each shown escaped");
	CHECK(STR_EQ(d->result_type, "certificate-expired") &&
	    has_deviation(r, "policies[0].failure-details: result-type"
	    " \"Certificate-Expired\" in another case"),
	    "result-type in another case read as the RFC's");
	CHECK(d->sending_mta_ip == NULL && has_deviation(r,
	    "policies[0].failure-details: sending-mta-ip \"192.0.2.300\" is"
	    " not an IP address, left out") && !has_deviation(r,
	    "policies[0].failure-details: sending-mta-ip missing"),
	    "sending-mta-ip not an address: left out");
	CHECK(d->receiving_ip == NULL && has_deviation(r,
	    "policies[0].failure-details: receiving-ip \"2001:db8::1\\n\" is"
	    " not an IP address, left out"),
	    "receiving-ip with a newline: left out, shown escaped");
	CHECK(STR_EQ(d->receiving_mx_hostname, "mx1.example.com"),
	    "receiving-mx-hostname in one form");
	CHECK(STR_EQ(d->receiving_mx_helo, "[IPv6:2001:db8::25]"),
	    "receiving-mx-helo: an address literal");
	CHECK(devs_clean(r), "no deviation holds a control character");
	tlsrpt_free(r);
}

/* Line breaks and terminal escapes: left out, or kept as text to escape. */
static void
test_fields_hostile(void)
{
	struct tlsrpt_report *r;
	const struct tlsrpt_detail *d;

	r = parse_kept(STS "\"policy-domain\":\"example.com\"",
	    "\"result-type\":\"tls-timeout\","
	    "\"sending-mta-ip\":\"2001:DB8::1\","
	    "\"receiving-ip\":\"203.0.113.5\","
	    "\"receiving-mx-hostname\":\"mx1\\r\\nX-Forged: yes\","
	    "\"receiving-mx-helo\":\"mx.example.com ESMTP\\u001b]0;t\\u0007\","
	    "\"additional-information\":\"line\\nForged\\u001b[2J\","
	    "\"failure-reason-code\":\"\\u009b31m\",",
	    "second report with bad fields");
	if (r == NULL)
		return;
	d = &r->policies[0].details[0];
	CHECK(STR_EQ(d->result_type, "tls-timeout") && has_deviation(r,
	    "policies[0].failure-details: result-type \"tls-timeout\" is not"
	    " in RFC 8460 section 4.3"), "an unknown result-type word kept");
	CHECK(STR_EQ(d->sending_mta_ip, "2001:DB8::1") &&
	    STR_EQ(d->receiving_ip, "203.0.113.5"), "addresses kept as written");
	CHECK(d->receiving_mx_hostname == NULL && has_deviation(r,
	    "policies[0].failure-details: receiving-mx-hostname"
	    " \"mx1\\r\\nX-Forged: yes\" is not a host name, left out"),
	    "receiving-mx-hostname with CR LF: left out");
	CHECK(d->receiving_mx_helo == NULL && has_deviation(r,
	    "policies[0].failure-details: receiving-mx-helo"
	    " \"mx.example.com ESMTP\\x1b]0;t\\x07\" is not a host name or"
	    " address literal, left out"), "receiving-mx-helo: left out");
	CHECK(STR_EQ(d->additional_information, "line\nForged\x1b[2J") &&
	    STR_EQ(d->failure_reason_code, "\xc2\x9b" "31m"),
	    "free text kept as it came, for each output to escape");
	CHECK(devs_clean(r), "no deviation holds a control character");
	tlsrpt_free(r);
}

/* Free text of the report kept as it came; a NUL refused anywhere. */
static void
test_fields_text(void)
{
	struct buf err = BUF_INIT;
	struct tlsrpt_report *r;

	r = parse("{\"organization-name\":\"Org\\nForged\\u001b\","
	    "\"contact-info\":\"c\\r\\n\",\"report-id\":\"id\\u0007\","
	    "\"date-range\":{\"start-datetime\":\"2026-11-20T00:00:00Z\","
	    "\"end-datetime\":\"2026-11-21T00:00:00Z\"},\"policies\":[]}",
	    &err);
	CHECK(r != NULL && STR_EQ(r->organization, "Org\nForged\x1b") &&
	    STR_EQ(r->report_id, "id\x07"), "organization-name and report-id"
	    " kept as they came");
	tlsrpt_free(r);
	r = parse("{\"organization-name\":\"o\\u0000rg\",\"report-id\":\"r\"}",
	    &err);
	CHECK(r == NULL && STR_EQ(err.s, "organization-name: contains a NUL"
	    " character (\\u0000)"), "NUL in organization-name refused");
	tlsrpt_free(r);
	r = parse("{\"organization-name\":\"o\",\"report-id\":\"r\","
	    "\"date-range\":{\"start-datetime\":\"2026-11-20T00:00:00Z\\u0000x\"}}",
	    &err);
	CHECK(r == NULL && STR_EQ(err.s, "date-range.start-datetime: bad"
	    " date-time \"2026-11-20T00:00:00Z\""),
	    "NUL in a date-time refused (%s)", err.s);
	tlsrpt_free(r);
	r = parse("{\"organization-name\":\"o\",\"o\\u0000\":1}", &err);
	CHECK(r == NULL && strncmp(err.s, "not valid JSON: ", 16) == 0,
	    "NUL in a key refused (%s)", err.s);
	tlsrpt_free(r);
	buf_free(&err);
}

/*
 * A flood: 1,000 failure details, each with another bad address and a
 * newline in it: at most 100 deviation lines, the last one saying that
 * more were not recorded, none with a control character.
 */
static void
test_flood(void)
{
	struct buf json = BUF_INIT, err = BUF_INIT;
	struct tlsrpt_report *r;
	int i;

	buf_puts(&json, HEAD "\"policies\":[" POLICY "\"summary\":{"
	    "\"total-successful-session-count\":0,"
	    "\"total-failure-session-count\":1000},\"failure-details\":[");
	for (i = 0; i < 1000; i++)
		buf_printf(&json, "%s{\"result-type\":\"certificate-expired\","
		    "\"sending-mta-ip\":\"192.0.2.%d\\nForged: %d\","
		    "\"failed-session-count\":1}", i ? "," : "", i, i);
	buf_puts(&json, "]}]}");
	r = parse(json.s, &err);
	CHECK(r != NULL && r->ndeviations == 100 &&
	    STR_EQ(r->deviations[99], "more deviations not recorded") &&
	    devs_clean(r), "1000 bad addresses: 100 deviation lines, escaped"
	    " (%s)", err.s ? err.s : "");
	CHECK(r != NULL && r->ndeviations > 1 && STR_EQ(r->deviations[1],
	    "policies[0].failure-details: sending-mta-ip \"192.0.2.0\\nForged:"
	    " 0\" is not an IP address, left out"), "the first of them (%s)",
	    r && r->ndeviations > 1 ? r->deviations[1] : "");
	tlsrpt_free(r);
	buf_free(&json);
	buf_free(&err);
}

/* A deviation of many policies is one line listing them. */
static void
test_dev_runs(void)
{
	static const int mx_str[] = {	/* policies with mx-host as a string */
		0, 1, 2, 3, 5, 7, 8, 20, 22, 24, 26, 28, 30, 32, 34, -1
	};
	struct buf json = BUF_INIT, err = BUF_INIT;
	struct tlsrpt_report *r;
	int i, j, listed;

	buf_puts(&json, HEAD "\"policies\":[");
	for (i = 0; i < 36; i++) {
		for (listed = 0, j = 0; mx_str[j] >= 0; j++)
			listed |= mx_str[j] == i;
		buf_printf(&json, "%s{\"policy\":{\"policy-type\":\"sts\","
		    "\"policy-domain\":\"example.com\",\"policy-string\":"
		    "[\"version: STSv1\"],\"mx-host\":%s},\"summary\":{"
		    "\"total-successful-session-count\":1,"
		    "\"total-failure-session-count\":0}%s}", i ? "," : "",
		    listed ? "\"mx1.example.com\"" : "[\"mx1.example.com\"]",
		    i == 4 || i == 5 ? ",\"failure-details\":[]" : "");
	}
	buf_puts(&json, "]}");
	r = parse(json.s, &err);
	CHECK(r != NULL, "36 policies accepted (%s)", err.s ? err.s : "");
	if (r == NULL)
		goto out;
	CHECK(r->ndeviations == 2, "two lines of deviations (%zu)",
	    r->ndeviations);
	CHECK(has_deviation(r, "policies[0-3,5,7,8,20,22,24,26,28 and 3 more]"
	    ".policy.mx-host is a string, not a list"), "runs of policies, then"
	    " how many more"
	    " (%s)", r->ndeviations ? r->deviations[0] : "");
	CHECK(has_deviation(r, "policies[0-3,6-35]: failure-details missing,"
	    " read as none"), "two runs (%s)", r->ndeviations > 1 ?
	    r->deviations[1] : "");
	tlsrpt_free(r);
out:
	buf_free(&json);
	buf_free(&err);
}

static void
test_limits(void)
{
	struct buf err = BUF_INIT, json = BUF_INIT;
	struct tlsrpt_limits lim;
	struct tlsrpt_report *r;
	int i;

	/* 10,000 levels: refused before jansson recurses. */
	for (i = 0; i < 10000; i++)
		buf_putc(&json, '[');
	CHECK(parse(json.s, &err) == NULL &&
	    STR_EQ(err.s, "JSON nested deeper than 64 levels"),
	    "JSON nested 10000 deep refused");
	CHECK(tlsrpt_depth_check("\"[[[[[[\"", 8, 2) == 0,
	    "brackets inside strings do not count");
	CHECK(tlsrpt_depth_check("[\"\\\"[[[\"]", 9, 2) == 0,
	    "escaped quotes do not end a string");
	CHECK(tlsrpt_depth_check("[\"a\\\\\",[[[]]]]", strlen("[\"a\\\\\",[[[]]]]"), 3) == -1,
	    "an escaped backslash before the quote ends the string");
	CHECK(tlsrpt_depth_check("[\"a\\\\\\\"[[[\"]", strlen("[\"a\\\\\\\"[[[\"]"), 2) == 0,
	    "three backslashes before a quote escape it");
	CHECK(tlsrpt_depth_check("[\"[[[", 5, 2) == 0,
	    "an unterminated string is jansson's to refuse");

	buf_reset(&json);
	buf_puts(&json, HEAD "\"policies\":[");
	for (i = 0; i < 10000; i++)
		buf_printf(&json, "%s" POLICY "\"summary\":{"
		    "\"total-successful-session-count\":1,"
		    "\"total-failure-session-count\":0}}", i ? "," : "");
	buf_puts(&json, "]}");
	CHECK(parse(json.s, &err) == NULL && STR_EQ(err.s,
	    "policies: 10000 policies exceed the limit of 1000"),
	    "10000 policies refused");

	tlsrpt_limits_default(&lim);
	lim.size = 10;
	buf_reset(&err);
	CHECK(tlsrpt_parse(rfc_report, strlen(rfc_report), &lim, &r, &err) < 0
	    && r == NULL && strstr(err.s, "exceeds the limit of 10 bytes"),
	    "size limit");
	tlsrpt_limits_default(&lim);
	lim.details = 1;
	buf_reset(&err);
	CHECK(tlsrpt_parse(rfc_report, strlen(rfc_report), &lim, &r, &err) < 0
	    && STR_EQ(err.s, "policies[0].failure-details: 2 entries exceed"
	    " the limit of 1"), "failure detail limit");
	buf_free(&err);
	buf_free(&json);
}

int
main(void)
{
	test_rfc();
	test_quirks();
	test_bad();
	test_limits();
	test_dev_runs();
	test_counts();
	test_failure_sum();
	test_fields();
	test_fields_optional();
	test_fields_hostile();
	test_fields_text();
	test_flood();
	return unit_status();
}
