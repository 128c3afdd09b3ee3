/*
 * policyd_test - policyd's request handlers on a temporary policy.db,
 * without sockets: replies, stored state, ids, and what subscribers are
 * told.
 * SPDX-License-Identifier: ISC
 */
#include "config.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <jansson.h>
#include <sqlite3.h>

#include "buf.h"
#include "challenges.h"
#include "ipc.h"
#include "lease.h"
#include "log.h"
#include "monitor.h"
#include "params.h"
#include "mymalloc.h"
#include "policydb.h"
#include "polsnap.h"
#include "proto.h"
#include "publish.h"
#include "request.h"
#include "unit.h"

static json_t *pushed;		/* what subscribers were told */
static json_t *asked;		/* the cert-check messages among them */
static json_t *events;		/* "push" and "publish", in order */

static void
record_event(const char *what)
{
	if (events != NULL)
		json_array_append_new(events, json_string(what));
}

static void
record_publish(void *arg)
{
	record_event("publish");
}

static void
record_notify(json_t *msg, void *arg)
{
	const char *op = json_string_value(json_object_get(msg, "op"));

	if (op != NULL && strcmp(op, "cert-check") == 0) {
		if (asked != NULL)
			json_array_append(asked, msg);
		record_event("ask");
		return;
	}
	json_array_append(pushed, msg);
	record_event("push");
}

/* Whether subscribers were asked about host (and forgets what was). */
static int
was_asked(const char *host)
{
	json_t *m;
	size_t i;
	int found = 0;

	json_array_foreach(asked, i, m)
		if (strcmp(json_string_value(json_object_get(m, "host")),
		    host) == 0)
			found = 1;
	json_array_clear(asked);
	return found;
}

/* httpd's answer: it serves host with a certificate valid until t. */
static json_t *
served(struct policyd *pd, const char *host, long long t);

/* A request packed from fmt, on the public socket or as the account who. */
static json_t *
vcall(struct policyd *pd, int pub, const char *who, const char *fmt,
    va_list ap)
{
	json_error_t jerr;
	json_t *req, *reply;

	if ((req = json_vpack_ex(&jerr, 0, fmt, ap)) == NULL) {
		printf("# bad test request: %s\n", jerr.text);
		exit(1);
	}
	if (who != NULL) {
		json_object_set_new(req, "actor", json_string(who));
		json_object_set_new(req, "from", json_string("192.0.2.7"));
	}
	reply = request_handle(pd, req, pub);
	json_decref(req);
	return reply;
}

static json_t *
call(struct policyd *pd, int pub, const char *fmt, ...)
{
	json_t *reply;
	va_list ap;

	va_start(ap, fmt);
	reply = vcall(pd, pub, NULL, fmt, ap);
	va_end(ap);
	return reply;
}

static json_t *
served(struct policyd *pd, const char *host, long long t)
{
	return call(pd, 0, "{s:s, s:s, s:I}", "op", "cert-served", "host",
	    host, "not_after", (json_int_t)t);
}

static int
is_ok(json_t *reply)
{
	return json_is_true(json_object_get(reply, "ok"));
}

static const char *
error_of(json_t *reply)
{
	const char *s = json_string_value(json_object_get(reply, "error"));

	return s ? s : "";
}

static const char *
dstr(json_t *reply, const char *key)
{
	const char *s = json_string_value(json_object_get(
	    json_object_get(reply, "domain"), key));

	return s ? s : "";
}

static size_t
count_domains(struct policyd *pd)
{
	json_t *r = call(pd, 1, "{s:s}", "op", "domain-list");
	size_t n = json_array_size(json_object_get(r, "domains"));

	json_decref(r);
	return n;
}

/* A refused request: its error contains want and nothing was stored. */
static void
refused(struct policyd *pd, json_t *reply, const char *want, const char *what)
{
	size_t before = json_array_size(pushed);
	int good = !is_ok(reply) && strstr(error_of(reply), want) != NULL;

	if (!good)
		printf("# error: \"%s\", expected \"%s\"\n", error_of(reply), want);
	CHECK(good && json_array_size(pushed) == before, "%s", what);
	json_decref(reply);
}

/*
 * A request that is refused: on the public socket (pub) or not, its JSON
 * text with ' for ", a part of the error it gets, and the case.
 */
struct refusal {
	int	pub;
	const char *request;
	const char *error;
	const char *what;
};

/* Each request of a table of refusals, in order, is refused. */
static void
refused_all(struct policyd *pd, const struct refusal *table, size_t n)
{
	json_error_t jerr;
	json_t *req;
	char *text, *cp;

	for (size_t i = 0; i < n; i++) {
		text = strdup(table[i].request);
		for (cp = text; *cp; cp++)
			if (*cp == '\'')
				*cp = '"';
		if ((req = json_loads(text, 0, &jerr)) == NULL) {
			printf("# bad test request %s: %s\n", text, jerr.text);
			exit(1);
		}
		free(text);
		refused(pd, request_handle(pd, req, table[i].pub),
		    table[i].error, table[i].what);
		json_decref(req);
	}
}

/* domain-add requests that are refused. */
static const struct refusal add_refusals[] = {
	{1, "{'op':'domain-add', 'domain':'example.com', "
	    "'mx':['mx2.example.com']}",
	    "example.com: domain already exists (state active)",
	    "duplicate add is refused"},
	{1, "{'op':'domain-add', 'domain':'b.example', "
	    "'mx':['*.*.example.com']}",
	    "mx pattern \"*.*.example.com\": ",
	    "bad mx pattern is refused"},
	{1, "{'op':'domain-add', 'domain':'b.example', "
	    "'mx':['mx.b.example'], 'mode':'strict'}",
	    "mode \"strict\": must be testing, enforce or none",
	    "bad mode is refused"},
	{1, "{'op':'domain-add', 'domain':'b.example', "
	    "'mx':['mx.b.example'], 'max_age':31557601}",
	    "max_age 31557601: out of range 0..31557600",
	    "max_age above one year is refused"},
	{1, "{'op':'domain-add', 'domain':'b.example', "
	    "'mx':['mx.b.example'], 'max_age':-1}",
	    "max_age -1: out of range 0..31557600",
	    "negative max_age is refused"},
	{1, "{'op':'domain-add', 'domain':'b.example', 'mx':[]}",
	    "b.example: at least one mx pattern is needed with mode testing",
	    "add without mx is refused"},
	{1, "{'op':'domain-add', 'domain':'b.example', 'mx':['a.b.example', "
	    "'A.b.example']}",
	    "mx pattern \"A.b.example\": given twice",
	    "repeated mx is refused"},
	{1, "{'op':'domain-add', 'domain':'bad_name..example', "
	    "'mx':['a.b.example']}",
	    "domain \"bad_name..example\": bad character \"_\"",
	    "bad domain name is refused"},
};

/* challenge requests that are refused. */
static const struct refusal challenge_refusals[] = {
	{1, "{'op':'challenge-add', 'type':'http-01', "
	    "'host':'mta-sts.a.example', 'token':'t2', 'keyauth':'t2.x'}",
	    "request \"challenge-add\" is not allowed on the public socket",
	    "challenge-add is refused on the public socket"},
	{1, "{'op':'challenge-remove', 'type':'http-01', "
	    "'host':'mta-sts.a.example'}",
	    "request \"challenge-remove\" is not allowed on the public socket",
	    "challenge-remove is refused on the public socket"},
	{0, "{'op':'challenge-add', 'type':'dns-01', "
	    "'host':'mta-sts.a.example', 'token':'t2', 'keyauth':'t2.x'}",
	    "challenge type \"dns-01\": must be http-01 or tls-alpn-01",
	    "an unknown challenge type is refused"},
	{0, "{'op':'challenge-add', 'type':'http-01', 'host':'a/../b', "
	    "'token':'t2', 'keyauth':'t2.x'}",
	    "host \"a/../b\": not a valid host name",
	    "a host that is not a DNS name is refused"},
	{0, "{'op':'challenge-add', 'type':'http-01', "
	    "'host':'mta-sts.a.example', 'token':'../etc', "
	    "'keyauth':'../etc.x'}",
	    "token \"../etc\": not base64url (http-01 challenge for"
	    " mta-sts.a.example)",
	    "a token that is not base64url is refused"},
	{0, "{'op':'challenge-add', 'type':'http-01', "
	    "'host':'mta-sts.a.example', 'token':'t2', 'keyauth':'t3.x'}",
	    "keyauth: not the token \"t2\", a dot and a base64url thumbprint",
	    "a keyauth for another token is refused"},
	{0, "{'op':'challenge-add', 'type':'http-01', "
	    "'host':'mta-sts.a.example', 'token':'t2'}",
	    "missing keyauth",
	    "http-01 without keyauth is refused"},
};

/* Domains that are IP addresses or not names. */
static const struct refusal ip_domain_refusals[] = {
	{1, "{'op':'domain-add', 'domain':'192.0.2.7', "
	    "'mx':['mx.example.com']}",
	    "domain \"192.0.2.7\": an IP address, not a domain name",
	    "an IPv4 address is not a domain"},
	{1, "{'op':'domain-add', 'domain':'127.0.0.1', "
	    "'mx':['mx.example.com']}",
	    "domain \"127.0.0.1\": an IP address, not a domain name",
	    "127.0.0.1 is not a domain"},
	{1, "{'op':'domain-add', 'domain':'a.123', 'mx':['mx.example.com']}",
	    "domain \"a.123\": top-level label \"123\" is all digits: not a"
	    " domain name",
	    "an all-digit top-level label is refused"},
};

/* mx patterns that are addresses; names shown escaped; import. */
static const struct refusal name_refusals[] = {
	{1, "{'op':'domain-add', 'domain':'ip.example', 'mx':['127.0.0.1']}",
	    "mx pattern \"127.0.0.1\": an IP address, not a host name",
	    "an IP address is not an mx pattern"},
	{1, "{'op':'domain-add', 'domain':'ip.example', 'mx':['[192.0.2.1]']}",
	    "mx pattern \"[192.0.2.1]\": an IP address, not a host name",
	    "an address literal is not an mx pattern"},
	{1, "{'op':'domain-add', 'domain':'a\\nb.example', "
	    "'mx':['mx.example.com']}",
	    "domain \"a\\nb.example\": bad character 0x0a",
	    "a newline in a name is shown escaped"},
	{1, "{'op':'domain-import', 'domains':[{'domain':'good.example', "
	    "'mx':['mx.good.example']}, {'domain':'10.0.0.1', "
	    "'mx':['mx.good.example']}]}",
	    "entry 2: domain \"10.0.0.1\": an IP address, not a domain name",
	    "import refuses an IP address, naming the entry"},
};

/* domain-set of names.example that is refused. */
static const struct refusal set_refusals[] = {
	{1, "{'op':'domain-set', 'domain':'names.example', "
	    "'mx':['192.0.2.25']}",
	    "mx pattern \"192.0.2.25\": an IP address, not a host name",
	    "set refuses an IP address as mx pattern"},
	{1, "{'op':'domain-set', 'domain':'names.example', 'mx':['*.com']}",
	    "mx pattern \"*.com\": a single label after \"*.\": not a fully"
	    " qualified host name",
	    "a wildcard over a top-level domain is refused"},
};

static void
test_add(struct policyd *pd)
{
	json_t *r, *m;

	r = call(pd, 1, "{s:s, s:s, s:[s, s]}", "op", "domain-add",
	    "domain", "Example.COM.", "mx", "MX1.example.com", "*.example.net");
	CHECK(is_ok(r), "domain-add succeeds");
	CHECK(strcmp(dstr(r, "domain"), "example.com") == 0,
	    "domain name is stored lower-case without the trailing dot");
	CHECK(strcmp(dstr(r, "state"), "active") == 0,
	    "with domain_verification none a new domain is active");
	CHECK(strcmp(dstr(r, "mode"), "testing") == 0 &&
	    json_integer_value(json_object_get(json_object_get(r, "domain"),
	    "max_age")) == 604800, "mode and max_age default from main.cf");
	CHECK(strcmp(dstr(r, "policy"), "version: STSv1\r\nmode: testing\r\n"
	    "mx: mx1.example.com\r\nmx: *.example.net\r\nmax_age: 604800\r\n") == 0,
	    "policy text is rendered with CRLF and the patterns in order");
	CHECK(strcmp(dstr(r, "policy_host"), "mta-sts.example.com") == 0,
	    "policy host is mta-sts.<domain>");
	CHECK(strlen(dstr(r, "token")) == 32, "an ownership token is made");
	json_decref(r);

	m = json_array_get(pushed, json_array_size(pushed) - 1);
	CHECK(json_array_size(pushed) == 1 &&
	    strcmp(json_string_value(json_object_get(m, "op")), "policy") == 0 &&
	    strcmp(json_string_value(json_object_get(m, "host")),
	    "mta-sts.example.com") == 0, "subscribers get the new policy");

	refused_all(pd, add_refusals, UNIT_NCASES(add_refusals));
	CHECK(count_domains(pd) == 1, "refused adds stored nothing");
}

static void
test_set(struct policyd *pd)
{
	json_t *r;
	char *id1, *id2;

	r = call(pd, 1, "{s:s, s:s}", "op", "domain-show", "domain", "example.com");
	id1 = xstrdup(dstr(r, "policy_id"));
	json_decref(r);

	r = call(pd, 1, "{s:s, s:s, s:s}", "op", "domain-set", "domain",
	    "example.com", "mode", "enforce");
	id2 = xstrdup(dstr(r, "policy_id"));
	CHECK(is_ok(r) && strcmp(dstr(r, "mode"), "enforce") == 0,
	    "domain-set changes the mode");
	CHECK(strcmp(id2, id1) > 0, "a change gives a greater policy id");
	CHECK(json_array_size(pushed) == 2, "subscribers get the change");
	json_decref(r);

	r = call(pd, 1, "{s:s, s:s, s:s}", "op", "domain-set", "domain",
	    "example.com", "mode", "enforce");
	CHECK(is_ok(r) && strcmp(dstr(r, "policy_id"), id2) == 0 &&
	    json_array_size(pushed) == 2, "a set without change keeps the id");
	json_decref(r);

	r = call(pd, 1, "{s:s, s:s, s:[s], s:I}", "op", "domain-set", "domain",
	    "example.com", "mx", "mx9.example.com", "max_age", (json_int_t)86400);
	CHECK(is_ok(r) && strcmp(dstr(r, "policy_id"), id2) > 0 &&
	    strstr(dstr(r, "policy"), "mx: mx9.example.com\r\nmax_age: 86400\r\n")
	    && strstr(dstr(r, "policy"), "mx1") == NULL,
	    "domain-set replaces the mx list and max_age");
	json_decref(r);

	refused(pd, call(pd, 1, "{s:s, s:s, s:[s]}", "op", "domain-set",
	    "domain", "example.com", "mx", "mx..example.com"),
	    "mx pattern \"mx..example.com\": ", "set with a bad pattern is refused");
	r = call(pd, 1, "{s:s, s:s}", "op", "domain-show", "domain", "example.com");
	CHECK(strstr(dstr(r, "policy"), "mx: mx9.example.com") != NULL,
	    "refused set left the domain unchanged");
	json_decref(r);
	refused(pd, call(pd, 1, "{s:s, s:s, s:s}", "op", "domain-set",
	    "domain", "nosuch.example", "mode", "none"),
	    "nosuch.example: no such domain", "set of an unknown domain is refused");
	free(id1);
	free(id2);
}

static void
test_del(struct policyd *pd)
{
	json_t *r, *d, *m;
	char *id;
	long long before = time(NULL);

	r = call(pd, 1, "{s:s, s:s}", "op", "domain-show", "domain", "example.com");
	id = xstrdup(dstr(r, "policy_id"));
	json_decref(r);

	r = call(pd, 1, "{s:s, s:s, s:b}", "op", "domain-del", "domain",
	    "example.com", "now", 0);
	d = json_object_get(r, "domain");
	CHECK(is_ok(r) && strcmp(dstr(r, "state"), "retiring") == 0 &&
	    strcmp(dstr(r, "mode"), "none") == 0, "domain-del starts retirement");
	CHECK(strcmp(dstr(r, "policy_id"), id) > 0, "retirement has a new id");
	/* Served with 604800 until test_set lowered it to 86400. */
	CHECK(json_integer_value(json_object_get(d, "retire_at")) >= before +
	    604800 && json_integer_value(json_object_get(d, "retire_at")) <=
	    time(NULL) + 604800, "retire_at is when the longest cached policy"
	    " expires, not the last max_age from now");
	CHECK(strstr(dstr(r, "policy"), "mode: none\r\nmx: mx9.example.com\r\n")
	    != NULL, "the retiring policy keeps its mx lines");
	m = json_array_get(pushed, json_array_size(pushed) - 1);
	CHECK(strcmp(json_string_value(json_object_get(m, "op")), "policy") == 0
	    && strstr(json_string_value(json_object_get(m, "policy")),
	    "mode: none"), "subscribers get the mode none policy");
	json_decref(r);

	refused(pd, call(pd, 1, "{s:s, s:s}", "op", "domain-del", "domain",
	    "example.com"), "already retiring", "second del is refused");
	refused(pd, call(pd, 1, "{s:s, s:s, s:s}", "op", "domain-set", "domain",
	    "example.com", "mode", "enforce"), "domain is retiring",
	    "a retiring domain cannot be changed");

	CHECK(request_expire(pd, before + 86400 + 5) == 0 &&
	    count_domains(pd) == 1, "expiry keeps a domain before retire_at");
	CHECK(request_expire(pd, before + 604800 + 5) == 1 &&
	    count_domains(pd) == 0, "expiry removes it after retire_at");
	m = json_array_get(pushed, json_array_size(pushed) - 1);
	CHECK(strcmp(json_string_value(json_object_get(m, "op")), "withdraw") == 0,
	    "subscribers are told to withdraw it");

	r = call(pd, 1, "{s:s, s:s, s:[s]}", "op", "domain-add", "domain",
	    "now.example", "mx", "mx.now.example");
	json_decref(r);
	r = call(pd, 1, "{s:s, s:s, s:b}", "op", "domain-del", "domain",
	    "now.example", "now", 1);
	CHECK(is_ok(r) && strstr(json_string_value(json_object_get(r, "warning")),
	    "removed at once") && count_domains(pd) == 0,
	    "del with now removes at once with a warning");
	json_decref(r);
	refused(pd, call(pd, 1, "{s:s, s:s}", "op", "domain-del", "domain",
	    "now.example"), "now.example: no such domain",
	    "del of an unknown domain is refused");
	free(id);
}

