/*
 * policydb_account_test - lib/policydb's accounts on a temporary
 * policy.db: rows read back as written, one account per domain, token
 * ids never reused, revocation once, and the audit log read a page at
 * a time by domain, by account and since a time.  On both engines
 * (STSD_TEST_PGCONNINFO: tests/unit_policydb.h).
 * SPDX-License-Identifier: ISC
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "log.h"
#include "mymalloc.h"
#include "policydb.h"
#include "unit.h"
#include "unit_policydb.h"

#define TEST_AUDIT_ROWS	25

static void
make_account(struct policydb_account *a, const char *name)
{
	memset(a, 0, sizeof(*a));
	a->name = (char *)name;
	a->email = (char *)"owner@example.com";
	a->quota = 2;
	a->created = a->updated = 1000;
}

static void
test_accounts(struct policydb *pdb)
{
	struct buf err = BUF_INIT;
	struct policydb_account a, got, *v;
	char *owner, **names;
	size_t n;

	make_account(&a, "acme");
	CHECK(policydb_account_put(pdb, &a, &err) == 0, "insert an account");
	a.password = (char *)"$y$hash";
	a.disabled = 1;
	a.updated = 2000;
	a.created = 5;
	CHECK(policydb_account_put(pdb, &a, &err) == 0, "replace it");
	CHECK(policydb_account_get(pdb, "acme", &got, &err) == 1 &&
	    strcmp(got.password, "$y$hash") == 0 && got.disabled &&
	    got.created == 1000 && got.updated == 2000 && got.ndomains == 0,
	    "read back: password, disabled, created kept");
	policydb_account_clear(&got);
	CHECK(policydb_account_get(pdb, "nobody", &got, &err) == 0,
	    "an unknown name is not found");
	make_account(&a, "beta");
	a.quota = 2000000;
	CHECK(policydb_account_put(pdb, &a, &err) < 0 &&
	    strstr(err.s, "store account") != NULL,
	    "a quota beyond 1000000 is refused by the schema: %s", err.s);
	buf_reset(&err);
	a.quota = 1;
	CHECK(policydb_account_put(pdb, &a, &err) == 0, "another account");

	CHECK(policydb_domain_assign(pdb, "a.example", "acme", 10, &err) == 0 &&
	    policydb_domain_assign(pdb, "b.example", "acme", 10, &err) == 0,
	    "two domains given to acme");
	CHECK(policydb_domain_assign(pdb, "a.example", "beta", 10, &err) < 0,
	    "a domain cannot be given to a second account");
	buf_reset(&err);
	CHECK(policydb_domain_owner(pdb, "a.example", &owner, &err) == 1 &&
	    strcmp(owner, "acme") == 0, "the owner of a.example is acme");
	free(owner);
	CHECK(policydb_domain_owner(pdb, "c.example", &owner, &err) == 0 &&
	    owner == NULL, "c.example is the operator's");
	CHECK(policydb_account_domains(pdb, "acme", &names, &n, &err) == 0 &&
	    n == 2 && strcmp(names[0], "a.example") == 0, "acme's domains");
	xfreev(names, n);
	CHECK(policydb_account_list(pdb, NULL, 0, &v, &n, &err) == 0 && n == 2 &&
	    strcmp(v[0].name, "acme") == 0 && v[0].ndomains == 2 &&
	    v[1].ndomains == 0, "list: by name, with the count of domains");
	policydb_accounts_free(v, n);
	CHECK(policydb_account_list(pdb, "acme", 1, &v, &n, &err) == 0 &&
	    n == 1 && strcmp(v[0].name, "beta") == 0, "list after a name");
	policydb_accounts_free(v, n);
	CHECK(policydb_domain_assign(pdb, "b.example", NULL, 0, &err) == 0 &&
	    policydb_domain_owner(pdb, "b.example", &owner, &err) == 0,
	    "a released domain is the operator's again");
	buf_free(&err);
}

static void
test_tokens(struct policydb *pdb)
{
	struct buf err = BUF_INIT;
	struct policydb_token t, got, *v;
	long long first;
	size_t n;

	memset(&t, 0, sizeof(t));
	t.account = (char *)"acme";
	t.hash = (char *)"h1";
	t.read_only = 1;
	t.created = 100;
	CHECK(policydb_token_insert(pdb, &t, &err) == 0 && t.id > 0,
	    "a token stored, its id %lld", t.id);
	first = t.id;
	CHECK(policydb_token_insert(pdb, &t, &err) < 0, "a hash is unique");
	buf_reset(&err);
	t.hash = (char *)"h2";
	t.read_only = 0;
	CHECK(policydb_token_insert(pdb, &t, &err) == 0 && t.id > first,
	    "a second token, a greater id");
	CHECK(policydb_token_find(pdb, "h1", &got, &err) == 1 &&
	    got.id == first && got.read_only && strcmp(got.account, "acme") == 0
	    && got.revoked == 0 && got.last_used == 0,
	    "found by its hash, read-only");
	policydb_token_clear(&got);
	CHECK(policydb_token_find(pdb, "nope", &got, &err) == 0,
	    "an unknown hash is not found");
	CHECK(policydb_token_used(pdb, first, 150, &err) == 1,
	    "last use recorded");
	CHECK(policydb_token_revoke(pdb, first, 200, &err) == 1 &&
	    policydb_token_revoke(pdb, first, 300, &err) == 0,
	    "revoked once; a second revocation changes nothing");
	CHECK(policydb_token_count(pdb, "acme", 1) == 1 &&
	    policydb_token_count(pdb, "acme", 0) == 2, "1 live of 2");
	CHECK(policydb_token_list(pdb, "acme", &v, &n, &err) == 0 && n == 2 &&
	    v[0].revoked == 200 && v[0].last_used == 150 && v[1].revoked == 0,
	    "listed by id with their times");
	policydb_tokens_free(v, n);
	CHECK(policydb_token_prune(pdb, "acme", &err) == 0 &&
	    policydb_token_count(pdb, "acme", 0) == 1, "revoked ones pruned");
	t.hash = (char *)"h3";
	CHECK(policydb_token_insert(pdb, &t, &err) == 0 && t.id > first + 1,
	    "ids are not reused after a prune");
	CHECK(policydb_account_delete(pdb, "acme", &err) == 0 &&
	    policydb_token_count(pdb, "acme", 0) == 0 &&
	    policydb_domain_owner(pdb, "a.example", &t.account, &err) == 0,
	    "deleting an account deletes its tokens and domains");
	buf_free(&err);
}

static void
test_audit(struct policydb *pdb)
{
	struct policydb_audit_filter f;
	struct policydb_audit e, *v;
	struct buf err = BUF_INIT;
	size_t n, total = 0;
	int i, more, ok = 1, pages = 0;

	memset(&e, 0, sizeof(e));
	e.origin = (char *)"local";
	e.details = (char *)"{}";
	for (i = 0; i < TEST_AUDIT_ROWS; i++) {
		e.time = 1000 + i;
		e.actor = (char *)(i % 2 ? "operator" : "acme");
		e.action = (char *)"domain-set";
		e.domain = (char *)(i % 5 == 0 ? "a.example" : NULL);
		e.account = (char *)(i % 2 ? NULL : "acme");
		ok &= policydb_audit_add(pdb, &e, &err) == 0;
	}
	CHECK(ok, "%d audit rows stored", TEST_AUDIT_ROWS);
	memset(&f, 0, sizeof(f));
	do {
		CHECK(policydb_audit_list(pdb, &f, 10, &v, &n, &more, &err) == 0,
		    "page %d", pages + 1);
		total += n;
		pages++;
		if (n > 0)
			f.after = v[n - 1].id;
		policydb_audits_free(v, n);
	} while (more && pages < 10);
	CHECK(total == TEST_AUDIT_ROWS && pages == 3,
	    "all rows in 3 pages of 10 (%zu in %d)", total, pages);
	memset(&f, 0, sizeof(f));
	f.domain = "a.example";
	CHECK(policydb_audit_list(pdb, &f, 100, &v, &n, &more, &err) == 0 &&
	    n == 5 && !more && strcmp(v[0].domain, "a.example") == 0 &&
	    v[0].time == 1000, "by domain: 5 rows, in order");
	policydb_audits_free(v, n);
	f.account = "acme";
	CHECK(policydb_audit_list(pdb, &f, 100, &v, &n, &more, &err) == 0 &&
	    n == 3, "by domain and account: 3 rows (%zu)", n);
	policydb_audits_free(v, n);
	f.domain = NULL;
	f.since = 1020;
	CHECK(policydb_audit_list(pdb, &f, 2, &v, &n, &more, &err) == 0 &&
	    n == 2 && more && v[0].time == 1020 && v[1].time == 1022,
	    "by account since a time, 2 of 3 and more");
	policydb_audits_free(v, n);
	buf_free(&err);
}

int
main(void)
{
	char dir[] = "/tmp/policydb_account_test.XXXXXX", path[256];
	struct policydb *pdb;

	log_init("policydb_account_test", 0);
	if ((pdb = unit_policydb_tmp(dir, path, sizeof(path))) == NULL)
		return unit_status_rm(dir);
	test_accounts(pdb);
	test_tokens(pdb);
	test_audit(pdb);
	policydb_close(pdb);
	return unit_status_rm(dir);
}
