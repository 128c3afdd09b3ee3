/*
 * fuzz_dkim - libFuzzer target for rptparse's DKIM verification
 * (rptparse/dkimcheck.c: its From: count and libopendkim's parsing of
 * messages and DKIM-Signature fields), with keys from a table instead
 * of DNS: k1._domainkey.* is a real RSA key (the seeds in
 * tests/fuzz/corpus/dkim are signed with it), t1.* fails for now, any
 * other name has no key.
 * SPDX-License-Identifier: ISC
 *
 * Every outcome must be one of the four results with a printable
 * one-line reason; a pass must name an aligned d= and give no reason;
 * "none" names no signature.
 */
#include "config.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "dkimcheck.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

#define FUZZ_KEY "v=DKIM1; k=rsa; p=" \
	"MIGfMA0GCSqGSIb3DQEBAQUAA4GNADCBiQKBgQDL0WiiiCb3vLqg3fJzSrCX" \
	"ZZARrZYoSSjezAB/gGgEe9wP2CfvozyjheJzGx/jwGnxE8C5wnRZeYUzVS1x" \
	"cn15mEu0nZI6nri6FkpwP1clmz2B228mq3BwPUi6CNqt3LZTCB9vcQdoPszz" \
	"BGq0RSRbEMYw4PRG6kPJG8IWVGIbUQIDAQAB"
#define FUZZ_FROM "reports@mail.sender.example"

static enum dkimcheck_key
fuzz_lookup(void *ctx, const char *qname, struct buf *txt, time_t *ttl)
{
	(void)ctx;
	*ttl = 60;
	if (strncmp(qname, "k1._domainkey.", 14) == 0) {
		buf_puts(txt, FUZZ_KEY);
		return DKIMCHECK_KEY_FOUND;
	}
	if (strncmp(qname, "t1.", 3) == 0) {
		buf_puts(txt, "timed out");
		return DKIMCHECK_KEY_TEMP;
	}
	return DKIMCHECK_KEY_NONE;
}

static int
fuzz_printable(const char *s)
{
	for (; *s != '\0'; s++)
		if (*s < 0x20 || *s > 0x7e)
			return 0;
	return 1;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct dkimcheck *dc;
	struct dkimcheck_conf conf = { 1000, 0 };
	struct dkimcheck_outcome o;
	struct buf err = BUF_INIT;

	if (dc == NULL) {
		if ((dc = dkimcheck_new(&conf, &err)) == NULL)
			abort();
		dkimcheck_set_lookup(dc, fuzz_lookup, NULL);
	}
	dkimcheck_verify(dc, (const char *)data, size, FUZZ_FROM, &o);
	if (!fuzz_printable(o.reason) || !fuzz_printable(o.domain) ||
	    !fuzz_printable(o.selector))
		abort();
	switch (o.result) {
	case DKIMCHECK_PASS:
		if (o.reason[0] != '\0' ||
		    !dkimcheck_aligned("mail.sender.example", o.domain))
			abort();
		break;
	case DKIMCHECK_NONE:
		if (o.domain[0] != '\0' || o.reason[0] == '\0')
			abort();
		break;
	case DKIMCHECK_FAIL:
	case DKIMCHECK_TEMPERROR:
		if (o.reason[0] == '\0')
			abort();
		break;
	default:
		abort();
	}
	return 0;
}