static char cert_asked[256];		/* the last domain acmed was asked for */

static void
cert_now(const char *domain, void *arg)
{
	(void)arg;
	snprintf(cert_asked, sizeof(cert_asked), "%s", domain);
}

static void
test_verification(struct policyd *pd)
{
	json_t *r;
	size_t before;
	char *dump;

	pd->conf.verify_dns = 1;
	pd->cert_now = cert_now;
	cert_asked[0] = '\0';
	before = json_array_size(pushed);
	r = call(pd, 1, "{s:s, s:s, s:[s], s:s, s:I}", "op", "domain-add",
	    "domain", "pending.example", "mx", "mx.pending.example",
	    "mode", "enforce", "max_age", (json_int_t)3600);
	CHECK(is_ok(r) && strcmp(dstr(r, "state"), "pending") == 0 &&
	    json_array_size(pushed) == before,
	    "with domain_verification dns a domain stays pending, unpublished");
	json_decref(r);
	r = call(pd, 1, "{s:s, s:s}", "op", "domain-records", "domain",
	    "pending.example");
	dump = json_dumps(json_object_get(r, "records"), JSON_COMPACT);
	CHECK(is_ok(r) && strstr(dump, "v=STSv1") == NULL &&
	    strstr(dump, "\"_mta-sts.pending.example.\",\"type\":\"CNAME\"")
	    != NULL && strcmp(json_string_value(json_object_get(r,
	    "waiting")) ?: "", "dnsmon to find the records of pending.example"
	    " pointing at the service, then a valid certificate served for"
	    " mta-sts.pending.example") == 0,
	    "records of a pending domain: the CNAMEs, no STS TXT (nothing"
	    " serves its policy yet), and what it waits for");
	free(dump);
	json_decref(r);
	refused(pd, call(pd, 1, "{s:s, s:s}", "op", "domain-verified",
	    "domain", "pending.example"), "not allowed on the public socket",
	    "domain-verified is refused on the public socket");
	CHECK(cert_asked[0] == '\0', "a pending domain's certificate is not"
	    " asked for");
	r = call(pd, 0, "{s:s, s:s}", "op", "domain-verified", "domain",
	    "pending.example");
	CHECK(is_ok(r) && json_array_size(pushed) == before + 1,
	    "domain-verified publishes the policy");
	CHECK(strcmp(cert_asked, "pending.example") == 0,
	    "domain-verified asks acmed for the certificate now");
	json_decref(r);
	r = call(pd, 1, "{s:s, s:s}", "op", "domain-show", "domain",
	    "pending.example");
	CHECK(strcmp(dstr(r, "state"), "active") == 0, "verified domain is active");
	json_decref(r);
	pd->conf.verify_dns = 0;
	cert_asked[0] = '\0';
	r = call(pd, 1, "{s:s, s:s, s:[s]}", "op", "domain-add", "domain",
	    "at-once.example", "mx", "mx.at-once.example");
	CHECK(is_ok(r) && strcmp(cert_asked, "at-once.example") == 0,
	    "domain-add of a domain active at once asks acmed for its"
	    " certificate now");
	json_decref(r);
	json_decref(call(pd, 1, "{s:s, s:s, s:b}", "op", "domain-del",
	    "domain", "at-once.example", "now", 1));
	pd->cert_now = NULL;
}

static void
test_records(struct policyd *pd)
{
	json_t *r, *rec;
	char *dump;

	/* HTTPS before DNS: no v=STSv1 record before httpd serves it. */
	r = call(pd, 1, "{s:s, s:s}", "op", "domain-records", "domain",
	    "pending.example");
	dump = json_dumps(json_object_get(r, "records"), JSON_COMPACT);
	CHECK(is_ok(r) && strstr(dump, "v=STSv1") == NULL &&
	    strstr(dump, "v=TLSRPTv1") != NULL && strcmp(json_string_value(
	    json_object_get(r, "waiting")) ?: "", "a valid certificate served"
	    " for mta-sts.pending.example") == 0,
	    "records: no STS TXT while waiting for a served certificate, and"
	    " says so");
	free(dump);
	json_decref(r);
	json_decref(served(pd, "mta-sts.pending.example", time(NULL) + 86400));

	r = call(pd, 1, "{s:s, s:s}", "op", "domain-records", "domain",
	    "pending.example");
	rec = json_object_get(r, "records");
	dump = json_dumps(rec, JSON_COMPACT);
	CHECK(is_ok(r) && strstr(dump, "{\"name\":\"mta-sts.pending.example.\","
	    "\"type\":\"CNAME\",\"value\":\"mta-sts.sts.test.\"}"),
	    "records: mta-sts CNAME to policy_host");
	CHECK(strstr(dump, "{\"name\":\"_mta-sts.pending.example.\",\"type\":"
	    "\"CNAME\",\"value\":\"pending.example.sts.test.\"}") != NULL,
	    "records: delegated _mta-sts CNAME into sts_zone");
	CHECK(strstr(dump, "{\"name\":\"_smtp._tls.pending.example.\",\"type\":"
	    "\"TXT\",\"value\":\"v=TLSRPTv1; rua=mailto:tlsrpt@sts.test\"}")
	    != NULL, "records: direct TLS-RPT TXT with the rua of main.cf");
	CHECK(strstr(dump, "\"v=STSv1; id=") != NULL,
	    "records: STS TXT with the policy id");
	free(dump);
	json_decref(r);

	pd->conf.sts_zone = "";
	refused(pd, call(pd, 1, "{s:s, s:s}", "op", "domain-records", "domain",
	    "pending.example"), "parameter sts_zone is empty",
	    "records without sts_zone say what is missing");
	pd->conf.sts_zone = "sts.test";
}

static void
test_misc(struct policyd *pd)
{
	size_t n;
	json_t *r;

	refused(pd, call(pd, 1, "{s:s}", "op", "frobnicate"),
	    "unknown request \"frobnicate\"", "unknown op is refused");
	refused(pd, call(pd, 1, "{s:i}", "op", 1), "request without an op",
	    "request without op is refused");
	refused(pd, call(pd, 1, "{s:s, s:s}", "op", "domain-show", "domain",
	    "nosuch.example"), "nosuch.example: no such domain",
	    "show of an unknown domain is refused");
	r = call(pd, 0, "{s:s, s:s}", "op", "cert-changed", "host",
	    "mta-sts.pending.example");
	CHECK(is_ok(r) && strcmp(json_string_value(json_object_get(
	    json_array_get(pushed, json_array_size(pushed) - 1), "op")),
	    "cert-reload") == 0, "cert-changed is forwarded as cert-reload");
	json_decref(r);

	/* Pages: a small byte limit gives one domain per page. */
	r = call(pd, 1, "{s:s, s:s, s:[s]}", "op", "domain-add", "domain",
	    "z.example", "mx", "mx.z.example");
	json_decref(r);
	pd->reply_limit = 100;
	r = call(pd, 1, "{s:s}", "op", "domain-list");
	CHECK(json_array_size(json_object_get(r, "domains")) == 1 &&
	    strcmp(json_string_value(json_object_get(r, "next")),
	    "pending.example") == 0, "domain-list stops a page at the size limit");
	json_decref(r);
	r = call(pd, 1, "{s:s, s:s}", "op", "domain-list", "after",
	    "pending.example");
	CHECK(json_array_size(json_object_get(r, "domains")) == 1 &&
	    strcmp(json_string_value(json_object_get(json_array_get(
	    json_object_get(r, "domains"), 0), "domain")), "z.example") == 0 &&
	    json_object_get(r, "next") == NULL,
	    "domain-list after a name gives the rest, without next at the end");
	json_decref(r);
	/* Before a name: the nearest one kept at the limit, "prev" set. */
	r = call(pd, 1, "{s:s, s:s}", "op", "domain-list", "before",
	    "zz.example");
	CHECK(json_array_size(json_object_get(r, "domains")) == 1 &&
	    strcmp(json_string_value(json_object_get(json_array_get(
	    json_object_get(r, "domains"), 0), "domain")), "z.example") == 0 &&
	    strcmp(json_string_value(json_object_get(r, "prev")),
	    "z.example") == 0,
	    "domain-list before a name keeps the nearest at the size limit");
	json_decref(r);
	r = call(pd, 1, "{s:s, s:s}", "op", "domain-list", "before",
	    "z.example");
	CHECK(json_array_size(json_object_get(r, "domains")) == 1 &&
	    strcmp(json_string_value(json_object_get(json_array_get(
	    json_object_get(r, "domains"), 0), "domain")),
	    "pending.example") == 0 && json_object_get(r, "prev") == NULL,
	    "domain-list before it gives the first, without prev at the start");
	json_decref(r);
	pd->reply_limit = 0;
	r = call(pd, 1, "{s:s, s:s}", "op", "domain-list", "before",
	    "zz.example");
	CHECK(json_array_size(json_object_get(r, "domains")) == 2 &&
	    strcmp(json_string_value(json_object_get(json_array_get(
	    json_object_get(r, "domains"), 0), "domain")),
	    "pending.example") == 0 && json_object_get(r, "prev") == NULL,
	    "domain-list before a name: every name before it, in name order");
	json_decref(r);
	refused(pd, call(pd, 1, "{s:s, s:s, s:s}", "op", "domain-list",
	    "after", "a.example", "before", "z.example"),
	    "after and before: one cursor at most",
	    "domain-list with both cursors is refused");
	refused(pd, call(pd, 1, "{s:s, s:s}", "op", "domain-list", "before",
	    "a..example"), "before: not a domain name",
	    "domain-list before a bad name is refused");
	r = call(pd, 1, "{s:s, s:s, s:b}", "op", "domain-del", "domain",
	    "z.example", "now", 1);
	json_decref(r);

	json_array_clear(pushed);
	n = request_snapshot(pd, record_notify, NULL);
	CHECK(n == 1 && json_array_size(pushed) == 1 &&
	    strcmp(json_string_value(json_object_get(json_array_get(pushed, 0),
	    "op")), "policies") == 0 &&
	    json_array_size(json_object_get(json_array_get(pushed, 0),
	    "texts")) == 1,
	    "snapshot: one policies message with the servable domain's text");
}

/* The op of the last message pushed, or "". */
static const char *
last_op(void)
{
	const char *s = json_string_value(json_object_get(json_array_get(pushed,
	    json_array_size(pushed) - 1), "op"));

	return s ? s : "";
}

static void
test_challenges(struct policyd *pd)
{
	static const char cert[] = "-----BEGIN CERTIFICATE-----\nMIIB\n"
	    "-----END CERTIFICATE-----\n";
	static const char key[] = "-----BEGIN PRIVATE KEY-----\nMIIE\n"
	    "-----END PRIVATE KEY-----\n";
	json_t *r, *m, *snap;
	size_t n;
	int i;

	json_array_clear(pushed);
	r = call(pd, 0, "{s:s, s:s, s:s, s:s, s:s}", "op", "challenge-add",
	    "type", "http-01", "host", "MTA-STS.A.Example.", "token", "tok-1_A",
	    "keyauth", "tok-1_A.thumb_print-1");
	m = json_array_get(pushed, 0);
	CHECK(is_ok(r) && json_array_size(pushed) == 1 &&
	    strcmp(last_op(), "challenge") == 0 &&
	    strcmp(json_string_value(json_object_get(m, "host")),
	    "mta-sts.a.example") == 0 &&
	    strcmp(json_string_value(json_object_get(m, "token")), "tok-1_A") == 0 &&
	    strcmp(json_string_value(json_object_get(m, "keyauth")),
	    "tok-1_A.thumb_print-1") == 0 &&
	    strcmp(json_string_value(json_object_get(m, "type")), "http-01") == 0,
	    "http-01 challenge-add is pushed as challenge, host normalized");
	json_decref(r);

	refused_all(pd, challenge_refusals, UNIT_NCASES(challenge_refusals));
	refused(pd, call(pd, 0, "{s:s, s:s, s:s, s:s}", "op",
	    "challenge-add", "type", "tls-alpn-01", "host", "mta-sts.c.example",
	    "cert", cert), "missing key", "tls-alpn-01 without key is refused");
	refused(pd, call(pd, 0, "{s:s, s:s, s:s, s:s, s:s}", "op",
	    "challenge-add", "type", "tls-alpn-01", "host", "mta-sts.c.example",
	    "cert", "junk", "key", key), "cert: not in PEM form",
	    "tls-alpn-01 with a cert that is not PEM is refused");

	r = call(pd, 0, "{s:s, s:s, s:s, s:s, s:s}", "op", "challenge-add",
	    "type", "tls-alpn-01", "host", "mta-sts.c.example", "cert", cert,
	    "key", key);
	m = json_array_get(pushed, json_array_size(pushed) - 1);
	CHECK(is_ok(r) && json_array_size(pushed) == 2 &&
	    strcmp(json_string_value(json_object_get(m, "cert")), cert) == 0 &&
	    strcmp(json_string_value(json_object_get(m, "key")), key) == 0 &&
	    json_object_get(m, "token") == NULL,
	    "tls-alpn-01 challenge-add is pushed with its cert and key");
	json_decref(r);
	r = call(pd, 0, "{s:s, s:s, s:s, s:s, s:s}", "op", "challenge-add",
	    "type", "http-01", "host", "mta-sts.a.example", "token", "tok-1_A",
	    "keyauth", "tok-1_A.other");
	CHECK(is_ok(r) && challenges_count(pd->challenges) == 2,
	    "adding the same token again replaces it");
	json_decref(r);

	/* A late subscriber gets them all, oldest first. */
	snap = pushed;
	pushed = json_array();
	n = challenges_snapshot(pd->challenges, record_notify, NULL);
	CHECK(n == 2 && json_array_size(pushed) == 2 &&
	    strcmp(json_string_value(json_object_get(json_array_get(pushed, 0),
	    "keyauth")), "tok-1_A.other") == 0 &&
	    strcmp(json_string_value(json_object_get(json_array_get(pushed, 1),
	    "type")), "tls-alpn-01") == 0,
	    "the challenge snapshot has every current challenge");
	json_decref(pushed);
	pushed = snap;

	json_array_clear(pushed);
	r = call(pd, 0, "{s:s, s:s, s:s, s:s}", "op", "challenge-remove",
	    "type", "http-01", "host", "mta-sts.a.example", "token", "tok-1_A");
	m = json_array_get(pushed, 0);
	CHECK(is_ok(r) && json_integer_value(json_object_get(r, "removed")) == 1 &&
	    json_array_size(pushed) == 1 &&
	    strcmp(last_op(), "challenge-remove") == 0 &&
	    strcmp(json_string_value(json_object_get(m, "token")), "tok-1_A") == 0 &&
	    strcmp(json_string_value(json_object_get(m, "host")),
	    "mta-sts.a.example") == 0,
	    "challenge-remove is pushed with type, host and token");
	json_decref(r);
	r = call(pd, 0, "{s:s, s:s, s:s, s:s}", "op", "challenge-remove",
	    "type", "http-01", "host", "mta-sts.a.example", "token", "tok-1_A");
	CHECK(is_ok(r) && json_integer_value(json_object_get(r, "removed")) == 0 &&
	    json_array_size(pushed) == 1,
	    "removing a challenge that is gone is ok and pushes nothing");
	json_decref(r);
	r = call(pd, 0, "{s:s, s:s, s:s}", "op", "challenge-remove",
	    "type", "tls-alpn-01", "host", "mta-sts.c.example");
	CHECK(is_ok(r) && challenges_count(pd->challenges) == 0 &&
	    strcmp(last_op(), "challenge-remove") == 0,
	    "tls-alpn-01 challenge-remove by host");
	json_decref(r);

	/* The bound. */
	challenges_free(pd->challenges);
	pd->challenges = challenges_new(3);
	for (i = 0; i < 4; i++) {
		char tok[16], ka[32];

		snprintf(tok, sizeof(tok), "t%d", i);
		snprintf(ka, sizeof(ka), "t%d.x", i);
		r = call(pd, 0, "{s:s, s:s, s:s, s:s, s:s}", "op",
		    "challenge-add", "type", "http-01", "host", "mta-sts.b.example",
		    "token", tok, "keyauth", ka);
		if (i < 3)
			json_decref(r);
	}
	refused(pd, r, "mta-sts.b.example: cannot add a http-01 challenge: 3"
	    " challenges are pending, the limit",
	    "a challenge beyond the limit is refused");
	r = call(pd, 0, "{s:s, s:s, s:s}", "op", "challenge-remove",
	    "type", "http-01", "host", "mta-sts.b.example");
	CHECK(is_ok(r) && json_integer_value(json_object_get(r, "removed")) == 3 &&
	    challenges_count(pd->challenges) == 0,
	    "challenge-remove without a token removes all of the host's http-01");
	json_decref(r);
	challenges_free(pd->challenges);
	pd->challenges = NULL;
}

static json_t *
show(struct policyd *pd, const char *domain)
{
	return call(pd, 1, "{s:s, s:s}", "op", "domain-show", "domain", domain);
}

static json_t *
dget(json_t *reply, const char *key)
{
	return json_object_get(json_object_get(reply, "domain"), key);
}

static char check_asked[256];		/* the last domain dnsmon was asked for */
static int asked_rc;

static int
check_now(const char *domain, void *arg)
{
	(void)arg;
	snprintf(check_asked, sizeof(check_asked), "%s", domain);
	return asked_rc;
}

