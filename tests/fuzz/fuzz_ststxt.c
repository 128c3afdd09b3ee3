/*
 * fuzz_ststxt - libFuzzer target for the TXT record parsers (lib/ststxt).
 * SPDX-License-Identifier: ISC
 *
 * The input is parsed both as an MTA-STS and as a TLS-RPT record.  A
 * record that parses must render to text that parses again to the same
 * rendering; a refused one must come with an error text; the parser
 * never accepts what ststxt_is_sts/ststxt_is_tlsrpt say is not one.
 */
#include "config.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "ststxt.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

static void
fuzz_ststxt_sts(const char *txt, size_t len)
{
	struct buf err = BUF_INIT, out = BUF_INIT, again = BUF_INIT;
	struct ststxt_sts *r, *q;

	if (ststxt_sts_parse(txt, len, &r, &err) != 0) {
		if (r != NULL || err.len == 0)
			abort();
		buf_free(&err);
		return;
	}
	if (!ststxt_is_sts(txt, len))
		abort();
	ststxt_sts_render(r, &out);
	if (ststxt_sts_parse(out.s, out.len, &q, &err) != 0)
		abort();
	ststxt_sts_render(q, &again);
	if (strcmp(out.s, again.s) != 0 || strcmp(r->id, q->id) != 0)
		abort();
	ststxt_sts_free(q);
	ststxt_sts_free(r);
	buf_free(&err);
	buf_free(&out);
	buf_free(&again);
}

static void
fuzz_ststxt_tlsrpt(const char *txt, size_t len)
{
	struct buf err = BUF_INIT, out = BUF_INIT, again = BUF_INIT;
	struct ststxt_tlsrpt *r, *q;

	if (ststxt_tlsrpt_parse(txt, len, &r, &err) != 0) {
		if (r != NULL || err.len == 0)
			abort();
		buf_free(&err);
		return;
	}
	if (!ststxt_is_tlsrpt(txt, len) || r->nrua == 0)
		abort();
	ststxt_tlsrpt_render(r, &out);
	if (ststxt_tlsrpt_parse(out.s, out.len, &q, &err) != 0)
		abort();
	ststxt_tlsrpt_render(q, &again);
	if (strcmp(out.s, again.s) != 0 || q->nrua != r->nrua)
		abort();
	ststxt_tlsrpt_free(q);
	ststxt_tlsrpt_free(r);
	buf_free(&err);
	buf_free(&out);
	buf_free(&again);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	fuzz_ststxt_sts((const char *)data, size);
	fuzz_ststxt_tlsrpt((const char *)data, size);
	return 0;
}
