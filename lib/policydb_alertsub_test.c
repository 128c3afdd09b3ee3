/*
 * policydb_alertsub_test - policy.db's alert subscriptions: stored with
 * new ids, counted and listed per domain, a (kind, target) once per
 * domain, an id found only under its own domain, gone with the domain;
 * and lib/alertsub's syntax of a target and its file, read back.  On
 * both engines (STSD_TEST_PGCONNINFO: tests/unit_policydb.h).
 * SPDX-License-Identifier: ISC
 */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include "alertsub.h"
#include "buf.h"
#include "esc.h"
#include "log.h"
#include "policydb.h"
#include "policydb_alertsub.h"
#include "unit.h"
#include "unit_policydb.h"

static char *test_mx[] = { "mx.example.com", NULL };

static void
add_domain(struct policydb *pdb, const char *name)
{
	struct buf err = BUF_INIT;

	CHECK(unit_policydb_add(pdb, name, test_mx, &err) == 0, "insert %s",
	    name);
	buf_free(&err);
}

static long long
add_sub(struct policydb *pdb, const char *domain, const char *kind,
    const char *target, struct buf *err)
{
	struct policydb_alertsub s;

	memset(&s, 0, sizeof(s));
	s.domain = (char *)domain;
	s.kind = (char *)kind;
	s.target = (char *)target;
	s.created = 1000;
	s.account = (char *)"alice";
	buf_reset(err);
	return policydb_alertsub_add(pdb, &s, err) < 0 ? -1 : s.id;
}

static void
test_storage(struct policydb *pdb)
{
	struct buf err = BUF_INIT;
	struct policydb_alertsub *v, s;
	long long a, b, c;
	size_t n;

	add_domain(pdb, "a.example");
	add_domain(pdb, "b.example");
	a = add_sub(pdb, "a.example", "mail", "ops@a.example", &err);
	b = add_sub(pdb, "a.example", "webhook", "https://h.example/x", &err);
	c = add_sub(pdb, "b.example", "mail", "ops@a.example", &err);
	CHECK(a > 0 && b > a && c > b, "new ids, in order (%lld %lld %lld)",
	    a, b, c);
	CHECK(add_sub(pdb, "a.example", "mail", "ops@a.example", &err) < 0 &&
	    strcmp(err.s, "a.example: mail ops@a.example: already "
	    "subscribed") == 0, "a (kind, target) once per domain: %s", err.s);
	CHECK(add_sub(pdb, "c.example", "mail", "x@c.example", &err) < 0,
	    "a domain not hosted: refused");
	CHECK(policydb_alertsub_count(pdb, "a.example") == 2 &&
	    policydb_alertsub_count(pdb, "b.example") == 1, "counted per "
	    "domain");
	CHECK(policydb_alertsub_list(pdb, "a.example", &v, &n, &err) == 0 &&
	    n == 2 && v[0].id == a && strcmp(v[1].target,
	    "https://h.example/x") == 0 && strcmp(v[0].account, "alice") == 0,
	    "listed per domain, by id");
	policydb_alertsubs_free(v, n);
	CHECK(policydb_alertsub_get(pdb, "b.example", a, &s, &err) == 0,
	    "an id of another domain is not found");
	CHECK(policydb_alertsub_get(pdb, "a.example", a, &s, &err) == 1 &&
	    strcmp(s.kind, "mail") == 0, "an id of its own domain is");
	policydb_alertsub_clear(&s);
	CHECK(policydb_alertsub_delete(pdb, a, &err) == 0 &&
	    policydb_alertsub_count(pdb, "a.example") == 1, "deleted");
	CHECK(policydb_domain_delete(pdb, "a.example", &err) == 0 &&
	    policydb_alertsub_list(pdb, NULL, &v, &n, &err) == 0 && n == 1 &&
	    strcmp(v[0].domain, "b.example") == 0,
	    "a domain's subscriptions go with it");
	policydb_alertsubs_free(v, n);
	CHECK(add_sub(pdb, "b.example", "mail", "new@b.example", &err) > b + 1,
	    "ids are never reused");
	buf_free(&err);
}

