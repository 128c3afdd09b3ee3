/*
 * policytab_test - unit test of httpd's policy table (httpd/policytab.c).
 * SPDX-License-Identifier: ISC
 *
 * Checks put/get/del, host normalization, prebuilt header fields,
 * snapshot replacement, and that 100,000 hosts are stored and found.
 */
#include "config.h"

#include <stdio.h>
#include <string.h>
#include <time.h>

#include "policytab.h"
#include "unit.h"

#define POLICY	"version: STSv1\r\nmode: testing\r\nmx: mx.example.com\r\nmax_age: 86400\r\n"

int
main(void)
{
	struct policytab *t = policytab_new();
	const struct policy_entry *e;
	char host[64];
	struct timespec a, b;
	int i, missing = 0;
	double ms;

	CHECK(policytab_put(t, "MTA-STS.Example.com.", "example.com", "1",
	    POLICY, strlen(POLICY)) == 0, "put a policy");
	e = policytab_get(t, "mta-sts.example.com");
	CHECK(e != NULL && strcmp(e->domain, "example.com") == 0 &&
	    e->body_len == strlen(POLICY) &&
	    memcmp(e->body, POLICY, e->body_len) == 0,
	    "found by its normalized host, exact bytes");
	snprintf(host, sizeof(host), "Content-Length: %zu\r\n", strlen(POLICY));
	CHECK(e != NULL && strstr(e->head, "Content-Type: text/plain\r\n") &&
	    strstr(e->head, host) &&
	    e->head_len == strlen(e->head), "prebuilt type and length fields");
	CHECK(policytab_get(t, "mta-sts.example.org") == NULL, "unknown host: NULL");
	CHECK(policytab_put(t, "../x", "x", "1", "a", 1) == -1,
	    "host that is not a DNS name refused");
	CHECK(policytab_put(t, "mta-sts.example.com", "example.com", "2",
	    "new", 3) == 0 && policytab_count(t) == 1 &&
	    strcmp(policytab_get(t, "mta-sts.example.com")->id, "2") == 0,
	    "put again replaces");

	policytab_put(t, "mta-sts.b.example", "b.example", "1", "b", 1);
	policytab_snapshot_begin(t);
	policytab_put(t, "mta-sts.c.example", "c.example", "1", "c", 1);
	CHECK(policytab_get(t, "mta-sts.example.com") != NULL,
	    "during a snapshot the old set is still served");
	policytab_put(t, "mta-sts.b.example", "b.example", "1", "b", 1);
	CHECK(policytab_snapshot_end(t) == 1 && policytab_count(t) == 2 &&
	    policytab_get(t, "mta-sts.example.com") == NULL &&
	    policytab_get(t, "mta-sts.b.example") != NULL,
	    "snapshot end drops what the snapshot did not carry");
	CHECK(policytab_del(t, "mta-sts.c.example") == 1 &&
	    policytab_get(t, "mta-sts.c.example") == NULL &&
	    policytab_del(t, "mta-sts.c.example") == 0, "withdraw");

	for (i = 0; i < 100000; i++) {
		snprintf(host, sizeof(host), "mta-sts.d%d.example", i);
		policytab_put(t, host, host + 8, "20261123000000", POLICY,
		    strlen(POLICY));
	}
	clock_gettime(CLOCK_MONOTONIC, &a);
	for (i = 0; i < 100000; i++) {
		snprintf(host, sizeof(host), "mta-sts.d%d.example", i);
		if (policytab_get(t, host) == NULL)
			missing++;
	}
	clock_gettime(CLOCK_MONOTONIC, &b);
	ms = (b.tv_sec - a.tv_sec) * 1e3 + (b.tv_nsec - a.tv_nsec) / 1e6;
	printf("# 100000 lookups in %.1f ms\n", ms);
	CHECK(missing == 0 && policytab_count(t) == 100001,
	    "100,000 hosts stored and found");
	policytab_free(t);
	return unit_status();
}
