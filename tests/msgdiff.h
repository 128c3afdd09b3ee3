/*
 * msgdiff.h - rptparse's two ways of reading mail, compared: the fast
 * path for the common shape (rptparse/mimefast) and GMime must give the
 * same result for every message (the same error, or the same reports,
 * notes, via and submitter).  Used by rptparse/message_test and by the
 * fuzz target fuzz_rptmsg, which aborts on a difference.
 * SPDX-License-Identifier: ISC
 *
 *	same = msgdiff_same(data, len, &lim, verbose)
 */
#ifndef STS_TESTS_MSGDIFF_H
#define STS_TESTS_MSGDIFF_H

#include <stdio.h>
#include <string.h>

#include "buf.h"
#include "message.h"

static int
msgdiff_strs(const char *a, const char *b)
{
	return (a == NULL && b == NULL) || (a && b && strcmp(a, b) == 0);
}

static int
msgdiff_same(const char *data, size_t len, const struct message_limits *lim0,
    int verbose)
{
	struct message_limits lim = *lim0;
	struct message a, b;
	struct buf ea = BUF_INIT, eb = BUF_INIT;
	int ra, rb, ok;
	size_t i;

	message_init(&a);
	message_init(&b);
	lim.fast = 1;
	ra = message_extract(data, len, &lim, &a, &ea);
	lim.fast = 0;
	rb = message_extract(data, len, &lim, &b, &eb);
	ok = ra == rb && msgdiff_strs(ea.s, eb.s) &&
	    a.nreports == b.nreports && msgdiff_strs(a.via, b.via) &&
	    (ra < 0 || msgdiff_strs(a.submitter, b.submitter));
	for (i = 0; ok && i < a.nreports; i++)
		ok = a.reports[i].len == b.reports[i].len &&
		    memcmp(a.reports[i].json, b.reports[i].json,
		    a.reports[i].len) == 0 &&
		    msgdiff_strs(a.reports[i].note, b.reports[i].note);
	if (!ok && verbose)
		printf("# fast: %d %s %s; GMime: %d %s %s\n", ra,
		    ea.s ? ea.s : "", a.submitter ? a.submitter : "(none)", rb,
		    eb.s ? eb.s : "", b.submitter ? b.submitter : "(none)");
	message_clear(&a);
	message_clear(&b);
	buf_free(&ea);
	buf_free(&eb);
	return ok;
}

#endif
