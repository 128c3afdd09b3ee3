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

/*
 * Parses txt as an MTA-STS record (sts) or a TLS-RPT one: -1 when
 * refused (nothing allocated), 0 with its rendering in out and in key
 * what a parse of that rendering must keep.
 */
static int
fuzz_ststxt_reparse(int sts, const char *txt, size_t len, struct buf *out,
    struct buf *key, struct buf *err)
{
	struct ststxt_sts *s;
	struct ststxt_tlsrpt *t;

	if (sts ? ststxt_sts_parse(txt, len, &s, err) :
	    ststxt_tlsrpt_parse(txt, len, &t, err)) {
		if (sts ? s != NULL : t != NULL)
			abort();
		return -1;
	}
	if (sts) {
		ststxt_sts_render(s, out);
		buf_printf(key, "id %s", s->id);
		ststxt_sts_free(s);
	} else {
		if (t->nrua == 0)
			abort();
		ststxt_tlsrpt_render(t, out);
		buf_printf(key, "%zu rua", t->nrua);
		ststxt_tlsrpt_free(t);
	}
	return 0;
}

/* The checks of the header, for one kind of record. */
static void
fuzz_ststxt_kind(int sts, const char *txt, size_t len)
{
	struct buf err = BUF_INIT, out = BUF_INIT, again = BUF_INIT;
	struct buf key = BUF_INIT, key2 = BUF_INIT;

	if (fuzz_ststxt_reparse(sts, txt, len, &out, &key, &err) != 0) {
		if (err.len == 0)
			abort();
	} else if (!(sts ? ststxt_is_sts(txt, len) :
	    ststxt_is_tlsrpt(txt, len)) ||
	    fuzz_ststxt_reparse(sts, out.s, out.len, &again, &key2,
	    &err) != 0 ||
	    strcmp(out.s, again.s) != 0 || strcmp(key.s, key2.s) != 0) {
		abort();
	}
	buf_free(&err);
	buf_free(&out);
	buf_free(&again);
	buf_free(&key);
	buf_free(&key2);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	fuzz_ststxt_kind(1, (const char *)data, size);
	fuzz_ststxt_kind(0, (const char *)data, size);
	return 0;
}
