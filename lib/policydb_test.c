/*
 * policydb_test - lib/policydb on a temporary policy.db: rows read back
 * as written, the name history never going back, dnsmon's checks,
 * DNS publication waiting for a served certificate, and its back-off.
 * SPDX-License-Identifier: ISC
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "buf.h"
#include "log.h"
#include "mymalloc.h"
#include "policydb.h"
#include "unit.h"
#include "unit_policydb.h"

static char *test_mx[] = { "mx1.example.com", "*.mx.example.com", NULL };

static void
make_domain(struct domain *d, const char *name, enum domain_state state)
{
	memset(d, 0, sizeof(*d));
	d->name = (char *)name;
	d->state = state;
	d->mode = (char *)"enforce";
	d->mx = test_mx;
	d->nmx = 2;
	d->max_age = 86400;
	d->policy_id = (char *)"20261207000000000001";
	d->token = (char *)"token";
	d->created = 1000;
	d->updated = 2000;
}

static void
test_domains(struct policydb *pdb)
{
	struct buf err = BUF_INIT;
	struct domain d, got, *v;
	char **names;
	size_t n;

	make_domain(&d, "b.example", DOMAIN_ACTIVE);
	CHECK(policydb_domain_insert(pdb, &d, &err) == 0, "insert a domain");
	make_domain(&d, "a.example", DOMAIN_PENDING);
	d.nmx = 1;
	CHECK(policydb_domain_insert(pdb, &d, &err) == 0, "insert another");
	CHECK(policydb_domain_insert(pdb, &d, &err) < 0 &&
	    strstr(err.s, "insert domain") != NULL,
	    "a second row of a name is refused, said in err: %s", err.s);
	buf_reset(&err);

	CHECK(policydb_domain_get(pdb, "b.example", &got, &err) == 1 &&
	    got.state == DOMAIN_ACTIVE && got.nmx == 2 &&
	    strcmp(got.mx[1], "*.mx.example.com") == 0 && got.mx[2] == NULL &&
	    got.max_age == 86400 && got.retire_at == 0 &&
	    got.prior_mode == NULL && got.served == 0,
	    "a domain reads back as written, mx patterns in order");
	policydb_domain_clear(&got);
	CHECK(policydb_domain_get(pdb, "c.example", &got, &err) == 0,
	    "an unknown domain is not found");

	CHECK(policydb_domain_list(pdb, NULL, 0, &v, &n, &err) == 0 &&
	    n == 2 && strcmp(v[0].name, "a.example") == 0 && v[0].nmx == 1 &&
	    v[1].nmx == 2, "the list is in name order, each with its patterns");
	policydb_domains_free(v, n);
	CHECK(policydb_domain_list(pdb, "a.example", 1, &v, &n, &err) == 0 &&
	    n == 1 && strcmp(v[0].name, "b.example") == 0,
	    "a page starts after the name given");
	policydb_domains_free(v, n);

	CHECK(policydb_waiting(pdb, 10, &names, &n, &err) == 0 && n == 1 &&
	    strcmp(names[0], "b.example") == 0,
	    "a servable domain not served yet waits");
	while (n > 0)
		free(names[--n]);
	free(names);
	CHECK(policydb_set_served(pdb, "b.example", 3000, &err) == 1 &&
	    policydb_set_served(pdb, "b.example", 4000, &err) == 0,
	    "served is recorded once");

	make_domain(&d, "b.example", DOMAIN_RETIRING);
	d.retire_at = 5000;
	d.prior_mode = (char *)"testing";
	d.prior_max_age = 600;
	CHECK(policydb_domain_update(pdb, &d, &err) == 0 &&
	    policydb_next_retire(pdb) == 5000, "retire_at is the next retirement");
	CHECK(policydb_domain_get(pdb, "b.example", &got, &err) == 1 &&
	    got.served == 3000 && got.prior_mode != NULL &&
	    strcmp(got.prior_mode, "testing") == 0 && got.prior_max_age == 600,
	    "an update keeps served and stores the prior policy");
	policydb_domain_clear(&got);
	CHECK(policydb_domain_expired(pdb, 4999, &v, &n, &err) == 0 && n == 0,
	    "not expired before retire_at");
	policydb_domains_free(v, n);
	CHECK(policydb_domain_expired(pdb, 5000, &v, &n, &err) == 0 &&
	    n == 1 && v[0].nmx == 2, "expired at retire_at, with its patterns");
	policydb_domains_free(v, n);
	buf_free(&err);
}

static void
test_names(struct policydb *pdb)
{
	struct buf err = BUF_INIT;
	long long until;
	char *id;

	CHECK(policydb_name_get(pdb, "n.example", &id, &until, &err) == 0 &&
	    id == NULL, "a name never given an id has no history");
	policydb_name_put(pdb, "n.example", "20261207000000000005", 900, &err);
	policydb_name_put(pdb, "n.example", "20261207000000000003", 1900, &err);
	CHECK(policydb_name_get(pdb, "n.example", &id, &until, &err) == 1 &&
	    strcmp(id, "20261207000000000005") == 0 && until == 1900,
	    "the history keeps the greater id and the later cache end");
	free(id);
	buf_free(&err);
}

/* A plan reads back as written; a new one replaces it; it goes with
 * its domain. */
