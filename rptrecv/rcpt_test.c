/*
 * rcpt_test - unit test of rcpt: report_recipients patterns.
 * SPDX-License-Identifier: ISC
 */
#include "config.h"

#include <stdio.h>

#include "rcpt.h"
#include "unit.h"

static void
t(char *const *pats, const char *addr, int want)
{
	int got = rcpt_match(pats, addr);

	CHECK(got == want, "%s %s", addr, want ? "matches" : "does not match");
}

int
main(void)
{
	char *pats[] = { "tlsrpt@sts.example", "reports+*@sts.example", NULL };
	char *none[] = { NULL };
	char *bad[] = { "+*@sts.example", "nodomain", "x@", NULL };

	t(pats, "tlsrpt@sts.example", 1);
	t(pats, "TLSRPT@STS.Example", 1);
	t(pats, "tlsrpt+x@sts.example", 0);
	t(pats, "tlsrpt@other.example", 0);
	t(pats, "tlsrpt@sts.example.org", 0);
	t(pats, "xtlsrpt@sts.example", 0);
	t(pats, "reports@sts.example", 1);
	t(pats, "reports+@sts.example", 1);
	t(pats, "reports+example.com@sts.example", 1);
	t(pats, "Reports+Example.COM@sts.EXAMPLE", 1);
	t(pats, "reportsx@sts.example", 0);
	t(pats, "report@sts.example", 0);
	t(pats, "\"tlsrpt\"@sts.example", 0);
	t(pats, "Postmaster", 0);
	t(none, "tlsrpt@sts.example", 0);
	t(bad, "+x@sts.example", 0);
	t(bad, "nodomain", 0);
	return unit_status();
}
