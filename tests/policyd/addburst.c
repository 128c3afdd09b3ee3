/*
 * addburst - a test client: domain-add requests one at a time over one
 * connection to policyd, each acknowledged domain printed at once.
 * SPDX-License-Identifier: ISC
 *
 * SYNOPSIS
 *	addburst SOCKET COUNT SUFFIX MX
 *
 * DESCRIPTION
 *	Connects to policyd's socket SOCKET (lib/policyc) and sends COUNT
 *	"domain-add" requests for d1.SUFFIX, d2.SUFFIX, ..., each with the
 *	one mx pattern MX, each after the reply to the one before, as
 *	"stsctl domain add" does.  Prints the name of each domain that
 *	policyd said it added, flushed before the next request: the list
 *	of what a client was told, for tests/policyd/crash.t, which kills
 *	policyd in the middle.
 *
 * LIMITS
 *	ADDBURST_TIMEOUT_MS per request; COUNT at most ADDBURST_MAX.
 *
 * DIAGNOSTICS
 *	Exit 0 when every domain was added; 1 with the domain and the
 *	reason on stderr at the first refused or unanswered request; 2 on
 *	bad usage.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>

#include "buf.h"
#include "log.h"
#include "policyc.h"

#define ADDBURST_TIMEOUT_MS	10000
#define ADDBURST_MAX		1000000L

int
main(int argc, char **argv)
{
	struct buf err = BUF_INIT, name = BUF_INIT;
	struct policyc c;
	long count, i;
	char *end;
	int rc = 0;

	log_init("addburst", LOG_TO_STDERR);
	if (argc != 5 || (count = strtol(argv[2], &end, 10)) < 1 ||
	    *end != '\0' || count > ADDBURST_MAX) {
		fprintf(stderr, "usage: addburst SOCKET COUNT SUFFIX MX"
		    " (COUNT 1 to %ld)\n", ADDBURST_MAX);
		return 2;
	}
	if (policyc_open(&c, argv[1], ADDBURST_TIMEOUT_MS, &err) < 0) {
		fprintf(stderr, "addburst: %s\n", err.s);
		return 1;
	}
	for (i = 1; i <= count; i++) {
		buf_reset(&name);
		buf_printf(&name, "d%ld.%s", i, argv[3]);
		if (policyc_domain_add(policyc_call, &c, name.s, argv[4],
		    &err) < 0) {
			fprintf(stderr, "addburst: %s: %s\n", name.s, err.s);
			rc = 1;
			break;
		}
		printf("%s\n", name.s);
		fflush(stdout);
	}
	policyc_close(&c);
	buf_free(&err);
	buf_free(&name);
	return rc;
}