static void
test_migrations(struct policydb *pdb)
{
	static char *start[] = { "mx1.m.example", "*.m.example", NULL };
	static char *add[] = { "mx2.m.example", NULL };
	static char *rm[] = { "mx1.m.example", NULL };
	struct policydb_migration m = { "m.example", "waiting", start, add,
	    rm, 100, 110, 5000, "the end of caches", 0 }, r, *v;
	struct domain d = { 0 };
	struct buf err = BUF_INIT;
	size_t n;

	d.name = "m.example";
	d.state = DOMAIN_ACTIVE;
	d.mode = "testing";
	d.policy_id = "1";
	d.token = "t";
	CHECK(policydb_domain_insert(pdb, &d, &err) == 0 &&
	    policydb_migration_put(pdb, &m, &err) == 0, "a plan is stored");
	CHECK(policydb_migration_get(pdb, "m.example", &r, &err) == 1 &&
	    STR_EQ(r.step, "waiting") && STR_EQ(r.start_mx[1], "*.m.example") &&
	    r.start_mx[2] == NULL && STR_EQ(r.add_mx[0], "mx2.m.example") &&
	    STR_EQ(r.remove_mx[0], "mx1.m.example") && r.started == 100 &&
	    r.step_since == 110 && r.deadline == 5000 &&
	    STR_EQ(r.waits_for, "the end of caches") && r.ended == 0,
	    "it reads back as written");
	policydb_migration_clear(&r);
	CHECK(policydb_migration_running(pdb, &v, &n, &err) == 0 && n == 1 &&
	    STR_EQ(v[0].domain, "m.example"), "it is running");
	policydb_migrations_free(v, n);
	m.step = "done";
	m.ended = 200;
	m.deadline = 0;
	m.waits_for = NULL;
	CHECK(policydb_migration_put(pdb, &m, &err) == 0 &&
	    policydb_migration_get(pdb, "m.example", &r, &err) == 1 &&
	    STR_EQ(r.step, "done") && r.ended == 200 && r.deadline == 0 &&
	    r.waits_for == NULL, "a plan written again replaces the row");
	policydb_migration_clear(&r);
	CHECK(policydb_migration_running(pdb, &v, &n, &err) == 0 && n == 0,
	    "an ended plan is not running");
	free(v);
	m.step = "stalled";
	CHECK(policydb_migration_put(pdb, &m, &err) < 0,
	    "a step the schema does not know is refused");
	buf_reset(&err);
	CHECK(policydb_domain_delete(pdb, "m.example", &err) == 0 &&
	    policydb_migration_get(pdb, "m.example", &r, &err) == 0,
	    "the plan goes with its domain");
	buf_free(&err);
}