static const struct {
	const char *kind, *target;
	int ok;
} target_cases[] = {
	{ "mail", "ops@example.com", 1 },
	{ "mail", "first.last+tag@sub.example.co.uk", 1 },
	{ "mail", "ops@example.com\r\nBcc: x@evil.example", 0 },
	{ "mail", "Ops <ops@example.com>", 0 },
	{ "mail", "\"ops\"@example.com", 0 },
	{ "mail", "a@b@example.com", 0 },
	{ "mail", "a,b@example.com", 0 },
	{ "mail", "@example.com", 0 },
	{ "mail", "ops@", 0 },
	{ "mail", "ops@localhost", 0 },
	{ "mail", "ops@-x.example", 0 },
	{ "mail", "-oQ/tmp@example.com", 0 },
	{ "mail", "ops@example.com.", 0 },
	{ "mail", "caf\xc3\xa9@example.com", 0 },
	{ "webhook", "https://hooks.example.com/a/b?c=d", 1 },
	{ "webhook", "https://[2001:db8::1]:8443/x", 1 },
	{ "webhook", "http://hooks.example.com/", 0 },
	{ "webhook", "https://user:pw@hooks.example.com/", 0 },
	{ "webhook", "https://hooks.example.com/a b", 0 },
	{ "webhook", "https://hooks.example.com/\r\nX: y", 0 },
	{ "webhook", "https:///x", 0 },
	{ "webhook", "ftp://hooks.example.com/", 0 },
	{ "sms", "+15555550100", 0 },
};

static void
test_targets(void)
{
	struct buf err = BUF_INIT, big = BUF_INIT;
	size_t i;

	for (i = 0; i < UNIT_NCASES(target_cases); i++) {
		buf_reset(&err);
		CHECK((alertsub_target_check(target_cases[i].kind,
		    target_cases[i].target, &err) == 0) == target_cases[i].ok,
		    "%s %s: %s", target_cases[i].kind, esc_printable(
		    target_cases[i].target), target_cases[i].ok ? "taken" :
		    err.s);
	}
	buf_puts(&big, "https://hooks.example.com/");
	while (big.len <= ALERTSUB_TARGET_MAX)
		buf_putc(&big, 'a');
	buf_reset(&err);
	CHECK(alertsub_target_check("webhook", big.s, &err) < 0 &&
	    strcmp(err.s, "webhook URL: longer than 2048 bytes") == 0,
	    "a URL over ALERTSUB_TARGET_MAX: %s", err.s);
	buf_free(&err);
	buf_free(&big);
}

static void
test_file(const char *dir)
{
	struct alertsub_list l = { NULL, 0, 0 };
	struct buf err = BUF_INIT;
	const char **v;
	char path[512];
	size_t n;
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", dir, ALERTSUB_FILE);
	alertsub_file_add(&l, "a.example", "mail", "ops@a.example");
	alertsub_file_add(&l, "a.example", "webhook", "https://h/\tx\ny");
	alertsub_file_add(&l, "b.example", "mail", "ops@b.example");
	CHECK(alertsub_file_write(path, &l, &err) == 0, "file written");
	alertsub_list_free(&l);
	alertsub_load(path);
	v = alertsub_targets("a.example", "webhook", &n);
	CHECK(n == 1 && strcmp(v[0], "https://h/\tx\ny") == 0,
	    "a TAB and a newline in a field read back");
	free(v);
	v = alertsub_targets("A.Example", "mail", &n);
	CHECK(n == 1 && strcmp(v[0], "ops@a.example") == 0,
	    "a domain's own targets only, whatever its case");
	free(v);
	if ((f = fopen(path, "a")) != NULL) {	/* a changed file: read again */
		fputs("c.example\tmail\n\xff\xfe\n\tnot\tone\\x\n"
		    "c.example\tmail\tc@c.example\n", f);
		fclose(f);
	}
	alertsub_load(path);
	v = alertsub_targets("c.example", "mail", &n);
	CHECK(n == 1 && strcmp(v[0], "c@c.example") == 0,
	    "lines that do not read back are skipped, the rest read");
	free(v);
	unlink(path);
	alertsub_load(path);
	v = alertsub_targets("a.example", "mail", &n);
	CHECK(n == 0, "no file: no subscriber");
	free(v);
	buf_free(&err);
}

int
main(void)
{
	char dir[] = "/tmp/policydb_alertsub_test.XXXXXX", path[256];
	struct policydb *pdb;

	log_init("policydb_alertsub_test", 0);
	if ((pdb = unit_policydb_tmp(dir, path, sizeof(path))) == NULL)
		return unit_status_rm(dir);
	test_storage(pdb);
	policydb_close(pdb);
	test_targets();
	test_file(dir);
	return unit_status_rm(dir);
}
