/*
 * tlsrpt_test - lib/tlsrpt: a full RFC 8460 report field by field, the
 * sender quirks accepted with their deviations, and refusals with their
 * exact error texts, limits included.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "mymalloc.h"
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
	char t[TLSRPT_TIME_SIZE];

	CHECK(r != NULL, "RFC 8460 example parses (%s)", err.s ? err.s : "");
	if (r == NULL)
		return;
	CHECK(STR_EQ(r->organization, "Company-X"), "organization-name");
	CHECK(STR_EQ(r->contact, "sts-reporting@company-x.example"),
	    "contact-info");
	CHECK(STR_EQ(r->report_id, "5065427c-23d3-47ca-b6e0-946ea0e8c4be"),
	    "report-id");
	CHECK(STR_EQ(tlsrpt_time_format(r->start, t), "2016-04-01T00:00:00Z"),
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
	CHECK(r->ndeviations == 0, "no deviations in the RFC example (%zu)",
	    r->ndeviations);
	tlsrpt_free(r);
	buf_free(&err);
}

/* Quirks of real senders (QUIRKS.md): accepted, each recorded. */
static void
test_quirks(void)
{
	struct buf err = BUF_INIT;
	struct tlsrpt_report *r;
	char t[TLSRPT_TIME_SIZE];

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
	CHECK(STR_EQ(tlsrpt_time_format(r->start, t), "2026-11-20T00:00:00Z"),
	    "date-time without timezone read as UTC");
	CHECK(has_deviation(r, "start-datetime without timezone, read as UTC"),
	    "deviation: start-datetime without timezone");
	CHECK(has_deviation(r, "end-datetime without timezone, read as UTC"),
	    "deviation: end-datetime without timezone");
	CHECK(r->contact == NULL && has_deviation(r, "contact-info is null"),
	    "deviation: contact-info null");
	CHECK(r->policies[0].nmx_hosts == 2 &&
	    has_deviation(r, "policies[0].policy.mx-host is a list"),
	    "deviation: mx-host as a list");
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
	CHECK(STR_EQ(tlsrpt_time_format(r->start, t), "2026-11-20T00:00:00Z"),
	    "timezone offset applied");
	CHECK(STR_EQ(tlsrpt_time_format(r->end, t), "2026-11-21T00:00:00Z") &&
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

/* A deviation of many policies is one line listing them. */
static void
test_dev_runs(void)
{
	static const int mx_list[] = {	/* policies with mx-host as a list */
		0, 1, 2, 3, 5, 7, 8, 20, 22, 24, 26, 28, 30, 32, 34, -1
	};
	struct buf json = BUF_INIT, err = BUF_INIT;
	struct tlsrpt_report *r;
	int i, j, listed;

	buf_puts(&json, HEAD "\"policies\":[");
	for (i = 0; i < 36; i++) {
		for (listed = 0, j = 0; mx_list[j] >= 0; j++)
			listed |= mx_list[j] == i;
		buf_printf(&json, "%s{\"policy\":{\"policy-type\":\"sts\","
		    "\"policy-domain\":\"example.com\",\"policy-string\":"
		    "[\"version: STSv1\"],\"mx-host\":%s},\"summary\":{"
		    "\"total-successful-session-count\":1,"
		    "\"total-failure-session-count\":0}%s}", i ? "," : "",
		    listed ? "[\"mx1.example.com\"]" : "\"mx1.example.com\"",
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
	    ".policy.mx-host is a list"), "runs of policies, then how many more"
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
	return unit_status();
}