static void
test_checks(struct policydb *pdb)
{
	struct buf err = BUF_INIT;
	struct policydb_check c[2] = {
		{ (char *)"mx", (char *)"mx1.example.com", (char *)"ok",
		    (char *)"{\"check\":\"mx\"}", 100 },
		{ (char *)"txt", (char *)"", (char *)"fail",
		    (char *)"{\"check\":\"txt\"}", 90 },
	}, *v;
	long long checked, next;
	size_t n;

	CHECK(policydb_monitor_get(pdb, "a.example", &checked, &next) == 0 &&
	    checked == 0, "a domain never checked has no check");
	CHECK(policydb_monitor_put(pdb, "a.example", 100, 0, c, 2, &err) == 0,
	    "the checks of a domain are stored");
	CHECK(policydb_monitor_get(pdb, "a.example", &checked, &next) == 1 &&
	    checked == 100 && next == 0, "with the time and no next check");
	n = policydb_checks_get(pdb, "a.example", 10, &v);
	CHECK(n == 2 && strcmp(v[1].name, "txt") == 0 && v[1].since == 90 &&
	    strcmp(v[0].data, "{\"check\":\"mx\"}") == 0,
	    "they read back in order, whole");
	policydb_checks_free(v, n);
	n = policydb_checks_get(pdb, "a.example", 1, &v);
	CHECK(n == 1, "at most max are read");
	policydb_checks_free(v, n);
	CHECK(policydb_monitor_put(pdb, "a.example", 200, 260, c, 1, &err) == 0 &&
	    policydb_checks_get(pdb, "a.example", 10, &v) == 1,
	    "a new result replaces the checks");
	policydb_checks_free(v, 1);
	CHECK(policydb_monitor_get(pdb, "a.example", &checked, &next) == 1 &&
	    next == 260, "and says when the next check is");
	buf_free(&err);
}

static char *
test_rua(const char *domain, void *arg)
{
	return xasprintf("mailto:%s@%s", (const char *)arg, domain);
}

static void
test_publish(struct policydb *pdb)
{
	struct buf err = BUF_INIT;
	struct policydb_publish_item *v;
	struct policydb_publish_state s;
	struct domain d;
	size_t n;

	/* The one servable domain is p.example. */
	CHECK(policydb_domain_delete(pdb, "b.example", &err) == 0 &&
	    policydb_domain_get(pdb, "b.example", &d, &err) == 0,
	    "a domain is deleted");
	make_domain(&d, "p.example", DOMAIN_ACTIVE);
	policydb_domain_insert(pdb, &d, &err);
	CHECK(policydb_publish_sync(pdb, test_rua, (void *)"tlsrpt", 100,
	    &err) == 0,
	    "sync queues the servable domains");
	CHECK(policydb_publish_state(pdb, "p.example", &s) == 1 && s.pending &&
	    strcmp(s.want_id, d.policy_id) == 0 && s.published_id == NULL &&
	    s.last_try == POLICYDB_NONE, "a new domain is pending");
	policydb_publish_state_clear(&s);
	CHECK(policydb_publish_due(pdb, 100, 10, &v, &n, &err) == 0 && n == 0 &&
	    policydb_publish_next(pdb) == -1,
	    "its id waits for a served certificate (RFC 8461 section 8.1)");
	policydb_publish_free(v, n);
	policydb_set_served(pdb, "p.example", 150, &err);
	CHECK(policydb_publish_due(pdb, 200, 10, &v, &n, &err) == 0 && n == 1 &&
	    strcmp(v[0].rua, "mailto:tlsrpt@p.example") == 0,
	    "once served it is due, with the rua of the sync");
	CHECK(policydb_publish_attempts(pdb, "p.example") == 0 &&
	    policydb_publish_failed(pdb, "p.example", 1, 260, 200, "REFUSED",
	    &err) == 0, "a failed attempt is recorded");
	CHECK(policydb_publish_next(pdb) == 260 &&
	    policydb_publish_attempts(pdb, "p.example") == 1 &&
	    policydb_publish_state(pdb, "p.example", &s) == 1 &&
	    strcmp(s.last_error, "REFUSED") == 0 && s.next_try == 260,
	    "its next try and error are kept");
	policydb_publish_state_clear(&s);
	CHECK(policydb_publish_succeeded(pdb, &v[0], 300, &err) == 0 &&
	    policydb_publish_state(pdb, "p.example", &s) == 1 && !s.pending &&
	    s.next_try == POLICYDB_NONE && s.published_at == 300 &&
	    s.last_error == NULL, "success makes it published");
	policydb_publish_state_clear(&s);
	policydb_publish_free(v, n);

	policydb_domain_delete(pdb, "p.example", &err);
	CHECK(policydb_publish_want(pdb, "p.example", NULL, NULL, 400,
	    &err) == 0 && policydb_publish_due(pdb, 400, 10, &v, &n, &err) == 0 &&
	    n == 1 && v[0].id == NULL, "a deletion is due at once");
	CHECK(policydb_publish_succeeded(pdb, &v[0], 410, &err) == 0 &&
	    policydb_publish_state(pdb, "p.example", &s) == 0,
	    "once deleted the row goes");
	policydb_publish_free(v, n);
	buf_free(&err);
}

