/*
 * policytab-cost - what httpd's policy table (httpd/policytab.c) costs:
 * a snapshot load, lookups and memory, for bench/policytab.
 * SPDX-License-Identifier: ISC
 *
 * SYNOPSIS
 *	bench/policytab-cost [-n hosts] [-g lookups]
 *
 * DESCRIPTION
 *	Loads a snapshot of -n policy hosts (mta-sts.dNNNNNNN.example, a
 *	policy of 120 bytes each) as httpd does from policyd's stream
 *	(policytab_snapshot_begin(), a put per host, policytab_snapshot_end()),
 *	then looks up -g hosts, a known one in turn with an unknown one,
 *	in a pseudo-random order, as requests name them; then loads the
 *	same snapshot again (every put replaces an entry).  Prints one
 *	line of "name value" pairs:
 *
 *	hosts load_ms reload_ms get_ns rss_kib
 *
 *	rss_kib is the growth of the process's maximum resident set over
 *	the run (getrusage), the table's memory with the allocator's.
 */
#include "config.h"

#include <sys/resource.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "deadline.h"
#include "policytab.h"

#define COST_POLICY \
	"version: STSv1\r\nmode: enforce\r\nmx: mx1.provider.example\r\n" \
	"mx: *.mail.provider.example\r\nmax_age: 604800\r\n........\r\n"
#define COST_HOST_MAX	64

static long
cost_rss_kib(void)
{
	struct rusage ru;

	getrusage(RUSAGE_SELF, &ru);
	return ru.ru_maxrss;
}

static double
cost_load(struct policytab *t, long n)
{
	char host[COST_HOST_MAX];
	struct timespec t0;
	long i;

	clock_gettime(CLOCK_MONOTONIC, &t0);
	policytab_snapshot_begin(t);
	for (i = 0; i < n; i++) {
		snprintf(host, sizeof(host), "mta-sts.d%07ld.example", i);
		if (policytab_put(t, host, host + 8, "20261207010000000000",
		    COST_POLICY, sizeof(COST_POLICY) - 1) < 0) {
			fprintf(stderr, "policytab-cost: %s refused\n", host);
			exit(1);
		}
	}
	policytab_snapshot_end(t);
	return deadline_since(&t0);
}

int
main(int argc, char **argv)
{
	long n = 1000000, gets = 4000000, i, found = 0, rss0;
	char host[COST_HOST_MAX];
	struct policytab *t;
	struct timespec t0;
	double load, reload, get;
	unsigned long r = 1;
	int c;

	while ((c = getopt(argc, argv, "n:g:")) != -1) {
		switch (c) {
		case 'n': n = atol(optarg); break;
		case 'g': gets = atol(optarg); break;
		default: n = 0; break;
		}
	}
	if (n < 1 || n > 9999999 || gets < 1) {
		fprintf(stderr, "usage: policytab-cost [-n hosts (1 to 9999999)]"
		    " [-g lookups]\n");
		return 2;
	}
	rss0 = cost_rss_kib();
	t = policytab_new();
	load = cost_load(t, n);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	for (i = 0; i < gets; i++) {
		r = r * 6364136223846793005UL + 1442695040888963407UL;
		snprintf(host, sizeof(host), "mta-sts.d%07lu.%s",
		    (unsigned long)((r >> 33) % (unsigned long)n),
		    i % 2 ? "example" : "invalid");
		found += policytab_get(t, host) != NULL;
	}
	get = deadline_since(&t0);
	reload = cost_load(t, n);
	if (found != gets / 2 || policytab_count(t) != (size_t)n) {
		fprintf(stderr, "policytab-cost: %ld found of %ld, %zu hosts\n",
		    found, gets / 2, policytab_count(t));
		return 1;
	}
	printf("hosts %ld load_ms %.0f reload_ms %.0f get_ns %.0f rss_kib"
	    " %ld\n", n, load * 1e3, reload * 1e3, get * 1e9 / (double)gets,
	    cost_rss_kib() - rss0);
	policytab_free(t);
	return 0;
}