/* domain-add and domain-check ask dnsmon (pd->check_now) for a check. */
static void
test_check_now(struct policyd *pd)
{
	json_t *r;

	pd->check_now = check_now;
	check_asked[0] = '\0';
	r = call(pd, 1, "{s:s, s:s, s:[s]}", "op", "domain-add", "domain",
	    "Now.Example", "mx", "mx.now.example");
	CHECK(is_ok(r) && strcmp(check_asked, "now.example") == 0 &&
	    json_is_true(json_object_get(r, "check_asked")),
	    "domain-add asks dnsmon to check the new domain now");
	json_decref(r);
	check_asked[0] = '\0';
	r = call(pd, 1, "{s:s, s:s}", "op", "domain-check", "domain",
	    "now.example.");
	CHECK(is_ok(r) && strcmp(check_asked, "now.example") == 0 &&
	    json_is_true(json_object_get(r, "asked")),
	    "domain-check on the public socket asks dnsmon for the domain");
	json_decref(r);
	asked_rc = -1;
	r = call(pd, 1, "{s:s, s:s}", "op", "domain-check", "domain",
	    "now.example");
	CHECK(is_ok(r) && json_is_false(json_object_get(r, "asked")),
	    "... and says when dnsmon was not reached");
	json_decref(r);
	asked_rc = 0;
	check_asked[0] = '\0';
	refused(pd, call(pd, 1, "{s:s, s:s}", "op", "domain-check", "domain",
	    "nosuch.example"), "nosuch.example: no such domain",
	    "domain-check of an unknown domain is refused");
	CHECK(check_asked[0] == '\0', "... and asks dnsmon nothing");
	r = call(pd, 1, "{s:s, s:s, s:b}", "op", "domain-del", "domain",
	    "now.example", "now", 1);
	json_decref(r);
	pd->check_now = NULL;
}

/* check-result requests that are refused. */
static const struct refusal result_refusals[] = {
	{0, "{'op':'check-result', 'domain':'pending.example', 'time':3000, "
	    "'checks':[{'check':'mx', 'status':'bad', 'message':'x'}]}",
	    "check 1 (mx): status \"bad\": must be ok, fail, dns-error or info",
	    "a check with a bad status is refused"},
	{0, "{'op':'check-result', 'domain':'pending.example', 'time':3000, "
	    "'checks':'x'}",
	    "checks: not a list",
	    "checks that are not a list are refused"},
	{0, "{'op':'check-result', 'domain':'pending.example', 'time':'now', "
	    "'checks':[]}",
	    "time: not a positive integer",
	    "a bad time is refused"},
};

/* A check-result without checks at time when is accepted, not stored. */
static void
accepted_unstored(struct policyd *pd, const char *domain, json_int_t when,
    const char *what)
{
	json_t *r = call(pd, 0, "{s:s, s:s, s:I, s:[]}", "op", "check-result",
	    "domain", domain, "time", when, "checks");

	CHECK(is_ok(r) && json_is_false(json_object_get(r, "stored")), "%s",
	    what);
	json_decref(r);
}

static void
test_check_result(struct policyd *pd)
{
	json_t *r, *c;

	refused(pd, call(pd, 1, "{s:s, s:s, s:I, s:[]}", "op", "check-result",
	    "domain", "pending.example", "time", (json_int_t)1000, "checks"),
	    "request \"check-result\" is not allowed on the public socket",
	    "check-result is refused on the public socket");
	r = call(pd, 0, "{s:s, s:s, s:I, s:[{s:s, s:s, s:s}, {s:s, s:s, s:s,"
	    " s:s, s:s}, {s:s, s:s, s:s, s:s, s:I}]}", "op", "check-result",
	    "domain", "Pending.Example", "time", (json_int_t)1000, "checks",
	    "check", "mx", "status", "ok", "message", "MX mx.pending.example",
	    "check", "sts-txt", "status", "fail", "message",
	    "TXT _mta-sts.pending.example has id 1, the current policy id is 2",
	    "fix", "publish TXT", "key", "1",
	    "check", "probe", "status", "ok", "message", "ok: TLSv1.3",
	    "host", "mx.pending.example", "days_left", (json_int_t)80);
	CHECK(is_ok(r) && json_is_true(json_object_get(r, "stored")),
	    "check-result is stored");
	json_decref(r);
	r = show(pd, "pending.example");
	c = dget(r, "checks");
	CHECK(json_integer_value(dget(r, "checked")) == 1000 &&
	    json_array_size(c) == 3, "domain-show has the check time and checks");
	CHECK(strcmp(json_string_value(json_object_get(json_array_get(c, 1),
	    "fix")), "publish TXT") == 0 && json_integer_value(json_object_get(
	    json_array_get(c, 2), "days_left")) == 80 &&
	    json_integer_value(json_object_get(json_array_get(c, 1), "since"))
	    == 1000, "each check is kept whole, with the time of its status");
	json_decref(r);

	r = show(pd, "pending.example");
	CHECK(json_is_null(dget(r, "next_check")),
	    "a result without a next time shows none");
	json_decref(r);
	r = call(pd, 0, "{s:s, s:s, s:I, s:I, s:[{s:s, s:s, s:s}, {s:s, s:s,"
	    " s:s}]}", "op", "check-result", "domain", "pending.example", "time",
	    (json_int_t)2000, "next", (json_int_t)2060, "checks", "check", "mx",
	    "status", "ok", "message", "MX", "check", "sts-txt", "status", "ok",
	    "message", "current id");
	json_decref(r);
	r = show(pd, "pending.example");
	CHECK(json_integer_value(dget(r, "next_check")) == 2060,
	    "domain-show has the time of dnsmon's next check");
	json_decref(r);
	refused(pd, call(pd, 0, "{s:s, s:s, s:I, s:s, s:[]}", "op",
	    "check-result", "domain", "pending.example", "time",
	    (json_int_t)3000, "next", "soon", "checks"),
	    "next: not a positive integer", "a bad next time is refused");
	r = show(pd, "pending.example");
	c = dget(r, "checks");
	CHECK(json_integer_value(dget(r, "checked")) == 2000 &&
	    json_array_size(c) == 2 && json_integer_value(json_object_get(
	    json_array_get(c, 0), "since")) == 1000 && json_integer_value(
	    json_object_get(json_array_get(c, 1), "since")) == 2000,
	    "a new result replaces the checks; an unchanged status keeps its time");
	json_decref(r);

	accepted_unstored(pd, "pending.example", 1500,
	    "an older result is ignored");
	r = show(pd, "pending.example");
	CHECK(json_integer_value(dget(r, "checked")) == 2000 &&
	    json_array_size(dget(r, "checks")) == 2,
	    "... and leaves the stored one");
	json_decref(r);

	accepted_unstored(pd, "gone.example", 1000,
	    "a result for a domain removed meanwhile is accepted, not stored");
	refused_all(pd, result_refusals, UNIT_NCASES(result_refusals));
	r = show(pd, "pending.example");
	CHECK(json_integer_value(dget(r, "checked")) == 2000,
	    "refused results stored nothing");
	json_decref(r);
	r = call(pd, 1, "{s:s, s:s, s:[s]}", "op", "domain-add", "domain",
	    "fresh.example", "mx", "mx.fresh.example");
	json_decref(r);
	r = show(pd, "fresh.example");
	CHECK(json_is_null(dget(r, "checked")) &&
	    json_array_size(dget(r, "checks")) == 0 && json_is_null(dget(r,
	    "dns")), "a domain never checked shows no checks; DNS by hand");
	json_decref(r);
	r = call(pd, 1, "{s:s, s:s, s:b}", "op", "domain-del", "domain",
	    "fresh.example", "now", 1);
	json_decref(r);
}

/* What the fake DNS server was asked, as "owner=txt" strings. */
static json_t *updates;
static int update_fails;

static int
fake_update(const char *owner, const char *const *txt, size_t ntxt,
    struct buf *err)
{
	if (update_fails) {
		buf_printf(err, "update of %s TXT at 127.0.0.1: server said"
		    " REFUSED", owner);
		return -1;
	}
	json_array_append_new(updates, json_string(ntxt ? txt[0] : ""));
	json_array_append_new(updates, json_string(owner));
	return 0;
}

/* Runs the due batch as the child would, and records the outcomes. */
static size_t
run_batch(struct policyd *pd, long long now)
{
	struct policydb_publish_item *v, it;
	struct buf err = BUF_INIT, out = BUF_INIT;
	char chunk[4096], *line, *nl, *error;
	size_t n, i;
	ssize_t k;
	json_t *msg;
	int fds[2];

	if (policydb_publish_due(pd->db, now, PUBLISH_BATCH_MAX, &v, &n, &err) < 0 ||
	    pipe(fds) < 0)
		return 0;
	publish_run(&pd->conf, v, n, fds[1], fake_update);
	close(fds[1]);
	while ((k = read(fds[0], chunk, sizeof(chunk))) > 0)
		buf_append(&out, chunk, (size_t)k);
	close(fds[0]);
	buf_append(&out, "", 1);
	for (line = out.s, i = 0; (nl = strchr(line, '\n')) && i < n;
	    line = nl + 1, i++) {
		msg = NULL;
		if (ipc_parse(line, (size_t)(nl - line), &msg, &err) == 0 &&
		    publish_result_parse(msg, &it, &error) == 0) {
			publish_done(pd->db, &v[i], error, now, 30, 3600, &err);
			free(it.domain);
			free(it.id);
			free(error);
		}
		json_decref(msg);
	}
	policydb_publish_free(v, n);
	buf_free(&out);
	buf_free(&err);
	return n;
}

static long long
dns_int(json_t *reply, const char *key)
{
	return (long long)json_integer_value(json_object_get(dget(reply, "dns"),
	    key));
}

static const char *
dns_str(json_t *reply, const char *key)
{
	const char *s = json_string_value(json_object_get(dget(reply, "dns"),
	    key));

	return s ? s : "(null)";
}

/* The service_zone_publish method of domain-records for domain is method. */
static int
records_method(struct policyd *pd, const char *domain, const char *method)
{
	json_t *r = call(pd, 1, "{s:s, s:s}", "op", "domain-records", "domain",
	    domain);
	const char *got = json_string_value(json_object_get(json_object_get(r,
	    "service_zone_publish"), "method"));
	int same = got != NULL && strcmp(got, method) == 0;

	json_decref(r);
	return same;
}

static void
test_publish(struct policyd *pd)
{
	struct buf err = BUF_INIT;
	json_t *r, *st;
	char *id1, *id2, *dump;
	long long now = time(NULL);
	size_t i, push = 0, kick = 0;

	pd->conf.dns_update = 1;
	pd->conf.dns_update_server = "127.0.0.1";
	pd->publish = record_publish;
	updates = json_array();
	events = json_array();
	r = call(pd, 1, "{s:s, s:s, s:[s]}", "op", "domain-add", "domain",
	    "pub.example", "mx", "mx.pub.example");
	id1 = xstrdup(dstr(r, "policy_id"));
	json_decref(r);
	for (i = 0; i < json_array_size(events); i++) {
		if (strcmp(json_string_value(json_array_get(events, i)), "push")
		    == 0 && push == 0)
			push = i + 1;
		if (strcmp(json_string_value(json_array_get(events, i)),
		    "publish") == 0 && kick == 0)
			kick = i + 1;
	}
	CHECK(push > 0 && kick > push,
	    "a new domain is pushed to subscribers before DNS is updated");
	r = show(pd, "pending.example");
	CHECK(json_is_object(dget(r, "dns")), "show has a dns object");
	json_decref(r);
	r = show(pd, "pub.example");
	CHECK(json_is_true(json_object_get(dget(r, "dns"), "pending")) &&
	    strcmp(dns_str(r, "want_id"), id1) == 0 &&
	    strcmp(dns_str(r, "published_id"), "(null)") == 0 &&
	    strcmp(dns_str(r, "server"), "127.0.0.1") == 0,
	    "its publication is pending with the new id");
	json_decref(r);

	/* HTTPS before DNS (RFC 8461 section 8.1), for a new domain too. */
	CHECK(was_asked("mta-sts.pub.example"),
	    "subscribers are asked whether they serve the new domain");
	json_array_clear(updates);
	run_batch(pd, now);
	r = show(pd, "pub.example");
	dump = json_dumps(updates, JSON_COMPACT);
	CHECK(dump != NULL && strstr(dump, "pub.example") == NULL &&
	    json_is_true(json_object_get(dget(r, "dns"),
	    "pending")) && strcmp(dstr(r, "waiting"), "a valid certificate"
	    " served for mta-sts.pub.example") == 0,
	    "its TXT record waits for a valid certificate served by httpd");
	free(dump);
	json_decref(r);
	r = served(pd, "mta-sts.pub.example", now - 1);
	CHECK(is_ok(r), "cert-served is answered ok");
	json_decref(r);
	r = show(pd, "pub.example");
	CHECK(json_is_string(json_object_get(json_object_get(r, "domain"),
	    "waiting")), "an expired certificate served does not count");
	json_decref(r);
	r = served(pd, "mta-sts.nosuch.example", now + 86400);
	CHECK(is_ok(r), "cert-served of an unknown host is answered ok");
	json_decref(r);
	/* Bad input changes nothing and never breaks the subscription. */
	r = call(pd, 0, "{s:s, s:s, s:s}", "op", "cert-served", "host",
	    "mta-sts.pub.example", "not_after", "tomorrow");
	json_decref(r);
	r = call(pd, 0, "{s:s, s:s}", "op", "cert-served", "host",
	    "mta-sts.pub.example");
	json_decref(r);
	r = call(pd, 0, "{s:s, s:I}", "op", "cert-served", "not_after",
	    (json_int_t)(now + 86400));
	json_decref(r);
	r = served(pd, "mta-sts.pub.example\nmta-sts.pub.example", now + 86400);
	json_decref(r);
	r = served(pd, "pub.example", now + 86400);
	json_decref(r);
	r = served(pd, "mta-sts.pub.example", -9223372036854775807LL);
	CHECK(is_ok(r), "cert-served with bad input is answered ok");
	json_decref(r);
	refused(pd, call(pd, 1, "{s:s, s:s, s:I}", "op", "cert-served",
	    "host", "mta-sts.pub.example", "not_after", (json_int_t)(now +
	    86400)), "not allowed on the public socket",
	    "cert-served is refused on the public socket");
	r = show(pd, "pub.example");
	CHECK(json_is_string(json_object_get(json_object_get(r, "domain"),
	    "waiting")), "... and none of it (no number, no host, a newline,"
	    " no mta-sts., a huge negative time, stsctl) counts");
	json_decref(r);
	json_array_clear(events);
	r = served(pd, "mta-sts.pub.example", now + 86400);
	json_decref(r);
	r = show(pd, "pub.example");
	CHECK(json_is_null(json_object_get(json_object_get(r, "domain"),
	    "waiting")) && json_array_size(events) == 1 &&
	    strcmp(json_string_value(json_array_get(events, 0)), "publish") ==
	    0, "once served with a valid certificate it waits no more and"
	    " DNS is kicked");
	json_decref(r);
	json_array_clear(updates);
	CHECK(run_batch(pd, now) >= 1, "the batch has the due domains");
	st = json_array();
	for (i = 0; i + 1 < json_array_size(updates); i += 2)
		if (strstr(json_string_value(json_array_get(updates, i + 1)),
		    "pub.example") == json_string_value(json_array_get(updates,
		    i + 1)))
		{
			json_array_append(st, json_array_get(updates, i));
			json_array_append(st, json_array_get(updates, i + 1));
		}
	id2 = xasprintf("v=STSv1; id=%s;", id1);
	CHECK(json_array_size(st) == 4 && strcmp(json_string_value(
	    json_array_get(st, 0)), id2) == 0 && strcmp(json_string_value(
	    json_array_get(st, 1)), "pub.example.sts.test") == 0,
	    "the STS TXT of the service zone has the id");
	free(id2);
	CHECK(json_array_size(st) == 4 &&
	    strcmp(json_string_value(json_array_get(st, 2)),
	    "v=TLSRPTv1; rua=mailto:tlsrpt@sts.test") == 0 &&
	    strcmp(json_string_value(json_array_get(st, 3)),
	    "pub.example._report.sts.test") == 0,
	    "the TLSRPT TXT of the service zone has the rua");
	json_decref(st);
	r = show(pd, "pub.example");
	CHECK(!json_is_true(json_object_get(dget(r, "dns"), "pending")) &&
	    strcmp(dns_str(r, "published_id"), id1) == 0 &&
	    json_is_null(json_object_get(dget(r, "dns"), "error")),
	    "after the update the id is published, nothing pending");
	json_decref(r);

	r = call(pd, 1, "{s:s, s:s, s:s}", "op", "domain-set", "domain",
	    "pub.example", "mode", "enforce");
	id2 = xstrdup(dstr(r, "policy_id"));
	json_decref(r);
	/* The set queued its update at the clock's time: later than the
	 * start of the test when a second began meanwhile. */
	now = time(NULL);
	update_fails = 1;
	run_batch(pd, now);
	r = show(pd, "pub.example");
	CHECK(json_is_true(json_object_get(dget(r, "dns"), "pending")) &&
	    strcmp(dns_str(r, "want_id"), id2) == 0 &&
	    strcmp(dns_str(r, "published_id"), id1) == 0 &&
	    dns_int(r, "attempts") == 1 && dns_int(r, "next_try") == now + 30 &&
	    strcmp(dns_str(r, "error"), "update of pub.example.sts.test TXT at"
	    " 127.0.0.1: server said REFUSED") == 0,
	    "a failed update stays pending, with the error and a retry time");
	json_decref(r);
	CHECK(run_batch(pd, now + 10) == 0 && policydb_publish_next(pd->db) == now + 30,
	    "nothing is retried before its time");
	run_batch(pd, now + 30);
	r = show(pd, "pub.example");
	CHECK(dns_int(r, "attempts") == 2 && dns_int(r, "next_try") ==
	    now + 30 + 60, "the wait doubles after each failure");
	json_decref(r);
	update_fails = 0;
	run_batch(pd, now + 90);
	r = show(pd, "pub.example");
	CHECK(!json_is_true(json_object_get(dget(r, "dns"), "pending")) &&
	    strcmp(dns_str(r, "published_id"), id2) == 0 &&
	    dns_int(r, "attempts") == 0, "a retry that works publishes the id");
	json_decref(r);

	r = call(pd, 1, "{s:s, s:s, s:b}", "op", "domain-del", "domain",
	    "pub.example", "now", 1);
	json_decref(r);
	st = publish_state_json(pd->db, "pub.example");
	CHECK(st != NULL && json_is_null(json_object_get(st, "want_id")) &&
	    json_is_true(json_object_get(st, "pending")),
	    "removing a domain queues the deletion of its records");
	json_decref(st);
	json_array_clear(updates);
	run_batch(pd, now + 100);
	CHECK(json_array_size(updates) == 4 && strcmp(json_string_value(
	    json_array_get(updates, 0)), "") == 0,
	    "the deletion sends updates without records");
	st = publish_state_json(pd->db, "pub.example");
	CHECK(st == NULL, "once deleted, the domain's row is gone");
	json_decref(st);

	/* Retirement publishes the mode none id; its end deletes. */
	r = call(pd, 1, "{s:s, s:s, s:[s]}", "op", "domain-add", "domain",
	    "old.example", "mx", "mx.old.example");
	json_decref(r);
	json_decref(served(pd, "mta-sts.old.example", now + 86400));
	run_batch(pd, now);
	r = call(pd, 1, "{s:s, s:s}", "op", "domain-del", "domain",
	    "old.example");
	st = publish_state_json(pd->db, "old.example");
	CHECK(strcmp(json_string_value(json_object_get(st, "want_id")),
	    dstr(r, "policy_id")) == 0, "retirement queues its mode none id");
	json_decref(st);
	json_decref(r);
	run_batch(pd, now);
	request_expire(pd, now + 604800 + 5);
	st = publish_state_json(pd->db, "old.example");
	CHECK(st != NULL && json_is_null(json_object_get(st, "want_id")) &&
	    json_is_true(json_object_get(st, "pending")),
	    "the end of retirement queues the deletion");
	json_decref(st);
	run_batch(pd, now + 100);	/* queued at the clock of expire */
	st = publish_state_json(pd->db, "old.example");
	CHECK(st == NULL, "... which removes the row when done");
	json_decref(st);

	CHECK(records_method(pd, "pending.example", "dns-update"),
	    "records say that the service zone is updated by policyd");

	/* A domain added while updates were off is caught up by sync. */
	pd->conf.dns_update = 0;
	r = call(pd, 1, "{s:s, s:s, s:[s]}", "op", "domain-add", "domain",
	    "late.example", "mx", "mx.late.example");
	json_decref(r);
	CHECK(records_method(pd, "late.example", "by-hand"),
	    "without dns_update_server the records are published by hand");
	CHECK(publish_state_json(pd->db, "late.example") == NULL,
	    "... and nothing is queued");
	pd->conf.dns_update = 1;
	CHECK(publish_sync(pd->db, &pd->conf, now, &err) == 0, "sync runs");
	st = publish_state_json(pd->db, "late.example");
	CHECK(st != NULL && json_is_true(json_object_get(st, "pending")),
	    "sync queues what DNS lacks");
	json_decref(st);
	r = call(pd, 1, "{s:s, s:s, s:b}", "op", "domain-del", "domain",
	    "late.example", "now", 1);
	json_decref(r);

	pd->conf.dns_update = 0;
	pd->publish = NULL;
	json_decref(updates);
	json_decref(events);
	events = NULL;
	free(id1);
	free(id2);
	buf_free(&err);
}

