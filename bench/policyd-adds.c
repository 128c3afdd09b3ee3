/*
 * policyd-adds - domain adds one at a time over one connection to
 * policyd, the way stsctl sends them: the rate of bench/million.
 * SPDX-License-Identifier: ISC
 *
 * SYNOPSIS
 *	bench/policyd-adds SOCKET FIRST COUNT SUFFIX MX
 *
 * DESCRIPTION
 *	Connects to policyd's public socket SOCKET (lib/policyc) and sends
 *	COUNT "domain-add" requests for dFIRST.SUFFIX, d(FIRST+1).SUFFIX,
 *	..., each with the one mx pattern MX, one at a time: each waits for
 *	its reply, as "stsctl domain add" does, so that the rate is that of
 *	policyd's whole request (the commit, the snapshot journal, the push
 *	to httpd) and not of a pipeline.  Prints "COUNT SECONDS RATE" on
 *	one line.
 *
 * LIMITS
 *	POLICYD_ADDS_TIMEOUT_MS per request; COUNT at most
 *	POLICYD_ADDS_MAX.
 *
 * DIAGNOSTICS
 *	Exit 0 when every domain was added; 1 with the first refused
 *	request's domain and policyd's reason on stderr; 2 on bad usage.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "buf.h"
#include "deadline.h"
#include "log.h"
#include "policyc.h"

#define POLICYD_ADDS_TIMEOUT_MS	30000	/* per request */
#define POLICYD_ADDS_MAX	100000000L

static long
policyd_adds_arg(const char *s, const char *what)
{
	char *end;
	long v = strtol(s, &end, 10);

	if (*s == '\0' || *end != '\0' || v < 0 || v > POLICYD_ADDS_MAX) {
		fprintf(stderr, "policyd-adds: %s: not a number from 0 to %ld\n",
		    what, POLICYD_ADDS_MAX);
		exit(2);
	}
	return v;
}

int
main(int argc, char **argv)
{
	struct buf err = BUF_INIT, name = BUF_INIT;
	struct policyc c;
	long first, count, i;
	struct timespec t0;
	double secs;

	log_init("policyd-adds", LOG_TO_STDERR);
	if (argc != 6) {
		fprintf(stderr, "usage: policyd-adds SOCKET FIRST COUNT SUFFIX"
		    " MX\n");
		return 2;
	}
	first = policyd_adds_arg(argv[2], "FIRST");
	count = policyd_adds_arg(argv[3], "COUNT");
	if (policyc_open(&c, argv[1], POLICYD_ADDS_TIMEOUT_MS, &err) < 0) {
		fprintf(stderr, "policyd-adds: %s\n", err.s);
		return 1;
	}
	clock_gettime(CLOCK_MONOTONIC, &t0);
	for (i = first; i < first + count; i++) {
		buf_reset(&name);
		buf_printf(&name, "d%ld.%s", i, argv[4]);
		if (policyc_domain_add(policyc_call, &c, name.s, argv[5],
		    &err) < 0) {
			fprintf(stderr, "policyd-adds: %s: %s\n", name.s, err.s);
			return 1;
		}
	}
	secs = deadline_since(&t0);
	printf("%ld %.3f %.0f\n", count, secs, secs > 0 ? count / secs : 0);
	policyc_close(&c);
	buf_free(&err);
	buf_free(&name);
	return 0;
}
