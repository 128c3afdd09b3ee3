/*
 * fuzz_dnsname - libFuzzer target for the name checks (lib/dnsname).
 * SPDX-License-Identifier: ISC
 *
 * The input is one name (cut at its first NUL).  Every check must
 * accept it or refuse it with a cause; the checks must nest (a domain
 * is a host name, a host name passes the grammar); what is accepted
 * must be within the limits; and the _arg functions must return a
 * lower-case name that passes again, or one error line that quotes the
 * input without a control character.
 */
#include "config.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "fuzz.h"
#include "dnsname.h"
#include "mymalloc.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

/* rc is 0 with an empty err, or -1 with a cause. */
static int
fuzz_dnsname_said(int rc, struct buf *err)
{
	if ((rc == 0) != (err->len == 0))
		abort();
	buf_reset(err);
	return rc;
}

static void
fuzz_dnsname_args(const char *s)
{
	struct buf err = BUF_INIT;
	char *out = NULL;
	size_t i;

	if (dnsname_domain_arg(s, "sts.example", &out, &err) == 0) {
		for (i = 0; out[i]; i++)
			if (out[i] >= 'A' && out[i] <= 'Z')
				abort();
		if (dnsname_domain(out, "sts.example", &err) != 0 ||
		    strlen(out) > DNSNAME_DOMAIN_MAX)
			abort();
		free(out);
	} else
		fuzz_said(&err);
	buf_reset(&err);
	if (dnsname_mx_arg(s, &out, &err) == 0) {
		if (dnsname_host(out, DNSNAME_WILDCARD, &err) != 0)
			abort();
		free(out);
	} else
		fuzz_said(&err);
	buf_free(&err);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct buf err = BUF_INIT;
	char *s = xmalloc(size + 1);
	int syntax, wild, host, hostw, domain;

	memcpy(s, data, size);
	s[size] = '\0';
	syntax = fuzz_dnsname_said(dnsname_syntax(s, 0, &err), &err);
	wild = fuzz_dnsname_said(dnsname_syntax(s, DNSNAME_WILDCARD, &err), &err);
	host = fuzz_dnsname_said(dnsname_host(s, 0, &err), &err);
	hostw = fuzz_dnsname_said(dnsname_host(s, DNSNAME_WILDCARD, &err), &err);
	domain = fuzz_dnsname_said(dnsname_domain(s, NULL, &err), &err);
	if ((syntax == 0 && wild != 0) || (host == 0 && syntax != 0) ||
	    (hostw == 0 && wild != 0) || (host == 0 && hostw != 0) ||
	    (domain == 0 && host != 0))
		abort();	/* the checks do not nest */
	if (wild == 0 && strlen(s) > DNSNAME_NAME_MAX)
		abort();
	if (domain == 0 && strlen(s) > DNSNAME_DOMAIN_MAX)
		abort();
	fuzz_dnsname_args(s);
	buf_free(&err);
	free(s);
	return 0;
}
