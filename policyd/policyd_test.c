/*
 * policyd_test - policyd's request handlers on a temporary policy.db,
 * without sockets: replies, stored state, ids, and what subscribers are
 * told.
 */
#include "config.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <jansson.h>

#include "buf.h"
#include "db.h"
#include "domains.h"
#include "log.h"
#include "mymalloc.h"
#include "request.h"

static int failures;

#define CHECK(cond, what) do { \
	if (cond) printf("ok - %s\n", what); \
	else { printf("not ok - %s (line %d)\n", what, __LINE__); failures++; } \
} while (0)

static json_t *pushed;		/* what subscribers were told */

static void
record_notify(json_t *msg, void *arg)
{
	json_array_append(pushed, msg);
}

static json_t *
call(struct policyd *pd, int pub, const char *fmt, ...)
{
	json_error_t jerr;
	json_t *req, *reply;
	va_list ap;

	va_start(ap, fmt);
	req = json_vpack_ex(&jerr, 0, fmt, ap);
	va_end(ap);
	if (req == NULL) {
		printf("# bad test request: %s\n", jerr.text);
		exit(1);
	}
	reply = request_handle(pd, req, pub);
	json_decref(req);
	return reply;
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
	CHECK(good && json_array_size(pushed) == before, what);
	json_decref(reply);
}

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

	refused(pd, call(pd, 1, "{s:s, s:s, s:[s]}", "op", "domain-add",
	    "domain", "example.com", "mx", "mx2.example.com"),
	    "example.com: domain already exists (state active)",
	    "duplicate add is refused");
	refused(pd, call(pd, 1, "{s:s, s:s, s:[s]}", "op", "domain-add",
	    "domain", "b.example", "mx", "*.*.example.com"),
	    "mx pattern \"*.*.example.com\": ", "bad mx pattern is refused");
	refused(pd, call(pd, 1, "{s:s, s:s, s:[s], s:s}", "op", "domain-add",
	    "domain", "b.example", "mx", "mx.b.example", "mode", "strict"),
	    "mode \"strict\": must be testing, enforce or none",
	    "bad mode is refused");
	refused(pd, call(pd, 1, "{s:s, s:s, s:[s], s:I}", "op", "domain-add",
	    "domain", "b.example", "mx", "mx.b.example", "max_age",
	    (json_int_t)31557601), "max_age 31557601: out of range 0..31557600",
	    "max_age above one year is refused");
	refused(pd, call(pd, 1, "{s:s, s:s, s:[s], s:I}", "op", "domain-add",
	    "domain", "b.example", "mx", "mx.b.example", "max_age",
	    (json_int_t)-1), "max_age -1: out of range 0..31557600",
	    "negative max_age is refused");
	refused(pd, call(pd, 1, "{s:s, s:s, s:[]}", "op", "domain-add",
	    "domain", "b.example", "mx"),
	    "b.example: at least one mx pattern is needed with mode testing",
	    "add without mx is refused");
	refused(pd, call(pd, 1, "{s:s, s:s, s:[s, s]}", "op", "domain-add",
	    "domain", "b.example", "mx", "a.b.example", "A.b.example"),
	    "mx pattern \"A.b.example\": given twice", "repeated mx is refused");
	refused(pd, call(pd, 1, "{s:s, s:s, s:[s]}", "op", "domain-add",
	    "domain", "bad_name..example", "mx", "a.b.example"),
	    "domain \"bad_name..example\": not a valid domain name",
	    "bad domain name is refused");
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
	CHECK(json_integer_value(json_object_get(d, "retire_at")) >= before + 86400,
	    "retire_at is the previous max_age from now");
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

	CHECK(request_expire(pd, before + 10) == 0 && count_domains(pd) == 1,
	    "expiry keeps a domain before retire_at");
	CHECK(request_expire(pd, before + 86400 + 5) == 1 &&
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

static void
test_verification(struct policyd *pd)
{
	json_t *r;
	size_t before;

	pd->conf.verify_dns = 1;
	before = json_array_size(pushed);
	r = call(pd, 1, "{s:s, s:s, s:[s], s:s, s:I}", "op", "domain-add",
	    "domain", "pending.example", "mx", "mx.pending.example",
	    "mode", "enforce", "max_age", (json_int_t)3600);
	CHECK(is_ok(r) && strcmp(dstr(r, "state"), "pending") == 0 &&
	    json_array_size(pushed) == before,
	    "with domain_verification dns a domain stays pending, unpublished");
	json_decref(r);
	refused(pd, call(pd, 1, "{s:s, s:s}", "op", "domain-verified",
	    "domain", "pending.example"), "not allowed on the public socket",
	    "domain-verified is refused on the public socket");
	r = call(pd, 0, "{s:s, s:s}", "op", "domain-verified", "domain",
	    "pending.example");
	CHECK(is_ok(r) && json_array_size(pushed) == before + 1,
	    "domain-verified publishes the policy");
	json_decref(r);
	r = call(pd, 1, "{s:s, s:s}", "op", "domain-show", "domain",
	    "pending.example");
	CHECK(strcmp(dstr(r, "state"), "active") == 0, "verified domain is active");
	json_decref(r);
	pd->conf.verify_dns = 0;
}

static void
test_records(struct policyd *pd)
{
	json_t *r, *rec;
	char *dump;

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
	pd->reply_limit = 0;
	r = call(pd, 1, "{s:s, s:s, s:b}", "op", "domain-del", "domain",
	    "z.example", "now", 1);
	json_decref(r);

	json_array_clear(pushed);
	n = request_snapshot(pd, record_notify, NULL);
	CHECK(n == 1 && json_array_size(pushed) == 1,
	    "snapshot has one message per servable domain");
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
	if (mkdtemp(dir) == NULL)
		return 1;
	snprintf(path, sizeof(path), "%s/policy.db", dir);
	memset(&pd, 0, sizeof(pd));
	pd.db = domains_open(path, &err);
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

	test_add(&pd);
	test_set(&pd);
	test_del(&pd);
	test_verification(&pd);
	test_records(&pd);
	test_misc(&pd);

	db_close(pd.db);
	pd.db = domains_open(path, &err);
	r = call(&pd, 1, "{s:s, s:s}", "op", "domain-show", "domain",
	    "pending.example");
	CHECK(is_ok(r) && strcmp(dstr(r, "mode"), "enforce") == 0,
	    "domains persist across a reopen");
	json_decref(r);
	db_close(pd.db);

	json_decref(pushed);
	buf_free(&err);
	snprintf(path, sizeof(path), "rm -rf %s", dir);
	if (system(path) != 0)
		return 1;
	return failures > 0;
}