/* The TXT last sent for owner by the fake DNS server, or NULL. */
static const char *
sent_txt(const char *owner)
{
	const char *txt = NULL;
	size_t i;

	for (i = 0; i + 1 < json_array_size(updates); i += 2)
		if (strcmp(json_string_value(json_array_get(updates, i + 1)),
		    owner) == 0)
			txt = json_string_value(json_array_get(updates, i));
	return txt;
}

static int
sent_is(const char *owner, const char *want)
{
	const char *txt = sent_txt(owner);

	if (txt == NULL || strcmp(txt, want) != 0) {
		printf("# %s: sent \"%s\"\n", owner, txt ? txt : "(nothing)");
		return 0;
	}
	return 1;
}

/* The value of record NAME in FORM of a domain-records reply. */
static const char *
record_value(json_t *r, const char *form, const char *name, const char *type)
{
	json_t *a = json_object_get(json_object_get(r, "records"), form), *e;
	size_t i;

	json_array_foreach(a, i, e)
		if (strcmp(json_string_value(json_object_get(e, "name")),
		    name) == 0 && strcmp(json_string_value(json_object_get(e,
		    "type")), type) == 0)
			return json_string_value(json_object_get(e, "value"));
	return "(none)";
}

static int
pending(struct policyd *pd, const char *domain)
{
	json_t *st = publish_state_json(pd->db, domain);
	int p = st != NULL && json_is_true(json_object_get(st, "pending"));

	json_decref(st);
	return p;
}

/*
 * report_https_rua: the rua of each domain ends with its own https URI,
 * in the records stsctl prints and in what DNS gets; turning it on or
 * off (a restart: publish_sync) re-publishes every domain.
 */
static void
test_https_rua(struct policyd *pd)
{
	static char *wild[] = { "tlsrpt+*@sts.test", NULL };
	char **rcpt = pd->conf.report_recipients;
	struct buf err = BUF_INIT;
	long long now = time(NULL), due = now + 60;	/* past every next_try */
	const char *both = "v=TLSRPTv1; rua=mailto:tlsrpt@sts.test,"
	    "https://mta-sts.h1.example/tlsrpt";
	json_t *r;

	pd->conf.dns_update = 1;
	pd->conf.dns_update_server = "127.0.0.1";
	updates = json_array();
	json_decref(call(pd, 1, "{s:s, s:s, s:[s]}", "op", "domain-add",
	    "domain", "h1.example", "mx", "mx.h1.example"));
	json_decref(call(pd, 1, "{s:s, s:s, s:[s]}", "op", "domain-add",
	    "domain", "h2.example", "mx", "mx.h2.example"));
	json_decref(served(pd, "mta-sts.h1.example", due + 86400));
	json_decref(served(pd, "mta-sts.h2.example", due + 86400));
	run_batch(pd, due);
	CHECK(sent_is("h1.example._report.sts.test",
	    "v=TLSRPTv1; rua=mailto:tlsrpt@sts.test"),
	    "https rua off: the TLSRPT TXT has the mailto: rua only");
	CHECK(publish_sync(pd->db, &pd->conf, now, &err) == 0 &&
	    !pending(pd, "h1.example"), "https rua off: sync changes nothing");

	/* On: every domain is pending again, each with its own URI. */
	pd->conf.report_https_path = "/tlsrpt";
	r = call(pd, 1, "{s:s, s:s}", "op", "domain-records", "domain",
	    "h1.example");
	CHECK(strcmp(record_value(r, "direct", "_smtp._tls.h1.example.",
	    "TXT"), both) == 0, "https rua on: records, direct TLS-RPT TXT "
	    "is the mailto: rua then https://mta-sts.DOMAIN/tlsrpt");
	CHECK(strcmp(record_value(r, "service_zone",
	    "h1.example._report.sts.test.", "TXT"), both) == 0,
	    "https rua on: records, the service zone TLS-RPT TXT too");
	json_decref(r);
	CHECK(publish_sync(pd->db, &pd->conf, now, &err) == 0 &&
	    pending(pd, "h1.example") && pending(pd, "h2.example"),
	    "https rua on: sync makes every domain pending");
	json_array_clear(updates);
	run_batch(pd, due);
	CHECK(sent_is("h1.example._report.sts.test", both),
	    "https rua on: DNS gets the rua with the https URI");
	CHECK(sent_is("h2.example._report.sts.test",
	    "v=TLSRPTv1; rua=mailto:tlsrpt@sts.test,"
	    "https://mta-sts.h2.example/tlsrpt"),
	    "https rua on: each domain has its own https URI");
	CHECK(!pending(pd, "h1.example") && publish_sync(pd->db, &pd->conf,
	    now, &err) == 0 && !pending(pd, "h1.example"),
	    "https rua on: published, and a second sync changes nothing");

	/* A change of the domain keeps the https URI. */
	json_decref(call(pd, 1, "{s:s, s:s, s:s}", "op", "domain-set",
	    "domain", "h1.example", "mode", "enforce"));
	json_array_clear(updates);
	run_batch(pd, due);
	CHECK(sent_is("h1.example._report.sts.test", both),
	    "https rua on: a policy change publishes the https URI too");

	/* No address that can be mailed: the https URI alone. */
	pd->conf.report_recipients = wild;
	r = call(pd, 1, "{s:s, s:s}", "op", "domain-records", "domain",
	    "h1.example");
	CHECK(is_ok(r) && strcmp(record_value(r, "direct",
	    "_smtp._tls.h1.example.", "TXT"), "v=TLSRPTv1; "
	    "rua=https://mta-sts.h1.example/tlsrpt") == 0,
	    "https rua on, no usable address: records have the https URI alone");
	json_decref(r);
	publish_sync(pd->db, &pd->conf, now, &err);
	json_array_clear(updates);
	run_batch(pd, due);
	CHECK(sent_is("h2.example._report.sts.test",
	    "v=TLSRPTv1; rua=https://mta-sts.h2.example/tlsrpt"),
	    "https rua on, no usable address: DNS gets the https URI alone");
	pd->conf.report_https_path = NULL;
	r = call(pd, 1, "{s:s, s:s}", "op", "domain-records", "domain",
	    "h1.example");
	CHECK(!is_ok(r) && strcmp(error_of(r), "parameter report_recipients:"
	    " no address without a wildcard to publish as rua") == 0,
	    "neither address nor https: records say why");
	json_decref(r);

	/* Off again: back to the mailto: rua, every domain re-published. */
	pd->conf.report_recipients = rcpt;
	CHECK(publish_sync(pd->db, &pd->conf, now, &err) == 0 &&
	    pending(pd, "h1.example") && pending(pd, "h2.example"),
	    "https rua off again: sync makes every domain pending");
	json_array_clear(updates);
	run_batch(pd, due);
	CHECK(sent_is("h2.example._report.sts.test",
	    "v=TLSRPTv1; rua=mailto:tlsrpt@sts.test"),
	    "https rua off again: DNS gets the mailto: rua only");

	json_decref(call(pd, 1, "{s:s, s:s, s:b}", "op", "domain-del",
	    "domain", "h1.example", "now", 1));
	json_decref(call(pd, 1, "{s:s, s:s, s:b}", "op", "domain-del",
	    "domain", "h2.example", "now", 1));
	run_batch(pd, due);
	pd->conf.dns_update = 0;
	json_decref(updates);
	updates = NULL;
	buf_free(&err);
}

/*
 * The snapshot in several messages: each within snapshot_size bytes
 * once encoded, every servable domain once, in name order, with the
 * policy domain-show has.
 */
static void
test_snapshot(struct policyd *pd)
{
	char name[64], prev[256] = "", d[256], id[64];
	size_t i, n, total = 0, big = 0, ordered = 1, len, ntexts = 0, k;
	json_t *r, *texts, *want = NULL;
	const char *p;
	char *line;
	int same = 0, used;

	for (i = 0; i < 40; i++) {
		snprintf(name, sizeof(name), "snap%02zu.example", i);
		r = call(pd, 1, "{s:s, s:s, s:[s]}", "op", "domain-add",
		    "domain", name, "mx", "mx.snap.example");
		json_decref(r);
	}
	r = call(pd, 1, "{s:s, s:s}", "op", "domain-show", "domain",
	    "snap07.example");
	want = json_incref(json_object_get(r, "domain"));
	json_decref(r);
	json_array_clear(pushed);
	pd->snapshot_size = 600;
	n = request_snapshot(pd, record_notify, NULL);
	pd->snapshot_size = 0;
	for (i = 0; i < json_array_size(pushed); i++) {
		line = ipc_encode(json_array_get(pushed, i), &len);
		if (len > 600)
			big++;
		free(line);
		texts = json_object_get(json_array_get(pushed, i), "texts");
		for (k = 0; k < json_array_size(texts); k++)
			if (strcmp(json_string_value(json_array_get(texts, k)),
			    json_string_value(json_object_get(want, "policy"))) == 0)
				ntexts++;
		p = json_string_value(json_object_get(json_array_get(pushed, i),
		    "domains"));
		while (p != NULL && sscanf(p, "%255s %63s %zu\n%n", d, id, &k,
		    &used) == 3) {
			p += used;
			total++;
			if (strcmp(prev, d) >= 0)
				ordered = 0;
			snprintf(prev, sizeof(prev), "%s", d);
			if (strcmp(d, "snap07.example") == 0)
				same = strcmp(id, json_string_value(
				    json_object_get(want, "policy_id"))) == 0 &&
				    strcmp(json_string_value(json_array_get(texts,
				    k)), json_string_value(json_object_get(want,
				    "policy"))) == 0;
		}
	}
	CHECK(n >= 40 && total == n, "snapshot: a line per domain");
	CHECK(json_array_size(pushed) > 1 && big == 0,
	    "snapshot: split into messages within snapshot_size bytes");
	CHECK(ordered, "snapshot: each domain once, in name order");
	CHECK(ntexts <= json_array_size(pushed),
	    "snapshot: domains with the same policy share its text");
	CHECK(same, "snapshot: the id and policy that domain-show has");
	json_decref(want);
	for (i = 0; i < 40; i++) {
		snprintf(name, sizeof(name), "snap%02zu.example", i);
		r = call(pd, 1, "{s:s, s:s, s:b}", "op", "domain-del",
		    "domain", name, "now", 1);
		json_decref(r);
	}
}

/* domain-import: all of a batch or nothing, errors with the entry. */
static void
test_import(struct policyd *pd)
{
	json_t *r;

	json_array_clear(pushed);
	r = call(pd, 1, "{s:s, s:[{s:s, s:[s]}, {s:s, s:[s], s:s}]}", "op",
	    "domain-import", "domains", "domain", "imp1.example", "mx",
	    "mx.imp.example", "domain", "imp2.example", "mx", "mx.imp.example",
	    "mode", "enforce");
	CHECK(is_ok(r) && json_integer_value(json_object_get(r,
	    "imported")) == 2, "domain-import adds every domain of the list");
	json_decref(r);
	CHECK(json_array_size(pushed) == 2, "subscribers get each imported policy");
	r = call(pd, 1, "{s:s, s:s}", "op", "domain-show", "domain",
	    "imp2.example");
	CHECK(is_ok(r) && strcmp(dstr(r, "mode"), "enforce") == 0,
	    "an imported domain has its own mode");
	json_decref(r);
	r = call(pd, 1, "{s:s, s:[{s:s, s:[s]}, {s:s, s:[s]}]}", "op",
	    "domain-import", "domains", "domain", "imp3.example", "mx",
	    "mx.imp.example", "domain", "imp1.example", "mx", "mx.imp.example");
	CHECK(!is_ok(r) && strcmp(json_string_value(json_object_get(r,
	    "error")), "entry 2: imp1.example: domain already exists (state"
	    " active)") == 0, "an import error names the entry and the cause");
	json_decref(r);
	r = call(pd, 1, "{s:s, s:s}", "op", "domain-show", "domain",
	    "imp3.example");
	CHECK(!is_ok(r), "nothing of a refused import is stored");
	json_decref(r);
	r = call(pd, 1, "{s:s, s:[]}", "op", "domain-import", "domains");
	CHECK(!is_ok(r), "an empty import is refused");
	json_decref(r);
}

/* The clock of the requests in the tests below. */
static long long fake_now;

static long long
fake_clock(void)
{
	return fake_now;
}

/* A string member of the domain's object in domain-show, copied. */
static char *
domain_field(struct policyd *pd, const char *domain, const char *member)
{
	json_t *r = call(pd, 1, "{s:s, s:s}", "op", "domain-show", "domain",
	    domain);
	char *v = xstrdup(dstr(r, member));

	json_decref(r);
	return v;
}

static char *
id_of(struct policyd *pd, const char *domain)
{
	return domain_field(pd, domain, "policy_id");
}

static long long
dint(json_t *reply, const char *key)
{
	return json_integer_value(json_object_get(json_object_get(reply,
	    "domain"), key));
}

static void
del_now(struct policyd *pd, const char *domain)
{
	json_decref(call(pd, 1, "{s:s, s:s, s:b}", "op", "domain-del",
	    "domain", domain, "now", 1));
}

/* Each new id greater than every earlier one of the name. */
static int
greater(const char *id, char **before, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (strcmp(id, before[i]) <= 0) {
			printf("# id %s is not greater than %s\n", id, before[i]);
			return 0;
		}
	return 1;
}

/* domain-add of name, ids.example as given. */
static void
add_ids(struct policyd *pd, const char *name)
{
	json_decref(call(pd, 1, "{s:s, s:s, s:[s]}", "op", "domain-add",
	    "domain", name, "mx", "mx.ids.example"));
}

/* ids[n] is the id of ids.example now, greater than ids[0..n-1]. */
static void
new_id(struct policyd *pd, char **ids, size_t n, const char *what)
{
	ids[n] = id_of(pd, "ids.example");
	CHECK(greater(ids[n], ids, n), "%s", what);
}

/* Ids never repeat: del --now, add, import, a clock that goes back. */
static void
test_ids(struct policyd *pd, const char *path)
{
	struct buf err = BUF_INIT;
	char *ids[7];
	json_t *r;
	size_t i;

	pd->now = fake_clock;
	fake_now = 1797206110;
	add_ids(pd, "ids.example");
	ids[0] = id_of(pd, "ids.example");
	del_now(pd, "ids.example");
	add_ids(pd, "ids.example");
	new_id(pd, ids, 1, "del now and add in the same second:"
	    " a new, greater id");
	del_now(pd, "ids.example");
	r = call(pd, 1, "{s:s, s:[{s:s, s:[s]}]}", "op", "domain-import",
	    "domains", "domain", "ids.example", "mx", "mx.ids.example");
	json_decref(r);
	new_id(pd, ids, 2, "an import after del now: a greater id");
	fake_now -= 3600;
	json_decref(call(pd, 1, "{s:s, s:s, s:s}", "op", "domain-set",
	    "domain", "ids.example", "mode", "enforce"));
	new_id(pd, ids, 3, "a change after the clock went back an"
	    " hour: a greater id");
	del_now(pd, "ids.example");
	add_ids(pd, "ids.example");
	new_id(pd, ids, 4, "del now and add with the clock back:"
	    " a greater id");
	del_now(pd, "ids.example");
	policydb_close(pd->db);
	pd->db = policydb_open(path, &err);
	add_ids(pd, "IDS.example.");
	new_id(pd, ids, 5, "the ids of a removed name persist in"
	    " policy.db");
	json_decref(call(pd, 1, "{s:s, s:s, s:b}", "op", "domain-del",
	    "domain", "ids.example", "now", 0));
	new_id(pd, ids, 6, "retirement: a greater id");
	del_now(pd, "ids.example");
	for (i = 0; i < 7; i++)
		free(ids[i]);
	buf_free(&err);
	pd->now = NULL;
}

