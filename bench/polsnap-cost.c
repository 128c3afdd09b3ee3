/*
 * polsnap-cost - what a policy change costs in the snapshot file
 * (lib/polsnap), against rewriting the whole table, for bench/polsnap.
 * SPDX-License-Identifier: ISC
 *
 * SYNOPSIS
 *	bench/polsnap-cost -d DIR [-n domains] [-c changes] [-t texts]
 *
 * DESCRIPTION
 *	Writes a base of -n domains (names dNNNNNNN.example, -t distinct
 *	policy texts shared round robin, as hosted domains of a few mail
 *	providers have) in DIR, as policyd's compaction does: that is the
 *	cost of a whole-table rewrite.  Then appends -c changes, each a new
 *	id and policy for a random domain followed by polsnap_sync() (one
 *	fdatasync, as policyd does per request), timing each.  Then loads
 *	base and journal as httpd does at start.  Prints one line of
 *	"name value" pairs:
 *
 *	domains base_bytes rewrite_ms change_us_median change_us_p99
 *	change_bytes changes_per_compaction amortized_us load_ms
 *
 *	amortized_us is a change plus its share of the compaction that
 *	its journal bytes make due (POLSNAP_JOURNAL_RATIO,
 *	POLSNAP_JOURNAL_MIN).
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "buf.h"
#include "deadline.h"
#include "mymalloc.h"
#include "polsnap.h"

#define COST_TEXT_MAX	256

static int
cost_cmp(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

static void
cost_text(char *out, size_t size, long k, const char *mode)
{
	snprintf(out, size, "version: STSv1\r\nmode: %s\r\nmx: mx1.provider%ld"
	    ".example\r\nmx: *.mail.provider%ld.example\r\nmax_age: 604800\r\n",
	    mode, k, k);
}

static int
cost_put(void *arg, const char *domain, const char *id, const char *text,
    size_t len)
{
	(*(long *)arg)++;
	return 0;
}

static void
cost_del(void *arg, const char *domain)
{
}

int
main(int argc, char **argv)
{
	long n = 100000, changes = 2000, texts = 20, i, loaded = 0;
	const char *dir = NULL;
	char base[512], journal[512], name[64], id[40], text[COST_TEXT_MAX];
	struct polsnap_writer *w;
	struct polsnap_sink sink = { NULL, cost_put, cost_del, &loaded };
	struct polsnap_stats st;
	struct buf err = BUF_INIT;
	unsigned long long bbytes, jbytes, j0, limit;
	struct timespec t0;
	double rewrite, *lat, load, per_change_bytes, amort;
	int c;

	while ((c = getopt(argc, argv, "d:n:c:t:")) != -1) {
		switch (c) {
		case 'd': dir = optarg; break;
		case 'n': n = atol(optarg); break;
		case 'c': changes = atol(optarg); break;
		case 't': texts = atol(optarg); break;
		default: dir = NULL; break;
		}
	}
	if (dir == NULL || n < 1 || changes < 1 || texts < 1) {
		fprintf(stderr, "usage: polsnap-cost -d DIR [-n domains] [-c "
		    "changes] [-t texts]\n");
		return 2;
	}
	snprintf(base, sizeof(base), "%s/policies", dir);
	snprintf(journal, sizeof(journal), "%s/policies.journal", dir);
	w = polsnap_writer_new(base, journal);

	clock_gettime(CLOCK_MONOTONIC, &t0);
	if (polsnap_compact_begin(w, &err) < 0)
		goto fail;
	for (i = 0; i < n; i++) {
		snprintf(name, sizeof(name), "d%07ld.example", i);
		cost_text(text, sizeof(text), i % texts, "enforce");
		polsnap_compact_put(w, name, "20261207010000000000", text,
		    strlen(text));
	}
	if (polsnap_compact_end(w, &err) < 0)
		goto fail;
	rewrite = deadline_since(&t0);
	polsnap_writer_sizes(w, &bbytes, &j0);

	lat = xcalloc((size_t)changes, sizeof(*lat));
	srandom(1);
	for (i = 0; i < changes; i++) {
		snprintf(name, sizeof(name), "d%07ld.example", random() % n);
		snprintf(id, sizeof(id), "2026120702%010ld", i);
		cost_text(text, sizeof(text), random() % texts, "testing");
		clock_gettime(CLOCK_MONOTONIC, &t0);
		if (polsnap_append_put(w, name, id, text, strlen(text),
		    &err) < 0 || polsnap_sync(w, &err) < 0)
			goto fail;
		lat[i] = deadline_since(&t0);
	}
	polsnap_writer_sizes(w, &bbytes, &jbytes);
	qsort(lat, (size_t)changes, sizeof(*lat), cost_cmp);
	per_change_bytes = (double)(jbytes - j0) / (double)changes;
	limit = bbytes / POLSNAP_JOURNAL_RATIO;
	if (limit < POLSNAP_JOURNAL_MIN)
		limit = POLSNAP_JOURNAL_MIN;
	amort = lat[changes / 2] + rewrite * per_change_bytes / (double)limit;

	clock_gettime(CLOCK_MONOTONIC, &t0);
	if (polsnap_load(base, journal, &sink, &st, &err) < 0)
		goto fail;
	load = deadline_since(&t0);

	printf("domains %ld base_bytes %llu rewrite_ms %.1f change_us_median"
	    " %.0f change_us_p99 %.0f change_bytes %.0f"
	    " changes_per_compaction %.0f amortized_us %.0f load_ms %.1f\n",
	    n, bbytes, rewrite * 1e3, lat[changes / 2] * 1e6,
	    lat[changes * 99 / 100] * 1e6, per_change_bytes,
	    (double)limit / per_change_bytes, amort * 1e6, load * 1e3);
	free(lat);
	polsnap_writer_free(w);
	unlink(base);
	unlink(journal);
	buf_free(&err);
	return 0;
fail:
	fprintf(stderr, "polsnap-cost: %s\n", err.s);
	return 1;
}
