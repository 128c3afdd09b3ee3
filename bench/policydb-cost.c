/*
 * policydb-cost - what lib/policydb's queries cost in the process, for
 * bench/README's "policydb on lib/sqldb": inserts, reads by name, lists
 * and the servable walk on an SQLite policy.db.
 * SPDX-License-Identifier: ISC
 *
 * SYNOPSIS
 *	bench/policydb-cost [-n domains] [-b batch] [-p conninfo] DIR
 *
 * DESCRIPTION
 *	Creates DIR/policy.db with policydb_open() (an interface that
 *	lib/policydb had before lib/sqldb too, so that the same source
 *	measures both), then: inserts -n domains of two MX patterns each,
 *	-b to a transaction (as stsctl domain import sends them); reads
 *	each by name (policydb_domain_get, as every domain request does);
 *	lists them all (policydb_domain_list); walks the servable ones
 *	(policydb_domain_each_servable, the snapshot for httpd).  Each
 *	phase's user CPU time (getrusage: the disk's fsyncs are system
 *	time and wait, not the layer's) is printed on one line of "name
 *	value" pairs:
 *
 *	domains insert_us get_us list_ns walk_ns
 *
 *	(microseconds per insert and per read, nanoseconds per listed or
 *	walked domain).  With -p (a tree with lib/sqldb), the database is
 *	the PostgreSQL one of conninfo instead (its tables must be empty),
 *	and the times are wall-clock (the server works for the client).
 */
#include "config.h"

#include <sys/resource.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "buf.h"
#include "log.h"
#include "policydb.h"
#if __has_include("sqldb.h")
#include <time.h>

#include "sqldb.h"
#define COST_SQLDB	1
#endif

#define COST_NAME_MAX	64

static char *cost_mx[] = { (char *)"mx1.provider.example",
	(char *)"*.mail.provider.example",
	NULL };

#ifdef COST_SQLDB
static int cost_wall;		/* -p: the wall clock */
#endif

static double
cost_user(void)
{
	struct rusage ru;

#ifdef COST_SQLDB
	if (cost_wall) {
		struct timespec ts;

		clock_gettime(CLOCK_MONOTONIC, &ts);
		return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
	}
#endif
	getrusage(RUSAGE_SELF, &ru);
	return (double)ru.ru_utime.tv_sec + (double)ru.ru_utime.tv_usec / 1e6;
}

static void
cost_domain(struct domain *d, char *name, long i)
{
	memset(d, 0, sizeof(*d));
	snprintf(name, COST_NAME_MAX, "d%07ld.example", i);
	d->name = name;
	d->state = DOMAIN_ACTIVE;
	d->mode = (char *)"enforce";
	d->mx = cost_mx;
	d->nmx = 2;
	d->max_age = 604800;
	d->policy_id = (char *)"20261207000000000001";
	d->token = (char *)"0123456789abcdef0123456789abcdef";
	d->created = d->updated = 1765000000;
}

static void
cost_walk(const struct domain *d, void *arg)
{
	(*(long *)arg) += (long)d->nmx;
}

static void
cost_die(const char *what, const struct buf *err)
{
	fprintf(stderr, "policydb-cost: %s: %s\n", what, err->s ? err->s : "");
	exit(1);
}

int
main(int argc, char **argv)
{
	struct buf err = BUF_INIT;
	struct policydb *pdb;
	struct domain d, got, *v;
	char name[COST_NAME_MAX], *path, *conninfo = NULL;
	double t0, ins, get, list, walk;
	long n = 100000, batch = 1000, i, walked = 0;
	size_t nv;
	int c;

	log_init("policydb-cost", 0);
	while ((c = getopt(argc, argv, "n:b:p:")) != -1)
		switch (c) {
		case 'n': n = atol(optarg); break;
		case 'b': batch = atol(optarg); break;
		case 'p': conninfo = optarg; break;
		default: return 2;
		}
	if (optind != argc - 1 || n < 1 || batch < 1) {
		fprintf(stderr, "usage: policydb-cost [-n domains] [-b batch]"
		    " [-p conninfo] DIR\n");
		return 2;
	}
	if (asprintf(&path, "%s/policy.db", argv[optind]) < 0)
		return 1;
	if (conninfo != NULL) {
#ifdef COST_SQLDB
		struct sqldb_target t = { SQLDB_POSTGRESQL, POLICYDB_FILE,
		    NULL, conninfo, NULL };

		cost_wall = 1;
		pdb = policydb_connect(&t, &err);
#else
		fprintf(stderr, "policydb-cost: -p needs lib/sqldb\n");
		return 2;
#endif
	} else
		pdb = policydb_open(path, &err);
	if (pdb == NULL)
		cost_die("open", &err);

	t0 = cost_user();
	for (i = 0; i < n; i++) {
		if (i % batch == 0 && policydb_begin(pdb, &err) < 0)
			cost_die("begin", &err);
		cost_domain(&d, name, i);
		if (policydb_domain_insert(pdb, &d, &err) < 0)
			cost_die("insert", &err);
		if ((i % batch == batch - 1 || i == n - 1) &&
		    policydb_commit(pdb, &err) < 0)
			cost_die("commit", &err);
	}
	ins = cost_user() - t0;

	t0 = cost_user();
	for (i = 0; i < n; i++) {
		snprintf(name, sizeof(name), "d%07ld.example", (i * 7919) % n);
		if (policydb_domain_get(pdb, name, &got, &err) != 1)
			cost_die("get", &err);
		policydb_domain_clear(&got);
	}
	get = cost_user() - t0;

	t0 = cost_user();
	if (policydb_domain_list(pdb, NULL, 0, &v, &nv, &err) < 0 ||
	    nv != (size_t)n)
		cost_die("list", &err);
	policydb_domains_free(v, nv);
	list = cost_user() - t0;

	t0 = cost_user();
	if (policydb_domain_each_servable(pdb, cost_walk, &walked, &err) < 0 ||
	    walked != 2 * n)
		cost_die("walk", &err);
	walk = cost_user() - t0;

	printf("domains %ld insert_us %.2f get_us %.2f list_ns %.0f"
	    " walk_ns %.0f\n", n, ins * 1e6 / (double)n, get * 1e6 / (double)n,
	    list * 1e9 / (double)n, walk * 1e9 / (double)n);
	policydb_close(pdb);
	free(path);
	buf_free(&err);
	return 0;
}