/*
 * Retirement lasts until the last cached policy expires, not the last
 * max_age; add restores a retiring domain.
 */
static void
test_retire_rule(struct policyd *pd)
{
	long long t = 1800000000;
	char *id1, *id2, *id3;
	json_t *r;

	pd->now = fake_clock;
	fake_now = t;
	json_decref(call(pd, 1, "{s:s, s:s, s:[s, s], s:s, s:I}", "op",
	    "domain-add", "domain", "ret.example", "mx", "mx1.ret.example",
	    "*.ret.example", "mode", "enforce", "max_age", (json_int_t)1000));
	fake_now = t + 10;
	json_decref(call(pd, 1, "{s:s, s:s, s:I}", "op", "domain-set",
	    "domain", "ret.example", "max_age", (json_int_t)60));
	fake_now = t + 20;
	r = call(pd, 1, "{s:s, s:s}", "op", "domain-del", "domain",
	    "ret.example");
	CHECK(is_ok(r) && dint(r, "retire_at") == t + 10 + 1000,
	    "max_age lowered from 1000 to 60, then del: retired until the"
	    " 1000 s policy expires, 990 s after del");
	CHECK(strcmp(dstr(r, "policy"), "version: STSv1\r\nmode: none\r\n"
	    "mx: mx1.ret.example\r\nmx: *.ret.example\r\nmax_age: 60\r\n")
	    == 0, "the retiring policy is mode none with the max_age served");
	json_decref(r);
	id1 = id_of(pd, "ret.example");
	CHECK(request_expire(pd, t + 1009) == 0, "not removed before");
	refused(pd, call(pd, 1, "{s:s, s:s}", "op", "domain-del", "domain",
	    "ret.example"), "ret.example: domain is already retiring (removed at"
	    " 2027-01-15T08:16:50Z); use --now to remove it at once",
	    "a second del names the removal time in ISO 8601 UTC");
	refused(pd, call(pd, 1, "{s:s, s:s, s:s}", "op", "domain-set",
	    "domain", "ret.example", "mode", "testing"), "ret.example: domain"
	    " is retiring (removed at 2027-01-15T08:16:50Z); it cannot be"
	    " changed, \"domain add\" restores it", "set of a retiring domain"
	    " says how to restore it");

	fake_now = t + 30;
	r = call(pd, 1, "{s:s, s:s}", "op", "domain-add", "domain",
	    "ret.example");
	CHECK(is_ok(r) && json_is_true(json_object_get(r, "restored")) &&
	    strcmp(dstr(r, "state"), "active") == 0 &&
	    json_is_null(json_object_get(json_object_get(r, "domain"),
	    "retire_at")), "add of a retiring domain restores it");
	CHECK(strcmp(dstr(r, "policy"), "version: STSv1\r\nmode: enforce\r\n"
	    "mx: mx1.ret.example\r\nmx: *.ret.example\r\nmax_age: 60\r\n")
	    == 0, "... with the policy it had");
	id2 = xstrdup(dstr(r, "policy_id"));
	CHECK(strcmp(id2, id1) > 0, "... and a new id");
	CHECK(strcmp(json_string_value(json_object_get(json_array_get(pushed,
	    json_array_size(pushed) - 1), "policy")), dstr(r, "policy")) == 0,
	    "... pushed to subscribers");
	json_decref(r);

	fake_now = t + 40;
	r = call(pd, 1, "{s:s, s:s}", "op", "domain-del", "domain",
	    "ret.example");
	CHECK(dint(r, "retire_at") == t + 1010, "a restored domain deleted"
	    " again still waits for the 1000 s policy");
	json_decref(r);
	r = call(pd, 1, "{s:s, s:s, s:s, s:I}", "op", "domain-add", "domain",
	    "ret.example", "mode", "testing", "max_age", (json_int_t)200000);
	CHECK(is_ok(r) && strcmp(dstr(r, "mode"), "testing") == 0 &&
	    dint(r, "max_age") == 200000 && strstr(dstr(r, "policy"),
	    "mx: mx1.ret.example\r\n") != NULL,
	    "add restores with the values it gives, the rest as it was");
	json_decref(r);
	fake_now = t + 50;
	r = call(pd, 1, "{s:s, s:s}", "op", "domain-del", "domain",
	    "ret.example");
	CHECK(dint(r, "max_age") == 86400 &&
	    dint(r, "retire_at") == t + 50 + 200000,
	    "mode none max_age capped by policyd_retire_max_age; retirement"
	    " lasts the 200000 s policy");
	json_decref(r);
	CHECK(request_expire(pd, t + 50 + 199999) == 0 &&
	    request_expire(pd, t + 50 + 200000) == 1,
	    "removed when the last cached policy expires");
	fake_now = t + 60;
	json_decref(call(pd, 1, "{s:s, s:s, s:[s]}", "op", "domain-add",
	    "domain", "ret.example", "mx", "mx.ret.example"));
	id3 = id_of(pd, "ret.example");
	CHECK(strcmp(id3, id2) > 0, "added after removal: a greater id still");
	fake_now = t + 70;
	r = call(pd, 1, "{s:s, s:s, s:b}", "op", "domain-del", "domain",
	    "ret.example", "now", 1);
	CHECK(is_ok(r) && strcmp(json_string_value(json_object_get(r,
	    "warning")), "ret.example: removed at once, without a mode none"
	    " policy first: senders that cached its testing policy (max_age"
	    " 604800 s) or an earlier one may keep applying it until"
	    " 2027-01-22T08:01:10Z") == 0,
	    "del now warns until when, in ISO 8601 UTC");
	json_decref(r);

	/* import restores too; del now of a retiring domain warns. */
	fake_now = t + 80;
	json_decref(call(pd, 1, "{s:s, s:s, s:[s], s:s}", "op", "domain-add",
	    "domain", "ret.example", "mx", "mx.ret.example", "mode", "enforce"));
	json_decref(call(pd, 1, "{s:s, s:s}", "op", "domain-del", "domain",
	    "ret.example"));
	r = call(pd, 1, "{s:s, s:[{s:s, s:[]}]}", "op", "domain-import",
	    "domains", "domain", "ret.example", "mx");
	CHECK(is_ok(r) && json_integer_value(json_object_get(r, "restored"))
	    == 1, "import of a retiring domain restores it");
	json_decref(r);
	r = call(pd, 1, "{s:s, s:s}", "op", "domain-show", "domain",
	    "ret.example");
	CHECK(strcmp(dstr(r, "mode"), "enforce") == 0 &&
	    strcmp(dstr(r, "state"), "active") == 0,
	    "... with the policy it had");
	json_decref(r);
	json_decref(call(pd, 1, "{s:s, s:s}", "op", "domain-del", "domain",
	    "ret.example"));
	r = call(pd, 1, "{s:s, s:s, s:b}", "op", "domain-del", "domain",
	    "ret.example", "now", 1);
	CHECK(is_ok(r) && strstr(json_string_value(json_object_get(r,
	    "warning")), "ret.example: removed at once, before its retirement"
	    " was complete: senders that cached an earlier policy of it may"
	    " keep applying it until 2027-01-22T08:01:20Z") != NULL,
	    "del now of a retiring domain warns until when");
	json_decref(r);
	free(id1);
	free(id2);
	free(id3);
	pd->now = NULL;
}

/* Names that cannot exist are refused by add, import and set. */
static void
test_names(struct policyd *pd)
{
	char long_name[251], zone_name[243];
	struct buf want = BUF_INIT;
	size_t i;

	refused_all(pd, ip_domain_refusals, UNIT_NCASES(ip_domain_refusals));
	for (i = 0; i < 250; i++)
		long_name[i] = (i + 1) % 50 == 0 ? '.' : 'a';
	memcpy(long_name + 246, ".com", 5);
	buf_printf(&want, "domain \"%s\": 250 octets: mta-sts.DOMAIN would be"
	    " 258 octets, _smtp._tls.DOMAIN would be 261 octets,"
	    " DOMAIN._report.sts.test would be 267 octets, more than 253",
	    long_name);
	refused(pd, call(pd, 1, "{s:s, s:s, s:[s]}", "op", "domain-add",
	    "domain", long_name, "mx", "mx.example.com"), want.s,
	    "a 250-octet domain is refused: its names would be too long");
	memset(zone_name, 'b', 242);
	zone_name[242] = '\0';
	for (i = 49; i < 242; i += 50)
		zone_name[i] = '.';
	memcpy(zone_name + 238, ".com", 4);
	refused(pd, call(pd, 1, "{s:s, s:s, s:[s]}", "op", "domain-add",
	    "domain", zone_name, "mx", "mx.example.com"),
	    "DOMAIN._report.sts.test would be 259 octets, more than 253",
	    "a domain whose service-zone names are too long is refused");
	refused_all(pd, name_refusals, UNIT_NCASES(name_refusals));
	json_decref(call(pd, 1, "{s:s, s:s, s:[s]}", "op", "domain-add",
	    "domain", "names.example", "mx", "mx.names.example"));
	refused_all(pd, set_refusals, UNIT_NCASES(set_refusals));
	del_now(pd, "names.example");
	CHECK(json_array_size(pushed) > 0, "names: done");
	buf_free(&want);
}

/*
 * A policy.db of schema 2 (before domain_names) is migrated: its ids
 * and retirements are kept.
 */
static void
test_migration(struct policyd *pd, const char *dir)
{
	static const char *v2 =
	    "CREATE TABLE domains (name TEXT PRIMARY KEY NOT NULL,"
	    " state TEXT NOT NULL, mode TEXT NOT NULL, max_age INTEGER NOT NULL,"
	    " policy_id TEXT NOT NULL, token TEXT NOT NULL, created INTEGER NOT"
	    " NULL, updated INTEGER NOT NULL, retire_at INTEGER);"
	    "CREATE TABLE domain_mx (domain TEXT NOT NULL REFERENCES"
	    " domains(name) ON DELETE CASCADE, pos INTEGER NOT NULL, pattern"
	    " TEXT NOT NULL, PRIMARY KEY (domain, pos));"
	    "CREATE TABLE domain_monitor (domain TEXT PRIMARY KEY NOT NULL"
	    " REFERENCES domains(name) ON DELETE CASCADE, checked INTEGER NOT"
	    " NULL);"
	    "CREATE TABLE domain_checks (domain TEXT NOT NULL REFERENCES"
	    " domain_monitor(domain) ON DELETE CASCADE, pos INTEGER NOT NULL,"
	    " name TEXT NOT NULL, host TEXT NOT NULL, status TEXT NOT NULL,"
	    " since INTEGER NOT NULL, data TEXT NOT NULL, PRIMARY KEY (domain,"
	    " pos));"
	    "CREATE TABLE dns_publish (domain TEXT PRIMARY KEY NOT NULL,"
	    " want_id TEXT, want_rua TEXT, published_id TEXT, published_rua"
	    " TEXT, published_at INTEGER, pending INTEGER NOT NULL DEFAULT 0,"
	    " attempts INTEGER NOT NULL DEFAULT 0, next_try INTEGER NOT NULL"
	    " DEFAULT 0, last_try INTEGER, last_error TEXT);"
	    "INSERT INTO domains VALUES ('old.example', 'active', 'enforce',"
	    " 86400, '29991231235959000000', 't', 1, 1, NULL);"
	    "INSERT INTO domain_mx VALUES ('old.example', 0, 'mx.old.example');"
	    "INSERT INTO domains VALUES ('gone.example', 'retiring', 'none',"
	    " 3600, '20261201000000000000', 't', 1, 1, 1800000000);"
	    "INSERT INTO domain_mx VALUES ('gone.example', 0, 'mx.gone.example');"
	    "PRAGMA user_version = 2;";
	struct policyd old = *pd;
	struct buf err = BUF_INIT;
	char path[256];
	sqlite3 *db;
	json_t *r;

	snprintf(path, sizeof(path), "%s/v2.db", dir);
	if (sqlite3_open(path, &db) != SQLITE_OK ||
	    sqlite3_exec(db, v2, NULL, NULL, NULL) != SQLITE_OK) {
		CHECK(0, "a schema 2 policy.db is made");
		return;
	}
	sqlite3_close(db);
	pd->db = policydb_open(path, &err);
	CHECK(pd->db != NULL && policydb_schema_version(pd->db) == 10,
	    "a schema 2 policy.db is migrated to 10");
	if (pd->db == NULL) {
		printf("# %s\n", err.s);
		*pd = old;
		return;
	}
	r = call(pd, 1, "{s:s, s:s, s:s}", "op", "domain-set", "domain",
	    "old.example", "mode", "testing");
	CHECK(strcmp(dstr(r, "policy_id"), "29991231235959000000") > 0,
	    "an id after the migration is greater than the stored one");
	CHECK(json_is_null(json_object_get(json_object_get(r, "domain"),
	    "waiting")), "a domain active before the migration was served:"
	    " its TXT record does not wait");
	json_decref(r);
	r = call(pd, 1, "{s:s, s:s}", "op", "domain-add", "domain",
	    "gone.example");
	CHECK(is_ok(r) && json_is_true(json_object_get(r, "restored")) &&
	    strcmp(dstr(r, "mode"), "testing") == 0 && strstr(dstr(r,
	    "policy"), "mx: mx.gone.example") != NULL,
	    "a domain retiring before the migration is restored with the"
	    " defaults of main.cf and its mx patterns");
	json_decref(r);
	r = call(pd, 1, "{s:s, s:s}", "op", "domain-del", "domain",
	    "gone.example");
	CHECK(dint(r, "retire_at") >= 1800000000, "its retirement of before"
	    " still counts");
	json_decref(r);
	policydb_close(pd->db);
	*pd = old;
	buf_free(&err);
}

/*
 * MX migrations (request.h): every step, abort from each, hostile
 * requests, a reopen in the middle.
 */
static json_t *alerts;		/* what pd->alert was given */

static void
record_alert(const char *domain, const char *kind, const char *key,
    const char *subject, const char *text, void *arg)
{
	json_array_append_new(alerts, json_pack("{s:s, s:s, s:s, s:s, s:s}",
	    "domain", domain, "kind", kind, "key", key, "subject", subject,
	    "text", text));
}

/* How many alerts of domain's migration say step (in their subject). */
static size_t
alerts_of(const char *domain, const char *step)
{
	char *want = xasprintf("MX migration: %s", step);
	size_t i, n = 0;
	json_t *a;

	json_array_foreach(alerts, i, a)
		if (strcmp(json_string_value(json_object_get(a, "domain")),
		    domain) == 0 && strstr(json_string_value(json_object_get(a,
		    "subject")), want) != NULL)
			n++;
	free(want);
	return n;
}

static json_t *
migrate(struct policyd *pd, const char *domain, const char *add,
    const char *rm)
{
	return call(pd, 1, "{s:s, s:s, s:[s], s:[s]}", "op", "domain-migrate",
	    "domain", domain, "add_mx", add, "remove_mx", rm);
}

static json_t *
migrate_abort(struct policyd *pd, const char *domain)
{
	return call(pd, 1, "{s:s, s:s, s:b}", "op", "domain-migrate",
	    "domain", domain, "abort", 1);
}

/* The plan of domain-show, as a new reference (null when none). */
static json_t *
plan_of(struct policyd *pd, const char *domain)
{
	json_t *r = call(pd, 1, "{s:s, s:s}", "op", "domain-show", "domain",
	    domain), *m;

	m = json_object_get(json_object_get(r, "domain"), "migration");
	json_incref(m);
	json_decref(r);
	return m ? m : json_null();
}

static int
step_is(struct policyd *pd, const char *domain, const char *step)
{
	json_t *m = plan_of(pd, domain);
	const char *s = json_string_value(json_object_get(m, "step"));
	int good = s != NULL && strcmp(s, step) == 0;

	if (!good)
		printf("# %s: step %s, expected %s\n", domain, s ? s : "none",
		    step);
	json_decref(m);
	return good;
}

/* What the plan waits for contains want. */
static int
waits_for(struct policyd *pd, const char *domain, const char *want)
{
	json_t *m = plan_of(pd, domain);
	const char *s = json_string_value(json_object_get(m, "waits_for"));
	int good = s != NULL && strstr(s, want) != NULL;

	if (!good)
		printf("# waits for \"%s\", expected \"%s\"\n", s ? s : "(null)",
		    want);
	json_decref(m);
	return good;
}

/*
 * dnsmon's result at t: the MX hosts in DNS (space-separated) and, when
 * probe is not NULL, a probe of host with that status.
 */
static int
dnsmon_saw(struct policyd *pd, const char *domain, long long t,
    const char *hosts, const char *host, const char *probe)
{
	json_t *checks = json_array(), *h = json_array(), *r;
	char *copy = xstrdup(hosts), *p, *save = NULL;
	int good;

	for (p = strtok_r(copy, " ", &save); p; p = strtok_r(NULL, " ", &save))
		json_array_append_new(h, json_string(p));
	free(copy);
	json_array_append_new(checks, json_pack("{s:s, s:s, s:s, s:o}",
	    "check", "mx", "status", "ok", "message", "MX hosts", "hosts", h));
	if (probe != NULL)
		json_array_append_new(checks, json_pack("{s:s, s:s, s:s, s:s}",
		    "check", "probe", "status", probe, "host", host, "message",
		    strcmp(probe, "ok") == 0 ? "ok: TLSv1.3" :
		    "certificate-host-mismatch: a certificate for mail.other.net"));
	r = call(pd, 0, "{s:s, s:s, s:I, s:o}", "op", "check-result", "domain",
	    domain, "time", (json_int_t)t, "checks", checks);
	good = is_ok(r);
	json_decref(r);
	return good;
}

