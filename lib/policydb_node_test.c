/*
 * policydb_node_test - policy.db's nodes and leases, as two nodes on
 * two connections see them: a heartbeat keeps the start unless asked
 * and takes the database's clock; a lease is taken when free, renewed
 * by its holder, refused to another node while unexpired (which is
 * told the holder), taken over once expired or released; a node's
 * list names its unexpired leases.  On both engines
 * (STSD_TEST_PGCONNINFO: tests/unit_policydb.h).
 * SPDX-License-Identifier: ISC
 */
#include "config.h"

#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "buf.h"
#include "log.h"
#include "policydb.h"
#include "policydb_node.h"
#include "unit.h"
#include "unit_policydb.h"

#define TEST_LEASE	60	/* s */
#define TEST_SKEW	5	/* s between the test's clock and the server's */

static int
take(struct policydb *pdb, const char *work, const char *node, long long secs,
    struct policydb_lease *l)
{
	struct buf err = BUF_INIT;
	int rc;

	policydb_lease_clear(l);
	if ((rc = policydb_lease_take(pdb, work, node, secs, l, &err)) < 0)
		CHECK(0, "take %s for %s: %s", work, node, err.s);
	buf_free(&err);
	return rc;
}

static void
test_heartbeat(struct policydb *a, struct policydb *b)
{
	struct buf err = BUF_INIT;
	struct policydb_node *v;
	long long now = 0, t = (long long)time(NULL);
	size_t n;

	CHECK(policydb_node_heartbeat(a, "node-a", "1.0", 1, &now, &err) == 0,
	    "a first heartbeat: %s", err.s);
	CHECK(now >= t - TEST_SKEW && now <= t + TEST_SKEW, "in seconds since"
	    " the epoch, by the database's clock (%lld, here %lld)", now, t);
	CHECK(policydb_node_heartbeat(b, "node-b", "1.1", 1, &now, &err) == 0,
	    "another node's: %s", err.s);
	sleep(1);
	CHECK(policydb_node_heartbeat(a, "node-a", "1.2", 0, &now, &err) == 0,
	    "a heartbeat again: %s", err.s);
	CHECK(policydb_node_list(b, &v, &n, &err) == 0 && n == 2, "two nodes"
	    " listed: %s", err.s);
	if (n == 2) {
		CHECK(strcmp(v[0].name, "node-a") == 0 &&
		    strcmp(v[1].name, "node-b") == 0, "by name");
		CHECK(strcmp(v[0].version, "1.2") == 0, "the version of the last"
		    " heartbeat");
		CHECK(v[0].heartbeat > v[0].started, "the start is kept (%lld,"
		    " heartbeat %lld)", v[0].started, v[0].heartbeat);
		CHECK(v[0].now >= v[0].heartbeat && v[0].nleases == 0,
		    "the list has the database's time, no lease yet");
	}
	policydb_nodes_free(v, n);
	buf_free(&err);
}

static void
test_leases(struct policydb *a, struct policydb *b)
{
	struct policydb_lease l = { NULL, NULL, 0, 0 };
	struct buf err = BUF_INIT;
	struct policydb_node *v;
	size_t n;

	CHECK(take(a, "dnsmon", "node-a", TEST_LEASE, &l) == 1 &&
	    strcmp(l.holder, "node-a") == 0 && l.expires == l.now + TEST_LEASE,
	    "a free lease is taken, for its time");
	CHECK(take(b, "dnsmon", "node-b", TEST_LEASE, &l) == 0 &&
	    l.holder != NULL && strcmp(l.holder, "node-a") == 0 &&
	    l.expires > l.now, "never while another node holds it unexpired,"
	    " and the holder is told");
	CHECK(take(a, "dnsmon", "node-a", TEST_LEASE, &l) == 1,
	    "renewed by its holder");
	CHECK(take(b, "acmed", "node-b", TEST_LEASE, &l) == 1,
	    "another work is another lease");
	CHECK(policydb_node_list(a, &v, &n, &err) == 0 && n == 2 &&
	    v[0].nleases == 1 && strcmp(v[0].leases[0], "dnsmon") == 0 &&
	    v[1].nleases == 1 && strcmp(v[1].leases[0], "acmed") == 0,
	    "each node is listed with the leases it holds");
	policydb_nodes_free(v, n);

	/* A lease of 0 s is expired at once: the holder died. */
	CHECK(take(a, "alerts", "node-a", 0, &l) == 1, "a lease of no time");
	CHECK(take(b, "alerts", "node-b", TEST_LEASE, &l) == 1 &&
	    strcmp(l.holder, "node-b") == 0, "an expired lease is taken over");
	CHECK(take(a, "alerts", "node-a", TEST_LEASE, &l) == 0 &&
	    strcmp(l.holder, "node-b") == 0, "and is the new holder's");
	CHECK(policydb_node_list(a, &v, &n, &err) == 0 && n == 2 &&
	    v[0].nleases == 1 && v[1].nleases == 2, "an expired lease is not"
	    " listed as held");
	policydb_nodes_free(v, n);

	CHECK(policydb_lease_release(b, "dnsmon", "node-b", &err) == 0 &&
	    take(b, "dnsmon", "node-b", TEST_LEASE, &l) == 0,
	    "a node releases only its own lease");
	CHECK(policydb_lease_release(a, NULL, "node-a", &err) == 0 &&
	    take(b, "dnsmon", "node-b", TEST_LEASE, &l) == 1,
	    "a released lease is taken at once");
	policydb_lease_clear(&l);
	CHECK(policydb_lease_get(a, "dnsmon", &l, &err) == 1 &&
	    strcmp(l.holder, "node-b") == 0, "read back");
	policydb_lease_clear(&l);
	CHECK(policydb_lease_get(a, "nothing", &l, &err) == 0 &&
	    l.holder == NULL, "a work never leased has no holder");
	CHECK(policydb_lease_take(a, "x", "no-such-node", TEST_LEASE, &l,
	    &err) < 0, "a node without a heartbeat cannot take a lease");
	policydb_lease_clear(&l);
	buf_free(&err);
}

int
main(void)
{
	char dir[] = "/tmp/policydb_node_test.XXXXXX", path[256];
	struct buf err = BUF_INIT;
	struct policydb *a, *b;

	log_init("policydb_node_test", 0);
	if ((a = unit_policydb_tmp(dir, path, sizeof(path))) == NULL)
		return unit_status_rm(dir);
	if ((b = unit_policydb_open(path, &err)) == NULL) {
		CHECK(0, "a second connection: %s", err.s);
		policydb_close(a);
		return unit_status_rm(dir);
	}
	test_heartbeat(a, b);
	test_leases(a, b);
	policydb_close(b);
	policydb_close(a);
	buf_free(&err);
	return unit_status_rm(dir);
}