/*
 * A sync over more servable domains than one page of the engines that
 * read them a page at a time (1,000): each is queued once, an unchanged
 * one is left alone, and a new rua reaches the last page too.
 */
#define TEST_MANY	2345

static void
test_publish_many(struct policydb *pdb)
{
	struct buf err = BUF_INIT;
	struct policydb_publish_state s;
	struct domain d;
	char name[64];
	int i, queued = 0;

	policydb_begin(pdb, &err);
	for (i = 0; i < TEST_MANY; i++) {
		snprintf(name, sizeof(name), "s%05d.example", i);
		make_domain(&d, name, DOMAIN_ACTIVE);
		policydb_domain_insert(pdb, &d, &err);
	}
	CHECK(policydb_commit(pdb, &err) == 0, "%d servable domains",
	    TEST_MANY);
	CHECK(policydb_publish_sync(pdb, test_rua, (void *)"a", 500,
	    &err) == 0, "sync");
	for (i = 0; i < TEST_MANY; i++) {
		snprintf(name, sizeof(name), "s%05d.example", i);
		if (policydb_publish_state(pdb, name, &s) == 1 && s.pending &&
		    s.next_try == 500)
			queued++;
		policydb_publish_state_clear(&s);
	}
	CHECK(queued == TEST_MANY, "each is queued (%d)", queued);
	policydb_publish_failed(pdb, "s01500.example", 3, 900, 600, "x", &err);
	CHECK(policydb_publish_sync(pdb, test_rua, (void *)"a", 700,
	    &err) == 0 && policydb_publish_attempts(pdb, "s01500.example") == 3,
	    "an unchanged domain is left alone by the next sync");
	CHECK(policydb_publish_sync(pdb, test_rua, (void *)"b", 800,
	    &err) == 0 && policydb_publish_attempts(pdb, "s01500.example") == 0,
	    "a new rua queues it again");
	CHECK(policydb_publish_state(pdb, "s02344.example", &s) == 1 &&
	    s.next_try == 800, "the last page too");
	policydb_publish_state_clear(&s);
	buf_free(&err);
}

int
main(void)
{
	char dir[] = "/tmp/policydb_test.XXXXXX", path[256];
	struct buf err = BUF_INIT;
	struct policydb *pdb;
	struct domain d;
	struct stat st;

	log_init("policydb_test", 0);
	if (mkdtemp(dir) == NULL)
		return 1;
	snprintf(path, sizeof(path), "%s/%s", dir, POLICYDB_FILE);
	pdb = unit_policydb_open(path, &err);
	CHECK(pdb != NULL && policydb_schema_version(pdb) == 10,
	    "a new policy.db has schema version 10");
	if (pdb == NULL)
		return unit_status();
	if (getenv("STSD_TEST_PGCONNINFO") == NULL)
		CHECK(stat(path, &st) == 0 && (st.st_mode & 077) == 0,
		    "policy.db is mode 0600");
	test_domains(pdb);
	test_names(pdb);
	test_checks(pdb);
	test_migrations(pdb);
	test_publish(pdb);
	test_publish_many(pdb);
	policydb_close(pdb);

	pdb = unit_policydb_open(path, &err);
	CHECK(pdb != NULL && policydb_schema_version(pdb) == 10 &&
	    policydb_domain_get(pdb, "a.example", &d, &err) == 1,
	    "opened again, it keeps its rows at version 10");
	policydb_domain_clear(&d);
	policydb_close(pdb);

	CHECK(policydb_open("/nonexistent/dir/policy.db", &err) == NULL &&
	    strstr(err.s, "/nonexistent/dir/policy.db") != NULL,
	    "an unopenable path is named in the error");
	buf_free(&err);
	return unit_status_rm(dir);
}