/* domain-migrate requests that are refused. */
static const struct refusal migrate_refusals[] = {
	{1, "{'op':'domain-migrate', 'domain':'mig.example', "
	    "'remove_mx':['mx1.mig.example']}",
	    "at least one --add-mx is needed", "a plan without --add-mx"},
	{1, "{'op':'domain-migrate', 'domain':'mig.example', "
	    "'add_mx':['mx3.mig.example']}",
	    "at least one --remove-mx is needed", "a plan without --remove-mx"},
	{1, "{'op':'domain-migrate', 'domain':'mig.example', "
	    "'add_mx':['mx3.mig.example', 'MX3.mig.example'], "
	    "'remove_mx':['mx1.mig.example']}",
	    "--add-mx \"mx3.mig.example\": given twice", "a host added twice"},
	{1, "{'op':'domain-migrate', 'domain':'mig.example', "
	    "'add_mx':['192.0.2.1'], 'remove_mx':['mx1.mig.example']}",
	    "mx pattern \"192.0.2.1\": an IP address, not a host name",
	    "an address as --add-mx"},
	{1, "{'op':'domain-migrate', 'domain':'mig.example', "
	    "'add_mx':['a\\nb.mig.example'], 'remove_mx':['mx1.mig.example']}",
	    "mx pattern \"a\\nb.mig.example\": bad character 0x0a",
	    "a newline in --add-mx is shown escaped"},
	{1, "{'op':'domain-migrate', 'domain':'mig.example', "
	    "'add_mx':['mx3.mig.example'], 'remove_mx':['*.*.mig.example']}",
	    "mx pattern \"*.*.mig.example\"", "a bad --remove-mx pattern"},
	{1, "{'op':'domain-migrate', 'domain':'mig.example', "
	    "'add_mx':['mx2.mig.example'], 'remove_mx':['mx1.mig.example']}",
	    "mig.example: --add-mx mx2.mig.example: already in the policy (mx"
	    " mx1.mig.example mx2.mig.example)", "an --add-mx already listed"},
	{1, "{'op':'domain-migrate', 'domain':'mig.example', "
	    "'add_mx':['mx3.mig.example'], 'remove_mx':['mx9.mig.example']}",
	    "mig.example: --remove-mx mx9.mig.example: not in the policy",
	    "a --remove-mx not listed"},
	{1, "{'op':'domain-migrate', 'domain':'mig.example', "
	    "'add_mx':['mx3.mig.example'], 'remove_mx':['mx3.mig.example']}",
	    "mx pattern \"mx3.mig.example\": both added and removed",
	    "a host both added and removed"},
	{1, "{'op':'domain-migrate', 'domain':'mig.example', 'abort':true, "
	    "'add_mx':['mx3.mig.example']}",
	    "--abort takes no --add-mx or --remove-mx", "--abort with hosts"},
	{1, "{'op':'domain-migrate', 'domain':'mig.example', 'abort':1}",
	    "abort: not true or false", "abort that is not a boolean"},
	{1, "{'op':'domain-migrate', 'domain':'mig.example', 'abort':true}",
	    "mig.example: no migration is running", "--abort without a plan"},
	{1, "{'op':'domain-migrate', 'domain':'nosuch.example', "
	    "'add_mx':['mx3.mig.example'], 'remove_mx':['mx1.mig.example']}",
	    "nosuch.example: no such domain", "an unknown domain"},
	{1, "{'op':'domain-migrate', 'domain':'unserved.example', "
	    "'add_mx':['mx3.mig.example'], 'remove_mx':['mx.unserved.example']}",
	    "unserved.example: its policy is not served yet",
	    "a domain whose policy is not served yet"},
	{1, "{'op':'domain-migrate', 'domain':'pend.example', "
	    "'add_mx':['mx3.mig.example'], 'remove_mx':['mx.pend.example']}",
	    "pend.example: domain is pending: only an active domain can be"
	    " migrated", "a pending domain"},
	{1, "{'op':'domain-migrate', 'domain':'gone.mig.example', "
	    "'add_mx':['mx3.mig.example'], 'remove_mx':['mx.gone.mig.example']}",
	    "gone.mig.example: domain is retiring", "a retiring domain"},
};

/* An active, served domain with two mx patterns, max_age 1000, at t. */
static void
mig_domain(struct policyd *pd, const char *name, long long t)
{
	char *mx1 = xasprintf("mx1.%s", name), *mx2 = xasprintf("mx2.%s", name);
	char *host = xasprintf("mta-sts.%s", name);

	fake_now = t;
	json_decref(call(pd, 1, "{s:s, s:s, s:[s, s], s:s, s:I}", "op",
	    "domain-add", "domain", name, "mx", mx1, mx2, "mode", "enforce",
	    "max_age", (json_int_t)1000));
	json_decref(served(pd, host, t + 86400));
	free(mx1);
	free(mx2);
	free(host);
}

static void
test_mx_migration(struct policyd *pd, const char *path)
{
	long long t = 1900000000;
	char *id0, *idw, *idn;
	json_t *r, *m, *add;
	size_t pushes, i;
	struct buf err = BUF_INIT;

	pd->now = fake_clock;
	pd->alert = record_alert;
	alerts = json_array();
	var_dnsmon_probe = 1;
	mig_domain(pd, "mig.example", t);
	json_decref(call(pd, 1, "{s:s, s:s, s:[s]}", "op", "domain-add",
	    "domain", "unserved.example", "mx", "mx.unserved.example"));
	pd->conf.verify_dns = 1;
	json_decref(call(pd, 1, "{s:s, s:s, s:[s]}", "op", "domain-add",
	    "domain", "pend.example", "mx", "mx.pend.example"));
	pd->conf.verify_dns = 0;
	mig_domain(pd, "gone.mig.example", t);
	json_decref(call(pd, 1, "{s:s, s:s, s:[s]}", "op", "domain-set",
	    "domain", "gone.mig.example", "mx", "mx.gone.mig.example"));
	json_decref(call(pd, 1, "{s:s, s:s}", "op", "domain-del", "domain",
	    "gone.mig.example"));
	refused_all(pd, migrate_refusals, UNIT_NCASES(migrate_refusals));
	add = json_array();
	for (i = 0; i <= REQUEST_MX_MAX; i++)
		json_array_append_new(add, json_sprintf("mx%zu.new.example", i));
	refused(pd, call(pd, 1, "{s:s, s:s, s:o, s:[s]}", "op",
	    "domain-migrate", "domain", "mig.example", "add_mx", add,
	    "remove_mx", "mx1.mig.example"), "101 --add-mx patterns: at most"
	    " 100 allowed", "a flood of --add-mx is refused");

	/* widened: old and new hosts, a new id; waiting at once (DNS by
	 * hand); the deadline is the end of the max_age 1000 policy. */
	id0 = id_of(pd, "mig.example");
	pushes = json_array_size(pushed);
	fake_now = t + 100;
	r = migrate(pd, "mig.example", "mx3.mig.example", "mx1.mig.example");
	m = json_object_get(r, "migration");
	CHECK(is_ok(r) && strcmp(dstr(r, "policy"), "version: STSv1\r\n"
	    "mode: enforce\r\nmx: mx1.mig.example\r\nmx: mx2.mig.example\r\n"
	    "mx: mx3.mig.example\r\nmax_age: 1000\r\n") == 0,
	    "migrate publishes a policy that lists the old and the new hosts");
	idw = xstrdup(dstr(r, "policy_id"));
	CHECK(strcmp(idw, id0) > 0 && json_array_size(pushed) == pushes + 1 &&
	    strcmp(json_string_value(json_object_get(json_array_get(pushed,
	    pushes), "id")), idw) == 0, "... with a new id, pushed to httpd");
	CHECK(strcmp(json_string_value(json_object_get(m, "step")), "waiting")
	    == 0 && json_integer_value(json_object_get(m, "deadline")) ==
	    t + 100 + 1000 && json_integer_value(json_object_get(m, "started"))
	    == t + 100, "the plan waits until the policy of before expires"
	    " from senders' caches (served until now, max_age 1000)");
	CHECK(alerts_of("mig.example", "widened") == 1 &&
	    alerts_of("mig.example", "waiting") == 1,
	    "widened and waiting are alerted");
	json_decref(r);
	CHECK(waits_for(pd, "mig.example", "the end of senders' caches of the"
	    " policies served before the widening (2030-03-17T18:05:00Z)") &&
	    waits_for(pd, "mig.example", "a passing STARTTLS probe of"
	    " mx3.mig.example by dnsmon (not probed yet)"),
	    "show says what the step waits for: the caches and the probe");
	r = call(pd, 1, "{s:s, s:s}", "op", "domain-show", "domain",
	    "mig.example");
	CHECK(strcmp(json_string_value(json_array_get(json_object_get(
	    json_object_get(r, "domain"), "probe"), 0)), "mx3.mig.example") ==
	    0, "domain-show gives dnsmon the new host to probe");
	json_decref(r);
	r = call(pd, 0, "{s:s}", "op", "domain-list");
	m = NULL;
	json_array_foreach(json_object_get(r, "domains"), i, m)
		if (strcmp(json_string_value(json_object_get(m, "domain")),
		    "mig.example") == 0)
			break;
	CHECK(m != NULL && json_array_size(json_object_get(m, "probe")) == 1,
	    "and so does domain-list");
	json_decref(r);
	refused(pd, migrate(pd, "mig.example", "mx4.mig.example",
	    "mx2.mig.example"), "mig.example: a migration is running (step"
	    " waiting)", "a second plan while one runs is refused");
	refused(pd, call(pd, 1, "{s:s, s:s, s:[s]}", "op", "domain-set",
	    "domain", "mig.example", "mx", "mx9.mig.example"), "mig.example:"
	    " a migration of its MX hosts is running (step waiting)",
	    "domain set --mx is refused while it runs");
	refused(pd, call(pd, 1, "{s:s, s:s}", "op", "domain-del", "domain",
	    "mig.example"), "abort it first", "so is domain del");

	/* The probe passes before the deadline: still waiting. */
	fake_now = t + 500;
	CHECK(dnsmon_saw(pd, "mig.example", t + 500, "mx1.mig.example"
	    " mx2.mig.example", "mx3.mig.example", "fail") &&
	    step_is(pd, "mig.example", "waiting") && waits_for(pd,
	    "mig.example", "(last: certificate-host-mismatch: a certificate"
	    " for mail.other.net)"), "a failing probe of the new host is"
	    " waited for, with its cause");
	fake_now = t + 600;
	CHECK(dnsmon_saw(pd, "mig.example", t + 600, "mx1.mig.example"
	    " mx2.mig.example", "mx3.mig.example", "ok") &&
	    step_is(pd, "mig.example", "waiting") && !waits_for(pd,
	    "mig.example", "probe"), "a passing probe: waiting for the"
	    " deadline alone");

	/* policyd restarts: the step and the deadline come back. */
	policydb_close(pd->db);
	pd->db = policydb_open(path, &err);
	fake_now = t + 1099;
	CHECK(request_migrate_run(pd, fake_now) == 1 &&
	    step_is(pd, "mig.example", "waiting"), "after a reopen, one plan"
	    " runs, still waiting a second before the deadline");
	m = plan_of(pd, "mig.example");
	CHECK(json_integer_value(json_object_get(m, "deadline")) == t + 1100,
	    "with the same deadline");
	json_decref(m);

	/* switch-mx at the deadline, alerted once. */
	fake_now = t + 1100;
	request_migrate_run(pd, fake_now);
	request_migrate_run(pd, fake_now + 5);
	CHECK(step_is(pd, "mig.example", "switch-mx") &&
	    alerts_of("mig.example", "switch-mx") == 1 && strstr(
	    json_string_value(json_object_get(json_array_get(alerts,
	    json_array_size(alerts) - 1), "text")), "the MX records of"
	    " mig.example may now be switched") != NULL,
	    "at the deadline: switch-mx, alerted once, saying so");
	CHECK(waits_for(pd, "mig.example", "the MX records of mig.example to"
	    " be switched: none of mx1.mig.example, at least one of"
	    " mx3.mig.example (dnsmon sees no whole MX list since the step began)"),
	    "switch-mx waits for DNS");
	fake_now = t + 1150;
	CHECK(dnsmon_saw(pd, "mig.example", t + 1150, "mx1.mig.example"
	    " mx2.mig.example mx3.mig.example", NULL, NULL) &&
	    step_is(pd, "mig.example", "switch-mx") && waits_for(pd,
	    "mig.example", "(dnsmon sees mx1.mig.example mx2.mig.example"
	    " mx3.mig.example)"), "the new host in DNS beside the old one:"
	    " still switch-mx");

	/* narrowed once the old host is gone; done. */
	pushes = json_array_size(pushed);
	fake_now = t + 1200;
	CHECK(dnsmon_saw(pd, "mig.example", t + 1200, "mx2.mig.example"
	    " mx3.mig.example", NULL, NULL) && step_is(pd, "mig.example",
	    "done"), "the old host gone from DNS: narrowed, then done");
	idn = id_of(pd, "mig.example");
	r = call(pd, 1, "{s:s, s:s}", "op", "domain-show", "domain",
	    "mig.example");
	CHECK(strcmp(dstr(r, "policy"), "version: STSv1\r\nmode: enforce\r\n"
	    "mx: mx2.mig.example\r\nmx: mx3.mig.example\r\nmax_age: 1000\r\n")
	    == 0 && strcmp(idn, idw) > 0 && json_array_size(pushed) ==
	    pushes + 1, "the narrowed policy has a new id, pushed to httpd");
	CHECK(json_array_size(json_object_get(json_object_get(r, "domain"),
	    "probe")) == 0 && json_is_false(json_object_get(json_object_get(
	    json_object_get(r, "domain"), "migration"), "running")) &&
	    json_integer_value(json_object_get(json_object_get(json_object_get(
	    r, "domain"), "migration"), "ended")) == t + 1200 &&
	    json_is_null(json_object_get(json_object_get(json_object_get(r,
	    "domain"), "migration"), "waits_for")),
	    "the ended plan stays for show, waiting for nothing; nothing more"
	    " to probe");
	json_decref(r);
	CHECK(alerts_of("mig.example", "narrowed") == 1 &&
	    alerts_of("mig.example", "done") == 1, "narrowed and done are"
	    " alerted");
	refused(pd, migrate_abort(pd, "mig.example"), "mig.example: no"
	    " migration is running (the last one: done)", "--abort after the"
	    " end is refused");
	free(id0);
	free(idw);
	free(idn);

	/* Abort from waiting: the starting policy again, a new id. */
	mig_domain(pd, "ab.example", t);
	id0 = id_of(pd, "ab.example");
	fake_now = t + 10;
	json_decref(migrate(pd, "ab.example", "mx3.ab.example",
	    "mx1.ab.example"));
	idw = id_of(pd, "ab.example");
	fake_now = t + 20;
	r = migrate_abort(pd, "ab.example");
	CHECK(is_ok(r) && strcmp(dstr(r, "policy"), "version: STSv1\r\n"
	    "mode: enforce\r\nmx: mx1.ab.example\r\nmx: mx2.ab.example\r\n"
	    "max_age: 1000\r\n") == 0 && strcmp(dstr(r, "policy_id"), idw) > 0
	    && step_is(pd, "ab.example", "aborted") &&
	    alerts_of("ab.example", "aborted") == 1,
	    "abort from waiting restores the starting mx with a new id");
	json_decref(r);
	free(id0);
	free(idw);

	/* Abort from switch-mx: while DNS has every old host.  (The
	 * probe is tested above: off here.) */
	var_dnsmon_probe = 0;
	fake_now = t + 30;
	json_decref(migrate(pd, "ab.example", "mx3.ab.example",
	    "mx1.ab.example"));
	fake_now = t + 30 + 1000;
	request_migrate_run(pd, fake_now);
	CHECK(step_is(pd, "ab.example", "switch-mx") && dnsmon_saw(pd,
	    "ab.example", fake_now, "mx1.ab.example mx2.ab.example", NULL,
	    NULL) && step_is(pd, "ab.example", "switch-mx"), "a new plan of"
	    " the same domain reaches switch-mx; DNS unchanged");
	r = migrate_abort(pd, "ab.example");
	CHECK(is_ok(r) && strstr(dstr(r, "policy"), "mx3") == NULL &&
	    step_is(pd, "ab.example", "aborted"), "abort from switch-mx with"
	    " the old hosts in DNS restores the starting policy");
	json_decref(r);

	/* ... not once DNS lost an old host. */
	fake_now = t + 3000;
	json_decref(migrate(pd, "ab.example", "mx3.ab.example",
	    "mx1.ab.example"));
	fake_now = t + 3000 + 1000;
	request_migrate_run(pd, fake_now);
	CHECK(dnsmon_saw(pd, "ab.example", fake_now, "mx2.ab.example", NULL,
	    NULL) && step_is(pd, "ab.example", "switch-mx"), "DNS without the"
	    " old host and without the new one: still switch-mx");
	refused(pd, migrate_abort(pd, "ab.example"), "ab.example: migration"
	    " at step switch-mx: the MX records no longer list mx1.ab.example"
	    " (dnsmon sees mx2.ab.example): publishing the starting policy now"
	    " would make senders refuse the new hosts; not aborted",
	    "abort after the old host left DNS is refused, with the reason");
	CHECK(dnsmon_saw(pd, "ab.example", fake_now + 1, "mx2.ab.example"
	    " mx3.ab.example", NULL, NULL) && step_is(pd, "ab.example",
	    "done"), "the new host in DNS: the plan completes");

	/* DNS UPDATE: widened and narrowed wait for the id in DNS; abort
	 * from widened; none once narrowed. */
	pd->conf.dns_update = 1;
	pd->conf.dns_update_server = "192.0.2.53";
	fake_now = t + 5000;
	json_decref(migrate(pd, "ab.example", "mx4.ab.example",
	    "mx2.ab.example"));
	CHECK(step_is(pd, "ab.example", "widened") && waits_for(pd,
	    "ab.example", "the DNS UPDATE of policy id"), "with DNS UPDATE,"
	    " widened waits for the id in DNS");
	r = migrate_abort(pd, "ab.example");
	CHECK(is_ok(r) && strstr(dstr(r, "policy"), "mx4") == NULL &&
	    strstr(dstr(r, "policy"), "mx2.ab.example") != NULL &&
	    step_is(pd, "ab.example", "aborted"), "abort from widened");
	json_decref(r);
	pd->conf.dns_update = 0;
	fake_now = t + 6000;
	json_decref(migrate(pd, "ab.example", "mx4.ab.example",
	    "mx2.ab.example"));
	fake_now = t + 7000;
	request_migrate_run(pd, fake_now);
	pd->conf.dns_update = 1;
	CHECK(dnsmon_saw(pd, "ab.example", fake_now, "mx3.ab.example"
	    " mx4.ab.example", NULL, NULL) && step_is(pd, "ab.example",
	    "narrowed"), "with DNS UPDATE, narrowed waits for the id in DNS");
	refused(pd, migrate_abort(pd, "ab.example"), "ab.example: migration"
	    " at step narrowed: the narrowed policy is published already; not"
	    " aborted", "abort once narrowed is refused");
	pd->conf.dns_update = 0;
	request_migrate_run(pd, fake_now);
	CHECK(step_is(pd, "ab.example", "done"), "published: done");

	/* dnsmon_probe = no: the step says so and goes on. */
	var_dnsmon_probe = 0;
	mig_domain(pd, "np.example", t);
	fake_now = t + 10;
	json_decref(migrate(pd, "np.example", "mx3.np.example",
	    "mx1.np.example"));
	CHECK(waits_for(pd, "np.example", "the new hosts are not probed (the"
	    " probe is off: dnsmon_probe = no)"), "with dnsmon_probe = no the"
	    " step says that the probe is off");
	request_migrate_run(pd, t + 1010);
	CHECK(step_is(pd, "np.example", "switch-mx"), "and goes on at the"
	    " deadline without a probe");
	var_dnsmon_probe = 1;

	/* 60 new hosts, none probed yet: what the step waits for stays
	 * within 2048 bytes, cut with " ...". */
	mig_domain(pd, "many.example", t);
	add = json_array();
	for (i = 0; i < 60; i++)
		json_array_append_new(add, json_sprintf("mx%02zu-a-rather-long"
		    "-host-name-for-a-new-mail-server.many.example", i));
	fake_now = t + 10;
	r = call(pd, 1, "{s:s, s:s, s:o, s:[s]}", "op", "domain-migrate",
	    "domain", "many.example", "add_mx", add, "remove_mx",
	    "mx1.many.example");
	m = json_object_get(r, "migration");
	CHECK(is_ok(r) && strlen(json_string_value(json_object_get(m,
	    "waits_for"))) == 2048 && strcmp(json_string_value(
	    json_object_get(m, "waits_for")) + 2044, " ...") == 0,
	    "what a step waits for is cut at 2048 bytes");
	json_decref(r);
	json_decref(alerts);
	alerts = NULL;
	pd->alert = NULL;
	pd->now = NULL;
	buf_free(&err);
}

