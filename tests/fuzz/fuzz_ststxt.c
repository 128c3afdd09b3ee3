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
 * Parses txt as one kind of record: -1 when refused (nothing allocated),
 * 0 with its rendering in out and in key what a parse of that rendering
 * must keep.
 */
typedef int (*reparse_fn)(const char *txt, size_t len, struct buf *out,
    struct buf *key, struct buf *err);

static int
fuzz_ststxt_sts(const char *txt, size_t len, struct buf *out,
    struct buf *key, struct buf *err)
{
	struct ststxt_sts *r;

	if (ststxt_sts_parse(txt, len, &r, err) != 0) {
		if (r != NULL)
			abort();
		return -1;
	}
	ststxt_sts_render(r, out);
	buf_printf(key, "id %s", r->id);
	ststxt_sts_free(r);
	return 0;
}

static int
fuzz_ststxt_tlsrpt(const char *txt, size_t len, struct buf *out,
    struct buf *key, struct buf *err)
{
	struct ststxt_tlsrpt *r;

	if (ststxt_tlsrpt_parse(txt, len, &r, err) != 0) {
		if (r != NULL)
			abort();
		return -1;
	}
	if (r->nrua == 0)
		abort();
	ststxt_tlsrpt_render(r, out);
	buf_printf(key, "%zu rua", r->nrua);
	ststxt_tlsrpt_free(r);
	return 0;
}

/* The checks of the header, for one kind of record. */
static void
fuzz_ststxt_kind(const char *txt, size_t len, reparse_fn reparse,
    int (*is_kind)(const char *, size_t))
{
	struct buf err = BUF_INIT, out = BUF_INIT, again = BUF_INIT;
	struct buf key = BUF_INIT, key2 = BUF_INIT;

	if (reparse(txt, len, &out, &key, &err) != 0) {
		if (err.len == 0)
			abort();
	} else if (!is_kind(txt, len) ||
	    reparse(out.s, out.len, &again, &key2, &err) != 0 ||
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
	fuzz_ststxt_kind((const char *)data, size, fuzz_ststxt_sts,
	    ststxt_is_sts);
	fuzz_ststxt_kind((const char *)data, size, fuzz_ststxt_tlsrpt,
	    ststxt_is_tlsrpt);
	return 0;
}
