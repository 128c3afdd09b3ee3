/*
 * fuzz_rptmsg - libFuzzer target for rptparse's message path without
 * the database: MIME (GMime) or the HTTPS form, gunzip, then the report
 * parser (lib/tlsrpt).
 * SPDX-License-Identifier: ISC
 *
 * A refused message must say why; an accepted one must hold at least
 * one report, none larger than the gunzip limit.  Small limits make
 * the fuzzer reach them.  The fast path for the common shape and GMime
 * must agree on every input (tests/msgdiff.h).
 */
#include "config.h"

#include <stdint.h>
#include <stdlib.h>

#include "buf.h"
#include "message.h"
#include "msgdiff.h"
#include "tlsrpt.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

#define FUZZ_GUNZIP_MAX	(256 * 1024)

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct message_limits mlim;
	struct tlsrpt_limits tlim;
	struct tlsrpt_report *r;
	struct message m;
	struct buf err = BUF_INIT;
	size_t i;

	message_limits_default(&mlim);
	mlim.gunzip.size = FUZZ_GUNZIP_MAX;
	tlsrpt_limits_default(&tlim);
	tlim.size = FUZZ_GUNZIP_MAX;
	message_init(&m);
	if (message_extract((const char *)data, size, &mlim, &m, &err) < 0) {
		if (err.len == 0)
			abort();
	} else {
		if (m.nreports == 0 || m.nreports > MESSAGE_REPORTS_MAX)
			abort();
		for (i = 0; i < m.nreports; i++) {
			if (m.reports[i].len > FUZZ_GUNZIP_MAX)
				abort();
			buf_reset(&err);
			if (tlsrpt_parse(m.reports[i].json, m.reports[i].len,
			    &tlim, &r, &err) == 0)
				tlsrpt_free(r);
			else if (err.len == 0)
				abort();
		}
	}
	message_clear(&m);
	buf_free(&err);
	if (!msgdiff_same((const char *)data, size, &mlim, 0))
		abort();
	return 0;
}