/* The snapshot file as httpd loads it: domain -> [id, policy]. */
static void
file_begin(void *arg)
{
	json_object_clear(arg);
}

static int
file_put(void *arg, const char *domain, const char *id, const char *text,
    size_t len)
{
	json_object_set_new(arg, domain, json_pack("[s, s%]", id, text, len));
	return 0;
}

static void
file_del(void *arg, const char *domain)
{
	json_object_del(arg, domain);
}

static json_t *
file_load(const char *dir)
{
	char base[256], journal[256];
	json_t *t = json_object();
	const struct polsnap_sink sink = { file_begin, file_put, file_del, t };
	struct polsnap_stats st;
	struct buf err = BUF_INIT;

	snprintf(base, sizeof(base), "%s/policies", dir);
	snprintf(journal, sizeof(journal), "%s/policies.journal", dir);
	if (polsnap_load(base, journal, &sink, &st, &err) < 0)
		printf("# %s\n", err.s);
	buf_free(&err);
	return t;
}

/* The file has domain with what domain-show says. */
static int
file_has(json_t *t, struct policyd *pd, const char *domain)
{
	json_t *e = json_object_get(t, domain), *r;
	int same;

	r = call(pd, 1, "{s:s, s:s}", "op", "domain-show", "domain", domain);
	same = e != NULL && strcmp(json_string_value(json_array_get(e, 0)),
	    dstr(r, "policy_id")) == 0 && strcmp(json_string_value(
	    json_array_get(e, 1)), dstr(r, "policy")) == 0;
	json_decref(r);
	return same;
}

static void
count_servable(json_t *msg, void *arg)
{
	const char *p = json_string_value(json_object_get(msg, "domains"));

	for (; p != NULL && *p != '\0'; p++)
		if (*p == '\n')
			(*(size_t *)arg)++;
}

/*
 * The snapshot file (lib/polsnap): a compaction holds every servable
 * domain; each change is in the file when its reply comes; a file
 * that cannot be written does not stop a change.
 */
/* ping: what httpd asks to tell a hung policyd; private socket only. */
static void
test_ping(struct policyd *pd)
{
	json_t *r;

	r = call(pd, 0, "{s:s}", "op", "ping");
	CHECK(is_ok(r), "ping on the private socket: ok");
	json_decref(r);
	refused(pd, call(pd, 1, "{s:s}", "op", "ping"), "not allowed on the"
	    " public socket", "ping on the public socket: refused");
}

/* The snapshot file in dir has domain as policyd serves it. */
static int
file_holds(struct policyd *pd, const char *dir, const char *domain)
{
	json_t *t = file_load(dir);
	int has = file_has(t, pd, domain);

	json_decref(t);
	return has;
}

static void
test_snapshot_file(struct policyd *pd, const char *dir)
{
	char base[256], journal[256];
	struct buf err = BUF_INIT;
	size_t servable = 0;
	long long n;
	json_t *t, *r;

	snprintf(base, sizeof(base), "%s/policies", dir);
	snprintf(journal, sizeof(journal), "%s/policies.journal", dir);
	pd->snap = polsnap_writer_new(base, journal);
	request_snapshot(pd, count_servable, &servable);
	n = request_snapshot_write(pd, &err);
	t = file_load(dir);
	CHECK(n >= 1 && (size_t)n == servable && json_object_size(t) == servable,
	    "snapshot file: a compaction holds every servable domain");
	json_decref(t);

	r = call(pd, 1, "{s:s, s:s, s:[s]}", "op", "domain-add", "domain",
	    "file.example", "mx", "mx.file.example");
	CHECK(is_ok(r), "snapshot file: domain-add");
	json_decref(r);
	CHECK(file_holds(pd, dir, "file.example"),
	    "snapshot file: an added domain is in it when the reply comes");
	r = call(pd, 1, "{s:s, s:s, s:s}", "op", "domain-set", "domain",
	    "file.example", "mode", "enforce");
	json_decref(r);
	CHECK(file_holds(pd, dir, "file.example"),
	    "snapshot file: a change has its new id and policy");
	r = call(pd, 1, "{s:s, s:s, s:b}", "op", "domain-del", "domain",
	    "file.example", "now", 1);
	json_decref(r);
	t = file_load(dir);
	CHECK(json_object_get(t, "file.example") == NULL &&
	    json_object_size(t) == servable,
	    "snapshot file: a removed domain is withdrawn");
	json_decref(t);
	CHECK(!polsnap_compact_due(pd->snap), "snapshot file: a few changes"
	    " make no compaction due");
	polsnap_writer_free(pd->snap);

	/* A directory that is not there: changes go on, said once. */
	snprintf(base, sizeof(base), "%s/none/policies", dir);
	snprintf(journal, sizeof(journal), "%s/none/policies.journal", dir);
	pd->snap = polsnap_writer_new(base, journal);
	buf_reset(&err);
	CHECK(request_snapshot_write(pd, &err) == -1 &&
	    strstr(err.s, "none/policies.tmp: cannot create") != NULL,
	    "snapshot file: a compaction that cannot write says why");
	r = call(pd, 1, "{s:s, s:s, s:[s]}", "op", "domain-add", "domain",
	    "file2.example", "mx", "mx.file.example");
	CHECK(is_ok(r) && pd->snap_failed && polsnap_compact_due(pd->snap),
	    "snapshot file: a change is made without the file; compaction due");
	json_decref(r);
	r = call(pd, 1, "{s:s, s:s, s:b}", "op", "domain-del", "domain",
	    "file2.example", "now", 1);
	json_decref(r);
	polsnap_writer_free(pd->snap);
	pd->snap = NULL;
	pd->snap_failed = 0;
	buf_free(&err);
}

/*
 * An account's requests (actor on the private socket): the one gate of
 * request_owner.c, the proof of its additions, its quota, and the same
 * answer for another's domain as for none.
 */
static json_t *
as(struct policyd *pd, const char *who, const char *fmt, ...)
{
	json_t *reply;
	va_list ap;

	va_start(ap, fmt);
	reply = vcall(pd, 0, who, fmt, ap);
	va_end(ap);
	return reply;
}

/* The error of an account's request on domain (and frees the reply). */
static char *
as_error(struct policyd *pd, const char *who, const char *op,
    const char *domain)
{
	json_t *r = as(pd, who, "{s:s, s:s}", "op", op, "domain", domain);
	char *e = xstrdup(is_ok(r) ? "(ok)" : error_of(r));

	json_decref(r);
	return e;
}

static char *
proof_of(struct policyd *pd, const char *domain)
{
	return domain_field(pd, domain, "proof");
}

static int
audit_has(struct policyd *pd, const char *who, const char *want)
{
	json_t *r = who ? as(pd, who, "{s:s}", "op", "audit-list") :
	    call(pd, 1, "{s:s}", "op", "audit-list");
	char *text = json_dumps(r, JSON_COMPACT);
	int found = text != NULL && strstr(text, want) != NULL;

	free(text);
	json_decref(r);
	return found;
}

static void
test_owner(struct policyd *pd)
{
	static const char *const ops[] = { "domain-set", "domain-del",
	    "domain-show", "domain-records", "domain-check" };
	char *e1, *e2, *p1, *p2, *id;
	json_t *r;
	size_t i;

	json_decref(call(pd, 1, "{s:s, s:s, s:s, s:i}", "op", "account-add",
	    "name", "ann", "email", "ann@own.example", "quota", 2));
	json_decref(call(pd, 1, "{s:s, s:s, s:s, s:i}", "op", "account-add",
	    "name", "ben", "email", "ben@own.example", "quota", 5));
	json_decref(call(pd, 1, "{s:s, s:s, s:[s]}", "op", "domain-add",
	    "domain", "op.own.example", "mx", "mx.own.example"));

	r = as(pd, "ann", "{s:s, s:s, s:[s]}", "op", "domain-add", "domain",
	    "one.own.example", "mx", "mx.own.example");
	CHECK(is_ok(r) && strcmp(dstr(r, "state"), "pending") == 0 &&
	    strncmp(dstr(r, "proof"), "stsd-verify=", 12) == 0 &&
	    strlen(dstr(r, "proof")) == 12 + 32,
	    "owner: an account's add is pending, with a proof of 128 bits");
	json_decref(r);
	r = as(pd, "ann", "{s:s, s:s}", "op", "domain-records", "domain",
	    "one.own.example");
	p1 = proof_of(pd, "one.own.example");
	CHECK(strcmp(json_string_value(json_object_get(json_array_get(
	    json_object_get(json_object_get(r, "records"), "proof"), 0),
	    "value")) ? json_string_value(json_object_get(json_array_get(
	    json_object_get(json_object_get(r, "records"), "proof"), 0),
	    "value")) : "", p1) == 0,
	    "owner: domain-records gives the TXT record of the proof");
	json_decref(r);

	/* ben: ann's domain is "no such domain", as one not hosted. */
	for (i = 0; i < sizeof(ops) / sizeof(*ops); i++) {
		e1 = as_error(pd, "ben", ops[i], "one.own.example");
		e2 = as_error(pd, "ben", ops[i], "none.own.example");
		CHECK(strcmp(e1, "one.own.example: no such domain") == 0 &&
		    strcmp(e2, "none.own.example: no such domain") == 0,
		    "owner: %s of another's domain: the answer for none (%s)",
		    ops[i], e1);
		free(e1);
		free(e2);
	}
	e1 = as_error(pd, "ben", "domain-show", "op.own.example");
	CHECK(strcmp(e1, "op.own.example: no such domain") == 0,
	    "owner: the operator's domain is no such domain to an account");
	free(e1);
	r = call(pd, 1, "{s:s, s:s}", "op", "domain-show", "domain",
	    "one.own.example");
	CHECK(strcmp(dstr(r, "mode"), "testing") == 0, "owner: nothing changed");
	json_decref(r);

	/* Adding what is hosted: one answer, the reason in the audit log. */
	e1 = as_error(pd, "ben", "domain-add", "one.own.example");
	e2 = as_error(pd, "ben", "domain-add", "op.own.example");
	CHECK(strcmp(e1, REQUEST_OWNER_REFUSED) == 0 && strcmp(e1, e2) == 0,
	    "owner: add of another's or the operator's domain: one refusal");
	free(e1);
	free(e2);
	CHECK(audit_has(pd, NULL, "\"refused\":\"hosted for account ann"
	    " (state pending)\"") && audit_has(pd, NULL,
	    "\"refused\":\"hosted by the operator (state active)\""),
	    "owner: the operator sees the reasons in the audit log");
	CHECK(!audit_has(pd, "ben", "refused") && !audit_has(pd, "ann",
	    "refused"), "owner: neither account sees them");
	CHECK(audit_has(pd, "ann", "\"from\":\"192.0.2.7\"") &&
	    !audit_has(pd, "ben", "one.own.example"),
	    "owner: an account's audit: its rows, with the client address");

	/* Only its own account; only the ops of the table. */
	r = as(pd, "ben", "{s:s, s:s}", "op", "account-show", "name", "ann");
	refused(pd, r, "of itself only", "owner: account-show of another");
	r = as(pd, "ben", "{s:s, s:s}", "op", "token-new", "name", "ann");
	refused(pd, r, "of itself only", "owner: token-new of another");
	r = as(pd, "ben", "{s:s, s:s}", "op", "audit-list", "account", "ann");
	refused(pd, r, "of itself only", "owner: audit-list of another");
	r = as(pd, "ben", "{s:s, s:[{s:s}]}", "op", "domain-import", "domains",
	    "domain", "imp.own.example");
	refused(pd, r, "not allowed for an account", "owner: domain-import");
	r = as(pd, "ben", "{s:s}", "op", "domain-list");
	refused(pd, r, "not allowed for an account", "owner: domain-list");
	r = as(pd, "ben", "{s:s, s:s, s:i}", "op", "account-set", "name",
	    "ben", "quota", 1000);
	refused(pd, r, "not allowed for an account", "owner: account-set");

	/* Quota. */
	r = as(pd, "ann", "{s:s, s:s, s:[s]}", "op", "domain-add", "domain",
	    "two.own.example", "mx", "mx.own.example");
	CHECK(is_ok(r), "owner: a second domain within the quota");
	json_decref(r);
	r = as(pd, "ann", "{s:s, s:s, s:[s]}", "op", "domain-add", "domain",
	    "three.own.example", "mx", "mx.own.example");
	refused(pd, r, "account ann: its quota of 2 domains is reached",
	    "owner: over the quota: refused, nothing stored");
	e1 = as_error(pd, "ann", "domain-show", "three.own.example");
	CHECK(strstr(e1, "no such domain") != NULL, "owner: ... not linked");
	free(e1);

	/* The proof: verified only with the proof of this addition. */
	r = call(pd, 0, "{s:s, s:s}", "op", "domain-verified", "domain",
	    "one.own.example");
	refused(pd, r, "not the one of its addition", "owner: domain-verified"
	    " without the proof is refused");
	r = call(pd, 0, "{s:s, s:s, s:s}", "op", "domain-verified", "domain",
	    "one.own.example", "proof", "stsd-verify=00");
	refused(pd, r, "not the one of its addition", "owner: ... with"
	    " another proof too");
	r = call(pd, 0, "{s:s, s:s, s:s}", "op", "domain-verified", "domain",
	    "one.own.example", "proof", p1);
	CHECK(is_ok(r), "owner: ... with its proof: verified");
	json_decref(r);
	r = as(pd, "ann", "{s:s, s:s}", "op", "domain-show", "domain",
	    "one.own.example");
	id = xstrdup(dstr(r, "policy_id"));
	CHECK(strcmp(dstr(r, "state"), "active") == 0 &&
	    json_object_get(json_object_get(r, "domain"), "proof") == NULL,
	    "owner: active, no proof asked any more");
	json_decref(r);
	r = as(pd, "ann", "{s:s, s:s, s:s}", "op", "domain-set", "domain",
	    "one.own.example", "mode", "enforce");
	CHECK(is_ok(r) && strcmp(dstr(r, "mode"), "enforce") == 0 &&
	    strcmp(dstr(r, "policy_id"), id) > 0,
	    "owner: domain-set by its account: the handler's new id");
	json_decref(r);
	free(id);
	r = as(pd, "ann", "{s:s, s:s, s:i}", "op", "domain-set", "domain",
	    "one.own.example", "max_age", -1);
	refused(pd, r, "out of range", "owner: ... and its validation");

	/* Removal: retiring, let go; pending: removed, let go. */
	r = as(pd, "ann", "{s:s, s:s, s:b}", "op", "domain-del", "domain",
	    "one.own.example", "now", 1);
	refused(pd, r, "only the operator", "owner: del now is refused");
	r = as(pd, "ann", "{s:s, s:s}", "op", "domain-del", "domain",
	    "one.own.example");
	CHECK(is_ok(r) && strcmp(dstr(r, "state"), "retiring") == 0,
	    "owner: del of an active domain: it retires");
	json_decref(r);
	e1 = as_error(pd, "ann", "domain-show", "one.own.example");
	e2 = as_error(pd, "ben", "domain-add", "one.own.example");
	CHECK(strstr(e1, "no such domain") != NULL &&
	    strcmp(e2, REQUEST_OWNER_REFUSED) == 0,
	    "owner: ... let go by ann, and not addable while it retires");
	free(e1);
	free(e2);
	p2 = proof_of(pd, "two.own.example");
	r = as(pd, "ann", "{s:s, s:s}", "op", "domain-del", "domain",
	    "two.own.example");
	CHECK(is_ok(r) && json_is_true(json_object_get(r, "removed")),
	    "owner: del of a pending domain: removed at once");
	json_decref(r);
	r = as(pd, "ben", "{s:s, s:s, s:[s]}", "op", "domain-add", "domain",
	    "two.own.example", "mx", "mx.own.example");
	CHECK(is_ok(r) && *dstr(r, "proof") != '\0' &&
	    strcmp(dstr(r, "proof"), p2) != 0,
	    "owner: added again by another account: a new proof");
	json_decref(r);
	r = call(pd, 0, "{s:s, s:s, s:s}", "op", "domain-verified", "domain",
	    "two.own.example", "proof", p2);
	refused(pd, r, "not the one of its addition", "owner: the proof of"
	    " the earlier addition does not verify it");
	free(p1);
	free(p2);

	/* A disabled account asks nothing but account-show. */
	json_decref(call(pd, 1, "{s:s, s:s, s:b}", "op", "account-set",
	    "name", "ben", "disabled", 1));
	r = as(pd, "ben", "{s:s, s:s}", "op", "domain-show", "domain",
	    "two.own.example");
	refused(pd, r, "account ben is disabled", "owner: a disabled account"
	    " cannot see its domains");
	r = as(pd, "ben", "{s:s, s:s}", "op", "account-show", "name", "ben");
	CHECK(is_ok(r) && json_is_true(json_object_get(json_object_get(r,
	    "account"), "disabled")), "owner: ... but sees that it is disabled");
	json_decref(r);
	r = as(pd, "nobody", "{s:s, s:s}", "op", "domain-show", "domain",
	    "two.own.example");
	refused(pd, r, "nobody: no such account", "owner: an account that"
	    " does not exist asks nothing");
	json_decref(call(pd, 1, "{s:s, s:s, s:b}", "op", "domain-del",
	    "domain", "one.own.example", "now", 1));
	json_decref(call(pd, 1, "{s:s, s:s, s:b}", "op", "domain-del",
	    "domain", "two.own.example", "now", 1));
	json_decref(call(pd, 1, "{s:s, s:s, s:b}", "op", "domain-del",
	    "domain", "op.own.example", "now", 1));
}

/* A sign-up as who (the actor): account-add of name, from 192.0.2.7. */
static json_t *
signup(struct policyd *pd, const char *who, const char *name,
    const char *password)
{
	return as(pd, who, "{s:s, s:s, s:s, s:s}", "op", "account-add",
	    "name", name, "email", "sue@own.example", "password", password);
}

/*
 * Self sign-up (portal_signup): account-add as the new account itself,
 * through the gate, with the operator's checks; and an existing name
 * refused with the answer that says nothing of it.
 */
static void
test_owner_signup(struct policyd *pd)
{
	long long min = pd->conf.password_min, quota = pd->conf.default_quota;
	json_t *r, *a;

	pd->conf.password_min = 12;
	pd->conf.default_quota = 3;
	var_portal_signup = 0;
	refused(pd, signup(pd, "sue", "sue", "sue's password 1"),
	    "sign-up is off (portal_signup = no)",
	    "owner: sign-up with portal_signup = no: refused");
	var_portal_signup = 1;
	refused(pd, signup(pd, "sue", "sam", "sue's password 1"),
	    "of itself only", "owner: sign-up of another name than the actor");
	refused(pd, as(pd, "sue", "{s:s, s:s, s:s, s:s, s:i}", "op",
	    "account-add", "name", "sue", "email", "sue@own.example",
	    "password", "sue's password 1", "quota", 1000000),
	    "quota: not given by a sign-up", "owner: sign-up with a quota");
	refused(pd, as(pd, "sue", "{s:s, s:s, s:s, s:s, s:[s]}", "op",
	    "account-add", "name", "sue", "email", "sue@own.example",
	    "password", "sue's password 1", "domains", "one.own.example"),
	    "domains: not given by a sign-up", "owner: sign-up with domains");
	refused(pd, as(pd, "sue", "{s:s, s:s, s:s}", "op", "account-add",
	    "name", "sue", "email", "sue@own.example"), "missing password",
	    "owner: sign-up without a password");
	refused(pd, signup(pd, "sue", "sue", "short"),
	    "(portal_password_min_length)",
	    "owner: sign-up: the password's length, as for the operator");
	refused(pd, as(pd, "sue", "{s:s, s:s, s:s, s:s}", "op", "account-add",
	    "name", "sue", "email", "not an address", "password",
	    "sue's password 1"), "e-mail address \"not an address\"",
	    "owner: sign-up: the address");
	refused(pd, signup(pd, "Sue\n", "Sue\n", "sue's password 1"),
	    "account name \"Sue\\n\"", "owner: sign-up: the name's syntax");
	refused(pd, signup(pd, "ann", "ann", "ann's password 1"),
	    PROTO_SIGNUP_REFUSED, "owner: sign-up of an existing name: the"
	    " answer that does not say so");
	r = signup(pd, "sue", "sue", "sue's password 1");
	CHECK(is_ok(r), "owner: sign-up: the account is made");
	json_decref(r);
	r = call(pd, 1, "{s:s, s:s}", "op", "account-show", "name", "sue");
	a = json_object_get(r, "account");
	CHECK(json_integer_value(json_object_get(a, "quota")) == 3 &&
	    json_array_size(json_object_get(a, "domains")) == 0 &&
	    json_is_true(json_object_get(a, "password")),
	    "owner: ... with portal_default_quota, no domains, a password");
	json_decref(r);
	CHECK(audit_has(pd, NULL, "\"actor\":\"sue\",\"from\":\"192.0.2.7\","
	    "\"action\":\"" PROTO_SIGNUP_ACTION "\""),
	    "owner: the audit log: account-signup by sue from her address");
	refused(pd, signup(pd, "sue", "sue", "sue's password 2"),
	    PROTO_SIGNUP_REFUSED, "owner: sign-up of her name again: refused");
	r = as(pd, "sue", "{s:s, s:s, s:[s]}", "op", "domain-add", "domain",
	    "sue.own.example", "mx", "mx.own.example");
	CHECK(is_ok(r) && strcmp(dstr(r, "state"), "pending") == 0,
	    "owner: the new account adds a domain, pending its proof");
	json_decref(r);
	r = signup(pd, "tom", "tom", "tom's password 1");
	CHECK(is_ok(r), "owner: tom signs up");
	json_decref(r);
	r = call(pd, 1, "{s:s, s:s}", "op", "account-del", "name", "tom");
	CHECK(is_ok(r), "owner: the operator removes tom");
	json_decref(r);
	refused(pd, signup(pd, "tom", "tom", "tom's password 2"),
	    PROTO_SIGNUP_REFUSED, "owner: sign-up of a removed account's name"
	    " (its audit rows stay): refused alike");
	var_portal_signup = 0;
	pd->conf.password_min = min;
	pd->conf.default_quota = quota;
}

/*
 * Read-only access (an API token that may only read): every op that
 * changes something is refused by the gate, whatever webd does.
 */
static void
test_owner_read_only(struct policyd *pd)
{
	static const char *const reads[] = { "domain-show", "domain-records",
	    "alert-list" };
	char *id, *before, *mode;
	json_t *r;
	size_t i;

#define RO(...)	as(pd, "sue", __VA_ARGS__)
	before = domain_field(pd, "sue.own.example", "policy_id");
	refused(pd, RO("{s:s, s:s, s:s, s:[s]}", "access", "read-only", "op",
	    "domain-add", "domain", "ro.own.example", "mx", "mx.own.example"),
	    PROTO_READ_ONLY_REFUSED, "owner: read-only: domain-add refused");
	id = as_error(pd, "sue", "domain-show", "ro.own.example");
	CHECK(strstr(id, "no such domain") != NULL, "owner: ... not added");
	free(id);
	refused(pd, RO("{s:s, s:s, s:s, s:s}", "access", "read-only", "op",
	    "domain-set", "domain", "sue.own.example", "mode", "none"),
	    PROTO_READ_ONLY_REFUSED, "owner: read-only: domain-set refused");
	refused(pd, RO("{s:s, s:s, s:s}", "access", "read-only", "op",
	    "domain-del", "domain", "sue.own.example"),
	    PROTO_READ_ONLY_REFUSED, "owner: read-only: domain-del refused");
	refused(pd, RO("{s:s, s:s, s:s}", "access", "read-only", "op",
	    "domain-check", "domain", "sue.own.example"),
	    PROTO_READ_ONLY_REFUSED, "owner: read-only: domain-check refused");
	refused(pd, RO("{s:s, s:s, s:s, s:s, s:s}", "access", "read-only",
	    "op", "alert-add", "domain", "sue.own.example", "kind", "mail",
	    "target", "sue@own.example"), PROTO_READ_ONLY_REFUSED,
	    "owner: read-only: alert-add refused");
	refused(pd, RO("{s:s, s:s, s:s, s:i}", "access", "read-only", "op",
	    "alert-del", "domain", "sue.own.example", "id", 1),
	    PROTO_READ_ONLY_REFUSED, "owner: read-only: alert-del refused");
	refused(pd, RO("{s:s, s:s, s:s, s:b}", "access", "read-only", "op",
	    "token-new", "name", "sue", "read_only", 0),
	    PROTO_READ_ONLY_REFUSED, "owner: read-only: token-new refused"
	    " (no read-write token from a read-only one)");
	refused(pd, RO("{s:s, s:s, s:s, s:i}", "access", "read-only", "op",
	    "token-revoke", "name", "sue", "id", 1),
	    PROTO_READ_ONLY_REFUSED, "owner: read-only: token-revoke refused");
	id = domain_field(pd, "sue.own.example", "policy_id");
	mode = domain_field(pd, "sue.own.example", "mode");
	CHECK(strcmp(id, before) == 0 && strcmp(mode, "testing") == 0,
	    "owner: read-only: the domain is as it was");
	free(id);
	free(mode);
	free(before);
	for (i = 0; i < sizeof(reads) / sizeof(*reads); i++) {
		r = RO("{s:s, s:s, s:s}", "access", "read-only", "op", reads[i],
		    "domain", "sue.own.example");
		CHECK(is_ok(r), "owner: read-only: %s answered", reads[i]);
		json_decref(r);
	}
	r = RO("{s:s, s:s, s:s}", "access", "read-only", "op", "token-list",
	    "name", "sue");
	CHECK(is_ok(r), "owner: read-only: token-list answered");
	json_decref(r);
	r = RO("{s:s, s:s}", "access", "read-only", "op", "audit-list");
	CHECK(is_ok(r), "owner: read-only: audit-list answered");
	json_decref(r);
	refused(pd, RO("{s:s, s:s, s:s}", "access", "everything", "op",
	    "domain-show", "domain", "sue.own.example"),
	    "access: read-only or read-write", "owner: an access of neither");
	r = RO("{s:s, s:s, s:s, s:s}", "access", "read-write", "op",
	    "domain-set", "domain", "sue.own.example", "mode", "none");
	CHECK(is_ok(r), "owner: read-write: domain-set made");
	json_decref(r);
#undef RO
	json_decref(call(pd, 1, "{s:s, s:s, s:b}", "op", "domain-del",
	    "domain", "sue.own.example", "now", 1));
}

/*
 * The nodes of one database (lease.h, request_node.c): two policyd of
 * two nodes on one policy.db, each with its own connection.
 */
static const char *
lease_holder(json_t *r)
{
	const char *h = json_string_value(json_object_get(r, "holder"));

	return h != NULL ? h : "(null)";
}

static void
test_nodes(struct policyd *pd, const char *path)
{
	struct policyd a = *pd, b = *pd, c = *pd;
	struct buf err = BUF_INIT;
	json_t *r, *nodes;

	r = call(pd, 0, "{s:s, s:s}", "op", "lease", "work", "dnsmon");
	CHECK(!is_ok(r) && strstr(json_string_value(json_object_get(r,
	    "error")), "keeps no leases") != NULL, "lease without leases kept:"
	    " refused");
	json_decref(r);
	a.publish = b.publish = c.publish = NULL;
	b.db = policydb_open(path, &err);
	c.db = policydb_open(path, &err);
	if (b.db == NULL || c.db == NULL) {
		CHECK(0, "policy.db opened again: %s", err.s);
		buf_free(&err);
		return;
	}
	a.leases = leases_new(&a, NULL, "node-a", 60, 0);
	b.leases = leases_new(&b, NULL, "node-b", 60, 0);
	r = call(&a, 0, "{s:s, s:s}", "op", "lease", "work", "dnsmon");
	CHECK(is_ok(r) && json_is_true(json_object_get(r, "held")) &&
	    strcmp(lease_holder(r), "node-a") == 0, "the first node holds the"
	    " lease");
	json_decref(r);
	r = call(&b, 0, "{s:s, s:s}", "op", "lease", "work", "acmed");
	CHECK(is_ok(r) && json_is_false(json_object_get(r, "held")) &&
	    strcmp(lease_holder(r), "node-a") == 0 &&
	    strcmp(json_string_value(json_object_get(r, "node")), "node-b")
	    == 0, "the second does not, and is told who does");
	json_decref(r);
	r = call(&a, 0, "{s:s, s:s}", "op", "lease", "work", "dnsmon\nx");
	CHECK(!is_ok(r) && strcmp(json_string_value(json_object_get(r,
	    "error")), "lease: no such work (dnsmon, acmed or alerts)") == 0,
	    "an unknown work is refused");
	json_decref(r);
	r = call(&a, 0, "{s:s, s:s}", "op", "lease", "work",
	    "dnsmondnsmondnsmondnsmondnsmondnsmondnsmon");
	CHECK(!is_ok(r) && strstr(json_string_value(json_object_get(r,
	    "error")), "dnsmondnsmon") == NULL, "a long work is refused, not"
	    " repeated");
	json_decref(r);
	r = call(&a, 0, "{s:s, s:i}", "op", "lease", "work", 1);
	CHECK(!is_ok(r), "a work that is not a string is refused");
	json_decref(r);
	r = call(&a, 1, "{s:s, s:s}", "op", "lease", "work", "dnsmon");
	CHECK(!is_ok(r), "lease is refused on the public socket");
	json_decref(r);

	r = call(&b, 1, "{s:s}", "op", "node-list");
	nodes = json_object_get(r, "nodes");
	CHECK(is_ok(r) && json_array_size(nodes) == 2 &&
	    strcmp(json_string_value(json_object_get(json_array_get(nodes, 0),
	    "name")), "node-a") == 0 && json_array_size(json_object_get(
	    json_array_get(nodes, 0), "leases")) == 3 && json_array_size(
	    json_object_get(json_array_get(nodes, 1), "leases")) == 0 &&
	    json_is_true(json_object_get(json_array_get(nodes, 1), "self")) &&
	    json_integer_value(json_object_get(json_array_get(nodes, 0),
	    "age")) >= 0 && strcmp(json_string_value(json_object_get(
	    json_array_get(nodes, 0), "version")), PACKAGE_VERSION) == 0,
	    "node-list: both nodes, by name, with their leases and version");
	json_decref(r);

	leases_free(a.leases, 1);
	leases_tick(b.leases);
	r = call(&b, 0, "{s:s, s:s}", "op", "lease", "work", "alerts");
	CHECK(is_ok(r) && json_is_true(json_object_get(r, "held")),
	    "leases released by a node that stops are taken at the next tick");
	json_decref(r);

	/* One host (SQLite): held whatever another name holds. */
	c.leases = leases_new(&c, NULL, "node-c", 60, 1);
	r = call(&c, 0, "{s:s, s:s}", "op", "lease", "work", "dnsmon");
	CHECK(is_ok(r) && json_is_true(json_object_get(r, "held")) &&
	    strcmp(lease_holder(r), "node-c") == 0, "on one host the lease is"
	    " always held, also after node_name changed");
	json_decref(r);
	leases_free(b.leases, 0);
	leases_free(c.leases, 0);
	policydb_close(b.db);
	policydb_close(c.db);
	buf_free(&err);
}

int
main(void)
{
	char dir[] = "/tmp/policyd_test.XXXXXX", path[256];
	static char *rcpt[] = { "tlsrpt+*@sts.test", "tlsrpt@sts.test", NULL };
	struct buf err = BUF_INIT;
	struct policyd pd;
	json_t *r;

	log_init("policyd_test", 0);
	unit_tmppath(dir, path, sizeof(path), "policy.db");
	memset(&pd, 0, sizeof(pd));
	pd.db = policydb_open(path, &err);
	CHECK(pd.db != NULL, "policy.db is created");
	if (pd.db == NULL) {
		printf("# %s\n", err.s);
		return 1;
	}
	pd.conf.default_mode = "testing";
	pd.conf.default_max_age = 604800;
	pd.conf.sts_zone = "sts.test";
	pd.conf.policy_host = "mta-sts.sts.test";
	pd.conf.report_recipients = rcpt;
	pd.conf.retire_max_age = 86400;
	pd.notify = record_notify;
	pushed = json_array();
	asked = json_array();

	test_add(&pd);
	test_set(&pd);
	test_del(&pd);
	test_verification(&pd);
	test_records(&pd);
	test_misc(&pd);
	test_challenges(&pd);
	test_check_result(&pd);
	test_check_now(&pd);
	test_publish(&pd);
	test_https_rua(&pd);
	test_snapshot(&pd);
	test_snapshot_file(&pd, dir);
	test_ping(&pd);
	test_import(&pd);
	test_ids(&pd, path);
	test_retire_rule(&pd);
	test_names(&pd);
	test_migration(&pd, dir);
	test_mx_migration(&pd, path);
	test_owner(&pd);
	test_owner_signup(&pd);
	test_owner_read_only(&pd);
	test_nodes(&pd, path);

	policydb_close(pd.db);
	pd.db = policydb_open(path, &err);
	r = call(&pd, 1, "{s:s, s:s}", "op", "domain-show", "domain",
	    "pending.example");
	CHECK(is_ok(r) && strcmp(dstr(r, "mode"), "enforce") == 0,
	    "domains persist across a reopen");
	json_decref(r);
	policydb_close(pd.db);

	json_decref(asked);
	json_decref(pushed);
	buf_free(&err);
	return unit_status_rm(dir);
}
